#!/bin/sh
# tsan: serve's canary thread with the config's checks
# e2e: canary checks in coalmine.yaml (docs/canaries.md, "In coalmine.yaml"): `canary tick
# --config` and `coalmine serve --config` make the store's checks what canaries.checks
# says: created; updated with their last result kept while their kind is the same;
# removed when the file no longer names them; checks made by `canary put` left alone; a
# typo'd key, a bad schedule or a bad parameter refused with FILE:LINE:COL and the key,
# and nothing changed; the file's api.account and api.region on Scheduled Events.
. "$(dirname "$0")/lib/tap.sh"

DB="$T/c.db"
CFG="$T/coalmine.yaml"
LOGS="$T/logs"
"$COALMINE" gen --out "$LOGS" --hours 1 --accounts 1 --regions 1 --instances 2 --principals 2 \
    --start 2026-01-05T00:00Z >/dev/null 2>&1
"$COALMINE" scan --db "$DB" "$LOGS" >/dev/null 2>&1
check "scan stores the logs" test $? -eq 0
"$COALMINE" canary put --db "$DB" --name by-hand --check scan-health --schedule 'rate(1 hour)' \
    >/dev/null
list() { "$COALMINE" canary list --db "$DB" --now 2026-01-05T02:11:00Z --format json; }

cat >"$CFG" <<'EOF'
canaries:
  checks:
    - name: trail-alive
      kind: freshness
      schedule: rate(5 minutes)
      params: {source: cloudtrail, max_age_minutes: 60}
    - name: scans
      check: scan-health
      schedule: rate(15 minutes)
      params: '{"max_silence_minutes": 90}'
      on_change: true
      state: DISABLED
EOF
"$COALMINE" canary tick --db "$DB" --config "$CFG" --now 2026-01-05T02:10:00Z >"$T/t1.out" 2>"$T/t1.err"
rc=$?
check "tick --config: exit 0, says what it made" \
    sh -c '[ "$1" -eq 0 ] && grep -q "2 checks created, 0 updated, 0 removed" "$2"' _ $rc "$T/t1.err"
list >"$T/l1.json"
check "the file's checks are in the store, from the config, with put's canonical params" \
    test "$(jq -r '[.Canaries[] | select(.Origin == "config") | "\(.Name):\(.Check):\(.State):\(.EventOnEveryFail):\(.Params.max_silence_minutes // .Params.max_age_minutes)"] | join(" ")' "$T/l1.json")" = \
    "scans:scan-health:DISABLED:false:90 trail-alive:freshness:ENABLED:true:60"
check "canary put's check is left alone" \
    test "$(jq -r '.Canaries[] | select(.Name == "by-hand") | .Origin' "$T/l1.json")" = put
"$COALMINE" canary run --db "$DB" trail-alive --now 2026-01-05T02:10:00Z >/dev/null 2>&1
check "the check runs: FAIL (70 minutes)" \
    test "$(list | jq -r '.Canaries[] | select(.Name == "trail-alive") | .Status')" = FAIL

# Update: a new schedule and threshold keep the last result; scans removed from the file.
cat >"$CFG" <<'EOF'
canaries:
  checks:
    - name: trail-alive
      kind: freshness
      schedule: rate(10 minutes)
      params: {source: cloudtrail, max_age_minutes: 120}
EOF
"$COALMINE" canary tick --db "$DB" --config "$CFG" --now 2026-01-05T02:10:30Z >/dev/null 2>"$T/t2.err"
check "tick --config again: one updated, one removed" \
    grep -q "0 checks created, 1 updated, 1 removed" "$T/t2.err"
list >"$T/l2.json"
check "the update keeps its last result (same kind)" \
    test "$(jq -r '.Canaries[] | select(.Name == "trail-alive") | "\(.Status):\(.Schedule):\(.Params.max_age_minutes)"' "$T/l2.json")" = \
    "FAIL:rate(10 minutes):120"
check "the check the file no longer names is removed; put's stays" \
    test "$(jq -r '[.Canaries[].Name] | join(" ")' "$T/l2.json")" = "by-hand trail-alive"
"$COALMINE" canary tick --db "$DB" --config "$CFG" --now 2026-01-05T02:10:40Z >/dev/null 2>"$T/t3.err"
check "the same file again changes nothing (and says nothing)" \
    sh -c '! grep -q "created" "$1"' _ "$T/t3.err"

# Errors: FILE:LINE:COL and the key; nothing changed.
printf 'canaries:\n  checks:\n    - name: trail-alive\n      kind: freshness\n      schedul: rate(5 minutes)\n' >"$T/bad1.yaml"
"$COALMINE" canary tick --db "$DB" --config "$T/bad1.yaml" >/dev/null 2>"$T/b1.err"
rc=$?
check "a typo'd key: exit 1 with file:line:col and the key" \
    sh -c '[ "$1" -eq 1 ] && grep -q "bad1.yaml:5:7: canaries.checks\[0\]: unknown key \"schedul\"" "$2"' \
    _ $rc "$T/b1.err"
printf 'canaries:\n  checks:\n    - name: trail-alive\n      kind: freshness\n      schedule: rate(5 minutes)\n      params: {source: cloudtrail, max_age_minutes: 0}\n' >"$T/bad2.yaml"
"$COALMINE" canary tick --db "$DB" --config "$T/bad2.yaml" >/dev/null 2>"$T/b2.err"
rc=$?
check "a bad parameter: exit 1, file:line:col, the key and the member" \
    sh -c '[ "$1" -eq 1 ] && grep -q "bad2.yaml:6:15: canaries.checks\[0\].params: max_age_minutes: must be a whole number from 1 to 525600" "$2"' \
    _ $rc "$T/b2.err"
printf 'canaries:\n  checks:\n    - {name: x, kind: pipeline, schedule: "rate(5 minute)"}\n' >"$T/bad3.yaml"
"$COALMINE" canary tick --db "$DB" --config "$T/bad3.yaml" >/dev/null 2>"$T/b3.err"
check "a bad schedule: file:line:col and why" \
    grep -q "bad3.yaml:3:43: canaries.checks\[0\].schedule: at byte 7: rate: 5 wants" "$T/b3.err"
check "... and nothing changed" test "$(list | jq -c '[.Canaries[] | [.Name, .Schedule]]')" = \
    '[["by-hand","rate(1 hour)"],["trail-alive","rate(10 minutes)"]]'

# The service reconciles at its start.
cat >"$CFG" <<'EOF'
canaries:
  checks:
    - name: from-serve
      kind: scan-health
      schedule: rate(1 hour)
EOF
rm -f "$T/port"
"$COALMINE" serve --db "$DB" --config "$CFG" --listen 127.0.0.1:0 --port-file "$T/port" \
    --canary-interval 3600 --bus-interval 3600 >/dev/null 2>"$T/s.err" &
P=$!
wait_until -p "$P" test -s "$T/port"
check "serve --config: reconciles at its start" \
    sh -c 'grep -q "canary checks: 1 created, 0 updated, 1 removed" "$1"' _ "$T/s.err"
kill -TERM $P 2>/dev/null
wait $P
check "... trail-alive removed, from-serve made, by-hand kept" \
    test "$(list | jq -r '[.Canaries[] | "\(.Name):\(.Origin)"] | join(" ")')" = \
    "by-hand:put from-serve:config"
printf 'canaries:\n  checks:\n    - {name: y, kind: pipeline, schedule: rate(1 hour), params: {deadline_seconds: 99999}}\n' >"$T/bad4.yaml"
"$COALMINE" serve --db "$DB" --config "$T/bad4.yaml" --listen 127.0.0.1:0 >/dev/null 2>"$T/s2.err"
rc=$?
check "serve with a bad check: exit 1 before serving, with file:line:col" \
    sh -c '[ "$1" -eq 1 ] && grep -q "bad4.yaml:3:.*canaries.checks\[0\].params: deadline_seconds" "$2"' \
    _ $rc "$T/s2.err"

# The file's api.account and api.region are what Scheduled Events carry.
printf 'api:\n  account: "444455556666"\n  region: ap-south-1\n' >"$T/api.yaml"
"$COALMINE" rules put --db "$DB" --name hourly --schedule-expression 'rate(1 hour)' >/dev/null
"$COALMINE" targets put --db "$DB" --rule hourly --id f --kind file \
    --spec '{"path":"'"$T/hourly.jsonl"'"}' >/dev/null
LATER=$(date -u -d "@$(($(date +%s) + 7200))" +%Y-%m-%dT%H:%M:%SZ)
"$COALMINE" canary tick --db "$DB" --config "$T/api.yaml" --now "$LATER" >/dev/null 2>&1
check "tick --config: the Scheduled Event carries the file's api.account and api.region" \
    test "$(jq -r '[.account, .region, .resources[0]] | join(" ")' "$T/hourly.jsonl" 2>/dev/null)" = \
    "444455556666 ap-south-1 arn:aws:events:ap-south-1:444455556666:rule/hourly"

done_testing
