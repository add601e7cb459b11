/*
 * Whole-buffer gzip decoding: libdeflate on the fast path, zlib to salvage
 * the readable prefix of a damaged stream. zstd is decode_zstd.c's.
 */
#include "source/decode.h"

#include <libdeflate.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "base/err.h"

int cm_decoder_init(struct cm_decoder *dec)
{
    dec->z = NULL;
    dec->outer = "gzip";
    dec->d = libdeflate_alloc_decompressor();
    return dec->d ? CM_OK : CM_ENOMEM;
}

void cm_decoder_finish(struct cm_decoder *dec)
{
    if (dec->d) {
        libdeflate_free_decompressor(dec->d);
        dec->d = NULL;
    }
    if (dec->z) {
        ZSTD_freeDCtx(dec->z);
        dec->z = NULL;
    }
}

bool cm_is_gzip(const void *p, size_t n)
{
    const unsigned char *b = p;
    return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

bool cm_is_compressed(const void *p, size_t n)
{
    return cm_is_gzip(p, n) || cm_is_zstd(p, n);
}

/* The containers and compressors of other tools, by their magic bytes. */
static const struct container {
    size_t at;         /* where the magic is */
    const char *magic; /* its bytes */
    size_t len;
    const char *name; /* what it is */
    const char *how;  /* how to read it with coalmine */
} containers[] = {
    {0, "BZh", 3, "bzip2 data", "bzcat FILE | coalmine scan -"}, /* then a digit 1-9 */
    {0,
     "\xfd"
     "7zXZ\0",
     6, "xz data", "xzcat FILE | coalmine scan -"},
    {0, "\x04\x22\x4d\x18", 4, "lz4 data", "lz4cat FILE | coalmine scan -"},
    {0, "PK\x03\x04", 4, "a zip archive", "unzip it and scan the directory"},
    {0, "7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive", "extract it and scan the directory"},
    {257, "ustar", 5, "a tar archive", "extract it (tar -xf) and scan the directory"},
};

const char *cm_container_name(const void *p, size_t n, const char **how)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        const struct container *c = &containers[i];

        if (n >= c->at + c->len && memcmp(b + c->at, c->magic, c->len) == 0 &&
            (c->magic[0] != 'B' || (n > 3 && b[3] >= '1' && b[3] <= '9'))) {
            if (how != NULL) {
                *how = c->how;
            }
            return c->name;
        }
    }
    return NULL;
}

static uint32_t trailer_isize(const unsigned char *in, size_t n)
{
    if (n < 18) {
        return 0;
    }
    return (uint32_t)in[n - 4] | ((uint32_t)in[n - 3] << 8) | ((uint32_t)in[n - 2] << 16) |
           ((uint32_t)in[n - 1] << 24);
}

size_t cm_gzip_trailer_skip(const char *zmsg)
{
    /* zlib stops at the CRC-32 having read it, at the length having read both. */
    if (zmsg != NULL && strcmp(zmsg, "incorrect data check") == 0) {
        return 4;
    }
    if (zmsg != NULL && strcmp(zmsg, "incorrect length check") == 0) {
        return 0;
    }
    return SIZE_MAX;
}

/*
 * Streams one damaged member through zlib, appending what it yields. Returns
 * CM_ETRUNC when the input ended inside the stream, CM_EINVAL on bad data;
 * *end is the member's length when only its trailer was wrong (the data was
 * all inflated and the next member can be read), else 0.
 */
static int salvage(const unsigned char *in, size_t n, size_t base, struct cm_buf *out,
                   struct cm_decode_error *err, size_t *end)
{
    z_stream zs;
    int zrc, rc = CM_EINVAL;
    char tmp[65536];

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return CM_ENOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    do {
        zs.next_out = (Bytef *)tmp;
        zs.avail_out = sizeof(tmp);
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (sizeof(tmp) - zs.avail_out > 0) {
            int brc = cm_buf_append(out, tmp, sizeof(tmp) - zs.avail_out);
            if (brc != 0) {
                inflateEnd(&zs);
                return brc;
            }
        }
    } while (zrc == Z_OK);
    if (zrc == Z_BUF_ERROR && zs.avail_in == 0) {
        rc = CM_ETRUNC;
        snprintf(err->msg, sizeof(err->msg), "truncated gzip stream (ends at byte %zu)", base + n);
    } else {
        size_t skip = cm_gzip_trailer_skip(zs.msg);

        snprintf(err->msg, sizeof(err->msg), "corrupt gzip data: %s%s",
                 zs.msg ? zs.msg : "inflate failed",
                 skip != SIZE_MAX ? " (trailer only; data read)" : "");
        if (skip != SIZE_MAX && zs.total_in + skip <= n) {
            *end = zs.total_in + skip;
        }
    }
    err->offset = base + zs.total_in;
    inflateEnd(&zs);
    return rc;
}

/*
 * Inflates one member at in[0..n) with libdeflate; *used = compressed bytes
 * consumed. libdeflate never gets more room than out->max leaves, so a
 * member that fits exactly succeeds and one byte more is CM_E2BIG.
 */
static int member(struct cm_decoder *dec, const unsigned char *in, size_t n, size_t hint,
                  struct cm_buf *out, size_t *used)
{
    size_t room = out->max - out->len;
    size_t guess = hint ? hint : n * 4 + 1024;

    for (;;) {
        size_t got = 0, avail;
        enum libdeflate_result r;
        int rc;

        if (guess > room) {
            guess = room;
        }
        rc = cm_buf_reserve(out, guess);
        if (rc != 0) {
            return rc;
        }
        avail = out->cap - out->len - 1;
        if (avail > room) {
            avail = room;
        }
        r = libdeflate_gzip_decompress_ex(dec->d, in, n, out->p + out->len, avail, used, &got);
        if (r == LIBDEFLATE_SUCCESS) {
            out->len += got;
            out->p[out->len] = '\0';
            return CM_OK;
        }
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE) {
            return CM_EINVAL;
        }
        if (avail >= room) {
            return CM_E2BIG;
        }
        guess = avail * 2;
    }
}

int cm_decode_gzip(struct cm_decoder *dec, const void *inp, size_t n, struct cm_buf *out,
                   struct cm_decode_error *err)
{
    const unsigned char *in = inp;
    size_t pos = 0;
    uint64_t isize = trailer_isize(in, n);
    struct cm_decode_error first = {0, ""}; /* a member whose trailer alone was wrong */
    int rc;

    /* DEFLATE expands at most 1032:1; a bigger trailer size is damage, not a hint. */
    if (isize > (uint64_t)n * 1032) {
        isize = 0;
    }

    cm_buf_reset(out);
    err->offset = 0;
    err->msg[0] = '\0';
    dec->outer = "gzip";
    while (pos < n) {
        size_t used = 0;
        if (!cm_is_gzip(in + pos, n - pos)) {
            snprintf(err->msg, sizeof(err->msg),
                     "%zu bytes of non-gzip data after the gzip stream ignored", n - pos);
            err->offset = pos;
            return CM_EINVAL;
        }
        /* The trailer size is exact for single-member files (mod 2^32). */
        rc = member(dec, in + pos, n - pos, pos == 0 && isize ? (size_t)isize + 64 : 0, out, &used);
        if (rc == CM_EINVAL) {
            size_t end = 0;

            /* Never returns 0: the member is damaged, keep what it yields. */
            rc = salvage(in + pos, n - pos, pos, out, err, &end);
            if (end > 0 && pos + end < n) {
                /* Only its CRC-32 or length was wrong: the members after it are intact. */
                if (first.msg[0] == '\0') {
                    first = *err;
                }
                pos += end;
                continue;
            }
        }
        if (rc != 0) {
            if (rc == CM_E2BIG) {
                snprintf(err->msg, sizeof(err->msg), "decoded size exceeds the cap of %zu bytes",
                         out->max);
            }
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

int cm_decode(struct cm_decoder *dec, const void *in, size_t n, struct cm_buf *out,
              struct cm_decode_error *err)
{
    return cm_is_zstd(in, n) ? cm_decode_zstd(dec, in, n, out, err)
                             : cm_decode_gzip(dec, in, n, out, err);
}

int cm_decode_nested(struct cm_decoder *dec, struct cm_buf *out, struct cm_buf *spare,
                     struct cm_decode_error *err)
{
    const char *outer = dec->outer;
    struct cm_buf t;
    int rc;

    if (!cm_is_compressed(out->p, out->len)) {
        return 0;
    }
    rc = cm_decode(dec, out->p, out->len, spare, err);
    if (rc != 0 && rc != CM_ENOMEM) {
        /* Its offsets are of the decoded outer layer, not of the input's bytes: said so. */
        char pre[64];
        int np =
            snprintf(pre, sizeof(pre), "in the %s inside the %s, at its byte %zu: ", dec->outer,
                     outer, err->offset);
        size_t plen = np > 0 && (size_t)np < sizeof(pre) ? (size_t)np : 0;
        size_t len = strlen(err->msg);

        if (plen + len >= sizeof(err->msg)) {
            len = sizeof(err->msg) - 1 - plen;
        }
        memmove(err->msg + plen, err->msg, len);
        memcpy(err->msg, pre, plen);
        err->msg[plen + len] = '\0';
        err->offset = 0;
    }
    if (rc == 0 || rc == CM_ETRUNC || rc == CM_EINVAL) {
        t = *out;
        *out = *spare;
        *spare = t;
    }
    return rc;
}
