/*
 * Folding repeated detections into one finding per identity (see
 * aggregate.h). The map holds, per id, the index of the finding in the
 * first-seen array; replacing a finding by its updated version keeps its
 * place.
 */
#include "finding/aggregate.h"

#include <stdlib.h>
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

/*
 * The set of (finding index, event key) pairs: open addressing over inline
 * 16-byte slots, linear probing, doubled at 50% load. A slot whose index
 * part is UINT64_MAX is empty (no finding has that index). One allocation
 * for the whole set instead of one per event: at a million events the
 * general map's per-entry blocks cost more than the folding itself.
 */
struct evset {
    uint64_t (*slot)[2];
    size_t mask, n;
    uint64_t seed;
};

static size_t evset_hash(const struct evset *s, const uint64_t k[2])
{
    return (size_t)cm_hash_mix64(k[1] ^ cm_hash_mix64(k[0] + s->seed));
}

static int evset_alloc(struct evset *s, size_t cap)
{
    s->slot = cm_malloc(cap * sizeof(*s->slot));
    if (s->slot == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < cap; i++) {
        s->slot[i][0] = UINT64_MAX;
    }
    s->mask = cap - 1;
    return CM_OK;
}

static int evset_init(struct evset *s, uint64_t seed)
{
    s->n = 0;
    s->seed = seed;
    return evset_alloc(s, 64);
}

static bool evset_has(const struct evset *s, const uint64_t k[2])
{
    for (size_t i = evset_hash(s, k) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i][0] == UINT64_MAX) {
            return false;
        }
        if (s->slot[i][0] == k[0] && s->slot[i][1] == k[1]) {
            return true;
        }
    }
}

static void evset_place(struct evset *s, const uint64_t k[2])
{
    size_t i = evset_hash(s, k) & s->mask;

    while (s->slot[i][0] != UINT64_MAX) {
        i = (i + 1) & s->mask;
    }
    s->slot[i][0] = k[0];
    s->slot[i][1] = k[1];
}

/* Adds k (not present). Returns 0 or CM_ENOMEM. */
static int evset_add(struct evset *s, const uint64_t k[2])
{
    if (2 * (s->n + 1) > s->mask + 1) {
        struct evset old = *s;
        if (evset_alloc(s, 2 * (old.mask + 1)) != 0) {
            *s = old;
            return CM_ENOMEM;
        }
        for (size_t i = 0; i <= old.mask; i++) {
            if (old.slot[i][0] != UINT64_MAX) {
                evset_place(s, old.slot[i]);
            }
        }
        cm_free(old.slot);
    }
    evset_place(s, k);
    s->n++;
    return CM_OK;
}

struct cm_agg {
    struct cm_map *by_id; /* id -> size_t index into v */
    struct evset events;  /* (index, event key): the events each finding counted */
    struct agg_item *v;
    struct cm_finding *spare; /* the finding a repeat replaced, kept for the next add */
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
        evset_init(&a->events, seed ^ 0x5eedULL) != 0) {
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
    finding_free(a->spare);
    cm_map_destroy(a->by_id);
    cm_free(a->events.slot);
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
 * Whether two evidence references name the same record: the same offset in
 * the same file (by name; by the run's file id while names are unknown).
 */
static bool same_record(const struct cm_finding_evidence *a, const struct cm_finding_evidence *b)
{
    if (a->ref.offset != b->ref.offset) {
        return false;
    }
    if (a->file.p != NULL || b->file.p != NULL) {
        return a->file.p != NULL && b->file.p != NULL && cm_str_eq(a->file, b->file);
    }
    return a->ref.file_id == b->ref.file_id;
}

static bool has_record(const struct cm_finding_evidence *v, uint32_t n,
                       const struct cm_finding_evidence *e)
{
    for (uint32_t i = 0; i < n; i++) {
        if (same_record(&v[i], e)) {
            return true;
        }
    }
    return false;
}

/* Puts e in dst's slot: as it is when its file name is in dst's arena already, else copied. */
static int put_evidence(struct cm_finding *dst, const struct cm_finding_evidence *e, bool own,
                        size_t slot)
{
    if (own) {
        dst->evidence[slot] = *e;
        return CM_OK;
    }
    return take_evidence(dst, e, slot);
}

/*
 * dst's evidence made first's records, then those of then that first does not
 * list (a re-scan over files partly scanned before brings the old records
 * again) while there is room; when full, the last slot holds the newest of
 * them. dst is first or then: its own records keep their names, the other's
 * are copied into its arena.
 */
static int fold_evidence(struct cm_finding *dst, const struct cm_finding *first,
                         const struct cm_finding *then)
{
    struct cm_finding_evidence a[CM_FINDING_MAX_EVIDENCE], b[CM_FINDING_MAX_EVIDENCE];
    uint32_t na = first->nevidence, nb = then->nevidence, k = 0;
    int rc = CM_OK;

    memcpy(a, first->evidence, sizeof(a)); /* dst's slots are written over below */
    memcpy(b, then->evidence, sizeof(b));
    for (uint32_t i = 0; i < na && rc == 0; i++) {
        rc = put_evidence(dst, &a[i], first == dst, k++);
    }
    for (uint32_t i = 0; i < nb && rc == 0; i++) {
        if (has_record(a, na, &b[i])) {
            continue;
        }
        if (k < CM_FINDING_MAX_EVIDENCE) {
            rc = put_evidence(dst, &b[i], then == dst, k++);
            continue;
        }
        /* Full: the newest record first does not list (the last of then's may be first's). */
        for (uint32_t j = nb; j-- > i;) {
            if (!has_record(a, na, &b[j])) {
                rc = put_evidence(dst, &b[j], then == dst, CM_FINDING_MAX_EVIDENCE - 1);
                break;
            }
        }
        break;
    }
    dst->nevidence = k;
    return rc;
}

static bool same_probe(const struct cm_probe *a, const struct cm_probe *b)
{
    return a->local_port.port == b->local_port.port &&
           cm_str_eq(a->local_ip.ipv4, b->local_ip.ipv4) &&
           cm_str_eq(a->local_ip.ipv6, b->local_ip.ipv6) &&
           cm_str_eq(a->remote_ip.ipv4, b->remote_ip.ipv4) &&
           cm_str_eq(a->remote_ip.ipv6, b->remote_ip.ipv6);
}

static bool has_probe(const struct cm_finding *f, uint32_t n, const struct cm_probe *p)
{
    for (uint32_t i = 0; i < n; i++) {
        if (same_probe(&f->probe.probes[i], p)) {
            return true;
        }
    }
    return false;
}

/* Finding ids, CM_FINDING_ID_LEN characters each, up to CM_FINDING_MAX_PAST_MEMBERS. */
struct members {
    char ids[CM_FINDING_MAX_PAST_MEMBERS * CM_FINDING_ID_LEN];
    size_t n;
};

static bool has_member(const struct members *m, const char *id)
{
    for (size_t i = 0; i < m->n; i++) {
        if (memcmp(m->ids + i * CM_FINDING_ID_LEN, id, CM_FINDING_ID_LEN) == 0) {
            return true;
        }
    }
    return false;
}

/* Adds id once; past the cap the sequence's newest listed signals stay its members. */
static int add_member(void *ud, const char *id)
{
    struct members *m = ud;

    if (m->n < CM_FINDING_MAX_PAST_MEMBERS && !has_member(m, id)) {
        memcpy(m->ids + m->n++ * CM_FINDING_ID_LEN, id, CM_FINDING_ID_LEN);
    }
    return CM_OK;
}

/*
 * nf, a statement of the attack sequence old stated before, keeps as past
 * members the findings old named (listed, or past members already) that nf's
 * signals do not list.
 */
static int keep_members(struct cm_finding *nf, const struct cm_finding *old)
{
    struct members listed = {.n = 0}, named = {.n = 0}, keep = {.n = 0};

    if (!cm_str_starts(old->type, "AttackSequence:") ||
        cm_finding_sequence_members(nf, add_member, &listed) != 0 ||
        cm_finding_sequence_members(old, add_member, &named) != 0) {
        return CM_OK; /* out of memory parsing: the listed ones are marked still */
    }
    for (size_t i = 0; i < named.n; i++) {
        const char *id = named.ids + i * CM_FINDING_ID_LEN;

        if (!has_member(&listed, id)) {
            add_member(&keep, id);
        }
    }
    nf->past_members = CM_STR_NULL;
    if (keep.n == 0) {
        return CM_OK;
    }
    return cm_finding_set(nf, &nf->past_members, cm_str_make(keep.ids, keep.n * CM_FINDING_ID_LEN));
}

/*
 * Folds old's history into nf (see cm_finding_merge). The evidence of the
 * finding that came first (old; nf when nf_first) leads.
 */
static int merge(struct cm_finding *nf, const struct cm_finding *old, bool nf_first)
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
    /*
     * A finding is as severe as the worst event it covers: a port probe of
     * Elasticsearch (High) stays High after a probe of port 22 (Low), and a
     * password policy weakened a lot stays High after a small change.
     */
    if (old->severity > nf->severity) {
        nf->severity = old->severity;
    }
    if (old->user_feedback.p && !nf->user_feedback.p) {
        rc = cm_finding_set(nf, &nf->user_feedback, old->user_feedback);
    }
    /*
     * A report that measures nothing (a tail's: the records after a detection, built from the
     * last of them) keeps what the finding said. Before 2026-12-08 a TrafficVolumeUnusual's
     * outBytes went with its hour's tail.
     */
    if (rc == 0 && !cm_str_present(nf->additional_info) && cm_str_present(old->additional_info)) {
        rc = cm_finding_set(nf, &nf->additional_info, old->additional_info);
    }
    if (rc == 0 && old->sequence_arn.p != NULL) {
        rc = cm_finding_associate(nf, old->sequence_arn, NULL);
    }
    if (rc == 0 && nf->action_type == CM_ACT_PORT_PROBE && old->action_type == CM_ACT_PORT_PROBE) {
        uint32_t mine = nf->probe.nprobes;
        for (uint32_t i = 0; i < old->probe.nprobes && rc == 0; i++) {
            if (has_probe(nf, mine, &old->probe.probes[i])) {
                continue; /* the same probe, seen again by a re-scan */
            }
            rc = cm_finding_add_probe(nf, &old->probe.probes[i]);
            if (rc == CM_EFULL) {
                rc = CM_OK; /* the newest probes are kept, the rest counted in count */
                break;
            }
        }
    }
    rc = rc ? rc : cm_finding_api_calls_merge(nf, old);
    rc = rc ? rc : keep_members(nf, old);
    /* A restatement cites what its detector knows now: the same whatever came before. */
    if (rc || nf->restated) {
        return rc;
    }
    return nf_first ? fold_evidence(nf, nf, old) : fold_evidence(nf, old, nf);
}

int cm_finding_merge(struct cm_finding *nf, const struct cm_finding *old)
{
    return merge(nf, old, false);
}

int cm_finding_merge_earlier(struct cm_finding *stored, const struct cm_finding *nf)
{
    return merge(stored, nf, true);
}

uint64_t cm_detection_key(const struct cm_detection *d)
{
    uint64_t h;

    if (d->record_key != 0) {
        return d->record_key;
    }
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
    if (cm_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v), 64) != 0) {
        return CM_ENOMEM;
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

    if (cm_grow((void **)&it->ev, &it->cap, it->nev + 1, sizeof(*it->ev), 4) != 0 ||
        evset_add(&a->events, k) != 0) {
        return CM_ENOMEM;
    }
    it->ev[it->nev++] = (struct cm_finding_event){key, count};
    return CM_OK;
}

static bool has_event(const struct cm_agg *a, size_t idx, uint64_t key)
{
    uint64_t k[2] = {(uint64_t)idx, key};

    return evset_has(&a->events, k);
}

int cm_agg_add(struct cm_agg *a, const struct cm_finding_ctx *ctx, const struct cm_detection *d,
               struct cm_finding **out, bool *is_new)
{
    struct cm_finding *nf = a->spare ? a->spare : cm_malloc(sizeof(*nf));
    uint64_t key = cm_detection_key(d);
    uint32_t count = d->count ? d->count : 1;
    size_t *slot;
    bool created = false;
    int rc;

    if (nf == NULL) {
        return CM_ENOMEM;
    }
    if (nf == a->spare) {
        a->spare = NULL;
        cm_finding_reset(nf);
    } else {
        cm_finding_init(nf);
    }
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
    } else if (has_event(a, *slot, key) && d->restate) {
        struct cm_finding *old = a->v[*slot].f;

        nf->count = 0; /* the record is counted: its details only */
        if ((rc = cm_finding_merge(nf, old)) != 0) {
            goto fail;
        }
        a->v[*slot].f = nf;
        finding_free(a->spare);
        a->spare = old;
        a->stats.duplicates++;
    } else if (has_event(a, *slot, key)) {
        a->spare = nf; /* nothing new: the built finding is scratch */
        nf = a->v[*slot].f;
        a->stats.duplicates++;
    } else {
        struct cm_finding *old = a->v[*slot].f;
        if ((rc = cm_finding_merge(nf, old)) != 0 || (rc = add_event(a, *slot, key, count)) != 0) {
            goto fail;
        }
        a->v[*slot].f = nf;
        finding_free(a->spare);
        a->spare = old; /* its memory serves the next detection */
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

struct order_item {
    const struct cm_finding *f;
    size_t i;
};

static int order_cmp(const void *x, const void *y)
{
    const struct cm_finding *a = ((const struct order_item *)x)->f;
    const struct cm_finding *b = ((const struct order_item *)y)->f;
    int c;

    if (a->first_seen_ms != b->first_seen_ms) {
        return a->first_seen_ms < b->first_seen_ms ? -1 : 1;
    }
    if ((c = cm_str_cmp(a->type, b->type)) != 0) {
        return c;
    }
    return strcmp(a->id, b->id);
}

int cm_agg_order(const struct cm_agg *a, size_t *idx)
{
    struct order_item *v;

    if (a->n == 0) {
        return CM_OK;
    }
    if ((v = cm_malloc(a->n * sizeof(*v))) == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < a->n; i++) {
        v[i] = (struct order_item){a->v[i].f, i};
    }
    qsort(v, a->n, sizeof(*v), order_cmp);
    for (size_t k = 0; k < a->n; k++) {
        idx[k] = v[k].i;
    }
    cm_free(v);
    return CM_OK;
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

struct link {
    struct cm_agg *a;
    const struct cm_finding *seq;
};

static int link_member(void *ud, const char *id)
{
    struct link *l = ud;
    size_t *slot = cm_map_get(l->a->by_id, id, CM_FINDING_ID_LEN);

    if (slot == NULL || l->a->v[*slot].f == l->seq) {
        return CM_OK;
    }
    return cm_finding_associate(l->a->v[*slot].f, l->seq->arn, NULL);
}

int cm_agg_link_sequences(struct cm_agg *a)
{
    int rc = CM_OK;

    for (size_t i = 0; i < a->n && rc == CM_OK; i++) {
        struct link l = {a, a->v[i].f};

        rc = cm_finding_sequence_members(l.seq, link_member, &l);
    }
    return rc;
}
