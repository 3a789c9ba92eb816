//! Loose values of a task row: dates written as a month or a quarter, budgets in millions,
//! lists of units, numbering (1., a), I., II.).

use time::Date;

use super::cells::{Cell, serial_to_date};
use crate::text::{fold, nfc, parse_date, parse_number_vi};
use crate::unit_match::{Named, UnitIndex};

/// Which end of a named period a date column wants: a task starts on the period's
/// first day (`Quý II/2025` → 01/04/2025) and is due on its last (→ 30/06/2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edge {
    First,
    Last,
}

/// Reads a period or date: dates, `Quý II/2025`, `Tháng 6/2025`, `Năm 2025`, `2025`,
/// `Thường xuyên` (from the plan's year on, without a deadline), as the `edge` of that
/// period.
pub(super) fn parse_when(cell: &Cell, year: i32, edge: Edge) -> Result<Option<Date>, ()> {
    use crate::period::Period;
    let of = |p: Period| {
        Some(match edge {
            Edge::First => p.start(),
            Edge::Last => p.end(),
        })
    };
    // Years a plan can name; anything else is a typo, not a date in the year 99999.
    let plausible = |y: i32| (1900..=2200).contains(&y);
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(serial) => serial_to_date(*serial).map(Some).ok_or(()),
        Cell::Number(n) => {
            // A bare year, or an Excel serial that lost its date format.
            if n.fract() == 0.0 && (1990.0..=2100.0).contains(n) {
                Ok(of(Period::Year(*n as i32)))
            } else {
                serial_to_date(*n).map(Some).ok_or(())
            }
        }
        Cell::Text(t) => {
            let t = nfc(t.trim());
            if t.is_empty() || t == "—" || t == "-" {
                return Ok(None);
            }
            if let Some(d) = parse_date(&t) {
                return Ok(Some(d));
            }
            let f = fold(&t).replace(' ', "");
            // Ongoing work (nhiệm vụ thường xuyên) starts with the plan's year and has no
            // deadline: a regular task, reported each period.
            if f.starts_with("thuongxuyen")
                || ["hangnam", "hangquy", "hangthang"].contains(&f.as_str())
            {
                return Ok(match edge {
                    Edge::First => of(Period::Year(year)),
                    Edge::Last => Some(crate::task::NO_DEADLINE),
                });
            }
            let roman = |s: &str| match s {
                "i" | "1" => Some(1u8),
                "ii" | "2" => Some(2),
                "iii" | "3" => Some(3),
                "iv" | "4" => Some(4),
                _ => None,
            };
            let split_year = |rest: &str| -> Option<(String, i32)> {
                let (a, y) = rest.split_once(['/', '-'])?;
                let y = y.parse().ok().filter(|y| plausible(*y))?;
                Some((a.to_string(), y))
            };
            if let Some(rest) = f.strip_prefix("quy") {
                let (q, y) = split_year(rest).ok_or(())?;
                let q = roman(&q).ok_or(())?;
                return Ok(of(Period::Quarter(y, q)));
            }
            if let Some(rest) = f.strip_prefix("thang") {
                let (m, y) = split_year(rest).ok_or(())?;
                let m: u8 = m.parse().map_err(|_| ())?;
                if !(1..=12).contains(&m) {
                    return Err(());
                }
                return Ok(of(Period::Month(y, m)));
            }
            let year_text = f.strip_prefix("nam").unwrap_or(&f);
            if year_text.len() == 4
                && let Ok(y) = year_text.parse::<i32>()
                && plausible(y)
            {
                return Ok(of(Period::Year(y)));
            }
            Err(())
        }
    }
}

/// Reads a budget; `multiplier` turns the sheet's unit (millions) into đồng.
pub(super) fn parse_budget(cell: &Cell, multiplier: f64) -> Result<i64, ()> {
    let value = match cell {
        Cell::Empty => return Ok(0),
        Cell::Number(n) => *n,
        Cell::Date(_) => return Err(()),
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() || t == "—" || t == "-" || t == "0" {
                return Ok(0);
            }
            parse_number_vi(t).ok_or(())?
        }
    };
    let vnd = value * multiplier;
    if !vnd.is_finite() || vnd < 0.0 || vnd > crate::task::BUDGET_MAX as f64 {
        return Err(());
    }
    Ok(vnd.round() as i64)
}

/// More parties than this in one cell is no plan's row (a whole tree is written as a
/// group phrase); refusing it keeps the matching of a hostile cell bounded.
pub(super) const MAX_PARTIES: usize = 300;

/// The longest run of comma-separated parts read as one name: `Sở Văn hóa, Thể thao và
/// Du lịch` has two, `UBND các xã, phường, thị trấn` three.
const LONGEST_NAME_PARTS: usize = 5;

/// Splits a cell of several parties: semicolons and new lines always separate; a comma
/// separates only where the parts around it are not together a unit's name or a group
/// phrase (`Sở Văn hóa, Thể thao và Du lịch`, `UBND cấp huyện, cấp xã`), the longest
/// such run first. What a piece says of units "liên quan" (concerned) names no units
/// for sure, so it stays one outside party as written. `Err` past [`MAX_PARTIES`].
pub(super) fn parties(
    text: &str,
    units: &UnitIndex<'_>,
    day: Date,
) -> Result<Vec<(String, Named)>, ()> {
    let mut out = Vec::new();
    for piece in text
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match units.find(piece, day) {
            Named::Unknown => {}
            named => {
                out.push((piece.to_string(), named));
                continue;
            }
        }
        let parts: Vec<&str> = piece
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if out.len() + parts.len() > MAX_PARTIES {
            return Err(());
        }
        let vague = fold(piece).contains("lien quan");
        let mut vague_parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let longest = (i + LONGEST_NAME_PARTS).min(parts.len());
            let (end, name, named) = (i + 1..=longest)
                .rev()
                .find_map(|end| {
                    let name = parts[i..end].join(", ");
                    match units.find(&name, day) {
                        Named::Unknown => None,
                        named => Some((end, name, named)),
                    }
                })
                .unwrap_or_else(|| (i + 1, parts[i].to_string(), Named::Unknown));
            i = end;
            match named {
                Named::Unknown | Named::AllOf(_) if vague => vague_parts.push(name),
                named => out.push((name, named)),
            }
        }
        if !vague_parts.is_empty() {
            out.push((vague_parts.join(", "), Named::Unknown));
        }
    }
    Ok(out)
}

/// A numeral standing alone at the start of a group row: `XII.`, `XII -`, `12)`, `9`,
/// not the `X` of `Xây dựng` nor the `2` of a task code `2.1`. Returns it and the words
/// after it.
pub(super) fn numbered(text: &str) -> (Option<u32>, &str) {
    let t = text.trim();
    let end = t
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(t.len());
    let (head, rest) = t.split_at(end);
    let stands_alone = match rest.chars().next() {
        None => true,
        Some('.') => !rest[1..].starts_with(|c: char| c.is_ascii_digit()),
        Some(c) => c.is_whitespace() || matches!(c, ')' | ':' | '-' | '–'),
    };
    let n = if !stands_alone {
        None
    } else if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
        head.parse().ok()
    } else {
        roman(head)
    };
    match n {
        Some(n) => (
            Some(n),
            rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | ')' | ':' | '-' | '–')
            }),
        ),
        None => (None, t),
    }
}

/// A roman numeral up to 50 (`I` … `XII` … `L`), written the one correct way.
fn roman(s: &str) -> Option<u32> {
    let upper = s.to_ascii_uppercase();
    if upper.is_empty()
        || !upper
            .bytes()
            .all(|b| matches!(b, b'I' | b'V' | b'X' | b'L'))
    {
        return None;
    }
    (1..=50).find(|n| to_roman(*n) == upper)
}

fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for (value, digits) in [
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}
