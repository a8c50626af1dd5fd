//! Two invoice-service instances (as behind one load balancer) and two notification
//! workers, all on one PostgreSQL schema and one RabbitMQ, behave as one service:
//!
//! - invoices issued concurrently through both get gapless numbers;
//! - an `Idempotency-Key` retried against the other instance has one effect;
//! - each instance's WebSocket clients see every event of their tenant, whichever
//!   instance wrote it;
//! - each mail is sent once, whichever worker took the event;
//! - `kill -9` of one instance in the middle of a stream of writes loses no write it
//!   acknowledged, and the other instance keeps serving.
//!
//! Build the binaries first and set the services' URLs, as for `tests/end_to_end.rs`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use invoice_e2e::sample::{address, lines, seller};
use invoice_e2e::{
    free_port, report, subjects_to, url_with_schema, watch, Api, Deadline, Fixture, Run, Servers,
    JWT_SECRET, QUIET,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinSet;

/// A draft to a buyer reached at `email` (no mail at all without one).
fn draft(email: Option<&str>) -> Value {
    let mut buyer = json!({ "name": "Buyer AG", "address": address() });
    if let Some(email) = email {
        buyer["email"] = json!(email);
    }
    json!({
        "currency": "EUR",
        "seller": seller(),
        "buyer": buyer,
        "due_date": "2099-12-31",
        "lines": lines(),
    })
}

fn id_of(view: &Value) -> String {
    view["invoice"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behave_as_one_and_survive_a_kill() {
    let test = "two_instances_behave_as_one_and_survive_a_kill";
    let Some(servers) = Servers::from_env(test) else {
        return;
    };
    let run = Run::fresh();
    let mut fixture = Fixture::new(&servers);
    fixture.create_schema(&run.schema).await;
    let mut queues = run.notification_queues();
    queues.push(run.invoice_reminder_queue.clone());
    fixture.remove_queues_at_end(queues);
    let database_url = url_with_schema(&servers.database_url, &run.schema);

    let binds = [
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    ];
    for (name, bind) in [("service-a", &binds[0]), ("service-b", &binds[1])] {
        fixture.spawn_as(
            name,
            "invoice-service",
            &[
                ("BIND", bind),
                ("DATABASE_URL", &database_url),
                ("MESSAGING", "rabbitmq"),
                ("AMQP_URL", &servers.amqp_url),
                ("JWT_SECRET", JWT_SECRET),
                ("REMINDER_QUEUE", &run.invoice_reminder_queue),
            ],
        );
    }
    for name in ["mailer-1", "mailer-2"] {
        fixture.spawn_as(
            name,
            "notification-worker",
            &[
                ("DATABASE_URL", &database_url),
                ("MESSAGING", "rabbitmq"),
                ("AMQP_URL", &servers.amqp_url),
                // One queue, two competing consumers.
                ("QUEUE_NAME", &run.notification_queue),
                ("SMTP_URL", &servers.smtp_url),
            ],
        );
    }
    for (name, ready) in [
        ("service-a", "listening on"),
        ("service-b", "listening on"),
        ("mailer-1", "notification worker running"),
        ("mailer-2", "notification worker running"),
    ] {
        fixture.wait_until_ready(name, ready).await;
    }
    let apis = [
        Arc::new(Api::new(format!("http://{}", binds[0]))),
        Arc::new(Api::new(format!("http://{}", binds[1]))),
    ];
    let token = invoice_service::auth::issue_token(JWT_SECRET, "e2e", &run.tenant_a, 1).unwrap();
    let sockets = [
        watch(&format!("ws://{}", binds[0]), &token).await,
        watch(&format!("ws://{}", binds[1]), &token).await,
    ];

    // 1. Twenty drafts, each created through one instance and issued through the other,
    // all at once: the numbers are 1 to 20 of the year's series, none twice, none missed.
    let mut tasks = JoinSet::new();
    for i in 0..20 {
        let (create, issue) = (Arc::clone(&apis[i % 2]), Arc::clone(&apis[(i + 1) % 2]));
        let (token, email) = (token.clone(), format!("{i}.{}", run.email));
        tasks.spawn(async move {
            let (status, created) = create
                .call(
                    Method::POST,
                    "/invoices",
                    &token,
                    Some(&draft(Some(&email))),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let id = id_of(&created);
            let path = format!("/invoices/{id}/issue");
            let (status, issued) = issue.call(Method::POST, &path, &token, None).await;
            assert_eq!(status, StatusCode::OK, "{issued}");
            let number = issued["invoice"]["number"].as_str().unwrap().to_owned();
            (id, number, email)
        });
    }
    let mut issued = Vec::new();
    while let Some(done) = tasks.join_next().await {
        issued.push(done.unwrap());
    }
    let sequence: BTreeSet<u32> = issued
        .iter()
        .map(|(_, number, _)| number.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(sequence, (1..=20).collect(), "gapless: {issued:?}");

    // 2. One Idempotency-Key, sent to A and retried against B: one invoice.
    let key = [("Idempotency-Key", "two-instances-1")];
    let body = draft(None);
    let (status, _, first) = apis[0]
        .send(Method::POST, "/invoices", &token, Some(&body), &key)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, headers, retried) = apis[1]
        .send(Method::POST, "/invoices", &token, Some(&body), &key)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{retried}");
    assert_eq!(retried, first, "the retry answers with the first response");
    assert_eq!(headers["idempotent-replayed"], "true");
    let (_, page) = apis[1]
        .call(Method::GET, "/invoices?size=100", &token, None)
        .await;
    assert_eq!(page["total_elements"], 21, "one effect for the key");

    // 3. Each instance's socket saw every event of the tenant: 21 created, 20 issued,
    // written through either instance.
    let deadline = Deadline::new("41 events on each instance's socket");
    let ids = |socket: &std::sync::Mutex<Vec<Value>>| -> BTreeSet<String> {
        socket
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["tenant"] == run.tenant_a.as_str())
            .map(|e| e["event_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    while sockets.iter().any(|s| ids(s).len() < 41) {
        deadline.tick(&mut fixture).await;
    }
    assert_eq!(
        ids(&sockets[0]),
        ids(&sockets[1]),
        "the same events on both"
    );
    assert_eq!(ids(&sockets[0]).len(), 41);

    // 4. Each buyer gets the "prepared" and "issued" mails once, from whichever worker.
    let deadline = Deadline::new("two mails to each of 20 buyers");
    let count = |email: &str| subjects_to(&servers.smtp_maildir, email).len();
    while issued.iter().any(|(_, _, email)| count(email) < 2) {
        deadline.tick(&mut fixture).await;
    }
    tokio::time::sleep(QUIET).await;
    for (id, number, email) in &issued {
        let mut expected = vec![
            format!("Invoice draft {id} prepared"),
            format!("Invoice {number} issued"),
        ];
        expected.sort();
        assert_eq!(
            subjects_to(&servers.smtp_maildir, email),
            expected,
            "{email}"
        );
    }

    // 5. Writers stream to both instances at once; A is killed (SIGKILL) once it has
    // acknowledged 10 writes, with requests in flight. Every write either instance
    // acknowledged is there; B answers every write sent to it, before and after. (A
    // write in flight to A when it died is unknown to its client: committed or not.)
    let acked_by_a = Arc::new(AtomicUsize::new(0));
    let writer = |api: Arc<Api>, writes: usize, counter: Option<Arc<AtomicUsize>>| {
        let token = token.clone();
        tokio::spawn(async move {
            let (mut acknowledged, mut failed) = (Vec::new(), 0);
            for _ in 0..writes {
                match api
                    .send(Method::POST, "/invoices", &token, Some(&draft(None)), &[])
                    .await
                {
                    Ok((StatusCode::CREATED, _, created)) => {
                        acknowledged.push(id_of(&created));
                        if let Some(counter) = &counter {
                            counter.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    Ok((status, _, body)) => panic!("a write answered {status}: {body}"),
                    Err(_) => failed += 1,
                }
            }
            (acknowledged, failed)
        })
    };
    let to_a = writer(Arc::clone(&apis[0]), 200, Some(Arc::clone(&acked_by_a)));
    let to_b = writer(Arc::clone(&apis[1]), 60, None);
    let deadline = Deadline::new("10 writes acknowledged by A");
    while acked_by_a.load(Ordering::SeqCst) < 10 {
        deadline.tick(&mut fixture).await;
    }
    fixture.kill("service-a");
    let (acked_a, failed_a) = to_a.await.unwrap();
    let (acked_b, failed_b) = to_b.await.unwrap();
    assert!(failed_a > 0, "A still answered after kill -9");
    assert_eq!((acked_b.len(), failed_b), (60, 0), "B served every write");
    let mut lost = Vec::new();
    for id in acked_a.iter().chain(&acked_b) {
        let (status, _) = apis[1]
            .call(Method::GET, &format!("/invoices/{id}"), &token, None)
            .await;
        if status != StatusCode::OK {
            lost.push(id.clone());
        }
    }
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    let (_, page) = apis[1]
        .call(Method::GET, "/invoices?size=1000", &token, None)
        .await;
    let stored = page["total_elements"].as_u64().unwrap();
    let acknowledged = (acked_a.len() + acked_b.len()) as u64;
    assert!(stored >= 21 + acknowledged, "{stored} stored");
    report(format!(
        "two instances: 20 gapless numbers, 1 effect for a retried key, 41 events on each \
         socket, 40 mails once each; kill -9 of A with writes in flight: {} acknowledged by \
         A, {} unanswered, {} acknowledged by B, 0 lost ({} stored, {} beyond the \
         acknowledged: writes A committed but could not answer)",
        acked_a.len(),
        failed_a,
        acked_b.len(),
        stored - 21,
        stored - 21 - acknowledged
    ));
}
