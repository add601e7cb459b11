/*
 * Reading an unbounded stream (standard input): plain, gzip (zlib's
 * streaming inflater, member after member) or zstd (libzstd's streaming
 * decoder, frame after frame), appended to a buffer a piece at a time so the
 * scan can cut it at line ends and parse it in chunks.
 */
#ifndef CM_SOURCE_SOURCE_STDIN_H
#define CM_SOURCE_SOURCE_STDIN_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "base/buf.h"
#include "parse/parse.h"

struct ZSTD_DCtx_s;

struct cm_stdin {
    z_stream zs;
    struct ZSTD_DCtx_s *zd; /* the zstd decoder, made at the first zstd byte */
    int packed, zst;        /* gzip or zstd; which: zstd */
    int eof, zinit, mid;
    char in[65536];
    size_t in_len, in_off;
    uint64_t raw_bytes; /* bytes read from the descriptor */
    uint64_t member_at; /* where the gzip member (zstd frame) being read or the next starts */
    uint64_t frame_in;  /* bytes of the zstd frame being read passed to the decoder */
    size_t zwant;       /* what the zstd decoder asks for next (0: a frame's start) */
    uint64_t err_off;   /* with an error message: the compressed byte it is about */
    uint32_t members;   /* gzip members (zstd frames) read to their end */
    uint32_t skip;      /* bytes of a member's mismatched trailer still to pass over */
};

/*
 * Appends about want decoded bytes from fd to out (at least want unless the
 * stream ends, and at most one 64 KiB step more); sets src->eof at the end
 * of the stream. A damaged or truncated gzip or zstd stream, or other data
 * after a gzip member or zstd frame, ends it with a message in err and its
 * compressed offset in src->err_off (where the damage is, where the other
 * data begins, or the end of a truncated stream). A gzip member whose CRC-32
 * or length trailer alone is wrong is kept and the stream goes on with the
 * next member, err saying so (unless later damage, which ends the stream,
 * replaces it), and so is a zstd frame whose checksum alone is wrong. Returns
 * 0, CM_ENOMEM or CM_E2BIG (out's cap).
 */
int cm_stdin_fill(struct cm_stdin *src, int fd, struct cm_buf *out, size_t want, char *err,
                  size_t errlen);
/* "gzip" or "zstd": what a compressed stream is, for messages. */
const char *cm_stdin_codec(const struct cm_stdin *src);
/* Frees the decoder. */
void cm_stdin_finish(struct cm_stdin *src);

/* Where a stream may be cut into pieces that parse alone. */
enum cm_stdin_cut {
    CM_STDIN_CUT_NONE,  /* nowhere: read it whole */
    CM_STDIN_CUT_LINES, /* at line ends */
    CM_STDIN_CUT_FILES, /* between concatenated CloudTrail files */
};

/*
 * How a stream of format ps starting with p[0..n) can be cut: flow and
 * Resolver logs at line ends; CloudTrail at line ends when its first line is
 * one complete JSON record (JSON Lines), between files when it begins as a
 * CloudTrail file does ({"Records", as zcat of many files gives), else not.
 */
enum cm_stdin_cut cm_stdin_cut_mode(const struct cm_parser *ps, const char *p, size_t n);

/*
 * The length of the longest prefix of p[0..n) that can be cut off in this
 * mode (0: none yet). *seen (0 at first) remembers how far the search got,
 * counted as if the prefix returned were removed (as the caller does), so a
 * long piece is not searched again as it grows.
 */
size_t cm_stdin_cut(enum cm_stdin_cut mode, const char *p, size_t n, size_t *seen);

#endif
