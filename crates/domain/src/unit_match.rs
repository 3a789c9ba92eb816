//! Finding units by the loose names real documents use: `UBND huyện An Lão`,
//! `Sở TT&TT`, `Sở KHCN`, `TP Quy Nhơn`, `Ban Quản lý Khu kinh tế` (for `… tỉnh`),
//! `các sở, ban, ngành`, `UBND cấp huyện, cấp xã`, a GSO code…
//!
//! A document is matched against many units row after row, so every name is folded once,
//! into a [`UnitIndex`]; a lookup is then a few hash probes, whatever the size of the tree.

use std::collections::HashMap;

use time::Date;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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
    /// A phrase for every unit of some kinds, e.g. `UBND cấp huyện, cấp xã`.
    AllOf(Kinds),
    /// Several units carry this name (their ids, for the message that names them).
    Ambiguous(Vec<i64>),
    Unknown,
}

/// Sorts of units a group phrase can name, as a set. District- and commune-level units
/// are told apart by the word their name starts with, so `các phường` is the wards only
/// while `cấp xã` (or `các xã, phường`) is the whole commune level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Kinds(u16);

impl Kinds {
    pub const DEPARTMENTS: Kinds = Kinds(1);
    const HUYEN: Kinds = Kinds(1 << 1);
    const THI_XA: Kinds = Kinds(1 << 2);
    const THANH_PHO: Kinds = Kinds(1 << 3);
    const QUAN: Kinds = Kinds(1 << 4);
    pub const DISTRICTS: Kinds = Kinds(0b1_1110);
    const XA: Kinds = Kinds(1 << 5);
    const PHUONG: Kinds = Kinds(1 << 6);
    const THI_TRAN: Kinds = Kinds(1 << 7);
    const DAC_KHU: Kinds = Kinds(1 << 8);
    pub const COMMUNES: Kinds = Kinds(0b1_1110_0000);
    /// `các địa phương`: the localities of the day, the district level while it stands,
    /// the communes since the two-tier structure.
    pub const LOCALITIES: Kinds = Kinds(1 << 9);

    fn with(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    fn has(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    /// The sort of one unit, from its kind and the word its name starts with.
    fn of(kind: UnitKind, canon_name: &str) -> Kinds {
        let starts = |p: &str| canon_name.starts_with(p);
        match kind {
            UnitKind::Department => Kinds::DEPARTMENTS,
            UnitKind::District if starts("thi xa ") => Kinds::THI_XA,
            UnitKind::District if starts("thanh pho ") => Kinds::THANH_PHO,
            UnitKind::District if starts("quan ") => Kinds::QUAN,
            UnitKind::District => Kinds::HUYEN,
            UnitKind::Commune if starts("phuong ") => Kinds::PHUONG,
            UnitKind::Commune if starts("thi tran ") => Kinds::THI_TRAN,
            UnitKind::Commune if starts("dac khu ") => Kinds::DAC_KHU,
            UnitKind::Commune => Kinds::XA,
            UnitKind::Province | UnitKind::Ministry | UnitKind::Other => Kinds(0),
        }
    }
}

/// Prefixes that documents put before a unit's proper name.
const PREFIXES: [&str; 13] = [
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
    "dac khu ",
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

/// A word lower-cased with its diacritics, the same wherever the tone mark is placed
/// (`Hoà` and `Hòa`): its letters, then its marks in a fixed order.
fn marked(word: &str) -> String {
    let (mut letters, mut marks) = (String::new(), Vec::new());
    for c in word.to_lowercase().nfd() {
        if is_combining_mark(c) {
            marks.push(c);
        } else {
            letters.push(c);
        }
    }
    marks.sort_unstable();
    letters.extend(marks);
    letters
}

/// The proper name without administrative prefixes: `ubnd huyen an lao` → `an lao`.
fn core_name(canon: &str) -> String {
    let mut s = canon.trim().trim_end_matches(['.', ',', ';']);
    loop {
        let before = s;
        for p in PREFIXES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim();
            }
        }
        if s == before {
            return s.to_string();
        }
    }
}

/// The name without the province it belongs to: `ban quan ly khu kinh te tinh` and
/// `… tinh gia lai` → `ban quan ly khu kinh te`. Documents add or drop that tail as they
/// please; it never tells two of the province's own units apart. `None` when nothing
/// would be left (`UBND tỉnh` is the province, found by its own name).
fn bare(name: &str, tails: &[String]) -> Option<String> {
    let rest = tails
        .iter()
        .find_map(|t| name.strip_suffix(t.as_str()))
        .map(str::trim_end)?;
    (!rest.is_empty()).then(|| rest.to_string())
}

/// The name's words without the joins documents vary: `giao duc - dao tao`,
/// `giao duc, dao tao` and `giao duc va dao tao` all give `giao duc dao tao`.
fn plain(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || matches!(c, '&' | '-' | '–' | ',' | '/'))
        .filter(|t| !t.is_empty() && *t != "va")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Initials of a name, for abbreviations: `so khoa hoc va cong nghe` and `so kh&cn`
/// both give `skhcn`, `so ld-tb&xh` gives `sldtbxh`. A Vietnamese syllable always has a
/// vowel, so a token without one is an abbreviation already and counts whole; `và`
/// (`&` in abbreviations) counts nothing.
fn initials(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || matches!(c, '&' | '-' | '.' | ',' | '/'))
        .filter(|t| !t.is_empty() && *t != "va")
        .map(|t| {
            if is_abbreviation(t) {
                t.to_string()
            } else {
                t.chars().take(1).collect()
            }
        })
        .collect()
}

fn is_abbreviation(token: &str) -> bool {
    token.chars().all(|c| c.is_ascii_alphabetic())
        && !token.contains(['a', 'e', 'i', 'o', 'u', 'y'])
}

/// Does the text use an abbreviation (`KHCN`, `KH&CN`, `BQL KKT`)? Only then are names
/// compared by their initials: a name written out in full is compared as written.
fn abbreviated(canon: &str) -> bool {
    canon
        .split(|c: char| c.is_whitespace() || matches!(c, '&' | '-' | '.' | ',' | '/'))
        .any(|t| t.len() >= 2 && is_abbreviation(t))
}

/// Splits `Huyện Vân Canh (nay là Xã Vân Canh)` into the name and what it says in
/// brackets at the end.
fn trailing_brackets(text: &str) -> Option<(&str, &str)> {
    let inner = text.trim_end().strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let base = inner[..open].trim();
    (!base.is_empty()).then(|| (base, inner[open + 1..].trim()))
}

/// The unit a bracket says carries on now: `nay là X`, `Now: X` (as the task export
/// writes it).
fn now_named(note: &str) -> Option<&str> {
    ["nay la", "now"].iter().find_map(|p| {
        // Compared folded, cut on a character boundary of the text as written.
        let cut = note
            .char_indices()
            .nth(p.len())
            .map_or(note.len(), |(i, _)| i);
        (fold(&note[..cut]) == *p).then(|| note[cut..].trim_start_matches([':', ' ']).trim())
    })
}

/// Reads a group phrase: `các sở, ban, ngành`, `UBND cấp huyện, cấp xã`, `UBND các xã,
/// phường`, `xã, phường`, `cấp xã` — every word a level or a filler, in any order. One
/// level word alone (`xã`, `Sở`) is a unit's name cut short, not a group, unless
/// `các`/`cấp` says "all of".
fn group_phrase(canon: &str) -> Option<Kinds> {
    // Longest first, so `thi xa` is not read as `thi` + `xa`.
    const TERMS: [(&str, Kinds); 15] = [
        ("co quan chuyen mon", Kinds::DEPARTMENTS),
        ("so nganh", Kinds::DEPARTMENTS),
        ("dia phuong", Kinds::LOCALITIES),
        ("thi xa", Kinds::THI_XA),
        ("thanh pho", Kinds::THANH_PHO),
        ("thi tran", Kinds::THI_TRAN),
        ("dac khu", Kinds::DAC_KHU),
        ("huyen", Kinds::DISTRICTS),
        ("quan", Kinds::QUAN),
        ("phuong", Kinds::PHUONG),
        ("xa", Kinds::COMMUNES),
        ("so", Kinds::DEPARTMENTS),
        ("ban", Kinds::DEPARTMENTS),
        ("nganh", Kinds::DEPARTMENTS),
        ("tp", Kinds::THANH_PHO),
    ];
    const FILLERS: [&str; 4] = ["ubnd", "cac", "cap", "va"];
    let cleaned = canon.replace([',', '.', ';', '/', '&'], " ");
    // `… của tỉnh`, `… thuộc tỉnh` at the end only: `UBND tỉnh, các sở` is no group.
    let cleaned = cleaned.trim_end();
    let cleaned = [" truc thuoc tinh", " thuoc tinh", " cua tinh", " tinh"]
        .iter()
        .find_map(|t| cleaned.strip_suffix(t))
        .unwrap_or(cleaned);
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let (mut kinds, mut terms, mut all_of) = (Kinds::default(), 0, false);
    let mut i = 0;
    'words: while i < words.len() {
        for (term, k) in TERMS {
            let n = term.split(' ').count();
            if words.get(i..i + n).is_some_and(|w| w.join(" ") == term) {
                kinds = kinds.with(k);
                terms += 1;
                i += n;
                continue 'words;
            }
        }
        match words[i] {
            "cac" | "cap" => all_of = true,
            w if FILLERS.contains(&w) => {}
            _ => return None,
        }
        i += 1;
    }
    (terms > 0 && (all_of || terms >= 2)).then_some(kinds)
}

/// Every unit, folded once for matching.
pub struct UnitIndex<'a> {
    units: &'a [KnownUnit],
    by_id: HashMap<i64, usize>,
    by_code: HashMap<String, Vec<usize>>,
    by_full: HashMap<String, Vec<usize>>,
    by_core: HashMap<String, Vec<usize>>,
    by_bare: HashMap<String, Vec<usize>>,
    by_plain: HashMap<String, Vec<usize>>,
    by_initials: HashMap<String, Vec<usize>>,
    by_core_initials: HashMap<String, Vec<usize>>,
    sorts: Vec<Kinds>,
    /// ` tinh gia lai`, ` tinh`, ` thanh pho`…: the tails [`bare`] takes off.
    tails: Vec<String>,
}

fn push(map: &mut HashMap<String, Vec<usize>>, key: String, at: usize) {
    if key.is_empty() {
        return;
    }
    let list = map.entry(key).or_default();
    if !list.contains(&at) {
        list.push(at);
    }
}

impl<'a> UnitIndex<'a> {
    pub fn new(units: &'a [KnownUnit]) -> UnitIndex<'a> {
        let mut tails: Vec<String> = units
            .iter()
            .filter(|u| u.kind == UnitKind::Province)
            .flat_map(|u| {
                let c = canon(&u.name);
                let proper = c
                    .strip_prefix("tinh ")
                    .or_else(|| c.strip_prefix("thanh pho "))
                    .unwrap_or(&c)
                    .to_string();
                // `Đài PTTH Bình Định`, `Báo Gia Lai`: the province's name alone too.
                [
                    format!(" tinh {proper}"),
                    format!(" thanh pho {proper}"),
                    format!(" {proper}"),
                ]
            })
            .collect();
        // The longest first, so `… tinh gia lai` loses all of it, not only ` … lai`.
        tails.sort_by_key(|t| std::cmp::Reverse(t.len()));
        tails.dedup();
        tails.extend([" tinh".to_string(), " thanh pho".to_string()]);
        let mut index = UnitIndex {
            units,
            by_id: HashMap::with_capacity(units.len()),
            by_code: HashMap::new(),
            by_full: HashMap::new(),
            by_core: HashMap::new(),
            by_bare: HashMap::new(),
            by_plain: HashMap::new(),
            by_initials: HashMap::new(),
            by_core_initials: HashMap::new(),
            sorts: Vec::with_capacity(units.len()),
            tails,
        };
        for (at, u) in units.iter().enumerate() {
            index.by_id.insert(u.id, at);
            push(&mut index.by_code, u.code.to_lowercase(), at);
            let name = canon(&u.name);
            index.sorts.push(Kinds::of(u.kind, &name));
            // Localities are not written by initials; for the rest, both the name and
            // the short name give initials (`Sở VH-TT&DL`, `Sở Văn hóa, Thể thao và Du lịch`).
            let by_initials = !matches!(u.kind, UnitKind::District | UnitKind::Commune);
            for full in std::iter::once(name).chain(u.short_name.as_deref().map(canon)) {
                let core = core_name(&full);
                let b = bare(&core, &index.tails);
                push(
                    &mut index.by_plain,
                    plain(b.as_deref().unwrap_or(&core)),
                    at,
                );
                if let Some(b) = b {
                    push(&mut index.by_bare, b, at);
                }
                push(&mut index.by_bare, core.clone(), at);
                if by_initials {
                    let whole = bare(&full, &index.tails).unwrap_or_else(|| full.clone());
                    let part = bare(&core, &index.tails).unwrap_or_else(|| core.clone());
                    push(&mut index.by_initials, initials(&whole), at);
                    push(&mut index.by_core_initials, initials(&part), at);
                }
                push(&mut index.by_core, core, at);
                push(&mut index.by_full, full, at);
            }
            // `UBND tỉnh` names the province.
            if u.kind == UnitKind::Province {
                push(&mut index.by_core, "tinh".into(), at);
            }
        }
        index
    }

    pub fn unit(&self, id: i64) -> Option<&'a KnownUnit> {
        self.by_id.get(&id).map(|at| &self.units[*at])
    }

    /// Is the unit standing on `day`?
    pub fn stands(&self, id: i64, day: Date) -> bool {
        self.unit(id)
            .is_some_and(|u| valid_on(u.valid_from, u.valid_to, day))
    }

    /// The unit standing on `day` that continues `id` through single successors (a
    /// renamed ward renamed again); itself when it stands; `None` at a split, an end or a
    /// chain too long to be real.
    pub fn standing(&self, id: i64, day: Date) -> Option<i64> {
        let mut at = self.unit(id)?;
        for _ in 0..16 {
            if valid_on(at.valid_from, at.valid_to, day) {
                return Some(at.id);
            }
            let [next] = at.successors.as_slice() else {
                return None;
            };
            at = self.unit(*next)?;
        }
        None
    }

    /// The units a group phrase stands for on `day`, in the tree's order.
    pub fn members(&self, kinds: Kinds, day: Date) -> Vec<i64> {
        let standing = |at: usize| {
            let u = &self.units[at];
            valid_on(u.valid_from, u.valid_to, day)
        };
        let mut wanted = kinds;
        if kinds.has(Kinds::LOCALITIES) {
            let districts_stand = (0..self.units.len())
                .any(|at| self.sorts[at].has(Kinds::DISTRICTS) && standing(at));
            wanted = wanted.with(if districts_stand {
                Kinds::DISTRICTS
            } else {
                Kinds::COMMUNES
            });
        }
        (0..self.units.len())
            .filter(|at| self.sorts[*at].has(wanted) && standing(*at))
            .map(|at| self.units[at].id)
            .collect()
    }

    /// Resolves text to a unit valid on `day`. When the text names units valid on the
    /// day, those count (a code reused since names, on an old day, the unit that held it
    /// then); otherwise a retired unit rolls forward along single successors to the one
    /// standing on the day. Names are tried from the strictest reading to the loosest
    /// (code, name as written, without prefixes, without the province's name, by
    /// initials); the first reading that finds anything decides, and when it finds
    /// several units the answer is that it is ambiguous, never a pick.
    pub fn find(&self, text: &str, day: Date) -> Named {
        let text = text.trim();
        match self.find_as_written(text, day) {
            Named::Unknown => {}
            named => return named,
        }
        // `Huyện Vân Canh (nay là Xã Vân Canh)`, `Sở KH&CN (chủ trì)`: the name, else
        // the unit the bracket says carries on.
        let Some((base, note)) = trailing_brackets(text) else {
            return Named::Unknown;
        };
        match self.find_as_written(base, day) {
            Named::Unknown => {
                now_named(note).map_or(Named::Unknown, |now| self.find_as_written(now, day))
            }
            named => named,
        }
    }

    fn find_as_written(&self, text: &str, day: Date) -> Named {
        if text.is_empty() {
            return Named::Unknown;
        }
        let full = canon(text);
        if let Some(kinds) = group_phrase(&full) {
            return Named::AllOf(kinds);
        }
        let core = core_name(&full);
        let core_bare = bare(&core, &self.tails).unwrap_or_else(|| core.clone());
        let mut readings: Vec<(&HashMap<String, Vec<usize>>, String)> = vec![
            (&self.by_code, text.to_lowercase()),
            (&self.by_full, full.clone()),
            (&self.by_core, core),
            (&self.by_bare, core_bare.clone()),
            (&self.by_plain, plain(&core_bare)),
        ];
        if abbreviated(&full) {
            let whole = bare(&full, &self.tails).unwrap_or_else(|| full.clone());
            // Initials shorter than three letters say too little to name a unit.
            readings.extend(
                [
                    (&self.by_initials, initials(&whole)),
                    (&self.by_core_initials, initials(&core_bare)),
                ]
                .into_iter()
                .filter(|(_, key)| key.len() >= 3),
            );
        }
        for (map, key) in readings {
            if let Some(found) = map.get(&key)
                && let Some(named) = self.resolve(found, day)
            {
                return match named {
                    Named::Ambiguous(ids) => self.by_marks(text, ids),
                    named => named,
                };
            }
        }
        Named::Unknown
    }

    /// Names are matched without diacritics (documents drop them), so `Xã An Nghĩa` and
    /// `Xã Ân Nghĩa` fold alike. When the text carries its marks, they tell such units
    /// apart: the units whose proper name (as many last words as the text's own proper
    /// name has) carries the same marks are kept. Without marks, or when they do not
    /// decide, it stays ambiguous, never a pick.
    fn by_marks(&self, text: &str, ids: Vec<i64>) -> Named {
        let words = core_name(&canon(text)).split_whitespace().count();
        let tail = |name: &str| {
            let all: Vec<String> = name.split_whitespace().map(marked).collect();
            all[all.len().saturating_sub(words)..].join(" ")
        };
        let wanted = tail(text);
        let kept: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| {
                self.unit(*id).is_some_and(|u| {
                    tail(&u.name) == wanted
                        || u.short_name.as_deref().is_some_and(|s| tail(s) == wanted)
                })
            })
            .collect();
        match kept.as_slice() {
            [one] => Named::Unit(*one),
            [] => Named::Ambiguous(ids),
            _ => Named::Ambiguous(kept),
        }
    }

    /// The units a reading found, as they stand on `day`; `None` when none does.
    fn resolve(&self, found: &[usize], day: Date) -> Option<Named> {
        let units = found.iter().map(|at| &self.units[*at]);
        let mut ids: Vec<i64> = units
            .clone()
            .filter(|u| valid_on(u.valid_from, u.valid_to, day))
            .map(|u| u.id)
            .collect();
        if ids.is_empty() {
            for u in units {
                if let Some(id) = self.standing(u.id, day)
                    && !ids.contains(&id)
                {
                    ids.push(id);
                }
            }
        }
        // A district and a commune may share a proper name; a document means the larger one.
        if ids.len() > 1 {
            let rank = |id: &i64| {
                self.unit(*id).map_or(9, |u| match u.kind {
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
            [] => None,
            [one] => Some(Named::Unit(*one)),
            _ => Some(Named::Ambiguous(ids)),
        }
    }
}

/// Does the text call itself one of the province's own units (a department, a People's
/// Committee, a district, commune or ward)? Such a name that matches no unit is a typo
/// or a unit missing from the tree, to be fixed; any other name (`Cục Thuế tỉnh`,
/// `Kho bạc Nhà nước`, `Viettel Gia Lai`) is a body outside the province's tree.
pub fn claims_province_unit(text: &str) -> bool {
    let c = canon(text);
    [
        "so ",
        "ubnd",
        "huyen ",
        "thi xa ",
        "thanh pho ",
        "tp ",
        "tp. ",
        "tx ",
        "tx. ",
        "xa ",
        "phuong ",
        "thi tran ",
        "dac khu ",
    ]
    .iter()
    .any(|p| c.starts_with(p))
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
            unit(
                10,
                "52-BQLKKT",
                "Ban Quản lý Khu kinh tế tỉnh",
                Some("BQL KKT"),
                UnitKind::Other,
            ),
            unit(
                11,
                "52-SLDTBXH",
                "Sở Lao động - Thương binh và Xã hội",
                Some("Sở LĐ-TB&XH"),
                UnitKind::Department,
            ),
            unit(
                12,
                "52-SVHTTDL",
                "Sở Văn hóa, Thể thao và Du lịch",
                Some("Sở VH-TT&DL"),
                UnitKind::Department,
            ),
            unit(13, "52-CA", "Công an tỉnh", None, UnitKind::Other),
        ]
    }

    fn find_unit(units: &[KnownUnit], text: &str, day: Date) -> Named {
        UnitIndex::new(units).find(text, day)
    }

    #[test]
    fn loose_names_find_their_units() {
        let u = units();
        let day = date!(2025 - 06 - 01);
        for (text, id) in [
            ("542", 2),
            ("UBND huyện An Lão", 2),
            ("Ủy ban nhân dân huyện An Lão", 2),
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
            ("UBND tỉnh", 1),
            ("UBND tỉnh Bình Định", 1),
        ] {
            assert_eq!(find_unit(&u, text, day), Named::Unit(id), "{text}");
        }
    }

    #[test]
    fn the_provinces_name_abbreviations_and_brackets_do_not_hide_a_unit() {
        let u = units();
        let day = date!(2025 - 06 - 01);
        for (text, id) in [
            // With or without the province at the end.
            ("Ban Quản lý Khu kinh tế", 10),
            ("Ban Quản lý Khu kinh tế tỉnh Bình Định", 10),
            ("Công an tỉnh Bình Định", 13),
            ("Sở Khoa học và Công nghệ tỉnh Bình Định", 4),
            ("Sở Khoa học và Công nghệ tỉnh", 4),
            ("Sở Văn hóa, Thể thao và Du lịch tỉnh", 12),
            // Abbreviations, with or without `&`, `-` and `Sở`.
            ("Sở KHCN", 4),
            ("SKHCN", 4),
            ("KH&CN", 4),
            ("Sở KH và CN", 4),
            ("Sở LĐTBXH", 11),
            ("Sở LĐ-TB và XH", 11),
            ("Sở VHTTDL", 12),
            ("BQL Khu kinh tế tỉnh", 10),
            ("BQLKKT", 10),
            // A bracket at the end: the name before it, else the unit it says carries on.
            ("Sở KH&CN (chủ trì)", 4),
            // The joins written another way, the province's name without `tỉnh`.
            ("Sở Khoa học - Công nghệ", 4),
            ("Sở Khoa học, Công nghệ tỉnh", 4),
            ("Sở Lao động, Thương binh, Xã hội", 11),
            ("Công an Bình Định", 13),
            ("Sở Ngoại vụ (nay là Sở Khoa học và Công nghệ)", 4),
            ("Huyện An Lão (Nay là: Xã Nhơn Mỹ)", 2),
        ] {
            assert_eq!(find_unit(&u, text, day), Named::Unit(id), "{text}");
        }
        // Initials never stand for a locality, and two letters say too little.
        assert_eq!(find_unit(&u, "XNM", day), Named::Unknown);
        assert_eq!(find_unit(&u, "CN", day), Named::Unknown);
    }

    #[test]
    fn diacritics_tell_apart_names_that_fold_alike() {
        let mut u = units();
        u.push(unit(30, "21634", "Xã An Nghĩa", None, UnitKind::Commune));
        u.push(unit(31, "21727", "Xã Ân Nghĩa", None, UnitKind::Commune));
        u.push(unit(32, "21700", "Xã Hòa Hội", None, UnitKind::Commune));
        u.push(unit(33, "21701", "Xã Hoà Hợi", None, UnitKind::Commune));
        let day = date!(2025 - 06 - 01);
        for (text, id) in [
            ("Xã An Nghĩa", 30),
            ("UBND xã Ân Nghĩa", 31),
            ("Ân Nghĩa", 31),
            // The tone mark placed the old way still names the same commune.
            ("Xã Hoà Hội", 32),
            ("xã hòa hợi", 33),
        ] {
            assert_eq!(find_unit(&u, text, day), Named::Unit(id), "{text}");
        }
        assert_eq!(
            find_unit(&u, "Xa An Nghia", day),
            Named::Ambiguous(vec![30, 31]),
            "without marks nothing tells them apart"
        );
    }

    #[test]
    fn two_units_one_name_is_ambiguous_and_names_both() {
        let mut u = units();
        // A second board whose initials are the same as the economic zone's.
        u.push(unit(
            14,
            "52-BQLKKT2",
            "Ban Quản lý Khu kinh tế tỉnh",
            None,
            UnitKind::Other,
        ));
        let day = date!(2025 - 06 - 01);
        assert_eq!(
            find_unit(&u, "Ban Quản lý Khu kinh tế", day),
            Named::Ambiguous(vec![10, 14])
        );
        assert_eq!(
            find_unit(&u, "BQL KKT tỉnh", day),
            Named::Unit(10),
            "the short name"
        );
        assert_eq!(find_unit(&u, "BQLKKT", day), Named::Ambiguous(vec![10, 14]));
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
        let u = units();
        let index = UnitIndex::new(&u);
        assert_eq!(index.standing(3, date!(2025 - 06 - 01)), Some(4));
        assert_eq!(index.standing(3, date!(2024 - 06 - 01)), Some(3));
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
        for (text, kinds) in [
            ("Các sở, ban, ngành", Kinds::DEPARTMENTS),
            ("các sở, ban, ngành tỉnh", Kinds::DEPARTMENTS),
            ("Sở, ban, ngành", Kinds::DEPARTMENTS),
            ("UBND các huyện, thị xã, thành phố", Kinds::DISTRICTS),
            ("UBND cấp huyện", Kinds::DISTRICTS),
            ("UBND cấp xã", Kinds::COMMUNES),
            ("cấp xã", Kinds::COMMUNES),
            (
                "UBND cấp huyện, cấp xã",
                Kinds::DISTRICTS.with(Kinds::COMMUNES),
            ),
            (
                "UBND cấp xã, cấp huyện",
                Kinds::DISTRICTS.with(Kinds::COMMUNES),
            ),
            ("UBND các xã, phường", Kinds::COMMUNES),
            ("UBND các phường, xã", Kinds::COMMUNES),
            ("UBND xã, phường, thị trấn", Kinds::COMMUNES),
            ("các phường", Kinds::PHUONG),
            ("Các địa phương", Kinds::LOCALITIES),
        ] {
            assert_eq!(find_unit(&u, text, day), Named::AllOf(kinds), "{text}");
        }
        for text in [
            "Viettel Bình Định",
            "",
            "Xã",
            "Sở",
            "UBND xã",
            "Cục Thuế tỉnh",
            "UBND tỉnh, các sở",
        ] {
            assert_eq!(find_unit(&u, text, day), Named::Unknown, "{text}");
        }
    }

    #[test]
    fn a_group_phrase_means_the_units_standing_on_the_day() {
        let mut u = units();
        // The two-tier structure: districts end on 30 June 2025, a new ward starts.
        for x in u.iter_mut().filter(|x| x.kind == UnitKind::District) {
            x.valid_to = Some(date!(2025 - 06 - 30));
        }
        let mut new_ward = unit(20, "21583", "Phường Quy Nhơn", None, UnitKind::Commune);
        new_ward.valid_from = Some(date!(2025 - 07 - 01));
        u.push(new_ward);
        let index = UnitIndex::new(&u);
        let both = Kinds::DISTRICTS.with(Kinds::COMMUNES);
        let (before, after) = (date!(2025 - 06 - 01), date!(2026 - 03 - 01));
        assert_eq!(index.members(both, before), vec![2, 5, 6, 7, 8]);
        assert_eq!(
            index.members(both, after),
            vec![6, 8, 20],
            "communes and wards"
        );
        assert_eq!(index.members(Kinds::PHUONG, after), vec![6, 20]);
        assert_eq!(index.members(Kinds::LOCALITIES, before), vec![2, 5, 7]);
        assert_eq!(index.members(Kinds::LOCALITIES, after), vec![6, 8, 20]);
        assert_eq!(index.members(Kinds::DISTRICTS, after), Vec::<i64>::new());
        assert_eq!(index.members(Kinds::DEPARTMENTS, after), vec![4, 9, 11, 12]);
    }

    #[test]
    fn names_that_claim_to_be_the_provinces_own() {
        for text in [
            "Sở Không Có",
            "UBND xã Không Có",
            "Huyện Không Có",
            "Phường X",
        ] {
            assert!(claims_province_unit(text), "{text}");
        }
        for text in ["Cục Thuế tỉnh", "Kho bạc Nhà nước tỉnh", "Viettel Gia Lai"] {
            assert!(!claims_province_unit(text), "{text}");
        }
    }
}
