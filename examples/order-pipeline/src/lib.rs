//! `order-pipeline`: the order capture of the serverless seed, as a composition of the
//! invoice crates. An order is placed once and checked twice, in parallel; the answers
//! are joined in the store; an order whose checks pass is shipped and invoiced, any other
//! is rejected with its reason.
//!
//! 1. `POST /orders` stores the orders with their announcement pending, in one step
//!    ([`OrderStore::place`]); the [`Announcer`] publishes [`OrderPlaced`] for each (an
//!    outbox: a broker that is down delays orders, never loses them). The broker fans it
//!    out to the credit checker's queue and the stock checker's ([`checkers`]): a RabbitMQ
//!    topic exchange, an SNS topic with SQS subscriptions, or the in-process broker.
//! 2. Each checker answers [`OrderChecked`] `{ ok, reason }` from the balances it reads.
//! 3. The [`Aggregator`] records each answer in the [`OrderStore`] (a redelivered answer
//!    changes nothing) and, once both are in, completes the order in one step of the
//!    store: when both passed it reserves the credit and the stock, which must still be
//!    there (a balance never goes negative); else, or when they ran out meanwhile, it
//!    rejects the order. A shipped order's invoice is created and issued through
//!    `invoice-storage` under an id derived from the order's, so it exists once however
//!    often the step runs; [`OrderShipped`] or [`OrderRejected`] is published.
//! 4. An order without both answers after the timeout is rejected ([`Aggregator::expire`]).
//!
//! The join lives in the store, not in memory: an aggregator killed between two answers
//! finds the first one there when the second arrives, and one killed after completing an
//! order completes it again, to the same outcome, when the answer is redelivered.

pub mod aggregator;
pub mod announcer;
pub mod checkers;
pub mod config;
pub mod http;
pub mod invoice;
pub mod messages;
pub mod order;
pub mod run;
pub mod store;

pub use aggregator::Aggregator;
pub use announcer::Announcer;
pub use messages::{Checker, OrderChecked, OrderPlaced, OrderRejected, OrderShipped};
pub use order::{Check, Order, OrderLine, OrderStatus};
pub use store::{InMemoryOrderStore, OrderStore, PostgresOrderStore, StoreError};
