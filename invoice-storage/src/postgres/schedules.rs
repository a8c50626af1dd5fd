//! [`ScheduleStore`] on PostgreSQL. Generation locks the schedule's row
//! (`FOR UPDATE`) and then looks for the period's run row: generators racing on one
//! schedule queue on the lock, and the one that comes second finds the run the first
//! committed. The run table's primary key backs that up.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::schedule::Schedule;
use invoice_core::{EventEnvelope, Invoice, InvoiceId, ScheduleId, TenantId};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::{backend, insert_invoice, is_unique_violation, PostgresStore, BACKEND};
use crate::error::{Error, Result};
use crate::invoice_store::Page;
use crate::schedule_store::{
    after_generating, check_generation, origin_of, Generated, SchedulePage, ScheduleQuery,
    ScheduleStore,
};
use crate::sql::{schedule_body, stored_schedule, to_i64, to_u64};

/// The stored schedule with this id (of any tenant) and its row's version, locked until
/// the transaction ends when `lock`.
async fn read_schedule(
    conn: &mut PgConnection,
    id: ScheduleId,
    lock: bool,
) -> Result<Option<(Schedule, i64)>> {
    let sql = if lock {
        "SELECT body::text, last_period, version FROM schedules WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT body::text, last_period, version FROM schedules WHERE id = $1"
    };
    let row: Option<(String, Option<i64>, i64)> = sqlx::query_as(sql)
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    row.map(|(body, last, version)| Ok((stored_schedule(&body, last, &id)?, version)))
        .transpose()
}

/// Decodes rows of `body, last_period, id`.
fn decode(rows: Vec<(String, Option<i64>, Uuid)>) -> Result<Vec<Schedule>> {
    rows.into_iter()
        .map(|(body, last, id)| stored_schedule(&body, last, &id))
        .collect()
}

#[async_trait]
impl ScheduleStore for PostgresStore {
    async fn create(&self, schedule: &Schedule) -> Result<()> {
        let schedule = schedule.clone().with_last_period(None);
        let inserted = sqlx::query(
            "INSERT INTO schedules (id, tenant, status, version, last_period, due_at, body) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6::jsonb)",
        )
        .bind(schedule.id().as_uuid())
        .bind(schedule.tenant().as_str())
        .bind(schedule.status().as_str())
        .bind(to_i64(schedule.version(), BACKEND)?)
        .bind(schedule.next_due_at())
        .bind(schedule_body(&schedule, BACKEND)?)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                what: "schedule",
                id: schedule.id().to_string(),
            }),
            Err(e) => Err(backend(e)),
        }
    }

    async fn get(&self, tenant: &TenantId, id: ScheduleId) -> Result<Schedule> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        read_schedule(&mut conn, id, false)
            .await?
            .map(|(schedule, _)| schedule)
            .filter(|s| s.tenant() == tenant)
            .ok_or_else(|| Error::not_found("schedule", id))
    }

    async fn update(&self, schedule: &Schedule, expected_version: u64) -> Result<()> {
        let id = schedule.id();
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let (stored, version) = read_schedule(&mut tx, id, true)
            .await?
            .filter(|(s, _)| s.tenant() == schedule.tenant())
            .ok_or_else(|| Error::not_found("schedule", id))?;
        let found = to_u64(version, "schedule", &id)?;
        if found != expected_version {
            return Err(Error::conflict("schedule", id, expected_version, found));
        }
        let next = schedule.clone().with_last_period(stored.last_period());
        sqlx::query(
            "UPDATE schedules SET status = $2, version = $3, due_at = $4, body = $5::jsonb \
             WHERE id = $1",
        )
        .bind(id.as_uuid())
        .bind(next.status().as_str())
        .bind(to_i64(next.version(), BACKEND)?)
        .bind(next.next_due_at())
        .bind(schedule_body(&next, BACKEND)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn list(&self, tenant: &TenantId, query: &ScheduleQuery) -> Result<SchedulePage> {
        query.validate()?;
        let size = query.page_size();
        let rows: Vec<(String, Option<i64>, Uuid)> = sqlx::query_as(
            "SELECT body::text, last_period, id FROM schedules WHERE tenant = $1 \
             AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR id > $3) \
             ORDER BY id LIMIT $4",
        )
        .bind(tenant.as_str())
        .bind(query.status_filter().map(|s| s.as_str()))
        .bind(query.after_id().map(|id| *id.as_uuid()))
        .bind(i64::from(size) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let items = decode(rows)?;
        Ok(Page::overfetched(items, size, |s| s.id().to_string()))
    }

    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Schedule>> {
        let rows: Vec<(String, Option<i64>, Uuid)> = sqlx::query_as(
            "SELECT body::text, last_period, id FROM schedules \
             WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        decode(rows)
    }

    async fn generate(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<Generated> {
        let origin = origin_of(invoice)?;
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Lock order, the same in every transaction that takes both: the schedule, then
        // the invoice.
        let (stored, _) = read_schedule(&mut tx, origin.schedule, true)
            .await?
            .filter(|(s, _)| s.tenant() == invoice.tenant())
            .ok_or_else(|| Error::not_found("schedule", origin.schedule))?;
        let made: Option<Uuid> = sqlx::query_scalar(
            "SELECT invoice_id FROM schedule_runs WHERE schedule_id = $1 AND period = $2",
        )
        .bind(origin.schedule.as_uuid())
        .bind(i64::from(origin.period))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if let Some(made) = made {
            return Ok(Generated::AlreadyGenerated {
                invoice: InvoiceId::from_uuid(made),
            });
        }
        check_generation(&stored, invoice)?;
        insert_invoice(&mut tx, invoice, events).await?;
        sqlx::query(
            "INSERT INTO schedule_runs (schedule_id, period, invoice_id) VALUES ($1, $2, $3)",
        )
        .bind(origin.schedule.as_uuid())
        .bind(i64::from(origin.period))
        .bind(invoice.id().as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let (last, due_at) = after_generating(stored, origin.period);
        sqlx::query("UPDATE schedules SET last_period = $2, due_at = $3 WHERE id = $1")
            .bind(origin.schedule.as_uuid())
            .bind(i64::from(last))
            .bind(due_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Generated::Created)
    }
}
