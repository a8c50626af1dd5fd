//! A party's electronic address (BT-34 for the seller, BT-49 for the buyer): where an
//! e-invoice is delivered, with the scheme that says what kind of address it is.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{non_blank, Result};

/// An electronic address (BT-34/BT-49) and its scheme (BT-34-1/BT-49-1), a code of the
/// CEF Electronic Address Scheme list (EAS): `EM` for an e-mail address, `0088` for a GLN,
/// `0184` for a Danish CVR number, `0204` for a German Leitweg-ID, `9930` for a German VAT
/// number, and so on.
///
/// The scheme is kept as stated; whether it is on the EAS list is a validation rule
/// (BR-CL-25), not a reason to lose the address.
///
/// # Examples
///
/// ```
/// use invoice_core::ElectronicAddress;
///
/// let peppol = ElectronicAddress::new("0184", "DK12345678")?;
/// assert_eq!((peppol.scheme(), peppol.value()), ("0184", "DK12345678"));
/// assert!(ElectronicAddress::email("ap@buyer.example")?.is_email());
/// assert!(ElectronicAddress::new("", "DK12345678").is_err());
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ElectronicAddress {
    scheme: String,
    value: String,
}

/// The EAS code of an e-mail address.
const EMAIL_SCHEME: &str = "EM";

impl ElectronicAddress {
    /// An address `value` in the EAS scheme `scheme`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`](crate::Error::InvalidField) when the scheme or the value is
    /// empty or only white space (BR-62, BR-63: an electronic address always has its
    /// scheme).
    pub fn new(scheme: impl Into<String>, value: impl Into<String>) -> Result<Self> {
        let (scheme, value) = (scheme.into(), value.into());
        let scheme = non_blank(
            "electronic address scheme",
            scheme,
            "must not be empty (BR-62, BR-63)",
        )?;
        let value = non_blank("electronic address", value, "must not be empty")?;
        Ok(Self { scheme, value })
    }

    /// An e-mail address (scheme `EM`).
    ///
    /// # Errors
    ///
    /// As [`ElectronicAddress::new`].
    pub fn email(address: impl Into<String>) -> Result<Self> {
        Self::new(EMAIL_SCHEME, address)
    }

    /// The EAS scheme (BT-34-1/BT-49-1).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The address (BT-34/BT-49).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether this is an e-mail address (scheme `EM`).
    pub fn is_email(&self) -> bool {
        self.scheme == EMAIL_SCHEME
    }
}

impl fmt::Display for ElectronicAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.value)
    }
}

/// Reads `{"scheme": …, "value": …}`, or a plain string: the e-mail address that
/// versions before the scheme was kept stored under `email`.
impl<'de> Deserialize<'de> for ElectronicAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Email(String),
            Address { scheme: String, value: String },
        }
        let address = match Stored::deserialize(deserializer)? {
            Stored::Email(email) => ElectronicAddress::email(email),
            Stored::Address { scheme, value } => ElectronicAddress::new(scheme, value),
        };
        address.map_err(serde::de::Error::custom)
    }
}

/// Deserializes a party's `electronic_address`, or the `email` it was stored as before:
/// a blank legacy e-mail, which versions before the scheme was kept accepted, is no
/// address rather than an error.
pub(super) fn deserialize_stored<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<ElectronicAddress>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Email(String),
        Address(ElectronicAddress),
    }
    match Option::<Stored>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Stored::Email(email)) if email.trim().is_empty() => Ok(None),
        Some(Stored::Email(email)) => ElectronicAddress::email(email)
            .map(Some)
            .map_err(serde::de::Error::custom),
        Some(Stored::Address(address)) => Ok(Some(address)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_scheme_and_value_and_refuses_empty_ones() {
        let a = ElectronicAddress::new("0088", "7300010000001").unwrap();
        assert_eq!(a.to_string(), "0088:7300010000001");
        assert!(!a.is_email());
        assert!(ElectronicAddress::new(" ", "x").is_err());
        assert!(ElectronicAddress::new("EM", "").is_err());
    }

    #[test]
    fn reads_the_new_form_and_the_old_email_string() {
        let a = ElectronicAddress::new("0184", "DK1").unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"scheme":"0184","value":"DK1"}"#);
        assert_eq!(serde_json::from_str::<ElectronicAddress>(&json).unwrap(), a);
        let old: ElectronicAddress = serde_json::from_str(r#""ap@x.example""#).unwrap();
        assert_eq!(old, ElectronicAddress::email("ap@x.example").unwrap());
        assert!(serde_json::from_str::<ElectronicAddress>(r#"{"scheme":"","value":"x"}"#).is_err());
    }
}
