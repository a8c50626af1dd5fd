//! PDF and Factur-X: rendering the sample invoice, long invoices, locales, and reading
//! a Factur-X back. The documents go to the export folder (`EXPORT_DIR`) for the checks
//! `.ci/run` makes with qpdf, poppler and the Python `factur-x` package.
#![cfg(feature = "pdf")]

mod common;

use invoice_core::{InvoiceId, TenantId};
use invoice_export::{
    read_facturx, write_facturx, write_pdf, Error, FacturXProfile, ImportOptions, Locale, Paper,
    PdfOptions,
};
use uuid::Uuid;

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("t").unwrap(),
    )
}

#[test]
fn the_sample_renders_in_every_locale_and_paper_size() {
    for (locale, paper, name) in [
        (Locale::En, Paper::A4, "sample.en.pdf"),
        (Locale::De, Paper::A4, "sample.de.pdf"),
        (Locale::Fr, Paper::Letter, "sample.fr.pdf"),
    ] {
        let mut pdf = Vec::new();
        write_pdf(
            &mut pdf,
            &common::sample(),
            &PdfOptions::new().locale(locale).paper(paper),
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-1."), "{name}");
        assert!(
            pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"),
            "{name}"
        );
        common::write_export(&format!("pdf/{name}"), &pdf);
    }
}

#[test]
fn a_facturx_reads_back_to_the_same_invoice_totals() {
    let invoice = common::sample();
    let mut pdf = Vec::new();
    write_facturx(&mut pdf, &invoice, &PdfOptions::new()).unwrap();
    common::write_export("facturx/sample.pdf", &pdf);
    let found = read_facturx(&pdf, &options()).unwrap();
    assert_eq!(found.file_name, "factur-x.xml");
    assert_eq!(found.profile, Some(FacturXProfile::En16931));
    assert_eq!(found.invoice.totals().unwrap(), invoice.totals().unwrap());
    // The same invoice gives the same bytes: no clock, no random id.
    let mut again = Vec::new();
    write_facturx(&mut again, &invoice, &PdfOptions::new()).unwrap();
    assert_eq!(again, pdf);
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
    assert!(text.contains("/AFRelationship/Alternative"));
}

#[test]
fn a_pdf_without_an_embedded_invoice_is_a_typed_error() {
    let mut pdf = Vec::new();
    write_pdf(&mut pdf, &common::sample(), &PdfOptions::new()).unwrap();
    assert!(matches!(
        read_facturx(&pdf, &options()),
        Err(Error::NotFacturX { .. })
    ));
    assert!(matches!(
        read_facturx(b"hello", &options()),
        Err(Error::NotFacturX { .. })
    ));
    let tight = options().with_limits(invoice_export::ReadLimits::new().with_max_bytes(100));
    assert!(matches!(
        read_facturx(&pdf, &tight),
        Err(Error::TooLarge { limit: 100 })
    ));
}
