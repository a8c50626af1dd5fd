//! [`ScheduleStore`] on SQLite. Generation runs as one job of the single writer: the
//! run row, the invoice, its events and the schedule's progress commit together, and
//! jobs never interleave, so a period is made once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::schedule::Schedule;
use invoice_core::{EventEnvelope, Invoice, InvoiceId, ScheduleId, TenantId};
use rusqlite::{Connection, OptionalExtension};

use super::query::{backend, is_unique_violation, micros};
use super::{insert_invoice, outbox_rows, row_values, SqliteStore, BACKEND};
use crate::error::{Error, Result};
use crate::invoice_store::Page;
use crate::schedule_store::{
    after_generating, check_generation, origin_of, Generated, SchedulePage, ScheduleQuery,
    ScheduleStore,
};
use crate::sql::{schedule_body, stored_schedule, to_i64, to_u64, InvoiceColumns};
use crate::summary::last_change;

/// The schedule with this id (of any tenant) and its row's version, if stored.
fn read_schedule(connection: &Connection, id: &str) -> Result<Option<(Schedule, i64)>> {
    let row: Option<(String, Option<i64>, i64)> = connection
        .prepare_cached("SELECT body, last_period, version FROM schedules WHERE id = ?")
        .map_err(backend)?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()
        .map_err(backend)?;
    row.map(|(body, last, version)| Ok((stored_schedule(&body, last, &id)?, version)))
        .transpose()
}

/// Decodes rows of `body, last_period`.
fn schedules(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Schedule>> {
    let mut statement = connection.prepare_cached(sql).map_err(backend)?;
    let rows = statement
        .query_map(params, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .map_err(backend)?;
    rows.map(|row| {
        let (body, last, id) = row.map_err(backend)?;
        stored_schedule(&body, last, &id)
    })
    .collect()
}

fn due_micros(schedule: &Schedule) -> Option<i64> {
    schedule.next_due_at().map(micros)
}

#[async_trait]
impl ScheduleStore for SqliteStore {
    async fn create(&self, schedule: &Schedule) -> Result<()> {
        let schedule = schedule.clone().with_last_period(None);
        let body = schedule_body(&schedule, BACKEND)?;
        let version = to_i64(schedule.version(), BACKEND)?;
        self.write(move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO schedules (id, tenant, status, version, last_period, due_at, body) \
                     VALUES (?, ?, ?, ?, NULL, ?, ?)",
                )
                .map_err(backend)?
                .execute((
                    schedule.id().to_string(),
                    schedule.tenant().as_str(),
                    schedule.status().as_str(),
                    version,
                    due_micros(&schedule),
                    body,
                ));
            match inserted {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                    what: "schedule",
                    id: schedule.id().to_string(),
                }),
                Err(e) => Err(backend(e)),
            }
        })
        .await
    }

    async fn get(&self, tenant: &TenantId, id: ScheduleId) -> Result<Schedule> {
        self.read(|connection| read_schedule(connection, &id.to_string()))?
            .map(|(schedule, _)| schedule)
            .filter(|s| s.tenant() == tenant)
            .ok_or_else(|| Error::not_found("schedule", id))
    }

    async fn update(&self, schedule: &Schedule, expected_version: u64) -> Result<()> {
        let schedule = schedule.clone();
        self.write(move |connection| {
            let id = schedule.id();
            let (stored, version) = read_schedule(connection, &id.to_string())?
                .filter(|(s, _)| s.tenant() == schedule.tenant())
                .ok_or_else(|| Error::not_found("schedule", id))?;
            let found = to_u64(version, "schedule", &id)?;
            if found != expected_version {
                return Err(Error::conflict("schedule", id, expected_version, found));
            }
            let next = schedule.with_last_period(stored.last_period());
            connection
                .prepare_cached(
                    "UPDATE schedules SET status = ?, version = ?, due_at = ?, body = ? \
                     WHERE id = ?",
                )
                .map_err(backend)?
                .execute((
                    next.status().as_str(),
                    to_i64(next.version(), BACKEND)?,
                    due_micros(&next),
                    schedule_body(&next, BACKEND)?,
                    id.to_string(),
                ))
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn list(&self, tenant: &TenantId, query: &ScheduleQuery) -> Result<SchedulePage> {
        query.validate()?;
        let size = query.page_size();
        let items = self.read(|connection| {
            schedules(
                connection,
                "SELECT body, last_period, id FROM schedules WHERE tenant = ?1 \
                 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR id > ?3) \
                 ORDER BY id LIMIT ?4",
                (
                    tenant.as_str(),
                    query.status_filter().map(|s| s.as_str()),
                    query.after_id().map(|id| id.to_string()),
                    i64::from(size) + 1,
                ),
            )
        })?;
        Ok(Page::overfetched(items, size, |s| s.id().to_string()))
    }

    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Schedule>> {
        self.read(|connection| {
            schedules(
                connection,
                "SELECT body, last_period, id FROM schedules \
                 WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?",
                (micros(now), i64::from(limit)),
            )
        })
    }

    async fn generate(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<Generated> {
        let origin = origin_of(invoice)?;
        let invoice_id = invoice.id();
        let check = invoice.clone();
        let values = row_values(
            invoice,
            InvoiceColumns::new(invoice, last_change(events), BACKEND)?,
        )?;
        let events = outbox_rows(events)?;
        self.write(move |connection| {
            let schedule_id = origin.schedule.to_string();
            let (stored, _) = read_schedule(connection, &schedule_id)?
                .filter(|(s, _)| s.tenant() == check.tenant())
                .ok_or_else(|| Error::not_found("schedule", origin.schedule))?;
            let made: Option<String> = connection
                .prepare_cached(
                    "SELECT invoice_id FROM schedule_runs WHERE schedule_id = ? AND period = ?",
                )
                .map_err(backend)?
                .query_row((&schedule_id, i64::from(origin.period)), |row| row.get(0))
                .optional()
                .map_err(backend)?;
            if let Some(made) = made {
                let invoice = made.parse::<InvoiceId>().map_err(|e| Error::Corrupt {
                    what: "schedule run",
                    id: schedule_id.clone(),
                    source: Box::new(e),
                })?;
                return Ok(Generated::AlreadyGenerated { invoice });
            }
            check_generation(&stored, &check)?;
            insert_invoice(connection, invoice_id, values, &events)?;
            connection
                .prepare_cached(
                    "INSERT INTO schedule_runs (schedule_id, period, invoice_id) VALUES (?, ?, ?)",
                )
                .map_err(backend)?
                .execute((
                    &schedule_id,
                    i64::from(origin.period),
                    invoice_id.to_string(),
                ))
                .map_err(backend)?;
            let (last, due_at) = after_generating(stored, origin.period);
            connection
                .prepare_cached("UPDATE schedules SET last_period = ?, due_at = ? WHERE id = ?")
                .map_err(backend)?
                .execute((i64::from(last), due_at.map(micros), &schedule_id))
                .map_err(backend)?;
            Ok(Generated::Created)
        })
        .await
    }
}
