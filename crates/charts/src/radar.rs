//! Radar (spider) chart: one polygon per series over 3 or more axes.

use std::f64::consts::PI;
use std::fmt::Write as _;

use crate::svg::{
    DASHES, GRID, Key, MUTED, PAD, PALETTE, close, empty, finite, label, legend, marker, n, open,
    show, text,
};
use crate::{Bar, Chart, Series, bar, nice_max};

const WIDTH: f64 = 640.0;
const R: f64 = 140.0;
const RINGS: usize = 4;
/// Axis labels sit left and right of the circle, so they get fewer characters than bar labels.
const AXIS_LABEL_CHARS: usize = 24;

/// Radar (spider) chart: `axes` labels around the circle, 4 grid rings, one polygon per
/// series (semi-transparent fill via fill-opacity, distinct stroke dash per series), each
/// axis scaled 0..`max`. Needs at least 3 axes; with fewer, falls back to `bar` of the first series.
///
/// Missing values are drawn at the centre and shown as "–" in their hover title; an unusable
/// `max` becomes a nice maximum of the data.
pub fn radar(chart: &Chart, axes: &[String], series: &[Series], max: f64) -> String {
    let point = |s: &Series, i: usize| s.values.get(i).copied().flatten().and_then(finite);
    if axes.len() < 3 {
        let items: Vec<Bar> = match series.first() {
            Some(first) => axes
                .iter()
                .enumerate()
                .map(|(i, a)| Bar {
                    label: a.clone(),
                    value: point(first, i).unwrap_or(f64::NAN),
                    href: None,
                })
                .collect(),
            None => Vec::new(),
        };
        return bar(chart, &items, "", finite(max).filter(|m| *m > 0.0), None);
    }
    let count = axes.len();
    let data_max = series
        .iter()
        .flat_map(|s| (0..count).filter_map(move |i| point(s, i)))
        .fold(f64::NEG_INFINITY, f64::max);
    if data_max == f64::NEG_INFINITY {
        return empty(chart);
    }
    let max = match finite(max) {
        Some(m) if m > 0.0 => m,
        _ => nice_max(data_max).max(1.0),
    };

    let entries: Vec<(Key<'_>, String)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let key = Key::Line {
                colour: PALETTE[i % PALETTE.len()],
                dash: DASHES[i % DASHES.len()],
                marker: Some(i),
            };
            (key, s.name.clone())
        })
        .collect();
    let (legend_svg, legend_h) = legend(&entries, PAD, PAD, WIDTH - 2.0 * PAD);
    let cx = WIDTH / 2.0;
    let cy = PAD + legend_h + 24.0 + R;
    let height = cy + R + 30.0;
    // Axis i points up for i = 0 and goes clockwise.
    let direction = |i: usize| {
        let angle = -PI / 2.0 + 2.0 * PI * i as f64 / count as f64;
        (angle.cos(), angle.sin())
    };
    let at = |i: usize, radius: f64| {
        let (ux, uy) = direction(i);
        (cx + ux * radius, cy + uy * radius)
    };
    let points = |radius_of: &dyn Fn(usize) -> f64| {
        (0..count)
            .map(|i| {
                let (x, y) = at(i, radius_of(i));
                format!("{},{}", n(x), n(y))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };

    let mut s = open(chart, WIDTH, height);
    s.push_str(&legend_svg);

    // Grid: rings, spokes, ring values along the top spoke, axis labels.
    s.push_str(r#"<g class="grid" font-size="10">"#);
    for k in 1..=RINGS {
        let radius = R * k as f64 / RINGS as f64;
        let _ = write!(
            s,
            r#"<polygon points="{}" fill="none" stroke="{GRID}" stroke-width="1"/>"#,
            points(&|_| radius)
        );
    }
    for i in 0..count {
        let (x, y) = at(i, R);
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
            n(cx),
            n(cy),
            n(x),
            n(y)
        );
    }
    for k in 1..=RINGS {
        let v = max * k as f64 / RINGS as f64;
        let y = cy - R * k as f64 / RINGS as f64;
        // Left of the top spoke: the top axis' value label goes to its right.
        s.push_str(&text(
            cx - 4.0,
            y + 11.0,
            "end",
            &format!(r#"fill="{MUTED}""#),
            &show(Some(v), ""),
        ));
    }
    s.push_str("</g>");
    s.push_str(r#"<g class="axes" font-size="12">"#);
    for (i, axis) in axes.iter().enumerate() {
        let (ux, uy) = direction(i);
        let (x, y) = at(i, R + 10.0);
        let anchor = if ux > 0.3 {
            "start"
        } else if ux < -0.3 {
            "end"
        } else {
            "middle"
        };
        // Labels above the circle sit on their baseline, labels below hang under it.
        let y = y + 4.0 + uy * 6.0;
        s.push_str(&label(x, y, anchor, "", axis, AXIS_LABEL_CHARS));
    }
    s.push_str("</g>");

    let label_points = series.len() == 1;
    for (si, ser) in series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        let dash = DASHES[si % DASHES.len()];
        let radius_of = |i: usize| point(ser, i).map_or(0.0, |v| v.clamp(0.0, max) / max * R);
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            s,
            r#"<g class="series"><polygon points="{}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-width="2" stroke-linejoin="round"{dash_attr}/>"#,
            points(&radius_of)
        );
        for (i, axis) in axes.iter().enumerate() {
            let value = point(ser, i);
            let (x, y) = at(i, radius_of(i));
            let tip = format!("{} – {}: {}", ser.name.trim(), axis.trim(), show(value, ""));
            s.push_str(&marker(si, x, y, colour, "point", &tip));
            if label_points && value.is_some() {
                // Outward from the point so the number does not sit on the line; points on a
                // vertical spoke get it on their right, clear of the spoke and ring values.
                let (ux, uy) = direction(i);
                let (lx, ly, anchor) = if ux.abs() < 0.3 {
                    (x + 8.0, y + 4.0, "start")
                } else {
                    (
                        x + ux * 9.0,
                        y + uy * 9.0 + 4.0,
                        if ux > 0.0 { "start" } else { "end" },
                    )
                };
                s.push_str(&text(
                    lx,
                    ly,
                    anchor,
                    r#"font-size="11" font-weight="bold""#,
                    &show(value, ""),
                ));
            }
        }
        s.push_str("</g>");
    }
    close(s)
}
