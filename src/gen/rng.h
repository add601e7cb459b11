/*
 * Deterministic pseudo-random numbers for the log generator.
 *
 * xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64. Every
 * output file gets its own stream derived from (seed, kind, unit, window), so
 * a file's content depends only on those values and files can be built in
 * any order or in parallel with byte-identical results. Nothing here uses
 * libm or the C library's rand(): results are the same on every platform.
 * A struct cm_gen_rng is plain state owned by its user; it has no lifecycle.
 */
#ifndef CM_GEN_RNG_H
#define CM_GEN_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cm_gen_rng {
    uint64_t s[4];
};

/* Seeds r from one 64-bit value. */
void cm_gen_rng_seed(struct cm_gen_rng *r, uint64_t seed);

/* Seeds r from a seed and three integers naming a sub-stream. */
void cm_gen_rng_derive(struct cm_gen_rng *r, uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* A stateless 64-bit hash of (seed, a, b, c), for functional decisions. */
uint64_t cm_gen_hash4(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

static inline uint64_t cm_gen_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits. */
static inline uint64_t cm_gen_rng_next(struct cm_gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = cm_gen_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = cm_gen_rng_rotl(s[3], 45);
    return result;
}

/* Uniform integer in [0, n); n == 0 gives 0 (Lemire's multiply-shift). */
static inline uint32_t cm_gen_rng_below(struct cm_gen_rng *r, uint32_t n)
{
    return (uint32_t)(((cm_gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi] (hi >= lo). */
static inline uint32_t cm_gen_rng_range(struct cm_gen_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + cm_gen_rng_below(r, hi - lo + 1);
}

/* Uniform double in [0, 1). */
static inline double cm_gen_rng_unit(struct cm_gen_rng *r)
{
    return (double)(cm_gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* True with probability p. */
static inline bool cm_gen_rng_chance(struct cm_gen_rng *r, double p)
{
    return cm_gen_rng_unit(r) < p;
}

/*
 * A count whose mean is mean: mean scaled by a uniform factor in [0.5, 1.5),
 * with the fractional part resolved randomly. Cheap and libm-free; good
 * enough for "about this many events per window".
 */
uint32_t cm_gen_rng_count(struct cm_gen_rng *r, double mean);

/* Writes n random lowercase hex digits to out (no NUL). */
void cm_gen_rng_hex(struct cm_gen_rng *r, char *out, size_t n);

/* Writes n random characters from alphabet (of length alen) to out (no NUL). */
void cm_gen_rng_chars(struct cm_gen_rng *r, char *out, size_t n, const char *alphabet, size_t alen);

/* Writes a version-4 UUID (36 characters, lowercase, no NUL) to out. */
void cm_gen_rng_uuid(struct cm_gen_rng *r, char *out);

#endif
