/*
 * IP set lookups: one address at a time (walk) and many at once (batch),
 * over the frozen layout ipset.c builds (ipset_int.h).
 */
#include "intel/ipset.h"

#include <string.h>

#include "intel/ipset_int.h"

/*
 * The most specific IPv4 prefix containing a, or NONE. A bucket's /22
 * bitmap answers most misses. The search for the last key of the bucket at
 * or below a's is branch free: bucket sizes vary, and a mispredicted loop
 * exit would throw away the work of the lookups the CPU runs ahead. Up to
 * 32 keys (a random million puts 15 in a bucket) take five fixed steps with
 * reads clamped to the bucket; larger buckets are first halved down to 32.
 */
static uint32_t best4(const struct cm_ipset *s, uint32_t a)
{
    const struct bucket4 *bk = &s->bk[a >> 16];
    uint32_t lo = a & 0xffff, x = (a << 16) | 0xffff, first, n, j = 0;
    const uint32_t *k;

    if (((s->occ[a >> 16] >> (lo >> 10)) & 1) == 0) {
        return bk[0].sh; /* no long prefix overlaps a's /22 */
    }
    first = bk[0].off;
    n = bk[1].off - first;
    k = s->key + first;
    while (n > 32) {
        uint32_t half = n / 2;
        k = k[half] <= x ? k + half : k;
        n -= half;
    }
    for (uint32_t step = 16; step > 0; step /= 2) {
        uint32_t p = j + step < n - 1 ? j + step : n - 1;
        j = k[p] <= x ? j + step : j;
    }
    j = (uint32_t)(k - s->key) + (j < n - 1 ? j : n - 1);
    for (;;) {
        uint32_t key = s->key[j];

        /* Contained when a's offset from the start fits the host bits (a below wraps). */
        if (((lo - KEY_LO(key)) >> (32 - KEY_LEN(key))) == 0) {
            return j;
        }
        if ((key & UP_LONG) == 0) {
            return bk[0].sh;
        }
        j = s->up[j];
    }
}

static void set_vals(const struct cm_ipset *s, const uint32_t *word, struct cm_ipset_match *m)
{
    if (*word & MULTI) {
        const uint32_t *p = s->multi + (*word & ~MULTI);
        m->nvals = p[0];
        m->vals = p + 1;
    } else {
        m->nvals = 1;
        m->vals = word;
    }
}

/*
 * Fills out[0..max) with the networks containing ip, most specific first, and
 * returns how many there are; with all false, stops at the first one.
 */
static size_t walk4(const struct cm_ipset *s, uint32_t ip, struct cm_ipset_match *out, size_t max,
                    bool all)
{
    size_t n = 0;

    if (s->bk == NULL) {
        return 0;
    }
    for (uint32_t j = best4(s, ip); j != NONE; j = s->up[j]) {
        if (n < max) {
            struct cm_ipset_match *m = &out[n];
            const uint32_t *word;
            unsigned len;
            uint32_t key;

            if (j < s->nlong) {
                uint32_t vi = KEY_VI(s->key[j]);

                len = KEY_LEN(s->key[j]);
                word = vi != VI_ESC ? &s->vtab[vi] : &s->lword[j];
            } else {
                len = s->sh4[j - s->nlong].len;
                word = &s->sh4[j - s->nlong].word;
            }
            key = ip & mask4(len);

            memset(&m->net, 0, sizeof(m->net));
            m->net.family = CM_IP_V4;
            m->net.a[0] = (uint8_t)(key >> 24);
            m->net.a[1] = (uint8_t)(key >> 16);
            m->net.a[2] = (uint8_t)(key >> 8);
            m->net.a[3] = (uint8_t)key;
            m->prefix = len;
            set_vals(s, word, m);
        }
        if (++n == 1 && !all) {
            break;
        }
    }
    return n;
}

static const struct slot6 *find6(const struct cm_ipset *s, uint64_t hi, uint64_t lo, unsigned len)
{
    const struct tab6 *t = &s->t6[len];
    uint32_t i = home(hash6(s->seed, hi, lo), t->n);

    for (;;) {
        const struct slot6 *sl = &t->slots[i];

        if (sl->val == EMPTY) {
            return NULL;
        }
        if (sl->hi == hi && sl->lo == lo) {
            return sl;
        }
        i = i + 1 == t->n ? 0 : i + 1;
    }
}

static size_t walk6(const struct cm_ipset *s, const uint8_t a[16], struct cm_ipset_match *out,
                    size_t max, bool all)
{
    uint64_t ahi = rd_be64(a), alo = rd_be64(a + 8);
    size_t n = 0;

    for (int w = 2; w >= 0; w--) {
        uint64_t lens = s->len6[w];

        while (lens != 0) {
            unsigned bit = 63u - (unsigned)__builtin_clzll(lens);
            unsigned len = (unsigned)w * 64 + bit;
            uint64_t hi = ahi, lo = alo;
            const struct slot6 *sl;

            lens &= ~(1ULL << bit);
            mask6(&hi, &lo, len);
            if ((sl = find6(s, hi, lo, len)) == NULL) {
                continue;
            }
            if (n < max) {
                out[n].net.family = CM_IP_V6;
                wr_be64(out[n].net.a, hi);
                wr_be64(out[n].net.a + 8, lo);
                out[n].prefix = len;
                set_vals(s, &sl->val, &out[n]);
            }
            if (++n == 1 && !all) {
                return n;
            }
        }
    }
    return n;
}

/*
 * Whether ip is looked up as IPv4 (an IPv4 address, IPv4-mapped IPv6, or the
 * NAT64 address of an IPv4 one); *a gets it.
 */
static bool as_v4(const struct cm_ip *ip, uint32_t *a)
{
    const uint8_t *b = ip->a;

    if (ip->family == CM_IP_V6 && cm_ipset_embeds_v4(ip->a)) {
        b += 12;
    } else if (ip->family != CM_IP_V4) {
        return false;
    }
    *a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return true;
}

static size_t walk(const struct cm_ipset *s, const struct cm_ip *ip, struct cm_ipset_match *out,
                   size_t max, bool all)
{
    uint32_t a;

    if (s == NULL) {
        return 0;
    }
    if (as_v4(ip, &a)) {
        return walk4(s, a, out, max, all);
    }
    return ip->family == CM_IP_V6 ? walk6(s, ip->a, out, max, all) : 0;
}

size_t cm_ipset_lookup_all(const struct cm_ipset *s, const struct cm_ip *ip,
                           struct cm_ipset_match *out, size_t max)
{
    return walk(s, ip, out, max, true);
}

/* Addresses a batch has in flight. */
#define GROUP4 16u

void cm_ipset_lookup_batch(const struct cm_ipset *s, const struct cm_ip *ips, size_t n,
                           struct cm_ipset_match *m, bool *found)
{
    for (size_t at = 0; at < n; at += GROUP4) {
        size_t k = n - at < GROUP4 ? n - at : GROUP4;
        uint32_t a[GROUP4];
        bool v4[GROUP4];

        /* (1) Every address's directory words; (2) the keys of those whose /22 is occupied. */
        for (size_t i = 0; i < k; i++) {
            v4[i] = s != NULL && s->bk != NULL && as_v4(&ips[at + i], &a[i]);
            if (v4[i]) {
                __builtin_prefetch(&s->occ[a[i] >> 16]);
                __builtin_prefetch(&s->bk[a[i] >> 16]);
            }
        }
        for (size_t i = 0; i < k; i++) {
            if (v4[i] && ((s->occ[a[i] >> 16] >> ((a[i] & 0xffff) >> 10)) & 1)) {
                const struct bucket4 *bk = &s->bk[a[i] >> 16];
                const uint32_t *key = s->key + bk[0].off;
                uint32_t nk = bk[1].off - bk[0].off;

                __builtin_prefetch(key);
                __builtin_prefetch(key + nk / 2);
                __builtin_prefetch(key + (nk ? nk - 1 : 0));
            }
        }
        for (size_t i = 0; i < k; i++) {
            found[at + i] = v4[i] ? walk4(s, a[i], &m[at + i], 1, false) > 0
                                  : walk(s, &ips[at + i], &m[at + i], 1, false) > 0;
        }
    }
}

bool cm_ipset_lookup(const struct cm_ipset *s, const struct cm_ip *ip, struct cm_ipset_match *m)
{
    return walk(s, ip, m, 1, false) > 0;
}

size_t cm_ipset_count(const struct cm_ipset *s)
{
    return s != NULL ? s->count : 0;
}

size_t cm_ipset_bytes(const struct cm_ipset *s)
{
    return s != NULL ? s->bytes : 0;
}
