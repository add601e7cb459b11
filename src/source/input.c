/*
 * Walking the scan paths and ordering the inputs by object-key time.
 */
#include "source/input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/str.h"
#include "base/time.h"
#include "event/event.h"
#include "parse/cwl.h"
#include "source/input_s3.h"
#include "source/peek.h"
#include "source/source_file.h"

#define MAX_DEPTH 64

static int add(struct cm_inputs *in, const char *path, const struct stat *st, int is_stdin)
{
    return cm_inputs_add(in, path, st, is_stdin);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');

    return b ? b + 1 : path;
}

int cm_inputs_add(struct cm_inputs *in, const char *path, const struct stat *st, int is_stdin)
{
    struct cm_input *it;

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
    it->size = st != NULL ? (uint64_t)st->st_size : 0;
    it->dev = st != NULL ? (uint64_t)st->st_dev : 0;
    it->ino = st != NULL ? (uint64_t)st->st_ino : 0;
    it->is_stdin = is_stdin;
    it->other = NULL;
    it->list_errno = 0;
    it->skip_as = in->cur_skip;
    it->arg = in->cur_arg;
    it->key_ms = INT64_MIN;
    it->named = false;
    it->s3 = false;
    it->etag = NULL;
    if (!is_stdin) {
        int64_t ms;
        if (cm_time_from_key(cm_str_cstr(base_name(path)), &ms) == 0) {
            it->key_ms = ms;
            it->named = true;
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

/* What a path that is neither a file nor a directory is. */
static const char *other_kind(mode_t mode)
{
    if (S_ISFIFO(mode)) {
        return "a FIFO (named pipe)";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

/*
 * Lists path into in. A directory's entry comes with the listed directory's descriptor dfd
 * and its name there: it is looked up by that name, not the whole path again (a trail's
 * files lie six directories deep, and a walk of many small files was mostly path lookups).
 * dfd is -1 for a path given.
 */
static int walk(struct cm_inputs *in, const char *path, int dfd, const char *name, int depth,
                struct ancestry *an, char *err, size_t errlen)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = CM_OK;

    if ((dfd >= 0 ? fstatat(dfd, name, &st, 0) : stat(path, &st)) != 0) {
        if (depth > 0) {
            /*
             * A dangling link or a file gone since readdir: keep it as an
             * input so the scan reports it as unreadable and goes on.
             */
            return add(in, path, NULL, 0);
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    if (S_ISREG(st.st_mode)) {
        if (depth == 0) {
            /*
             * A file the user named that cannot be opened (no read permission) is an
             * error, as a named path that is not there is; one found in a directory is
             * a rejected input and the scan goes on.
             */
            int fd = open(path, O_RDONLY | O_CLOEXEC);

            if (fd < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return CM_EIO;
            }
            close(fd);
        }
        return add(in, path, &st, 0);
    }
    if (!S_ISDIR(st.st_mode)) {
        /* Never opened: a FIFO blocks until a writer comes, a device may never end. */
        if (depth > 0) {
            rc = add(in, path, NULL, 0);
            if (rc == 0) {
                in->v[in->n - 1].other = other_kind(st.st_mode);
            }
            return rc;
        }
        snprintf(err, errlen, "%s: %s, not a file or directory%s", path, other_kind(st.st_mode),
                 S_ISFIFO(st.st_mode) ? " (give a pipe on standard input: ... | coalmine scan -)"
                                      : "");
        return CM_EIO;
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
        int e = errno;

        if (depth > 0) {
            /* One folder that cannot be listed (lost+found, another user's): the rest is read. */
            rc = add(in, path, NULL, 0);
            if (rc == 0) {
                in->v[in->n - 1].other = "a directory that cannot be listed";
                in->v[in->n - 1].list_errno = e;
            }
            return rc;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return CM_EIO;
    }
    while ((de = readdir(d)) != NULL) {
        char *child;
        size_t len;
        bool digest = strcmp(de->d_name, "CloudTrail-Digest") == 0;

        if (de->d_name[0] == '.') {
            /* ".", "..", and hidden entries (.DS_Store, .git, a generator's manifest) */
            in->hidden += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
            continue;
        }
        len = strlen(path) + strlen(de->d_name) + 2;
        child = cm_malloc(len);
        if (child == NULL) {
            rc = CM_ENOMEM;
            break;
        }
        snprintf(child, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
        if (digest && in->cur_skip == NULL) {
            /* Digests hold no events: listed to be counted as skipped, never read. */
            in->cur_skip = "CloudTrail digest";
            rc = walk(in, child, dirfd(d), de->d_name, depth + 1, an, err, errlen);
            in->cur_skip = NULL;
        } else {
            rc = walk(in, child, dirfd(d), de->d_name, depth + 1, an, err, errlen);
        }
        cm_free(child);
        if (rc != 0) {
            break;
        }
    }
    closedir(d);
    return rc;
}

struct file_ref {
    uint64_t dev, ino;
    const struct cm_input *it;
};

/* The earlier path given first, then the smaller path (not the order readdir gave). */
static int cmp_given(const struct cm_input *x, const struct cm_input *y)
{
    if (x->arg != y->arg) {
        return x->arg < y->arg ? -1 : 1;
    }
    return strcmp(x->path, y->path);
}

static int cmp_ref(const void *a, const void *b)
{
    const struct file_ref *x = a, *y = b;

    if (x->dev != y->dev) {
        return x->dev < y->dev ? -1 : 1;
    }
    if (x->ino != y->ino) {
        return x->ino < y->ino ? -1 : 1;
    }
    return cmp_given(x->it, y->it);
}

/* By path, then the earlier path given first. */
static int cmp_ref_path(const void *a, const void *b)
{
    const struct file_ref *x = a, *y = b;
    int c = strcmp(x->it->path, y->it->path);

    return c != 0 ? c : cmp_given(x->it, y->it);
}

/* Removes the inputs drop[] marks, counting them in repeated; the rest keep their order. */
static void leave_out(struct cm_inputs *in, const unsigned char *drop)
{
    size_t out = 0;

    for (size_t i = 0; i < in->n; i++) {
        if (drop[i]) {
            cm_free(in->v[i].path);
            cm_free(in->v[i].etag);
            in->repeated++;
        } else {
            in->v[out++] = in->v[i];
        }
    }
    in->n = out;
}

/* Leaves out every input that is a file listed earlier (same device and inode). */
static int drop_repeats(struct cm_inputs *in)
{
    struct file_ref *ref;
    unsigned char *drop;
    size_t k = 0;

    if (in->n < 2) {
        return CM_OK;
    }
    ref = cm_malloc(in->n * sizeof(*ref));
    drop = cm_calloc(in->n, 1);
    if (ref == NULL || drop == NULL) {
        cm_free(ref);
        cm_free(drop);
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < in->n; i++) {
        if (in->v[i].dev != 0 || in->v[i].ino != 0) {
            ref[k++] = (struct file_ref){in->v[i].dev, in->v[i].ino, &in->v[i]};
        }
    }
    qsort(ref, k, sizeof(*ref), cmp_ref);
    for (size_t i = 1; i < k; i++) {
        if (ref[i].dev == ref[i - 1].dev && ref[i].ino == ref[i - 1].ino) {
            drop[ref[i].it - in->v] = 1;
        }
    }
    /* An S3 object is itself by its location: listed under two prefixes given, once. */
    k = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (in->v[i].s3) {
            ref[k++] = (struct file_ref){0, 0, &in->v[i]};
        }
    }
    qsort(ref, k, sizeof(*ref), cmp_ref_path);
    for (size_t i = 1; i < k; i++) {
        if (strcmp(ref[i].it->path, ref[i - 1].it->path) == 0) {
            drop[ref[i].it - in->v] = 1;
        }
    }
    leave_out(in, drop);
    cm_free(ref);
    cm_free(drop);
    return CM_OK;
}

struct named {
    uint64_t size;
    const char *name; /* the path's last part */
    const struct cm_input *it;
};

/* Inputs with the same size and name together, then as they were given. */
static int cmp_named(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c;

    if (x->size != y->size) {
        return x->size < y->size ? -1 : 1;
    }
    if ((c = strcmp(x->name, y->name)) != 0) {
        return c;
    }
    return cmp_given(x->it, y->it);
}

/* Whether the file at path holds exactly the n bytes at p (other holds it; reused). */
static bool same_bytes(const char *path, const char *p, size_t n, struct cm_buf *other)
{
    return cm_read_path(path, other, n) == 0 && other->len == n && memcmp(other->p, p, n) == 0;
}

/* A hash of a file's bytes; false when it cannot be read (the scan reports it). */
static bool content_hash(const char *path, struct cm_buf *b, uint64_t *h)
{
    if (cm_read_path(path, b, 0) != 0) {
        return false;
    }
    *h = cm_hash64(b->p, b->len, 0x636f70792d6f66ULL);
    return true;
}

/*
 * Leaves out every input that is a byte-for-byte copy of one listed earlier under the
 * same file name (a bucket's replica or backup under another prefix, a folder copied
 * beside itself). Only files that share a name and a size are read here, and AWS log
 * names are unique (they end in a hash), so this reads nothing on an ordinary archive.
 */
static int drop_copies(struct cm_inputs *in)
{
    struct named *ix = cm_malloc(in->n * sizeof(*ix));
    uint64_t *hash = cm_calloc(in->n, sizeof(*hash));
    unsigned char *flags = cm_calloc(in->n, 2);
    unsigned char *drop, *readable;
    struct cm_buf b, other;
    int rc = CM_OK;

    cm_buf_init(&b, 0);
    cm_buf_init(&other, 0);
    if (ix == NULL || hash == NULL || flags == NULL) {
        rc = CM_ENOMEM;
        goto done;
    }
    drop = flags;
    readable = flags + in->n;
    for (size_t i = 0; i < in->n; i++) {
        ix[i] = (struct named){in->v[i].size, base_name(in->v[i].path), &in->v[i]};
    }
    qsort(ix, in->n, sizeof(*ix), cmp_named);
    for (size_t g = 0, e; g < in->n; g = e) {
        for (e = g + 1; e < in->n && ix[e].size == ix[g].size; e++) {
            if (strcmp(ix[e].name, ix[g].name) != 0) {
                break;
            }
        }
        for (size_t i = g; e - g > 1 && i < e; i++) {
            size_t at = (size_t)(ix[i].it - in->v);

            if (in->v[at].is_stdin || in->v[at].size == 0 || in->v[at].skip_as != NULL ||
                in->v[at].other != NULL) {
                continue;
            }
            if (in->v[at].s3) {
                /* An object is not read for this: the same ETag and size is the same bytes. */
                if (in->v[at].etag == NULL || in->v[at].etag[0] == '\0') {
                    continue;
                }
                hash[at] = cm_hash64(in->v[at].etag, strlen(in->v[at].etag), 0x657461670aULL);
            } else if (!content_hash(in->v[at].path, &b, &hash[at])) {
                continue;
            }
            readable[at] = 1;
            for (size_t j = g; j < i; j++) {
                size_t pj = (size_t)(ix[j].it - in->v);

                if (!readable[pj] || drop[pj] || hash[pj] != hash[at] ||
                    in->v[pj].s3 != in->v[at].s3) {
                    continue;
                }
                /* The same hash, then the same bytes (the same ETag): a copy. */
                if (in->v[at].s3 ? strcmp(in->v[pj].etag, in->v[at].etag) == 0
                                 : same_bytes(ix[j].it->path, b.p, b.len, &other)) {
                    drop[at] = 1;
                    break;
                }
            }
        }
    }
    leave_out(in, drop);
done:
    cm_buf_finish(&b);
    cm_buf_finish(&other);
    cm_free(ix);
    cm_free(hash);
    cm_free(flags);
    return rc;
}

static int cmp_input(const void *a, const void *b)
{
    const struct cm_input *x = a, *y = b;

    if (x->is_stdin != y->is_stdin) {
        return x->is_stdin ? -1 : 1;
    }
    if ((x->skip_as != NULL) != (y->skip_as != NULL)) {
        return x->skip_as != NULL ? 1 : -1; /* never read: last */
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
    struct cm_inputs_opts o = {flow_fields, NULL, NULL, 0};

    return cm_inputs_collect_opts(in, paths, n, &o, err, errlen);
}

int cm_inputs_collect_opts(struct cm_inputs *in, char *const *paths, size_t n,
                           const struct cm_inputs_opts *o, char *err, size_t errlen)
{
    const struct cm_flow_format *flow_fields = o->flow_fields;
    int rc;

    memset(in, 0, sizeof(*in));
    in->s3 = o->s3;
    for (size_t i = 0; i < n; i++) {
        in->cur_arg = (uint32_t)i;
        if (strcmp(paths[i], "-") == 0) {
            rc = add(in, "-", NULL, 1);
        } else if (cm_input_is_s3(paths[i])) {
            rc = cm_inputs_add_s3(in, paths[i], err, errlen);
        } else {
            struct ancestry an;
            rc = walk(in, paths[i], -1, NULL, 0, &an, err, errlen);
        }
        if (rc != 0) {
            /* Leave nothing behind: callers may return without freeing. */
            cm_inputs_free(in);
            return rc;
        }
    }
    for (size_t i = 0; i < o->nlisted; i++) {
        in->cur_arg = (uint32_t)n;
        if ((rc = cm_input_s3_add_listed(in, &o->listed[i])) != 0) {
            cm_inputs_free(in);
            return rc;
        }
    }
    if ((rc = drop_repeats(in)) != 0 || (in->n > 1 && (rc = drop_copies(in)) != 0)) {
        cm_inputs_free(in);
        return rc;
    }
    /* qsort's base must not be NULL, even for zero elements. */
    if (in->n > 1) {
        /* Inputs without a stamp in their name are placed by their first record. */
        for (size_t i = 0; i < in->n; i++) {
            int64_t ms;
            if (in->v[i].is_stdin || in->v[i].other != NULL || in->v[i].skip_as != NULL ||
                in->v[i].key_ms != INT64_MIN) {
                continue;
            }
            if (in->v[i].s3 ? cm_input_s3_peek(in, &in->v[i], flow_fields, &ms) == 0
                            : cm_peek_first_time_with(in->v[i].path, flow_fields, &ms) == 0) {
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
        cm_free(in->v[i].etag);
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

/* seg up to its first stop when like() accepts it (a region, an account), else an empty slice. */
static struct cm_str part_at(const char *seg, char stop, bool (*like)(const char *, size_t))
{
    const char *end = strchr(seg, stop);

    if (end != NULL && like(seg, (size_t)(end - seg))) {
        return cm_str_make(seg, (size_t)(end - seg));
    }
    return cm_str_make("", 0);
}

static struct cm_str region_at(const char *seg, char stop)
{
    return part_at(seg, stop, region_like);
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

/* Whether p[0..n) is a VPC id: "vpc-" and 8 or 17 lower-case hex digits (part_at's predicate). */
static bool vpc_like(const char *p, size_t n)
{
    if ((n != 4 + 8 && n != 4 + 17) || memcmp(p, "vpc-", 4) != 0) {
        return false;
    }
    for (size_t i = 4; i < n; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* Whether base is the name of an export task's object: six digits, then ".gz" or nothing. */
static bool export_object(const char *base)
{
    for (int i = 0; i < 6; i++) {
        if (base[i] < '0' || base[i] > '9') {
            return false;
        }
    }
    return base[6] == '\0' || strcmp(base + 6, ".gz") == 0;
}

struct cm_str cm_input_key_vpc(const char *path)
{
    static const char folder[] = "/vpcdnsquerylogs/", name[] = "_vpcdnsquerylogs_";
    const char *base = strrchr(path, '/'), *m;
    struct cm_str v;

    /* "AWSLogs/<account>/vpcdnsquerylogs/<vpc id>/..." */
    for (m = path; (m = strstr(m, folder)) != NULL; m++) {
        if ((v = part_at(m + sizeof(folder) - 1, '/', vpc_like)).len > 0) {
            return v;
        }
    }
    /* The object's name "<vpc id>_vpcdnsquerylogs_<account>_<stamp>_<hash>.log.gz". */
    base = base != NULL ? base + 1 : path;
    if ((m = strstr(base, name)) != NULL && vpc_like(base, (size_t)(m - base))) {
        return cm_str_make(base, (size_t)(m - base));
    }
    /* An export task's object "<task>/<log stream>/000000.gz": the stream's VPC. */
    if (export_object(base) && base - path >= 2) {
        const char *stream = base - 1;

        while (stream > path && stream[-1] != '/') {
            stream--;
        }
        if ((v = cm_cwl_stream_vpc(cm_str_make(stream, (size_t)(base - 1 - stream)))).len > 0) {
            return v;
        }
    }
    return cm_str_make("", 0);
}

/* Whether p[0..n) is an account id (part_at's predicate). */
static bool account_like(const char *p, size_t n)
{
    return cm_account_id_ok(cm_str_make(p, n));
}

static struct cm_str account_at(const char *seg, char stop)
{
    return part_at(seg, stop, account_like);
}

/* The length of an organization id folder "o-" + 10 to 32 lower-case letters or digits + '/'. */
static size_t org_folder(const char *p)
{
    size_t n = 0;

    if (p[0] != 'o' || p[1] != '-') {
        return 0;
    }
    while ((p[2 + n] >= 'a' && p[2 + n] <= 'z') || (p[2 + n] >= '0' && p[2 + n] <= '9')) {
        n++;
    }
    return n >= 10 && n <= 32 && p[2 + n] == '/' ? 2 + n + 1 : 0;
}

struct cm_str cm_input_key_account(const char *path)
{
    /* An object name "<account>_<service>_<region>_...". */
    static const char *const names[] = {"_vpcflowlogs_", "_CloudTrail_", "_CloudTrail-Insight_"};
    const char *base = strrchr(path, '/'), *m;
    struct cm_str a;

    /* "AWSLogs/<account>/..." or an organization trail's "AWSLogs/<org id>/<account>/...". */
    for (m = path; (m = strstr(m, "AWSLogs/")) != NULL; m++) {
        if (m == path || m[-1] == '/') {
            const char *seg = m + 8;
            if ((a = account_at(seg + org_folder(seg), '/')).len > 0) {
                return a;
            }
        }
    }
    /* Hive-compatible prefixes (".../aws-account-id=111122223333/aws-service=..."). */
    for (m = path; (m = strstr(m, "aws-account-id=")) != NULL; m++) {
        if ((m == path || m[-1] == '/') && (a = account_at(m + 15, '/')).len > 0) {
            return a;
        }
    }
    base = base != NULL ? base + 1 : path;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((m = strstr(base, names[i])) != NULL && account_like(base, (size_t)(m - base))) {
            return cm_str_make(base, (size_t)(m - base));
        }
    }
    return cm_str_make("", 0);
}

/* The input's object-key stamp plus slack_ms; INT64_MAX when its name has none. */
static int64_t key_bound(const struct cm_input *in, int64_t slack_ms)
{
    if (!in->named || in->key_ms > INT64_MAX - slack_ms) {
        return INT64_MAX;
    }
    return in->key_ms + slack_ms;
}

int64_t cm_input_horizon(const struct cm_input *in)
{
    return key_bound(in, CM_INPUT_HORIZON_MS);
}

int64_t cm_input_clock_bound(const struct cm_input *in)
{
    return key_bound(in, CM_INPUT_CLOCK_SLACK_MS);
}
