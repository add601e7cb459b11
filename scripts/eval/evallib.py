"""Shared machinery of the `make eval` sections (scripts/run-eval).

A section turns one data family of ../shared/data into files `coalmine scan`
reads, runs the scans through a Runner, reads their findings back (Scan) and
prints Markdown tables (table). Nothing here knows a dataset: the sections do.

Contract:
- Every scan runs the binary with its defaults plus `--quiet --format json
  --stats FILE`, and `--geoip DB` when the Runner was given one. Nothing else.
- A scan whose exit status is not 0 does not stop the eval: its Scan has
  `error` set (the binary's last message) and no findings; the caller shows it
  and run-eval exits 1 at the end.
- Progress, skips and bad input records go to stderr (`note`), one line each,
  input records as FILE:LINE: reason. Tables go to stdout.
- Standard library only (python3 >= 3.6).
"""
import collections
import concurrent.futures
import json
import os
import subprocess
import sys


def note(msg):
    """One line on stderr, prefixed like every eval message."""
    print("eval: " + msg, file=sys.stderr, flush=True)


def write_json(path, doc):
    """Write DOC as compact JSON (UTF-8, one line)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


class Scan:
    """The result of one `coalmine scan`: findings (dicts), stats (dict), error."""

    def __init__(self, name, findings, stats, error=None):
        self.name = name
        self.findings = findings
        self.stats = stats
        self.error = error

    def records(self, kind):
        return int(self.stats.get("records", {}).get(kind, 0))

    def rejected(self, kind):
        return int(self.stats.get("rejected", {}).get(kind, 0))

    def reject_reasons(self):
        return [s.get("reason", "?") for s in self.stats.get("reject_samples", [])]

    def events_cell(self, kind):
        """'12', '12 (+2 rejected: reason)' or 'scan failed: ...' for a table."""
        if self.error:
            return "scan failed: " + self.error
        n, bad = self.records(kind), self.rejected(kind) + self.rejected("files")
        if bad == 0:
            return str(n)
        reasons = sorted(set(self.reject_reasons()))
        why = ": " + "; ".join(reasons[:2]) if reasons else ""
        return "%d (+%d rejected%s)" % (n, bad, why)


class Runner:
    """Runs `coalmine scan` over files, JOBS at a time; scratch files go to WORK."""

    def __init__(self, binary, work, geoip=None, jobs=2, extra=None):
        self.binary = binary
        self.work = work
        self.geoip = geoip
        self.extra = list(extra or [])
        self.jobs = max(1, jobs)
        self.failed = 0
        self._n = 0

    def _argv(self, stats, paths):
        argv = [self.binary, "scan", "--quiet", "--format", "json", "--stats", stats]
        if self.geoip:
            argv += ["--geoip", self.geoip]
        return argv + self.extra + list(paths)

    def _run(self, name, paths, seq):
        stats_path = os.path.join(self.work, "scan-%05d.stats.json" % seq)
        try:
            p = subprocess.run(self._argv(stats_path, paths), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        except OSError as e:
            return Scan(name, [], {}, "cannot run %s: %s" % (self.binary, e.strerror))
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        if p.returncode != 0:
            return Scan(name, [], {}, "exit %d%s" % (p.returncode, (": " + err[-1]) if err else ""))
        findings = []
        for i, line in enumerate(p.stdout.decode("utf-8", "replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                findings.append(json.loads(line))
            except ValueError as e:
                note("%s: finding line %d is not JSON (%s); skipped" % (name, i, e))
        try:
            with open(stats_path, encoding="utf-8") as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            return Scan(name, findings, {}, "no stats: %s" % e)
        return Scan(name, findings, stats)

    def scan_many(self, jobs):
        """JOBS is a list of (name, [paths]); returns {name: Scan}, in any order."""
        out = {}
        with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
            futs = {}
            for name, paths in jobs:
                self._n += 1
                futs[pool.submit(self._run, name, paths, self._n)] = name
            for fut in concurrent.futures.as_completed(futs):
                s = fut.result()
                if s.error:
                    self.failed += 1
                    note("scan %s failed: %s" % (s.name, s.error))
                out[s.name] = s
        return out

    def scan(self, name, paths):
        return self.scan_many([(name, paths)])[name]


def evidence_files(finding):
    """Base names of the files coalmine cites as the finding's evidence records."""
    info = finding.get("service", {}).get("additionalInfo", {})
    value = info.get("value") if isinstance(info, dict) else None
    if not isinstance(value, str):
        return []
    try:
        ev = json.loads(value).get("coalmine", {}).get("evidence", [])
    except (ValueError, AttributeError):
        return []
    return [os.path.basename(e["file"]) for e in ev if isinstance(e, dict) and "file" in e]


def evidence_truncated(finding):
    """True when the finding counted more events than the evidence records it kept."""
    count = finding.get("service", {}).get("count", 1)
    return isinstance(count, int) and count > len(evidence_files(finding))


def type_counts(findings):
    """Counter finding type -> number of findings."""
    return collections.Counter(f.get("type", "?") for f in findings)


def fired_cell(counts):
    """'TypeA x2, TypeB x1' sorted by type, or '-' when nothing fired."""
    if not counts:
        return "-"
    return ", ".join("%s x%d" % (t, n) for t, n in sorted(counts.items()))


def _cell(v):
    return str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(headers, rows, out=sys.stdout):
    """Print a Markdown table; cells are escaped ('|' and newlines)."""
    print("| " + " | ".join(_cell(h) for h in headers) + " |", file=out)
    print("|" + "|".join("---" for _ in headers) + "|", file=out)
    for r in rows:
        print("| " + " | ".join(_cell(c) for c in r) + " |", file=out)
    print(file=out)


def find_geoip(data):
    """The MaxMind City test database under DATA, or None."""
    base = os.path.join(data, "maxmind-test-data", "test-data")
    for name in ("GeoLite2-City-Test.mmdb", "GeoIP2-City-Test.mmdb"):
        p = os.path.join(base, name)
        if os.path.isfile(p):
            return p
    return None
