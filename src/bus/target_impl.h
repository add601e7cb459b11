/*
 * What the target kinds share and the bus does not see: their table
 * entries, and reading a spec (target.c). A kind opens the spec with
 * cm_tspec_open, which parses it, requires a JSON object and refuses
 * unknown or repeated members; then it reads its members with the typed
 * getters, which fill err with "<member>: <reason>" and return CM_EINVAL.
 * Strings come back unescaped and NUL-terminated in the spec's arena, valid
 * until cm_tspec_close.
 */
#ifndef CM_BUS_TARGET_IMPL_H
#define CM_BUS_TARGET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "bus/target.h"

#define CM_TARGET_SPEC_MAX 65536 /* bytes of spec text */
#define CM_TARGET_MAP_MAX  64    /* members of an env or headers object */

extern const struct cm_target_kind cm_target_exec;
extern const struct cm_target_kind cm_target_file;
extern const struct cm_target_kind cm_target_kafka;
extern const struct cm_target_kind cm_target_webhook;

struct cm_tspec {
    struct cm_json_doc doc;
    struct cm_arena arena; /* unescaped strings and whatever the kind allocates */
    const char *prefix;    /* put before every message ("" when checking) */
    char *err;
    size_t errlen;
};

/* One member of a name -> string object (env, headers). */
struct cm_tspec_pair {
    const char *name;
    const char *value;  /* the string; for a reference, its prefix ("" when none) */
    const char *secret; /* a reference {"secret": NAME, "prefix": "..."}: NAME; NULL: a string */
};

/*
 * Parses spec[0..len) into s. members is the NULL-terminated list of member
 * names the kind takes; any other name, or one given twice, is an error.
 * prefix starts every message (deliver passes "exec: bad spec: ", check "").
 * Returns 0, CM_EINVAL or CM_ENOMEM; s must be closed either way.
 */
int cm_tspec_open(struct cm_tspec *s, const char *prefix, const char *spec, size_t len,
                  const char *const *members, char *err, size_t errlen);
/* Frees what s holds; idempotent. */
void cm_tspec_close(struct cm_tspec *s);

/* Writes prefix + the message to err (control characters shown as '?'); returns CM_EINVAL. */
int cm_tspec_fail(struct cm_tspec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value node of member name of the spec; CM_JSON_NONE when absent or null. */
uint32_t cm_tspec_member(const struct cm_tspec *s, const char *name);

/*
 * The string at node (what names it in messages): unescaped, without NUL
 * bytes, at most max bytes. Empty strings are allowed; the kind decides.
 */
int cm_tspec_str(struct cm_tspec *s, uint32_t node, const char *what, size_t max, const char **out);
/* Integer member name in lo..hi; def when absent. */
int cm_tspec_int(struct cm_tspec *s, const char *name, int64_t lo, int64_t hi, int64_t def,
                 int64_t *out);
/* Boolean member name (true or false); def when absent. */
int cm_tspec_bool(struct cm_tspec *s, const char *name, bool def, bool *out);
/*
 * Object member name whose values are all strings (at most max_value bytes),
 * at most CM_TARGET_MAP_MAX of them, names non-empty and unique (compared
 * ignoring ASCII case when nocase). *out gets them sorted by name (byte
 * order, or ASCII case-folded when nocase), *n their count; absent is empty.
 */
int cm_tspec_map(struct cm_tspec *s, const char *name, bool nocase, size_t max_value,
                 struct cm_tspec_pair **out, size_t *n);
/*
 * cm_tspec_map where a value may also be a reference to a named secret,
 * {"secret": NAME, "prefix": "..."} (prefix optional, at most max_value bytes; NAME as
 * 1 to 64 of [A-Za-z0-9._-], cm_str_is_name): its pair has secret set and value the prefix.
 */
int cm_tspec_map_refs(struct cm_tspec *s, const char *name, bool nocase, size_t max_value,
                      struct cm_tspec_pair **out, size_t *n);

/* n bytes from the spec's arena; on failure err says so (returns NULL). */
void *cm_tspec_alloc(struct cm_tspec *s, size_t n);
/* A formatted string in the spec's arena, or NULL (err set). */
char *cm_tspec_strf(struct cm_tspec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "key": {name: value, ...} to jw (a reference as {"secret":NAME[,"prefix":P]}). */
void cm_tspec_jw_map(struct cm_jw *jw, const char *key, const struct cm_tspec_pair *p, size_t n);
/*
 * Ends a canonical form that was written to canon from byte mark on: returns
 * 0, or the writer's error with err set and canon cut back to mark.
 */
int cm_tspec_canon_end(struct cm_tspec *s, struct cm_jw *jw, struct cm_buf *canon, size_t mark);

/*
 * What is wrong with byte c in a value that must be printable ASCII without
 * spaces (a URL, a broker list): "a space", "a control character" or "not
 * printable ASCII"; NULL when nothing is.
 */
const char *cm_target_byte_fault(unsigned char c);

/* Copies s into out (outlen bytes), turning control characters into '?'. */
void cm_target_printable(char *out, size_t outlen, const char *s, size_t n);

/* ctx, or an empty one (no names, unknown severity) when ctx is NULL. */
const struct cm_target_ctx *cm_target_ctx_or_empty(const struct cm_target_ctx *ctx);

#endif
