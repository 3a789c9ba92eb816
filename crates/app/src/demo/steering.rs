//! The steering committee's year in the demo: a first session whose conclusions became
//! tasks (one done, one late), one closed and one never assigned, with its notice
//! numbered; and a second session briefed on what the first left open.

use dxplan_domain::steering::SessionInput;
use dxplan_domain::task::{TaskInput, TaskStatus};
use dxplan_domain::unit::UnitKind;
use dxplan_store::tasks::{self, Waiting};
use dxplan_store::units;
use time::{Date, Month};

use crate::error::{AppError, AppResult};
use crate::{App, Caller, steering};

fn day(year: i32, month: Month, d: u8) -> AppResult<Date> {
    Date::from_calendar_date(year, month, d).map_err(|e| AppError::internal(e.to_string()))
}

const COMMITTEE: &str =
    "Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh";

pub async fn seed(app: &App, plan_id: i64, year: i32) -> AppResult<()> {
    let caller = Caller::cli();
    let today = app.today();
    let (department, ward) = {
        let mut c = app.db.read().await?;
        let all = units::valid_on(&mut c, today).await?;
        let department = all
            .iter()
            .find(|u| u.code == "52-SKHCN2")
            .or_else(|| all.iter().find(|u| u.kind == UnitKind::Department))
            .map(|u| u.code.clone());
        let ward = all
            .iter()
            .find(|u| u.kind == UnitKind::Commune)
            .map(|u| u.code.clone());
        (department, ward)
    };
    let (Some(department), Some(ward)) = (department, ward) else {
        return Ok(());
    };
    let first_day = day(year, Month::February, 26)?;
    // A session held in the future would read oddly: the demo's year has begun.
    if first_day > today {
        return Ok(());
    }
    let first = steering::create_session(
        app,
        &caller,
        plan_id,
        &SessionInput {
            held_on: first_day.to_string(),
            title: format!("Phiên họp thứ nhất năm {year} của {COMMITTEE}"),
            chair: "đồng chí Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo".into(),
            attendees: "các đồng chí thành viên Ban Chỉ đạo; lãnh đạo các sở, ban, ngành; Chủ tịch UBND các xã, phường (trực tuyến)".into(),
            conclusions: vec![
                "Giao Sở Khoa học và Công nghệ chủ trì đưa Nền tảng số dùng chung của tỉnh vào vận hành, kết nối với Nền tảng tích hợp, chia sẻ dữ liệu quốc gia.".into(),
                "Các xã, phường hoàn thành số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực; bảo đảm 100% hồ sơ được tiếp nhận, giải quyết trên Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.".into(),
                format!("Giao Sở Tài chính bố trí kinh phí thực hiện Nghị quyết số 57-NQ/TW năm {year}."),
                "Sở Nội vụ tham mưu kiện toàn Ban Chỉ đạo sau sắp xếp đơn vị hành chính.".into(),
            ],
        },
    )
    .await?;
    let ids: Vec<i64> = first.conclusions.iter().map(|k| k.conclusion.id).collect();
    let assign = |lead: &str, due: Date, key: bool| TaskInput {
        lead_unit_code: lead.into(),
        due_date: due.to_string(),
        key_task: key,
        ..Default::default()
    };
    let platform = steering::assign_task(
        app,
        &caller,
        ids[0],
        &TaskInput {
            title: "Đưa Nền tảng số dùng chung của tỉnh vào vận hành".into(),
            ..assign(&department, day(year, Month::June, 30)?, true)
        },
    )
    .await?;
    let records = steering::assign_task(
        app,
        &caller,
        ids[1],
        &TaskInput {
            title: "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực".into(),
            ..assign(&ward, day(year, Month::May, 31)?, false)
        },
    )
    .await?;
    steering::close_conclusion(
        app,
        &caller,
        ids[2],
        &format!("Đã bố trí trong dự toán ngân sách tỉnh năm {year} (Quyết định giao dự toán của UBND tỉnh)."),
    )
    .await?;
    steering::issue_notice(
        app,
        &caller,
        first.session.id,
        &format!("{}/TB-UBND", 20 + year % 100),
        Some(&day(year, Month::March, 4)?.to_string()),
    )
    .await?;
    // The platform went live on time; the records are late.
    {
        let mut c = app.housekeeping().await?;
        let done = day(year, Month::June, 20)?.min(today);
        tasks::set_state(
            &mut c,
            platform.id,
            TaskStatus::Completed,
            Some(done),
            Waiting::default(),
            None,
            app.now(),
        )
        .await?;
        tasks::set_state(
            &mut c,
            records.id,
            TaskStatus::InProgress,
            None,
            Waiting::default(),
            None,
            app.now(),
        )
        .await?;
        c.commit_shown().await?;
    }
    let second_day = day(year, Month::July, 24)?;
    if second_day > today {
        return Ok(());
    }
    steering::create_session(
        app,
        &caller,
        plan_id,
        &SessionInput {
            held_on: second_day.to_string(),
            title: format!("Phiên họp thứ hai năm {year} của {COMMITTEE}"),
            chair: "đồng chí Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo".into(),
            attendees: "các đồng chí thành viên Ban Chỉ đạo; lãnh đạo các sở, ban, ngành".into(),
            conclusions: vec![
                "Các đơn vị có nhiệm vụ quá hạn khẩn trương hoàn thành, báo cáo rõ nguyên nhân chậm trễ.".into(),
                "Đẩy mạnh thanh toán không dùng tiền mặt trong thu phí, lệ phí thủ tục hành chính.".into(),
            ],
        },
    )
    .await?;
    Ok(())
}
