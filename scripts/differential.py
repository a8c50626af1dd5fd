#!/usr/bin/env python3
"""Differential test of `invoice validate` against the official EN 16931 validator.

Derives documents from the official examples by mutation, runs both validators on each
and reports how often they agree: per document (both pass, or both fail) and per rule id.

    scripts/differential.py --examples DIR --invoice BIN --validator PATH [--count N]
                            [--sample K] [--out DIR] [--min-agreement PCT] [--report FILE]

- DIR is the folder that holds `cen/ubl` and `cen/cii` (what EN16931_EXAMPLES names).
- BIN is the `invoice` binary (examples/invoice-cli); PATH the official `validate` script
  (CII is checked with `--cii-profile en16931`, UBL with the EN 16931 rules).
- The mutations are deterministic: document i is always the same document. `--count`
  documents are derived (default 2 040, 60 per example); `--sample K` keeps every
  (count/K)-th of them, which is what CI runs.
- Exit status 1 when a disagreement is not one of the known reasons (KNOWN_REASONS:
  where `invoice validate` is stricter than the reference, each with why), or when the
  agreement per document is below `--min-agreement` (default 99).

Only the Python standard library is used. The mutations, each applied once to an
element chosen at random (seeded) among those it applies to:

    remove        the element and its content are removed
    duplicate     a copy is inserted right after it
    empty         its content (text and children) is removed
    code-wrong    a code (element text or a code attribute) becomes one of the right shape
                  that its list does not have
    code-other    a code becomes another valid code of its list
    amount-cent   an amount changes by 0.01 (up or down)
    amount-unit   an amount changes by 1.00 (up or down)
    scheme        a scheme identifier becomes another valid one, or an unknown one
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.dom import minidom

KINDS = [
    "remove",
    "duplicate",
    "empty",
    "code-wrong",
    "code-other",
    "amount-cent",
    "amount-unit",
    "scheme",
]

# Valid codes per list, to swap a code for another valid one.
CODE_LISTS = {
    "currency": ["EUR", "USD", "GBP", "SEK", "DKK", "NOK", "CHF", "JPY", "PLN", "HUF"],
    "country": ["DE", "FR", "NL", "BE", "SE", "DK", "NO", "IT", "ES", "GB", "AT", "PL"],
    "unit": ["C62", "H87", "EA", "KGM", "MTR", "LTR", "HUR", "DAY", "XPP", "ZZ"],
    "vat-category": ["S", "Z", "E", "AE", "K", "G", "O", "L", "M"],
    "invoice-type": ["380", "381", "383", "384", "389", "751", "326", "386"],
    "payment-means": ["1", "10", "30", "31", "42", "48", "49", "57", "58", "59", "ZZZ"],
    "mime": ["application/pdf", "image/png", "image/jpeg", "text/csv"],
    "vatex": ["VATEX-EU-79-C", "VATEX-EU-132", "VATEX-EU-G", "VATEX-EU-IC", "VATEX-EU-AE"],
    "allowance-reason": ["41", "42", "60", "62", "63", "64", "65", "66", "67", "95", "100", "102"],
    "charge-reason": ["AA", "AAA", "ABK", "ADR", "FC", "TAE", "ZZZ"],
    "date-format": ["102"],
    "tax-scheme": ["VAT"],
}

# Scheme identifiers: ISO 6523 ICD and EAS values, and ones in neither list.
SCHEMES_VALID = ["0088", "0060", "0184", "0192", "0204", "0208", "9930", "9925", "EM", "0002"]
SCHEMES_WRONG = ["9999", "XX", "ABC", "00"]

# A code of the right shape that no list has, per list: the mutation tests the list,
# not the reader's parsing of the code.
WRONG_CODES = {
    "currency": "QQQ",
    "country": "QQ",
    "unit": "QQQ",
    "vat-category": "Q",
    "invoice-type": "999",
    "payment-means": "999",
    "mime": "application/x-unknown",
    "vatex": "VATEX-EU-QQ",
    "allowance-reason": "999",
    "charge-reason": "QQQ",
    "date-format": "999",
    "tax-scheme": "QQQ",
}


def local(name: str) -> str:
    return name.split(":", 1)[-1]


def elements(node):
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield child
            yield from elements(child)


def text_of(el) -> str:
    return "".join(c.data for c in el.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))


def is_leaf(el) -> bool:
    return not any(c.nodeType == c.ELEMENT_NODE for c in el.childNodes)


def set_text(el, value: str) -> None:
    for child in list(el.childNodes):
        el.removeChild(child)
    el.appendChild(el.ownerDocument.createTextNode(value))


def path_of(el) -> str:
    parts = []
    node = el
    while node is not None and node.nodeType == node.ELEMENT_NODE:
        parent = node.parentNode
        same = [c for c in parent.childNodes if c.nodeType == c.ELEMENT_NODE and c.tagName == node.tagName]
        index = same.index(node) + 1 if parent.nodeType == parent.ELEMENT_NODE else 1
        parts.append(f"{node.tagName}[{index}]")
        node = parent
    return "/" + "/".join(reversed(parts))


def code_list(el, parent_local: str) -> str | None:
    """The code list of a leaf element's text, None when it holds no code."""
    name = local(el.tagName)
    if name in ("DocumentCurrencyCode", "TaxCurrencyCode", "InvoiceCurrencyCode", "TaxCurrencyCode"):
        return "currency"
    if name in ("IdentificationCode", "CountryID"):
        return "country"
    if name in ("InvoiceTypeCode", "CreditNoteTypeCode") or (name == "TypeCode" and parent_local == "ExchangedDocument"):
        return "invoice-type"
    if name == "PaymentMeansCode" or (name == "TypeCode" and parent_local == "SpecifiedTradeSettlementPaymentMeans"):
        return "payment-means"
    if name == "CategoryCode" or (name == "ID" and parent_local in ("TaxCategory", "ClassifiedTaxCategory")):
        return "vat-category"
    if name in ("TaxExemptionReasonCode", "ExemptionReasonCode"):
        return "vatex"
    if name == "AllowanceChargeReasonCode" or name == "ReasonCode":
        return "allowance-reason"
    if name == "ID" and parent_local == "TaxScheme":
        return "tax-scheme"
    return None


# Attributes that hold a code, and their list.
CODE_ATTRIBUTES = {"currencyID": "currency", "unitCode": "unit", "mimeCode": "mime", "format": "date-format"}


def code_targets(doc):
    """(element, attribute or None, list) for every code in the document."""
    out = []
    for el in elements(doc.documentElement):
        parent_local = local(el.parentNode.tagName) if el.parentNode.nodeType == el.ELEMENT_NODE else ""
        if is_leaf(el) and text_of(el).strip():
            kind = code_list(el, parent_local)
            if kind:
                out.append((el, None, kind))
        for attr, kind in CODE_ATTRIBUTES.items():
            if el.hasAttribute(attr):
                out.append((el, attr, kind))
    return out


def amount_targets(doc):
    out = []
    for el in elements(doc.documentElement):
        if not is_leaf(el):
            continue
        name = local(el.tagName)
        if not (el.hasAttribute("currencyID") or name.endswith("Amount")):
            continue
        try:
            Decimal(text_of(el).strip())
        except InvalidOperation:
            continue
        out.append(el)
    return out


def scheme_targets(doc):
    return [el for el in elements(doc.documentElement) if el.hasAttribute("schemeID")]


def mutate(doc, kind: str, rng: random.Random) -> str | None:
    """Applies `kind` to `doc`; returns what was done, or None when nothing applies."""
    root = doc.documentElement
    if kind in ("remove", "duplicate", "empty"):
        candidates = list(elements(root))
        if kind == "empty":
            candidates = [el for el in candidates if el.childNodes]
        if not candidates:
            return None
        el = rng.choice(candidates)
        where = path_of(el)
        if kind == "remove":
            el.parentNode.removeChild(el)
        elif kind == "duplicate":
            el.parentNode.insertBefore(el.cloneNode(True), el.nextSibling)
        else:
            for child in list(el.childNodes):
                el.removeChild(child)
        return f"{kind} {where}"
    if kind in ("code-wrong", "code-other"):
        candidates = code_targets(doc)
        if not candidates:
            return None
        el, attr, list_name = rng.choice(candidates)
        old = el.getAttribute(attr) if attr else text_of(el).strip()
        if kind == "code-wrong":
            new = WRONG_CODES[list_name]
        else:
            others = [c for c in CODE_LISTS[list_name] if c != old]
            if not others:
                return None
            new = rng.choice(others)
        if attr:
            el.setAttribute(attr, new)
        else:
            set_text(el, new)
        target = f"{path_of(el)}/@{attr}" if attr else path_of(el)
        return f"{kind} {target}: {old} -> {new}"
    if kind in ("amount-cent", "amount-unit"):
        candidates = amount_targets(doc)
        if not candidates:
            return None
        el = rng.choice(candidates)
        old = text_of(el).strip()
        step = Decimal("0.01") if kind == "amount-cent" else Decimal("1.00")
        new = str(Decimal(old) + step * rng.choice([1, -1]))
        set_text(el, new)
        return f"{kind} {path_of(el)}: {old} -> {new}"
    if kind == "scheme":
        candidates = scheme_targets(doc)
        if not candidates:
            return None
        el = rng.choice(candidates)
        old = el.getAttribute("schemeID")
        pool = SCHEMES_VALID if rng.random() < 0.5 else SCHEMES_WRONG
        new = rng.choice([s for s in pool if s != old])
        el.setAttribute("schemeID", new)
        return f"scheme {path_of(el)}/@schemeID: {old} -> {new}"
    raise ValueError(kind)


# Why the two validators may disagree on a document: each known reason, with the test
# that recognises it. Every one is a place where `invoice validate` is stricter than the
# reference for a reason of EN 16931 itself; a disagreement no reason explains fails
# the run, whatever the agreement.
def _ours_only(d, *rules):
    return d["official"]["passed"] and not d["ours"]["passed"] and set(d["ours"]["rules"]) <= set(rules)


KNOWN_REASONS = [
    (
        "CII code list graded as a warning, value the model cannot hold",
        lambda d: d["syntax"] == "cii" and d["kind"] == "code-wrong" and _ours_only(d, "UNREADABLE"),
        "The reference runs CII under the Factur-X EN 16931 profile (--cii-profile en16931), "
        "which grades code lists as warnings; an unknown VAT category, currency or date "
        "format code cannot be imported into the model, so `invoice validate` refuses it.",
    ),
    (
        "empty value the model cannot hold",
        lambda d: d["kind"] == "empty" and _ours_only(d, "UNREADABLE"),
        "An emptied date, VAT category, payment means code or classification code: the "
        "reference's rules test such elements with exists(), which an empty element "
        "passes; the import refuses a value it cannot read.",
    ),
    (
        "empty identifier counted as given by the reference",
        lambda d: d["kind"] == "empty" and _ours_only(d, "BR-S-02", "BR-CO-26"),
        "An emptied VAT or legal registration identifier: exists() holds for an empty "
        "element, so the reference still sees an identifier; the model holds none.",
    ),
    (
        "BR-CO-25 absent from the reference's CII rules",
        lambda d: d["syntax"] == "cii" and _ours_only(d, "BR-CO-25"),
        "A positive amount due with neither a due date nor payment terms breaks BR-CO-25; "
        "the Factur-X EN 16931 schematron has no such rule.",
    ),
    (
        "reference CII BR-S-01 and BR-AG-08 do not fire",
        lambda d: d["syntax"] == "cii" and d["kind"] == "code-other" and d["official"]["passed"]
        and "BR-S-01" in d["ours"]["rules"],
        "A breakdown row turned from S to M while the lines stay S: the reference's CII "
        "BR-S-01 counts the lines' own categories as rows, and its BR-AG-08 reads the rate "
        "one level too high, so neither fires.",
    ),
    (
        "a difference of exactly one unit, in floating point",
        lambda d: d["syntax"] == "ubl" and d["kind"] == "amount-unit" and _ours_only(d, "BR-S-08", "BR-AF-08", "BR-AG-08"),
        "A taxable amount exactly one unit off: the reference computes BT-116 - 1 on an "
        "untyped value, in floating point, which lands just below the decimal sum and "
        "passes; in decimals it is not less than the sum.",
    ),
]


def reason_of(disagreement) -> str | None:
    for name, test, _ in KNOWN_REASONS:
        if test(disagreement):
            return name
    return None


def examples(folder: Path) -> list[Path]:
    files = sorted((folder / "cen" / "ubl").glob("*")) + sorted((folder / "cen" / "cii").glob("*"))
    return [f for f in files if f.suffix.lower() == ".xml"]


def generate(sources: list[Path], count: int, out: Path) -> list[dict]:
    """Derives `count` documents, spread evenly over the sources and the kinds."""
    parsed = {src: src.read_bytes() for src in sources}
    cases = []
    index = 0
    attempt = 0
    while len(cases) < count:
        src = sources[attempt % len(sources)]
        kind = KINDS[(attempt // len(sources)) % len(KINDS)]
        rng = random.Random(f"{src.name}/{attempt}")
        attempt += 1
        doc = minidom.parseString(parsed[src])
        what = mutate(doc, kind, rng)
        if what is None:
            continue
        syntax = "cii" if "CrossIndustryInvoice" in doc.documentElement.tagName else "ubl"
        name = f"{index:04d}-{kind}-{src.stem.replace(' ', '_')}.xml"
        (out / name).write_bytes(doc.toxml(encoding="UTF-8"))
        cases.append({"file": name, "source": src.name, "syntax": syntax, "kind": kind, "mutation": what})
        index += 1
    return cases


def run_official(validator: str, files: list[Path], cii: bool) -> dict[str, dict]:
    if not files:
        return {}
    args = [validator, "--json", "-q"] + (["--cii-profile", "en16931"] if cii else []) + [str(f) for f in files]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"official validator failed ({proc.returncode}): {proc.stderr[-2000:]}")
    results = {}
    for r in json.loads(proc.stdout)["results"]:
        rules = {f["id"] for f in r["fatal"]}
        if r["xsd_errors"]:
            rules.add("XSD")
        if r["error"]:
            rules.add("UNREADABLE")
        results[Path(r["file"]).name] = {"passed": r["passed"], "rules": sorted(rules)}
    return results


def run_ours(invoice: str, files: list[Path]) -> dict[str, dict]:
    proc = subprocess.run([invoice, "validate", "--format", "json"] + [str(f) for f in files], capture_output=True, text=True)
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"invoice validate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    results = {}
    for entry in json.loads(proc.stdout)["files"]:
        rules = {v["rule"] for v in entry.get("violations", []) if v.get("severity") == "fatal"}
        if entry["status"] == "error":
            rules.add("UNREADABLE")
        results[Path(entry["file"]).name] = {"passed": entry["status"] == "ok", "rules": sorted(rules), "error": entry.get("error")}
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", required=True, type=Path)
    ap.add_argument("--invoice", required=True)
    ap.add_argument("--validator", required=True)
    ap.add_argument("--count", type=int, default=2040)
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--min-agreement", type=float, default=99.0)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()

    sources = examples(args.examples)
    if len(sources) != 34:
        sys.exit(f"expected the 34 official examples under {args.examples}/cen, found {len(sources)}")
    out = args.out or Path(tempfile.mkdtemp(prefix="differential-"))
    out.mkdir(parents=True, exist_ok=True)
    cases = generate(sources, args.count, out)
    if args.sample:
        step = max(1, len(cases) // args.sample)
        cases = cases[::step][: args.sample]

    ubl = [out / c["file"] for c in cases if c["syntax"] == "ubl"]
    cii = [out / c["file"] for c in cases if c["syntax"] == "cii"]
    official = run_official(args.validator, ubl, cii=False) | run_official(args.validator, cii, cii=True)
    ours = run_ours(args.invoice, ubl + cii)

    agree = 0
    per_kind = defaultdict(Counter)
    per_rule = defaultdict(Counter)
    disagreements = []
    for case in cases:
        theirs, mine = official[case["file"]], ours[case["file"]]
        same = theirs["passed"] == mine["passed"]
        agree += same
        per_kind[case["kind"]]["agree" if same else "disagree"] += 1
        for rule in set(theirs["rules"]) | set(mine["rules"]):
            side = "both" if rule in theirs["rules"] and rule in mine["rules"] else (
                "official only" if rule in theirs["rules"] else "ours only")
            per_rule[rule][side] += 1
        if not same:
            disagreements.append({**case, "official": theirs, "ours": mine})

    total = len(cases)
    pct = 100.0 * agree / total if total else 0.0
    print(f"documents: {total} ({len(ubl)} UBL, {len(cii)} CII) in {out}")
    print(f"agreement per document: {agree} / {total} = {pct:.2f} %")
    print("per mutation kind (agree / disagree):")
    for kind in KINDS:
        c = per_kind[kind]
        print(f"  {kind:<12} {c['agree']:>5} / {c['disagree']}")
    print("per rule id (both / official only / ours only), rules where the two differ:")
    for rule in sorted(per_rule):
        c = per_rule[rule]
        if c["official only"] or c["ours only"]:
            print(f"  {rule:<22} {c['both']:>5} / {c['official only']:>5} / {c['ours only']:>5}")
    by_reason = defaultdict(list)
    for d in disagreements:
        d["reason"] = reason_of(d)
        by_reason[d["reason"]].append(d)
    unexplained = by_reason.pop(None, [])
    print(f"disagreements: {len(disagreements)}, {len(unexplained)} unexplained")
    for name, _, text in KNOWN_REASONS:
        if by_reason.get(name):
            print(f"  {len(by_reason[name]):>3} {name}: {text}")
    for d in disagreements:
        print(f"  {d['file']}: {d['mutation']} [{d['reason'] or 'UNEXPLAINED'}]")
        print(f"    official {'pass' if d['official']['passed'] else 'fail'} {d['official']['rules']}; "
              f"ours {'pass' if d['ours']['passed'] else 'fail'} {d['ours']['rules']} {d['ours'].get('error') or ''}")
    if args.report:
        args.report.write_text(json.dumps({
            "documents": total, "agree": agree, "agreement_percent": round(pct, 2),
            "per_rule": {k: dict(v) for k, v in per_rule.items()},
            "disagreements": disagreements,
        }, indent=2))
    if unexplained:
        print(f"FAIL: {len(unexplained)} disagreement(s) no known reason explains")
        return 1
    if pct < args.min_agreement:
        print(f"FAIL: agreement {pct:.2f} % is below {args.min_agreement} %")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
