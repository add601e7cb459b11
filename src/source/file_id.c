/*
 * The identity of an input file on disk (file_id.h).
 */
#include "source/file_id.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

int cm_file_read_at(int fd, void *buf, size_t n, uint64_t at)
{
    unsigned char *p = buf;
    off_t off = (off_t)at;

    while (n > 0) {
        ssize_t k = pread(fd, p, n, off);

        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            if (k == 0) {
                errno = EIO; /* shorter than fstat said: it is being rewritten */
            }
            return CM_EIO;
        }
        p += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

int cm_file_id_read(int fd, const char *path, struct cm_file_id *id)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        return CM_EIO;
    }
    return cm_file_id_prefix(fd, path, (uint64_t)st.st_size, id);
}

int cm_file_id_prefix(int fd, const char *path, uint64_t len, struct cm_file_id *id)
{
    unsigned char head[CM_FILE_ID_EDGE], tail[CM_FILE_ID_EDGE];
    const char *name = cm_file_id_base(path);
    size_t edge = len < CM_FILE_ID_EDGE ? (size_t)len : CM_FILE_ID_EDGE;

    if (cm_file_read_at(fd, head, edge, 0) != 0 ||
        cm_file_read_at(fd, tail, edge, len - edge) != 0) {
        return CM_EIO;
    }
    cm_file_id_make(id, name, strlen(name), len, head, edge, tail, edge);
    return 0;
}
