//! `pdf`: rendering invoices as PDF and as Factur-X.
//!
//! One group, `pdf`, each input with its floor in the same run:
//! - `ours/10` and `ours/1000`: `invoice_export::write_pdf` on an invoice of 10 and of
//!   1 000 lines (layout, pagination, totals, drawing, font subsetting, compression);
//! - `facturx/10`: `write_facturx` on the 10-line invoice (the same plus the CII, PDF/A-3b
//!   and the XMP update);
//! - `floor/10` and `floor/1000`: the same text (each line's cells, the totals) drawn by
//!   the same library, krilla, in the same fonts (a bold header on each page, the rest
//!   regular), through its own `draw_text`, at fixed positions, 50 lines a page, with no
//!   measuring, wrapping or layout: what any renderer on krilla pays.
//!
//! Run: `cargo bench -p invoice-benches --bench pdf`.

// Page positions are points, as floats; no amount is computed with them.
#![allow(clippy::float_arithmetic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use invoice_core::{
    Address, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId, InvoiceNumber, LineItem,
    Party, TenantId, UnitCode, Vat,
};
use invoice_export::{write_facturx, write_pdf, PdfOptions};
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use rust_decimal::Decimal;

fn party(name: &str) -> Party {
    Party::new(
        name,
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Hauptstraße 1")
            .with_city("Berlin")
            .with_postal_code("10115"),
    )
    .with_vat_id("DE123456789")
}

/// An issued invoice of `lines` lines at 19 % and 7 %.
fn invoice(lines: usize) -> Invoice {
    let mut builder = InvoiceBuilder::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(1)),
        TenantId::new("bench").unwrap(),
        Currency::EUR,
        party("Muster GmbH"),
        party("Kunde & Söhne AG"),
    )
    .issued(
        InvoiceNumber::new("INV-2026-00042").unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    );
    for i in 0..lines {
        let rate = if i % 3 == 0 { 7 } else { 19 };
        builder = builder.line(LineItem::new(
            (i + 1).to_string(),
            format!("Consulting, work package {i}"),
            Decimal::new(i64::try_from(i % 9 + 1).unwrap(), 0),
            UnitCode::hour(),
            Decimal::new(12_050, 2),
            Vat::standard(Decimal::new(rate, 0)),
        ));
    }
    builder.build().unwrap()
}

/// The floor: every line's text and the totals, drawn by krilla at fixed positions.
fn floor(invoice: &Invoice, font: &Font, bold: &Font) -> Vec<u8> {
    let totals = invoice.totals().unwrap();
    let mut document = Document::new();
    let lines: Vec<String> = invoice
        .lines()
        .iter()
        .zip(totals.line_net_amounts())
        .map(|(l, net)| {
            format!(
                "{} {} {} {} {} {} {}",
                l.id(),
                l.name(),
                l.quantity(),
                l.unit().as_str(),
                l.price(),
                l.vat().rate(),
                net
            )
        })
        .chain(std::iter::once(format!(
            "Amount due {}",
            totals.payable_amount()
        )))
        .collect();
    for chunk in lines.chunks(50) {
        let mut page = document.start_page_with(PageSettings::from_wh(595.0, 842.0).unwrap());
        let mut surface = page.surface();
        surface.draw_text(
            Point::from_xy(48.0, 44.0),
            bold.clone(),
            8.5,
            "# Description Quantity Unit price VAT Net",
            false,
            TextDirection::Auto,
        );
        for (row, text) in chunk.iter().enumerate() {
            let y = 60.0 + 14.0 * f32::from(u8::try_from(row).unwrap());
            surface.draw_text(
                Point::from_xy(48.0, y),
                font.clone(),
                8.5,
                text,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().unwrap()
}

fn pdf(c: &mut Criterion) {
    let font = Font::new(dejavu::sans::regular().into(), 0).unwrap();
    let bold = Font::new(dejavu::sans::bold().into(), 0).unwrap();
    let options = PdfOptions::new();
    let mut group = c.benchmark_group("pdf");
    for lines in [10, 1_000] {
        let invoice = invoice(lines);
        group.bench_with_input(BenchmarkId::new("ours", lines), &invoice, |b, invoice| {
            b.iter(|| {
                let mut out = Vec::new();
                write_pdf(&mut out, black_box(invoice), &options).unwrap();
                out
            })
        });
        group.bench_with_input(BenchmarkId::new("floor", lines), &invoice, |b, invoice| {
            b.iter(|| floor(black_box(invoice), &font, &bold))
        });
        if lines == 10 {
            group.bench_with_input(
                BenchmarkId::new("facturx", lines),
                &invoice,
                |b, invoice| {
                    b.iter(|| {
                        let mut out = Vec::new();
                        write_facturx(&mut out, black_box(invoice), &options).unwrap();
                        out
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);
