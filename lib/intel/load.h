/*
 * Loading a list file into an intel builder: the one place where the items
 * every format reader finds (intel/format.h) become set entries.
 *
 * - CM_IV_AUTO: an address or CIDR goes to the IP set, "*.name" and names to
 *   the domain set (a listed name covers its subdomains), text with "://" is
 *   taken as a URL.
 * - CM_IV_IP / CM_IV_DOMAIN: the same, but the other kind is a bad record
 *   (a domain item that is an address is taken as an address).
 * - CM_IV_RANGE: the smallest set of CIDRs that covers first..last exactly.
 * - CM_IV_URL: the host. An address host is taken as that address. A name
 *   host is taken as that exact name (not its subdomains), except hosts of
 *   shared services (code hosting, file sharing, URL shorteners, cloud
 *   storage) where a URL names one file among millions of good ones: those
 *   are skipped and counted, never listed.
 * - Addresses and networks that are not publicly routable (private, shared,
 *   loopback, link-local, multicast, reserved) are skipped as bad records,
 *   as GuardDuty ignores them (spec §4.1): such an entry on a threat list
 *   would flag every internal connection.
 * - With shared_guard (the bundle's feeds): addresses and small networks of
 *   the anycast public resolvers, and names that are a public suffix or a
 *   shared-hosting provider's apex (intel/shared_infra.h), are skipped and
 *   counted in shared, never listed.
 *
 * Categories: a list has one (CUSTOM for customer threat lists, the feed's
 * class for managed ones). With CM_CAT_UNKNOWN the category of each item is
 * guessed from the feed's own category text and the value's kind
 * (cm_intel_category_guess). Threat names: the item's, else the list's
 * default.
 */
#ifndef CM_INTEL_LOAD_H
#define CM_INTEL_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "intel/format.h"
#include "intel/indicator.h"
#include "intel/snapshot.h"

struct cm_intel_load_stats {
    uint64_t items;       /* items the reader found */
    uint64_t ip_entries;  /* networks added */
    uint64_t dom_entries; /* names added */
    uint64_t bad;         /* bad records (reader's and ours), each reported */
    uint64_t skipped;     /* items deliberately not taken (shared-service URL hosts, shared) */
    uint64_t shared;      /* of those, shared infrastructure entries (shared_guard) */
};

/* How to load one list. */
struct cm_intel_load_opts {
    uint32_t list;                   /* list id from cm_intel_builder_add_list */
    enum cm_intel_category category; /* CM_CAT_UNKNOWN: guess per item */
    struct cm_str threat_name;       /* default threat name; may be empty */
    struct cm_str source;            /* stored in every indicator; may be empty */
    bool shared_guard;               /* skip shared infrastructure (intel/shared_infra.h) */
    /* Bad records: 1-based line (0 unknown) and reason. May be NULL. */
    void (*bad)(void *ud, uint32_t line, const char *reason);
    void *ud;
};

/*
 * Reads buf with fmt (NULL: sniffed) into b under opts. Fills st (zeroed
 * first). Returns 0 (bad records are counted and reported, not errors),
 * CM_EINVAL when the reader rejects the input as a whole, CM_ENOMEM or
 * CM_E2BIG from the builder (b is then spent).
 */
int cm_intel_load(struct cm_intel_builder *b, const struct cm_intel_format *fmt, const char *buf,
                  size_t len, const struct cm_intel_load_opts *opts,
                  struct cm_intel_load_stats *st);

/*
 * The category a feed's own text suggests ("Tor exit", "C&C", "mining pool",
 * "Phishing", ...), for a value that is an address (is_ip) or a name;
 * MALICIOUS_IP / MALICIOUS_DOMAIN when the text says nothing finer.
 */
enum cm_intel_category cm_intel_category_guess(struct cm_str text, bool is_ip);

/*
 * Covers the inclusive range first..last (same family, first <= last) with
 * the fewest CIDRs, calling fn for each in ascending order. Returns 0,
 * CM_EINVAL (mixed families or first > last) or fn's first non-zero return.
 */
int cm_ip_range_cidrs(const struct cm_ip *first, const struct cm_ip *last,
                      int (*fn)(void *ud, const struct cm_ip *net, unsigned prefix), void *ud);

/*
 * The host of a URL ("scheme://user@host:port/path", or without a scheme):
 * brackets of an IPv6 literal dropped. Returns false when there is none.
 */
bool cm_url_host(struct cm_str url, struct cm_str *host);

#endif
