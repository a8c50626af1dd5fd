//! The two checkers: each reads one balance and answers every placed order.
//!
//! A checker's answer is advice: balances move between the check and the decision, and
//! the [`Aggregator`](crate::Aggregator) reserves only what is still there. Answering
//! twice is harmless (the first answer stands), so a checker needs no memory of its own.

use std::sync::Arc;

use async_trait::async_trait;
use invoice_messaging::{Handler, HandlerError, Publisher};

use crate::invoice::Invoicing;
use crate::messages::{Checker, OrderChecked, OrderPlaced};
use crate::order::Check;
use crate::store::OrderStore;

/// Answers [`OrderPlaced`] with [`OrderChecked`]: credit or stock.
pub struct CheckHandler {
    checker: Checker,
    store: Arc<dyn OrderStore>,
    invoicing: Invoicing,
    answers: Arc<dyn Publisher<OrderChecked>>,
}

impl std::fmt::Debug for CheckHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckHandler")
            .field("checker", &self.checker)
            .finish_non_exhaustive()
    }
}

impl CheckHandler {
    /// The `checker`, reading `store`, pricing orders as `invoicing` does, answering on
    /// `answers`.
    pub fn new(
        checker: Checker,
        store: Arc<dyn OrderStore>,
        invoicing: Invoicing,
        answers: Arc<dyn Publisher<OrderChecked>>,
    ) -> Self {
        Self {
            checker,
            store,
            invoicing,
            answers,
        }
    }

    async fn check(&self, placed: &OrderPlaced) -> Result<Check, HandlerError> {
        let order = &placed.order;
        let refuse = |reason: String| Check {
            ok: false,
            reason: Some(reason),
        };
        Ok(match self.checker {
            Checker::Credit => {
                let amount = match self.invoicing.amount(order) {
                    Ok(amount) => amount,
                    Err(e) => return Ok(refuse(format!("cannot be priced: {e}"))),
                };
                let balance = self
                    .store
                    .account(&order.customer)
                    .await
                    .map_err(HandlerError::retryable)?;
                if balance >= amount {
                    Check {
                        ok: true,
                        reason: None,
                    }
                } else {
                    refuse(format!(
                        "credit of {} is {balance}, the order costs {amount}",
                        order.customer
                    ))
                }
            }
            Checker::Stock => {
                for line in &order.lines {
                    let left = self
                        .store
                        .stock(&line.product)
                        .await
                        .map_err(HandlerError::retryable)?;
                    if left < u64::from(line.quantity) {
                        return Ok(refuse(format!(
                            "{} of {} in stock, {} ordered",
                            left, line.product, line.quantity
                        )));
                    }
                }
                Check {
                    ok: true,
                    reason: None,
                }
            }
        })
    }
}

#[async_trait]
impl Handler<OrderPlaced> for CheckHandler {
    async fn handle(&self, placed: &OrderPlaced) -> Result<(), HandlerError> {
        let check = self.check(placed).await?;
        let answer = OrderChecked {
            order: placed.order.id,
            checker: self.checker,
            check,
        };
        self.answers
            .publish(&answer)
            .await
            .map_err(HandlerError::retryable)
    }
}
