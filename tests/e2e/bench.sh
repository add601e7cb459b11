#!/bin/sh
# The benchmark harness on a tiny corpus: it must run to the end and print
# every row of its table with numbers (the speed itself is not asserted).
COALMINE=${COALMINE:-build/coalmine}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
if ! command -v jq >/dev/null || [ ! -x /usr/bin/time ]; then
    echo "ok 1 - bench harness # SKIP needs jq and /usr/bin/time"
    echo "1..1"
    exit 0
fi
BENCH_DIR="$T" BENCH_HOURS=1 BENCH_SCALE=1 BENCH_RUNS=1 sh bench/run.sh "$COALMINE" \
    >"$T/table.txt" 2>"$T/err.txt"
if [ $? -eq 0 ]; then ok "bench/run.sh exits 0"; else nok "bench/run.sh exits 0"; cat "$T/err.txt"; fi
for row in "inflate all" "json cloudtrail" "parse cloudtrail" "parse vpcflow" "parse dns" \
    "cloudtrail .json.gz, 1 thread" "vpcflow .log.gz v2 default, 1 thread" \
    "vpcflow .log.gz v5 custom, 1 thread" "resolver .log.gz, 1 thread" "everything, 1 thread" \
    "zcat " "zcat | jq"; do
    if grep -F "| $row" "$T/table.txt" | grep -Eq '\| +[0-9]+(\.[0-9]+)? +\|'; then
        ok "row '$row' has numbers"
    else
        nok "row '$row' has numbers"
    fi
done
if grep -q "threads vs 1 thread: [0-9.]*x" "$T/table.txt"; then ok "thread scaling line"; else nok "thread scaling line"; fi
echo "1..$n"
