//! `invoice-service`: the invoice HTTP API of the seed systems, composed from the library.
//!
//! Invoices CRUD with `PATCH` and `If-Match` versions, `?page=0&size=10` listing with
//! filters and sorting, totals previewed without storing (`/invoices/preview`), issue,
//! payments, credit notes, notes, clients with contact info, CSV/JSON/PDF/UBL/CII
//! exports, archiving to a document store, each invoice's event history
//! (`/invoices/{id}/events`), a WebSocket push of the tenant's events, a [`dashboard`]
//! at `/` for people, OpenAPI at `/openapi.json` (every route but the dashboard's files,
//! held to by schemathesis in CI), Prometheus
//! `/metrics`, `/health`. JWT bearer auth with one tenant per token: HS256 with
//! `JWT_SECRET` (random at each start when unset, loopback only) or an OIDC provider's
//! keys (`JWT_JWKS_URL`, [`auth`]). `Idempotency-Key` on every `POST`
//! ([`idempotency`]), request [`limits`] answered with their status, and any number of
//! instances on one database and broker.
//!
//! Run it on embedded defaults (the SQLite file `invoice-service.db`, in-process bus,
//! `./invoice-documents`):
//!
//! ```sh
//! cargo run -p invoice-service
//! ```
//!
//! It prints a development token. Point it at real services with `DATABASE_URL`,
//! `MESSAGING=rabbitmq|sqs` (+ `AMQP_URL`), `DOCUMENTS=s3` (+ `S3_BUCKET`), `JWT_SECRET`
//! or `JWT_JWKS_URL` (+ `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_TENANT_CLAIM`) and `BIND`; SQS and S3 are AWS itself through the SDK's default credential chain, or a
//! local server at `AWS_ENDPOINT_URL` (the workspace README's Configuration table has them
//! all).

pub mod app;
pub mod auth;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod idempotency;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod ws;

pub use app::app;
pub use state::AppState;
