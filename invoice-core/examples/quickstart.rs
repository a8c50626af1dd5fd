//! Quickstart: build a multi-rate invoice with a document allowance and a charge, issue it
//! and print its totals and VAT breakdown.
//!
//! ```sh
//! cargo run -p invoice-core --example quickstart
//! ```
//!
//! Everything the core needs from the outside world comes in as an argument: the ids
//! (here random UUIDs), today's date and the last number used in the series.

use chrono::NaiveDate;
use invoice_core::{
    Address, AllowanceCharge, Contact, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId,
    LineItem, NumberSeries, Party, TenantId, UnitCode, Vat, VatExemption,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seller = Party::new(
        "Muster Software GmbH",
        Address::new(CountryCode::new("DE")?)
            .with_line("Hauptstraße 1")
            .with_city("Berlin")
            .with_postal_code("10115"),
    )
    .with_vat_id("DE123456789")
    .with_contact(
        Contact::new()
            .with_name("Billing")
            .with_email("billing@muster.example"),
    );
    let buyer = Party::new(
        "Kunde AG",
        Address::new(CountryCode::new("DE")?)
            .with_line("Am Hafen 5")
            .with_city("Hamburg")
            .with_postal_code("20095"),
    )
    .with_email("ap@kunde.example");

    let vat19 = Vat::standard(dec!(19));
    let vat7 = Vat::standard(dec!(7));
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).ok_or("bad date")?;

    let (mut invoice, _created) = Invoice::create(
        InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::new_v4()),
            TenantId::new("muster")?,
            Currency::EUR,
            seller,
            buyer,
        )
        .due_date(today + chrono::Days::new(30))
        .payment_terms("30 days net")
        .line(LineItem::new(
            "1",
            "Consulting",
            dec!(12.5),
            UnitCode::hour(),
            dec!(110.00),
            vat19,
        ))
        .line(LineItem::new(
            "2",
            "Software licence",
            dec!(3),
            UnitCode::piece(),
            dec!(249.99),
            vat19,
        ))
        .line(LineItem::new(
            "3",
            "Printed manual",
            dec!(4),
            UnitCode::piece(),
            dec!(19.90),
            vat7,
        ))
        .line(
            LineItem::new(
                "4",
                "Training voucher",
                dec!(1),
                UnitCode::piece(),
                dec!(150.00),
                Vat::exempt(),
            )
            .with_exemption(
                VatExemption::reason("Exempt education service").with_code("VATEX-EU-132-1I"),
            ),
        )
        .allowance_charge(
            AllowanceCharge::allowance(dec!(75.00))
                .with_vat(vat19)
                .with_reason("Framework agreement discount")
                .with_reason_code("95"),
        )
        .allowance_charge(
            AllowanceCharge::charge(dec!(6.90))
                .with_vat(vat7)
                .with_reason("Shipping")
                .with_reason_code("FC"),
        ),
    )?;

    let (_seq, number) = NumberSeries::new("INV-{year}-{seq:05}")?.next(None, 2026)?;
    invoice.issue(number, today)?;

    let totals = invoice.totals()?;
    let currency = invoice.currency();
    // Amounts print with the currency's minor units (EUR 2, JPY 0, KWD 3).
    let dp = currency.minor_units() as usize;
    println!(
        "Invoice {} for {}, issued {}, due {}",
        invoice.number().map_or("-", |n| n.as_str()),
        invoice.buyer().name(),
        today,
        invoice.due_date().map_or("-".to_owned(), |d| d.to_string()),
    );
    println!();
    println!(
        "{:<4} {:<22} {:>8} {:>4} {:>10} {:>12} {:>4} {:>6}",
        "#", "item", "qty", "unit", "price", "net", "cat", "rate"
    );
    for (line, net) in invoice.lines().iter().zip(totals.line_net_amounts()) {
        println!(
            "{:<4} {:<22} {:>8} {:>4} {:>10} {:>12.dp$} {:>4} {:>6}",
            line.id(),
            line.name(),
            line.quantity(),
            line.unit(),
            line.price(),
            net,
            line.vat().category(),
            line.vat().rate(),
        );
    }
    println!();
    println!("VAT breakdown ({currency})");
    println!("{:<4} {:>6} {:>14} {:>12}", "cat", "rate", "taxable", "VAT");
    for row in totals.vat_breakdown() {
        println!(
            "{:<4} {:>6} {:>14.dp$} {:>12.dp$}",
            row.category(),
            row.rate(),
            row.taxable_amount(),
            row.tax_amount()
        );
    }
    println!();
    let rows = [
        (
            "BT-106",
            "Sum of line net amounts",
            totals.line_extension_amount(),
        ),
        ("BT-107", "Document allowances", totals.allowance_total()),
        ("BT-108", "Document charges", totals.charge_total()),
        ("BT-109", "Total without VAT", totals.tax_exclusive_amount()),
        ("BT-110", "Total VAT", totals.tax_total()),
        ("BT-112", "Total with VAT", totals.tax_inclusive_amount()),
        ("BT-113", "Paid amount", totals.prepaid_amount()),
        ("BT-114", "Rounding amount", totals.rounding_amount()),
        ("BT-115", "Amount due", totals.payable_amount()),
    ];
    for (bt, label, amount) in rows {
        println!("{bt:<7} {label:<26} {amount:>12.dp$} {currency}");
    }
    Ok(())
}
