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

/// Examples whose CII the Factur-X profile's own code lists refuse (see `tests/sweep.rs`):
/// their Factur-X go to `facturx/en16931-profile/`, checked under plain EN 16931.
const FACTUR_X_REFUSES: [&str; 2] = [
    "cen/ubl/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml",
    "cen/cii/XRechnung-O.xml",
];

/// Every official example renders to PDF (in a locale each, turn by turn) and to
/// Factur-X, and each Factur-X reads back to the same totals. The files go to the
/// export folder, where `.ci/run` checks them with qpdf, poppler, the Python `factur-x`
/// package and the EN 16931 validator.
#[test]
fn every_official_example_renders_and_makes_a_facturx_that_reads_back() {
    let Some(examples) = common::test_data::en16931_examples(
        "every_official_example_renders_and_makes_a_facturx_that_reads_back",
    ) else {
        return;
    };
    let expected = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../invoice-core/tests/data/expected-totals.json"
    );
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
    let locales = [Locale::En, Locale::De, Locale::Fr];
    let mut count = 0;
    for (index, (file, entry)) in all["invoices"].as_object().unwrap().iter().enumerate() {
        let bytes = std::fs::read(examples.join(file)).unwrap();
        let invoice = if entry["syntax"] == "cii" {
            invoice_export::read_cii_slice(&bytes, &options())
        } else {
            invoice_export::read_ubl_slice(&bytes, &options())
        }
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        let stem = std::path::Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace([' ', ','], "_");
        let pdf_options = PdfOptions::new().locale(locales[index % 3]);
        let mut pdf = Vec::new();
        write_pdf(&mut pdf, &invoice, &pdf_options)
            .unwrap_or_else(|e| panic!("{file}: {e}: {:?}", std::error::Error::source(&e)));
        common::write_export(&format!("pdf/{stem}.pdf"), &pdf);
        let mut facturx = Vec::new();
        write_facturx(&mut facturx, &invoice, &pdf_options)
            .unwrap_or_else(|e| panic!("{file}: {e}: {:?}", std::error::Error::source(&e)));
        let folder = if FACTUR_X_REFUSES.contains(&file.as_str()) {
            "facturx/en16931-profile"
        } else {
            "facturx"
        };
        common::write_export(&format!("{folder}/{stem}.pdf"), &facturx);
        let back = read_facturx(&facturx, &options()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            back.invoice.totals().unwrap(),
            invoice.totals().unwrap(),
            "{file}"
        );
        count += 1;
    }
    assert_eq!(count, 34);
}

/// 1 000 lines render, on more than 20 pages (each a `/Type/Page` object).
#[test]
fn a_thousand_lines_render_on_many_pages() {
    use invoice_core::{InvoiceBuilder, LineItem, UnitCode, Vat};
    use rust_decimal_macros::dec;
    let sample = common::sample();
    let mut builder = InvoiceBuilder::new(
        sample.id(),
        sample.tenant().clone(),
        sample.currency(),
        sample.seller().clone(),
        sample.buyer().clone(),
    )
    .issued(
        sample.number().unwrap().clone(),
        sample.issue_date().unwrap(),
    );
    for i in 1..=1000 {
        let vat = if i % 4 == 0 { dec!(7) } else { dec!(19) };
        builder = builder.line(LineItem::new(
            i.to_string(),
            format!("Work package {i}"),
            dec!(1.5),
            UnitCode::hour(),
            dec!(95.00),
            Vat::standard(vat),
        ));
    }
    let invoice = builder.build().unwrap();
    let mut pdf = Vec::new();
    write_pdf(&mut pdf, &invoice, &PdfOptions::new()).unwrap();
    // Page objects: `/Type/Page`, not the page tree's `/Type/Pages`.
    let pages = pdf
        .windows(11)
        .filter(|w| &w[..10] == b"/Type/Page" && w[10] != b's')
        .count();
    assert!(pages > 20, "{pages} pages");
    common::write_export("pdf/long-1000.pdf", &pdf);
}

/// Damaged Factur-X files (truncated anywhere, bytes overwritten) give an invoice or a
/// typed error, never a panic.
#[test]
fn damaged_facturx_files_never_panic() {
    let mut pdf = Vec::new();
    write_facturx(&mut pdf, &common::sample(), &PdfOptions::new()).unwrap();
    for cut in (0..pdf.len()).step_by(97) {
        let _ = read_facturx(&pdf[..cut], &options());
    }
    let mut state = 0x2545_f491_u32;
    for _ in 0..300 {
        let mut damaged = pdf.clone();
        for _ in 0..8 {
            // xorshift: a fixed, repeatable sequence.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = usize::try_from(state).unwrap() % damaged.len();
            damaged[at] = u8::try_from(state >> 24).unwrap();
        }
        let _ = read_facturx(&damaged, &options());
    }
}

/// EXTENDED holds every invoice the model holds; the subsets of EN 16931 are refused.
#[test]
fn a_facturx_in_the_extended_profile_reads_back_and_basic_is_refused() {
    use invoice_export::write_facturx_profile;
    let invoice = common::sample();
    let mut pdf = Vec::new();
    write_facturx_profile(
        &mut pdf,
        &invoice,
        &PdfOptions::new(),
        FacturXProfile::Extended,
    )
    .unwrap();
    common::write_export("facturx-extended/sample.pdf", &pdf);
    let found = read_facturx(&pdf, &options()).unwrap();
    assert_eq!(found.profile, Some(FacturXProfile::Extended));
    assert_eq!(found.invoice.totals().unwrap(), invoice.totals().unwrap());
    assert!(String::from_utf8_lossy(&pdf).contains("<fx:ConformanceLevel>EXTENDED<"));
    for profile in [FacturXProfile::Basic, FacturXProfile::XRechnung] {
        assert!(matches!(
            write_facturx_profile(Vec::new(), &invoice, &PdfOptions::new(), profile),
            Err(Error::InvalidValue { .. })
        ));
    }
}
