#!/bin/sh
# End-to-end test of scripts/run-eval (`make eval`) on tests/fixtures/eval, a
# hand-made miniature of ../shared/data: the CloudTrail tables have the right
# rows and event counts, a finding fires on exactly the technique / scenario /
# test whose records come from a listed address (81.2.69.160 on a threat list
# added to a scratch intel directory), the Panther conversions and agreement,
# bad records reported with their line and skipped, a failing scan, and absent
# data printing "skipped" with exit status 0. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
FIX="$ROOT/tests/fixtures/eval"
EVAL="$ROOT/scripts/run-eval"
export COALMINE_INTEL_DIR="$T/intel"
case $COALMINE in /*) ;; *) COALMINE="$(pwd)/$COALMINE" ;; esac

if ! command -v python3 >/dev/null; then
    skip "make eval" "python3 not installed"
    done_testing
    exit 0
fi

# cell A B N...: cells N... (1-based, space separated) of the first table row
# whose first two cells are A and B.
cell() {
    a=$1 b=$2
    shift 2
    awk -F'|' -v a="$a" -v b="$b" -v ns="$*" '
        function t(s) { gsub(/^ +| +$/, "", s); return s }
        t($2) == a && t($3) == b {
            k = split(ns, n, " ")
            for (i = 1; i <= k; i++) printf "%s%s", t($(n[i] + 1)), (i < k ? " " : "\n")
            found = 1; exit
        }
        END { if (!found) print "<no row>" }' "$T/out.md"
}
# is NAME GOT WANT: a check that prints both on failure.
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got:  $2" "want: $3"; fi
}
# like NAME GOT PATTERN: GOT matches the grep -E PATTERN.
like() {
    if printf '%s\n' "$2" | grep -Eq "$3"; then ok "$1"; else nok "$1" "got: $2" "want /$3/"; fi
}

printf '# the fixture attacker\n81.2.69.160\n' >"$T/attacker.txt"
"$COALMINE" intel add eval-attacker "$T/attacker.txt" --kind threat >/dev/null 2>"$T/add.err"
check "threat list for the fixture attacker added" test $? -eq 0

SHARED="$FIX" "$EVAL" "$COALMINE" >"$T/out.md" 2>"$T/err"
check "run-eval over the fixtures exits 0" test $? -eq 0
check "no GeoIP database in the fixtures: said so" grep -q ", no GeoIP\.$" "$T/out.md"
MIC='MaliciousIPCaller\.Custom x1'

# --- stratus: one scan per technique file --------------------------------------------------
S=cloudtrail-stratus-detonations
is "stratus cloudtrail-stop: 1 event" "$(cell $S aws.defense-evasion.cloudtrail-stop 3)" 1
is "stratus ec2-download-user-data: 2 events" "$(cell $S aws.discovery.ec2-download-user-data 3)" 2
like "stratus ec2-download-user-data: the listed caller's finding, once" \
    "$(cell $S aws.discovery.ec2-download-user-data 4)" "^[A-Za-z]+:IAMUser/$MIC\$"
is "stratus iam-backdoor-role: nothing fired" "$(cell $S aws.persistence.iam-backdoor-role 4)" "-"
like "stratus bedrock-invoke-model: the bad element is counted as rejected" \
    "$(cell $S aws.impact.bedrock-invoke-model 3)" '^1 \(\+1 rejected: '
fired=$(cell $S aws.defense-evasion.cloudtrail-stop 4)
exp=$(cell $S aws.defense-evasion.cloudtrail-stop 5)
LD=Stealth:IAMUser/CloudTrailLoggingDisabled
case $fired in
*$LD*) want="$LD (fired)" ;;
*) want="$LD (not fired)" ;;
esac
is "stratus cloudtrail-stop: the issue #5 type column agrees with what fired" "$exp" "$want"
is "a technique with no issue #5 type has an empty expected cell" \
    "$(cell $S aws.persistence.iam-backdoor-role 5)" ""

# --- invictus: labelled runs, one scan in event-time order ---------------------------------
I=cloudtrail-invictus-aws-dataset
is "invictus ec2-get-password-data: 3 events of its uuid and 1 of the role it created" \
    "$(cell $I aws.credential-access.ec2-get-password-data 3)" 4
like "invictus ec2-get-password-data: the listed caller's finding, once" \
    "$(cell $I aws.credential-access.ec2-get-password-data 4)" "^[A-Za-z]+:IAMUser/$MIC\$"
is "invictus cloudtrail-stop: 1 event" "$(cell $I aws.defense-evasion.cloudtrail-stop 3)" 1
is "invictus pre-flight check: 1 event, nothing fired" \
    "$(cell $I '(stratus pre-flight check)' 3 4)" "1 -"
is "invictus failed warm-up: not identified, nothing fired" \
    "$(cell $I '(stratus run, technique not identified)' 3 4)" "1 -"
is "invictus record of no stratus run: its own row, nothing fired" \
    "$(cell $I '(not part of a stratus run)' 3 4)" "1 -"
is "invictus whole dataset: 8 events" "$(cell $I '(whole dataset)' 3)" 8
like "invictus whole dataset: the listed caller's finding" "$(cell $I '(whole dataset)' 4)" "$MIC"
check "invictus: records in event-time order make 5 runs of one label" \
    grep -q "$I: 8 records, 4 stratus runs, 5 files in time order" "$T/err"
check "invictus: the element that is not a record is reported and skipped" \
    grep -q "fixtureAAAAAAAAA.json: record 4 is not an object; skipped" "$T/err"

# --- otrf: Logstash lines as they are, honey-bucket CSV converted ------------------------
O=cloudtrail-otrf
is "otrf exfiltration: 3 Logstash records read (@timestamp)" \
    "$(cell $O ec2-proxy-s3-exfiltration 3)" 3
like "otrf exfiltration: the issue #5 type is named" "$(cell $O ec2-proxy-s3-exfiltration 5)" \
    '^UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration\.\* \((fired|not fired)\)$'
is "otrf honey bucket: 3 of 4 rows converted" "$(cell $O s3-honeybucket-scanning 3)" 3
like "otrf honey bucket: the listed scanner's S3 finding, once" \
    "$(cell $O s3-honeybucket-scanning 4)" "^[A-Za-z]+:S3/$MIC\$"
check "otrf honey bucket: the bad row is reported with its line" \
    grep -q "HoneyBucketLogs.csv:5: User ID is not a {'key': value} mapping; skipped" "$T/err"

# --- per finding type -----------------------------------------------------------------------
hdr=$(grep '^| finding type |' "$T/out.md")
is "type table header counts techniques per dataset" "$hdr" \
    "| finding type | $S (of 4) | $I (of 2) | $O (of 2) | panther-aws-tests tests (of 5) |"
sums=$(awk -F'|' '$2 ~ /MaliciousIPCaller\.Custom/ { for (i = 3; i <= 6; i++) s[i] += $i }
    END { print s[3] + 0, s[4] + 0, s[5] + 0, s[6] + 0 }' "$T/out.md")
is "MaliciousIPCaller.Custom fired on 1 technique / scenario / test of each dataset" \
    "$sums" "1 1 1 1"

# --- panther ----------------------------------------------------------------------------------
prows=$(sed -n '/^### Panther CloudTrail tests/,/^### Panther agreement/p' "$T/out.md" |
    grep -c '^| [A-Z][A-Za-z0-9.]* | ')
is "panther: the 5 CloudTrail tests have a row each" "$prows" 5
check "panther: the VPC flow test is left out" sh -c "! grep -q EvalFixtureFlow '$T/out.md'"
check "panther: the broken line is reported with its number" \
    grep -q "panther_aws_tests.jsonl:4: not JSON" "$T/err"
P=AWS.CloudTrail.Stopped
is "panther: Panther's time form is converted (the record is read)" \
    "$(cell $P 'CloudTrail Was Stopped' 4)" 1
is "panther: StartLogging expected false, nothing fired, agrees" \
    "$(cell $P 'CloudTrail Was Started' 3 5 7)" "false - yes"
is "panther: a log with only p_event_time is read" \
    "$(cell AWS.Root.Activity 'Root Activity With p_event_time Only' 4)" 1
is "panther: a log with no time at all gets one, and says so" \
    "$(cell Standard.EvalFixture.NoTime 'Log Without Any Time' 4)" "1 (eventTime filled)"
like "panther: an unmapped rule shows our findings" \
    "$(cell AWS.EC2.DownloadInstanceUserData 'Listed Caller Reads User Data' 5)" "$MIC"
is "panther: an unmapped rule has no verdict" \
    "$(cell AWS.EC2.DownloadInstanceUserData 'Listed Caller Reads User Data' 7)" ""
is "panther agreement: AWS.CloudTrail.Stopped maps to CloudTrailLoggingDisabled, 2 tests" \
    "$(cell $P Stealth:IAMUser/CloudTrailLoggingDisabled 3)" 2
like "panther agreement: the closing count" "$(grep '^Agreement:' "$T/out.md")" \
    '^Agreement: [1-3] of 3 mapped tests \(2 rules\)\.$'

SHARED="$FIX" "$EVAL" "$COALMINE" >"$T/out2.md" 2>/dev/null
check "a second run prints the same tables" cmp -s "$T/out.md" "$T/out2.md"

# --- absent data, failing scans, usage ------------------------------------------------------
SHARED="$T/nothing" "$EVAL" "$COALMINE" >"$T/none.out" 2>&1
check "no data directory: exit 0" test $? -eq 0
check "no data directory: says skipped" \
    grep -q "^eval: skipped: no data directory $T/nothing/data" "$T/none.out"
check "no data directory: no table" sh -c "! grep -q '^|' '$T/none.out'"

mkdir -p "$T/part/data"
ln -s "$FIX/data/panther-aws-tests" "$T/part/data/panther-aws-tests"
SHARED="$T/part" "$EVAL" "$COALMINE" >"$T/part.md" 2>"$T/part.err"
check "one dataset only: exit 0" test $? -eq 0
check "one dataset only: the others are skipped" \
    test "$(grep -c '^- cloudtrail-[a-z-]*: skipped (not found or not readable under ' \
        "$T/part.md")" -eq 3
check "one dataset only: its table is there" grep -q '^### Panther CloudTrail tests' "$T/part.md"
check "one dataset only: no technique table" \
    sh -c "! grep -q '^### Findings per technique' '$T/part.md'"

printf '#!/bin/sh\necho "coalmine scan: boom" >&2\nexit 3\n' >"$T/failing"
chmod +x "$T/failing"
SHARED="$T/part" "$EVAL" "$T/failing" >"$T/fail.md" 2>"$T/fail.err"
check "a failing scan: exit 1" test $? -eq 1
check "a failing scan: its row says so" \
    grep -q "| scan failed: exit 3: coalmine scan: boom |" "$T/fail.md"
check "a failing scan: no verdict, counted apart" \
    grep -q "^Agreement: 0 of 0 mapped tests (2 rules); 3 scans failed\.$" "$T/fail.md"
SHARED="$FIX" "$EVAL" "$T/no-such-binary" >/dev/null 2>"$T/nobin.err"
check "a missing binary: exit 2" test $? -eq 2
EVAL_SECTIONS=nosuch SHARED="$FIX" "$EVAL" "$COALMINE" >/dev/null 2>"$T/nosec.err"
check "an unknown section: exit 2" test $? -eq 2
check "an unknown section: named" grep -q "unknown section nosuch" "$T/nosec.err"
done_testing
