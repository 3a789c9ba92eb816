//! Hostile workbooks, generated (no committed blobs), for the tests of this reader and of
//! every route that takes an upload (`hostile-files` feature).
//!
//! Each generator returns the bytes of an .xlsx built with the zip writer. The zip bombs
//! stream what they compress, chunk by chunk at deflate's fastest level, so a part that
//! inflates to 1 GiB never sits in memory; they are built once per process and cached.
//! [`cases`] lists them all with the error the default limits refuse each with.

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::{Limit, SheetError, SheetLimits};

/// One gibibyte: what the bombs inflate to.
pub const GIB: u64 = 1 << 30;

/// A hostile (or, for the positive path, harmless) file and what reading it must give.
pub struct Case {
    pub name: &'static str,
    pub bytes: fn() -> Vec<u8>,
    /// The error the default [`SheetLimits`] refuse it with; `None` when it reads.
    pub refused_with: Option<SheetError>,
}

/// Every case, in a stable order.
pub fn cases() -> Vec<Case> {
    let l = SheetLimits::default();
    let not_a_workbook = Some(SheetError::NotAWorkbook(String::new()));
    let too_large = |limit| Some(SheetError::TooLarge(limit));
    vec![
        Case {
            name: "valid small workbook",
            bytes: valid_small,
            refused_with: None,
        },
        Case {
            name: "sharedStrings declaring uniqueCount 10^12",
            bytes: declared_unique_count,
            refused_with: too_large(Limit::SharedStrings(l.max_shared_strings)),
        },
        Case {
            name: "a cell at A1 and one at XFD1048576",
            bytes: far_corner,
            refused_with: too_large(Limit::Rows(l.max_rows)),
        },
        Case {
            name: "a cell at A1 and one at XFD1",
            bytes: far_column,
            refused_with: too_large(Limit::Columns(l.max_columns)),
        },
        Case {
            name: "one shared string inflating to 1 GiB",
            bytes: shared_string_bomb,
            refused_with: too_large(Limit::PartSize(l.max_part_bytes)),
        },
        Case {
            name: "one shared string inflating to 1 GiB, declaring 10 MB",
            bytes: shared_string_bomb_declared_small,
            refused_with: too_large(Limit::CellText(l.max_cell_chars)),
        },
        Case {
            name: "one inline cell inflating to 1 GiB",
            bytes: inline_string_bomb,
            refused_with: too_large(Limit::PartSize(l.max_sheet_bytes)),
        },
        Case {
            name: "one inline cell inflating to 1 GiB, declaring 10 MB",
            bytes: inline_string_bomb_declared_small,
            refused_with: too_large(Limit::CellText(l.max_cell_chars)),
        },
        Case {
            name: "200,000 rows by 4 columns",
            bytes: many_rows,
            refused_with: too_large(Limit::Rows(l.max_rows)),
        },
        Case {
            name: "XML nested 100,000 deep",
            bytes: deep_nesting,
            refused_with: too_large(Limit::Nesting(l.max_depth)),
        },
        Case {
            name: "billion laughs: a DTD of nested entities in sharedStrings",
            bytes: billion_laughs,
            refused_with: not_a_workbook.clone(),
        },
        Case {
            name: "an external entity (XXE) in the sheet",
            bytes: external_entity,
            refused_with: not_a_workbook.clone(),
        },
        Case {
            name: "an entity never declared",
            bytes: undeclared_entity,
            refused_with: not_a_workbook.clone(),
        },
        Case {
            name: "<col min=1 max=16384 width=1e308> (declared, so ignored: reads)",
            bytes: wide_columns_declared,
            refused_with: None,
        },
        Case {
            name: "5,000 sheets (zip entries and workbook.xml)",
            bytes: many_sheets,
            refused_with: too_large(Limit::ZipEntries(l.max_zip_entries)),
        },
        Case {
            name: "a sheet declaring 1,000 bytes that inflates to more",
            bytes: declared_size_smaller,
            refused_with: not_a_workbook.clone(),
        },
        Case {
            name: "a sheet declaring 4 GB uncompressed",
            bytes: declared_size_larger,
            refused_with: too_large(Limit::PartSize(l.max_sheet_bytes)),
        },
        Case {
            name: "one 30,000-character shared string in 20,000 cells",
            bytes: shared_string_amplification,
            refused_with: too_large(Limit::Text(l.max_text_bytes)),
        },
        Case {
            name: "a cell of 40,000 characters",
            bytes: long_cell,
            refused_with: too_large(Limit::CellText(l.max_cell_chars)),
        },
        Case {
            name: "a shared string of 40,000 one-letter rich-text runs",
            bytes: many_runs,
            refused_with: too_large(Limit::CellText(l.max_cell_chars)),
        },
        Case {
            name: "an attribute of 10 MB",
            bytes: long_attribute,
            refused_with: too_large(Limit::Markup(l.max_markup_bytes)),
        },
        Case {
            name: "a comment of 1 GiB full of '<'",
            bytes: comment_bomb,
            refused_with: too_large(Limit::PartSize(l.max_sheet_bytes)),
        },
        Case {
            name: "a comment of 1 GiB full of '<', declaring 10 MB",
            bytes: comment_bomb_declared_small,
            refused_with: too_large(Limit::Markup(l.max_markup_bytes)),
        },
        Case {
            name: "210,000 shared strings, count undeclared",
            bytes: many_shared_strings,
            refused_with: too_large(Limit::SharedStrings(l.max_shared_strings)),
        },
        Case {
            name: "100,000 cell formats",
            bytes: many_styles,
            refused_with: too_large(Limit::Styles(l.max_styles)),
        },
        Case {
            name: "one row of 16,384 filled cells",
            bytes: wide_row,
            refused_with: too_large(Limit::Columns(l.max_columns)),
        },
        Case {
            name: "an empty cell at XFD1048576 after the data (reads)",
            bytes: far_empty_cell,
            refused_with: None,
        },
        Case {
            name: "5,000 zip entries declared by a forged end record",
            bytes: forged_entry_count,
            refused_with: too_large(Limit::ZipEntries(l.max_zip_entries)),
        },
        Case {
            name: "a password-protected workbook (OLE container)",
            bytes: ole_container,
            refused_with: not_a_workbook.clone(),
        },
        Case {
            name: "not a zip at all",
            bytes: not_a_zip,
            refused_with: not_a_workbook,
        },
    ]
}

/// Whether `got` is the error `expected` names; a `NotAWorkbook`'s text (a detail for
/// the log) is not compared.
pub fn same_refusal(got: &SheetError, expected: &SheetError) -> bool {
    match (got, expected) {
        (SheetError::NotAWorkbook(_), SheetError::NotAWorkbook(_)) => true,
        _ => got == expected,
    }
}

// ----- building workbooks -----

/// An .xlsx under construction: the package parts every workbook needs are written by
/// [`Book::new`], the sheet and any shared strings or styles by the generator.
struct Book {
    zip: ZipWriter<Cursor<Vec<u8>>>,
}

/// Writing into memory fails only if memory runs out; a generator has no better answer.
fn written<T>(result: zip::result::ZipResult<T>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("writing a generated workbook into memory failed: {e}"),
    }
}

fn io<T>(result: std::io::Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("writing a generated workbook into memory failed: {e}"),
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Cell formats: 0 general, 1 a built-in date (14), 2 a custom date (164), 3 a custom
/// number whose quoted text holds date letters (165, not a date).
pub const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\ hh:mm"/><numFmt numFmtId="165" formatCode="&quot;ngày&quot;\ 0"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn options() -> SimpleFileOptions {
    // Deflate's fastest level: a gibibyte of one repeated byte compresses in seconds.
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
}

impl Book {
    /// The package parts, the workbook naming one sheet, and the styles above.
    fn new() -> Self {
        let mut book = Book::bare();
        book.part("_rels/.rels", PACKAGE_RELS.as_bytes());
        book.part("xl/workbook.xml", WORKBOOK.as_bytes());
        book.part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
        book.part("xl/styles.xml", STYLES.as_bytes());
        book
    }

    /// Only the content types: the generator writes the rest.
    fn bare() -> Self {
        let mut book = Book {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
        };
        book.part("[Content_Types].xml", CONTENT_TYPES.as_bytes());
        book
    }

    fn part(&mut self, name: &str, body: &[u8]) {
        written(self.zip.start_file(name, options()));
        io(self.zip.write_all(body));
    }

    /// A part written as `head`, then `chunk` `times` over, then `tail`: streamed into
    /// the compressor, never whole in memory.
    fn streamed(&mut self, name: &str, head: &str, chunk: &[u8], times: u64, tail: &str) {
        written(self.zip.start_file(name, options()));
        io(self.zip.write_all(head.as_bytes()));
        for _ in 0..times {
            io(self.zip.write_all(chunk));
        }
        io(self.zip.write_all(tail.as_bytes()));
    }

    /// A part whose body is produced line by line by `body`.
    fn generated(&mut self, name: &str, body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        written(self.zip.start_file(name, options()));
        io(body(&mut self.zip));
    }

    fn sheet(&mut self, data: &str) {
        self.part(
            "xl/worksheets/sheet1.xml",
            format!("{SHEET_START}<sheetData>{data}</sheetData></worksheet>").as_bytes(),
        );
    }

    fn shared_strings(&mut self, items: &[&str]) {
        let body: String = items
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect();
        self.part(
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{body}</sst>"#,
                n = items.len()
            )
            .as_bytes(),
        );
    }

    fn finish(self) -> Vec<u8> {
        written(self.zip.finish()).into_inner()
    }
}

/// A megabyte of one byte, the bombs' chunk.
fn chunk_of(byte: u8) -> Vec<u8> {
    vec![byte; 1 << 20]
}

/// A workbook of one sheet whose `<sheetData>` holds `sheet_data`, with `shared` as its
/// shared strings (each the inside of a `<si>`) and the cell formats of [`STYLES`]
/// (`s="1"` a built-in date, `s="2"` a custom date-time, `s="3"` a quoted-text number).
pub fn workbook(sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    let mut book = Book::new();
    let items: String = shared.iter().map(|s| format!("<si>{s}</si>")).collect();
    book.part(
        "xl/sharedStrings.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>"#
        )
        .as_bytes(),
    );
    book.sheet(sheet_data);
    book.finish()
}

// ----- the cases -----

/// Within every limit, but slow: 60 MiB of empty rows (no cells, so no row counts) take
/// the reader seconds. Only the deadline or the request's going away stops it: the case
/// for cancellation.
pub fn slow_empty_rows() -> Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            let rows = b"<row/>".repeat((1 << 20) / 6);
            let mut book = Book::new();
            book.streamed(
                "xl/worksheets/sheet1.xml",
                &format!("{SHEET_START}<sheetData>"),
                &rows,
                60,
                "</sheetData></worksheet>",
            );
            book.finish()
        })
        .clone()
}

/// A small, valid workbook: shared and inline strings, a date in a built-in and in a
/// custom format, a number in a quoted-text format, a boolean, a formula's text result,
/// an error, an empty row, a sparse cell.
pub fn valid_small() -> Vec<u8> {
    let mut book = Book::new();
    book.shared_strings(&["Mã", "Nhiệm vụ", "Hạn", "Kinh phí", "1.1"]);
    book.sheet(concat!(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
        r#"<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="inlineStr"><is><t>Xây dựng kho dữ liệu</t></is></c><c r="C2" s="1"><v>46022</v></c><c r="D2" s="3"><v>1250.5</v></c></row>"#,
        r#"<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="str"><f>A2&amp;"x"</f><v>1.1x</v></c><c r="C3" s="2"><v>46022.5</v></c><c r="D3" t="e"><v>#DIV/0!</v></c></row>"#,
        r#"<row r="5"><c r="F5"><v>7</v></c></row>"#,
    ));
    book.finish()
}

pub fn declared_unique_count() -> Vec<u8> {
    let mut book = Book::new();
    book.part(
        "xl/sharedStrings.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#,
    );
    book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    book.finish()
}

pub fn far_corner() -> Vec<u8> {
    let mut book = Book::new();
    book.part(
        "xl/worksheets/sheet1.xml",
        format!(
            r#"{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#
        )
        .as_bytes(),
    );
    book.finish()
}

pub fn far_column() -> Vec<u8> {
    let mut book = Book::new();
    book.sheet(r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>"#);
    book.finish()
}

pub fn shared_string_bomb() -> Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            let mut book = Book::new();
            book.streamed(
                "xl/sharedStrings.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#,
                &chunk_of(b'a'),
                GIB >> 20,
                "</t></si></sst>",
            );
            book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
            book.finish()
        })
        .clone()
}

pub fn inline_string_bomb() -> Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            let mut book = Book::new();
            book.streamed(
                "xl/worksheets/sheet1.xml",
                &format!(r#"{SHEET_START}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#),
                &chunk_of(b'a'),
                GIB >> 20,
                "</t></is></c></row></sheetData></worksheet>",
            );
            book.finish()
        })
        .clone()
}

/// The zip reader stops a part at its declared size; declared under the cap, a bomb is
/// stopped by the reader's own bounds on what one event may buffer.
const DECLARED_SMALL: u32 = 10_000_000;

pub fn shared_string_bomb_declared_small() -> Vec<u8> {
    declare_size(shared_string_bomb(), "xl/sharedStrings.xml", DECLARED_SMALL)
}

pub fn inline_string_bomb_declared_small() -> Vec<u8> {
    declare_size(
        inline_string_bomb(),
        "xl/worksheets/sheet1.xml",
        DECLARED_SMALL,
    )
}

pub fn many_rows() -> Vec<u8> {
    let mut book = Book::new();
    book.generated("xl/worksheets/sheet1.xml", |w| {
        write!(w, "{SHEET_START}<sheetData>")?;
        for r in 1..=200_000u32 {
            write!(
                w,
                r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}.5</v></c><c r="C{r}"><v>1</v></c><c r="D{r}"><v>2</v></c></row>"#
            )?;
        }
        write!(w, "</sheetData></worksheet>")
    });
    book.finish()
}

pub fn deep_nesting() -> Vec<u8> {
    let mut book = Book::new();
    let depth = 100_000;
    book.sheet(&format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is>{}<t>x</t>{}</is></c></row>"#,
        "<r>".repeat(depth),
        "</r>".repeat(depth)
    ));
    book.finish()
}

pub fn billion_laughs() -> Vec<u8> {
    let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
    }
    let mut book = Book::new();
    book.part(
        "xl/sharedStrings.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [{dtd}]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"#
        )
        .as_bytes(),
    );
    book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    book.finish()
}

pub fn external_entity() -> Vec<u8> {
    let mut book = Book::new();
    book.part(
        "xl/worksheets/sheet1.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"#,
    );
    book.finish()
}

pub fn undeclared_entity() -> Vec<u8> {
    let mut book = Book::new();
    book.shared_strings(&["&nbsp;"]);
    book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    book.finish()
}

pub fn wide_columns_declared() -> Vec<u8> {
    let mut book = Book::new();
    book.part(
        "xl/worksheets/sheet1.xml",
        format!(
            r#"{SHEET_START}<dimension ref="A1:XFD1048576"/><cols><col min="1" max="16384" width="1e308" customWidth="1"/></cols><sheetData><row r="1" spans="1:16384"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>ok</t></is></c></row></sheetData></worksheet>"#
        )
        .as_bytes(),
    );
    book.finish()
}

pub fn many_sheets() -> Vec<u8> {
    let n = 5_000;
    let mut book = Book::bare();
    book.part("_rels/.rels", PACKAGE_RELS.as_bytes());
    let sheets: String = (1..=n)
        .map(|i| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>"#))
        .collect();
    book.part(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"#
        )
        .as_bytes(),
    );
    let rels: String = (1..=n)
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    book.part(
        "xl/_rels/workbook.xml.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).as_bytes(),
    );
    let sheet = format!(
        r#"{SHEET_START}<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#
    );
    for i in 1..=n {
        book.part(&format!("xl/worksheets/sheet{i}.xml"), sheet.as_bytes());
    }
    book.finish()
}

/// A valid sheet of a few hundred rows, for the cases that lie about its size.
fn plain_sheet_book() -> Vec<u8> {
    let mut book = Book::new();
    let rows: String = (1..=300)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    book.sheet(&rows);
    book.finish()
}

/// Rewrites the uncompressed size both headers of the entry `name` declare.
fn declare_size(mut bytes: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let name = name.as_bytes();
    let positions: Vec<usize> = (0..bytes.len().saturating_sub(name.len()))
        .filter(|&i| &bytes[i..i + name.len()] == name)
        .collect();
    for at in positions {
        // A local header puts the name 30 bytes in, the size at 22; a central one 46 and 24.
        if at >= 30 && bytes[at - 30..at - 26] == *b"PK\x03\x04" {
            bytes[at - 30 + 22..at - 30 + 26].copy_from_slice(&size.to_le_bytes());
        }
        if at >= 46 && bytes[at - 46..at - 42] == *b"PK\x01\x02" {
            bytes[at - 46 + 24..at - 46 + 28].copy_from_slice(&size.to_le_bytes());
        }
    }
    bytes
}

pub fn declared_size_smaller() -> Vec<u8> {
    declare_size(plain_sheet_book(), "xl/worksheets/sheet1.xml", 1_000)
}

pub fn declared_size_larger() -> Vec<u8> {
    declare_size(
        plain_sheet_book(),
        "xl/worksheets/sheet1.xml",
        4_000_000_000,
    )
}

pub fn shared_string_amplification() -> Vec<u8> {
    let mut book = Book::new();
    let long = "ô".repeat(30_000);
    book.shared_strings(&[&long]);
    book.generated("xl/worksheets/sheet1.xml", |w| {
        write!(w, "{SHEET_START}<sheetData>")?;
        for r in 1..=20_000u32 {
            write!(w, r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#)?;
        }
        write!(w, "</sheetData></worksheet>")
    });
    book.finish()
}

pub fn long_cell() -> Vec<u8> {
    let mut book = Book::new();
    book.sheet(&format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>"#,
        "a".repeat(40_000)
    ));
    book.finish()
}

/// Two-byte letters, so the text's bytes pass the character limit long before its
/// characters do: a reader recounting the whole text after each run is quadratic here.
pub fn many_runs() -> Vec<u8> {
    let mut book = Book::new();
    book.streamed(
        "xl/sharedStrings.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>"#,
        "<r><t>ô</t></r>".as_bytes(),
        40_000,
        "</si></sst>",
    );
    book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    book.finish()
}

pub fn long_attribute() -> Vec<u8> {
    let mut book = Book::new();
    book.streamed(
        "xl/worksheets/sheet1.xml",
        &format!(r#"{SHEET_START}<sheetData><row r="1"><c r="A1" x=""#),
        &chunk_of(b'a'),
        10,
        r#""><v>1</v></c></row></sheetData></worksheet>"#,
    );
    book.finish()
}

pub fn comment_bomb() -> Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            // A '<' every other byte: a reader that bounded runs of text alone would
            // still buffer the whole comment.
            let chunk: Vec<u8> = b"<a".iter().copied().cycle().take(1 << 20).collect();
            let mut book = Book::new();
            book.streamed(
                "xl/worksheets/sheet1.xml",
                &format!("{SHEET_START}<sheetData><!--"),
                &chunk,
                GIB >> 20,
                "--></sheetData></worksheet>",
            );
            book.finish()
        })
        .clone()
}

pub fn comment_bomb_declared_small() -> Vec<u8> {
    declare_size(comment_bomb(), "xl/worksheets/sheet1.xml", DECLARED_SMALL)
}

pub fn many_shared_strings() -> Vec<u8> {
    let mut book = Book::new();
    book.streamed(
        "xl/sharedStrings.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        b"<si><t>a</t></si>",
        210_000,
        "</sst>",
    );
    book.sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    book.finish()
}

pub fn many_styles() -> Vec<u8> {
    let mut book = Book::bare();
    book.part("_rels/.rels", PACKAGE_RELS.as_bytes());
    book.part("xl/workbook.xml", WORKBOOK.as_bytes());
    book.part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    book.streamed(
        "xl/styles.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>"#,
        br#"<xf numFmtId="14"/>"#,
        100_000,
        "</cellXfs></styleSheet>",
    );
    book.sheet(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    book.finish()
}

pub fn wide_row() -> Vec<u8> {
    let mut book = Book::new();
    let cells: String = (0..16_384).map(|_| "<c><v>1</v></c>").collect();
    book.sheet(&format!(r#"<row r="1">{cells}</row>"#));
    book.finish()
}

pub fn far_empty_cell() -> Vec<u8> {
    let mut book = Book::new();
    book.sheet(r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>"#);
    book.finish()
}

pub fn forged_entry_count() -> Vec<u8> {
    let mut bytes = valid_small();
    // The end record is the file's last 22 bytes (no comment); its entry counts stand
    // at 8 (this disk) and 10 (in all).
    let at = bytes.len() - 22;
    bytes[at + 8..at + 10].copy_from_slice(&5_000u16.to_le_bytes());
    bytes[at + 10..at + 12].copy_from_slice(&5_000u16.to_le_bytes());
    bytes
}

pub fn ole_container() -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    bytes
}

pub fn not_a_zip() -> Vec<u8> {
    b"Ma,Nhiem vu\n1.1,Xay dung\n".to_vec()
}
