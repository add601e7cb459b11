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
#include "base/hash.h"
#include "base/map.h"

/* One finding and the events it counted. */
struct agg_item {
    struct cm_finding *f;
    struct cm_finding_event *ev;
    size_t nev, cap;
};

struct cm_agg {
    struct cm_map *by_id;  /* id -> size_t index into v */
    struct cm_map *events; /* (index, event key): the events each finding counted */
    struct agg_item *v;
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
    if (cm_map_create(&a->by_id, sizeof(size_t), max_findings, seed) != 0 ||
        cm_map_create(&a->events, 0, 0, seed ^ 0x5eedULL) != 0) {
        cm_map_destroy(a->by_id);
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
        finding_free(a->v[i].f);
        cm_free(a->v[i].ev);
    }
    cm_free(a->v);
    cm_map_destroy(a->by_id);
    cm_map_destroy(a->events);
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
    if (old->user_feedback.p && !nf->user_feedback.p) {
        rc = cm_finding_set(nf, &nf->user_feedback, old->user_feedback);
    }
    if (rc == 0 && nf->action_type == CM_ACT_PORT_PROBE && old->action_type == CM_ACT_PORT_PROBE) {
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

uint64_t cm_detection_key(const struct cm_detection *d)
{
    uint64_t h;

    if (d->event != NULL) {
        return cm_event_key(d->event);
    }
    /* No event: the detection's own coordinates stand for it. */
    h = cm_hash64(d->type ? d->type : "", d->type ? strlen(d->type) : 0, 0x646574ULL);
    h = cm_hash_mix64(h ^ (uint64_t)d->time_ms);
    h = cm_hash_mix64(h ^ (uint64_t)d->first_ms ^ ((uint64_t)d->count << 32));
    h ^= cm_hash64(d->resource_id.p ? d->resource_id.p : "", d->resource_id.len, h);
    return cm_hash_mix64(h ^ cm_hash64(d->actor.p ? d->actor.p : "", d->actor.len, h + 1));
}

static int append(struct cm_agg *a, struct cm_finding *f)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        struct agg_item *nv = cm_realloc(a->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return CM_ENOMEM;
        }
        a->v = nv;
        a->cap = ncap;
    }
    memset(&a->v[a->n], 0, sizeof(a->v[a->n]));
    a->v[a->n++].f = f;
    return CM_OK;
}

/* Records that finding idx counted event key (count events); the caller checked it is new. */
static int add_event(struct cm_agg *a, size_t idx, uint64_t key, uint32_t count)
{
    struct agg_item *it = &a->v[idx];
    uint64_t k[2] = {(uint64_t)idx, key};
    void *val;
    bool created;

    if (it->nev == it->cap) {
        size_t ncap = it->cap ? it->cap * 2 : 4;
        struct cm_finding_event *nv = cm_realloc(it->ev, ncap * sizeof(*nv));
        if (nv == NULL) {
            return CM_ENOMEM;
        }
        it->ev = nv;
        it->cap = ncap;
    }
    if (cm_map_put(a->events, k, sizeof(k), &val, &created) != 0) {
        return CM_ENOMEM;
    }
    it->ev[it->nev++] = (struct cm_finding_event){key, count};
    return CM_OK;
}

static bool has_event(const struct cm_agg *a, size_t idx, uint64_t key)
{
    uint64_t k[2] = {(uint64_t)idx, key};

    return cm_map_get(a->events, k, sizeof(k)) != NULL;
}

int cm_agg_add(struct cm_agg *a, const struct cm_finding_ctx *ctx, const struct cm_detection *d,
               struct cm_finding **out, bool *is_new)
{
    struct cm_finding *nf = cm_malloc(sizeof(*nf));
    uint64_t key = cm_detection_key(d);
    uint32_t count = d->count ? d->count : 1;
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
        if (rc == 0 && (rc = add_event(a, a->n - 1, key, count)) != 0) {
            a->n--;
        }
        if (rc != 0) {
            cm_map_del(a->by_id, nf->id, CM_FINDING_ID_LEN);
            goto fail;
        }
        a->stats.findings++;
    } else if (has_event(a, *slot, key)) {
        finding_free(nf);
        nf = a->v[*slot].f;
        a->stats.duplicates++;
    } else {
        struct cm_finding *old = a->v[*slot].f;
        if ((rc = cm_finding_merge(nf, old)) != 0 || (rc = add_event(a, *slot, key, count)) != 0) {
            goto fail;
        }
        a->v[*slot].f = nf;
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
    return i < a->n ? a->v[i].f : NULL;
}

const struct cm_finding_event *cm_agg_events(const struct cm_agg *a, size_t i, size_t *n)
{
    *n = i < a->n ? a->v[i].nev : 0;
    return i < a->n ? a->v[i].ev : NULL;
}

const struct cm_agg_stats *cm_agg_stats(const struct cm_agg *a)
{
    return &a->stats;
}
