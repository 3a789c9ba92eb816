//! Who issues a unit's documents, as Decree 30/2020/NĐ-CP lays them out: the governing
//! body (cơ quan chủ quản) over the issuing agency, the agency's symbol in the number
//! (`Số: …/BC-SKHCN`), the place name of the date line, the signer's title and name, and
//! the recipients (`Nơi nhận`).
//!
//! Every unit gets a sensible block from its kind, its name and where it sits on the
//! document's date ([`derive`]); a unit may set any part of it itself ([`IssuerSettings`]).
//! The rules followed for the defaults:
//! - A People's Committee (province, district, commune or ward) heads its documents with
//!   its own name alone, in two lines (`ỦY BAN NHÂN DÂN` / `PHƯỜNG QUY NHƠN`), numbers them
//!   `…/BC-UBND` and signs `TM. ỦY BAN NHÂN DÂN` / `KT. CHỦ TỊCH` / `PHÓ CHỦ TỊCH`.
//! - A department or another body writes its governing body above its own name (`UBND
//!   TỈNH GIA LAI` / `SỞ KHOA HỌC VÀ CÔNG NGHỆ`; Decree 30 allows the abbreviation "UBND"
//!   in the governing body only), numbers with the initials of its name (`SKHCN`) and is
//!   signed for its head by a deputy (`KT. GIÁM ĐỐC` / `PHÓ GIÁM ĐỐC`).
//! - The place is the proper name of the locality where the agency sits: the province's
//!   for the province and its departments (`Gia Lai`), the district's or the commune's own
//!   for theirs (`Quy Nhơn`), with the word for the level kept when the name is a number
//!   (`Phường 12`).
//! - Recipients follow the reporting line of the day: since 1 March 2025 digital
//!   transformation is led by the Ministry and the provincial Department of Science and
//!   Technology, since 1 July 2025 there are no districts.

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

use crate::text::{fold, nfc};
use crate::unit::UnitKind;
use crate::validation::{FieldError, Invalid, optional_text};

/// The day the information-and-communications bodies merged into science and technology.
const SCIENCE_LEADS_FROM: Date = date!(2025 - 03 - 01);
/// The day the district level ended and provinces had two tiers.
const TWO_TIERS_FROM: Date = date!(2025 - 07 - 01);

/// A unit as the issuer block needs it.
#[derive(Debug, Clone, Copy)]
pub struct UnitInfo<'a> {
    pub name: &'a str,
    pub kind: UnitKind,
}

/// Where the issuing unit stands on the document's date.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub unit: UnitInfo<'a>,
    /// The unit directly above it, if any.
    pub parent: Option<UnitInfo<'a>>,
    /// The nearest province or district above it (its locality), if any.
    pub locality: Option<UnitInfo<'a>>,
    /// The document's date.
    pub day: Date,
}

/// What a unit has set of its own block; `None` keeps the default. An empty governing
/// body means "print none".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuerSettings {
    /// `UBND TỈNH GIA LAI`; `""` for no governing body line.
    pub governing_body: Option<String>,
    /// The agency's name as printed, one line or more (`ỦY BAN NHÂN DÂN\nPHƯỜNG QUY NHƠN`).
    pub agency: Option<String>,
    /// The symbol after `BC-` in the number (`SKHCN`).
    pub abbreviation: Option<String>,
    /// The place name of the date line (`Gia Lai`).
    pub place: Option<String>,
    /// The signer's title, a line each (`KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC`).
    pub signer_title: Option<String>,
    /// The signer's full name, printed under the signature.
    pub signer_name: Option<String>,
    /// `Nơi nhận`, a recipient a line.
    pub recipients: Option<String>,
}

impl IssuerSettings {
    pub fn is_empty(&self) -> bool {
        *self == IssuerSettings::default()
    }
}

/// The issuer block of a document, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuerBlock {
    /// Upper case; none for a People's Committee.
    pub governing_body: Option<String>,
    /// Upper case, a line each.
    pub agency: Vec<String>,
    /// `SKHCN`, `UBND`.
    pub symbol: String,
    /// `Gia Lai`.
    pub place: String,
    /// Upper case, a line each.
    pub signer_title: Vec<String>,
    pub signer_name: Option<String>,
    /// `- UBND tỉnh (b/c);` … `- Lưu: VT.`
    pub recipients: Vec<String>,
}

/// Longest field values a unit may set, in characters.
pub const MAX_LINE: usize = 120;
pub const MAX_ABBREVIATION: usize = 20;
pub const MAX_RECIPIENTS: usize = 20;
pub const MAX_TITLE_LINES: usize = 4;

fn is_people_committee(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Province | UnitKind::District | UnitKind::Commune
    )
}

/// How a document names its issuer in a sentence: a locality speaks through its People's
/// Committee (`Ủy ban nhân dân tỉnh Gia Lai thông báo…`), an agency by its name.
pub fn issuer_in_text(kind: UnitKind, name: &str) -> String {
    if !is_people_committee(kind) {
        return name.to_string();
    }
    let mut chars = name.chars();
    let lowered: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("Ủy ban nhân dân {lowered}")
}

/// Vietnamese upper case (`ỦY BAN NHÂN DÂN PHƯỜNG QUY NHƠN`).
fn upper(s: &str) -> String {
    nfc(s).to_uppercase()
}

/// The first word(s) naming the level of a locality (`Tỉnh`, `Thành phố`, `Phường` …).
const LEVEL_WORDS: [&str; 9] = [
    "Thành phố ",
    "Tỉnh ",
    "Thị xã ",
    "Huyện ",
    "Quận ",
    "Thị trấn ",
    "Phường ",
    "Xã ",
    "Đặc khu ",
];

/// The proper name of a locality for the date line (`Tỉnh Gia Lai` → `Gia Lai`,
/// `Phường Quy Nhơn` → `Quy Nhơn`, but `Phường 12` stays).
pub fn place_name(locality: &str) -> String {
    let name = nfc(locality.trim());
    for word in LEVEL_WORDS {
        let lower = word.to_lowercase();
        if let Some(rest) = name.strip_prefix(word).or(name.strip_prefix(&lower)) {
            if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                return name;
            }
            return rest.trim().to_string();
        }
    }
    name
}

/// A name without its trailing locality (`Sở Tài chính tỉnh Gia Lai` → `Sở Tài chính`,
/// `Thanh tra tỉnh` → `Thanh tra`), for the symbol.
fn without_locality(name: &str) -> &str {
    for marker in [" tỉnh", " thành phố", " huyện", " thị xã"] {
        if let Some(i) = name.find(marker) {
            return &name[..i];
        }
    }
    name
}

/// The symbol of a body for document numbers: the initials of its name, without its
/// locality and without "và" (`Sở Khoa học và Công nghệ` → `SKHCN`); `Đ` stays `Đ`.
pub fn symbol_of(name: &str) -> String {
    let name = nfc(without_locality(name));
    name.split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| !w.is_empty() && fold(w) != "va")
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .map(|c| {
            if c == 'Đ' {
                c
            } else {
                fold(&c.to_string()).chars().next().unwrap_or(c)
            }
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The title of a body's head, from the first words of its name.
fn head_title(name: &str) -> &'static str {
    let f = fold(name);
    let starts = |p: &str| f.starts_with(p);
    if starts("van phong") {
        "CHÁNH VĂN PHÒNG"
    } else if starts("thanh tra") {
        "CHÁNH THANH TRA"
    } else if starts("ban ") {
        "TRƯỞNG BAN"
    } else if starts("bao ") {
        "TỔNG BIÊN TẬP"
    } else if starts("truong ") {
        "HIỆU TRƯỞNG"
    } else if starts("bo chi huy") {
        "CHỈ HUY TRƯỞNG"
    } else if starts("bo ") {
        "BỘ TRƯỞNG"
    } else if starts("chi cuc") {
        "CHI CỤC TRƯỞNG"
    } else if starts("cuc ") {
        "CỤC TRƯỞNG"
    } else if starts("so ")
        || starts("trung tam")
        || starts("dai ")
        || starts("cong an")
        || starts("benh vien")
        || starts("kho bac")
    {
        "GIÁM ĐỐC"
    } else {
        "THỦ TRƯỞNG"
    }
}

/// How the unit's level is written inside a sentence (`xã`, `phường`, `huyện` …).
fn level_word(name: &str) -> String {
    let n = nfc(name.trim());
    LEVEL_WORDS
        .iter()
        .find(|w| n.starts_with(**w) || n.starts_with(&w.to_lowercase()))
        .map(|w| w.trim().to_lowercase())
        .unwrap_or_default()
}

/// The name of a locality inside a sentence (`Thành phố Quy Nhơn` → `thành phố Quy Nhơn`).
fn in_sentence(name: &str) -> String {
    let n = nfc(name.trim());
    let level = level_word(&n);
    if level.is_empty() {
        return n;
    }
    format!("{level}{}", &n[level.len()..])
}

/// The department leading digital transformation on a day.
fn lead_department(day: Date) -> &'static str {
    if day < SCIENCE_LEADS_FROM {
        "Sở Thông tin và Truyền thông"
    } else {
        "Sở Khoa học và Công nghệ"
    }
}

fn lead_ministry(day: Date) -> &'static str {
    if day < SCIENCE_LEADS_FROM {
        "Bộ Thông tin và Truyền thông"
    } else {
        "Bộ Khoa học và Công nghệ"
    }
}

fn steering_committee(day: Date) -> &'static str {
    if day < SCIENCE_LEADS_FROM {
        "Ban Chỉ đạo chuyển đổi số tỉnh"
    } else {
        "Ban Chỉ đạo phát triển KH, CN, ĐMST và CĐS tỉnh"
    }
}

fn default_recipients(s: &Standing) -> Vec<String> {
    let day = s.day;
    let lead = lead_department(day);
    let mut lines: Vec<String> = match s.unit.kind {
        UnitKind::Province => vec![
            format!("{} (b/c);", lead_ministry(day)),
            "Thường trực Tỉnh ủy (b/c);".into(),
            "Thường trực HĐND tỉnh (b/c);".into(),
            "Chủ tịch, các PCT UBND tỉnh;".into(),
            format!("{};", steering_committee(day)),
            "Các sở, ban, ngành tỉnh;".into(),
            if day < TWO_TIERS_FROM {
                "UBND các huyện, thị xã, thành phố;".into()
            } else {
                "UBND các xã, phường;".into()
            },
        ],
        UnitKind::District | UnitKind::Commune => {
            let above = match s.parent.filter(|p| is_people_committee(p.kind)) {
                Some(p) if p.kind == UnitKind::Province => "UBND tỉnh".to_string(),
                Some(p) => format!("UBND {}", in_sentence(p.name)),
                None => "UBND tỉnh".to_string(),
            };
            let mut v = vec![format!("{above} (b/c);")];
            if s.parent.is_none_or(|p| p.kind == UnitKind::Province) {
                v.push(format!("{lead};"));
            }
            let level = level_word(s.unit.name);
            if !level.is_empty() {
                v.push(format!("Thường trực HĐND {level};"));
            }
            v
        }
        UnitKind::Department | UnitKind::Other | UnitKind::Ministry => {
            let leads = fold(without_locality(s.unit.name)) == fold(lead);
            let above = match s.parent {
                Some(p) if p.kind == UnitKind::Province => "UBND tỉnh".to_string(),
                Some(p) if is_people_committee(p.kind) => format!("UBND {}", in_sentence(p.name)),
                Some(p) => p.name.to_string(),
                None => String::new(),
            };
            let mut v = Vec::new();
            if leads {
                v.push(format!("{} (b/c);", lead_ministry(day)));
            }
            if !above.is_empty() {
                v.push(format!("{above} (b/c);"));
            }
            if leads {
                v.push(format!("{} (b/c);", steering_committee(day)));
                v.push(if day < TWO_TIERS_FROM {
                    "Các sở, ban, ngành; UBND các huyện, thị xã, thành phố;".into()
                } else {
                    "Các sở, ban, ngành; UBND các xã, phường;".into()
                });
            } else if s.parent.is_some_and(|p| p.kind == UnitKind::Province) {
                v.push(format!("{lead} (t/h);"));
            }
            v
        }
    };
    lines.push("Lưu: VT.".into());
    lines.into_iter().map(|l| format!("- {l}")).collect()
}

/// The block a unit's documents carry by default on a day.
pub fn default_block(s: &Standing) -> IssuerBlock {
    let unit = s.unit;
    let committee = is_people_committee(unit.kind);
    let governing_body = if committee || unit.kind == UnitKind::Ministry {
        None
    } else {
        s.parent.map(|p| {
            if is_people_committee(p.kind) {
                format!("UBND {}", upper(p.name))
            } else {
                upper(p.name)
            }
        })
    };
    let agency = if committee {
        vec!["ỦY BAN NHÂN DÂN".to_string(), upper(unit.name)]
    } else {
        vec![upper(unit.name)]
    };
    let symbol = if committee {
        "UBND".to_string()
    } else {
        symbol_of(unit.name)
    };
    let place = match unit.kind {
        UnitKind::Province | UnitKind::District | UnitKind::Commune => place_name(unit.name),
        UnitKind::Ministry => "Hà Nội".to_string(),
        _ => s
            .locality
            .map(|l| place_name(l.name))
            .unwrap_or_else(|| place_name(unit.name)),
    };
    let signer_title = if committee {
        vec![
            "TM. ỦY BAN NHÂN DÂN".to_string(),
            "KT. CHỦ TỊCH".to_string(),
            "PHÓ CHỦ TỊCH".to_string(),
        ]
    } else {
        let head = head_title(unit.name);
        vec![format!("KT. {head}"), format!("PHÓ {head}")]
    };
    IssuerBlock {
        governing_body,
        agency,
        symbol,
        place,
        signer_title,
        signer_name: None,
        recipients: default_recipients(s),
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// A recipient line as Decree 30 writes it: `- ` first.
fn recipient_line(line: &str) -> String {
    let bare = line
        .trim_start_matches(['-', '–', '•', '*', '+', ' '])
        .trim();
    format!("- {bare}")
}

/// The block a unit's documents carry on a day: its own settings over the defaults.
pub fn derive(s: &Standing, settings: &IssuerSettings) -> IssuerBlock {
    let mut b = default_block(s);
    if let Some(g) = &settings.governing_body {
        b.governing_body = Some(upper(g.trim())).filter(|g| !g.is_empty());
    }
    if let Some(a) = &settings.agency {
        let agency: Vec<String> = lines(a).map(upper).collect();
        if !agency.is_empty() {
            b.agency = agency;
        }
    }
    if let Some(a) = settings.abbreviation.as_deref().filter(|a| !a.is_empty()) {
        b.symbol = a.to_string();
    }
    if let Some(p) = settings.place.as_deref().filter(|p| !p.is_empty()) {
        b.place = p.to_string();
    }
    if let Some(t) = &settings.signer_title {
        let title: Vec<String> = lines(t).map(upper).collect();
        if !title.is_empty() {
            b.signer_title = title;
        }
    }
    b.signer_name = settings.signer_name.clone().filter(|n| !n.is_empty());
    if let Some(r) = &settings.recipients {
        let list: Vec<String> = lines(r).map(recipient_line).collect();
        if !list.is_empty() {
            b.recipients = list;
        }
    }
    b
}

/// What a form or an API call sends: every field optional, blank for the default.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuerInput {
    pub governing_body: Option<String>,
    /// No governing body line at all (a form's checkbox; the API sends `""` instead).
    #[serde(default)]
    pub no_governing_body: bool,
    pub agency: Option<String>,
    pub abbreviation: Option<String>,
    pub place: Option<String>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
    pub recipients: Option<String>,
}

/// Several lines, each bounded, at most `max_lines` of them; `None` when blank.
fn optional_lines(
    field: &str,
    value: Option<&str>,
    max_lines: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = nfc(value.unwrap_or_default());
    let kept: Vec<&str> = lines(&value).collect();
    if kept.is_empty() {
        return None;
    }
    if kept.len() > max_lines {
        errors.push(FieldError::new(
            field,
            Invalid::OutOfRange {
                min: 1,
                max: max_lines as i64,
            },
        ));
    } else if kept.iter().any(|l| l.chars().count() > MAX_LINE) {
        errors.push(FieldError::new(field, Invalid::TooLong { max: MAX_LINE }));
    }
    Some(kept.join("\n"))
}

/// Checks what a unit sets of its block.
pub fn validate(input: &IssuerInput) -> Result<IssuerSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let governing_body = if input.no_governing_body {
        Some(String::new())
    } else {
        match input.governing_body.as_deref() {
            // The API's way of saying "none".
            Some("") => Some(String::new()),
            other => optional_text("governing_body", other, MAX_LINE, &mut errors),
        }
    };
    let abbreviation = optional_text(
        "abbreviation",
        input.abbreviation.as_deref(),
        MAX_ABBREVIATION,
        &mut errors,
    )
    .map(|a| upper(&a));
    if let Some(a) = &abbreviation
        && !a
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '&')
    {
        errors.push(FieldError::new("abbreviation", Invalid::BadFormat));
    }
    let settings = IssuerSettings {
        governing_body,
        agency: optional_lines("agency", input.agency.as_deref(), 3, &mut errors),
        abbreviation,
        place: optional_text("place", input.place.as_deref(), 60, &mut errors),
        signer_title: optional_lines(
            "signer_title",
            input.signer_title.as_deref(),
            MAX_TITLE_LINES,
            &mut errors,
        ),
        signer_name: optional_text("signer_name", input.signer_name.as_deref(), 80, &mut errors),
        recipients: optional_lines(
            "recipients",
            input.recipients.as_deref(),
            MAX_RECIPIENTS,
            &mut errors,
        ),
    };
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, kind: UnitKind) -> UnitInfo<'_> {
        UnitInfo { name, kind }
    }

    const TODAY: Date = date!(2026 - 12 - 02);
    const IN_2024: Date = date!(2024 - 11 - 28);

    fn gia_lai() -> UnitInfo<'static> {
        info("Tỉnh Gia Lai", UnitKind::Province)
    }

    #[test]
    fn a_department_of_today_is_headed_by_the_provinces_peoples_committee() {
        let s = Standing {
            unit: info("Sở Khoa học và Công nghệ", UnitKind::Department),
            parent: Some(gia_lai()),
            locality: Some(gia_lai()),
            day: TODAY,
        };
        let b = default_block(&s);
        assert_eq!(b.governing_body.as_deref(), Some("UBND TỈNH GIA LAI"));
        assert_eq!(b.agency, ["SỞ KHOA HỌC VÀ CÔNG NGHỆ"]);
        assert_eq!(b.symbol, "SKHCN");
        assert_eq!(b.place, "Gia Lai");
        assert_eq!(b.signer_title, ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]);
        // The lead department reports up to the ministry and the steering committee.
        assert_eq!(b.recipients[0], "- Bộ Khoa học và Công nghệ (b/c);");
        assert!(b.recipients.contains(&"- UBND tỉnh (b/c);".to_string()));
        assert_eq!(b.recipients.last().map(String::as_str), Some("- Lưu: VT."));

        let other = Standing {
            unit: info("Sở Tài chính", UnitKind::Department),
            ..s
        };
        let b = default_block(&other);
        assert_eq!(b.symbol, "STC");
        assert_eq!(
            b.recipients,
            [
                "- UBND tỉnh (b/c);",
                "- Sở Khoa học và Công nghệ (t/h);",
                "- Lưu: VT."
            ]
        );
    }

    #[test]
    fn a_ward_and_the_province_are_peoples_committees() {
        let ward = Standing {
            unit: info("Phường Quy Nhơn", UnitKind::Commune),
            parent: Some(gia_lai()),
            locality: Some(gia_lai()),
            day: TODAY,
        };
        let b = default_block(&ward);
        assert_eq!(b.governing_body, None);
        assert_eq!(b.agency, ["ỦY BAN NHÂN DÂN", "PHƯỜNG QUY NHƠN"]);
        assert_eq!(b.symbol, "UBND");
        assert_eq!(b.place, "Quy Nhơn");
        assert_eq!(
            b.signer_title,
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
        );
        assert_eq!(
            b.recipients,
            [
                "- UBND tỉnh (b/c);",
                "- Sở Khoa học và Công nghệ;",
                "- Thường trực HĐND phường;",
                "- Lưu: VT."
            ]
        );
        let province = Standing {
            unit: gia_lai(),
            parent: None,
            locality: None,
            day: TODAY,
        };
        let b = default_block(&province);
        assert_eq!(b.agency, ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"]);
        assert_eq!((b.symbol.as_str(), b.place.as_str()), ("UBND", "Gia Lai"));
        assert!(!b.recipients.iter().any(|r| r.contains("UBND tỉnh (b/c)")));
        assert!(b.recipients.contains(&"- UBND các xã, phường;".to_string()));
    }

    #[test]
    fn the_units_of_2024_speak_of_their_own_time() {
        let binh_dinh = info("Tỉnh Bình Định", UnitKind::Province);
        let sttt = Standing {
            unit: info("Sở Thông tin và Truyền thông", UnitKind::Department),
            parent: Some(binh_dinh),
            locality: Some(binh_dinh),
            day: IN_2024,
        };
        let b = default_block(&sttt);
        assert_eq!(b.governing_body.as_deref(), Some("UBND TỈNH BÌNH ĐỊNH"));
        assert_eq!(b.symbol, "STTTT");
        assert_eq!(b.place, "Bình Định");
        assert_eq!(b.recipients[0], "- Bộ Thông tin và Truyền thông (b/c);");
        let district = info("Huyện Tuy Phước", UnitKind::District);
        let commune = Standing {
            unit: info("Xã Phước Hòa", UnitKind::Commune),
            parent: Some(district),
            locality: Some(district),
            day: IN_2024,
        };
        let b = default_block(&commune);
        assert_eq!(b.agency, ["ỦY BAN NHÂN DÂN", "XÃ PHƯỚC HÒA"]);
        assert_eq!(b.place, "Phước Hòa");
        assert_eq!(b.recipients[0], "- UBND huyện Tuy Phước (b/c);");
        let province = Standing {
            unit: binh_dinh,
            parent: None,
            locality: None,
            day: IN_2024,
        };
        assert!(
            default_block(&province)
                .recipients
                .contains(&"- UBND các huyện, thị xã, thành phố;".to_string())
        );
    }

    #[test]
    fn names_give_symbols_places_and_titles() {
        assert_eq!(symbol_of("Sở Giáo dục và Đào tạo"), "SGDĐT");
        assert_eq!(symbol_of("Sở Lao động - Thương binh và Xã hội"), "SLĐTBXH");
        assert_eq!(symbol_of("Văn phòng Ủy ban nhân dân tỉnh"), "VPUBND");
        assert_eq!(symbol_of("Sở Văn hóa, Thể thao và Du lịch"), "SVHTTDL");
        assert_eq!(place_name("Phường 12"), "Phường 12");
        assert_eq!(place_name("Thành phố Quy Nhơn"), "Quy Nhơn");
        assert_eq!(place_name("Đặc khu Lý Sơn"), "Lý Sơn");
        assert_eq!(
            head_title("Văn phòng Ủy ban nhân dân tỉnh"),
            "CHÁNH VĂN PHÒNG"
        );
        assert_eq!(
            head_title("Báo và Phát thanh, Truyền hình Gia Lai"),
            "TỔNG BIÊN TẬP"
        );
        assert_eq!(head_title("Ban Quản lý Khu kinh tế tỉnh"), "TRƯỞNG BAN");
        assert_eq!(head_title("Hội Nông dân"), "THỦ TRƯỞNG");
    }

    #[test]
    fn settings_override_the_defaults_and_are_checked() {
        let s = Standing {
            unit: info("Phường Quy Nhơn", UnitKind::Commune),
            parent: Some(gia_lai()),
            locality: Some(gia_lai()),
            day: TODAY,
        };
        let settings = validate(&IssuerInput {
            governing_body: Some("UBND tỉnh Gia Lai".into()),
            abbreviation: Some("ubnd".into()),
            signer_title: Some("TM. Ủy ban nhân dân\nChủ tịch\n".into()),
            signer_name: Some("Nguyễn Văn An".into()),
            recipients: Some("UBND tỉnh (b/c);\n\n• Sở KH&CN;\n- Lưu: VT.".into()),
            ..Default::default()
        })
        .expect("valid");
        let b = derive(&s, &settings);
        assert_eq!(b.governing_body.as_deref(), Some("UBND TỈNH GIA LAI"));
        assert_eq!(b.symbol, "UBND");
        assert_eq!(b.signer_title, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        assert_eq!(b.signer_name.as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(
            b.recipients,
            ["- UBND tỉnh (b/c);", "- Sở KH&CN;", "- Lưu: VT."]
        );
        // A department may drop its governing body line.
        let none = validate(&IssuerInput {
            no_governing_body: true,
            ..Default::default()
        })
        .expect("valid");
        let dept = Standing {
            unit: info("Sở Tài chính", UnitKind::Department),
            ..s
        };
        assert_eq!(derive(&dept, &none).governing_body, None);
        assert!(validate(&IssuerInput::default()).expect("valid").is_empty());

        let bad = validate(&IssuerInput {
            abbreviation: Some("BC/<script>".into()),
            place: Some("x".repeat(61)),
            recipients: Some("a\n".repeat(MAX_RECIPIENTS + 1)),
            signer_title: Some("x".repeat(MAX_LINE + 1)),
            ..Default::default()
        })
        .expect_err("refused");
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["abbreviation", "place", "signer_title", "recipients"]
        );
    }

    #[test]
    fn a_locality_speaks_through_its_peoples_committee() {
        assert_eq!(
            issuer_in_text(UnitKind::Province, "Tỉnh Gia Lai"),
            "Ủy ban nhân dân tỉnh Gia Lai"
        );
        assert_eq!(
            issuer_in_text(UnitKind::Department, "Sở Khoa học và Công nghệ"),
            "Sở Khoa học và Công nghệ"
        );
    }
}
