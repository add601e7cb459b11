/*
 * Streaming reads of standard input, with gzip detected from the first bytes.
 */
#include "source/source_stdin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
        const char *q = p + n;
        while (q > p && q[-1] != '\n') {
            q--;
        }
        cut = (size_t)(q - p);
    } else if (mode == CM_STDIN_CUT_FILES) {
        cut = cm_parse_ct_cut(p, n, *seen);
        /* After the last file start there is none: next time, look at new bytes only. */
        *seen = n - cut > CM_PARSE_CT_MARK_LEN ? n - cut - CM_PARSE_CT_MARK_LEN : 0;
    }
    return cut;
}

/*
 * Reads on until buf[0..n) holds the two bytes of the gzip magic or the
 * stream ends (a pipe may deliver a single byte first); returns the new n.
 */
static size_t read_magic(int fd, char *buf, size_t n, size_t cap)
{
    ssize_t got;

    while (n < 2) {
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

/*
 * Before a gzip member after the first: what follows must be gzip's magic, as
 * cm_decode_gzip() requires of a file. Returns 1 when it is; 0 when it is other
 * data (trailing zeros, a newline, text), which is read to the end, counted
 * and reported where it begins, as a file's is.
 */
static int next_member(struct cm_stdin *src, int fd, char *err, size_t errlen)
{
    size_t have = src->in_len - src->in_off;
    uint64_t junk;
    ssize_t got;

    if (have == 1) {
        src->in[0] = src->in[src->in_off];
        src->in_off = 0;
        src->in_len = read_magic(fd, src->in, 1, sizeof(src->in));
        src->raw_bytes += src->in_len - 1;
        have = src->in_len;
    }
    if (cm_is_gzip(src->in + src->in_off, have)) {
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
    snprintf(err, errlen, "%llu bytes of non-gzip data after the gzip stream ignored",
             (unsigned long long)junk);
    src->err_off = src->member_at;
    src->in_off = src->in_len = 0;
    src->eof = 1;
    return 0;
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
            if (got <= 0) {
                if (src->gz && src->mid) {
                    snprintf(err, errlen, "truncated gzip stream on standard input");
                    src->err_off = src->raw_bytes;
                }
                src->eof = 1;
                break;
            }
            if (src->raw_bytes == 0) {
                got = (ssize_t)read_magic(fd, src->in, (size_t)got, sizeof(src->in));
                src->gz = cm_is_gzip(src->in, (size_t)got);
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
        if (!src->gz) {
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
        if (!src->zinit) {
            memset(&src->zs, 0, sizeof(src->zs));
            if (inflateInit2(&src->zs, 16 + MAX_WBITS) != Z_OK) {
                return CM_ENOMEM;
            }
            src->zinit = 1;
        }
        /* Output room up to the cap; at the cap, one spare byte tells if more comes. */
        room = out->max - out->len < 65536 ? out->max - out->len : 65536;
        rc = cm_buf_reserve(out, room);
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
}
