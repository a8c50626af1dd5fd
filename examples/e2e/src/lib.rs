//! `invoice-e2e`: the reference microservices end to end, as three processes.
//!
//! The crate holds one integration test, `tests/end_to_end.rs`, and no code. It starts
//! `invoice-service`, `notification-worker` and `export-worker` on PostgreSQL, RabbitMQ,
//! S3 (moto) and the SMTP sink, then with a token of tenant A creates a client and an
//! invoice for it, issues it and pays it in full, and checks that:
//!
//! - the client's address receives the created, issued and paid mails, each exactly once;
//! - the CSV and UBL archives exist in the S3 bucket in deep archive;
//! - a WebSocket client of tenant A saw the invoice's events, one of tenant B none;
//! - tenant B's token sees none of tenant A's data over the REST API.
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
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
