//! Line chart: one line per series over shared x labels, distinct marker shapes, optional
//! dashed target line.

use std::fmt::Write as _;

use crate::svg::{
    GRID, Key, MUTED, PAD, PALETTE, WIDTH, close, empty, esc, finite, label, legend, marker, n,
    open, show, target_label, text, text_width, truncate,
};
use crate::{Chart, Series, nice_max, round_tick};

const PLOT_H: f64 = 220.0;
const TARGET_COLOUR: &str = "#555555";
const TARGET_DASH: &str = "6 4";
/// Longest visible x label (years, quarters: "Quý I/2025").
const X_LABEL_CHARS: usize = 16;
/// Value labels at each point only when they will not pile up.
const MAX_LABELLED_POINTS: usize = 12;

/// Line chart over `x_labels` (e.g. years "2021".."2025"), one line per series with point
/// markers (different marker shapes per series, not just colour), plus optional `target`
/// series drawn dashed and labelled (e.g. "Mục tiêu"). Y axis with nice ticks (0 included).
pub fn line(
    chart: &Chart,
    x_labels: &[String],
    series: &[Series],
    target: Option<&Series>,
    suffix: &str,
) -> String {
    let count = x_labels.len();
    let point = |s: &Series, i: usize| s.values.get(i).copied().flatten().and_then(finite);
    let all_values: Vec<f64> = series
        .iter()
        .chain(target)
        .flat_map(|s| (0..count).filter_map(move |i| point(s, i)))
        .collect();
    if count == 0 || all_values.is_empty() {
        return empty(chart);
    }

    // Counts (every value whole: communes, systems, people) get whole-number ticks.
    let whole = all_values.iter().all(|v| v.fract() == 0.0);
    let (lo, hi, step) = y_range(
        all_values.iter().copied().fold(0.0, f64::min),
        all_values.iter().copied().fold(0.0, f64::max),
        whole,
    );
    let tick_values: Vec<f64> = {
        let steps = ((hi - lo) / step + 1e-9).round() as usize;
        (0..=steps)
            .map(|i| round_tick(lo + i as f64 * step))
            .collect()
    };
    let tick_texts: Vec<String> = tick_values.iter().map(|t| show(Some(*t), "")).collect();

    // Legend on top: one entry per series, then the target.
    let mut entries: Vec<(Key<'_>, String)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let key = Key::Line {
                colour: PALETTE[i % PALETTE.len()],
                dash: "",
                marker: Some(i),
            };
            (key, s.name.clone())
        })
        .collect();
    if let Some(t) = target {
        let key = Key::Line {
            colour: TARGET_COLOUR,
            dash: TARGET_DASH,
            marker: None,
        };
        entries.push((key, target_name(t, chart.lang)));
    }
    let (legend_svg, legend_h) = legend(&entries, PAD, PAD, WIDTH - 2.0 * PAD);

    let axis_w = tick_texts
        .iter()
        .map(|t| text_width(t, 11.0))
        .fold(0.0, f64::max)
        + 10.0;
    let plot_x = PAD + axis_w;
    let plot_w = WIDTH - plot_x - PAD - 12.0;
    let top = PAD + legend_h + 18.0;
    let height = top + PLOT_H + 30.0;
    // Points sit 14 units inside the plot so end markers are never cut.
    let x_of = |i: usize| {
        if count == 1 {
            plot_x + plot_w / 2.0
        } else {
            plot_x + 14.0 + (plot_w - 28.0) * i as f64 / (count - 1) as f64
        }
    };
    let y_of = |v: f64| top + PLOT_H - (v - lo) / (hi - lo) * PLOT_H;

    let mut s = open(chart, WIDTH, height);
    s.push_str(&legend_svg);

    // Horizontal grid and y labels; the zero line is darker.
    s.push_str(r#"<g class="axis" font-size="11">"#);
    for (t, t_text) in tick_values.iter().zip(&tick_texts) {
        let y = y_of(*t);
        let stroke = if t.abs() < step / 2.0 { MUTED } else { GRID };
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="1"/>"#,
            n(plot_x),
            n(plot_x + plot_w),
            y = n(y)
        );
        s.push_str(&text(
            plot_x - 6.0,
            y + 4.0,
            "end",
            &format!(r#"fill="{MUTED}""#),
            t_text,
        ));
    }
    // X labels, thinned out when they would overlap.
    let shown: Vec<String> = x_labels
        .iter()
        .map(|l| truncate(l, X_LABEL_CHARS))
        .collect();
    let widest = shown
        .iter()
        .map(|l| text_width(l, 11.0))
        .fold(0.0, f64::max)
        + 8.0;
    let slot = if count > 1 {
        (plot_w - 28.0) / (count - 1) as f64
    } else {
        plot_w
    };
    let every = (widest / slot).ceil().max(1.0) as usize;
    for (i, l) in x_labels.iter().enumerate() {
        if i % every == 0 {
            s.push_str(&label(
                x_of(i),
                top + PLOT_H + 18.0,
                "middle",
                &format!(r#"fill="{MUTED}""#),
                l,
                X_LABEL_CHARS,
            ));
        }
    }
    s.push_str("</g>");

    let label_points = series.len() == 1 && count <= MAX_LABELLED_POINTS;
    // Where the target's name goes: over its last point, or under it when a value label
    // would sit there (a value at or near the target), so the two never overlap.
    let target_name_at = target.and_then(|t| {
        let last = (0..count).rev().find(|&i| point(t, i).is_some())?;
        let y = y_of(point(t, last)?);
        let value_label_y = series
            .first()
            .filter(|_| label_points)
            .and_then(|ser| point(ser, last))
            .map(|v| y_of(v) - 10.0);
        let above = y - 8.0;
        let y = match value_label_y {
            Some(vy) if (vy - above).abs() < LABEL_CLEARANCE => {
                if y + 17.0 <= top + PLOT_H {
                    y + 17.0
                } else {
                    vy.min(above) - LABEL_CLEARANCE
                }
            }
            _ => above,
        };
        Some((last, y))
    });
    if let Some(t) = target {
        let name = target_name(t, chart.lang);
        s.push_str(r#"<g class="target">"#);
        s.push_str(&polyline(
            count,
            |i| point(t, i),
            &x_of,
            &y_of,
            TARGET_COLOUR,
            TARGET_DASH,
            2.0,
        ));
        for (i, x_label) in x_labels.iter().enumerate() {
            if let Some(v) = point(t, i) {
                let tip = format!("{name} – {}: {}", x_label.trim(), show(Some(v), suffix));
                let _ = write!(
                    s,
                    r#"<circle class="point" cx="{}" cy="{}" r="3" fill="{TARGET_COLOUR}"><title>{}</title></circle>"#,
                    n(x_of(i)),
                    n(y_of(v)),
                    esc(&tip)
                );
            }
        }
        // The name next to the last target point, so the dashed line is labelled in print too.
        if let Some((last, y)) = target_name_at {
            // Left of the last point's marker, clear of it.
            let (anchor, x) = if count > 1 {
                ("end", x_of(last) - 6.0)
            } else {
                ("middle", x_of(last))
            };
            s.push_str(&text(
                x,
                y,
                anchor,
                &format!(r#"font-size="11" font-weight="bold" fill="{TARGET_COLOUR}""#),
                &truncate(&name, LABEL_NAME_CHARS),
            ));
        }
        s.push_str("</g>");
    }

    for (si, ser) in series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        s.push_str(r#"<g class="series">"#);
        s.push_str(&polyline(
            count,
            |i| point(ser, i),
            &x_of,
            &y_of,
            colour,
            "",
            2.5,
        ));
        for (i, x_label) in x_labels.iter().enumerate() {
            let Some(v) = point(ser, i) else { continue };
            let (x, y) = (x_of(i), y_of(v));
            let value = show(Some(v), suffix);
            let tip = format!("{} – {}: {value}", ser.name.trim(), x_label.trim());
            s.push_str(&marker(si, x, y, colour, "point", &tip));
            if label_points {
                s.push_str(&text(x, y - 10.0, "middle", r#"font-size="11""#, &value));
            }
        }
        s.push_str("</g>");
    }
    close(s)
}

const LABEL_NAME_CHARS: usize = 24;
/// How far apart two 11-unit labels' baselines must be not to touch.
const LABEL_CLEARANCE: f64 = 13.0;

fn target_name(t: &Series, lang: dxplan_domain::Lang) -> String {
    if t.name.trim().is_empty() {
        target_label(lang).to_string()
    } else {
        t.name.trim().to_string()
    }
}

/// A path through consecutive present points; a missing point starts a new sub-path (a gap).
/// Isolated points get no path: their marker shows them.
fn polyline(
    count: usize,
    value: impl Fn(usize) -> Option<f64>,
    x_of: &dyn Fn(usize) -> f64,
    y_of: &dyn Fn(f64) -> f64,
    colour: &str,
    dash: &str,
    width: f64,
) -> String {
    let mut d = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, d: &mut String| {
        if run.len() >= 2 {
            for (k, (x, y)) in run.iter().enumerate() {
                let _ = write!(d, "{}{},{} ", if k == 0 { "M" } else { "L" }, n(*x), n(*y));
            }
        }
        run.clear();
    };
    for i in 0..count {
        match value(i) {
            Some(v) => run.push((x_of(i), y_of(v))),
            None => flush(&mut run, &mut d),
        }
    }
    flush(&mut run, &mut d);
    if d.is_empty() {
        return String::new();
    }
    let dash_attr = if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    };
    format!(
        r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>"#,
        d.trim_end(),
        n(width)
    )
}

/// A y range covering `min..max` and 0, in nice steps: (low, high, step); steps of at least
/// one when `whole` (counts have no fractions to show).
fn y_range(min: f64, max: f64, whole: bool) -> (f64, f64, f64) {
    let min = min.min(0.0);
    // All zeros: show 0..1 rather than a degenerate axis.
    let max = if max.max(0.0) > min {
        max.max(0.0)
    } else {
        min + 1.0
    };
    let span = max - min;
    let mut step = nice_max(span / 5.0);
    if whole {
        step = step.max(1.0).round();
    }
    let lo = (min / step + 1e-9).floor() * step;
    let mut hi = (max / step - 1e-9).ceil() * step;
    if hi - lo <= 0.0 {
        hi = lo + step;
    }
    // Avoid -0 at the bottom.
    (if lo == 0.0 { 0.0 } else { lo }, hi, step)
}

#[cfg(test)]
mod tests {
    use super::y_range;

    #[test]
    fn y_range_includes_zero() {
        assert_eq!(y_range(0.0, 100.0, false), (0.0, 100.0, 20.0));
        assert_eq!(y_range(0.0, 72.5, false), (0.0, 80.0, 20.0));
        assert_eq!(y_range(0.0, 0.0, false), (0.0, 1.0, 0.2));
        assert_eq!(y_range(-10.0, 30.0, false), (-10.0, 30.0, 10.0));
    }

    #[test]
    fn counts_get_whole_number_steps() {
        assert_eq!(y_range(0.0, 3.0, true), (0.0, 3.0, 1.0));
        assert_eq!(y_range(0.0, 0.0, true), (0.0, 1.0, 1.0));
        assert_eq!(y_range(0.0, 3.0, false).2, 1.0);
        assert_eq!(y_range(0.0, 2.0, false).2, 0.5);
        assert_eq!(y_range(0.0, 2.0, true).2, 1.0);
    }
}
