//! What a line and an allowance or charge state, as texts with where they stand: read
//! from the element tree or by the streaming pass over the lines, and turned into the
//! model by the same code, so that both readers keep the same rules.

use std::borrow::Cow;
use std::fmt::Display;

use invoice_core::{AllowanceChargeKind, LineDetails, LineItem, UnitCode, Vat, VatCategory};
use rust_decimal::Decimal;

use super::StatedAllowanceCharge;
use crate::error::{Error, Result};
use crate::xml::El;

/// Where a value stands, for the path its errors name.
pub(crate) trait Locate {
    /// The element path of the value.
    fn path(&self) -> String;
}

impl Locate for El<'_, '_> {
    fn path(&self) -> String {
        El::path(self)
    }
}

/// A value read by the streaming pass, which keeps no paths: any error it meets makes
/// the reader read the document again as a tree, whose errors name them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Streamed;

impl Locate for Streamed {
    fn path(&self) -> String {
        String::new()
    }
}

/// An element's trimmed text and where the element stands.
#[derive(Debug, Clone)]
pub(crate) struct Located<'t, L> {
    pub(crate) text: Cow<'t, str>,
    pub(crate) at: L,
}

impl<'d, 'a> Located<'d, El<'d, 'a>> {
    /// The text of a tree element.
    pub(crate) fn of(el: El<'d, 'a>) -> Self {
        Self {
            text: Cow::Borrowed(el.text()),
            at: el,
        }
    }
}

/// The text of an optional element of the tree, borrowed from it.
pub(crate) fn text_of<'d>(el: Option<El<'d, '_>>) -> Option<Cow<'d, str>> {
    el.map(|el| Cow::Borrowed(el.text()))
}

impl<L: Locate> Located<'_, L> {
    /// An [`Error::InvalidValue`] for this value.
    fn invalid(&self, reason: impl Display) -> Error {
        Error::InvalidValue {
            path: self.at.path(),
            value: self.text.to_string(),
            reason: reason.to_string(),
        }
    }

    /// The text of a value that must not be empty.
    fn required(&self) -> Result<&str> {
        if self.text.is_empty() {
            Err(Error::Missing {
                path: self.at.path(),
            })
        } else {
            Ok(&self.text)
        }
    }

    /// The text as an exact decimal.
    fn decimal(&self) -> Result<Decimal> {
        invoice_core::parse_decimal(&self.text).map_err(|e| self.invalid(e))
    }

    /// A decimal that must not be empty.
    fn required_decimal(&self) -> Result<Decimal> {
        self.required()?;
        self.decimal()
    }
}

/// A decimal that may be absent; an empty element counts as absent.
fn optional_decimal<L: Locate>(value: Option<&Located<'_, L>>) -> Result<Option<Decimal>> {
    match value {
        Some(value) if !value.text.is_empty() => value.decimal().map(Some),
        _ => Ok(None),
    }
}

/// A text that may be absent; an empty element counts as absent.
fn optional_text<'s>(value: Option<&'s Cow<'_, str>>) -> Option<&'s str> {
    value.map(|t| &**t).filter(|t| !t.is_empty())
}

/// A VAT category code and rate as stated.
#[derive(Debug, Clone)]
pub(crate) struct VatFields<'t, L> {
    pub(crate) category: Located<'t, L>,
    pub(crate) rate: Option<Located<'t, L>>,
}

impl<L: Locate> VatFields<'_, L> {
    /// The category and rate; a missing rate is 0 (BR-O-05).
    pub(crate) fn vat(&self) -> Result<Vat> {
        let category =
            VatCategory::from_code(&self.category.text).map_err(|e| self.category.invalid(e))?;
        let rate = optional_decimal(self.rate.as_ref())?.unwrap_or(Decimal::ZERO);
        Ok(Vat::new(category, rate))
    }
}

/// An allowance or charge as stated, at line or document level.
#[derive(Debug, Clone)]
pub(crate) struct AllowanceChargeFields<'t, L> {
    pub(crate) indicator: Located<'t, L>,
    pub(crate) amount: Located<'t, L>,
    pub(crate) percent: Option<Located<'t, L>>,
    pub(crate) base: Option<Located<'t, L>>,
    pub(crate) reason: Option<Cow<'t, str>>,
    pub(crate) reason_code: Option<Cow<'t, str>>,
    /// Its VAT, which a document-level one states and a line-level one does not.
    pub(crate) vat: Option<VatFields<'t, L>>,
}

impl<L: Locate> AllowanceChargeFields<'_, L> {
    /// The values, checked.
    pub(crate) fn stated(&self) -> Result<StatedAllowanceCharge> {
        let kind = match &*self.indicator.text {
            "true" | "1" => AllowanceChargeKind::Charge,
            "false" | "0" => AllowanceChargeKind::Allowance,
            _ => return Err(self.indicator.invalid("not a boolean")),
        };
        Ok(StatedAllowanceCharge {
            kind,
            amount: self.amount.required_decimal()?,
            percent: optional_decimal(self.percent.as_ref())?,
            base: optional_decimal(self.base.as_ref())?,
            reason: optional_text(self.reason.as_ref()).map(str::to_owned),
            reason_code: optional_text(self.reason_code.as_ref()).map(str::to_owned),
            vat: self.vat.as_ref().map(VatFields::vat).transpose()?,
        })
    }
}

/// A line as stated (BG-25), in either syntax.
#[derive(Debug, Clone)]
pub(crate) struct LineFields<'t, L> {
    /// BT-126.
    pub(crate) id: Located<'t, L>,
    /// BT-129; its `unitCode` attribute is `unit`.
    pub(crate) quantity: Located<'t, L>,
    /// BT-130, `""` when the attribute is absent.
    pub(crate) unit: Cow<'t, str>,
    /// BT-131.
    pub(crate) net: Located<'t, L>,
    /// BT-153.
    pub(crate) name: Located<'t, L>,
    /// BT-154.
    pub(crate) description: Option<Cow<'t, str>>,
    /// BT-151, BT-152.
    pub(crate) vat: VatFields<'t, L>,
    /// BT-146.
    pub(crate) price: Located<'t, L>,
    /// BT-149.
    pub(crate) base_quantity: Option<Located<'t, L>>,
    /// BT-150, the base quantity's `unitCode`, `None` when absent.
    pub(crate) base_quantity_unit: Option<Cow<'t, str>>,
    /// BT-148.
    pub(crate) gross: Option<Located<'t, L>>,
    /// BT-147.
    pub(crate) price_discount: Option<Located<'t, L>>,
    /// BG-27, BG-28.
    pub(crate) allowances_charges: Vec<AllowanceChargeFields<'t, L>>,
    /// BT-127, BG-26, BT-132, BT-133, BT-155…BT-159, BG-32: read by the tree only (the
    /// streaming pass declines a line that states any).
    pub(crate) details: LineDetails,
}

impl<L: Locate> LineFields<'_, L> {
    /// The model's line, with the document's minor units `dp`: its base quantity, which
    /// must be positive, its gross price, its allowances and charges (a percentage
    /// without a base applies to the line's price amount) and its stated net amount
    /// (BT-131), which the document's totals derive from.
    pub(crate) fn line(self, dp: u32) -> Result<LineItem> {
        self.id.required()?;
        let quantity = self.quantity.decimal()?;
        let unit = UnitCode::new(&*self.unit).map_err(|e| Error::InvalidValue {
            path: format!("{}/@unitCode", self.quantity.at.path()),
            value: self.unit.to_string(),
            reason: e.to_string(),
        })?;
        let net = self.net.required_decimal()?;
        self.name.required()?;
        let vat = self.vat.vat()?;
        let price = self.price.required_decimal()?;
        // The texts move into the line: an owned one (with a reference resolved) is not
        // copied again.
        let mut details = self.details;
        let mut base = None;
        if let Some(stated) = &self.base_quantity {
            if let Some(base_quantity) = optional_decimal(Some(stated))? {
                if base_quantity <= Decimal::ZERO {
                    return Err(stated.invalid("a base quantity must be positive"));
                }
                let unit = match self.base_quantity_unit.as_deref().filter(|u| !u.is_empty()) {
                    Some(code) => Some(UnitCode::new(code).map_err(|e| Error::InvalidValue {
                        path: format!("{}/@unitCode", stated.at.path()),
                        value: code.to_owned(),
                        reason: e.to_string(),
                    })?),
                    None => None,
                };
                details = details.with_stated_base_quantity(unit);
                base = Some(base_quantity);
            }
        }
        let gross = optional_decimal(self.gross.as_ref())?;
        if let Some(discount) = optional_decimal(self.price_discount.as_ref())? {
            // Kept only where the prices do not give it.
            if gross.and_then(|g| g.checked_sub(price)) != Some(discount) {
                details = details.with_stated_price_discount(discount);
            }
        }
        let mut line = LineItem::new(self.id.text, self.name.text, quantity, unit, price, vat)
            .with_details(details);
        if let Some(description) = self.description.filter(|d| !d.is_empty()) {
            line = line.with_description(description);
        }
        if let Some(base_quantity) = base {
            line = line.with_base_quantity(base_quantity);
        }
        if let Some(gross) = gross {
            line = line.with_gross_price(gross);
        }
        if self.allowances_charges.is_empty() {
            return Ok(line.with_stated_net_amount(net));
        }
        let default_base = line.price_amount(dp).unwrap_or(Decimal::ZERO);
        for ac in self.allowances_charges {
            line = line.with_allowance_charge(ac.stated()?.into_model(default_base, dp));
        }
        Ok(line.with_stated_net_amount(net))
    }
}
