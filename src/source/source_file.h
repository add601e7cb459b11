/*
 * Reading a whole input file into a buffer, the way the scan and the bench
 * both need it: one allocation sized from the file size when it is known,
 * growth when it is not, EINTR retried, the buffer's cap respected.
 */
#ifndef CM_SOURCE_SOURCE_FILE_H
#define CM_SOURCE_SOURCE_FILE_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Reads fd to its end into out (reset first; a NUL follows the data). hint
 * is the expected size (0 when unknown). Returns 0, CM_EIO (read failed),
 * CM_ENOMEM, or CM_E2BIG when the data passes out->max.
 */
int cm_read_fd(int fd, struct cm_buf *out, size_t hint);

/*
 * Opens path and reads it whole into out as cm_read_fd does. Returns the
 * same codes; CM_EIO with errno set when it cannot be opened or read.
 */
int cm_read_path(const char *path, struct cm_buf *out, size_t hint);

#endif
