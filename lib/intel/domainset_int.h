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

#include "intel/domainset.h"

#define EXT_COUNTS  0xffffff00u /* record word 1: the counts follow in three words */
#define PAD         16u         /* zero bytes after a name, so label_step may read past it */
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

#define K0 0xa0761d6478bd642fULL
#define K1 0xe7037ed1a0b428dbULL

static inline uint64_t rd64(const char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* The first r bytes (0-8) of a word loaded by rd64. */
static inline uint64_t keep_bytes(size_t r)
{
    static const uint64_t keep[9] = {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        0,
        0xff00000000000000ULL,
        0xffff000000000000ULL,
        0xffffff0000000000ULL,
        0xffffffff00000000ULL,
        0xffffffffff000000ULL,
        0xffffffffffff0000ULL,
        0xffffffffffffff00ULL,
        0xffffffffffffffffULL,
#else
        0,
        0xffULL,
        0xffffULL,
        0xffffffULL,
        0xffffffffULL,
        0xffffffffffULL,
        0xffffffffffffULL,
        0xffffffffffffffULL,
        0xffffffffffffffffULL,
#endif
    };

    return keep[r];
}

/* The high and low halves of a * b, folded: the mixing step of the wyhash family. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * The hash of a suffix, h, extended by the label p[0..n) (n >= 1) before
 * it. Up to 16 bytes it has no branch on the length: it reads the 16 bytes
 * from the label's first and masks what is past the label (the caller pads
 * the name with PAD readable bytes). Label lengths vary from one label to
 * the next, and a mispredicted branch per label cost more than the hashing.
 * One multiply a label, and its result is the suffix's hash: the chained
 * state is folded into the same product, so nothing is left to mix.
 */
static inline uint64_t label_step(uint64_t h, const char *p, size_t n, uint64_t seed2)
{
    size_t i = 0, r, rb;

    h ^= (uint64_t)n * K1;
    for (; n - i > 16; i += 16) {
        h = mum(rd64(p + i) ^ K1 ^ h, rd64(p + i + 8) ^ K0 ^ seed2);
    }
    r = n - i;
    rb = (r - 8) & (0 - (size_t)(r > 8)); /* bytes in the second word */
    return mum((rd64(p + i) & keep_bytes(r - rb)) ^ K1 ^ h,
               (rd64(p + i + 8) & keep_bytes(rb)) ^ K0 ^ seed2);
}

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
    uint64_t c = s->seed, seed2 = s->seed >> 32 | s->seed << 32;
    size_t end = len;

    for (size_t k = nl; k-- > 0;) {
        c = label_step(c, p + starts[k], end - starts[k], seed2);
        hs[k] = c;
        end = starts[k] - 1u;
    }
}

#endif
