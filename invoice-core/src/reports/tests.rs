use proptest::prelude::*;
use rust_decimal_macros::dec;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn client(n: u128) -> Option<ClientId> {
    Some(ClientId::from_uuid(uuid::Uuid::from_u128(n)))
}

/// An issued invoice of 100 net (19 % VAT), issued on `issued`, due on `due`.
fn issued(issued: NaiveDate, due: NaiveDate, amount_due: Decimal) -> ReportFacts {
    ReportFacts {
        credit_note: false,
        status: InvoiceStatus::Issued,
        client: client(1),
        currency: Currency::EUR,
        issue_date: Some(issued),
        due_date: Some(due),
        net: dec!(100.00),
        gross: dec!(119.00),
        amount_due,
        vat: vec![VatFact {
            category: VatCategory::Standard,
            rate: dec!(19.00),
            taxable: dec!(100.00),
            tax: dec!(19.00),
        }],
    }
}

#[test]
fn buckets_by_days_past_due() {
    let due = date(2026, 1, 31);
    let at = |days: u64| due + chrono::Days::new(days);
    assert_eq!(AgingBucket::of(due, date(2026, 1, 1)), AgingBucket::NotDue);
    assert_eq!(AgingBucket::of(due, due), AgingBucket::NotDue);
    for (days, bucket) in [
        (1, AgingBucket::Days1To30),
        (30, AgingBucket::Days1To30),
        (31, AgingBucket::Days31To60),
        (60, AgingBucket::Days31To60),
        (61, AgingBucket::Days61To90),
        (90, AgingBucket::Days61To90),
        (91, AgingBucket::Over90),
        (4000, AgingBucket::Over90),
    ] {
        assert_eq!(AgingBucket::of(due, at(days)), bucket, "{days} days");
    }
}

#[test]
fn aging_counts_what_is_still_due_on_open_invoices_only() {
    let as_of = date(2026, 3, 15);
    let mut partly_paid = issued(date(2026, 1, 1), date(2026, 1, 31), dec!(19.00));
    partly_paid.status = InvoiceStatus::PartiallyPaid;
    let mut other_client = issued(date(2026, 3, 1), date(2026, 3, 31), dec!(119.00));
    other_client.client = client(2);
    let mut dollars = issued(date(2025, 10, 1), date(2025, 10, 31), dec!(50.00));
    dollars.currency = Currency::USD;
    let mut undated = issued(date(2026, 2, 1), date(2026, 2, 1), dec!(10.00));
    undated.due_date = None;
    let mut ignored = Vec::new();
    for status in [
        InvoiceStatus::Draft,
        InvoiceStatus::Paid,
        InvoiceStatus::Credited,
    ] {
        let mut f = issued(date(2026, 1, 1), date(2026, 1, 31), dec!(119.00));
        f.status = status;
        ignored.push(f);
    }
    let mut credit_note = issued(date(2026, 1, 1), date(2026, 1, 31), dec!(119.00));
    credit_note.credit_note = true;
    ignored.push(credit_note);
    ignored.push(issued(date(2026, 3, 16), date(2026, 4, 15), dec!(119.00)));
    let facts: Vec<ReportFacts> = [partly_paid, other_client, dollars, undated]
        .into_iter()
        .chain(ignored)
        .collect();

    let report = aging(&facts, as_of).unwrap();
    let eur: Vec<&AgingRow> = report
        .rows
        .iter()
        .filter(|r| r.currency == Currency::EUR)
        .collect();
    assert_eq!(eur.len(), 2);
    let first = eur.iter().find(|r| r.client == client(1)).unwrap();
    // 19.00 left of the January invoice (43 days late), 10.00 due on 1 February (42).
    assert_eq!(first.amounts.days_31_to_60, dec!(29.00));
    assert_eq!(first.amounts.total, dec!(29.00));
    let second = eur.iter().find(|r| r.client == client(2)).unwrap();
    assert_eq!(second.amounts.not_due, dec!(119.00));
    let usd = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::USD)
        .unwrap();
    assert_eq!(usd.amounts.over_90, dec!(50.00));
    let eur_total = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::EUR)
        .unwrap();
    assert_eq!(eur_total.amounts.total, dec!(148.00));
}

#[test]
fn revenue_nets_credit_notes_by_period_and_client() {
    let mut facts = vec![
        issued(date(2026, 1, 10), date(2026, 2, 10), dec!(0)),
        issued(date(2026, 2, 10), date(2026, 3, 10), dec!(0)),
        issued(date(2026, 4, 1), date(2026, 5, 1), dec!(0)),
    ];
    let mut credit = issued(date(2026, 2, 20), date(2026, 2, 20), dec!(0));
    credit.credit_note = true;
    credit.net = dec!(40.00);
    credit.gross = dec!(47.60);
    credit.client = client(2);
    facts.push(credit);
    let mut draft = issued(date(2026, 2, 1), date(2026, 2, 1), dec!(0));
    draft.status = InvoiceStatus::Draft;
    facts.push(draft);

    let (from, to) = (date(2026, 1, 1), date(2026, 12, 31));
    let by_month = revenue(&facts, from, to, RevenueGrouping::Period(Period::Month)).unwrap();
    let months: Vec<(RevenueKey, Decimal, u64)> = by_month
        .iter()
        .map(|r| (r.key.clone(), r.net, r.documents))
        .collect();
    assert_eq!(
        months,
        vec![
            (RevenueKey::Period(date(2026, 1, 1)), dec!(100.00), 1),
            (RevenueKey::Period(date(2026, 2, 1)), dec!(60.00), 2),
            (RevenueKey::Period(date(2026, 4, 1)), dec!(100.00), 1),
        ]
    );
    let by_quarter = revenue(&facts, from, to, RevenueGrouping::Period(Period::Quarter)).unwrap();
    assert_eq!(by_quarter[0].gross, dec!(190.40));
    assert_eq!(by_quarter[1].key, RevenueKey::Period(date(2026, 4, 1)));
    let by_client = revenue(&facts, from, to, RevenueGrouping::Client).unwrap();
    let nets: Vec<Decimal> = by_client.iter().map(|r| r.net).collect();
    assert_eq!(nets, vec![dec!(300.00), dec!(-40.00)]);
    let february = revenue(
        &facts,
        date(2026, 2, 1),
        date(2026, 2, 28),
        RevenueGrouping::Client,
    )
    .unwrap();
    assert_eq!(february.iter().map(|r| r.documents).sum::<u64>(), 2);
}

#[test]
fn vat_summary_per_category_and_rate_with_credit_notes_netted() {
    let mut two_rates = issued(date(2026, 1, 10), date(2026, 2, 10), dec!(0));
    two_rates.vat.push(VatFact {
        category: VatCategory::Standard,
        rate: dec!(7),
        taxable: dec!(50.00),
        tax: dec!(3.50),
    });
    let mut credit = issued(date(2026, 1, 20), date(2026, 1, 20), dec!(0));
    credit.credit_note = true;
    let facts = vec![
        two_rates,
        issued(date(2026, 1, 12), date(2026, 2, 12), dec!(0)),
        credit,
    ];
    let rows = vat_summary(&facts, date(2026, 1, 1), date(2026, 1, 31)).unwrap();
    let sums: Vec<(Decimal, Decimal, Decimal)> =
        rows.iter().map(|r| (r.rate, r.taxable, r.tax)).collect();
    assert_eq!(
        sums,
        vec![
            (dec!(7), dec!(50.00), dec!(3.50)),
            (dec!(19), dec!(100.00), dec!(19.00))
        ]
    );
}

fn any_fact() -> impl Strategy<Value = ReportFacts> {
    (
        0u32..400,
        0u32..120,
        0i64..100_000,
        any::<bool>(),
        0u8..4,
        0u128..4,
        any::<bool>(),
    )
        .prop_map(
            |(issued_day, terms, cents, credit_note, status, who, usd)| {
                let issue = date(2025, 1, 1) + chrono::Days::new(u64::from(issued_day));
                let mut fact = issued(
                    issue,
                    issue + chrono::Days::new(u64::from(terms)),
                    Decimal::new(cents, 2),
                );
                fact.credit_note = credit_note;
                fact.status = [
                    InvoiceStatus::Draft,
                    InvoiceStatus::Issued,
                    InvoiceStatus::PartiallyPaid,
                    InvoiceStatus::Paid,
                ][usize::from(status)];
                fact.client = client(who);
                if usd {
                    fact.currency = Currency::USD;
                }
                fact
            },
        )
}

proptest! {
    /// Per currency, the totals are the sum of the client rows, and each total the sum
    /// of its buckets.
    #[test]
    fn aging_totals_add_up(facts in prop::collection::vec(any_fact(), 0..60), day in 0u32..500) {
        let report = aging(&facts, date(2025, 1, 1) + chrono::Days::new(u64::from(day))).unwrap();
        for total in &report.totals {
            let rows: Decimal = report
                .rows
                .iter()
                .filter(|r| r.currency == total.currency)
                .map(|r| r.amounts.total)
                .sum();
            prop_assert_eq!(rows, total.amounts.total);
            let a = &total.amounts;
            prop_assert_eq!(
                a.not_due + a.days_1_to_30 + a.days_31_to_60 + a.days_61_to_90 + a.over_90,
                a.total
            );
        }
    }

    /// Revenue by month, by year and by client add up to the same figures per currency.
    #[test]
    fn revenue_groupings_agree(facts in prop::collection::vec(any_fact(), 0..60)) {
        let (from, to) = (date(2025, 1, 1), date(2026, 12, 31));
        let sum = |by| {
            let mut per_currency: BTreeMap<Currency, (Decimal, u64)> = BTreeMap::new();
            for row in revenue(&facts, from, to, by).unwrap() {
                let entry = per_currency.entry(row.currency).or_default();
                entry.0 += row.gross;
                entry.1 += row.documents;
            }
            per_currency
        };
        let by_month = sum(RevenueGrouping::Period(Period::Month));
        prop_assert_eq!(&by_month, &sum(RevenueGrouping::Period(Period::Year)));
        prop_assert_eq!(&by_month, &sum(RevenueGrouping::Client));
    }
}
