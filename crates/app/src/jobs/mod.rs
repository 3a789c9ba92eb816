//! The work the background jobs do, as use cases of the system itself: sweeping ended
//! sessions and old documents, reminding people of deadlines, the daily digest, and the
//! two outboxes (e-mail and webhooks). `dxplan_jobs` runs these on a clock and owns the
//! transports (SMTP, HTTP); what is read and written, and in which transaction, is here.
//!
//! None of it is a change of record (a reminder changes no task), so every write is
//! [`App::housekeeping`]; each reminder carries a key that makes it once-only, so a pass
//! that stops half-way is simply run again.

mod outbox;
mod reminders;

use std::time::Duration;

use dxplan_domain::auth::Role;
use dxplan_store::{exports, sessions};
use time::OffsetDateTime;

use crate::App;
use crate::error::AppResult;

pub use outbox::{
    Delivery, DeliveryOutcome, OutboxMessage, Webhook, claim_mail, claim_texts, digests,
    due_deliveries, mail_failed, mail_sent, record_delivery,
};
pub use reminders::{remind_assessments, remind_figures, remind_tasks};

/// How long a generated document waits for its download.
pub const EXPORT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Who hears of a unit's deadlines: its editors and approvers (and those of the units
/// above it, for tasks).
const UNIT_STAFF: [Role; 2] = [Role::UnitEditor, Role::UnitApprover];

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    /// Generated documents older than [`EXPORT_RETENTION`].
    pub exports: u64,
    /// Briefing documents sent longer ago than [`crate::briefings::BRIEFING_RETENTION`]
    /// (their log stays).
    pub briefings: u64,
    /// Answers kept for `Idempotency-Key` retries past [`crate::idempotency::KEPT_FOR`].
    pub idempotency_keys: u64,
}

/// Ends sessions past their absolute expiry or idle longer than the settings allow, and
/// removes generated documents nobody fetched in time.
pub async fn sweep(app: &App, now: OffsetDateTime) -> AppResult<Swept> {
    let mut c = app.housekeeping().await?;
    let sessions = sessions::purge_expired(&mut c, now, now - app.settings.session_idle).await?;
    let exports = exports::sweep(&mut c, now - EXPORT_RETENTION).await?;
    let briefings = crate::briefings::sweep(&mut c, now).await?;
    let idempotency_keys = crate::idempotency::sweep(&mut c, now).await?;
    c.commit().await?;
    Ok(Swept {
        sessions,
        exports,
        briefings,
        idempotency_keys,
    })
}
