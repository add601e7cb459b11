/*
 * Writing compiled finding criteria back as JSON, in the canonical REST form
 * {"criterion": {path: {op: value}}} with current lowerCamel operator names
 * (the deprecated eq/neq/gt/gte/lt/lte come out as equals/notEquals/...).
 * The terms of one input condition object are written as one condition, in
 * input order; a path given twice (duplicate keys) stays two conditions, and
 * two list operators of one kind in one condition (equals and eq) stay two
 * members, so recompiling gives the same terms and the same meaning.
 */
#include "finding/criteria.h"

#include <math.h>

#include "finding/criteria_impl.h"

static const char *const op_json[] = {
    [CM_CRIT_EQ] = "equals",      [CM_CRIT_NEQ] = "notEquals",
    [CM_CRIT_GT] = "greaterThan", [CM_CRIT_GTE] = "greaterThanOrEqual",
    [CM_CRIT_LT] = "lessThan",    [CM_CRIT_LTE] = "lessThanOrEqual",
    [CM_CRIT_MATCH] = "matches",  [CM_CRIT_NOTMATCH] = "notMatches",
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

static void write_term(struct cm_jw *jw, const struct crit_term *t)
{
    if (crit_op_is_range(t->op)) {
        if (t->r.has_lo) {
            write_num(jw, t->r.lo_incl ? "greaterThanOrEqual" : "greaterThan", t->r.lo);
        }
        if (t->r.has_hi) {
            write_num(jw, t->r.hi_incl ? "lessThanOrEqual" : "lessThan", t->r.hi);
        }
        return;
    }
    cm_jw_key(jw, op_json[t->op]);
    cm_jw_arr_begin(jw);
    for (uint32_t k = 0; k < t->nvals; k++) {
        cm_jw_strn(jw, t->vals[k].s.p, t->vals[k].s.len);
    }
    cm_jw_arr_end(jw);
}

void cm_criteria_write(const struct cm_criteria *c, struct cm_jw *jw)
{
    uint32_t n = c == NULL ? 0 : c->n;

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
        }
        write_term(jw, t);
    }
    if (n > 0) {
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
    cm_jw_obj_end(jw);
}
