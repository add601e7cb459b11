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
 *
 * One learner serves every flow detector of an engine: the engine notes each
 * flow record once, before its detectors see it, so the addresses are
 * classified, the entry touched and the record's side found once a record,
 * and the table is kept, expired and saved once. Before 2026-12-05 each of
 * the three flow detectors kept its own copy of the same table and fed it
 * every record: three classifications, three touches and three tables.
 */
#include "detect/flow.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"

#define NET_LEN  8 /* IPv6: the /64 */
#define ADDR_LEN 4 /* IPv4: the address */

struct local_net {
    uint8_t net[2][NET_LEN];   /* IPv6 candidates; net[0] alone once known */
    uint8_t addr[2][ADDR_LEN]; /* IPv4 candidates; addr[0] alone once known */
    uint8_t state6;            /* IPv6: NONE, CANDIDATES, KNOWN (net[0]) or SEVERAL */
    uint8_t state4;            /* IPv4: the same for addr */
    uint8_t forwards;          /* 1: a record of the interface (no instance) was forwarded */
    uint8_t pad;
    uint32_t first_s; /* the earliest record time seen, Unix seconds (0: not known) */
};

enum { NONE, CANDIDATES, KNOWN, SEVERAL };

/* One family of an entry: two candidates of len bytes each, and what they are. */
struct cand {
    uint8_t *c[2];
    size_t len;
    uint8_t *state;
};

static int table_create(struct cm_state **out, uint64_t seed)
{
    struct cm_state_opts so;

    memset(&so, 0, sizeof(so));
    so.val_size = sizeof(struct local_net);
    so.max_entries = CM_FLOW_LOCAL_MAX;
    so.ttl_ms = CM_FLOW_LOCAL_TTL_MS;
    so.seed = seed;
    return cm_state_create(out, &so);
}

int cm_flow_local_create(struct cm_flow_local **out, uint64_t seed)
{
    struct cm_flow_local *l;
    int rc;

    *out = NULL;
    if ((l = cm_calloc(1, sizeof(*l))) == NULL) {
        return CM_ENOMEM;
    }
    l->seed = seed;
    if ((rc = table_create(&l->t, seed)) != 0) {
        cm_free(l);
        return rc;
    }
    *out = l;
    return CM_OK;
}

void cm_flow_local_destroy(struct cm_flow_local *l)
{
    if (l != NULL) {
        cm_state_destroy(l->t);
        cm_free(l);
    }
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

/* Which side of fl holds own (len bytes): 1 the source, -1 the destination, 0 both or neither. */
static int side_of(const uint8_t *own, size_t len, const struct cm_flow *fl)
{
    bool s = in_cand(own, len, &fl->src), d = in_cand(own, len, &fl->dst);

    return s == d ? 0 : (s ? 1 : -1);
}

/*
 * Learns from fl, an ambiguous record (cm_flow_local_maybe, both sides internal or
 * both not) of the interface of entry l, and sets *side to what the entry tells after it
 * (cm_flow_local_side).
 */
static void learn(struct local_net *l, const struct cm_flow *fl, int *side)
{
    struct cand c;
    bool keep0, keep1;
    size_t len = fl->src.family == CM_IP_V4 ? ADDR_LEN : NET_LEN;

    *side = 0;
    if (memcmp(fl->src.a, fl->dst.a, len) == 0) {
        return; /* nothing to learn: one address or network on both sides says nothing */
    }
    c = cand_of(l, fl->src.family);
    if (*c.state == NONE) {
        start(&c, fl);
        return;
    }
    if (*c.state == SEVERAL) {
        return;
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
    if (*c.state == KNOWN) {
        *side = side_of(c.c[0], c.len, fl);
    }
}

/* ev's time in Unix seconds for first_s: at least 1 (0 is "not known"), at most UINT32_MAX. */
static uint32_t seen_s(const struct cm_event *ev)
{
    int64_t s = ev->time_ms / 1000;

    return s < 1 ? 1 : (s > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)s);
}

/*
 * Notes ev, a record of an interface, in the interface's entry (made when new): when the
 * interface was first seen, and, for an interface of no instance, whether it forwards (a
 * forwarded record marks it, and every record of it then carries the mark). *out is the
 * entry (NULL: the record names no interface).
 */
static int note_seen(struct cm_flow_local *l, const struct cm_event *ev, struct local_net **out)
{
    const struct cm_flow *fl = &ev->u.flow;
    struct local_net *n;
    bool created = false;
    uint32_t s = seen_s(ev);

    *out = NULL;
    if (!cm_str_present(fl->interface_id) || fl->interface_id.len == 0) {
        return CM_OK;
    }
    n = cm_state_touch(l->t, fl->interface_id.p, fl->interface_id.len, ev->time_ms, &created);
    if (n == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        memset(n, 0, sizeof(*n));
    }
    if (n->first_s == 0 || s < n->first_s) {
        n->first_s = s;
    }
    if (cm_flow_no_instance(fl)) {
        if (cm_flow_forwarded(fl)) {
            n->forwards = 1;
        }
        l->fwd = n->forwards != 0;
        l->fwd_ev = ev;
    }
    l->first_s = n->first_s;
    l->seen_ev = ev;
    *out = n;
    return CM_OK;
}

int cm_flow_local_note(struct cm_flow_local *l, const struct cm_event *ev)
{
    const struct cm_flow *fl = &ev->u.flow;
    struct local_net *n;
    bool src_in, dst_in;
    int side = 0, rc;

    l->ev = NULL;
    l->fwd_ev = NULL;
    l->seen_ev = NULL;
    if (ev->kind != CM_EV_FLOW || fl->status != CM_FS_OK) {
        return CM_OK; /* NODATA and SKIPDATA records carry no traffic of the interface */
    }
    if ((rc = note_seen(l, ev, &n)) != 0) {
        return rc;
    }
    if (!cm_flow_local_maybe(fl)) {
        return CM_OK; /* the side needs nothing of the learner (flow-direction, or no pair) */
    }
    src_in = cm_ip_is_internal(&fl->src);
    dst_in = cm_ip_is_internal(&fl->dst);
    if (src_in == dst_in && n != NULL) {
        learn(n, fl, &side);
    }
    l->internal = (int8_t)(src_in == dst_in ? 0 : (src_in ? 1 : -1));
    l->side = (int8_t)side;
    l->ev = ev;
    return CM_OK;
}

int cm_flow_local_side(const struct cm_flow_local *t, const struct cm_flow *fl)
{
    const struct local_net *l;
    bool v4;

    if (t == NULL || !cm_flow_local_maybe(fl) ||
        cm_ip_is_internal(&fl->src) != cm_ip_is_internal(&fl->dst) ||
        !cm_str_present(fl->interface_id) || fl->interface_id.len == 0 ||
        (l = cm_state_get(t->t, fl->interface_id.p, fl->interface_id.len)) == NULL) {
        return 0;
    }
    v4 = fl->src.family == CM_IP_V4;
    if ((v4 ? l->state4 : l->state6) != KNOWN) {
        return 0;
    }
    return side_of(v4 ? l->addr[0] : l->net[0], v4 ? ADDR_LEN : NET_LEN, fl);
}

bool cm_flow_local_forwards(const struct cm_flow_local *l, const struct cm_event *ev)
{
    const struct cm_flow *fl = &ev->u.flow;
    const struct local_net *n;

    if (l == NULL || ev->kind != CM_EV_FLOW || !cm_flow_no_instance(fl)) {
        return false;
    }
    if (l->fwd_ev == ev) {
        return l->fwd;
    }
    if (!cm_str_present(fl->interface_id) || fl->interface_id.len == 0) {
        return false;
    }
    n = cm_state_get(l->t, fl->interface_id.p, fl->interface_id.len);
    return n != NULL && n->forwards;
}

int64_t cm_flow_local_first_ms(const struct cm_flow_local *l, const struct cm_event *ev)
{
    const struct cm_flow *fl = &ev->u.flow;
    const struct local_net *n;
    uint32_t s;

    if (l == NULL || ev->kind != CM_EV_FLOW) {
        return INT64_MAX;
    }
    if (l->seen_ev == ev) {
        s = l->first_s;
    } else if (cm_str_present(fl->interface_id) && fl->interface_id.len > 0 &&
               (n = cm_state_get(l->t, fl->interface_id.p, fl->interface_id.len)) != NULL) {
        s = n->first_s;
    } else {
        s = 0;
    }
    return s == 0 ? INT64_MAX : (int64_t)s * 1000;
}

void cm_flow_local_expire(struct cm_flow_local *l, int64_t watermark_ms)
{
    if (l != NULL) {
        l->ev = NULL;
        l->fwd_ev = NULL;
        l->seen_ev = NULL;
        cm_state_expire(l->t, watermark_ms, NULL, NULL);
    }
}

void cm_flow_local_stats(const struct cm_flow_local *l, struct cm_state_stats *sum)
{
    if (l != NULL) {
        cm_state_stats_add(sum, l->t);
    }
}

/* A value read back: each family's state is one of the four. */
static bool local_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct local_net *l = val;

    (void)ud;
    (void)key;
    return klen > 0 && l->state6 <= SEVERAL && l->state4 <= SEVERAL && l->forwards <= 1;
}

static const struct cm_state_codec codec = {.check = local_check};

int cm_flow_local_save(const struct cm_flow_local *l, struct cm_ckpt_w *w)
{
    return cm_state_save(l->t, w, &codec);
}

int cm_flow_local_load(struct cm_flow_local *l, struct cm_ckpt_r *r)
{
    l->ev = NULL;
    l->fwd_ev = NULL;
    l->seen_ev = NULL;
    l->loaded = true;
    return cm_state_load(l->t, r, &codec);
}

int cm_flow_local_load_copy(struct cm_flow_local *l, struct cm_ckpt_r *r)
{
    struct cm_state *scratch = NULL;
    int rc;

    if (l != NULL && !l->loaded) {
        return cm_flow_local_load(l, r);
    }
    /* another copy of the same table (each detector fed it the same records): read, checked */
    if ((rc = table_create(&scratch, l != NULL ? l->seed : 0)) != 0) {
        return cm_ckpt_r_fail(r, rc, "out of memory");
    }
    rc = cm_state_load(scratch, r, &codec);
    cm_state_destroy(scratch);
    return rc;
}
