//! The pure invoice domain: model, EN 16931 totals, rounding policies, lifecycle,
//! numbering, domain events and business-rule validation.
//!
//! No I/O, no async, no clock and no randomness: ids and times come in as arguments, so
//! every function here is deterministic and the crate runs anywhere. Money is
//! [`rust_decimal::Decimal`] in a [`Currency`] that knows its ISO 4217 minor units; every
//! rounding is named.
//!
//! # Example: an invoice from draft to paid
//!
//! ```
//! use chrono::NaiveDate;
//! use invoice_core::{Address, AllowanceCharge, CountryCode, Currency, Invoice, InvoiceBuilder,
//!     InvoiceId, InvoiceStatus, LineItem, NumberSeries, Party, Payment, PaymentId, TenantId,
//!     UnitCode, Vat};
//! use rust_decimal::Decimal;
//! use uuid::Uuid;
//!
//! let seller = Party::new("Muster GmbH", Address::new(CountryCode::new("DE")?)
//!         .with_line("Hauptstr. 1").with_city("Berlin").with_postal_code("10115"))
//!     .with_vat_id("DE123456789");
//! let buyer = Party::new("Kunde AG", Address::new(CountryCode::new("DE")?)
//!     .with_city("Hamburg").with_postal_code("20095"));
//! let vat19 = Vat::standard(Decimal::new(19, 0));
//! let vat7 = Vat::standard(Decimal::new(7, 0));
//!
//! let (mut invoice, _created) = Invoice::create(
//!     InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("muster")?,
//!             Currency::EUR, seller, buyer)
//!         .due_date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
//!         .line(LineItem::new("1", "Consulting", Decimal::new(8, 0), UnitCode::hour(),
//!             Decimal::new(9500, 2), vat19))
//!         .line(LineItem::new("2", "Handbook", Decimal::new(2, 0), UnitCode::piece(),
//!             Decimal::new(2490, 2), vat7))
//!         .allowance_charge(AllowanceCharge::allowance(Decimal::new(4000, 2))
//!             .with_vat(vat19).with_reason("Loyalty discount")),
//! )?;
//!
//! let totals = invoice.totals()?;
//! assert_eq!(totals.tax_exclusive_amount(), Decimal::new(76980, 2)); // 760 + 49.80 − 40
//! assert_eq!(totals.tax_total(), Decimal::new(14029, 2)); // 136.80 + 3.49
//! assert_eq!(totals.payable_amount(), Decimal::new(91009, 2));
//!
//! let (_, number) = NumberSeries::new("INV-{year}-{seq:05}")?.next(None, 2026)?;
//! invoice.issue(number, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())?;
//! invoice.record_payment(Payment::new(PaymentId::from_uuid(Uuid::from_u128(9)),
//!     Decimal::new(91009, 2), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())?)?;
//! assert_eq!(invoice.status(), InvoiceStatus::Paid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Map
//!
//! - Money: [`Currency`], [`Money`], [`RoundingMode`], [`RoundingPolicy`].
//! - Model: [`Invoice`] (built by [`InvoiceBuilder`], edited by [`InvoicePatch`]),
//!   [`Party`], [`LineItem`], [`AllowanceCharge`], [`Vat`], [`Note`], [`Payment`],
//!   [`PaymentMeans`], [`Delivery`], [`InvoicePeriod`].
//! - Totals: [`Totals`], [`TaxBreakdown`].
//! - Lifecycle and numbering: [`InvoiceStatus`], [`InvoiceKind`], [`NumberSeries`].
//! - Events: [`InvoiceEvent`] in an [`EventEnvelope`].
//! - Validation: [`Invoice::validate`] returns every [`Violation`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![deny(clippy::float_arithmetic)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod allowance_charge;
mod currency;
mod delivery;
mod error;
mod events;
mod ids;
mod invoice;
mod lifecycle;
mod line_item;
mod money;
mod note;
mod numbering;
mod party;
mod payment_means;
mod rounding;
mod totals;
mod validation;
mod vat;

pub use allowance_charge::{AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind};
pub use currency::Currency;
pub use delivery::{Delivery, InvoicePeriod};
pub use error::{Error, Result};
pub use events::{EventEnvelope, InvoiceEvent, InvoiceSnapshot};
pub use ids::{ClientId, EventId, InvoiceId, InvoiceNumber, NoteId, PaymentId, TenantId};
pub use invoice::{Invoice, InvoiceBuilder, InvoicePatch};
pub use lifecycle::{InvoiceKind, InvoiceReference, InvoiceStatus};
pub use line_item::{LineItem, UnitCode};
pub use money::{parse_decimal, Money};
pub use note::{Note, Payment};
pub use numbering::NumberSeries;
pub use party::{Address, Contact, CountryCode, Party};
pub use payment_means::PaymentMeans;
pub use rounding::{
    round_half_away_from_zero, PriceBasis, RoundingMode, RoundingPolicy, TaxRounding,
};
pub use rust_decimal::Decimal;
pub use totals::{TaxBreakdown, Totals};
pub use validation::{Severity, Violation};
pub use vat::{Vat, VatCategory, VatExemption};
