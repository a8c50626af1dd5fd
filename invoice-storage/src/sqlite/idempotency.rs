//! [`IdempotencyStore`] on SQLite: every step of `begin` runs in one job of the single
//! writer, so it is atomic without a compare-and-set.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::TenantId;
use rusqlite::{Connection, OptionalExtension};

use super::query::{backend, from_micros, micros};
use super::SqliteStore;
use crate::error::{Error, Result};
use crate::idempotency::{decide, headers_from_json, headers_json, Decision, KeyEntry};
use crate::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};

fn corrupt(key: &IdempotencyKey, reason: &str) -> Error {
    Error::Corrupt {
        what: "idempotency key",
        id: key.to_string(),
        source: reason.into(),
    }
}

/// The columns of a key as read back (times in microseconds).
type KeyRow = (String, i64, Option<i64>, Option<String>, Option<Vec<u8>>);

/// The key's row, if any.
fn read_entry(
    connection: &Connection,
    tenant: &str,
    key: &IdempotencyKey,
) -> Result<Option<KeyEntry>> {
    let row: Option<KeyRow> = connection
        .prepare_cached(
            "SELECT fingerprint, locked_until, status, headers, body FROM idempotency_keys \
             WHERE tenant = ? AND key = ?",
        )
        .map_err(backend)?
        .query_row((tenant, key.as_str()), |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .optional()
        .map_err(backend)?;
    let Some((fingerprint, locked_until, status, headers, body)) = row else {
        return Ok(None);
    };
    let response = match status {
        None => None,
        Some(status) => Some(StoredResponse {
            status: u16::try_from(status).map_err(|_| corrupt(key, "status out of range"))?,
            headers: headers_from_json(headers.as_deref().unwrap_or("[]"), key)?,
            body: body.unwrap_or_default(),
        }),
    };
    Ok(Some(KeyEntry {
        fingerprint,
        locked_until: from_micros(locked_until).ok_or_else(|| corrupt(key, "lease time"))?,
        response,
    }))
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Begin> {
        let (tenant, key, fingerprint) = (tenant.clone(), key.clone(), fingerprint.to_owned());
        self.write(move |connection| {
            let Some(entry) = read_entry(connection, tenant.as_str(), &key)? else {
                connection
                    .prepare_cached(
                        "INSERT INTO idempotency_keys \
                         (tenant, key, fingerprint, created_at, locked_until) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .map_err(backend)?
                    .execute((
                        tenant.as_str(),
                        key.as_str(),
                        fingerprint,
                        micros(now),
                        micros(lease_until),
                    ))
                    .map_err(backend)?;
                return Ok(Begin::Started);
            };
            match decide(&entry, &fingerprint, now) {
                Decision::Answer(answer) => Ok(answer),
                Decision::TakeOver => {
                    connection
                        .prepare_cached(
                            "UPDATE idempotency_keys SET locked_until = ? \
                             WHERE tenant = ? AND key = ?",
                        )
                        .map_err(backend)?
                        .execute((micros(lease_until), tenant.as_str(), key.as_str()))
                        .map_err(backend)?;
                    Ok(Begin::Started)
                }
            }
        })
        .await
    }

    async fn complete(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        response: &StoredResponse,
    ) -> Result<()> {
        let (tenant, key, response) = (tenant.clone(), key.clone(), response.clone());
        self.write(move |connection| {
            let changed = connection
                .prepare_cached(
                    "UPDATE idempotency_keys SET \
                       status = COALESCE(status, ?3), \
                       headers = CASE WHEN status IS NULL THEN ?4 ELSE headers END, \
                       body = CASE WHEN status IS NULL THEN ?5 ELSE body END \
                     WHERE tenant = ?1 AND key = ?2",
                )
                .map_err(backend)?
                .execute((
                    tenant.as_str(),
                    key.as_str(),
                    i64::from(response.status),
                    headers_json(&response.headers),
                    response.body,
                ))
                .map_err(backend)?;
            if changed == 0 {
                return Err(Error::not_found("idempotency key", &key));
            }
            Ok(())
        })
        .await
    }

    async fn release(&self, tenant: &TenantId, key: &IdempotencyKey) -> Result<()> {
        let (tenant, key) = (tenant.clone(), key.clone());
        self.write(move |connection| {
            connection
                .prepare_cached(
                    "DELETE FROM idempotency_keys WHERE tenant = ? AND key = ? AND status IS NULL",
                )
                .map_err(backend)?
                .execute((tenant.as_str(), key.as_str()))
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64> {
        let removed = self
            .write(move |connection| {
                connection
                    .prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?")
                    .map_err(backend)?
                    .execute([micros(created_before)])
                    .map_err(backend)
            })
            .await?;
        Ok(removed as u64)
    }
}
