//! `/schedules`: the lifecycle over HTTP (create, read, list, change under `If-Match`,
//! pause, resume, cancel, preview), bad input refused, tenants kept apart, and the
//! service's generator making each due period once on a clock the test controls.

mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use invoice_storage::ScheduleGenerator;
use serde_json::{json, Value};

use common::{api, party};

fn schedule_body(auto_issue: bool) -> Value {
    json!({
        "name": "Monthly retainer",
        "template": {
            "currency": "EUR",
            "seller": party("Seller GmbH"),
            "buyer": party("Buyer AG"),
            "lines": [{ "id": "1", "name": "Retainer", "quantity": "1", "unit": "C62",
                        "price": "500.00", "vat": { "category": "S", "rate": "19" } }],
            "due_after_days": 14
        },
        "rule": {
            "recurrence": { "every_unit": "monthly", "every": 1, "day": "last" },
            "start": "2027-01-01", "end": "never", "time_zone": "Europe/Berlin"
        },
        "auto_issue": auto_issue
    })
}

fn dates(occurrences: &Value) -> Vec<&str> {
    occurrences
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_schedule_is_created_changed_paused_resumed_and_cancelled() {
    let api = api().await;
    let (status, headers, bytes) = api
        .call(
            "POST",
            "/schedules",
            Some("acme"),
            Some(schedule_body(false)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["etag"], "\"1\"");
    let created: Value = serde_json::from_slice(&bytes).unwrap();
    let id = created["schedule"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["schedule"]["status"], "active");
    assert_eq!(
        dates(&created["next"]),
        ["2027-01-31", "2027-02-28", "2027-03-31"],
        "the last day of each month"
    );
    assert_eq!(created["next"][0]["due_at"], "2027-01-30T23:00:00Z");

    let (status, fetched) = api
        .json("GET", &format!("/schedules/{id}"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);
    let (status, _) = api
        .json("GET", &format!("/schedules/{id}"), "globex", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's schedule");

    let rename = json!({ "name": "Retainer 2027" });
    let uri = format!("/schedules/{id}");
    let (status, _, _) = api
        .call(
            "PATCH",
            &uri,
            Some("acme"),
            Some(rename.clone()),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = api
        .call(
            "PATCH",
            &uri,
            Some("acme"),
            Some(rename),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a stale version");

    let pause = format!("/schedules/{id}/pause");
    let (status, paused) = api.json("POST", &pause, "acme", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paused["schedule"]["status"], "paused");
    assert_eq!(paused["schedule"]["version"], 3);
    let (status, _) = api.json("POST", &pause, "acme", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "pausing a paused schedule");
    let (status, _, _) = api
        .call(
            "POST",
            &format!("/schedules/{id}/resume"),
            Some("acme"),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, resumed) = api
        .json("POST", &format!("/schedules/{id}/resume"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(resumed["schedule"]["status"], "active");
    assert!(resumed["schedule"]["resumed_on"].is_string());

    let (status, preview) = api
        .json(
            "GET",
            &format!("/schedules/{id}/preview?count=5"),
            "acme",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview.as_array().unwrap().len(), 5);
    for bad in ["0", "101", "x"] {
        let (status, _) = api
            .json(
                "GET",
                &format!("/schedules/{id}/preview?count={bad}"),
                "acme",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "count={bad}");
    }

    let (status, _, _) = api.call("DELETE", &uri, Some("acme"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "DELETE cancels");
    let (_, cancelled) = api.json("GET", &uri, "acme", None).await;
    assert_eq!(cancelled["schedule"]["status"], "cancelled");
    assert_eq!(cancelled["next"], json!([]));
    let (status, _) = api
        .json("POST", &format!("/schedules/{id}/cancel"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = api
        .json("PATCH", &uri, "acme", Some(json!({ "name": "again" })))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a cancelled schedule cannot change"
    );
}

#[tokio::test]
async fn schedules_are_listed_by_page_and_status_and_bad_input_is_refused() {
    let api = api().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (status, created) = api
            .json("POST", "/schedules", "lister", Some(schedule_body(false)))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        ids.push(created["schedule"]["id"].as_str().unwrap().to_owned());
    }
    api.json(
        "POST",
        &format!("/schedules/{}/pause", ids[0]),
        "lister",
        None,
    )
    .await;
    api.json("POST", "/schedules", "other", Some(schedule_body(false)))
        .await;
    let mut listed = Vec::new();
    let mut uri = "/schedules?size=2".to_owned();
    loop {
        let (status, page) = api.json("GET", &uri, "lister", None).await;
        assert_eq!(status, StatusCode::OK);
        for s in page["content"].as_array().unwrap() {
            listed.push(s["schedule"]["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/schedules?size=2&after={cursor}"),
            None => break,
        }
    }
    ids.sort();
    assert_eq!(listed, ids);
    let (_, paused) = api
        .json("GET", "/schedules?status=paused", "lister", None)
        .await;
    assert_eq!(paused["content"].as_array().unwrap().len(), 1);
    for uri in [
        "/schedules?status=gone",
        "/schedules?size=0",
        "/schedules?after=x",
    ] {
        let (status, _) = api.json("GET", uri, "lister", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }

    let mut every_zero = schedule_body(false);
    every_zero["rule"]["recurrence"]["every"] = json!(0);
    let mut no_lines = schedule_body(false);
    no_lines["template"]["lines"] = json!([]);
    let mut day_32 = schedule_body(false);
    day_32["rule"]["recurrence"]["day"] = json!({ "day": 32 });
    let mut bad_zone = schedule_body(false);
    bad_zone["rule"]["time_zone"] = json!("Mars/Olympus");
    let mut blank_name = schedule_body(false);
    blank_name["name"] = json!(" ");
    for body in [every_zero, no_lines, day_32, bad_zone, blank_name] {
        let (status, error) = api.json("POST", "/schedules", "lister", Some(body)).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{status} {error}"
        );
    }
    let (status, _) = api
        .json("GET", "/schedules/not-a-uuid", "lister", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_generator_makes_each_due_period_once_and_issues_it() {
    let api = api().await;
    let (_, created) = api
        .json("POST", "/schedules", "billing", Some(schedule_body(true)))
        .await;
    let id = created["schedule"]["id"].as_str().unwrap().to_owned();
    let generator = ScheduleGenerator::new(api.state.schedules.clone(), api.state.invoices.clone());
    // Down until mid-April: January, February and March are due.
    let now = Utc.with_ymd_and_hms(2027, 4, 15, 9, 0, 0).unwrap();
    let report = generator.run_once(now).await.unwrap();
    assert_eq!((report.created, report.issued), (3, 3), "{report:?}");
    let again = generator.run_once(now).await.unwrap();
    assert_eq!(again.created, 0);

    let (status, page) = api.json("GET", "/invoices?size=50", "billing", None).await;
    assert_eq!(status, StatusCode::OK);
    let invoices = page["content"].as_array().unwrap();
    assert_eq!(invoices.len(), 3);
    assert!(
        invoices.iter().all(|i| i["status"] == "issued"),
        "{invoices:?}"
    );
    let first = invoices[0]["id"].as_str().unwrap();
    let (_, invoice) = api
        .json("GET", &format!("/invoices/{first}"), "billing", None)
        .await;
    assert_eq!(invoice["invoice"]["schedule"]["schedule"], id.as_str());

    let (_, schedule) = api
        .json("GET", &format!("/schedules/{id}"), "billing", None)
        .await;
    assert_eq!(schedule["schedule"]["last_period"], 2);
    assert_eq!(schedule["next"][0]["period"], 3);
    assert_eq!(schedule["next"][0]["date"], "2027-04-30");
}
