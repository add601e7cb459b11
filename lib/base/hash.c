/*
 * cm_hash64: a multiply-fold hash over 8-byte words (in the family of
 * wyhash/mum-hash, written from the idea: 64x64->128 multiply and fold).
 * Not cryptographic; good distribution and fast on short keys.
 */
#include "base/hash.h"

#include <string.h>

static inline uint64_t fold(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
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
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
    uint64_t h = seed ^ k0 ^ (uint64_t)n * k1;
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        h = fold(rd64(p + i) ^ k1 ^ h, rd64(p + i + 8) ^ k0);
    }
    if (i + 8 <= n) {
        h = fold(rd64(p + i) ^ k1, h ^ k0);
        i += 8;
    }
    if (i < n) {
        h = fold(rd_tail(p + i, n - i, n) ^ k0, h ^ k1);
    }
    return cm_hash_mix64(h);
}
