#!/bin/sh
# tsan: S3 and SQS reads beside the scan workers, against moto_server
# Following a queue by its URL (docs/s3.md "Reading a queue"), against a local moto_server
# on 127.0.0.1 (tests/integration/lib/moto.sh), a bucket notifying two queues of a handful
# of objects (an hour of one account's CloudTrail, `coalmine gen`):
#
#   - the URL `aws sqs get-queue-url` prints (moto's: http://127.0.0.1:PORT/ACCOUNT/QUEUE,
#     the custom endpoint --endpoint-url names), with /AWSLogs/ and ?visibility= after it:
#     every object read once, every message deleted;
#   - an AWS URL (https://sqs.us-east-1.amazonaws.com/ACCOUNT/QUEUE) with the endpoint from
#     AWS_ENDPOINT_URL_SQS and AWS_REGION=eu-west-1: the requests are signed for the URL's
#     region (moto keeps queues per region: signed for eu-west-1 they find no queue);
#   - a long scan of one batch (each GET 0.5 s late through lib/s3_proxy.py: ~12 s) of a
#     queue whose visibility timeout is 4 s: its messages are hidden again while the batch
#     is scanned (the keeper thread), so another reader receives none of them 5 s into the
#     scan, and the follow receives each once and deletes it;
#   - refused, exit 2, saying why: a URL of another AWS service, a host that is not the
#     custom endpoint.
# Skips cleanly without python3, the aws CLI or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/moto.sh"
. "$(dirname "$0")/lib/s3world.sh"
. "$(dirname "$0")/lib/sqs.sh"
. "$(dirname "$0")/../e2e/lib/follow.sh"

moto_up "scan --follow QUEUE-URL against moto_server" aws jq
ACCT=123456789012

# follow_start ERR [NAME=VALUE...] [-- ARGS...]: scan --follow $URL in the background (P)
# with that environment and those options
follow_start() {
    _err=$1
    _env=
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        _env="$_env $1"
        shift
    done
    [ $# -gt 0 ] && shift
    # shellcheck disable=SC2086 # _env holds assignments
    moto_env env $_env "$COALMINE" scan --follow --poll-interval 0.2 --no-default-intel \
        --db "$T/$Q.db" "$@" "$URL" >/dev/null 2>"$_err" &
    P=$!
}
# follow_end: until every object is read and the queue ($Q) is empty (at most 120 s), then
# SIGTERM; its exit status
follow_end() {
    _i=0
    while [ $_i -lt 1200 ] && kill -0 $P 2>/dev/null; do
        [ "$(read_total "$_err")" -ge "$NF" ] && [ "$(in_queue "$Q")" -eq 0 ] && break
        _i=$((_i + 1))
        sleep 0.1
    done
    kill -TERM $P 2>/dev/null
    wait $P
    _rc=$?
    P=
    return $_rc
}
follow() {
    follow_start "$@"
    follow_end
}

G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --accounts 1 --regions 1 --kinds cloudtrail --seed 3 \
    >/dev/null 2>"$T/gen.err"
NF=$(find "$G/AWSLogs" -type f | wc -l)
for q in q1 q2 q3; do
    aws_at "$EP" sqs create-queue --queue-name $q >/dev/null 2>>"$T/mb.err"
done
aws_at "$EP" s3 mb s3://trail >/dev/null 2>>"$T/mb.err"
aws_at "$EP" s3api put-bucket-notification-configuration --bucket trail \
    --notification-configuration "{\"QueueConfigurations\":[
        {\"QueueArn\":\"arn:aws:sqs:us-east-1:$ACCT:q1\",\"Events\":[\"s3:ObjectCreated:*\"]},
        {\"QueueArn\":\"arn:aws:sqs:us-east-1:$ACCT:q2\",\"Events\":[\"s3:ObjectCreated:*\"]},
        {\"QueueArn\":\"arn:aws:sqs:us-east-1:$ACCT:q3\",\"Events\":[\"s3:ObjectCreated:*\"]}]}" \
    2>>"$T/mb.err"
aws_at "$EP" s3 cp --recursive --quiet "$G/AWSLogs" s3://trail/AWSLogs 2>>"$T/mb.err"
check "$NF objects in s3://trail/, announced to q1 and q2 ($(in_queue q1), $(in_queue q2) messages)" \
    test ! -s "$T/mb.err" -a "$NF" -gt 0 -a "$(in_queue q1)" -ge "$NF"

# --- the URL get-queue-url prints, with a key prefix and a visibility ------------------
Q=q1
URL="$(aws_at "$EP" sqs get-queue-url --queue-name q1 | jq -r .QueueUrl)/AWSLogs/?visibility=30"
follow "$T/a.err" -- --endpoint-url "$EP"
rc=$?
check "scan --follow $URL exits 0 at SIGTERM" test $rc -eq 0
check "... read the $NF objects once ($(read_total "$T/a.err"))" test "$(read_total "$T/a.err")" -eq "$NF"
check "... and deleted every message ($(in_queue q1) left)" test "$(in_queue q1)" -eq 0

# --- an AWS URL: signed for its region, sent to AWS_ENDPOINT_URL_SQS --------------------
Q=q2
URL="https://sqs.us-east-1.amazonaws.com/$ACCT/q2"
follow "$T/b.err" AWS_ENDPOINT_URL_SQS="$EP" AWS_ENDPOINT_URL_S3="$EP" AWS_REGION=eu-west-1
rc=$?
check "scan --follow $URL with AWS_REGION=eu-west-1 reads the us-east-1 queue ($(read_total "$T/b.err") objects)" \
    test $rc -eq 0 -a "$(read_total "$T/b.err")" -eq "$NF" -a "$(in_queue q2)" -eq 0

# --- a long scan of one batch: the messages kept hidden meanwhile ---------------------
start_proxy s3_proxy slow 0.5
Q=q3
URL="sqs://$ACCT/q3?visibility=4"
follow_start "$T/e.err" AWS_ENDPOINT_URL_SQS="$EP" AWS_ENDPOINT_URL_S3="$PEP" -- --threads 1
wait_until grep -q '^GET' "$T/proxy.log"
# Past the visibility timeout, into the scan of the batch. The keeper hides a message again
# once it has waited half its timeout (looking every 0.5 s): 4 s leaves it 1.5 s or more to
# do so on a loaded machine (2 s left it 0.5 s), and the batch's ~12 s scan still runs on
# past the receive below.
sleep 5
aws_at "$EP" sqs receive-message --queue-url "$EP/$ACCT/q3" --max-number-of-messages 10 \
    --visibility-timeout 0 >"$T/other.json" 2>&1
OTHER=$(jq -r '(.Messages // []) | length' "$T/other.json" 2>/dev/null)
GETS=$(grep -c '^GET' "$T/proxy.log")
follow_end
rc=$?
stop_proxy
check "another reader receives none of q3's messages 5 s into the scan of their batch ($GETS of $NF objects fetched; visibility 4 s): ${OTHER:-0}" \
    test "${OTHER:-0}" -eq 0 -a "$GETS" -lt "$NF"
check "scan --follow $URL exits 0 at SIGTERM, read the $NF objects once ($(read_total "$T/e.err"))" \
    test $rc -eq 0 -a "$(read_total "$T/e.err")" -eq "$NF"
check "... received each message once and deleted it: $(grep '^follow: SQS' "$T/e.err" | cut -c1-60)" \
    grep -q "^follow: SQS: $((NF + 1)) messages received, $((NF + 1)) deleted," "$T/e.err"

# --- refused ----------------------------------------------------------------------------
(moto_env "$COALMINE" scan --follow --endpoint-url "$EP" "https://s3.us-east-1.amazonaws.com/$ACCT/q1") \
    >/dev/null 2>"$T/c.err"
rc=$?
check "an S3 URL: exit 2, $(head -c 150 "$T/c.err")" \
    test $rc -eq 2 -a "$(grep -c 'not an SQS queue URL: s3.us-east-1.amazonaws.com is not an SQS endpoint' "$T/c.err")" -eq 1
(moto_env "$COALMINE" scan --follow "http://127.0.0.1:1/$ACCT/q1") >/dev/null 2>"$T/d.err"
rc=$?
check "a host that is not the custom endpoint: exit 2, $(head -c 150 "$T/d.err")" \
    test $rc -eq 2 -a "$(grep -c 'none set' "$T/d.err")" -eq 1
done_testing
