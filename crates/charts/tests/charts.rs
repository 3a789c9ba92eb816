//! Every chart through the public API: well-formed XML, accessible, escaped, right geometry,
//! and no panic on awkward data.

use dxplan_charts::{
    Bar, Chart, HeatCell, Segment, Series, StackedRow, bar, gauge, heat_map, line, radar,
    stacked_bar, table,
};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

// ---------------------------------------------------------------------------------------------
// A small DOM built with quick-xml: parsing fails loudly on anything not well-formed.

#[derive(Debug)]
enum Node {
    El(El),
    Text(String),
}

#[derive(Debug)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl El {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All text below this element, titles included.
    fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::El(e) => out.push_str(&e.text()),
            }
        }
        out
    }

    /// Visible text: like `text()` but without `<title>` children.
    fn visible_text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::El(e) if e.name != "title" => out.push_str(&e.visible_text()),
                Node::El(_) => {}
            }
        }
        out
    }

    /// The text of a direct `<title>` child (the hover text of a mark).
    fn title(&self) -> Option<String> {
        self.children.iter().find_map(|c| match c {
            Node::El(e) if e.name == "title" => Some(e.text()),
            _ => None,
        })
    }

    fn all(&self) -> Vec<&El> {
        let mut out = vec![self];
        for c in &self.children {
            if let Node::El(e) = c {
                out.extend(e.all());
            }
        }
        out
    }

    fn with_class(&self, class: &str) -> Vec<&El> {
        self.all()
            .into_iter()
            .filter(|e| e.attr("class") == Some(class))
            .collect()
    }

    fn num(&self, key: &str) -> f64 {
        self.attr(key)
            .unwrap_or_else(|| panic!("<{}> has no {key}", self.name))
            .parse()
            .unwrap_or_else(|_| panic!("{key} is not an SVG number"))
    }
}

/// Parses `xml` into a tree; panics on anything not well-formed.
fn parse(xml: &str) -> El {
    check_entities(xml);
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = vec![El {
        name: "#document".into(),
        attrs: vec![],
        children: vec![],
    }];
    let element = |s: &quick_xml::events::BytesStart<'_>| {
        let name = s.name().as_ref().to_string();
        let mut attrs = Vec::new();
        // The attribute iterator checks quoting and duplicates.
        for a in s.attributes() {
            let a = a.unwrap_or_else(|e| panic!("bad attribute in <{name}>: {e}"));
            let key = a.key.as_ref().to_string();
            // XML forbids a raw '<' in attribute values; quick-xml lets it through.
            assert!(
                !a.value.contains('<'),
                "raw < in attribute {key} of <{name}>"
            );
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .unwrap_or_else(|e| panic!("bad attribute value {key} in <{name}>: {e}"))
                .into_owned();
            attrs.push((key, value));
        }
        El {
            name,
            attrs,
            children: vec![],
        }
    };
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            )
        });
        match event {
            Event::Start(s) => stack.push(element(&s)),
            Event::Empty(s) => {
                let el = element(&s);
                stack
                    .last_mut()
                    .expect("parent")
                    .children
                    .push(Node::El(el));
            }
            Event::End(_) => {
                let el = stack.pop().expect("open element");
                assert!(!stack.is_empty(), "end tag without start");
                stack
                    .last_mut()
                    .expect("parent")
                    .children
                    .push(Node::El(el));
            }
            Event::Text(t) => {
                let t = t.xml10_content().into_owned();
                assert!(
                    !t.contains('<') && !t.contains('&'),
                    "raw markup character in text: {t}"
                );
                stack
                    .last_mut()
                    .expect("parent")
                    .children
                    .push(Node::Text(t));
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content().into_owned();
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .expect("valid char ref")
                        .expect("char")
                        .to_string()
                } else {
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_else(|| panic!("unknown entity &{name};"))
                        .to_string()
                };
                stack
                    .last_mut()
                    .expect("parent")
                    .children
                    .push(Node::Text(resolved));
            }
            Event::Eof => break,
            other => panic!("unexpected XML event {other:?}"),
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().expect("document");
    assert_eq!(doc.children.len(), 1, "exactly one root element");
    match doc.children.pop() {
        Some(Node::El(root)) => root,
        _ => panic!("root is not an element"),
    }
}

/// Every '&' must start one of the five predefined entities or a character reference.
fn check_entities(xml: &str) {
    for (i, _) in xml.match_indices('&') {
        let rest = &xml[i + 1..];
        let end = rest.find(';').unwrap_or_else(|| panic!("raw & at {i}"));
        let name = &rest[..end];
        let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            || name
                .strip_prefix("#x")
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(ok, "raw & or unknown entity at {i}: &{name};");
    }
}

/// Well-formed, standalone, scalable, accessible, print-safe.
fn check_svg(svg: &str) -> El {
    let root = parse(svg);
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    // An image, unless its marks are links: an image hides its content (and links) from
    // assistive technology.
    let expected = if svg.contains("<a ") { "group" } else { "img" };
    assert_eq!(root.attr("role"), Some(expected));
    assert!(root.attr("class").is_some(), "class for CSS width");
    assert!(
        root.attr("width").is_none() && root.attr("height").is_none(),
        "no fixed size"
    );
    let view_box: Vec<f64> = root
        .attr("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("viewBox number"))
        .collect();
    assert_eq!(view_box.len(), 4);
    assert!(view_box[2] > 0.0 && view_box[3] > 0.0);

    let labelled_by: Vec<&str> = root
        .attr("aria-labelledby")
        .expect("aria-labelledby")
        .split(' ')
        .collect();
    assert_eq!(labelled_by.len(), 2);
    let by_id = |id: &str| root.all().into_iter().find(|e| e.attr("id") == Some(id));
    assert_eq!(by_id(labelled_by[0]).expect("title id").name, "title");
    assert_eq!(by_id(labelled_by[1]).expect("desc id").name, "desc");
    // Ids are unique and safe.
    let ids: Vec<&str> = root
        .all()
        .into_iter()
        .filter_map(|e| e.attr("id"))
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids");
    for id in ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "id {id}"
        );
    }
    // Print-safe and self-contained.
    for banned in [
        "<script",
        "<style",
        "<filter",
        "Gradient",
        "<image",
        "url(",
        "style=",
        "<foreignObject",
    ] {
        assert!(!svg.contains(banned), "{banned} in chart");
    }
    for e in root.all() {
        for (k, _) in &e.attrs {
            assert!(!k.starts_with("on"), "event handler {k}");
        }
    }
    root
}

fn chart(id: &str) -> Chart {
    Chart {
        id: id.into(),
        title: "Tỷ lệ hoàn thành".into(),
        description: "Tỷ lệ nhiệm vụ hoàn thành theo đơn vị, Quý I/2025".into(),
        lang: dxplan_domain::Lang::Vi,
    }
}

fn item(label: &str, value: f64) -> Bar {
    Bar {
        label: label.into(),
        value,
        href: None,
    }
}

fn series(name: &str, values: &[Option<f64>]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const NASTY: &str = r#"Sở <Tư> pháp & "Co""#;
const NASTY_ESCAPED: &str = "Sở &lt;Tư&gt; pháp &amp; &quot;Co&quot;";
const LONG: &str = "Sở Khoa học và Công nghệ tỉnh Quảng Trị – Trung tâm Chuyển đổi số";
const EMPTY: &str = "Chưa có dữ liệu";

/// One output of every chart kind with ordinary data.
fn samples() -> Vec<(&'static str, String)> {
    let years = strings(&["2021", "2022", "2023", "2024", "2025"]);
    vec![
        (
            "bar",
            bar(
                &chart("c-bar"),
                &[
                    item("Sở Tư pháp", 72.5),
                    item("Sở Khoa học và Công nghệ", 1234.5),
                ],
                " %",
                None,
                Some(80.0),
            ),
        ),
        (
            "stacked",
            stacked_bar(
                &chart("c-stacked"),
                &[
                    Segment {
                        name: "Hoàn thành".into(),
                    },
                    Segment {
                        name: "Đang thực hiện".into(),
                    },
                    Segment {
                        name: "Quá hạn".into(),
                    },
                ],
                &[StackedRow {
                    label: "Sở Tư pháp".into(),
                    values: vec![1234.5, 20.0, 3.0],
                    href: Some("/don-vi/1".into()),
                }],
                false,
                "",
            ),
        ),
        (
            "line",
            line(
                &chart("c-line"),
                &years,
                &[series(
                    "Tỉnh",
                    &[Some(10.0), Some(20.0), None, Some(1234.5), Some(50.0)],
                )],
                Some(&series(
                    "Mục tiêu",
                    &[Some(20.0), Some(40.0), Some(60.0), Some(80.0), Some(100.0)],
                )),
                " %",
            ),
        ),
        (
            "heat",
            heat_map(
                &chart("c-heat"),
                &strings(&["Sở Tư pháp", "UBND xã A"]),
                &strings(&["CQS", "KTS", "XHS"]),
                &[
                    vec![
                        HeatCell {
                            value: Some(72.5),
                            href: Some("/x?a=1&b=2".into()),
                        },
                        HeatCell {
                            value: None,
                            href: None,
                        },
                        HeatCell {
                            value: Some(100.0),
                            href: None,
                        },
                    ],
                    vec![HeatCell {
                        value: Some(0.0),
                        href: None,
                    }],
                ],
            ),
        ),
        (
            "gauge",
            gauge(&chart("c-gauge"), 1234.5, 2000.0, Some(1500.0), " %"),
        ),
        (
            "radar",
            radar(
                &chart("c-radar"),
                &strings(&[
                    "Thể chế",
                    "Hạ tầng",
                    "Nhân lực",
                    "An toàn thông tin",
                    "Dữ liệu",
                ]),
                &[
                    series(
                        "2024",
                        &[Some(60.0), Some(70.0), Some(80.0), None, Some(40.0)],
                    ),
                    series(
                        "2025",
                        &[Some(80.0), Some(75.0), Some(90.0), Some(60.0), Some(1234.5)],
                    ),
                ],
                100.0,
            ),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------

#[test]
fn every_chart_is_well_formed_and_accessible() {
    for (kind, svg) in samples() {
        let root = check_svg(&svg);
        assert!(!svg.contains(EMPTY), "{kind} has data");
        let id = &root.attr("aria-labelledby").unwrap_or_default().to_string();
        assert!(id.starts_with("c-"), "{kind}: ids derive from the chart id");
        assert_eq!(root.title().as_deref(), Some("Tỷ lệ hoàn thành"));
    }
}

#[test]
fn chart_ids_are_sanitised() {
    let svg = bar(&chart(r#"9 "bad" <id>"#), &[item("A", 1.0)], "", None, None);
    let root = check_svg(&svg);
    assert_eq!(
        root.attr("aria-labelledby"),
        Some("c9--bad---id--title c9--bad---id--desc")
    );
}

#[test]
fn marks_carry_vietnamese_hover_values() {
    let s = samples();
    let get = |kind: &str| check_svg(&s.iter().find(|(k, _)| *k == kind).expect("sample").1);

    let root = get("bar");
    let bars = root.with_class("bar");
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0].title().as_deref(), Some("Sở Tư pháp: 72,5 %"));
    assert_eq!(
        bars[1].title().as_deref(),
        Some("Sở Khoa học và Công nghệ: 1.234,5 %")
    );
    // Values are printed as text too, not only on hover.
    assert!(root.visible_text().contains("1.234,5 %"));

    let root = get("stacked");
    let segs = root.with_class("seg");
    assert_eq!(segs.len(), 3);
    assert!(segs.iter().all(|e| e.title().is_some()));
    assert_eq!(
        segs[0].title().as_deref(),
        Some("Sở Tư pháp – Hoàn thành: 1.234,5")
    );
    assert!(root.visible_text().contains("1.257,5"), "row total printed");

    let root = get("line");
    let points: Vec<String> = root
        .with_class("point")
        .iter()
        .filter_map(|e| e.title())
        .collect();
    assert_eq!(
        points.len(),
        4 + 5,
        "4 present series points and 5 target points"
    );
    assert!(points.contains(&"Tỉnh – 2024: 1.234,5 %".to_string()));
    assert!(points.contains(&"Mục tiêu – 2025: 100 %".to_string()));

    let root = get("heat");
    let cells = root.with_class("cell");
    assert_eq!(cells.len(), 6, "every row × column, missing cells included");
    assert_eq!(
        cells[0].title().as_deref(),
        Some("Sở Tư pháp – CQS: 72,5 %")
    );
    assert_eq!(cells[1].title().as_deref(), Some("Sở Tư pháp – KTS: –"));
    assert_eq!(cells[5].title().as_deref(), Some("UBND xã A – XHS: –"));

    let root = get("gauge");
    let value = &root.with_class("value")[0];
    assert_eq!(value.title().as_deref(), Some("1.234,5 % / 2.000 %"));
    assert!(root.visible_text().contains("1.234,5 %"));
    assert!(root.visible_text().contains("Mục tiêu: 1.500 %"));

    let root = get("radar");
    let points: Vec<String> = root
        .with_class("point")
        .iter()
        .filter_map(|e| e.title())
        .collect();
    assert_eq!(points.len(), 10);
    assert!(points.contains(&"2025 – Dữ liệu: 1.234,5".to_string()));
    assert!(points.contains(&"2024 – An toàn thông tin: –".to_string()));
}

#[test]
fn text_and_links_are_escaped() {
    let c = Chart {
        id: "c-esc".into(),
        title: NASTY.into(),
        description: NASTY.into(),
        lang: dxplan_domain::Lang::Vi,
    };
    let href = Some(r#"/don-vi?id=1&ky="Q1"<x>"#.to_string());
    let outputs = vec![
        bar(
            &c,
            &[Bar {
                label: NASTY.into(),
                value: 5.0,
                href: href.clone(),
            }],
            " <đv>",
            None,
            Some(3.0),
        ),
        stacked_bar(
            &c,
            &[Segment { name: NASTY.into() }],
            &[StackedRow {
                label: NASTY.into(),
                values: vec![1.0],
                href: href.clone(),
            }],
            true,
            "&",
        ),
        line(
            &c,
            &strings(&[NASTY, "2025"]),
            &[series(NASTY, &[Some(1.0), Some(2.0)])],
            Some(&series(NASTY, &[Some(1.0)])),
            "'",
        ),
        heat_map(
            &c,
            &strings(&[NASTY]),
            &strings(&[NASTY]),
            &[vec![HeatCell {
                value: Some(50.0),
                href: href.clone(),
            }]],
        ),
        gauge(&c, 50.0, 100.0, Some(60.0), " <%>"),
        radar(
            &c,
            &strings(&[NASTY, "B", "C"]),
            &[series(NASTY, &[Some(1.0), Some(2.0), Some(3.0)])],
            5.0,
        ),
    ];
    for svg in outputs {
        let root = check_svg(&svg);
        assert!(!svg.contains(NASTY), "raw label in {svg}");
        assert!(!svg.contains("<Tư>") && !svg.contains("<x>") && !svg.contains("<đv>"));
        assert!(svg.contains(NASTY_ESCAPED));
        // The parsed text gives the original back.
        assert!(root.text().contains(NASTY));
        assert!(!svg.contains(r#"id=1&ky"#));
    }
    let html = table(
        NASTY,
        &strings(&[NASTY, "Giá trị"]),
        &[(NASTY.into(), vec![Some(1.0)])],
        " <%>",
    );
    let root = parse(&html);
    assert!(!html.contains(NASTY) && !html.contains("<%>"));
    assert!(html.contains(NASTY_ESCAPED));
    assert!(root.text().contains(NASTY));
}

#[test]
fn links_wrap_marks_for_drill_down() {
    let svg = bar(
        &chart("c-link"),
        &[Bar {
            label: "Sở Tư pháp".into(),
            value: 5.0,
            href: Some("/don-vi/7?tab=chi-tieu&q=1".into()),
        }],
        "",
        None,
        None,
    );
    let root = check_svg(&svg);
    let links: Vec<&El> = root.all().into_iter().filter(|e| e.name == "a").collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].attr("href"), Some("/don-vi/7?tab=chi-tieu&q=1"));
    assert_eq!(links[0].with_class("bar").len(), 1);
}

#[test]
fn bar_length_is_proportional() {
    let svg = bar(
        &chart("c-geo"),
        &[item("A", 50.0), item("B", 100.0), item("C", 0.0)],
        " %",
        Some(100.0),
        None,
    );
    let root = check_svg(&svg);
    let widths: Vec<f64> = root
        .with_class("bar")
        .iter()
        .map(|e| e.num("width"))
        .collect();
    assert!(widths[1] > 100.0);
    assert!((widths[0] * 2.0 - widths[1]).abs() < 0.02, "{widths:?}");
    assert_eq!(widths[2], 0.0);
    // Bars start at the same x.
    let xs: Vec<f64> = root.with_class("bar").iter().map(|e| e.num("x")).collect();
    assert!(xs.iter().all(|x| *x == xs[0]));
}

#[test]
fn bar_target_is_a_labelled_dashed_line() {
    let svg = bar(
        &chart("c-t"),
        &[item("A", 50.0), item("B", 100.0)],
        " %",
        Some(100.0),
        Some(75.0),
    );
    let root = check_svg(&svg);
    let target = &root.with_class("target")[0];
    let line = target
        .all()
        .into_iter()
        .find(|e| e.name == "line")
        .expect("target line");
    assert!(line.attr("stroke-dasharray").is_some());
    assert!(target.visible_text().contains("Mục tiêu: 75 %"));
    // At three quarters of the way along the bar for 100.
    let full = root.with_class("bar")[1].num("width");
    let x0 = root.with_class("bar")[1].num("x");
    assert!((line.num("x1") - (x0 + full * 0.75)).abs() < 0.02);
}

#[test]
fn bar_scale_defaults_to_a_nice_maximum() {
    let svg = bar(&chart("c-nice"), &[item("A", 72.5)], "", None, None);
    let root = check_svg(&svg);
    // 72,5 of a nice maximum of 100.
    let axis_labels: Vec<String> = root.with_class("axis")[0]
        .all()
        .into_iter()
        .filter(|e| e.name == "text")
        .map(|e| e.text())
        .collect();
    assert_eq!(axis_labels.last().map(String::as_str), Some("100"));
}

#[test]
fn heat_map_colours_differ_and_ink_contrasts() {
    let svg = heat_map(
        &chart("c-h"),
        &strings(&["A"]),
        &strings(&["0", "50", "100", "none"]),
        &[vec![
            HeatCell {
                value: Some(0.0),
                href: None,
            },
            HeatCell {
                value: Some(50.0),
                href: None,
            },
            HeatCell {
                value: Some(100.0),
                href: None,
            },
            HeatCell {
                value: None,
                href: None,
            },
        ]],
    );
    let root = check_svg(&svg);
    let fills: Vec<&str> = root
        .with_class("cell")
        .iter()
        .map(|e| e.attr("fill").unwrap_or_default())
        .collect();
    assert_eq!(fills[0], "#f7fbff");
    assert_eq!(fills[2], "#08306b");
    assert_ne!(fills[0], fills[1]);
    assert_ne!(fills[1], fills[2]);
    assert_eq!(fills[3], "#eeeeee");
    let texts: Vec<&El> = root
        .all()
        .into_iter()
        .filter(|e| e.name == "text" && e.attr("font-size") == Some("11"))
        .collect();
    let ink = |content: &str| {
        texts
            .iter()
            .find(|e| e.text() == content)
            .and_then(|e| e.attr("fill"))
            .map(str::to_string)
    };
    assert_eq!(ink("0").as_deref(), Some("#000000"));
    assert_eq!(ink("100").as_deref(), Some("#ffffff"));
    assert!(texts.iter().any(|e| e.text() == "–"));
}

#[test]
fn stacked_percent_rows_fill_the_width() {
    let segments = vec![
        Segment {
            name: "Đạt".into()
        },
        Segment {
            name: "Chưa đạt".into(),
        },
        Segment {
            name: "Khác".into(),
        },
    ];
    let rows = vec![
        StackedRow {
            label: "A".into(),
            values: vec![1.0, 2.0, 3.0],
            href: None,
        },
        StackedRow {
            label: "B".into(),
            values: vec![70.0, 30.0],
            href: None,
        }, // shorter row
        StackedRow {
            label: "C".into(),
            values: vec![1.0, 1.0, 1.0, 99.0],
            href: None,
        }, // longer row
    ];
    let svg = stacked_bar(&chart("c-p"), &segments, &rows, true, " nhiệm vụ");
    let root = check_svg(&svg);
    let segs = root.with_class("seg");
    assert_eq!(segs.len(), 3 + 2 + 3);
    let row_width =
        |range: std::ops::Range<usize>| segs[range].iter().map(|e| e.num("width")).sum::<f64>();
    let (a, b, c) = (row_width(0..3), row_width(3..5), row_width(5..8));
    assert!((a - b).abs() < 0.05 && (b - c).abs() < 0.05, "{a} {b} {c}");
    // Segments are contiguous: each starts where the previous ended.
    for pair in segs[0..3].windows(2) {
        assert!((pair[0].num("x") + pair[0].num("width") - pair[1].num("x")).abs() < 0.02);
    }
    assert!(segs[0].title().unwrap_or_default().contains("(16,7 %)"));
    assert!(
        root.visible_text().contains("6 nhiệm vụ"),
        "row total printed"
    );
}

#[test]
fn line_target_is_dashed_and_markers_differ() {
    let years = strings(&["2021", "2022", "2023"]);
    let svg = line(
        &chart("c-l"),
        &years,
        &[
            series("A", &[Some(1.0), None, Some(3.0)]),
            series("B", &[Some(2.0), Some(2.0), Some(2.0)]),
        ],
        Some(&series("", &[Some(3.0), Some(4.0), Some(5.0)])),
        "",
    );
    let root = check_svg(&svg);
    let target = &root.with_class("target")[0];
    let path = target
        .all()
        .into_iter()
        .find(|e| e.name == "path")
        .expect("target path");
    assert!(path.attr("stroke-dasharray").is_some());
    assert!(
        target.visible_text().contains("Mục tiêu"),
        "unnamed target gets the default label"
    );

    let series_groups = root.with_class("series");
    assert_eq!(series_groups.len(), 2);
    // Series A has a gap: its only path has no line across the missing point.
    assert!(
        series_groups[0].all().iter().all(|e| e.name != "path"),
        "A: isolated points, no path"
    );
    let b_path = series_groups[1]
        .all()
        .into_iter()
        .find(|e| e.name == "path")
        .expect("B path");
    assert!(
        b_path.attr("stroke-dasharray").is_none(),
        "real series are solid"
    );
    let shape = |g: &El| g.with_class("point")[0].name.clone();
    assert_ne!(
        shape(series_groups[0]),
        shape(series_groups[1]),
        "different marker shapes"
    );
}

#[test]
fn line_gaps_split_the_path() {
    let years = strings(&["1", "2", "3", "4", "5"]);
    let svg = line(
        &chart("c-g"),
        &years,
        &[series(
            "A",
            &[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)],
        )],
        None,
        "",
    );
    let root = check_svg(&svg);
    let path = root.with_class("series")[0]
        .all()
        .into_iter()
        .find(|e| e.name == "path")
        .expect("path");
    assert_eq!(path.attr("d").unwrap_or_default().matches('M').count(), 2);
}

#[test]
fn radar_has_rings_polygons_and_dashes() {
    let s = samples();
    let root = check_svg(&s.iter().find(|(k, _)| *k == "radar").expect("radar").1);
    let grid = &root.with_class("grid")[0];
    assert_eq!(grid.all().iter().filter(|e| e.name == "polygon").count(), 4);
    let polys: Vec<&El> = root
        .with_class("series")
        .into_iter()
        .map(|g| {
            g.all()
                .into_iter()
                .find(|e| e.name == "polygon")
                .expect("polygon")
        })
        .collect();
    assert_eq!(polys.len(), 2);
    assert!(polys.iter().all(|p| p.attr("fill-opacity").is_some()));
    assert_ne!(
        polys[0].attr("stroke-dasharray"),
        polys[1].attr("stroke-dasharray")
    );
}

#[test]
fn radar_with_two_axes_falls_back_to_bars() {
    let svg = radar(
        &chart("c-r2"),
        &strings(&["A", "B"]),
        &[series("S", &[Some(3.0), None])],
        10.0,
    );
    let root = check_svg(&svg);
    let bars = root.with_class("bar");
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[1].title().as_deref(), Some("B: –"));
}

#[test]
fn empty_inputs_say_no_data() {
    let c = chart("c-empty");
    let outputs = vec![
        bar(&c, &[], "", None, None),
        stacked_bar(&c, &[], &[], false, ""),
        stacked_bar(&c, &[Segment { name: "A".into() }], &[], true, ""),
        line(&c, &[], &[], None, ""),
        line(&c, &strings(&["2025"]), &[series("A", &[None])], None, ""),
        line(&c, &strings(&["2025"]), &[], Some(&series("T", &[])), ""),
        heat_map(&c, &[], &[], &[]),
        heat_map(&c, &strings(&["A"]), &[], &[]),
        gauge(&c, f64::NAN, 100.0, None, ""),
        radar(&c, &[], &[], 100.0),
        radar(&c, &strings(&["A", "B", "C"]), &[], 100.0),
        radar(
            &c,
            &strings(&["A", "B", "C"]),
            &[series("S", &[None, Some(f64::NAN)])],
            100.0,
        ),
    ];
    for svg in outputs {
        check_svg(&svg);
        assert!(svg.contains(EMPTY), "{svg}");
    }
}

#[test]
fn awkward_values_do_not_panic() {
    let c = chart("c-odd");
    let weird = [
        0.0,
        -5.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e15,
        1e-9,
    ];
    let items: Vec<Bar> = weird.iter().map(|v| item(LONG, *v)).collect();

    // Bars: negatives clamp to 0 but the real value is printed; NaN/inf show "–".
    let root = check_svg(&bar(&c, &items, " %", None, Some(f64::NAN)));
    let bars = root.with_class("bar");
    assert_eq!(bars[1].num("width"), 0.0);
    assert!(bars[1].title().unwrap_or_default().ends_with(": -5 %"));
    assert!(bars[2].title().unwrap_or_default().ends_with(": –"));
    assert!(root.visible_text().contains("-5 %"));
    assert!(
        root.with_class("target").is_empty(),
        "NaN target is ignored"
    );
    for b in &bars {
        assert!(b.num("width") >= 0.0);
    }

    // All zeros, zero/negative/NaN max.
    for max in [Some(0.0), Some(-1.0), Some(f64::NAN), None] {
        check_svg(&bar(
            &c,
            &[item("A", 0.0), item("B", 0.0)],
            "",
            max,
            Some(0.0),
        ));
    }
    check_svg(&stacked_bar(
        &c,
        &[Segment { name: LONG.into() }, Segment { name: "B".into() }],
        &[
            StackedRow {
                label: LONG.into(),
                values: vec![0.0, 0.0],
                href: None,
            },
            StackedRow {
                label: "neg".into(),
                values: vec![-3.0, f64::NAN],
                href: None,
            },
            StackedRow {
                label: "none".into(),
                values: vec![],
                href: None,
            },
        ],
        true,
        "",
    ));
    check_svg(&stacked_bar(
        &c,
        &[Segment { name: "A".into() }],
        &[StackedRow {
            label: "x".into(),
            values: weird.to_vec(),
            href: None,
        }],
        false,
        "",
    ));

    // Lines: a single point, all zeros, negatives, series longer or shorter than the labels.
    check_svg(&line(
        &c,
        &strings(&["2025"]),
        &[series("A", &[Some(5.0)])],
        Some(&series("T", &[Some(7.0)])),
        "",
    ));
    check_svg(&line(
        &c,
        &strings(&["1", "2"]),
        &[series("A", &[Some(0.0), Some(0.0)])],
        None,
        "",
    ));
    let root = check_svg(&line(
        &c,
        &strings(&["1", "2", "3"]),
        &[
            series(
                "A",
                &[Some(-20.0), Some(f64::INFINITY), Some(30.0), Some(99.0)],
            ),
            series("B", &[]),
        ],
        None,
        "",
    ));
    assert!(
        root.visible_text().contains("-20"),
        "negative range has a negative tick"
    );
    let many: Vec<String> = (0..60).map(|i| format!("Tháng {i}/2025")).collect();
    check_svg(&line(
        &c,
        &many,
        &[series(LONG, &vec![Some(1.0); 60])],
        None,
        "",
    ));

    // Heat map: ragged rows, out-of-range values.
    check_svg(&heat_map(
        &c,
        &strings(&[LONG, "B", "C"]),
        &strings(&["X", "Một tiêu chí có tên rất dài"]),
        &[
            vec![
                HeatCell {
                    value: Some(-10.0),
                    href: None,
                },
                HeatCell {
                    value: Some(250.0),
                    href: None,
                },
                HeatCell {
                    value: Some(1.0),
                    href: None,
                },
            ],
            vec![HeatCell {
                value: Some(f64::NAN),
                href: Some(String::new()),
            }],
        ],
    ));

    // Gauge: value above max, negative, unusable max and target outside the range.
    for (value, max, target) in [
        (150.0, 100.0, Some(120.0)),
        (-3.0, 100.0, Some(-1.0)),
        (5.0, 0.0, None),
        (5.0, f64::NAN, Some(f64::INFINITY)),
        (0.0, 100.0, Some(100.0)),
    ] {
        check_svg(&gauge(&c, value, max, target, " %"));
    }

    // Radar: negative, above max, unusable max, many series.
    let many_series: Vec<Series> = (0..10)
        .map(|i| {
            series(
                &format!("S{i}"),
                &[Some(-1.0), Some(500.0), Some(f64::NAN), Some(i as f64)],
            )
        })
        .collect();
    for max in [100.0, 0.0, f64::NAN] {
        check_svg(&radar(
            &c,
            &strings(&[LONG, "B", "C", "D"]),
            &many_series,
            max,
        ));
    }
}

#[test]
fn long_labels_are_truncated_with_full_hover_text() {
    let root = check_svg(&bar(&chart("c-long"), &[item(LONG, 10.0)], "", None, None));
    let label = root
        .all()
        .into_iter()
        .find(|e| e.name == "text" && e.visible_text().starts_with("Sở Khoa học"))
        .expect("label");
    let shown = label.visible_text();
    assert!(shown.ends_with('…'));
    assert!(shown.chars().count() <= 32);
    assert_eq!(label.title().as_deref(), Some(LONG));
    assert_eq!(
        root.with_class("bar")[0].title().as_deref(),
        Some(format!("{LONG}: 10").as_str())
    );
}

#[test]
fn height_grows_with_rows() {
    let items: Vec<Bar> = (0..40)
        .map(|i| item(&format!("Xã {i}"), i as f64))
        .collect();
    let root = check_svg(&bar(&chart("c-40"), &items, "", None, None));
    let view_box: Vec<f64> = root
        .attr("viewBox")
        .unwrap_or_default()
        .split(' ')
        .filter_map(|v| v.parse().ok())
        .collect();
    assert!(view_box[3] >= 40.0 * 28.0);
    // Rows do not overlap: consecutive bars are a row apart.
    let ys: Vec<f64> = root.with_class("bar").iter().map(|e| e.num("y")).collect();
    assert!(ys.windows(2).all(|w| (w[1] - w[0] - 28.0).abs() < 0.01));
}

#[test]
fn table_view() {
    let html = table(
        "Tỷ lệ hoàn thành",
        &strings(&["Đơn vị", "2024", "2025"]),
        &[
            ("Sở Tư pháp".into(), vec![Some(1234.5), None]),
            ("UBND xã A".into(), vec![Some(f64::NAN)]),
        ],
        " %",
    );
    let root = parse(&html);
    assert_eq!(root.name, "table");
    assert_eq!(root.attr("class"), Some("chart-table"));
    let names: Vec<&str> = root.all().iter().map(|e| e.name.as_str()).collect();
    assert!(names.starts_with(&["table", "caption"]));
    assert!(names.contains(&"thead") && names.contains(&"tbody"));
    let cells: Vec<String> = root
        .all()
        .into_iter()
        .filter(|e| e.name == "td")
        .map(|e| e.text())
        .collect();
    assert_eq!(cells, vec!["1.234,5 %", "–", "–", "–"]);
    let empty = table("Trống", &[], &[], "");
    parse(&empty);
}

// The checker itself must reject what it is meant to catch.

#[test]
#[should_panic]
fn checker_rejects_unbalanced_tags() {
    parse("<svg><g></svg>");
}

#[test]
#[should_panic]
fn checker_rejects_raw_ampersand() {
    parse("<svg><text>a & b</text></svg>");
}

#[test]
#[should_panic]
fn checker_rejects_unquoted_attributes() {
    parse("<svg><rect width=5/></svg>");
}

#[test]
#[should_panic]
fn checker_rejects_raw_less_than_in_attribute() {
    parse(r#"<svg><a href="<x>"/></svg>"#);
}

#[test]
fn the_words_a_chart_writes_follow_its_language() {
    let english = Chart {
        lang: dxplan_domain::Lang::En,
        ..chart("c-en")
    };
    let empty = bar(&english, &[], " %", None, None);
    assert!(empty.contains("No data yet") && !empty.contains("Chưa có dữ liệu"));
    let with_target = bar(&english, &[item("A", 40.0)], " %", Some(100.0), Some(50.0));
    assert!(with_target.contains("Target: 50 %"), "{with_target}");
    let vietnamese = bar(&chart("c-vi"), &[], " %", None, None);
    assert!(vietnamese.contains("Chưa có dữ liệu"));
}

/// The y of every `<text>` whose words are `words`.
fn text_ys(root: &El, words: &str) -> Vec<f64> {
    root.all()
        .into_iter()
        .filter(|e| e.name == "text" && e.text().trim() == words)
        .map(|e| e.num("y"))
        .collect()
}

#[test]
fn the_target_name_never_sits_on_a_value_label() {
    // The last value is the target itself: the two labels would share a line.
    for (last, target) in [
        (80.0, 80.0),
        (78.0, 80.0),
        (83.0, 80.0),
        (0.0, 0.0),
        (100.0, 100.0),
    ] {
        let svg = line(
            &chart("c-t"),
            &strings(&["2024", "2025", "2026"]),
            &[series("Tỷ lệ", &[Some(40.0), Some(60.0), Some(last)])],
            Some(&series("", &[None, None, Some(target)])),
            "",
        );
        let root = check_svg(&svg);
        let name_y = text_ys(&root, "Mục tiêu")[0];
        let value = dxplan_domain::text::format_number(last, 1);
        let value_y = *text_ys(&root, value.trim())
            .last()
            .unwrap_or_else(|| panic!("a label {value}"));
        assert!(
            (name_y - value_y).abs() >= 13.0,
            "{last} vs {target}: name at {name_y}, value at {value_y}"
        );
    }
}

#[test]
fn counts_are_read_on_whole_number_ticks() {
    let svg = line(
        &chart("c-c"),
        &strings(&["2024", "2025", "2026"]),
        &[series("Số xã", &[Some(1.0), Some(2.0), Some(3.0)])],
        None,
        "",
    );
    let root = check_svg(&svg);
    let axis = &root.with_class("axis")[0];
    let ticks: Vec<String> = axis
        .all()
        .into_iter()
        .filter(|e| e.name == "text" && e.attr("text-anchor") == Some("end"))
        .map(|e| e.text())
        .collect();
    assert!(!ticks.is_empty());
    assert!(
        ticks.iter().all(|t| !t.contains(',')),
        "no fractional ticks for a count: {ticks:?}"
    );
    // Bars of two tasks and one: 0, 1, 2 on the axis, not 0, 0,5, 1 …
    let svg = bar(
        &chart("c-b"),
        &[item("Xã A", 2.0), item("Xã B", 1.0)],
        "",
        None,
        None,
    );
    let root = check_svg(&svg);
    let axis: Vec<String> = root
        .all()
        .into_iter()
        .filter(|e| e.name == "text" && e.attr("text-anchor") == Some("middle"))
        .map(|e| e.text())
        .collect();
    assert!(axis.contains(&"1".to_string()), "{axis:?}");
    assert!(axis.iter().all(|t| !t.contains(',')), "{axis:?}");
    // Fractions keep their ticks.
    let svg = bar(&chart("c-f"), &[item("Xã A", 1.5)], "", None, None);
    assert!(check_svg(&svg).visible_text().contains("0,5"), "{svg}");
}

#[test]
fn the_heat_map_outlines_its_slow_cells() {
    let cells = |values: &[f64]| {
        values
            .iter()
            .map(|v| HeatCell {
                value: Some(*v),
                href: None,
            })
            .collect::<Vec<_>>()
    };
    let svg = heat_map(
        &chart("c-s"),
        &strings(&["Xã A", "Xã B"]),
        &strings(&["1", "2"]),
        &[cells(&[10.0, 90.0]), cells(&[39.9, 40.0])],
    );
    let root = check_svg(&svg);
    assert_eq!(
        root.with_class("slow").len(),
        2,
        "10 and 39,9 are slow; 40 is not"
    );
    assert!(
        root.visible_text().contains("dưới 40 %"),
        "the legend says so"
    );
}

#[test]
fn a_chart_whose_marks_are_links_is_a_named_group() {
    let linked = bar(
        &chart("c-g"),
        &[Bar {
            label: "Xã A".into(),
            value: 3.0,
            href: Some("/tasks?unit=1".into()),
        }],
        "",
        None,
        None,
    );
    let root = check_svg(&linked);
    assert_eq!(root.attr("role"), Some("group"));
    assert!(root.attr("aria-labelledby").is_some());
    let plain = bar(&chart("c-p"), &[item("Xã A", 3.0)], "", None, None);
    assert_eq!(check_svg(&plain).attr("role"), Some("img"));
}
