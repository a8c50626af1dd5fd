//! `reports`: receivables aging and the VAT summary of one tenant on PostgreSQL, computed
//! where the data lives (`PostgresStore`'s `ReportStore`: aging one `GROUP BY` over the
//! receivables table a trigger maintains in each write's transaction, the VAT summary one
//! over the issued invoices' VAT facts), beside the floor a naive service pays: loading
//! the tenant's invoices and running the core's reference computation over them
//! (`load + reference`).
//!
//! The data: `REPORT_BENCH_ROWS` invoices (default 1 000 000) of tenant `bench` among
//! three other tenants' (a third as many again), seeded once into schema
//! `bench_reports_<rows>` by SQL from one real issued invoice, its columns varied (status,
//! currency, client, issue and due dates, amount due) and its body and VAT facts shared.
//! The floor therefore parses the same body a million times: it measures loading and
//! computing, its figures are not the SQL ones. Besides criterion's mean, the run prints
//! the p99 of 50 timed aging calls (target < 200 ms at 1 M, and ≥ 20× faster than the
//! floor).
//!
//! Needs `DATABASE_URL` (PostgreSQL); without it the benchmark is skipped.
//!
//! Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p
//! invoice-benches --bench reports`.

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::draft;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use invoice_core::reports::{self, ReportFacts};
use invoice_core::{Invoice, TenantId};
use invoice_storage::{InvoiceStore, IssueRequest, PostgresStore, ReportStore};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::runtime::Runtime;

async fn raw_pool(url: &str, schema: &str) -> PgPool {
    let options: PgConnectOptions = url.parse().unwrap();
    PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.options([("search_path", schema)]))
        .await
        .unwrap()
}

/// Seeds `rows` invoices of `bench` (and a third as many of three other tenants) from one
/// real issued invoice, unless the schema has them.
async fn seed(store: &PostgresStore, pool: &PgPool, tenant: &TenantId, rows: u64) {
    let have: i64 = sqlx::query_scalar("SELECT count(*) FROM invoices WHERE tenant = 'bench'")
        .fetch_one(pool)
        .await
        .unwrap();
    if have as u64 >= rows {
        return;
    }
    eprintln!("seeding {rows} invoices of tenant bench (once)…");
    let (template, event) = draft(tenant, None, 0);
    store.create(&template, &[event]).await.unwrap();
    let request = IssueRequest::new(
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        invoice_core::EventId::from_uuid(uuid::Uuid::new_v4()),
        chrono::Utc::now(),
    );
    store.issue(tenant, template.id(), &request).await.unwrap();
    let total = i32::try_from(rows + rows / 3).unwrap();
    sqlx::query(
        "INSERT INTO invoices (id, tenant, status, client_id, number, buyer_name, number_folded, \
           buyer_folded, issue_date, due_date, due_key, version, body, kind, seller_name, \
           currency, net_amount, vat_amount, gross_amount, amount_due, updated_at, facts) \
         SELECT gen_random_uuid(), \
           CASE WHEN g % 4 = 0 THEN 'other-' || (g % 3) ELSE 'bench' END, \
           (ARRAY['issued', 'issued', 'partially_paid', 'paid'])[1 + g % 4], \
           ('00000000-0000-0000-0000-' || lpad((g % 50)::text, 12, '0'))::uuid, \
           'INV-' || g, t.buyer_name, 'inv-' || g, t.buyer_folded, \
           DATE '2024-01-01' + (g % 1000), DATE '2024-01-01' + (g % 1000) + (g % 60), \
           t.due_key, t.version, t.body, t.kind, t.seller_name, \
           (ARRAY['EUR', 'EUR', 'USD', 'GBP'])[1 + (g / 4) % 4], \
           t.net_amount, t.vat_amount, t.gross_amount, \
           CASE WHEN g % 4 = 3 THEN 0 ELSE t.gross_amount END, t.updated_at, t.facts \
         FROM invoices t, generate_series(1, $1::int) g WHERE t.id = $2",
    )
    .bind(total)
    .bind(template.id().as_uuid())
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE invoices")
        .execute(pool)
        .await
        .unwrap();
}

/// The floor: every invoice of the tenant loaded and parsed, then the core's reference.
async fn load_facts(pool: &PgPool) -> Vec<ReportFacts> {
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body::text FROM invoices WHERE tenant = 'bench'")
            .fetch_all(pool)
            .await
            .unwrap();
    bodies
        .iter()
        .map(|body| {
            let invoice: Invoice = serde_json::from_str(body).unwrap();
            ReportFacts::of(&invoice).unwrap()
        })
        .collect()
}

fn reports_bench(c: &mut Criterion) {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("SKIPPED reports benchmarks: set DATABASE_URL");
        return;
    };
    let rows: u64 = std::env::var("REPORT_BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let schema = format!("bench_reports_{rows}");
    let rt = Runtime::new().unwrap();
    let store = rt
        .block_on(PostgresStore::builder(&url).schema(&schema).build())
        .unwrap();
    let pool = rt.block_on(raw_pool(&url, &schema));
    let tenant = TenantId::new("bench").unwrap();
    rt.block_on(seed(&store, &pool, &tenant, rows));
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let (from, to) = (
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    );
    let label = format!("{rows} invoices");

    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(BenchmarkId::new("aging: ours (SQL)", &label), |b| {
        b.to_async(&rt)
            .iter(|| async { store.aging(&tenant, as_of).await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("vat summary: ours (SQL)", &label), |b| {
        b.to_async(&rt)
            .iter(|| async { store.vat_summary(&tenant, from, to).await.unwrap() })
    });
    group.bench_function(BenchmarkId::new("aging: load + reference", &label), |b| {
        b.to_async(&rt).iter(|| async {
            let facts = load_facts(&pool).await;
            reports::aging(&facts, as_of).unwrap()
        })
    });
    group.bench_function(
        BenchmarkId::new("vat summary: load + reference", &label),
        |b| {
            b.to_async(&rt).iter(|| async {
                let facts = load_facts(&pool).await;
                reports::vat_summary(&facts, from, to).unwrap()
            })
        },
    );
    group.finish();

    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut out = Vec::with_capacity(50);
        for _ in 0..50 {
            let started = Instant::now();
            store.aging(&tenant, as_of).await.unwrap();
            out.push(started.elapsed());
        }
        out
    });
    samples.sort();
    println!(
        "reports/aging over {rows} invoices: p50 {:?}, p99 {:?} over {} calls",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        samples.len()
    );
}

criterion_group!(benches, reports_bench);
criterion_main!(benches);
