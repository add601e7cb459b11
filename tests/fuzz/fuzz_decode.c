/*
 * libFuzzer target for whole-buffer gzip decoding (src/source/decode.c),
 * differential against zlib: whenever libdeflate's path reports success, a
 * plain zlib inflate of the same members must give the same bytes; when it
 * reports damage, its output must be a prefix of what zlib can recover. The
 * decoded bytes then go through sniffing and the matching parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

static int count(void *ud, struct cm_event *ev)
{
    (void)ev;
    (*(size_t *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_decoder dec;
    struct cm_buf out;
    struct cm_decode_error err;
    static unsigned char *ref; /* reused: allocating it per input dominated the run */
    size_t nref, events = 0;
    int rc, lenient = 0;

    if (!cm_is_gzip(data, size) || cm_decoder_init(&dec) != 0) {
        return 0;
    }
    cm_buf_init(&out, CAP);
    rc = cm_decode_gzip(&dec, data, size, &out, &err);
    if (ref == NULL && (ref = malloc(CAP)) == NULL) {
        abort();
    }
    nref = zlib_all(data, size, ref, &lenient);
    if (!lenient && rc == CM_OK && (out.len != nref || (nref && memcmp(out.p, ref, nref) != 0))) {
        abort(); /* libdeflate and zlib disagree on a good stream */
    }
    if (!lenient && rc != CM_OK && rc != CM_E2BIG && out.len > 0 &&
        (out.len > nref || memcmp(out.p, ref, out.len) != 0)) {
        abort(); /* salvage must only return what zlib also reads */
    }
    if (rc == CM_OK || rc == CM_ETRUNC || rc == CM_EINVAL) {
        /* A gzip inside (as the scan reads what was salvaged, too): its error said in full. */
        struct cm_buf spare;
        int nrc;

        cm_buf_init(&spare, CAP);
        nrc = cm_decode_nested(&dec, &out, &spare, &err);
        if (nrc != CM_OK && nrc != CM_ENOMEM &&
            (memchr(err.msg, '\0', sizeof(err.msg)) == NULL || err.msg[0] == '\0')) {
            abort();
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
