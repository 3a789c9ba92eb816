//! The table view every chart must have: the same data as plain HTML.

use std::fmt::Write as _;

use crate::svg::{esc, show};

/// A plain HTML table for the same data as a chart:
/// `<table class="chart-table"><caption>title</caption><thead>…</thead><tbody>…</tbody></table>`
/// with numbers formatted Vietnamese and `–` for None.
///
/// `headers`: column headers, the first one for the row-label column. `rows`: a label, then
/// the values; a row shorter than the headers is padded with `–`.
pub fn table(
    caption: &str,
    headers: &[String],
    rows: &[(String, Vec<Option<f64>>)],
    suffix: &str,
) -> String {
    let mut s = format!(
        r#"<table class="chart-table"><caption>{}</caption><thead><tr>"#,
        esc(caption)
    );
    for h in headers {
        let _ = write!(s, r#"<th scope="col">{}</th>"#, esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    // Value columns: as many as the headers announce, or the longest row when headers are short.
    let value_columns = headers
        .len()
        .saturating_sub(1)
        .max(rows.iter().map(|(_, v)| v.len()).max().unwrap_or(0));
    for (label, values) in rows {
        let _ = write!(s, r#"<tr><th scope="row">{}</th>"#, esc(label));
        for i in 0..value_columns {
            let v = values.get(i).copied().flatten();
            let _ = write!(s, r#"<td class="num">{}</td>"#, esc(&show(v, suffix)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}
