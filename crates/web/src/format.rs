//! Formatting helpers for templates: dates and numbers the Vietnamese way.

use time::OffsetDateTime;

pub use dxplan_domain::text::VIETNAM;

/// `dd/mm/yyyy HH:MM` in Vietnam time.
pub fn datetime(t: &OffsetDateTime) -> String {
    let local = t.to_offset(VIETNAM);
    format!(
        "{} {:02}:{:02}",
        dxplan_domain::text::format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

pub fn date(d: &time::Date) -> String {
    dxplan_domain::text::format_date(*d)
}

pub fn opt_date(d: &Option<time::Date>) -> String {
    d.as_ref().map(date).unwrap_or_default()
}

pub fn int(n: &i64) -> String {
    dxplan_domain::text::format_int(*n)
}
