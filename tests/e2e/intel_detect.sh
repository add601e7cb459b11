#!/bin/sh
# End-to-end tests of the threat-intelligence scenarios of `coalmine gen`
# (issue #4, "Must show" 2): every intel finding type fires in its scenario
# and the scenario's near misses do not. For each scenario: generate one hour
# of a small world with that scenario alone, scan it with the lists it wrote
# (DIR/intel/args.txt, --no-default-intel) and check the findings against
# DIR/intel/scenarios.tsv: the one expected type, its resource (access key,
# bucket or instance), threatListName and exact count (so no near miss was
# counted), no other type; the near misses are really in the logs; and with
# the attacker's addresses and names on a trusted list the scenario gives
# nothing (the summary's trusted: line counting what it suppressed). Then all
# scenarios together, the background alone (zero findings with every list
# loaded) and the CLI contract. Only the intel scenarios and
# intel finding types are looked at here (the CloudTrail detection scenarios
# of issue #5 have tests/e2e/ct_detect.sh; the Tor scenarios' Kali user agent
# also makes PenTest findings). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
WORLD="--hours 1 --accounts 1 --regions 1 --instances 8 --principals 4"

# The 28 intel finding types of issue #4; each must have a scenario.
TYPES='Recon:IAMUser/MaliciousIPCaller
Recon:IAMUser/MaliciousIPCaller.Custom
UnauthorizedAccess:IAMUser/MaliciousIPCaller
UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom
Recon:IAMUser/TorIPCaller
UnauthorizedAccess:IAMUser/TorIPCaller
Discovery:S3/MaliciousIPCaller
Discovery:S3/MaliciousIPCaller.Custom
Discovery:S3/TorIPCaller
Exfiltration:S3/MaliciousIPCaller
Impact:S3/MaliciousIPCaller
UnauthorizedAccess:S3/MaliciousIPCaller.Custom
UnauthorizedAccess:S3/TorIPCaller
Backdoor:EC2/C&CActivity.B
CryptoCurrency:EC2/BitcoinTool.B
Trojan:EC2/BlackholeTraffic
Trojan:EC2/DropPoint
UnauthorizedAccess:EC2/MaliciousIPCaller.Custom
UnauthorizedAccess:EC2/TorClient
UnauthorizedAccess:EC2/TorRelay
Backdoor:EC2/C&CActivity.B!DNS
CryptoCurrency:EC2/BitcoinTool.B!DNS
Trojan:EC2/BlackholeTraffic!DNS
Trojan:EC2/DGADomainRequest.C!DNS
Trojan:EC2/DriveBySourceTraffic!DNS
Trojan:EC2/DropPoint!DNS
Trojan:EC2/PhishingDomainRequest!DNS
Impact:EC2/MaliciousDomainRequest.Custom'

printf '%s\n' "$TYPES" >"$T/types"

# summary JSON OUT: one line per intel finding: type|list|count|access key|bucket|instance|eni
summary() {
    rm -f "$2"
    for p in type service.evidence.threatIntelligenceDetails.0.threatListName service.count \
        resource.accessKeyDetails.accessKeyId resource.s3BucketDetails.0.name \
        resource.instanceDetails.instanceId \
        resource.instanceDetails.networkInterfaces.0.networkInterfaceId; do
        jget "$1" "$p" >"$2.col"
        if [ -f "$2" ]; then
            paste -d '|' "$2" "$2.col" >"$2.tmp" && mv "$2.tmp" "$2"
        else
            mv "$2.col" "$2"
        fi
    done
    rm -f "$2.col"
    [ -f "$2" ] || : >"$2"
    awk -F '|' 'NR == FNR { t[$0] = 1; next } ($1 in t)' "$T/types" "$2" >"$2.tmp" && mv "$2.tmp" "$2"
}

# scan DIR OUT [extra scan options]: the findings of DIR's logs as JSON lines, with DIR's lists
scan() {
    d=$1; o=$2; shift 2
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --no-default-intel --format json $(cat "$d/intel/args.txt") "$@" \
        "$d/AWSLogs" >"$o" 2>"$o.err"
}

# the text of every log file under DIR, decompressed
logs() { find "$1/AWSLogs" -type f -name '*.gz' -exec zcat {} + 2>/dev/null; }

# --- CLI ------------------------------------------------------------------------------
"$COALMINE" gen --list-scenarios >"$T/list" 2>&1
check "--list-scenarios exits 0" test $? -eq 0
missing=""
for t in $TYPES; do
    awk '{print $2}' "$T/list" | grep -qxF "$t" || missing="$missing $t"
done
check "every intel finding type has a scenario${missing:+ (missing:$missing)}" test -z "$missing"
# the intel scenarios: those whose type is an intel type
awk 'NR == FNR { t[$0] = 1; next } ($2 in t) { print $1 }' "$T/types" "$T/list" >"$T/intel"
check "one scenario per type (28)" test "$(wc -l <"$T/intel")" -eq 28
"$COALMINE" gen --out "$T/x" --scenario no-such-scenario >/dev/null 2>"$T/err"
check "unknown scenario: exit 2" test $? -eq 2
check "unknown scenario is named" grep -q 'no-such-scenario' "$T/err"
"$COALMINE" gen --out "$T/bg" $WORLD >/dev/null 2>&1
check "no scenario: no intel directory" test ! -e "$T/bg/intel"

# --- one scenario at a time -----------------------------------------------------------------
for sc in $(cat "$T/intel"); do
    D="$T/$sc"
    # the v5 flow format carries instance ids, so flow findings name the instance
    if ! "$COALMINE" gen --out "$D" $WORLD --flow-format custom --scenario "$sc" \
        >/dev/null 2>"$T/gen.err"; then
        nok "$sc: gen" "$(cat "$T/gen.err")"
        continue
    fi
    exp=$(grep -v '^#' "$D/intel/scenarios.tsv")
    IFS='	' read -r sname type res eni list count ind near _ <<EOF
$exp
EOF
    check "$sc: scenarios.tsv has its line ($type, $count)" \
        test "$sname" = "$sc" -a "$(printf '%s\n' "$exp" | wc -l)" -eq 1 -a "${count:-0}" -gt 0
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    got=$(cut -d '|' -f 1 "$T/f.sum" | sort | tr '\n' ' ')
    check "$sc: only $type fires (got: $got)" test "$got" = "$type "
    IFS="|" read -r _ glist gcount gkey gbucket ginst geni <"$T/f.sum"
    case "$type" in
    *:S3/*) gres=$gbucket ;;
    *:IAMUser/*) gres=$gkey ;;
    *) gres=$ginst ;;
    esac
    check "$sc: resource $res" test "$gres" = "$res"
    if [ "$eni" != "-" ]; then
        check "$sc: network interface $eni" test "$geni" = "$eni"
    fi
    check "$sc: threatListName $list" test "$glist" = "$list"
    check "$sc: count $count, near misses not counted (got $gcount)" test "$gcount" = "$count"
    logs "$D" >"$T/logs"
    absent=""
    for v in $(printf '%s' "$near" | tr ',' ' '); do
        grep -qF "$v" "$T/logs" || absent="$absent $v"
    done
    check "$sc: its near misses are in the logs ($near)" test "$near" != "-" -a -z "$absent"
    printf '%s\n' "$ind" | tr ',' '\n' >"$T/atk.txt"
    scan "$D" "$T/t.json" --trusted-list "attacker=TXT:$T/atk.txt"
    rc=$?
    summary "$T/t.json" "$T/t.sum"
    check "$sc: attacker on a trusted list: no intel finding" test $rc -eq 0 -a ! -s "$T/t.sum"
    # the summary's trusted: line counts the detections the list suppressed, whether the
    # detector never made them (a threat-list match) or the scan dropped them after
    ntr=$(sed -n 's/^ *trusted: *\([0-9]*\) detections dropped.*/\1/p' "$T/t.json.err")
    check "$sc: trusted: counts at least the $count suppressed (got ${ntr:-none})" \
        test "${ntr:-0}" -ge "$count"
    natk=$(wc -l <"$T/atk.txt")
    loaded=$(sed -n 's/^ *attacker (TXT, trusted): \([0-9]*\) networks, \([0-9]*\) names.*/\1 \2/p' \
        "$T/t.json.err" | awk '{print $1 + $2}')
    check "$sc: the trusted list holds its $natk indicators (loaded ${loaded:-none})" \
        test "${loaded:-0}" -eq "$natk"
    rm -rf "$D"
done

# --- all scenarios together -----------------------------------------------------------------
A="$T/all"
set --
for sc in $(cat "$T/intel"); do set -- "$@" --scenario "$sc"; done
"$COALMINE" gen --out "$A" $WORLD "$@" >/dev/null 2>&1
check "gen with every intel scenario exits 0" test $? -eq 0
"$COALMINE" gen --out "$T/all2" $WORLD "$@" --jobs 1 >/dev/null 2>&1
check "with scenarios: same logs for any --jobs" diff -r "$A/AWSLogs" "$T/all2/AWSLogs"
check "with scenarios: same lists and expectations" \
    diff "$A/intel/scenarios.tsv" "$T/all2/intel/scenarios.tsv"
scan "$A" "$T/all.json"
summary "$T/all.json" "$T/all.sum"
check "all scenarios: 28 findings" test "$(wc -l <"$T/all.sum")" -eq 28
bad=""
grep -v '^#' "$A/intel/scenarios.tsv" >"$T/all.tsv"
while IFS='	' read -r sname type res eni list count ind near _; do
    # account 0 writes v2 flow logs (no instance id): EC2 findings name the ENI
    case "$type" in
    *:S3/*) want="$type|$list|$count|*|$res|null|null" ;;
    *:IAMUser/*) want="$type|$list|$count|$res|null|null|null" ;;
    *!DNS | *MaliciousDomainRequest*) want="$type|$list|$count|null|null|$res|null" ;;
    *) want="$type|$list|$count|null|null|null|$eni" ;;
    esac
    line=$(awk -F '|' -v t="$type" '$1 == t' "$T/all.sum")
    # shellcheck disable=SC2254 # want is a pattern
    case "$line" in
    $want*) ;;
    *) bad="$bad $sname" ;;
    esac
done <"$T/all.tsv"
check "all scenarios: each finding as expected${bad:+ (wrong:$bad)}" test -z "$bad"

# --- the background alone --------------------------------------------------------------------
mkdir -p "$T/bg/intel" && cp "$A/intel/args.txt" "$T/bg/intel/args.txt"
scan "$T/bg" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
check "background with every list loaded: no finding" test ! -s "$T/bg.json"
check "background: every list loaded" \
    test "$(grep -c ' (TXT, ' "$T/bg.json.err")" -eq "$(wc -l <"$A/intel/args.txt")"
# Names the background asks on a trusted list hide no threat-list match: trusted: counts none.
logs "$T/bg" | sed -n 's/.*"query_name":"\([a-z0-9.-]*[a-z]\)\.".*/\1/p' | sort -u | head -20 \
    >"$T/bgtrust.txt"
scan "$T/bg" "$T/bgt.json" --trusted-list "bgtrust=TXT:$T/bgtrust.txt"
check "background names on a trusted list: no trusted: count" \
    sh -c '[ "$(wc -l <"$1")" -ge 5 ] && grep -q "bgtrust (TXT, trusted)" "$2" &&
        ! grep -q "trusted:  *[0-9]* detections" "$2"' _ "$T/bgtrust.txt" "$T/bgt.json.err"


# --- an IPv6-only instance through NAT64 ---------------------------------------------------------
# With DNS64 and a NAT gateway, an IPv6-only instance reaches an IPv4 host at 64:ff9b::<IPv4>
# (RFC 6052), and its flow records show that address. A listed IPv4 reached so is the listed
# host (docs/internals/intel.md); the same 32 bits under another prefix are not. Before
# 2026-12-04 it was no finding.
N="$T/nat64"
mkdir -p "$N"
echo 141.98.10.10 >"$N/cnc.txt"
{
    echo 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status instance-id region'
    echo '5 111122223333 eni-0a1b2c3d4e5f60718 2600:1f18:40a1:2b00::14 64:ff9b::8d62:a0a 51000 443 6 10 800 1767607200 1767607210 ACCEPT OK i-0a1b2c3d4e5f60718 us-east-1'
    echo '5 111122223333 eni-0b1b2c3d4e5f60718 2600:1f18:40a1:2b00::15 2001:db8:1::8d62:a0a 51000 443 6 10 800 1767607200 1767607210 ACCEPT OK i-0b1b2c3d4e5f60718 us-east-1'
} >"$N/111122223333_vpcflowlogs_us-east-1_fl-0a1b_20260105T1000Z_n.log"
"$COALMINE" scan --no-default-intel --intel-list "cnc=TXT:$N/cnc.txt" --format json \
    "$N/111122223333_vpcflowlogs_us-east-1_fl-0a1b_20260105T1000Z_n.log" >"$T/nat64.json" \
    2>"$T/nat64.json.err"
check "NAT64: scan exits 0" test $? -eq 0
check "NAT64: the instance reaching a listed C&C through 64:ff9b::/96 is C&CActivity.B" \
    sh -c 'test "$(grep -c "" "$1")" -eq 1 && grep -q "\"type\": *\"Backdoor:EC2/C&CActivity.B\"" "$1" &&
        grep -q "i-0a1b2c3d4e5f60718" "$1"' _ "$T/nat64.json"

# --- an instance's C&C connection through a NAT gateway (VPC-wide custom format) ---------------
# AWS records a NAT gateway's two legs of a connection on its interface (instance-id "-"): the
# instance's leg (pkt-dstaddr the remote) is forwarded, but the gateway's own leg to the
# internet has the gateway's address as srcaddr and pkt-srcaddr. The instance's interface
# records the connection; GuardDuty names the instance alone. Before 2026-12-05 the gateway's
# leg was a second C&CActivity.B, on the gateway's interface.
N="$T/natgw"
mkdir -p "$N"
echo 141.98.10.10 >"$N/cnc.txt"
{
    echo 'version account-id interface-id instance-id srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol packets bytes start end action log-status flow-direction region'
    echo '5 111122223333 eni-0a1b2c3d4e5f60718 i-0a1b2c3d4e5f60718 10.0.1.5 141.98.10.10 51000 443 10.0.1.5 141.98.10.10 6 10 800 1767607200 1767607210 ACCEPT OK egress us-east-1'
    echo '5 111122223333 eni-0cafe00000000000a - 10.0.1.5 10.0.0.220 51000 443 10.0.1.5 141.98.10.10 6 10 800 1767607200 1767607210 ACCEPT OK ingress us-east-1'
    echo '5 111122223333 eni-0cafe00000000000a - 10.0.0.220 141.98.10.10 61000 443 10.0.0.220 141.98.10.10 6 10 800 1767607200 1767607210 ACCEPT OK egress us-east-1'
    echo '5 111122223333 eni-0cafe00000000000a - 141.98.10.10 10.0.0.220 443 61000 141.98.10.10 10.0.0.220 6 8 4000 1767607200 1767607210 ACCEPT OK ingress us-east-1'
    echo '5 111122223333 eni-0cafe00000000000a - 10.0.0.220 10.0.1.5 443 51000 141.98.10.10 10.0.1.5 6 8 4000 1767607200 1767607210 ACCEPT OK egress us-east-1'
} >"$N/111122223333_vpcflowlogs_us-east-1_fl-0a1c_20260105T1000Z_n.log"
"$COALMINE" scan --no-default-intel --intel-list "cnc=TXT:$N/cnc.txt" --format json \
    "$N/111122223333_vpcflowlogs_us-east-1_fl-0a1c_20260105T1000Z_n.log" >"$T/natgw.json" \
    2>"$T/natgw.json.err"
check "NAT gateway: scan exits 0" test $? -eq 0
check "NAT gateway: one C&CActivity.B, on the instance, none on the gateway's interface" \
    sh -c 'test "$(grep -c "" "$1")" -eq 1 && grep -q "i-0a1b2c3d4e5f60718" "$1" &&
        ! grep -q "eni-0cafe00000000000a" "$1"' _ "$T/natgw.json"

# --- a Tor relay's own ORPort traffic is not a port probe ----------------------------------------
# Tor relays connecting to a relay's ORPort are the Tor protocol: TorRelay, not also
# PortProbeUnprotectedPort. Before 2026-12-05 each Tor node on the relay's 9001 was a probe
# too (the gen torrelay-flow scenario: a PortProbe of count 7 beside TorRelay). A Tor node on
# another port of the relay, and a Tor exit on an ordinary instance's MySQL, still are.
N="$T/torport"
mkdir -p "$N"
printf '204.13.164.20\n204.13.164.21\n204.13.164.22\n' >"$N/tor_relay.txt"
echo 185.220.101.5 >"$N/tor_exit.txt"
{
    echo 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status instance-id region'
    t=1767607200
    for r in 20 21 22 20; do
        echo "5 111122223333 eni-0a1b2c3d4e5f60718 204.13.164.$r 10.0.0.11 4${r}00 9001 6 30 9000 $t $((t + 30)) ACCEPT OK i-0a1b2c3d4e5f60718 us-east-1"
        t=$((t + 60))
    done
    echo "5 111122223333 eni-0a1b2c3d4e5f60718 204.13.164.21 10.0.0.11 41999 22 6 3 180 $t $((t + 1)) ACCEPT OK i-0a1b2c3d4e5f60718 us-east-1"
    echo "5 111122223333 eni-0b1b2c3d4e5f60718 185.220.101.5 10.0.0.12 42000 3306 6 3 180 $t $((t + 1)) ACCEPT OK i-0b1b2c3d4e5f60718 us-east-1"
} >"$N/111122223333_vpcflowlogs_us-east-1_fl-0a1d_20260105T1000Z_n.log"
"$COALMINE" scan --no-default-intel --intel-list "tor_relay=TXT:$N/tor_relay.txt" \
    --intel-list "tor_exit=TXT:$N/tor_exit.txt" --format json \
    "$N/111122223333_vpcflowlogs_us-east-1_fl-0a1d_20260105T1000Z_n.log" >"$T/torport.json" \
    2>"$T/torport.json.err"
check "Tor relay port: scan exits 0" test $? -eq 0
check "Tor relay port: TorRelay on the relay" \
    sh -c 'grep "UnauthorizedAccess:EC2/TorRelay" "$1" | grep -q i-0a1b2c3d4e5f60718' _ \
    "$T/torport.json"
check "Tor relay port: the relay's probe is its port 22 alone, count 1 (not its ORPort)" \
    sh -c 'l=$(grep "PortProbeUnprotectedPort" "$1" | grep i-0a1b2c3d4e5f60718) &&
        echo "$l" | grep -q "\"port\": *22[,}]" && ! echo "$l" | grep -q "\"port\": *9001[,}]" &&
        echo "$l" | grep -q "\"count\": *1[,}]"' _ "$T/torport.json"
check "Tor relay port: a Tor exit on another instance's MySQL is a probe" \
    sh -c 'grep "PortProbeUnprotectedPort" "$1" | grep i-0b1b2c3d4e5f60718 |
        grep -q "\"port\": *3306[,}]"' _ "$T/torport.json"

# --- a copy from a listed address names the bucket it copies out of --------------------------
# CopyObject writes bucketName (often the thief's own bucket) and reads x-amz-copy-source: the
# data taken is the source's, as the S3 anomaly model says. Before 2026-12-05 the
# Exfiltration:S3/MaliciousIPCaller finding named the destination, not the bucket read.
N="$T/copy"
mkdir -p "$N"
echo 45.155.205.234 >"$N/bad.txt"
cat >"$N/111122223333_CloudTrail_us-east-1_20260105T1000Z_copy.json" <<'JSON'
{"Records":[{"eventVersion":"1.10","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEBOB",
 "arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333","accessKeyId":"AKIABOB0000000000001",
 "userName":"bob"},"eventTime":"2026-01-05T10:00:00Z","eventSource":"s3.amazonaws.com",
 "eventName":"CopyObject","awsRegion":"us-east-1","sourceIPAddress":"45.155.205.234",
 "userAgent":"[aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp]",
 "requestParameters":{"bucketName":"drop-4711","Host":"drop-4711.s3.us-east-1.amazonaws.com",
 "key":"l.csv","x-amz-copy-source":"acme-finance-records/ledger/2025.csv"},"responseElements":null,
 "requestID":"R1","eventID":"5d1c3a8e-0000-4000-8000-000000000001","readOnly":false,
 "resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::drop-4711/l.csv"},
 {"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::drop-4711"}],"eventType":"AwsApiCall",
 "managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}]}
JSON
"$COALMINE" scan --no-default-intel --intel-list "malicious_ip=TXT:$N/bad.txt" --format json \
    "$N/111122223333_CloudTrail_us-east-1_20260105T1000Z_copy.json" >"$T/copy.json" \
    2>"$T/copy.json.err"
check "copy: scan exits 0" test $? -eq 0
check "copy: one Exfiltration:S3/MaliciousIPCaller, on the source bucket, not the destination" \
    sh -c 'test "$(grep -c "" "$1")" -eq 1 &&
        grep -q "\"type\": *\"Exfiltration:S3/MaliciousIPCaller\"" "$1" &&
        grep -q "\"name\": *\"acme-finance-records\"" "$1" && ! grep -q "drop-4711" "$1"' _ \
    "$T/copy.json"

done_testing
