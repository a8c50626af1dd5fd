//! The in-memory adapter passes the whole conformance suite, directly and behind `Arc<dyn>`.

use std::sync::Arc;

use invoice_storage::testing;
use invoice_storage::{InMemoryStore, InvoiceStore, OutboxStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_the_conformance_suite() {
    testing::run_all(|| async { InMemoryStore::new() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_behind_arc_dyn() {
    let store = InMemoryStore::new();
    let invoices: Arc<dyn InvoiceStore> = Arc::new(store.clone());
    testing::create_get_update_round_trip(invoices.as_ref()).await;
    testing::tenants_are_isolated(invoices.as_ref()).await;
    testing::concurrent_updates_lose_nothing(Arc::clone(&invoices)).await;
    testing::issue_allocates_gapless_numbers_under_concurrency(Arc::clone(&invoices)).await;
    testing::inbox_records_each_event_once(Arc::new(store)).await;
    // The outbox functions need an empty outbox.
    let fresh = InMemoryStore::new();
    let invoices: Arc<dyn InvoiceStore> = Arc::new(fresh.clone());
    let outbox: Arc<dyn OutboxStore> = Arc::new(fresh);
    testing::saved_events_reach_the_outbox(invoices.as_ref(), outbox.as_ref()).await;
    testing::concurrent_claimers_never_share_an_event(invoices, outbox).await;
}

#[tokio::test]
async fn memory_document_store_passes_the_document_suite() {
    let store = invoice_storage::InMemoryDocumentStore::new();
    testing::documents_put_get_head_list_delete(&store).await;
    testing::failed_put_keeps_the_previous_document(&store).await;
    let shared: Arc<dyn invoice_storage::DocumentStore> = Arc::new(store);
    testing::documents_put_get_head_list_delete(shared.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_reports_match_the_reference_computation() {
    testing::reports_match_the_reference_computation(&InMemoryStore::new(), 2000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_racing_generators_make_each_period_once() {
    let store = Arc::new(InMemoryStore::new());
    let (a, b, seen) =
        testing::racing_generators_make_each_period_once(store.clone(), store, 40).await;
    println!("racing generators: a created {a}, b created {b}, {seen} periods found generated");
}
