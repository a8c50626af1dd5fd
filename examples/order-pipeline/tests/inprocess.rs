//! The pipeline's behaviours (`tests/common`) on the in-memory order store.

mod common;

use std::sync::Arc;

use order_pipeline::InMemoryOrderStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_is_decided_once_and_balances_add_up() {
    common::every_order_is_decided_once_and_balances_add_up(Arc::new(InMemoryOrderStore::new()))
        .await;
}

#[tokio::test]
async fn answers_redelivered_or_split_across_aggregators_change_nothing() {
    common::answers_redelivered_or_split_across_aggregators_change_nothing(Arc::new(
        InMemoryOrderStore::new(),
    ))
    .await;
}

#[tokio::test]
async fn a_failed_check_or_a_missing_answer_rejects_with_the_reason() {
    common::a_failed_check_or_a_missing_answer_rejects_with_the_reason(Arc::new(
        InMemoryOrderStore::new(),
    ))
    .await;
}
