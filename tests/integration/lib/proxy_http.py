"""What the meddling proxies of the integration tests share (lib/s3_proxy.py, lib/sqs_proxy.py):

  say(line)      one line on stdout at a time (the handler threads print concurrently)
  Handler        a BaseHTTPRequestHandler speaking HTTP/1.1, logging nothing, with
                 answer(status, headers, data): an upstream answer passed on (its framing
                 headers replaced)
  serve(H, PORTFILE)  listens with H on a free port of 127.0.0.1, written to PORTFILE
                 (atomically) once listening, and serves until killed
"""
import http.server
import os
import sys
import threading

lock = threading.Lock()


def say(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Handler(http.server.BaseHTTPRequestHandler):
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


def serve(handler, portfile):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()
