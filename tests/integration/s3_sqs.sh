#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# Reading a bucket's deliveries from an SQS queue: `coalmine scan --follow sqs://...` and
# `coalmine serve --watch sqs://...` (docs/s3.md "Reading a queue") against a real S3 and
# SQS API: a local moto_server on 127.0.0.1 (tests/integration/lib/moto.sh), its bucket
# notifying a queue (put-bucket-notification-configuration, by the real aws CLI), the
# seed-7 world of every scenario over 2 hours (336 objects; every scenario's findings are
# there as in 6 hours, and the script reads the world three times) uploaded in key-time
# order (boto3):
#
#   - `scan --follow sqs://ACCOUNT/QUEUE` (no --state) reads every notified object once and
#     stores, byte for byte (`findings export`, the objects' s3:// names made the local
#     paths), what one `coalmine scan` of the local world stores; S3's test message is
#     deleted, and the queue is empty at the end;
#   - with --state, the endpoints from AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SQS, two
#     thirds of the world read while every DeleteMessageBatch is refused (a proxy), then
#     kill -9: the messages come again after their visibility timeout (30 s) and the restart
#     (the default visibility timeout: no message comes twice to it) leaves
#     their objects out as read, reads the last third, and deletes everything; with
#     `scan --state --final` of nothing the store holds the findings of one scan (none
#     counted twice);
#   - `serve --watch sqs://...` of a queue fed by `aws sqs send-message-batch` with every
#     form a delivery is announced in (S3's notification raw and through SNS, CloudTrail's
#     notification raw and through SNS, EventBridge's Object Created) for every object, plus
#     a test message, an object that is not there and a message that is no notification:
#     `aws guardduty list-findings` lists the findings one scan stores, /metrics counts the
#     messages and objects, the garbage is still in the queue afterwards, nothing else is.
# Skips cleanly without python3 (boto3), the aws CLI, jq, curl or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/stored.sh"
. "$(dirname "$0")/lib/moto.sh"
. "$(dirname "$0")/lib/s3world.sh"
. "$(dirname "$0")/lib/sqs.sh"
. "$(dirname "$0")/../e2e/lib/follow.sh"

moto_up "scan --follow sqs:// and serve --watch sqs:// against moto_server" aws jq curl boto3
ACCT=123456789012

# cm_bg ARGS... &: coalmine under moto_env (lib/sqs.sh), as the process $! names
cm_bg() {
    moto_env "$COALMINE" "$@"
}
left_total() {
    sed -n 's/^follow: [^ ]*: [0-9]* files\{0,1\} read, \([0-9]*\) left out.*/\1/p' "$1" 2>/dev/null |
        awk '{s += $1} END {print s + 0}'
}
stop() { # PID: SIGTERM, and its exit status
    kill -TERM "$1" 2>/dev/null
    wait "$1"
}
s3world_whole 2

(cd "$G" && find AWSLogs -type f) | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort |
    cut -d ' ' -f 2- >"$T/keys"
NF=$(wc -l <"$T/keys")
PER=$(((NF + 2) / 3))
# upload BUCKET FIRST LAST: keys FIRST..LAST (1-based) in key-time order, one after another
upload() {
    sed -n "$2,$3p" "$T/keys" |
        env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_CONFIG_FILE=/dev/null \
            AWS_SHARED_CREDENTIALS_FILE=/dev/null "$PY" -c '
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for key in sys.stdin.read().split("\n"):
    if key:
        s3.upload_file(sys.argv[3] + "/" + key, sys.argv[2], key)
' "$EP" "$1" "$G" 2>>"$T/up.err"
}
# notify BUCKET QUEUE: the bucket's ObjectCreated events to the queue
notify() {
    aws_at "$EP" sqs create-queue --queue-name "$2" >/dev/null 2>>"$T/mb.err"
    aws_at "$EP" s3 mb "s3://$1" >/dev/null 2>>"$T/mb.err"
    aws_at "$EP" s3api put-bucket-notification-configuration --bucket "$1" \
        --notification-configuration "{\"QueueConfigurations\":[{\"QueueArn\":\"arn:aws:sqs:us-east-1:$ACCT:$2\",\"Events\":[\"s3:ObjectCreated:*\"]}]}" \
        2>>"$T/mb.err"
}
notify trail q1
notify trail2 q2
check "buckets notifying queues on moto_server" test ! -s "$T/mb.err"

# --- scan --follow sqs://, no --state ---------------------------------------------------
upload trail 1 "$NF"
check "the $NF objects uploaded to s3://trail/, each announced to q1 ($(in_queue q1) messages with S3's test message)" \
    test "$(in_queue q1)" -eq $((NF + 1))
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --endpoint-url "$EP" --db "$T/a.db" \
    --format json "sqs://$ACCT/q1" >"$T/a.out" 2>"$T/a.err" &
P=$!
# (at most 900 s a wait: moto is slow with a thousand messages)
wait_until -p "$P" -s 900 at_least "$T/a.err" "$NF"
qempty() { [ "$(in_queue "$1")" -eq 0 ]; }
wait_until -p "$P" -s 900 qempty q1
stop $P
rc=$?
P=
check "scan --follow sqs://$ACCT/q1: SIGTERM exits 0" test $rc -eq 0
check "... having read the $NF objects once ($(read_total "$T/a.err"))" \
    test "$(read_total "$T/a.err")" -eq "$NF"
check "... deleted every message, the test message too ($(in_queue q1) left)" test "$(in_queue q1)" -eq 0
check "... and says so: $(grep '^follow: SQS' "$T/a.err" | cut -c1-120)" \
    grep -q "^follow: SQS: $((NF + 1)) messages received, $((NF + 1)) deleted, 0 not parsed (left in the queue), 1 test messages; objects: $NF notified, $NF read, 0 gone" "$T/a.err"
same_as_whole "$T/a.db"

# --- --state: deletes refused, kill -9, restart ----------------------------------------
start_proxy sqs_proxy nodelete
TWO=$((2 * PER))
upload trail2 1 "$TWO"
S3EP=$EP SQSEP=$PEP
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --db "$T/b.db" --state "$T/b.state" \
    "sqs://$ACCT/q2?visibility=30" >/dev/null 2>"$T/b1.err" &
P=$!
refused_last() { at_least "$T/b1.err" "$TWO" && tail -n 1 "$T/b1.err" | grep -q 'not deleted'; }
wait_until -p "$P" -s 900 refused_last
kill -9 $P
wait $P 2>/dev/null
P=
check "with --state and every delete refused: $(read_total "$T/b1.err") objects read, then kill -9" \
    test "$(read_total "$T/b1.err")" -eq "$TWO" -a "$(grep -c '^refused' "$T/proxy.log")" -ge 1
check "... the messages are still in q2 ($(in_queue q2))" test "$(in_queue q2)" -eq $((TWO + 1))
stop_proxy
upload trail2 $((TWO + 1)) "$NF"
SQSEP=$EP
# shellcheck disable=SC2086
cm_bg scan --follow --poll-interval 0.2 $ARGS --threads 2 --db "$T/b.db" --state "$T/b.state" \
    "sqs://$ACCT/q2" >/dev/null 2>"$T/b2.err" &
P=$!
wait_until -p "$P" -s 900 qempty q2
stop $P
rc=$?
P=
check "the restart reads the last $((NF - TWO)) objects and exits 0 at SIGTERM" \
    test $rc -eq 0 -a "$(read_total "$T/b2.err")" -eq $((NF - TWO))
check "... leaves the $TWO read before out, unread, as their messages come again ($(left_total "$T/b2.err"))" \
    test "$(left_total "$T/b2.err")" -eq "$TWO"
check "... and deletes every message" test "$(in_queue q2)" -eq 0
mkdir -p "$T/empty"
# shellcheck disable=SC2086
"$COALMINE" scan $ARGS -q --db "$T/b.db" --state "$T/b.state" --final "$T/empty" >/dev/null 2>&1
summary "$T/b.db" "$T/b.sum"
if cmp -s "$T/whole.sum" "$T/b.sum"; then
    ok "kill -9 before the deletes, restart and --final store the findings of one scan, none counted twice ($(wc -l <"$T/b.sum"))"
else
    nok "kill -9 before the deletes, restart and --final store the findings of one scan" \
        "$(diff "$T/whole.sum" "$T/b.sum" | head -n 6)"
fi
# --- serve --watch sqs://: every form of announcement ---------------------------------
# S3 through a logging proxy: CloudTrail's notifications name no size or ETag, and each
# object is looked up with a HEAD (s3:GetObject), never a LIST (s3:ListBucket).
start_proxy s3_proxy log
# shellcheck disable=SC2034 # read by moto_env (lib/sqs.sh)
S3EP=$PEP SQSEP=$EP
aws_at "$EP" sqs create-queue --queue-name q4 >/dev/null
"$PY" - "$EP" "$ACCT" "$T/keys" >"$T/sent.log" 2>&1 <<'PY'
import json, sys, urllib.parse, boto3
ep, acct, keyfile = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="testing",
                  aws_secret_access_key="testing")
sqs = boto3.client("sqs", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="testing",
                   aws_secret_access_key="testing")
url = "%s/%s/q4" % (ep, acct)
meta = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="trail"):
    for o in page.get("Contents", []):
        meta[o["Key"]] = (o["Size"], o["ETag"].strip('"'))
def s3event(key, size, etag):
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                         "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": "trail"},
                                "object": {"key": urllib.parse.quote_plus(key, safe="/"),
                                           "size": size, "eTag": etag}}}]}
def sns(msg):
    return {"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:%s:t" % acct,
            "Message": json.dumps(msg)}
bodies = []
keys = [k for k in open(keyfile).read().split("\n") if k]
for i, key in enumerate(keys):
    size, etag = meta[key]
    form = i % 5
    if form == 0:
        b = s3event(key, size, etag)
    elif form == 1:
        b = sns(s3event(key, size, etag))
    elif form == 2:
        b = {"s3Bucket": "trail", "s3ObjectKey": [key]}
    elif form == 3:
        b = sns({"s3Bucket": "trail", "s3ObjectKey": [key]})
    else:
        b = {"version": "0", "id": "e", "detail-type": "Object Created", "source": "aws.s3",
             "account": acct, "region": "us-east-1", "resources": ["arn:aws:s3:::trail"],
             "detail": {"version": "0", "bucket": {"name": "trail"},
                        "object": {"key": key, "size": size, "etag": etag}}}
    bodies.append(json.dumps(b))
bodies.append(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "trail"}))
bodies.append(json.dumps(s3event("AWSLogs/not-there.json.gz", 10, "abc")))
bodies.append(json.dumps({"s3Bucket": "trail", "s3ObjectKey": ["AWSLogs/not-there-either.json.gz"]}))
bodies.append("this is no notification")
for i in range(0, len(bodies), 10):
    r = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": b}
                                                      for j, b in enumerate(bodies[i:i + 10])])
    if r.get("Failed"):
        print(r["Failed"])
        sys.exit(1)
print(len(bodies))
PY
check "$NF announcements of every form, a test message, two missing objects and garbage sent to q4" \
    test "$(tail -n 1 "$T/sent.log")" = $((NF + 4))
# shellcheck disable=SC2086
cm_bg serve --listen 127.0.0.1:0 --port-file "$T/serve.port" --db "$T/s.db" --state "$T/s.state" \
    --poll-interval 0.2 --watch "sqs://$ACCT/q4?visibility=20" $ARGS \
    >/dev/null 2>"$T/s.err" &
P=$!
wait_until -p "$P" test -s "$T/serve.port"
SEP="http://127.0.0.1:$(cat "$T/serve.port" 2>/dev/null)"
metric() { curl -s "$SEP/metrics" | sed -n "s/^$1 //p"; }
all_read() { [ "$(metric 'coalmine_follow_sqs_objects{outcome="read"}')" -ge "$NF" ] 2>/dev/null && qone q4; }
qone() { [ "$(in_queue "$1")" -eq 1 ]; }
wait_until -p "$P" -s 900 all_read
check "serve --watch sqs://: every announced object read ($(metric 'coalmine_follow_sqs_objects{outcome="read"}'))" \
    test "$(metric 'coalmine_follow_sqs_objects{outcome="read"}')" -ge "$NF"
check "... the missing objects counted as gone, one named with its size, one by CloudTrail (HEAD 404) ($(metric 'coalmine_follow_sqs_objects{outcome="gone"}')), their messages deleted" \
    test "$(metric 'coalmine_follow_sqs_objects{outcome="gone"}')" -eq 2
check "... the test message counted ($(metric 'coalmine_follow_sqs_messages{outcome="test"}'))" \
    test "$(metric 'coalmine_follow_sqs_messages{outcome="test"}')" -eq 1
check "... the garbage counted as failed ($(metric 'coalmine_follow_sqs_messages{outcome="failed"}'))" \
    test "$(metric 'coalmine_follow_sqs_messages{outcome="failed"}')" -ge 1
check "... and said with its MessageId and why" \
    grep -q "sqs://$ACCT/q4?visibility=20: message [0-9a-f-]*: byte 0: .*(not deleted" "$T/s.err"
check "... every message deleted but the garbage ($(in_queue q4) left)" test "$(in_queue q4)" -eq 1
stop_proxy
NCT=$((NF / 5 * 2 + (NF % 5 > 2) + (NF % 5 > 3) + 1)) # forms 2 and 3 of each 5, the gone one
check "... CloudTrail's $NCT notifications looked up with a HEAD each ($(grep -c '^HEAD /trail/' "$T/proxy.log")), no LIST ($(grep -c '^LIST' "$T/proxy.log"))" \
    sh -c "[ \$(grep -c '^HEAD /trail/' '$T/proxy.log') -eq $NCT ] && ! grep -q '^LIST' '$T/proxy.log'"
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
stop $P
rc=$?
P=
check "serve stops at SIGTERM, exit 0" test $rc -eq 0
i=0
while [ $i -lt 3 ]; do # hidden for up to 20 s after the service's last receive of it
    aws_at "$EP" sqs receive-message --queue-url "$EP/$ACCT/q4" --wait-time-seconds 20 \
        >"$T/left.json" 2>&1
    [ -n "$(jq -r '.Messages[0].Body // empty' "$T/left.json" 2>/dev/null)" ] && break
    i=$((i + 1))
done
check "the garbage is in the queue still, visible again: $(jq -r '.Messages[0].Body' "$T/left.json" 2>/dev/null)" \
    test "$(jq -r '.Messages[0].Body' "$T/left.json" 2>/dev/null)" = "this is no notification"
done_testing
