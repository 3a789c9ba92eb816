//! Server-rendered, accessible SVG charts for the dashboard and the Word/PDF reports.
//!
//! Every function returns a standalone `<svg>` string that:
//! - scales with its container (`viewBox` only, no pixel width; style `.chart { width: 100% }`),
//! - is announced as one image (`role="img"`) named by its `<title>` and `<desc>` — or as a
//!   named group when its marks are links, which an image would hide,
//! - uses the Okabe–Ito palette and never relies on colour alone (values printed as text,
//!   different marker shapes and dash patterns per series),
//! - shows each value on hover through a `<title>` child of its mark,
//! - prints crisply: no filters, gradients, scripts, CSS or external fonts.
//!
//! Numbers people read are Vietnamese (`1.234,5`); numbers in the geometry use SVG syntax.
//! Every chart has a table view: [`table`].

mod bar;
mod gauge;
mod heat;
mod line;
mod radar;
mod stacked;
mod svg;
mod table;

pub use bar::bar;
pub use gauge::gauge;
pub use heat::heat_map;
pub use line::line;
pub use radar::radar;
pub use stacked::stacked_bar;
pub use table::table;

/// What every chart needs besides its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Makes element ids unique on a page (e.g. `"c-groups"`); sanitised to `[A-Za-z0-9_-]`.
    pub id: String,
    /// Short name, read first by screen readers (`<title>`).
    pub title: String,
    /// One or two sentences on what the chart shows (`<desc>`).
    pub description: String,
    /// The language of the few words a chart writes itself ("no data", "target").
    pub lang: dxplan_domain::Lang,
}

/// One row of a [`bar`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Drill-down link for the row.
    pub href: Option<String>,
}

/// A legend entry of a [`stacked_bar`] chart, in stacking order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
}

/// One row of a [`stacked_bar`] chart: one value per [`Segment`], same order.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedRow {
    pub label: String,
    pub values: Vec<f64>,
    pub href: Option<String>,
}

/// One line of a [`line`] chart or one polygon of a [`radar`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// `None` is a missing point (a gap in the line).
    pub values: Vec<Option<f64>>,
}

/// One cell of a [`heat_map`]: a percentage 0–100.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    pub value: Option<f64>,
    pub href: Option<String>,
}

/// The smallest "nice" number (1, 2 or 5 times a power of ten) at or above `v`.
/// Non-finite or non-positive input gives 1.
pub fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    let fraction = v / magnitude;
    // The tolerance keeps 100 at 100 despite floating-point noise in log10/powf.
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|&step| fraction <= step * (1.0 + 1e-9))
        .unwrap_or(10.0);
    nice * magnitude
}

/// Tick values from 0 up to `max` (inclusive) in nice 1-2-5 steps, about `count` of them.
/// Always contains 0; an unusable `max` or `count` gives just `[0]`.
pub fn ticks(max: f64, count: usize) -> Vec<f64> {
    if !max.is_finite() || max <= 0.0 || count == 0 {
        return vec![0.0];
    }
    let step = nice_max(max / count as f64);
    let steps = (max / step + 1e-9).floor() as usize;
    // Multiplying (rather than adding repeatedly) keeps 0.1 steps from drifting.
    (0..=steps).map(|i| round_tick(i as f64 * step)).collect()
}

/// [`ticks`] for an axis of counts (every value whole): the whole ones only, since "0,5
/// nhiệm vụ" means nothing.
pub(crate) fn count_ticks(
    max: f64,
    count: usize,
    values: impl IntoIterator<Item = f64>,
) -> Vec<f64> {
    let all = ticks(max, count);
    if values.into_iter().all(|v| v.fract() == 0.0) {
        all.into_iter().filter(|t| t.fract() == 0.0).collect()
    } else {
        all
    }
}

/// Removes floating-point dust such as 0.30000000000000004.
pub(crate) fn round_tick(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_max_rounds_up_to_1_2_5() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(-3.0), 1.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
        assert_eq!(nice_max(1.0), 1.0);
        assert_eq!(nice_max(1.2), 2.0);
        assert_eq!(nice_max(3.0), 5.0);
        assert_eq!(nice_max(72.5), 100.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(101.0), 200.0);
        assert_eq!(nice_max(1234.0), 2000.0);
        assert_eq!(nice_max(0.3), 0.5);
    }

    #[test]
    fn ticks_are_nice_and_include_zero() {
        assert_eq!(ticks(100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(1.0, 4), vec![0.0, 0.5, 1.0]);
        assert_eq!(ticks(0.3, 3), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(ticks(75.0, 4), vec![0.0, 20.0, 40.0, 60.0]);
        assert_eq!(ticks(0.0, 5), vec![0.0]);
        assert_eq!(ticks(10.0, 0), vec![0.0]);
    }
}
