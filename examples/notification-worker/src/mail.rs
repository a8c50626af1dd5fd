//! Sending mail: the [`Mailer`] trait, plain SMTP through lettre, and a mailer that only
//! logs (the default, so that the worker runs with no mail server).

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One plain-text e-mail to one recipient (and optionally a copy to another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// A second address, in copy.
    pub cc: Option<String>,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
    /// The `Message-ID` (with its angle brackets), when the sender fixes it so that a
    /// copy sent again is recognisably the same mail; else the mailer makes one.
    pub message_id: Option<String>,
}

impl Mail {
    /// A mail to `to`, without copy or fixed message id.
    pub fn new(to: impl Into<String>, subject: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            cc: None,
            subject: subject.into(),
            body: body.into(),
            message_id: None,
        }
    }
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The recipient's address cannot be parsed: retrying will not help.
    #[error("invalid recipient address {address:?}")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// Why it was refused.
        source: lettre::address::AddressError,
    },
    /// The mail could not be put together (a header lettre refuses).
    #[error("cannot build the mail")]
    Build {
        /// lettre's error.
        source: lettre::error::Error,
    },
    /// The server refused the mail for good (a 5xx reply).
    #[error("the SMTP server refused the mail")]
    Refused {
        /// lettre's error, with the server's reply.
        source: lettre::transport::smtp::Error,
    },
    /// The server could not be reached or answered 4xx: worth another try.
    #[error("the SMTP server is unavailable")]
    Unavailable {
        /// lettre's error.
        source: lettre::transport::smtp::Error,
    },
}

impl MailError {
    /// Whether sending again cannot succeed (so a delivery should be dead-lettered).
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::Unavailable { .. })
    }
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Debug + Send + Sync + 'static {
    /// Sends `mail`; returns once the server has accepted it.
    ///
    /// # Errors
    ///
    /// [`MailError`], which says whether a retry can help.
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

/// Mail over SMTP, without TLS or authentication (a relay on this host or a test sink).
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for the server at `host:port`, sending as `from`, in plain text without
    /// TLS or AUTH. Connections are pooled and each SMTP command times out after 10 s.
    pub fn new(host: &str, port: u16, from: Mailbox) -> Self {
        // "Dangerous" is lettre's word for no TLS: right for a relay on this host or a
        // test sink, which offers no STARTTLS.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Self { transport, from }
    }

    /// Checks that the server answers (EHLO and NOOP), so that a wrong `SMTP_URL` shows at
    /// start rather than at the first event.
    ///
    /// # Errors
    ///
    /// lettre's error when the server cannot be reached.
    pub async fn check(&self) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.test_connection().await.map(|_| ())
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|source| MailError::InvalidAddress {
                address: mail.to.clone(),
                source,
            })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .message_id(mail.message_id.clone());
        if let Some(cc) = &mail.cc {
            builder = builder.cc(cc.parse().map_err(|source| MailError::InvalidAddress {
                address: cc.clone(),
                source,
            })?);
        }
        let message = builder
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|source| MailError::Build { source })?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(source) if source.is_permanent() => Err(MailError::Refused { source }),
            Err(source) => Err(MailError::Unavailable { source }),
        }
    }
}

/// Writes each mail to the log instead of sending it (`SMTP_URL` unset).
#[derive(Debug, Clone, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        tracing::info!(to = %mail.to, cc = ?mail.cc, subject = %mail.subject, body = ?mail.body, "mail (not sent: SMTP_URL is unset)");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn check<E: std::error::Error + Send + Sync + 'static>() {}
        check::<MailError>();
    }

    #[tokio::test]
    async fn a_bad_recipient_is_permanent() {
        let mailer = SmtpMailer::new("127.0.0.1", 1, "a@localhost".parse().unwrap());
        let mail = Mail::new("not an address", "s", "b");
        let err = mailer.send(&mail).await.unwrap_err();
        assert!(matches!(err, MailError::InvalidAddress { .. }), "{err}");
        assert!(err.is_permanent());
    }

    #[tokio::test]
    async fn an_unreachable_server_is_worth_a_retry() {
        // Port 1 on the loopback: nothing listens there, the connection is refused.
        let mailer = SmtpMailer::new("127.0.0.1", 1, "a@localhost".parse().unwrap());
        let mail = Mail::new("b@localhost", "s", "b");
        let err = mailer.send(&mail).await.unwrap_err();
        assert!(!err.is_permanent(), "{err}");
        assert!(mailer.check().await.is_err());
    }
}
