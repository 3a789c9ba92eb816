//! Urgent notices by text message — SMS, or Zalo's notification service (ZNS) — to a
//! mobile number: a small trait a provider implements, and one implementation that hands
//! each message to the province's gateway over HTTP, so no provider's API is built in.
//!
//! The gateway receives `POST` with a JSON body `{"id": "outbox-12", "to": "+84905123456",
//! "text": "…"}` and, when configured, `Authorization: Bearer <token>`; any 2xx is
//! delivered, anything else is tried again later with the outbox's back-off. `id` is
//! stable across retries, so the gateway can drop a duplicate.

use std::time::Duration;

use crate::mail::SendResult;

/// One text message to send.
pub struct Text<'a> {
    /// `+84905123456`.
    pub to: &'a str,
    pub body: &'a str,
    /// Stable across retries of the same message.
    pub id: String,
}

/// Anything that delivers text messages (tests may count instead).
pub trait TextMessenger: Send + Sync {
    fn send<'a>(&'a self, text: &'a Text<'a>) -> SendResult<'a>;
}

/// The province's SMS or Zalo gateway, reached over HTTP(S).
pub struct HttpTextGateway {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpTextGateway {
    pub fn new(url: &str, token: Option<String>) -> Result<HttpTextGateway, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "text gateway {url:?}: an http:// or https:// address"
            ));
        }
        crate::webhooks::install_crypto();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| format!("text gateway client: {e}"))?;
        Ok(HttpTextGateway {
            client,
            url: url.to_string(),
            token: token.filter(|t| !t.is_empty()),
        })
    }
}

impl TextMessenger for HttpTextGateway {
    fn send<'a>(&'a self, text: &'a Text<'a>) -> SendResult<'a> {
        Box::pin(async move {
            let body = serde_json::json!({"id": text.id, "to": text.to, "text": text.body});
            let mut request = self.client.post(&self.url).json(&body);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| format!("gateway: {e}"))?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(format!("gateway answered {}", response.status()))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_http_gateway_is_taken() {
        for bad in [
            "ftp://sms.local/send",
            "sms.local",
            "",
            "javascript:alert(1)",
        ] {
            assert!(HttpTextGateway::new(bad, None).is_err(), "{bad}");
        }
        assert!(HttpTextGateway::new("http://10.0.0.5/zalo", Some(String::new())).is_ok());
    }
}
