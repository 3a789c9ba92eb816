//! A user's in-app notifications and how they want them by e-mail. Each person reads and
//! marks only their own; nobody else's notifications are reachable from here.

use dxplan_store::notifications;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

pub use crate::users::set_email_pref;
pub use dxplan_store::notifications::Notification;

/// How many of the user's notifications are unread: the badge on every page.
/// Kept a few seconds, forgotten on any commit.
pub async fn unread_count(app: &App, user: &CurrentUser) -> AppResult<i64> {
    if let Some(count) = app.memo.unread.get(user.id) {
        return Ok(count);
    }
    let generation = app.memo.unread.generation();
    let mut c = app.db.read().await?;
    let count = notifications::unread_count(&mut c, user.id).await?;
    app.memo.unread.keep(generation, user.id, count);
    Ok(count)
}

/// The user's latest notifications, newest first, and how many are unread.
pub struct Inbox {
    pub items: Vec<Notification>,
    pub unread: i64,
}

/// The user's latest `limit` notifications (the store caps how many), and the unread count.
pub async fn list(app: &App, user: &CurrentUser, limit: u32) -> AppResult<Inbox> {
    let mut c = app.db.read().await?;
    Ok(Inbox {
        items: notifications::list(&mut c, user.id, limit).await?,
        unread: notifications::unread_count(&mut c, user.id).await?,
    })
}

/// The notifications page: the latest hundred and the e-mail preference beside them.
pub struct NotificationsView {
    pub items: Vec<Notification>,
    /// `immediate`, `daily` or `none`.
    pub email_pref: String,
    /// Whether the account has an address to send to at all.
    pub has_email: bool,
}

pub async fn overview(app: &App, user: &CurrentUser) -> AppResult<NotificationsView> {
    let mut c = app.db.read().await?;
    Ok(NotificationsView {
        items: notifications::list(&mut c, user.id, 100).await?,
        email_pref: notifications::email_pref(&mut c, user.id).await?,
        has_email: dxplan_store::users::get(&mut c, user.id)
            .await?
            .email
            .is_some(),
    })
}

/// Marks one of the user's notifications read; another person's is not found.
pub async fn mark_read(app: &App, user: &CurrentUser, id: i64) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    if !notifications::mark_read(&mut c, user.id, id, app.now()).await? {
        return Err(AppError::NotFound);
    }
    c.commit().await?;
    Ok(())
}

/// Marks a notification read and says which page it leads to: its task's, or the page it
/// names (none: it leads nowhere, or it is too old to be among the latest the user can
/// see).
pub async fn open(app: &App, user: &CurrentUser, id: i64) -> AppResult<Option<String>> {
    let mut c = app.housekeeping().await?;
    if !notifications::mark_read(&mut c, user.id, id, app.now()).await? {
        return Err(AppError::NotFound);
    }
    let path = notifications::list(&mut c, user.id, 500)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .and_then(|n| match n.task_id {
            Some(task) => Some(format!("/tasks/{task}")),
            // Only a page of the site: a stored path never leads elsewhere.
            None => n
                .path
                .filter(|p| p.starts_with('/') && !p.starts_with("//")),
        });
    c.commit().await?;
    Ok(path)
}

/// Marks every notification of the user read.
pub async fn mark_all_read(app: &App, user: &CurrentUser) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    notifications::mark_all_read(&mut c, user.id, app.now()).await?;
    c.commit().await?;
    Ok(())
}
