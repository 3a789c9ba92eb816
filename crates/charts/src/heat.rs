//! Heat map of percentages: rows × columns, a 5-step sequential blue scale, values printed.

use std::fmt::Write as _;

use dxplan_domain::text::format_number;

use crate::svg::{
    DASH, Key, LABEL_CHARS, MISSING_FILL, MUTED, PAD, ROW, WIDTH, close, empty, esc, finite,
    ink_on, label, legend, link_close, link_open, n, open, show, text_width, truncate,
};
use crate::{Chart, HeatCell};

/// Light to dark blue (ColorBrewer "Blues"), readable with colour-vision deficiencies and in
/// greyscale print because lightness changes monotonically.
pub(crate) const STEPS: [&str; 5] = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
const HEADER_H: f64 = 26.0;
const MAX_LABEL_W: f64 = 230.0;
const MIN_CELL_W: f64 = 40.0;
const MAX_CELL_W: f64 = 80.0;
/// Below this percentage a cell is outlined: the slow cells are the ones to look at, and
/// on a light-to-dark scale they are the palest.
pub(crate) const SLOW_BELOW: f64 = 40.0;
const SLOW_OUTLINE: &str = "#d4351c";

/// The step colour for a percentage: 0–20, 20–40, 40–60, 60–80, 80–100 (clamped).
pub(crate) fn heat_colour(v: f64) -> &'static str {
    let step = (v.clamp(0.0, 100.0) / 20.0).floor() as usize;
    STEPS[step.min(STEPS.len() - 1)]
}

/// Heat map: rows × columns of values 0–100 (percent), each cell coloured on a sequential
/// colour-blind-safe scale (light to dark blue, 5 steps from #f7fbff to #08306b), the
/// value printed in the cell (white text on dark cells, black on light), "–" for None drawn
/// in light grey with a plain fill. Column headers may be short codes; long row labels allowed.
///
/// `cells[r][c]` belongs to `rows[r]` and `columns[c]`; missing cells count as `None`.
pub fn heat_map(
    chart: &Chart,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<HeatCell>],
) -> String {
    if rows.is_empty() || columns.is_empty() {
        return empty(chart);
    }
    let label_w = rows
        .iter()
        .map(|r| text_width(&truncate(r, LABEL_CHARS), 12.0))
        .fold(0.0, f64::max)
        .min(MAX_LABEL_W)
        + 10.0;
    let grid_x = PAD + label_w;
    let cell_w = ((WIDTH - grid_x - PAD) / columns.len() as f64).clamp(MIN_CELL_W, MAX_CELL_W);
    let width = (grid_x + cell_w * columns.len() as f64 + PAD).max(WIDTH);
    // Headers are cut to what fits in a cell; the full header is in its hover title.
    let header_chars = ((cell_w - 4.0) / (11.0 * 0.56)).floor().max(2.0) as usize;

    let top = PAD + HEADER_H;
    let grid_h = rows.len() as f64 * ROW;

    let mut entries: Vec<(Key<'_>, String)> = STEPS
        .iter()
        .enumerate()
        .map(|(i, c)| (Key::Swatch(c), format!("{}–{} %", i * 20, (i + 1) * 20)))
        .collect();
    entries.push((
        Key::Swatch(MISSING_FILL),
        chart.lang.pick("Không có dữ liệu", "No data").to_string(),
    ));
    entries.push((
        Key::Outline(SLOW_OUTLINE),
        chart
            .lang
            .pick("Viền đỏ: dưới 40 %", "Red outline: below 40 %")
            .to_string(),
    ));
    let (legend_svg, legend_h) = legend(&entries, PAD, top + grid_h + 8.0, width - 2.0 * PAD);
    let height = top + grid_h + 8.0 + legend_h + PAD;

    let mut s = open(chart, width, height);
    s.push_str(r#"<g class="headers" font-size="11" font-weight="bold">"#);
    for (ci, col) in columns.iter().enumerate() {
        let x = grid_x + (ci as f64 + 0.5) * cell_w;
        s.push_str(&label(x, top - 9.0, "middle", "", col, header_chars));
    }
    s.push_str("</g>");

    for (ri, row) in rows.iter().enumerate() {
        let y = top + ri as f64 * ROW;
        s.push_str(&label(
            grid_x - 8.0,
            y + ROW / 2.0 + 4.0,
            "end",
            "",
            row,
            LABEL_CHARS,
        ));
        for (ci, col) in columns.iter().enumerate() {
            let cell = cells.get(ri).and_then(|r| r.get(ci));
            let value = cell.and_then(|c| c.value).and_then(finite);
            let href = cell.and_then(|c| c.href.as_deref());
            let fill = value.map_or(MISSING_FILL, heat_colour);
            let ink = if value.is_some() { ink_on(fill) } else { MUTED };
            let tip = format!("{} – {}: {}", row.trim(), col.trim(), show(value, " %"));
            let x = grid_x + ci as f64 * cell_w;
            s.push_str(&link_open(href));
            // The white stroke draws the gaps between cells.
            let _ = write!(
                s,
                r##"<rect class="cell" x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff" stroke-width="2"><title>{}</title></rect>"##,
                n(x),
                n(y),
                n(cell_w),
                n(ROW),
                esc(&tip)
            );
            let slow = value.is_some_and(|v| v < SLOW_BELOW);
            if slow {
                let _ = write!(
                    s,
                    r#"<rect class="slow" x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{SLOW_OUTLINE}" stroke-width="3"/>"#,
                    n(x + 2.5),
                    n(y + 2.5),
                    n(cell_w - 5.0),
                    n(ROW - 5.0)
                );
            }
            // One decimal keeps "100" and "72,5" inside a 40-unit cell.
            let shown = value.map_or(DASH.to_string(), |v| format_number(v, 1));
            let weight = if slow { r#" font-weight="bold""# } else { "" };
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{ink}"{weight}>{}</text>"#,
                n(x + cell_w / 2.0),
                n(y + ROW / 2.0 + 4.0),
                esc(&shown)
            );
            s.push_str(link_close(href));
        }
    }
    s.push_str(&legend_svg);
    close(s)
}
