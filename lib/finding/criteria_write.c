/*
 * Writing compiled finding criteria back as JSON, in the canonical REST form
 * {"criterion": {path: {op: value}}} with current lowerCamel operator names
 * (the deprecated eq/neq/gt/gte/lt/lte come out as equals/notEquals/...).
 * The terms of one input condition object are written as one condition, in
 * input order; a path given twice (duplicate keys) stays two conditions, and
 * two list operators of one kind in one condition (equals and eq) stay two
 * members, so recompiling gives the same terms and the same meaning. Those
 * members get distinct names, each a name the compiler reads as that
 * operator (equals, then eq, Equals, Eq): a JSON reader keeps one member of
 * a name given twice, and would drop the other condition.
 */
#include "finding/criteria.h"

#include <math.h>
#include <string.h>

#include "finding/criteria_impl.h"

/*
 * The names of a list operator, for its first, second, ... member in one
 * condition: the current name, then the deprecated one, then the CLI
 * casings (all of them read back as the same operator). NULL ends a list.
 */
#define OP_NAMES 4
#define OP_KINDS (CM_CRIT_NOTMATCH + 1)

static const char *const op_json[OP_KINDS][OP_NAMES] = {
    [CM_CRIT_EQ] = {"equals", "eq", "Equals", "Eq"},
    [CM_CRIT_NEQ] = {"notEquals", "neq", "NotEquals", "Neq"},
    [CM_CRIT_MATCH] = {"matches", "Matches", NULL, NULL},
    [CM_CRIT_NOTMATCH] = {"notMatches", "NotMatches", NULL, NULL},
};

static void write_num(struct cm_jw *jw, const char *key, double v)
{
    cm_jw_key(jw, key);
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        cm_jw_i64(jw, (int64_t)v);
    } else {
        cm_jw_f64(jw, v);
    }
}

/*
 * Writes term t; seen[op] counts the members of its kind already written in
 * its condition. Past the distinct names (only a condition whose input
 * repeated a member name has that many), the first name is written again.
 */
static void write_term(struct cm_jw *jw, const struct crit_term *t, unsigned seen[OP_KINDS])
{
    const char *const *names;
    unsigned nth;

    if (crit_op_is_range(t->op)) {
        if (t->r.has_lo) {
            write_num(jw, t->r.lo_incl ? "greaterThanOrEqual" : "greaterThan", t->r.lo);
        }
        if (t->r.has_hi) {
            write_num(jw, t->r.hi_incl ? "lessThanOrEqual" : "lessThan", t->r.hi);
        }
        return;
    }
    names = op_json[t->op];
    nth = seen[t->op]++;
    cm_jw_key(jw, nth < OP_NAMES && names[nth] ? names[nth] : names[0]);
    cm_jw_arr_begin(jw);
    for (uint32_t k = 0; k < t->nvals; k++) {
        cm_jw_strn(jw, t->vals[k].s.p, t->vals[k].s.len);
    }
    cm_jw_arr_end(jw);
}

void cm_criteria_write(const struct cm_criteria *c, struct cm_jw *jw)
{
    uint32_t n = c == NULL ? 0 : c->n;
    unsigned seen[OP_KINDS] = {0};

    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "criterion");
    cm_jw_obj_begin(jw);
    for (uint32_t i = 0; i < n; i++) {
        const struct crit_term *t = &c->terms[i];

        if (i == 0 || c->terms[i - 1].cond != t->cond) {
            if (i > 0) {
                cm_jw_obj_end(jw);
            }
            cm_jw_key(jw, t->field->path);
            cm_jw_obj_begin(jw);
            memset(seen, 0, sizeof(seen));
        }
        write_term(jw, t, seen);
    }
    if (n > 0) {
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
    cm_jw_obj_end(jw);
}
