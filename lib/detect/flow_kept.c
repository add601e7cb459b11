/*
 * A flow record kept for a report made later (flow_kept.h): the typed fields
 * a finding takes, packed into one fixed-size value of a detector's state
 * table, and the event rebuilt from them. No I/O, no allocation.
 */
#include "detect/flow_kept.h"

#include <stddef.h>
#include <string.h>

#include "detect/ckpt.h"

/* The strings of ev kept, in enum cm_flow_kept_field's order. */
static void fields(const struct cm_event *ev, struct cm_str *f)
{
    const struct cm_flow *fl = &ev->u.flow;

    f[KF_ACCOUNT] = ev->account;
    f[KF_REGION] = ev->region;
    f[KF_INTERFACE] = fl->interface_id;
    f[KF_INSTANCE] = fl->instance_id;
    f[KF_SUBNET] = fl->subnet_id;
    f[KF_VPC] = fl->vpc_id;
}

/* The field the finding's resource is (cm_flow_view): the instance id, else the ENI. */
static int resource_field(const struct cm_str *f)
{
    return cm_str_present(f[KF_INSTANCE]) && f[KF_INSTANCE].len > 0 ? KF_INSTANCE : KF_INTERFACE;
}

bool cm_flow_kept_set(struct cm_flow_kept *k, const struct cm_event *ev, struct cm_str resource)
{
    const struct cm_flow *fl = &ev->u.flow;
    struct cm_str f[KF_COUNT];
    size_t n = 0;

    fields(ev, f);
    if (resource.len == 0 || resource.len > KF_FIELD_MAX ||
        !cm_str_eq(f[resource_field(f)], resource)) {
        k->time_ms = INT64_MIN;
        return false;
    }
    for (int i = 0; i < KF_COUNT; i++) {
        size_t len = cm_str_present(f[i]) && f[i].len <= KF_FIELD_MAX ? f[i].len : 0;

        if (len > 0) {
            memcpy(k->text + n, f[i].p, len);
        }
        k->len[i] = (uint8_t)len;
        n += len;
    }
    k->time_ms = ev->time_ms;
    k->key = cm_event_key(ev);
    k->src = ev->src;
    k->src_ip = fl->src;
    k->dst_ip = fl->dst;
    k->srcport = fl->srcport;
    k->dstport = fl->dstport;
    k->protocol = fl->protocol;
    k->action = (uint8_t)fl->action;
    k->direction = (uint8_t)fl->direction;
    return true;
}

bool cm_flow_kept_event(const struct cm_flow_kept *k, struct cm_event *ev, struct cm_str *resource)
{
    struct cm_flow *fl = &ev->u.flow;
    struct cm_str f[KF_COUNT];
    size_t n = 0;

    if (k->time_ms == INT64_MIN) {
        return false;
    }
    for (int i = 0; i < KF_COUNT; i++) {
        f[i] = k->len[i] > 0 ? cm_str_make(k->text + n, k->len[i]) : CM_STR_NULL;
        n += k->len[i];
    }
    memset(ev, 0, sizeof(*ev));
    ev->kind = CM_EV_FLOW;
    ev->time_ms = k->time_ms;
    ev->account = f[KF_ACCOUNT];
    ev->region = f[KF_REGION];
    ev->src = k->src;
    fl->version = 2;
    fl->account_id = f[KF_ACCOUNT];
    fl->interface_id = f[KF_INTERFACE];
    fl->instance_id = f[KF_INSTANCE];
    fl->subnet_id = f[KF_SUBNET];
    fl->vpc_id = f[KF_VPC];
    fl->src = k->src_ip;
    fl->dst = k->dst_ip;
    fl->srcport = k->srcport;
    fl->dstport = k->dstport;
    fl->protocol = k->protocol;
    fl->tcp_flags = -1;
    fl->traffic_path = -1;
    fl->action = (enum cm_flow_action)k->action;
    fl->direction = (enum cm_flow_dir)k->direction;
    *resource = f[resource_field(f)];
    return true;
}

bool cm_flow_kept_valid(const struct cm_flow_kept *k)
{
    size_t n = 0;

    if (k->time_ms == INT64_MIN) {
        return true;
    }
    if (!cm_ckpt_time_set(k->time_ms) || !cm_ckpt_ip_ok(&k->src_ip) || !cm_ckpt_ip_ok(&k->dst_ip) ||
        k->action > CM_FA_REJECT || k->direction > CM_FD_EGRESS) {
        return false;
    }
    for (int i = 0; i < KF_COUNT; i++) {
        if (k->len[i] > KF_FIELD_MAX) {
            return false;
        }
        n += k->len[i];
    }
    /* The resource (the instance id, else the ENI) is always kept. */
    return n <= KF_TEXT && (k->len[KF_INSTANCE] > 0 || k->len[KF_INTERFACE] > 0);
}

void cm_flow_kept_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct cm_flow_kept *k = val;

    if (k->time_ms != INT64_MIN) {
        fn(fud, &k->src);
    }
}
