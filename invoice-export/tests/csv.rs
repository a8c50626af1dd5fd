//! CSV: golden files for both shapes, formula neutralization, options, streaming.
#![cfg(feature = "csv")]

mod common;

use invoice_core::{Invoice, InvoiceBuilder, InvoiceId, LineItem, TenantId, UnitCode, Vat};
use invoice_export::{
    write_invoice_lines, write_invoices, CsvInvoiceWriter, CsvOptions, Delimiter, LineEnding,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

fn lines_csv(invoice: &Invoice, options: &CsvOptions) -> String {
    String::from_utf8(write_invoice_lines(Vec::new(), invoice, options).unwrap()).unwrap()
}

#[test]
fn invoice_lines_match_the_golden_file() {
    let out = write_invoice_lines(Vec::new(), &common::sample(), &CsvOptions::new()).unwrap();
    common::assert_golden("lines.csv", &out);
}

#[test]
fn invoice_list_matches_the_golden_file_with_semicolons() {
    let sample = common::sample();
    let mut draft = sample.clone();
    // A second row from a draft: no number, no issue date.
    draft = serde_json::from_value({
        let mut v = serde_json::to_value(&draft).unwrap();
        let obj = v.as_object_mut().unwrap();
        obj.remove("number");
        obj.remove("issue_date");
        obj.insert("status".into(), "draft".into());
        v
    })
    .unwrap();
    let options = CsvOptions::new().with_delimiter(Delimiter::Semicolon);
    let (out, rows) = write_invoices(Vec::new(), [&sample, &draft], &options).unwrap();
    assert_eq!(rows, 2);
    common::assert_golden("invoices.csv", &out);
}

#[test]
fn text_cells_that_start_a_formula_get_a_leading_quote() {
    let text = lines_csv(&common::sample(), &CsvOptions::new().without_bom());
    // Line 3 is named =HYPERLINK(...): neutralized, and quoted because it holds quotes.
    assert!(
        text.contains(r#","'=HYPERLINK(""http://evil.example"")","#),
        "{text}"
    );
    for start in ['=', '+', '-', '@', '\t', '\r'] {
        let name = format!("{start}cmd|' /C calc'!A0");
        let invoice = one_line(&name, dec!(1));
        let row = lines_csv(&invoice, &CsvOptions::new().without_bom().without_header());
        let cell = row.split(',').nth(2).unwrap();
        let cell = cell.trim_start_matches('"');
        assert!(cell.starts_with('\''), "{start:?} not neutralized: {row:?}");
    }
}

#[test]
fn negative_amounts_stay_numbers_but_text_that_looks_negative_is_neutralized() {
    // Amount cells come from decimals: never neutralized.
    let invoice = one_line("-12.50", dec!(-1));
    let row = lines_csv(&invoice, &CsvOptions::new().without_bom().without_header());
    assert_eq!(row, ",1,'-12.50,,-1,C62,12.50,1,S,19,-12.50,EUR\r\n");
    // The list shape too: a credit total is a plain negative number.
    let (out, _) = write_invoices(
        Vec::new(),
        [&invoice],
        &CsvOptions::new().without_bom().without_header(),
    )
    .unwrap();
    let row = String::from_utf8(out).unwrap();
    assert!(
        row.ends_with(",-12.50,-2.38,-14.88,-14.88,-14.88\r\n"),
        "{row}"
    );
}

#[test]
fn options_change_delimiter_bom_and_line_ending() {
    let invoice = one_line("Paper; A4, white", dec!(3));
    let text = lines_csv(
        &invoice,
        &CsvOptions::new()
            .with_delimiter(Delimiter::Semicolon)
            .with_line_ending(LineEnding::Lf),
    );
    assert!(text.starts_with("\u{feff}invoice_number;line_id;"));
    assert!(!text.contains('\r'));
    // The delimiter inside a cell forces quoting; the comma does not with `;`.
    assert!(text.contains(";\"Paper; A4, white\";"), "{text}");
    let comma = lines_csv(&invoice, &CsvOptions::new().without_bom());
    assert!(comma.starts_with("invoice_number,"));
    assert!(comma.contains(",\"Paper; A4, white\","), "{comma}");
    assert!(comma.ends_with("\r\n"));
}

#[test]
fn list_is_written_from_an_iterator_without_collecting_it() {
    // A lazy iterator that builds each invoice on demand and checks that the previous
    // row reached the writer before the next invoice is pulled.
    let base = one_line("Item", dec!(1));
    let mut writer = CsvInvoiceWriter::new(Vec::new(), &CsvOptions::new()).unwrap();
    for i in 0..1_000u32 {
        let mut invoice = base.clone();
        invoice = serde_json::from_value({
            let mut v = serde_json::to_value(&invoice).unwrap();
            v["buyer"]["name"] = format!("Buyer {i}").into();
            v
        })
        .unwrap();
        writer.write_invoice(&invoice).unwrap();
        assert_eq!(writer.rows(), u64::from(i) + 1);
    }
    let out = writer.finish().unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1_001);
    assert!(text.contains(",Buyer 999,"));
    let (_, rows) = write_invoices(
        std::io::sink(),
        (0..500).map(|_| base.clone()),
        &CsvOptions::new(),
    )
    .unwrap();
    assert_eq!(rows, 500);
}

#[test]
fn a_failing_writer_is_an_io_error() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let result = write_invoice_lines(Broken, &common::sample(), &CsvOptions::new());
    assert!(matches!(result, Err(invoice_export::Error::Io { .. })));
}

fn one_line(name: &str, quantity: rust_decimal::Decimal) -> Invoice {
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::from_u128(9)),
        TenantId::new("t").unwrap(),
        invoice_core::Currency::EUR,
        common::seller(),
        common::buyer(),
    )
    .line(LineItem::new(
        "1",
        name,
        quantity,
        UnitCode::piece(),
        dec!(12.50),
        Vat::standard(dec!(19)),
    ))
    .build()
    .unwrap()
}
