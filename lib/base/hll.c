/*
 * HyperLogLog, written from the published algorithm. A hash's top p bits pick
 * a register; the rank of the remaining 64 - p bits (position of the first
 * set bit, 1-based, 65 - p when none is set) is kept if larger than the
 * register.
 *
 * Estimation. The original estimate is alpha_m * m^2 / sum(2^-M[j]), replaced
 * by linear counting m * ln(m / V) (V = zero registers) below 5m/2. Measured
 * here, that switch leaves a +2.4% bias around n = 5m/2 (three standard
 * errors at p = 14). So the count uses Ertl's improved estimator ("New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017), which
 * folds the small-range correction into the sum itself: with C_k registers of
 * value k and q = 64 - p,
 *
 *   z = m tau(1 - C_{q+1}/m); for k = q..1: z = (z + C_k) / 2;
 *   z += m sigma(C_0 / m); estimate = m^2 / (2 ln 2 z).
 *
 * sigma(C_0/m) is the linear-counting term: while few registers are set it
 * dominates and the estimate is linear counting's; tau handles saturated
 * registers. No bias tables, no thresholds, no bias bump in between.
 */
#include "base/hll.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define MAX_RANK 64 /* a register never exceeds 65 - p */
#define LN2      0.69314718055994530942

int cm_hll_init(struct cm_hll *h, unsigned p)
{
    h->reg = NULL;
    h->p = 0;
    h->owned = false;
    if (p < CM_HLL_MIN_P || p > CM_HLL_MAX_P) {
        return CM_EINVAL;
    }
    h->reg = cm_calloc(CM_HLL_BYTES(p), 1);
    if (h->reg == NULL) {
        return CM_ENOMEM;
    }
    h->p = (uint8_t)p;
    h->owned = true;
    return 0;
}

int cm_hll_init_buf(struct cm_hll *h, unsigned p, uint8_t *buf)
{
    h->reg = NULL;
    h->p = 0;
    h->owned = false;
    if (p < CM_HLL_MIN_P || p > CM_HLL_MAX_P || buf == NULL) {
        return CM_EINVAL;
    }
    h->reg = buf;
    h->p = (uint8_t)p;
    memset(buf, 0, CM_HLL_BYTES(p));
    return 0;
}

void cm_hll_finish(struct cm_hll *h)
{
    if (h->owned) {
        cm_free(h->reg);
    }
    h->reg = NULL;
    h->p = 0;
    h->owned = false;
}

void cm_hll_clear(struct cm_hll *h)
{
    if (h->reg != NULL) {
        memset(h->reg, 0, CM_HLL_BYTES(h->p));
    }
}

void cm_hll_add(struct cm_hll *h, uint64_t hash)
{
    unsigned p = h->p, rank;
    uint64_t rest = hash << p;
    size_t j = (size_t)(hash >> (64 - p));

    rank = rest == 0 ? 65 - p : (unsigned)__builtin_clzll(rest) + 1;
    if (h->reg[j] < rank) {
        h->reg[j] = (uint8_t)rank;
    }
}

/* sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1): the correction for zero registers. */
static double sigma(double x)
{
    double y = 1.0, z = x, prev;

    if (x == 1.0) {
        return HUGE_VAL;
    }
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (z != prev);
    return z;
}

/* tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3: for saturated registers. */
static double tau(double x)
{
    double y = 1.0, z = 1.0 - x, prev;

    if (x == 0.0 || x == 1.0) {
        return 0.0;
    }
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != prev);
    return z / 3.0;
}

uint64_t cm_hll_count(const struct cm_hll *h)
{
    size_t m = CM_HLL_BYTES(h->p), j, c[MAX_RANK + 2] = {0};
    unsigned q = 64 - h->p, k;
    double md = (double)m, z;

    if (h->reg == NULL) {
        return 0;
    }
    for (j = 0; j < m; j++) {
        c[h->reg[j]]++;
    }
    if (c[0] == m) {
        return 0;
    }
    z = md * tau(1.0 - (double)c[q + 1] / md);
    for (k = q; k >= 1; k--) {
        z = 0.5 * (z + (double)c[k]);
    }
    z += md * sigma((double)c[0] / md);
    return (uint64_t)llround(md * md / (2.0 * LN2 * z));
}

int cm_hll_merge(struct cm_hll *dst, const struct cm_hll *src)
{
    size_t j, m;

    if (dst->p != src->p || dst->reg == NULL || src->reg == NULL) {
        return CM_EINVAL;
    }
    m = CM_HLL_BYTES(dst->p);
    for (j = 0; j < m; j++) {
        if (dst->reg[j] < src->reg[j]) {
            dst->reg[j] = src->reg[j];
        }
    }
    return 0;
}

bool cm_hll_regs_valid(const uint8_t *reg, unsigned p)
{
    if (p < CM_HLL_MIN_P || p > CM_HLL_MAX_P || reg == NULL) {
        return false;
    }
    for (size_t j = 0; j < CM_HLL_BYTES(p); j++) {
        if (reg[j] > 65 - p) { /* the rank of an all-zero rest: the largest cm_hll_add writes */
            return false;
        }
    }
    return true;
}
