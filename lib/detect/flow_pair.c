/*
 * VPC flow detector keyed by connection pair (issue #6): what one instance
 * does to one remote host. docs/detectors/vpcflow-pair.md has the rules,
 * the defaults and why, the near misses and the memory bounds.
 *
 *   Recon:EC2/Portscan                   probes to many ports of one host
 *   Backdoor:EC2/DenialOfService.Tcp     a flood of short TCP connections
 *   Backdoor:EC2/DenialOfService.Udp     a flood of small UDP datagrams
 *   Backdoor:EC2/DenialOfService.UdpOnTcpPorts   ... to a port TCP services use
 *   Backdoor:EC2/DenialOfService.Dns     ... to port 53
 *   Backdoor:EC2/DenialOfService.UnusualProtocol  a flood of another IP protocol
 *   Behavior:EC2/TrafficVolumeUnusual    an hour's bytes to one host far above
 *                                        the instance's usual per-host hour
 *
 * Only request records of connections the instance opened are read
 * (cm_flow_view: outbound, not a reply), and each is looked up once in the
 * pair table, keyed by (remote address, resource): a remote inside the VPC
 * only for a probe (Portscan looks at every remote; the floods and the volume
 * only at public ones, spec §7.2). The instance table holds the volume
 * baseline and is read only when a pair is new, when a pair's hour closes
 * with more than floor / factor bytes, and when an hour's volume passes the
 * floor.
 *
 * Time is event time: a record's packets are spread over its own
 * [start, end] seconds, so 1-minute and 10-minute aggregation of the same
 * traffic count the same, and every window keeps a ring that takes records
 * up to one aggregation interval late.
 *
 * Contract: cm_flow_pair_init() makes the state (tuning copied), the
 * cm_detector_flow_pair table entry runs it; no I/O, no globals, state
 * bounded by the two memcaps with evictions counted (cm_state).
 */
#include "detect/flow.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/state.h"
#include "intel/awsranges.h"

/* bump when the layout save writes changes */
#define FLOW_PAIR_STATE_VERSION 4u

/*
 * Portscan. The CIC-IDS2017 and Slips conversions (derived-vpcflow) give,
 * per (source, destination) pair and 10-minute epoch, at most 2 distinct
 * probed ports for benign pairs and 29 to 859 for the scanning pairs (in a
 * 1-in-60 sample of the scans; a real nmap run probes 1000 ports). 20 leaves
 * ten times the benign maximum and still fires on the sampled scans.
 */
#define PS_PORTS       20  /* distinct probed remote ports in the window that fire */
#define PS_PROBE_PKTS  3   /* nmap -sT sends 1 to 3 packets per port; a real session more */
#define PS_EPOCH_S     600 /* the window is this epoch and the one before: 10 to 20 min */
#define PS_SKETCH_BITS 128 /* per epoch; linear counting is within 10% up to ~100 ports */
/*
 * Clients take their ports from the ephemeral range: 32768-60999 on Linux,
 * 49152-65535 on Windows, macOS and the IANA list; nmap's raw scans use
 * 33000-63999. Services on high ports sit below it so they never collide
 * with a client (Kubernetes NodePorts are 30000-32767). When both ports are
 * 1024 or above, port order alone can take a NodePort's answer to a load
 * balancer's health check (whose source port is lower) for a probe of the
 * balancer's port; a source port below this is a service's, not a prober's.
 */
#define PS_EPHEMERAL_MIN 32768

/*
 * Denial of service. GuardDuty's tester sends 400,000 datagrams in a few
 * seconds: at least 200,000 fall into one minute however the minute
 * boundaries lie, so any rate up to 3,333/s catches it. Google Public DNS
 * caps a client at 1,500 queries/s, and 3,000 small packets/s to one host is
 * 60 concurrent voice calls: legitimate small-packet traffic to one public
 * host stays below it.
 */
#define DOS_PPS      3000 /* flood-like packets per second, averaged over a minute */
#define DOS_BUCKET_S 60
#define DOS_STREAM_S 30  /* a UDP record this long at a flow's pace is a stream: judged later */
#define DOS_BUCKETS  12  /* 12 minutes: a 10-minute record arriving late still counts */
#define DOS_FLOW_PPS 100 /* a TCP connection above this rate is a transfer (or its ACKs) */
#define DOS_MAX_AVG  512 /* bytes: the tester's 284-byte and 92-byte datagrams, not bulk data */

/*
 * Traffic volume. An hour to one host is unusual at 10 times the largest
 * hour to any one host in the last 7 days, and never below 1 GiB (a few
 * minutes of one EC2 connection: smaller hours are noise). 24 hours of
 * learning see one full daily cycle of backups and batch jobs.
 */
#define VOL_FLOOR    (1ULL << 30)
#define VOL_FACTOR   10
#define VOL_LEARN_MS (24LL * 3600 * 1000)
#define VOL_DAYS     7
#define HOUR_S       3600
#define DAY_S        86400

/*
 * State. A pair lives for an hour of idle event time (the longest window);
 * an instance for the baseline's 7 days. 512 Ki pairs take about 168 MB
 * and 256 Ki instances about 40 MB at most.
 */
#define PAIR_TTL_MS (3600LL * 1000)
#define PAIR_MAX    (512 * 1024)
/*
 * A pair whose hour passed volume_floor_bytes / volume_factor (100 MiB, what
 * an hour must pass to matter to TrafficVolumeUnusual) moves to a table of
 * its own, an eighth of max_pairs (64 Ki by default, about 21 MB at most):
 * new pairs evict only each other. Else a flood of short connections to
 * distinct hosts (512 Ki in the ten minutes between two records of one
 * transfer) pushes a transfer's hour out half counted, and folds it into the
 * baseline it is then judged against. Evicting a heavy pair takes 64 Ki
 * other pairs of over 100 MiB each within the hour.
 */
#define HEAVY_SHARE 8
#define INST_TTL_MS ((int64_t)VOL_DAYS * DAY_S * 1000)
#define INST_MAX    (256 * 1024)
#define RES_MAX     64 /* longest resource id kept (instance ids are 19, ENIs 21) */
#define KEY_MAX     (1 + 16 + RES_MAX)
#define MIN_TIME_S  ((int64_t)DAY_S)  /* records without a real start time are skipped */
#define MAX_SPAN_S  ((int64_t)HOUR_S) /* a record covers at most 10 minutes; clamp bad ones */

static const char T_PORTSCAN[] = "Recon:EC2/Portscan";
static const char T_TCP[] = "Backdoor:EC2/DenialOfService.Tcp";
static const char T_UDP[] = "Backdoor:EC2/DenialOfService.Udp";
static const char T_UDPTCP[] = "Backdoor:EC2/DenialOfService.UdpOnTcpPorts";
static const char T_DNS[] = "Backdoor:EC2/DenialOfService.Dns";
static const char T_UNUSUAL[] = "Backdoor:EC2/DenialOfService.UnusualProtocol";
static const char T_VOLUME[] = "Behavior:EC2/TrafficVolumeUnusual";

/* UDP ports of TCP services: a flood there is UdpOnTcpPorts. Not 443: QUIC is UDP/443. */
static const uint16_t tcp_ports[] = {21,  22,  23,  25,   80,   110,  143,  445,  465,
                                     587, 993, 995, 1433, 3306, 3389, 5432, 8080, 8443};

/*
 * UDP ports of transports that carry whole connections (QUIC, DNS over QUIC,
 * IKE and NAT-T, OpenVPN, STUN/TURN, WireGuard): their acknowledgements are
 * small and fast, so they count like TCP, by slow flows only.
 */
static const uint16_t udp_transports[] = {443, 500, 853, 1194, 3478, 4500, 51820};

/* One (remote, resource) pair: 216 bytes. */
struct pair {
    /* Portscan: a port sketch per epoch slot (epoch & 1); the window is both. */
    uint64_t ps_bits[2][PS_SKETCH_BITS / 64];
    /*
     * ... and the epoch before the window's. A port counts when it was probed
     * in one epoch of the window and not in the epoch before: a scan touches
     * each port once, a health checker or a monitor comes back every interval.
     */
    uint64_t ps_seen[PS_SKETCH_BITS / 64];
    uint32_t ps_probes[2]; /* probes not yet reported, per slot */
    uint32_t ps_epoch;     /* newest epoch with a probe; 0 before the first */
    uint32_t ps_fired;     /* 1 + the epoch of the last Portscan; 0: none */
    uint32_t ps_first;     /* start (s) of the oldest unreported probe; 0: none */
    /* Floods: flood-like packets per minute, minute m in dos_pkts[m % DOS_BUCKETS]. */
    uint32_t dos_pkts[DOS_BUCKETS];
    /* ... and the UDP packets the remote sent the instance in the same minutes. */
    uint32_t dos_back[DOS_BUCKETS];
    uint32_t dos_head;  /* newest minute; 0 before the first */
    uint32_t dos_conns; /* flood-like records not yet reported */
    uint32_t dos_first; /* start (s) of the oldest of them; 0: none */
    uint16_t dos_fired; /* bit m % DOS_BUCKETS: minute m already reported */
    uint16_t dos_pend;  /* bit m % DOS_BUCKETS: minute m crossed by streams, judged later */
    /* Volume: outbound bytes of this hour and the one before. */
    uint32_t vol_hour;  /* hour of vol_bytes[0]; 0 before the first */
    uint32_t vol_conns; /* request records this hour */
    uint32_t vol_fired; /* 1 + the hour of the last TrafficVolumeUnusual; 0: none */
    uint64_t vol_bytes[2];
    uint64_t vol_need; /* judge the hour again once its estimate reaches this */
};

/* One resource's volume baseline. */
struct inst {
    int64_t first_ms;           /* first seen: learning starts */
    uint32_t day;               /* newest day in day_max */
    uint64_t day_max[VOL_DAYS]; /* day d: largest pair-hour of bytes, in day_max[d % VOL_DAYS] */
};

struct flow_pair {
    const struct cm_detect_config *cfg;
    struct cm_flow_pair_tuning t; /* every member set */
    uint64_t seed;
    uint32_t ps_bits_needed; /* sketch bits set that mean t.portscan_ports distinct ports */
    struct cm_state *pairs;  /* (family, address, resource) -> struct pair */
    struct cm_state *heavy;  /* the same, for pairs past volume_floor / volume_factor in an hour */
    struct cm_state *insts;  /* resource -> struct inst */
};

/* ---- helpers ----------------------------------------------------------------------------- */

static uint32_t sat_inc(uint32_t x)
{
    return x == UINT32_MAX ? x : x + 1;
}

static uint64_t sat_add64(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Bits set in x (SWAR: the builtin is a libgcc call without -mpopcnt). */
static uint32_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

static bool in_list(const uint16_t *list, size_t n, int32_t port)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == port) {
            return true;
        }
    }
    return false;
}

/* (family, address, resource): the family fixes the address length, the rest is the resource. */
static size_t pair_key(uint8_t *out, const struct cm_ip *ip, struct cm_str res)
{
    size_t alen = ip->family == CM_IP_V4 ? 4 : 16;

    out[0] = ip->family;
    memcpy(out + 1, ip->a, alen);
    memcpy(out + 1 + alen, res.p, res.len);
    return 1 + alen + res.len;
}

static struct cm_str key_resource(const void *key, size_t klen)
{
    const uint8_t *k = key;
    size_t off = 1 + (k[0] == CM_IP_V4 ? 4 : 16);

    return klen > off ? cm_str_make((const char *)k + off, klen - off) : CM_STR_NULL;
}

/* Smallest number of set bits of an m-bit linear-counting sketch that estimates >= n items. */
static uint32_t bits_for(uint32_t n)
{
    const double m = PS_SKETCH_BITS;

    for (uint32_t k = 1; k < PS_SKETCH_BITS; k++) {
        if (-m * log1p(-(double)k / m) >= (double)n - 1e-9) {
            return k;
        }
    }
    return PS_SKETCH_BITS;
}

static int emit(const struct cm_event *ev, const struct cm_flow_view *v, const char *type,
                uint32_t count, int64_t first_s, struct cm_sink *sink)
{
    struct cm_detection d;

    cm_flow_detection(&d, ev, v, type);
    d.count = count > 0 ? count : 1;
    if (first_s > 0 && first_s * 1000 < d.first_ms) {
        d.first_ms = first_s * 1000;
    }
    return cm_sink_emit(sink, &d);
}

/* ---- the instance baseline --------------------------------------------------------------- */

static struct inst *inst_touch(struct flow_pair *st, struct cm_str res, int64_t now_ms)
{
    bool created = false;
    struct inst *in = cm_state_touch(st->insts, res.p, res.len, now_ms, &created);

    if (in != NULL && (created || now_ms < in->first_ms)) {
        in->first_ms = now_ms;
    }
    return in;
}

/* A pair's hour has closed with bytes: it joins the instance's baseline. */
static int fold(struct flow_pair *st, struct cm_str res, uint32_t hour, uint64_t bytes)
{
    uint32_t day = hour / 24;
    struct inst *in;

    /*
     * An hour of at most floor / factor bytes can never raise what an hour must
     * reach (the larger of the floor and factor times the baseline): skipping
     * it spares the instance lookup for nearly every closing pair-hour.
     */
    if (bytes <= st->t.volume_floor_bytes / st->t.volume_factor || res.len == 0) {
        return 0;
    }
    if ((in = inst_touch(st, res, (int64_t)hour * HOUR_S * 1000)) == NULL) {
        return CM_ENOMEM;
    }
    if (in->day == 0 || day >= in->day + VOL_DAYS) {
        memset(in->day_max, 0, sizeof(in->day_max));
        in->day = day;
    } else if (day > in->day) {
        for (uint32_t d = in->day + 1; d <= day; d++) {
            in->day_max[d % VOL_DAYS] = 0;
        }
        in->day = day;
    } else if (day + VOL_DAYS <= in->day) {
        return 0; /* older than the baseline */
    }
    if (bytes > in->day_max[day % VOL_DAYS]) {
        in->day_max[day % VOL_DAYS] = bytes;
    }
    return 0;
}

/* The largest pair-hour of the last VOL_DAYS days before now_day. */
static uint64_t baseline(const struct inst *in, uint32_t now_day)
{
    uint64_t m = 0;

    for (uint32_t i = 0; i < VOL_DAYS && i <= in->day; i++) {
        uint32_t d = in->day - i;
        if (now_day < d + VOL_DAYS && in->day_max[d % VOL_DAYS] > m) {
            m = in->day_max[d % VOL_DAYS];
        }
    }
    return m;
}

/* Expiry and eviction: the pair's open hour joins the baseline before the pair goes. */
static void fold_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct flow_pair *st = ud;
    const struct pair *p = val;

    if (p->vol_hour != 0) {
        (void)fold(st, key_resource(key, klen), p->vol_hour, p->vol_bytes[0]);
    }
}

/* The pair of key in either table, or NULL; not a touch. */
static struct pair *pair_get(const struct flow_pair *st, const uint8_t *key, size_t klen)
{
    struct pair *p = cm_state_get(st->heavy, key, klen);

    return p != NULL ? p : cm_state_get(st->pairs, key, klen);
}

/*
 * Moves pair p of key from pairs to heavy once its hour can matter to the
 * volume baseline (HEAVY_SHARE). p is gone after it.
 */
static int promote(struct flow_pair *st, const uint8_t *key, size_t klen, const struct pair *p)
{
    struct pair *h;

    if (p->vol_bytes[0] <= st->t.volume_floor_bytes / st->t.volume_factor) {
        return 0;
    }
    if ((h = cm_state_touch(st->heavy, key, klen, cm_state_last_seen(p), NULL)) == NULL) {
        return CM_ENOMEM;
    }
    *h = *p;
    return cm_state_del(st->pairs, key, klen);
}

/* ---- Recon:EC2/Portscan ------------------------------------------------------------------ */

static int portscan(struct flow_pair *st, struct pair *p, const struct cm_event *ev,
                    const struct cm_flow_view *v, int64_t s, struct cm_sink *sink)
{
    uint32_t e = (uint32_t)(s / PS_EPOCH_S), slot = e & 1, bit, n = 0, count;
    int64_t first;

    if (p->ps_epoch == 0 || e >= p->ps_epoch + 2) {
        if (p->ps_epoch != 0 && e == p->ps_epoch + 2) {
            memcpy(p->ps_seen, p->ps_bits[p->ps_epoch & 1], sizeof(p->ps_seen));
        } else {
            memset(p->ps_seen, 0, sizeof(p->ps_seen));
        }
        memset(p->ps_bits, 0, sizeof(p->ps_bits));
        p->ps_probes[0] = p->ps_probes[1] = 0;
        p->ps_first = 0;
        p->ps_epoch = e;
    } else if (e == p->ps_epoch + 1) {
        memcpy(p->ps_seen, p->ps_bits[slot], sizeof(p->ps_seen));
        memset(p->ps_bits[slot], 0, sizeof(p->ps_bits[slot]));
        p->ps_probes[slot] = 0;
        p->ps_epoch = e;
    } else if (e + 1 < p->ps_epoch) {
        return 0; /* older than the window */
    }
    bit = (uint32_t)(cm_hash_mix64((uint64_t)(uint32_t)v->remote_port ^ st->seed) % PS_SKETCH_BITS);
    p->ps_bits[slot][bit / 64] |= 1ULL << (bit % 64);
    p->ps_probes[slot] = sat_inc(p->ps_probes[slot]);
    if (p->ps_first == 0 || (uint32_t)s < p->ps_first) {
        p->ps_first = (uint32_t)s;
    }
    for (size_t w = 0; w < PS_SKETCH_BITS / 64; w++) {
        n += popcount64((p->ps_bits[0][w] ^ p->ps_bits[1][w]) & ~p->ps_seen[w]);
    }
    if (n < st->ps_bits_needed || p->ps_fired == p->ps_epoch + 1) {
        return 0;
    }
    count = p->ps_probes[0] + p->ps_probes[1];
    count = count < p->ps_probes[0] ? UINT32_MAX : count;
    first = (int64_t)p->ps_first;
    if (first < (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S) {
        first = (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S;
    }
    p->ps_fired = p->ps_epoch + 1;
    p->ps_probes[0] = p->ps_probes[1] = 0;
    p->ps_first = 0;
    return emit(ev, v, T_PORTSCAN, count, first, sink);
}

/* ---- Backdoor:EC2/DenialOfService.* ------------------------------------------------------ */

/* The flood variant a request record counts toward, or NULL when it is not flood-like. */
static const char *dos_type(const struct flow_pair *st, const struct cm_flow *fl,
                            const struct cm_flow_view *v, int64_t s, int64_t e)
{
    uint64_t secs = e > s ? (uint64_t)(e - s) : 1;
    uint64_t pk = fl->packets;
    bool slow = pk / secs <= st->t.dos_flow_pps;
    bool small = fl->bytes / pk <= st->t.dos_max_avg_bytes;

    switch (fl->protocol) {
    case 6:
        return slow ? T_TCP : NULL;
    case 17:
        if (in_list(udp_transports, sizeof(udp_transports) / sizeof(udp_transports[0]),
                    v->remote_port)) {
            return slow ? T_UDP : NULL;
        }
        if (!small) {
            return NULL;
        }
        if (v->remote_port == 53) {
            return T_DNS;
        }
        return in_list(tcp_ports, sizeof(tcp_ports) / sizeof(tcp_ports[0]), v->remote_port)
                   ? T_UDPTCP
                   : T_UDP;
    case 50: /* ESP and AH: IPsec tunnels carry whole networks' traffic */
    case 51:
        return NULL;
    default:
        return T_UNUSUAL;
    }
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
        p->dos_fired = p->dos_pend = 0;
        p->dos_conns = p->dos_first = 0;
        p->dos_head = em;
    } else if (em > p->dos_head) {
        for (uint32_t m = p->dos_head + 1; m <= em; m++) {
            p->dos_pkts[m % DOS_BUCKETS] = 0;
            p->dos_back[m % DOS_BUCKETS] = 0;
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
 * A UDP record the remote sent the instance (ACCEPTed): its packets go into
 * the pair's answer ring, when the pair exists. A flood is not answered; a
 * media stream, a game or a VPN session sends about as much back.
 */
static void dos_answer(struct flow_pair *st, const struct cm_event *ev,
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
        (p = pair_get(st, key, pair_key(key, v->remote, v->resource))) == NULL) {
        return;
    }
    em = (uint32_t)(e / DOS_BUCKET_S);
    lo = dos_advance(p, em > p->dos_head || p->dos_head == 0 ? em : p->dos_head);
    if (em >= lo) {
        dos_spread(p->dos_back, fl->packets, s, e, lo);
    }
}

/* Minute m's flood-like packets, less what the remote sent back when answered. */
static uint64_t dos_net(const struct pair *p, uint32_t m, bool answered)
{
    uint32_t i = m % DOS_BUCKETS;
    uint64_t net = p->dos_pkts[i];

    if (answered) {
        net -= p->dos_back[i] < net ? p->dos_back[i] : net;
    }
    return net;
}

static int dos(struct flow_pair *st, struct pair *p, const struct cm_event *ev,
               const struct cm_flow_view *v, const char *type, int64_t s, int64_t e,
               struct cm_sink *sink)
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
     */
    bool answered = v->fl->protocol == 17 && type != T_DNS;
    bool stream = answered && secs >= DOS_STREAM_S && v->fl->packets / secs <= st->t.dos_flow_pps;
    bool fire = false;
    uint32_t count;

    lo = dos_advance(p, em > p->dos_head || p->dos_head == 0 ? em : p->dos_head);
    if (em < lo) {
        return 0; /* older than the ring */
    }
    for (uint32_t m = lo; m < sm && p->dos_pend != 0; m++) {
        uint16_t bit = (uint16_t)(1u << (m % DOS_BUCKETS));

        if ((p->dos_pend & bit) && !(p->dos_fired & bit) && dos_net(p, m, true) >= need) {
            fire = true;
            p->dos_fired |= bit;
        }
        p->dos_pend &= (uint16_t)~bit;
    }
    dos_spread(p->dos_pkts, v->fl->packets, s, e, lo);
    for (uint32_t m = sm < lo ? lo : sm; m <= em; m++) {
        uint16_t bit = (uint16_t)(1u << (m % DOS_BUCKETS));

        if (dos_net(p, m, answered) < need || (p->dos_fired & bit)) {
            continue;
        }
        if (stream) {
            p->dos_pend |= bit;
        } else {
            fire = true;
            p->dos_fired |= bit;
        }
    }
    p->dos_conns = sat_inc(p->dos_conns);
    if (p->dos_first == 0 || (uint32_t)s < p->dos_first) {
        p->dos_first = (uint32_t)s;
    }
    if (!fire) {
        return 0;
    }
    count = p->dos_conns;
    s = p->dos_first;
    p->dos_conns = p->dos_first = 0;
    return emit(ev, v, type, count, s, sink);
}

/* ---- Behavior:EC2/TrafficVolumeUnusual --------------------------------------------------- */

/* Whether the remote is S3 (pkt-*-aws-service, else AWS's published ranges). */
static bool remote_is_s3(const struct flow_pair *st, const struct cm_flow_view *v)
{
    struct cm_str svc = cm_flow_field(v->fl, v->local_first ? CM_FF_PKT_DST_AWS_SERVICE
                                                            : CM_FF_PKT_SRC_AWS_SERVICE);
    const struct cm_awsranges *r = st->cfg ? st->cfg->aws_ranges : NULL;
    struct cm_aws_claim c;

    if (cm_str_present(svc)) {
        return cm_str_eqc(svc, "S3");
    }
    return r != NULL && cm_awsranges_lookup(r, v->remote, &c) && cm_str_eqc(c.service, "S3");
}

static int volume(struct flow_pair *st, struct pair *p, const struct cm_event *ev,
                  const struct cm_flow_view *v, int64_t s, struct cm_sink *sink)
{
    uint32_t h = (uint32_t)(s / HOUR_S);
    uint64_t est, need, base;
    int64_t now;
    const struct inst *in;
    int rc;

    if (p->vol_hour == 0) {
        p->vol_hour = h;
    } else if (h > p->vol_hour) {
        if ((rc = fold(st, v->resource, p->vol_hour, p->vol_bytes[0])) != 0) {
            return rc;
        }
        p->vol_bytes[1] = h == p->vol_hour + 1 ? p->vol_bytes[0] : 0;
        p->vol_bytes[0] = 0;
        p->vol_conns = 0;
        p->vol_need = 0;
        p->vol_hour = h;
    }
    if (h == p->vol_hour) {
        p->vol_bytes[0] = sat_add64(p->vol_bytes[0], v->fl->bytes);
    } else if (h + 1 == p->vol_hour) {
        p->vol_bytes[1] = sat_add64(p->vol_bytes[1], v->fl->bytes);
    } else {
        return 0; /* older than the previous hour */
    }
    p->vol_conns = sat_inc(p->vol_conns);
    /* The last hour: this hour so far and the part of the previous one still inside it. */
    now = s > (int64_t)p->vol_hour * HOUR_S ? s : (int64_t)p->vol_hour * HOUR_S;
    est = sat_add64(p->vol_bytes[0], p->vol_bytes[1] / HOUR_S * (uint64_t)(HOUR_S - now % HOUR_S));
    if (est < st->t.volume_floor_bytes || est < p->vol_need || p->vol_fired == p->vol_hour + 1) {
        return 0;
    }
    in = cm_state_get(st->insts, v->resource.p, v->resource.len);
    if (in == NULL || now * 1000 - in->first_ms < st->t.volume_learn_ms) {
        p->vol_need = sat_add64(est, st->t.volume_floor_bytes); /* still learning */
        return 0;
    }
    base = baseline(in, (uint32_t)(now / DAY_S));
    need = base > UINT64_MAX / st->t.volume_factor ? UINT64_MAX : base * st->t.volume_factor;
    need = need > st->t.volume_floor_bytes ? need : st->t.volume_floor_bytes;
    if (est < need) {
        p->vol_need = need;
        return 0;
    }
    if (remote_is_s3(st, v)) {
        p->vol_need = UINT64_MAX; /* the instance's own storage, not a remote host */
        return 0;
    }
    p->vol_fired = p->vol_hour + 1;
    return emit(ev, v, T_VOLUME, p->vol_conns, (int64_t)p->vol_hour * HOUR_S, sink);
}

/* ---- the detector ------------------------------------------------------------------------ */

/*
 * Whether a record the port order reads as a request is more likely a
 * service's answer: both ports are 1024 or above and the local (source) port
 * is below PS_EPHEMERAL_MIN, where no client's ephemeral port is.
 */
static bool service_answer(const struct cm_flow_view *v)
{
    /* A record whose TCP flags are a SYN alone opened a connection nobody answered: no
     * service's answer carries that, whatever its ports (nmap -g 20000). */
    if (v->fl->protocol == 6 && v->fl->tcp_flags >= 0 && (v->fl->tcp_flags & 0x3f) == 0x02) {
        return false;
    }
    return v->local_port >= 1024 && v->local_port < PS_EPHEMERAL_MIN && v->remote_port >= 1024;
}

static bool inside_vpc(enum cm_ip_class c)
{
    return c == CM_IPC_PRIVATE || c == CM_IPC_SHARED || c == CM_IPC_LOOPBACK ||
           c == CM_IPC_LINKLOCAL;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct flow_pair *st = state;
    const struct cm_flow *fl = &ev->u.flow;
    struct cm_flow_view v;
    enum cm_ip_class rc;
    uint8_t key[KEY_MAX];
    size_t klen;
    struct pair *p;
    const char *type;
    int64_t s, e;
    bool pub, probe, heavy, created = false;
    int r;

    /*
     * Cheap tests first: ICMP and empty records carry none of these types, and
     * replies (cm_flow_view's rule, on the ports alone) are half of all records.
     */
    if (fl->status != CM_FS_OK || fl->protocol < 0 || fl->protocol == 1 || fl->protocol == 58 ||
        fl->packets == 0) {
        return 0;
    }
    if (fl->protocol == 17 && fl->action == CM_FA_ACCEPT && cm_flow_view(ev, &v) &&
        !v.local_first) {
        dos_answer(st, ev, &v); /* the remote's datagrams: answers to a flood-like stream? */
    }
    if (fl->srcport >= 0 && fl->dstport >= 1024 && fl->srcport < fl->dstport) {
        return 0;
    }
    if (!cm_flow_view(ev, &v) || !v.outbound || v.reply || v.resource.len == 0 ||
        v.resource.len > RES_MAX) {
        return 0;
    }
    rc = cm_ip_classify(v.remote);
    pub = rc == CM_IPC_PUBLIC;
    probe = v.remote_port >= 0 && (fl->protocol == 6 || fl->protocol == 17) &&
            (fl->action == CM_FA_REJECT || fl->packets <= st->t.portscan_probe_packets) &&
            !service_answer(&v);
    if (!pub && !(probe && inside_vpc(rc))) {
        return 0;
    }
    s = fl->start > 0 ? fl->start : ev->time_ms / 1000;
    e = fl->end > s ? fl->end : s;
    e = e - s > MAX_SPAN_S ? s + MAX_SPAN_S : e;
    if (s < MIN_TIME_S || e >= (int64_t)UINT32_MAX) {
        return 0;
    }
    klen = pair_key(key, v.remote, v.resource);
    heavy = cm_state_get(st->heavy, key, klen) != NULL;
    p = cm_state_touch(heavy ? st->heavy : st->pairs, key, klen, ev->time_ms, &created);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    if (created && pub && inst_touch(st, v.resource, ev->time_ms) == NULL) {
        return CM_ENOMEM;
    }
    if (probe && (r = portscan(st, p, ev, &v, s, sink)) != 0) {
        return r;
    }
    if (!pub) {
        return 0;
    }
    if ((type = dos_type(st, fl, &v, s, e)) != NULL &&
        (r = dos(st, p, ev, &v, type, s, e, sink)) != 0) {
        return r;
    }
    if ((r = volume(st, p, ev, &v, s, sink)) != 0) {
        return r;
    }
    return heavy ? 0 : promote(st, key, klen, p);
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct flow_pair *st = state;

    (void)sink;
    /* At the end of input nothing is judged again: no need to fold. */
    cm_state_expire(st->pairs, watermark_ms, watermark_ms == INT64_MAX ? NULL : fold_cb, st);
    cm_state_expire(st->heavy, watermark_ms, watermark_ms == INT64_MAX ? NULL : fold_cb, st);
    cm_state_expire(st->insts, watermark_ms, NULL, NULL);
    return 0;
}

static void finish(void *state)
{
    struct flow_pair *st = state;

    if (st != NULL) {
        cm_state_destroy(st->pairs);
        cm_state_destroy(st->heavy);
        cm_state_destroy(st->insts);
        cm_free(st);
    }
}

#define DEFAULT(member, value)                                                                     \
    do {                                                                                           \
        if (st->t.member == 0) {                                                                   \
            st->t.member = (value);                                                                \
        }                                                                                          \
    } while (0)

int cm_flow_pair_init(void **state, const struct cm_detect_opts *opts,
                      const struct cm_flow_pair_tuning *t)
{
    struct flow_pair *st = cm_calloc(1, sizeof(*st));
    struct cm_state_opts so;
    int rc;

    if (st == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        st->t = *t;
    }
    DEFAULT(portscan_ports, PS_PORTS);
    DEFAULT(portscan_probe_packets, PS_PROBE_PKTS);
    DEFAULT(dos_pps, DOS_PPS);
    DEFAULT(dos_flow_pps, DOS_FLOW_PPS);
    DEFAULT(dos_max_avg_bytes, DOS_MAX_AVG);
    DEFAULT(volume_floor_bytes, VOL_FLOOR);
    DEFAULT(volume_factor, VOL_FACTOR);
    DEFAULT(volume_learn_ms, VOL_LEARN_MS);
    DEFAULT(max_pairs, PAIR_MAX);
    DEFAULT(max_instances, INST_MAX);
    st->cfg = opts ? opts->config : NULL;
    st->seed = opts ? opts->seed : 0;
    st->ps_bits_needed = bits_for(st->t.portscan_ports);
    memset(&so, 0, sizeof(so));
    so.val_size = sizeof(struct pair);
    so.max_entries = st->t.max_pairs;
    so.ttl_ms = PAIR_TTL_MS;
    so.seed = st->seed;
    so.on_evict = fold_cb;
    so.evict_ud = st;
    if ((rc = cm_state_create(&st->pairs, &so)) != 0) {
        goto fail;
    }
    so.max_entries = st->t.max_pairs / HEAVY_SHARE > 0 ? st->t.max_pairs / HEAVY_SHARE : 1;
    so.seed = st->seed ^ 0x5851f42d4c957f2dULL;
    if ((rc = cm_state_create(&st->heavy, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct inst);
    so.max_entries = st->t.max_instances;
    so.ttl_ms = INST_TTL_MS;
    so.seed = st->seed ^ 0x9e3779b97f4a7c15ULL;
    so.on_evict = NULL;
    so.evict_ud = NULL;
    if ((rc = cm_state_create(&st->insts, &so)) != 0) {
        goto fail;
    }
    *state = st;
    return 0;
fail:
    finish(st);
    return rc;
}

#undef DEFAULT

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_flow_pair_init(state, opts, c && c->flow ? &c->flow->pair : NULL);
}

/* ---- checkpoints ------------------------------------------------------------------------- */

/*
 * A pair read back. The key is pair_key's: key_resource reads its family
 * byte and takes the rest as the resource, which fold looks up, so the
 * family must be IPv4 or IPv6 and the resource 1..RES_MAX bytes. Every ring index is
 * taken modulo its ring, so the values need no index check; the epoch,
 * minute and hour are those of a start time below 2^32 s (on_event skips
 * later ones), which keeps their sums with small numbers from wrapping, and
 * dos_fired has a bit per minute of the ring only.
 */
static bool pair_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct pair *p = val;
    const uint8_t *k = key;
    size_t off;

    (void)ud;
    if (klen == 0 || (k[0] != CM_IP_V4 && k[0] != CM_IP_V6)) {
        return false;
    }
    off = 1 + (k[0] == CM_IP_V4 ? 4 : 16);
    return klen > off && klen - off <= RES_MAX && p->ps_epoch <= UINT32_MAX / PS_EPOCH_S &&
           p->dos_head <= UINT32_MAX / DOS_BUCKET_S && p->vol_hour <= UINT32_MAX / HOUR_S &&
           (p->dos_fired >> DOS_BUCKETS) == 0 && (p->dos_pend >> DOS_BUCKETS) == 0;
}

/* An instance read back: a resource as on_event takes it; first_ms and day as made. */
static bool inst_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct inst *in = val;

    (void)ud;
    (void)key;
    return klen >= 1 && klen <= RES_MAX && cm_ckpt_time_set(in->first_ms) &&
           in->day <= UINT32_MAX / DAY_S;
}

static const struct cm_state_codec pair_codec = {.check = pair_check};
static const struct cm_state_codec inst_codec = {.check = inst_check};

/*
 * The baselines first: loading pairs into a table smaller than the file's
 * evicts, and an evicted pair folds its hour into insts, which must be
 * loaded by then (cm_state_load takes an empty table only).
 */
static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct flow_pair *st = state;

    cm_state_save(st->insts, w, &inst_codec);
    cm_state_save(st->pairs, w, &pair_codec);
    return cm_state_save(st->heavy, w, &pair_codec);
}

/* Reads what save wrote, in the same order (errors are sticky: after one, nothing is read). */
static int load(void *state, struct cm_ckpt_r *r)
{
    struct flow_pair *st = state;

    cm_state_load(st->insts, r, &inst_codec);
    cm_state_load(st->pairs, r, &pair_codec);
    cm_state_load(st->heavy, r, &pair_codec);
    return cm_ckpt_r_err(r);
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct flow_pair *st = state;

    cm_state_stats_add(sum, st->pairs);
    cm_state_stats_add(sum, st->heavy);
    cm_state_stats_add(sum, st->insts);
}

static const char *const types[] = {
    T_PORTSCAN, T_TCP, T_UDP, T_UDPTCP, T_DNS, T_UNUSUAL, T_VOLUME, NULL,
};

const struct cm_detector cm_detector_flow_pair = {
    .name = "vpcflow-pair",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = FLOW_PAIR_STATE_VERSION,
    .save = save,
    .load = load,
};
