/*
 * The modes of the Custom Detection Rules (ct_custom.h): the settings
 * "[ACCOUNT:]RULE=MODE" of coalmine.yaml's detectors.custom_rules.modes and
 * --custom-rule, and the one that applies to a rule in an account.
 */
#include "detect/ct_custom.h"

#include <string.h>

#include "base/err.h"

static const char *const mode_names[CM_CR_MODE_COUNT] = {"LIVE", "DRY_RUN", "OFF"};

const char *cm_cr_mode_name(enum cm_cr_mode m)
{
    return (unsigned)m < CM_CR_MODE_COUNT ? mode_names[m] : "?";
}

static bool all_digits(struct cm_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return s.len > 0;
}

static int fail(const char **why, const char *reason)
{
    if (why != NULL) {
        *why = reason;
    }
    return CM_EINVAL;
}

int cm_cr_setting_parse(struct cm_str spec, struct cm_cr_setting *out, const char **why)
{
    size_t eq = (size_t)-1, colon = (size_t)-1;
    struct cm_str acct = CM_STR_NULL, rule, mode;
    int m = -1;

    memset(out, 0, sizeof(*out));
    if (!cm_str_present(spec) || spec.len == 0) {
        return fail(why, "empty: expected [ACCOUNT:]RULE=MODE");
    }
    for (size_t i = 0; i < spec.len; i++) {
        if (spec.p[i] == '=' && eq == (size_t)-1) {
            eq = i;
        } else if (spec.p[i] == ':' && colon == (size_t)-1 && eq == (size_t)-1) {
            colon = i;
        } else if ((unsigned char)spec.p[i] < 0x21 || (unsigned char)spec.p[i] > 0x7e) {
            return fail(why, "a space, control or non-ASCII byte: expected [ACCOUNT:]RULE=MODE");
        }
    }
    if (eq == (size_t)-1) {
        return fail(why, "no '=': expected [ACCOUNT:]RULE=MODE");
    }
    if (colon != (size_t)-1) {
        acct = cm_str_make(spec.p, colon);
        rule = cm_str_make(spec.p + colon + 1, eq - colon - 1);
    } else {
        rule = cm_str_make(spec.p, eq);
    }
    mode = cm_str_make(spec.p + eq + 1, spec.len - eq - 1);
    if (cm_str_present(acct) && !cm_str_eqc(acct, "*")) {
        if (acct.len != 12 || !all_digits(acct)) {
            return fail(why, "the account is not 12 digits (or * for every account)");
        }
        memcpy(out->account, acct.p, 12);
    }
    if (rule.len == 0) {
        return fail(why, "no rule name before '='");
    }
    if (cm_str_eqc(rule, "*")) {
        out->rule = CM_CR_ALL_RULES;
    } else {
        int r = cm_cr_find(rule);
        if (r < 0) {
            return fail(why, "no such rule (coalmine scan --help lists the rules)");
        }
        out->rule = (int8_t)r;
    }
    for (int i = 0; i < CM_CR_MODE_COUNT; i++) {
        if (cm_str_ieq(mode, cm_str_cstr(mode_names[i]))) {
            m = i;
        }
    }
    if (m < 0) {
        return fail(why, "the mode is not LIVE, DRY_RUN or OFF");
    }
    out->mode = (uint8_t)m;
    return 0;
}

/* How specific a setting is for (account, rule): -1 when it does not apply. */
static int specificity(const struct cm_cr_setting *s, struct cm_str account, int rule)
{
    bool any_acct = s->account[0] == '\0';
    bool any_rule = s->rule == CM_CR_ALL_RULES;

    if ((!any_acct && !cm_str_eqc(account, s->account)) || (!any_rule && s->rule != rule)) {
        return -1;
    }
    return (any_acct ? 0 : 2) + (any_rule ? 0 : 1);
}

enum cm_cr_mode cm_cr_mode_for(const struct cm_cr_setting *v, size_t n, struct cm_str account,
                               int rule)
{
    enum cm_cr_mode m = CM_CR_LIVE;
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        int sp = specificity(&v[i], account, rule);
        if (sp >= 0 && sp >= best && v[i].mode < CM_CR_MODE_COUNT) {
            best = sp;
            m = (enum cm_cr_mode)v[i].mode;
        }
    }
    return m;
}
