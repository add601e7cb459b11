/*
 * What the two halves of the IP sets share (ipset.c builds a set,
 * ipset_lookup.c reads it): the frozen layout and its small helpers.
 * Internal to lib/intel; ipset.c's header comment describes the layout.
 */
#ifndef CM_INTEL_IPSET_INT_H
#define CM_INTEL_IPSET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/hash.h"
#include "intel/ipset.h"

#define EMPTY      0xffffffffu
#define NONE       0xffffffffu
#define MULTI      0x80000000u
#define V4_BUCKETS 65536u
/*
 * A long prefix's key: the low 16 bits of its network, its length - 17, a
 * bit saying up[] is a long prefix (of the same bucket), and the index of
 * its value word in vtab (VI_ESC: in lword). Keys sort as (network, length).
 */
#define KEY_LO(k)  ((k) >> 16)
#define KEY_LEN(k) ((((k) >> 12) & 15) + 17)
#define KEY_VI(k)  ((k)&VI_ESC)
#define UP_LONG    0x800u
#define VI_ESC     0x7ffu

struct slot6 {
    uint64_t hi, lo;
    uint32_t val;
};

struct tab6 {
    struct slot6 *slots;
    uint32_t n; /* slots; 0 when no network has this length */
};

/* A short IPv4 prefix (/0-/16). */
struct short4 {
    uint32_t word; /* value word */
    uint32_t len;
};

/* One /16 of the IPv4 directory. */
struct bucket4 {
    uint32_t off; /* its long prefixes are [off, next bucket's off) */
    uint32_t sh;  /* most specific prefix of /16 or shorter covering it, or NONE */
};

struct cm_ipset {
    uint64_t seed;
    /* IPv4 (all NULL when the set has none) */
    uint64_t *occ;      /* per bucket, bit i: a long prefix overlaps its i-th /22 */
    struct bucket4 *bk; /* V4_BUCKETS + 1 entries; the last one only ends the offsets */
    uint32_t *key;      /* per long prefix, by bucket: see KEY_* */
    uint32_t *vtab;     /* the distinct value words that keys index (at most VI_ESC) */
    uint32_t *lword;    /* per long prefix, its value word; NULL when no key says VI_ESC */
    struct short4 *sh4; /* the short prefixes */
    uint32_t *up;       /* per prefix (long ones, then short ones): the most specific
                           prefix containing it, or NONE */
    size_t nlong;
    /* IPv6 */
    uint64_t len6[3]; /* bit L%64 of word L/64: an IPv6 /L exists */
    struct tab6 t6[129];
    uint32_t *multi;
    size_t nmulti;
    size_t count; /* distinct networks */
    size_t bytes;
};

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
/* The NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): DNS64 and a NAT gateway's NAT64. */
static const uint8_t nat64_prefix[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

/* Whether the first 12 bytes of an IPv6 address embed an IPv4 one in its last 4. */
static inline bool cm_ipset_embeds_v4(const uint8_t *a)
{
    return memcmp(a, mapped_prefix, 12) == 0 || memcmp(a, nat64_prefix, 12) == 0;
}

static inline uint32_t mask4(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static inline void mask6(uint64_t *hi, uint64_t *lo, unsigned len)
{
    if (len <= 64) {
        *hi = len == 0 ? 0 : *hi & (~0ULL << (64 - len));
        *lo = 0;
    } else {
        *lo = len == 128 ? *lo : *lo & ~(~0ULL >> (len - 64));
    }
}

static inline uint64_t rd_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static inline void wr_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static inline uint64_t hash6(uint64_t seed, uint64_t hi, uint64_t lo)
{
    return cm_hash_mix64(cm_hash_mix64(seed ^ hi) ^ lo);
}

/* Maps a hash onto [0, n) without division (n < 2^32). */
static inline uint32_t home(uint64_t h, uint32_t n)
{
    return (uint32_t)(((h >> 32) * n) >> 32);
}

#endif
