/*
 * IP indicator sets: longest-prefix match over IPv4 and IPv6 networks.
 *
 * A struct cm_ipset_builder collects (network, prefix length, value) triples;
 * a single address is a /32 or /128. Values are uint32 ids the caller gives
 * meaning to (the snapshot uses indicator ids), at most CM_IPSET_VAL_MAX.
 * Adding the same network twice keeps every distinct value: a match reports
 * all of them, ascending, without repeats (the same triple twice is one).
 * cm_ipset_freeze() turns the builder into an immutable struct cm_ipset,
 * which any number of threads may read at once.
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, and networks ::ffff:0:0/96 and longer)
 * and the NAT64 well-known prefix (64:ff9b::a.b.c.d, RFC 6052: what DNS64
 * answers and an IPv6-only instance's flow records show for an IPv4 host it
 * reaches through a NAT gateway) are IPv4 both when added and when looked up,
 * so ::ffff:192.0.2.1 and 64:ff9b::192.0.2.1 match 192.0.2.0/24. Other IPv6
 * networks never match IPv4 addresses (::/0 is not 0.0.0.0/0).
 *
 * The frozen IPv4 set is a directory of the 65536 /16s over sorted 32-bit
 * keys of the longer prefixes, with a link from each prefix to the one that
 * contains it: a lookup is a directory load, usually answered there, else a
 * short branch-free search in one cache line. IPv6 keeps one open-addressing
 * hash table per prefix length, probed longest first, hashed with the
 * caller's seed. Memory, speed and the reasons are in
 * docs/internals/intel.md.
 */
#ifndef CM_INTEL_IPSET_H
#define CM_INTEL_IPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip.h"
#include "base/str.h"

/* Largest value a set stores. */
#define CM_IPSET_VAL_MAX 0x7ffffffeu
/* Most prefixes one address can match (IPv6: /0 to /128). */
#define CM_IPSET_MAX_MATCHES 129

struct cm_ipset_builder;
struct cm_ipset;

/* One matching network and its values (pointing into the frozen set). */
struct cm_ipset_match {
    struct cm_ip net;     /* the network, host bits zero (IPv4 for mapped entries) */
    unsigned prefix;      /* its length */
    const uint32_t *vals; /* distinct values, ascending */
    size_t nvals;         /* >= 1 */
};

/* Creates an empty builder hashing with seed. Returns 0 or CM_ENOMEM. */
int cm_ipset_builder_create(struct cm_ipset_builder **out, uint64_t seed);

/* Frees a builder; NULL is a no-op. */
void cm_ipset_builder_destroy(struct cm_ipset_builder *b);

/*
 * Adds net/prefix with val. Host bits of net are ignored. Returns 0;
 * CM_EINVAL for a family other than V4/V6, a prefix longer than the family
 * or val over CM_IPSET_VAL_MAX; CM_ENOMEM (nothing added).
 */
int cm_ipset_builder_add(struct cm_ipset_builder *b, const struct cm_ip *net, unsigned prefix,
                         uint32_t val);

/* Parses "addr" or "addr/len" (cm_cidr_parse) and adds it. Same returns. */
int cm_ipset_builder_add_text(struct cm_ipset_builder *b, struct cm_str cidr, uint32_t val);

/* Triples added so far (before merging duplicates). */
size_t cm_ipset_builder_count(const struct cm_ipset_builder *b);

/*
 * Builds the immutable set from everything added and empties the builder
 * (it may be reused or destroyed). Returns 0, CM_E2BIG when the duplicate
 * values do not fit the value encoding, or CM_ENOMEM; on error the builder
 * keeps its contents and *out is NULL.
 */
int cm_ipset_freeze(struct cm_ipset_builder *b, struct cm_ipset **out);

/* Frees a frozen set; NULL is a no-op. */
void cm_ipset_destroy(struct cm_ipset *s);

/*
 * Longest-prefix match: fills *m with the most specific network containing
 * ip and returns true, or returns false (also for CM_IP_NONE). s may be NULL
 * (an empty set).
 */
bool cm_ipset_lookup(const struct cm_ipset *s, const struct cm_ip *ip, struct cm_ipset_match *m);

/*
 * Looks up ips[0..n) as cm_ipset_lookup would: found[i] is whether ips[i]
 * matched, and m[i] is filled when it did. The same answers, faster over a
 * set larger than the caches: the reads for a group of addresses are in
 * flight together. s may be NULL.
 */
void cm_ipset_lookup_batch(const struct cm_ipset *s, const struct cm_ip *ips, size_t n,
                           struct cm_ipset_match *m, bool *found);

/*
 * Every network containing ip, most specific first: writes at most max of
 * them to out and returns how many there are (can exceed max).
 */
size_t cm_ipset_lookup_all(const struct cm_ipset *s, const struct cm_ip *ip,
                           struct cm_ipset_match *out, size_t max);

/* Distinct networks in the set. */
size_t cm_ipset_count(const struct cm_ipset *s);

/* Bytes held by the set. */
size_t cm_ipset_bytes(const struct cm_ipset *s);

#endif
