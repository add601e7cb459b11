#!/bin/sh
# tsan: attack sequences merged across scan workers (--threads)
# End-to-end tests of where the attack sequences (lib/detect/ct_sequence.c,
# docs/detectors/attack-sequence.md) put what they say: GuardDuty's
# service.detection.sequence (spec 8.4), in every JSON form: the scan's output,
# the store's export (API form), the EventBridge event, filters and rule
# patterns on those paths, sample findings of both types, and, when botocore is
# installed, its GuardDuty model
# (a Sequence's uid, description and signals are required, and so on). The
# corpus is `gen --hours 6 --seed 3 --scenario all`, whose stolen key makes
# both sequences. Prints TAP.
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"

if ! command -v python3 >/dev/null; then
    skip "attack sequences in service.detection.sequence" "no python3"
    done_testing
    exit 0
fi

G="$T/g"
"$COALMINE" gen --out "$G" --hours 6 --seed 3 --scenario all >/dev/null 2>"$T/gen.err"
check "gen exits 0" test $? -eq 0
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --format json $(cat "$G/intel/args.txt") \
    "$G/AWSLogs" >"$T/scan.json" 2>"$T/scan.err"
check "scan --format json exits 0" test $? -eq 0
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --db "$T/db" $(cat "$G/intel/args.txt") \
    "$G/AWSLogs" >/dev/null 2>"$T/scan-db.err"
check "scan --db exits 0" test $? -eq 0
"$COALMINE" findings export --db "$T/db" >"$T/export.json" 2>"$T/export.err"
check "findings export exits 0" test $? -eq 0
"$COALMINE" findings list --db "$T/db" --format eventbridge >"$T/events.json" 2>"$T/ev.err"
check "findings list --format eventbridge exits 0" test $? -eq 0

# shape FILE: one line per attack sequence: its type, then "ok" or what is wrong with its
# service.detection.sequence (the event form's detail when the line is an event)
shape() {
    python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    f = json.loads(line)
    f = f.get("detail", f)
    if not f["type"].startswith("AttackSequence:"):
        continue
    s = f["service"]
    bad = []
    q = s.get("detection", {}).get("sequence")
    if not isinstance(q, dict):
        print(f["type"], "no service.detection.sequence")
        continue
    for k in ("uid", "description", "signals", "actors", "resources", "sequenceIndicators"):
        if not q.get(k):
            bad.append("no " + k)
    for g in q.get("signals", []):
        for k in ("uid", "type", "name", "createdAt", "updatedAt", "firstSeenAt", "lastSeenAt",
                  "count"):
            if k not in g:
                bad.append("a signal without " + k)
        if g.get("type") not in ("FINDING", "CLOUD_TRAIL", "S3_DATA_EVENTS"):
            bad.append("a signal of type %r" % g.get("type"))
    ind = q.get("sequenceIndicators") or [{}]
    if ind[0].get("key") != "ATTACK_TACTIC" or len(ind[0].get("values", [])) < 2:
        bad.append("indicators %r" % ind)
    r = f["resource"]
    key = r.get("accessKeyDetails", {}).get("accessKeyId")
    if [a.get("id") for a in q.get("actors", [])] != [key]:
        bad.append("actors %r, not the key %s" % (q.get("actors"), key))
    res = (q.get("resources") or [{}])[0]
    if f["type"] == "AttackSequence:S3/CompromisedData":
        want = ("S3_BUCKET", r.get("s3BucketDetails", [{}])[0].get("name"))
    else:
        want = ("ACCESS_KEY", key)
    if (res.get("resourceType"), res.get("uid")) != want:
        bad.append("resource %r, not %r" % (res, want))
    info = s.get("additionalInfo", {}).get("value", "{}")
    if "sequence" in json.loads(info):
        bad.append("a copy in additionalInfo")
    print(f["type"], "; ".join(sorted(set(bad))) or "ok")
PY
}
want="AttackSequence:IAM/CompromisedCredentials ok
AttackSequence:S3/CompromisedData ok"
for form in scan export events; do
    got=$(shape "$T/$form.json" | sort)
    if [ "$got" = "$want" ]; then
        ok "$form: both sequences carry service.detection.sequence, shaped as GuardDuty's"
    else
        nok "$form: both sequences carry service.detection.sequence, shaped as GuardDuty's" \
            "got: $(printf '%s' "$got" | tr '\n' '|')"
    fi
done

# --- signals are the findings the same scan printed ------------------------------------
# members FILE: one line per attack sequence: its type, then "ok" or what of its signals
# does not match the finding of the same file whose id is the signal's uid (lib/seq_members.py).
members() { python3 "$(dirname "$0")/lib/seq_members.py" "$1"; }
for form in scan export; do
    got=$(members "$T/$form.json" | sort)
    if [ "$got" = "$want" ]; then
        ok "$form: every signal is a finding of the scan (uid, severity, count, times)"
    else
        nok "$form: every signal is a finding of the scan (uid, severity, count, times)" \
            "got: $(printf '%s' "$got" | tr '\n' '|')"
    fi
done
# seq FILE: the sequences' service.detection.sequence, one a line, sorted.
seq() {
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["type"].startswith("AttackSequence:"):
        print(json.dumps(f["service"]["detection"]["sequence"], sort_keys=True))' "$1" | sort
}
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --threads 2 --format json \
    $(cat "$G/intel/args.txt") "$G/AWSLogs" >"$T/scan2.json" 2>"$T/scan2.err"
check "scan --threads 2: the same sequences, signals and all, as one thread" \
    test "$(seq "$T/scan2.json")" = "$(seq "$T/scan.json")"

# --- a hand-made theft: stolen keys used from a Tor exit node --------------------------
# GetCallerIdentity, ListUsers, ListRoles, ListBuckets, then 20 GetObject, a ransom note
# (PutObject) and 5 DeleteObject, all from one Tor exit node with a Kali CLI: the IAM
# sequence names bob as the key's user, the Tor address as its endpoint and a TOR_IP
# indicator, and its signals are the scan's findings. Since 2026-12-05 the calls themselves
# (ListUsers, ListRoles, ListBuckets, then the note and the deletes, with findings of the
# key) also make the S3 sequence (ct_sequence_raw.c; sequence_raw.sh): both name the five
# findings, which carry the lower ARN of the two.
mkdir -p "$T/hand/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02"
python3 - "$T/hand" <<'PY'
import datetime, json, sys
t0 = datetime.datetime(2026, 3, 2, 10, 0, 0)
key, acct, ip = "AKIAHANDMADE00000001", "111122223333", "185.220.101.47"
def rec(i, src, name, params, data=False, ro=True):
    r = {"eventVersion": "1.09",
         "userIdentity": {"type": "IAMUser", "principalId": "AIDAHANDMADE0000001",
                          "arn": "arn:aws:iam::%s:user/bob" % acct, "accountId": acct,
                          "accessKeyId": key, "userName": "bob"},
         "eventTime": (t0 + datetime.timedelta(seconds=20 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "eventSource": src, "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.kali.2024",
         "requestParameters": params, "responseElements": None, "requestID": "req-%04d" % i,
         "eventID": "ev-hand-%04d" % i, "readOnly": ro, "eventType": "AwsApiCall",
         "managementEvent": not data, "recipientAccountId": acct,
         "eventCategory": "Data" if data else "Management"}
    if data:
        r["resources"] = [{"type": "AWS::S3::Object",
                           "ARN": "arn:aws:s3:::finance-archive/" + params["key"]},
                          {"accountId": acct, "type": "AWS::S3::Bucket",
                           "ARN": "arn:aws:s3:::finance-archive"}]
    return r
recs = [rec(i, s, n, {}) for i, (n, s) in enumerate([
    ("GetCallerIdentity", "sts.amazonaws.com"), ("ListUsers", "iam.amazonaws.com"),
    ("ListRoles", "iam.amazonaws.com"), ("ListBuckets", "s3.amazonaws.com")])]
obj = lambda k: {"bucketName": "finance-archive", "key": k,
                 "Host": "finance-archive.s3.amazonaws.com"}
recs += [rec(4 + k, "s3.amazonaws.com", "GetObject", obj("q%d.csv" % k), True) for k in range(20)]
recs += [rec(24, "s3.amazonaws.com", "PutObject", obj("README-RANSOM.txt"), True, False)]
recs += [rec(25 + k, "s3.amazonaws.com", "DeleteObject", obj("q%d.csv" % k), True, False)
         for k in range(5)]
d = sys.argv[1] + "/AWSLogs/%s/CloudTrail/us-east-1/2026/03/02/" % acct
json.dump({"Records": recs}, open(d + acct + "_CloudTrail_us-east-1_20260302T1000Z_hand.json", "w"))
open(sys.argv[1] + "/tor.txt", "w").write(ip + "\n")
PY
"$COALMINE" scan --no-default-intel --quiet --format json --intel-list tor_exit=TXT:"$T/hand/tor.txt" \
    "$T/hand/AWSLogs" >"$T/hand.json" 2>"$T/hand.err"
check "the hand-made theft: scan exits 0" test $? -eq 0
got=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["type"] == "AttackSequence:IAM/CompromisedCredentials":
        q = f["service"]["detection"]["sequence"]
        print(f["service"]["count"], q["actors"][0]["user"]["name"],
              [e["ip"] for e in q["endpoints"]],
              [i["values"] for i in q["sequenceIndicators"] if i["key"] == "TOR_IP"])' "$T/hand.json")
check "the hand-made theft: the IAM sequence counts its 30 records, names bob, the Tor endpoint and a TOR_IP indicator ($got)" \
    test "$got" = "30 bob ['185.220.101.47'] [['185.220.101.47']]"
got=$(members "$T/hand.json")
check "the hand-made theft: its signals are the scan's findings ($got)" \
    test "$got" = "AttackSequence:IAM/CompromisedCredentials ok
AttackSequence:S3/CompromisedData ok"

# --- members point to their sequence: associatedAttackSequenceArn ----------------------
# Every finding a sequence's signals name carries the sequence's ARN at the top level
# (spec 2.1), in the scan's output and in the store, whichever scan stored the member:
# hourly scans (--state --db) store what one scan does. Before 2026-12-05 no finding had it.
# assoc FILE: "id type count associatedAttackSequenceArn" per finding (API JSON lines), sorted
assoc() {
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    if l.strip():
        f = json.loads(l)
        print(f["id"], f["type"], f["service"]["count"], f.get("associatedAttackSequenceArn", "-"))
' "$1" | sort
}
# marks FILE: per sequence, "ok" or the signals whose finding does not carry the lowest ARN
# of the sequences naming it (of two, the lower wins: the same whichever came first); and
# any finding that says it belongs to a sequence that does not name it.
marks() {
    python3 -c '
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {f["id"]: f for f in fs}
seqs = [f for f in fs if f["type"].startswith("AttackSequence:")]
want = {}
# raw activity (CLOUD_TRAIL, S3_DATA_EVENTS) names no finding
sig = lambda q: [g for g in q["service"]["detection"]["sequence"]["signals"]
                 if g["type"] == "FINDING"]
for q in seqs:
    for g in sig(q):
        want[g["uid"]] = min(want.get(g["uid"], q["arn"]), q["arn"])
# A signal pushed out of the list of a sequence (the newest 8) by newer ones is a member still
# (cm_finding.past_members): it may carry a lower ARN than the sequences listing it now,
# or be listed by none, but the ARN is always a sequence of its own access key.
arns = {q["arn"]: q for q in seqs}
key = lambda f: f["resource"].get("accessKeyDetails", {}).get("accessKeyId")
def of_its_key(f, a):
    return a in arns and key(arns[a]) == key(f)
for q in seqs:
    bad = []
    for g in sig(q):
        m = by.get(g["uid"], {})
        a = m.get("associatedAttackSequenceArn")
        if a is None or a > want[g["uid"]] or not of_its_key(m, a):
            bad.append(g["uid"])
    print(q["type"], " ".join(bad) if bad else "ok")
for f in fs:
    if "associatedAttackSequenceArn" in f and f["id"] not in want and \
            not of_its_key(f, f["associatedAttackSequenceArn"]):
        print(f["type"], "names no sequence of its key")
' "$1" | sort
}
got=$(marks "$T/hand.json" | tr '\n' ' ')
check "hand-made theft: its five signals' findings name the lower ARN of its two sequences ($got)" \
    test "$got" = "AttackSequence:IAM/CompromisedCredentials ok AttackSequence:S3/CompromisedData ok " -a \
    "$(grep -c associatedAttackSequenceArn "$T/hand.json")" -eq 5
HS="$T/hand-split/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02"
mkdir -p "$HS"
python3 - "$T/hand" "$HS" <<'PY'
import glob, json, sys
src = glob.glob(sys.argv[1] + "/AWSLogs/*/CloudTrail/*/*/*/*/*.json")[0]
r = json.load(open(src))["Records"]
# The first record (a Tor caller's GetCallerIdentity) alone, then the rest: its findings are
# stored by the first scan and see no new activity in the second, which makes the sequence.
json.dump({"Records": r[:1]}, open(sys.argv[2] + "/111122223333_CloudTrail_us-east-1_20260302T1000Z_a.json", "w"))
json.dump({"Records": r[1:]}, open(sys.argv[2] + "/111122223333_CloudTrail_us-east-1_20260302T1005Z_b.json", "w"))
PY
TOR="--intel-list tor_exit=TXT:$T/hand/tor.txt"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --db "$T/hw.db" $TOR "$T/hand/AWSLogs" \
    >/dev/null 2>&1
"$COALMINE" rules put --db "$T/hs.db" --name all --event-pattern '{"source":["aws.guardduty"]}' \
    >/dev/null 2>&1
fail=0
# The second scan holds the Tor caller's change (an update) by the wall clock and routes by
# it: a six-hour publishing interval ending between the two would release it before the
# check of outbox_held below.
clear_of_interval_end 60
for p in a b; do
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --threads 2 --format json --db "$T/hs.db" \
        --state "$T/hs.state" $TOR "$HS"/*_$p.json >"$T/hs.$p.json" 2>"$T/hs.$p.err" || fail=1
done
check "hand-made theft in two scans with --state --db: both exit 0" test $fail -eq 0
"$COALMINE" findings export --db "$T/hw.db" >"$T/hw.json" 2>/dev/null
"$COALMINE" findings export --db "$T/hs.db" >"$T/hs.json" 2>/dev/null
got=$(marks "$T/hs.json" | tr '\n' ' ')
check "... the store: every signal's finding names the lower sequence ($got)" \
    test "$got" = "AttackSequence:IAM/CompromisedCredentials ok AttackSequence:S3/CompromisedData ok "
if [ "$(assoc "$T/hw.json")" = "$(assoc "$T/hs.json")" ]; then
    ok "... the store holds what one scan stores (ids, counts, associatedAttackSequenceArn)"
else
    nok "... the store holds what one scan stores (ids, counts, associatedAttackSequenceArn)" \
        "$(assoc "$T/hw.json" | diff - "$(assoc "$T/hs.json" >"$T/hs.assoc"; echo "$T/hs.assoc")")"
fi
early=$(jq -r 'select(.type == "UnauthorizedAccess:IAMUser/TorIPCaller") | .id' "$T/hs.a.json")
check "... the first scan's Tor caller, stored without the mark, has it now ($early)" \
    test -n "$early" -a "$(jq -r "select(.id == \"$early\") | .associatedAttackSequenceArn" \
    "$T/hs.json")" = "$(jq -r 'select(.type | startswith("AttackSequence:")) | .arn' "$T/hs.json" |
        sort | head -n 1)"
if command -v sqlite3 >/dev/null; then
    got=$(sqlite3 "$T/hs.db" "SELECT f.id FROM outbox_held h JOIN findings f ON f.seq = h.fid \
        WHERE f.id = '$early'")
    check "... and the change is held for publishing as an update is ($got)" test "$got" = "$early"
else
    skip "... and the change is held for publishing as an update is" "no sqlite3"
fi
seqarn=$(jq -r 'select(.type | startswith("AttackSequence:")) | .arn' "$T/hs.json" | sort |
    head -n 1)
got=$("$COALMINE" findings list --db "$T/hs.db" --format ids --finding-criteria \
    "{\"Criterion\":{\"associatedAttackSequenceArn\":{\"Equals\":[\"$seqarn\"]}}}" | wc -l)
check "findings list --finding-criteria associatedAttackSequenceArn = the sequence: its 5 members ($got)" \
    test "$got" -eq 5
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 1 --format json --db "$T/h1.db" \
    --state "$T/h1.state" $TOR "$HS"/*_a.json >/dev/null 2>&1
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 1 --format json --db "$T/h1.db" \
    --state "$T/h1.state" $TOR "$HS"/*_b.json >/dev/null 2>&1
"$COALMINE" findings export --db "$T/h1.db" >"$T/h1.json" 2>/dev/null
check "... --threads 1 stores the same as --threads 2" \
    test "$(assoc "$T/h1.json")" = "$(assoc "$T/hs.json")"
got=$(marks "$T/scan.json" | tr '\n' ' ')
check "the corpus: one scan's members carry the lower ARN of the sequences naming them ($got)" \
    test "$got" = "AttackSequence:IAM/CompromisedCredentials ok AttackSequence:S3/CompromisedData ok "
# Every finding of the stolen key was a signal of some statement of its sequences (each
# new detection of the key states them again, listing the newest 8): one scan marks them
# all, as a follow storing each statement does. Before 2026-12-06 only the last
# statement's 6 were marked here.
got=$(python3 -c '
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda f: f["resource"].get("accessKeyDetails", {}).get("accessKeyId")
keys = {key(f) for f in fs if f["type"].startswith("AttackSequence:")}
of = [f for f in fs if key(f) in keys and not f["type"].startswith("AttackSequence:")]
print(sum("associatedAttackSequenceArn" in f for f in of), len(of))' "$T/scan.json")
check "the corpus: every finding of the stolen key is a member of its sequence ($got)" \
    test "${got% *}" = "${got#* }" -a "${got#* }" -gt 8
check "the corpus: --threads 2 marks the same findings as one thread" \
    test "$(assoc "$T/scan2.json")" = "$(assoc "$T/scan.json")"
check "the corpus: the store's export marks what the scan printed" \
    test "$(assoc "$T/export.json")" = "$(assoc "$T/scan.json")"

# --- filters and rule patterns on its paths ---------------------------------------------
ids() { "$COALMINE" findings list --db "$T/db" --format ids --finding-criteria "$1" 2>&1 | sort; }
both=$("$COALMINE" findings list --db "$T/db" --format ids --type \
    AttackSequence:IAM/CompromisedCredentials,AttackSequence:S3/CompromisedData | sort)
s3=$("$COALMINE" findings list --db "$T/db" --format ids --type AttackSequence:S3/CompromisedData)
iam=$("$COALMINE" findings list --db "$T/db" --format ids --type \
    AttackSequence:IAM/CompromisedCredentials)
check "the store holds both sequences" test "$(printf '%s\n' "$both" | grep -c .)" -eq 2
got=$(ids '{"Criterion":{"service.detection.sequence.sequenceIndicators.values":{"Equals":["Impact"]}}}')
check "filter: service.detection.sequence.sequenceIndicators.values = Impact: both ($(echo $got))" \
    test "$got" = "$both"
got=$(ids '{"Criterion":{"service.detection.sequence.resources.resourceType":{"Equals":["S3_BUCKET"]}}}')
check "filter: service.detection.sequence.resources.resourceType = S3_BUCKET: the S3 one ($got)" \
    test "$got" = "$s3"
got=$(ids '{"Criterion":{"service.detection.sequence.signals.firstSeenAt":{"GreaterThanOrEqual":0},"type":{"Equals":["AttackSequence:IAM/CompromisedCredentials"]}}}')
check "filter: service.detection.sequence.signals.firstSeenAt >= 0 (a time): the IAM one ($got)" \
    test "$got" = "$iam"
pat='{"detail":{"service":{"detection":{"sequence":{"resources":{"resourceType":["S3_BUCKET"]}}}}}}'
got=$("$COALMINE" rules test --event-pattern "$pat" --db "$T/db" --finding "$s3" 2>&1)
check "rule pattern on detail.service.detection.sequence matches the S3 sequence ($got)" \
    test "$got" = '{"Result":true}'
got=$("$COALMINE" rules test --event-pattern "$pat" --db "$T/db" --finding "$iam" 2>&1)
check "... and not the IAM one ($got)" test "$got" = '{"Result":false}'

# --- sample findings: the same place, so rules can be tried on them --------------------
"$COALMINE" findings sample --db "$T/s.db" --finding-types \
    AttackSequence:IAM/CompromisedCredentials,AttackSequence:S3/CompromisedData 2>/dev/null
check "findings sample of both sequence types exits 0" test $? -eq 0
"$COALMINE" findings export --db "$T/s.db" >"$T/samples.json" 2>/dev/null
got=$(shape "$T/samples.json" | sort)
check "samples: both carry service.detection.sequence, shaped as GuardDuty's ($(echo $got))" \
    test "$got" = "$want"
sid=$("$COALMINE" findings list --db "$T/s.db" --format ids --type AttackSequence:S3/CompromisedData)
got=$("$COALMINE" rules test --event-pattern "$pat" --db "$T/s.db" --finding "$sid" 2>&1)
check "rule pattern on detail.service.detection.sequence matches the S3 sample ($got)" \
    test "$got" = '{"Result":true}'

# --- botocore's model of a Finding ------------------------------------------------------
if python3 -c 'import botocore.session' 2>/dev/null; then
    got=$(python3 - "$T/export.json" "$T/samples.json" <<'PY'
import json, sys, botocore.session
m = botocore.session.get_session().get_service_model("guardduty")
errs = []
def walk(sh, v, path):
    t = sh.type_name
    if t == "structure":
        if not isinstance(v, dict):
            errs.append(path + ": not an object"); return
        names = {mm.serialization.get("name", k): mm for k, mm in sh.members.items()}
        for r in sh.required_members:
            if sh.members[r].serialization.get("name", r) not in v:
                errs.append("%s: no %s" % (path, r))
        for k, x in v.items():
            if k not in names:
                errs.append("%s: unknown %s" % (path, k))
            else:
                walk(names[k], x, path + "." + k)
    elif t == "list":
        if not isinstance(v, list):
            errs.append(path + ": not a list"); return
        for x in v:
            walk(sh.member, x, path + "[]")
    elif t == "timestamp":
        # restJson1: epoch seconds (before 2026-12-05 coalmine wrote ISO strings here)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            errs.append(path + ": not epoch seconds")
    elif t == "string":
        if not isinstance(v, str):
            errs.append(path + ": not a string")
        elif getattr(sh, "enum", None) and v not in sh.enum:
            errs.append("%s: %s not in %s" % (path, v, sh.name))
    elif t in ("integer", "long"):
        if not isinstance(v, int) or isinstance(v, bool):
            errs.append(path + ": not an integer")
    elif t in ("double", "float") and not isinstance(v, (int, float)):
        errs.append(path + ": not a number")
for line in open(sys.argv[1]).readlines() + open(sys.argv[2]).readlines():
    f = json.loads(line)
    if f["type"].startswith("AttackSequence:"):
        walk(m.shape_for("Detection"), f["service"].get("detection", {}), "detection")
        if "detection" not in f["service"]:
            errs.append(f["type"] + ": no detection")
print("; ".join(sorted(set(errs))[:10]))
PY
)
    check "export and samples: service.detection fits botocore's GuardDuty model${got:+ ($got)}" \
        test -z "$got"
else
    skip "export and samples: service.detection fits botocore's GuardDuty model" "no botocore"
fi

# --- one S3 sequence per key, on its newest bucket -------------------------------------------
# A key from a listed address lists IAM users, then reads a bucket, a second bucket and the first
# again: the S3 sequence is one finding (the docs: one per credential, on the bucket of its
# newest S3 signal) counting the key's 4 records, in one scan and in two scans with --state
# --db. Before 2026-12-05 the bucket was part of the finding's identity: two sequences, 3 and 1.
B="$T/twobuckets"
mkdir -p "$B"
echo 45.155.205.234 >"$B/bad.txt"
python3 - "$B" <<'PY'
import json, sys
def r(i, t, src, name, bucket=None):
    return {"eventVersion": "1.10", "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLEBOB",
            "arn": "arn:aws:iam::111122223333:user/bob", "accountId": "111122223333",
            "accessKeyId": "AKIABOB0000000000001", "userName": "bob"},
            "eventTime": t, "eventSource": src, "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": "45.155.205.234", "userAgent": "Boto3/1.34.69",
            "requestParameters": {"bucketName": bucket, "key": "k%d" % i} if bucket else None,
            "responseElements": None, "requestID": "R%d" % i,
            "eventID": "5d1c3a8e-0000-4000-8000-%012d" % i, "readOnly": True,
            "eventType": "AwsApiCall", "managementEvent": not bucket,
            "recipientAccountId": "111122223333", "eventCategory": "Data" if bucket else "Management"}
recs = [r(1, "2026-01-05T10:00:00Z", "iam.amazonaws.com", "ListUsers"),
        r(2, "2026-01-05T10:01:00Z", "s3.amazonaws.com", "GetObject", "acme-finance-records"),
        r(3, "2026-01-05T10:07:00Z", "s3.amazonaws.com", "GetObject", "acme-hr-documents"),
        r(4, "2026-01-05T10:08:00Z", "s3.amazonaws.com", "GetObject", "acme-finance-records")]
json.dump({"Records": recs[:2]}, open(sys.argv[1] + "/111122223333_CloudTrail_us-east-1_20260105T1000Z_a.json", "w"))
json.dump({"Records": recs[2:]}, open(sys.argv[1] + "/111122223333_CloudTrail_us-east-1_20260105T1005Z_b.json", "w"))
PY
BAD="--intel-list malicious_ip=TXT:$B/bad.txt"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --format json $BAD "$B"/*_a.json "$B"/*_b.json \
    >"$T/tb.json" 2>"$T/tb.err"
check "two buckets: scan exits 0" test $? -eq 0
# seqs FILE: "bucket count" of each S3 sequence
seqs() {
    jq -r 'select(.type == "AttackSequence:S3/CompromisedData") |
        "\(.resource.s3BucketDetails[0].name) \(.service.count)"' "$1" | sort
}
got=$(seqs "$T/tb.json" | tr '\n' ';')
check "two buckets: one S3 sequence, on the newest bucket, counting the 4 records ($got)" \
    test "$got" = "acme-finance-records 4;"
fail=0
for p in a b; do
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --db "$T/tb.db" --state "$T/tb.state" $BAD \
        "$B"/*_$p.json >/dev/null 2>&1 || fail=1
done
"$COALMINE" findings export --db "$T/tb.db" >"$T/tb.export.json" 2>/dev/null || fail=1
got=$(seqs "$T/tb.export.json" | tr '\n' ';')
check "two buckets in two scans with --state --db: one S3 sequence stored, 4 records ($got)" \
    test $fail -eq 0 -a "$got" = "acme-finance-records 4;"

done_testing
