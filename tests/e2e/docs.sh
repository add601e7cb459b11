#!/bin/sh
# End-to-end tests that README.md keeps its promises: every command and every
# option `--help` names is in it; the exit statuses it states (0, 1, 2) hold
# for each command; the quick start's summary is what `gen` and `scan` print;
# the command examples of "Findings and filters" run as written. Run from the
# top of the tree (README.md). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
README=${README:-README.md}
case $COALMINE in /*) ;; */*) COALMINE=$(pwd)/$COALMINE ;; esac # the examples run in $T
if [ ! -f "$README" ]; then
    skip "README.md promises" "no $README here"
    done_testing
    exit 0
fi

# --- every command, subcommand and option of --help is in the README ----------------
# options HELP_FILE: the options of a help text's usage and option lines (not those
# quoted in its examples, such as an exec target's own argv).
options() {
    grep -E '^(usage: |[[:space:]]+(-[A-Za-z], )?--|[[:space:]]+\[|[[:space:]]+coalmine )' "$1" |
        grep -oE -- '--[a-z][a-z-]*' | sort -u
}
"$COALMINE" --help >"$T/main.help"
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$T/main.help")
check "coalmine --help lists the commands" test -n "$cmds"
for c in $cmds; do
    check "README has a section on coalmine $c" grep -qE "^### .*coalmine $c\b" "$README"
    "$COALMINE" "$c" --help >"$T/$c.help" 2>&1
    check "coalmine $c --help exits 0" test $? -eq 0
    # Subcommands: the indented names under "subcommands:".
    subs=$(sed -n '/^subcommands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$T/$c.help")
    missing=
    for o in $(options "$T/$c.help"); do
        grep -q -- "$o\b" "$README" || missing="$missing $o"
    done
    for s in $subs; do
        "$COALMINE" "$c" "$s" --help >"$T/$c.$s.help" 2>&1
        st=$?
        [ $st -eq 0 ] || missing="$missing ($s --help: exit $st)"
        grep -q "coalmine $c .*$s\|coalmine $c [a-z|]*$s" "$README" || missing="$missing $s"
        for o in $(options "$T/$c.$s.help"); do
            grep -q -- "$o\b" "$README" || missing="$missing $s$o"
        done
    done
    if [ -z "$missing" ]; then ok "every subcommand and option of coalmine $c is in README"; else
        nok "every subcommand and option of coalmine $c is in README" "missing:$missing"; fi
done

# --- exit statuses: 0 success, 1 error, 2 usage error ---------------------------------
status() { # want, args...
    want=$1; shift
    "$COALMINE" "$@" >/dev/null 2>"$T/st.err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "exit $want: coalmine $*"; else
        nok "exit $want: coalmine $*" "status $got" "$(head -n 3 "$T/st.err")"; fi
}
status 2
status 2 no-such-command
for c in $cmds; do
    status 2 "$c" --no-such-option
done
status 2 scan
status 2 scan --final "$T"
status 2 scan --threads 0 "$T"
status 1 scan "$T/no-such-dir"
status 2 findings list
status 1 findings list --db "$T/no-such.db"
status 2 gen
status 2 version --format xml

# --- quick start ----------------------------------------------------------------------
# The summary lines of README's example whose numbers do not depend on the machine.
"$COALMINE" gen --out "$T/logs" --hours 2 >/dev/null 2>&1
"$COALMINE" scan --stats "$T/stats.json" "$T/logs" >"$T/qs.out" 2>"$T/qs.err"
check "quick start: scan exits 0" test $? -eq 0
check "quick start: no finding on stdout but the table's header" test "$(wc -l <"$T/qs.out")" -le 1
sed -n '/^## Quick start/,/^## /p' "$README" |
    grep -E '^  (records|rejected|skipped|dns|findings): ' >"$T/qs.want"
grep -E '^  (records|rejected|skipped|dns|findings): ' "$T/qs.err" >"$T/qs.got"
while IFS= read -r line; do
    if grep -qxF -- "$line" "$T/qs.want"; then ok "README's quick start shows: $line"; else
        nok "README's quick start shows: $line"; fi
done <"$T/qs.got"
while IFS= read -r line; do
    if grep -qxF -- "$line" "$T/qs.err"; then ok "quick start prints: $line"; else
        nok "quick start prints: $line" "$(cat "$T/qs.err")"; fi
done <"$T/qs.want"
check "quick start: --stats is JSON with the records" \
    grep -q '"records":{"cloudtrail":5469,"vpcflow":21379,"dns":7112}' "$T/stats.json"

# The scenarios, scanned as the quick start says: args.txt's options and DIR/AWSLogs.
"$COALMINE" gen --out "$T/sc" --hours 2 --seed 7 --scenario all >/dev/null 2>&1
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --quiet --format json --stats "$T/sc.stats" $(cat "$T/sc/intel/args.txt") \
    "$T/sc/AWSLogs" >"$T/sc.json" 2>"$T/sc.err"
check "quick start with --scenario all: scan exits 0" test $? -eq 0
check "... no input rejected" grep -q '"rejected":{"cloudtrail":0,"vpcflow":0,"dns":0,"files":0}' \
    "$T/sc.stats"
# The 2-hour scenarios' types (scenarios.tsv's needs column: no more hours, no GeoIP).
awk -F'\t' '!/^#/ && ($12 == "-" || $12 !~ /hours|geoip/) { print $2 }' \
    "$T/sc/intel/scenarios.tsv" | sort -u >"$T/sc.want"
jget "$T/sc.json" type | sort -u >"$T/sc.got"
missing=$(comm -23 "$T/sc.want" "$T/sc.got" | tr '\n' ' ')
check "... every 2-hour scenario's finding type ($(wc -l <"$T/sc.want"))${missing:+, missing: $missing}" \
    test -s "$T/sc.want" -a -z "$missing"

# --- the examples of "Findings and filters", run as written ----------------------------
# Each command of the section's sh blocks (a line starting build/coalmine and the lines
# that follow it), with DB set as the first block sets it; filter.json is the body the
# example names.
cat >"$T/filter.json" <<'EOF'
{"Name":"from-json","Action":"NOOP","Rank":2,"FindingCriteria":{"Criterion":{"severity":{"Gte":7}}}}
EOF
sed -n '/^## Findings and filters/,/^## /p' "$README" | awk -v dir="$T" '
    /^```sh/ { inblock = 1; next }
    /^```/ { if (cmd != "") print_cmd(); inblock = 0; next }
    !inblock { next }
    /^DB=/ { next }
    /^build\/coalmine / { if (cmd != "") print_cmd(); cmd = $0; next }
    cmd != "" { cmd = cmd "\n" $0 }
    function print_cmd() { n++; f = dir "/ex." n; printf "%s\n", cmd > f; close(f); cmd = "" }
    END { print n + 0 > (dir "/ex.count") }'
check "README has command examples under Findings and filters" test "$(cat "$T/ex.count")" -ge 10
i=1
while [ "$i" -le "$(cat "$T/ex.count")" ]; do
    first=$(head -n 1 "$T/ex.$i" | sed 's/  *#.*//')
    (cd "$T" && DB="$T/var/coalmine.db" && mkdir -p var &&
        sed "s#^build/coalmine #\"$COALMINE\" #" "$T/ex.$i" |
        DB="$DB" sh >"$T/ex.out" 2>"$T/ex.err")
    st=$?
    if [ $st -eq 0 ]; then ok "example exits 0: $first"; else
        nok "example exits 0: $first" "status $st" "$(head -n 3 "$T/ex.err")"; fi
    i=$((i + 1))
done
done_testing
