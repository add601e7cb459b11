/*
 * Whole-file output for the generator (see gz_writer.h). Compression is
 * libdeflate's one-shot gzip; the scratch buffer grows to the compress bound
 * of the largest file seen and is reused.
 */
#include "gen/gz_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"

int cm_gen_gz_init(struct cm_gen_gz *w, bool gzip, int level)
{
    memset(w, 0, sizeof(*w));
    w->gzip = gzip;
    if (gzip) {
        w->c = libdeflate_alloc_compressor(level);
        if (w->c == NULL) {
            return CM_ENOMEM;
        }
    }
    return 0;
}

void cm_gen_gz_finish(struct cm_gen_gz *w)
{
    if (w->c != NULL) {
        libdeflate_free_compressor(w->c);
    }
    cm_free(w->z);
    cm_free(w->lastdir);
    memset(w, 0, sizeof(*w));
}

int cm_gen_mkdirs(char *path, size_t upto)
{
    size_t i;

    for (i = 1; i < upto; i++) {
        if (path[i] != '/') {
            continue;
        }
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            path[i] = '/';
            return CM_EIO;
        }
        path[i] = '/';
    }
    return 0;
}

static int ensure_dir(struct cm_gen_gz *w, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    char *copy;
    int rc;

    if (n == 0 || (n == w->lastdir_len && memcmp(w->lastdir, path, n) == 0)) {
        return 0;
    }
    copy = cm_strndup(path, n + 1);
    if (copy == NULL) {
        return CM_ENOMEM;
    }
    rc = cm_gen_mkdirs(copy, n + 1);
    if (rc != 0) {
        cm_free(copy);
        return rc;
    }
    cm_free(w->lastdir);
    w->lastdir = copy;
    w->lastdir_len = n;
    return 0;
}

static int compress(struct cm_gen_gz *w, const void *data, size_t len, const void **out,
                    size_t *outlen)
{
    size_t bound = libdeflate_gzip_compress_bound(w->c, len);

    if (bound > w->zcap) {
        char *nz = cm_realloc(w->z, bound);

        if (nz == NULL) {
            return CM_ENOMEM;
        }
        w->z = nz;
        w->zcap = bound;
    }
    *outlen = libdeflate_gzip_compress(w->c, data, len, w->z, w->zcap);
    if (*outlen == 0) {
        return CM_ENOMEM;
    }
    *out = w->z;
    return 0;
}

static int write_all(const char *path, const char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = 0;

    if (fd < 0) {
        return CM_EIO;
    }
    while (n > 0) {
        ssize_t k = write(fd, p, n);

        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            rc = CM_EIO;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = CM_EIO;
    }
    return rc;
}

int cm_gen_gz_write(struct cm_gen_gz *w, const char *path, const void *data, size_t len,
                    uint64_t *disk)
{
    const void *out = data;
    size_t outlen = len;
    int rc;

    rc = ensure_dir(w, path);
    if (rc != 0) {
        return rc;
    }
    if (w->gzip) {
        rc = compress(w, data, len, &out, &outlen);
        if (rc != 0) {
            return rc;
        }
    }
    rc = write_all(path, out, outlen);
    if (rc == 0 && disk != NULL) {
        *disk = outlen;
    }
    return rc;
}
