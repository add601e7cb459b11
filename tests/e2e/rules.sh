#!/bin/sh
# End-to-end tests of the event bus: `coalmine rules` and `coalmine targets`
# with `coalmine scan --db`. Generated CloudTrail with three scenarios gives
# four findings (two root credential usages and a CloudTrail stop, severity
# 2; a Kali Linux caller, severity 5). Rules with EventBridge patterns route
# them to exec and file targets; checks: which findings reach which target,
# the event each gets (an EventBridge envelope with the stored finding) and
# the program's environment, no second delivery when the same logs are
# scanned again, retries with backoff and giving up, disabled rules,
# archived findings, --no-route, `rules test`, the CLI's validation, and two
# processes delivering from one store at once, a webhook that hangs, and
# updates held for the publishing frequency (cron scans of a corpus landing
# slot by slot, to a file target and a webhook).
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
DB="$T/r.db"
LOGS="$T/logs"
OUT="$T/out"
mkdir -p "$OUT"
"$COALMINE" gen --out "$LOGS" --hours 1 --scenario root-credential-usage \
    --scenario pentest-kali-iam --scenario cloudtrail-stop >/dev/null 2>&1
check "gen writes the corpus" test -d "$LOGS"

# The response program: keeps the event and its environment, by finding id.
cat >"$T/respond.sh" <<EOF
#!/bin/sh
cat >"$OUT/\$COALMINE_FINDING_ID.json"
printf '%s|%s|%s|%s|%s\n' "\$COALMINE_RULE" "\$COALMINE_TARGET_ID" "\$COALMINE_FINDING_TYPE" \\
    "\$COALMINE_ATTEMPT" "\$TEAM" >"$OUT/\$COALMINE_FINDING_ID.env"
EOF
chmod +x "$T/respond.sh"

# --- rules and targets ----------------------------------------------------------------------
"$COALMINE" rules put --db "$DB" --name medium-up --description "Medium and above" \
    --event-pattern '{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",4]}]}}' >"$T/p1.out"
check "rules put creates the store and prints the name" test $? -eq 0 -a "$(cat "$T/p1.out")" = medium-up
"$COALMINE" targets put --db "$DB" --rule medium-up --id respond --kind exec \
    --spec '{"argv":["'"$T/respond.sh"'"],"env":{"TEAM":"ir"}}' >"$T/t1.out"
check "targets put exec" test $? -eq 0
check "targets put prints the canonical spec (timeout filled in)" grep -q '"timeout_seconds":30' "$T/t1.out"
"$COALMINE" rules put --db "$DB" --name everything --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$DB" --rule everything --id archive --kind file \
    --spec '{"path":"'"$T/events.jsonl"'"}' >/dev/null
check "targets put file" test $? -eq 0
"$COALMINE" rules list --db "$DB" --format json >"$T/l1.json"
check "rules list json: both rules by name" \
    test "$(jq -r '[.Rules[].Name] | join(" ")' "$T/l1.json")" = "everything medium-up"
check "rules list json: targets with kind" \
    test "$(jget "$T/l1.json" Rules.1.Targets.0.Kind)|$(jget "$T/l1.json" Rules.1.State)" = "exec|ENABLED"

# --- a scan routes what it stores ----------------------------------------------------------------
"$COALMINE" scan --db "$DB" --format json --stats "$T/s1.stats" "$LOGS" >"$T/s1.json" 2>"$T/s1.err"
check "scan exits 0" test $? -eq 0
check "scan: four findings" test "$(wc -l <"$T/s1.json")" -eq 4
check "scan summary: routed line" grep -q 'routed:   4 findings, 5 rule matches, 5 delivered, 0 failed' "$T/s1.err"
check "file target: one line per finding" test "$(wc -l <"$T/events.jsonl")" -eq 4
check "file target: EventBridge envelopes" \
    test "$(jget "$T/events.jsonl" source | sort -u)|$(jget "$T/events.jsonl" detail-type | sort -u)" = "aws.guardduty|GuardDuty Finding"
check "file target: the scan's finding ids" \
    test "$(jget "$T/events.jsonl" detail.id | sort | tr '\n' ' ')" = "$(jget "$T/s1.json" id | sort | tr '\n' ' ')"
KALI=$(jq -r 'select(.type == "PenTest:IAMUser/KaliLinux") | .id' "$T/s1.json")
check "exec target: only the severity 5 finding" test "$(ls "$OUT" | tr '\n' ' ')" = "$KALI.env $KALI.json "
check "exec target: the event on stdin is the stored finding's" \
    test "$(jq -c '.detail | [.id, .type, .severity, .service.count, .updatedAt]' "$OUT/$KALI.json")" = \
    "$(jq -c "select(.id == \"$KALI\") | [.id, .type, .severity, .service.count, .updatedAt]" "$T/s1.json")"
check "exec target: environment (rule, target, type, attempt, spec env)" \
    test "$(cat "$OUT/$KALI.env")" = "medium-up|respond|PenTest:IAMUser/KaliLinux|1|ir"
# --stats says what routing did, per target (before, it had no routing numbers).
check "--stats: routing totals" \
    test "$(jq -c '.routing | [.events, .rule_matches, .delivered, .failed, .held]' "$T/s1.stats")" = "[4,5,5,0,0]"
check "--stats: routing per target, by rule then target" \
    test "$(jq -r '[.routing.targets[] | "\(.rule)/\(.target)/\(.kind):\(.matched):\(.delivered)"] | join(" ")' "$T/s1.stats")" = \
    "everything/archive/file:4:4 medium-up/respond/exec:1:1"
"$COALMINE" rules deliveries --db "$DB" --format json >"$T/d1.json"
check "deliveries: five, all DONE" \
    test "$(jq '[.Deliveries[] | select(.State == "DONE")] | length' "$T/d1.json")|$(jlen "$T/d1.json" Deliveries)" = "5|5"
"$COALMINE" rules deliveries --db "$DB" >"$T/d1.txt"
check "deliveries table: column titles, then the five rows" \
    test "$(head -n 1 "$T/d1.txt" | tr -s ' ')|$(grep -c ' DONE  *1 ' "$T/d1.txt")" = \
    "FINDING OR EVENT RULE TARGET STATE ATTEMPTS NEXT ATTEMPT LAST ERROR|5"

# --- the same logs again: nothing new, nothing routed ---------------------------------------------
rm -f "$OUT"/*
"$COALMINE" scan --db "$DB" --format json "$LOGS" >/dev/null 2>"$T/s2.err"
check "rescan: nothing routed again" test "$(wc -l <"$T/events.jsonl")" -eq 4 -a -z "$(ls "$OUT")"
check "rescan: no routed line" test "$(grep -c 'routed:' "$T/s2.err")" -eq 0

# --- rules test -----------------------------------------------------------------------------
"$COALMINE" rules test --db "$DB" --finding "$KALI" \
    --event-pattern '{"detail":{"type":[{"prefix":"PenTest:"}],"service":{"count":[{"numeric":[">",0]}]}}}' >"$T/x1.out"
check "rules test --finding: match" test "$(cat "$T/x1.out")" = '{"Result":true}'
"$COALMINE" rules test --event-pattern '{"detail":{"severity":[{"numeric":[">=",7]}]}}' \
    --event "file://$OUT/../events.jsonl" >"$T/x2.out" 2>"$T/x2.err"
check "rules test --event of JSON Lines: refused (one event)" test $? -eq 1
head -n 1 "$T/events.jsonl" >"$T/one.json"
"$COALMINE" rules test --event-pattern '{"detail":{"severity":[{"numeric":[">=",7]}]}}' \
    --event "file://$T/one.json" >"$T/x3.out"
check "rules test --event: no match" test "$(cat "$T/x3.out")" = '{"Result":false}'
"$COALMINE" rules put --db "$DB" --name bad --event-pattern '{"detail":{"severity":7}}' 2>"$T/b1.err"
check "rules put: a bad pattern is refused (exit 1)" test $? -eq 1
check "rules put: the reason names the path" grep -q 'detail.severity' "$T/b1.err"
DUP='{"detail":{"type":[{"prefix":"Recon:"}],"type":[{"prefix":"PenTest:"}]}}'
"$COALMINE" rules test --event-pattern "$DUP" --event '{"detail":{"type":"PenTest:IAMUser/KaliLinux"}}' >"$T/x4.out"
check "rules test: a key given twice, the last one is used" test "$(cat "$T/x4.out")" = '{"Result":true}'
"$COALMINE" rules test --event-pattern "$DUP" --event '{"detail":{"type":"Recon:EC2/Portscan"}}' >"$T/x5.out"
check "rules test: a key given twice, the earlier one is dropped" test "$(cat "$T/x5.out")" = '{"Result":false}'
"$COALMINE" rules put --db "$DB" --name dup-key --event-pattern "$DUP" >/dev/null 2>"$T/b5.err"
check "rules put: a key given twice is accepted" test $? -eq 0
"$COALMINE" rules delete --db "$DB" --name dup-key
"$COALMINE" rules put --db "$DB" --name big --event-pattern '{"detail":{"service":{"count":[{"numeric":[">",6e9]}]}}}' 2>"$T/b6.err"
check "rules put: a numeric bound outside -5e9..5e9 is refused" test $? -eq 1
check "rules put: the reason names the range" grep -q 'detail.service.count: numeric: 6e9 is outside -5e9..5e9' "$T/b6.err"
"$COALMINE" rules test --event-pattern '{"detail":{"updated":[{"numeric":[">",0]}]}}' \
    --event '{"detail":{"updated":1733300000000}}' >"$T/x6.out"
check "rules test: an event number outside -5e9..5e9 holds no numeric condition" \
    test "$(cat "$T/x6.out")" = '{"Result":false}'
PORTS=$(i=0; s=''; while [ $i -le 1000 ]; do s="$s${s:+,}$i"; i=$((i + 1)); done; echo "$s")
"$COALMINE" rules test --event-pattern '{"detail":{"port":['"$PORTS"']}}' --event '{"detail":{"port":1000}}' >"$T/x7.out" 2>"$T/x7.err"
check "rules test: 1001 values (a 3916-byte pattern, within AWS's 4096) are accepted" \
    test "$(cat "$T/x7.out")" = '{"Result":true}'
"$COALMINE" rules put --db "$DB" --name 'bad name' --event-pattern '{"source":["x"]}' 2>/dev/null
check "rules put: a bad name is a usage error" test $? -eq 2
# An option of another subcommand (or an abbreviation of one: --max is --max-results) is
# named, as getopt names an unknown one, not answered with the bare help.
"$COALMINE" rules list --db "$DB" --max 3 >/dev/null 2>"$T/b1.err"
check "rules list --max 3: exit 2, '--max-results does not apply here'" \
    sh -c '[ "$1" -eq 2 ] && grep -q "rules list: --max-results does not apply here" "$2"' _ $? "$T/b1.err"
"$COALMINE" rules put --db "$DB" --name x1 --event-pattern '{"source":["x"]}' --format json \
    >/dev/null 2>"$T/b1.err"
check "rules put --format: exit 2, named" \
    sh -c '[ "$1" -eq 2 ] && grep -q "rules put: --format does not apply here" "$2"' _ $? "$T/b1.err"
# targets: an option of another subcommand was accepted and ignored, so `targets list --id X`
# listed every target as if it had filtered; now it is refused by name (exit 2).
for bad in "list --id w" "list --spec {}" "remove --rule medium-up --id w --kind file" \
    "put --rule medium-up --id w --kind file --spec {} --format json"; do
    # shellcheck disable=SC2086
    "$COALMINE" targets $bad --db "$DB" >"$T/tb.out" 2>"$T/tb.err"
    rc=$?
    check "targets $bad: exit 2, named, nothing printed" \
        sh -c '[ "$1" -eq 2 ] && grep -q "does not apply here" "$2" && [ ! -s "$3" ]' \
        _ $rc "$T/tb.err" "$T/tb.out"
done
"$COALMINE" targets put --db "$DB" --rule medium-up --id w --kind webhook --spec '{"url":"ftp://x"}' 2>"$T/b2.err"
check "targets put: a bad spec is refused" test $? -eq 1 -a -s "$T/b2.err"
"$COALMINE" targets put --db "$DB" --rule nope --id w --kind file --spec '{"path":"/tmp/x"}' 2>"$T/b3.err"
check "targets put: unknown rule" grep -q 'no rule named nope' "$T/b3.err"
"$COALMINE" rules delete --db "$DB" --name medium-up 2>"$T/b4.err"
check "rules delete: refused while it has targets" grep -q 'target' "$T/b4.err"

# --- failures, retries, giving up -----------------------------------------------------------
cat >"$T/flaky.sh" <<EOF
#!/bin/sh
cat >/dev/null
if [ ! -f "$T/flaky.ok" ]; then touch "$T/flaky.ok"; echo "isolation API unavailable" >&2; exit 3; fi
echo "\$COALMINE_FINDING_ID \$COALMINE_ATTEMPT" >>"$T/flaky.log"
EOF
cat >"$T/broken.sh" <<EOF
#!/bin/sh
echo "broken \$COALMINE_ATTEMPT" >>"$T/broken.log"; exit 1
EOF
chmod +x "$T/flaky.sh" "$T/broken.sh"
"$COALMINE" rules disable --db "$DB" --name everything
"$COALMINE" rules disable --db "$DB" --name medium-up
"$COALMINE" rules put --db "$DB" --name stealth --event-pattern '{"detail":{"type":[{"prefix":"Stealth:"}]}}' >/dev/null
"$COALMINE" targets put --db "$DB" --rule stealth --id flaky --kind exec --spec '{"argv":["'"$T/flaky.sh"'"]}' >/dev/null
"$COALMINE" targets put --db "$DB" --rule stealth --id broken --kind exec --spec '{"argv":["'"$T/broken.sh"'"]}' >/dev/null
"$COALMINE" gen --out "$T/logs2" --hours 1 --seed 7 --scenario cloudtrail-stop --scenario root-credential-usage >/dev/null 2>&1
"$COALMINE" scan --db "$DB" --format json "$T/logs2" >"$T/s3.json" 2>"$T/s3.err"
check "scan with failing targets: exit 0 (findings stored)" test $? -eq 0
check "scan: the failure is reported with its reason and the retry time" \
    grep -q 'rule stealth target flaky: finding .*: exec .*exit 3: isolation API unavailable (attempt 1, again after' "$T/s3.err"
check "disabled rules: nothing more to the file target" test "$(wc -l <"$T/events.jsonl")" -eq 4
"$COALMINE" rules deliveries --db "$DB" --state PENDING --format json >"$T/d2.json"
check "deliveries: both stealth targets PENDING after attempt 1" \
    test "$(jq -r '[.Deliveries[] | "\(.Target):\(.Attempts)"] | sort | join(" ")' "$T/d2.json")" = "broken:1 flaky:1"
"$COALMINE" rules deliver --db "$DB" 2>"$T/r1.err"
check "deliver within the backoff: nothing tried" test ! -f "$T/flaky.log" -a "$(wc -l <"$T/broken.log")" -eq 1
check "deliver within the backoff: says waiting" grep -q '2 waiting' "$T/r1.err"
check "deliver within the backoff: routed nothing" grep -q 'routed:   0 findings, 0 rule matches, 0 delivered' "$T/r1.err"
"$COALMINE" rules deliver --db "$DB" --now 2>"$T/r2.err"
check "deliver --now: exit 1 (a delivery failed)" test $? -eq 1
check "deliver --now: the flaky target succeeds on attempt 2" test "$(cut -d' ' -f2 "$T/flaky.log")" = 2
i=0
while [ $i -lt 8 ]; do "$COALMINE" rules deliver --db "$DB" --now 2>>"$T/r3.err"; i=$((i + 1)); done
# A target that stays down is tried again until the event is 24 hours old (EventBridge's retry
# policy), not only 8 times: before, the 8th attempt (an hour in, at the default backoff) gave
# up, so a target down for an hour lost every event of that hour.
check "the broken target is still tried after 10 attempts (the event is not 24 h old)" \
    test "$(wc -l <"$T/broken.log")" -eq 10 -a "$(grep -c ', given up)' "$T/r3.err")" -eq 0
"$COALMINE" rules deliveries --db "$DB" --state PENDING --format json >"$T/d3.json"
check "deliveries: PENDING after 10 attempts" \
    test "$(jq -r '.Deliveries[0] | "\(.Target)|\(.Attempts)"' "$T/d3.json")" = "broken|10"
if command -v sqlite3 >/dev/null; then
    # The outbox row's time, 25 hours back: the next failure gives up.
    sqlite3 "$DB" "UPDATE outbox SET created_ms = created_ms - 90000000"
    "$COALMINE" rules deliver --db "$DB" --now 2>>"$T/r3.err"
    check "the broken target is given up once its event is 24 h old" \
        test "$(wc -l <"$T/broken.log")" -eq 11
    check "giving up is reported" grep -q 'attempt 11, given up' "$T/r3.err"
    "$COALMINE" rules deliveries --db "$DB" --state FAILED --format json >"$T/d3.json"
    check "deliveries: FAILED with the last error" \
        test "$(jq -r '.Deliveries[0] | "\(.Target)|\(.Attempts)|\(.LastError | test("exit 1"))"' "$T/d3.json")" = "broken|11|true"
else
    skip "giving up after 24 h" "sqlite3 is not installed"
fi
check "the flaky target got the event once" test "$(wc -l <"$T/flaky.log")" -eq 1

# --- archived findings and --no-route --------------------------------------------------------------
"$COALMINE" rules enable --db "$DB" --name everything
"$COALMINE" filters create --db "$DB" --name quiet-root --action ARCHIVE \
    --finding-criteria '{"Criterion":{"type":{"Eq":["Policy:IAMUser/RootCredentialUsage"]}}}' >/dev/null
"$COALMINE" gen --out "$T/logs3" --hours 1 --seed 11 --scenario root-credential-usage --scenario pentest-kali-iam >/dev/null 2>&1
"$COALMINE" scan --db "$DB" --no-route --format json "$T/logs3" >"$T/s4.json" 2>/dev/null
check "--no-route: findings stored, nothing routed" test -s "$T/s4.json" -a "$(wc -l <"$T/events.jsonl")" -eq 4
"$COALMINE" rules deliver --db "$DB" 2>/dev/null
check "--no-route: nothing left in the outbox for later" test "$(wc -l <"$T/events.jsonl")" -eq 4
"$COALMINE" gen --out "$T/logs4" --hours 1 --seed 12 --scenario root-credential-usage --scenario pentest-kali-iam >/dev/null 2>&1
"$COALMINE" scan --db "$DB" --format json "$T/logs4" >"$T/s5.json" 2>/dev/null
check "archived findings are not routed; the others are" \
    test "$(tail -n +5 "$T/events.jsonl" | jq -r .detail.type | sort -u | tr '\n' ' ')" = "PenTest:IAMUser/KaliLinux "

"$COALMINE" rules delete --db "$DB" --name stealth --force
check "rules delete --force" test $? -eq 0
"$COALMINE" targets list --db "$DB" --rule stealth --format json >"$T/tl.json"
check "its targets went with it" test "$(jlen "$T/tl.json" Targets)" -eq 0
# --- two processes on one store: each delivery made once ------------------------------------------
# A target that fails until $T/gate exists, so the scan leaves every delivery owed; then two
# `rules deliver --now` at once. Each delivery is claimed before it is made: the four events
# reach the program once each, whichever process made them.
DB2="$T/two.db"
cat >"$T/slow.sh" <<EOF
#!/bin/sh
cat >/dev/null
[ -f "$T/gate" ] || exit 1
echo "\$COALMINE_FINDING_ID" >>"$T/slow.log"
sleep 0.3
EOF
chmod +x "$T/slow.sh"
"$COALMINE" rules put --db "$DB2" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$DB2" --rule all --id slow --kind exec --spec '{"argv":["'"$T/slow.sh"'"]}' >/dev/null
"$COALMINE" scan --db "$DB2" --format json "$LOGS" >/dev/null 2>&1
touch "$T/gate"
"$COALMINE" rules deliver --db "$DB2" --now 2>"$T/c1.err" &
P1=$!
"$COALMINE" rules deliver --db "$DB2" --now 2>"$T/c2.err" &
P2=$!
wait $P1
wait $P2
"$COALMINE" rules deliver --db "$DB2" --now 2>"$T/c3.err"
check "two concurrent delivers: each event delivered once" \
    test "$(wc -l <"$T/slow.log")" -eq 4 -a "$(sort -u "$T/slow.log" | wc -l)" -eq 4
"$COALMINE" rules deliveries --db "$DB2" --format json >"$T/c.json"
check "two concurrent delivers: every delivery DONE after 2 attempts" \
    test "$(jq -r '[.Deliveries[] | "\(.State):\(.Attempts)"] | unique | join(" ")' "$T/c.json")" = "DONE:2"

# --- a target that hangs: one timeout per run, not one per event -----------------------------------
# A webhook on 127.0.0.1 that takes connections and never answers (started here, stopped at the
# end), next to a file target. The first delivery to it times out (1 s); its other three wait for
# the next run, untried, and the file target gets all four at once. Before, each of the four
# waited out the timeout: a scan of n findings to a hung webhook took n timeouts (10k findings,
# the default 10 s: 28 hours), and every other target waited behind it.
if command -v python3 >/dev/null; then
    DB3="$T/hang.db"
    python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
' "$T/hang.port" "$T/hang.log" &
    HANG=$!
    wait_until test -s "$T/hang.port"
    "$COALMINE" rules put --db "$DB3" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
    "$COALMINE" targets put --db "$DB3" --rule all --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/hang.port")"'/x","timeout_seconds":1}' >/dev/null
    "$COALMINE" targets put --db "$DB3" --rule all --id log --kind file \
        --spec '{"path":"'"$T/hang.jsonl"'"}' >/dev/null
    "$COALMINE" scan --db "$DB3" --format json --stats "$T/h1.stats" "$LOGS" >/dev/null 2>"$T/h1.err"
    # one timeout, not four: counted (connections, timeouts), not timed
    check "hung webhook: one connection, one timeout in the scan" \
        test "$(wc -l <"$T/hang.log")" -eq 1 -a "$(grep -c 'Operation timed out' "$T/h1.err")" -eq 1
    check "hung webhook: the other three are not tried, and the summary says so" \
        grep -q '4 delivered, 1 failed (tried again later), 0 given up, 0 waiting, 3 not tried (their target was unavailable in this run)' "$T/h1.err"
    check "hung webhook: the file target got all four" test "$(wc -l <"$T/hang.jsonl")" -eq 4
    check "hung webhook: --stats per target (matched, delivered, failed, not tried)" \
        test "$(jq -r '[.routing.targets[] | "\(.target):\(.matched):\(.delivered):\(.failed):\(.not_tried)"] | join(" ")' "$T/h1.stats")" = \
        "hook:4:0:1:3 log:4:4:0:0"
    "$COALMINE" rules deliveries --db "$DB3" --format json >"$T/h1.json"
    check "hung webhook: one attempt recorded, PENDING" \
        test "$(jq -r '[.Deliveries[] | select(.Target == "hook" and .Attempts > 0) | "\(.State):\(.Attempts)"] | join(" ")' "$T/h1.json")" = "PENDING:1"
    # The three not tried are listed too, owed: `rules deliveries --state PENDING` shows
    # every event the webhook has not had, not only the one tried.
    check "hung webhook: the three not tried are listed, PENDING with 0 attempts and why" \
        test "$(jq -r '[.Deliveries[] | select(.Target == "hook" and .Attempts == 0 and .State == "PENDING"
            and .LastError == "not tried yet: target hook was unavailable earlier in the run")] | length' "$T/h1.json")" = 3
    "$COALMINE" rules deliver --db "$DB3" 2>"$T/h2.err"
    check "hung webhook: the next run tries the next one (the first waits for its backoff)" \
        grep -q '0 delivered, 1 failed (tried again later), 0 given up, 1 waiting, 2 not tried' "$T/h2.err"
    kill $HANG
    wait $HANG 2>/dev/null
    # The same port with nothing listening: a refused connection says the webhook is down, so
    # it gets one attempt per run, not one per event (before: four attempts, four refusals).
    DB4="$T/down.db"
    "$COALMINE" rules put --db "$DB4" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
    "$COALMINE" targets put --db "$DB4" --rule all --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/hang.port")"'/x","timeout_seconds":1}' >/dev/null
    "$COALMINE" scan --db "$DB4" --format json "$LOGS" >/dev/null 2>"$T/h3.err"
    check "webhook down: one refused attempt, three not tried" \
        sh -c '[ "$(grep -c "Connection refused\|Couldn.t connect" "$1")" -eq 1 ] &&
            grep -q "0 delivered, 1 failed (tried again later), 0 given up, 0 waiting, 3 not tried" "$1"' \
        _ "$T/h3.err"
    # A webhook that is rate-limited says how long to leave it alone (429, Retry-After: 7200):
    # the delivery tried and the three not tried wait two hours, and a run within them sends it
    # nothing. Before, Retry-After was not read: the next run, 30 s later, tried it again.
    DB7="$T/ra.db"
    python3 "$(dirname "$0")/lib/hook_server.py" "$T/ra.port" "$T/ra.log" 429 "Retry-After: 7200" &
    RA=$!
    wait_until test -s "$T/ra.port"
    "$COALMINE" rules put --db "$DB7" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
    "$COALMINE" targets put --db "$DB7" --rule all --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/ra.port")"'/x"}' >/dev/null
    now=$(date +%s)
    "$COALMINE" scan --db "$DB7" --format json "$LOGS" >/dev/null 2>"$T/ra1.err"
    check "rate-limited webhook: one request, and the error says what it asked" \
        sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "HTTP 429 (Retry-After: 7200 s)" "$2"' _ "$T/ra.log" "$T/ra1.err"
    "$COALMINE" rules deliveries --db "$DB7" --format json >"$T/ra1.json"
    check "rate-limited webhook: all four wait the two hours it asked" \
        test "$(jq -r --argjson now "$now" '[.Deliveries[] | select(.Target == "hook") |
            (.NextAttemptAt | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) - $now |
            select(. >= 7190 and . <= 7300)] | length' "$T/ra1.json")" = 4
    "$COALMINE" rules deliver --db "$DB7" 2>"$T/ra2.err"
    check "rate-limited webhook: a run within them sends it nothing" \
        sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "0 delivered, 0 failed (tried again later), 0 given up, 4 waiting" "$2"' \
        _ "$T/ra.log" "$T/ra2.err"
    kill $RA
    wait $RA 2>/dev/null
fi

# --- archived while its delivery waits: not sent ----------------------------------------------------
# A target down at the scan (it fails until $T/open6 exists); the responder archives one finding
# meanwhile; the target comes back. GuardDuty sends no archived finding: before, the retry sent
# it, "archived": true, to the responder who had just dismissed it.
DB6="$T/arch.db"
cat >"$T/gate6.sh" <<EOF
#!/bin/sh
test -f "$T/open6" || exit 1
cat >>"$T/arch.jsonl"
echo >>"$T/arch.jsonl"
EOF
chmod +x "$T/gate6.sh"
"$COALMINE" rules put --db "$DB6" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$DB6" --rule all --id gate --kind exec --spec '{"argv":["'"$T/gate6.sh"'"]}' >/dev/null
"$COALMINE" scan --db "$DB6" --format json "$LOGS" >"$T/a6.json" 2>/dev/null
ARCH6=$(jq -r 'select(.type == "PenTest:IAMUser/KaliLinux") | .id' "$T/a6.json")
"$COALMINE" findings archive --db "$DB6" "$ARCH6" >/dev/null 2>&1
touch "$T/open6"
"$COALMINE" rules deliver --db "$DB6" --now 2>"$T/a6.err"
check "archived while waiting: the other three are sent, it is not" \
    test "$(jq -r .detail.id "$T/arch.jsonl" | wc -l)|$(jq -r .detail.id "$T/arch.jsonl" | grep -c "$ARCH6")" = "3|0"
check "archived while waiting: the routed line says so" grep -q '1 not sent (archived since)' "$T/a6.err"
"$COALMINE" rules deliveries --db "$DB6" --state CANCELLED --format json >"$T/a6d.json"
check "archived while waiting: its delivery CANCELLED, with why" \
    test "$(jq -r '[.Deliveries[] | "\(.FindingId):\(.LastError)"] | join(" ")' "$T/a6d.json")" = "$ARCH6:the finding was archived"

# --- publishing frequency: a new finding at once, its updates once per interval --------------------
# GuardDuty sends a new finding within minutes and the updates of a finding at the detector's
# findingPublishingFrequency (SIX_HOURS by default), once, with the latest state. A cron scan
# every 5 minutes of event time (the corpus's files land slot by slot, `scan --state --db`
# after each) to a file target and a webhook on 127.0.0.1. Before, every scan that counted new
# events sent the finding again: 102 events for 72 findings (one 6 times in the hour).
if command -v sqlite3 >/dev/null && command -v python3 >/dev/null; then
    PUB="$T/pub"
    DB5="$T/pub.db"
    "$COALMINE" gen --out "$PUB" --hours 2 --seed 7 --scenario all >/dev/null 2>&1
    python3 "$(dirname "$0")/lib/hook_server.py" "$T/pub.port" "$T/pub.hook" &
    HOOK=$!
    wait_until test -s "$T/pub.port"
    "$COALMINE" rules put --db "$DB5" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
    "$COALMINE" targets put --db "$DB5" --rule all --id log --kind file \
        --spec '{"path":"'"$T/pub.jsonl"'"}' >/dev/null
    "$COALMINE" targets put --db "$DB5" --rule all --id hook --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/pub.port")"'/gd"}' >/dev/null
    "$COALMINE" scan --db "$DB5" --finding-publishing-frequency one_hour "$LOGS" >/dev/null 2>"$T/pf.err"
    check "--finding-publishing-frequency: a bad value is a usage error" \
        sh -c '[ "$1" -eq 2 ] && grep -q "wants FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS, not .one_hour." "$2"' \
        _ $? "$T/pf.err"
    "$COALMINE" scan --finding-publishing-frequency ONE_HOUR "$LOGS" >/dev/null 2>"$T/pf.err"
    check "--finding-publishing-frequency needs --db" \
        sh -c '[ "$1" -eq 2 ] && grep -q "needs --db" "$2"' _ $? "$T/pf.err"
    ARGS=$(tr '\n' ' ' <"$PUB/intel/args.txt")
    clear_of_interval_end 180
    mkdir -p "$T/land"
    for slot in $(find "$PUB/AWSLogs" -type f | sed 's/.*\(20[0-9]*T[0-9]*Z\).*/\1/' | sort -u); do
        for f in $(find "$PUB/AWSLogs" -type f -name "*${slot}*"); do
            d="$T/land/${f#"$PUB"/}"
            mkdir -p "$(dirname "$d")"
            ln "$f" "$d"
        done
        # shellcheck disable=SC2086
        "$COALMINE" scan $ARGS --db "$DB5" --state "$T/pub.state" --format json \
            --stats "$T/pub.stats" "$T/land" >/dev/null 2>"$T/pub.err"
    done
    NF=$(sqlite3 "$DB5" "SELECT count(*) FROM findings WHERE NOT archived")
    NH=$(sqlite3 "$DB5" "SELECT count(*) FROM outbox_held")
    check "cron scans: findings stored, some updated since they were sent" test "$NF" -gt 50 -a "$NH" -gt 5
    check "cron scans: each finding sent once, at once (file target)" \
        test "$(wc -l <"$T/pub.jsonl")|$(jq -r .detail.id "$T/pub.jsonl" | sort -u | wc -l)" = "$NF|$NF"
    check "cron scans: the webhook got the same events" \
        test "$(jq -r .id "$T/pub.hook" | sort | tr '\n' ' ')" = "$(jq -r .id "$T/pub.jsonl" | sort | tr '\n' ' ')"
    check "cron scans: the routed line says how many updates are held" \
        grep -q "$NH updates held until their publishing interval ends" "$T/pub.err"
    check "cron scans: so does --stats" test "$(jq .routing.held "$T/pub.stats")" -eq "$NH"
    check "the default frequency is SIX_HOURS (nothing saved)" \
        test -z "$(sqlite3 "$DB5" "SELECT value FROM settings WHERE key = 'finding_publishing_frequency'")"
    check "rules publishing: shows the frequency and the updates held" \
        test "$("$COALMINE" rules publishing --db "$DB5" --format json)" = \
        "{\"FindingPublishingFrequency\":\"SIX_HOURS\",\"HeldUpdates\":$NH}"
    "$COALMINE" rules deliver --db "$DB5" 2>/dev/null
    check "rules deliver within the interval: nothing more sent" test "$(wc -l <"$T/pub.jsonl")" -eq "$NF"
    # Six hours later (the held updates' times moved back, as the 24 h test above moves the
    # outbox row's): each held update is sent once, with the finding as stored now.
    sqlite3 "$DB5" "UPDATE outbox_held SET since_ms = since_ms - 21600000"
    "$COALMINE" rules deliver --db "$DB5" 2>"$T/pub2.err"
    check "after the interval: one event per held update" \
        test "$(wc -l <"$T/pub.jsonl")|$(sqlite3 "$DB5" "SELECT count(*) FROM outbox_held")" = "$((NF + NH))|0"
    check "after the interval: no finding sent more than twice" \
        test "$(jq -r .detail.id "$T/pub.jsonl" | sort | uniq -c | awk '$1 > 2' | wc -l)" -eq 0
    check "after the interval: the update carries the stored state (count)" \
        test "$(tail -n "$NH" "$T/pub.jsonl" | jq -r '"\(.detail.id) \(.detail.service.count)"' | sort | tr '\n' ' ')" = \
        "$(tail -n "$NH" "$T/pub.jsonl" | jq -r .detail.id | while read -r id; do
            "$COALMINE" findings get --db "$DB5" "$id" 2>/dev/null | jq -r '"\(.id) \(.service.count)"'; done | sort | tr '\n' ' ')"
    "$COALMINE" rules deliver --db "$DB5" 2>/dev/null
    check "after the interval: nothing sent twice" test "$(wc -l <"$T/pub.jsonl")" -eq $((NF + NH))
    # A finding archived by hand and brought back is sent at the end of the interval; one archived
    # with its update held is not sent at all.
    ID5=$(jq -r .detail.id "$T/pub.jsonl" | head -1)
    # Held when unarchived, by the wall clock, and routed by the scan below under FIFTEEN_MINUTES:
    # a quarter hour ending between the two would release it before the check.
    clear_of_interval_end 60 900
    "$COALMINE" findings archive --db "$DB5" "$ID5" 2>/dev/null
    "$COALMINE" findings unarchive --db "$DB5" "$ID5" 2>/dev/null
    mkdir -p "$T/empty"
    "$COALMINE" scan --db "$DB5" --finding-publishing-frequency FIFTEEN_MINUTES "$T/empty" >/dev/null 2>&1
    check "the frequency given to a scan is saved in the store" \
        test "$(sqlite3 "$DB5" "SELECT value FROM settings WHERE key = 'finding_publishing_frequency'")" = FIFTEEN_MINUTES
    check "unarchived: held, not sent at once" \
        test "$(wc -l <"$T/pub.jsonl")|$(sqlite3 "$DB5" "SELECT count(*) FROM outbox_held")" = "$((NF + NH))|1"
    sqlite3 "$DB5" "UPDATE outbox_held SET since_ms = since_ms - 900000"
    "$COALMINE" rules deliver --db "$DB5" 2>/dev/null
    check "unarchived: sent at the end of the interval, as current" \
        test "$(tail -n 1 "$T/pub.jsonl" | jq -r '"\(.detail.id) \(.detail.service.archived)"')" = "$ID5 false"
    "$COALMINE" rules publishing --db "$DB5" --finding-publishing-frequency ONE_HOUR >"$T/rp.out"
    check "rules publishing: sets it" \
        test "$(head -1 "$T/rp.out")|$(sqlite3 "$DB5" "SELECT value FROM settings WHERE key = 'finding_publishing_frequency'")" = \
        "FindingPublishingFrequency: ONE_HOUR|ONE_HOUR"
    "$COALMINE" rules publishing --db "$DB5" --finding-publishing-frequency 1h 2>"$T/rp.err"
    check "rules publishing: a bad value is a usage error" \
        sh -c '[ "$1" -eq 2 ] && grep -q "FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS, not .1h." "$2"' _ $? "$T/rp.err"
    kill $HOOK
    wait $HOOK 2>/dev/null
else
    skip "publishing frequency" "sqlite3 or python3 is not installed"
fi

# --- what a target receives: input, input_path, input_transformer --------------------------------
# EventBridge's Input, InputPath and InputTransformer, on every kind: a Slack-style JSON message
# (file), the finding's detail (exec, input_path), a text message (webhook on 127.0.0.1, as
# text/plain), constant JSON (file). A plain file target next to them still gets whole events.
# Before, a spec with these members was refused ("unknown member") and every target got the
# whole event.
DB6="$T/in.db"
"$COALMINE" rules put --db "$DB6" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
"$COALMINE" targets put --db "$DB6" --rule all --id slack --kind file --spec '{"path":"'"$T/slack.jsonl"'",
  "input_transformer":{"input_paths_map":{"type":"$.detail.type","sev":"$.detail.severity","acct":"$.account","id":"$.detail.id"},
  "input_template":"{\"text\": \"*<type>* (severity <sev>) in <acct> - rule <aws.events.rule-name> <https://console.aws.amazon.com/guardduty/home#/findings?search=id%3D<id>|open>\", \"severity\": <sev>, \"event\": <aws.events.event>}"}}' >"$T/in1.out"
check "input_transformer: targets put takes it and prints it in the canonical spec" \
    grep -q '"input_transformer":{"input_paths_map":{"acct":"$.account","id":"$.detail.id","sev":"$.detail.severity","type":"$.detail.type"},"input_template":' "$T/in1.out"
printf '#!/bin/sh\ncat >>"%s"\necho >>"%s"\n' "$T/detail.jsonl" "$T/detail.jsonl" >"$T/detail.sh"
chmod +x "$T/detail.sh"
"$COALMINE" targets put --db "$DB6" --rule all --id detail --kind exec \
    --spec '{"argv":["'"$T/detail.sh"'"],"input_path":"$.detail"}' >/dev/null
"$COALMINE" targets put --db "$DB6" --rule all --id const --kind file \
    --spec '{"path":"'"$T/const.jsonl"'","input":"{ \"page\": \"security\" }"}' >/dev/null
"$COALMINE" targets put --db "$DB6" --rule all --id whole --kind file \
    --spec '{"path":"'"$T/whole.jsonl"'"}' >/dev/null
"$COALMINE" targets put --db "$DB6" --rule all --id bad --kind file \
    --spec '{"path":"/x","input_transformer":{"input_template":"{\"e\": \"<aws.events.event>\"}"}}' 2>"$T/in2.err"
check "input_transformer: a misplaced <aws.events.event> is refused, saying where and why" \
    sh -c '[ "$1" -eq 1 ] && grep -q "input_transformer.input_template: byte 7: <aws.events.event> can only be the value of a JSON field" "$2"' _ $? "$T/in2.err"
INHOOK=
if command -v python3 >/dev/null; then
    python3 "$(dirname "$0")/lib/hook_server.py" --content-type "$T/in.port" "$T/in.hook" &
    INHOOK=$!
    wait_until test -s "$T/in.port"
    "$COALMINE" targets put --db "$DB6" --rule all --id text --kind webhook \
        --spec '{"url":"http://127.0.0.1:'"$(cat "$T/in.port")"'/t","input_transformer":{"input_paths_map":{"type":"$.detail.type"},"input_template":"Finding <type> matched <aws.events.rule-name>"}}' >/dev/null
fi
"$COALMINE" scan --db "$DB6" --format json "$LOGS" >"$T/in.json" 2>"$T/in.err"
check "input: every file and exec target got the four findings" \
    test "$(cat "$T/slack.jsonl" "$T/detail.jsonl" "$T/const.jsonl" "$T/whole.jsonl" | grep -c .)" -eq 16
KALI6=$(jq -r 'select(.type == "PenTest:IAMUser/KaliLinux") | .id' "$T/in.json")
ACCT6=$(jq -r 'select(.type == "PenTest:IAMUser/KaliLinux") | .accountId' "$T/in.json")
check "input_transformer (file): the message, with the type, severity, rule and a Slack link" \
    test "$(jq -r 'select(.severity == 5) | .text' "$T/slack.jsonl")" = \
    "*PenTest:IAMUser/KaliLinux* (severity 5) in $ACCT6 - rule all <https://console.aws.amazon.com/guardduty/home#/findings?search=id%3D$KALI6|open>"
check "input_transformer (file): <aws.events.event> is the envelope without its detail" \
    test "$(jq -c '[.event.source, .event["detail-type"], (.event | has("detail"))]' "$T/slack.jsonl" | sort -u)" = '["aws.guardduty","GuardDuty Finding",false]'
check "input_path (exec): the finding itself on stdin" \
    test "$(jq -r .id "$T/detail.jsonl" | sort | tr '\n' ' ')" = "$(jq -r .id "$T/in.json" | sort | tr '\n' ' ')"
check "input (file): the constant JSON, minified" \
    test "$(sort -u "$T/const.jsonl")" = '{"page":"security"}'
check "no input member: the whole event, as before" \
    test "$(jget "$T/whole.jsonl" detail.id | sort | tr '\n' ' ')" = "$(jq -r .id "$T/in.json" | sort | tr '\n' ' ')"
if [ -n "$INHOOK" ]; then
    check "input_transformer (webhook): text/plain, the text message" \
        test "$(grep -c '^text/plain; charset=utf-8|Finding .* matched all$' "$T/in.hook")|$(grep -c 'Finding PenTest:IAMUser/KaliLinux matched all' "$T/in.hook")" = "4|1"
    kill $INHOOK
    wait $INHOOK 2>/dev/null
else
    skip "input_transformer (webhook)" "python3 is not installed"
fi

done_testing
