#!/bin/sh
# False alarms of the S3 data-event detectors (the S3 family of every CloudTrail
# detector, the S3 anomaly model, the S3 attack sequence) on a realistic benign
# estate that `coalmine gen` does not model: tests/e2e/lib/fp_s3.py writes three days of
# CloudTrail S3 data events of three accounts (nightly `aws s3 sync` and rclone from
# the datacentre, a weekly full backup of 30,000 objects; CloudTrail, flow-log and
# ELB log delivery; S3 replication, lifecycle, inventory; Athena, Glue, Redshift
# Spectrum, Macie and AWS Backup with their roles; CloudFront OAC; a public bucket
# read anonymously from thousands of addresses; presigned downloads signed by an
# instance role; presigned uploads by customers' apps; a weekly DeleteObjects cleanup
# from Lambda; a pipeline's temp objects
# and multipart uploads through the VPC endpoint; transient EMR clusters; a batch job
# in spoke VPCs through the network account's shared endpoint; an engineer's
# console exploration with AccessDenied; a partner account's daily reads; partners'
# SFTP sessions through AWS Transfer Family, a nightly DataSync task and, on the last
# day, a DataSync migration of a whole bucket, S3 Batch Operations re-encrypting a
# bucket and restoring an archive, AWS Backup's first full backup of a bucket, all
# with the service acting: invokedBy and its address; Spark jobs on EKS with IRSA,
# a session an hour per pod, through the NAT gateways of their nodes' zones). The last
# day holds what an estate does now and then (a bucket added to a job, a new download
# bucket, a cluster in the VPC's secondary CIDR...).
# Scanned with the default intel, and with --no-default-intel and a gen world's lists
# (its own AWS ranges and inventory left out: the estate's addresses are AWS's real
# ones). Near misses that still fire: the EMR cluster calling through another
# account's endpoint; the customers' uploads signed in the header; the DataSync task
# role's key reading a bucket from a VPS with the CLI. Prints TAP;
# skips without python3.
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"
GEN="$(dirname "$0")/lib/fp_s3.py"

if ! command -v python3 >/dev/null 2>&1; then
    skip "the benign S3 estate" "python3 not found"
    done_testing
    exit 0
fi

# $1: output json; the rest: scan options
scan() {
    out=$1
    shift
    "$COALMINE" scan -q --format json "$@" >"$out" 2>"$out.err"
}
# Types of a finding file (a JSON object a line; empty: none), one a line, with the key's user and the
# bucket; "unreadable FILE" when it is not JSON
types() {
    python3 -c '
import json, sys
try:
    found = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
except (OSError, ValueError):
    print("unreadable", sys.argv[1])
    sys.exit(0)
for f in found:
    r = f.get("resource", {})
    b = (r.get("s3BucketDetails") or [{}])[0].get("name", "-")
    u = r.get("accessKeyDetails", {}).get("userName", "-")
    print(f["type"], u, b)' "$1"
}
# $1: finding file, $2: pattern of types (ERE): lines of such findings
family() { types "$1" | grep -E "$2|^unreadable" || true; }

if python3 "$GEN" --out "$T/e" --backup-objects 30000 --anon-reads 8000 >"$T/n" 2>"$T/gen.err"; then
    ok "the estate: $(cat "$T/n") records"
else
    nok "the estate" "$(cat "$T/gen.err")"
fi
check "the estate: over 100,000 records" test "$(cat "$T/n" 2>/dev/null || echo 0)" -gt 100000

# what the estate holds, so the quiet below means something
python3 - "$T/e" >"$T/facts" <<'EOF'
import collections, glob, gzip, json, sys
c = collections.Counter()
for f in glob.glob(sys.argv[1] + "/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"):
    for r in json.load(gzip.open(f, "rt"))["Records"]:
        u = r["userIdentity"]
        ip = r["sourceIPAddress"]
        if u.get("accountId") == "ANONYMOUS_PRINCIPAL":
            c["anonymous"] += 1
            c["anon_ip:" + ip] = 1
        if r.get("additionalEventData", {}).get("AuthenticationMethod") == "QueryString":
            c["presigned"] += 1
        if u.get("type") == "AWSService":
            c["service"] += 1
        if ip == "44.198.60.7":
            c["third_zone"] += 1
        if u.get("invokedBy"):
            c["invoked"] += 1
            c[u["invokedBy"].split(".")[0]] += 1
        if r["eventName"] == "DeleteObjects":
            c["deleteobjects"] += 1
        if r.get("errorCode") == "AccessDenied":
            c["denied"] += 1
        if ip.startswith("100.64.") and r.get("vpcEndpointId"):
            c["secondary"] += 1
        if r["eventName"] == "GetObject" and r["eventTime"][11:13] in ("02", "03", "04"):
            c["nightly_get"] += 1
        if u.get("type") == "AWSAccount" and u.get("accountId") not in ("ANONYMOUS_PRINCIPAL",):
            c["cross_account"] += 1
print("anonymous", c["anonymous"])
print("anon_ips", sum(1 for k in c if k.startswith("anon_ip:")))
for k in ("presigned", "service", "invoked", "deleteobjects", "denied", "secondary",
          "nightly_get", "cross_account", "transfer", "datasync", "batchoperations", "backup",
          "third_zone"):
    print(k, c[k])
EOF
fact() { awk -v k="$1" '$1 == k { print $2 }' "$T/facts"; }
check "the estate: anonymous reads from over 5,000 addresses" test "$(fact anon_ips)" -gt 5000
check "the estate: presigned downloads, services acting (AWSService, invokedBy)" \
    test "$(fact presigned)" -gt 1000 -a "$(fact service)" -gt 5000 -a "$(fact invoked)" -gt 5000
check "the estate: DeleteObjects, AccessDenied, cross-account reads" \
    test "$(fact deleteobjects)" -gt 100 -a "$(fact denied)" -gt 5 -a "$(fact cross_account)" -gt 500
check "the estate: the nightly backup's burst, the cluster in the secondary CIDR" \
    test "$(fact nightly_get)" -gt 30000 -a "$(fact secondary)" -gt 1000
check "the estate: Transfer Family, DataSync, Batch Operations and AWS Backup in bulk" \
    test "$(fact transfer)" -gt 6000 -a "$(fact datasync)" -gt 12000 \
    -a "$(fact batchoperations)" -gt 9000 -a "$(fact backup)" -gt 10000
check "the estate: EKS Spark executors behind a third zone's NAT gateway on the last day" \
    test "$(fact third_zone)" -gt 1000

"$COALMINE" gen --out "$T/g" --hours 1 --seed 7 --scenario all --kinds cloudtrail >/dev/null 2>&1
grep -v -e '^--aws-ranges' -e '^--inventory' "$T/g/intel/args.txt" >"$T/args"
check "scan, default intel" scan "$T/d.json" "$T/e"
# shellcheck disable=SC2046
check "scan, --no-default-intel and a gen world's lists" \
    scan "$T/l.json" --no-default-intel $(cat "$T/args") "$T/e"

# The fix (2026-12-05): an identity's calls from a private address through a VPC
# endpoint are from one network, the endpoint's account's VPCs. Before, the EMR
# role's cluster in the VPC's secondary CIDR (100.64/16) reading a bucket the role
# had not read made Discovery and Exfiltration S3/AnomalousBehavior and their
# AttackSequence:S3/CompromisedData.
for s in d l; do
    got=$(family "$T/$s.json" 'S3/' | grep -E 'EMR_EC2_DefaultRole|^unreadable')
    check "the EMR cluster in the secondary CIDR, own endpoint ($s): no finding" test -z "$got"
done
# The fix (2026-12-05): the network of such calls is the endpoint's account, so an
# organisation's network account's shared endpoint too. Before, the feature store's
# batch role in a new spoke VPC (another /16) reading its new bucket made the same
# three findings.
for s in d l; do
    got=$(family "$T/$s.json" 'S3/' | grep -E 'feature-store-batch|^unreadable')
    check "a new spoke VPC through the network account's shared endpoint ($s): no finding" test -z "$got"
done

# The fix (2026-12-05): a presigned request (AuthenticationMethod QueryString) is
# the link holder's, not the signer's: the S3 model neither learns nor judges its
# network and client. Before, customers' apps uploading with the links the claims
# API (Lambda) signed for a new bucket made Impact:S3/AnomalousBehavior.Write.
for s in d l; do
    got=$(family "$T/$s.json" 'S3/' | grep -E 'claims-upload-api|^unreadable')
    check "presigned uploads of customers' apps to a new bucket ($s): no finding" test -z "$got"
done

# near misses, in a smaller estate: the EMR cluster through another account's
# endpoint; the claims uploads signed in the header (the key itself in the apps)
python3 "$GEN" --out "$T/n1" --backup-objects 3000 --anon-reads 1000 \
    --emr-endpoint-account 999988887777 --claims-auth AuthHeader --stolen-datasync >/dev/null 2>&1
scan "$T/n1.json" "$T/n1"
check "near miss: through another account's endpoint, Exfiltration:S3/AnomalousBehavior" \
    test "$(family "$T/n1.json" '^Exfiltration:S3/AnomalousBehavior EMR_EC2_DefaultRole acme-datalake-raw' | wc -l)" -eq 1
check "near miss: uploads signed in the header, Impact:S3/AnomalousBehavior.Write" \
    test "$(family "$T/n1.json" '^Impact:S3/AnomalousBehavior.Write claims-upload-api acme-claims-uploads' | wc -l)" -eq 1

check "near miss: the DataSync task role's key reading from a VPS, Exfiltration:S3/AnomalousBehavior" \
    test "$(family "$T/n1.json" '^Exfiltration:S3/AnomalousBehavior AWSDataSyncS3BucketAccess-acme-nfs acme-hr-docs' | wc -l)" -eq 1

# background of the realistic benign estate: no finding, per family
for s in d l; do
    for fam in 'Exfiltration:S3/' 'Discovery:S3/' 'Impact:S3/' 'PenTest:S3/' 'Stealth:S3/' \
        'UnauthorizedAccess:S3/' 'Policy:S3/' 'AttackSequence:S3/' 'UnauthorizedAccess:IAMUser/'; do
        got=$(family "$T/$s.json" "^$fam")
        if [ -z "$got" ]; then
            ok "background of the realistic benign estate ($s): no $fam finding"
        else
            nok "background of the realistic benign estate ($s): no $fam finding" "$got"
        fi
    done
    got=$(types "$T/$s.json")
    check "background of the realistic benign estate ($s): no finding at all" test -z "$got"
done
done_testing
