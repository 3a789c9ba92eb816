//! dxplan's use cases: every read model and every write, each taking a caller and
//! checking it. The HTML pages, the JSON API and the command line all call these, so a
//! rule lives once; nothing here knows HTTP.
//!
//! How a use case is written here:
//! - **A read** takes `(&App, &CurrentUser, …)`, checks the person first (a unit's data
//!   through [`rights::unit_by_code_for`] or [`rights::require_on`], the province's objects
//!   through [`rights::Province`]), then reads everything its page or answer needs on one
//!   connection and returns one struct (a read model). The doors only format it.
//! - **A write** takes `(&App, &Caller, input)`, checks, validates, and changes the
//!   database inside [`App::write`]; the transaction commits only with its audit event
//!   ([`Write::commit`]). [`App::housekeeping`] is for the few writes that are no change of
//!   record, by name.
//! - **Rules** (what a status allows, how figures roll up) live in `dxplan_domain` as pure
//!   functions, so the page that offers an action and the use case that performs it ask
//!   the same question (`task_powers`, `domain::rollup`).
//! - **Row types** reach the doors as re-exports of the subject's module
//!   (`dxplan_app::tasks::Task`); the store's functions never do.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The store itself, for the suites that seed and inspect the database (never the doors).
#[cfg(feature = "test-support")]
pub use dxplan_store as store;
use dxplan_store::Conn;
pub use dxplan_store::Db;
pub use dxplan_store::PoolStats;
use time::OffsetDateTime;

pub mod caller;
pub mod demo;
pub mod error;
pub mod files;
pub mod input;
pub mod password;
pub mod principal;
pub mod sessions;
pub mod throttle;
pub mod units;
pub mod users;

pub mod assessment;
pub mod audit;
pub mod briefings;
pub mod dashboard;
pub mod dhis2;
pub mod displays;
pub mod evaluation;
pub mod explanations;
pub mod exports;
pub mod idempotency;
pub mod index;
pub mod indicators;
pub mod issuer;
pub mod jobs;
pub mod memo;
pub mod notifications;
pub mod open_data;
pub mod pickers;
pub mod reorg;
pub mod rights;
pub mod steering;
pub mod tasks;
pub mod tokens;
pub mod urging;
pub mod webhooks;
pub mod work;
pub mod write;

pub use caller::Caller;
pub use error::{AppError, AppResult};
pub use input::{NoOtherFields, Structure, Upload, with_workbook};
pub use principal::{CurrentUser, Origin};
pub use sessions::{LoggedIn, login, logout};
pub use units::{create_unit, import_units, update_unit};
pub use users::{
    NewUserInput, PasswordChanged, UserPatch, change_own_password, create_user, grant_role,
    reset_password, revoke_role, set_email_pref, update_user, visible_user_units,
};
pub use write::Write;

use password::PasswordCost;
use throttle::{LoginThrottle, ThrottleConfig, TokenLimiter, TokenRateConfig};

/// The use cases' settings, passed down from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session ends after this long without a request…
    pub session_idle: Duration,
    /// …and in any case this long after logging in.
    pub session_absolute: Duration,
    pub throttle: ThrottleConfig,
    pub token_rate: TokenRateConfig,
    pub password_cost: PasswordCost,
    /// Where attachments and other files live.
    pub data_dir: PathBuf,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// The address people reach dxplan at, for links in e-mails (none when unset).
    pub public_url: Option<String>,
    /// Days before its deadline from which an open task shows as about to be overdue.
    pub due_soon_days: u8,
    /// Urgent notices (an explanation requested or overdue, a task overdue) also go by
    /// text message (SMS or Zalo) to accounts with a mobile number: on when the server
    /// has a text gateway.
    pub text_messages: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle: Duration::from_secs(2 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            throttle: ThrottleConfig::default(),
            token_rate: TokenRateConfig::default(),
            password_cost: PasswordCost::default(),
            data_dir: PathBuf::from("./dxplan-data"),
            max_upload_bytes: 20 * 1024 * 1024,
            public_url: None,
            due_soon_days: dxplan_domain::task::DUE_SOON_DAYS,
            text_messages: false,
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

/// What every use case works with: the database, the clock, the settings and the
/// throttles that guard logins and API tokens. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub throttle: Arc<LoginThrottle>,
    pub token_limiter: Arc<TokenLimiter>,
    pub clock: Arc<dyn Clock>,
    /// What nearly every request reads again, kept a few seconds (see [`memo`]).
    pub memo: Arc<memo::Memo>,
}

impl App {
    pub fn new(db: Db, settings: Settings) -> App {
        App {
            throttle: Arc::new(LoginThrottle::new(&settings.throttle)),
            token_limiter: Arc::new(TokenLimiter::new(&settings.token_rate)),
            settings: Arc::new(settings),
            db,
            clock: Arc::new(SystemClock),
            memo: Arc::default(),
        }
    }

    /// The units below `roots` at any time (children and the units that continue them),
    /// sorted: the subtree a grant covers. Kept a few seconds, forgotten on any change.
    pub async fn subtree(&self, c: &mut Conn, roots: &[i64]) -> AppResult<Arc<[i64]>> {
        let mut key = roots.to_vec();
        key.sort_unstable();
        key.dedup();
        let roots = key.clone();
        self.memo
            .subtrees
            .get_or_read(&self.memo, key, || async move {
                let mut ids = dxplan_store::units::subtree_ids(c, &roots).await?;
                ids.sort_unstable();
                ids.dedup();
                AppResult::Ok(Arc::from(ids))
            })
            .await
    }

    /// Every plan, the newest first. Kept a few seconds, forgotten on any change.
    pub async fn plans(&self, c: &mut Conn) -> AppResult<Arc<[dxplan_store::plans::Plan]>> {
        self.memo
            .plans
            .get_or_read(&self.memo, (), || async {
                AppResult::Ok(Arc::from(dxplan_store::plans::list(c).await?))
            })
            .await
    }

    /// Every pillar of the programme. Kept a few seconds, forgotten on any change.
    pub async fn pillars(&self, c: &mut Conn) -> AppResult<Arc<[dxplan_store::plans::Pillar]>> {
        self.memo
            .pillars
            .get_or_read(&self.memo, (), || async {
                AppResult::Ok(Arc::from(dxplan_store::plans::pillars(c).await?))
            })
            .await
    }

    /// A plan's groups, in order. Kept a few seconds, forgotten on any change.
    pub async fn plan_groups(
        &self,
        c: &mut Conn,
        plan_id: i64,
    ) -> AppResult<Arc<[dxplan_store::plans::TaskGroup]>> {
        self.memo
            .groups
            .get_or_read(&self.memo, plan_id, || async {
                AppResult::Ok(Arc::from(dxplan_store::plans::groups(c, plan_id).await?))
            })
            .await
    }

    /// For each of `ids` that has ended by `day`, the units standing then that continue
    /// it. Kept a few seconds, forgotten on any change.
    pub async fn continued_in(
        &self,
        c: &mut Conn,
        ids: &[i64],
        day: time::Date,
    ) -> AppResult<Arc<memo::ContinuedIn>> {
        let mut key = ids.to_vec();
        key.sort_unstable();
        key.dedup();
        let ids = key.clone();
        self.memo
            .continued
            .get_or_read(&self.memo, (key, day), || async move {
                AppResult::Ok(Arc::new(
                    dxplan_store::units::continued_in(c, &ids, day).await?,
                ))
            })
            .await
    }

    /// The units standing on `day`, in the tree's order (what a unit picker offers). Kept
    /// a few seconds, forgotten on any change.
    pub async fn standing_units(
        &self,
        c: &mut Conn,
        day: time::Date,
    ) -> AppResult<Arc<[dxplan_store::units::Unit]>> {
        self.memo
            .standing
            .get_or_read(&self.memo, day, || async {
                AppResult::Ok(Arc::from(dxplan_store::units::valid_on(c, day).await?))
            })
            .await
    }

    /// The indicator catalogue, in its order. Kept a few seconds, forgotten on any change.
    pub async fn catalogue(
        &self,
        c: &mut Conn,
    ) -> AppResult<Arc<[dxplan_store::indicators::Indicator]>> {
        self.memo
            .catalogue
            .get_or_read(&self.memo, (), || async {
                AppResult::Ok(Arc::from(
                    dxplan_store::indicators::list(c, None, None).await?,
                ))
            })
            .await
    }

    /// Whether the subtrees of `roots` hold every unit there is: a scope that narrows
    /// nothing, which a query can leave out.
    pub async fn covers_every_unit(&self, c: &mut Conn, roots: &[i64]) -> AppResult<bool> {
        let covered = self.subtree(c, roots).await?.len();
        let all = self
            .memo
            .unit_count
            .get_or_read(&self.memo, (), || async {
                let n = dxplan_store::units::count(c).await?;
                AppResult::Ok(usize::try_from(n).unwrap_or(usize::MAX))
            })
            .await?;
        Ok(covered >= all)
    }

    /// A link into dxplan at `path` (`/tasks/7`) for an e-mail or a notification, when the
    /// address people reach it at is configured.
    pub fn public_link(&self, path: &str) -> Option<String> {
        self.settings
            .public_url
            .as_deref()
            .map(|base| format!("{}{path}", base.trim_end_matches('/')))
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Today in Vietnam (UTC+7), the date codes and validity periods are read at.
    pub fn today(&self) -> time::Date {
        self.now().to_offset(dxplan_domain::text::VIETNAM).date()
    }

    /// The largest evidence file, as a byte count for readers.
    pub fn upload_limit(&self) -> usize {
        usize::try_from(self.settings.max_upload_bytes).unwrap_or(usize::MAX)
    }

    /// Whether the database answers a query: the health check.
    pub async fn database_answers(&self) -> AppResult<()> {
        Ok(self.db.ping().await?)
    }

    /// The connections the pool holds and how many of them are idle, for the metrics.
    pub fn pool_stats(&self) -> PoolStats {
        self.db.pool_stats()
    }
}
