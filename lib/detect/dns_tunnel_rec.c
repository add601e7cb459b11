/*
 * Trojan:EC2/DNSDataExfiltration, the report at expiry (dns_tunnel.c has
 * the rules; docs/detectors/dns-tunnel.md, "Order of arrival"). The last
 * counted query of a window entry that has fired (struct cm_dns_kept,
 * dns_kept.h) is kept, so that the queries it counted after its last
 * detection - held by the rate limit for a next detection that does not
 * come: the tunnel stopped within the hour, or the input ended - are
 * reported when the entry expires (on_tick; the end of input too), with
 * the query a detection is built from. No I/O, no allocation.
 */
#include "detect/dns_tunnel_impl.h"

#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/dns.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"

/*
 * The entry e of key (klen bytes), expiring: the queries it counted after
 * its last detection are reported now, built from the last of them (the
 * rate limit held them for a next detection that will not come: the
 * tunnel stopped, or the input ended). An entry that never fired has
 * nothing to report. An instance's spread entry (key "instance\0") keeps
 * no query: what it held after its detection stays unreported (its domains
 * take back what it did not report when they fire on their own).
 */
void cm_dns_tunnel_expire_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct cm_dns_tunnel_expiry *x = ud;
    struct dns_tunnel *st = x->st;
    struct entry *e = val;
    const char *k = key;
    size_t ilen = strnlen(k, klen);
    struct cm_detection det;
    struct cm_event *ev = &st->ev;
    struct cm_str dom;
    uint32_t names, bytes, data_names;
    size_t n;
    struct slow *sl;

    if (x->rc != CM_OK || e->reported_ms == INT64_MIN || e->pending == 0 || ilen + 1 >= klen ||
        !cm_dns_kept_event(&e->last, cm_str_make(k, ilen), ev)) {
        return;
    }
    dom = cm_str_make(k + ilen + 1, klen - ilen - 1);
    memcpy(st->key, key, klen);
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
    cm_dns_detection(&det, ev, TYPE);
    det.count = e->pending;
    det.first_ms = e->first_ms < ev->time_ms ? e->first_ms : ev->time_ms;
    det.info = cm_str_make(st->info, n);
    e->pending = 0;
    x->rc = cm_sink_emit(x->sink, &det);
}
