//! How the buyer is asked to pay (BG-16): a means code and, for transfers, the account.

use serde::{Deserialize, Serialize};

/// A way to pay an invoice (BG-16): the UNCL4461 means code (BT-81) and, for credit
/// transfers, the account to pay to (BG-17), or for direct debits the mandate (BG-19).
///
/// The code is kept as text: UNCL4461 has over 70 entries and the receiving
/// schematron checks the list. EN 16931 rule BR-61 asks for an account id (BT-84)
/// when the code is a credit transfer (`30`, `58`).
///
/// # Examples
///
/// ```
/// use invoice_core::PaymentMeans;
///
/// let sepa = PaymentMeans::new("58")
///     .with_account_id("DE75512108001245126199")
///     .with_account_name("Muster GmbH")
///     .with_remittance_information("INV-2026-00042");
/// assert_eq!(sepa.code(), "58");
/// assert_eq!(sepa.account_id(), Some("DE75512108001245126199"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentMeans {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remittance_information: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mandate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    debited_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card: Option<PaymentCard>,
}

/// The card a payment is made with (BG-18): its account number as far as the invoice
/// may show it (BT-87, no more than the last 4 to 6 digits, BR-51) and its holder's name
/// (BT-88).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentCard {
    account_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holder: Option<String>,
}

impl PaymentCard {
    /// A card by the part of its number the invoice shows (BT-87).
    pub fn new(account_number: impl Into<String>) -> Self {
        Self {
            account_number: account_number.into(),
            holder: None,
        }
    }

    /// Sets the card holder's name (BT-88).
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = Some(holder.into());
        self
    }

    /// The account number as shown (BT-87).
    pub fn account_number(&self) -> &str {
        &self.account_number
    }

    /// The holder's name (BT-88).
    pub fn holder(&self) -> Option<&str> {
        self.holder.as_deref()
    }
}

impl PaymentMeans {
    /// A payment means with its UNCL4461 code (BT-81): `30` credit transfer, `58` SEPA
    /// credit transfer, `59` SEPA direct debit, `48` bank card, `10` cash, ...
    pub fn new(code: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            text: None,
            remittance_information: None,
            account_id: None,
            account_name: None,
            provider_id: None,
            mandate_id: None,
            debited_account_id: None,
            card: None,
        }
    }

    /// Sets the card paid with (BG-18).
    pub fn with_card(mut self, card: PaymentCard) -> Self {
        self.card = Some(card);
        self
    }

    /// The card paid with (BG-18).
    pub fn card(&self) -> Option<&PaymentCard> {
        self.card.as_ref()
    }

    /// Sets the means in words (BT-82).
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the remittance information (BT-83) the payer should quote.
    pub fn with_remittance_information(mut self, info: impl Into<String>) -> Self {
        self.remittance_information = Some(info.into());
        self
    }

    /// Sets the account to pay to (BT-84), such as an IBAN.
    pub fn with_account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = Some(id.into());
        self
    }

    /// Sets the name of the account to pay to (BT-85).
    pub fn with_account_name(mut self, name: impl Into<String>) -> Self {
        self.account_name = Some(name.into());
        self
    }

    /// Sets the payment service provider (BT-86), such as a BIC.
    pub fn with_provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// Sets the direct debit mandate reference (BT-89).
    pub fn with_mandate_id(mut self, id: impl Into<String>) -> Self {
        self.mandate_id = Some(id.into());
        self
    }

    /// Sets the account to be debited (BT-91).
    pub fn with_debited_account_id(mut self, id: impl Into<String>) -> Self {
        self.debited_account_id = Some(id.into());
        self
    }

    /// The UNCL4461 code (BT-81).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The means in words (BT-82).
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The remittance information (BT-83).
    pub fn remittance_information(&self) -> Option<&str> {
        self.remittance_information.as_deref()
    }

    /// The account to pay to (BT-84).
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// The account name (BT-85).
    pub fn account_name(&self) -> Option<&str> {
        self.account_name.as_deref()
    }

    /// The payment service provider (BT-86).
    pub fn provider_id(&self) -> Option<&str> {
        self.provider_id.as_deref()
    }

    /// The direct debit mandate reference (BT-89).
    pub fn mandate_id(&self) -> Option<&str> {
        self.mandate_id.as_deref()
    }

    /// The account to be debited (BT-91).
    pub fn debited_account_id(&self) -> Option<&str> {
        self.debited_account_id.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_means_serde_leaves_out_what_is_not_set() {
        let means = PaymentMeans::new("30").with_account_id("NO9386011117947");
        let json = serde_json::to_string(&means).unwrap();
        assert_eq!(json, r#"{"code":"30","account_id":"NO9386011117947"}"#);
        assert_eq!(serde_json::from_str::<PaymentMeans>(&json).unwrap(), means);
    }
}
