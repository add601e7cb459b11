/*
 * The compiled form of an EventBridge event pattern, shared by the compiler
 * (pattern.c) and the matcher (pattern_match.c); internal to lib/route (see
 * pattern.h for the API).
 */
#ifndef CM_ROUTE_PATTERN_IMPL_H
#define CM_ROUTE_PATTERN_IMPL_H

#include "route/pattern.h"

/* Everything lives in the pattern's arena. Strings are unescaped; those of the *_I kinds are
 * lower-cased. */
#include "base/arena.h"
#include "base/ip.h"

/*
 * Numeric matching (numeric, number literals, anything-but numbers) is limited to
 * -5e9..5e9, as AWS documents: patterns with numeric or anything-but bounds outside
 * are refused, event numbers outside match no numeric condition.
 */
#define CM_PAT_NUM_LIMIT 5e9

enum cm_pat_kind {
    CM_PAT_EQ = 0,   /* string equals s */
    CM_PAT_EQ_I,     /* string equals s, ASCII case-insensitive */
    CM_PAT_PREFIX,   /* string starts with s */
    CM_PAT_PREFIX_I, /* ... case-insensitive */
    CM_PAT_SUFFIX,   /* string ends with s */
    CM_PAT_SUFFIX_I, /* ... case-insensitive */
    CM_PAT_WILD,     /* string matches the wildcard w */
    CM_PAT_CIDR,     /* string is an IP address inside c */
    CM_PAT_NUM,      /* number equals num */
    CM_PAT_NUM_TEXT, /* number literal outside CM_PAT_NUM_LIMIT: its JSON text, in s */
    CM_PAT_RANGE,    /* number inside r */
    CM_PAT_TRUE,     /* JSON true */
    CM_PAT_FALSE,    /* JSON false */
    CM_PAT_NULL,     /* JSON null */
};

/* One literal run of a wildcard; kmp is the KMP failure table of a middle run. */
struct cm_pat_seg {
    const char *p;
    uint32_t len;
    uint32_t *kmp;
};

struct cm_pat_val {
    union {
        struct {
            const char *p;
            uint32_t len;
        } s;
        struct { /* runs between stars: first anchored left, last right */
            const struct cm_pat_seg *seg;
            uint32_t nseg;
        } w;
        struct {
            double lo, hi; /* -inf / +inf when open */
            bool lo_incl, hi_incl;
        } r;
        struct {
            struct cm_ip net;
            unsigned prefix;
        } c;
        double num;
    } u;
};

/* One matcher: holds when any value does (negate: when none does). */
struct cm_pat_matcher {
    uint8_t kind;   /* enum cm_pat_kind */
    bool negate;    /* anything-but */
    uint32_t nvals; /* >= 1 */
    struct cm_pat_val *vals;
};

struct cm_pat_obj;

/* One pattern member: a nested object, or a leaf with its matchers. */
struct cm_pat_field {
    const char *key; /* unescaped */
    uint32_t klen;
    struct cm_pat_obj *obj; /* non-NULL: descend */
    struct cm_pat_matcher *m;
    uint32_t nm;
    bool exists_true, exists_false; /* {"exists": ...} among the matchers */
};

/* One pattern object: every field, and one of the $or branches if any. */
struct cm_pat_obj {
    struct cm_pat_field *f;
    uint32_t nf;
    struct cm_pat_obj *alt; /* $or branches */
    uint32_t nalt;
};

struct cm_pattern {
    struct cm_arena arena;
    struct cm_pat_obj root;
};

/*
 * Splits checked wildcard text s (n bytes, unescaped JSON, nseg runs) in
 * place into v's runs, resolving \* and \\, with KMP tables for the middle
 * runs allocated in a. Returns 0 or CM_ENOMEM. (pattern_match.c)
 */
int cm_pat_wild_build(struct cm_arena *a, char *s, uint32_t n, uint32_t nseg, struct cm_pat_val *v);
#endif
