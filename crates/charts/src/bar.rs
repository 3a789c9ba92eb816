//! Horizontal bar chart: labels on the left (readable on a phone), values after the bars.

use std::fmt::Write as _;

use crate::svg::{
    DASH, GRID, INK, LABEL_CHARS, MUTED, PAD, PALETTE, ROW, WIDTH, close, empty, esc, finite,
    label, link_close, link_open, n, open, show, target_label, text, text_width, truncate,
};
use crate::{Bar, Chart, count_ticks, nice_max};

/// Space reserved under the rows for the axis labels.
const AXIS: f64 = 26.0;
/// Widest label column, so the bars keep room on a narrow screen.
const MAX_LABEL_W: f64 = 230.0;
/// Narrowest plot area.
const MIN_PLOT_W: f64 = 160.0;

/// Horizontal bar chart (labels on the left, readable on a phone), one row per item, value
/// printed at the end of each bar with `suffix`. `max`: the scale's top (None: nice rounded
/// maximum of the data, at least 1). Optional `target`: a vertical dashed reference line labelled.
pub fn bar(
    chart: &Chart,
    items: &[Bar],
    suffix: &str,
    max: Option<f64>,
    target: Option<f64>,
) -> String {
    if items.is_empty() {
        return empty(chart);
    }
    let values: Vec<Option<f64>> = items.iter().map(|b| finite(b.value)).collect();
    let target = target.and_then(finite);
    let scale_max = scale_top(&values, max, target);

    // Column widths from the longest visible label and the longest printed value.
    let value_texts: Vec<String> = values.iter().map(|v| show(*v, suffix)).collect();
    let label_w = items
        .iter()
        .map(|b| text_width(&truncate(&b.label, LABEL_CHARS), 13.0))
        .fold(0.0, f64::max)
        .min(MAX_LABEL_W)
        + 10.0;
    let value_w = value_texts
        .iter()
        .map(|t| text_width(t, 12.0))
        .fold(0.0, f64::max)
        + 10.0;
    let plot_x = PAD + label_w;
    let plot_w = (WIDTH - plot_x - value_w - PAD).max(MIN_PLOT_W);
    let width = plot_x + plot_w + value_w + PAD;

    // Room above the rows for the target's label.
    let top = if target.is_some() { 28.0 } else { 10.0 };
    let rows_h = items.len() as f64 * ROW;
    let height = top + rows_h + AXIS;
    let x_of = |v: f64| plot_x + v.clamp(0.0, scale_max) / scale_max * plot_w;

    let mut s = open(chart, width, height);
    let axis = count_ticks(scale_max, 5, values.iter().flatten().copied());
    s.push_str(&x_axis(&axis, &x_of, top, rows_h, ""));

    for (i, (item, value)) in items.iter().zip(&values).enumerate() {
        let y = top + i as f64 * ROW;
        let mid = y + ROW / 2.0;
        let href = item.href.as_deref();
        s.push_str(&link_open(href));
        let _ = write!(s, r#"<g class="row">"#);
        s.push_str(&label(
            plot_x - 8.0,
            mid + 4.5,
            "end",
            r#"font-size="13""#,
            &item.label,
            LABEL_CHARS,
        ));
        let tip = format!("{}: {}", item.label.trim(), value_texts[i]);
        let bar_w = value.map_or(0.0, |v| x_of(v) - plot_x);
        // A zero-width rect still carries the hover title for keyboard/screen-reader tools.
        let _ = write!(
            s,
            r#"<rect class="bar" x="{}" y="{}" width="{}" height="18" fill="{}"><title>{}</title></rect>"#,
            n(plot_x),
            n(mid - 9.0),
            n(bar_w),
            PALETTE[0],
            esc(&tip)
        );
        let fill = if value.is_some() { INK } else { MUTED };
        s.push_str(&text(
            plot_x + bar_w + 5.0,
            mid + 4.0,
            "start",
            &format!(r#"fill="{fill}""#),
            if value.is_some() {
                &value_texts[i]
            } else {
                DASH
            },
        ));
        s.push_str("</g>");
        s.push_str(link_close(href));
    }

    if let Some(t) = target {
        s.push_str(&target_line(
            x_of(t),
            top,
            rows_h,
            (target_label(chart.lang), &show(Some(t), suffix)),
            plot_x,
            plot_x + plot_w + value_w,
        ));
    }
    close(s)
}

/// The scale's top: the caller's `max` when usable, else a nice maximum of data and target.
pub(crate) fn scale_top(values: &[Option<f64>], max: Option<f64>, target: Option<f64>) -> f64 {
    match max.and_then(finite) {
        Some(m) if m > 0.0 => m,
        _ => {
            let data_max = values
                .iter()
                .flatten()
                .copied()
                .chain(target)
                .fold(0.0, f64::max);
            nice_max(data_max).max(1.0)
        }
    }
}

/// Vertical grid lines at `tick_values` with their labels under the rows.
pub(crate) fn x_axis(
    tick_values: &[f64],
    x_of: &dyn Fn(f64) -> f64,
    top: f64,
    rows_h: f64,
    suffix: &str,
) -> String {
    let mut s = String::from(r#"<g class="axis" font-size="11">"#);
    for &t in tick_values {
        let x = x_of(t);
        let _ = write!(
            s,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
            n(top),
            n(top + rows_h),
            x = n(x)
        );
        s.push_str(&text(
            x,
            top + rows_h + 16.0,
            "middle",
            &format!(r#"fill="{MUTED}""#),
            &show(Some(t), suffix),
        ));
    }
    s.push_str("</g>");
    s
}

/// A dashed vertical reference line across the rows, labelled above them.
/// The label is kept between `min_x` and `max_x`.
fn target_line(
    x: f64,
    top: f64,
    rows_h: f64,
    (label, value): (&str, &str),
    min_x: f64,
    max_x: f64,
) -> String {
    let caption = format!("{label}: {value}");
    let half = text_width(&caption, 11.0) / 2.0;
    let label_x = if max_x - min_x > 2.0 * half {
        x.clamp(min_x + half, max_x - half)
    } else {
        x
    };
    format!(
        r##"<g class="target"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"><title>{t}</title></line>{}</g>"##,
        n(top - 6.0),
        n(top + rows_h),
        text(
            label_x,
            top - 10.0,
            "middle",
            r#"font-size="11" font-weight="bold""#,
            &caption
        ),
        x = n(x),
        t = esc(&caption),
    )
}
