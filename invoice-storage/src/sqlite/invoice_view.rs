//! [`InvoiceViewStore`] on SQLite: one conditional upsert per event, in the writer.

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::{InvoiceId, InvoiceSnapshot, TenantId};

use super::query::{backend, day_number};
use super::{SqliteStore, BACKEND};
use crate::error::{Error, Result};
use crate::invoice_view::{InvoiceViewStore, ViewedInvoice};
use crate::sql::{from_json, to_i64, to_json, to_u64};

#[async_trait]
impl InvoiceViewStore for SqliteStore {
    async fn apply(
        &self,
        consumer: &str,
        tenant: &TenantId,
        id: InvoiceId,
        version: u64,
        open: Option<&InvoiceSnapshot>,
    ) -> Result<bool> {
        let row = (
            consumer.to_owned(),
            tenant.as_str().to_owned(),
            id.to_string(),
            to_i64(version, BACKEND)?,
            open.and_then(|s| s.due_date).map(day_number),
            open.map(|s| to_json(s, BACKEND)).transpose()?,
        );
        let changed = self
            .write(move |connection| {
                connection
                    .prepare_cached(concat!(
                        "INSERT INTO invoice_views \
                         (consumer, tenant, invoice_id, version, due_date, snapshot) \
                         VALUES (?, ?, ?, ?, ?, ?) \
                         ON CONFLICT (consumer, tenant, invoice_id) DO UPDATE SET \
                           version = excluded.version, due_date = excluded.due_date, \
                           snapshot = excluded.snapshot \
                         WHERE ",
                        view_replaces!()
                    ))
                    .map_err(backend)?
                    .execute(row)
                    .map_err(backend)
            })
            .await?;
        Ok(changed == 1)
    }

    async fn open_due_by(&self, consumer: &str, due_by: NaiveDate) -> Result<Vec<ViewedInvoice>> {
        let rows: Vec<(String, String, i64, String)> = self.read(|connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT tenant, invoice_id, version, snapshot FROM invoice_views \
                     WHERE consumer = ? AND snapshot IS NOT NULL AND due_date <= ? \
                     ORDER BY due_date, tenant, invoice_id",
                )
                .map_err(backend)?;
            let rows = statement
                .query_map((consumer, day_number(due_by)), |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })
                .map_err(backend)?;
            rows.collect::<std::result::Result<_, _>>().map_err(backend)
        })?;
        rows.into_iter()
            .map(|(tenant, id, version, snapshot)| {
                let id: InvoiceId = id.parse().map_err(|e| Error::Corrupt {
                    what: "invoice view",
                    id: id.clone(),
                    source: Box::new(e),
                })?;
                Ok(ViewedInvoice {
                    tenant: TenantId::new(tenant)?,
                    id,
                    version: to_u64(version, "invoice view", &id)?,
                    snapshot: from_json(&snapshot, "invoice view", &id)?,
                })
            })
            .collect()
    }
}
