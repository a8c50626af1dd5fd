//! The totals a document states, pull-parsed straight from the XML.
//!
//! This reader shares nothing with the importer on purpose: `totals --check` compares
//! the model's totals with what the file says, and a reader bug must not be able to
//! agree with itself. It reads what the stated totals kept for the official examples
//! (`invoice-core/tests/data/expected-totals.json`) were extracted from:
//! UBL's `LegalMonetaryTotal` and the `TaxTotal` in the document currency with its
//! `TaxSubtotal`s; CII's `SpecifiedTradeSettlementHeaderMonetarySummation` and the
//! header-level `ApplicableTradeTax`. The first occurrence of an element counts.

use invoice_core::{parse_decimal, Decimal};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::document::{FileError, Syntax};
use crate::totals::Total;

/// One stated row of the VAT breakdown (BG-23).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StatedRow {
    /// BT-118.
    pub(crate) category: Option<String>,
    /// BT-119.
    pub(crate) rate: Option<Decimal>,
    /// BT-116.
    pub(crate) taxable_amount: Option<Decimal>,
    /// BT-117.
    pub(crate) tax_amount: Option<Decimal>,
}

/// What a document states: BT-106 to BT-115 and the VAT breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stated {
    /// BT-5.
    pub(crate) currency: Option<String>,
    amounts: [Option<Decimal>; Total::ALL.len()],
    pub(crate) breakdown: Vec<StatedRow>,
    /// Whether BT-110 is stated once in the document currency (BT-5), as BR-CO-15
    /// requires of UBL; [`Stated::amount`] falls back to a VAT total without a currency, or the
    /// first one.
    pub(crate) tax_in_document_currency: bool,
    /// The document's syntax: the rules on the stated amounts differ slightly.
    pub(crate) syntax: Syntax,
}

impl Stated {
    /// The stated amount of `total`, `None` when the document leaves it out.
    pub(crate) fn amount(&self, total: Total) -> Option<Decimal> {
        self.amounts[total as usize]
    }
}

/// Reads the stated totals of `text`, a document in `syntax`.
pub(crate) fn read(text: &str, syntax: Syntax) -> Result<Stated, FileError> {
    let mut parser = Parser {
        syntax,
        stack: Vec::new(),
        currency: None,
        amounts: Default::default(),
        tax_totals: Vec::new(),
        rows: Vec::new(),
    };
    let mut reader = Reader::from_str(text);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| FileError::at(parser.path(), format!("malformed xml: {e}")))?;
        match event {
            Event::Start(start) => parser.open(&start),
            Event::Empty(start) => {
                parser.open(&start);
                parser.close()?;
            }
            Event::End(_) => parser.close()?,
            Event::Text(text) => {
                if parser.capturing() {
                    let content = text
                        .xml10_content()
                        .map_err(|e| FileError::at(parser.path(), e.to_string()))?;
                    parser.push_text(&content);
                }
            }
            Event::CData(data) => {
                if parser.capturing() {
                    let content = data
                        .decode()
                        .map_err(|e| FileError::at(parser.path(), e.to_string()))?;
                    parser.push_text(&content);
                }
            }
            Event::GeneralRef(reference) => {
                if parser.capturing() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        _ => {
                            let name = reference
                                .decode()
                                .map_err(|e| FileError::at(parser.path(), e.to_string()))?;
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| {
                                    FileError::at(
                                        parser.path(),
                                        format!("undefined entity &{name};"),
                                    )
                                })?
                                .to_owned()
                        }
                    };
                    parser.push_text(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err(FileError::new("document type declarations are not allowed"))
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    Ok(parser.finish())
}

/// What an element is to this reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// BT-5.
    Currency,
    /// One of BT-106 to BT-115, except BT-110.
    Amount(Total),
    /// UBL: a `TaxTotal`, which holds a BT-110 candidate and its breakdown.
    TaxTotal,
    /// A BT-110 candidate, with its `currencyID`.
    TaxTotalAmount,
    /// UBL `TaxSubtotal`, CII header `ApplicableTradeTax`: a BG-23 row.
    Row,
    RowCategory,
    RowRate,
    RowTaxable,
    RowTax,
}

impl Role {
    /// Whether the element's text is read.
    fn is_leaf(self) -> bool {
        !matches!(self, Self::TaxTotal | Self::Row)
    }
}

fn ubl_role(below_root: &[&str]) -> Option<Role> {
    Some(match below_root {
        ["DocumentCurrencyCode"] => Role::Currency,
        ["LegalMonetaryTotal", name] => Role::Amount(match *name {
            "LineExtensionAmount" => Total::LineExtension,
            "AllowanceTotalAmount" => Total::Allowances,
            "ChargeTotalAmount" => Total::Charges,
            "TaxExclusiveAmount" => Total::TaxExclusive,
            "TaxInclusiveAmount" => Total::TaxInclusive,
            "PrepaidAmount" => Total::Prepaid,
            "PayableRoundingAmount" => Total::Rounding,
            "PayableAmount" => Total::Payable,
            _ => return None,
        }),
        ["TaxTotal"] => Role::TaxTotal,
        ["TaxTotal", "TaxAmount"] => Role::TaxTotalAmount,
        ["TaxTotal", "TaxSubtotal"] => Role::Row,
        ["TaxTotal", "TaxSubtotal", "TaxableAmount"] => Role::RowTaxable,
        ["TaxTotal", "TaxSubtotal", "TaxAmount"] => Role::RowTax,
        ["TaxTotal", "TaxSubtotal", "TaxCategory", "ID"] => Role::RowCategory,
        ["TaxTotal", "TaxSubtotal", "TaxCategory", "Percent"] => Role::RowRate,
        _ => return None,
    })
}

fn cii_role(below_root: &[&str]) -> Option<Role> {
    let ["SupplyChainTradeTransaction", "ApplicableHeaderTradeSettlement", rest @ ..] = below_root
    else {
        return None;
    };
    Some(match rest {
        ["InvoiceCurrencyCode"] => Role::Currency,
        ["SpecifiedTradeSettlementHeaderMonetarySummation", name] => match *name {
            "TaxTotalAmount" => Role::TaxTotalAmount,
            name => Role::Amount(match name {
                "LineTotalAmount" => Total::LineExtension,
                "AllowanceTotalAmount" => Total::Allowances,
                "ChargeTotalAmount" => Total::Charges,
                "TaxBasisTotalAmount" => Total::TaxExclusive,
                "GrandTotalAmount" => Total::TaxInclusive,
                "TotalPrepaidAmount" => Total::Prepaid,
                "RoundingAmount" => Total::Rounding,
                "DuePayableAmount" => Total::Payable,
                _ => return None,
            }),
        },
        ["ApplicableTradeTax"] => Role::Row,
        ["ApplicableTradeTax", "CategoryCode"] => Role::RowCategory,
        ["ApplicableTradeTax", "RateApplicablePercent"] => Role::RowRate,
        ["ApplicableTradeTax", "BasisAmount"] => Role::RowTaxable,
        ["ApplicableTradeTax", "CalculatedAmount"] => Role::RowTax,
        _ => return None,
    })
}

/// An open element.
#[derive(Debug)]
struct Frame {
    /// The name as written (`cbc:PayableAmount`), for error paths.
    name: String,
    /// The local name (`PayableAmount`), for matching.
    local: String,
    role: Option<Role>,
    currency_id: Option<String>,
    text: String,
}

/// A stated BT-110 candidate: the amount and its `currencyID`.
#[derive(Debug)]
struct TaxAmount {
    amount: Decimal,
    currency_id: Option<String>,
}

/// UBL `TaxTotal`: its amount and its rows. CII has one, implicit.
#[derive(Debug, Default)]
struct TaxTotal {
    amount: Option<TaxAmount>,
    rows: Vec<StatedRow>,
}

#[derive(Debug)]
struct Parser {
    syntax: Syntax,
    stack: Vec<Frame>,
    currency: Option<String>,
    amounts: [Option<Decimal>; Total::ALL.len()],
    /// UBL: one per `TaxTotal`. CII: every `TaxTotalAmount`, each in its own entry.
    tax_totals: Vec<TaxTotal>,
    /// CII: the header-level `ApplicableTradeTax` rows.
    rows: Vec<StatedRow>,
}

impl Parser {
    fn path(&self) -> String {
        if self.stack.is_empty() {
            return "/".to_owned();
        }
        self.stack.iter().fold(String::new(), |mut path, frame| {
            path.push('/');
            path.push_str(&frame.name);
            path
        })
    }

    fn capturing(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.role.is_some_and(Role::is_leaf))
    }

    fn push_text(&mut self, text: &str) {
        if let Some(frame) = self.stack.last_mut() {
            frame.text.push_str(text);
        }
    }

    fn open(&mut self, start: &BytesStart<'_>) {
        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let role = if self.stack.is_empty() {
            None
        } else {
            let mut below_root: Vec<&str> = self
                .stack
                .iter()
                .skip(1)
                .map(|f| f.local.as_str())
                .collect();
            below_root.push(&local);
            match self.syntax {
                Syntax::Ubl => ubl_role(&below_root),
                Syntax::Cii => cii_role(&below_root),
            }
        };
        let currency_id = match role {
            Some(Role::TaxTotalAmount) => start
                .try_get_attribute("currencyID")
                .ok()
                .flatten()
                .and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()
                        .map(|v| v.trim().to_owned())
                }),
            _ => None,
        };
        match role {
            Some(Role::TaxTotal) => self.tax_totals.push(TaxTotal::default()),
            Some(Role::Row) => match self.syntax {
                Syntax::Ubl => {
                    if let Some(total) = self.tax_totals.last_mut() {
                        total.rows.push(StatedRow::default());
                    }
                }
                Syntax::Cii => self.rows.push(StatedRow::default()),
            },
            _ => {}
        }
        self.stack.push(Frame {
            name,
            local,
            role,
            currency_id,
            text: String::new(),
        });
    }

    /// The breakdown row being read.
    fn last_row(&mut self) -> Option<&mut StatedRow> {
        match self.syntax {
            Syntax::Ubl => self.tax_totals.last_mut().and_then(|t| t.rows.last_mut()),
            Syntax::Cii => self.rows.last_mut(),
        }
    }

    fn close(&mut self) -> Result<(), FileError> {
        let path = self.path();
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let Some(role) = frame.role.filter(|r| r.is_leaf()) else {
            return Ok(());
        };
        let text = frame.text.trim();
        let amount = || {
            parse_decimal(text)
                .map_err(|e| FileError::at(path.clone(), format!("invalid amount {text:?}: {e}")))
        };
        match role {
            Role::Currency => {
                self.currency.get_or_insert_with(|| text.to_owned());
            }
            Role::Amount(total) => {
                let slot = &mut self.amounts[total as usize];
                if slot.is_none() {
                    *slot = Some(amount()?);
                }
            }
            Role::TaxTotalAmount => {
                let candidate = TaxAmount {
                    amount: amount()?,
                    currency_id: frame.currency_id,
                };
                match self.syntax {
                    Syntax::Ubl => {
                        if let Some(total) = self.tax_totals.last_mut() {
                            total.amount.get_or_insert(candidate);
                        }
                    }
                    Syntax::Cii => self.tax_totals.push(TaxTotal {
                        amount: Some(candidate),
                        rows: Vec::new(),
                    }),
                }
            }
            Role::RowCategory => {
                if let Some(row) = self.last_row() {
                    row.category.get_or_insert_with(|| text.to_owned());
                }
            }
            Role::RowRate | Role::RowTaxable | Role::RowTax => {
                let value = amount()?;
                if let Some(row) = self.last_row() {
                    let slot = match role {
                        Role::RowRate => &mut row.rate,
                        Role::RowTaxable => &mut row.taxable_amount,
                        _ => &mut row.tax_amount,
                    };
                    slot.get_or_insert(value);
                }
            }
            Role::TaxTotal | Role::Row => {}
        }
        Ok(())
    }

    /// The BT-110 candidate in the document currency, else one without `currencyID`,
    /// else the first; for UBL, the breakdown of that same `TaxTotal`.
    fn finish(mut self) -> Stated {
        let currency = self.currency.clone();
        let pick = |totals: &[TaxTotal]| -> Option<usize> {
            let id = |t: &TaxTotal| t.amount.as_ref().map(|a| a.currency_id.clone());
            totals
                .iter()
                .position(|t| currency.is_some() && id(t) == Some(currency.clone()))
                .or_else(|| totals.iter().position(|t| id(t) == Some(None)))
                .or(if totals.is_empty() { None } else { Some(0) })
        };
        let tax_in_document_currency = currency.is_some()
            && self
                .tax_totals
                .iter()
                .filter(|t| t.amount.as_ref().is_some_and(|a| a.currency_id == currency))
                .count()
                == 1;
        let chosen = pick(&self.tax_totals).map(|i| self.tax_totals.swap_remove(i));
        let mut amounts = self.amounts;
        amounts[Total::Tax as usize] = chosen
            .as_ref()
            .and_then(|t| t.amount.as_ref())
            .map(|a| a.amount);
        let breakdown = match self.syntax {
            Syntax::Ubl => chosen.map(|t| t.rows).unwrap_or_default(),
            Syntax::Cii => self.rows,
        };
        Stated {
            currency: self.currency,
            amounts,
            breakdown,
            tax_in_document_currency,
            syntax: self.syntax,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        parse_decimal(text).unwrap()
    }

    #[test]
    fn ubl_takes_the_tax_total_in_the_document_currency() {
        let xml = r#"<Invoice xmlns:cbc="b" xmlns:cac="a">
            <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
            <cac:TaxTotal><cbc:TaxAmount currencyID="SEK">100</cbc:TaxAmount></cac:TaxTotal>
            <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount>
              <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100</cbc:TaxableAmount>
                <cbc:TaxAmount currencyID="EUR">19</cbc:TaxAmount>
                <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent></cac:TaxCategory>
              </cac:TaxSubtotal></cac:TaxTotal>
            <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount>
            </cac:LegalMonetaryTotal></Invoice>"#;
        let stated = read(xml, Syntax::Ubl).unwrap();
        assert_eq!(stated.currency.as_deref(), Some("EUR"));
        assert_eq!(stated.amount(Total::Tax), Some(dec("19")));
        assert_eq!(stated.amount(Total::Payable), Some(dec("119")));
        assert_eq!(stated.amount(Total::Prepaid), None);
        assert_eq!(
            stated.breakdown,
            vec![StatedRow {
                category: Some("S".to_owned()),
                rate: Some(dec("19")),
                taxable_amount: Some(dec("100")),
                tax_amount: Some(dec("19")),
            }]
        );
    }

    #[test]
    fn cii_reads_the_header_summation_and_trade_taxes() {
        let xml = r#"<rsm:CrossIndustryInvoice xmlns:rsm="r" xmlns:ram="a">
            <rsm:SupplyChainTradeTransaction>
              <ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement>
                <ram:ApplicableTradeTax><ram:CategoryCode>Z</ram:CategoryCode></ram:ApplicableTradeTax>
              </ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>
              <ram:ApplicableHeaderTradeSettlement>
                <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
                <ram:ApplicableTradeTax><ram:CalculatedAmount>19</ram:CalculatedAmount>
                  <ram:BasisAmount>100</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
                  <ram:RateApplicablePercent>19.00</ram:RateApplicablePercent></ram:ApplicableTradeTax>
                <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
                  <ram:TaxTotalAmount currencyID="USD">5</ram:TaxTotalAmount>
                  <ram:TaxTotalAmount currencyID="EUR">19</ram:TaxTotalAmount>
                  <ram:DuePayableAmount>119</ram:DuePayableAmount>
                </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
              </ram:ApplicableHeaderTradeSettlement>
            </rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"#;
        let stated = read(xml, Syntax::Cii).unwrap();
        assert_eq!(stated.amount(Total::Tax), Some(dec("19")));
        assert_eq!(stated.amount(Total::Payable), Some(dec("119")));
        assert_eq!(stated.breakdown.len(), 1, "line-level taxes are not BG-23");
        assert_eq!(stated.breakdown[0].category.as_deref(), Some("S"));
    }

    #[test]
    fn a_bad_amount_names_its_element() {
        let xml = r#"<Invoice><LegalMonetaryTotal><PayableAmount>1,00</PayableAmount>
            </LegalMonetaryTotal></Invoice>"#;
        let err = read(xml, Syntax::Ubl).unwrap_err();
        assert_eq!(
            err.element.as_deref(),
            Some("/Invoice/LegalMonetaryTotal/PayableAmount")
        );
    }
}
