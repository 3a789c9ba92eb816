//! The urging letter (công văn đôn đốc) to the units late on a plan's tasks or on their
//! figures, in the Decree 30 layout: the summary under its number, the late units
//! addressed, what each owes and by when in a table, and a tone that hardens with each
//! reminder a unit has had.

use time::{Date, Duration};

use crate::progress::{Block, Letterhead, NBSP, ProgressReport, Section, Table};

/// One late task of a unit.
pub struct OwedTask {
    pub code: String,
    pub title: String,
    pub due: Date,
    pub days_late: i64,
}

/// A reporting form's figures a unit has not sent for a period past its deadline.
pub struct OwedFigures {
    pub form: String,
    /// The period as people write it ("Quý II/2026").
    pub period: String,
    pub due: Date,
    pub days_late: i64,
    /// Indicators of the form not yet submitted, of how many.
    pub missing: i64,
    pub total: i64,
}

/// An explanation request a unit has left unanswered past its deadline.
pub struct OwedExplanation {
    /// What it is about ("Chỉ tiêu CQ-05 … — Quý III/2026").
    pub subject: String,
    pub due: Date,
    pub days_late: i64,
}

/// A unit the letter is sent to, with how many urging letters it was sent before this one.
pub struct LateUnit {
    pub name: String,
    pub reminder: u32,
    pub tasks: Vec<OwedTask>,
    pub figures: Vec<OwedFigures>,
    pub explanations: Vec<OwedExplanation>,
}

/// What the letter urges, as its sentences name it.
struct Owed {
    tasks: usize,
    reports: usize,
    explanations: usize,
}

/// "a", "a và b", "a, b và c".
fn listed(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

impl Owed {
    /// The kinds owed, each as `pick` words it; tasks when nothing is (never urged).
    fn parts(&self, pick: impl Fn(usize, usize) -> String) -> String {
        let counts = [self.tasks, self.reports, self.explanations];
        let parts: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(kind, n)| pick(kind, *n))
            .collect();
        if parts.is_empty() {
            pick(0, 0)
        } else {
            listed(&parts)
        }
    }

    /// "các nhiệm vụ", "các báo cáo số liệu", "các nhiệm vụ và yêu cầu giải trình"…
    fn noun(&self) -> String {
        let words = ["nhiệm vụ", "báo cáo số liệu", "yêu cầu giải trình"];
        format!("các {}", self.parts(|kind, _| words[kind].to_string()))
    }

    fn subject(&self) -> String {
        let words = ["thực hiện nhiệm vụ", "báo cáo số liệu", "giải trình"];
        format!("{} quá hạn", self.parts(|kind, _| words[kind].to_string()))
    }

    fn counted(&self) -> String {
        let words = [
            "nhiệm vụ quá hạn chưa hoàn thành",
            "báo cáo số liệu quá hạn chưa gửi",
            "yêu cầu giải trình quá hạn chưa trả lời",
        ];
        self.parts(|kind, n| format!("{n} {}", words[kind]))
    }
}

/// Most units a letter names after "Kính gửi".
const ADDRESSED_BY_NAME: usize = 5;

/// The firmest reminder among the units: the letter is written in its tone.
fn tone(units: &[LateUnit]) -> u32 {
    units.iter().map(|u| u.reminder).max().unwrap_or(1)
}

fn date(d: Date) -> String {
    dxplan_domain::text::format_date(d)
}

/// The letter, as a document for `progress_docx`.
pub fn urging_letter(
    mut letterhead: Letterhead,
    agency: &str,
    plan_title: &str,
    units: &[LateUnit],
    today: Date,
) -> ProgressReport {
    let reminder = tone(units);
    let owed = Owed {
        tasks: units.iter().map(|u| u.tasks.len()).sum(),
        reports: units.iter().map(|u| u.figures.len()).sum(),
        explanations: units.iter().map(|u| u.explanations.len()).sum(),
    };
    let what = owed.noun();
    letterhead.excerpt = Some(format!(
        "V/v đôn đốc {}{}",
        owed.subject(),
        if reminder > 1 {
            format!(" (lần{NBSP}{reminder})")
        } else {
            String::new()
        }
    ));
    let opening = format!(
        "Thực hiện {plan_title}, qua theo dõi trên hệ thống, đến ngày {} còn {} của {} đơn vị (chi tiết tại bảng dưới đây).",
        date(today),
        owed.counted(),
        units.len()
    );
    let ask = match reminder {
        1 => format!(
            "Để bảo đảm tiến độ chung, {agency} đề nghị Thủ trưởng các đơn vị chỉ đạo tập trung hoàn thành {what} nêu trên, cập nhật kết quả, sản phẩm và số liệu trên hệ thống trước ngày {}.",
            date(today + Duration::days(10))
        ),
        2 => format!(
            "{agency} đã có văn bản đôn đốc nhưng đến nay {what} nêu trên vẫn chưa hoàn thành. Đề nghị Thủ trưởng các đơn vị khẩn trương chỉ đạo hoàn thành, báo cáo kết quả trên hệ thống trước ngày {}; trường hợp có khó khăn, vướng mắc, báo cáo rõ nguyên nhân và đề xuất giải pháp.",
            date(today + Duration::days(7))
        ),
        n => format!(
            "{agency} đã {} lần đôn đốc nhưng {what} nêu trên vẫn chưa hoàn thành. Yêu cầu Thủ trưởng các đơn vị báo cáo giải trình bằng văn bản về nguyên nhân chậm trễ, trách nhiệm của tập thể, cá nhân liên quan và hoàn thành trước ngày {}. Kết quả thực hiện được tính vào đánh giá, xếp loại cơ quan, đơn vị và cán bộ, công chức theo Nghị định số 335/2025/NĐ-CP.",
            n - 1,
            date(today + Duration::days(5))
        ),
    };
    let mut rows = Vec::new();
    let mut n = 0;
    for unit in units {
        for t in &unit.tasks {
            n += 1;
            rows.push(vec![
                n.to_string(),
                unit.name.clone(),
                format!("{} {}", t.code, t.title),
                date(t.due),
                t.days_late.to_string(),
                unit.reminder.to_string(),
            ]);
        }
        for f in &unit.figures {
            n += 1;
            rows.push(vec![
                n.to_string(),
                unit.name.clone(),
                format!(
                    "Báo cáo số liệu: {} — {}, còn {}/{} chỉ tiêu chưa gửi",
                    f.form, f.period, f.missing, f.total
                ),
                date(f.due),
                f.days_late.to_string(),
                unit.reminder.to_string(),
            ]);
        }
        for e in &unit.explanations {
            n += 1;
            rows.push(vec![
                n.to_string(),
                unit.name.clone(),
                format!("Yêu cầu giải trình: {}", e.subject),
                date(e.due),
                e.days_late.to_string(),
                unit.reminder.to_string(),
            ]);
        }
    }
    ProgressReport {
        letterhead,
        kind: String::new(),
        subject: String::new(),
        // A few units are named one by one; many are addressed through the table.
        addressees: if units.len() <= ADDRESSED_BY_NAME {
            units.iter().map(|u| u.name.clone()).collect()
        } else {
            vec!["Thủ trưởng các đơn vị có tên trong bảng dưới đây".into()]
        },
        sections: vec![Section {
            heading: String::new(),
            blocks: vec![
                Block::Paragraph(opening),
                Block::Table(Table {
                    headers: vec![
                        "TT".into(),
                        "Đơn vị".into(),
                        "Nhiệm vụ, báo cáo".into(),
                        "Thời hạn".into(),
                        "Số ngày quá hạn".into(),
                        "Lần đôn đốc".into(),
                    ],
                    rows,
                    widths: vec![7, 22, 37, 15, 10, 9],
                    numeric: vec![true, false, false, false, true, true],
                }),
                Block::Paragraph(ask),
                Block::Paragraph(format!(
                    "{agency} đề nghị các đơn vị quan tâm, thực hiện./."
                )),
            ],
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn unit(name: &str, reminder: u32) -> LateUnit {
        LateUnit {
            name: name.into(),
            reminder,
            tasks: vec![OwedTask {
                code: "2.1".into(),
                title: "Phủ sóng 4G".into(),
                due: date!(2026 - 11 - 30),
                days_late: 7,
            }],
            figures: Vec::new(),
            explanations: Vec::new(),
        }
    }

    fn head() -> Letterhead {
        Letterhead::bare(&["SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "Số: /SKHCN-CĐS")
    }

    fn text(r: &ProgressReport) -> String {
        r.sections[0]
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_tone_hardens_with_the_reminders_a_unit_has_had() {
        let today = date!(2026 - 12 - 07);
        let first = urging_letter(
            head(),
            "Sở KH&CN",
            "Kế hoạch 2026",
            &[unit("Xã An Lão", 1)],
            today,
        );
        assert!(text(&first).contains("đề nghị Thủ trưởng") && text(&first).contains("17/12/2026"));
        assert_eq!(
            first.letterhead.excerpt.as_deref(),
            Some("V/v đôn đốc thực hiện nhiệm vụ quá hạn")
        );
        assert_eq!(first.addressees, ["Xã An Lão"]);
        let second = urging_letter(
            head(),
            "Sở KH&CN",
            "Kế hoạch 2026",
            &[unit("Xã An Lão", 2), unit("Sở Y tế", 1)],
            today,
        );
        assert!(text(&second).contains("khẩn trương"));
        assert!(second.letterhead.excerpt.unwrap().ends_with("(lần\u{a0}2)"));
        let many: Vec<LateUnit> = (0..6).map(|i| unit(&format!("Xã {i}"), 1)).collect();
        let to_many = urging_letter(head(), "Sở KH&CN", "Kế hoạch 2026", &many, today);
        assert_eq!(
            to_many.addressees,
            ["Thủ trưởng các đơn vị có tên trong bảng dưới đây"],
            "many units are addressed through the table"
        );
        let third = urging_letter(
            head(),
            "Sở KH&CN",
            "Kế hoạch 2026",
            &[unit("Xã An Lão", 3)],
            today,
        );
        assert!(text(&third).contains("giải trình") && text(&third).contains("335/2025/NĐ-CP"));
    }

    #[test]
    fn figures_not_sent_are_urged_beside_the_tasks() {
        let mut late = unit("Xã An Lão", 1);
        late.figures.push(OwedFigures {
            form: "Báo cáo chỉ tiêu cấp xã (hằng quý)".into(),
            period: "Quý III/2026".into(),
            due: date!(2026 - 10 - 10),
            days_late: 58,
            missing: 12,
            total: 20,
        });
        let mut only_figures = LateUnit {
            tasks: Vec::new(),
            ..unit("Phường Pleiku", 1)
        };
        only_figures.figures.push(OwedFigures {
            form: "Báo cáo chỉ tiêu cấp xã (hằng quý)".into(),
            period: "Quý III/2026".into(),
            due: date!(2026 - 10 - 10),
            days_late: 58,
            missing: 20,
            total: 20,
        });
        let letter = urging_letter(
            head(),
            "Sở KH&CN",
            "Kế hoạch 2026",
            &[late, only_figures],
            date!(2026 - 12 - 07),
        );
        assert_eq!(
            letter.letterhead.excerpt.as_deref(),
            Some("V/v đôn đốc thực hiện nhiệm vụ và báo cáo số liệu quá hạn")
        );
        assert!(text(&letter).contains(
            "còn 1 nhiệm vụ quá hạn chưa hoàn thành và 2 báo cáo số liệu quá hạn chưa gửi của 2 đơn vị"
        ));
        assert!(text(&letter).contains("hoàn thành các nhiệm vụ và báo cáo số liệu nêu trên"));
        let Block::Table(table) = &letter.sections[0].blocks[1] else {
            panic!("the table follows the opening");
        };
        assert_eq!(table.rows.len(), 3, "a task and two reports");
        assert_eq!(
            table.rows[2][2],
            "Báo cáo số liệu: Báo cáo chỉ tiêu cấp xã (hằng quý) — Quý III/2026, còn 20/20 chỉ tiêu chưa gửi"
        );
        assert_eq!(table.rows[2][3], "10/10/2026");
    }

    #[test]
    fn unanswered_explanation_requests_are_the_third_thing_owed() {
        let mut late = unit("Xã An Lão", 1);
        late.explanations.push(OwedExplanation {
            subject: "Chỉ tiêu CQ-05 Tỷ lệ hồ sơ trực tuyến — Quý III/2026".into(),
            due: date!(2026 - 11 - 30),
            days_late: 7,
        });
        let only = LateUnit {
            tasks: Vec::new(),
            ..late_with_explanation_only()
        };
        let letter = urging_letter(
            head(),
            "Sở KH&CN",
            "Kế hoạch 2026",
            &[late, only],
            date!(2026 - 12 - 07),
        );
        assert_eq!(
            letter.letterhead.excerpt.as_deref(),
            Some("V/v đôn đốc thực hiện nhiệm vụ và giải trình quá hạn")
        );
        assert!(text(&letter).contains(
            "còn 1 nhiệm vụ quá hạn chưa hoàn thành và 2 yêu cầu giải trình quá hạn chưa trả lời của 2 đơn vị"
        ));
        let Block::Table(table) = &letter.sections[0].blocks[1] else {
            panic!("the table follows the opening");
        };
        assert_eq!(
            table.rows[1][2],
            "Yêu cầu giải trình: Chỉ tiêu CQ-05 Tỷ lệ hồ sơ trực tuyến — Quý III/2026"
        );
        assert_eq!(table.rows[1][4], "7");
    }

    fn late_with_explanation_only() -> LateUnit {
        let mut u = unit("Phường Pleiku", 1);
        u.explanations.push(OwedExplanation {
            subject: "Kết quả thực hiện của Phường Pleiku".into(),
            due: date!(2026 - 12 - 01),
            days_late: 6,
        });
        u
    }
}
