#!/bin/sh
# tsan: CloudWatch Logs reads beside the scan workers, against moto_server
# Resolver query logs and VPC flow logs read back from CloudWatch Logs with the
# real aws CLI. A local moto_server (127.0.0.1 only) stands in for CloudWatch
# Logs: the dns-exfil-tester scenario, generated to end an hour ago (CloudWatch
# Logs takes no event older than 14 days), is put with boto3 into two log
# groups, one stream per VPC (Resolver) or network interface (flow logs), as
# AWS names them. Then `aws logs filter-log-events` (both groups) and `aws logs
# get-log-events` (the Resolver stream, page by page) write their output to
# files, and the scan of those files must find what the scan of the generated
# S3 layout finds (type, instance; and the counts, which the events' order could
# change), read every record put, reject nothing, and give as evidence of the
# DNSDataExfiltration finding a log event object in the aws CLI's output.
# Skips cleanly without python3, boto3, the aws CLI or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/json.sh"
W="$(dirname "$0")/../e2e/lib/cwl_wrap.py"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
SC=dns-exfil-tester
TYPE="Trojan:EC2/DNSDataExfiltration"
DNS_GROUP=/coalmine/route53-resolver-query-logs
FLOW_GROUP=/coalmine/vpc-flow-logs

. "$(dirname "$0")/lib/moto.sh"
. "$(dirname "$0")/lib/boto3.sh"
why=
if ! moto_find; then
    why=$MOTO_WHY
elif ! b3_have; then
    why="boto3 is not installed"
elif ! command -v aws >/dev/null || ! aws --version >/dev/null 2>&1; then
    why="the aws CLI is not installed"
fi
if [ -n "$why" ]; then
    skip "CloudWatch Logs through the aws CLI" "$why"
    done_testing
    exit 0
fi
export COALMINE_INTEL_DIR="$T/intel-dir"

# --- moto_server on a free port of 127.0.0.1 (lib/moto.sh) ------------------------------------------
if ! moto_start; then
    nok "moto_server answers on 127.0.0.1" "$(tail -n 5 "$T/moto.log")"
    done_testing
    exit 0
fi
PORT=$MOTO_PORT
ok "moto_server answers on 127.0.0.1:$PORT"
EP="http://127.0.0.1:$PORT"

. "$(dirname "$0")/../e2e/lib/aws.sh"
# awsl ARGS...: the aws CLI against moto only, dummy credentials, nothing of the user's
awsl() { aws_at "$EP" --cli-connect-timeout 60 --cli-read-timeout 300 "$@"; }

. "$(dirname "$0")/../e2e/lib/cwl.sh"
nrej() { jsum "$1.stats" rejected; }
finding_id() {
    "$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    if l.strip() and json.loads(l)["type"] == sys.argv[2]:
        print(json.loads(l)["id"])' "$1" "$2" | head -n 1
}

# --- the scenario, ending an hour ago ---------------------------------------------------------------
START=$("$PY" -c 'import datetime as d
print((d.datetime.now(d.timezone.utc) - d.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%MZ"))')
G="$T/gen"
if ! "$COALMINE" gen --out "$G" $WORLD --hours 2 --start "$START" --kinds dns,vpcflow \
    --flow-format default --scenario $SC >/dev/null 2>"$T/gen.err"; then
    nok "gen $SC --start $START" "$(cat "$T/gen.err")"
    done_testing
    exit 0
fi
ok "gen $SC --start $START (2 hours)"
grep -v '^#' "$G/intel/scenarios.tsv" | head -n 1 >"$T/exp.tsv"
IFS='	' read -r _ _ RES _ _ _ _ NEAR _ _ INFO _ <"$T/exp.tsv"
DOMAIN=$(printf '%s\n' "$INFO" | tr '&' '\n' | sed -n 's/^domain="\(.*\)"$/\1/p')
NEARI=$(printf '%s\n' "$NEAR" | tr ',' '\n' | sed -n 's/.*"instance":"\([^"]*\)".*/\1/p' | sort -u)

N="$T/native"
scan "$N" "$G/AWSLogs"
summary "$N" >"$N.sum"
check "native scan: $TYPE on $RES (got: $(tr '\n' ' ' <"$N.sum"))" grep -q "^$TYPE|$RES|" "$N.sum"
ND="$T/native-dns"
scan "$ND" "$G/AWSLogs"/*/vpcdnsquerylogs
summary "$ND" >"$ND.sum"

# --- put into CloudWatch Logs -----------------------------------------------------------------------
"$PY" "$W" events "$G/AWSLogs" "$T/events.jsonl" --streams aws
b3_py - "$EP" "$T/events.jsonl" >"$T/put.out" 2>"$T/put.err" <<'PY'
import collections, json, sys
from b3 import client
ep, path = sys.argv[1], sys.argv[2]
logs = client("logs", ep, config={"connect_timeout": 60, "read_timeout": 300,
                                  "retries": {"max_attempts": 3}})
streams = collections.OrderedDict()
for l in open(path, encoding="utf-8"):
    e = json.loads(l)
    streams.setdefault((e["group"], e["stream"]), []).append((e["timestamp"], e["message"]))
for g in sorted({g for g, _ in streams}):
    logs.create_log_group(logGroupName=g)
calls = bad = 0
per_group = collections.Counter()
for (g, s), evs in streams.items():
    logs.create_log_stream(logGroupName=g, logStreamName=s)
    evs.sort(key=lambda e: e[0])  # a put's events go in time order
    i = 0
    while i < len(evs):
        batch, size = [], 0
        # at most 10,000 events and 1,048,576 bytes (messages + 26 each) a call
        while i < len(evs) and len(batch) < 10000 and size + len(evs[i][1].encode()) + 26 <= 1048576:
            batch.append({"timestamp": evs[i][0], "message": evs[i][1]})
            size += len(evs[i][1].encode()) + 26
            i += 1
        r = logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=batch)
        calls += 1
        if r.get("rejectedLogEventsInfo"):
            bad += 1
            print("%s %s: %s" % (g, s, r["rejectedLogEventsInfo"]), file=sys.stderr)
        else:
            per_group[g] += len(batch)
print(calls, len(streams), bad, per_group["/coalmine/route53-resolver-query-logs"],
      per_group["/coalmine/vpc-flow-logs"])
PY
rc=$?
read -r calls nstreams rejected PDNS PFLOW <"$T/put.out"
check "put with boto3: $calls PutLogEvents calls into $nstreams streams, exit 0" test $rc -eq 0 -a "${calls:-0}" -gt 0
check "no put has rejectedLogEventsInfo (${rejected:-?} have$(head -c 300 "$T/put.err"))" test "${rejected:-1}" -eq 0
check "every record put: dns $PDNS, flow $PFLOW (native: $(sed -n 's/^ *records: *//p' "$N.err"))" \
    test "$PDNS" = "$(jget "$N.stats" records.dns)" -a "$PFLOW" = "$(jget "$N.stats" records.vpcflow)"

# --- filter-log-events, both groups -------------------------------------------------------------------
A="$T/aws"
mkdir -p "$A"
awsl logs filter-log-events --log-group-name "$DNS_GROUP" >"$A/filter-dns.json" 2>"$T/aws.err"
r1=$?
# smaller pages: the CLI joins them into one "events" list
awsl logs filter-log-events --log-group-name "$FLOW_GROUP" --page-size 4000 >"$A/filter-flow.json" 2>>"$T/aws.err"
r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
    ok "aws logs filter-log-events, both groups, exit 0"
else
    nok "aws logs filter-log-events, both groups, exit 0 (got $r1, $r2)" "$(tail -n 5 "$T/aws.err")"
fi
"$PY" -c 'import json, sys
for p in sys.argv[1:]:
    try:
        ev = json.load(open(p))["events"]
    except (ValueError, KeyError):
        continue
    t = [e["timestamp"] for e in ev]
    print("# %s: %d events, %s, %d streams" % (p.rsplit("/", 1)[1], len(ev),
          "in time order" if t == sorted(t) else "not in time order (stream by stream)",
          len({e.get("logStreamName") for e in ev})))' "$A/filter-dns.json" "$A/filter-flow.json" 2>&1
S="$T/filter"
scan "$S" "$A/filter-dns.json" "$A/filter-flow.json"
check "scan of the filter-log-events output exits 0" test $? -eq 0
summary "$S" >"$S.sum"
if [ "$(summary "$S" 1-2)" = "$(summary "$N" 1-2)" ]; then
    ok "filter-log-events: the native finding types on the same instances ($(summary "$S" 1-2 | tr '\n' ' '))"
else
    nok "filter-log-events: the native finding types on the same instances" "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
fi
if cmp -s "$N.sum" "$S.sum"; then
    ok "filter-log-events: the native counts too ($(tr '\n' ' ' <"$S.sum"))"
else
    nok "filter-log-events: the native counts too (the events' order differs)" "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
fi
check "filter-log-events: the near misses' instance $NEARI has no finding" \
    sh -c '[ -n "$1" ] && ! grep -qF "|$1|" "$2"' _ "$NEARI" "$S.sum"
check "filter-log-events: every record put read ($(sed -n 's/^ *records: *//p' "$S.err"))" \
    test -n "$PDNS" -a "$(jget "$S.stats" records.dns)" = "$PDNS" -a "$(jget "$S.stats" records.vpcflow)" = "$PFLOW"
check "filter-log-events: no reject (got $(nrej "$S"))" test "$(nrej "$S")" -eq 0
id=$(finding_id "$S" "$TYPE")
"$COALMINE" findings get --db "$S.db" --evidence --format json "$id" >"$S.ev" 2>"$S.ev.err"
"$PY" "$W" evidence "$S.ev" "$A" --shape event --instance "$RES" --domain "$DOMAIN" >"$S.evchk"
check "filter-log-events: $TYPE evidence is a log event object of the aws CLI's output ($(cat "$S.evchk"))" \
    test $? -eq 0 -a -n "$id"

# --- get-log-events, the Resolver stream, page by page ------------------------------------------------
VPC=$(jget "$T/events.jsonl" stream | grep -m 1 '^vpc-')
P="$T/pages"
mkdir -p "$P"
tok=; pages=0; i=0; grc=0
while [ $i -lt 200 ]; do
    i=$((i + 1))
    f=$(printf '%s/get-%03d.json' "$P" $i)
    if [ -z "$tok" ]; then
        awsl logs get-log-events --log-group-name "$DNS_GROUP" --log-stream-name "$VPC" \
            --start-from-head --limit 2500 >"$f" 2>>"$T/aws.err"
    else
        awsl logs get-log-events --log-group-name "$DNS_GROUP" --log-stream-name "$VPC" \
            --start-from-head --limit 2500 --next-token "$tok" >"$f" 2>>"$T/aws.err"
    fi
    grc=$?
    [ $grc -eq 0 ] || break
    next=$(jget "$f" nextForwardToken)
    if [ "$(jlen "$f" events)" -eq 0 ]; then
        rm -f "$f" # the empty page that ends the stream
        break
    fi
    pages=$((pages + 1))
    [ "$next" != "$tok" ] || break
    tok=$next
done
check "aws logs get-log-events --limit 2500: $pages pages of stream $VPC (exit $grc)" test $grc -eq 0 -a $pages -ge 2
S="$T/get"
scan "$S" "$P"
check "scan of the get-log-events pages exits 0" test $? -eq 0
summary "$S" >"$S.sum"
if cmp -s "$ND.sum" "$S.sum"; then
    ok "get-log-events: the native scan's findings of the Resolver logs ($(tr '\n' ' ' <"$S.sum"))"
else
    nok "get-log-events: the native scan's findings of the Resolver logs" "$(diff "$ND.sum" "$S.sum" | grep '^[<>]')"
fi
check "get-log-events: every Resolver record put read, no reject ($(sed -n 's/^ *records: *//p' "$S.err"); rejects $(nrej "$S"))" \
    test -n "$PDNS" -a "$(jget "$S.stats" records.dns)" = "$PDNS" -a "$(nrej "$S")" -eq 0
id=$(finding_id "$S" "$TYPE")
"$COALMINE" findings get --db "$S.db" --evidence --format json "$id" >"$S.ev" 2>"$S.ev.err"
"$PY" "$W" evidence "$S.ev" "$P" --shape event --instance "$RES" --domain "$DOMAIN" >"$S.evchk"
check "get-log-events: $TYPE evidence is a log event object of a page ($(cat "$S.evchk"))" \
    test $? -eq 0 -a -n "$id"

moto_stop
done_testing
