#!/usr/bin/env python3
"""Realistic benign Route 53 Resolver query logs for tests/e2e/fp_dns.sh.

Writes AWSLogs/<account>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/*.log.gz (one file per VPC
and 10 minutes, the layout `coalmine gen` writes) for a day and a bit of an estate of
two accounts: mail relays doing DNSBL, URIBL and hash look-ups; instances whose
anti-virus asks its cloud about file hashes; a log shipper's PTR bursts; Kubernetes
nodes and their search-list expansions; a Windows DNS forwarder / AD domain controller
resolving for many clients; a jump host whose search suffix is the private zone "corp"
(Chrome's random probes) and another whose zone is named after the company ("mycompany",
a TLD in no root zone); Kubernetes pods whose search list ends in the corporate domain;
web and batch servers on AWS, CDN and SaaS names; CI
runners on preview deployments; telemetry agents; a developer's home-lab dynamic-DNS
name. One role is no estate's: a tunnel under search-list-looking names ("nxtunnel",
only with --only, for tests/e2e/dns_tunnel.sh). Everything is made here (no data set), seeded, standard library only.

usage: fp_dns.py OUTDIR [--hours H] [--seed S] [--only ROLE,...]
"""
import gzip
import hashlib
import json
import os
import random
import sys
import base64
from datetime import datetime, timedelta, timezone

START = datetime(2026, 1, 5, 0, 0, 0, tzinfo=timezone.utc)
R = random.Random(7)

ACCTS = {
    "111122223333": ("us-east-1", "vpc-0a1b2c3d4e5f60718"),
    "444455556666": ("eu-west-1", "vpc-0f9e8d7c6b5a40312"),
}

SYL = ["ka", "lo", "mi", "ne", "ra", "to", "vi", "sa", "de", "po", "lu", "ga", "be", "ri",
       "mo", "ta", "ze", "fi", "no", "ha", "ko", "pe", "si", "du"]
WORDS = ["acme", "north", "blue", "river", "stone", "cloud", "pixel", "orbit", "maple",
         "delta", "forge", "harbor", "summit", "cedar", "lumen", "vector", "atlas", "nova",
         "pine", "crest", "wave", "bright", "metro", "alpine", "coral", "ember", "falcon"]
TLDS = ["com", "com", "com", "net", "org", "io", "de", "co.uk", "fr", "nl"]


def word_domain(r):
    return r.choice(WORDS) + r.choice(["", "-", ""]) + r.choice(WORDS) + "." + r.choice(TLDS)


def syl_domain(r):
    return "".join(r.choice(SYL) for _ in range(r.randint(2, 4))) + "." + r.choice(TLDS)


def hexs(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def b32(r, n, alpha="abcdefghijklmnopqrstuvwxyz234567"):
    return "".join(r.choice(alpha) for _ in range(n))


def pub_ip(r):
    # Mostly documentation and plausible public ranges.
    a = r.choice([(192, 0, 2), (198, 51, 100), (203, 0, 113)])
    if r.random() < 0.5:
        return "%d.%d.%d.%d" % (r.choice([23, 31, 45, 62, 77, 89, 91, 104, 141, 185, 193, 212]),
                                r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    return "%d.%d.%d.%d" % (a + (r.randint(1, 254),))


def v6(r):
    groups = [0x2001, 0x0db8, r.randint(0, 0xffff), r.randint(0, 0xffff)] + \
        [r.randint(0, 0xffff) for _ in range(4)]
    return "".join("%04x" % g for g in groups)


def rev4(ip):
    return ".".join(reversed(ip.split(".")))


def nib6(h):
    return ".".join(reversed(h))


def ans_a(r, n=1):
    return [{"Rdata": pub_ip(r), "Type": "A", "Class": "IN"} for _ in range(n)]


class Inst:
    def __init__(self, acct, iid, addr, role):
        self.acct, self.iid, self.addr, self.role = acct, iid, addr, role


def q(out, inst, t, name, qtype="A", rcode="NOERROR", answers=None):
    region, vpc = ACCTS[inst.acct]
    if rcode == "NOERROR" and answers is None and qtype in ("A", "AAAA"):
        answers = ans_a(R)
    out.append((t, inst.acct, {
        "version": "1.100000", "account_id": inst.acct, "region": region, "vpc_id": vpc,
        "query_timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "query_name": name.rstrip(".") + ".", "query_type": qtype, "query_class": "IN",
        "rcode": rcode, "answers": answers or [], "srcaddr": inst.addr,
        "srcport": str(R.randint(1024, 65535)), "transport": "UDP",
        "srcids": {"instance": inst.iid}}))


def txt(s):
    return [{"Rdata": '"%s"' % s, "Type": "TXT", "Class": "IN"}]


def cname(s):
    return [{"Rdata": s.rstrip(".") + ".", "Type": "CNAME", "Class": "IN"}]


def nx(out, inst, t, name, qtype="A"):
    q(out, inst, t, name, qtype, "NXDOMAIN", [])


# ---- roles: each yields the queries of one instance over [0, hours) ----

def mail_relay(out, inst, hours, r):
    dqs = b32(r, 26, "abcdefghijklmnopqrstuvwxyz0123456789")  # the relay's DQS key
    senders = [word_domain(r) for _ in range(300)] + [syl_domain(r) for _ in range(100)]
    for m in range(int(hours * 120)):
        t = START + timedelta(seconds=m * 30 + r.randint(0, 29))
        ip = pub_ip(r)
        for bl in ["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org",
                   "dnsbl.sorbs.net", "bl.mailspike.net", "list.dnswl.org",
                   "bl.blocklist.de", "rbl.interserver.net", "psbl.surriel.com",
                   "zen.%s.zen.dq.spamhaus.net" % dqs]:
            name = rev4(ip) + "." + bl.replace("zen.%s.zen" % dqs, dqs + ".zen")
            if r.random() < 0.03:
                q(out, inst, t, name, "A", answers=[{"Rdata": "127.0.0.2", "Type": "A",
                                                    "Class": "IN"}])
            else:
                nx(out, inst, t, name)
        if r.random() < 0.15:  # an IPv6 sender
            h = v6(r)
            for bl in ["zen.spamhaus.org", "bl.blocklist.de", "dnsbl.sorbs.net",
                       "bl.mailspike.net", "rbl.interserver.net"]:
                nx(out, inst, t, nib6(h) + "." + bl)
        d = r.choice(senders)
        q(out, inst, t, d, "TXT", answers=txt("v=spf1 include:_spf.%s ~all" % d))
        q(out, inst, t, "_dmarc." + d, "TXT", answers=txt("v=DMARC1; p=none"))
        sel = r.choice(["selector1", "google", "s1", "k1", b32(r, 32)])
        q(out, inst, t, "%s._domainkey.%s" % (sel, d), "TXT",
          answers=txt("v=DKIM1; k=rsa; p=MIGfMA0"))
        q(out, inst, t, d, "MX", answers=[{"Rdata": "10 mx.%s." % d, "Type": "MX",
                                            "Class": "IN"}])
        # URIs of the body: domain block lists, and hashes of addresses and attachments
        for _ in range(r.randint(0, 4)):
            u = r.choice(senders + [word_domain(r)])
            for zl in ["dbl.spamhaus.org", "multi.surbl.org", "multi.uribl.com"]:
                nx(out, inst, t, u + "." + zl)
        for _ in range(r.randint(0, 2)):
            hsh = base64.b32encode(hashlib.sha256(r.getrandbits(64).to_bytes(8, 'big')).digest()).decode()
            hsh = hsh.rstrip("=").lower()
            nx(out, inst, t, "%s._email.%s.hbl.dq.spamhaus.net" % (hsh, dqs))
            nx(out, inst, t, "%s.ebl.msbl.org" % hashlib.sha1(r.getrandbits(64).to_bytes(8, 'big')).hexdigest())
        # Razor/Pyzor-like checksums published over DNS by an invaluement-style list
        if r.random() < 0.3:
            nx(out, inst, t, "%s.hashbl.surbl.org" % hashlib.md5(r.getrandbits(64).to_bytes(8, 'big')).hexdigest())


def av_agent(out, inst, hours, r, kind):
    # file reputation look-ups: a trickle, and bursts at package updates / deploys
    n = 0
    t = START
    end = START + timedelta(hours=hours)
    while t < end:
        burst = r.random() < 0.02
        k = r.randint(50, 300) if burst else 1
        for i in range(k):
            h = hashlib.sha256(("%s%d" % (inst.iid, n)).encode()).hexdigest()
            n += 1
            if kind == "sophos":
                name = "%s.%s.%s.%s.3.sophosxl.net" % (h[:16], h[16:32], h[32:48], h[48:])
            elif kind == "mcafee":
                name = "0.0.0.0.1.0.0.4e.%s.avqs.mcafee.com" % h[:32]
            elif kind == "cymru":
                name = "%s.hash.cymru.com" % h[:32]
            elif kind == "eset":
                name = "%s.%s.e5.sk" % (h[:20], h[20:40])
            else:  # trend
                name = "%s.%s.wrs.trendmicro.com" % (h[:32], h[32:40])
            if r.random() < 0.9:
                nx(out, inst, t + timedelta(seconds=i // 20), name,
                   "TXT" if kind == "cymru" else "A")
            else:
                q(out, inst, t + timedelta(seconds=i // 20), name, "A",
                  answers=[{"Rdata": "127.0.0.1", "Type": "A", "Class": "IN"}])
        t += timedelta(seconds=r.randint(30, 400))


COMMON = ["ssm.{reg}.amazonaws.com", "ec2messages.{reg}.amazonaws.com",
          "ssmmessages.{reg}.amazonaws.com", "logs.{reg}.amazonaws.com",
          "monitoring.{reg}.amazonaws.com", "sts.{reg}.amazonaws.com",
          "0.amazon.pool.ntp.org", "1.amazon.pool.ntp.org", "2.pool.ntp.org",
          "time.aws.com", "ocsp.r2m01.amazontrust.com", "r3.o.lencr.org",
          "crl3.digicert.com", "ocsp.digicert.com", "ocsp.sectigo.com", "c.pki.goog",
          "7-51-0-app.agent.datadoghq.com", "trace.agent.datadoghq.com",
          "http-intake.logs.datadoghq.com", "collector.newrelic.com",
          "infra-api.newrelic.com", "sentry.io", "o450123.ingest.sentry.io",
          "api.github.com", "github.com", "objects.githubusercontent.com",
          "registry.npmjs.org", "pypi.org", "files.pythonhosted.org",
          "security.ubuntu.com", "deb.debian.org", "archive.ubuntu.com"]


def web_server(out, inst, hours, r):
    reg = ACCTS[inst.acct][0]
    buckets = ["%s-%s" % (r.choice(WORDS), hexs(r, 12)) for _ in range(12)] + \
        [b32(r, 20, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12)]
    aws = ["internal-app-%d.%s.elb.amazonaws.com" % (r.randint(10**8, 10**9), reg),
           "k8s-default-web-%s.elb.%s.amazonaws.com" % (hexs(r, 10), reg),
           "%s.execute-api.%s.amazonaws.com" % (b32(r, 10, "abcdefghijklmnopqrstuvwxyz0123456789"), reg),
           "%s.lambda-url.%s.on.aws" % (b32(r, 32, "abcdefghijklmnopqrstuvwxyz0123456789"), reg),
           "%d.dkr.ecr.%s.amazonaws.com" % (r.randint(10**11, 10**12 - 1), reg),
           "%s-ats.iot.%s.amazonaws.com" % (b32(r, 14, "abcdefghijklmnopqrstuvwxyz0123456789"), reg),
           "instance-data.ec2.internal", "d%s.cloudfront.net" % b32(r, 13, "abcdefghijklmnopqrstuvwxyz0123456789"),
           "%s.gr7.%s.eks.amazonaws.com" % (hexs(r, 32).upper(), reg),
           "search-logs-%s.%s.es.amazonaws.com" % (b32(r, 26, "abcdefghijklmnopqrstuvwxyz0123456789"), reg),
           "main.%s.amplifyapp.com" % b32(r, 14, "abcdefghijklmnopqrstuvwxyz0123456789"),
           "vpce-0%s-%s.s3.%s.vpce.amazonaws.com" % (hexs(r, 16), b32(r, 8), reg)]
    cdn = ["e%d.a.akamaiedge.net" % r.randint(1000, 9999), "dualstack.%s.map.fastly.net" % r.choice(WORDS),
           "%s.azureedge.net" % (r.choice(WORDS) + hexs(r, 4)),
           "%s.blob.core.windows.net" % b32(r, 20, "abcdefghijklmnopqrstuvwxyz0123456789"),
           "%s.trafficmanager.net" % r.choice(WORDS), "lh3.googleusercontent.com",
           "r3---sn-%s.gvt1.com" % b32(r, 8, "abcdefghijklmnopqrstuvwxyz0123456789"),
           "rr4---sn-%s.googlevideo.com" % b32(r, 8, "abcdefghijklmnopqrstuvwxyz0123456789"),
           "t-ring-fdv2.msedge.net", "%s.z01.azurefd.net" % (r.choice(WORDS) + "-" + hexs(r, 16)),
           "%s.github.io" % r.choice(WORDS), "%s-%s.herokuapp.com" % (r.choice(WORDS), hexs(r, 12)),
           "%s.azurewebsites.net" % r.choice(WORDS), "%s.vercel.app" % r.choice(WORDS),
           "%s.netlify.app" % r.choice(WORDS)]
    for m in range(int(hours * 60)):
        t = START + timedelta(minutes=m, seconds=r.randint(0, 59))
        for _ in range(r.randint(2, 6)):
            name = r.choice(COMMON).format(reg=reg)
            q(out, inst, t, name)
        bk = r.choice(buckets)
        q(out, inst, t, r.choice(["%s.s3.amazonaws.com", "%s.s3.%s.amazonaws.com" % ("%s", reg)]) % bk)
        q(out, inst, t, r.choice(aws))
        if r.random() < 0.5:
            q(out, inst, t, r.choice(cdn))
        if r.random() < 0.02:  # NTP pool servers by number
            q(out, inst, t, "%d.%s.pool.ntp.org" % (r.randint(0, 3), r.choice(["europe", "north-america", "us"])))


def k8s_node(out, inst, hours, r):
    reg = ACCTS[inst.acct][0]
    ext = ["api.github.com", "sts.%s.amazonaws.com" % reg, "registry-1.docker.io",
           "auth.docker.io", "production.cloudflare.docker.com", "quay.io",
           "cdn01.quay.io", "gcr.io", "public.ecr.aws", "hooks.slack.com"]
    # monitoring and data pods: Elastic Cloud deployments, S3 buckets with a hash in
    # their names, Lambda function URLs (each has fewer than 5 dots: ndots:5 expands it)
    al = "abcdefghijklmnopqrstuvwxyz0123456789"
    ext += ["%s.%s.aws.found.io" % (hexs(r, 32), reg) for _ in range(12)]
    ext += ["logs-%s.s3.amazonaws.com" % hexs(r, 16) for _ in range(6)]
    ext += ["%s.lambda-url.%s.on.aws" % (b32(r, 32, al), reg) for _ in range(4)]
    # the pod's search list: the namespace's, the cluster's, and the node's (the VPC's
    # DHCP options set a corporate domain)
    sfx = ["monitoring.svc.cluster.local", "svc.cluster.local", "cluster.local",
           "corp.example.com"]
    for m in range(int(hours * 60)):
        t = START + timedelta(minutes=m, seconds=r.randint(0, 59))
        for _ in range(r.randint(1, 5)):
            e = r.choice(ext)
            for s in sfx:  # ndots:5 search-list expansion, each answered NXDOMAIN
                nx(out, inst, t, e + "." + s, r.choice(["A", "AAAA"]))
            q(out, inst, t, e)
        q(out, inst, t, "%s.service.consul" % r.choice(WORDS), "A", "NXDOMAIN", [])
        q(out, inst, t, "ip-10-0-%d-%d.ec2.internal" % (r.randint(0, 9), r.randint(2, 250)))


def nx_tunnel(out, inst, hours, r):
    # NOT benign, never in the estate unless named with --only (tests/e2e/dns_tunnel.sh): a
    # Kubernetes node as k8s_node, one of whose pods runs a tunnel whose server answers
    # NXDOMAIN and spells an allow-listed zone into its names, so that each looks like a
    # search-list expansion: <32 base32>.s3.amazonaws.com.evil-tunnel.com, two a minute.
    k8s_node(out, inst, hours, r)
    for m in range(int(hours * 60)):
        t = START + timedelta(minutes=m, seconds=r.randint(0, 59))
        for _ in range(2):
            nx(out, inst, t, "%s.s3.amazonaws.com.evil-tunnel.com" % b32(r, 32))


def dc_forwarder(out, inst, hours, r):
    # Resolves for 400 desktops: many registered domains, NXDOMAIN typos, Chrome probes.
    sites = [word_domain(r) for _ in range(2500)] + \
        ["%s%d.%s" % (r.choice(WORDS), r.randint(1, 99), r.choice(TLDS)) for _ in range(300)]
    # ad, analytics and tag hosts: abbreviations, not words (their real names score low)
    adtech = ["adnxs.com", "rlcdn.com", "krxd.net", "adsrvr.org", "casalemedia.com",
              "pubmatic.com", "bidswitch.net", "demdex.net", "crwdcntrl.net", "omtrdc.net",
              "mookie1.com", "w55c.net", "tapad.com", "3lift.com", "33across.com",
              "exelator.com", "mfadsrvr.com", "scorecardresearch.com", "imrworldwide.com",
              "nr-data.net", "doubleclick.net", "2mdn.net", "gstatic.com", "zqtk.net",
              "bttrack.com", "1rx.io", "ctnsnet.com", "mxptint.net"]
    for s in range(int(hours * 3600 / 6)):
        t = START + timedelta(seconds=s * 6)
        for _ in range(r.randint(3, 9)):
            x = r.random()
            if x < 0.8:
                q(out, inst, t, r.choice(["www.", "", "cdn.", "api.", "static."]) + r.choice(sites))
            elif x < 0.85:
                q(out, inst, t, r.choice(adtech))
            elif x < 0.9:  # Chrome's intranet redirect probes, single labels and with the suffix
                lab = b32(r, r.randint(7, 15), "abcdefghijklmnopqrstuvwxyz")
                nx(out, inst, t, lab)
                nx(out, inst, t, lab + ".corp.example.com")
            elif x < 0.95:
                q(out, inst, t, "%s.in-addr.arpa" % rev4(pub_ip(r)), "PTR",
                  answers=[{"Rdata": "host.%s." % r.choice(sites), "Type": "PTR", "Class": "IN"}])
            elif x < 0.97:
                w = r.choice(WORDS)  # a typo
                nx(out, inst, t, "%s%s.%s" % (w, w[-1], r.choice(["com", "net", "cm", "con"])))
            else:
                g = "%s-%s-%s-%s-%s" % (hexs(r, 8), hexs(r, 4), hexs(r, 4), hexs(r, 4), hexs(r, 12))
                q(out, inst, t, "_ldap._tcp.%s.domains._msdcs.corp.example.com" % g, "SRV",
                  "NXDOMAIN", [])
                q(out, inst, t, "_ldap._tcp.dc._msdcs.corp.example.com", "SRV",
                  answers=[{"Rdata": "0 100 389 dc1.corp.example.com.", "Type": "SRV", "Class": "IN"}])


def log_shipper(out, inst, hours, r):
    for m in range(int(hours * 6)):
        t = START + timedelta(minutes=m * 10, seconds=r.randint(0, 300))
        for i in range(r.randint(20, 200)):
            if r.random() < 0.7:
                q(out, inst, t + timedelta(seconds=i // 10), "%s.in-addr.arpa" % rev4(pub_ip(r)),
                  "PTR", "NXDOMAIN", [])
            else:
                q(out, inst, t + timedelta(seconds=i // 10), "%s.ip6.arpa" % nib6(v6(r)),
                  "PTR", "NXDOMAIN", [])


def ci_runner(out, inst, hours, r):
    for m in range(int(hours * 12)):
        t = START + timedelta(minutes=m * 5, seconds=r.randint(0, 200))
        proj = r.choice(WORDS)
        for n in [
                "%s-%s-team-%s.vercel.app" % (proj, b32(r, 9, "abcdefghijklmnopqrstuvwxyz0123456789"), r.choice(WORDS)),
                "deploy-preview-%d--%s.netlify.app" % (r.randint(1, 900), proj),
                "%s-%s.%s.pages.dev" % (hexs(r, 8), "", proj),
                "%s-%s-%s.a.run.app" % (proj, b32(r, 10, "abcdefghijklmnopqrstuvwxyz0123456789"), "uc"),
                "%s-%s.herokuapp.com" % (proj, hexs(r, 12)),
                "_acme-challenge.%s.example.com" % proj,
                "%s.%s.acm-validations.aws" % ("_" + hexs(r, 32), b32(r, 10))]:
            q(out, inst, t, n.replace("-.", "."))
        q(out, inst, t, "%s.homelab-%s.duckdns.org" % (r.choice(["nas", "git", "jellyfin"]), "dev"))


def rdsh(out, inst, hours, r, zone="corp"):
    # A Remote Desktop Session Host (jump host) in a VPC whose DHCP options give a
    # single-label private zone as the search suffix ("corp": a Route 53 private hosted
    # zone). Every Chrome start, and every network change, sends three random single-label
    # probes (7-15 letters) to catch intercepting resolvers; with the suffix they become
    # <probe>.corp, answered NXDOMAIN. 25 users log on in the morning, and Chrome restarts
    # through the day. rdsh2's zone is named after the company ("mycompany"): a TLD the
    # Public Suffix List has no rule for, so in no root zone, and no well-known private one.
    for m in range(int(hours * 60)):
        t = START + timedelta(minutes=m, seconds=r.randint(0, 59))
        hour = (m // 60) % 24
        starts = r.randint(1, 4) if 8 <= hour < 10 else (1 if r.random() < 0.15 else 0)
        for _ in range(starts):
            for _ in range(3):
                lab = b32(r, r.randint(7, 15), "abcdefghijklmnopqrstuvwxyz")
                nx(out, inst, t, lab + "." + zone)
                nx(out, inst, t, lab)
        q(out, inst, t, r.choice(["fs01", "intranet", "jira", "dc1"]) + "." + zone)
        q(out, inst, t, r.choice(["www.google.com", "clients2.google.com", "update.googleapis.com",
                                  "login.microsoftonline.com", "outlook.office365.com"]))


ROLES = [
    ("111122223333", "mail", 2), ("444455556666", "mail", 1),
    ("111122223333", "sophos", 2), ("111122223333", "mcafee", 1), ("444455556666", "cymru", 1),
    ("444455556666", "eset", 1), ("111122223333", "trend", 1),
    ("111122223333", "web", 3), ("444455556666", "web", 2),
    ("111122223333", "k8s", 2), ("444455556666", "dc", 1), ("111122223333", "shipper", 1),
    ("444455556666", "ci", 1), ("111122223333", "rdsh", 1), ("444455556666", "rdsh2", 1),
    ("111122223333", "nxtunnel", 1),  # a tunnel: only when --only names it
]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    outdir = args[0]
    hours = 26.0
    only = None
    i = 1
    while i < len(args):
        if args[i] == "--hours":
            hours = float(args[i + 1]); i += 2
        elif args[i] == "--seed":
            R.seed(int(args[i + 1])); i += 2
        elif args[i] == "--only":
            only = set(args[i + 1].split(",")); i += 2
        else:
            sys.exit("fp_dns.py: unknown argument " + args[i])
    out = []
    insts = []
    n = 0
    for acct, role, count in ROLES:
        for _ in range(count):
            n += 1
            iid = "i-0%s" % hashlib.sha1(("%s%d" % (role, n)).encode()).hexdigest()[:16]
            addr = "10.%d.%d.%d" % (1 if acct == "111122223333" else 2, n, 10 + n)
            insts.append(Inst(acct, iid, addr, role))
    for inst in insts:
        if (only and inst.role not in only) or (inst.role == "nxtunnel" and not only):
            continue
        r = random.Random("%s-%s" % (inst.iid, R.random()))
        if inst.role == "mail":
            mail_relay(out, inst, hours, r)
        elif inst.role in ("sophos", "mcafee", "cymru", "eset", "trend"):
            av_agent(out, inst, hours, r, inst.role)
            web_server(out, inst, hours, r)
        elif inst.role == "web":
            web_server(out, inst, hours, r)
        elif inst.role == "k8s":
            k8s_node(out, inst, hours, r)
        elif inst.role == "nxtunnel":
            nx_tunnel(out, inst, hours, r)
        elif inst.role == "dc":
            dc_forwarder(out, inst, hours, r)
        elif inst.role == "shipper":
            log_shipper(out, inst, hours, r)
        elif inst.role == "ci":
            ci_runner(out, inst, hours, r)
        elif inst.role == "rdsh":
            rdsh(out, inst, hours, r)
        elif inst.role == "rdsh2":
            rdsh(out, inst, hours, r, "mycompany")
    out.sort(key=lambda x: (x[1], x[0]))
    files = {}
    for t, acct, rec in out:
        slot = t.replace(minute=t.minute - t.minute % 10, second=0)
        files.setdefault((acct, slot), []).append(rec)
    for (acct, slot), recs in files.items():
        region, vpc = ACCTS[acct]
        d = os.path.join(outdir, "AWSLogs", acct, "vpcdnsquerylogs", vpc, slot.strftime("%Y/%m/%d"))
        os.makedirs(d, exist_ok=True)
        fn = "%s_vpcdnsquerylogs_%s_%s_%s.log.gz" % (
            vpc, acct, slot.strftime("%Y%m%dT%H%MZ"),
            hashlib.sha1(("%s%s" % (acct, slot)).encode()).hexdigest()[:8])
        with gzip.open(os.path.join(d, fn), "wt") as f:
            for rec in recs:
                f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    print("%d queries, %d instances, %d files" % (len(out), len(insts), len(files)))


if __name__ == "__main__":
    main()
