//! The JSON the test's clients and invoices are made of: valid, and otherwise arbitrary.

use serde_json::{json, Value};

/// A postal address in Germany.
pub fn address() -> Value {
    json!({ "lines": ["Hauptstraße 1"], "city": "Berlin", "postal_code": "10115", "country": "DE" })
}

/// Two invoice lines: a service at 19 % VAT and goods at 7 %.
pub fn lines() -> Value {
    json!([
        { "id": "1", "name": "Consulting", "quantity": "10", "unit": "HUR", "price": "100.00", "vat": { "category": "S", "rate": "19" } },
        { "id": "2", "name": "Handbook", "quantity": "2", "unit": "C62", "price": "24.90", "vat": { "category": "S", "rate": "7" } }
    ])
}

/// A seller with a VAT id, at [`address`].
pub fn seller() -> Value {
    json!({ "name": "Seller GmbH", "address": address(), "vat_id": "DE123456789" })
}
