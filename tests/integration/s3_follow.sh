#!/bin/sh
# tsan: scan --follow and serve --watch of S3 beside the scan workers and serve's threads
# Watching S3: `coalmine scan --follow s3://...` and `coalmine serve --watch s3://...`
# (docs/s3.md "Watching a bucket") against a real S3 API: a local moto_server on 127.0.0.1
# (tests/integration/lib/moto.sh), filled by the real `aws s3 cp --recursive`, seen through
# tests/integration/lib/s3_proxy.py where the requests are counted. The seed-7 world of
# every scenario over 2 hours, cut into 3 batches in key-time order:
#
#   - uploaded batch after batch while `scan --follow s3://trail/AWSLogs/` (no --state)
#     runs, then SIGTERM: the store holds, byte for byte (`findings export`, the objects'
#     s3:// names made the local paths), what one `coalmine scan` of the local world stores;
#   - with --state, two batches, SIGTERM, a restart (it GETs none of them again: every
#     object is fetched once over both runs), then the last batch uploaded and read, then
#     `scan --state --final` of nothing: the same findings again;
#   - the listing plan: each poll makes one LIST per folder above the dated streams and one
#     per stream, however many old objects a stream holds (1,001 more in an old day folder
#     here: a full listing would need a second page for them at every poll); after the
#     first poll every stream is listed from the day before its newest (start-after);
#   - `coalmine serve --watch s3://...`: a bucket that cannot be listed for a while (503
#     SlowDown) is said once, counted in /metrics and listed again later; every object is
#     then read, and `aws guardduty list-findings` lists the findings one scan stores.
# Skips cleanly without python3, the aws CLI, jq, curl or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/stored.sh"
. "$(dirname "$0")/../e2e/lib/follow.sh"
. "$(dirname "$0")/lib/moto.sh"
. "$(dirname "$0")/lib/s3world.sh"

PROXY=
P=
cleanup() {
    [ -n "$P" ] && kill "$P" 2>/dev/null
    [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null
    moto_stop
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "scan --follow s3:// and serve --watch s3:// against moto_server" aws jq curl

# cm ARGS...: coalmine with moto's dummy credentials and nothing of the user's
cm() {
    env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$COALMINE" "$@"
}
# cm_bg ARGS... &: the same, run in the background as the process $! names (SIGTERM reaches it)
cm_bg() {
    exec env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$COALMINE" "$@"
}
# left_total LOG: objects the follower says it left out as read before this run
left_total() {
    sed -n 's/^follow: [^ ]*: [0-9]* files\{0,1\} read, \([0-9]*\) left out.*/\1/p' "$1" 2>/dev/null |
        awk '{s += $1} END {print s + 0}'
}
left_at_least() { [ "$(left_total "$1")" -ge "$2" ]; }
stop() { # PID: SIGTERM, and its exit status
    kill -TERM "$1" 2>/dev/null
    wait "$1"
}
s3world_whole 2

# The objects in key-time order, cut into 3 batches staged as stage/bK/AWSLogs/...
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
upto() { # objects in batches 0..K
    u=$((($1 + 1) * PER))
    [ $u -gt "$NF" ] && u=$NF
    echo $u
}
# upload K BUCKET: batch K into the bucket one object after another in key-time order, as
# AWS delivers them (boto3, which moto runs on)
upload() {
    (cd "$T/stage/b$1" && find AWSLogs -type f) |
        sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort | cut -d ' ' -f 2- |
        env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_CONFIG_FILE=/dev/null \
            AWS_SHARED_CREDENTIALS_FILE=/dev/null "$PY" -c '
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for key in sys.stdin.read().split("\n"):
    if key:
        s3.upload_file(sys.argv[3] + "/" + key, sys.argv[2], key)
' "$EP" "$2" "$T/stage/b$1" 2>>"$T/cp.err"
}
for b in trail trail2; do
    aws_at "$EP" s3 mb "s3://$b" >/dev/null 2>>"$T/mb.err"
done
check "buckets on moto_server" test ! -s "$T/mb.err"
"$PY" -c 'import boto3' 2>/dev/null
check "boto3 (moto's own) uploads the batches" test $? -eq 0

# --- scan --follow, no --state: three batches, SIGTERM ------------------------------------
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --endpoint-url "$EP" --db "$T/a.db" --format json \
    s3://trail/AWSLogs/ >"$T/a.out" 2>"$T/a.err" &
P=$!
for k in 0 1 2; do
    upload $k trail
    wait_until -p "$P" -s 180 at_least "$T/a.err" "$(upto $k)"
done
stop $P
rc=$?
P=
check "scan --follow s3://trail/AWSLogs/: SIGTERM after three batches exits 0" test $rc -eq 0
check "... having read the $NF objects once ($(read_total "$T/a.err"))" \
    test "$(read_total "$T/a.err")" -eq "$NF"
check "... findings printed as they came" test -s "$T/a.out"
same_as_whole "$T/a.db"
check "... evidence names the objects s3://trail/AWSLogs/..." grep -q '"s3://trail/AWSLogs/' "$T/a.out"

# --- with --state: two batches, SIGTERM, restart, the last batch --------------------------
# 1,001 old objects (empty CloudTrail files) in a day folder long before the world's: a
# full listing of their stream needs two pages at every poll, the planned one does not
STREAM=$(cd "$G" && find AWSLogs -mindepth 3 -maxdepth 3 -type d -path '*/CloudTrail/*' | sort |
    head -n 1)
mkdir -p "$T/old/$STREAM/2025/01/01"
i=0
while [ $i -lt 1001 ]; do
    printf '{"Records":[]}' >"$T/old/$STREAM/2025/01/01/x_CloudTrail_r_20250101T$(printf '%04d' $((i % 1440 / 60 * 100 + i % 60)))Z_$i.json"
    i=$((i + 1))
done
aws_at "$EP" s3 cp --recursive --only-show-errors "$T/old" s3://trail2/ 2>>"$T/cp.err"
NOLD=1001
start_proxy s3_proxy log
upload 0 trail2
upload 1 trail2
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --endpoint-url "$PEP" --db "$T/b.db" \
    --state "$T/b.state" s3://trail2/AWSLogs/ >"$T/b1.out" 2>"$T/b1.err" &
P=$!
wait_until -p "$P" -s 180 at_least "$T/b1.err" $(($(upto 1) + NOLD))
stop $P
rc=$?
P=
check "follow --state: SIGTERM after two batches exits 0, state written" \
    test $rc -eq 0 -a -n "$(grep "state written to $T/b.state" "$T/b1.err")"
check "... having read $(($(upto 1) + NOLD)) objects ($(read_total "$T/b1.err"))" \
    test "$(read_total "$T/b1.err")" -eq $(($(upto 1) + NOLD))
cp "$T/proxy.log" "$T/proxy1.log"
L1=$(wc -l <"$T/proxy.log")
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --endpoint-url "$PEP" --db "$T/b.db" \
    --state "$T/b.state" s3://trail2/AWSLogs/ >"$T/b2.out" 2>"$T/b2.err" &
P=$!
wait_until -p "$P" -s 180 left_at_least "$T/b2.err" $(($(upto 1) + NOLD))
check "the restart leaves the $(($(upto 1) + NOLD)) objects read before out, unfetched" \
    test "$(left_total "$T/b2.err")" -eq $(($(upto 1) + NOLD)) -a "$(read_total "$T/b2.err")" -eq 0
sleep 1 # idle polls: what the plan lists when nothing comes
upload 2 trail2
wait_until -p "$P" -s 180 at_least "$T/b2.err" $((NF - $(upto 1)))
stop $P
rc=$?
P=
check "... reads the batch uploaded after it, exits 0 at SIGTERM" \
    test $rc -eq 0 -a "$(read_total "$T/b2.err")" -eq $((NF - $(upto 1)))
tail -n +$((L1 + 1)) "$T/proxy.log" >"$T/proxy2.log"
grep '^GET ' "$T/proxy.log" | sort >"$T/gets"
check "every object fetched once over both runs ($(wc -l <"$T/gets") GETs for $((NF + NOLD)) objects)" \
    test "$(wc -l <"$T/gets")" -eq $((NF + NOLD)) -a -z "$(uniq -d "$T/gets")"
mkdir -p "$T/empty"
# shellcheck disable=SC2086
"$COALMINE" scan $ARGS -q --db "$T/b.db" --state "$T/b.state" --final "$T/empty" >/dev/null 2>&1
summary "$T/b.db" "$T/b.sum"
if cmp -s "$T/whole.sum" "$T/b.sum"; then
    ok "follow, restart and --final store the findings of one scan ($(wc -l <"$T/b.sum"))"
else
    nok "follow, restart and --final store the findings of one scan" \
        "$(diff "$T/whole.sum" "$T/b.sum" | head -n 6)"
fi

# the plan: folders above the streams (AWSLogs/, accounts, services) and the streams
NDIR=$( (
    echo AWSLogs
    cd "$G" && find AWSLogs -mindepth 1 -maxdepth 2 -type d
) | wc -l)
NSTREAM=$(cd "$G" && find AWSLogs -mindepth 3 -maxdepth 3 -type d | wc -l)
PER_POLL=$((NDIR + NSTREAM))
# (the first poll of each run lists every stream whole: the one with the old objects in two
# pages; every later poll, one page per stream)
for run in 1 2; do
    polls=$(sed -n 's/^follow: stopped after \([0-9]*\) polls.*/\1/p' "$T/b$run.err")
    lists=$(grep -c '^LIST ' "$T/proxy$run.log")
    check "run $run: $lists LIST requests in $polls polls: $NDIR folders + $NSTREAM streams a poll, one page each but the first poll's second page of the old objects" \
        test "$lists" -eq $((polls * PER_POLL + 1)) -a "$(grep -c 'continuation-token' "$T/proxy$run.log")" -eq 1
    whole=$(grep '^LIST ' "$T/proxy$run.log" | grep -v 'delimiter=' | grep -v 'continuation-token' |
        grep -vc 'start-after=')
    check "run $run: each stream listed whole at the first poll only ($whole of $NSTREAM)" \
        test "$whole" -eq "$NSTREAM"
done
DAY=$(cd "$G/$STREAM" && find . -mindepth 3 -maxdepth 3 -type d | sort | tail -n 1 | cut -c3-)
PREV=$("$PY" -c 'import datetime, sys
d = datetime.date(*map(int, sys.argv[1].split("/"))) - datetime.timedelta(days=1)
print(d.strftime("%Y/%m/%d"))' "$DAY")
check "later polls list $STREAM/ from $PREV, the day before its newest ($DAY)" \
    grep -q "^LIST /trail2?.*prefix=$STREAM/&start-after=$STREAM/$PREV\$" "$T/proxy2.log"
stop_proxy

# --- serve --watch s3://: a bucket down for a while, then every object --------------------
: >"$T/down"
start_proxy s3_proxy down "$T/down"
cm_bg serve --listen 127.0.0.1:0 --port-file "$T/serve.port" --db "$T/s.db" --state "$T/s.state" \
    --poll-interval 0.2 --watch s3://trail/AWSLogs/ --endpoint-url "$PEP" $ARGS \
    >/dev/null 2>"$T/s.err" &
P=$!
wait_until -p "$P" test -s "$T/serve.port"
SEP="http://127.0.0.1:$(cat "$T/serve.port" 2>/dev/null)"
metric() { curl -s "$SEP/metrics" | sed -n "s/^$1 //p"; }
list_errors_at_least() { [ "$(metric 'coalmine_follow_s3_errors{operation="list"}')" -ge "$1" ] 2>/dev/null; }
wait_until -p "$P" -s 180 list_errors_at_least 2
check "serve --watch: a bucket that cannot be listed is counted in /metrics ($(metric 'coalmine_follow_s3_errors{operation="list"}') failed listings)" \
    test "$(metric 'coalmine_follow_s3_errors{operation="list"}')" -ge 2
check "... and said once: $(grep -c 'SlowDown' "$T/s.err") line" \
    test "$(grep -c 'SlowDown' "$T/s.err")" -eq 1
rm -f "$T/down"
wait_until -p "$P" -s 180 at_least "$T/s.err" "$NF"
check "... listed again once it answers (said so), and every object read" \
    test "$(read_total "$T/s.err")" -eq "$NF" -a -n "$(grep 'listed again after' "$T/s.err")"
check "... the service still runs" kill -0 $P
aws_at "$SEP" guardduty list-findings --detector-id c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1 \
    >"$T/lf.json" 2>"$T/lf.err"
jq -r '.FindingIds[]' "$T/lf.json" 2>/dev/null | sort >"$T/lf.ids"
cut -d ' ' -f 1 "$T/whole.sum" | sort >"$T/whole.ids"
if [ -s "$T/lf.ids" ] && cmp -s "$T/lf.ids" "$T/whole.ids"; then
    ok "aws guardduty list-findings lists the $(wc -l <"$T/lf.ids") findings one scan stores"
else
    nok "aws guardduty list-findings lists the findings one scan stores" \
        "$(diff "$T/whole.ids" "$T/lf.ids" | head -n 4)" "$(head -c 300 "$T/lf.err")"
fi
check "/metrics counts the LIST requests" test "$(metric coalmine_follow_s3_list_requests)" -gt 0
stop $P
rc=$?
P=
check "serve stops at SIGTERM, exit 0" test $rc -eq 0
stop_proxy
done_testing
