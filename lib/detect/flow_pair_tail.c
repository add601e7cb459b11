/*
 * The tails of the pair detector (flow_pair.c): the Portscan probes a pair
 * counted after its last detection, the flood-like records after its
 * last DenialOfService (flow_pair_dos.c), and the request records after its
 * hour's TrafficVolumeUnusual (reported when the pair moves to a later hour
 * too), reported when the pair expires
 * (also at the end of input), or the flood's minutes leave its ring, from
 * the last of them, kept in the kept table (struct cm_flow_kept,
 * flow_kept.c). docs/detectors/vpcflow-pair.md, "Emission" and "State and
 * memory". No I/O.
 */
#include "detect/flow_pair_impl.h"

#include <string.h>

#include "base/err.h"
#include "detect/flow_kept.h"

static const char T_PORTSCAN[] = "Recon:EC2/Portscan";

/* What a pair's expiry needs to report its tail. */
struct tail_ctx {
    struct flow_pair *st;
    struct cm_sink *sink;
    bool fold; /* the open hour joins the baseline (not at the end of input) */
    int rc;    /* the first emission's error */
};

size_t cm_flow_pair_kept_key(const void *key, size_t klen, uint8_t kind, uint8_t *out)
{
    klen = klen < KEY_MAX ? klen : KEY_MAX;
    memcpy(out, key, klen);
    out[klen] = kind;
    return klen + 1;
}

int cm_flow_pair_keep_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind,
                           const struct cm_event *ev, const struct cm_flow_view *v)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, kind, kk);
    bool created;
    struct cm_flow_kept *k = cm_state_touch(st->kept, kk, kl, ev->time_ms, &created);

    if (k == NULL) {
        return CM_ENOMEM;
    }
    if (created || k->time_ms == INT64_MIN || ev->time_ms >= k->time_ms) {
        cm_flow_kept_set(k, ev, v->resource); /* a later one kept stays: lastSeen */
    }
    return CM_OK;
}

bool cm_flow_pair_has_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, kind, kk);

    return cm_state_get(st->kept, kk, kl) != NULL;
}

void cm_flow_pair_drop_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, kind, kk);

    cm_state_del(st->kept, kk, kl);
}

int cm_flow_pair_report_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind,
                             uint32_t count, int64_t first_s, struct cm_sink *sink)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, kind, kk);
    struct cm_flow_kept *k = cm_state_get(st->kept, kk, kl);
    struct cm_flow_view v;
    struct cm_detection d;
    struct cm_event ev;
    int rc = CM_OK;

    if (k == NULL || count == 0 || !cm_flow_kept_event(k, &ev, &v.resource)) {
        goto done;
    }
    v.outbound = true; /* the pair detector reads the instance's own connections only */
    cm_flow_detection(&d, &ev, &v,
                      kind == KEPT_PORTSCAN ? T_PORTSCAN
                      : kind == KEPT_VOLUME
                          ? TYPE_VOLUME
                          : cm_flow_pair_dos_kind(ev.u.flow.protocol, ev.u.flow.dstport));
    d.count = count;
    if (first_s > 0 && first_s * 1000 < d.first_ms) {
        d.first_ms = first_s * 1000;
    }
    d.record_key = k->key;
    rc = cm_sink_emit(sink, &d);
done:
    cm_state_del(st->kept, kk, kl);
    return rc;
}

/*
 * Whether the window of epoch e is blind for record ev: the epoch before it (e - 2) is before
 * its interface's first record (cm_flow_local_first_ms), so nothing tells a port probed for
 * the first time from one a health checker probed before the log began.
 */
static bool ps_blind(const struct flow_pair *st, const struct cm_event *ev, uint32_t e)
{
    int64_t f = cm_flow_local_first_ms(st->local, ev);

    return f > 0 && f != INT64_MAX && (int64_t)e <= f / 1000 / PS_EPOCH_S + 1;
}

/* Whether a port sketch is empty: its epoch had no probe. */
static bool ps_none(const uint64_t *bits)
{
    uint64_t x = 0;

    for (size_t w = 0; w < PS_SKETCH_BITS / 64; w++) {
        x |= bits[w];
    }
    return x == 0;
}

bool cm_flow_pair_ps_new(const struct flow_pair *st, const struct pair *p,
                         const struct cm_event *ev, uint32_t e)
{
    if (ps_blind(st, ev, e) || p->ps_epoch == 0 || e > p->ps_epoch + 2) {
        return true;
    }
    if (e == p->ps_epoch + 2) {
        return false; /* the epoch before is ps_epoch, which has a probe */
    }
    return ps_none(e == p->ps_epoch + 1 ? p->ps_bits[e & 1] : p->ps_seen);
}

/*
 * After its hour's TrafficVolumeUnusual, a request record of pair key is kept as the last of
 * the tail, in the kept record the detection made empty (none there: the detection's record
 * was evicted, or came from a state file before 2026-12-05, so the tail goes unreported).
 */
int cm_flow_pair_ps_judge(struct flow_pair *st, struct pair *p, const void *key, size_t klen,
                          struct cm_sink *sink)
{
    uint32_t count = p->ps_probes[0] + p->ps_probes[1];
    int64_t first = (int64_t)p->ps_first;

    if (p->ps_fired != 0) {
        return 0;
    }
    p->ps_tail = 0; /* no longer held by a handshake */
    if (cm_flow_pair_ps_window(p) < st->ps_bits_needed) {
        cm_flow_pair_drop_tail(st, key, klen, KEPT_PORTSCAN);
        return 0;
    }
    count = count < p->ps_probes[0] ? UINT32_MAX : count;
    if (first < (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S) {
        first = (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S;
    }
    p->ps_fired = p->ps_epoch + 1;
    p->ps_probes[0] = p->ps_probes[1] = 0;
    p->ps_first = 0;
    return cm_flow_pair_report_tail(st, key, klen, KEPT_PORTSCAN, count, first, sink);
}

void cm_flow_pair_volume_keep(struct flow_pair *st, const uint8_t *key, size_t klen,
                              const struct cm_event *ev, const struct cm_flow_view *v)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, KEPT_VOLUME, kk);
    struct cm_flow_kept *k = cm_state_touch_found(st->kept, kk, kl, ev->time_ms);

    if (k != NULL && (k->time_ms == INT64_MIN || ev->time_ms >= k->time_ms)) {
        cm_flow_kept_set(k, ev, v->resource); /* a later one kept stays: lastSeen */
    }
}

/*
 * The hour's TrafficVolumeUnusual: its count is the hour's request records so far, after
 * which vol_conns counts the records since, kept (cm_flow_pair_volume_keep) in an empty kept record
 * made here, for the tail's report when the pair moves to a later hour or expires.
 */
int cm_flow_pair_volume_fire(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const char *info, struct cm_sink *sink)
{
    uint8_t kk[KEPT_KEY_MAX];
    size_t kl = cm_flow_pair_kept_key(key, klen, KEPT_VOLUME, kk);
    uint32_t count = p->vol_conns;
    struct cm_flow_kept *k;
    bool created;

    p->vol_fired = p->vol_hour + 1;
    p->vol_conns = 0;
    if ((k = cm_state_touch(st->kept, kk, kl, ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    k->time_ms = INT64_MIN; /* none yet */
    return cm_flow_pair_emit(ev, v, TYPE_VOLUME, count, (int64_t)p->vol_hour * HOUR_S, info, sink);
}

/*
 * A pair expires: its hour joins the baseline, the probes after its last Portscan, the
 * flood-like records after its last DenialOfService and the request records after its hour's
 * TrafficVolumeUnusual are reported (a flood's and a volume's only when one was kept: their
 * counts then hold the records since that detection and nothing else).
 */
static void pair_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const struct pair *p = val;
    int rc;

    if (c->fold) {
        cm_flow_pair_fold(c->st, key, klen, p);
    }
    /* a window still new (held) when its pair goes (cm_flow_pair_ps_judge) */
    if (c->rc == 0 && p->ps_fired == 0 && p->ps_epoch != 0) {
        struct pair q = *p;

        rc = cm_flow_pair_ps_judge(c->st, &q, key, klen, c->sink);
        c->rc = c->rc ? c->rc : rc;
    }
    rc = cm_flow_pair_report_tail(c->st, key, klen, KEPT_PORTSCAN, c->rc == 0 ? p->ps_tail : 0, 0,
                                  c->sink);
    c->rc = c->rc ? c->rc : rc;
    rc = cm_flow_pair_report_tail(c->st, key, klen, KEPT_DOS, c->rc == 0 ? p->dos_conns : 0, 0,
                                  c->sink);
    c->rc = c->rc ? c->rc : rc;
    rc = cm_flow_pair_report_tail(c->st, key, klen, KEPT_VOLUME,
                                  c->rc == 0 && p->vol_fired == p->vol_hour + 1 ? p->vol_conns : 0,
                                  0, c->sink);
    c->rc = c->rc ? c->rc : rc;
}

void cm_flow_pair_evicted(void *ud, const void *key, size_t klen, void *val)
{
    struct flow_pair *st = ud;

    cm_flow_pair_fold(st, key, klen, val);
    cm_flow_pair_drop_tail(st, key, klen, KEPT_PORTSCAN);
    cm_flow_pair_drop_tail(st, key, klen, KEPT_DOS);
    cm_flow_pair_drop_tail(st, key, klen, KEPT_VOLUME);
}

int cm_flow_pair_expire(struct flow_pair *st, int64_t watermark_ms, struct cm_sink *sink)
{
    struct tail_ctx c = {st, sink, watermark_ms != INT64_MAX, CM_OK};

    cm_state_expire(st->pairs, watermark_ms, pair_expired, &c);
    cm_state_expire(st->heavy, watermark_ms, pair_expired, &c);
    return c.rc;
}
