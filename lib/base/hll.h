/*
 * HyperLogLog distinct counter (Flajolet, Fusy, Gandouet, Meunier 2007) for
 * counting distinct things in bounded memory: ports per interface, hosts per
 * principal, sub-domains per zone. A counter of precision p has 2^p one-byte
 * registers and a relative standard error of about 1.04 / sqrt(2^p): 6.5%
 * at p = 8 (256 bytes), 1.6% at p = 12 (4 KiB), 0.8% at p = 14 (16 KiB).
 *
 * The caller hashes items (cm_hash64() with its seed) and feeds the 64-bit
 * hash; equal items must hash equal. The estimate is Ertl's improved one
 * (2017), whose small-range term is linear counting: nearly exact while few
 * registers are set, unbiased across the switch to the HLL range, and with
 * 64-bit hashes no large-range correction is needed. Registers are either
 * allocated (cm_hll_init) or the caller's memory (cm_hll_init_buf, e.g.
 * inside a cm_state value).
 */
#ifndef CM_BASE_HLL_H
#define CM_BASE_HLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_HLL_MIN_P    4
#define CM_HLL_MAX_P    16
#define CM_HLL_BYTES(p) ((size_t)1 << (p)) /* register bytes at precision p */

struct cm_hll {
    uint8_t *reg; /* 2^p registers */
    uint8_t p;
    bool owned; /* reg was allocated by cm_hll_init */
};

/* Allocates zeroed registers. Returns 0, CM_EINVAL (p outside 4..16) or CM_ENOMEM. */
int cm_hll_init(struct cm_hll *h, unsigned p);

/*
 * Uses the caller's CM_HLL_BYTES(p) bytes at buf as registers and zeroes them;
 * buf must outlive h. Returns 0 or CM_EINVAL (p outside 4..16).
 */
int cm_hll_init_buf(struct cm_hll *h, unsigned p, uint8_t *buf);

/* Frees allocated registers; idempotent. */
void cm_hll_finish(struct cm_hll *h);

/* Forgets every item. */
void cm_hll_clear(struct cm_hll *h);

/* Adds an item by its 64-bit hash. */
void cm_hll_add(struct cm_hll *h, uint64_t hash);

/* Estimated number of distinct items added. */
uint64_t cm_hll_count(const struct cm_hll *h);

/*
 * Makes dst count the union of dst and src (register-wise max). Returns 0, or
 * CM_EINVAL when the precisions differ.
 */
int cm_hll_merge(struct cm_hll *dst, const struct cm_hll *src);

/*
 * Whether the CM_HLL_BYTES(p) bytes at reg are registers cm_hll_add could
 * have written at precision p: each at most 65 - p. cm_hll_count indexes a
 * table by register value, so registers read back from a file (a
 * checkpoint) must pass this first. False for p outside 4..16.
 */
bool cm_hll_regs_valid(const uint8_t *reg, unsigned p);

#endif
