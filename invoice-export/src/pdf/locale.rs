//! How amounts, dates and labels read in the language of the invoice's reader.

use chrono::{Datelike, NaiveDate};
use invoice_core::Decimal;

/// The language and conventions an invoice is rendered in: labels, decimal and
/// thousands separators, date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Locale {
    /// English: `1,234.56`, `24 Nov 2026`.
    #[default]
    En,
    /// German: `1.234,56`, `24.11.2026`.
    De,
    /// French: `1 234,56`, `24/11/2026`.
    Fr,
}

impl Locale {
    /// The locale of a language tag (`de`, `de-AT`, `fr_CH`, `EN`): its language part;
    /// `None` for a language without labels here.
    ///
    /// ```
    /// use invoice_export::Locale;
    /// assert_eq!(Locale::from_tag("de-AT"), Some(Locale::De));
    /// assert_eq!(Locale::from_tag("pt"), None);
    /// ```
    pub fn from_tag(tag: &str) -> Option<Self> {
        let language = tag.split(['-', '_']).next().unwrap_or("");
        match language.to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// The language tag (`en`, `de`, `fr`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Self::En => ('.', ','),
            Self::De => (',', '.'),
            // A no-break space keeps a number on one line.
            Self::Fr => (',', '\u{a0}'),
        }
    }

    /// `amount` with at least `minor_units` decimals (more when it has them, as a unit
    /// price may), never rounded, with this locale's separators.
    pub(crate) fn amount(self, amount: Decimal, minor_units: u32) -> String {
        let mut amount = amount;
        if amount.scale() < minor_units {
            amount.rescale(minor_units);
        }
        self.number(amount)
    }

    /// A quantity or rate: as stated, trailing zeros dropped.
    pub(crate) fn quantity(self, quantity: Decimal) -> String {
        self.number(quantity.normalize())
    }

    fn number(self, value: Decimal) -> String {
        let (decimal, thousands) = self.separators();
        let text = value.abs().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
        if value.is_sign_negative() && !value.is_zero() {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(thousands);
            }
            out.push(digit);
        }
        if !fraction.is_empty() {
            out.push(decimal);
            out.push_str(fraction);
        }
        out
    }

    /// `date` in this locale's order.
    pub(crate) fn date(self, date: NaiveDate) -> String {
        match self {
            Self::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                let month = MONTHS[date.month0() as usize];
                format!("{} {month} {}", date.day(), date.year())
            }
            Self::De => date.format("%d.%m.%Y").to_string(),
            Self::Fr => date.format("%d/%m/%Y").to_string(),
        }
    }

    /// A percentage: `19 %` (`19 %` with a no-break space).
    pub(crate) fn percent(self, rate: Decimal) -> String {
        format!("{}\u{a0}%", self.quantity(rate))
    }

    /// The labels in this locale.
    pub(crate) fn labels(self) -> &'static Labels {
        match self {
            Self::En => &EN,
            Self::De => &DE,
            Self::Fr => &FR,
        }
    }
}

/// Every label an invoice page shows.
#[derive(Debug)]
pub(crate) struct Labels {
    pub(crate) invoice: &'static str,
    pub(crate) credit_note: &'static str,
    pub(crate) draft: &'static str,
    pub(crate) number: &'static str,
    pub(crate) issue_date: &'static str,
    pub(crate) due_date: &'static str,
    pub(crate) delivery_date: &'static str,
    pub(crate) period: &'static str,
    pub(crate) corrects: &'static str,
    pub(crate) buyer_reference: &'static str,
    pub(crate) order: &'static str,
    pub(crate) contract: &'static str,
    pub(crate) project: &'static str,
    pub(crate) seller: &'static str,
    pub(crate) buyer: &'static str,
    pub(crate) vat_id: &'static str,
    pub(crate) legal_id: &'static str,
    pub(crate) line: &'static str,
    pub(crate) description: &'static str,
    pub(crate) quantity: &'static str,
    pub(crate) unit_price: &'static str,
    pub(crate) vat: &'static str,
    pub(crate) net: &'static str,
    pub(crate) allowance: &'static str,
    pub(crate) charge: &'static str,
    pub(crate) line_total: &'static str,
    pub(crate) allowance_total: &'static str,
    pub(crate) charge_total: &'static str,
    pub(crate) total_without_vat: &'static str,
    pub(crate) total_vat: &'static str,
    pub(crate) total_with_vat: &'static str,
    pub(crate) paid: &'static str,
    pub(crate) rounding: &'static str,
    pub(crate) amount_due: &'static str,
    pub(crate) vat_breakdown: &'static str,
    pub(crate) category: &'static str,
    pub(crate) taxable: &'static str,
    pub(crate) payment: &'static str,
    pub(crate) account: &'static str,
    pub(crate) bic: &'static str,
    pub(crate) payment_reference: &'static str,
    pub(crate) payment_terms: &'static str,
    pub(crate) notes: &'static str,
    pub(crate) page: &'static str,
}

const EN: Labels = Labels {
    invoice: "Invoice",
    credit_note: "Credit note",
    draft: "DRAFT",
    number: "Number",
    issue_date: "Issue date",
    due_date: "Due date",
    delivery_date: "Delivery date",
    period: "Period",
    corrects: "Corrects invoice",
    buyer_reference: "Your reference",
    order: "Purchase order",
    contract: "Contract",
    project: "Project",
    seller: "From",
    buyer: "Bill to",
    vat_id: "VAT ID",
    legal_id: "Registration",
    line: "#",
    description: "Description",
    quantity: "Quantity",
    unit_price: "Unit price",
    vat: "VAT",
    net: "Net",
    allowance: "Allowance",
    charge: "Charge",
    line_total: "Sum of lines",
    allowance_total: "Allowances",
    charge_total: "Charges",
    total_without_vat: "Total without VAT",
    total_vat: "Total VAT",
    total_with_vat: "Total with VAT",
    paid: "Paid",
    rounding: "Rounding",
    amount_due: "Amount due",
    vat_breakdown: "VAT breakdown",
    category: "Category",
    taxable: "Taxable amount",
    payment: "Payment",
    account: "Account (IBAN)",
    bic: "BIC",
    payment_reference: "Payment reference",
    payment_terms: "Payment terms",
    notes: "Notes",
    page: "Page",
};

const DE: Labels = Labels {
    invoice: "Rechnung",
    credit_note: "Gutschrift",
    draft: "ENTWURF",
    number: "Nummer",
    issue_date: "Rechnungsdatum",
    due_date: "Fällig am",
    delivery_date: "Lieferdatum",
    period: "Leistungszeitraum",
    corrects: "Korrigiert Rechnung",
    buyer_reference: "Ihre Referenz",
    order: "Bestellung",
    contract: "Vertrag",
    project: "Projekt",
    seller: "Von",
    buyer: "Rechnung an",
    vat_id: "USt-IdNr.",
    legal_id: "Registernummer",
    line: "Pos.",
    description: "Beschreibung",
    quantity: "Menge",
    unit_price: "Einzelpreis",
    vat: "USt.",
    net: "Netto",
    allowance: "Abschlag",
    charge: "Zuschlag",
    line_total: "Summe der Positionen",
    allowance_total: "Abschläge",
    charge_total: "Zuschläge",
    total_without_vat: "Gesamt netto",
    total_vat: "Umsatzsteuer",
    total_with_vat: "Gesamt brutto",
    paid: "Bereits bezahlt",
    rounding: "Rundung",
    amount_due: "Zahlbetrag",
    vat_breakdown: "Umsatzsteuer-Aufschlüsselung",
    category: "Kategorie",
    taxable: "Bemessungsgrundlage",
    payment: "Zahlung",
    account: "Konto (IBAN)",
    bic: "BIC",
    payment_reference: "Verwendungszweck",
    payment_terms: "Zahlungsbedingungen",
    notes: "Hinweise",
    page: "Seite",
};

const FR: Labels = Labels {
    invoice: "Facture",
    credit_note: "Avoir",
    draft: "BROUILLON",
    number: "Numéro",
    issue_date: "Date de facture",
    due_date: "Échéance",
    delivery_date: "Date de livraison",
    period: "Période",
    corrects: "Rectifie la facture",
    buyer_reference: "Votre référence",
    order: "Bon de commande",
    contract: "Contrat",
    project: "Projet",
    seller: "De",
    buyer: "Facturé à",
    vat_id: "N° TVA",
    legal_id: "Immatriculation",
    line: "N°",
    description: "Désignation",
    quantity: "Quantité",
    unit_price: "Prix unitaire",
    vat: "TVA",
    net: "Montant HT",
    allowance: "Remise",
    charge: "Frais",
    line_total: "Total des lignes",
    allowance_total: "Remises",
    charge_total: "Frais",
    total_without_vat: "Total HT",
    total_vat: "Total TVA",
    total_with_vat: "Total TTC",
    paid: "Déjà payé",
    rounding: "Arrondi",
    amount_due: "Net à payer",
    vat_breakdown: "Détail de la TVA",
    category: "Catégorie",
    taxable: "Base HT",
    payment: "Paiement",
    account: "Compte (IBAN)",
    bic: "BIC",
    payment_reference: "Référence de paiement",
    payment_terms: "Conditions de paiement",
    notes: "Notes",
    page: "Page",
};

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn numbers_follow_the_locale_and_the_currency_minor_units() {
        assert_eq!(Locale::En.amount(dec!(1234567.5), 2), "1,234,567.50");
        assert_eq!(Locale::De.amount(dec!(1234567.5), 2), "1.234.567,50");
        assert_eq!(Locale::Fr.amount(dec!(-1234.5), 2), "-1\u{a0}234,50");
        assert_eq!(Locale::En.amount(dec!(1500), 0), "1,500");
        assert_eq!(Locale::En.amount(dec!(1.5), 3), "1.500");
        // A unit price keeps the decimals it has.
        assert_eq!(Locale::De.amount(dec!(0.1212), 2), "0,1212");
        assert_eq!(Locale::En.amount(dec!(999), 2), "999.00");
        assert_eq!(Locale::En.quantity(dec!(2.500)), "2.5");
        assert_eq!(Locale::De.percent(dec!(19.00)), "19\u{a0}%");
    }

    #[test]
    fn dates_follow_the_locale() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        assert_eq!(Locale::En.date(date), "4 Nov 2026");
        assert_eq!(Locale::De.date(date), "04.11.2026");
        assert_eq!(Locale::Fr.date(date), "04/11/2026");
    }
}
