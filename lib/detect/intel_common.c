/*
 * What the three intel detectors share: naming the lists behind a match in a
 * detection, and the trusted-list test the findings sink applies to every
 * detection (spec §4.3).
 */
#include "detect/intel.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

uint32_t cm_intel_detection_lists(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                                  enum cm_intel_category c, struct cm_detection *d)
{
    uint32_t added = 0;

    for (size_t i = 0; i < m->nids && d->nintel < CM_DETECTION_MAX_INTEL; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);
        const struct cm_intel_list *l;
        bool dup = false;

        if (ind == NULL || ind->category != c ||
            (l = cm_intel_snapshot_list(s, ind->list)) == NULL) {
            continue;
        }
        for (uint32_t j = 0; j < d->nintel; j++) {
            dup = dup || (cm_str_eq(d->intel[j].list_name, l->name) &&
                          cm_str_eq(d->intel[j].threat_name, ind->threat_name));
        }
        if (dup) {
            continue;
        }
        d->intel[d->nintel].list_name = l->name;
        d->intel[d->nintel].threat_name = ind->threat_name;
        d->nintel++;
        added++;
    }
    return added;
}

static bool ip_trusted(const struct cm_intel_snapshot *s, const struct cm_ip *ip)
{
    return ip->family != CM_IP_NONE && cm_intel_check_ip(s, ip, NULL) == CM_INTEL_TRUSTED;
}

bool cm_detect_trusted(const struct cm_intel_snapshot *s, const struct cm_detection *d)
{
    const struct cm_event *ev = d ? d->event : NULL;

    if (s == NULL || ev == NULL) {
        return false;
    }
    switch (ev->kind) {
    case CM_EV_CLOUDTRAIL:
        return ip_trusted(s, &ev->u.ct.source_ip);
    case CM_EV_FLOW:
        return ip_trusted(s, &ev->u.flow.src) || ip_trusted(s, &ev->u.flow.dst);
    case CM_EV_DNS:
        return cm_intel_check_domain(s, ev->u.dns.query_name, NULL) == CM_INTEL_TRUSTED;
    case CM_EV_NONE:
        break;
    }
    return false;
}

int cm_intel_det_init(void **state, const struct cm_detect_opts *opts)
{
    struct cm_intel_det_state *st = cm_calloc(1, sizeof(*st));

    if (st == NULL) {
        return CM_ENOMEM;
    }
    st->cfg = opts->config;
    *state = st;
    return 0;
}

void cm_intel_det_finish(void *state)
{
    cm_free(state);
}
