/*
 * cm_hash64: a multiply-fold hash over 8-byte words (in the family of
 * wyhash/mum-hash, written from the idea: 64x64->128 multiply and fold).
 * Not cryptographic; good distribution and fast on short keys.
 */
#include "base/hash.h"

#include <string.h>

/* The 8 bytes at p (cm_hash_rd64, for the unsigned bytes read here). */
static inline uint64_t rd64(const unsigned char *p)
{
    return cm_hash_rd64((const char *)p);
}

static inline uint64_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The last 1-8 bytes as one word, without a variable-length copy. */
static inline uint64_t rd_tail(const unsigned char *p, size_t n, size_t total)
{
    if (total >= 8) {
        return rd64(p + n - 8); /* overlaps bytes already mixed: fine for a hash */
    }
    if (n >= 4) {
        return rd32(p) | (rd32(p + n - 4) << 32);
    }
    return ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
}

uint64_t cm_hash64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    const uint64_t k0 = CM_HASH_K0, k1 = CM_HASH_K1;
    uint64_t h = seed ^ k0 ^ (uint64_t)n * k1;
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        h = cm_hash_mum(rd64(p + i) ^ k1 ^ h, rd64(p + i + 8) ^ k0);
    }
    if (i + 8 <= n) {
        h = cm_hash_mum(rd64(p + i) ^ k1, h ^ k0);
        i += 8;
    }
    if (i < n) {
        h = cm_hash_mum(rd_tail(p + i, n - i, n) ^ k0, h ^ k1);
    }
    return cm_hash_mix64(h);
}
