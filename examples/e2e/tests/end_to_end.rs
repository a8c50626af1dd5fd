//! invoice-service, notification-worker and export-worker as three processes on
//! PostgreSQL, RabbitMQ, S3 (moto) and the SMTP sink: an invoice of tenant A created,
//! issued and paid in full is mailed once per event, archived in deep archive, pushed to
//! tenant A's WebSocket clients only, and invisible to tenant B.
//!
//! The binaries must be built beside this test: `cargo build -p invoice-service -p
//! notification-worker -p export-worker`, with the same profile and target folder. Set
//! `DATABASE_URL`, `AMQP_URL`, `AWS_ENDPOINT_URL`, `SMTP_URL` and `SMTP_MAILDIR`, as
//! `.ci/services.sh` does; with any unset, the test is skipped by name.
//!
//! Every run uses names of its own, so that runs (and other tests) can share the servers:
//! a PostgreSQL schema (passed to the processes as the connection's `search_path`), two
//! tenants, the buyer's e-mail address, the S3 bucket and the workers' RabbitMQ queues.
//! The schema and the queues are removed at the end, also when the test fails.
//!
//! The harness (starting the processes, waiting, the API and WebSocket clients, reading
//! the mails) is the crate's library, `invoice_e2e`.

use std::io::Write;
use std::time::Instant;

use invoice_e2e::sample::{address, lines, seller};
use invoice_e2e::{
    event_types, free_port, subjects_to, tenants, url_with_schema, watch, Api, Deadline, Fixture,
    Run, Servers, JWT_SECRET, QUIET,
};
use invoice_storage::{DocumentKey, DocumentStore, S3DocumentStore, StorageClass};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_and_paid_invoice_is_mailed_archived_and_pushed_to_its_tenant_only() {
    let test = "issued_and_paid_invoice_is_mailed_archived_and_pushed_to_its_tenant_only";
    let Some(servers) = Servers::from_env(test) else {
        return;
    };
    let started = Instant::now();
    let run = Run::fresh();
    let mut fixture = Fixture::new(&servers);

    fixture.create_schema(&run.schema).await;
    let mut queues = run.notification_queues();
    queues.push(run.export_queue.clone());
    queues.push(run.invoice_reminder_queue.clone());
    fixture.remove_queues_at_end(queues);
    let database_url = url_with_schema(&servers.database_url, &run.schema);

    let bind = format!("127.0.0.1:{}", free_port());
    fixture.spawn(
        "invoice-service",
        &[
            ("BIND", &bind),
            ("DATABASE_URL", &database_url),
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", &run.bucket),
            ("AWS_ENDPOINT_URL", &servers.aws_endpoint_url),
            ("JWT_SECRET", JWT_SECRET),
            ("REMINDER_QUEUE", &run.invoice_reminder_queue),
        ],
    );
    fixture.spawn(
        "notification-worker",
        &[
            ("DATABASE_URL", &database_url),
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("QUEUE_NAME", &run.notification_queue),
            ("SMTP_URL", &servers.smtp_url),
        ],
    );
    fixture.spawn(
        "export-worker",
        &[
            ("DATABASE_URL", &database_url),
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", &servers.amqp_url),
            ("QUEUE_NAME", &run.export_queue),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", &run.bucket),
            ("AWS_ENDPOINT_URL", &servers.aws_endpoint_url),
        ],
    );
    // Each line is written once the process is connected and its queue bound: events
    // published before that would not reach it.
    fixture
        .wait_until_ready("invoice-service", "listening on")
        .await;
    fixture
        .wait_until_ready("notification-worker", "notification worker running")
        .await;
    fixture
        .wait_until_ready("export-worker", "export worker running")
        .await;
    let ready = started.elapsed();

    let api = Api::new(format!("http://{bind}"));
    let ws_base = format!("ws://{bind}");
    let token_a = invoice_service::auth::issue_token(JWT_SECRET, "e2e", &run.tenant_a, 1).unwrap();
    let token_b = invoice_service::auth::issue_token(JWT_SECRET, "e2e", &run.tenant_b, 1).unwrap();
    let seen_by_a = watch(&ws_base, &token_a).await;
    let seen_by_b = watch(&ws_base, &token_b).await;

    // Tenant A: a client with an e-mail address, an invoice to it, issued, paid in full.
    let client_body = json!({
        "name": "Buyer AG",
        "emails": [run.email],
        "address": address(),
        "vat_id": "DE987654321",
    });
    let (status, client) = api
        .call(Method::POST, "/clients", &token_a, Some(&client_body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let client_id = client["id"].as_str().unwrap().to_owned();

    let draft = json!({
        "client_id": client_id,
        "currency": "EUR",
        "seller": seller(),
        "due_date": "2099-12-31",
        "lines": lines(),
    });
    let (status, created) = api
        .call(Method::POST, "/invoices", &token_a, Some(&draft))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let invoice_id = created["invoice"]["id"].as_str().unwrap().to_owned();

    let (status, issued) = api
        .call(
            Method::POST,
            &format!("/invoices/{invoice_id}/issue"),
            &token_a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let number = issued["invoice"]["number"].as_str().unwrap().to_owned();
    let amount_due = issued["amount_due"].as_str().unwrap().to_owned();

    let (status, paid) = api
        .call(
            Method::POST,
            &format!("/invoices/{invoice_id}/payments"),
            &token_a,
            Some(&json!({ "amount": amount_due, "reference": "e2e" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid", "{paid}");

    // (d) Tenant B sees none of it.
    for path in [
        format!("/invoices/{invoice_id}"),
        format!("/invoices/{invoice_id}.csv"),
        format!("/clients/{client_id}"),
    ] {
        let (status, body) = api.call(Method::GET, &path, &token_b, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "tenant B GET {path}: {body}");
    }
    for path in ["/invoices", "/clients"] {
        let (status, page) = api.call(Method::GET, path, &token_b, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total_elements"], 0, "tenant B GET {path}: {page}");
        assert_eq!(page["content"], json!([]), "tenant B GET {path}: {page}");
    }

    // (a) One mail per event the buyer hears about, to the client's address.
    let mut expected_mails = vec![
        format!("Invoice draft {invoice_id} prepared"),
        format!("Invoice {number} issued"),
        format!("Invoice {number} paid"),
    ];
    expected_mails.sort();
    let deadline = Deadline::new(format!("the mails {expected_mails:?} to {}", run.email));
    while !expected_mails
        .iter()
        .all(|s| subjects_to(&servers.smtp_maildir, &run.email).contains(s))
    {
        deadline.tick(&mut fixture).await;
    }

    // (b) CSV, UBL and Factur-X archived under the seed's key convention, in deep archive.
    let archive = S3DocumentStore::builder(run.bucket.as_str())
        .endpoint(servers.aws_endpoint_url.as_str())
        .build()
        .unwrap();
    for (key, content_type) in [
        (
            format!("csv-invoices/{}/{client_id}/{number}.csv", run.tenant_a),
            "text/csv; charset=utf-8",
        ),
        (
            format!("ubl-invoices/{}/{client_id}/{number}.xml", run.tenant_a),
            "application/xml",
        ),
        (
            format!("pdf-invoices/{}/{client_id}/{number}.pdf", run.tenant_a),
            "application/pdf",
        ),
    ] {
        let key = DocumentKey::new(key).unwrap();
        let deadline = Deadline::new(format!("{key} in bucket {}", run.bucket));
        let meta = loop {
            match archive.head(&key).await {
                Ok(meta) => break meta,
                Err(invoice_storage::Error::NotFound { .. }) => deadline.tick(&mut fixture).await,
                Err(e) => panic!("head {key}: {e}"),
            }
        };
        assert_eq!(meta.storage_class, StorageClass::DeepArchive, "{key}");
        assert_eq!(meta.content_type.as_deref(), Some(content_type), "{key}");
        assert!(meta.size > 0, "{key} is empty");
    }

    // (c) Tenant A's socket saw the invoice's events.
    let mut expected_events = vec!["Created", "Issued", "Paid", "PaymentRecorded"];
    expected_events.sort_unstable();
    let deadline = Deadline::new(format!(
        "the events {expected_events:?} on tenant A's socket"
    ));
    loop {
        let types = event_types(&seen_by_a, &invoice_id);
        if expected_events.iter().all(|e| types.iter().any(|t| t == e)) {
            break;
        }
        deadline.tick(&mut fixture).await;
    }

    // Tenant B's socket is live: it sees B's own draft. Events reach the sockets in the
    // order the service consumes them, so A's came by before this one.
    let b_draft = json!({
        "currency": "EUR",
        "seller": seller(),
        "buyer": { "name": "Other Buyer", "address": address() },
        "lines": lines(),
    });
    let (status, b_created) = api
        .call(Method::POST, "/invoices", &token_b, Some(&b_draft))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b_created}");
    let b_invoice_id = b_created["invoice"]["id"].as_str().unwrap().to_owned();
    let deadline = Deadline::new("tenant B's own Created event on its socket");
    while event_types(&seen_by_b, &b_invoice_id) != ["Created"] {
        deadline.tick(&mut fixture).await;
    }

    // Nothing more may come: no second mail, no event on the wrong socket.
    tokio::time::sleep(QUIET).await;
    fixture.assert_running();
    assert_eq!(
        subjects_to(&servers.smtp_maildir, &run.email),
        expected_mails,
        "each mail exactly once to {}",
        run.email
    );
    assert_eq!(
        event_types(&seen_by_b, &invoice_id),
        Vec::<String>::new(),
        "tenant B's socket saw tenant A's invoice"
    );
    assert!(
        tenants(&seen_by_b).iter().all(|t| *t == run.tenant_b),
        "tenant B's socket saw another tenant's events: {:?}",
        seen_by_b.lock().unwrap()
    );
    assert!(
        tenants(&seen_by_a).iter().all(|t| *t == run.tenant_a),
        "tenant A's socket saw another tenant's events: {:?}",
        seen_by_a.lock().unwrap()
    );

    drop(fixture);
    let _ = writeln!(
        std::io::stderr(),
        "{test}: processes ready after {:.1}s, done after {:.1}s",
        ready.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
