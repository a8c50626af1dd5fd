//! `/reminders`: schedule, read, list, reschedule, redirect and cancel over HTTP, with
//! versions, states and bad input answered as documented.

mod common;

use axum::http::StatusCode;
use serde_json::{json, Value};

use common::{api, draft_body};

fn reminder_body(at: &str) -> Value {
    json!({
        "about": { "topic": "Quarterly VAT return" },
        "recipient": "finance@acme.example",
        "subject": "VAT return due",
        "body": "File the return today.",
        "at": at,
        "time_zone": "Europe/Berlin"
    })
}

#[tokio::test]
async fn a_reminder_is_scheduled_moved_redirected_and_cancelled() {
    let api = api().await;
    let (status, headers, bytes) = api
        .call(
            "POST",
            "/reminders",
            Some("acme"),
            Some(reminder_body("2099-03-02T09:00:00")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["etag"], "\"1\"");
    let created: Value = serde_json::from_slice(&bytes).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "scheduled");
    assert_eq!(
        created["due_at"], "2099-03-02T08:00:00Z",
        "09:00 in Berlin, winter"
    );

    let (status, fetched) = api
        .json("GET", &format!("/reminders/{id}"), "acme", None)
        .await;
    assert_eq!((status, &fetched), (StatusCode::OK, &created));
    let (status, _) = api
        .json("GET", &format!("/reminders/{id}"), "globex", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let reschedule = format!("/reminders/{id}/reschedule");
    let (status, moved) = api
        .json(
            "POST",
            &reschedule,
            "acme",
            Some(json!({ "at": "2099-07-02T09:00:00", "time_zone": "Europe/Berlin" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        moved["due_at"], "2099-07-02T07:00:00Z",
        "09:00 in Berlin, summer"
    );
    let (status, _) = api
        .json(
            "POST",
            &reschedule,
            "acme",
            Some(json!({ "at": "2001-01-01T09:00:00", "time_zone": "UTC" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a time in the past");

    let recipient = format!("/reminders/{id}/recipient");
    let (status, _, _) = api
        .call(
            "POST",
            &recipient,
            Some("acme"),
            Some(json!({ "recipient": "cfo@acme.example", "secondary": "ap@acme.example" })),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a stale version");
    let (status, redirected) = api
        .json(
            "POST",
            &recipient,
            "acme",
            Some(json!({ "recipient": "cfo@acme.example", "secondary": "ap@acme.example" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(redirected["recipient"], "cfo@acme.example");
    assert_eq!(redirected["secondary"], "ap@acme.example");
    let (status, _) = api
        .json(
            "POST",
            &recipient,
            "acme",
            Some(json!({ "recipient": "nobody" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, _) = api
        .call(
            "DELETE",
            &format!("/reminders/{id}"),
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "DELETE cancels");
    let (_, cancelled) = api
        .json("GET", &format!("/reminders/{id}"), "acme", None)
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    for (uri, body) in [
        (format!("/reminders/{id}/cancel"), None),
        (
            reschedule.clone(),
            Some(json!({ "at": "2099-08-01T09:00:00", "time_zone": "UTC" })),
        ),
    ] {
        let (status, _) = api.json("POST", &uri, "acme", body).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "{uri} on a cancelled reminder"
        );
    }
}

#[tokio::test]
async fn reminders_are_listed_by_due_time_and_bad_input_is_refused() {
    let api = api().await;
    let (_, invoice) = api
        .json("POST", "/invoices", "lister", Some(draft_body()))
        .await;
    let invoice_id = invoice["invoice"]["id"].as_str().unwrap().to_owned();
    let mut about_invoice = reminder_body("2099-01-05T09:00:00");
    about_invoice["about"] = json!({ "invoice": invoice_id });
    let (status, created) = api
        .json("POST", "/reminders", "lister", Some(about_invoice.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _) = api
        .json("POST", "/reminders", "other", Some(about_invoice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's invoice");
    for day in ["03", "01", "04", "02"] {
        let (status, _) = api
            .json(
                "POST",
                "/reminders",
                "lister",
                Some(reminder_body(&format!("2099-01-{day}T09:00:00"))),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut dates = Vec::new();
    let mut uri = "/reminders?size=2".to_owned();
    loop {
        let (status, page) = api.json("GET", &uri, "lister", None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for r in page["content"].as_array().unwrap() {
            dates.push(r["local_time"].as_str().unwrap()[..10].to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/reminders?size=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        dates,
        [
            "2099-01-01",
            "2099-01-02",
            "2099-01-03",
            "2099-01-04",
            "2099-01-05"
        ]
    );
    let (_, ranged) = api
        .json(
            "GET",
            "/reminders?from=2099-01-02T00:00:00Z&to=2099-01-03T23:59:59Z",
            "lister",
            None,
        )
        .await;
    assert_eq!(ranged["content"].as_array().unwrap().len(), 2);

    let mut past = reminder_body("2001-01-01T09:00:00");
    past["time_zone"] = json!("UTC");
    let gap = reminder_body("2099-03-29T02:30:00");
    let mut bad_zone = reminder_body("2099-01-01T09:00:00");
    bad_zone["time_zone"] = json!("Mars/Olympus");
    let mut bad_address = reminder_body("2099-01-01T09:00:00");
    bad_address["recipient"] = json!("not-an-address");
    let mut blank = reminder_body("2099-01-01T09:00:00");
    blank["subject"] = json!(" ");
    for body in [past, gap, bad_zone, bad_address, blank] {
        let (status, error) = api.json("POST", "/reminders", "lister", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    }
    for uri in [
        "/reminders?status=gone",
        "/reminders?size=0",
        "/reminders?after=x",
    ] {
        let (status, _) = api.json("GET", uri, "lister", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

/// The reminders of `tenant` about `invoice`, once `ready` holds of them (the service
/// makes and cancels them in the background, from the invoice's events).
async fn reminders_about(
    api: &common::Api,
    tenant: &str,
    invoice: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, page) = api.json("GET", "/reminders?size=100", tenant, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let about: Vec<Value> = page["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["about"]["invoice"] == invoice)
            .cloned()
            .collect();
        if ready(&about) {
            return about;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "reminders of {invoice}: {about:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_issued_invoice_gets_its_reminders_and_payment_cancels_them() {
    let api = api().await;
    let mut body = draft_body();
    body["due_date"] = json!("2099-06-30");
    let (status, created) = api.json("POST", "/invoices", "acme", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, issued) = api
        .json("POST", &format!("/invoices/{id}/issue"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let number = issued["invoice"]["number"].as_str().unwrap().to_owned();

    let both = reminders_about(&api, "acme", &id, |r| r.len() == 2).await;
    let subjects: Vec<&str> = both
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            format!("Reminder: invoice {number} is due on 2099-06-30"),
            format!("Overdue: invoice {number} was due on 2099-06-30"),
        ],
        "by due time"
    );
    assert_eq!(
        both[0]["due_at"], "2099-06-27T09:00:00Z",
        "3 days before, 09:00 UTC"
    );
    assert_eq!(both[1]["due_at"], "2099-07-01T09:00:00Z", "the day after");
    assert!(both.iter().all(|r| r["recipient"] == "ap@example.com"));
    assert!(
        reminders_about(&api, "globex", &id, |_| true)
            .await
            .is_empty(),
        "another tenant sees none"
    );

    let amount = issued["totals"]["payable_amount"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, paid) = api
        .json(
            "POST",
            &format!("/invoices/{id}/payments"),
            "acme",
            Some(json!({ "amount": amount })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid");
    reminders_about(&api, "acme", &id, |r| {
        r.len() == 2 && r.iter().all(|r| r["status"] == "cancelled")
    })
    .await;
}
