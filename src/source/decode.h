/*
 * Decompression of whole inputs, gzip or zstd. Log objects are complete
 * files, so gzip is inflated in one call with libdeflate (about twice zlib's
 * speed), member by member for multi-member files, with the output sized from
 * the gzip trailer. When a stream is corrupt or truncated, zlib's streaming
 * inflater salvages every byte before the damage, so the good records still
 * get parsed. zstd (archives recompressed for keeping) is decoded frame by
 * frame with libzstd's streaming decoder, which keeps the same promise.
 */
#ifndef CM_SOURCE_DECODE_H
#define CM_SOURCE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct ZSTD_DCtx_s;

struct cm_decoder {
    struct libdeflate_decompressor *d;
    struct ZSTD_DCtx_s *z; /* made afresh for each zstd frame */
    const char *outer;     /* "gzip" or "zstd": what was decoded last, for messages */
};

/* Returns 0 or CM_ENOMEM. */
int cm_decoder_init(struct cm_decoder *dec);
void cm_decoder_finish(struct cm_decoder *dec);

/* True when p starts with the gzip magic bytes. */
bool cm_is_gzip(const void *p, size_t n);

/* True when p starts with a zstd frame (or a skippable frame, which may lead one). */
bool cm_is_zstd(const void *p, size_t n);

/* True when p starts as gzip or zstd data does: what cm_decode() reads. */
bool cm_is_compressed(const void *p, size_t n);

/*
 * What another tool's container or compressor p starts with is ("bzip2 data",
 * "a tar archive"; also xz, lz4, zip, 7-Zip), with in *how (may be NULL) how
 * to read it instead; NULL when it is none of them. coalmine reads gzip, zstd
 * and plain text only: these are named so the reject says why.
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
 * The zstd data in[0..n) (one or more frames; skippable frames pass) decoded
 * into out, which is reset first; returns as cm_decode_gzip does. Damage keeps
 * what was decoded before it; a frame whose content checksum alone is wrong is
 * kept and the frames after it are read (CM_EINVAL, err about it). A frame
 * needing a window over libzstd's default limit (128 MiB, zstd --long) is
 * refused with a message saying so.
 */
int cm_decode_zstd(struct cm_decoder *dec, const void *in, size_t n, struct cm_buf *out,
                   struct cm_decode_error *err);

/* What a frame needing a window over libzstd's default limit (2^27) is told. */
#define CM_ZSTD_WINDOW_ADVICE                                                                      \
    "zstd frame needs a window over 128 MiB (made with --long?): decompress it with zstd -d "      \
    "--long=31 first"

/*
 * How many bytes to give libzstd's streaming decoder next, from hint (what
 * its last call returned) and stuck (bytes the last call was given and took
 * none of, giving nothing: then more). A call that finds an error drops all
 * the output it made, so a call is given one block and never the next one's
 * header too: the blocks before damage come out.
 */
size_t cm_zstd_next_feed(size_t hint, size_t stuck);
/* What to give it first at a frame's start: the frame header's first bytes. */
#define CM_ZSTD_FIRST_FEED 6

/* True when zret, libzstd's return, is the error of such a frame. */
bool cm_zstd_window_error(size_t zret);

/* cm_decode_zstd() for zstd data, else cm_decode_gzip(). */
int cm_decode(struct cm_decoder *dec, const void *in, size_t n, struct cm_buf *out,
              struct cm_decode_error *err);

/*
 * A gzip inside the gzip just inflated into *out (Firehose set to compress
 * what CloudWatch Logs had already compressed), or any other nesting of gzip
 * and zstd: when *out starts as either does, it is decoded into *spare and the
 * two buffers swap, so *out holds the inner content. Returns 0 when nothing is
 * nested, else as cm_decode (after CM_ETRUNC or CM_EINVAL *out holds what
 * was saved).
 */
int cm_decode_nested(struct cm_decoder *dec, struct cm_buf *out, struct cm_buf *spare,
                     struct cm_decode_error *err);

#endif
