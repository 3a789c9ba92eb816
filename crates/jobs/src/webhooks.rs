//! Webhook delivery from the durable outbox: each delivery is POSTed with its event type,
//! id and a timestamp, signed with HMAC-SHA256 over `"{timestamp}.{body}"` with the
//! endpoint's secret; failures are retried with exponential backoff, and the attempt is
//! recorded either way, so a restart picks up exactly where it stopped.

use std::net::SocketAddr;
use std::time::Duration;

use dxplan_app::App;
use dxplan_app::error::AppError;
use dxplan_app::jobs::{self, Delivery, DeliveryOutcome, Webhook};
use dxplan_domain::webhook::allowed;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Makes ring the process's TLS crypto provider (reqwest is built without one, so that
/// no second crypto library is compiled). Call before building any HTTP client; calling
/// again is harmless.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The signature a receiver recomputes: hex HMAC-SHA256 of `"{timestamp}.{body}"`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Tries every due delivery once: (delivered, given up).
pub async fn deliver_due(app: &App, now: OffsetDateTime) -> Result<(usize, usize), AppError> {
    let (mut delivered, mut failed) = (0, 0);
    for (delivery, hook) in jobs::due_deliveries(app, now).await? {
        let result = if hook.active {
            send(&hook, &delivery, now).await
        } else {
            Err((None, "endpoint removed".to_string()))
        };
        match jobs::record_delivery(app, &delivery, hook.active, result, now).await? {
            DeliveryOutcome::Delivered => delivered += 1,
            DeliveryOutcome::GaveUp => failed += 1,
            DeliveryOutcome::Retry => {}
        }
    }
    Ok((delivered, failed))
}

/// One POST: the response code when it was 2xx, else the code (if any) and why.
async fn send(
    hook: &Webhook,
    d: &Delivery,
    now: OffsetDateTime,
) -> Result<i64, (Option<i64>, String)> {
    let url = reqwest::Url::parse(&hook.url).map_err(|e| (None, format!("url: {e}")))?;
    let host = url
        .host_str()
        .ok_or((None, "url has no host".to_string()))?
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    // Resolve here and connect only to an address that passed the check: a name that
    // resolved to a public address at registration cannot be re-pointed inward later,
    // and the client is pinned to the address judged (no second look-up of its own).
    let lookup_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((lookup_host.as_str(), port))
        .await
        .map_err(|e| (None, format!("dns: {e}")))?
        .collect();
    let Some(addr) = addrs
        .iter()
        .copied()
        .find(|a| allowed(a.ip(), hook.allow_private))
    else {
        return Err((None, "address not allowed".to_string()));
    };
    install_crypto();
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would resolve and connect by itself, to an
        // address nobody checked.
        .no_proxy()
        .resolve(&lookup_host, addr)
        .build()
        .map_err(|e| (None, format!("client: {e}")))?;
    let timestamp = now.unix_timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "dxplan-webhooks/1")
        .header("x-dxplan-event", &d.event_type)
        .header("x-dxplan-delivery", d.id.to_string())
        .header("x-dxplan-timestamp", timestamp.to_string())
        .header(
            "x-dxplan-signature",
            format!("sha256={}", signature(&hook.secret, timestamp, &d.payload)),
        )
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| (None, format!("send: {e}")))?;
    let code = i64::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(code)
    } else {
        Err((Some(code), format!("HTTP {code}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231 test case 2's key and message, with the timestamp prefix as sent.
        let s = signature("Jefe", 1_700_000_000, "what do ya want for nothing?");
        assert_eq!(s.len(), 64);
        assert_ne!(
            s,
            signature("Jefe", 1_700_000_001, "what do ya want for nothing?")
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"1700000000.what do ya want for nothing?");
        assert_eq!(s, hex::encode(mac.finalize().into_bytes()));
    }
}
