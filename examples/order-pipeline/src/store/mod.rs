//! Where orders, balances and the join of the checkers' answers live: the
//! [`OrderStore`] trait, and its in-memory implementation.
//!
//! Each method is one atomic step, so that the aggregator can be killed between any two
//! and a redelivered message finishes the work: [`record_check`](OrderStore::record_check)
//! keeps the first answer of each checker, [`complete`](OrderStore::complete) decides an
//! order once (reserving credit and stock only if both are still there), and asking again
//! returns the decision already taken.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::messages::Checker;
use crate::order::{Check, Order, OrderStatus};

mod postgres;
pub use postgres::PostgresOrderStore;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No order with this id.
    #[error("order {0} not found")]
    NotFound(Uuid),
    /// An order with this id exists already.
    #[error("order {0} exists already")]
    AlreadyExists(Uuid),
    /// A negative balance or stock was asked for.
    #[error("invalid {what}: {value}")]
    Invalid {
        /// What was wrong.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// The backend failed; worth another try.
    #[error("store backend failed: {0}")]
    Backend(String),
}

/// Orders, credit balances per customer, stock per product.
#[async_trait]
pub trait OrderStore: Send + Sync + 'static {
    /// Sets the credit balance of `customer`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Invalid`] for a negative balance.
    async fn set_account(&self, customer: &str, balance: Decimal) -> Result<(), StoreError>;

    /// Sets the stock of `product`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn set_stock(&self, product: &str, quantity: u64) -> Result<(), StoreError>;

    /// The credit balance of `customer` (zero for one never set).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn account(&self, customer: &str) -> Result<Decimal, StoreError>;

    /// The stock of `product` (zero for one never set).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn stock(&self, product: &str) -> Result<u64, StoreError>;

    /// Stores new orders, all or none, each with its announcement still to be published
    /// (an outbox: see [`claim_announcements`](Self::claim_announcements)).
    ///
    /// # Errors
    ///
    /// [`StoreError::AlreadyExists`] for a known id.
    async fn place(&self, orders: &[Order]) -> Result<(), StoreError>;

    /// Claims up to `limit` orders whose announcement is not published yet and that no
    /// one holds (or whose claim ended at `now`), until `lease_until`, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn claim_announcements(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError>;

    /// Records that the announcements of `ids` are published.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn mark_announced(&self, ids: &[Uuid]) -> Result<(), StoreError>;

    /// The order.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`].
    async fn get(&self, id: Uuid) -> Result<Order, StoreError>;

    /// Records `checker`'s answer, unless it answered already (the first answer stands),
    /// and returns the order as it is then.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`].
    async fn record_check(
        &self,
        id: Uuid,
        checker: Checker,
        check: Check,
    ) -> Result<Order, StoreError>;

    /// Decides a placed order with both answers in: when both passed, reserves `amount` of
    /// the customer's credit and each line's quantity of stock if all are there, and marks
    /// it shipped; else marks it rejected with the reason. An order decided already stays
    /// as it is. Returns the order after.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`]; [`StoreError::Invalid`] when an answer is missing.
    async fn complete(&self, id: Uuid, amount: Decimal) -> Result<Order, StoreError>;

    /// Rejects every placed order placed before `before` that still lacks an answer
    /// ("timed out waiting for the stock check") and returns them.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    async fn expire(&self, before: DateTime<Utc>) -> Result<Vec<Order>, StoreError>;
}

#[derive(Debug, Default)]
struct State {
    orders: HashMap<Uuid, Order>,
    /// Orders whose announcement is not published, with the end of their claim.
    unannounced: HashMap<Uuid, Option<DateTime<Utc>>>,
    accounts: HashMap<String, Decimal>,
    stock: HashMap<String, u64>,
}

/// An [`OrderStore`] in memory: for tests and the embedded default. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct InMemoryOrderStore {
    state: Arc<Mutex<State>>,
}

impl InMemoryOrderStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every step below checks first and changes after: a poisoned state is whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The reason of a failed check, `None` when both passed.
///
/// # Errors
///
/// [`StoreError::Invalid`] when an answer is missing: such an order is not decided.
pub(crate) fn failed_check(order: &Order) -> Result<Option<String>, StoreError> {
    let Some((credit, stock)) = order.checks() else {
        return Err(StoreError::Invalid {
            what: "completion",
            value: format!("order {} has not both answers", order.id),
        });
    };
    Ok([credit, stock].into_iter().find(|c| !c.ok).map(|c| {
        c.reason
            .clone()
            .unwrap_or_else(|| "a check failed".to_owned())
    }))
}

/// Why both passing checks still do not ship, when balances ran out since.
fn shortfall(state: &State, order: &Order, amount: Decimal) -> Option<String> {
    let credit = state
        .accounts
        .get(&order.customer)
        .copied()
        .unwrap_or_default();
    if credit < amount {
        return Some(format!("credit ran out: {credit} left, {amount} needed"));
    }
    let mut needed: HashMap<&str, u64> = HashMap::new();
    for line in &order.lines {
        *needed.entry(line.product.as_str()).or_default() += u64::from(line.quantity);
    }
    for (product, quantity) in needed {
        let left = state.stock.get(product).copied().unwrap_or_default();
        if left < quantity {
            return Some(format!(
                "stock of {product} ran out: {left} left, {quantity} needed"
            ));
        }
    }
    None
}

#[async_trait]
impl OrderStore for InMemoryOrderStore {
    async fn set_account(&self, customer: &str, balance: Decimal) -> Result<(), StoreError> {
        if balance < Decimal::ZERO {
            return Err(StoreError::Invalid {
                what: "balance",
                value: balance.to_string(),
            });
        }
        self.lock().accounts.insert(customer.to_owned(), balance);
        Ok(())
    }

    async fn set_stock(&self, product: &str, quantity: u64) -> Result<(), StoreError> {
        self.lock().stock.insert(product.to_owned(), quantity);
        Ok(())
    }

    async fn account(&self, customer: &str) -> Result<Decimal, StoreError> {
        Ok(self
            .lock()
            .accounts
            .get(customer)
            .copied()
            .unwrap_or_default())
    }

    async fn stock(&self, product: &str) -> Result<u64, StoreError> {
        Ok(self.lock().stock.get(product).copied().unwrap_or_default())
    }

    async fn place(&self, orders: &[Order]) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(known) = orders.iter().find(|o| state.orders.contains_key(&o.id)) {
            return Err(StoreError::AlreadyExists(known.id));
        }
        for order in orders {
            state.orders.insert(order.id, order.clone());
            state.unannounced.insert(order.id, None);
        }
        Ok(())
    }

    async fn claim_announcements(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let mut state = self.lock();
        let mut free: Vec<(DateTime<Utc>, Uuid)> = state
            .unannounced
            .iter()
            .filter(|(_, claim)| claim.is_none_or(|until| until <= now))
            .filter_map(|(id, _)| state.orders.get(id).map(|o| (o.placed_at, *id)))
            .collect();
        free.sort();
        free.truncate(limit as usize);
        let mut claimed = Vec::with_capacity(free.len());
        for (_, id) in free {
            state.unannounced.insert(id, Some(lease_until));
            if let Some(order) = state.orders.get(&id) {
                claimed.push(order.clone());
            }
        }
        Ok(claimed)
    }

    async fn mark_announced(&self, ids: &[Uuid]) -> Result<(), StoreError> {
        let mut state = self.lock();
        for id in ids {
            state.unannounced.remove(id);
        }
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Order, StoreError> {
        self.lock()
            .orders
            .get(&id)
            .cloned()
            .ok_or(StoreError::NotFound(id))
    }

    async fn record_check(
        &self,
        id: Uuid,
        checker: Checker,
        check: Check,
    ) -> Result<Order, StoreError> {
        let mut state = self.lock();
        let order = state.orders.get_mut(&id).ok_or(StoreError::NotFound(id))?;
        let slot = match checker {
            Checker::Credit => &mut order.credit,
            Checker::Stock => &mut order.stock,
        };
        if slot.is_none() {
            *slot = Some(check);
        }
        Ok(order.clone())
    }

    async fn complete(&self, id: Uuid, amount: Decimal) -> Result<Order, StoreError> {
        let mut state = self.lock();
        let order = state
            .orders
            .get(&id)
            .cloned()
            .ok_or(StoreError::NotFound(id))?;
        if order.status != OrderStatus::Placed {
            return Ok(order);
        }
        let rejection = failed_check(&order)?.or_else(|| shortfall(&state, &order, amount));
        let status = match rejection {
            Some(reason) => OrderStatus::Rejected { reason },
            None => {
                if let Some(balance) = state.accounts.get_mut(&order.customer) {
                    *balance -= amount;
                }
                for line in &order.lines {
                    if let Some(left) = state.stock.get_mut(&line.product) {
                        *left -= u64::from(line.quantity);
                    }
                }
                OrderStatus::Shipped
            }
        };
        let stored = state.orders.get_mut(&id).ok_or(StoreError::NotFound(id))?;
        stored.status = status;
        Ok(stored.clone())
    }

    async fn expire(&self, before: DateTime<Utc>) -> Result<Vec<Order>, StoreError> {
        let mut state = self.lock();
        let mut expired = Vec::new();
        for order in state.orders.values_mut() {
            let missing: Vec<&str> = [("credit", &order.credit), ("stock", &order.stock)]
                .into_iter()
                .filter(|(_, c)| c.is_none())
                .map(|(name, _)| name)
                .collect();
            // With both answers in, the aggregator decides it (a redelivered answer
            // finishes what a crash interrupted); only a missing answer times out.
            if order.status == OrderStatus::Placed
                && order.placed_at < before
                && !missing.is_empty()
            {
                order.status = OrderStatus::Rejected {
                    reason: format!("timed out waiting for the {} check", missing.join(" and ")),
                };
                expired.push(order.clone());
            }
        }
        Ok(expired)
    }
}
