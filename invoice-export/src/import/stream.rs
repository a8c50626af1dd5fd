//! The streaming pass over a document's lines: each line element's events go straight
//! into the fields of one line, without an element tree.
//!
//! Lines are most of a large document, and the tree costs more than everything else a
//! reader does with them. The pass takes documents of the ordinary shape; where a
//! document is not (an element the model reads once stated twice, an element inside a
//! value), it declines, and the document is read again as a tree, which is the
//! reference: [`read_document_text`] gives the same invoice or error as the tree
//! reader alone, only faster.

use std::borrow::Cow;

use invoice_core::{Invoice, LineDetails, LineItem};

use super::fields::{AllowanceChargeFields, LineFields, Located, Streamed, VatFields};
use super::{ImportOptions, ImportWarning, Imported};
use crate::error::Result;
use crate::xml::{Doc, El, Position, StartTag, Subtrees};

/// What an element inside a line is, in either syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The line element itself.
    Line,
    /// Not read: it and everything in it are skipped.
    Skipped,
    /// Read by the tree reader but not by this pass (a line's details, such as item
    /// identifiers): meeting one declines the document, which the tree then reads.
    Declined,
    /// An element that only holds others, numbered by the syntax (`n < 16`), read once
    /// per line.
    Group(u8),
    /// A line allowance or charge, which may repeat.
    AllowanceCharge,
    /// An element inside an allowance or charge that only holds others (`n < 16`),
    /// read once per allowance or charge (CII's only).
    #[cfg_attr(not(feature = "cii"), allow(dead_code))]
    AllowanceChargeGroup(u8),
    /// A value, read once per line (or per allowance or charge).
    Value(Field),
}

/// The values of a line the model reads (at most 17: each has a bit of its own, below
/// the groups' bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// BT-126.
    Id,
    /// BT-129, whose `unitCode` attribute is the unit (BT-130).
    Quantity,
    /// BT-131.
    Net,
    /// BT-153.
    Name,
    /// BT-154.
    Description,
    /// BT-151.
    VatCategory,
    /// BT-152.
    VatRate,
    /// BT-146.
    Price,
    /// BT-149.
    BaseQuantity,
    /// BT-148.
    Gross,
    /// BT-147, the item price discount.
    PriceDiscount,
    /// Of a line allowance or charge: whether it is a charge.
    ChargeIndicator,
    /// Of a line allowance or charge: BT-136 / BT-141.
    Amount,
    /// Of a line allowance or charge: BT-138 / BT-143.
    Percent,
    /// Of a line allowance or charge: BT-137 / BT-142.
    Base,
    /// Of a line allowance or charge: BT-139 / BT-144.
    Reason,
    /// Of a line allowance or charge: BT-140 / BT-145.
    ReasonCode,
}

impl Field {
    /// Whether the value belongs to an allowance or charge.
    fn in_allowance_charge(self) -> bool {
        matches!(
            self,
            Field::ChargeIndicator
                | Field::Amount
                | Field::Percent
                | Field::Base
                | Field::Reason
                | Field::ReasonCode
        )
    }
}

impl Part {
    /// Its bit in the mask of what was seen, for the parts read once.
    fn seen_bit(self) -> Option<u32> {
        match self {
            Part::Group(n) | Part::AllowanceChargeGroup(n) => Some(1 << (17 + u32::from(n))),
            Part::Value(field) => Some(1 << field as u32),
            Part::Line | Part::Skipped | Part::Declined | Part::AllowanceCharge => None,
        }
    }

    /// Whether it is counted per allowance or charge rather than per line.
    fn in_allowance_charge(self) -> bool {
        match self {
            Part::AllowanceChargeGroup(_) => true,
            Part::Value(field) => field.in_allowance_charge(),
            _ => false,
        }
    }
}

/// How a syntax lays out its lines.
pub(crate) trait LineSyntax {
    /// Whether the element `local`, a child of `parent`, is a line of the document.
    fn is_line(&mut self, parent: El<'_, '_>, local: &[u8]) -> bool;

    /// What the child `local` of an element that is `parent` is.
    fn child(&self, parent: Part, local: &[u8]) -> Part;
}

/// One line's values as the pass meets them.
#[derive(Debug, Default)]
struct PartialLine<'a> {
    id: Option<Cow<'a, str>>,
    quantity: Option<Cow<'a, str>>,
    unit: Option<Cow<'a, str>>,
    net: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    vat_category: Option<Cow<'a, str>>,
    vat_rate: Option<Cow<'a, str>>,
    price: Option<Cow<'a, str>>,
    base_quantity: Option<Cow<'a, str>>,
    base_quantity_unit: Option<Cow<'a, str>>,
    gross: Option<Cow<'a, str>>,
    price_discount: Option<Cow<'a, str>>,
    allowances_charges: Vec<PartialAllowanceCharge<'a>>,
}

#[derive(Debug, Default)]
struct PartialAllowanceCharge<'a> {
    indicator: Option<Cow<'a, str>>,
    amount: Option<Cow<'a, str>>,
    percent: Option<Cow<'a, str>>,
    base: Option<Cow<'a, str>>,
    reason: Option<Cow<'a, str>>,
    reason_code: Option<Cow<'a, str>>,
}

fn located(text: Cow<'_, str>) -> Located<'_, Streamed> {
    Located { text, at: Streamed }
}

impl<'a> PartialLine<'a> {
    /// The line's fields, taken out (the line is empty again for the next one),
    /// `None` when one the model requires is absent.
    fn take(&mut self) -> Option<LineFields<'a, Streamed>> {
        let mut allowances_charges = Vec::with_capacity(self.allowances_charges.len());
        for ac in self.allowances_charges.drain(..) {
            allowances_charges.push(AllowanceChargeFields {
                indicator: located(ac.indicator?),
                amount: located(ac.amount?),
                percent: ac.percent.map(located),
                base: ac.base.map(located),
                reason: ac.reason,
                reason_code: ac.reason_code,
                vat: None,
            });
        }
        Some(LineFields {
            id: located(self.id.take()?),
            quantity: located(self.quantity.take()?),
            unit: self.unit.take().unwrap_or_default(),
            net: located(self.net.take()?),
            name: located(self.name.take()?),
            description: self.description.take(),
            vat: VatFields {
                category: located(self.vat_category.take()?),
                rate: self.vat_rate.take().map(located),
            },
            price: located(self.price.take()?),
            base_quantity: self.base_quantity.take().map(located),
            base_quantity_unit: self.base_quantity_unit.take(),
            gross: self.gross.take().map(located),
            price_discount: self.price_discount.take().map(located),
            allowances_charges,
            details: LineDetails::default(),
        })
    }

    fn set(&mut self, field: Field, text: Cow<'a, str>) {
        let slot = match field {
            Field::Id => &mut self.id,
            Field::Quantity => &mut self.quantity,
            Field::Net => &mut self.net,
            Field::Name => &mut self.name,
            Field::Description => &mut self.description,
            Field::VatCategory => &mut self.vat_category,
            Field::VatRate => &mut self.vat_rate,
            Field::Price => &mut self.price,
            Field::BaseQuantity => &mut self.base_quantity,
            Field::Gross => &mut self.gross,
            Field::PriceDiscount => &mut self.price_discount,
            Field::ChargeIndicator
            | Field::Amount
            | Field::Percent
            | Field::Base
            | Field::Reason
            | Field::ReasonCode => {
                let Some(ac) = self.allowances_charges.last_mut() else {
                    return;
                };
                match field {
                    Field::ChargeIndicator => &mut ac.indicator,
                    Field::Amount => &mut ac.amount,
                    Field::Percent => &mut ac.percent,
                    Field::Base => &mut ac.base,
                    Field::Reason => &mut ac.reason,
                    _ => &mut ac.reason_code,
                }
            }
        };
        *slot = Some(text);
    }
}

/// The text of an element, trimmed as the tree trims it, still borrowed when it was.
fn trimmed(text: Cow<'_, str>) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let solid = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    if solid(bytes.first()) && solid(bytes.last()) {
        // Nothing to trim: the common case, without `trim`'s Unicode tables.
        return text;
    }
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

/// Takes the lines of a document from the tree parser, as [`Subtrees`].
pub(crate) struct LineReader<'a, S> {
    syntax: S,
    /// The parts of the open elements of the current line, outermost first.
    open: Vec<Part>,
    /// How deep inside a skipped element the pass is (0: not in one).
    skipping: usize,
    /// What was seen of the parts read once per line, and per allowance or charge.
    seen: u32,
    seen_in_allowance_charge: u32,
    current: PartialLine<'a>,
    /// The text of the open value so far.
    text: Option<Cow<'a, str>>,
    lines: StreamedLines<'a>,
    declined: bool,
    /// The part of the start tag at each index of a line, as last derived (`None`
    /// inside a skipped element): what the tag at that index is in a line laid out as
    /// the one it was derived in, which the scanner tells.
    parts: Vec<Option<Part>>,
}

/// The lines the streaming pass read: in document order, `made` with each of `stated`
/// put in at its index. Kept apart so that the common document, whose lines are all
/// made as they close, hands its lines on without moving them again.
#[derive(Debug, Default)]
pub(crate) struct StreamedLines<'a> {
    /// Lines made into the model's lines already.
    made: Vec<LineItem>,
    /// Lines with allowances or charges, as stated, to be made once the document's
    /// minor units are known, each with its index among all the lines.
    stated: Vec<(usize, LineFields<'a, Streamed>)>,
}

impl StreamedLines<'_> {
    /// How many lines were read.
    fn len(&self) -> usize {
        self.made.len() + self.stated.len()
    }

    /// The model's lines, in document order, with the document's minor units `dp`.
    pub(crate) fn into_lines(self, dp: u32) -> Result<Vec<LineItem>> {
        if self.stated.is_empty() {
            return Ok(self.made);
        }
        let mut lines = Vec::with_capacity(self.len());
        let mut made = self.made.into_iter();
        for (at, fields) in self.stated {
            let before = at.saturating_sub(lines.len());
            lines.extend(made.by_ref().take(before));
            lines.push(fields.line(dp)?);
        }
        lines.extend(made);
        Ok(lines)
    }
}

impl<'a, S: LineSyntax> LineReader<'a, S> {
    /// A pass over the lines `syntax` lays out, none read yet.
    pub(crate) fn new(syntax: S) -> Self {
        Self {
            syntax,
            open: Vec::with_capacity(8),
            skipping: 0,
            seen: 0,
            seen_in_allowance_charge: 0,
            current: PartialLine::default(),
            text: None,
            lines: StreamedLines::default(),
            declined: false,
            parts: Vec::new(),
        }
    }

    /// Remembers what the start tag at `index` of this line is.
    fn remember(&mut self, index: usize, part: Option<Part>) {
        if self.parts.len() <= index {
            self.parts.resize(index + 1, None);
        }
        if let Some(slot) = self.parts.get_mut(index) {
            *slot = part;
        }
    }

    /// What `tag`, a child of `parent`, is: as the tag at its index was before when the
    /// line is laid out as before, else as the syntax says.
    fn part_of(&mut self, parent: Part, tag: &StartTag<'a>) -> Part {
        let position = tag.position();
        if let Some(Position {
            index,
            as_before: true,
        }) = position
        {
            if let Some(&Some(part)) = self.parts.get(index) {
                return part;
            }
        }
        let part = self.syntax.child(parent, tag.local_name().as_bytes());
        if let Some(position) = position {
            self.remember(position.index, Some(part));
        }
        part
    }

    /// The lines read, `None` when the pass declined the document.
    pub(crate) fn into_lines(self) -> Option<StreamedLines<'a>> {
        (!self.declined).then_some(self.lines)
    }
}

impl<'a, S: LineSyntax> Subtrees<'a> for LineReader<'a, S> {
    /// What is left without the lines: a few hundred elements, however long the
    /// document (the tree grows where it has more).
    fn tree_elements(&self, _: usize) -> usize {
        512
    }

    fn claims(&mut self, parent: El<'_, 'a>, local: &[u8]) -> bool {
        // Once declined, the document is read again as a tree: the rest of the lines
        // may as well go into this one.
        !self.declined && self.syntax.is_line(parent, local)
    }

    fn open(&mut self, tag: &StartTag<'a>) {
        if self.declined {
            return;
        }
        if self.skipping > 0 {
            self.skipping += 1;
            if let Some(position) = tag.position().filter(|p| !p.as_before) {
                self.remember(position.index, None);
            }
            return;
        }
        let part = match self.open.last() {
            None => {
                self.seen = 0;
                Part::Line
            }
            // The tree keeps no text for an element with children.
            Some(Part::Value(_)) => {
                self.declined = true;
                return;
            }
            Some(&parent) => self.part_of(parent, tag),
        };
        if let Some(bit) = part.seen_bit() {
            let seen = if part.in_allowance_charge() {
                &mut self.seen_in_allowance_charge
            } else {
                &mut self.seen
            };
            if *seen & bit != 0 {
                self.declined = true;
                return;
            }
            *seen |= bit;
        }
        match part {
            Part::Skipped => {
                self.skipping = 1;
                return;
            }
            Part::Declined => {
                self.declined = true;
                return;
            }
            Part::AllowanceCharge => {
                self.seen_in_allowance_charge = 0;
                self.current
                    .allowances_charges
                    .push(PartialAllowanceCharge::default());
            }
            Part::Value(field) => {
                self.text = None;
                if matches!(field, Field::Quantity | Field::BaseQuantity) {
                    match tag.attribute("unitCode") {
                        Some(unit) => {
                            let unit = unit.map(|unit| trimmed(unit.into()));
                            if field == Field::Quantity {
                                self.current.unit = unit;
                            } else {
                                self.current.base_quantity_unit = unit;
                            }
                        }
                        // Attributes the scanner did not check are read by the tree.
                        None => {
                            self.declined = true;
                            return;
                        }
                    }
                }
            }
            Part::Line | Part::Group(_) | Part::AllowanceChargeGroup(_) => {}
        }
        self.open.push(part);
    }

    fn keeps_text(&self) -> bool {
        !self.declined && self.skipping == 0 && matches!(self.open.last(), Some(Part::Value(_)))
    }

    fn text(&mut self, text: Cow<'a, str>) {
        if self.keeps_text() {
            match &mut self.text {
                None => self.text = Some(text),
                Some(Cow::Owned(so_far)) => so_far.push_str(&text),
                Some(Cow::Borrowed(so_far)) => {
                    // Text around references comes in pieces: room for a few more.
                    let mut joined = String::with_capacity(2 * (so_far.len() + text.len()));
                    joined.push_str(so_far);
                    joined.push_str(&text);
                    self.text = Some(Cow::Owned(joined));
                }
            }
        }
    }

    fn close(&mut self) {
        if self.declined {
            return;
        }
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        match self.open.pop() {
            Some(Part::Value(field)) => {
                let text = trimmed(self.text.take().unwrap_or_default());
                self.current.set(field, text);
            }
            Some(Part::Line) => match self.current.take() {
                // Only a line's allowances and charges need the document's minor units
                // (their default base): a line without them is made now.
                Some(fields) if fields.allowances_charges.is_empty() => match fields.line(0) {
                    Ok(line) => self.lines.made.push(line),
                    Err(_) => self.declined = true,
                },
                Some(fields) => {
                    let at = self.lines.len();
                    self.lines.stated.push((at, fields));
                }
                None => self.declined = true,
            },
            _ => {}
        }
    }

    fn decline(&mut self) {
        self.declined = true;
    }
}

/// A syntax as the readers share it: where its lines stand and how the rest of a
/// document becomes an invoice.
pub(crate) trait DocumentSyntax {
    /// Where the lines stand and what the streaming pass reads of them.
    type Lines: LineSyntax + Default;

    /// The invoice in `doc`, with the lines `streamed` when the streaming pass read
    /// them, else read from the tree.
    fn read_document<'a>(
        doc: &Doc<'a>,
        options: &ImportOptions,
        streamed: Option<StreamedLines<'a>>,
    ) -> Result<Invoice>;

    /// Elements the model derives rather than keeps (document totals, breakdown sums,
    /// fixed codes), as the local names at the end of their path (`TaxTotal/TaxAmount`),
    /// `*` standing for every child (`LegalMonetaryTotal/*`): not reading them loses
    /// nothing, so they are not reported as unmapped.
    const DERIVED: &'static [&'static str];
}

/// Whether the local names at the end of `el`'s path are those of `pattern`
/// (`Price/AllowanceCharge/Amount`), where a last name `*` matches any element.
fn ends_with(el: El<'_, '_>, pattern: &str) -> bool {
    let mut current = Some(el);
    for (i, name) in pattern.rsplit('/').enumerate() {
        match current {
            Some(e) if (i == 0 && name == "*") || e.local_name() == name => {
                current = e.parent();
            }
            _ => return false,
        }
    }
    true
}

/// Reads `text` as a tree, recording which elements the reader looked at; every element
/// it did not (and the model does not derive) becomes an [`ImportWarning::Unmapped`].
pub(crate) fn read_reporting<D: DocumentSyntax>(
    text: &str,
    options: &ImportOptions,
) -> Result<Imported> {
    let mut doc = Doc::parse(text, options.limits())?;
    doc.track_visits();
    let invoice = D::read_document(&doc, options, None)?;
    let warnings = doc
        .unvisited()
        .into_iter()
        .filter(|el| !D::DERIVED.iter().any(|pattern| ends_with(*el, pattern)))
        .map(|el| ImportWarning::Unmapped { path: el.path() })
        .collect();
    Ok(Imported { invoice, warnings })
}

/// Reads `text` with its lines taken by the streaming pass and the rest from an element
/// tree; when the pass declines or anything fails, reads it again whole as a tree,
/// whose result is then the reader's: the same invoice, or the error with its path.
pub(crate) fn read_document_text<D: DocumentSyntax>(
    text: &str,
    options: &ImportOptions,
) -> Result<Invoice> {
    match read_streamed::<D>(text, options) {
        Some(invoice) => Ok(invoice),
        None => read_tree::<D>(text, options),
    }
}

/// The invoice when the streaming pass takes the document and nothing fails.
pub(crate) fn read_streamed<D: DocumentSyntax>(
    text: &str,
    options: &ImportOptions,
) -> Option<Invoice> {
    let mut lines = LineReader::new(D::Lines::default());
    let doc = Doc::parse_handing_over(text, options.limits(), &mut lines).ok()?;
    D::read_document(&doc, options, Some(lines.into_lines()?)).ok()
}

/// The reference: the whole document read as a tree.
pub(crate) fn read_tree<D: DocumentSyntax>(text: &str, options: &ImportOptions) -> Result<Invoice> {
    D::read_document(&Doc::parse(text, options.limits())?, options, None)
}

/// A document's lines with its minor units `dp`: those the streaming pass read, else
/// those of the tree, read by `line`.
pub(crate) fn document_lines<'d, 'a, L: super::fields::Locate + 'd>(
    streamed: Option<StreamedLines<'a>>,
    tree: impl Iterator<Item = Result<LineFields<'d, L>>>,
    dp: u32,
) -> Result<Vec<LineItem>> {
    match streamed {
        Some(streamed) => streamed.into_lines(dp),
        None => tree.map(|fields| fields?.line(dp)).collect(),
    }
}
