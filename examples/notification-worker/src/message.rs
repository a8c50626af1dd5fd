//! What the mails say: one pure function per kind of mail, from the event's invoice
//! summary, so that the worker never needs to load the invoice.

use invoice_core::{EventEnvelope, InvoiceEvent, InvoiceId, InvoiceSnapshot};

use crate::mail::Mail;

/// How a mail names the invoice: its number once issued, else `draft {id}`.
pub fn invoice_reference(summary: &InvoiceSnapshot, id: InvoiceId) -> String {
    match &summary.number {
        Some(number) => number.to_string(),
        None => format!("draft {id}"),
    }
}

fn amount(summary: &InvoiceSnapshot) -> String {
    format!("{} {}", summary.payable_amount, summary.currency)
}

fn due(summary: &InvoiceSnapshot) -> String {
    summary
        .due_date
        .map_or_else(String::new, |d| format!(", due on {d}"))
}

/// The mail for an event, or `None` when the event is not one the buyer hears about
/// (notes, partial payments, credit notes) or the buyer has no e-mail address.
///
/// Buyers hear about created, updated, issued, deleted and paid invoices; the subject
/// always carries the invoice's reference ([`invoice_reference`]).
pub fn event_mail(envelope: &EventEnvelope) -> Option<Mail> {
    let summary = envelope.event.summary()?;
    let to = summary.buyer_email.clone()?;
    let reference = invoice_reference(summary, envelope.invoice_id);
    let buyer = &summary.buyer_name;
    let (subject, text) = match &envelope.event {
        InvoiceEvent::Created { .. } => (
            format!("Invoice {reference} prepared"),
            format!(
                "an invoice ({reference}) of {} is being prepared for you{}.",
                amount(summary),
                due(summary)
            ),
        ),
        InvoiceEvent::Updated { changed, .. } => (
            format!("Invoice {reference} changed"),
            format!(
                "the invoice being prepared for you ({reference}) changed: {}. It now \
                 amounts to {}{}.",
                changed.join(", "),
                amount(summary),
                due(summary)
            ),
        ),
        InvoiceEvent::Issued { .. } => (
            format!("Invoice {reference} issued"),
            format!(
                "invoice {reference} of {} was issued to you{}.",
                amount(summary),
                due(summary)
            ),
        ),
        InvoiceEvent::Deleted { .. } => (
            format!("Invoice {reference} withdrawn"),
            format!("the invoice being prepared for you ({reference}) was withdrawn."),
        ),
        InvoiceEvent::Paid { .. } => (
            format!("Invoice {reference} paid"),
            format!(
                "invoice {reference} of {} is paid in full. Thank you.",
                amount(summary)
            ),
        ),
        _ => return None,
    };
    Some(Mail::new(to, subject, format!("Dear {buyer},\n\n{text}\n")))
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use invoice_core::{Address, CountryCode, EventId, Invoice, InvoicePatch, Note, NoteId, Party};
    use invoice_storage::testing::{draft, fresh_tenant};
    use uuid::Uuid;

    use super::*;

    fn envelope(invoice: &Invoice, event: InvoiceEvent) -> EventEnvelope {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), at, invoice, event)
    }

    #[test]
    fn a_buyer_without_an_address_gets_no_mail() {
        let (invoice, created) = Invoice::create(draft(&fresh_tenant(), "Buyer")).unwrap();
        assert_eq!(event_mail(&envelope(&invoice, created)), None);
    }

    #[test]
    fn mails_go_to_the_buyer_and_name_the_invoice_notes_send_none() {
        let (mut invoice, _) = Invoice::create(draft(&fresh_tenant(), "Buyer")).unwrap();
        let buyer = Party::new("Buyer AG", Address::new(CountryCode::new("DE").unwrap()))
            .with_email("ap@buyer.example");
        let updated = invoice
            .update(InvoicePatch::new().buyer(buyer))
            .unwrap()
            .unwrap();
        let mail = event_mail(&envelope(&invoice, updated)).unwrap();
        assert_eq!(mail.to, "ap@buyer.example");
        assert_eq!(
            mail.subject,
            format!("Invoice draft {} changed", invoice.id())
        );
        assert!(mail.body.starts_with("Dear Buyer AG,"), "{}", mail.body);

        let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let issued = invoice
            .issue(invoice_core::InvoiceNumber::new("INV-7").unwrap(), date)
            .unwrap();
        let mail = event_mail(&envelope(&invoice, issued)).unwrap();
        assert_eq!(mail.subject, "Invoice INV-7 issued");
        assert!(mail.body.contains("119.00 EUR"), "{}", mail.body);

        let note = Note::new(
            NoteId::from_uuid(Uuid::new_v4()),
            "admin",
            "called",
            Utc::now(),
        )
        .unwrap();
        let noted = invoice.add_note(note).unwrap();
        assert_eq!(event_mail(&envelope(&invoice, noted)), None);
    }
}
