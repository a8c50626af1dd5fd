//! The invoice lifecycle through the public API: draft → issued → paid, credit notes,
//! and the typed errors of every forbidden transition.

mod common;

use common::{at, date, draft, uuid};
use invoice_core::{
    Error, Invoice, InvoiceEvent, InvoiceId, InvoiceKind, InvoiceNumber, InvoicePatch,
    InvoiceStatus, LineItem, Note, NoteId, Payment, PaymentId, UnitCode, Vat,
};
use rust_decimal_macros::dec;

fn number(n: &str) -> InvoiceNumber {
    InvoiceNumber::new(n).unwrap()
}

fn payment(n: u128, amount: rust_decimal::Decimal) -> Payment {
    Payment::new(PaymentId::from_uuid(uuid(n)), amount, date(2026, 12, 1)).unwrap()
}

#[test]
fn draft_totals_are_those_of_the_fixture() {
    let invoice = draft().build().unwrap();
    let t = invoice.totals().unwrap();
    // 760 + 74.70 − 40 + 5 = 799.70; VAT 720 × 19 % = 136.80, 79.70 × 7 % = 5.579 → 5.58
    assert_eq!(t.tax_exclusive_amount(), dec!(799.70));
    assert_eq!(t.tax_total(), dec!(142.38));
    assert_eq!(t.payable_amount(), dec!(942.08));
    assert_eq!(invoice.amount_due().unwrap(), dec!(942.08));
}

#[test]
fn draft_to_paid_returns_the_events_of_each_step() {
    let (mut invoice, created) = Invoice::create(draft()).unwrap();
    assert!(matches!(created, InvoiceEvent::Created { .. }));
    assert_eq!(invoice.version(), 1);
    assert_eq!(invoice.number(), None);

    let issued = invoice
        .issue(number("INV-2026-00001"), date(2026, 11, 24))
        .unwrap();
    assert_eq!(issued.name(), "issued");
    assert_eq!(invoice.status(), InvoiceStatus::Issued);
    assert_eq!(invoice.version(), 2);
    assert_eq!(
        issued.summary().unwrap().number,
        Some(number("INV-2026-00001"))
    );

    let events = invoice.record_payment(payment(1, dec!(500.00))).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(invoice.status(), InvoiceStatus::PartiallyPaid);
    assert_eq!(invoice.amount_due().unwrap(), dec!(442.08));

    let events = invoice.record_payment(payment(2, dec!(442.08))).unwrap();
    let names: Vec<_> = events.iter().map(InvoiceEvent::name).collect();
    assert_eq!(names, ["payment_recorded", "paid"]);
    assert_eq!(invoice.status(), InvoiceStatus::Paid);
    assert_eq!(invoice.amount_due().unwrap(), dec!(0));
    assert_eq!(invoice.version(), 4);
}

#[test]
fn a_draft_can_be_edited_and_deleted() {
    let mut invoice = draft().build().unwrap();
    let event = invoice
        .update(InvoicePatch::new().due_date(Some(date(2027, 1, 31))))
        .unwrap()
        .unwrap();
    match event {
        InvoiceEvent::Updated { changed, .. } => assert_eq!(changed, ["due_date"]),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(invoice.version(), 2);
    // The same value again changes nothing and keeps the version.
    let none = invoice
        .update(InvoicePatch::new().due_date(Some(date(2027, 1, 31))))
        .unwrap();
    assert!(none.is_none());
    assert_eq!(invoice.version(), 2);
    assert_eq!(invoice.delete().unwrap().name(), "deleted");
}

#[test]
fn an_issued_invoice_cannot_be_edited_or_deleted() {
    let mut invoice = draft().build().unwrap();
    invoice.issue(number("1"), date(2026, 11, 24)).unwrap();
    let err = invoice
        .update(InvoicePatch::new().payment_terms(Some("now".into())))
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidTransition {
            action: "edit",
            status: InvoiceStatus::Issued
        }
    );
    assert!(matches!(
        invoice.delete(),
        Err(Error::InvalidTransition {
            action: "delete",
            ..
        })
    ));
    assert!(matches!(
        invoice.issue(number("2"), date(2026, 11, 25)),
        Err(Error::InvalidTransition {
            action: "issue",
            ..
        })
    ));
}

#[test]
fn paying_a_draft_or_overpaying_is_rejected() {
    let mut invoice = draft().build().unwrap();
    assert!(matches!(
        invoice.record_payment(payment(1, dec!(1))),
        Err(Error::InvalidTransition { action: "pay", .. })
    ));
    invoice.issue(number("1"), date(2026, 11, 24)).unwrap();
    let before = invoice.clone();
    assert_eq!(
        invoice.record_payment(payment(1, dec!(942.09))),
        Err(Error::Overpayment {
            amount: dec!(942.09),
            due: dec!(942.08)
        })
    );
    assert_eq!(invoice, before, "a rejected payment changes nothing");
    assert!(Payment::new(PaymentId::from_uuid(uuid(3)), dec!(0), date(2026, 1, 1)).is_err());
}

#[test]
fn a_payment_id_is_recorded_once() {
    let mut invoice = draft().build().unwrap();
    invoice.issue(number("1"), date(2026, 11, 24)).unwrap();
    invoice.record_payment(payment(1, dec!(1))).unwrap();
    assert!(matches!(
        invoice.record_payment(payment(1, dec!(1))),
        Err(Error::InvalidField {
            field: "payment id",
            ..
        })
    ));
}

#[test]
fn issuing_an_invalid_invoice_lists_every_fatal_violation_and_changes_nothing() {
    let mut invoice = draft()
        .line(LineItem::new(
            "3",
            "",
            dec!(1),
            UnitCode::piece(),
            dec!(-1),
            Vat::exempt(),
        ))
        .build()
        .unwrap();
    let before = invoice.clone();
    let err = invoice.issue(number("1"), date(2026, 11, 24)).unwrap_err();
    let Error::RuleViolations { violations } = err else {
        panic!("expected rule violations, got {err:?}");
    };
    let rules: Vec<_> = violations.iter().map(|v| v.rule()).collect();
    for expected in ["BR-25", "BR-27", "BR-E-10"] {
        assert!(
            rules.contains(&expected),
            "{expected} missing from {rules:?}"
        );
    }
    assert_eq!(invoice, before);
}

#[test]
fn overdue_is_derived_from_the_due_date_and_today() {
    let mut invoice = draft().build().unwrap();
    assert!(
        !invoice.is_overdue(date(2027, 1, 1)).unwrap(),
        "a draft is never overdue"
    );
    invoice.issue(number("1"), date(2026, 11, 24)).unwrap();
    assert!(
        !invoice.is_overdue(date(2026, 12, 24)).unwrap(),
        "due today is not overdue"
    );
    assert!(invoice.is_overdue(date(2026, 12, 25)).unwrap());
    invoice.record_payment(payment(1, dec!(942.08))).unwrap();
    assert!(
        !invoice.is_overdue(date(2026, 12, 25)).unwrap(),
        "paid is not overdue"
    );
}

#[test]
fn credit_note_mirrors_the_invoice_and_refers_to_it() {
    let mut invoice = draft().build().unwrap();
    assert!(matches!(
        invoice.credit(InvoiceId::from_uuid(uuid(2))),
        Err(Error::InvalidTransition {
            action: "credit",
            ..
        })
    ));
    invoice.issue(number("INV-7"), date(2026, 11, 24)).unwrap();
    let (mut credit_note, event) = invoice.credit(InvoiceId::from_uuid(uuid(2))).unwrap();
    assert_eq!(event.name(), "credited");
    assert_eq!(invoice.status(), InvoiceStatus::Credited);
    assert_eq!(credit_note.status(), InvoiceStatus::Draft);
    assert_eq!(credit_note.kind().type_code(), 381);
    let InvoiceKind::CreditNote {
        corrects: Some(reference),
    } = credit_note.kind()
    else {
        panic!("not a credit note referring to the invoice");
    };
    assert_eq!(reference.number().as_str(), "INV-7");
    assert_eq!(reference.id(), Some(invoice.id()));
    assert_eq!(credit_note.totals().unwrap(), invoice.totals().unwrap());
    credit_note
        .issue(number("CN-1"), date(2026, 11, 25))
        .unwrap();
    // A credited invoice takes no payment and cannot be credited twice.
    assert!(invoice.record_payment(payment(1, dec!(1))).is_err());
    assert!(invoice.credit(InvoiceId::from_uuid(uuid(3))).is_err());
    // A credit note is not credited by another credit note.
    assert!(credit_note.credit(InvoiceId::from_uuid(uuid(4))).is_err());
}

#[test]
fn notes_can_be_added_in_any_status_once_each() {
    let mut invoice = draft().build().unwrap();
    let note = Note::new(
        NoteId::from_uuid(uuid(5)),
        "admin-1",
        "Call first",
        at(2026, 11, 24, 9),
    )
    .unwrap();
    assert_eq!(invoice.add_note(note.clone()).unwrap().name(), "note_added");
    assert!(invoice.add_note(note).is_err());
    invoice.issue(number("1"), date(2026, 11, 24)).unwrap();
    let late = Note::new(
        NoteId::from_uuid(uuid(6)),
        "admin-1",
        "Paid by phone",
        at(2026, 11, 25, 9),
    )
    .unwrap();
    invoice.add_note(late).unwrap();
    assert_eq!(invoice.notes().len(), 2);
}

#[test]
fn bad_lines_are_rejected_when_building() {
    let line = |id: &str| {
        LineItem::new(
            id,
            "x",
            dec!(1),
            UnitCode::piece(),
            dec!(1),
            Vat::standard(dec!(19)),
        )
    };
    assert!(matches!(
        draft().line(line("1")).build(),
        Err(Error::InvalidLine { index: 2, .. })
    ));
    assert!(matches!(
        draft().line(line("9").with_base_quantity(dec!(0))).build(),
        Err(Error::InvalidLine { index: 2, .. })
    ));
    assert!(draft().prepaid_amount(dec!(-1)).build().is_err());
}

#[test]
fn a_draft_rejects_repeated_line_ids_but_a_received_invoice_keeps_them() {
    let twice = |builder: invoice_core::InvoiceBuilder| {
        builder
            .line(LineItem::new(
                "7",
                "A",
                dec!(1),
                UnitCode::piece(),
                dec!(1),
                Vat::standard(dec!(19)),
            ))
            .line(LineItem::new(
                "7",
                "B",
                dec!(1),
                UnitCode::piece(),
                dec!(2),
                Vat::standard(dec!(19)),
            ))
    };
    assert!(matches!(
        twice(draft()).build(),
        Err(Error::InvalidLine { .. })
    ));
    let received = twice(draft().issued(number("R-1"), date(2026, 1, 5)))
        .build()
        .unwrap();
    assert_eq!(received.lines().iter().filter(|l| l.id() == "7").count(), 2);
}
