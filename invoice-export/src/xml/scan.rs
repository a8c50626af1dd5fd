//! A scanner for the content of one element, over the plain subset of XML that invoice
//! lines are written in: elements with quoted attributes, text, and the five predefined
//! entities. Lines are most of a long document, and this subset can be read with far
//! less work per byte than a general parser's events take: no event per piece of
//! indentation, names found eight bytes at a time, end tags checked by one comparison.
//!
//! It never decides what a document means: whatever it does not take as plainly
//! well formed (a comment, CDATA, a character reference, an attribute it would have to
//! normalize, a mismatched or unterminated tag, anything odd) makes it stop and say so,
//! and the caller reads that part with the general parser instead.

use std::borrow::Cow;

/// A start tag as a reader of the subtree it opens sees it, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StartTag<'a> {
    /// The name as written, with its prefix (`cbc:ID`).
    name: &'a str,
    /// Where the local part of `name` starts: after its last `:`.
    local_start: usize,
    /// The attributes as written after the name, when the scanner has checked them to
    /// be plain (`key="value"`, each key once, no value the parser would normalize or
    /// resolve); `None` when it has not.
    plain_attributes: Option<&'a str>,
    /// Where the tag stands among the start tags of the scanned element, when the
    /// scanner read it.
    position: Option<Position>,
}

/// Where a start tag stands among those of a scanned element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// Its index: 0 for the first start tag inside the scanned element.
    pub(crate) index: usize,
    /// Whether this tag and every one before it in the scanned element are those of the
    /// [`LineTemplate`] (the same names at the same depths): then whatever a reader
    /// derived from the tag at this index in an earlier element holds for this one.
    pub(crate) as_before: bool,
}

/// The start tags of the elements scanned before, by their index: what the next
/// element's are expected to be. Invoice lines repeat one layout, so the scanner
/// compares each name with the one expected instead of looking for where it ends.
#[derive(Debug, Default)]
pub(crate) struct LineTemplate<'a> {
    tags: Vec<TemplateTag<'a>>,
}

/// A start tag of a [`LineTemplate`].
#[derive(Debug, Clone, Copy)]
struct TemplateTag<'a> {
    /// How many elements were open inside the scanned one, this one excluded.
    depth: usize,
    name: &'a str,
    local_start: usize,
}

impl<'a> StartTag<'a> {
    /// A start tag the scanner has not checked the attributes of.
    pub(crate) fn unchecked(name: &'a str) -> Self {
        Self {
            name,
            local_start: super::local_start(name),
            plain_attributes: None,
            position: None,
        }
    }

    /// Where the tag stands among the start tags of the scanned element, `None` for a
    /// tag the scanner did not read.
    pub(crate) fn position(&self) -> Option<Position> {
        self.position
    }

    /// The name as written, with its prefix.
    pub(crate) fn name(&self) -> &'a str {
        self.name
    }

    /// The name without its prefix.
    pub(crate) fn local_name(&self) -> &'a str {
        self.name.get(self.local_start..).unwrap_or_default()
    }

    /// The value of the attribute whose local name is `local` (namespace declarations
    /// excluded), `Some(None)` when there is none; `None` when the attributes were not
    /// checked to be plain, and so cannot be read here.
    pub(crate) fn attribute(&self, local: &str) -> Option<Option<&'a str>> {
        let mut rest = self.plain_attributes?;
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
            if rest.is_empty() {
                return Some(None);
            }
            let equals = rest.find('=')?;
            let key = rest.get(..equals)?;
            let quote = char::from(*rest.as_bytes().get(equals + 1)?);
            let value_and_rest = rest.get(equals + 2..)?;
            let end = value_and_rest.find(quote)?;
            if super::is_attribute(key, local) {
                return Some(value_and_rest.get(..end));
            }
            rest = value_and_rest.get(end + 1..)?;
        }
    }
}

/// One piece of markup or text, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A start tag (`empty`: one that closes itself).
    Open { tag: StartTag<'a>, empty: bool },
    /// The end tag of the innermost element open inside the scanned one.
    Close,
    /// The end tag of the scanned element itself, which starts at byte `at` of the
    /// input: the scanner has nothing more to read.
    End { at: usize },
    /// Text up to the next markup, as written; `plain` when it holds neither a
    /// reference (`&`) nor a carriage return, and so means what it says.
    Text { text: &'a str, plain: bool },
}

/// Takes the tokens of an element's content off the input; `None` where it stops (see
/// the module's documentation), after which it stays stopped. It keeps the names of
/// the elements open inside, so that every end tag is checked against its start tag.
#[derive(Debug)]
pub(crate) struct Scanner<'a, 't> {
    input: &'a str,
    pos: usize,
    /// The scanned element's name.
    outer: &'a str,
    /// The names of the elements open inside it, `open[..depth]`, innermost last.
    open: [&'a str; MAX_DEPTH],
    depth: usize,
    /// The start tags expected, kept up to date with those read.
    template: &'t mut LineTemplate<'a>,
    /// How many start tags were read.
    start_tags: usize,
}

/// How deep the scanner follows elements inside the scanned one before it stops
/// (invoice lines need 4).
const MAX_DEPTH: usize = 16;

/// The attributes a start tag may have for the scanner to take it: their names are
/// compared with each other, which is only cheap for a few.
const MAX_ATTRIBUTES: usize = 8;

/// XML's white space, as quick-xml delimits names with it.
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Bytes that end a name in a start tag.
#[inline]
fn ends_name(b: u8) -> bool {
    is_space(b) || b == b'/' || b == b'>'
}

/// Bytes the scanner does not take at the start of an element's name or in an
/// attribute's name: markup or quoting characters that a well-formed name never holds.
#[inline]
fn odd_in_name(b: u8) -> bool {
    matches!(b, b'<' | b'=' | b'"' | b'\'' | b'&')
}

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_le_bytes([1; 8]);

/// The high bit of every byte of a word.
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit set in the bytes of `word` that are below `n` (at most `0x80`): exactly
/// in the first such byte, perhaps also in bytes after it.
#[inline]
fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Where the first byte of `bytes` from `from` on that `matches` marks stands
/// (`bytes.len()` when none does), looked for eight bytes at a time. `matches` sets the
/// high bit of the bytes it is looking for in a word read little-endian: exactly in
/// the first one, the rest is ignored. `None` when `from` is past the end.
#[inline]
fn find_byte(bytes: &[u8], from: usize, matches: impl Fn(u64) -> u64) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut at = from;
    for chunk in words.by_ref() {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let marks = matches(word);
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let mut tail = [0u8; 8];
    let left = words.remainder();
    tail.get_mut(..left.len())?.copy_from_slice(left);
    let marks = matches(u64::from_le_bytes(tail));
    let found = (marks.trailing_zeros() / 8) as usize;
    Some(at + found.min(left.len()))
}

impl<'a, 't> Scanner<'a, 't> {
    /// A scanner over the content of the element named `outer` (its qualified name as
    /// written), which starts at byte `pos` of `input`, expecting the start tags of
    /// `template` and leaving its own there for the next element.
    pub(crate) fn new(
        input: &'a str,
        pos: usize,
        outer: &'a str,
        template: &'t mut LineTemplate<'a>,
    ) -> Self {
        Self {
            input,
            pos,
            outer,
            open: [""; MAX_DEPTH],
            depth: 0,
            template,
            start_tags: 0,
        }
    }

    /// How many elements are open inside the scanned one.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The next token, `None` when the scanner stops. Text that is only white space
    /// (the indentation between tags) is passed over: it means nothing to a reader
    /// that trims values, and it is most of the text of a pretty-printed document.
    #[inline]
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let from = self.pos;
        let mut i = from;
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if bytes.get(i) == Some(&b'<') {
            self.pos = i;
            return self.markup();
        }
        // A byte loop: values are short, where a vectorized search costs more to set
        // up than it saves.
        let mut plain = true;
        loop {
            match bytes.get(i) {
                Some(b'<') => break,
                Some(b'&' | b'\r') => plain = false,
                Some(_) => {}
                None => return self.stop(),
            }
            i += 1;
        }
        let text = self.input.get(from..i)?;
        self.pos = i;
        Some(Token::Text { text, plain })
    }

    /// Stops the scanner: every later call answers `None`.
    fn stop(&mut self) -> Option<Token<'a>> {
        self.halt();
        None
    }

    /// Stops the scanner, as [`stop`](Self::stop) does.
    fn halt(&mut self) {
        self.pos = self.input.len();
    }

    /// A tag at `self.pos`, which holds `<`.
    fn markup(&mut self) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let start = self.pos;
        match bytes.get(start + 1) {
            Some(b'/') => self.end_tag(start),
            Some(&b) if b != b'!' && b != b'?' && !ends_name(b) && !odd_in_name(b) => {
                self.start_tag(start)
            }
            _ => self.stop(),
        }
    }

    /// `</name>`, with white space allowed before the `>`, where `name` must be that
    /// of the innermost open element.
    fn end_tag(&mut self, start: usize) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let expected = match self.depth.checked_sub(1) {
            Some(innermost) => self.open.get(innermost).copied().unwrap_or_default(),
            None => self.outer,
        };
        let from = start + 2;
        let mut i = from + expected.len();
        if bytes.get(from..i) != Some(expected.as_bytes()) {
            return self.stop();
        }
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'>') {
            return self.stop();
        }
        self.pos = i + 1;
        match self.depth.checked_sub(1) {
            Some(depth) => {
                self.depth = depth;
                Some(Token::Close)
            }
            None => Some(Token::End { at: start }),
        }
    }

    /// The name of a start tag from `from` on: where its local part starts and where
    /// it ends; `None` (and the scanner stopped) when it is not plainly a name.
    fn name(&mut self, from: usize) -> Option<(usize, usize)> {
        let bytes = self.input.as_bytes();
        // The name ends at white space, `/` or `>`, as the parser's does; a quote or
        // another control character in it stops the scanner: the parser looks for the
        // tag's `>` outside quotes, so a quote would change where the tag ends.
        let mut local_from = from;
        let mut i = from;
        loop {
            // Every byte that ends a name or matters in it is below `?`; letters, of which
            // names are mostly made, are not: one comparison per word finds candidates.
            let Some(found) = find_byte(bytes, i, |word| bytes_below(word, b'?')) else {
                self.halt();
                return None;
            };
            i = found;
            match bytes.get(i) {
                Some(b':') => local_from = i + 1,
                Some(&b) if ends_name(b) => return Some((local_from, i)),
                // A quote would change where the parser ends the tag; other control
                // characters are left to it.
                Some(&b) if b < 0x21 || b == b'"' || b == b'\'' => {
                    self.halt();
                    return None;
                }
                Some(_) => {}
                None => {
                    self.halt();
                    return None;
                }
            }
            i += 1;
        }
    }

    /// `<name attr="value" ...>` or `<name .../>`.
    fn start_tag(&mut self, start: usize) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let name_from = start + 1;
        let index = self.start_tags;
        self.start_tags += 1;
        // The name expected here, at this depth, if it is there: it was checked when
        // it was first read, and the same bytes check the same.
        let expected = self.template.tags.get(index).filter(|tag| {
            let end = name_from + tag.name.len();
            tag.depth == self.depth
                && bytes.get(name_from..end) == Some(tag.name.as_bytes())
                && bytes.get(end).is_some_and(|&b| ends_name(b))
        });
        let (local_from, mut i, as_before) = match expected {
            Some(tag) => (
                name_from + tag.local_start,
                name_from + tag.name.len(),
                true,
            ),
            None => {
                let (local_from, name_end) = self.name(name_from)?;
                let tag = TemplateTag {
                    depth: self.depth,
                    name: self.input.get(name_from..name_end)?,
                    local_start: local_from - name_from,
                };
                self.template.tags.truncate(index);
                self.template.tags.push(tag);
                (local_from, name_end, false)
            }
        };
        let position = Position { index, as_before };
        let name_end = i;
        let mut attributes: [&[u8]; MAX_ATTRIBUTES] = [&[]; MAX_ATTRIBUTES];
        let mut count = 0;
        loop {
            match bytes.get(i) {
                Some(b'>') => {
                    return self.open(name_from, local_from, name_end, i, false, i + 1, position)
                }
                Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                    return self.open(name_from, local_from, name_end, i, true, i + 2, position)
                }
                Some(&b) if is_space(b) => {}
                _ => return self.stop(),
            }
            while bytes.get(i).is_some_and(|&b| is_space(b)) {
                i += 1;
            }
            match bytes.get(i) {
                Some(b'>' | b'/') => continue,
                Some(_) => {}
                None => return self.stop(),
            }
            // An attribute: name="value" or name='value', nothing between.
            let key_from = i;
            while let Some(&b) = bytes.get(i) {
                if b == b'=' {
                    break;
                }
                if ends_name(b) || odd_in_name(b) {
                    return self.stop();
                }
                i += 1;
            }
            let key = bytes.get(key_from..i).unwrap_or_default();
            if key.is_empty() || count == MAX_ATTRIBUTES || attributes[..count].contains(&key) {
                return self.stop();
            }
            attributes[count] = key;
            count += 1;
            let quote = match bytes.get(i + 1) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return self.stop(),
            };
            i += 2;
            loop {
                match bytes.get(i) {
                    Some(&b) if b == quote => break,
                    // A value the parser would normalize or resolve is left to it.
                    Some(b'<' | b'&' | b'\t' | b'\n' | b'\r') | None => return self.stop(),
                    Some(_) => i += 1,
                }
            }
            i += 1;
        }
    }

    /// The start tag whose name is `from..name_end` (its local part from `local_from`)
    /// and whose attributes run to `to`, at `position`; the scanner goes on at `next`.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        from: usize,
        local_from: usize,
        name_end: usize,
        to: usize,
        empty: bool,
        next: usize,
        position: Position,
    ) -> Option<Token<'a>> {
        let (Some(name), Some(attributes)) =
            (self.input.get(from..name_end), self.input.get(name_end..to))
        else {
            return self.stop();
        };
        if !empty {
            let Some(slot) = self.open.get_mut(self.depth) else {
                return self.stop();
            };
            *slot = name;
            self.depth += 1;
        }
        self.pos = next;
        let tag = StartTag {
            name,
            local_start: local_from - from,
            plain_attributes: Some(attributes),
            position: Some(position),
        };
        Some(Token::Open { tag, empty })
    }
}

/// `text` with the five predefined entities resolved, borrowed when it has none;
/// `None` for what the scanner leaves to the parser (a character reference, any other
/// entity, a lone `&`, a carriage return, which XML turns into a line feed).
pub(crate) fn resolve_text(text: &str) -> Option<Cow<'_, str>> {
    if text.contains('\r') {
        return None;
    }
    resolve_references(text)
}

/// `text` with the five predefined entities resolved, borrowed when it has none;
/// `None` when it holds any other reference or a lone `&`.
pub(crate) fn resolve_references(text: &str) -> Option<Cow<'_, str>> {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'&') else {
        return Some(Cow::Borrowed(text));
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut i = first;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'&') {
            i += 1;
            continue;
        }
        let (resolved, len) = match bytes.get(i + 1..)? {
            [b'a', b'm', b'p', b';', ..] => ('&', 5),
            [b'l', b't', b';', ..] => ('<', 4),
            [b'g', b't', b';', ..] => ('>', 4),
            [b'a', b'p', b'o', b's', b';', ..] => ('\'', 6),
            [b'q', b'u', b'o', b't', b';', ..] => ('"', 6),
            _ => return None,
        };
        out.push_str(text.get(from..i)?);
        out.push(resolved);
        i += len;
        from = i;
    }
    out.push_str(text.get(from..)?);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &str) -> (Vec<Token<'_>>, bool) {
        let mut template = LineTemplate::default();
        let mut scanner = Scanner::new(input, 0, "line", &mut template);
        let mut out = Vec::new();
        while let Some(token) = scanner.next_token() {
            out.push(token);
        }
        (out, scanner.pos == input.len())
    }

    fn open(
        name: &'static str,
        local_start: usize,
        attributes: &'static str,
        index: usize,
    ) -> StartTag<'static> {
        StartTag {
            name,
            local_start,
            plain_attributes: Some(attributes),
            position: Some(Position {
                index,
                as_before: false,
            }),
        }
    }

    #[test]
    fn plain_markup_becomes_tokens() {
        let input =
            "<cbc:Q unitCode=\"C62\" a='x'>1 &amp; 2</cbc:Q >\n<e/><f x=\"1\" /><g> y </g></line>";
        let (out, _) = tokens(input);
        assert_eq!(
            out,
            [
                Token::Open {
                    tag: open("cbc:Q", 4, " unitCode=\"C62\" a='x'", 0),
                    empty: false
                },
                Token::Text {
                    text: "1 &amp; 2",
                    plain: false
                },
                Token::Close,
                Token::Open {
                    tag: open("e", 0, "", 1),
                    empty: true
                },
                Token::Open {
                    tag: open("f", 0, " x=\"1\" ", 2),
                    empty: true
                },
                Token::Open {
                    tag: open("g", 0, "", 3),
                    empty: false
                },
                Token::Text {
                    text: " y ",
                    plain: true
                },
                Token::Close,
                Token::End {
                    at: input.find("</line>").unwrap()
                },
            ]
        );
    }

    #[test]
    fn start_tags_give_their_local_name_and_plain_attributes() {
        let (out, _) = tokens("<a:b:Q xmlns:u=\"n\" u:unitCode=\" C62 \" a='x'/>");
        let [Token::Open { tag, .. }] = out.as_slice() else {
            panic!("{out:?}");
        };
        assert_eq!((tag.name(), tag.local_name()), ("a:b:Q", "Q"));
        assert_eq!(tag.attribute("unitCode"), Some(Some(" C62 ")));
        assert_eq!(tag.attribute("a"), Some(Some("x")));
        assert_eq!(tag.attribute("u"), Some(None));
        assert_eq!(tag.attribute("b"), Some(None));
        let unchecked = StartTag::unchecked("cbc:Q");
        assert_eq!(unchecked.local_name(), "Q");
        assert_eq!(unchecked.attribute("unitCode"), None);
    }

    /// The start tags of each of `elements` (each closed by `</line>`), scanned one
    /// after the other with one template, as (name, local name, as before).
    fn scanned_in_turn(elements: &[String]) -> Vec<Vec<(&str, &str, bool)>> {
        let mut template = LineTemplate::default();
        elements
            .iter()
            .map(|input| {
                let mut scanner = Scanner::new(input, 0, "line", &mut template);
                let mut tags = Vec::new();
                while let Some(token) = scanner.next_token() {
                    if let Token::Open { tag, .. } = token {
                        let position = tag.position().unwrap();
                        assert_eq!(position.index, tags.len());
                        tags.push((tag.name(), tag.local_name(), position.as_before));
                    }
                }
                tags
            })
            .collect()
    }

    fn lines(elements: &[&str]) -> Vec<String> {
        elements.iter().map(|e| format!("{e}</line>")).collect()
    }

    #[test]
    fn start_tags_laid_out_as_before_are_told_so() {
        let input = lines(&[
            "<c:a><c:b x='1'>1</c:b></c:a><d/>",
            "<c:a>\n <c:b x='2'>2</c:b></c:a><d></d>",
            "<c:a></c:a><c:b/><d/>",
        ]);
        let [first, same, other] = &scanned_in_turn(&input)[..] else {
            panic!()
        };
        assert_eq!(
            first,
            &[("c:a", "a", false), ("c:b", "b", false), ("d", "d", false)]
        );
        assert_eq!(
            same,
            &[("c:a", "a", true), ("c:b", "b", true), ("d", "d", true)]
        );
        // The same names in the same order, but `c:b` no longer inside `c:a`: from
        // there on nothing is as before, `d` included.
        assert_eq!(
            other,
            &[("c:a", "a", true), ("c:b", "b", false), ("d", "d", false)]
        );
    }

    #[test]
    fn an_expected_name_must_be_the_whole_name() {
        let input = lines(&["<ab/><x:y/>", "<abc/><x:y/>", "<abc x='1'/><x:yz/>"]);
        let tags = scanned_in_turn(&input);
        assert_eq!(tags[1], [("abc", "abc", false), ("x:y", "y", false)]);
        assert_eq!(tags[2], [("abc", "abc", true), ("x:yz", "yz", false)]);
    }

    #[test]
    fn end_tags_must_match_their_start_tags() {
        for odd in [
            "<a></b>",
            "<a></ab>",
            "<ab></a>",
            "<a></A>",
            "<a></a",
            "<a><b></a></b>",
            "</linex>",
            "</lin>",
            "</line x>",
        ] {
            let (out, at_end) = tokens(odd);
            assert!(
                !out.iter()
                    .any(|t| matches!(t, Token::Close | Token::End { .. })),
                "{odd:?} gave {out:?}"
            );
            assert!(at_end, "{odd:?} did not stop");
        }
        let (out, _) = tokens("<a><b/></a  >\n</line\n>");
        assert_eq!(out.last(), Some(&Token::End { at: 14 }));
    }

    #[test]
    fn anything_outside_the_plain_subset_stops_the_scanner() {
        for odd in [
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<?pi?>",
            "<!DOCTYPE x>",
            "< a>",
            "<>",
            "</>",
            "</ a>",
            "<a x>",
            "<a x=1>",
            "<a x = \"1\">",
            "<a x=\"1\"y=\"2\">",
            "<a x=\"1\" x=\"2\">",
            "<a x=\"1&amp;\">",
            "<a x=\"a\tb\">",
            "<a x=\"<\">",
            "<a/ >",
            "<a",
            "<a x=\"1",
            "</a",
            "text without markup",
            "<a b=\"1\" c=\"1\" d=\"1\" e=\"1\" f=\"1\" g=\"1\" h=\"1\" i=\"1\" j=\"1\">",
        ] {
            let (out, at_end) = tokens(odd);
            assert!(
                out.iter()
                    .all(|t| !matches!(t, Token::Open { .. } | Token::Close { .. })),
                "{odd:?} gave {out:?}"
            );
            assert!(at_end, "{odd:?} did not stop");
        }
    }

    #[test]
    fn predefined_entities_resolve_and_others_are_left_to_the_parser() {
        assert_eq!(
            resolve_text("a &lt;b&gt; &amp; &apos;&quot;").unwrap(),
            "a <b> & '\""
        );
        assert!(matches!(
            resolve_text("plain"),
            Some(Cow::Borrowed("plain"))
        ));
        for left in [
            "&#65;", "&e;", "a & b", "&amp", "&ampx;", "&lt", "x\r\ny", "&",
        ] {
            assert_eq!(resolve_text(left), None, "{left:?}");
        }
        assert_eq!(resolve_references("\r\n  ").unwrap(), "\r\n  ");
        assert_eq!(resolve_text("&amp;&amp;x&lt;ü").unwrap(), "&&x<ü");
    }
}
