/*
 * JSON reader: a strict RFC 8259 validator that records a flat tape.
 *
 * The parser is one loop over the source with an explicit stack of open
 * containers (d->stack, grown on demand up to max_depth), so nesting costs no
 * C stack and the depth limit is exact. Each value appends one struct
 * cm_json_node; a container's len and next are filled in when it closes. While
 * a child container is open, the parent's running element count is parked in
 * the parent's len field, so the stack holds only node indices.
 *
 * Speed comes from doing little per byte: strings are scanned 16 bytes at a
 * time (SSE2) for '"', '\\', control bytes and non-ASCII bytes, so an ASCII
 * string without escapes is one or two vector compares; UTF-8 is validated
 * only from the first non-ASCII byte on; whitespace skipping first tests the
 * compact case (next byte > ' '). Every read is bounded by the end of the
 * source: nothing past src + len is touched, and the source need not be
 * NUL-terminated.
 *
 * Invariants: on success d->n grows by the value's subtree; on failure d->n
 * is unchanged (the tape is only committed at the end), though the node
 * array may have been reallocated. Accessors never read past d->n.
 */
#include "base/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "base/err.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define NODES_DEFAULT_MAX (UINT32_C(1) << 31)
#define NODES_FIRST_CAP 64u
#define STACK_FIRST_CAP 16u

/* Parser state that the helpers share; err_* describe the first error. */
struct jp {
    const char *base;
    const char *end;
    const char *err_at;
    const char *err_msg;
    int err;
};

/* Records an error and returns NULL so scanners can `return fail(...)`. */
static const char *fail(struct jp *j, const char *at, int code, const char *msg)
{
    j->err_at = at;
    j->err_msg = msg;
    j->err = code;
    return NULL;
}

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skips JSON whitespace; the compact case (no whitespace) is one test. */
static inline const char *skip_ws(const char *p, const char *end)
{
    if (LIKELY(p < end && (unsigned char)*p > ' ')) {
        return p;
    }
    while (p < end && is_ws(*p)) {
        p++;
    }
    return p;
}

/* True for bytes that end an ordinary run inside a string. */
static inline bool str_special(unsigned char c)
{
    return (unsigned char)(c - 0x20) >= 0x60 || c == '"' || c == '\\';
}

#ifdef __SSE2__
/*
 * Advances p 16 bytes at a time to the first special string byte, or to the
 * point where fewer than 16 bytes remain. A signed compare with 0x20 catches
 * both control bytes and bytes >= 0x80.
 */
static inline const char *simd_skip(const char *p, const char *end)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);

    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(m, _mm_cmplt_epi8(v, space)));
        if (bits != 0) {
            return p + __builtin_ctz(bits);
        }
        p += 16;
    }
    return p;
}
#endif

static inline unsigned hex_val(char c)
{
    unsigned u = (unsigned char)c;

    if (u - '0' < 10) {
        return u - '0';
    }
    u |= 0x20;
    if (u - 'a' < 6) {
        return u - 'a' + 10;
    }
    return 16;
}

/* Validates the escape at p (p[0] == '\\'); returns the byte after it. */
static const char *scan_escape(struct jp *j, const char *p)
{
    if (j->end - p < 2) {
        return fail(j, p, CM_ESYNTAX, "unterminated string");
    }
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u':
        if (j->end - p < 6 || (hex_val(p[2]) | hex_val(p[3]) | hex_val(p[4]) | hex_val(p[5])) > 15) {
            return fail(j, p, CM_ESYNTAX, "invalid \\u escape");
        }
        return p + 6;
    default:
        return fail(j, p, CM_ESYNTAX, "invalid escape");
    }
}

/*
 * Validates one UTF-8 sequence at p (p[0] >= 0x80) per RFC 3629: no
 * overlongs, no encoded surrogates, nothing above U+10FFFF, no truncation.
 */
static const char *scan_utf8(struct jp *j, const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t avail = (size_t)(j->end - p), len;
    unsigned lo = 0x80, hi = 0xBF;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else {
        return fail(j, p, CM_EUTF8, "invalid UTF-8");
    }
    if (avail < len || s[1] < lo || s[1] > hi) {
        return fail(j, p, CM_EUTF8, "invalid UTF-8");
    }
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return fail(j, p, CM_EUTF8, "invalid UTF-8");
        }
    }
    return p + len;
}

/*
 * Scans the string whose opening quote is at q. Returns the closing quote
 * and ORs CM_JSON_F_ESCAPED / F_NONASCII into *tag, or NULL on error.
 */
static inline const char *scan_string(struct jp *j, const char *q, uint32_t *tag)
{
    const char *p = q + 1, *end = j->end;
    unsigned char c;

    for (;;) {
#ifdef __SSE2__
        p = simd_skip(p, end);
#endif
        while (p < end && !str_special((unsigned char)*p)) {
            p++;
        }
        if (UNLIKELY(p == end)) {
            return fail(j, q, CM_ESYNTAX, "unterminated string");
        }
        c = (unsigned char)*p;
        if (LIKELY(c == '"')) {
            return p;
        }
        if (c == '\\') {
            *tag |= CM_JSON_F_ESCAPED;
            p = scan_escape(j, p);
        } else if (c < 0x20) {
            return fail(j, p, CM_ESYNTAX, "control character in string");
        } else {
            *tag |= CM_JSON_F_NONASCII;
            p = scan_utf8(j, p);
        }
        if (p == NULL) {
            return NULL;
        }
    }
}

static inline const char *skip_digits(const char *p, const char *end)
{
    while (p < end && is_digit(*p)) {
        p++;
    }
    return p;
}

/* Scans a number at p per the RFC grammar; sets *tag. NULL on error. */
static inline const char *scan_number(struct jp *j, const char *p, uint32_t *tag)
{
    const char *end = j->end;
    uint32_t t = CM_JSON_NUMBER | CM_JSON_F_INTEGER;

    if (*p == '-') {
        t |= CM_JSON_F_NEGATIVE;
        p++;
        if (p == end || !is_digit(*p)) {
            return fail(j, p, CM_ESYNTAX, "expected digit after '-'");
        }
    }
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p)) {
            return fail(j, p - 1, CM_ESYNTAX, "leading zero in number");
        }
    } else {
        p = skip_digits(p + 1, end);
    }
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p)) {
            return fail(j, p, CM_ESYNTAX, "expected digit after '.'");
        }
        p = skip_digits(p + 1, end);
        t &= ~CM_JSON_F_INTEGER;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (p == end || !is_digit(*p)) {
            return fail(j, p, CM_ESYNTAX, "expected digit in exponent");
        }
        p = skip_digits(p + 1, end);
        t &= ~CM_JSON_F_INTEGER;
    }
    *tag = t;
    return p;
}

static inline bool has_lit(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *bad_value(struct jp *j, const char *p)
{
    if (has_lit(p, j->end, "\xEF\xBB\xBF", 3)) {
        return fail(j, p, CM_ESYNTAX, "byte order mark not allowed");
    }
    if (*p == 't' || *p == 'f' || *p == 'n') {
        return fail(j, p, CM_ESYNTAX, "invalid literal");
    }
    if (*p == ']' || *p == '}' || *p == ',') {
        return fail(j, p, CM_ESYNTAX, "expected a value");
    }
    return fail(j, p, CM_ESYNTAX, "unexpected character");
}

static inline uint32_t max_nodes(const struct cm_json_doc *d)
{
    return d->max_nodes && d->max_nodes < NODES_DEFAULT_MAX ? d->max_nodes : NODES_DEFAULT_MAX;
}

static inline uint32_t max_depth(const struct cm_json_doc *d)
{
    return d->max_depth ? d->max_depth : CM_JSON_DEFAULT_DEPTH;
}

/* Doubles the node array, up to max_nodes. Returns 0, CM_E2BIG or CM_ENOMEM. */
static int grow_nodes(struct cm_json_doc *d, struct jp *j, const char *at)
{
    uint32_t lim = max_nodes(d);
    size_t ncap;
    struct cm_json_node *nn;

    if (d->cap >= lim) {
        fail(j, at, CM_E2BIG, "too many values (max_nodes)");
        return CM_E2BIG;
    }
    ncap = d->cap ? (size_t)d->cap * 2 : NODES_FIRST_CAP;
    if (ncap > lim) {
        ncap = lim;
    }
    nn = ncap <= SIZE_MAX / sizeof(*nn) ? cm_realloc(d->nodes, ncap * sizeof(*nn)) : NULL;
    if (nn == NULL) {
        fail(j, at, CM_ENOMEM, "out of memory");
        return CM_ENOMEM;
    }
    d->nodes = nn;
    d->cap = (uint32_t)ncap;
    return CM_OK;
}

/* Makes room for one more stack entry, or fails with CM_EDEPTH / CM_ENOMEM. */
static int grow_stack(struct cm_json_doc *d, struct jp *j, const char *at, uint32_t depth)
{
    uint32_t lim = max_depth(d);
    size_t ncap;
    uint32_t *ns;

    if (depth >= lim) {
        fail(j, at, CM_EDEPTH, "nesting too deep");
        return CM_EDEPTH;
    }
    if (depth < d->stack_cap) {
        return CM_OK;
    }
    ncap = d->stack_cap ? (size_t)d->stack_cap * 2 : STACK_FIRST_CAP;
    if (ncap > lim) {
        ncap = lim;
    }
    ns = ncap <= SIZE_MAX / sizeof(*ns) ? cm_realloc(d->stack, ncap * sizeof(*ns)) : NULL;
    if (ns == NULL) {
        fail(j, at, CM_ENOMEM, "out of memory");
        return CM_ENOMEM;
    }
    d->stack = ns;
    d->stack_cap = (uint32_t)ncap;
    return CM_OK;
}

static inline void emit(struct cm_json_node *nd, uint32_t n, uint32_t tag, size_t len, size_t off)
{
    nd[n].tag = tag;
    nd[n].len = (uint32_t)len;
    nd[n].off = (uint32_t)off;
    nd[n].next = n + 1;
}

/*
 * The parse loop. States are labels: `value` expects any value, `key` an
 * object key, `after` a ',' or closing bracket once a value is done. Locals
 * cache the tape (nd, n, lim) and the innermost container (cur, cnt, in_obj);
 * d->n is only updated on success, which is what restores the tape on error.
 * On success sets *root and returns the byte after the value.
 */
static const char *parse_loop(struct cm_json_doc *d, struct jp *j, const char *p, uint32_t *root)
{
    const char *const base = j->base, *const end = j->end;
    struct cm_json_node *nd = d->nodes;
    uint32_t n = d->n, lim = d->cap, depth = 0, cur = 0, cnt = 0, tag = 0;
    bool in_obj = false;
    const char *q;

value:
    p = skip_ws(p, end);
    if (UNLIKELY(p == end)) {
        return fail(j, p, CM_ESYNTAX, "unexpected end of input");
    }
    if (UNLIKELY(n >= lim)) {
        if (grow_nodes(d, j, p) != 0) {
            return NULL;
        }
        nd = d->nodes;
        lim = d->cap;
    }
    switch (*p) {
    case '"':
        tag = CM_JSON_STRING;
        q = scan_string(j, p, &tag);
        if (UNLIKELY(q == NULL)) {
            return NULL;
        }
        emit(nd, n++, tag, (size_t)(q - p - 1), (size_t)(p + 1 - base));
        p = q + 1;
        break;
    case '{':
    case '[':
        goto open;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        q = scan_number(j, p, &tag);
        if (UNLIKELY(q == NULL)) {
            return NULL;
        }
        emit(nd, n++, tag, (size_t)(q - p), (size_t)(p - base));
        p = q;
        break;
    case 't':
        if (!has_lit(p, end, "true", 4)) {
            return bad_value(j, p);
        }
        emit(nd, n++, CM_JSON_TRUE, 4, (size_t)(p - base));
        p += 4;
        break;
    case 'f':
        if (!has_lit(p, end, "false", 5)) {
            return bad_value(j, p);
        }
        emit(nd, n++, CM_JSON_FALSE, 5, (size_t)(p - base));
        p += 5;
        break;
    case 'n':
        if (!has_lit(p, end, "null", 4)) {
            return bad_value(j, p);
        }
        emit(nd, n++, CM_JSON_NULL, 4, (size_t)(p - base));
        p += 4;
        break;
    default:
        return bad_value(j, p);
    }
    if (UNLIKELY(depth == 0)) {
        goto done;
    }
after:
    p = skip_ws(p, end);
    if (UNLIKELY(p == end)) {
        return fail(j, p, CM_ESYNTAX, "unexpected end of input");
    }
    if (in_obj) {
        if (LIKELY(*p == ',')) {
            p++;
            cnt++;
            goto key;
        }
        if (*p == '}') {
            p++;
            goto close;
        }
        return fail(j, p, CM_ESYNTAX, "expected ',' or '}' after object member");
    }
    if (LIKELY(*p == ',')) {
        p++;
        cnt++;
        goto value;
    }
    if (*p == ']') {
        p++;
        goto close;
    }
    return fail(j, p, CM_ESYNTAX, "expected ',' or ']' after array element");

key:
    p = skip_ws(p, end);
    if (UNLIKELY(p == end || *p != '"')) {
        return fail(j, p, CM_ESYNTAX,
                    p == end ? "unexpected end of input" : "expected string for object key");
    }
    if (UNLIKELY(n >= lim)) {
        if (grow_nodes(d, j, p) != 0) {
            return NULL;
        }
        nd = d->nodes;
        lim = d->cap;
    }
    tag = CM_JSON_STRING;
    q = scan_string(j, p, &tag);
    if (UNLIKELY(q == NULL)) {
        return NULL;
    }
    emit(nd, n++, tag, (size_t)(q - p - 1), (size_t)(p + 1 - base));
    p = skip_ws(q + 1, end);
    if (UNLIKELY(p == end || *p != ':')) {
        return fail(j, p, CM_ESYNTAX, "expected ':' after object key");
    }
    p++;
    goto value;

open:
    if (UNLIKELY(depth >= d->stack_cap || depth >= max_depth(d))) {
        if (grow_stack(d, j, p, depth) != 0) {
            return NULL;
        }
    }
    if (depth > 0) {
        nd[cur].len = cnt;
    }
    in_obj = *p == '{';
    emit(nd, n, in_obj ? CM_JSON_OBJECT : CM_JSON_ARRAY, 0, (size_t)(p - base));
    cur = n++;
    d->stack[depth++] = cur;
    p = skip_ws(p + 1, end);
    if (UNLIKELY(p == end)) {
        return fail(j, p, CM_ESYNTAX, "unexpected end of input");
    }
    if (*p == (in_obj ? '}' : ']')) {
        p++;
        cnt = 0;
        goto close;
    }
    cnt = 1;
    if (in_obj) {
        goto key;
    }
    goto value;

close:
    nd[cur].len = cnt;
    nd[cur].next = n;
    if (--depth == 0) {
        goto done;
    }
    cur = d->stack[depth - 1];
    cnt = nd[cur].len;
    in_obj = (nd[cur].tag & CM_JSON_TYPE_MASK) == CM_JSON_OBJECT;
    goto after;

done:
    *root = d->n;
    d->n = n;
    return p;
}

static int report(const struct jp *j, struct cm_diag *diag)
{
    size_t off = (size_t)(j->err_at - j->base);

    if (j->err == CM_EUTF8) {
        cm_diag_set(diag, off, "invalid UTF-8 at byte %zu", off);
    } else {
        cm_diag_set(diag, off, "%s", j->err_msg);
    }
    return j->err;
}

void cm_json_doc_init(struct cm_json_doc *d, uint32_t max_nodes_, uint32_t max_depth_)
{
    memset(d, 0, sizeof(*d));
    d->max_nodes = max_nodes_;
    d->max_depth = max_depth_;
}

void cm_json_doc_finish(struct cm_json_doc *d)
{
    cm_free(d->nodes);
    cm_free(d->stack);
    d->nodes = NULL;
    d->stack = NULL;
    d->n = 0;
    d->cap = 0;
    d->stack_cap = 0;
    d->src = NULL;
    d->src_len = 0;
}

void cm_json_doc_begin(struct cm_json_doc *d, const char *src, size_t len)
{
    d->src = src;
    d->src_len = len;
    d->n = 0;
}

int cm_json_parse_at(struct cm_json_doc *d, size_t start, size_t *end, uint32_t *root,
                     struct cm_diag *diag)
{
    struct jp j;
    const char *p;
    uint32_t r = CM_JSON_NONE;

    if (d->src_len > UINT32_MAX) {
        cm_diag_set(diag, 0, "input larger than 4 GiB");
        return CM_E2BIG;
    }
    if (start > d->src_len) {
        cm_diag_set(diag, start, "start offset past the end of the input");
        return CM_EINVAL;
    }
    if (d->src == NULL) {
        cm_diag_set(diag, 0, "unexpected end of input");
        return d->src_len ? CM_EINVAL : CM_ESYNTAX;
    }
    j.base = d->src;
    j.end = d->src + d->src_len;
    j.err_at = NULL;
    j.err_msg = NULL;
    j.err = 0;
    p = parse_loop(d, &j, d->src + start, &r);
    if (p == NULL) {
        return report(&j, diag);
    }
    if (end != NULL) {
        *end = (size_t)(p - d->src);
    }
    if (root != NULL) {
        *root = r;
    }
    return CM_OK;
}

int cm_json_parse(struct cm_json_doc *d, const char *src, size_t len, struct cm_diag *diag)
{
    size_t end = 0;
    int rc;

    cm_json_doc_begin(d, src, len);
    rc = cm_json_parse_at(d, 0, &end, NULL, diag);
    if (rc != 0) {
        return rc;
    }
    while (end < len && is_ws(src[end])) {
        end++;
    }
    if (end != len) {
        d->n = 0;
        cm_diag_set(diag, end, "trailing characters after JSON value");
        return CM_ESYNTAX;
    }
    return CM_OK;
}

/* ---- accessors ---- */

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
    unsigned h[4];

    if (len - i < 6 || raw[i] != '\\' || raw[i + 1] != 'u') {
        return UINT32_MAX;
    }
    for (size_t k = 0; k < 4; k++) {
        h[k] = hex_val(raw[i + 2 + k]);
        if (h[k] > 15) {
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
    char c;

    if (len - *i < 2) {
        out[0] = raw[(*i)++];
        return 1;
    }
    c = raw[*i + 1];
    switch (c) {
    case 'b':
        c = '\b';
        break;
    case 'f':
        c = '\f';
        break;
    case 'n':
        c = '\n';
        break;
    case 'r':
        c = '\r';
        break;
    case 't':
        c = '\t';
        break;
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
    out[0] = c;
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

/* Compares the string node i (after unescaping) with key[0..klen). */
static bool str_eq(const struct cm_json_doc *d, uint32_t i, const char *key, size_t klen)
{
    const struct cm_json_node *nd = &d->nodes[i];
    const char *raw = d->src + nd->off;
    size_t len = nd->len, k = 0, m, at = 0;
    char tmp[4];

    if (!(nd->tag & CM_JSON_F_ESCAPED)) {
        return len == klen && (klen == 0 || memcmp(raw, key, klen) == 0);
    }
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

#undef LIKELY
#undef UNLIKELY
#undef NODES_DEFAULT_MAX
#undef NODES_FIRST_CAP
#undef STACK_FIRST_CAP
