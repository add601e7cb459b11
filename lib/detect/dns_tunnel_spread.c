/*
 * Trojan:EC2/DNSDataExfiltration, the spread rule (dns_tunnel.c has the
 * per-domain ones; docs/detectors/dns-tunnel.md the reasoning): one session
 * spread over look-alike domains, each under every per-domain threshold
 * (RogueRobin). A domain with SPREAD_MIN encoded names not reported on its
 * own hands its queries to its instance's spread entry (keyed
 * "instance\0"), which fires when spread_domains such domains reach
 * many_names and many_bytes together within window_ms.
 * cm_dns_tunnel_settle keeps every query reported once across the spread,
 * the domain's windows and its slow entry. No I/O, no allocation but the
 * state table's.
 */
#include <stdio.h>

#include "base/err.h"
#include "detect/dns.h"
#include "detect/dns_tunnel_impl.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"

/*
 * Every query is reported once: the queries domain entry e handed to its
 * instance's spread entry x (NULL: gone) since x's detection at
 * e->sp_epoch (INT64_MIN: none) leave e's pending count when x has
 * reported them - x has fired since (its reported_ms moved), or it has
 * expired after a detection (an entry that fired reports its pending
 * queries as it expires: cm_dns_tunnel_expire_cb), or, at the end of e's
 * window (how SETTLE_WINDOW_END), x still holds them after its detection
 * and will report them - and they leave the pending count of the pair's
 * slow entry sl (NULL: looked up then), which holds the current query, of
 * time t, when it is encoded (keep: the count never goes under it). Else,
 * with SETTLE_TAKE_BACK (e is about to report them itself) or
 * SETTLE_WINDOW_END (e's window ends and drops them, and x has not fired:
 * the slow entry still holds them), they leave x's pending count. The slow
 * entry counts encoded queries only: a data-bearing query the spread
 * reported leaves it one too few, never one counted twice.
 */
void cm_dns_tunnel_settle(struct dns_tunnel *st, size_t klen, int64_t t, struct entry *e,
                          struct entry *x, struct slow *sl, enum cm_dns_tunnel_settle how)
{
    bool reported;

    if (e->sp_given == 0) {
        return;
    }
    reported = x != NULL ? x->reported_ms != e->sp_epoch : e->sp_epoch != INT64_MIN;
    if (reported || (how == SETTLE_WINDOW_END && x != NULL && x->reported_ms != INT64_MIN)) {
        uint32_t keep = sl != NULL;

        e->pending -= e->sp_given < e->pending ? e->sp_given : e->pending;
        if (sl != NULL || (sl = cm_dns_tunnel_slow_get(st, klen)) != NULL) {
            uint32_t room = sl->pending > keep ? sl->pending - keep : 0;

            sl->pending -= e->sp_given < room ? e->sp_given : room;
            if (sl->pending <= keep) {
                sl->first_ms = t; /* the current query is all that is left */
            } else if (reported && x != NULL && sl->first_ms <= x->reported_ms) {
                sl->first_ms = x->reported_ms + 1; /* the rest came after the spread's */
            }
        }
    } else if (how != SETTLE_JOIN) {
        if (x != NULL) {
            x->pending -= e->sp_given < x->pending ? e->sp_given : x->pending;
        }
    } else {
        return;
    }
    e->sp_given = 0;
}

size_t cm_dns_tunnel_spread_describe(struct dns_tunnel *st, const struct entry *x,
                                     struct cm_str dom)
{
    size_t n = 0, cap = sizeof(st->info);
    double minutes = (double)(x->last_ms - x->start_ms) / 60000.0;
    int k;

    n = (size_t)snprintf(st->info, cap, "{\"domain\":\"");
    cm_dns_tunnel_put_escaped(st->info, cap, &n, dom);
    k = snprintf(st->info + n, cap - n,
                 "\",\"spread\":true,\"domains\":%u,\"uniqueSubdomains\":%u,\"queries\":%u,"
                 "\"bytes\":%u,\"queriesPerMinute\":%.1f,\"windowSeconds\":%lld}",
                 (unsigned)x->domains, x->names, x->queries, x->bits / 8,
                 x->queries / (minutes < 1.0 ? 1.0 : minutes), (long long)(st->t.window_ms / 1000));
    n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    return n;
}

/*
 * The query of ev counted under the (instance, domain) entry at st->key
 * (klen bytes; its first ilen are the instance's key, "instance\0"), a
 * domain with SPREAD_MIN encoded items not reported on its own: adds what
 * is new of it to the instance's spread entry, which fires when
 * spread_domains such domains together reach many_names and many_bytes.
 */
int cm_dns_tunnel_spread(struct dns_tunnel *st, const struct cm_event *ev, size_t ilen, size_t klen,
                         struct slow *sl, struct cm_sink *sink)
{
    int64_t t = ev->time_ms, from;
    struct cm_str dom = cm_str_make(st->key + ilen, klen - ilen);
    struct cm_detection det;
    struct entry *x, *e;
    uint32_t names, bits, give;

    bool lone;

    /*
     * A window of a domain that joined its instance's spread with one name so
     * far: its queries count only as the tail of the spread's detection.
     */
    if ((e = cm_state_get(st->keys, st->key, klen)) == NULL) {
        return CM_OK;
    }
    lone = e->names < SPREAD_MIN;
    if (lone &&
        ((x = cm_state_get(st->keys, st->key, ilen)) == NULL || x->reported_ms == INT64_MIN)) {
        return CM_OK;
    }
    if ((x = cm_dns_tunnel_touch(st, ilen, t)) == NULL) {
        return CM_ENOMEM;
    }
    /* The domain's entry again: touching the instance's may have evicted it (a tiny memcap). */
    if ((e = cm_state_get(st->keys, st->key, klen)) == NULL) {
        return CM_OK;
    }
    /* What the domain adds now: its answers may stop counting (answers_data). */
    names = e->names;
    bits = e->bits;
    if (!cm_dns_tunnel_answers_data(e)) {
        names = names > e->answers ? names - e->answers : 0;
        bits = bits > e->ans_bits ? bits - e->ans_bits : 0;
    }
    cm_dns_tunnel_settle(st, klen, t, e, x, sl, SETTLE_JOIN);
    give = 1;
    if (lone) {
        /* the tail: what the window has not handed yet, no measure (it joins at SPREAD_MIN) */
        give = e->pending - e->sp_given;
        names = e->sp_names;
        bits = e->sp_bits;
    } else if (e->sp_window != x->start_ms) {
        if (names < SPREAD_MIN) {
            return CM_OK;
        }
        e->sp_window = x->start_ms;
        e->sp_names = e->sp_bits = 0;
        x->domains = cm_dns_tunnel_inc16(x->domains);
        if (x->reported_ms == INT64_MIN && e->sp_epoch == INT64_MIN) {
            e->sp_given = 0; /* handed to a window that ended unreported: the domain's again */
        }
        give = e->pending - e->sp_given; /* joining: the domain's queries so far */
    }
    x->names = x->names - e->sp_names + names;
    x->bits = x->bits - e->sp_bits + bits;
    e->sp_names = names;
    e->sp_bits = bits;
    from = give > 1 && e->first_ms < t ? e->first_ms : t;
    if (x->pending == 0 || from < x->first_ms) {
        x->first_ms = from;
    }
    e->sp_given += give;
    e->sp_epoch = x->reported_ms;
    x->pending += give;
    x->queries += give;
    if (t > x->last_ms) {
        x->last_ms = t;
    }
    if (x->reported_ms != INT64_MIN && t >= x->last.time_ms) {
        /* what a report at expiry is built from; longest: its registered domain's length */
        cm_dns_kept_set(&x->last, ev, dom);
        x->longest = (uint16_t)dom.len;
    }
    if ((x->reported_ms != INT64_MIN && t < x->reported_ms + st->t.window_ms) ||
        x->domains < st->t.spread_domains || x->names < st->t.many_names ||
        x->bits / 8 < st->t.many_bytes) {
        return CM_OK;
    }
    cm_dns_detection(&det, ev, TYPE);
    det.count = x->pending;
    det.first_ms = x->first_ms < t ? x->first_ms : t;
    det.info = cm_str_make(st->info, cm_dns_tunnel_spread_describe(st, x, dom));
    x->pending = 0;
    x->reported_ms = t;
    return cm_sink_emit(sink, &det);
}
