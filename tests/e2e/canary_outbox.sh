#!/bin/sh
# e2e: canary results and scheduled rules' Scheduled Events are delivered as reliably as
# findings (docs/canaries.md, "Their events"; docs/internals/bus.md): they go through the
# outbox, in the transaction that records the result or the fire, and a delivery that
# failed is owed and retried by `rules deliver`. A webhook answering 503 then 200 gets the
# FAIL event exactly once; a scheduled rule's event survives a failed first delivery and a
# new process, and carries the store's detector's account and region; a process killed
# (kill -9) between the fire and its delivery neither loses nor duplicates it; a held
# update is not sent again to a target that already took that state; --release-held.
. "$(dirname "$0")/lib/tap.sh"

DB="$T/c.db"
LOGS="$T/logs"
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
HOOK=
cleanup() {
    [ -z "$HOOK" ] || kill "$HOOK" 2>/dev/null
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
trap cleanup EXIT

"$COALMINE" gen --out "$LOGS" --hours 1 --accounts 1 --regions 1 --instances 2 --principals 2 \
    --start 2026-01-05T00:00Z >/dev/null 2>&1
"$COALMINE" scan --db "$DB" "$LOGS" >/dev/null 2>"$T/scan.err"
check "scan stores the logs" test $? -eq 0
"$COALMINE" canary put --db "$DB" --name ct-fresh --check freshness --schedule 'rate(5 minutes)' \
    --params '{"source":"cloudtrail","max_age_minutes":60}' >/dev/null

# 1. A webhook that answers 503, then 200.
if command -v python3 >/dev/null 2>&1; then
    python3 "$(dirname "$0")/lib/hook_server.py" "$T/h.port" "$T/h.log" 503,200 &
    HOOK=$!
    wait_until test -s "$T/h.port"
    "$COALMINE" rules put --db "$DB" --name pager \
        --event-pattern '{"source":["coalmine.canary"],"detail":{"status":["FAIL"]}}' >/dev/null
    "$COALMINE" targets put --db "$DB" --rule pager --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/h.port")"'/page"}' >/dev/null
    "$COALMINE" canary run --db "$DB" ct-fresh --now 2026-01-05T02:10:00Z >"$T/r1.out" 2>"$T/r1.err"
    rc=$?
    check "FAIL, its first delivery answered 503: canary run exits 1 and says so" \
        sh -c '[ "$1" -eq 1 ] && grep -q "FAIL" "$2" &&
            grep -q "rule pager target hook: webhook .*HTTP 503.*owed" "$3"' _ $rc "$T/r1.out" "$T/r1.err"
    check "... the webhook was asked once and took nothing" \
        test "$(lines "$T/h.log")|$(lines "$T/h.log.accepted")" = "1|0"
    "$COALMINE" rules deliveries --db "$DB" --state PENDING >"$T/d1.out"
    check "rules deliveries lists it PENDING as the check's (canary:ct-fresh), 1 attempt" \
        grep -q "^canary:ct-fresh .*pager .*hook .*PENDING  *1 .*HTTP 503" "$T/d1.out"
    "$COALMINE" rules deliveries --db "$DB" --state PENDING --format json >"$T/d1.json"
    check "... and in JSON: Source canary, Name ct-fresh, FindingId null" \
        test "$(jq -r '.Deliveries[0] // .[0] | [.Source, .Name, (.FindingId | tostring)] | join("|")' "$T/d1.json")" = \
        "canary|ct-fresh|null"
    "$COALMINE" rules outbox --db "$DB" --format json >"$T/ob1.json"
    check "rules outbox lists the event owed: canary, its name and status, 1 delivery pending" \
        test "$(jq -r '.Outbox | length, (.[0] | [.Source, .Name, .Status, .PendingDeliveries] | join("|"))' "$T/ob1.json" | tr '\n' ' ')" = \
        "1 canary|ct-fresh|FAIL|1 "
    "$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>"$T/dl1.err"
    rc=$?
    check "a later rules deliver sends it: exit 0, the routed line counts a canary event" \
        sh -c '[ "$1" -eq 0 ] && grep -q "1 canary events" "$2"' _ $rc "$T/dl1.err"
    check "the webhook took the FAIL event exactly once" \
        test "$(lines "$T/h.log.accepted")|$(jq -r '.detail.status + "|" + .detail.name' "$T/h.log.accepted")" = \
        "1|FAIL|ct-fresh"
    check "the retry carried the same event (same id)" \
        test "$(jq -r .id "$T/h.log" | sort -u | wc -l | tr -d ' ')" = 1
    "$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>&1
    check "another rules deliver sends nothing more" test "$(lines "$T/h.log")" = 2
    check "rules outbox: nothing owed any more" \
        test "$("$COALMINE" rules outbox --db "$DB" --format json | jq '.Outbox | length')" = 0
    check "the delivery is DONE" \
        test "$(sqlite3 "$DB" "SELECT state || ':' || attempts FROM deliveries d JOIN outbox o ON o.seq = d.oseq WHERE o.source = 'canary'")" = "DONE:2"
    kill "$HOOK" 2>/dev/null
    wait "$HOOK" 2>/dev/null
    HOOK=
    "$COALMINE" rules delete --db "$DB" --name pager --force >/dev/null
else
    skip "webhook 503 then 200" "python3 not found"
fi

# 2. A scheduled rule whose file target cannot be written at first; the event survives and is
# delivered by a new process. The store's detector gives the account and region.
sqlite3 "$DB" "INSERT INTO detectors(id, account_id, region, enabled, features, tags, created_ms,
    updated_ms) VALUES ('d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0', '111122223333', 'eu-west-1', 1, '{}',
    '{}', 0, 0)"
"$COALMINE" rules put --db "$DB" --name nightly --schedule-expression 'rate(1 hour)' >/dev/null
"$COALMINE" targets put --db "$DB" --rule nightly --id report --kind file \
    --spec '{"path":"'"$T/later/report.jsonl"'"}' >/dev/null
LATER=$(date -u -d "@$(($(date +%s) + 7200))" +%Y-%m-%dT%H:%M:%SZ)
"$COALMINE" canary tick --db "$DB" --now "$LATER" >"$T/t1.out" 2>"$T/t1.err"
rc=$?
check "the fire's first delivery fails: tick exits 1 and says the event is owed" \
    sh -c '[ "$1" -eq 1 ] && grep -q "rule nightly target report: file .*owed" "$2"' _ $rc "$T/t1.err"
check "the rule's fire is recorded with its event in the outbox" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE source = 'schedule' AND name = 'nightly' AND done = 0")" = 1
"$COALMINE" canary tick --db "$DB" --now "$LATER" >/dev/null 2>&1
check "a second tick at the same time does not fire again" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE source = 'schedule'")" = 1
"$COALMINE" rules deliveries --db "$DB" --state PENDING >"$T/d2.out"
check "rules deliveries lists it as schedule:nightly, PENDING" \
    grep -q "^schedule:nightly .*nightly .*report .*PENDING" "$T/d2.out"
check "rules outbox lists it as schedule nightly, 1 pending" \
    sh -c '"$1" rules outbox --db "$2" | grep -q "schedule *nightly .* 1 pending"' _ "$COALMINE" "$DB"
mkdir -p "$T/later"
"$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>"$T/dl2.err"
check "a later rules deliver (a new process) delivers it" \
    sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "1 scheduled events" "$2"' _ "$T/later/report.jsonl" "$T/dl2.err"
check "the Scheduled Event carries the detector's account and region, and the rule's ARN" \
    test "$(jq -r '[."detail-type", .source, .account, .region, .resources[0]] | join("|")' "$T/later/report.jsonl")" = \
    "Scheduled Event|aws.events|111122223333|eu-west-1|arn:aws:events:eu-west-1:111122223333:rule/nightly"
"$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>&1
check "delivered once" test "$(lines "$T/later/report.jsonl")" = 1

# 3. kill -9 between the fire and its delivery: an exec target that kills coalmine the first
# time. The fire is committed with its event; the next run delivers it once.
cat >"$T/killer.sh" <<EOF
#!/bin/sh
if [ ! -f "$T/killed" ]; then
    : >"$T/killed"
    kill -9 \$PPID
    exit 1
fi
cat >>"$T/killed.jsonl"
echo >>"$T/killed.jsonl"
EOF
chmod +x "$T/killer.sh"
"$COALMINE" rules put --db "$DB" --name hourly --schedule-expression 'rate(1 hour)' >/dev/null
"$COALMINE" targets put --db "$DB" --rule hourly --id run --kind exec \
    --spec '{"argv":["'"$T/killer.sh"'"],"timeout_seconds":5}' >/dev/null
"$COALMINE" rules disable --db "$DB" --name nightly >/dev/null 2>&1
"$COALMINE" canary tick --db "$DB" --now "$LATER" >/dev/null 2>&1
rc=$?
check "coalmine killed (kill -9) while delivering the fire" test $rc -eq 137
check "... the fire and its event were committed together" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE source = 'schedule' AND name = 'hourly'")|$(sqlite3 "$DB" "SELECT fired_ms > 0 FROM rules WHERE name = 'hourly'")" = "1|1"
"$COALMINE" canary tick --db "$DB" --now "$LATER" >/dev/null 2>&1
check "a tick after the restart does not fire it again" \
    test "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE source = 'schedule' AND name = 'hourly'")" = 1
# The killed run's claim ends with its lease (the target's timeout and 60 s): as if it had.
sqlite3 "$DB" "UPDATE deliveries SET claim_until = 0"
"$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>&1
"$COALMINE" rules deliver --db "$DB" --now >/dev/null 2>&1
check "the next runs deliver it exactly once" \
    test "$(grep -c '"Scheduled Event"' "$T/killed.jsonl" 2>/dev/null)" = 1

# 4. A held update is not sent again to a target that took that state from a retry.
PUB="$T/pub"
DB2="$T/held.db"
"$COALMINE" gen --out "$PUB" --hours 1 --seed 7 --scenario all >/dev/null 2>&1
"$COALMINE" rules put --db "$DB2" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$DB2" --rule all --id log --kind file \
    --spec '{"path":"'"$T/down/events.jsonl"'"}' >/dev/null
ARGS=$(tr '\n' ' ' <"$PUB/intel/args.txt")
clear_of_interval_end 120
mkdir -p "$T/land"
for slot in $(find "$PUB/AWSLogs" -type f | sed 's/.*\(20[0-9]*T[0-9]*Z\).*/\1/' | sort -u); do
    for f in $(find "$PUB/AWSLogs" -type f -name "*${slot}*"); do
        d="$T/land/${f#"$PUB"/}"
        mkdir -p "$(dirname "$d")"
        ln "$f" "$d"
    done
    # shellcheck disable=SC2086
    "$COALMINE" scan $ARGS --db "$DB2" --state "$T/held.state" "$T/land" >/dev/null 2>&1
done
NF=$(sqlite3 "$DB2" "SELECT count(*) FROM findings WHERE NOT archived")
NH=$(sqlite3 "$DB2" "SELECT count(*) FROM outbox_held")
check "the target down: findings owed, some of them updated and held" \
    test "$NF" -gt 5 -a "$NH" -gt 0 -a "$(sqlite3 "$DB2" "SELECT count(*) FROM deliveries WHERE state = 'PENDING'")" -eq "$NF"
mkdir -p "$T/down"
"$COALMINE" rules deliver --db "$DB2" --now >/dev/null 2>&1
check "the target back: each finding sent once, as stored now (its updates included)" \
    test "$(lines "$T/down/events.jsonl")|$(jq -r .detail.id "$T/down/events.jsonl" | sort -u | wc -l | tr -d ' ')" = "$NF|$NF"
"$COALMINE" rules deliver --db "$DB2" --release-held >/dev/null 2>"$T/rel.err"
check "--release-held releases every held update now" \
    test "$(sqlite3 "$DB2" "SELECT count(*) FROM outbox_held")" = 0
check "... and none is sent again: the target already took that state" \
    test "$(lines "$T/down/events.jsonl")" = "$NF"
check "... the routed line and the deliveries say why" \
    sh -c 'grep -q "$1 not sent (the target already took that state)" "$2" &&
        [ "$(sqlite3 "$3" "SELECT count(*) FROM deliveries WHERE state = '"'"'CANCELLED'"'"'
            AND last_error LIKE '"'"'not sent: the target already took this state%'"'"'")" -eq "$1" ]' \
    _ "$NH" "$T/rel.err" "$DB2"
# A new state after that is sent.
ID=$(sqlite3 "$DB2" "SELECT id FROM findings WHERE NOT archived LIMIT 1")
"$COALMINE" findings archive --db "$DB2" "$ID" >/dev/null 2>&1
"$COALMINE" findings unarchive --db "$DB2" "$ID" >/dev/null 2>&1
"$COALMINE" rules deliver --db "$DB2" --release-held >/dev/null 2>&1
check "an unarchived finding is sent again at its release (its state forgotten)" \
    test "$(lines "$T/down/events.jsonl")" = $((NF + 1))

done_testing
