//! Evidence files: which types are accepted, checked by their content as well as their
//! name, and what a file name may be.

use serde::Serialize;

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Odt,
    Ods,
    Png,
    Jpg,
    Zip,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Odt => "odt",
            FileKind::Ods => "ods",
            FileKind::Png => "png",
            FileKind::Jpg => "jpg",
            FileKind::Zip => "zip",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        [
            FileKind::Pdf,
            FileKind::Docx,
            FileKind::Xlsx,
            FileKind::Odt,
            FileKind::Ods,
            FileKind::Png,
            FileKind::Jpg,
            FileKind::Zip,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileKind::Png => "image/png",
            FileKind::Jpg => "image/jpeg",
            FileKind::Zip => "application/zip",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileProblem {
    EmptyName,
    BadName,
    Empty,
    TooLarge { max_mb: u64 },
    UnknownType,
    ContentMismatch,
}

impl FileProblem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FileProblem::EmptyName => lang.pick("Tệp phải có tên.", "The file needs a name.").into(),
            FileProblem::BadName => lang
                .pick(
                    "Tên tệp không hợp lệ (không được chứa dấu / hoặc \\ hay ký tự điều khiển, tối đa 200 ký tự).",
                    "Not a valid file name (no / or \\ or control characters, at most 200 characters).",
                )
                .into(),
            FileProblem::Empty => lang.pick("Tệp rỗng.", "The file is empty.").into(),
            FileProblem::TooLarge { max_mb } => lang.pick(
                format!("Tệp lớn hơn {max_mb} MB."),
                format!("The file is larger than {max_mb} MB."),
            ),
            FileProblem::UnknownType => lang
                .pick(
                    "Chỉ nhận tệp pdf, docx, xlsx, odt, ods, png, jpg hoặc zip.",
                    "Only pdf, docx, xlsx, odt, ods, png, jpg or zip files are accepted.",
                )
                .into(),
            FileProblem::ContentMismatch => lang
                .pick(
                    "Nội dung tệp không đúng với phần mở rộng của tên tệp.",
                    "The file's content does not match its extension.",
                )
                .into(),
        }
    }
}

/// Checks a file name as given by a browser: kept as written (Vietnamese included),
/// but never a path.
pub fn check_name(name: &str) -> Result<String, FileProblem> {
    let name = crate::text::nfc(name.trim());
    if name.is_empty() {
        return Err(FileProblem::EmptyName);
    }
    if name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || name.chars().count() > 200
        || name == "."
        || name == ".."
    {
        return Err(FileProblem::BadName);
    }
    Ok(name)
}

/// The kind a file's extension claims.
fn kind_by_name(name: &str) -> Option<FileKind> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpeg" | "jpg" => Some(FileKind::Jpg),
        other => FileKind::parse(other),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the bytes are, as far as their signature tells.
fn kind_by_content(bytes: &[u8], claimed: FileKind) -> bool {
    let zip = bytes.starts_with(b"PK\x03\x04");
    // Office documents are zip archives; the first entries name what they hold.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let odf = |mime: &[u8]| zip && bytes.get(30..38) == Some(b"mimetype") && contains(head, mime);
    match claimed {
        FileKind::Pdf => bytes.starts_with(b"%PDF-"),
        FileKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        FileKind::Jpg => bytes.starts_with(b"\xFF\xD8\xFF"),
        FileKind::Zip => zip || bytes.starts_with(b"PK\x05\x06"),
        FileKind::Docx => {
            zip && (contains(bytes, b"word/") && contains(bytes, b"[Content_Types].xml"))
        }
        FileKind::Xlsx => {
            zip && (contains(bytes, b"xl/") && contains(bytes, b"[Content_Types].xml"))
        }
        FileKind::Odt => odf(b"application/vnd.oasis.opendocument.text"),
        FileKind::Ods => odf(b"application/vnd.oasis.opendocument.spreadsheet"),
    }
}

/// Accepts a file when its name and its content agree on an allowed type.
pub fn check_file(
    name: &str,
    bytes: &[u8],
    max_bytes: u64,
) -> Result<(String, FileKind), FileProblem> {
    let name = check_name(name)?;
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(FileProblem::TooLarge {
            max_mb: max_bytes.div_ceil(1024 * 1024),
        });
    }
    let kind = kind_by_name(&name).ok_or(FileProblem::UnknownType)?;
    if !kind_by_content(bytes, kind) {
        return Err(FileProblem::ContentMismatch);
    }
    Ok((name, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn names_keep_vietnamese_but_never_paths() {
        assert_eq!(
            check_name(" Báo cáo quý I.pdf "),
            Ok("Báo cáo quý I.pdf".into())
        );
        for bad in ["../etc/passwd", "a\\b.pdf", "x\n.pdf", "..", ""] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_must_match_the_extension() {
        assert_eq!(
            check_file("Biên bản.pdf", b"%PDF-1.7 ...", MB).unwrap().1,
            FileKind::Pdf
        );
        assert_eq!(
            check_file("ảnh.JPG", b"\xFF\xD8\xFF\xE0....", MB)
                .unwrap()
                .1,
            FileKind::Jpg
        );
        assert_eq!(
            check_file("x.pdf", b"MZ\x90\x00 an exe", MB),
            Err(FileProblem::ContentMismatch)
        );
        assert_eq!(
            check_file("x.xlsx", b"PK\x03\x04 but nothing inside", MB),
            Err(FileProblem::ContentMismatch)
        );
        assert_eq!(
            check_file("x.exe", b"MZ", MB),
            Err(FileProblem::UnknownType)
        );
        assert_eq!(
            check_file("no-extension", b"%PDF-", MB),
            Err(FileProblem::UnknownType)
        );
        assert_eq!(check_file("x.pdf", b"", MB), Err(FileProblem::Empty));
        assert_eq!(
            check_file("x.pdf", &[b'%'; 2048], 1024),
            Err(FileProblem::TooLarge { max_mb: 1 })
        );
    }
}
