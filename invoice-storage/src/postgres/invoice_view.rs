//! [`InvoiceViewStore`] on PostgreSQL: one conditional upsert per event.

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::{InvoiceId, InvoiceSnapshot, TenantId};
use uuid::Uuid;

use super::{backend, PostgresStore, BACKEND};
use crate::error::Result;
use crate::invoice_view::{InvoiceViewStore, ViewedInvoice};
use crate::sql::{from_json, to_i64, to_json, to_u64};

#[async_trait]
impl InvoiceViewStore for PostgresStore {
    async fn apply(
        &self,
        consumer: &str,
        tenant: &TenantId,
        id: InvoiceId,
        version: u64,
        open: Option<&InvoiceSnapshot>,
    ) -> Result<bool> {
        let snapshot = open.map(|s| to_json(s, BACKEND)).transpose()?;
        let done = sqlx::query(concat!(
            "INSERT INTO invoice_views (consumer, tenant, invoice_id, version, due_date, snapshot) \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb) \
             ON CONFLICT (consumer, tenant, invoice_id) DO UPDATE SET \
               version = excluded.version, due_date = excluded.due_date, \
               snapshot = excluded.snapshot \
             WHERE ",
                view_replaces!()
        ))
        .bind(consumer)
        .bind(tenant.as_str())
        .bind(id.as_uuid())
        .bind(to_i64(version, BACKEND)?)
        .bind(open.and_then(|s| s.due_date))
        .bind(snapshot)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn open_due_by(&self, consumer: &str, due_by: NaiveDate) -> Result<Vec<ViewedInvoice>> {
        let rows: Vec<(String, Uuid, i64, String)> = sqlx::query_as(
            "SELECT tenant, invoice_id, version, snapshot::text FROM invoice_views \
             WHERE consumer = $1 AND snapshot IS NOT NULL AND due_date <= $2 \
             ORDER BY due_date, tenant, invoice_id",
        )
        .bind(consumer)
        .bind(due_by)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter()
            .map(|(tenant, id, version, snapshot)| {
                let id = InvoiceId::from_uuid(id);
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
