/*
 * /metrics of `coalmine serve` (api_metrics.h). Families and label sets come
 * out in a fixed order; label values are escaped as the text format says.
 */
#include "api/api_metrics.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/prom.h"
#include "finding/finding.h"
#include "pubdest/pubdest_metrics.h"
#include "store/store.h"

void cm_api_count(struct cm_api_counts *c, const char *op, int code)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].code == code && strcmp(c->v[i].op, op) == 0) {
            c->v[i].n++;
            return;
        }
    }
    if (c->n == CM_API_METRICS_MAX) {
        c->overflow++;
        return;
    }
    c->v[c->n++] = (struct cm_api_count){op, code, 1};
}

/* name{l1="v1"[,l2="v2"]} n */
static int sample(struct cm_buf *b, const char *name, const char *l1, const char *v1,
                  const char *l2, const char *v2, int64_t n)
{
    struct cm_prom_label l[2];
    size_t nl = 0;

    if (l1 != NULL) {
        l[nl++] = cm_prom_label(l1, v1);
        if (l2 != NULL) {
            l[nl++] = cm_prom_label(l2, v2);
        }
    }
    return cm_prom_sample_i64(b, name, l, nl, n);
}

/* The findings by (type, severity label), summed over the severities of a label. */
struct by_type {
    struct cm_buf *b;
    char type[256];
    const char *label;
    int64_t n;
    int rc;
};

static int flush(struct by_type *t)
{
    if (t->n > 0 && t->rc == 0) {
        t->rc = sample(t->b, "coalmine_store_findings_by_type", "severity", t->label, "type",
                       t->type, t->n);
    }
    t->n = 0;
    return t->rc;
}

static int on_type(void *ud, const char *type, double severity, int64_t n)
{
    struct by_type *t = ud;
    const char *label = cm_severity_label(severity);

    if (strcmp(t->type, type) != 0 || t->label != label) {
        if (flush(t) != 0) {
            return t->rc;
        }
        snprintf(t->type, sizeof(t->type), "%s", type);
        t->label = label;
    }
    t->n += n;
    return 0;
}

static int store_families(struct cm_buf *b, struct cm_store *store, bool *up)
{
    struct cm_store_gauges g;
    struct cm_buf types;
    struct by_type t = {.b = &types};
    char err[256];
    int rc;

    cm_buf_init(&types, 0);
    *up = store != NULL && cm_store_gauges(store, &g, on_type, &t, err, sizeof(err)) == 0 &&
          flush(&t) == 0;
    if (!*up) {
        cm_buf_finish(&types);
        return t.rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    rc = cm_prom_family(b, "coalmine_store_findings_by_type", "gauge",
                        "current (not archived) findings in the store by severity and type");
    rc = rc ? rc : cm_buf_append(b, types.p ? types.p : "", types.len);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_store_archived_findings", "gauge", "archived findings");
    rc =
        rc ? rc : sample(b, "coalmine_store_archived_findings", NULL, NULL, NULL, NULL, g.archived);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_store_outbox", "gauge",
                             "published findings not yet delivered (pending) and updates held for "
                             "the publishing frequency (held)");
    rc = rc ? rc : sample(b, "coalmine_store_outbox", "state", "held", NULL, NULL, g.outbox_held);
    rc = rc ? rc
            : sample(b, "coalmine_store_outbox", "state", "pending", NULL, NULL, g.outbox_pending);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_store_deliveries", "gauge",
                             "deliveries of published findings to rule targets by state");
    for (int s = 0; s < 4 && rc == 0; s++) {
        rc = sample(b, "coalmine_store_deliveries", "state",
                    cm_delivery_state_name((enum cm_delivery_state)s), NULL, NULL, g.deliveries[s]);
    }
    cm_buf_finish(&types);
    return rc;
}

int cm_api_metrics_write(struct cm_buf *out, struct cm_store *store, const struct cm_api_counts *c)
{
    bool up = false;
    char code[16];
    int rc = store_families(out, store, &up);

    /* The S3 export's destinations (src/pubdest), when the store has any. */
    if (rc == 0 && up && cm_pubdest_metrics_write(out, store) == CM_ENOMEM) {
        rc = CM_ENOMEM;
    }

    rc = rc ? rc
            : cm_prom_family(out, "coalmine_api_store_up", "gauge",
                             "1 when the store could be read for this scrape");
    rc = rc ? rc : sample(out, "coalmine_api_store_up", NULL, NULL, NULL, NULL, up ? 1 : 0);
    rc = rc ? rc
            : cm_prom_family(out, "coalmine_api_requests_total", "counter",
                             "API requests answered, by operation and HTTP status code");
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        snprintf(code, sizeof(code), "%d", c->v[i].code);
        rc = sample(out, "coalmine_api_requests_total", "code", code, "operation", c->v[i].op,
                    (int64_t)c->v[i].n);
    }
    rc = rc ? rc
            : cm_prom_family(out, "coalmine_api_requests_in_flight", "gauge",
                             "API requests being answered (this scrape included)");
    rc = rc ? rc
            : sample(out, "coalmine_api_requests_in_flight", NULL, NULL, NULL, NULL, c->in_flight);
    rc = rc ? rc
            : cm_prom_family(out, "coalmine_api_start_timestamp_seconds", "gauge",
                             "when the server started (Unix time)");
    rc = rc ? rc
            : cm_buf_printf(out, "coalmine_api_start_timestamp_seconds %.3f\n",
                            (double)c->started_ms / 1000.0);
    return rc ? CM_ENOMEM : 0;
}
