//! The demo plan: realistic DX tasks of a Vietnamese province, made concrete for real
//! departments and localities of Bình Định, in every state of the workflow, with
//! progress reports, obstacles, proposals and extensions.

use dxplan_domain::period::Period;
use dxplan_domain::task::{NO_DEADLINE, ReportFields, SourceDocType, TaskFields, TaskStatus};
use dxplan_domain::unit::UnitKind;
use dxplan_store::audit::{self, Actor, NewEvent};
use dxplan_store::plans::{self, PlanFields};
use dxplan_store::tasks::{self, NewTaskEvent, ReportWrite, TaskWrite, Waiting};
use dxplan_store::units;
use time::{Date, Duration, Month};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::tasks::DEFAULT_GROUPS;

mod templates;

use templates::{Lead, OBSTACLES, PROPOSALS, TEMPLATES};

fn date(y: i32, m: u8, d: u8) -> Date {
    Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        .unwrap_or(Date::MIN)
}

/// Seeds one plan of the given year: for the current year deadlines spread around
/// today, for a past year they fall in that year and most work is done. A district named
/// by a template that no longer exists is replaced by the unit that carries its work.
pub async fn seed_plan(app: &App, year: i32) -> AppResult<i64> {
    seed_plan_with(app, year, None).await
}

/// As [`seed_plan`]; with `districts_end` (the day the district level ends), a district's
/// finished or cancelled task is due, done and reported before that day, and work still
/// open is reported only for the quarters before it (the reorganisation carries it on).
pub async fn seed_plan_with(app: &App, year: i32, districts_end: Option<Date>) -> AppResult<i64> {
    let today = app.today();
    let now = app.now();
    let past = year < today.year();
    let mut c = app.housekeeping().await?;
    let plan_id = plans::insert(&mut c, &PlanFields {
        year: i64::from(year),
        title: format!("Kế hoạch chuyển đổi số năm {year}"),
        legal_basis: Some(
            "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ; Nghị quyết của Tỉnh uỷ về chuyển đổi số"
                .into(),
        ),
        decision_number: Some(format!("{}/KH-UBND", 20 + year % 100)),
        decision_date: Some(date(year, 1, 15)),
        status: dxplan_domain::task::PlanStatus::Active,
    }, now)
    .await?;
    for (position, (code, name, pillar)) in DEFAULT_GROUPS.iter().enumerate() {
        plans::insert_group(&mut c, plan_id, code, name, pillar, position as i64 + 1).await?;
    }
    let groups = plans::groups(&mut c, plan_id).await?;
    let resolve =
        async |c: &mut dxplan_store::Conn, code: &str| -> AppResult<Option<units::Unit>> {
            let mut found = units::by_code(c, code, today).await?;
            if found.is_none() {
                found = units::all_with_code(c, code).await?.into_iter().next();
                // Ended: the unit that carries it on today, along single successors.
                let mut at = found.clone();
                for _ in 0..4 {
                    let Some(u) = at.filter(|u| u.valid_to.is_some_and(|end| end < today)) else {
                        break;
                    };
                    let next = units::successors(c, u.id).await?;
                    at = match next.as_slice() {
                        [only] => Some(only.clone()),
                        _ => None,
                    };
                    if let Some(now) = at
                        .as_ref()
                        .filter(|n| n.valid_to.is_none_or(|e| e >= today))
                    {
                        found = Some(now.clone());
                        break;
                    }
                }
            }
            Ok(found)
        };
    let mut per_group: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut index = 0usize;
    for template in TEMPLATES {
        let leads: Vec<&str> = match &template.lead {
            Lead::Unit(code) => vec![code],
            Lead::Each(codes) => codes.to_vec(),
        };
        for lead_code in leads {
            let Some(lead) = resolve(&mut c, lead_code).await? else {
                continue;
            };
            let mut coordinating = Vec::new();
            for code in template.coordinating {
                if let Some(u) = resolve(&mut c, code).await?
                    && u.id != lead.id
                {
                    coordinating.push(u.id);
                }
            }
            let n = per_group.entry(template.group).or_default();
            *n += 1;
            let code = format!("{}.{}", template.group, n);
            let title = match &template.lead {
                Lead::Each(_) => format!("{} tại {}", template.title, lead.name),
                Lead::Unit(_) => template.title.to_string(),
            };
            let group_id = groups
                .iter()
                .find(|g| g.code == template.group)
                .map(|g| g.id);
            let (start, mut due) = schedule(index, year, today, past);
            let status = status_for(index, past);
            // Some of this year's ongoing work has no deadline: regular tasks, reported
            // each period (never one that asks for more time, which a deadline needs).
            if !past
                && status == TaskStatus::InProgress
                && index.is_multiple_of(3)
                && index % 4 != 1
            {
                due = NO_DEADLINE;
            }
            // Until the district level ends: the last day a district still worked.
            let district_until = districts_end
                .filter(|_| lead.kind == UnitKind::District)
                .and_then(|end| end.previous_day());
            if let Some(last) = district_until
                && matches!(status, TaskStatus::Completed | TaskStatus::Cancelled)
            {
                due = due.min(last - Duration::days(15));
            }
            let fields = TaskFields {
                code: code.clone(),
                title,
                description: None,
                deliverable: Some(template.deliverable.to_string()),
                group_id,
                lead_unit_code: lead.code.clone(),
                coordinating_unit_codes: Vec::new(),
                partners: template.partners.iter().map(|p| p.to_string()).collect(),
                start_date: Some(start),
                due_date: due,
                budget_planned: template.budget_million * 1_000_000,
                // A commune's own budget since the district level ended.
                funding_source: Some(match template.funding {
                    "Ngân sách huyện" if lead.kind == UnitKind::Commune => "Ngân sách xã",
                    f => f,
                })
                .filter(|f| !f.is_empty())
                .map(str::to_string),
                acquisition_mode: template.mode,
                assigned_doc_number: Some(format!("{}/KH-UBND", 20 + year % 100)),
                assigned_doc_date: Some(date(year, 1, 15)),
                assigned_doc_signer: Some("Phó Chủ tịch UBND tỉnh".into()),
                assigned_doc_type: Some(SourceDocType::Plan),
                assigned_doc_item: Some(format!("Mục {}", template.group)),
                // One task in five is a key task of the year.
                key_task: index.is_multiple_of(5),
            };
            let id = tasks::insert(
                &mut c,
                &TaskWrite {
                    fields: &fields,
                    plan_id,
                    lead_unit_id: lead.id,
                    coordinating: &coordinating,
                },
                TaskStatus::Draft,
                None,
                now,
            )
            .await?;
            // The accounts are named after the template's unit (a district's carried on
            // with its work to the new commune).
            walk(
                &mut c,
                id,
                lead_code,
                status,
                index,
                due,
                Moment {
                    today,
                    year,
                    until: district_until,
                },
                &fields,
                now,
            )
            .await?;
            index += 1;
        }
    }
    audit::record(
        &mut c,
        &Actor::system("demo"),
        NewEvent {
            action: "plan.create",
            entity_type: "plan",
            entity_id: Some(plan_id.to_string()),
            summary: format!("Kế hoạch chuyển đổi số năm {year} ({index} nhiệm vụ mẫu)"),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    c.commit_shown().await?;
    Ok(plan_id)
}

/// Start and due dates: within the year for a past plan; around today for the current one.
fn schedule(i: usize, year: i32, today: Date, past: bool) -> (Date, Date) {
    if past {
        let due_month = 3 + (i % 10) as u8;
        (date(year, 1 + (i % 3) as u8, 1), date(year, due_month, 28))
    } else {
        let offset = (i as i64 * 37) % 330 - 150;
        let due = (today + Duration::days(offset))
            .min(date(year, 12, 31))
            .max(date(year, 1, 31));
        (date(year, 1, 15).min(due), due)
    }
}

/// A spread of states: mostly done in a past plan, every state in the current one.
fn status_for(i: usize, past: bool) -> TaskStatus {
    use TaskStatus::*;
    if past {
        return [
            Completed, Completed, Completed, Completed, Completed, InProgress, Completed,
            Cancelled, Completed, InProgress,
        ][i % 10];
    }
    [
        InProgress,
        InProgress,
        Completed,
        Approved,
        Submitted,
        InProgress,
        ChangesRequested,
        Draft,
        InProgress,
        Completed,
        Submitted,
        InProgress,
        Cancelled,
        Approved,
    ][i % 14]
}

/// When a task is walked: today, the plan's year, and the last day its lead may record.
struct Moment {
    today: Date,
    year: i32,
    until: Option<Date>,
}

#[allow(clippy::too_many_arguments)]
async fn walk(
    c: &mut dxplan_store::Conn,
    id: i64,
    lead_code: &str,
    target: TaskStatus,
    i: usize,
    due: Date,
    Moment { today, year, until }: Moment,
    fields: &TaskFields,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    use TaskStatus::*;
    let slug = lead_code.trim_start_matches("52-").to_lowercase();
    let editor = format!("editor-{slug}");
    let approver = format!("approver-{slug}");
    let event = |action: &'static str,
                 actor: String,
                 from: Option<TaskStatus>,
                 to: Option<TaskStatus>,
                 comment: Option<String>| { (action, actor, from, to, comment) };
    let mut steps = vec![event("create", editor.clone(), None, Some(Draft), None)];
    let path: &[TaskStatus] = match target {
        Draft => &[],
        Submitted => &[Submitted],
        ChangesRequested => &[Submitted, ChangesRequested],
        Approved => &[Submitted, Approved],
        InProgress => &[Submitted, Approved, InProgress],
        Completed => &[Submitted, Approved, InProgress, Completed],
        Cancelled => &[Submitted, Cancelled],
    };
    let mut from = Draft;
    for to in path {
        let (action, actor, comment) = match to {
            Submitted => ("submit", approver.clone(), None),
            ChangesRequested => (
                "request_changes",
                "coordinator".to_string(),
                Some("Đề nghị bổ sung chỉ tiêu định lượng và lộ trình thực hiện.".to_string()),
            ),
            Approved => (
                "approve",
                "coordinator".to_string(),
                Some("Thống nhất nội dung đăng ký.".to_string()),
            ),
            InProgress => ("start", editor.clone(), None),
            Completed => (
                "complete",
                editor.clone(),
                Some(format!(
                    "Hoàn thành: {}",
                    fields.deliverable.as_deref().unwrap_or_default()
                )),
            ),
            Cancelled => (
                "cancel",
                "coordinator".to_string(),
                Some("Nội dung trùng với nhiệm vụ cấp tỉnh, đề nghị lồng ghép.".to_string()),
            ),
            _ => continue,
        };
        steps.push(event(action, actor, Some(from), Some(*to), comment));
        from = *to;
    }
    // Progress reports for work under way or done: one a quarter so far.
    let reporting = matches!(target, InProgress | Completed);
    if reporting {
        let last_q = if year < today.year() {
            4
        } else {
            u8::from(today.month()).div_ceil(3)
        };
        for q in 1..=last_q {
            if until.is_some_and(|last| Period::Quarter(year, q).end() > last) {
                break;
            }
            let progress = (q as i64 * (20 + (i as i64 % 4) * 5)).min(if target == Completed {
                100
            } else {
                90
            });
            let disbursed = fields.budget_planned * progress / 100;
            let period = Period::Quarter(year, q);
            let report = ReportFields {
                period,
                progress,
                done: Some(format!(
                    "Đã triển khai {progress}% khối lượng công việc theo kế hoạch."
                )),
                obstacles: (!i.is_multiple_of(3))
                    .then(|| OBSTACLES[(i + q as usize) % OBSTACLES.len()].to_string()),
                proposals: i
                    .is_multiple_of(2)
                    .then(|| PROPOSALS[(i + q as usize) % PROPOSALS.len()].to_string()),
                disbursed,
            };
            tasks::upsert_report(
                c,
                &ReportWrite {
                    task_id: id,
                    fields: &report,
                    author_id: None,
                    author_name: &editor,
                    entered_offline_at: None,
                },
                now,
            )
            .await?;
            steps.push(event(
                "report",
                editor.clone(),
                None,
                None,
                Some(format!("{period}: {progress}%")),
            ));
        }
    }
    // Some agreed work asked for more time; most requests were granted.
    if matches!(target, InProgress) && i % 4 == 1 {
        let new_due = due + Duration::days(60);
        let ext = tasks::add_extension(
            c,
            id,
            None,
            &approver,
            "Nhà thầu chậm bàn giao thiết bị; đề nghị gia hạn 60 ngày.",
            due,
            new_due,
            now,
        )
        .await?;
        steps.push(event(
            "extension_requested",
            approver.clone(),
            None,
            None,
            Some("Nhà thầu chậm bàn giao thiết bị.".into()),
        ));
        if i % 8 == 1 {
            tasks::decide_extension(
                c,
                ext,
                true,
                None,
                "coordinator",
                Some("Đồng ý gia hạn."),
                now,
            )
            .await?;
            tasks::set_due_date(c, id, new_due, now).await?;
            steps.push(event(
                "extension_approved",
                "coordinator".into(),
                None,
                None,
                Some("Đồng ý gia hạn.".into()),
            ));
        }
    }
    // This year's plan shows what waits on the assigner: completions reported and not
    // yet confirmed (one of them refused once already), and tasks a unit asks to hand back.
    let current = year == today.year() && until.is_none();
    let mut waiting = Waiting::default();
    if current && target == InProgress && i % 6 == 5 {
        let delivered = format!(
            "Đã hoàn thành: {}.",
            fields
                .deliverable
                .as_deref()
                .unwrap_or("sản phẩm theo kế hoạch")
        );
        if i % 12 == 11 {
            steps.push(event(
                "complete",
                editor.clone(),
                Some(InProgress),
                Some(InProgress),
                Some(delivered.clone()),
            ));
            steps.push(event(
                "refuse_completion",
                "coordinator".into(),
                Some(InProgress),
                Some(InProgress),
                Some("Chưa kèm biên bản nghiệm thu; đề nghị bổ sung.".into()),
            ));
        }
        steps.push(event(
            "complete",
            editor.clone(),
            Some(InProgress),
            Some(InProgress),
            Some(delivered),
        ));
        waiting.completion_reported_on = Some(today - Duration::days((i % 4) as i64 + 1));
    }
    if current && target == Approved && i % 4 == 3 {
        steps.push(event(
            "decline",
            approver.clone(),
            Some(Approved),
            Some(Approved),
            Some("Nội dung thuộc chức năng của đơn vị khác; đề nghị giao lại.".into()),
        ));
        waiting.decline_requested_on = Some(today - Duration::days(3));
    }
    for (action, actor, from, to, comment) in &steps {
        tasks::add_event(
            c,
            &NewTaskEvent {
                task_id: id,
                actor_id: None,
                actor_name: actor,
                action,
                from_status: *from,
                to_status: *to,
                comment: comment.as_deref(),
            },
            now,
        )
        .await?;
    }
    if target != Draft {
        // On time for most, late for some: the follow-up taxonomy needs both.
        let completed_on = (target == Completed).then(|| {
            if i.is_multiple_of(3) {
                due + Duration::days(12)
            } else {
                due - Duration::days(5)
            }
            .min(today)
            .min(until.unwrap_or(today))
        });
        tasks::set_state(c, id, target, completed_on, waiting, None, now)
            .await
            .map_err(AppError::from)?;
        // This year's work names the officer who answers for it (Decree 335 scores them),
        // and a few late tasks had an objective cause the coordinator confirmed.
        if current {
            if i.is_multiple_of(2)
                && let Some(officer) = dxplan_store::users::by_username(c, &editor).await?
            {
                tasks::set_officer(c, id, Some(officer.id), now).await?;
            }
            if i % 5 == 2 && target != Completed && due < today {
                let reason = "Ảnh hưởng của mưa bão, nhà thầu không thể thi công đúng tiến độ.";
                tasks::set_delay_exemption(c, id, Some((reason, "coordinator")), now).await?;
            }
        }
    }
    Ok(())
}
