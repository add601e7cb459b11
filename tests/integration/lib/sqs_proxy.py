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
import sys
import urllib.parse

from proxy_http import Handler, say, serve

portfile, upstream, mode = sys.argv[1], sys.argv[2], sys.argv[3]
up = urllib.parse.urlparse(upstream)


class H(Handler):
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


serve(H, portfile)
