//! What the dashboard needs from the service, without a browser: its files served at `/`
//! with a policy that keeps the page to this origin, totals computed without storing
//! anything, rule violations that name their field, and UBL and CII downloads.

mod common;

use axum::http::{header, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn the_dashboard_is_served_without_a_token_and_revalidated_by_etag() {
    let api = common::api().await;
    let (status, headers, body) = api.call("GET", "/", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains(r#"<script type="module" src="/dashboard/app.js">"#));
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"));
    assert!(!policy.contains("unsafe-inline"), "{policy}");

    // Every module the page imports is served, as JavaScript.
    let (status, headers, app) = api.call("GET", "/dashboard/app.js", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let app = String::from_utf8(app).unwrap();
    // Every module reachable from app.js, through the imports of each.
    let mut to_fetch: Vec<String> = vec!["app.js".to_owned()];
    let mut served = std::collections::BTreeSet::new();
    while let Some(file) = to_fetch.pop() {
        if !served.insert(file.clone()) {
            continue;
        }
        let (status, headers, body) = api
            .call("GET", &format!("/dashboard/{file}"), None, None, &[])
            .await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let source = String::from_utf8(body).unwrap();
        for import in source.lines().filter_map(|l| l.split("from \"./").nth(1)) {
            to_fetch.push(import.trim_end_matches("\";").to_owned());
        }
    }
    assert!(served.len() >= 12, "modules served: {served:?}");

    // Gzipped for a browser that takes it.
    let (status, headers, zipped) = api
        .call(
            "GET",
            "/dashboard/app.js",
            None,
            None,
            &[("Accept-Encoding", "gzip")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert!(
        zipped.len() < app.len() / 2,
        "{} of {} bytes",
        zipped.len(),
        app.len()
    );

    // A reload sends the ETag back and transfers nothing.
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, body) = api
        .call(
            "GET",
            "/dashboard/app.js",
            None,
            None,
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let (status, _, _) = api
        .call("GET", "/dashboard/nothing.js", None, None, &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_preview_computes_totals_and_lists_the_rules_without_storing() {
    let api = common::api().await;
    let mut body = common::draft_body();
    body["seller"]["name"] = json!("");
    let (status, preview) = api.json("POST", "/invoices/preview", "a", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    // 1 000.00 at 19 % and 49.80 at 7 %.
    assert_eq!(preview["totals"]["tax_exclusive_amount"], "1049.80");
    assert_eq!(preview["totals"]["tax_total"], "193.49");
    assert_eq!(preview["amount_due"], "1243.29");
    let rules: Vec<(&str, &str)> = preview["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["field"].as_str().unwrap(), v["path"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, [("BR-06", "seller.name")]);
    let (_, list) = api.json("GET", "/invoices", "a", None).await;
    assert_eq!(list["total_elements"], 0, "a preview stores nothing");

    // A malformed amount is a 400 at its path, as for POST /invoices.
    let mut bad = common::draft_body();
    bad["lines"][0]["quantity"] = json!("ten");
    let (status, error) = api.json("POST", "/invoices/preview", "a", Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["details"][0]["field"], "lines[0].quantity");
}

#[tokio::test]
async fn a_refused_issue_names_each_rule_and_where_it_is_broken() {
    let api = common::api().await;
    let mut body = common::draft_body();
    body["lines"][1]["price"] = json!("-1");
    let (id, _) = api.create_draft("a", body).await;
    let (status, error) = api
        .json("POST", &format!("/invoices/{id}/issue"), "a", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = error["error"]["details"].as_array().unwrap();
    let broken: Vec<(&str, &str)> = details
        .iter()
        .map(|d| (d["field"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    assert!(broken.contains(&("BR-27", "lines[1].price")), "{broken:?}");
}

#[tokio::test]
async fn an_issued_invoice_downloads_as_ubl_and_cii_and_a_draft_says_why_not() {
    let api = common::api().await;
    let (id, _) = api.create_draft("a", common::draft_body()).await;
    let (status, _, body) = api
        .call("GET", &format!("/invoices/{id}.ubl"), Some("a"), None, &[])
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, issued) = api
        .json("POST", &format!("/invoices/{id}/issue"), "a", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let number = issued["invoice"]["number"].as_str().unwrap().to_owned();
    for (format, root) in [("ubl", "<Invoice"), ("cii", "<rsm:CrossIndustryInvoice")] {
        let (status, headers, body) = api
            .call(
                "GET",
                &format!("/invoices/{id}.{format}"),
                Some("a"),
                None,
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{format}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/xml");
        let xml = String::from_utf8(body).unwrap();
        assert!(
            xml.contains(root),
            "{format}: {}",
            &xml[..200.min(xml.len())]
        );
        assert!(xml.contains(&number), "{format} carries the number");
    }
    // Read-only, as the other exports.
    let (status, _, _) = api
        .call(
            "DELETE",
            &format!("/invoices/{id}.cii"),
            Some("a"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let _: Value = issued;
}
