/*
 * Snappy's raw block format (not its framing format), the SNAPPY codec of
 * Parquet pages: a varint of the uncompressed length, then literals and
 * back-references. Written from the format's description; checked against
 * Parquet files of another implementation (tests/integration/parquet_flow.sh).
 */
#ifndef CM_SOURCE_SNAPPY_H
#define CM_SOURCE_SNAPPY_H

#include <stddef.h>

/*
 * The uncompressed length that in[0..n) declares, into *len.
 * Returns 0, or CM_EINVAL when the header is bad.
 */
int cm_snappy_length(const void *in, size_t n, size_t *len);

/*
 * Decompresses in[0..n) into out[0..cap), which must be at least the declared
 * length. Returns 0, or CM_EINVAL for data that is damaged (a copy reaching
 * before the start, a literal past the end, a length other than declared).
 */
int cm_snappy_decompress(const void *in, size_t n, void *out, size_t cap);

#endif
