use std::time::Duration;

use dxplan_app::store::sessions::{self, NewSession};
use dxplan_app::store::{TestDb, users};
use dxplan_domain::user::NewUser;
mod common;
use common::app_with;
use dxplan_jobs::{JobConfig, run_due};
use time::macros::datetime;

#[tokio::test]
async fn expired_and_idle_sessions_are_swept_and_live_ones_kept() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let now = datetime!(2026-11-28 09:00 UTC);
    let mut c = db.begin().await.unwrap();
    let user = NewUser {
        username: "a".repeat(3),
        display_name: "A".into(),
        email: None,
    };
    let id = users::insert(&mut c, &user, None, "hash", now)
        .await
        .unwrap();
    // (hash, created minutes ago, absolute expiry minutes from now)
    for (hash, seen_ago, expires_in) in [("live", 5, 600), ("idle", 180, 600), ("expired", 1, -1)] {
        let seen = now - time::Duration::minutes(seen_ago);
        sessions::create(
            &mut c,
            &NewSession {
                id_hash: hash,
                user_id: id,
                csrf_token: "t",
                now: seen,
                expires_at: now + time::Duration::minutes(expires_in),
                client_addr: None,
                user_agent: None,
            },
        )
        .await
        .unwrap();
    }
    c.commit().await.unwrap();
    let app = app_with(db, None);
    let config = JobConfig {
        every: Duration::from_secs(600),
        digest_hour: 7,
        mailer: None,
        texter: None,
    };
    assert_eq!(
        run_due(&app, &config, now).await.unwrap().sessions_purged,
        2
    );
    assert_eq!(
        run_due(&app, &config, now).await.unwrap().sessions_purged,
        0
    );
    let mut c = db.read().await.unwrap();
    let idle_since = now - time::Duration::hours(2);
    assert!(
        sessions::find(&mut c, "live", now, idle_since)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions::find(&mut c, "idle", now, idle_since)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn late_units_are_reminded_before_and_after_a_forms_deadline_once_each() {
    use dxplan_app::store::{indicators, notifications, units};
    use dxplan_domain::auth::Role;
    use dxplan_domain::indicator::{IndicatorInput, PeriodType, validate_indicator};
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let start = datetime!(2025-07-01 02:00 UTC);
    let mut c = db.begin().await.unwrap();
    let fields = dxplan_domain::unit::validate_unit(&dxplan_domain::unit::UnitInput {
        code: "542".into(),
        name: "Huyện An Lão".into(),
        kind: "district".into(),
        ..Default::default()
    })
    .unwrap();
    let unit = units::insert(&mut c, &fields, None, start).await.unwrap();
    let user = NewUser {
        username: "canbo".into(),
        display_name: "Cán bộ".into(),
        email: Some("canbo@anlao.gov.vn".into()),
    };
    let id = users::insert(&mut c, &user, Some(unit), "x", start)
        .await
        .unwrap();
    users::add_grant(&mut c, id, Role::UnitEditor, Some(unit), start)
        .await
        .unwrap();
    let ind = validate_indicator(&IndicatorInput {
        code: "CQ-01".into(),
        name: "Tỷ lệ".into(),
        measure: "number".into(),
        direction: "higher".into(),
        aggregation: "sum".into(),
        period_type: "quarter".into(),
        ..Default::default()
    })
    .unwrap();
    let ind = indicators::insert(&mut c, &ind, None, start).await.unwrap();
    indicators::insert_form(
        &mut c,
        &indicators::FormWrite {
            code: "Q",
            name: "Biểu quý",
            period_type: PeriodType::Quarter,
            deadline_days: 10,
            indicator_ids: &[ind],
            unit_kinds: &["district".to_string()],
        },
        start,
    )
    .await
    .unwrap();
    c.commit().await.unwrap();
    let app = app_with(db, Some("https://dxplan.example".into()));
    let config = JobConfig {
        every: Duration::from_secs(60),
        digest_hour: 7,
        mailer: None,
        texter: None,
    };
    // Q2 2025 is due on 10 July. Nothing on 1 July; a reminder on 8 July; another after the deadline.
    assert_eq!(run_due(&app, &config, start).await.unwrap().reminders, 0);
    assert_eq!(
        run_due(&app, &config, datetime!(2025-07-08 02:00 UTC))
            .await
            .unwrap()
            .reminders,
        1
    );
    assert_eq!(
        run_due(&app, &config, datetime!(2025-07-09 02:00 UTC))
            .await
            .unwrap()
            .reminders,
        0,
        "once"
    );
    assert_eq!(
        run_due(&app, &config, datetime!(2025-07-11 02:00 UTC))
            .await
            .unwrap()
            .reminders,
        1
    );
    assert_eq!(
        run_due(&app, &config, datetime!(2025-07-12 02:00 UTC))
            .await
            .unwrap()
            .reminders,
        0
    );
    let mut c = db.read().await.unwrap();
    let list = notifications::list(&mut c, id, 10).await.unwrap();
    assert!(list[0].title_vi.contains("đã quá hạn") && list[1].title_vi.contains("Quý II/2025"));
    // The e-mail takes the officer straight to the form for that quarter.
    let mail = notifications::outbox_all(&mut c).await.unwrap();
    assert_eq!(mail.len(), 2);
    let entry = format!("https://dxplan.example/data/{unit}?form=");
    assert!(
        mail.iter()
            .all(|m| m.body.contains(&entry) && m.body.contains("period=2025Q2"))
    );
}

#[tokio::test]
async fn generated_documents_are_kept_a_week_then_swept() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let now = datetime!(2026-11-28 09:00 UTC);
    let mut c = db.begin().await.unwrap();
    let user = NewUser {
        username: "lanh-dao".into(),
        display_name: "Lãnh đạo".into(),
        email: None,
    };
    let id = users::insert(&mut c, &user, None, "hash", now)
        .await
        .unwrap();
    let old =
        dxplan_app::store::exports::start(&mut c, id, "pdf", "", now - time::Duration::days(8))
            .await
            .unwrap();
    let fresh =
        dxplan_app::store::exports::start(&mut c, id, "pdf", "", now - time::Duration::days(6))
            .await
            .unwrap();
    c.commit().await.unwrap();
    let app = app_with(db, None);
    let config = JobConfig {
        every: Duration::from_secs(600),
        digest_hour: 7,
        mailer: None,
        texter: None,
    };
    assert_eq!(run_due(&app, &config, now).await.unwrap().exports_swept, 1);
    let mut c = db.read().await.unwrap();
    assert!(
        dxplan_app::store::exports::get(&mut c, old)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        dxplan_app::store::exports::get(&mut c, fresh)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_draft_self_assessment_is_reminded_once_before_its_deadline_through_the_outbox() {
    use dxplan_app::store::index_frameworks::{self, CriterionWrite, FrameworkWrite};
    use dxplan_app::store::index_rounds::{self, RoundWrite};
    use dxplan_app::store::{notifications, units};
    use dxplan_domain::auth::Role;
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let start = datetime!(2025-12-01 02:00 UTC);
    let mut c = db.begin().await.unwrap();
    let fields = dxplan_domain::unit::validate_unit(&dxplan_domain::unit::UnitInput {
        code: "52-STP".into(),
        name: "Sở Tư pháp".into(),
        kind: "department".into(),
        ..Default::default()
    })
    .unwrap();
    let unit = units::insert(&mut c, &fields, None, start).await.unwrap();
    let user = NewUser {
        username: "chuyenvien".into(),
        display_name: "Chuyên viên".into(),
        email: Some("cv@stp.gov.vn".into()),
    };
    let id = users::insert(&mut c, &user, Some(unit), "x", start)
        .await
        .unwrap();
    users::add_grant(&mut c, id, Role::UnitEditor, Some(unit), start)
        .await
        .unwrap();
    let framework = index_frameworks::insert(
        &mut c,
        &FrameworkWrite {
            code: "F",
            name: "Bộ chỉ số",
            year: 2025,
            unit_kinds: "department",
            copied_from: None,
        },
        &[CriterionWrite {
            code: "1",
            parent_code: None,
            name: "Tiêu chí",
            max_points: 10.0,
            rule: Some(r#"{"rule":"manual"}"#),
            guidance: None,
            evidence: None,
            verifier_unit_id: None,
            indicator_id: None,
        }],
        start,
    )
    .await
    .unwrap();
    index_rounds::insert_round(
        &mut c,
        &RoundWrite {
            framework_id: framework,
            name: "Đánh giá năm 2025",
            year: 2025,
            run_by_unit_id: unit,
            deadline: time::macros::date!(2025 - 12 - 15),
        },
        &[unit],
        start,
    )
    .await
    .unwrap();
    c.commit().await.unwrap();
    let app = app_with(db, Some("https://dxplan.example".into()));
    let config = JobConfig {
        every: Duration::from_secs(60),
        digest_hour: 7,
        mailer: None,
        texter: None,
    };
    let reminders = async |at| run_due(&app, &config, at).await.unwrap().reminders;
    assert_eq!(reminders(start).await, 0, "two weeks ahead: nothing");
    assert_eq!(reminders(datetime!(2025-12-12 02:00 UTC)).await, 1);
    assert_eq!(reminders(datetime!(2025-12-13 02:00 UTC)).await, 0, "once");
    let mut c = db.read().await.unwrap();
    let list = notifications::list(&mut c, id, 10).await.unwrap();
    assert!(
        list[0].title_vi.contains("15/12/2025"),
        "{}",
        list[0].title_vi
    );
    let mail = notifications::outbox_all(&mut c).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body.contains("https://dxplan.example/assessments/"));
}
