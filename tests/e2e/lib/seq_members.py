"""Checks an attack sequence's signals against the findings they name.

Usage: seq_members.py FILE, FILE holding findings one a line (the API form, or
EventBridge events). Prints one line per attack sequence: its type, then "ok" or
what of its signals does not match the finding of FILE whose id is the signal's
uid: its type, severity, count, first and last seen, its key (actorIds) and
bucket (resourceUids). Used by sequence.sh and state_resume.sh.
"""
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fs = [f.get("detail", f) for f in fs]
by_id = {f["id"]: f for f in fs}
for f in fs:
    if not f["type"].startswith("AttackSequence:"):
        continue
    bad = []
    for g in f["service"]["detection"]["sequence"]["signals"]:
        m = by_id.get(g["uid"])
        if m is None:
            bad.append("%s: uid %s is no finding" % (g["name"], g["uid"]))
            continue
        s = m["service"]
        r = m["resource"]
        got = (g["name"], g.get("severity"), g["count"], g["firstSeenAt"], g["lastSeenAt"],
               g.get("actorIds"), g.get("resourceUids"))
        bucket = [b["name"] for b in r.get("s3BucketDetails", [])][:1]
        want = (m["type"], m["severity"], s["count"], s["eventFirstSeen"], s["eventLastSeen"],
                [r["accessKeyDetails"]["accessKeyId"]],
                bucket if r["resourceType"] == "S3Bucket" else None)
        if got != want:
            bad.append("%s: %r, the finding %r" % (g["name"], got, want))
    print(f["type"], "; ".join(bad) or "ok")
