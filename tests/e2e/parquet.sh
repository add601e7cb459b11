#!/bin/sh
# VPC Flow Logs in Apache Parquet (README, "coalmine scan"; src/source/parquet.h): the
# files of tests/fixtures/parquet, written by another Parquet implementation from
# flows.log (their README says how), are read as that text is: the same records, the same
# finding from a threat list, evidence that is the row's line; gzipped or on standard
# input too. A codec coalmine does not read (BROTLI) and a cut file are rejected with
# their reason. (tests/integration/parquet_flow.sh compares whole generated
# corpora written in many Parquet layouts.) Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"

F=tests/fixtures/parquet
K=AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/05
mkdir -p "$T/text/$K" "$T/pq/$K" "$T/gz/$K"
NAME=123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20260105T0000Z_0f1e2d3c
cp "$F/flows.log" "$T/text/$K/$NAME.log"
cp "$F/flows-snappy-dict-v1.parquet" "$T/pq/$K/$NAME.log.parquet"
gzip -c "$F/flows-gzip-plain-v1.parquet" >"$T/gz/$K/$NAME.log.parquet.gz"
echo 203.0.113.10 >"$T/threats.txt"

scan() { # NAME PATH ARGS...: a scan with the threat list, its findings in NAME.json
    s=$T/$1; p=$2; shift 2
    "$COALMINE" scan --no-default-intel --threat-list "$T/threats.txt" --format json \
        --stats "$s.st" "$@" "$p" >"$s.json" 2>"$s.err"
    echo $? >"$s.rc"
}
summary() { # the findings' type, resource and count, sorted
    jq -r '[.type, (.resource.instanceDetails.instanceId // "-"), .service.count] | @tsv' \
        "$T/$1.json" | sort
}

scan text "$T/text"
check "the text form: exit 0 with 12 flow records and no reject" \
    test "$(cat "$T/text.rc") $(jget "$T/text.st" records.vpcflow) $(jget "$T/text.st" rejected.files)" \
    = "0 12 0"
check "... and a finding for the listed address" \
    grep -q 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom' "$T/text.json"

for f in flows-snappy-dict-v1 flows-gzip-plain-v1 flows-uncompressed-dict-v2 \
    flows-snappy-delta-v2 flows-gzip-rg3 flows-zstd; do
    rm -rf "$T/one"
    mkdir -p "$T/one/$K"
    cp "$F/$f.parquet" "$T/one/$K/$NAME.log.parquet"
    scan "$f" "$T/one"
    check "$f: exit 0, 12 flow records, no reject" \
        test "$(cat "$T/$f.rc") $(jget "$T/$f.st" records.vpcflow) $(jget "$T/$f.st" rejected.files)" \
        = "0 12 0"
    if [ "$(summary "$f")" = "$(summary text)" ] && [ -n "$(summary text)" ]; then
        ok "$f: the text form's findings ($(summary text | tr '\t\n' ' '))"
    else
        nok "$f: the text form's findings" "$(summary "$f")" "against" "$(summary text)"
    fi
done

# More rows than a batch, in pages that end at other rows in every column: flows-156.log.
rm -rf "$T/t156"
mkdir -p "$T/t156/$K"
cp "$F/flows-156.log" "$T/t156/$K/$NAME.log"
scan t156 "$T/t156"
check "flows-156.log (text): 156 flow records, a finding" \
    test "$(jget "$T/t156.st" records.vpcflow) $(summary t156 | wc -l)" = "156 1"
for f in flows-156-snappy-pages-v1 flows-156-delta-pages-v2; do
    rm -rf "$T/one"
    mkdir -p "$T/one/$K"
    cp "$F/$f.parquet" "$T/one/$K/$NAME.log.parquet"
    scan "$f" "$T/one"
    check "$f: exit 0, 156 flow records, no reject, the text form's findings" \
        test "$(cat "$T/$f.rc") $(jget "$T/$f.st" records.vpcflow) $(jget "$T/$f.st" rejected.files) $(summary "$f" | tr '\t\n' '  ')" \
        = "0 156 0 $(summary t156 | tr '\t\n' '  ')"
done

scan gz "$T/gz"
check "gzipped (.log.parquet.gz): 12 flow records and the same findings" \
    test "$(jget "$T/gz.st" records.vpcflow) $(summary gz)" = "12 $(summary text)"

"$COALMINE" scan --no-default-intel --quiet --stats "$T/stdin.st" - \
    <"$F/flows-snappy-delta-v2.parquet" >/dev/null 2>&1
check "on standard input: 12 flow records" test "$(jget "$T/stdin.st" records.vpcflow)" = 12

# Evidence: the row, as its line of the text (line 1 names the columns).
scan db "$T/pq" --db "$T/f.db"
id=$(jq -r 'select(.type == "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom") | .id' \
    "$T/db.json" | head -n 1)
"$COALMINE" findings get --db "$T/f.db" --evidence --format json "$id" >"$T/ev.json" 2>"$T/ev.err"
check "findings get --evidence exits 0 without a warning" test $? -eq 0 -a ! -s "$T/ev.err"
line=$(jq -r 'select(.record) | .line' "$T/ev.json" | head -n 1)
rec=$(jq -r 'select(.record) | .record' "$T/ev.json" | head -n 1)
check "... the evidence is row $((line - 1)) as its text line $line: flows.log's line" \
    test -n "$line" -a "$rec" = "$(sed -n "${line}p" "$F/flows.log")"
check "... a record with the listed address" sh -c 'echo "$1" | grep -q " 203.0.113.10 "' _ "$rec"

# What is not read, and why.
mkdir -p "$T/bad/$K"
cp "$F/flows-brotli.parquet" "$T/bad/$K/${NAME}z.log.parquet"
head -c 3000 "$F/flows-snappy-dict-v1.parquet" >"$T/bad/$K/${NAME}c.log.parquet"
scan bad "$T/bad" --max-rejects 10
check "a BROTLI file and a cut one: 2 files rejected, no record" \
    test "$(jget "$T/bad.st" rejected.files) $(jget "$T/bad.st" records.vpcflow)" = "2 0"
check "... the first for its codec" \
    grep -q 'Parquet column chunk compressed with BROTLI, which coalmine does not read' "$T/bad.err"
check "... the second for its missing footer" \
    grep -q 'Parquet file cut short or damaged: no footer (PAR1) at its end' "$T/bad.err"
check "... the scan still exits 0 (rejects are counted, not fatal)" test "$(cat "$T/bad.rc")" = 0

done_testing
