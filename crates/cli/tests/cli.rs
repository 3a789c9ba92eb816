//! The `dxplan` binary as an operator uses it: real processes, real signals, real files.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_dxplan");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `dxplan serve` with its console lines.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
    /// What the console showed until the server was ready.
    startup: Vec<String>,
}

impl Server {
    fn start(data_dir: &Path) -> Server {
        let port = free_port();
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dxplan");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut server = Server {
            child,
            lines,
            base: format!("http://127.0.0.1:{port}"),
            startup: Vec::new(),
        };
        server.startup = server.wait_for_line("serving");
        server
    }

    /// Console lines up to and including the first that contains `needle`.
    fn wait_for_line(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return seen;
                }
            }
        }
        panic!("no line with {needle:?}; saw {seen:#?}");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

async fn login(
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Result<(reqwest::Client, String, reqwest::StatusCode)> {
    dxplan_jobs::webhooks::install_crypto();
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    Ok((
        client,
        body["csrf_token"].as_str().unwrap_or_default().to_string(),
        status,
    ))
}

fn dxplan(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("DXPLAN_PASSWORD", "mật khẩu dài")
        .output()
        .unwrap()
}

#[tokio::test]
async fn first_start_creates_an_admin_with_a_one_time_password_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let password = server
        .startup
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("mật khẩu / password:")
                .map(|p| p.trim().to_string())
        })
        .expect("a password was printed");
    assert_eq!(password.len(), 16);
    let (_, _, status) = login(&server.base, "admin", &password).await.unwrap();
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "the printed password logs in"
    );
    server.signal("-TERM");
    let status = server.wait();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");

    // The second start has an administrator already, and prints no password.
    let server = Server::start(dir.path());
    assert!(
        !server.startup.iter().any(|l| l.contains("password:")),
        "{:#?}",
        server.startup
    );
    server.signal("-TERM");
    assert!(server.wait().success());
}

#[tokio::test]
async fn an_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let out = dxplan(
        dir.path(),
        &["user", "add", "quantri", "--name", "Quản trị"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dxplan(dir.path(), &["user", "grant", "quantri", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(dir.path());
    let (client, csrf, status) = login(&server.base, "quantri", "mật khẩu dài")
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::OK);
    let mut created = Vec::new();
    for i in 0..20 {
        let r = client
            .post(format!("{}/api/v1/units", server.base))
            .header("x-csrf-token", &csrf)
            .json(&json!({"code": format!("K{i}"), "name": format!("Đơn vị {i}"), "kind": "other"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
        created.push(format!("K{i}"));
    }
    server.signal("-KILL");
    server.wait();
    let server = Server::start(dir.path());
    let (client, _, _) = login(&server.base, "quantri", "mật khẩu dài")
        .await
        .unwrap();
    for code in &created {
        let r = client
            .get(format!("{}/api/v1/units/{code}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{code} lost");
    }
    server.signal("-TERM");
    server.wait();
}

#[test]
fn units_import_backup_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name,level,parent_code\n52,Tỉnh Bình Định,province,\n540,,district,52\n541,Huyện,xyz,52\n").unwrap();
    let out = dxplan(dir.path(), &["units", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Dòng 3") && err.contains("Dòng 4"), "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "\u{feff}code,name,level,parent_code\n52,Tỉnh Bình Định,province,\n540,Thành phố Quy Nhơn,district,52\n").unwrap();
    let out = dxplan(dir.path(), &["units", "import", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 created"));

    let out = dxplan(
        dir.path(),
        &[
            "user",
            "add",
            "truoc",
            "--name",
            "Trước sao lưu",
            "--unit",
            "540",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backup = dir.path().join("backup.db");
    let out = dxplan(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dxplan(dir.path(), &["user", "add", "sau", "--name", "Sau sao lưu"]);
    assert!(out.status.success());

    let out = dxplan(dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8_lossy(&dxplan(dir.path(), &["user", "list"]).stdout).to_string();
    assert!(list.contains("truoc") && !list.contains("sau "), "{list}");

    let out = dxplan(dir.path(), &["restore", bad.to_str().unwrap()]);
    assert!(!out.status.success(), "a CSV is not a backup");
    let out = dxplan(dir.path(), &["user", "grant", "truoc", "emperor"]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_plan_appendix_imports_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // A server run gives the database its plan; then the operator imports into it.
    let server = Server::start(dir.path());
    let password = server
        .startup
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("mật khẩu / password:")
                .map(|p| p.trim().to_string())
        })
        .unwrap();
    let (client, csrf, _) = login(&server.base, "admin", &password).await.unwrap();
    let unit = |code: &str, name: &str, kind: &str, parent: Option<&str>| json!({"code": code, "name": name, "kind": kind, "parent_code": parent});
    for body in [
        unit("52", "Tỉnh Bình Định", "province", None),
        unit("542", "Huyện An Lão", "district", Some("52")),
    ] {
        let r = client
            .post(format!("{}/api/v1/units", server.base))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    let r = client
        .post(format!("{}/api/v1/plans", server.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"year": 2025, "title": "Kế hoạch 2025"}))
        .send()
        .await
        .unwrap();
    let plan = r.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    server.signal("-TERM");
    server.wait();

    let template = dxplan_report::tasks::tasks_xlsx(
        "Kế hoạch 2025",
        &[dxplan_report::tasks::TaskExportRow {
            code: "2.1".into(),
            title: "Phủ sóng 4G".into(),
            group: "Hạ tầng số".into(),
            lead_unit: "UBND huyện An Lão".into(),
            coordinating: "Viettel Bình Định".into(),
            deliverable: String::new(),
            start: String::new(),
            due: "Quý III/2025".into(),
            budget: 0,
            funding: String::new(),
            mode: "Thuê".into(),
            note: String::new(),
            status: String::new(),
            progress: 0,
            outcome: String::new(),
            disbursed: 0,
        }],
    )
    .unwrap();
    let file = dir.path().join("phụ lục.xlsx");
    std::fs::write(&file, template).unwrap();
    let out = dxplan(
        dir.path(),
        &[
            "import",
            "plan",
            file.to_str().unwrap(),
            "--plan",
            &plan,
            "--dry-run",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 tasks would be imported"));
    let out = dxplan(
        dir.path(),
        &["import", "plan", file.to_str().unwrap(), "--plan", &plan],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 tasks imported"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dxplan(
        dir.path(),
        &["import", "plan", file.to_str().unwrap(), "--plan", &plan],
    );
    assert!(!out.status.success(), "the same tasks again are refused");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bị trùng"),
        "the code is taken"
    );
}
