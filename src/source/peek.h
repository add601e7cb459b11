/*
 * The event time of an input's first record, for ordering inputs whose names
 * carry no AWS time stamp (local exports, concatenations). Reads at most the
 * first 64 KiB (inflating at most 256 KiB of it), so peeking at thousands of
 * files stays cheap; except a Parquet file (flow logs), whose metadata is at
 * its end: it is read whole, up to 256 MiB.
 */
#ifndef CM_SOURCE_PEEK_H
#define CM_SOURCE_PEEK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sets *ms to the time of the first good record of the file at path; for
 * CloudTrail's look-up events (newest first) the oldest when all of them are
 * in the window, else INT64_MAX (the file sorts after the others).
 * Returns 0, CM_EIO (unreadable), CM_EFORMAT (not a known log) or
 * CM_ENOTFOUND (no good record in the window).
 */
int cm_peek_first_time(const char *path, int64_t *ms);

struct cm_flow_format;

/*
 * The same, with the fields of header-less flow log lines the user gave
 * (scan --flow-fields; NULL: none), so such files have a first time too.
 */
int cm_peek_first_time_with(const char *path, const struct cm_flow_format *flow_fields,
                            int64_t *ms);

/*
 * The same for the first bytes of an input already in memory (an S3 object's first
 * CM_PEEK_RAW bytes, a Range GET): n <= CM_PEEK_RAW, the whole input when shorter.
 */
#define CM_PEEK_RAW (64u << 10)
int cm_peek_first_time_bytes(const void *bytes, size_t n, const struct cm_flow_format *flow_fields,
                             int64_t *ms);

#endif
