#!/bin/sh
# tsan: S3 and SQS reads beside the scan workers, against moto_server
# `coalmine scan --follow` over a folder the real `aws s3 sync` fills from a bucket (a
# local moto_server on 127.0.0.1 stands in for S3). The seed-7 world of every scenario is
# put in the bucket in two halves (in key order); after each, `aws s3 sync` brings the
# bucket down into the watched folder while the follow runs. aws writes each object to a
# temporary NAME.XXXXXXXX and renames it into place: the follow must read every object
# exactly once (never a temporary file, never half of one, nothing rejected), and store
# what one `coalmine scan` of the generated files stores once it is stopped.
# Skips cleanly without python3, the aws CLI or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/stored.sh"
. "$(dirname "$0")/../e2e/lib/follow.sh"

. "$(dirname "$0")/lib/moto.sh"

FP=
cleanup() {
    moto_stop
    [ -n "$FP" ] && kill "$FP" 2>/dev/null
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "follow over aws s3 sync" aws

G="$T/g"
"$COALMINE" gen --out "$G" --hours 2 --seed 7 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 2 hours of the seed-7 world" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")
# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/whole.db" $ARGS "$G/AWSLogs" \
    >/dev/null 2>&1
check "one scan of everything exits 0" test $? -eq 0
summary "$T/whole.db" "$T/whole.sum"

aws_at "$EP" s3api create-bucket --bucket trail >/dev/null 2>"$T/mb.err"
check "a bucket on moto_server" test $? -eq 0
find "$G/AWSLogs" -type f | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort |
    cut -d ' ' -f 2- >"$T/keys"
NF=$(wc -l <"$T/keys")
HALF=$((NF / 2))
# up K: the files in key order up to K into the upload folder, then synced to the bucket
up() {
    head -n "$1" "$T/keys" | while read -r f; do
        d="$T/up/${f#"$G"/}"
        [ -e "$d" ] && continue
        mkdir -p "$(dirname "$d")"
        cp "$f" "$d"
    done
    aws_at "$EP" s3 sync "$T/up" s3://trail/ --only-show-errors >/dev/null 2>"$T/up.err"
}
W="$T/watched"
mkdir -p "$W"
# shellcheck disable=SC2086
# Without --state: the windows close when it stops, as a batch scan's end closes them.
"$COALMINE" scan --follow --poll-interval 0.2 --no-default-intel --threads 2 --db "$T/f.db" \
    $ARGS "$W" >/dev/null 2>"$T/f.err" &
FP=$!
up "$HALF"
check "the first half ($HALF objects) is in the bucket" test $? -eq 0
aws_at "$EP" s3 sync s3://trail/ "$W" --only-show-errors >/dev/null 2>"$T/down1.err"
check "aws s3 sync brings it down into the watched folder" test $? -eq 0
wait_until -p "$FP" -s 180 at_least "$T/f.err" "$HALF"
check "the follow reads the $HALF objects (read: $(read_total "$T/f.err"))" \
    test "$(read_total "$T/f.err")" -eq "$HALF"
up "$NF"
aws_at "$EP" s3 sync s3://trail/ "$W" --only-show-errors >/dev/null 2>"$T/down2.err"
check "the second sync brings the rest" test $? -eq 0
wait_until -p "$FP" -s 180 at_least "$T/f.err" "$NF"
sleep 1 # a few more polls: nothing more may be read
kill -TERM "$FP"
wait "$FP"
st=$?
FP=
check "SIGTERM: exit 0" test $st -eq 0
check "every object read exactly once, no temporary file ($(read_total "$T/f.err") of $NF)" \
    test "$(read_total "$T/f.err")" -eq "$NF"
check "nothing rejected" test "$(grep -c 'rejected:.*files [1-9]' "$T/f.err")" -eq 0
check "no temporary name was left in the folder" \
    test "$(find "$W" -type f -name '*.????????' | grep -c '\.[0-9a-fA-F]\{8\}$')" -eq 0
summary "$T/f.db" "$T/f.sum"
if cmp -s "$T/whole.sum" "$T/f.sum"; then
    ok "the follow stores the same $(wc -l <"$T/whole.sum") findings as one scan"
else
    nok "the follow stores the same findings as one scan" \
        "$(diff "$T/whole.sum" "$T/f.sum" | head -n 20)"
fi
done_testing
