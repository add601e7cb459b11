/*
 * Attack scenarios of Trojan:EC2/DNSDataExfiltration (issue #7, part 2;
 * docs/detectors/dns-tunnel.md), in Route 53 Resolver query logs, in the
 * attacked VPC of the intel family (gen_sc_intel.h, whose helpers they
 * share):
 *
 *   dns-exfil-tester  the GuardDuty tester's 930 names of ~60 + ~30
 *                     base64-like characters under guarddutyc2activityb.com
 *                     from an app-tier instance, and more of them an hour
 *                     later (a second detection, past the rate limit); two
 *                     hours. Near misses from a web-tier instance and an
 *                     office client.
 *   dns-tunnel-hex    dnscat2-like hex names over TXT, CNAME and MX from a
 *                     worker instance, with that instance's own near misses
 *                     under other domains; one hour.
 *   dns-tunnel-download  short counter names asked for TXT and answered
 *                     with distinct base32 tokens (the data comes back in
 *                     the answers); one hour.
 *   dns-tunnel-spread names rotating over four domains, none of them
 *                     enough on its own; two hours.
 *   dns-tunnel-dnscat a dnscat2 handshake (five packets of one session,
 *                     answered in kind) from a web instance, from 3 h;
 *                     near misses on a bastion; five hours.
 *   dns-tunnel-slow   a trickle of one hex name every ten minutes from the
 *                     second app-tier instance, from 2 h, under every window's
 *                     thresholds: the day's 48th name fires; near misses on
 *                     a worker; eleven hours.
 *
 * Every query of a plan is at a fixed offset from the run's start, its name
 * a pure function of the seed, so emit and expect agree without state. A
 * group is a hit (its first `hits` queries are what the finding counts) or
 * a near miss (in the logs, never counted), with a marker: the substrings
 * its first line holds together ("query_name":"NAME." and the instance or
 * the client address), '&'-separated.
 */
#ifndef CM_GEN_GEN_SC_DNS_TUNNEL_H
#define CM_GEN_GEN_SC_DNS_TUNNEL_H

#include "gen/gen.h"

extern const struct cm_gen_scenario cm_gen_sc_dns_exfil_tester;
extern const struct cm_gen_scenario cm_gen_sc_dns_tunnel_hex;
extern const struct cm_gen_scenario cm_gen_sc_dns_tunnel_download;
extern const struct cm_gen_scenario cm_gen_sc_dns_tunnel_spread;
extern const struct cm_gen_scenario cm_gen_sc_dns_tunnel_dnscat;
extern const struct cm_gen_scenario cm_gen_sc_dns_tunnel_slow;

#endif
