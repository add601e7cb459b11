#!/bin/sh
# End-to-end test of Route 53 Resolver query logs and VPC flow logs that went
# through CloudWatch Logs (lib/parse/cwl.c, the export prefix in resolver.c and
# vpcflow.c). The dns-exfil-tester scenario (a DNS tunnel on one instance,
# near misses on another) is generated once and scanned in its S3 layout; then
# tests/e2e/lib/cwl_wrap.py rewrites its records as CloudWatch Logs hands them
# back, one log stream per interface (flow) or VPC (Resolver):
#   - export: an export task's <task>/<stream>/000000.gz objects, every line
#     "<time> <message>";
#   - firehose: a subscription's deliveries as Firehose writes them to S3,
#     objects without extension of gzip members, a CONTROL_MESSAGE first, then
#     DATA_MESSAGEs of at most 50 log events.
# Each must give the native scan's findings (type|instance|count) and record
# counts, no reject, and DNSDataExfiltration evidence that is the Resolver
# record after the time (export) or the log event object (firehose) at its
# offset in the decoded file; the near misses' instance no finding.
# Then a Firehose object on standard input, one with bad log events (a number
# as message, an event that is not JSON, a message that is not a Resolver
# record), one cut in a delivery or in its gzip stream, a health check alone,
# and awscli-shaped outputs that hold no record: an empty "events", messages
# that are application text, events without "message". The same log events
# delivered twice (a retry of every Firehose object, filter-log-events' output
# beside the Firehose objects, retries in the next hour's scan with --state)
# give the findings of one delivery, every copy counted repeated. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
W="$(dirname "$0")/lib/cwl_wrap.py"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
SC=dns-exfil-tester
TYPE="Trojan:EC2/DNSDataExfiltration"
C2="Backdoor:EC2/C&CActivity.B!DNS"

# the interpreter itself, not a version manager's shim in front of it (a second each)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$PY" ]; then
    skip "CloudWatch Logs shapes" "python3 is not installed"
    done_testing
    exit 0
fi
# only the built-in intel bundle, not what `coalmine intel` keeps for this user
export COALMINE_INTEL_DIR="$T/intel-dir"

. "$(dirname "$0")/lib/cwl.sh"

# records OUT: the scan's "records: ..." line
records() { sed -n 's/^ *records: *//p' "$1.err"; }
# nrej OUT: rejected records and files (the --stats JSON), summed
nrej() { jsum "$1.stats" rejected; }
# rejects OUT: the --stats reject samples, one "kind|offset|line|reason" each
rejects() {
    "$PY" -c 'import json, sys
for r in json.load(open(sys.argv[1]))["reject_samples"]:
    print("%s|%s|%s|%s" % (r["kind"], r["offset"], r["line"], r["reason"]))' "$1.stats"
}
# finding_id OUT TYPE: the id of OUT's TYPE finding
finding_id() {
    "$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    if l.strip() and json.loads(l)["type"] == sys.argv[2]:
        print(json.loads(l)["id"])' "$1" "$2" | head -n 1
}

# --- the scenario in its S3 layout -----------------------------------------------------------
G="$T/gen"
if ! "$COALMINE" gen --out "$G" $WORLD --hours 2 --kinds dns,vpcflow --flow-format default \
    --scenario $SC >/dev/null 2>"$T/gen.err"; then
    nok "gen $SC" "$(cat "$T/gen.err")"
    done_testing
    exit 0
fi
ok "gen $SC (Resolver and default-format flow logs, 2 hours)"
grep -v '^#' "$G/intel/scenarios.tsv" | head -n 1 >"$T/exp.tsv"
IFS='	' read -r _ etype RES _ _ COUNT _ NEAR _ _ INFO _ <"$T/exp.tsv"
DOMAIN=$(printf '%s\n' "$INFO" | tr '&' '\n' | sed -n 's/^domain="\(.*\)"$/\1/p')
NEARI=$(printf '%s\n' "$NEAR" | tr ',' '\n' | sed -n 's/.*"instance":"\([^"]*\)".*/\1/p' | sort -u)
check "scenarios.tsv: $TYPE on one instance, a domain, near misses on another ($etype $RES $COUNT $DOMAIN; near: $NEARI)" \
    test "$etype" = "$TYPE" -a -n "$RES" -a "$COUNT" -gt 0 -a -n "$DOMAIN" -a -n "$NEARI" -a "$NEARI" != "$RES"

N="$T/native"
scan "$N" "$G/AWSLogs"
check "native scan exits 0" test $? -eq 0
summary "$N" >"$N.sum"
check "native: $TYPE on $RES, count $COUNT (got: $(tr '\n' ' ' <"$N.sum"))" grep -qxF "$TYPE|$RES|$COUNT" "$N.sum"
check "native: $C2 on $RES" grep -q "^$C2|$RES|" "$N.sum"
check "native: the near misses' instance $NEARI has no finding" sh -c '! grep -qF "|$1|" "$2"' _ "$NEARI" "$N.sum"
NREC=$(records "$N")
NFLOW=$(jget "$N.stats" records.vpcflow)
NDNS=$(jget "$N.stats" records.dns)
check "native: flow and Resolver records, no reject ($NREC; rejects $(nrej "$N"))" \
    test "$NFLOW" -gt 0 -a "$NDNS" -gt 0 -a "$(nrej "$N")" -eq 0

# --- export task and Firehose objects ----------------------------------------------------------
for shape in export firehose; do
    D="$T/$shape"
    if ! "$PY" "$W" $shape "$G/AWSLogs" "$D" --streams aws 2>"$T/wrap.err"; then
        nok "$shape: cwl_wrap.py" "$(cat "$T/wrap.err")"
        continue
    fi
    # the objects are what they should be: every record once, in the shape's form
    "$PY" - "$shape" "$D" "$((NFLOW + NDNS))" >"$T/shape.out" <<'PY'
import gzip, json, os, re, sys, zlib
shape, d, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)
n = 0
def bad(p, why):
    print("%s: %s" % (p, why))
    sys.exit(1)
for p in files:
    raw = open(p, "rb").read()
    if shape == "export":
        if not p.endswith("/000000.gz"):
            bad(p, "not an export object's name")
        for l in gzip.decompress(raw).decode().splitlines():
            if not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S", l):
                bad(p, "a line without the export's time: %.60s" % l)
            n += 1
        continue
    if "." in os.path.basename(p):
        bad(p, "a Firehose object's name with an extension")
    members = []
    while raw:
        z = zlib.decompressobj(31)
        members.append(json.loads(z.decompress(raw)))
        raw = z.unused_data
    if members[0]["messageType"] != "CONTROL_MESSAGE":
        bad(p, "no health check first")
    for m in members[1:]:
        if m["messageType"] != "DATA_MESSAGE" or not 1 <= len(m["logEvents"]) <= 50:
            bad(p, "a delivery that is not a DATA_MESSAGE of 1 to 50 log events")
        n += len(m["logEvents"])
print("%d files, %d records" % (len(files), n))
sys.exit(n != want)
PY
    check "$shape: every record wrapped once ($(cat "$T/shape.out"); native $((NFLOW + NDNS)))" \
        test $? -eq 0
    S="$T/$shape.scan"
    scan "$S" "$D"
    check "$shape: scan exits 0" test $? -eq 0
    summary "$S" >"$S.sum"
    if cmp -s "$N.sum" "$S.sum"; then
        ok "$shape: the native scan's findings ($(tr '\n' ' ' <"$S.sum"))"
    else
        nok "$shape: the native scan's findings" "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
    fi
    check "$shape: the native scan's record counts ($(records "$S"))" test "$(records "$S")" = "$NREC"
    check "$shape: no reject (got $(nrej "$S"): $(rejects "$S" | head -n 2 | tr '\n' ' '))" \
        test "$(nrej "$S")" -eq 0
    check "$shape: the near misses' instance $NEARI has no finding" \
        sh -c '! grep -qF "|$1|" "$2"' _ "$NEARI" "$S.sum"
    id=$(finding_id "$S" "$TYPE")
    "$COALMINE" findings get --db "$S.db" --evidence --format json "$id" >"$S.ev" 2>"$S.ev.err"
    check "$shape: findings get --evidence $TYPE exits 0" test $? -eq 0 -a -n "$id"
    [ $shape = export ] && form=line || form=event
    "$PY" "$W" evidence "$S.ev" "$D" --shape "$form" --instance "$RES" --domain "$DOMAIN" >"$S.evchk"
    rc=$?
    if [ $shape = export ]; then
        what="the Resolver record after the export's time"
    else
        what="a log event object, its message a tunnelling query of $RES"
    fi
    check "$shape: the evidence is $what, at its offset in $D ($(cat "$S.evchk"))" test $rc -eq 0
done

# --- one Firehose stream fed by both log groups ------------------------------------------------
# The subscription filters of the Resolver and the flow log group can share one Firehose stream:
# its objects then hold deliveries of both groups, in the order they came. Each hour's Firehose
# objects joined into one (gzip members back to back) give the native scan's findings and record
# counts and no reject. Before 2026-12-05 an object was parsed with the parser its first messages
# sniffed as: the other group's records were all rejected (flow lines as "not a JSON object").
if [ -d "$T/firehose" ]; then
    for h in $(cd "$T/firehose" && find . -mindepth 4 -maxdepth 4 -type d | sort); do
        mkdir -p "$T/fhmix/$h"
        find "$T/firehose/$h" -type f | sort | while read -r f; do cat "$f"; done >"$T/fhmix/$h/both-1-mixed"
    done
    check "mixed: objects of both log groups ($(find "$T/fhmix" -type f | wc -l | tr -d ' ') objects)" \
        test -n "$(find "$T/fhmix" -type f)"
    for t in 1 2; do
        S="$T/fhmix.$t"
        scan "$S" --threads $t "$T/fhmix"
        summary "$S" >"$S.sum"
        if cmp -s "$N.sum" "$S.sum"; then
            ok "mixed, $t thread(s): the native scan's findings ($(tr '\n' ' ' <"$S.sum"))"
        else
            nok "mixed, $t thread(s): the native scan's findings" "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
        fi
        check "mixed, $t thread(s): the native scan's record counts ($(records "$S")), no reject ($(nrej "$S"): $(rejects "$S" | head -n 1))" \
            test "$(records "$S")" = "$NREC" -a "$(nrej "$S")" -eq 0
    done
fi

# --- the same log events delivered twice ------------------------------------------------------
# Firehose delivers at least once: a batch re-sent after a timeout lands in another object; a
# subscription redelivers; `aws logs filter-log-events` re-run over an overlapping window prints
# the same events again. Each log event's id (the same in every delivery, with its stream) makes
# a copy a repeat, read once: every Firehose object next to a retry of it (its deliveries again,
# one gzip member, so other bytes and another name), with 1 and 2 threads, and the Firehose
# objects next to filter-log-events' output of the same events, give the native scan's findings,
# and every copy is counted in --stats repeated. Before 2026-12-05 each copy was analysed again:
# the tunnel's count doubled (and "repeated" counted CloudTrail only).
if [ -d "$T/firehose" ]; then
    RT="$T/fhretry"
    rm -rf "$RT" && cp -R "$T/firehose" "$RT"
    "$PY" - "$RT" <<'PY'
import gzip, os, sys, zlib
for r, _, fs in os.walk(sys.argv[1]):
    for f in sorted(fs):
        raw, out = open(os.path.join(r, f), "rb").read(), b""
        while raw:
            z = zlib.decompressobj(31)
            m = z.decompress(raw)
            raw = z.unused_data
            out += m if b'"DATA_MESSAGE"' in m else b""
        open(os.path.join(r, f.rsplit("-", 1)[0] + "-retry"), "wb").write(gzip.compress(out, mtime=0))
PY
    check "retried: a retry object next to each Firehose object ($(find "$RT" -type f | wc -l | tr -d ' ') objects)" \
        test "$(find "$RT" -type f -name '*-retry' | wc -l)" -eq "$(find "$T/firehose" -type f | wc -l)"
    for t in 1 2; do
        S="$T/fhretry.$t"
        scan "$S" --threads $t "$RT"
        summary "$S" >"$S.sum"
        if cmp -s "$N.sum" "$S.sum"; then
            ok "retried, $t thread(s): the native scan's findings ($(tr '\n' ' ' <"$S.sum"))"
        else
            nok "retried, $t thread(s): the native scan's findings" "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
        fi
        rep="$(jget "$S.stats" repeated.vpcflow) $(jget "$S.stats" repeated.dns)"
        check "retried, $t thread(s): every copy repeated, read once (repeated vpcflow, dns: $rep; records $NFLOW $NDNS), no reject ($(nrej "$S"))" \
            test "$rep" = "$NFLOW $NDNS" -a "$(nrej "$S")" -eq 0
    done
    # filter-log-events' output of the same events next to the Firehose objects
    OV="$T/fhover"
    rm -rf "$OV" && mkdir -p "$OV" && cp -R "$T/firehose" "$OV/fh"
    if "$PY" "$W" filter "$G/AWSLogs" "$OV/filter" --streams aws 2>"$T/wrap.err"; then
        S="$T/fhover.scan"
        scan "$S" --threads 2 "$OV"
        summary "$S" >"$S.sum"
        if cmp -s "$N.sum" "$S.sum"; then
            ok "Firehose and filter-log-events of the same events: the native scan's findings ($(tr '\n' ' ' <"$S.sum"))"
        else
            nok "Firehose and filter-log-events of the same events: the native scan's findings" \
                "$(diff "$N.sum" "$S.sum" | grep '^[<>]')"
        fi
        rep="$(jget "$S.stats" repeated.vpcflow) $(jget "$S.stats" repeated.dns)"
        check "Firehose and filter-log-events: every copy repeated (vpcflow, dns: $rep; records $NFLOW $NDNS)" \
            test "$rep" = "$NFLOW $NDNS"
    else
        nok "overlap: cwl_wrap.py filter" "$(cat "$T/wrap.err")"
    fi
    # hour by hour with --state: the first hour's retries come in the second hour's scan, and the
    # state remembers the first hour's log events; the same findings as the split without copies
    H0=$(cd "$T/firehose" && find . -mindepth 4 -maxdepth 4 -type d | sort | sed -n 1p)
    H1=$(cd "$T/firehose" && find . -mindepth 4 -maxdepth 4 -type d | sort | sed -n 2p)
    SP="$T/fhsplit"
    rm -rf "$SP" && mkdir -p "$SP/a0" "$SP/a1" "$SP/b0" "$SP/b1"
    cp "$T/firehose/$H0"/* "$SP/a0/" && cp "$T/firehose/$H1"/* "$SP/a1/"
    cp "$T/firehose/$H0"/* "$SP/b0/" && cp "$RT/$H0"/*-retry "$RT/$H1"/* "$SP/b1/"
    for t in 1 2; do
        for v in a b; do
            rm -f "$SP/$v.$t.state"
            scan "$SP/$v.$t.0" --threads $t --state "$SP/$v.$t.state" "$SP/${v}0" &&
                scan "$SP/$v.$t.1" --threads $t --state "$SP/$v.$t.state" --final "$SP/${v}1"
            check "hourly --state, $t thread(s), $v: both scans exit 0" test $? -eq 0
            cat "$SP/$v.$t.0" "$SP/$v.$t.1" >"$SP/$v.$t.all"
            summary "$SP/$v.$t.all" >"$SP/$v.$t.sum"
        done
        if cmp -s "$SP/a.$t.sum" "$SP/b.$t.sum"; then
            ok "hourly --state, $t thread(s): the first hour's retries in the second scan change no finding ($(tr '\n' ' ' <"$SP/b.$t.sum"))"
        else
            nok "hourly --state, $t thread(s): the first hour's retries in the second scan change no finding" \
                "$(diff "$SP/a.$t.sum" "$SP/b.$t.sum" | grep '^[<>]')"
        fi
        r0=$(jsum "$SP/a.$t.0.stats" records) r1=$(jsum "$SP/a.$t.1.stats" records)
        rep=$(jsum "$SP/b.$t.1.stats" repeated)
        check "hourly --state, $t thread(s): the second scan counts every retry repeated, the first hour's too ($rep of $r0 + $r1)" \
            test "$rep" -eq $((r0 + r1)) -a "$r0" -gt 0
    done
fi

# --- Resolver records trimmed of srcids and vpc_id (and account_id) --------------------------------
# A shipper's transform leaves only the query and srcaddr. In S3 the object key names the VPC (and
# the account); out of CloudWatch Logs the log stream names the VPC ("<vpc id>_<instance>": a
# Firehose delivery's logStream, the stream folder of an export task's object, awscli's
# logStreamName, the stream `aws logs tail` writes before each message) and a Firehose
# delivery's owner the account. With an inventory that has the
# tunnel's instance at its address, each form gives the S3 form's findings, on the same instance,
# account and region. Before 2026-12-05 the CloudWatch Logs forms named no VPC: every record
# unattributed, no DNS finding at all.
TR="$T/trim"
mkdir -p "$TR"
find "$G/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | sort | while read -r f; do zcat "$f"; done |
    grep -F "\"instance\":\"$RES\"" | head -n 1 >"$TR/one.json"
RA=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["srcaddr"], r["vpc_id"], r["account_id"])' "$TR/one.json")
set -- $RA
TA=$1 TV=$2 TACCT=$3
printf '{"Reservations":[{"Instances":[{"InstanceId":"%s","LaunchTime":"2025-12-01T00:00:00+00:00","NetworkInterfaces":[{"NetworkInterfaceId":"eni-0770000000000007","VpcId":"%s","PrivateIpAddress":"%s"}]}]}]}\n' \
    "$RES" "$TV" "$TA" >"$TR/inv.json"
# trim DIR SED: Resolver records of DIR/AWSLogs edited by SED
trim() {
    find "$1/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | while read -r f; do
        zcat "$f" | sed -e "$2" | gzip -c >"$f.new" && mv "$f.new" "$f"
    done
}
mkdir -p "$TR/s3" "$TR/s3a"
cp -R "$G/AWSLogs" "$TR/s3/"
trim "$TR/s3" 's/,"srcids":{[^}]*}//; s/"vpc_id":"[^"]*",//'
cp -R "$TR/s3/AWSLogs" "$TR/s3a/"
trim "$TR/s3a" 's/"account_id":"[^"]*",//'
check "trimmed: no Resolver record names its instance or VPC (nor, in s3a, its account)" \
    sh -c '! find "$1" "$2" -path "*/vpcdnsquerylogs/*" -name "*.gz" -exec zcat {} + | grep -q "srcids\|vpc_id" &&
        ! find "$2" -path "*/vpcdnsquerylogs/*" -name "*.gz" -exec zcat {} + | grep -q "account_id"' _ "$TR/s3" "$TR/s3a"
# fsum OUT: type|instance|count|account|region of every finding, sorted
fsum() {
    "$PY" -c 'import json, sys
rows = []
for l in open(sys.argv[1]):
    if l.strip():
        f = json.loads(l)
        rows.append("%s|%s|%s|%s|%s" % (f["type"], f["resource"].get("instanceDetails", {}).get("instanceId", "-"),
                                        f["service"].get("count"), f["accountId"], f["region"]))
print("\n".join(sorted(rows)))' "$1"
}
# dnsi STATS: the --stats dns_instance counts
dnsi() { "$PY" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["dns_instance"], sort_keys=True))' "$1"; }
for s3 in s3 s3a; do
    scan "$TR/$s3.out" --inventory "$TR/inv.json" "$TR/$s3/AWSLogs"
    fsum "$TR/$s3.out" >"$TR/$s3.sum"
    check "trimmed, $s3: $TYPE on $RES, count $COUNT, in $TACCT (got: $(tr '\n' ' ' <"$TR/$s3.sum"))" \
        grep -qxF "$TYPE|$RES|$COUNT|$TACCT|us-east-1" "$TR/$s3.sum"
done
# (export tasks and awscli output carry no account: account_id trimmed, only Firehose's owner has it)
for shape in firehose export filter tail firehose-a; do
    D="$TR/$shape" s3=s3 cut=srcids,vpc_id
    [ $shape = firehose-a ] && s3=s3a cut=srcids,vpc_id,account_id
    if ! "$PY" "$W" "${shape%-a}" "$G/AWSLogs" "$D" --streams aws-resource --owner "$TACCT" \
        --trim $cut 2>"$T/wrap.err"; then
        nok "trimmed, $shape: cwl_wrap.py" "$(cat "$T/wrap.err")"
        continue
    fi
    scan "$D.out" --inventory "$TR/inv.json" "$D"
    fsum "$D.out" >"$D.sum"
    if cmp -s "$TR/$s3.sum" "$D.sum"; then
        ok "trimmed ($cut), $shape: the S3 form's findings, instances, accounts and regions ($(tr '\n' ' ' <"$D.sum"))"
    else
        nok "trimmed ($cut), $shape: the S3 form's findings, instances, accounts and regions" \
            "$(diff "$TR/$s3.sum" "$D.sum" | grep '^[<>]')"
    fi
    check "trimmed, $shape: --stats dns_instance as in S3 ($(dnsi "$D.out.stats"))" \
        test "$(dnsi "$D.out.stats")" = "$(dnsi "$TR/$s3.out.stats")"
done

# --- a Firehose object on standard input ------------------------------------------------------------
F=$(jget "$T/firehose.scan.ev" path 2>/dev/null | sed -n 2p)
[ -n "$F" ] || F=$(find "$T/firehose" -type f | sort | head -n 1)
scan "$T/one" "$F"
check "firehose object alone: Resolver records, no reject ($(records "$T/one"))" \
    test "$(jget "$T/one.stats" records.dns)" -gt 0 -a "$(nrej "$T/one")" -eq 0
scan "$T/in" - <"$F"
check "firehose object on stdin (gzip): the same records ($(records "$T/in")), no reject" \
    test $? -eq 0 -a "$(records "$T/in")" = "$(records "$T/one")" -a "$(nrej "$T/in")" -eq 0
gzip -dc "$F" | scan "$T/inz" -
check "firehose object on stdin (decompressed): the same records ($(records "$T/inz")), no reject" \
    test $? -eq 0 -a "$(records "$T/inz")" = "$(records "$T/one")" -a "$(nrej "$T/inz")" -eq 0
# Firehose set to compress what CloudWatch Logs had already compressed: a gzip in a gzip.
gzip -c "$F" >"$T/nested.gz"
for t in 1 2; do
    scan "$T/innest$t" --threads $t - <"$T/nested.gz"
    check "firehose object gzipped again on stdin, $t thread(s): the same records ($(records "$T/innest$t")), no reject" \
        test $? -eq 0 -a "$(records "$T/innest$t")" = "$(records "$T/one")" -a "$(nrej "$T/innest$t")" -eq 0
done
head -c $(($(wc -c <"$T/nested.gz") * 2 / 3)) "$T/nested.gz" | scan "$T/innestcut" -
check "the same cut short on stdin: fewer records ($(records "$T/innestcut")), the cut reported ($(rejects "$T/innestcut" | head -n 1))" \
    test "$(jget "$T/innestcut.stats" records.dns)" -gt 0 -a \
    "$(jget "$T/innestcut.stats" records.dns)" -lt "$(jget "$T/one.stats" records.dns)" -a \
    "$(jget "$T/innestcut.stats" rejected.files)" -ge 1
# The same damaged objects as files: read as standard input reads them (before 2026-12-04 a
# file whose outer gzip was cut, or had a bad CRC, was parsed still compressed: 0 records).
head -c $(($(wc -c <"$T/nested.gz") * 2 / 3)) "$T/nested.gz" >"$T/nestcut.gz"
scan "$T/nestcut" "$T/nestcut.gz"
check "the same cut short as a file: the records and rejects of stdin ($(records "$T/nestcut"), $(nrej "$T/nestcut") rejects; stdin $(records "$T/innestcut"), $(nrej "$T/innestcut"))" \
    test "$(records "$T/nestcut")" = "$(records "$T/innestcut")" -a \
    "$(nrej "$T/nestcut")" -eq "$(nrej "$T/innestcut")"
"$PY" - "$T/nested.gz" "$T/nestcrc.gz" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-8] ^= 0xFF  # the outer member's CRC-32
open(sys.argv[2], "wb").write(bytes(b))
PY
for how in file stdin; do
    if [ $how = file ]; then scan "$T/nestcrc-$how" "$T/nestcrc.gz"; else scan "$T/nestcrc-$how" - <"$T/nestcrc.gz"; fi
    check "gzipped again with a bad outer CRC-32 ($how): every record ($(records "$T/nestcrc-$how")), one rejected file naming the check ($(rejects "$T/nestcrc-$how" | head -n 1))" \
        test "$(records "$T/nestcrc-$how")" = "$(records "$T/one")" -a \
        "$(jget "$T/nestcrc-$how.stats" rejected.files)" -eq 1 -a \
        -n "$(rejects "$T/nestcrc-$how" | grep '^file|.*incorrect data check')"
done

# --- what `aws logs tail` prints ------------------------------------------------------------------
# A file per log group, the streams interleaved by time; detailed: "<time> <stream> <message>",
# short: "<time> <message>" with a zone-less UTC time.
for form in detailed short; do
    D="$T/tail-$form"
    if ! "$PY" "$W" tail "$G/AWSLogs" "$D" --streams aws --format $form 2>"$T/wrap.err"; then
        nok "tail $form: cwl_wrap.py" "$(cat "$T/wrap.err")"
        continue
    fi
    S="$T/tail-$form.scan"
    scan "$S" "$D"
    summary "$S" >"$S.sum"
    check "aws logs tail --format $form: the native scan's findings and records ($(records "$S")), no reject ($(nrej "$S"): $(rejects "$S" | head -n 1))" \
        test "$(records "$S")" = "$NREC" -a "$(nrej "$S")" -eq 0 -a -s "$S.sum" -a \
        -z "$(diff "$N.sum" "$S.sum")"
    scan "$S.in" - <"$D/coalmine-route53-resolver-query-logs.log"
    check "aws logs tail --format $form, the Resolver group on stdin: its records ($(jget "$S.in.stats" records.dns) of $NDNS), no reject" \
        test "$(jget "$S.in.stats" records.dns)" -eq "$NDNS" -a "$(nrej "$S.in")" -eq 0
done
# the detailed form's evidence is the record after the time and the stream
id=$(finding_id "$T/tail-detailed.scan" "$TYPE")
"$COALMINE" findings get --db "$T/tail-detailed.scan.db" --evidence --format json "$id" \
    >"$T/tail.ev" 2>/dev/null
"$PY" "$W" evidence "$T/tail.ev" "$T/tail-detailed" --shape tail --instance "$RES" \
    --domain "$DOMAIN" >"$T/tail.evchk"
check "aws logs tail (detailed): the evidence is the Resolver record after the time and the stream ($(cat "$T/tail.evchk"))" \
    test $? -eq 0 -a -n "$id"

# --- damaged Firehose objects ------------------------------------------------------------------------
# From F's deliveries (one log event a line, so lines count): bad.gz with three
# bad log events in its second delivery, cut.gz ending in the middle of a log
# event of its second delivery, trunc.gz the bytes of F cut inside its last gzip
# member. *.want: the records still expected, then the rejects as kind|offset|line|reason.
"$PY" - "$F" "$T" <<'PY'
import gzip, json, sys, zlib
src, out = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
members = []
while raw:
    z = zlib.decompressobj(31)
    members.append(json.loads(z.decompress(raw)))
    raw = z.unused_data
data = [m for m in members if m["messageType"] == "DATA_MESSAGE"]
assert len(data) >= 3 and len(data[1]["logEvents"]) >= 8, "too few deliveries to damage"
total = sum(len(m["logEvents"]) for m in data)
def text(m, evs):
    head = {k: v for k, v in m.items() if k != "logEvents"}
    return json.dumps(head, separators=(",", ":"))[:-1] + ',"logEvents":[\n' + ",\n".join(evs) + "\n]}"
def ev(e):
    return json.dumps(e, separators=(",", ":"))
def gz(t):
    return gzip.compress(t.encode(), mtime=0)
def line(t, off):
    return t.count("\n", 0, off) + 1
ctrl = json.dumps(members[0], separators=(",", ":"))

# bad.gz
evs = [ev(e) for e in data[1]["logEvents"]]
num = dict(data[1]["logEvents"][2], message=42)
evs[2] = ev(num)
evs[4] = evs[4][:-1] + ',"extra":}'                     # not JSON
notrec = dict(data[1]["logEvents"][6], message='{"version":"1.100000","query_name":')
evs[6] = ev(notrec)
texts = [ctrl, text(data[0], [ev(e) for e in data[0]["logEvents"]]), text(data[1], evs)]
texts += [text(m, [ev(e) for e in m["logEvents"]]) for m in data[2:]]
whole = "".join(texts)
base = len(texts[0]) + len(texts[1])
want = ["%d" % (total - 3)]
for k, why in ((2, 'log event without a string "message"'), (4, "log event is not valid JSON"),
               (6, "in the log event's message: ")):
    off = base + texts[2].index(evs[k])
    want.append("dns|%d|%d|%s" % (off, line(whole, off), why))
open(out + "/bad.gz", "wb").write(b"".join(gz(t) for t in texts))
open(out + "/bad.want", "w").write("\n".join(want) + "\n")

# cut.gz: the second delivery ends in the middle of its sixth log event
evs = [ev(e) for e in data[1]["logEvents"]]
t1 = text(data[1], evs)
at = t1.index(evs[5])
cut = [ctrl, text(data[0], [ev(e) for e in data[0]["logEvents"]]), t1[:at + len(evs[5]) // 2]]
off = len(cut[0]) + len(cut[1]) + at
open(out + "/cut.gz", "wb").write(b"".join(gz(t) for t in cut))
open(out + "/cut.want", "w").write("%d\ndns|%d|%d|%s\n" % (len(data[0]["logEvents"]) + 5, off,
                                                          line("".join(cut), off), "cut short"))

# trunc.gz: F's bytes, cut in the middle of its last gzip member (a delivery)
raw = open(src, "rb").read()
rest = raw
while rest:
    z = zlib.decompressobj(31)
    z.decompress(rest)
    last = len(rest) - len(z.unused_data)  # this member's compressed length
    rest = z.unused_data
open(out + "/trunc.gz", "wb").write(raw[:len(raw) - last // 2])
open(out + "/trunc.want", "w").write("%d %d\n" % (total - len(data[-1]["logEvents"]), total))
PY
check "damaged Firehose objects written from $(basename "$F")" test $? -eq 0 -a -s "$T/bad.want"

scan "$T/bad" "$T/bad.gz"
check "bad log events: scan exits 0" test $? -eq 0
wantrec=$(head -n 1 "$T/bad.want")
check "bad log events: every other record counted (dns $(jget "$T/bad.stats" records.dns), want $wantrec)" \
    test -n "$wantrec" -a "$(jget "$T/bad.stats" records.dns)" = "$wantrec"
rejects "$T/bad" >"$T/bad.got"
check "bad log events: three rejects, no rejected file (got $(wc -l <"$T/bad.got"), files $(jget "$T/bad.stats" rejected.files))" \
    test "$(wc -l <"$T/bad.got")" -eq 3 -a "$(jget "$T/bad.stats" rejected.files)" -eq 0
tail -n +2 "$T/bad.want" | while IFS='|' read -r kind off line why; do
    # what the scan said about the log event at this offset
    got=$(grep "^$kind|$off|" "$T/bad.got" | head -n 1)
    case $got in
    "$kind|$off|$line|$why"*) echo "ok|$off|$line|$why" ;;
    *) echo "bad|$off|$line|$why|got: ${got:-nothing at byte $off} (all: $(tr '\n' ' ' <"$T/bad.got"))" ;;
    esac
done >"$T/bad.cmp"
while IFS='|' read -r res off line why rest; do
    if [ "$res" = ok ]; then
        ok "bad log events: reject at line $line, byte $off: $why..."
    else
        nok "bad log events: reject at line $line, byte $off: $why..." "$rest"
    fi
done <"$T/bad.cmp"

scan "$T/cut" "$T/cut.gz"
IFS='|' read -r _ coff cline _ <<EOF
$(sed -n 2p "$T/cut.want")
EOF
check "cut in a delivery: the $(head -n 1 "$T/cut.want") records before the cut are kept (got $(jget "$T/cut.stats" records.dns))" \
    test -s "$T/cut.want" -a "$(jget "$T/cut.stats" records.dns)" = "$(head -n 1 "$T/cut.want")"
rejects "$T/cut" >"$T/cut.got"
check "cut in a delivery: one reject at the cut log event, line $cline byte $coff (got: $(tr '\n' ' ' <"$T/cut.got"))" \
    sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^dns|$2|$3|.*cut short" "$1"' _ "$T/cut.got" "$coff" "$cline"

scan "$T/trunc" "$T/trunc.gz"
read -r tmin ttot <"$T/trunc.want"
tgot=$(jget "$T/trunc.stats" records.dns)
check "gzip cut in the last delivery: the earlier deliveries' $tmin records kept, not all $ttot (got $tgot)" \
    test "$tgot" -ge "$tmin" -a "$tgot" -lt "$ttot"
rejects "$T/trunc" >"$T/trunc.got"
check "gzip cut in the last delivery: a rejected file, truncated gzip (got: $(tr '\n' ' ' <"$T/trunc.got"))" \
    sh -c 'test "$1" -eq 1 && grep -q "^file|.*truncated gzip" "$2"' _ "$(jget "$T/trunc.stats" rejected.files)" "$T/trunc.got"

# --- inputs with no record ---------------------------------------------------------------------------
printf '%s' '{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1767571207000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}' |
    gzip >"$T/control"
scan "$T/ctl" "$T/control"
check "a health check alone: exit 0, no record, no reject (records $(records "$T/ctl"); rejects $(nrej "$T/ctl"))" \
    test $? -eq 0 -a "$(jsum "$T/ctl.stats" records)" -eq 0 -a "$(nrej "$T/ctl")" -eq 0

# awscli's pretty-printed output of a search that found nothing
printf '{\n    "events": [],\n    "searchedLogStreams": []\n}\n' >"$T/empty.json"
scan "$T/empty" "$T/empty.json"
check "awscli output with \"events\": []: exit 0, no record" \
    test $? -eq 0 -a "$(jsum "$T/empty.stats" records)" -eq 0
rejects "$T/empty" >"$T/empty.got"
check "awscli output with \"events\": []: reported as a rejected file (got: $(cat "$T/empty.got"))" \
    sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^file|0|1|.*without log events" "$1"' _ "$T/empty.got"

"$PY" -c 'import json
print(json.dumps({"events": [{"logStreamName": "web-1", "timestamp": 1767571207000 + i,
                              "message": "2026-01-05 00:00:07,%03d INFO worker %d started" % (i, i),
                              "ingestionTime": 1767571208000, "eventId": str(i)} for i in range(5)],
                  "searchedLogStreams": [{"logStreamName": "web-1", "searchedCompletely": True}]}, indent=4))' \
    >"$T/app.json"
scan "$T/app" "$T/app.json"
check "application log lines in awscli output: exit 0, no record" \
    test $? -eq 0 -a "$(jsum "$T/app.stats" records)" -eq 0
rejects "$T/app" >"$T/app.got"
check "application log lines: a rejected file, unrecognised format (got: $(cat "$T/app.got"))" \
    sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^file|0|1|.*unrecognised format" "$1"' _ "$T/app.got"

# first member "events", but no event has a message
"$PY" -c 'import json
print(json.dumps({"events": [{"logStreamName": "s", "timestamp": 1767571207000, "ingestionTime": 1767571208000,
                              "eventId": str(i)} for i in range(3)]}, indent=4))' >"$T/nomsg.json"
scan "$T/nomsg" "$T/nomsg.json"
check "\"events\" without \"message\": exit 0 (no crash), no record" \
    test $? -eq 0 -a "$(jsum "$T/nomsg.stats" records)" -eq 0
rejects "$T/nomsg" >"$T/nomsg.got"
check "\"events\" without \"message\": reported at the first event, line 3 (got: $(cat "$T/nomsg.got"))" \
    grep -q '^file|[0-9]*|3|.*no readable log event.*"message"' "$T/nomsg.got"

# the same, mixed with one good event: the others are rejects of its kind
"$PY" - "$T/mixed.json" "$F" <<'PY'
import gzip, json, sys, zlib
raw = open(sys.argv[2], "rb").read()
while raw:
    z = zlib.decompressobj(31)
    m = json.loads(z.decompress(raw))
    raw = z.unused_data
    if m["messageType"] == "DATA_MESSAGE":
        break
rec = m["logEvents"][0]["message"]
evs = [1, "x", None, {"message": None}, {"message": ""}, {"message": rec}, [], {"message": {"a": 1}}]
open(sys.argv[1], "w").write(json.dumps({"events": evs}))
PY
scan "$T/mixed" "$T/mixed.json"
check "events that are not log events around a good one: the record, 7 dns rejects (records $(records "$T/mixed"); rejected $(jget "$T/mixed.stats" rejected.dns))" \
    test $? -eq 0 -a "$(jget "$T/mixed.stats" records.dns)" -eq 1 -a "$(jget "$T/mixed.stats" rejected.dns)" -eq 7

# --- a Firehose object beside S3 deliveries of its source --------------------------------------------
# Firehose without compression writes CloudWatch Logs' gzip members back to back, the health check
# first: the object is placed by its first DATA_MESSAGE's record (11:00), after the S3 object of
# 10:00-10:30, so no Resolver record is late. Before 2026-12-05 only the first member was read for
# its time, the object had none and was read first, and all 31 S3 records came late.
mkdir -p "$T/mix/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/2026/01/05" "$T/mix/firehose"
"$PY" - "$T/mix" <<'PY'
import gzip, json, sys
def rec(t, q):
    return json.dumps({"version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
                       "vpc_id": "vpc-0a1b2c3d", "query_timestamp": t, "query_name": q, "query_type": "A",
                       "query_class": "IN", "rcode": "NOERROR", "answers": [], "srcaddr": "10.0.1.14",
                       "srcport": "5353", "transport": "UDP", "srcids": {"instance": "i-0abc1234def567890"}})
d = sys.argv[1]
s3 = "\n".join(rec("2026-01-05T10:%02d:00Z" % m, "h%d.example.com." % m) for m in range(31)) + "\n"
open(d + "/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/2026/01/05/"
     "vpc-0a1b2c3d_vpcdnsquerylogs_111122223333_20260105T1035Z_0a1b2c3d.log.gz", "wb").write(gzip.compress(s3.encode()))
ctl = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
       "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1767571207000,
                                                 "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}
data = {"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "resolver", "logStream": "vpc-0a1b2c3d",
        "subscriptionFilters": ["f"], "logEvents": [{"id": str(m), "timestamp": 1767607200000 + m * 60000,
                                                     "message": rec("2026-01-05T11:%02d:00Z" % m, "f%d.example.com." % m)}
                                                    for m in range(3)]}
open(d + "/firehose/resolver-1-2026-01-05-11-05-00-0a1b", "wb").write(
    gzip.compress(json.dumps(ctl).encode()) + gzip.compress(json.dumps(data).encode()))
PY
scan "$T/mixo" "$T/mix"
check "Firehose object beside an S3 delivery: 34 records, none late (records $(jget "$T/mixo.stats" records.dns), late $(jget "$T/mixo.stats" late.dns))" \
    test "$(jget "$T/mixo.stats" records.dns)" -eq 34 -a "$(jget "$T/mixo.stats" late.dns)" -eq 0

# --- default-format flow logs out of CloudWatch Logs: the region from the inventory ----------------
# Flow records of the default format carry no region, and neither do a Firehose delivery or an
# export task's key. The instance inventory does: each instance's Placement.AvailabilityZone.
# The same world (its account moved to eu-west-1: the S3 keys and the inventory's zones) as S3
# objects, Firehose deliveries and export objects, scanned without --region and with the
# inventory (gen writes it for the EMR node of port-probe-emr): the same findings, instances,
# accounts and regions (eu-west-1) in all three. With
# --region us-east-1 too, the inventory's region still wins for the instances it knows. Before
# 2026-12-05 the CloudWatch Logs forms' flow detections were all dropped ("records with no
# region") without --region, and with it were put in that region, whatever the instance's.
FR="$T/flowregion"
for d in s3 firehose cloudwatch-export; do
    "$COALMINE" gen --out "$FR/$d" --hours 2 --kinds vpcflow --flow-format default --accounts 1 \
        --regions 1 --instances 8 --principals 4 --scenario portscan --scenario ssh-brute-target \
        --scenario dos-udp --scenario port-probe-emr --delivery $d >/dev/null 2>"$T/gen.err" ||
        nok "gen --delivery $d" "$(cat "$T/gen.err")"
done
for f in $(find "$FR/s3/AWSLogs" -name '*.log.gz'); do
    nf=$(printf '%s\n' "$f" | sed 's|/vpcflowlogs/us-east-1/|/vpcflowlogs/eu-west-1/|; s|_vpcflowlogs_us-east-1_|_vpcflowlogs_eu-west-1_|')
    mkdir -p "$(dirname "$nf")" && mv "$f" "$nf"
done
sed 's/"AvailabilityZone": *"us-east-1\([a-z]\)"/"AvailabilityZone":"eu-west-1\1"/g' \
    "$FR/s3/aws/instances.json" >"$FR/inv-eu.json"
grep -v '^--inventory' "$FR/s3/intel/args.txt" >"$FR/args.txt"
check "flow region: the S3 objects under eu-west-1, the inventory's zones in eu-west-1" \
    sh -c '[ -z "$(find "$1/s3/AWSLogs" -path "*us-east-1*" -name "*.gz")" ] &&
        grep -q "eu-west-1a" "$1/inv-eu.json" && ! grep -q "us-east-1[a-z]" "$1/inv-eu.json"' _ "$FR"
# frscan OUT DIR [options]: without --region, with the scenario's lists
frscan() {
    fo=$1 fd=$2
    shift 2
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --format json --stats "$fo.stats" $(cat "$FR/args.txt") "$@" "$fd" >"$fo" 2>"$fo.err"
}
frscan "$FR/s3.out" "$FR/s3/AWSLogs" --inventory "$FR/inv-eu.json"
fsum "$FR/s3.out" >"$FR/s3.sum"
check "flow region, S3: Portscan, SSHBruteForce and DenialOfService.Udp in eu-west-1 (got: $(cut -d'|' -f1,5 "$FR/s3.sum" | tr '\n' ' '))" \
    test "$(grep -c '^\(Recon:EC2/Portscan\|UnauthorizedAccess:EC2/SSHBruteForce\|Backdoor:EC2/DenialOfService.Udp\)|.*|eu-west-1$' "$FR/s3.sum")" -eq 3
for d in firehose cloudwatch-export; do
    for how in inventory region-too; do
        src=$(find "$FR/$d" -mindepth 1 -maxdepth 1 -type d ! -name intel ! -name aws)
        if [ $how = inventory ]; then
            frscan "$FR/$d.$how" "$src" --inventory "$FR/inv-eu.json"
        else
            frscan "$FR/$d.$how" "$src" --inventory "$FR/inv-eu.json" --region us-east-1
        fi
        fsum "$FR/$d.$how" >"$FR/$d.$how.sum"
        if cmp -s "$FR/s3.sum" "$FR/$d.$how.sum"; then
            ok "flow region, $d ($how): the S3 form's findings, instances, accounts and regions"
        else
            nok "flow region, $d ($how): the S3 form's findings, instances, accounts and regions" \
                "$(diff "$FR/s3.sum" "$FR/$d.$how.sum" | grep '^[<>]'; grep -A2 dropped "$FR/$d.$how.err")"
        fi
    done
done
frscan "$FR/fh.none" "$FR/firehose/firehose"
check "flow region, firehose without inventory or --region: dropped, the summary says how to give one ($(grep -c . "$FR/fh.none") findings)" \
    sh -c '! grep -q "EC2/Portscan" "$1" && grep -q "no region" "$1.err" && grep -q -- "--inventory" "$1.err"' _ "$FR/fh.none"

done_testing
