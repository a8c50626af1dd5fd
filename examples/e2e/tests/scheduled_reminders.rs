//! The reminders people schedule, mailed on time through RabbitMQ and the SMTP sink by
//! the notification worker, which is killed with `kill -9` in the middle and started
//! again:
//!
//! - 1 000 reminders due within a minute each arrive, once, except those whose mail the
//!   sink had accepted when the worker died before recording it: no sender can know
//!   whether such a mail went out, so it goes again. Those copies are counted and
//!   bounded: at most one per send in flight at the kill ([`IN_FLIGHT`]), each first
//!   received before the kill, each with the first's `Message-ID` (which a mail client
//!   folds into one);
//! - none arrives later after its due time than the scheduler's period, plus the time
//!   the worker was down, plus the lease after which the work of a killed worker is
//!   taken over;
//! - a reminder rescheduled before it was due arrives at its new time only;
//! - a cancelled one never arrives.
//!
//! Build the binaries first and set the services' URLs, as for `tests/end_to_end.rs`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
use invoice_core::schedule::Tz;
use invoice_core::{ReminderId, TenantId};
use invoice_e2e::{arrivals_to, report, url_with_schema, Deadline, Fixture, Run, Servers, QUIET};
use invoice_storage::{PostgresStore, ReminderStore};
use uuid::Uuid;

/// Reminders in the run.
const COUNT: usize = 1_000;
/// How often the worker's scheduler claims what is due.
const PERIOD: Duration = Duration::from_millis(500);
/// How long a claim or a send attempt of a killed worker keeps its reminder.
const LEASE: Duration = Duration::from_secs(5);
/// How many reminders the worker sends at once (`SendReminderHandler` behind a runner of
/// this concurrency, in `notification_worker::Worker`).
const IN_FLIGHT: usize = 2;

fn worker_vars<'a>(
    servers: &'a Servers,
    run: &'a Run,
    database_url: &'a str,
) -> Vec<(&'a str, String)> {
    vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("MESSAGING", "rabbitmq".to_owned()),
        ("AMQP_URL", servers.amqp_url.clone()),
        ("QUEUE_NAME", run.notification_queue.clone()),
        ("SMTP_URL", servers.smtp_url.clone()),
        ("SCHEDULER_PERIOD_MS", PERIOD.as_millis().to_string()),
        ("REMINDER_LEASE_SECS", LEASE.as_secs().to_string()),
    ]
}

fn reminder(
    tenant: &TenantId,
    to: &str,
    i: usize,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Reminder {
    Reminder::new(
        ReminderId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        ReminderAbout::Topic(format!("item {i}")),
        to,
        format!("Reminder {i}"),
        format!("This is reminder {i}."),
        due.naive_utc(),
        Tz::UTC,
        now,
    )
    .unwrap()
}

/// The reminder a `Message-ID` of the worker names (`<reminder.ID@…>`).
fn reminder_of(message_id: &str) -> Option<ReminderId> {
    let rest = message_id.strip_prefix("<reminder.")?;
    let id = rest.split('@').next()?;
    Some(ReminderId::from_uuid(id.parse().ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_reminders_arrive_once_on_time_across_a_kill() {
    let test = "a_thousand_reminders_arrive_once_on_time_across_a_kill";
    let Some(servers) = Servers::from_env(test) else {
        return;
    };
    let run = Run::fresh();
    let mut fixture = Fixture::new(&servers);
    fixture.create_schema(&run.schema).await;
    fixture.remove_queues_at_end(run.notification_queues());
    let database_url = url_with_schema(&servers.database_url, &run.schema);
    let store = PostgresStore::builder(servers.database_url.as_str())
        .schema(&run.schema)
        .max_connections(4)
        .build()
        .await
        .unwrap();
    let tenant = TenantId::new(&run.tenant_a).unwrap();

    // 1. The worker runs; 1 000 reminders fall due over 40 seconds from 10 s on, one
    // more is moved from 15 s to 55 s, another cancelled before its time.
    let vars = worker_vars(&servers, &run, &database_url);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fixture.spawn_as("reminders-1", "notification-worker", &vars);
    fixture
        .wait_until_ready("reminders-1", "notification worker running")
        .await;
    let now = Utc::now();
    let start = now + chrono::Duration::seconds(10);
    let mut due: HashMap<ReminderId, DateTime<Utc>> = HashMap::new();
    for i in 0..COUNT {
        let at = start + chrono::Duration::milliseconds(40 * i as i64);
        let r = reminder(&tenant, &run.email, i, at, now);
        store.create(&r).await.unwrap();
        due.insert(r.id(), r.due_at());
    }
    let created = Utc::now();
    let mut moved = reminder(
        &tenant,
        &run.email,
        COUNT,
        created + chrono::Duration::seconds(15),
        created,
    );
    store.create(&moved).await.unwrap();
    moved
        .reschedule(
            (created + chrono::Duration::seconds(55)).naive_utc(),
            Tz::UTC,
            Utc::now(),
        )
        .unwrap();
    store.update(&moved, 1).await.unwrap();
    due.insert(moved.id(), moved.due_at());
    let mut cancelled = reminder(
        &tenant,
        &run.email,
        COUNT + 1,
        created + chrono::Duration::seconds(20),
        created,
    );
    store.create(&cancelled).await.unwrap();
    cancelled.cancel().unwrap();
    store.update(&cancelled, 1).await.unwrap();
    assert!(
        Utc::now() < start,
        "creating the reminders took too long to test timeliness"
    );

    // 2. Halfway through, kill -9 the worker; start another 2 s later.
    let halfway = start + chrono::Duration::seconds(20);
    tokio::time::sleep((halfway - Utc::now()).to_std().unwrap_or_default()).await;
    fixture.kill("reminders-1");
    let killed_at = Utc::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    fixture.spawn_as("reminders-2", "notification-worker", &vars);
    fixture
        .wait_until_ready("reminders-2", "notification worker running")
        .await;
    let down = (Utc::now() - killed_at).to_std().unwrap();

    // 3. Every reminder arrives; then nothing more does.
    let expected = COUNT + 1;
    let last_due = moved.due_at();
    let deadline = Deadline::new(format!("{expected} reminders in the sink"));
    loop {
        let arrived = arrivals_to(&servers.smtp_maildir, &run.email).len();
        if arrived >= expected && Utc::now() > last_due {
            break;
        }
        if Utc::now() > last_due + chrono::Duration::seconds(5) {
            deadline.tick(&mut fixture).await;
        } else {
            fixture.assert_running();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    tokio::time::sleep(QUIET + LEASE).await;

    let arrivals = arrivals_to(&servers.smtp_maildir, &run.email);
    let mut per_reminder: HashMap<ReminderId, Vec<SystemTime>> = HashMap::new();
    let mut foreign = 0;
    for (message_id, at) in &arrivals {
        match reminder_of(message_id) {
            Some(id) => per_reminder.entry(id).or_default().push(*at),
            None => foreign += 1,
        }
    }
    let duplicates: usize = per_reminder.values().map(|v| v.len() - 1).sum();
    let killed: SystemTime = killed_at.into();
    let copies_not_from_the_kill: Vec<_> = per_reminder
        .iter()
        .filter(|(_, v)| v.len() > 1 && v[0] > killed + Duration::from_millis(100))
        .map(|(id, _)| *id)
        .collect();
    let lost = due
        .keys()
        .filter(|id| !per_reminder.contains_key(id))
        .count();
    let allowed = PERIOD + down + LEASE + Duration::from_secs(2);
    let mut latest = Duration::ZERO;
    let mut late = Vec::new();
    for (id, at) in &due {
        let Some(first) = per_reminder.get(id).and_then(|v| v.first()) else {
            continue;
        };
        let arrived: DateTime<Utc> = (*first).into();
        let delay = (arrived - *at).to_std().unwrap_or_default();
        assert!(
            arrived >= *at - chrono::Duration::milliseconds(50),
            "{id} arrived before its time"
        );
        latest = latest.max(delay);
        if delay > allowed {
            late.push((*id, delay));
        }
    }
    report(format!(
        "{test}: reminders {expected}, mails received {}, distinct {}, duplicates {duplicates}, lost {lost}, \
         worker down {down:.1?}, latest {latest:.1?} after due (allowed {allowed:.1?}), late {}",
        arrivals.len(),
        per_reminder.len(),
        late.len()
    ));
    assert_eq!(foreign, 0, "mails that are no reminder of this run");
    assert_eq!(lost, 0, "reminders never mailed");
    assert!(
        duplicates <= IN_FLIGHT,
        "{duplicates} second copies: more than the {IN_FLIGHT} sends in flight at the kill"
    );
    assert!(
        copies_not_from_the_kill.is_empty(),
        "mailed twice though first received after the kill: {copies_not_from_the_kill:?}"
    );
    assert!(late.is_empty(), "late: {late:?}");
    assert!(
        !per_reminder.contains_key(&cancelled.id()),
        "the cancelled reminder was mailed"
    );
    let moved_at: DateTime<Utc> = per_reminder[&moved.id()][0].into();
    assert!(
        moved_at >= moved.due_at() - chrono::Duration::milliseconds(50),
        "the moved one came at its old time"
    );

    // 4. The store agrees: all sent but the cancelled one.
    for id in due.keys() {
        assert_eq!(
            store.get(&tenant, *id).await.unwrap().status(),
            ReminderStatus::Sent
        );
    }
    assert_eq!(
        store.get(&tenant, cancelled.id()).await.unwrap().status(),
        ReminderStatus::Cancelled
    );
    store.close().await;
}
