/*
 * Domain reputation and metadata rebinding (issue #7, part 3;
 * docs/detectors/dns-reputation.md): the settings of the two detectors of
 * dns.h that live in dns_rebind.c and dns_reputation.c, and the stateless
 * part of the reputation score, which `coalmine dns score` prints too.
 *
 * The stateless score (cm_dns_rep_score) judges one name on its own, from
 * const tables (dns_providers.c) and the DGA model (dga.h):
 *
 *   provider  the name is a host of an abused dynamic-DNS, free-hosting,
 *             tunnelling or out-of-band-callback provider (duckdns.org,
 *             ddns.net, mooo.com, 000webhostapp.com, ngrok-free.app,
 *             trycloudflare.com, oast.fun...). Big legitimate platforms
 *             (s3.amazonaws.com, cloudfront.net, github.io, herokuapp.com)
 *             are not on the table, private suffix or not.
 *   tld       the name's top-level domain is on the abused-TLD table, with
 *             a weight per TLD (Freenom's tk/ml/ga/cf/gq highest).
 *   dga       the DGA model's score, counted above CM_DNS_REP_DGA_FLOOR
 *             (0.68) and only where a registrant chose the label: under an ICANN
 *             suffix or an abused provider, never under a platform's
 *             private suffix (CloudFront, ELB, S3 names are random by design).
 *   crypto    a mining-pool brand in the registered domain (nanopool,
 *             minergate, supportxmr...), or a coin word with a mining word
 *             (xmr + pool), or a stratum label.
 *
 * Components are in [0, 1] and combine as independent evidence (noisy-OR):
 * score = 1 - (1 - provider)(1 - tld)(1 - dga)(1 - crypto). The detector adds
 * what only a scan knows: whether the domain is new to the environment,
 * how many instances asked, and closeness to listed infrastructure (an
 * answer address or CNAME target on a threat list).
 */
#ifndef CM_DETECT_DNS_REPUTATION_H
#define CM_DETECT_DNS_REPUTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/dns_provider.h"
#include "base/domain.h"
#include "base/str.h"
#include "detect/detect.h"

struct cm_dga_model;

/* ---- dns_providers.c: the const tables (the providers themselves: base/dns_provider.h) ---- */

/*
 * The abused provider that owns name d, or NULL: its private suffix (a PSL
 * private-section entry such as duckdns.org) or its registered domain
 * (providers the PSL does not know, such as mooo.com) is on the table. The
 * provider's own apex and www host are not its customers' names: NULL.
 */
const struct cm_dns_provider *cm_dns_provider_of(const struct cm_domain *d);

/* The score component of a provider class, in [0, 1]. */
double cm_dns_provider_weight(enum cm_dns_provider_class c);

/* A stable lowercase name of a provider class ("dynamic-dns", ...). */
const char *cm_dns_provider_class_name(enum cm_dns_provider_class c);

/* The abuse weight of the top-level domain tld ("tk", "xyz"), in [0, 1); 0 when not listed. */
double cm_dns_tld_weight(struct cm_str tld);

/* Crypto-currency mining signs in a name (enum values are also the evidence's strength). */
enum cm_dns_crypto {
    CM_DNSC_NONE = 0,
    CM_DNSC_COIN,    /* a coin word alone (monero, xmr): weak */
    CM_DNSC_STRATUM, /* a "stratum" label: the mining protocol's usual host name */
    CM_DNSC_POOL,    /* a coin word and a mining word (xmr-pool, eth.mining) */
    CM_DNSC_BRAND,   /* a mining pool or web-miner brand in the registered domain */
};

/* The strongest crypto sign in d; *what (may be NULL) gets the matched word. */
enum cm_dns_crypto cm_dns_crypto_of(const struct cm_domain *d, const char **what);

/* The score component of a crypto sign, in [0, 1]. */
double cm_dns_crypto_weight(enum cm_dns_crypto c);

/*
 * Whether label (lowercase) is a first label of a site's web pages or API
 * rather than of a service ("www", "api", "files", "status"..., with or
 * without digits after: "www2"): a pool's pages are read by people,
 * crawlers and dashboards, its other hosts by miners (dns_reputation.c's
 * strong()).
 */
bool cm_dns_web_label(struct cm_str label);

/* Whether every table (providers, TLDs, crypto words, web labels) is sorted and unique, as the
 * look-ups need, and the private TLDs and mining words pass their quick tests.
 */
bool cm_dns_tables_sorted(void);

/* ---- the stateless score (dns_rep_score.c) ---------------------------------------------- */

/* The last label of d ("com"), or an empty slice. */
struct cm_str cm_dns_tld_of(const struct cm_domain *d);

/*
 * DGA model scores at or below this count for nothing; the rest scale
 * linearly to [0, 0.8]: 0.8 alone reaches the Suspicious score (0.3), 0.95
 * gives 0.68. Chosen so that DGA alone makes 17 of the 100,000 top domains
 * Suspicious (0.69 would make 43) while 78% of conficker's names and 92% to
 * 100% of the other families of ../shared/data/dns-dga pass 0.8.
 */
#define CM_DNS_REP_DGA_FLOOR 0.68

/* Reasons, as bits of struct cm_dns_rep.reasons (detections list them by name). */
enum {
    CM_DNSR_PROVIDER = 1u << 0,      /* an abused provider's host */
    CM_DNSR_TLD = 1u << 1,           /* an abused TLD */
    CM_DNSR_DGA = 1u << 2,           /* the DGA model finds the label generated */
    CM_DNSR_CRYPTO = 1u << 3,        /* mining signs in the name */
    CM_DNSR_NEW = 1u << 4,           /* first seen in the environment lately (detector only) */
    CM_DNSR_RARE = 1u << 5,          /* asked by few instances (detector only) */
    CM_DNSR_LISTED_ANSWER = 1u << 6, /* an answer address is on a threat list (detector only) */
    CM_DNSR_LISTED_CNAME = 1u << 7,  /* a CNAME target is on a threat list (detector only) */
};

/* The stateless reputation of one name. */
struct cm_dns_rep {
    double score;    /* [0, 1], higher is worse */
    double dga;      /* the DGA model's own score, [0, 1] (0 when it does not apply) */
    double provider; /* the components, each in [0, 1] */
    double tld;
    double dga_part;
    double crypto;
    unsigned reasons;                             /* CM_DNSR_* */
    bool dga_applies;                             /* the label is a registrant's choice */
    const struct cm_dns_provider *provider_entry; /* or NULL */
    enum cm_dns_crypto crypto_sign;
    const char *crypto_word; /* the matched word, or NULL */
    /*
     * The "site" whose first sighting counts: the registered domain, plus
     * one label for a provider the PSL does not know (x.mooo.com, not
     * mooo.com). Offset into d->name; == d->len when d has none.
     */
    size_t site;
};

/*
 * Scores name d (from cm_domain_parse) with DGA model m (NULL: the DGA
 * component is left out). Pure and allocation-free. A name without a
 * registered domain, a reverse-lookup name (.arpa) and an internal name
 * (.internal, .local, .localdomain, .home.arpa) score 0.
 */
void cm_dns_rep_score(const struct cm_dga_model *m, const struct cm_domain *d,
                      struct cm_dns_rep *out);

/*
 * A hashed index of the tables (providers, TLDs, crypto words), built once
 * by a caller that scores many names: the same answers as the binary
 * searches, a hash and a slot each instead. Immutable once made (share it
 * between threads freely). Returns 0 or CM_ENOMEM.
 */
struct cm_dns_tables;
int cm_dns_tables_create(struct cm_dns_tables **out);

/* Frees tables; NULL is a no-op. */
void cm_dns_tables_destroy(struct cm_dns_tables *t);

/*
 * Whether t's index (and its first test by length and end bytes) finds
 * every provider, TLD and crypto word as the entry it is, for tests.
 */
bool cm_dns_tables_complete(const struct cm_dns_tables *t);

/* cm_dns_rep_score with the index t (NULL: the binary searches). */
void cm_dns_rep_score_with(const struct cm_dns_tables *t, const struct cm_dga_model *m,
                           const struct cm_domain *d, struct cm_dns_rep *out);

/*
 * Whether d is a name the reputation model leaves alone: no registered
 * domain, reverse DNS (.arpa), a private namespace (.internal, .local,
 * .localdomain, .lan, .corp, .home, .intranet), or a TLD the suffix list
 * has no rule for (d->unlisted_tld: in no root zone).
 */
bool cm_dns_rep_ignored(const struct cm_domain *d);

/* ---- the reputation detector ------------------------------------------------------------ */

/*
 * Settings of the reputation detector; a zero member takes its documented
 * default (the CM_DNS_REP_* values in dns_reputation.c).
 */
struct cm_dns_rep_tuning {
    int64_t learn_ms;          /* an account's domains seen this long after its first query are
                                  its history, never new (24 h) */
    int64_t new_ms;            /* a domain first seen after learning stays new this long (24 h) */
    int64_t report_ms;         /* one detection per (instance, domain) per this much time (1 h) */
    double min_score;          /* Abused, Bitcoin, Malicious need this score (0.45) */
    double suspicious_score;   /* Suspicious needs this score (0.30) */
    double dga_high;           /* a DGA score this high makes a new domain Malicious (0.95) */
    uint32_t rare_instances;   /* Suspicious only while fewer instances asked (3; at most 5) */
    int64_t domain_ttl_ms;     /* a domain not asked for this long is forgotten (30 d) */
    size_t domain_max_entries; /* memcap of the (account, domain) table (262144) */
    size_t name_max_entries;   /* memcap of the query-name cache (262144) */
    size_t hit_max_entries;    /* memcap of the (instance, new domain) table (32768) */
};

/* What the detector knows of a query besides its name. */
struct cm_dns_rep_context {
    bool listed;        /* an answer address or CNAME target is on a threat list */
    bool mining;        /* ... on a mining list */
    bool nxdomain;      /* the query failed (rcode NXDOMAIN) */
    unsigned instances; /* instances that asked for the site so far */
};

/*
 * The finding type the detector gives a query of a site that is new to the
 * environment, scored rep (cm_dns_rep_score), in context x; NULL when it
 * gives none. t NULL or zero members: the defaults. *score (may be NULL)
 * gets the score with the closeness component. `coalmine dns score
 * --explain` asks it for a name alone (not listed, resolving, one instance).
 */
const char *cm_dns_rep_type(const struct cm_dns_rep *rep, const struct cm_dns_rep_tuning *t,
                            const struct cm_dns_rep_context *x, double *score);

/*
 * Makes the reputation detector's state with tuning t (copied; NULL: every
 * default). The built-in detector's init() calls this. Returns 0, CM_EINVAL
 * (a score outside [0, 1], rare_instances over 5: the sites remember four
 * askers) or CM_ENOMEM.
 */
int cm_dns_reputation_init(void **state, const struct cm_detect_opts *opts,
                           const struct cm_dns_rep_tuning *t);

/* ---- the rebinding detector ------------------------------------------------------------- */

/*
 * Settings of UnauthorizedAccess:EC2/MetadataDNSRebind; a zero member takes
 * its documented default (the CM_DNS_REBIND_* values in dns_rebind.c).
 */
struct cm_dns_rebind_tuning {
    int64_t report_ms;  /* one detection per (instance, name) per this much time (1 h) */
    size_t max_entries; /* memcap of the (instance, name) table (16384) */
    /*
     * More names that may answer with the metadata address (a private zone
     * the owner points there on purpose), each a name and everything under
     * it; NULL-terminated, borrowed. AWS's own names are always allowed.
     */
    const char *const *allowed;
};

/* Makes the rebinding detector's state; as cm_dns_reputation_init. */
int cm_dns_rebind_init(void **state, const struct cm_detect_opts *opts,
                       const struct cm_dns_rebind_tuning *t);

/*
 * Whether d is one of AWS's own names for the instance metadata service
 * (instance-data, instance-data.ec2.internal, anything under ec2.internal or
 * compute.internal) or under one of the allowed names (may be NULL).
 */
bool cm_dns_rebind_aws_name(const struct cm_domain *d, const char *const *allowed);

#endif
