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
 * array may have been reallocated. The accessors are in json_get.c.
 */
#include "base/json.h"

#include "base/json_str.h"
#include "base/str.h"
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define NODES_DEFAULT_MAX (UINT32_C(1) << 31)
#define NODES_FIRST_CAP   64u
#define STACK_FIRST_CAP   16u

/* Parser state that the helpers share; err_* describe the first error. */
struct jp {
    const char *base;
    const char *end;
    const char *err_at;
    const char *err_msg;
    int err;
    uint32_t str_tag; /* tag of the last string scan_string_slow() finished */
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

#ifdef __SSE2__
/*
 * Advances p 16 bytes at a time to the first special string byte, or to the
 * point where fewer than 16 bytes remain.
 */
static inline const char *simd_skip(const char *p, const char *end)
{
    unsigned bits;

    while (end - p >= 16) {
        bits = cm_json_special16(p);
        if (bits != 0) {
            return p + (unsigned)__builtin_ctz(bits);
        }
        p += 16;
    }
    return p;
}
#endif

/* Validates the escape at p (p[0] == '\\'); returns the byte after it. */
static const char *scan_escape(struct jp *j, const char *p)
{
    if (j->end - p < 2) {
        return fail(j, p, CM_ESYNTAX, "unterminated string");
    }
    if (cm_json_escape_char((unsigned char)p[1]) != 0) {
        return p + 2;
    }
    if (p[1] == 'u') {
        if (j->end - p < 6 || (cm_hex_digit(p[2]) | cm_hex_digit(p[3]) | cm_hex_digit(p[4]) |
                               cm_hex_digit(p[5])) < 0) {
            return fail(j, p, CM_ESYNTAX, "invalid \\u escape");
        }
        return p + 6;
    }
    return fail(j, p, CM_ESYNTAX, "invalid escape");
}

/*
 * Validates one UTF-8 sequence at p (p[0] >= 0x80) per RFC 3629: no
 * overlongs, no encoded surrogates, nothing above U+10FFFF, no truncation.
 */
static const char *scan_utf8(struct jp *j, const char *p)
{
    size_t len = cm_utf8_seq((const unsigned char *)p, (size_t)(j->end - p));

    if (len == 0) {
        return fail(j, p, CM_EUTF8, "invalid UTF-8");
    }
    return p + len;
}

/* Advances p to the first special string byte, or to end. */
static inline const char *skip_plain(const char *p, const char *end)
{
#ifdef __SSE2__
    p = simd_skip(p, end);
    if (LIKELY(end - p >= 16)) {
        return p; /* the vector scan stopped on a special byte */
    }
#endif
    while (p < end && !cm_json_str_special((unsigned char)*p)) {
        p++;
    }
    return p;
}

/*
 * The general string scanner, entered where the fast scan stopped (p) for
 * strings with escapes, non-ASCII or control bytes, or near the end of the
 * input. Leaves the string's tag in j->str_tag; returns the closing quote
 * or NULL. Kept out of line so the hot loop stays small.
 */
__attribute__((noinline)) static const char *scan_string_slow(struct jp *j, const char *q,
                                                              const char *p)
{
    const char *end = j->end;
    uint32_t tag = CM_JSON_STRING;
    unsigned char c;

    for (;;) {
        p = skip_plain(p, end);
        if (p == end) {
            return fail(j, q, CM_ESYNTAX, "unterminated string");
        }
        c = (unsigned char)*p;
        if (c == '"') {
            j->str_tag = tag;
            return p;
        }
        if (c == '\\') {
            tag |= CM_JSON_F_ESCAPED;
            p = scan_escape(j, p);
        } else if (c < 0x20) {
            return fail(j, p, CM_ESYNTAX, "control character in string");
        } else {
            tag |= CM_JSON_F_NONASCII;
            p = scan_utf8(j, p);
        }
        if (p == NULL) {
            return NULL;
        }
    }
}

/*
 * Scans the string whose opening quote is at q. Returns the closing quote
 * and sets *tag (CM_JSON_STRING plus F_ESCAPED / F_NONASCII), or NULL on
 * error. The common case, plain ASCII up to a quote at least 16 bytes
 * before the end, is one vector scan and no call.
 */
static inline const char *scan_string(struct jp *j, const char *q, uint32_t *tag)
{
    const char *p = q + 1;

#ifdef __SSE2__
    unsigned bits;

    while (j->end - p >= 16) {
        bits = cm_json_special16(p);
        if (bits != 0) {
            p += (unsigned)__builtin_ctz(bits);
            if (LIKELY(*p == '"')) {
                *tag = CM_JSON_STRING;
                return p;
            }
            break;
        }
        p += 16;
    }
#endif
    p = scan_string_slow(j, q, p);
    *tag = j->str_tag;
    return p;
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

/* Scans true/false/null at p into *tag; returns the byte after it or NULL. */
static inline const char *scan_literal(struct jp *j, const char *p, uint32_t *tag)
{
    if (*p == 't' && has_lit(p, j->end, "true", 4)) {
        *tag = CM_JSON_TRUE;
        return p + 4;
    }
    if (*p == 'f' && has_lit(p, j->end, "false", 5)) {
        *tag = CM_JSON_FALSE;
        return p + 5;
    }
    if (*p == 'n' && has_lit(p, j->end, "null", 4)) {
        *tag = CM_JSON_NULL;
        return p + 4;
    }
    return bad_value(j, p);
}

/*
 * Scans the scalar at p (a string, number or literal; anything else is an
 * error) and fills node nd except next. Returns the byte after it or NULL.
 */
static inline const char *scan_scalar(struct jp *j, const char *p, struct cm_json_node *nd)
{
    const char *q;
    uint32_t tag = 0;

    if (LIKELY(*p == '"')) {
        q = scan_string(j, p, &tag);
        if (UNLIKELY(q == NULL)) {
            return NULL;
        }
        nd->tag = tag;
        nd->len = (uint32_t)(q - p - 1);
        nd->off = (uint32_t)(p + 1 - j->base);
        return q + 1;
    }
    if (*p == '-' || is_digit(*p)) {
        q = scan_number(j, p, &tag);
    } else {
        q = scan_literal(j, p, &tag);
    }
    if (UNLIKELY(q == NULL)) {
        return NULL;
    }
    nd->tag = tag;
    nd->len = (uint32_t)(q - p);
    nd->off = (uint32_t)(p - j->base);
    return q;
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

/* Makes room for node n, refreshing the caller's cached array and cap. */
static inline bool room(struct cm_json_doc *d, struct jp *j, const char *at, uint32_t n,
                        struct cm_json_node **nd, uint32_t *lim)
{
    if (LIKELY(n < *lim)) {
        return true;
    }
    if (grow_nodes(d, j, at) != 0) {
        return false;
    }
    *nd = d->nodes;
    *lim = d->cap;
    return true;
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
    uint32_t n = d->n, lim = d->cap, depth = 0, cur = 0, cnt = 0;
    bool in_obj = false;
    const char *q;

value:
    p = skip_ws(p, end);
    if (UNLIKELY(p == end)) {
        return fail(j, p, CM_ESYNTAX, "unexpected end of input");
    }
    if (UNLIKELY(!room(d, j, p, n, &nd, &lim))) {
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        goto open;
    }
    q = scan_scalar(j, p, &nd[n]);
    if (UNLIKELY(q == NULL)) {
        return NULL;
    }
    nd[n].next = n + 1;
    n++;
    p = q;
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
    if (UNLIKELY(!room(d, j, p, n, &nd, &lim))) {
        return NULL;
    }
    q = scan_scalar(j, p, &nd[n]);
    if (UNLIKELY(q == NULL)) {
        return NULL;
    }
    nd[n].next = n + 1;
    n++;
    if (LIKELY(end - q >= 2 && q[0] == ':' && q[1] == '"' && n < lim)) {
        /* The compact member "key":"string", the commonest by far: its value is scanned
         * here, without the general value dispatch (no whitespace, no bracket, no end). */
        p = q + 1;
        q = scan_scalar(j, p, &nd[n]);
        if (UNLIKELY(q == NULL)) {
            return NULL;
        }
        nd[n].next = n + 1;
        n++;
        p = q;
        goto after;
    }
    p = skip_ws(q, end);
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
    nd[n].tag = in_obj ? CM_JSON_OBJECT : CM_JSON_ARRAY;
    nd[n].off = (uint32_t)(p - base); /* len and next are set at the close */
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
    j.str_tag = 0;
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

#undef LIKELY
#undef UNLIKELY
#undef NODES_DEFAULT_MAX
#undef NODES_FIRST_CAP
#undef STACK_FIRST_CAP
