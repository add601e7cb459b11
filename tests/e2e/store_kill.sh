#!/bin/sh
# tsan: store writes from the scan workers' findings, killed midway
# kill -9 during writes leaves a consistent store: SQLite's integrity and
# foreign-key checks pass, every finding's count equals the events it counted
# (a batch is all there or not there), the store opens again and takes more
# writes. Writers killed: `coalmine bench store` (batched finding writes) and
# `coalmine scan --db`. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

if ! command -v sqlite3 >/dev/null; then
    skip "kill -9 consistency" "sqlite3 CLI not installed"
    done_testing
    exit 0
fi

# consistent DB LABEL: the checks after a kill. A writer killed while it was still
# creating the store (a slow start: a sanitizer, a loaded machine) leaves the schema at
# the last migration it committed, each one its own transaction: the store must open
# and finish it, then hold what the checks ask.
consistent() {
    db=$1; label=$2
    ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
    check "$label: integrity_check ok" test "$ic" = "ok"
    fk=$(sqlite3 "$db" 'PRAGMA foreign_key_check' 2>&1)
    check "$label: no dangling rows" test -z "$fk"
    "$COALMINE" findings list --db "$db" --archived all --max-results 5 --format ids >/dev/null 2>"$T/list.err"
    check "$label: the store opens and lists" test $? -eq 0
    # Findings written with their events (all but sample findings, which have none).
    bad=$(sqlite3 "$db" 'SELECT count(*) FROM findings f WHERE
        EXISTS (SELECT 1 FROM finding_events e WHERE e.fid = f.seq) AND count !=
        (SELECT sum(n) FROM finding_events e WHERE e.fid = f.seq)' 2>&1)
    check "$label: every count equals its events ($bad wrong)" test "$bad" = "0"
}

# created DB PID: wait until the writer has created its store file (at most 120 s),
# so the kill delays count from there, not from a start a sanitizer build on a
# loaded machine may take more than a second over. Fails if the writer ended first.
created() {
    waited=0
    while [ ! -f "$1" ] && [ $waited -lt 2400 ]; do
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
        waited=$((waited + 1))
    done
    test -f "$1"
}

i=0
for delay in 0.05 0.4 0.9 1.6 2.5; do
    i=$((i + 1))
    db="$T/bench$i.db"
    "$COALMINE" bench store --db "$db" --findings 400000 --repeats 100000 >"$T/b$i.out" 2>&1 &
    pid=$!
    if ! created "$db" $pid; then
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        nok "kill $i: the writer created its store ($(head -c 300 "$T/b$i.out"))"
        continue
    fi
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    consistent "$db" "kill $i after ${delay}s"
    rows=$(sqlite3 "$db" 'SELECT count(*) FROM findings' 2>&1)
    check "kill $i: findings written in whole batches ($rows)" test $((rows % 2000)) -eq 0 -o "$rows" -eq 401000
done

# Writes go on after a kill: a second writer on the killed store.
"$COALMINE" findings sample --db "$T/bench1.db" >/dev/null 2>"$T/sample.err"
check "a killed store takes new writes" test $? -eq 0
consistent "$T/bench1.db" "after new writes"

# A scan killed mid-way.
"$COALMINE" gen --out "$T/corpus" --hours 6 --seed 11 >/dev/null 2>&1
"$COALMINE" scan --quiet --threads 2 --db "$T/scan.db" "$T/corpus" >/dev/null 2>&1 &
pid=$!
created "$T/scan.db" $pid
sleep 0.5
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if [ -f "$T/scan.db" ]; then
    consistent "$T/scan.db" "scan killed"
else
    ok "scan killed before it created the store"
fi
"$COALMINE" scan --quiet --threads 2 --db "$T/scan.db" "$T/corpus" >/dev/null 2>"$T/scan.err"
check "the killed scan's store takes the next scan" test $? -eq 0
consistent "$T/scan.db" "scan rerun"
done_testing
