#!/bin/sh
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

done_testing
