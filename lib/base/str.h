/*
 * String slices. A struct cm_str borrows bytes that live elsewhere (usually
 * the input buffer of a parser); it is never NUL-terminated and never owns
 * memory. An absent value is {NULL, 0}; an empty present value has p != NULL.
 */
#ifndef CM_BASE_STR_H
#define CM_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct cm_str {
    const char *p;
    size_t len;
};

#define CM_STR_LIT(s) ((struct cm_str){(s), sizeof(s) - 1})
#define CM_STR_NULL   ((struct cm_str){NULL, 0})

static inline struct cm_str cm_str_make(const char *p, size_t len)
{
    struct cm_str s = {p, len};
    return s;
}

static inline struct cm_str cm_str_cstr(const char *s)
{
    struct cm_str r = {s, s ? strlen(s) : 0};
    return r;
}

static inline bool cm_str_present(struct cm_str s)
{
    return s.p != NULL;
}

static inline bool cm_str_eq(struct cm_str a, struct cm_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Byte order: memcmp over the shorter length, then the shorter first (<0, 0, >0). */
static inline int cm_str_cmp(struct cm_str a, struct cm_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;

    return c != 0 ? c : (a.len > b.len) - (a.len < b.len);
}

/*
 * cm_str_cmp's order of the slice s against the n bytes at c, as a byte
 * loop: for the look-ups of short sorted const tables, where most compares
 * end at the first byte and a call to memcmp would cost more than the compare.
 */
static inline int cm_str_order(struct cm_str s, const char *c, size_t n)
{
    size_t m = s.len < n ? s.len : n;

    for (size_t i = 0; i < m; i++) {
        if (s.p[i] != c[i]) {
            return (unsigned char)s.p[i] < (unsigned char)c[i] ? -1 : 1;
        }
    }
    return s.len < n ? -1 : s.len > n ? 1 : 0;
}

static inline bool cm_str_eqc(struct cm_str a, const char *c)
{
    size_t n = strlen(c);
    return a.len == n && (n == 0 || memcmp(a.p, c, n) == 0);
}

static inline bool cm_str_starts(struct cm_str a, const char *prefix)
{
    size_t n = strlen(prefix);
    return a.len >= n && (n == 0 || memcmp(a.p, prefix, n) == 0);
}

static inline bool cm_str_ends(struct cm_str a, const char *suffix)
{
    size_t n = strlen(suffix);
    return a.len >= n && (n == 0 || memcmp(a.p + a.len - n, suffix, n) == 0);
}

/* Case-insensitive (ASCII) equality. */
bool cm_str_ieq(struct cm_str a, struct cm_str b);

/* Whether a ends with suffix, case-insensitively (ASCII). */
static inline bool cm_str_iends(struct cm_str a, const char *suffix)
{
    size_t n = strlen(suffix);
    return a.len >= n && cm_str_ieq(cm_str_make(a.p + a.len - n, n), cm_str_make(suffix, n));
}

/* Finds needle in hay; returns the offset or (size_t)-1. */
size_t cm_str_find(struct cm_str hay, struct cm_str needle);

/*
 * The length of s's leading run of name characters: ASCII letters, digits, '.', '_' and
 * '-' (what rule, target, check, secret and filter names and Kafka topics are made of).
 */
size_t cm_str_name_span(struct cm_str s);

/* Whether s is 1 to max name characters (cm_str_name_span). */
static inline bool cm_str_is_name(struct cm_str s, size_t max)
{
    return s.len >= 1 && s.len <= max && cm_str_name_span(s) == s.len;
}

/*
 * Parses an unsigned decimal integer that fills the whole slice, with no sign,
 * no spaces and no overflow past max. Returns 0 or CM_EINVAL / CM_ERANGE.
 */
int cm_str_to_u64(struct cm_str s, unsigned long long max, unsigned long long *out);

/* Same for a signed decimal integer in [min, max] with an optional '-'. */
int cm_str_to_i64(struct cm_str s, long long min, long long max, long long *out);

/* The value of hex digit c (0-9, a-f, A-F), or -1 for any other character. */
static inline int cm_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* cm_hex_digit for the lower-case form only (ids and tokens this program writes): -1 for A-F. */
static inline int cm_hex_digit_lower(char c)
{
    return c >= 'A' && c <= 'F' ? -1 : cm_hex_digit(c);
}

#endif
