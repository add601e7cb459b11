/*
 * The intel registry file, data_dir/lists.json: reading it into a config
 * (the user's lists and the update state of every feed), writing it
 * atomically, the data dir's lock, and adding and removing user lists. The
 * manifest, the directories and the entries are intel_config.c's. See
 * intel/intel_config.h (the calls) and intel/intel_registry.h.
 */
#include "intel/intel_registry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "intel/feed_update.h"

#define REGISTRY_VERSION 1

/* ---- reading the registry ---- */

static int get_u64(struct cm_intel_json_ctx *p, uint32_t obj, const char *key, uint64_t *out)
{
    uint32_t v = cm_intel_json_member(p, obj, key);
    int64_t x;

    if (v == CM_JSON_NONE) {
        return 0;
    }
    if (cm_json_type(p->d, v) != CM_JSON_NUMBER || cm_json_i64(p->d, v, &x) != 0 || x < 0) {
        return cm_intel_json_err(p, v, "\"%s\" must be a whole number >= 0", key);
    }
    *out = (uint64_t)x;
    return 0;
}

/* A time member: "YYYY-MM-DDTHH:MM:SSZ" into Unix seconds. */
static int get_time(struct cm_intel_json_ctx *p, uint32_t obj, const char *key, int64_t *out)
{
    char *s = NULL;
    int64_t ms;
    int rc = cm_intel_json_str(p, obj, key, false, &s);

    if (rc == 0 && s != NULL) {
        if (cm_time_parse_iso(cm_str_cstr(s), &ms) != 0) {
            rc = cm_intel_json_err(p, cm_intel_json_member(p, obj, key),
                                   "\"%s\" is not an ISO 8601 time", key);
        } else {
            *out = ms / 1000;
        }
    }
    cm_free(s);
    return rc;
}

static int parse_state(struct cm_intel_config *c, struct cm_intel_json_ctx *p, uint32_t o)
{
    struct cm_intel_entry *e;
    struct cm_intel_feed_state *s;
    char *name = NULL;
    int rc;

    if (cm_json_type(p->d, o) != CM_JSON_OBJECT) {
        return cm_intel_json_err(p, o, "a state must be an object");
    }
    if ((rc = cm_intel_json_str(p, o, "name", true, &name)) != 0) {
        return rc;
    }
    e = cm_intel_config_find(c, name);
    cm_free(name);
    if (e == NULL || e->origin == CM_INTEL_BUILTIN) {
        return 0; /* the state of a feed no longer in the manifest */
    }
    s = &e->st;
    if ((rc = cm_intel_json_str(p, o, "etag", false, &s->etag)) != 0 ||
        (rc = cm_intel_json_str(p, o, "lastModified", false, &s->last_modified)) != 0 ||
        (rc = cm_intel_json_str(p, o, "failure", false, &s->failure)) != 0 ||
        (rc = get_time(p, o, "checked", &s->checked)) != 0 ||
        (rc = get_time(p, o, "succeeded", &s->succeeded)) != 0 ||
        (rc = get_time(p, o, "changed", &s->changed)) != 0 ||
        (rc = get_time(p, o, "failed", &s->failed)) != 0 ||
        (rc = get_u64(p, o, "bytes", &s->bytes)) != 0 ||
        (rc = get_u64(p, o, "entries", &s->entries)) != 0) {
        return rc;
    }
    return get_u64(p, o, "bad", &s->bad);
}

static int parse_registry(struct cm_intel_config *c, struct cm_intel_json_ctx *p)
{
    uint32_t arr;
    int rc = cm_intel_json_version(p, REGISTRY_VERSION);

    if (rc == 0 && (arr = cm_intel_json_member(p, 0, "lists")) != CM_JSON_NONE) {
        if (cm_json_type(p->d, arr) != CM_JSON_ARRAY) {
            return cm_intel_json_err(p, arr, "\"lists\" must be an array");
        }
        for (uint32_t o = cm_json_first(p->d, arr); rc == 0 && o != CM_JSON_NONE;
             o = cm_json_next(p->d, arr, o)) {
            struct cm_intel_entry *e = cm_intel_entry_push(c);

            if (e == NULL) {
                snprintf(p->err, p->errlen, "out of memory");
                return CM_ENOMEM;
            }
            if ((rc = cm_intel_json_list(p, o, e, false)) != 0 ||
                (rc = cm_intel_json_unique(p, c, c->nbundle, o)) != 0 ||
                (rc = cm_intel_json_str(p, o, "file", false, &e->origin_path)) != 0 ||
                (rc = cm_intel_json_str(p, o, "url", false, &e->url)) != 0 ||
                (rc = cm_intel_json_str(p, o, "description", false, &e->description)) != 0 ||
                (rc = get_time(p, o, "added", &e->added)) != 0) {
                break;
            }
            if ((e->url == NULL) == (e->origin_path == NULL)) {
                return cm_intel_json_err(p, o, "%s: a list has either \"file\" or \"url\"",
                                         e->name);
            }
            e->origin = e->url ? CM_INTEL_USER_FEED : CM_INTEL_USER_FILE;
            e->enabled = true;
            e->path = cm_intel_strf("%s/%s/%s", c->data_dir, e->url ? "feeds" : "lists", e->name);
            if (e->path == NULL) {
                snprintf(p->err, p->errlen, "out of memory");
                return CM_ENOMEM;
            }
        }
    }
    if (rc == 0 && (arr = cm_intel_json_member(p, 0, "state")) != CM_JSON_NONE) {
        if (cm_json_type(p->d, arr) != CM_JSON_ARRAY) {
            return cm_intel_json_err(p, arr, "\"state\" must be an array");
        }
        for (uint32_t o = cm_json_first(p->d, arr); rc == 0 && o != CM_JSON_NONE;
             o = cm_json_next(p->d, arr, o)) {
            rc = parse_state(c, p, o);
        }
    }
    return rc;
}

int cm_intel_registry_load(struct cm_intel_config *c, char *err, size_t errlen)
{
    struct cm_json_doc d;
    struct cm_buf b;
    struct cm_intel_json_ctx p = {&d, c->registry_path, err, errlen};
    int rc;

    while (c->n > c->nbundle) {
        cm_intel_entry_free(&c->v[--c->n]);
    }
    for (size_t i = 0; i < c->n; i++) {
        cm_intel_state_free(&c->v[i].st);
    }
    cm_buf_init(&b, CM_INTEL_JSON_MAX);
    cm_json_doc_init(&d, 0, 16);
    rc = cm_intel_json_read(c->registry_path, &b, &d, err, errlen);
    if (rc == CM_ENOTFOUND) {
        rc = 0; /* nothing added or fetched yet */
    } else if (rc == 0 && (rc = parse_registry(c, &p)) != 0) {
        while (c->n > c->nbundle) { /* no half-read entry stays */
            cm_intel_entry_free(&c->v[--c->n]);
        }
    }
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    return rc;
}

/* ---- the lock ---- */

int cm_intel_config_lock(struct cm_intel_config *c, char *err, size_t errlen)
{
    char *path;
    int rc;

    if (c->lock_fd >= 0) {
        return 0;
    }
    if ((rc = cm_intel_mkdirs(c->data_dir, err, errlen)) != 0) {
        return rc;
    }
    if ((path = cm_intel_strf("%s/.lock", c->data_dir)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        cm_free(path);
        return CM_EIO;
    }
    cm_free(path);
    return cm_intel_registry_load(c, err, errlen);
}

/* ---- writing the registry ---- */

static void put_str(struct cm_jw *jw, const char *key, const char *v)
{
    if (v != NULL) {
        cm_jw_key(jw, key);
        cm_jw_str(jw, v);
    }
}

static void put_time(struct cm_jw *jw, const char *key, int64_t t)
{
    char s[32];

    if (t > 0) {
        cm_time_format_iso_s(t * 1000, s, sizeof(s));
        put_str(jw, key, s);
    }
}

static void put_state(struct cm_jw *jw, const struct cm_intel_entry *e)
{
    const struct cm_intel_feed_state *s = &e->st;

    if (s->checked == 0 && s->changed == 0 && s->bytes == 0 && s->entries == 0) {
        return;
    }
    cm_jw_obj_begin(jw);
    put_str(jw, "name", e->name);
    put_str(jw, "etag", s->etag);
    put_str(jw, "lastModified", s->last_modified);
    put_time(jw, "checked", s->checked);
    put_time(jw, "succeeded", s->succeeded);
    put_time(jw, "changed", s->changed);
    put_time(jw, "failed", s->failed);
    put_str(jw, "failure", s->failure);
    cm_jw_key(jw, "bytes");
    cm_jw_u64(jw, s->bytes);
    cm_jw_key(jw, "entries");
    cm_jw_u64(jw, s->entries);
    cm_jw_key(jw, "bad");
    cm_jw_u64(jw, s->bad);
    cm_jw_obj_end(jw);
}

int cm_intel_config_save(struct cm_intel_config *c, char *err, size_t errlen)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, CM_INTEL_JSON_MAX);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "version");
    cm_jw_u64(&jw, REGISTRY_VERSION);
    cm_jw_key(&jw, "lists");
    cm_jw_arr_begin(&jw);
    for (size_t i = c->nbundle; i < c->n; i++) {
        const struct cm_intel_entry *e = &c->v[i];

        cm_jw_obj_begin(&jw);
        put_str(&jw, "name", e->name);
        put_str(&jw, "kind", cm_intel_kind_name(e->kind));
        put_str(&jw, "category", cm_intel_category_name(e->category));
        put_str(&jw, "format", e->format ? e->format->name : NULL);
        put_str(&jw, "threat_name", e->threat_name);
        put_str(&jw, "file", e->origin_path);
        put_str(&jw, "url", e->url);
        put_str(&jw, "description", e->description);
        put_time(&jw, "added", e->added);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "state");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < c->n; i++) {
        put_state(&jw, &c->v[i]);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) != 0 || (rc = cm_buf_putc(&b, '\n')) != 0) {
        snprintf(err, errlen, "%s: %s", c->registry_path, cm_strerror(rc));
    } else {
        rc = cm_intel_write_atomic(c->data_dir, "lists.json", b.p, b.len, err, errlen);
    }
    cm_buf_finish(&b);
    return rc;
}

/* ---- add and remove ---- */

static bool url_ok(const char *url)
{
    static const char *const schemes[] = {"http://", "https://", "file://"};

    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(schemes[i]);
        if (strncasecmp(url, schemes[i], n) == 0 && url[n] != '\0') {
            return strpbrk(url, " \t\r\n") == NULL;
        }
    }
    return false;
}

int cm_intel_config_add(struct cm_intel_config *c, const struct cm_intel_add *a,
                        cm_intel_bad_fn bad, void *ud, struct cm_intel_source_report *rep,
                        char *err, size_t errlen)
{
    struct cm_intel_entry *e, *old;
    char real[PATH_MAX];
    int rc;

    if (!cm_intel_name_ok(a->name)) {
        snprintf(err, errlen,
                 "'%s': a list name is 1-%d characters of A-Z a-z 0-9 . _ - "
                 "(not starting with '.')",
                 a->name, CM_INTEL_LIST_NAME_MAX);
        return CM_EINVAL;
    }
    if ((old = cm_intel_config_find(c, a->name)) != NULL) {
        snprintf(err, errlen, "%s: a list of that name exists (%s)", a->name,
                 old->origin < CM_INTEL_USER_FILE ? "in the bundle" : "added before");
        return CM_EEXIST;
    }
    if ((a->file == NULL) == (a->url == NULL) || (a->url && !url_ok(a->url))) {
        snprintf(err, errlen, "%s: give a FILE or --url URL (http, https or file)", a->name);
        return CM_EINVAL;
    }
    if ((e = cm_intel_entry_push(c)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    e->origin = a->url ? CM_INTEL_USER_FEED : CM_INTEL_USER_FILE;
    e->kind = a->kind;
    e->category = a->has_category                   ? a->category
                  : a->kind == CM_INTEL_KIND_THREAT ? CM_CAT_CUSTOM
                                                    : CM_CAT_UNKNOWN;
    e->format = a->format;
    e->enabled = true;
    e->added = (int64_t)time(NULL);
    e->name = cm_intel_strf("%s", a->name);
    e->url = a->url ? cm_intel_strf("%s", a->url) : NULL;
    e->origin_path = a->file ? cm_intel_strf("%s", realpath(a->file, real) ? real : a->file) : NULL;
    e->path = cm_intel_strf("%s/%s/%s", c->data_dir, a->url ? "feeds" : "lists", a->name);
    if (e->name == NULL || e->path == NULL || (a->url && !e->url) || (a->file && !e->origin_path)) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ENOMEM;
    } else if (a->file) {
        rc = cm_intel_copy_file(c->data_dir, e, a->allow_bad, bad, ud, rep, err, errlen);
    } else {
        rc = 0;
    }
    if (rc == 0 && (rc = cm_intel_config_save(c, err, errlen)) != 0 && a->file) {
        unlink(e->path);
    }
    if (rc != 0) {
        cm_intel_entry_free(&c->v[--c->n]);
    }
    return rc;
}

int cm_intel_config_remove(struct cm_intel_config *c, const char *name, char *err, size_t errlen)
{
    struct cm_intel_entry *e = cm_intel_config_find(c, name), gone;
    size_t i;
    int rc;

    if (e == NULL) {
        snprintf(err, errlen, "%s: no such list", name);
        return CM_ENOTFOUND;
    }
    if (e->origin < CM_INTEL_USER_FILE) {
        snprintf(err, errlen, "%s: a list of the bundle; it cannot be removed", name);
        return CM_EINVAL;
    }
    i = (size_t)(e - c->v);
    gone = *e;
    memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(c->v[0]));
    c->n--;
    if ((rc = cm_intel_config_save(c, err, errlen)) == 0 && unlink(gone.path) != 0 &&
        errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", gone.path, strerror(errno));
        rc = CM_EIO;
    }
    cm_intel_entry_free(&gone);
    return rc;
}
