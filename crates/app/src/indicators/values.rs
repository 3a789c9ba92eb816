//! Figures: saving them one by one or in bulk, reviewing them, and the exchange rows
//! the exports and imports read.

use std::collections::{HashMap, HashSet};

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::indicator::ValueStatus;
use dxplan_domain::indicator::{PeriodType, ValueInput, ValueRules, check_value};
use dxplan_domain::period::Period;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::attachments::{self, ValueFile};
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self, Indicator, ValueWrite};
use dxplan_store::{StoreError, units};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::evidence::has_evidence;
use super::{DataValue, Form, HistoryRow};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// Resolves a unit code the caller may act on with `action`: the unit holding the code
/// on `day` (a figure's period end, so a retired unit still takes late figures for its
/// own periods), else today.
pub(super) async fn unit_for(
    app: &App,
    caller: &Caller<'_>,
    code: &str,
    day: Date,
    action: Action,
) -> AppResult<units::Unit> {
    let mut c = app.db.read().await?;
    let unit = units::by_code_for(&mut c, code, day, app.today())
        .await?
        .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
    let lineage = units::lineage(&mut c, unit.id).await?;
    caller.require(action, Target::Unit(&lineage))?;
    Ok(unit)
}

/// One row of a bulk write.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueRow {
    #[serde(default)]
    pub indicator: String,
    #[serde(flatten)]
    pub input: ValueInput,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
    /// When the figure was typed on a phone without a signal (RFC 3339), for a figure
    /// sent later; a time ahead of the server's (a phone's clock runs fast) is taken as now.
    #[serde(default)]
    pub entered_offline_at: Option<String>,
    #[serde(flatten, default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub _others: crate::NoOtherFields,
}

/// A row's offline time, read: `Err` when it is not an RFC 3339 time.
fn offline_time(row: &ValueRow, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, FieldError> {
    dxplan_domain::validation::entered_offline(row.entered_offline_at.as_deref(), now)
}

/// The outcome of one row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowResult {
    pub row: usize,
    pub indicator: String,
    pub ok: bool,
    pub id: Option<i64>,
    /// The row's refusals: `{"field", "message"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub errors: Vec<serde_json::Value>,
}

/// Saves (or submits) a unit's figures for a period — every row or none. Each row is
/// checked by its indicator's measure; the answer says, row by row, what happened.
pub async fn save_values(
    app: &App,
    caller: &Caller<'_>,
    unit_code: &str,
    period: &str,
    rows: &[ValueRow],
    submit: bool,
) -> AppResult<Vec<RowResult>> {
    // The unit itself must be known and in scope before rows are looked at.
    let action = if submit {
        Action::SubmitUnitWork
    } else {
        Action::EditUnitWork
    };
    let parsed =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    unit_for(app, caller, unit_code, parsed.end(), action).await?;
    let items: Vec<ExchangeRow> = rows
        .iter()
        .map(|row| ExchangeRow {
            unit: unit_code.to_string(),
            period: period.to_string(),
            row: row.clone(),
        })
        .collect();
    save_many(app, caller, &items, submit).await
}

/// A row of the long exchange format: which unit, which period, which figure.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeRow {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub period: String,
    #[serde(flatten)]
    pub row: ValueRow,
}

/// Saves figures for any units and periods in the caller's scope, all or none. A unit
/// outside the scope refuses the whole request.
pub async fn save_many(
    app: &App,
    caller: &Caller<'_>,
    items: &[ExchangeRow],
    submit: bool,
) -> AppResult<Vec<RowResult>> {
    let action = if submit {
        Action::SubmitUnitWork
    } else {
        Action::EditUnitWork
    };
    let lang = dxplan_domain::Lang::Vi;
    let today = app.today();
    let mut results = Vec::new();
    let mut checked = Vec::new();
    // Each (unit, period, indicator) once: a set, so a workbook of many rows stays linear.
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    // By code and the period's last day: a code reused after a reorganisation names the
    // unit that held it in the period the figure is for.
    let mut unit_cache: HashMap<(String, Option<Date>), Option<i64>> = HashMap::new();
    {
        let mut c = app.db.read().await?;
        // The whole catalogue in one query rather than one per row.
        let all = indicators::list(&mut c, None, None).await?;
        let catalogue: HashMap<&str, &Indicator> =
            all.iter().map(|i| (i.code.as_str(), i)).collect();
        for (i, item) in items.iter().enumerate() {
            let row = &item.row;
            let mut errors: Vec<FieldError> = Vec::new();
            let period_end = Period::parse(&item.period).map(|p| p.end());
            let cache_key = (item.unit.clone(), period_end);
            let unit_id = match unit_cache.get(&cache_key) {
                Some(known) => *known,
                None => {
                    let found =
                        units::by_code_for(&mut c, &item.unit, period_end.unwrap_or(today), today)
                            .await?;
                    if let Some(u) = &found {
                        let lineage = units::lineage(&mut c, u.id).await?;
                        caller.require(action, Target::Unit(&lineage))?;
                    }
                    let id = found.map(|u| u.id);
                    unit_cache.insert(cache_key, id);
                    id
                }
            };
            if unit_id.is_none() {
                errors.push(FieldError::new("unit", Invalid::UnknownUnit));
            }
            let period = Period::parse(&item.period);
            if period.is_none() {
                errors.push(FieldError::new("period", Invalid::BadPeriod));
            }
            let indicator = catalogue.get(row.indicator.trim()).copied();
            let key = (
                item.unit.clone(),
                item.period.clone(),
                row.indicator.clone(),
            );
            let mut ok_row = None;
            match (&indicator, period) {
                (None, _) => errors.push(FieldError::new("indicator", Invalid::UnknownIndicator)),
                (Some(ind), Some(p)) if PeriodType::of(p) != ind.period_type => {
                    errors.push(FieldError::new("period", Invalid::BadPeriod))
                }
                (Some(_), _) if seen.contains(&key) => {
                    errors.push(FieldError::new("indicator", Invalid::Taken))
                }
                (Some(ind), _) => {
                    let rules = ValueRules {
                        measure: ind.measure,
                        min_value: ind.min_value,
                        max_value: ind.max_value,
                    };
                    match check_value(&rules, &row.input) {
                        Ok(v) => ok_row = Some((ind.id, v)),
                        Err(e) => errors.extend(e),
                    }
                }
            }
            if let Err(e) = offline_time(row, app.now()) {
                errors.push(e);
            }
            if let (true, true, Some(ind), Some(unit_id), Some(p)) =
                (submit, errors.is_empty(), &indicator, unit_id, period)
                && ind.evidence_required
                && !has_evidence(&mut c, ind.id, unit_id, p).await?
            {
                errors.push(FieldError::new("evidence", Invalid::EvidenceRequired));
            }
            seen.insert(key);
            results.push(RowResult {
                row: i + 1,
                indicator: row.indicator.clone(),
                ok: errors.is_empty(),
                id: None,
                errors: errors
                    .iter()
                    .map(|e| json!({"field": e.field, "message": e.invalid.message(lang)}))
                    .collect(),
            });
            if let (Some(v), Some(unit_id), Some(period), true) =
                (ok_row, unit_id, period, errors.is_empty())
            {
                checked.push((i, v, unit_id, period, row));
            }
        }
    }
    if results.iter().any(|r| !r.ok) {
        return Err(AppError::ValueRows(results));
    }
    let now = app.now();
    let mut c = app.write(caller).await?;
    for (i, (indicator_id, v), unit_id, period, row) in checked {
        let id = indicators::write_value(
            &mut c,
            &ValueWrite {
                indicator_id,
                unit_id,
                period,
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                status: if submit {
                    ValueStatus::Submitted
                } else {
                    ValueStatus::Draft
                },
                comment: row.comment.as_deref(),
                actor_id: caller.actor.user_id,
                actor_name: &caller.actor.name,
                entered_offline_at: offline_time(row, now).ok().flatten(),
            },
            row.version,
            now,
        )
        .await?;
        results[i].id = Some(id);
        if submit {
            crate::webhooks::emit(
                &mut c,
                dxplan_domain::webhook::EventType::DataSubmitted,
                json!({"data_value": {
                    "id": id, "indicator": row.indicator, "indicator_id": indicator_id,
                    "unit_id": unit_id, "period": period.to_string(), "value": v.value,
                    "numerator": v.numerator, "denominator": v.denominator,
                }}),
                now,
            )
            .await?;
        }
    }
    c.commit(NewEvent {
        action: if submit { "data.submit" } else { "data.save" },
        entity_type: "data_value",
        entity_id: None,
        summary: format!("{} values", results.len()),
        before: None,
        after: None,
    })
    .await?;
    Ok(results)
}

/// The coordinator approves or rejects (with a reason) a submitted figure.
pub async fn review_value(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    approve: bool,
    comment: Option<&str>,
) -> AppResult<()> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut c = app.write(caller).await?;
    let value = indicators::value_by_id(&mut c, id).await?;
    let lineage = units::lineage(&mut c, value.unit_id).await?;
    caller.require(Action::ReviewWork, Target::Unit(&lineage))?;
    if !approve && comment.is_none() {
        return Err(AppError::field("comment", Invalid::Required));
    }
    indicators::review_value(
        &mut c,
        id,
        approve,
        comment,
        caller.actor.user_id,
        &caller.actor.name,
        app.now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::VersionConflict => AppError::conflict(
            "not_submitted",
            "Chỉ xem xét số liệu đang chờ duyệt.",
            "Only submitted figures are reviewed.",
        ),
        other => other.into(),
    })?;
    if approve {
        crate::webhooks::emit(
            &mut c,
            dxplan_domain::webhook::EventType::DataApproved,
            json!({"data_value": {
                "id": id, "indicator_id": value.indicator_id, "unit_id": value.unit_id,
                "period": value.period, "value": value.value, "numerator": value.numerator,
                "denominator": value.denominator,
            }}),
            app.now(),
        )
        .await?;
    }
    c.commit(NewEvent {
        action: if approve {
            "data.approve"
        } else {
            "data.reject"
        },
        entity_type: "data_value",
        entity_id: Some(id.to_string()),
        summary: format!("{}: {}", value.period, value.value),
        before: Some(json!(value)),
        after: None,
    })
    .await?;
    Ok(())
}

/// What an exchange export asks for: a period, and optionally an indicator code and a
/// unit code, each with the name of the query field that carried it (refusals name it).
pub struct ExchangeQuery<'a> {
    pub period: Period,
    pub indicator: Option<(&'a str, &'static str)>,
    pub unit: Option<(&'a str, &'static str)>,
}

/// The figures of a period in the exchange format, within what the reader may see: the
/// named unit's subtree (the unit that held the code in the period — a code reused since
/// names another) or the reader's whole scope. Shared by the dxplan and DHIS2 exports.
pub async fn exchange_rows(
    app: &App,
    user: &CurrentUser,
    q: &ExchangeQuery<'_>,
) -> AppResult<Vec<indicators::ExchangeValue>> {
    // A read within the reader's scope (or the named unit's subtree, checked below).
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let indicator_id = match q.indicator.filter(|(code, _)| !code.is_empty()) {
        Some((code, field)) => Some(
            indicators::by_code(&mut c, code)
                .await?
                .ok_or_else(|| AppError::field(field, Invalid::UnknownIndicator))?
                .id,
        ),
        None => None,
    };
    let roots = match q.unit.filter(|(code, _)| !code.is_empty()) {
        Some((code, field)) => {
            let unit = units::by_code_for(&mut c, code, q.period.end(), app.today())
                .await?
                .ok_or_else(|| AppError::field(field, Invalid::UnknownUnit))?;
            let lineage = units::lineage(&mut c, unit.id).await?;
            user.require(Action::ViewWork, Target::Unit(&lineage))?;
            Some(vec![unit.id])
        }
        None => crate::tasks::task_scope(user),
    };
    let unit_ids = match roots {
        Some(r) => Some(app.subtree(&mut c, &r).await?.to_vec()),
        None => None,
    };
    Ok(indicators::export_values(
        &mut c,
        q.period.start(),
        q.period.end(),
        indicator_id,
        unit_ids.as_deref(),
    )
    .await?)
}

/// The figures awaiting the reviewer's decision, the oldest first: those of the units in
/// the reviewer's scope only.
pub async fn review_queue(
    app: &App,
    user: &CurrentUser,
    limit: i64,
) -> AppResult<Vec<indicators::DataValue>> {
    user.require_somewhere(Action::ReviewWork)?;
    let mut c = app.db.read().await?;
    let scope = user.scope(Action::ReviewWork);
    Ok(indicators::submitted(&mut c, scope.as_deref(), limit).await?)
}

// ---------------------------------------------------------------- reading figures

/// A unit's figures for a period, by its code (the unit that held it at the period's end,
/// else today's).
pub async fn unit_values(
    app: &App,
    user: &CurrentUser,
    unit_code: &str,
    period: Period,
) -> AppResult<Vec<DataValue>> {
    let mut c = app.db.read().await?;
    let unit = units::by_code_for(&mut c, unit_code, period.end(), app.today())
        .await?
        .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
    crate::rights::require_on(&mut c, user, Action::ViewWork, unit.id).await?;
    Ok(indicators::values_of_unit(&mut c, unit.id, period).await?)
}

/// A figure and every change made to it, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueHistory {
    pub value: DataValue,
    pub history: Vec<HistoryRow>,
}

pub async fn value_history(app: &App, user: &CurrentUser, id: i64) -> AppResult<ValueHistory> {
    let mut c = app.db.read().await?;
    let value = indicators::value_by_id(&mut c, id).await?;
    crate::rights::require_on(&mut c, user, Action::ViewWork, value.unit_id).await?;
    let history = indicators::value_history(&mut c, id).await?;
    Ok(ValueHistory { value, history })
}

/// Where a unit enters its figures: the unit (valid today), the forms its kind fills in,
/// and whether the reader may enter them or only read them.
pub struct EntryPlace {
    pub unit: units::Unit,
    pub forms: Vec<Form>,
    pub may_edit: bool,
    pub may_submit: bool,
}

pub async fn entry_place(app: &App, user: &CurrentUser, unit_code: &str) -> AppResult<EntryPlace> {
    let mut c = app.db.read().await?;
    let unit = units::by_code(&mut c, unit_code, app.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let lineage = units::lineage(&mut c, unit.id).await?;
    user.require(Action::ViewWork, Target::Unit(&lineage))?;
    let kinds = indicators::kinds_by_form(&mut c).await?;
    let forms = indicators::forms(&mut c)
        .await?
        .into_iter()
        .filter(|f| {
            kinds
                .get(&f.id)
                .is_some_and(|ks| ks.iter().any(|k| k == unit.kind.as_str()))
        })
        .collect();
    Ok(EntryPlace {
        may_edit: user.may(Action::EditUnitWork, Target::Unit(&lineage)),
        may_submit: user.may(Action::SubmitUnitWork, Target::Unit(&lineage)),
        unit,
        forms,
    })
}

/// What a unit has entered for a period: its figures, the year's targets and the
/// evidence files behind the figures.
pub struct UnitFigures {
    pub values: Vec<DataValue>,
    pub targets: Vec<dxplan_store::indicators::Target>,
    pub files: Vec<ValueFile>,
}

pub async fn unit_figures(
    app: &App,
    user: &CurrentUser,
    unit_id: i64,
    period: Period,
) -> AppResult<UnitFigures> {
    let mut c = app.db.read().await?;
    crate::rights::require_on(&mut c, user, Action::ViewWork, unit_id).await?;
    figures_of(&mut c, unit_id, period).await
}

async fn figures_of(
    c: &mut dxplan_store::Conn,
    unit_id: i64,
    period: Period,
) -> AppResult<UnitFigures> {
    let values = indicators::values_of_unit(c, unit_id, period).await?;
    let targets = indicators::targets_of_unit(c, unit_id, Period::Year(period.year())).await?;
    let ids: Vec<i64> = values.iter().map(|v| v.id).collect();
    let files = attachments::files_of_values(c, &ids).await?;
    Ok(UnitFigures {
        values,
        targets,
        files,
    })
}

/// One form's sheet for a unit and period: the form's indicators and what is entered.
pub struct EntrySheet {
    pub indicators: Vec<Indicator>,
    pub figures: UnitFigures,
}

pub async fn entry_sheet(
    app: &App,
    user: &CurrentUser,
    unit_id: i64,
    form_id: i64,
    period: Period,
) -> AppResult<EntrySheet> {
    let mut c = app.db.read().await?;
    crate::rights::require_on(&mut c, user, Action::ViewWork, unit_id).await?;
    Ok(EntrySheet {
        indicators: indicators::form_indicators(&mut c, form_id).await?,
        figures: figures_of(&mut c, unit_id, period).await?,
    })
}

/// The review queue with what the page names its rows by: the catalogue, the units, the
/// evidence files and the forms.
pub struct ReviewPage {
    pub waiting: Vec<DataValue>,
    pub indicators: Vec<Indicator>,
    pub units: Vec<units::Unit>,
    pub files: Vec<ValueFile>,
    pub forms: Vec<Form>,
}

pub async fn review_page(app: &App, user: &CurrentUser, limit: i64) -> AppResult<ReviewPage> {
    let waiting = review_queue(app, user, limit).await?;
    let mut c = app.db.read().await?;
    let all = indicators::list(&mut c, None, None).await?;
    let mut unit_ids: Vec<i64> = waiting.iter().map(|v| v.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let names = units::by_ids(&mut c, &unit_ids).await?;
    let waiting_ids: Vec<i64> = waiting.iter().map(|v| v.id).collect();
    let files = attachments::files_of_values(&mut c, &waiting_ids).await?;
    let forms = indicators::forms(&mut c).await?;
    Ok(ReviewPage {
        waiting,
        indicators: all,
        units: names,
        files,
        forms,
    })
}
