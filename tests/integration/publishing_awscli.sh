#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# GuardDuty's S3 export (docs/publishing.md) with real clients: the aws CLI manages a
# publishing destination on `coalmine serve` (127.0.0.1, a free port) whose S3 is a local
# moto_server (tests/integration/lib/moto.sh). A destination to a bucket that does not
# exist yet becomes UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY with the failure's start;
# the findings of a scan made meanwhile stay owed, and once the bucket is created serve's
# retry exports them: every object under prefix/AWSLogs/ACCOUNT/GuardDuty/us-east-1/
# YYYY/MM/DD/UUID.jsonl.gz, SSE-KMS with the destination's key, gzip JSON Lines whose
# findings are exactly the store's (each equal to `findings get`'s JSON), none twice.
# A second destination for the detector is refused; describe, list, update (back to
# PENDING_VERIFICATION, then PUBLISHING to the new prefix) and delete round trip; /metrics
# shows the destination's status and counts;
# malformed ARNs are 400s naming the member. Then, serve stopped, `coalmine findings
# publish` (cron) exports a later scan's findings to the destination. Skips cleanly
# without python3, the aws CLI, jq or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/moto.sh"

SERVE=
cleanup() {
    moto_stop
    [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "publishing destinations with the aws CLI and moto" aws jq

# coalmine with moto as its S3 and nothing of the user's
cm() {
    env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
        AWS_ENDPOINT_URL_S3="$MOTO_EP" \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$COALMINE" "$@"
}
cm_exec() {
    exec env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
        AWS_ENDPOINT_URL_S3="$MOTO_EP" \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true "$COALMINE" "$@"
}
s3() { aws_at "$MOTO_EP" "$@"; }

# The objects under prefix $2 of bucket $1, gunzipped into $3 (one line per finding), their
# keys into $3.keys, each object's head into $3.heads.
fetch() {
    : >"$3"
    : >"$3.keys"
    : >"$3.heads"
    s3 s3api list-objects-v2 --bucket "$1" --prefix "$2" | jq -r '.Contents[]?.Key' >"$3.keys"
    while read -r k; do
        s3 s3api get-object --bucket "$1" --key "$k" "$T/obj.gz" >/dev/null &&
            gzip -dc "$T/obj.gz" >>"$3"
        s3 s3api head-object --bucket "$1" --key "$k" | jq -c . >>"$3.heads"
    done <"$3.keys"
}

# same_as_store LINES DB: every line is a finding of DB equal to `findings get`'s JSON, and
# the ids are the current findings of DB, each once.
same_as_store() {
    "$COALMINE" findings export --db "$2" | jq -r .id | sort >"$T/want.ids"
    jq -r .id "$1" | sort >"$T/got.ids"
    if ! cmp -s "$T/want.ids" "$T/got.ids"; then
        echo "ids differ: $(diff "$T/want.ids" "$T/got.ids" | head -5)" >&2
        return 1
    fi
    bad=0
    while read -r id; do
        "$COALMINE" findings get --db "$2" "$id" | jq -S . >"$T/a.json"
        jq -S --arg id "$id" 'select(.id == $id)' "$1" >"$T/b.json"
        cmp -s "$T/a.json" "$T/b.json" || bad=$((bad + 1))
    done <"$T/want.ids"
    [ "$bad" -eq 0 ]
}

# wait_status DET DEST STATUS [SECONDS]: until describe says STATUS
wait_status() {
    i=0
    while [ $i -lt $((${4:-30} * 5)) ]; do
        st=$(gd describe-publishing-destination --detector-id "$1" --destination-id "$2" |
            jq -r .Status)
        [ "$st" = "$3" ] && return 0
        sleep 0.2
        i=$((i + 1))
    done
    echo "status $st, not $3" >&2
    return 1
}

DB="$T/store.db"
"$COALMINE" gen --out "$T/w" --hours 2 --seed 11 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 2 hours of a world" test $? -eq 0

KMS=$(s3 kms create-key | jq -r .KeyMetadata.Arn)
check "a KMS key in moto" test -n "$KMS" -a "$KMS" != null

# exec: $! is coalmine itself (a function in the background would be a subshell's pid)
(cm_exec serve --db "$DB" --listen 127.0.0.1:0 --port-file "$T/port" --bus-interval 0.5 \
    2>"$T/serve.err") &
SERVE=$!
wait_until test -s "$T/port"
if [ ! -s "$T/port" ]; then
    nok "coalmine serve starts" "$(cat "$T/serve.err")"
    done_testing
    exit 0
fi
ok "coalmine serve listens on a free port"
EP="http://127.0.0.1:$(cat "$T/port")"
gd() { aws_at "$EP" guardduty "$@"; }
DET=$(gd list-detectors | jq -r '.DetectorIds[0]')
ACCT=$(gd get-detector --detector-id "$DET" | jq -r '.ServiceRole' | cut -d: -f5)
# The UTC day the objects may be dated: the run may cross midnight.
DAY0=$(date -u +%Y/%m/%d)
check "the detector and its account" test -n "$DET" -a "${#ACCT}" -eq 12

# --- errors of form ---------------------------------------------------------------------
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::Bad_Bucket,KmsKeyArn=$KMS" \
    >/dev/null 2>"$T/e1.err"
check "a bad bucket name is a BadRequestException naming destinationArn" \
    grep -q "BadRequestException.*destinationArn.*bucket name" "$T/e1.err"
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:sqs:::x,KmsKeyArn=$KMS" \
    >/dev/null 2>"$T/e2.err"
check "an ARN of another service is refused" grep -q "BadRequestException.*S3 bucket ARN" \
    "$T/e2.err"
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::gd-export,KmsKeyArn=nokey" \
    >/dev/null 2>"$T/e3.err"
check "a malformed kmsKeyArn is refused" grep -q "BadRequestException.*kmsKeyArn" "$T/e3.err"
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::gd-export" >/dev/null 2>"$T/e4.err"
check "kmsKeyArn is required" grep -q "BadRequestException.*kmsKeyArn.*required" "$T/e4.err"

# --- a destination whose bucket is missing ----------------------------------------------
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::gd-export/findings/,KmsKeyArn=$KMS" \
    --client-token tok-1 --tags team=soc >"$T/c.json" 2>"$T/c.err"
check "create-publishing-destination succeeds" test $? -eq 0
DID=$(jq -r .DestinationId "$T/c.json")
check "its id is 32 hex digits" sh -c "echo '$DID' | grep -Eq '^[0-9a-f]{32}$'"
check "a retried create (same clientToken) gives the same destination" \
    test "$(gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
        --destination-properties "DestinationArn=arn:aws:s3:::gd-export/findings/,KmsKeyArn=$KMS" \
        --client-token tok-1 | jq -r .DestinationId)" = "$DID"
gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::other-bucket,KmsKeyArn=$KMS" \
    >/dev/null 2>"$T/two.err"
check "a second destination for the detector is a BadRequestException" \
    grep -q "BadRequestException.*at most one" "$T/two.err"
check "the bucket missing makes it UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY" \
    wait_status "$DET" "$DID" UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY 20
gd describe-publishing-destination --detector-id "$DET" --destination-id "$DID" >"$T/d1.json"
check "publishingFailureStartTimestamp is the failure's start (epoch ms)" \
    test "$(jq '.PublishingFailureStartTimestamp > 1600000000000' "$T/d1.json")" = true
check "describe gives the properties and tags" \
    test "$(jq -c '[.DestinationType, .DestinationProperties.DestinationArn,
        .DestinationProperties.KmsKeyArn == "'"$KMS"'", .Tags.team]' "$T/d1.json")" = \
    '["S3","arn:aws:s3:::gd-export/findings/",true,"soc"]'
check "serve says why (NoSuchBucket)" grep -q "publishing destination $DID.*NoSuchBucket" \
    "$T/serve.err"

"$COALMINE" scan --db "$DB" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" >/dev/null 2>"$T/scan.err"
check "a scan into serve's store" test $? -eq 0
NF=$("$COALMINE" findings export --db "$DB" | wc -l)
check "the scan stored findings ($NF)" test "$NF" -gt 5
sleep 1
check "still UNABLE while the bucket is missing" test "$(gd describe-publishing-destination \
    --detector-id "$DET" --destination-id "$DID" | jq -r .Status)" = \
    UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY

s3 s3api create-bucket --bucket gd-export >/dev/null
check "the bucket made: serve's retry makes it PUBLISHING" \
    wait_status "$DET" "$DID" PUBLISHING 90
gd describe-publishing-destination --detector-id "$DET" --destination-id "$DID" >"$T/d2.json"
check "publishingFailureStartTimestamp back to 0" \
    test "$(jq .PublishingFailureStartTimestamp "$T/d2.json")" -eq 0
fetch gd-export findings/ "$T/lines"
check "objects under findings/AWSLogs/ACCOUNT/GuardDuty/us-east-1/YYYY/MM/DD/UUID.jsonl.gz" \
    sh -c "[ -s '$T/lines.keys' ] && ! grep -Ev \
'^findings/AWSLogs/$ACCT/GuardDuty/us-east-1/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.jsonl\.gz$' \
'$T/lines.keys'"
check "the date in the key is today's (UTC)" \
    grep -q -e "/$DAY0/" -e "/$(date -u +%Y/%m/%d)/" "$T/lines.keys"
check "every object is SSE-KMS with the destination's key" \
    test "$(jq -r 'select(.ServerSideEncryption != "aws:kms" or .SSEKMSKeyId != "'"$KMS"'")' \
        "$T/lines.heads" | wc -c)" -eq 0
check "one JSON finding per line, $NF lines" test "$(jq -c . "$T/lines" | wc -l)" -eq "$NF"
check "the findings are the store's, each once, equal to findings get" \
    same_as_store "$T/lines" "$DB"
curl_desc=$(python3 - "$EP/detector/$DET/publishingDestination/$DID" <<'PY'
import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1]))["coalmine"]["exportedFindings"])
PY
)
check "the wire's coalmine.exportedFindings is $NF" test "$curl_desc" = "$NF"
python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$EP/metrics" >"$T/metrics"
check "/metrics: the destination PUBLISHING, $NF exported, none owed" sh -c "
grep -q '^coalmine_publishing_destination_status{destination=\"$DID\",status=\"PUBLISHING\"} 1$' '$T/metrics' &&
grep -q '^coalmine_publishing_destination_exported_findings_total{destination=\"$DID\"} $NF$' '$T/metrics' &&
grep -q '^coalmine_publishing_destination_owed_findings{destination=\"$DID\"} 0$' '$T/metrics'"

# --- the same files again: nothing new, nothing exported twice ---------------------------
"$COALMINE" scan --db "$DB" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" >/dev/null 2>&1
sleep 2
fetch gd-export findings/ "$T/lines2"
check "a rescan of the same files exports nothing more" \
    test "$(wc -l <"$T/lines2")" -eq "$NF"

# --- list, update, delete ---------------------------------------------------------------
gd list-publishing-destinations --detector-id "$DET" >"$T/l.json"
check "list-publishing-destinations: the one destination, PUBLISHING" \
    test "$(jq -c '[.Destinations[] | [.DestinationId, .DestinationType, .Status]]' "$T/l.json")" \
    = "[[\"$DID\",\"S3\",\"PUBLISHING\"]]"
gd update-publishing-destination --detector-id "$DET" --destination-id "$DID" \
    --destination-properties "DestinationArn=arn:aws:s3:::gd-export/v2,KmsKeyArn=$KMS" \
    >/dev/null 2>"$T/u.err"
check "update-publishing-destination succeeds" test $? -eq 0
check "the new ARN is described" test "$(gd describe-publishing-destination --detector-id \
    "$DET" --destination-id "$DID" | jq -r .DestinationProperties.DestinationArn)" = \
    arn:aws:s3:::gd-export/v2
check "verified at the new place: PUBLISHING" wait_status "$DET" "$DID" PUBLISHING 20
gd update-publishing-destination --detector-id "$DET" --destination-id 0123456789abcdef0123456789abcdef \
    --destination-properties "DestinationArn=arn:aws:s3:::gd-export" >/dev/null 2>"$T/u2.err"
check "updating an unknown destination is a BadRequestException" \
    grep -q "BadRequestException.*no such resource" "$T/u2.err"
gd delete-publishing-destination --detector-id "$DET" --destination-id "$DID" >/dev/null
check "delete-publishing-destination succeeds" test $? -eq 0
check "the list is empty" test "$(gd list-publishing-destinations --detector-id "$DET" |
    jq '.Destinations | length')" -eq 0
gd describe-publishing-destination --detector-id "$DET" --destination-id "$DID" \
    >/dev/null 2>"$T/d3.err"
check "describing it is a BadRequestException" grep -q "BadRequestException" "$T/d3.err"

# --- cron: findings publish with serve stopped ------------------------------------------
s3 s3api create-bucket --bucket cron-export >/dev/null
CID=$(gd create-publishing-destination --detector-id "$DET" --destination-type S3 \
    --destination-properties "DestinationArn=arn:aws:s3:::cron-export,KmsKeyArn=$KMS" |
    jq -r .DestinationId)
check "a new destination after the delete" test -n "$CID" -a "$CID" != null
kill -TERM "$SERVE"
wait "$SERVE"
SERVE=
"$COALMINE" gen --out "$T/w2" --hours 2 --seed 12 --scenario all >/dev/null 2>&1
"$COALMINE" scan --db "$DB" $(cat "$T/w2/intel/args.txt") "$T/w2/AWSLogs" >/dev/null 2>&1
N2=$(sqlite3 "$DB" "SELECT count(DISTINCT o.fid) FROM outbox o JOIN findings f ON f.seq = o.fid
    WHERE o.seq > (SELECT exported_seq FROM publishing_destinations) AND NOT f.archived")
check "a later scan leaves findings owed ($N2)" test "$N2" -gt 0
cm findings publish --db "$DB" >"$T/p.out" 2>"$T/p.err"
check "findings publish exits 0" test $? -eq 0
check "it says what it wrote" grep -q "wrote $N2 findings to s3://cron-export/AWSLogs/$ACCT/" \
    "$T/p.err"
fetch cron-export AWSLogs/ "$T/lines3"
check "the bucket holds those $N2 findings" test "$(jq -r .id "$T/lines3" | sort -u | wc -l)" \
    -eq "$N2"
cm findings publish --db "$DB" --quiet >/dev/null 2>"$T/p2.err"
check "a second run writes nothing" test "$(s3 s3api list-objects-v2 --bucket cron-export |
    jq '.Contents | length')" -eq "$(wc -l <"$T/lines3.keys")"
cm findings publish --db "$DB" --list >"$T/list.out"
check "--list shows it PUBLISHING with its counts" \
    grep -q "^$CID	$DET	PUBLISHING	arn:aws:s3:::cron-export	exported=$N2	objects=1" "$T/list.out"
s3 s3api delete-bucket --bucket cron-export >/dev/null 2>&1 || {
    s3 s3 rm --recursive s3://cron-export >/dev/null
    s3 s3api delete-bucket --bucket cron-export >/dev/null
}
"$COALMINE" gen --out "$T/w3" --hours 2 --seed 13 --scenario all >/dev/null 2>&1
"$COALMINE" scan --db "$DB" $(cat "$T/w3/intel/args.txt") "$T/w3/AWSLogs" >/dev/null 2>&1
cm findings publish --db "$DB" >/dev/null 2>"$T/p3.err"
check "the bucket gone: findings publish exits 1" test $? -eq 1
check "and says NoSuchBucket" grep -q "NoSuchBucket" "$T/p3.err"
cm findings publish --db "$DB" --list >"$T/list2.out"
check "the destination is UNABLE, its findings still owed" \
    grep -q "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY.*exported=$N2	" "$T/list2.out"
done_testing
