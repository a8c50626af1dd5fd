//! [`ReportStore`] on PostgreSQL: each report is one `GROUP BY`, summed in `NUMERIC`
//! (exact): aging over the receivables table (open amounts per issue date, currency,
//! client and due date, kept by a trigger in each write's transaction), revenue over the
//! summary columns and the VAT summary over the report facts' VAT rows; Rust only puts
//! the groups in order.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::reports::{
    AgingReport, Period, RevenueGrouping, RevenueKey, RevenueRow, VatSummaryRow,
};
use invoice_core::{ClientId, Decimal, TenantId, VatCategory};
use uuid::Uuid;

use super::{backend, PostgresStore};
use crate::error::Result;
use crate::report_store::ReportStore;
use crate::sql::{aging_bucket, corrupt_report_row, report_currency};

fn decimal(text: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text).map_err(|_| corrupt_report_row(text))
}

/// Aging reads the receivables table a trigger keeps in step with the invoices (see its
/// migration): one row per tenant, issue date, currency, client and due date.
const AGING: &str = "SELECT currency, NULLIF(client_key, '')::uuid, \
       CASE WHEN $2::date - due_date <= 0 THEN 0 \
            WHEN $2::date - due_date <= 30 THEN 1 \
            WHEN $2::date - due_date <= 60 THEN 2 \
            WHEN $2::date - due_date <= 90 THEN 3 \
            ELSE 4 END AS bucket, \
       SUM(amount)::text \
     FROM receivables \
     WHERE tenant = $1 AND issue_date <= $2 \
     GROUP BY 1, 2, 3";

/// The revenue query of a grouping: its key expression differs, the rest is the same.
macro_rules! revenue_query {
    ($key:literal) => {
        concat!(
            "SELECT currency, ",
            $key,
            " AS key, \
             SUM(CASE WHEN kind = 'credit_note' THEN -net_amount ELSE net_amount END)::text, \
             SUM(CASE WHEN kind = 'credit_note' THEN -gross_amount ELSE gross_amount END)::text, \
             COUNT(*) \
             FROM invoices \
             WHERE tenant = $1 AND status <> 'draft' AND issue_date BETWEEN $2 AND $3 \
             GROUP BY 1, 2"
        )
    };
}

const VAT_SUMMARY: &str = "SELECT i.currency, v.category, v.rate::text, \
       SUM(CASE WHEN i.kind = 'credit_note' THEN -v.taxable ELSE v.taxable END)::text, \
       SUM(CASE WHEN i.kind = 'credit_note' THEN -v.tax ELSE v.tax END)::text \
     FROM invoices i \
     CROSS JOIN LATERAL jsonb_to_recordset(i.facts -> 'vat') \
       AS v(category text, rate numeric, taxable numeric, tax numeric) \
     WHERE i.tenant = $1 AND i.status <> 'draft' AND i.issue_date BETWEEN $2 AND $3 \
     GROUP BY 1, 2, 3";

#[async_trait]
impl ReportStore for PostgresStore {
    async fn aging(&self, tenant: &TenantId, as_of: NaiveDate) -> Result<AgingReport> {
        let groups: Vec<(String, Option<Uuid>, i32, String)> = sqlx::query_as(AGING)
            .bind(tenant.as_str())
            .bind(as_of)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        let sums = groups
            .into_iter()
            .map(|(code, client, bucket, amount)| {
                Ok((
                    report_currency(&code)?,
                    client.map(ClientId::from_uuid),
                    aging_bucket(i64::from(bucket))?,
                    decimal(&amount)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AgingReport::from_sums(as_of, sums)?)
    }

    async fn revenue(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
        by: RevenueGrouping,
    ) -> Result<Vec<RevenueRow>> {
        let sql = match by {
            RevenueGrouping::Period(Period::Day) => revenue_query!("issue_date::text"),
            RevenueGrouping::Period(Period::Month) => {
                revenue_query!("date_trunc('month', issue_date)::date::text")
            }
            RevenueGrouping::Period(Period::Quarter) => {
                revenue_query!("date_trunc('quarter', issue_date)::date::text")
            }
            RevenueGrouping::Period(Period::Year) => {
                revenue_query!("date_trunc('year', issue_date)::date::text")
            }
            RevenueGrouping::Client => revenue_query!("client_id::text"),
        };
        let groups: Vec<(String, Option<String>, String, String, i64)> = sqlx::query_as(sql)
            .bind(tenant.as_str())
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        let mut rows = BTreeMap::new();
        for (code, key, net, gross, documents) in groups {
            let key = match (by, key) {
                (RevenueGrouping::Client, None) => RevenueKey::Client(None),
                (RevenueGrouping::Client, Some(id)) => {
                    RevenueKey::Client(Some(id.parse().map_err(|_| corrupt_report_row(&id))?))
                }
                (RevenueGrouping::Period(_), Some(day)) => {
                    RevenueKey::Period(day.parse().map_err(|_| corrupt_report_row(&day))?)
                }
                (RevenueGrouping::Period(_), None) => {
                    return Err(corrupt_report_row("no issue date"))
                }
            };
            let currency = report_currency(&code)?;
            rows.insert(
                (currency, key.clone()),
                RevenueRow {
                    key,
                    currency,
                    net: decimal(&net)?,
                    gross: decimal(&gross)?,
                    documents: u64::try_from(documents).map_err(|_| corrupt_report_row("count"))?,
                },
            );
        }
        Ok(rows.into_values().collect())
    }

    async fn vat_summary(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VatSummaryRow>> {
        let groups: Vec<(String, String, String, String, String)> = sqlx::query_as(VAT_SUMMARY)
            .bind(tenant.as_str())
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        let mut rows = BTreeMap::new();
        for (code, category, rate, taxable, tax) in groups {
            let currency = report_currency(&code)?;
            let category =
                VatCategory::from_code(&category).map_err(|_| corrupt_report_row(&category))?;
            let rate = decimal(&rate)?.normalize();
            rows.insert(
                (currency, category, rate),
                VatSummaryRow {
                    currency,
                    category,
                    rate,
                    taxable: decimal(&taxable)?,
                    tax: decimal(&tax)?,
                },
            );
        }
        Ok(rows.into_values().collect())
    }
}
