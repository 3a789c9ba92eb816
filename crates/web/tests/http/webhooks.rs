//! Webhooks end to end: an administrator registers a real local receiver, a task moves,
//! the job delivers it signed, a failed delivery is retried from the database, the log
//! shows each attempt; forged configurations are refused.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::TestApp;

/// What the receiver saw, and how many requests it refuses before answering 200.
#[derive(Default)]
struct Receiver {
    seen: Vec<(HeaderMap, String)>,
    refuse_first: usize,
}

async fn receiver(refuse_first: usize) -> (String, Arc<Mutex<Receiver>>) {
    let state = Arc::new(Mutex::new(Receiver {
        refuse_first,
        ..Receiver::default()
    }));
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let shared = shared.clone();
            async move {
                let mut r = shared.lock().unwrap();
                r.seen.push((headers, body));
                if r.seen.len() <= r.refuse_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/hook"), state)
}

fn jobs_config() -> dxplan_jobs::JobConfig {
    dxplan_jobs::JobConfig {
        every: Duration::from_secs(60),
        digest_hour: 7,
        mailer: None,
        texter: None,
    }
}

#[tokio::test]
async fn a_submitted_task_reaches_a_real_receiver_signed_after_one_retry() {
    let app = TestApp::spawn().await;
    let (url, seen) = receiver(1).await;
    let admin = app.login("admin").await;
    let (status, made) = admin
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "events": ["task.submitted", "task.approved"], "allow_private": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["secret"].as_str().unwrap().to_string();
    let hook_id = made["webhook"]["id"].as_i64().unwrap();
    assert!(
        made["webhook"].get("secret").is_none(),
        "the secret is shown once, apart"
    );

    // A unit's head submits a draft task: one delivery queued with the change.
    let coordinator = app.login("coordinator").await;
    let (_, drafts) = coordinator
        .get_json("/api/v1/tasks?status=draft,changes_requested&per_page=1")
        .await;
    let task_id = drafts["items"][0]["id"].as_i64().expect("a draft task");
    let unit = drafts["items"][0]["lead_unit_code"].as_str().unwrap();
    let head = app
        .login(&format!(
            "approver-{}",
            unit.trim_start_matches("52-").to_lowercase()
        ))
        .await;
    let (status, body) = head
        .post_json(
            &format!("/api/v1/tasks/{task_id}/transitions"),
            &json!({"action": "submit"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A figure approved is not among the endpoint's events: nothing for it.
    let now = app.state.now();
    let jobs = app.state.app.clone();
    let report = dxplan_jobs::run_due(&jobs, &jobs_config(), now)
        .await
        .unwrap();
    assert_eq!(
        report.webhooks_delivered, 0,
        "the receiver refused the first try"
    );
    let (_, log) = admin
        .get_json(&format!("/api/v1/webhooks/{hook_id}/deliveries"))
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
    assert_eq!(log["items"][0]["status"], "pending");
    assert_eq!(log["items"][0]["response_code"], 500);
    // The jobs restart: nothing is kept in memory, so a new connection pool on the same
    // database carries on where the old one stopped.
    drop(jobs);
    let jobs = dxplan_app::App::new(
        app.test_db.reconnect().await.unwrap(),
        dxplan_app::Settings::default(),
    );
    // Not again before its backoff…
    let report = dxplan_jobs::run_due(&jobs, &jobs_config(), now)
        .await
        .unwrap();
    assert_eq!(report.webhooks_delivered, 0);
    assert_eq!(seen.lock().unwrap().seen.len(), 1);
    // …then delivered from the database on the next run.
    let later = now + time::Duration::minutes(2);
    let report = dxplan_jobs::run_due(&jobs, &jobs_config(), later)
        .await
        .unwrap();
    assert_eq!(report.webhooks_delivered, 1);
    let (_, log) = admin
        .get_json(&format!("/api/v1/webhooks/{hook_id}/deliveries"))
        .await;
    let entry = &log["items"][0];
    assert_eq!(
        (
            entry["status"].as_str(),
            entry["attempts"].as_i64(),
            entry["response_code"].as_i64()
        ),
        (Some("delivered"), Some(2), Some(200))
    );

    // The receiver checks the signature over the timestamp and the body.
    let (headers, body) = seen.lock().unwrap().seen[1].clone();
    assert_eq!(headers["x-dxplan-event"], "task.submitted");
    let timestamp = headers["x-dxplan-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(headers["x-dxplan-signature"].to_str().unwrap(), expected);
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["type"], "task.submitted");
    assert_eq!(event["data"]["task"]["id"], task_id);
    assert_eq!(event["data"]["task"]["status"], "submitted");

    // Removed: later events are not queued.
    let (status, _) = admin
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/webhooks/{hook_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .post_json(
            &format!("/api/v1/tasks/{task_id}/transitions"),
            &json!({"action": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, log) = admin
        .get_json(&format!("/api/v1/webhooks/{hook_id}/deliveries"))
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn forged_webhook_configurations_are_refused_and_nothing_is_registered() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let refused = async |body: Value| {
        let (status, b) = admin.post_json("/api/v1/webhooks", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {b}");
        b["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    for url in [
        "ftp://lgsp.binhdinh.gov.vn/hook",
        "javascript:alert(1)",
        "http://user:pass@lgsp.example/hook",
        "not a url",
    ] {
        refused(json!({"url": url, "events": ["task.submitted"]})).await;
    }
    // The metadata service, even with private targets allowed; private ones without leave.
    let message = refused(json!({"url": "http://169.254.169.254/latest/meta-data",
        "events": ["task.submitted"], "allow_private": true}))
    .await;
    assert!(message.contains("metadata"), "{message}");
    refused(json!({"url": "http://127.0.0.1:9/hook", "events": ["task.submitted"]})).await;
    refused(json!({"url": "http://[::1]:9/hook", "events": ["task.submitted"]})).await;
    refused(json!({"url": "http://10.0.0.5/hook", "events": ["task.submitted"]})).await;
    // The metadata service and loopback carried inside IPv6 (mapped, translated,
    // compatible, NAT64, 6to4, Teredo) and the other metadata addresses: judged by the
    // IPv4 address they lead to.
    for url in [
        "http://[::ffff:169.254.169.254]/latest",
        "http://[::ffff:0:169.254.169.254]/latest",
        "http://[::169.254.169.254]/latest",
        "http://[64:ff9b::169.254.169.254]/latest",
        "http://[64:ff9b:1::a9fe:a9fe]/latest",
        "http://[2002:a9fe:a9fe::1]/latest",
        "http://[2001:0:4136:e378:8000:63bf:5601:5601]/latest",
        "http://169.254.170.2/v2/credentials",
        "http://[fd00:ec2::254]/latest",
    ] {
        let message =
            refused(json!({"url": url, "events": ["task.submitted"], "allow_private": true})).await;
        assert!(message.contains("metadata"), "{url}: {message}");
    }
    for url in [
        "http://[64:ff9b::7f00:1]:9/hook",
        "http://[::127.0.0.1]:9/hook",
        "http://[::ffff:0:10.0.0.5]/hook",
        "http://[2002:c0a8:101::1]/hook",
        "http://100.64.1.1/hook",
        "http://198.18.0.1/hook",
        "http://224.0.0.1/hook",
        "http://255.255.255.255/hook",
        "http://[fec0::1]/hook",
        "http://[ff02::1]/hook",
    ] {
        refused(json!({"url": url, "events": ["task.submitted"]})).await;
    }
    refused(json!({"url": "http://127.0.0.1:9/hook", "events": ["task.deleted"], "allow_private": true})).await;
    refused(json!({"url": "http://127.0.0.1:9/hook", "events": [], "allow_private": true})).await;
    // Only a system administrator registers endpoints.
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["task.submitted"], "allow_private": true}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = admin.get_json("/api/v1/webhooks").await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_administrator_registers_and_reads_the_log_on_the_page() {
    let app = TestApp::spawn().await;
    let (url, _) = receiver(0).await;
    let admin = app.login("admin").await;
    let r = admin
        .post_form(
            "/admin/webhooks",
            &[
                ("url", url.as_str()),
                ("events", "data.approved"),
                ("events", "assessment.published"),
                ("allow_private", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text().await.unwrap().contains("whsec_"),
        "the secret, once"
    );
    let (_, list) = admin.get_json("/api/v1/webhooks").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        list["items"][0]["events"],
        "data.approved,assessment.published"
    );
    let page = admin.get(&format!("/admin/webhooks/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let r = admin
        .post_form(
            "/admin/webhooks",
            &[
                ("url", "http://169.254.169.254/"),
                ("events", "data.approved"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let coordinator = app.login("coordinator").await;
    assert_eq!(
        coordinator.get("/admin/webhooks").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// Endpoints as stored, bypassing registration's check: what the job must judge for
/// itself, on the address it is about to connect to (a name re-pointed since, or an
/// endpoint stored before the check knew an address form).
async fn stored_endpoint(app: &TestApp, url: &str, allow_private: bool) -> i64 {
    let mut c = app.state.db.begin().await.unwrap();
    let id = dxplan_app::store::webhooks::insert(
        &mut c,
        &dxplan_app::store::webhooks::NewWebhook {
            url,
            events: "task.submitted",
            secret: "s3cret",
            allow_private,
            created_by: "test",
        },
        app.state.now(),
    )
    .await
    .unwrap();
    c.commit().await.unwrap();
    id
}

#[tokio::test]
async fn the_job_connects_only_to_an_address_it_has_judged() {
    let app = TestApp::spawn().await;
    let (url, seen) = receiver(0).await;
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook")
        .to_string();
    let allowed = stored_endpoint(&app, &url, true).await;
    let mut refused = Vec::new();
    for host in [
        "localhost".to_string(),
        "[::127.0.0.1]".to_string(),
        "[::ffff:0:127.0.0.1]".to_string(),
        "[64:ff9b::127.0.0.1]".to_string(),
        "[::ffff:127.0.0.1]".to_string(),
    ] {
        let target = format!("http://{host}:{port}/hook");
        refused.push((target.clone(), stored_endpoint(&app, &target, false).await));
    }
    let mut c = app.state.db.begin().await.unwrap();
    dxplan_app::store::webhooks::enqueue(&mut c, "task.submitted", "{}", app.state.now())
        .await
        .unwrap();
    c.commit().await.unwrap();
    let (delivered, _) = dxplan_jobs::webhooks::deliver_due(&app.state.app, app.state.now())
        .await
        .unwrap();
    assert_eq!(delivered, 1, "only the endpoint allowed a private address");
    assert_eq!(seen.lock().unwrap().seen.len(), 1);
    let mut c = app.state.db.read().await.unwrap();
    let log = dxplan_app::store::webhooks::deliveries(&mut c, allowed, 10)
        .await
        .unwrap();
    assert_eq!(log[0].status, "delivered");
    for (target, id) in refused {
        let log = dxplan_app::store::webhooks::deliveries(&mut c, id, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "{target}");
        assert_eq!(
            log[0].last_error.as_deref(),
            Some("address not allowed"),
            "{target}"
        );
    }
}
