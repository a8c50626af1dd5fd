//! The HTTP API: `POST /orders` (one order or a list), `POST /accounts`, `POST /stock`,
//! `GET /orders/{id}`, `GET /health`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::order::{Order, OrderLine};
use crate::store::{OrderStore, StoreError};

/// What the handlers share.
#[derive(Clone)]
pub struct Api {
    /// The orders and balances.
    pub orders: Arc<dyn OrderStore>,
}

/// An order as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// The customer's id.
    pub customer: String,
    /// At least one line.
    pub lines: Vec<OrderLine>,
}

/// One order or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum NewOrders {
    /// One.
    One(NewOrder),
    /// Several, placed together.
    Many(Vec<NewOrder>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Account {
    customer: String,
    balance: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stock {
    product: String,
    quantity: u64,
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn store_problem(e: &StoreError) -> Response {
    match e {
        StoreError::NotFound(_) => problem(StatusCode::NOT_FOUND, e.to_string()),
        StoreError::AlreadyExists(_) => problem(StatusCode::CONFLICT, e.to_string()),
        StoreError::Invalid { .. } => problem(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// Why a posted order is refused, if it is.
fn invalid(order: &NewOrder) -> Option<String> {
    if order.customer.trim().is_empty() {
        return Some("customer must not be blank".to_owned());
    }
    if order.lines.is_empty() || order.lines.len() > 100 {
        return Some("an order has 1 to 100 lines".to_owned());
    }
    order.lines.iter().find_map(|l| {
        if l.product.trim().is_empty() {
            Some("a line's product must not be blank".to_owned())
        } else if l.quantity == 0 {
            Some(format!("the quantity of {} must be at least 1", l.product))
        } else if l.unit_price < Decimal::ZERO || l.unit_price.scale() > 2 {
            Some(format!(
                "the unit price of {} must be an amount of at least 0.00",
                l.product
            ))
        } else {
            None
        }
    })
}

async fn place(State(api): State<Api>, Json(body): Json<NewOrders>) -> Response {
    let posted = match body {
        NewOrders::One(order) => vec![order],
        NewOrders::Many(orders) => orders,
    };
    if posted.is_empty() || posted.len() > 1000 {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "1 to 1000 orders at once");
    }
    if let Some(reason) = posted.iter().find_map(invalid) {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, reason);
    }
    let now = Utc::now();
    let orders: Vec<Order> = posted
        .into_iter()
        .map(|o| Order::new(Uuid::new_v4(), o.customer, o.lines, now))
        .collect();
    // Stored with their announcements in one step; the announcer publishes them
    // (within 100 ms when the broker is up).
    if let Err(e) = api.orders.place(&orders).await {
        return store_problem(&e);
    }
    let placed: Vec<_> = orders
        .iter()
        .map(|o| json!({ "id": o.id, "status": "placed" }))
        .collect();
    (StatusCode::ACCEPTED, Json(placed)).into_response()
}

async fn get_order(State(api): State<Api>, Path(id): Path<Uuid>) -> Response {
    match api.orders.get(id).await {
        Ok(order) => Json(order).into_response(),
        Err(e) => store_problem(&e),
    }
}

async fn set_account(State(api): State<Api>, Json(account): Json<Account>) -> Response {
    match api
        .orders
        .set_account(&account.customer, account.balance)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => store_problem(&e),
    }
}

async fn set_stock(State(api): State<Api>, Json(stock): Json<Stock>) -> Response {
    match api.orders.set_stock(&stock.product, stock.quantity).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => store_problem(&e),
    }
}

/// The routes.
pub fn router(api: Api) -> Router {
    Router::new()
        .route("/orders", post(place))
        .route("/orders/{id}", get(get_order))
        .route("/accounts", post(set_account))
        .route("/stock", post(set_stock))
        .route("/health", get(|| async { "ok" }))
        .with_state(api)
}
