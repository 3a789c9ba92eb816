//! A streaming XML reader over one zip part, safe on hostile input: no DTD (so no
//! entity expansion), only the predefined entities and character references, nesting
//! depth and the bytes of each event capped, the cancellation token checked as it goes.

use std::borrow::Cow;

use dxplan_domain::cancel::Cancel;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::package::{Overflow, Source};
use super::{Limit, SheetError, SheetLimits};

/// How many events pass between two looks at the cancellation token: a few hundred
/// events take well under a millisecond, and a look costs an atomic load and a clock read.
const CANCEL_EVERY: u32 = 256;

pub(super) struct Xml<'z> {
    reader: quick_xml::Reader<Box<dyn Source + 'z>>,
    buf: Vec<u8>,
    depth: usize,
    events: u32,
    part: String,
    part_cap: u64,
    pub limits: &'z SheetLimits,
    cancel: &'z Cancel,
}

impl<'z> Xml<'z> {
    pub fn new(
        source: Box<dyn Source + 'z>,
        part: &str,
        part_cap: u64,
        limits: &'z SheetLimits,
        cancel: &'z Cancel,
    ) -> Self {
        let mut reader = quick_xml::Reader::from_reader(source);
        let config = reader.config_mut();
        // As calamine: `<a/>` comes as a start and an end, text is kept as written, and
        // end tags are not matched by name (the depth count below still holds).
        config.expand_empty_elements = true;
        config.trim_text(false);
        config.check_end_names = false;
        config.check_comments = false;
        Xml {
            reader,
            buf: Vec::with_capacity(1024),
            depth: 0,
            events: 0,
            part: part.to_string(),
            part_cap,
            limits,
            cancel,
        }
    }

    /// The depth of the element the last event opened or left the reader in: 1 inside
    /// the root element.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The next event. A DTD is refused (no entity can then be defined, let alone
    /// expanded); nesting past the limit is refused before the parser records it.
    pub fn next(&mut self) -> Result<Event<'_>, SheetError> {
        self.events = self.events.wrapping_add(1);
        if self.events.is_multiple_of(CANCEL_EVERY) {
            self.cancel.check()?;
        }
        self.buf.clear();
        // The buffer has held one event at most; a hostile one may have grown it to the
        // markup cap, which is kept, not grown further.
        self.reader.get_mut().reset();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(e) => {
                return Err(xml_error(
                    &e,
                    &self.part,
                    self.part_cap,
                    self.limits.max_markup_bytes,
                ));
            }
        };
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > self.limits.max_depth {
                    return Err(SheetError::TooLarge(Limit::Nesting(self.limits.max_depth)));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::DocType(_) => {
                return Err(SheetError::NotAWorkbook(format!(
                    "{}: a DTD is not allowed",
                    self.part
                )));
            }
            Event::Eof if self.depth > 0 => {
                return Err(SheetError::NotAWorkbook(format!(
                    "{}: the XML ends inside an element",
                    self.part
                )));
            }
            _ => {}
        }
        Ok(event)
    }

    /// Reads past the rest of the element just opened (the reader is at `depth`).
    pub fn skip_to_end(&mut self, depth: usize) -> Result<(), SheetError> {
        while self.depth >= depth {
            if matches!(self.next()?, Event::Eof) {
                return Err(self.truncated());
            }
        }
        Ok(())
    }

    /// The text content of the element just opened (the reader is at `depth`), its
    /// entities and character references resolved, line ends normalised as XML 1.0 says;
    /// child elements' text is included, as calamine's readers did for `<v>` and `<t>`.
    /// More than `max_markup_bytes` of text is a cell past its text limit.
    pub fn text(&mut self, depth: usize) -> Result<String, SheetError> {
        let cap = self.limits.max_markup_bytes;
        let too_long = SheetError::TooLarge(Limit::CellText(self.limits.max_cell_chars));
        let mut value = String::new();
        while self.depth >= depth {
            let event = match self.next() {
                // An event past the markup cap inside a cell's text is that cell's text.
                Err(SheetError::TooLarge(Limit::Markup(_))) => return Err(too_long),
                other => other?,
            };
            match event {
                Event::Text(t) => value.push_str(&t.xml10_content()),
                Event::CData(t) => value.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => resolve_reference(&r, &mut value)?,
                Event::Eof => return Err(self.truncated()),
                _ => {}
            }
            if value.len() > cap {
                return Err(too_long);
            }
        }
        Ok(value)
    }

    pub fn truncated(&self) -> SheetError {
        SheetError::NotAWorkbook(format!("{}: the XML ends early", self.part))
    }
}

fn xml_error(e: &quick_xml::Error, part: &str, part_cap: u64, markup_cap: usize) -> SheetError {
    if let quick_xml::Error::Io(io) = e
        && let Some(overflow) = io.get_ref().and_then(|e| e.downcast_ref::<Overflow>())
    {
        return SheetError::TooLarge(match overflow {
            Overflow::Part => Limit::PartSize(part_cap),
            Overflow::Markup => Limit::Markup(markup_cap),
        });
    }
    // The message may quote the file (a name, an entity); keep the log line short.
    let mut text = e.to_string();
    if let Some((cut, _)) = text.char_indices().nth(200) {
        text.truncate(cut);
    }
    SheetError::NotAWorkbook(format!("{part}: {text}"))
}

/// Appends the character an entity or character reference stands for. Only XML's five
/// predefined entities exist without a DTD; any other name is an error, not expanded.
pub(super) fn resolve_reference(r: &BytesRef<'_>, out: &mut String) -> Result<(), SheetError> {
    let predefined = match r.as_ref() {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    if let Some(c) = predefined {
        out.push(c);
        return Ok(());
    }
    match r.resolve_char_ref() {
        Ok(Some(c)) => {
            out.push(c);
            Ok(())
        }
        Ok(None) => {
            let name: String = r.as_ref().chars().take(40).collect();
            Err(SheetError::NotAWorkbook(format!("unknown entity &{name};")))
        }
        Err(e) => Err(SheetError::NotAWorkbook(format!(
            "bad character reference: {e}"
        ))),
    }
}

/// The values of the attributes named (by local name, so `r:id` is `id`) on `element`,
/// in the order asked; entities in them resolved.
pub(super) fn attributes<'e, const N: usize>(
    element: &'e BytesStart<'_>,
    names: [&str; N],
) -> Result<[Option<Cow<'e, str>>; N], SheetError> {
    let mut values: [Option<Cow<'e, str>>; N] = std::array::from_fn(|_| None);
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| SheetError::NotAWorkbook(format!("XML attribute: {e}")))?;
        let key = attribute.key.local_name();
        let Some(slot) = names.iter().position(|n| *n == key.as_ref()) else {
            continue;
        };
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| SheetError::NotAWorkbook(format!("XML attribute: {e}")))?;
        values[slot] = Some(match value {
            Cow::Borrowed(s) => Cow::Borrowed(s),
            Cow::Owned(s) => Cow::Owned(s),
        });
    }
    Ok(values)
}

/// Whether `element` says `xml:space="preserve"`.
pub(super) fn preserves_space(element: &BytesStart<'_>) -> Result<bool, SheetError> {
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| SheetError::NotAWorkbook(format!("XML attribute: {e}")))?;
        if attribute.key.as_ref() == "xml:space" {
            return Ok(attribute.value.as_ref() == "preserve");
        }
    }
    Ok(false)
}

/// Undoes Excel's `_xHHHH_` escapes (a UTF-16 code unit each; `_x005F_` escapes the
/// underscore itself); an unpaired surrogate becomes U+FFFD, as calamine read it.
pub(super) fn unescape_excel(original: &str) -> Cow<'_, str> {
    fn unit_at(s: &[u8], i: usize) -> Option<u16> {
        let b = s.get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        let hex = std::str::from_utf8(&b[2..6]).ok()?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    }
    if !original.contains("_x") {
        return Cow::Borrowed(original);
    }
    let bytes = original.as_bytes();
    let first = (0..bytes.len()).find(|&i| bytes[i] == b'_' && unit_at(bytes, i).is_some());
    let Some(mut i) = first else {
        return Cow::Borrowed(original);
    };
    let mut out = String::with_capacity(original.len());
    out.push_str(&original[..i]);
    while i < bytes.len() {
        if let Some(unit) = unit_at(bytes, i) {
            i += 7;
            match unit {
                0xD800..=0xDBFF => match unit_at(bytes, i) {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let code = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                        i += 7;
                    }
                    _ => out.push(char::REPLACEMENT_CHARACTER),
                },
                _ => {
                    out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER))
                }
            }
        } else {
            // Copy one whole character (escapes start with ASCII `_`, so a boundary).
            let len = original[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&original[i..i + len]);
            i += len;
        }
    }
    Cow::Owned(out)
}
