//! The PostgreSQL adapter against a real server: the whole conformance suite, each store
//! in a fresh schema (so each has an empty outbox), plus its builder, migrations and
//! error mapping. Set `DATABASE_URL`, e.g. `postgres://postgres@127.0.0.1:5432/test`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use invoice_storage::testing::{self, require_env};
use invoice_storage::{Error, InvoiceStore, PostgresStore};
use sqlx::{Connection, PgConnection};

fn fresh_schema() -> String {
    format!("test_{}", uuid::Uuid::new_v4().simple())
}

async fn store_in(url: &str, schema: &str) -> PostgresStore {
    PostgresStore::builder(url)
        .schema(schema)
        .max_connections(8)
        .build()
        .await
        .unwrap()
}

/// A connection whose `search_path` is `schema`, for looking behind the store's back.
async fn raw_connection(url: &str, schema: &str) -> PgConnection {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query("SELECT set_config('search_path', quote_ident($1), false)")
        .bind(schema)
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

async fn drop_schemas(url: &str, schemas: &[String]) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    for schema in schemas {
        sqlx::query("SELECT set_config('invoice_storage.schema', $1, false)")
            .bind(schema)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "DO $$ BEGIN EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', \
             current_setting('invoice_storage.schema')); END $$",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

async fn applied_migrations(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_passes_the_conformance_suite() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_store_passes_the_conformance_suite",
    ) else {
        return;
    };
    let schemas = Arc::new(Mutex::new(Vec::new()));
    testing::run_all(|| {
        let url = url.clone();
        let schemas = Arc::clone(&schemas);
        async move {
            let schema = fresh_schema();
            schemas.lock().unwrap().push(schema.clone());
            store_in(&url, &schema).await
        }
    })
    .await;
    let schemas = schemas.lock().unwrap().clone();
    drop_schemas(&url, &schemas).await;
}

#[tokio::test]
async fn postgres_bad_url_or_unreachable_server_is_a_backend_error() {
    let not_a_url = PostgresStore::connect("definitely not a url").await;
    assert!(
        matches!(
            not_a_url,
            Err(Error::Backend {
                backend: "postgres",
                ..
            })
        ),
        "{not_a_url:?}"
    );
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    let unreachable = PostgresStore::builder("postgres://postgres@127.0.0.1:1/test")
        .acquire_timeout(Duration::from_secs(1))
        .build()
        .await;
    assert!(
        matches!(
            unreachable,
            Err(Error::Backend {
                backend: "postgres",
                ..
            })
        ),
        "{unreachable:?}"
    );
    let empty_schema = PostgresStore::builder("postgres://postgres@127.0.0.1:1/test")
        .schema("")
        .build()
        .await;
    assert!(
        matches!(
            empty_schema,
            Err(Error::InvalidConfig {
                backend: "postgres",
                ..
            })
        ),
        "{empty_schema:?}"
    );
}

#[tokio::test]
async fn postgres_migrate_twice_changes_nothing() {
    let Some(url) = require_env("DATABASE_URL", "postgres_migrate_twice_changes_nothing") else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let mut conn = raw_connection(&url, &schema).await;
    let applied = applied_migrations(&mut conn).await;
    assert!(applied >= 1);

    let tenant = testing::fresh_tenant();
    let (invoice, _) = invoice_core::Invoice::create(testing::draft(&tenant, "Kept AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    // A second store on the same schema migrates on build: also nothing to do.
    let again = store_in(&url, &schema).await;
    assert_eq!(applied_migrations(&mut conn).await, applied);
    assert_eq!(again.get(&tenant, invoice.id()).await.unwrap(), invoice);
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test]
async fn postgres_refuses_a_schema_migrated_by_a_newer_library() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_refuses_a_schema_migrated_by_a_newer_library",
    ) else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let mut conn = raw_connection(&url, &schema).await;
    let supported: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let future = 99_991_231_000_000_i64;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer library', true, $2, 0)",
    )
    .bind(future)
    .bind(vec![0u8; 48])
    .execute(&mut conn)
    .await
    .unwrap();

    let reopened = PostgresStore::builder(&url).schema(&schema).build().await;
    match reopened {
        Err(Error::SchemaTooNew {
            backend: "postgres",
            found,
            supported: ours,
        }) => assert_eq!((found, ours), (future, supported)),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(matches!(
        store.migrate().await,
        Err(Error::SchemaTooNew { .. })
    ));
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test]
async fn postgres_unreadable_body_is_corrupt() {
    let Some(url) = require_env("DATABASE_URL", "postgres_unreadable_body_is_corrupt") else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let tenant = testing::fresh_tenant();
    let (invoice, _) = invoice_core::Invoice::create(testing::draft(&tenant, "Broken AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    let mut conn = raw_connection(&url, &schema).await;
    sqlx::query("UPDATE invoices SET body = '{\"written_by\": \"someone else\"}' WHERE id = $1")
        .bind(invoice.id().as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let read = store.get(&tenant, invoice.id()).await;
    assert!(
        matches!(
            read,
            Err(Error::Corrupt {
                what: "invoice",
                ..
            })
        ),
        "{read:?}"
    );
    drop_schemas(&url, &[schema]).await;
}

/// Rows written before the summary columns existed (simulated by emptying them) list
/// only once `migrate` has filled them from their bodies.
#[tokio::test]
async fn postgres_migrate_fills_the_summaries_of_older_rows() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_migrate_fills_the_summaries_of_older_rows",
    ) else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    let tenant = testing::fresh_tenant();
    let mut expected = Vec::new();
    let mut facts = Vec::new();
    for i in 0..3 {
        let (invoice, _) =
            invoice_core::Invoice::create(testing::draft(&tenant, &format!("Older {i}"))).unwrap();
        store.create(&invoice, &[]).await.unwrap();
        let request = invoice_storage::IssueRequest::new(
            chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            invoice_core::EventId::from_uuid(uuid::Uuid::new_v4()),
            chrono::Utc::now(),
        );
        let (invoice, _) = store.issue(&tenant, invoice.id(), &request).await.unwrap();
        facts.push(invoice_core::reports::ReportFacts::of(&invoice).unwrap());
        let mut summary = invoice_storage::InvoiceSummary::of(&invoice, None).unwrap();
        summary.updated_at = None;
        expected.insert(0, summary);
    }
    let mut conn = raw_connection(&url, &schema).await;
    sqlx::query(
        "UPDATE invoices SET seller_name = NULL, currency = NULL, net_amount = NULL, \
         vat_amount = NULL, gross_amount = NULL, amount_due = NULL, updated_at = NULL, \
         facts = NULL",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let query = invoice_storage::InvoiceQuery::new();
    assert!(matches!(
        store.list(&tenant, &query).await,
        Err(Error::Corrupt {
            what: "invoice summary",
            ..
        })
    ));
    store.migrate().await.unwrap();
    assert_eq!(store.list(&tenant, &query).await.unwrap().items, expected);
    // The report facts were filled too: the VAT summary counts the older rows.
    let (from, to) = (
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    );
    let vat = invoice_storage::ReportStore::vat_summary(&store, &tenant, from, to)
        .await
        .unwrap();
    assert_eq!(
        vat,
        invoice_core::reports::vat_summary(&facts, from, to).unwrap()
    );
    assert!(!vat.is_empty());
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reports_match_the_reference_computation() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_reports_match_the_reference_computation",
    ) else {
        return;
    };
    let schema = fresh_schema();
    let store = store_in(&url, &schema).await;
    testing::reports_match_the_reference_computation(&store, 2000).await;
    // Aging reads the receivables table the trigger keeps: after every kind of write the
    // suite made (issues, payments, credit notes), it holds exactly the open invoices'
    // sums, no row more or less.
    let mut conn = raw_connection(&url, &schema).await;
    let (kept, differing): (i64, i64) = sqlx::query_as(
        "WITH recomputed AS ( \
           SELECT tenant, issue_date, currency, COALESCE(client_id::text, '') AS client_key, \
                  COALESCE(due_date, issue_date) AS due_date, SUM(amount_due) AS amount, \
                  COUNT(*) AS invoices \
             FROM invoices \
            WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice' \
              AND amount_due > 0 \
            GROUP BY 1, 2, 3, 4, 5), \
         kept AS (SELECT tenant, issue_date, currency, client_key, due_date, amount, invoices \
                    FROM receivables) \
         SELECT (SELECT COUNT(*) FROM kept), \
                (SELECT COUNT(*) FROM ((SELECT * FROM kept EXCEPT SELECT * FROM recomputed) \
                  UNION ALL (SELECT * FROM recomputed EXCEPT SELECT * FROM kept)) d)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(kept > 0, "the suite leaves open invoices");
    assert_eq!(
        differing, 0,
        "receivables differ from the invoices in {differing} rows"
    );
    store.close().await;
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_racing_generators_make_each_period_once() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_racing_generators_make_each_period_once",
    ) else {
        return;
    };
    let schema = fresh_schema();
    // Two pools on one schema, as two service instances would have.
    let a = Arc::new(store_in(&url, &schema).await);
    let b = Arc::new(store_in(&url, &schema).await);
    let (made_a, made_b, seen) =
        testing::racing_generators_make_each_period_once(a.clone(), b.clone(), 40).await;
    println!(
        "racing generators: a created {made_a}, b created {made_b}, {seen} periods found generated"
    );
    a.close().await;
    b.close().await;
    drop_schemas(&url, &[schema]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_reminder_claims_from_two_pools_are_never_shared() {
    let Some(url) = require_env(
        "DATABASE_URL",
        "postgres_reminder_claims_from_two_pools_are_never_shared",
    ) else {
        return;
    };
    let schema = fresh_schema();
    let a = Arc::new(store_in(&url, &schema).await);
    let b = Arc::new(store_in(&url, &schema).await);
    testing::reminder_claims_are_leased_and_never_shared(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
    drop_schemas(&url, &[schema]).await;
}
