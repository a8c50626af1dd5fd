//! The element tree: a document parsed with limits into nodes that borrow the input,
//! and cursors on it whose lookups name the path of what is missing or invalid.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::BufRead as _;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use super::scan::{resolve_references, resolve_text, LineTemplate, Scanner, StartTag, Token};
use super::{
    attributes, borrow_from, event_text, is_attribute, local, local_start, malformed, ReadLimits,
};
use crate::error::{BoxError, Error, Result};

/// One element of the tree: names borrow the input, text borrows it when it can.
#[derive(Debug)]
struct Node<'a> {
    /// The name as written, with its prefix (`cbc:ID`).
    name: Cow<'a, str>,
    /// Where the local part of `name` starts.
    local_start: usize,
    parent: usize,
    // Children as a linked list, so that building the tree allocates nothing per node.
    first_child: usize,
    last_child: usize,
    previous_sibling: usize,
    next_sibling: usize,
    /// This node's attributes: `Doc::attrs[attrs.0..attrs.1]`.
    attrs: (usize, usize),
    text: Cow<'a, str>,
}

/// No node: the "null" index of the linked lists.
const NONE: usize = usize::MAX;

impl Node<'_> {
    fn local_name(&self) -> &str {
        self.name.get(self.local_start..).unwrap_or_default()
    }
}

/// An element tree, parsed with limits and without any entity expansion.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Elements handed over to a [`Subtrees`] instead of added: they count against
    /// the element limit all the same.
    handed_over: usize,
    /// With [`Doc::track_visits`]: per element, whether a lookup has returned it.
    visits: Option<Vec<Cell<bool>>>,
}

/// What takes over subtrees of a document while the rest becomes an element tree: a
/// streaming reader for the parts of a document that repeat (invoice lines), which
/// would otherwise make up most of the tree.
pub(crate) trait Subtrees<'a> {
    /// About how many elements of a document of `input_len` bytes the tree will hold.
    fn tree_elements(&self, input_len: usize) -> usize;

    /// Whether the element with local name `local`, a child of `parent`, is handed
    /// over (with everything in it) instead of added to the tree.
    fn claims(&mut self, parent: El<'_, 'a>, local: &[u8]) -> bool;

    /// An element of a claimed subtree opens; the claimed element itself comes first.
    fn open(&mut self, tag: &StartTag<'a>);

    /// Whether the innermost open element of a claimed subtree keeps its text: plain
    /// text is neither decoded nor handed over where it does not (indentation).
    /// References and CDATA always are, so that an undefined entity is an error
    /// wherever it stands.
    fn keeps_text(&self) -> bool;

    /// Text in the innermost open element of a claimed subtree.
    fn text(&mut self, text: Cow<'a, str>);

    /// The innermost open element of a claimed subtree closes.
    fn close(&mut self);

    /// The subtree being handed over is not plain enough for the scanner: the parser
    /// reads the rest of it, and whatever takes it must no longer rely on what it was
    /// handed, since the elements may come again.
    fn decline(&mut self);
}

/// Claims nothing: the whole document becomes the tree.
struct NoSubtrees;

impl<'a> Subtrees<'a> for NoSubtrees {
    /// About one element per 40 bytes in pretty-printed UBL and CII.
    fn tree_elements(&self, input_len: usize) -> usize {
        input_len / 40
    }
    fn claims(&mut self, _: El<'_, 'a>, _: &[u8]) -> bool {
        false
    }
    fn open(&mut self, _: &StartTag<'a>) {}
    fn keeps_text(&self) -> bool {
        false
    }
    fn text(&mut self, _: Cow<'a, str>) {}
    fn close(&mut self) {}
    fn decline(&mut self) {}
}

/// A start tag the parser read, for a [`Subtrees`]: its attributes unchecked.
fn parsed_tag<'a>(input: &'a str, start: &BytesStart<'a>) -> StartTag<'a> {
    // Names of a reader over a `&str` are slices of it.
    StartTag::unchecked(borrow_from(input, start.name().into_inner()).unwrap_or_default())
}

impl<'a> Doc<'a> {
    /// Parses `input`, refusing DTDs, undefined entities and anything past `limits`.
    pub(crate) fn parse(input: &'a str, limits: &ReadLimits) -> Result<Doc<'a>> {
        Self::parse_handing_over(input, limits, &mut NoSubtrees)
    }

    /// Parses `input` as [`parse`](Self::parse) does, except that the subtrees
    /// `subtrees` claims are handed to it event by event instead of being added to the
    /// tree. The same limits apply to them and they must be as well formed; an error in
    /// one names the path of the claimed element's parent.
    pub(crate) fn parse_handing_over<S: Subtrees<'a>>(
        input: &'a str,
        limits: &ReadLimits,
        subtrees: &mut S,
    ) -> Result<Doc<'a>> {
        let mut reader = quick_xml::Reader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        // Reserving the tree up front saves the copies of a growing arena.
        let elements = subtrees.tree_elements(input.len()).min(limits.max_elements);
        let mut doc = Doc {
            nodes: Vec::with_capacity(elements),
            attrs: Vec::with_capacity(elements / 5),
            handed_over: 0,
            visits: None,
        };
        // Open elements, innermost last.
        let mut stack: Vec<usize> = Vec::new();
        // The start tags of the last subtree scanned, expected in the next.
        let mut template = LineTemplate::default();
        let mut root_closed = false;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| doc.malformed_in(&stack, e))?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(start) | Event::Empty(start) if root_closed => {
                    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                    return Err(malformed(format!("/{name}"), "more than one root element"));
                }
                Event::Start(start) | Event::Empty(start)
                    if stack.last().is_some_and(|&parent| {
                        subtrees.claims(doc.element(parent), start.local_name().into_inner())
                    }) =>
                {
                    doc.hand_over(
                        input,
                        &mut reader,
                        (start, empty),
                        &stack,
                        limits,
                        subtrees,
                        &mut template,
                    )?;
                }
                Event::Start(start) => {
                    let id = doc.open(input, &start, &stack, limits)?;
                    stack.push(id);
                }
                Event::Empty(start) => {
                    doc.open(input, &start, &stack, limits)?;
                    if stack.is_empty() {
                        root_closed = true;
                    }
                }
                Event::End(_) => {
                    stack.pop();
                    if stack.is_empty() {
                        root_closed = true;
                    }
                }
                // Indentation between elements: an element with children keeps no text.
                Event::Text(_)
                    if stack
                        .last()
                        .and_then(|&n| doc.nodes.get(n))
                        .is_some_and(|n| n.first_child != NONE) => {}
                Event::DocType(_) => return Err(Error::DocTypeNotAllowed),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    let content = match event_text(input, &event) {
                        Some(content) => content.map_err(|e| doc.malformed_in(&stack, e))?,
                        None => continue,
                    };
                    match stack.last() {
                        Some(&n) => doc.push_text(n, content),
                        None if matches!(event, Event::Text(_)) && content.trim().is_empty() => {}
                        None => {
                            return Err(doc.malformed_in(&stack, "content outside the root element"))
                        }
                    }
                }
            }
        }
        if !stack.is_empty() {
            return Err(doc.malformed_in(&stack, "unexpected end of document"));
        }
        if doc.nodes.is_empty() {
            return Err(malformed("/".to_owned(), "no root element"));
        }
        Ok(doc)
    }

    /// An [`Error::Malformed`] at the innermost open element.
    fn malformed_in(&self, stack: &[usize], e: impl Into<BoxError>) -> Error {
        let path = stack
            .last()
            .map_or_else(|| "/".to_owned(), |&n| self.path(n));
        malformed(path, e)
    }

    /// The path of the innermost open element, `""` before the root.
    fn open_path(&self, stack: &[usize]) -> String {
        stack.last().map_or_else(String::new, |&n| self.path(n))
    }

    /// Hands the subtree opened by `start` (which closes itself when `empty`) to
    /// `subtrees`, event by event, up to and including its end, under the limits of the
    /// tree: read by the [`Scanner`] when it is plain XML, else by the parser (and then
    /// declined by `subtrees`).
    #[allow(clippy::too_many_arguments)]
    fn hand_over<S: Subtrees<'a>>(
        &mut self,
        input: &'a str,
        reader: &mut quick_xml::Reader<&'a [u8]>,
        (start, empty): (BytesStart<'a>, bool),
        stack: &[usize],
        limits: &ReadLimits,
        subtrees: &mut S,
        template: &mut LineTemplate<'a>,
    ) -> Result<()> {
        let outer = borrow_from(input, start.name().into_inner()).unwrap_or_default();
        self.open_handed_over(&StartTag::unchecked(outer), 0, stack, limits, subtrees)?;
        // The tree would refuse malformed attributes: whatever takes the subtree may
        // not rely on it then.
        if attributes(input, &start).any(|attribute| attribute.is_err()) {
            subtrees.decline();
        }
        if empty {
            subtrees.close();
            return Ok(());
        }
        let content_from = input.len() - reader.get_ref().len();
        let mut scanner = Scanner::new(input, content_from, outer, template);
        let scanned = self.scan_handed_over(&mut scanner, stack, limits, subtrees)?;
        if let Some(end_tag) = scanned {
            // The parser goes on at the subtree's end tag, which it checks against the
            // start tag it read.
            reader.stream().consume(end_tag - content_from);
            return match reader.read_event() {
                Ok(Event::End(_)) => {
                    subtrees.close();
                    Ok(())
                }
                Ok(_) => Err(self.malformed_in(stack, "the scanner lost its place")),
                Err(e) => Err(self.malformed_in(stack, e)),
            };
        }
        // Depth of the open elements of the subtree, its root included.
        let mut depth = 1;
        loop {
            // Matched as returned: every move of an event costs in this loop.
            match reader.read_event() {
                Ok(Event::Start(start)) => {
                    let tag = parsed_tag(input, &start);
                    self.open_handed_over(&tag, depth, stack, limits, subtrees)?;
                    depth += 1;
                }
                // Text read from a `&str` always decodes: skipping it loses no error.
                Ok(Event::Text(_)) if !subtrees.keeps_text() => {}
                Ok(Event::End(_)) => {
                    subtrees.close();
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ok(Event::Empty(start)) => {
                    let tag = parsed_tag(input, &start);
                    self.open_handed_over(&tag, depth, stack, limits, subtrees)?;
                    subtrees.close();
                }
                Ok(event @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_))) => {
                    if let Some(content) = event_text(input, &event) {
                        subtrees.text(content.map_err(|e| self.malformed_in(stack, e))?);
                    }
                }
                Ok(Event::DocType(_)) => return Err(Error::DocTypeNotAllowed),
                Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => {}
                Ok(Event::Eof) => {
                    return Err(self.malformed_in(stack, "unexpected end of document"))
                }
                Err(e) => return Err(self.malformed_in(stack, e)),
            }
        }
    }

    /// Hands the content of a claimed element to `subtrees` as `scanner` reads it.
    /// `Some` position of the element's end tag when the scanner read all of it; `None`
    /// when it stopped short, and then `subtrees` has declined and the elements it was
    /// handed are counted no more.
    fn scan_handed_over<S: Subtrees<'a>>(
        &mut self,
        scanner: &mut Scanner<'a, '_>,
        stack: &[usize],
        limits: &ReadLimits,
        subtrees: &mut S,
    ) -> Result<Option<usize>> {
        let handed_over = self.handed_over;
        while let Some(token) = scanner.next_token() {
            match token {
                Token::Text { text, plain: true } => {
                    if subtrees.keeps_text() {
                        subtrees.text(Cow::Borrowed(text));
                    }
                }
                Token::Text { text, .. } if subtrees.keeps_text() => match resolve_text(text) {
                    Some(text) => subtrees.text(text),
                    None => break,
                },
                Token::Text { text, .. } => {
                    if resolve_references(text).is_none() {
                        break;
                    }
                }
                Token::Open { tag, empty } => {
                    // The depth below the claimed element, counting this one.
                    let depth = scanner.depth() + usize::from(empty);
                    self.open_handed_over(&tag, depth, stack, limits, subtrees)?;
                    if empty {
                        subtrees.close();
                    }
                }
                Token::Close => subtrees.close(),
                Token::End { at } => return Ok(Some(at)),
            }
        }
        self.handed_over = handed_over;
        subtrees.decline();
        Ok(None)
    }

    /// Checks the limits for an element opened in a handed-over subtree at `depth`
    /// below the innermost element of `stack`, and hands it over.
    fn open_handed_over<S: Subtrees<'a>>(
        &mut self,
        tag: &StartTag<'a>,
        depth: usize,
        stack: &[usize],
        limits: &ReadLimits,
        subtrees: &mut S,
    ) -> Result<()> {
        if stack.len() + depth >= limits.max_depth {
            return Err(Error::TooDeep {
                limit: limits.max_depth,
                path: format!("{}/{}", self.open_path(stack), tag.name()),
            });
        }
        if self.nodes.len() + self.handed_over >= limits.max_elements {
            return Err(Error::TooManyElements {
                limit: limits.max_elements,
            });
        }
        self.handed_over += 1;
        subtrees.open(tag);
        Ok(())
    }

    fn open(
        &mut self,
        input: &'a str,
        start: &BytesStart<'a>,
        stack: &[usize],
        limits: &ReadLimits,
    ) -> Result<usize> {
        let parent_path = |doc: &Self| stack.last().map_or_else(String::new, |&n| doc.path(n));
        let raw = start.name().into_inner();
        let name: Cow<'a, str> = match borrow_from(input, raw) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(
                std::str::from_utf8(raw)
                    .map_err(|e| malformed(parent_path(self), e))?
                    .to_owned(),
            ),
        };
        if stack.len() >= limits.max_depth {
            return Err(Error::TooDeep {
                limit: limits.max_depth,
                path: format!("{}/{name}", parent_path(self)),
            });
        }
        if self.nodes.len() + self.handed_over >= limits.max_elements {
            return Err(Error::TooManyElements {
                limit: limits.max_elements,
            });
        }
        let id = self.nodes.len();
        let parent = stack.last().copied().unwrap_or(NONE);
        let attrs_start = self.attrs.len();
        for attr in attributes(input, start) {
            let attr = attr.map_err(|(key, e)| {
                let path = format!("{}/{name}", parent_path(self));
                match key {
                    Some(key) => malformed(format!("{path}/@{key}"), e),
                    None => malformed(path, e),
                }
            })?;
            self.attrs.push(attr);
        }
        let local_start = local_start(&name);
        let previous_sibling = self.nodes.get(parent).map_or(NONE, |p| p.last_child);
        self.nodes.push(Node {
            name,
            local_start,
            parent,
            first_child: NONE,
            last_child: NONE,
            previous_sibling,
            next_sibling: NONE,
            attrs: (attrs_start, self.attrs.len()),
            text: Cow::Borrowed(""),
        });
        if let Some(previous) = self.nodes.get_mut(previous_sibling) {
            previous.next_sibling = id;
        }
        if let Some(parent) = self.nodes.get_mut(parent) {
            if parent.first_child == NONE {
                parent.first_child = id;
            }
            parent.last_child = id;
            // An element with children has no text of its own worth keeping (the
            // formats have no mixed content): indentation is dropped, not collected.
            parent.text = Cow::Borrowed("");
        }
        Ok(id)
    }

    fn push_text(&mut self, node: usize, content: Cow<'a, str>) {
        let Some(node) = self.nodes.get_mut(node) else {
            return;
        };
        if node.first_child != NONE {
            return;
        }
        let text = &mut node.text;
        if text.is_empty() {
            *text = content;
        } else {
            text.to_mut().push_str(&content);
        }
    }

    /// The path of node `id`, such as `/Invoice/cac:InvoiceLine[3]/cbc:ID`.
    pub(crate) fn path(&self, id: usize) -> String {
        let mut parts = Vec::new();
        let mut n = id;
        while let Some(node) = self.nodes.get(n) {
            parts.push((&*node.name, self.position(n)));
            n = node.parent;
        }
        let mut out = String::new();
        for (name, position) in parts.iter().rev() {
            out.push('/');
            out.push_str(name);
            if *position > 1 {
                out.push_str(&format!("[{position}]"));
            }
        }
        out
    }

    /// The 1-based position of node `id` among its parent's children of the same name.
    /// Counted only for error paths, so parsing does not pay for it.
    fn position(&self, id: usize) -> usize {
        let Some(node) = self.nodes.get(id) else {
            return 1;
        };
        let mut position = 1;
        let mut sibling = node.previous_sibling;
        while let Some(earlier) = self.nodes.get(sibling) {
            if earlier.name == node.name {
                position += 1;
            }
            sibling = earlier.previous_sibling;
        }
        position
    }

    /// The root element.
    pub(crate) fn root(&self) -> El<'_, 'a> {
        El { doc: self, id: 0 }
    }

    /// From now on, records which elements lookups ([`El::children`] and those built on
    /// it) return, for [`Doc::unvisited`]. The root counts as visited.
    pub(crate) fn track_visits(&mut self) {
        let visits: Vec<Cell<bool>> = (0..self.nodes.len()).map(|_| Cell::new(false)).collect();
        if let Some(root) = visits.first() {
            root.set(true);
        }
        self.visits = Some(visits);
    }

    fn visit(&self, id: usize) {
        if let Some(visit) = self.visits.as_ref().and_then(|v| v.get(id)) {
            visit.set(true);
        }
    }

    /// The elements no lookup returned although their parent's was, in document order
    /// (what is inside them is left out: the outermost one names it); empty unless
    /// visits are tracked.
    pub(crate) fn unvisited(&self) -> Vec<El<'_, 'a>> {
        let Some(visits) = &self.visits else {
            return Vec::new();
        };
        let visited = |id: usize| visits.get(id).is_some_and(Cell::get);
        (1..self.nodes.len())
            .filter(|&id| !visited(id) && visited(self.nodes[id].parent))
            .map(|id| self.element(id))
            .collect()
    }

    /// The element `id`.
    fn element(&self, id: usize) -> El<'_, 'a> {
        El { doc: self, id }
    }
}

/// A cursor on one element of a [`Doc`], with lookups by qualified name that match the
/// local part (prefixes vary between documents) and report paths on failure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct El<'d, 'a> {
    doc: &'d Doc<'a>,
    id: usize,
}

/// The same element of the same tree.
impl PartialEq for El<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

impl<'d, 'a> El<'d, 'a> {
    fn node(&self) -> Option<&'d Node<'a>> {
        self.doc.nodes.get(self.id)
    }

    /// Where the element stands in document order among those in the tree: the same
    /// index is the same element.
    #[cfg_attr(not(feature = "cii"), allow(dead_code))]
    pub(crate) fn index(&self) -> usize {
        self.id
    }

    /// The element this one is a child of, `None` for the root.
    pub(crate) fn parent(&self) -> Option<El<'d, 'a>> {
        let parent = self.node()?.parent;
        self.doc.nodes.get(parent).map(|_| El {
            doc: self.doc,
            id: parent,
        })
    }

    /// The name as written, with its prefix.
    pub(crate) fn name(&self) -> &'d str {
        self.node().map_or("", |n| &n.name)
    }

    /// The name without its prefix.
    pub(crate) fn local_name(&self) -> &'d str {
        self.node().map_or("", Node::local_name)
    }

    /// The path of this element.
    pub(crate) fn path(&self) -> String {
        self.doc.path(self.id)
    }

    /// The path a child named `qname` has or would have.
    pub(crate) fn child_path(&self, qname: &str) -> String {
        format!("{}/{qname}", self.path())
    }

    /// The text content, trimmed.
    pub(crate) fn text(&self) -> &'d str {
        self.node().map_or("", |n| n.text.trim())
    }

    /// The value of the attribute whose local name is `name` (namespace declarations
    /// excluded).
    pub(crate) fn attr(&self, name: &str) -> Option<&'d str> {
        self.attrs()
            .iter()
            .find(|(k, _)| is_attribute(k, name))
            .map(|(_, v)| v.trim())
    }

    fn attrs(&self) -> &'d [(Cow<'a, str>, Cow<'a, str>)] {
        self.node()
            .and_then(|n| self.doc.attrs.get(n.attrs.0..n.attrs.1))
            .unwrap_or_default()
    }

    /// The namespace URI bound to `prefix` on this element (`""` for the default one).
    pub(crate) fn namespace_declaration(&self, prefix: &str) -> Option<&'d str> {
        self.attrs()
            .iter()
            .find(|(k, _)| {
                if prefix.is_empty() {
                    k == "xmlns"
                } else {
                    k.strip_prefix("xmlns:") == Some(prefix)
                }
            })
            .map(|(_, v)| &**v)
    }

    /// Every child whose local name is that of `qname`, in document order.
    pub(crate) fn children(&self, qname: &'static str) -> impl Iterator<Item = El<'d, 'a>> + 'd {
        let doc = self.doc;
        let wanted = local(qname);
        let first = self.node().map_or(NONE, |n| n.first_child);
        std::iter::successors(doc.nodes.get(first).map(|n| (first, n)), move |(_, n)| {
            doc.nodes
                .get(n.next_sibling)
                .map(|next| (n.next_sibling, next))
        })
        .filter(move |(_, n)| n.local_name() == wanted)
        .map(move |(id, _)| {
            doc.visit(id);
            El { doc, id }
        })
    }

    /// Every child element, in document order. Unlike [`children`](Self::children),
    /// this does not count as reading them for the import warnings.
    pub(crate) fn child_elements(&self) -> impl Iterator<Item = El<'d, 'a>> + 'd {
        let doc = self.doc;
        let first = self.node().map_or(NONE, |n| n.first_child);
        std::iter::successors(doc.nodes.get(first).map(|n| (first, n)), move |(_, n)| {
            doc.nodes
                .get(n.next_sibling)
                .map(|next| (n.next_sibling, next))
        })
        .map(move |(id, _)| El { doc, id })
    }

    /// The first child named like `qname`.
    pub(crate) fn child(&self, qname: &'static str) -> Option<El<'d, 'a>> {
        self.children(qname).next()
    }

    /// The element at the end of a chain of first children.
    pub(crate) fn descend(&self, qnames: &[&'static str]) -> Option<El<'d, 'a>> {
        let mut el = *self;
        for qname in qnames {
            el = el.child(qname)?;
        }
        Some(el)
    }

    /// The first child named like `qname`, or [`Error::Missing`].
    pub(crate) fn req(&self, qname: &'static str) -> Result<El<'d, 'a>> {
        self.child(qname).ok_or_else(|| Error::Missing {
            path: self.child_path(qname),
        })
    }

    /// The trimmed text of a child, `None` when it is absent or empty.
    pub(crate) fn opt_text(&self, qname: &'static str) -> Option<&'d str> {
        self.child(qname)
            .map(|c| c.text())
            .filter(|t| !t.is_empty())
    }

    /// The trimmed text of a child that must be there and not be empty.
    #[cfg_attr(not(feature = "cii"), allow(dead_code))]
    pub(crate) fn req_text(&self, qname: &'static str) -> Result<&'d str> {
        let child = self.req(qname)?;
        let text = child.text();
        if text.is_empty() {
            Err(Error::Missing { path: child.path() })
        } else {
            Ok(text)
        }
    }

    /// An [`Error::InvalidValue`] at this element.
    pub(crate) fn invalid(&self, value: &str, reason: impl std::fmt::Display) -> Error {
        Error::InvalidValue {
            path: self.path(),
            value: value.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// This element's text as an exact decimal.
    pub(crate) fn decimal(&self) -> Result<Decimal> {
        let text = self.text();
        invoice_core::parse_decimal(text).map_err(|e| self.invalid(text, e))
    }

    /// A child's decimal, `None` when the child is absent or empty.
    pub(crate) fn opt_decimal(&self, qname: &'static str) -> Result<Option<Decimal>> {
        match self.child(qname) {
            Some(c) if !c.text().is_empty() => c.decimal().map(Some),
            _ => Ok(None),
        }
    }

    /// This element's text as a date in `format` (chrono syntax).
    pub(crate) fn date(&self, format: &str) -> Result<NaiveDate> {
        let text = self.text();
        NaiveDate::parse_from_str(text, format).map_err(|e| self.invalid(text, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{input_text, read_input};

    fn parse(input: &str) -> Result<String> {
        let doc = Doc::parse(input, &ReadLimits::new())?;
        Ok(doc.root().name().to_owned())
    }

    #[test]
    fn doctype_is_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Invoice>&lol2;</Invoice>"#;
        assert!(matches!(parse(bomb), Err(Error::DocTypeNotAllowed)));
        let xxe = r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;
        assert!(matches!(parse(xxe), Err(Error::DocTypeNotAllowed)));
    }

    #[test]
    fn undefined_entity_is_malformed_with_its_path() {
        let err = parse("<a><b>x&e;</b></a>").unwrap_err();
        match err {
            Error::Malformed { path, .. } => assert_eq!(path, "/a/b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn predefined_and_character_references_are_resolved() {
        let doc = Doc::parse("<a>x &amp; y &#x41;&#66; &lt;z&gt;</a>", &ReadLimits::new()).unwrap();
        assert_eq!(doc.root().text(), "x & y AB <z>");
    }

    #[test]
    fn limits_are_enforced() {
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(matches!(
            parse(&deep),
            Err(Error::TooDeep { limit: 64, .. })
        ));
        let many = format!("<a>{}</a>", "<b/>".repeat(50));
        let limits = ReadLimits::new().with_max_elements(10);
        assert!(matches!(
            Doc::parse(&many, &limits),
            Err(Error::TooManyElements { limit: 10 })
        ));
        let big = vec![b'x'; 100];
        assert!(matches!(
            read_input(big.as_slice(), &ReadLimits::new().with_max_bytes(99)),
            Err(Error::TooLarge { limit: 99 })
        ));
        assert!(matches!(
            input_text(&big, &ReadLimits::new().with_max_bytes(99)),
            Err(Error::TooLarge { limit: 99 })
        ));
        assert!(input_text(&big, &ReadLimits::new().with_max_bytes(100)).is_ok());
    }

    #[test]
    fn input_is_utf8_without_its_byte_order_mark_from_a_reader_or_a_slice() {
        let limits = ReadLimits::new();
        let marked = b"\xEF\xBB\xBF<a>\xC3\xBC</a>";
        assert_eq!(read_input(&marked[..], &limits).unwrap(), "<a>ü</a>");
        assert_eq!(input_text(marked, &limits).unwrap(), "<a>ü</a>");
        let latin1 = b"<a>\xFC</a>";
        for err in [
            read_input(&latin1[..], &limits).unwrap_err(),
            input_text(latin1, &limits).unwrap_err(),
        ] {
            assert!(err.to_string().contains("not UTF-8"), "{err}");
        }
    }

    #[test]
    fn paths_count_siblings_of_the_same_name() {
        let doc = Doc::parse(
            "<r><l><v>1</v></l><x/><l><v>2</v></l><l><v>oops</v></l></r>",
            &ReadLimits::new(),
        )
        .unwrap();
        let third = doc.root().children("l").nth(2).unwrap();
        let err = third.req("v").unwrap().decimal().unwrap_err();
        match err {
            Error::InvalidValue { path, value, .. } => {
                assert_eq!(path, "/r/l[3]/v");
                assert_eq!(value, "oops");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            third.req("w"),
            Err(Error::Missing { path }) if path == "/r/l[3]/w"
        ));
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        for bad in [
            "",
            "<",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "text",
            "<a x='1' x='2'/>",
            "<a>&#0;</a>",
            "<a>&#xFFFFFFFF;</a>",
            "<a><![CDATA[x</a>",
            "<?xml version='1.0'?>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
