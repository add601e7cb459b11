/*
 * The instance's-side view of a flow record (see flow.h).
 */
#include "detect/flow.h"

#include <string.h>

#include "inventory/inventory.h"

bool cm_flow_forwarded(const struct cm_flow *fl)
{
    if (!(fl->present & (1ULL << CM_FF_INSTANCE_ID)) || cm_str_present(fl->instance_id)) {
        return false;
    }
    return (fl->pkt_src.family != CM_IP_NONE && fl->src.family != CM_IP_NONE &&
            !cm_ip_eq(&fl->pkt_src, &fl->src)) ||
           (fl->pkt_dst.family != CM_IP_NONE && fl->dst.family != CM_IP_NONE &&
            !cm_ip_eq(&fl->pkt_dst, &fl->dst));
}

bool cm_flow_view(const struct cm_event *ev, const struct cm_state *local,
                  const struct cm_inventory *inv, struct cm_flow_view *v)
{
    const struct cm_flow *fl;
    bool src_in, dst_in, src_local;
    int32_t sp, dp;
    int side;

    memset(v, 0, sizeof(*v));
    if (ev->kind != CM_EV_FLOW) {
        return false;
    }
    fl = &ev->u.flow;
    if (fl->status != CM_FS_OK || fl->src.family == CM_IP_NONE || fl->dst.family == CM_IP_NONE ||
        cm_flow_forwarded(fl)) {
        return false;
    }
    src_in = cm_ip_is_internal(&fl->src);
    dst_in = cm_ip_is_internal(&fl->dst);
    if (fl->direction == CM_FD_INGRESS) {
        src_local = false;
    } else if (fl->direction == CM_FD_EGRESS) {
        src_local = true;
    } else if (src_in != dst_in) {
        src_local = src_in;
    } else if (cm_flow_local_maybe(fl) &&
               ((inv != NULL &&
                 (side = cm_inventory_eni_side(inv, fl->interface_id, &fl->src, &fl->dst)) != 0) ||
                (side = cm_flow_local_side(local, fl)) != 0)) {
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
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->account = ev->account;
    d->region = ev->region;
    d->time_ms = d->first_ms = ev->time_ms;
    d->count = 1;
    d->event = ev;
    d->resource_type = CM_RES_INSTANCE;
    d->resource_id = v->resource;
    d->direction = v->outbound ? CM_DDIR_OUTBOUND : CM_DDIR_INBOUND;
}
