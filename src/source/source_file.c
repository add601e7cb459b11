/*
 * Whole-file reads (see source_file.h).
 */
#include "source/source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/err.h"

int cm_read_fd(int fd, struct cm_buf *out, size_t hint)
{
    int rc;

    cm_buf_reset(out);
    rc = cm_buf_reserve(out, hint + 1);
    if (rc != 0) {
        return rc;
    }
    for (;;) {
        ssize_t got;
        if (out->cap - out->len <= 1) {
            rc = cm_buf_reserve(out, out->cap > 65536 ? out->cap / 2 : 65536);
            if (rc != 0) {
                return rc;
            }
        }
        got = read(fd, out->p + out->len, out->cap - out->len - 1);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return CM_EIO;
        }
        if (got == 0) {
            break;
        }
        out->len += (size_t)got;
    }
    out->p[out->len] = '\0';
    return CM_OK;
}

int cm_read_path(const char *path, struct cm_buf *out, size_t hint)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc, saved;

    if (fd < 0) {
        return CM_EIO;
    }
    rc = cm_read_fd(fd, out, hint);
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
