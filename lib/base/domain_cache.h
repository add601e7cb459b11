/*
 * A cache of cm_domain_parse_psl's answers, keyed by the name as logged.
 * A host asks the same few hundred names over and over: normalising a name
 * and finding its public suffix costs about 800 instructions, finding it
 * here about 100. Direct-mapped and seeded; one per thread (it is not
 * thread-safe). Only names that parse and are at most
 * CM_DOMAIN_CACHE_NAME bytes long as logged are kept.
 */
#ifndef CM_BASE_DOMAIN_CACHE_H
#define CM_BASE_DOMAIN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/domain.h"
#include "base/str.h"

/* The longest name (as logged) a cache keeps. */
#define CM_DOMAIN_CACHE_NAME 64

struct cm_domain_cache;

/*
 * Creates a cache of slots entries (rounded up to a power of two, at least
 * 16; about 160 bytes each) whose hash is keyed by seed. Returns 0 or
 * CM_ENOMEM.
 */
int cm_domain_cache_create(struct cm_domain_cache **out, size_t slots, uint64_t seed);

/* Frees a cache; NULL is a no-op. */
void cm_domain_cache_destroy(struct cm_domain_cache *c);

/*
 * cm_domain_parse_psl(set, name, d): the same return value and the same *d
 * (its name up to the NUL, len, reg, sfx, private_suffix, labels, host),
 * from c when it holds name for set, else parsed and kept. c NULL: no cache.
 */
int cm_domain_parse_cached(struct cm_domain_cache *c, const struct cm_psl *set, struct cm_str name,
                           struct cm_domain *d);

#endif
