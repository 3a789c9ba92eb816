//! Choices instead of codes: the units and periods a form offers, and the text a person
//! typed into one read back as a unit or a period.

use dxplan_domain::Lang;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::PeriodType;
use dxplan_domain::period::Period;
use dxplan_domain::unit_match::{Named, UnitIndex};
use dxplan_store::Conn;
use dxplan_store::units::{self, Unit};
use time::Date;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The units standing on `day` the user may do `action` on, in Vietnamese order: what a
/// unit field offers (`<datalist>`), by name.
pub async fn unit_choices(
    app: &App,
    user: &CurrentUser,
    action: Action,
    day: Date,
) -> AppResult<Vec<String>> {
    let mut c = app.db.read().await?;
    let scope = super::rights::scope_units(app, &mut c, user, action).await?;
    let all = app.standing_units(&mut c, day).await?;
    let standing: Vec<&Unit> = all
        .iter()
        .filter(|u| scope.as_ref().is_none_or(|s| s.contains(&u.id)))
        .collect();
    // Two units of one name (a commune in two former districts) are told apart by their
    // code, in the form `unit_named` reads back.
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    for u in &standing {
        *seen.entry(u.name.as_str()).or_default() += 1;
    }
    let choices = standing
        .iter()
        .map(|u| {
            if seen.get(u.name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{} ({})", u.name, u.code)
            } else {
                u.name.clone()
            }
        })
        .collect();
    Ok(choices)
}

/// Why a typed unit was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAUnit {
    Unknown,
    /// Several units carry the name: the code tells them apart.
    Ambiguous,
}

impl NotAUnit {
    /// The field error a form shows for it.
    pub fn invalid(&self) -> dxplan_domain::Invalid {
        match self {
            NotAUnit::Unknown => dxplan_domain::Invalid::UnknownUnit,
            NotAUnit::Ambiguous => dxplan_domain::Invalid::AmbiguousUnit,
        }
    }

    /// What a page says of it, naming what was typed.
    pub fn message(&self, text: &str, lang: Lang) -> String {
        match self {
            NotAUnit::Unknown => lang.pick(
                format!("Không tìm thấy đơn vị “{text}”. Hãy chọn trong danh sách."),
                format!("No unit is called “{text}”. Choose one from the list."),
            ),
            NotAUnit::Ambiguous => lang.pick(
                format!("Có nhiều đơn vị tên “{text}”. Hãy chọn trong danh sách."),
                format!("Several units are called “{text}”. Choose one from the list."),
            ),
        }
    }
}

/// The unit standing on `day` that `text` names: its code, or its name as people write it
/// (with or without diacritics, "UBND …", "Phường …", an abbreviation).
pub async fn unit_named(app: &App, text: &str, day: Date) -> AppResult<Result<Unit, NotAUnit>> {
    let mut c = app.db.read().await?;
    find_named(&mut c, text, day).await
}

/// [`unit_named`] on a connection the caller holds (inside a write).
pub async fn find_named(c: &mut Conn, text: &str, day: Date) -> AppResult<Result<Unit, NotAUnit>> {
    UnitNames::default().find(c, text, day).await
}

/// Reads the units a form names, many at a time (a task's partners, a round's communes): the
/// index of every unit's names is built once, at the first text that is not a code.
#[derive(Default)]
pub struct UnitNames {
    known: Option<Vec<dxplan_domain::unit_match::KnownUnit>>,
}

impl UnitNames {
    /// The unit standing on `day` that `text` names, as [`unit_named`] reads it.
    pub async fn find(
        &mut self,
        c: &mut Conn,
        text: &str,
        day: Date,
    ) -> AppResult<Result<Unit, NotAUnit>> {
        let text = text.trim();
        // "Name (code)", as `unit_choices` writes a name two units share.
        let code = text
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once(" ("))
            .map_or(text, |(_, code)| code);
        if let Some(unit) = units::by_code(c, code, day).await? {
            return Ok(Ok(unit));
        }
        // A code that names no unit on the day is not a name either.
        if !text.chars().any(char::is_alphabetic) {
            return Ok(Err(NotAUnit::Unknown));
        }
        let known = match &mut self.known {
            Some(known) => known,
            none => none.insert(units::known_units(c).await?),
        };
        match UnitIndex::new(known).find(text, day) {
            Named::Unit(id) => Ok(Ok(units::get(c, id).await?)),
            Named::Ambiguous(_) => Ok(Err(NotAUnit::Ambiguous)),
            Named::AllOf(_) | Named::Unknown => Ok(Err(NotAUnit::Unknown)),
        }
    }
}

/// Units as typed in a list field: one a line or separated by semicolons, by name or code.
/// A unit's name may hold a comma ("Sở Văn hóa, Thể thao và Du lịch"), so commas separate only a line of
/// codes ("52-STC, 540").
pub fn unit_list(typed: &str) -> Vec<String> {
    typed
        .split(['\n', ';'])
        .flat_map(|line| {
            let parts: Vec<&str> = line.split(',').map(str::trim).collect();
            if parts.len() > 1 && parts.iter().all(|p| !p.contains(char::is_whitespace)) {
                parts
            } else {
                vec![line.trim()]
            }
        })
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The periods a figure field offers for an indicator reported by `kind`: this and the
/// previous periods of its kind, then the years (a year's figure rolls up from them), and
/// `shown` first when it is none of those. Each as (stored form, label).
pub fn period_choices(
    kind: PeriodType,
    today: Date,
    shown: Period,
    lang: Lang,
) -> Vec<(String, String)> {
    let mut periods = match kind {
        PeriodType::Year => Vec::new(),
        PeriodType::Quarter => Period::recent(PeriodType::Quarter, today, 11),
        PeriodType::Month => Period::recent(PeriodType::Month, today, 23),
    };
    periods.extend(Period::recent(PeriodType::Year, today, 5));
    if !periods.contains(&shown) {
        periods.insert(0, shown);
    }
    periods
        .into_iter()
        .map(|p| (p.to_string(), p.label(lang)))
        .collect()
}

/// A period read from a form, or the field's error.
pub fn period_read(text: &str) -> AppResult<Period> {
    Period::read(text).ok_or_else(|| AppError::field("period", dxplan_domain::Invalid::BadPeriod))
}

/// The period a form's figures are owed for now: the last one that has ended (the one
/// before the period under way).
pub fn last_ended(period_type: PeriodType, today: Date) -> Period {
    let mut recent = Period::recent(period_type, today, 1);
    recent.pop().unwrap_or(Period::Year(today.year() - 1))
}
