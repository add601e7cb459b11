#!/usr/bin/env python3
"""The DGA section of `make eval` (issue #7, part 1): how well the DGA model
(lib/detect/dga.c) tells generated names from benign ones, and what
Trojan:EC2/DGADomainRequest.B (lib/detect/dns_dga.c) makes of it per instance.

usage: dns_dga.py --bin COALMINE --data DATA --work DIR [--jobs N] [--seed N]

DATA is ../shared/data (scripts/run-eval resolves it). Needs dns-dga/ and
top-domains/ under it; without them the section prints a "skipped" line and
exits 0. Prints Markdown on stdout:

1. The model, by the trainer (build/tools/dga-train, built when missing) with
   the shipped hyper-parameters of scripts/train-dga: a random split (one
   fold, 1/5 held out) and a family-disjoint split (5 folds over the DGA
   families: each fold trains without its families and tests on them). Per
   fold: ROC AUC, the false-positive rate of the held-out benign names at the
   thresholds that detect 90 % and 99 % of the held-out generated names, the
   same rate on the held-out opendns-random names (random-looking benign
   names) and on the trainer's cloud/CDN host names (through cm_dga_score, with
   its cloud-suffix rule, and on their bare labels), and detection and
   false-positive rate at the detector's thresholds (CM_DNS_DGA_THRESHOLD for
   any name, CM_DNS_DGA_NX_THRESHOLD for a name answered NXDOMAIN).
2. Detection per held-out family at the 90 % threshold and the detector's two.
3. Per family of the family-disjoint split: the chance that an instance asking
   8 (20) distinct unregistered candidates of it fires, from its held-out
   detection rates (binomial), without and with the NXDOMAIN threshold.
4. The detector end to end through `coalmine scan` (Route 53 Resolver logs
   written under WORK, one instance per source): benign instances that each
   ask 200 distinct registered domains within ten minutes (drawn from
   top-domains, the opendns lists and the background lines of derived-route53,
   NOERROR), and infected ones that each ask 20 candidates of one family
   (dns-dga, NXDOMAIN), as a bot walking its list does: instances with a
   finding, per family. The shipped model was trained on these very lists, so
   this table shows the aggregation at work, not held-out accuracy.

Bad input: a name or label row that cannot be read is reported as
FILE:LINE: reason on stderr and skipped. Exit status: 0, or 1 when the
trainer or a scan failed (the tables still print), 2 on usage.
"""
import argparse
import collections
import csv
import gzip
import json
import math
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evallib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPE = "Trojan:EC2/DGADomainRequest.B"
BENIGN_PER_INSTANCE = 200
BENIGN_INSTANCES = 100
NAMES_PER_BOT = 20
T0 = 1767600000  # 2026-01-05T08:00:00Z


def shipped_params():
    """The hyper-parameters scripts/train-dga ships (one source of truth)."""
    with open(os.path.join(ROOT, "scripts", "train-dga"), encoding="utf-8") as f:
        m = re.search(r'^PARAMS="([^"]*)"', f.read(), re.M)
    return m.group(1).split() if m else []


def tuning():
    """The detector's defaults of lib/detect/dns_dga.c: per-name threshold, its NXDOMAIN
    threshold, burst and NXDOMAIN weight."""
    with open(os.path.join(ROOT, "lib", "detect", "dns_dga.c"), encoding="utf-8") as f:
        text = f.read()

    def num(name, default):
        m = re.search(r"#define CM_DNS_DGA_%s\s+([0-9.]+)u?\b" % name, text)
        return float(m.group(1)) if m else default
    return {"op": num("THRESHOLD", 0.95), "nx": num("NX_THRESHOLD", 0.8),
            "burst": int(num("BURST", 8)), "nx_weight": int(num("NX_WEIGHT", 2))}


def trainer():
    path = os.path.join(ROOT, "build", "tools", "dga-train")
    if not os.access(path, os.X_OK):
        p = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "build/tools/dga-train"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 0:
            evallib.note("cannot build the trainer: " + p.stderr.decode(errors="replace")[-300:])
            return None
    return path


def run_eval(tr, data, kind, tu):
    """Rows ("split", ...) and ("family", ...) of `dga-train --eval KIND`, or None."""
    argv = [tr, "--data", data, "--quiet", "--eval", kind, "--op", str(tu["op"]),
            "--op-nx", str(tu["nx"])] + shipped_params()
    evallib.note("training and testing the DGA model (%s split)" % kind)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        evallib.note("dga-train --eval %s failed: %s" % (kind, p.stderr.decode(errors="replace")))
        return None
    head, rows, fams = None, [], []
    for line in p.stdout.decode().splitlines():
        f = line.split("\t")
        if f[0] == "split" and f[1] == "name":
            head = f
        elif f[0] == "split" and head:
            rows.append(dict(zip(head, f[1:])))
        elif f[0] == "family":
            fams.append({"split": f[1], "family": f[2], "n": f[3], "det90": f[4], "detop": f[5],
                         "detnx": f[6]})
    return rows, fams


def pct(v, digits=2):
    try:
        return "%.*f %%" % (digits, 100.0 * float(v))
    except ValueError:
        return v


def p_fire(k, p, need):
    """P(at least need of k candidates score DGA-like), each with chance p."""
    return sum(math.comb(k, i) * p ** i * (1 - p) ** (k - i) for i in range(need, k + 1))


def model_tables(results, tu):
    op, nx = tu["op"], tu["nx"]
    print("### DGA model: random and family-disjoint splits\n")
    print("Held-out names only. FPR: share of the held-out benign names (top-100000-domains,")
    print("opendns-top, chrmor's Alexa rows) at or above the threshold that detects 90 % (99 %)")
    print("of the held-out generated names; opendns-random: the random-looking benign names;")
    print("cloud: the trainer's CloudFront, S3, ELB, ACM, Akamai, Azure, Google, EC2 and API")
    print("Gateway host names through cm_dga_score (its cloud-suffix rule) and, in brackets,")
    print("their bare registered-domain labels. At %.2f: the detector's per-name cut; at %.2f"
          % (op, nx))
    print("its cut for names answered NXDOMAIN.\n")
    head = ["split", "fold", "held-out families", "AUC", "FPR@90", "FPR@99", "opendns-random FPR@90",
            "cloud FPR@90 (labels)", "det@%.2f" % op, "FPR@%.2f" % op,
            "opendns-random FPR@%.2f" % op, "det@%.2f" % nx, "FPR@%.2f" % nx,
            "opendns-random FPR@%.2f" % nx]
    rows = []
    for kind, (rs, _) in results:
        for r in rs:
            rows.append([kind, r["name"], r["held_out"], "%.4f" % float(r["auc"]),
                         pct(r["fpr_at_90"]), pct(r["fpr_at_99"]), pct(r["random_fpr_at_90"]),
                         "%s (%s)" % (pct(r["cloud_fpr_at_90"]), pct(r["cloud_labels_fpr_at_90"])),
                         pct(r["det_at_op"], 1), pct(r["fpr_at_op"]), pct(r["random_fpr_at_op"]),
                         pct(r.get("det_at_nx", "-"), 1), pct(r.get("fpr_at_nx", "-")),
                         pct(r.get("random_fpr_at_nx", "-"))])
    evallib.table(head, rows)
    print("\n### DGA model: detection per held-out family\n")
    head = ["split", "family", "held-out names", "detected at the 90 % threshold",
            "detected at %.2f" % op, "detected at %.2f" % nx]
    rows = []
    for kind, (_, fams) in results:
        for f in sorted(fams, key=lambda x: x["family"]):
            rows.append([kind, f["family"], f["n"], pct(f["det90"], 1), pct(f["detop"], 1),
                         pct(f["detnx"], 1)])
    evallib.table(head, rows)
    need = -(-tu["burst"] // tu["nx_weight"])
    print("\n### DGADomainRequest.B on families never seen in training\n")
    print("The chance that an instance asking k distinct unregistered candidates (NXDOMAIN) of")
    print("a family held out of training fires: at least %d of them DGA-like (burst %d, an" %
          (need, tu["burst"]))
    print("NXDOMAIN domain weighing %d), each with the held-out detection rate of its fold's" %
          tu["nx_weight"])
    print("model, at %.2f alone and with the NXDOMAIN cut %.2f (binomial, names independent)." %
          (op, nx))
    print("The first rows are the same chance for an instance asking k distinct benign names")
    print("that all fail to resolve (a harsher background than a real one), from the held-out")
    print("benign rates of the family-disjoint folds (their mean).\n")
    head = ["family", "k = 8 at %.2f" % op, "k = 8 with %.2f" % nx, "k = 20 at %.2f" % op,
            "k = 20 with %.2f" % nx]
    rows = []
    for kind, (rs, fams) in results:
        if kind != "family":
            continue
        for r in rs:
            if r["name"] != "mean":
                continue
            for label, key in (("benign names", "fpr"), ("opendns-random names", "random_fpr")):
                po = float(r[key + "_at_op"])
                pn = max(po, float(r.get(key + "_at_nx", po)))
                rows.append(["*%s (held out)*" % label] + ["%.1e" % p_fire(k, p, need)
                                                          for k in (8, 20) for p in (po, pn)])
        for f in sorted(fams, key=lambda x: x["family"]):
            po, pn = float(f["detop"]), max(float(f["detop"]), float(f["detnx"]))
            rows.append([f["family"]] + ["%.2f" % p_fire(k, p, need)
                                         for k in (8, 20) for p in (po, pn)])
    evallib.table(head, rows)
    print()


# ---- the detector end to end ----

def read_names(path, bad):
    """Registered-domain-ish names of a list file (plain, gzip, or the CSVs of dns-dga)."""
    out = []
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if path.endswith(".csv"):
                    row = next(csv.reader([line]))
                    name = row[2] if len(row) == 3 else row[0] if row else ""
                    fam = (row[1] if len(row) == 3 else row[1] if len(row) > 1 else "").strip()
                    legit = len(row) == 3 and row[0] == "legit"
                else:
                    name, fam, legit = line, None, None
                name = name.strip().strip('"').rstrip(".").lower()
                if not name or any(c.isspace() for c in name) or len(name) > 253:
                    bad.append("%s:%d: not a domain name" % (path, i))
                    continue
                if "." not in name:
                    name += ".com"  # a bare label, as others_dga lists some
                out.append((name, fam, legit))
    except OSError as e:
        bad.append("%s: %s" % (path, e.strerror))
    return out


def query_line(t, name, rcode, instance, port):
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (
        2026, 1, 5 + (t - 1767571200) // 86400, (t // 3600) % 24, (t // 60) % 60, t % 60)
    return json.dumps({
        "version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
        "vpc_id": "vpc-0eval0dga", "query_timestamp": stamp, "query_name": name + ".",
        "query_type": "A", "query_class": "IN", "rcode": rcode,
        "answers": [] if rcode != "NOERROR" else [
            {"Rdata": "198.51.100.%d" % (port % 250 + 1), "Type": "A", "Class": "IN"}],
        "srcaddr": "10.0.%d.%d" % (port // 250 % 250, port % 250 + 1), "srcport": str(port),
        "transport": "UDP", "srcids": {"instance": instance}}, separators=(",", ":"))


def detector_eval(runner, data, work, seed):
    bad = []
    dd = os.path.join(data, "dns-dga")
    benign = [n for n, _, _ in read_names(os.path.join(data, "top-domains", "top-100000-domains"),
                                           bad)]
    for f in ("opendns-top-domains.txt", "opendns-random-domains.txt"):
        benign += [n for n, _, _ in read_names(os.path.join(dd, "andrewaeva", f), bad)]
    r53 = os.path.join(data, "derived-route53", "domainator_route53_resolver.jsonl.gz")
    lab = os.path.join(data, "derived-route53", "domainator_route53_resolver.labels.tsv.gz")
    if os.path.exists(r53) and os.path.exists(lab):
        with gzip.open(r53, "rt") as a, gzip.open(lab, "rt") as b:
            next(b, None)
            for i, (x, y) in enumerate(zip(a, b), 1):
                try:
                    if y.split("\t")[2] == "0":
                        benign.append(json.loads(x)["query_name"].rstrip("."))
                except (ValueError, KeyError, IndexError):
                    bad.append("%s:%d: unreadable line" % (r53, i))
    families = collections.defaultdict(list)
    for f in sorted(os.listdir(os.path.join(dd, "andrewaeva"))):
        if f.endswith(".txt.gz"):
            for n, _, _ in read_names(os.path.join(dd, "andrewaeva", f), bad):
                families[f[:-7]].append(n)
    for n, fam, legit in read_names(os.path.join(dd, "chrmor", "dga_domains_sample.csv"), bad):
        if legit is False and fam:
            families[fam].append(n)
    for b in bad[:20]:
        evallib.note(b)
    rnd = random.Random(seed)
    lines = []
    port = 1024
    for i in range(BENIGN_INSTANCES):
        inst = "i-0benign%08d" % i
        for k, name in enumerate(rnd.sample(benign, BENIGN_PER_INSTANCE)):
            port += 1
            lines.append((T0 + i * 7 + k * 3, query_line(T0 + i * 7 + k * 3, name, "NOERROR",
                                                         inst, port % 60000 + 1024)))
    bots = {}
    for j, (fam, names) in enumerate(sorted(families.items())):
        for b in range(5 if len(names) >= 100 else 1):
            inst = "i-0dga%02d%02d%07d" % (j, b, 0)
            bots[inst] = fam
            for k, name in enumerate(rnd.sample(names, min(NAMES_PER_BOT, len(names)))):
                t = T0 + 3600 + j * 700 + b * 60 + k * 2
                port += 1
                lines.append((t, query_line(t, name, "NXDOMAIN", inst, port % 60000 + 1024)))
    lines.sort(key=lambda x: x[0])
    path = os.path.join(work, "dga-eval.log")
    with open(path, "w", encoding="utf-8") as f:
        for _, l in lines:
            f.write(l + "\n")
    evallib.note("scanning %d queries of %d benign and %d infected instances" %
                 (len(lines), BENIGN_INSTANCES, len(bots)))
    scan = runner.scan("dga-detector", [path])
    hit = collections.Counter()
    fp = 0
    for f in scan.findings:
        if f.get("type") != TYPE:
            continue
        inst = f.get("resource", {}).get("instanceDetails", {}).get("instanceId", "")
        if inst in bots:
            hit[bots[inst]] += 1
        else:
            fp += 1
    print("### DGADomainRequest.B end to end (`coalmine scan`)\n")
    print("%d benign instances, each asking %d distinct registered domains in ten minutes" %
          (BENIGN_INSTANCES, BENIGN_PER_INSTANCE))
    print("(top-domains, opendns lists, derived-route53 background; NOERROR); per family, 5")
    print("infected instances (1 for the families of fewer than 100 names), each asking %d of"
          % NAMES_PER_BOT)
    print("its candidates (NXDOMAIN) within a minute. Queries read: %s. The shipped model" %
          scan.events_cell("dns"))
    print("was trained on these lists: the rows show the aggregation (one odd name is no")
    print("finding, a burst is), not held-out accuracy, which the tables above give.\n")
    rows = [["benign", BENIGN_INSTANCES, fp, pct(fp / float(BENIGN_INSTANCES), 1)]]
    per = collections.Counter(bots.values())
    for fam in sorted(per):
        rows.append([fam, per[fam], hit[fam], pct(hit[fam] / float(per[fam]), 0)])
    evallib.table(["instances", "count", "with a finding", "rate"], rows)
    print()
    return scan.error is None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    print("## DNS: DGA model and Trojan:EC2/DGADomainRequest.B (issue #7)\n")
    if not os.path.isdir(os.path.join(a.data, "dns-dga")) or \
            not os.path.isdir(os.path.join(a.data, "top-domains")):
        print("skipped: no dns-dga/ or top-domains/ under %s\n" % a.data)
        return 0
    os.makedirs(a.work, exist_ok=True)
    rc = 0
    tu = tuning()
    tr = trainer()
    if tr is None:
        print("skipped: the trainer build/tools/dga-train could not be built\n")
        rc = 1
    else:
        results = []
        for kind in ("random", "family"):
            r = run_eval(tr, a.data, kind, tu)
            if r is None:
                rc = 1
            else:
                results.append((kind, r))
        if results:
            model_tables(results, tu)
    runner = evallib.Runner(a.bin, a.work, jobs=a.jobs)
    if not detector_eval(runner, a.data, a.work, a.seed):
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
