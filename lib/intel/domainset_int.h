/*
 * What the two halves of the domain sets share (domainset.c builds a set,
 * domainset_lookup.c reads it): the frozen layout, the Bloom test and the
 * record accessors. Internal to lib/intel; see domainset.c for the layout.
 */
#ifndef CM_INTEL_DOMAINSET_INT_H
#define CM_INTEL_DOMAINSET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/hash.h"
#include "intel/domainset.h"

#define EXT_COUNTS  0xffffff00u /* record word 1: the counts follow in three words */
#define PAD         16u         /* zero bytes after a name, so cm_hash_label may read past it */
#define BLOCK_WORDS 8u          /* a Bloom block: 512 bits */

struct cm_domainset {
    uint64_t seed;
    uint32_t nb;     /* buckets; 0 for an empty set */
    uint32_t nblk;   /* Bloom blocks */
    uint64_t *bloom; /* nblk * BLOCK_WORDS words, from a 64-byte boundary in bloom_mem */
    uint64_t *bloom_mem;
    uint32_t *off; /* nb + 1 record offsets, in words */
    uint32_t *recs;
    size_t count; /* distinct names */
    size_t bytes;
};

/* Maps a hash onto [0, n) without division. */
static inline uint32_t home(uint64_t h, uint32_t n)
{
    return (uint32_t)(((h >> 32) * n) >> 32);
}

/* The Bloom block of a name whose last-two-labels hash is h. */
static inline const uint64_t *block_of(const struct cm_domainset *s, uint64_t h)
{
    return s->bloom + (size_t)home(h, s->nblk) * BLOCK_WORDS;
}

/* Bit i of a 512-bit block. */
#define BIT(blk, i) ((blk)[(i) >> 6] & (1ULL << ((i)&63)))

static inline bool bloom_test(const uint64_t *blk, uint64_t h)
{
    unsigned a = (unsigned)h & 511, b = (unsigned)(h >> 9) & 511, c = (unsigned)(h >> 18) & 511,
             d = (unsigned)(h >> 27) & 511;

    /* All four loads, then one test: a branch per bit would mispredict about once a probe. */
    return (BIT(blk, a) != 0) & (BIT(blk, b) != 0) & (BIT(blk, c) != 0) & (BIT(blk, d) != 0);
}

static inline uint32_t tag_of(uint64_t h)
{
    return (uint32_t)(h >> 24);
}

/* --- records ------------------------------------------------------------------ */

static inline size_t rec_len(const uint32_t *r)
{
    return r[1] & 0xff;
}

/* Words before the name: tag, length word and, for large counts, three more. */
static inline size_t rec_head(const uint32_t *r)
{
    return (r[1] & EXT_COUNTS) == EXT_COUNTS ? 5 : 2;
}

static inline const char *rec_name(const uint32_t *r)
{
    return (const char *)(r + rec_head(r));
}

static inline void rec_counts(const uint32_t *r, uint32_t cnt[3])
{
    if ((r[1] & EXT_COUNTS) == EXT_COUNTS) {
        memcpy(cnt, r + 2, 3 * sizeof(*cnt));
        return;
    }
    cnt[0] = (r[1] >> 8) & 0xff;
    cnt[1] = (r[1] >> 16) & 0xff;
    cnt[2] = r[1] >> 24;
}

static inline size_t name_words(size_t len)
{
    return (len + 3) / 4;
}

static inline const uint32_t *rec_vals(const uint32_t *r)
{
    return r + rec_head(r) + name_words(rec_len(r));
}

/* Whether counts need the three extra words (each fits the length word's bytes below 255). */
static inline bool counts_ext(const uint32_t cnt[3])
{
    return cnt[0] >= 255 || cnt[1] >= 255 || cnt[2] >= 255;
}

static inline size_t rec_words_for(size_t len, const uint32_t cnt[3])
{
    return (counts_ext(cnt) ? 5 : 2) + name_words(len) + (size_t)cnt[0] + cnt[1] + cnt[2];
}

static inline size_t rec_words(const uint32_t *r)
{
    uint32_t w = r[1];

    if ((w & EXT_COUNTS) == EXT_COUNTS) {
        return 5 + name_words(w & 0xff) + (size_t)r[2] + r[3] + r[4];
    }
    return 2 + name_words(w & 0xff) + ((w >> 8) & 0xff) + ((w >> 16) & 0xff) + (w >> 24);
}

/*
 * Normalises name into out and sets *len; with starts != NULL also records
 * where each label starts (*nl of them, at most CM_DOMAINSET_MAX_MATCHES).
 * Returns 0 or CM_EINVAL.
 */
int cm_domainset_split(struct cm_str name, char *out, size_t *len, uint8_t *starts, size_t *nl);

/*
 * For a query name cm_domainset_split refuses because a label is not a host
 * name's (a Resolver log's \032 or \. escape, '*', base64's '+' or '/',
 * a label over 63 bytes): normalises name into out as cm_domainset_split
 * would and finds the labels right of the last such label, which a listed
 * domain they end in still names (whoever answers for a domain answers for
 * any label under it). *base gets where they start in out, *len their bytes,
 * starts[0 .. *nl) where each of their labels starts, relative to *base.
 * CM_EINVAL when cm_domain_fold refuses the name or its last label is not a
 * host name's. A match there is one of a proper suffix, never of the name.
 */
int cm_domainset_split_tail(struct cm_str name, char *out, size_t *base, size_t *len,
                            uint8_t *starts, size_t *nl);

/*
 * The hash of every suffix of normalised name p[0..len) (followed by PAD
 * readable bytes), whose nl labels start at starts[]: hs[k] for the suffix
 * from label k. Seeded: the chain starts from the set's seed and every step
 * folds in its other half. The hash of "evil.com" is a step of the hash of
 * "a.evil.com", so one pass gives every suffix.
 */
static inline void cm_domainset_hashes(const struct cm_domainset *s, const char *p, size_t len,
                                       const uint8_t *starts, size_t nl, uint64_t *hs)
{
    uint64_t c = s->seed, seed2 = cm_hash_seed2(s->seed);
    size_t end = len;

    for (size_t k = nl; k-- > 0;) {
        c = cm_hash_label(c, p + starts[k], end - starts[k], seed2);
        hs[k] = c;
        end = starts[k] - 1u;
    }
}

#endif
