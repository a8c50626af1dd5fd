//! The CII reader.

use std::borrow::Cow;
use std::io::Read;

use invoice_core::{
    Address, Contact, CountryCode, Currency, Delivery, DocumentReferences, Invoice, InvoiceNumber,
    InvoicePeriod, InvoiceReference, InvoicedObject, ItemAttribute, LineDetails, Party, Payee,
    PaymentCard, PaymentMeans, SupportingDocument, TaxRepresentative, VatExemption,
};

use super::{DATE, INVOICED_OBJECT, NS_RSM, TENDER};
use crate::error::{Error, Result};
use crate::import::{
    attachment, classification, country, document_lines, electronic_address, finish,
    read_document_text, read_reporting, scheme_of, schemed_id, specification, stated_type_code,
    text_of, vat_accounting, AllowanceChargeFields, DocumentSyntax, Field, ImportOptions, Imported,
    LineFields, LineSyntax, Located, Part, StatedBreakdown, StreamedLines, VatFields,
    CREDIT_NOTE_CODES,
};
use crate::xml::{input_text, read_input, Doc, El};

/// Reads a UN/CEFACT CII D16B `CrossIndustryInvoice` (Factur-X, ZUGFeRD, XRechnung)
/// into an issued [`Invoice`].
///
/// Safety and the rules of what is kept are those of [`read_ubl`](crate::read_ubl).
/// Type codes 381 (credit note) become credit notes, every other code an invoice
/// (380). The document-level payment reference (BT-83) and direct debit mandate go to
/// the first payment means; dates must use format 102 (`YYYYMMDD`).
///
/// # Errors
///
/// As [`read_ubl`](crate::read_ubl), with [`Error::UnexpectedRoot`] for anything but
/// a `CrossIndustryInvoice` in the D16B namespace.
///
/// # Examples
///
/// ```
/// use invoice_core::{InvoiceId, TenantId};
/// use invoice_export::{read_cii, Error, ImportOptions};
/// use uuid::Uuid;
///
/// let options = ImportOptions::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?);
/// let xml = r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>"#;
/// match read_cii(xml.as_bytes(), &options) {
///     Err(Error::Missing { path }) => assert_eq!(path, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_cii<R: Read>(input: R, options: &ImportOptions) -> Result<Invoice> {
    let text = read_input(input, options.limits())?;
    read_document_text::<Cii>(&text, options)
}

/// Reads a CII document that is already in memory, as [`read_cii`] reads one from a
/// reader, without copying it first: for a request body or a stored object at hand.
///
/// # Errors
///
/// As [`read_cii`].
///
/// # Examples
///
/// ```
/// use invoice_core::{InvoiceId, TenantId};
/// use invoice_export::{read_cii, read_cii_slice, ImportOptions};
/// use uuid::Uuid;
///
/// let options = ImportOptions::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?);
/// let body: &[u8] = b"<Invoice/>";
/// assert_eq!(
///     read_cii_slice(body, &options).unwrap_err().to_string(),
///     read_cii(body, &options).unwrap_err().to_string(),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_cii_slice(input: &[u8], options: &ImportOptions) -> Result<Invoice> {
    read_document_text::<Cii>(input_text(input, options.limits())?, options)
}

/// Reads a CII document as [`read_cii_slice`] does, and reports every element the
/// model has no place for ([`ImportWarning::Unmapped`](crate::ImportWarning::Unmapped), with its path): what the
/// invoice read leaves out of the document, never dropped without a word. The
/// document is read as an element tree (the reference reader), without the streaming
/// pass.
///
/// # Errors
///
/// As [`read_cii`].
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_export::{read_cii_with_warnings, ImportOptions, ImportWarning};
/// use rust_decimal::Decimal;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?, Currency::EUR,
///         Party::new("Seller", de.clone()).with_vat_id("DE123456789"), Party::new("Buyer", de))
///     .issued(InvoiceNumber::new("INV-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .line(LineItem::new("1", "Tea", Decimal::new(2, 0), UnitCode::piece(),
///         Decimal::new(450, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let mut document = String::from_utf8(invoice_export::write_cii(Vec::new(), &invoice)?)?;
/// // An element the model does not map.
/// document = document.replacen("<ram:InvoiceCurrencyCode>", "<ram:InvoiceIssuerReference>X-1</ram:InvoiceIssuerReference><ram:InvoiceCurrencyCode>", 1);
/// let options = ImportOptions::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?);
/// let imported = read_cii_with_warnings(document.as_bytes(), &options)?;
/// assert_eq!(imported.warnings, vec![ImportWarning::Unmapped { path: "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:InvoiceIssuerReference".into() }]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_cii_with_warnings(input: &[u8], options: &ImportOptions) -> Result<Imported> {
    read_reporting::<Cii>(input_text(input, options.limits())?, options)
}

/// CII as the readers share it.
#[derive(Debug)]
pub(crate) struct Cii;

impl DocumentSyntax for Cii {
    type Lines = CiiLines;

    /// BT-106…BT-115 (the header monetary summation) and the breakdown's taxable amounts
    /// (BT-116, `ram:BasisAmount`): recomputed, and checked by `Invoice::validate`
    /// against the lines; the fixed `VAT` type codes; the price discount's indicator and
    /// the gross price's repeated base quantity; the project name CII requires.
    const DERIVED: &'static [&'static str] = &[
        "SpecifiedTradeSettlementHeaderMonetarySummation/*",
        "ApplicableHeaderTradeSettlement/ApplicableTradeTax/BasisAmount",
        // The type of a VAT category is always `VAT` (no business term).
        "ApplicableTradeTax/TypeCode",
        "CategoryTradeTax/TypeCode",
        // The price discount (BT-147) is an allowance (its indicator always false), read
        // as stated; the gross price's base quantity repeats the net price's (BT-149).
        "AppliedTradeAllowanceCharge/ChargeIndicator",
        "GrossPriceProductTradePrice/BasisQuantity",
        // CII requires a project name; EN 16931 has only the project reference (BT-11).
        "SpecifiedProcuringProject/Name",
    ];

    /// The invoice in `doc`, with its lines from `streamed` when the streaming pass read
    /// them, else from the tree.
    fn read_document<'a>(
        doc: &Doc<'a>,
        options: &ImportOptions,
        streamed: Option<StreamedLines<'a>>,
    ) -> Result<Invoice> {
        let root = doc.root();
        let prefix = root.name().split_once(':').map_or("", |(p, _)| p);
        if root.local_name() != "CrossIndustryInvoice"
            || root.namespace_declaration(prefix) != Some(NS_RSM)
        {
            return Err(Error::UnexpectedRoot {
                found: root.name().to_owned(),
                expected: "a CII D16B CrossIndustryInvoice",
            });
        }
        let document = root.req("rsm:ExchangedDocument")?;
        let transaction = root.req("rsm:SupplyChainTradeTransaction")?;
        let agreement = transaction.req("ram:ApplicableHeaderTradeAgreement")?;
        let settlement = transaction.req("ram:ApplicableHeaderTradeSettlement")?;

        let id = document.req("ram:ID")?;
        let number = InvoiceNumber::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
        let issue_date = date(&document.req("ram:IssueDateTime")?)?;
        let type_code = document.child("ram:TypeCode");
        let credit = type_code.is_some_and(|c| CREDIT_NOTE_CODES.contains(&c.text()));
        let stated_code = stated_type_code(type_code, credit)?;
        let currency_el = settlement.req("ram:InvoiceCurrencyCode")?;
        let currency = Currency::from_code(currency_el.text())
            .map_err(|e| currency_el.invalid(currency_el.text(), e))?;
        let dp = currency.minor_units();

        let seller = party(&agreement.req("ram:SellerTradeParty")?)?;
        let buyer = party(&agreement.req("ram:BuyerTradeParty")?)?;
        let mut builder = options
            .builder(currency, seller, buyer)
            .issued(number, issue_date);
        if let Some(code) = stated_code {
            builder = builder.type_code(code);
        }
        if let Some(representative) = agreement.child("ram:SellerTaxRepresentativeTradeParty") {
            builder = builder.tax_representative(tax_representative(&representative)?);
        }
        if let Some(context) = root.child("rsm:ExchangedDocumentContext") {
            if let Some(guideline) = context
                .child("ram:GuidelineSpecifiedDocumentContextParameter")
                .and_then(|g| g.child("ram:ID"))
            {
                let process = context
                    .child("ram:BusinessProcessSpecifiedDocumentContextParameter")
                    .and_then(|p| p.opt_text("ram:ID"));
                if let Some(spec) = specification(&guideline, process)? {
                    builder = builder.specification(spec);
                }
            }
        }
        for (index, note) in document.children("ram:IncludedNote").enumerate() {
            let content = note
                .child("ram:Content")
                .map(|c| c.text())
                .unwrap_or_default();
            if let Some(mut read) = options.note(index, content, issue_date) {
                if let Some(code) = note.opt_text("ram:SubjectCode") {
                    read = read.with_subject_code(code);
                }
                builder = builder.note(read);
            }
        }
        if let Some(reference) = agreement.opt_text("ram:BuyerReference") {
            builder = builder.buyer_reference(reference);
        }
        if let Some(order) = agreement
            .child("ram:BuyerOrderReferencedDocument")
            .and_then(|o| o.opt_text("ram:IssuerAssignedID"))
        {
            builder = builder.order_reference(order);
        }
        let delivery = transaction.child("ram:ApplicableHeaderTradeDelivery");
        builder = builder.references(references(&agreement, delivery.as_ref(), &settlement)?);
        // BG-3: a credit note's first is the invoice it corrects.
        let mut preceding = settlement
            .children("ram:InvoiceReferencedDocument")
            .map(|reference| {
                let id = reference.req("ram:IssuerAssignedID")?;
                let number = InvoiceNumber::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
                let mut read = InvoiceReference::new(number);
                if let Some(issued) = reference.child("ram:FormattedIssueDateTime") {
                    read = read.with_issue_date(date(&issued)?);
                }
                Ok(read)
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        if credit {
            builder = builder.credit_note(preceding.next());
        }
        for reference in preceding {
            builder = builder.preceding_invoice(reference);
        }

        if let Some(period) = settlement.child("ram:BillingSpecifiedPeriod") {
            builder = builder.period(billing_period(&period)?);
        }
        if let Some(el) = transaction.child("ram:ApplicableHeaderTradeDelivery") {
            let mut delivery = Delivery::new();
            let mut any = false;
            if let Some(ship_to) = el.child("ram:ShipToTradeParty") {
                if let Some(name) = ship_to.opt_text("ram:Name") {
                    delivery = delivery.with_party_name(name);
                    any = true;
                }
                if let Some((id, scheme)) = trade_party_id(&ship_to) {
                    delivery = delivery.with_location_id(id, scheme);
                    any = true;
                }
                if let Some(address) = ship_to.child("ram:PostalTradeAddress") {
                    delivery = delivery.with_address(read_address(&address)?);
                    any = true;
                }
            }
            if let Some(event) = el.descend(&[
                "ram:ActualDeliverySupplyChainEvent",
                "ram:OccurrenceDateTime",
            ]) {
                delivery = delivery.with_date(date(&event)?);
                any = true;
            }
            if any {
                builder = builder.delivery(delivery);
            }
        }
        let terms = settlement.child("ram:SpecifiedTradePaymentTerms");
        let mut reference = settlement.opt_text("ram:PaymentReference");
        let mut mandate = terms.and_then(|t| t.opt_text("ram:DirectDebitMandateID"));
        for el in settlement.children("ram:SpecifiedTradeSettlementPaymentMeans") {
            let mut means = payment_means(&el)?;
            // BT-83 and BT-89 are per document in CII; the first means carries them.
            if let Some(reference) = reference.take() {
                means = means.with_remittance_information(reference);
            }
            if let Some(mandate) = mandate.take() {
                means = means.with_mandate_id(mandate);
            }
            builder = builder.payment_means(means);
        }
        if let Some(terms) = terms {
            if let Some(description) = terms.opt_text("ram:Description") {
                builder = builder.payment_terms(description);
            }
            if let Some(due) = terms.child("ram:DueDateDateTime") {
                builder = builder.due_date(date(&due)?);
            }
        }

        let tree_lines = transaction
            .children("ram:IncludedSupplyChainTradeLineItem")
            .map(line);
        let lines = document_lines(streamed, tree_lines, dp)?;
        let mut document_acs = Vec::new();
        for el in settlement.children("ram:SpecifiedTradeAllowanceCharge") {
            document_acs.push(allowance_charge(el, true)?.stated()?);
        }
        // BT-7 and BT-8 stand on each breakdown row; the first that states one is read.
        let rows = || settlement.children("ram:ApplicableTradeTax");
        let mut point = None;
        for el in rows().filter_map(|t| t.child("ram:TaxPointDate")) {
            let date = date_in(&el, "udt:DateString")?;
            match point {
                None => point = Some(date),
                Some(first) if first != date => {
                    return Err(el.invalid(
                        &date.to_string(),
                        "breakdown rows state different tax point dates; an invoice has one (BT-7)",
                    ))
                }
                Some(_) => {}
            }
        }
        if let Some(date) = point {
            builder = builder.tax_point_date(date);
        }
        let mut code = None;
        for el in rows().filter_map(|t| t.child("ram:DueDateTypeCode")) {
            match code {
                None => code = Some(el.text()),
                Some(first) if first != el.text() => {
                    return Err(el.invalid(
                        el.text(),
                        "breakdown rows state different VAT point date codes; an invoice has one (BT-8)",
                    ))
                }
                Some(_) => {}
            }
        }
        if let Some(code) = code.filter(|c| !c.is_empty()) {
            builder = builder.vat_point_date_code(super::vat_point_code_from_cii(code));
        }
        if let Some(payee) = settlement.child("ram:PayeeTradeParty") {
            builder = builder.payee(read_payee(&payee)?);
        }
        if let Some(id) = settlement.opt_text("ram:CreditorReferenceID") {
            builder = builder.creditor_id(id);
        }
        let mut breakdown = Vec::new();
        for tax in settlement.children("ram:ApplicableTradeTax") {
            breakdown.push(StatedBreakdown {
                vat: vat(tax, "ram:CategoryCode")?.vat()?,
                taxable_amount: tax.opt_decimal("ram:BasisAmount")?,
                rate_stated: tax.opt_text("ram:RateApplicablePercent").is_some(),
                tax_amount: tax.opt_decimal("ram:CalculatedAmount")?,
                exemption: exemption(&tax),
            });
        }
        let sums = settlement.child("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
        if let Some(code) = settlement.child("ram:TaxCurrencyCode") {
            let amounts = sums
                .iter()
                .flat_map(|sums| sums.children("ram:TaxTotalAmount"));
            let accounting = vat_accounting(&code, amounts, || {
                format!(
                    "{}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount[@currencyID]",
                    settlement.path()
                )
            })?;
            builder = builder.vat_accounting(accounting);
        }
        if let Some(sums) = sums {
            if let Some(prepaid) = sums.opt_decimal("ram:TotalPrepaidAmount")? {
                builder = builder.prepaid_amount(prepaid);
            }
            if let Some(rounding) = sums.opt_decimal("ram:RoundingAmount")? {
                builder = builder.stated_rounding_amount(rounding);
            }
        }
        finish(builder, dp, lines, document_acs, &breakdown)
    }
}

/// A date element holding `udt:DateTimeString` (or `qdt:`) in format 102.
fn date(el: &El<'_, '_>) -> Result<chrono::NaiveDate> {
    date_in(el, "udt:DateTimeString")
}

/// A date element holding `inner` (`udt:DateTimeString`, `udt:DateString`) in format 102.
fn date_in(el: &El<'_, '_>, inner: &'static str) -> Result<chrono::NaiveDate> {
    let string = el.req(inner)?;
    match string.attr("format") {
        None | Some("102") => string.date(DATE),
        Some(other) => Err(Error::InvalidValue {
            path: format!("{}/@format", string.path()),
            value: other.to_owned(),
            reason: "only date format 102 (YYYYMMDD) is read".to_owned(),
        }),
    }
}

fn party(el: &El<'_, '_>) -> Result<Party> {
    let name = el.req_text("ram:Name")?;
    let address = read_address(&el.req("ram:PostalTradeAddress")?)?;
    let mut party = Party::new(name, address);
    if let Some(description) = el.opt_text("ram:Description") {
        party = party.with_additional_legal_info(description);
    }
    if let Some((id, scheme)) = trade_party_id(el) {
        party = party.with_identifier(id);
        if let Some(scheme) = scheme {
            party = party.with_identifier_scheme(scheme);
        }
    }
    if let Some(legal) = el.child("ram:SpecifiedLegalOrganization") {
        if let Some(id) = legal.child("ram:ID").filter(|id| !id.text().is_empty()) {
            party = party.with_legal_id(id.text());
            if let Some(scheme) = scheme_of(&id) {
                party = party.with_legal_id_scheme(scheme);
            }
        }
        if let Some(trading) = legal.opt_text("ram:TradingBusinessName") {
            party = party.with_trading_name(trading);
        }
    }
    if let Some(vat_id) = el
        .children("ram:SpecifiedTaxRegistration")
        .filter_map(|r| r.child("ram:ID"))
        .find(|id| id.attr("schemeID") == Some("VA"))
        .map(|id| id.text())
        .filter(|id| !id.is_empty())
    {
        party = party.with_vat_id(vat_id);
    }
    if let Some(id) = el
        .children("ram:SpecifiedTaxRegistration")
        .filter_map(|r| r.child("ram:ID"))
        .find(|id| id.attr("schemeID") == Some("FC"))
        .map(|id| id.text())
        .filter(|id| !id.is_empty())
    {
        party = party.with_tax_registration_id(id);
    }
    if let Some(uri) = el
        .child("ram:URIUniversalCommunication")
        .and_then(|u| u.child("ram:URIID"))
    {
        if let Some(address) = electronic_address(&uri)? {
            party = party.with_electronic_address(address);
        }
    }
    if let Some(contact) = el.child("ram:DefinedTradeContact") {
        let name = contact.opt_text("ram:PersonName");
        let phone = contact
            .child("ram:TelephoneUniversalCommunication")
            .and_then(|t| t.opt_text("ram:CompleteNumber"));
        let email = contact
            .child("ram:EmailURIUniversalCommunication")
            .and_then(|t| t.opt_text("ram:URIID"));
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
    let country_el = postal.req("ram:CountryID")?;
    let country = CountryCode::new(country_el.text())
        .map_err(|e| country_el.invalid(country_el.text(), e))?;
    let mut address = Address::new(country);
    let lines = ["ram:LineOne", "ram:LineTwo", "ram:LineThree"].map(|l| postal.opt_text(l));
    for line in crate::import::positional_lines(&lines) {
        address = address.with_line(line);
    }
    if let Some(city) = postal.opt_text("ram:CityName") {
        address = address.with_city(city);
    }
    if let Some(code) = postal.opt_text("ram:PostcodeCode") {
        address = address.with_postal_code(code);
    }
    if let Some(subdivision) = postal.opt_text("ram:CountrySubDivisionName") {
        address = address.with_subdivision(subdivision);
    }
    Ok(address)
}

fn payment_means(el: &El<'_, '_>) -> Result<PaymentMeans> {
    let mut means = PaymentMeans::new(el.req_text("ram:TypeCode")?);
    if let Some(text) = el.opt_text("ram:Information") {
        means = means.with_text(text);
    }
    if let Some(card) = el.child("ram:ApplicableTradeSettlementFinancialCard") {
        let number = card.req("ram:ID")?;
        let mut read = PaymentCard::new(number.text());
        if let Some(holder) = card.opt_text("ram:CardholderName") {
            read = read.with_holder(holder);
        }
        means = means.with_card(read);
    }
    if let Some(account) = el.child("ram:PayeePartyCreditorFinancialAccount") {
        if let Some(id) = account
            .opt_text("ram:IBANID")
            .or_else(|| account.opt_text("ram:ProprietaryID"))
        {
            means = means.with_account_id(id);
        }
        if let Some(name) = account.opt_text("ram:AccountName") {
            means = means.with_account_name(name);
        }
    }
    if let Some(bic) = el
        .child("ram:PayeeSpecifiedCreditorFinancialInstitution")
        .and_then(|i| i.opt_text("ram:BICID"))
    {
        means = means.with_provider_id(bic);
    }
    if let Some(account) = el
        .child("ram:PayerPartyDebtorFinancialAccount")
        .and_then(|a| a.opt_text("ram:IBANID"))
    {
        means = means.with_debited_account_id(account);
    }
    Ok(means)
}

/// A VAT category (`category`) and rate (`ram:RateApplicablePercent`).
fn vat<'d, 'a>(el: El<'d, 'a>, category: &'static str) -> Result<VatFields<'d, El<'d, 'a>>> {
    Ok(VatFields {
        category: Located::of(el.req(category)?),
        rate: el.child("ram:RateApplicablePercent").map(Located::of),
    })
}

fn exemption(el: &El<'_, '_>) -> Option<VatExemption> {
    let code = el.opt_text("ram:ExemptionReasonCode");
    let reason = el.opt_text("ram:ExemptionReason");
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
    let indicator = Located::of(el.req("ram:ChargeIndicator")?.req("udt:Indicator")?);
    let vat = if document_level {
        Some(vat(el.req("ram:CategoryTradeTax")?, "ram:CategoryCode")?)
    } else {
        None
    };
    Ok(AllowanceChargeFields {
        indicator,
        amount: Located::of(el.req("ram:ActualAmount")?),
        percent: el.child("ram:CalculationPercent").map(Located::of),
        base: el.child("ram:BasisAmount").map(Located::of),
        reason: text_of(el.child("ram:Reason")),
        reason_code: text_of(el.child("ram:ReasonCode")),
        vat,
    })
}

/// A line (`ram:IncludedSupplyChainTradeLineItem`) from the tree.
fn line<'d, 'a>(el: El<'d, 'a>) -> Result<LineFields<'d, El<'d, 'a>>> {
    let id = Located::of(
        el.req("ram:AssociatedDocumentLineDocument")?
            .req("ram:LineID")?,
    );
    let product = el.req("ram:SpecifiedTradeProduct")?;
    let name = Located::of(product.req("ram:Name")?);
    let agreement = el.req("ram:SpecifiedLineTradeAgreement")?;
    let net_price = agreement.req("ram:NetPriceProductTradePrice")?;
    let price = Located::of(net_price.req("ram:ChargeAmount")?);
    let quantity = el
        .req("ram:SpecifiedLineTradeDelivery")?
        .req("ram:BilledQuantity")?;
    let settlement = el.req("ram:SpecifiedLineTradeSettlement")?;
    let vat = vat(
        settlement.req("ram:ApplicableTradeTax")?,
        "ram:CategoryCode",
    )?;
    let net = Located::of(
        settlement
            .req("ram:SpecifiedTradeSettlementLineMonetarySummation")?
            .req("ram:LineTotalAmount")?,
    );
    Ok(LineFields {
        id,
        unit: Cow::Borrowed(quantity.attr("unitCode").unwrap_or_default()),
        quantity: Located::of(quantity),
        net,
        name,
        description: text_of(product.child("ram:Description")),
        vat,
        price,
        base_quantity: net_price.child("ram:BasisQuantity").map(Located::of),
        base_quantity_unit: net_price
            .child("ram:BasisQuantity")
            .and_then(|q| q.attr("unitCode"))
            .map(Cow::Borrowed),
        gross: agreement
            .child("ram:GrossPriceProductTradePrice")
            .and_then(|gross| gross.child("ram:ChargeAmount"))
            .map(Located::of),
        price_discount: agreement
            .child("ram:GrossPriceProductTradePrice")
            .and_then(|gross| gross.child("ram:AppliedTradeAllowanceCharge"))
            .and_then(|ac| ac.child("ram:ActualAmount"))
            .map(Located::of),
        allowances_charges: settlement
            .children("ram:SpecifiedTradeAllowanceCharge")
            .map(|ac| allowance_charge(ac, false))
            .collect::<Result<_>>()?,
        details: line_details(&el, &product, &agreement, &settlement)?,
    })
}

/// The document references besides BT-10 and BT-13, from the header's agreement,
/// delivery and settlement.
fn references<'d, 'a>(
    agreement: &El<'d, 'a>,
    delivery: Option<&El<'d, 'a>>,
    settlement: &El<'d, 'a>,
) -> Result<DocumentReferences> {
    fn id_in<'d>(parent: Option<&El<'d, '_>>, element: &'static str) -> Option<&'d str> {
        parent
            .and_then(|p| p.child(element))
            .and_then(|r| r.opt_text("ram:IssuerAssignedID"))
    }
    let mut references = DocumentReferences::new();
    if let Some(id) = id_in(Some(agreement), "ram:SellerOrderReferencedDocument") {
        references = references.with_sales_order(id);
    }
    if let Some(id) = id_in(Some(agreement), "ram:ContractReferencedDocument") {
        references = references.with_contract(id);
    }
    if let Some(id) = agreement
        .child("ram:SpecifiedProcuringProject")
        .and_then(|p| p.opt_text("ram:ID"))
    {
        references = references.with_project(id);
    }
    if let Some(id) = id_in(delivery, "ram:DespatchAdviceReferencedDocument") {
        references = references.with_despatch_advice(id);
    }
    if let Some(id) = id_in(delivery, "ram:ReceivingAdviceReferencedDocument") {
        references = references.with_receiving_advice(id);
    }
    if let Some(id) = settlement
        .child("ram:ReceivableSpecifiedTradeAccountingAccount")
        .and_then(|a| a.opt_text("ram:ID"))
    {
        references = references.with_accounting_reference(id);
    }
    for document in agreement.children("ram:AdditionalReferencedDocument") {
        let id = document.req("ram:IssuerAssignedID")?;
        match document.opt_text("ram:TypeCode") {
            Some(TENDER) => references = references.with_tender_or_lot(id.text()),
            Some(INVOICED_OBJECT) => {
                let scheme = document.opt_text("ram:ReferenceTypeCode");
                references = references.with_invoiced_object(InvoicedObject::new(
                    id.text(),
                    scheme.map(str::to_owned),
                ));
            }
            _ => {
                let mut supporting =
                    SupportingDocument::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
                if let Some(uri) = document.opt_text("ram:URIID") {
                    supporting = supporting.with_uri(uri);
                }
                if let Some(name) = document.opt_text("ram:Name") {
                    supporting = supporting.with_description(name);
                }
                if let Some(file) = document.child("ram:AttachmentBinaryObject") {
                    supporting = supporting.with_attachment(attachment(&file)?);
                }
                references = references.with_supporting_document(supporting);
            }
        }
    }
    Ok(references)
}

/// A trade party's identifier: its `ram:ID`, else its first `ram:GlobalID` with the
/// scheme that one states.
fn trade_party_id<'d>(el: &El<'d, '_>) -> Option<(&'d str, Option<String>)> {
    match el.opt_text("ram:ID") {
        Some(id) => Some((id, None)),
        None => el
            .children("ram:GlobalID")
            .find(|id| !id.text().is_empty())
            .map(|global| (global.text(), scheme_of(&global))),
    }
}

/// A `ram:PayeeTradeParty` (BG-10).
fn read_payee(el: &El<'_, '_>) -> Result<Payee> {
    let name = el.req("ram:Name")?;
    let mut payee = Payee::new(name.text()).map_err(|e| name.invalid(name.text(), e))?;
    if let Some((id, scheme)) = trade_party_id(el) {
        payee = payee.with_identifier(id, scheme);
    }
    if let Some(id) = el
        .child("ram:SpecifiedLegalOrganization")
        .and_then(|l| l.child("ram:ID"))
        .filter(|id| !id.text().is_empty())
    {
        let scheme = scheme_of(&id);
        payee = payee.with_legal_id(id.text(), scheme);
    }
    Ok(payee)
}

/// A `ram:SellerTaxRepresentativeTradeParty` (BG-11).
fn tax_representative(el: &El<'_, '_>) -> Result<TaxRepresentative> {
    let name = el.req("ram:Name")?;
    let vat_id = el
        .children("ram:SpecifiedTaxRegistration")
        .filter_map(|r| r.child("ram:ID"))
        .find(|id| id.attr("schemeID") == Some("VA"))
        .ok_or_else(|| Error::Missing {
            path: el.child_path("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        })?;
    let address = read_address(&el.req("ram:PostalTradeAddress")?)?;
    TaxRepresentative::new(name.text(), vat_id.text(), address)
        .map_err(|e| el.invalid(name.text(), e))
}

/// A `ram:BillingSpecifiedPeriod` (BG-14, BG-26): its start and end dates.
fn billing_period(period: &El<'_, '_>) -> Result<InvoicePeriod> {
    let mut p = InvoicePeriod::new();
    if let Some(start) = period.child("ram:StartDateTime") {
        p = p.with_start(date(&start)?);
    }
    if let Some(end) = period.child("ram:EndDateTime") {
        p = p.with_end(date(&end)?);
    }
    Ok(p)
}

/// What a line states besides its amounts (BT-127, BG-26, BT-132, BT-133, BT-155 to
/// BT-159, BG-32).
fn line_details(
    line: &El<'_, '_>,
    product: &El<'_, '_>,
    agreement: &El<'_, '_>,
    settlement: &El<'_, '_>,
) -> Result<LineDetails> {
    let mut details = LineDetails::new();
    if let Some(note) = line
        .child("ram:AssociatedDocumentLineDocument")
        .and_then(|d| d.child("ram:IncludedNote"))
        .and_then(|n| n.opt_text("ram:Content"))
    {
        details = details.with_note(note);
    }
    if let Some(period) = settlement.child("ram:BillingSpecifiedPeriod") {
        details = details.with_period(billing_period(&period)?);
    }
    if let Some(order_line) = agreement
        .child("ram:BuyerOrderReferencedDocument")
        .and_then(|r| r.opt_text("ram:LineID"))
    {
        details = details.with_order_line_reference(order_line);
    }
    if let Some(account) = settlement
        .child("ram:ReceivableSpecifiedTradeAccountingAccount")
        .and_then(|a| a.opt_text("ram:ID"))
    {
        details = details.with_accounting_reference(account);
    }
    // The only document a line refers to in EN 16931 is its object (BT-128): type 130,
    // which older documents leave out.
    if let Some(document) = settlement
        .children("ram:AdditionalReferencedDocument")
        .find(|d| {
            d.opt_text("ram:TypeCode")
                .is_none_or(|c| c == INVOICED_OBJECT)
        })
    {
        let id = document.req("ram:IssuerAssignedID")?;
        let scheme = document.opt_text("ram:ReferenceTypeCode");
        details = details.with_object_id(InvoicedObject::new(id.text(), scheme.map(str::to_owned)));
    }
    if let Some(id) = product.opt_text("ram:SellerAssignedID") {
        details = details.with_seller_item_id(id);
    }
    if let Some(id) = product.opt_text("ram:BuyerAssignedID") {
        details = details.with_buyer_item_id(id);
    }
    if let Some(id) = product
        .child("ram:GlobalID")
        .filter(|id| !id.text().is_empty())
    {
        details = details.with_standard_item_id(schemed_id(&id)?);
    }
    for characteristic in product.children("ram:ApplicableProductCharacteristic") {
        let name = characteristic
            .child("ram:Description")
            .map(|n| n.text())
            .unwrap_or_default();
        let value = characteristic
            .child("ram:Value")
            .map(|v| v.text())
            .unwrap_or_default();
        details = details.with_attribute(ItemAttribute::new(name, value));
    }
    for code in product
        .children("ram:DesignatedProductClassification")
        .filter_map(|c| c.child("ram:ClassCode"))
    {
        details = details.with_classification(classification(&code)?);
    }
    if let Some(code) = product
        .child("ram:OriginTradeCountry")
        .and_then(|c| c.child("ram:ID"))
    {
        details = details.with_origin_country(country(&code)?);
    }
    Ok(details)
}

/// Where CII's lines stand (`ram:IncludedSupplyChainTradeLineItem`, children of the
/// first `rsm:SupplyChainTradeTransaction`) and what the streaming pass reads of them:
/// what [`line()`] reads from the tree.
#[derive(Debug, Default)]
pub(crate) struct CiiLines {
    /// The first transaction, once found: lines are claimed under it only.
    transaction: Option<usize>,
}

/// The groups of a CII line the streaming pass enters.
const LINE_DOCUMENT: u8 = 0;
const PRODUCT: u8 = 1;
const AGREEMENT: u8 = 2;
const GROSS_PRICE: u8 = 3;
const NET_PRICE: u8 = 4;
const DELIVERY: u8 = 5;
const SETTLEMENT: u8 = 6;
const TAX: u8 = 7;
const SUMMATION: u8 = 8;
const GROSS_ALLOWANCE: u8 = 9;
/// The group of an allowance or charge the pass enters.
const INDICATOR: u8 = 0;

impl LineSyntax for CiiLines {
    fn is_line(&mut self, parent: El<'_, '_>, local: &[u8]) -> bool {
        if local != b"IncludedSupplyChainTradeLineItem" {
            return false;
        }
        if self.transaction.is_none() {
            self.transaction = parent
                .parent()
                .filter(|root| root.parent().is_none())
                .and_then(|root| root.child("rsm:SupplyChainTradeTransaction"))
                .map(|transaction| transaction.index());
        }
        self.transaction == Some(parent.index())
    }

    fn child(&self, parent: Part, local: &[u8]) -> Part {
        match (parent, local) {
            (Part::Line, b"AssociatedDocumentLineDocument") => Part::Group(LINE_DOCUMENT),
            (Part::Line, b"SpecifiedTradeProduct") => Part::Group(PRODUCT),
            (Part::Line, b"SpecifiedLineTradeAgreement") => Part::Group(AGREEMENT),
            (Part::Line, b"SpecifiedLineTradeDelivery") => Part::Group(DELIVERY),
            (Part::Line, b"SpecifiedLineTradeSettlement") => Part::Group(SETTLEMENT),
            (Part::Group(LINE_DOCUMENT), b"LineID") => Part::Value(Field::Id),
            (Part::Group(LINE_DOCUMENT), b"IncludedNote") => Part::Declined,
            (
                Part::Group(PRODUCT),
                b"GlobalID"
                | b"SellerAssignedID"
                | b"BuyerAssignedID"
                | b"ApplicableProductCharacteristic"
                | b"DesignatedProductClassification"
                | b"OriginTradeCountry",
            ) => Part::Declined,
            (Part::Group(AGREEMENT), b"BuyerOrderReferencedDocument") => Part::Declined,
            (
                Part::Group(SETTLEMENT),
                b"BillingSpecifiedPeriod"
                | b"AdditionalReferencedDocument"
                | b"ReceivableSpecifiedTradeAccountingAccount",
            ) => Part::Declined,
            (Part::Group(PRODUCT), b"Name") => Part::Value(Field::Name),
            (Part::Group(PRODUCT), b"Description") => Part::Value(Field::Description),
            (Part::Group(AGREEMENT), b"GrossPriceProductTradePrice") => Part::Group(GROSS_PRICE),
            (Part::Group(AGREEMENT), b"NetPriceProductTradePrice") => Part::Group(NET_PRICE),
            (Part::Group(GROSS_PRICE), b"ChargeAmount") => Part::Value(Field::Gross),
            (Part::Group(GROSS_PRICE), b"AppliedTradeAllowanceCharge") => {
                Part::Group(GROSS_ALLOWANCE)
            }
            (Part::Group(GROSS_ALLOWANCE), b"ActualAmount") => Part::Value(Field::PriceDiscount),
            (Part::Group(NET_PRICE), b"ChargeAmount") => Part::Value(Field::Price),
            (Part::Group(NET_PRICE), b"BasisQuantity") => Part::Value(Field::BaseQuantity),
            (Part::Group(DELIVERY), b"BilledQuantity") => Part::Value(Field::Quantity),
            (Part::Group(SETTLEMENT), b"ApplicableTradeTax") => Part::Group(TAX),
            (Part::Group(SETTLEMENT), b"SpecifiedTradeAllowanceCharge") => Part::AllowanceCharge,
            (Part::Group(SETTLEMENT), b"SpecifiedTradeSettlementLineMonetarySummation") => {
                Part::Group(SUMMATION)
            }
            (Part::Group(TAX), b"CategoryCode") => Part::Value(Field::VatCategory),
            (Part::Group(TAX), b"RateApplicablePercent") => Part::Value(Field::VatRate),
            (Part::Group(SUMMATION), b"LineTotalAmount") => Part::Value(Field::Net),
            (Part::AllowanceCharge, b"ChargeIndicator") => Part::AllowanceChargeGroup(INDICATOR),
            (Part::AllowanceChargeGroup(INDICATOR), b"Indicator") => {
                Part::Value(Field::ChargeIndicator)
            }
            (Part::AllowanceCharge, b"ActualAmount") => Part::Value(Field::Amount),
            (Part::AllowanceCharge, b"CalculationPercent") => Part::Value(Field::Percent),
            (Part::AllowanceCharge, b"BasisAmount") => Part::Value(Field::Base),
            (Part::AllowanceCharge, b"Reason") => Part::Value(Field::Reason),
            (Part::AllowanceCharge, b"ReasonCode") => Part::Value(Field::ReasonCode),
            _ => Part::Skipped,
        }
    }
}
