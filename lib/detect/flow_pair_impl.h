/*
 * What flow_pair.c (the pair detector: Portscan, TrafficVolumeUnusual, the
 * instance baseline, the tables, checkpoints) and flow_pair_dos.c (the
 * Backdoor:EC2/DenialOfService.* floods) share: the defaults, the state
 * layout and the helpers both call. Private to the two.
 */
#ifndef CM_DETECT_FLOW_PAIR_IMPL_H
#define CM_DETECT_FLOW_PAIR_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "detect/flow.h"
#include "detect/state.h"

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
/* bytes: the tester's 284-byte and 92-byte datagrams, Mirai's 540 (512 of payload), not the
 * 1,200 to 1,500 of media and bulk data */
#define DOS_MAX_AVG 1000
/*
 * A connection pool is not a flood. An application keeps a pool of long-lived
 * TCP connections to its database or a partner's API (HikariCP and most pools
 * default to 10, rarely above 100 an instance); its records are the same
 * 5-tuples minute after minute. A flood opens new connections (a new source
 * port each), or holds far more of them (a SYN flood cycling through the
 * source ports, GoldenEye's 5,000 keep-alive sockets, slowloris' 150 and up).
 * So a minute's TCP packets on connections seen before (and without a SYN)
 * do not count while they are at most DOS_POOL connections; past that, all
 * count. Each is at most dos_flow_pps, so what a pool may send uncounted is
 * bounded: 128 x 100 = 12,800 packets/s.
 */
#define DOS_POOL        128 /* continuing connections in a minute that are a pool */
#define DOS_WATCH_DIV   8   /* a pair's connections are remembered once a minute reaches need / 8 */
#define DOS_CONN_TTL_MS (20LL * 60 * 1000) /* two 10-minute records of one connection */
#define DOS_CONN_MAX    (64 * 1024)
#define DOS_CONN_KEY    12 /* the pair key's hash (8), local port (2), remote port (2) */

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
 * an instance for the baseline's 7 days. 512 Ki pairs take about 215 MB
 * and 256 Ki instances about 40 MB at most.
 */
#define PAIR_TTL_MS (3600LL * 1000)
#define PAIR_MAX    (512 * 1024)
/*
 * A pair whose hour passed volume_floor_bytes / volume_factor (100 MiB, what
 * an hour must pass to matter to TrafficVolumeUnusual) moves to a table of
 * its own, an eighth of max_pairs (64 Ki by default, about 27 MB at most):
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

#define TYPE_DOS_TCP     "Backdoor:EC2/DenialOfService.Tcp"
#define TYPE_DOS_UDP     "Backdoor:EC2/DenialOfService.Udp"
#define TYPE_DOS_UDPTCP  "Backdoor:EC2/DenialOfService.UdpOnTcpPorts"
#define TYPE_DOS_DNS     "Backdoor:EC2/DenialOfService.Dns"
#define TYPE_DOS_UNUSUAL "Backdoor:EC2/DenialOfService.UnusualProtocol"
#define TYPE_VOLUME      "Behavior:EC2/TrafficVolumeUnusual"

/* One (remote, resource) pair: 304 bytes. */
struct pair {
    /* Portscan: a port sketch per epoch slot (epoch & 1); the window is both. */
    uint64_t ps_bits[2][PS_SKETCH_BITS / 64];
    /*
     * ... and the epoch before the window's. A port counts when it was probed
     * in one epoch of the window and not in the epoch before: a scan touches
     * each port once, a health checker or a monitor comes back every interval.
     */
    uint64_t ps_seen[PS_SKETCH_BITS / 64];
    /*
     * ... and the remote ports that sent the instance UDP lately (this epoch and the one
     * before ps_ans_epoch): a port that answers in UDP is a service talking, not a probed
     * port (a closed UDP port answers with ICMP), in whatever order the log has the two.
     */
    uint64_t ps_ans[PS_SKETCH_BITS / 64];
    uint32_t ps_probes[2]; /* probes not yet reported, per slot */
    uint32_t ps_epoch;     /* newest epoch with a probe; 0 before the first */
    uint32_t ps_fired;     /* 1 + the epoch of the last Portscan; 0: none */
    uint32_t ps_first;     /* start (s) of the oldest unreported probe; 0: none */
    uint32_t ps_ans_epoch; /* newest epoch with a UDP answer; 0 before the first */
    /* Floods: flood-like packets per minute, minute m in dos_pkts[m % DOS_BUCKETS]. */
    uint32_t dos_pkts[DOS_BUCKETS];
    /* ... and the UDP packets the remote sent the instance in the same minutes. */
    uint32_t dos_back[DOS_BUCKETS];
    uint32_t dos_head;  /* newest minute; 0 before the first */
    uint32_t dos_conns; /* flood-like records not yet reported */
    uint32_t dos_first; /* start (s) of the oldest of them; 0: none */
    uint16_t dos_fired; /* bit m % DOS_BUCKETS: minute m already reported */
    uint16_t dos_pend;  /* bit m % DOS_BUCKETS: minute m crossed by streams, judged later */
    /* The part of dos_pkts on TCP connections seen before (a pool's), and how many (to 255). */
    uint32_t dos_pool[DOS_BUCKETS];
    uint8_t dos_npool[DOS_BUCKETS];
    uint32_t dos_watch; /* newest minute at need / DOS_WATCH_DIV or more; 0: none */
    /* Volume: outbound bytes of this hour and the one before. */
    uint32_t vol_hour;  /* hour of vol_bytes[0]; 0 before the first */
    uint32_t vol_conns; /* request records this hour; after its detection, since it */
    uint32_t vol_fired; /* 1 + the hour of the last TrafficVolumeUnusual; 0: none */
    /*
     * Portscan's probes counted since its last detection of the pair, whatever the epoch
     * (the window's counts restart with it): the next detection reports them, or the pair's
     * expiry from the last of them, kept in the kept table (flow_pair_tail.c). In what was
     * padding: the layout stays 304 bytes and an older file reads 0. Before the pair's first
     * detection, 1 while its window is held by a completed handshake (portscan, flow_pair.c).
     */
    uint32_t ps_tail;
    uint64_t vol_bytes[2];
    uint64_t vol_need; /* judge the hour again once its estimate reaches this */
};

_Static_assert(sizeof(struct pair) == 304, "struct pair: the layout checkpoints save");

/*
 * A checker's ports: per local address (and account), the remote ports it probed on some
 * pair in two epochs in a row (a health checker's, a monitor's), for the current epoch
 * (slot epoch & 1) and the one before. A new pair whose failed probes reach the threshold
 * only with such ports is held like a checker's handshakes (a node joining behind a load
 * balancer before its service is up: the balancer's first checks of its NodePorts fail).
 * 40 bytes a value; 64 Ki addresses (about 9 MB with keys and overhead), gone after two idle
 * epochs.
 */
struct ps_checker {
    uint32_t epoch; /* newest epoch with a recurring port; 0 before the first */
    uint32_t pad;
    uint64_t bits[2][PS_SKETCH_BITS / 64];
};

#define CHECKER_MAX    (64 * 1024)
#define CHECKER_TTL_MS (2LL * PS_EPOCH_S * 1000)

/*
 * Kept records (struct cm_flow_kept, 336 bytes; about 470 with the key and the map's
 * overhead): one per pair and type that counted probes since its last Portscan, or
 * flood-like records since its last DenialOfService, for the pair's expiry (or the flood's
 * end) to report them (flow_pair_tail.c), or request records since the TrafficVolumeUnusual
 * of its hour (made empty by the detection, filled by the records after it; reported when the
 * pair moves to a later hour or expires). 16384: about 7.5 MiB. A full table evicts the
 * least recently kept record; its pair's tail is then not reported. Keyed by the pair's key
 * and a kind byte (KEPT_PORTSCAN, KEPT_DOS or KEPT_VOLUME).
 */
#define PAIR_KEPT_MAX (16 * 1024)
#define KEPT_PORTSCAN 0
#define KEPT_DOS      1
#define KEPT_VOLUME   2
#define KEPT_KEY_MAX  (KEY_MAX + 1)

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
    struct cm_state *conns;  /* TCP connections of watched pairs (DOS_CONN_KEY) -> nothing */
    struct cm_state *kept;   /* (pair key, kind) -> struct cm_flow_kept: a tail's last record */
    struct cm_state *checkers;      /* (family, local address, account) -> struct ps_checker */
    struct cm_flow_local *local;    /* the engine's own-address learner (NULL: none) */
    const struct cm_inventory *inv; /* the scan's inventory (NULL: none), for cm_flow_view */
    char info[128];                 /* additionalInfo of the volume detection being emitted */
};

static inline uint32_t cm_flow_pair_sat_inc(uint32_t x)
{
    return x == UINT32_MAX ? x : x + 1;
}

static inline uint64_t cm_flow_pair_sat_add64(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* (family, address, resource) into out (KEY_MAX bytes); returns its length. */
size_t cm_flow_pair_key(uint8_t *out, const struct cm_ip *ip, struct cm_str res);

/*
 * Emits type for the record, count times (at least once), from first_s when earlier, with
 * additionalInfo members info (a JSON object; NULL: none).
 */
int cm_flow_pair_emit(const struct cm_event *ev, const struct cm_flow_view *v, const char *type,
                      uint32_t count, int64_t first_s, const char *info, struct cm_sink *sink);

/*
 * Whether protocol is one DenialOfService.UnusualProtocol counts: not ICMP, TCP, UDP, ICMPv6,
 * nor ESP and AH (IPsec tunnels carry whole networks' traffic).
 */
static inline bool cm_flow_pair_unusual(int32_t protocol)
{
    return protocol >= 0 && protocol != 1 && protocol != 6 && protocol != 17 && protocol != 50 &&
           protocol != 51 && protocol != 58;
}

/* flow_pair_dos.c: the flood variant a request record counts toward, or NULL. */
const char *cm_flow_pair_dos_type(const struct flow_pair *st, const struct cm_flow *fl,
                                  const struct cm_flow_view *v, int64_t s, int64_t e);

/*
 * flow_pair_dos.c: a UDP record (or one of an unusual protocol) the remote sent the instance
 * goes into its pair's answers; returns the pair (NULL when it has none), for Portscan's
 * answered ports.
 */
struct pair *cm_flow_pair_dos_answer(struct flow_pair *st, const struct cm_event *ev,
                                     const struct cm_flow_view *v);

/*
 * flow_pair_dos.c: counts a flood-like request record of type into pair p (key, klen); may
 * emit, and reports the flood's tail (flow_pair_tail.c) when its minutes leave the ring.
 */
int cm_flow_pair_dos(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                     const struct cm_event *ev, const struct cm_flow_view *v, const char *type,
                     int64_t s, int64_t e, struct cm_sink *sink);

/*
 * flow_pair_dos.c: the flood variant of a record of protocol to remote_port that counted
 * (what cm_flow_pair_dos_type said of it), for a tail reported from a kept record.
 */
const char *cm_flow_pair_dos_kind(int32_t protocol, int32_t remote_port);

/* flow_pair.c: the open hour of pair key joins the baseline (expiry and eviction). */
void cm_flow_pair_fold(struct flow_pair *st, const void *key, size_t klen, const struct pair *p);

/* flow_pair_tail.c: the pair key's kept-record key of kind into out (KEPT_KEY_MAX); its length. */
size_t cm_flow_pair_kept_key(const void *key, size_t klen, uint8_t kind, uint8_t *out);

/* flow_pair_tail.c: keeps request record ev (seen as v) as the last of pair key's tail of kind. */
int cm_flow_pair_keep_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind,
                           const struct cm_event *ev, const struct cm_flow_view *v);

/* flow_pair_tail.c: whether pair key has a kept record of kind. */
bool cm_flow_pair_has_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind);

/* flow_pair_tail.c: drops pair key's kept record of kind (its tail was reported). */
void cm_flow_pair_drop_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind);

/*
 * flow_pair_tail.c: reports count records of pair key's tail of kind (KEPT_PORTSCAN: the
 * probes after its last Portscan; KEPT_DOS: the flood-like records after its last
 * DenialOfService; KEPT_VOLUME: the request records after its hour's TrafficVolumeUnusual)
 * from its kept record, which goes; nothing when none is kept.
 */
int cm_flow_pair_report_tail(struct flow_pair *st, const void *key, size_t klen, uint8_t kind,
                             uint32_t count, int64_t first_s, struct cm_sink *sink);

/*
 * flow_pair.c: the sketch bits of pair p's Portscan window: its ports probed in exactly one of
 * its two epochs and not in the epoch before them, less the ports that answered in UDP.
 */
uint32_t cm_flow_pair_ps_window(const struct pair *p);

/* flow_pair.c: cm_flow_pair_ps_window less the ports in less (a sketch; NULL: none). */
uint32_t cm_flow_pair_ps_window_less(const struct pair *p, const uint64_t *less);

/*
 * flow_pair_checker.c: the local address of record v (ev, epoch e) probed a port (sketch bit)
 * of a pair in epoch e and in the epoch before: it checks that port again and again (a health
 * checker, a monitor). Keyed by the local address and the account, not the resource: a node
 * whose own address is not learned yet (v2) reads a balancer's checks of it as its own probes
 * from the balancer's address.
 */
int cm_flow_pair_checker_note(struct flow_pair *st, const struct cm_event *ev,
                              const struct cm_flow_view *v, uint32_t e, uint32_t bit);

/*
 * flow_pair_checker.c: whether failed probe v (ev, epoch e) that brings pair p's (key) new window
 * to the threshold is held: when its local address checked ports again and again in epoch e or
 * the one before, while the window reaches the threshold only with those ports (a load
 * balancer's first checks of a new target, failing before its service is up), so a scan from a
 * checker's address fires once its other ports do; else while the window is held already (a state
 * file before 2026-12-06).
 */
bool cm_flow_pair_checker_hold(struct flow_pair *st, const struct pair *p, const void *key,
                               size_t klen, const struct cm_event *ev, const struct cm_flow_view *v,
                               uint32_t e);

/* flow_pair_checker.c: the checkers' codec for checkpoints. */
extern const struct cm_state_codec cm_flow_pair_checker_codec;

/*
 * flow_pair_tail.c: whether pair p's Portscan window of epoch e (record ev's, before it moves
 * the window) is new: blind (the epoch before it is before the interface's first record,
 * cm_flow_local_first_ms), or the pair probed nothing in the epoch before it, so the window holds
 * the pair's first probes (its first two epochs, or the first two after a pause of two epochs or
 * more): a checker that starts in the middle of the log (a node joining a cluster, a new target
 * group) probes all its ports there for the first time. Read from the sketches: the epoch
 * before is ps_seen once the window is e's, else the slot of e - 2.
 */
bool cm_flow_pair_ps_new(const struct flow_pair *st, const struct pair *p,
                         const struct cm_event *ev, uint32_t e);

/*
 * flow_pair_tail.c: judges pair p's (key) Portscan window held while new (the epoch before it
 * was before its interface's first record, or had no probe of the pair): reports it from its kept
 * probe when its ports probed in exactly one of its two epochs reach the threshold, else drops the
 * kept probe. Nothing once the pair has fired.
 */
int cm_flow_pair_ps_judge(struct flow_pair *st, struct pair *p, const void *key, size_t klen,
                          struct cm_sink *sink);

/*
 * flow_pair_tail.c: pair p's (key) TrafficVolumeUnusual of its hour on request record ev (seen
 * as v): emits the hour's records so far; the records after it are counted in vol_conns, the
 * last of them kept (cm_flow_pair_volume_keep) in the empty kept record of KEPT_VOLUME made
 * here, and reported as the tail when the pair moves to a later hour or expires.
 */
int cm_flow_pair_volume_fire(struct flow_pair *st, struct pair *p, const uint8_t *key, size_t klen,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const char *info, struct cm_sink *sink);

/* flow_pair_tail.c: request record ev after its hour's TrafficVolumeUnusual: the tail's last. */
void cm_flow_pair_volume_keep(struct flow_pair *st, const uint8_t *key, size_t klen,
                              const struct cm_event *ev, const struct cm_flow_view *v);

/*
 * flow_pair_tail.c: expires the pair tables at watermark_ms: each pair's open hour joins the
 * baseline (but at the end of input, INT64_MAX) and its tails are reported to sink.
 */
int cm_flow_pair_expire(struct flow_pair *st, int64_t watermark_ms, struct cm_sink *sink);

/* flow_pair_tail.c: the eviction callback of the pair tables: fold, drop the tails. */
void cm_flow_pair_evicted(void *ud, const void *key, size_t klen, void *val);

/* ---- flow_pair_ckpt.c -------------------------------------------------------------------- */

/*
 * Where what follows the address of a key read back from a checkpoint begins (a pair's, a
 * kept record's, a checker's: a family byte, IPv4 or IPv6, then the address): 0 when the
 * family is neither or the key is shorter than the address.
 */
static inline size_t cm_flow_pair_key_after_addr(const void *key, size_t klen)
{
    const uint8_t *k = key;
    size_t off;

    if (klen == 0 || (k[0] != CM_IP_V4 && k[0] != CM_IP_V6)) {
        return 0;
    }
    off = 1 + (k[0] == CM_IP_V4 ? 4 : 16);
    return klen >= off ? off : 0;
}

/*
 * bump when the layout save writes changes; 8 had a copy of the learner's table before conns,
 * 9 no kept records, 10 none of KEPT_VOLUME (all three still read, load_old: a pair whose
 * hour fired has no kept record of its volume then, and the hour's tail is not reported), 11
 * no checkers (read: a balancer's checks of a new target wait for two epochs to be learned)
 */
#define FLOW_PAIR_STATE_VERSION     12u
#define FLOW_PAIR_STATE_VERSION_OLD 8u

/* The detector's save, load and load_old hooks (struct cm_detector). */
int cm_flow_pair_save(const void *state, struct cm_ckpt_w *w);
int cm_flow_pair_load(void *state, struct cm_ckpt_r *r);
int cm_flow_pair_load_old(void *state, struct cm_ckpt_r *r, uint32_t version);

#endif
