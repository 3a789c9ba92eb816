//! Reporting periods, written as strings: `2025` (year), `2025Q1` (quarter),
//! `2025-03` (month).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::Lang;
use crate::indicator::PeriodType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

// A period travels as its text (`2025`, `2025Q2`, `2025-08`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"))
            .description(Some(
                "A year `2025`, a quarter `2025Q2` or a month `2025-08`",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Period {}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let q: u8 = q.parse().ok()?;
            return (y.len() == 4 && (1..=4).contains(&q))
                .then_some(Period::Quarter(y.parse().ok()?, q));
        }
        if let Some((y, m)) = s.split_once('-') {
            let m: u8 = m.parse().ok()?;
            return (y.len() == 4 && (1..=12).contains(&m))
                .then_some(Period::Month(y.parse().ok()?, m));
        }
        (s.len() == 4)
            .then(|| s.parse().ok().map(Period::Year))
            .flatten()
    }

    /// Reads a period as people write it on a form: the stored forms (`2025Q3`,
    /// `2025-09`, `2025`) and the Vietnamese ones — `Quý III/2025`, `quý 3 năm 2025`,
    /// `III/2025`, `Q3/2025`, `Tháng 9/2025`, `9/2025`, `T9/2025`, `Năm 2025` — with or
    /// without diacritics.
    pub fn read(s: &str) -> Option<Period> {
        if let Some(p) = Period::parse(s) {
            return Some(p);
        }
        let folded = crate::text::fold(s).replace(" nam ", "/").replace(' ', "");
        let (quarter_word, rest) = match folded.strip_prefix("quy") {
            Some(rest) => (true, rest),
            None => (false, folded.strip_prefix("thang").unwrap_or(&folded)),
        };
        let rest = rest.strip_prefix("nam").unwrap_or(rest);
        let Some((which, year)) = rest.split_once('/') else {
            return (rest.len() == 4)
                .then(|| rest.parse().ok().map(Period::Year))
                .flatten();
        };
        let year: i32 = (year.len() == 4).then(|| year.parse().ok()).flatten()?;
        let roman = ["i", "ii", "iii", "iv"].iter().position(|r| *r == which);
        if let Some(q) = roman {
            return Some(Period::Quarter(year, q as u8 + 1));
        }
        if let Some(q) = which.strip_prefix('q') {
            let q: u8 = q.parse().ok()?;
            return (1..=4).contains(&q).then_some(Period::Quarter(year, q));
        }
        let number: u8 = which.strip_prefix('t').unwrap_or(which).parse().ok()?;
        if quarter_word {
            (1..=4)
                .contains(&number)
                .then_some(Period::Quarter(year, number))
        } else {
            (1..=12)
                .contains(&number)
                .then_some(Period::Month(year, number))
        }
    }

    /// The periods of a kind around a day, the most recent first: what a form offers to
    /// choose from (the current one and `back` before it).
    pub fn recent(kind: PeriodType, day: Date, back: usize) -> Vec<Period> {
        let mut out = Vec::with_capacity(back + 1);
        let mut p = match kind {
            PeriodType::Year => Period::Year(day.year()),
            PeriodType::Quarter => Period::containing(day, true),
            PeriodType::Month => Period::containing(day, false),
        };
        for _ in 0..=back {
            out.push(p);
            p = match p {
                Period::Year(y) => Period::Year(y - 1),
                Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
                Period::Quarter(y, q) => Period::Quarter(y, q - 1),
                Period::Month(y, 1) => Period::Month(y - 1, 12),
                Period::Month(y, m) => Period::Month(y, m - 1),
            };
        }
        out
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// The first day of the period.
    pub fn start(self) -> Date {
        let (y, m) = match self {
            Period::Year(y) => (y, 1),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Period::Month(y, m) => (y, m),
        };
        first_of(y, m)
    }

    /// The last day of the period.
    pub fn end(self) -> Date {
        let (y, m) = match self {
            Period::Year(y) => (y, 12),
            Period::Quarter(y, q) => (y, q * 3),
            Period::Month(y, m) => (y, m),
        };
        let next = if m == 12 {
            first_of(y + 1, 1)
        } else {
            first_of(y, m + 1)
        };
        next.previous_day().unwrap_or(next)
    }

    /// The month or quarter (of the given kind) that contains a day.
    pub fn containing(day: Date, quarterly: bool) -> Period {
        let m = u8::from(day.month());
        if quarterly {
            Period::Quarter(day.year(), (m - 1) / 3 + 1)
        } else {
            Period::Month(day.year(), m)
        }
    }

    /// The year and (below a year) the quarter that contain this period: the buckets in
    /// which its figure is pre-combined for roll-ups.
    pub fn buckets(self) -> Vec<Period> {
        match self {
            Period::Year(y) => vec![Period::Year(y)],
            Period::Quarter(y, _) => vec![Period::Year(y), self],
            Period::Month(y, m) => vec![Period::Year(y), Period::Quarter(y, (m - 1) / 3 + 1)],
        }
    }

    /// `Quý I/2025`, `Tháng 3/2025`, `Năm 2025` (or the English forms).
    pub fn label(self, lang: Lang) -> String {
        match self {
            Period::Year(y) => lang.pick(format!("Năm {y}"), format!("Year {y}")),
            Period::Quarter(y, q) => {
                let roman = ["I", "II", "III", "IV"][usize::from(q.clamp(1, 4) - 1)];
                lang.pick(format!("Quý {roman}/{y}"), format!("Q{q} {y}"))
            }
            Period::Month(y, m) => lang.pick(format!("Tháng {m}/{y}"), format!("{m:02}/{y}")),
        }
    }
}

fn first_of(year: i32, month: u8) -> Date {
    let month = Month::try_from(month).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1).unwrap_or(Date::MIN)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Period::parse(&s)
            .ok_or_else(|| format!("not a period: {s:?} (use 2025, 2025Q1 or 2025-03)"))
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn periods_read_as_officers_write_them() {
        for (text, period) in [
            ("2025Q3", Period::Quarter(2025, 3)),
            ("Quý III/2025", Period::Quarter(2025, 3)),
            ("quy iii/2025", Period::Quarter(2025, 3)),
            ("Quý 3 năm 2025", Period::Quarter(2025, 3)),
            ("III/2025", Period::Quarter(2025, 3)),
            ("Q3/2025", Period::Quarter(2025, 3)),
            ("Tháng 9/2025", Period::Month(2025, 9)),
            ("9/2025", Period::Month(2025, 9)),
            ("09/2025", Period::Month(2025, 9)),
            ("T9/2025", Period::Month(2025, 9)),
            ("tháng 12 năm 2025", Period::Month(2025, 12)),
            ("Năm 2025", Period::Year(2025)),
            (" 2025 ", Period::Year(2025)),
        ] {
            assert_eq!(Period::read(text), Some(period), "{text}");
        }
        for bad in [
            "Quý V/2025",
            "13/2025",
            "quý 5/2025",
            "9/25",
            "hôm qua",
            "",
            "Q0/2025",
        ] {
            assert_eq!(Period::read(bad), None, "{bad}");
        }
        // Every label reads back as its period.
        for p in [
            Period::Quarter(2026, 4),
            Period::Month(2026, 1),
            Period::Year(2024),
        ] {
            assert_eq!(Period::read(&p.label(Lang::Vi)), Some(p));
        }
    }

    #[test]
    fn recent_periods_go_back_across_years() {
        let day = time::macros::date!(2026 - 02 - 10);
        assert_eq!(
            Period::recent(PeriodType::Quarter, day, 2),
            vec![
                Period::Quarter(2026, 1),
                Period::Quarter(2025, 4),
                Period::Quarter(2025, 3)
            ]
        );
        assert_eq!(
            Period::recent(PeriodType::Month, day, 2),
            vec![
                Period::Month(2026, 2),
                Period::Month(2026, 1),
                Period::Month(2025, 12)
            ]
        );
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn periods_parse_print_and_span_their_days() {
        assert_eq!(Period::parse("2025Q2"), Some(Period::Quarter(2025, 2)));
        assert_eq!(
            Period::Month(2025, 8).buckets(),
            [Period::Year(2025), Period::Quarter(2025, 3)]
        );
        assert_eq!(Period::Year(2025).buckets(), [Period::Year(2025)]);
        assert_eq!(Period::parse("2025-03"), Some(Period::Month(2025, 3)));
        assert_eq!(Period::parse("2025"), Some(Period::Year(2025)));
        for bad in ["2025Q5", "2025-13", "25", "2025-00", "Q1", "", "2025Q"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::Quarter(2025, 2).end(), date!(2025 - 06 - 30));
        assert_eq!(Period::Month(2024, 2).end(), date!(2024 - 02 - 29));
        assert_eq!(Period::Year(2025).start(), date!(2025 - 01 - 01));
        assert_eq!(Period::Month(2025, 3).to_string(), "2025-03");
        assert_eq!(Period::Quarter(2025, 1).label(Lang::Vi), "Quý I/2025");
        assert_eq!(
            Period::containing(date!(2025 - 08 - 15), true),
            Period::Quarter(2025, 3)
        );
    }
}
