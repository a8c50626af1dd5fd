//! [`ReminderStore`] on PostgreSQL. A claim leases the due rows it selects with
//! `FOR UPDATE SKIP LOCKED` in one statement, as the outbox claim does: concurrent
//! claimers skip each other's rows and never share one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderStatus};
use invoice_core::{ReminderId, TenantId};
use uuid::Uuid;

use super::{backend, is_unique_violation, PostgresStore, BACKEND};
use crate::error::{Error, Result};
use crate::invoice_store::Page;
use crate::reminder_store::{cursor_of, ReminderPage, ReminderQuery, ReminderStore};
use crate::sql::{from_json, to_i64, to_json, to_u64};

fn decode(rows: Vec<(Uuid, String)>) -> Result<Vec<Reminder>> {
    rows.into_iter()
        .map(|(id, body)| from_json(&body, "reminder", &id))
        .collect()
}

#[async_trait]
impl ReminderStore for PostgresStore {
    async fn create(&self, reminder: &Reminder) -> Result<()> {
        let inserted = sqlx::query(
            "INSERT INTO reminders (id, tenant, status, version, due_at, claimed_until, body) \
             VALUES ($1, $2, $3, $4, $5, $7, $6::jsonb)",
        )
        .bind(reminder.id().as_uuid())
        .bind(reminder.tenant().as_str())
        .bind(reminder.status().as_str())
        .bind(to_i64(reminder.version(), BACKEND)?)
        .bind(reminder.due_at())
        .bind(to_json(reminder, BACKEND)?)
        .bind(reminder.not_before())
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                what: "reminder",
                id: reminder.id().to_string(),
            }),
            Err(e) => Err(backend(e)),
        }
    }

    async fn get(&self, tenant: &TenantId, id: ReminderId) -> Result<Reminder> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body::text FROM reminders WHERE id = $1 AND tenant = $2")
                .bind(id.as_uuid())
                .bind(tenant.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        from_json(
            &body.ok_or_else(|| Error::not_found("reminder", id))?,
            "reminder",
            &id,
        )
    }

    async fn update(&self, reminder: &Reminder, expected_version: u64) -> Result<()> {
        let id = reminder.id();
        let written = sqlx::query(
            "UPDATE reminders SET status = $3, version = $4, due_at = $5, \
             claimed_until = $8, body = $6::jsonb \
             WHERE id = $1 AND tenant = $2 AND version = $7",
        )
        .bind(id.as_uuid())
        .bind(reminder.tenant().as_str())
        .bind(reminder.status().as_str())
        .bind(to_i64(reminder.version(), BACKEND)?)
        .bind(reminder.due_at())
        .bind(to_json(reminder, BACKEND)?)
        .bind(to_i64(expected_version, BACKEND)?)
        .bind(reminder.not_before())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if written.rows_affected() == 1 {
            return Ok(());
        }
        let found: Option<i64> =
            sqlx::query_scalar("SELECT version FROM reminders WHERE id = $1 AND tenant = $2")
                .bind(id.as_uuid())
                .bind(reminder.tenant().as_str())
                .fetch_optional(&self.pool)
                .await
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
    }

    async fn list(&self, tenant: &TenantId, query: &ReminderQuery) -> Result<ReminderPage> {
        query.validate()?;
        let size = query.page_size();
        let (from, to) = query.due_range();
        let after = query.after_key();
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, body::text FROM reminders WHERE tenant = $1 \
             AND ($2::text IS NULL OR status = $2) \
             AND ($3::timestamptz IS NULL OR due_at >= $3) \
             AND ($4::timestamptz IS NULL OR due_at <= $4) \
             AND ($5::timestamptz IS NULL OR (due_at, id) > ($5, $6::uuid)) \
             ORDER BY due_at, id LIMIT $7",
        )
        .bind(tenant.as_str())
        .bind(query.status_filter().map(ReminderStatus::as_str))
        .bind(from)
        .bind(to)
        .bind(after.map(|(at, _)| at))
        .bind(after.map(|(_, id)| *id.as_uuid()))
        .bind(i64::from(size) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let items = decode(rows)?;
        Ok(Page::overfetched(items, size, cursor_of))
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>> {
        let mut rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
            "UPDATE reminders SET claimed_until = $2 WHERE id IN ( \
               SELECT id FROM reminders \
                WHERE status = 'scheduled' AND due_at <= $1 \
                  AND (claimed_until IS NULL OR claimed_until <= $1) \
                ORDER BY due_at, id LIMIT $3 \
                FOR UPDATE SKIP LOCKED) \
             RETURNING id, body::text, due_at",
        )
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.sort_by_key(|(id, _, due_at)| (*due_at, *id));
        decode(rows.into_iter().map(|(id, body, _)| (id, body)).collect())
    }
}
