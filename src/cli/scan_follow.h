/*
 * `coalmine scan --follow`: the scan fed continuously from watched directories
 * (core/follow.h; docs/follow.md, docs/internals/follow.md).
 *
 * Every poll that finds files ready runs one scan of them (cm_scan_run) with the
 * detectors' state carried from the poll before in memory (cm_scan_state_carry: windows
 * close by the watermark only, never at a poll's end), then stores, prints and routes its
 * findings as a batch scan does. The state is written to --state FILE every
 * --checkpoint-interval seconds and at shutdown (SIGINT, SIGTERM): a restart goes on where
 * it stopped, neither reading a file again nor forgetting what was learned. Without
 * --state the state lives in memory only, and shutdown closes every window (reports what
 * they hold), as a batch scan's end does.
 */
#ifndef CM_CLI_SCAN_FOLLOW_H
#define CM_CLI_SCAN_FOLLOW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/scan_findings.h"
#include "cli/scan_inventory.h"
#include "cli/scan_state.h"
#include "core/follow.h"
#include "core/follow_s3.h"
#include "core/follow_sqs.h"
#include "core/scan.h"
#include "intel/geoip.h"
#include "store/store.h"

/* getopt codes (long options only), after scan_state.h's. */
enum {
    CM_SCAN_OPT_FOLLOW = 0x180,
    CM_SCAN_OPT_POLL_INTERVAL,
    CM_SCAN_OPT_SETTLE,
    CM_SCAN_OPT_CHECKPOINT_INTERVAL,
};

/* Defaults, seconds. */
#define CM_FOLLOW_POLL_S       10.0
#define CM_FOLLOW_SETTLE_S     0.0
#define CM_FOLLOW_CHECKPOINT_S 300.0

struct cm_scan_follow {
    /* set by the command */
    bool on;                /* --follow */
    double poll_s;          /* --poll-interval */
    double settle_s;        /* --settle */
    double checkpoint_s;    /* --checkpoint-interval */
    struct cm_scan_opts *o; /* the scan's options (o->state set by cm_scan_state_*) */
    struct cm_scan_findings *cli;
    struct cm_scan_state *state;
    struct cm_scan_inventory *inv;
    const struct cm_geoip *geo;
    struct cm_store *store; /* --db; NULL: none */
    const char *db_path;
    const struct cm_config *cfg; /* secrets for the targets (--config); NULL: none */
    const char *metrics_path;
    bool no_route;
    int quiet;
    char **paths; /* watched, absolute */
    size_t npaths;
    /*
     * The service's hooks (coalmine serve; NULL: none), called on the follow's thread:
     * before_poll before each poll's scan (the intel reloaded when the store's lists
     * changed), filter before its findings are stored (those of a disabled detector
     * dropped), after_poll after it, with what it read and the findings it stored.
     */
    void (*before_poll)(void *ud);
    /* Before a poll's findings are stored: may drop some from cli->order[0..norder). */
    void (*filter)(void *ud, struct cm_scan_findings *cli);
    void (*after_poll)(void *ud, const struct cm_scan_stats *st, size_t files_read,
                       size_t findings);
    /* After every poll of a follow that watches S3 locations: what its lister did and the
     * objects whose GET failed so far (may be NULL). */
    void (*after_s3)(void *ud, const struct cm_follow_s3_stats *st, uint64_t fetch_failed);
    /* After every poll of a follow that watches SQS queues: what its reader did (may be NULL). */
    void (*after_sqs)(void *ud, const struct cm_follow_sqs_stats *st);
    void *hook_ud;
    const char *endpoint_url; /* --endpoint-url: S3's and SQS's endpoint; NULL: none */
    /* the run's own */
    int64_t last_ckpt_ms; /* monotonic: the last checkpoint written (or the start) */
    bool dirty;           /* state read since the last checkpoint */
    uint32_t noted_day;   /* cm_scan_state_today() when the files read were last noted */
    uint64_t polls_read, files_read, findings_new, findings_updated;
    uint64_t fetch_failed; /* S3 objects whose GET failed (read again at a later poll) */
    bool batch_said;       /* a poll's scan failed and said why (not said again) */
    struct cm_follow_stats fst;
    struct cm_follow_s3 *s3w;   /* the lister of the watched S3 locations; NULL: none */
    bool s3_full;               /* list S3 locations whole at every poll (no day plan) */
    struct cm_follow_sqs *sqsw; /* the reader of the watched SQS queues; NULL: none */
};

/*
 * Parses one of the options above into f. Returns 0, or -1 with err saying why (a usage
 * error).
 */
int cm_scan_follow_option(struct cm_scan_follow *f, int opt, const char *arg, char *err,
                          size_t errlen);

/* The options' lines of `coalmine scan --help`. */
#define CM_SCAN_FOLLOW_HELP                                                                        \
    "      --follow          keep watching the PATHs (like tail -f; docs/follow.md):\n"            \
    "                        read every file that appears once it is complete\n"                   \
    "                        (an s3:// PATH: every object once listed, docs/s3.md),\n"             \
    "                        store, print and route its findings at each poll,\n"                  \
    "                        the detectors' state kept between polls; with\n"                      \
    "                        --state, written every --checkpoint-interval and at\n"                \
    "                        SIGINT/SIGTERM (then exit 0), so a restart goes on\n"                 \
    "                        where it stopped; without, windows close at exit\n"                   \
    "      --poll-interval S with --follow: seconds between polls (default 10)\n"                  \
    "      --settle S        with --follow: a file is read once its size and mtime\n"              \
    "                        were the same at two polls and its mtime is S seconds\n"              \
    "                        old (default 0); temporary names (aws s3's NAME.XXXXXXXX,\n"          \
    "                        *.tmp, *.part, hidden) are never read\n"                              \
    "      --checkpoint-interval S  with --follow --state: seconds between state\n"                \
    "                        file writes (default 300)\n"

/*
 * The combinations --follow refuses, said on stderr: its interval options without it,
 * --final or --stats with it (opt_given: an interval option was given; final, stats: those
 * were), standard input among the paths. Returns 0, or -1 for a usage error.
 */
int cm_scan_follow_check(const struct cm_scan_follow *f, bool opt_given, bool final, bool stats,
                         char *const *paths, size_t npaths);

/*
 * Runs until SIGINT or SIGTERM (or *stop, when stop is not NULL: the service's flag),
 * then writes the state and returns. Returns CM_EXIT_OK, or CM_EXIT_ERROR (said on
 * stderr) when a poll could not be stored, printed or carried.
 */
int cm_scan_follow_run(struct cm_scan_follow *f, volatile sig_atomic_t *stop);

#endif
