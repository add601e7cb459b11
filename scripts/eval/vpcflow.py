#!/usr/bin/env python3
"""The VPC flow section of `make eval` (issue #6): what coalmine's findings are
on the labelled flow-log conversions of ../shared/data/derived-vpcflow, per
label class, at the entity level.

usage: vpcflow.py --bin COALMINE --data DATA --work DIR [--jobs N]

DATA is ../shared/data (scripts/run-eval resolves it). Each file of DATASETS
that is present under DATA/derived-vpcflow (gzipped or plain) is read with its
labels, written under WORK as flow-log files `coalmine scan` reads, scanned
(with --geoip when DATA has the MaxMind City test database), and reported; an
absent or unreadable one is reported as skipped. Prints Markdown on stdout:

1. the label classes and the GuardDuty types each should fire (EXPECT), with
   the reason;
2. per class: flow records, entities, entities with a finding, findings fired
   (type xN findings), the expected types (fired / not fired on the class's
   entities), true and false positives, false negatives, precision and recall
   at the entity level; per dataset the "(all classes)" row (any finding on a
   malicious entity is a hit, any on a benign one a false positive);
3. per finding type: findings, entities, where expected, on benign entities,
   on no labelled entity.

Entities (docs/eval.md has the reasons):
- Datasets labelled per record (cicids2017, ctu-sme-11): an entity is the
  record's interface with its two addresses (ENI, {a, b}): the attacker and
  victim, or two benign hosts.
- Datasets labelled per file (the Slips captures): the capture's interface.
- A finding lands on the entities of its resource (networkInterfaceId, or the
  ENIs the records give its instanceId) whose address pair holds its remote
  address (networkConnectionAction.remoteIpDetails,
  portProbeAction.portProbeDetails[].remoteIpDetails) and its local address
  (localIpDetails; ignored when no record of the ENI has it). A finding that
  lands on none is counted "on no labelled entity".

How each dataset is scanned:
- Default-format records carry no region, which coalmine takes from the
  delivery key, so every file is written under
  WORK/.../AWSLogs/<account>/vpcflowlogs/us-east-1/<yyyy>/<mm>/<dd>/.
- cicids2017: one scan per label class (its records in event-time order, fresh
  detector state): the classes were sampled apart, on different days, and
  most attacks share one attacker/victim pair, so only a scan per class
  attributes a finding to a class. One more scan of every record in event-time
  order gives the "(all classes, one scan in time order)" row.
- The others: one scan each, records in file order.

Bad input: a record or label row that cannot be read is reported as
FILE:LINE: reason and skipped (not scanned); records coalmine rejects are
counted in the "flow records" cell.

Exit status: 0, or 1 when a scan failed (the tables still print), 2 on usage.
"""
import argparse
import collections
import datetime
import fnmatch
import gzip
import ipaddress
import os
import re
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evallib import Runner, fired_cell, find_geoip, note, table  # noqa: E402

DSDIR = "derived-vpcflow"
KIND = "vpcflow"
# Default-format records have no region field; coalmine reads it from the key.
REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
                  "packets bytes start end action log-status").split()
ALL = "(all classes)"
ALL_PER_CLASS = "(all classes, a scan per class)"
ALL_ONE_SCAN = "(all classes, one scan in time order)"
NOWHERE = "(no labelled entity)"
UNMAPPED = "(not mapped)"
# Classes that are neither attack nor benign: left out of precision and recall.
NEUTRAL = ("Unknown", "(unlabelled)")
HEADER_TOKEN = re.compile(r"^[a-z][a-z0-9-]*$")


def is_benign(cls):
    return cls.lower() == "benign"


def cic_class(row):
    return row.get("label", "").strip() or "(unlabelled)"


def ctu_class(row):
    """Benign / Malicious (<detail without its From_x-To_y- prefix>) / Unknown."""
    label = row.get("label", "").strip()
    if label.lower() == "benign":
        return "Benign"
    if label.lower() == "malicious":
        what = re.sub(r"^From_[A-Za-z]+-To_[A-Za-z]+-?", "", row.get("detail", "").strip())
        return "Malicious (%s)" % what if what else "Malicious"
    return label or "(unlabelled)"


def file_class(name):
    """The class of a capture labelled per file: its rows say Malicious."""
    def cls(row):
        label = row.get("label", "").strip().lower()
        if label == "malicious":
            return name
        return "Benign" if label == "benign" else "(unlabelled)"
    return cls


class Dataset:
    """One file of derived-vpcflow: its labels, entity kind and scan plan.

    labels None: every record is of class `whole` (SOURCES.md says so).
    entity "pair" (ENI, {a, b}) or "eni". per_class: one scan per class."""

    def __init__(self, name, log, labels, entity, class_of, per_class=False, whole=None):
        self.name, self.log, self.labels = name, log, labels
        self.entity, self.class_of, self.per_class, self.whole = entity, class_of, per_class, whole


DATASETS = (
    Dataset("cicids2017", "cicids2017_sample_vpcflow_v2.log",
            "cicids2017_sample_vpcflow_v2.labels.tsv", "pair", cic_class, per_class=True),
    Dataset("ctu-sme-11", "ctu_sme_11_excerpt_vpcflow_v2.log",
            "ctu_sme_11_excerpt_vpcflow_v2.labels.tsv", "pair", ctu_class),
    Dataset("slips-portscan-vertical", "slips_portscan_vertical_vpcflow_v2.log",
            "slips_portscan_vertical_vpcflow_v2.labels.tsv", "eni",
            file_class("Portscan (vertical)")),
    Dataset("slips-portscan-horizontal", "slips_portscan_horizontal_vpcflow_v2.log",
            "slips_portscan_horizontal_vpcflow_v2.labels.tsv", "eni",
            file_class("Portscan (horizontal)")),
    Dataset("slips-ssh-bruteforce", "slips_ssh_bruteforce_vpcflow_custom.log", None, "eni",
            None, whole="SSH brute force (TCP/902)"),
)

PORTSCAN = ("Recon:EC2/Portscan", "Recon:EC2/PortProbeUnprotectedPort")
DOS = ("Backdoor:EC2/DenialOfService.*",)
DOS_WHY = ("a flood of the web server 192.168.10.50 from 172.16.0.1, seen at the victim's "
           "interface; GuardDuty's DoS types are outbound floods to public addresses, and "
           "both ends here are private")
APP_LAYER = "an application-layer attack; no GuardDuty flow type describes it"

# Class -> (fnmatch patterns of the types that should fire, why). () is
# "nothing should fire" (benign); None is "no GuardDuty type corresponds"
# (the class is left out of the agreement count). Classes absent here and not
# benign or neutral are shown as "(not mapped)".
EXPECT = {
    "BENIGN": ((), "benign traffic"),
    "Benign": ((), "benign traffic"),
    "Portscan": (PORTSCAN, "nmap from 172.16.0.1 against 192.168.10.50's ports: the pair's "
                           "interface sees one host try many ports of another"),
    "Infiltration - Portscan": (PORTSCAN, "an infected inside host (192.168.10.8) scans the "
                                          "others; each victim's interface sees it"),
    "SSH-Patator": (("UnauthorizedAccess:EC2/SSHBruteForce",), "SSH password guessing on TCP/22"),
    "FTP-Patator": (None, "FTP password guessing; GuardDuty has no FTP brute-force type"),
    "DoS Hulk": (DOS, DOS_WHY),
    "DoS GoldenEye": (DOS, DOS_WHY),
    "DoS Slowloris": (DOS, DOS_WHY + "; slow attacks are few packets, no volume"),
    "DoS Slowhttptest": (DOS, DOS_WHY + "; slow attacks are few packets, no volume"),
    "DDoS": (DOS, "LOIC (three hosts behind 172.16.0.1): " + DOS_WHY),
    "Heartbleed": (None, "a TLS exploit (port 444); flows show only a long connection"),
    "Web Attack - Brute Force": (None, APP_LAYER),
    "Web Attack - XSS": (None, APP_LAYER),
    "Web Attack - SQL Injection": (None, APP_LAYER),
    "Botnet": (("Backdoor:EC2/C&CActivity.B",),
               "Ares bots call their C&C 205.174.165.73:8080; fires only with the C&C on a "
               "threat list"),
    "Infiltration": (("Behavior:EC2/NetworkPortUnusual", "Backdoor:EC2/C&CActivity.B"),
                     "a meterpreter session from an infected host to 205.174.165.73:444, a "
                     "remote port the host never used"),
    "Malicious (Malware_data_exfiltration-RemcosRAT)":
        (("Behavior:EC2/TrafficVolumeUnusual", "Behavior:EC2/NetworkPortUnusual",
          "Backdoor:EC2/C&CActivity.B"),
         "RemcosRAT exfiltration to its C&C (TCP/5888): new remote port, volume out"),
    "Portscan (vertical)": (("Recon:EC2/Portscan",),
                            "one host tries 44 ports of one public host (file-level label; "
                            "the file also holds its DNS and one HTTPS connection)"),
    "Portscan (horizontal)": (("Impact:EC2/PortSweep",),
                              "file-level label (the source folder's name): TCP/80 to 25 "
                              "hosts in 32 s, most with an HTTP exchange; a small sweep"),
    "SSH brute force (TCP/902)": (None, "SSH password guessing on TCP/902; GuardDuty's "
                                        "SSHBruteForce covers TCP/22 only"),
}


# --- reading ----------------------------------------------------------------------------------


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def locate(ddir, name):
    """NAME.gz or NAME under DDIR, else None."""
    for n in (name + ".gz", name):
        p = os.path.join(ddir, n)
        if os.path.isfile(p):
            return p
    return None


class Record:
    __slots__ = ("line", "text", "header", "eni", "instance", "src", "dst", "start", "account",
                 "cls")

    def __init__(self, line, text, header):
        self.line, self.text, self.header = line, text, header
        self.eni = self.instance = self.src = self.dst = self.account = self.cls = None
        self.start = 0


def address(v):
    """The canonical text of an address, None for '-' (NODATA/SKIPDATA); ValueError else."""
    if v == "-":
        return None
    return str(ipaddress.ip_address(v))


def read_flow_log(path):
    """(records, numbers of the lines skipped): each record keeps the header line in
    force for it (the default format's names when the file has none)."""
    recs, bad, fields, header = [], set(), DEFAULT_FIELDS, None
    with open_text(path) as f:
        for ln, raw in enumerate(f, 1):
            text = raw.rstrip("\r\n")
            toks = text.split()
            if not toks:
                continue
            if all(HEADER_TOKEN.match(t) for t in toks) and ("srcaddr" in toks or
                                                               "dstaddr" in toks):
                fields, header = toks, text
                continue
            if len(toks) != len(fields):
                note("%s:%d: %d fields, the header names %d; skipped"
                     % (path, ln, len(toks), len(fields)))
                bad.add(ln)
                continue
            v = dict(zip(fields, toks))
            r = Record(ln, text, header)
            try:
                r.src = address(v.get("srcaddr", "-"))
                r.dst = address(v.get("dstaddr", "-"))
            except ValueError as e:
                note("%s:%d: %s; skipped" % (path, ln, e))
                bad.add(ln)
                continue
            r.eni = v.get("interface-id", "-")
            inst = v.get("instance-id", "-")
            r.instance = inst if inst != "-" else None
            acct = v.get("account-id", "-")
            r.account = acct if re.match(r"^\d{12}$", acct) else None
            try:
                r.start = int(v.get("start", "0"))
            except ValueError:
                r.start = 0  # coalmine rejects the record; it sorts first
            recs.append(r)
    return recs, bad


def read_labels(path):
    """{log line number: row dict} from a line-aligned labels TSV (header row first)."""
    rows = {}
    with open_text(path) as f:
        head = None
        for ln, raw in enumerate(f, 1):
            text = raw.rstrip("\r\n")
            if not text.strip():
                continue
            cols = text.split("\t")
            if head is None:
                if "line" not in cols or "label" not in cols:
                    raise ValueError("%s:%d: no 'line' and 'label' columns" % (path, ln))
                head = cols
                continue
            if len(cols) != len(head):
                note("%s:%d: %d columns, the header has %d; skipped"
                     % (path, ln, len(cols), len(head)))
                continue
            row = dict(zip(head, cols))
            try:
                n = int(row["line"])
                if n < 1:
                    raise ValueError
            except ValueError:
                note("%s:%d: line %r is not a line number; skipped" % (path, ln, row["line"]))
                continue
            if n in rows:
                note("%s:%d: a second label for line %d; skipped" % (path, ln, n))
                continue
            rows[n] = row
    return rows


def label_records(ds, log_path, recs, bad, labels_path, rows):
    """Sets each record's class; drops (and reports) records without a label."""
    if rows is None:
        for r in recs:
            r.cls = ds.whole
        return recs
    out = []
    for r in recs:
        row = rows.pop(r.line, None)
        if row is None:
            note("%s:%d: no label row for this record in %s; skipped"
                 % (log_path, r.line, os.path.basename(labels_path)))
            continue
        r.cls = ds.class_of(row)
        out.append(r)
    for n in sorted(set(rows) - bad):
        note("%s: a label for line %d, which is no flow record of %s; ignored"
             % (labels_path, n, os.path.basename(log_path)))
    return out


# --- entities and scans -----------------------------------------------------------------------


class Unit:
    """One entity in one scan: its classes (records per class) and the findings on it."""

    def __init__(self, scan, key, eni, addrs):
        self.scan, self.key, self.eni, self.addrs = scan, key, eni, addrs
        self.classes = collections.Counter()
        self.types = collections.Counter()  # finding type -> findings

    def label_kind(self):
        """'attack', 'benign' or 'neutral' (only neutral classes)."""
        kinds = {("neutral" if c in NEUTRAL else "benign" if is_benign(c) else "attack")
                 for c in self.classes}
        for k in ("attack", "benign"):
            if k in kinds:
                return k
        return "neutral"


def entity_of(ds, r):
    """(key, eni, address set) of a record's entity, or None (no addresses)."""
    if ds.entity == "eni":
        return (r.eni,), r.eni, None
    if r.src is None or r.dst is None:
        return None
    pair = frozenset((r.src, r.dst))
    return (r.eni, pair), r.eni, pair


class ScanPlan:
    """The records of one scan, the entities they make, and the scan's result."""

    def __init__(self, name, recs, ds):
        self.name, self.recs, self.ds = name, recs, ds
        self.units = collections.OrderedDict()
        self.instances = collections.defaultdict(set)
        self.scan = None
        self.unattributed = collections.Counter()
        self.findings = []  # (type, [units])
        for r in recs:
            e = entity_of(ds, r)
            if r.instance:
                self.instances[r.instance].add(r.eni)
            if e is None:
                continue
            key, eni, addrs = e
            u = self.units.get(key)
            if u is None:
                u = self.units[key] = Unit(name, key, eni, addrs)
            u.classes[r.cls] += 1

    def write(self, work, name):
        """Writes the records under an AWSLogs key holding the region; returns the path."""
        acct = next((r.account for r in self.recs if r.account), DEFAULT_ACCOUNT)
        starts = [r.start for r in self.recs if r.start > 0]
        try:
            day = datetime.datetime.fromtimestamp(min(starts) if starts else 0,
                                                  datetime.timezone.utc)
        except (OverflowError, OSError, ValueError):
            day = datetime.datetime.fromtimestamp(0, datetime.timezone.utc)
        d = os.path.join(work, name, "AWSLogs", acct, "vpcflowlogs", REGION,
                         day.strftime("%Y"), day.strftime("%m"), day.strftime("%d"))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name + ".log")
        with open(path, "w", encoding="utf-8") as f:
            last = None
            for r in self.recs:
                if r.header is not None and r.header != last:
                    f.write(r.header + "\n")
                    last = r.header
                f.write(r.text + "\n")
        return path

    def attribute(self):
        """Lands each finding of the scan on its entities."""
        by_eni = collections.defaultdict(list)
        eni_addrs = collections.defaultdict(set)
        for u in self.units.values():
            by_eni[u.eni].append(u)
            if u.addrs:
                eni_addrs[u.eni] |= u.addrs
        for f in self.scan.findings:
            t = f.get("type", "?")
            enis, remotes, locals_ = finding_keys(f)
            for i in list(enis):
                enis |= self.instances.get(i, set())
            hit = []
            for eni in sorted(e for e in enis if e in by_eni):
                loc = {a for a in locals_ if a in eni_addrs[eni]}
                for u in by_eni[eni]:
                    if u.addrs is not None:
                        if remotes and not (remotes & u.addrs):
                            continue
                        if loc and not (loc & u.addrs):
                            continue
                    hit.append(u)
            for u in hit:
                u.types[t] += 1
            if not hit:
                self.unattributed[t] += 1
            self.findings.append((t, hit))


def _ip(details):
    if not isinstance(details, dict):
        return None
    for k in ("ipAddressV4", "ipAddressV6"):
        v = details.get(k)
        if isinstance(v, str):
            try:
                return address(v)
            except ValueError:
                return None
    return None


def finding_keys(f):
    """(resource ids: ENIs and instance id, remote addresses, local addresses) of a finding."""
    res = f.get("resource") if isinstance(f.get("resource"), dict) else {}
    inst = res.get("instanceDetails") if isinstance(res.get("instanceDetails"), dict) else {}
    ids = set()
    if isinstance(inst.get("instanceId"), str):
        ids.add(inst["instanceId"])
    for ni in inst.get("networkInterfaces") or ():
        if isinstance(ni, dict) and isinstance(ni.get("networkInterfaceId"), str):
            ids.add(ni["networkInterfaceId"])
    svc = f.get("service") if isinstance(f.get("service"), dict) else {}
    act = svc.get("action") if isinstance(svc.get("action"), dict) else {}
    remotes, locals_ = set(), set()
    details = []
    nca = act.get("networkConnectionAction")
    if isinstance(nca, dict):
        details.append(nca)
    ppa = act.get("portProbeAction")
    if isinstance(ppa, dict):
        details += [d for d in ppa.get("portProbeDetails") or () if isinstance(d, dict)]
    for d in details:
        r, lo = _ip(d.get("remoteIpDetails")), _ip(d.get("localIpDetails"))
        if r:
            remotes.add(r)
        if lo:
            locals_.add(lo)
    return ids, remotes, locals_


def slug(i, text):
    return "%02d-%s" % (i, re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x")


def load_dataset(ds, ddir):
    """(records, log path) of one dataset, or None when its files are absent."""
    log = locate(ddir, ds.log)
    if log is None:
        return None
    rows, lab = None, None
    if ds.labels is not None:
        lab = locate(ddir, ds.labels)
        if lab is None:
            return None
        rows = read_labels(lab)
    recs, bad = read_flow_log(log)
    return label_records(ds, log, recs, bad, lab, rows), log


def plan_scans(ds, recs, work):
    """The scans of a dataset: [(ScanPlan, path)], the per-class ones first."""
    plans = []
    if ds.per_class:
        by_cls = collections.OrderedDict()
        for r in recs:
            by_cls.setdefault(r.cls, []).append(r)
        for cls in sorted(by_cls):
            part = sorted(by_cls[cls], key=lambda r: (r.start, r.line))
            plans.append(ScanPlan("%s:%s" % (ds.name, cls), part, ds))
        plans.append(ScanPlan("%s:%s" % (ds.name, ALL_ONE_SCAN),
                              sorted(recs, key=lambda r: (r.start, r.line)), ds))
    else:
        plans.append(ScanPlan("%s:%s" % (ds.name, ALL), recs, ds))
    base = os.path.join(work, ds.name)
    return [(p, p.write(base, slug(i, p.name.split(":", 1)[1]))) for i, p in enumerate(plans)]


# --- measures ---------------------------------------------------------------------------------


def expect_of(cls):
    """(patterns, why): () is "nothing should fire", None "no type corresponds"."""
    if cls in EXPECT:
        return EXPECT[cls]
    if is_benign(cls):
        return (), "benign traffic"
    return None, UNMAPPED


def matches(t, pats):
    return any(fnmatch.fnmatchcase(t, p) for p in pats or ())


def expected_on(u, t):
    """Whether type t is expected for one of unit u's classes."""
    return any(matches(t, expect_of(c)[0]) for c in u.classes)


def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"


class ClassRow:
    """One class of one dataset: its entities, the findings on them, the verdict."""

    def __init__(self, dataset, cls, flows, units, findings, unattributed, error=None):
        self.dataset, self.cls, self.flows, self.error = dataset, cls, flows, error
        self.pats, self.why = expect_of(cls)
        mine = [u for u in units if cls in u.classes]
        self.entities = len(mine)
        self.flagged = sum(1 for u in mine if u.types)
        self.counts = collections.Counter(t for t, hit in findings
                                          if any(cls in u.classes for u in hit))
        self.tp = self.fp = self.fn = None
        self.agree = None  # None: not judged
        if cls in NEUTRAL or error or self.pats is None:
            return
        if self.pats == ():  # benign: every finding on it is a false positive
            self.fp = sum(1 for u in mine if u.types and u.label_kind() == "benign")
            self.agree = self.fp == 0
            return
        self.tp = sum(1 for u in mine if any(matches(t, self.pats) for t in u.types))
        self.fn = self.entities - self.tp
        self.fp = sum(1 for u in units if cls not in u.classes and
                      any(matches(t, self.pats) and not expected_on(u, t) for t in u.types))
        self.fp += sum(n for t, n in unattributed.items() if matches(t, self.pats))
        self.agree = self.tp > 0

    def expect_cell(self):
        if self.cls in NEUTRAL:
            return "(not counted)"
        if self.error:
            return "(scan failed)"
        if self.pats is None:
            return UNMAPPED if self.why == UNMAPPED else "none (no GuardDuty type)"
        if self.pats == ():
            return "nothing (%s)" % ("quiet" if self.fp == 0 else "%d flagged" % self.fp)
        fired = ["fired" if any(matches(t, (p,)) for t in self.counts) else "not fired"
                 for p in self.pats]
        return ", ".join("%s (%s)" % pf for pf in zip(self.pats, fired))

    def cells(self):
        head = [self.dataset, self.cls, self.error or self.flows, self.entities, self.flagged,
                fired_cell(self.counts), self.expect_cell()]
        if self.error:
            return head + [""] * 5
        if self.cls in NEUTRAL or self.pats is None:
            return head + ["n/a"] * 5
        if self.pats == ():
            return head + ["-", self.fp, "-", "-", "-"]
        return head + [self.tp, self.fp, self.fn, ratio(self.tp, self.tp + self.fp),
                       ratio(self.tp, self.tp + self.fn)]


def binary_row(dataset, label, units, findings, unattributed, events, failed):
    """Any finding on a malicious entity is a hit; on a benign one, or on none, a false alarm."""
    mal = [u for u in units if u.label_kind() == "attack"]
    ben = [u for u in units if u.label_kind() == "benign"]
    tp = sum(1 for u in mal if u.types)
    fp = sum(1 for u in ben if u.types) + sum(unattributed.values())
    fn = len(mal) - tp
    counts = collections.Counter(t for t, _ in findings)
    head = [dataset, label, events, len(units), sum(1 for u in units if u.types),
            fired_cell(counts), "any type on a malicious entity, none on a benign one"]
    if failed:
        return head + [""] * 5
    return head + [tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn)]


def plan_binary_row(dataset, label, plan):
    return binary_row(dataset, label, list(plan.units.values()), plan.findings,
                      plan.unattributed, plan.scan.events_cell(KIND), bool(plan.scan.error))


def merged_events(scans):
    """The events cell of several scans read as one."""
    bad = [s for s in scans if s.error]
    if bad:
        return "scan failed: " + bad[0].error
    n = sum(s.records(KIND) for s in scans)
    rej = sum(s.rejected(KIND) + s.rejected("files") for s in scans)
    return str(n) if rej == 0 else "%d (+%d rejected)" % (n, rej)


class Result:
    """What one dataset gives the tables."""

    def __init__(self, name):
        self.name = name
        self.rows = []   # ClassRow
        self.extra = []  # cells of the "(no labelled entity)" and "(all classes...)" rows
        self.types = []  # cells of the finding-type table


def eval_dataset(runner, ds, ddir, work):
    """The Result of one dataset, or None when it is absent."""
    got = load_dataset(ds, ddir)
    if got is None:
        return None
    recs, log = got
    if not recs:
        note("%s: no flow record with a label; skipped" % log)
        return None
    plans = plan_scans(ds, recs, work)
    note("%s: %d records, %d classes, %d scans" %
         (ds.name, len(recs), len({r.cls for r in recs}), len(plans)))
    scans = runner.scan_many([(p.name, [path]) for p, path in plans])
    for p, _ in plans:
        p.scan = scans[p.name]
        p.attribute()
    whole = [p for p, _ in plans if p.name.endswith(ALL_ONE_SCAN)]
    parts = [p for p, _ in plans if p not in whole]
    units = [u for p in parts for u in p.units.values()]
    findings = [x for p in parts for x in p.findings]
    unattributed = collections.Counter()
    for p in parts:
        unattributed.update(p.unattributed)

    res = Result(ds.name)
    flows = collections.Counter(r.cls for r in recs)
    for cls in sorted(flows, key=lambda c: (c in NEUTRAL, not is_benign(c), c)):
        scan = parts[0].scan
        if ds.per_class:
            scan = next(p.scan for p in parts if p.name == "%s:%s" % (ds.name, cls))
        row = ClassRow(ds.name, cls, flows[cls], units, findings, unattributed,
                       "scan failed: " + scan.error if scan.error else None)
        if ds.per_class and not scan.error and (scan.rejected(KIND) or scan.rejected("files")):
            row.flows = scan.events_cell(KIND)  # what coalmine read, and why it rejected
        res.rows.append(row)
    if unattributed:
        res.extra.append([ds.name, NOWHERE, "", "", "", fired_cell(unattributed)] + [""] * 6)
    if ds.per_class:
        res.extra.append(binary_row(ds.name, ALL_PER_CLASS, units, findings, unattributed,
                                    merged_events([p.scan for p in parts]),
                                    any(p.scan.error for p in parts)))
        res.extra += [plan_binary_row(ds.name, ALL_ONE_SCAN, p) for p in whole]
    else:
        res.extra.append(plan_binary_row(ds.name, ALL, parts[0]))
    for t in sorted({t for t, _ in findings}):
        mine = [hit for tt, hit in findings if tt == t]
        flagged = list({id(u): u for hit in mine for u in hit}.values())
        res.types.append((ds.name, t, len(mine), len(flagged),
                          sum(1 for u in flagged if expected_on(u, t)),
                          sum(1 for u in flagged if u.label_kind() == "benign"),
                          unattributed.get(t, 0)))
    return res


# --- output -----------------------------------------------------------------------------------


def expect_summary(row):
    if row.cls in NEUTRAL:
        return "(not counted)", "neither attack nor benign"
    if row.pats is None:
        return ("(not mapped)" if row.why == UNMAPPED else "none"), row.why
    return ("nothing" if row.pats == () else ", ".join(row.pats)), row.why


def print_tables(results):
    rows = [row for res in results for row in res.rows]
    print("### Label classes and the finding types expected\n")
    table(["dataset", "class", "types that should fire", "why"],
          [(row.dataset, row.cls) + expect_summary(row) for row in rows])

    print("### Per class, at the entity level\n")
    print("An entity is an interface with the two addresses of its records (datasets "
          "labelled per record), or the capture's interface (labelled per file). TP: "
          "entities of the class with an expected type. FP: entities of other classes, or "
          "none, with one of the class's expected types that is not theirs; for a benign "
          "class, its entities with any finding. FN: entities of the class without an "
          "expected type.\n")
    body = []
    for res in results:
        body += [row.cells() for row in res.rows] + res.extra
    table(["dataset", "class", "flow records", "entities", "entities with a finding",
           "findings fired", "expected types", "TP", "FP", "FN", "precision", "recall"], body)
    judged = [row for row in rows if row.agree is not None]
    nomap = sum(1 for row in rows if row.pats is None and row.cls not in NEUTRAL)
    failed = sum(1 for row in rows if row.error and row.cls not in NEUTRAL and
                 row.pats is not None)
    print("Agreement: %d of %d classes (an expected type fired on the class's entities, or "
          "nothing on a benign class); %d attack classes have no GuardDuty type%s.\n"
          % (sum(1 for r in judged if r.agree), len(judged), nomap,
             "; %d classes not judged (scan failed)" % failed if failed else ""))

    print("### Finding types\n")
    types = [t for res in results for t in res.types]
    if types:
        table(["dataset", "type", "findings", "entities", "where expected",
               "on benign entities", "on no labelled entity"], types)
    else:
        print("No finding fired.\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    geoip = find_geoip(a.data)
    # The lab captures' attackers reach the victims from private addresses (CIC-IDS2017's
    # come through the firewall's inside address 172.16.0.1), so brute force from inside
    # the network is counted, as a user monitoring such a network would set it.
    conf = os.path.join(a.work, "coalmine.yaml")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("detectors:\n  vpcflow:\n    brute_force_private_remotes: true\n")
    runner = Runner(a.bin, a.work, geoip=geoip, jobs=a.jobs, extra=["--config", conf])
    print("## VPC Flow Logs (issue #6)\n")
    print("Binary `%s`, data `%s`%s, `--config` with "
          "`detectors.vpcflow.brute_force_private_remotes: true` (the lab attackers come "
          "from private addresses).\n" % (a.bin, a.data,
                                           ", `--geoip %s`" % geoip if geoip else ", no GeoIP"))
    ddir = os.path.join(a.data, DSDIR)
    if not os.path.isdir(ddir):
        note("%s not found under %s; skipped" % (DSDIR, a.data))
        print("- %s: skipped (not found or not readable under %s)\n" % (DSDIR, a.data))
        return 0
    results, skipped = [], []
    for ds in DATASETS:
        try:
            res = eval_dataset(runner, ds, ddir, a.work)
        except (OSError, EOFError, zlib.error, ValueError) as e:
            what = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            note("%s: cannot read (%s); skipped" % (ds.name, what))
            res = None
        if res is None:
            skipped.append(ds)
        else:
            results.append(res)
    for ds in skipped:
        print("- %s/%s: skipped (not found or not readable under %s)" % (DSDIR, ds.log, a.data))
    if skipped:
        print()
    if results:
        print_tables(results)
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
