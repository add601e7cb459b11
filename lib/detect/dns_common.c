/*
 * What the DNS detectors share (dns.h): the instance test, the detection
 * skeleton (cm_dns_model is in dga.c, beside the built-in model).
 */
#include "detect/dns.h"

#include <string.h>

bool cm_dns_from_instance(const struct cm_event *ev, struct cm_domain *d)
{
    const struct cm_dns *q;

    if (ev->kind != CM_EV_DNS) {
        return false;
    }
    q = &ev->u.dns;
    if (!cm_str_present(q->srcid_instance) || q->srcid_instance.len == 0 ||
        !cm_str_present(q->query_name)) {
        return false;
    }
    if (!q->qname_ok) {
        return false;
    }
    *d = q->qname; /* split once, by the parser */
    return true;
}

void cm_dns_detection(struct cm_detection *d, const struct cm_event *ev, const char *type)
{
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->account = ev->account;
    d->region = ev->region;
    d->time_ms = d->first_ms = ev->time_ms;
    d->count = 1;
    d->event = ev;
    d->resource_type = CM_RES_INSTANCE;
    d->resource_id = ev->u.dns.srcid_instance;
    d->direction = CM_DDIR_OUTBOUND;
}
