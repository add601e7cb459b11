/*
 * The tail of the inbound flow detector (flow_inbound.c): the connections an
 * entry counted after its last detection, reported when the entry expires
 * or a brute-force episode ends, from the last of them kept in the third
 * table (struct cm_flow_kept). docs/detectors/vpcflow-inbound.md,
 * "Emission" and "State and memory". No I/O.
 */
#include "detect/flow_inbound_impl.h"

#include <string.h>

#include "base/err.h"
#include "detect/flow_kept.h"

const char *const cm_flow_in_brute_type[SVC_NONE] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "UnauthorizedAccess:EC2/RDPBruteForce",
    "Impact:EC2/WinRMBruteForce",
};

/* What an entry's expiry needs to report its tail. */
struct tail_ctx {
    struct inbound *in;
    struct cm_sink *sink;
    int rc; /* the first emission's error */
};

void cm_flow_in_probe_lists(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                            struct cm_detection *d)
{
    cm_intel_detection_lists(s, m, CM_CAT_SCANNER, d);
    for (size_t i = 0; i < m->nids && d->nintel < CM_DETECTION_MAX_INTEL; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);
        if (ind != NULL && ind->category != CM_CAT_SCANNER) {
            cm_intel_detection_lists(s, m, ind->category, d);
        }
    }
}

void cm_flow_in_kept_key(const unsigned char key[KEY_LEN], int k, unsigned char out[KEY_LEN])
{
    memcpy(out, key, KEY_LEN);
    out[26] = (uint8_t)k;
}

int cm_flow_in_report_tail(struct inbound *in, const unsigned char key[KEY_LEN], uint32_t count,
                           int64_t first_ms, struct cm_sink *sink)
{
    struct cm_flow_kept *k = cm_state_get(in->kept, key, KEY_LEN);
    const struct cm_intel_snapshot *snap;
    struct cm_flow_view v;
    struct cm_detection d;
    struct cm_intel_match m;
    struct cm_event ev;
    bool probe = key[25] >= SVC_TOR_PORT, emr = probe && key[26] == 1;
    int rc = CM_OK;

    if (k == NULL || count == 0 || !cm_flow_kept_event(k, &ev, &v.resource)) {
        goto done;
    }
    v.outbound = !probe && key[26] != 0;
    cm_flow_detection(&d, &ev, &v,
                      !probe ? cm_flow_in_brute_type[key[25] % SVC_NONE]
                      : emr  ? TYPE_PROBE_EMR
                             : TYPE_PROBE);
    if (probe && !emr && (ev.u.flow.dstport == 9200 || ev.u.flow.dstport == 9300)) {
        d.severity = SEV_HIGH;
    }
    /* The lists as they are now (a reload may have changed them since the probes). */
    snap = cm_detect_intel(in->cfg);
    if (probe && snap != NULL &&
        cm_detect_ip_intel(NULL, snap, &ev, &ev.u.flow.src, &m) == CM_INTEL_THREAT) {
        cm_flow_in_probe_lists(snap, &m, &d);
    }
    d.first_ms = first_ms < ev.time_ms ? first_ms : ev.time_ms;
    d.count = count;
    d.record_key = k->key;
    rc = cm_sink_emit(sink, &d);
done:
    cm_state_del(in->kept, key, KEY_LEN);
    return rc;
}

int cm_flow_in_keep_tail(struct inbound *in, const unsigned char key[KEY_LEN],
                         const struct cm_event *ev, const struct cm_flow_view *v)
{
    bool created;
    struct cm_flow_kept *k = cm_state_touch(in->kept, key, KEY_LEN, ev->time_ms, &created);

    if (k == NULL) {
        return CM_ENOMEM;
    }
    if (created || k->time_ms == INT64_MIN || ev->time_ms >= k->time_ms) {
        cm_flow_kept_set(k, ev, v->resource); /* a later one kept stays: lastSeen */
    }
    return CM_OK;
}

/* A brute-force entry expires: the attempts after its last detection are reported. */
static void brute_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const struct brute *b = val;
    int rc;

    (void)klen;
    if (b->reported_ms == INT64_MIN || b->pending == 0 || c->rc != 0) {
        cm_state_del(c->in->kept, key, KEY_LEN); /* nothing to report, or the sink failed */
        return;
    }
    rc = cm_flow_in_report_tail(c->in, key, b->pending, b->first_ms, c->sink);
    c->rc = c->rc ? c->rc : rc;
}

/* A probe entry expires: the probes of each type after its last detection are reported. */
static void probe_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const struct probes *p = val;
    unsigned char kk[KEY_LEN];

    (void)klen;
    for (int k = 0; k < 2; k++) {
        int rc;

        cm_flow_in_kept_key(key, k, kk);
        rc = cm_flow_in_report_tail(c->in, kk, c->rc == 0 ? p->pending[k] : 0, p->first_ms[k],
                                    c->sink);
        c->rc = c->rc ? c->rc : rc;
    }
}

/* A Tor-port entry expires: unless the port turned out a relay's, its held probes are reported. */
static void torport_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const struct torport *tp = val;
    int rc;

    (void)klen;
    rc = cm_flow_in_report_tail(c->in, key, c->rc == 0 && !tp->relay ? tp->held : 0, tp->first_ms,
                                c->sink);
    c->rc = c->rc ? c->rc : rc;
}

void cm_flow_in_torport_evicted(void *ud, const void *key, size_t klen, void *val)
{
    struct inbound *in = ud;

    (void)val;
    cm_state_del(in->kept, key, klen);
}

void cm_flow_in_brute_evicted(void *ud, const void *key, size_t klen, void *val)
{
    struct inbound *in = ud;

    (void)val;
    cm_state_del(in->kept, key, klen);
}

void cm_flow_in_probe_evicted(void *ud, const void *key, size_t klen, void *val)
{
    struct inbound *in = ud;
    unsigned char kk[KEY_LEN];

    (void)val;
    (void)klen;
    for (int k = 0; k < 2; k++) {
        cm_flow_in_kept_key(key, k, kk);
        cm_state_del(in->kept, kk, KEY_LEN);
    }
}

int cm_flow_in_expire(struct inbound *in, int64_t watermark_ms, struct cm_sink *sink)
{
    struct tail_ctx c = {in, sink, CM_OK};

    cm_state_expire(in->brute, watermark_ms, brute_expired, &c);
    cm_state_expire(in->probe, watermark_ms, probe_expired, &c);
    cm_state_expire(in->torport, watermark_ms, torport_expired, &c);
    return c.rc;
}
