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

done_testing
