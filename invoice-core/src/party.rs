//! The seller and buyer of an invoice: names, addresses, tax ids and contacts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{non_blank, Error, Result};

mod electronic_address;

pub use electronic_address::ElectronicAddress;

/// An ISO 3166-1 alpha-2 country code such as `DE` (two upper-case ASCII letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Checks and wraps a country code.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] unless `code` is exactly two upper-case ASCII letters.
    pub fn new(code: &str) -> Result<Self> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([*a, *b])),
            _ => Err(Error::InvalidField {
                field: "country code",
                value: code.to_owned(),
                reason: "must be two upper-case letters (ISO 3166-1 alpha-2)",
            }),
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters, checked in `new`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        Self::new(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> Self {
        c.as_str().to_owned()
    }
}

/// A postal address (BG-5 for the seller, BG-8 for the buyer).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lines: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subdivision: Option<String>,
    country: CountryCode,
}

impl Address {
    /// An address with only its country; add the rest with the `with_` methods.
    pub fn new(country: CountryCode) -> Self {
        Self {
            lines: Vec::new(),
            city: None,
            postal_code: None,
            subdivision: None,
            country,
        }
    }

    /// Adds a street line (BT-35/36/162 for the seller).
    pub fn with_line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    /// Sets the city (BT-37).
    pub fn with_city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Sets the post code (BT-38).
    pub fn with_postal_code(mut self, code: impl Into<String>) -> Self {
        self.postal_code = Some(code.into());
        self
    }

    /// Sets the country subdivision (BT-39).
    pub fn with_subdivision(mut self, subdivision: impl Into<String>) -> Self {
        self.subdivision = Some(subdivision.into());
        self
    }

    /// Street lines, in order.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The city.
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }

    /// The post code.
    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }

    /// The country subdivision.
    pub fn subdivision(&self) -> Option<&str> {
        self.subdivision.as_deref()
    }

    /// The country.
    pub fn country(&self) -> CountryCode {
        self.country
    }
}

/// A contact person or department (BG-6 for the seller, BG-9 for the buyer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

impl Contact {
    /// An empty contact; fill it with the `with_` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the contact's name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the telephone number.
    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Sets the e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The contact's name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The telephone number.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// The e-mail address.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
}

/// A seller or buyer (BG-4 / BG-7).
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Party};
///
/// let seller = Party::new("Muster GmbH", Address::new(CountryCode::new("DE")?).with_city("Berlin"))
///     .with_vat_id("DE123456789")
///     .with_email("billing@muster.example");
/// assert_eq!(seller.country().as_str(), "DE");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Party {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trading_name: Option<String>,
    address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identifier_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_registration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    additional_legal_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_id_scheme: Option<String>,
    /// Stored as `email` before the scheme was kept; read from either key.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "email")]
    #[serde(deserialize_with = "electronic_address::deserialize_stored")]
    electronic_address: Option<ElectronicAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact: Option<Contact>,
}

impl Party {
    /// A party with its name (BT-27/BT-44) and postal address.
    pub fn new(name: impl Into<String>, address: Address) -> Self {
        Self {
            name: name.into(),
            trading_name: None,
            address,
            identifier: None,
            identifier_scheme: None,
            vat_id: None,
            tax_registration_id: None,
            additional_legal_info: None,
            legal_id: None,
            legal_id_scheme: None,
            electronic_address: None,
            contact: None,
        }
    }

    /// Sets the trading name (BT-28/BT-45).
    pub fn with_trading_name(mut self, name: impl Into<String>) -> Self {
        self.trading_name = Some(name.into());
        self
    }

    /// Sets the party identifier (BT-29 for the seller, BT-46 for the buyer), such as a
    /// GLN or a supplier number at the buyer; BR-CO-26 asks for it, the legal
    /// registration id or the VAT id of every seller.
    pub fn with_identifier(mut self, id: impl Into<String>) -> Self {
        self.identifier = Some(id.into());
        self
    }

    /// Sets the ISO 6523 scheme of the party identifier, such as `0088` for a GLN.
    pub fn with_identifier_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.identifier_scheme = Some(scheme.into());
        self
    }

    /// Sets the VAT identifier with its country prefix (BT-31/BT-48), e.g. `DE123456789`.
    pub fn with_vat_id(mut self, vat_id: impl Into<String>) -> Self {
        self.vat_id = Some(vat_id.into());
        self
    }

    /// Sets the seller's tax registration identifier (BT-32): a local tax id that is not
    /// a VAT number, such as a German Steuernummer. EN 16931 has it for the seller only.
    pub fn with_tax_registration_id(mut self, id: impl Into<String>) -> Self {
        self.tax_registration_id = Some(id.into());
        self
    }

    /// Sets the seller's additional legal information (BT-33), such as its share capital
    /// or legal form.
    pub fn with_additional_legal_info(mut self, info: impl Into<String>) -> Self {
        self.additional_legal_info = Some(info.into());
        self
    }

    /// Sets the legal registration identifier (BT-30/BT-47).
    pub fn with_legal_id(mut self, id: impl Into<String>) -> Self {
        self.legal_id = Some(id.into());
        self
    }

    /// Sets the ISO 6523 scheme of the legal registration identifier (BT-30-1/BT-47-1),
    /// such as `0184` for a Danish CVR number or `0007` for a Swedish organisation number.
    pub fn with_legal_id_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.legal_id_scheme = Some(scheme.into());
        self
    }

    /// Sets the e-mail address invoices are sent to: the electronic address (BT-34/BT-49)
    /// in scheme `EM`. An empty string clears the electronic address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.electronic_address = ElectronicAddress::email(email).ok();
        self
    }

    /// Sets the electronic address (BT-34/BT-49) with its scheme, such as a Peppol
    /// participant id: `ElectronicAddress::new("0088", "7300010000001")`.
    pub fn with_electronic_address(mut self, address: ElectronicAddress) -> Self {
        self.electronic_address = Some(address);
        self
    }

    /// Sets the contact (BG-6/BG-9).
    pub fn with_contact(mut self, contact: Contact) -> Self {
        self.contact = Some(contact);
        self
    }

    /// The legal name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The trading name.
    pub fn trading_name(&self) -> Option<&str> {
        self.trading_name.as_deref()
    }

    /// The postal address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The country of the postal address.
    pub fn country(&self) -> CountryCode {
        self.address.country
    }

    /// The party identifier (BT-29/BT-46).
    pub fn identifier(&self) -> Option<&str> {
        self.identifier.as_deref()
    }

    /// The ISO 6523 scheme of the party identifier.
    pub fn identifier_scheme(&self) -> Option<&str> {
        self.identifier_scheme.as_deref()
    }

    /// The VAT identifier.
    pub fn vat_id(&self) -> Option<&str> {
        self.vat_id.as_deref()
    }

    /// The additional legal information (BT-33).
    pub fn additional_legal_info(&self) -> Option<&str> {
        self.additional_legal_info.as_deref()
    }

    /// The tax registration identifier (BT-32).
    pub fn tax_registration_id(&self) -> Option<&str> {
        self.tax_registration_id.as_deref()
    }

    /// The legal registration identifier.
    pub fn legal_id(&self) -> Option<&str> {
        self.legal_id.as_deref()
    }

    /// The ISO 6523 scheme of the legal registration identifier (BT-30-1/BT-47-1).
    pub fn legal_id_scheme(&self) -> Option<&str> {
        self.legal_id_scheme.as_deref()
    }

    /// The e-mail address: the electronic address when its scheme is `EM`.
    pub fn email(&self) -> Option<&str> {
        self.electronic_address
            .as_ref()
            .filter(|a| a.is_email())
            .map(ElectronicAddress::value)
    }

    /// The electronic address (BT-34/BT-49) with its scheme.
    pub fn electronic_address(&self) -> Option<&ElectronicAddress> {
        self.electronic_address.as_ref()
    }

    /// The contact.
    pub fn contact(&self) -> Option<&Contact> {
        self.contact.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_code_accepts_only_two_upper_case_letters() {
        assert_eq!(CountryCode::new("NO").unwrap().as_str(), "NO");
        for bad in ["", "de", "DEU", "D1", "Ä"] {
            assert!(CountryCode::new(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<CountryCode>("\"xx\"").is_err());
    }

    #[test]
    fn party_serde_round_trip() {
        let p = Party::new(
            "Buyer AB",
            Address::new(CountryCode::new("SE").unwrap())
                .with_line("Storgatan 1")
                .with_city("Stockholm")
                .with_postal_code("111 22"),
        )
        .with_vat_id("SE556677889901")
        .with_identifier("7300010000001")
        .with_identifier_scheme("0088")
        .with_contact(
            Contact::new()
                .with_name("Anna")
                .with_email("anna@buyer.example"),
        );
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Party>(&json).unwrap(), p);
    }

    #[test]
    fn a_party_stored_with_an_email_reads_it_as_its_electronic_address() {
        let old = r#"{"name":"B","address":{"country":"SE"},"email":"ap@b.example"}"#;
        let party: Party = serde_json::from_str(old).unwrap();
        assert_eq!(party.email(), Some("ap@b.example"));
        assert_eq!(party.electronic_address().unwrap().scheme(), "EM");
        let blank = r#"{"name":"B","address":{"country":"SE"},"email":""}"#;
        assert_eq!(serde_json::from_str::<Party>(blank).unwrap().email(), None);
        let peppol =
            party.with_electronic_address(ElectronicAddress::new("0007", "5567321707").unwrap());
        assert_eq!(peppol.email(), None);
        let json = serde_json::to_string(&peppol).unwrap();
        assert!(
            json.contains(r#""electronic_address":{"scheme":"0007","value":"5567321707"}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Party>(&json).unwrap(), peppol);
    }
}

/// The seller's tax representative (BG-11): its name (BT-62), VAT identifier (BT-63) and
/// postal address (BG-12).
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, TaxRepresentative};
///
/// let rep = TaxRepresentative::new("Tax Rep BV", "NL123456789B01",
///     Address::new(CountryCode::new("NL")?).with_city("Rotterdam"))?;
/// assert_eq!(rep.vat_id(), "NL123456789B01");
/// assert!(TaxRepresentative::new("Tax Rep BV", "", Address::new(CountryCode::new("NL")?)).is_err());
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxRepresentative {
    name: String,
    vat_id: String,
    address: Address,
}

impl TaxRepresentative {
    /// A tax representative named `name` with VAT identifier `vat_id` at `address`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the name (BR-18) or the VAT identifier (BR-56) is
    /// empty.
    pub fn new(
        name: impl Into<String>,
        vat_id: impl Into<String>,
        address: Address,
    ) -> Result<Self> {
        let (name, vat_id) = (name.into(), vat_id.into());
        let name = non_blank(
            "tax representative name (BT-62)",
            name,
            "must not be empty (BR-18)",
        )?;
        let vat_id = non_blank(
            "tax representative VAT identifier (BT-63)",
            vat_id,
            "must not be empty (BR-56)",
        )?;
        Ok(Self {
            name,
            vat_id,
            address,
        })
    }

    /// The name (BT-62).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The VAT identifier (BT-63).
    pub fn vat_id(&self) -> &str {
        &self.vat_id
    }

    /// The postal address (BG-12).
    pub fn address(&self) -> &Address {
        &self.address
    }
}

/// The payee (BG-10), when someone other than the seller is to be paid: a factoring
/// company, say.
///
/// # Examples
///
/// ```
/// use invoice_core::Payee;
///
/// let payee = Payee::new("Factoring AB")?
///     .with_identifier("7300010000001", Some("0088".into()))
///     .with_legal_id("556677-8899", Some("0007".into()));
/// assert_eq!(payee.identifier_scheme(), Some("0088"));
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Payee {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identifier_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_id_scheme: Option<String>,
}

impl Payee {
    /// A payee named `name` (BT-59).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the name is empty (BR-17).
    pub fn new(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let name = non_blank("payee name (BT-59)", name, "must not be empty (BR-17)")?;
        Ok(Self {
            name,
            identifier: None,
            identifier_scheme: None,
            legal_id: None,
            legal_id_scheme: None,
        })
    }

    /// Sets its identifier (BT-60) and the identifier's scheme.
    pub fn with_identifier(mut self, id: impl Into<String>, scheme: Option<String>) -> Self {
        self.identifier = Some(id.into());
        self.identifier_scheme = scheme;
        self
    }

    /// Sets its legal registration identifier (BT-61) and the identifier's scheme.
    pub fn with_legal_id(mut self, id: impl Into<String>, scheme: Option<String>) -> Self {
        self.legal_id = Some(id.into());
        self.legal_id_scheme = scheme;
        self
    }

    /// The name (BT-59).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The identifier (BT-60).
    pub fn identifier(&self) -> Option<&str> {
        self.identifier.as_deref()
    }

    /// The identifier's scheme (BT-60-1).
    pub fn identifier_scheme(&self) -> Option<&str> {
        self.identifier_scheme.as_deref()
    }

    /// The legal registration identifier (BT-61).
    pub fn legal_id(&self) -> Option<&str> {
        self.legal_id.as_deref()
    }

    /// The legal registration identifier's scheme (BT-61-1).
    pub fn legal_id_scheme(&self) -> Option<&str> {
        self.legal_id_scheme.as_deref()
    }
}
