//! The event wire format is a contract with consumers in other services: these golden
//! files fail the build when it changes. After an intended change, bump
//! `EventEnvelope::SCHEMA_VERSION` and rewrite the files with `UPDATE_GOLDEN=1`.

mod common;

use std::path::PathBuf;

use common::{at, date, draft, uuid};
use invoice_core::{
    EventEnvelope, EventId, Invoice, InvoiceEvent, InvoiceId, InvoiceNumber, InvoicePatch, Note,
    NoteId, Payment, PaymentId,
};
use rust_decimal_macros::dec;

/// One envelope of every event kind, from one invoice's life, with fixed ids and times.
fn envelopes() -> Vec<EventEnvelope> {
    let mut out = Vec::new();
    let mut n = 100;
    let mut wrap = |invoice: &Invoice, event: InvoiceEvent| {
        n += 1;
        out.push(EventEnvelope::new(
            EventId::from_uuid(uuid(n)),
            at(2026, 11, 24, (n - 100) as u32),
            invoice,
            event,
        ));
    };
    let (mut invoice, created) = Invoice::create(draft()).unwrap();
    wrap(&invoice, created);
    let updated = invoice
        .update(InvoicePatch::new().payment_terms(Some("30 days net".into())))
        .unwrap()
        .unwrap();
    wrap(&invoice, updated);
    let issued = invoice
        .issue(
            InvoiceNumber::new("INV-2026-00001").unwrap(),
            date(2026, 11, 24),
        )
        .unwrap();
    wrap(&invoice, issued);
    let note = Note::new(
        NoteId::from_uuid(uuid(7)),
        "admin-1",
        "Sent by post",
        at(2026, 11, 24, 10),
    )
    .unwrap();
    let noted = invoice.add_note(note).unwrap();
    wrap(&invoice, noted);
    let payment = Payment::new(
        PaymentId::from_uuid(uuid(8)),
        dec!(942.08),
        date(2026, 12, 1),
    )
    .unwrap()
    .with_reference("SEPA-4711");
    for event in invoice.record_payment(payment).unwrap() {
        wrap(&invoice, event);
    }
    let (_credit_note, credited) = invoice.credit(InvoiceId::from_uuid(uuid(2))).unwrap();
    wrap(&invoice, credited);
    let mut other = draft().build().unwrap();
    let deleted = other.delete().unwrap();
    wrap(&other, deleted);
    out
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/events")
        .join(format!("{name}.json"))
}

#[test]
fn every_event_kind_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let envelopes = envelopes();
    let names: Vec<_> = envelopes.iter().map(|e| e.event.name()).collect();
    assert_eq!(
        names,
        [
            "created",
            "updated",
            "issued",
            "note_added",
            "payment_recorded",
            "paid",
            "credited",
            "deleted"
        ]
    );
    for envelope in &envelopes {
        let path = golden_path(envelope.event.name());
        let json = serde_json::to_string_pretty(envelope).unwrap() + "\n";
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &json).unwrap();
        }
        let golden = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        assert_eq!(
            json,
            golden,
            "wire format of {} changed",
            envelope.event.name()
        );
        let parsed: EventEnvelope = serde_json::from_str(&golden).unwrap();
        assert_eq!(&parsed, envelope, "{} does not parse back", path.display());
    }
}

#[test]
fn envelope_carries_type_tag_and_string_amounts() {
    let envelope = &envelopes()[2];
    let value: serde_json::Value = serde_json::to_value(envelope).unwrap();
    assert_eq!(value["event"]["type"], "Issued");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["invoice_version"], 3);
    assert_eq!(value["event"]["summary"]["payable_amount"], "942.08");
    assert_eq!(envelope.routing_key(), "invoice.issued");
}

#[test]
fn unknown_event_types_are_rejected() {
    let mut value: serde_json::Value = serde_json::to_value(&envelopes()[0]).unwrap();
    value["event"]["type"] = "Exploded".into();
    assert!(serde_json::from_value::<EventEnvelope>(value).is_err());
}
