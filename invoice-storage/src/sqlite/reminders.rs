//! [`ReminderStore`] on SQLite. A claim is one job of the single writer: it selects the
//! due reminders no one holds and leases them in the same transaction, so two claimers
//! never share one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderStatus};
use invoice_core::{ReminderId, TenantId};
use rusqlite::{Connection, OptionalExtension};

use super::query::{backend, is_unique_violation, micros};
use super::{SqliteStore, BACKEND};
use crate::error::{Error, Result};
use crate::invoice_store::Page;
use crate::reminder_store::{cursor_of, ReminderPage, ReminderQuery, ReminderStore};
use crate::sql::{from_json, to_i64, to_json, to_u64};

/// Decodes rows of `id, body`.
fn reminders(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Reminder>> {
    let mut statement = connection.prepare_cached(sql).map_err(backend)?;
    let rows = statement
        .query_map(params, |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(backend)?;
    rows.map(|row| {
        let (id, body) = row.map_err(backend)?;
        from_json(&body, "reminder", &id)
    })
    .collect()
}

#[async_trait]
impl ReminderStore for SqliteStore {
    async fn create(&self, reminder: &Reminder) -> Result<()> {
        let row = (
            reminder.id().to_string(),
            reminder.tenant().as_str().to_owned(),
            reminder.status().as_str(),
            to_i64(reminder.version(), BACKEND)?,
            micros(reminder.due_at()),
            reminder.not_before().map(micros),
            to_json(reminder, BACKEND)?,
        );
        self.write(move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO reminders (id, tenant, status, version, due_at, claimed_until, body) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .map_err(backend)?
                .execute((&row.0, &row.1, row.2, row.3, row.4, row.5, &row.6));
            match inserted {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                    what: "reminder",
                    id: row.0.clone(),
                }),
                Err(e) => Err(backend(e)),
            }
        })
        .await
    }

    async fn get(&self, tenant: &TenantId, id: ReminderId) -> Result<Reminder> {
        let body = self.body_by_id(
            "SELECT body FROM reminders WHERE id = ? AND tenant = ?",
            id.to_string(),
            tenant,
        )?;
        from_json(
            &body.ok_or_else(|| Error::not_found("reminder", id))?,
            "reminder",
            &id,
        )
    }

    async fn update(&self, reminder: &Reminder, expected_version: u64) -> Result<()> {
        let id = reminder.id();
        let tenant = reminder.tenant().as_str().to_owned();
        let values = (
            reminder.status().as_str(),
            to_i64(reminder.version(), BACKEND)?,
            micros(reminder.due_at()),
            reminder.not_before().map(micros),
            to_json(reminder, BACKEND)?,
            id.to_string(),
            tenant.clone(),
            to_i64(expected_version, BACKEND)?,
        );
        self.write(move |connection| {
            let written = connection
                .prepare_cached(
                    "UPDATE reminders SET status = ?, version = ?, due_at = ?, \
                     claimed_until = ?, body = ? \
                     WHERE id = ? AND tenant = ? AND version = ?",
                )
                .map_err(backend)?
                .execute((
                    values.0, values.1, values.2, values.3, &values.4, &values.5, &values.6,
                    values.7,
                ))
                .map_err(backend)?;
            if written == 1 {
                return Ok(());
            }
            let found: Option<i64> = connection
                .prepare_cached("SELECT version FROM reminders WHERE id = ? AND tenant = ?")
                .map_err(backend)?
                .query_row((&values.5, &tenant), |row| row.get(0))
                .optional()
                .map_err(backend)?;
            Err(match found {
                Some(found) => Error::conflict(
                    "reminder",
                    id,
                    expected_version,
                    to_u64(found, "reminder", &id)?,
                ),
                None => Error::not_found("reminder", id),
            })
        })
        .await
    }

    async fn list(&self, tenant: &TenantId, query: &ReminderQuery) -> Result<ReminderPage> {
        query.validate()?;
        let size = query.page_size();
        let (from, to) = query.due_range();
        let after = query.after_key();
        let items = self.read(|connection| {
            reminders(
                connection,
                "SELECT id, body FROM reminders WHERE tenant = ?1 \
                 AND (?2 IS NULL OR status = ?2) \
                 AND (?3 IS NULL OR due_at >= ?3) AND (?4 IS NULL OR due_at <= ?4) \
                 AND (?5 IS NULL OR due_at > ?5 OR (due_at = ?5 AND id > ?6)) \
                 ORDER BY due_at, id LIMIT ?7",
                (
                    tenant.as_str(),
                    query.status_filter().map(ReminderStatus::as_str),
                    from.map(micros),
                    to.map(micros),
                    after.map(|(at, _)| micros(at)),
                    after.map(|(_, id)| id.to_string()),
                    i64::from(size) + 1,
                ),
            )
        })?;
        Ok(Page::overfetched(items, size, cursor_of))
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>> {
        self.write(move |connection| {
            let claimed = reminders(
                connection,
                "SELECT id, body FROM reminders \
                 WHERE status = 'scheduled' AND due_at <= ?1 \
                   AND (claimed_until IS NULL OR claimed_until <= ?1) \
                 ORDER BY due_at, id LIMIT ?2",
                (micros(now), i64::from(limit)),
            )?;
            let mut lease = connection
                .prepare_cached("UPDATE reminders SET claimed_until = ? WHERE id = ?")
                .map_err(backend)?;
            for reminder in &claimed {
                lease
                    .execute((micros(lease_until), reminder.id().to_string()))
                    .map_err(backend)?;
            }
            Ok(claimed)
        })
        .await
    }
}
