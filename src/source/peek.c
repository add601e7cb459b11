/*
 * First-record time of an input (see peek.h).
 */
#include "source/peek.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "parse/cwl.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/parquet.h"
#include "source/source_file.h"

#define PEEK_RAW         ((size_t)CM_PEEK_RAW)
#define PEEK_OUT         (256 * 1024)
#define PEEK_FIRST       (16 * 1024)  /* the first try's inflated window */
#define PEEK_PARQUET_MAX (256u << 20) /* a Parquet file read whole to peek, at most */
#define PEEK_PIECES      32 /* log events unwrapped: enough for a good record among them */

struct first {
    int64_t ms;
    int found;
};

static int take_first(void *ud, struct cm_event *ev)
{
    struct first *f = ud;

    f->ms = ev->time_ms;
    f->found = 1;
    return CM_EFULL; /* stop: one record is all we need */
}

#define GZIP_FHCRC 0x02 /* FLG bit: a CRC-16 of the header follows it */

/*
 * Inflates what it can of a gzip prefix (the window usually ends mid-stream),
 * member after member as the scan reads it: a Firehose object of CloudWatch Logs
 * deliveries is one member each, the first often a CONTROL_MESSAGE with no record.
 */
static size_t inflate_prefix(const unsigned char *in, size_t n, char *out, size_t cap)
{
    z_stream zs;
    int zrc;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return 0;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    for (;;) {
        /* What inflate() yields never depends on the trailer's CRC-32 (a bad one
         * only changes its return, read by no one), so it is not computed: that
         * was a third of the work. A header with its own CRC keeps the checks,
         * since a bad one yields nothing. */
        (void)inflateValidate(&zs, zs.avail_in > 3 && (zs.next_in[3] & GZIP_FHCRC) != 0);
        zrc = inflate(&zs, Z_SYNC_FLUSH);
        /* Another member follows only when this one ended and a gzip header is next. */
        if (zrc != Z_STREAM_END || zs.avail_out == 0 || !cm_is_gzip(zs.next_in, zs.avail_in) ||
            inflateReset(&zs) != Z_OK) {
            break;
        }
    }
    inflateEnd(&zs);
    return cap - zs.avail_out;
}

/*
 * Decodes what it can of a zstd prefix, frame after frame; a block cut off by
 * the window's end yields nothing (libzstd decodes whole blocks), so a peek of
 * a file whose first block is over 64 KiB compressed finds no record.
 */
static size_t zstd_prefix(const unsigned char *in, size_t n, char *out, size_t cap)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    ZSTD_inBuffer ib = {in, n, 0};
    ZSTD_outBuffer ob = {out, cap, 0};

    if (z == NULL) {
        return 0;
    }
    while (ob.pos < ob.size) {
        size_t was_in = ib.pos, was_out = ob.pos;
        size_t r = ZSTD_decompressStream(z, &ob, &ib);

        if (ZSTD_isError(r) || (r == 0 && !cm_is_zstd(in + ib.pos, n - ib.pos)) ||
            (ib.pos == was_in && ob.pos == was_out)) {
            break;
        }
    }
    ZSTD_freeDCtx(z);
    return ob.pos;
}

/* What can be decoded of the gzip or zstd prefix in[0..n). */
static size_t decode_prefix(const unsigned char *in, size_t n, char *out, size_t cap)
{
    return cm_is_zstd(in, n) ? zstd_prefix(in, n, out, cap) : inflate_prefix(in, n, out, cap);
}

static int first_record_time(const char *buf, size_t len, const struct cm_flow_format *ff,
                             int64_t *ms)
{
    const struct cm_parser *ps;
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;
    struct first f = {0, 0};

    cm_parse_ctx_init(&ctx, &doc);
    /* As the scan reads it: header-less lines of the user's fields too. */
    ps = cm_parse_sniff_flow(buf, len, ff, &ctx.flow_fmt);
    if (ps == NULL) {
        return CM_EFORMAT;
    }
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 4096, 1 << 20);
    ctx.arena = &arena;
    ctx.on_event = take_first;
    ctx.ud = &f;
    (void)ps->parse(&ctx, buf, len);
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
    if (!f.found) {
        return CM_ENOTFOUND;
    }
    *ms = f.ms;
    return CM_OK;
}

/*
 * The first record's time in buf[0..len), the start of an input (whole: all of
 * it).
 */
static int first_time(const char *buf, size_t len, bool whole, const struct cm_flow_format *ff,
                      int64_t *ms)
{
    struct cm_cwl cwl;
    int rc;

    if (!cm_cwl_sniff(buf, len)) {
        return first_record_time(buf, len, ff, ms);
    }
    /* The window may end inside a log event: the ones before it are enough. */
    cm_cwl_init(&cwl, 0);
    cwl.max_pieces = PEEK_PIECES;
    rc = cm_cwl_unwrap(&cwl, buf, len);
    if (rc == 0 && cwl.lookup && !(whole && cwl.npiece < PEEK_PIECES)) {
        /* CloudTrail's look-up events come newest first: a window that is not the whole
         * file holds the newest. The last 90 days of events: after the files with a time. */
        *ms = INT64_MAX;
    } else if (rc == 0) {
        /* (look-up events, all of them here, were put in time order by the unwrap) */
        rc = first_record_time(cwl.out.p ? cwl.out.p : "", cwl.out.len, ff, ms);
    }
    cm_cwl_finish(&cwl);
    return rc;
}

int cm_peek_first_time(const char *path, int64_t *ms)
{
    return cm_peek_first_time_with(path, NULL, ms);
}

int cm_peek_first_time_bytes(const void *bytes, size_t n, const struct cm_flow_format *ff,
                             int64_t *ms)
{
    const unsigned char *raw = bytes;
    char *out = cm_malloc(PEEK_OUT);
    size_t len;
    int rc = CM_ENOMEM;

    if (out == NULL) {
        return CM_ENOMEM;
    }
    if (n > PEEK_RAW) {
        n = PEEK_RAW;
    }
    if (!cm_is_compressed(raw, n)) {
        memcpy(out, raw, n);
        rc = first_time(out, n, n < PEEK_RAW, ff, ms);
        goto out;
    }
    /* A first record is almost always in the first few KiB: inflate more only when not. */
    for (size_t cap = PEEK_FIRST;; cap = PEEK_OUT) {
        len = decode_prefix(raw, n, out, cap);
        if (cm_is_compressed(out, len)) {
            /* A gzip in the gzip, as the scan reads it. */
            unsigned char *inner = cm_malloc(cap);
            if (inner == NULL) {
                rc = CM_ENOMEM;
                goto out;
            }
            len = decode_prefix((const unsigned char *)out, len, (char *)inner, cap);
            memcpy(out, inner, len);
            cm_free(inner);
        }
        rc = first_time(out, len, n < PEEK_RAW && len < cap, ff, ms);
        if (rc == 0 || len < cap || cap == PEEK_OUT) {
            break;
        }
    }
out:
    cm_free(out);
    return rc;
}

/*
 * A Parquet file has its metadata at its end: read whole (up to PEEK_PARQUET_MAX),
 * its rows written out as the scan writes them, and the first of them peeked.
 */
static int parquet_first_time(int fd, int64_t *ms)
{
    struct libdeflate_decompressor *gz = libdeflate_alloc_decompressor();
    struct cm_buf raw, text;
    struct stat st;
    char why[160];
    uint64_t off;
    int rc = CM_ENOMEM;

    cm_buf_init(&raw, PEEK_PARQUET_MAX);
    cm_buf_init(&text, 0);
    if (gz == NULL) {
        goto out;
    }
    if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        rc = CM_EIO;
        goto out;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > PEEK_PARQUET_MAX) {
        rc = CM_EFORMAT;
        goto out;
    }
    if ((rc = cm_read_fd(fd, &raw, (size_t)st.st_size)) != 0) {
        goto out;
    }
    rc = cm_parquet_to_text(raw.p, raw.len, &text, gz, NULL, NULL, NULL, why, sizeof(why), &off);
    if (rc == 0) {
        rc = first_record_time(text.p, text.len, NULL, ms);
    } else if (rc != CM_ENOMEM) {
        rc = CM_EFORMAT;
    }
out:
    cm_buf_finish(&raw);
    cm_buf_finish(&text);
    if (gz != NULL) {
        libdeflate_free_decompressor(gz);
    }
    return rc;
}

int cm_peek_first_time_with(const char *path, const struct cm_flow_format *ff, int64_t *ms)
{
    static const size_t raw_cap = PEEK_RAW;
    unsigned char *raw = NULL;
    ssize_t got;
    size_t n = 0;
    int fd, rc = CM_ENOMEM;

    fd = open(path, O_RDONLY);
    if (fd < 0) {
        return CM_EIO;
    }
    raw = cm_malloc(raw_cap);
    if (raw == NULL) {
        goto out;
    }
    while (n < raw_cap && (got = read(fd, raw + n, raw_cap - n)) > 0) {
        n += (size_t)got;
    }
    rc = cm_parquet_sniff(raw, n) ? parquet_first_time(fd, ms)
                                  : cm_peek_first_time_bytes(raw, n, ff, ms);
out:
    cm_free(raw);
    close(fd);
    return rc;
}
