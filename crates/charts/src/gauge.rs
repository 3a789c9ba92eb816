//! Semicircular gauge with the value printed large in the middle.

use std::f64::consts::PI;
use std::fmt::Write as _;

use crate::svg::{MUTED, PALETTE, close, empty, esc, finite, n, open, show, target_label, text};
use crate::{Chart, nice_max};

const WIDTH: f64 = 360.0;
const CX: f64 = 180.0;
const CY: f64 = 160.0;
const R: f64 = 110.0;
const TRACK: f64 = 26.0;
const TRACK_FILL: &str = "#e5e5e5";

/// Semicircular gauge of `value` out of `max` (e.g. 72 of 100 %), value printed big in the
/// middle with `suffix`, optional target tick on the arc with a label.
///
/// A missing (non-finite) value draws "Chưa có dữ liệu"; an unusable `max` becomes a nice
/// maximum of the value. The arc is clamped to 0..max; the printed value is the real one.
pub fn gauge(chart: &Chart, value: f64, max: f64, target: Option<f64>, suffix: &str) -> String {
    let Some(value) = finite(value) else {
        return empty(chart);
    };
    let target = target.and_then(finite);
    let max = match finite(max) {
        Some(m) if m > 0.0 => m,
        _ => nice_max(value.max(target.unwrap_or(0.0))).max(1.0),
    };
    let fraction = |v: f64| v.clamp(0.0, max) / max;
    let value_text = show(Some(value), suffix);
    let max_text = show(Some(max), suffix);
    let tip = format!("{value_text} / {max_text}");
    let height = CY + 36.0;

    let mut s = open(chart, WIDTH, height);
    // Grey track (the whole half circle), then the value arc over it; both carry the title.
    let _ = write!(
        s,
        r#"<path class="track" d="{}" fill="none" stroke="{TRACK_FILL}" stroke-width="{}"><title>{}</title></path>"#,
        arc(0.0, 1.0),
        n(TRACK),
        esc(&tip)
    );
    let f = fraction(value);
    if f > 0.0 {
        let _ = write!(
            s,
            r#"<path class="value" d="{}" fill="none" stroke="{}" stroke-width="{}"><title>{}</title></path>"#,
            arc(0.0, f),
            PALETTE[0],
            n(TRACK),
            esc(&tip)
        );
    }
    // Scale ends under the arc.
    let small = format!(r#"font-size="11" fill="{MUTED}""#);
    s.push_str(&text(
        CX - R,
        CY + 18.0,
        "middle",
        &small,
        &show(Some(0.0), ""),
    ));
    s.push_str(&text(
        CX + R,
        CY + 18.0,
        "middle",
        &small,
        &show(Some(max), ""),
    ));
    // The value, big.
    s.push_str(&text(
        CX,
        CY - 12.0,
        "middle",
        r#"font-size="40" font-weight="bold""#,
        &value_text,
    ));

    if let Some(t) = target {
        let caption = format!("{}: {}", target_label(chart.lang), show(Some(t), suffix));
        let (ux, uy) = direction(fraction(t));
        let inner = R - TRACK / 2.0 - 5.0;
        let outer = R + TRACK / 2.0 + 5.0;
        let _ = write!(
            s,
            r##"<g class="target"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000000" stroke-width="3"><title>{}</title></line>"##,
            n(CX + ux * inner),
            n(CY + uy * inner),
            n(CX + ux * outer),
            n(CY + uy * outer),
            esc(&caption)
        );
        // The number beside the tick, the full caption under the value (never clipped).
        let lx = CX + ux * (outer + 6.0);
        let ly = CY + uy * (outer + 6.0) + 4.0;
        let anchor = if ux > 0.25 {
            "start"
        } else if ux < -0.25 {
            "end"
        } else {
            "middle"
        };
        s.push_str(&text(
            lx,
            ly,
            anchor,
            r#"font-size="11" font-weight="bold""#,
            &show(Some(t), ""),
        ));
        s.push_str(&text(
            CX,
            CY + 22.0,
            "middle",
            r#"font-size="12""#,
            &caption,
        ));
        s.push_str("</g>");
    }
    close(s)
}

/// Unit vector from the centre for a fraction of the half circle: 0 is left, 1 is right,
/// going over the top (y grows downwards in SVG).
fn direction(f: f64) -> (f64, f64) {
    let angle = PI * (1.0 - f);
    (angle.cos(), -angle.sin())
}

/// Path of the arc from fraction `from` to `to` (clockwise on screen: sweep flag 1).
/// Never more than half a circle, so the large-arc flag is always 0.
fn arc(from: f64, to: f64) -> String {
    let (x0, y0) = direction(from);
    let (x1, y1) = direction(to);
    format!(
        "M{},{} A{r},{r} 0 0 1 {},{}",
        n(CX + x0 * R),
        n(CY + y0 * R),
        n(CX + x1 * R),
        n(CY + y1 * R),
        r = n(R)
    )
}
