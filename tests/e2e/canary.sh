#!/bin/sh
# e2e: canaries and scheduled rules (docs/canaries.md). A fresh scan makes the
# freshness check PASS; time moving on (--now, not sleeping) makes it FAIL, and
# its event is routed by a rule to a file target; a near miss stays quiet; the
# pipeline check against a file target and a loopback webhook that answers 500
# (FAIL) or 200 (PASS); scan-health; a scheduled rule fires at the right times
# over a simulated day and week; bad input is refused with the reason.
. "$(dirname "$0")/lib/tap.sh"

DB="$T/c.db"
LOGS="$T/logs"
"$COALMINE" gen --out "$LOGS" --hours 1 --accounts 1 --regions 1 --instances 2 --principals 2 \
    --start 2026-01-05T00:00Z >/dev/null 2>&1
"$COALMINE" scan --db "$DB" "$LOGS" >/dev/null 2>"$T/scan.err"
check "scan stores the logs" test $? -eq 0
ACCOUNT=$(sqlite3 "$DB" "SELECT account FROM source_newest WHERE kind = 'cloudtrail'" 2>/dev/null)

# Rules: failing canaries to one file, every canary event to another.
"$COALMINE" rules put --db "$DB" --name canary-fail \
    --event-pattern '{"source":["coalmine.canary"],"detail":{"status":["FAIL"]}}' >/dev/null
"$COALMINE" targets put --db "$DB" --rule canary-fail --id page --kind file \
    --spec '{"path":"'"$T/page.jsonl"'"}' >/dev/null
"$COALMINE" rules put --db "$DB" --name canary-all --event-pattern '{"source":["coalmine.canary"]}' \
    >/dev/null
"$COALMINE" targets put --db "$DB" --rule canary-all --id all --kind file \
    --spec '{"path":"'"$T/all.jsonl"'"}' >/dev/null

"$COALMINE" canary put --db "$DB" --name ct-fresh --check freshness --schedule 'rate(5 minutes)' \
    --params '{"source":"cloudtrail","max_age_minutes":60}' >"$T/put.out"
check "canary put prints the name" grep -qx ct-fresh "$T/put.out"
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# The newest CloudTrail record of the logs is at 00:59:55.
"$COALMINE" canary run --db "$DB" ct-fresh --now 2026-01-05T01:30:00Z >"$T/r1.out"
rc=$?
check "fresh logs: freshness PASS, exit 0" sh -c '[ "$1" -eq 0 ] && grep -q "ct-fresh.*PASS.*30 minutes old (at most 60)" "$2"' _ $rc "$T/r1.out"
check "a first PASS sends no event" test "$(lines "$T/all.jsonl")" = 0

"$COALMINE" canary run --db "$DB" ct-fresh --now 2026-01-05T01:59:00Z >"$T/r2.out"
rc=$?
check "near miss (59 of 60 minutes): still PASS, quiet" \
    sh -c '[ "$1" -eq 0 ] && grep -q PASS "$2" && [ ! -s "$3" ]' _ $rc "$T/r2.out" "$T/page.jsonl"

"$COALMINE" canary tick --db "$DB" --now 2026-01-05T02:10:00Z >"$T/t1.out" 2>"$T/t1.err"
rc=$?
check "tick when due: FAIL (70 minutes), tick exits 0" \
    sh -c '[ "$1" -eq 0 ] && grep -q "ct-fresh.*FAIL.*70 minutes old" "$2"' _ $rc "$T/t1.out"
check "the FAIL event is routed by the rule to the file target" test "$(lines "$T/page.jsonl")" = 1
check "the event: source, detail-type, name, check, status, previousStatus, observed" \
    test "$(jq -r '[.source, ."detail-type", .detail.name, .detail.check, .detail.status,
        .detail.previousStatus, .detail.observed.source, .detail.observed.maxAgeMinutes,
        .detail.observed.newestRecordAt, .time] | join("|")' "$T/page.jsonl")" = \
    "coalmine.canary|Coalmine Canary Check|ct-fresh|freshness|FAIL|PASS|cloudtrail|60|2026-01-05T00:59:55.000Z|2026-01-05T02:10:00.000Z"

"$COALMINE" canary tick --db "$DB" --now 2026-01-05T02:12:00Z >"$T/t2.out" 2>&1
check "tick before the next fire (02:15) runs nothing" \
    sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "0 checks run" "$2"' _ "$T/page.jsonl" "$T/t2.out"
"$COALMINE" canary tick --db "$DB" --now 2026-01-05T02:15:00Z >/dev/null 2>&1
check "still failing: an event on every FAIL (the default)" test "$(lines "$T/page.jsonl")" = 2
"$COALMINE" canary run --db "$DB" ct-fresh --now 2026-01-05T02:20:00Z >/dev/null
check "canary run exits 1 on FAIL" test $? -eq 1

"$COALMINE" canary list --db "$DB" --now 2026-01-05T02:21:00Z --format json >"$T/list.json"
check "list: last status, reason, last run and next run" \
    test "$(jq -r '.Canaries[0] | [.Name, .Check, .Status, .LastRunAt, .NextRunAt, .StatusSince] | join("|")' "$T/list.json")" = \
    "ct-fresh|freshness|FAIL|2026-01-05T02:20:00.000Z|2026-01-05T02:25:00.000Z|2026-01-05T02:10:00.000Z"

# --on-change: a second FAIL is quiet.
"$COALMINE" canary put --db "$DB" --name dns-fresh --check freshness --schedule 'rate(1 hour)' \
    --on-change --params '{"source":"dns","max_age_minutes":30}' >/dev/null
before=$(lines "$T/page.jsonl")
"$COALMINE" canary run --db "$DB" dns-fresh --now 2026-01-05T03:00:00Z >/dev/null
"$COALMINE" canary run --db "$DB" dns-fresh --now 2026-01-05T04:00:00Z >/dev/null
check "--on-change: two FAILs, one event" test "$(lines "$T/page.jsonl")" = $((before + 1))

# Per account and region: another account's CloudTrail was never seen.
"$COALMINE" canary put --db "$DB" --name other-acct --check freshness --schedule 'rate(1 hour)' \
    --params '{"source":"cloudtrail","max_age_minutes":60,"account":"999999999999","region":"us-east-1"}' >/dev/null
"$COALMINE" canary run --db "$DB" other-acct --now 2026-01-05T01:10:00Z >"$T/acct.out"
check "an account never seen: FAIL naming it" \
    grep -q "FAIL.*no cloudtrail record of account 999999999999 in us-east-1" "$T/acct.out"
"$COALMINE" canary put --db "$DB" --name this-acct --check freshness --schedule 'rate(1 hour)' \
    --params '{"source":"cloudtrail","max_age_minutes":60,"account":"'"$ACCOUNT"'","region":"us-east-1"}' >/dev/null
"$COALMINE" canary run --db "$DB" this-acct --now 2026-01-05T01:10:00Z >"$T/acct2.out"
check "the scanned account and region: PASS" grep -q "this-acct.*PASS" "$T/acct2.out"
check "the account's FAIL event carries the account" \
    test "$(jq -r 'select(.detail.name == "other-acct") | .account' "$T/page.jsonl")" = 999999999999

# S3 data events are a source of their own (CloudTrail records of eventCategory Data).
"$COALMINE" canary put --db "$DB" --name s3-data --check freshness --schedule 'rate(1 hour)' \
    --params '{"source":"s3data","max_age_minutes":60}' >/dev/null
"$COALMINE" canary run --db "$DB" s3-data --now 2026-01-05T01:10:00Z --format json >"$T/s3.json"
check "s3data: the scan kept the newest S3 data event, PASS" \
    test "$(jq -r '.Results[0] | .Status + "|" + (.Observed.newestRecordAt | .[0:13])' "$T/s3.json")" = \
    "PASS|2026-01-05T00"

# Recovery: newer logs are scanned; the next run PASSes and says so (to canary-all only).
"$COALMINE" gen --out "$T/logs2" --hours 1 --accounts 1 --regions 1 --instances 2 --principals 2 \
    --start 2026-01-05T04:00Z >/dev/null 2>&1
"$COALMINE" scan --db "$DB" "$T/logs2" >/dev/null 2>&1
pages=$(lines "$T/page.jsonl")
"$COALMINE" canary run --db "$DB" ct-fresh --now 2026-01-05T05:10:00Z >"$T/rec.out"
check "recovered: PASS, its event (previousStatus FAIL) goes to canary-all, not the pager" \
    sh -c '[ "$(wc -l <"$1")" -eq "$2" ] && [ "$(tail -n 1 "$3" | jq -r "[.detail.status, .detail.previousStatus] | join(\"|\")")" = "PASS|FAIL" ]' \
    _ "$T/page.jsonl" "$pages" "$T/all.jsonl"

# scan-health: the last scan just ran and rejected nothing.
"$COALMINE" canary put --db "$DB" --name scans --check scan-health --schedule 'rate(10 minutes)' \
    --params '{"max_silence_minutes":90}' >/dev/null
"$COALMINE" canary run --db "$DB" scans >"$T/sh1.out"
check "scan-health: a scan just now, nothing rejected: PASS" grep -q "scans.*PASS.*rejected 0 of" "$T/sh1.out"
later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "")
if [ -n "$later" ]; then
    "$COALMINE" canary run --db "$DB" scans --now "$later" >"$T/sh2.out"
    check "scan-health: no scan for two hours: FAIL" grep -q "scans.*FAIL.*the last scan started 1[12][0-9] minutes ago (at most 90)" "$T/sh2.out"
else
    skip "scan-health: no scan for two hours" "date -d is not GNU"
fi

# ---- The pipeline check ----
P="$T/p.db"
"$COALMINE" canary put --db "$P" --name alerting --check pipeline --schedule 'rate(15 minutes)' \
    --params '{"deadline_seconds":2}' >/dev/null
"$COALMINE" canary run --db "$P" alerting >"$T/p0.out"
check "pipeline with no rule: FAIL, no one would be alerted" \
    grep -q "alerting.*FAIL.*no enabled rule with a target matches the canary finding" "$T/p0.out"
"$COALMINE" rules put --db "$P" --name findings --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$P" --rule findings --id archive --kind file \
    --spec '{"path":"'"$T/findings.jsonl"'"}' >/dev/null
"$COALMINE" canary run --db "$P" alerting >"$T/p1.out"
rc=$?
check "pipeline to a file target: PASS" sh -c '[ "$1" -eq 0 ] && grep -q "alerting.*PASS.*all 1 targets took the canary finding" "$2"' _ $rc "$T/p1.out"
check "the target got the canary finding, marked as a sample and [CANARY]" \
    test "$(jq -r '[.source, .detail.service.additionalInfo.sample, (.detail.title | startswith("[CANARY] "))] | map(tostring) | join("|")' "$T/findings.jsonl")" = \
    "aws.guardduty|true|true"
check "the canary finding is archived afterwards" \
    test "$("$COALMINE" findings list --db "$P" --format ids 2>/dev/null | wc -l | tr -d ' ')" = 0
if command -v python3 >/dev/null; then
    python3 "$(dirname "$0")/lib/hook_server.py" "$T/h500.port" "$T/h500.log" 500 &
    H500=$!
    python3 "$(dirname "$0")/lib/hook_server.py" "$T/h200.port" "$T/h200.log" 200 &
    H200=$!
    wait_until test -s "$T/h500.port"
    wait_until test -s "$T/h200.port"
    "$COALMINE" targets put --db "$P" --rule findings --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/h500.port")"'/hook","timeout_seconds":5}' >/dev/null
    "$COALMINE" canary run --db "$P" alerting --format json >"$T/p2.json"
    rc=$?
    check "pipeline to a webhook answering 500: FAIL naming the target, exit 1" \
        sh -c '[ "$1" -eq 1 ] && jq -e ".Results[0] | .Status == \"FAIL\" and (.Reason | test(\"target hook of rule findings did not take the canary finding within 2s\"))" "$2" >/dev/null' \
        _ $rc "$T/p2.json"
    check "the webhook was tried more than once within the deadline" \
        sh -c '[ "$(wc -l <"$1")" -ge 2 ] && jq -e ".Results[0].Observed.targets[] | select(.target == \"hook\") | .delivered == false and .attempts >= 2" "$2" >/dev/null' \
        _ "$T/h500.log" "$T/p2.json"
    "$COALMINE" targets put --db "$P" --rule findings --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/h200.port")"'/hook","timeout_seconds":5}' >/dev/null
    "$COALMINE" canary run --db "$P" alerting >"$T/p3.out"
    rc=$?
    check "pipeline to a webhook answering 200 (and the file): PASS" \
        sh -c '[ "$1" -eq 0 ] && grep -q "PASS.*all 2 targets" "$2" && [ "$(wc -l <"$3")" -eq 1 ]' _ $rc "$T/p3.out" "$T/h200.log"
    kill $H500 $H200
    wait $H500 $H200 2>/dev/null
else
    skip "pipeline to a webhook answering 500" "python3 not found"
    skip "the webhook was tried more than once" "python3 not found"
    skip "pipeline to a webhook answering 200" "python3 not found"
fi
"$COALMINE" filters create --db "$P" --name hide-probes --action ARCHIVE \
    --finding-criteria '{"Criterion":{"type":{"Eq":["Recon:EC2/PortProbeUnprotectedPort"]}}}' >/dev/null
"$COALMINE" canary run --db "$P" alerting >"$T/p4.out"
check "an ARCHIVE filter that would hide such findings: FAIL naming it" \
    grep -q "FAIL.*the ARCHIVE filter hide-probes suppresses the canary finding" "$T/p4.out"

# ---- Scheduled rules ----
S="$T/s.db"
"$COALMINE" rules put --db "$S" --name hourly --schedule-expression 'cron(0 * * * ? *)' >/dev/null
check "rules put --schedule-expression" test $? -eq 0
"$COALMINE" targets put --db "$S" --rule hourly --id log --kind file \
    --spec '{"path":"'"$T/hourly.jsonl"'"}' >/dev/null
"$COALMINE" rules list --db "$S" --format json >"$T/rl.json"
check "rules list shows the ScheduleExpression" \
    test "$(jq -r '.Rules[0].ScheduleExpression' "$T/rl.json")" = 'cron(0 * * * ? *)'
day=$(date -u -d tomorrow +%Y-%m-%d 2>/dev/null || echo "")
if [ -n "$day" ]; then
    h=0
    while [ $h -lt 24 ]; do
        for m in 00 20 40; do
            "$COALMINE" canary tick --db "$S" --now "${day}T$(printf %02d $h):$m:00Z" >/dev/null 2>&1
        done
        h=$((h + 1))
    done
    check "an hourly rule ticked every 20 minutes for a day fires 24 times" \
        test "$(lines "$T/hourly.jsonl")" = 24
    check "each at its hour, as a Scheduled Event naming the rule" \
        test "$(jq -r '[.source, ."detail-type", .resources[0], .time] | join("|")' "$T/hourly.jsonl" | sort -u | wc -l | tr -d ' ')-$(jq -r 'select(.source == "aws.events" and ."detail-type" == "Scheduled Event" and .resources[0] == "arn:aws:events:::rule/hourly" and (.time | test("^'"$day"'T[0-9][0-9]:00:00.000Z$"))) | .time' "$T/hourly.jsonl" | sort -u | wc -l | tr -d ' ')" = "24-24"
    "$COALMINE" canary tick --db "$S" --now "${day}T23:59:00Z" >/dev/null 2>&1
    check "a tick again within the hour fires nothing" test "$(lines "$T/hourly.jsonl")" = 24
    next=$(date -u -d "$day + 1 day" +%Y-%m-%d)
    "$COALMINE" canary tick --db "$S" --now "${next}T00:00:30Z" --format json >"$T/tick.json"
    check "tick --format json lists what fired, at its fire time" \
        test "$(jq -r '.Fired | map(.Rule + "|" + .Time) | join(",")' "$T/tick.json")" = \
        "hourly|${next}T00:00:00.000Z"
    "$COALMINE" rules disable --db "$S" --name hourly >/dev/null
    # Weekdays at 09:30, ticked every 2 hours over a week: five fires, each at 09:30 of a weekday.
    "$COALMINE" rules put --db "$S" --name weekdays --schedule-expression 'cron(30 9 ? * MON-FRI *)' >/dev/null
    "$COALMINE" targets put --db "$S" --rule weekdays --id log --kind file \
        --spec '{"path":"'"$T/weekdays.jsonl"'"}' >/dev/null
    # The rule's last fire is when it was put (now, by the real clock), so the
    # first simulated tick also owes the latest weekday 09:30 between now and
    # then, which depends on the day the test runs: at most one, sent once
    # (missed fires are not sent one by one). It is checked, then set aside.
    "$COALMINE" canary tick --db "$S" --now "${next}T00:00:00Z" >/dev/null 2>&1
    first=$(jq -r '.time' "$T/weekdays.jsonl" 2>/dev/null | while read -r t; do
        date -u -d "$t" +%u-%H:%M; done | tr '\n' ' ')
    check "a week's first tick sends at most the latest missed weekday 09:30" \
        sh -c 'case "$1" in "" | [1-5]-09:30" ") exit 0 ;; *) exit 1 ;; esac' _ "$first"
    : >"$T/weekdays.jsonl"
    d=1
    while [ $d -le 7 ]; do
        date_d=$(date -u -d "$day + $d days" +%Y-%m-%d)
        for hh in 00 02 04 06 08 10 12 14 16 18 20 22; do
            "$COALMINE" canary tick --db "$S" --now "${date_d}T$hh:00:00Z" >/dev/null 2>&1
        done
        d=$((d + 1))
    done
    check "weekdays at 09:30 over a week: five fires, at 09:30 Monday to Friday" \
        test "$(jq -r '.time' "$T/weekdays.jsonl" | while read -r t; do
            date -u -d "$t" +%u-%H:%M; done | sort | tr '\n' ' ')" = "1-09:30 2-09:30 3-09:30 4-09:30 5-09:30 "
else
    skip "a scheduled rule over a simulated day" "date -d is not GNU"
fi
"$COALMINE" rules disable --db "$S" --name hourly >/dev/null
fired=$(lines "$T/hourly.jsonl")
"$COALMINE" canary tick --db "$S" --now "2099-01-01T00:00:00Z" >/dev/null 2>&1
check "a disabled scheduled rule does not fire" test "$(lines "$T/hourly.jsonl")" = "$fired"

# ---- Bad input ----
"$COALMINE" rules put --db "$S" --name bad --schedule-expression 'rate(1 minutes)' 2>"$T/b1.err"
check "a bad schedule expression: usage error with the byte and the reason" \
    sh -c '[ "$1" -eq 2 ] && grep -q "at byte 7: rate: 1 wants \"minute\", not \"minutes\"" "$2"' _ $? "$T/b1.err"
"$COALMINE" rules put --db "$S" --name bad --schedule-expression 'rate(5 minutes)' \
    --event-pattern '{}' 2>"$T/b2.err"
check "a pattern and a schedule: refused" test $? -eq 2
"$COALMINE" canary put --db "$S" --name x --check freshness --schedule 'cron(0 12 * * * *)' \
    --params '{"source":"cloudtrail","max_age_minutes":5}' 2>"$T/b3.err"
check "canary put: cron with both days set is refused" \
    sh -c '[ "$1" -eq 2 ] && grep -q "exactly one of day-of-month and day-of-week" "$2"' _ $? "$T/b3.err"
"$COALMINE" canary put --db "$S" --name x --check freshness --schedule 'rate(5 minutes)' \
    --params '{"source":"cloudtrial","max_age_minutes":5}' 2>"$T/b4.err"
check "canary put: a bad parameter value is named" \
    grep -q 'source: "cloudtrial" is not one of cloudtrail, vpcflow, dns, s3data' "$T/b4.err"
"$COALMINE" canary put --db "$S" --name x --check freshness --schedule 'rate(5 minutes)' \
    --params '{"source":"dns","max_age":5}' 2>"$T/b5.err"
check "canary put: an unknown parameter is named with the ones allowed" \
    grep -q 'unknown parameter "max_age" (freshness takes source, max_age_minutes, account or region)' "$T/b5.err"
"$COALMINE" canary put --db "$S" --name x --check freshness --schedule 'rate(5 minutes)' \
    --params '{"source":"dns"}' 2>"$T/b6.err"
check "canary put: a missing parameter is named" grep -q "max_age_minutes: required by freshness" "$T/b6.err"
"$COALMINE" canary put --db "$S" --name x --check nope --schedule 'rate(5 minutes)' 2>"$T/b7.err"
check "canary put: an unknown check" grep -q "unknown check 'nope'" "$T/b7.err"
"$COALMINE" canary list --db "$DB" >"$T/table.txt" 2>&1
check "canary list: a table under a header row, a check a row" \
    sh -c 'head -n 1 "$1" | grep -q "^NAME  *CHECK  *STATE  *SCHEDULE  *STATUS  *RUNS$" &&
        [ "$(grep -c " last .* next " "$1")" -ge 1 ]' _ "$T/table.txt"
"$COALMINE" canary list --db "$S" --all 2>"$T/b9.err"
check "an option of another subcommand: usage error naming it" \
    sh -c '[ "$1" -eq 2 ] && grep -q "canary list: --all does not apply here" "$2"' _ $? "$T/b9.err"
"$COALMINE" canary run --db "$S" no-such 2>"$T/b8.err"
check "canary run: an unknown name" sh -c '[ "$1" -eq 1 ] && grep -q "no canary named no-such" "$2"' _ $? "$T/b8.err"

done_testing
