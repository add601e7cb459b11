/*
 * Folding repeated detections into one finding per identity (see
 * aggregate.h). The map holds, per id, the index of the finding in the
 * first-seen array; replacing a finding by its updated version keeps its
 * place.
 */
#include "finding/aggregate.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/map.h"

struct cm_agg {
    struct cm_map *by_id; /* id -> size_t index into v */
    struct cm_finding **v;
    size_t n, cap, max;
    struct cm_agg_stats stats;
};

int cm_agg_create(struct cm_agg **out, size_t max_findings, uint64_t seed)
{
    struct cm_agg *a = cm_calloc(1, sizeof(*a));

    *out = NULL;
    if (a == NULL) {
        return CM_ENOMEM;
    }
    if (cm_map_create(&a->by_id, sizeof(size_t), max_findings, seed) != 0) {
        cm_free(a);
        return CM_ENOMEM;
    }
    a->max = max_findings;
    *out = a;
    return CM_OK;
}

static void finding_free(struct cm_finding *f)
{
    if (f) {
        cm_finding_finish(f);
        cm_free(f);
    }
}

void cm_agg_destroy(struct cm_agg *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        finding_free(a->v[i]);
    }
    cm_free(a->v);
    cm_map_destroy(a->by_id);
    cm_free(a);
}

/* Copies one evidence reference of old into f (its file name into f's arena). */
static int take_evidence(struct cm_finding *f, const struct cm_finding_evidence *e, size_t slot)
{
    f->evidence[slot].ref = e->ref;
    f->evidence[slot].file = CM_STR_NULL;
    return cm_finding_set(f, &f->evidence[slot].file, e->file);
}

/*
 * Evidence of the merged finding: old's records first, then the new ones
 * while there is room; when full, the last slot holds the newest record.
 */
static int merge_evidence(struct cm_finding *nf, const struct cm_finding *old)
{
    struct cm_finding_evidence fresh[CM_FINDING_MAX_EVIDENCE];
    uint32_t nfresh = nf->nevidence, k = 0;
    int rc = CM_OK;

    memcpy(fresh, nf->evidence, sizeof(fresh)); /* strings stay in nf's arena */
    for (uint32_t i = 0; i < old->nevidence && rc == 0; i++) {
        rc = take_evidence(nf, &old->evidence[i], k++);
    }
    for (uint32_t i = 0; i < nfresh && rc == 0; i++) {
        if (k < CM_FINDING_MAX_EVIDENCE) {
            nf->evidence[k++] = fresh[i];
        } else {
            nf->evidence[CM_FINDING_MAX_EVIDENCE - 1] = fresh[nfresh - 1];
            break;
        }
    }
    nf->nevidence = k;
    return rc;
}

int cm_finding_merge(struct cm_finding *nf, const struct cm_finding *old)
{
    int rc = CM_OK;

    nf->count = old->count + nf->count;
    if (old->first_seen_ms && (!nf->first_seen_ms || old->first_seen_ms < nf->first_seen_ms)) {
        nf->first_seen_ms = old->first_seen_ms;
    }
    if (old->last_seen_ms > nf->last_seen_ms) {
        nf->last_seen_ms = old->last_seen_ms;
    }
    nf->created_ms = old->created_ms;
    if (old->updated_ms > nf->updated_ms) {
        nf->updated_ms = old->updated_ms;
    }
    nf->archived = old->archived;
    if (nf->action_type == CM_ACT_PORT_PROBE && old->action_type == CM_ACT_PORT_PROBE) {
        for (uint32_t i = 0; i < old->probe.nprobes && rc == 0; i++) {
            rc = cm_finding_add_probe(nf, &old->probe.probes[i]);
            if (rc == CM_EFULL) {
                rc = CM_OK; /* the newest probes are kept, the rest counted in count */
                break;
            }
        }
    }
    return rc ? rc : merge_evidence(nf, old);
}

static int append(struct cm_agg *a, struct cm_finding *f)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        struct cm_finding **nv = cm_realloc(a->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return CM_ENOMEM;
        }
        a->v = nv;
        a->cap = ncap;
    }
    a->v[a->n++] = f;
    return CM_OK;
}

int cm_agg_add(struct cm_agg *a, const struct cm_finding_ctx *ctx, const struct cm_detection *d,
               struct cm_finding **out, bool *is_new)
{
    struct cm_finding *nf = cm_malloc(sizeof(*nf));
    size_t *slot;
    bool created = false;
    int rc;

    if (nf == NULL) {
        return CM_ENOMEM;
    }
    cm_finding_init(nf);
    rc = cm_finding_from_detection(nf, ctx, d);
    if (rc != 0) {
        goto fail;
    }
    rc = cm_map_put(a->by_id, nf->id, CM_FINDING_ID_LEN, (void **)&slot, &created);
    if (rc != 0) {
        if (rc == CM_EFULL) {
            a->stats.dropped++;
        }
        goto fail;
    }
    if (created) {
        *slot = a->n;
        rc = append(a, nf);
        if (rc != 0) {
            cm_map_del(a->by_id, nf->id, CM_FINDING_ID_LEN);
            goto fail;
        }
        a->stats.findings++;
    } else {
        struct cm_finding *old = a->v[*slot];
        rc = cm_finding_merge(nf, old);
        if (rc != 0) {
            goto fail;
        }
        a->v[*slot] = nf;
        finding_free(old);
        a->stats.repeats++;
    }
    if (out) {
        *out = nf;
    }
    if (is_new) {
        *is_new = created;
    }
    return CM_OK;
fail:
    finding_free(nf);
    return rc;
}

struct cm_finding *cm_agg_at(const struct cm_agg *a, size_t i)
{
    return i < a->n ? a->v[i] : NULL;
}

const struct cm_agg_stats *cm_agg_stats(const struct cm_agg *a)
{
    return &a->stats;
}
