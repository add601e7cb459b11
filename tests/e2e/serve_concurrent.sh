#!/bin/sh
# tsan: concurrent requests on serve's HTTP threads
# Two `coalmine serve` started at the same moment on one new store: both come up, the
# schema is created once (each migration applied by whichever process takes the write
# lock first, the other finding it applied) and the account's detector is made once.
# Before: the second died with "table scans already exists" or "detector ... already
# exists" in about a third of the starts. A scan opening the store beside them is safe
# the same way. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

: "${COALMINE:=build/coalmine}"
if ! command -v sqlite3 >/dev/null; then
    skip "concurrent starts" "sqlite3 CLI not installed"
    done_testing
    exit 0
fi
T=$(mktemp -d)
P1= P2=
trap 'kill $P1 $P2 2>/dev/null; rm -rf "$T"' EXIT

# up FILE: waits up to 20 s for a port file.
up() {
    wait_until -s 20 test -s "$1"
    test -s "$1"
}

for round in 1 2 3 4 5 6; do
    d="$T/r$round"
    mkdir "$d"
    "$COALMINE" serve --db "$d/s.db" --listen 127.0.0.1:0 --port-file "$d/p1" >"$d/o1" 2>&1 &
    P1=$!
    "$COALMINE" serve --db "$d/s.db" --listen 127.0.0.1:0 --port-file "$d/p2" >"$d/o2" 2>&1 &
    P2=$!
    up "$d/p1" && up "$d/p2"
    ok1=$?
    alive=0
    kill -0 "$P1" 2>/dev/null && alive=$((alive + 1))
    kill -0 "$P2" 2>/dev/null && alive=$((alive + 1))
    if [ $ok1 -eq 0 ] && [ $alive -eq 2 ]; then
        ok "round $round: both serve processes came up on one new store"
    else
        nok "round $round: both serve processes came up on one new store" \
            "$(cat "$d/o1" "$d/o2" | grep -v listening | head -n 4)"
    fi
    kill "$P1" "$P2" 2>/dev/null
    wait "$P1" "$P2" 2>/dev/null
    P1= P2=
    ndet=$(sqlite3 "$d/s.db" 'SELECT count(*) FROM detectors' 2>&1)
    check "round $round: one detector ($ndet)" test "$ndet" = "1"
    v=$(sqlite3 "$d/s.db" 'SELECT count(*) = count(DISTINCT version) FROM schema_version' 2>&1)
    check "round $round: each migration recorded once" test "$v" = "1"
    ic=$(sqlite3 "$d/s.db" 'PRAGMA integrity_check' 2>&1)
    check "round $round: integrity_check ok" test "$ic" = "ok"
done
done_testing
