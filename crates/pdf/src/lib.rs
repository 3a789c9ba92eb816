//! PDF documents typeset with Typst: the Decree 30 progress report and the one-page
//! briefing for the steering committee.
//!
//! The layouts are Typst templates compiled into the binary (`templates/*.typ`); the
//! words and numbers go in as `sys.inputs`, a dictionary of plain values, so user text
//! is never read as Typst markup. The fonts are those of [`dxplan_report::fonts`] and
//! nothing else: no system font scan, no package download, nothing fetched at build or
//! run time. The engine (parsed fonts, templates, standard library) is built once per
//! process; a render after the first costs milliseconds.
//!
//! Rendering is CPU work: callers on an async runtime run it in `spawn_blocking`.

use std::borrow::Cow;
use std::sync::OnceLock;

use dxplan_domain::dashboard::{Dashboard, Tally};
use dxplan_domain::text::{format_date, format_int, format_number};
use dxplan_report::fonts;
use dxplan_report::progress::{Block, ChartBlock, Letterhead, ProgressReport, Section, Table};
use typst::diag::SourceDiagnostic;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Smart, Value, dict};
use typst::text::Font;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;

const PROGRESS_TEMPLATE: &str = include_str!("../templates/progress.typ");
const BRIEFING_TEMPLATE: &str = include_str!("../templates/briefing.typ");
const PROGRESS_FILE: &str = "progress.typ";
const BRIEFING_FILE: &str = "briefing.typ";

/// Memoised Typst results unused for this many compilations are dropped, so a long-lived
/// process keeps a small, bounded cache while repeated reports stay fast.
const CACHE_MAX_AGE: usize = 8;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template failed to typeset with the given data.
    #[error("PDF typesetting failed: {0}")]
    Typeset(String),
    /// The typeset document could not be written as PDF.
    #[error("PDF export failed: {0}")]
    Export(String),
}

impl From<TypstAsLibError> for PdfError {
    fn from(e: TypstAsLibError) -> PdfError {
        match e {
            TypstAsLibError::TypstSource(diags) => PdfError::Typeset(describe(&diags)),
            other => PdfError::Typeset(other.to_string()),
        }
    }
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let mut s = d.message.to_string();
            for h in &d.hints {
                s.push_str(" (hint: ");
                s.push_str(&h.v);
                s.push(')');
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

struct Engine {
    typst: TypstEngine,
    /// `fonts::SERIF` less the families not among the loaded faces.
    serif: Vec<String>,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let faces: Vec<Font> = fonts::faces()
            .into_iter()
            .flat_map(|face| {
                let bytes = match face {
                    Cow::Borrowed(b) => Bytes::new(b),
                    Cow::Owned(v) => Bytes::new(v),
                };
                Font::iter(bytes).collect::<Vec<_>>()
            })
            .collect();
        let serif = fonts::SERIF
            .iter()
            .filter(|family| {
                faces
                    .iter()
                    .any(|f| f.info().family.eq_ignore_ascii_case(family))
            })
            .map(|family| family.to_string())
            .collect();
        let typst = TypstEngine::builder()
            .fonts(faces)
            .with_static_source_file_resolver([
                (PROGRESS_FILE, PROGRESS_TEMPLATE),
                (BRIEFING_FILE, BRIEFING_TEMPLATE),
            ])
            .comemo_evict_max_age(Some(CACHE_MAX_AGE))
            .build();
        Engine { typst, serif }
    })
}

fn render(file: &str, mut inputs: Dict) -> Result<Vec<u8>, PdfError> {
    let engine = engine();
    inputs.insert("fonts".into(), engine.serif.clone().into_value());
    let doc: PagedDocument = engine.typst.compile_with_input(file, inputs).output?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("dxplan/{file}")),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|diags| PdfError::Export(describe(&diags)))
}

fn strings(v: &[String]) -> Value {
    v.iter()
        .map(|s| s.as_str().into_value())
        .collect::<Array>()
        .into_value()
}

/// A table with every row, width list and numeric flag list as long as the widest
/// row, so a short or long row can never shift the cells of the rows below it.
fn table_value(t: &Table) -> Option<Value> {
    let columns = t
        .rows
        .iter()
        .map(Vec::len)
        .chain([t.headers.len()])
        .max()
        .unwrap_or(0);
    if columns == 0 {
        return None;
    }
    let pad = |cells: &[String]| -> Vec<String> {
        (0..columns)
            .map(|i| cells.get(i).cloned().unwrap_or_default())
            .collect()
    };
    let widths: Vec<i64> = (0..columns)
        .map(|i| i64::from(t.widths.get(i).copied().unwrap_or(1).max(1)))
        .collect();
    let numeric: Vec<bool> = (0..columns)
        .map(|i| t.numeric.get(i).copied().unwrap_or(false))
        .collect();
    let rows: Vec<Value> = t.rows.iter().map(|r| strings(&pad(r))).collect();
    Some(
        dict! {
            "kind" => "table",
            "headers" => strings(&pad(&t.headers)),
            "rows" => rows,
            "widths" => widths,
            "numeric" => numeric,
        }
        .into_value(),
    )
}

fn block_value(b: &Block) -> Option<Value> {
    Some(match b {
        Block::Paragraph(text) => {
            dict! { "kind" => "paragraph", "text" => text.as_str() }.into_value()
        }
        Block::Labelled(bold, text) => dict! {
            "kind" => "labelled",
            "bold" => bold.as_str(),
            "text" => text.as_str(),
        }
        .into_value(),
        Block::Table(t) => return table_value(t),
        Block::Chart(ChartBlock { caption, svg }) => dict! {
            "kind" => "chart",
            "caption" => caption.as_str(),
            "svg" => Bytes::from_string(svg.clone()),
        }
        .into_value(),
    })
}

fn section_value(s: &Section) -> Value {
    dict! {
        "heading" => s.heading.as_str(),
        "blocks" => s.blocks.iter().filter_map(block_value).collect::<Array>(),
    }
    .into_value()
}

fn progress_inputs(r: &ProgressReport) -> Dict {
    let head = &r.letterhead;
    dict! {
        "governing_body" => head.governing_body.as_deref().map_or(Value::None, |g| g.into_value()),
        "agency" => strings(&head.agency),
        "number" => head.number.as_str(),
        "place_date" => head.place_date.as_str(),
        "kind" => r.kind.as_str(),
        "subject" => r.subject.as_str(),
        "sections" => r.sections.iter().map(section_value).collect::<Array>(),
        "recipients" => strings(&head.recipients),
        "signer_title" => strings(&head.signer_title),
        "signer_name" => head.signer_name.as_deref().map_or(Value::None, |n| n.into_value()),
        "author" => head.author.as_str(),
        "created" => created_value(head),
    }
}

/// The day a document was made, as the templates' `datetime` takes it.
fn created_value(head: &Letterhead) -> Value {
    let created = head.created.to_offset(time::UtcOffset::UTC);
    dict! {
        "year" => i64::from(created.year()),
        "month" => i64::from(u8::from(created.month())),
        "day" => i64::from(created.day()),
    }
    .into_value()
}

/// The progress report as PDF, laid out per Decree 30/2020/NĐ-CP: A4, margins 20 mm
/// top and bottom, 30 mm left, 15 mm right; Liberation Serif (DejaVu Serif when it is
/// missing) 13 pt; the two-column header (issuing body, national title and motto, number,
/// place and date), title, sections with justified paragraphs, ruled tables whose
/// header row repeats on each page, charts as vector images with their captions, then
/// the recipients and the signature block; page numbers at the top centre from page 2;
/// the issuing agency as the document's author.
pub fn progress_pdf(report: &ProgressReport) -> Result<Vec<u8>, PdfError> {
    render(PROGRESS_FILE, progress_inputs(report))
}

// ---------------------------------------------------------------- briefing

/// Units, indicators and obstacles the briefing lists at most.
const BRIEF_UNITS: usize = 5;
const BRIEF_INDICATORS: usize = 5;
const BRIEF_OBSTACLES: usize = 4;
/// Characters kept of a name in a table row and of an obstacle's text.
const NAME_CHARS: usize = 90;
const LABEL_CHARS: usize = 100;
const OBSTACLE_CHARS: usize = 200;

/// `text` cut to at most `max` characters, at a word boundary where one is near, with
/// an ellipsis when anything was cut. Whitespace runs (line breaks included) become
/// single spaces, so a pasted multi-line text takes the room of its words only.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let flat = words.join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let keep: String = flat.chars().take(max.saturating_sub(1)).collect();
    let cut = match keep.rfind(' ') {
        // Break at a space unless that would drop more than a fifth of the room.
        Some(i) if keep[..i].chars().count() * 5 >= max * 4 => &keep[..i],
        _ => keep.as_str(),
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:.-–".contains(c))
    )
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{}\u{a0}%", format_number(v, 1)))
        .unwrap_or_else(|| "–".into())
}

fn figure(label: &str, value: String) -> Value {
    dict! { "label" => label, "value" => value }.into_value()
}

fn headline(o: &Tally) -> Array {
    [
        figure("Nhiệm vụ", format_int(i64::from(o.total))),
        figure("Đã hoàn thành", pct(o.completion_rate())),
        figure("Hoàn thành đúng hạn", pct(o.on_time_rate())),
        figure("Nhiệm vụ quá hạn", format_int(i64::from(o.overdue))),
        figure("Tiến độ bình quân", pct(o.average_progress())),
        figure("Kinh phí đã giải ngân", pct(o.disbursement_rate())),
    ]
    .into_iter()
    .collect()
}

fn briefing_inputs(d: &Dashboard, head: &Letterhead) -> Dict {
    let units: Array = d
        .most_behind(BRIEF_UNITS)
        .into_iter()
        .map(|u| {
            dict! {
                "name" => shorten(&u.unit.name, NAME_CHARS),
                "progress" => pct(u.tally.average_progress()),
                "overdue" => format_int(i64::from(u.tally.overdue)),
            }
            .into_value()
        })
        .collect();

    let mut off_target: Vec<(f64, &dxplan_domain::dashboard::KeyIndicator)> = d
        .indicators
        .iter()
        .filter_map(|i| Some((i.attainment?.percent?, i)))
        .filter(|(p, _)| p.is_finite())
        .collect();
    off_target.sort_by(|a, b| a.0.total_cmp(&b.0));
    let figure_of = |v: Option<f64>, unit: &Option<String>| match (v, unit) {
        (Some(v), Some(u)) if !u.trim().is_empty() => {
            shorten(&format!("{} {}", format_number(v, 2), u), 30)
        }
        (Some(v), _) => format_number(v, 2),
        (None, _) => "–".into(),
    };
    let indicators: Array = off_target
        .into_iter()
        .take(BRIEF_INDICATORS)
        .map(|(p, i)| {
            dict! {
                "code" => shorten(&i.code, 10),
                "name" => shorten(&i.name, NAME_CHARS),
                "value" => figure_of(i.value, &i.unit_of_measure),
                "target" => figure_of(i.target, &i.unit_of_measure),
                "percent" => pct(Some(p)),
            }
            .into_value()
        })
        .collect();

    let obstacles: Array = d
        .obstacles
        .iter()
        .take(BRIEF_OBSTACLES)
        .map(|o| {
            let label = format!("{} – {} {}:", o.unit_name, o.task_code, o.task_title);
            let mut text = String::new();
            if let Some(v) = o.obstacles.as_deref().filter(|v| !v.trim().is_empty()) {
                text.push_str("Vướng mắc: ");
                text.push_str(v.trim());
            }
            if let Some(p) = o.proposals.as_deref().filter(|p| !p.trim().is_empty()) {
                if !text.is_empty() {
                    text.push_str(". ");
                }
                text.push_str("Đề xuất: ");
                text.push_str(p.trim());
            }
            dict! {
                "label" => shorten(&label, LABEL_CHARS),
                "text" => shorten(&text, OBSTACLE_CHARS),
            }
            .into_value()
        })
        .collect();

    let subtitle = d
        .plan
        .as_ref()
        .map(|p| p.title.clone())
        .unwrap_or_else(|| format!("Kế hoạch chuyển đổi số năm {}", d.year));
    dict! {
        // The issuing agency heads the page as it heads the report (`ỦY BAN NHÂN DÂN TỈNH
        // GIA LAI`); the unit's own name when a caller gives no agency.
        "unit" => shorten(
            &if head.agency.is_empty() { d.unit.name.clone() } else { head.agency.join(" ") },
            120,
        ),
        "author" => shorten(&head.author, 200),
        "created" => created_value(head),
        "title" => format!("TÌNH HÌNH CHUYỂN ĐỔI SỐ NĂM {}", d.year),
        "subtitle" => shorten(&subtitle, 160),
        "as_of" => format!("Số liệu đến ngày {}", format_date(d.today)),
        "figures" => headline(&d.overall),
        "units_title" => "Các đơn vị chậm tiến độ nhất",
        "units_empty" => "Chưa có đơn vị nào có nhiệm vụ đang theo dõi.",
        "units" => units,
        "indicators_title" => "Các chỉ tiêu xa mục tiêu nhất",
        "indicators_empty" => "Chưa có chỉ tiêu nào có số liệu để so với mục tiêu.",
        "indicators" => indicators,
        "obstacles_title" => "Khó khăn, vướng mắc chính",
        "obstacles_empty" => "Các đơn vị chưa báo cáo khó khăn, vướng mắc.",
        "obstacles" => obstacles,
    }
}

/// A one-page briefing for the steering committee: the unit and year, the headline
/// figures, the 5 units furthest behind, the 5 indicators furthest below target and the
/// first 4 reported obstacles. Lists and texts are cut to size and the page is typeset
/// at the largest text size that fits, so it is one A4 page whatever the data.
pub fn briefing_pdf(d: &Dashboard, head: &Letterhead) -> Result<Vec<u8>, PdfError> {
    render(BRIEFING_FILE, briefing_inputs(d, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_short_text_and_cuts_long_text_at_a_word() {
        assert_eq!(
            shorten("  Sở   Khoa học\nvà Công nghệ ", 50),
            "Sở Khoa học và Công nghệ"
        );
        let long = "Chưa có hướng dẫn thống nhất về định mức thuê dịch vụ công nghệ thông tin";
        let cut = shorten(long, 40);
        assert!(cut.chars().count() <= 40, "{cut}");
        assert!(cut.ends_with('…'));
        assert!(long.starts_with(cut.trim_end_matches('…')));
        // One long word is cut inside the word.
        let word = "x".repeat(500);
        assert_eq!(shorten(&word, 10).chars().count(), 10);
    }

    #[test]
    fn ragged_tables_are_squared_up() {
        let t = Table {
            headers: vec!["A".into(), "B".into()],
            rows: vec![vec!["1".into()], vec!["1".into(), "2".into(), "3".into()]],
            widths: vec![0],
            numeric: vec![],
        };
        let Some(Value::Dict(v)) = table_value(&t) else {
            panic!("a table")
        };
        let len = |k: &str| match v.get(k).unwrap() {
            Value::Array(a) => a.len(),
            _ => panic!(),
        };
        assert_eq!((len("headers"), len("widths"), len("numeric")), (3, 3, 3));
        let empty = Table {
            headers: vec![],
            rows: vec![],
            widths: vec![],
            numeric: vec![],
        };
        assert!(table_value(&empty).is_none());
    }
}
