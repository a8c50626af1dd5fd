//! `sqlite`: what reading, listing and writing invoices in SQLite costs through our
//! adapter (rusqlite: reads on the calling thread, writes group-committed on one writer
//! thread), beside bare sqlx and bare rusqlite, on the same database file in the same run.
//!
//! - `sqlite/get`: one 10-line invoice by id and tenant, decoded from its JSON body,
//!   cycling over 1 000 seeded invoices, one call after the other. `ours` is
//!   `SqliteStore::get`; `sqlx` is the same statement on a bare sqlx pool, decoded the
//!   same way (sqlx runs each SQLite connection on a thread of its own and hands every
//!   statement and row across: the adapter this one replaced was built on it);
//!   `rusqlite` is the same statement, prepared once, on a rusqlite connection called on
//!   the benchmark's own thread: the floor of any adapter.
//! - `sqlite/get_json`: the answer of `GET /invoices/{id}` for one such invoice,
//!   `SqliteStore::get_json` (the kept JSON joined, not decoded): `checksum` on rows
//!   that keep the checksum of their JSON, `parsed` on the same kind of rows with it
//!   cleared (as rows kept before checksums), whose joined document is parsed first.
//! - `sqlite/get x32`: the same reads from 32 tasks at once (as the service's load test
//!   runs 32 connections), 10 each, on a runtime with a worker per core. `ours` reads
//!   through its pool of connections; `sqlx` shares 4 pooled connections; `rusqlite`
//!   reads on the task's own worker thread through a connection that thread keeps (the
//!   per-thread design the pool was measured against).
//! - `sqlite/list`: one page of 10 of 1 000 invoices, newest first: `ours` is
//!   `SqliteStore::list` (summaries read from columns); `whole` is `list_invoices` (every
//!   invoice of the page decoded from its body, what a list cost before).
//! - `sqlite/create x32`: 32 tasks creating a 10-line draft with its event at once.
//!   `ours` is `SqliteStore::create` (group commit); `rusqlite` is the same inserts
//!   in a transaction of their own per create, on one connection behind a mutex, called
//!   in-thread, with the store's settings (WAL, `synchronous = NORMAL`): writes one after
//!   the other without batching.
//!
//! Needs nothing: the file is created in the system's temporary folder and removed.
//!
//! Run: `cargo bench -p invoice-benches --bench sqlite`.

mod common;

use std::cell::RefCell;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::draft;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::sync::atomic::{AtomicU64, Ordering};

use invoice_core::{EventEnvelope, Invoice, InvoiceId, TenantId};
use invoice_storage::{InvoiceQuery, InvoiceStore, InvoiceSummary, PageRequest, SqliteStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::runtime::Runtime;
use uuid::Uuid;

const INVOICES: u64 = 1_000;
/// Tasks reading (or writing) at once, and reads per task, in `sqlite/get x32`.
const TASKS: usize = 32;
const READS_PER_TASK: usize = 10;
const GET: &str = "SELECT body FROM invoices WHERE id = ? AND tenant = ?";

fn sqlite(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("invoice-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("bench.db");
    let tenant = TenantId::new("bench").unwrap();
    let store = rt.block_on(SqliteStore::builder(&file).build()).unwrap();
    let ids: Vec<InvoiceId> = rt.block_on(async {
        let mut ids = Vec::new();
        for i in 0..INVOICES {
            let (invoice, event) = draft(&tenant, None, i);
            store.create(&invoice, &[event]).await.unwrap();
            ids.push(invoice.id());
        }
        ids
    });
    let pool = rt
        .block_on(
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(SqliteConnectOptions::new().filename(&file)),
        )
        .unwrap();
    let connection = rusqlite::Connection::open(&file).unwrap();
    // All three read the same row and decode the same invoice.
    let first = ids[0];
    let by_store = rt.block_on(store.get(&tenant, first)).unwrap();
    let by_sqlx = rt.block_on(get_sqlx(&pool, &tenant, first));
    assert_eq!(by_sqlx, by_store);
    assert_eq!(get_rusqlite(&connection, &tenant, first), by_store);

    let mut group = c.benchmark_group("sqlite/get");
    group.throughput(Throughput::Elements(1));
    let mut next = ids.iter().cycle();
    group.bench_function(BenchmarkId::new("ours", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            let id = *next.next().unwrap();
            let (store, tenant) = (&store, &tenant);
            async move { black_box(store.get(tenant, id).await.unwrap()) }
        })
    });
    let mut next = ids.iter().cycle();
    group.bench_function(BenchmarkId::new("sqlx", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            let id = *next.next().unwrap();
            let (pool, tenant) = (&pool, &tenant);
            async move { black_box(get_sqlx(pool, tenant, id).await) }
        })
    });
    let mut next = ids.iter().cycle();
    group.bench_function(BenchmarkId::new("rusqlite", "10 lines"), |b| {
        b.iter(|| black_box(get_rusqlite(&connection, &tenant, *next.next().unwrap())))
    });
    group.finish();

    // `get_json` on the rows with their checksum (`checksum`) and on the same rows with
    // it cleared, as rows kept before checksums are (`parsed`: the joined document is
    // parsed to see that it is JSON before it is sent on).
    let (vouched, parsed) = ids.split_at(ids.len() / 2);
    for id in parsed {
        connection
            .execute(
                "UPDATE invoice_json SET checksum = NULL \
                 WHERE seq = (SELECT seq FROM invoices WHERE id = ?)",
                [id.to_string()],
            )
            .unwrap();
    }
    for id in [vouched[0], parsed[0]] {
        let json = rt.block_on(store.get_json(&tenant, id)).unwrap();
        let decoded = rt.block_on(store.get(&tenant, id)).unwrap();
        assert_eq!(json, invoice_storage::InvoiceJson::of(&decoded).unwrap());
    }
    let mut group = c.benchmark_group("sqlite/get_json");
    group.throughput(Throughput::Elements(1));
    for (name, ids) in [("checksum", vouched), ("parsed", parsed)] {
        let mut next = ids.iter().cycle();
        group.bench_function(BenchmarkId::new(name, "10 lines"), |b| {
            b.to_async(&rt).iter(|| {
                let id = *next.next().unwrap();
                let (store, tenant) = (&store, &tenant);
                async move { black_box(store.get_json(tenant, id).await.unwrap()) }
            })
        });
    }
    group.finish();

    let store = Arc::new(store);
    let pool = Arc::new(pool);
    let ids = Arc::new(ids);
    let file = Arc::new(file);
    let mut group = c.benchmark_group("sqlite/get x32");
    group.throughput(Throughput::Elements((TASKS * READS_PER_TASK) as u64));
    group.bench_function(BenchmarkId::new("ours", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            concurrently(&ids, |id| {
                let (store, tenant) = (Arc::clone(&store), tenant.clone());
                async move { black_box(store.get(&tenant, id).await.unwrap()) }
            })
        })
    });
    group.bench_function(BenchmarkId::new("sqlx", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            concurrently(&ids, |id| {
                let (pool, tenant) = (Arc::clone(&pool), tenant.clone());
                async move { black_box(get_sqlx(&pool, &tenant, id).await) }
            })
        })
    });
    group.bench_function(BenchmarkId::new("rusqlite", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            concurrently(&ids, |id| {
                let (file, tenant) = (Arc::clone(&file), tenant.clone());
                async move { black_box(get_in_thread(&file, &tenant, id)) }
            })
        })
    });
    group.finish();

    let mut group = c.benchmark_group("sqlite/list");
    let query = InvoiceQuery::new().page(PageRequest::Offset { page: 3, size: 10 });
    let listed = rt.block_on(store.list(&tenant, &query)).unwrap();
    let whole = rt.block_on(store.list_invoices(&tenant, &query)).unwrap();
    assert_eq!(listed.items.len(), 10);
    assert!(listed
        .items
        .iter()
        .zip(&whole.items)
        .all(|(s, i)| s.id == i.id()));
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("ours", "page of 10"), |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(store.list(&tenant, &query).await.unwrap()) })
    });
    group.bench_function(BenchmarkId::new("whole", "page of 10"), |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(store.list_invoices(&tenant, &query).await.unwrap()) })
    });
    group.finish();

    let writes = Arc::new(std::sync::Mutex::new(
        rusqlite::Connection::open(file.as_path()).unwrap(),
    ));
    {
        // The store's settings: WAL (the file has it), synchronous NORMAL.
        let writes = writes.lock().unwrap();
        writes
            .busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        writes.execute_batch("PRAGMA synchronous = NORMAL").unwrap();
    }
    let counter = Arc::new(AtomicU64::new(INVOICES));
    let mut group = c.benchmark_group("sqlite/create x32");
    group.throughput(Throughput::Elements(TASKS as u64));
    group.sample_size(30);
    group.bench_function(BenchmarkId::new("ours", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            creating(&counter, &tenant, |invoice, event| {
                let store = Arc::clone(&store);
                async move { store.create(&invoice, &[event]).await.unwrap() }
            })
        })
    });
    group.bench_function(BenchmarkId::new("rusqlite", "10 lines"), |b| {
        b.to_async(&rt).iter(|| {
            creating(&counter, &tenant, |invoice, event| {
                let writes = Arc::clone(&writes);
                async move { create_rusqlite(&writes, &invoice, &event) }
            })
        })
    });
    group.finish();

    drop(connection);
    drop(writes);
    rt.block_on(pool.close());
    drop(store);
    // The workers' own connections close with the runtime, before the folder goes.
    drop(rt);
    std::fs::remove_dir_all(&dir).ok();
}

/// The adapter's statement on a bare sqlx pool, decoded as the adapter decodes it.
async fn get_sqlx(pool: &sqlx::SqlitePool, tenant: &TenantId, id: InvoiceId) -> Invoice {
    let body: String = sqlx::query_scalar(GET)
        .bind(id.to_string())
        .bind(tenant.as_str())
        .fetch_one(pool)
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// The same statement on rusqlite, on the calling thread, prepared once per connection.
fn get_rusqlite(connection: &rusqlite::Connection, tenant: &TenantId, id: InvoiceId) -> Invoice {
    let mut statement = connection.prepare_cached(GET).unwrap();
    let body: String = statement
        .query_row((id.to_string(), tenant.as_str()), |row| row.get(0))
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// `TASKS` tasks at once, each making `READS_PER_TASK` reads of ids spread over `ids`.
async fn concurrently<F, Fut>(ids: &Arc<Vec<InvoiceId>>, read: F)
where
    F: Fn(InvoiceId) -> Fut,
    Fut: std::future::Future<Output = Invoice> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let reads: Vec<Fut> = (0..READS_PER_TASK)
            .map(|n| read(ids[(task * READS_PER_TASK + n * 97) % ids.len()]))
            .collect();
        tasks.spawn(async move {
            for read in reads {
                read.await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

/// `TASKS` tasks at once, each creating one new invoice through `create`.
async fn creating<F, Fut>(counter: &AtomicU64, tenant: &TenantId, create: F)
where
    F: Fn(Invoice, EventEnvelope) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (invoice, event) = draft(tenant, None, counter.fetch_add(1, Ordering::Relaxed));
        tasks.spawn(create(invoice, event));
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

/// The rows `SqliteStore::create` writes (the invoice with its columns, its event), in a
/// transaction of their own.
fn create_rusqlite(
    connection: &std::sync::Mutex<rusqlite::Connection>,
    invoice: &Invoice,
    event: &EventEnvelope,
) {
    let summary = InvoiceSummary::of(invoice, Some(event.occurred_at)).unwrap();
    let body = serde_json::to_string(invoice).unwrap();
    let payload = serde_json::to_string(event).unwrap();
    let mut connection = connection.lock().unwrap();
    let tx = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.prepare_cached(
        "INSERT INTO invoices (id, tenant, status, buyer_name, buyer_folded, due_key, \
         version, body, kind, seller_name, currency, net_amount, vat_amount, gross_amount, \
         amount_due, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .unwrap()
    .execute(rusqlite::params![
        invoice.id().to_string(),
        invoice.tenant().as_str(),
        summary.status.as_str(),
        summary.buyer_name,
        summary.buyer_name.to_lowercase(),
        summary.version as i64,
        body,
        summary.kind.as_str(),
        summary.seller_name,
        summary.currency.code(),
        summary.net_amount.to_string(),
        summary.vat_amount.to_string(),
        summary.gross_amount.to_string(),
        summary.amount_due.to_string(),
        event.occurred_at.timestamp_micros(),
    ])
    .unwrap();
    let seq: i64 = tx
        .prepare_cached(
            "INSERT INTO outbox (event_id, tenant, invoice_id) VALUES (?, ?, ?) RETURNING seq",
        )
        .unwrap()
        .query_row(
            (
                event.event_id.to_string(),
                event.tenant.as_str(),
                event.invoice_id.to_string(),
            ),
            |row| row.get(0),
        )
        .unwrap();
    tx.prepare_cached("INSERT INTO outbox_payloads (seq, payload) VALUES (?, ?)")
        .unwrap()
        .execute((seq, payload))
        .unwrap();
    tx.commit().unwrap();
}

thread_local! {
    /// The connection of this worker thread, opened on its first read.
    static CONNECTION: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
}

/// A read on the calling thread, through the connection that thread keeps.
fn get_in_thread(file: &Path, tenant: &TenantId, id: InvoiceId) -> Invoice {
    CONNECTION.with(|connection| {
        let mut connection = connection.borrow_mut();
        let connection =
            connection.get_or_insert_with(|| rusqlite::Connection::open(file).unwrap());
        get_rusqlite(connection, tenant, id)
    })
}

criterion_group!(benches, sqlite);
criterion_main!(benches);
