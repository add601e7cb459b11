/*
 * Bringing list data into the intel directory (issue #4, docs/intel.md):
 * feed updates over HTTP(S) or file:// with libcurl into feeds/, copies of
 * added files into lists/, and the atomic file replacement both (and the
 * registry) use. Nothing replaces a file before the new content has been
 * checked by loading it with its list's format.
 *
 * One update is a conditional GET (If-None-Match / If-Modified-Since from the
 * feed's saved validators, sent only while its last good copy exists; a 304
 * is "unchanged"), with gzip and deflate content-encodings accepted, at most
 * 5 redirects (http and https only; an https feed is never redirected to
 * plain http or to file://), HTTPS peer and host verification always on, a
 * connect timeout, a total time cap and a size cap on the decoded body. The
 * body goes to a temp file in feeds/ that is then checked by loading it with
 * the feed's format into a throwaway snapshot (a body its reader rejects, or
 * with no indicators, is a failure); only then is it fsynced and renamed
 * over the last good copy. A body identical to the last good copy is
 * "unchanged" too. On any failure the last good copy stays as it was and no
 * temp file is left.
 *
 * The outcome is recorded in the entry's state (checked, succeeded, changed,
 * failed and why, validators, bytes, entries); the caller saves the registry
 * (cm_intel_config_save) and holds its lock (cm_intel_config_lock).
 *
 * libcurl must be initialised once per process before the first update
 * (curl_global_init), by the program, not here.
 */
#ifndef CM_INTEL_FEED_UPDATE_H
#define CM_INTEL_FEED_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "intel/intel_config.h"

#define CM_FEED_MAX_BYTES       ((uint64_t)64 << 20) /* default size cap: 64 MiB */
#define CM_FEED_CONNECT_TIMEOUT 30                   /* default connect timeout, seconds */
#define CM_FEED_MAX_TIME        600                  /* default total time cap, seconds */
#define CM_FEED_MAX_REDIRS      5

struct cm_feed_opts {
    uint64_t max_bytes;   /* 0: CM_FEED_MAX_BYTES */
    long connect_timeout; /* seconds; 0: CM_FEED_CONNECT_TIMEOUT */
    long max_time;        /* seconds; 0: CM_FEED_MAX_TIME */
};

enum cm_feed_result {
    CM_FEED_UPDATED = 0, /* a new last good copy is in place */
    CM_FEED_UNCHANGED,   /* 304, or the same bytes as the last good copy */
    CM_FEED_FAILED,      /* nothing changed but the state; reason says why */
};

struct cm_feed_outcome {
    enum cm_feed_result result;
    long status;      /* HTTP status of the last response (0: none, or file://) */
    uint64_t bytes;   /* body bytes received (decoded) */
    uint64_t entries; /* networks and names of the new copy */
    uint64_t bad;     /* bad records skipped in it */
    double seconds;   /* wall time of the transfer */
    char reason[512]; /* why it failed */
};

/*
 * Updates feed e (origin FEED or USER_FEED) of c under o (NULL: defaults).
 * Fills *out and e->st. Returns 0 when updated or unchanged, CM_EIO when the
 * transfer failed, CM_EINVAL when the body was rejected, CM_E2BIG over the
 * size cap, CM_ENOMEM.
 */
int cm_feed_update(struct cm_intel_config *c, struct cm_intel_entry *e,
                   const struct cm_feed_opts *o, struct cm_feed_outcome *out);

/*
 * Copies the file e->origin_path to e->path (lists/NAME under data_dir),
 * checked by loading the copy: bad records go to bad naming the user's file;
 * a file its reader rejects, with no indicators, or with bad records (unless
 * allow_bad) is refused and the copy removed. Sets e->st.bytes, entries and
 * bad. Returns 0, CM_EINVAL, CM_EIO or CM_ENOMEM (err says why).
 */
int cm_intel_copy_file(const char *data_dir, struct cm_intel_entry *e, bool allow_bad,
                       cm_intel_bad_fn bad, void *ud, struct cm_intel_source_report *rep, char *err,
                       size_t errlen);

/* "updated", "unchanged" or "failed". */
const char *cm_feed_result_name(enum cm_feed_result r);

/* ---- atomic files of the intel directory ---- */

/* Creates dir and its parents (mode 0755). Returns 0 or CM_EIO (err says why). */
int cm_intel_mkdirs(const char *dir, char *err, size_t errlen);

/*
 * Creates an empty temp file for dir/name in dir (".name.XXXXXX"; the mode of the
 * dir/name it will replace, else 0666 less the umask), creating dir: *path (owned,
 * cm_free) and *fd. Returns 0 or CM_EIO.
 */
int cm_intel_temp_create(const char *dir, const char *name, char **path, int *fd, char *err,
                         size_t errlen);

/*
 * Makes the temp file at tmp (written, fsynced and closed) dir/name: rename,
 * then fsync of dir. The temp file is removed on failure. Returns 0 or CM_EIO.
 */
int cm_intel_temp_commit(const char *tmp, const char *dir, const char *name, char *err,
                         size_t errlen);

/*
 * Writes len bytes of data to dir/name atomically (temp file, fsync,
 * rename, fsync of dir). Returns 0 or CM_EIO (err says why).
 */
int cm_intel_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                          char *err, size_t errlen);

/* A piece of a file cm_intel_write_atomic_parts writes: len bytes at p (borrowed). */
struct cm_intel_part {
    const void *p;
    size_t len;
};

/*
 * Writes parts[0..nparts) one after the other to dir/name atomically, as
 * cm_intel_write_atomic does, without joining them in memory first (a large
 * file made of pieces held elsewhere). Returns 0 or CM_EIO (err says why).
 */
int cm_intel_write_atomic_parts(const char *dir, const char *name,
                                const struct cm_intel_part *parts, size_t nparts, char *err,
                                size_t errlen);

/*
 * Loads the file at path as e's list into a throwaway snapshot: the check of
 * new content before it replaces anything. bad gets each bad record
 * (src->path is path); rep (may be NULL) the report. Returns 0; CM_EINVAL
 * when the reader rejects the file or it holds no indicators; CM_EIO;
 * CM_ENOMEM.
 */
int cm_intel_check_file(const struct cm_intel_entry *e, const char *path, cm_intel_bad_fn bad,
                        void *ud, struct cm_intel_source_report *rep, char *err, size_t errlen);

#endif
