/*
 * Decompression of whole inputs. Log objects are complete files, so gzip is
 * inflated in one call with libdeflate (about twice zlib's speed), member by
 * member for multi-member files, with the output sized from the gzip trailer.
 * When a stream is corrupt or truncated, zlib's streaming inflater salvages
 * every byte before the damage, so the good records still get parsed.
 */
#ifndef CM_SOURCE_DECODE_H
#define CM_SOURCE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct cm_decoder {
    struct libdeflate_decompressor *d;
};

/* Returns 0 or CM_ENOMEM. */
int cm_decoder_init(struct cm_decoder *dec);
void cm_decoder_finish(struct cm_decoder *dec);

/* True when p starts with the gzip magic bytes. */
bool cm_is_gzip(const void *p, size_t n);

/*
 * What another tool's container or compressor p starts with is ("bzip2 data",
 * "a tar archive"; also xz, zstd, lz4, zip, 7-Zip), with in *how (may be
 * NULL) how to read it instead; NULL when it is none of them. coalmine reads
 * gzip and plain text only: these are named so the reject says why.
 */
const char *cm_container_name(const void *p, size_t n, const char **how);

/*
 * For zlib's message about a gzip member (zs.msg): how many bytes of the
 * member's trailer are left unread when only the trailer was wrong (4 after a
 * CRC-32 mismatch, 0 after a length mismatch), SIZE_MAX for any other damage.
 */
size_t cm_gzip_trailer_skip(const char *zmsg);

/* What went wrong with a damaged stream. */
struct cm_decode_error {
    uint64_t offset; /* compressed byte offset where decoding stopped */
    char msg[128];
};

/*
 * Inflates the gzip data in[0..n) (one or more members) into out, which is
 * reset first; out->max caps the output. Returns 0; CM_ETRUNC or CM_EINVAL
 * when the data is truncated or corrupt, with out holding everything that
 * could be recovered and err describing where; CM_E2BIG over the cap;
 * CM_ENOMEM. A member whose data inflates but whose CRC-32 or length trailer
 * does not match is kept and the members after it are read: CM_EINVAL with
 * err about the first such trailer, unless later damage stops the stream.
 */
int cm_decode_gzip(struct cm_decoder *dec, const void *in, size_t n, struct cm_buf *out,
                   struct cm_decode_error *err);

/*
 * A gzip inside the gzip just inflated into *out (Firehose set to compress
 * what CloudWatch Logs had already compressed): when *out starts with the
 * gzip magic, it is inflated into *spare and the two buffers swap, so *out
 * holds the inner content. Returns 0 when nothing is nested, else as
 * cm_decode_gzip (after CM_ETRUNC or CM_EINVAL *out holds what was saved).
 */
int cm_decode_nested(struct cm_decoder *dec, struct cm_buf *out, struct cm_buf *spare,
                     struct cm_decode_error *err);

#endif
