//! What every handler can reach: the use cases' [`App`] (database, clock, settings,
//! throttles), the web layer's own settings and the metrics handle.

use std::sync::Arc;

use dxplan_app::Db;
use dxplan_app::{App, Settings};

/// Settings of the web layer, passed down from the command line.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Demo mode: the login page lists the demo accounts.
    pub demo: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default: the
    /// header is ignored, the client is the connection's peer). Audit rows, sessions and
    /// the login throttle see the address this gives.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The use cases' settings; handed to [`App`] at start (read them as
    /// `state.settings`, never from here).
    pub app: Settings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            demo: false,
            body_limit: 4 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            app: Settings::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState {
            app: App::new(db, config.app.clone()),
            config: Arc::new(config),
            metrics: crate::metrics::Metrics::global(),
        }
    }
}

/// Handlers pass `&state` where a use case takes `&App`.
impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}
