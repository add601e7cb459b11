#!/usr/bin/env python3
"""Small servers on 127.0.0.1 for tests/integration/aws_creds.sh.

  creds_server.py PORTFILE LOG proxy UPSTREAM
      forwards every request to UPSTREAM (http://127.0.0.1:PORT, moto_server) as it came
      and writes a line per request to LOG: "METHOD PATH KEYID" (KEYID: the access key
      id of the Authorization header's Credential, "-" when unsigned); for a form POST
      (STS) also the form's Action, RoleArn, RoleSessionName, ExternalId and
      DurationSeconds, and whether a WebIdentityToken was sent (never its value)
  creds_server.py PORTFILE LOG container BODYFILE
      answers every GET with BODYFILE's bytes (read at each request) as JSON, or with
      HTTP 500 when BODYFILE is missing; writes "GET PATH AUTHORIZATION" to LOG
  creds_server.py PORTFILE LOG sts-deny
      answers every request with STS's 403 AccessDenied ErrorResponse
  creds_server.py PORTFILE LOG sso TOKEN
      IAM Identity Center's portal: GET /federation/credentials with the header
      x-amz-sso_bearer_token TOKEN gets roleCredentials (ASIASSO... for the account and role
      asked), any other token HTTP 401; writes "GET PATH ok|bad" to LOG

Listens on a free port of 127.0.0.1, written to PORTFILE once listening.
"""
import http.client
import json
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse

portfile, logpath, mode = sys.argv[1], sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else ""
lock = threading.Lock()

DENY = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
        b"  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n"
        b"    <Message>User: arn:aws:iam::123456789012:user/base is not authorized to "
        b"perform: sts:AssumeRole</Message>\n  </Error>\n"
        b"  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ErrorResponse>\n")


def log(line):
    with lock:
        with open(logpath, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, data, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        data = self.body()
        if mode == "container":
            log("%s %s %s" % (self.command, self.path, self.headers.get("Authorization", "-")))
            try:
                with open(arg, "rb") as f:
                    self.send(200, f.read(), "application/json")
            except OSError:
                self.send(500, b"{}", "application/json")
            return
        if mode == "sso":
            good = self.headers.get("x-amz-sso_bearer_token") == arg
            log("%s %s %s" % (self.command, self.path, "ok" if good else "bad"))
            if not good:
                self.send(401, b'{"message":"Session token not found or invalid"}',
                          "application/json")
                return
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            creds = {"roleCredentials": {
                "accessKeyId": "ASIASSO%s" % q.get("account_id", ["?"])[0][-4:],
                "secretAccessKey": "sso-secret", "sessionToken": "sso-token",
                "expiration": int(time.time() + 3600) * 1000}}
            self.send(200, json.dumps(creds).encode(), "application/json")
            return
        if mode == "sts-deny":
            log("%s %s" % (self.command, self.path))
            self.send(403, DENY, "text/xml")
            return
        m = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
        line = "%s %s %s" % (self.command, self.path, m.group(1) if m else "-")
        if self.command == "POST" and data:
            form = urllib.parse.parse_qs(data.decode("utf-8", "replace"))
            for k in ("Action", "RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds"):
                if k in form:
                    line += " %s=%s" % (k, form[k][0])
            if "WebIdentityToken" in form:
                line += " WebIdentityToken=sent"
        log(line)
        up = urllib.parse.urlparse(arg)
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items()}
        c.request(self.command, self.path, body=data or None, headers=headers)
        r = c.getresponse()
        payload = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        c.close()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, portfile)
srv.serve_forever()
