/*
 * Network destinations shared by the DNS and flow generators: the names an
 * instance resolves and the addresses it then connects to. Each entry is a
 * name template with its answers (a public range, the region's AWS ranges,
 * or an instance of the same VPC), and per-tier weights saying how often a
 * web, app, db, worker, bastion or cache instance uses it.
 *
 * Answers are a pure function of (seed, entry, VPC, variant, k), so the IP a
 * Resolver log line returns for a name is the IP flow records show the
 * instance talking to. Templates expand %r (region), %a (account id), %b (a
 * bucket of the account, chosen by variant), %e (environment), %o (org),
 * %s (the region's internal DNS suffix), and for HOST/PTR entries %i (the
 * instance's IP with dashes) and %p (its octets reversed).
 */
#ifndef CM_GEN_GEN_DEST_H
#define CM_GEN_GEN_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen/gen.h"

enum cm_gen_dest_kind {
    CM_GEN_D_PUBLIC = 0, /* A records inside net/plen */
    CM_GEN_D_AWS,        /* A records in the region's EC2 ranges */
    CM_GEN_D_S3,         /* A records in the region's S3 range */
    CM_GEN_D_PEER,       /* the private IP of an instance of peer_tier in the VPC */
    CM_GEN_D_HOST,       /* ip-a-b-c-d.<suffix> of any instance in the VPC */
    CM_GEN_D_PTR,        /* reverse lookup of an instance in the VPC */
    CM_GEN_D_NX,         /* always NXDOMAIN */
    CM_GEN_D_TXT,        /* TXT record with the text in cname */
    CM_GEN_D_SRV,        /* SRV record with the target in cname */
};

struct cm_gen_dest {
    const char *tmpl;  /* name without the trailing dot */
    uint8_t kind;      /* enum cm_gen_dest_kind */
    uint8_t nans;      /* A records per answer */
    uint8_t peer_tier; /* CM_GEN_D_PEER */
    uint8_t proto;     /* 6 TCP, 17 UDP; with port 0 never a flow destination */
    uint16_t port;
    uint32_t net; /* CM_GEN_D_PUBLIC range, host order */
    uint8_t plen;
    const char *cname; /* CNAME target template (or TXT/SRV rdata), or NULL */
    const char *v6;    /* AAAA prefix ending in "::", NULL: no AAAA records */
    const char *qtype; /* query type, NULL: A (often with AAAA) */
    uint8_t flags;     /* CM_GEN_DF_* */
    uint8_t w[CM_GEN_NTIERS];
};

/* The name is answered by the VPC's interface endpoint when it has one. */
#define CM_GEN_DF_VPCE 0x01u

/* DNS queries per minute by instance tier (flows to the resolver use the same rates). */
extern const double cm_gen_dns_rate[CM_GEN_NTIERS];

/* True when eventSource prefix svc ("sts", "kms") is served by interface endpoints. */
bool cm_gen_vpce_covers(const char *svc);

extern const struct cm_gen_dest cm_gen_dests[];
extern const unsigned cm_gen_ndests;

/*
 * Expands template tmpl for VPC vpc with variant v into out (always
 * NUL-terminated, truncated at outlen). Returns the length.
 */
size_t cm_gen_dest_expand(const struct cm_gen_world *w, unsigned vpc, unsigned d, const char *tmpl,
                          uint64_t v, char *out, size_t outlen);

/*
 * The k-th A record of entry d for (vpc, variant). For CM_GEN_D_PEER/HOST/PTR
 * it is the instance's private IP, 0 when the VPC has no such instance.
 */
uint32_t cm_gen_dest_ip(const struct cm_gen_world *w, unsigned vpc, unsigned d, uint64_t v,
                        unsigned k);

/*
 * The instance a PEER/HOST/PTR entry points at for (vpc, variant), as a
 * world instance index, or -1 when there is none.
 */
long cm_gen_dest_instance(const struct cm_gen_world *w, unsigned vpc, unsigned d, uint64_t v);

#endif
