/*
 * Cumulative-weight picks (see gen_pick.h). Tables are small (a few hundred
 * entries), so a binary search per draw is plenty.
 */
#include "gen/gen_pick.h"

#include "base/alloc.h"
#include "base/err.h"
#include "gen/gen_dest.h"

int cm_gen_pick_init(struct cm_gen_pick *p, const uint32_t *w, uint32_t n)
{
    uint32_t i, k = 0, sum = 0;

    p->n = 0;
    p->total = 0;
    p->cum = cm_calloc(n, sizeof(*p->cum));
    p->idx = cm_calloc(n, sizeof(*p->idx));
    if (p->cum == NULL || p->idx == NULL) {
        cm_gen_pick_finish(p);
        return CM_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (w[i] == 0) {
            continue;
        }
        sum += w[i];
        p->cum[k] = sum;
        p->idx[k] = (uint16_t)i;
        k++;
    }
    p->n = k;
    p->total = sum;
    return 0;
}

void cm_gen_pick_finish(struct cm_gen_pick *p)
{
    cm_free(p->cum);
    cm_free(p->idx);
    p->cum = NULL;
    p->idx = NULL;
    p->n = 0;
    p->total = 0;
}

unsigned cm_gen_pick_draw(const struct cm_gen_pick *p, struct cm_gen_rng *r)
{
    uint32_t x = cm_gen_rng_below(r, p->total);
    uint32_t lo = 0, hi = p->n - 1;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;

        if (p->cum[mid] > x) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return p->idx[lo];
}

static int build_api(struct cm_gen_tables *t, uint32_t *w)
{
    unsigned c, all, i;
    int rc;

    for (c = 0; c < CM_GEN_NCLASSES; c++) {
        for (all = 0; all < 2; all++) {
            for (i = 0; i < cm_gen_napis; i++) {
                const struct cm_gen_api *a = &cm_gen_apis[i];
                int skip =
                    (a->flags & CM_GEN_API_SPECIAL) || (!all && (a->flags & CM_GEN_API_GLOBAL));

                w[i] = skip ? 0 : a->w[c];
            }
            rc = cm_gen_pick_init(&t->api[c][all], w, cm_gen_napis);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int build_dest(struct cm_gen_tables *t, uint32_t *w)
{
    unsigned k, i;
    int rc;

    for (k = 0; k < CM_GEN_NTIERS; k++) {
        for (i = 0; i < cm_gen_ndests; i++) {
            w[i] = cm_gen_dests[i].w[k];
        }
        rc = cm_gen_pick_init(&t->dns[k], w, cm_gen_ndests);
        if (rc != 0) {
            return rc;
        }
        for (i = 0; i < cm_gen_ndests; i++) {
            w[i] = cm_gen_dests[i].port ? cm_gen_dests[i].w[k] : 0;
        }
        rc = cm_gen_pick_init(&t->flow[k], w, cm_gen_ndests);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int cm_gen_tables_create(struct cm_gen_tables **out)
{
    struct cm_gen_tables *t;
    uint32_t *w;
    int rc = CM_ENOMEM;

    *out = NULL;
    t = cm_calloc(1, sizeof(*t));
    w = cm_calloc(cm_gen_napis + cm_gen_ndests, sizeof(*w));
    if (t == NULL || w == NULL) {
        goto fail;
    }
    rc = build_api(t, w);
    if (rc == 0) {
        rc = build_dest(t, w);
    }
    if (rc != 0) {
        goto fail;
    }
    cm_free(w);
    *out = t;
    return 0;
fail:
    cm_free(w);
    cm_gen_tables_destroy(t);
    return rc;
}

void cm_gen_tables_destroy(struct cm_gen_tables *t)
{
    unsigned c, k;

    if (t == NULL) {
        return;
    }
    for (c = 0; c < CM_GEN_NCLASSES; c++) {
        cm_gen_pick_finish(&t->api[c][0]);
        cm_gen_pick_finish(&t->api[c][1]);
    }
    for (k = 0; k < CM_GEN_NTIERS; k++) {
        cm_gen_pick_finish(&t->dns[k]);
        cm_gen_pick_finish(&t->flow[k]);
    }
    cm_free(t);
}
