/*
 * libFuzzer target for whole-buffer decoding (src/source/decode.c,
 * decode_zstd.c). gzip is differential against zlib: whenever libdeflate's
 * path reports success, a plain zlib inflate of the same members must give
 * the same bytes; when it reports damage, its output must be a prefix of what
 * zlib can recover. zstd is differential against libzstd's streaming decoder
 * fed a byte at a time (so every block is flushed before the next is read and
 * an error loses nothing decoded before it), frame after frame as decode.h
 * promises: the same bytes and the same outcome, damage included. The
 * decoded bytes then go through nested decoding, sniffing and the matching
 * parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "parse/parse.h"
#include "source/decode.h"

#define CAP (4u << 20) /* inputs are at most a few KiB: 1032x that fits */

/*
 * zlib over every member; returns bytes produced into out (cap CAP). Sets
 * *lenient when zlib stopped on a header CRC (FHCRC) mismatch: libdeflate
 * does not check that optional field (the data's own CRC-32 still is), so
 * the two legitimately differ there. Past a member whose CRC-32 or length
 * alone is wrong it goes on, as cm_decode_gzip does.
 */
static size_t zlib_all(const uint8_t *in, size_t n, unsigned char *out, int *lenient)
{
    z_stream zs;
    size_t total = 0;
    int rc;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        abort();
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    for (;;) {
        zs.next_out = out + total;
        zs.avail_out = (uInt)(CAP - total);
        rc = inflate(&zs, Z_NO_FLUSH);
        total = CAP - zs.avail_out;
        if (rc == Z_STREAM_END && zs.avail_in > 0 && zs.next_in[0] == 0x1f) {
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_DATA_ERROR && cm_gzip_trailer_skip(zs.msg) != SIZE_MAX &&
            zs.avail_in > cm_gzip_trailer_skip(zs.msg)) {
            /* Only the trailer was wrong: cm_decode_gzip goes on with the next member. */
            size_t skip = cm_gzip_trailer_skip(zs.msg);

            zs.next_in += skip;
            zs.avail_in -= (uInt)skip;
            if (zs.next_in[0] == 0x1f) {
                inflateReset(&zs);
                continue;
            }
        }
        break;
    }
    *lenient = zs.msg != NULL && strstr(zs.msg, "header crc") != NULL;
    inflateEnd(&zs);
    return total;
}

/*
 * Damage keeps every block before it (decode.h's promise): cm_decode_zstd()
 * gives libzstd about a block a call, since a call that finds an error drops
 * all its output. Before that (2026-12-07) it gave a whole frame per call and
 * a frame damaged in a later block kept nothing; -DZSTD_WHOLE_SALVAGE=0 holds
 * damaged output only to being a prefix of the reference's.
 */
#ifndef ZSTD_WHOLE_SALVAGE
#define ZSTD_WHOLE_SALVAGE 1
#endif

/* How the reference zstd decode ended. */
enum zref_end { ZR_OK, ZR_TRUNC, ZR_DAMAGE, ZR_JUNK, ZR_CAP };

/* A frame's magic, or a skippable frame's (0x184D2A50..5F, little-endian). */
static int zref_magic(const uint8_t *b, size_t n)
{
    if (n < 4) {
        return 0;
    }
    return (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
           ((b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18);
}

/*
 * libzstd's streaming decoder over every frame, fed one byte per call: a
 * block is decoded and flushed in the call that completes it, so an error
 * (which loses the output of the call it happens in) loses none of the blocks
 * before it. Mirrors decode.h's contract: a frame whose content checksum alone
 * is wrong is kept whole and decoding goes on after it (its end found by
 * ZSTD_findFrameCompressedSize); other data where a frame should start ends
 * the stream (ZR_JUNK). Returns bytes produced into out (cap CAP; ZR_CAP when
 * more would come); *end how it ended, *cksum whether a checksum-only frame
 * was passed over. Each frame gets a fresh context, as cm_decode_zstd() gives
 * it: libzstd keeps the buffers an earlier frame sized, and a frame whose
 * content outgrows its stated size reads further in a larger one.
 */
static size_t zstd_ref(const uint8_t *in, size_t n, unsigned char *out, enum zref_end *end,
                       int *cksum)
{
    size_t pos = 0, total = 0;

    *cksum = 0;
    while (pos < n) {
        ZSTD_inBuffer ib = {in + pos, 0, 0};
        ZSTD_DCtx *z;
        size_t r = 1;

        if (!zref_magic(in + pos, n - pos)) {
            *end = ZR_JUNK;
            return total;
        }
        if ((z = ZSTD_createDCtx()) == NULL) {
            abort();
        }
        while (ib.pos < n - pos) {
            ZSTD_outBuffer ob = {out + total, CAP - total, 0};

            ib.size = ib.pos + 1;
            r = ZSTD_decompressStream(z, &ob, &ib);
            total += ob.pos;
            if (!ZSTD_isError(r) && total == CAP && r != 0) {
                ZSTD_freeDCtx(z);
                *end = ZR_CAP; /* (the cap reached: whether more comes is not asked) */
                return total;
            }
            if (ZSTD_isError(r) || r == 0) {
                break;
            }
        }
        ZSTD_freeDCtx(z);
        if (ZSTD_isError(r)) {
            size_t len;

            if (ZSTD_getErrorCode(r) == ZSTD_error_checksum_wrong &&
                !ZSTD_isError(len = ZSTD_findFrameCompressedSize(in + pos, n - pos)) && len > 0) {
                *cksum = 1;
                pos += len;
                continue;
            }
            *end = ZR_DAMAGE;
            return total;
        }
        if (r != 0) {
            /* Every byte given and the frame not done. Output still held back
             * (a block read whole but not flushed) would be a cap issue only. */
            *end = ZR_TRUNC;
            return total;
        }
        pos += ib.pos;
    }
    *end = ZR_OK;
    return total;
}

static int count(void *ud, struct cm_event *ev)
{
    (void)ev;
    (*(size_t *)ud)++;
    return 0;
}

/* err's message: a NUL-terminated string, not empty. */
static int said(const struct cm_decode_error *err)
{
    return memchr(err->msg, '\0', sizeof(err->msg)) != NULL && err->msg[0] != '\0';
}

/*
 * cm_decode_zstd()'s result rc, out and err for in[0..n) against the
 * reference. When the two end the same way (decoded whole, cut, other data
 * after, a checksum-only frame passed), the bytes must be the same: decode.h
 * promises that a cut keeps every block before it and that a checksum-only
 * frame is kept whole; damaged, they must be too with ZSTD_WHOLE_SALVAGE,
 * else the output must be a prefix of the reference's. libzstd's
 * own verdict on damaged data depends on how it is fed (a frame given whole
 * is decoded in one pass, which checks what the streaming path may not, and
 * the other way round: zstd's maintainers promise to catch no particular
 * corruption, only to read it safely), so where one side finds damage and
 * the other does not, only the bytes both produced must agree. nested: the
 * inner layer of cm_decode_nested(), whose messages carry a prefix and may be
 * cut short, so the checksum note may be missing.
 */
static void zstd_check(const uint8_t *in, size_t n, int rc, const struct cm_buf *out,
                       const struct cm_decode_error *err, int nested)
{
    static unsigned char *zref;
    enum zref_end end, got;
    int cksum, got_cksum = 0;
    size_t nref, k;

    if (zref == NULL && (zref = malloc(CAP)) == NULL) {
        abort();
    }
    nref = zstd_ref(in, n, zref, &end, &cksum);
    if (rc == CM_ENOMEM || rc == CM_E2BIG || end == ZR_CAP) {
        return; /* the two caps are not the same test: nothing to compare */
    }
    if (rc != CM_OK && !said(err)) {
        abort(); /* damage said, always */
    }
    switch (rc) {
    case CM_OK:
        got = ZR_OK;
        break;
    case CM_ETRUNC:
        got = ZR_TRUNC;
        if (!nested && strstr(err->msg, "truncated zstd stream (ends at byte ") == NULL) {
            abort();
        }
        break;
    case CM_EINVAL:
        if (strstr(err->msg, "bytes of non-zstd data after the zstd stream ignored") != NULL) {
            got = ZR_JUNK;
        } else if (strstr(err->msg, "(checksum only; data read)") != NULL ||
                   (nested && end == ZR_OK && cksum)) {
            got = ZR_OK;
            got_cksum = 1;
        } else {
            got = ZR_DAMAGE;
            if (!nested && strstr(err->msg, "zstd") == NULL) {
                abort();
            }
        }
        break;
    default:
        abort(); /* no other outcome is documented */
    }
    /* (a checksum-only frame is said only when nothing later stopped the stream) */
    if (got == end && (got != ZR_OK || got_cksum == cksum) &&
        (got != ZR_DAMAGE || ZSTD_WHOLE_SALVAGE)) {
        if (out->len != nref || (nref > 0 && memcmp(out->p, zref, nref) != 0)) {
            abort(); /* the same ending: the same bytes (all that came before damage, too) */
        }
        return;
    }
    if (got != ZR_DAMAGE && end != ZR_DAMAGE) {
        abort(); /* decoded, cut, other data after: no feeding changes these */
    }
    k = out->len < nref ? out->len : nref;
    if (k > 0 && memcmp(out->p, zref, k) != 0) {
        abort(); /* damage read differently: still the same bytes as far as both went */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_decoder dec;
    struct cm_buf out;
    struct cm_decode_error err;
    static unsigned char *ref; /* reused: allocating it per input dominated the run */
    size_t nref, events = 0;
    int rc, lenient = 0, zst = cm_is_zstd(data, size);

    if ((!zst && !cm_is_gzip(data, size)) || cm_decoder_init(&dec) != 0) {
        return 0;
    }
    cm_buf_init(&out, CAP);
    if (zst) {
        rc = cm_decode_zstd(&dec, data, size, &out, &err);
        zstd_check(data, size, rc, &out, &err, 0);
    } else {
        rc = cm_decode_gzip(&dec, data, size, &out, &err);
        if (ref == NULL && (ref = malloc(CAP)) == NULL) {
            abort();
        }
        nref = zlib_all(data, size, ref, &lenient);
        if (!lenient && rc == CM_OK &&
            (out.len != nref || (nref && memcmp(out.p, ref, nref) != 0))) {
            abort(); /* libdeflate and zlib disagree on a good stream */
        }
        if (!lenient && rc != CM_OK && rc != CM_E2BIG && out.len > 0 &&
            (out.len > nref || memcmp(out.p, ref, out.len) != 0)) {
            abort(); /* salvage must only return what zlib also reads */
        }
    }
    if (rc == CM_OK || rc == CM_ETRUNC || rc == CM_EINVAL) {
        /* gzip or zstd inside, either way round (as the scan reads what was salvaged, too):
         * its error said in full; a zstd inside held to the reference too. */
        struct cm_buf spare;
        int nrc, inner_zst = cm_is_zstd(out.p, out.len);

        cm_buf_init(&spare, CAP);
        nrc = cm_decode_nested(&dec, &out, &spare, &err);
        if (nrc != CM_OK && nrc != CM_ENOMEM && !said(&err)) {
            abort();
        }
        if (inner_zst && (nrc == CM_OK || nrc == CM_ETRUNC || nrc == CM_EINVAL)) {
            /* swapped: spare holds the outer layer's bytes, out the inner's */
            zstd_check((const uint8_t *)spare.p, spare.len, nrc, &out, &err, 1);
        }
        cm_buf_finish(&spare);
    }
    if (out.len > 0) {
        const struct cm_parser *ps = cm_parse_sniff(out.p, out.len);
        if (ps) {
            struct cm_json_doc doc;
            struct cm_parse_ctx ctx;
            cm_json_doc_init(&doc, 1u << 20, 64);
            cm_parse_ctx_init(&ctx, &doc);
            ctx.on_event = count;
            ctx.ud = &events;
            (void)ps->parse(&ctx, out.p, out.len);
            cm_json_doc_finish(&doc);
        }
    }
    cm_buf_finish(&out);
    cm_decoder_finish(&dec);
    return 0;
}
