#!/bin/sh
# tsan: S3 and SQS reads beside the scan workers, against moto_server
# `coalmine scan s3://bucket/prefix` against a real S3 API: a local moto_server on 127.0.0.1
# (tests/integration/lib/moto.sh), filled with the real `aws s3 cp --recursive`. The
# seed-7 world of every scenario, scanned from the bucket at 1 and 2 threads, gives the
# findings of a scan of the same files on disk byte for byte (the evidence's file names
# aside: s3://trail/... for the local path), the same --stats counts and, with --db, the
# same stored findings; a prefix reads
# only its objects; more than 1,000 objects are listed (continuation tokens); keys with
# spaces, unicode, '=' and '+' are read; a missing bucket, a wrong secret (moto checking
# signatures), an object deleted mid-scan and a throttled server give clear errors and
# counted rejects; --state reads nothing twice and a new object alone; the world
# recompressed with zstd reads from the bucket as from disk.
# Skips cleanly without python3, the aws CLI, jq or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/stored.sh"
. "$(dirname "$0")/lib/moto.sh"
. "$(dirname "$0")/lib/s3world.sh"

PROXY=
cleanup() {
    moto_stop
    [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "scan s3:// against moto_server" aws jq

# cm ARGS...: coalmine with moto's dummy credentials and nothing of the user's
cm() {
    env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$COALMINE" "$@"
}
# counts FILE: the --stats JSON without what varies between runs, file names made local
counts() {
    jq -S 'del(.seconds, .cpu_seconds, .peak_rss_kb, .peak_batches, .state, .workers[].cpu_seconds)' "$1" |
        sed "s#s3://trail/#$G/#g"
}

G="$T/g"
"$COALMINE" gen --out "$G" --hours 3 --seed 7 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 3 hours of the seed-7 world" test $? -eq 0
ARGS="--no-default-intel $(cat "$G/intel/args.txt")"
NF=$(find "$G/AWSLogs" -type f | wc -l)

aws_at "$EP" s3 mb s3://trail >/dev/null 2>"$T/mb.err"
check "a bucket on moto_server" test $? -eq 0
aws_at "$EP" s3 cp --recursive --only-show-errors "$G/AWSLogs" s3://trail/AWSLogs 2>"$T/cp.err"
check "aws s3 cp --recursive uploads the $NF objects" test $? -eq 0

# --- the same findings and counts as the local copy ---------------------------------------
for th in 1 2; do
    # shellcheck disable=SC2086 # ARGS holds options and values
    "$COALMINE" scan $ARGS --threads $th --format json --stats "$T/local$th.stats" \
        "$G/AWSLogs" >"$T/local$th.json" 2>"$T/local$th.err"
    check "local scan at $th threads exits 0" test $? -eq 0
    # shellcheck disable=SC2086
    cm scan $ARGS --endpoint-url "$EP" --threads $th --format json --stats "$T/s3$th.stats" \
        s3://trail/AWSLogs >"$T/s3$th.json" 2>"$T/s3$th.err"
    rc=$?
    check "scan s3://trail/AWSLogs at $th threads exits 0" test $rc -eq 0
    sed "s#s3://trail/#$G/#g" "$T/s3$th.json" >"$T/s3$th.local.json"
    if [ -s "$T/local$th.json" ] && cmp -s "$T/s3$th.local.json" "$T/local$th.json"; then
        ok "findings at $th threads: byte-identical to the local scan's ($(wc -l <"$T/local$th.json"))"
    else
        nok "findings at $th threads: byte-identical to the local scan's" \
            "$(diff "$T/local$th.json" "$T/s3$th.local.json" | head -n 5)" "$(tail -n 3 "$T/s3$th.err")"
    fi
    counts "$T/local$th.stats" >"$T/local$th.counts"
    counts "$T/s3$th.stats" >"$T/s3$th.counts"
    if cmp -s "$T/local$th.counts" "$T/s3$th.counts"; then
        ok "--stats at $th threads: the local scan's counts ($(jq .files "$T/s3$th.stats") files)"
    else
        nok "--stats at $th threads: the local scan's counts" \
            "$(diff "$T/local$th.counts" "$T/s3$th.counts" | head -n 6)"
    fi
done
check "evidence names the objects s3://trail/AWSLogs/..." grep -q '"s3://trail/AWSLogs/' "$T/s31.json"
# --db: what the store keeps is what a scan of the local copy stores
# shellcheck disable=SC2086
"$COALMINE" scan $ARGS -q --threads 2 --db "$T/local.db" "$G/AWSLogs" >/dev/null 2>&1
# shellcheck disable=SC2086
cm scan $ARGS --endpoint-url "$EP" -q --threads 2 --db "$T/s3.db" s3://trail/AWSLogs >/dev/null 2>&1
summary "$T/local.db" "$T/local.sum"
summary "$T/s3.db" "$T/s3.sum"
if [ -s "$T/local.sum" ] && cmp -s "$T/local.sum" "$T/s3.sum"; then
    ok "--db: the stored findings (id, type, severity, count, first and last seen) are the local scan's"
else
    nok "--db: the stored findings are the local scan's" "$(diff "$T/local.sum" "$T/s3.sum" | head -n 4)"
fi

# --- a prefix reads only its objects --------------------------------------------------------
SUB=$(cd "$G" && find AWSLogs -type d -name CloudTrail | head -n 1)
NSUB=$(find "$G/$SUB" -type f | wc -l)
cm scan $ARGS --endpoint-url "$EP" -q --stats "$T/pre.stats" "s3://trail/$SUB/" >/dev/null 2>&1
check "s3://trail/$SUB/ reads its $NSUB objects only" test "$(jq .files "$T/pre.stats")" -eq "$NSUB"
cm scan $ARGS --endpoint-url "$EP" -q --stats "$T/none.stats" "s3://trail/nothing-here/" \
    >/dev/null 2>&1
check "a prefix with no objects: 0 files, exit 0" test $? -eq 0 -a "$(jq .files "$T/none.stats")" -eq 0

# --- --since: objects stamped more than a day before it are listed, not fetched -------------
start_proxy s3_proxy log
cm scan --no-default-intel --endpoint-url "$PEP" -q --stats "$T/since.stats" \
    --since 2026-01-07T12:00Z s3://trail/AWSLogs/ >/dev/null 2>&1
rc=$?
stop_proxy
out=$(jq '.skipped.what[] | select(.name == "outside --since/--until") | .files' "$T/since.stats")
check "--since two days after the world: exit 0, listed, no object fetched ($out outside)" \
    test $rc -eq 0 -a "$(grep -c '^LIST ' "$T/proxy.log")" -gt 0 -a \
    "$(grep -c '^GET ' "$T/proxy.log")" -eq 0 -a "$out" -eq "$NF"

# --- more than one page, odd keys -----------------------------------------------------------
mkdir -p "$T/many"
i=0
while [ $i -lt 1005 ]; do
    printf '{"Records":[]}' >"$T/many/o$i.json"
    i=$((i + 1))
done
aws_at "$EP" s3 mb s3://many >/dev/null 2>&1
aws_at "$EP" s3 cp --recursive --only-show-errors "$T/many" s3://many/p/ 2>"$T/many.err"
cm scan --no-default-intel --endpoint-url "$EP" -q --stats "$T/many.stats" s3://many/p/ \
    >/dev/null 2>"$T/many.scan"
check "1,005 objects: listed over two pages, every one read" \
    test "$(jq '.skipped.files' "$T/many.stats")" -eq 1005
ONE=$(find "$G/AWSLogs" -path '*CloudTrail/*' -name '*.json.gz' | head -n 1)
ODD="odd/a folder/ünï cødé=x+y&z.json.gz"
aws_at "$EP" s3 cp --only-show-errors "$ONE" "s3://many/$ODD" 2>>"$T/many.err"
"$COALMINE" scan --no-default-intel -q --stats "$T/one.stats" "$ONE" >/dev/null 2>&1
cm scan --no-default-intel --endpoint-url "$EP" -q --stats "$T/odd.stats" "s3://many/odd/" \
    >/dev/null 2>"$T/odd.err"
check "a key with spaces, unicode, '=', '+', '&': read, its $(jq .records.cloudtrail "$T/one.stats") records" \
    test "$(jq .records.cloudtrail "$T/odd.stats")" -eq "$(jq .records.cloudtrail "$T/one.stats")" \
    -a "$(jq .rejected.files "$T/odd.stats")" -eq 0
aws_at "$EP" s3 cp --only-show-errors "$ONE" "s3://many/odd/.hidden/x.json.gz" 2>>"$T/many.err"
aws_at "$EP" s3 cp --only-show-errors "$ONE" \
    "s3://many/odd/CloudTrail-Digest/x.json.gz" 2>>"$T/many.err"
cm scan --no-default-intel --endpoint-url "$EP" --stats "$T/hid.stats" "s3://many/odd/" \
    >/dev/null 2>"$T/hid.err"
check "hidden entries left out and digests skipped unread, as in a walk" \
    test "$(jq .files "$T/hid.stats")" -eq 1 -a "$(jq .skipped.files "$T/hid.stats")" -eq 2

# --- errors ---------------------------------------------------------------------------------
cm scan --endpoint-url "$EP" -q s3://no-such-bucket/x >/dev/null 2>"$T/nb.err"
rc=$?
check "a missing bucket: exit 1" test $rc -eq 1
check "... saying NoSuchBucket (HTTP 404)" \
    grep -q "s3://no-such-bucket/x: NoSuchBucket: .*(HTTP 404)" "$T/nb.err"
cm scan --endpoint-url "$EP" -q s3://Bad_Name!/x >/dev/null 2>"$T/bad.err"
check "a malformed bucket name: a usage error (exit 2)" test $? -eq 2
cm scan --endpoint-url "$EP" -q --follow s3://Bad_Name!/x >/dev/null 2>"$T/fol.err"
check "--follow s3:// (tests/integration/s3_follow.sh) with a malformed bucket name: a usage error" \
    test $? -eq 2

# an object deleted between the listing and its GetObject
aws_at "$EP" s3 cp --only-show-errors "$ONE" "s3://many/gone/a.json.gz" 2>>"$T/many.err"
aws_at "$EP" s3 cp --only-show-errors "$ONE" "s3://many/gone/b.json.gz" 2>>"$T/many.err"
start_proxy s3_proxy delete "gone/a.json.gz"
cm scan --no-default-intel --endpoint-url "$PEP" --stats "$T/gone.stats" s3://many/gone/ \
    >/dev/null 2>"$T/gone.err"
rc=$?
stop_proxy
check "an object deleted mid-scan: the scan goes on, exit 0" test $rc -eq 0
check "... one reject, the other object read" \
    test "$(jq .rejected.files "$T/gone.stats")" -eq 1 -a "$(jq .files "$T/gone.stats")" -eq 1 \
    -a "$(jq .records.cloudtrail "$T/gone.stats")" -eq "$(jq .records.cloudtrail "$T/one.stats")"
check "... named s3://many/gone/a.json.gz with S3's reason" \
    grep -q "s3://many/gone/a.json.gz.*NoSuchKey.*(HTTP 404)" "$T/gone.err"

# a throttled server: 503 SlowDown twice, then the answers
start_proxy s3_proxy fail 2
cm scan --no-default-intel --endpoint-url "$PEP" -q --stats "$T/slow.stats" s3://many/odd/ \
    >/dev/null 2>"$T/slow.err"
rc=$?
stop_proxy
check "503 SlowDown twice: retried, read, nothing rejected" \
    test $rc -eq 0 -a "$(grep -c '^503' "$T/proxy.log")" -eq 2 -a \
    "$(jq .rejected.files "$T/slow.stats")" -eq 0 -a "$(jq .files "$T/slow.stats")" -eq 1
start_proxy s3_proxy fail 100
cm scan --no-default-intel --endpoint-url "$PEP" --stats "$T/slow2.stats" s3://many/odd/ \
    >/dev/null 2>"$T/slow2.err"
rc=$?
stop_proxy
# 10: the object's name holds no time, so its first 64 KiB is asked for first (to place
# it by its first record; given up after 5 attempts), then the object (5 more)
check "503 every time: a reject after 5 attempts, exit 0" \
    test $rc -eq 0 -a "$(grep -c '^503' "$T/proxy.log")" -eq 10 -a \
    "$(jq .rejected.files "$T/slow2.stats")" -eq 1 -a "$(jq .files "$T/slow2.stats")" -eq 0
check "... saying SlowDown (HTTP 503, after 5 attempts)" \
    grep -q "SlowDown: Please reduce your request rate. (HTTP 503, after 5 attempts)" "$T/slow2.err"

# a wrong secret: a second moto_server that checks signatures (moto's IAM)
MAIN_PID=$MOTO_PID
MAIN_EP=$EP
MOTO_PID=
MOTO_ENV="INITIAL_NO_AUTH_ACTION_COUNT=3"
if moto_start; then
    AEP=$MOTO_EP
    AUTH_PID=$MOTO_PID
    aws_at "$AEP" iam create-user --user-name scanner >/dev/null 2>"$T/iam.err" &&
        aws_at "$AEP" iam put-user-policy --user-name scanner --policy-name all --policy-document \
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' \
            2>>"$T/iam.err" &&
        aws_at "$AEP" iam create-access-key --user-name scanner >"$T/key.json" 2>>"$T/iam.err"
    KID=$(jq -r .AccessKey.AccessKeyId "$T/key.json" 2>/dev/null)
    SEC=$(jq -r .AccessKey.SecretAccessKey "$T/key.json" 2>/dev/null)
    ak() {
        _sec=$1
        shift
        env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID="$KID" \
            AWS_SECRET_ACCESS_KEY="$_sec" AWS_CONFIG_FILE=/dev/null \
            AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
            AWS_REGION=us-east-1 "$@"
    }
    ak "$SEC" aws --endpoint-url "$AEP" s3 mb s3://signed >/dev/null 2>>"$T/iam.err"
    ak "$SEC" aws --endpoint-url "$AEP" s3 cp --only-show-errors "$ONE" s3://signed/one.json.gz \
        2>>"$T/iam.err"
    ak "$SEC" "$COALMINE" scan --no-default-intel --endpoint-url "$AEP" -q --stats "$T/signed.stats" \
        s3://signed >/dev/null 2>"$T/signed.err"
    check "signatures checked by moto: the right secret reads the object" \
        test "$(jq .files "$T/signed.stats" 2>/dev/null)" = 1
    ak "wrong$SEC" "$COALMINE" scan --no-default-intel --endpoint-url "$AEP" -q s3://signed \
        >/dev/null 2>"$T/wrong.err"
    rc=$?
    check "a wrong secret: exit 1, SignatureDoesNotMatch (HTTP 403)" \
        test $rc -eq 1 -a -n "$(grep "s3://signed: SignatureDoesNotMatch: .*(HTTP 403)" "$T/wrong.err")"
    if grep -q "$SEC" "$T/wrong.err" "$T/signed.err"; then
        nok "no secret in any message"
    else
        ok "no secret in any message"
    fi
    kill "$AUTH_PID" 2>/dev/null
    wait "$AUTH_PID" 2>/dev/null
else
    skip "a wrong secret" "a moto_server checking signatures did not start"
fi
MOTO_PID=$MAIN_PID
EP=$MAIN_EP

# --- zstd objects: the world recompressed, read from the bucket as from disk ------------
if command -v zstd >/dev/null; then
    Z="$T/z"
    cp -r "$G/AWSLogs" "$Z"
    find "$Z" -name '*.gz' | while read -r f; do
        zcat "$f" | zstd -q -o "${f%.gz}.zst" && rm "$f"
    done
    # one object without a time in its name: placed in the scan order by a peek of its
    # first 64 KiB (a Range GET), as a gzip one is
    F1=$(find "$Z" -path '*vpcflowlogs*' -name '*.zst' | sort | head -n 1)
    mv "$F1" "$(dirname "$F1")/unstamped.log.zst"
    aws_at "$EP" s3 cp --recursive --only-show-errors "$Z" s3://trail/zst 2>"$T/zcp.err"
    # shellcheck disable=SC2086
    "$COALMINE" scan $ARGS --format json --stats "$T/zlocal.stats" "$Z" >"$T/zlocal.json" \
        2>"$T/zlocal.err"
    # shellcheck disable=SC2086
    cm scan $ARGS --endpoint-url "$EP" --format json --stats "$T/zs3.stats" s3://trail/zst \
        >"$T/zs3.json" 2>"$T/zs3.err"
    check "zstd objects: exit 0, no reject, the .gz world's records" \
        test "$? $(jq -c .rejected.files "$T/zs3.stats") $(jq -c .records "$T/zs3.stats")" \
        = "0 0 $(jq -c .records "$T/local1.stats")"
    sed "s#s3://trail/zst/#$Z/#g" "$T/zs3.json" >"$T/zs3.local.json"
    if [ -s "$T/zlocal.json" ] && cmp -s "$T/zs3.local.json" "$T/zlocal.json"; then
        ok "zstd objects: the findings of the same files on disk ($(wc -l <"$T/zlocal.json"))"
    else
        nok "zstd objects: the findings of the same files on disk" \
            "$(diff "$T/zlocal.json" "$T/zs3.local.json" | head -n 5)"
    fi
    check "zstd objects: as many findings as the .gz world's" \
        test "$(wc -l <"$T/zlocal.json")" -eq "$(wc -l <"$T/local1.json")"
    # findings get --evidence does not fetch objects: it says how to read one, with zstd
    # shellcheck disable=SC2086
    cm scan $ARGS --endpoint-url "$EP" -q --db "$T/z.db" s3://trail/zst >/dev/null 2>&1
    ZID=$(jq -r .id "$T/zs3.json" | head -n 1)
    "$COALMINE" findings get --db "$T/z.db" --evidence "$ZID" >/dev/null 2>"$T/zev.err"
    check "findings get --evidence on a zstd object: how to read it, with zstd -dcf" \
        grep -q "s3://trail/zst/.*\.zst - | zstd -dcf)" "$T/zev.err"
else
    skip "zstd objects" "the zstd command is not installed"
fi

# --- --state: nothing twice, then the new object only ---------------------------------------
# shellcheck disable=SC2086
cm scan $ARGS --endpoint-url "$EP" -q --state "$T/st" --stats "$T/st1.stats" s3://trail/AWSLogs \
    >/dev/null 2>"$T/st1.err"
check "--state, first scan: every object read" test "$(jq .files "$T/st1.stats")" -eq "$NF"
# shellcheck disable=SC2086
cm scan $ARGS --endpoint-url "$EP" -q --state "$T/st" --stats "$T/st2.stats" s3://trail/AWSLogs \
    >/dev/null 2>"$T/st2.err"
check "--state, second scan: 0 objects read, all skipped as read before" \
    test "$(jq .files "$T/st2.stats")" -eq 0 -a "$(jq .skipped.files "$T/st2.stats")" -eq "$NF"
# another name (the same name, size and ETag elsewhere is a copy, left out as a walk does)
NEW="AWSLogs/$(basename "$(dirname "$SUB")")/CloudTrail/new/$(basename "$ONE" .json.gz)N.json.gz"
aws_at "$EP" s3 cp --only-show-errors "$ONE" "s3://trail/$NEW" 2>>"$T/many.err"
# shellcheck disable=SC2086
cm scan $ARGS --endpoint-url "$EP" -q --state "$T/st" --stats "$T/st3.stats" s3://trail/AWSLogs \
    >/dev/null 2>"$T/st3.err"
check "--state, after one upload: that object alone read" \
    test "$(jq .files "$T/st3.stats")" -eq 1 -a "$(jq .skipped.files "$T/st3.stats")" -eq "$NF"
done_testing
