/*
 * Watched S3 locations (follow_s3.h): each poll's listing, by the plan of aws/s3_plan.h.
 */
#include "core/follow_s3.h"

#include <stdio.h>
#include <string.h>

#include "aws/s3.h"
#include "aws/s3_plan.h"
#include "aws/s3_url.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/map.h"

#define DEFAULT_SWEEP_MS (60 * 60 * 1000)
#define MAX_WAIT_MS      (5 * 60 * 1000)
#define MAX_STREAMS      1000000

/* A watched location: its failures in a row and when it is listed again. */
struct loc {
    char *url;
    uint32_t fails;
    int64_t next_ms;
    char said[80]; /* the kind of failure said last ("" once it listed again) */
};

/* A dated stream (or a folder inside one) listed: its newest day, when listed whole. */
struct stream {
    uint32_t newest;  /* YYYYMMDD, 0: none yet */
    int64_t swept_ms; /* 0: never listed whole */
};

struct cm_follow_s3 {
    struct cm_follow_s3_opts o;
    struct cm_s3_conn *c;
    struct cm_map *streams; /* "bucket/folder" -> struct stream */
    struct loc *locs;
    size_t nlocs, caplocs;
    struct cm_follow_s3_stats st;
};

/* One location's listing at one poll. */
struct walk {
    struct cm_follow_s3 *fs;
    char bucket[64];
    const char *prefix; /* the location's */
    cm_follow_found_fn found;
    void *fud;
    struct cm_buf path;
    char **todo; /* folders found by a delimiter listing, to plan in turn */
    size_t ntodo, captodo;
    size_t root_len; /* the stream being listed: its root's length, 0: none */
    bool part;       /* some stream was listed from a day on (not whole) */
    uint32_t newest; /* ... the newest day found in it */
};

int cm_follow_s3_create(struct cm_follow_s3 **out, const struct cm_follow_s3_opts *o)
{
    struct cm_follow_s3 *fs = cm_calloc(1, sizeof(*fs));

    *out = NULL;
    if (fs == NULL) {
        return CM_ENOMEM;
    }
    fs->o = *o;
    fs->o.sweep_ms = o->sweep_ms ? o->sweep_ms : DEFAULT_SWEEP_MS;
    if (cm_map_create(&fs->streams, sizeof(struct stream), MAX_STREAMS, 0x73337374726dULL) != 0) {
        cm_free(fs);
        return CM_ENOMEM;
    }
    *out = fs;
    return 0;
}

void cm_follow_s3_destroy(struct cm_follow_s3 *fs)
{
    if (fs == NULL) {
        return;
    }
    cm_s3_conn_destroy(fs->c);
    cm_map_destroy(fs->streams);
    for (size_t i = 0; i < fs->nlocs; i++) {
        cm_free(fs->locs[i].url);
    }
    cm_free(fs->locs);
    cm_free(fs);
}

const struct cm_follow_s3_stats *cm_follow_s3_stats(const struct cm_follow_s3 *fs)
{
    return &fs->st;
}

void cm_follow_s3_poll_done(struct cm_follow_s3 *fs)
{
    fs->st.last_requests = 0;
}

static struct loc *loc_of(struct cm_follow_s3 *fs, const char *url)
{
    struct loc *l;

    for (size_t i = 0; i < fs->nlocs; i++) {
        if (strcmp(fs->locs[i].url, url) == 0) {
            return &fs->locs[i];
        }
    }
    if (cm_grow((void **)&fs->locs, &fs->caplocs, fs->nlocs + 1, sizeof(*fs->locs), 4) != 0) {
        return NULL;
    }
    l = &fs->locs[fs->nlocs];
    memset(l, 0, sizeof(*l));
    if ((l->url = cm_strndup(url, strlen(url))) == NULL) {
        return NULL;
    }
    fs->nlocs++;
    return l;
}

static int on_object(void *ud, const struct cm_s3_object *o)
{
    struct walk *w = ud;
    int rc;

    if (!cm_s3_plan_is_input(w->prefix, o->key)) {
        return 0;
    }
    if (w->root_len > 0) {
        uint32_t day = cm_s3_plan_day(o->key, w->root_len);

        w->newest = day > w->newest ? day : w->newest;
    }
    cm_buf_reset(&w->path);
    if ((rc = cm_buf_printf(&w->path, "s3://%s/%s", w->bucket, o->key)) != 0) {
        return rc;
    }
    return w->found(w->fud, w->path.p, o->size, o->etag);
}

static int on_folder(void *ud, const char *prefix)
{
    struct walk *w = ud;
    char *p;

    if (strncmp(prefix, w->prefix, strlen(w->prefix)) != 0) {
        return 0; /* not under the location (a server that ignored the prefix) */
    }
    if (cm_grow((void **)&w->todo, &w->captodo, w->ntodo + 1, sizeof(*w->todo), 16) != 0 ||
        (p = cm_strndup(prefix, strlen(prefix))) == NULL) {
        return CM_ENOMEM;
    }
    w->todo[w->ntodo++] = p;
    return 0;
}

/* Lists folder by its plan. Returns 0, CM_EIO (err) or CM_ENOMEM. */
static int list_folder(struct walk *w, const char *folder, int64_t now_ms, char *err, size_t errlen)
{
    struct cm_follow_s3 *fs = w->fs;
    struct cm_s3_list_opts lo = {0};
    enum cm_s3_plan plan = CM_S3_PLAN_FULL;
    struct stream *s = NULL;
    char after[CM_S3_MAX_KEY + 16];
    size_t root_len = 0;
    int rc;

    if (!fs->o.full) {
        plan = cm_s3_plan_folder(folder, &root_len);
    }
    if (plan == CM_S3_PLAN_SKIP) {
        return 0;
    }
    w->root_len = 0;
    if (plan == CM_S3_PLAN_DESCEND) {
        lo.delimiter = "/";
        lo.folder = on_folder;
    } else if (plan == CM_S3_PLAN_STREAM) {
        struct cm_buf k;
        bool created;

        cm_buf_init(&k, 0);
        rc = cm_buf_printf(&k, "%s/%s", w->bucket, folder);
        if (rc == 0) {
            rc = cm_map_put(fs->streams, k.p, k.len, (void **)&s, &created);
        }
        cm_buf_finish(&k);
        if (rc == CM_EFULL) {
            s = NULL; /* too many streams to remember: this one is listed whole */
        } else if (rc != 0) {
            return rc;
        }
        fs->st.streams = cm_map_count(fs->streams);
        w->root_len = root_len;
        w->newest = s != NULL ? s->newest : 0;
        if (s != NULL && s->newest != 0 && s->swept_ms != 0 &&
            (fs->o.sweep_ms < 0 || now_ms - s->swept_ms < fs->o.sweep_ms) &&
            cm_s3_plan_start_after(folder, root_len, s->newest, after, sizeof(after)) == 0) {
            lo.start_after = after;
            w->part = true;
        }
    }
    rc = cm_s3_list_with(fs->c, w->bucket, folder, &lo, on_object, w, err, errlen);
    fs->st.requests += lo.pages;
    fs->st.last_requests += lo.pages;
    if (rc == 0 && s != NULL) {
        s->newest = w->newest;
        if (lo.start_after == NULL) {
            s->swept_ms = now_ms;
            fs->st.sweeps++;
        }
    }
    w->root_len = 0;
    return rc;
}

/* The kind of a failure, for saying each once: S3's code, or the reason up to its ':'. */
static void kind_of(const char *err, char *kind, size_t cap)
{
    size_t n = strcspn(err, ":(");

    snprintf(kind, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), err);
}

int cm_follow_s3_list(void *ud, const char *url, int64_t now_ms, cm_follow_found_fn found,
                      void *fud, bool *whole)
{
    struct cm_follow_s3 *fs = ud;
    struct cm_s3_url u;
    struct walk w;
    struct loc *l = loc_of(fs, url);
    char err[600] = "", *prefix = NULL;
    int rc;

    *whole = false;
    if (l == NULL) {
        return CM_ENOMEM;
    }
    if (l->fails > 0 && now_ms < l->next_ms) {
        return CM_EUNAVAIL; /* waiting after a failure */
    }
    if (cm_s3_url_parse(url, &u, err, sizeof(err)) != 0 || u.bucket.len >= sizeof(w.bucket)) {
        rc = CM_EIO;
        goto failed;
    }
    if (fs->c == NULL && (rc = cm_s3_conn_create(fs->o.s3, &fs->c)) != 0) {
        return rc;
    }
    memset(&w, 0, sizeof(w));
    w.fs = fs;
    memcpy(w.bucket, u.bucket.p, u.bucket.len);
    if ((prefix = cm_strndup(u.prefix.p, u.prefix.len)) == NULL) {
        return CM_ENOMEM;
    }
    w.prefix = prefix;
    w.found = found;
    w.fud = fud;
    cm_buf_init(&w.path, 0);
    rc = list_folder(&w, prefix, now_ms, err, sizeof(err));
    while (rc == 0 && w.ntodo > 0) {
        char *folder = w.todo[--w.ntodo];

        rc = list_folder(&w, folder, now_ms, err, sizeof(err));
        cm_free(folder);
    }
    while (w.ntodo > 0) {
        cm_free(w.todo[--w.ntodo]);
    }
    cm_free(w.todo);
    cm_buf_finish(&w.path);
    cm_free(prefix);
    *whole = rc == 0 && !w.part;
    if (rc == 0) {
        if (l->fails > 0 && !fs->o.quiet) {
            fprintf(stderr, "coalmine follow: %s: listed again after %u failure%s\n", url, l->fails,
                    l->fails == 1 ? "" : "s");
        }
        l->fails = 0;
        l->said[0] = '\0';
        return 0;
    }
    if (rc != CM_EIO) {
        return rc; /* out of memory, or the follow's own error: the run ends */
    }
failed:
    fs->st.list_errors++;
    l->fails++;
    l->next_ms = cm_follow_retry_at(now_ms, l->fails, fs->o.poll_ms, MAX_WAIT_MS);
    {
        char kind[sizeof(l->said)];

        kind_of(err, kind, sizeof(kind));
        if (strcmp(kind, l->said) != 0) {
            if (!fs->o.quiet) {
                fprintf(stderr,
                        "coalmine follow: %s: %s (listed again later, waiting longer at each "
                        "failure: what was found there is kept)\n",
                        url, err);
            }
            snprintf(l->said, sizeof(l->said), "%s", kind);
        }
    }
    return CM_EUNAVAIL;
}
