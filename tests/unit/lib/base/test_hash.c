/*
 * Unit tests for lib/base/hash.h: determinism (also from unaligned
 * addresses and exact-size heap buffers, so ASan catches over-reads), seed
 * sensitivity, every length 0..64 hashing differently, bit-flip avalanche of
 * both the key and the seed, and the spread of 1e5 keys over 1024 buckets
 * (chi-square bound) for the low and the high bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

#define NBUCKETS 1024
#define NKEYS    100000

static int popcount64(uint64_t x)
{
    int n = 0;

    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

/* Small deterministic generator for test keys (splitmix64). */
static uint64_t next_rand(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return cm_hash_mix64(*s);
}

static void fill_rand(unsigned char *p, size_t n, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)next_rand(s);
    }
}

static void test_deterministic(void **state)
{
    const char *key = "arn:aws:iam::111122223333:user/alice";
    size_t n = strlen(key);
    unsigned char raw[80];
    uint64_t h = cm_hash64(key, n, 42);
    (void)state;

    for (int i = 0; i < 10; i++) {
        assert_int_equal(cm_hash64(key, n, 42), h);
    }
    /* Same bytes at every alignment, and copied to an exact-size heap block. */
    for (size_t off = 0; off < 16; off++) {
        memcpy(raw + off, key, n);
        assert_int_equal(cm_hash64(raw + off, n, 42), h);
    }
    for (size_t len = 0; len <= 64; len++) {
        unsigned char *heap = malloc(len ? len : 1);
        uint64_t want;
        assert_non_null(heap);
        memset(raw, 0, sizeof(raw));
        for (size_t i = 0; i < len; i++) {
            raw[i] = (unsigned char)(i * 31 + 7);
        }
        memcpy(heap, raw, len);
        want = cm_hash64(raw, len, 7);
        assert_int_equal(cm_hash64(heap, len, 7), want);
        free(heap);
    }
    /* Bytes after n never matter. */
    memcpy(raw, "abcdefghijklmnopqrstuvwxyz", 26);
    h = cm_hash64(raw, 13, 1);
    raw[13] ^= 0xff;
    raw[20] ^= 0xff;
    assert_int_equal(cm_hash64(raw, 13, 1), h);
    /* A NULL pointer with length 0 is the empty key. */
    assert_int_equal(cm_hash64(NULL, 0, 9), cm_hash64("", 0, 9));
}

static void test_seed(void **state)
{
    const char *keys[] = {"",
                          "a",
                          "ab",
                          "abcdefgh",
                          "abcdefghi",
                          "abcdefghijklmnop",
                          "abcdefghijklmnopq",
                          "10.0.0.1",
                          "ConsoleLogin"};
    const uint64_t seeds[] = {0,
                              1,
                              2,
                              0x8000000000000000ULL,
                              0xffffffffffffffffULL,
                              0xa0761d6478bd642fULL,
                              0xe7037ed1a0b428dbULL,
                              12345};
    const size_t nseeds = sizeof(seeds) / sizeof(seeds[0]);
    (void)state;

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        uint64_t h[sizeof(seeds) / sizeof(seeds[0])];
        for (size_t i = 0; i < nseeds; i++) {
            h[i] = cm_hash64(keys[k], strlen(keys[k]), seeds[i]);
            for (size_t j = 0; j < i; j++) {
                if (h[i] == h[j]) {
                    fail_msg("key '%s': seeds %zu and %zu collide", keys[k], i, j);
                }
            }
        }
    }
}

static void test_lengths(void **state)
{
    unsigned char zeros[64] = {0};
    unsigned char text[64];
    uint64_t hz[65], ht[65];
    (void)state;

    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = (unsigned char)('a' + i % 26);
    }
    for (size_t len = 0; len <= 64; len++) {
        hz[len] = cm_hash64(zeros, len, 0);
        ht[len] = cm_hash64(text, len, 0);
        for (size_t j = 0; j < len; j++) {
            if (hz[len] == hz[j]) {
                fail_msg("zero keys of length %zu and %zu collide", len, j);
            }
            if (ht[len] == ht[j]) {
                fail_msg("prefixes of length %zu and %zu collide", len, j);
            }
        }
        if (len > 0 && hz[len] == ht[len]) {
            fail_msg("zero and text keys of length %zu collide", len);
        }
    }
    /* A key padded with NUL bytes is not its shorter self. */
    assert_int_not_equal(cm_hash64("ab\0\0", 4, 0), cm_hash64("ab", 2, 0));
    assert_int_not_equal(cm_hash64("ab\0", 3, 0), cm_hash64("ab", 2, 0));
}

/* Average number of output bits changed by a one-bit change, over many keys. */
static void check_avalanche(size_t len, int flip_seed)
{
    uint64_t rs = 0x1234 + len;
    unsigned char key[64];
    long total = 0, trials = 0;
    long min_pos = 64 * 1000, max_pos = 0;
    size_t nbits = flip_seed ? 64 : len * 8;
    const int nkeys = 300;
    long *pos = calloc(nbits, sizeof(*pos));

    assert_non_null(pos);
    for (int k = 0; k < nkeys; k++) {
        uint64_t seed = next_rand(&rs);
        uint64_t h0;
        fill_rand(key, len, &rs);
        h0 = cm_hash64(key, len, seed);
        for (size_t b = 0; b < nbits; b++) {
            uint64_t h1;
            int d;
            if (flip_seed) {
                h1 = cm_hash64(key, len, seed ^ (1ULL << b));
            } else {
                key[b / 8] ^= (unsigned char)(1u << (b % 8));
                h1 = cm_hash64(key, len, seed);
                key[b / 8] ^= (unsigned char)(1u << (b % 8));
            }
            d = popcount64(h0 ^ h1);
            if (d == 0) {
                fail_msg("len %zu: flipping bit %zu did not change the hash", len, b);
            }
            pos[b] += d;
            total += d;
            trials++;
        }
    }
    /* Overall mean close to 32; also no input bit position that barely mixes. */
    {
        double mean = (double)total / (double)trials;
        if (mean < 30.0 || mean > 34.0) {
            fail_msg("len %zu%s: mean avalanche %.2f bits", len, flip_seed ? " (seed)" : "", mean);
        }
    }
    for (size_t b = 0; b < nbits; b++) {
        if (pos[b] < min_pos) {
            min_pos = pos[b];
        }
        if (pos[b] > max_pos) {
            max_pos = pos[b];
        }
    }
    if (min_pos < 24L * nkeys || max_pos > 40L * nkeys) {
        fail_msg("len %zu%s: per-bit avalanche between %.2f and %.2f", len,
                 flip_seed ? " (seed)" : "", (double)min_pos / nkeys, (double)max_pos / nkeys);
    }
    free(pos);
}

static void test_avalanche(void **state)
{
    const size_t lens[] = {1, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 64};
    (void)state;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        check_avalanche(lens[i], 0);
    }
    check_avalanche(0, 1);
    check_avalanche(8, 1);
    check_avalanche(20, 1);
}

/*
 * Chi-square of the bucket counts; for 1023 degrees of freedom the mean is
 * 1023 and the standard deviation about 45, so [800, 1300] is a loose
 * bound that a sound hash never leaves and a biased one quickly does.
 */
static double chi_square(const unsigned *count)
{
    double expect = (double)NKEYS / NBUCKETS, chi = 0;

    for (int i = 0; i < NBUCKETS; i++) {
        double d = (double)count[i] - expect;
        chi += d * d / expect;
    }
    return chi;
}

enum key_kind { KEY_TEXT, KEY_U64, KEY_IPV4, KEY_LONG };

static size_t make_key(enum key_kind kind, unsigned i, unsigned char *out)
{
    switch (kind) {
    case KEY_TEXT:
        return (size_t)snprintf((char *)out, 64, "user-%u", i);
    case KEY_U64: {
        uint64_t v = i;
        memcpy(out, &v, 8);
        return 8;
    }
    case KEY_IPV4:
        out[0] = 10;
        out[1] = (unsigned char)(i >> 16);
        out[2] = (unsigned char)(i >> 8);
        out[3] = (unsigned char)i;
        return 4;
    case KEY_LONG:
    default:
        return (size_t)snprintf((char *)out, 64, "arn:aws:iam::111122223333:role/service-role-%08u",
                                i);
    }
}

static void test_distribution(void **state)
{
    static unsigned lo[NBUCKETS], hi[NBUCKETS];
    unsigned char key[64];
    (void)state;

    for (int kind = KEY_TEXT; kind <= KEY_LONG; kind++) {
        double clo, chi;
        memset(lo, 0, sizeof(lo));
        memset(hi, 0, sizeof(hi));
        for (unsigned i = 0; i < NKEYS; i++) {
            size_t n = make_key((enum key_kind)kind, i, key);
            uint64_t h = cm_hash64(key, n, 0x5eed);
            lo[h & (NBUCKETS - 1)]++;
            hi[h >> 54]++;
        }
        clo = chi_square(lo);
        chi = chi_square(hi);
        if (clo < 800 || clo > 1300 || chi < 800 || chi > 1300) {
            fail_msg("key kind %d: chi-square low bits %.1f, high bits %.1f", kind, clo, chi);
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void test_no_collisions(void **state)
{
    uint64_t *h = malloc(2 * NKEYS * sizeof(*h));
    unsigned char key[64];
    (void)state;

    assert_non_null(h);
    for (unsigned i = 0; i < NKEYS; i++) {
        size_t n = make_key(KEY_TEXT, i, key);
        h[i] = cm_hash64(key, n, 0);
        n = make_key(KEY_U64, i, key);
        h[NKEYS + i] = cm_hash64(key, n, 0);
    }
    /* 2e5 random 64-bit values collide with probability about 1e-9. */
    qsort(h, 2 * NKEYS, sizeof(*h), cmp_u64);
    for (unsigned i = 1; i < 2 * NKEYS; i++) {
        if (h[i] == h[i - 1]) {
            fail_msg("two keys share the hash %016llx", (unsigned long long)h[i]);
        }
    }
    free(h);
}

static void test_mix64(void **state)
{
    (void)state;

    /* splitmix64's finaliser: 0 is a fixed point, everything else moves. */
    assert_int_equal(cm_hash_mix64(0), 0);
    assert_int_not_equal(cm_hash_mix64(1), 1);
    assert_int_not_equal(cm_hash_mix64(1), cm_hash_mix64(2));
    /* First output of splitmix64 seeded with 0 (state 0x9e3779b97f4a7c15). */
    assert_int_equal(cm_hash_mix64(0x9e3779b97f4a7c15ULL), 0xe220a8397b1dcdafULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_seed),
        cmocka_unit_test(test_lengths),       cmocka_unit_test(test_avalanche),
        cmocka_unit_test(test_distribution),  cmocka_unit_test(test_no_collisions),
        cmocka_unit_test(test_mix64),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
