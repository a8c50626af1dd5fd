//! [`ReportStore`] on SQLite: each report is one `GROUP BY` over the tenant's rows, on a
//! read connection in the calling thread. SQLite has no exact decimal type, so the sums
//! are of integers: every amount is kept in the report facts also as 1/10 000ths
//! ([`report_units`](crate::sql::report_units)). A group with an amount that has no such
//! integer (more than four decimals) makes that report fall back to the reference
//! computation over the tenant's invoices, so that no figure is ever approximate.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::reports::{
    self, AgingReport, Period, ReportFacts, RevenueGrouping, RevenueKey, RevenueRow, VatSummaryRow,
};
use invoice_core::{ClientId, Currency, Decimal, Invoice, TenantId, VatCategory};
use rusqlite::Connection;

use super::query::{backend, day_number, from_day_number};
use super::SqliteStore;
use crate::error::Result;
use crate::report_store::ReportStore;
use crate::sql::{aging_bucket, corrupt_report_row, from_json, report_currency};

/// A sum of 1/10 000ths as a decimal, with at least the currency's minor units.
fn amount(units: i64, currency: Currency) -> Decimal {
    let mut amount = Decimal::new(units, 4).normalize();
    if amount.scale() < currency.minor_units() {
        amount.rescale(currency.minor_units());
    }
    amount
}

/// Rows of `sql` bound to `params`, each decoded by `decode`.
fn rows<T>(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    decode: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql).map_err(backend)?;
    let rows = statement.query_map(params, decode).map_err(backend)?;
    rows.collect::<rusqlite::Result<_>>().map_err(backend)
}

const AGING: &str = "SELECT currency, client_id, \
       CASE WHEN ?2 - COALESCE(due_date, issue_date) <= 0 THEN 0 \
            WHEN ?2 - COALESCE(due_date, issue_date) <= 30 THEN 1 \
            WHEN ?2 - COALESCE(due_date, issue_date) <= 60 THEN 2 \
            WHEN ?2 - COALESCE(due_date, issue_date) <= 90 THEN 3 \
            ELSE 4 END, \
       SUM(json_extract(facts, '$.due_units')), \
       COUNT(*) - COUNT(json_extract(facts, '$.due_units')) \
     FROM invoices \
     WHERE tenant = ?1 AND status IN ('issued', 'partially_paid') AND kind = 'invoice' \
       AND issue_date <= ?2 \
       AND (json_extract(facts, '$.due_units') IS NULL \
            OR json_extract(facts, '$.due_units') > 0) \
     GROUP BY 1, 2, 3";

/// The revenue query of a grouping, whose key is an integer (a day number, or the year,
/// month or quarter as `YYYYMM`, `YYYYQ`, `YYYY`) or a client id.
macro_rules! revenue_query {
    ($key:expr) => {
        concat!(
            "SELECT currency, CAST(",
            $key,
            " AS TEXT), \
             SUM(CASE WHEN kind = 'credit_note' THEN -json_extract(facts, '$.net_units') \
                 ELSE json_extract(facts, '$.net_units') END), \
             SUM(CASE WHEN kind = 'credit_note' THEN -json_extract(facts, '$.gross_units') \
                 ELSE json_extract(facts, '$.gross_units') END), \
             COUNT(*), \
             COUNT(*) - COUNT(json_extract(facts, '$.net_units') \
                              + json_extract(facts, '$.gross_units')) \
             FROM invoices \
             WHERE tenant = ?1 AND status <> 'draft' AND issue_date BETWEEN ?2 AND ?3 \
             GROUP BY 1, 2"
        )
    };
}

/// Year and month of a day number (days of the common era; Julian day 1721424.5 + n).
macro_rules! year {
    () => {
        "CAST(strftime('%Y', issue_date + 1721424.5) AS INTEGER)"
    };
}
macro_rules! month {
    () => {
        "CAST(strftime('%m', issue_date + 1721424.5) AS INTEGER)"
    };
}

const VAT_SUMMARY: &str = "SELECT i.currency, json_extract(v.value, '$.category'), \
       json_extract(v.value, '$.rate'), \
       SUM(CASE WHEN i.kind = 'credit_note' THEN -json_extract(v.value, '$.taxable_units') \
           ELSE json_extract(v.value, '$.taxable_units') END), \
       SUM(CASE WHEN i.kind = 'credit_note' THEN -json_extract(v.value, '$.tax_units') \
           ELSE json_extract(v.value, '$.tax_units') END), \
       COUNT(*) - COUNT(json_extract(v.value, '$.taxable_units') \
                        + json_extract(v.value, '$.tax_units')) \
     FROM invoices i, json_each(i.facts, '$.vat') v \
     WHERE i.tenant = ?1 AND i.status <> 'draft' AND i.issue_date BETWEEN ?2 AND ?3 \
     GROUP BY 1, 2, 3";

impl SqliteStore {
    /// The facts of every invoice of `tenant`, from their bodies: the fallback when a sum
    /// cannot be made of integers.
    fn reference_facts(&self, tenant: &TenantId) -> Result<Vec<ReportFacts>> {
        let bodies = self.read(|connection| {
            rows(
                connection,
                "SELECT id, body FROM invoices WHERE tenant = ?1",
                [tenant.as_str()],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
        })?;
        bodies
            .into_iter()
            .map(|(id, body)| {
                let invoice: Invoice = from_json(&body, "invoice", &id)?;
                Ok(ReportFacts::of(&invoice)?)
            })
            .collect()
    }
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn aging(&self, tenant: &TenantId, as_of: NaiveDate) -> Result<AgingReport> {
        let groups: Vec<(String, Option<String>, i64, Option<i64>, i64)> =
            self.read(|connection| {
                rows(
                    connection,
                    AGING,
                    (tenant.as_str(), day_number(as_of)),
                    |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                        ))
                    },
                )
            })?;
        if groups.iter().any(|g| g.4 > 0) {
            return Ok(reports::aging(&self.reference_facts(tenant)?, as_of)?);
        }
        let sums = groups
            .into_iter()
            .map(|(code, client, bucket, units, _)| {
                let currency = report_currency(&code)?;
                let client = client
                    .map(|id| id.parse::<ClientId>().map_err(|_| corrupt_report_row(&id)))
                    .transpose()?;
                let bucket = aging_bucket(bucket)?;
                Ok((
                    currency,
                    client,
                    bucket,
                    amount(units.unwrap_or(0), currency),
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
            RevenueGrouping::Period(Period::Day) => revenue_query!("issue_date"),
            RevenueGrouping::Period(Period::Month) => {
                revenue_query!(concat!(year!(), " * 100 + ", month!()))
            }
            RevenueGrouping::Period(Period::Quarter) => {
                revenue_query!(concat!(year!(), " * 10 + (", month!(), " - 1) / 3"))
            }
            RevenueGrouping::Period(Period::Year) => revenue_query!(year!()),
            RevenueGrouping::Client => revenue_query!("client_id"),
        };
        type Group = (String, Option<String>, Option<i64>, Option<i64>, i64, i64);
        let groups: Vec<Group> = self.read(|connection| {
            rows(
                connection,
                sql,
                (tenant.as_str(), day_number(from), day_number(to)),
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )
        })?;
        if groups.iter().any(|g| g.5 > 0) {
            return Ok(reports::revenue(
                &self.reference_facts(tenant)?,
                from,
                to,
                by,
            )?);
        }
        let mut rows = BTreeMap::new();
        for (code, key, net, gross, documents, _) in groups {
            let key = revenue_key(by, key)?;
            let currency = report_currency(&code)?;
            rows.insert(
                (currency, key.clone()),
                RevenueRow {
                    key,
                    currency,
                    net: amount(net.unwrap_or(0), currency),
                    gross: amount(gross.unwrap_or(0), currency),
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
        type Group = (String, String, String, Option<i64>, Option<i64>, i64);
        let groups: Vec<Group> = self.read(|connection| {
            rows(
                connection,
                VAT_SUMMARY,
                (tenant.as_str(), day_number(from), day_number(to)),
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )
        })?;
        if groups.iter().any(|g| g.5 > 0) {
            return Ok(reports::vat_summary(
                &self.reference_facts(tenant)?,
                from,
                to,
            )?);
        }
        let mut rows = BTreeMap::new();
        for (code, category, rate, taxable, tax, _) in groups {
            let currency = report_currency(&code)?;
            let category =
                VatCategory::from_code(&category).map_err(|_| corrupt_report_row(&category))?;
            let rate = Decimal::from_str_exact(&rate)
                .map_err(|_| corrupt_report_row(&rate))?
                .normalize();
            rows.insert(
                (currency, category, rate),
                VatSummaryRow {
                    currency,
                    category,
                    rate,
                    taxable: amount(taxable.unwrap_or(0), currency),
                    tax: amount(tax.unwrap_or(0), currency),
                },
            );
        }
        Ok(rows.into_values().collect())
    }
}

/// The key of a revenue group as the query gives it.
fn revenue_key(by: RevenueGrouping, key: Option<String>) -> Result<RevenueKey> {
    let number = |key: Option<String>| -> Result<i64> {
        let key = key.ok_or_else(|| corrupt_report_row("no issue date"))?;
        key.parse().map_err(|_| corrupt_report_row(&key))
    };
    let date = |y: i64, m: i64| {
        i32::try_from(y)
            .ok()
            .zip(u32::try_from(m).ok())
            .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
            .ok_or_else(|| corrupt_report_row("period"))
    };
    Ok(match by {
        RevenueGrouping::Client => RevenueKey::Client(
            key.map(|id| id.parse::<ClientId>().map_err(|_| corrupt_report_row(&id)))
                .transpose()?,
        ),
        RevenueGrouping::Period(Period::Day) => RevenueKey::Period(
            from_day_number(number(key)?).ok_or_else(|| corrupt_report_row("day"))?,
        ),
        RevenueGrouping::Period(Period::Month) => {
            let k = number(key)?;
            RevenueKey::Period(date(k / 100, k % 100)?)
        }
        RevenueGrouping::Period(Period::Quarter) => {
            let k = number(key)?;
            RevenueKey::Period(date(k / 10, (k % 10) * 3 + 1)?)
        }
        RevenueGrouping::Period(Period::Year) => RevenueKey::Period(date(number(key)?, 1)?),
    })
}
