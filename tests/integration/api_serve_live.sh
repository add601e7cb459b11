#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# `coalmine serve` while another process writes its store: a server started on
# an empty store answers ListFindings with what a `coalmine scan --db` running
# meanwhile commits, without a restart and without "database is locked"; the
# scan's findings are listed and counted by /metrics; IPv6 loopback
# ([::1]:0); SIGTERM finishing a request in flight, and SIGINT. Driven with curl (no AWS client needed). Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    skip "coalmine serve with a live store" "curl or python3 not installed"
    done_testing
    exit 0
fi
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1
post() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$ENDPOINT$1"; }
count_ids() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findingIds"]))'; }

serve_start live --db "$T/live.db"
check "serve creates an empty store and listens" test -n "$PORT" -a -s "$T/live.db"
N0=$(post "/detector/$DET/findings" '{}' | count_ids)
check "no findings at first" test "$N0" = 0

# A scan writes the same store while the server runs; requests go on meanwhile.
"$COALMINE" gen --out "$T/w" --hours 6 --scenario all >/dev/null 2>&1
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --db "$T/live.db" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" >/dev/null 2>"$T/scan.err" &
SCAN=$!
busy=0
while kill -0 "$SCAN" 2>/dev/null; do
    code=$(curl -s -o "$T/during" -w '%{http_code}' -X POST -d '{"maxResults":5}' \
        "$ENDPOINT/detector/$DET/findings")
    [ "$code" = 200 ] || busy=$((busy + 1))
done
wait "$SCAN"
check "the scan into the served store exits 0" test $? -eq 0
check "every request during the scan was answered 200" test "$busy" -eq 0

STORED=$("$COALMINE" findings list --db "$T/live.db" --archived all --max-results 0 --format ids | wc -l)
post "/detector/$DET/findings/statistics" '{"findingStatisticTypes":["COUNT_BY_SEVERITY"]}' >"$T/st"
TOTAL=$(python3 -c 'import json,sys; print(sum(json.load(open(sys.argv[1]))["findingStatistics"]["countBySeverity"].values()))' "$T/st")
check "the server counts what the scan committed ($STORED findings)" test "$STORED" -gt 0 -a "$TOTAL" = "$STORED"
curl -s "$ENDPOINT/metrics" >"$T/metrics"
CUR=$(awk '/^coalmine_store_findings_by_type\{/ { s += $2 } END { print s + 0 }' "$T/metrics")
ARCH=$(awk '/^coalmine_store_archived_findings / { print $2 }' "$T/metrics")
check "/metrics counts them too" test "$((CUR + ARCH))" = "$STORED"
# The exposition read by a real Prometheus parser: node_exporter's textfile collector.
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -n "$NE" ]; then
    mkdir -p "$T/tf"
    cp "$T/metrics" "$T/tf/serve.prom"
    NEPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$NE" --web.listen-address="127.0.0.1:$NEPORT" --collector.disable-defaults \
        --collector.textfile --collector.textfile.directory="$T/tf" >"$T/ne.log" 2>&1 &
    NEPID=$!
    wait_until -p "$NEPID" curl -s --max-time 5 -o "$T/ne.txt" "http://127.0.0.1:$NEPORT/metrics"
    kill "$NEPID" 2>/dev/null
    wait "$NEPID" 2>/dev/null
    check "node_exporter parses serve's /metrics without error" \
        sh -c "grep -q '^node_textfile_scrape_error 0' '$T/ne.txt' &&
               grep -q '^coalmine_api_requests_total{code=\"200\",operation=\"ListFindings\"}' '$T/ne.txt' &&
               grep -q '^coalmine_store_findings_by_type{' '$T/ne.txt'"
else
    skip "node_exporter parses serve's /metrics" "prometheus-node-exporter not installed"
fi
grep -qi "locked\|busy" "$T/live.err"
check "no lock errors in the server's log" test $? -ne 0

kill -INT "$SERVE_PID"
wait "$SERVE_PID"
rc=$?
SERVE_PID=""
check "SIGINT: serve exits 0" test $rc -eq 0
grep -q "SIGINT: stopping" "$T/live.err"
check "... and says so" test $? -eq 0

# A request in flight when SIGTERM comes is finished: a body sent at 2 KB/s.
serve_start drain --db "$T/live.db"
python3 -c 'import json; print(json.dumps({"maxResults": 3, "pad": "x" * 5000}))' >"$T/slow.json"
curl -s -o "$T/slow.out" -w '%{http_code}' --limit-rate 2K -X POST --data-binary "@$T/slow.json" \
    "$ENDPOINT/detector/$DET/findings" >"$T/slow.code" &
CURL=$!
sleep 1
serve_stop
wait "$CURL"
check "SIGTERM during a slow request: it is answered 200 first" test "$(cat "$T/slow.code")" = 200
check "... with its findings" test "$(count_ids <"$T/slow.out")" = 3
check "... and serve exits 0" test "$SERVE_RC" = 0

# IPv6 loopback, when the host has it.
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    rm -f "$T/v6.port"
    "$COALMINE" serve --db "$T/live.db" --listen '[::1]:0' --port-file "$T/v6.port" \
        >/dev/null 2>"$T/v6.err" &
    SERVE_PID=$!
    wait_until test -s "$T/v6.port"
    P6=$(cat "$T/v6.port" 2>/dev/null)
    curl -s -g "http://[::1]:$P6/detector" >"$T/v6.json"
    check "serve on [::1]:0 answers ListDetectors" grep -q "\"$DET\"" "$T/v6.json"
    grep -q "listening on \[::1\]:$P6" "$T/v6.err"
    check "... and says where it listens" test $? -eq 0
    serve_stop
else
    skip "serve on [::1]:0" "no IPv6 loopback here"
fi

done_testing
