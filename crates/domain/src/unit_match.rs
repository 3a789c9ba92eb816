//! Finding units by the loose names real documents use: `UBND huyện An Lão`,
//! `Sở TT&TT`, `TP Quy Nhơn`, `các sở, ban, ngành`, a GSO code…

use time::Date;

use crate::text::fold;
use crate::unit::{UnitKind, valid_on};

/// A unit as the matcher sees it.
#[derive(Debug, Clone)]
pub struct KnownUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// Units that took over from this one (reorganisations roll names forward).
    pub successors: Vec<i64>,
}

/// What a piece of text names.
#[derive(Debug, Clone, PartialEq)]
pub enum Named {
    Unit(i64),
    /// A phrase for every unit of a kind, e.g. `UBND cấp huyện`.
    AllOf(UnitKind),
    /// Several units carry this name.
    Ambiguous,
    Unknown,
}

/// Prefixes that documents put before a unit's proper name.
const PREFIXES: [&str; 12] = [
    "ubnd ",
    "thanh pho ",
    "tp. ",
    "tp ",
    "thi xa ",
    "tx. ",
    "tx ",
    "huyen ",
    "thi tran ",
    "phuong ",
    "xa ",
    "so ",
];

/// Folded text with the usual abbreviations written one way: `Ủy ban nhân dân` → `ubnd`,
/// `TT & TT` → `tt&tt`.
fn canon(text: &str) -> String {
    let f = fold(text)
        .replace("uy ban nhan dan", "ubnd")
        .replace(" & ", "&")
        .replace("& ", "&")
        .replace(" &", "&");
    f.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The proper name without administrative prefixes: `ubnd huyen an lao` → `an lao`.
fn core_name(folded: &str) -> String {
    let mut s = folded.trim().trim_end_matches(['.', ',', ';']).to_string();
    loop {
        let before = s.clone();
        for p in PREFIXES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim().to_string();
            }
        }
        if s == before {
            return s;
        }
    }
}

fn group_phrase(folded: &str) -> Option<UnitKind> {
    let f = folded
        .replace([',', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let departments = [
        "cac so ban nganh",
        "cac so nganh",
        "so ban nganh",
        "cac so ban nganh tinh",
        "cac co quan chuyen mon",
    ];
    let districts = [
        "ubnd cac huyen thi xa thanh pho",
        "cac huyen thi xa thanh pho",
        "ubnd cap huyen",
        "ubnd cac huyen",
        "cac dia phuong",
    ];
    let communes = [
        "ubnd cap xa",
        "ubnd cac xa phuong thi tran",
        "cac xa phuong thi tran",
        "ubnd cac xa",
    ];
    if departments.contains(&f.as_str()) {
        Some(UnitKind::Department)
    } else if districts.contains(&f.as_str()) {
        Some(UnitKind::District)
    } else if communes.contains(&f.as_str()) {
        Some(UnitKind::Commune)
    } else {
        None
    }
}

/// The unit standing on `day` that continues `from` through single successors (a
/// renamed ward renamed again); `None` at a split, an end or a chain too long to be real.
fn roll_forward(units: &[KnownUnit], from: &KnownUnit, day: Date) -> Option<i64> {
    let mut at = from;
    for _ in 0..16 {
        let [next] = at.successors.as_slice() else {
            return None;
        };
        at = units.iter().find(|u| u.id == *next)?;
        if valid_on(at.valid_from, at.valid_to, day) {
            return Some(at.id);
        }
    }
    None
}

/// Resolves text to a unit valid on `day`. When the text names units valid on the day,
/// those count (a code reused since names, on an old day, the unit that held it then);
/// otherwise a retired unit rolls forward along single successors to the one standing
/// on the day.
pub fn find_unit(units: &[KnownUnit], text: &str, day: Date) -> Named {
    let text = text.trim();
    if text.is_empty() {
        return Named::Unknown;
    }
    let folded = canon(text);
    if let Some(kind) = group_phrase(&fold(text)) {
        return Named::AllOf(kind);
    }
    let by_code: Vec<&KnownUnit> = units
        .iter()
        .filter(|u| u.code.eq_ignore_ascii_case(text))
        .collect();
    let candidates: Vec<&KnownUnit> = if by_code.is_empty() {
        let core = core_name(&folded);
        let exact: Vec<&KnownUnit> = units
            .iter()
            .filter(|u| {
                canon(&u.name) == folded
                    || u.short_name.as_deref().is_some_and(|s| canon(s) == folded)
            })
            .collect();
        if !exact.is_empty() {
            exact
        } else if core.is_empty() {
            Vec::new()
        } else {
            units
                .iter()
                .filter(|u| {
                    core_name(&canon(&u.name)) == core
                        || u.short_name
                            .as_deref()
                            .is_some_and(|s| core_name(&canon(s)) == core)
                })
                .collect()
        }
    } else {
        by_code
    };
    // Prefer what is valid on the day; else roll a retired unit forward to its successor.
    let stands = |u: &KnownUnit| valid_on(u.valid_from, u.valid_to, day);
    let mut ids: Vec<i64> = candidates
        .iter()
        .filter(|u| stands(u))
        .map(|u| u.id)
        .collect();
    if ids.is_empty() {
        for u in &candidates {
            if let Some(id) = roll_forward(units, u, day)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
    }
    // A district and a commune may share a proper name; a document means the larger one.
    if ids.len() > 1 {
        let rank = |id: &i64| {
            units
                .iter()
                .find(|u| u.id == *id)
                .map_or(9, |u| match u.kind {
                    UnitKind::Province => 0,
                    UnitKind::Department | UnitKind::Other => 1,
                    UnitKind::District => 2,
                    UnitKind::Commune => 3,
                    UnitKind::Ministry => 4,
                })
        };
        let best = ids.iter().map(rank).min().unwrap_or(9);
        ids.retain(|id| rank(id) == best);
    }
    match ids.as_slice() {
        [] => Named::Unknown,
        [one] => Named::Unit(*one),
        _ => Named::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn unit(id: i64, code: &str, name: &str, short: Option<&str>, kind: UnitKind) -> KnownUnit {
        KnownUnit {
            id,
            code: code.into(),
            name: name.into(),
            short_name: short.map(Into::into),
            kind,
            valid_from: None,
            valid_to: None,
            successors: Vec::new(),
        }
    }

    fn units() -> Vec<KnownUnit> {
        let mut old = unit(
            3,
            "52-STTTT",
            "Sở Thông tin và Truyền thông",
            Some("Sở TT&TT"),
            UnitKind::Department,
        );
        old.valid_to = Some(date!(2025 - 02 - 28));
        old.successors = vec![4];
        vec![
            unit(1, "52", "Tỉnh Bình Định", None, UnitKind::Province),
            unit(2, "542", "Huyện An Lão", None, UnitKind::District),
            old,
            unit(
                4,
                "52-SKHCN2",
                "Sở Khoa học và Công nghệ",
                Some("Sở KH&CN"),
                UnitKind::Department,
            ),
            unit(5, "540", "Thành phố Quy Nhơn", None, UnitKind::District),
            unit(6, "21550", "Phường Nhơn Bình", None, UnitKind::Commune),
            unit(7, "549", "Thị xã An Nhơn", None, UnitKind::District),
            unit(8, "21913", "Xã Nhơn Mỹ", None, UnitKind::Commune),
            unit(
                9,
                "52-VPUB",
                "Văn phòng Ủy ban nhân dân tỉnh",
                Some("VP UBND tỉnh"),
                UnitKind::Department,
            ),
        ]
    }

    #[test]
    fn loose_names_find_their_units() {
        let u = units();
        let day = date!(2025 - 06 - 01);
        for (text, id) in [
            ("542", 2),
            ("UBND huyện An Lão", 2),
            ("Huyện An Lão", 2),
            ("An Lão", 2),
            ("UBND TP Quy Nhơn", 5),
            ("UBND thành phố Quy Nhơn", 5),
            ("TX An Nhơn", 7),
            ("sở kh&cn", 4),
            ("Sở Khoa học và Công nghệ", 4),
            ("phuong nhon binh", 6),
            ("Văn phòng UBND tỉnh", 9),
            ("Sở TT & TT", 4),
        ] {
            assert_eq!(find_unit(&u, text, day), Named::Unit(id), "{text}");
        }
    }

    #[test]
    fn a_merged_department_rolls_forward_to_its_successor() {
        assert_eq!(
            find_unit(&units(), "Sở TT&TT", date!(2025 - 06 - 01)),
            Named::Unit(4)
        );
        assert_eq!(
            find_unit(&units(), "Sở TT&TT", date!(2024 - 06 - 01)),
            Named::Unit(3)
        );
    }

    #[test]
    fn a_reused_code_and_an_old_name_resolve_by_the_day() {
        // 21583: Phường Lê Lợi until 2024, Phường Thị Nại in the first half of 2025, then
        // the code of the new Phường Quy Nhơn.
        let ward = |id, name: &str, from: Option<Date>, to: Option<Date>, next: &[i64]| KnownUnit {
            valid_from: from,
            valid_to: to,
            successors: next.to_vec(),
            ..unit(id, "21583", name, None, UnitKind::Commune)
        };
        let u = [
            ward(1, "Phường Lê Lợi", None, Some(date!(2024 - 12 - 31)), &[2]),
            ward(
                2,
                "Phường Thị Nại",
                Some(date!(2025 - 01 - 01)),
                Some(date!(2025 - 06 - 30)),
                &[3],
            ),
            ward(3, "Phường Quy Nhơn", Some(date!(2025 - 07 - 01)), None, &[]),
        ];
        let (y2024, y2025, y2026) = (
            date!(2024 - 06 - 01),
            date!(2025 - 03 - 01),
            date!(2026 - 03 - 01),
        );
        // A workbook dated 2024 naming the ward, by name or by code: the ward of 2024.
        assert_eq!(find_unit(&u, "Phường Lê Lợi", y2024), Named::Unit(1));
        assert_eq!(find_unit(&u, "21583", y2024), Named::Unit(1));
        assert_eq!(find_unit(&u, "21583", y2025), Named::Unit(2));
        assert_eq!(find_unit(&u, "21583", y2026), Named::Unit(3));
        // The old name on a later day: whoever carries it on then, through both changes.
        assert_eq!(find_unit(&u, "Phường Lê Lợi", y2025), Named::Unit(2));
        assert_eq!(find_unit(&u, "Lê Lợi", y2026), Named::Unit(3));
    }

    #[test]
    fn group_phrases_and_unknowns() {
        let u = units();
        let day = date!(2025 - 06 - 01);
        assert_eq!(
            find_unit(&u, "Các sở, ban, ngành", day),
            Named::AllOf(UnitKind::Department)
        );
        assert_eq!(
            find_unit(&u, "UBND các huyện, thị xã, thành phố", day),
            Named::AllOf(UnitKind::District)
        );
        assert_eq!(
            find_unit(&u, "UBND cấp huyện", day),
            Named::AllOf(UnitKind::District)
        );
        assert_eq!(
            find_unit(&u, "UBND cấp xã", day),
            Named::AllOf(UnitKind::Commune)
        );
        assert_eq!(find_unit(&u, "Viettel Bình Định", day), Named::Unknown);
        assert_eq!(find_unit(&u, "", day), Named::Unknown);
    }
}
