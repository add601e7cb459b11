/*
 * Weighted random choice over the generator's const tables. A struct
 * cm_gen_pick holds the cumulative weights of one column of a table (entries
 * of weight 0 are left out) and draws an entry index in O(log n).
 * struct cm_gen_tables bundles every pick the generators need; it is built
 * once per run from the const tables and is read-only afterwards, so worker
 * threads share it.
 */
#ifndef CM_GEN_GEN_PICK_H
#define CM_GEN_GEN_PICK_H

#include <stdint.h>

#include "gen/gen.h"
#include "gen/gen_ct.h"

struct cm_gen_pick {
    uint32_t n;     /* entries with weight > 0 */
    uint32_t total; /* sum of weights */
    uint32_t *cum;  /* cum[i] = sum of weights of entries 0..i */
    uint16_t *idx;  /* table index of entry i */
};

struct cm_gen_tables {
    struct cm_gen_pick api[CM_GEN_NCLASSES][2]; /* [class][0 regional APIs, 1 all] */
    struct cm_gen_pick dns[CM_GEN_NTIERS];      /* every destination */
    struct cm_gen_pick flow[CM_GEN_NTIERS];     /* destinations with a port */
};

/*
 * Builds p from n weights. Returns 0 or CM_ENOMEM; p owns its arrays, free
 * with cm_gen_pick_finish.
 */
int cm_gen_pick_init(struct cm_gen_pick *p, const uint32_t *w, uint32_t n);
void cm_gen_pick_finish(struct cm_gen_pick *p);

/* Draws a table index; p must have total > 0. */
unsigned cm_gen_pick_draw(const struct cm_gen_pick *p, struct cm_gen_rng *r);

/* Builds every pick. Returns 0 or CM_ENOMEM; *out owned, free with destroy. */
int cm_gen_tables_create(struct cm_gen_tables **out);
void cm_gen_tables_destroy(struct cm_gen_tables *t);

#endif
