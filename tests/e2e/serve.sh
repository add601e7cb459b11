#!/bin/sh
# tsan: serve's HTTP, bus, watch and canary threads
# `coalmine serve --watch` as the whole service (docs/serve.md). The world of
# `gen --hours 2 --seed 7 --scenario all` lands in an empty watched folder in 3 batches
# while the service runs on a free loopback port:
#
#   - the store then holds what one `coalmine scan --state` of the same files stores (ids,
#     types, counts, first and last seen), and `aws guardduty list-findings
#     --endpoint-url` (when the aws CLI is installed) lists the same ids;
#   - a rule's file target received each finding once (the bus thread delivers, the follow
#     engine does not as well);
#   - a ThreatIntelSet created through the API (CreateThreatIntelSet, file location), then a
#     new flow log file with an address on it: the .Custom finding, without a restart;
#   - a freshness canary that PASSes (a year's max age), then replaced with a 1-minute max
#     age (the corpus starts at midnight two days ago, UTC): FAIL, and its event reaches the
#     canary rule's target; /metrics has the engine's, the bus's and the canaries' families;
#   - SIGTERM exits 0 with the state written; a restart reads no file again and counts no
#     finding twice; SIGHUP is said and ignored; a second signal while stopping exits at once.
#   - serve --config saves the file's store.retention_days and finding_publishing_frequency
#     in the store.
#
# Every wait is a bounded loop on what the service logs or stores.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/stored.sh"
. "$(dirname "$0")/lib/follow.sh"

if ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    skip "serve" "python3 or curl is not installed"
    done_testing
    exit 0
fi
HAVE_AWS=0
if command -v aws >/dev/null 2>&1; then
    HAVE_AWS=1
    . "$(dirname "$0")/lib/aws.sh"
fi
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

same_sum() {
    summary "$1" "$T/live.sum"
    cmp -s "$2" "$T/live.sum"
}
# lines_with FILE STRING: lines of FILE holding STRING
lines_with() { grep -c "$2" "$1" 2>/dev/null || true; }
stop() {
    kill -TERM "$1" 2>/dev/null
    wait "$1"
}
start_serve() { # LOG: the service on a free port, its port in $T/port
    rm -f "$T/port"
    # shellcheck disable=SC2086 # ARGS holds options and values
    "$COALMINE" serve --db "$T/s.db" --listen 127.0.0.1:0 --port-file "$T/port" \
        --watch "$T/w" --poll-interval 0.1 --canary-interval 0.5 --bus-interval 0.5 \
        --threads 2 $ARGS >"$1.out" 2>"$1" &
    P=$!
    wait_until -p "$P" -s 120 test -s "$T/port"
    URL="http://127.0.0.1:$(cat "$T/port")"
}

# The corpus starts at midnight (UTC) two days before today by the real clock: the freshness
# canary below judges its age by the real clock (the service's), so a fixed date would make
# "a year's max age" fail once the suite runs a year after it.
G="$T/g"
START=$(date -u -d "@$(($(date +%s) / 86400 * 86400 - 2 * 86400))" +%Y-%m-%dT%H:%MZ)
"$COALMINE" gen --out "$G" --hours 2 --seed 7 --scenario all --start "$START" >/dev/null \
    2>"$T/gen.err"
check "gen: 2 hours of the seed-7 world with every scenario, from $START" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")

# The reference: one scan of everything, its windows left open in a state file as the
# running service leaves them.
# shellcheck disable=SC2086
"$COALMINE" scan --quiet --threads 2 --db "$T/ref.db" --state "$T/ref.state" $ARGS \
    "$G/AWSLogs" >/dev/null 2>"$T/ref.err"
check "one scan --state of everything exits 0" test $? -eq 0
summary "$T/ref.db" "$T/ref.sum"
NREF=$(wc -l <"$T/ref.sum")
check "... and stores findings ($NREF)" test "$NREF" -gt 0

# Rules and file targets: every finding, and the canaries' events.
"$COALMINE" rules put --db "$T/s.db" --name all-findings \
    --event-pattern '{"source":["aws.guardduty"]}' >/dev/null &&
    "$COALMINE" targets put --db "$T/s.db" --rule all-findings --id f --kind file \
        --spec "{\"path\":\"$T/findings.jsonl\"}" >/dev/null &&
    "$COALMINE" rules put --db "$T/s.db" --name canaries \
        --event-pattern '{"source":["coalmine.canary"]}' >/dev/null &&
    "$COALMINE" targets put --db "$T/s.db" --rule canaries --id c --kind file \
        --spec "{\"path\":\"$T/canary.jsonl\"}" >/dev/null
check "two rules with file targets in the service's store" test $? -eq 0

# The files in key order, in 3 batches staged beside the watched folder.
find "$G/AWSLogs" -type f | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort |
    cut -d ' ' -f 2- >"$T/keys"
NF=$(wc -l <"$T/keys")
PER=$(((NF + 2) / 3))
i=0
while read -r f; do
    d="$T/stage/b$((i / PER))/${f#"$G"/}"
    mkdir -p "$(dirname "$d")"
    cp "$f" "$d"
    i=$((i + 1))
done <"$T/keys"

mkdir -p "$T/w"
# The later batches update findings the first stored: their updates are held for the
# publishing interval (SIX_HOURS) by the wall clock, and the bus thread runs by it too. An
# interval ending while the checks below count deliveries (each finding once, nothing again
# after the restart, the PutEvents run routing no finding) would release them: start clear of
# one (that part takes 15 to 30 s on an idle machine, plain to TSan; a loaded CI run more).
clear_of_interval_end 300
start_serve "$T/s1.err"
check "serve --watch on an empty folder starts and writes its port" test -s "$T/port"
check "... /healthz answers ok" sh -c "curl -fsS '$URL/healthz' | grep -q '^ok'"
for b in 0 1 2; do
    mv "$T/stage/b$b" "$T/w/"
    u=$(((b + 1) * PER))
    [ $u -gt "$NF" ] && u=$NF
    wait_until -p "$P" -s 120 at_least "$T/s1.err" $u
done
check "the engine read the $NF files as they landed ($(read_total "$T/s1.err") read)" \
    test "$(read_total "$T/s1.err")" -eq "$NF"
if wait_until -p "$P" -s 120 same_sum "$T/s.db" "$T/ref.sum"; then
    ok "the store holds what one scan stores: $NREF findings, same ids, counts and times"
else
    nok "the store holds what one scan stores" "$(diff "$T/ref.sum" "$T/live.sum" | head -n 20)"
fi
cut -d ' ' -f 1 "$T/ref.sum" | sort >"$T/ref.ids"
if [ $HAVE_AWS -eq 1 ]; then
    aws_at "$URL" guardduty list-findings --detector-id $DET >"$T/list.json" 2>"$T/list.err"
    python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin)["FindingIds"])))' \
        <"$T/list.json" >"$T/api.ids" 2>>"$T/list.err"
    if cmp -s "$T/ref.ids" "$T/api.ids"; then
        ok "aws guardduty list-findings --endpoint-url lists the same $NREF ids"
    else
        nok "aws guardduty list-findings lists the same ids" "$(head -c 600 "$T/list.err")" \
            "$(diff "$T/ref.ids" "$T/api.ids" | head -n 10)"
    fi
else
    skip "aws guardduty list-findings lists the same ids" "the aws CLI is not installed"
fi
# Each finding delivered once to the file target (one event per line, detail.id).
ids_once() {
    python3 -c '
import json, sys
ids = [json.loads(l)["detail"]["id"] for l in open(sys.argv[1])]
print("\n".join(sorted(ids)))' "$T/findings.jsonl" >"$T/target.ids" 2>/dev/null &&
        cmp -s "$T/ref.ids" "$T/target.ids"
}
if wait_until -p "$P" -s 120 ids_once; then
    ok "the rule's file target received each of the $NREF findings once"
else
    nok "the rule's file target received each finding once" \
        "$(sort "$T/target.ids" | uniq -c | sort -rn | head -n 3)" \
        "$(diff "$T/ref.ids" "$T/target.ids" | head -n 5)"
fi

# --- a ThreatIntelSet through the API applies without a restart ----------------------
BAD=45.133.1.77
printf '%s\n' "$BAD" >"$T/bad.txt"
if [ $HAVE_AWS -eq 1 ]; then
    aws_at "$URL" guardduty create-threat-intel-set --detector-id $DET --name bad-actors \
        --format TXT --location "$T/bad.txt" --activate >"$T/tis.json" 2>"$T/tis.err"
    check "CreateThreatIntelSet through the API (aws CLI)" test $? -eq 0
else
    curl -fsS -X POST "$URL/detector/$DET/threatintelset" -H 'Content-Type: application/json' \
        -d "{\"name\":\"bad-actors\",\"format\":\"TXT\",\"location\":\"$T/bad.txt\",\"activate\":true}" \
        >"$T/tis.json" 2>"$T/tis.err"
    check "CreateThreatIntelSet through the API (curl)" test $? -eq 0
fi
# A new flow log file: an instance connects to $BAD:443, two hours after the corpus' own.
FLOW=$(grep vpcflowlogs "$T/keys" | head -n 1)
python3 - "$FLOW" "$T/new.log.gz" "$BAD" <<'EOF'
import gzip, sys
src, out, bad = sys.argv[1:4]
lines = gzip.open(src, "rt").read().splitlines()
head = lines[0].split()
col = {n: i for i, n in enumerate(head)}
rows = []
for l in lines[1:]:
    f = l.split()
    if (f[col["action"]] == "ACCEPT" and f[col["srcaddr"]].startswith("10.")
            and not f[col["dstaddr"]].startswith("10.")):
        f[col["dstaddr"]] = bad
        f[col["srcport"]], f[col["dstport"]] = "49152", "443"  # the instance connects out
        if "pkt-dstaddr" in col:
            f[col["pkt-dstaddr"]] = bad
        f[col["start"]] = str(int(f[col["start"]]) + 7200)
        f[col["end"]] = str(int(f[col["end"]]) + 7200)
        rows.append(" ".join(f))
        break
with gzip.open(out, "wt") as g:
    g.write(lines[0] + "\n" + "\n".join(rows) + "\n")
EOF
REL=${FLOW#"$G"/}
DST="$T/w/b9/$(dirname "$REL")/$(basename "$REL" | sed 's/_\([0-9]\{8\}\)T[0-9]\{4\}Z_/_\1T0300Z_/')"
mkdir -p "$(dirname "$DST")"
mv "$T/new.log.gz" "$DST"
check "a flow log file with one egress flow to $BAD lands in the watched folder" test -s "$DST"
custom_stored() {
    "$COALMINE" findings export --db "$T/s.db" 2>/dev/null |
        grep -F 'MaliciousIPCaller.Custom' | grep -Fq "$BAD"
}
if wait_until -p "$P" -s 120 custom_stored; then
    ok "a new file with an address on it gives the .Custom finding without a restart"
else
    nok "the API's list applies to the running engine" "$(tail -n 5 "$T/s1.err")"
fi
check "... the service said it reloaded the intel" grep -q "intel reloaded" "$T/s1.err"

# --- a freshness canary: PASS, then FAIL, its event at the canary rule's target --------
# at(): a one-time schedule a few seconds ahead. A check never run is due at its first
# fire time after it was put, so the time must still be ahead when `canary put` has
# stored it: whole seconds, and a slow put under a sanitizer on a loaded machine.
at_in() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%S; }
"$COALMINE" canary put --db "$T/s.db" --name trail-alive --check freshness \
    --schedule "at($(at_in 4))" --params '{"source":"cloudtrail","max_age_minutes":525600}' \
    >/dev/null 2>"$T/c1.err"
check "canary put: freshness, a year's max age" test $? -eq 0
canary_status() {
    "$COALMINE" canary list --db "$T/s.db" --format json 2>/dev/null | grep -q "\"$1\""
}
wait_until -p "$P" -s 120 canary_status PASS
check "... the service's canary thread runs it: PASS" canary_status PASS
"$COALMINE" canary put --db "$T/s.db" --name trail-alive --check freshness \
    --schedule "at($(at_in 4))" --params '{"source":"cloudtrail","max_age_minutes":1}' \
    >/dev/null 2>"$T/c2.err"
check "canary put again: a 1-minute max age" test $? -eq 0
fail_event() { grep -q '"status":"FAIL","previousStatus":"PASS"' "$T/canary.jsonl" 2>/dev/null; }
if wait_until -p "$P" -s 120 fail_event; then
    ok "... flips to FAIL and its event reaches the canary rule's file target"
else
    nok "the canary flips to FAIL and its event reaches the target" \
        "$(cat "$T/canary.jsonl" 2>/dev/null | head -c 400)" "$(grep canar "$T/s1.err" | tail -3)"
fi
# The event is an outbox row committed with the result: the bus thread may deliver it
# before the canary thread has noted the status, so wait for /metrics to say it.
canary_down() {
    curl -fsS "$URL/metrics" >"$T/metrics" 2>/dev/null &&
        grep -q '^coalmine_canary_up{check="trail-alive"} 0$' "$T/metrics" &&
        grep -q '^coalmine_routing_source_deliveries{source="canary",outcome="delivered"} [1-9]' \
            "$T/metrics"
}
wait_until -p "$P" -s 120 canary_down
curl -fsS "$URL/metrics" >"$T/metrics" 2>/dev/null
check "/metrics: the engine's records by kind" \
    grep -q '^coalmine_scan_records{kind="cloudtrail"} [1-9]' "$T/metrics"
check "/metrics: the files the engine read" \
    grep -q "^coalmine_follow_files_read $((NF + 1))$" "$T/metrics"
check "/metrics: the bus's deliveries" \
    grep -q '^coalmine_routing_deliveries{outcome="delivered"} [1-9]' "$T/metrics"
check "/metrics: the canary event's delivery, by source" \
    grep -q '^coalmine_routing_source_deliveries{source="canary",outcome="delivered"} [1-9]' "$T/metrics"
# Every source the by-source family has is one docs/metrics.md names.
doc_sources=$(sed -n 's/^| `coalmine_routing_source_deliveries` |[^|]*| `source`: \([^;]*\);.*/\1/p' \
    "$(dirname "$0")/../../docs/metrics.md" | tr -d ' ' | tr , '\n' | sort)
served_sources=$(sed -n 's/^coalmine_routing_source_deliveries{source="\([a-z_]*\)".*/\1/p' \
    "$T/metrics" | sort -u)
if [ -n "$served_sources" ] && [ "$doc_sources" = "$served_sources" ]; then
    ok "/metrics: the by-source family's sources are the ones docs/metrics.md lists"
else
    nok "/metrics: the by-source family's sources are the ones docs/metrics.md lists" \
        "served: $(echo $served_sources); documented: $(echo $doc_sources)"
fi
check "/metrics: the canary's status, 0 for FAIL" \
    grep -q '^coalmine_canary_up{check="trail-alive"} 0$' "$T/metrics"
check "/metrics: one intel reload" grep -q '^coalmine_intel_reloads{outcome="ok"} 1$' \
    "$T/metrics"
summary "$T/s.db" "$T/before.sum"
NDEL=$(wc -l <"$T/findings.jsonl")

stop $P
check "SIGTERM: exit 0" test $? -eq 0
check "... the engine's state written" grep -q "state written to $T/s.db.state" "$T/s1.err"

# --- a restart: nothing read again, nothing counted twice ------------------------------
start_serve "$T/s2.err"
N=$((NF + 1))
wait_until -p "$P" -s 120 grep -q "$N left out (read before this run)" "$T/s2.err"
check "a restart leaves the $N files read before out, unread" \
    grep -q "^follow: .*: 0 files read, $N left out" "$T/s2.err"
curl -fsS "$URL/healthz" >/dev/null 2>&1
summary "$T/s.db" "$T/after.sum"
if cmp -s "$T/before.sum" "$T/after.sum"; then
    ok "... and the store's findings and counts are as they were"
else
    nok "the restart counts nothing twice" "$(diff "$T/before.sum" "$T/after.sum" | head -n 10)"
fi
check "... nothing delivered again" test "$(wc -l <"$T/findings.jsonl")" -eq "$NDEL"
# SIGHUP (a log rotation's `kill -HUP`, a reload by habit): said and ignored, not a death
# that writes no state.
kill -HUP $P 2>/dev/null
wait_until -p "$P" -s 120 grep -q "SIGHUP ignored" "$T/s2.err"
check "SIGHUP is said and ignored" grep -q "^coalmine serve: SIGHUP ignored: there is no reload" \
    "$T/s2.err"
check "... the service still answers" curl -fsS "$URL/healthz" -o /dev/null
# A second service on the same store and state, by mistake: refused, naming the first.
"$COALMINE" serve --db "$T/s.db" --listen 127.0.0.1:0 --watch "$T/w" >/dev/null 2>"$T/two.err"
check "a second serve on the same state: exit 1" test $? -eq 1
check "... naming the process that has it, as a scan or serve" grep -q \
    "in use by process $P (a coalmine scan or serve with this state holds $T/s.db.state.lock)" \
    "$T/two.err"
# A PutEvents entry a rule takes: the bus's line says what it routed, a put event, not a
# finding.
"$COALMINE" rules put --db "$T/s.db" --name soc --event-pattern '{"source":["soc.test"]}' \
    >/dev/null 2>&1
"$COALMINE" targets put --db "$T/s.db" --rule soc --id f --kind file \
    --spec '{"path":"'"$T/soc.jsonl"'"}' >/dev/null 2>&1
curl -fsS -X POST "$URL/" -H 'X-Amz-Target: AWSEvents.PutEvents' \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -d '{"Entries":[{"Source":"soc.test","DetailType":"t","Detail":"{\"n\":1}"}]}' \
    -o "$T/put.out" 2>"$T/put.err"
wait_until -p "$P" -s 120 grep -q "^coalmine serve: bus: .* delivered" "$T/s2.err"
check "PutEvents: its entry reaches the rule's file target" \
    test "$(lines_with "$T/soc.jsonl" soc.test)" = 1
check "... and the bus says it routed a put event, not a finding" \
    grep -q "^coalmine serve: bus: 0 findings routed, 1 put events, 1 delivered" "$T/s2.err"
kill -TERM $P 2>/dev/null
sleep 0.05
kill -TERM $P 2>/dev/null
wait $P
RC=$?
# Killed by the second SIGTERM (143), or the first had already finished (0).
check "a second signal while stopping exits at once (or the first finished: exit $RC)" \
    test $RC -eq 143 -o $RC -eq 0

# --- UpdateDetector(enable=false): that account and region's findings are not stored ----
# by_place DB: "ACCOUNT REGION" of each stored finding
by_place() {
    "$COALMINE" findings export --db "$1" --archived all 2>/dev/null |
        python3 -c '
import json, sys
for l in sys.stdin:
    f = json.loads(l)
    print(f["accountId"], f["region"])'
}
by_place "$T/ref.db" | sort | uniq -c | sort -rn >"$T/ref.places"
ACC=$(awk 'NR == 1 {print $2}' "$T/ref.places")
REG=$(awk 'NR == 1 {print $3}' "$T/ref.places")
NOFF=$(awk 'NR == 1 {print $1}' "$T/ref.places")
mkdir -p "$T/w3"
# shellcheck disable=SC2086
"$COALMINE" serve --db "$T/d.db" --listen 127.0.0.1:0 --port-file "$T/port3" --watch "$T/w3" \
    --poll-interval 0.1 --account "$ACC" --region "$REG" --threads 2 $ARGS \
    >/dev/null 2>"$T/d.err" &
P=$!
wait_until -p "$P" -s 120 test -s "$T/port3"
URL3="http://127.0.0.1:$(cat "$T/port3")"
DET3=$(curl -fsS "$URL3/detector" | python3 -c 'import json,sys; print(json.load(sys.stdin)["detectorIds"][0])')
curl -fsS -X POST "$URL3/detector/$DET3" -H 'Content-Type: application/json' \
    -d '{"enable":false}' >/dev/null
check "UpdateDetector enable=false for $ACC $REG (the service's detector)" \
    sh -c "curl -fsS '$URL3/detector/$DET3' | grep -q '\"status\":\"DISABLED\"'"
cp -r "$G/AWSLogs" "$T/w3/"
wait_until -p "$P" -s 120 at_least "$T/d.err" "$NF"
by_place "$T/d.db" | sort | uniq -c | sort -rn >"$T/d.places"
check "... its $NOFF findings of $ACC $REG are not stored" \
    test "$(grep -c " $ACC $REG\$" "$T/d.places")" -eq 0
check "... the other accounts' and regions' are, as one scan stores them" \
    test "$(grep -v " $ACC $REG\$" "$T/ref.places")" = "$(cat "$T/d.places")"
check "... and the service said so" grep -q "findings of disabled detectors dropped" "$T/d.err"
stop $P
check "... SIGTERM: exit 0" test $? -eq 0

# --- the config's store settings are saved in the store ---------------------------------
printf 'store:\n  db: cfg.db\n  retention_days: 30\n  finding_publishing_frequency: FIFTEEN_MINUTES\n' \
    >"$T/store.yaml"
rm -f "$T/port4"
"$COALMINE" serve --config "$T/store.yaml" --listen 127.0.0.1:0 --port-file "$T/port4" \
    >/dev/null 2>"$T/st.err" &
P=$!
wait_until -p "$P" -s 120 test -s "$T/port4"
stop $P
check "serve --config with store.*: exit 0 at SIGTERM" test $? -eq 0
check "... store.finding_publishing_frequency is the store's" sh -c \
    '"$1" rules publishing --db "$2" | grep -q "^FindingPublishingFrequency: FIFTEEN_MINUTES$"' \
    _ "$COALMINE" "$T/cfg.db"
check "... store.retention_days is the store's" test "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT value FROM settings WHERE key = \x27retention_days\x27").fetchone()[0])' \
    "$T/cfg.db" 2>&1)" = 30

# --- usage errors ------------------------------------------------------------------------
"$COALMINE" serve --db "$T/x.db" --threat-list "$T/bad.txt" >/dev/null 2>"$T/u1.err"
check "an engine option without --watch is a usage error (exit 2)" test $? -eq 2
check "... that says so" grep -q "need --watch" "$T/u1.err"
"$COALMINE" serve --db "$T/x.db" --watch "$T/w" --canary-interval 0 >/dev/null 2>"$T/u2.err"
check "--canary-interval 0 is a usage error" test $? -eq 2

done_testing
