/*
 * The attack scenario of Trojan:EC2/DGADomainRequest.B (issue #7, part 1;
 * docs/detectors/dns-dga.md), in Route 53 Resolver query logs, in the
 * attacked VPC of the intel family (gen_sc_intel.h, whose helpers it
 * shares): an instance runs a domain generation algorithm of this file's
 * own (never names of any data set) and asks a burst of its candidates,
 * mostly answered NXDOMAIN, twice, ten minutes apart; another instance of
 * the VPC and an on-premises client make the near misses.
 */
#ifndef CM_GEN_GEN_SC_DNS_DGA_H
#define CM_GEN_GEN_SC_DNS_DGA_H

#include <stddef.h>

#include "gen/gen.h"

/*
 * Candidate k of the scenario's DGA in world w ("<15-20 letters, seven in eight
 * of them consonants>.<tld>", much like cryptolocker's output),
 * into out (n bytes): a pure function of the seed and k.
 */
void cm_gen_dga_name(const struct cm_gen_world *w, unsigned k, char *out, size_t n);

extern const struct cm_gen_scenario cm_gen_sc_dga_dns_burst;

#endif
