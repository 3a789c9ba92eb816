//! Sending e-mail: a small trait, and its SMTP implementation.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One message to send.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// A stable id, so a receiving server can drop a duplicate after a crash mid-send.
    pub message_id: String,
}

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Anything that delivers mail (tests may count instead).
pub trait Mailer: Send + Sync {
    fn send<'a>(&'a self, mail: &'a Mail<'a>) -> SendResult<'a>;
}

/// How to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub from: String,
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<SmtpMailer, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("sender address {:?}: {e}", config.from))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(Duration::from_secs(20)));
        let tls = || TlsParameters::new(config.host.clone()).map_err(|e| format!("TLS: {e}"));
        builder = match config.security.as_str() {
            "none" => builder.tls(Tls::None),
            "starttls" => builder.tls(Tls::Required(tls()?)),
            "tls" => builder.tls(Tls::Wrapper(tls()?)),
            other => {
                return Err(format!(
                    "unknown SMTP security {other:?}: use none, starttls or tls"
                ));
            }
        };
        if let (Some(user), Some(pass)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a Mail<'a>) -> SendResult<'a> {
        Box::pin(async move {
            let to: Mailbox = mail
                .to
                .parse()
                .map_err(|e| format!("recipient {:?}: {e}", mail.to))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject)
                .message_id(Some(mail.message_id.clone()))
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body.to_string())
                .map_err(|e| format!("building the message: {e}"))?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
