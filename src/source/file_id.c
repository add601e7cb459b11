/*
 * The identity of an input file on disk (file_id.h).
 */
#include "source/file_id.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

/* Reads n bytes at off into p, EINTR and short reads retried. */
static int read_at(int fd, unsigned char *p, size_t n, off_t off)
{
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
    unsigned char head[CM_FILE_ID_EDGE], tail[CM_FILE_ID_EDGE];
    const char *name = cm_file_id_base(path);
    struct stat st;
    size_t edge;

    if (fstat(fd, &st) != 0) {
        return CM_EIO;
    }
    edge = (uint64_t)st.st_size < CM_FILE_ID_EDGE ? (size_t)st.st_size : CM_FILE_ID_EDGE;
    if (read_at(fd, head, edge, 0) != 0 || read_at(fd, tail, edge, st.st_size - (off_t)edge) != 0) {
        return CM_EIO;
    }
    cm_file_id_make(id, name, strlen(name), (uint64_t)st.st_size, head, edge, tail, edge);
    return 0;
}
