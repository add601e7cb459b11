#!/usr/bin/env python3
"""The responses of `coalmine serve` against GuardDuty's service model (run by api_conform.sh).

argv: COALMINE DB ENDPOINT [WORLD]. The server is open (no credentials), so plain HTTP requests
reach it and the raw body is checked as it is on the wire, before botocore, which drops
members it does not know, could hide a misspelt one. Prints TAP lines without the plan.

Checked (gd_model.check: member names, JSON types, enums, required members, nulls):
GetFindings over every stored finding of the scanned world, and again after
CreateSampleFindings of every type in docs/finding-types.md; ListFindings, ListDetectors,
GetDetector, GetFindingsStatistics (every GroupBy and the legacy COUNT_BY_SEVERITY),
CreateIPSet/GetIPSet/ListIPSets, CreateThreatIntelSet/GetThreatIntelSet/
ListThreatIntelSets, the two entity sets, CreateFilter/GetFilter/ListFilters; the
finding of `coalmine findings get --format cli` (PascalCase: the member names, as the
aws CLI prints them) against the member names of the same shapes; and that the forms are
one document (below: json, EventBridge detail and envelope, CLI; with WORLD, the
`coalmine gen` directory the store was scanned from, scan --format json/eventbridge).
"""
import json
import os
import re
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import gd_model  # noqa: E402

COALMINE, DB, ENDPOINT = sys.argv[1:4]
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
DET = "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
n = 0
MODEL = gd_model.load_model()


def check(name, cond, detail=""):
    global n
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond and detail:
        print("# " + str(detail)[:1500].replace("\n", "\n# "))


# Members coalmine sends beyond the model, on purpose (docs/api-write.md): why a list is
# ERROR. The aws CLI and boto3 drop it for the two list kinds whose shapes lack it.
EXTENSIONS = {("GetIPSet", "$.errorDetails"), ("GetThreatIntelSet", "$.errorDetails")}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ENDPOINT + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def conform(op, status, doc, what=None):
    """One TAP line: op's response (status 200, the output shape)."""
    if status != 200:
        check("%s: %s answers 200" % (op, what or op), False, "%s %s" % (status, doc))
        return []
    errs = gd_model.check(MODEL, gd_model.output_shape(MODEL, op), doc)
    uniq = sorted(set(e for e in errs if (op, e.split(": ")[0]) not in EXTENSIONS))
    check("%s: %s matches the model's %s" % (op, what or "the response",
                                               gd_model.output_shape(MODEL, op)),
          not uniq, "\n".join(uniq[:40]))
    return uniq


def all_ids():
    ids, token = [], None
    while True:
        body = {"maxResults": 50}
        if token:
            body["nextToken"] = token
        st, doc = call("POST", "/detector/%s/findings" % DET, body)
        if st != 200:
            return ids, (st, doc)
        conform("ListFindings", st, doc, "a page") if not ids else None
        ids += doc["findingIds"]
        token = doc.get("nextToken")
        if not token:
            return ids, None


def get_findings(ids, what):
    """GetFindings in batches of 50 (the model's max), each response checked; the findings."""
    out, errs = [], set()
    for i in range(0, len(ids), 50):
        st, doc = call("POST", "/detector/%s/findings/get" % DET, {"findingIds": ids[i:i + 50]})
        if st != 200:
            check("GetFindings: %s answers 200" % what, False, "%s %s" % (st, doc))
            return out
        errs.update(gd_model.check(MODEL, "GetFindingsResponse", doc))
        out += doc["findings"]
    # Several findings share a defect: report each path once.
    uniq = {}
    for e in sorted(errs):
        uniq.setdefault(re.sub(r"\[\d+\]", "[]", e.split(": ")[0]), e)
    check("GetFindings: %s match the model's GetFindingsResponse" % what, not uniq,
          "\n".join(list(uniq.values())[:40]))
    return out


def types_of_doc():
    types = []
    with open(os.path.join(DOCS, "finding-types.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `([^`]+)` \|", line)
            if m:
                types.append(m.group(1))
    return types


# The checker itself catches what it must (a misspelt member, a number as a string, an ISO
# string for a model timestamp, an unknown enum value, a missing required member, a null).
BAD = {"findings": [{"schemaVersion": "2.0", "accountId": "1", "arn": "a", "id": "i",
                     "region": "r", "type": "t", "severity": 5, "createdAt": "c",
                     "updatedAt": "u", "resource": {"ResourceType": "Instance",
                                                    "s3BucketDetails": [{"createdAt": "2026-01-01T00:00:00Z"}]},
                     "service": {"count": "3", "archived": None,
                                 "detection": {"sequence": {"uid": "u", "description": "d",
                                                            "signals": [{"type": "BOGUS"}]}}}},
                    {"schemaVersion": "2.0"}]}
bad = gd_model.check(MODEL, "GetFindingsResponse", BAD)
want = ["$.findings[0].resource.ResourceType: not a member of Resource (the model spells it resourceType)",
        "$.findings[0].resource.s3BucketDetails[0].createdAt: str",
        "$.findings[0].service.count: str",
        "$.findings[0].service.archived: null",
        "$.findings[0].service.detection.sequence.signals[0].type: 'BOGUS' is not one of",
        "$.findings[1]: required member accountId absent"]
check("the checker finds each planted defect",
      all(any(b.startswith(w) for b in bad) for w in want) and len(bad) >= len(want), bad)

# Detectors.
conform("ListDetectors", *call("GET", "/detector"))
conform("GetDetector", *call("GET", "/detector/%s" % DET))

# The scanned world's findings.
ids, err = all_ids()
check("ListFindings lists the stored findings", err is None and len(ids) > 20, err or len(ids))
got = get_findings(ids, "the world's %d findings" % len(ids))
check("the world's findings are of many types", len(set(f["type"] for f in got)) > 40,
      sorted(set(f["type"] for f in got)))

# Statistics, every grouping.
for group in ("ACCOUNT", "DATE", "FINDING_TYPE", "RESOURCE", "SEVERITY"):
    conform("GetFindingsStatistics",
            *call("POST", "/detector/%s/findings/statistics" % DET, {"groupBy": group}),
            "groupBy %s" % group)
conform("GetFindingsStatistics",
        *call("POST", "/detector/%s/findings/statistics" % DET,
              {"findingStatisticTypes": ["COUNT_BY_SEVERITY"]}), "COUNT_BY_SEVERITY")

# Samples of every type coalmine knows.
types = types_of_doc()
check("docs/finding-types.md lists the types", len(types) > 100, len(types))
before = set(ids)
for i in range(0, len(types), 50):
    st, doc = call("POST", "/detector/%s/findings/create" % DET, {"findingTypes": types[i:i + 50]})
    if st != 200:
        break
conform("CreateSampleFindings", st, doc)
ids, err = all_ids()
new = [i for i in ids if i not in before]
got = get_findings(new, "the samples of all %d types" % len(types))
sample_types = set(f["type"] for f in got)
check("every type has a sample", sample_types == set(types), sorted(set(types) - sample_types))

# Lists (all four kinds; an ACTIVE one and an ERROR one) and filters.
lst = os.path.join(os.path.dirname(os.path.abspath(DB)), "conform-list.txt")
with open(lst, "w", encoding="utf-8") as f:
    f.write("198.51.100.77\n")
for kind, op, idm in (("ipset", "IPSet", "ipSetId"),
                      ("threatintelset", "ThreatIntelSet", "threatIntelSetId"),
                      ("threatentityset", "ThreatEntitySet", "threatEntitySetId"),
                      ("trustedentityset", "TrustedEntitySet", "trustedEntitySetId")):
    for name, loc in (("conform-ok", lst), ("conform-bad", lst + ".missing")):
        st, doc = call("POST", "/detector/%s/%s" % (DET, kind),
                       {"name": "%s-%s" % (name, kind), "format": "TXT", "location": loc,
                        "activate": True})
        conform("Create" + op, st, doc, "the response (%s)" % name)
        if st == 200:
            conform("Get" + op, *call("GET", "/detector/%s/%s/%s" % (DET, kind, doc[idm])),
                    "the response (%s)" % name)
    conform("List%ss" % op, *call("GET", "/detector/%s/%s" % (DET, kind)))
st, doc = call("POST", "/detector/%s/filter" % DET,
               {"name": "conform", "action": "NOOP", "rank": 1,
                "findingCriteria": {"criterion": {"severity": {"gte": 7},
                                                  "type": {"eq": ["Recon:EC2/PortProbeUnprotectedPort"]}}}})
conform("CreateFilter", st, doc)
conform("GetFilter", *call("GET", "/detector/%s/filter/conform" % DET))
conform("ListFilters", *call("GET", "/detector/%s/filter" % DET))

# The CLI form (`findings get --format cli`): the model's member names, as the aws CLI prints.
ids = subprocess.run([COALMINE, "findings", "list", "--db", DB, "--archived", "all",
                                "--max-results", "0", "--format", "ids"],
                               check=True, capture_output=True, text=True).stdout.split()
out = subprocess.run([COALMINE, "findings", "get", "--db", DB, "--format", "cli"] + ids[:40],
                     check=True, capture_output=True, text=True).stdout
errs = set()
for line in out.splitlines():
    if line.strip():
        doc = json.loads(line)
        for f in doc.get("Findings", [doc]):
            errs.update(e.split(": ")[0] + ": " + e.split(": ", 1)[1][:80]
                        for e in gd_model.check(MODEL, "Finding", f, names="member"))
check("findings get --format cli: the model's member names", not errs, "\n".join(sorted(errs)[:40]))

# --- One document in every form -------------------------------------------------------
# Every stored finding (the world's and the samples of every type): the API form as
# GetFindings sends it is the document; `findings get --format json` is it byte for byte
# in value; the EventBridge event's detail is it plus what the event form adds (the
# additionalInfo members expanded next to value/type, exactly the members of value;
# nulls only where GuardDuty's events have them); the CLI form is it with the model's
# member names (mapped back through the model, nothing left over); and a scan of the
# same world writes the same documents (--format json and the events' detail).
NULLS = {"service.evidence", "resource.instanceDetails.platform",
         "resource.instanceDetails.outpostArn", "resource.instanceDetails.iamInstanceProfile"}
ENVELOPE = {"version": "0", "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
            "resources": []}


def run(*args):
    return subprocess.run([COALMINE] + list(args), check=True, capture_output=True,
                          text=True).stdout


def diff(a, b, p="$"):
    if type(a) is not type(b):
        return ["%s: %r / %r" % (p, a, b)]
    if isinstance(a, dict):
        r = ["%s.%s: in one form only" % (p, k) for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            r += diff(a[k], b[k], p + "." + k)
        return r
    if isinstance(a, list):
        if len(a) != len(b):
            return ["%s: %d / %d items" % (p, len(a), len(b))]
        return [e for i, (x, y) in enumerate(zip(a, b)) for e in diff(x, y, "%s[%d]" % (p, i))]
    return [] if a == b else ["%s: %r / %r" % (p, a, b)]


def event_to_api(v, path, errs):
    """The event form's detail back to the API form, noting what it may not hold."""
    if isinstance(v, list):
        return [event_to_api(x, path, errs) for x in v]
    if not isinstance(v, dict):
        return v
    out = {}
    for k, x in v.items():
        p = (path + "." + k).lstrip(".")
        if x is None:
            if p not in NULLS:
                errs.append("%s: null in the event form" % p)
            continue
        if p == "service.additionalInfo":
            extra = {m: y for m, y in x.items() if m not in ("value", "type")}
            if extra != json.loads(x["value"]):
                errs.append("service.additionalInfo: the expanded members are not value's")
            out[k] = {"value": x["value"], "type": x["type"]}
            continue
        out[k] = event_to_api(x, p, errs)
    return out


def cli_to_api(shape, v, path, errs):
    sh = MODEL["shapes"][shape]
    if sh["type"] == "structure" and isinstance(v, dict):
        out = {}
        for k, x in v.items():
            m = sh["members"].get(k)
            if m is None:
                errs.append("%s.%s: not a member name of %s" % (path, k, shape))
                continue
            out[m.get("locationName", k)] = cli_to_api(m["shape"], x, path + "." + k, errs)
        return out
    if sh["type"] == "list" and isinstance(v, list):
        return [cli_to_api(sh["member"]["shape"], x, path + "[]", errs) for x in v]
    if sh["type"] == "map" and isinstance(v, dict):
        return {k: cli_to_api(sh["value"]["shape"], x, path + "." + k, errs) for k, x in v.items()}
    return v


ids = run("findings", "list", "--db", DB, "--archived", "all", "--max-results", "0",
          "--format", "ids").split()
api = {}
for i in range(0, len(ids), 50):
    st, doc = call("POST", "/detector/%s/findings/get" % DET, {"findingIds": ids[i:i + 50]})
    api.update((f["id"], f) for f in doc.get("findings", []))
forms = {"json": {}, "eventbridge": {}, "cli": {}}
for i in range(0, len(ids), 50):
    part = ids[i:i + 50]
    for line in run("findings", "get", "--db", DB, "--format", "json", *part).splitlines():
        f = json.loads(line)
        forms["json"][f["id"]] = f
    for line in run("findings", "get", "--db", DB, "--format", "eventbridge", *part).splitlines():
        e = json.loads(line)
        forms["eventbridge"][e["detail"]["id"]] = e
    for f in json.loads(run("findings", "get", "--db", DB, "--format", "cli", *part))["Findings"]:
        forms["cli"][f["Id"]] = f
types = set(f["type"] for f in api.values())
check("every stored finding in every form (%d findings, %d types)" % (len(ids), len(types)),
      len(api) == len(ids) and all(len(v) == len(ids) for v in forms.values()),
      (len(api), {k: len(v) for k, v in forms.items()}))
bad = {"json": {}, "eventbridge": {}, "cli": {}, "envelope": {}}
for i, doc in api.items():
    for e in diff(doc, forms["json"].get(i)):
        bad["json"].setdefault(e.split(":")[0], "%s %s" % (doc["type"], e))
    ev = forms["eventbridge"].get(i, {})
    errs = []
    for e in diff(doc, event_to_api(ev.get("detail"), "", errs)) + errs:
        bad["eventbridge"].setdefault(e.split(":")[0], "%s %s" % (doc["type"], e))
    env = {k: ev.get(k) for k in ENVELOPE}
    if env != ENVELOPE or ev.get("account") != doc["accountId"] or \
            ev.get("region") != doc["region"] or \
            not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ev.get("time", "")) or \
            not re.match(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", ev.get("id", "")):
        bad["envelope"].setdefault(doc["type"], "%s %r" % (
            doc["type"], {k: v for k, v in ev.items() if k != "detail"}))
    errs = []
    for e in diff(doc, cli_to_api("Finding", forms["cli"].get(i), "$", errs)) + errs:
        bad["cli"].setdefault(e.split(":")[0], "%s %s" % (doc["type"], e))
check("findings get --format json: the API form, member for member", not bad["json"],
      "\n".join(list(bad["json"].values())[:20]))
check("the EventBridge detail: the API form plus the event form's additions", not bad["eventbridge"],
      "\n".join(list(bad["eventbridge"].values())[:20]))
check("the EventBridge envelope: GuardDuty's (version 0, detail-type GuardDuty Finding, "
      "source aws.guardduty, account, region, time, a UUID id, resources [])", not bad["envelope"],
      "\n".join(list(bad["envelope"].values())[:10]))
check("the CLI form: the API form under the model's member names", not bad["cli"],
      "\n".join(list(bad["cli"].values())[:20]))

if len(sys.argv) > 4:
    world = sys.argv[4]
    with open(os.path.join(world, "intel", "args.txt"), encoding="utf-8") as f:
        args = f.read().split()
    scanned = [json.loads(line) for line in run("scan", "--quiet", "--format", "json", *args,
                                                os.path.join(world, "AWSLogs")).splitlines()]
    errs = [e for f in scanned for e in diff(api.get(f["id"]), f)]
    check("scan --format json: the documents the store serves (%d findings)" % len(scanned),
          len(scanned) > 20 and not errs, "\n".join(errs[:20]))
    events = [json.loads(line) for line in run("scan", "--quiet", "--format", "eventbridge",
                                               *args, os.path.join(world, "AWSLogs")).splitlines()]
    errs = []
    for ev in events:
        d = ev["detail"]
        errs += diff(api.get(d["id"]), event_to_api(d, "", errs))
    check("scan --format eventbridge: their detail is the same documents (%d events)" % len(events),
          len(events) == len(scanned) and not errs, "\n".join(errs[:20]))
