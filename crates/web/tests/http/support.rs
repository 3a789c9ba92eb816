use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use dxplan_app::demo::indicators::DemoData;
use dxplan_app::password::PasswordCost;
use dxplan_app::store::TestDb;
use dxplan_app::throttle::ThrottleConfig;
use dxplan_web::{AppState, WebConfig};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub test_db: TestDb,
    _server: tokio::task::JoinHandle<()>,
}

pub fn test_config() -> WebConfig {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let data_dir = std::env::temp_dir().join(format!(
        "dxplan-test-files-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    WebConfig {
        app: dxplan_app::Settings {
            data_dir,
            password_cost: PasswordCost::CHEAP_FOR_TESTS,
            throttle: ThrottleConfig {
                per_pair_burst: 50,
                per_account_burst: 50,
                per_addr_burst: 500,
                ..ThrottleConfig::default()
            },
            ..dxplan_app::Settings::default()
        },
        ..WebConfig::default()
    }
}

impl TestApp {
    /// The demo province (real units, demo accounts with password `demo`).
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(test_config()).await
    }

    pub async fn spawn_with(config: WebConfig) -> TestApp {
        TestApp::spawn_full(config, None).await
    }

    /// The whole demo of `dxplan demo`: figures, plans, index rounds and the 2025
    /// reorganisation (slower to seed; for the few tests about the demo itself).
    pub async fn spawn_demo() -> TestApp {
        TestApp::seeded(test_config(), None, DemoData::Full).await
    }

    /// With a clock the test moves by hand.
    pub async fn spawn_with_clock(clock: Arc<TestClock>) -> TestApp {
        TestApp::spawn_full(test_config(), Some(clock)).await
    }

    async fn spawn_full(config: WebConfig, clock: Option<Arc<TestClock>>) -> TestApp {
        TestApp::seeded(config, clock, DemoData::CatalogueOnly).await
    }

    async fn seeded(config: WebConfig, clock: Option<Arc<TestClock>>, data: DemoData) -> TestApp {
        let test_db = TestDb::new().await.expect("test database");
        let mut state = AppState::new(test_db.db.clone(), config);
        if let Some(clock) = clock {
            state.app.clock = clock;
        }
        dxplan_app::demo::seed_with(&state, data)
            .await
            .expect("demo seed");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let server_state = state.clone();
        let server = tokio::spawn(async move {
            dxplan_web::serve(listener, server_state, std::future::pending())
                .await
                .expect("serve");
        });
        TestApp {
            base: format!("http://{addr}"),
            state,
            test_db,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        dxplan_jobs::webhooks::install_crypto();
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Logs in over the JSON API.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, "demo").await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Session {
        let client = self.client();
        let response = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), StatusCode::OK, "login as {username}");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("dxplan_session="))
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_string();
        let body: Value = response.json().await.expect("login body");
        Session {
            client,
            csrf: body["csrf_token"].as_str().expect("csrf token").to_string(),
            base: self.base.clone(),
            cookie,
        }
    }

    /// The number of audit events with this action.
    pub async fn audit_count(&self, action: &str) -> usize {
        let mut c = self.state.db.read().await.expect("conn");
        let filter = dxplan_app::store::audit::AuditFilter {
            action: Some(action.into()),
            limit: 500,
            ..Default::default()
        };
        dxplan_app::store::audit::list(&mut c, &filter)
            .await
            .expect("audit")
            .events
            .len()
    }

    pub async fn unit_count(&self) -> i64 {
        let mut c = self.state.db.read().await.expect("conn");
        dxplan_app::store::units::count(&mut c)
            .await
            .expect("count")
    }
}

/// A logged-in client that sends its CSRF token with every change.
pub struct Session {
    pub client: Client,
    pub csrf: String,
    pub base: String,
    /// `dxplan_session=…`, for a request made by hand (the hostile suite's, which shares
    /// this file).
    #[allow(dead_code)]
    pub cookie: String,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// The text of a PDF the path answers, its runs of white space made single spaces.
    pub async fn pdf_text(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let bytes = r.bytes().await.expect("PDF body");
        let text = pdf_extract::extract_text_from_mem(&bytes).expect("a readable PDF");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let r = self
            .client
            .request(method, self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    /// Posts an HTML form the way a browser does, with the session's CSRF field.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST form")
    }
}

/// The error code of an API error body.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// A clock that stands still until the test moves it.
pub struct TestClock(Mutex<time::OffsetDateTime>);

impl TestClock {
    pub fn new() -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(time::OffsetDateTime::now_utc())))
    }

    /// A clock standing at `at` (a document of another year).
    #[allow(dead_code)]
    pub fn at(at: time::OffsetDateTime) -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(at)))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().expect("clock");
        *now += by;
    }
}

impl dxplan_app::Clock for TestClock {
    fn now(&self) -> time::OffsetDateTime {
        *self.0.lock().expect("clock")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let dir = &self.state.settings.data_dir;
        if dir.starts_with(std::env::temp_dir()) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Every text run of a Word document, in order (one a line), read back with docx-rs's
/// reader.
#[allow(dead_code)]
pub fn docx_text(bytes: &[u8]) -> String {
    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("text", Value::String(s)) => out.push(s.clone()),
                        _ => collect(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let doc = docx_rs::read_docx(bytes).expect("a readable .docx");
    let json: Value = serde_json::from_str(&doc.json()).expect("the document as JSON");
    let mut out = Vec::new();
    collect(&json["document"], &mut out);
    out.join("\n")
}

/// One part of a Word package as text (`word/document.xml`, `docProps/core.xml`).
#[allow(dead_code)]
pub fn docx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut part = zip.by_name(name).expect("the part");
    let mut text = String::new();
    part.read_to_string(&mut text).expect("UTF-8 XML");
    text
}
