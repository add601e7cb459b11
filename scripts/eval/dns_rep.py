#!/usr/bin/env python3
"""The domain reputation section of `make eval` (issue #7, part 3): how the
four Impact:EC2/...DomainRequest.Reputation types and
UnauthorizedAccess:EC2/MetadataDNSRebind behave on ../shared/data
(lib/detect/dns_reputation.c, dns_rebind.c; docs/detectors/dns-reputation.md).

usage: dns_rep.py --bin COALMINE --data DATA --work DIR [--jobs N] [--sample N]

DATA is ../shared/data (scripts/run-eval resolves it). Prints Markdown:

1. Names scored as if new to the environment: every name of a list goes
   through `coalmine dns score --explain`, which gives the type a scan would
   report were the name's site first seen after the learning day and asked
   by one instance (no threat lists). That is the worst case for the benign
   lists (in a scan a popular domain is part of the history and stays quiet)
   and the best case for the malicious ones (their closeness to listed
   infrastructure is not counted). Benign: top-domains (100,000), dns-dga's
   opendns top and random-looking lists, the background names of
   derived-route53. Malicious: the mining hosts of coinblockerlists (expect
   Bitcoin), the DGA families of dns-dga (--sample names each), the domain
   names of maltrail's malware trails (--sample of them, a fixed stride).
2. A scan of derived-route53 (line-aligned labels), each capture
   (source_pcap) one instance of one account, so the learning day is the
   first capture's and every later capture's sites are new: the findings of
   the five types per capture kind (tunnelling or background).

Bad input: a line that cannot be read is reported as FILE:LINE: reason on
stderr and skipped. Exit status: 0, or 1 when a scan or a scoring run
failed (the tables still print), 2 on usage.
"""
import argparse
import collections
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evallib import Runner, note, table  # noqa: E402

TYPES = {
    "Impact:EC2/AbusedDomainRequest.Reputation": "Abused",
    "Impact:EC2/BitcoinDomainRequest.Reputation": "Bitcoin",
    "Impact:EC2/MaliciousDomainRequest.Reputation": "Malicious",
    "Impact:EC2/SuspiciousDomainRequest.Reputation": "Suspicious",
    "UnauthorizedAccess:EC2/MetadataDNSRebind": "MetadataDNSRebind",
}
SHORT = ["Abused", "Bitcoin", "Malicious", "Suspicious"]
DGA_FAMILIES = ["conficker", "cryptolocker", "goz", "matsnu", "new_goz", "pushdo", "ramdo",
                "rovnix", "tinba", "zeus"]
HOST = re.compile(r"^[A-Za-z0-9_.-]+\.[A-Za-z0-9-]+$")
ACCOUNT = "123456789012"


def read_lines(path):
    """Lines of a plain or gzipped text file; None when it cannot be read."""
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except (OSError, EOFError, zlib.error) as e:
        note("%s: cannot read (%s); skipped" % (path, e))
        return None


def host_of(indicator):
    """The host name of a trail indicator (URL, host:port or name), or None."""
    h = re.sub(r"^[a-z]+://", "", indicator.strip().lower()).split("/")[0].split(":")[0]
    if not h or re.fullmatch(r"[0-9.]+", h) or not HOST.match(h):
        return None
    return h


def score(binary, names):
    """{type short name: count} and the number scored, for NAMES through dns score --explain."""
    p = subprocess.run([binary, "dns", "score", "--explain", "--max-bad", "0"],
                       input=("\n".join(names) + "\n").encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:])
    counts, n = collections.Counter(), 0
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        if len(f) != 5:
            continue
        n += 1
        if f[3] != "-":
            counts[TYPES.get(f[3], f[3])] += 1
    return counts, n


def pct(k, n):
    return "%d (%.3f%%)" % (k, 100.0 * k / n) if n else "0"


def name_lists(data, sample):
    """(dataset, side, names) for every list found under DATA."""
    out = []
    p = os.path.join(data, "top-domains", "top-100000-domains")
    if os.path.isfile(p):
        out.append(("top-domains top-100000", "benign", read_lines(p) or []))
    else:
        note("no %s; skipped" % p)
    dga = os.path.join(data, "dns-dga", "andrewaeva")
    for base, label in (("opendns-top-domains.txt", "dns-dga opendns top"),
                        ("opendns-random-domains.txt", "dns-dga opendns random-looking")):
        p = os.path.join(dga, base)
        if os.path.isfile(p):
            out.append((label, "benign", read_lines(p) or []))
        else:
            note("no %s; skipped" % p)
    bg = route53_background_names(data)
    if bg is not None:
        out.append(("derived-route53 background names", "benign", bg))
    p = os.path.join(data, "threatintel", "coinblockerlists-2018", "list.txt")
    if os.path.isfile(p):
        names = [x.strip() for x in read_lines(p) or [] if x.strip() and not x.startswith("#")]
        out.append(("coinblockerlists mining hosts", "malicious", names))
    else:
        note("no %s; skipped" % p)
    for fam in DGA_FAMILIES:
        p = os.path.join(dga, fam + ".txt.gz")
        if os.path.isfile(p):
            out.append(("dns-dga %s (first %d)" % (fam, sample), "malicious",
                        (read_lines(p) or [])[:sample]))
    p = os.path.join(data, "threatintel", "maltrail", "malware_trails.tsv.gz")
    if os.path.isfile(p):
        hosts = set()
        for i, line in enumerate(read_lines(p) or [], 1):
            if i == 1:
                continue
            f = line.split("\t")
            if len(f) != 2:
                note("%s:%d: not family<TAB>indicator; skipped" % (p, i))
                continue
            h = host_of(f[1])
            if h:
                hosts.add(h)
        hosts = sorted(hosts)
        stride = max(1, len(hosts) // sample)
        out.append(("maltrail malware trail hosts (every %dth)" % stride, "malicious",
                    hosts[::stride][:sample]))
    else:
        note("no %s; skipped" % p)
    return out


def route53_lines(data):
    """[(record dict, labels dict)] of derived-route53, or None when absent."""
    d = os.path.join(data, "derived-route53")
    rec = os.path.join(d, "domainator_route53_resolver.jsonl.gz")
    lab = os.path.join(d, "domainator_route53_resolver.labels.tsv.gz")
    if not (os.path.isfile(rec) and os.path.isfile(lab)):
        note("no %s; skipped" % d)
        return None
    recs, labs = read_lines(rec), read_lines(lab)
    if recs is None or labs is None:
        return None
    head = labs[0].split("\t")
    out = []
    for i, line in enumerate(recs, 1):
        if i >= len(labs):
            note("%s:%d: no label row; skipped" % (rec, i))
            continue
        try:
            r = json.loads(line)
        except ValueError as e:
            note("%s:%d: not JSON (%s); skipped" % (rec, i, e))
            continue
        lv = labs[i].split("\t")
        if len(lv) != len(head):
            note("%s:%d: %d columns, not %d; skipped" % (lab, i + 1, len(lv), len(head)))
            continue
        out.append((r, dict(zip(head, lv))))
    return out


def route53_background_names(data):
    lines = route53_lines(data)
    if lines is None:
        return None
    return sorted({r.get("query_name", "") for r, l in lines
                   if l.get("is_tunnel") == "0" and r.get("query_name")})


def route53_scan(data, runner, work):
    """Markdown rows: findings of the five types per capture kind, and the scan."""
    lines = route53_lines(data)
    if lines is None:
        return None
    kind = {}
    for r, l in lines:
        cap = l.get("source_pcap", "?")
        if l.get("is_tunnel") == "1":
            kind[cap] = "tunnelling"
        else:
            kind.setdefault(cap, "background")
    inst = {c: "i-" + hashlib.sha1(c.encode()).hexdigest()[:17] for c in kind}
    lines.sort(key=lambda x: x[0].get("query_timestamp", ""))
    path = os.path.join(work, "route53.log")
    with open(path, "w", encoding="utf-8") as f:
        for r, l in lines:
            r = dict(r)
            r["account_id"] = ACCOUNT
            r["srcids"] = {"instance": inst[l.get("source_pcap", "?")]}
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    s = runner.scan("derived-route53", [path])
    by_inst = {v: c for c, v in inst.items()}
    per = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(list)
    for fd in s.findings:
        t = TYPES.get(fd.get("type"))
        if t is None:
            continue
        iid = fd.get("resource", {}).get("instanceDetails", {}).get("instanceId")
        k = kind.get(by_inst.get(iid), "?")
        per[k][t] += fd.get("service", {}).get("count", 1)
        dom = fd.get("service", {}).get("action", {}).get("dnsRequestAction", {}).get("domain")
        if dom and len(examples[k]) < 5:
            examples[k].append("%s %s" % (t, dom))
    rows = []
    for k in ("background", "tunnelling"):
        caps = sum(1 for c in kind.values() if c == k)
        rows.append([k, caps] + [per[k][t] for t in SHORT + ["MetadataDNSRebind"]] +
                    ["; ".join(examples[k]) or "-"])
    return rows, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=10000)
    a = ap.parse_args()
    rc = 0
    print("## DNS reputation and metadata rebinding (issue #7)")
    print()
    print("Names scored as if new to the environment and asked by one instance "
          "(`coalmine dns score --explain`; no threat lists): benign lists are the worst "
          "case, malicious lists the best. In a scan a known domain fires only when its "
          "name is evidence in itself: a tunnel's or callback catcher's host, or a mining "
          "pool's service host.")
    print()
    rows = []
    for label, side, names in name_lists(a.data, a.sample):
        names = [n for n in names if n.strip()]
        if not names:
            continue
        try:
            counts, n = score(a.bin, names)
        except RuntimeError as e:
            note("%s: dns score failed: %s" % (label, e))
            rc = 1
            continue
        anyk = sum(counts.values())
        rows.append([label, side, n] + [counts.get(t, 0) for t in SHORT] + [pct(anyk, n)])
    table(["list", "side", "names", "Abused", "Bitcoin", "Malicious", "Suspicious", "any"], rows)
    runner = Runner(a.bin, a.work, jobs=a.jobs, extra=["--no-default-intel"])
    r = route53_scan(a.data, runner, a.work)
    if r is not None:
        rows, s = r
        print("derived-route53 scanned, one instance per capture (%s DNS records; the first "
              "capture's day is the learning day):" % s.events_cell("dns"))
        print()
        table(["captures", "n", "Abused", "Bitcoin", "Malicious", "Suspicious",
               "MetadataDNSRebind", "examples"], rows)
        if s.error:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
