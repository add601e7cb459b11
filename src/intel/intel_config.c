/*
 * The intel config: the share and data directories, the bundle's manifest,
 * the entries (one per list) and the sources that apply by default, and the
 * JSON reading of list objects the manifest and the registry share. The
 * registry file itself (lists.json, the lock, add and remove) is in
 * intel_registry.c. See intel/intel_config.h.
 */
#include "intel/intel_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "intel/intel_registry.h"
#include "source/source_file.h"

#ifndef CM_PREFIX
#define CM_PREFIX "/usr/local"
#endif

#define MANIFEST_VERSION 1

/* ---- small helpers ---- */

char *cm_intel_strf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (s = cm_malloc((size_t)n + 1)) == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;

    return path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads path whole into b. Returns 0, CM_ENOTFOUND (absent) or CM_EIO/CM_E2BIG/CM_ENOMEM. */
static int slurp(const char *path, struct cm_buf *b, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0) {
        if (errno == ENOENT) {
            return CM_ENOTFOUND;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    rc = cm_read_fd(fd, b, 0);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
    }
    close(fd);
    return rc;
}

const char *cm_intel_origin_name(enum cm_intel_origin o)
{
    static const char *const names[] = {"builtin", "feed", "file", "url"};

    return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

bool cm_intel_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > CM_INTEL_LIST_NAME_MAX || name[0] == '.') {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

uint64_t cm_intel_seed(void)
{
    uint64_t s = 0;

    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
        s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    }
    return s;
}

/* ---- entries ---- */

void cm_intel_state_free(struct cm_intel_feed_state *s)
{
    cm_free(s->etag);
    cm_free(s->last_modified);
    cm_free(s->failure);
    memset(s, 0, sizeof(*s));
}

void cm_intel_entry_free(struct cm_intel_entry *e)
{
    cm_free(e->name);
    cm_free(e->url);
    cm_free(e->licence);
    cm_free(e->licence_note);
    cm_free(e->homepage);
    cm_free(e->description);
    cm_free(e->threat_name);
    cm_free(e->origin_path);
    cm_free(e->path);
    cm_intel_state_free(&e->st);
    memset(e, 0, sizeof(*e));
}

struct cm_intel_entry *cm_intel_entry_push(struct cm_intel_config *c)
{
    void *v = c->v;

    if (cm_grow(&v, &c->cap, c->n + 1, sizeof(*c->v), 16) != 0) {
        return NULL;
    }
    c->v = v;
    memset(&c->v[c->n], 0, sizeof(c->v[0]));
    return &c->v[c->n++];
}

struct cm_intel_entry *cm_intel_config_find(struct cm_intel_config *c, const char *name)
{
    for (size_t i = c->n; i-- > 0;) {
        if (strcmp(c->v[i].name, name) == 0) {
            return &c->v[i];
        }
    }
    return NULL;
}

void cm_intel_config_source(const struct cm_intel_entry *e, struct cm_intel_source *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", e->name);
    out->path = e->path;
    out->format = e->format;
    out->kind = e->kind;
    out->category = e->kind == CM_INTEL_KIND_TRUSTED ? CM_CAT_UNKNOWN : e->category;
    out->threat_name = e->threat_name;
    /* Only the bundle's feeds: a list the user gives is the user's intent. */
    out->shared_guard = e->origin == CM_INTEL_FEED && e->kind == CM_INTEL_KIND_THREAT;
}

/* ---- JSON reading ---- */

int cm_intel_json_err(struct cm_intel_json_ctx *p, uint32_t node, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%s: byte %u: %s", p->file, cm_json_at(p->d, node)->off, why);
    return CM_EINVAL;
}

uint32_t cm_intel_json_member(struct cm_intel_json_ctx *p, uint32_t obj, const char *key)
{
    uint32_t v = cm_json_get(p->d, obj, key);

    return v != CM_JSON_NONE && cm_json_type(p->d, v) == CM_JSON_NULL ? CM_JSON_NONE : v;
}

int cm_intel_json_str(struct cm_intel_json_ctx *p, uint32_t obj, const char *key, bool required,
                      char **out)
{
    uint32_t v = cm_intel_json_member(p, obj, key);
    const struct cm_json_node *nd;
    char *s;
    size_t n;

    if (v == CM_JSON_NONE) {
        return required ? cm_intel_json_err(p, obj, "\"%s\" is missing", key) : 0;
    }
    if (cm_json_type(p->d, v) != CM_JSON_STRING) {
        return cm_intel_json_err(p, v, "\"%s\" must be a string", key);
    }
    nd = cm_json_at(p->d, v);
    if ((s = cm_malloc((size_t)nd->len + 1)) == NULL) {
        snprintf(p->err, p->errlen, "out of memory");
        return CM_ENOMEM;
    }
    n = cm_json_unescape(p->d->src + nd->off, nd->len, s);
    s[n] = '\0';
    if (strlen(s) != n) {
        cm_free(s);
        return cm_intel_json_err(p, v, "\"%s\" holds a NUL character", key);
    }
    cm_free(*out);
    *out = s;
    return 0;
}

int cm_intel_json_list(struct cm_intel_json_ctx *p, uint32_t o, struct cm_intel_entry *e,
                       bool need_category)
{
    char *s = NULL;
    int rc;

    if (cm_json_type(p->d, o) != CM_JSON_OBJECT) {
        return cm_intel_json_err(p, o, "a list must be an object");
    }
    if ((rc = cm_intel_json_str(p, o, "name", true, &e->name)) != 0) {
        return rc;
    }
    if (!cm_intel_name_ok(e->name)) {
        return cm_intel_json_err(p, o, "bad list name '%s'", e->name);
    }
    e->kind = CM_INTEL_KIND_THREAT;
    if ((rc = cm_intel_json_str(p, o, "kind", false, &s)) == 0 && s != NULL) {
        if (strcmp(s, "trusted") == 0) {
            e->kind = CM_INTEL_KIND_TRUSTED;
        } else if (strcmp(s, "threat") != 0) {
            rc = cm_intel_json_err(p, o, "%s: kind must be threat or trusted", e->name);
        }
    }
    cm_free(s);
    s = NULL;
    e->category = e->kind == CM_INTEL_KIND_THREAT ? CM_CAT_CUSTOM : CM_CAT_UNKNOWN;
    if (rc == 0 && (rc = cm_intel_json_str(p, o, "category", need_category, &s)) == 0 &&
        s != NULL && cm_intel_category_parse(cm_str_cstr(s), &e->category) != 0) {
        rc = cm_intel_json_err(p, o, "%s: unknown category '%s'", e->name, s);
    }
    cm_free(s);
    s = NULL;
    if (rc == 0 && (rc = cm_intel_json_str(p, o, "format", false, &s)) == 0 && s != NULL &&
        (e->format = cm_intel_format_find(cm_str_cstr(s))) == NULL) {
        rc = cm_intel_json_err(p, o, "%s: unknown format '%s'", e->name, s);
    }
    cm_free(s);
    if (rc == 0) {
        rc = cm_intel_json_str(p, o, "threat_name", false, &e->threat_name);
    }
    return rc;
}

int cm_intel_json_read(const char *path, struct cm_buf *b, struct cm_json_doc *d, char *err,
                       size_t errlen)
{
    struct cm_diag diag;
    int rc = slurp(path, b, err, errlen);

    if (rc != 0) {
        return rc;
    }
    cm_diag_clear(&diag);
    if ((rc = cm_json_parse(d, b->p, b->len, &diag)) != 0) {
        snprintf(err, errlen, "%s: byte %zu: %s (not valid JSON; fix or remove the file)", path,
                 diag.offset, diag.msg[0] ? diag.msg : cm_strerror(rc));
        return CM_EINVAL;
    }
    if (cm_json_type(d, 0) != CM_JSON_OBJECT) {
        snprintf(err, errlen, "%s: not a JSON object", path);
        return CM_EINVAL;
    }
    return 0;
}

int cm_intel_json_version(struct cm_intel_json_ctx *p, int64_t want)
{
    uint32_t v = cm_intel_json_member(p, 0, "version");
    int64_t x;

    if (v == CM_JSON_NONE || cm_json_i64(p->d, v, &x) != 0) {
        return cm_intel_json_err(p, 0, "\"version\" is missing or not a number");
    }
    if (x != want) {
        return cm_intel_json_err(p, v,
                                 "version %lld is not supported (this coalmine reads version %lld)",
                                 (long long)x, (long long)want);
    }
    return 0;
}

int cm_intel_json_unique(struct cm_intel_json_ctx *p, struct cm_intel_config *c, size_t from,
                         uint32_t node)
{
    const char *name = c->v[c->n - 1].name;

    for (size_t i = from; i + 1 < c->n; i++) {
        if (strcmp(c->v[i].name, name) == 0) {
            return cm_intel_json_err(p, node, "the list name '%s' is used twice", name);
        }
    }
    return 0;
}

static int parse_manifest(struct cm_intel_config *c, struct cm_intel_json_ctx *p)
{
    static const char *const arrays[] = {"builtin", "feeds"};
    int rc = cm_intel_json_version(p, MANIFEST_VERSION);

    if (rc == 0) {
        rc = cm_intel_json_str(p, 0, "bundle", false, &c->bundle);
    }
    for (unsigned a = 0; rc == 0 && a < 2; a++) {
        uint32_t arr = cm_intel_json_member(p, 0, arrays[a]);
        if (arr == CM_JSON_NONE) {
            continue;
        }
        if (cm_json_type(p->d, arr) != CM_JSON_ARRAY) {
            return cm_intel_json_err(p, arr, "\"%s\" must be an array", arrays[a]);
        }
        for (uint32_t o = cm_json_first(p->d, arr); rc == 0 && o != CM_JSON_NONE;
             o = cm_json_next(p->d, arr, o)) {
            struct cm_intel_entry *e = cm_intel_entry_push(c);
            char *file = NULL;

            if (e == NULL) {
                snprintf(p->err, p->errlen, "out of memory");
                return CM_ENOMEM;
            }
            e->origin = a == 0 ? CM_INTEL_BUILTIN : CM_INTEL_FEED;
            e->enabled = true;
            if ((rc = cm_intel_json_list(p, o, e, true)) != 0 ||
                (rc = cm_intel_json_unique(p, c, 0, o)) != 0 ||
                (rc = cm_intel_json_str(p, o, "licence", true, &e->licence)) != 0 ||
                (rc = cm_intel_json_str(p, o, "licence_note", false, &e->licence_note)) != 0 ||
                (rc = cm_intel_json_str(p, o, "homepage", false, &e->homepage)) != 0 ||
                (rc = cm_intel_json_str(p, o, "description", false, &e->description)) != 0) {
                break;
            }
            if (a == 0) {
                if ((rc = cm_intel_json_str(p, o, "file", true, &file)) == 0) {
                    if (file[0] == '/' || strstr(file, "..") != NULL) {
                        rc = cm_intel_json_err(
                            p, o, "%s: \"file\" must be a path inside the bundle", e->name);
                    } else if ((e->path = cm_intel_strf("%s/intel/%s", c->share_dir, file)) ==
                               NULL) {
                        rc = CM_ENOMEM;
                    }
                }
                cm_free(file);
                continue;
            }
            if ((rc = cm_intel_json_str(p, o, "url", true, &e->url)) != 0) {
                break;
            }
            if (cm_intel_json_member(p, o, "enabled") != CM_JSON_NONE) {
                e->enabled =
                    cm_json_type(p->d, cm_intel_json_member(p, o, "enabled")) == CM_JSON_TRUE;
            }
            if ((e->path = cm_intel_strf("%s/feeds/%s", c->data_dir, e->name)) == NULL) {
                rc = CM_ENOMEM;
            }
        }
    }
    if (rc == CM_ENOMEM) {
        snprintf(p->err, p->errlen, "out of memory");
    }
    return rc;
}

/* ---- directories ---- */

/* dir when it holds intel/manifest.json (canonical form), else NULL. */
static char *share_candidate(const char *dir)
{
    char real[PATH_MAX], *m = cm_intel_strf("%s/intel/manifest.json", dir);
    bool ok = exists(m);

    cm_free(m);
    if (!ok) {
        return NULL;
    }
    return realpath(dir, real) ? cm_intel_strf("%s", real) : cm_intel_strf("%s", dir);
}

static int find_share(struct cm_intel_config *c, char *err, size_t errlen)
{
    const char *env = getenv("COALMINE_SHARE");
    char exe[PATH_MAX];
    ssize_t n;

    if (env != NULL && env[0] != '\0') {
        if ((c->share_dir = share_candidate(env)) == NULL) {
            snprintf(err, errlen, "COALMINE_SHARE=%s: no intel/manifest.json there", env);
            return CM_EINVAL;
        }
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash, *dir;

        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            if ((dir = cm_intel_strf("%s/../share/coalmine", exe)) == NULL) {
                return CM_ENOMEM;
            }
            c->share_dir = share_candidate(dir);
            cm_free(dir);
        }
    }
    if (c->share_dir == NULL) {
        c->share_dir = share_candidate(CM_PREFIX "/share/coalmine");
    }
    return 0;
}

static int find_data(struct cm_intel_config *c, const char *intel_dir, char *err, size_t errlen)
{
    const char *env = getenv("COALMINE_INTEL_DIR"), *xdg = getenv("XDG_DATA_HOME"),
               *home = getenv("HOME");

    if (intel_dir != NULL && intel_dir[0] != '\0') {
        c->data_dir = cm_intel_strf("%s", intel_dir);
    } else if (env != NULL && env[0] != '\0') {
        c->data_dir = cm_intel_strf("%s", env);
    } else if (xdg != NULL && xdg[0] == '/') {
        c->data_dir = cm_intel_strf("%s/coalmine/intel", xdg);
    } else if (home != NULL && home[0] != '\0') {
        c->data_dir = cm_intel_strf("%s/.local/share/coalmine/intel", home);
    } else {
        snprintf(err, errlen,
                 "no intel directory: use --intel-dir DIR or set "
                 "COALMINE_INTEL_DIR, XDG_DATA_HOME or HOME");
        return CM_EINVAL;
    }
    /* Trailing slashes would make "dir//lists.json"; harmless but untidy. */
    for (size_t l = c->data_dir ? strlen(c->data_dir) : 0; l > 1 && c->data_dir[l - 1] == '/';) {
        c->data_dir[--l] = '\0';
    }
    return c->data_dir ? 0 : CM_ENOMEM;
}

int cm_intel_config_init(struct cm_intel_config *c, const char *intel_dir, char *err, size_t errlen)
{
    struct cm_json_doc d;
    struct cm_buf b;
    int rc;

    memset(c, 0, sizeof(*c));
    c->lock_fd = -1;
    if ((rc = find_share(c, err, errlen)) != 0 ||
        (rc = find_data(c, intel_dir, err, errlen)) != 0) {
        goto oom;
    }
    if ((c->registry_path = cm_intel_strf("%s/lists.json", c->data_dir)) == NULL) {
        rc = CM_ENOMEM;
        goto oom;
    }
    if (c->share_dir != NULL) {
        struct cm_intel_json_ctx p = {&d, NULL, err, errlen};

        if ((c->manifest_path = cm_intel_strf("%s/intel/manifest.json", c->share_dir)) == NULL) {
            rc = CM_ENOMEM;
            goto oom;
        }
        p.file = c->manifest_path;
        cm_buf_init(&b, CM_INTEL_JSON_MAX);
        cm_json_doc_init(&d, 0, 16);
        rc = cm_intel_json_read(c->manifest_path, &b, &d, err, errlen);
        if (rc == 0) {
            rc = parse_manifest(c, &p);
        }
        cm_json_doc_finish(&d);
        cm_buf_finish(&b);
        if (rc != 0) {
            while (c->n > 0) {
                cm_intel_entry_free(&c->v[--c->n]);
            }
            return rc;
        }
    }
    c->nbundle = c->n;
    if (c->bundle == NULL && (c->bundle = cm_intel_strf("%s", "")) == NULL) {
        rc = CM_ENOMEM;
        goto oom;
    }
    return cm_intel_registry_load(c, err, errlen);
oom:
    if (rc == CM_ENOMEM) {
        snprintf(err, errlen, "out of memory");
    }
    return rc;
}

void cm_intel_config_free(struct cm_intel_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        cm_intel_entry_free(&c->v[i]);
    }
    cm_free(c->v);
    cm_free(c->srcs);
    cm_free(c->share_dir);
    cm_free(c->manifest_path);
    cm_free(c->data_dir);
    cm_free(c->registry_path);
    cm_free(c->bundle);
    if (c->lock_fd >= 0) {
        close(c->lock_fd); /* drops the flock */
    }
    memset(c, 0, sizeof(*c));
    c->lock_fd = -1;
}

int cm_intel_config_sources(struct cm_intel_config *c, struct cm_intel_source **srcs, size_t *n,
                            char *err, size_t errlen)
{
    cm_free(c->srcs);
    c->nsrcs = 0;
    if ((c->srcs = cm_calloc(c->n ? c->n : 1, sizeof(*c->srcs))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct cm_intel_entry *e = &c->v[i];
        bool fetched = e->origin == CM_INTEL_FEED || e->origin == CM_INTEL_USER_FEED;

        if ((e->origin == CM_INTEL_FEED && !e->enabled) || (fetched && !exists(e->path))) {
            continue; /* a feed never fetched, or switched off */
        }
        cm_intel_config_source(e, &c->srcs[c->nsrcs++]);
    }
    *srcs = c->srcs;
    *n = c->nsrcs;
    return 0;
}
