//! The order pipeline as four processes (the API, the credit checker, the stock checker,
//! the aggregator) on PostgreSQL, through RabbitMQ and through SNS with SQS (moto): 1 000
//! orders over 50 customers and 20 products whose balances run out, the checkers and the
//! aggregator each killed with `kill -9` and started again while the orders come in.
//! Every order ends shipped or rejected, the invoices issued equal the orders shipped,
//! and the final balances equal the initial ones minus what was shipped, none negative.
//!
//! Build the binaries first and set the services' URLs, as for `tests/end_to_end.rs`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use invoice_e2e::{free_port, report, url_with_schema, Fixture, Run, Servers};
use invoice_storage::{InvoiceQuery, PageRequest, StoresBuilder};
use order_pipeline::invoice::Invoicing;
use order_pipeline::{OrderStatus, OrderStore, PostgresOrderStore};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const ORDERS: usize = 1_000;
const CUSTOMERS: usize = 50;
const PRODUCTS: usize = 20;
const BATCH: usize = 50;
/// How long all orders may take to be decided after the last one is posted.
const DECIDED_WITHIN: Duration = Duration::from_secs(480);
/// How long an order waits for its answers before it is rejected.
const ORDER_TIMEOUT: Duration = Duration::from_secs(240);

/// The broker of one run, as the processes' variables.
enum Via {
    RabbitMq,
    Sns,
}

/// The lines of order `i`: one to three products, one or two of each.
fn lines(i: usize) -> Vec<Value> {
    (0..1 + i % 3)
        .map(|l| {
            json!({
                "product": format!("p{}", (i * 7 + l * 3) % PRODUCTS),
                "quantity": 1 + (i + l) % 2,
                "unit_price": format!("{}.50", 5 + (i + l) % 20),
            })
        })
        .collect()
}

async fn post(http: &reqwest::Client, base: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = http
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn run(via: Via, test: &str) {
    let Some(servers) = Servers::from_env(test) else {
        return;
    };
    let run = Run::fresh();
    let mut fixture = Fixture::new(&servers);
    fixture.create_schema(&run.schema).await;
    let prefix = format!("{}-orders", run.bucket);
    let database_url = url_with_schema(&servers.database_url, &run.schema);
    let bind = format!("127.0.0.1:{}", free_port());
    let mut vars: Vec<(&str, String)> = vec![
        ("DATABASE_URL", database_url.clone()),
        ("QUEUE_PREFIX", prefix.clone()),
        // An answer lost in spite of the retries (a message dead-lettered while moto is
        // overloaded) ends in the order's timeout: rejected, within the test's wait.
        ("ORDER_TIMEOUT_SECS", ORDER_TIMEOUT.as_secs().to_string()),
        ("BIND", bind.clone()),
    ];
    match via {
        Via::RabbitMq => {
            vars.push(("MESSAGING", "rabbitmq".to_owned()));
            vars.push(("AMQP_URL", servers.amqp_url.clone()));
            vars.push(("AMQP_EXCHANGE", prefix.clone()));
            fixture.remove_queues_at_end(
                ["credit", "stock", "aggregator"]
                    .iter()
                    .map(|q| format!("{prefix}-{q}"))
                    .collect(),
            );
        }
        Via::Sns => {
            vars.push(("MESSAGING", "sns".to_owned()));
            vars.push(("AWS_ENDPOINT_URL", servers.aws_endpoint_url.clone()));
            vars.push(("SNS_TOPIC", prefix.clone()));
        }
    }
    let spawn = |fixture: &mut Fixture, name: &'static str, role: &str| {
        let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("ROLES", role));
        fixture.spawn_as(name, "order-pipeline", &all);
    };
    // The queues are declared by the checkers and the aggregator: they start first.
    for (name, role) in [
        ("credit-1", "credit"),
        ("stock-1", "stock"),
        ("aggregator-1", "aggregator"),
    ] {
        spawn(&mut fixture, name, role);
        fixture
            .wait_until_ready(name, "order pipeline running")
            .await;
    }
    spawn(&mut fixture, "api", "api");
    fixture
        .wait_until_ready("api", "order pipeline running")
        .await;

    let http = reqwest::Client::new();
    let base = format!("http://{bind}");
    let initial_credit = Decimal::new(40000, 2);
    for c in 0..CUSTOMERS {
        let body = json!({ "customer": format!("c{c}"), "balance": "400.00" });
        assert_eq!(post(&http, &base, "/accounts", &body).await.0, 204);
    }
    for p in 0..PRODUCTS {
        let body = json!({ "product": format!("p{p}"), "quantity": 60 });
        assert_eq!(post(&http, &base, "/stock", &body).await.0, 204);
    }

    // 1 000 orders in batches of 50; a checker or the aggregator dies every five.
    let mut ids = Vec::with_capacity(ORDERS);
    let kills = [
        (5, "credit-1", "credit-2", "credit"),
        (10, "stock-1", "stock-2", "stock"),
        (15, "aggregator-1", "aggregator-2", "aggregator"),
    ];
    for batch in 0..ORDERS / BATCH {
        if let Some((_, dead, fresh, role)) = kills.iter().find(|(at, ..)| *at == batch) {
            fixture.kill(dead);
            spawn(&mut fixture, fresh, role);
            fixture
                .wait_until_ready(fresh, "order pipeline running")
                .await;
        }
        let orders: Vec<Value> = (batch * BATCH..(batch + 1) * BATCH)
            .map(|i| json!({ "customer": format!("c{}", i % CUSTOMERS), "lines": lines(i) }))
            .collect();
        let (status, placed) = post(&http, &base, "/orders", &Value::Array(orders)).await;
        assert_eq!(status, 202, "{placed}");
        for p in placed.as_array().unwrap() {
            ids.push(p["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every order decided.
    let store = PostgresOrderStore::connect(&database_url, None)
        .await
        .unwrap();
    // Messages a killed process had received come back when their visibility timeout
    // (SQS, 30 s) ends; moto is slower than RabbitMQ. Progress is printed as it goes.
    let started = Instant::now();
    let mut last_report = Instant::now();
    let decided = loop {
        let mut decided = Vec::with_capacity(ORDERS);
        for id in &ids {
            let order = store.get(*id).await.unwrap();
            if order.status != OrderStatus::Placed {
                decided.push(order);
            }
        }
        if decided.len() == ORDERS {
            break decided;
        }
        fixture.assert_running();
        assert!(
            started.elapsed() < DECIDED_WITHIN,
            "{} of {ORDERS} orders decided after {DECIDED_WITHIN:?}",
            decided.len()
        );
        if last_report.elapsed() > Duration::from_secs(10) {
            println!(
                "{test}: {} of {ORDERS} decided after {:.0?}",
                decided.len(),
                started.elapsed()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    report(format!(
        "{test}: all decided {:.1?} after the last order",
        started.elapsed()
    ));
    let shipped: Vec<_> = decided
        .iter()
        .filter(|o| o.status == OrderStatus::Shipped)
        .collect();
    let rejected = ORDERS - shipped.len();
    let timed_out = decided
        .iter()
        .filter(|o| matches!(&o.status, OrderStatus::Rejected { reason } if reason.starts_with("timed out")))
        .count();

    // Invoices: one issued per shipped order.
    let invoicing = Invoicing::demo("orders").unwrap();
    let stores = StoresBuilder::new(&database_url).open().await.unwrap();
    let page = stores
        .invoices
        .list(
            &invoicing.tenant,
            &InvoiceQuery::new().page(PageRequest::Offset {
                page: 0,
                size: 1000,
            }),
        )
        .await
        .unwrap();
    let invoices = page.total.unwrap_or(page.items.len() as u64) as usize;
    for order in &shipped {
        let invoice = stores
            .invoices
            .get(&invoicing.tenant, Invoicing::invoice_id(order))
            .await
            .unwrap();
        assert!(invoice.number().is_some(), "{} not issued", order.id);
    }

    // Balances: what was there minus what was shipped, never below zero.
    let mut spent: HashMap<&str, Decimal> = HashMap::new();
    let mut taken: HashMap<&str, u64> = HashMap::new();
    for order in &shipped {
        *spent.entry(order.customer.as_str()).or_default() += invoicing.amount(order).unwrap();
        for line in &order.lines {
            *taken.entry(line.product.as_str()).or_default() += u64::from(line.quantity);
        }
    }
    let mut ran_out = 0;
    for c in 0..CUSTOMERS {
        let customer = format!("c{c}");
        let left = store.account(&customer).await.unwrap();
        let expected = initial_credit - spent.get(customer.as_str()).copied().unwrap_or_default();
        assert_eq!(left, expected, "{customer}");
        assert!(left >= Decimal::ZERO, "{customer}: {left}");
    }
    for p in 0..PRODUCTS {
        let product = format!("p{p}");
        let left = store.stock(&product).await.unwrap();
        assert_eq!(
            left,
            60 - taken.get(product.as_str()).copied().unwrap_or_default(),
            "{product}"
        );
        if left == 0 {
            ran_out += 1;
        }
    }
    assert_eq!(invoices, shipped.len(), "invoices issued = orders shipped");
    assert!(
        !shipped.is_empty() && rejected > 0,
        "{} shipped, {rejected} rejected",
        shipped.len()
    );
    report(format!(
        "{test}: {ORDERS} orders, {} shipped, {rejected} rejected ({timed_out} timed out), \
         {invoices} invoices, \
         {CUSTOMERS} balances and {PRODUCTS} stocks checked ({ran_out} products sold out), \
         credit, stock and aggregator each killed once",
        shipped.len()
    ));
    if let Via::RabbitMq = via {
        invoice_messaging::RabbitMqBroker::builder(servers.amqp_url.clone())
            .exchange(prefix)
            .build()
            .await
            .unwrap()
            .delete_exchanges()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_orders_through_rabbitmq_across_kills() {
    run(
        Via::RabbitMq,
        "a_thousand_orders_through_rabbitmq_across_kills",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_orders_through_sns_across_kills() {
    run(Via::Sns, "a_thousand_orders_through_sns_across_kills").await;
}
