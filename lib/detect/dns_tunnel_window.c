/*
 * One (instance, registered domain) window of the tunnelling detector
 * (dns_tunnel.c; dns_tunnel_impl.h): its distinct encoded names as exact
 * hashes turning into a HyperLogLog, the bytes they carry, the data in
 * their answers, the names asked for data-bearing types, and the dnscat2
 * session its packets belong to. No I/O, no allocation but the state
 * table's.
 */
#include "detect/dns_tunnel_impl.h"

#include <string.h>

#include "base/hash.h"
#include "base/hll.h"

/*
 * Starts a new window at t; what was not reported stays pending once
 * something was. spread: e is an instance's spread entry.
 */
static void window_reset(struct entry *e, int64_t t, bool spread)
{
    int64_t reported = e->reported_ms, first = e->first_ms, sp_window = e->sp_window;
    uint32_t pending = e->pending;
    struct cm_dns_kept last = e->last;
    uint16_t longest = e->longest;

    memset(e, 0, sizeof(*e));
    /*
     * The instance's spread window this domain joined, kept: when the domain's
     * own window ends inside it, its new names add to what it brought before
     * (sp_names starts again at 0) and it is still one domain of that spread.
     */
    e->sp_window = sp_window;
    e->start_ms = e->last_ms = t;
    e->reported_ms = reported;
    e->first_ms = reported == INT64_MIN || pending == 0 ? t : first;
    e->pending = reported == INT64_MIN ? 0 : pending;
    /*
     * The pending queries' last one, kept for a report at expiry: an
     * instance's spread entry (and its domain's length, longest) may count
     * nothing more in the new window.
     */
    if (e->pending > 0) {
        e->last = last;
        e->longest = spread ? longest : 0;
    } else {
        e->last.time_ms = INT64_MIN;
    }
}

void cm_dns_tunnel_entry_fresh(struct entry *e, int64_t t)
{
    e->reported_ms = INT64_MIN;
    e->sp_window = INT64_MIN;
    window_reset(e, t, false); /* nothing pending: the spread flag is not read */
}

/*
 * The entry of key st->key[0..klen) at time t, in a window that holds t;
 * NULL: CM_ENOMEM. A domain's window starts at the earliest of its
 * queries, not at the first to come: a query older than the window's start
 * moves the start back to it while every query counted still falls within
 * window_ms of it (records of one hour read out of order, within the scan's
 * ordering slack, make the same window). An instance's spread entry (key
 * "instance\0") keeps the start it has: its start names the spread window
 * its domains joined (sp_window), and a moved start would make them join
 * again as more domains.
 */
struct entry *cm_dns_tunnel_touch(struct dns_tunnel *st, size_t klen, int64_t t)
{
    bool created, spread = st->key[klen - 1] == '\0';
    struct entry *e = cm_state_touch(st->keys, st->key, klen, t, &created);

    if (e != NULL && created) {
        cm_dns_tunnel_entry_fresh(e, t);
    } else if (e != NULL && t >= e->start_ms + st->t.window_ms) {
        window_reset(e, t, spread);
    } else if (e != NULL && t < e->start_ms && e->last_ms - t < st->t.window_ms && !spread) {
        e->start_ms = t;
    }
    return e;
}

/* A set of distinct names, exact then a HyperLogLog (dns_tunnel_impl.h). */
bool cm_dns_tunnel_names_add(uint32_t *set, uint8_t *hll, unsigned p, uint32_t max, uint32_t *names,
                             uint8_t *full, uint32_t h)
{
    struct cm_hll reg = {hll, (uint8_t)p, false};

    if (!*full) {
        uint32_t moved[SLOW_SET_MAX > SET_MAX ? SLOW_SET_MAX : SET_MAX]; /* max is one of them */
        size_t regs = (size_t)1 << p, bytes = max * sizeof(*set);

        for (uint32_t i = 0; i < *names; i++) {
            if (set[i] == h) {
                return false;
            }
        }
        if (*names < max) {
            set[(*names)++] = h;
            return true;
        }
        /* Full: the hashes move into the HyperLogLog (which shares their memory). */
        memcpy(moved, set, max * sizeof(*set));
        memset(hll, 0, bytes > regs ? bytes : regs);
        for (uint32_t i = 0; i < max; i++) {
            cm_hll_add(&reg, cm_hash_mix64(moved[i]));
        }
        *full = 1;
    }
    cm_hll_add(&reg, cm_hash_mix64(h));
    return false;
}

/*
 * Adds name hash h to e's distinct names; returns whether it is new (in set
 * mode). When the set turns into a HyperLogLog, e keeps the encoded queries
 * and bits counted so far (full_q, full_bits).
 */
static bool name_add(struct entry *e, uint32_t h)
{
    uint8_t was_full = e->full;
    bool fresh =
        cm_dns_tunnel_names_add(e->u.set, e->u.hll, HLL_P, SET_MAX, &e->names, &e->full, h);

    if (!was_full && e->full) {
        e->full_q = e->encoded;
        e->full_bits = e->sum_bits;
    }
    return fresh;
}

/* Distinct names of the window. */
uint32_t cm_dns_tunnel_distinct(const struct entry *e)
{
    struct cm_hll hll = {(uint8_t *)(uintptr_t)e->u.hll, HLL_P, false};
    uint64_t n;

    if (!e->full) {
        return e->names;
    }
    n = cm_hll_count(&hll);
    return n < SET_MAX ? SET_MAX : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Bytes of data the distinct names carry: exact in set mode, extrapolated past it. */
uint32_t cm_dns_tunnel_carried(const struct entry *e, uint32_t names)
{
    uint64_t bits = e->bits;

    if (e->full && names > SET_MAX && e->encoded > e->full_q) {
        bits +=
            (uint64_t)(e->sum_bits - e->full_bits) * (names - SET_MAX) / (e->encoded - e->full_q);
    }
    bits /= 8;
    return bits > UINT32_MAX ? UINT32_MAX : (uint32_t)bits;
}

/* Distinct names of the window asked for data-bearing types. */
uint32_t cm_dns_tunnel_data_distinct(const struct entry *e)
{
    struct cm_hll hll = {(uint8_t *)(uintptr_t)e->data_hll, HLL_P, false};
    uint64_t n = cm_hll_count(&hll);

    return n > e->data_q ? e->data_q : (uint32_t)n;
}

/*
 * Whether e's encoded answers count: when at least half the answered
 * queries got one. A tunnel's server answers with data nearly every time;
 * a real zone has a token or an id here and there among its answers, which
 * a sub-domain enumeration would otherwise add up.
 */
bool cm_dns_tunnel_answers_data(const struct entry *e)
{
    return e->answers > 0 && (uint32_t)e->answers * 4 >= (uint32_t)e->answered * 3;
}

/* Whether e holds a dnscat2 session: DNSCAT_PACKETS names, DNSCAT_ECHOES answered in kind. */
bool cm_dns_tunnel_dnscat_session(const struct entry *e)
{
    return e->dc_names >= DNSCAT_PACKETS && e->dc_echo >= DNSCAT_ECHOES;
}

/*
 * Counts an encoded item (a name, or an answer) with hash h and shape s
 * into e; returns whether it is new to the window's exact set.
 */
bool cm_dns_tunnel_item_add(struct entry *e, uint32_t h, const struct cm_dns_name_shape *s)
{
    bool fresh = name_add(e, h);

    if (fresh) {
        e->bits += s->bits;
    }
    e->encoded++;
    e->sum_bits += s->bits;
    e->sum_chars += s->chars;
    e->sum_ent += (uint32_t)(s->entropy * 100.0 + 0.5);
    if (s->longest > e->longest) {
        e->longest = (uint16_t)(s->longest > UINT16_MAX ? UINT16_MAX : s->longest);
    }
    e->enc[s->enc] = cm_dns_tunnel_inc16(e->enc[s->enc]);
    return fresh;
}

static uint8_t inc8(uint8_t v)
{
    return v < UINT8_MAX ? (uint8_t)(v + 1) : v;
}

/*
 * Counts sub, a name new to e's window asked in q under registered domain
 * dom, when it reads as a dnscat2 packet: toward the window's session (the
 * first packet's, or a later one's while the session has one name), and
 * as answered when an answer is a packet of the same session and type with
 * another id.
 */
void cm_dns_tunnel_dnscat_add(struct entry *e, const struct cm_dns *q, struct cm_str sub,
                              struct cm_str dom)
{
    struct cm_dnscat_packet p, a;

    if (!cm_dns_tunnel_dnscat(sub, &p)) {
        return;
    }
    if (p.session != e->dc_session || e->dc_names == 0) {
        if (e->dc_names > 1) {
            return; /* another session beside an established one: the volume rules' */
        }
        e->dc_session = p.session;
        e->dc_names = e->dc_echo = 0;
    }
    e->dc_names = inc8(e->dc_names);
    for (uint32_t k = 0; k < q->nans; k++) {
        struct cm_str data;

        if (cm_dns_tunnel_answer_data(&q->ans[k], dom, &data) && cm_dns_tunnel_dnscat(data, &a) &&
            a.session == p.session && a.type == p.type && a.id != p.id) {
            e->dc_echo = inc8(e->dc_echo);
            break;
        }
    }
}

/* Counts the encoded data in the answers of q, a query under registered domain dom, into e. */
void cm_dns_tunnel_answers_add(const struct dns_tunnel *st, struct entry *e, const struct cm_dns *q,
                               struct cm_str sub, struct cm_str dom)
{
    /* Attribute names (_acme-challenge, _domainkey...) are answered with tokens and keys. */
    for (size_t i = 0; i < sub.len; i++) {
        if (sub.p[i] == '_' && (i == 0 || sub.p[i - 1] == '.')) {
            return;
        }
    }
    if (q->nans > 0) {
        e->answered = cm_dns_tunnel_inc16(e->answered);
    }
    for (uint32_t k = 0; k < q->nans; k++) {
        struct cm_dns_name_shape s;
        struct cm_str data;
        uint32_t before = e->names;

        if (!cm_dns_tunnel_answer_data(&q->ans[k], dom, &data) ||
            cm_dns_tunnel_classify_answer(data, st->t.min_chars, &s) == CM_DNS_ENC_NONE) {
            continue;
        }
        cm_dns_tunnel_item_add(e, (uint32_t)(cm_hash64(data.p, data.len, st->seed ^ ANSWER_SALT)),
                               &s);
        /* Once the set is a HyperLogLog, new and repeated answers look alike: count each. */
        if (e->names > before || e->full) {
            e->answers = cm_dns_tunnel_inc16(e->answers);
            e->ans_bits += s.bits;
        }
    }
}
