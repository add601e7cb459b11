/*
 * xoshiro256** and splitmix64, written from the published algorithms
 * (https://prng.di.unimi.it/). State is never all zero because splitmix64
 * fills it; the derive function folds each naming integer through the
 * splitmix64 finaliser so neighbouring streams are uncorrelated.
 */
#include "gen/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    uint64_t x = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));

    return splitmix64(&x);
}

void cm_gen_rng_seed(struct cm_gen_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    int i;

    for (i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

uint64_t cm_gen_hash4(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return mix(mix(mix(mix(0x636f616c6d696e65ULL, seed), a), b), c);
}

void cm_gen_rng_derive(struct cm_gen_rng *r, uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    cm_gen_rng_seed(r, cm_gen_hash4(seed, a, b, c));
}

uint32_t cm_gen_rng_count(struct cm_gen_rng *r, double mean)
{
    double v;
    uint32_t n;

    if (mean <= 0.0) {
        return 0;
    }
    v = mean * (0.5 + cm_gen_rng_unit(r));
    if (v > 4.0e9) {
        return 4000000000u;
    }
    n = (uint32_t)v;
    if (cm_gen_rng_unit(r) < v - (double)n) {
        n++;
    }
    return n;
}

void cm_gen_rng_hex(struct cm_gen_rng *r, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t bits = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (i % 16 == 0) {
            bits = cm_gen_rng_next(r);
        }
        out[i] = hex[bits & 15];
        bits >>= 4;
    }
}

void cm_gen_rng_chars(struct cm_gen_rng *r, char *out, size_t n, const char *alphabet, size_t alen)
{
    size_t i;

    for (i = 0; i < n; i++) {
        out[i] = alphabet[cm_gen_rng_below(r, (uint32_t)alen)];
    }
}

void cm_gen_rng_uuid(struct cm_gen_rng *r, char *out)
{
    char h[32];
    size_t i, j = 0;

    cm_gen_rng_hex(r, h, 32);
    h[12] = '4';
    h[16] = "89ab"[h[16] & 3];
    for (i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            out[j++] = '-';
        }
        out[j++] = h[i];
    }
}
