//! A scanner for the content of one element, over the plain subset of XML that invoice
//! lines are written in: elements with quoted attributes, text, and the five predefined
//! entities. It is what makes reading a long document cheap, since lines are most of
//! it, and it is a third of the cost of a general parser's events.
//!
//! It never decides what a document means: whatever it does not take as plainly
//! well formed (a comment, CDATA, a character reference, an attribute it would have to
//! normalize, a mismatched or unterminated tag, anything odd) makes it stop and say so,
//! and the caller reads that part with the general parser instead.

use std::borrow::Cow;

/// One piece of markup or text, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A start tag (`empty`: one that closes itself). `content` is the tag without its
    /// brackets and closing `/`, as quick-xml's `BytesStart` holds it: the name
    /// (`content[..name_len]`), then the attributes.
    Open {
        content: &'a str,
        name_len: usize,
        empty: bool,
    },
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
pub(crate) struct Scanner<'a> {
    input: &'a str,
    pos: usize,
    /// The scanned element's name.
    outer: &'a str,
    /// The names of the elements open inside it, `open[..depth]`, innermost last.
    open: [&'a str; MAX_DEPTH],
    depth: usize,
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

/// Bytes the scanner does not take in a name: markup or quoting characters that a
/// well-formed name never holds.
#[inline]
fn odd_in_name(b: u8) -> bool {
    matches!(b, b'<' | b'=' | b'"' | b'\'' | b'&')
}

impl<'a> Scanner<'a> {
    /// A scanner over the content of the element named `outer` (its qualified name as
    /// written), which starts at byte `pos` of `input`.
    pub(crate) fn new(input: &'a str, pos: usize, outer: &'a str) -> Self {
        Self {
            input,
            pos,
            outer,
            open: [""; MAX_DEPTH],
            depth: 0,
        }
    }

    /// How many elements are open inside the scanned one.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The next token, `None` when the scanner stops.
    #[inline]
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let from = self.pos;
        match bytes.get(from)? {
            b'<' => self.markup(),
            _ => {
                // A byte loop: text between tags is short (indentation, a value), where
                // a vectorized search costs more to set up than it saves.
                let mut plain = true;
                let mut i = from;
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
        }
    }

    /// Stops the scanner: every later call answers `None`.
    fn stop(&mut self) -> Option<Token<'a>> {
        self.pos = self.input.len();
        None
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

    /// `<name attr="value" ...>` or `<name .../>`.
    fn start_tag(&mut self, start: usize) -> Option<Token<'a>> {
        let bytes = self.input.as_bytes();
        let name_from = start + 1;
        let mut i = name_from;
        while let Some(&b) = bytes.get(i) {
            if ends_name(b) {
                break;
            }
            if odd_in_name(b) {
                return self.stop();
            }
            i += 1;
        }
        let name_len = i - name_from;
        let mut attributes: [&[u8]; MAX_ATTRIBUTES] = [&[]; MAX_ATTRIBUTES];
        let mut count = 0;
        loop {
            match bytes.get(i) {
                Some(b'>') => return self.open(name_from, i, name_len, false, i + 1),
                Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                    return self.open(name_from, i, name_len, true, i + 2)
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

    fn open(
        &mut self,
        from: usize,
        to: usize,
        name_len: usize,
        empty: bool,
        next: usize,
    ) -> Option<Token<'a>> {
        let Some(content) = self.input.get(from..to) else {
            return self.stop();
        };
        if !empty {
            let Some(slot) = self.open.get_mut(self.depth) else {
                return self.stop();
            };
            *slot = content.get(..name_len).unwrap_or_default();
            self.depth += 1;
        }
        self.pos = next;
        Some(Token::Open {
            content,
            name_len,
            empty,
        })
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
    let Some(first) = text.find('&') else {
        return Some(Cow::Borrowed(text));
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..first)?);
    let mut rest = text.get(first..)?;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp)?);
        let after = rest.get(amp + 1..)?;
        let semicolon = after.find(';')?;
        out.push_str(match after.get(..semicolon)? {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "apos" => "'",
            "quot" => "\"",
            _ => return None,
        });
        rest = after.get(semicolon + 1..)?;
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &str) -> (Vec<Token<'_>>, bool) {
        let mut scanner = Scanner::new(input, 0, "line");
        let mut out = Vec::new();
        while let Some(token) = scanner.next_token() {
            out.push(token);
        }
        (out, scanner.pos == input.len())
    }

    #[test]
    fn plain_markup_becomes_tokens() {
        let input = "<cbc:Q unitCode=\"C62\" a='x'>1 &amp; 2</cbc:Q >\n<e/><f x=\"1\" /></line>";
        let (out, _) = tokens(input);
        assert_eq!(
            out,
            [
                Token::Open {
                    content: "cbc:Q unitCode=\"C62\" a='x'",
                    name_len: 5,
                    empty: false
                },
                Token::Text {
                    text: "1 &amp; 2",
                    plain: false
                },
                Token::Close,
                Token::Text {
                    text: "\n",
                    plain: true
                },
                Token::Open {
                    content: "e",
                    name_len: 1,
                    empty: true
                },
                Token::Open {
                    content: "f x=\"1\" ",
                    name_len: 1,
                    empty: true
                },
                Token::End {
                    at: input.find("</line>").unwrap()
                },
            ]
        );
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
            "<a=>",
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
        for left in ["&#65;", "&e;", "a & b", "&amp", "x\r\ny"] {
            assert_eq!(resolve_text(left), None, "{left:?}");
        }
        assert_eq!(resolve_references("\r\n  ").unwrap(), "\r\n  ");
    }
}
