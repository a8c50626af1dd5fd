//! JSON: the wire format is pinned by a golden file and round-trips.
#![cfg(feature = "json")]

mod common;

use invoice_export::{
    read_invoice_json, write_invoice_json, write_invoice_json_pretty, write_invoices_jsonl,
};

#[test]
fn invoice_json_matches_the_golden_file() {
    let mut out = Vec::new();
    write_invoice_json_pretty(&mut out, &common::sample()).unwrap();
    out.push(b'\n');
    common::assert_golden("invoice.json", &out);
}

#[test]
fn golden_json_reads_back_into_the_same_invoice() {
    let text = std::fs::read(common::golden_path("invoice.json")).unwrap();
    assert_eq!(
        read_invoice_json(text.as_slice()).unwrap(),
        common::sample()
    );
}

#[test]
fn amounts_are_strings_never_floats() {
    let mut out = Vec::new();
    write_invoice_json(&mut out, &common::sample()).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""price":"95.00""#), "{text}");
    assert!(!text.contains(r#""price":95"#));
}

#[test]
fn json_lines_hold_one_invoice_per_line() {
    let sample = common::sample();
    let (out, count) = write_invoices_jsonl(Vec::new(), std::iter::repeat_n(&sample, 3)).unwrap();
    assert_eq!(count, 3);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 3);
    for line in text.lines() {
        assert_eq!(read_invoice_json(line.as_bytes()).unwrap(), sample);
    }
}

#[test]
fn malformed_json_is_a_typed_error() {
    let err = read_invoice_json(&b"{\"id\": 12"[..]).unwrap_err();
    assert!(matches!(err, invoice_export::Error::Json { .. }), "{err:?}");
}
