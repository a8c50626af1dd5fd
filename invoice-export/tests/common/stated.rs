//! The comparison of the round trips: an invoice as a document states it. Shared by
//! the round-trip proptest and the round-trip fuzz target (`fuzz/`), which includes this
//! file by path.

use invoice_core::{Decimal, Invoice};
use serde_json::Value;

/// Whether `back`, read from a document written of `original`, is the same invoice as
/// far as a document carries it (what that leaves out: `tests/round_trip.rs`); the
/// difference, described, when it is not.
pub fn compare(original: &Invoice, back: &Invoice) -> Result<(), String> {
    let (expected, expected_notes) = as_stated(original);
    let (actual, actual_notes) = as_stated(back);
    if expected_notes != actual_notes {
        return Err(format!(
            "notes {expected_notes:?} came back as {actual_notes:?}"
        ));
    }
    if !same(&expected, &actual) {
        return Err(format!(
            "the invoice differs:\n{}\n{}",
            serde_json::to_string_pretty(&expected).unwrap(),
            serde_json::to_string_pretty(&actual).unwrap()
        ));
    }
    match (original.totals(), back.totals()) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (a, b) => Err(format!("the totals differ: {a:?} against {b:?}")),
    }
}

/// The invoice as a document states it: notes as their texts, lines with their nets
/// as stated, document exemptions only where a group has no line.
fn as_stated(invoice: &Invoice) -> (Value, Vec<String>) {
    let nets = invoice.totals().unwrap().line_net_amounts().to_vec();
    let notes = invoice
        .notes()
        .iter()
        .map(|n| n.text().to_owned())
        .collect();
    let mut value = serde_json::to_value(invoice).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("notes");
    // A document states the VAT total in the accounting currency (BT-111), not the
    // exchange rate it came from.
    if let Some((currency, total)) = invoice.vat_accounting_total().unwrap() {
        object["vat_accounting"] =
            serde_json::json!({ "currency": currency.code(), "total": total.to_string() });
    }
    for ((line, net), model) in object["lines"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(nets)
        .zip(invoice.lines())
    {
        line["stated_net_amount"] = Value::String(net.normalize().to_string());
        // A base quantity other than 1 is stated with the line's unit; one the invoice
        // was read with, as it was stated.
        let stated = model.details().is_some_and(|d| d.base_quantity_stated());
        if !stated && model.base_quantity() != Decimal::ONE {
            let details = line
                .as_object_mut()
                .unwrap()
                .entry("details")
                .or_insert_with(|| serde_json::json!({}));
            details["base_quantity_stated"] = Value::Bool(true);
            details["base_quantity_unit"] = Value::String(model.unit().as_str().to_owned());
        }
    }
    let line_vats: Vec<(String, Decimal)> = invoice
        .lines()
        .iter()
        .map(|l| (l.vat().category().code().to_owned(), l.vat().rate()))
        .collect();
    for ac in object
        .get_mut("allowances_charges")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let category = ac["vat"]["category"].as_str().unwrap().to_owned();
        let rate: Decimal = ac["vat"]["rate"].as_str().unwrap().parse().unwrap();
        if line_vats.iter().any(|(c, r)| *c == category && *r == rate) {
            ac.as_object_mut().unwrap().remove("exemption");
        }
    }
    (value, notes)
}

/// Two JSON values equal up to the scale of decimal strings (`19` and `19.00`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            x == y
                || matches!((x.parse::<Decimal>(), y.parse::<Decimal>()), (Ok(p), Ok(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
