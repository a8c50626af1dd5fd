//! The RabbitMQ adapter while things fail: every connection closed
//! (`rabbitmqctl close_all_connections`), the broker app stopped and started, and a relay
//! process killed between publishing and marking published. Needs `AMQP_URL`, and
//! `DATABASE_URL` for the end-to-end tests (outbox, inbox and side effects in PostgreSQL,
//! each test in schemas of its own).
//!
//! These tests disturb every connection of the local broker, so they live in their own
//! test binary (cargo runs test binaries one after another) and take a lock to run one at
//! a time. `rabbitmqctl` must be on the PATH and allowed to control the node (root here).

use std::collections::HashSet;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use async_trait::async_trait;
use invoice_core::{EventEnvelope, EventId};
use invoice_messaging::testing::{self, invoice_events};
use invoice_messaging::{
    CancellationToken, ConsumerRunner, Handler, HandlerError, OutboxRelay, Publisher,
    RabbitMqBroker, RetryPolicy,
};
use invoice_storage::testing::require_env;
use invoice_storage::{OutboxStore, PostgresStore};
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgPool, Row};
use tokio::sync::Mutex;
use tokio::time::Instant;
use uuid::Uuid;

/// One disturbing test at a time.
static SERIAL: Mutex<()> = Mutex::const_new(());

/// Runs `rabbitmqctl <args>` and fails the test if it fails.
async fn rabbitmqctl(args: &[&str]) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let shown = args.join(" ");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("rabbitmqctl")
            .args(&args)
            .output()
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("rabbitmqctl {shown}: {e}"));
    assert!(
        output.status.success(),
        "rabbitmqctl {shown}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Ready plus unacknowledged messages of `queue`, from `rabbitmqctl list_queues`.
async fn queue_depth(queue: &str) -> Option<u64> {
    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new("rabbitmqctl")
            .args([
                "list_queues",
                "--quiet",
                "--no-table-headers",
                "name",
                "messages",
            ])
            .output()
    })
    .await
    .ok()?
    .ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| {
            let (name, messages) = line.split_once('\t')?;
            (name == queue).then(|| messages.trim().parse().ok())?
        })
}

fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn fresh(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

/// Records every delivery it sees.
#[derive(Default)]
struct Recorder {
    seen: StdMutex<HashSet<EventId>>,
    deliveries: AtomicU64,
}

#[async_trait]
impl Handler for Recorder {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        self.deliveries.fetch_add(1, Ordering::Relaxed);
        self.seen.lock().unwrap().insert(envelope.event_id);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_and_consuming_resume_after_all_connections_are_closed() {
    let test = "publishing_and_consuming_resume_after_all_connections_are_closed";
    let Some(url) = require_env("AMQP_URL", test) else {
        return;
    };
    let _serial = SERIAL.lock().await;
    let broker = RabbitMqBroker::builder(&url)
        .exchange(fresh("faults"))
        .confirm_timeout(Duration::from_secs(10))
        .build()
        .await
        .unwrap();
    let queue = testing::queue_name("reconnect");
    let subscriber = Arc::new(broker.subscribe(&queue, &["invoice.#"]).await.unwrap());
    let recorder = Arc::new(Recorder::default());
    let shutdown = CancellationToken::new();
    let runner = ConsumerRunner::new(subscriber, Arc::clone(&recorder) as Arc<dyn Handler>)
        .with_concurrency(4);
    let consuming = tokio::spawn(runner.run(shutdown.clone()));

    // A producer that publishes batches of 20 until stopped, and retries a batch until it
    // is confirmed; each call must end (with Ok or an error) well within the timeouts.
    let confirmed = Arc::new(StdMutex::new(Vec::<EventId>::new()));
    let failures = Arc::new(AtomicU64::new(0));
    let publisher = broker.publisher();
    let stop = CancellationToken::new();
    let producing = {
        let (confirmed, failures) = (Arc::clone(&confirmed), Arc::clone(&failures));
        let stop = stop.clone();
        tokio::spawn(async move {
            while !stop.is_cancelled() {
                let batch = invoice_events(20);
                loop {
                    let call = tokio::time::timeout(
                        Duration::from_secs(30),
                        publisher.publish_batch(&batch),
                    )
                    .await
                    .expect("a publish hung instead of failing");
                    match call {
                        Ok(()) => break,
                        Err(e) => {
                            say(format!("publish failed (expected around the close): {e}"));
                            failures.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                confirmed
                    .lock()
                    .unwrap()
                    .extend(batch.iter().map(|e| e.event_id));
            }
        })
    };

    let confirmed_at_least = |n: usize| {
        let confirmed = Arc::clone(&confirmed);
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while confirmed.lock().unwrap().len() < n {
                assert!(Instant::now() < deadline, "publishing stalled before {n}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    confirmed_at_least(400).await;
    rabbitmqctl(&["close_all_connections", "test: reconnect"]).await;
    let at_close = confirmed.lock().unwrap().len();
    // Publishing resumes: 400 more confirmed after the close.
    confirmed_at_least(at_close + 400).await;
    stop.cancel();
    producing.await.unwrap();
    let confirmed: HashSet<EventId> = confirmed.lock().unwrap().iter().copied().collect();

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let missing = confirmed.difference(&recorder.seen.lock().unwrap()).count();
        if missing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} confirmed events never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    consuming.await.unwrap().unwrap();
    let deliveries = recorder.deliveries.load(Ordering::Relaxed);
    say(format!(
        "{test}: confirmed {} (close after {at_close}), received {} distinct in {deliveries} deliveries, {} failed publish calls, lost 0",
        confirmed.len(),
        recorder.seen.lock().unwrap().len(),
        failures.load(Ordering::Relaxed),
    ));
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

/// The consumer of the end-to-end test: its side effect is a row in PostgreSQL, written in
/// the same transaction as the inbox row that marks the event as processed, so a second
/// delivery of an event can never write a second row.
struct RecordInPostgres {
    pool: PgPool,
    deliveries: AtomicU64,
    skipped: AtomicU64,
}

#[async_trait]
impl Handler for RecordInPostgres {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        self.deliveries.fetch_add(1, Ordering::Relaxed);
        let id = *envelope.event_id.as_uuid();
        let mut tx = self.pool.begin().await.map_err(HandlerError::retryable)?;
        let first = sqlx::query(
            "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind("fault-test")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(HandlerError::retryable)?
        .rows_affected()
            == 1;
        if first {
            sqlx::query("INSERT INTO effects (event_id, invoice_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*envelope.invoice_id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(HandlerError::retryable)?;
        } else {
            self.skipped.fetch_add(1, Ordering::Relaxed);
        }
        tx.commit().await.map_err(HandlerError::retryable)?;
        Ok(())
    }
}

/// Counts what the relay got confirmed.
#[derive(Debug)]
struct Counting<P> {
    inner: P,
    confirmed: AtomicU64,
    failed_batches: AtomicU64,
}

#[async_trait]
impl<P: Publisher> Publisher for Counting<P> {
    async fn publish_batch(&self, envelopes: &[EventEnvelope]) -> invoice_messaging::Result<()> {
        let result = self.inner.publish_batch(envelopes).await;
        match &result {
            Ok(()) => self
                .confirmed
                .fetch_add(envelopes.len() as u64, Ordering::Relaxed),
            Err(_) => self.failed_batches.fetch_add(1, Ordering::Relaxed),
        };
        result
    }
}

async fn distinct_effects(pool: &PgPool) -> i64 {
    sqlx::query("SELECT count(DISTINCT event_id) FROM effects")
        .fetch_one(pool)
        .await
        .map(|row| row.get::<i64, _>(0))
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_events_survive_closed_connections_and_a_broker_restart_exactly_once() {
    let test = "ten_thousand_events_survive_closed_connections_and_a_broker_restart_exactly_once";
    let Some(amqp_url) = require_env("AMQP_URL", test) else {
        return;
    };
    let Some(database_url) = require_env("DATABASE_URL", test) else {
        return;
    };
    let _serial = SERIAL.lock().await;
    const EVENTS: usize = 10_000;

    let schema = format!("fault_{}", Uuid::new_v4().simple());
    let pool = side_effects(&database_url, &schema).await;

    // The outbox: 100 invoices with 100 events each, in PostgreSQL.
    let outbox = PostgresStore::builder(&database_url)
        .schema(format!("{schema}_outbox"))
        .max_connections(4)
        .build()
        .await
        .unwrap();
    let mut sent = HashSet::new();
    for _ in 0..EVENTS / 100 {
        let events = invoice_events(100);
        sent.extend(events.iter().map(|e| *e.event_id.as_uuid()));
        outbox.append(&events).await.unwrap();
    }
    assert_eq!(sent.len(), EVENTS);
    let broker = RabbitMqBroker::builder(&amqp_url)
        .exchange(fresh("faults"))
        .prefetch(64)
        .confirm_timeout(Duration::from_secs(10))
        .reconnect_timeout(Duration::from_secs(120))
        .build()
        .await
        .unwrap();
    let queue = testing::queue_name("fault");
    let subscriber = Arc::new(broker.subscribe(&queue, &["invoice.#"]).await.unwrap());
    let handler = Arc::new(RecordInPostgres {
        pool: pool.clone(),
        deliveries: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
    });
    let shutdown = CancellationToken::new();
    let runner = ConsumerRunner::new(subscriber, Arc::clone(&handler) as Arc<dyn Handler>)
        .with_concurrency(16)
        // Broker or database hiccups are retried, never dead-lettered.
        .with_retry(RetryPolicy::new(
            1000,
            Duration::from_millis(20),
            Duration::from_secs(1),
        ));
    let stats = runner.stats();
    let consuming = tokio::spawn(runner.run(shutdown.clone()));

    let publisher = Arc::new(Counting {
        inner: broker.publisher(),
        confirmed: AtomicU64::new(0),
        failed_batches: AtomicU64::new(0),
    });
    let relay = OutboxRelay::new(
        Arc::new(outbox.clone()),
        Arc::clone(&publisher) as Arc<dyn Publisher>,
    )
    .with_batch_size(100)
    .with_lease(Duration::from_secs(15))
    .with_idle_wait(Duration::from_millis(100));
    let relaying = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move { relay.run(shutdown).await })
    };

    let started = Instant::now();
    let deadline = started + Duration::from_secs(300);
    let wait_for = |target: i64| {
        let pool = pool.clone();
        async move {
            loop {
                let done = distinct_effects(&pool).await;
                if done >= target {
                    return done;
                }
                assert!(Instant::now() < deadline, "stuck at {done} side effects");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };

    let at_close = wait_for(1_000).await;
    rabbitmqctl(&["close_all_connections", "test: fault injection"]).await;
    say(format!(
        "{test}: closed all connections at {at_close} side effects"
    ));
    let at_stop = wait_for(at_close + 2_000).await;
    rabbitmqctl(&["stop_app"]).await;
    rabbitmqctl(&["start_app"]).await;
    say(format!(
        "{test}: restarted the broker app at {at_stop} side effects"
    ));

    wait_for(EVENTS as i64).await;
    say(format!(
        "{test}: all side effects after {:.1?}",
        started.elapsed()
    ));
    // Every event is handled; now let the queue drain so late redeliveries are counted.
    loop {
        let pending = outbox.pending().await.unwrap();
        let depth = queue_depth(&queue).await;
        if pending == 0 && depth == Some(0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "outbox {pending} pending, queue {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), relaying)
        .await
        .expect("the relay did not stop")
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), consuming)
        .await
        .expect("the consumer did not stop")
        .unwrap()
        .unwrap();

    let rows: Vec<Uuid> = sqlx::query("SELECT event_id FROM effects")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<Uuid, _>(0))
        .collect();
    let distinct: HashSet<Uuid> = rows.iter().copied().collect();
    let duplicates = rows.len() - distinct.len();
    let lost = sent.difference(&distinct).count();
    let foreign = distinct.difference(&sent).count();
    say(format!(
        "{test}: sent {EVENTS}, published-and-confirmed {} (failed relay rounds {}), \
         received {} deliveries, skipped as duplicates {}, side effects {} ({} distinct), \
         duplicate side effects {duplicates}, lost {lost}, dead-lettered {}, in {:.1?}",
        publisher.confirmed.load(Ordering::Relaxed),
        publisher.failed_batches.load(Ordering::Relaxed),
        handler.deliveries.load(Ordering::Relaxed),
        handler.skipped.load(Ordering::Relaxed),
        rows.len(),
        distinct.len(),
        stats.dead_lettered(),
        started.elapsed(),
    ));
    assert_eq!(distinct.len(), EVENTS, "distinct side effects");
    assert_eq!(duplicates, 0, "duplicate side effects");
    assert_eq!(lost, 0, "lost events");
    assert_eq!(foreign, 0, "side effects of unknown events");
    assert_eq!(stats.dead_lettered(), 0);
    assert!(
        (at_stop as usize) < EVENTS,
        "the broker restart came after the last event"
    );

    outbox.close().await;
    for dropped in [format!("{schema}_outbox"), schema] {
        sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {dropped} CASCADE")))
            .execute(&pool)
            .await
            .unwrap();
    }
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

/// A pool whose connections work in `schema`, made here with the consumer's tables: the
/// inbox, and the side effects. `effects` deliberately has no unique key on the event, so
/// a duplicate side effect would show up as a second row instead of being rejected.
async fn side_effects(database_url: &str, schema: &str) -> PgPool {
    let pool = {
        let schema = schema.to_owned();
        PgPoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    sqlx::query("SELECT set_config('search_path', $1, false)")
                        .bind(schema)
                        .execute(conn)
                        .await
                        .map(|_| ())
                })
            })
            .connect(database_url)
            .await
            .unwrap()
    };
    // The schema name is generated here, so interpolating it is safe.
    for statement in [
        format!("CREATE SCHEMA {schema}"),
        format!(
            "CREATE TABLE {schema}.inbox (consumer text NOT NULL, event_id uuid NOT NULL, \
             PRIMARY KEY (consumer, event_id))"
        ),
        format!(
            "CREATE TABLE {schema}.effects (n bigserial PRIMARY KEY, event_id uuid NOT NULL, \
             invoice_id uuid NOT NULL)"
        ),
    ] {
        sqlx::query(AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool
}

/// Set for the crash test's child process: `<outbox schema> <exchange>`.
const CRASH_CHILD: &str = "INVOICE_MESSAGING_CRASH_CHILD";

/// Publishes, says so on stdout, and never returns: the relay around it is stuck between
/// publishing and marking published, where the crash test kills it.
#[derive(Debug)]
struct StallAfterPublish<P>(P);

#[async_trait]
impl<P: Publisher> Publisher for StallAfterPublish<P> {
    async fn publish_batch(&self, envelopes: &[EventEnvelope]) -> invoice_messaging::Result<()> {
        self.0.publish_batch(envelopes).await?;
        let mut out = std::io::stdout();
        writeln!(out, "PUBLISHED {}", envelopes.len()).unwrap();
        out.flush().unwrap();
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// The relay process of the crash test, which runs this test binary again with this test
/// alone and [`CRASH_CHILD`] set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the relay child process of a_relay_killed_between_publish_and_mark_..."]
async fn crash_test_child_relay() {
    let Ok(spec) = std::env::var(CRASH_CHILD) else {
        return;
    };
    // Whatever happens, this process ends: the parent reads its stdout to the end.
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(120)).await;
        std::process::exit(3);
    });
    let (schema, exchange) = spec.split_once(' ').unwrap();
    let outbox = PostgresStore::builder(std::env::var("DATABASE_URL").unwrap())
        .schema(schema)
        .build()
        .await
        .unwrap();
    let broker = RabbitMqBroker::builder(std::env::var("AMQP_URL").unwrap())
        .exchange(exchange)
        .build()
        .await
        .unwrap();
    let relay = OutboxRelay::new(
        Arc::new(outbox),
        Arc::new(StallAfterPublish(broker.publisher())),
    )
    .with_batch_size(1_000)
    .with_lease(Duration::from_secs(3));
    relay.run_once(chrono::Utc::now()).await.unwrap();
    unreachable!("the relay stalls after publishing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_between_publish_and_mark_loses_and_doubles_nothing() {
    let test = "a_relay_killed_between_publish_and_mark_loses_and_doubles_nothing";
    let Some(amqp_url) = require_env("AMQP_URL", test) else {
        return;
    };
    let Some(database_url) = require_env("DATABASE_URL", test) else {
        return;
    };
    // Not disturbed by the connection-closing tests.
    let _serial = SERIAL.lock().await;
    const EVENTS: usize = 500;
    let schema = format!("crash_{}", Uuid::new_v4().simple());
    let pool = side_effects(&database_url, &schema).await;
    let outbox_schema = format!("{schema}_outbox");
    let outbox = PostgresStore::builder(&database_url)
        .schema(outbox_schema.as_str())
        .max_connections(2)
        .build()
        .await
        .unwrap();
    let mut sent = HashSet::new();
    for _ in 0..EVENTS / 100 {
        let events = invoice_events(100);
        sent.extend(events.iter().map(|e| *e.event_id.as_uuid()));
        outbox.append(&events).await.unwrap();
    }

    let broker = RabbitMqBroker::builder(&amqp_url)
        .exchange(fresh("crash"))
        .prefetch(64)
        .build()
        .await
        .unwrap();
    let queue = testing::queue_name("crash");
    let subscriber = Arc::new(broker.subscribe(&queue, &["invoice.#"]).await.unwrap());
    let handler = Arc::new(RecordInPostgres {
        pool: pool.clone(),
        deliveries: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
    });
    let shutdown = CancellationToken::new();
    let runner = ConsumerRunner::new(subscriber, Arc::clone(&handler) as Arc<dyn Handler>)
        .with_concurrency(8);
    let consuming = tokio::spawn(runner.run(shutdown.clone()));

    // The first relay, in a child process: it publishes everything, then is killed with
    // SIGKILL (what Child::kill sends on Unix) before it can mark anything.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_test_child_relay",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CRASH_CHILD,
            format!("{outbox_schema} {}", broker.exchange()),
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let published = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || {
            use std::io::BufRead;
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(|line| line.ok())
                // libtest may have written "test ... " on the same line first.
                .find_map(|line| {
                    line.split_once("PUBLISHED ")
                        .map(|(_, n)| n.trim().to_owned())
                })
        }),
    )
    .await
    .expect("the child relay did not publish in time")
    .unwrap();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(published.as_deref(), Some("500"), "{status:?}");
    assert_eq!(
        outbox.pending().await.unwrap(),
        EVENTS as u64,
        "the killed relay marked nothing"
    );

    // A second relay re-publishes once the dead one's lease has run out.
    let relay = OutboxRelay::new(Arc::new(outbox.clone()), Arc::new(broker.publisher()))
        .with_idle_wait(Duration::from_millis(100));
    let relaying = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move { relay.run(shutdown).await })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending = outbox.pending().await.unwrap();
        let delivered = handler.deliveries.load(Ordering::Relaxed);
        let depth = queue_depth(&queue).await;
        if pending == 0 && delivered >= 2 * EVENTS as u64 && depth == Some(0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pending {pending}, delivered {delivered}, queue {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shutdown.cancel();
    relaying.await.unwrap();
    consuming.await.unwrap().unwrap();

    let rows: Vec<Uuid> = sqlx::query("SELECT event_id FROM effects")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<Uuid, _>(0))
        .collect();
    let distinct: HashSet<Uuid> = rows.iter().copied().collect();
    let duplicates = rows.len() - distinct.len();
    let lost = sent.difference(&distinct).count();
    let deliveries = handler.deliveries.load(Ordering::Relaxed);
    let skipped = handler.skipped.load(Ordering::Relaxed);
    say(format!(
        "{test}: sent {EVENTS}, published twice (killed relay + its successor), \
         received {deliveries} deliveries, skipped as duplicates {skipped}, \
         side effects {} ({} distinct), duplicate side effects {duplicates}, lost {lost}",
        rows.len(),
        distinct.len(),
    ));
    assert_eq!(distinct.len(), EVENTS);
    assert_eq!(duplicates, 0);
    assert_eq!(lost, 0);
    assert!(
        skipped >= EVENTS as u64,
        "every event came twice and was deduplicated once"
    );

    outbox.close().await;
    for dropped in [outbox_schema, schema] {
        sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {dropped} CASCADE")))
            .execute(&pool)
            .await
            .unwrap();
    }
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}
