#!/usr/bin/env python3
"""A loopback stand-in for `coalmine serve`'s console and GuardDuty API.

Serves web/ under /console/ with the headers coalmine's cm_web_serve() sends
(CSP default-src 'self', nosniff, no-cache + ETag) and answers the API calls
the console makes (ListDetectors, GetDetector, ListFindings, GetFindings,
GetFindingsStatistics, Archive/UnarchiveFindings, UpdateFindingsFeedback) by
running `coalmine findings ...` over a store. With --access-key/--secret-key
every API request's SigV4 signature is checked with botocore, and a wrong one
is answered 403 InvalidSignatureException, as GuardDuty does.

For console_chromium.sh while `coalmine serve` is not built. Listens on
127.0.0.1 on a free port, written to --port-file once ready.
"""
import argparse
import hashlib
import http.server
import json
import os
import subprocess
import sys

DETECTOR = "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


class Err(Exception):
    def __init__(self, status, code, message, body_type=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.body_type = body_type or code


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--coalmine", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--web", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--access-key")
    ap.add_argument("--secret-key")
    a = ap.parse_args()

    def cm(*args):
        p = subprocess.run([a.coalmine, "findings", *args, "--db", a.db],
                           capture_output=True, text=True)
        if p.returncode != 0:
            msg = p.stderr.strip().splitlines()
            raise Err(400, "BadRequestException", msg[-1] if msg else "coalmine failed",
                      "InvalidInputException")
        return p.stdout, p.stderr

    def check_sig(h, body):
        if not a.secret_key:
            return
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        import botocore.auth
        import datetime
        from unittest import mock
        auth = h.headers.get("Authorization", "")
        date = h.headers.get("X-Amz-Date", "")
        if not auth.startswith("AWS4-HMAC-SHA256 ") or not date:
            raise Err(403, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
        parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        cred = parts["Credential"].split("/")
        if cred[0] != a.access_key:
            raise Err(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        headers = {n: h.headers[n] for n in parts["SignedHeaders"].split(";") if n != "host"}
        req = AWSRequest(method=h.command, url="http://%s%s" % (h.headers["Host"], h.path),
                         data=body, headers=headers)
        now = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
            SigV4Auth(Credentials(a.access_key, a.secret_key), cred[3], cred[2]).add_auth(req)
        want = req.headers["Authorization"].rsplit("Signature=", 1)[1]
        if want != parts.get("Signature"):
            raise Err(403, "InvalidSignatureException",
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your AWS Secret Access Key and signing method.")

    def api(h, body):
        check_sig(h, body)
        path = h.path.split("?", 1)[0]
        seg = path.strip("/").split("/")
        req = json.loads(body) if body else {}
        if seg[0] != "detector":
            raise Err(404, "ResourceNotFoundException", "no such path")
        if len(seg) == 1 and h.command == "GET":
            return {"detectorIds": [DETECTOR]}
        if seg[1] != DETECTOR:
            raise Err(400, "BadRequestException", "The request is rejected because the input "
                      "detectorId is not owned by the current account.", "InvalidInputException")
        if len(seg) == 2 and h.command == "GET":
            return {"createdAt": "2026-01-05T00:00:00.000Z", "updatedAt": "2026-01-05T00:00:00.000Z",
                    "findingPublishingFrequency": "SIX_HOURS", "serviceRole": "coalmine",
                    "status": "ENABLED", "features": [
                        {"name": "CLOUD_TRAIL", "status": "ENABLED"},
                        {"name": "DNS_LOGS", "status": "ENABLED"},
                        {"name": "FLOW_LOGS", "status": "ENABLED"},
                        {"name": "S3_DATA_EVENTS", "status": "ENABLED"}], "tags": {}}
        op = "/".join(seg[2:])
        crit = ["--finding-criteria", json.dumps(req["findingCriteria"])] if "findingCriteria" in req else []
        if op == "findings":
            args = ["list", "--format", "api", "--max-results", str(req.get("maxResults", 50)), *crit]
            if "sortCriteria" in req:
                args += ["--sort-criteria", json.dumps(req["sortCriteria"])]
            if req.get("nextToken"):
                args += ["--next-token", req["nextToken"]]
            return json.loads(cm(*args)[0])
        if op == "findings/get":
            if not req.get("findingIds"):
                return {"findings": []}
            return json.loads(cm("get", "--format", "api", *req["findingIds"])[0])
        if op == "findings/statistics":
            if "groupBy" in req:
                args = ["-g", req["groupBy"], "-n", str(req.get("maxResults", 25))]
            else:
                args = ["-g", "SEVERITY", "-n", "0"]
            out = json.loads(cm("stats", "--format", "json", *crit, *args)[0])
            if "groupBy" not in req:
                out["findingStatistics"].pop("groupedBySeverity", None)
            return out
        if op in ("findings/archive", "findings/unarchive"):
            cm(op.split("/")[1], *req["findingIds"])
            return {}
        if op == "findings/feedback":
            extra = ["--comments", req["comments"]] if req.get("comments") else []
            cm("feedback", "--feedback", req["feedback"], *extra, *req["findingIds"])
            return {}
        raise Err(404, "ResourceNotFoundException", "no such operation")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send(self, status, ctype, data, extra=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path in ("/", "/console"):
                return self.send(308, "text/plain", b"", [("Location", "/console/")])
            if path.startswith("/console/"):
                name = path[len("/console/"):] or "index.html"
                f = os.path.join(a.web, name)
                if "/" in name or not os.path.isfile(f):
                    return self.send(404, "text/plain; charset=utf-8", b"not found\n")
                data = open(f, "rb").read()
                etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
                hdrs = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                        ("Cache-Control", "no-cache"), ("ETag", etag),
                        ("Referrer-Policy", "no-referrer")]
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, TYPES.get(os.path.splitext(f)[1], "application/octet-stream"), b"", hdrs)
                return self.send(200, TYPES.get(os.path.splitext(f)[1], "application/octet-stream"), data, hdrs)
            self.handle_api(b"")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            self.handle_api(self.rfile.read(n))

        def handle_api(self, body):
            try:
                out = json.dumps(api(self, body)).encode()
                self.send(200, "application/json", out)
            except Err as e:
                out = json.dumps({"message": e.message, "__type": e.body_type}).encode()
                self.send(e.status, "application/json", out, [("X-Amzn-ErrorType", e.code)])
            except Exception as e:  # a bug in the stand-in: say so
                out = json.dumps({"message": repr(e), "__type": "InternalServerErrorException"}).encode()
                self.send(500, "application/json", out, [("X-Amzn-ErrorType", "InternalServerErrorException")])

        def log_message(self, fmt, *args):
            sys.stderr.write("standin: " + (fmt % args) + "\n")

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_port))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
