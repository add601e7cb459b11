/*
 * Streaming reads of standard input, with gzip or zstd detected from the
 * first bytes.
 */
#include "source/source_stdin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "base/err.h"
#include "base/json.h"
#include "source/decode.h"

/*
 * How the stream can be cut: flow and Resolver logs at line ends; CloudTrail
 * at line ends when its first line is one complete JSON record, between files
 * when it begins as a CloudTrail file does ({"Records", zcat of many files),
 * else not at all.
 */
enum cm_stdin_cut cm_stdin_cut_mode(const struct cm_parser *ps, const char *p, size_t n)
{
    const char *nl;
    struct cm_json_doc d;
    size_t end = 0;
    uint32_t root;
    int ok;

    if (ps->kind != CM_EV_CLOUDTRAIL) {
        return CM_STDIN_CUT_LINES;
    }
    if (n >= CM_PARSE_CT_MARK_LEN && memcmp(p, CM_PARSE_CT_MARK, CM_PARSE_CT_MARK_LEN) == 0) {
        return CM_STDIN_CUT_FILES;
    }
    nl = memchr(p, '\n', n);
    if (nl == NULL) {
        return CM_STDIN_CUT_NONE;
    }
    cm_json_doc_init(&d, 0, 0);
    cm_json_doc_begin(&d, p, (size_t)(nl - p));
    ok = cm_json_parse_at(&d, 0, &end, &root, NULL) == 0 &&
         cm_json_type(&d, root) == CM_JSON_OBJECT &&
         cm_json_get(&d, root, "Records") == CM_JSON_NONE;
    cm_json_doc_finish(&d);
    return ok ? CM_STDIN_CUT_LINES : CM_STDIN_CUT_NONE;
}

size_t cm_stdin_cut(enum cm_stdin_cut mode, const char *p, size_t n, size_t *seen)
{
    size_t cut = 0;

    if (mode == CM_STDIN_CUT_LINES) {
        /* p[0, *seen) holds no newline: a long line is searched once, as it comes */
        const char *q = p + n, *stop = p + (*seen < n ? *seen : n);
        while (q > stop && q[-1] != '\n') {
            q--;
        }
        cut = q > stop ? (size_t)(q - p) : 0;
        *seen = n - cut;
    } else if (mode == CM_STDIN_CUT_FILES) {
        cut = cm_parse_ct_cut(p, n, *seen);
        /* After the last file start there is none: next time, look at new bytes only. */
        *seen = n - cut > CM_PARSE_CT_MARK_LEN ? n - cut - CM_PARSE_CT_MARK_LEN : 0;
    }
    return cut;
}

/* True when b[0..n) (n < 4) may yet become the magic of gzip or zstd: wait for more. */
static bool magic_prefix(const char *b, size_t n)
{
    static const char *const magic[] = {"\x1f\x8b", "\x28\xb5\x2f\xfd"};

    if (n == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++) {
        if (n < strlen(magic[i]) && memcmp(b, magic[i], n) == 0) {
            return true;
        }
    }
    /* a skippable zstd frame: 0x5? 0x2a 0x4d 0x18 */
    return ((unsigned char)b[0] & 0xf0) == 0x50 && (n < 2 || b[1] == 0x2a) &&
           (n < 3 || b[2] == 0x4d);
}

/*
 * Reads on until buf[0..n) holds enough bytes to tell gzip's or zstd's magic
 * from other data, or the stream ends (a pipe may deliver a single byte
 * first); returns the new n.
 */
static size_t read_magic(int fd, char *buf, size_t n, size_t cap)
{
    ssize_t got;

    while (n < 4 && magic_prefix(buf, n)) {
        got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        n += (size_t)got;
    }
    return n;
}

const char *cm_stdin_codec(const struct cm_stdin *src)
{
    return src->zst ? "zstd" : "gzip";
}

/*
 * Before a gzip member or zstd frame after the first: what follows must be its
 * magic, as cm_decode() requires of a file. Returns 1 when it is; 0 when it is
 * other data (trailing zeros, a newline, text), which is read to the end,
 * counted and reported where it begins, as a file's is.
 */
static int next_member(struct cm_stdin *src, int fd, char *err, size_t errlen)
{
    size_t have = src->in_len - src->in_off;
    uint64_t junk;
    ssize_t got;

    if (have < 4) {
        memmove(src->in, src->in + src->in_off, have);
        src->in_off = 0;
        src->in_len = read_magic(fd, src->in, have, sizeof(src->in));
        src->raw_bytes += src->in_len - have;
        have = src->in_len;
    }
    if (src->zst ? cm_is_zstd(src->in + src->in_off, have)
                 : cm_is_gzip(src->in + src->in_off, have)) {
        return 1;
    }
    junk = have;
    for (;;) {
        got = read(fd, src->in, sizeof(src->in));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        junk += (uint64_t)got;
        src->raw_bytes += (uint64_t)got;
    }
    snprintf(err, errlen, "%llu bytes of non-%s data after the %s stream ignored",
             (unsigned long long)junk, cm_stdin_codec(src), cm_stdin_codec(src));
    src->err_off = src->member_at;
    src->in_off = src->in_len = 0;
    src->eof = 1;
    return 0;
}

/* Room in out for the next step, up to the cap (0 at the cap). Returns as cm_buf_reserve. */
static int step_room(struct cm_buf *out, size_t *room)
{
    *room = out->max - out->len < 65536 ? out->max - out->len : 65536;
    return cm_buf_reserve(out, *room);
}

/*
 * One step of the zstd decoder over what is buffered: given what libzstd asks for
 * next (about one block) and room for a whole block, so a call that fails loses no
 * output of another, and a frame whose checksum alone is wrong has its content out
 * and is passed (err says so) for the frames after it. Returns 0, CM_ENOMEM or
 * CM_E2BIG.
 */
static int zstd_step(struct cm_stdin *src, struct cm_buf *out, char *err, size_t errlen)
{
    unsigned char spare;
    ZSTD_inBuffer ib;
    ZSTD_outBuffer ob;
    size_t room, r, have = src->in_len - src->in_off;
    int rc;

    if (src->zd == NULL && (src->zd = ZSTD_createDCtx()) == NULL) {
        return CM_ENOMEM;
    }
    room =
        out->max - out->len < ZSTD_DStreamOutSize() ? out->max - out->len : ZSTD_DStreamOutSize();
    if ((rc = cm_buf_reserve(out, room)) != 0) {
        return rc;
    }
    if (src->zwant == 0) {
        src->zwant = CM_ZSTD_FIRST_FEED;
    }
    /* At the cap, one spare byte tells if more comes. */
    ib.src = src->in + src->in_off;
    ib.size = have < src->zwant ? have : src->zwant;
    ib.pos = 0;
    ob.dst = room ? (void *)(out->p + out->len) : (void *)&spare;
    ob.size = room ? room : 1;
    ob.pos = 0;
    src->mid = 1;
    r = ZSTD_decompressStream(src->zd, &ob, &ib);
    if (ZSTD_isError(r) && ZSTD_getErrorCode(r) == ZSTD_error_checksum_wrong) {
        /* The checksum was the last of the frame and all it was given: passed. */
        if (err[0] == '\0') {
            src->err_off = src->member_at + src->frame_in;
            snprintf(err, errlen,
                     "corrupt zstd data on standard input at byte %llu: %s (checksum only; data "
                     "read)",
                     (unsigned long long)src->err_off, ZSTD_getErrorName(r));
        }
        ib.pos = ib.size;
        r = 0;
        (void)ZSTD_DCtx_reset(src->zd, ZSTD_reset_session_only);
    } else if (ZSTD_isError(r)) {
        /* libzstd has no way on past damage in a stream: what came before it is kept. */
        src->err_off = src->member_at + src->frame_in;
        if (cm_zstd_window_error(r)) {
            snprintf(err, errlen, "%s", CM_ZSTD_WINDOW_ADVICE);
        } else {
            snprintf(err, errlen, "corrupt zstd data on standard input at byte %llu: %s",
                     (unsigned long long)src->err_off, ZSTD_getErrorName(r));
        }
        src->eof = 1;
        return CM_OK;
    }
    if (room == 0 && ob.pos > 0) {
        return CM_E2BIG;
    }
    out->len += room ? ob.pos : 0;
    out->p[out->len] = '\0';
    src->in_off += ib.pos;
    src->frame_in += ib.pos;
    src->zwant =
        cm_zstd_next_feed(r, ib.pos == 0 && ob.pos == 0 && ib.size == src->zwant ? ib.size : 0);
    if (r == 0) {
        /* a frame read to its end: a following frame continues the stream */
        src->mid = 0;
        src->members++;
        src->member_at += src->frame_in;
        src->frame_in = 0;
    }
    return CM_OK;
}

/* Appends up to want bytes of decoded stdin to out; sets src->eof at the end. */
int cm_stdin_fill(struct cm_stdin *src, int fd, struct cm_buf *out, size_t want, char *err,
                  size_t errlen)
{
    size_t target = out->len + want, room;
    unsigned char spare;
    int rc;

    while (out->len < target && !src->eof) {
        if (src->in_off == src->in_len) {
            ssize_t got = read(fd, src->in, sizeof(src->in));
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                /* not an end: a read error (a directory, a device), said with the reason */
                snprintf(err, errlen, "read error on standard input at byte %llu: %s",
                         (unsigned long long)src->raw_bytes, strerror(errno));
                src->err_off = src->raw_bytes;
                src->eof = 1;
                break;
            }
            if (got == 0) {
                if (src->packed && src->mid) {
                    snprintf(err, errlen, "truncated %s stream on standard input",
                             cm_stdin_codec(src));
                    src->err_off = src->raw_bytes;
                }
                src->eof = 1;
                break;
            }
            if (src->raw_bytes == 0) {
                got = (ssize_t)read_magic(fd, src->in, (size_t)got, sizeof(src->in));
                src->zst = cm_is_zstd(src->in, (size_t)got);
                src->packed = src->zst || cm_is_gzip(src->in, (size_t)got);
            }
            src->in_len = (size_t)got;
            src->in_off = 0;
            src->raw_bytes += (uint64_t)got;
        }
        if (src->skip > 0) {
            /* the rest of a trailer that did not match: the next member follows it */
            size_t k =
                src->in_len - src->in_off < src->skip ? src->in_len - src->in_off : src->skip;
            src->in_off += k;
            src->skip -= (uint32_t)k;
            continue;
        }
        if (!src->packed) {
            rc = cm_buf_append(out, src->in + src->in_off, src->in_len - src->in_off);
            src->in_off = src->in_len;
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if (src->members > 0 && !src->mid && !next_member(src, fd, err, errlen)) {
            break;
        }
        if (src->zst) {
            if ((rc = zstd_step(src, out, err, errlen)) != 0) {
                return rc;
            }
            continue;
        }
        if (!src->zinit) {
            memset(&src->zs, 0, sizeof(src->zs));
            if (inflateInit2(&src->zs, 16 + MAX_WBITS) != Z_OK) {
                return CM_ENOMEM;
            }
            src->zinit = 1;
        }
        /* Output room up to the cap; at the cap, one spare byte tells if more comes. */
        rc = step_room(out, &room);
        if (rc != 0) {
            return rc;
        }
        src->zs.next_in = (Bytef *)(src->in + src->in_off);
        src->zs.avail_in = (uInt)(src->in_len - src->in_off);
        src->zs.next_out = room ? (Bytef *)(out->p + out->len) : &spare;
        src->zs.avail_out = room ? (uInt)room : 1;
        src->mid = 1;
        rc = inflate(&src->zs, Z_NO_FLUSH);
        if (room == 0 && src->zs.avail_out == 0) {
            return CM_E2BIG;
        }
        out->len += room ? room - src->zs.avail_out : 0;
        out->p[out->len] = '\0';
        src->in_off = src->in_len - src->zs.avail_in;
        if (rc == Z_STREAM_END) {
            inflateReset(&src->zs); /* a following gzip member continues the stream */
            src->mid = 0;
            src->members++;
            src->member_at = src->raw_bytes - (src->in_len - src->in_off);
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            size_t skip = cm_gzip_trailer_skip(src->zs.msg);
            /* total_in counts from the start of this member (inflateReset clears it). */
            uint64_t at = src->member_at + src->zs.total_in;

            if (skip == SIZE_MAX || err[0] == '\0') {
                src->err_off = at;
                snprintf(err, errlen, "corrupt gzip data on standard input at byte %llu: %s%s",
                         (unsigned long long)at, src->zs.msg ? src->zs.msg : "inflate failed",
                         skip != SIZE_MAX ? " (trailer only; data read)" : "");
            }
            if (skip == SIZE_MAX) {
                src->eof = 1;
                continue;
            }
            /* Only the trailer was wrong: the data is read, and the next member too. */
            inflateReset(&src->zs);
            src->mid = 0;
            src->members++;
            src->skip = (uint32_t)skip;
            src->member_at = src->raw_bytes - (src->in_len - src->in_off) + skip;
        }
    }
    return CM_OK;
}

void cm_stdin_finish(struct cm_stdin *src)
{
    if (src->zinit) {
        inflateEnd(&src->zs);
        src->zinit = 0;
    }
    if (src->zd != NULL) {
        ZSTD_freeDCtx(src->zd);
        src->zd = NULL;
    }
}
