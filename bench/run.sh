#!/bin/sh
# make bench: generate a corpus with `coalmine gen`, then measure each stage
# and the end-to-end scan, with zcat and zcat|jq measured on the same files in
# the same run as baselines. Prints a table; nothing is asserted.
#
# Environment: BENCH_HOURS (default 24), BENCH_SCALE (default 6) size the
# corpus (about 2 GB decoded with the defaults); BENCH_DIR (default
# bench/out) holds it and is reused when the parameters match.
set -e
BIN=${1:-build/coalmine}
HOURS=${BENCH_HOURS:-24}
SCALE=${BENCH_SCALE:-6}
DIR=${BENCH_DIR:-bench/out}
CORPUS="$DIR/corpus-h$HOURS-s$SCALE"
NPROC=$(nproc 2>/dev/null || echo 2)
mkdir -p "$DIR"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
# mbs BYTES SECONDS: MB/s
mbs() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b / 1e6; else print "-" }'; }

if [ ! -f "$CORPUS/.coalmine-gen.json" ]; then
    rm -rf "$CORPUS"
    echo "bench: generating corpus ($HOURS h, scale $SCALE) into $CORPUS" >&2
    t0=$(now)
    "$BIN" gen --out "$CORPUS" --hours "$HOURS" --scale "$SCALE" >/dev/null
    t1=$(now)
    echo "bench: generated in $(secs "$t0" "$t1") s" >&2
fi
CT_FILES="$DIR/ct.list"
find "$CORPUS" -path '*/CloudTrail/*' -name '*.json.gz' | sort >"$CT_FILES"
CT_DIRS=$(find "$CORPUS/AWSLogs" -maxdepth 2 -type d -name CloudTrail | sort)
FLOW_DIRS=$(find "$CORPUS/AWSLogs" -maxdepth 2 -type d -name vpcflowlogs | sort)
DNS_DIRS=$(find "$CORPUS/AWSLogs" -maxdepth 2 -type d -name vpcdnsquerylogs | sort)

# scan_row LABEL THREADS PATHS... : one end-to-end scan, stats to a file.
scan_row() {
    label=$1; threads=$2; shift 2
    st="$DIR/stats-$(echo "$label" | tr ' /' '__').json"
    /usr/bin/time -f %M -o "$DIR/rss.txt" "$BIN" scan --quiet --threads "$threads" \
        --stats "$st" "$@" >/dev/null
    dec=$(jq .bytes_decoded "$st"); s=$(jq .seconds "$st")
    rec=$(jq '.records.cloudtrail + .records.vpcflow + .records.dns' "$st")
    rss=$(cat "$DIR/rss.txt")
    printf '| %-34s | %9s | %9s | %12s | %8s |\n' "$label" "$(mbs "$dec" "$s")" \
        "$(div "$rec" "$s")" "$rec" "$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')"
    echo "$dec $s" >"$DIR/last.txt"
}

echo
echo "coalmine bench — $(uname -m), $NPROC cores, corpus $(du -sh "$CORPUS" | cut -f1) stored"
echo
echo "| stage (in memory)                  |    MB/s   | records/s |      records |"
echo "|------------------------------------|-----------|-----------|--------------|"
"$BIN" bench --rounds 2 --max-mb 1024 "$CORPUS" >"$DIR/stages.jsonl"
jq -r '"| \(.stage + " " + .kind | .[0:34] | . + (" " * (34 - length))) | \(.mb_s | tostring | .[0:9]) | \(.records_s | floor | tostring) | \(.records | tostring) |"' \
    "$DIR/stages.jsonl"

echo
echo "| end to end (coalmine scan)         |    MB/s   | records/s |      records | RSS (MB) |"
echo "|------------------------------------|-----------|-----------|--------------|----------|"
# shellcheck disable=SC2086
scan_row "cloudtrail .json.gz, 1 thread" 1 $CT_DIRS
ct1=$(cat "$DIR/last.txt")
# shellcheck disable=SC2086
scan_row "cloudtrail .json.gz, $NPROC threads" "$NPROC" $CT_DIRS
ctn=$(cat "$DIR/last.txt")
# shellcheck disable=SC2086
scan_row "vpcflow .log.gz, 1 thread" 1 $FLOW_DIRS
# shellcheck disable=SC2086
scan_row "resolver .log.gz, 1 thread" 1 $DNS_DIRS
scan_row "everything, 1 thread" 1 "$CORPUS"
scan_row "everything, $NPROC threads" "$NPROC" "$CORPUS"

echo
echo "| baseline on the same CloudTrail files     |    MB/s   | coalmine 1 thread is |"
echo "|-------------------------------------------|-----------|----------------------|"
ct_dec=$(echo "$ct1" | cut -d' ' -f1); ct_s=$(echo "$ct1" | cut -d' ' -f2)
ctn_s=$(echo "$ctn" | cut -d' ' -f2)
ours=$(mbs "$ct_dec" "$ct_s")
t0=$(now); xargs zcat <"$CT_FILES" >/dev/null; t1=$(now)
zs=$(secs "$t0" "$t1"); zmb=$(mbs "$ct_dec" "$zs")
printf '| %-41s | %9s | %18sx |\n' "zcat" "$zmb" "$(div "$ours" "$zmb")"
t0=$(now)
xargs zcat <"$CT_FILES" | jq -c '.Records[] | select(.eventName == "ConsoleLogin")' >/dev/null
t1=$(now)
js=$(secs "$t0" "$t1"); jmb=$(mbs "$ct_dec" "$js")
printf '| %-41s | %9s | %18sx |\n' "zcat | jq -c '.Records[] | select(...)'" "$jmb" "$(div "$ours" "$jmb")"
echo
echo "cloudtrail: $NPROC threads vs 1 thread: $(div "$ct_s" "$ctn_s")x"
