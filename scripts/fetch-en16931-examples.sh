#!/usr/bin/env bash
# Fetches the official EN 16931 example invoices that some tests and the invoice CLI
# examples read: the CEN/TC 434 repository ConnectingEurope/eInvoicing-EN16931 (EUPL 1.2)
# at the commit whose stated totals invoice-core/tests/data/expected-totals.json lists
# (b6c9e06, validation release 1.3.16).
#
#   scripts/fetch-en16931-examples.sh [DEST]
#
# DEST (default: ~/.cache/invoice-rs/en16931-examples, outside the clone) gets the layout
# the tests expect: cen/ubl/*.xml, cen/cii/*.xml and expected-totals.json. The last line
# printed is the `export EN16931_EXAMPLES=...` that points the tests at it.
set -euo pipefail

REPO_URL=https://github.com/ConnectingEurope/eInvoicing-EN16931
COMMIT=b6c9e06a59812fb1a83585da40923b3678a649ad

root=$(cd "$(dirname "$0")/.." && pwd)
totals="$root/invoice-core/tests/data/expected-totals.json"
dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/invoice-rs/en16931-examples}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
upstream="$work/upstream"

# The one commit without its history; a server that refuses to hand out a commit by its
# hash gets the whole history fetched instead.
git init -q "$upstream"
git -C "$upstream" remote add origin "$REPO_URL"
if git -C "$upstream" fetch -q --depth 1 origin "$COMMIT"; then
    git -C "$upstream" -c advice.detachedHead=false checkout -q FETCH_HEAD
else
    git -C "$upstream" fetch -q origin
    git -C "$upstream" -c advice.detachedHead=false checkout -q "$COMMIT"
fi
if [ "$(git -C "$upstream" rev-parse HEAD)" != "$COMMIT" ]; then
    echo "fetch-en16931-examples: $REPO_URL did not give commit $COMMIT" >&2
    exit 1
fi

rm -rf "$dest/cen"
mkdir -p "$dest/cen/ubl" "$dest/cen/cii"
find "$upstream/ubl/examples" -maxdepth 1 -type f -exec cp {} "$dest/cen/ubl/" \;
find "$upstream/cii/examples" -maxdepth 1 -type f -exec cp {} "$dest/cen/cii/" \;
cp "$totals" "$dest/expected-totals.json"

# Every file the stated totals list must be there.
missing=0
while IFS= read -r file; do
    if [ ! -f "$dest/$file" ]; then
        echo "fetch-en16931-examples: $file is listed in expected-totals.json but not upstream" >&2
        missing=1
    fi
done < <(sed -n 's/^    "\(cen\/[^"]*\)": {$/\1/p' "$totals")
[ "$missing" = 0 ] || exit 1

ubl=$(find "$dest/cen/ubl" -type f | wc -l)
cii=$(find "$dest/cen/cii" -type f | wc -l)
echo "fetched $((ubl)) UBL and $((cii)) CII examples at ${COMMIT:0:7} into $dest" >&2
printf 'export EN16931_EXAMPLES=%q\n' "$dest"
