//! Suite functions for [`IdempotencyStore`].

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use tokio::task::JoinSet;

use super::fixtures::{fresh_tenant, t0};
use crate::{Begin, Error, IdempotencyKey, IdempotencyStore, StoredResponse};

fn response(status: u16, body: &str) -> StoredResponse {
    StoredResponse {
        status,
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("etag".to_owned(), "\"1\"".to_owned()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

fn key(name: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("{name}-{}", uuid::Uuid::new_v4())).unwrap()
}

/// A key starts once; while it runs a retry is told so; once complete, the same request
/// gets the stored response (status, headers, body) and another request a mismatch;
/// the first response stays; tenants have separate keys; a released key starts again
/// and a completed one cannot be released.
pub async fn idempotency_keys_replay_the_first_outcome(store: &dyn IdempotencyStore) {
    let (tenant, other_tenant) = (fresh_tenant(), fresh_tenant());
    let k = key("create");
    let lease = t0() + Duration::seconds(60);
    let begin = |fingerprint: &'static str| store.begin(&tenant, &k, fingerprint, t0(), lease);
    assert_eq!(begin("POST /invoices a").await.unwrap(), Begin::Started);
    assert_eq!(begin("POST /invoices a").await.unwrap(), Begin::InProgress);
    assert_eq!(begin("POST /invoices b").await.unwrap(), Begin::Mismatch);
    assert_eq!(
        store
            .begin(&other_tenant, &k, "POST /invoices b", t0(), lease)
            .await
            .unwrap(),
        Begin::Started,
        "another tenant's key of the same name is its own"
    );

    let first = response(201, r#"{"id":"1"}"#);
    store.complete(&tenant, &k, &first).await.unwrap();
    assert_eq!(
        begin("POST /invoices a").await.unwrap(),
        Begin::Completed(first.clone())
    );
    assert_eq!(begin("POST /invoices b").await.unwrap(), Begin::Mismatch);
    store
        .complete(&tenant, &k, &response(500, ""))
        .await
        .unwrap();
    assert_eq!(
        begin("POST /invoices a").await.unwrap(),
        Begin::Completed(first.clone()),
        "the first response stays"
    );
    store.release(&tenant, &k).await.unwrap();
    assert_eq!(
        begin("POST /invoices a").await.unwrap(),
        Begin::Completed(first)
    );

    let released = key("released");
    let begin = |at| store.begin(&tenant, &released, "f", at, lease);
    assert_eq!(begin(t0()).await.unwrap(), Begin::Started);
    store.release(&tenant, &released).await.unwrap();
    assert_eq!(begin(t0()).await.unwrap(), Begin::Started);

    let never = key("never-begun");
    assert!(matches!(
        store.complete(&tenant, &never, &response(200, "")).await,
        Err(Error::NotFound { .. })
    ));
}

/// A key whose holder's lease ran out (its process died) is taken over by the next
/// request, and only by one.
pub async fn idempotency_lease_ends_and_is_taken_over_once(store: Arc<dyn IdempotencyStore>) {
    let tenant = fresh_tenant();
    let k = key("abandoned");
    let short = t0() + Duration::seconds(5);
    assert_eq!(
        store.begin(&tenant, &k, "f", t0(), short).await.unwrap(),
        Begin::Started
    );
    let before_end = t0() + Duration::seconds(4);
    assert_eq!(
        store
            .begin(&tenant, &k, "f", before_end, short)
            .await
            .unwrap(),
        Begin::InProgress
    );
    let after_end = t0() + Duration::seconds(6);
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let (store, tenant, k) = (Arc::clone(&store), tenant.clone(), k.clone());
        tasks.spawn(async move {
            store
                .begin(
                    &tenant,
                    &k,
                    "f",
                    after_end,
                    after_end + Duration::seconds(60),
                )
                .await
                .unwrap()
        });
    }
    let mut started = 0;
    while let Some(outcome) = tasks.join_next().await {
        match outcome.unwrap() {
            Begin::Started => started += 1,
            Begin::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(started, 1, "one request takes the abandoned key over");
}

/// Of 16 concurrent first requests with one key, exactly one starts; the others see it
/// in progress.
pub async fn idempotency_concurrent_requests_start_once(store: Arc<dyn IdempotencyStore>) {
    let tenant = fresh_tenant();
    let k = key("race");
    let mut tasks = JoinSet::new();
    for _ in 0..16 {
        let (store, tenant, k) = (Arc::clone(&store), tenant.clone(), k.clone());
        tasks.spawn(async move {
            store
                .begin(&tenant, &k, "f", t0(), t0() + Duration::seconds(60))
                .await
                .unwrap()
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    let started = outcomes.iter().filter(|o| **o == Begin::Started).count();
    assert_eq!(started, 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Begin::Started | Begin::InProgress)));
}

/// Purging forgets the keys begun before the retention start, and only those; a
/// forgotten key starts again as a new request.
pub async fn idempotency_purge_forgets_old_keys(store: &dyn IdempotencyStore) {
    let tenant = fresh_tenant();
    // Far in the past, so that no other suite function's keys are older.
    let long_ago = Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).unwrap();
    let (old, recent) = (key("old"), key("recent"));
    let lease = |at| at + Duration::seconds(60);
    store
        .begin(&tenant, &old, "f", long_ago, lease(long_ago))
        .await
        .unwrap();
    store
        .complete(&tenant, &old, &response(201, "old"))
        .await
        .unwrap();
    let later = long_ago + Duration::days(2);
    store
        .begin(&tenant, &recent, "f", later, lease(later))
        .await
        .unwrap();
    store
        .complete(&tenant, &recent, &response(201, "recent"))
        .await
        .unwrap();

    let purged = store.purge(long_ago + Duration::days(1)).await.unwrap();
    assert!(purged >= 1, "{purged}");
    assert_eq!(
        store
            .begin(&tenant, &old, "g", later, lease(later))
            .await
            .unwrap(),
        Begin::Started,
        "a purged key is new again"
    );
    assert_eq!(
        store
            .begin(&tenant, &recent, "f", later, lease(later))
            .await
            .unwrap(),
        Begin::Completed(response(201, "recent"))
    );
}
