#!/bin/sh
# tsan: every scenario scanned by the default number of scan workers
# End-to-end tests of `coalmine gen`: the CLI contract (--help, usage errors),
# a one-hour corpus with its manifest, every .gz readable by zcat, every
# CloudTrail file and Resolver line valid JSON for jq, both flow formats,
# byte-identical output for the same options and any --jobs. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

# --- CLI contract ----------------------------------------------------------------
"$COALMINE" gen --help >"$T/help" 2>&1
check "gen --help exits 0" test $? -eq 0
check "gen --help prints usage" grep -q 'usage: coalmine gen' "$T/help"
"$COALMINE" gen --out "$T/x" --bogus >/dev/null 2>"$T/err"
check "unknown option exits 2" test $? -eq 2
check "unknown option is named" grep -q -- '--bogus' "$T/err"
"$COALMINE" gen >/dev/null 2>&1
check "missing --out exits 2" test $? -eq 2
"$COALMINE" gen --out "$T/x" --regions 99 >/dev/null 2>&1
check "out-of-range value exits 2" test $? -eq 2
"$COALMINE" gen --out "$T/x" --start 2026-13-01T00:00Z >/dev/null 2>&1
check "bad --start exits 2" test $? -eq 2
"$COALMINE" gen --out "$T/x" --kinds cloudtrail,nope >/dev/null 2>&1
check "bad --kinds exits 2" test $? -eq 2
# A bad value names its option: with several numbers on the line, "bad value '2'" alone
# does not say which one (the value may also be spelt --opt=VALUE).
for bad in "--hours 2x" "--accounts=-1" "--gzip-level 13" "--delivery x"; do
    # shellcheck disable=SC2086
    "$COALMINE" gen --out "$T/x" --instances 2 $bad >/dev/null 2>"$T/err"
    rc=$?
    opt=${bad%%[ =]*}
    check "gen $bad: exit 2, names $opt" \
        sh -c '[ "$1" -eq 2 ] && grep -q -e "coalmine gen: $2: bad value" "$3"' _ $rc "$opt" "$T/err"
done

# --list-scenarios: columns, or with --format json one object a scenario holding the same
# name and types (in either order of the two options); --format alone is a usage error.
"$COALMINE" gen --list-scenarios >"$T/sc.txt"
check "--list-scenarios exits 0 and lists scenarios" test $? -eq 0 -a -s "$T/sc.txt"
"$COALMINE" gen --format json --list-scenarios >"$T/sc.json"
check "--format json --list-scenarios exits 0" test $? -eq 0
if command -v jq >/dev/null; then
    check "--list-scenarios --format json: the same names and types as the columns" \
        test "$(jq -r '"\(.name) \(.findingTypes | join(","))"' "$T/sc.json")" = \
        "$(awk '{ print $1, $2 }' "$T/sc.txt")"
else
    skip "--list-scenarios --format json: the same as the columns" "jq not installed"
fi
"$COALMINE" gen --out "$T/x" --format json >/dev/null 2>&1
check "--format without --list-scenarios exits 2" test $? -eq 2 -a ! -e "$T/x"

# --- a corpus ----------------------------------------------------------------------
C="$T/corpus"
"$COALMINE" gen --out "$C" --hours 1 >/dev/null 2>"$T/gen.err"
check "gen --hours 1 exits 0" test $? -eq 0
M="$C/.coalmine-gen.json"
check "manifest written" test -s "$M"
nct=$(find "$C/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | wc -l)
nfl=$(find "$C/AWSLogs" -path '*/vpcflowlogs/*' -name '*.log.gz' | wc -l)
ndns=$(find "$C/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.log.gz' | wc -l)
check "files of all three kinds ($nct, $nfl, $ndns)" test "$nct" -gt 0 -a "$nfl" -gt 0 -a "$ndns" -gt 0

bad=0
for f in $(find "$C/AWSLogs" -name '*.gz'); do
    zcat "$f" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# zcat failed: $f"; }
done
check "zcat reads every .gz" test "$bad" -eq 0

v2=0; v5=0
for f in $(find "$C/AWSLogs" -path '*/vpcflowlogs/*' -name '*.gz'); do
    h=$(zcat "$f" | head -n 1)
    case "$h" in
    *traffic-path) v5=$((v5 + 1)) ;;
    *log-status) v2=$((v2 + 1)) ;;
    esac
done
check "both flow formats present (v2 $v2, v5 $v5)" test "$v2" -gt 0 -a "$v5" -gt 0

if command -v jq >/dev/null; then
    bad=0
    for f in $(find "$C/AWSLogs" -path '*/CloudTrail/*' -name '*.gz'); do
        zcat "$f" | jq -e .Records >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# bad: $f"; }
    done
    check "every CloudTrail file passes jq -e .Records" test "$bad" -eq 0
    bad=0
    for f in $(find "$C/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz'); do
        zcat "$f" | jq -e .query_name >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# bad: $f"; }
    done
    check "every Resolver line passes jq -e .query_name" test "$bad" -eq 0
    got=$(find "$C/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + |
          jq '.Records | length' | awk '{s += $1} END {print s + 0}')
    want=$(jq .records.cloudtrail "$M")
    check "CloudTrail records = manifest ($want)" test "$got" = "$want"
    got=$(find "$C/AWSLogs" -path '*/vpcflowlogs/*' -name '*.gz' -exec zcat {} + |
          grep -vc '^version ')
    want=$(jq .records.vpcflow "$M")
    check "flow records = manifest ($want)" test "$got" = "$want"
    got=$(find "$C/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' -exec zcat {} + | wc -l)
    want=$(jq .records.dns "$M")
    check "Resolver records = manifest ($want)" test "$got" = "$want"
    want=$(jq '.files | .cloudtrail + .vpcflow + .dns' "$M")
    check "files = manifest ($want)" test "$want" -eq $((nct + nfl + ndns))
else
    skip "CloudTrail files pass jq" "jq not installed"
    skip "Resolver lines pass jq" "jq not installed"
    skip "record counts = manifest" "jq not installed"
fi

# --- determinism and refusal -------------------------------------------------------
"$COALMINE" gen --out "$T/again" --hours 1 --jobs 1 >/dev/null 2>&1
check "same options, other --jobs: identical output" diff -r "$C" "$T/again"
"$COALMINE" gen --out "$T/seed2" --hours 1 --seed 2 >/dev/null 2>&1
if diff -r -q "$C" "$T/seed2" >/dev/null 2>&1; then nok "another seed differs"; else ok "another seed differs"; fi
"$COALMINE" gen --out "$C" --hours 1 >/dev/null 2>&1
check "refuses a directory that already holds AWSLogs (exit 1)" test $? -eq 1

# --- delivery through CloudWatch Logs ---------------------------------------------
# The same records, as an export task's files and as a subscription's deliveries
# through Firehose: the scan reads the same records and finds the same as in S3.
W="--accounts 1 --regions 1 --instances 8 --principals 4 --hours 2 --flow-format default"
# finding_types FILE: "type instance count" of each finding, sorted
finding_types() {
    python3 -c 'import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    print(f["type"], f["resource"].get("instanceDetails", {}).get("instanceId", "-"),
          f["service"]["count"])' "$1" | sort
}
W="$W --scenario dns-exfil-tester"
"$COALMINE" gen --out "$T/d-s3" $W >/dev/null 2>&1
"$COALMINE" scan --region us-east-1 $(cat "$T/d-s3/intel/args.txt") --format json \
    "$T/d-s3/AWSLogs" >"$T/d-s3.json" 2>"$T/d-s3.err"
grep '^  records:' "$T/d-s3.err" >"$T/d-s3.rec"
finding_types "$T/d-s3.json" >"$T/d-s3.types"
check "s3: the tunnel scenario gives its finding" grep -q DNSDataExfiltration "$T/d-s3.types"
for d in cloudwatch-export firehose; do
    top=$([ "$d" = firehose ] && echo firehose || echo exportedlogs)
    "$COALMINE" gen --out "$T/d-$d" $W --delivery "$d" >/dev/null 2>&1
    check "$d: gen writes under $top/ and no AWSLogs/" \
        sh -c "[ -d '$T/d-$d/$top' ] && [ ! -d '$T/d-$d/AWSLogs' ]"
    "$COALMINE" scan --region us-east-1 $(cat "$T/d-$d/intel/args.txt") --format json \
        "$T/d-$d/$top" >"$T/d-$d.json" 2>"$T/d-$d.err"
    grep '^  records:' "$T/d-$d.err" >"$T/d-$d.rec"
    check "$d: the scan reads the same records as from S3 ($(cat "$T/d-s3.rec"))" \
        cmp -s "$T/d-s3.rec" "$T/d-$d.rec"
    check "$d: no record or file rejected" \
        grep -q '^  rejected: cloudtrail 0, vpcflow 0, dns 0, files 0$' "$T/d-$d.err"
    finding_types "$T/d-$d.json" >"$T/d-$d.types"
    check "$d: the same findings (type, instance, count) as from S3" cmp -s "$T/d-s3.types" "$T/d-$d.types"
done
f=$(find "$T/d-cloudwatch-export/exportedlogs" -path '*/vpc-*' -name '000000.gz' | head -n 1)
check "cloudwatch-export: a Resolver line is '<time> {record}'" \
    sh -c "zcat '$f' | head -n 1 | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z [{]\"version\"'"
f=$(find "$T/d-cloudwatch-export/exportedlogs" -path '*/fl-*' -name '000000.gz' | head -n 1)
check "cloudwatch-export: flow lines have no header" \
    sh -c "zcat '$f' | head -n 1 | grep -Eq '^[0-9-]{10}T[0-9:.]{12}Z 2 [0-9]{12} eni-'"
f=$(find "$T/d-firehose/firehose" -type f -name 'cwl-vpc-*' | sort | head -n 1)
check "firehose: a stream's first object starts with the control message" \
    sh -c "zcat '$f' | head -c 200 | grep -q '^{\"messageType\":\"CONTROL_MESSAGE\"'"
check "firehose: then data messages whose log events carry the records" \
    sh -c "zcat '$f' | grep -q '\"messageType\":\"DATA_MESSAGE\".*\"logEvents\":\[{\"id\":\"[0-9]\{56\}\",\"timestamp\":[0-9]*,\"message\":\"{\\\\\"version'"
"$COALMINE" gen --out "$T/d-mixed" --hours 1 --delivery firehose >"$T/mixed.out" 2>&1
check "firehose with mixed flow formats is refused (no header to tell them apart)" \
    grep -q 'no header line' "$T/mixed.out"

# Custom-format flow logs exported from CloudWatch Logs: no header, so the scan
# needs the fields (--flow-fields, as the S3 files' header names them).
CW="--accounts 1 --regions 1 --instances 4 --principals 2 --hours 1 --kinds vpcflow"
"$COALMINE" gen --out "$T/c-s3" $CW --flow-format custom >/dev/null 2>&1
"$COALMINE" gen --out "$T/c-cw" $CW --flow-format custom --delivery cloudwatch-export \
    >/dev/null 2>&1
f=$(find "$T/c-s3/AWSLogs" -name '*.log.gz' | head -n 1)
hdr=$(zcat "$f" 2>/dev/null | head -n 1 | sed 's/[a-z0-9-][a-z0-9-]*/${&}/g') # the LogFormat
"$COALMINE" scan --region us-east-1 "$T/c-s3/AWSLogs" >/dev/null 2>"$T/c-s3.err"
"$COALMINE" scan --region us-east-1 "$T/c-cw" >/dev/null 2>"$T/c-cw0.err"
check "custom flow export without --flow-fields: every file rejected, naming --flow-fields" \
    sh -c "grep -q '^  records:  cloudtrail 0, vpcflow 0, dns 0' '$T/c-cw0.err' &&
           grep -q 'need --flow-fields' '$T/c-cw0.err'"
"$COALMINE" scan --region us-east-1 --flow-fields "$hdr" "$T/c-cw" >/dev/null 2>"$T/c-cw1.err"
check "custom flow export with --flow-fields '\${...}': the records of the S3 files" \
    test "$(grep '^  records:' "$T/c-cw1.err")" = "$(grep '^  records:' "$T/c-s3.err")"
"$COALMINE" scan --flow-fields 'version srcaddr bogus' "$T/c-cw" >"$T/c-bad.out" 2>&1
check "--flow-fields with a field that does not exist: usage error naming it (exit 2)" \
    sh -c "[ $? -eq 2 ] && grep -q \"field 3: 'bogus' is not a VPC flow log field\" '$T/c-bad.out'"

# A flow scenario through CloudWatch Logs, scanned with args.txt alone: it holds what the
# headerless lines need, --flow-fields for the custom format and --region for the default
# one (whose records and objects name no region). Before 2026-12-05 it held neither: the
# custom files were rejected, the default records' detections dropped, no finding.
for fmt in default custom; do
    for d in cloudwatch-export firehose; do
        top=$([ "$d" = firehose ] && echo firehose || echo exportedlogs)
        G="$T/sc-$fmt-$d"
        "$COALMINE" gen --out "$G" --accounts 1 --regions 1 --instances 8 --principals 4 \
            --hours 1 --kinds vpcflow --flow-format "$fmt" --delivery "$d" \
            --scenario ssh-brute-target >/dev/null 2>&1
        # shellcheck disable=SC2046 # args.txt holds one option and value per line
        "$COALMINE" scan --no-default-intel --format json $(cat "$G/intel/args.txt") "$G/$top" \
            >"$G.json" 2>"$G.err"
        check "$fmt flow logs through $d, scanned with args.txt: the scenario's SSHBruteForce" \
            sh -c "grep -q '\"type\":\"UnauthorizedAccess:EC2/SSHBruteForce\"' '$G.json' &&
                   grep -q '^  rejected: cloudtrail 0, vpcflow 0, dns 0, files 0$' '$G.err'"
    done
done

done_testing
