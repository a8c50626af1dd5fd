//! The UBL reader.

use std::borrow::Cow;
use std::io::Read;

use invoice_core::{
    Address, Contact, CountryCode, Currency, Delivery, DocumentReferences, Invoice, InvoiceNumber,
    InvoicePeriod, InvoiceReference, InvoicedObject, ItemAttribute, LineDetails, Party, Payee,
    PaymentCard, PaymentMeans, SupportingDocument, TaxRepresentative, VatExemption,
};

use super::{INVOICED_OBJECT, NO_ORDER, NS_CREDIT_NOTE, NS_INVOICE, PROJECT};
use crate::error::{Error, Result};
use crate::import::{
    attachment, classification, country, document_lines, electronic_address, finish,
    read_document_text, read_reporting, scheme_of, schemed_id, specification, stated_type_code,
    text_of, vat_accounting, AllowanceChargeFields, DocumentSyntax, Field, ImportOptions, Imported,
    LineFields, LineSyntax, Located, Part, StatedBreakdown, StreamedLines, VatFields,
};
use crate::xml::{input_text, read_input, Doc, El};

const DATE: &str = "%Y-%m-%d";

/// Reads a UBL 2.1 Invoice or CreditNote into an issued [`Invoice`].
///
/// The input is read whole, up to the [`ReadLimits`](crate::ReadLimits) of `options`,
/// and must be UTF-8. A DOCTYPE is refused; element names are matched by their local
/// part, and the root's namespace is checked.
///
/// What is kept, beyond the fields the model shares with UBL: every line's stated net
/// amount (BT-131), because the document totals derive from it; the stated prepaid and
/// rounding amounts (BT-113, BT-114); the breakdown's exemption reasons, given to the
/// lines of their group; a percentage allowance or charge only when it reproduces the
/// stated amount (else the amount); and a rounding policy with a smaller tax precision
/// when the stated VAT is only reproduced that way (see the HUF example). What the
/// model lacks is not read: among others invoice periods, delivery, attachments,
/// item identifiers, a tax currency, and electronic addresses in a scheme other than
/// e-mail (`EM`). Type codes other than 381 on an `Invoice` are read as invoices (380).
///
/// # Errors
///
/// [`Error::TooLarge`], [`Error::TooDeep`], [`Error::TooManyElements`] past the limits;
/// [`Error::DocTypeNotAllowed`]; [`Error::Malformed`] for XML that is not well formed;
/// [`Error::UnexpectedRoot`] for anything but a UBL Invoice or CreditNote;
/// [`Error::Missing`] and [`Error::InvalidValue`] with the element's path for content
/// the model cannot take; [`Error::Invoice`] when the model refuses the result.
///
/// # Examples
///
/// ```
/// use invoice_core::{InvoiceId, TenantId};
/// use invoice_export::{read_ubl, Error, ImportOptions};
/// use uuid::Uuid;
///
/// let options = ImportOptions::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?);
/// let hostile = r#"<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>"#;
/// assert!(matches!(read_ubl(hostile.as_bytes(), &options), Err(Error::DocTypeNotAllowed)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_ubl<R: Read>(input: R, options: &ImportOptions) -> Result<Invoice> {
    let text = read_input(input, options.limits())?;
    read_document_text::<Ubl>(&text, options)
}

/// Reads a UBL document that is already in memory, as [`read_ubl`] reads one from a
/// reader, without copying it first: for a request body or a stored object at hand.
///
/// # Errors
///
/// As [`read_ubl`].
///
/// # Examples
///
/// ```
/// use invoice_core::{InvoiceId, TenantId};
/// use invoice_export::{read_ubl, read_ubl_slice, ImportOptions};
/// use uuid::Uuid;
///
/// let options = ImportOptions::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?);
/// let body: &[u8] = b"<Invoice/>";
/// assert_eq!(
///     read_ubl_slice(body, &options).unwrap_err().to_string(),
///     read_ubl(body, &options).unwrap_err().to_string(),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_ubl_slice(input: &[u8], options: &ImportOptions) -> Result<Invoice> {
    read_document_text::<Ubl>(input_text(input, options.limits())?, options)
}

/// Reads a UBL document as [`read_ubl_slice`] does, and reports every element the
/// model has no place for ([`ImportWarning::Unmapped`](crate::ImportWarning::Unmapped), with its path): what the
/// invoice read leaves out of the document, never dropped without a word. The
/// document is read as an element tree (the reference reader), without the streaming
/// pass.
///
/// # Errors
///
/// As [`read_ubl`].
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_export::{read_ubl_with_warnings, ImportOptions, ImportWarning};
/// use rust_decimal::Decimal;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?, Currency::EUR,
///         Party::new("Seller", de.clone()).with_vat_id("DE123456789"), Party::new("Buyer", de))
///     .issued(InvoiceNumber::new("INV-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .line(LineItem::new("1", "Tea", Decimal::new(2, 0), UnitCode::piece(),
///         Decimal::new(450, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let mut document = String::from_utf8(invoice_export::write_ubl(Vec::new(), &invoice)?)?;
/// // An element the model does not map.
/// document = document.replacen("<cbc:DocumentCurrencyCode>", "<cbc:LineCountNumeric>1</cbc:LineCountNumeric><cbc:DocumentCurrencyCode>", 1);
/// let options = ImportOptions::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?);
/// let imported = read_ubl_with_warnings(document.as_bytes(), &options)?;
/// assert_eq!(imported.warnings, vec![ImportWarning::Unmapped { path: "/Invoice/cbc:LineCountNumeric".into() }]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_ubl_with_warnings(input: &[u8], options: &ImportOptions) -> Result<Imported> {
    read_reporting::<Ubl>(input_text(input, options.limits())?, options)
}

/// UBL as the readers share it.
#[derive(Debug)]
pub(crate) struct Ubl;

impl DocumentSyntax for Ubl {
    type Lines = UblLines;

    /// BT-106…BT-115 (`cac:LegalMonetaryTotal`), BT-110 (`cac:TaxTotal/cbc:TaxAmount`) and
    /// the breakdown's taxable amounts (BT-116): recomputed, and checked by
    /// `Invoice::validate` against the lines; UBL's version; the fixed `VAT` tax schemes; the price
    /// discount, which the gross and net prices give.
    const DERIVED: &'static [&'static str] = &[
        // The syntax's version, no business term.
        "UBLVersionID",
        "LegalMonetaryTotal/*",
        "TaxTotal/TaxAmount",
        "TaxSubtotal/TaxableAmount",
        // The tax scheme of a VAT category is always `VAT` (no business term).
        "TaxCategory/TaxScheme",
        "ClassifiedTaxCategory/TaxScheme",
        "TaxRepresentativeParty/PartyTaxScheme/TaxScheme",
        // UBL requires a card network, which EN 16931 does not have.
        "CardAccount/NetworkID",
        // The price discount (BT-147) is the gross price (BT-148) less the net price.
        "Price/AllowanceCharge/ChargeIndicator",
        "Price/AllowanceCharge/Amount",
    ];

    /// The invoice in `doc`, with its lines from `streamed` when the streaming pass read
    /// them, else from the tree.
    fn read_document<'a>(
        doc: &Doc<'a>,
        options: &ImportOptions,
        streamed: Option<StreamedLines<'a>>,
    ) -> Result<Invoice> {
        let root = doc.root();
        let credit = match root.local_name() {
            "Invoice" => false,
            "CreditNote" => true,
            _ => {
                return Err(Error::UnexpectedRoot {
                    found: root.name().to_owned(),
                    expected: "a UBL 2.1 Invoice or CreditNote",
                })
            }
        };
        let prefix = root.name().split_once(':').map_or("", |(p, _)| p);
        let namespace = if credit { NS_CREDIT_NOTE } else { NS_INVOICE };
        if root.namespace_declaration(prefix) != Some(namespace) {
            return Err(Error::UnexpectedRoot {
                found: root.name().to_owned(),
                expected: "a root element in the UBL 2.1 Invoice or CreditNote namespace",
            });
        }

        let id = root.req("cbc:ID")?;
        let number = InvoiceNumber::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
        let issue_date = root.req("cbc:IssueDate")?.date(DATE)?;
        let type_code = root.child(if credit {
            "cbc:CreditNoteTypeCode"
        } else {
            "cbc:InvoiceTypeCode"
        });
        let credit = credit || type_code.is_some_and(|c| c.text() == "381");
        let stated_code = stated_type_code(type_code, credit)?;
        let currency_el = root.req("cbc:DocumentCurrencyCode")?;
        let currency = Currency::from_code(currency_el.text())
            .map_err(|e| currency_el.invalid(currency_el.text(), e))?;
        let dp = currency.minor_units();

        let seller = party(&root.req("cac:AccountingSupplierParty")?.req("cac:Party")?)?;
        let buyer = party(&root.req("cac:AccountingCustomerParty")?.req("cac:Party")?)?;
        let mut builder = options
            .builder(currency, seller, buyer)
            .issued(number, issue_date);
        if let Some(code) = stated_code {
            builder = builder.type_code(code);
        }
        if let Some(representative) = root.child("cac:TaxRepresentativeParty") {
            builder = builder.tax_representative(tax_representative(&representative)?);
        }
        if let Some(customization) = root.child("cbc:CustomizationID") {
            let process = root.opt_text("cbc:ProfileID");
            if let Some(spec) = specification(&customization, process)? {
                builder = builder.specification(spec);
            }
        }

        let due = match root.child("cbc:DueDate") {
            Some(due) => Some(due.date(DATE)?),
            None => match root
                .children("cac:PaymentMeans")
                .find_map(|pm| pm.child("cbc:PaymentDueDate"))
            {
                Some(due) => Some(due.date(DATE)?),
                None => None,
            },
        };
        if let Some(due) = due {
            builder = builder.due_date(due);
        }
        for (index, note) in root.children("cbc:Note").enumerate() {
            let (code, text) = subject_code(note.text());
            if let Some(mut note) = options.note(index, text, issue_date) {
                if let Some(code) = code {
                    note = note.with_subject_code(code);
                }
                builder = builder.note(note);
            }
        }
        if let Some(date) = root.child("cbc:TaxPointDate") {
            builder = builder.tax_point_date(date.date(DATE)?);
        }
        if let Some(code) = root
            .child("cac:InvoicePeriod")
            .and_then(|p| p.opt_text("cbc:DescriptionCode"))
        {
            builder = builder.vat_point_date_code(code);
        }
        if let Some(payee) = root.child("cac:PayeeParty") {
            builder = builder.payee(read_payee(&payee)?);
        }
        // BT-90: a party identification of scheme SEPA, of the payee or else the seller.
        let creditor_id = ["cac:PayeeParty", "cac:AccountingSupplierParty"]
            .into_iter()
            .filter_map(|party| {
                let party = root.child(party)?;
                let party = party.child("cac:Party").unwrap_or(party);
                party
                    .children("cac:PartyIdentification")
                    .filter_map(|p| p.child("cbc:ID"))
                    .find(|id| id.attr("schemeID") == Some("SEPA") && !id.text().is_empty())
            })
            .next();
        if let Some(id) = creditor_id {
            builder = builder.creditor_id(id.text());
        }
        if let Some(reference) = root.opt_text("cbc:BuyerReference") {
            builder = builder.buyer_reference(reference);
        }
        let order = root.child("cac:OrderReference");
        let sales_order = order.and_then(|o| o.opt_text("cbc:SalesOrderID"));
        if let Some(id) = order.and_then(|o| o.opt_text("cbc:ID")) {
            // `NA` beside a sales order stands for no purchase order (see the writer).
            if !(id == NO_ORDER && sales_order.is_some()) {
                builder = builder.order_reference(id);
            }
        }
        builder = builder.references(references(&root, sales_order)?);
        // BG-3: a credit note's first is the invoice it corrects.
        let mut preceding = root
            .children("cac:BillingReference")
            .filter_map(|b| b.child("cac:InvoiceDocumentReference"))
            .map(|r| invoice_reference(&r))
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        if credit {
            builder = builder.credit_note(preceding.next());
        }
        for reference in preceding {
            builder = builder.preceding_invoice(reference);
        }
        if let Some(period) = root.child("cac:InvoicePeriod") {
            // An invoicing period that only carries BT-8 (written for it) is no period.
            let read = invoice_period(&period)?;
            let only_code = read.start().is_none()
                && read.end().is_none()
                && period.child("cbc:DescriptionCode").is_some();
            if !only_code {
                builder = builder.period(read);
            }
        }
        if let Some(el) = root.child("cac:Delivery") {
            let mut delivery = Delivery::new();
            if let Some(date) = el.child("cbc:ActualDeliveryDate") {
                delivery = delivery.with_date(date.date(DATE)?);
            }
            if let Some(address) = el.descend(&["cac:DeliveryLocation", "cac:Address"]) {
                delivery = delivery.with_address(read_address(&address)?);
            }
            if let Some(id) = el
                .descend(&["cac:DeliveryLocation", "cbc:ID"])
                .filter(|id| !id.text().is_empty())
            {
                let scheme = scheme_of(&id);
                delivery = delivery.with_location_id(id.text(), scheme);
            }
            if let Some(name) = el
                .descend(&["cac:DeliveryParty", "cac:PartyName"])
                .and_then(|p| p.opt_text("cbc:Name"))
            {
                delivery = delivery.with_party_name(name);
            }
            builder = builder.delivery(delivery);
        }
        for means in root.children("cac:PaymentMeans") {
            builder = builder.payment_means(payment_means(&means)?);
        }
        if let Some(terms) = root
            .children("cac:PaymentTerms")
            .find_map(|t| t.opt_text("cbc:Note"))
        {
            builder = builder.payment_terms(terms);
        }

        let quantity_name = if root.local_name() == "CreditNote" {
            "cbc:CreditedQuantity"
        } else {
            "cbc:InvoicedQuantity"
        };
        let line_name = if root.local_name() == "CreditNote" {
            "cac:CreditNoteLine"
        } else {
            "cac:InvoiceLine"
        };
        let tree_lines = root.children(line_name).map(|el| line(el, quantity_name));
        let lines = document_lines(streamed, tree_lines, dp)?;
        let mut document_acs = Vec::new();
        for el in root.children("cac:AllowanceCharge") {
            document_acs.push(allowance_charge(el, true)?.stated()?);
        }
        if let Some(code) = root.child("cbc:TaxCurrencyCode") {
            let amounts = root
                .children("cac:TaxTotal")
                .filter_map(|t| t.child("cbc:TaxAmount"));
            let accounting = vat_accounting(&code, amounts, || {
                format!("{}/cac:TaxTotal/cbc:TaxAmount[@currencyID]", root.path())
            })?;
            builder = builder.vat_accounting(accounting);
        }
        let mut breakdown = Vec::new();
        for total in root.children("cac:TaxTotal") {
            for subtotal in total.children("cac:TaxSubtotal") {
                let category = subtotal.req("cac:TaxCategory")?;
                breakdown.push(StatedBreakdown {
                    vat: vat(category)?.vat()?,
                    taxable_amount: subtotal.opt_decimal("cbc:TaxableAmount")?,
                    rate_stated: category.opt_text("cbc:Percent").is_some(),
                    tax_amount: subtotal.opt_decimal("cbc:TaxAmount")?,
                    exemption: exemption(&category),
                });
            }
        }
        if let Some(monetary) = root.child("cac:LegalMonetaryTotal") {
            if let Some(prepaid) = monetary.opt_decimal("cbc:PrepaidAmount")? {
                builder = builder.prepaid_amount(prepaid);
            }
            if let Some(rounding) = monetary.opt_decimal("cbc:PayableRoundingAmount")? {
                builder = builder.stated_rounding_amount(rounding);
            }
        }
        finish(builder, dp, lines, document_acs, &breakdown)
    }
}

fn invoice_reference(el: &El<'_, '_>) -> Result<InvoiceReference> {
    let id = el.req("cbc:ID")?;
    let number = InvoiceNumber::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
    let mut reference = InvoiceReference::new(number);
    if let Some(date) = el.child("cbc:IssueDate") {
        reference = reference.with_issue_date(date.date(DATE)?);
    }
    Ok(reference)
}

fn party(el: &El<'_, '_>) -> Result<Party> {
    let legal_name = el
        .child("cac:PartyLegalEntity")
        .and_then(|l| l.opt_text("cbc:RegistrationName"));
    let party_name = el
        .children("cac:PartyName")
        .find_map(|p| p.opt_text("cbc:Name"));
    let (name, trading_name) = match (legal_name, party_name) {
        (Some(legal), trading) => (legal, trading),
        (None, Some(name)) => (name, None),
        (None, None) => {
            return Err(Error::Missing {
                path: format!("{}/cac:PartyLegalEntity/cbc:RegistrationName", el.path()),
            })
        }
    };
    let address = read_address(&el.req("cac:PostalAddress")?)?;
    let mut party = Party::new(name, address);
    if let Some(trading) = trading_name {
        party = party.with_trading_name(trading);
    }
    // The SEPA creditor id (BT-90) shares the element; it is not a party identifier.
    if let Some(id) = el
        .children("cac:PartyIdentification")
        .filter_map(|p| p.child("cbc:ID"))
        .find(|id| id.attr("schemeID") != Some("SEPA") && !id.text().is_empty())
    {
        party = party.with_identifier(id.text());
        if let Some(scheme) = scheme_of(&id) {
            party = party.with_identifier_scheme(scheme);
        }
    }
    if let Some(vat_id) = el
        .children("cac:PartyTaxScheme")
        .filter(|s| {
            s.descend(&["cac:TaxScheme", "cbc:ID"])
                .is_some_and(|id| id.text() == "VAT")
        })
        .find_map(|s| s.opt_text("cbc:CompanyID"))
    {
        party = party.with_vat_id(vat_id);
    }
    // BT-32: a tax scheme other than VAT.
    if let Some(id) = el
        .children("cac:PartyTaxScheme")
        .filter(|s| {
            s.descend(&["cac:TaxScheme", "cbc:ID"])
                .is_some_and(|id| id.text() != "VAT")
        })
        .find_map(|s| s.opt_text("cbc:CompanyID"))
    {
        party = party.with_tax_registration_id(id);
    }
    if let Some(legal_id) = el
        .child("cac:PartyLegalEntity")
        .and_then(|l| l.child("cbc:CompanyID"))
        .filter(|id| !id.text().is_empty())
    {
        party = party.with_legal_id(legal_id.text());
        if let Some(scheme) = scheme_of(&legal_id) {
            party = party.with_legal_id_scheme(scheme);
        }
    }
    if let Some(form) = el
        .child("cac:PartyLegalEntity")
        .and_then(|l| l.opt_text("cbc:CompanyLegalForm"))
    {
        party = party.with_additional_legal_info(form);
    }
    if let Some(endpoint) = el.child("cbc:EndpointID") {
        if let Some(address) = electronic_address(&endpoint)? {
            party = party.with_electronic_address(address);
        }
    }
    if let Some(contact) = el.child("cac:Contact") {
        let name = contact.opt_text("cbc:Name");
        let phone = contact.opt_text("cbc:Telephone");
        let email = contact.opt_text("cbc:ElectronicMail");
        if name.is_some() || phone.is_some() || email.is_some() {
            let mut c = Contact::new();
            if let Some(name) = name {
                c = c.with_name(name);
            }
            if let Some(phone) = phone {
                c = c.with_phone(phone);
            }
            if let Some(email) = email {
                c = c.with_email(email);
            }
            party = party.with_contact(c);
        }
    }
    Ok(party)
}

fn read_address(postal: &El<'_, '_>) -> Result<Address> {
    let country_el = postal.req("cac:Country")?.req("cbc:IdentificationCode")?;
    let country = CountryCode::new(country_el.text())
        .map_err(|e| country_el.invalid(country_el.text(), e))?;
    let mut address = Address::new(country);
    let lines: Vec<Option<&str>> = [
        postal.opt_text("cbc:StreetName"),
        postal.opt_text("cbc:AdditionalStreetName"),
    ]
    .into_iter()
    .chain(
        postal
            .children("cac:AddressLine")
            .map(|l| l.opt_text("cbc:Line")),
    )
    .collect();
    for line in crate::import::positional_lines(&lines) {
        address = address.with_line(line);
    }
    if let Some(city) = postal.opt_text("cbc:CityName") {
        address = address.with_city(city);
    }
    if let Some(code) = postal.opt_text("cbc:PostalZone") {
        address = address.with_postal_code(code);
    }
    if let Some(subdivision) = postal.opt_text("cbc:CountrySubentity") {
        address = address.with_subdivision(subdivision);
    }
    Ok(address)
}

fn payment_means(el: &El<'_, '_>) -> Result<PaymentMeans> {
    let code = el.req("cbc:PaymentMeansCode")?;
    if code.text().is_empty() {
        return Err(Error::Missing { path: code.path() });
    }
    let mut means = PaymentMeans::new(code.text());
    if let Some(text) = code.attr("name").filter(|t| !t.is_empty()) {
        means = means.with_text(text);
    }
    if let Some(id) = el.opt_text("cbc:PaymentID") {
        means = means.with_remittance_information(id);
    }
    if let Some(card) = el.child("cac:CardAccount") {
        let number = card.req("cbc:PrimaryAccountNumberID")?;
        let mut read = PaymentCard::new(number.text());
        if let Some(holder) = card.opt_text("cbc:HolderName") {
            read = read.with_holder(holder);
        }
        means = means.with_card(read);
    }
    if let Some(account) = el.child("cac:PayeeFinancialAccount") {
        if let Some(id) = account.opt_text("cbc:ID") {
            means = means.with_account_id(id);
        }
        if let Some(name) = account.opt_text("cbc:Name") {
            means = means.with_account_name(name);
        }
        if let Some(bic) = account
            .child("cac:FinancialInstitutionBranch")
            .and_then(|b| b.opt_text("cbc:ID"))
        {
            means = means.with_provider_id(bic);
        }
    }
    if let Some(mandate) = el.child("cac:PaymentMandate") {
        if let Some(id) = mandate.opt_text("cbc:ID") {
            means = means.with_mandate_id(id);
        }
        if let Some(account) = mandate
            .child("cac:PayerFinancialAccount")
            .and_then(|a| a.opt_text("cbc:ID"))
        {
            means = means.with_debited_account_id(account);
        }
    }
    Ok(means)
}

/// A VAT category and rate (`cbc:ID`, `cbc:Percent`).
fn vat<'d, 'a>(el: El<'d, 'a>) -> Result<VatFields<'d, El<'d, 'a>>> {
    Ok(VatFields {
        category: Located::of(el.req("cbc:ID")?),
        rate: el.child("cbc:Percent").map(Located::of),
    })
}

fn exemption(el: &El<'_, '_>) -> Option<VatExemption> {
    let code = el.opt_text("cbc:TaxExemptionReasonCode");
    let reason = el.opt_text("cbc:TaxExemptionReason");
    match (reason, code) {
        (Some(reason), Some(code)) => Some(VatExemption::reason(reason).with_code(code)),
        (Some(reason), None) => Some(VatExemption::reason(reason)),
        (None, Some(code)) => Some(VatExemption::code(code)),
        (None, None) => None,
    }
}

fn allowance_charge<'d, 'a>(
    el: El<'d, 'a>,
    document_level: bool,
) -> Result<AllowanceChargeFields<'d, El<'d, 'a>>> {
    let indicator = Located::of(el.req("cbc:ChargeIndicator")?);
    let vat = if document_level {
        Some(vat(el.req("cac:TaxCategory")?)?)
    } else {
        None
    };
    Ok(AllowanceChargeFields {
        indicator,
        amount: Located::of(el.req("cbc:Amount")?),
        percent: el.child("cbc:MultiplierFactorNumeric").map(Located::of),
        base: el.child("cbc:BaseAmount").map(Located::of),
        reason: text_of(el.child("cbc:AllowanceChargeReason")),
        reason_code: text_of(el.child("cbc:AllowanceChargeReasonCode")),
        vat,
    })
}

/// A line (`cac:InvoiceLine` or `cac:CreditNoteLine`) from the tree.
fn line<'d, 'a>(el: El<'d, 'a>, quantity_name: &'static str) -> Result<LineFields<'d, El<'d, 'a>>> {
    let id = Located::of(el.req("cbc:ID")?);
    let quantity = el.req(quantity_name)?;
    let net = Located::of(el.req("cbc:LineExtensionAmount")?);
    let item = el.req("cac:Item")?;
    let name = Located::of(item.req("cbc:Name")?);
    let vat = vat(item.req("cac:ClassifiedTaxCategory")?)?;
    let price = el.req("cac:Price")?;
    Ok(LineFields {
        id,
        unit: Cow::Borrowed(quantity.attr("unitCode").unwrap_or_default()),
        quantity: Located::of(quantity),
        net,
        name,
        description: text_of(item.child("cbc:Description")),
        vat,
        price: Located::of(price.req("cbc:PriceAmount")?),
        base_quantity: price.child("cbc:BaseQuantity").map(Located::of),
        base_quantity_unit: price
            .child("cbc:BaseQuantity")
            .and_then(|q| q.attr("unitCode"))
            .map(Cow::Borrowed),
        gross: price
            .child("cac:AllowanceCharge")
            .and_then(|ac| ac.child("cbc:BaseAmount"))
            .map(Located::of),
        price_discount: price
            .child("cac:AllowanceCharge")
            .and_then(|ac| ac.child("cbc:Amount"))
            .map(Located::of),
        allowances_charges: el
            .children("cac:AllowanceCharge")
            .map(|ac| allowance_charge(ac, false))
            .collect::<Result<_>>()?,
        details: line_details(&el, &item)?,
    })
}

/// The document references besides BT-10 and BT-13, with the sales order `sales_order`
/// the caller read from `cac:OrderReference`.
fn references(root: &El<'_, '_>, sales_order: Option<&str>) -> Result<DocumentReferences> {
    let id_of = |element: &'static str| root.child(element).and_then(|r| r.opt_text("cbc:ID"));
    let mut references = DocumentReferences::new();
    if let Some(cost) = root.opt_text("cbc:AccountingCost") {
        references = references.with_accounting_reference(cost);
    }
    if let Some(order) = sales_order {
        references = references.with_sales_order(order);
    }
    if let Some(id) = id_of("cac:DespatchDocumentReference") {
        references = references.with_despatch_advice(id);
    }
    if let Some(id) = id_of("cac:ReceiptDocumentReference") {
        references = references.with_receiving_advice(id);
    }
    if let Some(id) = id_of("cac:OriginatorDocumentReference") {
        references = references.with_tender_or_lot(id);
    }
    if let Some(id) = id_of("cac:ContractDocumentReference") {
        references = references.with_contract(id);
    }
    if let Some(id) = id_of("cac:ProjectReference") {
        references = references.with_project(id);
    }
    for document in root.children("cac:AdditionalDocumentReference") {
        let id = document.req("cbc:ID")?;
        match document.opt_text("cbc:DocumentTypeCode") {
            Some(INVOICED_OBJECT) => {
                let scheme = scheme_of(&id);
                references =
                    references.with_invoiced_object(InvoicedObject::new(id.text(), scheme));
            }
            Some(PROJECT) => references = references.with_project(id.text()),
            _ => {
                let mut supporting =
                    SupportingDocument::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
                if let Some(description) = document.opt_text("cbc:DocumentDescription") {
                    supporting = supporting.with_description(description);
                }
                if let Some(attached) = document.child("cac:Attachment") {
                    if let Some(file) = attached.child("cbc:EmbeddedDocumentBinaryObject") {
                        supporting = supporting.with_attachment(attachment(&file)?);
                    }
                    if let Some(uri) = attached
                        .child("cac:ExternalReference")
                        .and_then(|r| r.opt_text("cbc:URI"))
                    {
                        supporting = supporting.with_uri(uri);
                    }
                }
                references = references.with_supporting_document(supporting);
            }
        }
    }
    Ok(references)
}

/// A note's subject code (BT-21) and text: UBL writes the code as a `#CODE#` prefix
/// (three upper-case letters, UNTDID 4451) of the note.
fn subject_code(note: &str) -> (Option<&str>, &str) {
    let bytes = note.as_bytes();
    if bytes.len() >= 5
        && bytes[0] == b'#'
        && bytes[4] == b'#'
        && bytes[1..4].iter().all(u8::is_ascii_uppercase)
    {
        (Some(&note[1..4]), &note[5..])
    } else {
        (None, note)
    }
}

/// A `cac:PayeeParty` (BG-10).
fn read_payee(el: &El<'_, '_>) -> Result<Payee> {
    let name = el.req("cac:PartyName")?.req("cbc:Name")?;
    let mut payee = Payee::new(name.text()).map_err(|e| name.invalid(name.text(), e))?;
    // The SEPA creditor id (BT-90) shares the element; the invoice reads it.
    if let Some(id) = el
        .children("cac:PartyIdentification")
        .filter_map(|p| p.child("cbc:ID"))
        .find(|id| id.attr("schemeID") != Some("SEPA") && !id.text().is_empty())
    {
        let scheme = scheme_of(&id);
        payee = payee.with_identifier(id.text(), scheme);
    }
    if let Some(id) = el
        .child("cac:PartyLegalEntity")
        .and_then(|l| l.child("cbc:CompanyID"))
        .filter(|id| !id.text().is_empty())
    {
        let scheme = scheme_of(&id);
        payee = payee.with_legal_id(id.text(), scheme);
    }
    Ok(payee)
}

/// A `cac:TaxRepresentativeParty` (BG-11).
fn tax_representative(el: &El<'_, '_>) -> Result<TaxRepresentative> {
    let name = el.req("cac:PartyName")?.req("cbc:Name")?;
    let vat_id = el
        .children("cac:PartyTaxScheme")
        .find_map(|s| s.child("cbc:CompanyID"))
        .ok_or_else(|| Error::Missing {
            path: el.child_path("cac:PartyTaxScheme/cbc:CompanyID"),
        })?;
    let address = read_address(&el.req("cac:PostalAddress")?)?;
    TaxRepresentative::new(name.text(), vat_id.text(), address)
        .map_err(|e| el.invalid(name.text(), e))
}

/// A `cac:InvoicePeriod` (BG-14, BG-26): its start and end dates.
fn invoice_period(period: &El<'_, '_>) -> Result<InvoicePeriod> {
    let mut p = InvoicePeriod::new();
    if let Some(start) = period.child("cbc:StartDate") {
        p = p.with_start(start.date(DATE)?);
    }
    if let Some(end) = period.child("cbc:EndDate") {
        p = p.with_end(end.date(DATE)?);
    }
    Ok(p)
}

/// What a line states besides its amounts (BT-127, BG-26, BT-132, BT-133, BT-155 to
/// BT-159, BG-32).
fn line_details(line: &El<'_, '_>, item: &El<'_, '_>) -> Result<LineDetails> {
    let mut details = LineDetails::new();
    if let Some(note) = line.opt_text("cbc:Note") {
        details = details.with_note(note);
    }
    if let Some(cost) = line.opt_text("cbc:AccountingCost") {
        details = details.with_accounting_reference(cost);
    }
    if let Some(period) = line.child("cac:InvoicePeriod") {
        details = details.with_period(invoice_period(&period)?);
    }
    // The only document a line refers to in EN 16931 is its object (BT-128): type 130,
    // which older documents leave out.
    if let Some(id) = line
        .children("cac:DocumentReference")
        .find(|r| {
            r.opt_text("cbc:DocumentTypeCode")
                .is_none_or(|c| c == INVOICED_OBJECT)
        })
        .and_then(|r| r.child("cbc:ID"))
        .filter(|id| !id.text().is_empty())
    {
        let scheme = scheme_of(&id);
        details = details.with_object_id(InvoicedObject::new(id.text(), scheme));
    }
    if let Some(order_line) = line
        .child("cac:OrderLineReference")
        .and_then(|r| r.opt_text("cbc:LineID"))
    {
        details = details.with_order_line_reference(order_line);
    }
    if let Some(id) = item
        .child("cac:BuyersItemIdentification")
        .and_then(|i| i.opt_text("cbc:ID"))
    {
        details = details.with_buyer_item_id(id);
    }
    if let Some(id) = item
        .child("cac:SellersItemIdentification")
        .and_then(|i| i.opt_text("cbc:ID"))
    {
        details = details.with_seller_item_id(id);
    }
    if let Some(id) = item
        .child("cac:StandardItemIdentification")
        .and_then(|i| i.child("cbc:ID"))
        .filter(|id| !id.text().is_empty())
    {
        details = details.with_standard_item_id(schemed_id(&id)?);
    }
    if let Some(code) = item
        .child("cac:OriginCountry")
        .and_then(|c| c.child("cbc:IdentificationCode"))
    {
        details = details.with_origin_country(country(&code)?);
    }
    for code in item
        .children("cac:CommodityClassification")
        .filter_map(|c| c.child("cbc:ItemClassificationCode"))
    {
        details = details.with_classification(classification(&code)?);
    }
    for property in item.children("cac:AdditionalItemProperty") {
        let name = property
            .child("cbc:Name")
            .map(|n| n.text())
            .unwrap_or_default();
        let value = property
            .child("cbc:Value")
            .map(|v| v.text())
            .unwrap_or_default();
        details = details.with_attribute(ItemAttribute::new(name, value));
    }
    Ok(details)
}

/// Where UBL's lines stand (`cac:InvoiceLine`, or `cac:CreditNoteLine` in a credit
/// note, children of the root) and what the streaming pass reads of them: what
/// [`line()`] reads from the tree.
#[derive(Debug, Default)]
pub(crate) struct UblLines {
    credit_note: bool,
}

/// The groups of a UBL line the streaming pass enters.
const ITEM: u8 = 0;
const PRICE: u8 = 1;
const TAX_CATEGORY: u8 = 2;
const PRICE_ALLOWANCE: u8 = 3;

impl LineSyntax for UblLines {
    fn is_line(&mut self, parent: El<'_, '_>, local: &[u8]) -> bool {
        if parent.parent().is_some() {
            return false;
        }
        self.credit_note = parent.local_name() == "CreditNote";
        local
            == if self.credit_note {
                &b"CreditNoteLine"[..]
            } else {
                &b"InvoiceLine"[..]
            }
    }

    fn child(&self, parent: Part, local: &[u8]) -> Part {
        match (parent, local) {
            (Part::Line, b"ID") => Part::Value(Field::Id),
            (Part::Line, b"InvoicedQuantity") if !self.credit_note => Part::Value(Field::Quantity),
            (Part::Line, b"CreditedQuantity") if self.credit_note => Part::Value(Field::Quantity),
            (Part::Line, b"LineExtensionAmount") => Part::Value(Field::Net),
            (Part::Line, b"AllowanceCharge") => Part::AllowanceCharge,
            (Part::Line, b"Item") => Part::Group(ITEM),
            (Part::Line, b"Price") => Part::Group(PRICE),
            (
                Part::Line,
                b"Note"
                | b"AccountingCost"
                | b"InvoicePeriod"
                | b"OrderLineReference"
                | b"DocumentReference",
            ) => Part::Declined,
            (
                Part::Group(ITEM),
                b"BuyersItemIdentification"
                | b"SellersItemIdentification"
                | b"StandardItemIdentification"
                | b"OriginCountry"
                | b"CommodityClassification"
                | b"AdditionalItemProperty",
            ) => Part::Declined,
            (Part::Group(ITEM), b"Name") => Part::Value(Field::Name),
            (Part::Group(ITEM), b"Description") => Part::Value(Field::Description),
            (Part::Group(ITEM), b"ClassifiedTaxCategory") => Part::Group(TAX_CATEGORY),
            (Part::Group(TAX_CATEGORY), b"ID") => Part::Value(Field::VatCategory),
            (Part::Group(TAX_CATEGORY), b"Percent") => Part::Value(Field::VatRate),
            (Part::Group(PRICE), b"PriceAmount") => Part::Value(Field::Price),
            (Part::Group(PRICE), b"BaseQuantity") => Part::Value(Field::BaseQuantity),
            (Part::Group(PRICE), b"AllowanceCharge") => Part::Group(PRICE_ALLOWANCE),
            (Part::Group(PRICE_ALLOWANCE), b"BaseAmount") => Part::Value(Field::Gross),
            (Part::Group(PRICE_ALLOWANCE), b"Amount") => Part::Value(Field::PriceDiscount),
            (Part::AllowanceCharge, b"ChargeIndicator") => Part::Value(Field::ChargeIndicator),
            (Part::AllowanceCharge, b"Amount") => Part::Value(Field::Amount),
            (Part::AllowanceCharge, b"MultiplierFactorNumeric") => Part::Value(Field::Percent),
            (Part::AllowanceCharge, b"BaseAmount") => Part::Value(Field::Base),
            (Part::AllowanceCharge, b"AllowanceChargeReason") => Part::Value(Field::Reason),
            (Part::AllowanceCharge, b"AllowanceChargeReasonCode") => Part::Value(Field::ReasonCode),
            _ => Part::Skipped,
        }
    }
}
