//! The one CSV writer of every export: UTF-8, a byte-order mark at the start of a
//! document (so Excel reads Vietnamese), and every cell made safe from formula injection
//! (`dxplan_domain::text::formula_safe`): a title like `=HYPERLINK(…)` opens as text.

use dxplan_domain::text::formula_safe;

/// Writes records (the header first, if any) as CSV. `bom`: this is the start of a
/// document; a later page of a streamed download goes without.
pub fn write<Rs, R, C>(bom: bool, records: Rs) -> Result<Vec<u8>, csv::Error>
where
    Rs: IntoIterator<Item = R>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for record in records {
            let cells: Vec<String> = record
                .into_iter()
                .map(|c| formula_safe(c.as_ref()).into_owned())
                .collect();
            w.write_record(&cells)?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_open_as_text_and_numbers_stay_numbers() {
        let bytes = super::write(
            true,
            [
                vec!["code", "title", "value"],
                vec!["1.1", "=HYPERLINK(\"http://evil.example\",\"x\")", "-5"],
                vec!["1.2", "@SUM(1+1)", "12,5"],
            ],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(
            text.contains("1.1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-5\n"),
            "{text}"
        );
        assert!(text.contains("1.2,'@SUM(1+1),\"12,5\"\n"), "{text}");
    }
}
