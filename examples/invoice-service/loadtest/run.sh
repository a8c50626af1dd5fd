#!/usr/bin/env bash
# Load test: invoice-service (release build) on the in-memory store, on embedded SQLite
# and, with DATABASE_URL=postgres://…, on PostgreSQL, beside the Flask anchor of the seed
# stack in the same run, on 127.0.0.1 only, bounded in time.
#
# Per load (get one invoice, get a list page of 10, post a 10-line draft, and /health,
# which only counts the outbox's pending events, as the floor of a request; wrk -t2
# -c32, WARM s warm-up then DUR s measured) it reports requests/s, p50/p99, errors, and
# the server's CPU time per request: user + system time of the server process (all its
# threads) read from /proc over the measured window, divided by the requests served.
# That ratio does not depend on how wrk and the server share the cores, so it is the
# figure to compare first. Between the reads and the post load, p99 at a fixed 1 000
# req/s (hey, 10 workers x 100 q/s) for get and list. After the post load it counts the
# invoices the service lists and checks that every acknowledged POST is there.
#
# Needs wrk and hey (Debian packages) and curl. The anchor is the Flask service of the
# seed stack (ANCHOR_DIR, a folder with its run.sh; it installs Flask + gunicorn into a
# venv of its own); without it only our rows are printed.
#
# Env: PORT DUR WARM CONNS THREADS SEED_N, CONFIGS ("memory sqlite sqlite-excl", the last
# with SQLITE_EXCLUSIVE=on, and postgres when DATABASE_URL is set), MODES (a subset of
# "health get list fixed post", in that order; all by default), ANCHOR_DIR, SKIP_ANCHOR=1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PORT=${PORT:-8091}; DUR=${DUR:-20}; WARM=${WARM:-5}; CONNS=${CONNS:-32}; THREADS=${THREADS:-2}
SEED_N=${SEED_N:-1000}
CLK_TCK=$(getconf CLK_TCK)
for tool in wrk hey curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk hey curl" >&2; exit 1; }
done

cargo build -q --release -p invoice-service --manifest-path "$ROOT/Cargo.toml"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/invoice-service
TMP=$(mktemp -d); SERVER_PID=""
# The service and the token command share one secret (without it each makes its own).
SECRET="loadtest-$(date +%s%N)-secret"
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

# CPU ticks (user + system, all threads) of the server process.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

# How many invoices the tenant has, as the service lists them.
listed_total() {
  curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/invoices?page=0&size=1" \
    | grep -o '"total_elements":[0-9]*' | cut -d: -f2
}

# One wrk run of MODE; prints "rps p50 p99 requests errors" (errors: socket errors and
# non-2xx responses).
wrk_run() { # seconds
  wrk -t"$THREADS" -c"$CONNS" -d"${1}s" --timeout 10s -s "$HERE/bench.lua" \
    "http://127.0.0.1:$PORT" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

ROWS=()
FAILED=0

# p99 at a fixed 1 000 req/s (hey: 10 workers x 100 q/s) for get and list.
fixed_rate() { # label
  local id; id=$(head -n1 "$TMP/ids.txt")
  for mode in get list; do
    local url="http://127.0.0.1:$PORT/invoices/$id"
    [ "$mode" = list ] && url="http://127.0.0.1:$PORT/invoices?page=7&size=10"
    local out; out=$(hey -z "${DUR}s" -c 10 -q 100 -H "Authorization: Bearer $TOKEN" "$url")
    local p99; p99=$(awk '/ 99% in / {print $3 * 1000}' <<<"$out")
    local fixed_rps; fixed_rps=$(awk '/Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    local non2xx; non2xx=$(awk '/^  \[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); if ($1 !~ /^2/) e += $2} END {print e + 0}' <<<"$out")
    ROWS+=("$1 ${mode}@1000rps $fixed_rps - $p99 - $non2xx -")
  done
}

measure_service() { # label database_url [sqlite_exclusive]
  local label=$1 db=$2 exclusive=${3:-off} tenant="load-$(date +%s%N)"
  env -u AMQP_URL -u AWS_ENDPOINT_URL DATABASE_URL="$db" SQLITE_EXCLUSIVE="$exclusive" \
    BIND="127.0.0.1:$PORT" JWT_SECRET="$SECRET" \
    DOCUMENTS_DIR="$TMP/docs" RUST_LOG=warn "$BIN" >"$TMP/service.log" 2>&1 &
  SERVER_PID=$!
  local up=""
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && { up=1; break; }
    sleep 0.1
  done
  [ -n "$up" ] || { echo "$label did not start:" >&2; cat "$TMP/service.log" >&2; exit 1; }
  export TOKEN; TOKEN=$(env DATABASE_URL=memory JWT_SECRET="$SECRET" "$BIN" token "$tenant" 2)
  : >"$TMP/ids.txt"
  seq "$SEED_N" | xargs -P 4 -I{} curl -fs -X POST "http://127.0.0.1:$PORT/invoices" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data @"$TMP/body.json" \
    | grep -o '"invoice":{"id":"[0-9a-f-]\{36\}"' | cut -d'"' -f6 >"$TMP/ids.txt"
  test "$(wc -l <"$TMP/ids.txt")" -eq "$SEED_N" || { echo "seeding failed" >&2; exit 1; }
  # Reads first, so they see exactly SEED_N invoices; then p99 at a fixed rate on the
  # same table, before the post load grows it (and leaves the relay publishing its
  # events for a while). `health` answers after one trivial store read (the count of
  # pending outbox events): the floor of a request on this server and store.
  for mode in ${MODES:-health get list fixed post}; do
    if [ "$mode" = fixed ]; then
      fixed_rate "$label"
      continue
    fi
    export MODE=$mode IDS_FILE="$TMP/ids.txt" BODY_FILE="$TMP/body.json"
    local before; before=$(listed_total)
    local warm; warm=$(wrk_run "$WARM")
    local t0; t0=$(server_ticks)
    local res; res=$(wrk_run "$DUR")
    local t1; t1=$(server_ticks)
    read -r rps p50 p99 n errs <<<"$res"
    local ms; ms=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" \
      'BEGIN {printf "%.3f", (n > 0 ? d / hz * 1000 / n : 0)}')
    ROWS+=("$label $mode $rps $p50 $p99 $n $errs $ms")
    echo "done: $label $mode $rps req/s, $ms ms CPU/request" >&2
    if [ "$mode" = post ]; then
      # Every acknowledged POST (warm-up and measured, minus errors) must be listed. A
      # few more may be: requests in flight when wrk stopped (at most one per
      # connection and run) were stored but not counted.
      local after; after=$(listed_total)
      read -r _ _ _ wn werrs <<<"$warm"
      local acked=$((wn - werrs + n - errs)) listed=$((after - before))
      if [ "$listed" -ge "$acked" ] && [ "$listed" -le $((acked + 2 * CONNS)) ]; then
        READBACK+=("$label: $acked acknowledged POSTs, $listed new invoices listed ($((listed - acked)) in flight at a stop)")
      else
        READBACK+=("$label: FAILED, $acked acknowledged POSTs, $listed new invoices listed")
        FAILED=1
      fi
      echo "readback: ${READBACK[-1]}" >&2
    fi
  done
  cleanup
}

READBACK=()
CONFIGS=${CONFIGS:-memory sqlite sqlite-excl}
if [[ "${DATABASE_URL:-}" == postgres* ]] && [[ " $CONFIGS " != *" postgres "* ]]; then
  CONFIGS="$CONFIGS postgres"
fi
for config in $CONFIGS; do
  case "$config" in
    memory) measure_service rust-memory memory ;;
    sqlite) measure_service rust-sqlite "sqlite:$TMP/load.db" ;;
    # The same file held for the service's process alone (SQLITE_EXCLUSIVE=on).
    sqlite-excl) measure_service rust-sqlite-ex "sqlite:$TMP/load-excl.db" on ;;
    # Each run uses a tenant of its own, so earlier rows do not count.
    postgres) measure_service rust-postgres "${DATABASE_URL}" ;;
    *) echo "unknown config $config" >&2; exit 1 ;;
  esac
done

# The anchor: gunicorn -w 2 sync, its own script, same loads and wrk settings. Its rows
# are: config load rps p50 p99 requests errors cores ms/request.
ANCHOR=""
if [ -z "${SKIP_ANCHOR:-}" ] && [ -n "${ANCHOR_DIR:-}" ] && [ -x "$ANCHOR_DIR/run.sh" ]; then
  ANCHOR=$(CONFIGS=sync DUR="$DUR" WARM="$WARM" CONNS="$CONNS" THREADS="$THREADS" SEED_N="$SEED_N" \
    bash "$ANCHOR_DIR/run.sh" 2>/dev/null | awk '$1 == "sync" {print $2, $3, $4, $5, $9}')
fi

printf '\n%-14s %-12s %9s %7s %7s %8s %6s %10s %9s %9s\n' config load "req/s" "p50 ms" "p99 ms" \
  requests errors "CPU ms/req" "x anchor" "CPU /anc"
for row in "${ROWS[@]}"; do
  read -r label mode rps p50 p99 n errs ms <<<"$row"
  base=$(awk -v m="$mode" '$1 == m {print $2, $5}' <<<"$ANCHOR")
  read -r base_rps base_ms <<<"${base:-- -}"
  ratio=-; cpu_ratio=-
  if [ "$base_rps" != "-" ] && [ "$rps" != "-" ]; then
    ratio=$(awk -v r="$rps" -v b="$base_rps" 'BEGIN {printf "%.1fx", r / b}')
  fi
  if [ "$base_ms" != "-" ] && [ "$ms" != "-" ]; then
    cpu_ratio=$(awk -v o="$ms" -v b="$base_ms" 'BEGIN {printf "%.1fx less", b / o}')
  fi
  printf '%-14s %-12s %9s %7s %7s %8s %6s %10s %9s %9s\n' "$label" "$mode" "$rps" "$p50" "$p99" \
    "$n" "$errs" "$ms" "$ratio" "$cpu_ratio"
  [ "$errs" != "-" ] && [ "$errs" -ne 0 ] && FAILED=1
done
if [ -n "$ANCHOR" ]; then
  while read -r mode rps p50 p99 ms; do
    printf '%-14s %-12s %9s %7s %7s %8s %6s %10s\n' "flask-sync" "$mode" "$rps" "$p50" "$p99" - - "$ms"
  done <<<"$ANCHOR"
fi
printf '%s\n' "${READBACK[@]}"
echo "(wrk -t$THREADS -c$CONNS, ${WARM}s warm-up + ${DUR}s measured; $(nproc) cores; load generator on the same machine; $(date -u +%F))"
exit "$FAILED"
