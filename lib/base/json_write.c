/*
 * JSON writer: compact RFC 8259 output appended to a struct cm_buf.
 *
 * struct cm_jw keeps one state byte per open level (0: nothing written yet,
 * 1: after an item, 2: after a key), which is all it needs to place commas
 * and colons and to catch misuse: a value where a key is due, a key outside
 * an object, a close that does not match, a second top-level value. Level 0
 * is the top level, so containers nest at most CM_JW_MAX_DEPTH - 1 deep.
 * The first error sticks in jw->err; later calls do nothing, and
 * cm_jw_finish() returns it. The writer borrows the buffer; it never frees it.
 *
 * Strings are always emitted valid: '"', '\\' and control characters are
 * escaped, U+2028/U+2029 become \u2028/\u2029 (so the output is also safe
 * inside JavaScript), and each byte that is not part of a valid UTF-8
 * sequence becomes \ufffd.
 */
#include "base/json.h"

#include "base/time.h"
#include "base/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define STATE_FIRST 0
#define STATE_ITEM  1
#define STATE_KEY   2

static void set_err(struct cm_jw *jw, int rc)
{
    if (rc != 0 && jw->err == 0) {
        jw->err = rc;
    }
}

void cm_jw_init(struct cm_jw *jw, struct cm_buf *out)
{
    memset(jw, 0, sizeof(*jw));
    jw->out = out;
}

int cm_jw_finish(struct cm_jw *jw)
{
    if (jw->err == 0 && (jw->depth != 0 || jw->state[0] == STATE_FIRST)) {
        jw->err = CM_EINVAL;
    }
    return jw->err;
}

/* Writes what must precede a value here; false if a value is not allowed. */
static bool begin_value(struct cm_jw *jw)
{
    uint32_t d = jw->depth;

    if (jw->err != 0) {
        return false;
    }
    if (d == 0 || jw->is_obj[d]) {
        uint8_t want = d == 0 ? STATE_FIRST : STATE_KEY;
        if (jw->state[d] != want) {
            jw->err = CM_EINVAL;
            return false;
        }
    } else if (jw->state[d] == STATE_ITEM) {
        set_err(jw, cm_buf_putc(jw->out, ','));
    }
    jw->state[d] = STATE_ITEM;
    return jw->err == 0;
}

static void open_level(struct cm_jw *jw, bool obj)
{
    if (!begin_value(jw)) {
        return;
    }
    if (jw->depth + 1 >= CM_JW_MAX_DEPTH) {
        jw->err = CM_E2BIG;
        return;
    }
    set_err(jw, cm_buf_putc(jw->out, obj ? '{' : '['));
    jw->depth++;
    jw->state[jw->depth] = STATE_FIRST;
    jw->is_obj[jw->depth] = obj;
}

static void close_level(struct cm_jw *jw, bool obj)
{
    uint32_t d = jw->depth;

    if (jw->err != 0) {
        return;
    }
    if (d == 0 || jw->is_obj[d] != obj || jw->state[d] == STATE_KEY) {
        jw->err = CM_EINVAL;
        return;
    }
    set_err(jw, cm_buf_putc(jw->out, obj ? '}' : ']'));
    jw->depth--;
}

void cm_jw_obj_begin(struct cm_jw *jw)
{
    open_level(jw, true);
}

void cm_jw_obj_end(struct cm_jw *jw)
{
    close_level(jw, true);
}

void cm_jw_arr_begin(struct cm_jw *jw)
{
    open_level(jw, false);
}

void cm_jw_arr_end(struct cm_jw *jw)
{
    close_level(jw, false);
}

/* Appends s as a quoted, escaped JSON string. */
static int put_quoted(struct cm_buf *out, const char *s, size_t n)
{
    int rc = cm_buf_reserve(out, n + 2);

    if (rc == 0) {
        rc = cm_buf_putc(out, '"');
    }
    if (rc == 0) {
        rc = cm_json_escape(out, s, n);
    }
    if (rc == 0) {
        rc = cm_buf_putc(out, '"');
    }
    return rc;
}

void cm_jw_keyn(struct cm_jw *jw, const char *key, size_t n)
{
    uint32_t d = jw->depth;

    if (jw->err != 0) {
        return;
    }
    if (d == 0 || !jw->is_obj[d] || jw->state[d] == STATE_KEY || (key == NULL && n != 0)) {
        jw->err = CM_EINVAL;
        return;
    }
    if (jw->state[d] == STATE_ITEM) {
        set_err(jw, cm_buf_putc(jw->out, ','));
    }
    set_err(jw, put_quoted(jw->out, key, n));
    set_err(jw, cm_buf_putc(jw->out, ':'));
    jw->state[d] = STATE_KEY;
}

void cm_jw_key(struct cm_jw *jw, const char *key)
{
    if (key == NULL) {
        set_err(jw, CM_EINVAL);
        return;
    }
    cm_jw_keyn(jw, key, strlen(key));
}

void cm_jw_strn(struct cm_jw *jw, const char *s, size_t n)
{
    if (s == NULL && n != 0) {
        set_err(jw, CM_EINVAL);
        return;
    }
    if (begin_value(jw)) {
        set_err(jw, put_quoted(jw->out, s, n));
    }
}

void cm_jw_str(struct cm_jw *jw, const char *s)
{
    if (s == NULL) {
        cm_jw_null(jw);
        return;
    }
    cm_jw_strn(jw, s, strlen(s));
}

void cm_jw_u64(struct cm_jw *jw, uint64_t v)
{
    if (begin_value(jw)) {
        set_err(jw, cm_buf_put_u64(jw->out, v));
    }
}

void cm_jw_i64(struct cm_jw *jw, int64_t v)
{
    if (begin_value(jw)) {
        set_err(jw, cm_buf_put_i64(jw->out, v));
    }
}

/*
 * Shortest of %.15g, %.16g, %.17g that reads back as v; integral values
 * below 1e15 in magnitude are printed as plain integers.
 */
static void format_f64(char *buf, size_t size, double v)
{
    if (v > -1e15 && v < 1e15 && (double)(int64_t)v == v) {
        if (v == 0 && signbit(v)) {
            snprintf(buf, size, "-0");
        } else {
            snprintf(buf, size, "%" PRId64, (int64_t)v);
        }
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) {
            return;
        }
    }
}

void cm_jw_f64(struct cm_jw *jw, double v)
{
    char buf[40];

    if (!isfinite(v)) {
        cm_jw_null(jw);
        return;
    }
    if (begin_value(jw)) {
        format_f64(buf, sizeof(buf), v);
        set_err(jw, cm_buf_puts(jw->out, buf));
    }
}

void cm_jw_bool(struct cm_jw *jw, bool v)
{
    if (begin_value(jw)) {
        set_err(jw, cm_buf_puts(jw->out, v ? "true" : "false"));
    }
}

void cm_jw_null(struct cm_jw *jw)
{
    if (begin_value(jw)) {
        set_err(jw, cm_buf_puts(jw->out, "null"));
    }
}

void cm_jw_key_time(struct cm_jw *jw, const char *key, int64_t ms)
{
    char t[40];
    size_t n = cm_time_format_iso(ms, t, sizeof(t));

    cm_jw_key(jw, key);
    cm_jw_strn(jw, t, n);
}

void cm_jw_raw(struct cm_jw *jw, const char *json, size_t n)
{
    if (json == NULL || n == 0) {
        set_err(jw, CM_EINVAL);
        return;
    }
    if (begin_value(jw)) {
        set_err(jw, cm_buf_append(jw->out, json, n));
    }
}

/* True for U+2028 / U+2029 (E2 80 A8 / E2 80 A9). */
static bool is_line_sep(const unsigned char *s)
{
    return s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9);
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Bytes of w below 0x20, equal to '"' or '\\', or non-ASCII: their high bits set. */
static inline uint64_t special_bytes(uint64_t w)
{
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

    return ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((b - ONES) & ~b) | w;
}

/* Length of the prefix of s that can be copied as is. */
static size_t plain_run(const unsigned char *s, size_t n)
{
    size_t i = 0, k;

    /* Eight bytes at a time while none needs a look (SWAR, as the flow scanner). */
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (special_bytes(w) & HIGHS) {
            break;
        }
        i += 8;
    }
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c < 0x80) {
            break;
        }
        k = cm_utf8_seq(s + i, n - i);
        if (k == 0 || (k == 3 && is_line_sep(s + i))) {
            break;
        }
        i += k;
    }
    return i;
}

/* Appends the escape for the special byte(s) at s; returns bytes consumed. */
static size_t put_special(struct cm_buf *out, const unsigned char *s, size_t n, int *rc)
{
    static const char hex[] = "0123456789abcdef";
    char esc[7] = {'\\', 'u', '0', '0', 0, 0, 0};

    switch (s[0]) {
    case '"':
        *rc = cm_buf_append(out, "\\\"", 2);
        return 1;
    case '\\':
        *rc = cm_buf_append(out, "\\\\", 2);
        return 1;
    case '\b':
        *rc = cm_buf_append(out, "\\b", 2);
        return 1;
    case '\f':
        *rc = cm_buf_append(out, "\\f", 2);
        return 1;
    case '\n':
        *rc = cm_buf_append(out, "\\n", 2);
        return 1;
    case '\r':
        *rc = cm_buf_append(out, "\\r", 2);
        return 1;
    case '\t':
        *rc = cm_buf_append(out, "\\t", 2);
        return 1;
    default:
        break;
    }
    if (s[0] < 0x20) {
        esc[4] = hex[s[0] >> 4];
        esc[5] = hex[s[0] & 0xF];
        *rc = cm_buf_append(out, esc, 6);
        return 1;
    }
    if (n >= 3 && is_line_sep(s)) {
        *rc = cm_buf_append(out, s[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
        return 3;
    }
    *rc = cm_buf_append(out, "\\ufffd", 6);
    return 1;
}

int cm_json_escape(struct cm_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run;
    int rc = 0;

    if (n == 0) {
        return CM_OK;
    }
    while (i < n && rc == 0) {
        run = plain_run(u + i, n - i);
        if (run > 0) {
            rc = cm_buf_append(out, s + i, run);
            i += run;
            continue;
        }
        i += put_special(out, u + i, n - i, &rc);
    }
    return rc;
}

/* ---- re-serialising a parsed subtree ---- */

/* Writes string node k as a key or a value, from its unescaped text. */
static void put_node_string(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t k, bool key)
{
    const struct cm_json_node *nd = &d->nodes[k];
    const char *raw = d->src + nd->off;
    char small[256], *buf = small;
    size_t len = nd->len;

    if (nd->tag & CM_JSON_F_ESCAPED) {
        if (len > sizeof(small)) {
            buf = cm_malloc(len);
            if (buf == NULL) {
                set_err(jw, CM_ENOMEM);
                return;
            }
        }
        len = cm_json_unescape(raw, len, buf);
        raw = buf;
    }
    if (key) {
        cm_jw_keyn(jw, raw, len);
    } else {
        cm_jw_strn(jw, raw, len);
    }
    if (buf != small) {
        cm_free(buf);
    }
}

static void put_node_scalar(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t k)
{
    switch (cm_json_type(d, k)) {
    case CM_JSON_NULL:
        cm_jw_null(jw);
        break;
    case CM_JSON_FALSE:
        cm_jw_bool(jw, false);
        break;
    case CM_JSON_TRUE:
        cm_jw_bool(jw, true);
        break;
    case CM_JSON_NUMBER:
        cm_jw_raw(jw, d->src + d->nodes[k].off, d->nodes[k].len);
        break;
    case CM_JSON_STRING:
        put_node_string(jw, d, k, false);
        break;
    default:
        set_err(jw, CM_EINVAL);
        break;
    }
}

/*
 * Walks the tape from node i to its next, keeping its own stack of open
 * containers (where each ends, whether it is an object, whether a key is due)
 * instead of recursing. The writer's own depth limit stops it before that
 * stack can overflow.
 */
void cm_jw_node(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t i)
{
    uint32_t ends[CM_JW_MAX_DEPTH], k = i, stop, sp = 0;
    bool obj[CM_JW_MAX_DEPTH], key_due[CM_JW_MAX_DEPTH];
    enum cm_json_type t;

    if (jw->err != 0) {
        return;
    }
    if (i >= d->n) {
        jw->err = CM_EINVAL;
        return;
    }
    stop = d->nodes[i].next;
    for (;;) {
        while (sp > 0 && k == ends[sp - 1]) {
            sp--;
            close_level(jw, obj[sp]);
        }
        if (k >= stop || jw->err != 0) {
            return;
        }
        if (sp > 0 && obj[sp - 1]) {
            key_due[sp - 1] = !key_due[sp - 1];
            if (!key_due[sp - 1]) {
                put_node_string(jw, d, k++, true);
                continue;
            }
        }
        t = cm_json_type(d, k);
        if (t == CM_JSON_ARRAY || t == CM_JSON_OBJECT) {
            open_level(jw, t == CM_JSON_OBJECT);
            if (jw->err != 0 || sp >= CM_JW_MAX_DEPTH) {
                set_err(jw, CM_E2BIG);
                return;
            }
            ends[sp] = d->nodes[k].next;
            obj[sp] = t == CM_JSON_OBJECT;
            key_due[sp] = true;
            sp++;
            k++;
        } else {
            put_node_scalar(jw, d, k);
            k++;
        }
    }
}

#undef STATE_FIRST
#undef STATE_ITEM
#undef STATE_KEY
