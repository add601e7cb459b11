/*
 * JSON accessors: lookups, unescaping and number conversion over a tape that
 * json.c built (see json.h for the layout).
 *
 * Nothing here allocates except cm_json_str (into the caller's arena) and
 * cm_json_f64 for number texts too long for its stack buffer. Every accessor
 * checks node indices against d->n, so CM_JSON_NONE and stale indices give
 * "absent" rather than a wild read. Object lookups compare keys without
 * unescaping them first: keys without escapes are compared with memcmp, and
 * escaped keys are decoded one escape at a time against the wanted name.
 * Unescaping never lengthens a string (\uXXXX is 6 bytes for at most 3,
 * a surrogate pair 12 for 4), which is why len bytes of output always suffice
 * and why it can run in place.
 */
#include "base/json.h"

#include "base/json_str.h"
#include "base/str.h"
#include "base/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

static inline bool node_is(const struct cm_json_doc *d, uint32_t i, enum cm_json_type t)
{
    return i < d->n && (d->nodes[i].tag & CM_JSON_TYPE_MASK) == (uint32_t)t;
}

/* Appends code point cp as UTF-8 to out; returns the byte count. */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads \uXXXX at raw[i] (bounds-checked); returns the code unit or UINT32_MAX. */
static uint32_t read_u(const char *raw, size_t len, size_t i)
{
    int h[4];

    if (len - i < 6 || raw[i] != '\\' || raw[i + 1] != 'u') {
        return UINT32_MAX;
    }
    for (size_t k = 0; k < 4; k++) {
        h[k] = cm_hex_digit(raw[i + 2 + k]);
        if (h[k] < 0) {
            return UINT32_MAX;
        }
    }
    return (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
}

/*
 * Decodes the escape at raw[*i] (a backslash) into out (room for 4 bytes)
 * and advances *i. Everything is read before out is written, so out may
 * alias raw at or before *i. Malformed escapes (which the parser rejects)
 * are copied literally rather than read past len.
 */
static size_t decode_escape(const char *raw, size_t len, size_t *i, char *out)
{
    uint32_t cp, lo;
    char c, d;

    if (len - *i < 2) {
        out[0] = raw[(*i)++];
        return 1;
    }
    c = raw[*i + 1];
    switch (c) {
    case 'u':
        cp = read_u(raw, len, *i);
        if (cp == UINT32_MAX) {
            out[0] = raw[(*i)++];
            return 1;
        }
        *i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            lo = read_u(raw, len, *i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                *i += 6;
                return put_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
            }
            cp = 0xFFFD;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        return put_utf8(out, cp);
    default:
        break;
    }
    *i += 2;
    /* The reader let only valid escapes through; any other stands for itself. */
    d = cm_json_escape_char((unsigned char)c);
    out[0] = d != 0 ? d : c;
    return 1;
}

size_t cm_json_unescape(const char *raw, size_t len, char *out)
{
    size_t i = 0, o = 0, run;
    const char *bs;

    while (i < len) {
        bs = memchr(raw + i, '\\', len - i);
        run = bs ? (size_t)(bs - raw) - i : len - i;
        if (run) {
            memmove(out + o, raw + i, run);
        }
        i += run;
        o += run;
        if (i < len) {
            o += decode_escape(raw, len, &i, out + o);
        }
    }
    return o;
}

/* str_eq for a string node nd with escapes: decodes them one at a time against key. */
static bool escaped_eq(const struct cm_json_doc *d, const struct cm_json_node *nd, const char *key,
                       size_t klen)
{
    const char *raw = d->src + nd->off;
    size_t len = nd->len, k = 0, m, at = 0;
    char tmp[4];

    if (klen > len) {
        return false;
    }
    while (at < len) {
        if (raw[at] != '\\') {
            if (k == klen || raw[at] != key[k]) {
                return false;
            }
            at++;
            k++;
            continue;
        }
        m = decode_escape(raw, len, &at, tmp);
        if (m > klen - k || memcmp(tmp, key + k, m) != 0) {
            return false;
        }
        k += m;
    }
    return k == klen;
}

/*
 * Compares the string node i (after unescaping) with key[0..klen). Inline:
 * an object lookup puts every key before the one it wants to it, and nearly
 * every key has no escape, which a length and a memcmp settle.
 */
static inline bool str_eq(const struct cm_json_doc *d, uint32_t i, const char *key, size_t klen)
{
    const struct cm_json_node *nd = &d->nodes[i];

    if (!(nd->tag & CM_JSON_F_ESCAPED)) {
        return nd->len == klen && (klen == 0 || memcmp(d->src + nd->off, key, klen) == 0);
    }
    return escaped_eq(d, nd, key, klen);
}

uint32_t cm_json_getn(const struct cm_json_doc *d, uint32_t obj, const char *key, size_t klen)
{
    uint32_t i, stop;

    if (!node_is(d, obj, CM_JSON_OBJECT) || (key == NULL && klen != 0)) {
        return CM_JSON_NONE;
    }
    stop = d->nodes[obj].next;
    for (i = obj + 1; i < stop; i = d->nodes[i + 1].next) {
        if (str_eq(d, i, key, klen)) {
            return i + 1;
        }
    }
    return CM_JSON_NONE;
}

uint32_t cm_json_get(const struct cm_json_doc *d, uint32_t obj, const char *key)
{
    if (key == NULL) {
        return CM_JSON_NONE;
    }
    return cm_json_getn(d, obj, key, strlen(key));
}

uint32_t cm_json_index(const struct cm_json_doc *d, uint32_t arr, uint32_t idx)
{
    uint32_t i;

    if (!node_is(d, arr, CM_JSON_ARRAY) || idx >= d->nodes[arr].len) {
        return CM_JSON_NONE;
    }
    i = arr + 1;
    while (idx-- > 0) {
        i = d->nodes[i].next;
    }
    return i;
}

/* Parses a segment made only of digits as an index; false otherwise. */
static bool seg_index(const char *s, size_t n, uint32_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 10) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (!is_digit(s[k])) {
            return false;
        }
        v = v * 10 + (uint64_t)(s[k] - '0');
    }
    if (v >= UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/*
 * Segments are split on '.'; an empty path names root itself. A segment
 * applied to an array must be a decimal index; on an object it is a key
 * (an empty segment looks up the key "").
 */
uint32_t cm_json_path(const struct cm_json_doc *d, uint32_t root, const char *path)
{
    uint32_t cur = root, idx;
    const char *s = path, *dot;
    size_t n;

    if (path == NULL || root >= d->n) {
        return CM_JSON_NONE;
    }
    if (*path == '\0') {
        return root;
    }
    for (;;) {
        dot = strchr(s, '.');
        n = dot ? (size_t)(dot - s) : strlen(s);
        if (node_is(d, cur, CM_JSON_ARRAY)) {
            cur = seg_index(s, n, &idx) ? cm_json_index(d, cur, idx) : CM_JSON_NONE;
        } else {
            cur = cm_json_getn(d, cur, s, n);
        }
        if (cur == CM_JSON_NONE || dot == NULL) {
            return cur;
        }
        s = dot + 1;
    }
}

struct cm_str cm_json_str(const struct cm_json_doc *d, uint32_t i, struct cm_arena *a)
{
    const struct cm_json_node *nd;
    char *out;
    size_t n;

    if (!node_is(d, i, CM_JSON_STRING)) {
        return CM_STR_NULL;
    }
    nd = &d->nodes[i];
    if (!(nd->tag & CM_JSON_F_ESCAPED) || a == NULL) {
        return cm_str_make(d->src + nd->off, nd->len);
    }
    out = cm_arena_alloc(a, (size_t)nd->len + 1);
    if (out == NULL) {
        return CM_STR_NULL;
    }
    n = cm_json_unescape(d->src + nd->off, nd->len, out);
    out[n] = '\0';
    return cm_str_make(out, n);
}

const char *cm_json_str_to(const struct cm_json_doc *d, uint32_t i, char *out, size_t outlen)
{
    struct cm_str raw;

    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        return NULL;
    }
    raw = cm_json_raw(d, i);
    if (raw.len >= outlen) {
        return NULL;
    }
    out[cm_json_unescape(raw.p, raw.len, out)] = '\0';
    return out;
}

int cm_json_i64(const struct cm_json_doc *d, uint32_t i, int64_t *out)
{
    const struct cm_json_node *nd;
    const char *s;
    uint64_t v = 0, lim;
    size_t k = 0;
    bool neg;

    if (!node_is(d, i, CM_JSON_NUMBER) || !(d->nodes[i].tag & CM_JSON_F_INTEGER)) {
        return CM_EINVAL;
    }
    nd = &d->nodes[i];
    s = d->src + nd->off;
    neg = (nd->tag & CM_JSON_F_NEGATIVE) != 0;
    k = neg ? 1 : 0;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; k < nd->len; k++) {
        uint64_t dig = (uint64_t)(s[k] - '0');
        if (v > (lim - dig) / 10) {
            return CM_ERANGE;
        }
        v = v * 10 + dig;
    }
    if (neg) {
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        *out = (int64_t)v;
    }
    return CM_OK;
}

int cm_json_f64(const struct cm_json_doc *d, uint32_t i, double *out)
{
    char small[64], *buf = small, *endp = NULL;
    size_t len;
    double v;
    int rc = CM_OK;

    if (!node_is(d, i, CM_JSON_NUMBER)) {
        return CM_EINVAL;
    }
    len = d->nodes[i].len;
    if (len >= sizeof(small)) {
        buf = cm_malloc(len + 1);
        if (buf == NULL) {
            return CM_ENOMEM;
        }
    }
    memcpy(buf, d->src + d->nodes[i].off, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &endp);
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
        rc = CM_ERANGE;
    } else if (endp != buf + len) {
        rc = CM_EINVAL;
    }
    if (buf != small) {
        cm_free(buf);
    }
    *out = v;
    return rc;
}

bool cm_json_truthy(const struct cm_json_doc *d, uint32_t i)
{
    if (node_is(d, i, CM_JSON_TRUE)) {
        return true;
    }
    return node_is(d, i, CM_JSON_STRING) && str_eq(d, i, "true", 4);
}
