/*
 * Canaries in coalmine.yaml (canary.h, cm_canary_reconcile; docs/canaries.md "In
 * coalmine.yaml"): the file's canaries.checks, already checked for their names, kinds and
 * schedules by the loader (src/core/config_checks.c), get their params checked against
 * their kind here, where the kinds are known, with the file's line and column in the
 * message; then the store is made to match the file in one transaction.
 */
#include "canary/canary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/config.h"

int cm_canary_reconcile(struct cm_store *st, const struct cm_config_canaries *cc, const char *file,
                        struct cm_store_reconciled *out, char *err, size_t errlen)
{
    struct cm_store_canary *v = NULL;
    struct cm_buf *canon = NULL;
    size_t n = cc->nchecks;
    int rc = CM_OK;

    err[0] = '\0';
    if (n > 0 &&
        ((v = calloc(n, sizeof(*v))) == NULL || (canon = calloc(n, sizeof(*canon))) == NULL)) {
        free(v);
        snprintf(err, errlen, "reconciling the canaries: %s", cm_strerror(CM_ENOMEM));
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        cm_buf_init(&canon[i], 0);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct cm_config_check *c = &cc->checks[i];
        const struct cm_canary_kind *k = cm_canary_kind(c->kind);
        char why[256] = "";

        if (k == NULL) {
            snprintf(err, errlen, "%s:%d: canaries.checks[%zu].kind: unknown check \"%s\"",
                     file ? file : "coalmine.yaml", c->line, i, c->kind);
            rc = CM_EINVAL;
            break;
        }
        rc = cm_canary_params_check(k, c->params, strlen(c->params), &canon[i], why, sizeof(why));
        if (rc == 0) {
            rc = cm_buf_putc(&canon[i], '\0');
        }
        if (rc == CM_EINVAL) {
            snprintf(err, errlen, "%s:%d:%d: canaries.checks[%zu].params: %s",
                     file ? file : "coalmine.yaml", c->params_line, c->params_col, i, why);
        }
        v[i].name = c->name;
        v[i].kind = k->name;
        v[i].schedule = c->schedule;
        v[i].params = canon[i].p;
        v[i].enabled = c->enabled;
        v[i].every_fail = !c->on_change;
    }
    if (rc == 0) {
        rc = cm_store_canaries_reconcile(st, v, n, out, err, errlen);
    } else if (err[0] == '\0') {
        snprintf(err, errlen, "reconciling the canaries: %s", cm_strerror(rc));
    }
    for (size_t i = 0; i < n; i++) {
        cm_buf_finish(&canon[i]);
    }
    free(canon);
    free(v);
    return rc;
}
