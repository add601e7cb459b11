#!/bin/sh
# End-to-end tests of intel in `coalmine scan`: the list options and their
# errors, bad list records reported with file and line, the region of
# default-format flow logs taken from the S3 key, the built-in bundle (the
# GuardDuty tester domains) on by default and off with --no-default-intel,
# trusted lists dropping every finding about an address, threat-intel
# details in the finding, and --geoip filling remoteIpDetails (with the
# MaxMind test databases when ../shared is present). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
export COALMINE_INTEL_DIR="$T/intel-dir"

# A default-format (v2) flow log in the S3 delivery layout of eu-west-1: an instance
# beaconing to 81.2.69.160 (listed) and to 81.2.69.161 (not listed).
FD="$T/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/01/05"
mkdir -p "$FD"
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.160 49152 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 111122223333 eni-0a1 81.2.69.160 10.0.0.5 443 49152 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.160 49153 443 6 10 840 1767607300 1767607360 ACCEPT OK"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.161 49154 443 6 10 840 1767607300 1767607360 ACCEPT OK"
} >"$FD/111122223333_vpcflowlogs_eu-west-1_fl-0a1_20260105T0000Z_0a1b2c3d.log"

# A DNS query log with a GuardDuty tester domain and a look-alike.
DD="$T/AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/01/05"
mkdir -p "$DD"
q() {
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T00:0%s:00Z","query_name":"%s","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0abc"}}\n' "$1" "$2"
}
{
    q 1 "c2.guarddutyc2activityb.com."
    q 2 "notguarddutyc2activityb.com."
} >"$DD/vpc-1_vpcdnsquerylogs_111122223333_20260105T0000Z_1.log"

printf '# my list\n81.2.69.160\n10.9.9.9\nnot-a-name!\n' >"$T/mine.txt"
printf '81.2.69.160\n' >"$T/ok.txt"

# --- customer list, bad records, region from the key ------------------------------------------
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --format json \
    "$T/AWSLogs" >"$T/a.json" 2>"$T/a.err"
check "scan with a threat list exits 0" test $? -eq 0
check "one finding" test "$(wc -l <"$T/a.json")" -eq 1
check "it is UnauthorizedAccess:EC2/MaliciousIPCaller.Custom" \
    test "$(jq -r .type "$T/a.json")" = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"
check "counted twice (the reply record is not a connection)" \
    test "$(jq -r .service.count "$T/a.json")" -eq 2
check "region from the S3 key of a default-format flow log" \
    test "$(jq -r .region "$T/a.json")" = eu-west-1
check "threatIntelligenceDetails names the list and GuardDuty's threatName" \
    test "$(jq -c '.service.evidence.threatIntelligenceDetails' "$T/a.json")" = \
    '[{"threatListName":"my-ips","threatNames":["Customer Threat Intel"]}]'
check "additionalInfo.threatListName" \
    test "$(jq -r '.service.additionalInfo.value | fromjson | .threatListName' "$T/a.json")" = my-ips
check "remote address and direction" \
    test "$(jq -r '.service.action.networkConnectionAction | .remoteIpDetails.ipAddressV4 + " " + .connectionDirection' "$T/a.json")" = "81.2.69.160 OUTBOUND"
check "no geo fields without --geoip" \
    test "$(jq -r '.service.action.networkConnectionAction.remoteIpDetails | has("country") or has("organization")' "$T/a.json")" = false
check "the private entry is reported with file and line" \
    grep -q "mine.txt:3: not a publicly routable" "$T/a.err"
check "the garbage entry is reported with file and line" grep -q "mine.txt:4:" "$T/a.err"
check "the summary counts them" grep -q "my-ips (TXT, threat): 1 networks, 0 names, 2 bad records skipped" "$T/a.err"

# --- trusted wins ---------------------------------------------------------------------------
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --trusted-list "ok=$T/ok.txt" \
    --format json "$T/AWSLogs" >"$T/b.json" 2>"$T/b.err"
check "a trusted entry suppresses the finding" test "$(wc -c <"$T/b.json")" -eq 0

# --- managed intel of a category ------------------------------------------------------------
"$COALMINE" scan --no-default-intel --intel-list "cnc:feodo=TXT:$T/ok.txt" --format json \
    "$T/AWSLogs" >"$T/c.json" 2>/dev/null
check "--intel-list cnc gives Backdoor:EC2/C&CActivity.B" \
    test "$(jq -r .type "$T/c.json")" = "Backdoor:EC2/C&CActivity.B"
check "with the category's threat name" \
    test "$(jq -r '.service.evidence.threatIntelligenceDetails[0].threatNames[0]' "$T/c.json")" = "Command and Control"

# --- the built-in bundle --------------------------------------------------------------------
"$COALMINE" scan --format json "$T/AWSLogs" >"$T/d.json" 2>"$T/d.err"
check "default scan loads the bundle" grep -q "intel: .* lists" "$T/d.err"
check "the GuardDuty tester domain fires Backdoor:EC2/C&CActivity.B!DNS" \
    test "$(jq -r .type "$T/d.json")" = "Backdoor:EC2/C&CActivity.B!DNS"
check "only that one (the look-alike does not)" test "$(wc -l <"$T/d.json")" -eq 1
"$COALMINE" scan --no-default-intel --format json "$T/AWSLogs" >"$T/e.json" 2>/dev/null
check "--no-default-intel: nothing" test "$(wc -c <"$T/e.json")" -eq 0

# Every DNS name of GuardDuty's tester (spec 1.6), each from an instance of its own, gives
# the tester's type with nothing downloaded: the four *-rep names lie under the cnc domain
# and still give their reputation types.
TD="$T/tester/AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/01/05"
mkdir -p "$TD"
k=0
while read -r name type; do
    k=$((k + 1))
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T00:10:%02dZ","query_name":"%s.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.%d","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0tester%02d"}}\n' \
        "$k" "$name" "$k" "$k"
    echo "i-0tester$(printf %02d "$k") $type" >>"$T/tester-expect.txt"
done >"$TD/vpc-1_vpcdnsquerylogs_111122223333_20260105T0010Z_1.log" <<'NAMES'
c2.guarddutyc2activityb.com Backdoor:EC2/C&CActivity.B!DNS
crypto.guarddutyc2activityb.com CryptoCurrency:EC2/BitcoinTool.B!DNS
abused-rep.guarddutyc2activityb.com Impact:EC2/AbusedDomainRequest.Reputation
crypto-rep.guarddutyc2activityb.com Impact:EC2/BitcoinDomainRequest.Reputation
malicious-rep.guarddutyc2activityb.com Impact:EC2/MaliciousDomainRequest.Reputation
suspicious-rep.guarddutyc2activityb.com Impact:EC2/SuspiciousDomainRequest.Reputation
guarddutydroppointactivity.com Trojan:EC2/DropPoint!DNS
guarddutyblackholeactivity.com Trojan:EC2/BlackholeTraffic!DNS
guarddutyphishingactivity.com Trojan:EC2/PhishingDomainRequest!DNS
guarddutydrivebyactivity.com Trojan:EC2/DriveBySourceTraffic!DNS
guarddutydgaactivity.com Trojan:EC2/DGADomainRequest.C!DNS
NAMES
"$COALMINE" scan --format json "$T/tester/AWSLogs" >"$T/tester.json" 2>/dev/null
jq -r '.resource.instanceDetails.instanceId + " " + .type' "$T/tester.json" | sort >"$T/tester-got.txt"
sort "$T/tester-expect.txt" >"$T/tester-want.txt"
check "the tester's 11 DNS names give the tester's 11 types, one each" \
    cmp -s "$T/tester-got.txt" "$T/tester-want.txt"
check "the reputation ones name their built-in list" \
    test "$(jq -r 'select(.type == "Impact:EC2/AbusedDomainRequest.Reputation") | .service.evidence.threatIntelligenceDetails[0].threatListName' "$T/tester.json")" = guardduty-tester-abused-rep
check "... and are of the type's severity (Suspicious: Low, 2)" \
    test "$(jq -r 'select(.type == "Impact:EC2/SuspiciousDomainRequest.Reputation") | .severity' "$T/tester.json")" = 2

# --- names with a label no host name has -----------------------------------------------------
# A Resolver log writes a query's space as \032 and keeps '*', '+' and '/' as they are; the
# instance's malware picks its labels, and the listed domain's server answers them all. Each
# name from an instance of its own: the three under the listed domain fire, the one whose
# odd label is the listed domain's own (evil\032c2.example.com) and the one whose last label
# is odd do not. Before 2026-12-04 none fired: such a name was never looked up.
ED="$T/escaped/AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/01/05"
mkdir -p "$ED"
k=0
while read -r name; do
    k=$((k + 1))
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T00:20:%02dZ","query_name":"%s","query_type":"TXT","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.1.%d","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0escaped%02d"}}\n' \
        "$k" "$name" "$k" "$k"
done >"$ED/vpc-1_vpcdnsquerylogs_111122223333_20260105T0020Z_1.log" <<'NAMES'
\\032beacon.evil-c2.example.com.
aGVsbG8+d29ybGQ/.t.EVIL-C2.example.com.
*.evil-c2.example.com.
evil\\032c2.example.com.
evil-c2.example.com\\032.
NAMES
printf 'evil-c2.example.com\n' >"$T/c2-names.txt"
"$COALMINE" scan --no-default-intel --threat-list "c2-names=$T/c2-names.txt" --format json \
    "$T/escaped/AWSLogs" >"$T/esc.json" 2>"$T/esc.err"
check "names with an escaped or odd label: scan exits 0" test $? -eq 0
check "no Resolver record rejected" grep -q "rejected: cloudtrail 0, vpcflow 0, dns 0" "$T/esc.err"
check "the three under the listed domain fire, each its instance's (got: $(jq -r .resource.instanceDetails.instanceId "$T/esc.json" | sort | tr '\n' ' '))" \
    test "$(jq -r '.type + " " + .resource.instanceDetails.instanceId' "$T/esc.json" | sort | tr '\n' ' ')" = \
    "Impact:EC2/MaliciousDomainRequest.Custom i-0escaped01 Impact:EC2/MaliciousDomainRequest.Custom i-0escaped02 Impact:EC2/MaliciousDomainRequest.Custom i-0escaped03 "
check "the finding names the query as logged" \
    test "$(jq -r 'select(.resource.instanceDetails.instanceId == "i-0escaped01") | .service.action.dnsRequestAction.domain' "$T/esc.json")" = '\032beacon.evil-c2.example.com'
"$COALMINE" scan --no-default-intel --threat-list "c2-names=$T/c2-names.txt" \
    --trusted-list "ok=$T/c2-names.txt" --format json "$T/escaped/AWSLogs" >"$T/esc-t.json" 2>/dev/null
check "the domain on a trusted list too: nothing" test ! -s "$T/esc-t.json"

# --- errors ---------------------------------------------------------------------------------
"$COALMINE" scan --threat-list "$T/missing.txt" "$T/AWSLogs" >/dev/null 2>"$T/f.err"
check "a missing list file: exit 1" test $? -eq 1
check "naming it" grep -q "missing.txt" "$T/f.err"
"$COALMINE" scan --no-default-intel --threat-list "x=$T/mine.txt" --threat-list "x=$T/ok.txt" \
    "$T/AWSLogs" >/dev/null 2>"$T/g.err"
check "two lists of one name: exit 1" test $? -eq 1
check "saying so, with both files" grep -q "a list named x is given twice (also $T/mine.txt)" "$T/g.err"
"$COALMINE" scan --intel-list "bogus=$T/ok.txt" "$T/AWSLogs" >/dev/null 2>"$T/h.err"
check "an unknown category: usage error (exit 2)" test $? -eq 2
check "naming it" grep -q "bogus" "$T/h.err"
printf '<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"><broken' >"$T/bad.xml"
"$COALMINE" scan --no-default-intel --threat-list "STIX:$T/bad.xml" "$T/AWSLogs" >/dev/null 2>"$T/i.err"
check "a STIX file that is not XML: exit 1" test $? -eq 1
check "the error names the file" grep -q "bad.xml" "$T/i.err"

# --- GeoIP ----------------------------------------------------------------------------------
MM="${SHARED:-../shared}/data/maxmind-test-data/test-data"
if [ -f "$MM/GeoIP2-City-Test.mmdb" ] && [ -f "$MM/GeoLite2-ASN-Test.mmdb" ]; then
    "$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" \
        --geoip "$MM/GeoIP2-City-Test.mmdb" --geoip "$MM/GeoLite2-ASN-Test.mmdb" \
        --format json "$T/AWSLogs" >"$T/j.json" 2>/dev/null
    R='.service.action.networkConnectionAction.remoteIpDetails'
    check "--geoip: city" test "$(jq -r "$R.city.cityName" "$T/j.json")" = London
    check "--geoip: country" test "$(jq -r "$R.country.countryCode + \" \" + $R.country.countryName" "$T/j.json")" = "GB United Kingdom"
    check "--geoip: location" test "$(jq -r "$R.geoLocation | has(\"lat\") and has(\"lon\")" "$T/j.json")" = true
    "$COALMINE" scan --no-default-intel --geoip "$T/mine.txt" "$T/AWSLogs" >/dev/null 2>"$T/k.err"
    check "--geoip with a file that is no MMDB: exit 1 naming it" \
        sh -c "test $? -eq 1 && grep -q mine.txt '$T/k.err'"
else
    skip "--geoip" "no MaxMind test databases under $MM"
fi
# A file that is no MMDB is named with its option, as --aws-ranges and --inventory are.
"$COALMINE" scan -q --no-default-intel --geoip "$T/mine.txt" "$T/AWSLogs" >/dev/null 2>"$T/k2.err"
check "--geoip with a file that is no MMDB: the option named" \
    sh -c "test $? -eq 1 && grep -q '^coalmine scan: --geoip $T/mine.txt: not a usable MMDB file' '$T/k2.err'"
done_testing
