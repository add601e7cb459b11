#!/usr/bin/env python3
"""The CloudTrail section of `make eval` (issue #5): what coalmine's findings are
on the public CloudTrail attack datasets.

usage: cloudtrail.py --bin COALMINE --data DATA --work DIR [--jobs N]

DATA is ../shared/data (scripts/run-eval resolves it). Each dataset that is
present is converted into files `coalmine scan` reads under WORK, scanned (with
--geoip when DATA has the MaxMind City test database), and reported; an absent
or unreadable one is reported as skipped. Prints Markdown on stdout:

1. findings per technique: dataset | technique or scenario | events | findings
   fired (type xN findings) | issue #5 type expected (scripts/eval/ct_labels.py);
2. per finding type, on how many techniques / scenarios / tests it fired;
3. Panther: every CloudTrail test case with its expected result and our
   findings, then the agreement for the rules of scripts/eval/panther_map.py.

How each dataset is scanned (docs/eval.md has the reasons):
- cloudtrail-stratus-detonations: one scan per technique file (JSON arrays, read
  as they are).
- cloudtrail-invictus-aws-dataset: every record sorted by eventTime, labelled
  by its stratus-red-team_<uuid> user agent (ct_labels.label_run) or by the
  role of a labelled run that made it (ct_labels.issuer_role), cut into
  files of consecutive records with one label, and scanned in ONE run (the
  detectors keep state across techniques, as on a real account); a finding
  goes to every label whose file its evidence cites.
- cloudtrail-otrf: the EC2-proxy exfiltration file as it is (Logstash JSON
  lines with @timestamp); the honey-bucket CSV converted to S3 data events.
- panther-aws-tests: each test whose log is a CloudTrail record (log_kind
  AWS.CloudTrail*) scanned alone; Panther's "YYYY-MM-DD HH:MM:SS.fff" times
  become CloudTrail's, a log without eventTime gets p_event_time's (or a fixed
  time, noted in its row).

Exit status: 0, or 1 when a scan failed (the tables still print), 2 on usage.
"""
import argparse
import ast
import collections
import csv
import fnmatch
import glob
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ct_labels  # noqa: E402
import panther_map  # noqa: E402
from evallib import Runner, evidence_files, evidence_truncated, fired_cell  # noqa: E402
from evallib import find_geoip, note, table, type_counts, write_json  # noqa: E402

STRATUS = "cloudtrail-stratus-detonations"
INVICTUS = "cloudtrail-invictus-aws-dataset"
OTRF = "cloudtrail-otrf"
PANTHER = "panther-aws-tests"
KIND = "cloudtrail"
WHOLE = "(whole dataset)"
UNATTRIBUTED = "(finding without evidence files)"
# The honey bucket's owner account is not in the CSV; its events get this one.
HONEY_ACCOUNT = "000000000000"
UUID_RE = re.compile(r"stratus-red-team_([0-9a-fA-F-]{36})")


class Row:
    """One line of the technique table."""

    def __init__(self, dataset, label, events, counts):
        self.dataset = dataset
        self.label = label
        self.events = events
        self.counts = counts


def expect_cell(label, counts):
    pats = ct_labels.ISSUE5_EXPECT.get(label, ())
    if not pats:
        return ""
    cells = []
    for p in pats:
        hit = any(fnmatch.fnmatchcase(t, p) for t in counts)
        cells.append("%s (%s)" % (p, "fired" if hit else "not fired"))
    return ", ".join(cells)


# --- cloudtrail-stratus-detonations -----------------------------------------------------------


def eval_stratus(runner, ddir):
    files = sorted(glob.glob(os.path.join(ddir, "*.json")))
    scans = runner.scan_many([(os.path.basename(f)[: -len(".json")], [f]) for f in files])
    rows = []
    for name in sorted(scans):
        s = scans[name]
        rows.append(Row(STRATUS, name, s.events_cell(KIND), type_counts(s.findings)))
    return rows


# --- cloudtrail-invictus-aws-dataset ----------------------------------------------------------


def load_records(path):
    """The records of one CloudTrail file ({"Records":[...]}, an array, or JSON lines)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        note("%s: cannot read (%s); skipped" % (path, e.strerror))
        return []
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("Records"), list):
        recs = doc["Records"]
    elif isinstance(doc, list):
        recs = doc
    else:
        recs = []
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                recs.append(json.loads(line))
            except ValueError as e:
                note("%s:%d: not JSON (%s); skipped" % (path, i, e))
    good = []
    for i, r in enumerate(recs, 1):
        if isinstance(r, dict):
            good.append(r)
        else:
            note("%s: record %d is not an object; skipped" % (path, i))
    return good


def eval_invictus(runner, ddir, work):
    files = sorted(glob.glob(os.path.join(ddir, "CloudTrail", "*.json")))
    recs = []
    for path in files:
        recs.extend(load_records(path))
    # Event-time order (stable: file order breaks ties), as the account saw them.
    recs.sort(key=lambda r: str(r.get("eventTime") or ""))
    runs = collections.defaultdict(set)
    uuids = []
    for r in recs:
        m = UUID_RE.search(str(r.get("userAgent") or ""))
        u = m.group(1).lower() if m else None
        uuids.append(u)
        if u:
            runs[u].add(ct_labels.call_name(r))
    run_label = {u: ct_labels.label_run(calls) for u, calls in runs.items()}
    role_label = {}
    for r, u in zip(recs, uuids):
        role = ct_labels.created_role(r) if u else None
        if role:
            role_label.setdefault(role, run_label[u])
    labels = [run_label[u] if u else
              role_label.get(ct_labels.issuer_role(r), ct_labels.UNLABELLED)
              for r, u in zip(recs, uuids)]

    # Consecutive records of one label go to one file; the scan orders files
    # by their first record's time, then by name, so the stream stays in order.
    out = os.path.join(work, "invictus")
    os.makedirs(out, exist_ok=True)
    file_label, paths, events = {}, [], collections.Counter(labels)
    i = 0
    while i < len(recs):
        j = i
        while j < len(recs) and labels[j] == labels[i]:
            j += 1
        name = "inv-%05d.json" % len(paths)
        write_json(os.path.join(out, name), {"Records": recs[i:j]})
        file_label[name] = labels[i]
        paths.append(os.path.join(out, name))
        i = j
    note("%s: %d records, %d stratus runs, %d files in time order" %
         (INVICTUS, len(recs), len(runs), len(paths)))
    if not paths:
        return [], 0
    s = runner.scan(INVICTUS, paths)

    per_label = collections.defaultdict(collections.Counter)
    truncated = 0
    for f in s.findings:
        cited = {file_label.get(b, UNATTRIBUTED) for b in evidence_files(f)} or {UNATTRIBUTED}
        for lab in cited:
            per_label[lab][f.get("type", "?")] += 1
        if evidence_truncated(f):
            truncated += 1
    special = (ct_labels.UNIDENTIFIED, ct_labels.PREFLIGHT, ct_labels.UNLABELLED, UNATTRIBUTED)
    order = sorted(k for k in set(events) | set(per_label) if k not in special)
    order += [k for k in special if k in events or k in per_label]
    rows = []
    for lab in order:
        ev = str(events.get(lab, 0)) if not s.error else s.events_cell(KIND)
        rows.append(Row(INVICTUS, lab, ev, per_label.get(lab, collections.Counter())))
    rows.append(Row(INVICTUS, WHOLE, s.events_cell(KIND), type_counts(s.findings)))
    return rows, truncated


# --- cloudtrail-otrf --------------------------------------------------------------------------


def mapping_field(row, col):
    """A CSV cell holding a Python-style dict ("{'bucketName': 'x'}") as a dict."""
    try:
        v = ast.literal_eval(row[col] or "")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        v = None
    if not isinstance(v, dict):
        raise ValueError("%s is not a {'key': value} mapping" % col)
    return v


def honey_record(row):
    """A CloudTrail S3 data event for one row of AWS_S3_HoneyBucketLogs.csv."""
    ident = mapping_field(row, "User ID")
    params = mapping_field(row, "Request Parameters")
    when = row["Event DateTime"].strip()
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", when):
        raise ValueError("Event DateTime %r is not YYYY-MM-DDTHH:MM:SSZ" % when)
    name = row["Event Name"].strip()
    if not name:
        raise ValueError("no Event Name")
    bucket = str(params.get("bucketName", ""))
    m = re.search(r"\.s3[.-]([a-z]{2}(?:-[a-z]+)+-\d)\.", str(params.get("Host", "")))
    res = [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}]
    if "key" in params:
        obj = "arn:aws:s3:::%s/%s" % (bucket, params["key"])
        res.insert(0, {"type": "AWS::S3::Object", "ARN": obj})
    return {
        "eventVersion": "1.08",
        "userIdentity": ident,
        "eventTime": when,
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": m.group(1) if m else "us-east-1",
        "sourceIPAddress": row["Source IP"].strip(),
        "userAgent": row["Request User Agent"],
        "requestParameters": params,
        "responseElements": None,
        "requestID": row["Request ID"],
        "eventID": row["Event ID"],
        "readOnly": name != "PutObject",
        "resources": res,
        "eventType": row["Event Type"] or "AwsApiCall",
        "managementEvent": False,
        "recipientAccountId": HONEY_ACCOUNT,
        "eventCategory": "Data",
    }


def convert_honey(csv_path, out_path):
    recs = []
    with open(csv_path, encoding="utf-8-sig", errors="replace", newline="") as f:
        rd = csv.DictReader(f)
        for row in rd:
            try:
                recs.append(honey_record(row))
            except (KeyError, ValueError, TypeError) as e:
                note("%s:%d: %s; skipped" % (csv_path, rd.line_num, e))
    recs.sort(key=lambda r: r["eventTime"])
    with open(out_path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(recs)


def eval_otrf(runner, ddir, work):
    jobs = []
    for f in sorted(glob.glob(os.path.join(ddir, "ec2_proxy_s3_exfiltration*.json"))):
        jobs.append(("ec2-proxy-s3-exfiltration", [f]))
    honey = os.path.join(ddir, "AWS_S3_HoneyBucketLogs.csv")
    if os.path.isfile(honey):
        out = os.path.join(work, "otrf-honeybucket.json")
        convert_honey(honey, out)
        jobs.append(("s3-honeybucket-scanning", [out]))
    scans = runner.scan_many(jobs)
    return [Row(OTRF, n, scans[n].events_cell(KIND), type_counts(scans[n].findings))
            for n, _ in jobs]


# --- panther-aws-tests ------------------------------------------------------------------------


TIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?Z?$")
# A test log with no time at all gets this one (single-record tests do not
# depend on it); its events cell says so.
FILL_TIME = "2024-01-01T00:00:00Z"


def iso_time(v):
    """CloudTrail's YYYY-MM-DDTHH:MM:SSZ for Panther's time forms, else None."""
    m = TIME_RE.match(v.strip()) if isinstance(v, str) else None
    return "%sT%sZ" % (m.group(1), m.group(2)) if m else None


def panther_log(log):
    """(log as coalmine should read it, note). Panther's test logs write eventTime
    as "YYYY-MM-DD HH:MM:SS[.fraction]" and some have none but p_event_time."""
    t = iso_time(log.get("eventTime")) or iso_time(log.get("p_event_time"))
    if t is not None:
        if t == log.get("eventTime"):
            return log, ""
        return dict(log, eventTime=t), ""
    if "eventTime" in log:
        return log, ""  # unusable ("redacted"): coalmine reports it
    return dict(log, eventTime=FILL_TIME), "eventTime filled"


def mapping_for(rule, log):
    for rid, scope, types, why in panther_map.PANTHER_MAP:
        if rid != rule:
            continue
        call = ct_labels.call_name(log)
        if scope is None or any(fnmatch.fnmatchcase(call, p) for p in scope):
            return types, why
    return None, ""


def eval_panther(runner, ddir, work):
    path = os.path.join(ddir, "panther_aws_tests.jsonl")
    if not os.path.isfile(path):
        note("%s: panther_aws_tests.jsonl not found; skipped" % PANTHER)
        return None
    out = os.path.join(work, "panther")
    os.makedirs(out, exist_ok=True)
    tests = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                t = json.loads(line)
            except ValueError as e:
                note("%s:%d: not JSON (%s at column %d); skipped"
                     % (path, ln, getattr(e, "msg", e), getattr(e, "colno", 0)))
                continue
            try:
                kind = str(t.get("log_kind", ""))
                log = t["log"]
                rule, name, want = str(t["rule_id"]), str(t["test_name"]), t["expected_alert"]
            except (KeyError, AttributeError) as e:
                note("%s:%d: not a test record (no %s); skipped" % (path, ln, e))
                continue
            if not kind.startswith("AWS.CloudTrail"):
                continue
            if not isinstance(log, dict) or not isinstance(want, bool):
                note("%s:%d: log is not an object or expected_alert not a boolean; skipped"
                     % (path, ln))
                continue
            fname = os.path.join(out, "p%05d.json" % ln)
            conv, fill = panther_log(log)
            write_json(fname, conv)
            tests.append((ln, rule, name, want, log, fname, fill))
    note("%s: %d CloudTrail tests" % (PANTHER, len(tests)))
    scans = runner.scan_many([("panther:%d" % t[0], [t[5]]) for t in tests])
    rows = [PantherRow(rule, name, want, scans["panther:%d" % ln], log, fill)
            for ln, rule, name, want, log, _, fill in tests]
    rows.sort(key=lambda r: (r.rule, r.test))
    return rows


class PantherRow:
    """One Panther test: its scan, what fired, and the verdict for a mapped rule."""

    def __init__(self, rule, test, want, scan, log, fill):
        self.rule, self.test, self.want, self.scan, self.fill = rule, test, want, scan, fill
        self.counts = type_counts(scan.findings)
        self.types, self.why = mapping_for(rule, log)
        self.agree = None
        if self.types is not None and not scan.error:
            hit = any(fnmatch.fnmatchcase(t, p) for t in self.counts for p in self.types)
            self.agree = hit == want

    def events(self):
        return self.scan.events_cell(KIND) + (" (%s)" % self.fill if self.fill else "")


# --- output -----------------------------------------------------------------------------------


def tf(b):
    return "true" if b else "false"


def print_panther(rows):
    print("### Panther CloudTrail tests: expected alert and our findings\n")
    table(["rule", "test", "expected alert", "events", "findings fired", "issue #5 type",
           "agrees"],
          [(r.rule, r.test, tf(r.want), r.events(), fired_cell(r.counts),
            ", ".join(r.types or ()), "" if r.agree is None else ("yes" if r.agree else "no"))
           for r in rows])
    print("### Panther agreement for the rules that correspond to an issue #5 type\n")
    by_rule = collections.OrderedDict()
    for r in rows:
        if r.types is not None:
            by_rule.setdefault((r.rule, ", ".join(r.types), r.why), []).append(r)
    body, total, good, failed = [], 0, 0, 0
    for (rule, types, why), tests in by_rule.items():
        judged = [r for r in tests if r.agree is not None]
        ok = sum(1 for r in judged if r.agree)
        total += len(judged)
        good += ok
        failed += len(tests) - len(judged)
        bad = ["%s (expected %s, ours %s)" % (r.test, tf(r.want), fired_cell(r.counts))
               for r in judged if not r.agree]
        bad += ["%s (scan failed)" % r.test for r in tests if r.agree is None]
        body.append((rule, types, len(tests), ok, "; ".join(bad) or "-", why))
    table(["rule", "issue #5 type", "tests", "agree", "disagreements", "note"], body)
    print("Agreement: %d of %d mapped tests (%d rules)%s.\n"
          % (good, total, len(by_rule), "; %d scans failed" % failed if failed else ""))


def print_type_summary(rows, panther_rows):
    cols = [STRATUS, INVICTUS, OTRF]
    special = {WHOLE, ct_labels.UNIDENTIFIED, ct_labels.PREFLIGHT, ct_labels.UNLABELLED,
               UNATTRIBUTED}
    hits = collections.defaultdict(collections.Counter)
    for r in rows:
        if r.label in special:
            continue
        for t in r.counts:
            hits[t][r.dataset] += 1
    for pr in panther_rows or ():
        for t in pr.counts:
            hits[t][PANTHER] += 1
    n_tech = collections.Counter(r.dataset for r in rows if r.label not in special)
    heads = ["finding type"] + ["%s (of %d)" % (c, n_tech[c]) for c in cols]
    heads.append("%s tests (of %d)" % (PANTHER, len(panther_rows or ())))
    body = [[t] + [hits[t][c] for c in cols + [PANTHER]] for t in sorted(hits)]
    print("### Finding types: on how many techniques / scenarios / tests each fired\n")
    if body:
        table(heads, body)
    else:
        print("No finding fired on any technique.\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    geoip = find_geoip(a.data)
    runner = Runner(a.bin, a.work, geoip=geoip, jobs=a.jobs)
    print("## CloudTrail (issue #5)\n")
    print("Binary `%s`, data `%s`%s.\n" % (a.bin, a.data,
                                           ", `--geoip %s`" % geoip if geoip else ", no GeoIP"))

    rows, skipped, truncated, panther_rows = [], [], 0, None
    for ds in (STRATUS, INVICTUS, OTRF, PANTHER):
        ddir = os.path.join(a.data, ds)
        if not os.path.isdir(ddir):
            note("%s not found under %s; skipped" % (ds, a.data))
            skipped.append(ds)
            continue
        try:
            if ds == STRATUS:
                rows += eval_stratus(runner, ddir)
            elif ds == INVICTUS:
                r, truncated = eval_invictus(runner, ddir, a.work)
                rows += r
            elif ds == OTRF:
                rows += eval_otrf(runner, ddir, a.work)
            else:
                panther_rows = eval_panther(runner, ddir, a.work)
        except OSError as e:
            note("%s: cannot read %s (%s); skipped" % (ds, e.filename or ddir, e.strerror))
            skipped.append(ds)
    for ds in skipped:
        print("- %s: skipped (not found or not readable under %s)" % (ds, a.data))
    if skipped:
        print()

    if rows:
        print("### Findings per technique\n")
        table(["dataset", "technique or scenario", "events", "findings fired",
               "issue #5 type expected"],
              [(r.dataset, r.label, r.events, fired_cell(r.counts), expect_cell(r.label, r.counts))
               for r in rows])
        if truncated:
            print("%d %s finding(s) counted more events than the evidence records a finding "
                  "keeps (8); their technique attribution may be incomplete (the "
                  "%s row is exact).\n" % (truncated, INVICTUS, WHOLE))
    if rows or panther_rows:
        print_type_summary(rows, panther_rows)
    if panther_rows is not None:
        print_panther(panther_rows)
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
