/*
 * Watched S3 locations (docs/s3.md "Watching a bucket", docs/internals/follow.md): the
 * lister a follow (core/follow.h, opts.list) polls "s3://bucket[/prefix]" paths with.
 *
 * Each poll lists a location by its plan (aws/s3_plan.h): the folders above AWS's dated
 * streams with the delimiter '/' (new accounts, regions and VPCs are found at every poll),
 * each stream from the day before the newest day it held at the poll before (StartAfter),
 * folders of no known layout whole. A stream is listed whole at its first poll, and again
 * every sweep_ms (default 1 hour), so an object delivered into an older day folder (a
 * late delivery, a backfill) is found within that. Each object that a scan of the
 * location takes as an input (aws/s3_plan.h, cm_s3_plan_is_input) goes to the follow's
 * found callback as "s3://bucket/key" with its size and ETag.
 *
 * A listing that fails (after the client's own retries, aws/s3.h) makes the follow keep
 * what it found there before (CM_EUNAVAIL): the location is listed again after a wait that
 * doubles at each failure in a row (one poll, two, four, ..., at most 5 minutes). Each
 * failure is said on stderr once per kind (S3's code or the transfer's reason) until the
 * location lists again, which is said too.
 */
#ifndef CM_CORE_FOLLOW_S3_H
#define CM_CORE_FOLLOW_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/follow.h"

struct cm_s3;
struct cm_follow_s3;

struct cm_follow_s3_stats {
    uint64_t requests;      /* LIST requests (pages) made, all polls */
    uint64_t last_requests; /* ... at the last poll (every location) */
    uint64_t list_errors;   /* listings that failed */
    uint64_t streams;       /* dated streams known */
    uint64_t sweeps;        /* full listings of streams (first polls and sweeps) */
};

struct cm_follow_s3_opts {
    struct cm_s3 *s3; /* the client (aws/s3.h); kept, not owned */
    int64_t poll_ms;  /* the follow's poll interval: the first wait after a failure */
    int64_t sweep_ms; /* between full listings of each stream (0: 1 hour; < 0: never) */
    bool full;        /* list every location whole at every poll (no plan) */
    bool quiet;       /* nothing on stderr */
};

/* Returns 0 or CM_ENOMEM. */
int cm_follow_s3_create(struct cm_follow_s3 **out, const struct cm_follow_s3_opts *o);
void cm_follow_s3_destroy(struct cm_follow_s3 *fs);

/* The follow's lister (cm_follow_opts.list, list_ud = fs). */
int cm_follow_s3_list(void *fs, const char *url, int64_t now_ms, cm_follow_found_fn found,
                      void *fud, bool *whole);

/* Starts a poll's count of requests (last_requests); the follow's tick calls it. */
void cm_follow_s3_poll_done(struct cm_follow_s3 *fs);

const struct cm_follow_s3_stats *cm_follow_s3_stats(const struct cm_follow_s3 *fs);

#endif
