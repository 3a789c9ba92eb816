//! Organisational units: the province, its departments, districts and communes.
//!
//! GSO codes are reused with new names after reorganisations, so a code identifies a
//! unit only at a date: every unit carries a validity period.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Lang;
use crate::text::parse_date;
use crate::validation::{FieldError, Invalid, optional_text, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UnitKind {
    Ministry,
    Province,
    Department,
    District,
    Commune,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::Ministry,
        UnitKind::Province,
        UnitKind::Department,
        UnitKind::District,
        UnitKind::Commune,
        UnitKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Ministry => "ministry",
            UnitKind::Province => "province",
            UnitKind::Department => "department",
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        let s = s.trim().to_ascii_lowercase();
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            UnitKind::Ministry => lang.pick("Bộ, ngành", "Ministry"),
            UnitKind::Province => lang.pick("Tỉnh, thành phố", "Province"),
            UnitKind::Department => lang.pick("Sở, ban, ngành", "Department"),
            UnitKind::District => lang.pick("Huyện, thị xã, thành phố", "District"),
            UnitKind::Commune => lang.pick("Xã, phường, thị trấn", "Commune"),
            UnitKind::Other => lang.pick("Cơ quan, đơn vị khác", "Other body"),
        }
    }
}

impl TryFrom<String> for UnitKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        UnitKind::parse(&s).ok_or_else(|| format!("unknown unit kind {s:?}"))
    }
}

/// Does `[from, to]` (either end open when `None`) contain `day`?
pub fn valid_on(from: Option<Date>, to: Option<Date>, day: Date) -> bool {
    from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t)
}

/// Do two validity periods share at least one day?
pub fn periods_overlap(a: (Option<Date>, Option<Date>), b: (Option<Date>, Option<Date>)) -> bool {
    let starts_before_other_ends =
        |from: Option<Date>, other_to: Option<Date>| match (from, other_to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
    starts_before_other_ends(a.0, b.1) && starts_before_other_ends(b.0, a.1)
}

pub const CODE_MAX: usize = 32;
pub const NAME_MAX: usize = 200;
pub const SHORT_NAME_MAX: usize = 60;

/// Unit codes: GSO numbers such as `21550`, or local codes such as `52-STTTT`.
pub fn check_code(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let code = value.trim().to_string();
    if code.is_empty() {
        errors.push(FieldError::new(field, Invalid::Required));
    } else if code.chars().count() > CODE_MAX {
        errors.push(FieldError::new(field, Invalid::TooLong { max: CODE_MAX }));
    } else if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errors.push(FieldError::new(field, Invalid::BadFormat));
    }
    code
}

pub fn check_kind(field: &str, value: &str, errors: &mut Vec<FieldError>) -> UnitKind {
    UnitKind::parse(value).unwrap_or_else(|| {
        errors.push(FieldError::new(field, Invalid::UnknownKind));
        UnitKind::Other
    })
}

pub fn check_date(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<Date> {
    let value = value.unwrap_or_default().trim();
    if value.is_empty() {
        return None;
    }
    let date = parse_date(value);
    if date.is_none() {
        errors.push(FieldError::new(field, Invalid::BadDate));
    }
    date
}

/// A unit as entered on a form or in an API call, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub parent_code: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
}

/// A unit whose fields have been checked; whether its parent exists and whether its
/// code is free is for the store to say.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFields {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

pub fn validate_unit(input: &UnitInput) -> Result<UnitFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = check_code("code", &input.code, &mut errors);
    let name = required_text("name", &input.name, NAME_MAX, &mut errors);
    let short_name = optional_text(
        "short_name",
        input.short_name.as_deref(),
        SHORT_NAME_MAX,
        &mut errors,
    );
    let kind = check_kind("kind", &input.kind, &mut errors);
    let parent_code = input
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| check_code("parent_code", p, &mut errors));
    let valid_from = check_date("valid_from", input.valid_from.as_deref(), &mut errors);
    let valid_to = check_date("valid_to", input.valid_to.as_deref(), &mut errors);
    if let (Some(f), Some(t)) = (valid_from, valid_to)
        && t < f
    {
        errors.push(FieldError::new("valid_to", Invalid::DatesOutOfOrder));
    }
    if parent_code.as_deref() == Some(code.as_str()) && !code.is_empty() {
        errors.push(FieldError::new("parent_code", Invalid::Cycle));
    }
    if errors.is_empty() {
        Ok(UnitFields {
            code,
            name,
            short_name,
            kind,
            parent_code,
            valid_from,
            valid_to,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(code: &str, name: &str, kind: &str) -> UnitInput {
        UnitInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_real_unit_validates() {
        let mut i = input("52-STTTT", " Sở Thông tin và Truyền thông ", "department");
        i.parent_code = Some("52".into());
        i.valid_to = Some("28/02/2025".into());
        let u = validate_unit(&i).unwrap();
        assert_eq!(u.name, "Sở Thông tin và Truyền thông");
        assert_eq!(u.kind, UnitKind::Department);
        assert_eq!(u.valid_to, Some(date!(2025 - 02 - 28)));
    }

    #[test]
    fn bad_units_are_refused_field_by_field() {
        let mut i = input("52 STTTT", "", "sở");
        i.valid_from = Some("2025-03-01".into());
        i.valid_to = Some("2025-02-28".into());
        let fields: Vec<_> = validate_unit(&i)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "name", "kind", "valid_to"]);
        let mut own_parent = input("540", "Quy Nhơn", "district");
        own_parent.parent_code = Some("540".into());
        assert_eq!(
            validate_unit(&own_parent).unwrap_err()[0].invalid,
            Invalid::Cycle
        );
        assert_eq!(
            validate_unit(&input(&"9".repeat(40), "X", "commune")).unwrap_err()[0].invalid,
            Invalid::TooLong { max: CODE_MAX }
        );
    }

    #[test]
    fn validity_periods() {
        let d = date!(2025 - 02 - 28);
        assert!(valid_on(None, Some(d), d));
        assert!(!valid_on(Some(date!(2025 - 03 - 01)), None, d));
        assert!(periods_overlap((None, Some(d)), (Some(d), None)));
        assert!(!periods_overlap(
            (None, Some(d)),
            (Some(date!(2025 - 03 - 01)), None)
        ));
        assert!(periods_overlap((None, None), (Some(d), Some(d))));
    }
}
