//! The dashboard in a real browser: headless Chromium driven through chromedriver
//! (WebDriver, with `fantoccini`) against the service on embedded defaults, served on a
//! port of 127.0.0.1.
//!
//! `CHROMEDRIVER` names the chromedriver binary (Debian's `chromium-driver` package puts
//! it at `/usr/bin/chromedriver`; `CHROME` the browser, `/usr/bin/chromium` by default).
//! Without it each test reports itself skipped by name; `.ci/run` installs both and sets
//! it, with `TEST_REQUIRE_SERVICES=1` so that a skip fails there. The tests write PNG
//! screenshots of the list and of one invoice under `target/tmp/dashboard/`.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// A chromedriver process on a port of its own, killed when dropped.
struct Driver {
    process: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn driver(test: &str) -> Option<Driver> {
    let binary = invoice_storage::testing::require_env("CHROMEDRIVER", test)?;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let process = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(started.elapsed() < PATIENCE, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(Driver { process, url })
}

/// A fresh browser session (its own profile: its own session storage).
async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     format!("--window-size={width},{height}"), "--lang=en-US"],
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a chromium session")
}

/// The service on embedded defaults, on a port of 127.0.0.1.
struct Service {
    api: common::Api,
    url: String,
}

async fn service() -> Service {
    let api = common::api().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = api.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Service { api, url }
}

/// Opens the dashboard and signs in with a token of `tenant`.
async fn sign_in(browser: &Client, service: &Service, tenant: &str) {
    browser.goto(&format!("{}/", service.url)).await.unwrap();
    let field = wait_for(browser, "#token").await;
    field.send_keys(&service.api.token(tenant)).await.unwrap();
    browser
        .find(Locator::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(browser, "body[data-ready='#/invoices'] table#invoices").await;
}

/// Signs in without a pointer: the token typed, Tab to the button, Enter.
async fn sign_in_by_keyboard(browser: &Client, service: &Service, tenant: &str) {
    use fantoccini::key::Key;
    browser.goto(&format!("{}/", service.url)).await.unwrap();
    let field = wait_for(browser, "#token").await;
    field.send_keys(&service.api.token(tenant)).await.unwrap();
    field.send_keys(&Key::Tab.to_string()).await.unwrap();
    let focused = browser.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("sign-in")
    );
    focused.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for(browser, "body[data-ready='#/invoices'] table#invoices").await;
}

/// Every form control on the page has a label and every button a name, for screen
/// readers.
async fn assert_labelled(browser: &Client, page: &str) {
    let unlabelled = browser
        .execute(
            "return [...document.querySelectorAll('input, select, textarea')]\
                 .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))\
                 .map(e => e.id)\
               .concat([...document.querySelectorAll('button')]\
                 .filter(b => !b.textContent.trim() && !b.getAttribute('aria-label'))\
                 .map(b => b.outerHTML));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, json!([]), "unlabelled on {page}");
}

async fn wait_for(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Waits until `script` (a JavaScript expression) is true in the page.
async fn wait_until(browser: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        let value = browser
            .execute(&format!("return !!({script});"), vec![])
            .await
            .unwrap();
        if value == Value::Bool(true) {
            return;
        }
        if started.elapsed() > PATIENCE {
            let shown = browser
                .execute(
                    "return document.querySelector('#main')?.innerText ?? '';",
                    vec![],
                )
                .await
                .unwrap_or_default();
            let file = what.replace(|c: char| !c.is_ascii_alphanumeric(), "-");
            screenshot(browser, &format!("failed-{file}.png")).await;
            panic!(
                "timed out waiting for {what}; the page shows:\n{}",
                shown.as_str().unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(browser: &Client, css: &str) -> String {
    wait_for(browser, css).await.text().await.unwrap()
}

async fn attr(browser: &Client, css: &str, name: &str) -> String {
    wait_for(browser, css)
        .await
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let element = wait_for(browser, css).await;
    element.clear().await.unwrap();
    element.send_keys(value).await.unwrap();
}

async fn click(browser: &Client, css: &str) {
    wait_for(browser, css).await.click().await.unwrap();
}

async fn screenshot(browser: &Client, name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, browser.screenshot().await.unwrap()).unwrap();
    eprintln!("screenshot: {}", path.display());
    path
}

/// The status of the invoice page shown, once it is `status`.
async fn wait_status(browser: &Client, status: &str) {
    wait_until(
        browser,
        &format!("status {status}"),
        &format!("document.querySelector('#invoice-status')?.dataset.status === '{status}'"),
    )
    .await;
}

#[tokio::test]
async fn a_person_bills_a_client_and_records_its_payments() {
    let Some(driver) = driver("a_person_bills_a_client_and_records_its_payments").await else {
        return;
    };
    let service = service().await;
    let browser = browser(&driver, 1280, 1000).await;
    sign_in(&browser, &service, "a").await;
    // What the first load transferred: the page, its style sheet, icon and modules, and
    // the first list's API answers.
    let weight = browser
        .execute(
            "const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];\
             return all.reduce((sum, e) => sum + e.transferSize, 0);",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    eprintln!("first load transferred {weight} bytes");
    // Gzipped, about 31 KB; the files alone are 69 KB uncompressed.
    assert!(
        (10_000..60_000).contains(&weight),
        "first load: {weight} bytes"
    );

    // A client through the form.
    click(&browser, "a[href='#/clients']").await;
    fill(&browser, "#f-name", "Kunde AG").await;
    fill(&browser, "#f-emails-0", "ap@kunde.example").await;
    fill(&browser, "#f-vat_id", "DE987654321").await;
    fill(&browser, "#f-address-lines", "Alsterufer 5").await;
    fill(&browser, "#f-address-postal_code", "20095").await;
    fill(&browser, "#f-address-city", "Hamburg").await;
    fill(&browser, "#f-address-country", "DE").await;
    click(&browser, "#save-client").await;
    wait_until(
        &browser,
        "the client in the list",
        "document.querySelector('#clients tbody tr[data-id]')?.textContent.includes('Kunde AG')",
    )
    .await;

    // An invoice with two VAT rates through the form; the client fills in the buyer.
    click(&browser, "a[href='#/new']").await;
    let client = wait_for(&browser, "#f-client_id").await;
    client.select_by_label("Kunde AG").await.unwrap();
    wait_until(
        &browser,
        "the buyer from the client",
        "document.querySelector('#f-buyer-name').value === 'Kunde AG'",
    )
    .await;
    assert_labelled(&browser, "the new invoice").await;
    fill(&browser, "#f-seller-name", "Muster GmbH").await;
    fill(&browser, "#f-seller-vat_id", "DE123456789").await;
    fill(&browser, "#f-seller-address-lines", "Hauptstr. 1").await;
    fill(&browser, "#f-seller-address-postal_code", "10115").await;
    fill(&browser, "#f-seller-address-city", "Berlin").await;
    fill(&browser, "#f-seller-address-country", "DE").await;
    fill(&browser, "#f-due_date", "01312027").await;
    fill(&browser, "#f-lines-0-name", "Consulting").await;
    fill(&browser, "#f-lines-0-quantity", "10").await;
    wait_for(&browser, "#f-lines-0-unit")
        .await
        .select_by_value("HUR")
        .await
        .unwrap();
    fill(&browser, "#f-lines-0-price", "90.00").await;
    click(&browser, "#add-line").await;
    fill(&browser, "#f-lines-1-name", "Handbook").await;
    fill(&browser, "#f-lines-1-quantity", "2").await;
    fill(&browser, "#f-lines-1-price", "24.90").await;
    fill(&browser, "#f-lines-1-vat-rate", "7").await;
    // The API computes the totals as the person types: 900.00 at 19 %, 49.80 at 7 %.
    wait_until(
        &browser,
        "the previewed totals",
        "document.querySelector('#totals-gross')?.dataset.value === '1124.29'",
    )
    .await;
    assert_eq!(attr(&browser, "#totals-net", "data-value").await, "949.80");
    assert_eq!(attr(&browser, "#totals-vat", "data-value").await, "174.49");
    let gross = text(&browser, "#totals-gross").await;
    assert!(gross.contains("1,124.29"), "en-US amount, got {gross}");
    click(&browser, "#create-invoice").await;
    wait_status(&browser, "draft").await;

    // Issue it, then a partial and a full payment.
    click(&browser, "#issue-invoice").await;
    wait_status(&browser, "issued").await;
    assert_labelled(&browser, "an issued invoice").await;
    let title = text(&browser, "h1").await;
    assert!(title.contains("INV-"), "issued under a number: {title}");
    assert_eq!(attr(&browser, "#amount-due", "data-value").await, "1124.29");
    fill(&browser, "#f-amount", "124.29").await;
    click(&browser, "#pay").await;
    wait_status(&browser, "partially_paid").await;
    assert_eq!(attr(&browser, "#amount-due", "data-value").await, "1000.00");
    assert!(text(&browser, "#payments").await.contains("124.29"));
    // The payment field offers what is still due.
    assert_eq!(
        wait_for(&browser, "#f-amount")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("1000.00")
    );
    // More than is due: refused (422), said beside the payment form, nothing recorded.
    fill(&browser, "#f-amount", "1000.01").await;
    click(&browser, "#pay").await;
    wait_until(
        &browser,
        "the refused overpayment beside its form",
        "document.querySelector('#payment-errors')?.textContent.includes('exceeds the amount due 1000.00')",
    )
    .await;
    wait_status(&browser, "partially_paid").await;
    fill(&browser, "#f-amount", "1000.00").await;
    click(&browser, "#pay").await;
    wait_status(&browser, "paid").await;
    assert_eq!(attr(&browser, "#amount-due", "data-value").await, "0.00");
    assert!(text(&browser, "#invoice-status").await.contains("Paid"));
    fill(&browser, "#f-note", "Paid in two parts, thank you.").await;
    click(&browser, "#add-note").await;
    wait_until(
        &browser,
        "the note",
        "document.querySelector('#notes')?.textContent.includes('two parts')",
    )
    .await;
    // The history lists the invoice's recorded events, oldest first.
    let types = browser
        .execute(
            "return [...document.querySelectorAll('#history li')].map(li => li.dataset.type);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        types,
        json!([
            "Created",
            "Issued",
            "PaymentRecorded",
            "PaymentRecorded",
            "Paid",
            "NoteAdded"
        ])
    );
    browser.set_window_size(1280, 1700).await.unwrap();
    browser
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    screenshot(&browser, "invoice.png").await;

    // The list shows it paid, beside a draft and an overdue invoice made through the API,
    // with the page's totals.
    let (_, draft) = service.api.create_draft("a", common::draft_body()).await;
    let mut late = common::draft_body();
    late["buyer"]["name"] = json!("Spät & Söhne OHG");
    late["due_date"] = json!("2026-10-31");
    let (late_id, late) = service.api.create_draft("a", late).await;
    let (status, _) = service
        .api
        .json(
            "POST",
            &format!("/invoices/{late_id}/issue"),
            "a",
            Some(json!({"issue_date": "2026-10-01"})),
        )
        .await;
    assert_eq!(status, 200);
    browser.set_window_size(1280, 800).await.unwrap();
    click(&browser, "a[href='#/invoices']").await;
    wait_until(
        &browser,
        "three invoices in the list",
        "document.querySelectorAll('#invoices tbody tr[data-id]').length === 3",
    )
    .await;
    assert!(text(&browser, "#invoices tbody tr[data-status=paid]")
        .await
        .contains("Kunde AG"));
    let overdue = text(&browser, "#invoices tbody tr[data-status=issued]").await;
    assert!(
        overdue.contains("Overdue"),
        "the late invoice is marked: {overdue}"
    );
    // The page's total is the exact sum of the three.
    let expected: invoice_core::Decimal = [&draft, &late]
        .iter()
        .map(|v| {
            v["totals"]["tax_inclusive_amount"]
                .as_str()
                .unwrap()
                .parse::<invoice_core::Decimal>()
                .unwrap()
        })
        .sum::<invoice_core::Decimal>()
        + "1124.29".parse::<invoice_core::Decimal>().unwrap();
    assert_eq!(
        attr(&browser, "#page-total-EUR", "data-value").await,
        expected.to_string()
    );
    screenshot(&browser, "list.png").await;

    // Sorted by total, largest first, through the API's sort.
    click(&browser, "#sort-amount").await;
    wait_until(
        &browser,
        "ascending by total",
        "document.querySelector('th[aria-sort=ascending] #sort-amount') !== null",
    )
    .await;
    click(&browser, "#sort-amount").await;
    wait_until(
        &browser,
        "descending by total",
        "document.querySelector('th[aria-sort=descending] #sort-amount') !== null",
    )
    .await;
    let first = text(&browser, "#invoices tbody tr:first-child").await;
    assert!(
        first.contains("Buyer AG") || first.contains("Spät"),
        "largest first: {first}"
    );

    // At phone width the page does not scroll sideways.
    browser.set_window_size(390, 844).await.unwrap();
    wait_until(
        &browser,
        "no sideways scrolling at 390 px",
        "document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    screenshot(&browser, "list-phone.png").await;
    browser.set_window_size(1280, 900).await.unwrap();

    // Reports: revenue of both issued invoices, as a table and a chart; the late one aged.
    let today = chrono::Utc::now().date_naive();
    browser
        .goto(&format!(
            "{}/#/reports?as_of={today}&from=2026-01-01&to={today}",
            service.url
        ))
        .await
        .unwrap();
    wait_for(&browser, "table#revenue").await;
    let revenue = text(&browser, "#revenue").await;
    assert!(
        revenue.contains("1,124.29") && revenue.contains("1,243.29"),
        "{revenue}"
    );
    let bars = browser
        .execute(
            "return document.querySelectorAll('svg.chart rect.bar').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(bars, json!(2), "one bar per month with revenue");
    assert!(text(&browser, "#aging").await.contains("1,243.29"));

    // A schedule made through the API, paused here.
    let (status, schedule) = service.api.json("POST", "/schedules", "a", Some(json!({
        "name": "Monthly retainer",
        "template": { "currency": "EUR", "seller": common::party("Seller GmbH"), "buyer": common::party("Buyer AG"),
                      "lines": [{ "id": "1", "name": "Retainer", "quantity": "1", "unit": "C62", "price": "500.00",
                                  "vat": { "category": "S", "rate": "19" } }],
                      "due_after_days": 14 },
        "rule": { "recurrence": { "every_unit": "monthly", "every": 1, "day": "last" },
                  "start": "2030-01-01", "end": "never", "time_zone": "Europe/Berlin" },
        "auto_issue": false
    }))).await;
    assert_eq!(status, 201, "{schedule}");
    let schedule_id = schedule["schedule"]["id"].as_str().unwrap();
    click(&browser, "a[href='#/schedules']").await;
    let row = text(&browser, &format!("#schedules tr[data-id='{schedule_id}']")).await;
    assert!(row.contains("Every month, on the last day"), "{row}");
    click(&browser, &format!("#pause-{schedule_id}")).await;
    wait_until(&browser, "the paused schedule", &format!("document.querySelector(\"#schedules tr[data-id='{schedule_id}'] .schedule-status\")?.textContent === 'paused'")).await;

    // A credit note for the paid invoice opens as a draft of its own.
    click(&browser, "a[href='#/invoices']").await;
    click(&browser, "#invoices tbody tr[data-status=paid] a").await;
    wait_status(&browser, "paid").await;
    click(&browser, "#credit-invoice").await;
    wait_until(
        &browser,
        "the credit note",
        "document.querySelector('h1')?.textContent.startsWith('Draft credit note')",
    )
    .await;
    wait_status(&browser, "draft").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn errors_show_next_to_their_field_and_a_stale_edit_offers_a_reload() {
    let Some(driver) =
        driver("errors_show_next_to_their_field_and_a_stale_edit_offers_a_reload").await
    else {
        return;
    };
    let service = service().await;
    // A draft whose seller has no name: issuing it breaks BR-06.
    let mut body = common::draft_body();
    body["seller"]["name"] = json!("");
    let (id, _) = service.api.create_draft("a", body).await;
    let browser = browser(&driver, 1280, 1000).await;
    sign_in(&browser, &service, "a").await;
    browser
        .goto(&format!("{}/#/invoices/{id}", service.url))
        .await
        .unwrap();
    wait_status(&browser, "draft").await;
    click(&browser, "#issue-invoice").await;
    wait_until(
        &browser,
        "the rule next to the seller's name",
        "!document.querySelector('#f-seller-name-error').hidden",
    )
    .await;
    let error = text(&browser, "#f-seller-name-error").await;
    assert!(
        error.contains("BR-06"),
        "rule id next to the field: {error}"
    );
    assert_eq!(
        attr(&browser, "#f-seller-name", "aria-invalid").await,
        "true"
    );
    wait_status(&browser, "draft").await;

    // An edit begun here while the API changes the draft: saving it is refused (412) and
    // the page offers the current version.
    fill(&browser, "#f-seller-name", "Muster GmbH").await;
    let (status, _) = service
        .api
        .json(
            "PATCH",
            &format!("/invoices/{id}"),
            "a",
            Some(json!({"payment_terms": "30 days net"})),
        )
        .await;
    assert_eq!(status, 200);
    wait_until(
        &browser,
        "the changed-elsewhere notice",
        "document.querySelector('#reload-stale') !== null",
    )
    .await;
    click(&browser, "#save-invoice").await;
    wait_until(
        &browser,
        "the refused save",
        "document.querySelector('#draft-errors').textContent.includes('was not saved')",
    )
    .await;
    click(&browser, "#reload-stale").await;
    wait_until(
        &browser,
        "the current version",
        "document.querySelector('#f-payment_terms').value === '30 days net'",
    )
    .await;
    assert_eq!(attr(&browser, "#invoice-status", "data-version").await, "2");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn changes_made_elsewhere_appear_live_and_each_tenant_sees_its_own() {
    let Some(driver) =
        driver("changes_made_elsewhere_appear_live_and_each_tenant_sees_its_own").await
    else {
        return;
    };
    let service = service().await;
    service.api.create_draft("b", common::draft_body()).await;
    let tenant_a = browser(&driver, 1280, 900).await;
    let tenant_b = browser(&driver, 1280, 900).await;
    sign_in(&tenant_a, &service, "a").await;
    sign_in_by_keyboard(&tenant_b, &service, "b").await;
    for session in [&tenant_a, &tenant_b] {
        wait_until(
            session,
            "the live socket",
            "document.body.dataset.live === 'on'",
        )
        .await;
    }
    let rows = "document.querySelectorAll('#invoices tbody tr[data-id]').length";
    wait_until(&tenant_a, "A's empty list", &format!("{rows} === 0")).await;
    wait_until(&tenant_b, "B's own draft", &format!("{rows} === 1")).await;

    // An invoice of tenant A made through the API shows up in A's open list unreloaded.
    let mut body = common::draft_body();
    body["buyer"]["name"] = json!("Live Update KG");
    let (id, _) = service.api.create_draft("a", body).await;
    wait_until(
        &tenant_a,
        "A's new invoice",
        &format!("document.querySelector(\"#invoices tr[data-id='{id}']\") !== null"),
    )
    .await;
    assert!(text(&tenant_a, "#invoices")
        .await
        .contains("Live Update KG"));

    // B never sees it: not in the list, and not by its id.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let b_rows = text(&tenant_b, "#invoices").await;
    assert!(
        !b_rows.contains("Live Update KG"),
        "B sees A's invoice: {b_rows}"
    );
    wait_until(&tenant_b, "B's one draft", &format!("{rows} === 1")).await;
    tenant_b
        .goto(&format!("{}/#/invoices/{id}", service.url))
        .await
        .unwrap();
    wait_until(
        &tenant_b,
        "a not-found answer",
        "document.querySelector('#main .banner.error')?.textContent.includes('Not found')",
    )
    .await;
    tenant_a.close().await.unwrap();
    tenant_b.close().await.unwrap();
}

/// An identity provider on 127.0.0.1 for the sign-in test: discovery, an authorization
/// endpoint that signs the person in at once (as a provider with a session would) and
/// records the PKCE challenge, a token endpoint that checks the verifier against it, and
/// the JWKS the service verifies the token with.
mod provider {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::extract::{Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use base64::Engine;
    use jsonwebtoken::jwk::{Jwk, JwkSet};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::{json, Value};
    use sha2::{Digest, Sha256};

    pub(super) const CLIENT_ID: &str = "invoice-dashboard";
    pub(super) const AUDIENCE: &str = "invoice-service";

    #[derive(Clone)]
    struct Provider {
        issuer: String,
        key: Arc<EncodingKey>,
        /// Codes handed out: their PKCE challenge and redirect URI.
        codes: Arc<Mutex<HashMap<String, (String, String)>>>,
        /// The verifiers that were checked and matched.
        verified: Arc<Mutex<Vec<String>>>,
    }

    pub(super) struct Running {
        pub(super) issuer: String,
        pub(super) verified: Arc<Mutex<Vec<String>>>,
    }

    pub(super) async fn start() -> Running {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/oidc/rs256-a.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let key = EncodingKey::from_rsa_pem(&pem).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some("dashboard-test".to_owned());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}/realms/invoices", listener.local_addr().unwrap());
        let provider = Provider {
            issuer: issuer.clone(),
            key: Arc::new(key),
            codes: Arc::default(),
            verified: Arc::default(),
        };
        let verified = Arc::clone(&provider.verified);
        let keys = JwkSet { keys: vec![jwk] };
        let router = Router::new()
            .route(
                "/realms/invoices/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/realms/invoices/auth", get(authorize))
            .route("/realms/invoices/token", post(token))
            .route(
                "/realms/invoices/certs",
                get(move || async move { Json(keys.clone()) }),
            )
            .with_state(provider);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Running { issuer, verified }
    }

    /// Browsers read the provider from the dashboard's origin: CORS allows them.
    fn cors(response: impl IntoResponse) -> Response {
        let mut response = response.into_response();
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::HeaderValue::from_static("*"),
        );
        response
    }

    async fn discovery(State(p): State<Provider>) -> Response {
        cors(Json(json!({
            "issuer": p.issuer,
            "authorization_endpoint": format!("{}/auth", p.issuer),
            "token_endpoint": format!("{}/token", p.issuer),
            "jwks_uri": format!("{}/certs", p.issuer),
            "code_challenge_methods_supported": ["S256"],
        })))
    }

    async fn authorize(
        State(p): State<Provider>,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        let field = |k: &str| q.get(k).cloned().unwrap_or_default();
        if field("response_type") != "code"
            || field("client_id") != CLIENT_ID
            || field("code_challenge_method") != "S256"
            || field("code_challenge").len() != 43
        {
            return (StatusCode::BAD_REQUEST, format!("bad request: {q:?}")).into_response();
        }
        let code = uuid::Uuid::new_v4().to_string();
        p.codes.lock().unwrap().insert(
            code.clone(),
            (field("code_challenge"), field("redirect_uri")),
        );
        let state = field("state");
        Redirect::to(&format!(
            "{}?code={code}&state={state}",
            field("redirect_uri")
        ))
        .into_response()
    }

    async fn token(State(p): State<Provider>, body: String) -> Response {
        // An application/x-www-form-urlencoded body, read as a query string.
        let f: HashMap<String, String> = reqwest::Url::parse(&format!("http://form/?{body}"))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let field = |k: &str| f.get(k).cloned().unwrap_or_default();
        let refuse = |why: &str| {
            cors((
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": why})),
            ))
        };
        // A code is good once.
        let Some((challenge, redirect_uri)) = p.codes.lock().unwrap().remove(&field("code")) else {
            return refuse("unknown or used code");
        };
        let verifier = field("code_verifier");
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        if field("grant_type") != "authorization_code"
            || field("client_id") != CLIENT_ID
            || field("redirect_uri") != redirect_uri
            || computed != challenge
        {
            return refuse("the verifier, client or redirect URI does not match");
        }
        p.verified.lock().unwrap().push(verifier);
        let now = chrono::Utc::now().timestamp();
        let claims: Value = json!({
            "iss": p.issuer, "aud": AUDIENCE, "sub": "erika", "iat": now, "exp": now + 300,
            "tenant": "idp-tenant",
        });
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("dashboard-test".to_owned());
        let access_token = jsonwebtoken::encode(&header, &claims, &p.key).unwrap();
        cors(Json(
            json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 300}),
        ))
    }
}

#[tokio::test]
async fn a_person_signs_in_at_the_identity_provider_with_pkce() {
    let Some(driver) = driver("a_person_signs_in_at_the_identity_provider_with_pkce").await else {
        return;
    };
    let idp = provider::start().await;
    let docs = tempfile::tempdir().unwrap();
    let dir = docs.path().to_str().unwrap().to_owned();
    let config = invoice_service::config::Config::from_env(|k| match k {
        "DOCUMENTS_DIR" => Some(dir.clone()),
        "DATABASE_URL" => Some("memory".to_owned()),
        "SCHEDULE_INTERVAL" => Some("0".to_owned()),
        "JWT_JWKS_URL" => Some(format!("{}/certs", idp.issuer)),
        "JWT_ISSUER" => Some(idp.issuer.clone()),
        "JWT_AUDIENCE" => Some(provider::AUDIENCE.to_owned()),
        "OIDC_CLIENT_ID" => Some(provider::CLIENT_ID.to_owned()),
        _ => None,
    })
    .unwrap();
    let (state, background) = invoice_service::state::build(&config).await.unwrap();
    std::mem::forget(background);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = invoice_service::app(state);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let browser = browser(&driver, 1280, 900).await;
    browser.goto(&format!("{url}/")).await.unwrap();
    click(&browser, "#sign-in-oidc").await;
    // Out to the provider and back with a code, traded for a token: the list of the
    // token's tenant, live.
    wait_for(&browser, "body[data-ready='#/invoices'] table#invoices").await;
    wait_until(
        &browser,
        "the live socket",
        "document.body.dataset.live === 'on'",
    )
    .await;
    assert!(text(&browser, "#tenant").await.contains("idp-tenant"));
    let address = browser.current_url().await.unwrap();
    assert!(
        address.query().is_none(),
        "the code left the address: {address}"
    );
    assert_eq!(
        idp.verified.lock().unwrap().len(),
        1,
        "one verifier checked"
    );
    let verifier = idp.verified.lock().unwrap()[0].clone();
    assert!(
        (43..=128).contains(&verifier.len()),
        "RFC 7636 verifier length"
    );
    browser.close().await.unwrap();
}
