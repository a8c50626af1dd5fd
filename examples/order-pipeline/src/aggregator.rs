//! The join: the checkers' answers recorded in the store, the order decided once both
//! are in, a shipped order invoiced once.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::{EventEnvelope, EventId, InvoiceStatus};
use invoice_messaging::{Handler, HandlerError, Publisher};
use invoice_storage::{Error as InvoiceStoreError, InvoiceStore, IssueRequest};
use uuid::Uuid;

use crate::invoice::Invoicing;
use crate::messages::{OrderChecked, OrderRejected, OrderShipped};
use crate::order::{Order, OrderStatus};
use crate::store::{OrderStore, StoreError};

/// Handles [`OrderChecked`]: see the [crate documentation](crate) for the steps.
pub struct Aggregator {
    orders: Arc<dyn OrderStore>,
    invoices: Arc<dyn InvoiceStore>,
    invoicing: Invoicing,
    shipped: Arc<dyn Publisher<OrderShipped>>,
    rejected: Arc<dyn Publisher<OrderRejected>>,
}

impl std::fmt::Debug for Aggregator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregator").finish_non_exhaustive()
    }
}

fn retry(e: impl std::error::Error + Send + Sync + 'static) -> HandlerError {
    HandlerError::retryable(e)
}

impl Aggregator {
    /// An aggregator deciding orders of `orders`, invoicing into `invoices` as
    /// `invoicing` says, announcing outcomes on the two publishers.
    pub fn new(
        orders: Arc<dyn OrderStore>,
        invoices: Arc<dyn InvoiceStore>,
        invoicing: Invoicing,
        shipped: Arc<dyn Publisher<OrderShipped>>,
        rejected: Arc<dyn Publisher<OrderRejected>>,
    ) -> Self {
        Self {
            orders,
            invoices,
            invoicing,
            shipped,
            rejected,
        }
    }

    /// Creates and issues `order`'s invoice unless that was done; returns its number.
    async fn invoice(
        &self,
        order: &Order,
        now: DateTime<Utc>,
    ) -> Result<OrderShipped, HandlerError> {
        let tenant = &self.invoicing.tenant;
        let id = Invoicing::invoice_id(order);
        let draft = self
            .invoicing
            .draft(order)
            .map_err(HandlerError::permanent)?;
        let event = invoice_core::InvoiceEvent::Created {
            summary: draft.snapshot().map_err(HandlerError::permanent)?,
        };
        let created = EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), now, &draft, event);
        match self.invoices.create(&draft, &[created]).await {
            Ok(()) | Err(InvoiceStoreError::AlreadyExists { .. }) => {}
            Err(e) => return Err(retry(e)),
        }
        let stored = self.invoices.get(tenant, id).await.map_err(retry)?;
        let issued = if stored.status() == InvoiceStatus::Draft {
            let request =
                IssueRequest::new(now.date_naive(), EventId::from_uuid(Uuid::new_v4()), now);
            match self.invoices.issue(tenant, id, &request).await {
                Ok((issued, _)) => issued,
                // Checked before the order was decided; a rule broken now is a bug.
                Err(e @ InvoiceStoreError::Domain(_)) => return Err(HandlerError::permanent(e)),
                Err(e) => return Err(retry(e)),
            }
        } else {
            stored
        };
        let number = issued
            .number()
            .cloned()
            .ok_or_else(|| HandlerError::permanent("an issued invoice without a number"))?;
        Ok(OrderShipped {
            order: order.id,
            invoice: id,
            number,
        })
    }

    /// Rejects the orders placed before `before` that still lack an answer, and announces
    /// each; returns how many.
    ///
    /// # Errors
    ///
    /// The store's or the publisher's; what was rejected and not announced stays
    /// rejected (announce it again by hand, or let consumers read the store).
    pub async fn expire(&self, before: DateTime<Utc>) -> Result<usize, HandlerError> {
        let expired = self.orders.expire(before).await.map_err(retry)?;
        for order in &expired {
            if let OrderStatus::Rejected { reason } = &order.status {
                let rejected = OrderRejected {
                    order: order.id,
                    reason: reason.clone(),
                };
                self.rejected.publish(&rejected).await.map_err(retry)?;
            }
        }
        Ok(expired.len())
    }
}

#[async_trait]
impl Handler<OrderChecked> for Aggregator {
    async fn handle(&self, answer: &OrderChecked) -> Result<(), HandlerError> {
        let order = match self
            .orders
            .record_check(answer.order, answer.checker, answer.check.clone())
            .await
        {
            Ok(order) => order,
            Err(StoreError::NotFound(id)) => {
                return Err(HandlerError::permanent(format!("no order {id}")))
            }
            Err(e) => return Err(retry(e)),
        };
        if order.checks().is_none() {
            return Ok(()); // the other answer is still to come
        }
        let amount = self
            .invoicing
            .amount(&order)
            .map_err(HandlerError::permanent)?;
        let decided = self
            .orders
            .complete(order.id, amount)
            .await
            .map_err(retry)?;
        match &decided.status {
            OrderStatus::Placed => Err(HandlerError::retryable("the order is still undecided")),
            OrderStatus::Shipped => {
                let shipped = self.invoice(&decided, Utc::now()).await?;
                self.shipped.publish(&shipped).await.map_err(retry)
            }
            OrderStatus::Rejected { reason } => {
                let rejected = OrderRejected {
                    order: decided.id,
                    reason: reason.clone(),
                };
                self.rejected.publish(&rejected).await.map_err(retry)
            }
        }
    }
}
