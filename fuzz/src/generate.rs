//! Valid invoices from fuzz bytes: the shape of the round-trip proptest's generator
//! (`invoice-export/tests/round_trip.rs`), with free text in every text field and the
//! numbers, dates and codes driven by the fuzzer.
//!
//! What a document cannot carry is left out as the proptest leaves it out (see the
//! comparison in `stated.rs`); text is trimmed, because the readers trim what they read.

use arbitrary::{Result, Unstructured};
use chrono::{NaiveDate, TimeZone, Utc};
use invoice_core::{
    Address, AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind, Attachment, Contact,
    CountryCode, Currency, Decimal, Delivery, DocumentReferences, ElectronicAddress, Invoice,
    InvoiceBuilder, InvoiceId, InvoiceNumber, InvoicePeriod, InvoiceReference, InvoicedObject,
    ItemAttribute, ItemClassification, LineDetails, LineItem, Note, NoteId, Party, Payee,
    PaymentCard, PaymentMeans, SchemedId, Specification, SupportingDocument, TaxRepresentative,
    TenantId, UnitCode, Vat, VatAccounting, VatExemption,
};
use uuid::Uuid;

/// The id every generated invoice has, which the reading options give back.
pub const ID: u128 = 7;

/// Free text as a document carries it: trimmed, never empty, at most 40 characters.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let raw: &str = u.arbitrary()?;
    let text: String = raw.trim().chars().take(40).collect();
    let text = text.trim();
    Ok(if text.is_empty() {
        "x".to_owned()
    } else {
        text.to_owned()
    })
}

fn opt_text(u: &mut Unstructured<'_>) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

fn opt<T>(
    u: &mut Unstructured<'_>,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    Ok(if u.arbitrary()? { Some(f(u)?) } else { None })
}

/// A code of `len` characters from `alphabet`.
fn code(u: &mut Unstructured<'_>, alphabet: &[u8], len: usize) -> Result<String> {
    (0..len)
        .map(|_| u.choose(alphabet).map(|&b| char::from(b)))
        .collect()
}

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

/// A decimal with a mantissa in `range` and a scale up to `scale`.
fn decimal(
    u: &mut Unstructured<'_>,
    range: std::ops::RangeInclusive<i64>,
    scale: u32,
) -> Result<Decimal> {
    Ok(Decimal::new(
        u.int_in_range(range)?,
        u.int_in_range(0..=scale)?,
    ))
}

fn date(u: &mut Unstructured<'_>) -> Result<NaiveDate> {
    let days = u.int_in_range(0..=365 * 40)?;
    Ok(NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date") + chrono::Days::new(days))
}

fn address(u: &mut Unstructured<'_>) -> Result<Address> {
    let country = *u.choose(&["DE", "FR", "NL", "IT", "SE", "NO", "US"])?;
    let mut a = Address::new(CountryCode::new(country).expect("a country"));
    for _ in 0..u.int_in_range(0..=3)? {
        a = a.with_line(text(u)?);
    }
    if let Some(city) = opt_text(u)? {
        a = a.with_city(city);
    }
    if let Some(postal) = opt_text(u)? {
        a = a.with_postal_code(postal);
    }
    if let Some(s) = opt_text(u)? {
        a = a.with_subdivision(s);
    }
    Ok(a)
}

fn party(u: &mut Unstructured<'_>) -> Result<Party> {
    let mut p = Party::new(text(u)?, address(u)?);
    if let Some(t) = opt_text(u)? {
        p = p.with_trading_name(t);
    }
    if let Some(v) = opt_text(u)? {
        p = p.with_vat_id(v);
    }
    if let Some(id) = opt_text(u)? {
        p = p.with_identifier(id);
        if u.arbitrary()? {
            p = p.with_identifier_scheme(code(u, DIGITS, 4)?);
        }
    }
    if let Some(t) = opt_text(u)? {
        p = p.with_tax_registration_id(t);
    }
    if let Some(t) = opt_text(u)? {
        p = p.with_additional_legal_info(t);
    }
    if let Some(l) = opt_text(u)? {
        p = p.with_legal_id(l);
        if u.arbitrary()? {
            p = p.with_legal_id_scheme(code(u, DIGITS, 4)?);
        }
    }
    if let Some(e) = opt_text(u)? {
        p = if u.arbitrary()? {
            p.with_email(e)
        } else {
            p.with_electronic_address(
                ElectronicAddress::new(code(u, DIGITS, 4)?, e).expect("a scheme and a value"),
            )
        };
    }
    let (name, phone, email) = (opt_text(u)?, opt_text(u)?, opt_text(u)?);
    if name.is_some() || phone.is_some() || email.is_some() {
        let mut c = Contact::new();
        if let Some(n) = name {
            c = c.with_name(n);
        }
        if let Some(ph) = phone {
            c = c.with_phone(ph);
        }
        if let Some(e) = email {
            c = c.with_email(e);
        }
        p = p.with_contact(c);
    }
    Ok(p)
}

/// A VAT treatment and, for the categories that need one, its exemption.
fn vat(u: &mut Unstructured<'_>) -> Result<(Vat, Option<VatExemption>)> {
    Ok(match u.int_in_range(0..=6)? {
        0 => (Vat::standard(decimal(u, 1..=2_500, 2)?), None),
        1 => (Vat::standard(Decimal::new(19, 0)), None),
        2 => (Vat::zero_rated(), None),
        3 => (
            Vat::exempt(),
            Some(VatExemption::reason(text(u)?).with_code("VATEX-EU-132")),
        ),
        4 => (
            Vat::reverse_charge(),
            Some(VatExemption::code("VATEX-EU-AE")),
        ),
        5 => (Vat::outside_scope(), Some(VatExemption::reason(text(u)?))),
        _ => (Vat::standard(Decimal::new(7, 0)), None),
    })
}

fn allowance_charge(u: &mut Unstructured<'_>) -> Result<AllowanceCharge> {
    let kind = if u.arbitrary()? {
        AllowanceChargeKind::Charge
    } else {
        AllowanceChargeKind::Allowance
    };
    let amount = if u.arbitrary()? {
        AllowanceChargeAmount::Fixed {
            amount: decimal(u, 0..=100_000, 2)?,
        }
    } else {
        AllowanceChargeAmount::Percentage {
            percent: decimal(u, 1..=5_000, 2)?,
            base: opt(u, |u| decimal(u, 0..=1_000_000, 2))?,
        }
    };
    let mut ac = AllowanceCharge::new(kind, amount);
    if let Some(r) = opt_text(u)? {
        ac = ac.with_reason(r);
    }
    if u.arbitrary()? {
        let len = u.int_in_range(2..=3)?;
        ac = ac.with_reason_code(code(u, DIGITS, len)?);
    }
    Ok(ac)
}

fn line(u: &mut Unstructured<'_>, index: usize) -> Result<LineItem> {
    let unit = *u.choose(&["C62", "HUR", "KGM", "MTR", "EA"])?;
    let price = decimal(u, 0..=1_000_000, 4)?;
    let (vat, exemption) = vat(u)?;
    let mut l = LineItem::new(
        (index + 1).to_string(),
        text(u)?,
        decimal(u, -10_000..=10_000, 3)?,
        UnitCode::new(unit).expect("a unit"),
        price,
        vat,
    )
    .with_base_quantity(*u.choose(&[
        Decimal::ONE,
        Decimal::new(100, 0),
        Decimal::new(25, 1),
    ])?);
    if let Some(d) = opt_text(u)? {
        l = l.with_description(d);
    }
    if let Some(extra) = opt(u, |u| decimal(u, 0..=100, 2))? {
        l = l.with_gross_price(price + extra);
    }
    if let Some(e) = exemption {
        l = l.with_exemption(e);
    }
    for _ in 0..u.int_in_range(0..=1)? {
        l = l.with_allowance_charge(allowance_charge(u)?);
    }
    if u.arbitrary()? {
        l = l.with_details(details(u)?);
    }
    Ok(l)
}

/// The document references (BT-11, BT-12, BT-14 to BT-19, BG-24).
fn references(u: &mut Unstructured<'_>) -> Result<DocumentReferences> {
    let mut r = DocumentReferences::new();
    type Setter = fn(DocumentReferences, String) -> DocumentReferences;
    let setters: [Setter; 7] = [
        |r, t| r.with_project(t),
        |r, t| r.with_contract(t),
        |r, t| r.with_sales_order(t),
        |r, t| r.with_receiving_advice(t),
        |r, t| r.with_despatch_advice(t),
        |r, t| r.with_tender_or_lot(t),
        |r, t| r.with_accounting_reference(t),
    ];
    for set in setters {
        if let Some(t) = opt_text(u)? {
            r = set(r, t);
        }
    }
    if let Some(id) = opt_text(u)? {
        let scheme = if u.arbitrary()? {
            Some(code(u, UPPER, 3)?)
        } else {
            None
        };
        r = r.with_invoiced_object(InvoicedObject::new(id, scheme));
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let mut d = SupportingDocument::new(text(u)?).expect("a reference");
        if let Some(t) = opt_text(u)? {
            d = d.with_description(t);
        }
        if u.arbitrary()? {
            d = d.with_uri(format!("https://example.com/{}", code(u, DIGITS, 4)?));
        }
        if u.arbitrary()? {
            let mime = *u.choose(&["application/pdf", "image/png", "text/csv"])?;
            let file = Attachment::new(
                code(u, UPPER, 8)?,
                mime,
                format!("{}.bin", code(u, DIGITS, 3)?),
            )
            .expect("a MIME code and a file name");
            d = d.with_attachment(file);
        }
        r = r.with_supporting_document(d);
    }
    Ok(r)
}

/// A line's details (BT-127, BG-26, BT-132, BT-133, BT-155 to BT-159, BG-32).
fn details(u: &mut Unstructured<'_>) -> Result<LineDetails> {
    let mut d = LineDetails::new();
    if let Some(t) = opt_text(u)? {
        d = d.with_note(t);
    }
    if let Some(id) = opt_text(u)? {
        let scheme = opt(u, |u| code(u, UPPER, 3))?;
        d = d.with_object_id(InvoicedObject::new(id, scheme));
    }
    if let Some(t) = opt_text(u)? {
        d = d.with_order_line_reference(t);
    }
    if let Some(t) = opt_text(u)? {
        d = d.with_accounting_reference(t);
    }
    if let Some(t) = opt_text(u)? {
        d = d.with_seller_item_id(t);
    }
    if let Some(t) = opt_text(u)? {
        d = d.with_buyer_item_id(t);
    }
    // A period states at least one date (BR-CO-20).
    if let Some(start) = opt(u, date)? {
        let mut p = InvoicePeriod::new().with_start(start);
        if let Some(end) = opt(u, date)?.filter(|e| *e >= start) {
            p = p.with_end(end);
        }
        d = d.with_period(p);
    }
    if let Some(id) = opt_text(u)? {
        let scheme = code(u, DIGITS, 4)?;
        d = d.with_standard_item_id(SchemedId::new(id, scheme).expect("an id and a scheme"));
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let mut c =
            ItemClassification::new(text(u)?, code(u, UPPER, 3)?).expect("a code and a list");
        if u.arbitrary()? {
            c = c.with_list_version(code(u, DIGITS, 2)?);
        }
        d = d.with_classification(c);
    }
    if u.arbitrary()? {
        let country = *u.choose(&["DE", "FR", "SE", "NO", "IT"])?;
        d = d.with_origin_country(CountryCode::new(country).expect("a country"));
    }
    for _ in 0..u.int_in_range(0..=2)? {
        d = d.with_attribute(ItemAttribute::new(text(u)?, text(u)?));
    }
    Ok(d)
}

fn payment_means(u: &mut Unstructured<'_>, first: bool) -> Result<PaymentMeans> {
    let mut m = PaymentMeans::new(*u.choose(&["30", "58", "59", "48"])?);
    if let Some(t) = opt_text(u)? {
        m = m.with_text(t);
    }
    if u.arbitrary()? {
        m = m.with_account_id(format!("{}{}", code(u, UPPER, 2)?, code(u, DIGITS, 12)?));
        if let Some(n) = opt_text(u)? {
            m = m.with_account_name(n);
        }
        if u.arbitrary()? {
            m = m.with_provider_id(format!("{}{}", code(u, UPPER, 6)?, code(u, DIGITS, 2)?));
        }
    }
    if u.arbitrary()? {
        m = m.with_debited_account_id(format!("{}{}", code(u, UPPER, 2)?, code(u, DIGITS, 12)?));
    }
    // CII states these once per document: only the first means has them.
    if first {
        if let Some(r) = opt_text(u)? {
            m = m.with_remittance_information(r);
        }
        if let Some(x) = opt_text(u)? {
            m = m.with_mandate_id(x);
        }
    }
    if u.arbitrary()? {
        let mut card = PaymentCard::new(code(u, DIGITS, 4)?);
        if let Some(h) = opt_text(u)? {
            card = card.with_holder(h);
        }
        m = m.with_card(card);
    }
    Ok(m)
}

/// A valid, issued invoice or credit note. `Err` only when the bytes run out in a way
/// `arbitrary` reports, or when the builder refuses the combination (the target skips
/// both).
pub fn invoice(u: &mut Unstructured<'_>) -> Result<Option<Invoice>> {
    let seller = party(u)?;
    let buyer = party(u)?;
    let currency =
        Currency::from_code(*u.choose(&["EUR", "SEK", "JPY", "KWD"])?).expect("a currency");
    let number = format!("{}-{}", code(u, UPPER, 3)?, u.int_in_range(1..=999_999u32)?);
    let mut b = InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::from_u128(ID)),
        TenantId::new("fuzz").expect("a tenant"),
        currency,
        seller,
        buyer,
    )
    .issued(InvoiceNumber::new(number).expect("a number"), date(u)?);
    let lines = (0..u.int_in_range(1..=5)?)
        .map(|i| line(u, i))
        .collect::<Result<Vec<_>>>()?;
    b = b.lines(lines).prepaid_amount(decimal(u, 0..=10_000, 2)?);
    let is_credit = u.arbitrary()?;
    let mut corrects_none = false;
    if is_credit {
        let corrects = opt(u, |u| {
            let r = InvoiceReference::new(
                InvoiceNumber::new(format!(
                    "{}-{}",
                    code(u, UPPER, 2)?,
                    u.int_in_range(1..=9999u32)?
                ))
                .expect("a number"),
            );
            Ok(match opt(u, date)? {
                Some(d) => r.with_issue_date(d),
                None => r,
            })
        })?;
        corrects_none = corrects.is_none();
        b = b.credit_note(corrects);
    }
    let has_means = u.arbitrary()?;
    if has_means {
        b = b.payment_means(payment_means(u, true)?);
        for _ in 0..u.int_in_range(0..=1)? {
            b = b.payment_means(payment_means(u, false)?);
        }
    }
    // UBL's CreditNote states its due date in its first payment means only.
    if let Some(due) = opt(u, date)?.filter(|_| !is_credit || has_means) {
        b = b.due_date(due);
    }
    if let Some(r) = opt_text(u)? {
        b = b.buyer_reference(r);
    }
    // `NA` beside a sales order is UBL's "no purchase order" (see the UBL writer).
    if let Some(r) = opt_text(u)?.filter(|r| r != "NA") {
        b = b.order_reference(r);
    }
    if let Some(t) = opt_text(u)? {
        b = b.payment_terms(t);
    }
    if u.arbitrary()? {
        // An accounting currency other than the invoice's (CII cannot state an equal one).
        let code = *u.choose(&["EUR", "SEK", "JPY", "KWD"])?;
        if code != currency.code() {
            let rate = decimal(u, 1..=2_000_000, 5)?;
            let accounting = Currency::from_code(code).expect("a currency");
            b = b.vat_accounting(
                VatAccounting::with_exchange_rate(accounting, rate).expect("a positive rate"),
            );
        }
    }
    b = b.references(references(u)?);
    if u.arbitrary()? {
        let representative =
            TaxRepresentative::new(text(u)?, text(u)?, address(u)?).expect("a name and a VAT id");
        b = b.tax_representative(representative);
    }
    match u.int_in_range(0..=3u8)? {
        0 => {}
        1 => b = b.specification(Specification::peppol_bis_billing_3()),
        2 => b = b.specification(Specification::xrechnung_3()),
        _ => {
            let process = opt_text(u)?;
            b = b.specification(Specification::new(text(u)?, process).expect("a specification"));
        }
    }
    if u.arbitrary()? {
        let mut p = InvoicePeriod::new();
        if let Some(s) = opt(u, date)? {
            p = p.with_start(s);
        }
        if let Some(e) = opt(u, date)? {
            p = p.with_end(e);
        }
        // A period states at least one date (BR-CO-19).
        if p.start().is_some() || p.end().is_some() {
            b = b.period(p);
        }
    }
    if let Some(d) = opt(u, date)? {
        b = b.tax_point_date(d);
    }
    if u.arbitrary()? {
        b = b.creditor_id(format!(
            "DE{}ZZZ{}",
            code(u, DIGITS, 2)?,
            code(u, DIGITS, 11)?
        ));
    }
    // A code of the kind's own family (see InvoiceBuilder::type_code).
    if u.arbitrary()? {
        let codes: &[u16] = if is_credit {
            &[396, 261, 81]
        } else {
            &[384, 389, 386, 326]
        };
        b = b.type_code(*u.choose(codes)?);
    }
    if u.arbitrary()? {
        b = b.vat_point_date_code(*u.choose(&["3", "35", "432"])?);
    }
    if let Some(name) = opt_text(u)? {
        let mut payee = Payee::new(name).expect("a name");
        if let Some(id) = opt_text(u)? {
            let scheme = opt(u, |u| code(u, DIGITS, 4))?;
            payee = payee.with_identifier(id, scheme);
        }
        if let Some(id) = opt_text(u)? {
            let scheme = opt(u, |u| code(u, DIGITS, 4))?;
            payee = payee.with_legal_id(id, scheme);
        }
        b = b.payee(payee);
    }
    // A credit note that corrects none would read its first preceding invoice back as
    // the corrected one (see write_ubl).
    if !corrects_none {
        for _ in 0..u.int_in_range(0..=2)? {
            let number = format!("{}-{}", code(u, UPPER, 2)?, u.int_in_range(1..=9999u32)?);
            let r = InvoiceReference::new(InvoiceNumber::new(number).expect("a number"));
            b = b.preceding_invoice(match opt(u, date)? {
                Some(d) => r.with_issue_date(d),
                None => r,
            });
        }
    }
    let (when, name, place) = (opt(u, date)?, opt_text(u)?, opt(u, address)?);
    if when.is_some() || name.is_some() || place.is_some() {
        let mut d = Delivery::new();
        if let Some(x) = when {
            d = d.with_date(x);
        }
        if let Some(x) = name {
            d = d.with_party_name(x);
        }
        if let Some(x) = place {
            d = d.with_address(x);
        }
        if let Some(id) = opt_text(u)? {
            let scheme = opt(u, |u| code(u, DIGITS, 4))?;
            d = d.with_location_id(id, scheme);
        }
        b = b.delivery(d);
    }
    let (doc_vat, exemption) = vat(u)?;
    for _ in 0..u.int_in_range(0..=2)? {
        let ac = allowance_charge(u)?.with_vat(doc_vat);
        b = b.allowance_charge(match &exemption {
            Some(e) => ac.with_exemption(e.clone()),
            None => ac,
        });
    }
    for i in 0..u.int_in_range(0..=2u128)? {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .expect("a time");
        let text = text(u)?;
        // UBL reads a `#ABC#` prefix as the note's subject code (BT-21).
        let coded = text.len() >= 5
            && text.as_bytes()[0] == b'#'
            && text.as_bytes()[4] == b'#'
            && text.as_bytes()[1..4].iter().all(u8::is_ascii_uppercase);
        if let (false, Ok(note)) = (
            coded,
            Note::new(
                NoteId::from_uuid(Uuid::from_u128(i + 1)),
                "someone",
                text,
                at,
            ),
        ) {
            b = b.note(match opt(u, |u| code(u, UPPER, 3))? {
                Some(c) => note.with_subject_code(c),
                None => note,
            });
        }
    }
    if let Some(r) = opt(u, |u| decimal(u, -50..=50, 2))? {
        b = b.stated_rounding_amount(r);
    }
    Ok(b.build().ok())
}
