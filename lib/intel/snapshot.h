/*
 * Intel snapshots: every loaded list's indicators, immutable once built and
 * shared read-only by any number of threads (DESIGN.md §2: "immutable
 * refcounted snapshots swapped on reload").
 *
 * A struct cm_intel_builder collects lists (struct cm_intel_list) and their
 * IP/CIDR and domain entries, each with its indicator metadata. Metadata is
 * interned: entries whose (list, category, threat name, source) are equal
 * share one struct cm_indicator, and the IP and domain sets store only its
 * id. cm_intel_builder_build() freezes one IP set and one domain set for
 * THREAT lists and one of each for TRUSTED lists into a snapshot holding one
 * reference. cm_intel_snapshot_ref()/_unref() count references atomically;
 * the last unref frees it. Swapping the current snapshot is src/'s business.
 *
 * Queries follow spec §4.3: trusted wins. An IP or domain on a trusted list
 * is TRUSTED (and carries the trusted match) even when a threat list also
 * has it. Which trusted lists apply to which finding source (IP lists are
 * not used for DNS findings, spec §4.1) is for the caller to decide from
 * the list table. See docs/internals/intel.md.
 */
#ifndef CM_INTEL_SNAPSHOT_H
#define CM_INTEL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/ip.h"
#include "base/str.h"
#include "intel/domainset.h"
#include "intel/indicator.h"

/* Longest threat name or source string of an indicator, in bytes. */
#define CM_INTEL_STR_MAX 1024

enum cm_intel_verdict {
    CM_INTEL_NONE = 0,
    CM_INTEL_THREAT,
    CM_INTEL_TRUSTED,
};

struct cm_intel_builder;
struct cm_intel_snapshot;

/* What a check found; pointers live as long as the snapshot. */
struct cm_intel_match {
    enum cm_intel_verdict verdict;
    const struct cm_indicator *ind; /* the first (lowest id) indicator */
    const uint32_t *ids;            /* every indicator id of the match */
    size_t nids;
    struct cm_ip net;     /* IP checks: the matching network */
    unsigned prefix;      /* and its length */
    struct cm_str domain; /* domain checks: the listed name that matched */
    unsigned rules;       /* and its rules (bits 1 << CM_DOMAIN_*) */
};

/* Creates an empty builder; seed keys every hash table. Returns 0 or CM_ENOMEM. */
int cm_intel_builder_create(struct cm_intel_builder **out, uint64_t seed);

/* Frees a builder; NULL is a no-op. */
void cm_intel_builder_destroy(struct cm_intel_builder *b);

/*
 * Adds a list (its strings are copied) and sets *id to its index in the
 * list table. Returns 0; CM_EEXIST when a list of that name exists;
 * CM_EINVAL for an empty name or unknown kind; CM_ENOMEM.
 */
int cm_intel_builder_add_list(struct cm_intel_builder *b, const struct cm_intel_list *list,
                              uint32_t *id);

/*
 * Adds net/prefix with the metadata in ind (ind->list names a list added
 * before; the strings are copied). Returns 0; CM_EINVAL for a bad network,
 * unknown list or category, or a string over CM_INTEL_STR_MAX; CM_ENOMEM.
 */
int cm_intel_builder_add_ip(struct cm_intel_builder *b, const struct cm_ip *net, unsigned prefix,
                            const struct cm_indicator *ind);

/* Adds a domain ("name" or "*.name", see domainset.h). Same returns. */
int cm_intel_builder_add_domain(struct cm_intel_builder *b, struct cm_str text,
                                const struct cm_indicator *ind);

/* Adds a domain name under one rule (EXACT, SUBTREE or SUBDOMAINS). Same returns. */
int cm_intel_builder_add_domain_rule(struct cm_intel_builder *b, struct cm_str name,
                                     enum cm_domain_rule rule, const struct cm_indicator *ind);

/* Adds text that is an address, a CIDR or a domain, whichever it parses as. Same returns. */
int cm_intel_builder_add_text(struct cm_intel_builder *b, struct cm_str text,
                              const struct cm_indicator *ind);

/*
 * Builds the snapshot (one reference, owned by the caller). Returns 0,
 * CM_E2BIG or CM_ENOMEM. Either way the builder is spent: destroy it.
 */
int cm_intel_builder_build(struct cm_intel_builder *b, struct cm_intel_snapshot **out);

/* Takes a reference; returns s. Any thread. */
struct cm_intel_snapshot *cm_intel_snapshot_ref(struct cm_intel_snapshot *s);

/* Drops a reference; the last one frees the snapshot. NULL is a no-op. */
void cm_intel_snapshot_unref(struct cm_intel_snapshot *s);

/* Number of lists; the list with index id (id below that count). */
size_t cm_intel_snapshot_nlists(const struct cm_intel_snapshot *s);
const struct cm_intel_list *cm_intel_snapshot_list(const struct cm_intel_snapshot *s, uint32_t id);

/* Number of interned indicators; the indicator with index id. */
size_t cm_intel_snapshot_nindicators(const struct cm_intel_snapshot *s);
const struct cm_indicator *cm_intel_snapshot_indicator(const struct cm_intel_snapshot *s,
                                                       uint32_t id);

/* Bytes held by the snapshot (sets, tables and strings). */
size_t cm_intel_snapshot_bytes(const struct cm_intel_snapshot *s);

/*
 * Checks ip (IPv4-mapped IPv6 as IPv4): TRUSTED when a trusted list has a
 * network containing it, else THREAT with the most specific threat network,
 * else NONE. Fills *m when m is not NULL (zeroed for NONE).
 */
enum cm_intel_verdict cm_intel_check_ip(const struct cm_intel_snapshot *s, const struct cm_ip *ip,
                                        struct cm_intel_match *m);

/* The same for a domain name (invalid names are NONE). */
enum cm_intel_verdict cm_intel_check_domain(const struct cm_intel_snapshot *s, struct cm_str name,
                                            struct cm_intel_match *m);

/*
 * The same for a name normalised and checked by the caller, with 16
 * readable bytes after it (cm_domainset_lookup_norm's terms).
 */
enum cm_intel_verdict cm_intel_check_domain_norm(const struct cm_intel_snapshot *s,
                                                 const char *name, size_t len,
                                                 struct cm_intel_match *m);

/*
 * Whether a threat list has ip (name), trusted lists aside: what a TRUSTED
 * answer hid, into *m (THREAT; may be NULL) when it does. The scan counts the
 * threat-list matches trusted lists suppress.
 */
bool cm_intel_threat_has_ip(const struct cm_intel_snapshot *s, const struct cm_ip *ip,
                            struct cm_intel_match *m);
bool cm_intel_threat_has_domain(const struct cm_intel_snapshot *s, struct cm_str name);

/* Names or addresses cm_intel_check_domains and cm_intel_check_ips look up together. */
#define CM_INTEL_BATCH 64

/*
 * cm_intel_check_domain for names[0..n) at once, into m[i] (m[i].verdict is
 * the verdict): the same answers, faster over large sets, as the sets'
 * memory reads for a group of names overlap (cm_domainset_lookup_batch).
 */
void cm_intel_check_domains(const struct cm_intel_snapshot *s, const struct cm_str *names, size_t n,
                            struct cm_intel_match *m);

/* The same for names normalised by the caller (cm_intel_check_domain_norm's terms). */
void cm_intel_check_domains_norm(const struct cm_intel_snapshot *s, const struct cm_str *names,
                                 size_t n, struct cm_intel_match *m);

/* cm_intel_check_ip for ips[0..n) at once, likewise (cm_ipset_lookup_batch). */
void cm_intel_check_ips(const struct cm_intel_snapshot *s, const struct cm_ip *ips, size_t n,
                        struct cm_intel_match *m);

#endif
