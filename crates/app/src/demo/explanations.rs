//! Explanation requests in the demo: the steering committee member asks a ward why a
//! quarter's figure is what it is (answered, waiting for the leader to read), asks a
//! department about its work (answered and accepted), and the coordinator asks the lead
//! unit of an overdue task, which has not answered past its deadline (raised to the
//! unit's head, and urged in the letter).

use dxplan_domain::explanation::RequestInput;
use dxplan_domain::indicator::PeriodType;
use dxplan_domain::text::format_date;
use dxplan_store::audit::Actor;
use dxplan_store::tasks::{self, TaskFilter, TaskSort};
use dxplan_store::{explanations as store, indicators, users};
use time::Duration;

use crate::error::AppResult;
use crate::{App, Caller, explanations};

/// A demo account acting from the command line: its name on what it writes.
pub(super) async fn as_account(
    app: &App,
    username: &str,
) -> AppResult<Option<(Caller<'static>, i64)>> {
    let mut c = app.db.read().await?;
    let Some(user) = users::by_username(&mut c, username).await? else {
        return Ok(None);
    };
    let unit = users::grants(&mut c, user.id)
        .await?
        .into_iter()
        .find_map(|g| g.unit_id)
        .unwrap_or_default();
    Ok(Some((
        Caller {
            user: None,
            actor: Actor {
                user_id: Some(user.id),
                name: user.display_name,
                via: "cli",
                client_addr: None,
                request_id: None,
            },
        },
        unit,
    )))
}

async fn unit_code(app: &App, id: i64) -> AppResult<String> {
    let mut c = app.db.read().await?;
    Ok(dxplan_store::units::get(&mut c, id).await?.code)
}

pub async fn seed(app: &App, plan_id: i64) -> AppResult<()> {
    let (Some((leader, _)), Some((coordinator, _))) = (
        as_account(app, "viewer").await?,
        as_account(app, "coordinator").await?,
    ) else {
        return Ok(());
    };
    let today = app.today();
    let in_a_week = format_date(today + Duration::days(7));

    // A ward's figure for the quarter last ended, answered by its officer.
    if let Some((officer, ward)) = as_account(app, "editor-540").await?
        && ward != 0
    {
        let quarterly = {
            let mut c = app.db.read().await?;
            indicators::list(&mut c, None, None)
                .await?
                .into_iter()
                .find(|i| i.period_type == PeriodType::Quarter && i.active)
        };
        if let Some(indicator) = quarterly {
            let period = crate::pickers::last_ended(PeriodType::Quarter, today);
            let asked = explanations::ask(
                app,
                &leader,
                &RequestInput {
                    subject: "figure".into(),
                    unit: unit_code(app, ward).await?,
                    indicator: indicator.code.clone(),
                    period: period.to_string(),
                    question: format!(
                        "Đề nghị giải trình số liệu chỉ tiêu “{}” {} thấp hơn kế hoạch: nguyên nhân, giải pháp và thời gian khắc phục.",
                        indicator.name,
                        period.label(dxplan_domain::Lang::Vi).replacen("Quý", "quý", 1)
                    ),
                    deadline: in_a_week.clone(),
                    ..Default::default()
                },
            )
            .await?;
            explanations::answer(
                app,
                &officer,
                asked.request.id,
                "Số liệu thấp do trong quý phường tập trung rà soát, làm sạch dữ liệu dân cư nên tạm dừng tiếp nhận hồ sơ trực tuyến 3 tuần. Đã khôi phục từ đầu tháng; dự kiến đạt kế hoạch trong quý tới.",
            )
            .await?;
        }
    }

    // A department asked about its work as a whole: answered and accepted.
    if let Some((officer, department)) = as_account(app, "editor-stc2").await?
        && department != 0
    {
        let asked = explanations::ask(
            app,
            &leader,
            &RequestInput {
                subject: "unit".into(),
                unit: unit_code(app, department).await?,
                question: "Đề nghị báo cáo, giải trình việc chậm cập nhật tiến độ các nhiệm vụ chuyển đổi số của Sở trên hệ thống.".into(),
                deadline: in_a_week.clone(),
                ..Default::default()
            },
        )
        .await?;
        explanations::answer(
            app,
            &officer,
            asked.request.id,
            "Sở đã phân công lại cán bộ đầu mối cập nhật; toàn bộ tiến độ tháng đã được cập nhật đầy đủ.",
        )
        .await?;
        explanations::accept(
            app,
            &leader,
            asked.request.id,
            "Ghi nhận; đề nghị duy trì cập nhật hằng tháng.",
        )
        .await?;
    }

    // An overdue task's lead unit, asked a week and a half ago and silent since.
    let overdue = {
        let mut c = app.db.read().await?;
        tasks::list(
            &mut c,
            &TaskFilter {
                plan_id: Some(plan_id),
                overdue: true,
                today: Some(today),
                sort: TaskSort::Due,
                limit: 1,
                ..Default::default()
            },
        )
        .await?
        .tasks
        .into_iter()
        .next()
    };
    if let Some(task) = overdue {
        let asked = explanations::ask(
            app,
            &coordinator,
            &RequestInput {
                subject: "task".into(),
                task_id: Some(task.id),
                question: format!(
                    "Nhiệm vụ {} đã quá hạn từ ngày {}. Đề nghị đơn vị giải trình nguyên nhân chậm và đề xuất thời hạn hoàn thành.",
                    task.code,
                    format_date(task.due_date)
                ),
                deadline: in_a_week.clone(),
                ..Default::default()
            },
        )
        .await?;
        // Asked ten days ago with a week to answer, and silent since.
        let mut c = app.housekeeping().await?;
        store::backdate(
            &mut c,
            asked.request.id,
            app.now() - Duration::days(10),
            today - Duration::days(3),
        )
        .await?;
        c.commit().await?;
        explanations::escalate_overdue(app, app.now()).await?;
    }
    Ok(())
}
