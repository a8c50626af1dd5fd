//! The UBL writer.

use std::io::Write;

use invoice_core::{
    Address, AllowanceCharge, AllowanceChargeAmount, Currency, DocumentReferences, Invoice,
    InvoiceKind, InvoicePeriod, LineDetails, LineItem, Party, Totals, Vat, VatCategory,
};
use rust_decimal::Decimal;

use super::{INVOICED_OBJECT, NO_ORDER, NS_CAC, NS_CBC, NS_CREDIT_NOTE, NS_INVOICE, PROJECT};
use crate::error::{Error, Result};
use crate::xml::{one_exemption_per_group, XmlWriter};

/// Writes `invoice` as a UBL 2.1 Invoice, or CreditNote for a credit note, streaming to
/// `out`; returns `out`. `CustomizationID` and `ProfileID` (BT-24, BT-23) are the
/// invoice's [`Specification`](invoice_core::Specification), plain EN 16931 without a
/// `ProfileID` when it states none; an invoice meant for Peppol states
/// [`Specification::peppol_bis_billing_3`](invoice_core::Specification::peppol_bis_billing_3).
///
/// Totals (BG-22) and the VAT breakdown (BG-23) are computed by `invoice-core` under
/// the invoice's rounding policy, so they always agree with the lines.
///
/// Mapping choices: the party's electronic address is its `EndpointID` with its scheme;
/// the preceding invoices (BG-3) follow the one a credit note corrects, so a credit note
/// that corrects none but states preceding invoices reads back with the first of them
/// as the corrected one;
/// the VAT exemption reason of a breakdown group is the one its lines (and
/// document allowances/charges) state, which must be the same for all of them; a credit note's due date goes into its
/// first payment means (UBL's CreditNote has no `DueDate`) and is left out when it has
/// none; percentages without a stated base are written without `BaseAmount`.
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
/// use invoice_export::write_ubl;
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?,
///         Currency::EUR, Party::new("Seller", de.clone()).with_vat_id("DE123456789"),
///         Party::new("Buyer", de))
///     .issued(InvoiceNumber::new("INV-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .payment_terms("30 days net")
///     .line(LineItem::new("1", "Tea & biscuits", Decimal::new(2, 0), UnitCode::piece(),
///         Decimal::new(450, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let xml = String::from_utf8(write_ubl(Vec::new(), &invoice)?)?;
/// assert!(xml.contains("<cbc:Name>Tea &amp; biscuits</cbc:Name>"));
/// assert!(xml.contains(r#"<cbc:PayableAmount currencyID="EUR">10.71</cbc:PayableAmount>"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_ubl<W: Write>(out: W, invoice: &Invoice) -> Result<W> {
    let totals = invoice.totals()?;
    one_exemption_per_group(invoice, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")?;
    let number = invoice.number().ok_or(Error::Incomplete {
        field: "a number (BT-1)",
    })?;
    let issue_date = invoice.issue_date().ok_or(Error::Incomplete {
        field: "an issue date (BT-2)",
    })?;
    let credit = invoice.kind().is_credit_note();
    let (root, ns, type_element, line_element, quantity_element) = if credit {
        (
            "CreditNote",
            NS_CREDIT_NOTE,
            "cbc:CreditNoteTypeCode",
            "cac:CreditNoteLine",
            "cbc:CreditedQuantity",
        )
    } else {
        (
            "Invoice",
            NS_INVOICE,
            "cbc:InvoiceTypeCode",
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        )
    };
    let currency = invoice.currency();
    let mut w = Ubl {
        xml: XmlWriter::new(out),
        currency,
    };
    w.xml.declaration()?;
    w.xml.start_with(
        root,
        &[("xmlns", ns), ("xmlns:cac", NS_CAC), ("xmlns:cbc", NS_CBC)],
    )?;
    let specification = invoice.specification().cloned().unwrap_or_default();
    w.xml
        .leaf("cbc:CustomizationID", specification.identifier())?;
    w.xml
        .opt_leaf("cbc:ProfileID", specification.business_process())?;
    w.xml.leaf("cbc:ID", number.as_str())?;
    w.xml.display_with("cbc:IssueDate", &[], issue_date)?;
    if !credit {
        if let Some(due) = invoice.due_date() {
            w.xml.display_with("cbc:DueDate", &[], due)?;
        }
    }
    w.xml.display_with(type_element, &[], invoice.type_code())?;
    for note in invoice.notes() {
        // UBL states a note's subject code (BT-21) as a `#CODE#` prefix of its text.
        match note.subject_code() {
            Some(code) => w
                .xml
                .leaf("cbc:Note", &format!("#{code}#{}", note.text()))?,
            None => w.xml.leaf("cbc:Note", note.text())?,
        }
    }
    if let Some(date) = invoice.tax_point_date() {
        w.xml.display_with("cbc:TaxPointDate", &[], date)?;
    }
    w.xml.leaf("cbc:DocumentCurrencyCode", currency.code())?;
    // BT-6 and BT-111, from the totals computed above.
    let accounting = match invoice.vat_accounting() {
        Some(a) => Some((a.currency(), a.vat_total(totals.tax_total())?)),
        None => None,
    };
    if let Some((accounting_currency, _)) = accounting {
        w.xml
            .leaf("cbc:TaxCurrencyCode", accounting_currency.code())?;
    }
    let references = invoice.references();
    w.xml
        .opt_leaf("cbc:AccountingCost", references.accounting_reference())?;
    w.xml
        .opt_leaf("cbc:BuyerReference", invoice.buyer_reference())?;
    if invoice.period().is_some() || invoice.vat_point_date_code().is_some() {
        w.xml.start("cac:InvoicePeriod")?;
        if let Some(start) = invoice.period().and_then(|p| p.start()) {
            w.xml.display_with("cbc:StartDate", &[], start)?;
        }
        if let Some(end) = invoice.period().and_then(|p| p.end()) {
            w.xml.display_with("cbc:EndDate", &[], end)?;
        }
        // BT-8 lives in the invoicing period in UBL.
        w.xml
            .opt_leaf("cbc:DescriptionCode", invoice.vat_point_date_code())?;
        w.xml.end("cac:InvoicePeriod")?;
    }
    if invoice.order_reference().is_some() || references.sales_order().is_some() {
        w.xml.start("cac:OrderReference")?;
        // UBL requires the order's ID; a sales order alone goes with `NA` (as Peppol
        // does), which the reader takes for no purchase order.
        w.xml
            .leaf("cbc:ID", invoice.order_reference().unwrap_or(NO_ORDER))?;
        w.xml
            .opt_leaf("cbc:SalesOrderID", references.sales_order())?;
        w.xml.end("cac:OrderReference")?;
    }
    // BG-3: the invoice a credit note corrects first, then the other preceding ones.
    let corrects = match invoice.kind() {
        InvoiceKind::CreditNote {
            corrects: Some(reference),
        } => Some(reference),
        _ => None,
    };
    for reference in corrects.into_iter().chain(invoice.preceding_invoices()) {
        w.xml.start("cac:BillingReference")?;
        w.xml.start("cac:InvoiceDocumentReference")?;
        w.xml.leaf("cbc:ID", reference.number().as_str())?;
        if let Some(date) = reference.issue_date() {
            w.xml.display_with("cbc:IssueDate", &[], date)?;
        }
        w.xml.end("cac:InvoiceDocumentReference")?;
        w.xml.end("cac:BillingReference")?;
    }
    w.references(references, credit)?;
    w.xml.start("cac:AccountingSupplierParty")?;
    w.party(invoice.seller(), invoice.creditor_id())?;
    w.xml.end("cac:AccountingSupplierParty")?;
    w.xml.start("cac:AccountingCustomerParty")?;
    w.party(invoice.buyer(), None)?;
    w.xml.end("cac:AccountingCustomerParty")?;
    if let Some(payee) = invoice.payee() {
        let xml = &mut w.xml;
        xml.start("cac:PayeeParty")?;
        if let Some(id) = payee.identifier() {
            xml.start("cac:PartyIdentification")?;
            xml.schemed_leaf("cbc:ID", id, payee.identifier_scheme())?;
            xml.end("cac:PartyIdentification")?;
        }
        xml.start("cac:PartyName")?;
        xml.leaf("cbc:Name", payee.name())?;
        xml.end("cac:PartyName")?;
        if let Some(id) = payee.legal_id() {
            xml.start("cac:PartyLegalEntity")?;
            xml.schemed_leaf("cbc:CompanyID", id, payee.legal_id_scheme())?;
            xml.end("cac:PartyLegalEntity")?;
        }
        xml.end("cac:PayeeParty")?;
    }
    if let Some(representative) = invoice.tax_representative() {
        let xml = &mut w.xml;
        xml.start("cac:TaxRepresentativeParty")?;
        xml.start("cac:PartyName")?;
        xml.leaf("cbc:Name", representative.name())?;
        xml.end("cac:PartyName")?;
        write_address(xml, "cac:PostalAddress", representative.address())?;
        xml.start("cac:PartyTaxScheme")?;
        xml.leaf("cbc:CompanyID", representative.vat_id())?;
        tax_scheme(xml, VAT)?;
        xml.end("cac:PartyTaxScheme")?;
        xml.end("cac:TaxRepresentativeParty")?;
    }
    if let Some(delivery) = invoice.delivery() {
        w.xml.start("cac:Delivery")?;
        if let Some(date) = delivery.date() {
            w.xml.display_with("cbc:ActualDeliveryDate", &[], date)?;
        }
        if delivery.address().is_some() || delivery.location_id().is_some() {
            w.xml.start("cac:DeliveryLocation")?;
            if let Some(id) = delivery.location_id() {
                w.xml
                    .schemed_leaf("cbc:ID", id, delivery.location_scheme())?;
            }
            if let Some(address) = delivery.address() {
                write_address(&mut w.xml, "cac:Address", address)?;
            }
            w.xml.end("cac:DeliveryLocation")?;
        }
        if let Some(name) = delivery.party_name() {
            w.xml.start("cac:DeliveryParty")?;
            w.xml.start("cac:PartyName")?;
            w.xml.leaf("cbc:Name", name)?;
            w.xml.end("cac:PartyName")?;
            w.xml.end("cac:DeliveryParty")?;
        }
        w.xml.end("cac:Delivery")?;
    }
    for (i, means) in invoice.payment_means().iter().enumerate() {
        w.xml.start("cac:PaymentMeans")?;
        match means.text() {
            Some(text) => {
                w.xml
                    .leaf_with("cbc:PaymentMeansCode", &[("name", text)], means.code())?
            }
            None => w.xml.leaf("cbc:PaymentMeansCode", means.code())?,
        }
        if credit && i == 0 {
            if let Some(due) = invoice.due_date() {
                w.xml.display_with("cbc:PaymentDueDate", &[], due)?;
            }
        }
        w.xml
            .opt_leaf("cbc:PaymentID", means.remittance_information())?;
        if let Some(card) = means.card() {
            w.xml.start("cac:CardAccount")?;
            w.xml
                .leaf("cbc:PrimaryAccountNumberID", card.account_number())?;
            // UBL requires the card network, which EN 16931 does not have.
            w.xml.leaf("cbc:NetworkID", CARD_NETWORK)?;
            w.xml.opt_leaf("cbc:HolderName", card.holder())?;
            w.xml.end("cac:CardAccount")?;
        }
        if let Some(account) = means.account_id() {
            w.xml.start("cac:PayeeFinancialAccount")?;
            w.xml.leaf("cbc:ID", account)?;
            w.xml.opt_leaf("cbc:Name", means.account_name())?;
            if let Some(provider) = means.provider_id() {
                w.xml.start("cac:FinancialInstitutionBranch")?;
                w.xml.leaf("cbc:ID", provider)?;
                w.xml.end("cac:FinancialInstitutionBranch")?;
            }
            w.xml.end("cac:PayeeFinancialAccount")?;
        }
        if means.mandate_id().is_some() || means.debited_account_id().is_some() {
            w.xml.start("cac:PaymentMandate")?;
            w.xml.opt_leaf("cbc:ID", means.mandate_id())?;
            if let Some(account) = means.debited_account_id() {
                w.xml.start("cac:PayerFinancialAccount")?;
                w.xml.leaf("cbc:ID", account)?;
                w.xml.end("cac:PayerFinancialAccount")?;
            }
            w.xml.end("cac:PaymentMandate")?;
        }
        w.xml.end("cac:PaymentMeans")?;
    }
    if let Some(terms) = invoice.payment_terms() {
        w.xml.start("cac:PaymentTerms")?;
        w.xml.leaf("cbc:Note", terms)?;
        w.xml.end("cac:PaymentTerms")?;
    }
    let dp = currency.minor_units();
    for ac in invoice.allowances_charges() {
        let vat = ac.vat();
        let base = match (ac.amount(), vat) {
            (AllowanceChargeAmount::Percentage { base: None, .. }, Some(vat)) => {
                group_net(invoice, &totals, vat)?
            }
            _ => Decimal::ZERO,
        };
        w.allowance_charge(ac, ac.resolved_amount(base, dp)?, vat)?;
    }
    w.tax_total(&totals, invoice.outside_scope_rate_stated())?;
    // BT-111: a TaxTotal of its own, with no breakdown, in the accounting currency; in
    // the invoice's own currency BT-110 already states it.
    if let Some((accounting_currency, total)) = accounting.filter(|(c, _)| *c != currency) {
        w.xml.start("cac:TaxTotal")?;
        w.xml.value_with(
            "cbc:TaxAmount",
            &[("currencyID", accounting_currency.code())],
            total,
        )?;
        w.xml.end("cac:TaxTotal")?;
    }
    w.monetary_total(invoice, &totals)?;
    for (line, net) in invoice.lines().iter().zip(totals.line_net_amounts()) {
        w.line(line, *net, line_element, quantity_element)?;
    }
    w.xml.end(root)?;
    w.xml.finish()
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

struct Ubl<W: Write> {
    xml: XmlWriter<W>,
    currency: Currency,
}

impl<W: Write> Ubl<W> {
    /// The document references after the billing reference, in the order of the root
    /// element's schema: UBL's CreditNote has no `ProjectReference` (BT-11 goes into an
    /// `AdditionalDocumentReference` of type 50 there) and takes the tender reference
    /// (BT-17) after the additional references.
    fn references(&mut self, references: &DocumentReferences, credit: bool) -> Result<()> {
        let xml = &mut self.xml;
        for (element, id) in [
            (
                "cac:DespatchDocumentReference",
                references.despatch_advice(),
            ),
            (
                "cac:ReceiptDocumentReference",
                references.receiving_advice(),
            ),
        ] {
            reference(xml, element, id)?;
        }
        if !credit {
            reference(
                xml,
                "cac:OriginatorDocumentReference",
                references.tender_or_lot(),
            )?;
        }
        reference(xml, "cac:ContractDocumentReference", references.contract())?;
        if let Some(object) = references.invoiced_object() {
            xml.start("cac:AdditionalDocumentReference")?;
            xml.schemed_leaf("cbc:ID", object.id(), object.scheme())?;
            xml.leaf("cbc:DocumentTypeCode", INVOICED_OBJECT)?;
            xml.end("cac:AdditionalDocumentReference")?;
        }
        if credit {
            if let Some(project) = references.project() {
                xml.start("cac:AdditionalDocumentReference")?;
                xml.leaf("cbc:ID", project)?;
                xml.leaf("cbc:DocumentTypeCode", PROJECT)?;
                xml.end("cac:AdditionalDocumentReference")?;
            }
        }
        for document in references.supporting_documents() {
            xml.start("cac:AdditionalDocumentReference")?;
            xml.leaf("cbc:ID", document.id())?;
            xml.opt_leaf("cbc:DocumentDescription", document.description())?;
            if document.attachment().is_some() || document.uri().is_some() {
                xml.start("cac:Attachment")?;
                if let Some(file) = document.attachment() {
                    xml.leaf_with(
                        "cbc:EmbeddedDocumentBinaryObject",
                        &[
                            ("mimeCode", file.mime_code()),
                            ("filename", file.filename()),
                        ],
                        file.content_base64(),
                    )?;
                }
                if let Some(uri) = document.uri() {
                    xml.start("cac:ExternalReference")?;
                    xml.leaf("cbc:URI", uri)?;
                    xml.end("cac:ExternalReference")?;
                }
                xml.end("cac:Attachment")?;
            }
            xml.end("cac:AdditionalDocumentReference")?;
        }
        if credit {
            reference(
                xml,
                "cac:OriginatorDocumentReference",
                references.tender_or_lot(),
            )
        } else {
            reference(xml, "cac:ProjectReference", references.project())
        }
    }

    fn amount(&mut self, name: &str, value: Decimal) -> Result<()> {
        self.xml
            .value_with(name, &[("currencyID", self.currency.code())], value)
    }

    /// A `cac:Party`; the seller's carries the SEPA creditor id (BT-90), when there is one,
    /// as a party identification of scheme `SEPA`.
    fn party(&mut self, party: &Party, creditor_id: Option<&str>) -> Result<()> {
        let xml = &mut self.xml;
        xml.start("cac:Party")?;
        if let Some(address) = party.electronic_address() {
            xml.leaf_with(
                "cbc:EndpointID",
                &[("schemeID", address.scheme())],
                address.value(),
            )?;
        }
        if let Some(id) = party.identifier() {
            xml.start("cac:PartyIdentification")?;
            xml.schemed_leaf("cbc:ID", id, party.identifier_scheme())?;
            xml.end("cac:PartyIdentification")?;
        }
        if let Some(id) = creditor_id {
            xml.start("cac:PartyIdentification")?;
            xml.leaf_with("cbc:ID", &[("schemeID", SEPA)], id)?;
            xml.end("cac:PartyIdentification")?;
        }
        if let Some(trading) = party.trading_name() {
            xml.start("cac:PartyName")?;
            xml.leaf("cbc:Name", trading)?;
            xml.end("cac:PartyName")?;
        }
        write_address(xml, "cac:PostalAddress", party.address())?;
        if let Some(vat_id) = party.vat_id() {
            xml.start("cac:PartyTaxScheme")?;
            xml.leaf("cbc:CompanyID", vat_id)?;
            tax_scheme(xml, VAT)?;
            xml.end("cac:PartyTaxScheme")?;
        }
        if let Some(id) = party.tax_registration_id() {
            xml.start("cac:PartyTaxScheme")?;
            xml.leaf("cbc:CompanyID", id)?;
            tax_scheme(xml, OTHER_TAX)?;
            xml.end("cac:PartyTaxScheme")?;
        }
        xml.start("cac:PartyLegalEntity")?;
        xml.leaf("cbc:RegistrationName", party.name())?;
        if let Some(id) = party.legal_id() {
            xml.schemed_leaf("cbc:CompanyID", id, party.legal_id_scheme())?;
        }
        xml.opt_leaf("cbc:CompanyLegalForm", party.additional_legal_info())?;
        xml.end("cac:PartyLegalEntity")?;
        if let Some(contact) = party.contact() {
            xml.start("cac:Contact")?;
            xml.opt_leaf("cbc:Name", contact.name())?;
            xml.opt_leaf("cbc:Telephone", contact.phone())?;
            xml.opt_leaf("cbc:ElectronicMail", contact.email())?;
            xml.end("cac:Contact")?;
        }
        xml.end("cac:Party")
    }

    /// A VAT category; `o_rate`: state the rate of an O category too (a breakdown row
    /// whose source stated it).
    fn tax_category(
        &mut self,
        element: &str,
        vat: Vat,
        exemption: Option<&invoice_core::VatExemption>,
        o_rate: bool,
    ) -> Result<()> {
        let xml = &mut self.xml;
        xml.start(element)?;
        xml.leaf("cbc:ID", vat.category().code())?;
        // BR-O-05: category O carries no rate on a line (nor here, unless stated).
        if vat.category() != VatCategory::OutsideScope || o_rate {
            xml.value_with("cbc:Percent", &[], vat.rate())?;
        }
        if let Some(exemption) = exemption {
            xml.opt_leaf("cbc:TaxExemptionReasonCode", exemption.reason_code())?;
            xml.opt_leaf("cbc:TaxExemptionReason", exemption.reason_text())?;
        }
        tax_scheme(xml, VAT)?;
        xml.end(element)
    }

    fn allowance_charge(
        &mut self,
        ac: &AllowanceCharge,
        amount: Decimal,
        vat: Option<Vat>,
    ) -> Result<()> {
        self.xml.start("cac:AllowanceCharge")?;
        self.xml.leaf(
            "cbc:ChargeIndicator",
            if ac.is_charge() { "true" } else { "false" },
        )?;
        self.xml
            .opt_leaf("cbc:AllowanceChargeReasonCode", ac.reason_code())?;
        self.xml
            .opt_leaf("cbc:AllowanceChargeReason", ac.reason())?;
        if let Some(percent) = ac.percent() {
            self.xml
                .value_with("cbc:MultiplierFactorNumeric", &[], percent)?;
        }
        self.amount("cbc:Amount", amount)?;
        if let Some(base) = ac.base_amount() {
            self.amount("cbc:BaseAmount", base)?;
        }
        if let Some(vat) = vat {
            self.tax_category("cac:TaxCategory", vat, None, false)?;
        }
        self.xml.end("cac:AllowanceCharge")
    }

    fn tax_total(&mut self, totals: &Totals, o_rate: bool) -> Result<()> {
        self.xml.start("cac:TaxTotal")?;
        self.amount("cbc:TaxAmount", totals.tax_total())?;
        for row in totals.vat_breakdown() {
            self.xml.start("cac:TaxSubtotal")?;
            self.amount("cbc:TaxableAmount", row.taxable_amount())?;
            self.amount("cbc:TaxAmount", row.tax_amount())?;
            self.tax_category(
                "cac:TaxCategory",
                Vat::new(row.category(), row.rate()),
                row.exemption(),
                o_rate,
            )?;
            self.xml.end("cac:TaxSubtotal")?;
        }
        self.xml.end("cac:TaxTotal")
    }

    fn monetary_total(&mut self, invoice: &Invoice, totals: &Totals) -> Result<()> {
        self.xml.start("cac:LegalMonetaryTotal")?;
        self.amount("cbc:LineExtensionAmount", totals.line_extension_amount())?;
        self.amount("cbc:TaxExclusiveAmount", totals.tax_exclusive_amount())?;
        self.amount("cbc:TaxInclusiveAmount", totals.tax_inclusive_amount())?;
        let has_allowances = invoice
            .allowances_charges()
            .iter()
            .any(|ac| !ac.is_charge());
        let has_charges = invoice.allowances_charges().iter().any(|ac| ac.is_charge());
        if has_allowances {
            self.amount("cbc:AllowanceTotalAmount", totals.allowance_total())?;
        }
        if has_charges {
            self.amount("cbc:ChargeTotalAmount", totals.charge_total())?;
        }
        if !totals.prepaid_amount().is_zero() {
            self.amount("cbc:PrepaidAmount", totals.prepaid_amount())?;
        }
        if !totals.rounding_amount().is_zero() || invoice.stated_rounding_amount().is_some() {
            self.amount("cbc:PayableRoundingAmount", totals.rounding_amount())?;
        }
        self.amount("cbc:PayableAmount", totals.payable_amount())?;
        self.xml.end("cac:LegalMonetaryTotal")
    }

    /// An invoicing period (BG-14, BG-26); nothing when it states no date.
    fn period(&mut self, period: &InvoicePeriod) -> Result<()> {
        if period.start().is_none() && period.end().is_none() {
            return Ok(());
        }
        self.xml.start("cac:InvoicePeriod")?;
        if let Some(start) = period.start() {
            self.xml.display_with("cbc:StartDate", &[], start)?;
        }
        if let Some(end) = period.end() {
            self.xml.display_with("cbc:EndDate", &[], end)?;
        }
        self.xml.end("cac:InvoicePeriod")
    }

    /// The item's identifiers, origin and classifications (BT-155 to BT-159), in the
    /// order UBL's `cac:Item` takes them.
    fn item_identification(&mut self, details: &LineDetails) -> Result<()> {
        let xml = &mut self.xml;
        for (element, id) in [
            ("cac:BuyersItemIdentification", details.buyer_item_id()),
            ("cac:SellersItemIdentification", details.seller_item_id()),
        ] {
            if let Some(id) = id {
                xml.start(element)?;
                xml.leaf("cbc:ID", id)?;
                xml.end(element)?;
            }
        }
        if let Some(standard) = details.standard_item_id() {
            xml.start("cac:StandardItemIdentification")?;
            xml.leaf_with("cbc:ID", &[("schemeID", standard.scheme())], standard.id())?;
            xml.end("cac:StandardItemIdentification")?;
        }
        if let Some(country) = details.origin_country() {
            xml.start("cac:OriginCountry")?;
            xml.leaf("cbc:IdentificationCode", country.as_str())?;
            xml.end("cac:OriginCountry")?;
        }
        for class in details.classifications() {
            xml.start("cac:CommodityClassification")?;
            let mut attributes = vec![("listID", class.list())];
            if let Some(version) = class.list_version() {
                attributes.push(("listVersionID", version));
            }
            xml.leaf_with("cbc:ItemClassificationCode", &attributes, class.code())?;
            xml.end("cac:CommodityClassification")?;
        }
        Ok(())
    }

    fn line(&mut self, line: &LineItem, net: Decimal, element: &str, quantity: &str) -> Result<()> {
        let dp = self.currency.minor_units();
        self.xml.start(element)?;
        self.xml.leaf("cbc:ID", line.id())?;
        let details = line.details();
        self.xml
            .opt_leaf("cbc:Note", details.and_then(LineDetails::note))?;
        self.xml.value_with(
            quantity,
            &[("unitCode", line.unit().as_str())],
            line.quantity(),
        )?;
        self.amount("cbc:LineExtensionAmount", net)?;
        if let Some(details) = details {
            self.xml
                .opt_leaf("cbc:AccountingCost", details.accounting_reference())?;
            if let Some(period) = details.period() {
                self.period(period)?;
            }
            if let Some(order_line) = details.order_line_reference() {
                self.xml.start("cac:OrderLineReference")?;
                self.xml.leaf("cbc:LineID", order_line)?;
                self.xml.end("cac:OrderLineReference")?;
            }
            if let Some(object) = details.object_id() {
                self.xml.start("cac:DocumentReference")?;
                self.xml
                    .schemed_leaf("cbc:ID", object.id(), object.scheme())?;
                self.xml.leaf("cbc:DocumentTypeCode", INVOICED_OBJECT)?;
                self.xml.end("cac:DocumentReference")?;
            }
        }
        if !line.allowances_charges().is_empty() {
            let base = line.price_amount(dp)?;
            for ac in line.allowances_charges() {
                self.allowance_charge(ac, ac.resolved_amount(base, dp)?, None)?;
            }
        }
        self.xml.start("cac:Item")?;
        self.xml.opt_leaf("cbc:Description", line.description())?;
        self.xml.leaf("cbc:Name", line.name())?;
        if let Some(details) = details {
            self.item_identification(details)?;
        }
        self.tax_category("cac:ClassifiedTaxCategory", line.vat(), None, false)?;
        for attribute in details.map(LineDetails::attributes).unwrap_or_default() {
            self.xml.start("cac:AdditionalItemProperty")?;
            self.xml.leaf("cbc:Name", attribute.name())?;
            self.xml.leaf("cbc:Value", attribute.value())?;
            self.xml.end("cac:AdditionalItemProperty")?;
        }
        self.xml.end("cac:Item")?;
        self.xml.start("cac:Price")?;
        self.amount("cbc:PriceAmount", line.price())?;
        if let Some(unit) = crate::xml::base_quantity_unit(line) {
            let unit: &[(&str, &str)] = match unit {
                Some(code) => &[("unitCode", code)],
                None => &[],
            };
            self.xml
                .value_with("cbc:BaseQuantity", unit, line.base_quantity())?;
        }
        let stated = details.and_then(LineDetails::stated_price_discount);
        if let Some(gross) = line.gross_price() {
            let discount = match stated {
                Some(discount) => discount,
                None => gross
                    .checked_sub(line.price())
                    .ok_or(invoice_core::Error::Overflow)?,
            };
            self.xml.start("cac:AllowanceCharge")?;
            self.xml.leaf("cbc:ChargeIndicator", "false")?;
            self.amount("cbc:Amount", discount)?;
            self.amount("cbc:BaseAmount", gross)?;
            self.xml.end("cac:AllowanceCharge")?;
        } else if let Some(discount) = stated {
            // A discount a document stated without a gross price.
            self.xml.start("cac:AllowanceCharge")?;
            self.xml.leaf("cbc:ChargeIndicator", "false")?;
            self.amount("cbc:Amount", discount)?;
            self.xml.end("cac:AllowanceCharge")?;
        }
        self.xml.end("cac:Price")?;
        self.xml.end(element)
    }
}

/// An address: lines one and two as street names, the rest as address lines.
fn write_address<W: Write>(xml: &mut XmlWriter<W>, element: &str, address: &Address) -> Result<()> {
    xml.start(element)?;
    // An empty line holds the place of one a received document left out.
    let mut lines = address.lines().iter();
    xml.opt_leaf("cbc:StreetName", crate::xml::stated_line(lines.next()))?;
    xml.opt_leaf(
        "cbc:AdditionalStreetName",
        crate::xml::stated_line(lines.next()),
    )?;
    xml.opt_leaf("cbc:CityName", address.city())?;
    xml.opt_leaf("cbc:PostalZone", address.postal_code())?;
    xml.opt_leaf("cbc:CountrySubentity", address.subdivision())?;
    for line in lines.filter(|l| !l.is_empty()) {
        xml.start("cac:AddressLine")?;
        xml.leaf("cbc:Line", line)?;
        xml.end("cac:AddressLine")?;
    }
    xml.start("cac:Country")?;
    xml.leaf("cbc:IdentificationCode", address.country().as_str())?;
    xml.end("cac:Country")?;
    xml.end(element)
}

/// A reference element holding only its `cbc:ID`, when there is one.
fn reference<W: Write>(xml: &mut XmlWriter<W>, element: &str, id: Option<&str>) -> Result<()> {
    if let Some(id) = id {
        xml.start(element)?;
        xml.leaf("cbc:ID", id)?;
        xml.end(element)?;
    }
    Ok(())
}

/// The scheme of a party identification that holds the SEPA creditor id (BT-90).
const SEPA: &str = "SEPA";
/// The `cbc:NetworkID` written for a payment card: UBL requires one, EN 16931 has none.
const CARD_NETWORK: &str = "NA";

/// The tax scheme of a VAT identifier or category.
const VAT: &str = "VAT";
/// The tax scheme written for a tax registration identifier (BT-32): any but `VAT`.
const OTHER_TAX: &str = "TAX";

fn tax_scheme<W: Write>(xml: &mut XmlWriter<W>, id: &str) -> Result<()> {
    xml.start("cac:TaxScheme")?;
    xml.leaf("cbc:ID", id)?;
    xml.end("cac:TaxScheme")
}
