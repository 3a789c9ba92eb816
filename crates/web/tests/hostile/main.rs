//! Nothing a user sends can take dxplan down. Every hostile file and body is sent to every
//! route that reads one, as a viewer, a district editor and the province's coordinator:
//! each answer is a 4xx within 2 s (rights first: a caller without them is refused
//! before a byte is read), the process's memory stays under 200 MB, the server still
//! answers `/healthz`, nothing is written, and work on a request that went away stops.
//!
//! A test binary of its own, with one test, so the process's memory and CPU time are
//! this suite's alone (the HTTP suite's tests would run beside it otherwise).

#[allow(dead_code)]
#[path = "../http/support.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dxplan_report::sheet::hostile;
use reqwest::StatusCode;
use serde_json::Value;
use support::{Session, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// No answer to hostile input may take longer (the issue's bar).
const ANSWER_WITHIN: Duration = Duration::from_secs(2);
/// The process (server and this client) never holds more.
const RSS_CEILING_KB: u64 = 200 * 1024;

fn status_field(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The process's CPU time (user + system), from `/proc/self/stat`, in clock ticks
/// (1/100 s).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let at = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    at(11) + at(12)
}

/// Samples the resident memory every few milliseconds and keeps the highest since reset.
struct RssWatch {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RssWatch {
    fn start() -> RssWatch {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(status_field("VmRSS:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(3));
            }
        });
        RssWatch { peak, stop }
    }

    fn reset(&self) {
        self.peak.store(status_field("VmRSS:"), Ordering::Relaxed);
    }

    fn peak_kb(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for RssWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A route that reads a file, and who may send it one.
struct Route {
    name: &'static str,
    /// Roles whose upload is read (the others are refused before reading).
    readers: &'static [&'static str],
    send: fn(&Session, &Ctx, Vec<u8>) -> reqwest::RequestBuilder,
}

struct Ctx {
    plan: i64,
    form: i64,
}

fn multipart(bytes: Vec<u8>, name: &'static str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("code", "HOSTILE")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        )
}

fn routes() -> Vec<Route> {
    const PROVINCE: &[&str] = &["coordinator"];
    vec![
        Route {
            name: "POST /api/v1/plans/{id}/import",
            readers: PROVINCE,
            send: |s, cx, bytes| {
                s.client
                    .post(s.url(&format!("/api/v1/plans/{}/import?dry_run=true", cx.plan)))
                    .header("x-csrf-token", &s.csrf)
                    .header("content-type", "application/octet-stream")
                    .body(bytes)
            },
        },
        Route {
            name: "POST /plans/{id}/import (page preview)",
            readers: PROVINCE,
            send: |s, cx, bytes| {
                s.client
                    .post(s.url(&format!("/plans/{}/import?_csrf={}", cx.plan, s.csrf)))
                    .multipart(multipart(bytes, "phu-luc.xlsx"))
            },
        },
        Route {
            name: "POST /api/v1/index-frameworks/import",
            readers: PROVINCE,
            send: |s, _, bytes| {
                s.client
                    .post(s.url("/api/v1/index-frameworks/import?code=HOSTILE"))
                    .header("x-csrf-token", &s.csrf)
                    .header("content-type", "application/octet-stream")
                    .body(bytes)
            },
        },
        Route {
            name: "POST /assessments/frameworks/import (page)",
            readers: PROVINCE,
            send: |s, _, bytes| {
                s.client
                    .post(s.url(&format!("/assessments/frameworks/import?_csrf={}", s.csrf)))
                    .multipart(multipart(bytes, "bo-chi-so.xlsx"))
            },
        },
        Route {
            name: "POST /data/540/upload (figures form)",
            readers: &["editor-540", "coordinator"],
            send: |s, cx, bytes| {
                s.client
                    .post(s.url(&format!(
                        "/data/540/upload?form={}&period=2026Q1&_csrf={}",
                        cx.form, s.csrf
                    )))
                    .multipart(multipart(bytes, "bieu-so-lieu.xlsx"))
            },
        },
    ]
}

/// What a hostile request could have written.
async fn written(app: &TestApp, coordinator: &Session) -> (usize, usize, usize, usize) {
    let count = |v: &Value| v["items"].as_array().map_or(0, Vec::len);
    let (_, tasks) = coordinator.get_json("/api/v1/tasks?per_page=100").await;
    let (_, frameworks) = coordinator.get_json("/api/v1/index-frameworks").await;
    let previews =
        std::fs::read_dir(app.state.settings.data_dir.join("previews")).map_or(0, |d| d.count());
    let audit = {
        let mut c = app.state.db.read().await.expect("conn");
        dxplan_app::store::audit::list(
            &mut c,
            &dxplan_app::store::audit::AuditFilter {
                limit: 10_000,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .events
        .len()
    };
    (
        tasks["total"].as_u64().unwrap_or(count(&tasks) as u64) as usize,
        count(&frameworks),
        previews,
        audit,
    )
}

async fn healthy(app: &TestApp) {
    let r = app
        .client()
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK, "the server still answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_user_sends_takes_dxplan_down() {
    // As `dxplan serve` runs: the allocator gives memory back.
    dxplan_web::memory::give_memory_back();
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"][0]["id"].as_i64().expect("a plan");
    let (_, forms) = coordinator.get_json("/api/v1/forms").await;
    let form = forms["items"][0]["id"].as_i64().expect("a form");
    let cx = Ctx { plan, form };
    let sessions = [
        ("viewer", app.login("viewer").await),
        ("editor-540", app.login("editor-540").await),
        ("coordinator", app.login("coordinator").await),
    ];
    let before = written(&app, &coordinator).await;
    let idle_before = status_field("VmRSS:");
    let watch = RssWatch::start();
    let mut report = Vec::new();

    // Every hostile workbook, to every route that reads one, as every role.
    for case in hostile::cases() {
        let bytes = (case.bytes)();
        for route in routes() {
            for (role, session) in &sessions {
                watch.reset();
                let started = Instant::now();
                let shown = format!("{} → {} as {role}", case.name, route.name);
                let answer = (route.send)(session, &cx, bytes.clone()).send().await;
                let (status, body) = match answer {
                    Ok(r) => (r.status(), r.text().await.unwrap_or_default()),
                    // Refused before reading, the server answers and closes while a large
                    // body is still being written: the client sees its write fail.
                    Err(e) if !route.readers.contains(role) && e.is_request() => {
                        (StatusCode::FORBIDDEN, String::new())
                    }
                    Err(e) => panic!("{shown}: no answer: {e}"),
                };
                let took = started.elapsed();
                if route.readers.contains(role) {
                    assert!(
                        status.is_client_error()
                            && status != StatusCode::FORBIDDEN
                            && status != StatusCode::UNAUTHORIZED,
                        "{shown}: read and refused, got {status}: {}",
                        body.chars().take(300).collect::<String>()
                    );
                    if let Some(refusal) = &case.refused_with {
                        // The reader's own reason reaches the user, in Vietnamese.
                        let reason = refusal.message(dxplan_domain::Lang::Vi);
                        let html_escaped = reason.replace('“', "&#8220;");
                        if !(body.contains(&reason) || body.contains(&html_escaped)) {
                            let _ = std::fs::write("/tmp/hostile-body.html", &body);
                        }
                        assert!(
                            body.contains(&reason) || body.contains(&html_escaped),
                            "{shown}: the reason “{reason}” in {}",
                            body.chars().take(400).collect::<String>()
                        );
                    }
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{shown}: refused unread");
                }
                assert!(took < ANSWER_WITHIN, "{shown}: answered in {took:?}");
                let peak = watch.peak_kb();
                assert!(
                    peak < RSS_CEILING_KB,
                    "{shown}: the process held {} MB",
                    peak / 1024
                );
                if route.readers.contains(role) && *role == "coordinator" {
                    report.push(format!(
                        "{:<55} {:<42} {status} {:>5} ms {:>4} MB",
                        case.name,
                        route.name,
                        took.as_millis(),
                        peak / 1024
                    ));
                }
            }
        }
        healthy(&app).await;
    }

    // A 100 MB body: refused while it arrives, after the first 10 MB, not buffered.
    watch.reset();
    let started = Instant::now();
    let status = raw_post(
        &app,
        &coordinator,
        &format!("/api/v1/plans/{plan}/import?dry_run=true"),
        "application/octet-stream",
        b"",
        0,
        100 << 20,
    )
    .await;
    assert_eq!(status, 413, "a 100 MB body");
    assert!(started.elapsed() < ANSWER_WITHIN, "{:?}", started.elapsed());
    assert!(
        watch.peak_kb() < RSS_CEILING_KB,
        "{} MB",
        watch.peak_kb() / 1024
    );
    report.push(format!(
        "{:<55} {:<42} 413 {:>5} ms {:>4} MB",
        "a 100 MB body",
        "POST /api/v1/plans/{id}/import",
        started.elapsed().as_millis(),
        watch.peak_kb() / 1024
    ));

    // The same to an evidence upload (20 MB files), as the multipart form a browser sends.
    let (_, tasks) = coordinator.get_json("/api/v1/tasks?per_page=1").await;
    let task = tasks["items"][0]["id"].as_i64().expect("a task");
    watch.reset();
    let started = Instant::now();
    let status = raw_post(
        &app,
        &coordinator,
        &format!("/api/v1/tasks/{task}/attachments"),
        "multipart/form-data; boundary=XYZ",
        b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-",
        b'0',
        100 << 20,
    )
    .await;
    assert_eq!(status, 413, "a 100 MB evidence file");
    assert!(started.elapsed() < ANSWER_WITHIN, "{:?}", started.elapsed());
    assert!(
        watch.peak_kb() < RSS_CEILING_KB,
        "{} MB",
        watch.peak_kb() / 1024
    );
    report.push(format!(
        "{:<55} {:<42} 413 {:>5} ms {:>4} MB",
        "a 100 MB evidence file",
        "POST /api/v1/tasks/{id}/attachments",
        started.elapsed().as_millis(),
        watch.peak_kb() / 1024
    ));

    // JSON bodies: a 10 MB string field (refused as it arrives), nested 100,000 deep, a
    // 3 MB title.
    watch.reset();
    let started = Instant::now();
    let status = raw_post(
        &app,
        &coordinator,
        "/api/v1/plans",
        "application/json",
        br#"{"year": 2027, "title": ""#,
        b'a',
        10 << 20,
    )
    .await;
    assert_eq!(status, 413, "a 10 MB JSON string field");
    assert!(started.elapsed() < ANSWER_WITHIN);
    assert!(watch.peak_kb() < RSS_CEILING_KB);
    report.push(format!(
        "{:<55} {:<42} 413 {:>5} ms {:>4} MB",
        "a 10 MB JSON string field",
        "POST /api/v1/plans",
        started.elapsed().as_millis(),
        watch.peak_kb() / 1024
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let long = format!(r#"{{"year": 2027, "title": "{}"}}"#, "â".repeat(1 << 20));
    for (name, body, expected) in [
        ("JSON nested 100,000 deep", deep, StatusCode::BAD_REQUEST),
        ("a 3 MB title", long, StatusCode::BAD_REQUEST),
    ] {
        watch.reset();
        let started = Instant::now();
        let r = coordinator
            .client
            .post(coordinator.url("/api/v1/plans"))
            .header("x-csrf-token", &coordinator.csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status(), expected, "{name}");
        assert!(started.elapsed() < ANSWER_WITHIN, "{name}");
        assert!(watch.peak_kb() < RSS_CEILING_KB, "{name}");
        report.push(format!(
            "{name:<55} {:<42} {} {:>5} ms {:>4} MB",
            "POST /api/v1/plans",
            r.status().as_u16(),
            started.elapsed().as_millis(),
            watch.peak_kb() / 1024
        ));
    }
    healthy(&app).await;

    // A workbook within every limit but slow to read: its deadline answers it in time…
    let slow = hostile::slow_empty_rows();
    let started = Instant::now();
    let r = (routes()[0].send)(&coordinator, &cx, slow.clone())
        .send()
        .await
        .expect("an answer");
    let took = started.elapsed();
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("quá nhiều thời gian"), "{body}");
    assert!(
        took < ANSWER_WITHIN,
        "the slow workbook answered in {took:?}"
    );
    report.push(format!(
        "{:<55} {:<42} {} {:>5} ms",
        "60 MiB of empty rows (the deadline)",
        routes()[0].name,
        status.as_u16(),
        took.as_millis()
    ));
    // …and when its client goes away first, the reading stops with it.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(250))
        .build()
        .expect("client");
    let sent = impatient
        .post(coordinator.url(&format!("/api/v1/plans/{plan}/import?dry_run=true")))
        .header("cookie", &coordinator.cookie)
        .header("x-csrf-token", &coordinator.csrf)
        .header("content-type", "application/octet-stream")
        .body(slow)
        .send()
        .await;
    assert!(sent.is_err(), "the client gave up first");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (cpu, wall) = (cpu_ticks(), Instant::now());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let burnt = (cpu_ticks() - cpu) as f64 / 100.0 / wall.elapsed().as_secs_f64();
    assert!(
        burnt < 0.3,
        "a core kept busy after the client left: {:.0} % of one",
        burnt * 100.0
    );
    report.push(format!(
        "{:<55} {:<42} CPU after the client left: {:.0} % of a core",
        "60 MiB of empty rows, client gone after 250 ms",
        routes()[0].name,
        burnt * 100.0
    ));
    healthy(&app).await;

    // Nothing was written by any of it.
    assert_eq!(written(&app, &coordinator).await, before, "nothing written");
    eprintln!("hostile input, as the coordinator (peak RSS of the whole process):");
    for line in &report {
        eprintln!("  {line}");
    }
    // Back near idle: what is left is mostly this suite's own generated files, kept for
    // reuse (the 1 GiB bombs are about 4.5 MB each once compressed).
    let idle_after = status_field("VmRSS:");
    eprintln!(
        "  idle RSS {} MB before, {} MB after",
        idle_before / 1024,
        idle_after / 1024
    );
    assert!(
        idle_after.saturating_sub(idle_before) < 64 * 1024,
        "memory kept after the cases: {} MB",
        idle_after.saturating_sub(idle_before) / 1024
    );
}

/// Sends `prefix` then `len` bytes of `fill` as the body, by hand, a megabyte at a time,
/// and reads the status line of the answer: a client that does not hold what it sends,
/// and reads the answer even when the server stops reading and closes.
async fn raw_post(
    app: &TestApp,
    s: &Session,
    path: &str,
    content_type: &str,
    prefix: &[u8],
    fill: u8,
    len: usize,
) -> u16 {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        s.cookie,
        s.csrf,
        prefix.len() + len
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(prefix).await.expect("prefix");
    let chunk = vec![fill; 1 << 20];
    let mut sent = 0;
    while sent < len {
        // The server stops reading once past its cap and answers: writing then fails.
        let n = chunk.len().min(len - sent);
        if stream.write_all(&chunk[..n]).await.is_err() {
            break;
        }
        sent += n;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
