#!/usr/bin/env python3
"""Crash and restart torture of `coalmine serve --watch` (tests/e2e/serve_torture.sh).

The world of `gen --hours H --scenario all --seed 7` lands in a watched folder in
batches, each file as `aws s3 sync` lands it (a temporary NAME.XXXXXXXX, then renamed
into place), while the service is killed at random moments (SIGKILL mostly, SIGTERM
sometimes, seeded: the seed is printed) and started again. A file target and a webhook
target (a receiver in this process that drops repeats by event id, down for some runs)
take every finding. At the end:

  - the store holds what one `coalmine scan --state` of the world stores (id, type,
    severity, service.count, eventFirstSeen, eventLastSeen), and every finding's count
    equals the events it counted;
  - the file target has at least one event of every stored finding (repeats counted:
    delivery is at least once), and none of a finding the store lacks;
  - the webhook got every finding's event once by event id;
  - SQLite's integrity check passes; the state file loads (a `scan --state --final` of
    nothing exits 0).

Usage: serve_torture.py COALMINE WORKDIR SEED [RESTARTS] [HOURS]. Prints TAP lines
(without the plan) on stdout; exit 0 however the checks went.
"""
import http.server
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

COALMINE, WORK, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3])
RESTARTS = int(sys.argv[4]) if len(sys.argv) > 4 else 6
HOURS = int(sys.argv[5]) if len(sys.argv) > 5 else 6
rng = random.Random(SEED)
N = 0
FAILED = 0


def tap(good, name, detail=None):
    global N, FAILED
    N += 1
    print("%s %d - seed %d: %s" % ("ok" if good else "not ok", N, SEED, name), flush=True)
    if not good:
        FAILED += 1
        for line in (detail or "").splitlines()[:25]:
            print("# " + line, flush=True)


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def summary(db):
    """id type severity count first last, one per stored finding, sorted."""
    r = run([COALMINE, "findings", "export", "--db", db, "--archived", "all"])
    rows = []
    for line in r.stdout.splitlines():
        f = json.loads(line)
        s = f["service"]
        rows.append("%s %s %s %s %s %s" % (f["id"], f["type"], f["severity"], s["count"],
                                           s["eventFirstSeen"], s["eventLastSeen"]))
    return sorted(rows)


class Hook(http.server.BaseHTTPRequestHandler):
    """The webhook target: records each event id once (drops repeats) and every post."""
    seen = {}
    posts = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            ev = json.loads(body)
            with Hook.lock:
                Hook.posts += 1
                Hook.seen.setdefault(ev["id"], ev["detail"]["id"])
            self.send_response(200)
        except (ValueError, KeyError):
            self.send_response(400)
        self.end_headers()

    def log_message(self, *a):
        pass


class Receiver:
    """A webhook receiver on a fixed loopback port, started and stopped at will."""

    def __init__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.srv = None

    def up(self):
        if self.srv is None:
            http.server.ThreadingHTTPServer.allow_reuse_address = True
            self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Hook)
            threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def down(self):
        if self.srv is not None:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv = None


def main():
    os.makedirs(WORK, exist_ok=True)
    g = os.path.join(WORK, "g")
    if not os.path.isdir(g):
        r = run([COALMINE, "gen", "--out", g, "--hours", str(HOURS), "--seed", "7",
                 "--scenario", "all"])
        if r.returncode != 0:
            tap(False, "gen", r.stderr)
            return
    intel = open(os.path.join(g, "intel", "args.txt")).read().split()
    ref = os.path.join(WORK, "ref.db")
    if not os.path.exists(ref):
        r = run([COALMINE, "scan", "--quiet", "--threads", "2", "--db", ref, "--state",
                 ref + ".state"] + intel + [os.path.join(g, "AWSLogs")])
        if r.returncode != 0:
            tap(False, "reference scan", r.stderr)
            return
    want = summary(ref)

    d = os.path.join(WORK, "s%d" % SEED)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    db, w, tfile = os.path.join(d, "s.db"), os.path.join(d, "w"), os.path.join(d, "t.jsonl")
    os.makedirs(w)
    hook = Receiver()
    setup = [
        ["rules", "put", "--db", db, "--name", "all", "--event-pattern",
         '{"source":["aws.guardduty"]}'],
        ["targets", "put", "--db", db, "--rule", "all", "--id", "f", "--kind", "file",
         "--spec", json.dumps({"path": tfile})],
        ["targets", "put", "--db", db, "--rule", "all", "--id", "h", "--kind", "webhook",
         "--spec", json.dumps({"url": "http://127.0.0.1:%d/" % hook.port,
                               "timeout_seconds": 5})],
    ]
    for a in setup:
        r = run([COALMINE] + a)
        if r.returncode != 0:
            tap(False, " ".join(a[:2]), r.stderr)
            return

    # The files in key order, in batches; each lands under a temporary name first.
    files = []
    for root, _, names in os.walk(os.path.join(g, "AWSLogs")):
        for n in names:
            k = n.split("_")
            key = next((p for p in k if len(p) == 14 and p[8] == "T"), "")
            files.append((key, os.path.join(root, n)))
    files.sort()
    nbatch = RESTARTS + 2
    per = (len(files) + nbatch - 1) // nbatch
    batches = [files[i:i + per] for i in range(0, len(files), per)]

    landed = []
    odd = {"future": 0, "in place": 0, "replaced": 0}

    def land(batch):
        """Lands a batch as a sync does: NAME.XXXXXXXX then renamed into place; some
        files written in place in two halves with a pause (a writer without a temporary
        name: a gzip cut short for a moment), some with an mtime two hours ahead."""
        for _, src in batch:
            dst = os.path.join(w, os.path.relpath(src, os.path.join(g)))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if rng.random() < 0.01:
                data = open(src, "rb").read()
                with open(dst, "wb") as out:
                    out.write(data[:len(data) // 2])
                    out.flush()
                    time.sleep(rng.uniform(0.15, 0.3))
                    out.write(data[len(data) // 2:])
                odd["in place"] += 1
            else:
                tmp = "%s.%08x" % (dst, rng.getrandbits(32))
                shutil.copyfile(src, tmp)
                if not landed or rng.random() < 0.02:
                    t = time.time() + 7200
                    os.utime(tmp, (t, t))
                    odd["future"] += 1
                os.rename(tmp, dst)
            landed.append((src, dst))

    def replace_some():
        """A sync downloading again objects it has (same bytes, a new mtime)."""
        for src, dst in rng.sample(landed, min(len(landed), 20)):
            tmp = "%s.%08x" % (dst, rng.getrandbits(32))
            shutil.copyfile(src, tmp)
            os.rename(tmp, dst)
            odd["replaced"] += 1

    kills = terms = 0
    mid_ckpt = [0]
    logs = []

    def start(i):
        log = open(os.path.join(d, "serve%d.err" % i), "w")
        logs.append(log.name)
        return subprocess.Popen(
            [COALMINE, "serve", "--db", db, "--listen", "127.0.0.1:0", "--watch", w,
             "--poll-interval", "0.1", "--bus-interval", "0.2", "--canary-interval", "60",
             "--checkpoint-interval", "0.2", "--threads", "2"] + intel,
            stdout=subprocess.DEVNULL, stderr=log)

    bi = 0
    for i in range(RESTARTS):
        if rng.random() < 0.5:
            hook.up()
        else:
            hook.down()
        p = start(i)
        # A batch lands while it runs (sometimes while it is down, below); the kill comes
        # mostly while the service reads it, stores and delivers its findings, or writes
        # the checkpoint after it.
        if bi < len(batches):
            time.sleep(rng.uniform(0.0, 0.5))
            land(batches[bi])
            bi += 1
        elif landed and rng.random() < 0.5:
            replace_some()
        killed = False
        if rng.random() < 0.25:
            # Power loss in the middle of a checkpoint: killed as soon as the state's
            # temporary file is seen (within 3 s; it is written every 0.2 s after a read).
            t_end = time.time() + 3.0
            while time.time() < t_end and not any(n.startswith(".s.db.state.")
                                                  for n in os.listdir(d)):
                pass
            if time.time() < t_end:
                p.send_signal(signal.SIGKILL)
                mid_ckpt[0] += 1
                killed = True
        else:
            time.sleep(rng.uniform(0.0, 0.8) if rng.random() < 0.7 else rng.uniform(0.8, 3.0))
        if killed or p.poll() is not None:
            kills += killed
        elif rng.random() < 0.2:
            p.send_signal(signal.SIGTERM)
            terms += 1
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
            if rc != 0:
                tap(False, "run %d: SIGTERM exits 0 (exit %d)" % (i, rc),
                    open(logs[-1]).read()[-2000:])
        else:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
        if p.returncode not in (0, -signal.SIGKILL):
            tap(False, "run %d ended by itself or badly (%d)" % (i, p.returncode),
                open(logs[-1]).read()[-2000:])
        if bi < len(batches) and rng.random() < 0.3:
            land(batches[bi])
            bi += 1
    while bi < len(batches):
        land(batches[bi])
        bi += 1
    replace_some()

    # The last run: until the store holds the reference (at most 60 s), then SIGTERM.
    hook.up()
    p = start(RESTARTS)
    t0 = time.time()
    got = []
    while time.time() - t0 < 60 and p.poll() is None:
        time.sleep(0.5)
        got = summary(db)
        if got == want:
            break
    time.sleep(1.0)  # the bus run after the last poll
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    tap(rc == 0, "%d restarts (%d SIGKILL, %d of them while a checkpoint was written, "
        "%d SIGTERM; %d files landed, %d with an mtime "
        "2 h ahead, %d written in place, %d replaced by a copy), the last run stopped by "
        "SIGTERM exits 0" % (RESTARTS, kills, mid_ckpt[0], terms, len(landed), odd["future"],
                             odd["in place"], odd["replaced"]),
        open(logs[-1]).read()[-2000:])
    # What a cron `rules deliver` would do for the webhook's retries still waiting.
    r = run([COALMINE, "rules", "deliver", "--db", db, "--now"])
    got = summary(db)
    import difflib
    tap(got == want, "the store holds the %d findings of one scan (ids, counts, first/last seen)"
        % len(want), "\n".join(difflib.unified_diff(want, got, "ref", "store", lineterm="", n=0)))

    con = sqlite3.connect(db)
    ic = con.execute("PRAGMA integrity_check").fetchone()[0]
    tap(ic == "ok", "integrity_check", ic)
    bad = con.execute("""SELECT count(*) FROM findings f WHERE EXISTS (SELECT 1 FROM
        finding_events e WHERE e.fid = f.seq) AND count != (SELECT sum(n) FROM
        finding_events e WHERE e.fid = f.seq)""").fetchone()[0]
    tap(bad == 0, "every finding's count equals its events (%d not)" % bad)
    open_rows = con.execute("SELECT count(*) FROM outbox WHERE done = 0").fetchone()[0] \
        if "done" in [c[1] for c in con.execute("PRAGMA table_info(outbox)")] else 0
    con.close()

    ids = {line.split()[0] for line in got}
    per_f = {}
    lines = 0
    evids = {}
    if os.path.exists(tfile):
        for line in open(tfile):
            lines += 1
            ev = json.loads(line)
            per_f.setdefault(ev["detail"]["id"], set()).add(ev["id"])
            evids[ev["id"]] = evids.get(ev["id"], 0) + 1
    missing = sorted(ids - set(per_f))
    extra = sorted(set(per_f) - ids)
    repeats = sum(c - 1 for c in evids.values())
    tap(not missing, "the file target has an event of every stored finding (%d missing; "
        "%d lines, %d event ids, %d repeated deliveries)" % (len(missing), lines, len(evids),
                                                             repeats), "\n".join(missing))
    tap(not extra, "... and none of a finding the store lacks", "\n".join(extra))
    hook_f = set(Hook.seen.values())
    hmiss = sorted(ids - hook_f)
    tap(not hmiss, "the webhook (drops repeats by id) has every finding's event (%d missing; "
        "%d posts, %d event ids)" % (len(hmiss), Hook.posts, len(Hook.seen)), "\n".join(hmiss))
    tap(open_rows == 0, "no outbox row left undone (%d)" % open_rows)
    hook.down()

    bad_logs = [os.path.basename(n) for n in logs
                if any(k in open(n, errors="replace").read()
                       for k in ("Sanitizer", "runtime error:", "LeakSanitizer"))]
    tap(not bad_logs, "no sanitizer report in the service's stderr (%s)" % " ".join(bad_logs),
        "".join(open(os.path.join(d, n), errors="replace").read()[-3000:] for n in bad_logs))
    temps = [n for n in os.listdir(d) if n.startswith(".s.db.state.")]
    tap(not temps, "no temporary state file left beside the state (%d)" % len(temps),
        "\n".join(temps))

    empty = os.path.join(d, "empty")
    os.makedirs(empty)
    r = run([COALMINE, "scan", "--quiet", "--db", os.path.join(d, "final.db"), "--state",
             db + ".state", "--final"] + intel + [empty])
    tap(r.returncode == 0, "the state file left loads (scan --state --final of nothing)",
        r.stderr)


main()
sys.exit(0)
