/*
 * Impact:EC2/PortSweep and Backdoor:EC2/Spambot, the fan-out types of the
 * per-instance flow detector (flow_host.c has the contract and the rest;
 * docs/detectors/vpcflow-host.md the reasoning): the distinct public hosts
 * one (instance, protocol, port) reaches in a window, in the fans table,
 * and for PortSweep the share of the port's attempts that failed, in the
 * instance's entry. No I/O, no allocation but the table's.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow_host_impl.h"
#include "detect/flow_kept.h"

/* ---- fan-outs: distinct hosts of one port ---- */

static void fan_key(const struct flow_host *fh, const struct cm_flow_view *v,
                    enum fan_purpose purpose, uint8_t proto, uint16_t port,
                    unsigned char key[FAN_KEY_LEN])
{
    uint64_t h = cm_hash64(v->resource.p, v->resource.len, fh->seed);

    memcpy(key, &h, sizeof(h));
    key[8] = (uint8_t)purpose;
    key[9] = proto;
    memcpy(key + 10, &port, sizeof(port));
}

/* The entry of key, created when missing; NULL on CM_ENOMEM. */
static struct fan *fan_touch(struct flow_host *fh, const unsigned char key[FAN_KEY_LEN], int64_t t)
{
    bool created;
    struct fan *f = cm_state_touch(fh->fans, key, FAN_KEY_LEN, t, &created);

    if (f != NULL && created) {
        f->reported_ms = INT64_MIN;
    }
    return f;
}

/*
 * Adds the remote host of v, seen at ts, to f's hosts; returns how many
 * distinct hosts f saw within the last window_s seconds (of its newest
 * time). The set holds fh->cap hosts: when it is full of live ones the
 * count is at the cap, which no threshold exceeds, and the stalest gives
 * way so the set follows the newest hosts.
 */
static uint32_t fan_add(const struct flow_host *fh, struct fan *f, const struct cm_ip *ip,
                        uint32_t ts, uint32_t window_s)
{
    uint32_t h = (uint32_t)cm_hash64(ip->a, sizeof(ip->a), fh->seed ^ ip->family);
    uint32_t live = 0, cut;
    size_t oldest = 0;
    bool found = false;

    if (ts > f->newest_s) {
        f->newest_s = ts;
    }
    cut = f->newest_s >= window_s ? f->newest_s - window_s : 0; /* live: seen after cut */
    for (size_t i = 0; i < f->nhosts; i++) {
        struct fan_host *x = &f->host[i];

        if (x->h == h) {
            found = true;
            x->s = ts > x->s ? ts : x->s;
        }
        live += x->s > cut;
        if (x->s < f->host[oldest].s) {
            oldest = i;
        }
    }
    if (found || ts <= cut) {
        return live; /* known, or too late for the window */
    }
    if (f->nhosts < fh->cap) {
        f->host[f->nhosts++] = (struct fan_host){h, ts};
        return live + 1;
    }
    live += f->host[oldest].s <= cut; /* a stale one makes room for a live one */
    f->host[oldest] = (struct fan_host){h, ts};
    return live;
}

/* ---- PortSweep ---- */

/*
 * Whether v's record continues a connection that an earlier record showed:
 * the same resource, protocol, local port and remote address and port, seen
 * within the table's TTL. The connection is remembered either way. Sets
 * *seen; returns CM_OK or CM_ENOMEM.
 */
static int conn_seen(struct flow_host *fh, const struct cm_flow_view *v, int64_t t, bool *seen)
{
    uint64_t h = cm_hash64(v->resource.p, v->resource.len, fh->seed);
    uint16_t lport = (uint16_t)v->local_port, rport = (uint16_t)v->remote_port;
    unsigned char key[CONN_KEY_LEN];
    bool created = false;

    memcpy(key, &h, sizeof(h));
    key[8] = (uint8_t)v->fl->protocol;
    key[9] = v->remote->family;
    memcpy(key + 10, &lport, sizeof(lport));
    memcpy(key + 12, &rport, sizeof(rport));
    memcpy(key + 14, v->remote->a, sizeof(v->remote->a));
    if (cm_state_touch(fh->conns, key, CONN_KEY_LEN, t, &created) == NULL) {
        return CM_ENOMEM;
    }
    *seen = !created;
    return CM_OK;
}

/*
 * Whether the record's packets are spread wider than an unanswered attempt's:
 * a SYN and its retransmissions, the first after 3 s (Windows; Linux waits
 * 1 s) and each wait twice the one before, so n packets take at most
 * 3 * (2^(n-1) - 1) s, plus FAIL_SPAN_S of capture lateness. A one-packet
 * record that spans minutes is a slice of an idle connection.
 */
static bool spread_out(const struct cm_flow *fl)
{
    uint64_t n = fl->packets < FAIL_PACKETS ? fl->packets : FAIL_PACKETS;
    int64_t most = FAIL_SPAN_S + 3 * ((1LL << (n > 0 ? n - 1 : 0)) - 1);

    return fl->start > 0 && fl->end > fl->start && fl->end - fl->start > most;
}

/* Whether the first record of a connection to remote port failed to reach a service (see the top).
 */
static bool failed_attempt(const struct cm_flow *fl, int32_t port)
{
    if (fl->action == CM_FA_REJECT) {
        return true;
    }
    if (spread_out(fl)) {
        return false;
    }
    if (fl->protocol == TCP) {
        if (fl->tcp_flags >= 0 && (!(fl->tcp_flags & 2) || (fl->tcp_flags & 1))) {
            return false; /* no SYN: opened before; a FIN: the handshake completed */
        }
        return fl->packets <= FAIL_PACKETS && fl->bytes <= fl->packets * FAIL_AVG_BYTES;
    }
    return fl->packets <= 2 && port != 53 && port != 123 && port != 443;
}

/* The watch slot of code, or NULL. */
static struct watch *watch_find(struct host *h, uint32_t code)
{
    for (int i = 0; i < WATCH_SLOTS; i++) {
        if (h->watch[i].code == code) {
            return &h->watch[i];
        }
    }
    return NULL;
}

/* A slot for code, which failed: a free one, else the next in turn gives way. */
static struct watch *watch_new(struct host *h, uint32_t code, uint32_t ts)
{
    struct watch *w = watch_find(h, 0);

    if (w == NULL) {
        w = &h->watch[h->next_watch];
        h->next_watch = (uint8_t)((h->next_watch + 1) % WATCH_SLOTS);
    }
    memset(w, 0, sizeof(*w));
    w->code = code;
    w->start_s = ts;
    return w;
}

/* Moves w's windows of window_s seconds on to the one holding ts (a late ts stays current). */
static void watch_roll(struct watch *w, uint32_t ts, uint32_t window_s)
{
    if (ts >= w->start_s && ts - w->start_s >= window_s) {
        uint32_t n = (ts - w->start_s) / window_s;

        w->pfail = n == 1 ? w->fail : 0;
        w->pall = n == 1 ? w->all : 0;
        w->pans = n == 1 ? w->ans : 0;
        w->fail = w->all = w->ans = 0;
        w->start_s += n * window_s;
    }
}

/* Counts an attempt at ts in w's windows of window_s seconds (a late one in the current). */
static void watch_count(struct watch *w, uint32_t ts, uint32_t window_s, bool failed)
{
    watch_roll(w, ts, window_s);
    if (w->all < UINT16_MAX) {
        w->all++;
        w->fail += failed;
    }
}

/* ---- tails: the attempts a fan counted after its last detection ---- */

/*
 * After a detection (f->reported_ms set), an attempt that does not fire is kept as the last
 * of the fan's tail (key: the fan's), which the fan's expiry reports unless a next detection
 * does.
 */
static int keep_tail(struct flow_host *fh, const struct fan *f, const unsigned char *key,
                     const struct cm_event *ev, const struct cm_flow_view *v)
{
    struct cm_flow_kept *k;
    bool created;

    if (f->reported_ms == INT64_MIN) {
        return CM_OK;
    }
    if ((k = cm_state_touch(fh->kept, key, FAN_KEY_LEN, ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    if (created || k->time_ms == INT64_MIN || ev->time_ms >= k->time_ms) {
        cm_flow_kept_set(k, ev, v->resource); /* a later one kept stays: lastSeen */
    }
    return CM_OK;
}

/* What a fan's expiry needs to report its tail. */
struct tail_ctx {
    struct flow_host *fh;
    struct cm_sink *sink;
    int rc; /* the first emission's error */
};

/*
 * A fan expires: the attempts after its last detection are reported from the last of them,
 * its type and additionalInfo the fan's (PortSweep's scanned port, from the key).
 */
static void fan_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const struct fan *f = val;
    const unsigned char *kb = key;
    struct cm_flow_kept *k = cm_state_get(c->fh->kept, key, klen);
    struct cm_flow_view v;
    struct cm_detection d;
    struct cm_event ev;
    uint16_t port;

    if (k != NULL && c->rc == 0 && f->reported_ms != INT64_MIN && f->pending > 0 &&
        cm_flow_kept_event(k, &ev, &v.resource)) {
        v.outbound = true; /* the instance's own connections only */
        memcpy(&port, kb + 10, sizeof(port));
        if (kb[8] == FAN_SWEEP) {
            snprintf(c->fh->info, sizeof(c->fh->info), "{\"scannedPort\":%u}", (unsigned)port);
        } else {
            snprintf(c->fh->info, sizeof(c->fh->info), "{\"unusual\":25}");
        }
        cm_flow_detection(&d, &ev, &v, kb[8] == FAN_SWEEP ? TYPE_SWEEP : TYPE_SPAM);
        d.count = f->pending;
        d.first_ms = f->first_ms < d.time_ms ? f->first_ms : d.time_ms;
        d.info = cm_str_cstr(c->fh->info);
        d.record_key = k->key;
        c->rc = cm_sink_emit(c->sink, &d);
    }
    cm_state_del(c->fh->kept, key, klen);
}

int cm_flow_host_expire_fans(struct flow_host *fh, int64_t watermark_ms, struct cm_sink *sink)
{
    struct tail_ctx c = {fh, sink, CM_OK};

    cm_state_expire(fh->fans, watermark_ms, fan_expired, &c);
    return c.rc;
}

void cm_flow_host_fan_evicted(void *ud, const void *key, size_t klen, void *val)
{
    struct flow_host *fh = ud;

    (void)val;
    cm_state_del(fh->kept, key, klen);
}

/* A kept record read back: a fan key (a purpose, FAN_SWEEP or FAN_SPAM) and a record. */
static bool kept_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const unsigned char *k = key;

    (void)ud;
    return klen == FAN_KEY_LEN && k[8] <= FAN_SPAM && cm_flow_kept_valid(val);
}

static const struct cm_state_codec kept_codec = {.check = kept_check, .refs = cm_flow_kept_refs};

int cm_flow_host_kept_save(const struct flow_host *fh, struct cm_ckpt_w *w)
{
    return cm_state_save(fh->kept, w, &kept_codec);
}

int cm_flow_host_kept_load(struct flow_host *fh, struct cm_ckpt_r *r)
{
    return cm_state_load(fh->kept, r, &kept_codec);
}

/*
 * Whether w's failures are at least pct % of its attempts. A UDP request is judged
 * failed by its size alone (one or two datagrams), so each record of a host answering from
 * the port cancels one failure: an answered request reached a service.
 */
static bool watch_mostly_failed(const struct watch *w, uint32_t pct)
{
    uint64_t fail = (uint64_t)w->fail + w->pfail, ans = (uint64_t)w->ans + w->pans;

    fail = fail > ans ? fail - ans : 0;
    return fail * 100 >= (uint64_t)pct * ((uint64_t)w->all + w->pall);
}

void cm_flow_host_sweep_answer(struct flow_host *fh, struct host *h, const struct cm_flow_view *v,
                               int64_t t)
{
    struct watch *w = watch_find(h, (uint32_t)UDP << 16 | (uint16_t)v->remote_port);
    uint32_t ts = cm_flow_host_secs(t);

    if (w == NULL) {
        return; /* the port has not failed lately: nothing to weigh */
    }
    watch_roll(w, ts, fh->sweep_s);
    if (w->ans < UINT16_MAX) {
        w->ans++;
    }
}

int cm_flow_host_sweep(struct flow_host *fh, struct host *h, const struct cm_event *ev,
                       const struct cm_flow_view *v, struct cm_sink *sink)
{
    const struct cm_flow *fl = v->fl;
    uint16_t port = (uint16_t)v->remote_port;
    uint8_t proto = (uint8_t)fl->protocol;
    uint32_t code = (uint32_t)proto << 16 | port, ts = cm_flow_host_secs(ev->time_ms), n;
    unsigned char key[FAN_KEY_LEN];
    int64_t t = ev->time_ms;
    struct watch *w = watch_find(h, code);
    struct fan *f;
    bool seen;
    int rc;

    if ((rc = conn_seen(fh, v, t, &seen)) != CM_OK) {
        return rc;
    }
    if (seen) {
        return CM_OK; /* a later slice of a connection counted before: not an attempt */
    }
    if (!failed_attempt(fl, v->remote_port)) {
        /* A success only counts toward the ratio of a port that failed lately. */
        if (w != NULL) {
            watch_count(w, ts, fh->sweep_s, false);
        }
        return CM_OK;
    }
    if (w == NULL) {
        w = watch_new(h, code, ts);
    }
    watch_count(w, ts, fh->sweep_s, true);
    fan_key(fh, v, FAN_SWEEP, proto, port, key);
    if ((f = fan_touch(fh, key, t)) == NULL) {
        return CM_ENOMEM;
    }
    n = fan_add(fh, f, v->remote, ts, fh->sweep_s);
    if (f->pending == 0 || t < f->first_ms) {
        f->first_ms = t;
    }
    f->pending++;
    if (n < fh->t.sweep_hosts || !watch_mostly_failed(w, fh->t.sweep_fail_pct) ||
        (f->reported_ms != INT64_MIN && t < f->reported_ms + fh->t.sweep_window_ms)) {
        return keep_tail(fh, f, key, ev, v);
    }
    n = f->pending;
    f->pending = 0;
    f->reported_ms = t;
    cm_state_del(fh->kept, key, FAN_KEY_LEN);
    snprintf(fh->info, sizeof(fh->info), "{\"scannedPort\":%u}", (unsigned)port);
    return cm_flow_host_emit(fh, ev, v, TYPE_SWEEP, n, f->first_ms, 0.0, sink);
}

/* ---- Spambot ---- */

int cm_flow_host_spam(struct flow_host *fh, struct host *h, bool learned, const struct cm_event *ev,
                      const struct cm_flow_view *v, struct cm_sink *sink)
{
    unsigned char key[FAN_KEY_LEN];
    int64_t t = ev->time_ms;
    uint32_t ts = cm_flow_host_secs(t), n;
    struct fan *f;

    if (h->flags & H_SMTP) {
        return CM_OK;
    }
    if (!learned ||
        ((h->flags & H_SPAM) && ts >= h->spam_since_s && ts - h->spam_since_s >= fh->learn_s)) {
        h->flags |= H_SMTP; /* mail while learning, or for a learning period since: history */
        return CM_OK;
    }
    fan_key(fh, v, FAN_SPAM, TCP, 25, key);
    if ((f = fan_touch(fh, key, t)) == NULL) {
        return CM_ENOMEM;
    }
    n = fan_add(fh, f, v->remote, ts, fh->spam_s);
    if (f->pending == 0 || t < f->first_ms) {
        f->first_ms = t;
    }
    f->pending++;
    if (n < fh->t.spam_hosts ||
        (f->reported_ms != INT64_MIN && t < f->reported_ms + fh->t.spam_window_ms)) {
        return keep_tail(fh, f, key, ev, v);
    }
    n = f->pending;
    f->pending = 0;
    f->reported_ms = t;
    cm_state_del(fh->kept, key, FAN_KEY_LEN);
    if (!(h->flags & H_SPAM)) {
        h->flags |= H_SPAM;
        h->spam_since_s = ts;
    }
    snprintf(fh->info, sizeof(fh->info), "{\"unusual\":25}");
    return cm_flow_host_emit(fh, ev, v, TYPE_SPAM, n, f->first_ms, 0.0, sink);
}
