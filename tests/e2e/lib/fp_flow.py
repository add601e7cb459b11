#!/usr/bin/env python3
"""Realistic benign VPC Flow Logs estate for tests/e2e/fp_flow.sh.

Writes OUT/AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/*.log.gz (one file
per account and 10 minutes, the S3 delivery layout) and OUT/aws/ip-ranges.json
(the S3 prefixes the backups use). Two accounts run the same estate, one in
the default format (v2), one in a custom format (v5: instance-id, tcp-flags,
pkt-srcaddr/pkt-dstaddr, flow-direction, traffic-path). Everything is benign:
a NAT gateway, an ALB and an NLB with their targets, a public web server under
the internet's background scanning, a bastion, VPN servers, a mail relay, an
NTP server, a DNS forwarder, nightly backups to S3, a data pipeline, package
updates, Kubernetes nodes, a monitoring server, a VoIP/TURN server, IPv6 and
ICMP. Standard library only; the same arguments give the same files.

With --attack, the recall check: in each account a new instance, in its first
minutes, connect-scans 100 open ports of the public web server (every probe a
completed handshake of 3 packets), which must still be one Recon:EC2/Portscan.
With --attack-mid, the same in the middle of the log: the bastion, busy since the
log began, connect-scans 100 open ports of a host it never talked to, an hour in.

Checkers that start in the middle of the log (their own random stream, so the
rest of the estate is the same with or without them): a fourth Kubernetes node
joins the cluster 6 hours in (an Auto Scaling scale-out) and from then on gets
the NLB's checks of its 25 NodePorts every 2 minutes and client traffic; 10
hours in, the monitoring server's Prometheus begins scraping it (6 ports: its
node exporter, kubelet, kube-proxy and app metrics, keep-alive connections). A
fifth node joins 14 hours in, registered with the NLB before its kube-proxy is
up: the NLB's first checks of its 25 NodePorts (the first 5 minutes: 3 rounds)
fail, a SYN answered by a RST (1 packet each way), then succeed every 2 minutes.

With --attack-fail, the recall of the held failed checks: in each account the
monitoring server (itself a checker of the same ports on many hosts) scans 100
closed ports (rejected, 1 packet) of a public address never seen, 3 hours in, and
a new instance scans 100 closed ports of the fifth node in its first minutes
(14 hours in): each is one Recon:EC2/Portscan, fired at once.

usage: fp_flow.py OUT [--hours H (28)] [--seed N] [--start EPOCH] [--attack]
       [--attack-mid] [--attack-fail]
"""
import gzip
import json
import os
import random
import sys
import time

V2 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
      "packets bytes start end action log-status")
V5 = V2.replace("version", "version", 1) + (
    " vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region"
    " az-id flow-direction traffic-path")
REGION = "us-east-1"
# Public addresses: plausible ISP/hosting ranges, never documentation or reserved.
PUBLIC_NETS = [(81, 2), (89, 160), (95, 91), (109, 74), (151, 101), (176, 9),
               (185, 199), (188, 114), (193, 62), (212, 58), (213, 186), (217, 160),
               (62, 210), (78, 46), (84, 17), (92, 222), (100, 24), (73, 162),
               (24, 6), (67, 180), (98, 137), (174, 138), (201, 17), (187, 45)]
S3_NETS = ["52.216.0.0/15", "3.5.0.0/19"]          # us-east-1 S3
S3_DR_NETS = ["52.218.128.0/17"]                  # us-west-2 S3


def pub(rng):
    a, b = rng.choice(PUBLIC_NETS)
    return "%d.%d.%d.%d" % (a, b, rng.randrange(0, 256), rng.randrange(1, 255))


def in_net(rng, cidr):
    base, bits = cidr.split("/")
    o = [int(x) for x in base.split(".")]
    n = (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]
    n += rng.randrange(1, (1 << (32 - int(bits))) - 1)
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


class Eni:
    def __init__(self, acct, eid, ip, inst, subnet, public=True):
        self.acct, self.id, self.ip, self.inst = acct, eid, ip, inst
        self.subnet, self.public = subnet, public


class Acct:
    def __init__(self, rng, num, v5, net):
        self.num, self.v5, self.net = num, v5, net
        self.vpc = "vpc-%017x" % rng.getrandbits(68)
        self.recs = {}          # file slot -> [lines]
        self.rng = rng

    def eni(self, host, inst=True, public=True):
        r = self.rng
        return Eni(self, "eni-%017x" % r.getrandbits(68), "10.%d.%s" % (self.net, host),
                   ("i-%017x" % r.getrandbits(68)) if inst else "-",
                   "subnet-%017x" % r.getrandbits(68), public)

    def rec(self, eni, src, dst, sp, dp, proto, pk, by, t, dur, action, flags,
            ingress, psrc=None, pdst=None, path="-", typ="IPv4"):
        t = int(t)
        e = t + max(0, int(dur))
        slot = t // 600
        f = [2 if not self.v5 else 5, self.num, eni.id, src, dst, sp, dp, proto,
             max(1, int(pk)), max(40, int(by)), t, e, action, "OK"]
        if self.v5:
            f += [self.vpc, eni.subnet, eni.inst, flags, typ, psrc or src, pdst or dst,
                  REGION, "use1-az1", "ingress" if ingress else "egress",
                  "-" if ingress else path]
        self.recs.setdefault(slot, []).append(" ".join(str(x) for x in f))

    def conn(self, eni, local, remote, lport, rport, proto, t, dur, out, pk=10,
             by=None, rpk=None, rby=None, flags=True, plocal=None, premote=None,
             path=8, action="ACCEPT", typ="IPv4"):
        """One connection on ENI: the opener's record and the answer."""
        by = by if by is not None else pk * 120
        rpk = rpk if rpk is not None else pk
        rby = rby if rby is not None else rpk * 400
        if out:
            self.rec(eni, local, remote, lport, rport, proto, pk, by, t, dur, action,
                     3 if proto == 6 else 0, False, plocal, premote, path, typ)
            if action == "ACCEPT":
                self.rec(eni, remote, local, rport, lport, proto, rpk, rby, t, dur,
                         action, 19 if proto == 6 else 0, True, premote, plocal, path,
                         typ)
        else:
            self.rec(eni, remote, local, rport, lport, proto, pk, by, t, dur, action,
                     (3 if action == "ACCEPT" else 2) if proto == 6 else 0, True,
                     premote, plocal, path, typ)
            if action == "ACCEPT":
                self.rec(eni, local, remote, lport, rport, proto, rpk, rby, t, dur,
                         action, 19 if proto == 6 else 0, False, plocal, premote, path,
                         typ)

    def write(self, out, start):
        base = os.path.join(out, "AWSLogs", self.num, "vpcflowlogs", REGION)
        flid = "fl-%017x" % (int(self.num) % (1 << 60))
        for slot in sorted(self.recs):
            t = slot * 600
            tm = time.gmtime(t + 600)
            d = os.path.join(base, "%04d" % tm.tm_year, "%02d" % tm.tm_mon,
                             "%02d" % tm.tm_mday)
            os.makedirs(d, exist_ok=True)
            name = "%s_vpcflowlogs_%s_%s_%04d%02d%02dT%02d%02dZ_%08x.log.gz" % (
                self.num, REGION, flid, tm.tm_year, tm.tm_mon, tm.tm_mday,
                tm.tm_hour, tm.tm_min, slot & 0xffffffff)
            lines = self.recs[slot]
            with gzip.open(os.path.join(d, name), "wt", compresslevel=1) as fh:
                fh.write((V5 if self.v5 else V2) + "\n")
                fh.write("\n".join(lines) + "\n")


def eph(rng):
    return rng.randrange(32768, 61000)


def joiners(a, rng, start, hours, nlb, mon, nodeports, clients):
    """The checkers that start mid-log: a node that joins at hour 6 (the NLB's
    NodePort checks, client traffic), Prometheus scraping it from hour 10."""
    node = Eni(a, "eni-%017x" % rng.getrandbits(68), "10.%d.5.13" % a.net,
               "i-%017x" % rng.getrandbits(68), "subnet-%017x" % rng.getrandbits(68))
    scrape = [9100, 10250, 10249, 8080, 9090, 2112]
    for m in range(6 * 60, hours * 60):
        t0 = start + m * 60
        busy = 1.0 if 8 <= (m // 60) % 24 < 20 else 0.35
        for _ in range(int(7 * busy)):
            c = rng.choice(clients)
            cp = eph(rng)
            t = t0 + rng.randrange(60)
            pk = rng.randrange(10, 80)
            a.conn(nlb, nlb.ip, c, 443, cp, 6, t, 30, False, pk=pk)
            a.conn(node, node.ip, c, rng.choice(nodeports), cp, 6, t, 30, False, pk=pk)
        if m % 2 == 0:
            for np_ in nodeports:
                lp = eph(rng)
                at = t0 + rng.randrange(10)
                a.conn(nlb, nlb.ip, node.ip, lp, np_, 6, at, 0, True, pk=3, rpk=2, path=1)
                a.conn(node, node.ip, nlb.ip, np_, lp, 6, at, 0, False, pk=3, rpk=2, path=1)
        if m >= 10 * 60:
            for i, port in enumerate(scrape):
                lp = 40000 + 16 * (m // 600) + i       # a new connection every 10 minutes
                a.conn(mon, mon.ip, node.ip, lp, port, 6, t0, 59, True, pk=8, by=1400,
                       rpk=8, rby=rng.randrange(20000, 90000), path=1)
                a.conn(node, node.ip, mon.ip, port, lp, 6, t0, 59, False, pk=8, by=1400,
                       rpk=8, rby=rng.randrange(20000, 90000), path=1)


def late_joiner(a, rng, start, hours, nlb, nodeports, clients, attack_fail=False):
    """A node that joins at hour 14 before its kube-proxy is up: the NLB's first
    checks (minutes 0-4) are refused, a SYN and the node's RST, then succeed."""
    node = Eni(a, "eni-%017x" % rng.getrandbits(68), "10.%d.5.14" % a.net,
               "i-%017x" % rng.getrandbits(68), "subnet-%017x" % rng.getrandbits(68))
    for m in range(14 * 60, hours * 60):
        t0 = start + m * 60
        if m >= 14 * 60 + 6:
            for _ in range(3):
                c = rng.choice(clients)
                cp = eph(rng)
                t = t0 + rng.randrange(60)
                pk = rng.randrange(10, 80)
                a.conn(nlb, nlb.ip, c, 443, cp, 6, t, 30, False, pk=pk)
                a.conn(node, node.ip, c, rng.choice(nodeports), cp, 6, t, 30, False, pk=pk)
        if m % 2 == 0:
            pk, rpk = (1, 1) if m < 14 * 60 + 5 else (3, 2)
            for np_ in nodeports:
                lp = eph(rng)
                at = t0 + rng.randrange(10)
                a.conn(nlb, nlb.ip, node.ip, lp, np_, 6, at, 0, True, pk=pk, rpk=rpk, path=1)
                a.conn(node, node.ip, nlb.ip, np_, lp, 6, at, 0, False, pk=pk, rpk=rpk,
                       path=1)
    if attack_fail:
        scanner = a.eni("9.67")
        for p in range(1, 101):
            a.rec(scanner, scanner.ip, node.ip, 45000 + p, p, 6, 1, 44,
                  start + 14 * 3600 + 120 + p, 0, "REJECT", 2, False, path=1)


def estate(a, rng, start, hours, attack=False, attack_mid=False, seed=11,
           attack_fail=False):
    """Every benign behaviour for HOURS from START in account A."""
    n = a.net
    nat = a.eni("0.10", inst=False)
    alb = [a.eni("1.%d" % (10 + i), inst=False) for i in range(2)]
    nlb = a.eni("1.20", inst=False)
    web = [a.eni("2.%d" % (10 + i)) for i in range(3)]
    pubweb = a.eni("2.50")
    bastion = a.eni("3.10")
    vpn = a.eni("3.20")
    mail = a.eni("3.30")
    ntp = a.eni("3.40")
    dnsf = a.eni("3.50")
    backup = a.eni("4.10")
    pipe = a.eni("4.20")
    win = [a.eni("4.%d" % (30 + i)) for i in range(3)]
    k8s = [a.eni("5.%d" % (10 + i)) for i in range(3)]
    mon = a.eni("6.10")
    turn = a.eni("7.10")
    v6 = a.eni("8.10")
    apps = ["10.%d.9.%d" % (n, i) for i in range(10, 40)]    # behind the NAT
    clients = [pub(rng) for _ in range(4000)]
    scanners = [pub(rng) for _ in range(600)]
    corp = [pub(rng) for _ in range(3)]
    vpn_users = [pub(rng) for _ in range(40)]
    mx = [pub(rng) for _ in range(400)]
    smarthost = pub(rng)
    ntp_pool = [pub(rng) for _ in range(4)]
    partner = pub(rng)
    mirrors = [pub(rng) for _ in range(60)]
    sites = [pub(rng) for _ in range(3000)]
    carrier = pub(rng)
    turn_peers = [pub(rng) for _ in range(300)]
    ext_checks = [pub(rng) for _ in range(40)]
    pods = [["10.%d.5.%d" % (n, 100 + 20 * k + j) for j in range(20)] for k in range(3)]
    eks_cp = ["10.%d.5.250" % n, "10.%d.5.251" % n]
    hosts = ["10.%d.%d.%d" % (n, 10 + i // 200, 10 + i % 200) for i in range(300)]
    nodeports = [30000 + rng.randrange(0, 2767) for _ in range(25)]
    v6net = "2600:1f18:%x:%x" % (rng.randrange(0, 65535), rng.randrange(0, 255))
    v6ip = v6net + "::%x" % rng.randrange(1, 65535)
    for m in range(0, hours * 60, 1):        # one minute at a time
        t0 = start + m * 60
        hour = (m // 60) % 24
        day = m // 1440
        busy = 1.0 if 8 <= hour < 20 else 0.35
        # NAT gateway: the private subnet's egress (4 records a connection).
        for _ in range(int(16 * busy)):
            src = rng.choice(apps)
            dst = rng.choice(sites)
            p, dp = (6, 443) if rng.random() < 0.85 else ((6, 80) if rng.random() < 0.7
                                                          else (17, 123))
            sp = eph(rng)
            np_ = eph(rng)
            t = t0 + rng.randrange(60)
            pk = rng.randrange(8, 200)
            a.rec(nat, src, nat.ip, sp, dp, p, pk, pk * 100, t, 5, "ACCEPT", 3, True,
                  src, dst)
            a.rec(nat, nat.ip, dst, np_, dp, p, pk, pk * 100, t, 5, "ACCEPT", 3, False,
                  nat.ip, dst, 8)
            a.rec(nat, dst, nat.ip, dp, np_, p, pk, pk * 900, t, 5, "ACCEPT", 19, True,
                  dst, nat.ip)
            a.rec(nat, nat.ip, src, dp, sp, p, pk, pk * 900, t, 5, "ACCEPT", 19, False,
                  dst, src, 1)
        # ALB: clients to 443, the ALB to its targets, health checks every 15 s.
        for lb in alb:
            for _ in range(int(10 * busy)):
                t = t0 + rng.randrange(60)
                a.conn(lb, lb.ip, rng.choice(clients), 443, eph(rng), 6, t, 20, False,
                       pk=rng.randrange(10, 60))
                w = rng.choice(web)
                lp = eph(rng)
                a.conn(lb, lb.ip, w.ip, lp, 8080, 6, t, 2, True, pk=12, path=1)
                a.conn(w, w.ip, lb.ip, 8080, lp, 6, t, 2, False, pk=12, path=1)
            for w in web:
                for s in range(0, 60, 15):
                    lp = eph(rng)
                    a.conn(lb, lb.ip, w.ip, lp, 8080, 6, t0 + s, 0, True, pk=5, path=1)
                    a.conn(w, w.ip, lb.ip, 8080, lp, 6, t0 + s, 0, False, pk=5, path=1)
        # NLB (client address preserved) to the Kubernetes NodePorts, and its
        # health checks of every NodePort of every node every 10 s (3 packets).
        for _ in range(int(20 * busy)):
            c = rng.choice(clients)
            k = rng.choice(k8s)
            np_ = rng.choice(nodeports)
            t = t0 + rng.randrange(60)
            cp = eph(rng)
            a.conn(nlb, nlb.ip, c, 443, cp, 6, t, 30, False, pk=rng.randrange(10, 80))
            a.conn(k, k.ip, c, np_, cp, 6, t, 30, False, pk=rng.randrange(10, 80))
        if m % 2 == 0:
            for k in k8s:
                for np_ in nodeports:
                    lp = eph(rng)
                    # the last NodePort's pod on the first node is down: a RST answers
                    pk, rpk = (1, 1) if k is k8s[0] and np_ == nodeports[-1] else (3, 2)
                    a.conn(nlb, nlb.ip, k.ip, lp, np_, 6, t0 + rng.randrange(10), 0, True,
                           pk=pk, rpk=rpk, path=1)
                    a.conn(k, k.ip, nlb.ip, np_, lp, 6, t0 + rng.randrange(10), 0, False,
                           pk=pk, rpk=rpk, path=1)
        # Public web server: serves 443; the internet's background scanning.
        for _ in range(int(15 * busy)):
            a.conn(pubweb, pubweb.ip, rng.choice(clients), 443, eph(rng), 6,
                   t0 + rng.randrange(60), 10, False, pk=rng.randrange(10, 50))
        for _ in range(6):
            s = rng.choice(scanners)
            port = rng.choice([22, 23, 25, 80, 443, 445, 1433, 2375, 3306, 3389, 5432,
                               5900, 6379, 8080, 8443, 9200, 11211, 27017,
                               rng.randrange(1, 65535)])
            acc = "ACCEPT" if port in (80, 443, 22) else "REJECT"
            a.conn(pubweb, pubweb.ip, s, port, eph(rng), 6, t0 + rng.randrange(60), 0,
                   False, pk=1 if acc == "REJECT" else 3, action=acc)
        # Bastion: admins' SSH from the office (short and long sessions); its
        # own SSH to the private hosts.
        if 7 <= hour < 19 and rng.random() < 0.5:
            c = rng.choice(corp)
            pk = rng.choice([30, 45, 800, 4000])
            a.conn(bastion, bastion.ip, c, 22, eph(rng), 6, t0 + rng.randrange(60),
                   rng.randrange(5, 600), False, pk=pk)
            a.conn(bastion, bastion.ip, rng.choice(hosts), eph(rng), 22, 6,
                   t0 + rng.randrange(60), 60, True, pk=pk, path=1)
        # VPN servers: OpenVPN UDP/1194 and WireGuard UDP/51820, long and busy.
        if m % 10 == 0:
            for ui, u in enumerate(vpn_users[: int(40 * busy)]):
                port = 1194 if ui % 2 else 51820
                pk = rng.randrange(20000, 400000)
                a.conn(vpn, vpn.ip, u, port, 40000 + 337 * ui, 17, t0, 599,
                       False, pk=pk, by=pk * 700, rpk=pk, rby=pk * 900)
        for _ in range(int(20 * busy)):       # full-tunnel users' browsing
            a.conn(vpn, vpn.ip, rng.choice(sites), eph(rng), rng.choice([443, 443, 80,
                   993, 5222, 8443, 3478]), 6, t0 + rng.randrange(60), 20, True,
                   pk=rng.randrange(10, 300))
        # Mail relay: every day, SMTP to the recipients' MX hosts and the smarthost.
        if 6 <= hour < 22 and rng.random() < 0.6:
            for _ in range(rng.randrange(1, 6)):
                a.conn(mail, mail.ip, rng.choice(mx), eph(rng), 25, 6,
                       t0 + rng.randrange(60), 3, True, pk=rng.randrange(12, 60))
            a.conn(mail, mail.ip, smarthost, eph(rng), 587, 6, t0 + rng.randrange(60),
                   3, True, pk=rng.randrange(12, 60))
        # NTP server: the VPC's clients ask it; it asks the pool.
        for _ in range(10):
            a.conn(ntp, ntp.ip, rng.choice(hosts), 123, 123, 17, t0 + rng.randrange(60),
                   0, False, pk=1, by=76, rpk=1, rby=76, path=1)
        if m % 16 == 0:
            for s in ntp_pool:
                a.conn(ntp, ntp.ip, s, 123, 123, 17, t0 + rng.randrange(60), 0, True,
                       pk=1, by=76, rpk=1, rby=76)
        # DNS forwarder: the VPC resolver and, as configured, 8.8.8.8 every day.
        for _ in range(8):
            c = rng.choice(hosts)
            a.conn(dnsf, dnsf.ip, c, 53, eph(rng), 17, t0 + rng.randrange(60), 0, False,
                   pk=1, by=70, rpk=1, rby=140, path=1)
            a.conn(dnsf, dnsf.ip, "10.%d.0.2" % n, eph(rng), 53, 17,
                   t0 + rng.randrange(60), 0, True, pk=1, by=70, path=1)
        a.conn(dnsf, dnsf.ip, "8.8.8.8", eph(rng), 53, 17, t0 + rng.randrange(60), 0,
               True, pk=2, by=140)
        if m % 30 == 0:
            a.conn(dnsf, dnsf.ip, "8.8.4.4", eph(rng), 53, 6, t0 + rng.randrange(60), 1,
                   True, pk=6, by=500)
        # Nightly backups 01:00-02:30: multi-GB to S3 here and in us-west-2.
        if 60 <= m % 1440 < 150:
            for _ in range(4):
                pk = rng.randrange(60000, 140000)
                net = S3_NETS if rng.random() < 0.7 else S3_DR_NETS
                a.conn(backup, backup.ip, in_net(rng, rng.choice(net)), eph(rng), 443,
                       6, t0 + rng.randrange(30), 30, True, pk=pk, by=pk * 1400,
                       rpk=pk // 2, rby=pk * 26, path=8)
        # Data pipeline: steady SFTP to a partner, 2 GB an hour.
        if m % 10 == 0:
            pk = 240000
            a.conn(pipe, pipe.ip, partner, 40022, 22, 6, t0, 599, True, pk=pk,
                   by=pk * 1400, rpk=pk // 2, rby=pk * 26)
        # Package and Windows updates: every night at 03:00 a burst to the mirrors.
        if m % 1440 in range(180, 200):
            for w in win:
                for _ in range(5):
                    a.conn(w, w.ip, rng.choice(mirrors), eph(rng), rng.choice([80, 443]),
                           6, t0 + rng.randrange(60), 20, True, pk=400, rpk=30000,
                           rby=30000 * 1400)
        # Kubernetes: pods on secondary addresses, east-west high ports, kubelet
        # 10250 from the EKS control plane, Prometheus scraping the pods.
        for k in range(3):
            for _ in range(int(8 * busy)):
                s = rng.choice(pods[k])
                j = rng.randrange(3)
                d = rng.choice(pods[j])
                if j == k:
                    continue
                port = rng.choice([8080, 8443, 9000, 6379, 5432, 3000, 15012, 50051])
                sp = eph(rng)
                t = t0 + rng.randrange(60)
                a.conn(k8s[k], s, d, sp, port, 6, t, 5, True, pk=rng.randrange(6, 40),
                       path=1)
                a.conn(k8s[j], d, s, port, sp, 6, t, 5, False, pk=rng.randrange(6, 40),
                       path=1)
            if m % 1 == 0:
                a.conn(k8s[k], k8s[k].ip, rng.choice(eks_cp), 10250, eph(rng), 6,
                       t0 + rng.randrange(60), 30, False, pk=40, path=1)
                a.conn(k8s[k], k8s[k].ip, rng.choice(eks_cp), eph(rng), 443, 6,
                       t0 + rng.randrange(60), 30, True, pk=40, path=1)
        # Monitoring server: SNMP, node exporter and ICMP of 300 hosts every minute
        # (a sample here), external HTTPS checks, TCP connect checks of a partner.
        for h in rng.sample(hosts, 10):
            a.conn(mon, mon.ip, h, eph(rng), 161, 17, t0 + rng.randrange(60), 0, True,
                   pk=2, by=180, path=1)
            a.conn(mon, mon.ip, h, eph(rng), 9100, 6, t0 + rng.randrange(60), 0, True,
                   pk=8, path=1)
            a.conn(mon, mon.ip, h, 0, 0, 1, t0 + rng.randrange(60), 0, True, pk=1, by=84,
                   path=1)
        for s in ext_checks[:10]:
            a.conn(mon, mon.ip, s, eph(rng), 443, 6, t0 + rng.randrange(60), 1, True,
                   pk=12)
        # VoIP: a PBX's RTP to the carrier (50 calls, both ways) and a TURN
        # server relaying UDP on high ports with many peers.
        if m % 10 == 0:
            for c in range(int(50 * busy)):
                lp = 10000 + 2 * c
                rp = 20000 + 2 * ((c * 7919) % 5000)
                a.conn(turn, turn.ip, carrier, lp, rp, 17, t0, 599, True, pk=29950,
                       by=29950 * 214, rpk=29950, rby=29950 * 214)
            for p in rng.sample(turn_peers, int(60 * busy)):
                lp = 49152 + rng.randrange(16000)
                pk = rng.randrange(3000, 60000)
                a.conn(turn, turn.ip, p, lp, eph(rng), 17, t0 + rng.randrange(60), 540,
                       rng.random() < 0.5, pk=pk, by=pk * 900, rpk=pk, rby=pk * 900)
        # IPv6: a dual-stack instance serving clients and fetching; ICMP PMTU.
        for _ in range(int(6 * busy)):
            c = "2a02:%x:%x::%x" % (rng.randrange(0x8000, 0xffff), rng.randrange(65535),
                                    rng.randrange(1, 65535))
            a.conn(v6, v6ip, c, 443, eph(rng), 6, t0 + rng.randrange(60), 10, False,
                   pk=rng.randrange(10, 60), typ="IPv6")
            a.conn(v6, v6ip, c, 0, 0, 58, t0 + rng.randrange(60), 0, False, pk=1, by=1280,
                   rpk=0, action="ACCEPT", typ="IPv6")
        if rng.random() < 0.3:
            a.conn(web[0], web[0].ip, rng.choice(clients), 0, 0, 1, t0 + rng.randrange(60),
                   0, False, pk=1, by=576)
    if attack:
        scanner = a.eni("9.66")
        for p in range(1, 101):
            a.conn(scanner, scanner.ip, pubweb.ip, 41000 + p, p, 6, start + 180 + p, 0, True,
                   pk=3, by=132, rpk=2, rby=88, path=1)
    if attack_mid:
        for p in range(1, 101):
            a.conn(bastion, bastion.ip, pubweb.ip, 41000 + p, p, 6, start + 3780 + p, 0, True,
                   pk=3, by=132, rpk=2, rby=88, path=1)
    if attack_fail:
        victim = pub(random.Random("%s/%d/victim" % (a.num, seed)))
        for p in range(1, 101):
            a.rec(mon, mon.ip, victim, 46000 + p, p, 6, 1, 44, start + 3 * 3600 + 60 + p, 0,
                  "REJECT", 2, False)
    joiners(a, random.Random("%s/%d" % (a.num, seed)), start, hours, nlb, mon, nodeports,
            clients)
    late_joiner(a, random.Random("%s/%d/late" % (a.num, seed)), start, hours, nlb,
                nodeports, clients, attack_fail)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    hours, seed, start, attack, attack_mid = 28, 11, 1767571200, False, False
    attack_fail = False
    i = 1
    while i < len(args):
        if args[i] in ("--attack", "--attack-mid", "--attack-fail"):
            attack = attack or args[i] == "--attack"
            attack_mid = attack_mid or args[i] == "--attack-mid"
            attack_fail = attack_fail or args[i] == "--attack-fail"
            i += 1
            continue
        if args[i] == "--hours":
            hours = int(args[i + 1])
        elif args[i] == "--seed":
            seed = int(args[i + 1])
        elif args[i] == "--start":
            start = int(args[i + 1])
        else:
            sys.exit("fp_flow.py: unknown option " + args[i])
        i += 2
    rng = random.Random(seed)
    accts = [Acct(rng, "210987654321", True, 40), Acct(rng, "109876543210", False, 41)]
    for a in accts:
        estate(a, rng, start, hours, attack, attack_mid, seed, attack_fail)
        a.write(out, start)
    os.makedirs(os.path.join(out, "aws"), exist_ok=True)
    pre = [{"ip_prefix": p, "region": "us-east-1", "service": s,
            "network_border_group": "us-east-1"} for p in S3_NETS for s in ("AMAZON", "S3")]
    pre += [{"ip_prefix": p, "region": "us-west-2", "service": s,
             "network_border_group": "us-west-2"} for p in S3_DR_NETS
            for s in ("AMAZON", "S3")]
    with open(os.path.join(out, "aws", "ip-ranges.json"), "w") as fh:
        json.dump({"syncToken": "1767571200", "createDate": "2026-01-05-00-00-00",
                   "prefixes": pre, "ipv6_prefixes": []}, fh, indent=1)


if __name__ == "__main__":
    main()
