#!/bin/sh
# End-to-end tests of how the CLI treats its user: option errors name the whole
# command ("coalmine rules put: ...", not getopt's "put: ...") and exit 2.
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

done_testing
