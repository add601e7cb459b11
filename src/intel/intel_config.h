/*
 * The intel registry: where the intel bundle and the intel state live, what
 * they hold, and which lists apply by default (issue #4, docs/intel.md).
 *
 * Share dir (the installed bundle, read-only): $COALMINE_SHARE when set,
 * else <dir of the executable>/../share/coalmine when it holds
 * intel/manifest.json (an install: /usr/local/bin -> /usr/local/share; the
 * source tree: build/coalmine -> share/coalmine), else CM_PREFIX
 * "/share/coalmine". It holds intel/manifest.json (the bundle's version,
 * built-in lists and feeds) and intel/builtin/ (the lists we author). When
 * no manifest is found the bundle is empty (share_dir NULL); a manifest that
 * is found but cannot be read or parsed is an error.
 *
 * Data dir (the state, written by `coalmine intel`): the intel_dir argument
 * (--intel-dir), else $COALMINE_INTEL_DIR, else $XDG_DATA_HOME/coalmine/intel,
 * else $HOME/.local/share/coalmine/intel. It holds
 *   lists.json    the registry: lists added with `intel add` and the update
 *                 state of every feed (validators, last success and failure
 *                 with its reason, bytes, entries);
 *   feeds/NAME    the last good copy of feed NAME;
 *   lists/NAME    the copy of the file added as NAME.
 * Nothing is created until something is written. Every file is replaced
 * atomically (temp file in the same directory, fsync, rename, fsync of the
 * directory), so a reader sees the old or the new file, never a mix. A
 * registry that cannot be parsed is an error naming the file and offset; it
 * is never overwritten silently.
 *
 * Entries: one per list, in this order: the bundle's built-in lists, the
 * manifest's feeds, then the user's lists in the order they were added.
 * Names are unique per origin; a user list may not take a bundle name.
 *
 * A config is single-threaded. Strings are owned by the config.
 *
 * Implemented in intel_config.c (directories, manifest, entries, sources)
 * and intel_registry.c (lists.json, the lock, add, remove); what the two
 * share is in intel/intel_registry.h, internal to src/intel/.
 */
#ifndef CM_INTEL_INTEL_CONFIG_H
#define CM_INTEL_INTEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/format.h"
#include "intel/indicator.h"
#include "intel/intel_load.h"

/* Longest list name: names are file names in feeds/ and lists/. */
#define CM_INTEL_LIST_NAME_MAX 128

/* Where a list comes from. */
enum cm_intel_origin {
    CM_INTEL_BUILTIN = 0, /* a built-in list of the bundle (share dir) */
    CM_INTEL_FEED,        /* a feed of the bundle's manifest */
    CM_INTEL_USER_FILE,   /* added with `intel add NAME FILE` */
    CM_INTEL_USER_FEED,   /* added with `intel add NAME --url URL` */
};

/* Update state of a feed (and, for user files, what was recorded when added). */
struct cm_intel_feed_state {
    char *etag; /* validators of the last good copy; NULL when none */
    char *last_modified;
    int64_t checked;   /* Unix seconds of the last attempt; 0: never */
    int64_t succeeded; /* of the last success (updated or unchanged) */
    int64_t changed;   /* when the last good copy was written */
    int64_t failed;    /* of the last failure */
    char *failure;     /* its reason; NULL when the last attempt succeeded */
    uint64_t bytes;    /* size of the last good copy */
    uint64_t entries;  /* networks and names it loaded */
    uint64_t bad;      /* bad records skipped in it */
};

struct cm_intel_entry {
    char *name;
    enum cm_intel_origin origin;
    enum cm_intel_kind kind;
    enum cm_intel_category category;      /* CUSTOM: customer list; UNKNOWN: per item */
    const struct cm_intel_format *format; /* NULL: sniffed from the content */
    char *url;                            /* feeds; NULL otherwise */
    char *licence;                        /* bundle lists and feeds */
    char *licence_note;
    char *homepage;
    char *description;
    char *threat_name; /* default threat name; NULL: by category */
    char *origin_path; /* user files: the file given to `intel add` */
    char *path;        /* the file that is loaded (it may not exist yet for a feed) */
    bool enabled;      /* feeds: refreshed by `intel update` without names */
    int64_t added;     /* user lists: Unix seconds */
    struct cm_intel_feed_state st;
};

struct cm_intel_config {
    char *share_dir;     /* NULL: no bundle found */
    char *manifest_path; /* NULL with share_dir */
    char *data_dir;
    char *registry_path; /* data_dir/lists.json */
    char *bundle;        /* the bundle's version string ("" when none) */
    struct cm_intel_entry *v;
    size_t n, cap;
    size_t nbundle;               /* v[0..nbundle) come from the manifest */
    struct cm_intel_source *srcs; /* cm_intel_config_sources() */
    size_t nsrcs;
    int lock_fd; /* -1: not locked */
};

/* What `intel add` adds. */
struct cm_intel_add {
    const char *name;
    const char *file; /* a file to copy, or */
    const char *url;  /* a feed (http, https or file URL), fetched by `intel update` */
    enum cm_intel_kind kind;
    enum cm_intel_category category; /* default: CUSTOM for threat, UNKNOWN for trusted */
    bool has_category;
    const struct cm_intel_format *format; /* NULL: sniffed */
    bool allow_bad;                       /* add a file even when some records are bad */
};

/*
 * Finds the share and data directories (intel_dir: the data dir, NULL for
 * the default), reads the manifest and the registry. Returns 0; CM_EINVAL
 * (a manifest or registry that cannot be parsed, no data dir: neither
 * $HOME nor $XDG_DATA_HOME set), CM_EIO, CM_ENOMEM; err says which file and
 * why. c must be freed either way; after an error it holds no half-read list.
 */
int cm_intel_config_init(struct cm_intel_config *c, const char *intel_dir, char *err,
                         size_t errlen);

/* Frees everything and drops the lock. Idempotent. */
void cm_intel_config_free(struct cm_intel_config *c);

/*
 * Every list that applies by default: the bundle's built-in lists, the last
 * good copies of the manifest's enabled feeds and of user feeds (those that
 * were ever fetched), the user's files. *srcs (owned by c, valid until the
 * next call or cm_intel_config_free) gets *n sources ready for
 * cm_intel_open(). Returns 0 or CM_ENOMEM.
 */
int cm_intel_config_sources(struct cm_intel_config *c, struct cm_intel_source **srcs, size_t *n,
                            char *err, size_t errlen);

/* The source of one entry (its file need not exist). */
void cm_intel_config_source(const struct cm_intel_entry *e, struct cm_intel_source *out);

/* The entry of that name (user lists first), or NULL. */
struct cm_intel_entry *cm_intel_config_find(struct cm_intel_config *c, const char *name);

/* True when name is usable as a list name: 1-128 of [A-Za-z0-9._-], not starting with '.'. */
bool cm_intel_name_ok(const char *name);

/*
 * Takes the data dir's lock (creating the dir) for a change, then reads the
 * registry again so the change applies to the latest state. Held until
 * cm_intel_config_free. Returns 0, CM_EIO or CM_EINVAL (err says why).
 */
int cm_intel_config_lock(struct cm_intel_config *c, char *err, size_t errlen);

/* Writes the registry atomically. Returns 0, CM_EIO or CM_ENOMEM. */
int cm_intel_config_save(struct cm_intel_config *c, char *err, size_t errlen);

/*
 * Adds a user list (lock first). A file is copied into lists/ and checked by
 * loading the copy (bad records go to bad with the user's path; rep, when not
 * NULL, gets the load report): a file its reader rejects, with no entries, or
 * with bad records (unless allow_bad) is refused and nothing changes. A URL
 * is registered only. Saves the registry. Returns 0; CM_EEXIST (name taken),
 * CM_EINVAL (bad name, URL or file), CM_EIO, CM_ENOMEM.
 */
int cm_intel_config_add(struct cm_intel_config *c, const struct cm_intel_add *a,
                        cm_intel_bad_fn bad, void *ud, struct cm_intel_source_report *rep,
                        char *err, size_t errlen);

/*
 * Removes a user list (lock first): its entry, its state and its file.
 * Returns 0; CM_ENOTFOUND; CM_EINVAL for a bundle list; CM_EIO.
 */
int cm_intel_config_remove(struct cm_intel_config *c, const char *name, char *err, size_t errlen);

/* A new string printf-formats (free with cm_free), or NULL when out of memory. */
char *cm_intel_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A random hash seed for a snapshot (getrandom, else time and pid). */
uint64_t cm_intel_seed(void);

/* "builtin", "feed", "file" or "url". */
const char *cm_intel_origin_name(enum cm_intel_origin o);

#endif
