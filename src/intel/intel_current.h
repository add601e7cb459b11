/*
 * The current intel snapshot of a running process, swapped atomically on
 * reload (issue #4: "readers never block, never see half a list").
 *
 * A publisher (the reload: `coalmine intel update`, SIGHUP, a config change)
 * builds a whole new snapshot off to the side and hands it to
 * cm_intel_current_publish(). Readers are worker threads, each with a struct
 * cm_intel_view that holds one reference. Between batches a worker calls
 * cm_intel_view_refresh(): when nothing was published since its last
 * refresh, that is one atomic load and no lock. When something was, it
 * takes a reference to the new snapshot under the publisher's mutex (held
 * for a pointer copy and an increment) and drops its old one. Within a batch
 * a worker uses one snapshot from start to end, so it never sees half of an
 * update, and the last reader to let go of an old snapshot frees it.
 */
#ifndef CM_INTEL_INTEL_CURRENT_H
#define CM_INTEL_INTEL_CURRENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "intel/snapshot.h"

struct cm_intel_current {
    pthread_mutex_t mu;
    struct cm_intel_snapshot *snap; /* one reference held; NULL: no intel */
    atomic_uint_fast64_t gen;       /* bumped by every publish */
};

struct cm_intel_view {
    struct cm_intel_snapshot *snap; /* one reference held, or NULL */
    uint64_t gen;                   /* of the publish it reflects; 0: never refreshed */
};

/* Starts with snap (its reference moves in; NULL allowed). Returns 0 or CM_ENOMEM. */
int cm_intel_current_init(struct cm_intel_current *c, struct cm_intel_snapshot *snap);

/* Drops the current reference. Views must have been released first. */
void cm_intel_current_destroy(struct cm_intel_current *c);

/* Makes snap current (its reference moves in; NULL allowed) and drops the old one's. */
void cm_intel_current_publish(struct cm_intel_current *c, struct cm_intel_snapshot *snap);

/* An empty view: refresh it before use. */
void cm_intel_view_init(struct cm_intel_view *v);

/*
 * Brings v up to the current snapshot and returns it (NULL: no intel). Use
 * the result until the next refresh or release.
 */
const struct cm_intel_snapshot *cm_intel_view_refresh(struct cm_intel_view *v,
                                                      struct cm_intel_current *c);

/* Drops v's reference. */
void cm_intel_view_release(struct cm_intel_view *v);

#endif
