/*
 * Intel detector for VPC flow logs: an instance talking to a listed address.
 *
 * Direction. A flow record is one direction of one connection, and flow logs
 * carry both: the request (client port -> service port) and the reply. A
 * record whose source port is below its destination port, with the
 * destination port 1024 or above, is taken as a reply and not counted: the
 * request record of the same connection is. So an instance that opens a
 * connection to a listed address (outbound) and a listed address that opens
 * one to the instance (inbound) each count once per connection.
 *
 * - Outbound to a listed peer, accepted or rejected (a blocked attempt still
 *   says the instance is infected): the category's type (C&C, BitcoinTool,
 *   BlackholeTraffic, DropPoint, TorClient, MaliciousIPCaller.Custom).
 * - Inbound from a listed peer, accepted only (a rejected probe from a bad
 *   address is background noise the security group already handled):
 *   MaliciousIPCaller.Custom for customer lists.
 * - Tor relay: accepted inbound connections from at least RELAY_PEERS
 *   distinct Tor nodes within RELAY_WINDOW make the instance a relay
 *   (UnauthorizedAccess:EC2/TorRelay, with that connection and every later
 *   Tor connection of the instance, in or out, as its events). Before that,
 *   an outbound connection to a Tor node is TorClient.
 */
#include "detect/intel.h"

#include <stddef.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow.h"
#include "detect/state.h"

/* bump when the layout save writes changes */
#define INTEL_FLOW_STATE_VERSION 1u

#define RELAY_PEERS   3
#define RELAY_WINDOW  (60 * 60 * 1000) /* ms */
#define RELAY_MAX     (64 * 1024)      /* instances tracked */
#define MAX_TYPES     8
#define TRACKED_PEERS 8

struct peers {
    uint64_t peer[TRACKED_PEERS]; /* hashes of distinct inbound Tor peers */
    uint32_t npeers;
    bool relay;
};

struct flow_state {
    const struct cm_detect_config *cfg;    /* read afresh per event: src/ may swap the snapshot */
    const struct cm_intel_snapshot *intel; /* the snapshot of the current event */
    struct cm_intel_memo *memo;            /* the engine's (opts->memo); may be NULL */
    const struct cm_flow_local *local; /* the engine's learner (opts->flow_local); may be NULL */
    struct cm_state *tor;              /* resource id -> struct peers */
    uint64_t seed;
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct flow_state *st = cm_calloc(1, sizeof(*st));
    struct cm_state_opts so;
    int rc;

    if (st == NULL) {
        return CM_ENOMEM;
    }
    st->cfg = opts->config;
    st->memo = opts->memo;
    st->local = opts->flow_local;
    st->seed = opts->seed;
    memset(&so, 0, sizeof(so));
    so.val_size = sizeof(struct peers);
    so.max_entries = RELAY_MAX;
    so.ttl_ms = RELAY_WINDOW;
    so.seed = opts->seed;
    if ((rc = cm_state_create(&st->tor, &so)) != 0) {
        cm_free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static void finish(void *state)
{
    struct flow_state *st = state;

    if (st) {
        cm_state_destroy(st->tor);
        cm_free(st);
    }
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct flow_state *st = state;

    (void)sink;
    cm_state_expire(st->tor, watermark_ms, NULL, NULL);
    return 0;
}

/* A reply record: from a service port back to a client port. */
static bool is_reply(const struct cm_flow *fl)
{
    return fl->srcport >= 0 && fl->dstport >= 1024 && fl->srcport < fl->dstport;
}

static bool is_tor(enum cm_intel_category c)
{
    return c == CM_CAT_TOR_EXIT || c == CM_CAT_TOR_RELAY;
}

static struct cm_str resource_of(const struct cm_flow *fl)
{
    return cm_str_present(fl->instance_id) ? fl->instance_id : fl->interface_id;
}

static int emit(const struct flow_state *st, const struct cm_event *ev, const char *type,
                bool outbound, const struct cm_intel_match *m, enum cm_intel_category c,
                struct cm_sink *sink)
{
    struct cm_detection d;

    cm_detection_init(&d, ev, type);
    d.resource_type = CM_RES_INSTANCE;
    d.resource_id = resource_of(&ev->u.flow);
    d.direction = outbound ? CM_DDIR_OUTBOUND : CM_DDIR_INBOUND;
    cm_intel_detection_lists(st->intel, m, c, &d);
    return cm_sink_emit(sink, &d);
}

/* Notes an accepted inbound connection from a Tor node; true when the instance is a relay. */
static bool tor_inbound(struct flow_state *st, const struct cm_event *ev, const struct cm_ip *peer)
{
    struct cm_str res = resource_of(&ev->u.flow);
    uint64_t h = cm_hash64(peer->a, sizeof(peer->a), st->seed);
    struct peers *p;

    if (!cm_str_present(res) || res.len == 0) {
        return false;
    }
    p = cm_state_touch(st->tor, res.p, res.len, ev->time_ms, NULL);
    if (p == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < p->npeers; i++) {
        if (p->peer[i] == h) {
            return p->relay;
        }
    }
    if (p->npeers < TRACKED_PEERS) {
        p->peer[p->npeers++] = h;
    }
    if (p->npeers >= RELAY_PEERS) {
        p->relay = true;
    }
    return p->relay;
}

static bool known_relay(struct flow_state *st, const struct cm_event *ev)
{
    struct cm_str res = resource_of(&ev->u.flow);
    struct peers *p;

    if (!cm_str_present(res) || res.len == 0) {
        return false;
    }
    p = cm_state_get(st->tor, res.p, res.len);
    return p != NULL && p->relay;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct flow_state *st = state;
    const struct cm_flow *fl = &ev->u.flow;
    const char *done[MAX_TYPES];
    size_t ndone = 0;
    struct cm_intel_match m;
    const struct cm_ip *peer;
    enum cm_intel_verdict vd = CM_INTEL_NONE, vs = CM_INTEL_NONE;
    bool outbound;

    st->intel = cm_detect_intel(st->cfg);
    if (st->intel == NULL || fl->status != CM_FS_OK || is_reply(fl) || cm_flow_forwarded(fl) ||
        cm_flow_local_forwards(st->local, ev)) {
        return 0;
    }
    if (cm_ip_is_public(&fl->dst) &&
        (vd = cm_detect_ip_intel(st->memo, st->intel, ev, &fl->dst, &m)) == CM_INTEL_THREAT) {
        outbound = true;
        peer = &fl->dst;
    } else if (cm_ip_is_public(&fl->src) && fl->action == CM_FA_ACCEPT &&
               (vs = cm_detect_ip_intel(st->memo, st->intel, ev, &fl->src, &m)) ==
                   CM_INTEL_THREAT) {
        outbound = false;
        peer = &fl->src;
    } else {
        /* a trusted peer that a threat list also has: suppressed, counted once */
        return vd == CM_INTEL_TRUSTED
                   ? cm_intel_count_suppressed_ip(st->memo, st->intel, vd, &fl->dst)
                   : cm_intel_count_suppressed_ip(st->memo, st->intel, vs, &fl->src);
    }
    for (size_t i = 0; i < m.nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(st->intel, m.ids[i]);
        const char *type;
        bool dup = false;
        int rc;

        if (ind == NULL) {
            continue;
        }
        if (is_tor(ind->category)) {
            bool relay = outbound ? known_relay(st, ev) : tor_inbound(st, ev, peer);
            type = relay ? "UnauthorizedAccess:EC2/TorRelay"
                         : cm_intel_type_flow(ind->category, outbound);
        } else {
            type = cm_intel_type_flow(ind->category, outbound);
        }
        for (size_t j = 0; j < ndone; j++) {
            dup = dup || done[j] == type;
        }
        if (type == NULL || dup || ndone == MAX_TYPES) {
            continue;
        }
        done[ndone++] = type;
        if ((rc = emit(st, ev, type, outbound, &m, ind->category, sink)) != 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * A Tor entry read back: npeers bounds the walk over peer[] and is where
 * the next peer is written; relay is a bool (cm_ckpt_bool_ok).
 */
static bool peers_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct peers *p = val;

    (void)ud;
    (void)key;
    (void)klen;
    return p->npeers <= TRACKED_PEERS && cm_ckpt_bool_ok(&p->relay);
}

static const struct cm_state_codec peers_codec = {.check = peers_check};

/* The Tor peers per instance; intel is the current event's snapshot, not state. */
static int save(const void *state, struct cm_ckpt_w *w)
{
    return cm_state_save(((const struct flow_state *)state)->tor, w, &peers_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    return cm_state_load(((struct flow_state *)state)->tor, r, &peers_codec);
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct flow_state *)state)->tor);
}

static const char *const types[] = {
    "Backdoor:EC2/C&CActivity.B",
    "CryptoCurrency:EC2/BitcoinTool.B",
    "Trojan:EC2/BlackholeTraffic",
    "Trojan:EC2/DropPoint",
    "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:EC2/TorClient",
    "UnauthorizedAccess:EC2/TorRelay",
    NULL,
};

const struct cm_detector cm_detector_intel_flow = {
    .name = "intel-vpcflow",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .flow_local = true,
    .state_version = INTEL_FLOW_STATE_VERSION,
    .save = save,
    .load = load,
};
