//! Background jobs. Each pass is a plain function of the time (`run_due`), so tests call
//! it directly with any clock; `spawn` runs it on an interval in the server.

use std::time::Duration;

use dxplan_store::{Db, StoreError, sessions};
use time::OffsetDateTime;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub sessions_purged: u64,
}

/// Settings the jobs need from the server's configuration.
#[derive(Debug, Clone, Copy)]
pub struct JobConfig {
    pub session_idle: Duration,
    pub every: Duration,
}

/// Runs everything that is due at `now`.
pub async fn run_due(
    db: &Db,
    config: &JobConfig,
    now: OffsetDateTime,
) -> Result<Report, StoreError> {
    let mut c = db.begin().await?;
    let sessions_purged = sessions::purge_expired(&mut c, now, now - config.session_idle).await?;
    c.commit().await?;
    Ok(Report { sessions_purged })
}

/// Runs [`run_due`] every `config.every` until the task is dropped or aborted.
pub fn spawn(db: Db, config: JobConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_due(&db, &config, OffsetDateTime::now_utc()).await {
                Ok(report) if report.sessions_purged > 0 => {
                    tracing::info!(purged = report.sessions_purged, "expired sessions removed");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "background jobs failed; will retry"),
            }
        }
    })
}
