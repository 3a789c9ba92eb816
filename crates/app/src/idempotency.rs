//! Requests sent again with the same `Idempotency-Key` (issue #20): a commune officer's
//! phone that saved figures and lost the answer in a coverage gap sends them again; the
//! first answer is kept [`KEPT_FOR`] and given again, so a retry never makes a second copy,
//! nor meets its own first write as someone else's change.
//!
//! Keys are the caller's own: two people may use the same key for different things. A key
//! used again for another request (method, path or query) is refused, as is a retry while
//! the first is still running. An answer the server failed to give (5xx) is not kept, so
//! the retry runs again.

use std::time::Duration;

use dxplan_store::idempotency::{self, Kept};
use time::OffsetDateTime;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// How long an answer is kept: a day covers an officer back from the mountain by evening.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);
/// A first request that has not answered after this long stopped with its process: a
/// retry runs it again.
const RUNNING_AT_MOST: time::Duration = time::Duration::minutes(2);
/// Longest key, in characters (a UUID is 36).
const KEY_MAX: usize = 100;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Begun {
    /// The key is new: run the request, then [`finish`].
    Run,
    /// The request was answered already: give its answer again.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
}

/// Checks a key's form: 1 to 100 visible ASCII characters.
pub fn check_key(key: &str) -> AppResult<()> {
    let fine = !key.is_empty() && key.len() <= KEY_MAX && key.bytes().all(|b| b.is_ascii_graphic());
    if fine {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "Idempotency-Key không hợp lệ: 1 đến 100 ký tự ASCII nhìn thấy được (ví dụ một UUID) / Idempotency-Key must be 1 to 100 visible ASCII characters (a UUID, say)".into(),
        ))
    }
}

/// Starts a request with a key: runs it, or gives the kept answer, or refuses a key used
/// for another request or still running.
pub async fn begin(app: &App, user: &CurrentUser, key: &str, request: &str) -> AppResult<Begun> {
    check_key(key)?;
    let now = app.now();
    let mut c = app.housekeeping().await?;
    if idempotency::claim(&mut c, user.id, key, request, now).await? {
        c.commit().await?;
        return Ok(Begun::Run);
    }
    let kept = idempotency::get(&mut c, user.id, key).await?;
    let begun = match kept {
        // Released between the two statements: run it.
        None => {
            idempotency::claim(&mut c, user.id, key, request, now).await?;
            Begun::Run
        }
        Some(Kept { request: first, .. }) if first != request => {
            return Err(AppError::conflict(
                "idempotency_key_reused",
                "Idempotency-Key này đã được dùng cho một yêu cầu khác: mỗi thao tác cần một khóa riêng.",
                "This Idempotency-Key was used for another request: each change needs its own key.",
            ));
        }
        Some(Kept {
            status: Some(status),
            content_type,
            body,
            ..
        }) => Begun::Replay {
            status: u16::try_from(status).unwrap_or(500),
            content_type,
            body: body.unwrap_or_default(),
        },
        Some(Kept { .. }) => {
            if idempotency::take_over(&mut c, user.id, key, now - RUNNING_AT_MOST, now).await? {
                Begun::Run
            } else {
                return Err(AppError::conflict(
                    "idempotency_key_running",
                    "Yêu cầu với khóa này đang được xử lý: đợi giây lát rồi gửi lại.",
                    "The request with this key is still being handled: wait a moment and send it again.",
                ));
            }
        }
    };
    c.commit().await?;
    Ok(begun)
}

/// Keeps the answer of a request begun with [`Begun::Run`]. An answer that a retry may
/// well not get — a server failure (5xx), a body cut short or too slow (413, 408: the
/// signal dropped mid-upload), too many requests (429) — lets the key go instead, so the
/// retry runs again.
pub async fn finish(
    app: &App,
    user: &CurrentUser,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    if status >= 500 || matches!(status, 408 | 413 | 429) {
        idempotency::release(&mut c, user.id, key).await?;
    } else {
        idempotency::keep(&mut c, user.id, key, i64::from(status), content_type, body).await?;
    }
    c.commit().await?;
    Ok(())
}

/// Lets a key go whose request gave no answer to keep.
pub async fn release(app: &App, user: &CurrentUser, key: &str) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    idempotency::release(&mut c, user.id, key).await?;
    c.commit().await?;
    Ok(())
}

/// Forgets the answers older than [`KEPT_FOR`].
pub async fn sweep(c: &mut dxplan_store::Conn, now: OffsetDateTime) -> AppResult<u64> {
    Ok(idempotency::sweep(c, now - KEPT_FOR).await?)
}
