/*
 * Attack scenarios for the threat-intelligence findings (issue #4): one
 * scenario per finding type, in three families by log source
 * (gen_sc_intel_ct.c: CloudTrail management and S3 data events,
 * gen_sc_intel_flow.c: VPC flow logs, gen_sc_intel_dns.c: Resolver query
 * logs), sharing the helpers of gen_sc_intel.c.
 *
 * Every scenario attacks the first account's first VPC (account 0, region
 * 0): a stolen IAM user key, that VPC's instances and buckets. Each is a
 * const plan: steps at fixed offsets from the run's start (all in the first
 * hour), each step marked as a hit (the detector must count it) or a near
 * miss (it must not: an address next to a listed one, a rejected inbound
 * connection, a reply, a name that only shares a suffix, a query with no
 * instance, an entry that is also trusted). emit() writes the steps that
 * fall in the file's window; intel() names the list entries the hits need;
 * expect() says what the scan should report (type, resource, list, count)
 * and names the indicators of the hits and of the near misses.
 *
 * Attacker addresses come from blocks the background does not use (first
 * octets 5, 45, 141, 146, 154, 162, 204 and 209 are in none of the world's
 * ranges, its web-client pool or its destinations; only the random rejected
 * probes of internet noise could hit one, and those give no intel finding),
 * so lists built from them match the attack alone. The network blocks and
 * names are constants; DGA names are drawn from the seed.
 */
#ifndef CM_GEN_GEN_SC_INTEL_H
#define CM_GEN_GEN_SC_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen/gen.h"

#define CM_GEN_SC_IP4(a, b, c, d)                                                                  \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* The /24 each kind of attacker lives in; plans give the last octet. */
#define CM_GEN_SC_NET_MALICIOUS CM_GEN_SC_IP4(45, 137, 21, 0)
#define CM_GEN_SC_NET_CUSTOM    CM_GEN_SC_IP4(5, 188, 86, 0)
#define CM_GEN_SC_NET_TOR_EXIT  CM_GEN_SC_IP4(162, 247, 74, 0)
#define CM_GEN_SC_NET_TOR_RELAY CM_GEN_SC_IP4(204, 13, 164, 0)
#define CM_GEN_SC_NET_CNC       CM_GEN_SC_IP4(141, 98, 10, 0)
#define CM_GEN_SC_NET_MINING    CM_GEN_SC_IP4(146, 59, 17, 0)
#define CM_GEN_SC_NET_DROP      CM_GEN_SC_IP4(209, 141, 45, 0)
#define CM_GEN_SC_NET_SINKHOLE  CM_GEN_SC_IP4(154, 35, 64, 0)

/* The list customer threat lists and trusted entries go to. */
#define CM_GEN_SC_CUSTOM  "custom"
#define CM_GEN_SC_TRUSTED "trusted"

/* Most steps in one plan. */
#define CM_GEN_SC_MAX_STEPS 16

/* ---- what the attacker uses in a world (-1 / NULL when it has none) ---- */

/* The attacked VPC (account 0, region 0). */
unsigned cm_gen_sc_vpc(const struct cm_gen_world *w);

/* The IAM user whose key was stolen: the first CLI user of account 0, else its first user. */
long cm_gen_sc_principal(const struct cm_gen_world *w);

/* The attacked bucket: account 0's backups bucket when it is in region 0, else one that is. */
long cm_gen_sc_bucket(const struct cm_gen_world *w);

/*
 * An instance of the attacked VPC: the first of tier t that is not `not`
 * (world index, or -1 for none), else the first that is not `not`.
 */
long cm_gen_sc_instance(const struct cm_gen_world *w, enum cm_gen_tier t, long not );

/* ---- helpers for emit, intel and expect ---- */

/* Whether absolute time t falls in f's window and f is of the attacked VPC. */
bool cm_gen_sc_in_file(const struct cm_gen_file *f, int64_t t);

/* The run's start plus at seconds. */
int64_t cm_gen_sc_time(const struct cm_gen_file *f, unsigned at);

/* Writes ip (host order) as a dotted quad to out (16 bytes). */
void cm_gen_sc_ip_str(uint32_t ip, char *out);

/* Appends entry (list, ip or name) to out[*n] unless full or already there. */
void cm_gen_sc_add_ip(struct cm_gen_intel_entry *out, size_t *n, const char *list, uint32_t ip);
void cm_gen_sc_add_name(struct cm_gen_intel_entry *out, size_t *n, const char *list,
                        const char *name);

/* Appends item (or ip) to the comma-separated list in buf[n] unless it is there already. */
void cm_gen_sc_note(char *buf, size_t n, const char *item);
void cm_gen_sc_note_ip(char *buf, size_t n, uint32_t ip);
/* cm_gen_sc_note on e's near misses; CM_E2BIG when mark would not fit whole. */
int cm_gen_sc_note_near(struct cm_gen_expect *e, const char *mark);

/* The need of a plan of hours hours: 1 (out[0], CM_GEN_NEED_HOURS) when more than 1, else 0. */
size_t cm_gen_sc_need_hours(unsigned hours, struct cm_gen_need *out);

/* ---- the scenarios (listed in gen_scenario.c) ---- */

/* CloudTrail: IAM API calls and S3 calls with a stolen key from a listed address. */
extern const struct cm_gen_scenario cm_gen_sc_recon_iam_malicious;
extern const struct cm_gen_scenario cm_gen_sc_recon_iam_custom;
extern const struct cm_gen_scenario cm_gen_sc_recon_iam_tor;
extern const struct cm_gen_scenario cm_gen_sc_access_iam_malicious;
extern const struct cm_gen_scenario cm_gen_sc_access_iam_custom;
extern const struct cm_gen_scenario cm_gen_sc_access_iam_tor;
extern const struct cm_gen_scenario cm_gen_sc_discovery_s3_malicious;
extern const struct cm_gen_scenario cm_gen_sc_discovery_s3_custom;
extern const struct cm_gen_scenario cm_gen_sc_discovery_s3_tor;
extern const struct cm_gen_scenario cm_gen_sc_exfil_s3_malicious;
extern const struct cm_gen_scenario cm_gen_sc_impact_s3_malicious;
extern const struct cm_gen_scenario cm_gen_sc_access_s3_custom;
extern const struct cm_gen_scenario cm_gen_sc_access_s3_tor;

/* VPC flow logs: an instance talking to listed addresses. */
extern const struct cm_gen_scenario cm_gen_sc_flow_cnc;
extern const struct cm_gen_scenario cm_gen_sc_flow_mining;
extern const struct cm_gen_scenario cm_gen_sc_flow_blackhole;
extern const struct cm_gen_scenario cm_gen_sc_flow_drop_point;
extern const struct cm_gen_scenario cm_gen_sc_flow_custom;
extern const struct cm_gen_scenario cm_gen_sc_flow_tor_client;
extern const struct cm_gen_scenario cm_gen_sc_flow_tor_relay;

/* Resolver query logs: an instance asking for listed names. */
extern const struct cm_gen_scenario cm_gen_sc_dns_cnc;
extern const struct cm_gen_scenario cm_gen_sc_dns_mining;
extern const struct cm_gen_scenario cm_gen_sc_dns_blackhole;
extern const struct cm_gen_scenario cm_gen_sc_dns_dga;
extern const struct cm_gen_scenario cm_gen_sc_dns_drive_by;
extern const struct cm_gen_scenario cm_gen_sc_dns_drop_point;
extern const struct cm_gen_scenario cm_gen_sc_dns_phishing;
extern const struct cm_gen_scenario cm_gen_sc_dns_custom;

#endif
