/*
 * VPC flow detector keyed by connection pair (issue #6): what one instance
 * does to one remote host. docs/detectors/vpcflow-pair.md has the rules,
 * the defaults and why, the near misses and the memory bounds.
 *
 *   Recon:EC2/Portscan                   probes to many ports of one host
 *   Backdoor:EC2/DenialOfService.Tcp     a flood of short TCP connections (not
 *                                        a pool of connections seen before)
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
 * The floods (DenialOfService.*) are in flow_pair_dos.c, the checkpoints in
 * flow_pair_ckpt.c; the defaults, the pair and instance layouts and what the
 * files share in flow_pair_impl.h.
 *
 * Contract: cm_flow_pair_init() makes the state (tuning copied), the
 * cm_detector_flow_pair table entry runs it; no I/O, no globals, state
 * bounded by the two memcaps with evictions counted (cm_state).
 */
#include "detect/flow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow_kept.h"
#include "detect/flow_pair_impl.h"
#include "detect/state.h"
#include "intel/awsranges.h"

static const char T_PORTSCAN[] = "Recon:EC2/Portscan";

/* ---- helpers ----------------------------------------------------------------------------- */

/* Bits set in x (SWAR: the builtin is a libgcc call without -mpopcnt). */
static uint32_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

/* (family, address, resource): the family fixes the address length, the rest is the resource. */
size_t cm_flow_pair_key(uint8_t *out, const struct cm_ip *ip, struct cm_str res)
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

int cm_flow_pair_emit(const struct cm_event *ev, const struct cm_flow_view *v, const char *type,
                      uint32_t count, int64_t first_s, const char *info, struct cm_sink *sink)
{
    struct cm_detection d;

    cm_flow_detection(&d, ev, v, type);
    d.count = count > 0 ? count : 1;
    if (info != NULL) {
        d.info = cm_str_cstr(info);
    }
    if (first_s > 0 && first_s * 1000 < d.first_ms) {
        d.first_ms = first_s * 1000;
    }
    return cm_sink_emit(sink, &d);
}

/* ---- the instance baseline --------------------------------------------------------------- */

/*
 * The baseline of resource res, made when new, at now_ms. Learning starts when the resource
 * was first seen: seen_ms, its interface's first record of any kind as the engine's learner
 * noted it (cm_flow_local_first_ms; INT64_MAX: not known), else now_ms, not its first pair
 * to a public remote. An instance that talked only inside the VPC for days has a history
 * too, of no public traffic; before 2026-12-05 its first transfer out (an exfiltration)
 * started its learning and was silent for a day.
 */
static struct inst *inst_touch(struct flow_pair *st, struct cm_str res, int64_t now_ms,
                               int64_t seen_ms)
{
    bool created = false;
    struct inst *in = cm_state_touch(st->insts, res.p, res.len, now_ms, &created);

    now_ms = seen_ms < now_ms ? seen_ms : now_ms;
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
    if ((in = inst_touch(st, res, (int64_t)hour * HOUR_S * 1000, INT64_MAX)) == NULL) {
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

/*
 * Whether p's previous hour fired and waits out of the baseline in vol_bytes[1] (volume()):
 * a run of unusual hours joins only once it ends.
 */
static bool vol_held(const struct pair *p)
{
    return p->vol_fired == p->vol_hour;
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

/*
 * Expiry and eviction: the pair's open hour joins the baseline before the pair goes, and so
 * does the hour before when it was held back (it fired: volume() below).
 */
void cm_flow_pair_fold(struct flow_pair *st, const void *key, size_t klen, const struct pair *p)
{
    struct cm_str res = key_resource(key, klen);

    if (p->vol_hour != 0) {
        (void)fold(st, res, p->vol_hour, p->vol_bytes[0]);
        if (vol_held(p)) {
            (void)fold(st, res, p->vol_hour - 1, p->vol_bytes[1]);
        }
    }
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
    if ((h = cm_state_move(st->heavy, st->pairs, key, klen, cm_state_last_seen(p))) == NULL) {
        return CM_ENOMEM;
    }
    return 0;
}

/* ---- Recon:EC2/Portscan ------------------------------------------------------------------ */

/* The sketch bit of a remote port. */
static uint32_t ps_bit(const struct flow_pair *st, int32_t port)
{
    return (uint32_t)(cm_hash_mix64((uint64_t)(uint32_t)port ^ st->seed) % PS_SKETCH_BITS);
}

/*
 * The remote of pair p sent the instance UDP from its port (record v, starting at s): that
 * port answered, so probes of it are a conversation, not a scan (a WireGuard server's
 * answers to 30 idle peers behind one NAT address read as probes of their ports). The
 * answers of the last two epochs are kept: older ones are cleared with the next.
 */
static void ps_answer(const struct flow_pair *st, struct pair *p, const struct cm_flow_view *v,
                      int64_t s)
{
    uint32_t e = (uint32_t)(s / PS_EPOCH_S), bit;

    if (v->remote_port <= 0 || v->remote_port > 65535) {
        return;
    }
    if (e >= p->ps_ans_epoch + 2 || p->ps_ans_epoch == 0) {
        memset(p->ps_ans, 0, sizeof(p->ps_ans));
    }
    if (e > p->ps_ans_epoch) {
        p->ps_ans_epoch = e;
    }
    bit = ps_bit(st, v->remote_port);
    p->ps_ans[bit / 64] |= 1ULL << (bit % 64);
}

uint32_t cm_flow_pair_ps_window_less(const struct pair *p, const uint64_t *less)
{
    bool ans = p->ps_ans_epoch != 0 && p->ps_ans_epoch + 1 >= p->ps_epoch;
    uint32_t n = 0;

    for (size_t w = 0; w < PS_SKETCH_BITS / 64; w++) {
        n += popcount64((p->ps_bits[0][w] ^ p->ps_bits[1][w]) & ~p->ps_seen[w] &
                        ~(ans ? p->ps_ans[w] : 0) & ~(less != NULL ? less[w] : 0));
    }
    return n;
}

uint32_t cm_flow_pair_ps_window(const struct pair *p)
{
    return cm_flow_pair_ps_window_less(p, NULL);
}

/*
 * Probe v (record ev, starting at s) of pair p (key, klen). After a detection every probe
 * counted goes to p->ps_tail, whatever its epoch, and is kept for the pair's expiry to report
 * (flow_pair_tail.c) unless a next detection does. While the window is new (ps_new: blind, or
 * the pair's first probes), a completed handshake (accepted, 3 packets: a checker's, to an
 * open port) that brings the window to the threshold keeps its record instead of firing, and
 * so does every later probe of the pair (ps_tail 1 says so while the pair never fired); the
 * window is judged on the pair's first probe of an
 * epoch whose window is no longer that one (cm_flow_pair_ps_judge), when a checker's ports
 * have come back. So do failed probes (closed ports) when the window reaches the threshold only
 * with ports the local address checks on other hosts again and again (flow_pair_checker.c: a load
 * balancer's first checks of a target not up yet); other failed probes fire as before.
 */
static int portscan(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                    const struct cm_event *ev, const struct cm_flow_view *v, int64_t s,
                    struct cm_sink *sink)
{
    uint32_t e = (uint32_t)(s / PS_EPOCH_S), slot = e & 1, bit, n, count;
    int64_t first;
    bool fresh = cm_flow_pair_ps_new(st, p, ev, e), blind, again;
    bool shake = ev->u.flow.action == CM_FA_ACCEPT && ev->u.flow.packets >= 3;
    int r;

    if (p->ps_fired == 0 && p->ps_epoch != 0 && e > p->ps_epoch &&
        !(fresh && e == p->ps_epoch + 1) && cm_flow_pair_ps_new(st, p, ev, p->ps_epoch) &&
        (r = cm_flow_pair_ps_judge(st, p, key, klen, sink)) != 0) {
        return r;
    }
    blind = p->ps_fired == 0 && fresh;
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
    bit = ps_bit(st, v->remote_port);
    /* the pair probed the port in the epoch before too, not yet in this one: a checker's */
    again = e == p->ps_epoch && ((p->ps_bits[slot][bit / 64] >> (bit % 64)) & 1) == 0 &&
            ((p->ps_bits[slot ^ 1][bit / 64] >> (bit % 64)) & 1) != 0;
    p->ps_bits[slot][bit / 64] |= 1ULL << (bit % 64);
    if (again && (r = cm_flow_pair_checker_note(st, ev, v, e, bit)) != 0) {
        return r;
    }
    p->ps_probes[slot] = cm_flow_pair_sat_inc(p->ps_probes[slot]);
    if (p->ps_first == 0 || (uint32_t)s < p->ps_first) {
        p->ps_first = (uint32_t)s;
    }
    if (p->ps_fired != 0) {
        p->ps_tail = cm_flow_pair_sat_inc(p->ps_tail);
    }
    n = cm_flow_pair_ps_window(p);
    if (blind && n >= st->ps_bits_needed &&
        (shake || p->ps_tail != 0 || cm_flow_pair_checker_hold(st, p, key, klen, ev, v, e))) {
        p->ps_tail = shake ? 1 : p->ps_tail; /* held by a handshake: stays held */
        return cm_flow_pair_keep_tail(st, key, klen, KEPT_PORTSCAN, ev, v);
    }
    if (n < st->ps_bits_needed || p->ps_fired == p->ps_epoch + 1) {
        return p->ps_fired != 0 ? cm_flow_pair_keep_tail(st, key, klen, KEPT_PORTSCAN, ev, v) : 0;
    }
    count = p->ps_probes[0] + p->ps_probes[1];
    count = count < p->ps_probes[0] ? UINT32_MAX : count;
    /* a version-9 file's pair has a window's probes after its detection and no tail yet */
    count = p->ps_tail > count ? p->ps_tail : count;
    cm_flow_pair_drop_tail(st, key, klen, KEPT_PORTSCAN); /* the tail's, or a held window's */
    p->ps_tail = 0;
    first = (int64_t)p->ps_first;
    if (first < (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S) {
        first = (int64_t)(p->ps_epoch - 1) * PS_EPOCH_S;
    }
    p->ps_fired = p->ps_epoch + 1;
    p->ps_probes[0] = p->ps_probes[1] = 0;
    p->ps_first = 0;
    return cm_flow_pair_emit(ev, v, T_PORTSCAN, count, first, NULL, sink);
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

static int volume(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                  const struct cm_event *ev, const struct cm_flow_view *v, int64_t s,
                  struct cm_sink *sink)
{
    uint32_t h = (uint32_t)(s / HOUR_S);
    uint64_t est, need, base;
    int64_t now;
    const struct inst *in;
    int rc;

    if (p->vol_hour == 0) {
        p->vol_hour = h;
    } else if (h > p->vol_hour) {
        /*
         * An hour that fired does not join the baseline while the next hour goes on with
         * it (it waits in vol_bytes[1], the larger of such a run's hours): an exfiltration
         * of two hours is judged against the instance's usual hours both hours, not the
         * second against the first. Before 2026-12-08 the first hour joined at once and
         * the second, as large, was quiet. The run joins when an hour of it passes without
         * firing, or the pair goes (cm_flow_pair_fold): a new nightly backup still fires
         * one night only.
         */
        bool fired = p->vol_fired == p->vol_hour + 1, held = vol_held(p);

        /* the records after the closing hour's detection, from the last of them */
        if ((rc = cm_flow_pair_report_tail(st, key, klen, KEPT_VOLUME, fired ? p->vol_conns : 0, 0,
                                           sink)) != 0) {
            return rc;
        }
        if (fired && h == p->vol_hour + 1) {
            if (held && p->vol_bytes[1] > p->vol_bytes[0]) {
                p->vol_bytes[0] = p->vol_bytes[1]; /* the run goes on: its largest hour waits */
            }
        } else {
            if (held && (rc = fold(st, v->resource, p->vol_hour - 1, p->vol_bytes[1])) != 0) {
                return rc;
            }
            if ((rc = fold(st, v->resource, p->vol_hour, p->vol_bytes[0])) != 0) {
                return rc;
            }
        }
        p->vol_bytes[1] = h == p->vol_hour + 1 ? p->vol_bytes[0] : 0;
        p->vol_bytes[0] = 0;
        p->vol_conns = 0;
        p->vol_need = 0;
        p->vol_hour = h;
    }
    if (h == p->vol_hour) {
        p->vol_bytes[0] = cm_flow_pair_sat_add64(p->vol_bytes[0], v->fl->bytes);
    } else if (h + 1 == p->vol_hour) {
        p->vol_bytes[1] = cm_flow_pair_sat_add64(p->vol_bytes[1], v->fl->bytes);
    } else {
        return 0; /* older than the previous hour */
    }
    p->vol_conns = cm_flow_pair_sat_inc(p->vol_conns);
    if (p->vol_fired == p->vol_hour + 1) {
        cm_flow_pair_volume_keep(st, key, klen, ev, v); /* after the hour's detection: its tail */
        return 0;
    }
    /*
     * The last hour: this hour so far and the part of the previous one still inside it;
     * after an hour that fired, this hour's own (the run goes on only if it does).
     */
    now = s > (int64_t)p->vol_hour * HOUR_S ? s : (int64_t)p->vol_hour * HOUR_S;
    est = vol_held(p)
              ? p->vol_bytes[0]
              : cm_flow_pair_sat_add64(p->vol_bytes[0], p->vol_bytes[1] / HOUR_S *
                                                            (uint64_t)(HOUR_S - now % HOUR_S));
    if (est < st->t.volume_floor_bytes || est < p->vol_need) {
        return 0;
    }
    in = cm_state_get(st->insts, v->resource.p, v->resource.len);
    if (in == NULL || now * 1000 - in->first_ms < st->t.volume_learn_ms) {
        p->vol_need = cm_flow_pair_sat_add64(est, st->t.volume_floor_bytes); /* still learning */
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
    /* outBytes: the sliding hour's, as judged; usualHourBytes: the baseline it passed */
    snprintf(st->info, sizeof(st->info),
             "{\"outBytes\":%llu,\"usualHourBytes\":%llu,\"windowSeconds\":%d}",
             (unsigned long long)est, (unsigned long long)base, HOUR_S);
    return cm_flow_pair_volume_fire(st, p, key, klen, ev, v, st->info, sink);
}

/* ---- the detector ------------------------------------------------------------------------ */

/*
 * Whether a record the port order reads as a request is more likely a
 * service's answer: its TCP flags have a SYN-ACK, or both ports are 1024 or
 * above and the local (source) port is below PS_EPHEMERAL_MIN, where no
 * client's ephemeral port is.
 */
static bool service_answer(const struct cm_flow_view *v)
{
    if (v->fl->protocol == 6 && v->fl->tcp_flags >= 0) {
        /* A SYN-ACK (18) answers a connection the remote opened: the record is the answering
         * side's whatever its ports (a task's host port in the ephemeral range answering a load
         * balancer's health check from a lower port); a scanner's probes never carry one. */
        if ((v->fl->tcp_flags & 0x12) == 0x12) {
            return true;
        }
        /* A record whose TCP flags are a SYN alone opened a connection nobody answered: no
         * service's answer carries that, whatever its ports (nmap -g 20000). */
        if ((v->fl->tcp_flags & 0x3f) == 0x02) {
            return false;
        }
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
    if ((fl->protocol == 17 || cm_flow_pair_unusual(fl->protocol)) && fl->action == CM_FA_ACCEPT &&
        cm_flow_view(ev, st->local, st->inv, &v) && !v.local_first) {
        /*
         * the remote's datagrams (or a tunnel's packets back): answers to a flood-like stream,
         * and from a port in use
         */
        if ((p = cm_flow_pair_dos_answer(st, ev, &v)) != NULL && fl->protocol == 17) {
            ps_answer(st, p, &v, fl->start > 0 ? fl->start : ev->time_ms / 1000);
        }
    }
    if (fl->srcport >= 0 && fl->dstport >= 1024 && fl->srcport < fl->dstport) {
        return 0;
    }
    if (!cm_flow_view(ev, st->local, st->inv, &v) || !v.outbound || v.reply ||
        v.resource.len == 0 || v.resource.len > RES_MAX) {
        return 0;
    }
    rc = cm_ip_classify(v.remote);
    pub = rc == CM_IPC_PUBLIC;
    probe = v.remote_port >= 0 && (fl->protocol == 6 || fl->protocol == 17) &&
            (fl->action == CM_FA_REJECT || fl->packets <= st->t.portscan_probe_packets) &&
            !service_answer(&v) && !cm_flow_traceroute(&v);
    if (!pub && !(probe && inside_vpc(rc))) {
        return 0;
    }
    s = fl->start > 0 ? fl->start : ev->time_ms / 1000;
    e = fl->end > s ? fl->end : s;
    e = e - s > MAX_SPAN_S ? s + MAX_SPAN_S : e;
    if (s < MIN_TIME_S || e >= (int64_t)UINT32_MAX) {
        return 0;
    }
    klen = cm_flow_pair_key(key, v.remote, v.resource);
    heavy = cm_state_get(st->heavy, key, klen) != NULL;
    p = cm_state_touch(heavy ? st->heavy : st->pairs, key, klen, ev->time_ms, &created);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    if (created && pub &&
        inst_touch(st, v.resource, ev->time_ms, cm_flow_local_first_ms(st->local, ev)) == NULL) {
        return CM_ENOMEM;
    }
    if (probe && (r = portscan(st, p, key, klen, ev, &v, s, sink)) != 0) {
        return r;
    }
    if (!pub) {
        return 0;
    }
    if ((type = cm_flow_pair_dos_type(st, fl, &v, s, e)) != NULL &&
        (r = cm_flow_pair_dos(st, p, key, klen, ev, &v, type, s, e, sink)) != 0) {
        return r;
    }
    if ((r = volume(st, p, key, klen, ev, &v, s, sink)) != 0) {
        return r;
    }
    return heavy ? 0 : promote(st, key, klen, p);
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct flow_pair *st = state;

    int rc = cm_flow_pair_expire(st, watermark_ms, sink); /* folds, and reports tails */

    cm_state_expire(st->insts, watermark_ms, NULL, NULL);
    cm_state_expire(st->conns, watermark_ms, NULL, NULL);
    return rc;
}

static void finish(void *state)
{
    struct flow_pair *st = state;

    if (st != NULL) {
        cm_state_destroy(st->pairs);
        cm_state_destroy(st->heavy);
        cm_state_destroy(st->insts);
        cm_state_destroy(st->conns);
        cm_state_destroy(st->kept);
        cm_state_destroy(st->checkers);
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
    st->inv = st->cfg ? st->cfg->inventory : NULL;
    st->local = opts ? opts->flow_local : NULL;
    st->seed = opts ? opts->seed : 0;
    st->ps_bits_needed = bits_for(st->t.portscan_ports);
    memset(&so, 0, sizeof(so));
    /* Kept records go when their pair does (never expired by themselves: TTL unused). */
    so.val_size = sizeof(struct cm_flow_kept);
    so.max_entries = PAIR_KEPT_MAX;
    so.seed = st->seed ^ 0xbf58476d1ce4e5b9ULL;
    if ((rc = cm_state_create(&st->kept, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct pair);
    so.max_entries = st->t.max_pairs;
    so.ttl_ms = PAIR_TTL_MS;
    so.seed = st->seed;
    so.on_evict = cm_flow_pair_evicted;
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
    so.val_size = 0;
    so.max_entries = DOS_CONN_MAX;
    so.ttl_ms = DOS_CONN_TTL_MS;
    so.seed = st->seed ^ 0x94d049bb133111ebULL;
    if ((rc = cm_state_create(&st->conns, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct ps_checker);
    so.max_entries = CHECKER_MAX;
    so.ttl_ms = CHECKER_TTL_MS;
    so.seed = st->seed ^ 0xd6e8feb86659fd93ULL;
    if ((rc = cm_state_create(&st->checkers, &so)) != 0) {
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

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct flow_pair *st = state;

    cm_state_stats_add(sum, st->pairs);
    cm_state_stats_add(sum, st->heavy);
    cm_state_stats_add(sum, st->insts);
    cm_state_stats_add(sum, st->conns);
    cm_state_stats_add(sum, st->kept);
    cm_state_stats_add(sum, st->checkers);
}

static const char *const types[] = {
    T_PORTSCAN,   TYPE_DOS_TCP,     TYPE_DOS_UDP, TYPE_DOS_UDPTCP,
    TYPE_DOS_DNS, TYPE_DOS_UNUSUAL, TYPE_VOLUME,  NULL,
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
    .save = cm_flow_pair_save,
    .load = cm_flow_pair_load,
    .state_version_old = FLOW_PAIR_STATE_VERSION_OLD,
    .load_old = cm_flow_pair_load_old,
    .flow_local = true,
};
