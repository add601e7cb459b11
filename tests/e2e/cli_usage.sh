#!/bin/sh
# End-to-end tests of how the CLI treats its user: option errors name the whole
# command ("coalmine rules put: ...", not getopt's "put: ...") and exit 2, as a bad
# option value does.
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

# --- option errors name the whole command ----------------------------------------------------
for c in "rules put" "rules list" "targets list" "findings get" "filters create" "intel list" \
    "bench intel" "dns score" "scan"; do
    # shellcheck disable=SC2086 # the command's words
    "$COALMINE" $c --bogus </dev/null >/dev/null 2>"$T/err"
    rc=$?
    check "$c --bogus exits 2" test $rc -eq 2
    check "$c --bogus: the message names 'coalmine $c'" \
        grep -q "^coalmine $c: unrecognized option '--bogus'" "$T/err"
done
# A usage error of scan keeps its message on the screen: the synopsis and where the rest is,
# not the 150 lines of --help under it (before 2026-12-06 the message scrolled off).
for a in "--bogus x" "" "--thread 2"; do
    # shellcheck disable=SC2086 # the arguments' words
    "$COALMINE" scan $a </dev/null >/dev/null 2>"$T/err"
    rc=$?
    check "scan $a: exit 2, at most 20 lines on stderr ($(wc -l <"$T/err")), --help named" \
        test $rc -eq 2 -a "$(wc -l <"$T/err")" -le 20 -a -n "$(grep -F "coalmine scan --help" "$T/err")"
done
check "... and scan --help is still the whole help on stdout" \
    sh -c '"$1" scan --help 2>/dev/null | grep -q -- "--checkpoint-interval S  with --follow"' _ "$COALMINE"
"$COALMINE" findings list --db 2>"$T/err" >/dev/null
check "a missing value names the command" \
    grep -q "^coalmine findings list: option '--db' requires an argument" "$T/err"

# --- a bad option value is a usage error (exit 2), whatever the option -------------------------
CRIT='{"Criterion":{"severity":{"Gte":4}}}'
for bad in "--rank 0" "--rank 101" "--rank x" "--action DELETE" "--action noop"; do
    # shellcheck disable=SC2086 # the option and its value
    "$COALMINE" filters create --db "$T/f.db" --name view-abc --finding-criteria "$CRIT" $bad \
        >/dev/null 2>"$T/err"
    check "filters create $bad: exit 2, named, nothing written" \
        test $? -eq 2 -a ! -e "$T/f.db" -a -n "$(grep -e "${bad%% *}" "$T/err")"
done
for bad in "--finding-types Nope:EC2/Nothing" "--account abc"; do
    # shellcheck disable=SC2086
    "$COALMINE" findings sample --db "$T/s.db" $bad >/dev/null 2>"$T/err"
    check "findings sample $bad: exit 2, named, nothing written" \
        test $? -eq 2 -a ! -e "$T/s.db" -a -n "$(grep -e "${bad%% *}" "$T/err")"
done

# --- list tables have column titles ----------------------------------------------------------
"$COALMINE" rules put --db "$T/r.db" --name high --event-pattern '{"source":["aws.guardduty"]}' \
    >/dev/null 2>&1
"$COALMINE" targets put --db "$T/r.db" --rule high --id keep --kind file \
    --spec '{"path":"'"$T/keep.jsonl"'"}' >/dev/null 2>&1
"$COALMINE" rules list --db "$T/r.db" >"$T/rl.txt" 2>&1
check "rules list: titles first, the rule and its target under them" \
    sh -c 'grep -q "^RULE  *STATE  *EVENT PATTERN OR SCHEDULE\$" "$1" &&
        grep -q "^    target ID  *KIND  *SPEC\$" "$1" && [ "$(sed -n 3p "$1" | cut -c1-4)" = high ] &&
        grep -q "^    target keep  *file " "$1"' _ "$T/rl.txt"
"$COALMINE" targets list --db "$T/r.db" >"$T/tl.txt" 2>&1
check "targets list: titles, then the target" \
    sh -c '[ "$(sed -n 1p "$1" | tr -s " ")" = "RULE ID KIND SPEC" ] &&
        [ "$(sed -n 2p "$1" | tr -s " " | cut -d" " -f1-3)" = "high keep file" ]' _ "$T/tl.txt"
"$COALMINE" rules list --db "$T/r.db" --format json >"$T/rl.json" 2>&1
check "rules list --format json has no titles" sh -c '! grep -q "EVENT PATTERN OR" "$1"' _ "$T/rl.json"

done_testing
