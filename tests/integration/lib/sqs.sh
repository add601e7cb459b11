# What the SQS integration tests (sqs_url.sh, s3_sqs.sh) share (sourced, not run; after
# tests/e2e/lib/tap.sh and lib/moto.sh, before moto_up, whose EXIT trap calls cleanup):
#
#   P, PROXY      the follow/serve process and the proxy a test started (empty: none)
#   cleanup       kills them, stops moto, removes $T (unless $KEEP_T)
#   moto_env CMD...  exec CMD with moto's dummy credentials and region us-east-1, nothing
#                 of the user's (profile, session token, endpoints, config and credential
#                 files, instance metadata), and the endpoints in $S3EP and $SQSEP when
#                 set: `moto_env ... &` makes $! the command itself
#   read_total ERR   the files `follow:` lines in ERR say were read, summed
#   in_queue Q    the messages queue Q of account $ACCT at $EP holds, visible or not

P=
PROXY=
cleanup() {
    [ -n "$P" ] && kill -9 "$P" 2>/dev/null
    [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null
    moto_stop
    [ -n "$KEEP_T" ] || rm -rf "$T"
}

moto_env() {
    exec env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
        -u AWS_ENDPOINT_URL_SQS AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true ${S3EP:+AWS_ENDPOINT_URL_S3=$S3EP} \
        ${SQSEP:+AWS_ENDPOINT_URL_SQS=$SQSEP} "$@"
}

in_queue() {
    aws_at "$EP" sqs get-queue-attributes --queue-url "$EP/$ACCT/$1" --attribute-names All |
        jq -r '.Attributes | (.ApproximateNumberOfMessages | tonumber) +
            (.ApproximateNumberOfMessagesNotVisible | tonumber)'
}
