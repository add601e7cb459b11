#!/bin/sh
# tsan: S3 and SQS reads beside the scan workers, against moto_server
# `--profile NAME` (docs/s3.md "Credentials, region, endpoint"): `coalmine scan s3://` and
# `scan --follow sqs://` against a local moto_server on 127.0.0.1 (tests/integration/lib/
# moto.sh), through the logging proxy of tests/integration/lib/creds_server.py (the access
# key id each request was signed with, and what was asked of STS):
#   - --profile dev (role_arn + source_profile base): the role is assumed (AssumeRole of
#     role/dev signed with base's keys) and every S3 and SQS request signed with its ASIA
#     keys, the same findings as a scan of the local files;
#   - --profile overrides AWS_PROFILE, and (as `aws --profile`) the environment's keys;
#   - refused: a profile in neither file (exit 1, naming --profile), --profile without an
#     s3:// or sqs:// path (exit 2).
# Skips cleanly without python3, the aws CLI or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/moto.sh"

PIDS=
P=
cleanup() {
    [ -n "$P" ] && kill -9 "$P" 2>/dev/null
    moto_stop
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "--profile against moto_server" aws jq
ACCT=123456789012
"$PY" "$(dirname "$0")/lib/creds_server.py" "$T/proxy.port" "$T/proxy.log" proxy "$EP" \
    2>"$T/proxy.err" &
PIDS="$PIDS $!"
wait_until test -s "$T/proxy.port"
PEP="http://127.0.0.1:$(cat "$T/proxy.port" 2>/dev/null)"

G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --accounts 1 --regions 1 --kinds cloudtrail --seed 7 \
    --scenario all >/dev/null 2>"$T/gen.err"
ARGS="--no-default-intel $(cat "$G/intel/args.txt")"
NF=$(find "$G/AWSLogs" -type f | wc -l)
aws_at "$EP" sqs create-queue --queue-name q >/dev/null 2>>"$T/mb.err"
aws_at "$EP" s3 mb s3://trail >/dev/null 2>>"$T/mb.err"
aws_at "$EP" s3api put-bucket-notification-configuration --bucket trail \
    --notification-configuration "{\"QueueConfigurations\":[{\"QueueArn\":\"arn:aws:sqs:us-east-1:$ACCT:q\",\"Events\":[\"s3:ObjectCreated:*\"]}]}" \
    2>>"$T/mb.err"
aws_at "$EP" s3 cp --recursive --quiet "$G/AWSLogs" s3://trail/AWSLogs 2>>"$T/mb.err"
check "$NF objects in s3://trail/ on moto_server, announced to a queue" test ! -s "$T/mb.err"
# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan $ARGS -q --format json "$G/AWSLogs" >"$T/local.json" 2>/dev/null

cat >"$T/credentials" <<EOC
[base]
aws_access_key_id = AKIABASE0000EXAMPLE
aws_secret_access_key = SEKRETbase0123456789

[other]
aws_access_key_id = AKIAOTHER000EXAMPLE
aws_secret_access_key = SEKRETother123456789
EOC
cat >"$T/config" <<EOC
[profile dev]
role_arn = arn:aws:iam::$ACCT:role/dev
source_profile = base
EOC
# cm ENV... -- ARGS...: coalmine with nothing of the user's, the files above, STS, S3 and
# SQS through the proxy
cm() {
    _env=
    while [ "$1" != "--" ]; do _env="$_env $1"; shift; done
    shift
    # shellcheck disable=SC2086 # _env holds assignments
    exec env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
        -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 -u AWS_ENDPOINT_URL_SQS \
        -u AWS_WEB_IDENTITY_TOKEN_FILE -u AWS_ROLE_ARN -u AWS_CONTAINER_CREDENTIALS_FULL_URI \
        -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE="$T/config" AWS_SHARED_CREDENTIALS_FILE="$T/credentials" \
        AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS="$PEP" $_env "$COALMINE" "$@"
}
# keys: the distinct key ids of the S3 (GET) and SQS (POST /, JSON) requests logged
keys() { grep -v 'Action=AssumeRole' "$T/proxy.log" | awk '{print $3}' | sort -u | tr '\n' ' '; }

# --- scan s3:// --profile dev, with AWS_PROFILE and the environment's keys another's -----
: >"$T/proxy.log"
# shellcheck disable=SC2086 # ARGS holds options and values
(cm AWS_PROFILE=other AWS_ACCESS_KEY_ID=AKIAENV00000EXAMPLE AWS_SECRET_ACCESS_KEY=envsecret -- \
    scan $ARGS --format json --profile dev --endpoint-url "$PEP" s3://trail/AWSLogs) \
    >"$T/a.json" 2>"$T/a.err"
rc=$?
check "scan --profile dev s3://trail/AWSLogs exits 0" test $rc -eq 0
check "... says the role is assumed: $(grep -o 'credentials from .*' "$T/a.err" | cut -c1-110)" \
    grep -q "credentials from role arn:aws:iam::$ACCT:role/dev assumed (profile dev)" "$T/a.err"
check "... AssumeRole of role/dev signed with base's key: $(grep -c 'role/dev' "$T/proxy.log") call(s)" \
    grep -q "AKIABASE0000EXAMPLE.*Action=AssumeRole.*RoleArn=arn:aws:iam::$ACCT:role/dev" "$T/proxy.log"
check "... every S3 request signed with the role's keys, none with AWS_PROFILE's or the environment's ($(keys))" \
    test -n "$(keys)" -a -z "$(keys | tr ' ' '\n' | grep -v '^ASIA' | grep -v '^$')"
if [ -s "$T/local.json" ] && sed "s#s3://trail/#$G/#g" "$T/a.json" | cmp -s - "$T/local.json"; then
    ok "... the findings of a scan of the local files ($(wc -l <"$T/a.json"))"
else
    nok "... the findings of a scan of the local files"
fi

# --- scan --follow sqs:// --profile dev ----------------------------------------------
: >"$T/proxy.log"
cm -- scan --follow --poll-interval 0.2 --no-default-intel --profile dev \
    --endpoint-url "$PEP" --db "$T/b.db" "sqs://$ACCT/q" >/dev/null 2>"$T/b.err" &
P=$!
wait_until -p "$P" grep -q "files\{0,1\} read" "$T/b.err"
kill -TERM $P 2>/dev/null
wait $P
rc=$?
P=
check "scan --follow --profile dev sqs://$ACCT/q: read the objects, exit 0 at SIGTERM" \
    test $rc -eq 0 -a "$(grep -c 'files\{0,1\} read' "$T/b.err")" -ge 1
check "... its SQS requests signed with the role's keys too ($(keys))" \
    test "$(grep -c '^POST / ASIA' "$T/proxy.log")" -ge 1 -a -z "$(keys | tr ' ' '\n' | grep -v '^ASIA' | grep -v '^$')"

# --- refused ---------------------------------------------------------------------------
(cm -- scan --no-default-intel --profile nope --endpoint-url "$PEP" s3://trail/AWSLogs) \
    >/dev/null 2>"$T/c.err"
rc=$?
check "--profile nope: exit 1, $(head -c 120 "$T/c.err")" \
    test $rc -eq 1 -a "$(grep -c "\-\-profile: the profile 'nope' is in neither" "$T/c.err")" -eq 1
(cm -- scan --no-default-intel --profile dev "$G/AWSLogs") >/dev/null 2>"$T/d.err"
rc=$?
check "--profile without an s3:// or sqs:// path: exit 2, $(head -n 1 "$T/d.err")" \
    test $rc -eq 2 -a "$(grep -c 'profile is for s3:// and sqs:// paths' "$T/d.err")" -eq 1
done_testing
