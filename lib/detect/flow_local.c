/*
 * The interface's own IPv6 network, learned from its records (see flow.h):
 * which side of a default-format record is the instance's when both
 * addresses are public.
 *
 * An interface's IPv6 addresses (its own and any delegated prefix) come from
 * its subnet's /64, and every record of the interface has one of them on one
 * side. So the /64 present in every ambiguous record of an interface is its
 * own: the first such record gives two candidate /64s, each later record
 * strikes the candidate it lacks, and once one is left it is the interface's.
 * While both are left (every record so far was with one remote network) the
 * records stay ambiguous. Should a record lack the learned /64 (an interface
 * whose addresses span several /64s of a larger subnet), learning starts over
 * from that record.
 */
#include "detect/flow.h"

#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"

#define NET_LEN 8 /* the /64 */

struct local_net {
    uint8_t net[2][NET_LEN]; /* candidates; net[0] alone once known */
    uint8_t known;           /* 1: net[0] is the interface's network */
    uint8_t pad[7];
};

int cm_flow_local_create(struct cm_state **out, uint64_t seed)
{
    struct cm_state_opts so;

    memset(&so, 0, sizeof(so));
    so.val_size = sizeof(struct local_net);
    so.max_entries = CM_FLOW_LOCAL_MAX;
    so.ttl_ms = CM_FLOW_LOCAL_TTL_MS;
    so.seed = seed;
    return cm_state_create(out, &so);
}

/* A record whose format does not say which side is the interface's and whose addresses do not. */
static bool ambiguous(const struct cm_flow *fl)
{
    return cm_flow_local_maybe(fl) && cm_ip_is_internal(&fl->src) == cm_ip_is_internal(&fl->dst);
}

static bool in_net(const uint8_t *net, const struct cm_ip *ip)
{
    return memcmp(net, ip->a, NET_LEN) == 0;
}

static bool has_net(const struct cm_flow *fl, const uint8_t *net)
{
    return in_net(net, &fl->src) || in_net(net, &fl->dst);
}

static void start(struct local_net *l, const struct cm_flow *fl)
{
    memcpy(l->net[0], fl->src.a, NET_LEN);
    memcpy(l->net[1], fl->dst.a, NET_LEN);
    l->known = 0;
}

int cm_flow_local_learn(struct cm_state *t, const struct cm_event *ev)
{
    const struct cm_flow *fl = &ev->u.flow;
    struct local_net *l;
    bool created, keep0, keep1;

    if (t == NULL || ev->kind != CM_EV_FLOW || !ambiguous(fl) ||
        !cm_str_present(fl->interface_id) || fl->interface_id.len == 0 ||
        memcmp(fl->src.a, fl->dst.a, NET_LEN) == 0) {
        return CM_OK; /* nothing to learn: one network on both sides says nothing */
    }
    l = cm_state_touch(t, fl->interface_id.p, fl->interface_id.len, ev->time_ms, &created);
    if (l == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        start(l, fl);
        return CM_OK;
    }
    keep0 = has_net(fl, l->net[0]);
    if (l->known) {
        if (!keep0) {
            start(l, fl);
        }
        return CM_OK;
    }
    keep1 = has_net(fl, l->net[1]);
    if (keep0 && !keep1) {
        l->known = 1;
    } else if (keep1 && !keep0) {
        memcpy(l->net[0], l->net[1], NET_LEN);
        l->known = 1;
    } else if (!keep0 && !keep1) {
        start(l, fl);
    }
    return CM_OK;
}

int cm_flow_local_side(const struct cm_state *t, const struct cm_flow *fl)
{
    const struct local_net *l;
    bool s, d;

    if (t == NULL || !ambiguous(fl) || !cm_str_present(fl->interface_id) ||
        fl->interface_id.len == 0 ||
        (l = cm_state_get(t, fl->interface_id.p, fl->interface_id.len)) == NULL || !l->known) {
        return 0;
    }
    s = in_net(l->net[0], &fl->src);
    d = in_net(l->net[0], &fl->dst);
    return s == d ? 0 : (s ? 1 : -1);
}

/* A value read back: known is 0 or 1. */
static bool local_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct local_net *l = val;

    (void)ud;
    (void)key;
    return klen > 0 && l->known <= 1;
}

const struct cm_state_codec cm_flow_local_codec = {.check = local_check};
