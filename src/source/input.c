/*
 * Walking the scan paths and ordering the inputs by object-key time.
 */
#include "source/input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"
#include "base/time.h"
#include "source/peek.h"

#define MAX_DEPTH 64

static int add(struct cm_inputs *in, const char *path, uint64_t size, int is_stdin)
{
    struct cm_input *it;
    const char *base = strrchr(path, '/');

    if (in->n == in->cap) {
        size_t ncap = in->cap ? in->cap * 2 : 64;
        struct cm_input *nv = cm_realloc(in->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return CM_ENOMEM;
        }
        in->v = nv;
        in->cap = ncap;
    }
    it = &in->v[in->n];
    it->path = cm_strndup(path, strlen(path));
    if (it->path == NULL) {
        return CM_ENOMEM;
    }
    it->size = size;
    it->is_stdin = is_stdin;
    it->key_ms = INT64_MIN;
    base = base ? base + 1 : path;
    if (!is_stdin) {
        int64_t ms;
        if (cm_time_from_key(cm_str_cstr(base), &ms) == 0) {
            it->key_ms = ms;
        }
    }
    in->n++;
    return CM_OK;
}

/* The directories being walked, outermost first, to see symlink loops. */
struct ancestry {
    dev_t dev[MAX_DEPTH + 2];
    ino_t ino[MAX_DEPTH + 2];
};

static int on_path(const struct ancestry *an, int depth, const struct stat *st)
{
    for (int i = 0; i < depth; i++) {
        if (an->dev[i] == st->st_dev && an->ino[i] == st->st_ino) {
            return 1;
        }
    }
    return 0;
}

static int walk(struct cm_inputs *in, const char *path, int depth, struct ancestry *an, char *err,
                size_t errlen)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = CM_OK;

    if (stat(path, &st) != 0) {
        if (depth > 0) {
            /*
             * A dangling link or a file gone since readdir: keep it as an
             * input so the scan reports it as unreadable and goes on.
             */
            return add(in, path, 0, 0);
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    if (S_ISREG(st.st_mode)) {
        return add(in, path, (uint64_t)st.st_size, 0);
    }
    if (!S_ISDIR(st.st_mode)) {
        return CM_OK;
    }
    if (on_path(an, depth, &st)) {
        return CM_OK; /* a link back to a directory being walked: seen already */
    }
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "%s: directories nested more than %d deep", path, MAX_DEPTH);
        return CM_EIO;
    }
    an->dev[depth] = st.st_dev;
    an->ino[depth] = st.st_ino;
    d = opendir(path);
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    while ((de = readdir(d)) != NULL) {
        char *child;
        size_t len;
        if (de->d_name[0] == '.' || strcmp(de->d_name, "CloudTrail-Digest") == 0) {
            continue;
        }
        len = strlen(path) + strlen(de->d_name) + 2;
        child = cm_malloc(len);
        if (child == NULL) {
            rc = CM_ENOMEM;
            break;
        }
        snprintf(child, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
        rc = walk(in, child, depth + 1, an, err, errlen);
        cm_free(child);
        if (rc != 0) {
            break;
        }
    }
    closedir(d);
    return rc;
}

static int cmp_input(const void *a, const void *b)
{
    const struct cm_input *x = a, *y = b;

    if (x->is_stdin != y->is_stdin) {
        return x->is_stdin ? -1 : 1;
    }
    if (x->key_ms != y->key_ms) {
        return x->key_ms < y->key_ms ? -1 : 1;
    }
    return strcmp(x->path, y->path);
}

int cm_inputs_collect(struct cm_inputs *in, char *const *paths, size_t n, char *err, size_t errlen)
{
    return cm_inputs_collect_with(in, paths, n, NULL, err, errlen);
}

int cm_inputs_collect_with(struct cm_inputs *in, char *const *paths, size_t n,
                           const struct cm_flow_format *flow_fields, char *err, size_t errlen)
{
    int rc;

    memset(in, 0, sizeof(*in));
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0) {
            rc = add(in, "-", 0, 1);
        } else {
            struct ancestry an;
            rc = walk(in, paths[i], 0, &an, err, errlen);
        }
        if (rc != 0) {
            /* Leave nothing behind: callers may return without freeing. */
            cm_inputs_free(in);
            return rc;
        }
    }
    /* qsort's base must not be NULL, even for zero elements. */
    if (in->n > 1) {
        /* Inputs without a stamp in their name are placed by their first record. */
        for (size_t i = 0; i < in->n; i++) {
            int64_t ms;
            if (!in->v[i].is_stdin && in->v[i].key_ms == INT64_MIN &&
                cm_peek_first_time_with(in->v[i].path, flow_fields, &ms) == 0) {
                in->v[i].key_ms = ms;
            }
        }
        qsort(in->v, in->n, sizeof(*in->v), cmp_input);
    }
    return CM_OK;
}

void cm_inputs_free(struct cm_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        cm_free(in->v[i].path);
    }
    cm_free(in->v);
    memset(in, 0, sizeof(*in));
}

/*
 * A region name: three or more dash-separated parts, letters then a number
 * ("us-east-1", "us-gov-west-1", "eu-isoe-west-1"), so a date folder
 * ("2026-01-05") is not one.
 */
static bool region_like(const char *p, size_t n)
{
    size_t parts = 0, i = 0;

    if (n < 9 || n > 24) {
        return false;
    }
    while (i < n) {
        size_t start = i;
        bool digits = p[i] >= '0' && p[i] <= '9';

        while (i < n && p[i] != '-') {
            bool d = p[i] >= '0' && p[i] <= '9';
            if (d != digits || (!d && (p[i] < 'a' || p[i] > 'z'))) {
                return false; /* a part is letters or digits, not both */
            }
            i++;
        }
        parts++;
        /* Letters in every part but the last, which is the number. */
        if (i == start || digits != (i == n)) {
            return false;
        }
        i += i < n; /* the dash */
        if (i == n && p[n - 1] == '-') {
            return false;
        }
    }
    return parts >= 3;
}

/* The region that is seg up to the first stop, else an empty slice. */
static struct cm_str region_at(const char *seg, char stop)
{
    const char *end = strchr(seg, stop);

    if (end != NULL && region_like(seg, (size_t)(end - seg))) {
        return cm_str_make(seg, (size_t)(end - seg));
    }
    return cm_str_make("", 0);
}

struct cm_str cm_input_key_region(const char *path)
{
    /* A folder named after the service, the region folder next. */
    static const char *const folders[] = {"/vpcflowlogs/", "/CloudTrail/", "/CloudTrail-Insight/"};
    /* An object name "<account>_<service>_<region>_...". */
    static const char *const names[] = {"_vpcflowlogs_", "_CloudTrail_", "_CloudTrail-Insight_"};
    const char *base = strrchr(path, '/'), *m;
    struct cm_str r;

    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        if ((m = strstr(path, folders[i])) != NULL &&
            (r = region_at(m + strlen(folders[i]), '/')).len > 0) {
            return r;
        }
    }
    /* Hive-compatible prefixes (".../aws-service=vpcflowlogs/aws-region=us-east-1/..."). */
    for (m = path; (m = strstr(m, "aws-region=")) != NULL; m++) {
        if ((m == path || m[-1] == '/') && (r = region_at(m + 11, '/')).len > 0) {
            return r;
        }
    }
    base = base != NULL ? base + 1 : path;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((m = strstr(base, names[i])) != NULL &&
            (r = region_at(m + strlen(names[i]), '_')).len > 0) {
            return r;
        }
    }
    return cm_str_make("", 0);
}
