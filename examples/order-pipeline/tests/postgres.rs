//! The pipeline's behaviours (`tests/common`) on the PostgreSQL order store, each in a
//! schema of its own. Set `DATABASE_URL`; unset, each test is skipped by name.

mod common;

use std::sync::Arc;

use invoice_storage::testing::require_env;
use order_pipeline::{OrderStore, PostgresOrderStore};

/// A store in a fresh schema, or `None` (skipped) without `DATABASE_URL`.
async fn store(test: &str) -> Option<Arc<dyn OrderStore>> {
    let url = require_env("DATABASE_URL", test)?;
    // One schema per test, emptied at its start: re-runs start clean, runs of other
    // tests are untouched.
    let schema = format!("orders_{}", test.trim_start_matches("postgres_"))
        .chars()
        .take(63)
        .collect::<String>();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for sql in [
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    Some(Arc::new(
        PostgresOrderStore::connect(&url, Some(&schema))
            .await
            .unwrap(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_order_is_decided_once_and_balances_add_up() {
    let Some(orders) = store("postgres_every_order_is_decided_once_and_balances_add_up").await
    else {
        return;
    };
    common::every_order_is_decided_once_and_balances_add_up(orders).await;
}

#[tokio::test]
async fn postgres_answers_redelivered_or_split_across_aggregators_change_nothing() {
    let Some(orders) =
        store("postgres_answers_redelivered_or_split_across_aggregators_change_nothing").await
    else {
        return;
    };
    common::answers_redelivered_or_split_across_aggregators_change_nothing(orders).await;
}

#[tokio::test]
async fn postgres_a_failed_check_or_a_missing_answer_rejects_with_the_reason() {
    let Some(orders) =
        store("postgres_a_failed_check_or_a_missing_answer_rejects_with_the_reason").await
    else {
        return;
    };
    common::a_failed_check_or_a_missing_answer_rejects_with_the_reason(orders).await;
}
