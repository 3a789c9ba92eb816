//! Logging in and out, and finding who a request comes from: its session or API token.

use dxplan_store::audit::{Actor, NewEvent};
use dxplan_store::units::{self};
use dxplan_store::users::{self, User};
use dxplan_store::{Conn, sessions};

use crate::error::{AppError, AppResult};
use crate::password;
use crate::principal::{CurrentUser, Origin, TokenUse, hash_token, random_token};
use crate::{App, Caller};

pub struct LoggedIn {
    pub user: User,
    /// The session's secret, for the cookie the web layer sets.
    pub session_secret: String,
    pub csrf: String,
}

/// Checks a username and password, throttled per account and address, per address and
/// per account (see [`crate::throttle`]), and starts a session. Failures are audited; the
/// answer never says which half was wrong. `signed_in` is the session the request
/// already carries, if any: one of this very account vouches for the requester.
pub async fn login(
    app: &App,
    origin: &Origin,
    username: &str,
    password_given: &str,
    user_agent: Option<&str>,
    signed_in: Option<&CurrentUser>,
) -> AppResult<LoggedIn> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || password_given.is_empty()
        || username.len() > 200
        || password_given.len() > 1024
        // No account's name holds a NUL, and PostgreSQL would refuse the look-up.
        || username.contains('\0')
    {
        return Err(AppError::BadCredentials);
    }
    let vouched = match signed_in {
        Some(user) if user.token.is_none() && user.username == username => {
            crate::throttle::Vouched::BySession
        }
        _ => crate::throttle::Vouched::No,
    };
    app.throttle
        .attempt(&username, origin.client_addr, vouched)
        .map_err(|wait| AppError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0),
        })?;
    let found = {
        let mut c = app.db.read().await?;
        match users::by_username(&mut c, &username).await? {
            Some(user) => {
                let hash = users::password_hash(&mut c, user.id).await?;
                Some((user, hash))
            }
            None => None,
        }
    };
    // Without an account, still spend the time of a real check so timing tells nothing.
    let stored = found
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| dummy_hash(app));
    let verified = password::verify(password_given.to_string(), stored).await;
    let actor = Actor {
        user_id: found.as_ref().map(|(u, _)| u.id),
        name: username.clone(),
        via: "web",
        client_addr: origin.client_addr.map(|a| a.to_string()),
        request_id: origin.request_id.clone(),
    };
    let caller = Caller { user: None, actor };
    match found {
        Some((user, _)) if verified && user.active => {
            app.throttle.succeeded(&username, origin.client_addr);
            // The session and the record of the login are one change.
            let mut c = app.write(&caller).await?;
            let (session_secret, csrf) =
                start_session(&mut c, app, user.id, origin, user_agent).await?;
            c.commit(NewEvent {
                action: "auth.login",
                entity_type: "user",
                entity_id: Some(user.id.to_string()),
                summary: user.username.clone(),
                before: None,
                after: None,
            })
            .await?;
            Ok(LoggedIn {
                user,
                session_secret,
                csrf,
            })
        }
        _ => {
            let c = app.write(&caller).await?;
            c.commit(NewEvent {
                action: "auth.login_failed",
                entity_type: "user",
                entity_id: caller.actor.user_id.map(|id| id.to_string()),
                summary: username,
                before: None,
                after: None,
            })
            .await?;
            Err(AppError::BadCredentials)
        }
    }
}

fn dummy_hash(app: &App) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            password::hash_now(app.settings.password_cost, "not a password").unwrap_or_default()
        })
        .clone()
}

pub async fn logout(app: &App, caller: &Caller<'_>) -> AppResult<()> {
    let Some(user) = caller.user else {
        return Ok(());
    };
    let mut c = app.write(caller).await?;
    sessions::delete(&mut c, &user.session_hash).await?;
    c.commit(NewEvent {
        action: "auth.logout",
        entity_type: "user",
        entity_id: Some(user.id.to_string()),
        summary: user.username.clone(),
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}

/// Starts a session for a user who just proved who they are; returns the session's
/// secret (for the cookie) and its CSRF token.
async fn start_session(
    c: &mut Conn,
    app: &App,
    user_id: i64,
    origin: &Origin,
    user_agent: Option<&str>,
) -> AppResult<(String, String)> {
    let token = random_token();
    let csrf = random_token();
    let now = app.now();
    let absolute = app.settings.session_absolute;
    sessions::create(
        c,
        &sessions::NewSession {
            id_hash: &hash_token(&token),
            user_id,
            csrf_token: &csrf,
            now,
            expires_at: now + absolute,
            client_addr: origin.client_addr.map(|a| a.to_string()).as_deref(),
            user_agent,
        },
    )
    .await?;
    Ok((token, csrf))
}

/// The owner of a live API token (from `Authorization: Bearer`), with the token's narrower rights; refuses unknown,
/// expired and revoked tokens, and a token used faster than its rate allows.
pub async fn user_of_token(app: &App, secret: &str) -> AppResult<CurrentUser> {
    use crate::error::TokenProblem;
    use dxplan_store::tokens;
    let now = app.now();
    let mut c = app.db.read().await?;
    let Some(token) = tokens::by_hash(&mut c, &hash_token(secret)).await? else {
        return Err(AppError::InvalidToken(TokenProblem::Unknown));
    };
    if token.revoked_at.is_some() {
        return Err(AppError::InvalidToken(TokenProblem::Revoked));
    }
    if token.expires_at <= now {
        return Err(AppError::InvalidToken(TokenProblem::Expired));
    }
    if let Err(wait) = app.token_limiter.attempt(token.id) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let user = users::get(&mut c, token.user_id).await?;
    if !user.active {
        return Err(AppError::InvalidToken(TokenProblem::Revoked));
    }
    let own: Vec<dxplan_domain::auth::Grant> = users::grants(&mut c, user.id)
        .await?
        .iter()
        .map(|g| g.grant())
        .collect();
    let token_lineage = match token.unit_id {
        Some(u) => Some(units::lineage(&mut c, u).await?),
        None => None,
    };
    let mut lineages = std::collections::HashMap::new();
    if token_lineage.is_some() {
        for unit in own.iter().filter_map(|g| g.unit) {
            lineages.insert(unit, units::lineage(&mut c, unit).await?);
        }
    }
    let grants = dxplan_domain::auth::narrow_grants(
        &own,
        token.access == "read",
        token_lineage.as_deref(),
        |u| lineages.get(&u).cloned().unwrap_or_default(),
    );
    // Last use, written at most once a minute to spare the disk.
    if token
        .last_used_at
        .is_none_or(|at| now - at > time::Duration::minutes(1))
    {
        drop(c);
        let mut w = app.housekeeping().await?;
        tokens::touch(&mut w, token.id, now).await?;
        w.commit().await?;
    }
    Ok(CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        unit_id: user.unit_id,
        grants,
        csrf: String::new(),
        session_hash: String::new(),
        token: Some(TokenUse {
            id: token.id,
            name: token.name,
            read_only: token.access == "read",
        }),
    })
}

/// How often a session's last use is written: its idle limit slides by this step.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// The person a session cookie belongs to, while the session holds (not past its expiry,
/// not idle too long). Remembered a few seconds ([`crate::memo`]): a page reads it first.
pub async fn user_of_session(app: &App, id_hash: &str) -> AppResult<Option<CurrentUser>> {
    let now = app.now();
    let idle_since = now - app.settings.session_idle;
    if let Some(seen) = app.memo.sessions.get(&app.memo, id_hash) {
        // Served from memory only while no touch is due (below), so the idle limit
        // keeps sliding as the person works.
        let fresh = seen.last_seen_at > idle_since && now - seen.last_seen_at <= TOUCH_EVERY;
        if seen.expires_at > now && fresh {
            return Ok(Some(seen.user));
        }
        app.memo.forget_session(id_hash);
    }
    let generation = app.memo.generation();
    let mut c = app.db.read().await?;
    let Some(session) = sessions::find(&mut c, id_hash, now, idle_since).await? else {
        return Ok(None);
    };
    let user = users::get(&mut c, session.user_id).await?;
    let grants = users::grants(&mut c, user.id)
        .await?
        .iter()
        .map(|g| g.grant())
        .collect();
    // Sliding idle expiry, written at most once a minute to spare the disk.
    let mut last_seen_at = session.last_seen_at;
    if now - session.last_seen_at > TOUCH_EVERY {
        drop(c);
        let mut w = app.housekeeping().await?;
        sessions::touch(&mut w, id_hash, now).await?;
        w.commit().await?;
        last_seen_at = now;
    }
    let user = CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        unit_id: user.unit_id,
        grants,
        csrf: session.csrf_token,
        session_hash: id_hash.to_string(),
        token: None,
    };
    app.memo.sessions.keep(
        &app.memo,
        generation,
        id_hash.to_string(),
        crate::memo::SeenSession {
            user: user.clone(),
            expires_at: session.expires_at,
            last_seen_at,
        },
    );
    Ok(Some(user))
}

/// Loads the ancestry of a unit for the policy, or 404.
pub async fn unit_lineage(app: &App, unit_id: i64) -> AppResult<Vec<i64>> {
    let mut c = app.db.read().await?;
    Ok(units::lineage(&mut c, unit_id).await?)
}
