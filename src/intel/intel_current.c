/*
 * The current intel snapshot and the readers' views of it. See
 * intel/intel_current.h.
 */
#include "intel/intel_current.h"

#include "base/err.h"

int cm_intel_current_init(struct cm_intel_current *c, struct cm_intel_snapshot *snap)
{
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        return CM_ENOMEM;
    }
    c->snap = snap;
    atomic_init(&c->gen, 1);
    return 0;
}

void cm_intel_current_destroy(struct cm_intel_current *c)
{
    cm_intel_snapshot_unref(c->snap);
    c->snap = NULL;
    pthread_mutex_destroy(&c->mu);
}

void cm_intel_current_publish(struct cm_intel_current *c, struct cm_intel_snapshot *snap)
{
    struct cm_intel_snapshot *old;

    pthread_mutex_lock(&c->mu);
    old = c->snap;
    c->snap = snap;
    /* Release: a reader that sees the new generation takes the lock and finds snap. */
    atomic_fetch_add_explicit(&c->gen, 1, memory_order_release);
    pthread_mutex_unlock(&c->mu);
    cm_intel_snapshot_unref(old); /* frees it when no view holds it */
}

void cm_intel_view_init(struct cm_intel_view *v)
{
    v->snap = NULL;
    v->gen = 0;
}

const struct cm_intel_snapshot *cm_intel_view_refresh(struct cm_intel_view *v,
                                                      struct cm_intel_current *c)
{
    uint64_t gen = atomic_load_explicit(&c->gen, memory_order_acquire);
    struct cm_intel_snapshot *old = v->snap;

    if (gen == v->gen) {
        return v->snap;
    }
    pthread_mutex_lock(&c->mu);
    v->snap = c->snap ? cm_intel_snapshot_ref(c->snap) : NULL;
    v->gen = atomic_load_explicit(&c->gen, memory_order_relaxed);
    pthread_mutex_unlock(&c->mu);
    cm_intel_snapshot_unref(old);
    return v->snap;
}

void cm_intel_view_release(struct cm_intel_view *v)
{
    cm_intel_snapshot_unref(v->snap);
    v->snap = NULL;
    v->gen = 0;
}
