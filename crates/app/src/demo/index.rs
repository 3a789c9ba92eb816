//! Demo index assessment: frameworks modelled on the real DTI (departments 500 points,
//! districts 1,000 points mirroring Decision 922, communes on the foundation group), a
//! 2024 round fully published and 2025 rounds in progress at every step, with evidence
//! links, verifiers' adjustments and responses; and plan tasks linked to criteria.

use std::collections::HashMap;

use serde_json::json;
use time::{Date, Month, OffsetDateTime, Time};

use dxplan_domain::assessment::AssessmentStatus;
use dxplan_domain::scoring::{Answer, Rule, Scored, score};
use dxplan_domain::unit::UnitKind;
use dxplan_store::audit::Actor;
use dxplan_store::index_rounds::{
    self as rounds, NewEvent, NewEvidence, RoundWrite, VerificationWrite,
};
use dxplan_store::{Conn, units};

use crate::App;
use crate::Caller;
use crate::demo::indicators::noise;
use crate::error::{AppError, AppResult};
use crate::index::{FrameworkInput, FrameworkView, create_from};

const DEPARTMENTS_2024: &str = include_str!("../../demo/index/dti-so-2024.json");
const DISTRICTS_2024: &str = include_str!("../../demo/index/dti-huyen-2024.json");

fn parse(json: &str) -> AppResult<FrameworkInput> {
    serde_json::from_str(json).map_err(|e| AppError::internal(format!("demo framework: {e}")))
}

/// A district criterion's text as a commune's (the 2025 commune framework starts as a copy
/// of the district one): the phrases about the district's communes first, then the level.
fn for_communes(text: &str) -> String {
    const PHRASES: &[(&str, &str)] = &[
        (
            "xã, phường, thị trấn có Ban chỉ đạo chuyển đổi số do Chủ tịch UBND cấp xã làm Trưởng ban",
            "thôn, tổ dân phố có Tổ công nghệ số cộng đồng",
        ),
        (
            "tổng số đơn vị hành chính cấp xã",
            "tổng số thôn, tổ dân phố",
        ),
        (
            "Ban chỉ đạo chuyển đổi số của từng xã, phường, thị trấn",
            "Tổ công nghệ số cộng đồng của từng thôn, tổ dân phố",
        ),
        (
            "Đài Truyền thanh - Truyền hình và Cổng thông tin điện tử cấp huyện",
            "Đài truyền thanh và Trang thông tin điện tử của xã",
        ),
        ("từ huyện đến cấp xã", "của xã với thôn, tổ dân phố"),
        ("cấp huyện, cấp xã", "cấp xã"),
        ("Trung tâm Y tế huyện", "Trạm Y tế xã"),
        ("cấp huyện", "cấp xã"),
        ("UBND huyện", "UBND xã"),
        ("HĐND huyện", "HĐND xã"),
        ("ngân sách huyện", "ngân sách xã"),
        ("Công an huyện", "Công an xã"),
        ("của huyện", "của xã"),
        ("năm 2024", "năm 2025"),
    ];
    PHRASES
        .iter()
        .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

fn date(y: i32, m: Month, d: u8) -> AppResult<Date> {
    Date::from_calendar_date(y, m, d).map_err(|e| AppError::internal(e.to_string()))
}

/// A demo round: framework, name, year, the unit running it, the units assessed, and
/// whether it is published.
type DemoRound<'a> = (&'a FrameworkView, &'a str, i64, i64, Vec<i64>, bool);

/// What the demo made, for the console and the tests.
pub struct SeededIndex {
    pub published_rounds: Vec<i64>,
    pub open_rounds: Vec<i64>,
}

pub async fn seed(app: &App) -> AppResult<SeededIndex> {
    let caller = Caller {
        user: None,
        actor: Actor::system("demo"),
    };
    let so_2024 = create_from(app, &caller, &parse(DEPARTMENTS_2024)?, None).await?;
    let huyen_2024 = create_from(app, &caller, &parse(DISTRICTS_2024)?, None).await?;
    // This year's sets start as copies of last year's, as provinces do.
    let mut so = parse(DEPARTMENTS_2024)?;
    so.code = "DTI-SO-2025".into();
    so.name = so.name.replace("2024", "2025");
    so.year = 2025;
    let so_2025 = create_from(app, &caller, &so, Some(so_2024.framework.id)).await?;
    let mut huyen = parse(DISTRICTS_2024)?;
    huyen.code = "DTI-HUYEN-2025".into();
    huyen.name = huyen.name.replace("2024", "2025");
    huyen.year = 2025;
    let huyen_2025 = create_from(app, &caller, &huyen, Some(huyen_2024.framework.id)).await?;
    // Communes are scored on the foundation group only (main indices 1–5).
    let mut xa = parse(DISTRICTS_2024)?;
    xa.code = "DTI-XA-2025".into();
    xa.name = "Bộ chỉ số đánh giá chuyển đổi số cấp xã năm 2025".into();
    xa.year = 2025;
    xa.unit_kinds = vec!["commune".into()];
    xa.criteria.retain(|k| {
        let top = k.code.split('.').next().unwrap_or_default();
        matches!(top, "1" | "2" | "3" | "4" | "5")
    });
    // Its wording speaks of the commune and its villages, not of a district and its
    // communes, and of 2025.
    for k in &mut xa.criteria {
        k.name = for_communes(&k.name);
        k.guidance = k.guidance.as_deref().map(for_communes);
        k.evidence = k.evidence.as_deref().map(for_communes);
    }
    let xa_2025 = create_from(app, &caller, &xa, Some(huyen_2024.framework.id)).await?;

    let today = app.today();
    let end_2024 = date(2024, Month::December, 31)?;
    let end_2025 = date(2025, Month::December, 31)?.min(today);
    let published_at = date(2025, Month::April, 20)?
        .with_time(Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc();
    let deadline = today + time::Duration::days(20);

    let mut c = app.housekeeping().await?;
    let province = units::by_code(&mut c, "52", today)
        .await?
        .ok_or_else(|| AppError::internal("province 52 missing"))?;
    let all_2024 = units::valid_on(&mut c, end_2024).await?;
    let all_2025 = units::valid_on(&mut c, end_2025).await?;
    // Quy Nhơn assesses its own communes; after the 2025 reorganisation (the full demo)
    // there are no districts at the end of 2025 and the province assesses the new communes.
    let district = all_2025
        .iter()
        .find(|u| u.code == "540" && u.kind == UnitKind::District)
        .map(|u| u.id);
    let of_kind = |list: &[units::Unit], kind: UnitKind, parent: Option<i64>| -> Vec<i64> {
        list.iter()
            .filter(|u| u.kind == kind && parent.is_none_or(|p| u.parent_id == Some(p)))
            .map(|u| u.id)
            .collect()
    };
    let mut seeded = SeededIndex {
        published_rounds: Vec::new(),
        open_rounds: Vec::new(),
    };
    let mut plan: Vec<DemoRound<'_>> = vec![
        (
            &so_2024,
            "Đánh giá chuyển đổi số cấp sở, ban, ngành năm 2024",
            2024,
            province.id,
            of_kind(&all_2024, UnitKind::Department, None),
            true,
        ),
        (
            &huyen_2024,
            "Đánh giá chuyển đổi số cấp huyện năm 2024",
            2024,
            province.id,
            of_kind(&all_2024, UnitKind::District, None),
            true,
        ),
        (
            &so_2025,
            "Đánh giá chuyển đổi số cấp sở, ban, ngành năm 2025",
            2025,
            province.id,
            of_kind(&all_2025, UnitKind::Department, None),
            false,
        ),
        (
            &huyen_2025,
            "Đánh giá chuyển đổi số cấp huyện năm 2025",
            2025,
            province.id,
            of_kind(&all_2025, UnitKind::District, None),
            false,
        ),
        (
            &xa_2025,
            match district {
                Some(_) => "Đánh giá chuyển đổi số cấp xã năm 2025 — Thành phố Quy Nhơn",
                None => "Đánh giá chuyển đổi số cấp xã năm 2025",
            },
            2025,
            district.unwrap_or(province.id),
            of_kind(&all_2025, UnitKind::Commune, district),
            false,
        ),
    ];
    // No district round for a year whose end has no districts.
    plan.retain(|(_, _, _, _, units, _)| !units.is_empty());
    let now = app.now();
    for (framework, name, year, run_by, units, published) in plan {
        let round_id = rounds::insert_round(
            &mut c,
            &RoundWrite {
                framework_id: framework.framework.id,
                name,
                year,
                run_by_unit_id: run_by,
                deadline: if published {
                    date(2025, Month::March, 15)?
                } else {
                    deadline
                },
            },
            &units,
            now,
        )
        .await?;
        let assessments = rounds::assessments_of_round(&mut c, round_id).await?;
        for (i, a) in assessments.iter().enumerate() {
            // Published rounds are complete; this year's stand at every step.
            let stage = if published { 4 } else { i % 5 };
            fill(&mut c, framework, a, year, stage, now).await?;
        }
        if published {
            rounds::publish_round(&mut c, round_id, now).await?;
            rounds::set_published_at(&mut c, round_id, published_at).await?;
            seeded.published_rounds.push(round_id);
        } else {
            seeded.open_rounds.push(round_id);
        }
    }
    link_tasks(&mut c, &so_2025, &huyen_2025).await?;
    c.commit_shown().await?;
    Ok(seeded)
}

/// A unit's answer to one criterion, from its overall strength and some noise.
fn answer_for(rule: &Rule, max: f64, p: f64, n: f64) -> Answer {
    let mut a = Answer::default();
    match rule {
        Rule::Manual => a.points = Some((p * max * 2.0).round() / 2.0),
        Rule::YesNo => a.yes = Some(p > 0.35),
        Rule::Ratio => {
            let total = 4.0 + (n * 8.0).floor();
            a.denominator = Some(total);
            a.numerator = Some((p * total).round());
        }
        Rule::Linear { zero_at, full_at } => {
            a.value = Some(((zero_at + p * (full_at - zero_at)) * 10.0).round() / 10.0);
        }
        Rule::Steps { steps } => {
            let top = steps.iter().map(|s| s.at_least).fold(0.0, f64::max);
            a.value = Some((p * (top + 1.0)).floor());
        }
        Rule::Choice { options } => {
            let mut sorted: Vec<_> = options.iter().collect();
            sorted.sort_by(|x, y| y.share.total_cmp(&x.share));
            let pick = if p > 0.6 {
                0
            } else if p > 0.3 {
                sorted.len() / 2
            } else {
                sorted.len().saturating_sub(1)
            };
            a.choice = sorted.get(pick).map(|o| o.key.clone());
        }
        Rule::TargetShare { lower_is_better } => {
            let target = 100.0;
            a.target = Some(target);
            a.value = Some(if *lower_is_better {
                ((target / p.max(0.25)) * 10.0).round() / 10.0
            } else {
                (p * target * 10.0).round() / 10.0
            });
        }
    }
    a
}

const ADJUSTMENTS: [&str; 4] = [
    "Minh chứng chưa ghi số, ngày văn bản; chỉ công nhận một phần.",
    "Số liệu khác với số liệu trên Hệ thống thông tin giải quyết thủ tục hành chính tỉnh.",
    "Văn bản ban hành sau thời điểm đánh giá, không được tính.",
    "Biên bản họp không có chữ ký của người chủ trì.",
];

const RESPONSES: [&str; 2] = [
    "Đơn vị bổ sung Quyết định số 45/QĐ ngày 12/3/2025 kèm theo; đề nghị xem xét lại.",
    "Số liệu đơn vị báo cáo đã được Trung tâm Phục vụ hành chính công xác nhận.",
];

/// Fills one assessment to a stage: 0 half answered, 1 answered, 2 submitted,
/// 3 being verified (with an adjustment), 4 verified (final points set).
async fn fill(
    c: &mut Conn,
    framework: &FrameworkView,
    a: &rounds::Assessment,
    year: i64,
    stage: usize,
    now: OffsetDateTime,
) -> AppResult<()> {
    let strength = 0.45 + 0.5 * noise(a.unit_id, 17, 3);
    let short = a.unit_code.trim_start_matches("52-").to_string();
    let mut leaf_no = 0i64;
    let mut points_of: HashMap<String, f64> = HashMap::new();
    for k in &framework.criteria {
        let Some(rule) = &k.rule else { continue };
        leaf_no += 1;
        if stage == 0 && leaf_no % 2 == 0 {
            continue;
        }
        let n = noise(a.unit_id, leaf_no, year);
        let p = (strength + (n - 0.5) * 0.5).clamp(0.0, 1.0);
        let answer = answer_for(rule, k.max_points, p, n);
        let points = match score(rule, k.max_points, &answer) {
            Ok(Scored::Points(points)) => Some(points),
            _ => None,
        };
        let document = format!(
            "{}/QĐ-{short} ngày {}/{}/{year}",
            10 + leaf_no,
            1 + (n * 27.0) as i64,
            1 + (n * 11.0) as i64
        );
        let explanation = format!("Căn cứ Quyết định số {document}.");
        rounds::save_answer(
            c,
            a.id,
            &k.code,
            &json!(answer).to_string(),
            points,
            Some(&explanation),
            now,
        )
        .await?;
        if n < 0.35 {
            rounds::add_evidence(
                c,
                a.id,
                &k.code,
                &NewEvidence {
                    url: Some(&format!(
                        "https://binhdinh.gov.vn/van-ban/{}-{year}-{}.pdf",
                        short.to_lowercase(),
                        10 + leaf_no
                    )),
                    sha256: None,
                    size: None,
                    kind: None,
                    original_name: &format!("Quyết định số {document}"),
                    uploaded_by: None,
                    uploader_name: &format!("Cán bộ {}", a.unit_name),
                },
                now,
            )
            .await?;
        }
        points_of.insert(k.code.clone(), points.unwrap_or(0.0));
    }
    if stage < 2 {
        return Ok(());
    }
    let event = |action, from, to| NewEvent {
        actor_name: "demo",
        action,
        from_status: Some(from),
        to_status: Some(to),
        ..Default::default()
    };
    rounds::add_event(
        c,
        a.id,
        &event(
            "submit",
            AssessmentStatus::Draft,
            AssessmentStatus::SelfAssessed,
        ),
        now,
    )
    .await?;
    if stage == 2 {
        rounds::set_status(c, a.id, AssessmentStatus::SelfAssessed, None, now).await?;
        return Ok(());
    }
    let mut leaf_no = 0i64;
    let mut adjusted_once = false;
    for k in &framework.criteria {
        if k.rule.is_none() {
            continue;
        }
        leaf_no += 1;
        // Stage 3: the first half verified so far.
        if stage == 3 && leaf_no % 2 == 0 {
            continue;
        }
        let own = points_of.get(&k.code).copied().unwrap_or(0.0);
        let n = noise(a.unit_id, leaf_no, year * 7);
        let adjust = own > 0.0 && (n < 0.1 || (stage == 3 && !adjusted_once && own > 1.0));
        let (verification, points, comment) = if adjust {
            adjusted_once = true;
            (
                "adjusted",
                (own * 0.6 * 2.0).round() / 2.0,
                Some(ADJUSTMENTS[(n * 40.0) as usize % ADJUSTMENTS.len()]),
            )
        } else {
            ("accepted", own, None)
        };
        rounds::verify(
            c,
            a.id,
            &k.code,
            &VerificationWrite {
                verification,
                points,
                comment,
                verified_by: "Sở Khoa học và Công nghệ",
            },
            now,
        )
        .await?;
        rounds::add_event(
            c,
            a.id,
            &NewEvent {
                actor_name: "Sở Khoa học và Công nghệ",
                action: verification,
                criterion_code: Some(&k.code),
                points_before: Some(own),
                points_after: Some(points),
                comment,
                ..Default::default()
            },
            now,
        )
        .await?;
        if adjust && n < 0.05 {
            let response = RESPONSES[leaf_no as usize % RESPONSES.len()];
            rounds::set_response(c, a.id, &k.code, response, now).await?;
            rounds::mark_responded(c, a.id, now).await?;
        }
    }
    if stage == 3 {
        rounds::set_status(c, a.id, AssessmentStatus::Verifying, None, now).await?;
        return Ok(());
    }
    rounds::finalize_scores(c, a.id, now).await?;
    rounds::add_event(
        c,
        a.id,
        &event(
            "finalize",
            AssessmentStatus::Verifying,
            AssessmentStatus::Verified,
        ),
        now,
    )
    .await?;
    rounds::set_status(c, a.id, AssessmentStatus::Verified, None, now).await?;
    Ok(())
}

/// Links some of the 2025 plan's tasks to the criteria they aim at: a department's tasks
/// to the department set, a district's to the district set.
async fn link_tasks(c: &mut Conn, so: &FrameworkView, huyen: &FrameworkView) -> AppResult<()> {
    let leaves = |f: &FrameworkView| -> Vec<String> {
        f.criteria
            .iter()
            .filter(|k| k.rule.is_some())
            .map(|k| k.code.clone())
            .collect()
    };
    let (so_leaves, huyen_leaves) = (leaves(so), leaves(huyen));
    for (task_id, kind) in rounds::tasks_of_year(c, 2025).await? {
        if task_id % 3 != 0 {
            continue;
        }
        let (framework, codes) = match kind.as_str() {
            "department" => (so, &so_leaves),
            "district" => (huyen, &huyen_leaves),
            _ => continue,
        };
        if codes.is_empty() {
            continue;
        }
        let pick = (noise(task_id, 5, 9) * codes.len() as f64) as usize % codes.len();
        if let Some(id) = rounds::criterion_id(c, framework.framework.id, &codes[pick]).await? {
            rounds::set_task_criteria(c, task_id, &[id]).await?;
        }
    }
    Ok(())
}
