//! The SQLite adapter: the whole conformance suite, each store in a new file (so each
//! has an empty outbox), plus its builder, migrations, group commit and error mapping.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use invoice_core::{EventEnvelope, EventId, Invoice, InvoicePatch};
use invoice_storage::testing;
use invoice_storage::{
    Error, InvoiceJson, InvoiceQuery, InvoiceSort, InvoiceStore, OutboxStore, PageRequest,
    SqliteStore,
};
use rusqlite::Connection;
use tempfile::TempDir;
use uuid::Uuid;

fn new_file(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join(format!("{}.db", Uuid::new_v4().simple()))
}

fn applied_migrations(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT COUNT(*) FROM _invoice_storage_migrations",
        [],
        |row| row.get(0),
    )
    .unwrap()
}

fn created(tenant: &invoice_core::TenantId, buyer: &str) -> (Invoice, EventEnvelope) {
    let (invoice, event) = Invoice::create(testing::draft(tenant, buyer)).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    let envelope = EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), at, &invoice, event);
    (invoice, envelope)
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

/// The suite on a store that holds its file for this process alone: its writer,
/// checkpointer and readers (pooled and opened for a burst) share the file's lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_exclusive_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    testing::run_all(|| {
        let path = new_file(&dir);
        async move {
            SqliteStore::builder(path)
                .exclusive(true)
                .read_connections(2)
                .build()
                .await
                .unwrap()
        }
    })
    .await;
}

/// Set for the child process of `sqlite_exclusive_store_keeps_other_processes_out`: the
/// database file it tries to open.
const EXCLUSIVE_CHILD: &str = "INVOICE_STORAGE_EXCLUSIVE_CHILD_FILE";

/// In another process (started by the test below): opens the file the parent names,
/// with a short busy timeout, and prints `OPENED <invoices>` or `REFUSED <error>`.
#[tokio::test]
#[ignore = "run by sqlite_exclusive_store_keeps_other_processes_out in a child process"]
async fn exclusive_child_opens_the_file() {
    let Ok(path) = std::env::var(EXCLUSIVE_CHILD) else {
        return;
    };
    match SqliteStore::builder(&path)
        .busy_timeout(Duration::from_millis(200))
        .build()
        .await
    {
        Ok(store) => {
            let conn = Connection::open(&path).unwrap();
            let invoices: i64 = conn
                .query_row("SELECT COUNT(*) FROM invoices", [], |row| row.get(0))
                .unwrap();
            println!("OPENED {invoices}");
            store.close().await;
        }
        Err(Error::Open { source, .. }) => println!("REFUSED {source}"),
        Err(other) => println!("OTHER {other:?}"),
    }
}

/// What the child process says when it tries to open `path`.
fn open_in_another_process(path: &std::path::Path) -> String {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "exclusive_child_opens_the_file",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(EXCLUSIVE_CHILD, path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    stdout
        .lines()
        // libtest may have written "test ... " on the same line first.
        .find_map(|line| {
            ["OPENED ", "REFUSED ", "OTHER "]
                .iter()
                .find_map(|tag| line.find(tag).map(|at| line[at..].to_owned()))
        })
        .unwrap_or_else(|| panic!("the child said nothing: {stdout}"))
}

/// An exclusive store keeps every other process out of its file while it is open (a
/// store built there fails with `Error::Open`, "database is locked"), and lets them in
/// once closed; a shared store (the default) lets them in while open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_exclusive_store_keeps_other_processes_out() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = testing::fresh_tenant();

    let shared = new_file(&dir);
    let store = SqliteStore::open(&shared).await.unwrap();
    let (invoice, event) = created(&tenant, "Shared AG");
    store.create(&invoice, &[event]).await.unwrap();
    assert_eq!(open_in_another_process(&shared), "OPENED 1");
    store.close().await;

    let exclusive = new_file(&dir);
    let store = SqliteStore::builder(&exclusive)
        .exclusive(true)
        .build()
        .await
        .unwrap();
    let (invoice, event) = created(&tenant, "Exclusive AG");
    store.create(&invoice, &[event]).await.unwrap();
    let refused = open_in_another_process(&exclusive);
    assert!(
        refused.starts_with("REFUSED ") && refused.contains("locked"),
        "{refused}"
    );
    // The store itself reads and writes on, its file whole.
    assert_eq!(store.get(&tenant, invoice.id()).await.unwrap(), invoice);
    let (second, event) = created(&tenant, "Exclusive Zwei AG");
    store.create(&second, &[event]).await.unwrap();
    store.close().await;
    assert_eq!(open_in_another_process(&exclusive), "OPENED 2");
}

#[tokio::test]
async fn sqlite_unopenable_file_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing_folder = SqliteStore::open(dir.path().join("no/such/folder/x.db")).await;
    assert!(
        matches!(&missing_folder, Err(Error::Open { backend: "sqlite", location, .. }) if location.ends_with("x.db")),
        "{missing_folder:?}"
    );
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(&not_a_database, vec![b'x'; 4096]).unwrap();
    let opened = SqliteStore::open(&not_a_database).await;
    assert!(
        matches!(
            opened,
            Err(Error::Open {
                backend: "sqlite",
                ..
            })
        ),
        "{opened:?}"
    );
    let no_readers = SqliteStore::builder(new_file(&dir))
        .read_connections(0)
        .build()
        .await;
    assert!(
        matches!(no_readers, Err(Error::Open { .. })),
        "{no_readers:?}"
    );
}

#[tokio::test]
async fn sqlite_migrate_twice_changes_nothing_and_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let applied = applied_migrations(&conn);
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(
        applied,
        i64::try_from(files).unwrap(),
        "every migration file applied"
    );

    let tenant = testing::fresh_tenant();
    let (invoice, _) = Invoice::create(testing::draft(&tenant, "Kept AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    assert!(
        store.get(&tenant, invoice.id()).await.is_ok(),
        "idle readers may close, reads still work"
    );
    assert!(matches!(
        store.create(&invoice, &[]).await,
        Err(Error::Backend { .. })
    ));
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(applied_migrations(&conn), applied);
    assert_eq!(reopened.get(&tenant, invoice.id()).await.unwrap(), invoice);
}

#[tokio::test]
async fn sqlite_refuses_a_file_migrated_by_a_newer_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let supported: i64 = conn
        .query_row(
            "SELECT MAX(version) FROM _invoice_storage_migrations",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let future = 99_991_231_000_000_i64;
    conn.execute(
        "INSERT INTO _invoice_storage_migrations (version, description) VALUES (?, 'from a newer library')",
        [future],
    )
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

/// A file written by the earlier sqlx-based adapter (its migrations in
/// `_sqlx_migrations`, rows without summary columns) opens, and its rows list with
/// their summaries filled from their bodies.
#[tokio::test]
async fn sqlite_opens_a_file_of_the_sqlx_adapter_and_fills_its_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let tenant = testing::fresh_tenant();
    let (invoice, _) = Invoice::create(testing::draft(&tenant, "Old Row GmbH")).unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!(
            "../migrations/sqlite/20261124000000_initial.sql"
        ))
        .unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (20261124000000, 'initial', true, x'00', 0);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO invoices (id, tenant, status, buyer_name, buyer_folded, due_date, \
             due_key, version, body) \
             VALUES (?1, ?2, 'draft', 'Old Row GmbH', 'old row gmbh', ?3, ?3, 1, ?4)",
            (
                invoice.id().to_string(),
                tenant.as_str(),
                i64::from(chrono::Datelike::num_days_from_ce(
                    &invoice.due_date().unwrap(),
                )),
                serde_json::to_string(&invoice).unwrap(),
            ),
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    let page = store.list(&tenant, &InvoiceQuery::new()).await.unwrap();
    assert_eq!(
        page.items,
        [invoice_storage::InvoiceSummary::of(&invoice, None).unwrap()]
    );
    assert_eq!(store.get(&tenant, invoice.id()).await.unwrap(), invoice);
}

/// Outbox events written before their payloads moved to a table of their own (migration
/// 20261206000000) are still claimed, published and listed in their invoice's history,
/// with their attempts kept.
#[tokio::test]
async fn sqlite_keeps_outbox_events_written_before_payloads_moved() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let tenant = testing::fresh_tenant();
    let (invoice, event) = Invoice::create(testing::draft(&tenant, "Early Event GmbH")).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    let envelope =
        |event| EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), at, &invoice, event);
    let (published, leased) = (envelope(event.clone()), envelope(event));
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!(
            "../migrations/sqlite/20261124000000_initial.sql"
        ))
        .unwrap();
        conn.execute_batch(
            "CREATE TABLE _invoice_storage_migrations (version INTEGER PRIMARY KEY, \
             description TEXT NOT NULL) STRICT; \
             INSERT INTO _invoice_storage_migrations VALUES (20261124000000, 'initial');",
        )
        .unwrap();
        let mut insert = conn
            .prepare(
                "INSERT INTO outbox (event_id, tenant, invoice_id, payload, published_at, \
                 leased_until, attempts) VALUES (?, ?, ?, ?, ?, 0, ?)",
            )
            .unwrap();
        for (envelope, published_at, attempts) in [(&published, Some(1_i64), 1), (&leased, None, 2)]
        {
            insert
                .execute((
                    envelope.event_id.to_string(),
                    tenant.as_str(),
                    invoice.id().to_string(),
                    serde_json::to_string(envelope).unwrap(),
                    published_at,
                    attempts,
                ))
                .unwrap();
        }
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store.history(&tenant, invoice.id()).await.unwrap(),
        [published.clone(), leased.clone()]
    );
    let now = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
    let claimed = store.claim(10, Duration::from_secs(30), now).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!((&claimed[0].envelope, claimed[0].attempts), (&leased, 3));
    store.mark_published(&[leased.event_id], now).await.unwrap();
    assert_eq!(store.pending().await.unwrap(), 0);

    let conn = Connection::open(&path).unwrap();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('outbox')")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(!columns.iter().any(|c| c == "payload"), "{columns:?}");
}

/// A claimed event whose payload row is gone is a typed error, not a panic or a skip.
#[tokio::test]
async fn sqlite_event_without_its_payload_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (_, envelope) = created(&tenant, "Lost Payload AG");
    store.append(std::slice::from_ref(&envelope)).await.unwrap();
    Connection::open(&path)
        .unwrap()
        .execute("DELETE FROM outbox_payloads", [])
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
    let claimed = store.claim(10, Duration::from_secs(30), now).await;
    assert!(
        matches!(claimed, Err(Error::Corrupt { what: "event", .. })),
        "{claimed:?}"
    );
}

#[tokio::test]
async fn sqlite_unreadable_body_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (invoice, _) = Invoice::create(testing::draft(&tenant, "Broken AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE invoices SET body = 'not json', net_amount = 'lots' WHERE id = ?",
        [invoice.id().to_string()],
    )
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
    let listed = store.list(&tenant, &InvoiceQuery::new()).await;
    assert!(
        matches!(
            listed,
            Err(Error::Corrupt {
                what: "invoice summary",
                ..
            })
        ),
        "{listed:?}"
    );
}

/// `list_json` writes what `list` reads: a column this library writes differently (an
/// id in capitals, an amount with a leading zero or a negative zero) is read and
/// written as `list` writes it, and a value `list` refuses `list_json` refuses too.
#[tokio::test]
async fn sqlite_list_json_refuses_what_list_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (invoice, _) = Invoice::create(testing::draft(&tenant, "Odd Columns AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let id = invoice.id().to_string();
    conn.execute(
        "UPDATE invoices SET id = upper(id), net_amount = '0100.50', vat_amount = '-0.00', \
         gross_amount = '+1' WHERE id = ?",
        [&id],
    )
    .unwrap();
    let id = id.to_uppercase();
    let query = InvoiceQuery::new();
    let listed = store.list(&tenant, &query).await.unwrap();
    assert_eq!(
        listed.items[0].net_amount,
        rust_decimal_macros::dec!(100.50)
    );
    let json = store.list_json(&tenant, &query).await.unwrap();
    assert_eq!(
        json.items_json(),
        serde_json::to_string(&listed.items).unwrap()
    );
    assert!(json.items_json().contains(&invoice.id().to_string()));

    for (column, value) in [
        ("net_amount", "'lots'"),
        ("vat_amount", "'1e3'"),
        ("amount_due", "NULL"),
        ("kind", "'memo'"),
        ("status", "'lost'"),
        ("currency", "'EURO'"),
        ("number", "'  '"),
        ("seller_name", "NULL"),
        ("version", "-1"),
    ] {
        let before: String = conn
            .query_row(
                &format!("SELECT quote({column}) FROM invoices WHERE id = ?"),
                [&id],
                |row| row.get(0),
            )
            .unwrap();
        conn.execute(
            &format!("UPDATE invoices SET {column} = {value} WHERE id = ?"),
            [&id],
        )
        .unwrap();
        let listed = store.list(&tenant, &query).await;
        let json = store.list_json(&tenant, &query).await;
        for result in [listed.map(|_| ()), json.map(|_| ())] {
            assert!(
                matches!(
                    result,
                    Err(Error::Corrupt {
                        what: "invoice summary",
                        ..
                    })
                ),
                "{column} = {value}: {result:?}"
            );
        }
        conn.execute(
            &format!("UPDATE invoices SET {column} = {before} WHERE id = ?"),
            [&id],
        )
        .unwrap();
        assert!(
            store.list_json(&tenant, &query).await.is_ok(),
            "{column} restored"
        );
    }
}

/// `get_json` hands on the JSON a row keeps only when this build's model wrote it: a row
/// written by another version (or before the columns existed) is decoded and written
/// again, whatever its kept totals say. A row of this version is sent on unparsed when
/// its checksum matches its body and kept totals; any change to either (JSON or not)
/// makes it corrupt; without a checksum (rows kept before checksums) it is sent when it
/// joins into a JSON document, and corrupt when it does not.
#[tokio::test]
async fn sqlite_invoice_json_is_kept_for_this_model_version_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (invoice, _) = Invoice::create(testing::draft(&tenant, "Kept Json AG")).unwrap();
    store.create(&invoice, &[]).await.unwrap();
    let expected = InvoiceJson::of(&invoice).unwrap();
    assert_eq!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        expected
    );
    let is_corrupt = |read: &Result<InvoiceJson, Error>| {
        matches!(
            read,
            Err(Error::Corrupt {
                what: "invoice",
                ..
            })
        )
    };

    let conn = Connection::open(&path).unwrap();
    let set = |sql: &str| {
        assert_eq!(
            conn.execute(sql, [invoice.id().to_string()]).unwrap(),
            1,
            "{sql}"
        );
    };
    let of_the_invoice = "WHERE seq = (SELECT seq FROM invoices WHERE id = ?)";
    // Changed bytes that are still JSON: the checksum no longer matches.
    set("UPDATE invoices SET body = replace(body, 'Kept Json AG', 'Kept Json AX') WHERE id = ?");
    let read = store.get_json(&tenant, invoice.id()).await;
    assert!(is_corrupt(&read), "a changed body: {read:?}");
    set("UPDATE invoices SET body = replace(body, 'Kept Json AX', 'Kept Json AG') WHERE id = ?");
    assert_eq!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        expected,
        "the body as written"
    );
    set(&format!(
        "UPDATE invoice_json SET derived = '{{\"totals\":{{}},\"amount_due\":\"1\"}}' {of_the_invoice}"
    ));
    let read = store.get_json(&tenant, invoice.id()).await;
    assert!(is_corrupt(&read), "changed totals: {read:?}");
    // Without a checksum the joined document is parsed: JSON, so sent as kept.
    set(&format!(
        "UPDATE invoice_json SET checksum = NULL {of_the_invoice}"
    ));
    assert_ne!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        expected,
        "this version's kept totals are what is sent"
    );
    set(&format!(
        "UPDATE invoice_json SET model_version = '0.0.0-older' {of_the_invoice}"
    ));
    assert_eq!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        expected
    );
    set(&format!("DELETE FROM invoice_json {of_the_invoice}"));
    assert_eq!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        expected
    );

    conn.execute(
        "INSERT INTO invoice_json (seq, model_version, derived) \
         SELECT seq, ?2, '{\"totals\":' FROM invoices WHERE id = ?1",
        (invoice.id().to_string(), invoice_core::MODEL_VERSION),
    )
    .unwrap();
    let read = store.get_json(&tenant, invoice.id()).await;
    assert!(is_corrupt(&read), "{read:?}");

    // A write keeps the checksum of what it wrote: sent on again.
    let mut edited = invoice.clone();
    edited
        .update(InvoicePatch::new().payment_terms(Some("14 days".into())))
        .unwrap()
        .unwrap();
    store.update(&edited, invoice.version(), &[]).await.unwrap();
    let checksum: Option<i64> = conn
        .query_row(
            &format!("SELECT checksum FROM invoice_json {of_the_invoice}"),
            [invoice.id().to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert!(checksum.is_some());
    assert_eq!(
        store.get_json(&tenant, invoice.id()).await.unwrap(),
        InvoiceJson::of(&store.get(&tenant, invoice.id()).await.unwrap()).unwrap()
    );
}

/// Writes queued behind one another are committed together, and one that fails (a taken
/// id, a stale version) fails alone: the others of its batch are stored with their
/// events, the failed ones leave nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_a_failed_write_fails_alone_in_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::builder(&path)
        .busy_timeout(Duration::from_secs(10))
        .build()
        .await
        .unwrap();
    let tenant = testing::fresh_tenant();
    let (taken, taken_event) = created(&tenant, "Taken AG");
    store.create(&taken, &[taken_event]).await.unwrap();
    assert_eq!(store.pending().await.unwrap(), 1);

    // Another process holds the write lock, so every write below queues in the writer
    // and the queue is committed as one batch when the lock is released.
    let blocker = Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();

    let store = Arc::new(store);
    let mut tasks = tokio::task::JoinSet::new();
    let mut good = Vec::new();
    for i in 0..40 {
        let store = Arc::clone(&store);
        if i % 4 == 1 {
            // The same id again, with a fresh event: refused, and its event not stored.
            let (mut again, event) = created(&tenant, "Duplicate AG");
            again = serde_json::from_value({
                let mut json = serde_json::to_value(&again).unwrap();
                json["id"] = serde_json::to_value(taken.id()).unwrap();
                json
            })
            .unwrap();
            tasks.spawn(async move { ("duplicate", store.create(&again, &[event]).await) });
        } else if i % 4 == 3 {
            let stale = taken.clone();
            tasks.spawn(async move { ("stale", store.update(&stale, 99, &[]).await) });
        } else {
            let (invoice, event) = created(&tenant, &format!("Good {i}"));
            good.push(invoice.id());
            tasks.spawn(async move { ("good", store.create(&invoice, &[event]).await) });
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    blocker.execute_batch("COMMIT").unwrap();

    let mut outcomes = std::collections::BTreeMap::<&str, (u32, u32)>::new();
    while let Some(joined) = tasks.join_next().await {
        let (kind, result) = joined.unwrap();
        let entry = outcomes.entry(kind).or_default();
        match (kind, result) {
            ("good", Ok(())) => entry.0 += 1,
            (
                "duplicate",
                Err(Error::AlreadyExists {
                    what: "invoice", ..
                }),
            ) => entry.1 += 1,
            ("stale", Err(Error::Conflict { .. })) => entry.1 += 1,
            (kind, other) => panic!("{kind}: unexpected {other:?}"),
        }
    }
    assert_eq!(
        outcomes,
        [
            ("duplicate", (0, 10)),
            ("good", (20, 0)),
            ("stale", (0, 10))
        ]
        .into()
    );
    for id in good {
        store.get(&tenant, id).await.unwrap();
    }
    assert_eq!(
        store.pending().await.unwrap(),
        21,
        "the failed writes left no event"
    );
    assert_eq!(store.get(&tenant, taken.id()).await.unwrap(), taken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reports_match_the_reference_computation() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(new_file(&dir)).await.unwrap();
    testing::reports_match_the_reference_computation(&store, 2000).await;
}

#[tokio::test]
async fn sqlite_reports_fall_back_to_exact_decimals_when_units_are_missing() {
    use invoice_core::reports::{self, Period, ReportFacts, RevenueGrouping};
    use invoice_storage::{IssueRequest, ReportStore};
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (draft, _) = created(&tenant, "Fallback AG");
    store.create(&draft, &[]).await.unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    let request = IssueRequest::new(on, EventId::from_uuid(Uuid::new_v4()), Utc::now());
    let (issued, _) = store.issue(&tenant, draft.id(), &request).await.unwrap();
    let facts = [ReportFacts::of(&issued).unwrap()];
    // As for an amount with more than four decimals: no integer units.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE invoices SET facts = json_set(facts, '$.due_units', NULL, \
             '$.net_units', NULL, '$.vat[0].tax_units', NULL)",
            [],
        )
        .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let aging = store.aging(&tenant, as_of).await.unwrap();
    assert_eq!(aging, reports::aging(&facts, as_of).unwrap());
    assert!(!aging.rows.is_empty());
    let (from, to) = (on, as_of);
    let by = RevenueGrouping::Period(Period::Month);
    assert_eq!(
        store.revenue(&tenant, from, to, by).await.unwrap(),
        reports::revenue(&facts, from, to, by).unwrap()
    );
    assert_eq!(
        store.vat_summary(&tenant, from, to).await.unwrap(),
        reports::vat_summary(&facts, from, to).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_racing_generators_make_each_period_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    // Two stores on one file, as two processes would open it.
    let a = Arc::new(SqliteStore::open(&path).await.unwrap());
    let b = Arc::new(SqliteStore::open(&path).await.unwrap());
    let (made_a, made_b, seen) = testing::racing_generators_make_each_period_once(a, b, 40).await;
    println!(
        "racing generators: a created {made_a}, b created {made_b}, {seen} periods found generated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_reminder_claims_from_two_stores_are_never_shared() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let a = Arc::new(SqliteStore::open(&path).await.unwrap());
    let b = Arc::new(SqliteStore::open(&path).await.unwrap());
    testing::reminder_claims_are_leased_and_never_shared(a, b).await;
}

/// The WAL's length in frames, from its file's size (a 32-byte header, then frames of a
/// 24-byte header and one page each).
fn wal_frames(path: &std::path::Path, page_size: u64) -> u64 {
    let wal = format!("{}-wal", path.display());
    std::fs::metadata(wal).map_or(0, |m| m.len().saturating_sub(32) / (page_size + 24))
}

/// Checkpoints run off the writer thread as the WAL grows, before the writer would
/// checkpoint itself, and under a long stream of commits the WAL stays bounded (it
/// starts over instead of growing with every write).
#[tokio::test]
async fn sqlite_checkpoints_in_the_background_and_keeps_the_wal_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |row| row.get(0))
        .unwrap();
    let page_size = u64::try_from(page_size).unwrap();
    let tenant = testing::fresh_tenant();
    let database_size = || std::fs::metadata(&path).unwrap().len();

    // Past the checkpointer's wake-up (500 frames), short of the writer's own
    // checkpoint (2 000): only the checkpointer copies pages into the database file.
    let before = database_size();
    let mut creates = 0_u64;
    while wal_frames(&path, page_size) < 700 {
        let (invoice, event) = created(&tenant, "Checkpointed GmbH");
        store.create(&invoice, &[event]).await.unwrap();
        creates += 1;
    }
    let frames_per_create = wal_frames(&path, page_size).div_ceil(creates);
    let waited = std::time::Instant::now();
    while database_size() == before && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        database_size() > before,
        "no checkpoint copied pages into the database file ({before} bytes) with {} frames in the WAL",
        wal_frames(&path, page_size)
    );

    // Commits of five times the writer's threshold: the WAL starts over instead of
    // growing with them (its file keeps the largest size it had).
    let more = 10_000 / frames_per_create;
    for _ in 0..more {
        let (invoice, event) = created(&tenant, "Checkpointed GmbH");
        store.create(&invoice, &[event]).await.unwrap();
    }
    let frames = wal_frames(&path, page_size);
    assert!(
        frames < 2_500,
        "{frames} frames in the WAL after {more} more creates of {frames_per_create} frames each"
    );
    let count: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM invoices WHERE tenant = ?",
            [tenant.as_str()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(count, i64::try_from(creates + more).unwrap());
}

/// `close` returns once every connection it opened is closed, the checkpointer's too: the
/// last one checkpoints the WAL and removes it, so the file alone is the whole database.
#[tokio::test]
async fn sqlite_close_leaves_no_wal_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let tenant = testing::fresh_tenant();
    let (invoice, event) = created(&tenant, "Closed GmbH");
    store.create(&invoice, &[event]).await.unwrap();
    store.close().await;
    let wal = format!("{}-wal", path.display());
    assert!(!std::path::Path::new(&wal).exists(), "{wal} is still there");
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(reopened.get(&tenant, invoice.id()).await.unwrap(), invoice);
}

/// Invoices written before positions existed get theirs, per tenant in insertion
/// order, and later ones follow: offset pages list them all, in order.
#[tokio::test]
async fn sqlite_numbers_invoices_written_before_positions_existed() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_file(&dir);
    let (first, second) = (testing::fresh_tenant(), testing::fresh_tenant());
    let mut ids = (Vec::new(), Vec::new());
    {
        let store = SqliteStore::open(&path).await.unwrap();
        for i in 0..7 {
            for (tenant, ids) in [(&first, &mut ids.0), (&second, &mut ids.1)] {
                let (invoice, event) = created(tenant, &format!("Early {i}"));
                store.create(&invoice, &[event]).await.unwrap();
                ids.push(invoice.id());
            }
        }
        store.close().await;
    }
    // Back to the schema before the migration (and those after it), with these rows in it.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER invoice_json_delete; DROP TABLE invoice_json; \
             DELETE FROM _invoice_storage_migrations WHERE version = 20261209000000; \
             DELETE FROM _invoice_storage_migrations WHERE version = 20261208000000; \
             DROP TRIGGER invoice_position_gaps_delete; DROP TABLE invoice_position_gaps; \
             DROP INDEX invoices_tenant_position; ALTER TABLE invoices DROP COLUMN position; \
             DELETE FROM _invoice_storage_migrations WHERE version = 20261207000000;",
        )
        .unwrap();
    let store = SqliteStore::open(&path).await.unwrap();
    let (later, event) = created(&first, "Later");
    store.create(&later, &[event]).await.unwrap();
    ids.0.push(later.id());
    for (tenant, ids) in [(&first, &ids.0), (&second, &ids.1)] {
        let mut listed = Vec::new();
        for page in 0..3 {
            let query = InvoiceQuery::new()
                .sort(InvoiceSort::OldestFirst)
                .page(PageRequest::Offset { page, size: 3 });
            let found = store.list(tenant, &query).await.unwrap();
            listed.extend(found.items.into_iter().map(|summary| summary.id));
        }
        assert_eq!(&listed, ids);
        let newest = InvoiceQuery::new().page(PageRequest::Offset { page: 1, size: 2 });
        let found = store.list(tenant, &newest).await.unwrap();
        let expected: Vec<_> = ids.iter().rev().skip(2).take(2).copied().collect();
        assert_eq!(
            found.items.iter().map(|s| s.id).collect::<Vec<_>>(),
            expected
        );
    }
}

/// This repository builds the bundled SQLite without its allocation and page-cache
/// mutexes (`.cargo/config.toml`, `LIBSQLITE3_FLAGS`; the README says why). A build
/// that lost the setting (the variable renamed, the file moved) fails here rather than
/// only in the load figures.
#[test]
fn the_bundled_sqlite_is_built_without_its_global_mutexes() {
    let conn = Connection::open_in_memory().unwrap();
    let mut statement = conn.prepare("PRAGMA compile_options").unwrap();
    let options: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}
