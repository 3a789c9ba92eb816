//! The progress report as a Word document in the layout of Decree 30/2020/NĐ-CP:
//! A4, margins 20/20/30/15 mm, Times New Roman 13–14 pt, the two-column header of the
//! issuing body and the national title, justified numbered sections, tables whose header
//! row repeats on every page, recipients and signature, page numbers at the top centre
//! from the second page, and the issuing agency as the document's author.

use std::io::{Read, Write};

use docx_rs::{
    AlignmentType, BreakType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Pic, Run,
    RunFonts, Shading, SpecialIndentType, Table as DocTable, TableCell, TableLayoutType, TableRow,
    WidthType,
};

use crate::progress::{Block, Letterhead, ProgressReport, Table};
use crate::raster::svg_to_png;

/// Twentieths of a point per millimetre.
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

/// Sizes are in half-points.
const BODY: usize = 28; // 14 pt
const SMALL: usize = 24; // 12 pt
const TABLE: usize = 22; // 11 pt

/// Usable text width: A4 (210 mm) less 30 mm left and 15 mm right.
const TEXT_WIDTH_MM: f64 = 165.0;

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn centered(text: &str, size: usize, bold: bool) -> Paragraph {
    let mut r = run(text).size(size);
    if bold {
        r = r.bold();
    }
    Paragraph::new().align(AlignmentType::Center).add_run(r)
}

/// A justified body paragraph with a first-line indent, made of runs.
fn body_paragraph(runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new()
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(mm(10.0))),
                None,
                None,
            )
            .line_spacing(LineSpacing::new().before(0).after(120)),
        Paragraph::add_run,
    )
}

fn cell(paragraph: Paragraph, width_twips: usize) -> TableCell {
    TableCell::new()
        .add_paragraph(paragraph)
        .width(width_twips, WidthType::Dxa)
}

/// The two-column header: issuing body on the left, national title on the right.
fn header(r: &Letterhead) -> DocTable {
    // The national title needs the wider column to stay on one line.
    let (left_w, right_w) = (mm(72.0) as usize, mm(TEXT_WIDTH_MM - 72.0) as usize);
    let mut left = TableCell::new();
    if let Some(body) = &r.governing_body {
        left = left.add_paragraph(centered(body, SMALL, false));
    }
    // The agency in bold, the rule under it drawn as its last line's underline.
    let last = r.agency.len().saturating_sub(1);
    for (i, line) in r.agency.iter().enumerate() {
        let mut text = run(line).size(SMALL).bold();
        if i == last {
            text = text.underline("single");
        }
        left = left.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(text));
    }
    let mut left = left.add_paragraph(centered(&r.number, 26, false));
    if let Some(excerpt) = &r.excerpt {
        left = left.add_paragraph(centered(excerpt, 24, false));
    }
    let left = left.width(left_w, WidthType::Dxa);
    let right = TableCell::new()
        .add_paragraph(centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 24, true))
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                run("Độc lập - Tự do - Hạnh phúc")
                    .size(BODY)
                    .bold()
                    .underline("single"),
            ),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(&r.place_date).size(BODY).italic()),
        )
        .width(right_w, WidthType::Dxa);
    DocTable::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![left_w, right_w])
        .width(left_w + right_w, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

fn table(t: &Table) -> DocTable {
    let total: u32 = t.widths.iter().sum::<u32>().max(1);
    let full = mm(TEXT_WIDTH_MM) as u32;
    let widths: Vec<usize> = t
        .widths
        .iter()
        .map(|w| (full * w / total) as usize)
        .collect();
    let align = |col: usize| {
        if t.numeric.get(col).copied().unwrap_or(false) {
            AlignmentType::Right
        } else {
            AlignmentType::Left
        }
    };
    // Marked "cannot split" here; `finish_package` makes it the repeating header row.
    let mut rows = vec![
        TableRow::new(
            t.headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    cell(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .add_run(run(h).size(TABLE).bold()),
                        widths.get(i).copied().unwrap_or(1000),
                    )
                    .shading(Shading::new().fill("D9E1F2"))
                })
                .collect(),
        )
        .cant_split(),
    ];
    for row in &t.rows {
        rows.push(TableRow::new(
            row.iter()
                .enumerate()
                .map(|(i, text)| {
                    cell(
                        Paragraph::new()
                            .align(align(i))
                            .add_run(run(text).size(TABLE)),
                        widths.get(i).copied().unwrap_or(1000),
                    )
                })
                .collect(),
        ));
    }
    DocTable::new(rows).set_grid(widths)
}

/// The chart as a picture scaled to the text width, or its caption if it cannot be drawn.
fn chart(svg: &str, caption: &str) -> Vec<Paragraph> {
    let caption_paragraph = Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(run(caption).size(SMALL).italic());
    match svg_to_png(svg, 2.0) {
        Ok((png, w, h)) => {
            // 150 mm wide, centred: Word sizes pictures in EMU (914,400 per inch).
            let width_emu = (150.0 / 25.4 * 914_400.0) as u32;
            let height_emu = (f64::from(width_emu) * f64::from(h) / f64::from(w.max(1))) as u32;
            let pic = Pic::new_with_dimensions(png, w, h).size(width_emu, height_emu);
            vec![
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_image(pic)),
                caption_paragraph,
            ]
        }
        Err(_) => vec![caption_paragraph],
    }
}

/// The report as .docx bytes.
pub fn progress_docx(r: &ProgressReport) -> Result<Vec<u8>, String> {
    let head = &r.letterhead;
    let fonts = RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Times New Roman");
    let mut doc = Docx::new()
        .page_size(11906, 16838) // A4 in twips
        .page_margin(
            PageMargin::new()
                .top(mm(20.0))
                .bottom(mm(20.0))
                .left(mm(30.0))
                .right(mm(15.0)),
        )
        .default_fonts(fonts)
        .default_size(BODY)
        // Decree 30: page numbers at the top centre, from the second page on.
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_page_num(PageNum::new()),
            ),
        )
        .first_header(Header::new())
        .title_pg()
        .created_at(&rfc3339(head))
        .updated_at(&rfc3339(head))
        .add_table(header(head))
        .add_paragraph(Paragraph::new());
    // A report names its kind and subject; an official letter has them in its summary
    // under the number, and is addressed instead.
    for line in [&r.kind, &r.subject] {
        if !line.is_empty() {
            doc = doc.add_paragraph(centered(line, BODY, true));
        }
    }
    match r.addressees.as_slice() {
        [] => {}
        [one] => doc = doc.add_paragraph(centered(&format!("Kính gửi: {one}"), BODY, false)),
        many => {
            doc = doc.add_paragraph(centered("Kính gửi:", BODY, false));
            for a in many {
                doc = doc.add_paragraph(centered(&format!("- {a};"), BODY, false));
            }
        }
    }
    doc = doc.add_paragraph(Paragraph::new());
    for section in &r.sections {
        if !section.heading.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(120).after(120))
                    .add_run(run(&section.heading).size(BODY).bold()),
            );
        }
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    doc = doc.add_paragraph(body_paragraph(vec![run(text).size(BODY)]))
                }
                Block::Labelled(label, text) => {
                    doc = doc.add_paragraph(body_paragraph(vec![
                        run(label).size(BODY).bold(),
                        run(text).size(BODY),
                    ]))
                }
                Block::Table(t) => {
                    doc = doc.add_table(table(t)).add_paragraph(Paragraph::new());
                }
                Block::Chart(c) => {
                    for p in chart(&c.svg, &c.caption) {
                        doc = doc.add_paragraph(p);
                    }
                }
            }
        }
    }
    // Recipients on the left, the signature on the right.
    let half = (mm(TEXT_WIDTH_MM) / 2) as usize;
    let mut left = TableCell::new()
        .add_paragraph(Paragraph::new().add_run(run("Nơi nhận:").size(SMALL).bold().italic()));
    for line in &head.recipients {
        left = left.add_paragraph(Paragraph::new().add_run(run(line).size(TABLE)));
    }
    let mut right = TableCell::new();
    for line in &head.signer_title {
        right = right.add_paragraph(centered(line, BODY, true));
    }
    right = right.add_paragraph(
        Paragraph::new().add_run(
            Run::new()
                .add_break(BreakType::TextWrapping)
                .add_break(BreakType::TextWrapping)
                .add_break(BreakType::TextWrapping),
        ),
    );
    if let Some(name) = &head.signer_name {
        right = right.add_paragraph(centered(name, BODY, true));
    }
    doc = doc.add_paragraph(Paragraph::new()).add_table(
        DocTable::without_borders(vec![TableRow::new(vec![
            left.width(half, WidthType::Dxa),
            right.width(half, WidthType::Dxa),
        ])])
        .set_grid(vec![half, half]),
    );
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    finish_package(
        &out.into_inner(),
        head,
        &format!("{} {}", r.kind, r.subject),
    )
}

fn rfc3339(head: &Letterhead) -> String {
    head.created
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What docx-rs cannot write yet, written into its package: header rows that repeat on
/// every page (`w:tblHeader`, on the rows marked "cannot split"), and document properties
/// naming the issuing agency as author, with the title and the time of making.
fn finish_package(docx: &[u8], head: &Letterhead, title: &str) -> Result<Vec<u8>, String> {
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(|e| e.to_string())?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let when = rfc3339(head);
    for i in 0..input.len() {
        let mut entry = input.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(|e| e.to_string())?;
        let content = match name.as_str() {
            "word/document.xml" => String::from_utf8(content)
                .map_err(|e| e.to_string())?
                .replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
                .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>")
                .into_bytes(),
            "docProps/core.xml" => format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><dc:language>vi-VN</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>"#,
                title = xml_escape(title),
                author = xml_escape(&head.author),
            )
            .into_bytes(),
            _ => content,
        };
        out.start_file(name, options).map_err(|e| e.to_string())?;
        out.write_all(&content).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}
