/*
 * Writes whole generated files to disk, gzip-compressed with libdeflate (or
 * plain), creating parent directories on the way. One writer per worker
 * thread: it owns a compressor, a scratch output buffer and a cache of the
 * last directory it created so a run of files in one folder costs one
 * mkdir walk. The gzip header carries no name and no mtime, so the bytes
 * depend only on the content.
 */
#ifndef CM_GEN_GZ_WRITER_H
#define CM_GEN_GZ_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct libdeflate_compressor;

struct cm_gen_gz {
    struct libdeflate_compressor *c;
    bool gzip;
    char *z; /* compressed scratch */
    size_t zcap;
    char *lastdir; /* last directory known to exist */
    size_t lastdir_len;
};

/* Sets up w for gzip (level 1..12) or plain output. Returns 0 or CM_ENOMEM. */
int cm_gen_gz_init(struct cm_gen_gz *w, bool gzip, int level);
/* Frees everything; idempotent. */
void cm_gen_gz_finish(struct cm_gen_gz *w);

/*
 * Writes data[0..len) to path (created or truncated, mode 0644), making
 * parent directories as needed. *disk (may be NULL) gets the bytes written.
 * Returns 0, CM_ENOMEM or CM_EIO (errno describes the failure).
 */
int cm_gen_gz_write(struct cm_gen_gz *w, const char *path, const void *data, size_t len,
                    uint64_t *disk);

/* mkdir -p for path's parent directories. Returns 0 or CM_EIO. */
int cm_gen_mkdirs(char *path, size_t upto);

#endif
