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
        Server::start_on(data_dir, None)
    }

    /// A server on `database` (a PostgreSQL URL), or on the data directory's SQLite file.
    fn start_on(data_dir: &Path, database: Option<&str>) -> Server {
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(database) = database {
            command.env("DXPLAN_DATABASE", database);
        }
        let mut child = command.spawn().expect("start dxplan");
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
    dxplan_on(data_dir, None, args)
}

fn dxplan_on(data_dir: &Path, database: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("DXPLAN_PASSWORD", "mật khẩu dài");
    if let Some(database) = database {
        command.env("DXPLAN_DATABASE", database);
    }
    command.output().unwrap()
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
            key_task: false,
            source: String::new(),
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

/// `dxplan` that is killed if it has not finished in time (a `demo` that was not refused
/// would serve for ever).
fn dxplan_within(data_dir: &Path, args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a refusal; said {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An evidence file as the product stored it: where to fetch it, its bytes, its hash.
struct Evidence {
    url: String,
    bytes: Vec<u8>,
    sha256: String,
}

/// A logged-in administrator on a running server.
struct Admin {
    client: reqwest::Client,
    csrf: String,
    base: String,
    task: i64,
    data_value: i64,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Uploads a PDF as a task's (or, with `figure`, a figure's) evidence.
    async fn upload(&self, name: &str, text: &str, figure: bool) -> Evidence {
        let bytes = format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes();
        let (upload, download) = if figure {
            (
                format!("/api/v1/data-values/{}/files", self.data_value),
                "/api/v1/data-value-files",
            )
        } else {
            (
                format!("/api/v1/tasks/{}/attachments", self.task),
                "/api/v1/attachments",
            )
        };
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
        let r = self
            .client
            .post(format!("{}{upload}", self.base))
            .header("x-csrf-token", &self.csrf)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
        let file: Value = r.json().await.unwrap();
        Evidence {
            url: format!("{download}/{}", file["id"]),
            bytes,
            sha256: file["sha256"].as_str().unwrap().to_string(),
        }
    }
}

async fn fetch(client: &reqwest::Client, base: &str, url: &str) -> (reqwest::StatusCode, Vec<u8>) {
    let r = client.get(format!("{base}{url}")).send().await.unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

/// A data directory with an administrator, a task with two evidence files and a figure
/// with one, all made through the HTTP API of a running server (left running) on
/// `database`, or on the data directory's SQLite file.
async fn seeded(database: Option<&str>) -> (tempfile::TempDir, Server, Admin, Vec<Evidence>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = ["user", "add", "quantri", "--name", "Quản trị"];
    succeeded(&dxplan_on(&data, database, &add));
    succeeded(&dxplan_on(
        &data,
        database,
        &["user", "grant", "quantri", "admin"],
    ));
    let server = Server::start_on(&data, database);
    let (client, csrf, _) = login(&server.base, "quantri", "mật khẩu dài")
        .await
        .unwrap();
    let mut admin = Admin {
        client,
        csrf,
        base: server.base.clone(),
        task: 0,
        data_value: 0,
    };
    admin
        .post(
            "/api/v1/units",
            json!({"code": "52", "name": "Tỉnh Bình Định", "kind": "province"}),
        )
        .await;
    let plan = admin
        .post(
            "/api/v1/plans",
            json!({"year": 2025, "title": "Kế hoạch 2025"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let groups: Value = admin
        .client
        .get(format!("{}/api/v1/plans/{plan}/groups", admin.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let group = groups["items"][0]["id"].as_i64().unwrap();
    admin.task = admin
        .post(
            &format!("/api/v1/plans/{plan}/tasks"),
            json!({"code": "1.1", "title": "Chữ ký số", "group_id": group,
                   "lead_unit_code": "52", "due_date": "2025-09-30"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    admin
        .post(
            "/api/v1/indicators",
            json!({"code": "CKS", "name": "Chữ ký số đã cấp", "measure": "number",
                   "aggregation": "sum", "direction": "higher", "period_type": "quarter"}),
        )
        .await;
    admin.data_value = admin
        .post(
            "/api/v1/data-values",
            json!({"unit": "52", "period": "2025Q2", "submit": false,
                   "rows": [{"indicator": "CKS", "value": "120"}]}),
        )
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let files = vec![
        admin
            .upload("Biên bản nghiệm thu.pdf", "biên bản", false)
            .await,
        admin.upload("Quyết định.pdf", "quyết định", false).await,
        admin
            .upload("Danh sách chứng thư.pdf", "chứng thư", true)
            .await,
    ];
    (dir, server, admin, files)
}

/// Every file under a folder with its content's hash (the lock file aside): what
/// "changed nothing" is checked against.
fn contents(dir: &Path) -> Vec<(String, String)> {
    use sha2::Digest;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "dxplan.lock" {
                let sha = hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap()));
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), sha));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_backup_folder_restores_the_evidence_files_into_a_fresh_data_directory() {
    let (dir, server, admin, files) = seeded(None).await;
    let data = dir.path().join("data");
    let backup = dir.path().join("sao lưu");
    // Taken while the server runs.
    let said = succeeded(&dxplan(&data, &["backup", backup.to_str().unwrap()]));
    assert!(said.contains("3 evidence files"), "{said}");
    assert!(!dir.path().join("sao lưu.partial").exists());
    // The manifest checks by hand with sha256sum.
    let check = Command::new("sha256sum")
        .args(["-c", "MANIFEST.sha256"])
        .current_dir(&backup)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{listed}");
    for f in &files {
        assert!(
            listed.contains(&format!("attachments/{}/{}: OK", &f.sha256[..2], f.sha256)),
            "{listed}"
        );
    }
    assert!(listed.contains("dxplan.db: OK") && listed.contains("backup.json: OK"));
    let info: Value =
        serde_json::from_slice(&std::fs::read(backup.join("backup.json")).unwrap()).unwrap();
    assert_eq!(info["engine"], "sqlite");
    assert_eq!(info["evidence_files"], 3);
    assert!(info["schema_version"].as_i64().unwrap() > 0);

    // A file saved after the backup is not in it; the folder is not written over.
    let later = admin.upload("Sau sao lưu.pdf", "sau", false).await;
    let refused = failed(&dxplan(&data, &["backup", backup.to_str().unwrap()]));
    assert!(refused.contains("not empty"), "{refused}");
    server.signal("-TERM");
    server.wait();

    let fresh = dir.path().join("fresh");
    let said = succeeded(&dxplan(&fresh, &["restore", backup.to_str().unwrap()]));
    assert!(said.contains("3 evidence files written"), "{said}");
    let said = succeeded(&dxplan(&fresh, &["restore", backup.to_str().unwrap()]));
    assert!(
        said.contains("0 evidence files written, 3 already in place"),
        "files already there are kept: {said}"
    );
    let server = Server::start(&fresh);
    let (client, _, status) = login(&server.base, "quantri", "mật khẩu dài")
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::OK);
    for f in &files {
        let (status, bytes) = fetch(&client, &server.base, &f.url).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{}", f.url);
        assert_eq!(bytes, f.bytes, "{}", f.url);
    }
    let (status, _) = fetch(&client, &server.base, &later.url).await;
    assert_eq!(
        status,
        reqwest::StatusCode::NOT_FOUND,
        "saved after the backup"
    );
    server.signal("-TERM");
    server.wait();
}

#[tokio::test]
async fn restore_refuses_a_running_server_and_a_damaged_backup_and_changes_nothing() {
    let (dir, server, admin, files) = seeded(None).await;
    let data = dir.path().join("data");
    let backup = dir.path().join("backup");
    succeeded(&dxplan(&data, &["backup", backup.to_str().unwrap()]));
    let later = admin.upload("Sau sao lưu.pdf", "sau", false).await;

    let pid = server.child.id().to_string();
    for args in [
        vec!["restore", backup.to_str().unwrap()],
        vec!["migrate"],
        vec!["demo", "--listen", "127.0.0.1:0"],
    ] {
        let refused = failed(&dxplan_within(&data, &args, Duration::from_secs(30)));
        assert!(
            refused.contains(&format!(
                "a dxplan server is running on {} (pid {pid}); stop it first",
                data.display()
            )),
            "{args:?}: {refused}"
        );
    }
    // The server's data is intact, the write made after the backup included.
    let (status, bytes) = fetch(&admin.client, &admin.base, &later.url).await;
    assert_eq!(
        (status, bytes),
        (reqwest::StatusCode::OK, later.bytes.clone())
    );
    server.signal("-TERM");
    server.wait();

    // One file damaged, another gone: both named, nothing changed.
    let before = contents(&data);
    let damaged = format!("attachments/{}/{}", &files[0].sha256[..2], files[0].sha256);
    let gone = format!("attachments/{}/{}", &files[2].sha256[..2], files[2].sha256);
    let mut bytes = std::fs::read(backup.join(&damaged)).unwrap();
    bytes[3] ^= 1;
    std::fs::write(backup.join(&damaged), bytes).unwrap();
    std::fs::remove_file(backup.join(&gone)).unwrap();
    let refused = failed(&dxplan(&data, &["restore", backup.to_str().unwrap()]));
    assert!(
        refused.contains(&format!("{damaged}: checksum does not match"))
            && refused.contains(&format!("{gone}: missing")),
        "{refused}"
    );
    assert_eq!(contents(&data), before, "a refused restore changes nothing");
}

#[tokio::test]
async fn a_referenced_file_missing_from_the_data_directory_fails_the_backup_naming_it() {
    let (dir, server, _admin, files) = seeded(None).await;
    server.signal("-TERM");
    server.wait();
    let data = dir.path().join("data");
    let lost = &files[1].sha256;
    std::fs::remove_file(data.join("attachments").join(&lost[..2]).join(lost)).unwrap();
    let backup = dir.path().join("backup");
    let refused = failed(&dxplan(&data, &["backup", backup.to_str().unwrap()]));
    assert!(
        refused.contains(lost.as_str()) && refused.contains("missing"),
        "{refused}"
    );
    assert!(!backup.exists() && !dir.path().join("backup.partial").exists());

    let said = succeeded(&dxplan(
        &data,
        &["backup", backup.to_str().unwrap(), "--allow-missing"],
    ));
    assert!(
        said.contains("2 evidence files") && said.contains("1 missing"),
        "{said}"
    );
    let info: Value =
        serde_json::from_slice(&std::fs::read(backup.join("backup.json")).unwrap()).unwrap();
    assert_eq!(info["missing"], json!([lost]));
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        .output()
        .expect("psql (the PostgreSQL client) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pg_database_name(tag: &str) -> String {
    format!("dxplan_cli_{}_{tag}", std::process::id())
}

/// A new, empty PostgreSQL database on the test server, and its URL.
fn fresh_pg_database(url: &str, tag: &str) -> String {
    let name = pg_database_name(tag);
    psql(url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    psql(url, &format!("CREATE DATABASE {name}"));
    let base = url.split('?').next().unwrap_or(url);
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{name}")
}

#[tokio::test]
async fn on_postgresql_a_backup_folder_holds_the_dump_and_the_files_and_restores_with_pg_restore() {
    let Some(url) = std::env::var("DXPLAN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: DXPLAN_TEST_DATABASE_URL names no PostgreSQL server");
        return;
    };
    let source = fresh_pg_database(&url, "source");
    let target = fresh_pg_database(&url, "target");
    let (dir, server, admin, files) = seeded(Some(&source)).await;
    let data = dir.path().join("data");
    let backup = dir.path().join("backup");
    let said = succeeded(&dxplan_on(
        &data,
        Some(&source),
        &["backup", backup.to_str().unwrap()],
    ));
    assert!(
        said.contains("dxplan.dump") && said.contains("3 evidence files"),
        "{said}"
    );
    let check = Command::new("sha256sum")
        .args(["-c", "MANIFEST.sha256"])
        .current_dir(&backup)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let later = admin.upload("Sau sao lưu.pdf", "sau", false).await;
    server.signal("-TERM");
    server.wait();

    let fresh = dir.path().join("fresh");
    let said = succeeded(&dxplan_on(
        &fresh,
        Some(&target),
        &["restore", backup.to_str().unwrap()],
    ));
    assert!(
        said.contains("3 written") && said.contains("pg_restore"),
        "{said}"
    );
    let dump = backup.join("dxplan.dump");
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &target])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start_on(&fresh, Some(&target));
    let (client, _, status) = login(&server.base, "quantri", "mật khẩu dài")
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::OK);
    for f in &files {
        let (status, bytes) = fetch(&client, &server.base, &f.url).await;
        assert_eq!(
            (status, bytes),
            (reqwest::StatusCode::OK, f.bytes.clone()),
            "{}",
            f.url
        );
    }
    let (status, _) = fetch(&client, &server.base, &later.url).await;
    assert_eq!(
        status,
        reqwest::StatusCode::NOT_FOUND,
        "saved after the backup"
    );
    server.signal("-TERM");
    server.wait();
    for tag in ["source", "target"] {
        psql(
            &url,
            &format!("DROP DATABASE {} WITH (FORCE)", pg_database_name(tag)),
        );
    }
}
