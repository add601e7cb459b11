#!/bin/sh
# End-to-end test of scripts/run-eval (`make eval`) on tests/fixtures/eval, a
# hand-made miniature of ../shared/data: the CloudTrail tables have the right
# rows and event counts, a finding fires on exactly the technique / scenario /
# test whose records come from a listed address (81.2.69.160 on a threat list
# added to a scratch intel directory), the Panther conversions and agreement;
# the VPC flow tables have the right classes, records and entities, the listed
# address's finding lands on its own pair only, .gz reads like plain, and (with
# a stand-in binary whose findings are canned) TP/FP/FN, precision, recall and
# agreement come out exact; bad records reported with their line and skipped,
# a failing scan, and absent data printing "skipped" with exit status 0.
# Prints TAP.
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

# cellin FILE A B N...: cells N... (1-based, space separated) of the first
# table row of FILE whose first two cells are A and B.
cellin() {
    f=$1 a=$2 b=$3
    shift 3
    awk -F'|' -v a="$a" -v b="$b" -v ns="$*" '
        function t(s) { gsub(/^ +| +$/, "", s); return s }
        t($2) == a && t($3) == b {
            k = split(ns, n, " ")
            for (i = 1; i <= k; i++) printf "%s%s", t($(n[i] + 1)), (i < k ? " " : "\n")
            found = 1; exit
        }
        END { if (!found) print "<no row>" }' "$f"
}
cell() { cellin "$T/out.md" "$@"; }
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
# The fixture's calls succeed (responseElements null, as CloudTrail logs a retrieval):
# the Custom Detection Rule EC2PasswordDataRetrieved fires on them too.
like "invictus ec2-get-password-data: the listed caller's finding once, and the password retrievals" \
    "$(cell $I aws.credential-access.ec2-get-password-data 4)" \
    "^CredentialAccess:EC2/UnsecuredCredentials x2, [A-Za-z]+:IAMUser/$MIC\$"
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

# --- vpcflow: derived-vpcflow, entities, classes -------------------------------------------
# vsect FILE: the "Per class" table of the VPC flow section of FILE, to $T/vpc.md.
vsect() { sed -n '/^### Per class, at the entity level/,/^Agreement:/p' "$1" >"$T/vpc.md"; }
vcell() { cellin "$T/vpc.md" "$@"; }
vsect "$T/out.md"
V=derived-vpcflow
C=cicids2017
check "vpcflow: the section is printed" grep -q '^## VPC Flow Logs (issue #6)$' "$T/out.md"
check "vpcflow: the absent horizontal scan file is skipped" grep -q \
    "^- $V/slips_portscan_horizontal_vpcflow_v2.log: skipped (not found or not readable under " \
    "$T/out.md"
is "cicids2017: classes, flow records and entities from the labels" \
    "$(vcell $C BENIGN 3 4), $(vcell $C Botnet 3 4), $(vcell $C SSH-Patator 3 4)" \
    "6 3, 4 1, 6 1"
is "cicids2017 FTP-Patator: 2 flow records, 1 entity" "$(vcell $C FTP-Patator 3 4)" "2 1"
like "cicids2017 Botnet: the listed C&C's finding lands on its entity" \
    "$(vcell $C Botnet 5 6)" "^1 (.*, )?UnauthorizedAccess:EC2/$MIC(, |\$)"
is "cicids2017 BENIGN: the same interface's benign pair stays quiet" \
    "$(vcell $C BENIGN 5 7 9)" "0 nothing (quiet) 0"
like "cicids2017 Portscan: coalmine's reject is shown with its reason" \
    "$(vcell $C Portscan 3)" "^5 \\(\\+1 rejected: .*many"
is "cicids2017 FTP-Patator: no GuardDuty type, no verdict" \
    "$(vcell $C FTP-Patator 7 8 9 10 11 12)" "none (no GuardDuty type) n/a n/a n/a n/a n/a"
set -f # the expected types are fnmatch patterns: no globbing here
for cls in SSH-Patator Botnet Portscan; do
    fired=$(vcell $C $cls 6)
    exp=$(vcell $C $cls 7)
    want=$(awk -F'|' -v c=$cls '$2 ~ "^ '$C' $" && $3 == " " c " " { print $4; exit }' \
        "$T/out.md" | sed 's/^ *//; s/ *$//')
    got=""
    for p in $(echo "$want" | tr -d ' ' | tr ',' ' '); do
        case $fired in *"$p"*) s="$p (fired)" ;; *) s="$p (not fired)" ;; esac
        got="${got:+$got, }$s"
    done
    is "cicids2017 $cls: the expected types column agrees with what fired" "$exp" "$got"
done
set +f
is "cicids2017: the per-class scans count 7 entities, no false alarm" \
    "$(vcell $C '(all classes, a scan per class)' 4 9)" "7 0"
like "cicids2017: one scan in time order has 5 entities (the attack pair is one)" \
    "$(vcell $C '(all classes, one scan in time order)' 3 4 9)" "^23 \\(\\+1 rejected: .*\\) 5 0\$"
C=ctu-sme-11
R='Malicious (Malware_data_exfiltration-RemcosRAT)'
is "ctu-sme-11: Benign, RemcosRAT and Unknown rows" \
    "$(vcell $C Benign 3 4) / $(vcell $C "$R" 3 4) / $(vcell $C Unknown 3 4 7)" \
    "2 1 / 4 1 / 1 1 (not counted)"
like "ctu-sme-11 RemcosRAT: the listed address's finding lands on the malicious pair" \
    "$(vcell $C "$R" 5 6)" "^1 (.*, )?UnauthorizedAccess:EC2/$MIC(, |\$)"
is "ctu-sme-11 Benign: the infected host's benign pair is not flagged" \
    "$(vcell $C Benign 5 9)" "0 0"
is "ctu-sme-11: whole file, 3 entities, the malicious one found, no false alarm" \
    "$(vcell $C '(all classes)' 3 4 9 10)" "7 3 0 0"
is "slips vertical: one entity (the capture's interface), 8 records" \
    "$(vcell slips-portscan-vertical 'Portscan (vertical)' 3 4)" "8 1"
like "slips ssh: the custom layout is read, its interface flagged by the listed attacker" \
    "$(vcell slips-ssh-bruteforce 'SSH brute force (TCP/902)' 3 4 5 6)" \
    "^4 1 1 (.*, )?UnauthorizedAccess:EC2/$MIC(, |\$)"
is "slips ssh: TCP/902 has no GuardDuty type" \
    "$(vcell slips-ssh-bruteforce 'SSH brute force (TCP/902)' 7)" "none (no GuardDuty type)"
F="$FIX/data/$V/cicids2017_sample_vpcflow_v2"
check "vpcflow: a record with too few fields is reported with its line" \
    grep -q "$F.log:27: 13 fields, the header names 14; skipped" "$T/err"
check "vpcflow: a label row with a bad line number is reported with its line" \
    grep -q "$F.labels.tsv:24: line 'x' is not a line number; skipped" "$T/err"
check "vpcflow: records without a label row are reported and skipped" \
    sh -c "grep -q '$F.log:24: no label row' '$T/err' && grep -q '$F.log:28: no label row' '$T/err'"
check "vpcflow: a label for no record is reported" \
    grep -q "$F.labels.tsv: a label for line 99, which is no flow record" "$T/err"
check "vpcflow: the bad record's label row is not reported twice" \
    sh -c "! grep -q 'a label for line 27' '$T/err'"

# The same data gzipped gives the same tables.
if command -v gzip >/dev/null; then
    mkdir -p "$T/gz/data"
    cp -R "$FIX/data/$V" "$T/gz/data/$V"
    gzip -n "$T/gz/data/$V/cicids2017_sample_vpcflow_v2.log" \
        "$T/gz/data/$V/cicids2017_sample_vpcflow_v2.labels.tsv"
    EVAL_SECTIONS=vpcflow SHARED="$T/gz" "$EVAL" "$COALMINE" >"$T/gz.md" 2>/dev/null
    check "vpcflow: gzipped files give the same tables" \
        sh -c "grep '^|' '$T/gz.md' >'$T/a'; awk '/^## /{on = /^## VPC Flow/} on' '$T/out.md' |
            grep '^|' >'$T/b'; test -s '$T/b' && cmp -s '$T/a' '$T/b'"
else
    skip "vpcflow: gzipped files give the same tables" "gzip not installed"
fi

# Attribution and the measures, with a stand-in binary whose findings are known.
cat >"$T/stub" <<'EOF'
#!/bin/sh
# coalmine scan stand-in: stats with the file's record count, canned findings per file.
while [ $# -gt 1 ]; do
    [ "$1" = --stats ] && stats=$2
    shift
done
printf '{"records":{"vpcflow":%d},"rejected":{"vpcflow":0,"files":0}}\n' \
    "$(grep -vc '^version' "$1")" >"$stats"
res() {
    printf '"resource":{"instanceDetails":{"networkInterfaces":[{"networkInterfaceId":"%s"}]}}' "$1"
}
ip() { printf '{"ipAddressV4":"%s"}' "$1"; }
conn() { # type eni local remote
    printf '{"type":"%s",%s,"service":{"action":{"networkConnectionAction":{' "$1" "$(res "$2")"
    printf '"localIpDetails":%s,"remoteIpDetails":%s}}}}\n' "$(ip "$3")" "$(ip "$4")"
}
probe() { # type eni remote
    printf '{"type":"%s",%s,"service":{"action":{"portProbeAction":{' "$1" "$(res "$2")"
    printf '"portProbeDetails":['
    printf '{"localPortDetails":{"port":22},"remoteIpDetails":%s}]}}}}\n' "$(ip "$3")"
}
PS="conn Recon:EC2/Portscan eni-0e7a1c0000000a050 172.16.0.1 192.168.10.50"
PP="probe Recon:EC2/PortProbeUnprotectedPort eni-0e7a1c0000000a005 203.0.113.10"
case $1 in
*/cicids2017/*-portscan.log | */cicids2017/*-ssh-patator.log) $PS ;;
*/cicids2017/*-benign.log) $PP ;;
*/cicids2017/*-botnet.log)
    conn Backdoor:EC2/C\&CActivity.B eni-0e7a1c0000000a009 192.168.10.9 198.51.100.99 ;;
*/cicids2017/*-one-scan-in-time-order.log) $PS; $PP ;;
*/ctu-sme-11/*)
    conn Behavior:EC2/NetworkPortUnusual eni-0e7a1c0000000b107 192.168.1.107 81.2.69.160 ;;
esac
exit 0
EOF
chmod +x "$T/stub"
EVAL_SECTIONS=vpcflow SHARED="$FIX" "$EVAL" "$T/stub" >"$T/stub.md" 2>"$T/stub.err"
check "vpcflow with the stand-in: exit 0" test $? -eq 0
vsect "$T/stub.md"
C=cicids2017
is "stand-in Portscan: 1 TP, FPs on the SSH entity and a benign one, precision 1/3" \
    "$(vcell $C Portscan 3 5 6 8 9 10 11 12)" "6 1 Recon:EC2/Portscan x1 1 2 0 0.33 1.00"
is "stand-in Portscan: the expected types column" "$(vcell $C Portscan 7)" \
    "Recon:EC2/Portscan (fired), Recon:EC2/PortProbeUnprotectedPort (not fired)"
is "stand-in SSH-Patator: another type on its entity is no TP" \
    "$(vcell $C SSH-Patator 5 6 8 9 10 11 12)" "1 Recon:EC2/Portscan x1 0 0 1 - 0.00"
is "stand-in BENIGN: the probe lands on the pair of its remote address only" \
    "$(vcell $C BENIGN 4 5 7 9)" "3 1 nothing (1 flagged) 1"
is "stand-in Botnet: a finding on no labelled entity is a false positive of its type" \
    "$(vcell $C Botnet 5 8 9 10 11 12)" "0 0 1 1 0.00 0.00"
is "stand-in: the finding on no labelled entity has its row" \
    "$(vcell $C '(no labelled entity)' 6)" "Backdoor:EC2/C&CActivity.B x1"
is "stand-in: per-class scans together, any finding" \
    "$(vcell $C '(all classes, a scan per class)' 4 5 8 9 10 11 12)" "7 3 2 2 2 0.50 0.50"
is "stand-in: one scan in time order" \
    "$(vcell $C '(all classes, one scan in time order)' 3 4 5 8 9 10 11 12)" \
    "24 5 2 1 1 1 0.50 0.50"
is "stand-in ctu-sme-11: the unusual port lands on the malicious pair" \
    "$(vcell ctu-sme-11 "$R" 5 8 9 10 11 12) / $(vcell ctu-sme-11 Benign 5 9)" \
    "1 1 0 0 1.00 1.00 / 0 0"
like "stand-in: the agreement line" "$(grep '^Agreement:' "$T/stub.md")" \
    "^Agreement: 3 of 7 classes \\(.*\\); 2 attack classes have no GuardDuty type\\.\$"
is "stand-in: the type table, Portscan (2 findings, 2 entities, 1 expected)" \
    "$(cellin "$T/stub.md" cicids2017 Recon:EC2/Portscan 3 4 5 6 7)" "2 2 1 0 0"
is "stand-in: the type table, PortProbe (on a benign entity)" \
    "$(cellin "$T/stub.md" cicids2017 Recon:EC2/PortProbeUnprotectedPort 3 4 5 6 7)" "1 1 0 1 0"
is "stand-in: the type table, C&C (on no labelled entity)" \
    "$(cellin "$T/stub.md" cicids2017 Backdoor:EC2/C\&CActivity.B 3 4 5 6 7)" "1 0 0 0 1"

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
check "one dataset only: derived-vpcflow is skipped" grep -q \
    "^- derived-vpcflow: skipped (not found or not readable under $T/part/data)\$" "$T/part.md"
check "one dataset only: no VPC flow table" sh -c "! grep -q '^### Per class' '$T/part.md'"
mkdir -p "$T/flowonly/data/$V"
cp "$FIX/data/$V/ctu_sme_11_excerpt_vpcflow_v2.log" "$T/flowonly/data/$V/"
EVAL_SECTIONS=vpcflow SHARED="$T/flowonly" "$EVAL" "$COALMINE" >"$T/flowonly.md" 2>/dev/null
check "a flow log without its labels: exit 0" test $? -eq 0
check "a flow log without its labels: skipped" \
    grep -q "^- $V/ctu_sme_11_excerpt_vpcflow_v2.log: skipped" "$T/flowonly.md"
check "no flow dataset at all: no VPC flow table" \
    sh -c "! grep -q '^### Per class' '$T/flowonly.md'"

printf '#!/bin/sh\necho "coalmine scan: boom" >&2\nexit 3\n' >"$T/failing"
chmod +x "$T/failing"
SHARED="$T/part" "$EVAL" "$T/failing" >"$T/fail.md" 2>"$T/fail.err"
check "a failing scan: exit 1" test $? -eq 1
check "a failing scan: its row says so" \
    grep -q "| scan failed: exit 3: coalmine scan: boom |" "$T/fail.md"
check "a failing scan: no verdict, counted apart" \
    grep -q "^Agreement: 0 of 0 mapped tests (2 rules); 3 scans failed\.$" "$T/fail.md"
EVAL_SECTIONS=vpcflow SHARED="$FIX" "$EVAL" "$T/failing" >"$T/vfail.md" 2>/dev/null
check "vpcflow, a failing scan: exit 1" test $? -eq 1
vsect "$T/vfail.md"
is "vpcflow, a failing scan: its class row says so, no verdict" \
    "$(vcell cicids2017 Botnet 3 7 8 12)" "scan failed: exit 3: coalmine scan: boom (scan failed)  "
is "vpcflow, a failing scan: the whole-file row says so" \
    "$(vcell ctu-sme-11 '(all classes)' 3 8)" "scan failed: exit 3: coalmine scan: boom "
like "vpcflow, a failing scan: classes counted apart" "$(grep '^Agreement:' "$T/vfail.md")" \
    "^Agreement: 0 of 0 classes .*; 7 classes not judged \\(scan failed\\)\\.\$"
SHARED="$FIX" "$EVAL" "$T/no-such-binary" >/dev/null 2>"$T/nobin.err"
check "a missing binary: exit 2" test $? -eq 2
EVAL_SECTIONS=nosuch SHARED="$FIX" "$EVAL" "$COALMINE" >/dev/null 2>"$T/nosec.err"
check "an unknown section: exit 2" test $? -eq 2
check "an unknown section: named" grep -q "unknown section nosuch" "$T/nosec.err"
done_testing
