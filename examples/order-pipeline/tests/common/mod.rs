//! The pipeline's behaviours on the in-process broker, each run with any order store
//! (`tests/inprocess.rs` in memory, `tests/postgres.rs` on PostgreSQL): many orders over
//! few customers and products whose balances run out, every order decided once, the
//! invoices equal to the shipments, the balances to what was shipped; answers
//! redelivered or split across aggregators; rejections with their reasons.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use invoice_core::InvoiceStatus;
use invoice_messaging::{CancellationToken, ConsumerRunner, Handler, InProcessBroker, Subscriber};
use invoice_storage::{InMemoryStore, InvoiceQuery, InvoiceStore, PageRequest};
use order_pipeline::checkers::CheckHandler;
use order_pipeline::invoice::Invoicing;
use order_pipeline::{
    Aggregator, Announcer, Check, Checker, Order, OrderChecked, OrderLine, OrderPlaced,
    OrderRejected, OrderShipped, OrderStatus, OrderStore,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

struct Pipeline {
    broker: InProcessBroker,
    orders: Arc<dyn OrderStore>,
    invoices: InMemoryStore,
    invoicing: Invoicing,
    shutdown: CancellationToken,
}

impl Pipeline {
    /// The checkers and the aggregator running on their queues.
    fn start(orders: Arc<dyn OrderStore>) -> Self {
        let broker = InProcessBroker::new();
        let invoices = InMemoryStore::new();
        let invoicing = Invoicing::demo("orders").unwrap();
        let shutdown = CancellationToken::new();
        for checker in [Checker::Credit, Checker::Stock] {
            let queue = format!("{}-checker", checker.as_str());
            let subscriber = broker
                .subscribe_as::<OrderPlaced>(&queue, &["order.placed"])
                .unwrap();
            let handler = CheckHandler::new(
                checker,
                Arc::clone(&orders),
                invoicing.clone(),
                Arc::new(broker.publisher()),
            );
            let runner =
                ConsumerRunner::new(Arc::new(subscriber), Arc::new(handler)).with_concurrency(4);
            tokio::spawn(runner.run(shutdown.clone()));
        }
        let subscriber = broker
            .subscribe_as::<OrderChecked>("aggregator", &["order.checked"])
            .unwrap();
        let runner = ConsumerRunner::new(
            Arc::new(subscriber),
            Arc::new(aggregator(&broker, &orders, &invoices, &invoicing)),
        )
        .with_concurrency(4);
        tokio::spawn(runner.run(shutdown.clone()));
        broker
            .subscribe_as::<OrderShipped>("shipped", &["order.shipped"])
            .unwrap();
        broker
            .subscribe_as::<OrderRejected>("rejected", &["order.rejected"])
            .unwrap();
        Self {
            broker,
            orders,
            invoices,
            invoicing,
            shutdown,
        }
    }
}

/// A broker that takes nothing.
#[derive(Debug)]
struct Refusing;

#[async_trait::async_trait]
impl invoice_messaging::Publisher<OrderPlaced> for Refusing {
    async fn publish_batch(&self, _: &[OrderPlaced]) -> invoice_messaging::Result<()> {
        Err(invoice_messaging::Error::Closed {
            backend: "refusing",
        })
    }
}

fn aggregator(
    broker: &InProcessBroker,
    orders: &Arc<dyn OrderStore>,
    invoices: &InMemoryStore,
    invoicing: &Invoicing,
) -> Aggregator {
    Aggregator::new(
        Arc::clone(orders),
        Arc::new(invoices.clone()),
        invoicing.clone(),
        Arc::new(broker.publisher()),
        Arc::new(broker.publisher()),
    )
}

fn order(customer: usize, lines: &[(usize, u32)]) -> Order {
    Order::new(
        Uuid::new_v4(),
        format!("c{customer}"),
        lines
            .iter()
            .map(|(product, quantity)| OrderLine {
                product: format!("p{product}"),
                quantity: *quantity,
                unit_price: dec!(10.00),
            })
            .collect(),
        Utc::now(),
    )
}

pub async fn every_order_is_decided_once_and_balances_add_up(orders: Arc<dyn OrderStore>) {
    let p = Pipeline::start(orders);
    let (customers, products) = (10, 5);
    for c in 0..customers {
        p.orders
            .set_account(&format!("c{c}"), dec!(300.00))
            .await
            .unwrap();
    }
    for product in 0..products {
        p.orders
            .set_stock(&format!("p{product}"), 60)
            .await
            .unwrap();
    }
    // 200 orders of 1 to 3 lines: more than the credit (about 12 orders of 23.80 per
    // customer) and the stock allow, so both run out.
    let placed: Vec<Order> = (0..200)
        .map(|i| {
            let lines: Vec<(usize, u32)> = (0..1 + i % 3)
                .map(|l| ((i + l) % products, 1 + (i % 2) as u32))
                .collect();
            order(i % customers, &lines)
        })
        .collect();
    p.orders.place(&placed).await.unwrap();
    // A broker that refuses: what the announcer claimed stays pending...
    let down = Announcer::new(Arc::clone(&p.orders), Arc::new(Refusing));
    assert!(down.run_once(Utc::now()).await.is_err());
    // ...and is published once its claim ends, by whichever announcer claims it: two at
    // once share the work, each order announced once.
    let later = Utc::now() + chrono::Duration::seconds(31);
    let announce = |announcer: Announcer| async move {
        let mut n = 0;
        loop {
            match announcer.run_once(later).await.unwrap() {
                0 => return n,
                k => n += k,
            }
        }
    };
    let (a, b) = tokio::join!(
        announce(Announcer::new(
            Arc::clone(&p.orders),
            Arc::new(p.broker.publisher())
        )),
        announce(Announcer::new(
            Arc::clone(&p.orders),
            Arc::new(p.broker.publisher())
        ))
    );
    assert_eq!(a + b, placed.len(), "{a} + {b}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut decided = Vec::new();
    loop {
        decided.clear();
        for o in &placed {
            let now = p.orders.get(o.id).await.unwrap();
            if now.status != OrderStatus::Placed {
                decided.push(now);
            }
        }
        if decided.len() == placed.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} decided",
            decided.len(),
            placed.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    p.shutdown.cancel();

    let shipped: Vec<&Order> = decided
        .iter()
        .filter(|o| o.status == OrderStatus::Shipped)
        .collect();
    let rejected = decided.len() - shipped.len();
    assert!(
        !shipped.is_empty() && rejected > 0,
        "{} shipped, {rejected} rejected",
        shipped.len()
    );
    for o in &decided {
        if let OrderStatus::Rejected { reason } = &o.status {
            assert!(!reason.is_empty());
        }
    }
    // Invoices: one issued per shipped order, none for a rejected one.
    let tenant = &p.invoicing.tenant;
    let page = p
        .invoices
        .list(
            tenant,
            &InvoiceQuery::new().page(PageRequest::Offset {
                page: 0,
                size: 1000,
            }),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), shipped.len());
    for o in &shipped {
        let invoice = p
            .invoices
            .get(tenant, Invoicing::invoice_id(o))
            .await
            .unwrap();
        assert_eq!(invoice.status(), InvoiceStatus::Issued);
    }
    // Balances: what was there minus what was shipped, never below zero.
    for c in 0..customers {
        let customer = format!("c{c}");
        let spent: Decimal = shipped
            .iter()
            .filter(|o| o.customer == customer)
            .map(|o| p.invoicing.amount(o).unwrap())
            .sum();
        let left = p.orders.account(&customer).await.unwrap();
        assert_eq!(left, dec!(300.00) - spent, "{customer}");
        assert!(left >= Decimal::ZERO);
    }
    for product in 0..products {
        let name = format!("p{product}");
        let taken: u64 = shipped
            .iter()
            .flat_map(|o| &o.lines)
            .filter(|l| l.product == name)
            .map(|l| u64::from(l.quantity))
            .sum();
        assert_eq!(p.orders.stock(&name).await.unwrap(), 60 - taken, "{name}");
    }
    // Each outcome announced: shipped and rejected, one message per order.
    assert_eq!(p.broker.depth("shipped").0, shipped.len());
    assert_eq!(p.broker.depth("rejected").0, rejected);
    println!(
        "{} orders, {} shipped, {rejected} rejected, {} invoices",
        placed.len(),
        shipped.len(),
        page.items.len()
    );
}

pub async fn answers_redelivered_or_split_across_aggregators_change_nothing(
    orders: Arc<dyn OrderStore>,
) {
    let broker = InProcessBroker::new();
    broker
        .subscribe_as::<OrderShipped>("shipped", &["order.shipped"])
        .unwrap();
    let invoices = InMemoryStore::new();
    let invoicing = Invoicing::demo("orders").unwrap();
    orders.set_account("c1", dec!(100.00)).await.unwrap();
    orders.set_stock("p1", 5).await.unwrap();
    let o = order(1, &[(1, 2)]);
    orders.place(std::slice::from_ref(&o)).await.unwrap();
    let ok = Check {
        ok: true,
        reason: None,
    };
    let credit = OrderChecked {
        order: o.id,
        checker: Checker::Credit,
        check: ok.clone(),
    };
    let stock = OrderChecked {
        order: o.id,
        checker: Checker::Stock,
        check: ok,
    };

    // The first aggregator takes the credit answer, twice, then "dies".
    let first = aggregator(&broker, &orders, &invoices, &invoicing);
    first.handle(&credit).await.unwrap();
    first.handle(&credit).await.unwrap();
    assert_eq!(orders.get(o.id).await.unwrap().status, OrderStatus::Placed);
    // Another one takes the stock answer: it finds the credit answer in the store.
    let second = aggregator(&broker, &orders, &invoices, &invoicing);
    second.handle(&stock).await.unwrap();
    // Redelivered after the decision: the same decision, one reservation, one invoice.
    second.handle(&stock).await.unwrap();
    first.handle(&credit).await.unwrap();
    let decided = orders.get(o.id).await.unwrap();
    assert_eq!(decided.status, OrderStatus::Shipped);
    let amount = invoicing.amount(&o).unwrap();
    assert_eq!(amount, dec!(23.80), "2 × 10.00 + 19 % VAT");
    assert_eq!(orders.account("c1").await.unwrap(), dec!(100.00) - amount);
    assert_eq!(orders.stock("p1").await.unwrap(), 3);
    let page = invoices
        .list(&invoicing.tenant, &InvoiceQuery::new())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    // Announced three times, one message id: consumers deduplicate.
    let shipped = broker
        .subscribe_as::<OrderShipped>("shipped", &["order.shipped"])
        .unwrap();
    let mut ids = HashMap::new();
    while broker.depth("shipped").0 > 0 {
        let d = tokio::time::timeout(Duration::from_secs(1), shipped.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        *ids.entry(invoice_messaging::Message::message_id(d.envelope()))
            .or_insert(0) += 1;
        d.ack().await.unwrap();
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
}

pub async fn a_failed_check_or_a_missing_answer_rejects_with_the_reason(
    orders: Arc<dyn OrderStore>,
) {
    let broker = InProcessBroker::new();
    let invoices = InMemoryStore::new();
    let invoicing = Invoicing::demo("orders").unwrap();
    let agg = aggregator(&broker, &orders, &invoices, &invoicing);
    let refused = order(1, &[(1, 1)]);
    let silent = order(2, &[(1, 1)]);
    orders
        .place(&[refused.clone(), silent.clone()])
        .await
        .unwrap();
    let no = Check {
        ok: false,
        reason: Some("credit of c1 is 0".to_owned()),
    };
    let yes = Check {
        ok: true,
        reason: None,
    };
    agg.handle(&OrderChecked {
        order: refused.id,
        checker: Checker::Credit,
        check: no,
    })
    .await
    .unwrap();
    agg.handle(&OrderChecked {
        order: refused.id,
        checker: Checker::Stock,
        check: yes.clone(),
    })
    .await
    .unwrap();
    assert_eq!(
        orders.get(refused.id).await.unwrap().status,
        OrderStatus::Rejected {
            reason: "credit of c1 is 0".to_owned()
        }
    );
    agg.handle(&OrderChecked {
        order: silent.id,
        checker: Checker::Credit,
        check: yes,
    })
    .await
    .unwrap();
    assert_eq!(
        agg.expire(Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        orders.get(silent.id).await.unwrap().status,
        OrderStatus::Rejected {
            reason: "timed out waiting for the stock check".to_owned()
        }
    );
    let page = invoices
        .list(&invoicing.tenant, &InvoiceQuery::new())
        .await
        .unwrap();
    assert!(page.items.is_empty());
}
