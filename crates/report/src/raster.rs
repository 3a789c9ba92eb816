//! SVG charts turned into PNG for documents that cannot embed SVG (Word's DrawingML).

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The fonts charts are drawn with, loaded once.
fn font_db() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for face in crate::fonts::faces() {
            db.load_font_data(face.into_owned());
        }
        db.set_sans_serif_family(crate::fonts::SANS[2]);
        db.set_serif_family(crate::fonts::SERIF[2]);
        Arc::new(db)
    })
    .clone()
}

/// A PNG of the SVG at `scale` times its size, with its pixel width and height.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<(Vec<u8>, u32, u32), String> {
    let options = usvg::Options {
        fontdb: font_db(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("empty chart")?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("chart too large")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| e.to_string())?;
    Ok((png, size.width(), size.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_with_vietnamese_labels_becomes_a_png() {
        let svg = dxplan_charts::bar(
            &dxplan_charts::Chart {
                id: "t".into(),
                title: "Tiến độ".into(),
                description: "Thử".into(),
                lang: dxplan_domain::Lang::Vi,
            },
            &[dxplan_charts::Bar {
                label: "Sở Khoa học và Công nghệ".into(),
                value: 72.5,
                href: None,
            }],
            " %",
            Some(100.0),
            None,
        );
        let (png, w, h) = svg_to_png(&svg, 2.0).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert!(w > 500 && h > 20, "{w}×{h}");
        assert!(svg_to_png("not svg", 1.0).is_err());
    }
}
