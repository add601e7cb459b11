#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# The GuardDuty API's write operations and lists with real clients: the aws CLI
# (and boto3 when installed) against `coalmine serve` on 127.0.0.1 (a free port),
# unsigned (no credentials configured: loopback only). Sample findings appear
# in list-findings; archive/unarchive change what a service.archived criterion
# lists; feedback shows in get-findings (Service.UserFeedback); filters round
# trip and an ARCHIVE filter archives the matching findings of the next
# `coalmine scan` into the same store; a ThreatIntelSet created by the API from
# an http:// location (a local python3 http.server) makes the next scan find a
# listed address, and an IPSet (trusted) silences another; errors arrive as
# the codes botocore reads. Skips cleanly when the aws CLI or python3 is
# missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/boto3.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
    skip "GuardDuty write operations with the aws CLI" "aws CLI, python3 or jq not installed"
    done_testing
    exit 0
fi

DB="$T/store.db"
# aws CLI v1 fetches a parameter that is an http(s) URL and sends its content instead
# (cli_follow_urlparam), except for the parameters it knows: the entity sets' --location
# is not among them. A location is a location: turn that off.
printf '[default]\ncli_follow_urlparam = false\n' >"$T/aws-config"
export COALMINE_INTEL_DIR="$T/intel-dir" AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
    AWS_SECRET_ACCESS_KEY=example AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= \
    AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null

"$COALMINE" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/serve.err" &
SERVE=$!
# A web server for the lists' http:// locations.
python3 - "$T/www" "$T/wport" <<'PY' 2>"$T/www.err" &
import functools, http.server, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PY
WWW=$!
trap 'kill $SERVE $WWW 2>/dev/null; wait $SERVE $WWW 2>/dev/null; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
wait_until test -s "$T/port"
wait_until test -s "$T/wport"
if [ ! -s "$T/port" ] || [ ! -s "$T/wport" ]; then
    nok "coalmine serve and the web server start" "$(cat "$T/serve.err" "$T/www.err")"
    done_testing
    exit 0
fi
ok "coalmine serve listens on a free port"
EP="http://127.0.0.1:$(cat "$T/port")"
WEB="http://127.0.0.1:$(cat "$T/wport")"
gd() { aws guardduty --endpoint-url "$EP" --output json "$@"; }

DET=$(gd list-detectors | jq -r '.DetectorIds[0]')
check "list-detectors names the detector" test -n "$DET" -a "$DET" != null

# --- sample findings, archive, feedback -----------------------------------------------------
gd create-sample-findings --detector-id "$DET" \
    --finding-types Recon:EC2/PortProbeUnprotectedPort UnauthorizedAccess:EC2/SSHBruteForce \
    >"$T/cs.json" 2>"$T/cs.err"
check "create-sample-findings succeeds" test $? -eq 0
gd list-findings --detector-id "$DET" >"$T/lf.json"
check "two sample findings are listed" test "$(jq '.FindingIds | length' "$T/lf.json")" -eq 2
ID=$(jq -r '.FindingIds[0]' "$T/lf.json")
gd get-findings --detector-id "$DET" --finding-ids "$ID" >"$T/gf.json"
check "a sample says so (additionalInfo sample true)" \
    test "$(jq -r '.Findings[0].Service.AdditionalInfo.Value | fromjson | .sample' "$T/gf.json")" = true

ARCH='{"Criterion":{"service.archived":{"Eq":["true"]}}}'
gd archive-findings --detector-id "$DET" --finding-ids "$ID" >/dev/null
check "archive-findings succeeds" test $? -eq 0
check "list-findings service.archived=true lists it" \
    test "$(gd list-findings --detector-id "$DET" --finding-criteria "$ARCH" | jq -c .FindingIds)" = "[\"$ID\"]"
gd unarchive-findings --detector-id "$DET" --finding-ids "$ID" >/dev/null
check "after unarchive-findings none is archived" \
    test "$(gd list-findings --detector-id "$DET" --finding-criteria "$ARCH" | jq '.FindingIds | length')" -eq 0
gd archive-findings --detector-id "$DET" --finding-ids 0123456789abcdef0123456789abcdef \
    >/dev/null 2>"$T/ae.err"
check "archiving an unknown id is BadRequestException naming it" \
    grep -q "BadRequestException.*0123456789abcdef0123456789abcdef" "$T/ae.err"

gd update-findings-feedback --detector-id "$DET" --finding-ids "$ID" --feedback USEFUL \
    --comments "confirmed with the owner" >/dev/null
check "update-findings-feedback succeeds" test $? -eq 0
check "get-findings shows Service.UserFeedback" \
    test "$(gd get-findings --detector-id "$DET" --finding-ids "$ID" | jq -r '.Findings[0].Service.UserFeedback')" = USEFUL
gd update-findings-feedback --detector-id "$DET" --finding-ids "$ID" --feedback MAYBE \
    >/dev/null 2>"$T/fe.err"
check "a bad feedback value is BadRequestException naming the member" \
    grep -q "BadRequestException.*feedback: must be USEFUL or NOT_USEFUL" "$T/fe.err"

# --- lists, filters and the next scan -------------------------------------------------------
# Flow logs of an instance beaconing to 81.2.69.160 (then .161): one directory per scan.
flow() { # dir, remote address, start second
    d="$T/logs/$1/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/01/05"
    mkdir -p "$d"
    {
        echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        echo "2 111122223333 eni-0a1 10.0.0.5 $2 49152 443 6 10 840 $3 $(($3 + 60)) ACCEPT OK"
    } >"$d/111122223333_vpcflowlogs_us-east-1_fl-0a1_20260105T0000Z_$1.log"
}
flow a 81.2.69.160 1767607200
flow b 81.2.69.160 1767607400
flow c 81.2.69.161 1767607600
printf '# threat addresses\n81.2.69.160\n81.2.69.161\n' >"$T/www/threats.txt"
printf '81.2.69.161\n' >"$T/www/trusted.txt"

TIS=$(gd create-threat-intel-set --detector-id "$DET" --name api-threats --format TXT \
    --location "$WEB/threats.txt" --activate | jq -r .ThreatIntelSetId)
check "create-threat-intel-set from an http:// location" test -n "$TIS" -a "$TIS" != null
gd get-threat-intel-set --detector-id "$DET" --threat-intel-set-id "$TIS" >"$T/tis.json"
check "get-threat-intel-set: ACTIVE, name, format, location" \
    test "$(jq -r '[.Status,.Name,.Format,.Location] | join(" ")' "$T/tis.json")" = \
    "ACTIVE api-threats TXT $WEB/threats.txt"
check "list-threat-intel-sets lists it" \
    test "$(gd list-threat-intel-sets --detector-id "$DET" | jq -r '.ThreatIntelSetIds[0]')" = "$TIS"

"$COALMINE" scan --db "$DB" --format json "$T/logs/a" >"$T/sa.json" 2>"$T/sa.err"
check "a scan into the store finds the listed address" \
    test "$(jq -r 'select(.type == "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom") | .service.evidence.threatIntelligenceDetails[0].threatListName' "$T/sa.json")" = api-threats
CUSTOM='{"Criterion":{"type":{"Eq":["UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"]}}}'
check "list-findings shows the new finding, not archived" \
    test "$(gd list-findings --detector-id "$DET" --finding-criteria "$CUSTOM" | jq '.FindingIds | length')" -eq 1

FC='{"Criterion":{"type":{"Eq":["UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"]},"severity":{"Gte":1}}}'
gd create-filter --detector-id "$DET" --name quiet-custom --action ARCHIVE --rank 1 \
    --description "lab addresses" --finding-criteria "$FC" --tags team=soc >"$T/cf.json"
check "create-filter answers the name" test "$(jq -r .Name "$T/cf.json")" = quiet-custom
gd get-filter --detector-id "$DET" --filter-name quiet-custom >"$T/gf2.json"
check "get-filter round trips action, rank, description and tags" \
    test "$(jq -r '[.Action, (.Rank|tostring), .Description, .Tags.team] | join(" ")' "$T/gf2.json")" = \
    "ARCHIVE 1 lab addresses soc"
check "get-filter answers the criteria in the REST form" \
    test "$(jq -c '.FindingCriteria.Criterion.type.Equals' "$T/gf2.json")" = \
    '["UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"]'
gd create-filter --detector-id "$DET" --name other-view --finding-criteria "$FC" >/dev/null
gd update-filter --detector-id "$DET" --filter-name other-view --rank 2 --action NOOP >/dev/null
check "list-filters in rank order" \
    test "$(gd list-filters --detector-id "$DET" | jq -c .FilterNames)" = '["quiet-custom","other-view"]'
gd delete-filter --detector-id "$DET" --filter-name other-view >/dev/null
gd get-filter --detector-id "$DET" --filter-name other-view >/dev/null 2>"$T/nf.err"
check "a deleted filter is BadRequestException, no such resource" \
    grep -q "BadRequestException.*no such resource found" "$T/nf.err"

"$COALMINE" scan --db "$DB" --format json "$T/logs/b" >"$T/sb.json" 2>"$T/sb.err"
check "the next scan's occurrence is archived by the ARCHIVE filter" \
    test "$(gd list-findings --detector-id "$DET" --finding-criteria "$(echo "$CUSTOM" | jq -c '.Criterion["service.archived"] = {"Eq":["true"]}')" | jq '.FindingIds | length')" -eq 1
check "and is not printed (suppressed)" test ! -s "$T/sb.json"
gd delete-filter --detector-id "$DET" --filter-name quiet-custom >/dev/null

IPS=$(gd create-ip-set --detector-id "$DET" --name lab-range --format TXT \
    --location "$WEB/trusted.txt" --activate | jq -r .IpSetId)
check "create-ip-set (a trusted list) ACTIVE" \
    test "$(gd get-ip-set --detector-id "$DET" --ip-set-id "$IPS" | jq -r .Status)" = ACTIVE
"$COALMINE" scan --db "$DB" --format json "$T/logs/c" >"$T/sc.json" 2>"$T/sc.err"
check "a trusted address of an IPSet makes no finding, though a threat list has it" \
    test ! -s "$T/sc.json"
gd update-threat-intel-set --detector-id "$DET" --threat-intel-set-id "$TIS" --no-activate >/dev/null
check "update-threat-intel-set --no-activate: INACTIVE" \
    test "$(gd get-threat-intel-set --detector-id "$DET" --threat-intel-set-id "$TIS" | jq -r .Status)" = INACTIVE

# Errors a user meets, as botocore reads them.
gd create-threat-entity-set --detector-id "$DET" --name from-s3 --format TXT \
    --location s3://bucket/list.txt --activate >/dev/null 2>"$T/s3.err"
check "an s3:// location is BadRequestException naming location" \
    grep -q "BadRequestException.*location: s3:// locations are not read" "$T/s3.err"
EID=$(gd create-threat-entity-set --detector-id "$DET" --name gone --format TXT \
    --location "$WEB/missing.txt" --activate | jq -r .ThreatEntitySetId)
gd get-threat-entity-set --detector-id "$DET" --threat-entity-set-id "$EID" >"$T/te.json"
check "a location that answers 404: ERROR with errorDetails" \
    test "$(jq -r '.Status + " " + (.ErrorDetails | test("HTTP status 404") | tostring)' "$T/te.json")" = "ERROR true"
gd get-ip-set --detector-id "$DET" --ip-set-id ffffffffffffffffffffffffffffffff >/dev/null 2>"$T/ni.err"
check "an unknown IPSet is BadRequestException" grep -q "BadRequestException" "$T/ni.err"
gd list-ip-sets --detector-id 00000000000000000000000000000000 >/dev/null 2>"$T/nd.err"
check "an unknown detector is BadRequestException (not owned)" \
    grep -q "BadRequestException.*not owned by the current account" "$T/nd.err"

# boto3: the paginators of the list operations.
if b3_have; then
    for k in 1 2 3; do
        gd create-trusted-entity-set --detector-id "$DET" --name "partner-$k" --format TXT \
            --location "$WEB/trusted.txt" --no-activate >/dev/null
    done
    b3_py - "$EP" "$DET" >"$T/b3.out" 2>"$T/b3.err" <<'PY'
import sys
from b3 import client
gd = client("guardduty", sys.argv[1], "AKIDEXAMPLE", "example")
ids = []
pages = 0
for page in gd.get_paginator("list_trusted_entity_sets").paginate(
        DetectorId=sys.argv[2], PaginationConfig={"PageSize": 2}):
    pages += 1
    ids += page["TrustedEntitySetIds"]
names = sorted(gd.get_trusted_entity_set(DetectorId=sys.argv[2], TrustedEntitySetId=i)["Name"]
               for i in ids)
print(pages, " ".join(names))
PY
    check "boto3 pages list_trusted_entity_sets (PageSize 2) over every set" \
        test "$(cat "$T/b3.out")" = "2 partner-1 partner-2 partner-3"
else
    skip "boto3 paginators" "boto3 not installed"
fi

kill $SERVE 2>/dev/null
wait $SERVE 2>/dev/null
done_testing
