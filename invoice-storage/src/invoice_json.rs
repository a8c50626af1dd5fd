//! An invoice as the JSON a service answers with: [`InvoiceJson`], what
//! [`InvoiceStore::get_json`](crate::InvoiceStore::get_json) returns.

use invoice_core::{Decimal, Invoice, Totals};
use serde::Serialize;

use crate::error::{Error, Result};

/// An invoice with its EN 16931 totals and the amount still due, as one JSON document:
/// `{"invoice": …, "totals": …, "amount_due": "…"}`, where `invoice` is the JSON of an
/// [`Invoice`], `totals` that of its [`Totals`] and `amount_due` that of
/// [`Invoice::amount_due`], each as `serde_json` writes it. What a `GET /invoices/{id}`
/// answers with; a store that kept the invoice's JSON (SQLite) builds it without
/// decoding the invoice.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_storage::InvoiceJson;
/// use rust_decimal_macros::dec;
///
/// let address = Address::new(CountryCode::new("DE")?);
/// let (draft, _) = Invoice::create(
///     InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::nil()), TenantId::new("acme")?,
///             Currency::EUR, Party::new("Seller GmbH", address.clone()), Party::new("Buyer AG", address))
///         .line(LineItem::new("1", "Service", dec!(2), UnitCode::piece(), dec!(50), Vat::standard(dec!(19)))),
/// )?;
/// let json = InvoiceJson::of(&draft)?;
/// assert_eq!(json.version(), 1);
/// let value: serde_json::Value = serde_json::from_str(json.as_str())?;
/// assert_eq!(value["invoice"], serde_json::to_value(&draft)?);
/// assert_eq!(value["totals"], serde_json::to_value(draft.totals()?)?);
/// assert_eq!(value["amount_due"], "119.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceJson {
    document: String,
    version: u64,
}

impl InvoiceJson {
    /// The document of `invoice`.
    ///
    /// # Errors
    ///
    /// [`Error::Domain`] when its totals cannot be computed (an amount overflows).
    pub fn of(invoice: &Invoice) -> Result<Self> {
        /// The document in one pass: the invoice, then the members of
        /// `derived_json`.
        #[derive(Serialize)]
        struct Document<'a> {
            invoice: &'a Invoice,
            totals: Totals,
            amount_due: Decimal,
        }
        let totals = invoice.totals()?;
        let amount_due = invoice.amount_due_with(&totals)?;
        let document = Document {
            invoice,
            totals,
            amount_due,
        };
        Ok(Self {
            document: serde_json::to_string(&document).map_err(json_error)?,
            version: invoice.version(),
        })
    }

    /// The JSON document.
    pub fn as_str(&self) -> &str {
        &self.document
    }

    /// The JSON document, owned.
    pub fn into_string(self) -> String {
        self.document
    }

    /// The invoice's version (as in its JSON), for an `ETag`.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The document of an invoice's JSON `body` and its [`derived_json`] (an object,
    /// whose members follow the invoice's: all of it but its first character, the `{`).
    #[cfg(any(test, feature = "sqlite"))]
    pub(crate) fn join(body: &str, derived: &str) -> String {
        let members = derived.get(1..).unwrap_or_default();
        let mut document = String::with_capacity(body.len() + members.len() + 12);
        document.push_str("{\"invoice\":");
        document.push_str(body);
        document.push(',');
        document.push_str(members);
        document
    }

    /// A [`join`](Self::join)ed document of an invoice at `version`, if it is
    /// well-formed JSON (a store checks what it joined from columns before handing it
    /// on).
    ///
    /// Read as a borrowed `RawValue`: `serde_json` skips the document with the same
    /// checks as a parse (strings, escapes, numbers, nesting, nothing after it) but
    /// builds nothing, where `IgnoredAny` hands every string and number to a visitor
    /// (the check took 11.4 % of a SQLite GET's CPU that way, 9.7 % so; most of what
    /// is left is scanning the strings).
    #[cfg(any(test, feature = "sqlite"))]
    pub(crate) fn checked(document: String, version: u64) -> Option<Self> {
        serde_json::from_str::<&serde_json::value::RawValue>(&document)
            .is_ok()
            .then_some(Self::trusted(document, version))
    }

    /// A [`join`](Self::join)ed document a store knows to be the JSON it wrote (a
    /// checksum kept beside the columns matched them), handed on unparsed.
    #[cfg(any(test, feature = "sqlite"))]
    pub(crate) fn trusted(document: String, version: u64) -> Self {
        Self { document, version }
    }
}

/// What an invoice's JSON is answered with beside it, from its `totals`, as stores
/// keep it: `{"totals":{…},"amount_due":"…"}`.
#[cfg(any(test, feature = "sqlite"))]
pub(crate) fn derived_json(invoice: &Invoice, totals: &Totals) -> Result<String> {
    #[derive(Serialize)]
    struct Derived<'a> {
        totals: &'a Totals,
        amount_due: Decimal,
    }
    let derived = Derived {
        totals,
        amount_due: invoice.amount_due_with(totals)?,
    };
    serde_json::to_string(&derived).map_err(json_error)
}

/// `serde_json` failed to write a model type, or what it wrote is not UTF-8 (neither can
/// happen for these types; an error rather than a panic all the same).
pub(crate) fn json_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Backend {
        backend: "json",
        source: Box::new(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{draft, fresh_tenant};

    #[test]
    fn the_document_is_what_serde_writes_for_the_invoice_and_its_totals() {
        let (invoice, _) = Invoice::create(draft(&fresh_tenant(), "Json AG")).unwrap();
        #[derive(Serialize)]
        struct Expected<'a> {
            invoice: &'a Invoice,
            totals: Totals,
            amount_due: Decimal,
        }
        let expected = serde_json::to_string(&Expected {
            invoice: &invoice,
            totals: invoice.totals().unwrap(),
            amount_due: invoice.amount_due().unwrap(),
        })
        .unwrap();
        let json = InvoiceJson::of(&invoice).unwrap();
        assert_eq!(json.as_str(), expected);
        assert_eq!(json.version(), invoice.version());
        let body = serde_json::to_string(&invoice).unwrap();
        let derived = derived_json(&invoice, &invoice.totals().unwrap()).unwrap();
        let joined = InvoiceJson::join(&body, &derived);
        assert_eq!(InvoiceJson::checked(joined, invoice.version()), Some(json));
    }

    #[test]
    fn a_document_joined_from_damaged_columns_is_refused() {
        let check =
            |body: &str, derived: &str| InvoiceJson::checked(InvoiceJson::join(body, derived), 1);
        assert_eq!(
            check("{\"id\":1}", "{\"totals\":{}}")
                .map(InvoiceJson::into_string)
                .as_deref(),
            Some("{\"invoice\":{\"id\":1},\"totals\":{}}")
        );
        assert_eq!(check("{\"id\":1}", "\"totals\":{}}"), None);
        assert_eq!(check("{\"id\":", "{\"totals\":{}}"), None);
        assert_eq!(check("{\"id\":1}", "{\"totals\":{}"), None);
    }

    /// The check skips the document without building it, but refuses what a parse
    /// refuses: each of these bodies is damaged in one way, and `serde_json::Value`
    /// refuses it too.
    #[test]
    fn the_check_is_as_strict_as_a_parse() {
        let derived = "{\"totals\":{}}";
        let damaged = [
            "{\"name\":\"a\\qb\"}",  // an unknown escape
            "{\"name\":\"a\\u12\"}", // a short \\u escape
            "{\"name\":\"a\tb\"}",   // a raw control character in a string
            "{\"n\":1.}",            // a number without fraction digits
            "{\"n\":01}",            // a leading zero
            "{\"n\":-}",             // a sign alone
            "{\"n\":1e}",            // an exponent without digits
            "{\"n\" 1}",             // no colon
            "{n:1}",                 // a key that is not a string
            "{\"n\":1,}",            // a trailing comma
            "{\"n\":[1 2]}",         // no comma in an array
            "{\"n\":tru}",           // a cut literal
            "{\"n\":\"open}",        // an unclosed string
            "{\"n\":1}}",            // a brace too many
        ];
        for body in damaged {
            let joined = InvoiceJson::join(body, derived);
            assert!(
                serde_json::from_str::<serde_json::Value>(&joined).is_err(),
                "{joined} parses"
            );
            assert_eq!(InvoiceJson::checked(joined, 1), None, "{body} passed");
        }
        let sound =
            "{\"name\":\"a\\\"b\\u00e9\\n\",\"n\":-1.5e+3,\"l\":[true,false,null,{}],\"e\":\"\"}";
        let joined = InvoiceJson::join(sound, derived);
        assert!(serde_json::from_str::<serde_json::Value>(&joined).is_ok());
        assert!(InvoiceJson::checked(joined, 1).is_some());
    }
}
