/*
 * Seeded 64-bit hashing. Every hash table that can hold attacker-influenced
 * keys is seeded (the seed comes from the caller: lib/ reads no randomness),
 * so a hostile log or list cannot force collisions it did not know the seed for.
 */
#ifndef CM_BASE_HASH_H
#define CM_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Hashes n bytes at p with seed. Stable across runs for the same seed. */
uint64_t cm_hash64(const void *p, size_t n, uint64_t seed);

/* Mixes a 64-bit integer (finaliser of splitmix64). */
static inline uint64_t cm_hash_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* The constants cm_hash64 and cm_hash_label mix with. */
#define CM_HASH_K0 0xa0761d6478bd642fULL
#define CM_HASH_K1 0xe7037ed1a0b428dbULL

/* The high and low halves of a * b, folded: the mixing step of the wyhash family. */
static inline uint64_t cm_hash_mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The 8 bytes at p as a native-endian word. */
static inline uint64_t cm_hash_rd64(const char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* The mask of the first r bytes (0-8) of a word read by cm_hash_rd64. */
static inline uint64_t cm_hash_keep(size_t r)
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

/*
 * Domain-name suffixes, hashed a label at a time from the right: h is the
 * hash of a suffix (the seed for the empty one), and this returns the hash
 * of that suffix with the label p[0..n) before it; seed2 is the seed with
 * its halves swapped. So one right-to-left pass over a name gives the hash
 * of every suffix ("evil.com" is a step of "a.evil.com"), one multiply a
 * label up to 16 bytes. It reads the 16 bytes from p (at least; 16 bytes
 * past the label must be readable) and masks what is past the label, with
 * no branch on the length: label lengths vary from one label to the next,
 * and a mispredicted branch per label cost more than the hashing. Used by
 * the domain indicator sets (lib/intel) and the public suffix set (psl.c).
 */
static inline uint64_t cm_hash_label(uint64_t h, const char *p, size_t n, uint64_t seed2)
{
    const uint64_t k0 = CM_HASH_K0, k1 = CM_HASH_K1;
    size_t i = 0, r, rb;

    h ^= (uint64_t)n * k1;
    for (; n - i > 16; i += 16) {
        h = cm_hash_mum(cm_hash_rd64(p + i) ^ k1 ^ h, cm_hash_rd64(p + i + 8) ^ k0 ^ seed2);
    }
    r = n - i;
    rb = (r - 8) & (0 - (size_t)(r > 8)); /* bytes in the second word */
    return cm_hash_mum((cm_hash_rd64(p + i) & cm_hash_keep(r - rb)) ^ k1 ^ h,
                       (cm_hash_rd64(p + i + 8) & cm_hash_keep(rb)) ^ k0 ^ seed2);
}

/* The seed2 of cm_hash_label for seed. */
static inline uint64_t cm_hash_seed2(uint64_t seed)
{
    return seed >> 32 | seed << 32;
}

#endif
