/*
 * A warning for a criterion on "type" that names no finding type: GuardDuty
 * takes any string there, so `findings list --type Recon:EC2/PortScan` or an
 * ARCHIVE filter with a misspelt type is valid and silently matches nothing.
 * The CLI says so on stderr (and the type meant, when only the case differs);
 * the exit status is not changed (see findings_cli.h).
 */
#include "cli/findings_cli.h"

#include <string.h>

#define MAX_TYPE 256 /* longer than any finding type: unknown */

static void hint(const char *cmd, enum cm_crit_op op, struct cm_str v)
{
    const struct cm_finding_type_info *like;
    char name[MAX_TYPE];
    int shown = v.len > 120 ? 120 : (int)v.len;

    if (v.len < sizeof(name)) {
        memcpy(name, v.p, v.len);
        name[v.len] = '\0';
        if (cm_finding_type_info(name) != NULL) {
            return;
        }
    }
    like = cm_finding_type_like(v);
    fprintf(stderr, "coalmine %s: warning: type \"%.*s\" is not a finding type", cmd, shown, v.p);
    if (like != NULL) {
        fprintf(stderr, " (did you mean \"%s\"? types are case-sensitive)", like->type);
    } else {
        fprintf(stderr, " (docs/finding-types.md lists them)");
    }
    fprintf(stderr, ": it %s\n", op == CM_CRIT_EQ ? "matches no finding" : "excludes no finding");
}

void cm_cli_type_hints(const char *cmd, const struct cm_criteria *c)
{
    size_t n = c != NULL ? cm_criteria_terms(c) : 0;

    for (size_t i = 0; i < n; i++) {
        struct cm_crit_term_view t;

        if (cm_criteria_term(c, i, &t) != 0 || strcmp(t.path, "type") != 0 ||
            (t.op != CM_CRIT_EQ && t.op != CM_CRIT_NEQ)) {
            continue;
        }
        for (uint32_t j = 0; j < t.nvals; j++) {
            double num;
            bool has_num;

            hint(cmd, t.op, cm_criteria_value(c, i, j, &num, &has_num));
        }
    }
}
