#!/usr/bin/env python3
"""A local HTTP feed server for tests/integration/intel_update.sh (127.0.0.1 only).

Serves the files of --root with the behaviours `coalmine intel update` must
handle. Binds an ephemeral port and writes it to --port-file; logs one line
per request to --log ("GET /path inm=<If-None-Match> ims=<If-Modified-Since>").

  /files/NAME        the file, with ETag (content hash) and Last-Modified (mtime);
                     If-None-Match / If-Modified-Since give 304 when they match
  /lm/NAME           the file with Last-Modified only (no ETag)
  /gzip/NAME         the file gzip-compressed, Content-Encoding: gzip
  /status/CODE       that status with a short body
  /big/N             N bytes of valid list lines, no Content-Length (streamed)
  /bigcl/N           the same with Content-Length
  /slow/NAME         the start of the file, then a pause of 30 s, then the rest
  /redirect/K/NAME   K redirects, then /files/NAME
  /redirect-file     a redirect to file:///etc/hostname (must be refused)
  /redirect-metadata a redirect to http://169.254.169.254/latest/meta-data/ (must be
                     refused before a socket is opened for it)
  /mode/NAME         what ROOT/NAME.mode says: ok (as /files/NAME), 500, big,
                     slow or garbage (a body that is not a list)
"""
import argparse
import email.utils
import gzip
import hashlib
import http.server
import os
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "feed-server/1"

    def log_message(self, fmt, *args):  # quiet; the request log is ours
        pass

    def log_request_line(self):
        with self.server.log_lock, open(self.server.log, "a") as f:
            f.write("GET %s inm=%s ims=%s ae=%s\n" % (
                self.path, self.headers.get("If-None-Match", "-"),
                self.headers.get("If-Modified-Since", "-"),
                self.headers.get("Accept-Encoding", "-")))

    def send_body(self, code, body, headers=(), length=True):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def read_file(self, name):
        path = os.path.join(self.server.root, os.path.basename(name))
        try:
            with open(path, "rb") as f:
                return f.read(), os.stat(path).st_mtime
        except OSError:
            return None, 0

    def serve_file(self, name, etag=True):
        body, mtime = self.read_file(name)
        if body is None:
            return self.send_body(404, b"not found\n")
        tag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        lm = email.utils.formatdate(int(mtime), usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        hdrs = [("Last-Modified", lm)] + ([("ETag", tag)] if etag else [])
        if etag and inm is not None:
            if inm == tag:
                return self.send_body(304, b"", hdrs, length=False)
        elif ims is not None:
            t = email.utils.parsedate_to_datetime(ims).timestamp()
            if int(mtime) <= t:
                return self.send_body(304, b"", hdrs, length=False)
        self.send_body(200, body, hdrs + [("Content-Type", "text/plain")])

    def big(self, n, with_length):
        line = b"8.8.8.8\n"
        self.send_response(200)
        if with_length:
            self.send_header("Content-Length", str(n))
        self.end_headers()
        sent = 0
        try:
            while sent < n:
                chunk = (line * 8192)[: n - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def slow(self, name):
        body, _ = self.read_file(name)
        body = body or b"8.8.8.8\n"
        self.send_response(200)
        self.end_headers()
        try:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            for _ in range(300):
                if self.server.stopping:
                    return
                time.sleep(0.1)
            self.wfile.write(body[len(body) // 2:])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        self.log_request_line()
        parts = self.path.split("?")[0].strip("/").split("/")
        kind, rest = parts[0], parts[1:]
        if kind == "files" and rest:
            return self.serve_file(rest[0])
        if kind == "lm" and rest:
            return self.serve_file(rest[0], etag=False)
        if kind == "gzip" and rest:
            body, _ = self.read_file(rest[0])
            if body is None:
                return self.send_body(404, b"not found\n")
            return self.send_body(200, gzip.compress(body), [("Content-Encoding", "gzip")])
        if kind == "status" and rest:
            return self.send_body(int(rest[0]), b"server says no\n")
        if kind in ("big", "bigcl") and rest:
            return self.big(int(rest[0]), kind == "bigcl")
        if kind == "slow" and rest:
            return self.slow(rest[0])
        if kind == "redirect" and len(rest) >= 2:
            k = int(rest[0])
            to = "/redirect/%d/%s" % (k - 1, rest[1]) if k > 1 else "/files/" + rest[1]
            return self.send_body(302, b"", [("Location", to)])
        if kind == "redirect-file":
            return self.send_body(302, b"", [("Location", "file:///etc/hostname")])
        if kind == "redirect-metadata":
            return self.send_body(302, b"", [("Location", "http://169.254.169.254/latest/meta-data/")])
        if kind == "mode" and rest:
            body, _ = self.read_file(rest[0] + ".mode")
            mode = (body or b"ok").decode().split()[0]
            if mode == "500":
                return self.send_body(500, b"internal error\n")
            if mode == "big":
                return self.big(4 << 20, False)
            if mode == "slow":
                return self.slow(rest[0])
            if mode == "garbage":
                return self.send_body(200, b"<html><body>Service unavailable</body></html>\n")
            return self.serve_file(rest[0])
        self.send_body(404, b"not found\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.root, srv.log, srv.log_lock, srv.stopping = a.root, a.log, threading.Lock(), False
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
