//! `invoice-e2e`: the reference microservices end to end, as processes.
//!
//! The crate holds one integration test, `tests/end_to_end.rs`, and this library: the
//! harness it runs on. The test starts `invoice-service`, `notification-worker` and
//! `export-worker` on PostgreSQL, RabbitMQ, S3 (moto) and the SMTP sink, then with a token
//! of tenant A creates a client and an invoice for it, issues it and pays it in full, and
//! checks that:
//!
//! - the client's address receives the created, issued and paid mails, each exactly once;
//! - the CSV, UBL and Factur-X archives exist in the S3 bucket in deep archive;
//! - a WebSocket client of tenant A saw the invoice's events, one of tenant B none;
//! - tenant B's token sees none of tenant A's data over the REST API.
//!
//! A second test, `tests/two_instances.rs`, starts two service instances and two
//! notification workers on one schema and one RabbitMQ, and checks that they behave as
//! one: gapless numbers from concurrent issues through both, one effect for an
//! `Idempotency-Key` retried against the other instance, every event of the tenant on
//! each instance's sockets, each mail once, and no acknowledged write lost when one
//! instance is killed with `kill -9` while writes are in flight.
//!
//! # The harness
//!
//! The test reads as that story; everything else is here, one module per job:
//!
//! - [`Servers`] has the servers' URLs from the environment (the test is skipped by name
//!   when one is unset), [`url_with_schema`] points a PostgreSQL URL at one schema.
//! - [`Run`] makes the names of one run: a PostgreSQL schema, two tenants, the buyer's
//!   e-mail address, the S3 bucket and the workers' RabbitMQ queues. With names of its
//!   own, a run can share the servers with other runs and other tests.
//! - [`Fixture`] starts the binaries cargo built beside the test, each with exactly the
//!   configuration it is given and its output in a log file, and waits for their
//!   readiness lines. Dropping it, also when the test panics, kills the processes
//!   (printing their logs' ends if the test failed) and removes the run's queues and
//!   schema. [`free_port`] finds a port for the service to listen on.
//! - [`Deadline`] bounds every wait, and fails the test early when a process died.
//!   [`QUIET`] is how long the test then watches for what must not arrive.
//! - [`Api`] calls the service's REST API with a tenant's token.
//! - [`watch`] records the events a WebSocket client of a tenant is pushed;
//!   [`event_types`] and [`tenants`] read them.
//! - [`subjects_to`] reads the mails the SMTP sink delivered to an address.
//! - [`report`] prints a test's closing figures and, when `E2E_REPORT` names a file,
//!   keeps them there (CI prints that file after `cargo test --workspace`).
//! - [`sample`] has the JSON of the addresses, seller and lines the invoices are made of.
//!
//! Failures panic with a message, as test assertions do: this code only runs inside the
//! test.
//!
//! # Running it
//!
//! The test runs the binaries cargo built beside it, so build them first, then run it
//! with the services' URLs exported (`.ci/services.sh` starts the services and exports
//! them; with any unset, the test is skipped by name):
//!
//! ```sh
//! source .ci/services.sh
//! cargo build -p invoice-service -p notification-worker -p export-worker
//! cargo test -p invoice-e2e
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod deadline;
mod fixture;
mod mail;
mod process;
mod report;
mod run;
pub mod sample;
mod servers;
mod watch;

pub use api::Api;
pub use deadline::{Deadline, QUIET};
pub use fixture::Fixture;
pub use mail::{arrivals_to, subjects_to};
pub use process::free_port;
pub use report::{report, REPORT_VAR};
pub use run::Run;
pub use servers::{url_with_schema, Servers};
pub use watch::{event_types, tenants, watch};

/// The HS256 secret the service is started with; the test mints its tokens with it.
pub const JWT_SECRET: &str = "e2e-secret-not-for-production";
