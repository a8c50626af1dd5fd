#!/usr/bin/env bash
# Load test: invoice-service (release build) against the Flask anchor of the seed stack,
# in one run, on 127.0.0.1 only, bounded in time.
#
# Same three loads and wrk settings as ../../../../shared/tools/flask-baseline (get one
# invoice, post a 10-line draft, get a list page; -t2 -c32, WARM s warm-up, DUR s measured),
# on embedded SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL too; then p99 at a
# fixed 1 000 req/s (hey, 10 workers × 100 q/s) for the get load. Needs wrk and hey
# (Debian packages); the anchor installs Flask + gunicorn into its own venv.
#
# Env: PORT DUR WARM CONNS THREADS SEED_N, SKIP_ANCHOR=1 to measure only the service.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SHARED=$(cd "$ROOT/../shared" 2>/dev/null && pwd || true)
PORT=${PORT:-8091}; DUR=${DUR:-20}; WARM=${WARM:-5}; CONNS=${CONNS:-32}; THREADS=${THREADS:-2}
SEED_N=${SEED_N:-1000}
for tool in wrk hey curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk hey curl" >&2; exit 1; }
done

cargo build -q --release -p invoice-service --manifest-path "$ROOT/Cargo.toml"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/invoice-service
TMP=$(mktemp -d); SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap 'cleanup; rm -rf "$TMP"' EXIT INT TERM

# The anchor's 10-line body, in our API's shape.
cat >"$TMP/body.json" <<'JSON'
{"currency": "EUR",
 "seller": {"name": "Seller GmbH", "vat_id": "DE123456789", "address": {"city": "Berlin", "postal_code": "10115", "country": "DE"}},
 "buyer": {"name": "Buyer AG", "address": {"city": "Hamburg", "postal_code": "20095", "country": "DE"}},
 "due_date": "2026-12-31",
 "lines": [
  {"id": "1", "name": "Item 1", "quantity": "1", "unit": "C62", "price": "10.10", "vat": {"category": "S", "rate": "19"}},
  {"id": "2", "name": "Item 2", "quantity": "2", "unit": "C62", "price": "20.20", "vat": {"category": "S", "rate": "7"}},
  {"id": "3", "name": "Item 3", "quantity": "3", "unit": "C62", "price": "30.30", "vat": {"category": "S", "rate": "19"}},
  {"id": "4", "name": "Item 4", "quantity": "4", "unit": "C62", "price": "40.40", "vat": {"category": "S", "rate": "7"}},
  {"id": "5", "name": "Item 5", "quantity": "5", "unit": "C62", "price": "50.50", "vat": {"category": "S", "rate": "19"}},
  {"id": "6", "name": "Item 6", "quantity": "6", "unit": "C62", "price": "60.60", "vat": {"category": "S", "rate": "7"}},
  {"id": "7", "name": "Item 7", "quantity": "7", "unit": "C62", "price": "70.70", "vat": {"category": "S", "rate": "19"}},
  {"id": "8", "name": "Item 8", "quantity": "8", "unit": "C62", "price": "80.80", "vat": {"category": "S", "rate": "7"}},
  {"id": "9", "name": "Item 9", "quantity": "9", "unit": "C62", "price": "90.90", "vat": {"category": "S", "rate": "19"}},
  {"id": "10", "name": "Item 10", "quantity": "10", "unit": "C62", "price": "100.00", "vat": {"category": "S", "rate": "7"}}
 ]}
JSON

ROWS=()
measure_service() { # label database_url
  local label=$1 db=$2 tenant="load-$(date +%s%N)"
  env -u AMQP_URL -u AWS_ENDPOINT_URL DATABASE_URL="$db" BIND="127.0.0.1:$PORT" \
    DOCUMENTS_DIR="$TMP/docs" RUST_LOG=warn "$BIN" >"$TMP/service.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
  export TOKEN; TOKEN=$(env DATABASE_URL=memory "$BIN" token "$tenant" 2)
  : >"$TMP/ids.txt"
  seq "$SEED_N" | xargs -P 4 -I{} curl -fs -X POST "http://127.0.0.1:$PORT/invoices" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data @"$TMP/body.json" \
    | grep -o '"invoice":{"id":"[0-9a-f-]\{36\}"' | cut -d'"' -f6 >"$TMP/ids.txt"
  test "$(wc -l <"$TMP/ids.txt")" -eq "$SEED_N" || { echo "seeding failed" >&2; exit 1; }
  for mode in get list post; do
    export MODE=$mode IDS_FILE="$TMP/ids.txt" BODY_FILE="$TMP/body.json"
    wrk -t"$THREADS" -c"$CONNS" -d"${WARM}s" -s "$HERE/bench.lua" "http://127.0.0.1:$PORT" >/dev/null
    res=$(wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --timeout 10s -s "$HERE/bench.lua" \
      "http://127.0.0.1:$PORT" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
    ROWS+=("$label $mode $res")
    echo "done: $label $mode $res" >&2
  done
  # p99 at a fixed 1 000 req/s for the get load.
  local id; id=$(head -n1 "$TMP/ids.txt")
  p99=$(hey -z "${DUR}s" -c 10 -q 100 -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/invoices/$id" | awk '/ 99% in / {print $3 * 1000}')
  ROWS+=("$label get@1000rps - - $p99 - -")
  cleanup
}

measure_service "rust-sqlite" "sqlite:$TMP/load.db"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  measure_service "rust-postgres" "$DATABASE_URL"
fi

ANCHOR=""
if [ -z "${SKIP_ANCHOR:-}" ] && [ -n "$SHARED" ] && [ -x "$SHARED/tools/flask-baseline/run.sh" ]; then
  ANCHOR=$(CONFIGS=sync DUR="$DUR" WARM="$WARM" CONNS="$CONNS" THREADS="$THREADS" SEED_N="$SEED_N" \
    bash "$SHARED/tools/flask-baseline/run.sh" 2>/dev/null | awk '$1 == "sync" {print $2, $3, $4, $5}')
fi

printf '\n%-14s %-14s %10s %8s %8s %9s %6s %9s\n' config load "req/s" "p50 ms" "p99 ms" requests errors "x anchor"
for row in "${ROWS[@]}"; do
  read -r label mode rps p50 p99 n errs <<<"$row"
  base=$(awk -v m="$mode" '$1 == m {print $2}' <<<"$ANCHOR")
  ratio=$([ -n "$base" ] && [ "$rps" != "-" ] && awk -v r="$rps" -v b="$base" 'BEGIN {printf "%.1fx", r / b}' || echo "-")
  printf '%-14s %-14s %10s %8s %8s %9s %6s %9s\n' "$label" "$mode" "$rps" "$p50" "$p99" "$n" "$errs" "$ratio"
done
if [ -n "$ANCHOR" ]; then
  while read -r mode rps p50 p99; do
    printf '%-14s %-14s %10s %8s %8s\n' "flask-sync" "$mode" "$rps" "$p50" "$p99"
  done <<<"$ANCHOR"
fi
