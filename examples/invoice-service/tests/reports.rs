//! `/reports`: aging, revenue and the VAT summary of the token's tenant, as JSON and CSV,
//! through the whole router on embedded defaults.

use axum::http::StatusCode;
use serde_json::{json, Value};

mod common;
use common::{api, draft_body, Api};

/// Creates and issues a draft on `issue_date`; returns its id.
async fn issued(api: &Api, tenant: &str, issue_date: &str) -> String {
    let (status, created) = api
        .json("POST", "/invoices", tenant, Some(draft_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, body) = api
        .json(
            "POST",
            &format!("/invoices/{id}/issue"),
            tenant,
            Some(json!({ "issue_date": issue_date })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

#[tokio::test]
async fn reports_answer_per_tenant_as_json_and_csv() {
    let api = api().await;
    // The draft body: 10 h at 100.00 (19 %) and 2 books at 24.90 (7 %), due 2026-12-24:
    // 1 049.80 net, 1 243.29 gross.
    let first = issued(&api, "acme", "2026-11-02").await;
    issued(&api, "acme", "2026-12-01").await;
    let (status, _) = api
        .json(
            "POST",
            &format!("/invoices/{first}/payments"),
            "acme",
            Some(json!({ "amount": "243.29", "date": "2026-11-20" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    issued(&api, "globex", "2026-11-05").await;

    let (status, aging) = api
        .json("GET", "/reports/aging?as_of=2027-01-30", "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{aging}");
    // Both due 2026-12-24, 37 days before: 1 000.00 + 1 243.29 in 31-60.
    assert_eq!(aging["totals"][0]["amounts"]["days_31_to_60"], "2243.29");
    assert_eq!(aging["totals"][0]["currency"], "EUR");

    let (status, revenue) = api
        .json(
            "GET",
            "/reports/revenue?from=2026-01-01&to=2026-12-31&by=month",
            "acme",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revenue}");
    let months: Vec<(&str, &str)> = revenue
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"]["period"].as_str().unwrap(),
                r["net"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [("2026-11-01", "1049.80"), ("2026-12-01", "1049.80")]
    );

    let (status, vat) = api
        .json(
            "GET",
            "/reports/vat?from=2026-11-01&to=2026-11-30",
            "acme",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{vat}");
    let rates: Vec<(&str, &str)> = vat
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rate"].as_str().unwrap(), r["tax"].as_str().unwrap()))
        .collect();
    assert_eq!(rates, [("7", "3.49"), ("19", "190.00")]);

    let (status, headers, body) = api
        .call(
            "GET",
            "/reports/vat.csv?from=2026-11-01&to=2026-11-30",
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(text.contains("EUR,S,19,1000.00,190.00\r\n"), "{text}");
    for uri in [
        "/reports/aging.csv?as_of=2027-01-30",
        "/reports/revenue.csv?from=2026-01-01&to=2026-12-31&by=client",
    ] {
        let (status, _, body) = api.call("GET", uri, Some("acme"), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            String::from_utf8(body).unwrap().lines().count() >= 2,
            "{uri}"
        );
    }

    // Another tenant's figures are its own.
    let (_, theirs) = api
        .json("GET", "/reports/aging?as_of=2027-01-30", "globex", None)
        .await;
    assert_eq!(theirs["totals"][0]["amounts"]["total"], "1243.29");
    let (_, nobody) = api
        .json("GET", "/reports/aging?as_of=2027-01-30", "initech", None)
        .await;
    assert_eq!(nobody["totals"], json!([]));
}

#[tokio::test]
async fn bad_report_parameters_are_a_400() {
    let api = api().await;
    for uri in [
        "/reports/aging",
        "/reports/aging?as_of=tomorrow",
        "/reports/aging?as_of=20000-01-01",
        "/reports/revenue?from=2026-02-01&to=2026-01-01&by=month",
        "/reports/revenue?from=2026-01-01&to=2026-02-01&by=week",
        "/reports/vat?from=2026-01-01",
        "/reports/vat.csv?from=0100-01-01&to=2026-01-01",
        "/reports/vat?from=2026-01-01&to=2026-02-01&extra=1",
    ] {
        let (status, body): (StatusCode, Value) = api.json("GET", uri, "acme", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{uri}");
    }
}
