//! The streaming pass against the tree reader, its reference: on the official examples
//! and on every single-element mutation of two full documents, the public readers give
//! exactly what the tree alone gives (the same invoice, or the same error and path),
//! and the pass itself takes the ordinary documents rather than declining them.

#![cfg(all(feature = "ubl", feature = "cii"))]

use std::path::Path;

use invoice_core::{Invoice, InvoiceId, TenantId};

use super::ImportOptions;
use crate::error::Result;
use crate::test_data::en16931_examples;
use crate::xml::read_input;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(7)),
        TenantId::new("t").unwrap(),
    )
}

/// One syntax: its folder name and its readers.
#[derive(Clone, Copy)]
struct Syntax {
    name: &'static str,
    readers: crate::fuzzing::Syntax,
}

impl Syntax {
    fn public(self, bytes: &[u8], options: &ImportOptions) -> Result<Invoice> {
        match self.readers {
            crate::fuzzing::Syntax::Ubl => crate::read_ubl(bytes, options),
            crate::fuzzing::Syntax::Cii => crate::read_cii(bytes, options),
        }
    }

    fn streamed(self, text: &str, options: &ImportOptions) -> Option<Invoice> {
        self.readers.streamed(text, options)
    }

    fn tree(self, text: &str, options: &ImportOptions) -> Result<Invoice> {
        self.readers.tree(text, options)
    }
}

const UBL: Syntax = Syntax {
    name: "ubl",
    readers: crate::fuzzing::Syntax::Ubl,
};

const CII: Syntax = Syntax {
    name: "cii",
    readers: crate::fuzzing::Syntax::Cii,
};

/// Whether the public readers and the pass agree with the tree on `text` (the check the
/// differential fuzz target runs); whether the pass took it.
fn compare(syntax: &Syntax, text: &str, what: &str) -> bool {
    crate::fuzzing::readers_agree(syntax.readers, text.as_bytes(), &options())
        .unwrap_or_else(|disagreement| panic!("{what}: {disagreement}"))
}

#[test]
fn official_examples_read_the_same_and_take_the_streaming_pass() {
    let Some(examples) =
        en16931_examples("official_examples_read_the_same_and_take_the_streaming_pass")
    else {
        return;
    };
    let mut taken = 0;
    let mut with_details = 0;
    let mut all = 0;
    for syntax in [UBL, CII] {
        let dir = examples.join("cen").join(syntax.name);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let text = read_input(bytes.as_slice(), options().limits()).unwrap();
            let what = path.display().to_string();
            all += 1;
            if compare(&syntax, &text, &what) {
                taken += 1;
            } else {
                // Only a document the tree refuses, or whose lines state details the
                // pass does not read (item identifiers, attributes, line notes...), may
                // be declined.
                match syntax.tree(&text, &options()) {
                    Err(_) => {}
                    Ok(invoice) => {
                        assert!(
                            invoice.lines().iter().any(|l| l.details().is_some()),
                            "{what}: declined"
                        );
                        with_details += 1;
                    }
                }
            }
        }
    }
    assert!(all >= 30, "only {all} examples found");
    assert_eq!(
        taken + with_details,
        all,
        "the pass declined official examples without line details"
    );
    // Through stderr's handle, which libtest does not capture.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "streaming pass: {taken} of {all} examples taken, {with_details} declined for line details"
    );
}

/// Where an element stands: the start of its start tag, the end of its end tag, and
/// where its content starts and ends when it holds text only.
type Span = (usize, usize, Option<(usize, usize)>);

/// Every element of `text` up to where it stops being well formed.
fn elements(text: &str) -> Vec<Span> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<(usize, usize, bool)> = Vec::new();
    let mut out = Vec::new();
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap();
        let Ok(event) = reader.read_event() else {
            return out;
        };
        let after = usize::try_from(reader.buffer_position()).unwrap();
        match event {
            Event::Start(_) => {
                if let Some(parent) = open.last_mut() {
                    parent.2 = true;
                }
                open.push((before, after, false));
            }
            Event::Empty(_) => {
                if let Some(parent) = open.last_mut() {
                    parent.2 = true;
                }
                out.push((before, after, None));
            }
            Event::End(_) => {
                let Some((start, content, has_children)) = open.pop() else {
                    return out;
                };
                out.push((start, after, (!has_children).then_some((content, before))));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// Each element removed, repeated (as it is, and with another value), its text
/// replaced by something invalid, zero or nothing, a child or references put into it;
/// its markup written otherwise (a comment or CDATA in it, space or another name in its
/// end tag, attributes quoted, repeated or left unquoted); the whole document with
/// CR LF.
fn mutations(text: &str) -> Vec<(String, String)> {
    let mut out = vec![(
        "CR LF line ends".to_owned(),
        text.replace("\r\n", "\n").replace('\n', "\r\n"),
    )];
    for (start, end, content) in elements(text) {
        let element = &text[start..end];
        let name: String = element[1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/'))
            .collect();
        let at = format!("{name} at byte {start}");
        out.push((
            format!("{at} removed"),
            format!("{}{}", &text[..start], &text[end..]),
        ));
        out.push((
            format!("{at} repeated"),
            format!("{}{element}{}", &text[..end], &text[end..]),
        ));
        let name_end = start + 1 + name.len();
        let start_tag_end = start + element.find('>').map_or(element.len(), |i| i + 1);
        for (how, attribute) in [
            ("given an attribute twice", r#" x="1" x="2""#),
            ("given an unquoted attribute", " x=1"),
            ("given an attribute with a tab", " x=\"a\tb\""),
            ("given an attribute with a reference", " x=\"a&amp;b\""),
        ] {
            out.push((
                format!("{at} {how}"),
                format!("{}{attribute}{}", &text[..name_end], &text[name_end..]),
            ));
        }
        let start_tag = &text[start..start_tag_end];
        if start_tag.contains('"') {
            out.push((
                format!("{at} with single quotes"),
                format!(
                    "{}{}{}",
                    &text[..start],
                    start_tag.replace('"', "'"),
                    &text[start_tag_end..]
                ),
            ));
        }
        if !element.ends_with("/>") {
            out.push((
                format!("{at} given a comment"),
                format!(
                    "{}<!--c-->{}",
                    &text[..start_tag_end],
                    &text[start_tag_end..]
                ),
            ));
            out.push((
                format!("{at} with space in its end tag"),
                format!("{} >{}", &text[..end - 1], &text[end..]),
            ));
            out.push((
                format!("{at} with another name in its end tag"),
                format!("{}x>{}", &text[..end - 1], &text[end..]),
            ));
        }
        if let Some((from, to)) = content {
            // A second one that says something else: which of the two counts shows.
            out.push((
                format!("{at} repeated with another value"),
                format!(
                    "{}{element}{}9{}{}",
                    &text[..end],
                    &text[start..from],
                    &text[to..end],
                    &text[end..]
                ),
            ));
            for (how, replacement) in [
                ("emptied", ""),
                ("made invalid", "x-1"),
                ("made 0", "0"),
                ("given a child", "1<x/>"),
                ("escaped", "&#49;&amp;"),
                ("given predefined entities", "1&amp;&lt;&gt;&quot;&apos;"),
            ] {
                out.push((
                    format!("{at} {how}"),
                    format!("{}{replacement}{}", &text[..from], &text[to..]),
                ));
            }
            out.push((
                format!("{at} as CDATA"),
                format!(
                    "{}<![CDATA[{}]]>{}",
                    &text[..from],
                    &text[from..to],
                    &text[to..]
                ),
            ));
        }
    }
    out
}

fn every_mutation_reads_the_same(syntax: Syntax, file: &str) {
    let text = std::fs::read_to_string(Path::new(GOLDEN).join(file)).unwrap();
    assert!(compare(&syntax, &text, file), "the pass declined {file}");
    let mut taken = 0;
    let variants = mutations(&text);
    for (what, variant) in &variants {
        if compare(&syntax, variant, &format!("{file}: {what}")) {
            taken += 1;
        }
    }
    // Most mutations leave a document the pass reads to the end (an element outside
    // the model's reach changed, or a value still valid).
    assert!(
        taken * 4 > variants.len(),
        "the pass took only {taken} of {} variants",
        variants.len()
    );
}

#[test]
fn every_mutation_of_a_ubl_document_reads_as_the_tree_reads_it() {
    every_mutation_reads_the_same(UBL, "sample.ubl.xml");
}

#[test]
fn every_mutation_of_a_cii_document_reads_as_the_tree_reads_it() {
    every_mutation_reads_the_same(CII, "sample.cii.xml");
}

/// Applies the mutations `picks` one after another, each chosen among those of the text
/// the previous ones left (by index, modulo their number); a pick past the mutations
/// truncates the text instead.
fn mutated(mut text: String, picks: &[usize]) -> (String, Vec<String>) {
    let mut applied = Vec::new();
    for &pick in picks {
        let variants = mutations(&text);
        if pick % 16 == 0 {
            let at = pick % text.len().max(1);
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            applied.push(format!("truncated at byte {at}"));
            text.truncate(at);
        } else if let Some((what, variant)) = variants.get(pick % variants.len().max(1)) {
            applied.push(what.clone());
            text = variant.clone();
        }
    }
    (text, applied)
}

mod random {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Two or three mutations at once, or a truncation among them: the readers still
        /// agree with the tree.
        #[test]
        fn chains_of_mutations_read_as_the_tree_reads_them(
            picks in proptest::collection::vec(0usize..100_000, 2..4),
            cii in any::<bool>(),
        ) {
            let (syntax, file) = if cii { (CII, "sample.cii.xml") } else { (UBL, "sample.ubl.xml") };
            let text = std::fs::read_to_string(Path::new(GOLDEN).join(file)).unwrap();
            let (variant, applied) = mutated(text, &picks);
            compare(&syntax, &variant, &format!("{file}: {}", applied.join(", then ")));
        }
    }
}

/// The limits hold inside the streamed lines as in the tree: nesting past the depth
/// limit in a line, or one element too many, is refused by the public readers with the
/// tree's error.
#[test]
fn limits_hold_inside_streamed_lines() {
    use crate::error::Error;
    use crate::xml::ReadLimits;

    for (syntax, file, line) in [
        (UBL, "sample.ubl.xml", "<cac:InvoiceLine>"),
        (
            CII,
            "sample.cii.xml",
            "<ram:IncludedSupplyChainTradeLineItem>",
        ),
    ] {
        let text = std::fs::read_to_string(Path::new(GOLDEN).join(file)).unwrap();
        let at = text.find(line).unwrap() + line.len();
        let deep = format!(
            "{}{}{}{}",
            &text[..at],
            "<x>".repeat(70),
            "</x>".repeat(70),
            &text[at..]
        );
        assert!(
            matches!(
                syntax.public(deep.as_bytes(), &options()),
                Err(Error::TooDeep { limit: 64, .. })
            ),
            "{file}: nesting in a line"
        );
        assert!(
            syntax.streamed(&deep, &options()).is_none(),
            "{file}: the pass took it"
        );
        let elements = elements(&text).len();
        let tight = options().with_limits(ReadLimits::new().with_max_elements(elements - 1));
        let enough = options().with_limits(ReadLimits::new().with_max_elements(elements));
        assert!(matches!(
            syntax.public(text.as_bytes(), &tight),
            Err(Error::TooManyElements { .. })
        ));
        assert!(
            syntax.streamed(&text, &tight).is_none(),
            "{file}: the pass took it"
        );
        assert!(syntax.public(text.as_bytes(), &enough).is_ok(), "{file}");
        assert!(
            syntax.streamed(&text, &enough).is_some(),
            "{file}: the pass declined"
        );
    }
}
