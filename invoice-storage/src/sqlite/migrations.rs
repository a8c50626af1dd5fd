//! The SQLite schema's migrations, embedded in the library and applied in order, each in
//! its own transaction, recorded in `_invoice_storage_migrations`.
//!
//! A file migrated by the earlier sqlx-based adapter (which recorded its migrations in
//! `_sqlx_migrations`) is recognized: those versions count as applied.

use rusqlite::{Connection, OptionalExtension};

use super::query::backend;
use super::BACKEND;
use crate::error::Result;
use crate::sql::{check_schema_version, from_json, report_facts, InvoiceColumns};

/// One step of the schema.
struct Migration {
    /// Its version, as in its file name (a timestamp).
    version: i64,
    /// What it does.
    description: &'static str,
    /// Its SQL.
    sql: &'static str,
    /// Work in Rust that follows the SQL in the same transaction (filling new columns).
    then: Option<fn(&Connection) -> Result<()>>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 20261124000000,
        description: "initial",
        sql: include_str!("../../migrations/sqlite/20261124000000_initial.sql"),
        then: None,
    },
    Migration {
        version: 20261202000000,
        description: "invoice summaries",
        sql: include_str!("../../migrations/sqlite/20261202000000_invoice_summaries.sql"),
        then: Some(fill_summaries),
    },
    Migration {
        version: 20261203000000,
        description: "idempotency keys",
        sql: include_str!("../../migrations/sqlite/20261203000000_idempotency_keys.sql"),
        then: None,
    },
    Migration {
        version: 20261203000001,
        description: "invoice views",
        sql: include_str!("../../migrations/sqlite/20261203000001_invoice_views.sql"),
        then: None,
    },
    Migration {
        version: 20261203000002,
        description: "report facts",
        sql: include_str!("../../migrations/sqlite/20261203000002_report_facts.sql"),
        then: Some(fill_report_facts),
    },
    Migration {
        version: 20261204000000,
        description: "schedules",
        sql: include_str!("../../migrations/sqlite/20261204000000_schedules.sql"),
        then: None,
    },
    Migration {
        version: 20261204000002,
        description: "reminders",
        sql: include_str!("../../migrations/sqlite/20261204000002_reminders.sql"),
        then: None,
    },
    Migration {
        version: 20261205000000,
        description: "outbox by invoice",
        sql: include_str!("../../migrations/sqlite/20261205000000_outbox_by_invoice.sql"),
        then: None,
    },
    Migration {
        version: 20261206000000,
        description: "outbox payloads",
        sql: include_str!("../../migrations/sqlite/20261206000000_outbox_payloads.sql"),
        then: None,
    },
    Migration {
        version: 20261207000000,
        description: "invoice positions",
        sql: include_str!("../../migrations/sqlite/20261207000000_invoice_positions.sql"),
        then: None,
    },
    Migration {
        version: 20261208000000,
        description: "invoice json",
        sql: include_str!("../../migrations/sqlite/20261208000000_invoice_json.sql"),
        then: None,
    },
    Migration {
        version: 20261209000000,
        description: "invoice json checksum",
        sql: include_str!("../../migrations/sqlite/20261209000000_invoice_json_checksum.sql"),
        then: None,
    },
];

/// The newest migration this library has.
pub(super) fn newest() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

const TABLE: &str = "CREATE TABLE IF NOT EXISTS _invoice_storage_migrations (\
     version INTEGER PRIMARY KEY, description TEXT NOT NULL) STRICT";

/// The newest migration applied to the database, if any.
pub(super) fn newest_applied(connection: &Connection) -> Result<Option<i64>> {
    let ours: Option<i64> = if table_exists(connection, "_invoice_storage_migrations")? {
        connection
            .query_row(
                "SELECT MAX(version) FROM _invoice_storage_migrations",
                [],
                |row| row.get(0),
            )
            .map_err(backend)?
    } else {
        None
    };
    let sqlx: Option<i64> = if table_exists(connection, "_sqlx_migrations")? {
        connection
            .query_row(
                "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
                [],
                |row| row.get(0),
            )
            .map_err(backend)?
    } else {
        None
    };
    Ok(ours.max(sqlx))
}

/// [`Error::SchemaTooNew`](crate::Error::SchemaTooNew) when a newer library migrated the
/// database.
pub(super) fn check(connection: &Connection) -> Result<()> {
    check_schema_version(BACKEND, newest(), newest_applied(connection)?)
}

/// Applies the migrations the database lacks, each in a transaction that takes the
/// write lock first, so that two processes opening one file migrate it once.
pub(super) fn migrate(connection: &Connection) -> Result<()> {
    check(connection)?;
    connection.execute_batch(TABLE).map_err(backend)?;
    for migration in MIGRATIONS {
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(backend)?;
        let applied = apply(connection, migration);
        let end = if applied.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = connection.execute_batch(end).map_err(backend);
        applied?;
        ended?;
    }
    Ok(())
}

/// Applies `migration` unless it is applied already (inside the caller's transaction).
fn apply(connection: &Connection, migration: &Migration) -> Result<()> {
    if newest_applied(connection)?.is_some_and(|applied| applied >= migration.version) {
        return Ok(());
    }
    connection.execute_batch(migration.sql).map_err(backend)?;
    if let Some(then) = migration.then {
        then(connection)?;
    }
    connection
        .execute(
            "INSERT INTO _invoice_storage_migrations (version, description) VALUES (?, ?)",
            (migration.version, migration.description),
        )
        .map_err(backend)?;
    Ok(())
}

fn table_exists(connection: &Connection, name: &str) -> Result<bool> {
    connection
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            [name],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
        .map_err(backend)
}

/// Fills the summary columns of rows written before they existed, from their bodies, a
/// batch at a time (rows are not changed under a running select).
fn fill_summaries(connection: &Connection) -> Result<()> {
    let mut select = connection
        .prepare("SELECT id, body FROM invoices WHERE currency IS NULL LIMIT 500")
        .map_err(backend)?;
    let mut update = connection
        .prepare(
            "UPDATE invoices SET kind = ?2, seller_name = ?3, currency = ?4, net_amount = ?5, \
             vat_amount = ?6, gross_amount = ?7, amount_due = ?8 WHERE id = ?1",
        )
        .map_err(backend)?;
    loop {
        let batch = select
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        if batch.is_empty() {
            return Ok(());
        }
        for (id, body) in batch {
            let invoice = from_json(&body, "invoice", &id)?;
            let c = InvoiceColumns::new(&invoice, None, BACKEND)?;
            update
                .execute((
                    &id,
                    c.kind,
                    &c.seller_name,
                    c.currency,
                    &c.net_amount,
                    &c.vat_amount,
                    &c.gross_amount,
                    &c.amount_due,
                ))
                .map_err(backend)?;
        }
    }
}

/// Fills the report facts of rows written before they existed, from their bodies, a
/// batch at a time.
fn fill_report_facts(connection: &Connection) -> Result<()> {
    let mut select = connection
        .prepare("SELECT id, body FROM invoices WHERE facts IS NULL LIMIT 500")
        .map_err(backend)?;
    let mut update = connection
        .prepare("UPDATE invoices SET facts = ?2 WHERE id = ?1")
        .map_err(backend)?;
    loop {
        let batch = select
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        if batch.is_empty() {
            return Ok(());
        }
        for (id, body) in batch {
            let invoice = from_json(&body, "invoice", &id)?;
            update
                .execute((&id, report_facts(&invoice, &invoice.totals()?, BACKEND)?))
                .map_err(backend)?;
        }
    }
}
