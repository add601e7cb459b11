/*
 * Trojan:EC2/DNSDataExfiltration, the slow rule (dns_tunnel.c has the
 * others; docs/detectors/dns-tunnel.md the reasoning).
 *
 * A tunnel can trickle: one name every ten minutes, or one an hour, never
 * the 8 names and 200 bytes of one window, and still carry kilobytes a
 * day. So each (instance, registered domain) that asks encoded names also
 * has a slow entry over slow_window_ms (24 h from its first encoded query,
 * then a new period): the distinct encoded names (64 exact hashes, then a
 * 128-register HyperLogLog: exact at the threshold) and the data bits of every
 * encoded query, for their mean. It fires when the period holds slow_names
 * distinct names carrying slow_bytes (distinct names x mean bytes a name),
 * unless the pair's windows fired within the last slow period (they report
 * those queries themselves), once per slow period. The pair's queries after a
 * slow detection are reported as its window entry expires, as after a window
 * detection: the detection marks the entry (reported_ms), and so does a slow
 * entry that reported within its period for a window entry made later.
 *
 * Counts: a slow detection reports the period's encoded queries not yet
 * reported, and takes the current window's pending queries with it (the
 * window entry's pending count goes to 0, and what it had handed to its
 * instance's spread entry unreported comes back: dns_tunnel.c settles it
 * first), so a later window detection reports only what came after; a
 * window detection clears the slow entry's pending count; the queries a
 * domain handed to its instance's spread entry leave it once the spread
 * has reported them (cm_dns_tunnel_settle, dns_tunnel_spread.c), so a
 * domain that trickles on after a spread detection is reported for what
 * came after.
 *
 * State: SLOW_TIERS cm_state tables besides the window's, same key, 320
 * bytes of value (about 420 with the key and the table's overhead), TTL
 * slow_window_ms. Tier i holds the entries with [2^i, 2^(i+1)) distinct
 * names in their period; together they hold at most max_entries, and a new
 * entry evicts (counted) the least recently seen entry of the lowest tier
 * that has one. So one-off encoded names under ever new domains (a flood
 * from the tunnel's own instance) evict each other, never an entry that has
 * collected names: that takes max_entries entries of as many names. Entries
 * exist for pairs that asked an encoded name in the period: a few per
 * instance.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/hll.h"
#include "detect/ckpt.h"
#include "detect/dns.h"
#include "detect/dns_tunnel_impl.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"

static void period_reset(struct slow *s, int64_t t)
{
    s->start_ms = s->last_ms = s->first_ms = t;
    s->queries = s->pending = 0;
    s->sum_bits = 0;
    s->names = 0;
    s->full = 0;
    memset(&s->u, 0, sizeof(s->u));
}

/* The tier of an entry with names distinct names (full: past the exact set). */
static size_t tier_of(const struct slow *s)
{
    size_t i = 0;

    if (s->full) {
        return SLOW_TIERS - 1;
    }
    for (uint32_t n = s->names; n > 1 && i < SLOW_TIERS - 1; n >>= 1) {
        i++;
    }
    return i;
}

struct slow *cm_dns_tunnel_slow_get(const struct dns_tunnel *st, size_t klen)
{
    for (size_t i = SLOW_TIERS; i-- > 0;) {
        struct slow *s = cm_state_get(st->slow[i], st->key, klen);

        if (s != NULL) {
            return s;
        }
    }
    return NULL;
}

size_t cm_dns_tunnel_slow_entries(const struct dns_tunnel *st)
{
    size_t n = 0;

    for (size_t i = 0; i < SLOW_TIERS; i++) {
        n += (size_t)cm_state_stats(st->slow[i])->entries;
    }
    return n;
}

void cm_dns_tunnel_slow_trim(struct dns_tunnel *st, size_t room)
{
    size_t n = cm_dns_tunnel_slow_entries(st);

    for (size_t i = 0; i < SLOW_TIERS && n + room > st->t.max_entries; i++) {
        while (n + room > st->t.max_entries && cm_state_evict_oldest(st->slow[i])) {
            n--;
        }
    }
}

/*
 * The entry of st->key[0..klen), touched at t in its tier; a new one goes to
 * tier 0 once the lowest tier with an entry has given one up for it.
 */
static struct slow *slow_touch(struct dns_tunnel *st, size_t klen, int64_t t, size_t *tier,
                               bool *created)
{
    for (size_t i = SLOW_TIERS; i-- > 0;) {
        if (cm_state_get(st->slow[i], st->key, klen) != NULL) {
            *tier = i;
            return cm_state_touch(st->slow[i], st->key, klen, t, created);
        }
    }
    cm_dns_tunnel_slow_trim(st, 1);
    *tier = 0;
    return cm_state_touch(st->slow[0], st->key, klen, t, created);
}

/* Moves s from tier `from` to the tier its names say; returns where it is now. */
static struct slow *slow_settle_tier(struct dns_tunnel *st, size_t klen, struct slow *s,
                                     size_t from)
{
    size_t to = tier_of(s);
    struct slow *m;

    if (to == from) {
        return s;
    }
    if ((m = cm_state_move(st->slow[to], st->slow[from], st->key, klen, cm_state_last_seen(s))) ==
        NULL) {
        return NULL;
    }
    st->slow_moves++;
    return m;
}

struct slow *cm_dns_tunnel_slow_add(struct dns_tunnel *st, size_t klen, int64_t t, uint32_t h,
                                    const struct cm_dns_name_shape *sh)
{
    bool created;
    size_t tier;
    struct slow *s = slow_touch(st, klen, t, &tier, &created);

    if (s == NULL) {
        return NULL;
    }
    if (created) {
        s->reported_ms = s->fired_ms = INT64_MIN;
        period_reset(s, t);
    } else if (t - s->start_ms >= st->t.slow_window_ms) {
        period_reset(s, t);
    }
    (void)cm_dns_tunnel_names_add(s->u.set, s->u.hll, SLOW_HLL_P, SLOW_SET_MAX, &s->names, &s->full,
                                  h);
    if (s->pending == 0 || t < s->first_ms) {
        s->first_ms = t;
    }
    s->queries += s->queries < UINT32_MAX;
    s->pending += s->pending < UINT32_MAX;
    s->sum_bits += sh->bits;
    if (t > s->last_ms) {
        s->last_ms = t;
    }
    return slow_settle_tier(st, klen, s, tier);
}

void cm_dns_tunnel_slow_fired(struct slow *s, int64_t t)
{
    s->fired_ms = t;
    s->pending = 0;
}

/* Distinct encoded names of s's period, and the bytes they carry at their mean. */
static uint32_t slow_measure(const struct slow *s, uint32_t *bytes)
{
    const struct cm_hll hll = {(uint8_t *)(uintptr_t)s->u.hll, SLOW_HLL_P, false};
    uint64_t names = s->full ? cm_hll_count(&hll) : s->names, b;

    if (names > s->queries) {
        names = s->queries; /* the estimate's error: never more names than queries */
    }
    b = s->queries > 0 ? names * s->sum_bits / s->queries / 8 : 0;
    *bytes = b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
    return (uint32_t)names;
}

bool cm_dns_tunnel_slow_due(const struct dns_tunnel *st, const struct slow *s, int64_t t)
{
    const int64_t period = st->t.slow_window_ms;
    uint32_t bytes;

    if (s == NULL || s->pending == 0 ||
        (s->reported_ms != INT64_MIN && t - s->reported_ms < period) ||
        (s->fired_ms != INT64_MIN && t - s->fired_ms < period)) {
        return false;
    }
    return slow_measure(s, &bytes) >= st->t.slow_names && bytes >= st->t.slow_bytes;
}

size_t cm_dns_tunnel_slow_describe(struct dns_tunnel *st, const struct slow *s, struct cm_str dom)
{
    const int64_t period = st->t.slow_window_ms;
    uint32_t names, bytes;
    double hours;
    size_t n = 0, cap = sizeof(st->info);
    int k;

    names = slow_measure(s, &bytes);
    hours = (double)(s->last_ms - s->start_ms) / 3600000.0;
    n = (size_t)snprintf(st->info, cap, "{\"domain\":\"");
    cm_dns_tunnel_put_escaped(st->info, cap, &n, dom);
    k = snprintf(st->info + n, cap - n,
                 "\",\"slow\":true,\"uniqueSubdomains\":%u,\"queries\":%u,\"bytes\":%u,"
                 "\"queriesPerHour\":%.1f,\"windowSeconds\":%lld}",
                 names, s->queries, bytes, s->queries / (hours < 1.0 ? 1.0 : hours),
                 (long long)(period / 1000));
    n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    return n;
}

int cm_dns_tunnel_slow_emit(struct dns_tunnel *st, struct slow *s, struct entry *e,
                            const struct cm_event *ev, struct cm_str dom, struct cm_sink *sink)
{
    const int64_t t = ev->time_ms;
    struct cm_detection det;
    /*
     * A window entry marked by an earlier detection (a slow one the period before, whose
     * tail it has counted since) holds more than the period's pending queries: it reports
     * them all, the tail with this period's.
     */
    bool tail = e->reported_ms != INT64_MIN && e->pending > s->pending;
    int64_t first = tail && e->first_ms < s->first_ms ? e->first_ms : s->first_ms;

    cm_dns_detection(&det, ev, TYPE);
    det.count = tail ? e->pending : s->pending;
    det.first_ms = first < t ? first : t;
    det.info = cm_str_make(st->info, cm_dns_tunnel_slow_describe(st, s, dom));
    s->pending = 0;
    s->reported_ms = t;
    e->pending = 0; /* the window's queries so far are this detection's */
    /*
     * ... and those after it are reported as the window entry expires, from the last of them
     * it keeps (cm_dns_tunnel_expire_cb), as after a window detection. Before 2026-12-05
     * they were never reported: a trickle of 60 names fired at its 48th, count 48.
     */
    e->reported_ms = t;
    e->last.time_ms = INT64_MIN;
    return cm_sink_emit(sink, &det);
}

/*
 * A slow entry is keyed instance '\0' domain (never an instance alone);
 * its times must allow the differences taken above; names bounds the loop
 * over u.set and is SLOW_SET_MAX once full, a 0/1 flag that says which
 * member of u is live; registers index cm_hll_count's table
 * (cm_hll_regs_valid); pending never exceeds queries.
 */
bool cm_dns_tunnel_slow_valid(const void *key, size_t klen, const void *val)
{
    const struct slow *s = val;
    const char *k = key;

    if (klen < 3 || klen > KEY_MAX || memchr(k, '\0', klen) == NULL || k[klen - 1] == '\0') {
        return false;
    }
    return cm_ckpt_time_set(s->start_ms) && cm_ckpt_time_set(s->last_ms) &&
           cm_ckpt_time_set(s->first_ms) && cm_ckpt_time_ok(s->reported_ms) &&
           cm_ckpt_time_ok(s->fired_ms) && s->pending <= s->queries && s->full <= 1 &&
           s->pad[0] == 0 && s->pad[1] == 0 && s->pad[2] == 0 && s->names <= SLOW_SET_MAX &&
           (!s->full || s->names == SLOW_SET_MAX) &&
           (!s->full || cm_hll_regs_valid(s->u.hll, SLOW_HLL_P));
}
