#!/bin/sh
# tsan: the service as make run starts it: HTTP, bus, watch and canary threads
# `make run` (scripts/run-demo), which blocks while the service runs: run it in a scratch
# directory on a free loopback port (COALMINE_DEMO_LISTEN, COALMINE_DEMO_PORT_FILE) far
# enough to see the service answer: /healthz, the demo corpus' findings through the API,
# the High ones at the rule's file target, the freshness canary in the store, /metrics;
# then Ctrl-C (SIGINT) stops it with exit 0.
. "$(dirname "$0")/lib/tap.sh"

if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    skip "run-demo" "curl or python3 is not installed"
    done_testing
    exit 0
fi
BIN=$(cd "$(dirname "$COALMINE")" && pwd)/$(basename "$COALMINE")
DEMO=$(cd "$(dirname "$0")/../../scripts" && pwd)/run-demo
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

nfindings() {
    curl -fsS -X POST "$URL/detector/$DET/findings" -H 'Content-Type: application/json' \
        -d '{"maxResults":50}' 2>/dev/null |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findingIds"]))' 2>/dev/null
}
have_findings() { [ "$(nfindings)" -gt 0 ] 2>/dev/null; }

cd "$T" || exit 1
COALMINE_DEMO_LISTEN=127.0.0.1:0 COALMINE_DEMO_PORT_FILE="$T/port" sh "$DEMO" "$BIN" \
    >"$T/demo.out" 2>"$T/demo.err" &
P=$!
wait_until -p "$P" -s 120 test -s "$T/port"
check "run-demo starts the service and it listens (port file written)" test -s "$T/port"
URL="http://127.0.0.1:$(cat "$T/port" 2>/dev/null)"
check "... it printed how to use it: the aws CLI line, the console, /metrics" \
    sh -c "grep -q 'aws guardduty list-findings --endpoint-url' '$T/demo.out' &&
           grep -q '/console' '$T/demo.out' && grep -q '/metrics' '$T/demo.out'"
check "... /healthz answers ok" sh -c "curl -fsS '$URL/healthz' | grep -q '^ok'"
wait_until -p "$P" -s 120 have_findings
check "... the demo corpus' findings come through ListFindings ($(nfindings))" have_findings
high_delivered() { test -s var/high-severity.jsonl; }
wait_until -p "$P" -s 120 high_delivered
check "... the High and Critical ones reach the rule's file target" high_delivered
check "... the freshness canary is in the store" \
    sh -c "'$BIN' canary list --db var/coalmine.db | grep -q cloudtrail-fresh"
check "... /metrics has the engine's records" \
    sh -c "curl -fsS '$URL/metrics' | grep -q '^coalmine_scan_records{kind=\"cloudtrail\"} [1-9]'"
kill -INT $P
wait $P
check "Ctrl-C (SIGINT) stops it: exit 0" test $? -eq 0
check "... with the engine's state kept beside the store" test -s var/coalmine.db.state

done_testing
