#!/usr/bin/env python3
"""SigV4 conformance of `coalmine serve` against botocore's signer (see
api_sigv4_botocore.sh). Requests are signed with botocore's SigV4Auth and sent
byte for byte on a raw socket, so that the path, the query and repeated headers
reach the server exactly as signed. Every valid request must pass SigV4 (any
answer but an authentication error), and a one-byte change of the path, the
query, the body, X-Amz-Date, a signed header or the signature must be refused.
Prints TAP lines (numbered by the caller)."""
import random
import socket
import sys

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PORT, DET, KEY, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
AUTH_ERRORS = {"MissingAuthenticationTokenException", "IncompleteSignatureException",
               "UnrecognizedClientException", "InvalidSignatureException"}


def send(raw):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(raw)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    etype = None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.lower() == "x-amzn-errortype":
            etype = v.strip()
    return int(lines[0].split()[1]), etype, body


def sign(method, path, query, headers, body, token=None):
    url = "http://127.0.0.1:%d%s%s" % (PORT, path, "" if query is None else "?" + query)
    req = AWSRequest(method=method, url=url, data=body)
    for k, v in headers:
        req.headers[k] = v  # botocore's HTTPHeaders keeps repeats
    SigV4Auth(Credentials(KEY, SECRET, token), "guardduty", "us-east-1").add_auth(req)
    out = []
    for k in dict.fromkeys(req.headers.keys()):
        for v in req.headers.get_all(k):
            out.append((k, v))
    return out


def raw(method, path, query, headers, body):
    target = path + ("" if query is None else "?" + query)
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: 127.0.0.1:%d" % PORT,
             "Connection: close"]
    lines += ["%s: %s" % (k, v) for k, v in headers if k.lower() != "host"]
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin1") + body


D = "/detector/" + DET
QUERIES = [None, "", "maxResults=5", "b=2&a=1", "a=2&a=1&a=10", "a=&b=", "a&b=1",
           "nextToken=x%2Fy%3D", "k=%20sp%20", "k=~", "Z=1&a=1&_=2&-=3&.=4", "k=%E2%82%AC",
           "a=1&a=1", "k=%2A", "k=%21%27%28%29", "x-y=1&x_y=2&x.y=3", "nextToken=&maxResults=2"]
PATHS = ["/detector", D, D + "/", D + "/findings", "//detector", "/detector/./",
         "/detector/x/../",
         "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F" + DET,
         D + "/filter/a%20b", "/detector/%7Eabc"]
EXTRA = [[], [("X-Custom", "a   b\tc  ")], [("X-Custom", "  lead")],
         [("X-Rep", "1"), ("X-Rep", "2")], [("Content-Type", "application/json")],
         [("X-Amz-Meta", "")], [("X-Tabs", "a\t\tb")]]
BODIES = [b"", b"{}", b'{"maxResults":1}', '{"x":"\u00e9"}'.encode()]
MUTABLE = {"x-amz-date", "x-custom", "x-rep", "content-type", "x-amz-security-token", "x-tabs"}


def main():
    rnd = random.Random(7)
    shapes = [("GET", p, q, rnd.choice(EXTRA), b"", None) for p in PATHS for q in QUERIES]
    shapes += [("POST", p, rnd.choice(QUERIES), e, b, rnd.choice([None, "session-token-1"]))
               for p in PATHS[:4] for b in BODIES for e in EXTRA]
    refused, accepted, bad = [], 0, []
    for m, path, q, extra, body, token in shapes:
        hs = sign(m, path, q, extra, body, token)
        _, etype, rbody = send(raw(m, path, q, hs, body))
        if etype in AUTH_ERRORS:
            refused.append("%s %s ?%s %r: %s" % (m, path, q, extra, rbody[:120]))
            continue
        muts = []
        if len(path) > 1:
            i = rnd.randrange(1, len(path))
            p2 = path[:i] + ("Q" if path[i] != "Q" else "R") + path[i + 1:]
            if "/../" not in path:  # a changed segment before ".." normalises away
                muts.append(("path", p2, q, hs, body))
        if q:
            i = rnd.randrange(len(q))
            muts.append(("query", path, q[:i] + ("q" if q[i] != "q" else "r") + q[i + 1:], hs,
                         body))
        if body:
            b2 = bytearray(body)
            b2[rnd.randrange(len(b2))] ^= 1
            muts.append(("body", path, q, hs, bytes(b2)))
        else:
            muts.append(("body added", path, q, hs, b"x"))
        for j, (k, v) in enumerate(hs):
            h2 = list(hs)
            if k.lower() == "authorization":
                h2[j] = (k, v[:-64] + ("0" if v[-64] != "0" else "1") + v[-63:])
                muts.append(("signature", path, q, h2, body))
            elif k.lower() in MUTABLE:
                vv = v or "z"
                i = len(vv) // 2
                h2[j] = (k, vv[:i] + ("1" if vv[i] != "1" else "2") + vv[i + 1:])
                muts.append(("header " + k, path, q, h2, body))
        for what, p2, q2, h2, b2 in muts:
            _, etype2, _ = send(raw(m, p2, q2, h2, b2))
            if etype2 in AUTH_ERRORS:
                accepted += 1
            else:
                bad.append("%s of %s %s ?%s" % (what, m, path, q))
    n = 0

    def tap(ok, name, diag):
        nonlocal n
        n += 1
        print("%sok %d - %s" % ("" if ok else "not ", n, name))
        for d in diag[:10] if not ok else []:
            print("# " + d)

    tap(not refused, "every one of %d botocore-signed requests passes SigV4" % len(shapes),
        refused)
    tap(not bad and accepted > 1000,
        "every one-byte change of path, query, body, date, header or signature is refused "
        "(%d)" % accepted, bad)
    req = AWSRequest(method="GET", url="http://127.0.0.1:%d/detector" % PORT)
    SigV4QueryAuth(Credentials(KEY, SECRET), "guardduty", "us-east-1", expires=300).add_auth(req)
    target = req.url.split("%d" % PORT, 1)[1]
    st, etype, rbody = send(raw("GET", target.split("?")[0], target.split("?", 1)[1], [], b""))
    tap(st == 403 and b"presigned" in rbody, "a presigned URL is refused, saying why",
        [rbody.decode("latin1")])


main()
