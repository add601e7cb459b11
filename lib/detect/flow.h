/*
 * VPC flow detectors (issue #6): what they share. A flow record is one
 * direction of one connection, captured at one interface (ENI); the
 * detectors reason about connections from the instance's side, so every
 * record is first seen through a struct cm_flow_view:
 *
 *   local / remote   the interface's side and the other side. From the
 *                    flow-direction field when the format has it; else the
 *                    internal address (cm_ip_is_internal: RFC 1918/6598/4193, link-local) is the
 *                    local one when exactly one side is private; else the
 *                    interface's own address (IPv4) or /64 (IPv6) once its
 *                    records have shown it (cm_flow_local_note); else (both
 *                    private or both public, not yet learned) the source.
 *   outbound         the instance opened the connection: the local port is
 *                    the ephemeral one (higher than the remote port, which is
 *                    below 1024 or the lower of two), or the protocol has no
 *                    ports and the record goes out.
 *   reply            the record carries the responder's packets back to the
 *                    initiator (source port below destination port, the
 *                    destination port 1024 or above). Detectors that count
 *                    connections count requests, not replies.
 *
 * docs/detectors/vpcflow.md has every flow detector's trigger and defaults.
 */
#ifndef CM_DETECT_FLOW_H
#define CM_DETECT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/ip.h"
#include "base/str.h"
#include "detect/detect.h"
#include "detect/state.h"

struct cm_flow_view {
    const struct cm_flow *fl;
    const struct cm_ip *local, *remote;
    int32_t local_port, remote_port; /* -1 when the protocol has none */
    bool outbound;                   /* the connection was opened by the instance */
    bool reply;                      /* this record is the reply direction */
    bool local_first;                /* the record's source is the local side */
    struct cm_str resource;          /* the instance id, else the ENI (the finding's resource) */
};

/*
 * Whether fl is another host's traffic passing through an interface of no
 * instance: the format has instance-id and it is "-", and a packet-level
 * address (pkt-srcaddr, pkt-dstaddr) differs from the interface-level one. A
 * NAT gateway, a load balancer or a firewall endpoint forwarding an instance's
 * connection; the instance's own interface records the same connection, and
 * GuardDuty's EC2 findings name instances (docs/detectors/vpcflow.md).
 */
bool cm_flow_forwarded(const struct cm_flow *fl);
/* Whether fl's format has instance-id and it is "-": an interface of no instance of the account. */
bool cm_flow_no_instance(const struct cm_flow *fl);

/*
 * The interface's own address (flow_local.c). A record of a format without
 * flow-direction (the default, v2) whose two addresses are both internal
 * (east-west IPv4: a load balancer's health checks, a database's clients) or
 * both public (IPv6, where every address of an instance is) does not say
 * which side is the instance's. Each record of an interface has one of its
 * addresses: its private IPv4 address, or an IPv6 address of its subnet's
 * /64. So the IPv4 address, or the /64, found in every such record of an
 * interface is its own, unless its records show several (then the one on
 * every record may be a remote they share, and none is learned). The
 * learner's table maps an interface id to what its records showed so far (32
 * bytes, both families).
 *
 * An engine keeps one learner for all its detectors that view flow records
 * (struct cm_detector.flow_local; they get it as opts->flow_local): it notes
 * every flow record once, before those detectors see it, expires the table
 * when it ticks them, and saves it in its own part of a checkpoint.
 */
#define CM_FLOW_LOCAL_MAX    (128u * 1024)            /* interfaces remembered */
#define CM_FLOW_LOCAL_TTL_MS (7LL * 24 * 3600 * 1000) /* forgotten after a quiet week */
/* The layout of the learner's table in a checkpoint (the engine's part). */
#define CM_FLOW_LOCAL_STATE_VERSION 1u

struct cm_flow_local {
    struct cm_state *t; /* interface id -> what its records showed */
    uint64_t seed;
    /*
     * What cm_flow_local_note found for the record it noted last, ev (NULL:
     * none), for cm_flow_view: the addresses classified and the side known
     * once a record, not once per detector. Set only for records that pass
     * cm_flow_local_maybe; the engine clears it once the record is dispatched.
     */
    const struct cm_event *ev;
    int8_t internal; /* cm_ip_is_internal: 1 the source alone, -1 the destination alone */
    int8_t side;     /* cm_flow_local_side(ev) after learning from it */
    bool loaded;     /* the table came from a checkpoint (cm_flow_local_load) */
    /* The record noted last whose interface has no instance (NULL: none), and whether
     * that interface forwards other hosts' traffic (cm_flow_local_forwards). */
    const struct cm_event *fwd_ev;
    bool fwd;
    /* The record noted last (NULL: none) and its interface's first_s (cm_flow_local_first_ms). */
    const struct cm_event *seen_ev;
    uint32_t first_s;
};

/* A learner with an empty table. Returns 0 or CM_ENOMEM. */
int cm_flow_local_create(struct cm_flow_local **out, uint64_t seed);
/* NULL: no-op. */
void cm_flow_local_destroy(struct cm_flow_local *l);
/*
 * Whether fl can be one of the records the table is about: no flow-direction
 * and one family, IPv4 or IPv6, on both sides. The cheap part of the test,
 * inline: records of formats with flow-direction never pass.
 */
static inline bool cm_flow_local_maybe(const struct cm_flow *fl)
{
    return fl->direction == CM_FD_UNKNOWN && fl->src.family == fl->dst.family &&
           (fl->src.family == CM_IP_V4 || fl->src.family == CM_IP_V6);
}
/*
 * Learns from event ev (any kind; every flow record with log-status OK teaches
 * when its interface was first seen, ambiguous ones the side, and those of
 * interfaces of no instance whether the interface forwards) and keeps what
 * cm_flow_view needs of it until the next note. 0 or CM_ENOMEM.
 */
int cm_flow_local_note(struct cm_flow_local *l, const struct cm_event *ev);
/* Forgets the record noted last: ev's memory may hold another event next. */
static inline void cm_flow_local_forget(struct cm_flow_local *l)
{
    if (l != NULL) {
        l->ev = NULL;
        l->fwd_ev = NULL;
        l->seen_ev = NULL;
    }
}
/*
 * Whether flow record ev is of an interface of no instance (cm_flow_no_instance)
 * that forwards other hosts' traffic: one of its records so far was forwarded
 * (cm_flow_forwarded). A NAT gateway's records of its own leg to the internet
 * (srcaddr and pkt-srcaddr both its own address) are then known for its too;
 * they are the instance's connections, which its own interface records. l may
 * be NULL (false).
 */
bool cm_flow_local_forwards(const struct cm_flow_local *l, const struct cm_event *ev);
/*
 * When the interface of flow record ev was first seen: the earliest time (ms, whole
 * seconds) of its records with log-status OK that l noted, of any kind (inbound,
 * east-west, public). The flow detectors' histories of an instance start there, not at
 * its first public request: an instance that talked only inside the VPC has a history
 * too. INT64_MAX when not known (l NULL, a record of no interface, a table from a
 * checkpoint written before 2026-12-05).
 */
int64_t cm_flow_local_first_ms(const struct cm_flow_local *l, const struct cm_event *ev);
/*
 * Which side of fl is the interface's by what l learned: 1 the source, -1 the
 * destination, 0 not known (a record that is not ambiguous, an interface not
 * learned yet, or both or neither side in its network). l may be NULL.
 */
int cm_flow_local_side(const struct cm_flow_local *l, const struct cm_flow *fl);
/* Forgets interfaces idle past the TTL at watermark_ms (INT64_MAX: all). l may be NULL. */
void cm_flow_local_expire(struct cm_flow_local *l, int64_t watermark_ms);
/* Adds the table's counters to *sum. l may be NULL. */
void cm_flow_local_stats(const struct cm_flow_local *l, struct cm_state_stats *sum);
/* Checkpoints: the table (cm_state_save), and back into a fresh learner. Return w's / r's error. */
int cm_flow_local_save(const struct cm_flow_local *l, struct cm_ckpt_w *w);
int cm_flow_local_load(struct cm_flow_local *l, struct cm_ckpt_r *r);
/*
 * Reads one of the copies of the table that checkpoints made before
 * 2026-12-05 kept in each flow detector's section (each detector
 * had its own, fed the same records): the first one read goes into l, unless
 * l was loaded already; the others are read, checked and dropped. l may be
 * NULL (an engine without a learner): checked and dropped. Returns r's error.
 */
int cm_flow_local_load_copy(struct cm_flow_local *l, struct cm_ckpt_r *r);

struct cm_inventory;

/*
 * Fills *v for flow event ev, with local (NULL: none) the learner that noted
 * ev (cm_flow_local_note) for records whose sides nothing else tells apart, and
 * inv (NULL: none) the scan's inventory, asked first which side is one of the
 * interface's addresses (cm_inventory_eni_side): it knows every address of
 * an interface it lists, where local knows one.
 * Returns false (nothing to judge) for records without both addresses,
 * NODATA/SKIPDATA records, forwarded records (cm_flow_forwarded), and events
 * of other kinds.
 */
bool cm_flow_view(const struct cm_event *ev, const struct cm_flow_local *local,
                  const struct cm_inventory *inv, struct cm_flow_view *v);

/*
 * Whether request record v is a traceroute probe: UDP to the port range traceroute (and
 * mtr's UDP mode) walks, from 33434 (IANA's traceroute port) one port per probe, three
 * probes a hop: 33434-33534, the range firewall guides open for it. Each probe is one
 * datagram nobody answers on UDP (the routers answer with ICMP), so a trace of 16 hops
 * looks like 48 ports probed on one host. A record of more than 3 datagrams is a
 * conversation on that port, not a probe, and is judged as any other.
 */
bool cm_flow_traceroute(const struct cm_flow_view *v);

/*
 * Starts an instance detection of type for flow event ev seen as v:
 * account, region, time, count 1, the event, resource (instance or ENI)
 * and direction (outbound or inbound, from v).
 */
void cm_flow_detection(struct cm_detection *d, const struct cm_event *ev,
                       const struct cm_flow_view *v, const char *type);

/* ---- flow_inbound.c: brute force and port probes (docs/detectors/vpcflow-inbound.md) ---- */

/*
 * Settings of the inbound detector; a zero member takes its documented
 * default (the CM_FLOW_IN_* values in flow_inbound.c).
 */
struct cm_flow_inbound_tuning {
    uint32_t brute_attempts;      /* connections from one remote to one service that fire (20) */
    int64_t brute_window_ms;      /* ... within this much event time (10 min) */
    uint32_t attempt_max_packets; /* a request record with more packets is a session (100) */
    int64_t probe_window_ms;      /* a probed (remote, port) pair is reported once per (1 h) */
    size_t brute_max_entries;     /* memcap of the brute-force table (131072) */
    size_t probe_max_entries;     /* memcap of the port-probe table (65536) */
    bool brute_private_remotes;   /* count remotes inside the VPC too (off: bastions, scanners) */
    /*
     * Whether the resource (instance id, else ENI) is an EMR cluster node;
     * NULL: never, so probes of EMR ports are PortProbeUnprotectedPort.
     */
    bool (*is_emr)(void *ud, struct cm_str resource);
    void *is_emr_ud;
};

/*
 * Makes the inbound detector's state with tuning t (copied; NULL: every
 * default). The built-in detector's init() calls this. Returns 0 or
 * CM_ENOMEM.
 */
int cm_flow_inbound_init(void **state, const struct cm_detect_opts *opts,
                         const struct cm_flow_inbound_tuning *t);

/* SSH/RDP/WinRM brute force (target and actor) and port probes from listed addresses. */
extern const struct cm_detector cm_detector_flow_inbound;

/* ---- flow_pair.c: Portscan, DoS, traffic volume (docs/detectors/vpcflow-pair.md) ---- */

/*
 * Settings of the pair detector; a zero member takes its documented default
 * (the #defines of flow_pair_impl.h).
 */
struct cm_flow_pair_tuning {
    uint32_t portscan_ports;         /* distinct probed ports in 10-20 min that fire (20) */
    uint32_t portscan_probe_packets; /* a request record with at most this many is a probe (3) */
    uint32_t dos_pps;                /* flood-like packets/s to one host over a minute (3000) */
    uint32_t dos_flow_pps;           /* a TCP or QUIC flow faster than this is a transfer (100) */
    uint32_t dos_max_avg_bytes;      /* a UDP record with larger packets is no flood (1000) */
    uint64_t volume_floor_bytes;     /* an hour to one host below this is never unusual (1 GiB) */
    uint32_t volume_factor;          /* ... and it must be this many times the baseline (10) */
    int64_t volume_learn_ms;         /* learning before TrafficVolumeUnusual can fire (24 h) */
    size_t max_pairs;                /* memcap of the (remote, resource) table (524288) */
    size_t max_instances;            /* memcap of the per-resource baseline table (262144) */
};

/*
 * Makes the pair detector's state with tuning t (copied; NULL: every
 * default). The built-in detector's init() calls this. Returns 0 or
 * CM_ENOMEM.
 */
int cm_flow_pair_init(void **state, const struct cm_detect_opts *opts,
                      const struct cm_flow_pair_tuning *t);

/* Portscan, DenialOfService.{Tcp,Udp,UdpOnTcpPorts,Dns,UnusualProtocol}, TrafficVolumeUnusual. */
extern const struct cm_detector cm_detector_flow_pair;

/* ---- flow_host.c, resolvers.c: per-instance detections (docs/detectors/vpcflow-host.md) ---- */

/* What a public resolver address serves (struct cm_resolver.services). */
#define CM_RESOLVER_DNS 1u /* plain DNS on UDP and TCP 53 */
#define CM_RESOLVER_DOH 2u /* DNS over HTTPS on 443 */
#define CM_RESOLVER_DOT 4u /* DNS over TLS on TCP 853 */
/* Most distinct providers a resolver set holds (a history bit each per service). */
#define CM_RESOLVER_MAX_PROVIDERS 32

/* One address or prefix of a public DNS resolver service. */
struct cm_resolver {
    const char *provider; /* e.g. "Google Public DNS"; printable ASCII without quotes */
    const char *cidr;     /* an address or a prefix, as text */
    unsigned services;    /* CM_RESOLVER_* it serves there */
};

/* The built-in table of well-known public resolvers (resolvers.c); *n gets its length. */
const struct cm_resolver *cm_resolvers_builtin(size_t *n);

struct cm_resolver_set;

/*
 * Compiles table (borrowed: it must outlive the set) for look-ups; providers
 * get ids 0, 1, ... in order of first appearance. Returns 0, CM_EINVAL (a
 * bad prefix or provider name, no services), CM_E2BIG (more than
 * CM_RESOLVER_MAX_PROVIDERS providers) or CM_ENOMEM.
 */
int cm_resolver_set_create(struct cm_resolver_set **out, const struct cm_resolver *table, size_t n);
void cm_resolver_set_destroy(struct cm_resolver_set *s);

/*
 * The entry whose prefix holds ip (the most specific), with its provider id
 * in *provider; NULL when none does. Cheap for the common miss.
 */
const struct cm_resolver *cm_resolver_set_find(const struct cm_resolver_set *s,
                                               const struct cm_ip *ip, unsigned *provider);

/*
 * Settings of the per-instance detector; a zero member takes its documented
 * default (the CM_FLOW_HOST_* values in flow_host.c).
 */
struct cm_flow_host_tuning {
    int64_t learn_ms;        /* history an instance needs before anything is unusual (24 h) */
    int64_t report_ms;       /* an ongoing episode is reported again at most this often (10 min) */
    uint32_t sweep_hosts;    /* distinct public hosts that failed on one port: PortSweep (50) */
    uint32_t sweep_fail_pct; /* ... and this share (%) of that port's attempts failed (50) */
    int64_t sweep_window_ms; /* ... within this much event time (10 min) */
    uint32_t spam_hosts;     /* distinct public mail servers on TCP/25: Spambot (5) */
    int64_t spam_window_ms;  /* ... within this much event time (10 min) */
    int64_t host_ttl_ms;     /* an instance's history is forgotten after this idle time (7 d) */
    size_t host_max_entries; /* memcap of the per-instance history table (262144) */
    size_t fan_max_entries;  /* memcap of the per-(instance, port) fan-out table (65536) */
    size_t conn_max_entries; /* memcap of the recent-connection table of PortSweep (262144) */
    /* Public resolvers, DoH and DoT servers; NULL: cm_resolvers_builtin(). Borrowed. */
    const struct cm_resolver *resolvers;
    size_t nresolvers;
};

/*
 * Makes the per-instance detector's state with tuning t (copied; NULL:
 * every default). The built-in detector's init() calls this. Returns 0,
 * CM_EINVAL (a bad setting or resolver table), CM_E2BIG (too many resolver
 * providers) or CM_ENOMEM.
 */
int cm_flow_host_init(void **state, const struct cm_detect_opts *opts,
                      const struct cm_flow_host_tuning *t);

/* PortSweep, Spambot, NetworkPortUnusual, UnusualDNSResolver, UnusualDoH/DoTActivity. */
extern const struct cm_detector cm_detector_flow_host;

/*
 * The settings of the three flow detectors, as struct cm_detect_config.flow
 * carries them (coalmine.yaml's detectors.vpcflow); zero members take the
 * defaults.
 */
struct cm_flow_tunings {
    struct cm_flow_inbound_tuning inbound;
    struct cm_flow_pair_tuning pair;
    struct cm_flow_host_tuning host;
};

#endif
