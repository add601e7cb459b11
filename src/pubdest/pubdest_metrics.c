/*
 * The publishing destinations' metrics (pubdest_metrics.h).
 */
#include "pubdest/pubdest_metrics.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/prom.h"
#include "store/store_pubdest.h"

static const char *const statuses[] = {CM_PUBDEST_PENDING, CM_PUBDEST_OK, CM_PUBDEST_UNABLE,
                                       CM_PUBDEST_STOPPED};

/* Which family a pass over the destinations writes the samples of. */
struct pass {
    struct cm_buf *b;
    struct cm_store *st;
    int which;
};

static int one(void *ud, const struct cm_store_pubdest *d)
{
    struct pass *p = ud;
    struct cm_prom_label l[2] = {cm_prom_label("destination", d->id), cm_prom_label("", "")};
    char v[32];
    int rc = 0;

    switch (p->which) {
    case 0:
        for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]) && rc == 0; i++) {
            l[1] = cm_prom_label("status", statuses[i]);
            rc = cm_prom_sample_i64(p->b, "coalmine_publishing_destination_status", l, 2,
                                    strcmp(d->status, statuses[i]) == 0);
        }
        return rc;
    case 1:
        snprintf(v, sizeof(v), "%.3f", (double)d->failure_ms / 1000.0);
        return cm_prom_sample(p->b, "coalmine_publishing_destination_failing_since_seconds", l, 1,
                              v);
    case 2:
        return cm_prom_sample_i64(p->b, "coalmine_publishing_destination_exported_findings_total",
                                  l, 1, d->exported);
    case 3:
        return cm_prom_sample_i64(p->b, "coalmine_publishing_destination_objects_total", l, 1,
                                  d->objects);
    default: {
        int64_t owed = cm_store_pubdest_owed_count(p->st, d->seq);
        if (owed < 0) {
            return CM_EIO;
        }
        return cm_prom_sample_i64(p->b, "coalmine_publishing_destination_owed_findings", l, 1,
                                  owed);
    }
    }
}

int cm_pubdest_metrics_write(struct cm_buf *b, struct cm_store *st)
{
    static const struct {
        const char *name, *type, *help;
    } fams[] = {
        {"coalmine_publishing_destination_status", "gauge",
         "1 for the status each publishing destination has"},
        {"coalmine_publishing_destination_failing_since_seconds", "gauge",
         "when exports to the destination started failing (Unix time), 0 while they work"},
        {"coalmine_publishing_destination_exported_findings_total", "counter",
         "findings written to the destination's bucket"},
        {"coalmine_publishing_destination_objects_total", "counter",
         "objects written to the destination's bucket"},
        {"coalmine_publishing_destination_owed_findings", "gauge",
         "findings published but not yet written to the destination (archived ones included)"},
    };
    int64_t n = cm_store_pubdest_count(st);
    int rc = 0;

    if (n < 0) {
        return CM_EIO;
    }
    for (int i = 0; n > 0 && rc == 0 && i < (int)(sizeof(fams) / sizeof(fams[0])); i++) {
        struct pass p = {b, st, i};
        rc = cm_prom_family(b, fams[i].name, fams[i].type, fams[i].help);
        if (rc == 0) {
            rc = cm_store_pubdest_each(st, NULL, NULL, 0, one, &p, NULL);
        }
    }
    return rc;
}
