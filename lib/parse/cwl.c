/*
 * CloudWatch Logs wrappers (see cwl.h). The wrapper objects are walked by
 * hand, member by member, so an awscli output of a million events is never
 * one JSON document in memory; each log event is parsed on its own, and a
 * damaged one is stepped over without losing the others.
 */
#include "parse/cwl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json_str.h"
#include "base/str.h"
#include "base/utf8.h"
#include "parse/parse.h"

#define SNIFF_HEAD 4096
#define CUT        ((size_t)-1)      /* the walk cannot go on in this wrapper */
#define FAST_ROOM  ((size_t)4 << 20) /* the longest message the one-pass reader copies */

struct walk {
    struct cm_cwl *c;
    const char *buf;
    size_t len;
    size_t line_pos; /* lines are counted up to here */
    uint32_t line;   /* the line of line_pos */
    size_t far;      /* the walk has read up to here: a resync never goes back before it */
    int err;         /* CM_ENOMEM or CM_E2BIG: stop */
    const char *msg; /* the member that carries the record: "message", "CloudTrailEvent" */
    size_t msg_len;
    const char *what;        /* what an element of the list is called in a reject */
    struct cm_str ev_stream; /* the last log event's "logStreamName" (awscli), raw */
    struct cm_str dl_stream; /* the delivery's "logStream" when read before its log events */
    uint64_t group;          /* the hash of the last delivery with pieces' "logGroup" */
    bool grouped;            /* ... when there was one */
};

static uint32_t line_at(struct walk *w, size_t off)
{
    if (off < w->line_pos) {
        w->line_pos = 0;
        w->line = 1;
    }
    w->line += cm_parse_count_lines(w->buf, w->line_pos, off);
    w->line_pos = off;
    return w->line;
}

static void bad(struct walk *w, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(struct walk *w, size_t off, const char *fmt, ...)
{
    struct cm_cwl *c = w->c;
    struct cm_cwl_bad *b;
    va_list ap;

    if (cm_grow((void **)&c->bad, &c->bad_cap, c->nbad + 1, sizeof(*c->bad), 16) != 0) {
        w->err = CM_ENOMEM;
        return;
    }
    w->far = w->far > off ? w->far : off;
    b = &c->bad[c->nbad++];
    b->off = off;
    b->line = line_at(w, off);
    va_start(ap, fmt);
    vsnprintf(b->reason, sizeof(b->reason), fmt, ap);
    va_end(ap);
}

/*
 * Records the log event buf[start..end) whose message, got bytes unescaped,
 * has just been written at the end of out (which has room for a newline).
 * False when there was no memory for it.
 */
static bool piece_add(struct walk *w, size_t start, size_t end, size_t got, uint64_t id)
{
    struct cm_cwl *c = w->c;
    struct cm_cwl_piece *pc;

    if (cm_grow((void **)&c->piece, &c->piece_cap, c->npiece + 1, sizeof(*c->piece), 64) != 0) {
        w->err = CM_ENOMEM;
        return false;
    }
    pc = &c->piece[c->npiece++];
    memset(pc, 0, sizeof(*pc)); /* padding too: tests and fuzz_cwl compare pieces whole */
    pc->out_off = c->out.len;
    pc->src_off = start;
    pc->src_len = end - start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
    pc->src_line = line_at(w, start);
    pc->id = id;
    w->far = w->far > end ? w->far : end;
    c->out.len += got;
    if (c->out.p[c->out.len - 1] != '\n') {
        c->out.p[c->out.len++] = '\n';
    }
    c->out.p[c->out.len] = '\0';
    if (c->max_pieces != 0 && c->npiece >= c->max_pieces) {
        w->err = CM_EFULL; /* enough: cm_cwl_unwrap stops and returns 0 */
    }
    return true;
}

/* Copies the message of the log event buf[start..end) (its tape at root). */
static void take_event(struct walk *w, size_t start, size_t end, uint32_t root)
{
    struct cm_cwl *c = w->c;
    const struct cm_json_node *n;
    uint32_t msg, stream;
    int rc;

    if (cm_json_type(&c->doc, root) != CM_JSON_OBJECT) {
        bad(w, start, "%s is not a JSON object", w->what);
        return;
    }
    msg = cm_json_getn(&c->doc, root, w->msg, w->msg_len);
    if (msg == CM_JSON_NONE || cm_json_type(&c->doc, msg) != CM_JSON_STRING) {
        bad(w, start, "%s without a string \"%s\"", w->what, w->msg);
        return;
    }
    stream = cm_json_getn(&c->doc, root, "logStreamName", 13);
    if (stream != CM_JSON_NONE && cm_json_type(&c->doc, stream) == CM_JSON_STRING) {
        n = cm_json_at(&c->doc, stream);
        w->ev_stream = cm_str_make(w->buf + n->off, n->len);
    }
    n = cm_json_at(&c->doc, msg);
    if (n->len == 0) {
        bad(w, start,
            w->msg_len == 7 ? "log event with an empty message"
                            : "event with an empty \"CloudTrailEvent\"");
        return;
    }
    /* The unescaped message is never longer than its raw text; then a newline. */
    rc = cm_buf_reserve(&c->out, (size_t)n->len + 1);
    if (rc != 0) {
        w->err = rc;
        return;
    }
    (void)piece_add(w, start, end, cm_json_unescape(w->buf + n->off, n->len, c->out.p + c->out.len),
                    w->msg_len == 7 ? cm_cwl_event_id_of(&c->doc, root) : 0);
}

/* --- the one-pass reader of the usual log event -------------------------- */

#ifdef __SSE2__
/*
 * The 64 bytes at p: bit k of *q is set when p[k] is '"', of *bs when it is
 * '\\', and of the result when it is a control byte or the first byte of a
 * non-ASCII sequence (a signed compare with 0x20 catches both).
 */
static inline uint64_t special64(const char *p, uint64_t *q, uint64_t *bs)
{
    uint64_t qm = 0, bm = 0, other = 0;

    for (int k = 0; k < 4; k++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));

        qm |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')))
              << (16 * k);
        bm |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))
              << (16 * k);
        other |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)))
                 << (16 * k);
    }
    *q = qm;
    *bs = bm;
    return other;
}

/*
 * Copies n bytes (at most 64), reading and writing 32 bytes whatever n is
 * (64 when n is over 32): the runs between escapes have every length from 0
 * to a few dozen, and a loop over them would mispredict most of its exits.
 */
static inline void copy_run(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, 32);
    if (n > 32) {
        memcpy(dst + 32, src + 32, 32);
    }
}

/*
 * The 64 bytes at b[*ip] of a string being copied to out + *op, when none is a
 * control or non-ASCII byte: every escape but \u is replaced, the runs between
 * them are copied whole. The positions of the escapes come from one set of
 * masks, so an escape costs a few instructions and no new load; in a message
 * that is itself JSON (`{\"version\":\"1.1\",...}`) an escape comes every few
 * bytes. Returns 1 with *ip, *op past what was read and written (an escape
 * cut by the chunk's end is left for the next step), 2 at the closing quote
 * (*ip past it, *op the string's length), 0 for an escape only the full reader
 * handles, and -1, having done nothing, when the chunk has other bytes. The
 * caller sees to the room: 96 bytes to read, o + 96 <= cap + 16 to write
 * (a run's copy goes up to 32 bytes past its end). *ip is never inside an
 * escape, so every backslash that no backslash escapes begins one.
 */
static int chunk64(const char *b, size_t *ip, char *out, size_t *op)
{
    size_t i = *ip, o = *op, prev = 0;
    uint64_t q, bs, m;

    if (special64(b + i, &q, &bs) != 0) {
        return -1;
    }
    if ((bs & (bs << 1)) == 0 && ((bs << 1) & ~q) == 0) {
        /* The usual chunk: every backslash escapes a quote. Each escape is a
         * backslash to leave out, and the string ends at the first quote that
         * follows no backslash. A backslash at byte 63 is the next step's. */
        uint64_t t = q & ~(bs << 1), del;
        size_t end = t != 0 ? (size_t)__builtin_ctzll(t) : 64 - (size_t)(bs >> 63);

        for (del = end == 64 ? bs : bs & (((uint64_t)1 << end) - 1); del != 0; del &= del - 1) {
            size_t p = (size_t)__builtin_ctzll(del);

            copy_run(out + o, b + i + prev, p - prev);
            o += p - prev;
            prev = p + 1; /* the quote is the first byte of the next run */
        }
        copy_run(out + o, b + i + prev, end - prev);
        *op = o + end - prev;
        *ip = i + end + (t != 0);
        return t != 0 ? 2 : 1;
    }
    for (m = q | bs; m != 0;) {
        size_t p = (size_t)__builtin_ctzll(m);
        char d;

        copy_run(out + o, b + i + prev, p - prev);
        o += p - prev;
        if (b[i + p] == '"') {
            *ip = i + p + 1;
            *op = o;
            return 2;
        }
        if (p == 63) { /* the escaped byte is in the next chunk */
            *ip = i + p;
            *op = o;
            return 1;
        }
        d = cm_json_escape_char((unsigned char)b[i + p + 1]);
        if (d == 0) {
            return 0;
        }
        out[o++] = d;
        prev = p + 2;
        m &= ~((uint64_t)3 << p); /* the backslash and the byte it escapes */
    }
    copy_run(out + o, b + i + prev, 64 - prev);
    *ip = i + 64;
    *op = o + 64 - prev;
    return 1;
}
#endif

/*
 * Reads the JSON string whose '"' is at b[i] and, when out is not NULL,
 * copies it there unescaped (*got bytes): at most cap of them, with 16 bytes
 * more of room for the vector copy. Returns the offset past its closing
 * quote, or 0 for what only the full reader handles: a \u escape, a string
 * longer than cap, and every error (an invalid escape or UTF-8 sequence, a
 * control byte, the end of the input), which that reader then reports as it
 * always does.
 */
static size_t fast_string(const char *b, size_t len, size_t i, char *out, size_t cap, size_t *got)
{
    size_t o = 0, lim = out != NULL ? cap : SIZE_MAX;

    i++;
    for (;;) {
        unsigned char ch;

        if (o + 4 > lim) {
            return 0; /* too long for the room: the full reader copies it */
        }
#ifdef __SSE2__
        if (out != NULL && len - i >= 96 && o + 80 <= lim) {
            int r = chunk64(b, &i, out, &o);

            if (r == 2) {
                *got = o;
                return i;
            }
            if (r >= 0) {
                if (r == 0) {
                    return 0;
                }
                continue;
            }
        }
        if (len - i >= 16) {
            unsigned bits = cm_json_special16(b + i);

            if (out != NULL) {
                memcpy(out + o, b + i, 16); /* o <= cap: within cap + 16 */
            }
            if (bits == 0) {
                i += 16;
                o += 16;
                continue;
            }
            i += (size_t)__builtin_ctz(bits);
            o += (size_t)__builtin_ctz(bits);
        } else
#endif
        {
            while (i < len && !cm_json_str_special((unsigned char)b[i]) && o < lim) {
                if (out != NULL) {
                    out[o] = b[i];
                }
                i++;
                o++;
            }
            if (i >= len || o >= lim) {
                return 0;
            }
        }
        ch = (unsigned char)b[i];
        if (ch == '"') {
            *got = o;
            return i + 1;
        }
        if (ch == '\\') {
            char d = i + 1 < len ? cm_json_escape_char((unsigned char)b[i + 1]) : 0;

            if (d == 0) {
                return 0;
            }
            if (out != NULL) {
                out[o] = d;
            }
            i += 2;
            o++;
        } else if (ch >= 0x80) {
            size_t n = cm_utf8_seq((const unsigned char *)b + i, len - i);

            if (n == 0) {
                return 0;
            }
            if (out != NULL) {
                memcpy(out + o, b + i, n);
            }
            i += n;
            o += n;
        } else {
            return 0; /* a control byte */
        }
    }
}

/* Reads the integer at b[i]; returns the offset past it, or 0 for anything else. */
static size_t fast_integer(const char *b, size_t len, size_t i)
{
    size_t d;

    if (i < len && b[i] == '-') {
        i++;
    }
    d = i;
    while (i < len && b[i] >= '0' && b[i] <= '9') {
        i++;
    }
    if (i == d || (b[d] == '0' && i - d > 1)) {
        return 0;
    }
    if (i < len && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
        return 0; /* a fraction or an exponent: the full reader's */
    }
    return i;
}

/*
 * Reads the log event whose '{' is at buf[i] in one pass, when it has the
 * usual shape: an object of string and integer members with plain names and
 * one non-empty string "message", which is unescaped into out as it is found.
 * Returns the offset past the '}', having recorded the event, or 0 (nothing
 * recorded) when the event has anything else; the full reader then reads it
 * and gives the same message, or the reject, that it always gives.
 */
static size_t fast_event_read(struct walk *w, size_t i)
{
    struct cm_cwl *c = w->c;
    const char *b = w->buf;
    size_t len = w->len, start = i, got = 0;
    struct cm_str id = CM_STR_NULL, eid = CM_STR_NULL; /* string "id", "eventId" */
    unsigned had_id = 0, had_eid = 0, had_stream = 0;
    /* A message is never longer unescaped than its raw text, so the rest of the
     * input bounds it; past FAST_ROOM (far above what one CloudWatch Logs event holds) the
     * full reader copies it, so the text never holds much more than it needs. */
    size_t cap = len - i < FAST_ROOM ? len - i : FAST_ROOM;
    bool have = false;

    /* Room for the message, 16 bytes of vector copy, and a newline. */
    if (cm_buf_reserve(&c->out, cap + 17) != 0) {
        return 0;
    }
    i = cm_parse_skip_ws(b, len, i + 1);
    for (;;) {
        size_t k = i + 1, klen = 0;
        bool msg;

        if (i >= len || b[i] != '"') {
            return 0;
        }
        i = fast_string(b, len, i, NULL, 0, &klen);
        if (i == 0 || i - k - 1 != klen) {
            return 0; /* a name with escapes */
        }
        msg = klen == w->msg_len && memcmp(b + k, w->msg, klen) == 0;
        if ((klen == 2 && memcmp(b + k, "id", 2) == 0 && had_id++) ||
            (klen == 7 && memcmp(b + k, "eventId", 7) == 0 && had_eid++) ||
            (klen == 13 && memcmp(b + k, "logStreamName", 13) == 0 && had_stream++)) {
            return 0; /* a second one: the JSON reader takes the first */
        }
        i = cm_parse_skip_ws(b, len, i);
        if (i >= len || b[i] != ':') {
            return 0;
        }
        i = cm_parse_skip_ws(b, len, i + 1);
        if (msg && (have || i >= len || b[i] != '"')) {
            return 0; /* a second message, or not a string */
        }
        if (i < len && b[i] == '"') {
            size_t n = 0, v = i;

            i = fast_string(b, len, i, msg ? c->out.p + c->out.len : NULL, cap, &n);
            if (msg) {
                have = true;
                got = n;
            } else if (i != 0 && klen == 13 && memcmp(b + k, "logStreamName", 13) == 0) {
                w->ev_stream = cm_str_make(b + v + 1, i - v - 2);
            } else if (i != 0 && klen == 2 && memcmp(b + k, "id", 2) == 0) {
                id = cm_str_make(b + v + 1, i - v - 2);
            } else if (i != 0 && klen == 7 && memcmp(b + k, "eventId", 7) == 0) {
                eid = cm_str_make(b + v + 1, i - v - 2);
            }
        } else {
            i = fast_integer(b, len, i);
        }
        if (i == 0) {
            return 0;
        }
        i = cm_parse_skip_ws(b, len, i);
        if (i < len && b[i] == '}') {
            break;
        }
        if (i >= len || b[i] != ',') {
            return 0;
        }
        i = cm_parse_skip_ws(b, len, i + 1);
    }
    if (!have || got == 0) {
        return 0;
    }
    id = id.p != NULL ? id : eid;
    if (piece_add(w, start, i + 1, got,
                  id.p != NULL && w->msg_len == 7 ? cm_cwl_event_id(id.p, id.len) : 0)) {
        c->fast++;
    }
    return i + 1;
}

static size_t fast_event(struct walk *w, size_t i)
{
    size_t end = fast_event_read(w, i);

    if (end == 0 && w->c->out.p != NULL) {
        w->c->out.p[w->c->out.len] = '\0'; /* a message may have been begun there */
    }
    return end;
}

static const char wrapper_start[] = "{\"messageType\"";

/* Where the first subscription delivery inside buf(from..to) starts, or SIZE_MAX. */
static size_t find_wrapper(const struct walk *w, size_t from, size_t to)
{
    struct cm_str span = cm_str_make(w->buf + from + 1, to - from - 1);
    size_t at = cm_str_find(span, cm_str_make(wrapper_start, sizeof(wrapper_start) - 1));

    return at == (size_t)-1 ? SIZE_MAX : from + 1 + at;
}

/* Walks the log event array whose '[' is at buf[i]; returns the offset past its ']', or CUT. */
static size_t walk_events(struct walk *w, size_t i)
{
    struct cm_cwl *c = w->c;

    i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    if (i < w->len && w->buf[i] == ']') {
        return i + 1;
    }
    while (w->err == 0) {
        struct cm_diag diag;
        size_t end = 0;
        uint32_t root;
        int rc;

        i = cm_parse_skip_ws(w->buf, w->len, i);
        if (i < w->len && w->buf[i] == ']') {
            bad(w, i, "a ',' with no %s after it", w->what);
            return i + 1;
        }
        size_t had = c->npiece;

        w->ev_stream = CM_STR_NULL;
        if (!c->full_reader && i < w->len && w->buf[i] == '{' && (end = fast_event(w, i)) != 0) {
            rc = 1; /* read and recorded */
        } else {
            cm_json_doc_begin(&c->doc, w->buf, w->len);
            rc = cm_json_parse_at(&c->doc, i, &end, &root, &diag);
        }
        if (rc == CM_ENOMEM) {
            w->err = rc;
            return CUT;
        }
        if (rc == 0) {
            take_event(w, i, end, root);
        }
        if (c->npiece > had) {
            cm_cwl_stream_ids(c, had, w->ev_stream.len > 0 ? w->ev_stream : w->dl_stream);
        }
        if (rc >= 0 && c->npiece > had && w->ev_stream.len > 0 &&
            (w->err == 0 || w->err == CM_EFULL)) {
            /* awscli's filter-log-events names each event's stream */
            int orc = cm_cwl_set_origin(c, had, CM_STR_NULL, w->ev_stream);

            w->err = orc != 0 ? orc : w->err;
        } else if (rc < 0) {
            end = cm_parse_skip_value(w->buf, w->len, i);
            if (end == 0 || find_wrapper(w, i, end) != SIZE_MAX) {
                /* Cut short: the next delivery (if any) is where to go on. */
                bad(w, i, "%s cut short (truncated input?)", w->what);
                return CUT;
            }
            bad(w, i, "%s is not valid JSON: %s", w->what, diag.msg);
        }
        i = cm_parse_skip_ws(w->buf, w->len, end);
        if (i < w->len && w->buf[i] == ']') {
            return i + 1;
        }
        if (i >= w->len || w->buf[i] != ',') {
            bad(w, i, "expected ',' or ']' after a %s", w->what);
            return CUT;
        }
        i++;
    }
    return CUT;
}

/* A delivery of log group group (raw) starts at piece from: a run, when the last was another's. */
static int new_group(struct walk *w, size_t from, struct cm_str group)
{
    uint64_t h = cm_hash64(group.p != NULL ? group.p : "", group.len, 0);
    int rc = w->grouped && h != w->group && from > 0 ? cm_cwl_add_run(w->c, from) : CM_OK;

    w->group = h;
    w->grouped = true;
    return rc;
}

/* Walks one wrapper object whose '{' is at buf[i]; returns the offset past it, or CUT. */
static size_t walk_wrapper(struct walk *w, size_t i)
{
    struct cm_cwl *c = w->c;
    size_t start = i, mark_out = c->out.len, mark_piece = c->npiece, ret = CUT;
    uint64_t mark_fast = c->fast;
    bool control = false, events = false;
    struct cm_str owner = CM_STR_NULL, stream = CM_STR_NULL, group = CM_STR_NULL;

    w->dl_stream = CM_STR_NULL;
    i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    while (w->err == 0 && !(i < w->len && w->buf[i] == '}')) {
        size_t kend = i < w->len && w->buf[i] == '"' ? cm_parse_skip_value(w->buf, w->len, i) : 0;
        struct cm_str key = cm_str_make(w->buf + i + 1, kend ? kend - i - 2 : 0);

        if (kend == 0) {
            bad(w, i,
                i < w->len ? "expected a member name in a CloudWatch Logs object"
                           : "CloudWatch Logs object cut short (truncated input?)");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, kend);
        if (i >= w->len || w->buf[i] != ':') {
            bad(w, i, "expected ':' after a member name");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i + 1);
        if ((cm_str_eqc(key, "logEvents") || cm_str_eqc(key, "events") ||
             cm_str_eqc(key, "Events")) &&
            i < w->len && w->buf[i] == '[') {
            /* CloudWatch Logs' log events carry a "message"; CloudTrail's look-up events a
             * "CloudTrailEvent" (aws cloudtrail lookup-events). */
            bool lookup = key.p[0] == 'E';

            w->msg = lookup ? "CloudTrailEvent" : "message";
            w->msg_len = strlen(w->msg);
            w->what = lookup ? "event" : "log event";
            c->lookup += lookup;
            events = true;
            i = walk_events(w, i);
            if (i == CUT) {
                goto out;
            }
        } else {
            size_t v = cm_parse_skip_value(w->buf, w->len, i);
            if (v == 0) {
                bad(w, i, "CloudWatch Logs object cut short (truncated input?)");
                goto out;
            }
            if (cm_str_eqc(key, "messageType") &&
                cm_str_eqc(cm_str_make(w->buf + i, v - i), "\"CONTROL_MESSAGE\"")) {
                control = true;
            } else if (cm_str_eqc(key, "owner") && w->buf[i] == '"') {
                owner = cm_str_make(w->buf + i + 1, v - i - 2);
            } else if (cm_str_eqc(key, "logStream") && w->buf[i] == '"') {
                stream = cm_str_make(w->buf + i + 1, v - i - 2);
                w->dl_stream = stream;
            } else if (cm_str_eqc(key, "logGroup") && w->buf[i] == '"') {
                group = cm_str_make(w->buf + i + 1, v - i - 2);
            }
            i = v;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i);
        if (i < w->len && w->buf[i] == '}') {
            break;
        }
        if (i >= w->len || w->buf[i] != ',') {
            bad(w, i, "expected ',' or '}' in a CloudWatch Logs object");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    }
    if (w->err == 0) {
        ret = i + 1;
        w->far = w->far > ret ? w->far : ret;
        if (!events && !control) {
            bad(w, start, "not a CloudWatch Logs delivery (no list of log events)");
        }
    }
out:
    if (!control && c->npiece > mark_piece && (w->err == 0 || w->err == CM_EFULL)) {
        int orc = cm_cwl_set_origin(c, mark_piece, owner, stream);

        orc = orc != 0 ? orc : new_group(w, mark_piece, group);
        w->err = orc != 0 ? orc : w->err;
    }
    if (control) {
        /* A health check, not a record (even cut short): its events are counted, not read. */
        c->control += c->npiece - mark_piece;
        c->npiece = mark_piece;
        c->fast = mark_fast;
        c->out.len = mark_out;
        if (c->out.p != NULL) {
            c->out.p[mark_out] = '\0';
        }
    }
    return ret;
}

void cm_cwl_empty(struct cm_cwl *c)
{
    cm_buf_reset(&c->out);
    c->npiece = 0;
    c->nbad = 0;
    c->control = 0;
    c->fast = 0;
    c->lookup = 0;
    c->norigin = 0;
    c->nrun = 0;
}

int cm_cwl_unwrap(struct cm_cwl *c, const char *buf, size_t len)
{
    struct walk w = {c,         buf, len,         0,           1,           0, 0,
                     "message", 7,   "log event", CM_STR_NULL, CM_STR_NULL, 0, false};
    size_t i = 0;

    cm_cwl_empty(c);
    if (len >= UINT32_MAX) {
        return CM_E2BIG; /* JSON offsets are 32-bit */
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    while (w.err == 0) {
        size_t end;

        i = cm_parse_skip_ws(buf, len, i);
        if (i >= len) {
            break;
        }
        end = buf[i] == '{' ? walk_wrapper(&w, i) : CUT;
        if (end == CUT && w.err == 0 && buf[i] != '{') {
            bad(&w, i, "expected a CloudWatch Logs object");
        }
        if (end != CUT) {
            i = end;
            continue;
        }
        /* Go on at the next subscription delivery after what was read, if there is one. */
        i = find_wrapper(&w, w.far > i ? w.far - 1 : i, len);
        if (i == SIZE_MAX) {
            break;
        }
    }
    if (w.err != 0 && w.err != CM_EFULL) {
        return w.err;
    }
    if (c->lookup) {
        c->nrun = 0; /* (look-up events name no log group; their pieces move) */
    }
    return c->lookup && c->npiece > 1 ? cm_cwl_order_by_time(c) : 0;
}

void cm_cwl_init(struct cm_cwl *c, size_t max)
{
    memset(c, 0, sizeof(*c));
    cm_buf_init(&c->out, max);
    cm_json_doc_init(&c->doc, 0, 0);
}

void cm_cwl_finish(struct cm_cwl *c)
{
    cm_buf_finish(&c->out);
    cm_json_doc_finish(&c->doc);
    cm_free(c->piece);
    cm_free(c->bad);
    cm_free(c->origin);
    cm_free(c->run);
    memset(c, 0, sizeof(*c));
}

int cm_cwl_sniff(const char *buf, size_t len)
{
    static const char *const first[] = {"messageType",         "owner",     "logGroup", "logStream",
                                        "subscriptionFilters", "logEvents", "events",   "Events"};
    struct cm_str head;
    size_t i = 0, kend;
    bool known = false;

    if (buf == NULL) {
        return 0;
    }
    if (len > SNIFF_HEAD) {
        len = SNIFF_HEAD;
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    i = cm_parse_skip_ws(buf, len, i);
    if (i >= len || buf[i] != '{') {
        return 0;
    }
    i = cm_parse_skip_ws(buf, len, i + 1);
    if (i >= len || buf[i] != '"' || (kend = cm_parse_skip_value(buf, len, i)) == 0) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(first) / sizeof(first[0]); k++) {
        known |= cm_str_eqc(cm_str_make(buf + i + 1, kend - i - 2), first[k]);
    }
    head = cm_str_make(buf, len);
    return known && (cm_str_find(head, CM_STR_LIT("\"logEvents\"")) != (size_t)-1 ||
                     cm_str_find(head, CM_STR_LIT("\"events\"")) != (size_t)-1 ||
                     cm_str_find(head, CM_STR_LIT("\"Events\"")) != (size_t)-1);
}
