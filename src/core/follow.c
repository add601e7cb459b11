/*
 * The watched-directory loop (follow.h): walk, settle, hand over, sleep.
 */
#include "core/follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/sqs_loc.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/map.h"
#include "base/str.h"
#include "base/time.h"
#include "core/clock.h"

#define DEFAULT_POLL_MS   (10 * 1000)
#define DEFAULT_RETRY_MS  (15 * 60 * 1000)
#define DEFAULT_HOLD_MS   (60 * 1000)
#define DEFAULT_MAX_TRACK ((size_t)10 * 1000 * 1000)
#define CHUNK_FILES       1000 /* files per callback: a stop is seen between chunks */
#define MAX_DEPTH         64
#define STOP_CHECK_MS     50

/* The watcher (struct cm_follow of follow.h): one poll's work and what it tracks. */
struct cm_follow {
    const struct cm_follow_opts *o;
    struct cm_map *tracked; /* path -> struct cm_follow_track */
    uint64_t poll;
    int64_t now_ms;
    struct cm_follow_file *ready;
    size_t nready, capready;
    size_t unstable;
    size_t changes;       /* files new or changed at this poll */
    int64_t oldest_ready; /* the earliest ready_ms of the ready files */
    uint64_t errors;
    bool full_said;
    uint64_t ignore_dev[8], ignore_ino[8]; /* o->ignore's files found at this poll */
    size_t nignore;
    bool first;
    const char *part[64]; /* listed locations listed in part (or not) at this poll */
    size_t npart;
    bool keep;            /* more than 64 of them: forget no object */
    uint64_t list_failed; /* listed locations not listed at this poll */
    int rc;
};

static int64_t mtime_ns_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + (int64_t)st->st_mtim.tv_nsec;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');

    return s != NULL ? s + 1 : path;
}

static void walk_error(struct cm_follow *w, const char *path, int e)
{
    w->errors++;
    if (!w->o->quiet && w->first) {
        fprintf(stderr, "coalmine follow: %s: %s (watched again at every poll)\n", path,
                strerror(e));
    }
}

/* Notes which of the caller's own files exist now, by identity. */
static void find_ignored(struct cm_follow *w)
{
    w->nignore = 0;
    for (size_t i = 0; i < w->o->nignore && w->nignore < 8; i++) {
        struct stat st;

        if (w->o->ignore[i] != NULL && stat(w->o->ignore[i], &st) == 0) {
            w->ignore_dev[w->nignore] = (uint64_t)st.st_dev;
            w->ignore_ino[w->nignore++] = (uint64_t)st.st_ino;
        }
    }
}

static bool ignored(const struct cm_follow *w, const struct stat *st)
{
    for (size_t i = 0; i < w->nignore; i++) {
        if (w->ignore_dev[i] == (uint64_t)st->st_dev && w->ignore_ino[i] == (uint64_t)st->st_ino) {
            return true;
        }
    }
    return false;
}

/* A regular file found: tracked, and ready when it settled. */
static void found_file(struct cm_follow *w, const char *path, const struct stat *st)
{
    struct cm_follow_track *t;
    bool created, same;
    int rc;

    if (ignored(w, st)) {
        return;
    }
    rc = cm_map_put(w->tracked, path, strlen(path), (void **)&t, &created);

    if (rc == CM_EFULL) {
        if (!w->full_said && !w->o->quiet) {
            fprintf(stderr,
                    "coalmine follow: %zu files tracked: new ones wait until some are gone\n",
                    cm_map_count(w->tracked));
        }
        w->full_said = true;
        w->unstable++;
        return;
    }
    if (rc != 0) {
        w->rc = rc;
        return;
    }
    t->seen_poll = w->poll;
    same = t->state != CM_FOLLOW_NEW && t->size == (uint64_t)st->st_size &&
           t->mtime_ns == mtime_ns_of(st);
    if (!same) {
        w->changes++;
        t->ready_ms = 0;
    }
    if (!cm_follow_observe(t, (uint64_t)st->st_size, mtime_ns_of(st), w->now_ms, w->o->settle_ms,
                           w->o->retry_ms)) {
        w->unstable += t->state == CM_FOLLOW_PENDING;
        return;
    }
    if (t->ready_ms == 0 || t->ready_ms > w->now_ms) { /* a clock set back: from now */
        t->ready_ms = w->now_ms;
    }
    if (w->nready == 0 || t->ready_ms < w->oldest_ready) {
        w->oldest_ready = t->ready_ms;
    }
    if (cm_grow((void **)&w->ready, &w->capready, w->nready + 1, sizeof(*w->ready), 64) != 0) {
        w->rc = CM_ENOMEM;
        return;
    }
    struct cm_follow_file *f = &w->ready[w->nready];
    if ((f->path = cm_strndup(path, strlen(path))) == NULL) {
        w->rc = CM_ENOMEM;
        return;
    }
    f->tag = NULL;
    f->size = (uint64_t)st->st_size;
    f->mtime_ns = mtime_ns_of(st);
    if (cm_time_from_key(cm_str_cstr(base_of(path)), &f->key_ms) != 0) {
        f->key_ms = INT64_MIN;
    }
    w->nready++;
}

static void walk_dir(struct cm_follow *w, const char *dir, int depth)
{
    DIR *d;
    struct dirent *de;
    size_t ld = strlen(dir);

    if (depth > MAX_DEPTH) {
        walk_error(w, dir, ELOOP);
        return;
    }
    if ((d = opendir(dir)) == NULL) {
        walk_error(w, dir, errno);
        return;
    }
    while (w->rc == 0 && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t ln = strlen(name);
        struct stat st;
        char *p;

        /* Hidden and temporary names, and CloudTrail's digests (signatures, not records). */
        if (cm_follow_temp_name(name) || strcmp(name, "CloudTrail-Digest") == 0) {
            continue;
        }
        if ((p = cm_malloc(ld + ln + 2)) == NULL) {
            w->rc = CM_ENOMEM;
            break;
        }
        memcpy(p, dir, ld);
        p[ld] = '/';
        memcpy(p + ld + 1, name, ln + 1);
        /* A link to a file is followed; a link to a directory is not (no cycles). */
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_dir(w, p, depth + 1);
        } else if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            found_file(w, p, &st);
        }
        cm_free(p);
    }
    closedir(d);
}

/* A hash of an object's tag, kept where a file's mtime is (cm_follow_observe_object). */
static int64_t tag_hash(const char *tag)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const char *p = tag != NULL ? tag : ""; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    }
    return (int64_t)(h >> 1);
}

/* An object of a listed location found (opts.list's found): ready at once. */
static int found_object(void *fud, const char *path, uint64_t size, const char *tag)
{
    struct cm_follow *w = fud;
    struct cm_follow_track *t;
    struct cm_follow_file *f;
    bool created;
    int64_t th = tag_hash(tag);
    int rc = cm_map_put(w->tracked, path, strlen(path), (void **)&t, &created);

    if (rc == CM_EFULL) {
        if (!w->full_said && !w->o->quiet) {
            fprintf(stderr,
                    "coalmine follow: %zu objects tracked: new ones wait until some are gone\n",
                    cm_map_count(w->tracked));
        }
        w->full_said = true;
        w->unstable++;
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    t->seen_poll = w->poll;
    t->object = true;
    if (t->state == CM_FOLLOW_NEW || t->size != size || t->mtime_ns != th) {
        char *copy = cm_strndup(tag != NULL ? tag : "", tag != NULL ? strlen(tag) : 0);

        if (copy == NULL) {
            return CM_ENOMEM;
        }
        cm_free(t->tag);
        t->tag = copy;
        w->changes++;
        t->ready_ms = 0;
    }
    if (!cm_follow_observe_object(t, size, th, w->now_ms)) {
        return 0;
    }
    if (t->ready_ms == 0) {
        t->ready_ms = w->now_ms;
    }
    if (w->nready == 0 || t->ready_ms < w->oldest_ready) {
        w->oldest_ready = t->ready_ms;
    }
    if (cm_grow((void **)&w->ready, &w->capready, w->nready + 1, sizeof(*w->ready), 64) != 0) {
        return CM_ENOMEM;
    }
    f = &w->ready[w->nready];
    memset(f, 0, sizeof(*f));
    if ((f->path = cm_strndup(path, strlen(path))) == NULL) {
        return CM_ENOMEM;
    }
    if ((f->tag = cm_strndup(tag != NULL ? tag : "", tag != NULL ? strlen(tag) : 0)) == NULL) {
        cm_free((void *)(uintptr_t)f->path);
        return CM_ENOMEM;
    }
    f->size = size;
    f->mtime_ns = th;
    if (cm_time_from_key(cm_str_cstr(base_of(path)), &f->key_ms) != 0) {
        f->key_ms = INT64_MIN;
    }
    w->nready++;
    return 0;
}

static void walk_path(struct cm_follow *w, const char *path)
{
    struct stat st;

    if (w->o->list != NULL && (strncmp(path, "s3://", 5) == 0 || cm_sqs_loc_is(path))) {
        bool whole = true;
        int rc = w->o->list(w->o->list_ud, path, w->now_ms, found_object, w, &whole);

        if (rc == CM_EUNAVAIL) {
            w->list_failed++;
            whole = false;
        } else if (rc != 0) {
            w->rc = rc;
            return;
        }
        if (!whole && w->npart < sizeof(w->part) / sizeof(w->part[0])) {
            w->part[w->npart++] = path;
        } else if (!whole) {
            w->keep = true;
        }
        return;
    }
    if (stat(path, &st) != 0) {
        walk_error(w, path, errno);
    } else if (S_ISDIR(st.st_mode)) {
        walk_dir(w, path, 0);
    } else if (S_ISREG(st.st_mode)) {
        found_file(w, path, &st);
    } else {
        walk_error(w, path, EINVAL);
    }
}

/* Whether object path is under a location listed in part (or not at all) at this poll. */
static bool in_part(const struct cm_follow *w, const char *path)
{
    if (w->keep) {
        return true;
    }
    for (size_t i = 0; i < w->npart; i++) {
        if (strncmp(path, w->part[i], strlen(w->part[i])) == 0) {
            return true;
        }
    }
    return false;
}

/* An object kept though not listed, to offer as it was listed (reoffer). */
struct kept {
    char *path;
    uint64_t size;
    char *tag;
};

/*
 * Forgets the files no longer found: what is tracked is what is there. An object of a
 * location listed in part is still there: kept, and offered again as it was listed when
 * it is not read yet (held back at the poll before, or its read failed).
 */
static void prune(struct cm_follow *w)
{
    struct cm_map_iter it;
    struct kept *again = NULL;
    size_t nagain = 0, capagain = 0;
    struct cm_str key;
    void *v;

    cm_map_iter_init(w->tracked, &it);
    while (w->rc == 0 && cm_map_next(w->tracked, &it, &key, &v)) {
        struct cm_follow_track *t = v;

        if (t->seen_poll == w->poll) {
            continue;
        }
        if (t->object && (w->npart > 0 || w->keep)) {
            char *p = cm_strndup(key.p, key.len);

            if (p == NULL) {
                w->rc = CM_ENOMEM;
                break;
            }
            if (in_part(w, p)) {
                t->seen_poll = w->poll;
                if (t->state != CM_FOLLOW_READ &&
                    cm_grow((void **)&again, &capagain, nagain + 1, sizeof(*again), 16) == 0) {
                    again[nagain++] = (struct kept){p, t->size, t->tag};
                    p = NULL;
                } else if (t->state != CM_FOLLOW_READ) {
                    w->rc = CM_ENOMEM;
                }
                cm_free(p);
                continue;
            }
            cm_free(p);
        }
        cm_free(t->tag);
        cm_map_iter_del(w->tracked, &it);
    }
    for (size_t i = 0; i < nagain; i++) {
        if (w->rc == 0) {
            char *tag = again[i].tag; /* the track's: found_object keeps it (same tag) */
            int rc = found_object(w, again[i].path, again[i].size, tag);

            w->rc = rc != 0 ? rc : w->rc;
        }
        cm_free(again[i].path);
    }
    cm_free(again);
}

static void free_ready(struct cm_follow *w)
{
    for (size_t i = 0; i < w->nready; i++) {
        cm_free((void *)(uintptr_t)w->ready[i].path);
        cm_free((void *)(uintptr_t)w->ready[i].tag);
    }
    w->nready = 0;
}

/* Hands the ready files over in chunks; notes what the callback said of each. */
/*
 * *stop, read atomically: a signal handler sets it in `scan --follow`, another thread
 * (the service's main thread, with __atomic_store_n) in `coalmine serve`.
 */
static bool stopped(volatile sig_atomic_t *stop)
{
    return __atomic_load_n(stop, __ATOMIC_SEQ_CST) != 0;
}

static int hand_over(struct cm_follow *w, volatile sig_atomic_t *stop, struct cm_follow_stats *st,
                     size_t *taken, char *err, size_t errlen)
{
    static const size_t chunk = CHUNK_FILES;
    struct cm_follow_verdict *verdict = cm_calloc(chunk, sizeof(*verdict));
    int rc = 0;

    if (verdict == NULL) {
        return CM_ENOMEM;
    }

    cm_follow_sort(w->ready, w->nready);
    for (size_t at = 0; at < w->nready && !stopped(stop) && rc == 0; at += chunk) {
        size_t n = w->nready - at < chunk ? w->nready - at : chunk;

        memset(verdict, 0, n * sizeof(verdict[0]));
        if ((rc = w->o->batch(w->o->ud, w->ready + at, n, verdict)) != 0) {
            if (err[0] == '\0') {
                snprintf(err, errlen, "reading the files found: %s", cm_strerror(rc));
            }
            break;
        }
        for (size_t i = 0; i < n; i++) {
            const char *p = w->ready[at + i].path;
            struct cm_follow_track *t = cm_map_get(w->tracked, p, strlen(p));

            bool again = verdict[i].what == CM_FOLLOW_AGAIN;

            st->again += again;
            st->files += !again;
            *taken += !again;
            if (t != NULL) {
                t->ready_ms = 0;
                if (again && t->object) { /* its read failed: again later, waiting longer */
                    st->retried += t->state == CM_FOLLOW_DEFERRED;
                    t->fails = t->state == CM_FOLLOW_DEFERRED ? t->fails + 1 : 1;
                    t->retry_at_ms =
                        cm_follow_retry_at(w->now_ms, t->fails, w->o->poll_ms, w->o->retry_ms);
                }
                t->state = again ? CM_FOLLOW_DEFERRED : CM_FOLLOW_READ;
                t->has_id = !again && verdict[i].has_id;
                t->id = verdict[i].id;
            }
        }
    }
    cm_free(verdict);
    return rc;
}

int cm_follow_each_read(const struct cm_follow *f, cm_follow_read_fn fn, void *ud)
{
    struct cm_map_iter it;
    struct cm_str key;
    void *v;
    int rc = 0;

    cm_map_iter_init(f->tracked, &it);
    while (rc == 0 && cm_map_next(f->tracked, &it, &key, &v)) {
        const struct cm_follow_track *t = v;

        if (t->state == CM_FOLLOW_READ && t->has_id) {
            rc = fn(ud, key.p, key.len, t->size, &t->id);
        }
    }
    return rc;
}

/*
 * Sleeps until the monotonic clock reaches deadline_ms and the wall clock wall_ms + every,
 * looking at *stop every STOP_CHECK_MS. The next poll's time (the wall clock's, by which
 * retries fall due) is then at least every after wall_ms, the last poll's: each clock read to
 * the millisecond, a poll every ms after the last by the monotonic clock could read the wall
 * clock every - 1 ms on, and a retry due one interval on waited a poll more. A wall clock set
 * back since wall_ms is not waited for.
 */
static void wait_until(int64_t deadline_ms, int64_t wall_ms, int64_t every,
                       volatile sig_atomic_t *stop)
{
    for (;;) {
        struct timespec now, ts;
        int64_t now_ms, left, wall = cm_clock_now_ms();

        clock_gettime(CLOCK_MONOTONIC, &now);
        now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        left = deadline_ms - now_ms;
        if (wall >= wall_ms && wall_ms + every - wall > left) {
            left = wall_ms + every - wall;
        }
        if (stopped(stop) || left <= 0) {
            return;
        }
        left = left > STOP_CHECK_MS ? STOP_CHECK_MS : left;
        ts.tv_sec = (time_t)(left / 1000);
        ts.tv_nsec = (long)(left % 1000) * 1000000L;
        nanosleep(&ts, NULL); /* a signal cuts it short: *stop is looked at */
    }
}

static int64_t mono_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int cm_follow_run(const struct cm_follow_opts *opts, volatile sig_atomic_t *stop,
                  struct cm_follow_stats *st, char *err, size_t errlen)
{
    struct cm_follow_opts o = *opts;
    struct cm_follow w;
    int rc = 0;

    memset(st, 0, sizeof(*st));
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (o.npaths == 0 || o.batch == NULL || o.poll_ms < 0 || o.settle_ms < 0 || o.retry_ms < 0) {
        snprintf(err, errlen, "follow: no path, no callback or a negative interval");
        return CM_EINVAL;
    }
    o.poll_ms = o.poll_ms ? o.poll_ms : DEFAULT_POLL_MS;
    o.retry_ms = o.retry_ms ? o.retry_ms : DEFAULT_RETRY_MS;
    o.max_tracked = o.max_tracked ? o.max_tracked : DEFAULT_MAX_TRACK;
    if (o.hold_max_ms == 0) {
        o.hold_max_ms = 6 * o.poll_ms > DEFAULT_HOLD_MS ? 6 * o.poll_ms : DEFAULT_HOLD_MS;
    }
    memset(&w, 0, sizeof(w));
    w.o = &o;
    w.first = true;
    if (cm_map_create(&w.tracked, sizeof(struct cm_follow_track), o.max_tracked,
                      0x666f6c6c6f77ULL) != 0) {
        snprintf(err, errlen, "follow: out of memory");
        return CM_ENOMEM;
    }
    while (!stopped(stop) && (o.max_polls == 0 || st->polls < o.max_polls)) {
        int64_t started = mono_ms();
        size_t taken = 0;

        w.poll++;
        w.now_ms = cm_clock_now_ms();
        w.unstable = 0;
        w.changes = 0;
        w.errors = 0;
        w.keep = false;
        w.npart = 0;
        w.list_failed = 0;
        find_ignored(&w);
        for (size_t i = 0; i < o.npaths && w.rc == 0; i++) {
            walk_path(&w, o.paths[i]);
        }
        if ((rc = w.rc) != 0) {
            snprintf(err, errlen, "follow: %s", cm_strerror(rc));
            break;
        }
        prune(&w);
        if ((rc = w.rc) != 0) {
            snprintf(err, errlen, "follow: %s", cm_strerror(rc));
            break;
        }
        w.first = false;
        st->walk_errors += w.errors;
        st->list_failed += w.list_failed;
        if (w.nready > 0 && w.changes > 0 && o.hold_max_ms >= 0 &&
            w.now_ms - w.oldest_ready < o.hold_max_ms) {
            st->held++; /* others still arriving: read them all together, in key order */
        } else if (w.nready > 0) {
            st->batches++;
            rc = hand_over(&w, stop, st, &taken, err, errlen);
        }
        free_ready(&w);
        st->polls++;
        st->tracked = cm_map_count(w.tracked);
        st->unstable = w.unstable;
        if (rc == 0 && o.tick != NULL && (rc = o.tick(o.ud, &w, taken)) != 0 && err[0] == '\0') {
            snprintf(err, errlen, "follow: %s", cm_strerror(rc));
        }
        if (rc != 0) {
            break;
        }
        if (o.max_polls == 0 || st->polls < o.max_polls) {
            wait_until(started + o.poll_ms, w.now_ms, o.poll_ms, stop);
        }
    }
    free_ready(&w);
    cm_free(w.ready);
    {
        struct cm_map_iter it;
        void *v;

        cm_map_iter_init(w.tracked, &it);
        while (cm_map_next(w.tracked, &it, NULL, &v)) {
            cm_free(((struct cm_follow_track *)v)->tag);
        }
    }
    cm_map_destroy(w.tracked);
    return rc;
}
