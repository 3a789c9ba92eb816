//! The workbook around the sheet: where the first worksheet is, the shared strings and
//! which cell formats are dates.

use std::collections::HashMap;

use quick_xml::events::Event;

use super::package::Package;
use super::xml::{Xml, attributes, preserves_space, unescape_excel};
use super::{Limit, SheetError};

/// How many of the workbook's first sheets are considered when looking for the first
/// worksheet (chart sheets come before it at most a few times); the rest of a workbook
/// declaring thousands of sheets is never read.
const SHEETS_CONSIDERED: usize = 64;

/// Where the parts of the workbook are.
#[derive(Debug)]
pub(super) struct Book {
    pub sheet: String,
    pub shared_strings: Option<String>,
    pub styles: Option<String>,
    /// Dates count from 1904-01-01 (old Mac workbooks).
    pub date1904: bool,
}

impl Book {
    /// Follows the package's relationships to the workbook, and the workbook's to its
    /// first worksheet, shared strings and styles.
    pub fn locate(package: &mut Package<'_>) -> Result<Book, SheetError> {
        let cap = package.limits.max_part_bytes;
        let workbook = office_document(package)?;
        let (dir, name) = workbook
            .rsplit_once('/')
            .map_or(("", workbook.as_str()), |(d, n)| (d, n));
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };

        // The first sheets in workbook order, as relationship ids.
        let mut sheet_ids: Vec<String> = Vec::new();
        let mut date1904 = false;
        {
            let Some(mut xml) = package.xml(&workbook, cap)? else {
                return Err(SheetError::NoSheet);
            };
            loop {
                match xml.next()? {
                    Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                        let [flag] = attributes(&e, ["date1904"])?;
                        date1904 = flag.is_some_and(|v| v == "1" || v == "true");
                    }
                    Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                        let [id] = attributes(&e, ["id"])?;
                        if let Some(id) = id {
                            sheet_ids.push(id.into_owned());
                        }
                        if sheet_ids.len() == SHEETS_CONSIDERED {
                            break;
                        }
                    }
                    // The sheets stand in one list; nothing after it is needed.
                    Event::End(e) if e.local_name().as_ref() == "sheets" => break,
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        if sheet_ids.is_empty() {
            return Err(SheetError::NoSheet);
        }

        // The workbook's relationships: only those of the sheets considered are kept.
        let rels_path = format!("{dir}_rels/{name}.rels");
        let mut sheets: HashMap<String, (String, bool)> = HashMap::new();
        let mut shared_strings = None;
        let mut styles = None;
        {
            let Some(mut xml) = package.xml(&rels_path, cap)? else {
                return Err(SheetError::NotAWorkbook(format!("no {rels_path}")));
            };
            loop {
                match xml.next()? {
                    Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                        let [id, kind, target] = attributes(&e, ["Id", "Type", "Target"])?;
                        let (Some(kind), Some(target)) = (kind, target) else {
                            continue;
                        };
                        let path = resolve(&dir, &target);
                        if kind.ends_with("/sharedStrings") {
                            shared_strings = Some(path);
                        } else if kind.ends_with("/styles") {
                            styles = Some(path);
                        } else if let Some(id) = id
                            && sheet_ids.iter().any(|s| *s == id)
                        {
                            sheets.insert(id.into_owned(), (path, kind.ends_with("/worksheet")));
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        // Chart and dialog sheets hold no cells: the importers want the first worksheet.
        let sheet = sheet_ids
            .iter()
            .find_map(|id| sheets.get(id).filter(|(_, is_worksheet)| *is_worksheet))
            .map(|(path, _)| path.clone())
            .ok_or(SheetError::NoSheet)?;
        // calamine looked for these parts by their usual names; a workbook whose
        // relationships omit them is read the same way.
        let usual = |part: &str, package: &Package<'_>| {
            let path = format!("{dir}{part}");
            package.contains(&path).then_some(path)
        };
        Ok(Book {
            sheet,
            shared_strings: shared_strings.or_else(|| usual("sharedStrings.xml", package)),
            styles: styles.or_else(|| usual("styles.xml", package)),
            date1904,
        })
    }
}

/// The workbook part the package's relationships name; `xl/workbook.xml` when the
/// package has none.
fn office_document(package: &mut Package<'_>) -> Result<String, SheetError> {
    let cap = package.limits.max_part_bytes;
    let Some(mut xml) = package.xml("_rels/.rels", cap)? else {
        return Ok("xl/workbook.xml".into());
    };
    loop {
        match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let [kind, target] = attributes(&e, ["Type", "Target"])?;
                if let (Some(kind), Some(target)) = (kind, target)
                    && kind.ends_with("/relationships/officeDocument")
                {
                    return Ok(resolve("", &target));
                }
            }
            Event::Eof => {
                return Err(SheetError::NotAWorkbook(
                    "_rels/.rels names no workbook".into(),
                ));
            }
            _ => {}
        }
    }
}

/// A relationship's target as a path in the zip: absolute targets from the root,
/// relative ones from `dir`, with `.` and `..` segments resolved.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The shared-string table: all strings in one buffer, each entry its end offset.
#[derive(Debug, Default)]
pub(super) struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            i => *self.ends.get(i - 1)? as usize,
        };
        self.text.get(start..end)
    }
}

pub(super) fn read_shared_strings(
    package: &mut Package<'_>,
    path: &str,
) -> Result<SharedStrings, SheetError> {
    let limits = package.limits;
    let Some(mut xml) = package.xml(path, limits.max_part_bytes)? else {
        return Ok(SharedStrings::default());
    };
    let mut strings = SharedStrings::default();
    loop {
        match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "sst" => {
                // The declared count only refuses early; it never sizes anything.
                let [unique] = attributes(&e, ["uniqueCount"])?;
                if unique
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .is_some_and(|n| n > limits.max_shared_strings as u64)
                {
                    return Err(SheetError::TooLarge(Limit::SharedStrings(
                        limits.max_shared_strings,
                    )));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                let depth = xml.depth();
                if strings.ends.len() >= limits.max_shared_strings {
                    return Err(SheetError::TooLarge(Limit::SharedStrings(
                        limits.max_shared_strings,
                    )));
                }
                let value = string_item(&mut xml, depth)?;
                if strings.text.len() + value.len() > limits.max_text_bytes {
                    return Err(SheetError::TooLarge(Limit::Text(limits.max_text_bytes)));
                }
                strings.text.push_str(&value);
                // Bounded by max_text_bytes, which fits a u32 unless a caller raises it past 4 GiB.
                let end = u32::try_from(strings.text.len())
                    .map_err(|_| SheetError::TooLarge(Limit::Text(limits.max_text_bytes)))?;
                strings.ends.push(end);
            }
            Event::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// A string item (`<si>` or an inline `<is>`, just opened at `depth`): the text of its
/// `<t>` elements joined (rich text is a run of them), phonetic guides (`<rPh>`) left
/// out, leading and trailing spaces dropped unless `xml:space="preserve"`, Excel's
/// `_xHHHH_` escapes undone. Checked against the characters a cell may hold.
pub(super) fn string_item(xml: &mut Xml<'_>, depth: usize) -> Result<String, SheetError> {
    let max_chars = xml.limits.max_cell_chars;
    let mut value = String::new();
    // Counted run by run: recounting the whole value after each run would make a rich
    // text of many tiny runs quadratic.
    let mut chars = 0usize;
    while xml.depth() >= depth {
        let (t_depth, preserve) = match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "rPh" => {
                let inner = xml.depth();
                xml.skip_to_end(inner)?;
                continue;
            }
            Event::Start(e) if e.local_name().as_ref() == "t" => {
                let preserve = preserves_space(&e)?;
                (xml.depth(), preserve)
            }
            Event::Eof => return Err(xml.truncated()),
            _ => continue,
        };
        let raw = xml.text(t_depth)?;
        let run = if preserve {
            raw.as_str()
        } else {
            raw.trim_matches([' ', '\t', '\r', '\n'])
        };
        let run = unescape_excel(run);
        chars += run.chars().count();
        if chars > max_chars {
            return Err(SheetError::TooLarge(Limit::CellText(max_chars)));
        }
        value.push_str(&run);
    }
    Ok(value)
}

/// Which cell formats (by their index in `cellXfs`, a cell's `s`) show a date or time.
#[derive(Debug, Default)]
pub(super) struct Styles {
    is_date: Vec<bool>,
}

impl Styles {
    pub fn is_date(&self, style: usize) -> bool {
        self.is_date.get(style).copied().unwrap_or(false)
    }
}

pub(super) fn read_styles(package: &mut Package<'_>, path: &str) -> Result<Styles, SheetError> {
    let limits = package.limits;
    let Some(mut xml) = package.xml(path, limits.max_part_bytes)? else {
        return Ok(Styles::default());
    };
    // Custom number formats: id → whether the format shows a date.
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut styles = Styles::default();
    let too_many = || SheetError::TooLarge(Limit::Styles(limits.max_styles));
    // `xf` elements also stand in cellStyleXfs; only those in cellXfs are cell formats.
    let mut in_cell_xfs: Option<usize> = None;
    loop {
        match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "numFmt" => {
                let [id, code] = attributes(&e, ["numFmtId", "formatCode"])?;
                if let (Some(id), Some(code)) = (id.and_then(|i| i.trim().parse().ok()), code) {
                    if custom.len() >= limits.max_styles {
                        return Err(too_many());
                    }
                    custom.insert(id, is_date_format(&code));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "cellXfs" => {
                in_cell_xfs = Some(xml.depth());
            }
            Event::Start(e) if e.local_name().as_ref() == "xf" => {
                let [id] = attributes(&e, ["numFmtId"])?;
                let id = id.and_then(|i| i.trim().parse::<u32>().ok());
                if in_cell_xfs.is_none_or(|d| xml.depth() != d + 1) {
                    continue;
                }
                let is_date = id.is_some_and(|id| {
                    custom
                        .get(&id)
                        .copied()
                        .unwrap_or_else(|| is_builtin_date(id))
                });
                if styles.is_date.len() >= limits.max_styles {
                    return Err(too_many());
                }
                styles.is_date.push(is_date);
            }
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = None,
            Event::Eof => return Ok(styles),
            _ => {}
        }
    }
}

/// Excel's built-in number formats that show a date, a time or a duration (14–22,
/// 45–47, and the East Asian date formats 27–36 and 50–58), as calamine took them.
fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a custom number format shows a date, time or duration: its first section
/// holds a date or time letter (d, m, y, h, s, or `AM/PM`) outside quotes, brackets and
/// escapes, or an elapsed-time bracket such as `[h]`. The same reading as calamine's.
pub(super) fn is_date_format(code: &str) -> bool {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut previous = ' ';
    let mut elapsed = false;
    let mut after_a = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if matches!(c, '_' | '\\' | '*') {
            // The next character is a literal (`\`), a width (`_`) or a fill (`*`), even
            // inside quotes.
            escaped = true;
        } else if quoted {
            quoted = c != '"';
        } else {
            match c {
                '"' => quoted = true,
                // Only the first section (positive numbers) decides.
                ';' => return false,
                '[' => brackets = brackets.saturating_add(1),
                ']' if brackets == 1 && elapsed => return true,
                ']' => brackets = brackets.saturating_sub(1),
                'a' | 'A' if !after_a && brackets == 0 => after_a = true,
                'p' | 'P' | 'm' | 'M' | '/' if after_a && brackets == 0 => return true,
                'd' | 'D' | 'm' | 'M' | 'h' | 'H' | 'y' | 'Y' | 's' | 'S'
                    if !after_a && brackets == 0 =>
                {
                    return true;
                }
                _ => {
                    if !(elapsed && c.eq_ignore_ascii_case(&previous)) {
                        elapsed = previous == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                    }
                }
            }
        }
        previous = c;
    }
    false
}
