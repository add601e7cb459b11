/*
 * Attack scenarios for the VPC flow detections of issue #6
 * (docs/detectors/vpcflow-inbound.md, vpcflow-pair.md and vpcflow-host.md):
 * SSH, RDP and WinRM brute force against an instance (TARGET) and from one
 * (ACTOR), port probes of an unprotected port by a listed scanner, an
 * outbound port scan, the five denial-of-service variants, an unusual
 * traffic volume, a port sweep, a spam bot, an unusual remote port and
 * unusual public DNS, DoH and DoT resolvers. Those judged against the
 * instance's history run 26 hours (a learning day, then the attack).
 *
 * Like the intel family (gen_sc_intel.h, whose helpers it shares), every
 * scenario is a const plan in the attacked VPC (account 0, region 0). A step
 * is a burst of connections from or to one instance of the plan: n
 * connections `every` seconds apart, each one request record (and, when the
 * step says so, its reply), with the protocol, ports, packet count, packet
 * size and duration the detector's rule looks at. A step is a hit (its
 * connections are what the finding counts) or a near miss (present in the
 * logs, never counted): a handful of failed logins, a health checker, the
 * internet's single rejected probes, 19 guesses, QUIC on UDP/443, a large
 * upload, a flood just under the rate, an IPsec tunnel, a burst during the
 * learning day... Each near miss gets a marker (substrings of its request
 * record's line) so a test can find it in the logs.
 *
 * Times are seconds after the first 10-minute boundary of the run (the
 * run's start unless --start says otherwise), so scan epochs and flood
 * minutes fall where the plan means them to. The findings name the plan's
 * instance (its ENI in the eni column), with the severity, the resource role
 * and the connection direction the docs fix (scenarios.tsv's role column,
 * "ROLE/DIRECTION"; PORT_PROBE for port probes).
 *
 * Addresses: attackers and victims live in /24s of first octets the world
 * never uses (45, 204; see gen_sc_intel.h), so only the plan's records touch
 * them; the listed scanners' /24 differs from the brute forcers' so that a
 * run of every scenario loads no list that matches a brute forcer.
 */
#ifndef CM_GEN_GEN_SC_FLOW_H
#define CM_GEN_GEN_SC_FLOW_H

#include "gen/gen.h"
#include "gen/gen_sc_intel.h"

#define CM_GEN_SC_NET_BRUTE   CM_GEN_SC_IP4(45, 155, 205, 0) /* brute forcers, their targets */
#define CM_GEN_SC_NET_SCANNER CM_GEN_SC_IP4(45, 146, 165, 0) /* listed and unlisted scanners */
#define CM_GEN_SC_NET_VICTIM  CM_GEN_SC_IP4(204, 79, 180, 0) /* hosts the instances attack */
#define CM_GEN_SC_NET_SWEEP   CM_GEN_SC_IP4(204, 79, 181, 0) /* swept hosts, mail servers */

/* ---- the scenarios (listed in gen_scenario.c) ---- */

/* Brute force (flow_inbound). */
extern const struct cm_gen_scenario cm_gen_sc_ssh_brute_target;
extern const struct cm_gen_scenario cm_gen_sc_ssh_brute_actor;
extern const struct cm_gen_scenario cm_gen_sc_rdp_brute_actor;
extern const struct cm_gen_scenario cm_gen_sc_winrm_brute_target;

/* Port probes (flow_inbound; the scanners are on a threat list). */
extern const struct cm_gen_scenario cm_gen_sc_port_probe;
extern const struct cm_gen_scenario cm_gen_sc_port_probe_elastic;
extern const struct cm_gen_scenario cm_gen_sc_port_probe_emr;

/* Outbound scans, floods and volume (flow_pair). */
extern const struct cm_gen_scenario cm_gen_sc_portscan;
extern const struct cm_gen_scenario cm_gen_sc_dos_tcp;
extern const struct cm_gen_scenario cm_gen_sc_dos_udp;
extern const struct cm_gen_scenario cm_gen_sc_dos_udp_tcp_ports;
extern const struct cm_gen_scenario cm_gen_sc_dos_dns;
extern const struct cm_gen_scenario cm_gen_sc_dos_unusual_protocol;
extern const struct cm_gen_scenario cm_gen_sc_traffic_volume;

/* What one instance does against its own history (flow_host). */
extern const struct cm_gen_scenario cm_gen_sc_port_sweep;
extern const struct cm_gen_scenario cm_gen_sc_spambot;
extern const struct cm_gen_scenario cm_gen_sc_network_port_unusual;
extern const struct cm_gen_scenario cm_gen_sc_network_port_unusual_ldap;
extern const struct cm_gen_scenario cm_gen_sc_unusual_dns_resolver;
extern const struct cm_gen_scenario cm_gen_sc_unusual_doh;
extern const struct cm_gen_scenario cm_gen_sc_unusual_dot;

#endif
