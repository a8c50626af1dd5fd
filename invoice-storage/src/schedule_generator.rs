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
            // A schedule still due after its turn failed and waits for the next run; the
            // query reaches past every one seen so far, so that failing schedules never
            // hide the ones due after them.
            let reach = u32::try_from(seen.len())
                .unwrap_or(u32::MAX)
                .saturating_add(self.batch);
            let due = self.schedules.due(now, reach).await?;
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
        // UUID v7 ids (time first) land at the end of the stores' id indexes.
        let (invoice, event) = schedule.draft(InvoiceId::from_uuid(Uuid::now_v7()), occurrence)?;
        let envelope = EventEnvelope::new(EventId::from_uuid(Uuid::now_v7()), now, &invoice, event);
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
            IssueRequest::new(occurrence.date, EventId::from_uuid(Uuid::now_v7()), now)
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use async_trait::async_trait;
    use chrono::TimeZone;
    use invoice_core::{EventEnvelope, Invoice, TenantId};

    use super::*;
    use crate::schedule_store::{SchedulePage, ScheduleQuery};
    use crate::testing::fresh_tenant;
    use crate::InMemoryStore;

    /// The in-memory store, except that generating fails for some schedules.
    #[derive(Debug)]
    struct FailingFor {
        store: InMemoryStore,
        failing: HashSet<ScheduleId>,
    }

    #[async_trait]
    impl ScheduleStore for FailingFor {
        async fn create(&self, schedule: &Schedule) -> Result<()> {
            ScheduleStore::create(&self.store, schedule).await
        }
        async fn get(&self, tenant: &TenantId, id: ScheduleId) -> Result<Schedule> {
            ScheduleStore::get(&self.store, tenant, id).await
        }
        async fn update(&self, schedule: &Schedule, expected_version: u64) -> Result<()> {
            ScheduleStore::update(&self.store, schedule, expected_version).await
        }
        async fn list(&self, tenant: &TenantId, query: &ScheduleQuery) -> Result<SchedulePage> {
            ScheduleStore::list(&self.store, tenant, query).await
        }
        async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Schedule>> {
            ScheduleStore::due(&self.store, now, limit).await
        }
        async fn generate(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<Generated> {
            match invoice.schedule_origin() {
                Some(origin) if self.failing.contains(&origin.schedule) => Err(Error::Backend {
                    backend: "test",
                    source: "refused by the test".into(),
                }),
                _ => self.store.generate(invoice, events).await,
            }
        }
    }

    #[tokio::test]
    async fn schedules_that_fail_do_not_hide_the_ones_due_after_them() {
        let tenant = fresh_tenant();
        let store = InMemoryStore::new();
        // Two failing schedules sort before the healthy one (by due time, then id).
        let mut ids = Vec::new();
        for _ in 0..3 {
            let schedule = crate::testing::monthly_schedule(&tenant, false);
            ScheduleStore::create(&store, &schedule).await.unwrap();
            ids.push(schedule.id());
        }
        ids.sort();
        let failing: HashSet<ScheduleId> = ids[..2].iter().copied().collect();
        let schedules = Arc::new(FailingFor {
            store: store.clone(),
            failing,
        });
        let generator = ScheduleGenerator::new(schedules, Arc::new(store.clone())).batch_size(1);
        let now = Utc.with_ymd_and_hms(2027, 2, 15, 12, 0, 0).unwrap();
        let report = generator.run_once(now).await.unwrap();
        assert_eq!(report.failed.len(), 2, "{report:?}");
        assert_eq!(
            report.created, 2,
            "the healthy schedule's two periods: {report:?}"
        );
        let healthy = ScheduleStore::get(&store, &tenant, ids[2]).await.unwrap();
        assert_eq!(healthy.last_period(), Some(1));
    }
}
