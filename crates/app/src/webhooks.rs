//! Webhooks: an administrator registers endpoints for event types; events are queued in
//! the same transaction as the change they report (`emit`), and `dxplan_jobs` delivers
//! them, signed and retried.

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::webhook::{AddressClass, EventType, classify};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::webhooks::{self, NewWebhook};

pub use dxplan_store::webhooks::{Delivery, Webhook};
use dxplan_store::{Conn, StoreError};

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::random_token;

/// Queues `event` with `data` for every subscribed endpoint, in the caller's transaction.
pub async fn emit(
    c: &mut Conn,
    event: EventType,
    data: Value,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let payload = dxplan_domain::webhook::envelope(event, &random_token(), &stamp, data);
    webhooks::enqueue(c, event.as_str(), &payload, now).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
    /// Allow an address inside a private network (the LGSP on the government network).
    #[serde(default)]
    pub allow_private: bool,
}

/// A new endpoint and its signing secret, shown this once.
pub struct Registered {
    pub webhook: Webhook,
    pub secret: String,
}

fn require_admin(caller: &Caller<'_>) -> AppResult<()> {
    if let Some(user) = caller.user
        && !user.may(Action::ManageUsers, Target::System)
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Checks a target: http(s), a host, no credentials in the URL, and every address it
/// resolves to allowed (never a metadata service; private ranges only when allowed).
async fn check_url(url: &str, allow_private: bool) -> Result<String, Invalid> {
    let url = url.trim();
    let uri: http::Uri = url.parse().map_err(|_| Invalid::BadFormat)?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if !matches!(scheme, "http" | "https") || url.chars().count() > 2000 {
        return Err(Invalid::BadFormat);
    }
    let authority = uri.authority().ok_or(Invalid::BadFormat)?;
    if authority.as_str().contains('@') {
        return Err(Invalid::BadFormat);
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = authority
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| Invalid::UnknownHost)?
        .collect();
    if addrs.is_empty() {
        return Err(Invalid::UnknownHost);
    }
    for a in &addrs {
        match classify(a.ip()) {
            AddressClass::Metadata => return Err(Invalid::ForbiddenAddress),
            AddressClass::Private if !allow_private => return Err(Invalid::ForbiddenAddress),
            _ => {}
        }
    }
    Ok(url.to_string())
}

pub async fn register(
    app: &App,
    caller: &Caller<'_>,
    input: &WebhookInput,
) -> AppResult<Registered> {
    require_admin(caller)?;
    let mut errors = Vec::new();
    let url = match check_url(&input.url, input.allow_private).await {
        Ok(url) => url,
        Err(invalid) => {
            errors.push(FieldError::new("url", invalid));
            String::new()
        }
    };
    let mut events = Vec::new();
    for e in &input.events {
        match EventType::parse(e) {
            Some(e) if !events.contains(&e.as_str()) => events.push(e.as_str()),
            Some(_) => {}
            None => errors.push(FieldError::new("events", Invalid::BadFormat)),
        }
    }
    if input.events.is_empty() {
        errors.push(FieldError::new("events", Invalid::Required));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let secret = format!("whsec_{}", random_token());
    let now = app.now();
    let mut c = app.write(caller).await?;
    let id = webhooks::insert(
        &mut c,
        &NewWebhook {
            url: &url,
            events: &events.join(","),
            secret: &secret,
            allow_private: input.allow_private,
            created_by: &caller.actor.name,
        },
        now,
    )
    .await?;
    let webhook = webhooks::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "webhook.create",
        entity_type: "webhook",
        entity_id: Some(id.to_string()),
        summary: format!("{url}: {}", events.join(", ")),
        before: None,
        after: Some(json!(webhook)),
    })
    .await?;
    Ok(Registered { webhook, secret })
}

pub async fn list(app: &App, caller: &Caller<'_>) -> AppResult<Vec<Webhook>> {
    require_admin(caller)?;
    let mut c = app.db.read().await?;
    Ok(webhooks::list(&mut c).await?)
}

/// An endpoint and its latest deliveries (status, response code, attempts).
pub async fn deliveries(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
) -> AppResult<(Webhook, Vec<Delivery>)> {
    require_admin(caller)?;
    let mut c = app.db.read().await?;
    let hook = webhooks::get(&mut c, id).await?;
    let list = webhooks::deliveries(&mut c, id, 200).await?;
    Ok((hook, list))
}

/// Removes an endpoint: nothing more is sent to it.
pub async fn remove(app: &App, caller: &Caller<'_>, id: i64) -> AppResult<Webhook> {
    require_admin(caller)?;
    let mut c = app.write(caller).await?;
    let before = webhooks::get(&mut c, id).await?;
    webhooks::deactivate(&mut c, id, app.now()).await?;
    let after = webhooks::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "webhook.remove",
        entity_type: "webhook",
        entity_id: Some(id.to_string()),
        summary: before.url.clone(),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}
