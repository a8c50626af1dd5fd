//! Reports computed where the data lives: receivables aging, revenue and the VAT summary
//! of one tenant, with the figures of `invoice_core::reports`'s reference computation
//! over the same invoices (the conformance suite holds every adapter to that).
//!
//! The in-memory adapter runs the reference computation itself.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::reports::{AgingReport, RevenueGrouping, RevenueRow, VatSummaryRow};
use invoice_core::TenantId;

use crate::error::Result;

/// Reports over one tenant's invoices.
#[async_trait]
pub trait ReportStore: Debug + Send + Sync + 'static {
    /// Receivables aging as of `as_of`, as [`invoice_core::reports::aging`] computes it.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn aging(&self, tenant: &TenantId, as_of: NaiveDate) -> Result<AgingReport>;

    /// Revenue of the documents issued from `from` to `to`, grouped as `by`, as
    /// [`invoice_core::reports::revenue`] computes it.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn revenue(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
        by: RevenueGrouping,
    ) -> Result<Vec<RevenueRow>>;

    /// The VAT summary of the documents issued from `from` to `to`, as
    /// [`invoice_core::reports::vat_summary`] computes it.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn vat_summary(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VatSummaryRow>>;
}
