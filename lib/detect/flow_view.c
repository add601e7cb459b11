/*
 * The instance's-side view of a flow record (see flow.h).
 */
#include "detect/flow.h"

#include <string.h>

#include "inventory/inventory.h"

bool cm_flow_no_instance(const struct cm_flow *fl)
{
    return (fl->present & (1ULL << CM_FF_INSTANCE_ID)) && !cm_str_present(fl->instance_id);
}

bool cm_flow_forwarded(const struct cm_flow *fl)
{
    if (!cm_flow_no_instance(fl)) {
        return false;
    }
    return (fl->pkt_src.family != CM_IP_NONE && fl->src.family != CM_IP_NONE &&
            !cm_ip_eq(&fl->pkt_src, &fl->src)) ||
           (fl->pkt_dst.family != CM_IP_NONE && fl->dst.family != CM_IP_NONE &&
            !cm_ip_eq(&fl->pkt_dst, &fl->dst));
}

/* 1: only fl's source is internal (cm_ip_is_internal), -1: only its destination, 0: neither. */
static int internal_side(const struct cm_flow *fl)
{
    bool s = cm_ip_is_internal(&fl->src), d = cm_ip_is_internal(&fl->dst);

    return s == d ? 0 : (s ? 1 : -1);
}

bool cm_flow_view(const struct cm_event *ev, const struct cm_flow_local *local,
                  const struct cm_inventory *inv, struct cm_flow_view *v)
{
    const struct cm_flow *fl;
    bool src_local, noted;
    int32_t sp, dp;
    int in, side;

    memset(v, 0, sizeof(*v));
    if (ev->kind != CM_EV_FLOW) {
        return false;
    }
    fl = &ev->u.flow;
    if (fl->status != CM_FS_OK || fl->src.family == CM_IP_NONE || fl->dst.family == CM_IP_NONE ||
        cm_flow_forwarded(fl) || cm_flow_local_forwards(local, ev)) {
        return false;
    }
    /* What the learner found when it noted ev (the engine notes each record once, before
     * its detectors view it): the classes and the learned side, not worked out again. */
    noted = local != NULL && local->ev == ev;
    if (fl->direction == CM_FD_INGRESS) {
        src_local = false;
    } else if (fl->direction == CM_FD_EGRESS) {
        src_local = true;
    } else if ((in = noted ? local->internal : internal_side(fl)) != 0) {
        src_local = in > 0;
    } else if (cm_flow_local_maybe(fl) &&
               ((inv != NULL &&
                 (side = cm_inventory_eni_side(inv, fl->interface_id, &fl->src, &fl->dst)) != 0) ||
                (side = noted ? local->side : cm_flow_local_side(local, fl)) != 0)) {
        /* one of the interface's addresses as the inventory has them, else as learned */
        src_local = side > 0;
    } else {
        src_local = true;
    }
    sp = fl->srcport, dp = fl->dstport;
    v->fl = fl;
    v->local_first = src_local;
    v->local = src_local ? &fl->src : &fl->dst;
    v->remote = src_local ? &fl->dst : &fl->src;
    v->local_port = src_local ? sp : dp;
    v->remote_port = src_local ? dp : sp;
    /* The responder answers from the lower (service) port to the initiator's ephemeral one. */
    v->reply = sp >= 0 && dp >= 0 && sp < dp && dp >= 1024;
    v->outbound = v->reply ? !src_local : src_local;
    v->resource = cm_str_present(fl->instance_id) && fl->instance_id.len > 0 ? fl->instance_id
                                                                             : fl->interface_id;
    return true;
}

#define TRACE_PORT_MIN 33434
#define TRACE_PORT_MAX 33534
#define TRACE_PACKETS  3 /* a probe is one datagram; a record of more is a conversation */

bool cm_flow_traceroute(const struct cm_flow_view *v)
{
    return v->fl != NULL && v->fl->protocol == 17 && v->fl->packets <= TRACE_PACKETS &&
           v->remote_port >= TRACE_PORT_MIN && v->remote_port <= TRACE_PORT_MAX;
}

void cm_flow_detection(struct cm_detection *d, const struct cm_event *ev,
                       const struct cm_flow_view *v, const char *type)
{
    cm_detection_init(d, ev, type);
    d->resource_type = CM_RES_INSTANCE;
    d->resource_id = v->resource;
    d->direction = v->outbound ? CM_DDIR_OUTBOUND : CM_DDIR_INBOUND;
}
