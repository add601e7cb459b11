/*
 * cm_config_load (core/config.h): coalmine.yaml read whole from its file (at most
 * CM_CONFIG_MAX_BYTES; a directory or a larger file refused naming the path) and
 * parsed by config.c with the path in front of every message and the file's
 * directory as the base of relative paths.
 */
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/config_impl.h"
#include "source/source_file.h"

/* Reads path whole (at most CM_CONFIG_MAX_BYTES) into b. */
static int read_config(const char *path, struct cm_buf *b, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc, saved;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    if (fstat(fd, &st) != 0) {
        st.st_mode = 0; /* neither a directory nor a regular file: the read finds out */
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: is a directory", path);
        return CM_EIO;
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > CM_CONFIG_MAX_BYTES) {
        close(fd);
        snprintf(err, errlen, "%s: larger than %zu bytes (1 MiB)", path, CM_CONFIG_MAX_BYTES);
        return CM_EINVAL;
    }
    rc = cm_read_fd(fd, b, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0);
    saved = errno;
    close(fd);
    if (rc == CM_E2BIG || (rc == 0 && b->len > CM_CONFIG_MAX_BYTES)) {
        snprintf(err, errlen, "%s: larger than %zu bytes (1 MiB)", path, CM_CONFIG_MAX_BYTES);
        return CM_EINVAL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, rc == CM_EIO ? strerror(saved) : cm_strerror(rc));
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    return 0;
}

int cm_config_load(struct cm_config *c, const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    struct cm_buf b;
    int rc;

    if (errlen > 0) {
        err[0] = '\0';
    }
    /* Room past the cap, so that a stream of exactly the cap is not refused. */
    cm_buf_init(&b, 2 * CM_CONFIG_MAX_BYTES);
    rc = read_config(path, &b, err, errlen);
    if (rc != 0) {
        goto out;
    }
    if (slash != NULL) {
        dir = cm_strndup(path, slash == path ? 1 : (size_t)(slash - path));
        if (dir == NULL) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = CM_ENOMEM;
            goto out;
        }
    }
    rc = cm_config_parse_named(c, b.p, b.len, path, dir, err, errlen);
out:
    cm_free(dir);
    cm_buf_finish(&b);
    return rc;
}
