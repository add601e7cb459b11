#!/bin/sh
# tsan: the scan workers and their metrics file
# `coalmine scan --metrics` read by a real Prometheus exporter: Debian's
# prometheus-node-exporter, started here on 127.0.0.1 with only its textfile
# collector over a scratch directory, scraped with curl. The exporter must
# read every file without error (node_textfile_scrape_error 0), and what it
# serves must say what the scan printed and its --stats JSON said: findings,
# findings by type, records per kind, routing to a file target; a failed scan
# replaces the file with coalmine_scan_success 0; no temporary is left behind.
# Skips cleanly when the exporter, curl or python3 is not installed. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/json.sh"

NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$NE" ] || ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    skip "scan --metrics through node_exporter" "prometheus-node-exporter, curl or python3 not installed"
    done_testing
    exit 0
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

TF="$T/textfile"; mkdir -p "$TF"
G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --scenario all --seed 3 >/dev/null 2>&1 ||
    nok "gen" "coalmine gen failed"
ARGS=$(cat "$G/intel/args.txt")
DB="$T/c.db"
"$COALMINE" rules put --db "$DB" --name high \
    --event-pattern '{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7]}]}}' >/dev/null
"$COALMINE" targets put --db "$DB" --rule high --id log --kind file \
    --spec "{\"path\":\"$T/high.jsonl\"}" >/dev/null
# Low findings are archived by a filter: stored, not printed, not current.
"$COALMINE" filters create --db "$DB" --name quiet-low --action ARCHIVE \
    --finding-criteria '{"Criterion":{"severity":{"Lt":4}}}' >/dev/null

# shellcheck disable=SC2086 # one option or value per word (gen's own paths)
"$COALMINE" scan -q --format json --db "$DB" --stats "$T/stats.json" $ARGS \
    --metrics "$TF/coalmine.prom" "$G/AWSLogs" >"$T/findings.json" 2>"$T/scan.err"
check "scan with --metrics exits 0" [ $? -eq 0 ]
check "no temporary left beside the metrics file" [ "$(ls "$TF")" = "coalmine.prom" ]

# A free loopback port, then the exporter on it (retried if another took it).
scrape() { curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$T/scrape.txt"; }
NEPID=""
trap '[ -n "$NEPID" ] && kill $NEPID 2>/dev/null; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
for try in 1 2 3; do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$NE" --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults \
        --collector.textfile --collector.textfile.directory="$TF" >"$T/ne.log" 2>&1 &
    NEPID=$!
    wait_until -p "$NEPID" scrape
    [ -s "$T/scrape.txt" ] && break
    kill $NEPID 2>/dev/null; NEPID=""
done
if [ -z "$NEPID" ]; then
    nok "node_exporter serves on 127.0.0.1" "$(tail -3 "$T/ne.log")"
    done_testing
    exit 1
fi
ok "node_exporter serves on 127.0.0.1:$PORT ($try tries)"

val() { # metric with labels exactly as served -> value
    awk -v k="$1" '$1 == k { print $2 }' "$T/scrape.txt"
}
check "the exporter read the file without error" [ "$(val node_textfile_scrape_error)" = "0" ]
check "coalmine_scan_success 1" [ "$(val coalmine_scan_success)" = "1" ]
# What the exporter serves is the file as written: the same samples (labels
# already in name order), the same values (it prints large numbers as 1.2e+06).
same_samples() {
    python3 - "$TF/coalmine.prom" "$T/scrape.txt" <<'PY'
import sys
def samples(path):
    out = {}
    for line in open(path):
        if line.startswith("coalmine_"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out
a, b = samples(sys.argv[1]), samples(sys.argv[2])
sys.exit(0 if a and a == b else 1)
PY
}
check "served as written" same_samples
printed=$(wc -l <"$T/findings.json" | tr -d ' ')
arch=$(val coalmine_scan_archived_findings)
check "some findings archived by the filter ($arch), none of them printed" \
    sh -c '[ "$1" -gt 0 ] && ! jq -e "select(.severity < 4)" "$2" >/dev/null' _ "$arch" "$T/findings.json"
check "coalmine_scan_findings is what the scan printed ($printed) and archived" \
    [ "$(val coalmine_scan_findings)" = "$((printed + arch))" ]
bytype=$(awk '/^coalmine_scan_findings_by_type\{/ { s += $2 } END { print s + 0 }' "$T/scrape.txt")
check "findings by type add up to the current findings ($bytype)" [ "$bytype" = "$printed" ]
types=$(jq -r '.type' "$T/findings.json" | sort | uniq -c | awk '{ print $2 " " $1 }' | sort)
served=$(sed -n 's/^coalmine_scan_findings_by_type{severity="[A-Za-z]*",type="\([^"]*\)"} \([0-9]*\)$/\1 \2/p' \
    "$T/scrape.txt" | awk '{ c[$1] += $2 } END { for (t in c) print t " " c[t] }' | sort)
check "findings by type are the printed findings' types" [ "$types" = "$served" ]
for k in cloudtrail vpcflow dns; do
    want=$(jq -r ".records.$k" "$T/stats.json")
    check "records{kind=$k} is --stats's ($want)" \
        [ "$(val "coalmine_scan_records{kind=\"$k\"}")" = "$want" ]
done
high=$(wc -l <"$T/high.jsonl" | tr -d ' ')
check "routing: the file target's deliveries are its lines ($high)" \
    [ "$(val 'coalmine_routing_target_deliveries{kind="file",outcome="delivered",rule="high",target="log"}')" = "$high" ]
check "routing: some were delivered" [ "$high" -gt 0 ]

# A failed scan replaces the file: success 0, nothing about records.
"$COALMINE" scan -q --metrics "$TF/coalmine.prom" "$T/no-such-dir" >/dev/null 2>"$T/fail.err"
check "a scan of a missing path exits 1" [ $? -eq 1 ]
scrape
check "after it, coalmine_scan_success 0" [ "$(val coalmine_scan_success)" = "0" ]
check "... read without error" [ "$(val node_textfile_scrape_error)" = "0" ]
check "... and no records are claimed" [ -z "$(val 'coalmine_scan_records{kind="cloudtrail"}')" ]
check "... no temporary left" [ "$(ls "$TF")" = "coalmine.prom" ]

# A usage error writes nothing (the file stays as the last scan left it).
before=$(cksum <"$TF/coalmine.prom")
"$COALMINE" scan --metrics "$TF/coalmine.prom" --threads 0 "$G" >/dev/null 2>&1
check "a usage error exits 2" [ $? -eq 2 ]
check "... and leaves the metrics file alone" [ "$(cksum <"$TF/coalmine.prom")" = "$before" ]

# An unwritable place: exit 1 with the path in the message.
"$COALMINE" scan -q --metrics "$T/none/x.prom" "$G/AWSLogs" >/dev/null 2>"$T/nowrite.err"
check "an unwritable --metrics exits 1" [ $? -eq 1 ]
check "... naming the file" grep -q -- "--metrics $T/none/x.prom" "$T/nowrite.err"
done_testing
