//! The SQLite adapter: the whole conformance suite, each store in a new file (so each
//! has an empty outbox), plus its builder, migrations and error mapping.

use invoice_storage::testing;
use invoice_storage::{Error, InvoiceStore, SqliteStore};
use sqlx::{Connection, SqliteConnection};
use tempfile::TempDir;

fn new_file(dir: &TempDir) -> std::path::PathBuf {
    dir.path()
        .join(format!("{}.db", uuid::Uuid::new_v4().simple()))
}

async fn raw_connection(path: &std::path::Path) -> SqliteConnection {
    let url = format!("sqlite://{}", path.display());
    SqliteConnection::connect(&url).await.unwrap()
}

async fn applied_migrations(conn: &mut SqliteConnection) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    testing::run_all(|| {
        let path = new_file(&dir);
        async move { SqliteStore::open(path).await.unwrap() }
    })
    .await;
}

#[tokio::test]
async fn sqlite_unopenable_file_is_a_backend_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing_folder = SqliteStore::open(dir.path().join("no/such/folder/x.db")).await;
    assert!(
        matches!(
            missing_folder,
            Err(Error::Backend {
                backend: "sqlite",
                ..
            })
        ),
        "{missing_folder:?}"
    );
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(&not_a_database, vec![b'x'; 4096]).unwrap();
    let opened = SqliteStore::open(&not_a_database).await;
    assert!(
        matches!(
            opened,
            Err(Error::Backend {
                backend: "sqlite",
                ..
            })
        ),
        "{opened:?}"
    );
}

#[tokio::test]
async fn sqlite_migrate_twice_changes_nothing_and_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let mut conn = raw_connection(&path).await;
    let applied = applied_migrations(&mut conn).await;
    assert!(applied >= 1);

    let tenant = testing::fresh_tenant();
    let (invoice, _) = invoice_core::Invoice::create(testing::draft(&tenant, "Kept AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(applied_migrations(&mut conn).await, applied);
    assert_eq!(reopened.get(&tenant, invoice.id()).await.unwrap(), invoice);
}

#[tokio::test]
async fn sqlite_refuses_a_file_migrated_by_a_newer_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let mut conn = raw_connection(&path).await;
    let supported: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let future = 99_991_231_000_000_i64;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?, 'from a newer library', true, ?, 0)",
    )
    .bind(future)
    .bind(vec![0u8; 48])
    .execute(&mut conn)
    .await
    .unwrap();

    match SqliteStore::open(&path).await {
        Err(Error::SchemaTooNew {
            backend: "sqlite",
            found,
            supported: ours,
        }) => assert_eq!((found, ours), (future, supported)),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(matches!(
        store.migrate().await,
        Err(Error::SchemaTooNew { .. })
    ));
}

#[tokio::test]
async fn sqlite_unreadable_body_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (invoice, _) = invoice_core::Invoice::create(testing::draft(&tenant, "Broken AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    let mut conn = raw_connection(&path).await;
    sqlx::query("UPDATE invoices SET body = 'not json' WHERE id = ?")
        .bind(invoice.id().to_string())
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
}
