//! The zip container: opened within an entry limit, its parts found by name and read
//! through counters that fail past a cap, whatever the zip's headers declare.

use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use dxplan_domain::cancel::Cancel;
use zip::ZipArchive;
use zip::result::ZipError;

use super::xml::Xml;
use super::{Limit, SheetError, SheetLimits};

/// The archive of one upload, with the limits and token every part is read under.
pub(super) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    pub limits: &'a SheetLimits,
    pub cancel: &'a Cancel,
}

/// Which cap a part's reader went past; carried inside an `io::Error` through the
/// decompressor and quick-xml, and turned back into a [`Limit`] by [`Xml`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overflow {
    /// The part's decompressed size.
    Part,
    /// The bytes of one XML event.
    Markup,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Overflow::Part => f.write_str("zip part larger than its cap"),
            Overflow::Markup => f.write_str("XML event larger than its cap"),
        }
    }
}

impl std::error::Error for Overflow {}

impl<'a> Package<'a> {
    pub fn open(
        bytes: &'a [u8],
        limits: &'a SheetLimits,
        cancel: &'a Cancel,
    ) -> Result<Self, SheetError> {
        // The zip reader sizes its table of entries from the count the end record
        // declares (bounded by the directory's size): refuse an over-large count first.
        if declared_entries(bytes).is_some_and(|n| n > limits.max_zip_entries as u64) {
            return Err(SheetError::TooLarge(Limit::ZipEntries(
                limits.max_zip_entries,
            )));
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if archive.len() > limits.max_zip_entries {
            return Err(SheetError::TooLarge(Limit::ZipEntries(
                limits.max_zip_entries,
            )));
        }
        Ok(Package {
            archive,
            limits,
            cancel,
        })
    }

    /// The entry named `path`, matched as Excel does: exactly, else ignoring ASCII case
    /// and with `\` read as `/` (some writers use either).
    fn find(&self, path: &str) -> Option<usize> {
        if let Some(i) = self.archive.index_for_name(path) {
            return Some(i);
        }
        (0..self.archive.len()).find(|&i| {
            self.archive.name_for_index(i).is_some_and(|name| {
                name.is_ok_and(|name| {
                    name.len() == path.len()
                        && name.bytes().zip(path.bytes()).all(|(a, b)| {
                            let a = if a == b'\\' { b'/' } else { a };
                            a.eq_ignore_ascii_case(&b)
                        })
                })
            })
        })
    }

    /// Whether the archive holds `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.find(path).is_some()
    }

    /// A streaming XML reader over the part at `path`, or `None` when there is none.
    /// `cap` bounds its decompressed bytes; a part declaring more is refused before any
    /// byte is inflated.
    pub fn xml(&mut self, path: &str, cap: u64) -> Result<Option<Xml<'_>>, SheetError> {
        self.cancel.check()?;
        let Some(index) = self.find(path) else {
            return Ok(None);
        };
        let file = self.archive.by_index(index).map_err(zip_error)?;
        if file.size() > cap {
            return Err(SheetError::TooLarge(Limit::PartSize(cap)));
        }
        let counted = PartReader {
            inner: file,
            read: 0,
            cap,
        };
        let bounded = EventBound {
            inner: BufReader::with_capacity(8 << 10, counted),
            since_reset: 0,
            cap: self.limits.max_markup_bytes,
        };
        Ok(Some(Xml::new(
            Box::new(bounded),
            path,
            cap,
            self.limits,
            self.cancel,
        )))
    }
}

fn zip_error(e: ZipError) -> SheetError {
    SheetError::NotAWorkbook(format!("zip: {e}"))
}

/// The entry count the zip's end-of-central-directory record declares (its zip64 form
/// when the classic field is saturated), or `None` when no record is found.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8; 4] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    // The record ends the file, followed only by a comment of at most 65,535 bytes.
    let window = bytes.len().saturating_sub(EOCD_LEN + u16::MAX as usize);
    let at = (window..=bytes.len().checked_sub(EOCD_LEN)?)
        .rev()
        .find(|&i| bytes.get(i..i + 4) == Some(EOCD))?;
    let u16_at = |i: usize| Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?));
    let u64_at = |i: usize| Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?));
    let entries = u16_at(at + 10)?;
    if entries != u16::MAX {
        return Some(entries.into());
    }
    // Zip64: a locator stands just before the record and points at the zip64 record.
    let locator = at.checked_sub(20)?;
    if bytes.get(locator..locator + 4) != Some(b"PK\x06\x07") {
        return Some(entries.into());
    }
    let record = usize::try_from(u64_at(locator + 8)?).ok()?;
    if bytes.get(record..record + 4) != Some(b"PK\x06\x06") {
        return Some(entries.into());
    }
    u64_at(record + 32)
}

/// Counts the decompressed bytes of a part and fails once past its cap: the zip's
/// declared sizes are never trusted.
struct PartReader<R> {
    inner: R,
    read: u64,
    cap: u64,
}

impl<R: Read> Read for PartReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read > self.cap {
            return Err(io::Error::other(Overflow::Part));
        }
        // Never ask for more than one byte past the cap, so the overflow is seen at once.
        let room = usize::try_from(self.cap - self.read + 1).unwrap_or(usize::MAX);
        let len = buf.len().min(room);
        let n = self.inner.read(&mut buf[..len])?;
        self.read += n as u64;
        if self.read > self.cap {
            return Err(io::Error::other(Overflow::Part));
        }
        Ok(n)
    }
}

/// A buffered source that fails once more than `cap` bytes were consumed since the
/// last [`EventBound::reset`]. quick-xml buffers a whole event (a run of text, a tag, a
/// comment) before returning it, consuming exactly that event's bytes; resetting before
/// each event bounds that buffer to `cap` plus one fill.
pub(super) struct EventBound<B> {
    inner: B,
    since_reset: usize,
    cap: usize,
}

/// The source quick-xml reads, type-erased so [`Xml`] needs no type parameter.
pub(super) trait Source: BufRead {
    fn reset(&mut self);
}

impl<B: BufRead> Source for EventBound<B> {
    fn reset(&mut self) {
        self.since_reset = 0;
    }
}

impl<B: BufRead> Read for EventBound<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for EventBound<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_reset > self.cap {
            return Err(io::Error::other(Overflow::Markup));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.since_reset = self.since_reset.saturating_add(amount);
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_reader_fails_past_its_cap_whatever_the_source() {
        let data = [b'a'; 100];
        let mut exact = PartReader {
            inner: &data[..],
            read: 0,
            cap: 100,
        };
        let mut sink = Vec::new();
        assert_eq!(exact.read_to_end(&mut sink).ok(), Some(100));
        let mut over = PartReader {
            inner: &data[..],
            read: 0,
            cap: 99,
        };
        let e = over.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(
            e.get_ref().and_then(|e| e.downcast_ref::<Overflow>()),
            Some(&Overflow::Part)
        );
    }

    #[test]
    fn the_declared_entry_count_is_read_from_the_end_record() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3 {
            zip.start_file(format!("f{i}"), zip::write::SimpleFileOptions::default())
                .unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(declared_entries(&bytes), Some(3));
        assert_eq!(declared_entries(b"PK\x03\x04 no end record"), None);
        assert_eq!(declared_entries(b""), None);
    }
}
