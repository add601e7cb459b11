#!/bin/sh
# `coalmine scan --since TIME --until TIME` (README, "A period of the logs"): only the
# records of the window are analysed, the others are counted (outside, in the summary and
# `--stats` skipped.what) and not lost, files whose object key is stamped more than a day
# outside the window are not read, and every bad value is a usage error naming the
# option. A hand-made trail holds a StopLogging at 00:30 and records on both edges of
# 01:00-02:00; a generated corpus of three hours gives the file counts. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"

# rec TIME NAME ID: one CloudTrail record of alice's at TIME.
rec() {
    printf '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE",'
    printf '"arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333",'
    printf '"accessKeyId":"AKIAALICE00000000001","userName":"alice"},"eventTime":"%s",' "$1"
    printf '"eventSource":"%s","eventName":"%s","awsRegion":"us-east-1",' \
        "$([ "$2" = StopLogging ] && echo cloudtrail || echo iam).amazonaws.com" "$2"
    printf '"sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0",'
    printf '"requestParameters":{"name":"main"},"eventID":"%s","eventType":"AwsApiCall",' "$3"
    printf '"managementEvent":true,"recipientAccountId":"111122223333"}'
}
D="$T/trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05"
mkdir -p "$D"
{
    printf '{"Records":['
    rec 2026-01-05T00:30:00Z StopLogging e1; printf ','
    rec 2026-01-05T00:59:59Z ListUsers e2; printf ','
    rec 2026-01-05T01:00:00Z ListUsers e3; printf ','
    rec 2026-01-05T01:59:59Z ListUsers e4; printf ','
    rec 2026-01-05T02:00:00Z ListUsers e5
    printf ']}\n'
} >"$D/111122223333_CloudTrail_us-east-1_20260105T0205Z_window.json"

scan() { # OUT STATS ARGS...: a scan of the trail
    out=$1; st=$2; shift 2
    "$COALMINE" scan --no-default-intel --format json --stats "$st" "$@" "$T/trail" \
        >"$out" 2>"$out.err"
}

scan "$T/all.json" "$T/all.st"
check "without a window: every record analysed (5)" test "$(jget "$T/all.st" records.cloudtrail)" = 5
check "... and the StopLogging at 00:30 is a finding" \
    grep -q '"type":"Stealth:IAMUser/CloudTrailLoggingDisabled"' "$T/all.json"

scan "$T/w.json" "$T/w.st" --since 2026-01-05T01:00:00Z --until 2026-01-05T02:00:00Z
check "--since 01:00 --until 02:00: exit 0" test $? -eq 0
check "... analyses the records at 01:00:00 and 01:59:59 (since included, until not)" \
    test "$(jget "$T/w.st" records.cloudtrail)" = 2
check "... counts the other 3 as skipped, outside --since/--until" \
    test "$(jget "$T/w.st" skipped.cloudtrail)" = 3
check "... by name in skipped.what" test "$(jq -c '.skipped.what' "$T/w.st")" = \
    '[{"name":"outside --since/--until","files":0,"records":3}]'
check "... the summary says so" \
    grep -q "^  outside:  3 records not analysed and 0 files not read, outside --since/--until$" \
    "$T/w.json.err"
check "... and the StopLogging before the window is no finding" test ! -s "$T/w.json"

scan "$T/d.json" "$T/d.st" --since 2026-01-05 --until 2026-01-05T01:00Z
check "a date (midnight UTC) and gen's minute form: the 2 records before 01:00" \
    test "$(jget "$T/d.st" records.cloudtrail)" = 2
check "... and the StopLogging is a finding again" \
    grep -q '"type":"Stealth:IAMUser/CloudTrailLoggingDisabled"' "$T/d.json"

scan "$T/s.json" "$T/s.st" --since 2026-01-05T01:00:00+01:00
check "an offset: --since 01:00+01:00 is midnight UTC, every record (5)" \
    test "$(jget "$T/s.st" records.cloudtrail)" = 5

# Files: the stamp in the object key decides, with a day of margin on either side.
scan "$T/f.json" "$T/f.st" --since 2026-01-06T02:05:00Z
check "a file stamped within a day before --since is read (its records are outside)" \
    test "$(jget "$T/f.st" files)" = 1 -a "$(jget "$T/f.st" skipped.cloudtrail)" = 5
scan "$T/g.json" "$T/g.st" --since 2026-01-06T02:06:00Z
check "a file stamped more than a day before --since is not read" \
    test "$(jget "$T/g.st" files)" = 0 -a "$(jget "$T/g.st" skipped.files)" = 1
check "... and said: 0 records not analysed and 1 file not read" \
    grep -q "^  outside:  0 records not analysed and 1 file not read" "$T/g.json.err"
scan "$T/h.json" "$T/h.st" --until 2026-01-04T02:04:00Z
check "a file stamped more than a day after --until is not read" \
    test "$(jget "$T/h.st" files)" = 0 -a "$(jget "$T/h.st" skipped.files)" = 1
scan "$T/i.json" "$T/i.st" --until 2026-01-04T02:05:00Z
check "... within a day after it, it is" test "$(jget "$T/i.st" files)" = 1

# A generated corpus of 3 hours (2026-01-05 00:00 to 03:00): the window's share of its
# records, and the whole when the window covers it.
"$COALMINE" gen --out "$T/g3" --hours 3 --seed 4 >/dev/null 2>&1
"$COALMINE" scan --no-default-intel --quiet --stats "$T/g3.st" "$T/g3" >/dev/null 2>&1
"$COALMINE" scan --no-default-intel --quiet --stats "$T/g3w.st" --threads 2 \
    --since 2026-01-05T01:00Z --until 2026-01-05T02:00Z "$T/g3" >/dev/null 2>&1
check "corpus, one hour of three: its records and the skipped ones add up to the whole" \
    test "$(jq '[.records[]] | add' "$T/g3w.st")" -gt 0 -a \
    "$(jq '([.records[]] | add) + .skipped.cloudtrail + .skipped.vpcflow + .skipped.dns' \
        "$T/g3w.st")" = "$(jq '[.records[]] | add' "$T/g3.st")"
check "... about a third of them (not all, not none)" sh -c \
    'test $(($1 * 4)) -gt "$2" -a $(($1 * 2)) -lt "$2"' _ \
    "$(jq '[.records[]] | add' "$T/g3w.st")" "$(jq '[.records[]] | add' "$T/g3.st")"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/g3a.st" --since 2026-01-04 \
    --until 2026-01-06 "$T/g3" >/dev/null 2>&1
check "a window around the whole corpus: the same records as none" \
    test "$(jq -c .records "$T/g3a.st")" = "$(jq -c .records "$T/g3.st")"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/g3n.st" --since 2026-01-07 \
    "$T/g3" >/dev/null 2>&1
out=$(jq '.skipped.what[] | select(.name == "outside --since/--until") | .files' "$T/g3n.st")
check "--since two days after: no file read, every log file counted outside ($out)" \
    test "$(jq .files "$T/g3n.st")" = 0 -a "$out" = \
    "$(jq '.files | .cloudtrail + .vpcflow + .dns' "$T/g3/.coalmine-gen.json")"

# Usage errors: exit 2, naming the option.
usage() { # WHY MESSAGE ARGS...
    why=$1; msg=$2; shift 2
    "$COALMINE" scan --no-default-intel "$@" "$T/trail" >/dev/null 2>"$T/u.err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$msg" "$T/u.err"; then
        ok "$why: exit 2"
    else
        nok "$why: exit 2" "exit $rc: $(cat "$T/u.err")"
    fi
}
usage "--until before --since" "--until must be after --since" \
    --since 2026-01-05T02:00Z --until 2026-01-05T01:00Z
usage "--until equal to --since" "--until must be after --since" \
    --since 2026-01-05 --until 2026-01-05T00:00:00Z
usage "a time without a zone" "--since '2026-01-05T01:00' has no time zone" \
    --since 2026-01-05T01:00
usage "epoch seconds" "--until '1767571200' looks like epoch seconds" --until 1767571200
usage "not a time" "--since 'yesterday' wants ISO 8601" --since yesterday
usage "--since twice" "--since given twice" --since 2026-01-05 --since 2026-01-06
usage "with --state" "cannot be used with --state" --since 2026-01-05 --state "$T/st"
check "... and no state file was written" test ! -e "$T/st"
usage "with --follow" "cannot be used with --follow" --until 2026-01-05 --follow
"$COALMINE" scan --help | grep -q -- "--since TIME" && "$COALMINE" scan --help | grep -q -- "--until TIME"
check "scan --help names --since and --until" test $? -eq 0
done_testing
