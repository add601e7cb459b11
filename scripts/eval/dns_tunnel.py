#!/usr/bin/env python3
"""The DNS tunnelling section of `make eval` (issue #7): how well
Trojan:EC2/DNSDataExfiltration (lib/detect/dns_tunnel.c) finds tunnelling
sources, and how often it fires on benign ones.

usage: dns_tunnel.py --bin COALMINE --data DATA --work DIR [--jobs N]
                     [--bg-sources N] [--seed N]

DATA is ../shared/data (scripts/run-eval resolves it). Every input becomes
Route 53 Resolver query-log lines (spec 7.3) under WORK, one instance id per
source in srcids.instance (the detector judges queries of instances only),
and is scanned with the binary's defaults. Prints Markdown on stdout:

1. per dataset: tunnelling sources, detected, recall; background sources,
   false positives, false-positive rate;
2. per tunnelling family: the same, so a weak family shows;
3. every tunnelling source that was missed, with what it sent and why it
   stays under the detector's thresholds;
4. every false positive, with the domain and the finding's measurements.

The datasets (docs/detectors/dns-tunnel.md says why each is built this way):
- derived-route53 (line-aligned labels: family, is_tunnel, tunnel_domain,
  source_pcap). Every line has the same srcaddr and no srcids.instance, so
  each capture (source_pcap) becomes one source with an instance id of its
  own: the captures are separate recordings, days apart. A capture with
  tunnel lines is a tunnelling source (detected when a finding names one of
  its tunnel domains); the others (the fakenet and idle recordings) are
  background sources. A finding on another domain of a tunnelling capture is
  a false positive too.
- dns-tunnel/netrack-learn: the per-tool label,qname lists (dns2tcp, dnscapy,
  iodine, plain) and the tuns names of the test split, one source per tool.
  The lists have no times: queries are written one per second in file order.
  Non-ASCII bytes of the raw (iodine) names are written as \\DDD, the way
  resolvers print binary labels.
- background: --bg-sources (default 10,000) synthetic benign sources, each
  an instance with the query mix of a kind of host (web and API servers, CI
  runners, mail servers with DNSBL, SPF/DKIM and FCrDNS lookups, Kubernetes
  nodes, crawlers, desktops, Windows domain members, anti-virus hosts, data
  pipelines, certificate automation, DNS inventory and enumeration tools)
  over 1 to 3 hours of one day, drawn from ../shared/data/top-domains, the
  benign names of netrack-learn and dns-dga's opendns lists (random-looking
  benign domains), the background lines of derived-route53, and hard
  negatives written here: CDN and cloud host names (S3, CloudFront, ELB,
  API Gateway, ACM validation records, Akamai, googlevideo), reverse lookups,
  AWS internal names, DNSBL and anti-virus lookups that encode data, DKIM
  selectors, Active Directory GUID records. Answered queries get the answers
  a zone gives (background_answers: CDN CNAME chains, ids under the queried
  domain, SPF, verification and bare tokens, DMARC, DKIM, MX hosts), the
  same for one name every time. Deterministic for --seed.
  Skipped when top-domains is absent (its names are the background's).
- background (24 h): --bg-day-sources (default 500) more sources made the same
  way, each over a whole day with eight times the queries: what the 24-hour
  slow rule sees of a host.

Bad input: a record or label row that cannot be read is reported as
FILE:LINE: reason on stderr and skipped. Exit status: 0, or 1 when a scan
failed (the tables still print), 2 on usage.
"""
import argparse
import calendar
import collections
import gzip
import hashlib
import json
import os
import random
import sys
import time
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evallib import Runner, note, table  # noqa: E402

TYPE = "Trojan:EC2/DNSDataExfiltration"
ACCOUNT = "111122223333"
REGION = "us-east-1"
VPC = "vpc-0eval0dnstunnel0"
# The day the background sources live in (any day works: nothing depends on it).
BG_DAY = calendar.timegm((2026, 1, 12, 0, 0, 0))
NETRACK_START = calendar.timegm((2026, 1, 13, 0, 0, 0))
NETRACK_TOOLS = (
    # (source, file, label kept, family)
    ("dns2tcp", "dns2tcp_names.csv", "1", "dns2tcp"),
    ("dnscapy", "dnscapy_names.csv", "1", "dnscapy"),
    ("iodine", "iodine_names.csv", "1", "iodine"),
    ("plain", "plain_names.csv", "0", None),
)
NETRACK_TUNS = "tunnel.tuns.org"  # in the test split only


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def locate(ddir, name):
    """NAME.gz or NAME under DDIR, else None."""
    for n in (name + ".gz", name):
        p = os.path.join(ddir, n)
        if os.path.isfile(p):
            return p
    return None


def instance_of(kind, name):
    """A stable EC2 instance id for a source."""
    return "i-0" + hashlib.sha1((kind + "/" + name).encode()).hexdigest()[:16]


def presentation(qname):
    """A query name as a resolver logs it: bytes outside printable ASCII as \\DDD."""
    out = []
    for ch in qname:
        if 33 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend("\\%03d" % b for b in ch.encode("utf-8"))
    return "".join(out)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


LINE = ('{"version":"1.100000","account_id":"' + ACCOUNT + '","region":"' + REGION +
        '","vpc_id":"' + VPC + '","query_timestamp":"%s","query_name":%s,"query_type":"%s",'
        '"query_class":"IN","rcode":"%s","answers":%s,"srcaddr":"%s","srcport":"%d",'
        '"transport":"UDP","srcids":{"instance":"%s"}}')


def resolver_line(t, qname, qtype, instance, srcaddr="10.0.0.10", rcode="NOERROR",
                  srcport=53000, answers=()):
    """One Route 53 Resolver query-log line (JSON text, no newline); answers: (Type, Rdata)."""
    if not qname.endswith("."):
        qname += "."
    ans = json.dumps([{"Rdata": rd, "Type": ty, "Class": "IN"} for ty, rd in answers])
    return LINE % (iso(t), json.dumps(qname), qtype, rcode, ans, srcaddr, srcport, instance)


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def background_answers(qname, qtype, rcode):
    """What a resolver answers a benign query with, the same every time for one name: CDN
    and cloud CNAME chains, ids under the queried domain, SPF, DMARC, DKIM, verification
    tokens, MX hosts (the hard negatives of the answer side of the tunnel detector)."""
    if rcode != "NOERROR":
        return ()
    r = random.Random(zlib.crc32(("%s %s" % (qname, qtype)).encode()))
    labels = qname.rstrip(".").split(".")
    dom = ".".join(labels[-2:])
    first = labels[0]
    addr = "%d.%d.%d.%d" % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255),
                            r.randint(1, 254))
    if qtype == "A" or qtype == "CNAME":
        out = []
        k = r.random()
        if k < 0.15:
            out.append(("CNAME", "d%s.cloudfront.net." % ralnum(r, 13)))
        elif k < 0.25:
            out.append(("CNAME", "%s.%s.edgekey.net." % (first, dom)))
        elif k < 0.3:
            out.append(("CNAME", "%s-%s.azurewebsites.net." % (first, rhex(r, 8))))
        elif k < 0.4:
            # an id under the queried domain itself: a load balancer, a tenant, a hashed host
            out.append(("CNAME", "%s-%s.%s." % (first, rhex(r, r.choice((8, 12, 16, 32))), dom)))
        elif k < 0.45:
            out.append(("CNAME", "%s.%s." % (ralnum(r, 24), dom)))
        if qtype == "A":
            out.append(("A", addr))
        return out
    if qtype == "AAAA":
        return (("AAAA", "2600:%x:%x::%x" % (r.randint(1, 0xffff), r.randint(1, 0xffff),
                                             r.randint(1, 0xffff))),)
    if qtype == "MX":
        return r.choice(((("MX", "10 mx1.%s." % dom), ("MX", "20 mx2.%s." % dom)),
                         (("MX", "0 %s.mail.protection.outlook.com." % dom.replace(".", "-")),),
                         (("MX", "1 aspmx.l.google.com."), ("MX", "5 alt1.aspmx.l.google.com.")),
                         (("MX", "10 %s.%s." % (ralnum(r, 20), dom)),)))
    if qtype == "TXT":
        if first == "_dmarc":
            return (("TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@%s"' % dom),)
        if "_domainkey" in labels:
            return (("TXT", '"v=DKIM1; k=rsa; p=%s"' % ralnum(r, 216, B64)),)
        if "cymru" in labels:
            return (("TXT", '"%d | %s/24 | US | arin | 2001-09-12"' % (r.randint(1, 65000),
                                                                       addr)),)
        if first.startswith("_"):
            return (("TXT", '"%s"' % ralnum(r, 43, B64[:62] + "-_")),)
        k = r.random()
        if k < 0.4:
            return (("TXT", '"v=spf1 include:_spf.google.com include:amazonses.com ~all"'),
                    ("TXT", '"google-site-verification=%s"' % ralnum(r, 43, B64[:62] + "-_")))
        if k < 0.7:
            return (("TXT", '"MS=ms%d"' % r.randint(10000000, 99999999)),)
        # a bare token (a service's ownership proof): one per name, the same every time
        return (("TXT", '"%s"' % rhex(r, 32)),)
    return ()


class Source:
    """One querying host: its instance, what it is, its tunnel domains (empty: benign)."""

    def __init__(self, dataset, name, kind, family=None):
        self.dataset, self.name, self.kind, self.family = dataset, name, kind, family
        self.instance = instance_of(dataset, name)
        self.tunnel = set()   # registered tunnel domains (lowercase)
        self.queries = 0      # lines written
        self.tunnel_q = collections.Counter()   # tunnel domain -> queries
        self.tunnel_names = collections.defaultdict(set)  # tunnel domain -> distinct names
        self.findings = []    # (domain, additionalInfo dict)

    def is_tunnel(self):
        return bool(self.tunnel)


def write_lines(path, lines):
    """Writes (t, text) pairs sorted by time to a gzip file."""
    lines.sort(key=lambda x: x[0])
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1, newline="\n") as f:
        for _, text in lines:
            f.write(text)
            f.write("\n")


def tunnel_domain_of(qname, domains):
    """The tunnel domain (of DOMAINS) QNAME is under, or None."""
    n = qname.rstrip(".").lower()
    for d in domains:
        if n == d or n.endswith("." + d):
            return d
    return None


# --- derived-route53 ---------------------------------------------------------------------


def load_derived(data, work):
    """(path written, {instance: Source}) of derived-route53, or None when absent."""
    ddir = os.path.join(data, "derived-route53")
    log = locate(ddir, "domainator_route53_resolver.jsonl")
    lab = locate(ddir, "domainator_route53_resolver.labels.tsv")
    if log is None or lab is None:
        return None
    labels = {}
    with open_text(lab) as f:
        head = None
        for ln, raw in enumerate(f, 1):
            cols = raw.rstrip("\r\n").split("\t")
            if head is None:
                head = cols
                if not {"line", "is_tunnel", "tunnel_domain", "source_pcap"} <= set(cols):
                    raise ValueError("%s:%d: not the expected label header" % (lab, ln))
                continue
            if len(cols) != len(head):
                note("%s:%d: %d columns, the header has %d; skipped"
                     % (lab, ln, len(cols), len(head)))
                continue
            row = dict(zip(head, cols))
            try:
                labels[int(row["line"])] = row
            except ValueError:
                note("%s:%d: bad line number %r; skipped" % (lab, ln, row["line"]))
    sources, lines = {}, []
    with open_text(log) as f:
        for ln, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            row = labels.get(ln)
            if row is None:
                note("%s:%d: no label row; skipped" % (log, ln))
                continue
            try:
                rec = json.loads(raw)
                t = calendar.timegm(time.strptime(rec["query_timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
                qname = rec["query_name"]
            except (ValueError, KeyError, TypeError) as e:
                note("%s:%d: %s; skipped" % (log, ln, e))
                continue
            pcap = row["source_pcap"]
            src = sources.get(pcap)
            if src is None:
                src = sources[pcap] = Source("derived-route53", pcap, "capture",
                                             row.get("family") or None)
            src.queries += 1
            if row["is_tunnel"] == "1" and row["tunnel_domain"]:
                d = row["tunnel_domain"].lower()
                src.tunnel.add(d)
                src.tunnel_q[d] += 1
                src.tunnel_names[d].add(qname.lower())
            rec["srcids"] = {"instance": src.instance}
            rec["account_id"], rec["region"], rec["vpc_id"] = ACCOUNT, REGION, VPC
            lines.append((t, json.dumps(rec, separators=(",", ":"))))
    path = os.path.join(work, "derived-route53.jsonl.gz")
    write_lines(path, lines)
    return path, {s.instance: s for s in sources.values()}


# --- netrack-learn -----------------------------------------------------------------------


def read_netrack(path, want):
    """Query names of the rows labelled WANT of a label,qname CSV."""
    out = []
    with open_text(path) as f:
        for ln, raw in enumerate(f, 1):
            text = raw.rstrip("\r\n")
            if not text or text.startswith("label,"):
                continue
            label, sep, qname = text.partition(",")
            if not sep or not qname:
                note("%s:%d: not label,qname; skipped" % (path, ln))
                continue
            if label == want:
                out.append(qname)
    return out


def load_netrack(data, work):
    """(path written, {instance: Source}) of netrack-learn, or None when absent."""
    ddir = os.path.join(data, "dns-tunnel", "netrack-learn")
    lists = []
    for name, fname, want, family in NETRACK_TOOLS:
        p = locate(ddir, fname)
        if p is not None:
            lists.append((name, read_netrack(p, want), family))
    p = locate(ddir, "test.csv")
    if p is not None:
        tuns = [q for q in read_netrack(p, "1")
                if tunnel_domain_of(q, (NETRACK_TUNS,)) is not None]
        lists.append(("tuns", tuns, "tuns"))
    if not lists:
        return None
    sources, lines = {}, []
    for name, names, family in lists:
        src = Source("netrack-learn", name, "tool", family)
        t = NETRACK_START
        for q in names:
            q = presentation(q)
            if family is not None:
                # The tool's tunnel domain: the registered domain its names end in.
                d = {"dns2tcp": "hidemyself.org", "iodine": "hidemyself.org",
                     "dnscapy": "example.org", "tuns": "tuns.org"}[family]
                if tunnel_domain_of(q, (d,)) is not None:
                    src.tunnel.add(d)
                    src.tunnel_q[d] += 1
                    src.tunnel_names[d].add(q.lower())
            # The query types the captures' feature files show (dnscapy alternates).
            qtype = {"dns2tcp": "TXT", "iodine": "NULL", "tuns": "CNAME",
                     "dnscapy": ("TXT", "CNAME")[src.queries % 2]}.get(family, "A")
            lines.append((t, resolver_line(t, q, qtype, src.instance, srcaddr="10.0.1.20")))
            src.queries += 1
            t += 1
        sources[src.instance] = src
    path = os.path.join(work, "netrack-learn.jsonl.gz")
    write_lines(path, lines)
    return path, sources


# --- the benign background ---------------------------------------------------------------

REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
AWS_SERVICES = ("sts", "s3", "dynamodb", "sqs", "sns", "ssm", "ssmmessages", "ec2messages", "logs",
                "monitoring", "kms", "secretsmanager", "api.ecr", "ecs", "lambda", "events",
                "kinesis", "firehose", "athena", "glue", "rds", "elasticloadbalancing",
                "autoscaling", "cloudformation", "xray", "states", "cognito-idp", "ec2")
SAAS = ("api.stripe.com", "hooks.slack.com", "api.twilio.com", "api.sendgrid.com",
        "events.pagerduty.com", "api.datadoghq.com", "http-intake.logs.datadoghq.com",
        "trace.agent.datadoghq.com", "api.github.com", "github.com",
        "objects.githubusercontent.com", "login.microsoftonline.com", "graph.microsoft.com",
        "oauth2.googleapis.com", "www.googleapis.com", "storage.googleapis.com",
        "api.openai.com", "api.segment.io", "api.mixpanel.com", "collector.newrelic.com",
        "bam.nr-data.net", "api.honeycomb.io", "ocsp.digicert.com", "crl3.digicert.com",
        "r3.o.lencr.org", "ocsp.sca1b.amazontrust.com", "ntp.ubuntu.com", "api.pagerduty.com",
        "api.mailgun.net", "api.hubapi.com", "api.intercom.io", "api.zoom.us",
        "login.okta.com", "api.auth0.com", "sentry.io", "api.cloudflare.com")
PACKAGES = ("registry.npmjs.org", "pypi.org", "files.pythonhosted.org", "proxy.golang.org",
            "sum.golang.org", "repo.maven.apache.org", "repo1.maven.org", "registry-1.docker.io",
            "auth.docker.io", "production.cloudflare.docker.com", "index.docker.io",
            "ghcr.io", "pkg-containers.githubusercontent.com", "codeload.github.com",
            "deb.debian.org", "security.debian.org", "archive.ubuntu.com", "security.ubuntu.com",
            "dl-cdn.alpinelinux.org", "mirrors.fedoraproject.org", "rubygems.org",
            "index.rubygems.org", "crates.io", "static.crates.io", "nodejs.org",
            "dl.google.com", "packages.microsoft.com", "download.docker.com", "quay.io",
            "cdn01.quay.io", "gcr.io", "storage.googleapis.com", "releases.hashicorp.com",
            "get.helm.sh", "api.nuget.org", "packagist.org")
SUBS = ("www", "api", "cdn", "static", "img", "images", "assets", "m", "mail", "login", "auth",
        "accounts", "app", "docs", "blog", "shop", "media", "video", "news", "support", "help",
        "status", "portal", "secure", "my", "go", "s", "analytics", "metrics", "ws", "push",
        "edge", "files", "download", "update", "en", "de", "fr", "cdn1", "cdn2", "static1",
        "img2", "api2", "eu", "us", "beta", "dev", "store", "search", "maps", "player")
THIRD_PARTY = ("fonts.googleapis.com", "fonts.gstatic.com", "www.google-analytics.com",
               "www.googletagmanager.com", "connect.facebook.net", "www.facebook.com",
               "platform.twitter.com", "cdn.jsdelivr.net", "cdnjs.cloudflare.com",
               "ajax.googleapis.com", "stats.g.doubleclick.net", "static.hotjar.com",
               "script.hotjar.com", "js.hs-analytics.net", "widget.intercom.io",
               "cdn.segment.com", "tpc.googlesyndication.com", "pagead2.googlesyndication.com",
               "securepubads.g.doubleclick.net", "www.youtube.com", "i.ytimg.com",
               "yt3.ggpht.com", "www.gstatic.com", "apis.google.com", "c.bing.com",
               "bat.bing.com", "snap.licdn.com", "px.ads.linkedin.com", "cdn.cookielaw.org",
               "geolocation.onetrust.com", "sb.scorecardresearch.com", "cdn.optimizely.com")
DNSBL_IP = ("zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "dnsbl.sorbs.net",
            "bl.mailspike.net", "list.dnswl.org", "psbl.surriel.com", "ix.dnsbl.manitu.net",
            "bl.score.senderscore.com", "dnsbl-1.uceprotect.net")
DNSBL_DOMAIN = ("dbl.spamhaus.org", "multi.uribl.com", "multi.surbl.org")
DKIM_SELECTORS = ("s1", "s2", "google", "selector1", "selector2", "k1", "default", "mail",
                  "dkim", "mx", "smtp", "20230601", "20221208", "fm1", "fm2", "mandrill",
                  "scph0920", "pm", "everlytickey1", "zendesk1", "hs1", "mte1")
ISP_PTR = (
    # FCrDNS name patterns of mail senders: {a}.{b}.{c}.{d} the address, {x} a word
    "c-{a}-{b}-{c}-{d}.hsd1.{st}.comcast.net",
    "pool-{a}-{b}-{c}-{d}.{city}.fios.verizon.net",
    "cpe-{a}-{b}-{c}-{d}.{st}.res.rr.com",
    "{d}.{c}.{b}.{a}.static.{isp}.net",
    "host-{a}-{b}-{c}-{d}.{isp}.com",
    "{a}-{b}-{c}-{d}.dyn.{isp}.net",
    "ec2-{a}-{b}-{c}-{d}.compute-1.amazonaws.com",
    "mail-{ab}{n1}-f{n3}.google.com",
    "a{n1}-{n2}.smtp-out.amazonses.com",
    "mail-{dc}{reg}{n2}on{n4}.outbound.protection.outlook.com",
    "mail-eopbgr{n6}.outbound.protection.outlook.com",
    "o{n1}.ptr{n4}.{isp}mail.net",
    "mta-{n3}-{n2}.{isp}.com",
    "smtp{n2}-{n3}.{city}.{isp}.com",
)
WORDS_FALLBACK = ("acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wonka",
                  "stark", "wayne", "tyrell", "cyberdyne", "aperture", "soylent", "oscorp")


class Pools:
    """Name material read from DATA (with small built-in fallbacks)."""

    def __init__(self, data):
        self.top = self._lines(os.path.join(data, "top-domains"), "top-100000-domains") or \
            self._lines(os.path.join(data, "top-domains"), "top-10000-domains") or \
            ["example.com", "example.org", "example.net"]
        self.top_head = self.top[:5000]
        self.random_benign = self._lines(os.path.join(data, "dns-dga", "andrewaeva"),
                                         "opendns-random-domains.txt")
        self.plain = []
        nd = os.path.join(data, "dns-tunnel", "netrack-learn")
        for f in ("plain_names.csv", "test.csv", "train.csv", "validate.csv"):
            p = locate(nd, f)
            if p is not None:
                try:
                    self.plain += read_netrack(p, "0")
                except (OSError, EOFError, zlib.error) as e:
                    note("%s: cannot read (%s); not used" % (p, e))
        self.plain = sorted(set(q.rstrip(".") for q in self.plain if q.strip()))
        self.windows = []
        p = locate(os.path.join(data, "derived-route53"), "domainator_route53_resolver.jsonl")
        lab = locate(os.path.join(data, "derived-route53"),
                     "domainator_route53_resolver.labels.tsv")
        if p and lab:
            try:
                with open_text(lab) as f:
                    bg = {i for i, l in enumerate(f) if l.split("\t")[2:3] == ["0"]}
                with open_text(p) as f:
                    for i, l in enumerate(f, 1):
                        if i in bg:
                            try:
                                self.windows.append(json.loads(l)["query_name"].rstrip("."))
                            except (ValueError, KeyError):
                                pass
            except (OSError, EOFError, zlib.error, IndexError) as e:
                note("%s: cannot read (%s); not used" % (p, e))
        self.windows = sorted(set(self.windows)) or ["ctldl.windowsupdate.com"]
        self.words = sorted({d.split(".")[0] for d in self.top_head if d.split(".")[0].isalpha()}) \
            or list(WORDS_FALLBACK)

    @staticmethod
    def _lines(ddir, name):
        p = locate(ddir, name)
        if p is None:
            return []
        try:
            with open_text(p) as f:
                return [l.strip().rstrip(".") for l in f if l.strip() and not l.startswith("#")]
        except (OSError, EOFError, zlib.error) as e:
            note("%s: cannot read (%s); not used" % (p, e))
            return []


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def rhex(r, n):
    return "%0*x" % (n, r.getrandbits(4 * n))


def ralnum(r, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(r.choices(alphabet, k=n))


def rip(r):
    return (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def rev(ip):
    return "%d.%d.%d.%d" % (ip[3], ip[2], ip[1], ip[0])


class Host:
    """Builds one benign source's queries: (t, qname, qtype, rcode)."""

    def __init__(self, r, pools, start, dur):
        self.r, self.p, self.start, self.dur = r, pools, start, dur
        self.q = []
        self.org = r.choice(pools.words)
        self.region = r.choice(REGIONS)
        self.buckets = ["%s-%s-%s" % (self.org, r.choice(("data", "logs", "assets", "backup",
                                                           "artifacts", "uploads")),
                                      ralnum(r, r.choice((6, 8, 12)), "0123456789abcdef"))
                        for _ in range(r.randint(1, 4))]

    def at(self):
        return self.start + self.r.uniform(0, self.dur)

    def ask(self, name, qtype="A", rcode="NOERROR", t=None, aaaa=0.4):
        t = self.at() if t is None else t
        self.q.append((t, name, qtype, rcode))
        if qtype == "A" and self.r.random() < aaaa:
            self.q.append((t, name, "AAAA", rcode))

    # pieces of behaviour ---------------------------------------------------------------

    def aws(self, n):
        r = self.r
        for _ in range(n):
            k = r.random()
            if k < 0.45:
                self.ask("%s.%s.amazonaws.com" % (r.choice(AWS_SERVICES), self.region))
            elif k < 0.75:
                self.ask("%s.s3.%s.amazonaws.com" % (r.choice(self.buckets), self.region))
            elif k < 0.85:
                self.ask("%s.s3.amazonaws.com" % r.choice(self.buckets))
            elif k < 0.92:
                self.ask("vpce-%s-%s.%s.%s.vpce.amazonaws.com"
                         % (rhex(r, 17), ralnum(r, 8), r.choice(("s3", "execute-api", "sts")),
                            self.region))
            else:
                self.ask("%s.execute-api.%s.amazonaws.com" % (ralnum(r, 10), self.region))

    def internal(self, n):
        r = self.r
        for _ in range(n):
            k = r.random()
            ip = (10, r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
            if k < 0.35:
                self.ask("ip-%d-%d-%d-%d.ec2.internal" % ip, aaaa=0)
            elif k < 0.6:
                self.ask("%s.in-addr.arpa" % rev(ip), "PTR")
            elif k < 0.8:
                self.ask("%s.%s.%s.internal" % (r.choice(("db", "cache", "app", "api", "queue",
                                                           "search", "auth")),
                                                r.choice(("prod", "staging", "dev")), self.org))
            else:
                self.ask("%s.ec2.internal" % r.choice(SAAS), rcode="NXDOMAIN", aaaa=0)

    def saas(self, n, pool=SAAS):
        for _ in range(n):
            self.ask(self.r.choice(pool))

    def browse(self, sites):
        r = self.r
        for _ in range(sites):
            site = r.choice(self.p.top if r.random() < 0.5 else self.p.top_head)
            t = self.at()
            self.ask("www." + site, "A", t=t)
            self.ask("www." + site, "HTTPS", t=t)
            for s in r.sample(SUBS, r.randint(0, 4)):
                self.ask("%s.%s" % (s, site), t=t + r.uniform(0, 2))
            for tp in r.sample(THIRD_PARTY, r.randint(2, 8)):
                self.ask(tp, t=t + r.uniform(0, 3))
            k = r.random()
            if k < 0.3:
                self.ask("%s.safeframe.googlesyndication.com" % rhex(r, 32), t=t + 1)
            elif k < 0.45:
                self.ask("rr%d---sn-%s.googlevideo.com" % (r.randint(1, 8), ralnum(r, 8)),
                         t=t + 2)
            elif k < 0.55:
                self.ask("scontent-%s%d-%d.xx.fbcdn.net" % (ralnum(r, 3, LETTERS), r.randint(1, 3),
                                                            r.randint(1, 2)), t=t + 1)
            elif k < 0.7:
                self.ask("e%d.%s.akamaiedge.net" % (r.randint(1000, 99999),
                                                    r.choice(("a", "b", "dscb", "dscx", "g"))),
                         t=t + 1)
            elif k < 0.85:
                self.ask("d%s.cloudfront.net" % ralnum(r, 13), t=t + 1)
            if self.p.plain and r.random() < 0.5:
                self.ask(r.choice(self.p.plain), t=t + 2)
            if self.p.random_benign and r.random() < 0.2:
                self.ask("www." + r.choice(self.p.random_benign), t=t + 2)

    def mail(self, msgs):
        r = self.r
        for _ in range(msgs):
            t = self.at()
            ip = rip(r)
            self.ask("%s.in-addr.arpa" % rev(ip), "PTR", t=t)
            pat = r.choice(ISP_PTR)
            host = pat.format(a=ip[0], b=ip[1], c=ip[2], d=ip[3], st=r.choice(("ca", "ny", "tx",
                                                                             "wa", "fl", "il")),
                              city=r.choice(("nycmny", "lsanca", "bstnma", "washdc", "phlapa")),
                              isp=r.choice(("telco", "netcom", "broadband", "fibre", "cablenet")),
                              ab=r.choice(("yw", "pj", "qk", "wm", "oi", "lf", "ej")),
                              dc=r.choice(("dm6", "bn8", "co1", "sn1", "mw2", "bl2", "cy4")),
                              reg=r.choice(("nam", "eur", "apc")), n1=r.randint(1, 99),
                              n2="%02d" % r.randint(1, 12) if "{dc}" in pat else r.randint(1, 250),
                              n3=r.randint(100, 999),
                              n4=r.randint(1000, 9999), n6=r.randint(100000, 999999))
            self.ask(host, "A", t=t + 0.1)
            for bl in r.sample(DNSBL_IP, r.randint(2, 5)):
                self.ask("%s.%s" % (rev(ip), bl), "A", rcode="NXDOMAIN", t=t + 0.2, aaaa=0)
            dom = r.choice(self.p.top)
            self.ask(dom, "TXT", t=t + 0.3)
            self.ask("_dmarc." + dom, "TXT", t=t + 0.3)
            # Amazon SES selectors are 32 base32 characters.
            sel = r.choice(DKIM_SELECTORS) if r.random() < 0.7 else \
                ralnum(r, 32, LETTERS + "234567")
            self.ask("%s._domainkey.%s" % (sel, dom), "TXT", t=t + 0.4)
            for u in r.sample(self.p.top_head, r.randint(0, 3)):
                for bl in DNSBL_DOMAIN:
                    self.ask("%s.%s" % (u, bl), "A", rcode="NXDOMAIN", t=t + 0.5, aaaa=0)
            if r.random() < 0.2:
                self.ask("%s.malware.hash.cymru.com" % rhex(r, 32), "TXT", rcode="NXDOMAIN",
                         t=t + 0.6)
            if r.random() < 0.5:
                self.ask(r.choice(self.p.top), "MX", t=t + 0.7)

    def kube(self, n):
        r = self.r
        ns = r.choice(("default", "prod", "payments", "web", "jobs"))
        for _ in range(n):
            t = self.at()
            k = r.random()
            if k < 0.5:
                name = r.choice(SAAS + PACKAGES)
                for sfx in ("%s.svc.cluster.local" % ns, "svc.cluster.local", "cluster.local",
                            "ec2.internal"):
                    self.ask("%s.%s" % (name, sfx), rcode="NXDOMAIN", t=t, aaaa=0.5)
                self.ask(name, t=t + 0.01)
            elif k < 0.8:
                self.ask("%s.%s.svc.cluster.local" % (r.choice(("redis", "postgres", "api", "web",
                                                                "kafka", "auth", "search")), ns),
                         t=t)
            elif k < 0.9:
                self.ask("%d-%d-%d-%d.%s.pod.cluster.local" % (10, r.randint(0, 255),
                                                                r.randint(0, 255),
                                                                r.randint(1, 254), ns), t=t)
            else:
                self.ask("%s-%s-%s.%s.%s.svc.cluster.local"
                         % (r.choice(("web", "worker", "api")), rhex(r, 10),
                            ralnum(r, 5, "bcdfghjklmnpqrstvwxz2456789"), "headless", ns), t=t)

    def crawl(self, n):
        r = self.r
        platform = r.choice(("tumblr.com", "wordpress.com", "blogspot.com", "github.io",
                             "substack.com", "medium.com", "wixsite.com", "weebly.com",
                             "livejournal.com", "deviantart.com"))
        for _ in range(n):
            if r.random() < 0.6:
                self.ask("www." + r.choice(self.p.top))
            else:
                w = r.choice(self.p.words)
                if r.random() < 0.4:
                    w += r.choice(self.p.words)
                if r.random() < 0.3:
                    w += str(r.randint(1, 9999))
                self.ask("%s.%s" % (w, platform))

    def windows(self, n):
        r = self.r
        dom = "%s.%s" % (r.choice(("corp", "ad", "hq")), r.choice(self.p.top_head))
        guids = ["%s-%s-%s-%s-%s" % (rhex(r, 8), rhex(r, 4), rhex(r, 4), rhex(r, 4), rhex(r, 12))
                 for _ in range(r.randint(1, 4))]
        for _ in range(n):
            k = r.random()
            if k < 0.15:
                self.ask("_ldap._tcp.dc._msdcs." + dom, "SRV")
            elif k < 0.25:
                self.ask("%s._msdcs.%s" % (r.choice(guids), dom), "CNAME")
            elif k < 0.3:
                self.ask("_kerberos._tcp.%s" % dom, "SRV")
            elif k < 0.7:
                self.ask(r.choice(self.p.windows))
            else:
                self.ask(r.choice(("ctldl.windowsupdate.com", "settings-win.data.microsoft.com",
                                   "v10.events.data.microsoft.com", "login.live.com",
                                   "wdcp.microsoft.com", "www.msftconnecttest.com",
                                   "dns.msftncsi.com", "slscr.update.microsoft.com",
                                   "fe3cr.delivery.mp.microsoft.com",
                                   "%d.tlu.dl.delivery.mp.microsoft.com" % r.randint(1, 9),
                                   "wpad." + dom)))

    def antivirus(self, n):
        r = self.r
        for _ in range(n):
            k = r.random()
            if k < 0.4:
                self.ask("%s.%s.sophosxl.net" % (rhex(r, 40), r.choice(("p2", "p3", "d1"))),
                         "A", aaaa=0)
            elif k < 0.6:
                self.ask("%s.malware.hash.cymru.com" % rhex(r, 32), "TXT", rcode="NXDOMAIN")
            elif k < 0.8:
                self.ask("0.0.0.0.1.0.0.%s.%s.avqs.mcafee.com"
                         % (rhex(r, 2), ralnum(r, 26, LETTERS[:22] + "0123456789")), "A", aaaa=0)
            else:
                self.ask("%s.origin.asn.cymru.com" % rev(rip(r)), "TXT")

    def certs(self, n):
        r = self.r
        dom = r.choice(self.p.top)
        for _ in range(n):
            sub = r.choice(SUBS)
            if r.random() < 0.5:
                self.ask("_%s.%s.%s" % (rhex(r, 32), sub, dom), "CNAME", aaaa=0)
            else:
                self.ask("_acme-challenge.%s.%s" % (sub, dom), "TXT", aaaa=0)

    def enumerate_names(self, n):
        """A DNS inventory or sub-domain enumeration run: a word list under one domain,
        asked for addresses and for CNAME, TXT and MX, within 20 minutes."""
        r = self.r
        dom = r.choice(self.p.top_head)
        t0 = self.at()
        words = list(SUBS) + r.sample(self.p.words, min(len(self.p.words), n))
        for w in r.sample(words, min(n, len(words))):
            t = t0 + r.uniform(0, 1200)
            nx = "NXDOMAIN" if r.random() < 0.8 else "NOERROR"
            self.ask("%s.%s" % (w, dom), "A", rcode=nx, t=t, aaaa=0.2)
            for qtype, p in (("CNAME", 0.5), ("TXT", 0.3), ("MX", 0.2)):
                if r.random() < p:
                    self.ask("%s.%s" % (w, dom), qtype, rcode=nx, t=t + 0.1)

    def data_services(self, n):
        r = self.r
        fixed = ["%s.%s.aws.found.io" % (rhex(r, 32), self.region),
                 "cluster0-shard-00-0%d.%s.mongodb.net" % (r.randint(0, 2), ralnum(r, 5)),
                 "%s%d.%s.snowflakecomputing.com" % (ralnum(r, 2, LETTERS),
                                                     r.randint(10000, 99999), self.region),
                 "dbc-%s-%s.cloud.databricks.com" % (rhex(r, 8), rhex(r, 4)),
                 "redis-%d.c%d.%s-2.ec2.cloud.redislabs.com" % (r.randint(10000, 19999),
                                                                r.randint(1, 300), self.region),
                 "%s.lambda-url.%s.on.aws" % (ralnum(r, 32), self.region),
                 "main.d%s.amplifyapp.com" % ralnum(r, 13)]
        for _ in range(n):
            self.ask(r.choice(fixed))


# Kinds of hosts: (name, weight, queries per source (low, high), behaviour).
def _web(h, n):
    h.aws(n * 35 // 100)
    h.internal(n * 25 // 100)
    h.saas(n * 30 // 100)
    h.browse(max(1, n // 60))


def _ci(h, n):
    h.saas(n * 45 // 100, PACKAGES)
    h.aws(n * 25 // 100)
    h.saas(n * 15 // 100)
    h.internal(n * 10 // 100)
    h.certs(h.r.randint(0, 6))


def _mail(h, n):
    h.mail(max(1, n // 14))
    h.internal(n // 20)


def _kube(h, n):
    h.kube(n * 70 // 100 // 3)
    h.aws(n * 20 // 100)


def _crawler(h, n):
    h.crawl(n * 85 // 100)
    h.aws(n * 10 // 100)


def _desktop(h, n):
    h.browse(max(1, n // 12))
    h.saas(n // 20)


def _windows(h, n):
    h.windows(n * 80 // 100)
    h.browse(max(1, n // 40))


def _security(h, n):
    h.antivirus(n * 70 // 100)
    h.internal(n * 20 // 100)
    h.saas(n * 10 // 100)


def _data(h, n):
    h.data_services(n * 40 // 100)
    h.aws(n * 45 // 100)
    h.internal(n * 15 // 100)


def _enum(h, n):
    h.enumerate_names(n * 60 // 100)
    h.aws(n * 20 // 100)
    h.saas(n * 20 // 100)


def _certs(h, n):
    h.certs(h.r.randint(5, 40))
    h.aws(n * 50 // 100)
    h.saas(n * 30 // 100)


PROFILES = (
    ("web/API server", 28, (40, 200), _web),
    ("CI runner", 10, (60, 300), _ci),
    ("mail server", 8, (200, 800), _mail),
    ("Kubernetes node", 10, (150, 600), _kube),
    ("crawler", 5, (300, 1200), _crawler),
    ("desktop", 10, (100, 400), _desktop),
    ("Windows domain member", 8, (80, 300), _windows),
    ("security scanner", 4, (80, 400), _security),
    ("data pipeline", 12, (40, 200), _data),
    ("certificate automation", 5, (40, 150), _certs),
    ("DNS inventory scanner", 2, (300, 1200), _enum),
)


def background(data, work, n, seed, day=False):
    """(path written, {instance: Source}) of N synthetic benign sources; with day, each
    over a whole day with eight times the queries (what the 24-hour slow rule sees)."""
    pools = Pools(data)
    r = random.Random(seed if not day else seed + 7919)
    weights = [p[1] for p in PROFILES]
    sources = {}
    path = os.path.join(work, "background-day.jsonl.gz" if day else "background.jsonl.gz")
    lines = []
    for i in range(n):
        name, _, (lo, hi), fill = r.choices(PROFILES, weights)[0]
        src = Source("background (24 h)" if day else "background",
                     ("bgday-%05d" if day else "bg-%05d") % i, name)
        hr = random.Random(r.getrandbits(64))
        if day:
            h = Host(hr, pools, BG_DAY, 24 * 3600)
            fill(h, 8 * hr.randint(lo, hi))
        else:
            start = BG_DAY + hr.uniform(0, 21 * 3600)
            h = Host(hr, pools, start, hr.uniform(3600, 3 * 3600))
            fill(h, hr.randint(lo, hi))
        srcaddr = "10.%d.%d.%d" % (hr.randint(0, 255), hr.randint(0, 255), hr.randint(1, 254))
        port = hr.randint(32768, 60999)
        for k, (t, qname, qtype, rcode) in enumerate(h.q):
            lines.append((t, resolver_line(int(t), qname, qtype, src.instance, srcaddr=srcaddr,
                                           rcode=rcode, srcport=32768 + (port + 7919 * k) % 28232,
                                           answers=background_answers(qname, qtype, rcode))))
        src.queries = len(h.q)
        sources[src.instance] = src
    write_lines(path, lines)
    return path, sources


# --- scanning and judging ----------------------------------------------------------------


def finding_info(f):
    """The finding's additionalInfo members (dict)."""
    info = f.get("service", {}).get("additionalInfo") or {}
    if isinstance(info.get("value"), str):
        try:
            info = json.loads(info["value"])
        except ValueError:
            info = {}
    return info if isinstance(info, dict) else {}


def attribute(scan, sources):
    """Hands the scan's DNSDataExfiltration findings to their sources; returns the strays."""
    stray = 0
    for f in scan.findings:
        if f.get("type") != TYPE:
            continue
        inst = (f.get("resource", {}).get("instanceDetails") or {}).get("instanceId")
        info = finding_info(f)
        dom = info.get("domain") or f.get("service", {}).get("action", {}).get(
            "dnsRequestAction", {}).get("domainWithSuffix", "?")
        src = sources.get(inst)
        if src is None:
            stray += 1
            continue
        src.findings.append((str(dom).lower(), info))
    return stray


def detected(src):
    return any(d in src.tunnel for d, _ in src.findings)


def false_alarms(src):
    """Findings on a domain that is not the source's tunnel."""
    return [(d, i) for d, i in src.findings if d not in src.tunnel]


def pct(a, b):
    return "%.2f %%" % (100.0 * a / b) if b else "-"


def sub_of(qname, dom):
    n = qname.rstrip(".")
    return n[:len(n) - len(dom) - 1] if len(n) > len(dom) else ""


def why_missed(src):
    """What a missed tunnelling source sent, and why it stays under the thresholds."""
    q = sum(src.tunnel_q.values())
    per = {d: src.tunnel_names[d] for d in src.tunnel}
    most = max(len(v) for v in per.values()) if per else 0
    lens = [len(sub_of(n, d)) for d, v in per.items() for n in v]
    mean = sum(lens) / len(lens) if lens else 0.0
    name = src.name.lower()
    what = "%d queries, %d domain%s, at most %d distinct names per domain, mean sub-domain " \
           "%.0f characters" % (q, len(per), "" if len(per) == 1 else "s", most, mean)
    if q <= 12 and "handshake" in name:
        why = "a handshake only: too few names to carry data"
    elif "idle" in name:
        why = "an idle session: short polls (under 10 characters, or 1-3 encoded names an " \
              "hour), no data in the names"
    elif "download" in name and mean < 20:
        why = "a download: the data comes back in the answers, the names are short counters"
    elif len(per) > 1:
        why = "spread over %d domains: under 8 names and 200 bytes (or 4 and 400) per " \
              "domain" % len(per)
    else:
        why = "under 8 names and 200 bytes (or 4 names and 400 bytes) in the window"
    return what, why


def section(runner, name, loaded):
    """Scans one dataset; returns (name, sources, scan) or None."""
    if loaded is None:
        return None
    path, sources = loaded
    scan = runner.scan(name, [path])
    stray = attribute(scan, sources)
    if stray:
        note("%s: %d findings name no source of the dataset" % (name, stray))
    return name, sources, scan


def print_tables(results, bg_n):
    print("### Recall and false positives per dataset\n")
    print("A tunnelling source is detected when a finding names one of its tunnel "
          "domains; a false positive is a finding on a background source, or on another "
          "domain of a tunnelling source.\n")
    rows = []
    tot = collections.Counter()
    for name, sources, scan in results:
        tun = [s for s in sources.values() if s.is_tunnel()]
        bg = [s for s in sources.values() if not s.is_tunnel()]
        hit = sum(1 for s in tun if detected(s))
        fp = sum(1 for s in sources.values() if false_alarms(s))
        if scan.error:
            rows.append([name, "scan failed: " + scan.error] + [""] * 6)
            continue
        rows.append([name, scan.events_cell("dns"), len(tun), hit, pct(hit, len(tun)), len(bg), fp,
                     pct(fp, len(bg) + (len(tun) if fp else 0)) if bg else "-"])
        tot.update(tun=len(tun), hit=hit, bg=len(bg), fp=fp)
    rows.append(["(all)", "", tot["tun"], tot["hit"], pct(tot["hit"], tot["tun"]), tot["bg"],
                 tot["fp"], pct(tot["fp"], tot["bg"])])
    table(["dataset", "queries", "tunnelling sources", "detected", "recall", "background sources",
           "false positives", "FP rate"], rows)

    print("### Per tunnelling family\n")
    fam = collections.defaultdict(list)
    for name, sources, scan in results:
        for s in sources.values():
            if s.is_tunnel():
                fam[(name, s.family or "?")].append(s)
    table(["dataset", "family", "sources", "detected", "recall", "tunnel queries (median)"],
          [[d, f, len(v), sum(1 for s in v if detected(s)), pct(sum(1 for s in v if detected(s)),
                                                                len(v)),
            sorted(sum(s.tunnel_q.values()) for s in v)[len(v) // 2]]
           for (d, f), v in sorted(fam.items())])

    print("### Missed tunnelling sources\n")
    missed = [(name, s) for name, sources, scan in results if not scan.error
              for s in sources.values() if s.is_tunnel() and not detected(s)]
    if missed:
        table(["dataset", "source", "family", "what it sent", "why it is missed"],
              [[n, s.name, s.family or "?"] + list(why_missed(s))
               for n, s in sorted(missed, key=lambda x: (x[0], x[1].name))])
    else:
        print("None.\n")

    print("### False positives\n")
    fps = [(name, s, d, i) for name, sources, scan in results for s in sources.values()
           for d, i in false_alarms(s)]
    if fps:
        table(["dataset", "source", "kind", "domain", "uniqueSubdomains", "bytes", "encoding"],
              [[n, s.name, s.kind, d, i.get("uniqueSubdomains", "?"), i.get("bytes", "?"),
                i.get("encoding", "?")] for n, s, d, i in fps])
    else:
        print("None.\n")

    for name, sources, scan in results:
        if name != "background" or scan.error:
            continue
        print("### Background sources by kind (%d generated)\n" % bg_n)
        kinds = collections.defaultdict(list)
        for s in sources.values():
            kinds[s.kind].append(s)
        table(["kind", "sources", "queries", "false positives"],
              [[k, len(v), sum(s.queries for s in v), sum(1 for s in v if s.findings)]
               for k, v in sorted(kinds.items())])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--bg-sources", type=int, default=10000)
    ap.add_argument("--bg-day-sources", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if a.bg_sources < 0 or a.bg_day_sources < 0:
        ap.error("--bg-sources and --bg-day-sources must be 0 or more")
    runner = Runner(a.bin, a.work, jobs=a.jobs)
    print("## DNS tunnelling: Trojan:EC2/DNSDataExfiltration (issue #7)\n")
    print("Binary `%s`, data `%s`, %d background sources of 1-3 hours and %d of a day "
          "(seed %d).\n" % (a.bin, a.data, a.bg_sources, a.bg_day_sources, a.seed))
    results, skipped = [], []
    for name, load in (("derived-route53", load_derived), ("netrack-learn", load_netrack),
                       ("background", None), ("background (24 h)", None)):
        try:
            if load is None:
                # The background's names come from top-domains: without it, skip.
                tops = os.path.join(a.data, "top-domains")
                have = locate(tops, "top-100000-domains") or locate(tops, "top-10000-domains")
                day = name != "background"
                k = a.bg_day_sources if day else a.bg_sources
                loaded = background(a.data, a.work, k, a.seed, day) if k and have else None
            else:
                loaded = load(a.data, a.work)
        except (OSError, EOFError, zlib.error, ValueError) as e:
            what = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            note("%s: cannot read (%s); skipped" % (name, what))
            loaded = None
        res = section(runner, name, loaded)
        if res is None:
            skipped.append(name)
        else:
            note("%s: %d sources scanned" % (name, len(res[1])))
            results.append(res)
    for name in skipped:
        print("- %s: skipped (not found or not readable under %s)" % (name, a.data))
    if skipped:
        print()
    if results:
        print_tables(results, a.bg_sources)
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
