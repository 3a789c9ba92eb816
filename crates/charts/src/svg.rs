//! Shared building blocks: escaping, number formats, the `<svg>` frame, legends, markers.

use std::fmt::Write as _;

use dxplan_domain::text::format_number;

use crate::Chart;

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
pub(crate) const FONT: &str = "Arial, Liberation Sans, DejaVu Sans, sans-serif";
pub(crate) const INK: &str = "#222222";
pub(crate) const MUTED: &str = "#595959";
pub(crate) const GRID: &str = "#d9d9d9";
pub(crate) const MISSING_FILL: &str = "#eeeeee";
/// What an empty chart says.
pub(crate) fn empty_text(lang: dxplan_domain::Lang) -> &'static str {
    lang.pick("Chưa có dữ liệu", "No data yet")
}
/// Shown for a missing value (in text, titles and the table view).
pub(crate) const DASH: &str = "–";
/// Default label of a target / reference line.
pub(crate) fn target_label(lang: dxplan_domain::Lang) -> &'static str {
    lang.pick("Mục tiêu", "Target")
}

/// Default viewBox width; charts that need more grow wider (the viewBox scales anyway).
/// 520 keeps 13-unit labels near 8–9 px on a 360 px phone while 32-character labels still fit
/// beside the bars; on wider screens everything scales up with the container.
pub(crate) const WIDTH: f64 = 520.0;
pub(crate) const PAD: f64 = 8.0;
/// Height of one bar / heat-map row, in user units.
pub(crate) const ROW: f64 = 28.0;
/// Longest visible label; the full label stays in the hover `<title>`.
pub(crate) const LABEL_CHARS: usize = 32;
/// Decimals shown to people (format_number trims trailing zeros).
const DECIMALS: usize = 2;

/// Escapes text content and attribute values (both use the same five entities).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab/newline are not allowed in XML 1.0 at all.
            c if c.is_control() && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A geometry number: at most 2 decimals, '.' separator, no trailing zeros, never "-0" or NaN.
pub(crate) fn n(v: f64) -> String {
    // Whole hundredths in integers: `format!("{v:.2}")` takes the exact (and slow) path of
    // float printing, and a heat map of a province prints ten thousand of these.
    let hundredths = (v * 100.0).round();
    if !hundredths.is_finite() || hundredths.abs() >= 1e15 {
        return if v.is_finite() {
            format!("{v:.0}")
        } else {
            "0".into()
        };
    }
    let h = hundredths as i64;
    let sign = if h < 0 { "-" } else { "" };
    let (whole, part) = (h.unsigned_abs() / 100, h.unsigned_abs() % 100);
    match part {
        0 if whole == 0 => "0".into(),
        0 => format!("{sign}{whole}"),
        p if p % 10 == 0 => format!("{sign}{whole}.{}", p / 10),
        p => format!("{sign}{whole}.{p:02}"),
    }
}

/// A finite number, or `None` (NaN and infinities count as missing).
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A value for people: Vietnamese digits plus the caller's suffix, or "–" when missing.
pub(crate) fn show(v: Option<f64>, suffix: &str) -> String {
    match v.and_then(finite) {
        Some(v) => format!("{}{suffix}", format_number(v, DECIMALS)),
        None => DASH.to_string(),
    }
}

/// Shortens a label to `max` characters, ending with "…" when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

/// Rough rendered width of `s` in a sans-serif font: good enough to reserve space.
pub(crate) fn text_width(s: &str, font_size: f64) -> f64 {
    s.chars().count() as f64 * font_size * 0.56
}

/// Keeps `[A-Za-z0-9_-]`, replacing anything else by '-', and makes sure the id starts with a
/// letter (XML ids may not start with a digit or '-').
pub(crate) fn sanitize_id(id: &str) -> String {
    let cleaned: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    match cleaned.chars().next() {
        None => "chart".into(),
        Some(c) if c.is_ascii_alphabetic() || c == '_' => cleaned,
        Some(_) => format!("c{cleaned}"),
    }
}

/// Black or white, whichever reads better on `fill` (a `#rrggbb` colour).
pub(crate) fn ink_on(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    // WCAG relative luminance, then the text colour with the higher contrast ratio.
    let channel = |i: usize| {
        let c = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(1.0, |v| f64::from(v) / 255.0);
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    let with_white = 1.05 / (luminance + 0.05);
    let with_black = (luminance + 0.05) / 0.05;
    if with_white > with_black {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The opening `<svg>` with its accessible name and description.
pub(crate) fn open(chart: &Chart, width: f64, height: f64) -> String {
    let id = sanitize_id(&chart.id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" xml:lang="vi" font-family="{FONT}" font-size="12" fill="{INK}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        w = n(width),
        h = n(height),
        title = esc(&chart.title),
        desc = esc(&chart.description),
    )
}

pub(crate) const CLOSE: &str = "</svg>";

/// Closes a chart. One whose marks are links is a group, not an image: an image's
/// content is hidden from assistive technology, and the links with it.
pub(crate) fn close(mut s: String) -> String {
    if s.contains("<a ") {
        s = s.replacen(r#"role="img""#, r#"role="group""#, 1);
    }
    s.push_str(CLOSE);
    s
}

/// The chart frame with a centred "Chưa có dữ liệu", for charts without data.
pub(crate) fn empty(chart: &Chart) -> String {
    let height = 120.0;
    let mut s = open(chart, WIDTH, height);
    let _ = write!(
        s,
        r#"<rect class="frame" x="0.5" y="0.5" width="{w}" height="{h}" fill="none" stroke="{GRID}"/><text x="{cx}" y="{cy}" text-anchor="middle" font-size="14" fill="{MUTED}">{text}</text>"#,
        text = empty_text(chart.lang),
        w = n(WIDTH - 1.0),
        h = n(height - 1.0),
        cx = n(WIDTH / 2.0),
        cy = n(height / 2.0 + 5.0),
    );
    s.push_str(CLOSE);
    s
}

/// `<a href>` around a mark when the caller gave a drill-down link.
pub(crate) fn link_open(href: Option<&str>) -> String {
    match href {
        Some(h) if !h.trim().is_empty() => format!(r#"<a href="{}">"#, esc(h.trim())),
        _ => String::new(),
    }
}

pub(crate) fn link_close(href: Option<&str>) -> &'static str {
    match href {
        Some(h) if !h.trim().is_empty() => "</a>",
        _ => "",
    }
}

/// A `<text>` element; `attrs` is raw extra attributes (already escaped by the caller).
pub(crate) fn text(x: f64, y: f64, anchor: &str, attrs: &str, content: &str) -> String {
    format!(
        r#"<text x="{}" y="{}" text-anchor="{anchor}"{}>{}</text>"#,
        n(x),
        n(y),
        if attrs.is_empty() {
            String::new()
        } else {
            format!(" {attrs}")
        },
        esc(content)
    )
}

/// A label that may be truncated: the visible text is shortened, the full label is in a
/// `<title>` child so it shows on hover.
pub(crate) fn label(x: f64, y: f64, anchor: &str, attrs: &str, full: &str, max: usize) -> String {
    let shown = truncate(full, max);
    let mut t = text(x, y, anchor, attrs, &shown);
    if shown != full.trim() {
        // Insert the title as the text's first child.
        let at = t.find('>').map_or(0, |i| i + 1);
        t.insert_str(at, &format!("<title>{}</title>", esc(full)));
    }
    t
}

/// Stroke dash patterns per series, so lines and polygons differ without colour.
pub(crate) const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 4"];

/// A point marker of shape `kind` (cycled), with its hover title.
pub(crate) fn marker(
    kind: usize,
    x: f64,
    y: f64,
    colour: &str,
    class: &str,
    title: &str,
) -> String {
    let r = 4.5;
    let title = format!("<title>{}</title>", esc(title));
    let filled = format!(r##"class="{class}" fill="{colour}" stroke="#ffffff" stroke-width="1""##);
    let hollow = format!(r##"class="{class}" fill="#ffffff" stroke="{colour}" stroke-width="2""##);
    let poly = |pts: &[(f64, f64)], style: &str| {
        let points: Vec<String> = pts
            .iter()
            .map(|(dx, dy)| format!("{},{}", n(x + dx), n(y + dy)))
            .collect();
        format!(
            r#"<polygon points="{}" {style}>{title}</polygon>"#,
            points.join(" ")
        )
    };
    match kind % 8 {
        0 => format!(
            r#"<circle cx="{}" cy="{}" r="{}" {filled}>{title}</circle>"#,
            n(x),
            n(y),
            n(r)
        ),
        1 => format!(
            r#"<rect x="{}" y="{}" width="{}" height="{}" {filled}>{title}</rect>"#,
            n(x - 4.0),
            n(y - 4.0),
            n(8.0),
            n(8.0)
        ),
        2 => poly(&[(0.0, -5.5), (5.0, 4.0), (-5.0, 4.0)], &filled),
        3 => poly(&[(0.0, -5.5), (5.5, 0.0), (0.0, 5.5), (-5.5, 0.0)], &filled),
        4 => poly(&[(0.0, 5.5), (5.0, -4.0), (-5.0, -4.0)], &filled),
        5 => {
            // A plus sign: visible even where the line passes through it.
            let (a, b) = (1.8, 5.5);
            poly(
                &[
                    (-a, -b),
                    (a, -b),
                    (a, -a),
                    (b, -a),
                    (b, a),
                    (a, a),
                    (a, b),
                    (-a, b),
                    (-a, a),
                    (-b, a),
                    (-b, -a),
                    (-a, -a),
                ],
                &filled,
            )
        }
        6 => format!(
            r#"<circle cx="{}" cy="{}" r="{}" {hollow}>{title}</circle>"#,
            n(x),
            n(y),
            n(r - 0.5)
        ),
        _ => format!(
            r#"<rect x="{}" y="{}" width="{}" height="{}" {hollow}>{title}</rect>"#,
            n(x - 3.5),
            n(y - 3.5),
            n(7.0),
            n(7.0)
        ),
    }
}

/// What a legend entry looks like.
pub(crate) enum Key<'a> {
    /// A filled square (bars, segments, heat-map steps).
    Swatch(&'a str),
    /// An outlined square (the heat map's slow cells).
    Outline(&'a str),
    /// A line sample with the series' dash and marker (line and radar charts).
    Line {
        colour: &'a str,
        dash: &'a str,
        marker: Option<usize>,
    },
}

/// Lays legend entries left to right, wrapping at `width`. Returns the markup and its height.
pub(crate) fn legend(entries: &[(Key<'_>, String)], x0: f64, y0: f64, width: f64) -> (String, f64) {
    const LINE: f64 = 20.0;
    const SAMPLE: f64 = 22.0;
    let mut out = String::from(r#"<g class="legend" font-size="12">"#);
    let (mut x, mut y) = (x0, y0);
    for (key, name) in entries {
        let shown = truncate(name, LABEL_CHARS);
        let item_w = SAMPLE + 6.0 + text_width(&shown, 12.0) + 16.0;
        if x > x0 && x + item_w > x0 + width {
            x = x0;
            y += LINE;
        }
        let mid = y + LINE / 2.0;
        match key {
            Key::Swatch(fill) => {
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="14" height="14" fill="{fill}" stroke="{MUTED}" stroke-width="0.5"/>"#,
                    n(x + 4.0),
                    n(mid - 7.0)
                );
            }
            Key::Outline(stroke) => {
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="13" height="13" fill="none" stroke="{stroke}" stroke-width="3"/>"#,
                    n(x + 4.5),
                    n(mid - 6.5)
                );
            }
            Key::Line {
                colour,
                dash,
                marker: shape,
            } => {
                let dash_attr = if dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{dash}""#)
                };
                let _ = write!(
                    out,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>"#,
                    n(x),
                    n(mid),
                    n(x + SAMPLE),
                    n(mid)
                );
                if let Some(kind) = shape {
                    // An untitled copy of the marker: the legend is not a data point.
                    let m = marker(*kind, x + SAMPLE / 2.0, mid, colour, "key", "");
                    out.push_str(&m.replace("<title></title>", ""));
                }
            }
        }
        out.push_str(&label(
            x + SAMPLE + 6.0,
            mid + 4.0,
            "start",
            "",
            name,
            LABEL_CHARS,
        ));
        x += item_w;
    }
    out.push_str("</g>");
    (out, y + LINE - y0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_five() {
        assert_eq!(
            esc(r#"a&b<c>"d"'e"#),
            "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e"
        );
    }

    #[test]
    fn geometry_numbers() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.256), "1.26");
        assert_eq!(n(-0.001), "0");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(n(120.50), "120.5");
        assert_eq!(n(-3.04), "-3.04");
        assert_eq!(n(0.999), "1");
        assert_eq!(n(-0.5), "-0.5");
        assert_eq!(n(f64::INFINITY), "0");
        assert_eq!(n(1e20), "100000000000000000000");
    }

    #[test]
    fn ids_are_sanitised() {
        assert_eq!(sanitize_id("c-groups"), "c-groups");
        assert_eq!(sanitize_id("a b\"<x>"), "a-b--x-");
        assert_eq!(sanitize_id(""), "chart");
        assert_eq!(sanitize_id("9x"), "c9x");
    }

    #[test]
    fn truncation_keeps_32_chars() {
        let long = "Sở Khoa học và Công nghệ tỉnh Quảng Trị và các đơn vị";
        let t = truncate(long, 32);
        assert!(t.chars().count() <= 32);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("Sở Tư pháp", 32), "Sở Tư pháp");
    }

    #[test]
    fn ink_contrasts() {
        assert_eq!(ink_on("#08306b"), "#ffffff");
        assert_eq!(ink_on("#f7fbff"), "#000000");
        assert_eq!(ink_on("#F0E442"), "#000000");
        assert_eq!(ink_on("#000000"), "#ffffff");
    }
}
