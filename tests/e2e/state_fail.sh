#!/bin/sh
# What `coalmine scan --state FILE` does when something fails: FILE remembers the files a
# scan read, and a later scan leaves them out (docs/internals/statefile.md), so a scan
# must not move FILE on past findings it did not deliver, nor remember a file it did not
# read whole.
#
#   - findings that cannot be written to stdout (a full disk, a closed pipe): exit 1, FILE
#     not written, and the next scan reads the same files and prints every finding (before
#     2026-12-05 it exited 0 after writing FILE: the findings were lost for good).
. "$(dirname "$0")/lib/tap.sh"

G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --seed 3 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 1 hour with every scenario" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")

# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --no-default-intel --quiet --format json $ARGS "$G/AWSLogs" >"$T/one.json" \
    2>"$T/one.err"
check "one scan without --state exits 0" test $? -eq 0
want=$(wc -l <"$T/one.json")
check "... and prints findings ($want)" test "$want" -gt 0

# --- stdout that cannot be written ---------------------------------------------------------
if [ -w /dev/full ]; then
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json $ARGS "$G/AWSLogs" \
        >/dev/full 2>"$T/full0.err"
    check "stdout on a full disk, no --state: exit 1" test $? -eq 1
    check "... saying so" grep -q 'standard output: No space left on device' "$T/full0.err"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/s.state" $ARGS \
        "$G/AWSLogs" >/dev/full 2>"$T/full.err"
    check "stdout on a full disk, with --state: exit 1" test $? -eq 1
    check "... the state file not written" test ! -e "$T/s.state"
    check "... and the summary says the next scan reads the files again" \
        grep -q "state $T/s.state not written: the next scan reads these files again" "$T/full.err"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/s.state" $ARGS \
        "$G/AWSLogs" >"$T/again.json" 2>"$T/again.err"
    check "the next scan exits 0" test $? -eq 0
    check "... and prints every finding ($(wc -l <"$T/again.json") of $want)" \
        test "$(wc -l <"$T/again.json")" -eq "$want"
else
    skip "stdout on a full disk" "no writable /dev/full"
fi
# A reader that has gone: SIGPIPE (or EPIPE) while printing; the state is not written.
rm -f "$T/p.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/p.state" $ARGS \
    "$G/AWSLogs" 2>/dev/null | true
check "stdout a closed pipe: the state file not written" test ! -e "$T/p.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/p.state" $ARGS \
    "$G/AWSLogs" >"$T/p.json" 2>/dev/null
check "... and the next scan prints every finding ($(wc -l <"$T/p.json") of $want)" \
    test "$(wc -l <"$T/p.json")" -eq "$want"

done_testing
