//! E-mail through a real SMTP conversation with a sink listening on 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dxplan_app::store::notifications;
use dxplan_app::store::tasks::{self, TaskWrite};
use dxplan_app::store::{TestDb, plans, units, users};
use dxplan_domain::auth::Role;
use dxplan_domain::task::{TaskFields, TaskStatus};
use dxplan_domain::user::NewUser;
mod common;
use common::app_with;
use dxplan_jobs::mail::{SmtpConfig, SmtpMailer};
use dxplan_jobs::{JobConfig, deliver, run_due};
use time::macros::{date, datetime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A tiny SMTP server that keeps what it receives, and refuses the first
/// `fail_first` messages with a temporary error.
struct Sink {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

async fn sink(fail_first: usize) -> Sink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let refusals = Arc::new(Mutex::new(fail_first));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (store, refusals) = (store.clone(), refusals.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let refuse = {
                                let mut left = refusals.lock().unwrap();
                                if *left > 0 {
                                    *left -= 1;
                                    true
                                } else {
                                    false
                                }
                            };
                            if refuse {
                                let _ = write.write_all(b"451 try again later\r\n").await;
                            } else {
                                store.lock().unwrap().push(std::mem::take(&mut message));
                                let _ = write.write_all(b"250 queued\r\n").await;
                            }
                            message.clear();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    Sink { port, received }
}

fn mailer(port: u16) -> SmtpMailer {
    SmtpMailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        security: "none".into(),
        from: "dxplan <dxplan@localhost>".into(),
    })
    .unwrap()
}

#[tokio::test]
async fn queued_mail_is_sent_once_and_failures_are_retried_with_backoff() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let sink = sink(1).await;
    let mailer = mailer(sink.port);
    let now = datetime!(2025-06-02 02:00 UTC);
    let mut c = db.begin().await.unwrap();
    notifications::enqueue(
        &mut c,
        "a@binhdinh.gov.vn",
        "[dxplan] Nhiệm vụ chờ thẩm định",
        "Nội dung tiếng Việt",
        "k1",
        now,
    )
    .await
    .unwrap();
    notifications::enqueue(
        &mut c,
        "b@binhdinh.gov.vn",
        "[dxplan] Hai",
        "Hai",
        "k2",
        now,
    )
    .await
    .unwrap();
    assert!(
        !notifications::enqueue(&mut c, "a@binhdinh.gov.vn", "again", "again", "k1", now)
            .await
            .unwrap(),
        "a key is queued once"
    );
    c.commit().await.unwrap();

    // The sink refuses the first message once: one sent, one waits for a later try.
    assert_eq!(
        deliver(&app_with(db, None), &mailer, now).await.unwrap(),
        (1, 1)
    );
    assert_eq!(sink.received.lock().unwrap().len(), 1);
    assert_eq!(
        deliver(&app_with(db, None), &mailer, now).await.unwrap(),
        (0, 0),
        "nothing is due before the back-off"
    );
    assert_eq!(
        deliver(
            &app_with(db, None),
            &mailer,
            now + time::Duration::minutes(2)
        )
        .await
        .unwrap(),
        (1, 0)
    );
    assert_eq!(
        deliver(&app_with(db, None), &mailer, now + time::Duration::hours(1))
            .await
            .unwrap(),
        (0, 0),
        "never twice"
    );
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert!(
        received.iter().any(|m| m.contains("Message-ID: <outbox-")),
        "{received:?}"
    );
    let mut c = db.read().await.unwrap();
    let outbox = notifications::outbox_all(&mut c).await.unwrap();
    assert!(outbox.iter().all(|m| m.status == "sent"));
    assert_eq!(outbox.iter().map(|m| m.attempts).max(), Some(2));
}

#[tokio::test]
async fn a_message_left_sending_by_a_crash_is_sent_after_restart() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let sink = sink(0).await;
    let now = datetime!(2025-06-02 02:00 UTC);
    let mut c = db.begin().await.unwrap();
    notifications::enqueue(&mut c, "a@binhdinh.gov.vn", "s", "b", "k", now)
        .await
        .unwrap();
    // A process claims it and dies before sending.
    assert_eq!(
        notifications::claim_due(
            &mut c,
            notifications::Channel::Email,
            now,
            time::Duration::minutes(10),
            10
        )
        .await
        .unwrap()
        .len(),
        1
    );
    c.commit().await.unwrap();
    assert_eq!(
        deliver(
            &app_with(db, None),
            &mailer(sink.port),
            now + time::Duration::minutes(5)
        )
        .await
        .unwrap(),
        (0, 0)
    );
    assert_eq!(
        deliver(
            &app_with(db, None),
            &mailer(sink.port),
            now + time::Duration::minutes(11)
        )
        .await
        .unwrap(),
        (1, 0)
    );
    assert_eq!(sink.received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn reminders_are_made_once_and_digests_go_out_daily() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let sink = sink(0).await;
    let now = datetime!(2025-06-25 01:30 UTC); // 08:30 in Vietnam, ten days before the quarter ends
    let mut c = db.begin().await.unwrap();
    let unit_fields = dxplan_domain::unit::validate_unit(&dxplan_domain::unit::UnitInput {
        code: "542".into(),
        name: "Huyện An Lão".into(),
        kind: "district".into(),
        ..Default::default()
    })
    .unwrap();
    let unit = units::insert(&mut c, &unit_fields, None, now)
        .await
        .unwrap();
    let mut people = Vec::new();
    for (name, pref, role) in [
        ("bientap", "immediate", Role::UnitEditor),
        ("lanhdao", "digest", Role::UnitApprover),
        ("xem", "immediate", Role::Viewer),
    ] {
        let user = NewUser {
            username: name.into(),
            display_name: name.into(),
            email: Some(format!("{name}@anlao.gov.vn")),
        };
        let id = users::insert(&mut c, &user, Some(unit), "x", now)
            .await
            .unwrap();
        users::add_grant(&mut c, id, role, Some(unit), now)
            .await
            .unwrap();
        notifications::set_email_pref(&mut c, id, pref)
            .await
            .unwrap();
        people.push(id);
    }
    let plan = plans::insert(
        &mut c,
        &plans::PlanFields {
            year: 2025,
            title: "KH".into(),
            legal_basis: None,
            decision_number: None,
            decision_date: None,
            status: dxplan_domain::task::PlanStatus::Active,
        },
        now,
    )
    .await
    .unwrap();
    let task = |code: &str, due| TaskFields {
        code: code.into(),
        title: format!("Việc {code}"),
        description: None,
        deliverable: None,
        group_id: None,
        lead_unit_code: "542".into(),
        coordinating_unit_codes: vec![],
        partners: vec![],
        start_date: None,
        due_date: due,
        budget_planned: 0,
        funding_source: None,
        acquisition_mode: None,
        assigned_doc_number: None,
        assigned_doc_date: None,
        assigned_doc_signer: None,
        key_task: false,
        assigned_doc_type: None,
        assigned_doc_item: None,
    };
    for (code, due) in [
        ("1", date!(2025 - 06 - 30)),
        ("2", date!(2025 - 05 - 31)),
        ("3", date!(2025 - 12 - 31)),
    ] {
        let f = task(code, due);
        let id = tasks::insert(
            &mut c,
            &TaskWrite {
                fields: &f,
                plan_id: plan,
                lead_unit_id: unit,
                coordinating: &[],
            },
            TaskStatus::Draft,
            None,
            now,
        )
        .await
        .unwrap();
        tasks::set_status(&mut c, id, TaskStatus::InProgress, None, None, now)
            .await
            .unwrap();
    }
    c.commit().await.unwrap();

    let app = app_with(db, Some("https://cds.binhdinh.gov.vn".into()));
    let config = JobConfig {
        every: Duration::from_secs(60),
        digest_hour: 7,
        mailer: Some(Arc::new(mailer(sink.port))),
        texter: None,
    };
    let first = run_due(&app, &config, now).await.unwrap();
    // Task 1 is due within 7 days, task 2 is overdue, and all three owe their Q2 report:
    // five notices for each of the two unit staff; the viewer is not told.
    assert_eq!(first.reminders, 10);
    assert_eq!(first.digests, 1, "the head of unit chose a daily digest");
    let again = run_due(&app, &config, now + time::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        (again.reminders, again.digests, again.sent),
        (0, 0, 0),
        "nothing twice"
    );
    let mut c = db.read().await.unwrap();
    assert_eq!(
        notifications::unread_count(&mut c, people[0])
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        notifications::unread_count(&mut c, people[2])
            .await
            .unwrap(),
        0
    );
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 6, "five immediate e-mails and one digest");
    assert!(
        received
            .iter()
            .any(|m| m.contains("https://cds.binhdinh.gov.vn/tasks/"))
    );
    assert_eq!(
        received
            .iter()
            .filter(|m| m.contains("To: lanhdao@anlao.gov.vn"))
            .count(),
        1
    );
}
