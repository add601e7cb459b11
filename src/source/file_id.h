/*
 * The identity of an input file on disk (detect/fileseen.h), read without reading the
 * file: its base name, its size and its first and last CM_FILE_ID_EDGE bytes (two
 * pread()s), so a scan with --state can leave out a file an earlier scan read whole
 * before it reads it.
 */
#ifndef CM_SOURCE_FILE_ID_H
#define CM_SOURCE_FILE_ID_H

#include "detect/fileseen.h"

/* The identity of the file open as fd, named path. Returns 0, or CM_EIO (errno set). */
int cm_file_id_read(int fd, const char *path, struct cm_file_id *id);
/*
 * The identity the file open as fd, named path, would have if it were cut to its first
 * len bytes (cm_file_id_make of those: a grown file's earlier length, detect/filegrow.h).
 * Returns 0, or CM_EIO (errno set) when fewer than len bytes can be read.
 */
int cm_file_id_prefix(int fd, const char *path, uint64_t len, struct cm_file_id *id);
/* Reads n bytes at off of fd into p (EINTR and short reads retried). 0 or CM_EIO. */
int cm_file_read_at(int fd, void *p, size_t n, uint64_t off);

#endif
