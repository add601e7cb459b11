/*
 * The interface's own address, learned from its records (see flow.h): which
 * side of a default-format record is the instance's when both addresses are
 * internal or both public.
 *
 * Every record of an interface has one of the interface's addresses on one
 * side. IPv4: the interface's private address (a flow log shows an
 * instance's public IPv4 address as its private one); IPv6: an address in
 * its subnet's /64 (its own and any delegated prefix). So the address (IPv4)
 * or /64 (IPv6) present in every ambiguous record of an interface is its
 * own: the first such record gives two candidates, each later record strikes
 * the candidate it lacks, and once one is left it is the interface's. While
 * both are left (every record so far was with one remote) the records stay
 * ambiguous. A record that lacks the learned one, or both candidates, shows
 * the interface has several addresses (an EKS node's secondary addresses for
 * its pods; addresses spanning several /64s of a larger subnet): then the
 * address on every record can be a remote they all talk to (a database every
 * pod calls), so the family is learned no more and its records stay
 * ambiguous until the entry is forgotten. The two families are learned
 * apart, in one entry per interface.
 */
#include "detect/flow.h"

#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"

#define NET_LEN  8 /* IPv6: the /64 */
#define ADDR_LEN 4 /* IPv4: the address */

struct local_net {
    uint8_t net[2][NET_LEN];   /* IPv6 candidates; net[0] alone once known */
    uint8_t addr[2][ADDR_LEN]; /* IPv4 candidates; addr[0] alone once known */
    uint8_t state6;            /* IPv6: NONE, CANDIDATES, KNOWN (net[0]) or SEVERAL */
    uint8_t state4;            /* IPv4: the same for addr */
    uint8_t pad[6];
};

enum { NONE, CANDIDATES, KNOWN, SEVERAL };

/* One family of an entry: two candidates of len bytes each, and what they are. */
struct cand {
    uint8_t *c[2];
    size_t len;
    uint8_t *state;
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

static struct cand cand_of(struct local_net *l, int family)
{
    struct cand c;

    if (family == CM_IP_V4) {
        c.c[0] = l->addr[0], c.c[1] = l->addr[1], c.len = ADDR_LEN, c.state = &l->state4;
    } else {
        c.c[0] = l->net[0], c.c[1] = l->net[1], c.len = NET_LEN, c.state = &l->state6;
    }
    return c;
}

static bool in_cand(const uint8_t *c, size_t len, const struct cm_ip *ip)
{
    return memcmp(c, ip->a, len) == 0;
}

static bool has_cand(const struct cm_flow *fl, const uint8_t *c, size_t len)
{
    return in_cand(c, len, &fl->src) || in_cand(c, len, &fl->dst);
}

static void start(const struct cand *c, const struct cm_flow *fl)
{
    memcpy(c->c[0], fl->src.a, c->len);
    memcpy(c->c[1], fl->dst.a, c->len);
    *c->state = CANDIDATES;
}

int cm_flow_local_learn(struct cm_state *t, const struct cm_event *ev)
{
    const struct cm_flow *fl = &ev->u.flow;
    struct local_net *l;
    struct cand c;
    bool created = false, keep0, keep1;
    size_t len = fl->src.family == CM_IP_V4 ? ADDR_LEN : NET_LEN;

    if (t == NULL || ev->kind != CM_EV_FLOW || !ambiguous(fl) ||
        !cm_str_present(fl->interface_id) || fl->interface_id.len == 0 ||
        memcmp(fl->src.a, fl->dst.a, len) == 0) {
        return CM_OK; /* nothing to learn: one address or network on both sides says nothing */
    }
    l = cm_state_touch(t, fl->interface_id.p, fl->interface_id.len, ev->time_ms, &created);
    if (l == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        memset(l, 0, sizeof(*l));
    }
    c = cand_of(l, fl->src.family);
    if (*c.state == NONE) {
        start(&c, fl);
        return CM_OK;
    }
    if (*c.state == SEVERAL) {
        return CM_OK;
    }
    keep0 = has_cand(fl, c.c[0], c.len);
    keep1 = *c.state == CANDIDATES && has_cand(fl, c.c[1], c.len);
    if (!keep0 && !keep1) {
        /* another address of the interface: the one on every record may be a shared remote */
        *c.state = SEVERAL;
    } else if (*c.state == CANDIDATES && keep0 != keep1) {
        if (keep1) {
            memcpy(c.c[0], c.c[1], c.len);
        }
        *c.state = KNOWN;
    }
    return CM_OK;
}

int cm_flow_local_side(const struct cm_state *t, const struct cm_flow *fl)
{
    const struct local_net *l;
    const uint8_t *own;
    size_t len;
    bool v4, s, d;

    if (t == NULL || !ambiguous(fl) || !cm_str_present(fl->interface_id) ||
        fl->interface_id.len == 0 ||
        (l = cm_state_get(t, fl->interface_id.p, fl->interface_id.len)) == NULL) {
        return 0;
    }
    v4 = fl->src.family == CM_IP_V4;
    if ((v4 ? l->state4 : l->state6) != KNOWN) {
        return 0;
    }
    own = v4 ? l->addr[0] : l->net[0];
    len = v4 ? ADDR_LEN : NET_LEN;
    s = in_cand(own, len, &fl->src);
    d = in_cand(own, len, &fl->dst);
    return s == d ? 0 : (s ? 1 : -1);
}

/* A value read back: each family's state is one of the four. */
static bool local_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct local_net *l = val;

    (void)ud;
    (void)key;
    return klen > 0 && l->state6 <= SEVERAL && l->state4 <= SEVERAL;
}

const struct cm_state_codec cm_flow_local_codec = {.check = local_check};
