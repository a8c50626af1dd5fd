//! `storage`: PostgreSQL through `PostgresStore`, against hand-written sqlx.
//!
//! - `storage/create`: a 10-line invoice and its `Created` outbox event in one transaction,
//!   through `InvoiceStore::create` (`ours`) and as the same two rows inserted by hand-written
//!   sqlx in one transaction (`baseline`). Target: ours ≤ 1.3× the baseline.
//! - `storage/list`: page 0 of size 10 with a client filter (and its total count) over
//!   100 000 invoices of one tenant (10 000 of them the client's), after `VACUUM ANALYZE`
//!   as autovacuum would leave the table. Besides criterion's mean, the run prints the p99
//!   of 1 000 timed calls (target < 5 ms).
//!
//! Needs `DATABASE_URL` (PostgreSQL); without it the benchmarks are skipped. The 100 000
//! rows are seeded once into schema `bench_list_100k` and reused by later runs.
//!
//! Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p invoice-benches --bench storage`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::draft;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use invoice_core::{ClientId, EventEnvelope, Invoice, TenantId};
use invoice_storage::{InvoiceQuery, InvoiceStore, PageRequest, PostgresStore};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::runtime::Runtime;
use uuid::Uuid;

const LIST_ROWS: u64 = 100_000;

async fn raw_pool(url: &str, schema: &str) -> PgPool {
    let options: PgConnectOptions = url.parse().unwrap();
    PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options.options([("search_path", schema)]))
        .await
        .unwrap()
}

/// The baseline: the same two rows, by hand, in one transaction.
async fn insert_by_hand(pool: &PgPool, invoice: &Invoice, event: &EventEnvelope) {
    let body = serde_json::to_string(invoice).unwrap();
    let payload = serde_json::to_string(event).unwrap();
    let buyer = invoice.buyer().name();
    let due = invoice.due_date().unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO invoices (id, tenant, status, client_id, number, buyer_name, number_folded, \
         buyer_folded, issue_date, due_date, due_key, version, body) \
         VALUES ($1, $2, 'draft', NULL, NULL, $3, NULL, $4, NULL, $5, $6, $7, $8::jsonb)",
    )
    .bind(invoice.id().as_uuid())
    .bind(invoice.tenant().as_str())
    .bind(buyer)
    .bind(buyer.to_lowercase())
    .bind(due)
    .bind(i64::from(chrono::Datelike::num_days_from_ce(&due)))
    .bind(1i64)
    .bind(body)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (event_id, tenant, invoice_id, payload) VALUES ($1, $2, $3, $4::jsonb)",
    )
    .bind(event.event_id.as_uuid())
    .bind(event.tenant.as_str())
    .bind(event.invoice_id.as_uuid())
    .bind(payload)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn storage(c: &mut Criterion) {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("SKIPPED storage benchmarks: set DATABASE_URL");
        return;
    };
    let rt = Runtime::new().unwrap();
    let schema = format!("bench_create_{}", Uuid::new_v4().simple());
    let store = rt
        .block_on(PostgresStore::builder(&url).schema(&schema).build())
        .unwrap();
    let pool = rt.block_on(raw_pool(&url, &schema));
    let tenant = TenantId::new("bench").unwrap();

    let mut group = c.benchmark_group("storage/create");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("ours", "10 lines + event"), |b| {
        b.to_async(&rt).iter_batched(
            || draft(&tenant, None, 1),
            |(invoice, event)| {
                let store = &store;
                async move { store.create(&invoice, &[event]).await.unwrap() }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function(BenchmarkId::new("baseline", "10 lines + event"), |b| {
        b.to_async(&rt).iter_batched(
            || draft(&tenant, None, 1),
            |(invoice, event)| {
                let pool = &pool;
                async move { insert_by_hand(pool, &invoice, &event).await }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
    rt.block_on(async {
        // The name is ours (a UUID), not input: formatting it into the statement is safe.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&pool)
        .await
        .ok();
    });

    // 100 000 invoices of one tenant, one in ten for the filtered client; seeded once.
    let list_store = Arc::new(
        rt.block_on(
            PostgresStore::builder(&url)
                .schema("bench_list_100k")
                .build(),
        )
        .unwrap(),
    );
    let client = ClientId::from_uuid(Uuid::from_u128(0x5eed));
    let seeded: i64 = rt.block_on(async {
        let pool = raw_pool(&url, "bench_list_100k").await;
        sqlx::query_scalar("SELECT count(*) FROM invoices")
            .fetch_one(&pool)
            .await
            .unwrap()
    });
    if (seeded as u64) < LIST_ROWS {
        eprintln!(
            "seeding {} invoices into bench_list_100k (once)…",
            LIST_ROWS - seeded as u64
        );
        rt.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let per_task = (LIST_ROWS - seeded as u64).div_ceil(8);
            for t in 0..8u64 {
                let store = Arc::clone(&list_store);
                let tenant = tenant.clone();
                tasks.spawn(async move {
                    for i in 0..per_task {
                        let n = t * per_task + i;
                        let (invoice, event) =
                            draft(&tenant, n.is_multiple_of(10).then_some(client), n);
                        store.create(&invoice, &[event]).await.unwrap();
                    }
                });
            }
            while tasks.join_next().await.is_some() {}
        });
    }
    // As autovacuum leaves a table some time after a bulk load: statistics for the planner
    // and a visibility map for index-only scans. Cheap when nothing changed since.
    rt.block_on(async {
        let pool = raw_pool(&url, "bench_list_100k").await;
        sqlx::query("VACUUM ANALYZE invoices")
            .execute(&pool)
            .await
            .unwrap();
    });
    let query = InvoiceQuery::new()
        .client(client)
        .page(PageRequest::Offset { page: 0, size: 10 });
    let mut group = c.benchmark_group("storage/list");
    group.bench_function(
        BenchmarkId::new("ours", "page 0 of 10, client filter, 100k rows"),
        |b| {
            b.to_async(&rt).iter(|| {
                let store = Arc::clone(&list_store);
                let (tenant, query) = (tenant.clone(), query.clone());
                async move { store.list(&tenant, &query).await.unwrap() }
            })
        },
    );
    group.finish();
    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut out = Vec::with_capacity(1000);
        for _ in 0..1000 {
            let started = Instant::now();
            let page = list_store.list(&tenant, &query).await.unwrap();
            out.push(started.elapsed());
            assert_eq!(page.items.len(), 10);
        }
        out
    });
    samples.sort();
    println!(
        "storage/list p50 {:?}, p99 {:?}, max {:?} over {} calls",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        samples[samples.len() - 1],
        samples.len()
    );
}

criterion_group!(benches, storage);
criterion_main!(benches);
