/*
 * Inbound-service detections of VPC flow logs (issue #6): password brute
 * force against SSH, RDP and WinRM, and port probes from listed addresses.
 * docs/detectors/vpcflow-inbound.md gives every trigger, default and near
 * miss with the reasoning; this comment is the contract in short.
 *
 * Brute force (UnauthorizedAccess:EC2/SSHBruteForce TCP/22,
 * UnauthorizedAccess:EC2/RDPBruteForce TCP/3389, Impact:EC2/WinRMBruteForce
 * TCP/5985-5986). An attempt is one connection between a public remote and
 * the service port, counted by its request record (never the reply), with at
 * most attempt_max_packets packets in that record (a bulk session is not a
 * password guess). A connection is counted once even when the flow log cuts
 * it into several records (1-minute aggregation): the remote's source ports
 * of the latest connections are remembered, and a record of a port already
 * seen is the same connection. A 10-minute record is one 5-tuple, so it is
 * one connection too; counting connections, not records or packets, makes
 * the two aggregation intervals agree. Attempts are kept per (resource,
 * remote, service, direction) in a ring of BRUTE_BUCKETS buckets covering
 * brute_window_ms of event time; brute_attempts of them within the window
 * fire.
 *   - Inbound (the remote opened the connections): the instance is the
 *     TARGET (Low). Only ACCEPTed attempts count: a REJECTed one was dropped
 *     by the security group or network ACL and never reached the daemon, so
 *     no password was tried, and counting them would turn the internet's
 *     constant SSH scanning of every public address into findings.
 *   - Outbound (the instance opened them): the instance is the ACTOR (High).
 *     REJECTed attempts count too: the instance tried, which is the signal.
 *   The direction goes in d.direction; the finding builder derives
 *   resourceRole and the severity of the role from it.
 *
 * Port probes (Recon:EC2/PortProbeUnprotectedPort,
 * Recon:EC2/PortProbeEMRUnprotectedPort). An ACCEPTed inbound request (TCP
 * or UDP) from a public address that a threat list of the intel snapshot
 * lists (any category; trusted lists win) to a local port other than 80 and
 * 443. The port is open to the internet and a known-bad host is using it.
 * Elasticsearch (9200, 9300) is High. An EMR web UI port on an instance the
 * is_emr hook says is an EMR node is PortProbeEMRUnprotectedPort (High);
 * without the hook nothing is EMR. The detection carries the lists that
 * matched. Each (resource, remote) reports a local port once per
 * probe_window_ms and at most PROBE_PORTS ports per window; further probes
 * are counted into the next detection of the same type. A probe by a
 * remote only Tor lists name is relay traffic once TOR_PEERS distinct Tor
 * nodes use that port of the resource (the instance is a Tor relay and the
 * port its ORPort): until then such probes are held per (resource, port)
 * and reported when that entry expires, unless the port became a relay's.
 *
 * Emission: one detection per decision, with the triggering request record
 * as its event, count = connections covered since the entity's last
 * detection and first_ms = the first of them. Repeats of an episode are
 * reported at most once per window per entity. The connections an entity
 * counted after its last detection (the attempts after the 20th, a
 * scanner's next visits to a port reported this hour) are reported when its
 * entry expires (one idle window; the end of input) or a brute-force episode
 * ends, from the last of them, kept as a struct cm_flow_kept with its record
 * key: every connection is counted once and the finding's lastSeen is the
 * last one (GuardDuty's count and eventLastSeen, spec 3.1). State: two keyed
 * tables with a TTL of their window and an entry cap, and a third of kept
 * records for the entries with such a tail; full tables evict the least
 * recently seen entity and count it (an evicted entry's tail is not
 * reported). Per record: cheap field tests first, then at most one intel
 * look-up and one state look-up per family (two while a tail is kept); no
 * allocation beyond new state entries, no formatting.
 */
#include "detect/flow.h"
#include "detect/flow_inbound_impl.h"
#include "inventory/inventory.h"

#include <stddef.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow_kept.h"
#include "detect/intel.h"
#include "detect/state.h"

/*
 * Bump when the layout save writes changes. 3 ended with a copy of the
 * learner's table; 4 had no kept records; 5 no Tor ports (all still read,
 * load_old).
 */
#define FLOW_INBOUND_STATE_VERSION     6u
#define FLOW_INBOUND_STATE_VERSION_OLD 3u

/*
 * Brute force: 20 connections within 10 minutes. A handful of mistyped
 * passwords is under 10 connections, a monitoring check once a minute is 10
 * per window, and tools guess far faster: SSH-Patator in CIC-IDS2017 opens
 * about 95 connections a minute (about 40 in the 42% sample of
 * ../shared/data/derived-vpcflow), the Slips SSH capture 67 in 10 seconds.
 * AWS's GuardDuty tester raises SSHBruteForce with 20 crowbar runs, so
 * GuardDuty's own threshold is no higher. The window is the longest
 * flow-log aggregation interval.
 */
#define CM_FLOW_IN_BRUTE_ATTEMPTS  20u
#define CM_FLOW_IN_BRUTE_WINDOW_MS (10LL * 60 * 1000)
/*
 * A password attempt is a short connection: the SSH-Patator connections
 * carry 10 to 36 packets from the client (each tries a few passwords before
 * sshd closes it), the Slips ones 2 to 14. An interactive session or a copy
 * carries hundreds; 100 leaves room for slow guessers and excludes bulk use.
 */
#define CM_FLOW_IN_ATTEMPT_MAX_PACKETS 100u
/*
 * Port probes: a probed (remote, port) pair is reported again at most once
 * an hour. Scanners come back to an exposed port for weeks (the finding of
 * spec §2.7.3 covers seven months); hourly updates keep the finding current
 * without one detection per connection.
 */
#define CM_FLOW_IN_PROBE_WINDOW_MS (60LL * 60 * 1000)
/*
 * Memcaps. A brute-force entry is about 200 bytes with its key and the map's
 * overhead (131072 entries: about 24 MiB); only accepted inbound or any
 * outbound connections to the four service ports from public addresses
 * create one, and they expire after one idle window. A probe entry (also
 * about 200 bytes; 65536: about 13 MiB) only exists for listed remotes.
 */
#define CM_FLOW_IN_BRUTE_MAX (128u * 1024)
#define CM_FLOW_IN_PROBE_MAX (64u * 1024)
/*
 * Kept records (struct cm_flow_kept, 336 bytes; about 470 with the key and
 * the map's overhead, measured: 466,464 bytes for 1000): one per entry
 * holding connections counted since its last detection, kept apart so the
 * many brute-force entries that never fire cost nothing more. 16384: about
 * 7.5 MiB. A full table evicts the least recently kept record; its entry's
 * tail is then not reported.
 */
#define CM_FLOW_IN_KEPT_MAX (16u * 1024)

/*
 * EMR web interfaces (Amazon EMR Management Guide, "View web interfaces
 * hosted on Amazon EMR clusters" and "Amazon EMR service ports"): YARN
 * ResourceManager 8088 and NodeManager 8042, YARN timeline server 8188, HDFS
 * NameNode 9870 (50070 before EMR 6) and DataNode 9864 (50075), Spark
 * history server 18080, HBase 16010, Hue 8888, Zeppelin 8890, Presto 8889,
 * Livy 8998, JupyterHub 9443, Tez UI 8080. Ganglia's 80 is never a probe.
 */
static const uint16_t emr_ports[] = {
    8042, 8080, 8088, 8188, 8888, 8889, 8890, 8998, 9443, 9864, 9870, 16010, 18080, 50070, 50075,
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_flow_inbound_init(state, opts, c && c->flow ? &c->flow->inbound : NULL);
}

int cm_flow_inbound_init(void **state, const struct cm_detect_opts *opts,
                         const struct cm_flow_inbound_tuning *t)
{
    struct inbound *in = cm_calloc(1, sizeof(*in));
    struct cm_state_opts so;
    int rc;

    if (in == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        in->t = *t;
    }
    in->cfg = opts ? opts->config : NULL;
    in->local = opts ? opts->flow_local : NULL;
    in->inv = in->cfg ? in->cfg->inventory : NULL;
    in->memo = opts ? opts->memo : NULL;
    in->seed = opts ? opts->seed : 0;
    /* EMR nodes are told by their tags, from the inventory when the scan has one. */
    if (in->t.is_emr == NULL && in->cfg != NULL && in->cfg->inventory != NULL) {
        in->t.is_emr = cm_inventory_is_emr;
        in->t.is_emr_ud = in->cfg->inventory;
    }
    if (in->t.brute_attempts == 0) {
        in->t.brute_attempts = CM_FLOW_IN_BRUTE_ATTEMPTS;
    }
    if (in->t.brute_window_ms <= 0) {
        in->t.brute_window_ms = CM_FLOW_IN_BRUTE_WINDOW_MS;
    }
    if (in->t.attempt_max_packets == 0) {
        in->t.attempt_max_packets = CM_FLOW_IN_ATTEMPT_MAX_PACKETS;
    }
    if (in->t.probe_window_ms <= 0) {
        in->t.probe_window_ms = CM_FLOW_IN_PROBE_WINDOW_MS;
    }
    if (in->t.brute_max_entries == 0) {
        in->t.brute_max_entries = CM_FLOW_IN_BRUTE_MAX;
    }
    if (in->t.probe_max_entries == 0) {
        in->t.probe_max_entries = CM_FLOW_IN_PROBE_MAX;
    }
    in->bucket_ms = in->t.brute_window_ms / BRUTE_BUCKETS;
    if (in->bucket_ms <= 0) {
        in->bucket_ms = 1;
    }
    memset(&so, 0, sizeof(so));
    so.seed = in->seed;
    /* Kept records go when their entry does (never expired by themselves: TTL unused). */
    so.val_size = sizeof(struct cm_flow_kept);
    so.max_entries = CM_FLOW_IN_KEPT_MAX;
    if ((rc = cm_state_create(&in->kept, &so)) != 0) {
        goto fail;
    }
    so.evict_ud = in;
    so.val_size = sizeof(struct brute);
    so.max_entries = in->t.brute_max_entries;
    so.ttl_ms = in->t.brute_window_ms;
    so.on_evict = cm_flow_in_brute_evicted;
    if ((rc = cm_state_create(&in->brute, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct probes);
    so.max_entries = in->t.probe_max_entries;
    so.ttl_ms = in->t.probe_window_ms;
    so.on_evict = cm_flow_in_probe_evicted;
    if ((rc = cm_state_create(&in->probe, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct torport);
    so.on_evict = cm_flow_in_torport_evicted;
    if ((rc = cm_state_create(&in->torport, &so)) != 0) {
        goto fail;
    }
    *state = in;
    return CM_OK;
fail:
    cm_state_destroy(in->brute);
    cm_state_destroy(in->probe);
    cm_state_destroy(in->torport);
    cm_state_destroy(in->kept);
    cm_free(in);
    return rc;
}

static void finish(void *state)
{
    struct inbound *in = state;

    if (in != NULL) {
        cm_state_destroy(in->brute);
        cm_state_destroy(in->probe);
        cm_state_destroy(in->torport);
        cm_state_destroy(in->kept);
        cm_free(in);
    }
}

static enum service service_of(int32_t port)
{
    switch (port) {
    case 22:
        return SVC_SSH;
    case 3389:
        return SVC_RDP;
    case 5985:
    case 5986:
        return SVC_WINRM;
    default:
        return SVC_NONE;
    }
}

static bool emr_port(int32_t port)
{
    for (size_t i = 0; i < sizeof(emr_ports) / sizeof(emr_ports[0]); i++) {
        if (emr_ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* The state key of (resource, remote, service, direction); fixed length. */
static void make_key(const struct inbound *in, const struct cm_flow_view *v, uint8_t svc,
                     uint8_t dir, unsigned char key[KEY_LEN])
{
    uint64_t h = cm_hash64(v->resource.p, v->resource.len, in->seed);

    memcpy(key, &h, sizeof(h));
    key[8] = v->remote->family;
    memcpy(key + 9, v->remote->a, sizeof(v->remote->a));
    key[25] = svc;
    key[26] = dir;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The ring slot of bucket number n (n may be negative). */
static size_t slot(int64_t n)
{
    int64_t r = n % BRUTE_BUCKETS;

    return (size_t)(r < 0 ? r + BRUTE_BUCKETS : r);
}

/*
 * Adds one attempt in bucket number n to the ring. Returns false when n is
 * older than the window (too late to count).
 */
static bool ring_add(struct brute *b, int64_t n)
{
    if (!b->used) {
        memset(b->bucket, 0, sizeof(b->bucket));
        b->head = n;
        b->used = true;
    } else if (n > b->head) {
        for (int64_t i = 1; i <= n - b->head && i <= BRUTE_BUCKETS; i++) {
            b->bucket[slot(b->head + i)] = 0;
        }
        b->head = n;
    } else if (b->head - n >= BRUTE_BUCKETS) {
        return false;
    }
    if (b->bucket[slot(n)] < UINT16_MAX) {
        b->bucket[slot(n)]++;
    }
    return true;
}

static uint32_t ring_sum(const struct brute *b)
{
    uint32_t s = 0;

    for (int i = 0; i < BRUTE_BUCKETS; i++) {
        s += b->bucket[i];
    }
    return s;
}

/* True when port is one of the latest connections' (then it is the same connection). */
static bool seen_port(struct brute *b, uint16_t port)
{
    for (uint8_t i = 0; i < b->nports; i++) {
        if (b->port[i] == port) {
            return true;
        }
    }
    b->port[b->next_port] = port;
    b->next_port = (uint8_t)((b->next_port + 1) % RECENT_PORTS);
    if (b->nports < RECENT_PORTS) {
        b->nports++;
    }
    return false;
}

static int brute_force(struct inbound *in, const struct cm_event *ev, const struct cm_flow_view *v,
                       enum service svc, struct cm_sink *sink)
{
    const struct cm_flow *fl = v->fl;
    int32_t client_port = v->outbound ? v->local_port : v->remote_port;
    unsigned char key[KEY_LEN];
    struct cm_detection d;
    struct brute *b;
    int64_t t = ev->time_ms, bucket = floor_div(t, in->bucket_ms);
    bool created;
    int rc;

    /* Inbound counts what the security group let through; outbound counts every try. */
    if (client_port < 0 || (!v->outbound && fl->action != CM_FA_ACCEPT) ||
        !(cm_ip_is_public(v->remote) ||
          (in->t.brute_private_remotes && cm_ip_is_internal(v->remote)))) {
        return CM_OK;
    }
    make_key(in, v, (uint8_t)svc, v->outbound, key);
    if (!v->outbound && v->remote->family == CM_IP_V6) {
        /*
         * An IPv6 attacker picks its source address at will within its /64 (a VPS is given
         * one): the guesses a /64 opens are one remote's, as a NATed IPv4 office's are.
         * Before 2026-12-06 a tool taking a new address per connection was never counted.
         */
        memset(key + 9 + 8, 0, 8);
    }
    b = cm_state_touch(in->brute, key, sizeof(key), t, &created);
    if (b == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        b->reported_ms = INT64_MIN;
    }
    if (seen_port(b, (uint16_t)client_port)) {
        return CM_OK; /* another record of a connection already judged */
    }
    if (fl->packets > in->t.attempt_max_packets) {
        return CM_OK; /* a session, not a guess; its later records join it by port */
    }
    if (b->used && bucket - b->head >= BRUTE_BUCKETS) {
        /* A whole window without attempts: the episode is over, and its tail reported. */
        if (b->reported_ms != INT64_MIN && b->pending > 0 &&
            (rc = cm_flow_in_report_tail(in, key, b->pending, b->first_ms, sink)) != 0) {
            return rc;
        }
        b->pending = 0;
        b->reported_ms = INT64_MIN;
    }
    if (!ring_add(b, bucket)) {
        return CM_OK;
    }
    if (b->pending == 0 || t < b->first_ms) {
        b->first_ms = t;
    }
    b->pending++;
    if (ring_sum(b) < in->t.brute_attempts ||
        (b->reported_ms != INT64_MIN && t < b->reported_ms + in->t.brute_window_ms)) {
        /* After a detection, each attempt is kept until the next: the entry's expiry reports it. */
        return b->reported_ms != INT64_MIN ? cm_flow_in_keep_tail(in, key, ev, v) : CM_OK;
    }
    cm_flow_detection(&d, ev, v, cm_flow_in_brute_type[svc]);
    d.first_ms = b->first_ms < t ? b->first_ms : t;
    d.count = b->pending;
    b->pending = 0;
    b->reported_ms = t;
    cm_state_del(in->kept, key, KEY_LEN);
    return cm_sink_emit(sink, &d);
}

/* True when every list that matched is a Tor list (a remote listed for more is judged as such). */
static bool tor_only(const struct cm_intel_snapshot *s, const struct cm_intel_match *m)
{
    for (size_t i = 0; i < m->nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);
        if (ind == NULL ||
            (ind->category != CM_CAT_TOR_EXIT && ind->category != CM_CAT_TOR_RELAY)) {
            return false;
        }
    }
    return m->nids > 0;
}

/*
 * A probe of port by a Tor-only remote. A Tor relay's ORPort (and DirPort)
 * is used by many Tor nodes: once TOR_PEERS distinct ones have used the port
 * within the window (the rule intel_flow.c's TorRelay uses), it is relay
 * traffic and not reported. Until then the probes are held and reported when
 * the entry expires. Returns CM_OK or CM_ENOMEM; the probe is never reported
 * here.
 */
static int tor_port(struct inbound *in, const struct cm_event *ev, const struct cm_flow_view *v,
                    int32_t port, bool emr)
{
    uint64_t h = cm_hash64(v->remote->a, sizeof(v->remote->a), in->seed);
    unsigned char key[KEY_LEN];
    struct torport *tp;
    bool created, known = false;

    make_key(in, v, SVC_TOR_PORT, emr ? 1 : 0, key);
    key[8] = 0; /* the address part holds the local port */
    memset(key + 9, 0, 16);
    key[9] = (unsigned char)(port >> 8);
    key[10] = (unsigned char)port;
    tp = cm_state_touch(in->torport, key, sizeof(key), ev->time_ms, &created);
    if (tp == NULL) {
        return CM_ENOMEM;
    }
    if (tp->relay) {
        return CM_OK;
    }
    for (uint8_t i = 0; i < tp->npeers; i++) {
        known = known || tp->peer[i] == h;
    }
    if (!known && tp->npeers < TOR_PEERS) {
        tp->peer[tp->npeers++] = h;
    }
    if (tp->npeers >= TOR_PEERS) {
        tp->relay = true; /* the held probes were relay traffic too */
        tp->held = 0;
        cm_state_del(in->kept, key, KEY_LEN);
        return CM_OK;
    }
    if (tp->held == 0 || ev->time_ms < tp->first_ms) {
        tp->first_ms = ev->time_ms;
    }
    tp->held++;
    return cm_flow_in_keep_tail(in, key, ev, v);
}

static int port_probe(struct inbound *in, const struct cm_event *ev, const struct cm_flow_view *v,
                      struct cm_sink *sink)
{
    const struct cm_intel_snapshot *snap = cm_detect_intel(in->cfg);
    int32_t port = v->local_port;
    struct cm_intel_match m;
    unsigned char key[KEY_LEN];
    struct cm_detection d;
    unsigned char kk[KEY_LEN];
    struct probes *p;
    int64_t t = ev->time_ms;
    bool emr, created;
    int k;

    if (snap == NULL || port < 0 || port == 80 || port == 443 || !cm_ip_is_public(v->remote) ||
        cm_detect_ip_intel(in->memo, snap, ev, v->remote, &m) != CM_INTEL_THREAT) {
        return CM_OK;
    }
    emr = in->t.is_emr != NULL && emr_port(port) && in->t.is_emr(in->t.is_emr_ud, v->resource);
    if (tor_only(snap, &m)) {
        return tor_port(in, ev, v, port, emr);
    }
    k = emr ? 1 : 0;
    make_key(in, v, 0xff, 0, key);
    p = cm_state_touch(in->probe, key, sizeof(key), t, &created);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    if (created || t >= p->window_start + in->t.probe_window_ms) {
        p->window_start = t;
        p->nports = 0;
    }
    if (p->pending[k] == 0 || t < p->first_ms[k]) {
        p->first_ms[k] = t;
    }
    p->pending[k]++;
    cm_flow_in_kept_key(key, k, kk);
    for (uint16_t i = 0; i < p->nports; i++) {
        if (p->port[i] == port) {
            /* Reported this window: counted into the next detection, or the entry's expiry. */
            return cm_flow_in_keep_tail(in, kk, ev, v);
        }
    }
    if (p->nports == PROBE_PORTS) {
        return cm_flow_in_keep_tail(in, kk, ev, v); /* this remote's budget of ports is spent */
    }
    p->port[p->nports++] = (uint16_t)port;
    cm_state_del(in->kept, kk, KEY_LEN);
    cm_flow_detection(&d, ev, v, emr ? TYPE_PROBE_EMR : TYPE_PROBE);
    if (!emr && (port == 9200 || port == 9300)) {
        d.severity = SEV_HIGH;
    }
    d.first_ms = p->first_ms[k] < t ? p->first_ms[k] : t;
    d.count = p->pending[k];
    p->pending[k] = 0;
    cm_flow_in_probe_lists(snap, &m, &d);
    return cm_sink_emit(sink, &d);
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    return cm_flow_in_expire(state, watermark_ms, sink);
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct inbound *in = state;
    const struct cm_flow *fl = &ev->u.flow;
    int32_t sp = fl->srcport, dp = fl->dstport;
    struct cm_flow_view v;
    enum service svc;
    bool probe;
    int rc;

    /*
     * Cheap tests on the record first: most records are neither. Both
     * families judge request records, whose destination port is the
     * service's (a reply goes from the service port to a higher one).
     */
    if (dp < 0 || (sp >= 0 && sp < dp && dp >= 1024)) {
        return CM_OK;
    }
    svc = fl->protocol == 6 ? service_of(dp) : SVC_NONE;
    probe = fl->action == CM_FA_ACCEPT && (fl->protocol == 6 || fl->protocol == 17) && dp != 80 &&
            dp != 443 && cm_detect_intel(in->cfg) != NULL;
    if ((svc == SVC_NONE && !probe) || !cm_flow_view(ev, in->local, in->inv, &v) || v.reply ||
        !cm_str_present(v.resource) || v.resource.len == 0) {
        return CM_OK;
    }
    if (svc != SVC_NONE && (rc = brute_force(in, ev, &v, svc, sink)) != 0) {
        return rc;
    }
    if (probe && !v.outbound) {
        return port_probe(in, ev, &v, sink);
    }
    return CM_OK;
}

/* ---- checkpoints ---- */

/*
 * A brute-force entry read back: nports bounds the walk over port[] and
 * next_port indexes it; used is a bool (cm_ckpt_bool_ok); head (a bucket number, no larger
 * than its time), first_ms and reported_ms (INT64_MIN: none) feed the
 * ring's and the rate limit's arithmetic.
 */
static bool brute_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct brute *b = val;

    (void)ud;
    (void)key;
    return klen == KEY_LEN && cm_ckpt_bool_ok(&b->used) && b->nports <= RECENT_PORTS &&
           b->next_port < RECENT_PORTS && cm_ckpt_time_set(b->head) &&
           cm_ckpt_time_set(b->first_ms) && cm_ckpt_time_ok(b->reported_ms);
}

/*
 * A probe entry read back: nports bounds the walk over port[] and is where
 * the next port is written, so it must be at most PROBE_PORTS; the times
 * feed the window's arithmetic.
 */
static bool probe_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct probes *p = val;

    (void)ud;
    (void)key;
    return klen == KEY_LEN && p->nports <= PROBE_PORTS && cm_ckpt_time_set(p->window_start) &&
           cm_ckpt_time_set(p->first_ms[0]) && cm_ckpt_time_set(p->first_ms[1]);
}

/*
 * A Tor-port entry read back: npeers bounds the walk over peer[] and is where
 * the next peer is written; relay is a bool; first_ms feeds the report.
 */
static bool torport_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct torport *tp = val;
    const unsigned char *k = key;

    (void)ud;
    return klen == KEY_LEN && k[25] == SVC_TOR_PORT && k[26] <= 1 && tp->npeers <= TOR_PEERS &&
           cm_ckpt_bool_ok(&tp->relay) && cm_ckpt_time_set(tp->first_ms);
}

/*
 * A kept record read back: a brute-force key (service 0-2), a probe key or a
 * Tor-port key, of type 0 or 1.
 */
static bool kept_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const unsigned char *k = key;

    (void)ud;
    return klen == KEY_LEN && (k[25] <= SVC_WINRM || k[25] >= SVC_TOR_PORT) && k[26] <= 1 &&
           cm_flow_kept_valid(val);
}

static const struct cm_state_codec brute_codec = {.check = brute_check};
static const struct cm_state_codec probe_codec = {.check = probe_check};
static const struct cm_state_codec torport_codec = {.check = torport_check};
static const struct cm_state_codec kept_codec = {.check = kept_check, .refs = cm_flow_kept_refs};

/* The attempt rings, the probe windows, the Tor ports and the records kept for their tails. */
static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct inbound *in = state;

    cm_state_save(in->brute, w, &brute_codec);
    cm_state_save(in->probe, w, &probe_codec);
    cm_state_save(in->torport, w, &torport_codec);
    return cm_state_save(in->kept, w, &kept_codec);
}

/* Reads what save wrote, in the same order (errors are sticky: after one, nothing is read). */
static int load(void *state, struct cm_ckpt_r *r)
{
    struct inbound *in = state;

    cm_state_load(in->brute, r, &brute_codec);
    cm_state_load(in->probe, r, &probe_codec);
    cm_state_load(in->torport, r, &torport_codec);
    cm_state_load(in->kept, r, &kept_codec);
    return cm_ckpt_r_err(r);
}

/*
 * Version 5: as today without the Tor ports (they start afresh: a relay's
 * port is learnt again from its next TOR_PEERS peers). Versions 3 and 4: the
 * rings and the windows as today, no kept records (what an entry counted
 * after its last detection is reported with its next one, as those versions
 * did); 3 then has a copy of the engine's learner's table.
 */
static int load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    struct inbound *in = state;

    cm_state_load(in->brute, r, &brute_codec);
    cm_state_load(in->probe, r, &probe_codec);
    if (version == 5) {
        cm_state_load(in->kept, r, &kept_codec);
        return cm_ckpt_r_err(r);
    }
    if (cm_ckpt_r_err(r) != 0 || version != 3) {
        return cm_ckpt_r_err(r);
    }
    return cm_flow_local_load_copy(in->local, r);
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct inbound *in = state;

    cm_state_stats_add(sum, in->brute);
    cm_state_stats_add(sum, in->probe);
    cm_state_stats_add(sum, in->torport);
    cm_state_stats_add(sum, in->kept);
}

static const char *const types[] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "UnauthorizedAccess:EC2/RDPBruteForce",
    "Impact:EC2/WinRMBruteForce",
    TYPE_PROBE,
    TYPE_PROBE_EMR,
    NULL,
};

const struct cm_detector cm_detector_flow_inbound = {
    .name = "vpcflow-inbound",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = FLOW_INBOUND_STATE_VERSION,
    .save = save,
    .load = load,
    .state_version_old = FLOW_INBOUND_STATE_VERSION_OLD,
    .load_old = load_old,
    .flow_local = true,
};
