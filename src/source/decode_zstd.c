/*
 * Whole-buffer zstd decoding (decode.h): libzstd's streaming decoder, frame
 * after frame, a block a call, straight into the output buffer. A damaged or
 * truncated frame keeps every block decoded before the damage (libzstd
 * decodes a block whole or not at all); a frame whose content checksum alone
 * is wrong is kept and the frames after it are read. Each frame is read by a
 * fresh context, so what it gives does not depend on what was read before it.
 */
#include "source/decode.h"

#include <stdio.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "base/err.h"

#define ZSTD_BLOCK_HEADER 3 /* bytes of a block's header (RFC 8878, 3.1.1.2) */

/* Skippable frames (magic 0x184D2A50..5F, little-endian) carry no content. */
static bool skippable(const unsigned char *b, size_t n)
{
    return n >= 4 && (b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18;
}

bool cm_is_zstd(const void *p, size_t n)
{
    const unsigned char *b = p;
    return (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
           skippable(b, n);
}

/*
 * Room for the next call's output, at most what the cap leaves: at least a whole
 * block's (ZSTD_DStreamOutSize) unless the cap is nearer, so a call always hands
 * over all it decoded (a call that fails hands over nothing), grown by grow when
 * it must grow. *rc is cm_buf_reserve's.
 */
static size_t room_for(struct cm_buf *out, size_t grow, int *rc)
{
    size_t left = out->max - out->len, need = ZSTD_DStreamOutSize(), avail;

    *rc = CM_OK;
    if (left == 0) {
        return 0;
    }
    avail = out->cap > out->len ? out->cap - out->len - 1 : 0;
    if (avail < need && avail < left) {
        size_t want = grow > need ? grow : need;

        *rc = cm_buf_reserve(out, want < left ? want : left);
        if (*rc != 0) {
            return 0;
        }
        avail = out->cap - out->len - 1;
    }
    return avail < left ? avail : left;
}

/*
 * Decodes the frame at in[0..n) onto out. Returns 0 with *used its compressed
 * length; CM_ETRUNC when the input ends inside it; CM_EINVAL on damage (*zcode
 * libzstd's error, *at where the piece that failed begins); CM_E2BIG past the
 * cap; CM_ENOMEM. Each call is given what libzstd asks for next, about one
 * block (cm_zstd_next_feed): a call that fails keeps none of its output, so
 * the blocks before the damage are kept, and a frame whose checksum alone is
 * wrong has all its content out before the checksum is read. From byte
 * careful on, a byte a call: where damage was found, the output that the call
 * which found it held back (the part of a raw block before it) comes out too.
 */
static int frame(ZSTD_DCtx *z, const unsigned char *in, size_t n, size_t careful,
                 struct cm_buf *out, size_t grow, size_t *used, size_t *at, ZSTD_ErrorCode *zcode)
{
    ZSTD_inBuffer ib = {in, 0, 0};
    size_t want = CM_ZSTD_FIRST_FEED; /* then what libzstd asks for */

    *zcode = ZSTD_error_no_error;
    for (;;) {
        unsigned char spare;
        int rc;
        size_t avail = room_for(out, grow, &rc), r, was = ib.pos;
        ZSTD_outBuffer ob;

        if (rc != 0) {
            return rc;
        }
        /* At the cap, one spare byte tells whether more would come. */
        ob.dst = avail ? (void *)(out->p + out->len) : (void *)&spare;
        ob.size = avail ? avail : 1;
        ob.pos = 0;
        if (ib.pos >= careful) {
            want = 1;
        }
        ib.size = n - ib.pos < want ? n : ib.pos + want;
        *at = ib.pos;
        r = ZSTD_decompressStream(z, &ob, &ib);
        if (ZSTD_isError(r)) {
            *zcode = ZSTD_getErrorCode(r);
            return CM_EINVAL;
        }
        if (avail == 0 && ob.pos > 0) {
            return CM_E2BIG;
        }
        if (avail > 0) {
            out->len += ob.pos;
            out->p[out->len] = '\0';
        }
        if (r == 0) {
            *used = ib.pos;
            return CM_OK;
        }
        if (ib.pos == n && ob.pos < ob.size) {
            *at = n;
            return CM_ETRUNC; /* it wants input there is none of */
        }
        if (ib.pos == was && ob.pos == 0 && ib.size == n) {
            *zcode = ZSTD_error_GENERIC; /* all of it given, none taken: not to loop */
            return CM_EINVAL;
        }
        if (ob.pos == ob.size) {
            grow = out->len; /* full: double the buffer */
        }
        want = cm_zstd_next_feed(r, ib.pos == was && ob.pos == 0 ? ib.size - ib.pos : 0);
    }
}

size_t cm_zstd_next_feed(size_t hint, size_t stuck)
{
    if (stuck > 0) {
        return stuck * 2 + hint; /* it took nothing and gave nothing: more (never stuck) */
    }
    /* The hint counts the next block's header, which is read in the call that ends this
     * block: a damaged header would lose the block. Given apart, it cannot. */
    return hint > ZSTD_BLOCK_HEADER ? hint - ZSTD_BLOCK_HEADER : hint;
}

bool cm_zstd_window_error(size_t zret)
{
    return ZSTD_isError(zret) &&
           ZSTD_getErrorCode(zret) == ZSTD_error_frameParameter_windowTooLarge;
}

/* Why libzstd stopped, for a message. */
static void damage_msg(struct cm_decode_error *err, ZSTD_ErrorCode code, bool data_read)
{
    if (code == ZSTD_error_frameParameter_windowTooLarge) {
        snprintf(err->msg, sizeof(err->msg), "%s", CM_ZSTD_WINDOW_ADVICE);
        return;
    }
    snprintf(err->msg, sizeof(err->msg), "corrupt zstd data: %s%s", ZSTD_getErrorString(code),
             data_read ? " (checksum only; data read)" : "");
}

int cm_decode_zstd(struct cm_decoder *dec, const void *inp, size_t n, struct cm_buf *out,
                   struct cm_decode_error *err)
{
    const unsigned char *in = inp;
    struct cm_decode_error first = {0, ""}; /* a frame whose checksum alone was wrong */
    unsigned long long claim = ZSTD_getFrameContentSize(in, n);
    size_t pos = 0, hint = n * 4 + 1024;
    int rc;

    cm_buf_reset(out);
    err->offset = 0;
    err->msg[0] = '\0';
    dec->outer = "zstd";
    /* A first frame's stated size is a hint when it is one zstd could have made of n bytes. */
    if (claim != ZSTD_CONTENTSIZE_UNKNOWN && claim != ZSTD_CONTENTSIZE_ERROR && claim / 8192 <= n) {
        hint = (size_t)claim + 64;
    }
    while (pos < n) {
        size_t used = 0, at = 0, start;
        ZSTD_ErrorCode code;

        if (!cm_is_zstd(in + pos, n - pos)) {
            snprintf(err->msg, sizeof(err->msg),
                     "%zu bytes of non-zstd data after the zstd stream ignored", n - pos);
            err->offset = pos;
            return CM_EINVAL;
        }
        /* Each frame gets a context of its own. libzstd keeps the buffers an earlier
         * frame sized, and a frame whose content outgrows the size its header states
         * decodes further in a larger buffer than in the one it asks for, so what a
         * damaged frame salvaged would depend on what the decoder read before it (an
         * earlier frame or an earlier file). A context costs a few microseconds. */
        ZSTD_freeDCtx(dec->z);
        if ((dec->z = ZSTD_createDCtx()) == NULL) {
            return CM_ENOMEM;
        }
        start = out->len;
        rc = frame(dec->z, in + pos, n - pos, SIZE_MAX, out, pos == 0 ? hint : 65536, &used, &at,
                   &code);
        if (rc == CM_EINVAL && code != ZSTD_error_checksum_wrong &&
            code != ZSTD_error_frameParameter_windowTooLarge) {
            /* Again, a byte a call from where the damage was found: all before it kept. */
            out->len = start;
            (void)ZSTD_DCtx_reset(dec->z, ZSTD_reset_session_only);
            rc = frame(dec->z, in + pos, n - pos, at, out, 65536, &used, &at, &code);
        }
        if (rc == CM_EINVAL && code == ZSTD_error_checksum_wrong) {
            /* Its content all out before the checksum was read: kept, and on to the next. */
            size_t len = ZSTD_findFrameCompressedSize(in + pos, n - pos);

            if (!ZSTD_isError(len) && len >= 4 && len <= n - pos) {
                if (first.msg[0] == '\0') {
                    damage_msg(&first, code, true);
                    first.offset = pos + len - 4; /* the checksum */
                }
                pos += len;
                continue;
            }
        }
        if (rc == CM_ETRUNC) {
            snprintf(err->msg, sizeof(err->msg), "truncated zstd stream (ends at byte %zu)", n);
            err->offset = n;
            return rc;
        }
        if (rc == CM_EINVAL) {
            damage_msg(err, code, false);
            err->offset = pos + at;
            return rc;
        }
        if (rc == CM_E2BIG) {
            snprintf(err->msg, sizeof(err->msg), "decoded size exceeds the cap of %zu bytes",
                     out->max);
            err->offset = pos + at;
            return rc;
        }
        if (rc != 0) {
            return rc;
        }
        pos += used;
    }
    if (first.msg[0] != '\0') {
        *err = first;
        return CM_EINVAL;
    }
    return CM_OK;
}
