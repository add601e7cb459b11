"""Checks an attack sequence's signals against the findings they name.

Usage: seq_members.py FILE, FILE holding findings one a line (the API form, or
EventBridge events). Prints one line per attack sequence: its type, then "ok" or
what of its signals does not match the finding of FILE whose id is the signal's
uid: its type, severity, count, first and last seen, its key (actorIds) and
bucket (resourceUids: the finding's first bucket, whatever its resource type); the sequence's actor's user is the finding's
accessKeyDetails, and each signal's endpointIds are endpoints of the sequence;
a Tor or threat-list signal's address is its and the sequence's TOR_IP or
MALICIOUS_IP indicator. A signal of raw activity (CLOUD_TRAIL, S3_DATA_EVENTS) names no
finding: only its endpoints are checked. Used by sequence.sh, sequence_raw.sh and
state_resume.sh.
"""
import datetime, json, sys


def iso(t):
    """A signal time (epoch seconds, the model's Timestamp) as the finding's ISO form."""
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)

fs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fs = [f.get("detail", f) for f in fs]
by_id = {f["id"]: f for f in fs}
for f in fs:
    if not f["type"].startswith("AttackSequence:"):
        continue
    bad = []
    q = f["service"]["detection"]["sequence"]
    endpoints = {e["id"]: e for e in q.get("endpoints", [])}
    user = (q["actors"][0].get("user") or {})
    if not endpoints:
        bad.append("no endpoints")
    ind = {i["key"]: i["values"] for i in q.get("sequenceIndicators", [])}
    for g in q["signals"]:
        for suffix, key in (("/TorIPCaller", "TOR_IP"), ("/MaliciousIPCaller", "MALICIOUS_IP")):
            if suffix in g["name"]:
                mine = {i["key"]: i["values"] for i in g.get("signalIndicators", [])}
                for e in g.get("endpointIds", []):
                    if e not in ind.get(key, []) or mine.get(key) != [e]:
                        bad.append("%s: %s %s not an indicator" % (g["name"], key, e))
        for e in g.get("endpointIds", []):
            if endpoints.get(e, {}).get("ip") != e:
                bad.append("%s: endpoint %s not among the sequence's endpoints" % (g["name"], e))
        if g["type"] != "FINDING":
            continue  # raw activity (CLOUD_TRAIL, S3_DATA_EVENTS): the calls, no finding
        m = by_id.get(g["uid"])
        if m is None:
            bad.append("%s: uid %s is no finding" % (g["name"], g["uid"]))
            continue
        s = m["service"]
        r = m["resource"]
        got = (g["name"], g.get("severity"), g["count"], iso(g["firstSeenAt"]), iso(g["lastSeenAt"]),
               g.get("actorIds"), g.get("resourceUids"))
        bucket = [b["name"] for b in r.get("s3BucketDetails", [])][:1]
        want = (m["type"], m["severity"], s["count"], s["eventFirstSeen"], s["eventLastSeen"],
                [r["accessKeyDetails"]["accessKeyId"]],
                bucket or None)
        k = r["accessKeyDetails"]
        who = (user.get("name"), user.get("uid"), user.get("type"), user.get("credentialUid"))
        if who != (k.get("userName"), k.get("principalId"), k.get("userType"), k["accessKeyId"]):
            bad.append("%s: actor %r, the finding's key %r" % (g["name"], who, k))
        if got != want:
            bad.append("%s: %r, the finding %r" % (g["name"], got, want))
    print(f["type"], "; ".join(bad) or "ok")
