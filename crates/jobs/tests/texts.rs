//! Urgent notices by text message, through a real HTTP conversation with a gateway sink
//! listening on 127.0.0.1: queued only when the server has a gateway, sent to accounts
//! with a mobile number, retried after a refusal with the same id.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dxplan_app::store::{TestDb, units, users};
use dxplan_app::{App, Caller, Settings};
use dxplan_domain::auth::Role;
use dxplan_domain::explanation::RequestInput;
use dxplan_domain::user::NewUser;
use dxplan_jobs::text::HttpTextGateway;
use dxplan_jobs::{JobConfig, run_due};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the gateway was sent: the request's head and its body.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A tiny HTTP gateway that answers 500 to the first `fail_first` requests, 200 after.
async fn gateway(fail_first: usize) -> (u16, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        let mut served = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as much body as it announces.
            let (head, body) = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::new(), String::new());
                }
                bytes.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&bytes).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break (head.to_string(), body.to_string());
                    }
                }
            };
            store.lock().unwrap().push((head, body));
            let status = if served < fail_first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            served += 1;
            let answer =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    (port, received)
}

fn app(db: &dxplan_app::Db, text_messages: bool) -> App {
    App::new(
        db.clone(),
        Settings {
            public_url: Some("https://cds.gialai.gov.vn".into()),
            text_messages,
            ..Default::default()
        },
    )
}

fn ask(unit: &str) -> RequestInput {
    RequestInput {
        subject: "unit".into(),
        unit: unit.into(),
        question: "Đề nghị giải trình việc chậm cập nhật tiến độ.".into(),
        // The app's clock is the real one: a deadline a week ahead of it.
        deadline: (time::OffsetDateTime::now_utc().date() + time::Duration::days(7)).to_string(),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_explanation_request_reaches_the_unit_officer_phone_through_the_gateway() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let now = time::OffsetDateTime::now_utc();
    let mut c = db.begin().await.unwrap();
    let fields = dxplan_domain::unit::validate_unit(&dxplan_domain::unit::UnitInput {
        code: "21550".into(),
        name: "Phường Quy Nhơn".into(),
        kind: "commune".into(),
        ..Default::default()
    })
    .unwrap();
    let unit = units::insert(&mut c, &fields, None, now).await.unwrap();
    for (name, phone, role) in [
        ("canbo", Some("0905 123 456"), Role::UnitEditor),
        ("lanhdao", None, Role::UnitApprover),
    ] {
        let user = NewUser {
            username: name.into(),
            display_name: format!("Người {name}"),
            email: None,
        };
        let id = users::insert(&mut c, &user, Some(unit), "x", now)
            .await
            .unwrap();
        users::add_grant(&mut c, id, role, Some(unit), now)
            .await
            .unwrap();
        if let Some(phone) = phone {
            let mut errors = Vec::new();
            let phone = dxplan_domain::user::check_phone(Some(phone), &mut errors);
            let changes = users::UserChanges {
                display_name: user.display_name.clone(),
                email: None,
                phone,
                unit_id: Some(unit),
                active: true,
            };
            users::update(&mut c, id, &changes, None, now)
                .await
                .unwrap();
        }
    }
    c.commit().await.unwrap();
    let (port, received) = gateway(1).await;
    let config = JobConfig {
        every: Duration::from_secs(60),
        digest_hour: 7,
        mailer: None,
        texter: Some(Arc::new(
            HttpTextGateway::new(
                &format!("http://127.0.0.1:{port}/zalo"),
                Some("bi-mat".into()),
            )
            .unwrap(),
        )),
    };

    // A server without a gateway queues no text: nothing reaches the phone.
    let without = app(db, false);
    dxplan_app::explanations::ask(&without, &Caller::cli(), &ask("21550"))
        .await
        .unwrap();
    let report = run_due(&without, &config, now).await.unwrap();
    assert_eq!(report.texts_sent + report.texts_failed, 0);
    assert!(received.lock().unwrap().is_empty());

    // With one, the officer with a number gets the request, the head without one nothing.
    let with = app(db, true);
    let asked = dxplan_app::explanations::ask(&with, &Caller::cli(), &ask("21550"))
        .await
        .unwrap();
    // The job runs a moment after the request was made (the app's clock is the real one).
    let now = now + time::Duration::minutes(1);
    let first = run_due(&with, &config, now).await.unwrap();
    assert_eq!(
        (first.texts_sent, first.texts_failed),
        (0, 1),
        "the gateway refused"
    );
    let again = run_due(&with, &config, now + time::Duration::minutes(3))
        .await
        .unwrap();
    assert_eq!((again.texts_sent, again.texts_failed), (1, 0), "{again:?}");
    let later = run_due(&with, &config, now + time::Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(later.texts_sent, 0, "sent once");

    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one refused try and one delivery");
    let (head, body) = &got[1];
    assert!(head.starts_with("POST /zalo "), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("authorization: bearer bi-mat"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["to"], "+84905123456");
    assert_eq!(
        body["id"],
        serde_json::from_str::<serde_json::Value>(&got[0].1).unwrap()["id"]
    );
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("Yêu cầu giải trình, hạn "), "{text}");
    assert!(
        text.ends_with(&format!(
            "https://cds.gialai.gov.vn/explanations/{}",
            asked.request.id
        )),
        "{text}"
    );
}
