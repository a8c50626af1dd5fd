//! The CII reader.

use std::io::Read;

use invoice_core::{
    Address, AllowanceChargeKind, Contact, CountryCode, Currency, Delivery, Invoice, InvoiceNumber,
    InvoicePeriod, InvoiceReference, LineItem, Party, PaymentMeans, UnitCode, Vat, VatCategory,
    VatExemption,
};
use rust_decimal::Decimal;

use super::{DATE, NS_RSM};
use crate::error::{Error, Result};
use crate::import::{
    complete_line, finish, ImportOptions, StatedAllowanceCharge, StatedBreakdown, StatedPrice,
};
use crate::xml::{read_input, Doc, El};

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
    let doc = Doc::parse(&text, options.limits())?;
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
    let credit = document.opt_text("ram:TypeCode") == Some("381");
    let currency_el = settlement.req("ram:InvoiceCurrencyCode")?;
    let currency = Currency::from_code(currency_el.text())
        .map_err(|e| currency_el.invalid(currency_el.text(), e))?;
    let dp = currency.minor_units();

    let seller = party(&agreement.req("ram:SellerTradeParty")?)?;
    let buyer = party(&agreement.req("ram:BuyerTradeParty")?)?;
    let mut builder = options
        .builder(currency, seller, buyer)
        .issued(number, issue_date);
    for (index, note) in document.children("ram:IncludedNote").enumerate() {
        let content = note
            .child("ram:Content")
            .map(|c| c.text())
            .unwrap_or_default();
        if let Some(note) = options.note(index, content, issue_date) {
            builder = builder.note(note);
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
    if credit {
        let corrects = match settlement.child("ram:InvoiceReferencedDocument") {
            Some(reference) => {
                let id = reference.req("ram:IssuerAssignedID")?;
                let number = InvoiceNumber::new(id.text()).map_err(|e| id.invalid(id.text(), e))?;
                let mut corrects = InvoiceReference::new(number);
                if let Some(issued) = reference.child("ram:FormattedIssueDateTime") {
                    corrects = corrects.with_issue_date(date(&issued)?);
                }
                Some(corrects)
            }
            None => None,
        };
        builder = builder.credit_note(corrects);
    }

    if let Some(period) = settlement.child("ram:BillingSpecifiedPeriod") {
        let mut p = InvoicePeriod::new();
        if let Some(start) = period.child("ram:StartDateTime") {
            p = p.with_start(date(&start)?);
        }
        if let Some(end) = period.child("ram:EndDateTime") {
            p = p.with_end(date(&end)?);
        }
        builder = builder.period(p);
    }
    if let Some(el) = transaction.child("ram:ApplicableHeaderTradeDelivery") {
        let mut delivery = Delivery::new();
        let mut any = false;
        if let Some(ship_to) = el.child("ram:ShipToTradeParty") {
            if let Some(name) = ship_to.opt_text("ram:Name") {
                delivery = delivery.with_party_name(name);
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

    let mut lines = Vec::new();
    for el in transaction.children("ram:IncludedSupplyChainTradeLineItem") {
        lines.push(line(&el, dp)?);
    }
    let mut document_acs = Vec::new();
    for el in settlement.children("ram:SpecifiedTradeAllowanceCharge") {
        document_acs.push(allowance_charge(&el, true)?);
    }
    let mut breakdown = Vec::new();
    for tax in settlement.children("ram:ApplicableTradeTax") {
        breakdown.push(StatedBreakdown {
            vat: vat(&tax, "ram:CategoryCode")?,
            tax_amount: tax.opt_decimal("ram:CalculatedAmount")?,
            exemption: exemption(&tax),
        });
    }
    if let Some(sums) = settlement.child("ram:SpecifiedTradeSettlementHeaderMonetarySummation") {
        if let Some(prepaid) = sums.opt_decimal("ram:TotalPrepaidAmount")? {
            builder = builder.prepaid_amount(prepaid);
        }
        if let Some(rounding) = sums.opt_decimal("ram:RoundingAmount")? {
            builder = builder.stated_rounding_amount(rounding);
        }
    }
    finish(builder, dp, lines, document_acs, &breakdown)
}

/// A date element holding `udt:DateTimeString` (or `qdt:`) in format 102.
fn date(el: &El<'_, '_>) -> Result<chrono::NaiveDate> {
    let string = el.req("udt:DateTimeString")?;
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
    let global = el.children("ram:GlobalID").find(|id| !id.text().is_empty());
    match (el.opt_text("ram:ID"), global) {
        (Some(id), _) => party = party.with_identifier(id),
        (None, Some(global)) => {
            party = party.with_identifier(global.text());
            if let Some(scheme) = global.attr("schemeID").filter(|s| !s.is_empty()) {
                party = party.with_identifier_scheme(scheme);
            }
        }
        (None, None) => {}
    }
    if let Some(legal) = el.child("ram:SpecifiedLegalOrganization") {
        if let Some(id) = legal.opt_text("ram:ID") {
            party = party.with_legal_id(id);
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
    if let Some(uri) = el
        .child("ram:URIUniversalCommunication")
        .and_then(|u| u.child("ram:URIID"))
    {
        if uri.attr("schemeID") == Some("EM") && !uri.text().is_empty() {
            party = party.with_email(uri.text());
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
    for line in ["ram:LineOne", "ram:LineTwo", "ram:LineThree"] {
        if let Some(line) = postal.opt_text(line) {
            address = address.with_line(line);
        }
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

/// A VAT category (`category`) and rate (`ram:RateApplicablePercent`, 0 when absent).
fn vat(el: &El<'_, '_>, category: &'static str) -> Result<Vat> {
    let code = el.req(category)?;
    let category = VatCategory::from_code(code.text()).map_err(|e| code.invalid(code.text(), e))?;
    let rate = el
        .opt_decimal("ram:RateApplicablePercent")?
        .unwrap_or(Decimal::ZERO);
    Ok(Vat::new(category, rate))
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

fn allowance_charge(el: &El<'_, '_>, document_level: bool) -> Result<StatedAllowanceCharge> {
    let indicator = el.req("ram:ChargeIndicator")?.req("udt:Indicator")?;
    let kind = match indicator.text() {
        "true" | "1" => AllowanceChargeKind::Charge,
        "false" | "0" => AllowanceChargeKind::Allowance,
        other => return Err(indicator.invalid(other, "not a boolean")),
    };
    let vat = if document_level {
        Some(vat(&el.req("ram:CategoryTradeTax")?, "ram:CategoryCode")?)
    } else {
        None
    };
    Ok(StatedAllowanceCharge {
        kind,
        amount: el.req_decimal("ram:ActualAmount")?,
        percent: el.opt_decimal("ram:CalculationPercent")?,
        base: el.opt_decimal("ram:BasisAmount")?,
        reason: el.opt_text("ram:Reason").map(str::to_owned),
        reason_code: el.opt_text("ram:ReasonCode").map(str::to_owned),
        vat,
    })
}

fn line(el: &El<'_, '_>, dp: u32) -> Result<LineItem> {
    let id = el
        .req("ram:AssociatedDocumentLineDocument")?
        .req_text("ram:LineID")?;
    let product = el.req("ram:SpecifiedTradeProduct")?;
    let name = product.req_text("ram:Name")?;
    let agreement = el.req("ram:SpecifiedLineTradeAgreement")?;
    let net_price = agreement.req("ram:NetPriceProductTradePrice")?;
    let price = net_price.req_decimal("ram:ChargeAmount")?;
    let quantity_el = el
        .req("ram:SpecifiedLineTradeDelivery")?
        .req("ram:BilledQuantity")?;
    let quantity = quantity_el.decimal()?;
    let unit_text = quantity_el.attr("unitCode").unwrap_or_default();
    let unit = UnitCode::new(unit_text).map_err(|e| Error::InvalidValue {
        path: format!("{}/@unitCode", quantity_el.path()),
        value: unit_text.to_owned(),
        reason: e.to_string(),
    })?;
    let settlement = el.req("ram:SpecifiedLineTradeSettlement")?;
    let vat = vat(
        &settlement.req("ram:ApplicableTradeTax")?,
        "ram:CategoryCode",
    )?;
    let net = settlement
        .req("ram:SpecifiedTradeSettlementLineMonetarySummation")?
        .req_decimal("ram:LineTotalAmount")?;
    let mut line = LineItem::new(id, name, quantity, unit, price, vat);
    if let Some(description) = product.opt_text("ram:Description") {
        line = line.with_description(description);
    }
    let price = StatedPrice {
        base_quantity: net_price.opt_decimal("ram:BasisQuantity")?,
        base_quantity_path: || net_price.child_path("ram:BasisQuantity"),
        gross: agreement
            .child("ram:GrossPriceProductTradePrice")
            .map(|g| g.opt_decimal("ram:ChargeAmount"))
            .transpose()?
            .flatten(),
    };
    let allowances_charges = settlement
        .children("ram:SpecifiedTradeAllowanceCharge")
        .map(|ac| allowance_charge(&ac, false));
    complete_line(line, price, allowances_charges, net, dp)
}
