/*
 * The unusual-thing episodes of the per-instance flow detector (flow_host.c
 * has the contract; docs/detectors/vpcflow-host.md the reasoning):
 * Behavior:EC2/NetworkPortUnusual and DefenseEvasion:EC2/UnusualDNSResolver,
 * UnusualDoHActivity and UnusualDoTActivity. A thing the learned history
 * lacks fires and opens an episode in the instance's entry; its further
 * connections are reported at most once per report_ms with the count since
 * the previous report. The connections counted after the latest report (the
 * tail) are kept as the last of them (struct cm_flow_kept) in the nkept
 * table, whose entries expire report_ms after their last connection: the
 * expiry (also at the end of input) reports them, as does the episode's end
 * or its slot's reuse. No I/O, no allocation but the tables'.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow_host_impl.h"
#include "detect/flow_kept.h"

/*
 * The type, severity and additionalInfo (into fh->info) of unusual thing (kind, what) seen
 * to remote; r is the resolver entry for resolver kinds.
 */
static const char *describe(struct flow_host *fh, enum kind kind, uint16_t what,
                            const struct cm_ip *remote, const struct cm_resolver *r,
                            double *severity)
{
    static const char *const resolver_type[] = {TYPE_DNS, TYPE_DOH, TYPE_DOT};
    char addr[64];

    *severity = 0.0;
    if (kind == K_PORT) {
        if (what == 389 || what == 1389) {
            *severity = SEV_HIGH;
            snprintf(fh->info, sizeof(fh->info),
                     "{\"unusual\":%u,\"context\":\"Possible log4j callback\"}", (unsigned)what);
        } else {
            snprintf(fh->info, sizeof(fh->info), "{\"unusual\":%u}", (unsigned)what);
        }
        return TYPE_PORT;
    }
    cm_ip_format(remote, addr, sizeof(addr));
    snprintf(fh->info, sizeof(fh->info), "{\"unusual\":\"%s\",\"provider\":\"%s\"}", addr,
             r != NULL ? r->provider : "");
    return resolver_type[kind - K_DNS];
}

/* ---- tails: the connections an episode counted after its latest report ---- */

/* The nkept key of resource's episode (kind, what). */
static void novel_key(const struct flow_host *fh, struct cm_str resource, enum kind kind,
                      uint16_t what, unsigned char key[NOVEL_KEY_LEN])
{
    uint64_t h = cm_hash64(resource.p, resource.len, fh->seed);

    memcpy(key, &h, sizeof(h));
    key[8] = (uint8_t)kind;
    memcpy(key + 9, &what, sizeof(what));
}

/* Keeps request record ev (seen as v) as the last connection of episode key's tail. */
static int novel_keep(struct flow_host *fh, const unsigned char key[NOVEL_KEY_LEN],
                      const struct cm_event *ev, const struct cm_flow_view *v)
{
    bool created;
    struct cm_flow_kept *k = cm_state_touch(fh->nkept, key, NOVEL_KEY_LEN, ev->time_ms, &created);

    if (k == NULL) {
        return CM_ENOMEM;
    }
    if (created || k->time_ms == INT64_MIN || ev->time_ms >= k->time_ms) {
        cm_flow_kept_set(k, ev, v->resource); /* a later one kept stays: lastSeen */
    }
    return CM_OK;
}

/*
 * Reports the pending connections of episode n (kind, what in key) from kept record k, the
 * last of them; nothing when none is pending or none was kept. n's pending count goes.
 */
static int novel_report_kept(struct flow_host *fh, struct novel *n, const struct cm_flow_kept *k,
                             const unsigned char key[NOVEL_KEY_LEN], struct cm_sink *sink)
{
    const struct cm_resolver *r = NULL;
    struct cm_flow_view v;
    struct cm_detection d;
    struct cm_event ev;
    enum kind kind = (enum kind)key[8];
    uint16_t what;
    unsigned provider;
    double sev;
    const char *type;

    if (n->pending == 0 || k == NULL || !cm_flow_kept_event(k, &ev, &v.resource)) {
        return CM_OK;
    }
    memcpy(&what, key + 9, sizeof(what));
    if (kind != K_PORT) {
        r = cm_resolver_set_find(fh->resolvers, &ev.u.flow.dst, &provider);
    }
    type = describe(fh, kind, what, &ev.u.flow.dst, r, &sev);
    v.outbound = true; /* the instance's own connections only */
    cm_flow_detection(&d, &ev, &v, type);
    d.count = n->pending;
    d.first_ms = (int64_t)n->first_s * 1000 < d.time_ms ? (int64_t)n->first_s * 1000 : d.time_ms;
    d.severity = sev;
    d.info = cm_str_cstr(fh->info);
    d.record_key = k->key;
    n->pending = 0;
    return cm_sink_emit(sink, &d);
}

/* Reports episode n's tail (of resource) when it has one, and drops its kept record. */
static int novel_report_tail(struct flow_host *fh, struct novel *n, struct cm_str resource,
                             struct cm_sink *sink)
{
    unsigned char key[NOVEL_KEY_LEN];
    int rc;

    novel_key(fh, resource, (enum kind)n->kind, n->what, key);
    rc = novel_report_kept(fh, n, cm_state_get(fh->nkept, key, NOVEL_KEY_LEN), key, sink);
    cm_state_del(fh->nkept, key, NOVEL_KEY_LEN);
    return rc;
}

/* What the nkept table's expiry needs to report the tails. */
struct tail_ctx {
    struct flow_host *fh;
    struct cm_sink *sink;
    int rc; /* the first emission's error */
};

static struct novel *novel_find(struct host *h, enum kind kind, uint16_t what)
{
    for (int i = 0; i < NOVEL_SLOTS; i++) {
        if (h->novel[i].kind == kind && h->novel[i].what == what) {
            return &h->novel[i];
        }
    }
    return NULL;
}

/*
 * A kept record expires, report_ms after the last connection of its episode's tail: the
 * connections counted since the episode's latest report are reported from it (nothing when
 * the instance's entry or the episode is gone, or a report took them since).
 */
static void nkept_expired(void *ud, const void *key, size_t klen, void *val)
{
    struct tail_ctx *c = ud;
    const unsigned char *kb = key;
    struct cm_flow_kept *k = val;
    struct cm_event ev;
    struct cm_str res;
    struct host *h;
    struct novel *n;
    uint16_t what;

    if (c->rc != 0 || klen != NOVEL_KEY_LEN || !cm_flow_kept_event(k, &ev, &res) ||
        (h = cm_state_get(c->fh->hosts, res.p, res.len)) == NULL) {
        return;
    }
    memcpy(&what, kb + 9, sizeof(what));
    if ((n = novel_find(h, (enum kind)kb[8], what)) != NULL) {
        c->rc = novel_report_kept(c->fh, n, k, kb, c->sink);
    }
}

int cm_flow_host_expire_novel(struct flow_host *fh, int64_t watermark_ms, struct cm_sink *sink)
{
    struct tail_ctx c = {fh, sink, CM_OK};

    cm_state_expire(fh->nkept, watermark_ms, nkept_expired, &c);
    return c.rc;
}

/* A kept record read back: an episode key (an enum kind) and a record. */
static bool nkept_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const unsigned char *k = key;

    (void)ud;
    return klen == NOVEL_KEY_LEN && k[8] >= K_PORT && k[8] <= K_DOT && cm_flow_kept_valid(val);
}

static const struct cm_state_codec nkept_codec = {.check = nkept_check, .refs = cm_flow_kept_refs};

int cm_flow_host_nkept_save(const struct flow_host *fh, struct cm_ckpt_w *w)
{
    return cm_state_save(fh->nkept, w, &nkept_codec);
}

int cm_flow_host_nkept_load(struct flow_host *fh, struct cm_ckpt_r *r)
{
    return cm_state_load(fh->nkept, r, &nkept_codec);
}

/* ---- episodes ---- */

static bool novel_over(const struct flow_host *fh, const struct novel *n, uint32_t ts)
{
    return n->kind == K_FREE || (ts >= n->since_s && ts - n->since_s >= fh->learn_s);
}

int cm_flow_host_novel_start(struct flow_host *fh, struct host *h, enum kind kind, uint16_t what,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const struct cm_resolver *r, struct cm_sink *sink)
{
    uint32_t ts = cm_flow_host_secs(ev->time_ms);
    struct novel *n = NULL;
    const char *type;
    double sev;
    int rc;

    for (int i = 0; i < NOVEL_SLOTS && n == NULL; i++) {
        if (novel_over(fh, &h->novel[i], ts)) {
            n = &h->novel[i];
        }
    }
    if (n == NULL) {
        n = &h->novel[0]; /* all busy: the oldest episode gives way */
        for (int i = 1; i < NOVEL_SLOTS; i++) {
            if (h->novel[i].since_s < n->since_s) {
                n = &h->novel[i];
            }
        }
    }
    /* The episode that had the slot reports its tail first. */
    if (n->kind != K_FREE && (rc = novel_report_tail(fh, n, v->resource, sink)) != 0) {
        return rc;
    }
    n->kind = (uint8_t)kind;
    n->what = what;
    n->since_s = n->reported_s = n->first_s = ts;
    n->pending = 0;
    type = describe(fh, kind, what, v->remote, r, &sev);
    return cm_flow_host_emit(fh, ev, v, type, 1, ev->time_ms, sev, sink);
}

int cm_flow_host_novel_again(struct flow_host *fh, struct host *h, enum kind kind, uint16_t what,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const struct cm_resolver *r, struct cm_sink *sink)
{
    uint32_t ts = cm_flow_host_secs(ev->time_ms);
    struct novel *n = novel_find(h, kind, what);
    unsigned char key[NOVEL_KEY_LEN];
    const char *type;
    uint32_t count;
    double sev;
    int rc;

    if (n == NULL) {
        return CM_OK;
    }
    if (novel_over(fh, n, ts)) {
        rc = novel_report_tail(fh, n, v->resource, sink);
        n->kind = K_FREE; /* it has been around for a learning period: history now */
        return rc;
    }
    if (n->pending == 0 || ts < n->first_s) {
        n->first_s = ts;
    }
    n->pending++;
    novel_key(fh, v->resource, kind, what, key);
    if (ts < n->reported_s || ts - n->reported_s < fh->report_s) {
        return novel_keep(fh, key, ev, v); /* the tail's last, for the expiry to report */
    }
    count = n->pending;
    n->pending = 0;
    n->reported_s = ts;
    cm_state_del(fh->nkept, key, NOVEL_KEY_LEN);
    type = describe(fh, kind, what, v->remote, r, &sev);
    return cm_flow_host_emit(fh, ev, v, type, count, (int64_t)n->first_s * 1000, sev, sink);
}
