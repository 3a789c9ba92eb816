//! A scheduled briefing in the demo: the steering committee member receives the
//! province's one-page briefing every Monday. The coordinator sent a first one by hand
//! when setting it up; it waits for the province's mail server (the demo has none, so
//! its line in the log reads "waiting to be sent").

use dxplan_domain::briefing::ScheduleInput;
use dxplan_store::users;

use crate::App;
use crate::briefings::{self, ScheduleRequest};
use crate::error::AppResult;

/// The address the demo gives the committee member: `.example` reaches nobody.
const LEADER_EMAIL: &str = "thanhvien.bcd@gialai.example";

pub async fn seed(app: &App, plan_id: i64) -> AppResult<()> {
    let Some((coordinator, _)) = super::explanations::as_account(app, "coordinator").await? else {
        return Ok(());
    };
    let leader = {
        let mut c = app.housekeeping().await?;
        let Some(user) = users::by_username(&mut c, "viewer").await? else {
            return Ok(());
        };
        let changes = users::UserChanges {
            display_name: user.display_name.clone(),
            email: Some(LEADER_EMAIL.into()),
            phone: user.phone.clone(),
            unit_id: user.unit_id,
            active: user.active,
        };
        users::update(&mut c, user.id, &changes, None, app.now()).await?;
        c.commit_shown().await?;
        user.id
    };
    let province = {
        let mut c = app.db.read().await?;
        match dxplan_store::units::roots(&mut c, app.today())
            .await?
            .first()
        {
            Some(root) => dxplan_store::units::get(&mut c, *root).await?.code,
            None => return Ok(()),
        }
    };
    let schedule = briefings::create(
        app,
        &coordinator,
        &ScheduleRequest {
            plan: plan_id.to_string(),
            unit: province,
            fields: ScheduleInput {
                title: "Tóm tắt tuần cho Ban Chỉ đạo".into(),
                document: "briefing".into(),
                cadence: "weekly".into(),
                weekday: Some("1".into()),
                days_before: None,
            },
            active: true,
        },
    )
    .await?;
    briefings::add_recipient(app, &coordinator, schedule.id, leader).await?;
    briefings::send_now(app, &coordinator, schedule.id).await?;
    Ok(())
}
