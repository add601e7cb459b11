#!/bin/sh
# The benchmark harness on a tiny corpus: it must run to the end and print
# every row of its table with numbers (the speed itself is not asserted).
. "$(dirname "$0")/lib/tap.sh"
if ! command -v jq >/dev/null || [ ! -x /usr/bin/time ]; then
    skip "bench harness" "needs jq and /usr/bin/time"
    done_testing
    exit 0
fi
# BENCH_IFACES small: the default (100,000 interfaces, 100 M records) is for make bench,
# not for every test run (three of them in CI, two under sanitizers).
BENCH_DIR="$T" BENCH_HOURS=1 BENCH_SCALE=1 BENCH_RUNS=1 BENCH_STORE_FINDINGS=6000 \
    BENCH_STORE_REPEATS=2000 BENCH_INTEL_ENTRIES=20000 BENCH_INTEL_LOOKUPS=100000 \
    BENCH_INTEL_LIST=20000 BENCH_IFACES=400 sh bench/run.sh "$COALMINE" \
    >"$T/table.txt" 2>"$T/err.txt"
if [ $? -eq 0 ]; then ok "bench/run.sh exits 0"; else nok "bench/run.sh exits 0"; cat "$T/err.txt"; fi
for row in "inflate all" "json cloudtrail" "parse cloudtrail" "parse vpcflow" "parse dns" \
    "cloudtrail .json.gz, 1 thread" "vpcflow .log.gz v2 default, 1 thread" \
    "vpcflow .log.gz v5 custom, 1 thread" "resolver .log.gz, 1 thread" "everything, 1 thread" \
    "resolver via Firehose, 1 thread" \
    "zcat " "zcat | jq" "store new findings" "store repeats (stored finding updated)" \
    "store repeats (aggregated, as a scan)" "all, newest first" "severity >= 7, pages 1-20" \
    "everything, 1 thread, no intel" "everything, 1 thread, intel lists" \
    "ipv4 /32: random addresses" "ipv4 /32: listed addresses" "ipv4 mixed: 90% outside" \
    "ipv4 /32: listed addresses, batched" "domains: 4-label names, miss, batched" \
    "domains: names under a listed one, hit, batched" \
    "domains: the same, batched, names split by the parser" "txt list file" "domains: 4-label names, miss" "domains: names under a listed one" \
    "vpcflow 400 interfaces, 1 thread"; do
    if grep -F "| $row" "$T/table.txt" | grep -Eq '\| +[0-9]+(\.[0-9]+)? +\|'; then
        ok "row '$row' has numbers"
    else
        nok "row '$row' has numbers"
    fi
done
# The Parquet row: the flow records again, as parquet-wasm wrote them (when node and the
# writer can be installed), as many as the .log.gz row's.
recs() { grep -F "| $1" "$T/table.txt" | awk -F'|' '{ gsub(/ /, "", $5); print $5 }'; }
if grep -F "| vpcflow .log.parquet all, 1 thread" "$T/table.txt" | grep -Eq '\| +[0-9]+(\.[0-9]+)? +\|'; then
    check "row 'vpcflow .log.parquet all, 1 thread': the .log.gz row's $(recs "vpcflow .log.gz all") records" \
        test "$(recs "vpcflow .log.parquet all")" = "$(recs "vpcflow .log.gz all")" -a -n "$(recs "vpcflow .log.gz all")"
elif grep -q "vpcflow .log.parquet all, 1 thread *| (skipped: node or parquet-wasm not installed)" "$T/table.txt"; then
    skip "row 'vpcflow .log.parquet all, 1 thread'" "node or parquet-wasm not installed"
else
    nok "row 'vpcflow .log.parquet all, 1 thread'" "$(grep -F "parquet" "$T/table.txt")"
fi
# The zstd row: the CloudTrail files recompressed, as many records as the .json.gz row's.
if grep -F "| cloudtrail .json.zst, 1 thread" "$T/table.txt" | grep -Eq '\| +[0-9]+(\.[0-9]+)? +\|'; then
    check "row 'cloudtrail .json.zst, 1 thread': the .json.gz row's $(recs "cloudtrail .json.gz, 1") records" \
        test "$(recs "cloudtrail .json.zst, 1")" = "$(recs "cloudtrail .json.gz, 1")" -a -n "$(recs "cloudtrail .json.gz, 1")"
elif grep -q "cloudtrail .json.zst, 1 thread *| (skipped: the zstd command is not installed)" "$T/table.txt"; then
    skip "row 'cloudtrail .json.zst, 1 thread'" "the zstd command is not installed"
else
    nok "row 'cloudtrail .json.zst, 1 thread'" "$(grep -F "zst" "$T/table.txt")"
fi
if grep -q "threads vs 1 thread: [0-9.]*x" "$T/table.txt"; then ok "thread scaling line"; else nok "thread scaling line"; fi
if grep -Eq "^records per worker at [0-9]+ threads: cloudtrail [0-9]+( / [0-9]+)* \([0-9]+ accounts\); everything [0-9]+( / [0-9]+)*$" "$T/table.txt"; then
    ok "records per worker line"
else
    nok "records per worker line" "$(grep "records per worker" "$T/table.txt")"
fi
if grep -Eq "with 400 interfaces: [0-9]+ keys at most" "$T/table.txt"; then ok "flow state line"; else nok "flow state line"; fi
if grep -Eq "^dns score: [0-9]+ names/s" "$T/table.txt"; then ok "dns score line"; else nok "dns score line"; fi
if grep -Eq "^memory \(1 thread\): a load waiting on the one before [0-9.]+ ns within 1 MiB, .*64 MiB; random lines read independently [0-9.]+ ns each" "$T/table.txt"; then
    ok "memory line"
else
    nok "memory line"
fi
# coalmine bench memory, as bench/run.sh ran it (into BENCH_DIR): five JSON lines, the
# latency growing with the working set (a 64 MiB walk is never faster than a 1 MiB one);
# and usage errors with exit status 2.
if [ -s "$T/memory.jsonl" ] && [ "$(jq -s 'length' "$T/memory.jsonl")" = 5 ] &&
    jq -se '.[0].mib == 1 and .[3].mib == 64 and .[3].ns_per_load >= .[0].ns_per_load
        and .[4].stage == "memory: independent random lines" and .[4].ns_per_load > 0' \
        "$T/memory.jsonl" >/dev/null; then
    ok "bench memory: five measurements"
else
    nok "bench memory: five measurements"
    cat "$T/memory.jsonl"
fi
"$COALMINE" bench memory --bogus >/dev/null 2>&1
if [ $? -eq 2 ]; then ok "bench memory: unknown option exits 2"; else nok "bench memory: unknown option exits 2"; fi
"$COALMINE" bench memory extra >/dev/null 2>&1
if [ $? -eq 2 ]; then ok "bench memory: an argument exits 2"; else nok "bench memory: an argument exits 2"; fi
if grep -Eq "intel matching with .* vs none.*: [-+][0-9.]+% time best against best; [-+][0-9.]+% the median of [0-9]+ alternated pairs \\([-+][0-9.]+%" "$T/table.txt"; then ok "intel cost line"; else nok "intel cost line"; fi
# bench intel --only: one part of the intel bench alone.
"$COALMINE" bench intel --entries 2000 --lookups 4000 --only domains >"$T/only.jsonl" 2>&1
if [ $? -eq 0 ] && [ "$(jq -s 'length' "$T/only.jsonl")" = 6 ] &&
    jq -se 'all(.[]; .stage | startswith("domains: "))' "$T/only.jsonl" >/dev/null; then
    ok "bench intel --only domains: the six domain lines alone"
else
    nok "bench intel --only domains: the six domain lines alone"
    cat "$T/only.jsonl"
fi
"$COALMINE" bench intel --entries 2000 --lookups 4000 --only ipv4 --dir "$T" >"$T/only4.jsonl" 2>&1
if [ $? -eq 0 ] && jq -se 'length > 0 and all(.[]; .stage | startswith("domains") | not)
        and any(.[]; .stage | startswith("txt list file"))' "$T/only4.jsonl" >/dev/null; then
    ok "bench intel --only ipv4: no domain lines"
else
    nok "bench intel --only ipv4: no domain lines"
    cat "$T/only4.jsonl"
fi
"$COALMINE" bench intel --only names >/dev/null 2>"$T/only.err"
if [ $? -eq 2 ] && grep -q "only wants ipv4 or domains" "$T/only.err"; then
    ok "bench intel --only: a bad part exits 2"
else
    nok "bench intel --only: a bad part exits 2"
fi
# Numeric options take the whole value: trailing garbage, a sign or an overflow is a usage
# error (exit 2), not a number cut short (strtol took "2x" as 2 and "-1" as a huge count).
mkdir -p "$T/in" && printf '{"Records":[]}\n' >"$T/in/ct.json"
for args in "--rounds 2x" "--rounds -1" "--max-mb 5x" "--max-mb 99999999999999999999"; do
    # shellcheck disable=SC2086
    "$COALMINE" bench $args "$T/in" >/dev/null 2>"$T/num.err"
    if [ $? -eq 2 ] && grep -q -- "${args%% *}" "$T/num.err"; then
        ok "bench $args: exits 2 and names the option"
    else
        nok "bench $args: exits 2 and names the option"
    fi
done
for args in "--findings -1" "--findings 5x" "--repeats 1x" "--findings 10 extra"; do
    # timeout: before the fix, --findings -1 asked for 2^64-1 findings and ran on
    # shellcheck disable=SC2086
    timeout 60 "$COALMINE" bench store --db "$T/num.db" $args >/dev/null 2>&1
    if [ $? -eq 2 ] && [ ! -e "$T/num.db" ]; then
        ok "bench store $args: exits 2, no store written"
    else
        nok "bench store $args: exits 2, no store written"
    fi
done
# The usage error says what holds: findings at least 1, repeats at most findings (0 is none).
"$COALMINE" bench store --db "$T/num.db" --findings 0 >/dev/null 2>"$T/num.err"
rc=$?
"$COALMINE" bench store --db "$T/num.db" --findings 3 --repeats 0 >"$T/num.out" 2>&1
if [ $rc -eq 2 ] && grep -q "findings >= 1" "$T/num.err" && ! grep -q "0 < repeats" "$T/num.err" &&
    grep -q '"stage":"store repeats (stored finding updated)","records":0,' "$T/num.out"; then
    ok "bench store: --findings 0 refused as the message says, --repeats 0 times none"
else
    nok "bench store: --findings 0 refused as the message says, --repeats 0 times none"
fi
done_testing
