#!/usr/bin/env python3
"""Checks Factur-X PDFs with the Python `factur-x` package (Akretion's, from PyPI), which
no one here wrote: it must find the embedded XML, check it against the XSD of the
profile it detects, and read the Factur-X XMP metadata. The extracted XML of each
`NAME.pdf` is written to `OUT/NAME.xml`, for the EN 16931 validator.

    check-facturx.py OUT FILE.pdf...

Exit status 1 when any file fails.
"""

import logging
import sys
from pathlib import Path

from facturx import get_facturx_xml_from_pdf, get_flavor, get_level
from lxml import etree


def main() -> int:
    logging.disable(logging.WARNING)
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in sys.argv[2:]:
        path = Path(name)
        data = path.read_bytes()
        try:
            filename, xml = get_facturx_xml_from_pdf(data, check_xsd=True)
        except Exception as exc:  # the package raises plain Exceptions
            print(f"FAIL {path.name}: {exc}")
            failed += 1
            continue
        if not xml:
            print(f"FAIL {path.name}: no Factur-X XML found")
            failed += 1
            continue
        tree = etree.fromstring(xml)
        flavor, level = get_flavor(tree), get_level(tree)
        xmp = b"<fx:ConformanceLevel>" in data and b"<fx:DocumentFileName>factur-x.xml<" in data
        if filename != "factur-x.xml" or flavor != "factur-x" or not xmp:
            print(f"FAIL {path.name}: file {filename}, flavor {flavor}, Factur-X XMP {xmp}")
            failed += 1
            continue
        (out / (path.stem + ".xml")).write_bytes(xml)
        print(f"ok   {path.name}: {filename}, {flavor} {level}, XSD valid")
    print(f"{len(sys.argv) - 2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
