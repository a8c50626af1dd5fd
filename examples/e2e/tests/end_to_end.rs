//! invoice-service, notification-worker and export-worker as three processes on
//! PostgreSQL, RabbitMQ, S3 (moto) and the SMTP sink: an invoice of tenant A created,
//! issued and paid in full is mailed once per event, archived in deep archive, pushed to
//! tenant A's WebSocket clients only, and invisible to tenant B.
//!
//! The binaries must be built beside this test: `cargo build -p invoice-service -p
//! notification-worker -p export-worker`, with the same profile and target folder. Set
//! `DATABASE_URL`, `AMQP_URL`, `AWS_ENDPOINT_URL`, `SMTP_URL` and `SMTP_MAILDIR`, as
//! `.ci/services.sh` does; with any unset, the test is skipped by name.
//!
//! Every run uses names of its own, so that runs (and other tests) can share the servers:
//! a PostgreSQL schema (passed to the processes as the connection's `search_path`), two
//! tenants, the buyer's e-mail address, the S3 bucket and the workers' RabbitMQ queues.
//! The schema and the queues are removed at the end, also when the test fails.

use std::fs::File;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use invoice_messaging::RabbitMqBroker;
use invoice_storage::testing::require_env;
use invoice_storage::{DocumentKey, DocumentStore, PostgresStore, S3DocumentStore, StorageClass};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// How long anything may take to show up: a process to start, a mail, an archive, an
/// event on a WebSocket.
const DEADLINE: Duration = Duration::from_secs(60);

/// How often a condition is polled.
const POLL: Duration = Duration::from_millis(100);

/// How long to keep watching, once everything expected has arrived, for what must not
/// arrive: a second copy of a mail, an event on the wrong tenant's socket. Absence has no
/// event to wait for; a duplicate would come from a redelivery, which RabbitMQ makes as
/// soon as a delivery is nacked or its consumer's channel closes.
const QUIET: Duration = Duration::from_secs(3);

/// The HS256 secret the service is started with; tokens are minted with it here.
const JWT_SECRET: &str = "e2e-secret-not-for-production";

/// The URLs of the servers, from the environment.
struct Servers {
    database_url: String,
    amqp_url: String,
    aws_endpoint_url: String,
    smtp_url: String,
    smtp_maildir: PathBuf,
}

impl Servers {
    fn from_env(test: &str) -> Option<Self> {
        Some(Self {
            database_url: require_env("DATABASE_URL", test)?,
            amqp_url: require_env("AMQP_URL", test)?,
            aws_endpoint_url: require_env("AWS_ENDPOINT_URL", test)?,
            smtp_url: require_env("SMTP_URL", test)?,
            smtp_maildir: require_env("SMTP_MAILDIR", test)?.into(),
        })
    }
}

/// The names of one run.
struct Run {
    schema: String,
    tenant_a: String,
    tenant_b: String,
    email: String,
    bucket: String,
    notification_queue: String,
    export_queue: String,
}

impl Run {
    fn fresh() -> Self {
        let id = Uuid::new_v4().simple().to_string();
        Self {
            schema: format!("e2e_{id}"),
            tenant_a: format!("e2e-a-{id}"),
            tenant_b: format!("e2e-b-{id}"),
            email: format!("buyer-{id}@example.com"),
            bucket: format!("e2e-{id}"),
            notification_queue: format!("e2e-{id}-notification-worker"),
            export_queue: format!("e2e-{id}-export-worker"),
        }
    }
}

/// `url` with the connection's `search_path` set to `schema`, as libpq's `options`
/// parameter does it: the processes then keep every table in that schema.
fn url_with_schema(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}

/// A binary of the workspace, built beside this test: the test runs from
/// `<target>/<profile>/deps/`, the binaries sit in `<target>/<profile>/`.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: build the binaries first, with the profile and target folder of \
         this test: cargo build -p invoice-service -p notification-worker -p export-worker",
        path.display()
    );
    path
}

/// A port nobody listens on now (the service binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every variable any of the three processes reads: none is inherited from the test's
/// environment, each process gets exactly the ones it is given.
const CONFIG_VARS: [&str; 14] = [
    "BIND",
    "DATABASE_URL",
    "MESSAGING",
    "AMQP_URL",
    "QUEUE_NAME",
    "DOCUMENTS",
    "DOCUMENTS_DIR",
    "S3_BUCKET",
    "AWS_ENDPOINT_URL",
    "JWT_SECRET",
    "SMTP_URL",
    "MAIL_FROM",
    "REMINDER_DAYS_BEFORE",
    "REMINDER_EVERY_SECS",
];

/// One started process and the file its stdout and stderr go to.
struct Process {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Process {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// What one run started and created. Dropping it, also when the test panics, kills the
/// processes (printing their logs' ends if the test failed), then deletes the run's
/// RabbitMQ queues and PostgreSQL schema.
struct Fixture {
    dir: tempfile::TempDir,
    processes: Vec<Process>,
    amqp_url: String,
    queues: Vec<String>,
    database_url: String,
    schema: Option<String>,
}

impl Fixture {
    fn new(servers: &Servers) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            processes: Vec::new(),
            amqp_url: servers.amqp_url.clone(),
            queues: Vec::new(),
            database_url: servers.database_url.clone(),
            schema: None,
        }
    }

    /// Starts `name` in the fixture's folder with exactly `vars` of the configuration.
    fn spawn(&mut self, name: &'static str, vars: &[(&str, &str)]) {
        let log = self.dir.path().join(format!("{name}.log"));
        let out = File::create(&log).unwrap();
        let mut command = Command::new(binary(name));
        for var in CONFIG_VARS {
            command.env_remove(var);
        }
        let child = command
            .envs(vars.iter().copied())
            // The readiness lines below are logged at info.
            .env("RUST_LOG", "info")
            // A start-up error then ends the log without a backtrace burying it.
            .env("RUST_LIB_BACKTRACE", "0")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.processes.push(Process { name, child, log });
    }

    /// Fails the test when a process has exited.
    fn assert_running(&mut self) {
        for process in &mut self.processes {
            if let Some(status) = process.child.try_wait().unwrap() {
                panic!("{} exited ({status}); its log is below", process.name);
            }
        }
    }

    /// Waits until the log of `name` has a line containing `ready`.
    async fn wait_until_ready(&mut self, name: &str, ready: &str) {
        let deadline = Deadline::new(format!("{name} to log {ready:?}"));
        loop {
            let process = self.processes.iter().find(|p| p.name == name).unwrap();
            if process.log().contains(ready) {
                return;
            }
            deadline.tick(self).await;
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for process in &mut self.processes {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
        if std::thread::panicking() {
            for process in &self.processes {
                let log = process.log();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(40)..].join("\n");
                eprintln!("---- last lines of {} ----\n{tail}", process.name);
            }
        }
        let cleanup = clean_up(
            self.amqp_url.clone(),
            std::mem::take(&mut self.queues),
            self.database_url.clone(),
            self.schema.take(),
        );
        // Drop may run inside the test's runtime, which cannot block on another future:
        // the clean-up gets a thread and a runtime of its own.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(cleanup))
        })
        .join();
    }
}

/// Deletes the run's queues and schema; failures are reported, not raised (this runs in
/// `Drop`, maybe while the test is already failing).
async fn clean_up(
    amqp_url: String,
    queues: Vec<String>,
    database_url: String,
    schema: Option<String>,
) {
    if !queues.is_empty() {
        match RabbitMqBroker::builder(amqp_url)
            .with_connection_name("invoice-e2e")
            .build()
            .await
        {
            Ok(broker) => {
                for queue in &queues {
                    if let Err(e) = broker.delete_queue(queue).await {
                        eprintln!("cannot delete the RabbitMQ queue {queue}: {e}");
                    }
                }
            }
            Err(e) => eprintln!("cannot connect to RabbitMQ to delete {queues:?}: {e}"),
        }
    }
    if let Some(schema) = schema {
        if let Err(e) = drop_schema(&database_url, &schema).await {
            eprintln!("cannot drop the PostgreSQL schema {schema}: {e}");
        }
    }
}

async fn drop_schema(url: &str, schema: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    // The name goes in as a bound value, quoted by the server, never spliced into SQL.
    sqlx::query("SELECT set_config('invoice_e2e.schema', $1, false)")
        .bind(schema)
        .execute(&mut conn)
        .await?;
    sqlx::query(
        "DO $$ BEGIN EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', \
         current_setting('invoice_e2e.schema')); END $$",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await
}

/// A point in time by which something must have happened.
struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            until: Instant::now() + DEADLINE,
        }
    }

    /// Fails the test if a process died or the deadline passed, else waits one poll.
    async fn tick(&self, fixture: &mut Fixture) {
        fixture.assert_running();
        assert!(
            Instant::now() < self.until,
            "timed out after {DEADLINE:?} waiting for {}",
            self.what
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The service's REST API.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// Calls `path` with `token`, and `body` as JSON; returns the status and the JSON
    /// answer (`null` when there is none).
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

/// Connects to `/ws` with `token` and records every event pushed, as JSON.
async fn watch(ws_base: &str, token: &str) -> Arc<Mutex<Vec<Value>>> {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws_base}/ws?token={token}"))
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                let event = serde_json::from_str(text.as_str())
                    .unwrap_or_else(|_| Value::String(text.to_string()));
                record.lock().unwrap().push(event);
            }
        }
    });
    seen
}

/// The `event.type`s of the recorded events about `invoice`.
fn event_types(seen: &Mutex<Vec<Value>>, invoice: &str) -> Vec<String> {
    let mut types: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["invoice_id"] == invoice)
        .map(|e| e["event"]["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    types.sort();
    types
}

/// The tenants of the recorded events.
fn tenants(seen: &Mutex<Vec<Value>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|e| e["tenant"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The subjects of the mails the sink delivered to `address`, sorted. aiosmtpd's Mailbox
/// handler writes each mail as one file into `new/`, with the envelope recipient in an
/// `X-RcptTo` header.
fn subjects_to(maildir: &Path, address: &str) -> Vec<String> {
    let mut subjects = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return subjects;
    };
    for entry in entries.flatten() {
        let Ok(raw) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if header(&raw, "X-RcptTo").as_deref() == Some(address) {
            subjects.push(header(&raw, "Subject").unwrap_or_default());
        }
    }
    subjects.sort();
    subjects
}

/// The header `name` of a raw mail, with folded lines joined.
fn header(raw: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in raw.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break; // end of the header
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

fn address() -> Value {
    json!({ "lines": ["Hauptstraße 1"], "city": "Berlin", "postal_code": "10115", "country": "DE" })
}

fn lines() -> Value {
    json!([
        { "id": "1", "name": "Consulting", "quantity": "10", "unit": "HUR", "price": "100.00", "vat": { "category": "S", "rate": "19" } },
        { "id": "2", "name": "Handbook", "quantity": "2", "unit": "C62", "price": "24.90", "vat": { "category": "S", "rate": "7" } }
    ])
}

fn seller() -> Value {
    json!({ "name": "Seller GmbH", "address": address(), "vat_id": "DE123456789" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_and_paid_invoice_is_mailed_archived_and_pushed_to_its_tenant_only() {
    let test = "issued_and_paid_invoice_is_mailed_archived_and_pushed_to_its_tenant_only";
    let Some(servers) = Servers::from_env(test) else {
        return;
    };
    let started = Instant::now();
    let run = Run::fresh();
    let mut fixture = Fixture::new(&servers);

    // The schema is created and migrated here, before the processes start, so that they
    // find it (they would migrate it, but CREATE SCHEMA is not theirs to run).
    PostgresStore::builder(servers.database_url.as_str())
        .with_schema(run.schema.as_str())
        .with_max_connections(1)
        .build()
        .await
        .unwrap()
        .close()
        .await;
    fixture.schema = Some(run.schema.clone());
    fixture.queues = vec![run.notification_queue.clone(), run.export_queue.clone()];
    let database_url = url_with_schema(&servers.database_url, &run.schema);

    let bind = format!("127.0.0.1:{}", free_port());
    fixture.spawn(
        "invoice-service",
        &[
            ("BIND", &bind),
            ("DATABASE_URL", &database_url),
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", &run.bucket),
            ("AWS_ENDPOINT_URL", &servers.aws_endpoint_url),
            ("JWT_SECRET", JWT_SECRET),
        ],
    );
    fixture.spawn(
        "notification-worker",
        &[
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("QUEUE_NAME", &run.notification_queue),
            ("SMTP_URL", &servers.smtp_url),
        ],
    );
    fixture.spawn(
        "export-worker",
        &[
            ("DATABASE_URL", &database_url),
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("QUEUE_NAME", &run.export_queue),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", &run.bucket),
            ("AWS_ENDPOINT_URL", &servers.aws_endpoint_url),
        ],
    );
    // Each line is written once the process is connected and its queue bound: events
    // published before that would not reach it.
    fixture
        .wait_until_ready("invoice-service", "listening on")
        .await;
    fixture
        .wait_until_ready("notification-worker", "notification worker running")
        .await;
    fixture
        .wait_until_ready("export-worker", "export worker running")
        .await;
    let ready = started.elapsed();

    let api = Api {
        http: reqwest::Client::new(),
        base: format!("http://{bind}"),
    };
    let ws_base = format!("ws://{bind}");
    let token_a = invoice_service::auth::issue_token(JWT_SECRET, "e2e", &run.tenant_a, 1).unwrap();
    let token_b = invoice_service::auth::issue_token(JWT_SECRET, "e2e", &run.tenant_b, 1).unwrap();
    let seen_by_a = watch(&ws_base, &token_a).await;
    let seen_by_b = watch(&ws_base, &token_b).await;

    // Tenant A: a client with an e-mail address, an invoice to it, issued, paid in full.
    let client_body = json!({
        "name": "Buyer AG",
        "emails": [run.email],
        "address": address(),
        "vat_id": "DE987654321",
    });
    let (status, client) = api
        .call(Method::POST, "/clients", &token_a, Some(&client_body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let client_id = client["id"].as_str().unwrap().to_owned();

    let draft = json!({
        "client_id": client_id,
        "currency": "EUR",
        "seller": seller(),
        "due_date": "2099-12-31",
        "lines": lines(),
    });
    let (status, created) = api
        .call(Method::POST, "/invoices", &token_a, Some(&draft))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let invoice_id = created["invoice"]["id"].as_str().unwrap().to_owned();

    let (status, issued) = api
        .call(
            Method::POST,
            &format!("/invoices/{invoice_id}/issue"),
            &token_a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let number = issued["invoice"]["number"].as_str().unwrap().to_owned();
    let amount_due = issued["amount_due"].as_str().unwrap().to_owned();

    let (status, paid) = api
        .call(
            Method::POST,
            &format!("/invoices/{invoice_id}/payments"),
            &token_a,
            Some(&json!({ "amount": amount_due, "reference": "e2e" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid", "{paid}");

    // (d) Tenant B sees none of it.
    for path in [
        format!("/invoices/{invoice_id}"),
        format!("/invoices/{invoice_id}.csv"),
        format!("/clients/{client_id}"),
    ] {
        let (status, body) = api.call(Method::GET, &path, &token_b, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "tenant B GET {path}: {body}");
    }
    for path in ["/invoices", "/clients"] {
        let (status, page) = api.call(Method::GET, path, &token_b, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total_elements"], 0, "tenant B GET {path}: {page}");
        assert_eq!(page["content"], json!([]), "tenant B GET {path}: {page}");
    }

    // (a) One mail per event the buyer hears about, to the client's address.
    let mut expected_mails = vec![
        format!("Invoice draft {invoice_id} prepared"),
        format!("Invoice {number} issued"),
        format!("Invoice {number} paid"),
    ];
    expected_mails.sort();
    let deadline = Deadline::new(format!("the mails {expected_mails:?} to {}", run.email));
    while !expected_mails
        .iter()
        .all(|s| subjects_to(&servers.smtp_maildir, &run.email).contains(s))
    {
        deadline.tick(&mut fixture).await;
    }

    // (b) CSV and UBL archived under the seed's key convention, in deep archive.
    let archive = S3DocumentStore::builder(run.bucket.as_str())
        .with_endpoint(servers.aws_endpoint_url.as_str())
        .build()
        .unwrap();
    for (key, content_type) in [
        (
            format!("csv-invoices/{}/{client_id}/{number}.csv", run.tenant_a),
            "text/csv; charset=utf-8",
        ),
        (
            format!("ubl-invoices/{}/{client_id}/{number}.xml", run.tenant_a),
            "application/xml",
        ),
    ] {
        let key = DocumentKey::new(key).unwrap();
        let deadline = Deadline::new(format!("{key} in bucket {}", run.bucket));
        let meta = loop {
            match archive.head(&key).await {
                Ok(meta) => break meta,
                Err(invoice_storage::Error::NotFound { .. }) => deadline.tick(&mut fixture).await,
                Err(e) => panic!("head {key}: {e}"),
            }
        };
        assert_eq!(meta.storage_class, StorageClass::DeepArchive, "{key}");
        assert_eq!(meta.content_type.as_deref(), Some(content_type), "{key}");
        assert!(meta.size > 0, "{key} is empty");
    }

    // (c) Tenant A's socket saw the invoice's events.
    let mut expected_events = vec!["Created", "Issued", "Paid", "PaymentRecorded"];
    expected_events.sort_unstable();
    let deadline = Deadline::new(format!(
        "the events {expected_events:?} on tenant A's socket"
    ));
    loop {
        let types = event_types(&seen_by_a, &invoice_id);
        if expected_events.iter().all(|e| types.iter().any(|t| t == e)) {
            break;
        }
        deadline.tick(&mut fixture).await;
    }

    // Tenant B's socket is live: it sees B's own draft. Events reach the sockets in the
    // order the service consumes them, so A's came by before this one.
    let b_draft = json!({
        "currency": "EUR",
        "seller": seller(),
        "buyer": { "name": "Other Buyer", "address": address() },
        "lines": lines(),
    });
    let (status, b_created) = api
        .call(Method::POST, "/invoices", &token_b, Some(&b_draft))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b_created}");
    let b_invoice_id = b_created["invoice"]["id"].as_str().unwrap().to_owned();
    let deadline = Deadline::new("tenant B's own Created event on its socket");
    while event_types(&seen_by_b, &b_invoice_id) != ["Created"] {
        deadline.tick(&mut fixture).await;
    }

    // Nothing more may come: no second mail, no event on the wrong socket.
    tokio::time::sleep(QUIET).await;
    fixture.assert_running();
    assert_eq!(
        subjects_to(&servers.smtp_maildir, &run.email),
        expected_mails,
        "each mail exactly once to {}",
        run.email
    );
    assert_eq!(
        event_types(&seen_by_b, &invoice_id),
        Vec::<String>::new(),
        "tenant B's socket saw tenant A's invoice"
    );
    assert!(
        tenants(&seen_by_b).iter().all(|t| *t == run.tenant_b),
        "tenant B's socket saw another tenant's events: {:?}",
        seen_by_b.lock().unwrap()
    );
    assert!(
        tenants(&seen_by_a).iter().all(|t| *t == run.tenant_a),
        "tenant A's socket saw another tenant's events: {:?}",
        seen_by_a.lock().unwrap()
    );

    drop(fixture);
    let _ = writeln!(
        std::io::stderr(),
        "{test}: processes ready after {:.1}s, done after {:.1}s",
        ready.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
