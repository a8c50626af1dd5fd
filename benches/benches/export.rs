//! `export`: writing invoices as CSV, UBL and CII, and reading UBL and CII back.
//!
//! Groups, each with its baseline on the same inputs:
//! - `export_csv`, 100 000 invoice rows pulled from an iterator (256 distinct invoices,
//!   cycled): `ours` is `invoice_export::write_invoices`; `baseline` writes the same
//!   columns with the bare `csv` crate (no formula neutralization, no amount padding).
//!   Both compute each invoice's totals, since the row carries them.
//! - `export_ubl` and `export_cii`, one invoice of 1 000 lines: `ours` is `write_ubl` /
//!   `write_cii` (totals computed inside, as the call must); `floor` writes the same
//!   elements with `write!` into a `String`, text escaped, totals computed by the same
//!   `invoice.totals()`, nothing else checked; `en16931-formats` is the Rust peer's
//!   `write_unchecked` on its own model of the same invoice (read from our output in
//!   untimed setup).
//! - `import_ubl` and `import_cii`: `ours` is `read_ubl` / `read_cii` on the 1 000-line
//!   document through `io::Read` (which must copy it); `ours-slice` is `read_ubl_slice` /
//!   `read_cii_slice` on the same bytes in memory (no copy); `en16931-formats` is the
//!   peer's `read` on the same bytes;
//!   `quick-xml-events` only pulls every event of it from quick-xml, keeping nothing: what
//!   any reader built on that parser pays before it does anything.
//!
//! Run: `cargo bench -p invoice-benches --bench export`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use invoice_core::{
    Address, AllowanceCharge, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId,
    InvoiceNumber, LineItem, Party, TenantId, Totals, UnitCode, Vat,
};
use invoice_export::{
    read_cii, read_cii_slice, read_ubl, read_ubl_slice, write_cii, write_invoices, write_ubl,
    CsvOptions, ImportOptions,
};
use rust_decimal::Decimal;

const CSV_ROWS: usize = 100_000;
const LINES: usize = 1_000;

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

/// An issued invoice with `lines` lines at 19 % and 7 %, and a document charge.
fn invoice(seq: usize, lines: usize) -> Invoice {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    InvoiceBuilder::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(seq as u128)),
        TenantId::new("bench").unwrap(),
        Currency::EUR,
        party("Muster GmbH"),
        party(&format!("Kunde & Söhne {seq} AG")),
    )
    .issued(InvoiceNumber::new(format!("INV-{seq:06}")).unwrap(), date)
    .due_date(date)
    .payment_terms("30 days net")
    .lines((0..lines).map(|i| {
        let i64 = i as i64;
        LineItem::new(
            (i + 1).to_string(),
            format!("Item <{i}> & more"),
            Decimal::new((i64 % 97 + 1) * 25, 1),
            UnitCode::piece(),
            Decimal::new((i64 * 7_919 + seq as i64) % 99_991 + 1_999, 3),
            Vat::standard(Decimal::new(if i % 3 == 0 { 7 } else { 19 }, 0)),
        )
    }))
    .allowance_charge(
        AllowanceCharge::charge(Decimal::new(500, 2))
            .with_vat(Vat::standard(Decimal::new(19, 0)))
            .with_reason("Freight"),
    )
    .build()
    .unwrap()
}

/// The baseline CSV: the same columns through the bare `csv` crate.
fn csv_baseline<'a>(invoices: impl Iterator<Item = &'a Invoice>, out: Vec<u8>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(invoice_export::INVOICE_COLUMNS).unwrap();
    let mut buf = String::new();
    for invoice in invoices {
        let t = invoice.totals().unwrap();
        let due = t.payable_amount() - invoice.amount_paid().unwrap();
        w.write_field(invoice.number().map(|n| n.as_str()).unwrap_or_default())
            .unwrap();
        for value in [
            invoice.kind().type_code().to_string(),
            invoice.status().to_string(),
            invoice
                .issue_date()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            invoice
                .due_date()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ] {
            w.write_field(value).unwrap();
        }
        w.write_field(invoice.seller().name()).unwrap();
        w.write_field(invoice.buyer().name()).unwrap();
        w.write_field(invoice.buyer_reference().unwrap_or_default())
            .unwrap();
        w.write_field(invoice.currency().code()).unwrap();
        for amount in [
            t.line_extension_amount(),
            t.allowance_total(),
            t.charge_total(),
            t.tax_exclusive_amount(),
            t.tax_total(),
            t.tax_inclusive_amount(),
            t.payable_amount(),
            due,
        ] {
            buf.clear();
            write!(buf, "{amount}").unwrap();
            w.write_field(&buf).unwrap();
        }
        w.write_record(None::<&[u8]>).unwrap();
    }
    w.into_inner().unwrap()
}

fn export_csv(c: &mut Criterion) {
    let invoices: Vec<Invoice> = (0..256).map(|i| invoice(i, 1 + i % 3)).collect();
    let rows = || (0..CSV_ROWS).map(|i| &invoices[i % invoices.len()]);
    let options = CsvOptions::new();
    let ours = write_invoices(Vec::new(), rows(), &options).unwrap().0;
    let baseline = csv_baseline(rows(), Vec::new());
    // Same rows: ours adds a BOM, pads amounts to two decimals and quotes formula starts.
    let lines = |b: &[u8]| b.split(|&c| c == b'\n').count();
    assert_eq!(lines(&ours), lines(&baseline));

    let mut group = c.benchmark_group("export_csv");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CSV_ROWS as u64));
    group.bench_with_input(BenchmarkId::new("ours", CSV_ROWS), &CSV_ROWS, |b, _| {
        b.iter(|| {
            let out = Vec::with_capacity(ours.len());
            black_box(write_invoices(out, black_box(rows()), &options).unwrap())
        })
    });
    group.bench_with_input(BenchmarkId::new("baseline", CSV_ROWS), &CSV_ROWS, |b, _| {
        b.iter(|| {
            black_box(csv_baseline(
                black_box(rows()),
                Vec::with_capacity(baseline.len()),
            ))
        })
    });
    group.finish();
}

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::partial_escape(s)
}

/// The UBL floor: the same elements with `write!`, text escaped, nothing checked.
fn ubl_floor(invoice: &Invoice) -> String {
    let t: Totals = invoice.totals().unwrap();
    let cur = invoice.currency().code();
    let mut s = String::with_capacity(512 * invoice.lines().len() + 4096);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n");
    let _ = write!(s, "  <cbc:CustomizationID>{}</cbc:CustomizationID>\n  <cbc:ProfileID>{}</cbc:ProfileID>\n  <cbc:ID>{}</cbc:ID>\n  <cbc:IssueDate>{}</cbc:IssueDate>\n  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n  <cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>\n",
        invoice_export::UBL_CUSTOMIZATION_ID, invoice_export::UBL_PROFILE_ID,
        esc(invoice.number().unwrap().as_str()), invoice.issue_date().unwrap());
    for (tag, p) in [
        ("AccountingSupplierParty", invoice.seller()),
        ("AccountingCustomerParty", invoice.buyer()),
    ] {
        let a = p.address();
        let _ = write!(s, "  <cac:{tag}>\n    <cac:Party>\n      <cac:PostalAddress>\n        <cbc:StreetName>{}</cbc:StreetName>\n        <cbc:CityName>{}</cbc:CityName>\n        <cbc:PostalZone>{}</cbc:PostalZone>\n        <cac:Country>\n          <cbc:IdentificationCode>{}</cbc:IdentificationCode>\n        </cac:Country>\n      </cac:PostalAddress>\n      <cac:PartyTaxScheme>\n        <cbc:CompanyID>{}</cbc:CompanyID>\n        <cac:TaxScheme>\n          <cbc:ID>VAT</cbc:ID>\n        </cac:TaxScheme>\n      </cac:PartyTaxScheme>\n      <cac:PartyLegalEntity>\n        <cbc:RegistrationName>{}</cbc:RegistrationName>\n      </cac:PartyLegalEntity>\n    </cac:Party>\n  </cac:{tag}>\n",
            esc(&a.lines()[0]), esc(a.city().unwrap()), esc(a.postal_code().unwrap()), a.country(), esc(p.vat_id().unwrap()), esc(p.name()));
    }
    let _ = write!(
        s,
        "  <cac:PaymentTerms>\n    <cbc:Note>{}</cbc:Note>\n  </cac:PaymentTerms>\n",
        esc(invoice.payment_terms().unwrap())
    );
    let _ = write!(
        s,
        "  <cac:TaxTotal>\n    <cbc:TaxAmount currencyID=\"{cur}\">{}</cbc:TaxAmount>\n",
        t.tax_total()
    );
    for row in t.vat_breakdown() {
        let _ = write!(s, "    <cac:TaxSubtotal>\n      <cbc:TaxableAmount currencyID=\"{cur}\">{}</cbc:TaxableAmount>\n      <cbc:TaxAmount currencyID=\"{cur}\">{}</cbc:TaxAmount>\n      <cac:TaxCategory>\n        <cbc:ID>{}</cbc:ID>\n        <cbc:Percent>{}</cbc:Percent>\n        <cac:TaxScheme>\n          <cbc:ID>VAT</cbc:ID>\n        </cac:TaxScheme>\n      </cac:TaxCategory>\n    </cac:TaxSubtotal>\n",
            row.taxable_amount(), row.tax_amount(), row.category(), row.rate());
    }
    let _ = write!(s, "  </cac:TaxTotal>\n  <cac:LegalMonetaryTotal>\n    <cbc:LineExtensionAmount currencyID=\"{cur}\">{}</cbc:LineExtensionAmount>\n    <cbc:TaxExclusiveAmount currencyID=\"{cur}\">{}</cbc:TaxExclusiveAmount>\n    <cbc:TaxInclusiveAmount currencyID=\"{cur}\">{}</cbc:TaxInclusiveAmount>\n    <cbc:ChargeTotalAmount currencyID=\"{cur}\">{}</cbc:ChargeTotalAmount>\n    <cbc:PayableAmount currencyID=\"{cur}\">{}</cbc:PayableAmount>\n  </cac:LegalMonetaryTotal>\n",
        t.line_extension_amount(), t.tax_exclusive_amount(), t.tax_inclusive_amount(), t.charge_total(), t.payable_amount());
    for (line, net) in invoice.lines().iter().zip(t.line_net_amounts()) {
        let _ = write!(s, "  <cac:InvoiceLine>\n    <cbc:ID>{}</cbc:ID>\n    <cbc:InvoicedQuantity unitCode=\"{}\">{}</cbc:InvoicedQuantity>\n    <cbc:LineExtensionAmount currencyID=\"{cur}\">{net}</cbc:LineExtensionAmount>\n    <cac:Item>\n      <cbc:Name>{}</cbc:Name>\n      <cac:ClassifiedTaxCategory>\n        <cbc:ID>{}</cbc:ID>\n        <cbc:Percent>{}</cbc:Percent>\n        <cac:TaxScheme>\n          <cbc:ID>VAT</cbc:ID>\n        </cac:TaxScheme>\n      </cac:ClassifiedTaxCategory>\n    </cac:Item>\n    <cac:Price>\n      <cbc:PriceAmount currencyID=\"{cur}\">{}</cbc:PriceAmount>\n    </cac:Price>\n  </cac:InvoiceLine>\n",
            esc(line.id()), line.unit(), line.quantity(), esc(line.name()), line.vat().category(), line.vat().rate(), line.price());
    }
    s.push_str("</Invoice>\n");
    s
}

/// The CII floor: the same elements with `write!`, text escaped, nothing checked.
fn cii_floor(invoice: &Invoice) -> String {
    let t: Totals = invoice.totals().unwrap();
    let mut s = String::with_capacity(900 * invoice.lines().len() + 4096);
    let _ = write!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\" xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\" xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\">\n  <rsm:ExchangedDocumentContext>\n    <ram:GuidelineSpecifiedDocumentContextParameter>\n      <ram:ID>{}</ram:ID>\n    </ram:GuidelineSpecifiedDocumentContextParameter>\n  </rsm:ExchangedDocumentContext>\n  <rsm:ExchangedDocument>\n    <ram:ID>{}</ram:ID>\n    <ram:TypeCode>380</ram:TypeCode>\n    <ram:IssueDateTime>\n      <udt:DateTimeString format=\"102\">{}</udt:DateTimeString>\n    </ram:IssueDateTime>\n  </rsm:ExchangedDocument>\n  <rsm:SupplyChainTradeTransaction>\n",
        invoice_export::CII_GUIDELINE_ID, esc(invoice.number().unwrap().as_str()), invoice.issue_date().unwrap().format("%Y%m%d"));
    for (line, net) in invoice.lines().iter().zip(t.line_net_amounts()) {
        let _ = write!(s, "    <ram:IncludedSupplyChainTradeLineItem>\n      <ram:AssociatedDocumentLineDocument>\n        <ram:LineID>{}</ram:LineID>\n      </ram:AssociatedDocumentLineDocument>\n      <ram:SpecifiedTradeProduct>\n        <ram:Name>{}</ram:Name>\n      </ram:SpecifiedTradeProduct>\n      <ram:SpecifiedLineTradeAgreement>\n        <ram:NetPriceProductTradePrice>\n          <ram:ChargeAmount>{}</ram:ChargeAmount>\n        </ram:NetPriceProductTradePrice>\n      </ram:SpecifiedLineTradeAgreement>\n      <ram:SpecifiedLineTradeDelivery>\n        <ram:BilledQuantity unitCode=\"{}\">{}</ram:BilledQuantity>\n      </ram:SpecifiedLineTradeDelivery>\n      <ram:SpecifiedLineTradeSettlement>\n        <ram:ApplicableTradeTax>\n          <ram:TypeCode>VAT</ram:TypeCode>\n          <ram:CategoryCode>{}</ram:CategoryCode>\n          <ram:RateApplicablePercent>{}</ram:RateApplicablePercent>\n        </ram:ApplicableTradeTax>\n        <ram:SpecifiedTradeSettlementLineMonetarySummation>\n          <ram:LineTotalAmount>{net}</ram:LineTotalAmount>\n        </ram:SpecifiedTradeSettlementLineMonetarySummation>\n      </ram:SpecifiedLineTradeSettlement>\n    </ram:IncludedSupplyChainTradeLineItem>\n",
            esc(line.id()), esc(line.name()), line.price(), line.unit(), line.quantity(), line.vat().category(), line.vat().rate());
    }
    s.push_str("    <ram:ApplicableHeaderTradeAgreement>\n");
    for (tag, p) in [
        ("SellerTradeParty", invoice.seller()),
        ("BuyerTradeParty", invoice.buyer()),
    ] {
        let a = p.address();
        let _ = write!(s, "      <ram:{tag}>\n        <ram:Name>{}</ram:Name>\n        <ram:PostalTradeAddress>\n          <ram:PostcodeCode>{}</ram:PostcodeCode>\n          <ram:LineOne>{}</ram:LineOne>\n          <ram:CityName>{}</ram:CityName>\n          <ram:CountryID>{}</ram:CountryID>\n        </ram:PostalTradeAddress>\n        <ram:SpecifiedTaxRegistration>\n          <ram:ID schemeID=\"VA\">{}</ram:ID>\n        </ram:SpecifiedTaxRegistration>\n      </ram:{tag}>\n",
            esc(p.name()), esc(a.postal_code().unwrap()), esc(&a.lines()[0]), esc(a.city().unwrap()), a.country(), esc(p.vat_id().unwrap()));
    }
    let _ = write!(s, "    </ram:ApplicableHeaderTradeAgreement>\n    <ram:ApplicableHeaderTradeDelivery>\n    </ram:ApplicableHeaderTradeDelivery>\n    <ram:ApplicableHeaderTradeSettlement>\n      <ram:InvoiceCurrencyCode>{}</ram:InvoiceCurrencyCode>\n", invoice.currency());
    for row in t.vat_breakdown() {
        let _ = write!(s, "      <ram:ApplicableTradeTax>\n        <ram:CalculatedAmount>{}</ram:CalculatedAmount>\n        <ram:TypeCode>VAT</ram:TypeCode>\n        <ram:BasisAmount>{}</ram:BasisAmount>\n        <ram:CategoryCode>{}</ram:CategoryCode>\n        <ram:RateApplicablePercent>{}</ram:RateApplicablePercent>\n      </ram:ApplicableTradeTax>\n",
            row.tax_amount(), row.taxable_amount(), row.category(), row.rate());
    }
    let _ = write!(s, "      <ram:SpecifiedTradePaymentTerms>\n        <ram:Description>{}</ram:Description>\n      </ram:SpecifiedTradePaymentTerms>\n      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>\n        <ram:LineTotalAmount>{}</ram:LineTotalAmount>\n        <ram:ChargeTotalAmount>{}</ram:ChargeTotalAmount>\n        <ram:TaxBasisTotalAmount>{}</ram:TaxBasisTotalAmount>\n        <ram:TaxTotalAmount currencyID=\"{}\">{}</ram:TaxTotalAmount>\n        <ram:GrandTotalAmount>{}</ram:GrandTotalAmount>\n        <ram:DuePayableAmount>{}</ram:DuePayableAmount>\n      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>\n    </ram:ApplicableHeaderTradeSettlement>\n  </rsm:SupplyChainTradeTransaction>\n</rsm:CrossIndustryInvoice>\n",
        esc(invoice.payment_terms().unwrap()), t.line_extension_amount(), t.charge_total(), t.tax_exclusive_amount(), invoice.currency(), t.tax_total(), t.tax_inclusive_amount(), t.payable_amount());
    s
}

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(uuid::Uuid::nil()),
        TenantId::new("bench").unwrap(),
    )
}

fn export_xml(c: &mut Criterion) {
    let invoice = invoice(1, LINES);
    for (name, ours, floor, syntax) in [
        (
            "export_ubl",
            write_ubl::<Vec<u8>> as fn(Vec<u8>, &Invoice) -> invoice_export::Result<Vec<u8>>,
            ubl_floor as fn(&Invoice) -> String,
            en16931_formats::Syntax::Ubl,
        ),
        (
            "export_cii",
            write_cii::<Vec<u8>>,
            cii_floor,
            en16931_formats::Syntax::Cii,
        ),
    ] {
        let our_bytes = ours(Vec::new(), &invoice).unwrap();
        let peer_invoice = en16931_formats::read(&our_bytes).unwrap().invoice;
        let peer_bytes = en16931_formats::write_unchecked(&peer_invoice, syntax)
            .unwrap()
            .xml;
        let floor_bytes = floor(&invoice);
        eprintln!(
            "{name}: {} bytes ours, {} floor, {} en16931-formats",
            our_bytes.len(),
            floor_bytes.len(),
            peer_bytes.len()
        );
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(LINES as u64));
        group.bench_with_input(BenchmarkId::new("ours", LINES), &invoice, |b, inv| {
            b.iter(|| black_box(ours(Vec::with_capacity(our_bytes.len()), black_box(inv)).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("floor", LINES), &invoice, |b, inv| {
            b.iter(|| black_box(floor(black_box(inv))))
        });
        group.bench_with_input(
            BenchmarkId::new("en16931-formats", LINES),
            &peer_invoice,
            |b, inv| {
                b.iter(|| {
                    black_box(en16931_formats::write_unchecked(black_box(inv), syntax).unwrap())
                })
            },
        );
        group.finish();
    }
}

fn import_xml(c: &mut Criterion) {
    let invoice = invoice(1, LINES);
    let ubl = write_ubl(Vec::new(), &invoice).unwrap();
    let cii = write_cii(Vec::new(), &invoice).unwrap();
    type Reader = fn(&[u8], &ImportOptions) -> invoice_export::Result<Invoice>;
    let read_u: Reader = |b, o| read_ubl(b, o);
    let read_c: Reader = |b, o| read_cii(b, o);
    for (name, bytes, ours, slice) in [
        ("import_ubl", &ubl, read_u, read_ubl_slice as Reader),
        ("import_cii", &cii, read_c, read_cii_slice as Reader),
    ] {
        assert_eq!(
            ours(bytes, &options()).unwrap().totals().unwrap(),
            invoice.totals().unwrap()
        );
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(LINES as u64));
        assert_eq!(
            slice(bytes, &options()).unwrap(),
            ours(bytes, &options()).unwrap()
        );
        group.bench_with_input(BenchmarkId::new("ours", LINES), bytes, |b, bytes| {
            b.iter(|| black_box(ours(black_box(bytes), &options()).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("ours-slice", LINES), bytes, |b, bytes| {
            b.iter(|| black_box(slice(black_box(bytes), &options()).unwrap()))
        });
        group.bench_with_input(
            BenchmarkId::new("en16931-formats", LINES),
            bytes,
            |b, bytes| b.iter(|| black_box(en16931_formats::read(black_box(bytes)).unwrap())),
        );
        group.bench_with_input(
            BenchmarkId::new("quick-xml-events", LINES),
            bytes,
            |b, bytes| b.iter(|| black_box(quick_xml_events(black_box(bytes)))),
        );
        group.finish();
    }
}

/// The reading floor of a pull parser: every event of the document taken from quick-xml
/// and counted, nothing kept, nothing checked beyond what quick-xml checks itself.
fn quick_xml_events(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut events = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => return events,
            _ => events += 1,
        }
    }
}

criterion_group!(benches, export_csv, export_xml, import_xml);
criterion_main!(benches);
