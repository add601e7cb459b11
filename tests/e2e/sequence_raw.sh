#!/bin/sh
# End-to-end tests of AttackSequence:S3/CompromisedData made of raw activity
# (lib/detect/ct_sequence_raw.c, docs/detectors/attack-sequence.md): the calls of
# GuardDuty's own tester (a role assumed, then ListUsers, ListRoles, ListBuckets,
# ListObjects, a ransom note written with PutObject, DeleteObject) make the sequence, with
# CLOUD_TRAIL and S3_DATA_EVENTS signals, where no finding names any of them; and the
# owner's jobs that list then delete or read (a cleanup job, a pipeline deleting its
# temporary objects, a backup tool, a Terraform destroy, `aws s3 sync --delete`, an admin
# who audits IAM then cleans a bucket, the root user doing so, the tester's calls without
# a note, or with the note hours after the listing) make none. Also: split in two --state scans, the same
# sequence; a state file of the previous version still loads. Prints TAP.
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"

if ! command -v python3 >/dev/null; then
    skip "attack sequences of raw activity" "no python3"
    done_testing
    exit 0
fi

# trail DIR: the hand-written CloudTrail of every case, one access key each, in two files
# (before and after 10:30) so that a scan can take them apart.
trail() {
    mkdir -p "$1/a/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02" \
        "$1/b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02"
    python3 - "$1" <<'PY'
import datetime, json, sys
acct = "111122223333"
t0 = datetime.datetime(2026, 3, 2, 10, 0, 0)
cli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-1014-aws exe/x86_64.amzn.2023"
recs = []
def rec(case, sec, src, name, params=None, data=False, ro=True, ua=cli, ip="54.210.10.20",
        err=None, root=False):
    key = "ASIA" + case.upper().ljust(16, "0")[:16]
    r = {"eventVersion": "1.09",
         "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE%s:%s" % (case, case),
                          "arn": "arn:aws:sts::%s:assumed-role/%s-role/%s" % (acct, case, case),
                          "accountId": acct, "accessKeyId": key,
                          "sessionContext": {"sessionIssuer": {
                              "type": "Role", "principalId": "AROAEXAMPLE" + case,
                              "arn": "arn:aws:iam::%s:role/%s-role" % (acct, case),
                              "accountId": acct, "userName": case + "-role"},
                              "attributes": {"creationDate": "2026-03-02T09:59:00Z",
                                             "mfaAuthenticated": "false"}}},
         "eventTime": (t0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "eventSource": src, "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": ip, "userAgent": ua, "requestParameters": params or {},
         "responseElements": None, "requestID": "req-%s-%d" % (case, len(recs)),
         "eventID": "ev-%s-%05d" % (case, len(recs)), "readOnly": ro,
         "eventType": "AwsApiCall", "managementEvent": not data, "recipientAccountId": acct,
         "eventCategory": "Data" if data else "Management"}
    if err:
        r["errorCode"] = err
    if root:
        r["userIdentity"] = {"type": "Root", "principalId": acct, "accountId": acct,
                             "arn": "arn:aws:iam::%s:root" % acct, "accessKeyId": key}
    recs.append(r)
def obj(case, sec, name, bucket, k, ro=False, **kw):
    rec(case, sec, "s3.amazonaws.com", name,
        {"bucketName": bucket, "key": k, "Host": bucket + ".s3.amazonaws.com"}, True, ro, **kw)
def lst(case, sec, name, bucket, **kw):
    rec(case, sec, "s3.amazonaws.com", name, {"bucketName": bucket, "list-type": "2"}, True,
        **kw)
iam = lambda case, sec, name, **kw: rec(case, sec, "iam.amazonaws.com", name, **kw)
buckets = lambda case, sec, **kw: rec(case, sec, "s3.amazonaws.com", "ListBuckets", **kw)

# The tester (S3CompromisedData.sh): seconds apart.
iam("tester", 0, "ListUsers"); iam("tester", 2, "ListRoles"); buckets("tester", 4)
lst("tester", 6, "ListObjects", "attack-bucket")
obj("tester", 2000, "PutObject", "attack-bucket", "RANSOM_NOTE.txt")
obj("tester", 2002, "DeleteObject", "attack-bucket", "RANSOM_NOTE.txt")
# A cleanup job: lists the bucket, deletes old objects in bulk.
buckets("cleanup", 0, ua="Boto3/1.34.0 Python/3.11 Linux/5.10 Botocore/1.34.0")
for i in range(3):
    lst("cleanup", 10 + i, "ListObjectsV2", "logs-archive")
for i in range(5):
    obj("cleanup", 20 + i, "DeleteObjects", "logs-archive", "old/%d" % i)
# A pipeline: reads its temporary objects, then deletes them.
lst("pipeline", 0, "ListObjectsV2", "etl-scratch")
for i in range(50):
    obj("pipeline", 10 + i, "GetObject", "etl-scratch", "tmp/part-%d" % i, True)
for i in range(50):
    obj("pipeline", 100 + i, "DeleteObject", "etl-scratch", "tmp/part-%d" % i)
# A backup tool: every bucket, every object read.
buckets("backup", 0)
for i in range(2):
    lst("backup", 5 + i, "ListObjectsV2", "finance")
for i in range(200):
    obj("backup", 10 + i, "GetObject", "finance", "q/%d.csv" % i, True)
# A Terraform destroy: the role's policies listed, the role and a force_destroy bucket gone.
tf = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0"
for i, n in enumerate(["GetRole", "ListRolePolicies", "ListAttachedRolePolicies",
                       "ListInstanceProfilesForRole", "DeleteRole"]):
    iam("terraform", i, n, ua=tf)
lst("terraform", 10, "ListObjectVersions", "tf-demo", ua=tf)
obj("terraform", 11, "DeleteObjects", "tf-demo", "a", ua=tf)
rec("terraform", 12, "s3.amazonaws.com", "DeleteBucket", {"bucketName": "tf-demo"}, ro=False,
    ua=tf)
# aws s3 sync --delete: uploads (a README among them), deletes what is gone locally.
lst("sync", 0, "ListObjectsV2", "website")
for i, k in enumerate(["index.html", "README.md", "app.js", "style.css"]):
    obj("sync", 5 + i, "PutObject", "website", k)
for i in range(5):
    obj("sync", 20 + i, "DeleteObject", "website", "old-%d.html" % i)
# An admin audits IAM, then cleans a bucket by hand: every step but a suspicious property.
iam("admin", 0, "ListUsers"); iam("admin", 30, "ListRoles"); buckets("admin", 60)
lst("admin", 90, "ListObjectsV2", "team-share")
for i in range(3):
    obj("admin", 120 + i, "DeleteObject", "team-share", "draft-%d.docx" % i)
# The tester's calls with an object that is no note.
iam("nonote", 0, "ListUsers"); iam("nonote", 2, "ListRoles"); buckets("nonote", 4)
lst("nonote", 6, "ListObjects", "attack-bucket")
obj("nonote", 8, "PutObject", "attack-bucket", "report.txt")
obj("nonote", 10, "DeleteObject", "attack-bucket", "report.txt")
# The tester's listing, and its note three hours later: not one short sequence.
iam("late", 0, "ListUsers"); iam("late", 2, "ListRoles"); buckets("late", 4)
lst("late", 6, "ListObjects", "attack-bucket")
obj("late", 3 * 3600, "PutObject", "attack-bucket", "RANSOM_NOTE.txt")
obj("late", 3 * 3600 + 2, "DeleteObject", "attack-bucket", "RANSOM_NOTE.txt")
# A security audit tool's account dump, then a backup of 30 objects: no property.
iam("audit", 0, "GetAccountAuthorizationDetails"); buckets("audit", 5)
for i in range(30):
    obj("audit", 10 + i, "GetObject", "finance", "q/%d.csv" % i, True)
# Failed deletes after the listing, from a Kali CLI: the data call failed, so no data is
# touched (the PenTest findings still come).
kali = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.kali.2024"
iam("denied", 0, "ListUsers", ua=kali); iam("denied", 2, "ListRoles", ua=kali)
buckets("denied", 4, ua=kali)
for i in range(3):
    obj("denied", 8 + i, "DeleteObject", "finance", "q/%d.csv" % i, ua=kali, err="AccessDenied")
# The root user reviews IAM, then deletes three objects: root use is a Policy finding, how
# an owner works too, not a property.
iam("root", 0, "ListUsers", root=True); iam("root", 2, "ListRoles", root=True)
buckets("root", 4, root=True)
for i in range(3):
    obj("root", 8 + i, "DeleteObject", "finance", "q/%d.csv" % i, root=True)
# The same calls from a Kali CLI, whose deletes succeed: a property.
iam("kali", 0, "ListUsers", ua=kali); iam("kali", 2, "ListRoles", ua=kali)
buckets("kali", 4, ua=kali)
for i in range(3):
    obj("kali", 8 + i, "DeleteObject", "finance", "q/%d.csv" % i, ua=kali)
# The tester's calls, then the key's owner at work, listing users and buckets every 40
# minutes for four hours: the sequence is the hour's calls, not the owner's after it.
iam("owner", 0, "ListUsers"); iam("owner", 2, "ListRoles"); buckets("owner", 4)
lst("owner", 6, "ListObjects", "attack-bucket")
obj("owner", 2000, "PutObject", "attack-bucket", "RANSOM_NOTE.txt")
obj("owner", 2002, "DeleteObject", "attack-bucket", "RANSOM_NOTE.txt")
for i in range(1, 7):
    iam("owner", 2002 + 2400 * i, "ListUsers"); buckets("owner", 2004 + 2400 * i)
# A key that listed IAM users at 08:00 and buckets every 40 minutes since, then at 10:00
# makes the tester's calls: the 10:00 listing starts what the rule judges, not the 08:00 one.
iam("again", -7200, "ListUsers")
for i in range(1, 3):
    buckets("again", -7200 + 2400 * i)
iam("again", 0, "ListUsers"); iam("again", 2, "ListRoles"); buckets("again", 4)
lst("again", 6, "ListObjects", "attack-bucket")
obj("again", 2000, "PutObject", "attack-bucket", "RANSOM_NOTE.txt")
obj("again", 2002, "DeleteObject", "attack-bucket", "RANSOM_NOTE.txt")

recs.sort(key=lambda r: r["eventTime"])
half = t0 + datetime.timedelta(minutes=30)
parts = {"a": [], "b": []}
for r in recs:
    t = datetime.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    parts["a" if t < half else "b"].append(r)
for p, stamp in (("a", "1000"), ("b", "1030")):
    d = sys.argv[1] + "/%s/AWSLogs/%s/CloudTrail/us-east-1/2026/03/02/" % (p, acct)
    json.dump({"Records": parts[p]},
              open(d + acct + "_CloudTrail_us-east-1_20260302T%sZ_raw%s.json" % (stamp, p), "w"))
PY
}

# seqs FILE: one line per attack sequence: type, key, resource, count, then each signal as
# type:name:count, in order.
seqs() {
    python3 - "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    f = json.loads(l)
    if not f["type"].startswith("AttackSequence:"):
        continue
    q = f["service"]["detection"]["sequence"]
    print(f["type"], q["actors"][0]["id"], q["resources"][0]["uid"], f["service"]["count"],
          " ".join("%s:%s:%d" % (g["type"], g["name"], g["count"]) for g in q["signals"]))
PY
}

trail "$T/c"
"$COALMINE" scan --no-default-intel --quiet --format json "$T/c/a/AWSLogs" "$T/c/b/AWSLogs" \
    >"$T/one.json" 2>"$T/one.err"
check "scan exits 0" test $? -eq 0
seqs "$T/one.json" >"$T/one.seq"
got=$(grep -c . "$T/one.seq")
check "four sequences, the tester's, the Kali CLI's, the owner's and the again key's ($got: $(cut -d' ' -f1-4 "$T/one.seq" | tr '\n' ';'))" \
    test "$got" -eq 4
got=$(grep ASIATESTER "$T/one.seq")
want="AttackSequence:S3/CompromisedData ASIATESTER0000000000 attack-bucket 6 CLOUD_TRAIL:ListUsers:1 CLOUD_TRAIL:ListRoles:1 CLOUD_TRAIL:ListBuckets:1 S3_DATA_EVENTS:ListObjects:1 S3_DATA_EVENTS:PutObject:1 S3_DATA_EVENTS:DeleteObject:1"
check "the tester's calls: the S3 sequence on its bucket, its 6 records, a signal of each call ($got)" \
    test "$got" = "$want"
got=$(grep -c "ASIAKALI" "$T/one.seq")
check "the Kali CLI's listing and deletes: the S3 sequence ($got)" test "$got" -eq 1
# An episode of the rule is the hour from a key's first call followed: before 2026-12-05
# a key kept alive by a call an hour kept its first episode for good, so the owner's calls
# of the next four hours joined the sequence (18 records, last seen 14:33:24), and the
# key that had listed users at 08:00 made no sequence at 10:00 (its data calls were more
# than an hour after 08:00).
got=$(grep ASIAOWNER "$T/one.seq" | cut -d' ' -f1-4)
check "the owner's later calls are not the sequence's: its 6 records ($got)" \
    test "$got" = "AttackSequence:S3/CompromisedData ASIAOWNER00000000000 attack-bucket 6"
got=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["type"] == "AttackSequence:S3/CompromisedData" and "ASIAOWNER" in l:
        print(f["service"]["eventLastSeen"])' "$T/one.json")
check "... last seen at the delete, 10:33:22 ($got)" test "$got" = "2026-03-02T10:33:22.000Z"
got=$(grep ASIAAGAIN "$T/one.seq" | cut -d' ' -f1-4)
check "the key that listed users two hours before: the tester's sequence, 6 records ($got)" \
    test "$got" = "AttackSequence:S3/CompromisedData ASIAAGAIN00000000000 attack-bucket 6"
for k in CLEANUP PIPELINE BACKUP TERRAFORM SYNC ADMIN NONOTE LATE AUDIT DENIED ROOT; do
    got=$(grep -c "ASIA$k" "$T/one.seq")
    check "near miss $k: no sequence ($got)" test "$got" -eq 0
done
got=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["type"] != "AttackSequence:S3/CompromisedData" or "ASIATESTER" not in l:
        continue
    q = f["service"]["detection"]["sequence"]
    sig = {g["name"]: g for g in q["signals"]}
    d = sig["DeleteObject"]
    ind = {i["key"]: i["values"] for i in d["signalIndicators"]}
    seqind = {i["key"]: i["values"] for i in q["sequenceIndicators"]}
    print(d["resourceUids"], d["endpointIds"], ind.get("ATTACK_TACTIC"), ind.get("HIGH_RISK_API"),
          ind.get("ATTACK_TECHNIQUE"), seqind.get("ATTACK_TACTIC"), seqind.get("HIGH_RISK_API"),
          [e["ip"] for e in q["endpoints"]], q["actors"][0]["session"]["mfaStatus"],
          f["service"]["eventFirstSeen"], f["service"]["eventLastSeen"], f["severity"])' "$T/one.json")
want="['attack-bucket'] ['54.210.10.20'] ['Impact'] ['DeleteObject'] ['T1485'] ['Discovery', 'Impact'] ['PutObject', 'DeleteObject'] ['54.210.10.20'] DISABLED 2026-03-02T10:00:00.000Z 2026-03-02T10:33:22.000Z 9"
check "its DeleteObject signal: bucket, caller, Impact, HIGH_RISK_API, T1485; the sequence's tactics and times ($got)" \
    test "$got" = "$want"
got=$(python3 "$(dirname "$0")/lib/seq_members.py" "$T/one.json" | sort | uniq -c | tr -s ' ')
check "seq_members.py: raw signals need no finding, the Kali one's are the scan's ($got)" \
    test "$got" = " 4 AttackSequence:S3/CompromisedData ok"

# Two scans with --state, cut at 10:30 (the tester's listing in the first, its note and
# delete in the second): the same sequences.
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/st" "$T/c/a/AWSLogs" \
    >"$T/s1.json" 2>"$T/s1.err" &&
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/st" \
        "$T/c/b/AWSLogs" >"$T/s2.json" 2>"$T/s2.err"
check "two --state scans exit 0" test $? -eq 0
cat "$T/s1.json" "$T/s2.json" >"$T/two.json"
seqs "$T/two.json" | grep ASIATESTER >"$T/two.seq"
check "... the tester's sequence of the second is the one scan's ($(cat "$T/two.seq"))" \
    test -s "$T/two.seq" -a "$(cat "$T/two.seq")" = "$(grep ASIATESTER "$T/one.seq")"

# The same two files in two --state scans, the later one first (delivered before the
# listing's): the tester's note opens its key's calls, so its sequence still comes. The
# owner's does not: its later file holds four hours of calls, and the key's calls more
# than an hour after the note end the note's episode before the listing is read (the
# again key's listing at 08:00 is more than an hour before its note, as in one scan).
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/rst" "$T/c/b/AWSLogs" \
    >"$T/r1.json" 2>"$T/r1.err" &&
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/rst" \
        "$T/c/a/AWSLogs" >"$T/r2.json" 2>"$T/r2.err"
check "two --state scans, the later file first, exit 0" test $? -eq 0
cat "$T/r1.json" "$T/r2.json" >"$T/rev.json"
got=$(seqs "$T/rev.json" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
check "... the tester's sequence and the Kali CLI's, no near miss's ($got)" \
    test "$got" = "ASIAKALI000000000000 ASIATESTER0000000000 "

# Raw signals take no finding's place. A stolen key of `gen --seed 41` has more finding types
# than a key keeps signals, and the raw rule's calls are newer than most; when they took the
# findings' slots, the IAM sequence (which reads findings only) lost PenTest:S3/KaliLinux's
# first day: the next day's scan listed it with count 9, first seen 2026-01-06T00:23:20, where
# before raw signals, and now, it counts both days' 18 from 2026-01-05T00:23:20.
"$COALMINE" gen --out "$T/g1" --hours 2 --seed 41 --scenario all --kinds cloudtrail \
    >/dev/null 2>&1 &&
    "$COALMINE" gen --out "$T/g2" --hours 1 --seed 41 --scenario all --kinds cloudtrail \
        --start 2026-01-06T00:00Z >/dev/null 2>&1
check "gen: two days of seed 41's CloudTrail" test $? -eq 0
# shellcheck disable=SC2046 # args.txt holds options and values
"$COALMINE" scan --no-default-intel --quiet --format json $(cat "$T/g1/intel/args.txt") \
    "$T/g1/AWSLogs" "$T/g2/AWSLogs" >"$T/g.json" 2>"$T/g.err"
check "scan of both days exits 0" test $? -eq 0
got=$(python3 -c '
import datetime, json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["type"] == "AttackSequence:IAM/CompromisedCredentials":
        for g in f["service"]["detection"]["sequence"]["signals"]:
            if g["name"] == "PenTest:S3/KaliLinux":
                t = datetime.datetime.fromtimestamp(g["firstSeenAt"], datetime.timezone.utc)
                print(g["count"], t.strftime("%Y-%m-%dT%H:%M:%S.000Z"))' "$T/g.json")
check "the IAM sequence's PenTest:S3/KaliLinux signal keeps both days ($got)" \
    test "$got" = "18 2026-01-05T00:23:20.000Z"

done_testing
