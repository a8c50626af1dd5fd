//! What a line states besides its amounts: its note, period and references, and the
//! identifiers, classifications and attributes of its item.

use serde::{Deserialize, Serialize};

use crate::delivery::InvoicePeriod;
use crate::error::{non_blank, Result};
use crate::line_item::UnitCode;
use crate::party::CountryCode;
use crate::references::InvoicedObject;

/// An identifier with the scheme it is issued in, such as a GTIN (`0160`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemedId {
    id: String,
    scheme: String,
}

impl SchemedId {
    /// `id` in `scheme` (an ISO 6523 ICD code for an item's standard identifier).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`](crate::Error::InvalidField) when either is empty (BR-64: a
    /// standard identifier has its scheme).
    pub fn new(id: impl Into<String>, scheme: impl Into<String>) -> Result<Self> {
        let (id, scheme) = (id.into(), scheme.into());
        let id = non_blank("identifier", id, "must not be empty")?;
        let scheme = non_blank("identifier scheme", scheme, "must not be empty (BR-64)")?;
        Ok(Self { id, scheme })
    }

    /// The identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its scheme.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }
}

/// An item classification (BT-158) in a list (BT-158-1, such as `STI` for CPV or `TST`
/// for UNSPSC) of an optional version (BT-158-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemClassification {
    code: String,
    list: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    list_version: Option<String>,
}

impl ItemClassification {
    /// `code` in the classification list `list`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`](crate::Error::InvalidField) when either is empty (BR-65: a
    /// classification has its list).
    pub fn new(code: impl Into<String>, list: impl Into<String>) -> Result<Self> {
        let (code, list) = (code.into(), list.into());
        let code = non_blank("item classification code", code, "must not be empty")?;
        let list = non_blank(
            "item classification list",
            list,
            "must not be empty (BR-65)",
        )?;
        Ok(Self {
            code,
            list,
            list_version: None,
        })
    }

    /// Sets the version of the list (BT-158-2).
    pub fn with_list_version(mut self, version: impl Into<String>) -> Self {
        self.list_version = Some(version.into());
        self
    }

    /// The classification code (BT-158).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The list it is from (BT-158-1).
    pub fn list(&self) -> &str {
        &self.list
    }

    /// The list's version (BT-158-2).
    pub fn list_version(&self) -> Option<&str> {
        self.list_version.as_deref()
    }
}

/// An attribute of an item (BG-32): a name (BT-160) and its value (BT-161).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemAttribute {
    name: String,
    value: String,
}

impl ItemAttribute {
    /// The attribute `name` with `value`, such as ("Colour", "Black").
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The name (BT-160).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value (BT-161).
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// What a line states besides its amounts. None of it changes a total; all of it is
/// written and read in both syntaxes.
///
/// # Examples
///
/// ```
/// use invoice_core::{Decimal, ItemAttribute, ItemClassification, LineDetails, LineItem,
///     SchemedId, UnitCode, Vat};
///
/// let details = LineDetails::new()
///     .with_seller_item_id("JB-007")
///     .with_standard_item_id(SchemedId::new("05704066204093", "0160")?)
///     .with_classification(ItemClassification::new("65434568", "STI")?)
///     .with_attribute(ItemAttribute::new("Colour", "Black"))
///     .with_order_line_reference("3");
/// let line = LineItem::new("1", "Pen", Decimal::ONE, UnitCode::piece(), Decimal::new(250, 2),
///     Vat::standard(Decimal::new(25, 0))).with_details(details);
/// assert_eq!(line.details().unwrap().seller_item_id(), Some("JB-007"));
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<InvoicePeriod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    object_id: Option<InvoicedObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_line_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accounting_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seller_item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    buyer_item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    standard_item_id: Option<SchemedId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    classifications: Vec<ItemClassification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin_country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<ItemAttribute>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    base_quantity_stated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_quantity_unit: Option<UnitCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    stated_price_discount: Option<rust_decimal::Decimal>,
}

impl LineDetails {
    /// No details; add them with the `with_` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing is stated.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Marks the price base quantity (BT-149, the line's
    /// [`base_quantity`](crate::LineItem::base_quantity)) as stated by a received document,
    /// with the unit (BT-150) it states, if any. The writers then state both again as
    /// they were, a base quantity of 1 included; otherwise they leave out a base quantity
    /// of 1 and give any other one the line's unit (BT-130).
    pub fn with_stated_base_quantity(mut self, unit: Option<UnitCode>) -> Self {
        self.base_quantity_stated = true;
        self.base_quantity_unit = unit;
        self
    }

    /// Whether a received document states the price base quantity (BT-149).
    pub fn base_quantity_stated(&self) -> bool {
        self.base_quantity_stated
    }

    /// The unit a received document states for the price base quantity (BT-150).
    pub fn base_quantity_unit(&self) -> Option<&UnitCode> {
        self.base_quantity_unit.as_ref()
    }

    /// Keeps the item price discount (BT-147) a received document states where it is not
    /// the gross price (BT-148) less the net price (BT-146), or where it states no gross
    /// price: the writers then state it again as it was, where they would otherwise
    /// derive it from the two prices.
    pub fn with_stated_price_discount(mut self, discount: rust_decimal::Decimal) -> Self {
        self.stated_price_discount = Some(discount);
        self
    }

    /// The item price discount (BT-147) as a received document states it, when it is not
    /// derived from the prices.
    pub fn stated_price_discount(&self) -> Option<rust_decimal::Decimal> {
        self.stated_price_discount
    }

    /// Sets the line note (BT-127).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets the line's invoicing period (BG-26: BT-134, BT-135).
    pub fn with_period(mut self, period: InvoicePeriod) -> Self {
        self.period = Some(period);
        self
    }

    /// Sets the line's object identifier (BT-128) with its scheme (BT-128-1).
    pub fn with_object_id(mut self, object: InvoicedObject) -> Self {
        self.object_id = Some(object);
        self
    }

    /// The line's object identifier (BT-128).
    pub fn object_id(&self) -> Option<&InvoicedObject> {
        self.object_id.as_ref()
    }

    /// Sets the referenced purchase order line (BT-132).
    pub fn with_order_line_reference(mut self, line: impl Into<String>) -> Self {
        self.order_line_reference = Some(line.into());
        self
    }

    /// Sets the buyer's accounting reference for the line (BT-133).
    pub fn with_accounting_reference(mut self, reference: impl Into<String>) -> Self {
        self.accounting_reference = Some(reference.into());
        self
    }

    /// Sets the seller's item identifier (BT-155).
    pub fn with_seller_item_id(mut self, id: impl Into<String>) -> Self {
        self.seller_item_id = Some(id.into());
        self
    }

    /// Sets the buyer's item identifier (BT-156).
    pub fn with_buyer_item_id(mut self, id: impl Into<String>) -> Self {
        self.buyer_item_id = Some(id.into());
        self
    }

    /// Sets the item's standard identifier with its scheme (BT-157, BT-157-1).
    pub fn with_standard_item_id(mut self, id: SchemedId) -> Self {
        self.standard_item_id = Some(id);
        self
    }

    /// Adds an item classification (BT-158).
    pub fn with_classification(mut self, classification: ItemClassification) -> Self {
        self.classifications.push(classification);
        self
    }

    /// Sets the item's country of origin (BT-159).
    pub fn with_origin_country(mut self, country: CountryCode) -> Self {
        self.origin_country = Some(country);
        self
    }

    /// Adds an item attribute (BG-32).
    pub fn with_attribute(mut self, attribute: ItemAttribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The line note (BT-127).
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The line's invoicing period (BG-26).
    pub fn period(&self) -> Option<&InvoicePeriod> {
        self.period.as_ref()
    }

    /// The referenced purchase order line (BT-132).
    pub fn order_line_reference(&self) -> Option<&str> {
        self.order_line_reference.as_deref()
    }

    /// The buyer's accounting reference (BT-133).
    pub fn accounting_reference(&self) -> Option<&str> {
        self.accounting_reference.as_deref()
    }

    /// The seller's item identifier (BT-155).
    pub fn seller_item_id(&self) -> Option<&str> {
        self.seller_item_id.as_deref()
    }

    /// The buyer's item identifier (BT-156).
    pub fn buyer_item_id(&self) -> Option<&str> {
        self.buyer_item_id.as_deref()
    }

    /// The item's standard identifier (BT-157).
    pub fn standard_item_id(&self) -> Option<&SchemedId> {
        self.standard_item_id.as_ref()
    }

    /// The item classifications (BT-158), in order.
    pub fn classifications(&self) -> &[ItemClassification] {
        &self.classifications
    }

    /// The item's country of origin (BT-159).
    pub fn origin_country(&self) -> Option<CountryCode> {
        self.origin_country
    }

    /// The item attributes (BG-32), in order.
    pub fn attributes(&self) -> &[ItemAttribute] {
        &self.attributes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_lists_are_required() {
        assert!(SchemedId::new("0570", "").is_err());
        assert!(SchemedId::new("", "0160").is_err());
        assert!(ItemClassification::new("123", " ").is_err());
        let c = ItemClassification::new("123", "STI")
            .unwrap()
            .with_list_version("2008");
        assert_eq!(
            (c.code(), c.list(), c.list_version()),
            ("123", "STI", Some("2008"))
        );
    }

    #[test]
    fn details_round_trip_through_serde_and_know_when_empty() {
        assert!(LineDetails::new().is_empty());
        let d = LineDetails::new()
            .with_note("n")
            .with_attribute(ItemAttribute::new("Colour", "Black"))
            .with_origin_country(CountryCode::new("DE").unwrap());
        assert!(!d.is_empty());
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<LineDetails>(&json).unwrap(), d);
    }
}
