#!/usr/bin/env python3
"""A meddling proxy in front of an SQS server on 127.0.0.1, for tests/integration/s3_sqs.sh.

  sqs_proxy.py PORTFILE UPSTREAM MODE

Listens on a free port of 127.0.0.1 (written to PORTFILE once listening) and forwards every
request (SQS's JSON protocol: POST / with X-Amz-Target: AmazonSQS.<Operation>) to UPSTREAM
(http://127.0.0.1:PORT, moto_server) as it came, saying each operation on stdout, except:

  nodelete     answers every DeleteMessageBatch with 403 AccessDenied (not retried): a
               reader whose messages are never deleted, as if it died before deleting them
  log          forwards everything
"""
import http.client
import http.server
import os
import sys
import threading
import urllib.parse

portfile, upstream, mode = sys.argv[1], sys.argv[2], sys.argv[3]
up = urllib.parse.urlparse(upstream)
lock = threading.Lock()


def say(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "date",
                                 "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        op = self.headers.get("X-Amz-Target", "").split(".")[-1]
        if mode == "nodelete" and op == "DeleteMessageBatch":
            say("refused " + op)
            self.answer(403, [("Content-Type", "application/x-amz-json-1.0")],
                        b'{"__type":"com.amazonaws.sqs#AccessDenied",'
                        b'"message":"not allowed here"}')
            return
        say(op)
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        c.request("POST", self.path, body=body, headers=dict(self.headers))
        r = c.getresponse()
        data = r.read()
        c.close()
        self.answer(r.status, r.getheaders(), data)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
