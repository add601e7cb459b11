/*
 * Watched directories: the engine fed continuously (DESIGN.md §1; `coalmine scan --follow`,
 * and the service's watched-directory source). docs/follow.md, docs/internals/follow.md.
 *
 * cm_follow_run polls the watched paths with stat(): every regular file found under them
 * (recursively; hidden and temporary names left out, cm_follow_temp_name) is tracked by
 * path with its size and mtime. A file is handed over once its size and mtime were the
 * same at two consecutive polls and its mtime is at least settle_ms old
 * (cm_follow_observe), so a file being written or downloaded is not read half. While
 * files keep appearing or changing (a sync in progress), the ready ones are held back, up
 * to hold_max_ms, so what arrives together is read together in key order, not in the order
 * a sync's parallel downloads finished. The files ready at one poll go to the caller's batch
 * callback at once, sorted by the time in their object key (then by path), the order a batch scan
 * reads them in; the callback says of each whether it was read or is to be offered again (a gzip
 * cut short while recent: a download in progress). A read file is not offered again unless its size
 * or mtime change (then it is another file, read whole again).
 *
 * What is tracked is bounded by the files present under the watched paths: a file that
 * is gone at a poll is forgotten. What was read before a restart is the caller's to know
 * (the state file's identities of files read, detect/fileseen.h): the first poll of a run
 * offers every stable file, and the caller leaves out, unread, the ones it read before.
 */
#ifndef CM_CORE_FOLLOW_H
#define CM_CORE_FOLLOW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/fileseen.h"

/* What the watcher knows of one file (cm_follow_observe). */
enum cm_follow_state {
    CM_FOLLOW_NEW = 0,  /* not seen before this poll */
    CM_FOLLOW_PENDING,  /* seen, not yet stable or not yet old enough */
    CM_FOLLOW_READ,     /* handed over and read, as it is now */
    CM_FOLLOW_DEFERRED, /* handed over, and the caller asked for it again later */
};

struct cm_follow_track {
    uint64_t size;
    int64_t mtime_ns;
    int state;          /* enum cm_follow_state */
    bool has_id;        /* id is the identity of the file as read (CM_FOLLOW_READ) */
    int64_t ready_ms;   /* wall clock when it was first found ready and held back, 0: not */
    int64_t since_ms;   /* wall clock at the poll that first found it as it is now */
    uint64_t seen_poll; /* the last poll that found it */
    struct cm_file_id id;
    /* An object of a listed location (opts.list): whole when listed, mtime_ns a hash of its
     * tag; a deferred one (its read failed) is offered again at retry_at_ms. */
    bool object;
    char *tag;           /* the object's tag as listed (owned by the watcher) */
    uint32_t fails;      /* reads failed in a row (deferred) */
    int64_t retry_at_ms; /* wall clock */
};

/*
 * One poll's look at a tracked file of size bytes, modified at mtime_ns, at now_ms (wall
 * clock): updates t and returns true when the file is to be handed over now. A file is
 * handed over when it was seen with the same size and mtime at the poll before, its
 * age is settle_ms or more, and it is not read as it is; a deferred one, only once
 * it changed and settled again, or once its age is retry_ms (the caller then takes
 * it as it is). A file that changes after it was read is pending again: another file.
 * Its age counts from its mtime, or from the poll that first found it as it is when
 * that is earlier (an mtime ahead of the clock); a clock set back restarts that count.
 */
bool cm_follow_observe(struct cm_follow_track *t, uint64_t size, int64_t mtime_ns, int64_t now_ms,
                       int64_t settle_ms, int64_t retry_ms);

/*
 * The same for an object of a listed location (an S3 object: whole once listed, no settle
 * wait), of size bytes and tag hash tag_hash: handed over when new or changed (another
 * object under the same name), or when deferred and now_ms reached its retry_at_ms.
 */
bool cm_follow_observe_object(struct cm_follow_track *t, uint64_t size, int64_t tag_hash,
                              int64_t now_ms);

/*
 * When a deferred object (its read failed fails times in a row, fails >= 1) is offered
 * again: now_ms plus poll_ms doubled at each failure, at most max_ms.
 */
int64_t cm_follow_retry_at(int64_t now_ms, uint32_t fails, int64_t poll_ms, int64_t max_ms);

/*
 * Whether a base name is one a writer uses for a file not yet complete, or not a log:
 * hidden names (".name", aws s3's and rsync's partial files among them), "*.tmp",
 * "*.temp", "*.part", "*.partial", "*.crdownload", "*.swp", "*~", and the temporary
 * name `aws s3 cp/sync` downloads to before it renames the file into place: the final
 * name, a dot and 8 hex digits (s3transfer's get_temp_filename).
 */
bool cm_follow_temp_name(const char *base);

/* A file handed over, for the duration of the callback. */
struct cm_follow_file {
    const char *path;
    uint64_t size;
    int64_t mtime_ns;
    int64_t key_ms;  /* the stamp in its object key, INT64_MIN when none */
    const char *tag; /* an object of a listed location: its tag (S3: the ETag); else NULL */
};

/* What the callback says of each file. */
enum { CM_FOLLOW_TAKEN = 0, CM_FOLLOW_AGAIN };
struct cm_follow_verdict {
    int what;             /* CM_FOLLOW_TAKEN (read, or left out as read before) or _AGAIN */
    bool has_id;          /* taken: id is the file's identity (detect/fileseen.h) */
    struct cm_file_id id; /* ... kept while the file is there (cm_follow_each_read) */
};

struct cm_follow;

/*
 * Calls fn with the path (path[0, pathlen), not NUL-terminated), size and identity of
 * every file tracked as read that is still there (the tick callback's view), so the
 * caller can keep remembering them while they stay. Returns 0 or fn's first error.
 */
typedef int (*cm_follow_read_fn)(void *ud, const char *path, size_t pathlen, uint64_t size,
                                 const struct cm_file_id *id);
int cm_follow_each_read(const struct cm_follow *f, cm_follow_read_fn fn, void *ud);

/* Sorts files[0..n) by key time (none first), then by path: a batch scan's input order. */
void cm_follow_sort(struct cm_follow_file *files, size_t n);

struct cm_follow_stats {
    uint64_t polls;       /* polls done */
    uint64_t batches;     /* polls that handed files over */
    uint64_t files;       /* files handed over and taken */
    uint64_t again;       /* files the callback asked for again */
    uint64_t held;        /* polls that held ready files back while others still changed */
    size_t tracked;       /* files tracked now */
    size_t unstable;      /* ... of them not yet stable or not yet old enough */
    uint64_t walk_errors; /* paths or directories that could not be listed (said at once) */
    uint64_t list_failed; /* listings of a listed location that failed (opts.list) */
    uint64_t retried;     /* objects offered again after a failed read */
};

/* What opts.list calls for each object found: path, size and tag (copied). */
typedef int (*cm_follow_found_fn)(void *fud, const char *path, uint64_t size, const char *tag);

struct cm_follow_opts {
    char *const *paths; /* files and directories watched (absolute or relative) */
    size_t npaths;
    int64_t poll_ms;   /* between the start of one poll and the next (default 10 s) */
    int64_t settle_ms; /* how old a file's mtime must be, besides stable (default 0) */
    int64_t retry_ms;   /* a deferred file unchanged this long is offered as it is
                           (default 15 min) */    /* Ready files wait while other files appear or change at each poll, at most this long
     * from when the first of them was ready (default: 6 polls, at least 60 s; < 0: never
     * wait). */
    int64_t hold_max_ms;
    size_t max_tracked; /* files tracked at most (default 10 million): past it, new files
                           wait until others go (said once on stderr) */
    /*
     * The files ready at this poll, sorted (cm_follow_sort); fills verdict[0..n) (zeroed:
     * taken, no identity). Returns 0, or an error that ends the run (cm_follow_run
     * returns it).
     */
    int (*batch)(void *ud, const struct cm_follow_file *files, size_t n,
                 struct cm_follow_verdict *verdict);
    /* After every poll, whatever it handed over (files: how many taken); may be NULL.
     * f is the watcher (cm_follow_each_read). Returns 0 or an error that ends the run. */
    int (*tick)(void *ud, const struct cm_follow *f, size_t files);
    void *ud;
    /* Files never handed over, by identity (device and inode, looked up at every poll):
     * the caller's own files kept in a watched folder (its state, its store and journals,
     * its metrics), which change at every poll. May be NULL. */
    const char *const *ignore;
    size_t nignore;
    /*
     * The lister of watched paths that are no local paths ("s3://...": core/follow_s3.h);
     * NULL: none (such a path is a walk error). Lists path at now_ms (wall clock), calling
     * found for each object, and returns 0, with *whole false when only part of the
     * location was listed (the days of a dated stream from one on): the objects found
     * under path before and not listed now are still there (kept; one not yet read is
     * offered as it was listed); CM_EUNAVAIL when the location was not listed this poll (a
     * failure it said and counted, or a wait after one): the same; or an error that ends
     * the run.
     */
    int (*list)(void *list_ud, const char *path, int64_t now_ms, cm_follow_found_fn found,
                void *fud, bool *whole);
    void *list_ud;
    /* Polls to run, 0: until *stop (tests and --once-like uses). */
    uint64_t max_polls;
    bool quiet; /* no message on stderr for a walk error */
};

/*
 * Polls until *stop becomes non-zero (a signal handler sets it; checked between files'
 * batches and every 50 ms while waiting), or max_polls polls ran. The batch in progress
 * is finished before it returns. Returns 0, CM_EINVAL for bad options, CM_ENOMEM, or the
 * first error of a callback (err says which).
 */
int cm_follow_run(const struct cm_follow_opts *o, volatile sig_atomic_t *stop,
                  struct cm_follow_stats *st, char *err, size_t errlen);

#endif
