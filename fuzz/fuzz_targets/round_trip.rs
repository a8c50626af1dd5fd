//! Valid invoices made from the fuzz bytes, written and read back: UBL and CII give the
//! same invoice as far as a document carries it (the round-trip proptest's comparison),
//! JSON gives it exactly, and the CSV rows read back with the `csv` crate hold every
//! text cell unchanged, but for a leading `'` before a cell that would start a formula.
//! A writer may refuse an invoice only with `Error::InvalidValue`, for a character XML 1.0
//! cannot carry or for lines of one VAT group that state different exemption reasons.
#![no_main]

use arbitrary::Unstructured;
use invoice_core::{Decimal, Invoice, InvoiceId, TenantId};
use invoice_export::{
    read_cii_slice, read_invoice_json, read_ubl_slice, write_cii, write_invoice_json,
    write_invoice_lines, write_invoices, write_ubl, CsvOptions, Error, ImportOptions,
    INVOICE_COLUMNS, LINE_COLUMNS,
};
use invoice_fuzz::generate::{self, ID};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(Some(invoice)) = generate::invoice(&mut u) else {
        return;
    };
    let options = ImportOptions::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(ID)),
        TenantId::new("fuzz").unwrap(),
    );
    xml(&invoice, "UBL", write_ubl(Vec::new(), &invoice), |b| {
        read_ubl_slice(b, &options)
    });
    xml(&invoice, "CII", write_cii(Vec::new(), &invoice), |b| {
        read_cii_slice(b, &options)
    });
    let mut json = Vec::new();
    write_invoice_json(&mut json, &invoice).unwrap();
    assert_eq!(read_invoice_json(json.as_slice()).unwrap(), invoice, "JSON");
    csv(&invoice);
});

fn xml(
    invoice: &Invoice,
    syntax: &str,
    written: invoice_export::Result<Vec<u8>>,
    read: impl Fn(&[u8]) -> invoice_export::Result<Invoice>,
) {
    match written {
        Ok(bytes) => {
            let back = read(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{syntax}: its own export does not read back: {e:?}\n{}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            if let Err(difference) = invoice_fuzz::stated::compare(invoice, &back) {
                panic!("{syntax}: {difference}");
            }
        }
        Err(Error::InvalidValue { reason, .. }) if reason.contains("cannot be written in XML") => {
            assert!(
                invoice_text(invoice).chars().any(|c| !is_xml_char(c)),
                "{syntax}: refused without a character XML cannot carry: {reason}"
            );
        }
        Err(Error::InvalidValue { reason, .. }) if reason.contains("one per group") => {
            assert!(
                differing_exemptions(invoice),
                "{syntax}: refused for exemptions that agree: {reason}"
            );
        }
        Err(e) => panic!("{syntax}: a valid invoice is refused: {e:?}"),
    }
}

/// Whether two lines or document allowances and charges of one VAT group (category and
/// rate) state different exemptions, which a document cannot carry.
fn differing_exemptions(invoice: &Invoice) -> bool {
    let stated: Vec<_> = invoice
        .lines()
        .iter()
        .filter_map(|l| Some((l.vat(), l.exemption()?)))
        .chain(
            invoice
                .allowances_charges()
                .iter()
                .filter_map(|ac| Some((ac.vat()?, ac.exemption()?))),
        )
        .collect();
    stated.iter().any(|(v, e)| {
        stated
            .iter()
            .any(|(w, f)| v.category() == w.category() && v.rate() == w.rate() && e != f)
    })
}

/// The invoice's JSON, where all its text is.
fn invoice_text(invoice: &Invoice) -> String {
    let value = serde_json::to_value(invoice).unwrap();
    let mut out = String::new();
    collect(&value, &mut out);
    out
}

fn collect(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => out.push_str(s),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A text cell as the writer must give it.
fn neutralized(text: &str) -> String {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn rows(bytes: &[u8], columns: &[&str]) -> Vec<csv::StringRecord> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    assert_eq!(reader.headers().unwrap(), columns);
    reader.records().map(|r| r.expect("a CSV row")).collect()
}

fn csv(invoice: &Invoice) {
    let totals = invoice.totals().unwrap();
    let lines = write_invoice_lines(Vec::new(), invoice, &CsvOptions::new()).unwrap();
    let lines = rows(&lines, &LINE_COLUMNS);
    assert_eq!(lines.len(), invoice.lines().len());
    for ((row, line), net) in lines
        .iter()
        .zip(invoice.lines())
        .zip(totals.line_net_amounts())
    {
        assert_eq!(&row[2], neutralized(line.name()), "line name");
        assert_eq!(
            &row[3],
            neutralized(line.description().unwrap_or("")),
            "description"
        );
        assert_eq!(row[10].parse::<Decimal>().unwrap(), *net, "line net");
    }
    let (out, count) = write_invoices(Vec::new(), [invoice], &CsvOptions::new()).unwrap();
    assert_eq!(count, 1);
    let rows = rows(&out, &INVOICE_COLUMNS);
    let row = &rows[0];
    let number = invoice.number().map(|n| n.as_str()).unwrap_or("");
    assert_eq!(&row[0], neutralized(number), "number");
    assert_eq!(&row[5], neutralized(invoice.seller().name()), "seller");
    assert_eq!(&row[6], neutralized(invoice.buyer().name()), "buyer");
    assert_eq!(
        &row[7],
        neutralized(invoice.buyer_reference().unwrap_or("")),
        "buyer reference"
    );
    assert_eq!(
        row[15].parse::<Decimal>().unwrap(),
        totals.payable_amount(),
        "payable"
    );
}
