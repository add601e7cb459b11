/*
 * The event time of an input's first record, for ordering inputs whose names
 * carry no AWS time stamp (local exports, concatenations). Reads at most the
 * first 64 KiB (inflating at most 256 KiB of it), so peeking at thousands of
 * files stays cheap.
 */
#ifndef CM_SOURCE_PEEK_H
#define CM_SOURCE_PEEK_H

#include <stdint.h>

/*
 * Sets *ms to the time of the first good record of the file at path.
 * Returns 0, CM_EIO (unreadable), CM_EFORMAT (not a known log) or
 * CM_ENOTFOUND (no good record in the window).
 */
int cm_peek_first_time(const char *path, int64_t *ms);

#endif
