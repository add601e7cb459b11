/*
 * Backdoor:EC2/DenialOfService.{Tcp,Udp,UdpOnTcpPorts,Dns,UnusualProtocol}
 * of the pair detector (flow_pair.c, which looks the pair up and calls in):
 * which flood a request record counts toward, the per-minute flood ring of
 * a pair, the answers the remote sends back that cancel a stream's packets,
 * and the judgement of a minute. docs/detectors/vpcflow-pair.md has the
 * rules; flow_pair_impl.h the defaults and the pair's layout.
 */
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/flow_pair_impl.h"

static const char T_TCP[] = TYPE_DOS_TCP;
static const char T_UDP[] = TYPE_DOS_UDP;
static const char T_UDPTCP[] = TYPE_DOS_UDPTCP;
static const char T_DNS[] = TYPE_DOS_DNS;
static const char T_UNUSUAL[] = TYPE_DOS_UNUSUAL;

/* UDP ports of TCP services: a flood there is UdpOnTcpPorts (spec: "e.g. 80/443"). */
static const uint16_t tcp_ports[] = {21,  22,  23,  25,   80,   110,  143,  443,  445, 465,
                                     587, 993, 995, 1433, 3306, 3389, 5432, 8080, 8443};

/*
 * UDP ports of transports that carry whole connections (QUIC, DNS over QUIC,
 * IKE and NAT-T, OpenVPN, STUN/TURN, WireGuard): their acknowledgements are
 * small and fast, and are answered by the data they acknowledge. Their slow
 * flows count as TCP's; a fast 5-tuple of small datagrams counts too, but is
 * always judged on a later minute, with the remote's answers in.
 */
static const uint16_t udp_transports[] = {443, 500, 853, 1194, 3478, 4500, 51820};

static bool in_list(const uint16_t *list, size_t n, int32_t port)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == port) {
            return true;
        }
    }
    return false;
}

/* A fast 5-tuple to a UDP transport port (judged late, with its answers). */
static bool fast_transport(const struct flow_pair *st, const struct cm_flow *fl,
                           const struct cm_flow_view *v, uint64_t secs)
{
    return fl->protocol == 17 &&
           in_list(udp_transports, sizeof(udp_transports) / sizeof(udp_transports[0]),
                   v->remote_port) &&
           fl->packets / secs > st->t.dos_flow_pps;
}

/* The pair of key in either table, or NULL; not a touch. */
static struct pair *pair_get(const struct flow_pair *st, const uint8_t *key, size_t klen)
{
    struct pair *p = cm_state_get(st->heavy, key, klen);

    return p != NULL ? p : cm_state_get(st->pairs, key, klen);
}

/* ---- Backdoor:EC2/DenialOfService.* ------------------------------------------------------ */

/* The flood variant a request record counts toward, or NULL when it is not flood-like. */
const char *cm_flow_pair_dos_type(const struct flow_pair *st, const struct cm_flow *fl,
                                  const struct cm_flow_view *v, int64_t s, int64_t e)
{
    uint64_t secs = e > s ? (uint64_t)(e - s) : 1;
    uint64_t pk = fl->packets;
    bool slow = pk / secs <= st->t.dos_flow_pps;
    bool small = fl->bytes / pk <= st->t.dos_max_avg_bytes;

    switch (fl->protocol) {
    case 6:
        /*
         * A fast 5-tuple is a transfer, or its ACKs; one that never got past its SYN
         * (flags logged: a SYN and no ACK, maybe the RST the sender's kernel answers a
         * SYN-ACK with) is a flood on one source port (hping3 -k): a connection retries
         * its SYN a few times, never thousands a second, and every segment after the
         * handshake carries an ACK.
         */
        return slow || (fl->tcp_flags >= 0 && (fl->tcp_flags & 0x12) == 0x02) ? T_TCP : NULL;
    case 17:
        if (in_list(udp_transports, sizeof(udp_transports) / sizeof(udp_transports[0]),
                    v->remote_port)) {
            if (!slow && !small) {
                return NULL; /* a transfer's data, not a flood's datagrams */
            }
        } else if (!small) {
            return NULL;
        }
        return cm_flow_pair_dos_kind(17, v->remote_port);
    default:
        return cm_flow_pair_unusual(fl->protocol) ? T_UNUSUAL : NULL;
    }
}

const char *cm_flow_pair_dos_kind(int32_t protocol, int32_t remote_port)
{
    if (protocol == 6) {
        return T_TCP;
    }
    if (protocol != 17) {
        return T_UNUSUAL;
    }
    if (remote_port == 53) {
        return T_DNS; /* never a UDP transport port */
    }
    return in_list(tcp_ports, sizeof(tcp_ports) / sizeof(tcp_ports[0]), remote_port) ? T_UDPTCP
                                                                                     : T_UDP;
}

/*
 * Moves the flood ring's newest minute to em (clearing the minutes it passes)
 * and returns the oldest minute the ring still holds.
 */
static uint32_t dos_advance(struct pair *p, uint32_t em)
{
    if (p->dos_head == 0 || em >= p->dos_head + DOS_BUCKETS) {
        memset(p->dos_pkts, 0, sizeof(p->dos_pkts));
        memset(p->dos_back, 0, sizeof(p->dos_back));
        memset(p->dos_pool, 0, sizeof(p->dos_pool));
        memset(p->dos_npool, 0, sizeof(p->dos_npool));
        p->dos_fired = p->dos_pend = 0;
        p->dos_conns = p->dos_first = 0;
        p->dos_head = em;
    } else if (em > p->dos_head) {
        for (uint32_t m = p->dos_head + 1; m <= em; m++) {
            p->dos_pkts[m % DOS_BUCKETS] = 0;
            p->dos_back[m % DOS_BUCKETS] = 0;
            p->dos_pool[m % DOS_BUCKETS] = 0;
            p->dos_npool[m % DOS_BUCKETS] = 0;
            p->dos_fired &= (uint16_t) ~(1u << (m % DOS_BUCKETS));
            p->dos_pend &= (uint16_t) ~(1u << (m % DOS_BUCKETS));
        }
        p->dos_head = em;
        if (p->dos_fired == 0 && p->dos_pend == 0) {
            p->dos_conns = p->dos_first = 0; /* no flood in the ring: count afresh */
        }
    }
    return p->dos_head + 1 > DOS_BUCKETS ? p->dos_head + 1 - DOS_BUCKETS : 0;
}

/* Adds pk packets spread over [s, e] (dur seconds) to the minutes of ring from lo on. */
static void dos_spread(uint32_t *ring, uint64_t pk, int64_t s, int64_t e, uint32_t lo)
{
    uint64_t dur = (uint64_t)(e - s) + 1;
    uint32_t sm = (uint32_t)(s / DOS_BUCKET_S), em = (uint32_t)(e / DOS_BUCKET_S);

    pk = pk > (1ULL << 48) ? 1ULL << 48 : pk; /* keeps pk * 60 in range */
    for (uint32_t m = sm < lo ? lo : sm; m <= em; m++) {
        int64_t a = (int64_t)m * DOS_BUCKET_S, b = a + DOS_BUCKET_S;
        uint32_t i = m % DOS_BUCKETS;
        uint64_t sum;

        a = a > s ? a : s;
        b = b < e + 1 ? b : e + 1;
        sum = (uint64_t)ring[i] + pk * (uint64_t)(b - a) / dur;
        ring[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
    }
}

/*
 * A UDP record the remote sent the instance (ACCEPTed), or one of an unusual
 * protocol: its packets go into the pair's answer ring, when the pair exists.
 * A flood is not answered; a media stream, a game, a VPN session or a GRE
 * tunnel sends about as much back.
 */
struct pair *cm_flow_pair_dos_answer(struct flow_pair *st, const struct cm_event *ev,
                                     const struct cm_flow_view *v)
{
    const struct cm_flow *fl = &ev->u.flow;
    uint8_t key[KEY_MAX];
    struct pair *p;
    int64_t s = fl->start > 0 ? fl->start : ev->time_ms / 1000;
    int64_t e = fl->end > s ? fl->end : s;
    uint32_t em, lo;

    e = e - s > MAX_SPAN_S ? s + MAX_SPAN_S : e;
    if (s < MIN_TIME_S || e >= (int64_t)UINT32_MAX || v->resource.len == 0 ||
        v->resource.len > RES_MAX || cm_ip_classify(v->remote) != CM_IPC_PUBLIC ||
        (p = pair_get(st, key, cm_flow_pair_key(key, v->remote, v->resource))) == NULL) {
        return NULL;
    }
    em = (uint32_t)(e / DOS_BUCKET_S);
    lo = dos_advance(p, em > p->dos_head || p->dos_head == 0 ? em : p->dos_head);
    if (em >= lo) {
        dos_spread(p->dos_back, fl->packets, s, e, lo);
    }
    return p;
}

/*
 * Minute m's flood-like packets, less a pool's (at most DOS_POOL connections seen before) and
 * less what the remote sent back when answered: that minute, or when steady and larger, the
 * minute before (lo: the ring's oldest minute).
 */
static uint64_t dos_net(const struct pair *p, uint32_t m, bool answered, bool steady, uint32_t lo)
{
    uint32_t i = m % DOS_BUCKETS;
    uint64_t net = p->dos_pkts[i], back = p->dos_back[i];

    if (p->dos_npool[i] <= DOS_POOL) {
        net -= p->dos_pool[i] < net ? p->dos_pool[i] : net;
    }
    if (steady && m > lo && p->dos_back[(m - 1) % DOS_BUCKETS] > back) {
        back = p->dos_back[(m - 1) % DOS_BUCKETS];
    }
    if (answered) {
        net -= back < net ? back : net;
    }
    return net;
}

/*
 * A TCP record (its packets already in dos_pkts, from minute lo on) of pair p, once a minute
 * of the pair has need / DOS_WATCH_DIV flood-like packets and for the ring's length after: it
 * is a pool's (its packets go into dos_pool too) when it continues a connection opened before
 * its window. With tcp-flags, when it has no SYN (a SYN on a port seen before is a new
 * connection reusing it); without them, when its connection (local and remote port) is one
 * the pair showed before, which is remembered here. Returns 0 or CM_ENOMEM.
 */
static int dos_pool_note(struct flow_pair *st, struct pair *p, const struct cm_event *ev,
                         const struct cm_flow_view *v, int64_t s, int64_t e, uint32_t lo)
{
    const struct cm_flow *fl = v->fl;
    uint64_t level = (uint64_t)st->t.dos_pps * DOS_BUCKET_S / DOS_WATCH_DIV;
    uint32_t sm = (uint32_t)(s / DOS_BUCKET_S), em = (uint32_t)(e / DOS_BUCKET_S);
    uint8_t pk[KEY_MAX], key[DOS_CONN_KEY];
    uint16_t lport = (uint16_t)v->local_port, rport = (uint16_t)v->remote_port;
    uint64_t h;
    bool busy = false, created = false;

    for (uint32_t m = sm < lo ? lo : sm; m <= em && !busy; m++) {
        busy = p->dos_pkts[m % DOS_BUCKETS] >= level;
    }
    if (busy && em > p->dos_watch) {
        p->dos_watch = em;
    }
    if (!busy && (p->dos_watch == 0 || sm > p->dos_watch + DOS_BUCKETS)) {
        return 0; /* not busy lately: nothing to tell apart */
    }
    if (fl->tcp_flags >= 0) {
        if (fl->tcp_flags & 0x02) {
            return 0; /* opened in this record's window */
        }
    } else {
        h = cm_hash64(pk, cm_flow_pair_key(pk, v->remote, v->resource), st->seed);
        memcpy(key, &h, sizeof(h));
        memcpy(key + 8, &lport, sizeof(lport));
        memcpy(key + 10, &rport, sizeof(rport));
        if (cm_state_touch(st->conns, key, sizeof(key), ev->time_ms, &created) == NULL) {
            return CM_ENOMEM;
        }
        if (created) {
            return 0; /* not seen before: a new connection, as far as the log tells */
        }
    }
    dos_spread(p->dos_pool, fl->packets, s, e, lo);
    for (uint32_t m = sm < lo ? lo : sm; m <= em; m++) {
        uint8_t *n = &p->dos_npool[m % DOS_BUCKETS];

        *n = *n == UINT8_MAX ? *n : (uint8_t)(*n + 1);
    }
    return 0;
}

int cm_flow_pair_dos(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                     const struct cm_event *ev, const struct cm_flow_view *v, const char *type,
                     int64_t s, int64_t e, struct cm_sink *sink)
{
    uint64_t need = (uint64_t)st->t.dos_pps * DOS_BUCKET_S;
    uint64_t secs = e > s ? (uint64_t)(e - s) : 1;
    uint32_t sm = (uint32_t)(s / DOS_BUCKET_S), em = (uint32_t)(e / DOS_BUCKET_S), lo;
    /*
     * UDP but DNS: what the remote sent back in a minute cancels as much of
     * the flood (a media stream, a game, a VPN session is answered; a flood
     * is not). A stream's record (half a minute or longer at a flow's pace)
     * may come before its answers in the log, so the minutes it crosses are
     * judged on the first record of a later minute, when their answers are in.
     * An unusual protocol's answers (a GRE or 6in4 tunnel's packets back) cancel
     * too, but it is judged at once (a one-minute flood of it, with no later
     * record, is reported), so the minute before's answers count when larger:
     * a tunnel is steady, and the log may have a minute's answers after it.
     */
    bool udp = v->fl->protocol == 17 && type != T_DNS;
    bool answered = udp || type == T_UNUSUAL;
    bool stream = udp && ((secs >= DOS_STREAM_S && v->fl->packets / secs <= st->t.dos_flow_pps) ||
                          fast_transport(st, v->fl, v, secs));
    bool fire = false, flooded = false;
    uint32_t count = p->dos_conns;
    int rc;

    lo = dos_advance(p, em > p->dos_head || p->dos_head == 0 ? em : p->dos_head);
    /*
     * The flood's fired minutes left the ring, and with them its count: the records counted
     * after its last detection (when any was kept) are reported now, from the last of them.
     */
    if (count != 0 && p->dos_conns == 0 &&
        (rc = cm_flow_pair_report_tail(st, key, klen, KEPT_DOS, count, 0, sink)) != 0) {
        return rc;
    }
    if (em < lo) {
        return 0; /* older than the ring */
    }
    for (uint32_t m = lo; m < sm && p->dos_pend != 0; m++) {
        uint16_t bit = (uint16_t)(1u << (m % DOS_BUCKETS));

        if ((p->dos_pend & bit) && !(p->dos_fired & bit) &&
            dos_net(p, m, true, false, lo) >= need) {
            fire = true;
            p->dos_fired |= bit;
        }
        p->dos_pend &= (uint16_t)~bit;
    }
    dos_spread(p->dos_pkts, v->fl->packets, s, e, lo);
    if (type == T_TCP && (rc = dos_pool_note(st, p, ev, v, s, e, lo)) != 0) {
        return rc;
    }
    for (uint32_t m = sm < lo ? lo : sm; m <= em; m++) {
        uint16_t bit = (uint16_t)(1u << (m % DOS_BUCKETS));

        if (dos_net(p, m, answered, type == T_UNUSUAL, lo) < need || (p->dos_fired & bit)) {
            continue;
        }
        if (stream) {
            p->dos_pend |= bit;
        } else {
            fire = true;
            p->dos_fired |= bit;
        }
    }
    /* the record is the flood's: of a minute that fired, or the minute after one */
    for (uint32_t m = sm > lo ? sm - 1 : lo; m <= em && !flooded && p->dos_fired != 0; m++) {
        flooded = (p->dos_fired >> (m % DOS_BUCKETS)) & 1u;
    }
    /*
     * A record of none of the flood's minutes after a detection: the flood's tail (its records
     * after its last detection, when any was kept) is reported now, and this record counts
     * afresh, toward a next detection as the records before a first one do. So a pool's
     * records after its first minute (in the default format, a one-minute flood of new
     * connections) do not go with that minute's detection.
     */
    if (!fire && !flooded && p->dos_fired != 0 && p->dos_conns != 0) {
        if ((rc = cm_flow_pair_report_tail(st, key, klen, KEPT_DOS, p->dos_conns, 0, sink)) != 0) {
            return rc;
        }
        p->dos_conns = p->dos_first = 0;
    }
    p->dos_conns = cm_flow_pair_sat_inc(p->dos_conns);
    if (p->dos_first == 0 || (uint32_t)s < p->dos_first) {
        p->dos_first = (uint32_t)s;
    }
    if (!fire) {
        /* a record of a flooded minute after its detection is kept for the tail */
        return flooded ? cm_flow_pair_keep_tail(st, key, klen, KEPT_DOS, ev, v) : 0;
    }
    count = p->dos_conns;
    s = p->dos_first;
    p->dos_conns = p->dos_first = 0;
    cm_flow_pair_drop_tail(st, key, klen, KEPT_DOS);
    return cm_flow_pair_emit(ev, v, type, count, s, NULL, sink);
}
