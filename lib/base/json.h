/*
 * JSON reader and writer (RFC 8259).
 *
 * Reader. cm_json_parse*() validate the input completely (strict grammar,
 * strict UTF-8, exact number syntax, a nesting limit) and record it as a flat
 * "tape" of struct cm_json_node in document order. Nothing is copied: strings
 * and numbers are (offset, length) slices into the caller's source buffer, which
 * must outlive the document. Strings are unescaped only when asked
 * (cm_json_str / cm_json_unescape). Duplicate object keys are kept, in order;
 * lookup returns the first.
 *
 * Tape layout. Every value is one node; a container is followed by its
 * children, and node.next is the index just past its whole subtree, so a value
 * is skipped in O(1). An object's children alternate key (a string node) and
 * value. Offsets are 32-bit: one source buffer is at most 4 GiB - 1.
 *
 * Ownership: struct cm_json_doc owns its node array (grown up to max_nodes);
 * it borrows the source text.
 */
#ifndef CM_BASE_JSON_H
#define CM_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"

enum cm_json_type {
    CM_JSON_NULL = 0,
    CM_JSON_FALSE = 1,
    CM_JSON_TRUE = 2,
    CM_JSON_NUMBER = 3,
    CM_JSON_STRING = 4,
    CM_JSON_ARRAY = 5,
    CM_JSON_OBJECT = 6,
};

#define CM_JSON_TYPE_MASK  0x7u
#define CM_JSON_F_ESCAPED  0x8u  /* string: contains backslash escapes */
#define CM_JSON_F_NONASCII 0x10u /* string: contains bytes >= 0x80 */
#define CM_JSON_F_INTEGER  0x20u /* number: no fraction and no exponent */
#define CM_JSON_F_NEGATIVE 0x40u /* number: starts with '-' */

#define CM_JSON_NONE UINT32_MAX /* "no node" */

#define CM_JSON_DEFAULT_DEPTH 512

struct cm_json_node {
    uint32_t tag;  /* enum cm_json_type | CM_JSON_F_* */
    uint32_t len;  /* string: raw byte length between the quotes; number: text
                      length; array: element count; object: member count;
                      true/false/null: text length (4 or 5) */
    uint32_t off;  /* string: offset after the opening quote; others: offset
                      of the first byte of the value */
    uint32_t next; /* index of the first node after this value's subtree */
};

struct cm_json_doc {
    const char *src; /* borrowed source text */
    size_t src_len;
    struct cm_json_node *nodes; /* owned tape */
    uint32_t n;                 /* nodes in use */
    uint32_t cap;               /* nodes allocated */
    uint32_t max_nodes;         /* cap on n (0: 2^31) */
    uint32_t max_depth;         /* nesting limit (0: CM_JSON_DEFAULT_DEPTH) */
    uint32_t *stack;            /* owned scratch, max_depth entries */
    uint32_t stack_cap;
};

/* Initialises an empty document with the given caps (0 = defaults). */
void cm_json_doc_init(struct cm_json_doc *d, uint32_t max_nodes, uint32_t max_depth);
/* Frees the tape; idempotent. */
void cm_json_doc_finish(struct cm_json_doc *d);
/* Points the document at a new source buffer and empties the tape. */
void cm_json_doc_begin(struct cm_json_doc *d, const char *src, size_t len);

/*
 * Parses one JSON text that fills src[0..len) (surrounding whitespace
 * allowed). The root is node 0. Returns 0, or CM_ESYNTAX, CM_EUTF8,
 * CM_EDEPTH, CM_E2BIG (over max_nodes or len >= 4 GiB), CM_ENOMEM; on error
 * diag (may be NULL) gets the offset and reason.
 */
int cm_json_parse(struct cm_json_doc *d, const char *src, size_t len, struct cm_diag *diag);

/*
 * Parses one value that starts at d->src + start after optional whitespace,
 * appending its nodes to the tape (earlier nodes stay valid). On success sets
 * *root to its node index and *end to the offset just past the value. On
 * error the tape is restored to what it was and the same codes as
 * cm_json_parse are returned. For streaming over arrays and JSON Lines.
 */
int cm_json_parse_at(struct cm_json_doc *d, size_t start, size_t *end, uint32_t *root,
                     struct cm_diag *diag);

static inline const struct cm_json_node *cm_json_at(const struct cm_json_doc *d, uint32_t i)
{
    return &d->nodes[i];
}

static inline enum cm_json_type cm_json_type(const struct cm_json_doc *d, uint32_t i)
{
    return (enum cm_json_type)(d->nodes[i].tag & CM_JSON_TYPE_MASK);
}

/* Raw text of a string (escaped form, without quotes) or number. */
static inline struct cm_str cm_json_raw(const struct cm_json_doc *d, uint32_t i)
{
    struct cm_str s = {d->src + d->nodes[i].off, d->nodes[i].len};
    return s;
}

/* First child of an array/object (for objects: the first key), or NONE. */
static inline uint32_t cm_json_first(const struct cm_json_doc *d, uint32_t i)
{
    return d->nodes[i].len ? i + 1 : CM_JSON_NONE;
}

/* Index of the next sibling of element i inside container c, or NONE. */
static inline uint32_t cm_json_next(const struct cm_json_doc *d, uint32_t c, uint32_t i)
{
    uint32_t n = d->nodes[i].next;
    return n < d->nodes[c].next ? n : CM_JSON_NONE;
}

/*
 * Object lookup: returns the value node of the first member named key (compared
 * after unescaping), or CM_JSON_NONE when obj is NONE, not an object, or has no
 * such member.
 */
uint32_t cm_json_get(const struct cm_json_doc *d, uint32_t obj, const char *key);
uint32_t cm_json_getn(const struct cm_json_doc *d, uint32_t obj, const char *key, size_t klen);

/* Dotted path lookup ("userIdentity.sessionContext.attributes"); NONE if absent. */
uint32_t cm_json_path(const struct cm_json_doc *d, uint32_t root, const char *path);

/* Array element by position, or NONE. */
uint32_t cm_json_index(const struct cm_json_doc *d, uint32_t arr, uint32_t idx);

/*
 * String value of node i. When the string has no escapes this is a slice into
 * the source; otherwise it is unescaped into arena a (NULL arena: returns the
 * raw slice). Non-string nodes, and an arena that is out of space, give
 * CM_STR_NULL.
 */
struct cm_str cm_json_str(const struct cm_json_doc *d, uint32_t i, struct cm_arena *a);

/*
 * Unescapes the raw content of a valid JSON string (as the reader accepted it)
 * into out, which must have room for len bytes (the result is never longer).
 * Returns the unescaped length. Lone surrogates become U+FFFD.
 */
size_t cm_json_unescape(const char *raw, size_t len, char *out);
/*
 * String node i unescaped into out, NUL-terminated: out, or NULL when i is none or no
 * string, or its raw text does not fit (outlen bytes or more).
 */
const char *cm_json_str_to(const struct cm_json_doc *d, uint32_t i, char *out, size_t outlen);

/*
 * Numbers. Return 0, CM_EINVAL (not a number / not integral) or CM_ERANGE;
 * cm_json_f64 may also return CM_ENOMEM for a number text of 64+ bytes.
 */
int cm_json_i64(const struct cm_json_doc *d, uint32_t i, int64_t *out);
int cm_json_f64(const struct cm_json_doc *d, uint32_t i, double *out);
/* Booleans: true for JSON true, and for the strings "true" (CloudTrail mixes both). */
bool cm_json_truthy(const struct cm_json_doc *d, uint32_t i);

/*
 * Writer. Appends compact JSON to a struct cm_buf. Errors are sticky in jw->err
 * and returned by cm_jw_finish(); misuse (a value where a key is due, a
 * container left open at finish, no value or two top-level values) gives
 * CM_EINVAL, and nesting deeper than CM_JW_MAX_DEPTH - 1 gives CM_E2BIG.
 * Strings are escaped per RFC 8259; invalid UTF-8 in input strings is
 * replaced by U+FFFD so the output is always valid JSON.
 */
#define CM_JW_MAX_DEPTH 64

struct cm_jw {
    struct cm_buf *out;
    int err;
    uint32_t depth;
    uint8_t state[CM_JW_MAX_DEPTH]; /* per level: 0 first, 1 after item, 2 after key */
    uint8_t is_obj[CM_JW_MAX_DEPTH];
};

void cm_jw_init(struct cm_jw *jw, struct cm_buf *out);
int cm_jw_finish(struct cm_jw *jw);
void cm_jw_obj_begin(struct cm_jw *jw);
void cm_jw_obj_end(struct cm_jw *jw);
void cm_jw_arr_begin(struct cm_jw *jw);
void cm_jw_arr_end(struct cm_jw *jw);
void cm_jw_key(struct cm_jw *jw, const char *key);
void cm_jw_keyn(struct cm_jw *jw, const char *key, size_t n);
void cm_jw_str(struct cm_jw *jw, const char *s);
void cm_jw_strn(struct cm_jw *jw, const char *s, size_t n);
void cm_jw_u64(struct cm_jw *jw, uint64_t v);
void cm_jw_i64(struct cm_jw *jw, int64_t v);
void cm_jw_f64(struct cm_jw *jw, double v); /* shortest round-trip form; NaN/inf -> null */
void cm_jw_bool(struct cm_jw *jw, bool v);
void cm_jw_null(struct cm_jw *jw);
/* Writes key and ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (cm_time_format_iso), a GuardDuty timestamp. */
void cm_jw_key_time(struct cm_jw *jw, const char *key, int64_t ms);
/* Inserts already-valid JSON text as one value (e.g. a subtree copied verbatim). */
void cm_jw_raw(struct cm_jw *jw, const char *json, size_t n);

/* Appends the escaped form of s (without quotes) to out. Returns 0 or CM_E*. */
int cm_json_escape(struct cm_buf *out, const char *s, size_t n);

/* Appends node i of d (and its subtree) to jw, re-serialised compactly. */
void cm_jw_node(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t i);

#endif
