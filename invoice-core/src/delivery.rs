//! Where and when the goods or services were delivered (BG-13) and the period invoiced
//! (BG-14).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::party::Address;

/// Delivery information (BG-13): the actual delivery date (BT-72), the deliver-to party
/// name (BT-70) and address (BG-15).
///
/// Intra-community supplies (category K) need a delivery date or an invoice period
/// (BR-IC-11) and a deliver-to country (BR-IC-12).
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use invoice_core::{Address, CountryCode, Delivery};
///
/// let delivery = Delivery::new()
///     .with_date(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
///     .with_address(Address::new(CountryCode::new("FR")?).with_city("Lyon"));
/// assert_eq!(delivery.address().map(|a| a.country()), Some(CountryCode::new("FR")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Delivery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    party_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location_scheme: Option<String>,
}

impl Delivery {
    /// Empty delivery information; fill it with the `with_` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the actual delivery date (BT-72).
    pub fn with_date(mut self, date: NaiveDate) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the name of the party delivered to (BT-70).
    pub fn with_party_name(mut self, name: impl Into<String>) -> Self {
        self.party_name = Some(name.into());
        self
    }

    /// Sets the identifier of the deliver-to location (BT-71) and its scheme (BT-71-1).
    pub fn with_location_id(mut self, id: impl Into<String>, scheme: Option<String>) -> Self {
        self.location_id = Some(id.into());
        self.location_scheme = scheme;
        self
    }

    /// The deliver-to location's identifier (BT-71).
    pub fn location_id(&self) -> Option<&str> {
        self.location_id.as_deref()
    }

    /// The scheme of the location identifier (BT-71-1), such as `0088` for a GLN.
    pub fn location_scheme(&self) -> Option<&str> {
        self.location_scheme.as_deref()
    }

    /// Sets the deliver-to address (BG-15).
    pub fn with_address(mut self, address: Address) -> Self {
        self.address = Some(address);
        self
    }

    /// The actual delivery date (BT-72).
    pub fn date(&self) -> Option<NaiveDate> {
        self.date
    }

    /// The name of the party delivered to (BT-70).
    pub fn party_name(&self) -> Option<&str> {
        self.party_name.as_deref()
    }

    /// The deliver-to address (BG-15).
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }
}

/// The period an invoice covers (BG-14): start (BT-73) and end (BT-74) dates.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use invoice_core::InvoicePeriod;
///
/// let march = InvoicePeriod::new()
///     .with_start(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap())
///     .with_end(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
/// assert!(march.start() < march.end());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoicePeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<NaiveDate>,
}

impl InvoicePeriod {
    /// A period with neither date set yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the first day (BT-73).
    pub fn with_start(mut self, start: NaiveDate) -> Self {
        self.start = Some(start);
        self
    }

    /// Sets the last day (BT-74).
    pub fn with_end(mut self, end: NaiveDate) -> Self {
        self.end = Some(end);
        self
    }

    /// The first day (BT-73).
    pub fn start(&self) -> Option<NaiveDate> {
        self.start
    }

    /// The last day (BT-74).
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }
}
