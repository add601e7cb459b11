/*
 * Seeded 64-bit hashing. Every hash table that can hold attacker-influenced
 * keys is seeded (the seed comes from the caller: lib/ reads no randomness),
 * so a hostile log or list cannot force collisions it did not know the seed for.
 */
#ifndef CM_BASE_HASH_H
#define CM_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
