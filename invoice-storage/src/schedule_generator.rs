//! The generator of recurring invoices: at a time the caller gives, it makes every due
//! period's invoice through [`ScheduleStore::generate`], and issues it when the schedule
//! says so. Any number of generators may run at once (several service instances): the
//! store makes each period once, and an issue that another generator got to first is
//! not repeated.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_core::schedule::{Occurrence, Schedule};
use invoice_core::{EventEnvelope, EventId, InvoiceId, InvoiceStatus, ScheduleId};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::invoice_store::{InvoiceStore, IssueRequest};
use crate::schedule_store::{Generated, ScheduleStore};

/// What one [`ScheduleGenerator::run_once`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerationReport {
    /// Invoices this run created.
    pub created: u32,
    /// Periods found generated already (by another generator, or before a restart).
    pub already_generated: u32,
    /// Invoices this run issued.
    pub issued: u32,
    /// Periods that could not be generated or issued, with the reason; they are tried
    /// again on the next run unless the draft was made.
    pub failed: Vec<GenerationFailure>,
}

/// A period a run could not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationFailure {
    /// The schedule.
    pub schedule: ScheduleId,
    /// The period.
    pub period: u32,
    /// Why, in words.
    pub reason: String,
}

/// Generates the due invoices of every tenant's schedules.
///
/// ```
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::sync::Arc;
/// use invoice_storage::{InMemoryStore, ScheduleGenerator};
///
/// let store = InMemoryStore::new();
/// let generator = ScheduleGenerator::new(Arc::new(store.clone()), Arc::new(store));
/// // The clock is the caller's: a service passes `Utc::now()` every minute, a test the
/// // times it wants.
/// let report = generator.run_once(chrono::Utc::now()).await?;
/// assert_eq!(report.created, 0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ScheduleGenerator {
    schedules: Arc<dyn ScheduleStore>,
    invoices: Arc<dyn InvoiceStore>,
    batch: u32,
}

impl ScheduleGenerator {
    /// A generator over these stores (usually the same database), reading 100 due
    /// schedules at a time.
    pub fn new(schedules: Arc<dyn ScheduleStore>, invoices: Arc<dyn InvoiceStore>) -> Self {
        Self {
            schedules,
            invoices,
            batch: 100,
        }
    }

    /// Reads `batch` due schedules at a time (at least 1).
    #[must_use]
    pub fn batch_size(mut self, batch: u32) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Generates every period due at `now`, oldest first per schedule: after downtime,
    /// each missed period once. Invoices are dated their occurrence's date, so a
    /// period caught up late reads as it would have on time.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the stores cannot be read; a period that fails alone is
    /// reported in [`GenerationReport::failed`] and the run goes on.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<GenerationReport> {
        let mut report = GenerationReport::default();
        let mut seen = HashSet::new();
        loop {
            let due = self.schedules.due(now, self.batch).await?;
            // A schedule still due after its turn failed: it waits for the next run.
            let fresh: Vec<Schedule> = due.into_iter().filter(|s| seen.insert(s.id())).collect();
            if fresh.is_empty() {
                return Ok(report);
            }
            for schedule in fresh {
                for occurrence in schedule.due(now) {
                    if let Err(e) = self.generate(&schedule, occurrence, now, &mut report).await {
                        report.failed.push(GenerationFailure {
                            schedule: schedule.id(),
                            period: occurrence.period,
                            reason: e.to_string(),
                        });
                        // Later periods wait until this one is made.
                        break;
                    }
                }
            }
        }
    }

    /// Makes one period's invoice, and issues it when the schedule says so.
    async fn generate(
        &self,
        schedule: &Schedule,
        occurrence: Occurrence,
        now: DateTime<Utc>,
        report: &mut GenerationReport,
    ) -> Result<()> {
        let (invoice, event) = schedule.draft(InvoiceId::from_uuid(Uuid::new_v4()), occurrence)?;
        let envelope = EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), now, &invoice, event);
        let (id, version) = match self.schedules.generate(&invoice, &[envelope]).await? {
            Generated::Created => {
                report.created += 1;
                (invoice.id(), invoice.version())
            }
            Generated::AlreadyGenerated { invoice: id } => {
                report.already_generated += 1;
                if !schedule.auto_issue() {
                    return Ok(());
                }
                // Made before a crash, perhaps never issued: issue it if still a draft.
                let made = self.invoices.get(schedule.tenant(), id).await?;
                if made.status() != InvoiceStatus::Draft {
                    return Ok(());
                }
                (id, made.version())
            }
        };
        if !schedule.auto_issue() {
            return Ok(());
        }
        let mut request =
            IssueRequest::new(occurrence.date, EventId::from_uuid(Uuid::new_v4()), now)
                .with_expected_version(version);
        if let Some(series) = &schedule.template().series {
            request = request.with_series(series.clone());
        }
        match self.invoices.issue(schedule.tenant(), id, &request).await {
            Ok(_) => {
                report.issued += 1;
                Ok(())
            }
            // Another generator issued it (or a person changed it) first.
            Err(Error::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
