/*
 * What dns_reputation.c (the detector) and dns_rep_evidence.c (the
 * evidence of a detection: closeness to listed infrastructure, the
 * additionalInfo) share. Private to the two.
 */
#ifndef CM_DETECT_DNS_REP_IMPL_H
#define CM_DETECT_DNS_REP_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/domain.h"
#include "detect/dns_reputation.h"
#include "event/event.h"
#include "intel/snapshot.h"

/* The closeness found in a query's answers. */
struct cm_dns_rep_closeness {
    unsigned reasons; /* CM_DNSR_LISTED_* */
    bool mining;      /* a listed answer is on a mining list */
    bool other;       /* ... on another counted list */
    char what[96];    /* the first listed answer or CNAME target */
};

/*
 * The closeness of q's answers to listed infrastructure (s may be NULL: none):
 * A/AAAA answers and CNAME targets on a threat list of a category that says
 * something about the names resolving to it (not sink-holes, Tor or scanners).
 */
void cm_dns_rep_closeness(const struct cm_intel_snapshot *s, const struct cm_dns *q,
                          struct cm_dns_rep_closeness *c);

/*
 * Writes the detection's additionalInfo into out (cap bytes, NUL-terminated,
 * cut at cap): the name d, its site, the score, the DGA score, the reasons
 * (reasons: CM_DNSR_NEW and _RARE; rep's and c's own) and the instances that
 * asked (ninst).
 */
void cm_dns_rep_describe(char *out, size_t cap, const struct cm_domain *d,
                         const struct cm_dns_rep *rep, const struct cm_dns_rep_closeness *c,
                         unsigned reasons, unsigned ninst, double score);

#endif
