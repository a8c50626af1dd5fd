//! What is owed and earned: receivables aging, revenue per period or client, and the VAT
//! summary a VAT return needs, as pure types and a reference computation over invoices.
//!
//! Each report reads a few [`ReportFacts`] of each invoice (what a database keeps as
//! columns), so that a store can compute the same figures where the data lives and be
//! checked against [`aging`], [`revenue`] and [`vat_summary`]. Amounts are kept per
//! currency, never added across currencies; credit notes count against revenue and VAT.
//!
//! ```
//! use chrono::NaiveDate;
//! use invoice_core::reports::{self, ReportFacts};
//! # use invoice_core::*;
//! # use rust_decimal::Decimal;
//! # let address = Address::new(CountryCode::new("DE")?);
//! # let builder = InvoiceBuilder::new(
//! #     InvoiceId::from_uuid(uuid::Uuid::nil()), TenantId::new("acme")?, Currency::EUR,
//! #     Party::new("Seller", address.clone()).with_vat_id("DE123456789"),
//! #     Party::new("Buyer", address),
//! # )
//! # .due_date(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap())
//! # .line(LineItem::new("1", "Work", Decimal::ONE, UnitCode::piece(), Decimal::ONE_HUNDRED,
//! #     Vat::standard(Decimal::new(19, 0))));
//! # let (mut invoice, _) = Invoice::create(builder)?;
//! # invoice.issue(InvoiceNumber::new("INV-1")?, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())?;
//! let facts = [ReportFacts::of(&invoice)?];
//! let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
//! let report = reports::aging(&facts, as_of)?;
//! // 119.00 EUR, 43 days past its due date of 31 January.
//! assert_eq!(report.totals[0].amounts.days_31_to_60.to_string(), "119.00");
//! # Ok::<(), invoice_core::Error>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    ClientId, Currency, Decimal, Invoice, InvoiceKind, InvoiceStatus, Result, Totals, VatCategory,
};

/// What the reports read of one invoice or credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFacts {
    /// A credit note counts against revenue and VAT.
    pub credit_note: bool,
    /// Its status.
    pub status: InvoiceStatus,
    /// The client it is linked to.
    pub client: Option<ClientId>,
    /// Its currency (BT-5).
    pub currency: Currency,
    /// Its issue date (BT-2); none for a draft.
    pub issue_date: Option<NaiveDate>,
    /// Its due date (BT-9).
    pub due_date: Option<NaiveDate>,
    /// Total without VAT (BT-109).
    pub net: Decimal,
    /// Total with VAT (BT-112).
    pub gross: Decimal,
    /// What is still due: BT-115 minus payments.
    pub amount_due: Decimal,
    /// Its VAT breakdown (BG-23).
    pub vat: Vec<VatFact>,
}

/// One VAT breakdown row of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatFact {
    /// The category (BT-118).
    pub category: VatCategory,
    /// The rate (BT-119).
    pub rate: Decimal,
    /// The taxable amount (BT-116).
    pub taxable: Decimal,
    /// The VAT (BT-117).
    pub tax: Decimal,
}

impl ReportFacts {
    /// The facts of `invoice`.
    ///
    /// # Errors
    ///
    /// As [`Invoice::totals`].
    pub fn of(invoice: &Invoice) -> Result<Self> {
        Self::with_totals(invoice, &invoice.totals()?)
    }

    /// The facts of `invoice`, from its `totals` ([`Invoice::totals`]) computed once for
    /// several uses.
    ///
    /// # Errors
    ///
    /// When the payments overflow.
    pub fn with_totals(invoice: &Invoice, totals: &Totals) -> Result<Self> {
        Ok(Self {
            credit_note: matches!(invoice.kind(), InvoiceKind::CreditNote { .. }),
            status: invoice.status(),
            client: invoice.client(),
            currency: invoice.currency(),
            issue_date: invoice.issue_date(),
            due_date: invoice.due_date(),
            net: totals.tax_exclusive_amount(),
            gross: totals.tax_inclusive_amount(),
            amount_due: invoice.amount_due_with(totals)?,
            vat: totals
                .vat_breakdown()
                .iter()
                .map(|row| VatFact {
                    category: row.category(),
                    rate: row.rate(),
                    taxable: row.taxable_amount(),
                    tax: row.tax_amount(),
                })
                .collect(),
        })
    }

    /// Issued (in any later state), so that it counts as revenue and VAT.
    fn issued_between(&self, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
        let date = self.issue_date.filter(|_| !self.status.is_draft())?;
        (from <= date && date <= to).then_some(date)
    }

    /// `amount` with the sign a credit note gives it.
    fn signed(&self, amount: Decimal) -> Decimal {
        if self.credit_note {
            -amount
        } else {
            amount
        }
    }
}

/// How late an amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgingBucket {
    /// Not yet due (due on the report's date or later).
    NotDue,
    /// 1 to 30 days past due.
    Days1To30,
    /// 31 to 60 days.
    Days31To60,
    /// 61 to 90 days.
    Days61To90,
    /// More than 90 days.
    Over90,
}

impl AgingBucket {
    /// Every bucket, from not due to over 90 days; a bucket's index here is the number
    /// the stores' queries give it.
    pub const ALL: [Self; 5] = [
        Self::NotDue,
        Self::Days1To30,
        Self::Days31To60,
        Self::Days61To90,
        Self::Over90,
    ];

    /// The bucket of an amount due on `due`, as of `as_of`.
    pub fn of(due: NaiveDate, as_of: NaiveDate) -> Self {
        match (as_of - due).num_days() {
            i64::MIN..=0 => Self::NotDue,
            1..=30 => Self::Days1To30,
            31..=60 => Self::Days31To60,
            61..=90 => Self::Days61To90,
            _ => Self::Over90,
        }
    }
}

/// Amounts due, per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingAmounts {
    /// Not yet due.
    pub not_due: Decimal,
    /// 1 to 30 days past due.
    pub days_1_to_30: Decimal,
    /// 31 to 60 days past due.
    pub days_31_to_60: Decimal,
    /// 61 to 90 days past due.
    pub days_61_to_90: Decimal,
    /// More than 90 days past due.
    pub over_90: Decimal,
    /// All of them.
    pub total: Decimal,
}

impl AgingAmounts {
    /// Adds `amount` to `bucket` and the total.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`](crate::Error::Overflow) past `Decimal`'s range.
    pub fn add(&mut self, bucket: AgingBucket, amount: Decimal) -> Result<()> {
        let slot = match bucket {
            AgingBucket::NotDue => &mut self.not_due,
            AgingBucket::Days1To30 => &mut self.days_1_to_30,
            AgingBucket::Days31To60 => &mut self.days_31_to_60,
            AgingBucket::Days61To90 => &mut self.days_61_to_90,
            AgingBucket::Over90 => &mut self.over_90,
        };
        *slot = add(*slot, amount)?;
        self.total = add(self.total, amount)?;
        Ok(())
    }
}

/// One client's receivables in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingRow {
    /// The client (none: invoices not linked to a client record).
    pub client: Option<ClientId>,
    /// The currency.
    pub currency: Currency,
    /// What is due, by how late.
    pub amounts: AgingAmounts,
}

/// All clients' receivables in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingTotal {
    /// The currency.
    pub currency: Currency,
    /// What is due, by how late.
    pub amounts: AgingAmounts,
}

/// Receivables aging as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingReport {
    /// The date the report is for.
    pub as_of: NaiveDate,
    /// Per client and currency, by currency then client (no client first).
    pub rows: Vec<AgingRow>,
    /// Per currency.
    pub totals: Vec<AgingTotal>,
}

/// Receivables aging as of `as_of`: what is still due on invoices issued by then and not
/// paid or credited, by days past the due date (an invoice without one is due on its
/// issue date). Credit notes are not receivables: the invoice they correct is credited.
///
/// # Errors
///
/// [`Error::Overflow`](crate::Error::Overflow) past `Decimal`'s range.
pub fn aging<'a>(
    facts: impl IntoIterator<Item = &'a ReportFacts>,
    as_of: NaiveDate,
) -> Result<AgingReport> {
    let sums = facts.into_iter().filter_map(|fact| {
        let open = matches!(
            fact.status,
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
        );
        let issued = fact.issue_date.filter(|d| open && *d <= as_of)?;
        if fact.credit_note || fact.amount_due <= Decimal::ZERO {
            return None;
        }
        let bucket = AgingBucket::of(fact.due_date.unwrap_or(issued), as_of);
        Some((fact.currency, fact.client, bucket, fact.amount_due))
    });
    AgingReport::from_sums(as_of, sums)
}

impl AgingReport {
    /// The report of amounts already bucketed (by [`aging`], or grouped by a store's
    /// query): each `(currency, client, bucket, amount)` is added to its client's row and
    /// to its currency's total; rows come out by currency, then client.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`](crate::Error::Overflow) past `Decimal`'s range.
    pub fn from_sums(
        as_of: NaiveDate,
        sums: impl IntoIterator<Item = (Currency, Option<ClientId>, AgingBucket, Decimal)>,
    ) -> Result<Self> {
        let mut rows: BTreeMap<(Currency, Option<ClientId>), AgingAmounts> = BTreeMap::new();
        let mut totals: BTreeMap<Currency, AgingAmounts> = BTreeMap::new();
        for (currency, client, bucket, amount) in sums {
            rows.entry((currency, client))
                .or_default()
                .add(bucket, amount)?;
            totals.entry(currency).or_default().add(bucket, amount)?;
        }
        Ok(Self {
            as_of,
            rows: rows
                .into_iter()
                .map(|((currency, client), amounts)| AgingRow {
                    client,
                    currency,
                    amounts,
                })
                .collect(),
            totals: totals
                .into_iter()
                .map(|(currency, amounts)| AgingTotal { currency, amounts })
                .collect(),
        })
    }
}

/// The periods revenue is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar days.
    Day,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl Period {
    /// The first day of the period `date` falls in.
    pub fn start_of(self, date: NaiveDate) -> NaiveDate {
        let first_month =
            |month: u32| NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date);
        match self {
            Self::Day => date,
            Self::Month => first_month(date.month()),
            Self::Quarter => first_month((date.month0() / 3) * 3 + 1),
            Self::Year => first_month(1),
        }
    }
}

/// What revenue is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueGrouping {
    /// By period of the issue date.
    Period(Period),
    /// By client.
    Client,
}

/// The key of one revenue row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueKey {
    /// The first day of a period.
    Period(NaiveDate),
    /// A client (none: documents not linked to a client record).
    Client(Option<ClientId>),
}

/// Revenue of one group in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueRow {
    /// The group.
    pub key: RevenueKey,
    /// The currency.
    pub currency: Currency,
    /// Invoices' BT-109 minus credit notes'.
    pub net: Decimal,
    /// Invoices' BT-112 minus credit notes'.
    pub gross: Decimal,
    /// How many documents (invoices and credit notes).
    pub documents: u64,
}

/// Revenue of the documents issued from `from` to `to` (both included), grouped as
/// `by`: invoices add, credit notes subtract; drafts do not count. Rows by currency, then
/// key.
///
/// # Errors
///
/// [`Error::Overflow`](crate::Error::Overflow) past `Decimal`'s range.
pub fn revenue<'a>(
    facts: impl IntoIterator<Item = &'a ReportFacts>,
    from: NaiveDate,
    to: NaiveDate,
    by: RevenueGrouping,
) -> Result<Vec<RevenueRow>> {
    let mut rows: BTreeMap<(Currency, RevenueKey), RevenueRow> = BTreeMap::new();
    for fact in facts {
        let Some(issued) = fact.issued_between(from, to) else {
            continue;
        };
        let key = match by {
            RevenueGrouping::Period(period) => RevenueKey::Period(period.start_of(issued)),
            RevenueGrouping::Client => RevenueKey::Client(fact.client),
        };
        let row = rows
            .entry((fact.currency, key.clone()))
            .or_insert_with(|| RevenueRow {
                key,
                currency: fact.currency,
                net: Decimal::ZERO,
                gross: Decimal::ZERO,
                documents: 0,
            });
        row.net = add(row.net, fact.signed(fact.net))?;
        row.gross = add(row.gross, fact.signed(fact.gross))?;
        row.documents += 1;
    }
    Ok(rows.into_values().collect())
}

/// Taxable amounts and VAT of one category and rate in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSummaryRow {
    /// The currency.
    pub currency: Currency,
    /// The category.
    pub category: VatCategory,
    /// The rate, normalized (`19`, not `19.00`).
    pub rate: Decimal,
    /// Taxable amounts of invoices minus credit notes.
    pub taxable: Decimal,
    /// VAT of invoices minus credit notes.
    pub tax: Decimal,
}

/// The VAT summary of the documents issued from `from` to `to` (both included), per
/// currency, category and rate, credit notes netted, as a VAT return needs it.
///
/// # Errors
///
/// [`Error::Overflow`](crate::Error::Overflow) past `Decimal`'s range.
pub fn vat_summary<'a>(
    facts: impl IntoIterator<Item = &'a ReportFacts>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<VatSummaryRow>> {
    let mut rows: BTreeMap<(Currency, VatCategory, Decimal), (Decimal, Decimal)> = BTreeMap::new();
    for fact in facts {
        if fact.issued_between(from, to).is_none() {
            continue;
        }
        for vat in &fact.vat {
            let sums = rows
                .entry((fact.currency, vat.category, vat.rate.normalize()))
                .or_default();
            sums.0 = add(sums.0, fact.signed(vat.taxable))?;
            sums.1 = add(sums.1, fact.signed(vat.tax))?;
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |((currency, category, rate), (taxable, tax))| VatSummaryRow {
                currency,
                category,
                rate,
                taxable,
                tax,
            },
        )
        .collect())
}

/// `a + b`, or [`Error::Overflow`](crate::Error::Overflow).
fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(crate::error::overflow)
}

#[cfg(test)]
mod tests;
