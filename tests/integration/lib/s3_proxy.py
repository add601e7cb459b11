#!/usr/bin/env python3
"""A meddling proxy in front of an S3 server on 127.0.0.1, for tests/integration/s3_scan.sh.

  s3_proxy.py PORTFILE UPSTREAM MODE [ARG]

Listens on a free port of 127.0.0.1 (written to PORTFILE once listening) and forwards
every request to UPSTREAM (http://127.0.0.1:PORT, moto_server) as it came, except:

  delete KEY   once the first ListObjectsV2 answer is in (before it is passed on),
               deletes object KEY of the listed bucket upstream: an object listed, then
               gone before it is read
  fail N       answers the first N GetObject requests with 503 SlowDown (S3's throttling
               answer), then forwards: what a client's retries must get through
  log          forwards everything, and says each ListObjectsV2 ("LIST /bucket?QUERY", the
               query's parameters sorted, a continuation token's value as T), GetObject
               ("GET /bucket/key") and HeadObject ("HEAD /bucket/key"): what a client asked
               for, counted by the tests
  down N       like log, but answers every ListObjectsV2 with 503 SlowDown while the file N
               exists (a bucket that cannot be listed for a while)
  slow S       answers each GetObject S seconds late (a slow store: a long scan of a batch),
               saying "GET /bucket/key" as each comes

What it did goes to stdout, one line each ("503 /bucket/key", "deleted /bucket/key").
"""
import http.client
import os
import sys
import time
import urllib.parse

from proxy_http import Handler, lock, say, serve

portfile, upstream, mode = sys.argv[1], sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else ""
up = urllib.parse.urlparse(upstream)
state = {"failed": 0, "deleted": False}


def forward(method, path, headers, body=None):
    c = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheaders(), data


class H(Handler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        is_object = u.path.count("/") >= 2 and not u.query
        if mode == "fail" and is_object:
            with lock:
                fail = state["failed"] < int(arg)
                state["failed"] += fail
            if fail:
                print("503 %s" % u.path, flush=True)
                body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                        b'<Message>Please reduce your request rate.</Message></Error>')
                self.answer(503, [("Content-Type", "application/xml")], body)
                return
        if mode in ("log", "down"):
            if "list-type" in q:
                kept = sorted((k, "T" if k == "continuation-token" else v[0])
                              for k, v in q.items())
                line = "LIST %s?%s" % (u.path, "&".join("%s=%s" % kv for kv in kept))
                if mode == "down" and os.path.exists(arg):
                    say("503 " + line)
                    body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                            b'<Message>Please reduce your request rate.</Message></Error>')
                    self.answer(503, [("Content-Type", "application/xml")], body)
                    return
                say(line)
            elif is_object:
                say("GET %s" % urllib.parse.unquote(u.path))
        if mode == "slow" and is_object:
            say("GET %s" % urllib.parse.unquote(u.path))
            time.sleep(float(arg))
        status, headers, data = forward("GET", self.path, dict(self.headers))
        if mode == "delete" and "list-type" in q:
            with lock:
                first = not state["deleted"]
                state["deleted"] = True
            if first:
                # gone before the client has the listing: its GetObject must fail
                bucket = u.path.strip("/").split("/")[0]
                target = "/%s/%s" % (bucket, urllib.parse.quote(arg))
                # moto answers an unsigned request 403; it checks no signature by default
                forward("DELETE", target, {
                    "Host": up.netloc,
                    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                                     "s3/aws4_request, SignedHeaders=host, Signature=0"})
                print("deleted %s" % target, flush=True)
        self.answer(status, headers, data)

    def do_HEAD(self):
        u = urllib.parse.urlparse(self.path)
        if mode in ("log", "down"):
            say("HEAD %s" % urllib.parse.unquote(u.path))
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        c.request("HEAD", self.path, headers=dict(self.headers))
        r = c.getresponse()
        r.read()
        c.close()
        # The upstream's headers as they are, Content-Length (the object's size) included.
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "date", "server"):
                self.send_header(k, v)
        self.end_headers()


serve(H, portfile)
