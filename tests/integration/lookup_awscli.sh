#!/bin/sh
# CloudTrail's event history as the real aws CLI and boto3 print it. A trail
# is not needed to investigate the last 90 days: `aws cloudtrail lookup-events`
# gives every management event, each record an escaped JSON string in the
# event's "CloudTrailEvent". moto does not implement LookupEvents, so a small
# server on 127.0.0.1 (Python's http.server, the JSON 1.1 protocol of the
# CloudTrail API: POST with X-Amz-Target ...LookupEvents) answers it from the
# management events of a generated corpus with three CloudTrail scenarios,
# newest first and 50 a page as the service does. Then:
#   - `aws cloudtrail lookup-events` (all pages joined into one "Events" list,
#     and --max-items pages, whose output ends with a NextToken) to files and
#     piped to `coalmine scan -`; boto3's paginator, one page a JSON document;
#   - the scans must read every event served, reject nothing, find what the scan
#     of the same records as a CloudTrail file finds, and give as evidence an
#     event object of the aws CLI's output.
# Skips cleanly without python3 or the aws CLI (boto3's part without boto3).
# Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/boto3.sh"

PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
why=
if [ -z "$PY" ]; then
    why="python3 is not installed"
elif ! command -v aws >/dev/null || ! aws --version >/dev/null 2>&1; then
    why="the aws CLI is not installed"
fi
if [ -n "$why" ]; then
    skip "CloudTrail event history through the aws CLI" "$why"
    done_testing
    exit 0
fi
export COALMINE_INTEL_DIR="$T/intel-dir"

# --- the corpus and the records the service will answer with -------------------------------------
G="$T/gen"
"$COALMINE" gen --out "$G" --hours 1 --seed 11 --kinds cloudtrail --scenario cloudtrail-stop \
    --scenario root-credential-usage --scenario password-policy-weakened >/dev/null 2>"$T/gen.err"
if [ ! -d "$G/AWSLogs" ]; then
    nok "gen: three CloudTrail scenarios" "$(cat "$T/gen.err")"
    done_testing
    exit 0
fi
ok "gen: three CloudTrail scenarios"
# The management events, in time order, as one CloudTrail file (the reference) and as the
# service's store.
find "$G/AWSLogs" -path '*CloudTrail*' -name '*.json.gz' | sort | xargs zcat |
    "$PY" -c 'import json, sys
dec, recs = json.JSONDecoder(), []
text = sys.stdin.read()
i = 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    doc, i = dec.raw_decode(text, i)
    recs += [r for r in doc["Records"] if r.get("managementEvent", True)]
recs.sort(key=lambda r: r["eventTime"])
json.dump({"Records": recs}, open(sys.argv[1], "w"))
print(len(recs))' "$T/ref.json" >"$T/nref"
NREF=$(cat "$T/nref")
check "the reference: $NREF management events" test "${NREF:-0}" -gt 100

# --- the CloudTrail API on a free port of 127.0.0.1 -------------------------------------------------
"$PY" - "$T/ref.json" "$T/port" >"$T/srv.log" 2>&1 <<'PY' &
import base64, datetime, json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

recs = json.load(open(sys.argv[1]))["Records"]
recs.reverse()  # LookupEvents answers newest first

def epoch(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()

def event(r):
    u = r.get("userIdentity", {})
    e = {"EventId": r.get("eventID", ""), "EventName": r["eventName"],
         "ReadOnly": str(r.get("readOnly", False)).lower(), "EventTime": epoch(r["eventTime"]),
         "EventSource": r["eventSource"], "Resources": [], "CloudTrailEvent": json.dumps(r, separators=(",", ":"))}
    if u.get("accessKeyId"):
        e["AccessKeyId"] = u["accessKeyId"]
    if u.get("userName"):
        e["Username"] = u["userName"]
    for res in r.get("resources", []) or []:
        e["Resources"].append({"ResourceType": res.get("type", ""), "ResourceName": res.get("ARN", "")})
    return e

class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if not self.headers.get("X-Amz-Target", "").endswith(".LookupEvents"):
            self.send_error(400)
            return
        start = int(base64.b64decode(body["NextToken"])) if body.get("NextToken") else 0
        n = min(int(body.get("MaxResults", 50)), 50)
        out = {"Events": [event(r) for r in recs[start:start + n]]}
        if start + n < len(recs):
            out["NextToken"] = base64.b64encode(str(start + n).encode()).decode()
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(srv.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
SRV=$!
trap 'kill "$SRV" 2>/dev/null; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
wait_until -p "$SRV" test -s "$T/port"
if [ ! -s "$T/port" ]; then
    nok "the CloudTrail API answers on 127.0.0.1" "$(tail -n 5 "$T/srv.log")"
    done_testing
    exit 0
fi
EP="http://127.0.0.1:$(cat "$T/port")"
ok "the CloudTrail API answers on $EP"

. "$(dirname "$0")/../e2e/lib/aws.sh"
# awsl ARGS...: the aws CLI against the local server only, dummy credentials, nothing of the user's
awsl() { aws_at "$EP" "$@"; }

# scan OUT ARGS...: findings as JSON lines in OUT, stats in OUT.stats, the summary in OUT.err
scan() {
    o=$1
    shift
    "$COALMINE" scan --threads 2 --region us-east-1 --format json --stats "$o.stats" "$@" >"$o" 2>"$o.err"
}
# same OUT: type|resource|count of each finding, sorted
same() {
    "$PY" -c 'import json, sys
rows = []
for l in open(sys.argv[1]):
    if l.strip():
        f = json.loads(l)
        r = f["resource"]
        who = r.get("accessKeyDetails", {}).get("accessKeyId") or r.get("instanceDetails", {}).get("instanceId", "-")
        rows.append("%s|%s|%s|%s" % (f["type"], who, f["service"]["count"], f["service"]["eventFirstSeen"]))
print("\n".join(sorted(rows)))' "$1"
}
counts() {
    "$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(s["records"]["cloudtrail"], sum(s["rejected"].values()))' "$1"
}

R="$T/ref"
scan "$R" "$T/ref.json"
same "$R" >"$R.sum"
check "the reference file: $(grep -c . "$R.sum") findings (types: $(cut -d'|' -f1 "$R.sum" | sort -u | tr '\n' ' '))" \
    test "$(cut -d'|' -f1 "$R.sum" | sort -u | wc -l)" -ge 3

# --- aws cloudtrail lookup-events -----------------------------------------------------------------------
A="$T/all.json"
awsl cloudtrail lookup-events >"$A" 2>"$T/aws.err"
check "aws cloudtrail lookup-events: exit 0, $("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Events"]))' "$A" 2>/dev/null) events" \
    test $? -eq 0
scan "$A.out" "$A"
check "its output scanned: every event read, nothing rejected ($(counts "$A.out.stats"))" \
    test "$(counts "$A.out.stats")" = "$NREF 0"
same "$A.out" >"$A.sum"
check "... the reference's findings" cmp -s "$R.sum" "$A.sum"
# The evidence is an event object of the output, where the finding's call is.
"$PY" - "$A" "$A.out" >"$T/ev.out" 2>&1 <<'PY'
import json, sys
text = open(sys.argv[1], "rb").read()
n = good = 0
for l in open(sys.argv[2]):
    f = json.loads(l)
    ev = json.loads(f["service"]["additionalInfo"]["value"])["coalmine"]["evidence"][0]
    obj = json.loads(text[ev["offset"]:ev["offset"] + ev["length"]])
    rec = json.loads(obj["CloudTrailEvent"])
    n += 1
    good += ev["file"] == sys.argv[1] and obj["EventName"] == rec["eventName"] and \
        f["service"]["eventFirstSeen"][:19] == rec["eventTime"][:19]
print(n, good)
PY
read -r nev good <"$T/ev.out"
check "... each finding's evidence is an event object of the output ($good of $nev)" \
    test "${nev:-0}" -gt 0 -a "${good:-x}" = "$nev"

awsl cloudtrail lookup-events | scan "$T/pipe.out" -
check "lookup-events piped to coalmine scan -: every event, the same findings" \
    sh -c "test \"\$(\"$PY\" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s[\"records\"][\"cloudtrail\"])' '$T/pipe.out.stats')\" = '$NREF'"
same "$T/pipe.out" >"$T/pipe.sum"
check "... (findings)" cmp -s "$R.sum" "$T/pipe.sum"

# --max-items: the CLI's own pages, each ending with its NextToken, the files one after another.
rm -f "$T/pages.json"
tok=
p=0
while [ $p -lt 100 ]; do
    # shellcheck disable=SC2086 # $start is empty or two words
    awsl cloudtrail lookup-events --max-items 120 ${tok:+--starting-token "$tok"} >"$T/page.json" || break
    cat "$T/page.json" >>"$T/pages.json"
    p=$((p + 1))
    tok=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("NextToken", ""))' "$T/page.json")
    [ -n "$tok" ] || break
done
scan "$T/pages.out" "$T/pages.json"
check "$p pages of --max-items 120 one after another: every event, nothing rejected ($(counts "$T/pages.out.stats"))" \
    test "$(counts "$T/pages.out.stats")" = "$NREF 0" -a $p -gt 1
same "$T/pages.out" >"$T/pages.sum"
check "... the reference's findings" cmp -s "$R.sum" "$T/pages.sum"

# --- boto3's paginator, a page a JSON document ----------------------------------------------------------
if b3_have; then
    b3_py - "$EP" >"$T/boto.json" 2>"$T/boto.err" <<'PY'
import json, sys
from b3 import client
ct = client("cloudtrail", sys.argv[1])
for page in ct.get_paginator("lookup_events").paginate():
    print(json.dumps(page, default=str))
PY
    check "boto3 lookup_events pages: exit 0" test $? -eq 0
    scan "$T/boto.out" "$T/boto.json"
    check "... scanned: every event, nothing rejected ($(counts "$T/boto.out.stats"))" \
        test "$(counts "$T/boto.out.stats")" = "$NREF 0"
    same "$T/boto.out" >"$T/boto.sum"
    check "... the reference's findings" cmp -s "$R.sum" "$T/boto.sum"
else
    skip "boto3 lookup_events pages" "boto3 is not installed"
fi

# --- damage: an event without its record, a record cut short ----------------------------------------------
"$PY" - "$A" "$T/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["Events"][0]["CloudTrailEvent"]
d["Events"][1]["CloudTrailEvent"] = d["Events"][1]["CloudTrailEvent"][:40]
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
scan "$T/bad.out" "$T/bad.json"
check "two damaged events: the rest read ($(counts "$T/bad.out.stats"))" \
    test "$(counts "$T/bad.out.stats")" = "$((NREF - 2)) 2"
check "... the missing record named" grep -q 'bad.json:3 (byte [0-9]*): event without a string "CloudTrailEvent"' "$T/bad.out.err"
check "... the cut record reported in its event" grep -q "bad.json:[0-9]* (byte [0-9]*): in the event's CloudTrailEvent: " "$T/bad.out.err"
# The byte numbers in the reason are the input's: the event's own, then the next event's.
nums=$(sed -n "s/.*bad.json:[0-9]* (byte \([0-9]*\)): in the event's CloudTrailEvent: .* at byte \([0-9]*\); skipped to byte \([0-9]*\)$/\1 \2 \3/p" "$T/bad.out.err")
set -- $nums
check "... its byte numbers are the input's ($nums)" \
    test $# -eq 3 -a "${2:-0}" = "${1:-x}" -a "${3:-0}" -gt "${1:-0}" \
    -a "$(tail -c +$((${3:-1} + 1)) "$T/bad.json" 2>/dev/null | head -c 1)" = "{"

done_testing
