//! Suite functions for [`ReminderStore`].

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
use invoice_core::schedule::Tz;
use invoice_core::{ReminderId, TenantId};
use uuid::Uuid;

use super::fixtures::{date, fresh_tenant};
use crate::{Error, ReminderQuery, ReminderStore};

/// The instant reminders are created at.
fn created_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 5, 1, 8, 0, 0).unwrap()
}

fn at_hour(day: u32, hour: u32) -> NaiveDateTime {
    date(2027, 5, day).and_hms_opt(hour, 0, 0).unwrap()
}

/// A reminder of `tenant`'s due on 1 + `day` May 2027 at `hour`:00 UTC.
fn reminder(tenant: &TenantId, day: u32, hour: u32) -> Reminder {
    Reminder::new(
        ReminderId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        ReminderAbout::Topic("Quarterly VAT".to_owned()),
        "finance@acme.example",
        "VAT return",
        "File it.",
        at_hour(1 + day, hour),
        "UTC".parse::<Tz>().unwrap(),
        created_at(),
    )
    .unwrap()
}

/// Create, get, update under optimistic concurrency, list by due time with a status
/// filter, a due range and pages, and tenants that never see each other's reminders.
pub async fn reminders_crud_list_and_isolation(store: &dyn ReminderStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let first = reminder(&tenant, 3, 9);
    store.create(&first).await.unwrap();
    assert_eq!(store.get(&tenant, first.id()).await.unwrap(), first);
    assert!(matches!(
        store.create(&first).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.get(&other, first.id()).await,
        Err(Error::NotFound { .. })
    ));

    let mut moved = first.clone();
    moved
        .reschedule(
            at_hour(10, 7),
            "Europe/Berlin".parse().unwrap(),
            created_at(),
        )
        .unwrap();
    store.update(&moved, 1).await.unwrap();
    assert_eq!(store.get(&tenant, first.id()).await.unwrap(), moved);
    assert!(matches!(
        store.update(&moved, 1).await,
        Err(Error::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));
    let foreign = reminder(&other, 1, 1);
    assert!(matches!(
        store.update(&foreign, 1).await,
        Err(Error::NotFound { .. })
    ));

    // Seven more at distinct and equal times, one cancelled, one of another tenant.
    let mut all = vec![moved.clone()];
    for (day, hour) in [(1, 9), (2, 9), (2, 9), (4, 0), (5, 23), (6, 12), (7, 1)] {
        let r = reminder(&tenant, day, hour);
        store.create(&r).await.unwrap();
        all.push(r);
    }
    let mut cancelled = all[3].clone();
    cancelled.cancel().unwrap();
    store.update(&cancelled, 1).await.unwrap();
    all[3] = cancelled;
    store.create(&reminder(&other, 2, 9)).await.unwrap();
    all.sort_by_key(|r| (r.due_at(), r.id()));

    let mut listed = Vec::new();
    let mut query = ReminderQuery::new().size(3);
    loop {
        let page = store.list(&tenant, &query).await.unwrap();
        assert!(page.items.len() <= 3);
        listed.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query = query.after(&cursor).unwrap(),
            None => break,
        }
    }
    assert_eq!(
        listed, all,
        "by due time then id, every one once, none of another tenant"
    );
    let scheduled = store
        .list(
            &tenant,
            &ReminderQuery::new().status(ReminderStatus::Scheduled),
        )
        .await
        .unwrap();
    assert_eq!(scheduled.items.len(), 7);
    let (from, to) = (
        Utc.with_ymd_and_hms(2027, 5, 3, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 5, 6, 0, 0, 0).unwrap(),
    );
    let ranged = store
        .list(
            &tenant,
            &ReminderQuery::new().due_between(Some(from), Some(to)),
        )
        .await
        .unwrap();
    let expected: Vec<&Reminder> = all
        .iter()
        .filter(|r| r.due_at() >= from && r.due_at() <= to)
        .collect();
    assert_eq!(ranged.items.iter().collect::<Vec<_>>(), expected);
    assert!(matches!(
        store.list(&tenant, &ReminderQuery::new().size(0)).await,
        Err(Error::InvalidQuery { .. })
    ));
    assert!(ReminderQuery::new().after("not a cursor").is_err());
}

/// Two claimers share the due reminders without overlap; a lease hides a claimed
/// reminder until it ends; what is not due, not scheduled or sent is never claimed; an
/// update ends the claim, so a rescheduled reminder comes back at its new time only.
/// `a` and `b` must share a store with no other reminders.
pub async fn reminder_claims_are_leased_and_never_shared<S>(a: Arc<S>, b: Arc<S>)
where
    S: ReminderStore + ?Sized,
{
    let tenant = fresh_tenant();
    let mut due = HashSet::new();
    for i in 0..60 {
        let r = reminder(&tenant, 1 + i % 5, i % 24);
        a.create(&r).await.unwrap();
        due.insert(r.id());
    }
    let later = reminder(&tenant, 20, 0);
    a.create(&later).await.unwrap();
    let mut cancelled = reminder(&tenant, 1, 1);
    a.create(&cancelled).await.unwrap();
    cancelled.cancel().unwrap();
    a.update(&cancelled, 1).await.unwrap();

    let now = Utc.with_ymd_and_hms(2027, 5, 10, 0, 0, 0).unwrap();
    let lease = now + Duration::minutes(5);
    let claim = |store: Arc<S>| async move {
        let mut got = Vec::new();
        loop {
            let batch = store.claim_due(now, lease, 7).await.unwrap();
            if batch.is_empty() {
                return got;
            }
            got.extend(batch.into_iter().map(|r| r.id()));
        }
    };
    let (got_a, got_b) = tokio::join!(claim(a.clone()), claim(b.clone()));
    let mut seen = HashSet::new();
    for id in got_a.iter().chain(&got_b) {
        assert!(seen.insert(*id), "reminder {id} claimed twice");
    }
    assert_eq!(seen, due, "every due scheduled reminder, nothing else");

    // While the leases run nothing comes back; once they end, the unsent ones do.
    assert!(a.claim_due(now, lease, 100).await.unwrap().is_empty());
    let claimed: Vec<ReminderId> = got_a.iter().chain(&got_b).copied().collect();
    let mut sent = a.get(&tenant, claimed[0]).await.unwrap();
    let claimed_version = sent.version();
    sent.mark_sent(now).unwrap();
    a.update(&sent, claimed_version).await.unwrap();
    let mut moved = a.get(&tenant, claimed[1]).await.unwrap();
    let version = moved.version();
    moved
        .reschedule(at_hour(25, 0), "UTC".parse().unwrap(), now)
        .unwrap();
    a.update(&moved, version).await.unwrap();
    let after_lease = lease + Duration::seconds(1);
    let again: HashSet<ReminderId> = b
        .claim_due(after_lease, after_lease + Duration::minutes(5), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id())
        .collect();
    assert_eq!(again.len(), due.len() - 2);
    assert!(
        !again.contains(&sent.id()),
        "a sent reminder is never claimed"
    );
    assert!(
        !again.contains(&moved.id()),
        "a rescheduled one waits for its new time"
    );
    let at_new_time = moved.due_at();
    let moved_back = a
        .claim_due(at_new_time, at_new_time + Duration::minutes(5), 100)
        .await
        .unwrap();
    let ids: Vec<ReminderId> = moved_back.iter().map(|r| r.id()).collect();
    assert!(
        ids.contains(&moved.id()) && ids.contains(&later.id()),
        "{ids:?}"
    );
    let reclaimed = moved_back.iter().find(|r| r.id() == moved.id()).unwrap();
    assert_eq!(
        reclaimed.version(),
        moved.version(),
        "claimed at its current version"
    );
}

/// A reminder whose send attempt has begun is not claimed before the attempt's hold
/// ends, nor one whose failed attempt waits for its retry; of two senders of one claimed
/// version, only one can begin the attempt. `store` must hold no other reminders.
pub async fn reminder_attempts_hold_off_claims(store: &dyn ReminderStore) {
    let tenant = fresh_tenant();
    let r = reminder(&tenant, 1, 9);
    store.create(&r).await.unwrap();
    let now = r.due_at() + Duration::seconds(1);
    let claimed = store
        .claim_due(now, now + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let claimed = claimed.into_iter().next().unwrap();

    // Two senders of the claimed version: one begins, the other finds a conflict.
    let hold = now + Duration::minutes(2);
    let mut first = claimed.clone();
    first.begin_attempt(hold).unwrap();
    store.update(&first, claimed.version()).await.unwrap();
    let mut second = claimed.clone();
    second.begin_attempt(hold).unwrap();
    assert!(matches!(
        store.update(&second, claimed.version()).await,
        Err(Error::Conflict { .. })
    ));

    // The lease of the claim has passed, the hold has not: nothing to claim.
    let after_lease = now + Duration::minutes(1);
    assert!(store
        .claim_due(after_lease, after_lease + Duration::seconds(30), 10)
        .await
        .unwrap()
        .is_empty());
    // The sender died: after the hold it is claimed again.
    let after_hold = hold + Duration::seconds(1);
    let again = store
        .claim_due(after_hold, after_hold + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);

    // A failed attempt waits for its retry time, then comes back.
    let mut failed = again[0].clone();
    let retry_at = after_hold + Duration::minutes(10);
    failed.record_failure("421 try later", 5, retry_at).unwrap();
    store.update(&failed, again[0].version()).await.unwrap();
    let before_retry = retry_at - Duration::seconds(1);
    assert!(store
        .claim_due(before_retry, retry_at, 10)
        .await
        .unwrap()
        .is_empty());
    let retried = store
        .claim_due(retry_at, retry_at + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts(), 1);
    assert_eq!(retried[0].last_error(), Some("421 try later"));
}
