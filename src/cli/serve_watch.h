/*
 * The follow engine of `coalmine serve --watch` (docs/serve.md): the engine of `coalmine
 * scan --follow` (scan_engine.h, scan_follow.h) on a thread of its own with its own store
 * connection. Before each poll's scan it looks at the store's ACTIVE API lists (IPSet,
 * ThreatIntelSet, ...; docs/api-write.md) and, when they changed since the snapshot was
 * built, rebuilds the intel and swaps it in (lib/intel snapshots are immutable and
 * refcounted: the detectors' memos keep their own reference), so a list created through
 * the API applies from the next poll without a restart. It also reads which of the
 * API's detectors are disabled (UpdateDetector enable=false) and drops the findings of
 * their (account, region) before they are stored. After a poll that stored findings it
 * kicks the bus thread, which delivers them. Findings are stored, not printed.
 */
#ifndef CM_CLI_SERVE_WATCH_H
#define CM_CLI_SERVE_WATCH_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/scan_engine.h"
#include "cli/scan_follow.h"
#include "cli/scan_paths.h"
#include "cli/serve_loop.h"
#include "cli/serve_status.h"

#define CM_SERVE_MAX_OFF 256 /* disabled detectors kept (more: the rest are not honoured) */

struct cm_serve_watch {
    /* set by the command before cm_serve_watch_open */
    struct cm_scan_engine e;      /* options and config taken (cm_scan_engine_option/_config) */
    struct cm_scan_follow follow; /* poll_s, settle_s, checkpoint_s */
    char **paths;                 /* watched, as given */
    size_t npaths;
    const char *db_path;
    const char *state_path; /* the checkpoint file (never NULL: the command picks one) */
    const char *detector_id;
    const char *endpoint_url; /* of s3:// watched paths (--endpoint-url); NULL: the aws CLI's */
    const char *profile;      /* their AWS profile (--profile); NULL: AWS_PROFILE's */
    int quiet;
    struct cm_serve_status *status;
    struct cm_serve_loop *bus; /* kicked after a poll that stored findings; NULL: none */
    /* the watcher's own */
    char **abs;       /* paths made absolute */
    struct cm_s3 *s3; /* the client of s3:// watched paths (cli/scan_s3.h), else NULL */
    struct cm_scan_own own;
    uint64_t sets_sum; /* of the store's ACTIVE lists the snapshot was built with */
    /* The (account, region) pairs whose API detector is disabled, read before each poll:
     * their findings are dropped, not stored (UpdateDetector enable=false). */
    struct cm_serve_off {
        char account[16];
        char region[48];
    } off[CM_SERVE_MAX_OFF];
    size_t noff;
    uint64_t dropped_disabled; /* findings dropped so */
    volatile sig_atomic_t stop;
    atomic_int done; /* the thread ended (by itself: an error) */
    int rc;          /* its CM_EXIT_* once done */
    pthread_t th;
    bool started;
};

/*
 * Opens the engine (intel, detectors, inventory, the state file, the store) as `coalmine
 * scan --follow --state` does. Returns 0, or an error with err saying why.
 */
int cm_serve_watch_open(struct cm_serve_watch *w, char *err, size_t errlen);

/* Starts the thread. Returns 0 or an error of pthreads. */
int cm_serve_watch_start(struct cm_serve_watch *w);

/*
 * Stops the thread (the poll under way finishes, the state is written) and joins it.
 * Returns its CM_EXIT_* (CM_EXIT_OK when it was never started).
 */
int cm_serve_watch_stop(struct cm_serve_watch *w);

/* Frees the engine and paths; after stop. */
void cm_serve_watch_close(struct cm_serve_watch *w);

/*
 * A digest of the store's ACTIVE lists (ids, names, formats, status, content): what the
 * intel was built from. Returns 0 or an error (err).
 */
int cm_serve_watch_sets_sum(struct cm_store *st, uint64_t *sum, char *err, size_t errlen);

#endif
