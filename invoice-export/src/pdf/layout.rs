//! The invoice laid out on pages, as a display list: positioned text and rules per page.
//!
//! Layout is separate from drawing so that the page count is known before a page is
//! drawn ("n / N"), and so that the tests can see what went where without reading a PDF.

use invoice_core::{
    AllowanceCharge, Decimal, Invoice, InvoiceKind, InvoiceStatus, LineItem, Party, Totals,
};

use super::fonts::{Face, Fonts};
use super::locale::{Labels, Locale};
use super::Paper;

/// Body text size, in points.
const BODY: f32 = 8.5;
/// Small print (labels, footers).
const SMALL: f32 = 7.0;
/// The document title.
const TITLE: f32 = 18.0;
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.4;
/// The page margin.
const MARGIN: f32 = 48.0;
/// Room kept at the bottom of each page for the footer.
const FOOTER: f32 = 28.0;
/// The gray of rules and labels.
pub(crate) const GRAY: u8 = 110;

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// Text whose baseline starts at (`x`, `y`), from the top-left corner.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: bool,
        text: String,
    },
    /// A filled rectangle (a rule).
    Rule {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// The pages of an invoice, each a list of drawing operations; the footer is added when
/// drawing, once the page count is known.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) width: f32,
    pub(crate) height: f32,
    /// The footer's left part: the seller and its registration.
    pub(crate) footer: String,
}

/// A column of the lines table: where it starts, how wide, and how its text aligns.
#[derive(Debug, Clone, Copy)]
struct Column {
    x: f32,
    width: f32,
    right: bool,
}

/// Where the flow stands while laying out.
struct Flow<'f> {
    fonts: &'f Fonts,
    layout: Layout,
    y: f32,
    bottom: f32,
    columns: [Column; 6],
    header: [&'static str; 6],
}

impl<'f> Flow<'f> {
    fn face(&self, bold: bool) -> &'f Face {
        if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.layout.pages.is_empty() {
            self.layout.pages.push(Vec::new());
        }
        let last = self.layout.pages.len() - 1;
        &mut self.layout.pages[last]
    }

    fn new_page(&mut self) {
        self.layout.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` fits on this one.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > self.bottom && self.y > MARGIN {
            self.new_page();
            return true;
        }
        false
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let text = self.face(bold).printable(text);
        self.push_text(x, y, size, bold, text);
    }

    /// Text already made [`printable`](Face::printable).
    fn push_text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: String) {
        self.page().push(Op::Text {
            x,
            y,
            size,
            bold,
            gray: false,
            text,
        });
    }

    fn label(&mut self, x: f32, y: f32, text: &str) {
        let text = self.face(false).printable(text);
        self.page().push(Op::Text {
            x,
            y,
            size: SMALL,
            bold: false,
            gray: true,
            text,
        });
    }

    /// `text` right-aligned to end at `right`.
    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let text = self.face(bold).printable(text);
        let width = self.face(bold).width(&text, size);
        self.push_text(right - width, y, size, bold, text);
    }

    fn rule(&mut self, x: f32, y: f32, width: f32) {
        self.page().push(Op::Rule {
            x,
            y,
            width,
            height: 0.5,
        });
    }

    /// `text` broken into lines no wider than `width` at `size`: at spaces, and inside a
    /// word only when the word alone is too wide.
    fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let face = self.face(bold);
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if face.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is broken where it must be.
                let mut piece = String::new();
                for ch in word.chars() {
                    piece.push(ch);
                    if face.width(&piece, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(ch);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    fn line_height(size: f32) -> f32 {
        size * LEADING
    }

    /// The header row of the lines table, with a rule under it.
    fn table_header(&mut self) {
        let height = Self::line_height(BODY) + 4.0;
        self.ensure(height + Self::line_height(BODY));
        let baseline = self.y + BODY;
        for (column, title) in self.columns.into_iter().zip(self.header) {
            if column.right {
                self.text_right(column.x + column.width, baseline, BODY, true, title);
            } else {
                self.text(column.x, baseline, BODY, true, title);
            }
        }
        let right = self.columns[5].x + self.columns[5].width;
        self.rule(MARGIN, self.y + height - 2.0, right - MARGIN);
        self.y += height;
    }

    /// One row of the lines table: the cells, the second holding wrapped lines.
    fn table_row(&mut self, cells: [&str; 6], detail: Option<&str>) {
        let description_width = self.columns[1].width;
        let mut lines = self.wrap(cells[1], description_width, BODY, false);
        let detail_lines = detail
            .map(|d| self.wrap(d, description_width, SMALL, false))
            .unwrap_or_default();
        let height = Self::line_height(BODY) * lines.len() as f32
            + Self::line_height(SMALL) * detail_lines.len() as f32
            + 2.0;
        if self.ensure(height) {
            self.table_header();
        }
        let baseline = self.y + BODY;
        for (index, (column, cell)) in self.columns.into_iter().zip(cells).enumerate() {
            if index == 1 {
                continue;
            }
            if column.right {
                self.text_right(column.x + column.width, baseline, BODY, false, cell);
            } else {
                self.text(column.x, baseline, BODY, false, cell);
            }
        }
        let x = self.columns[1].x;
        let mut y = baseline;
        for line in lines.drain(..) {
            self.text(x, y, BODY, false, &line);
            y += Self::line_height(BODY);
        }
        for line in detail_lines {
            self.label(
                x,
                y - Self::line_height(BODY) + Self::line_height(SMALL),
                &line,
            );
            y += Self::line_height(SMALL);
        }
        self.y += height;
    }

    /// Label-value pairs right-aligned in the right half: the totals.
    fn pairs(&mut self, pairs: &[(String, String, bool)]) {
        let right = self.layout.width - MARGIN;
        let label_x = self.layout.width / 2.0 + 20.0;
        for (label, value, bold) in pairs {
            let baseline = self.y + BODY;
            self.text(label_x, baseline, BODY, *bold, label);
            self.text_right(right, baseline, BODY, *bold, value);
            self.y += Self::line_height(BODY);
        }
    }
}

/// Lays out `invoice` in `locale` on `paper`.
pub(crate) fn lay_out(
    invoice: &Invoice,
    totals: &Totals,
    fonts: &Fonts,
    paper: Paper,
    locale: Locale,
) -> Layout {
    let (width, height) = paper.size();
    let labels = locale.labels();
    let right = width - MARGIN;
    // Columns: #, description, quantity, unit price, VAT, net.
    let widths = [26.0, 0.0, 70.0, 72.0, 42.0, 78.0];
    let fixed: f32 = widths.iter().sum();
    let description = (right - MARGIN) - fixed - 5.0 * 6.0;
    let mut x = MARGIN;
    let columns = [0, 1, 2, 3, 4, 5].map(|i| {
        let width = if i == 1 { description } else { widths[i] };
        let column = Column {
            x,
            width,
            right: i != 0 && i != 1,
        };
        x += width + 6.0;
        column
    });
    let mut flow = Flow {
        fonts,
        layout: Layout {
            pages: vec![Vec::new()],
            width,
            height,
            footer: fonts.regular.printable(&footer(invoice.seller(), labels)),
        },
        y: MARGIN,
        bottom: height - MARGIN - FOOTER,
        columns,
        header: [
            labels.line,
            labels.description,
            labels.quantity,
            labels.unit_price,
            labels.vat,
            labels.net,
        ],
    };
    let minor = invoice.currency().minor_units();
    let currency = invoice.currency().to_string();
    let money = |amount: Decimal| format!("{} {currency}", locale.amount(amount, minor));

    header(&mut flow, invoice, labels, locale);
    flow.y += 10.0;
    flow.table_header();
    let nets = totals.line_net_amounts();
    for (index, line) in invoice.lines().iter().enumerate() {
        let net = nets.get(index).copied().unwrap_or_default();
        let quantity = format!(
            "{} {}",
            locale.quantity(line.quantity()),
            line.unit().as_str()
        );
        flow.table_row(
            [
                line.id(),
                line.name(),
                &quantity,
                &locale.amount(line.price(), minor),
                &locale.percent(line.vat().rate()),
                &locale.amount(net, minor),
            ],
            line_detail(line).as_deref(),
        );
    }
    for ac in invoice.allowances_charges() {
        let amount = document_amount(ac, invoice, totals, minor);
        let kind = if ac.is_charge() {
            labels.charge
        } else {
            labels.allowance
        };
        let reason = match ac.reason().or(ac.reason_code()) {
            Some(reason) => format!("{kind}: {reason}"),
            None => kind.to_owned(),
        };
        let signed = if ac.is_charge() { amount } else { -amount };
        let rate = ac
            .vat()
            .map(|v| locale.percent(v.rate()))
            .unwrap_or_default();
        flow.table_row(
            ["", &reason, "", "", &rate, &locale.amount(signed, minor)],
            None,
        );
    }
    notes(&mut flow, invoice, labels);
    closing(&mut flow, invoice, totals, labels, locale, &money);
    flow.layout
}

/// A line's second row: its description (BT-154) and period.
fn line_detail(line: &LineItem) -> Option<String> {
    line.description()
        .filter(|d| !d.trim().is_empty())
        .map(str::to_owned)
}

/// A document allowance's or charge's amount: as stated, or its percentage of its base
/// (stated, else the net of the lines of its VAT).
fn document_amount(
    ac: &AllowanceCharge,
    invoice: &Invoice,
    totals: &Totals,
    minor: u32,
) -> Decimal {
    let base = ac.base_amount().unwrap_or_else(|| {
        invoice
            .lines()
            .iter()
            .zip(totals.line_net_amounts())
            .filter(|(line, _)| Some(line.vat()) == ac.vat())
            .map(|(_, net)| *net)
            .sum()
    });
    ac.resolved_amount(base, minor).unwrap_or_default()
}

fn footer(seller: &Party, labels: &Labels) -> String {
    let mut parts = vec![seller.name().to_owned()];
    if let Some(vat) = seller.vat_id() {
        parts.push(format!("{} {vat}", labels.vat_id));
    }
    if let Some(legal) = seller.legal_id() {
        parts.push(format!("{} {legal}", labels.legal_id));
    }
    if let Some(info) = seller.additional_legal_info() {
        parts.push(info.to_owned());
    }
    parts.join(" · ")
}

/// The address lines of a party, then its identifiers.
fn party_lines(party: &Party, labels: &Labels) -> Vec<String> {
    let address = party.address();
    let mut lines: Vec<String> = address
        .lines()
        .iter()
        .filter(|l| !l.trim().is_empty())
        .cloned()
        .collect();
    let city = [address.postal_code(), address.city()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !city.is_empty() {
        lines.push(city);
    }
    lines.push(address.country().as_str().to_owned());
    if let Some(vat) = party.vat_id() {
        lines.push(format!("{} {vat}", labels.vat_id));
    }
    if let Some(email) = party.contact().and_then(|c| c.email()) {
        lines.push(email.to_owned());
    }
    lines
}

/// The title, the seller, the key facts, the buyer.
fn header(flow: &mut Flow<'_>, invoice: &Invoice, labels: &Labels, locale: Locale) {
    let width = flow.layout.width;
    let right_x = width / 2.0 + 20.0;
    let mut title = match invoice.kind() {
        InvoiceKind::CreditNote { .. } => labels.credit_note.to_owned(),
        InvoiceKind::Invoice => labels.invoice.to_owned(),
    };
    if invoice.status() == InvoiceStatus::Draft {
        title = format!("{title} · {}", labels.draft);
    }
    let top = flow.y;
    flow.text(right_x, top + TITLE, TITLE, true, &title);

    // Left: the seller.
    let seller = invoice.seller();
    let mut y = top + TITLE + 14.0;
    flow.label(MARGIN, y, labels.seller);
    y += Flow::line_height(SMALL) + 1.0;
    for line in flow.wrap(seller.name(), right_x - MARGIN - 12.0, 11.0, true) {
        flow.text(MARGIN, y + 3.0, 11.0, true, &line);
        y += Flow::line_height(11.0);
    }
    for line in party_lines(seller, labels) {
        flow.text(MARGIN, y + 2.0, BODY, false, &line);
        y += Flow::line_height(BODY);
    }

    // Right: the facts.
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(number) = invoice.number() {
        facts.push((labels.number, number.as_str().to_owned()));
    }
    if let Some(date) = invoice.issue_date() {
        facts.push((labels.issue_date, locale.date(date)));
    }
    if let Some(date) = invoice.due_date() {
        facts.push((labels.due_date, locale.date(date)));
    }
    if let Some(date) = invoice.delivery().and_then(|d| d.date()) {
        facts.push((labels.delivery_date, locale.date(date)));
    }
    if let Some(period) = invoice.period() {
        let from = period.start().map(|d| locale.date(d)).unwrap_or_default();
        let to = period.end().map(|d| locale.date(d)).unwrap_or_default();
        facts.push((labels.period, format!("{from} – {to}")));
    }
    if let InvoiceKind::CreditNote {
        corrects: Some(corrected),
    } = invoice.kind()
    {
        let mut text = corrected.number().as_str().to_owned();
        if let Some(date) = corrected.issue_date() {
            text = format!("{text} ({})", locale.date(date));
        }
        facts.push((labels.corrects, text));
    }
    for preceding in invoice.preceding_invoices() {
        facts.push((labels.corrects, preceding.number().as_str().to_owned()));
    }
    if let Some(reference) = invoice.buyer_reference() {
        facts.push((labels.buyer_reference, reference.to_owned()));
    }
    if let Some(order) = invoice.order_reference() {
        facts.push((labels.order, order.to_owned()));
    }
    if let Some(contract) = invoice.references().contract() {
        facts.push((labels.contract, contract.to_owned()));
    }
    if let Some(project) = invoice.references().project() {
        facts.push((labels.project, project.to_owned()));
    }
    let mut fy = top + TITLE + 14.0;
    let value_x = right_x + 92.0;
    for (label, value) in &facts {
        flow.label(right_x, fy + 1.0, label);
        let lines = flow.wrap(value, width - MARGIN - value_x, BODY, false);
        for line in lines {
            flow.text(value_x, fy + 1.0, BODY, false, &line);
            fy += Flow::line_height(BODY);
        }
    }

    // Below: the buyer.
    let mut by = y.max(fy) + 14.0;
    flow.label(MARGIN, by, labels.buyer);
    by += Flow::line_height(SMALL) + 1.0;
    let buyer = invoice.buyer();
    for line in flow.wrap(buyer.name(), width - 2.0 * MARGIN, 10.0, true) {
        flow.text(MARGIN, by + 3.0, 10.0, true, &line);
        by += Flow::line_height(10.0);
    }
    for line in party_lines(buyer, labels) {
        flow.text(MARGIN, by + 2.0, BODY, false, &line);
        by += Flow::line_height(BODY);
    }
    flow.y = by + 4.0;
}

fn notes(flow: &mut Flow<'_>, invoice: &Invoice, labels: &Labels) {
    let texts: Vec<&str> = invoice
        .notes()
        .iter()
        .map(|n| n.text())
        .filter(|t| !t.trim().is_empty())
        .collect();
    if texts.is_empty() {
        return;
    }
    flow.y += 10.0;
    flow.ensure(Flow::line_height(SMALL) + Flow::line_height(BODY));
    let y = flow.y + SMALL;
    flow.label(MARGIN, y, labels.notes);
    flow.y += Flow::line_height(SMALL) + 2.0;
    let width = flow.layout.width - 2.0 * MARGIN;
    for text in texts {
        for line in flow.wrap(text, width, BODY, false) {
            flow.ensure(Flow::line_height(BODY));
            let y = flow.y + BODY;
            flow.text(MARGIN, y, BODY, false, &line);
            flow.y += Flow::line_height(BODY);
        }
    }
}

/// The totals, the VAT breakdown and the payment instructions, kept together so that
/// the totals stand on the last page.
fn closing(
    flow: &mut Flow<'_>,
    invoice: &Invoice,
    totals: &Totals,
    labels: &Labels,
    locale: Locale,
    money: &dyn Fn(Decimal) -> String,
) {
    let mut pairs = vec![(
        labels.line_total.to_owned(),
        money(totals.line_extension_amount()),
        false,
    )];
    if !totals.allowance_total().is_zero() {
        pairs.push((
            labels.allowance_total.to_owned(),
            money(-totals.allowance_total()),
            false,
        ));
    }
    if !totals.charge_total().is_zero() {
        pairs.push((
            labels.charge_total.to_owned(),
            money(totals.charge_total()),
            false,
        ));
    }
    pairs.push((
        labels.total_without_vat.to_owned(),
        money(totals.tax_exclusive_amount()),
        false,
    ));
    pairs.push((
        labels.total_vat.to_owned(),
        money(totals.tax_total()),
        false,
    ));
    pairs.push((
        labels.total_with_vat.to_owned(),
        money(totals.tax_inclusive_amount()),
        false,
    ));
    if !totals.prepaid_amount().is_zero() {
        pairs.push((
            labels.paid.to_owned(),
            money(-totals.prepaid_amount()),
            false,
        ));
    }
    if !totals.rounding_amount().is_zero() {
        pairs.push((
            labels.rounding.to_owned(),
            money(totals.rounding_amount()),
            false,
        ));
    }
    pairs.push((
        labels.amount_due.to_owned(),
        money(totals.payable_amount()),
        true,
    ));

    let minor = invoice.currency().minor_units();
    let rows: Vec<[String; 4]> = totals
        .vat_breakdown()
        .iter()
        .map(|row| {
            let mut category = row.category().code().to_owned();
            if let Some(reason) = row
                .exemption()
                .and_then(|e| e.reason_text().or(e.reason_code()))
            {
                category = format!("{category} ({reason})");
            }
            [
                category,
                locale.percent(row.rate()),
                locale.amount(row.taxable_amount(), minor),
                locale.amount(row.tax_amount(), minor),
            ]
        })
        .collect();
    let payment = payment_lines(invoice, labels, locale);

    let body = Flow::line_height(BODY);
    let needed = 16.0
        + body * pairs.len() as f32
        + 14.0
        + body * (rows.len() as f32 + 2.0)
        + if payment.is_empty() {
            0.0
        } else {
            14.0 + body * (payment.len() as f32 + 1.0)
        };
    flow.y += 10.0;
    flow.ensure(needed);
    let right = flow.layout.width - MARGIN;
    flow.rule(
        flow.layout.width / 2.0 + 20.0,
        flow.y,
        right - flow.layout.width / 2.0 - 20.0,
    );
    flow.y += 6.0;
    flow.pairs(&pairs);

    // The VAT breakdown.
    flow.y += 14.0;
    let y = flow.y + SMALL;
    flow.label(MARGIN, y, labels.vat_breakdown);
    flow.y += Flow::line_height(SMALL) + 2.0;
    let xs = [MARGIN, right - 250.0, right - 125.0, right];
    let header = [
        labels.category,
        labels.vat,
        labels.taxable,
        labels.total_vat,
    ];
    let baseline = flow.y + BODY;
    flow.text(xs[0], baseline, BODY, true, header[0]);
    for (x, title) in xs[1..].iter().zip(&header[1..]) {
        flow.text_right(*x, baseline, BODY, true, title);
    }
    flow.y += body;
    for row in &rows {
        let baseline = flow.y + BODY;
        let width = xs[1] - 60.0 - MARGIN;
        let category = flow.wrap(&row[0], width, BODY, false).remove(0);
        flow.text(xs[0], baseline, BODY, false, &category);
        for (x, cell) in xs[1..].iter().zip(&row[1..]) {
            flow.text_right(*x, baseline, BODY, false, cell);
        }
        flow.y += body;
    }

    if !payment.is_empty() {
        flow.y += 14.0;
        let y = flow.y + SMALL;
        flow.label(MARGIN, y, labels.payment);
        flow.y += Flow::line_height(SMALL) + 2.0;
        for (label, value) in payment {
            let baseline = flow.y + BODY;
            flow.label(MARGIN, baseline, label);
            flow.text(MARGIN + 110.0, baseline, BODY, false, &value);
            flow.y += body;
        }
    }
}

/// Payment instructions: account, BIC, reference, terms.
fn payment_lines(
    invoice: &Invoice,
    labels: &Labels,
    locale: Locale,
) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    for means in invoice.payment_means() {
        if let Some(account) = means.account_id() {
            let shown = match means.account_name() {
                Some(name) => format!("{account} ({name})"),
                None => account.to_owned(),
            };
            lines.push((labels.account, shown));
        }
        if let Some(bic) = means.provider_id() {
            lines.push((labels.bic, bic.to_owned()));
        }
        if let Some(reference) = means.remittance_information() {
            lines.push((labels.payment_reference, reference.to_owned()));
        }
    }
    if let Some(terms) = invoice.payment_terms() {
        lines.push((labels.payment_terms, terms.to_owned()));
    }
    if let Some(due) = invoice.due_date() {
        lines.push((labels.due_date, locale.date(due)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use invoice_core::{
        Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber, LineItem, Party,
        TenantId, UnitCode, Vat,
    };
    use rust_decimal_macros::dec;
    use uuid::Uuid;

    use super::*;
    use crate::pdf::fonts::fonts;

    fn invoice(lines: usize) -> Invoice {
        let address = Address::new(CountryCode::new("DE").unwrap());
        let mut builder = InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::nil()),
            TenantId::new("t").unwrap(),
            Currency::EUR,
            Party::new("Ωmega Łódź Ğ GmbH", address.clone()).with_vat_id("DE123456789"),
            Party::new("Жук & Söhne", address),
        )
        .issued(
            InvoiceNumber::new("INV-1").unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        );
        for i in 1..=lines {
            builder = builder.line(LineItem::new(
                i.to_string(),
                format!(
                    "Item {i} with a description long enough to wrap in its column once or twice"
                ),
                dec!(2),
                UnitCode::piece(),
                dec!(10.00),
                Vat::standard(dec!(19)),
            ));
        }
        builder.build().unwrap()
    }

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                Op::Rule { .. } => None,
            })
            .collect()
    }

    use chrono::NaiveDate;

    /// 1 000 lines: many pages, the table header on each, every line once, and the totals
    /// on the last page only.
    #[test]
    fn a_long_invoice_breaks_across_pages_with_the_header_repeated() {
        let invoice = invoice(1000);
        let totals = invoice.totals().unwrap();
        let layout = lay_out(&invoice, &totals, fonts().unwrap(), Paper::A4, Locale::En);
        assert!(layout.pages.len() > 20, "{} pages", layout.pages.len());
        for (index, page) in layout.pages.iter().enumerate() {
            let texts = texts(page);
            assert!(
                texts.contains(&"Description"),
                "page {index} lacks the header"
            );
            let due = texts.contains(&"Amount due");
            assert_eq!(due, index == layout.pages.len() - 1, "page {index}");
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(
                        *y <= layout.height - MARGIN - FOOTER + BODY,
                        "page {index}: {op:?}"
                    );
                }
            }
        }
        let ids: usize = layout
            .pages
            .iter()
            .map(|p| texts(p).iter().filter(|t| t.starts_with("Item ")).count())
            .sum();
        assert_eq!(ids, 1000);
        let last = texts(layout.pages.last().unwrap()).join(" ");
        assert!(last.contains("23,800.00 EUR"), "{last}");
    }

    #[test]
    fn a_short_invoice_is_one_page_with_its_names_as_text() {
        let invoice = invoice(3);
        let totals = invoice.totals().unwrap();
        let layout = lay_out(
            &invoice,
            &totals,
            fonts().unwrap(),
            Paper::Letter,
            Locale::De,
        );
        assert_eq!(layout.pages.len(), 1);
        let texts = texts(&layout.pages[0]).join("|");
        assert!(texts.contains("Ωmega Łódź Ğ GmbH"));
        assert!(texts.contains("Жук & Söhne"));
        assert!(texts.contains("Zahlbetrag"));
        assert!(texts.contains("71,40 EUR"));
        assert_eq!(layout.width, 612.0);
    }

    /// A credit note is titled as such and names the invoice it corrects; amounts of a
    /// currency without minor units (JPY) have no decimals.
    #[test]
    fn a_credit_note_names_what_it_corrects_and_yen_have_no_decimals() {
        let address = Address::new(CountryCode::new("JP").unwrap());
        let invoice = InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::nil()),
            TenantId::new("t").unwrap(),
            Currency::from_code("JPY").unwrap(),
            Party::new("Seller KK", address.clone()).with_vat_id("JP1234567890123"),
            Party::new("Buyer KK", address),
        )
        .issued(
            InvoiceNumber::new("CN-7").unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        )
        .credit_note(Some(
            invoice_core::InvoiceReference::new(InvoiceNumber::new("INV-5").unwrap())
                .with_issue_date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
        ))
        .line(LineItem::new(
            "1",
            "Refund",
            dec!(3),
            UnitCode::piece(),
            dec!(1200),
            Vat::standard(dec!(10)),
        ))
        .build()
        .unwrap();
        let totals = invoice.totals().unwrap();
        let layout = lay_out(&invoice, &totals, fonts().unwrap(), Paper::A4, Locale::Fr);
        let texts = texts(&layout.pages[0]).join("|");
        assert!(texts.contains("Avoir"), "{texts}");
        assert!(texts.contains("Rectifie la facture"), "{texts}");
        assert!(texts.contains("INV-5 (05/01/2026)"), "{texts}");
        assert!(texts.contains("3\u{a0}960 JPY"), "{texts}");
    }
}
