#!/usr/bin/env python3
"""A loopback HTTP server that answers every POST with a canned JSON body.

For tests that run a real client (the aws CLI) against responses coalmine
wrote: GuardDuty's GetFindings (POST /detector/ID/findings/get) gets ROOT/get.json,
any other POST (ListFindings: /detector/ID/findings) ROOT/list.json. Each
request is appended to ROOT/requests.log (path, then the body). Listens on
127.0.0.1 only, on a free port it writes to --port-file once ready.
"""
import argparse
import http.server
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(n)
            with open(os.path.join(a.root, "requests.log"), "ab") as f:
                f.write(self.path.encode() + b" " + body + b"\n")
            name = "get.json" if self.path.endswith("/findings/get") else "list.json"
            with open(os.path.join(a.root, name), "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_port))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
