//! Horizontal stacked bars with a legend; optionally each row scaled to 100 %.

use std::fmt::Write as _;

use dxplan_domain::text::format_number;

use crate::bar::x_axis;
use crate::svg::{
    INK, Key, LABEL_CHARS, PAD, PALETTE, ROW, WIDTH, close, empty, esc, finite, ink_on, label,
    legend, link_close, link_open, n, open, show, text, text_width, truncate,
};
use crate::{Chart, Segment, StackedRow, count_ticks, nice_max};

const AXIS: f64 = 26.0;
const MAX_LABEL_W: f64 = 230.0;
const MIN_PLOT_W: f64 = 160.0;

/// Horizontal stacked bars: each row's values (one per segment, same order) stacked left to
/// right, with a legend. `percent`: if true each row is scaled to 100 % of its own total.
///
/// Missing values (a row shorter than `segments`) count as 0; negative and non-finite values
/// draw nothing but are still shown in the hover title. Each row ends with its total.
pub fn stacked_bar(
    chart: &Chart,
    segments: &[Segment],
    rows: &[StackedRow],
    percent: bool,
    suffix: &str,
) -> String {
    if segments.is_empty() || rows.is_empty() {
        return empty(chart);
    }
    // One value per segment for every row; geometry uses only the positive part.
    let values: Vec<Vec<Option<f64>>> = rows
        .iter()
        .map(|r| {
            (0..segments.len())
                .map(|i| r.values.get(i).copied().and_then(finite))
                .collect()
        })
        .collect();
    let positive_total =
        |vals: &[Option<f64>]| vals.iter().flatten().map(|v| v.max(0.0)).sum::<f64>();
    let totals: Vec<f64> = values.iter().map(|v| v.iter().flatten().sum()).collect();
    let scale_max = if percent {
        100.0
    } else {
        nice_max(values.iter().map(|v| positive_total(v)).fold(0.0, f64::max)).max(1.0)
    };

    let total_texts: Vec<String> = totals.iter().map(|t| show(Some(*t), suffix)).collect();
    let label_w = rows
        .iter()
        .map(|r| text_width(&truncate(&r.label, LABEL_CHARS), 13.0))
        .fold(0.0, f64::max)
        .min(MAX_LABEL_W)
        + 10.0;
    let value_w = total_texts
        .iter()
        .map(|t| text_width(t, 12.0))
        .fold(0.0, f64::max)
        + 10.0;
    let plot_x = PAD + label_w;
    let plot_w = (WIDTH - plot_x - value_w - PAD).max(MIN_PLOT_W);
    let width = plot_x + plot_w + value_w + PAD;

    let colour = |i: usize| PALETTE[i % PALETTE.len()];
    let entries: Vec<(Key<'_>, String)> = segments
        .iter()
        .enumerate()
        .map(|(i, seg)| (Key::Swatch(colour(i)), seg.name.clone()))
        .collect();
    let (legend_svg, legend_h) = legend(&entries, PAD, PAD, width - 2.0 * PAD);
    let top = PAD + legend_h + 8.0;
    let rows_h = rows.len() as f64 * ROW;
    let height = top + rows_h + AXIS;

    let mut s = open(chart, width, height);
    s.push_str(&legend_svg);
    let x_of = |v: f64| plot_x + v.clamp(0.0, scale_max) / scale_max * plot_w;
    s.push_str(&x_axis(
        &count_ticks(scale_max, 5, values.iter().flatten().flatten().copied()),
        &x_of,
        top,
        rows_h,
        if percent { " %" } else { "" },
    ));

    for (ri, (row, vals)) in rows.iter().zip(&values).enumerate() {
        let y = top + ri as f64 * ROW;
        let mid = y + ROW / 2.0;
        let href = row.href.as_deref();
        let row_total = positive_total(vals);
        s.push_str(&link_open(href));
        s.push_str(r#"<g class="row">"#);
        s.push_str(&label(
            plot_x - 8.0,
            mid + 4.5,
            "end",
            r#"font-size="13""#,
            &row.label,
            LABEL_CHARS,
        ));

        // Running position in scale units; each segment spans [start, end).
        let mut start = 0.0;
        for (si, (seg, value)) in segments.iter().zip(vals).enumerate() {
            let amount = value.map_or(0.0, |v| v.max(0.0));
            let share = if row_total > 0.0 {
                amount / row_total * 100.0
            } else {
                0.0
            };
            let end = start + if percent { share } else { amount };
            let (x0, x1) = (x_of(start), x_of(end));
            start = end;
            if x1 - x0 <= 0.0 {
                continue;
            }
            let mut tip = format!(
                "{} – {}: {}",
                row.label.trim(),
                seg.name.trim(),
                show(*value, suffix)
            );
            if percent {
                let _ = write!(tip, " ({} %)", format_number(share, 1));
            }
            let fill = colour(si);
            // The white outline separates neighbouring segments without relying on colour.
            let _ = write!(
                s,
                r##"<rect class="seg" x="{}" y="{}" width="{}" height="18" fill="{fill}" stroke="#ffffff" stroke-width="1"><title>{}</title></rect>"##,
                n(x0),
                n(mid - 9.0),
                n(x1 - x0),
                esc(&tip)
            );
            // The number inside the segment, when it fits.
            let inner = if percent {
                format!("{} %", format_number(share, 0))
            } else {
                show(*value, "")
            };
            if text_width(&inner, 11.0) + 6.0 <= x1 - x0 {
                s.push_str(&text(
                    (x0 + x1) / 2.0,
                    mid + 4.0,
                    "middle",
                    &format!(r#"font-size="11" fill="{}""#, ink_on(fill)),
                    &inner,
                ));
            }
        }
        let bar_end = if percent && row_total > 0.0 {
            plot_x + plot_w
        } else {
            x_of(row_total)
        };
        s.push_str(&text(
            bar_end + 5.0,
            mid + 4.0,
            "start",
            &format!(r#"fill="{INK}""#),
            &total_texts[ri],
        ));
        s.push_str("</g>");
        s.push_str(link_close(href));
    }
    close(s)
}
