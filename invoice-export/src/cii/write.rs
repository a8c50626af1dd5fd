//! The CII writer.

use std::io::Write;

use chrono::NaiveDate;
use invoice_core::{
    Address, AllowanceCharge, AllowanceChargeAmount, DocumentReferences, Invoice, InvoiceKind,
    InvoicePeriod, LineDetails, LineItem, Party, Totals, Vat, VatCategory, VatExemption,
};
use rust_decimal::Decimal;

use super::{
    INVOICED_OBJECT, NS_QDT, NS_RAM, NS_RSM, NS_UDT, PROJECT_NAME, SUPPORTING_DOCUMENT, TENDER,
};
use crate::error::{Error, Result};
use crate::xml::{one_exemption_per_group, XmlWriter};

/// Writes `invoice` as a UN/CEFACT CII D16B `CrossIndustryInvoice`, streaming to `out`;
/// returns `out`. The guideline (BT-24) and business process (BT-23) are the invoice's
/// [`Specification`](invoice_core::Specification); an invoice that states none is
/// written under the plain EN 16931 guideline ([`GUIDELINE_ID`](crate::CII_GUIDELINE_ID)),
/// which is what the Factur-X / ZUGFeRD EN 16931 profile expects. XRechnung documents
/// state [`Specification::xrechnung_3`](invoice_core::Specification::xrechnung_3).
///
/// Totals and the VAT breakdown come from `invoice-core`, as for UBL. CII has one
/// payment reference (BT-83) and one payment terms block per document: the first
/// payment means' remittance information and mandate are written there.
///
/// # Errors
///
/// [`Error::Incomplete`] for an invoice without number or issue date (a draft);
/// [`Error::Invoice`] when the totals cannot be computed; [`Error::InvalidValue`] for a
/// character XML 1.0 cannot carry, or for lines of one VAT group that state different
/// exemption reasons (a document has one per group); [`Error::Io`] when writing fails.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_export::write_cii;
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let fr = Address::new(CountryCode::new("FR")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?,
///         Currency::EUR, Party::new("Vendeur SA", fr.clone()).with_vat_id("FR12345678901"),
///         Party::new("Client SARL", fr))
///     .issued(InvoiceNumber::new("F-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .payment_terms("30 jours")
///     .line(LineItem::new("1", "Café", Decimal::new(3, 0), UnitCode::piece(),
///         Decimal::new(250, 2), Vat::standard(Decimal::new(20, 0))))
///     .build()?;
/// let xml = String::from_utf8(write_cii(Vec::new(), &invoice)?)?;
/// assert!(xml.contains("<ram:DuePayableAmount>9.00</ram:DuePayableAmount>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_cii<W: Write>(out: W, invoice: &Invoice) -> Result<W> {
    write_cii_as(out, invoice, None)
}

/// [`write_cii`], stating `guideline` (BT-24, with BT-23) instead of the invoice's own
/// when given: Factur-X embeds its CII under a Factur-X guideline.
pub(crate) fn write_cii_as<W: Write>(
    out: W,
    invoice: &Invoice,
    guideline: Option<&invoice_core::Specification>,
) -> Result<W> {
    let totals = invoice.totals()?;
    one_exemption_per_group(
        invoice,
        "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax",
    )?;
    let number = invoice.number().ok_or(Error::Incomplete {
        field: "a number (BT-1)",
    })?;
    let issue_date = invoice.issue_date().ok_or(Error::Incomplete {
        field: "an issue date (BT-2)",
    })?;
    let currency = invoice.currency();
    let dp = currency.minor_units();
    let mut xml = XmlWriter::new(out);
    xml.declaration()?;
    xml.start_with(
        "rsm:CrossIndustryInvoice",
        &[
            ("xmlns:rsm", NS_RSM),
            ("xmlns:ram", NS_RAM),
            ("xmlns:udt", NS_UDT),
            ("xmlns:qdt", NS_QDT),
        ],
    )?;
    let specification = guideline
        .or(invoice.specification())
        .cloned()
        .unwrap_or_default();
    xml.start("rsm:ExchangedDocumentContext")?;
    if let Some(process) = specification.business_process() {
        xml.start("ram:BusinessProcessSpecifiedDocumentContextParameter")?;
        xml.leaf("ram:ID", process)?;
        xml.end("ram:BusinessProcessSpecifiedDocumentContextParameter")?;
    }
    xml.start("ram:GuidelineSpecifiedDocumentContextParameter")?;
    xml.leaf("ram:ID", specification.identifier())?;
    xml.end("ram:GuidelineSpecifiedDocumentContextParameter")?;
    xml.end("rsm:ExchangedDocumentContext")?;

    xml.start("rsm:ExchangedDocument")?;
    xml.leaf("ram:ID", number.as_str())?;
    xml.display_with("ram:TypeCode", &[], invoice.type_code())?;
    date(
        &mut xml,
        "ram:IssueDateTime",
        "udt:DateTimeString",
        issue_date,
    )?;
    for note in invoice.notes() {
        xml.start("ram:IncludedNote")?;
        xml.leaf("ram:Content", note.text())?;
        xml.opt_leaf("ram:SubjectCode", note.subject_code())?;
        xml.end("ram:IncludedNote")?;
    }
    xml.end("rsm:ExchangedDocument")?;

    xml.start("rsm:SupplyChainTradeTransaction")?;
    for (line, net) in invoice.lines().iter().zip(totals.line_net_amounts()) {
        write_line(&mut xml, line, *net, dp)?;
    }

    xml.start("ram:ApplicableHeaderTradeAgreement")?;
    xml.opt_leaf("ram:BuyerReference", invoice.buyer_reference())?;
    party(&mut xml, "ram:SellerTradeParty", invoice.seller())?;
    party(&mut xml, "ram:BuyerTradeParty", invoice.buyer())?;
    if let Some(representative) = invoice.tax_representative() {
        xml.start("ram:SellerTaxRepresentativeTradeParty")?;
        xml.leaf("ram:Name", representative.name())?;
        write_address(&mut xml, representative.address())?;
        tax_registration(&mut xml, Some(representative.vat_id()), VAT)?;
        xml.end("ram:SellerTaxRepresentativeTradeParty")?;
    }
    let references = invoice.references();
    referenced_document(
        &mut xml,
        "ram:SellerOrderReferencedDocument",
        references.sales_order(),
    )?;
    referenced_document(
        &mut xml,
        "ram:BuyerOrderReferencedDocument",
        invoice.order_reference(),
    )?;
    referenced_document(
        &mut xml,
        "ram:ContractReferencedDocument",
        references.contract(),
    )?;
    additional_references(&mut xml, references)?;
    if let Some(project) = references.project() {
        xml.start("ram:SpecifiedProcuringProject")?;
        xml.leaf("ram:ID", project)?;
        // CII requires a project name, which EN 16931 does not have.
        xml.leaf("ram:Name", PROJECT_NAME)?;
        xml.end("ram:SpecifiedProcuringProject")?;
    }
    xml.end("ram:ApplicableHeaderTradeAgreement")?;
    xml.start("ram:ApplicableHeaderTradeDelivery")?;
    if let Some(delivery) = invoice.delivery() {
        if delivery.party_name().is_some()
            || delivery.address().is_some()
            || delivery.location_id().is_some()
        {
            xml.start("ram:ShipToTradeParty")?;
            if let Some(id) = delivery.location_id() {
                match delivery.location_scheme() {
                    Some(scheme) => xml.leaf_with("ram:GlobalID", &[("schemeID", scheme)], id)?,
                    None => xml.leaf("ram:ID", id)?,
                }
            }
            xml.opt_leaf("ram:Name", delivery.party_name())?;
            if let Some(address) = delivery.address() {
                write_address(&mut xml, address)?;
            }
            xml.end("ram:ShipToTradeParty")?;
        }
        if let Some(delivered) = delivery.date() {
            xml.start("ram:ActualDeliverySupplyChainEvent")?;
            date(
                &mut xml,
                "ram:OccurrenceDateTime",
                "udt:DateTimeString",
                delivered,
            )?;
            xml.end("ram:ActualDeliverySupplyChainEvent")?;
        }
    }
    referenced_document(
        &mut xml,
        "ram:DespatchAdviceReferencedDocument",
        references.despatch_advice(),
    )?;
    referenced_document(
        &mut xml,
        "ram:ReceivingAdviceReferencedDocument",
        references.receiving_advice(),
    )?;
    xml.end("ram:ApplicableHeaderTradeDelivery")?;

    xml.start("ram:ApplicableHeaderTradeSettlement")?;
    xml.opt_leaf("ram:CreditorReferenceID", invoice.creditor_id())?;
    let first_means = invoice.payment_means().first();
    xml.opt_leaf(
        "ram:PaymentReference",
        first_means.and_then(|m| m.remittance_information()),
    )?;
    // CII states BT-6 only when it differs from the invoice currency (its BR-53 refuses
    // an equal one); UBL may state it either way.
    if let Some(accounting) = invoice
        .vat_accounting()
        .filter(|a| a.currency() != currency)
    {
        xml.leaf("ram:TaxCurrencyCode", accounting.currency().code())?;
    }
    xml.leaf("ram:InvoiceCurrencyCode", currency.code())?;
    if let Some(payee) = invoice.payee() {
        xml.start("ram:PayeeTradeParty")?;
        if let Some(id) = payee.identifier() {
            match payee.identifier_scheme() {
                Some(scheme) => xml.leaf_with("ram:GlobalID", &[("schemeID", scheme)], id)?,
                None => xml.leaf("ram:ID", id)?,
            }
        }
        xml.leaf("ram:Name", payee.name())?;
        if let Some(id) = payee.legal_id() {
            xml.start("ram:SpecifiedLegalOrganization")?;
            xml.schemed_leaf("ram:ID", id, payee.legal_id_scheme())?;
            xml.end("ram:SpecifiedLegalOrganization")?;
        }
        xml.end("ram:PayeeTradeParty")?;
    }
    for means in invoice.payment_means() {
        xml.start("ram:SpecifiedTradeSettlementPaymentMeans")?;
        xml.leaf("ram:TypeCode", means.code())?;
        xml.opt_leaf("ram:Information", means.text())?;
        if let Some(card) = means.card() {
            xml.start("ram:ApplicableTradeSettlementFinancialCard")?;
            xml.leaf("ram:ID", card.account_number())?;
            xml.opt_leaf("ram:CardholderName", card.holder())?;
            xml.end("ram:ApplicableTradeSettlementFinancialCard")?;
        }
        if let Some(account) = means.debited_account_id() {
            xml.start("ram:PayerPartyDebtorFinancialAccount")?;
            xml.leaf("ram:IBANID", account)?;
            xml.end("ram:PayerPartyDebtorFinancialAccount")?;
        }
        if let Some(account) = means.account_id() {
            xml.start("ram:PayeePartyCreditorFinancialAccount")?;
            xml.leaf("ram:IBANID", account)?;
            xml.opt_leaf("ram:AccountName", means.account_name())?;
            xml.end("ram:PayeePartyCreditorFinancialAccount")?;
            if let Some(bic) = means.provider_id() {
                xml.start("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
                xml.leaf("ram:BICID", bic)?;
                xml.end("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
            }
        }
        xml.end("ram:SpecifiedTradeSettlementPaymentMeans")?;
    }
    // CII states BT-7 and BT-8 on each breakdown row.
    let tax_point = TaxPoint {
        date: invoice.tax_point_date(),
        code: invoice
            .vat_point_date_code()
            .map(super::vat_point_code_to_cii),
        outside_scope_rate: invoice.outside_scope_rate_stated(),
    };
    for row in totals.vat_breakdown() {
        trade_tax(
            &mut xml,
            Vat::new(row.category(), row.rate()),
            Some((row.tax_amount(), row.taxable_amount())),
            row.exemption(),
            &tax_point,
        )?;
    }
    if let Some(period) = invoice.period() {
        billing_period(&mut xml, period)?;
    }
    for ac in invoice.allowances_charges() {
        let base = match (ac.amount(), ac.vat()) {
            (AllowanceChargeAmount::Percentage { base: None, .. }, Some(vat)) => {
                group_net(invoice, &totals, vat)?
            }
            _ => Decimal::ZERO,
        };
        allowance_charge(&mut xml, ac, ac.resolved_amount(base, dp)?, ac.vat())?;
    }
    let mandate = first_means.and_then(|m| m.mandate_id());
    if invoice.payment_terms().is_some() || invoice.due_date().is_some() || mandate.is_some() {
        xml.start("ram:SpecifiedTradePaymentTerms")?;
        xml.opt_leaf("ram:Description", invoice.payment_terms())?;
        if let Some(due) = invoice.due_date() {
            date(&mut xml, "ram:DueDateDateTime", "udt:DateTimeString", due)?;
        }
        xml.opt_leaf("ram:DirectDebitMandateID", mandate)?;
        xml.end("ram:SpecifiedTradePaymentTerms")?;
    }
    monetary_summation(&mut xml, invoice, &totals)?;
    // BG-3: the invoice a credit note corrects first, then the other preceding ones.
    let corrects = match invoice.kind() {
        InvoiceKind::CreditNote {
            corrects: Some(reference),
        } => Some(reference),
        _ => None,
    };
    for reference in corrects.into_iter().chain(invoice.preceding_invoices()) {
        xml.start("ram:InvoiceReferencedDocument")?;
        xml.leaf("ram:IssuerAssignedID", reference.number().as_str())?;
        if let Some(issued) = reference.issue_date() {
            date(
                &mut xml,
                "ram:FormattedIssueDateTime",
                "qdt:DateTimeString",
                issued,
            )?;
        }
        xml.end("ram:InvoiceReferencedDocument")?;
    }
    if let Some(account) = references.accounting_reference() {
        xml.start("ram:ReceivableSpecifiedTradeAccountingAccount")?;
        xml.leaf("ram:ID", account)?;
        xml.end("ram:ReceivableSpecifiedTradeAccountingAccount")?;
    }
    xml.end("ram:ApplicableHeaderTradeSettlement")?;
    xml.end("rsm:SupplyChainTradeTransaction")?;
    xml.end("rsm:CrossIndustryInvoice")?;
    xml.finish()
}

/// A referenced document holding only its `ram:IssuerAssignedID`, when there is one.
fn referenced_document<W: Write>(
    xml: &mut XmlWriter<W>,
    element: &str,
    id: Option<&str>,
) -> Result<()> {
    if let Some(id) = id {
        xml.start(element)?;
        xml.leaf("ram:IssuerAssignedID", id)?;
        xml.end(element)?;
    }
    Ok(())
}

/// The header's `ram:AdditionalReferencedDocument`s: supporting documents (BG-24, type
/// 916), the tender or lot (BT-17, type 50) and the invoiced object (BT-18, type 130).
fn additional_references<W: Write>(
    xml: &mut XmlWriter<W>,
    references: &DocumentReferences,
) -> Result<()> {
    for document in references.supporting_documents() {
        xml.start("ram:AdditionalReferencedDocument")?;
        xml.leaf("ram:IssuerAssignedID", document.id())?;
        xml.opt_leaf("ram:URIID", document.uri())?;
        xml.leaf("ram:TypeCode", SUPPORTING_DOCUMENT)?;
        xml.opt_leaf("ram:Name", document.description())?;
        if let Some(file) = document.attachment() {
            xml.leaf_with(
                "ram:AttachmentBinaryObject",
                &[
                    ("mimeCode", file.mime_code()),
                    ("filename", file.filename()),
                ],
                file.content_base64(),
            )?;
        }
        xml.end("ram:AdditionalReferencedDocument")?;
    }
    if let Some(tender) = references.tender_or_lot() {
        xml.start("ram:AdditionalReferencedDocument")?;
        xml.leaf("ram:IssuerAssignedID", tender)?;
        xml.leaf("ram:TypeCode", TENDER)?;
        xml.end("ram:AdditionalReferencedDocument")?;
    }
    if let Some(object) = references.invoiced_object() {
        xml.start("ram:AdditionalReferencedDocument")?;
        xml.leaf("ram:IssuerAssignedID", object.id())?;
        xml.leaf("ram:TypeCode", INVOICED_OBJECT)?;
        xml.opt_leaf("ram:ReferenceTypeCode", object.scheme())?;
        xml.end("ram:AdditionalReferencedDocument")?;
    }
    Ok(())
}

/// Σ line nets with `vat`: the default base of a document percentage.
fn group_net(invoice: &Invoice, totals: &Totals, vat: Vat) -> Result<Decimal> {
    invoice
        .lines()
        .iter()
        .zip(totals.line_net_amounts())
        .filter(|(line, _)| {
            line.vat().category() == vat.category() && line.vat().rate() == vat.rate()
        })
        .try_fold(Decimal::ZERO, |sum, (_, net)| {
            sum.checked_add(*net)
                .ok_or(Error::from(invoice_core::Error::Overflow))
        })
}

fn date<W: Write>(
    xml: &mut XmlWriter<W>,
    outer: &str,
    inner: &str,
    value: NaiveDate,
) -> Result<()> {
    xml.start(outer)?;
    xml.display_with(inner, &[("format", "102")], value.format(super::DATE))?;
    xml.end(outer)
}

fn indicator<W: Write>(xml: &mut XmlWriter<W>, charge: bool) -> Result<()> {
    xml.start("ram:ChargeIndicator")?;
    xml.leaf("udt:Indicator", if charge { "true" } else { "false" })?;
    xml.end("ram:ChargeIndicator")
}

/// A `ram:ApplicableTradeTax` (line, with no amounts) or breakdown row (with the VAT and
/// taxable amounts).
/// When VAT becomes due (BT-7, BT-8), as a breakdown row of CII states it.
#[derive(Default)]
struct TaxPoint<'a> {
    date: Option<chrono::NaiveDate>,
    code: Option<&'a str>,
    /// Whether an O row states its rate (breakdown rows only; see
    /// `Invoice::outside_scope_rate_stated`).
    outside_scope_rate: bool,
}

fn trade_tax<W: Write>(
    xml: &mut XmlWriter<W>,
    vat: Vat,
    amounts: Option<(Decimal, Decimal)>,
    exemption: Option<&VatExemption>,
    tax_point: &TaxPoint<'_>,
) -> Result<()> {
    xml.start("ram:ApplicableTradeTax")?;
    if let Some((tax, _)) = amounts {
        xml.value_with("ram:CalculatedAmount", &[], tax)?;
    }
    xml.leaf("ram:TypeCode", "VAT")?;
    xml.opt_leaf(
        "ram:ExemptionReason",
        exemption.and_then(|e| e.reason_text()),
    )?;
    if let Some((_, taxable)) = amounts {
        xml.value_with("ram:BasisAmount", &[], taxable)?;
    }
    xml.leaf("ram:CategoryCode", vat.category().code())?;
    xml.opt_leaf(
        "ram:ExemptionReasonCode",
        exemption.and_then(|e| e.reason_code()),
    )?;
    if let Some(point) = tax_point.date {
        date(xml, "ram:TaxPointDate", "udt:DateString", point)?;
    }
    xml.opt_leaf("ram:DueDateTypeCode", tax_point.code)?;
    // BR-O-05: category O carries no rate on a line (nor on a breakdown row, unless its
    // source stated one).
    if vat.category() != VatCategory::OutsideScope || tax_point.outside_scope_rate {
        xml.value_with("ram:RateApplicablePercent", &[], vat.rate())?;
    }
    xml.end("ram:ApplicableTradeTax")
}

fn allowance_charge<W: Write>(
    xml: &mut XmlWriter<W>,
    ac: &AllowanceCharge,
    amount: Decimal,
    vat: Option<Vat>,
) -> Result<()> {
    xml.start("ram:SpecifiedTradeAllowanceCharge")?;
    indicator(xml, ac.is_charge())?;
    if let Some(percent) = ac.percent() {
        xml.value_with("ram:CalculationPercent", &[], percent)?;
    }
    if let Some(base) = ac.base_amount() {
        xml.value_with("ram:BasisAmount", &[], base)?;
    }
    xml.value_with("ram:ActualAmount", &[], amount)?;
    xml.opt_leaf("ram:ReasonCode", ac.reason_code())?;
    xml.opt_leaf("ram:Reason", ac.reason())?;
    if let Some(vat) = vat {
        xml.start("ram:CategoryTradeTax")?;
        xml.leaf("ram:TypeCode", "VAT")?;
        xml.leaf("ram:CategoryCode", vat.category().code())?;
        if vat.category() != VatCategory::OutsideScope {
            xml.value_with("ram:RateApplicablePercent", &[], vat.rate())?;
        }
        xml.end("ram:CategoryTradeTax")?;
    }
    xml.end("ram:SpecifiedTradeAllowanceCharge")
}

fn party<W: Write>(xml: &mut XmlWriter<W>, element: &str, party: &Party) -> Result<()> {
    xml.start(element)?;
    if let Some(id) = party.identifier() {
        match party.identifier_scheme() {
            Some(scheme) => xml.leaf_with("ram:GlobalID", &[("schemeID", scheme)], id)?,
            None => xml.leaf("ram:ID", id)?,
        }
    }
    xml.leaf("ram:Name", party.name())?;
    xml.opt_leaf("ram:Description", party.additional_legal_info())?;
    if party.legal_id().is_some() || party.trading_name().is_some() {
        xml.start("ram:SpecifiedLegalOrganization")?;
        if let Some(id) = party.legal_id() {
            xml.schemed_leaf("ram:ID", id, party.legal_id_scheme())?;
        }
        xml.opt_leaf("ram:TradingBusinessName", party.trading_name())?;
        xml.end("ram:SpecifiedLegalOrganization")?;
    }
    if let Some(contact) = party.contact() {
        xml.start("ram:DefinedTradeContact")?;
        xml.opt_leaf("ram:PersonName", contact.name())?;
        if let Some(phone) = contact.phone() {
            xml.start("ram:TelephoneUniversalCommunication")?;
            xml.leaf("ram:CompleteNumber", phone)?;
            xml.end("ram:TelephoneUniversalCommunication")?;
        }
        if let Some(email) = contact.email() {
            xml.start("ram:EmailURIUniversalCommunication")?;
            xml.leaf("ram:URIID", email)?;
            xml.end("ram:EmailURIUniversalCommunication")?;
        }
        xml.end("ram:DefinedTradeContact")?;
    }
    write_address(xml, party.address())?;
    if let Some(address) = party.electronic_address() {
        xml.start("ram:URIUniversalCommunication")?;
        xml.leaf_with(
            "ram:URIID",
            &[("schemeID", address.scheme())],
            address.value(),
        )?;
        xml.end("ram:URIUniversalCommunication")?;
    }
    tax_registration(xml, party.vat_id(), VAT)?;
    tax_registration(xml, party.tax_registration_id(), TAX_REGISTRATION)?;
    xml.end(element)
}

/// A `ram:SpecifiedTaxRegistration` with `id` in `scheme` (`VA`, `FC`), when there is one.
fn tax_registration<W: Write>(
    xml: &mut XmlWriter<W>,
    id: Option<&str>,
    scheme: &str,
) -> Result<()> {
    if let Some(id) = id {
        xml.start("ram:SpecifiedTaxRegistration")?;
        xml.leaf_with("ram:ID", &[("schemeID", scheme)], id)?;
        xml.end("ram:SpecifiedTaxRegistration")?;
    }
    Ok(())
}

/// The scheme of a VAT identifier in `ram:SpecifiedTaxRegistration`.
const VAT: &str = "VA";
/// The scheme of a tax registration identifier (BT-32).
const TAX_REGISTRATION: &str = "FC";

fn write_line<W: Write>(
    xml: &mut XmlWriter<W>,
    line: &LineItem,
    net: Decimal,
    dp: u32,
) -> Result<()> {
    let details = line.details();
    xml.start("ram:IncludedSupplyChainTradeLineItem")?;
    xml.start("ram:AssociatedDocumentLineDocument")?;
    xml.leaf("ram:LineID", line.id())?;
    if let Some(note) = details.and_then(LineDetails::note) {
        xml.start("ram:IncludedNote")?;
        xml.leaf("ram:Content", note)?;
        xml.end("ram:IncludedNote")?;
    }
    xml.end("ram:AssociatedDocumentLineDocument")?;
    xml.start("ram:SpecifiedTradeProduct")?;
    if let Some(standard) = details.and_then(LineDetails::standard_item_id) {
        xml.leaf_with(
            "ram:GlobalID",
            &[("schemeID", standard.scheme())],
            standard.id(),
        )?;
    }
    xml.opt_leaf(
        "ram:SellerAssignedID",
        details.and_then(LineDetails::seller_item_id),
    )?;
    xml.opt_leaf(
        "ram:BuyerAssignedID",
        details.and_then(LineDetails::buyer_item_id),
    )?;
    xml.leaf("ram:Name", line.name())?;
    xml.opt_leaf("ram:Description", line.description())?;
    if let Some(details) = details {
        product_details(xml, details)?;
    }
    xml.end("ram:SpecifiedTradeProduct")?;

    let unit = [("unitCode", line.unit().as_str())];
    let base_unit = crate::xml::base_quantity_unit(line);
    let base_unit_attribute: &[(&str, &str)] = match base_unit {
        Some(Some(code)) => &[("unitCode", code)],
        _ => &[],
    };
    let base_quantity = base_unit.map(|_| line.base_quantity());
    xml.start("ram:SpecifiedLineTradeAgreement")?;
    if let Some(order_line) = details.and_then(LineDetails::order_line_reference) {
        xml.start("ram:BuyerOrderReferencedDocument")?;
        xml.leaf("ram:LineID", order_line)?;
        xml.end("ram:BuyerOrderReferencedDocument")?;
    }
    if let Some(gross) = line.gross_price() {
        // A discount stated without a gross price has no place in CII, whose discount
        // belongs to the gross price.
        let discount = match details.and_then(LineDetails::stated_price_discount) {
            Some(discount) => discount,
            None => gross
                .checked_sub(line.price())
                .ok_or(invoice_core::Error::Overflow)?,
        };
        xml.start("ram:GrossPriceProductTradePrice")?;
        xml.value_with("ram:ChargeAmount", &[], gross)?;
        if let Some(base) = base_quantity {
            xml.value_with("ram:BasisQuantity", base_unit_attribute, base)?;
        }
        xml.start("ram:AppliedTradeAllowanceCharge")?;
        indicator(xml, false)?;
        xml.value_with("ram:ActualAmount", &[], discount)?;
        xml.end("ram:AppliedTradeAllowanceCharge")?;
        xml.end("ram:GrossPriceProductTradePrice")?;
    }
    xml.start("ram:NetPriceProductTradePrice")?;
    xml.value_with("ram:ChargeAmount", &[], line.price())?;
    if let Some(base) = base_quantity {
        xml.value_with("ram:BasisQuantity", base_unit_attribute, base)?;
    }
    xml.end("ram:NetPriceProductTradePrice")?;
    xml.end("ram:SpecifiedLineTradeAgreement")?;

    xml.start("ram:SpecifiedLineTradeDelivery")?;
    xml.value_with("ram:BilledQuantity", &unit, line.quantity())?;
    xml.end("ram:SpecifiedLineTradeDelivery")?;

    xml.start("ram:SpecifiedLineTradeSettlement")?;
    trade_tax(xml, line.vat(), None, None, &TaxPoint::default())?;
    if let Some(period) = details.and_then(LineDetails::period) {
        billing_period(xml, period)?;
    }
    if !line.allowances_charges().is_empty() {
        let base = line.price_amount(dp)?;
        for ac in line.allowances_charges() {
            allowance_charge(xml, ac, ac.resolved_amount(base, dp)?, None)?;
        }
    }
    xml.start("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
    xml.value_with("ram:LineTotalAmount", &[], net)?;
    xml.end("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
    if let Some(object) = details.and_then(LineDetails::object_id) {
        xml.start("ram:AdditionalReferencedDocument")?;
        xml.leaf("ram:IssuerAssignedID", object.id())?;
        xml.leaf("ram:TypeCode", INVOICED_OBJECT)?;
        xml.opt_leaf("ram:ReferenceTypeCode", object.scheme())?;
        xml.end("ram:AdditionalReferencedDocument")?;
    }
    if let Some(reference) = details.and_then(LineDetails::accounting_reference) {
        xml.start("ram:ReceivableSpecifiedTradeAccountingAccount")?;
        xml.leaf("ram:ID", reference)?;
        xml.end("ram:ReceivableSpecifiedTradeAccountingAccount")?;
    }
    xml.end("ram:SpecifiedLineTradeSettlement")?;
    xml.end("ram:IncludedSupplyChainTradeLineItem")
}

/// A `ram:BillingSpecifiedPeriod` (BG-14, BG-26).
fn billing_period<W: Write>(xml: &mut XmlWriter<W>, period: &InvoicePeriod) -> Result<()> {
    xml.start("ram:BillingSpecifiedPeriod")?;
    if let Some(start) = period.start() {
        date(xml, "ram:StartDateTime", "udt:DateTimeString", start)?;
    }
    if let Some(end) = period.end() {
        date(xml, "ram:EndDateTime", "udt:DateTimeString", end)?;
    }
    xml.end("ram:BillingSpecifiedPeriod")
}

/// The item's attributes, classifications and origin (BG-32, BT-158, BT-159), in the
/// order CII's `ram:SpecifiedTradeProduct` takes them after its description.
fn product_details<W: Write>(xml: &mut XmlWriter<W>, details: &LineDetails) -> Result<()> {
    for attribute in details.attributes() {
        xml.start("ram:ApplicableProductCharacteristic")?;
        xml.leaf("ram:Description", attribute.name())?;
        xml.leaf("ram:Value", attribute.value())?;
        xml.end("ram:ApplicableProductCharacteristic")?;
    }
    for class in details.classifications() {
        xml.start("ram:DesignatedProductClassification")?;
        let mut attributes = vec![("listID", class.list())];
        if let Some(version) = class.list_version() {
            attributes.push(("listVersionID", version));
        }
        xml.leaf_with("ram:ClassCode", &attributes, class.code())?;
        xml.end("ram:DesignatedProductClassification")?;
    }
    if let Some(country) = details.origin_country() {
        xml.start("ram:OriginTradeCountry")?;
        xml.leaf("ram:ID", country.as_str())?;
        xml.end("ram:OriginTradeCountry")?;
    }
    Ok(())
}

fn monetary_summation<W: Write>(
    xml: &mut XmlWriter<W>,
    invoice: &Invoice,
    totals: &Totals,
) -> Result<()> {
    xml.start("ram:SpecifiedTradeSettlementHeaderMonetarySummation")?;
    xml.value_with("ram:LineTotalAmount", &[], totals.line_extension_amount())?;
    let acs = invoice.allowances_charges();
    if acs.iter().any(AllowanceCharge::is_charge) {
        xml.value_with("ram:ChargeTotalAmount", &[], totals.charge_total())?;
    }
    if acs.iter().any(|ac| !ac.is_charge()) {
        xml.value_with("ram:AllowanceTotalAmount", &[], totals.allowance_total())?;
    }
    xml.value_with(
        "ram:TaxBasisTotalAmount",
        &[],
        totals.tax_exclusive_amount(),
    )?;
    xml.value_with(
        "ram:TaxTotalAmount",
        &[("currencyID", invoice.currency().code())],
        totals.tax_total(),
    )?;
    // BT-111, when the VAT accounting currency is not the invoice's own.
    if let Some(accounting) = invoice
        .vat_accounting()
        .filter(|a| a.currency() != invoice.currency())
    {
        xml.value_with(
            "ram:TaxTotalAmount",
            &[("currencyID", accounting.currency().code())],
            accounting.vat_total(totals.tax_total())?,
        )?;
    }
    if !totals.rounding_amount().is_zero() || invoice.stated_rounding_amount().is_some() {
        xml.value_with("ram:RoundingAmount", &[], totals.rounding_amount())?;
    }
    xml.value_with("ram:GrandTotalAmount", &[], totals.tax_inclusive_amount())?;
    if !totals.prepaid_amount().is_zero() {
        xml.value_with("ram:TotalPrepaidAmount", &[], totals.prepaid_amount())?;
    }
    xml.value_with("ram:DuePayableAmount", &[], totals.payable_amount())?;
    xml.end("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
}

/// A `ram:PostalTradeAddress`.
fn write_address<W: Write>(xml: &mut XmlWriter<W>, address: &Address) -> Result<()> {
    xml.start("ram:PostalTradeAddress")?;
    xml.opt_leaf("ram:PostcodeCode", address.postal_code())?;
    // An empty line holds the place of one a received document left out.
    let lines = address.lines();
    xml.opt_leaf("ram:LineOne", crate::xml::stated_line(lines.first()))?;
    xml.opt_leaf("ram:LineTwo", crate::xml::stated_line(lines.get(1)))?;
    // CII has three address lines; further ones are joined into the third.
    let rest: Vec<&str> = lines
        .iter()
        .skip(2)
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    if !rest.is_empty() {
        xml.leaf("ram:LineThree", &rest.join(", "))?;
    }
    xml.opt_leaf("ram:CityName", address.city())?;
    xml.leaf("ram:CountryID", address.country().as_str())?;
    xml.opt_leaf("ram:CountrySubDivisionName", address.subdivision())?;
    xml.end("ram:PostalTradeAddress")?;
    Ok(())
}
