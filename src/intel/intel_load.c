/*
 * List files -> one intel snapshot. See intel/intel_load.h.
 */
#include "intel/intel_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "source/decode.h"
#include "source/source_file.h"

#define MAX_LIST_BYTES ((size_t)2 << 30) /* 2 GiB decoded */

/* The base name of path without directory and extensions (".txt", ".csv.gz"). */
static void base_name(const char *path, char *out, size_t outlen)
{
    const char *b = strrchr(path, '/');
    size_t n;

    b = b ? b + 1 : path;
    n = strcspn(b, ".");
    if (n == 0) {
        n = strlen(b);
    }
    if (n >= outlen) {
        n = outlen - 1;
    }
    memcpy(out, b, n);
    out[n] = '\0';
}

/* Takes "FORMAT:" off the front of *spec when it names a format. */
static const struct cm_intel_format *take_format(const char **spec)
{
    const char *colon = strchr(*spec, ':');
    const struct cm_intel_format *f;

    if (colon == NULL || colon == *spec) {
        return NULL;
    }
    f = cm_intel_format_find(cm_str_make(*spec, (size_t)(colon - *spec)));
    if (f) {
        *spec = colon + 1;
    }
    return f;
}

int cm_intel_source_parse(const char *arg, enum cm_intel_kind kind, bool managed,
                          struct cm_intel_source *out, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '='), *file = arg;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->category = kind == CM_INTEL_KIND_THREAT ? CM_CAT_CUSTOM : CM_CAT_UNKNOWN;
    if (managed) {
        const char *colon;
        size_t clen;

        if (eq == NULL) {
            snprintf(err, errlen, "'%s': expected CATEGORY[:NAME]=FILE", arg);
            return CM_EINVAL;
        }
        colon = memchr(arg, ':', (size_t)(eq - arg));
        clen = (size_t)((colon ? colon : eq) - arg);
        if (cm_intel_category_parse(cm_str_make(arg, clen), &out->category) != 0 ||
            out->category == CM_CAT_CUSTOM) {
            snprintf(err, errlen, "'%.*s': not an intel category (cnc, mining, tor_exit, ...)",
                     (int)clen, arg);
            return CM_EINVAL;
        }
        if (colon) {
            size_t nlen = (size_t)(eq - colon - 1);

            if (nlen == 0 || nlen > CM_INTEL_NAME_MAX) {
                snprintf(err, errlen, "'%s': list name must be 1-%d bytes", arg, CM_INTEL_NAME_MAX);
                return CM_EINVAL;
            }
            memcpy(out->name, colon + 1, nlen);
        }
        file = eq + 1;
    } else if (eq != NULL && eq != arg) {
        size_t nlen = (size_t)(eq - arg);

        if (nlen > CM_INTEL_NAME_MAX) {
            snprintf(err, errlen, "'%s': list name must be 1-%d bytes", arg, CM_INTEL_NAME_MAX);
            return CM_EINVAL;
        }
        memcpy(out->name, arg, nlen);
        file = eq + 1;
    }
    out->format = take_format(&file);
    if (*file == '\0') {
        snprintf(err, errlen, "'%s': no file named", arg);
        return CM_EINVAL;
    }
    out->path = file;
    if (out->name[0] == '\0') {
        base_name(file, out->name, sizeof(out->name));
    }
    return 0;
}

/* Decodes a gzip or zstd list of n bytes at p into out, else points *data at it. */
static int maybe_inflate(const char *path, struct cm_decoder *dec, const char *p, size_t n,
                         struct cm_buf *out, const char **data, size_t *len, char *err,
                         size_t errlen)
{
    if (cm_is_compressed(p, n)) {
        struct cm_decode_error de;
        int rc = cm_decode(dec, p, n, out, &de);

        if (rc != 0) {
            snprintf(err, errlen, "%s: %s: %s", path, dec->outer,
                     rc == CM_E2BIG ? "larger than 2 GiB inflated" : de.msg);
            return rc == CM_ENOMEM ? rc : CM_EINVAL;
        }
        *data = out->p;
        *len = out->len;
        return 0;
    }
    *data = p;
    *len = n;
    return 0;
}

/* Reads path whole, decoding gzip or zstd. */
static int read_list(const char *path, struct cm_decoder *dec, struct cm_buf *raw,
                     struct cm_buf *out, const char **data, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0) {
        int e = errno;
        size_t w = strcspn(path, ":/");

        if (e == ENOENT && path[w] == ':' && w > 0 && w <= 16) {
            /* "FOO:list.txt": a FORMAT: prefix misspelt is read as part of the path. */
            char names[256] = "";
            size_t used = 0;
            const struct cm_intel_format *const *f = cm_intel_formats();

            for (size_t i = 0; f[i] != NULL && used < sizeof(names); i++) {
                int k =
                    snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "", f[i]->name);
                used += k > 0 ? (size_t)k : 0;
            }
            snprintf(err, errlen, "%s: %s (\"%.*s:\" is no list format: %s)", path, strerror(e),
                     (int)w, path, names);
        } else {
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        }
        return CM_EIO;
    }
    if (fstat(fd, &st) != 0) {
        st.st_size = 0; /* size unknown: the read grows the buffer */
    } else if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: is a directory", path);
        return CM_EIO;
    }
    rc = cm_read_fd(fd, raw, (size_t)st.st_size);
    close(fd);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path,
                 rc == CM_E2BIG ? "larger than 2 GiB" : cm_strerror(rc));
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    return maybe_inflate(path, dec, raw->p, raw->len, out, data, len, err, errlen);
}

struct bad_ctx {
    cm_intel_bad_fn fn;
    void *ud;
    const struct cm_intel_source *src;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bad_ctx *c = ud;

    if (c->fn) {
        c->fn(c->ud, c->src, line, reason);
    }
}

/* What a managed list's entries are called when the feed names no threat. */
static const char *const category_threat[CM_CAT_COUNT] = {
    [CM_CAT_CNC] = "Command and Control",
    [CM_CAT_MINING] = "Cryptocurrency Mining",
    [CM_CAT_TOR_EXIT] = "Tor Exit Node",
    [CM_CAT_TOR_RELAY] = "Tor Relay",
    [CM_CAT_SCANNER] = "Scanner",
    [CM_CAT_DROP_POINT] = "Drop Point",
    [CM_CAT_SINKHOLE] = "Sinkhole",
    [CM_CAT_PHISHING] = "Phishing",
    [CM_CAT_DRIVE_BY] = "Drive-by Source",
    [CM_CAT_DGA] = "DGA Domain",
    [CM_CAT_MALICIOUS_IP] = "Malicious IP",
    [CM_CAT_MALICIOUS_DOMAIN] = "Malicious Domain",
    [CM_CAT_CUSTOM] = CM_INTEL_CUSTOM_THREAT,
    [CM_CAT_ABUSED_DOMAIN] = "Abused Domain",
    [CM_CAT_BITCOIN_DOMAIN] = "Cryptocurrency Domain",
    [CM_CAT_SUSPICIOUS_DOMAIN] = "Suspicious Domain",
};

static const char *default_threat(const struct cm_intel_source *s)
{
    if (s->threat_name) {
        return s->threat_name;
    }
    if (s->kind == CM_INTEL_KIND_TRUSTED || (unsigned)s->category >= CM_CAT_COUNT ||
        category_threat[s->category] == NULL) {
        return "";
    }
    return category_threat[s->category];
}

int cm_intel_open(const struct cm_intel_source *srcs, size_t n, uint64_t seed, cm_intel_bad_fn bad,
                  void *ud, struct cm_intel_source_report *reports, struct cm_intel_snapshot **out,
                  char *err, size_t errlen)
{
    struct cm_intel_builder *b = NULL;
    struct cm_decoder dec;
    struct cm_buf raw, inflated;
    int rc;

    *out = NULL;
    cm_buf_init(&raw, MAX_LIST_BYTES);
    cm_buf_init(&inflated, MAX_LIST_BYTES);
    if ((rc = cm_decoder_init(&dec)) != 0) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    if ((rc = cm_intel_builder_create(&b, seed)) != 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const struct cm_intel_source *s = &srcs[i];
        const struct cm_intel_format *fmt;
        struct cm_intel_list list;
        struct cm_intel_load_opts lo;
        struct cm_intel_load_stats st;
        struct bad_ctx bc = {bad, ud, s};
        const char *data;
        size_t len;
        uint32_t id;

        rc = s->data != NULL ? maybe_inflate(s->path, &dec, s->data, s->data_len, &inflated, &data,
                                             &len, err, errlen)
                             : read_list(s->path, &dec, &raw, &inflated, &data, &len, err, errlen);
        if (rc != 0) {
            goto done;
        }
        fmt = s->format ? s->format : cm_intel_format_sniff(data, len);
        memset(&list, 0, sizeof(list));
        list.name = cm_str_cstr(s->name);
        list.kind = s->kind;
        list.format = cm_str_cstr(fmt->name);
        list.source = cm_str_cstr(s->path);
        rc = cm_intel_builder_add_list(b, &list, &id);
        if (rc != 0) {
            snprintf(err, errlen, "%s: %s", s->path,
                     rc == CM_EEXIST   ? "a list of that name is already loaded"
                     : rc == CM_EINVAL ? "bad list name"
                                       : cm_strerror(rc));
            goto done;
        }
        memset(&lo, 0, sizeof(lo));
        lo.list = id;
        lo.category = s->kind == CM_INTEL_KIND_TRUSTED ? CM_CAT_UNKNOWN : s->category;
        lo.threat_name = cm_str_cstr(default_threat(s));
        lo.source = cm_str_cstr(s->name);
        lo.shared_guard = s->shared_guard;
        lo.bad = on_bad;
        lo.ud = &bc;
        rc = cm_intel_load(b, fmt, data, len, &lo, &st);
        if (rc != 0) {
            snprintf(err, errlen, "%s: %s", s->path,
                     rc == CM_EINVAL ? "not a readable list in that format" : cm_strerror(rc));
            goto done;
        }
        if (reports) {
            reports[i].name = s->name;
            reports[i].path = s->path;
            reports[i].format = fmt->name;
            reports[i].st = st;
        }
    }
    rc = cm_intel_builder_build(b, out);
    if (rc != 0) {
        snprintf(err, errlen, "building the intel snapshot: %s", cm_strerror(rc));
    }
done:
    cm_intel_builder_destroy(b);
    cm_decoder_finish(&dec);
    cm_buf_finish(&raw);
    cm_buf_finish(&inflated);
    return rc;
}

int cm_intel_sniff_file(const char *path, const struct cm_intel_format **fmt, char *err,
                        size_t errlen)
{
    struct cm_decoder dec;
    struct cm_buf raw, inflated;
    const char *data;
    size_t len;
    int rc;

    cm_buf_init(&raw, MAX_LIST_BYTES);
    cm_buf_init(&inflated, MAX_LIST_BYTES);
    if ((rc = cm_decoder_init(&dec)) != 0) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    rc = read_list(path, &dec, &raw, &inflated, &data, &len, err, errlen);
    if (rc == 0) {
        *fmt = cm_intel_format_sniff(data, len);
    }
    cm_decoder_finish(&dec);
    cm_buf_finish(&raw);
    cm_buf_finish(&inflated);
    return rc;
}
