/*
 * Domain indicator sets: exact names and suffix rules.
 *
 * Every name is normalised before it is stored or looked up: ASCII letters
 * folded to lowercase, one trailing dot dropped, then validated (1-253
 * bytes, labels of 1-63 bytes, only letters, digits, '-' and '_'). IDNA names
 * are taken in their ASCII (punycode, "xn--") form like any other label;
 * raw non-ASCII bytes are invalid. An invalid name is CM_EINVAL when added
 * and never matches when looked up.
 *
 * Rules (issue #4):
 *   SUBTREE     "evil.com": evil.com itself and every name under it
 *   SUBDOMAINS  "*.evil.com": every name under evil.com, not evil.com itself
 *   EXACT       evil.com only (for callers that know an entry is a host)
 * cm_domainset_builder_add_text() takes "*.name" as SUBDOMAINS and any other
 * name as SUBTREE. A name may carry several rules and values; duplicates of
 * one (name, rule, value) are one.
 *
 * A lookup hashes every suffix of the query in one pass (seeded), tests
 * them against a cache-resident Bloom filter and reads the set only for the
 * ones that pass; it reports the longest listed suffix whose rules apply at
 * that depth (EXACT/SUBTREE for the whole name, SUBTREE/SUBDOMAINS for a
 * proper suffix). A frozen struct cm_domainset is immutable and safe to
 * read from many threads. See docs/internals/intel.md.
 */
#ifndef CM_INTEL_DOMAINSET_H
#define CM_INTEL_DOMAINSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Longest name in bytes, without the trailing dot. */
#define CM_DOMAIN_MAX 253
/* Longest label. */
#define CM_DOMAIN_LABEL_MAX 63
/* Largest value a set stores. */
#define CM_DOMAINSET_VAL_MAX 0xfffffffeu
/* Most suffixes a valid name has (labels are at least one byte). */
#define CM_DOMAINSET_MAX_MATCHES 127

enum cm_domain_rule {
    CM_DOMAIN_EXACT = 0,
    CM_DOMAIN_SUBTREE = 1,
    CM_DOMAIN_SUBDOMAINS = 2,
};

struct cm_domainset_builder;
struct cm_domainset;

/* One matching listed name. */
struct cm_domainset_match {
    struct cm_str name;   /* the listed name (normalised; lives with the set) */
    unsigned rules;       /* bit (1 << CM_DOMAIN_*) for each rule that applied */
    const uint32_t *vals; /* values of the applying rules: ascending within a rule */
    size_t nvals;         /* >= 1; a value listed under two rules appears twice */
};

/*
 * Normalises name into out (at least CM_DOMAIN_MAX bytes, not NUL-terminated)
 * and sets *len. Returns 0 or CM_EINVAL.
 */
int cm_domain_normalize(struct cm_str name, char *out, size_t *len);

/* Creates an empty builder hashing with seed. Returns 0 or CM_ENOMEM. */
int cm_domainset_builder_create(struct cm_domainset_builder **out, uint64_t seed);

/* Frees a builder; NULL is a no-op. */
void cm_domainset_builder_destroy(struct cm_domainset_builder *b);

/*
 * Adds name (without "*.") under rule with val. Returns 0; CM_EINVAL for an
 * invalid name or rule or val over CM_DOMAINSET_VAL_MAX; CM_E2BIG when the
 * builder's name bytes would pass 4 GiB; CM_ENOMEM (nothing added).
 */
int cm_domainset_builder_add(struct cm_domainset_builder *b, struct cm_str name,
                             enum cm_domain_rule rule, uint32_t val);

/* Adds "*.name" as SUBDOMAINS, any other name as SUBTREE. Same returns. */
int cm_domainset_builder_add_text(struct cm_domainset_builder *b, struct cm_str text, uint32_t val);

/* Entries added so far (before merging duplicates). */
size_t cm_domainset_builder_count(const struct cm_domainset_builder *b);

/*
 * Builds the immutable set and empties the builder (it may be reused or
 * destroyed). Returns 0 or CM_ENOMEM; on error the builder keeps its contents
 * and *out is NULL.
 */
int cm_domainset_freeze(struct cm_domainset_builder *b, struct cm_domainset **out);

/* Frees a frozen set; NULL is a no-op. */
void cm_domainset_destroy(struct cm_domainset *s);

/*
 * The most specific listed suffix of name that applies: fills *m and returns
 * true, or returns false (also for an invalid name). s may be NULL.
 */
bool cm_domainset_lookup(const struct cm_domainset *s, struct cm_str name,
                         struct cm_domainset_match *m);

/*
 * cm_domainset_lookup for a name the caller has normalised and checked:
 * name[0..len) is what cm_domain_normalize makes of a valid name (lowercase,
 * no trailing dot, 1-253 bytes, labels of 1-63 bytes of [a-z0-9_-]),
 * followed by at least 16 readable bytes (base/domain.h's struct cm_domain
 * has them, and its host flag says a name is such a one). It skips the
 * normalising, not the checks' outcome: the answers are cm_domainset_lookup's.
 */
bool cm_domainset_lookup_norm(const struct cm_domainset *s, const char *name, size_t len,
                              struct cm_domainset_match *m);

/*
 * Looks up names[0..n) as cm_domainset_lookup would: found[i] is whether
 * names[i] matched, and m[i] is filled when it did. It gives the same
 * answers, faster when the set is larger than the CPU's caches: the reads
 * for a group of names are in flight together, where single lookups wait
 * for each in turn. s may be NULL.
 */
void cm_domainset_lookup_batch(const struct cm_domainset *s, const struct cm_str *names, size_t n,
                               struct cm_domainset_match *m, bool *found);

/*
 * cm_domainset_lookup_batch for names the caller has normalised and checked,
 * each in cm_domainset_lookup_norm's terms (16 readable bytes past its end):
 * the same answers without normalising them again.
 */
void cm_domainset_lookup_batch_norm(const struct cm_domainset *s, const struct cm_str *names,
                                    size_t n, struct cm_domainset_match *m, bool *found);

/*
 * Every applying listed suffix, most specific first: writes at most max to
 * out and returns how many there are.
 */
size_t cm_domainset_lookup_all(const struct cm_domainset *s, struct cm_str name,
                               struct cm_domainset_match *out, size_t max);

/* Distinct names in the set. */
size_t cm_domainset_count(const struct cm_domainset *s);

/* Bytes held by the set. */
size_t cm_domainset_bytes(const struct cm_domainset *s);

#endif
