//! Fonts for documents: DejaVu is compiled in (from the `dejavu` crate), so Vietnamese
//! always renders; Liberation (Debian's `fonts-liberation2`, metric-compatible with the
//! Times New Roman and Arial that Decree 30 documents use) is preferred when installed.

use std::borrow::Cow;

/// Where Debian installs `fonts-liberation2`.
const LIBERATION_DIR: &str = "/usr/share/fonts/truetype/liberation2";

const LIBERATION_FILES: [&str; 8] = [
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSans-Italic.ttf",
    "LiberationSans-BoldItalic.ttf",
];

/// Every font face available to documents: the host's Liberation faces first (when
/// installed), then the compiled-in DejaVu faces.
pub fn faces() -> Vec<Cow<'static, [u8]>> {
    let mut out: Vec<Cow<'static, [u8]>> = LIBERATION_FILES
        .iter()
        .filter_map(|f| std::fs::read(std::path::Path::new(LIBERATION_DIR).join(f)).ok())
        .map(Cow::Owned)
        .collect();
    out.extend(
        [
            dejavu::serif::regular(),
            dejavu::serif::bold(),
            dejavu::serif::italic(),
            dejavu::serif::bold_italic(),
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ]
        .into_iter()
        .map(Cow::Borrowed),
    );
    out
}

/// The serif family documents ask for, by preference.
pub const SERIF: [&str; 3] = ["Liberation Serif", "Times New Roman", "DejaVu Serif"];
/// The sans-serif family charts ask for, by preference.
pub const SANS: [&str; 3] = ["Liberation Sans", "Arial", "DejaVu Sans"];
