//! End to end in a real browser: Debian's headless Chromium, driven through chromedriver's
//! WebDriver protocol, logs in and reads the dashboard on a wall screen and on a phone.
//!
//! `scripts/browser-test-setup` installs Chromium and chromedriver; `.ci/run` runs it and
//! sets `DXPLAN_BROWSER_TESTS=1`, which makes a missing browser a failure. Elsewhere the
//! test says it was skipped when no chromedriver is installed.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // End the browser session first: chromedriver then quits Chromium, which would
        // otherwise outlive the killed driver (a plain blocking request: no runtime here).
        use std::io::{Read, Write};
        if let Some(addr) = self.base.strip_prefix("http://")
            && let Ok(mut stream) = std::net::TcpStream::connect(addr)
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                stream,
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
                self.session
            );
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start() -> Option<Driver> {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var("DXPLAN_BROWSER_TESTS").is_err(),
                "DXPLAN_BROWSER_TESTS is set but {CHROMEDRIVER} is missing: run scripts/browser-test-setup"
            );
            eprintln!(
                "browser test skipped: no {CHROMEDRIVER} (scripts/browser-test-setup installs it)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        dxplan_jobs::webhooks::install_crypto();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver answers");
        // Flags as on a closed government network: nothing phones home.
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1920,1080",
            "--lang=vi",
        ];
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args,
                    "prefs": {"intl.accept_languages": "vi-VN,vi"}}
            }}}))
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("session answer");
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Some(Driver {
            child,
            base,
            session,
            http,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if !body.is_null() {
            request = request.json(&body);
        }
        let r: Value = request
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .expect("webdriver answer");
        assert!(r["value"]["error"].is_null(), "{path}: {r}");
        r["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        // The W3C reference is an object with one key, the element identifier.
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    async fn script(&self, js: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": js, "args": []}),
        )
        .await
    }

    async fn log_in(&self, app: &TestApp, username: &str) {
        self.log_in_at(&app.base, username).await;
    }

    /// Logs in at `base` (the server, or a way to it that can lose its signal).
    async fn log_in_at(&self, base: &str, username: &str) {
        self.go(&format!("{base}/login")).await;
        self.type_into("#username", username).await;
        self.type_into("#password", "demo").await;
        self.click("form button[type=submit]").await;
        // Wait for the login to land before going on.
        for _ in 0..50 {
            let url = self.call(reqwest::Method::GET, "/url", Value::Null).await;
            if !url.as_str().unwrap_or_default().contains("/login") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until this many entries wait on the device (as the page counts them).
    async fn pending_is(&self, n: u32) -> bool {
        self.wait_for(&format!(
            "document.documentElement.getAttribute('data-offline-pending') === '{n}'"
        ))
        .await
    }

    /// Waits until the service worker is running, so that the next page opened is its own.
    async fn offline_ready(&self) -> bool {
        self.script(
            "navigator.serviceWorker.ready.then(function () { window.__ready = true; }); return 0",
        )
        .await;
        self.wait_for("window.__ready === true").await
    }

    /// Waits up to twenty seconds (a loaded CI machine) for a script's condition to hold;
    /// false if it never does.
    async fn wait_for(&self, condition: &str) -> bool {
        for _ in 0..200 {
            let held = self
                .script(&format!(
                    "try {{ return !!({condition}); }} catch (e) {{ return false; }}"
                ))
                .await;
            if held == Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    async fn overflow(&self) -> f64 {
        self.script("return document.documentElement.scrollWidth - window.innerWidth")
            .await
            .as_f64()
            .unwrap_or(f64::MAX)
    }

    async fn window(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }
}

#[tokio::test]
async fn the_dashboard_renders_its_charts_in_a_real_browser_on_a_wall_and_a_phone() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    browser.log_in(&app, "coordinator").await;
    browser.go(&app.url("/dashboard")).await;
    let title = browser
        .script("return document.querySelector('h1').textContent")
        .await;
    assert!(
        title
            .as_str()
            .unwrap_or_default()
            .contains("Bảng điều hành"),
        "{title}"
    );
    // Every chart is drawn: an SVG with a name and a real size on the screen.
    let charts = browser
        .script(
            "return [...document.querySelectorAll('figure.chart svg')].map(s => {
                const r = s.getBoundingClientRect();
                return {w: r.width, h: r.height, named: ['img', 'group'].includes(s.getAttribute('role')) && !!s.querySelector('title')};
            })",
        )
        .await;
    let charts = charts.as_array().expect("a list");
    assert!(charts.len() >= 7, "{} charts", charts.len());
    for c in charts {
        assert!(c["named"].as_bool().unwrap(), "{c}");
        assert!(
            c["w"].as_f64().unwrap() > 150.0 && c["h"].as_f64().unwrap() > 40.0,
            "{c}"
        );
    }
    let bars = browser
        .script("return document.querySelectorAll('#units svg rect').length")
        .await;
    assert!(bars.as_u64().unwrap() > 20, "the heat map has cells");

    // On a 360 px phone: nothing wider than the screen, a header of one line with the menu
    // behind one button, the first number above the fold, no chart text under 11 px (the
    // charts too small to read give way to their tables, the heat map to a list of the
    // slowest units), and the whole dashboard within eight screens.
    browser.window(360, 740).await;
    browser.go(&app.url("/dashboard")).await;
    let phone = browser
        .script(
            "const header = document.querySelector('.site-header').getBoundingClientRect();
             const tile = document.querySelector('.tile-number').getBoundingClientRect();
             const texts = [...document.querySelectorAll('svg text')].filter(t => t.getClientRects().length > 0);
             const smallest = Math.min(1000, ...texts.map(t => {
                 const svg = t.ownerSVGElement;
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 return parseFloat(getComputedStyle(t).fontSize) * scale;
             }));
             return {overflow: document.documentElement.scrollWidth - window.innerWidth,
                     header: header.height, tile: tile.bottom, screen: window.innerHeight,
                     smallest, screens: document.documentElement.scrollHeight / window.innerHeight,
                     nav: getComputedStyle(document.querySelector('.main-nav')).display,
                     slow: document.querySelectorAll('.slow-list li').length}",
        )
        .await;
    assert!(phone["overflow"].as_f64().unwrap() <= 1.0, "{phone}");
    assert!(
        phone["header"].as_f64().unwrap() <= 64.0,
        "a one-line header: {phone}"
    );
    assert_eq!(phone["nav"], "none", "the menu is folded: {phone}");
    assert!(
        phone["tile"].as_f64().unwrap() < phone["screen"].as_f64().unwrap(),
        "the first number is above the fold: {phone}"
    );
    assert!(phone["smallest"].as_f64().unwrap() >= 11.0, "{phone}");
    assert!(phone["screens"].as_f64().unwrap() <= 8.0, "{phone}");
    assert!(
        phone["slow"].as_u64().unwrap() > 0,
        "the slowest units listed: {phone}"
    );
    browser.click(".menu-toggle").await;
    let nav = browser
        .script("return getComputedStyle(document.querySelector('.main-nav')).display")
        .await;
    assert_eq!(nav, "block", "one tap opens the menu");

    // The wall screen by its own link, without a login: one panel at a time, each fitted to
    // 1920×1080, numbers read from across the room, a clock and "which of how many".
    let admin = app.login("admin").await;
    let made = admin
        .post_form("/admin/displays", &[("name", "Tường"), ("unit", "52")])
        .await
        .text()
        .await
        .unwrap();
    let at = made.find("/wall/").expect("a link") + "/wall/".len();
    let secret: String = made[at..].chars().take(43).collect();
    // The screen's browser has never logged in.
    browser
        .call(reqwest::Method::DELETE, "/cookie", Value::Null)
        .await;
    browser.window(1920, 1080).await;
    browser.go(&app.url(&format!("/wall/{secret}"))).await;
    let wall = browser
        .script(
            "const panels = [...document.querySelectorAll('.panel')];
             const shown = document.querySelectorAll('.panel.shown').length;
             const count = document.querySelector('[data-screen-count]').textContent;
             const fits = panels.map((p, i) => {
                 panels.forEach((q, k) => q.classList.toggle('shown', k === i));
                 const r = p.getBoundingClientRect();
                 const svgs = [...p.querySelectorAll('svg')].map(s => s.getBoundingClientRect());
                 return {i, title: p.querySelector('h2').textContent.trim(),
                         bottom: Math.max(r.bottom, ...svgs.map(s => s.bottom)),
                         overflow: Math.max(p.scrollHeight - p.clientHeight, p.scrollWidth - p.clientWidth,
                             ...[...p.querySelectorAll('li, p, figure, svg, table, h2, h3, ul')].map(e => e.getBoundingClientRect().right - window.innerWidth)),
                         tiny: svgs.some(s => s.height < 120)};
             });
             return {shown, count, panels: panels.length, fits, height: window.innerHeight,
                     number: parseFloat(getComputedStyle(document.querySelector('.tile-number')).fontSize),
                     clock: document.querySelector('[data-clock]').textContent,
                     header: getComputedStyle(document.querySelector('.site-header')).display,
                     documents: document.querySelectorAll('a[href*=\".pdf\"], a[href*=\".docx\"], form[action=\"/exports\"]').length}",
        )
        .await;
    assert_eq!(wall["shown"].as_u64(), Some(1), "{wall}");
    assert_eq!(
        wall["count"].as_str().unwrap(),
        format!("1/{}", wall["panels"]),
        "{wall}"
    );
    assert!(wall["panels"].as_u64().unwrap() >= 8, "{wall}");
    assert!(wall["number"].as_f64().unwrap() >= 64.0, "{wall}");
    assert!(
        wall["clock"].as_str().unwrap().len() == 5,
        "a clock HH:MM: {wall}"
    );
    assert_eq!(wall["header"], "none", "no chrome on the wall");
    assert_eq!(
        wall["documents"].as_u64(),
        Some(0),
        "no report links on the wall"
    );
    let height = wall["height"].as_f64().unwrap();
    for panel in wall["fits"].as_array().unwrap() {
        assert!(
            panel["bottom"].as_f64().unwrap() <= height + 1.0
                && panel["overflow"].as_f64().unwrap() <= 1.0,
            "every panel fits the screen: {panel}"
        );
        assert!(
            !panel["tiny"].as_bool().unwrap(),
            "charts fill their panel: {panel}"
        );
    }
}

#[tokio::test]
async fn a_commune_officer_fills_in_a_self_assessment_on_a_phone() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    let seeded = dxplan_app::demo::index::seed(&app.state).await.unwrap();
    let districts_2025 = seeded.open_rounds[1];
    let assessment = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::index_rounds::assessments_of_round(&mut c, districts_2025)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.unit_code == "540")
            .unwrap()
    };
    assert_eq!(
        assessment.status.as_str(),
        "draft",
        "Quy Nhơn is still filling in"
    );
    browser.window(360, 740).await;
    browser.log_in(&app, "editor-540").await;
    browser
        .go(&app.url(&format!("/assessments/{}", assessment.id)))
        .await;
    assert!(browser.overflow().await <= 1.0, "the form fits a phone");
    // Answer the first step-scale criterion and save with the button at the end.
    // (Scrolled to the middle of the screen, as a thumb does: the save bar holds the foot.)
    browser
        .script("document.querySelector(\"input[name='choice:1.1'][value]\").scrollIntoView({block: 'center'}); return 0")
        .await;
    browser.click("input[name='choice:1.1'][value]").await;
    let bar = browser
        .script("const b = document.querySelector('.save-bar').getBoundingClientRect(); return b.bottom - window.innerHeight")
        .await;
    assert!(
        bar.as_f64().unwrap().abs() <= 1.0,
        "the save button is at the foot of the screen mid-form: {bar}"
    );
    browser.click("button[form=answers]").await;
    // The save posts and redirects: wait for the page that answers.
    let mut notice = Value::Null;
    for _ in 0..50 {
        notice = browser
            .script("return document.querySelector('.notice-success')?.textContent ?? ''")
            .await;
        if !notice.as_str().unwrap_or_default().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        notice.as_str().unwrap_or_default().contains("Đã lưu"),
        "{notice}"
    );
    // The published results read on a phone too.
    browser
        .go(&app.url(&format!("/public/index/{}", seeded.published_rounds[1])))
        .await;
    assert!(browser.overflow().await <= 1.0, "results fit a phone");
    let radars = browser
        .script("return document.querySelectorAll('figure.chart svg').length")
        .await;
    assert!(
        radars.as_u64().unwrap() >= 12,
        "ranking and a radar per district"
    );
}

#[tokio::test]
async fn an_administrator_reviews_a_reorganisation_on_a_phone() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (status, review) = admin
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "Sắp xếp ĐVHC cấp xã huyện Vân Canh", "effective_on": "2027-01-01",
                "new_units_csv": crate::reorg::NEW_UNITS,
                "lineage_csv": format!("{}551,Huyện Vân Canh,21994,Xã Vân Canh,\n", crate::reorg::LINEAGE)}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{review}");
    let id = review["change"]["id"].as_i64().unwrap();
    let Some(browser) = Driver::start().await else {
        return;
    };
    browser.log_in(&app, "admin").await;
    browser.window(360, 740).await;
    browser
        .go(&app.url(&format!("/admin/reorganisations/{id}")))
        .await;
    assert!(
        browser.overflow().await <= 1.0,
        "the review is no wider than the phone"
    );
    // The decision for the district's work, and the button to apply, are on the page.
    let choices = browser
        .script("return document.querySelectorAll('select[name=work_551] option').length")
        .await;
    assert_eq!(choices.as_u64(), Some(2), "carry to the seat, or close");
    let button = browser
        .script(
            "const b = [...document.querySelectorAll('button')].find(b => b.textContent.includes('Áp dụng phương án'));
             return b ? b.getBoundingClientRect().width : 0",
        )
        .await;
    assert!(button.as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn every_role_lands_on_a_page_that_fits_a_phone_and_a_desk() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    let admin = app.login("admin").await;
    let (_, ward) = admin.get_json("/api/v1/units/21583").await;
    let ward = ward["id"].as_i64().expect("the ward's id");
    let letterhead = format!("/units/{ward}/documents");
    // Who lands where, and a page of their daily work.
    let visits = [
        ("coordinator", vec!["/", "/my-work", "/tasks"]),
        ("viewer", vec!["/", "/dashboard"]),
        ("approver-540", vec!["/", "/my-work", &letterhead]),
        ("editor-540", vec!["/", "/my-work", "/indicators"]),
    ];
    for (user, paths) in &visits {
        browser
            .call(reqwest::Method::DELETE, "/cookie", Value::Null)
            .await;
        browser.window(1920, 1080).await;
        browser.log_in(&app, user).await;
        for (width, height) in [(360, 740), (1920, 1080)] {
            browser.window(width, height).await;
            for path in paths {
                browser.go(&app.url(path)).await;
                let facts = browser
                    .script(
                        "const h1 = document.querySelector('main h1');
                         return {overflow: document.documentElement.scrollWidth - window.innerWidth,
                                 header: document.querySelector('.site-header').getBoundingClientRect().height,
                                 title: h1 ? h1.getBoundingClientRect().bottom : 1e9,
                                 screen: window.innerHeight,
                                 status: performance.getEntriesByType('navigation')[0].responseStatus}",
                    )
                    .await;
                let at = format!("{user} {path} at {width} px: {facts}");
                assert!(facts["overflow"].as_f64().unwrap() <= 1.0, "{at}");
                assert!(
                    facts["title"].as_f64().unwrap() < facts["screen"].as_f64().unwrap() / 2.0,
                    "the page says what it is in the top half: {at}"
                );
                if width == 360 {
                    assert!(facts["header"].as_f64().unwrap() <= 64.0, "{at}");
                }
                assert_eq!(facts["status"].as_u64(), Some(200), "{at}");
            }
        }
    }
}

/// Whether the page is kept on the device for offline use (asked again at each look).
const KEPT: &str = "(caches.match(location.href).then(function (r) { window.__kept = !!r; }), window.__kept === true)";

/// A way to the server that can lose its signal: while off, every connection is cut at
/// once (those open too), as a phone in a coverage gap sees it — no answer at all.
struct Signal {
    base: String,
    online: std::sync::Arc<std::sync::atomic::AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Signal {
    async fn to(server: &str) -> Signal {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let upstream = server.trim_start_matches("http://").to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let online = Arc::new(AtomicBool::new(true));
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (flag, cuts) = (online.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Signal { base, online, cut }
    }

    fn set(&self, on: bool) {
        self.online.store(on, std::sync::atomic::Ordering::SeqCst);
        if !on {
            self.cut.send_modify(|n| *n += 1);
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[tokio::test]
async fn a_commune_officer_enters_figures_without_a_signal_and_they_arrive_once() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    let signal = Signal::to(&app.base).await;
    let officer = app.login("editor-540").await;
    let page = "/data/540?period=2025Q3";
    let figures = || async {
        let (_, values) = officer
            .get_json("/api/v1/data-values?unit=540&period=2025Q3&limit=500")
            .await;
        values["items"].as_array().unwrap().clone()
    };
    browser.window(360, 800).await;
    browser.log_in_at(&signal.base, "editor-540").await;
    assert!(browser.offline_ready().await, "the service worker runs");
    // The figures the unit owes now are kept ahead, before the officer opens them.
    assert!(
        browser
            .wait_for(
                "(caches.open('dxplan-offline-v1').then(function (c) { return c.keys(); }) \
                  .then(function (ks) { window.__ahead = ks.some(function (r) { \
                    return r.url.indexOf('/data/540?form=') >= 0; }); }), window.__ahead === true)"
            )
            .await,
        "the owed figures' page is kept ahead"
    );
    browser.go(&signal.url(page)).await;
    // Opened once online: the page is kept on the phone, and its service worker runs it.
    assert!(
        browser
            .wait_for("navigator.serviceWorker.controller !== null")
            .await,
        "the service worker took the page"
    );
    assert!(
        browser
            .script(
                "caches.match(location.href).then(function (r) { window.__kept = !!r; }); return 0"
            )
            .await
            == json!(0)
    );
    assert!(browser.wait_for(KEPT).await, "the page is kept");

    // In the coverage gap: typed, saved, the page reloaded, everything still there.
    signal.set(false);
    browser.type_into("input[name='n_CQ-01']", "30").await;
    browser.type_into("input[name='d_CQ-01']", "40").await;
    browser.type_into("input[name='v_NL-03']", "12,5").await;
    browser
        .type_into("input[name='c_NL-03']", "Theo sổ theo dõi của phòng Nội vụ")
        .await;
    browser.click("button[name=submit][value='0']").await;
    assert!(
        browser.pending_is(1).await,
        "kept as one entry not yet sent"
    );
    let status = browser
        .script("return document.getElementById('offline-status').textContent")
        .await;
    assert!(
        status.as_str().unwrap().contains("1 mục chưa gửi"),
        "{status}"
    );
    browser.go(&signal.url(page)).await;
    assert!(
        browser
            .wait_for("document.querySelector(\"input[name='n_CQ-01']\").value === '30'")
            .await,
        "the figures typed offline are back in the form after a reload"
    );
    assert!(
        browser
            .wait_for("document.querySelector('.offline-note') && document.querySelector('.offline-note').textContent.indexOf('Chưa gửi') >= 0")
            .await,
        "marked not yet sent"
    );
    assert!(browser.overflow().await <= 1.0, "fits a phone offline");
    assert!(figures().await.is_empty(), "nothing reached the server yet");

    // The signal is back: "Gửi ngay" sends it, once, with when it was typed.
    signal.set(true);
    browser.click("#offline-status button").await;
    assert!(browser.pending_is(0).await, "nothing left to send");
    let saved = figures().await;
    assert_eq!(saved.len(), 2, "one copy of each figure: {saved:?}");
    assert!(
        saved
            .iter()
            .all(|v| v["version"] == 1 && v["entered_offline_at"].is_string()),
        "{saved:?}"
    );
    assert!(
        saved
            .iter()
            .any(|v| v["comment"] == "Theo sổ theo dõi của phòng Nội vụ"),
        "the note typed with the figure: {saved:?}"
    );
    let status = browser
        .script("return document.getElementById('offline-status').textContent")
        .await;
    assert!(
        status.as_str().unwrap().contains("Đã gửi 1 mục"),
        "{status}"
    );

    // Someone changes a figure while the officer is offline: both are shown, the officer
    // chooses, and theirs is sent over the other.
    signal.set(false);
    browser
        .script("document.querySelector(\"input[name='v_NL-03']\").value = ''; return 0")
        .await;
    browser.type_into("input[name='v_NL-03']", "20").await;
    browser
        .script("document.querySelector(\"input[name='n_CQ-01']\").value = ''; document.querySelector(\"input[name='d_CQ-01']\").value = ''; return 0")
        .await;
    browser.click("button[name=submit][value='0']").await;
    assert!(browser.pending_is(1).await);
    let head = app.login("approver-540").await;
    let nl03 = saved
        .iter()
        .find(|v| v["numerator"].is_null())
        .unwrap()
        .clone();
    let (status, changed) = head
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q3",
                "rows": [{"indicator": "NL-03", "value": "25", "version": nl03["version"]}]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{changed}");
    signal.set(true);
    browser.click("#offline-status button").await;
    assert!(
        browser
            .wait_for("document.body.textContent.indexOf('Đã có người khác sửa') >= 0")
            .await,
        "the conflict is shown"
    );
    let note = browser
        .script("return document.querySelector('.offline-note.field-error').textContent")
        .await;
    let note = note.as_str().unwrap();
    assert!(
        note.contains("Trên hệ thống: 25") && note.contains("Của bạn: 20"),
        "{note}"
    );
    browser
        .click(".offline-note.field-error button:first-of-type")
        .await;
    assert!(browser.pending_is(0).await, "sent once chosen");
    let now = figures().await;
    let nl03 = now.iter().find(|v| v["numerator"].is_null()).unwrap();
    assert_eq!(
        (nl03["value"].as_f64(), nl03["version"].as_i64()),
        (Some(20.0), Some(3)),
        "the officer's figure, over the head's: {now:?}"
    );

    // A figure the server refuses is kept with the server's words until corrected.
    signal.set(false);
    for (name, value) in [("n_CQ-01", "50"), ("d_CQ-01", "40")] {
        browser
            .script(&format!(
                "document.querySelector(\"input[name='{name}']\").value = ''; return 0"
            ))
            .await;
        browser
            .type_into(&format!("input[name='{name}']"), value)
            .await;
    }
    browser.click("button[name=submit][value='0']").await;
    assert!(browser.pending_is(1).await);
    signal.set(true);
    browser.click("#offline-status button").await;
    assert!(
        browser
            .wait_for("document.body.textContent.indexOf('Tử số không được lớn hơn mẫu số') >= 0")
            .await,
        "the server's refusal, by its row"
    );
    assert_eq!(
        browser
            .script("return document.documentElement.getAttribute('data-offline-pending')")
            .await,
        json!("1"),
        "kept for correction, never dropped"
    );
    let ratio = figures().await;
    let cq01 = ratio.iter().find(|v| !v["numerator"].is_null()).unwrap();
    assert_eq!(
        cq01["numerator"].as_f64(),
        Some(30.0),
        "unchanged on the server"
    );
}

#[tokio::test]
async fn a_progress_report_written_without_a_signal_waits_for_a_new_login_and_arrives_once() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    // A task of Quy Nhơn's, agreed and under way.
    let coordinator = app.login("coordinator").await;
    let plan = crate::tasks::new_plan(&coordinator).await;
    let group = crate::tasks::group_id(&coordinator, plan, "9").await;
    let editor = app.login("editor-540").await;
    let (_, task) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &crate::tasks::task_body("9.1", "540", group),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let head = app.login("approver-540").await;
    for (who, action) in [
        (&head, "submit"),
        (&coordinator, "approve"),
        (&editor, "start"),
    ] {
        let (status, body) = who
            .post_json(
                &format!("/api/v1/tasks/{id}/transitions"),
                &json!({"action": action}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{action}: {body}");
    }
    let signal = Signal::to(&app.base).await;
    let page = format!("/tasks/{id}");
    browser.window(360, 800).await;
    browser.log_in_at(&signal.base, "editor-540").await;
    assert!(browser.offline_ready().await, "the service worker runs");
    browser.go(&signal.url(&page)).await;
    assert!(
        browser
            .wait_for("navigator.serviceWorker.controller !== null")
            .await
    );
    assert!(browser.wait_for(KEPT).await, "the page is kept");

    signal.set(false);
    browser.type_into("#progress", "60").await;
    browser
        .type_into("#obstacles", "Mất sóng ở thôn Làng Mới, chưa cài đặt được")
        .await;
    browser
        .click("form[data-offline-form=report] button[type=submit]")
        .await;
    assert!(browser.pending_is(1).await, "kept on the phone");
    browser.go(&signal.url(&page)).await;
    assert!(
        browser
            .wait_for("document.getElementById('progress').value === '60'")
            .await,
        "the report typed offline is back in its form after a reload"
    );
    assert!(browser.overflow().await <= 1.0, "fits a phone offline");

    // The session ends while the officer is away: sending asks for a new login first and
    // keeps what waits.
    {
        let mut c = app.state.housekeeping().await.unwrap();
        let later = time::OffsetDateTime::now_utc() + time::Duration::days(30);
        dxplan_app::store::sessions::purge_expired(&mut c, later, later)
            .await
            .unwrap();
        c.commit().await.unwrap();
        app.state.memo.forget_all();
    }
    signal.set(true);
    browser.click("#offline-status button").await;
    assert!(
        browser
            .wait_for("document.getElementById('offline-status').textContent.indexOf('Phiên đăng nhập đã hết') >= 0")
            .await,
        "asked to log in again"
    );
    assert_eq!(
        browser
            .script("return document.documentElement.getAttribute('data-offline-pending')")
            .await,
        json!("1"),
        "nothing lost"
    );
    let (_, reports) = editor
        .get_json(&format!("/api/v1/tasks/{id}/reports"))
        .await;
    assert!(
        reports["items"].as_array().is_none_or(Vec::is_empty)
            || reports["items"].as_array().unwrap().is_empty()
    );
    browser.log_in_at(&signal.base, "editor-540").await;
    browser.go(&signal.url(&page)).await;
    assert!(browser.pending_is(0).await, "sent once logged in");
    let editor = app.login("editor-540").await;
    let (_, reports) = editor
        .get_json(&format!("/api/v1/tasks/{id}/reports"))
        .await;
    let reports = reports["items"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "one report: {reports:?}");
    assert_eq!(reports[0]["progress"], 60);
    assert_eq!(
        reports[0]["obstacles"],
        "Mất sóng ở thôn Làng Mới, chưa cài đặt được"
    );
    assert!(reports[0]["entered_offline_at"].is_string(), "{reports:?}");
}

#[tokio::test]
async fn an_evidence_file_chosen_without_a_signal_is_kept_and_sent_once() {
    let app = TestApp::spawn().await;
    let Some(browser) = Driver::start().await else {
        return;
    };
    // A department's yearly figure that needs its approval decision attached.
    let officer = app.login("editor-stc2").await;
    let (status, saved) = officer
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "52-STC2", "period": "2025", "rows": [{"indicator": "AT-01", "value": "3"}]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{saved}");
    let value = saved["items"][0]["id"].as_i64().unwrap();
    let decision = std::env::temp_dir().join(format!("quyet-dinh-{}.pdf", std::process::id()));
    std::fs::write(
        &decision,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    )
    .unwrap();

    let signal = Signal::to(&app.base).await;
    let page = "/data/52-STC2?period=2025";
    browser.window(360, 800).await;
    browser.log_in_at(&signal.base, "editor-stc2").await;
    assert!(browser.offline_ready().await, "the service worker runs");
    browser.go(&signal.url(page)).await;
    assert!(browser.wait_for(KEPT).await, "the page is kept");
    let upload = format!("form[data-offline-file='{value}']");
    let hint = browser
        .script("return document.querySelector('.offline-hint') ? document.body.textContent.indexOf('tối đa') >= 0 : false")
        .await;
    assert_eq!(hint, json!(true), "the page states the file size cap");

    signal.set(false);
    browser
        .type_into(
            &format!("{upload} input[type=file]"),
            decision.to_str().unwrap(),
        )
        .await;
    browser
        .click(&format!("{upload} button[type=submit]"))
        .await;
    assert!(browser.pending_is(1).await, "the file is kept on the phone");
    let waiting = browser
        .script(&format!(
            "return document.querySelector(\"{upload} .offline-note\").textContent"
        ))
        .await;
    assert!(
        waiting
            .as_str()
            .unwrap()
            .starts_with("Chưa gửi: quyet-dinh-"),
        "{waiting}"
    );
    let files = || async {
        let (_, list) = officer
            .get_json(&format!("/api/v1/data-values/{value}/files"))
            .await;
        list.as_array()
            .or_else(|| list["items"].as_array())
            .cloned()
            .unwrap_or_default()
    };
    assert!(files().await.is_empty());

    signal.set(true);
    browser.click("#offline-status button").await;
    assert!(browser.pending_is(0).await, "sent");
    let sent = files().await;
    assert_eq!(sent.len(), 1, "one copy: {sent:?}");
    let _ = std::fs::remove_file(&decision);

    // Logging out takes what the account kept off the device (from the phone's menu).
    browser.click(".menu-toggle").await;
    browser.click("form[data-offline-logout] button").await;
    assert!(browser.wait_for("location.pathname === '/login'").await);
    browser
        .script(
            "caches.keys().then(function (names) { return Promise.all(names.map(function (n) { \
               return caches.open(n).then(function (c) { return c.keys(); }); })); }) \
             .then(function (lists) { window.__pages = [].concat.apply([], lists) \
               .filter(function (r) { return r.url.indexOf('/static/') < 0; }).length; }); return 0",
        )
        .await;
    assert!(
        browser.wait_for("window.__pages === 0").await,
        "no page of the account is left on the device"
    );
}
