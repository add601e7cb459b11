#!/usr/bin/env python3
"""Wraps the Resolver query logs and VPC flow logs of a `coalmine gen` tree
(DIR/AWSLogs/...) the way CloudWatch Logs hands them back, for the tests of
tests/e2e/cwl.sh and tests/integration/cwl_awscli.sh.

  cwl_wrap.py export   SRC OUT [--streams file|aws]
      an export task's objects: OUT/<task>/<stream>/000000.gz, gzip, every
      line "<ISO-8601 time> <message>";
  cwl_wrap.py firehose SRC OUT [--streams file|aws] [--per N]
      a subscription's deliveries as Firehose writes them to S3: objects with
      no extension, each the gzip members of its deliveries one after the
      other, a CONTROL_MESSAGE first, then DATA_MESSAGEs of at most N (50)
      log events of one stream each;
  cwl_wrap.py tail     SRC OUT [--streams file|aws] [--format detailed|short]
      what `aws logs tail GROUP --since ... > OUT/GROUP.log` writes (awscli
      v2): a text file per log group, its streams interleaved in time order,
      every line "<time> <stream> <message>" (detailed: the time with "+00:00",
      with microseconds for flow logs and as older awscli releases print it,
      without a fraction on a whole second, for Resolver logs) or
      "<time> <message>" (short: to the second, UTC, no zone);
  cwl_wrap.py events   SRC OUT.jsonl [--streams file|aws]
      one JSON line {"group","stream","timestamp","message"} per record, in
      the source's order (what a test puts with PutLogEvents);
  cwl_wrap.py evidence EVIDENCE DIR --shape line|tail|event --instance I --domain D
      checks the evidence lines of `coalmine findings get --evidence --format
      json` (EVIDENCE): each is in a file under DIR, its record is the bytes
      at its offset and length in the decoded file, on its line, and is
      (line) a Resolver record after an export's "<time> " prefix, (tail)
      after `aws logs tail`'s "<time> <stream> ", or (event)
      a log event object whose message is one; every record is a query of
      instance I for a tunnelling name under domain D. Prints what it found;
      exits 1 on the first mismatch.

  cwl_wrap.py filter   SRC OUT [--streams file|aws|aws-resource]
      what `aws logs filter-log-events --log-group-name GROUP` prints, one
      OUT/GROUP.json per log group: {"events":[{"logStreamName",...}]}.

--streams file: one log stream per source file, its records in file order
(default); aws: one stream per network interface ("eni-...-all") for flow logs
and per VPC for Resolver logs, as CloudWatch Logs names them; aws-resource:
Resolver streams "<vpc id>_<instance id>". --trim K,K: Resolver messages
without those members (a shipper's transform; the stream is named first).
--owner ACCOUNT: the Firehose deliveries' owner.
CloudWatch Logs keeps flow records without their header line: it is dropped.
A record's log event id (Firehose's "id", filter-log-events' "eventId") is the same in
both shapes, and in every run, as CloudWatch Logs' own is for every delivery of an event.
"""
import argparse
import datetime
import gzip
import hashlib
import json
import os
import re
import sys

FLOW_GROUP = "/coalmine/vpc-flow-logs"
DNS_GROUP = "/coalmine/route53-resolver-query-logs"
OWNER = "111122223333"
CONTROL = "CWL CONTROL MESSAGE: Checking health of destination Firehose."


def iso(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def dns_ms(rec):
    s = json.loads(rec)["query_timestamp"]
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(t.timestamp() * 1000)


def flow_ms(rec, fallback):
    f = rec.split()
    try:
        return int(f[10]) * 1000  # start, in the default v2 format
    except (IndexError, ValueError):
        return fallback


def sources(src):
    """(kind, path) of every Resolver and flow log file under SRC, sorted."""
    out = []
    for root, _, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            if "/vpcdnsquerylogs/" in p:
                out.append(("dns", p))
            elif "/vpcflowlogs/" in p:
                out.append(("vpcflow", p))
    return sorted(out, key=lambda kp: (os.path.basename(kp[1]), kp[1]))


def trimmed(rec, trim):
    """The Resolver record rec without the members named in trim (a shipper's transform)."""
    if not trim:
        return rec
    obj = json.loads(rec)
    return json.dumps({k: v for k, v in obj.items() if k not in trim}, separators=(",", ":"))


def records(src, streams, trim=()):
    """Per source file: (kind, group, file's base name, [(stream, ms, message)]) in file order."""
    for kind, path in sources(src):
        lines = [l for l in gzip.open(path, "rt", encoding="utf-8").read().split("\n") if l]
        if kind == "vpcflow" and lines and lines[0].startswith("version "):
            lines = lines[1:]
        base = os.path.basename(path).split(".")[0]
        evs, last = [], 0
        for l in lines:
            if kind == "dns":
                ms = dns_ms(l)
                r = json.loads(l)
                # Resolver names a stream after the VPC, then the querying resource
                stream = base if streams == "file" else r["vpc_id"] if streams == "aws" else \
                    "%s_%s" % (r["vpc_id"], (r.get("srcids") or {}).get("instance", "rslvr"))
                l = trimmed(l, trim)
            else:
                ms = last = flow_ms(l, last)
                stream = l.split()[2] + "-all" if streams != "file" else base
            evs.append((stream, ms, l))
        yield kind, DNS_GROUP if kind == "dns" else FLOW_GROUP, base, evs


def event_ids(src, streams, trim=()):
    """A log event id per record, as CloudWatch Logs gives one: 56 digits, the same in every
    delivery of the event (a subscription's, filter-log-events'), never two in one stream.
    Key (group, stream, ms, message, how many such came before), in records()' order."""
    ids, seen = {}, {}
    for _, group, _, evs in records(src, streams, trim):
        for stream, ms, msg in evs:
            k = (group, stream, ms, msg)
            n = seen[k] = seen.get(k, -1) + 1
            h = hashlib.sha256(("%s\0%s\0%d\0%s\0%d" % (group, stream, ms, msg, n)).encode())
            ids[k + (n,)] = "%d%043d" % (ms, int(h.hexdigest(), 16) % 10 ** 43)
    return ids


def id_of(ids, seen, group, stream, ms, msg):
    k = (group, stream, ms, msg)
    n = seen[k] = seen.get(k, -1) + 1
    return ids[k + (n,)]


def gz_member(obj):
    return gzip.compress(json.dumps(obj, separators=(",", ":")).encode(), mtime=0)


def do_export(src, out, streams, trim):
    # one stream's messages, in time order, as an export task writes them
    per = {}
    for _, group, _, evs in records(src, streams, trim):
        for stream, ms, msg in evs:
            per.setdefault((group, stream), []).append((ms, msg))
    for (group, stream), evs in sorted(per.items()):
        evs.sort(key=lambda e: e[0])
        d = os.path.join(out, group.strip("/").replace("/", "-"), "exp-0001", stream)
        os.makedirs(d, exist_ok=True)
        with gzip.open(os.path.join(d, "000000.gz"), "wt", encoding="utf-8") as g:
            for ms, msg in evs:
                g.write(iso(ms) + " " + msg + "\n")


def do_tail(src, out, streams, form, trim):
    per = {}
    for _, group, _, evs in records(src, streams, trim):
        per.setdefault(group, []).extend(evs)
    os.makedirs(out, exist_ok=True)
    for group, evs in sorted(per.items()):
        evs.sort(key=lambda e: e[1])  # stable: a stream's records keep their order
        with open(os.path.join(out, group.strip("/").replace("/", "-") + ".log"), "w",
                  encoding="utf-8") as f:
            for stream, ms, msg in evs:
                t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
                if form == "detailed":
                    # awscli v2 prints isoformat(timespec="microseconds"); older v2
                    # releases isoformat(), without a fraction on a whole second:
                    # the Resolver group gets the older form, flow logs the newer.
                    ts = t.isoformat() if "resolver" in group else \
                        t.isoformat(timespec="microseconds")
                    f.write("%s %s %s\n" % (ts, stream, msg))
                else:
                    f.write("%s %s\n" % (t.strftime("%Y-%m-%dT%H:%M:%S"), msg))


def do_firehose(src, out, streams, per, trim, owner):
    ids, seen = event_ids(src, streams, trim), {}
    for _, group, base, evs in records(src, streams, trim):
        if not evs:
            continue
        # one delivery per stream per at most `per` events, in the order they came
        chunks, open_ = [], {}
        for stream, ms, msg in evs:
            c = open_.get(stream)
            if c is None or len(c[1]) >= per:
                c = open_[stream] = (stream, [])
                chunks.append(c)
            c[1].append((ms, msg))
        chunks.sort(key=lambda c: c[1][0][0])  # stable: file order among equals
        t0 = evs[0][1]
        day = datetime.datetime.fromtimestamp(t0 / 1000, datetime.timezone.utc)
        d = os.path.join(out, day.strftime("%Y/%m/%d/%H"))
        os.makedirs(d, exist_ok=True)
        name = "cwl-to-s3-1-%s-%s" % (day.strftime("%Y-%m-%d-%H-%M-%S"), base[-8:])
        with open(os.path.join(d, name), "wb") as f:
            f.write(gz_member({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs",
                               "logGroup": "", "logStream": "", "subscriptionFilters": [],
                               "logEvents": [{"id": "", "timestamp": t0, "message": CONTROL}]}))
            for stream, batch in chunks:
                les = []
                for ms, msg in batch:
                    les.append({"id": id_of(ids, seen, group, stream, ms, msg), "timestamp": ms,
                                "message": msg})
                f.write(gz_member({"messageType": "DATA_MESSAGE", "owner": owner,
                                   "logGroup": group, "logStream": stream,
                                   "subscriptionFilters": ["coalmine-to-firehose"],
                                   "logEvents": les}))


def do_filter(src, out, streams, trim):
    # what `aws logs filter-log-events --log-group-name GROUP > OUT/GROUP.json` prints: each
    # group's events in time order, each naming its stream
    per, ids, seen = {}, event_ids(src, streams, trim), {}
    for _, group, _, evs in records(src, streams, trim):
        per.setdefault(group, []).extend(
            (stream, ms, msg, id_of(ids, seen, group, stream, ms, msg)) for stream, ms, msg in evs)
    os.makedirs(out, exist_ok=True)
    for group, evs in sorted(per.items()):
        evs.sort(key=lambda e: e[1])
        doc = {"events": [{"logStreamName": stream, "timestamp": ms, "message": msg,
                           "ingestionTime": ms + 700, "eventId": eid}
                          for stream, ms, msg, eid in evs],
               "searchedLogStreams": []}
        with open(os.path.join(out, group.strip("/").replace("/", "-") + ".json"), "w",
                  encoding="utf-8") as f:
            json.dump(doc, f, indent=4)
            f.write("\n")


def do_events(src, out, streams):
    with open(out, "w", encoding="utf-8") as f:
        for _, group, _, evs in records(src, streams):
            for stream, ms, msg in evs:
                f.write(json.dumps({"group": group, "stream": stream, "timestamp": ms,
                                    "message": msg}) + "\n")


def decoded(path):
    data = open(path, "rb").read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def tunnel_query(r, instance, domain):
    """Why the Resolver record r is not instance's tunnelling query, or ''."""
    if not isinstance(r, dict):
        return "not a JSON object"
    got = (r.get("srcids") or {}).get("instance")
    if got != instance:
        return "instance %s, not %s" % (got, instance)
    name = r.get("query_name", "")
    if not name.rstrip(".").endswith("." + domain):
        return "query %s is not under %s" % (name, domain)
    if max(len(x) for x in name.split(".")) < 30:
        return "query %s has no long (encoded) label" % name
    return ""


def do_evidence(a):
    top = os.path.realpath(a.dir) + os.sep
    rows = [json.loads(l) for l in open(a.evidence, encoding="utf-8") if l.strip()]
    rows = [r for r in rows if "record" in r and "path" in r]
    if not rows:
        print("no evidence record")
        return 1
    cache = {}
    for e in rows:
        where = "%s:%s (byte %s)" % (e["path"], e["line"], e["offset"])
        if not os.path.realpath(e["path"]).startswith(top):
            print("%s: not under %s" % (where, a.dir))
            return 1
        data = cache.get(e["path"])
        if data is None:
            data = cache[e["path"]] = decoded(e["path"])
        off, n = e["offset"], e["length"]
        raw = data[off:off + n]
        if raw.decode("utf-8", "replace") != e["record"]:
            print("%s: the file's %d bytes there are not the record: %r" % (where, n, raw[:80]))
            return 1
        if data.count(b"\n", 0, off) + 1 != e["line"]:
            print("%s: the offset is on line %d" % (where, data.count(b"\n", 0, off) + 1))
            return 1
        try:
            obj = json.loads(raw)
        except ValueError as x:
            print("%s: the record is not one JSON value (%s)" % (where, x))
            return 1
        if a.shape in ("line", "tail"):
            prefix = data[data.rfind(b"\n", 0, off) + 1:off].decode()
            want = (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z " if a.shape == "line" else
                    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00 [^ ]+ ")
            if not re.fullmatch(want, prefix):
                print("%s: the line does not start with the %s's time: %r"
                      % (where, "export" if a.shape == "line" else "tail", prefix))
                return 1
            rec = obj
        else:
            if not isinstance(obj, dict) or not isinstance(obj.get("message"), str) \
                    or "timestamp" not in obj:
                print("%s: not a log event object: %.80s" % (where, e["record"]))
                return 1
            try:
                rec = json.loads(obj["message"])
            except ValueError:
                print("%s: the log event's message is not JSON" % where)
                return 1
        why = tunnel_query(rec, a.instance, a.domain)
        if why:
            print("%s: %s" % (where, why))
            return 1
    print("%d evidence records, e.g. %s:%s (byte %s, %s bytes)"
          % (len(rows), rows[0]["path"], rows[0]["line"], rows[0]["offset"], rows[0]["length"]))
    return 0


def main():
    if sys.argv[1:2] == ["evidence"]:
        ap = argparse.ArgumentParser(prog="cwl_wrap.py evidence")
        ap.add_argument("evidence")
        ap.add_argument("dir")
        ap.add_argument("--shape", choices=["line", "tail", "event"], required=True)
        ap.add_argument("--instance", required=True)
        ap.add_argument("--domain", required=True)
        return do_evidence(ap.parse_args(sys.argv[2:]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shape", choices=["export", "firehose", "tail", "events", "filter"])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--streams", choices=["file", "aws", "aws-resource"], default="file")
    ap.add_argument("--trim", default="", help="Resolver members to leave out, comma list")
    ap.add_argument("--owner", default=OWNER, help="the deliveries' owner account")
    ap.add_argument("--per", type=int, default=50)
    ap.add_argument("--format", choices=["detailed", "short"], default="detailed")
    a = ap.parse_args()
    trim = set(t for t in a.trim.split(",") if t)
    if a.shape == "export":
        do_export(a.src, a.out, a.streams, trim)
    elif a.shape == "firehose":
        do_firehose(a.src, a.out, a.streams, a.per, trim, a.owner)
    elif a.shape == "filter":
        do_filter(a.src, a.out, a.streams, trim)
    elif a.shape == "tail":
        do_tail(a.src, a.out, a.streams, a.format, trim)
    else:
        do_events(a.src, a.out, a.streams)
    return 0


if __name__ == "__main__":
    sys.exit(main())
