//! `messaging`: publishing 10 000 events with confirms, and moving them in process.
//!
//! In one group, on the same 10 000 events (100 invoices × 100 events):
//! - `rabbitmq_ours`: `RabbitMqPublisher::publish_batch` of all 10 000 (JSON, persistent,
//!   every confirm awaited);
//! - `rabbitmq_lapin`: the baseline, bare lapin on one confirm-mode channel doing the same:
//!   `serde_json` encoding, the same exchange, routing keys and properties (persistent,
//!   JSON, message id, type, timestamp), all published and then every confirm awaited;
//! - `inprocess`: `InProcessBroker`, publishing the 10 000 and receiving and acking them.
//!
//! Both RabbitMQ variants publish to one durable exchange with a durable classic queue
//! bound to `invoice.#` (so the broker stores every message before confirming), purged
//! outside the timed part between iterations. They need a broker at `AMQP_URL` (such as
//! `amqp://guest:guest@127.0.0.1:5672/%2f`) and are skipped without one.
//!
//! Run: `AMQP_URL=... cargo bench -p invoice-benches --bench messaging`.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use invoice_core::EventEnvelope;
use invoice_messaging::testing::invoice_events;
use invoice_messaging::{InProcessBroker, Publisher, RabbitMqBroker, Subscriber};
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::runtime::Runtime;

const EVENTS: usize = 10_000;

fn events() -> Vec<EventEnvelope> {
    (0..EVENTS / 100)
        .flat_map(|_| invoice_events(100))
        .collect()
}

/// The baseline: what a hand-written lapin publisher with the same guarantees does.
async fn publish_with_lapin(channel: &Channel, exchange: &str, events: &[EventEnvelope]) {
    let mut confirms = Vec::with_capacity(events.len());
    for event in events {
        let body = serde_json::to_vec(event).unwrap();
        let properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(event.event_id.to_string().as_str().into())
            .with_type(event.event.name().into())
            .with_timestamp(event.occurred_at.timestamp() as u64);
        let confirm = channel
            .basic_publish(
                exchange.into(),
                event.routing_key().as_str().into(),
                BasicPublishOptions::default(),
                &body,
                properties,
            )
            .await
            .unwrap();
        confirms.push(confirm);
    }
    for confirm in confirms {
        assert!(confirm.await.unwrap().is_ack());
    }
}

struct Rabbit {
    broker: RabbitMqBroker,
    channel: Channel,
    _connection: Connection,
    queue: String,
}

async fn rabbit(url: &str) -> Rabbit {
    let exchange = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let broker = RabbitMqBroker::builder(url)
        .exchange(exchange.as_str())
        .build()
        .await
        .unwrap();
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    channel
        .exchange_declare(
            exchange.as_str().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let queue = format!("{exchange}.sink");
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.as_str().into(),
            exchange.as_str().into(),
            "invoice.#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    Rabbit {
        broker,
        channel,
        _connection: connection,
        queue,
    }
}

impl Rabbit {
    async fn purge(&self) {
        self.channel
            .queue_purge(self.queue.as_str().into(), QueuePurgeOptions::default())
            .await
            .unwrap();
    }

    async fn remove(&self) {
        self.channel
            .queue_delete(self.queue.as_str().into(), Default::default())
            .await
            .unwrap();
        self.broker.delete_exchanges().await.unwrap();
    }
}

fn messaging(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let events = events();
    let mut group = c.benchmark_group("messaging");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));

    match std::env::var("AMQP_URL") {
        Ok(url) if !url.is_empty() => {
            let rabbit = runtime.block_on(rabbit(&url));
            let publisher = rabbit.broker.publisher();
            group.bench_with_input(
                BenchmarkId::new("rabbitmq_ours", EVENTS),
                &events,
                |b, events| {
                    b.iter_custom(|iters| {
                        timed(&runtime, iters, &rabbit, || async {
                            publisher.publish_batch(black_box(events)).await.unwrap();
                        })
                    })
                },
            );
            let exchange = rabbit.broker.exchange().to_owned();
            group.bench_with_input(
                BenchmarkId::new("rabbitmq_lapin", EVENTS),
                &events,
                |b, events| {
                    b.iter_custom(|iters| {
                        timed(&runtime, iters, &rabbit, || {
                            publish_with_lapin(&rabbit.channel, &exchange, black_box(events))
                        })
                    })
                },
            );
            runtime.block_on(rabbit.remove());
        }
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED messaging/rabbitmq_*: set AMQP_URL"
            );
        }
    }

    group.bench_with_input(
        BenchmarkId::new("inprocess", EVENTS),
        &events,
        |b, events| {
            let broker = InProcessBroker::new();
            let subscriber = broker.subscribe("bench", &["invoice.#"]).unwrap();
            let publisher = broker.publisher();
            b.to_async(&runtime).iter(|| async {
                publisher.publish_batch(black_box(events)).await.unwrap();
                for _ in 0..events.len() {
                    subscriber
                        .next()
                        .await
                        .unwrap()
                        .unwrap()
                        .ack()
                        .await
                        .unwrap();
                }
            })
        },
    );
    group.finish();
}

/// Times `iters` runs of `publish`, purging the sink queue between runs, untimed.
fn timed<F, Fut>(runtime: &Runtime, iters: u64, rabbit: &Rabbit, publish: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    runtime.block_on(async {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let start = Instant::now();
            publish().await;
            total += start.elapsed();
            rabbit.purge().await;
        }
        total
    })
}

criterion_group!(benches, messaging);
criterion_main!(benches);
