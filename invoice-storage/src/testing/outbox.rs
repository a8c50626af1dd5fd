//! Suite functions for [`OutboxStore`] together with [`InvoiceStore`] writes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use invoice_core::EventEnvelope;
use tokio::task::JoinSet;

use super::fixtures::{created, draft, fresh_tenant, new_event_id, t0};
use crate::{Error, InvoiceStore, OutboxStore};

/// Events saved with an invoice are in the outbox, in order.
pub async fn saved_events_reach_the_outbox(invoices: &dyn InvoiceStore, outbox: &dyn OutboxStore) {
    let tenant = fresh_tenant();
    let (invoice, event) = created(draft(&tenant, "Outbox AG"));
    let id = event.event_id;
    invoices.create(&invoice, &[event]).await.unwrap();
    assert_eq!(outbox.pending().await.unwrap(), 1);
    let claimed = outbox
        .claim(10, Duration::from_secs(30), t0())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].envelope.event_id, id);
    assert_eq!(claimed[0].envelope.invoice_id, invoice.id());
}

/// A save whose transaction fails (its event id is already in the outbox) writes neither
/// the invoice nor any of its events.
pub async fn failed_save_writes_neither_invoice_nor_events(
    invoices: &dyn InvoiceStore,
    outbox: &dyn OutboxStore,
) {
    let tenant = fresh_tenant();
    let (first, event) = created(draft(&tenant, "First AG"));
    let taken = event.clone();
    invoices.create(&first, &[event]).await.unwrap();
    let before = outbox.pending().await.unwrap();

    let (second, mut own) = created(draft(&tenant, "Second AG"));
    own.event_id = new_event_id();
    let result = invoices.create(&second, &[own, taken]).await;
    assert!(
        matches!(result, Err(Error::AlreadyExists { .. })),
        "{result:?}"
    );
    assert!(matches!(
        invoices.get(&tenant, second.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        outbox.pending().await.unwrap(),
        before,
        "no event of the failed save"
    );

    // The same for an update.
    let mut changed = first.clone();
    let event = changed
        .update(invoice_core::InvoicePatch::new().payment_terms(Some("now".into())))
        .unwrap()
        .unwrap();
    let mut dup = EventEnvelope::new(new_event_id(), t0(), &changed, event);
    let fresh = dup.clone();
    dup.event_id = outbox.claim(1, Duration::ZERO, t0()).await.unwrap()[0]
        .envelope
        .event_id;
    assert!(invoices.update(&changed, 1, &[fresh, dup]).await.is_err());
    assert_eq!(invoices.get(&tenant, first.id()).await.unwrap(), first);
    assert_eq!(outbox.pending().await.unwrap(), before);
}

/// Claims lease events; a leased event is not claimed again until the lease ends;
/// published events are never claimed again.
pub async fn outbox_claim_lease_and_publish(invoices: &dyn InvoiceStore, outbox: &dyn OutboxStore) {
    let tenant = fresh_tenant();
    for i in 0..5 {
        let (invoice, event) = created(draft(&tenant, &format!("Lease {i}")));
        invoices.create(&invoice, &[event]).await.unwrap();
    }
    let lease = Duration::from_secs(60);
    let first = outbox.claim(3, lease, t0()).await.unwrap();
    assert_eq!(first.len(), 3);
    assert!(
        first.windows(2).all(|w| w[0].seq < w[1].seq),
        "oldest first"
    );
    let second = outbox.claim(10, lease, t0()).await.unwrap();
    assert_eq!(second.len(), 2, "the leased three are not handed out again");
    assert!(outbox.claim(10, lease, t0()).await.unwrap().is_empty());

    let ids: Vec<_> = first.iter().map(|c| c.envelope.event_id).collect();
    outbox.mark_published(&ids, t0()).await.unwrap();
    assert_eq!(outbox.pending().await.unwrap(), 2);

    // After the lease ends, the unpublished two come back with their attempt counted.
    let later = t0() + chrono::Duration::seconds(61);
    let again = outbox.claim(10, lease, later).await.unwrap();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|c| c.attempts == 2));
    let ids: Vec<_> = again.iter().map(|c| c.envelope.event_id).collect();
    outbox.mark_published(&ids, later).await.unwrap();
    assert_eq!(outbox.pending().await.unwrap(), 0);
    let much_later = later + chrono::Duration::hours(1);
    assert!(outbox
        .claim(10, lease, much_later)
        .await
        .unwrap()
        .is_empty());

    // Appending outside an invoice write, and refusing a duplicate id.
    let (invoice, event) = created(draft(&tenant, "Appended"));
    let _ = invoice;
    outbox.append(std::slice::from_ref(&event)).await.unwrap();
    assert!(matches!(
        outbox.append(&[event]).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(outbox.pending().await.unwrap(), 1);
}

/// Two relays claiming at the same time never get the same event.
pub async fn concurrent_claimers_never_share_an_event(
    invoices: Arc<dyn InvoiceStore>,
    outbox: Arc<dyn OutboxStore>,
) {
    let tenant = fresh_tenant();
    let mut events = Vec::new();
    for i in 0..100 {
        let (invoice, event) = created(draft(&tenant, &format!("Claim {i}")));
        events.push(event.event_id);
        invoices.create(&invoice, &[event]).await.unwrap();
    }
    let mut tasks = JoinSet::new();
    for _ in 0..4 {
        let outbox = Arc::clone(&outbox);
        tasks.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = outbox
                    .claim(7, Duration::from_secs(300), t0())
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch.into_iter().map(|c| c.envelope.event_id));
            }
        });
    }
    let mut seen = HashSet::new();
    while let Some(result) = tasks.join_next().await {
        for id in result.unwrap() {
            assert!(seen.insert(id), "event {id} claimed twice");
        }
    }
    assert_eq!(seen, events.into_iter().collect::<HashSet<_>>());
}
