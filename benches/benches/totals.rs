//! `totals`: computing an invoice's EN 16931 totals for 1 to 10 000 lines.
//!
//! In each group, on the same lines:
//! - `ours`: `invoice_core::Totals::compute` under the EN 16931 policy;
//! - `floor`: a bare loop doing only the `rust_decimal` multiply/round/add the totals need
//!   (line net = round(qty × price), per-rate sums, VAT per rate), with no model, no checks;
//! - `billing`: the `billing` crate (the Rust peer) building its `Document` and reading the
//!   same three totals. Its builder takes owned lines, so the clone happens in untimed setup.
//!
//! Run: `cargo bench -p invoice-benches --bench totals`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use invoice_core::{
    Address, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId, LineItem, Party,
    RoundingPolicy, TenantId, Totals, UnitCode, Vat,
};
use rust_decimal::{Decimal, RoundingStrategy};

const SIZES: [usize; 4] = [1, 100, 1_000, 10_000];
const RATES: [i64; 3] = [19, 7, 0];

/// Line `i`: quantity 2.5 … 242.5, unit price 1.999 … 101.989, rate cycling 19 / 7 / 0 %.
fn line_input(i: usize) -> (Decimal, Decimal, usize) {
    let i = i as i64;
    let qty = Decimal::new((i % 97 + 1) * 25, 1);
    let price = Decimal::new((i * 7_919) % 99_991 + 1_999, 3);
    (qty, price, (i % 3) as usize)
}

fn vat(group: usize) -> Vat {
    match RATES[group] {
        0 => Vat::zero_rated(),
        rate => Vat::standard(Decimal::new(rate, 0)),
    }
}

fn our_invoice(n: usize) -> Invoice {
    let address = Address::new(CountryCode::new("DE").unwrap());
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Default::default()),
        TenantId::new("bench").unwrap(),
        Currency::EUR,
        Party::new("Seller", address.clone()),
        Party::new("Buyer", address),
    )
    .lines((0..n).map(|i| {
        let (qty, price, group) = line_input(i);
        LineItem::new(
            (i + 1).to_string(),
            "item",
            qty,
            UnitCode::piece(),
            price,
            vat(group),
        )
    }))
    .build()
    .unwrap()
}

/// (BT-109, BT-110, BT-112) from the bare loop.
fn floor(lines: &[(Decimal, Decimal, usize)]) -> (Decimal, Decimal, Decimal) {
    let mut per_rate = [Decimal::ZERO; 3];
    let mut net_total = Decimal::ZERO;
    for (qty, price, group) in lines {
        let net = (qty * price).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        net_total += net;
        per_rate[*group] += net;
    }
    let mut tax_total = Decimal::ZERO;
    for (taxable, rate) in per_rate.iter().zip(RATES) {
        tax_total += (taxable * Decimal::new(rate, 2))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    }
    (net_total, tax_total, net_total + tax_total)
}

fn billing_lines(n: usize) -> Vec<billing::Line> {
    use billing::{Percent, Price, Quantity, UnitPrice};
    let vats = [
        billing::Vat::standard(Percent::new(Decimal::from(19))).unwrap(),
        billing::Vat::standard(Percent::new(Decimal::from(7))).unwrap(),
        billing::Vat::zero_rated(),
    ];
    (0..n)
        .map(|i| {
            let (qty, price, group) = line_input(i);
            billing::Line::new(
                "item",
                Quantity::new(qty, "C62"),
                UnitPrice::new(Price::new(price)),
            )
            .with_vat(vats[group].clone())
        })
        .collect()
}

fn billing_totals(lines: Vec<billing::Line>) -> (Decimal, Decimal, Decimal) {
    let doc = billing::Document::builder(billing::Currency::EUR, billing::AmountScale::EN16931)
        .lines(lines)
        .build()
        .unwrap();
    (
        doc.tax_exclusive_total().to_decimal(),
        doc.vat_total().to_decimal(),
        doc.tax_inclusive_total().to_decimal(),
    )
}

fn totals(c: &mut Criterion) {
    let policy = RoundingPolicy::en16931();
    let mut group = c.benchmark_group("totals");
    for n in SIZES {
        let invoice = our_invoice(n);
        let bare: Vec<_> = (0..n).map(line_input).collect();
        let peer = billing_lines(n);

        // All three must agree before their speed means anything.
        let ours = Totals::compute(&invoice, &policy).unwrap();
        let ours = (
            ours.tax_exclusive_amount(),
            ours.tax_total(),
            ours.tax_inclusive_amount(),
        );
        assert_eq!(ours, floor(&bare), "floor disagrees at {n} lines");
        assert_eq!(
            ours,
            billing_totals(peer.clone()),
            "billing disagrees at {n} lines"
        );

        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("ours", n), &invoice, |b, invoice| {
            b.iter(|| Totals::compute(black_box(invoice), &policy).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("floor", n), &bare, |b, bare| {
            b.iter(|| floor(black_box(bare)))
        });
        group.bench_with_input(BenchmarkId::new("billing", n), &peer, |b, peer| {
            b.iter_batched(
                || peer.clone(),
                |lines| billing_totals(black_box(lines)),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, totals);
criterion_main!(benches);
