//! What every handler can reach: the database, the configuration, the login throttle,
//! the clock and the metrics handle.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use dxplan_store::Db;
use time::OffsetDateTime;

use crate::password::PasswordCost;
use crate::throttle::{LoginThrottle, ThrottleConfig};

/// Settings of the web layer, passed down from the command line.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// A session ends after this long without a request…
    pub session_idle: Duration,
    /// …and in any case this long after logging in.
    pub session_absolute: Duration,
    pub throttle: ThrottleConfig,
    pub token_rate: crate::throttle::TokenRateConfig,
    pub password_cost: PasswordCost,
    /// Demo mode: the login page lists the demo accounts.
    pub demo: bool,
    /// Where attachments and other files live.
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// The address people reach dxplan at, for links in e-mails (none when unset).
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default: the
    /// header is ignored, the client is the connection's peer). Audit rows, sessions and
    /// the login throttle see the address this gives.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_idle: Duration::from_secs(2 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            throttle: ThrottleConfig::default(),
            token_rate: crate::throttle::TokenRateConfig::default(),
            password_cost: PasswordCost::default(),
            demo: false,
            data_dir: PathBuf::from("./dxplan-data"),
            body_limit: 4 * 1024 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            public_url: None,
            trusted_proxies: Vec::new(),
        }
    }
}

/// A source of the current time, replaceable in tests.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<LoginThrottle>,
    pub token_limiter: Arc<crate::throttle::TokenLimiter>,
    pub clock: Arc<dyn Clock>,
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState {
            throttle: Arc::new(LoginThrottle::new(&config.throttle)),
            token_limiter: Arc::new(crate::throttle::TokenLimiter::new(&config.token_rate)),
            config: Arc::new(config),
            db,
            clock: Arc::new(SystemClock),
            metrics: crate::metrics::Metrics::global(),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Today in Vietnam (UTC+7), the date codes and validity periods are read at.
    /// The largest evidence file, as a byte count for readers.
    pub fn upload_limit(&self) -> usize {
        usize::try_from(self.config.max_upload_bytes).unwrap_or(usize::MAX)
    }

    pub fn today(&self) -> time::Date {
        self.now().to_offset(crate::format::VIETNAM).date()
    }
}
