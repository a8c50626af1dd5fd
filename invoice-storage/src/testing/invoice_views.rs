//! Suite functions for [`InvoiceViewStore`].

use invoice_core::{Invoice, InvoiceSnapshot, TenantId};

use super::fixtures::{date, draft, fresh_tenant};
use crate::InvoiceViewStore;

/// A snapshot of a fresh invoice of `tenant`, due on `due`.
fn snapshot(tenant: &TenantId, due: chrono::NaiveDate) -> (Invoice, InvoiceSnapshot) {
    let (invoice, _) = Invoice::create(draft(tenant, "Viewed AG").due_date(due)).unwrap();
    let snapshot = invoice.snapshot().unwrap();
    (invoice, snapshot)
}

/// The newest version wins, an older event changes nothing, a closed invoice stays
/// closed against an open event of its own version, and open invoices are listed by due
/// date across tenants, per consumer.
pub async fn invoice_views_keep_the_newest_version(views: &dyn InvoiceViewStore) {
    let consumer = format!("mailer-{}", uuid::Uuid::new_v4().simple());
    let (a, b) = (fresh_tenant(), fresh_tenant());
    let (first, first_snapshot) = snapshot(&a, date(2026, 12, 10));
    let (second, second_snapshot) = snapshot(&b, date(2026, 12, 20));
    let (undated, mut undated_snapshot) = snapshot(&a, date(2026, 12, 1));
    undated_snapshot.due_date = None;

    assert!(views
        .apply(&consumer, &a, first.id(), 2, Some(&first_snapshot))
        .await
        .unwrap());
    assert!(views
        .apply(&consumer, &b, second.id(), 1, Some(&second_snapshot))
        .await
        .unwrap());
    assert!(views
        .apply(&consumer, &a, undated.id(), 1, Some(&undated_snapshot))
        .await
        .unwrap());
    let ids = |list: Vec<crate::ViewedInvoice>| list.into_iter().map(|v| v.id).collect::<Vec<_>>();
    let all = views
        .open_due_by(&consumer, date(2027, 1, 1))
        .await
        .unwrap();
    assert_eq!(
        ids(all.clone()),
        vec![first.id(), second.id()],
        "by due date, undated left out"
    );
    assert_eq!(all[0].snapshot, first_snapshot);
    assert_eq!((all[0].tenant.clone(), all[0].version), (a.clone(), 2));
    assert_eq!(
        ids(views
            .open_due_by(&consumer, date(2026, 12, 15))
            .await
            .unwrap()),
        vec![first.id()]
    );
    assert!(views
        .open_due_by("another-consumer", date(2027, 1, 1))
        .await
        .unwrap()
        .is_empty());

    // Older: ignored. Same version closed: applied; open again at that version: ignored.
    let mut older = first_snapshot.clone();
    older.buyer_name = "Older".to_owned();
    assert!(!views
        .apply(&consumer, &a, first.id(), 1, Some(&older))
        .await
        .unwrap());
    assert!(views
        .apply(&consumer, &a, first.id(), 2, None)
        .await
        .unwrap());
    assert!(!views
        .apply(&consumer, &a, first.id(), 2, Some(&first_snapshot))
        .await
        .unwrap());
    assert_eq!(
        ids(views
            .open_due_by(&consumer, date(2027, 1, 1))
            .await
            .unwrap()),
        vec![second.id()]
    );
    // A newer open event reopens it (a credit note reverted, say), with its new content.
    let mut newer = first_snapshot.clone();
    newer.buyer_name = "Newer".to_owned();
    assert!(views
        .apply(&consumer, &a, first.id(), 3, Some(&newer))
        .await
        .unwrap());
    let all = views
        .open_due_by(&consumer, date(2027, 1, 1))
        .await
        .unwrap();
    assert_eq!(all[0].snapshot.buyer_name, "Newer");
    assert_eq!(all[0].version, 3);
}
