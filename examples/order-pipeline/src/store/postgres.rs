//! The [`OrderStore`] on PostgreSQL: what the pipeline's processes share, so that any of
//! them may die and another carry on.
//!
//! Each step is one transaction. [`complete`](OrderStore::complete) locks the order, then
//! the customer's account and the products' stock rows in one order (products sorted), and
//! takes the credit and the stock only where they are still there, so two aggregators
//! deciding orders of one customer at once never take more than the balance.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::Row;
use uuid::Uuid;

use super::{failed_check, OrderStore, StoreError};
use crate::messages::Checker;
use crate::order::{Check, Order, OrderLine, OrderStatus};

/// The tables, created when missing (under a lock, so processes starting together do
/// not collide).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS order_accounts (
    customer TEXT PRIMARY KEY,
    balance  NUMERIC NOT NULL CHECK (balance >= 0)
);
CREATE TABLE IF NOT EXISTS order_stock (
    product  TEXT PRIMARY KEY,
    quantity BIGINT NOT NULL CHECK (quantity >= 0)
);
CREATE TABLE IF NOT EXISTS orders (
    announced BOOLEAN NOT NULL DEFAULT false,
    announce_claimed_until TIMESTAMPTZ,
    id        UUID PRIMARY KEY,
    customer  TEXT NOT NULL,
    lines     JSONB NOT NULL,
    placed_at TIMESTAMPTZ NOT NULL,
    status    TEXT NOT NULL,
    reason    TEXT,
    credit    JSONB,
    stock     JSONB
);
CREATE INDEX IF NOT EXISTS orders_placed ON orders (placed_at) WHERE status = 'placed';
CREATE INDEX IF NOT EXISTS orders_unannounced ON orders (placed_at) WHERE NOT announced;
";

/// The columns [`order_of`] reads, in its order (a macro, so that queries stay literals).
macro_rules! columns {
    () => {
        "id, customer, lines::text, placed_at, status, reason, credit::text, stock::text"
    };
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(backend)
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(backend)
}

fn order_of(row: &PgRow) -> Result<Order, StoreError> {
    let status: String = row.try_get(4).map_err(backend)?;
    let reason: Option<String> = row.try_get(5).map_err(backend)?;
    let status = match (status.as_str(), reason) {
        ("placed", _) => OrderStatus::Placed,
        ("shipped", _) => OrderStatus::Shipped,
        ("rejected", reason) => OrderStatus::Rejected {
            reason: reason.unwrap_or_default(),
        },
        (other, _) => return Err(backend(format!("unknown order status {other:?}"))),
    };
    let check = |i: usize| -> Result<Option<Check>, StoreError> {
        let text: Option<String> = row.try_get(i).map_err(backend)?;
        text.as_deref().map(parse).transpose()
    };
    let lines: String = row.try_get(2).map_err(backend)?;
    Ok(Order {
        id: row.try_get(0).map_err(backend)?,
        customer: row.try_get(1).map_err(backend)?,
        lines: parse::<Vec<OrderLine>>(&lines)?,
        placed_at: row.try_get(3).map_err(backend)?,
        status,
        credit: check(6)?,
        stock: check(7)?,
    })
}

/// Orders, accounts and stock in PostgreSQL tables.
#[derive(Debug, Clone)]
pub struct PostgresOrderStore {
    pool: PgPool,
}

impl PostgresOrderStore {
    /// Connects to `url`, in `schema` when given (which must exist), and creates the
    /// tables that are missing.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the server cannot be reached or refuses.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let schema = schema.map(str::to_owned);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    if let Some(schema) = schema {
                        sqlx::query("SELECT set_config('search_path', quote_ident($1), false)")
                            .bind(schema)
                            .execute(conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(backend)?;
        // DDL locks the tables even when it changes nothing, and would deadlock with the
        // running processes' transactions: only a schema without the tables gets it.
        let present: bool =
            sqlx::query_scalar("SELECT to_regclass('orders_unannounced') IS NOT NULL")
                .fetch_one(&pool)
                .await
                .map_err(backend)?;
        if present {
            return Ok(Self { pool });
        }
        let mut tx = pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('order-pipeline schema'))")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::raw_sql(SCHEMA)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl OrderStore for PostgresOrderStore {
    async fn set_account(&self, customer: &str, balance: Decimal) -> Result<(), StoreError> {
        if balance < Decimal::ZERO {
            return Err(StoreError::Invalid {
                what: "balance",
                value: balance.to_string(),
            });
        }
        sqlx::query(
            "INSERT INTO order_accounts (customer, balance) VALUES ($1, $2::numeric) \
             ON CONFLICT (customer) DO UPDATE SET balance = EXCLUDED.balance",
        )
        .bind(customer)
        .bind(balance.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn set_stock(&self, product: &str, quantity: u64) -> Result<(), StoreError> {
        let quantity = i64::try_from(quantity).map_err(|_| StoreError::Invalid {
            what: "quantity",
            value: quantity.to_string(),
        })?;
        sqlx::query(
            "INSERT INTO order_stock (product, quantity) VALUES ($1, $2) \
             ON CONFLICT (product) DO UPDATE SET quantity = EXCLUDED.quantity",
        )
        .bind(product)
        .bind(quantity)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn account(&self, customer: &str) -> Result<Decimal, StoreError> {
        let balance: Option<String> =
            sqlx::query_scalar("SELECT balance::text FROM order_accounts WHERE customer = $1")
                .bind(customer)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        balance.map_or(Ok(Decimal::ZERO), |b| b.parse().map_err(backend))
    }

    async fn stock(&self, product: &str) -> Result<u64, StoreError> {
        let quantity: Option<i64> =
            sqlx::query_scalar("SELECT quantity FROM order_stock WHERE product = $1")
                .bind(product)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(quantity.map_or(0, |q| u64::try_from(q).unwrap_or(0)))
    }

    async fn place(&self, orders: &[Order]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for order in orders {
            let inserted = sqlx::query(
                "INSERT INTO orders (id, customer, lines, placed_at, status) \
                 VALUES ($1, $2, $3::jsonb, $4, 'placed') ON CONFLICT (id) DO NOTHING",
            )
            .bind(order.id)
            .bind(&order.customer)
            .bind(json(&order.lines)?)
            .bind(order.placed_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::AlreadyExists(order.id));
            }
        }
        tx.commit().await.map_err(backend)
    }

    async fn claim_announcements(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(concat!(
            "UPDATE orders SET announce_claimed_until = $2 WHERE id IN ( \
               SELECT id FROM orders WHERE NOT announced \
                 AND (announce_claimed_until IS NULL OR announce_claimed_until <= $1) \
               ORDER BY placed_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING ",
            columns!()
        ))
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut orders = rows.iter().map(order_of).collect::<Result<Vec<_>, _>>()?;
        orders.sort_by_key(|o| (o.placed_at, o.id));
        Ok(orders)
    }

    async fn mark_announced(&self, ids: &[Uuid]) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET announced = true WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Order, StoreError> {
        let row = sqlx::query(concat!("SELECT ", columns!(), " FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound(id))?;
        order_of(&row)
    }

    async fn record_check(
        &self,
        id: Uuid,
        checker: Checker,
        check: Check,
    ) -> Result<Order, StoreError> {
        let sql = match checker {
            Checker::Credit => concat!(
                "UPDATE orders SET credit = COALESCE(credit, $2::jsonb) WHERE id = $1 RETURNING ",
                columns!()
            ),
            Checker::Stock => concat!(
                "UPDATE orders SET stock = COALESCE(stock, $2::jsonb) WHERE id = $1 RETURNING ",
                columns!()
            ),
        };
        let row = sqlx::query(sql)
            .bind(id)
            .bind(json(&check)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound(id))?;
        order_of(&row)
    }

    async fn complete(&self, id: Uuid, amount: Decimal) -> Result<Order, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM orders WHERE id = $1 FOR UPDATE"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound(id))?;
        let order = order_of(&row)?;
        if order.status != OrderStatus::Placed {
            return Ok(order);
        }
        let mut rejection = failed_check(&order)?;
        if rejection.is_none() {
            // Account first, then the products in order: one lock order for everyone.
            let balance: Option<String> = sqlx::query_scalar(
                "SELECT balance::text FROM order_accounts WHERE customer = $1 FOR UPDATE",
            )
            .bind(&order.customer)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let balance: Decimal =
                balance.map_or(Ok(Decimal::ZERO), |b| b.parse().map_err(backend))?;
            let mut needed: BTreeMap<&str, i64> = BTreeMap::new();
            for line in &order.lines {
                *needed.entry(line.product.as_str()).or_default() += i64::from(line.quantity);
            }
            if balance < amount {
                rejection = Some(format!("credit ran out: {balance} left, {amount} needed"));
            }
            for (product, quantity) in &needed {
                let left: Option<i64> = sqlx::query_scalar(
                    "SELECT quantity FROM order_stock WHERE product = $1 FOR UPDATE",
                )
                .bind(product)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                let left = left.unwrap_or(0);
                if rejection.is_none() && left < *quantity {
                    rejection = Some(format!(
                        "stock of {product} ran out: {left} left, {quantity} needed"
                    ));
                }
            }
            if rejection.is_none() {
                sqlx::query(
                    "UPDATE order_accounts SET balance = balance - $2::numeric WHERE customer = $1",
                )
                .bind(&order.customer)
                .bind(amount.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                for (product, quantity) in &needed {
                    sqlx::query(
                        "UPDATE order_stock SET quantity = quantity - $2 WHERE product = $1",
                    )
                    .bind(product)
                    .bind(quantity)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
            }
        }
        let (status, reason) = match &rejection {
            Some(reason) => ("rejected", Some(reason.clone())),
            None => ("shipped", None),
        };
        let row = sqlx::query(concat!(
            "UPDATE orders SET status = $2, reason = $3 WHERE id = $1 RETURNING ",
            columns!(),
            ""
        ))
        .bind(id)
        .bind(status)
        .bind(reason)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let decided = order_of(&row)?;
        tx.commit().await.map_err(backend)?;
        Ok(decided)
    }

    async fn expire(&self, before: DateTime<Utc>) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(concat!(
            "UPDATE orders SET status = 'rejected', reason = 'timed out waiting for the ' || \
             CASE WHEN credit IS NULL AND stock IS NULL THEN 'credit and stock' \
                  WHEN credit IS NULL THEN 'credit' ELSE 'stock' END || ' check' \
             WHERE status = 'placed' AND placed_at < $1 AND (credit IS NULL OR stock IS NULL) \
             RETURNING ",
            columns!(),
            ""
        ))
        .bind(before)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(order_of).collect()
    }
}
