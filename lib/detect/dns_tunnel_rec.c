/*
 * Trojan:EC2/DNSDataExfiltration, the report at expiry (dns_tunnel.c has
 * the rules; docs/detectors/dns-tunnel.md, "Order of arrival"). The last
 * counted query of a window entry that has fired (struct cm_dns_kept,
 * dns_kept.h) is kept, so that the queries it counted after its last
 * detection - held by the rate limit for a next detection that does not
 * come: the tunnel stopped within the hour, or the input ended - are
 * reported when the entry expires (on_tick; the end of input too), with
 * the query a detection is built from. An instance's spread entry that
 * has fired does the same with the queries its domains handed it since;
 * an expiring domain entry first settles what it handed (dns_tunnel_spread.c).
 * No I/O, no allocation.
 */
#include "detect/dns_tunnel_impl.h"

#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/dns.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"

/* Reports e's pending queries as one detection built from ev, its info the n bytes of
 * st->info; they are pending no more. */
static void emit_pending(struct cm_dns_tunnel_expiry *x, struct entry *e, const struct cm_event *ev,
                         size_t n)
{
    struct cm_detection det;

    cm_dns_detection(&det, ev, TYPE);
    det.count = e->pending;
    det.first_ms = e->first_ms < ev->time_ms ? e->first_ms : ev->time_ms;
    det.info = cm_str_make(x->st->info, n);
    e->pending = 0;
    x->rc = cm_sink_emit(x->sink, &det);
}

/*
 * The spread entry x of instance inst, expiring: the queries its domains
 * handed it after its detection are reported now, built from the last of
 * them (their domain's entries settle them out of their slow entries:
 * cm_dns_tunnel_settle).
 */
static void expire_spread(struct cm_dns_tunnel_expiry *x, struct entry *e, struct cm_str inst)
{
    struct dns_tunnel *st = x->st;
    struct cm_event *ev = &st->ev;
    struct cm_str name, dom;
    size_t n;

    if (!cm_dns_kept_event(&e->last, inst, ev)) {
        return;
    }
    name = ev->u.dns.query_name;
    name.len -= name.len > 0 && name.p[name.len - 1] == '.'; /* as logged: a final dot */
    dom = e->longest > 0 && e->longest <= name.len
              ? cm_str_make(name.p + name.len - e->longest, e->longest)
              : name;
    n = cm_dns_tunnel_spread_describe(st, e, dom);
    emit_pending(x, e, ev, n);
}

/*
 * The entry e of key (klen bytes), expiring: the queries it counted after
 * its last detection are reported now, built from the last of them (the
 * rate limit held them for a next detection that will not come: the
 * tunnel stopped, or the input ended). An entry that never fired has
 * nothing to report; what it handed its instance's spread entry is settled
 * first (the spread entry's report holds it, or the slow entry does). An
 * instance's spread entry (key "instance\0") reports the same way.
 */
void cm_dns_tunnel_expire_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct cm_dns_tunnel_expiry *x = ud;
    struct dns_tunnel *st = x->st;
    struct entry *e = val;
    const char *k = key;
    size_t ilen = strnlen(k, klen);
    struct cm_event *ev = &st->ev;
    struct cm_str dom;
    uint32_t names, bytes, data_names;
    size_t n;
    struct slow *sl;

    if (x->rc != CM_OK || ilen >= klen || cm_dns_tunnel_search_key(k, klen)) {
        return; /* a suffix's entry reports nothing */
    }
    if (ilen + 1 == klen) {
        if (e->reported_ms != INT64_MIN && e->pending > 0) {
            expire_spread(x, e, cm_str_make(k, ilen));
        }
        return;
    }
    memcpy(st->key, key, klen);
    if (e->sp_given > 0) {
        cm_dns_tunnel_settle(st, klen, e->last_ms, e, cm_state_get(st->keys, k, ilen + 1), NULL,
                             SETTLE_WINDOW_END);
    }
    if (e->reported_ms == INT64_MIN || e->pending == 0 ||
        !cm_dns_kept_event(&e->last, cm_str_make(k, ilen), ev)) {
        return;
    }
    dom = cm_str_make(k + ilen + 1, klen - ilen - 1);
    sl = cm_dns_tunnel_slow_get(st, klen);
    if (sl != NULL && sl->reported_ms != INT64_MIN && sl->reported_ms == e->reported_ms) {
        n = cm_dns_tunnel_slow_describe(st, sl, dom); /* a slow detection's tail: its measures */
    } else {
        (void)cm_dns_tunnel_crossed(st, e, &names, &bytes, &data_names);
        n = cm_dns_tunnel_describe(st, e, dom, names, bytes, data_names);
    }
    if (sl != NULL) {
        cm_dns_tunnel_slow_fired(sl, ev->time_ms); /* these queries are reported here */
    }
    emit_pending(x, e, ev, n);
}
