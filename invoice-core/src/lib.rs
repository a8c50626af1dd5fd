#![doc = include_str!("../README.md")]
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
mod decimal;
pub mod decimal_serde;
mod delivery;
mod error;
mod events;
mod ids;
mod invoice;
mod lifecycle;
mod line_item;
mod note;
mod numbering;
mod party;
mod payment;
mod payment_means;
mod references;
pub mod reminder;
pub mod reports;
mod rounding;
pub mod schedule;
pub mod specification;
mod totals;
mod validation;
mod vat;
mod vat_accounting;

/// The version of this crate, which names the JSON shape of its types: two builds of
/// one published version write the same JSON for the same value, so JSON written by a
/// build of `MODEL_VERSION` reads back, and can be sent on undecoded, by another build
/// of it. A store that keeps JSON beside this mark (the SQLite store does) hands it on
/// only when the mark matches; across versions it decodes and writes it again. (Builds
/// of unpublished commits that share a version number may differ.)
pub const MODEL_VERSION: &str = env!("CARGO_PKG_VERSION");

pub use allowance_charge::{AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind};
pub use currency::Currency;
pub use decimal::parse_decimal;
pub use delivery::{Delivery, InvoicePeriod};
pub use error::{Error, Result};
pub use events::{EventEnvelope, InvoiceEvent, InvoiceSnapshot};
pub use ids::{
    ClientId, EventId, InvoiceId, InvoiceNumber, NoteId, PaymentId, ReminderId, ScheduleId,
    TenantId,
};
pub use invoice::{Invoice, InvoiceBuilder, InvoicePatch};
pub use lifecycle::{InvoiceKind, InvoiceReference, InvoiceStatus};
pub use line_item::{
    ItemAttribute, ItemClassification, LineDetails, LineItem, SchemedId, UnitCode,
};
pub use note::Note;
pub use numbering::NumberSeries;
pub use party::{
    Address, Contact, CountryCode, ElectronicAddress, Party, Payee, TaxRepresentative,
};
pub use payment::Payment;
pub use payment_means::{PaymentCard, PaymentMeans};
pub use references::{Attachment, DocumentReferences, InvoicedObject, SupportingDocument};
pub use rounding::{
    round_half_away_from_zero, PriceBasis, RoundingMode, RoundingPolicy, TaxRounding,
};
pub use rust_decimal::Decimal;
pub use specification::Specification;
pub use totals::{TaxBreakdown, Totals};
pub use validation::{Severity, Violation};
pub use vat::{EmptyVatRow, StatedVatAmount, Vat, VatCategory, VatExemption};
pub use vat_accounting::{VatAccounting, VatAccountingBasis};

/// The workspace README's Rust examples, compiled and run with this crate's doctests (it
/// has the dev-dependencies they use). Only under `cfg(doctest)`: a build of the packaged
/// crate, which has no workspace README, never reads the file.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadme;
