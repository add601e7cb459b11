/*
 * The tests' pseudo-random generator: Marsaglia's xorshift64 (13, 7, 17).
 * Each test file keeps its own state, seeded with a constant, so its
 * sequence (and every set and query it draws) is the same on every run.
 */
#ifndef CM_TEST_XORSHIFT_H
#define CM_TEST_XORSHIFT_H

#include <stdint.h>

/* Steps *state (never 0) and returns the new value. */
static inline uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif
