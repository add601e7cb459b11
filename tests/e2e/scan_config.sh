#!/bin/sh
# End-to-end tests of the detector settings of `coalmine scan` (issue #5):
# --canary-key, --aws-ranges and --config FILE (coalmine.yaml). A hand-made
# CloudTrail file holds calls with a decoy key and an instance role session
# used from inside and outside AWS; the test checks what each setting makes
# the scan report, that the file and the flags combine as docs/config.md
# says (lists add up, relative paths follow the file), and that every bad
# value is a clear error with the right exit status. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

mkdir -p "$T/logs" "$T/etc/aws"
# Records: a decoy key (twice), another key, and instance credentials from
# the instance's own address (3.80.1.1, inside AWS) then from 198.51.77.7.
cat >"$T/logs/trail.json" <<'EOF'
{"Records":[
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDADECOY","accountId":"111122223333","accessKeyId":"AKIADECOY00000000001","userName":"backup"},"eventTime":"2026-01-05T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"198.51.77.9","userAgent":"curl/8.0","eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"111122223333"},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDADECOY","accountId":"111122223333","accessKeyId":"AKIADECOY00000000001","userName":"backup"},"eventTime":"2026-01-05T10:00:10Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"198.51.77.9","userAgent":"curl/8.0","errorCode":"AccessDenied","eventID":"e2","eventType":"AwsApiCall","recipientAccountId":"111122223333"},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAREAL","accountId":"111122223333","accessKeyId":"AKIAREAL000000000001","userName":"alice"},"eventTime":"2026-01-05T10:00:20Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"198.51.77.10","userAgent":"curl/8.0","eventID":"e3","eventType":"AwsApiCall","recipientAccountId":"111122223333"},
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAWEB:i-0123456789abcdef0","arn":"arn:aws:sts::111122223333:assumed-role/web/i-0123456789abcdef0","accountId":"111122223333","accessKeyId":"ASIAINST0000000001","sessionContext":{"ec2RoleDelivery":"2.0"}},"eventTime":"2026-01-05T10:01:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"3.80.1.1","userAgent":"Boto3/1.34","eventID":"e4","eventType":"AwsApiCall","recipientAccountId":"111122223333"},
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAWEB:i-0123456789abcdef0","arn":"arn:aws:sts::111122223333:assumed-role/web/i-0123456789abcdef0","accountId":"111122223333","accessKeyId":"ASIAINST0000000001","sessionContext":{"ec2RoleDelivery":"2.0"}},"eventTime":"2026-01-05T10:02:00Z","eventSource":"iam.amazonaws.com","eventName":"ListRoles","awsRegion":"us-east-1","sourceIPAddress":"198.51.77.7","userAgent":"aws-cli/2.15","eventID":"e5","eventType":"AwsApiCall","recipientAccountId":"111122223333"}
]}
EOF
cat >"$T/etc/aws/ip-ranges.json" <<'EOF'
{"syncToken":"1","createDate":"2026-01-01-00-00-00","prefixes":[
{"ip_prefix":"3.0.0.0/8","region":"us-east-1","service":"AMAZON","network_border_group":"us-east-1"},
{"ip_prefix":"198.51.77.0/24","region":"us-east-1","service":"EC2","network_border_group":"us-east-1"}],
"ipv6_prefixes":[]}
EOF

# types FILE: the finding types of a json scan, one per line, sorted.
types() { jq -r .type "$1" 2>/dev/null | sort; }
CANARY='UnauthorizedAccess:IAMUser/CanaryCredentialUsage'
OUTSIDE='UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS'
INSIDE='UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS'
SCAN="$COALMINE scan -q --no-default-intel --format json"

# --- flags ---
$SCAN "$T/logs" >"$T/none.json"
check "without settings: no canary, instance key outside its address is OutsideAWS" \
    test "$(types "$T/none.json")" = "$OUTSIDE"

$SCAN --canary-key AKIADECOY00000000001 "$T/logs" >"$T/c.json"
check "--canary-key: the decoy key's two calls (one denied) are one finding" \
    test "$(jq -r "select(.type == \"$CANARY\") | .service.count" "$T/c.json")" = 2
check "--canary-key: the finding names the key and severity 8" \
    test "$(jq -r "select(.type == \"$CANARY\") | [.resource.accessKeyDetails.accessKeyId, .severity] | @tsv" "$T/c.json")" = "$(printf 'AKIADECOY00000000001\t8')"

$SCAN --aws-ranges "$T/etc/aws/ip-ranges.json" "$T/logs" >"$T/r.json"
check "--aws-ranges: the other address is inside AWS, so InsideAWS" \
    test "$(types "$T/r.json")" = "$INSIDE"
check "--aws-ranges: a caller no inventory names is High and names no account" \
    test "$(jq -r '[.severity, (.service.action.awsApiCallAction.remoteAccountDetails | tostring)] | @tsv' "$T/r.json")" = "$(printf '8\tnull')"

# The other address is the public address of an instance of a sibling account
# whose inventory is loaded (an organisation's member): GuardDuty names that
# account, affiliated, and reports the finding at Medium.
cat >"$T/etc/sibling.json" <<'EOF2'
{"Reservations":[{"OwnerId":"444455556666","Instances":[{"InstanceId":"i-0feedfacefeedface",
 "NetworkInterfaces":[{"NetworkInterfaceId":"eni-0feedfacefeedface","VpcId":"vpc-0sibling",
 "PrivateIpAddress":"10.9.0.5","Association":{"PublicIp":"198.51.77.7"}}]}]}]}
EOF2
$SCAN --aws-ranges "$T/etc/aws/ip-ranges.json" --inventory "$T/etc/sibling.json" "$T/logs" >"$T/sib.json"
check "--inventory: a sibling account's instance address is InsideAWS, affiliated, Medium" \
    test "$(jq -r '[.type, .severity, .service.action.awsApiCallAction.remoteAccountDetails.accountId, .service.action.awsApiCallAction.remoteAccountDetails.affiliated] | @tsv' "$T/sib.json")" = "$(printf '%s\t5\t444455556666\ttrue' "$INSIDE")"

# --- the config file ---
cat >"$T/etc/coalmine.yaml" <<'EOF'
intel:
  default: false
  aws_ranges: aws/ip-ranges.json   # relative to this file
canaries:
  keys:
    - AKIADECOY00000000001
EOF
BIN="$(cd "$(dirname "$COALMINE")" && pwd)/$(basename "$COALMINE")"
(cd "$T" && "$BIN" scan -q --format json --config etc/coalmine.yaml logs >"$T/cfg.json")
check "--config: canary keys and a relative aws_ranges path are taken from the file" \
    test "$(types "$T/cfg.json" | tr '\n' ' ')" = "$CANARY $INSIDE "

$SCAN --config "$T/etc/coalmine.yaml" --canary-key AKIAREAL000000000001 "$T/logs" >"$T/both.json"
check "--config plus --canary-key: the lists add up (both keys are canaries)" \
    test "$(jq -r "select(.type == \"$CANARY\") | .resource.accessKeyDetails.accessKeyId" "$T/both.json" | sort | tr '\n' ' ')" = "AKIADECOY00000000001 AKIAREAL000000000001 "

# --- bad settings ---
expect_error() { # name, status, pattern, args...
    name=$1 want=$2 pat=$3
    shift 3
    $COALMINE scan -q --no-default-intel "$@" "$T/logs" >/dev/null 2>"$T/err"
    got=$?
    if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err"; then ok "$name"; else
        nok "$name" "status $got (want $want)" "$(cat "$T/err")"; fi
}
expect_error "--canary-key that is not a key id: usage error" 2 "canary-key 'nope'" --canary-key nope
expect_error "--aws-ranges missing file: error naming it" 1 "aws-ranges $T/none.json" \
    --aws-ranges "$T/none.json"
echo '{"prefixes": 7}' >"$T/bad-ranges.json"
expect_error "--aws-ranges not ip-ranges.json: error" 1 "not AWS's ip-ranges.json" \
    --aws-ranges "$T/bad-ranges.json"
echo '{"Records": []}' >"$T/ct-ranges.json"
expect_error "--aws-ranges given a CloudTrail file: the reason once, no line 0" 1 \
    "^coalmine scan: --aws-ranges $T/ct-ranges.json: not AWS's ip-ranges.json: no \"prefixes\" array\$" \
    --aws-ranges "$T/ct-ranges.json"
expect_error "--config missing file: error naming it" 1 "$T/nope.yaml" --config "$T/nope.yaml"
# A FORMAT: prefix that names no format is read as part of the path: said so.
expect_error "--threat-list with an unknown FORMAT: prefix: the formats named" 1 \
    'CSV:nope.txt: No such file or directory ("CSV:" is no list format: .*TXT' \
    --threat-list "bad=CSV:nope.txt"
# One list name twice is named as such, not blamed on the bundle (before 2026-12-05 every
# clash said "the bundle or `coalmine intel list` has a list of that name").
printf '198.51.100.9\n' >"$T/one.txt"
expect_error "the same --threat-list twice: error naming the list given twice" 1 \
    "a list named one is given twice (also $T/one.txt)" \
    --threat-list "$T/one.txt" --threat-list "$T/one.txt"
printf 'intel:\n  threat_lists: [dup=one.txt]\n' >"$T/dup.yaml"
expect_error "a config list named again by --threat-list: given twice" 1 \
    "a list named dup is given twice" --config "$T/dup.yaml" --threat-list "dup=$T/one.txt"
$COALMINE scan -q --threat-list "guardduty-tester-cnc=$T/one.txt" "$T/logs" >/dev/null 2>"$T/err"
st=$?
if [ $st = 1 ] && grep -q "guardduty-tester-cnc is already loaded (the bundle" "$T/err"; then
    ok "a bundle list's name: error naming the bundle"; else
    nok "a bundle list's name: error naming the bundle" "status $st" "$(cat "$T/err")"; fi
# A store setting in the file with no store anywhere is the file's error (exit 1, the
# key named), not a usage error about an option the command line never gave.
printf 'store:\n  retention_days: 90\n' >"$T/ret.yaml"
expect_error "store.retention_days without a store: error naming the key" 1 \
    "ret.yaml: store.retention_days needs a store" --config "$T/ret.yaml"
printf 'store:\n  finding_publishing_frequency: ONE_HOUR\n' >"$T/freq.yaml"
expect_error "store.finding_publishing_frequency without a store: error naming the key" 1 \
    "freq.yaml: store.finding_publishing_frequency needs a store" --config "$T/freq.yaml"
expect_error "--retention-days without --db: usage error" 2 "retention-days needs --db" \
    --retention-days 90
$COALMINE scan -q --no-default-intel --config "$T/ret.yaml" --db "$T/ret.db" "$T/logs" \
    >/dev/null 2>&1
check "store.retention_days with --db: the scan runs" test $? = 0
printf 'canaries:\n  keys: [AKIADECOY00000000001, xyz]\n' >"$T/bad1.yaml"
expect_error "--config bad canary key: file:line:col and the key path" 1 \
    "bad1.yaml:2:.*canaries.keys\[1\]" --config "$T/bad1.yaml"
printf 'intel:\n  geoip_db: x\n' >"$T/bad2.yaml"
expect_error "--config unknown key: named with its place" 1 "bad2.yaml:2:.*geoip_db" \
    --config "$T/bad2.yaml"
printf 'detectors:\n  console_login:\n    min_distance_km: -5\n' >"$T/bad3.yaml"
expect_error "--config number out of range: error" 1 "bad3.yaml:3:.*min_distance_km" \
    --config "$T/bad3.yaml"

# --region: default-format flow logs outside an AWSLogs/ path carry no region.
printf '2 123456789012 eni-1 10.0.0.5 45.137.21.9 44321 443 6 10 1000 1767600000 1767600060 ACCEPT OK\n' >"$T/flow.log"
echo 45.137.21.9 >"$T/list.txt"
$COALMINE scan --no-default-intel --format json --threat-list "$T/list.txt" "$T/flow.log" \
    >"$T/nr.json" 2>"$T/nr.err"
if [ ! -s "$T/nr.json" ] && grep -q "no region" "$T/nr.err" && grep -q -- "--region" "$T/nr.err"; then
    ok "a flow log with no region: the dropped detection is counted and --region suggested"
else
    nok "a flow log with no region: the dropped detection is counted and --region suggested" \
        "$(cat "$T/nr.err")"
fi
$SCAN --region eu-west-1 --threat-list "$T/list.txt" "$T/flow.log" >"$T/r2.json"
check "--region: the finding is made in that region" \
    test "$(jq -r '[.type, .region] | @tsv' "$T/r2.json")" = \
    "$(printf 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom\teu-west-1')"
expect_error "--region that is not a region name: usage error" 2 "not a region name" \
    --region 'US East'
# A custom format without account-id outside an AWSLogs/<account>/ key: no account to give the
# finding; the summary says why (inside such a key the account is the key's: flow_detect.sh).
{
    echo 'version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    echo '2 eni-1 10.0.0.5 45.137.21.9 44321 443 6 10 1000 1767600000 1767600060 ACCEPT OK'
} >"$T/flow-noacct.log"
$COALMINE scan --no-default-intel --format json --threat-list "$T/list.txt" --region eu-west-1 \
    "$T/flow-noacct.log" >"$T/na.json" 2>"$T/na.err"
if [ ! -s "$T/na.json" ] && grep -q "1 of them from records with no account" "$T/na.err"; then
    ok "a flow log with no account: the dropped detection is counted and the reason given"
else
    nok "a flow log with no account: the dropped detection is counted and the reason given" \
        "$(cat "$T/na.err")"
fi
# account-id "unknown" (an interface an AWS service made) under the delivery key: the key's
# account, as for "-". Before 2026-12-04 the finding's accountId was "unknown".
UD="$T/unk/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/01/05"
mkdir -p "$UD"
{
    echo 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    echo '2 unknown eni-1 10.0.0.5 45.137.21.9 44321 443 6 10 1000 1767600000 1767600060 ACCEPT OK'
} >"$UD/111122223333_vpcflowlogs_us-east-1_fl-0a_20260105T0800Z_abcd1234.log"
$SCAN --threat-list "$T/list.txt" "$T/unk" >"$T/unk.json"
check "account-id unknown: the finding is the key's account's" \
    test "$(jq -r '[.accountId, (.arn | split(":")[4])] | @tsv' "$T/unk.json")" = \
    "$(printf '111122223333\t111122223333')"

# detectors.vpcflow: the SSH brute force scenario's 20 guesses in 4 minutes fire by default,
# not with a threshold of 25 guesses or a window of 1 minute.
"$COALMINE" gen --scenario ssh-brute-target --accounts 1 --regions 1 --instances 8 \
    --principals 4 --hours 1 --out "$T/gen" >/dev/null 2>&1
BRUTE='UnauthorizedAccess:EC2/SSHBruteForce'
$SCAN --format json "$T/gen/AWSLogs" >"$T/b0.json"
check "detectors.vpcflow: by default the 20 SSH guesses are a brute force" \
    test "$(jq -r "select(.type == \"$BRUTE\") | .service.count" "$T/b0.json")" = 20
printf 'detectors:\n  vpcflow:\n    brute_force_attempts: 25\n' >"$T/vf.yaml"
$SCAN --config "$T/vf.yaml" "$T/gen/AWSLogs" >"$T/b1.json"
check "detectors.vpcflow.brute_force_attempts 25: 20 guesses are not" \
    test -z "$(jq -r "select(.type == \"$BRUTE\") | .type" "$T/b1.json")"
printf 'detectors:\n  vpcflow:\n    brute_force_window_minutes: 1\n' >"$T/vf2.yaml"
$SCAN --config "$T/vf2.yaml" "$T/gen/AWSLogs" >"$T/b2.json"
check "detectors.vpcflow.brute_force_window_minutes 1: 20 guesses in 4 minutes are not" \
    test -z "$(jq -r "select(.type == \"$BRUTE\") | .type" "$T/b2.json")"
printf 'detectors:\n  vpcflow:\n    learning_hours: 0\n' >"$T/vf3.yaml"
expect_error "detectors.vpcflow out of range: error with the place" 1 \
    "vf3.yaml:3:.*learning_hours" --config "$T/vf3.yaml"

# detectors.dns: the DGA scenario's burst fires by default, not with dga_burst 64; a bad
# name in a name list is an error with its place.
"$COALMINE" gen --scenario dga-dns-burst --accounts 1 --regions 1 --instances 8 \
    --principals 4 --hours 1 --out "$T/dga" >/dev/null 2>&1
DGA='Trojan:EC2/DGADomainRequest.B'
$SCAN "$T/dga/AWSLogs" >"$T/g0.json"
check "detectors.dns: by default the DGA burst is a finding" \
    test "$(jq -r "select(.type == \"$DGA\") | .type" "$T/g0.json")" = "$DGA"
printf 'detectors:\n  dns:\n    dga_burst: 64\n' >"$T/dns.yaml"
$SCAN --config "$T/dns.yaml" "$T/dga/AWSLogs" >"$T/g1.json"
check "detectors.dns.dga_burst 64: the burst is not" \
    test -z "$(jq -r "select(.type == \"$DGA\") | .type" "$T/g1.json")"
printf 'detectors:\n  dns:\n    rebind_allowed: [ok.example, "bad name"]\n' >"$T/dns2.yaml"
expect_error "detectors.dns name list with a bad name: error with the place" 1 \
    "dns2.yaml:3:.*rebind_allowed\\[1\\]: not a domain name" --config "$T/dns2.yaml"
printf 'detectors:\n  dns:\n    dga_model: %s\n' "$T/no-such-model.txt" >"$T/dns3.yaml"
expect_error "detectors.dns.dga_model missing: the error names the config key, not --dga-model" 1 \
    "^coalmine scan: detectors.dns.dga_model .*no-such-model.txt" --config "$T/dns3.yaml"
expect_error "--dga-model missing: the error names the option" 1 \
    "^coalmine scan: --dga-model .*no-such-model.txt" --dga-model "$T/no-such-model.txt"

# The shipped example loads.
EX=share/coalmine/coalmine.example.yaml
if [ -f "$EX" ]; then
    $COALMINE scan -q --no-default-intel --config "$EX" "$T/logs" >/dev/null 2>"$T/err"
    st=$?
    # The example names files that need not exist here; a missing one is the only error allowed.
    if [ $st = 0 ] || grep -q "No such file" "$T/err"; then ok "the example config parses"; else
        nok "the example config parses" "$(cat "$T/err")"; fi
else
    skip "the example config parses" "no $EX"
fi
done_testing
