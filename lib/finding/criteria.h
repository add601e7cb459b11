/*
 * GuardDuty finding criteria (FindingCriteria, spec §5.2): compile the JSON
 * that ListFindings, CreateFilter and UpdateFilter take into an immutable
 * struct cm_criteria, and evaluate it against a finding in GuardDuty API JSON
 * form (a struct cm_json_doc tape).
 *
 * Accepted JSON: {"Criterion": {...}} (CLI/boto3 casing) or {"criterion":
 * {...}} (REST wire casing); each member maps an attribute path from
 * spec/filter-fields.txt to a Condition whose operators may be written in
 * either casing: Equals/equals, NotEquals/notEquals, GreaterThan/greaterThan,
 * GreaterThanOrEqual, LessThan, LessThanOrEqual, Matches, NotMatches and the
 * deprecated Eq, Neq, Gt, Gte, Lt, Lte. Every operator is one term; all terms
 * are ANDed. docs/internals/criteria.md has the semantics and limits.
 *
 * Ownership: cm_criteria_compile* returns an owned object (cm_criteria_destroy);
 * it copies what it needs and does not borrow the source text.
 */
#ifndef CM_FINDING_CRITERIA_H
#define CM_FINDING_CRITERIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/json.h"
#include "base/str.h"

/* Limits enforced by the compiler (GuardDuty's documented quotas, spec §9). */
#define CM_CRIT_MAX_ATTRS     50             /* attribute paths per criterion */
#define CM_CRIT_MAX_EQ_VALUES 50             /* values of equals/notEquals/eq/neq */
#define CM_CRIT_MAX_MATCHES   5              /* values of matches/notMatches */
#define CM_CRIT_MAX_PATTERN   512            /* bytes of one matches/notMatches value */
#define CM_CRIT_MAX_VALUE     1024           /* bytes of one equals/notEquals value (ours) */
#define CM_CRIT_MAX_INPUT     (256u * 1024u) /* bytes of criteria JSON (ours) */

/* Value type of a filterable attribute. */
enum cm_crit_type {
    CM_CRIT_T_STRING = 0, /* exact text */
    CM_CRIT_T_NUMBER = 1, /* integer/long/double in the model (severity, ports) */
    CM_CRIT_T_TIME = 2,   /* ISO-8601 in the finding, epoch ms in criteria */
    CM_CRIT_T_BOOL = 3,   /* JSON boolean (or "true"/"false") */
    CM_CRIT_T_ANY = 4,    /* not typed by the API model (additionalInfo.*, ...) */
};

enum cm_crit_op {
    CM_CRIT_EQ = 0,   /* equals / eq */
    CM_CRIT_NEQ,      /* notEquals / neq */
    CM_CRIT_GT,       /* greaterThan / gt */
    CM_CRIT_GTE,      /* greaterThanOrEqual / gte */
    CM_CRIT_LT,       /* lessThan / lt */
    CM_CRIT_LTE,      /* lessThanOrEqual / lte */
    CM_CRIT_MATCH,    /* matches */
    CM_CRIT_NOTMATCH, /* notMatches */
};

struct cm_crit_field {
    const char *path;
    enum cm_crit_type type;
};

/* The filterable attribute table, sorted by path (criteria_fields.c). */
extern const struct cm_crit_field cm_crit_fields[];
extern const size_t cm_crit_nfields;

/* Looks up an attribute path (exact, case-sensitive); NULL when unknown. */
const struct cm_crit_field *cm_crit_field_find(struct cm_str path);

/* Compile flags. */
#define CM_CRIT_F_NO_MATCHES 0x1u /* reject matches/notMatches (ListFindings) */
#define CM_CRIT_F_NONEMPTY   0x2u /* reject a criterion with no attribute (filters) */

struct cm_criteria;

/*
 * Compiles FindingCriteria JSON text. Returns 0 and sets *out, or CM_ESYNTAX /
 * CM_EUTF8 / CM_EDEPTH (malformed JSON), CM_EINVAL (unknown member, unknown
 * path, operator that does not fit the type, bad value), CM_E2BIG (a limit
 * above), CM_ENOMEM. On error diag gets the byte offset and a reason naming
 * the attribute path.
 */
int cm_criteria_compile(const char *json, size_t len, unsigned flags, struct cm_criteria **out,
                        struct cm_diag *diag);

/* Same, from the FindingCriteria object at node root of an already parsed doc. */
int cm_criteria_compile_node(const struct cm_json_doc *d, uint32_t root, unsigned flags,
                             struct cm_criteria **out, struct cm_diag *diag);

/* Frees c; NULL is a no-op. */
void cm_criteria_destroy(struct cm_criteria *c);

/* Number of terms (one per operator); 0 matches every finding. */
size_t cm_criteria_terms(const struct cm_criteria *c);

/* True when some term is on the attribute path (exact). */
bool cm_criteria_has_path(const struct cm_criteria *c, const char *path);

/*
 * A read-only view of term i (i < cm_criteria_terms), for translating
 * criteria into another query language (the store's SQL). List operators
 * (EQ, NEQ, MATCH, NOTMATCH) have nvals values: text (canonical, unescaped)
 * and, for NUMBER/TIME fields, num (epoch ms for TIME). Range operators
 * have the interval lo/hi (each present or not, inclusive or not).
 */
struct cm_crit_term_view {
    const char *path;
    enum cm_crit_type type;
    enum cm_crit_op op;
    uint32_t nvals;
    bool has_lo, lo_incl, has_hi, hi_incl;
    double lo, hi;
};
int cm_criteria_term(const struct cm_criteria *c, size_t i, struct cm_crit_term_view *out);
/* Value j of term i: its text, and its number when *has_num. */
struct cm_str cm_criteria_value(const struct cm_criteria *c, size_t i, uint32_t j, double *num,
                                bool *has_num);

/*
 * True when the finding at node root of doc (GuardDuty API form) satisfies
 * every term. Never fails: an unreadable value counts as absent.
 */
bool cm_criteria_match(const struct cm_criteria *c, const struct cm_json_doc *finding,
                       uint32_t root);

/*
 * Writes c in the canonical REST form {"criterion": {path: {op: ...}}} with
 * the current (non-deprecated) lowerCamel operator names; compiling the
 * output gives an equivalent object. Errors are sticky in jw.
 */
void cm_criteria_write(const struct cm_criteria *c, struct cm_jw *jw);

/*
 * Wildcard match of the whole of s against pat: '*' matches any run of bytes
 * (also empty), '?' exactly one byte, everything else itself (case-sensitive).
 * Iterative, O(|pat| * |s|) worst case.
 */
bool cm_glob_match(struct cm_str pat, struct cm_str s);

#endif
