//! The steering committee's documents in the Decree 30 layout: the conclusion notice
//! (thông báo kết luận) of a session with who leads each conclusion's tasks, and the
//! briefing for the next session — what became of the last session's conclusions and
//! which earlier ones are still open.

use time::Date;

use crate::progress::{Block, Letterhead, ProgressReport, Section, Table};

/// A task assigned from a conclusion.
pub struct AssignedTask {
    pub title: String,
    pub unit: String,
    /// None for a regular task.
    pub due: Option<Date>,
    /// Its status in words (`Đang thực hiện`).
    pub status: String,
}

/// One conclusion as the documents list it.
pub struct ConclusionLine {
    /// `Phiên 2` in the briefing's list of earlier conclusions.
    pub session: String,
    pub number: i64,
    pub text: String,
    /// Where it stands, in words (`Có nhiệm vụ quá hạn`).
    pub status: String,
    /// Still followed (neither done nor closed).
    pub open: bool,
    /// The coordinator's note when it was closed.
    pub closed_note: Option<String>,
    pub tasks: Vec<AssignedTask>,
}

/// The session a notice is about.
pub struct NoticeSession<'a> {
    pub held_on: Date,
    pub title: &'a str,
    pub chair: &'a str,
    pub attendees: &'a str,
}

fn date(d: Date) -> String {
    dxplan_domain::text::format_date(d)
}

fn deadline(due: Option<Date>) -> String {
    due.map(date).unwrap_or_else(|| "Thường xuyên".into())
}

/// The notice of a session's conclusions, issued by `agency` (the People's Committee).
pub fn conclusion_notice(
    letterhead: Letterhead,
    agency: &str,
    session: &NoticeSession<'_>,
    conclusions: &[ConclusionLine],
) -> ProgressReport {
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Ngày {}, {} chủ trì {}. Tham dự có: {}.",
            date(session.held_on),
            session.chair,
            session.title,
            session.attendees.trim_end_matches('.')
        )),
        Block::Paragraph(format!(
            "Sau khi nghe báo cáo tình hình thực hiện và ý kiến của các thành viên dự họp, {} kết luận như sau:",
            session.chair
        )),
    ];
    blocks.extend(
        conclusions
            .iter()
            .map(|k| Block::Paragraph(format!("{}. {}", k.number, k.text))),
    );
    let rows: Vec<Vec<String>> = conclusions
        .iter()
        .flat_map(|k| {
            k.tasks.iter().map(move |t| {
                vec![
                    k.number.to_string(),
                    t.title.clone(),
                    t.unit.clone(),
                    deadline(t.due),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        blocks.push(Block::Paragraph(
            "Phân công thực hiện các kết luận nêu trên:".into(),
        ));
        blocks.push(Block::Table(Table {
            headers: vec![
                "Kết luận số".into(),
                "Nhiệm vụ".into(),
                "Đơn vị chủ trì".into(),
                "Thời hạn".into(),
            ],
            rows,
            widths: vec![10, 50, 25, 15],
            numeric: vec![true, false, false, false],
        }));
    }
    blocks.push(Block::Paragraph(format!(
        "{agency} thông báo để các cơ quan, đơn vị biết, thực hiện./."
    )));
    ProgressReport {
        letterhead,
        kind: "THÔNG BÁO".into(),
        subject: format!("Kết luận của {} tại {}", session.chair, session.title),
        addressees: Vec::new(),
        sections: vec![Section {
            heading: String::new(),
            blocks,
        }],
    }
}

/// A table of conclusions with their tasks and where each stands.
fn conclusion_table(lines: &[ConclusionLine], with_session: bool) -> Table {
    let rows = lines
        .iter()
        .map(|k| {
            let tasks = if k.tasks.is_empty() {
                k.closed_note.clone().unwrap_or_else(|| "–".into())
            } else {
                k.tasks
                    .iter()
                    .map(|t| {
                        format!(
                            "{} ({}; {}; {})",
                            t.title,
                            t.unit,
                            deadline(t.due),
                            t.status
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let mut row = Vec::new();
            if with_session {
                row.push(k.session.clone());
            }
            row.extend([
                k.number.to_string(),
                k.text.clone(),
                tasks,
                k.status.clone(),
            ]);
            row
        })
        .collect();
    let mut headers = Vec::new();
    let mut widths = Vec::new();
    let mut numeric = Vec::new();
    if with_session {
        headers.push("Phiên họp".to_string());
        widths.push(10);
        numeric.push(false);
    }
    headers.extend([
        "Số".to_string(),
        "Nội dung kết luận".into(),
        "Nhiệm vụ (đơn vị chủ trì; thời hạn; tình hình)".into(),
        "Tình hình".into(),
    ]);
    widths.extend([6, 34, 36, 14]);
    numeric.extend([true, false, false, false]);
    Table {
        headers,
        rows,
        widths,
        numeric,
    }
}

/// The last session the briefing reports on.
pub struct LastSession<'a> {
    pub title: &'a str,
    pub held_on: Date,
    pub conclusions: &'a [ConclusionLine],
}

/// How many of the conclusions stand each way, in words (`2 đã hoàn thành, 1 quá hạn`).
fn tally(lines: &[ConclusionLine]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in lines {
        match counts.iter_mut().find(|(s, _)| *s == k.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((&k.status, 1)),
        }
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The briefing for the next session, issued by the coordinator's unit.
pub fn briefing(
    letterhead: Letterhead,
    plan_title: &str,
    last: Option<&LastSession<'_>>,
    earlier_open: &[ConclusionLine],
    today: Date,
) -> ProgressReport {
    let mut sections = Vec::new();
    match last {
        Some(last) => {
            let mut blocks = vec![Block::Paragraph(format!(
                "{} ngày {} có {} kết luận; đến ngày {}: {}.",
                last.title,
                date(last.held_on),
                last.conclusions.len(),
                date(today),
                if last.conclusions.is_empty() {
                    "không có kết luận để theo dõi".into()
                } else {
                    tally(last.conclusions)
                }
            ))];
            if !last.conclusions.is_empty() {
                blocks.push(Block::Table(conclusion_table(last.conclusions, false)));
            }
            sections.push(Section {
                heading: "I. KẾT QUẢ THỰC HIỆN KẾT LUẬN PHIÊN HỌP GẦN NHẤT".into(),
                blocks,
            });
        }
        None => sections.push(Section {
            heading: "I. KẾT QUẢ THỰC HIỆN KẾT LUẬN PHIÊN HỌP GẦN NHẤT".into(),
            blocks: vec![Block::Paragraph(
                "Chưa có phiên họp nào được ghi nhận trên hệ thống.".into(),
            )],
        }),
    }
    let mut blocks = vec![Block::Paragraph(if earlier_open.is_empty() {
        "Các kết luận của các phiên họp trước đã được hoàn thành hoặc đóng.".into()
    } else {
        format!(
            "Còn {} kết luận của các phiên họp trước chưa hoàn thành, tiếp tục theo dõi:",
            earlier_open.len()
        )
    })];
    if !earlier_open.is_empty() {
        blocks.push(Block::Table(conclusion_table(earlier_open, true)));
    }
    sections.push(Section {
        heading: "II. CÁC KẾT LUẬN CỦA CÁC PHIÊN HỌP TRƯỚC CHƯA HOÀN THÀNH".into(),
        blocks,
    });
    let open = last
        .map(|l| l.conclusions.iter().filter(|k| k.open).count())
        .unwrap_or(0)
        + earlier_open.len();
    sections.push(Section {
        heading: "III. ĐỀ XUẤT".into(),
        blocks: vec![Block::Paragraph(if open == 0 {
            "Đề nghị Ban Chỉ đạo ghi nhận kết quả và cho ý kiến về nhiệm vụ thời gian tới./."
                .into()
        } else {
            format!(
                "Đề nghị Ban Chỉ đạo xem xét, chỉ đạo các đơn vị chủ trì khẩn trương thực hiện {open} kết luận còn mở, nhất là các nhiệm vụ đã quá hạn; giao nhiệm vụ cho các kết luận chưa có đơn vị thực hiện./."
            )
        })],
    });
    ProgressReport {
        letterhead,
        kind: "BÁO CÁO".into(),
        subject: format!("Tình hình thực hiện các kết luận của Ban Chỉ đạo về {plan_title}"),
        addressees: Vec::new(),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn head() -> Letterhead {
        Letterhead::bare(&["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"], "Số: /TB-UBND")
    }

    fn words(r: &ProgressReport) -> String {
        let mut out = Vec::new();
        for s in &r.sections {
            out.push(s.heading.clone());
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => out.push(p.clone()),
                    Block::Table(t) => out.extend(t.rows.iter().flatten().cloned()),
                    _ => {}
                }
            }
        }
        out.join("\n")
    }

    fn line(number: i64, status: &str, tasks: Vec<AssignedTask>) -> ConclusionLine {
        ConclusionLine {
            session: "Phiên 1".into(),
            number,
            text: format!("Kết luận {number}"),
            status: status.into(),
            open: status != "Đã hoàn thành",
            closed_note: None,
            tasks,
        }
    }

    #[test]
    fn the_notice_numbers_the_conclusions_and_lists_who_leads_each() {
        let task = AssignedTask {
            title: "Triển khai nền tảng số".into(),
            unit: "Sở Khoa học và Công nghệ".into(),
            due: Some(date!(2026 - 06 - 30)),
            status: "Nháp".into(),
        };
        let notice = conclusion_notice(
            head(),
            "Ủy ban nhân dân tỉnh",
            &NoticeSession {
                held_on: date!(2026 - 03 - 15),
                title: "Phiên họp thứ nhất năm 2026",
                chair: "đồng chí Chủ tịch UBND tỉnh",
                attendees: "các thành viên Ban Chỉ đạo.",
            },
            &[line(1, "", vec![task]), line(2, "", Vec::new())],
        );
        let text = words(&notice);
        assert_eq!(notice.kind, "THÔNG BÁO");
        assert!(notice.subject.starts_with("Kết luận của đồng chí Chủ tịch"));
        assert!(text.contains("Ngày 15/03/2026, đồng chí Chủ tịch UBND tỉnh chủ trì"));
        assert!(text.contains("Tham dự có: các thành viên Ban Chỉ đạo.\n"));
        assert!(text.contains("1. Kết luận 1\n2. Kết luận 2"));
        assert!(text.contains("Sở Khoa học và Công nghệ\n30/06/2026"));
    }

    #[test]
    fn the_briefing_counts_what_is_still_open() {
        let last = [
            line(1, "Đã hoàn thành", Vec::new()),
            line(2, "Có nhiệm vụ quá hạn", Vec::new()),
        ];
        let earlier = [line(4, "Chưa giao nhiệm vụ", Vec::new())];
        let report = briefing(
            head(),
            "Kế hoạch CĐS 2026",
            Some(&LastSession {
                title: "Phiên họp thứ hai",
                held_on: date!(2026 - 06 - 01),
                conclusions: &last,
            }),
            &earlier,
            date!(2026 - 12 - 07),
        );
        let text = words(&report);
        assert!(text.contains(
            "có 2 kết luận; đến ngày 07/12/2026: 1 đã hoàn thành, 1 có nhiệm vụ quá hạn."
        ));
        assert!(text.contains("Còn 1 kết luận của các phiên họp trước"));
        assert!(text.contains("thực hiện 2 kết luận còn mở"), "{text}");
        let none = briefing(head(), "KH", None, &[], date!(2026 - 12 - 07));
        assert!(words(&none).contains("Chưa có phiên họp nào"));
        assert!(words(&none).contains("ghi nhận kết quả"));
    }
}
