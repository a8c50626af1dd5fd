//! What the UBL and CII modules share: read limits, a small element tree built from
//! quick-xml's pull parser with those limits, typed value helpers that name the path of
//! the bad element, and the writer (in `writer`), which escapes every value.

use std::borrow::Cow;
use std::io::Read;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use crate::error::{BoxError, Error, Result};

mod writer;

pub(crate) use writer::XmlWriter;

/// Limits a reader enforces on untrusted input.
///
/// The defaults take the largest official example (3.3 MB, an embedded PDF) with room
/// to spare: 32 MiB, nesting depth 64 (UBL needs about 10), one million elements.
///
/// # Examples
///
/// ```
/// use invoice_export::ReadLimits;
///
/// let strict = ReadLimits::new().with_max_bytes(1 << 20).with_max_depth(32);
/// assert_eq!(strict.max_bytes(), 1 << 20);
/// assert_eq!(ReadLimits::default().max_depth(), 64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReadLimits {
    max_bytes: usize,
    max_depth: usize,
    max_elements: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl ReadLimits {
    /// The default limits: 32 MiB, depth 64, one million elements.
    pub const fn new() -> Self {
        Self {
            max_bytes: 32 << 20,
            max_depth: 64,
            max_elements: 1_000_000,
        }
    }

    /// Sets the largest input accepted, in bytes.
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the deepest element nesting accepted.
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets the largest number of elements accepted.
    pub const fn with_max_elements(mut self, max_elements: usize) -> Self {
        self.max_elements = max_elements;
        self
    }

    /// The largest input accepted, in bytes.
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The deepest element nesting accepted.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The largest number of elements accepted.
    pub const fn max_elements(&self) -> usize {
        self.max_elements
    }
}

/// Reads at most `limits.max_bytes` from `input` and checks it is UTF-8.
pub(crate) fn read_input<R: Read>(input: R, limits: &ReadLimits) -> Result<String> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limits.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    input.take(cap).read_to_end(&mut bytes)?;
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_bytes,
        });
    }
    // A UTF-8 byte-order mark is allowed and dropped.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| Error::InvalidValue {
        path: "/".to_owned(),
        value: String::new(),
        reason: format!("the document is not UTF-8: {e}"),
    })
}

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
}

/// `part` as a slice of `input` when it points into it (the slice reader hands out
/// names that borrow the input): saves an allocation per element.
fn borrow_from<'a>(input: &'a str, part: &[u8]) -> Option<&'a str> {
    let start = (part.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    input.get(start..end)
}

/// Where the local part of a qualified name starts: after its last `:`. A byte loop,
/// because names are short and a general reverse search costs more than it saves.
#[inline]
fn local_start(name: &str) -> usize {
    name.bytes().rposition(|b| b == b':').map_or(0, |i| i + 1)
}

fn local(name: &str) -> &str {
    name.get(local_start(name)..).unwrap_or(name)
}

fn malformed(path: String, e: impl Into<BoxError>) -> Error {
    Error::Malformed {
        path,
        source: e.into(),
    }
}

impl<'a> Doc<'a> {
    /// Parses `input`, refusing DTDs, undefined entities and anything past `limits`.
    pub(crate) fn parse(input: &'a str, limits: &ReadLimits) -> Result<Doc<'a>> {
        let mut reader = quick_xml::Reader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        // About one element per 40 bytes in pretty-printed UBL and CII: reserving that
        // up front saves the copies of a growing arena.
        let mut doc = Doc {
            nodes: Vec::with_capacity((input.len() / 40).min(limits.max_elements)),
            attrs: Vec::with_capacity(input.len() / 200),
        };
        // Open elements, innermost last.
        let mut stack: Vec<usize> = Vec::new();
        let mut root_closed = false;
        loop {
            let event = reader.read_event().map_err(|e| {
                let path = stack
                    .last()
                    .map_or_else(|| "/".to_owned(), |&n| doc.path(n));
                malformed(path, e)
            })?;
            match event {
                Event::Start(start) | Event::Empty(start) if root_closed => {
                    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                    return Err(malformed(format!("/{name}"), "more than one root element"));
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
                Event::Text(text) => {
                    let path = || {
                        stack
                            .last()
                            .map_or_else(|| "/".to_owned(), |&n| doc.path(n))
                    };
                    // Text without CR needs no end-of-line normalization: it is the input
                    // itself, already checked to be UTF-8.
                    let raw: &[u8] = &text;
                    let content = match borrow_from(input, raw).filter(|t| !t.contains('\r')) {
                        Some(borrowed) => Cow::Borrowed(borrowed),
                        None => text.xml10_content().map_err(|e| malformed(path(), e))?,
                    };
                    match stack.last() {
                        Some(&n) => doc.push_text(n, content),
                        None if content.trim().is_empty() => {}
                        None => return Err(malformed(path(), "text outside the root element")),
                    }
                }
                Event::CData(data) => {
                    let path = || {
                        stack
                            .last()
                            .map_or_else(|| "/".to_owned(), |&n| doc.path(n))
                    };
                    let content = data.decode().map_err(|e| malformed(path(), e))?;
                    match stack.last() {
                        Some(&n) => doc.push_text(n, content),
                        None => return Err(malformed(path(), "CDATA outside the root element")),
                    }
                }
                Event::GeneralRef(reference) => {
                    let path = || {
                        stack
                            .last()
                            .map_or_else(|| "/".to_owned(), |&n| doc.path(n))
                    };
                    let resolved: Cow<'a, str> = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => Cow::Owned(ch.to_string()),
                        Ok(None) => {
                            let name = reference.decode().map_err(|e| malformed(path(), e))?;
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(text) => Cow::Borrowed(text),
                                None => {
                                    return Err(malformed(
                                        path(),
                                        format!("undefined entity &{name};"),
                                    ))
                                }
                            }
                        }
                        Err(e) => return Err(malformed(path(), e)),
                    };
                    match stack.last() {
                        Some(&n) => doc.push_text(n, resolved),
                        None => {
                            return Err(malformed(path(), "reference outside the root element"))
                        }
                    }
                }
                Event::DocType(_) => return Err(Error::DocTypeNotAllowed),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            let path = stack
                .last()
                .map_or_else(|| "/".to_owned(), |&n| doc.path(n));
            return Err(malformed(path, "unexpected end of document"));
        }
        if doc.nodes.is_empty() {
            return Err(malformed("/".to_owned(), "no root element"));
        }
        Ok(doc)
    }

    fn open(
        &mut self,
        input: &'a str,
        start: &BytesStart<'_>,
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
        if self.nodes.len() >= limits.max_elements {
            return Err(Error::TooManyElements {
                limit: limits.max_elements,
            });
        }
        let id = self.nodes.len();
        let parent = stack.last().copied().unwrap_or(NONE);
        let attrs_start = self.attrs.len();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(format!("{}/{name}", parent_path(self)), e))?;
            let raw_key = attr.key.into_inner();
            let key = match borrow_from(input, raw_key) {
                Some(key) => Cow::Borrowed(key),
                None => Cow::Owned(
                    std::str::from_utf8(raw_key)
                        .map_err(|e| malformed(format!("{}/{name}", parent_path(self)), e))?
                        .to_owned(),
                ),
            };
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| malformed(format!("{}/{name}/@{key}", parent_path(self)), e))?;
            let value = match &value {
                Cow::Borrowed(v) => borrow_from(input, v.as_bytes()).map(Cow::Borrowed),
                Cow::Owned(_) => None,
            }
            .unwrap_or_else(|| Cow::Owned(value.into_owned()));
            self.attrs.push((key, value));
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
}

/// A cursor on one element of a [`Doc`], with lookups by qualified name that match the
/// local part (prefixes vary between documents) and report paths on failure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct El<'d, 'a> {
    doc: &'d Doc<'a>,
    id: usize,
}

impl<'d, 'a> El<'d, 'a> {
    fn node(&self) -> Option<&'d Node<'a>> {
        self.doc.nodes.get(self.id)
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
            .find(|(k, _)| !k.starts_with("xmlns") && local(k) == name)
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

    /// A child's decimal that must be there.
    pub(crate) fn req_decimal(&self, qname: &'static str) -> Result<Decimal> {
        let child = self.req(qname)?;
        if child.text().is_empty() {
            return Err(Error::Missing { path: child.path() });
        }
        child.decimal()
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
    }

    #[test]
    fn paths_count_siblings_of_the_same_name() {
        let doc = Doc::parse(
            "<r><l><v>1</v></l><x/><l><v>2</v></l><l><v>oops</v></l></r>",
            &ReadLimits::new(),
        )
        .unwrap();
        let third = doc.root().children("l").nth(2).unwrap();
        let err = third.req_decimal("v").unwrap_err();
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
