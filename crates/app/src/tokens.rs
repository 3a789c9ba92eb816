//! API tokens: a user makes tokens for machine clients, each with a name, an expiry and a
//! subset of the user's own rights; the secret is shown once and stored hashed.

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::tokens::{self, NewToken};

pub use dxplan_store::tokens::Token;
use dxplan_store::units;

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::{CurrentUser, hash_token, random_token};

/// The longest a token lives: a year, then its owner makes a new one.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInput {
    #[serde(default)]
    pub name: String,
    /// Days from today until the token stops working (1–366).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    /// `read` or `read_write`.
    #[serde(default)]
    pub access: String,
    /// The unit (code or name) whose subtree the token is narrowed to.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A new token and its secret, which is never shown again.
pub struct Created {
    pub token: Token,
    pub secret: String,
}

pub async fn create(app: &App, caller: &Caller<'_>, input: &TokenInput) -> AppResult<Created> {
    let user = caller.person()?;
    let mut errors = Vec::new();
    let name = required_text("name", &input.name, 100, &mut errors);
    let days = input.expires_in_days.unwrap_or(90);
    if !(1..=MAX_DAYS).contains(&days) {
        errors.push(FieldError::new(
            "expires_in_days",
            Invalid::OutOfRange {
                min: 1,
                max: MAX_DAYS,
            },
        ));
    }
    let access = match input.access.trim() {
        "read" | "" => "read",
        "read_write" => "read_write",
        _ => {
            errors.push(FieldError::new("access", Invalid::BadFormat));
            "read"
        }
    };
    let mut c = app.write(caller).await?;
    let unit = match input
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => None,
        // By code or name; only within what the owner may already see.
        Some(code) => match super::pickers::find_named(&mut c, code, app.today())
            .await?
            .ok()
        {
            Some(u) => {
                let lineage = units::lineage(&mut c, u.id).await?;
                if user.may(Action::ViewUnits, Target::Unit(&lineage)) {
                    Some(u.id)
                } else {
                    errors.push(FieldError::new("unit", Invalid::UnknownUnit));
                    None
                }
            }
            None => {
                errors.push(FieldError::new("unit", Invalid::UnknownUnit));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let secret = format!("dxp_{}", random_token());
    let now = app.now();
    let id = tokens::insert(
        &mut c,
        &NewToken {
            user_id: user.id,
            name: &name,
            token_hash: &hash_token(&secret),
            prefix: &secret[..12],
            access,
            unit_id: unit,
            expires_at: now + time::Duration::days(days),
        },
        now,
    )
    .await?;
    let token = tokens::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "token.create",
        entity_type: "api_token",
        entity_id: Some(id.to_string()),
        summary: format!("{name} ({access}), {} ngày", days),
        before: None,
        after: Some(json!(token)),
    })
    .await?;
    Ok(Created { token, secret })
}

/// The caller's own tokens, or everyone's for a system administrator who asks.
pub async fn list(app: &App, user: &CurrentUser, all: bool) -> AppResult<Vec<Token>> {
    if all && !user.is_system_admin() {
        return Err(AppError::Forbidden);
    }
    let mut c = app.db.read().await?;
    Ok(tokens::list(&mut c, (!all).then_some(user.id)).await?)
}

/// Revokes a token: its owner's, or any for a system administrator.
pub async fn revoke(app: &App, caller: &Caller<'_>, id: i64) -> AppResult<Token> {
    let user = caller.person()?;
    let mut c = app.write(caller).await?;
    let token = tokens::get(&mut c, id).await?;
    if token.user_id != user.id && !user.is_system_admin() {
        // Someone else's token is none of the caller's business: as if it did not exist.
        return Err(AppError::NotFound);
    }
    if !tokens::revoke(&mut c, id, &user.username, app.now()).await? {
        return Err(AppError::conflict(
            "already_revoked",
            "Mã truy cập đã bị thu hồi trước đó.",
            "The token was already revoked.",
        ));
    }
    let after = tokens::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "token.revoke",
        entity_type: "api_token",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", token.name, token.username),
        before: Some(json!(token)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}
