# TAP helpers for the e2e scripts (sourced, not run): ok/nok/check/skip
# number their lines; call `done_testing` at the end to print the plan.
# Each script gets a scratch directory in $T, removed on exit.
COALMINE=${COALMINE:-build/coalmine}
T=$(mktemp -d)
trap '[ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # name, command...
    name=$1; shift
    if "$@"; then ok "$name"; else nok "$name"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
done_testing() { echo "1..$n"; }
