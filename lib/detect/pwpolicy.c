/*
 * IAM account password policies (ct.h, "pwpolicy.c"): reading the
 * requestParameters of UpdateAccountPasswordPolicy, scoring how much weaker
 * one policy is than another, and writing a policy as GuardDuty's JSON.
 * docs/detectors/cloudtrail.md (Stealth:IAMUser/PasswordPolicyChange) has
 * the scoring table.
 *
 * Reading. A const table maps each member to its field, its IAM default and
 * its accepted range; each member is looked up by its logged camelCase name
 * and then by the PascalCase API name (some tools log those). A value may be
 * a JSON number or boolean, or the string form of either ("14", "true");
 * null counts as left out. Flags also take 0 and 1. Integers must be whole
 * and in range: minimumPasswordLength 6-128, maxPasswordAge 0-1095 (0: no
 * expiry), passwordReusePrevention 0-24. A member with any other value keeps
 * its default and the call returns CM_EINVAL after reading the rest.
 *
 * Scoring. w = weak(old, new) counts the table's points; s = weak(new, old)
 * is the same count the other way round, i.e. how much new strengthens old.
 * cm_pwpolicy_weakening() returns w when new is weaker in total (w > s),
 * else 0: a policy whose gains at least match its losses is "stronger or
 * equal" and not a finding.
 *
 * Pure: no I/O, no allocation, no state.
 */
#include "detect/ct.h"

#include <stddef.h>
#include <string.h>

#include "base/err.h"

#define LEN_POINTS_MAX 4  /* minimum length: at most this many points */
#define STRVAL_MAX     32 /* longest string form of a value we unescape ("true", "14") */

enum kind { K_INT, K_BOOL };

struct member {
    const char *camel;  /* as CloudTrail logs it */
    const char *pascal; /* as the IAM API names it */
    enum kind kind;
    size_t off;  /* field of struct cm_pwpolicy */
    int32_t def; /* IAM's value when the request leaves it out */
    int32_t min; /* accepted range (K_INT) */
    int32_t max;
};

#define FIELD(f) offsetof(struct cm_pwpolicy, f)

static const struct member members[] = {
    {"minimumPasswordLength", "MinimumPasswordLength", K_INT, FIELD(min_length), 6, 6, 128},
    {"requireSymbols", "RequireSymbols", K_BOOL, FIELD(symbols), 0, 0, 1},
    {"requireNumbers", "RequireNumbers", K_BOOL, FIELD(numbers), 0, 0, 1},
    {"requireUppercaseCharacters", "RequireUppercaseCharacters", K_BOOL, FIELD(upper), 0, 0, 1},
    {"requireLowercaseCharacters", "RequireLowercaseCharacters", K_BOOL, FIELD(lower), 0, 0, 1},
    {"allowUsersToChangePassword", "AllowUsersToChangePassword", K_BOOL, FIELD(allow_change), 0, 0,
     1},
    {"maxPasswordAge", "MaxPasswordAge", K_INT, FIELD(max_age), 0, 0, 1095},
    {"passwordReusePrevention", "PasswordReusePrevention", K_INT, FIELD(reuse), 0, 0, 24},
    {"hardExpiry", "HardExpiry", K_BOOL, FIELD(hard_expiry), 0, 0, 1},
};

#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

static int32_t *int_field(struct cm_pwpolicy *p, const struct member *m)
{
    return (int32_t *)(void *)((char *)p + m->off);
}

static bool *bool_field(struct cm_pwpolicy *p, const struct member *m)
{
    return (bool *)(void *)((char *)p + m->off);
}

void cm_pwpolicy_none(struct cm_pwpolicy *p)
{
    if (p == NULL) {
        return;
    }
    memset(p, 0, sizeof(*p));
    p->min_length = 8;
}

/* All members at their IAM default (what an update that names none sets). */
static void defaults(struct cm_pwpolicy *p)
{
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < N_MEMBERS; i++) {
        if (members[i].kind == K_INT) {
            *int_field(p, &members[i]) = members[i].def;
        } else {
            *bool_field(p, &members[i]) = members[i].def != 0;
        }
    }
}

/*
 * The text of string node i, unescaped into buf (at most STRVAL_MAX bytes);
 * a longer string gives CM_STR_NULL (no valid value is that long).
 */
static struct cm_str str_value(const struct cm_json_doc *d, uint32_t i, char *buf)
{
    struct cm_str raw = cm_json_raw(d, i);
    size_t n;

    if (!(cm_json_at(d, i)->tag & CM_JSON_F_ESCAPED)) {
        return raw;
    }
    if (raw.len > STRVAL_MAX) {
        return CM_STR_NULL;
    }
    n = cm_json_unescape(raw.p, raw.len, buf);
    return cm_str_make(buf, n);
}

/* A whole number from number node i (14, -3, 14.0, 1.4e1). */
static int number_value(const struct cm_json_doc *d, uint32_t i, int64_t *out)
{
    double f;
    int rc = cm_json_i64(d, i, out);

    if (rc != CM_EINVAL || (cm_json_at(d, i)->tag & CM_JSON_F_INTEGER)) {
        return rc;
    }
    /* A fraction or exponent: accept it when it denotes a whole number in range. */
    if (cm_json_f64(d, i, &f) != 0 || !(f >= -2147483648.0 && f <= 2147483647.0) ||
        f != (double)(int64_t)f) {
        return CM_EINVAL;
    }
    *out = (int64_t)f;
    return 0;
}

/* Integer member value node v into *out when whole and in [m->min, m->max]. */
static int read_int(const struct cm_json_doc *d, uint32_t v, const struct member *m, int32_t *out)
{
    char buf[STRVAL_MAX];
    long long ll;
    int64_t n;

    switch (cm_json_type(d, v)) {
    case CM_JSON_NUMBER:
        if (number_value(d, v, &n) != 0) {
            return CM_EINVAL;
        }
        break;
    case CM_JSON_STRING:
        if (cm_str_to_i64(str_value(d, v, buf), INT32_MIN, INT32_MAX, &ll) != 0) {
            return CM_EINVAL;
        }
        n = ll;
        break;
    default:
        return CM_EINVAL;
    }
    if (n < m->min || n > m->max) {
        return CM_EINVAL;
    }
    *out = (int32_t)n;
    return 0;
}

/* Flag member value node v into *out. */
static int read_bool(const struct cm_json_doc *d, uint32_t v, bool *out)
{
    char buf[STRVAL_MAX];
    struct cm_str s;
    int64_t n;

    switch (cm_json_type(d, v)) {
    case CM_JSON_TRUE:
        *out = true;
        return 0;
    case CM_JSON_FALSE:
        *out = false;
        return 0;
    case CM_JSON_NUMBER:
        if (number_value(d, v, &n) != 0 || (n != 0 && n != 1)) {
            return CM_EINVAL;
        }
        *out = n == 1;
        return 0;
    case CM_JSON_STRING:
        s = str_value(d, v, buf);
        if (cm_str_ieq(s, cm_str_cstr("true")) || cm_str_eqc(s, "1")) {
            *out = true;
            return 0;
        }
        if (cm_str_ieq(s, cm_str_cstr("false")) || cm_str_eqc(s, "0")) {
            *out = false;
            return 0;
        }
        return CM_EINVAL;
    default:
        return CM_EINVAL;
    }
}

int cm_pwpolicy_from_request(const struct cm_json_doc *d, uint32_t rp, struct cm_pwpolicy *p)
{
    int rc = 0;

    if (p == NULL) {
        return CM_EINVAL;
    }
    defaults(p);
    if (rp == CM_JSON_NONE) {
        return 0;
    }
    if (d == NULL || rp >= d->n) {
        return CM_EINVAL;
    }
    if (cm_json_type(d, rp) == CM_JSON_NULL) {
        return 0; /* "requestParameters": null: nothing named, all defaults */
    }
    if (cm_json_type(d, rp) != CM_JSON_OBJECT) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < N_MEMBERS; i++) {
        const struct member *m = &members[i];
        uint32_t v = cm_json_get(d, rp, m->camel);
        int r;

        if (v == CM_JSON_NONE) {
            v = cm_json_get(d, rp, m->pascal);
        }
        if (v == CM_JSON_NONE || cm_json_type(d, v) == CM_JSON_NULL) {
            continue;
        }
        r = m->kind == K_INT ? read_int(d, v, m, int_field(p, m))
                             : read_bool(d, v, bool_field(p, m));
        if (r != 0) {
            rc = r; /* the field kept its default; read the rest */
        }
    }
    return rc;
}

/* The table's points for the settings that went down from a to b. */
static int64_t weak(const struct cm_pwpolicy *a, const struct cm_pwpolicy *b)
{
    int64_t pts = 0, lost = (int64_t)a->min_length - b->min_length;

    if (lost > 0) {
        pts += lost < LEN_POINTS_MAX ? lost : LEN_POINTS_MAX;
    }
    pts += a->symbols && !b->symbols;
    pts += a->numbers && !b->numbers;
    pts += a->upper && !b->upper;
    pts += a->lower && !b->lower;
    if (b->reuse < a->reuse) {
        pts += b->reuse <= 0 ? 2 : 1;
    }
    /* 0 is "never expires": from any age to 0 is removal; from 0 nothing is raised. */
    if (a->max_age > 0 && (b->max_age <= 0 || b->max_age > a->max_age)) {
        pts += 1;
    }
    return pts;
}

int cm_pwpolicy_weakening(const struct cm_pwpolicy *old, const struct cm_pwpolicy *new_)
{
    int64_t w, s;

    if (old == NULL || new_ == NULL) {
        return 0;
    }
    w = weak(old, new_);
    s = weak(new_, old);
    return w > s ? (int)w : 0;
}

double cm_pwpolicy_severity(int points)
{
    if (points <= 0) {
        return 0.0;
    }
    if (points <= 2) {
        return 2.0;
    }
    return points <= 5 ? 5.0 : 8.0;
}

void cm_pwpolicy_json(const struct cm_pwpolicy *p, struct cm_jw *jw)
{
    if (jw == NULL) {
        return;
    }
    cm_jw_obj_begin(jw);
    if (p != NULL) {
        cm_jw_key(jw, "minimumPasswordLength");
        cm_jw_i64(jw, p->min_length);
        cm_jw_key(jw, "requireSymbols");
        cm_jw_bool(jw, p->symbols);
        cm_jw_key(jw, "requireNumbers");
        cm_jw_bool(jw, p->numbers);
        cm_jw_key(jw, "requireUppercaseCharacters");
        cm_jw_bool(jw, p->upper);
        cm_jw_key(jw, "requireLowercaseCharacters");
        cm_jw_bool(jw, p->lower);
        cm_jw_key(jw, "allowUsersToChangePassword");
        cm_jw_bool(jw, p->allow_change);
        cm_jw_key(jw, "maxPasswordAge");
        cm_jw_i64(jw, p->max_age);
        cm_jw_key(jw, "passwordReusePrevention");
        cm_jw_i64(jw, p->reuse);
        cm_jw_key(jw, "hardExpiry");
        cm_jw_bool(jw, p->hard_expiry);
    }
    cm_jw_obj_end(jw);
}
