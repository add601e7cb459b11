#!/bin/sh
# tsan: instance mapping merged across scan workers (--threads)
# End-to-end tests of instance mapping in `coalmine scan` (issue #6): a
# default-format flow log (no instance-id field) with threat-list hits from
# three interfaces, a CloudTrail file whose RunInstances launched the first
# one's instance, and an inventory file (describe-instances JSON) that knows
# the second. The findings name the instance of each known interface, with
# its type, image, launch time, tags and groups; the unknown interface keeps
# its ENI and address; the same with one thread and with two; without
# --inventory only CloudTrail's instance is named; bad inventory entries are
# reported with file and line; a gzipped inventory reads the same; a file
# that is not an inventory, or no file, is an error that names it. Resolver
# records that name no instance are the inventory's instance at their (vpc_id,
# srcaddr): a listed name, and a DNS tunnel in records trimmed to srcaddr, are
# found on the right instance; an inbound endpoint's client, another VPC, an
# unknown address or an instance launched later name none; --stats counts them.
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
export COALMINE_INTEL_DIR="$T/intel-dir"

ACCT=111122223333
FD="$T/logs/AWSLogs/$ACCT/vpcflowlogs/eu-west-1/2026/01/05"
CD="$T/logs/AWSLogs/$ACCT/CloudTrail/eu-west-1/2026/01/05"
mkdir -p "$FD" "$CD"

# 10:00 UTC: three interfaces talk to 81.2.69.160, which is on the customer list.
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    echo "2 $ACCT eni-0c70000000000001 10.0.1.10 81.2.69.160 49152 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0c70000000000001 81.2.69.160 10.0.1.10 443 49152 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0170000000000002 10.0.2.20 81.2.69.160 49153 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0f00000000000009 10.0.9.9 81.2.69.160 49154 443 6 10 840 1767607200 1767607260 ACCEPT OK"
} >"$FD/${ACCT}_vpcflowlogs_eu-west-1_fl-0a1_20260105T1000Z_0a1b2c3d.log"

# 09:00 UTC: RunInstances launched i-0c7... with eni-0c7... (CloudTrail's own shape:
# launchTime in ms, tagSet.items, networkInterfaceSet.items); a failed one launched nothing.
cat >"$CD/${ACCT}_CloudTrail_eu-west-1_20260105T0900Z_abcd.json" <<EOF
{"Records":[
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAOPS","arn":"arn:aws:iam::$ACCT:user/ops","accountId":"$ACCT","accessKeyId":"AKIAOPS0000000000001","userName":"ops"},
 "eventTime":"2026-01-05T09:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"run-1","eventType":"AwsApiCall","recipientAccountId":"$ACCT",
 "requestParameters":{"instanceType":"c5.large"},
 "responseElements":{"requestId":"r1","reservationId":"r-0c7","ownerId":"$ACCT","groupSet":{},"instancesSet":{"items":[
  {"instanceId":"i-0c70000000000001","imageId":"ami-0c7","instanceState":{"code":0,"name":"pending"},"instanceType":"c5.large","launchTime":1767603600000,
   "placement":{"availabilityZone":"eu-west-1b","tenancy":"default"},"subnetId":"subnet-0c7","vpcId":"vpc-0c7","privateIpAddress":"10.0.1.10",
   "tagSet":{"items":[{"key":"Name","value":"crawler-7"},{"key":"team","value":"data"}]},
   "networkInterfaceSet":{"items":[{"networkInterfaceId":"eni-0c70000000000001","subnetId":"subnet-0c7","vpcId":"vpc-0c7","privateIpAddress":"10.0.1.10",
     "groupSet":{"items":[{"groupId":"sg-0c7","groupName":"crawlers"}]},"attachment":{"deviceIndex":0,"attachTime":1767603600000},
     "privateIpAddressesSet":{"item":[{"privateIpAddress":"10.0.1.10","primary":true}]},"ipv6AddressesSet":{},"tagSet":{}}]},
   "iamInstanceProfile":{"arn":"arn:aws:iam::$ACCT:instance-profile/crawler","id":"AIPACRAWLER"}}]}}},
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAOPS","arn":"arn:aws:iam::$ACCT:user/ops","accountId":"$ACCT","accessKeyId":"AKIAOPS0000000000001","userName":"ops"},
 "eventTime":"2026-01-05T09:01:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"run-2","eventType":"AwsApiCall","recipientAccountId":"$ACCT",
 "errorCode":"Client.UnauthorizedOperation","errorMessage":"no","requestParameters":{"instanceType":"c5.large"},"responseElements":null}
]}
EOF

# The inventory knows eni-0170...'s instance; its third entry has no InstanceId (line 12).
cat >"$T/inventory.json" <<'EOF'
{
  "Reservations": [
    {
      "Instances": [
        {"InstanceId": "i-0170000000000002", "InstanceType": "m5.large", "ImageId": "ami-017",
         "LaunchTime": "2025-12-01T08:00:00+00:00", "State": {"Name": "running"},
         "Placement": {"AvailabilityZone": "eu-west-1a"},
         "Tags": [{"Key": "Name", "Value": "api-2"}, {"Key": "aws:elasticmapreduce:job-flow-id", "Value": "j-2"}],
         "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0170000000000002", "SubnetId": "subnet-017",
           "VpcId": "vpc-0c7", "PrivateIpAddress": "10.0.2.20", "Groups": [{"GroupId": "sg-017", "GroupName": "api"}],
           "Attachment": {"DeviceIndex": 0}}]},
        {"InstanceType": "t3.nano"}
      ]
    }
  ]
}
EOF
printf '81.2.69.160\n' >"$T/mine.txt"

scan() { # OUT ERR [options]
    o=$1; e=$2; shift 2
    "$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --format json "$@" \
        "$T/logs" >"$o" 2>"$e"
}
# FIELD of the finding about ENI in FILE
field() { jq -r --arg e "$2" 'select(.resource.instanceDetails.networkInterfaces[0].networkInterfaceId == $e) | '"$3" "$1"; }

scan "$T/a.json" "$T/a.err" --threads 2 --inventory "$T/inventory.json"
check "scan with --inventory exits 0" test $? -eq 0
check "three findings" test "$(wc -l <"$T/a.json")" -eq 3
check "all UnauthorizedAccess:EC2/MaliciousIPCaller.Custom" \
    test "$(jq -r .type "$T/a.json" | sort -u)" = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"

# Known from CloudTrail only.
E1=eni-0c70000000000001
check "CloudTrail's instance is named" test "$(field "$T/a.json" $E1 .resource.instanceDetails.instanceId)" = i-0c70000000000001
check "... with its type, image and zone" \
    test "$(field "$T/a.json" $E1 '.resource.instanceDetails | .instanceType + " " + .imageId + " " + .availabilityZone')" = "c5.large ami-0c7 eu-west-1b"
check "... launch time and state" \
    test "$(field "$T/a.json" $E1 '.resource.instanceDetails | .launchTime + " " + .instanceState')" = "2026-01-05T09:00:00.000Z pending"
check "... tags" \
    test "$(field "$T/a.json" $E1 '[.resource.instanceDetails.tags[] | .key + "=" + .value] | join(",")')" = "Name=crawler-7,team=data"
check "... instance profile" \
    test "$(field "$T/a.json" $E1 .resource.instanceDetails.iamInstanceProfile.id)" = AIPACRAWLER
check "... interface subnet, VPC and security group" \
    test "$(field "$T/a.json" $E1 '.resource.instanceDetails.networkInterfaces[0] | .subnetId + " " + .vpcId + " " + .securityGroups[0].groupName')" = "subnet-0c7 vpc-0c7 crawlers"
check "... the title names the instance" \
    sh -c "jq -r 'select(.resource.instanceDetails.instanceId == \"i-0c70000000000001\") | .title' '$T/a.json' | grep -q i-0c70000000000001"
check "... and counts the connection once (not the reply)" test "$(field "$T/a.json" $E1 .service.count)" -eq 1

# Known from the inventory file.
E2=eni-0170000000000002
check "the inventory's instance is named" test "$(field "$T/a.json" $E2 .resource.instanceDetails.instanceId)" = i-0170000000000002
check "... with its type, launch time and tags" \
    test "$(field "$T/a.json" $E2 '.resource.instanceDetails | .instanceType + " " + .launchTime + " " + .tags[0].value')" = "m5.large 2025-12-01T08:00:00.000Z api-2"
check "... its security group" test "$(field "$T/a.json" $E2 '.resource.instanceDetails.networkInterfaces[0].securityGroups[0].groupId')" = sg-017

# Unknown.
E3=eni-0f00000000000009
check "an unknown interface keeps its ENI and address, no instance" \
    test "$(field "$T/a.json" $E3 '.resource.instanceDetails | (.instanceId // "none") + " " + .networkInterfaces[0].privateIpAddress')" = "none 10.0.9.9"

check "the bad inventory entry is reported with file and line" \
    grep -q "inventory.json:12: instance without an InstanceId (entry skipped)" "$T/a.err"
check "the summary says what the map held and named" \
    grep -Eq "instances: 2 known \(1 from inventory files, 1 EC2 calls in CloudTrail\), 2 interfaces, [0-9.]+ MB; 2 instance findings named, 1 unknown" "$T/a.err"
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --quiet --stats "$T/a.stats" \
    --inventory "$T/inventory.json" "$T/logs" >/dev/null 2>&1
check "... and --stats the same (before 2026-12-05 only the summary did)" \
    test "$(jq -c '.instances | [.known, .from_inventory, .from_cloudtrail, .interfaces,
        .findings_named, .findings_unknown]' "$T/a.stats")" = "[2,1,1,2,2,1]"

# One thread: the same findings.
scan "$T/b.json" "$T/b.err" --threads 1 --inventory "$T/inventory.json"
sort "$T/a.json" >"$T/a.sorted"
sort "$T/b.json" >"$T/b.sorted"
check "one thread gives the same findings" cmp -s "$T/a.sorted" "$T/b.sorted"

# Without --inventory: CloudTrail still names its instance.
scan "$T/c.json" "$T/c.err" --threads 2
check "without --inventory CloudTrail's instance is still named" \
    test "$(field "$T/c.json" $E1 .resource.instanceDetails.instanceId)" = i-0c70000000000001
check "... and the other interface is not" \
    test "$(field "$T/c.json" $E2 '.resource.instanceDetails.instanceId // "none"')" = none
check "the finding ids do not depend on the map" \
    test "$(jq -r .id "$T/a.json" | sort)" = "$(jq -r .id "$T/c.json" | sort)"

# The table names the instance in the RESOURCE column.
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --inventory "$T/inventory.json" \
    "$T/logs" >"$T/d.txt" 2>/dev/null
check "the table's resource is the instance id" grep -q "i-0170000000000002" "$T/d.txt"

# gzip reads the same.
gzip -c "$T/inventory.json" >"$T/inventory.json.gz"
scan "$T/e.json" "$T/e.err" --inventory "$T/inventory.json.gz"
check "a gzipped inventory names the same instance" \
    test "$(field "$T/e.json" $E2 .resource.instanceDetails.instanceId)" = i-0170000000000002

# The EventBridge form: a described instance with no Platform (Linux) has "platform": null,
# as GuardDuty's events do, so a rule for Linux instances matches it; an instance known by its
# interface alone has no platform member (before 2026-12-04 neither had one).
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --format eventbridge \
    --inventory "$T/inventory.json" "$T/logs" >"$T/eb.json" 2>/dev/null
ebf() { jq -c --arg e "$1" 'select(.detail.resource.instanceDetails.networkInterfaces[0].networkInterfaceId == $e)' "$T/eb.json"; }
ebf $E2 >"$T/eb2.json"
ebf $E3 >"$T/eb3.json"
check "eventbridge: the inventory's instance has platform null" \
    test "$(jq -c '.detail.resource.instanceDetails | [has("platform"), .platform]' "$T/eb2.json")" = '[true,null]'
printf '{"detail":{"resource":{"instanceDetails":{"platform":[null]}}}}' >"$T/linux.pat"
check "... and a rule for Linux instances matches it" \
    test "$("$COALMINE" rules test --event-pattern "file://$T/linux.pat" --event "file://$T/eb2.json")" = '{"Result":true}'
check "an unknown instance has no platform member" \
    test "$(jq '.detail.resource.instanceDetails | has("platform")' "$T/eb3.json")" = false
check "... and the rule does not match it" \
    test "$("$COALMINE" rules test --event-pattern "file://$T/linux.pat" --event "file://$T/eb3.json")" = '{"Result":false}'

# Errors name the file.
"$COALMINE" scan --inventory "$T/missing.json" "$T/logs" >/dev/null 2>"$T/f.err"
check "a missing inventory exits 1" test $? -eq 1
check "... naming it" grep -q "missing.json" "$T/f.err"
printf '{"prefixes": []}\n' >"$T/ranges.json"
"$COALMINE" scan --inventory "$T/ranges.json" "$T/logs" >/dev/null 2>"$T/g.err"
check "a file that is not an inventory exits 1" test $? -eq 1
check "... naming it with its line" grep -q "ranges.json:1: not describe-instances or describe-network-interfaces output" "$T/g.err"
check "--help lists --inventory" sh -c "'$COALMINE' scan --help | grep -q -- '--inventory FILE'"

# A shared VPC: its creator ($ACCT) logs the queries (account_id), the instance is a
# participant's (its reservation's OwnerId). The DNS finding is the participant's and
# vpcOwnerAccountId names the creator; before 2026-12-04 it went to the creator.
PART=444455556666
SD="$T/shared/AWSLogs/$ACCT/vpcdnsquerylogs/vpc-0c7/2026/01/05"
mkdir -p "$SD"
Q='"query_timestamp":"2026-01-05T10:00:00Z","query_name":"evil-updates.net.","query_type":"A"'
Q="$Q"',"query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.3.30","srcport":"53000"'
Q="$Q"',"transport":"UDP","srcids":{"instance":"i-0530000000000003"}'
printf '{"version":"1.100000","account_id":"%s","region":"eu-west-1","vpc_id":"vpc-0c7",%s}\n' \
    "$ACCT" "$Q" >"$SD/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log"
cat >"$T/shared-inv.json" <<EOF
{"Reservations": [{"OwnerId": "$PART", "Instances": [{"InstanceId": "i-0530000000000003",
  "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0530000000000003", "OwnerId": "$PART",
    "VpcId": "vpc-0c7", "PrivateIpAddress": "10.0.3.30"}]}]}]}
EOF
printf 'evil-updates.net\n' >"$T/names.txt"
shared() { # OUT [options]
    o=$1
    shift
    "$COALMINE" scan --no-default-intel --threat-list "my-names=$T/names.txt" --format json "$@" \
        "$T/shared" >"$o" 2>"$o.err"
}
shared "$T/s.json" --inventory "$T/shared-inv.json"
check "shared VPC: one DNS finding" test "$(wc -l <"$T/s.json")" -eq 1
check "... in the instance's account (the inventory's OwnerId)" \
    test "$(jq -r .accountId "$T/s.json")" = $PART
check "... the VPC's creator is vpcOwnerAccountId" \
    test "$(jq -r .service.action.dnsRequestAction.vpcOwnerAccountId "$T/s.json")" = $ACCT
shared "$T/s2.json"
check "... without the inventory: the record's account" \
    test "$(jq -r .accountId "$T/s2.json")" = $ACCT

# A record that names no instance (srcids trimmed by a shipper, or "srcids":{}) is the
# inventory's instance at its (vpc_id, srcaddr): the same name on the list gives the same
# finding on i-0530...; without the inventory nothing is judged and --stats counts it.
# Before 2026-12-04 such records were never judged, inventory or not.
ND="$T/nosrc/AWSLogs/$ACCT/vpcdnsquerylogs/vpc-0c7/2026/01/05"
mkdir -p "$ND"
sed 's/"srcids":{"instance":"i-0530000000000003"}/"srcids":{}/' \
    "$SD/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log" \
    >"$ND/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log"
nosrc() { # OUT [options]
    o=$1
    shift
    "$COALMINE" scan --no-default-intel --threat-list "my-names=$T/names.txt" --format json \
        --stats "$o.stats" "$@" "$T/nosrc" >"$o" 2>"$o.err"
}
nosrc "$T/n.json" --inventory "$T/shared-inv.json"
check "no srcids.instance: the inventory's instance at (vpc_id, srcaddr) is judged" \
    test "$(jq -r .resource.instanceDetails.instanceId "$T/n.json")" = i-0530000000000003
check "... the same finding as the record that names it" \
    test "$(jq -r .id "$T/n.json")" = "$(jq -r .id "$T/s.json")"
check "... --stats counts it as named by the inventory" \
    test "$(jq -c .dns_instance "$T/n.json.stats")" = '{"logged":0,"inventory":1,"resolver_endpoint":0,"unattributed":0}'
nosrc "$T/n2.json"
check "... without the inventory: no finding" test ! -s "$T/n2.json"
check "... and --stats counts it as unattributed" \
    test "$(jq -c .dns_instance "$T/n2.json.stats")" = '{"logged":0,"inventory":0,"resolver_endpoint":0,"unattributed":1}'
check "... which the summary says" grep -q "1 not attributable to an instance" "$T/n2.json.err"
sed 's/"srcids":{}/"srcids":{"resolver_endpoint":"rslvr-in-0a1b2c3d4e5f60718","resolver_network_interface":"rni-0a1b2c3d4e5f60718"}/' \
    "$ND/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log" >"$T/ep.log"
mv "$T/ep.log" "$ND/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log"
nosrc "$T/n3.json" --inventory "$T/shared-inv.json"
check "an inbound endpoint's client at an instance's address is not that instance" test ! -s "$T/n3.json"
check "... --stats counts it as through an endpoint" \
    test "$(jq -c .dns_instance "$T/n3.json.stats")" = '{"logged":0,"inventory":0,"resolver_endpoint":1,"unattributed":0}'

# A floating ENI (an HA pair's) moved from i-0a1 to i-0b2 at 11:00: the 10:00 flow to a
# listed address names i-0a1, which had it then (the inventory file, taken before the
# move); a flow after the move names i-0b2. Before 2026-12-05 both named i-0b2.
MV="$T/move/AWSLogs/$ACCT"
mkdir -p "$MV/vpcflowlogs/eu-west-1/2026/01/05" "$MV/CloudTrail/eu-west-1/2026/01/05"
movescan() { # OUT START
    printf '%s\n' "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status" \
        "2 $ACCT eni-0f1a000000000001 10.0.5.99 81.2.69.160 49152 443 6 10 840 $2 $(($2 + 60)) ACCEPT OK" \
        >"$MV/vpcflowlogs/eu-west-1/2026/01/05/${ACCT}_vpcflowlogs_eu-west-1_fl-0a1_20260105T1000Z_0f1a0f1a.log"
    "$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --format json \
        --inventory "$T/move-inv.json" "$T/move" >"$1" 2>"$1.err"
}
cat >"$T/move-inv.json" <<EOF
{"Reservations": [{"OwnerId": "$ACCT", "Instances": [
 {"InstanceId": "i-0a1", "LaunchTime": "2026-01-01T00:00:00+00:00", "NetworkInterfaces": [
  {"NetworkInterfaceId": "eni-0f1a000000000001", "VpcId": "vpc-0c7", "PrivateIpAddress": "10.0.5.99",
   "Attachment": {"DeviceIndex": 1, "AttachTime": "2026-01-01T00:00:00+00:00"}}]},
 {"InstanceId": "i-0b2", "LaunchTime": "2026-01-01T00:00:00+00:00", "NetworkInterfaces": [
  {"NetworkInterfaceId": "eni-0b20000000000001", "VpcId": "vpc-0c7", "PrivateIpAddress": "10.0.5.20"}]}]}]}
EOF
printf '{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAOPS","arn":"arn:aws:iam::%s:user/ops","accountId":"%s","userName":"ops"},"eventTime":"2026-01-05T11:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"AttachNetworkInterface","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","requestParameters":{"networkInterfaceId":"eni-0f1a000000000001","instanceId":"i-0b2","deviceIndex":1},"responseElements":{"requestId":"r1","attachmentId":"eni-attach-0f1a"},"eventID":"0f1a0000-0000-0000-0000-000000000001","eventType":"AwsApiCall","recipientAccountId":"%s"}]}\n' \
    "$ACCT" "$ACCT" "$ACCT" >"$MV/CloudTrail/eu-west-1/2026/01/05/${ACCT}_CloudTrail_eu-west-1_20260105T1100Z_0f1a0f1a.json"
movescan "$T/mv1.json" 1767607200
check "a moved ENI's flow before the move names the instance that had it then" \
    test "$(jq -r .resource.instanceDetails.instanceId "$T/mv1.json")" = i-0a1
movescan "$T/mv2.json" 1767614400
check "... a flow after the move names the instance that has it" \
    test "$(jq -r .resource.instanceDetails.instanceId "$T/mv2.json")" = i-0b2

# The EKS VPC CNI gives a node's interface its pods' addresses after the launch
# (AssignPrivateIpAddresses). With CloudTrail alone (the 09:00 RunInstances above, then an
# assignment at 09:30), a pod's 10:00 query without srcids is the node's. Before 2026-12-05
# the call was not read and the query was not judged.
AS="$T/assign/AWSLogs/$ACCT"
mkdir -p "$AS/CloudTrail/eu-west-1/2026/01/05" "$AS/vpcdnsquerylogs/vpc-0c7/2026/01/05"
cp "$CD/${ACCT}_CloudTrail_eu-west-1_20260105T0900Z_abcd.json" "$AS/CloudTrail/eu-west-1/2026/01/05/"
cat >"$AS/CloudTrail/eu-west-1/2026/01/05/${ACCT}_CloudTrail_eu-west-1_20260105T0930Z_a551.json" <<EOF
{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROACNI:i-0c70000000000001","arn":"arn:aws:sts::$ACCT:assumed-role/eks-node/i-0c70000000000001","accountId":"$ACCT"},
 "eventTime":"2026-01-05T09:30:00Z","eventSource":"ec2.amazonaws.com","eventName":"AssignPrivateIpAddresses","awsRegion":"eu-west-1","sourceIPAddress":"10.0.1.10","userAgent":"amazon-vpc-cni-k8s","eventID":"asg-1","eventType":"AwsApiCall","recipientAccountId":"$ACCT",
 "requestParameters":{"networkInterfaceId":"eni-0c70000000000001","secondaryPrivateIpAddressCount":2},
 "responseElements":{"requestId":"r9","networkInterfaceId":"eni-0c70000000000001","assignedPrivateIpAddressesSet":{"item":[{"privateIpAddress":"10.0.1.77"},{"privateIpAddress":"10.0.1.78"}]},"_return":true}}]}
EOF
sed -e 's/"srcaddr":"10.0.3.30"/"srcaddr":"10.0.1.77"/' -e 's/"srcids":{"instance":"i-0530000000000003"}/"srcids":{}/' \
    "$SD/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log" \
    >"$AS/vpcdnsquerylogs/vpc-0c7/2026/01/05/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log"
"$COALMINE" scan --no-default-intel --threat-list "my-names=$T/names.txt" --format json --threads 1 \
    "$T/assign" >"$T/as1.json" 2>"$T/as1.err"
check "a pod's query at an address AssignPrivateIpAddresses gave the node's interface is the node's" \
    test "$(jq -r 'select(.type | endswith("!DNS") or startswith("Impact")) | .resource.instanceDetails.instanceId' "$T/as1.json")" = i-0c70000000000001

# An EKS node with prefix delegation: its pods' addresses are in a /28 its interface
# carries (Ipv4Prefixes), no interface's own address. A pod's query without srcids is the
# node's; an address outside the prefix is nobody's. Before 2026-12-05 the prefix was not
# read and the pod's query was not judged.
PD="$T/pod/AWSLogs/$ACCT/vpcdnsquerylogs/vpc-0c7/2026/01/05"
mkdir -p "$PD"
sed 's/"srcaddr":"10.0.3.30"/"srcaddr":"10.0.9.37"/' \
    "$SD/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log" |
    sed 's/"srcids":{"instance":"i-0530000000000003"}/"srcids":{}/' \
        >"$PD/vpc-0c7_vpcdnsquerylogs_${ACCT}_20260105T1000Z_0a1b2c3d.log"
cat >"$T/eks-inv.json" <<EOF
{"Reservations": [{"OwnerId": "$ACCT", "Instances": [{"InstanceId": "i-0e1c000000000001",
  "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0e1c000000000001", "VpcId": "vpc-0c7",
    "PrivateIpAddress": "10.0.9.10", "Ipv4Prefixes": [{"Ipv4Prefix": "10.0.9.32/28"}]}]}]}]}
EOF
pod() { # OUT INVENTORY
    "$COALMINE" scan --no-default-intel --threat-list "my-names=$T/names.txt" --format json \
        --stats "$1.stats" --inventory "$2" "$T/pod" >"$1" 2>"$1.err"
}
pod "$T/p1.json" "$T/eks-inv.json"
check "a pod's query (delegated prefix, no srcids) is its node's" \
    test "$(jq -r .resource.instanceDetails.instanceId "$T/p1.json")" = i-0e1c000000000001
check "... --stats counts it as named by the inventory" \
    test "$(jq -c .dns_instance "$T/p1.json.stats")" = '{"logged":0,"inventory":1,"resolver_endpoint":0,"unattributed":0}'
sed 's#10.0.9.32/28#10.0.9.48/28#' "$T/eks-inv.json" >"$T/eks-inv2.json"
pod "$T/p2.json" "$T/eks-inv2.json"
check "... an address outside the node's prefixes: no finding" test ! -s "$T/p2.json"

# A DNS tunnel (coalmine gen's dns-exfil-tester) in records that carry only srcaddr: with an
# inventory that binds the tunnel's address in its VPC, the tunnel is found on its instance,
# as when the records name it, with one thread and two; near misses name no instance.
G="$T/tun"
"$COALMINE" gen --out "$G" --hours 2 --scenario dns-exfil-tester --accounts 1 --regions 1 \
    --instances 8 --principals 4 --kinds dns >/dev/null 2>&1
TI=$(awk -F'\t' '$1 == "dns-exfil-tester" { print $3 }' "$G/intel/scenarios.tsv")
TN=$(awk -F'\t' '$1 == "dns-exfil-tester" { print $6 }' "$G/intel/scenarios.tsv")
find "$G/AWSLogs" -name '*.gz' -exec zcat {} + 2>/dev/null | grep "\"instance\":\"$TI\"" |
    head -n 1 >"$T/tun1.json"
TA=$(jq -r .srcaddr "$T/tun1.json")
TV=$(jq -r .vpc_id "$T/tun1.json")
# Every Resolver record without srcids, as a trimming shipper leaves them.
find "$G/AWSLogs" -name '*.gz' | while read -r f; do
    zcat "$f" | sed 's/,"srcids":{[^}]*}//' | gzip -c >"$f.new" && mv "$f.new" "$f"
done
tinv() { # FILE VPC ADDR LAUNCH
    printf '{"Reservations":[{"Instances":[{"InstanceId":"%s","LaunchTime":"%s","NetworkInterfaces":[{"NetworkInterfaceId":"eni-0770000000000007","VpcId":"%s","PrivateIpAddress":"%s"}]}]}]}\n' \
        "$TI" "$4" "$2" "$3" >"$1"
}
tinv "$T/tinv.json" "$TV" "$TA" 2025-12-01T00:00:00+00:00
tscan() { # OUT [options]
    o=$1
    shift
    "$COALMINE" scan --no-default-intel --format json --stats "$o.stats" "$@" "$G/AWSLogs" \
        >"$o" 2>"$o.err"
}
texf() { jq -r 'select(.type == "Trojan:EC2/DNSDataExfiltration") | .resource.instanceDetails.instanceId + " " + (.service.count | tostring)' "$1"; }
check "gen: the tunnel's instance, address and VPC" test -n "$TI" -a -n "$TA" -a -n "$TV"
check "... and no record names an instance any more" \
    sh -c "! find '$G/AWSLogs' -name '*.gz' -exec zcat {} + | grep -q srcids"
tscan "$T/t1.json" --inventory "$T/tinv.json" --threads 2
check "tunnel in srcaddr-only records + inventory: found on its instance, every query" \
    test "$(texf "$T/t1.json")" = "$TI $TN"
check "... --stats: the tunnel's queries named by the inventory, the rest unattributed" \
    test "$(jq '.dns_instance.logged == 0 and .dns_instance.inventory > 0 and .dns_instance.unattributed > 0 and .dns_instance.inventory + .dns_instance.unattributed == .records.dns' "$T/t1.json.stats")" = true
check "... no finding on any other instance" \
    test "$(jq -r .resource.instanceDetails.instanceId "$T/t1.json" | sort -u)" = "$TI"
tscan "$T/t2.json" --inventory "$T/tinv.json" --threads 1
check "... the same with one thread" test "$(texf "$T/t2.json")" = "$TI $TN"
tscan "$T/t3.json" --threads 2
check "... without the inventory: no finding" test ! -s "$T/t3.json"
tinv "$T/tinv-vpc.json" vpc-0ffffffffffffffff "$TA" 2025-12-01T00:00:00+00:00
tscan "$T/t4.json" --inventory "$T/tinv-vpc.json"
check "near miss: the address in another VPC names no instance" test ! -s "$T/t4.json"
tinv "$T/tinv-addr.json" "$TV" 10.255.255.254 2025-12-01T00:00:00+00:00
tscan "$T/t5.json" --inventory "$T/tinv-addr.json"
check "near miss: an address the inventory does not know names no instance" test ! -s "$T/t5.json"
tinv "$T/tinv-late.json" "$TV" "$TA" 2026-02-01T00:00:00+00:00
tscan "$T/t6.json" --inventory "$T/tinv-late.json"
check "near miss: an instance launched after the queries is not who asked them" test ! -s "$T/t6.json"

# Records without vpc_id either (a shipper that keeps only the query and srcaddr): the VPC is
# the one their delivery key names ("vpcdnsquerylogs/<vpc id>/", the object's name), so the
# tunnel is still found on its instance. Under a key that names no VPC they are unattributed.
# A record's own vpc_id wins over the key's. Before 2026-12-04 records without vpc_id were
# never attributed, whatever their key.
V="$T/novpc"
cp -R "$G" "$V"
find "$V/AWSLogs" -name '*.gz' | while read -r f; do
    zcat "$f" | sed 's/"vpc_id":"[^"]*",//' | gzip -c >"$f.new" && mv "$f.new" "$f"
done
check "gen: no record names its VPC any more" \
    sh -c "! find '$V/AWSLogs' -name '*.gz' -exec zcat {} + | grep -q vpc_id"
vscan() { # OUT DIR [options]
    o=$1
    d=$2
    shift 2
    "$COALMINE" scan --no-default-intel --format json --stats "$o.stats" "$@" "$d" >"$o" 2>"$o.err"
}
vscan "$T/v1.json" "$V/AWSLogs" --inventory "$T/tinv.json" --threads 2
check "tunnel in records without srcids or vpc_id + inventory: the key's VPC, found on its instance" \
    test "$(texf "$T/v1.json")" = "$TI $TN"
check "... the finding names the key's VPC" \
    test "$(jq -r 'select(.type == "Trojan:EC2/DNSDataExfiltration") | .resource.instanceDetails.networkInterfaces[0].vpcId' "$T/v1.json")" = "$TV"
check "... --stats counts the tunnel's queries as named by the inventory" \
    test "$(jq -c .dns_instance "$T/v1.json.stats")" = "$(jq -c .dns_instance "$T/t1.json.stats")"
mkdir -p "$T/flat"
find "$V/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | sort | awk '{ print NR, $0 }' |
    while read -r k f; do cp "$f" "$T/flat/queries-$k.log.gz"; done
vscan "$T/v2.json" "$T/flat" --inventory "$T/tinv.json" --threads 2
check "... the same records under a key that names no VPC: no finding" test ! -s "$T/v2.json"
check "... --stats counts every record as unattributed" \
    test "$(jq '.dns_instance.unattributed > 0 and .dns_instance.unattributed == .records.dns' "$T/v2.json.stats")" = true
O="$T/other/AWSLogs/1/vpcdnsquerylogs/vpc-0ffffffffffffffff/2026/01/05"
mkdir -p "$O"
find "$G/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | sort | while read -r f; do
    cp "$f" "$O/q-$(basename "$(dirname "$(dirname "$(dirname "$(dirname "$f")")")")")-$(basename "$f")"
done
vscan "$T/v3.json" "$T/other" --inventory "$T/tinv.json" --threads 2
check "... a record's own vpc_id wins over another VPC in its key" \
    test "$(texf "$T/v3.json")" = "$TI $TN"


# describe-network-interfaces: a NAT gateway's, a Lambda function's and an ALB's interface
# (InterfaceType "interface", Description "ELB app/...") forward traffic to the listed
# address, as does an instance's interface. With the file, the findings about the three
# service interfaces are dropped (GuardDuty's flow findings are about EC2 instances; before
# 2026-12-05 they were "EC2 instance eni-... talks to ..." with no instance) and the
# instance's interface is named by its Attachment.InstanceId; a NAT gateway the scan's
# CloudTrail made (CreateNatGateway) is dropped too. Without --inventory, all five stay.
ND="$T/nat/AWSLogs/$ACCT/vpcflowlogs/eu-west-1/2026/01/05"
mkdir -p "$ND"
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    echo "2 $ACCT eni-0aaa000000000001 10.0.0.50 81.2.69.160 40001 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0bbb000000000002 10.0.4.40 81.2.69.160 40002 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0ccc000000000003 10.0.5.50 81.2.69.160 40003 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0ddd000000000004 10.0.6.60 81.2.69.160 40004 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 $ACCT eni-0eee000000000005 10.0.7.70 81.2.69.160 40005 443 6 10 840 1767607200 1767607260 ACCEPT OK"
} >"$ND/${ACCT}_vpcflowlogs_eu-west-1_fl-0a1_20260105T1000Z_0b1b2c3d.log"
# A second NAT gateway, known from the scan's CloudTrail (CreateNatGateway) only.
NC="$T/nat/AWSLogs/$ACCT/CloudTrail/eu-west-1/2026/01/05"
mkdir -p "$NC"
cat >"$NC/${ACCT}_CloudTrail_eu-west-1_20260105T0800Z_abcd.json" <<EOF
{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAOPS","arn":"arn:aws:iam::$ACCT:user/ops","accountId":"$ACCT","userName":"ops"},
 "eventTime":"2026-01-05T08:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateNatGateway","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"nat-1","eventType":"AwsApiCall","recipientAccountId":"$ACCT",
 "requestParameters":{"CreateNatGatewayRequest":{"SubnetId":"subnet-0e"}},
 "responseElements":{"CreateNatGatewayResponse":{"natGateway":{"natGatewayId":"nat-0eee","vpcId":"vpc-0c7","subnetId":"subnet-0e",
  "natGatewayAddressSet":{"item":{"networkInterfaceId":"eni-0eee000000000005","privateIp":"10.0.7.70","publicIp":"203.0.113.70"}}}}}}]}
EOF
cat >"$T/nis.json" <<EOF
{"NetworkInterfaces": [
 {"NetworkInterfaceId": "eni-0aaa000000000001", "InterfaceType": "nat_gateway", "VpcId": "vpc-0c7",
  "SubnetId": "subnet-0a", "Description": "Interface for NAT Gateway nat-0aaa", "RequesterManaged": true,
  "RequesterId": "amazon-aws", "OwnerId": "$ACCT", "PrivateIpAddress": "10.0.0.50",
  "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.50", "Primary": true,
    "Association": {"PublicIp": "203.0.113.50"}}], "Ipv6Addresses": [],
  "Attachment": {"AttachmentId": "ela-attach-0aaa", "InstanceOwnerId": "amazon-aws", "Status": "attached"}},
 {"NetworkInterfaceId": "eni-0bbb000000000002", "InterfaceType": "lambda", "VpcId": "vpc-0c7",
  "Description": "AWS Lambda VPC ENI-worker-1", "RequesterManaged": true, "PrivateIpAddress": "10.0.4.40"},
 {"NetworkInterfaceId": "eni-0ccc000000000003", "InterfaceType": "interface", "VpcId": "vpc-0c7",
  "Description": "ELB app/web/50dc6c495c0c9188", "RequesterManaged": true, "PrivateIpAddress": "10.0.5.50",
  "Attachment": {"InstanceOwnerId": "amazon-elb", "Status": "attached"}},
 {"NetworkInterfaceId": "eni-0ddd000000000004", "InterfaceType": "interface", "VpcId": "vpc-0c7",
  "RequesterManaged": false, "PrivateIpAddress": "10.0.6.60", "OwnerId": "$ACCT",
  "Groups": [{"GroupId": "sg-0dd", "GroupName": "workers"}],
  "Attachment": {"InstanceId": "i-0ddd000000000004", "DeviceIndex": 0, "AttachTime": "2026-01-01T00:00:00+00:00"}}
]}
EOF
nat() { # OUT [options]
    o=$1
    shift
    "$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/mine.txt" --format json "$@" \
        "$T/nat" >"$o" 2>"$o.err"
}
nat "$T/n1.json"
check "network interfaces without --inventory: five findings, none names an instance" \
    test "$(jq -r '.resource.instanceDetails.instanceId // "none"' "$T/n1.json" | sort | uniq -c | tr -s ' ')" = " 5 none"
nat "$T/n2.json" --inventory "$T/nis.json" --threads 2
check "with describe-network-interfaces: only the instance's interface has a finding" \
    test "$(jq -r '.resource.instanceDetails.networkInterfaces[0].networkInterfaceId' "$T/n2.json")" = eni-0ddd000000000004
check "... named by its Attachment.InstanceId, with its group" \
    test "$(jq -r '.resource.instanceDetails | .instanceId + " " + .networkInterfaces[0].securityGroups[0].groupName' "$T/n2.json")" = "i-0ddd000000000004 workers"
check "... the summary counts the four dropped (CloudTrail's NAT gateway too)" grep -q "instances: 4 findings dropped" "$T/n2.json.err"
check "... and the interfaces read" grep -q "inventory: 4 network interfaces from .*nis.json" "$T/n2.json.err"
nat "$T/n3.json" --inventory "$T/nis.json" --inventory "$T/inventory.json" --threads 1
check "... the same with one thread and a describe-instances file too" \
    test "$(jq -r .id "$T/n3.json")" = "$(jq -r .id "$T/n2.json")"
jq -c '.NetworkInterfaces' "$T/nis.json" >"$T/nis-query.json"
nat "$T/n4.json" --inventory "$T/nis-query.json"
check "... and from --query 'NetworkInterfaces[]' output" \
    test "$(jq -r .id "$T/n4.json")" = "$(jq -r .id "$T/n2.json")"

done_testing
