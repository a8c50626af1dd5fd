//! [`IdempotencyStore`] on PostgreSQL: one row per (tenant, key); the insert decides who
//! starts, a compare-and-set on the lease decides who takes over an abandoned key.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::TenantId;

use super::{backend, PostgresStore};
use crate::error::{Error, Result};
use crate::idempotency::{decide, headers_from_json, headers_json, Decision, KeyEntry};
use crate::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};

/// The columns of a key as read back.
type KeyRow = (
    String,
    DateTime<Utc>,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
);

fn entry(row: KeyRow, key: &IdempotencyKey) -> Result<KeyEntry> {
    let (fingerprint, locked_until, status, headers, body) = row;
    let response = match status {
        None => None,
        Some(status) => Some(StoredResponse {
            status: u16::try_from(status).map_err(|e| Error::Corrupt {
                what: "idempotency key",
                id: key.to_string(),
                source: Box::new(e),
            })?,
            headers: headers_from_json(headers.as_deref().unwrap_or("[]"), key)?,
            body: body.unwrap_or_default(),
        }),
    };
    Ok(KeyEntry {
        fingerprint,
        locked_until,
        response,
    })
}

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Begin> {
        // The row may vanish between the insert and the select (released, purged): then
        // the insert is tried again.
        for _ in 0..3 {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (tenant, key, fingerprint, created_at, locked_until) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant.as_str())
            .bind(key.as_str())
            .bind(fingerprint)
            .bind(now)
            .bind(lease_until)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(Begin::Started);
            }
            let row: Option<KeyRow> = sqlx::query_as(
                "SELECT fingerprint, locked_until, status, headers, body FROM idempotency_keys \
                 WHERE tenant = $1 AND key = $2",
            )
            .bind(tenant.as_str())
            .bind(key.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
            let Some(row) = row else { continue };
            let entry = entry(row, key)?;
            return match decide(&entry, fingerprint, now) {
                Decision::Answer(answer) => Ok(answer),
                Decision::TakeOver => {
                    let taken = sqlx::query(
                        "UPDATE idempotency_keys SET locked_until = $3 \
                         WHERE tenant = $1 AND key = $2 AND status IS NULL AND locked_until = $4",
                    )
                    .bind(tenant.as_str())
                    .bind(key.as_str())
                    .bind(lease_until)
                    .bind(entry.locked_until)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                    // Another request took it over (or completed it) first.
                    Ok(if taken.rows_affected() == 1 {
                        Begin::Started
                    } else {
                        Begin::InProgress
                    })
                }
            };
        }
        Ok(Begin::InProgress)
    }

    async fn complete(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        response: &StoredResponse,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE idempotency_keys SET \
               status = COALESCE(status, $3), \
               headers = CASE WHEN status IS NULL THEN $4 ELSE headers END, \
               body = CASE WHEN status IS NULL THEN $5 ELSE body END \
             WHERE tenant = $1 AND key = $2",
        )
        .bind(tenant.as_str())
        .bind(key.as_str())
        .bind(i32::from(response.status))
        .bind(headers_json(&response.headers))
        .bind(&response.body)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("idempotency key", key));
        }
        Ok(())
    }

    async fn release(&self, tenant: &TenantId, key: &IdempotencyKey) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE tenant = $1 AND key = $2 AND status IS NULL",
        )
        .bind(tenant.as_str())
        .bind(key.as_str())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(created_before)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }
}
