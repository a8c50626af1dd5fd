//! Configuration from the environment. Every variable has an embedded default, so the
//! service runs with no server at all; a wrong value stops it at start with a message
//! that names the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use invoice_core::schedule::Tz;
use invoice_messaging::InvoiceReminderPolicy;
use invoice_storage::StoreUrl;

/// Which broker carries events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messaging {
    /// Inside this process (`MESSAGING=inprocess`, the default).
    InProcess,
    /// RabbitMQ at `AMQP_URL`.
    RabbitMq {
        /// `amqp://…`
        url: String,
    },
    /// SQS at `AWS_ENDPOINT_URL` (or AWS).
    Sqs {
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
    },
}

/// Where documents are archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Documents {
    /// A local folder (`DOCUMENTS=fs`, `DOCUMENTS_DIR`, default `./invoice-documents`).
    Fs {
        /// The folder.
        dir: PathBuf,
    },
    /// An S3 bucket (`DOCUMENTS=s3`, `S3_BUCKET`, `AWS_ENDPOINT_URL`).
    S3 {
        /// The bucket.
        bucket: String,
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `DATABASE_URL`, checked: `memory:`, `sqlite:FILE` (the default is
    /// `sqlite:invoice-service.db`) or `postgres://…`, opened by
    /// [`invoice_storage::StoresBuilder`].
    pub database: String,
    /// `SQLITE_EXCLUSIVE=on`: a `sqlite:` database is held for this process alone
    /// (`SqliteStoreBuilder::exclusive`: no other process, backup tools included, opens
    /// the file while the service runs; reads take no file lock). Default off.
    pub sqlite_exclusive: bool,
    /// `MESSAGING`.
    pub messaging: Messaging,
    /// `DOCUMENTS`.
    pub documents: Documents,
    /// How tokens are checked.
    pub auth: Auth,
    /// `JWT_TENANT_CLAIM`: the claim that names the tenant, default `tenant` (a dotted
    /// name reads a nested object).
    pub tenant_claim: String,
    /// `SCHEDULE_INTERVAL`: seconds between runs of the recurring invoice generator,
    /// default 60; `0` turns it off (another instance or process generates).
    pub schedule_interval: Option<std::time::Duration>,
    /// The automatic reminders of issued invoices, unless `INVOICE_REMINDERS=off`.
    pub invoice_reminders: Option<InvoiceRemindersConfig>,
    /// `OIDC_CLIENT_ID`: the dashboard's client at the identity provider (a public client:
    /// authorization code flow with PKCE, redirect URI the dashboard's `/`). Only with
    /// `JWT_JWKS_URL`; without it the dashboard signs in with a pasted token only.
    pub oidc_client_id: Option<String>,
}

/// Where and when the automatic reminders of issued invoices are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRemindersConfig {
    /// `REMINDER_QUEUE`, default `invoice-service-reminders`: the queue of invoice events
    /// the instances share to make them.
    pub queue: String,
    /// `REMINDER_DAYS_BEFORE` (default 3) and `REMINDER_TIME_ZONE` (default `UTC`): "due
    /// soon" that many days before the due date, "overdue" the day after, at 09:00 in
    /// the zone.
    pub policy: InvoiceReminderPolicy,
}

/// How the service checks bearer tokens.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HS256 with `JWT_SECRET` (at least 16 characters).
    Secret(String),
    /// HS256 with a random secret made at start, because neither `JWT_SECRET` nor
    /// `JWT_JWKS_URL` is set: the service prints a development token signed with it, and
    /// refuses to start unless `BIND` is a loopback address.
    Development(String),
    /// OIDC: keys from `JWT_JWKS_URL`, tokens for `JWT_ISSUER` and `JWT_AUDIENCE`.
    Jwks {
        /// The JWKS endpoint.
        url: String,
        /// The expected `iss`.
        issuer: String,
        /// The expected `aud`.
        audience: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach a log.
        match self {
            Self::Secret(_) => f.write_str("Secret(..)"),
            Self::Development(_) => f.write_str("Development(..)"),
            Self::Jwks {
                url,
                issuer,
                audience,
            } => f
                .debug_struct("Jwks")
                .field("url", url)
                .field("issuer", issuer)
                .field("audience", audience)
                .finish(),
        }
    }
}

impl Auth {
    /// The HS256 secret, when tokens are checked with one.
    pub fn secret(&self) -> Option<&str> {
        match self {
            Self::Secret(s) | Self::Development(s) => Some(s),
            Self::Jwks { .. } => None,
        }
    }
}

/// 256 random bits as hex, from the operating system's generator (through UUID v4).
fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Config {
    /// Reads the configuration through `var` (the process environment in `main`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let bind: SocketAddr = var("BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .context("BIND must be an address such as 127.0.0.1:8080")?;
        let database =
            var("DATABASE_URL").unwrap_or_else(|| "sqlite:invoice-service.db".to_owned());
        StoreUrl::parse(&database).context("DATABASE_URL")?;
        let sqlite_exclusive = match var("SQLITE_EXCLUSIVE").as_deref() {
            None | Some("off") => false,
            Some("on") => true,
            Some(other) => bail!("SQLITE_EXCLUSIVE {other:?}: expected on or off"),
        };
        let messaging = match var("MESSAGING").as_deref() {
            None | Some("inprocess") => Messaging::InProcess,
            Some("rabbitmq") => Messaging::RabbitMq {
                url: var("AMQP_URL").context("MESSAGING=rabbitmq needs AMQP_URL")?,
            },
            Some("sqs") => Messaging::Sqs {
                endpoint: var("AWS_ENDPOINT_URL"),
            },
            Some(other) => bail!("MESSAGING {other:?}: expected inprocess, rabbitmq or sqs"),
        };
        let documents = match var("DOCUMENTS").as_deref() {
            None | Some("fs") => Documents::Fs {
                dir: var("DOCUMENTS_DIR")
                    .unwrap_or_else(|| "invoice-documents".to_owned())
                    .into(),
            },
            Some("s3") => Documents::S3 {
                bucket: var("S3_BUCKET").context("DOCUMENTS=s3 needs S3_BUCKET")?,
                endpoint: var("AWS_ENDPOINT_URL"),
            },
            Some(other) => bail!("DOCUMENTS {other:?}: expected fs or s3"),
        };
        let auth = match (var("JWT_SECRET"), var("JWT_JWKS_URL")) {
            (Some(_), Some(_)) => bail!("set JWT_SECRET or JWT_JWKS_URL, not both"),
            (Some(secret), None) if secret.len() >= 16 => Auth::Secret(secret),
            (Some(_), None) => bail!("JWT_SECRET must be at least 16 characters"),
            (None, Some(url)) => Auth::Jwks {
                url,
                issuer: var("JWT_ISSUER").context("JWT_JWKS_URL needs JWT_ISSUER")?,
                audience: var("JWT_AUDIENCE").context("JWT_JWKS_URL needs JWT_AUDIENCE")?,
            },
            (None, None) if bind.ip().is_loopback() => Auth::Development(random_secret()),
            (None, None) => bail!(
                "BIND {bind} is not a loopback address: set JWT_SECRET or JWT_JWKS_URL \
                 (the random development secret is for 127.0.0.1 only)"
            ),
        };
        let oidc_client_id = var("OIDC_CLIENT_ID");
        match (&oidc_client_id, &auth) {
            (Some(id), _) if id.trim().is_empty() => bail!("OIDC_CLIENT_ID is empty"),
            (Some(_), Auth::Secret(_) | Auth::Development(_)) => bail!(
                "OIDC_CLIENT_ID needs JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE: the \
                 dashboard signs in at the provider whose tokens the service checks"
            ),
            _ => {}
        }
        let tenant_claim = var("JWT_TENANT_CLAIM").unwrap_or_else(|| "tenant".to_owned());
        if tenant_claim.is_empty() || tenant_claim.split('.').any(str::is_empty) {
            bail!("JWT_TENANT_CLAIM {tenant_claim:?}: expected a claim name such as tenant or org.tenant");
        }
        let schedule_interval = match var("SCHEDULE_INTERVAL") {
            None => Some(std::time::Duration::from_secs(60)),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(seconds) => Some(std::time::Duration::from_secs(seconds)),
                Err(_) => bail!(
                    "SCHEDULE_INTERVAL {text:?}: expected whole seconds such as 60, or 0 for off"
                ),
            },
        };
        let invoice_reminders = match var("INVOICE_REMINDERS").as_deref() {
            None | Some("on") => Some(InvoiceRemindersConfig {
                queue: var("REMINDER_QUEUE")
                    .unwrap_or_else(|| "invoice-service-reminders".to_owned()),
                policy: reminder_policy(&var)?,
            }),
            Some("off") => None,
            Some(other) => bail!("INVOICE_REMINDERS {other:?}: expected on or off"),
        };
        if invoice_reminders
            .as_ref()
            .is_some_and(|r| r.queue.is_empty())
        {
            bail!("REMINDER_QUEUE must not be empty");
        }
        Ok(Self {
            bind,
            database,
            sqlite_exclusive,
            messaging,
            documents,
            auth,
            tenant_claim,
            schedule_interval,
            invoice_reminders,
            oidc_client_id,
        })
    }
}

/// `REMINDER_DAYS_BEFORE` and `REMINDER_TIME_ZONE`, at 09:00.
fn reminder_policy(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<InvoiceReminderPolicy> {
    let days_before = match var("REMINDER_DAYS_BEFORE") {
        None => 3,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= 365)
            .with_context(|| format!("REMINDER_DAYS_BEFORE {text:?}: expected 0 to 365"))?,
    };
    let zone = var("REMINDER_TIME_ZONE").unwrap_or_else(|| "UTC".to_owned());
    let time_zone: Tz = zone.parse().map_err(|_| {
        anyhow::anyhow!("REMINDER_TIME_ZONE {zone:?}: expected an IANA zone such as Europe/Berlin")
    })?;
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).context("09:00")?;
    Ok(InvoiceReminderPolicy::new(days_before, nine, time_zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        Config::from_env(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_need_no_server() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database, "sqlite:invoice-service.db");
        assert!(!c.sqlite_exclusive);
        assert!(
            config(&[("SQLITE_EXCLUSIVE", "on")])
                .unwrap()
                .sqlite_exclusive
        );
        assert!(
            !config(&[("SQLITE_EXCLUSIVE", "off")])
                .unwrap()
                .sqlite_exclusive
        );
        assert_eq!(c.messaging, Messaging::InProcess);
        assert!(matches!(c.documents, Documents::Fs { .. }));
        assert!(matches!(c.auth, Auth::Development(_)));
    }

    #[test]
    fn the_development_secret_is_random_and_loopback_only() {
        let (a, b) = (config(&[]).unwrap().auth, config(&[]).unwrap().auth);
        assert_ne!(a.secret(), b.secret());
        assert!(a.secret().is_some_and(|s| s.len() == 64));
        assert!(
            format!("{a:?}").ends_with("(..)"),
            "secrets are not printed"
        );
        let err = config(&[("BIND", "0.0.0.0:8080")]).unwrap_err();
        assert!(
            format!("{err:#}").contains("JWT_SECRET or JWT_JWKS_URL"),
            "{err:#}"
        );
        let c = config(&[
            ("BIND", "0.0.0.0:8080"),
            ("JWT_SECRET", "sixteen-or-more-chars"),
        ]);
        assert_eq!(c.unwrap().auth.secret(), Some("sixteen-or-more-chars"));
        let c = config(&[("BIND", "[::1]:8080")]).unwrap();
        assert!(matches!(c.auth, Auth::Development(_)));
    }

    #[test]
    fn invoice_reminders_are_on_by_default_and_read_their_variables() {
        let on = config(&[]).unwrap().invoice_reminders.unwrap();
        assert_eq!(on.queue, "invoice-service-reminders");
        assert_eq!(on.policy, InvoiceReminderPolicy::default());
        let set = config(&[
            ("REMINDER_QUEUE", "mine"),
            ("REMINDER_DAYS_BEFORE", "5"),
            ("REMINDER_TIME_ZONE", "Europe/Paris"),
        ])
        .unwrap()
        .invoice_reminders
        .unwrap();
        assert_eq!(set.queue, "mine");
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(set.policy, InvoiceReminderPolicy::new(5, nine, paris));
        assert!(config(&[("INVOICE_REMINDERS", "off")])
            .unwrap()
            .invoice_reminders
            .is_none());
        for (vars, needle) in [
            (vec![("SQLITE_EXCLUSIVE", "yes")], "SQLITE_EXCLUSIVE"),
            (vec![("INVOICE_REMINDERS", "yes")], "INVOICE_REMINDERS"),
            (vec![("REMINDER_DAYS_BEFORE", "-2")], "REMINDER_DAYS_BEFORE"),
            (
                vec![("REMINDER_TIME_ZONE", "Mars/Olympus")],
                "REMINDER_TIME_ZONE",
            ),
            (vec![("REMINDER_QUEUE", "")], "REMINDER_QUEUE"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }

    #[test]
    fn the_schedule_interval_is_seconds_or_off() {
        assert_eq!(
            config(&[]).unwrap().schedule_interval,
            Some(std::time::Duration::from_secs(60))
        );
        assert_eq!(
            config(&[("SCHEDULE_INTERVAL", "5")])
                .unwrap()
                .schedule_interval,
            Some(std::time::Duration::from_secs(5))
        );
        assert_eq!(
            config(&[("SCHEDULE_INTERVAL", "0")])
                .unwrap()
                .schedule_interval,
            None
        );
        let err = config(&[("SCHEDULE_INTERVAL", "1m")]).unwrap_err();
        assert!(format!("{err:#}").contains("SCHEDULE_INTERVAL"), "{err:#}");
    }

    #[test]
    fn jwks_needs_issuer_and_audience() {
        let url = ("JWT_JWKS_URL", "https://idp.example/jwks");
        let c = config(&[
            url,
            ("JWT_ISSUER", "https://idp.example"),
            ("JWT_AUDIENCE", "invoices"),
        ]);
        assert!(matches!(c.unwrap().auth, Auth::Jwks { .. }));
        for (vars, needle) in [
            (vec![url], "JWT_ISSUER"),
            (vec![url, ("JWT_ISSUER", "i")], "JWT_AUDIENCE"),
            (
                vec![url, ("JWT_SECRET", "sixteen-or-more-chars")],
                "not both",
            ),
            (vec![("JWT_TENANT_CLAIM", "org.")], "JWT_TENANT_CLAIM"),
            (
                vec![("OIDC_CLIENT_ID", "dashboard")],
                "OIDC_CLIENT_ID needs JWT_JWKS_URL",
            ),
            (
                vec![
                    url,
                    ("JWT_ISSUER", "i"),
                    ("JWT_AUDIENCE", "a"),
                    ("OIDC_CLIENT_ID", " "),
                ],
                "OIDC_CLIENT_ID is empty",
            ),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (vars, needle) in [
            (vec![("MESSAGING", "kafka")], "MESSAGING"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("DOCUMENTS", "ftp")], "DOCUMENTS"),
            (vec![("MESSAGING", "rabbitmq")], "AMQP_URL"),
            (vec![("BIND", "nowhere")], "BIND"),
            (vec![("JWT_SECRET", "short")], "JWT_SECRET"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }
}
