//! The worker's behaviours, each run against any document store.

use std::sync::Arc;

use export_worker::{document_key, Format, NO_CLIENT};
use invoice_core::{EventEnvelope, Invoice, InvoiceNumber};
use invoice_export::{read_ubl, ImportOptions};
use invoice_messaging::Publisher;
use invoice_storage::{collect_body, DocumentStore, StorageClass};

use super::{client, draft, event_id, now, today, Pipeline, QUEUE};

/// Every document of `invoice` is there, deep-archived, with the right media type;
/// returns their sizes.
async fn assert_archived(documents: &dyn DocumentStore, invoice: &Invoice) -> Vec<u64> {
    let mut sizes = Vec::new();
    for format in Format::ALL {
        let key = document_key(invoice, format).unwrap();
        let meta = documents.head(&key).await.unwrap();
        assert_eq!(meta.storage_class, StorageClass::DeepArchive, "{key}");
        assert_eq!(
            meta.content_type.as_deref(),
            Some(format.content_type()),
            "{key}"
        );
        assert!(meta.size > 0, "{key} is empty");
        sizes.push(meta.size);
    }
    sizes
}

/// Issued invoices, with and without a client, are archived as CSV, UBL and Factur-X under the seed
/// convention in deep archive; drafts are not. With `read_back` (stores that read
/// archived documents at once), the bodies are checked too.
pub async fn issued_invoices_are_archived_as_csv_ubl_and_facturx(
    documents: Arc<dyn DocumentStore>,
    read_back: bool,
) {
    let p = Pipeline::start(Arc::clone(&documents));
    let client = client();
    let (with_client, _) = p.issue(draft(&p.tenant).client(client)).await;
    let (without_client, _) = p.issue(draft(&p.tenant)).await;
    let _still_a_draft = p.create(draft(&p.tenant)).await;
    p.publish().await;
    p.settled(2).await;
    assert_eq!(
        p.stats.dead_lettered(),
        0,
        "{:?}",
        p.broker.dead_letters(QUEUE)
    );

    let tenant = p.tenant.as_str();
    let number = |i: &Invoice| i.number().unwrap().to_string();
    let key = |i: &Invoice, format| document_key(i, format).unwrap().to_string();
    assert_eq!(
        key(&with_client, Format::Csv),
        format!(
            "csv-invoices/{tenant}/{client}/{}.csv",
            number(&with_client)
        )
    );
    assert_eq!(
        key(&without_client, Format::Ubl),
        format!(
            "ubl-invoices/{tenant}/{NO_CLIENT}/{}.xml",
            number(&without_client)
        )
    );
    for prefix in ["csv-invoices", "ubl-invoices", "pdf-invoices"] {
        let listed = documents
            .list(&format!("{prefix}/{tenant}/"))
            .await
            .unwrap();
        assert_eq!(listed.len(), 2, "{prefix}: {listed:?}");
    }
    for invoice in [&with_client, &without_client] {
        assert_archived(documents.as_ref(), invoice).await;
        if !read_back {
            continue;
        }
        let (_, body) = documents
            .get(&document_key(invoice, Format::Csv).unwrap())
            .await
            .unwrap();
        let csv = String::from_utf8(collect_body(body).await.unwrap().to_vec()).unwrap();
        assert_eq!(csv.lines().count(), 3, "header and two lines:\n{csv}");
        assert!(
            csv.lines().skip(1).all(|l| l.starts_with(&number(invoice))),
            "{csv}"
        );

        let (_, body) = documents
            .get(&document_key(invoice, Format::Ubl).unwrap())
            .await
            .unwrap();
        let xml = collect_body(body).await.unwrap();
        let options = ImportOptions::new(invoice.id(), invoice.tenant().clone());
        let read = read_ubl(xml.as_ref(), &options).unwrap();
        assert_eq!(read.number(), invoice.number());
        assert_eq!(
            read.totals().unwrap().payable_amount(),
            invoice.totals().unwrap().payable_amount()
        );

        // The Factur-X: its embedded CII is the same invoice.
        let (_, body) = documents
            .get(&document_key(invoice, Format::Pdf).unwrap())
            .await
            .unwrap();
        let pdf = collect_body(body).await.unwrap();
        let found = invoice_export::read_facturx(pdf.as_ref(), &options).unwrap();
        assert_eq!(found.invoice.number(), invoice.number());
        assert_eq!(found.invoice.totals().unwrap(), invoice.totals().unwrap());
    }
    p.stop().await;
}

/// An `Issued` event delivered again is handled without error and leaves the same
/// documents.
pub async fn a_redelivered_issued_event_rewrites_the_same_documents(
    documents: Arc<dyn DocumentStore>,
) {
    let p = Pipeline::start(Arc::clone(&documents));
    let (invoice, issued) = p.issue(draft(&p.tenant)).await;
    p.publish().await;
    p.settled(1).await;
    let before = assert_archived(documents.as_ref(), &invoice).await;

    p.broker.publisher().publish(&issued).await.unwrap();
    p.settled(2).await;
    assert_eq!(p.stats.handled(), 2);
    assert_eq!(
        p.stats.dead_lettered(),
        0,
        "{:?}",
        p.broker.dead_letters(QUEUE)
    );
    assert_eq!(assert_archived(documents.as_ref(), &invoice).await, before);
    let listed = documents
        .list(&format!("csv-invoices/{}/", p.tenant))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    p.stop().await;
}

/// An `Issued` event whose invoice the store does not have is dead-lettered at once,
/// with a reason that says so, and nothing is archived.
pub async fn an_issued_event_for_a_missing_invoice_is_dead_lettered(
    documents: Arc<dyn DocumentStore>,
) {
    let p = Pipeline::start(Arc::clone(&documents));
    let (mut invoice, _) = Invoice::create(draft(&p.tenant)).unwrap();
    let issued = invoice
        .issue(InvoiceNumber::new("INV-MISSING-1").unwrap(), today())
        .unwrap();
    let envelope = EventEnvelope::new(event_id(), now(), &invoice, issued);
    p.broker.publisher().publish(&envelope).await.unwrap();
    p.settled(1).await;

    assert_eq!(p.stats.dead_lettered(), 1);
    let dead = p.broker.dead_letters(QUEUE);
    assert_eq!(dead.len(), 1);
    assert!(format!("{dead:?}").contains("not in the store"), "{dead:?}");
    let listed = documents
        .list(&format!("csv-invoices/{}/", p.tenant))
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    p.stop().await;
}
