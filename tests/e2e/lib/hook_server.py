#!/usr/bin/env python3
"""A webhook on 127.0.0.1 for the e2e tests: appends each POST's body, one line,
to LOG and answers STATUS (default 200) with the extra headers given.

usage: hook_server.py [--content-type | --log-header NAME] PORT_FILE LOG
                      [STATUS [NAME:VALUE]...]
--content-type puts the request's Content-Type and "|" before each body;
--log-header NAME logs, instead of the body, the request's path and its header
NAME ("-" when it has none), as "PATH VALUE" (what a secret reached). The
port it listens on goes to PORT_FILE (written whole, by a rename) once it
listens. STATUS may be a comma list ("503,200"): the answers in turn, the
last one repeated; each body answered 2xx is also appended to LOG.accepted.
"""
import http.server
import os
import sys


def main():
    args = sys.argv[1:]
    with_type = bool(args) and args[0] == "--content-type"
    if with_type:
        args = args[1:]
    log_header = None
    if len(args) > 1 and args[0] == "--log-header":
        log_header, args = args[1], args[2:]
    port_file, log = args[0], args[1]
    statuses = [int(x) for x in args[2].split(",")] if len(args) > 2 else [200]
    answered = [0]
    headers = [h.split(":", 1) for h in args[3:]]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if with_type:
                body = self.headers["Content-Type"].encode() + b"|" + body
            if log_header is not None:
                body = ("%s %s" % (self.path, self.headers.get(log_header, "-"))).encode()
            status = statuses[min(answered[0], len(statuses) - 1)]
            answered[0] += 1
            with open(log, "ab") as f:
                f.write(body + b"\n")
            if 200 <= status < 300:
                with open(log + ".accepted", "ab") as f:
                    f.write(body + b"\n")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value.strip())
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
