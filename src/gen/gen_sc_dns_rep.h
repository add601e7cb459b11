/*
 * Attack scenarios for the DNS detections of issue #7, part 3
 * (docs/detectors/dns-reputation.md): an instance resolves a name that
 * answers with the instance metadata address (MetadataDNSRebind), and an
 * instance asks for new low-reputation domains after the environment's
 * learning day (the four Impact:EC2 DomainRequest.Reputation types).
 *
 * Like the intel and flow families (gen_sc_intel.h, whose helpers they
 * share), every scenario is a const plan in the attacked VPC (account 0,
 * region 0), on one instance of a tier: queries at fixed offsets from the
 * run's start, each a hit (the finding counts it) or a near miss (in the
 * logs, never counted). The reputation plans run 26 hours: the background
 * of the first day is the account's history, the attack comes at hour 25.
 * Each hit is a distinct site, so each adds one to the finding's count
 * (repeats of a site within the hour are folded by the detector's rate
 * limit). Near-miss markers are the substrings one log line holds together
 * ("query_name":"NAME." and the answer), '&'-separated.
 */
#ifndef CM_GEN_GEN_SC_DNS_REP_H
#define CM_GEN_GEN_SC_DNS_REP_H

#include "gen/gen.h"

extern const struct cm_gen_scenario cm_gen_sc_metadata_dns_rebind;
extern const struct cm_gen_scenario cm_gen_sc_abused_domain_rep;
extern const struct cm_gen_scenario cm_gen_sc_bitcoin_domain_rep;
extern const struct cm_gen_scenario cm_gen_sc_malicious_domain_rep;
extern const struct cm_gen_scenario cm_gen_sc_suspicious_domain_rep;

#endif
