/*
 * What dns_reputation.c (the detector), dns_rep_names.c (which names are
 * judged, which are evidence in themselves) and dns_rep_evidence.c (the
 * evidence of a detection: closeness to listed infrastructure, the
 * additionalInfo) share; dns_providers.c asks whether the web labels are
 * sorted. Private to lib/detect (and its unit tests).
 */
#ifndef CM_DETECT_DNS_REP_IMPL_H
#define CM_DETECT_DNS_REP_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/domain.h"
#include "base/str.h"
#include "detect/dns_reputation.h"
#include "event/event.h"
#include "intel/snapshot.h"

/* Crypto at least this strong (and the strongest component) is Bitcoin. */
#define CM_DNS_REP_CRYPTO_BITCOIN 0.5

/*
 * Whether a query name is left alone before any parsing: reverse DNS and
 * EC2's own names (which the model ignores anyway), and look-ups of a
 * domain's records (DKIM, DMARC, MTA-STS, SRV... labels).
 */
bool cm_dns_rep_skip_name(struct cm_str name);

/*
 * Whether a query asks a domain's records rather than a host and brought no
 * data back but policies: MX, SRV, NS, CAA... (cm_dns_record_type), TXT
 * when every answer is a CNAME or a policy (SPF, DMARC, DKIM, MTA-STS, TLS
 * reporting, BIMI). A mail server asks so for every sender's domain.
 */
bool cm_dns_rep_record_query(const struct cm_dns *q);

/*
 * Whether name d, with its stateless score rep, is evidence in itself: a
 * tunnel or callback catcher's host, or a mining pool's service host.
 */
bool cm_dns_rep_strong(const struct cm_domain *d, const struct cm_dns_rep *rep);

/* Whether the web labels of cm_dns_web_label are sorted and unique (its bsearch). */
bool cm_dns_web_labels_sorted(void);

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
