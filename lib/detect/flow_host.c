/*
 * Per-instance detections of VPC flow logs (issue #6): what one instance
 * does on its own, judged against its own history. Every type here is an
 * outbound one: the instance opened the connection, to a public address.
 * docs/detectors/vpcflow-host.md gives every trigger, default and near miss
 * with the reasoning; this comment is the contract in short.
 *
 * What is looked at. TCP and UDP request records (never the reply of a
 * connection: struct cm_flow_view's reply) of connections the instance
 * opened (outbound) to a public remote address, ACCEPTed or REJECTed (a
 * blocked attempt still says what the instance tried). Everything else is
 * dropped by field tests before any look-up: replies, inbound connections,
 * traffic inside the VPC (the VPC resolver at .2 or 169.254.169.253, NTP at
 * 169.254.169.123, east-west services), and traceroute's UDP probes
 * (cm_flow_traceroute).
 *
 * History (per resource: the instance id, else the ENI). Learning starts
 * with the instance's first such connection and lasts learn_ms of event
 * time; until then everything seen becomes history and nothing fires. The
 * history holds the remote ports used (a 24-port open-addressed set; an
 * instance that uses more ports than that counts as having used them all,
 * so NetworkPortUnusual stays quiet for it), the public resolvers used per
 * service (a bit per provider), and whether it sends mail (TCP/25). Once
 * learned, a new one fires and joins the history; it stays "unusual" for
 * another learn_ms, during which its further connections are reported at
 * most once per report_ms with the count of connections since the last
 * report (NOVEL_SLOTS episodes per instance at once); the connections after
 * the latest report are reported report_ms after the last of them (also at
 * the end of input), when the episode ends, or with its next report.
 *
 * - Behavior:EC2/NetworkPortUnusual: a remote port the instance never used.
 *   389 and 1389 are High with additionalInfo context "Possible log4j
 *   callback". Port 25 is Spambot's alone, and a connection that is one of
 *   the resolver types below is that type only (its port still joins the
 *   history). A record from a high local port the instance serves (seen
 *   with SERVE_PEERS peers on ports of their own: serve_reply) is a reply.
 * - DefenseEvasion:EC2/UnusualDNSResolver / UnusualDoHActivity /
 *   UnusualDoTActivity: 53 (TCP or UDP), 443 (TCP, or UDP for HTTP/3) or 853
 *   (TCP, or UDP for DNS over QUIC) to an address of the resolver table
 *   (resolvers.c) that serves that protocol there, of a provider the
 *   instance never used for it. additionalInfo names the address and the
 *   provider.
 * - Backdoor:EC2/Spambot: TCP/25 from an instance without mail in its
 *   history, to spam_hosts distinct public hosts within spam_window_ms.
 *   Rate limited to one detection per window; the behaviour joins the
 *   history learn_ms after its first detection.
 * - Impact:EC2/PortSweep: one (protocol, remote port) of one instance fails
 *   on sweep_hosts distinct public hosts within sweep_window_ms, and at
 *   least sweep_fail_pct % of the port's attempts failed (a connection's
 *   first request record: a later record of a 5-tuple seen within the hour
 *   is no attempt; counted from the port's first recent failure over the
 *   current and the previous window, in the instance's entry). A failure is a REJECT, a
 *   TCP request record with at most FAIL_PACKETS packets and no payload
 *   (SYNs that got no answer or a reset), or a UDP request of at most two
 *   packets to a port that is not 53, 123 or 443 (recursion, NTP and QUIC
 *   are one-packet requests to many servers by nature); never a record
 *   spread wider than retransmitted SYNs can be, nor one with a FIN. A crawler or an S3
 *   upload talks to many hosts but most of its connections carry data. No
 *   learning needed. One detection per window per (instance, port).
 *
 * State: five cm_state tables (the fourth, kept: the last attempt of a fan's tail,
 * flow_host_fan.c; the fifth, nkept: the last connection of an unusual-thing
 * episode's tail, expiring report_ms after it, which reports the tail,
 * flow_host_novel.c). hosts: resource -> struct host (280 bytes),
 * TTL host_ttl_ms, memcap host_max_entries. fans: (resource, purpose,
 * protocol, port) -> struct fan (the distinct hosts), which exists only
 * while the instance fails on that port or sends mail without history (TTL
 * one window). conns: the 5-tuples of requests seen within the hour (TTL
 * one hour, memcap conn_max_entries). Full tables evict the least recently seen entry and count
 * it; an evicted instance learns again (quiet while it does). Per record:
 * field tests on the record (protocol, ports, reply, direction, a public
 * destination) drop most records before anything else; then one look-up in
 * hosts, skipped when the record is of the previous record's resource
 * (flow logs write an interface's records together); one in conns; one in fans only
 * for a failed attempt or TCP/25 without history; the resolver table only
 * for 53/443/853 (one bit test for most addresses). No allocation but new
 * entries, no formatting but at emission.
 */
#include "detect/flow.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/flow_host_impl.h"
#include "detect/flow_kept.h"
#include "detect/state.h"

/*
 * bump when the layout save writes changes; 6 ended with a copy of the learner's table, 6
 * and 7 had no kept records, 8 no episodes' kept records (all three still read, load_old)
 */
#define FLOW_HOST_STATE_VERSION     9u
#define FLOW_HOST_STATE_VERSION_OLD 6u

/*
 * Learning: a day of event time. Instance traffic follows a daily cycle
 * (backups, cron jobs, package updates, log shipping); a day sees it once.
 * Shorter would report the first nightly job; longer keeps new instances
 * (autoscaling lives hours) blind for most of their life. The volume
 * baseline of flow_pair.c uses the same day. A behaviour that appears
 * after learning stays unusual (its connections are reported) for another
 * day, then it is history too.
 */
#define CM_FLOW_HOST_LEARN_MS (24LL * 3600 * 1000)
/*
 * An ongoing episode is reported again at most every 10 minutes: the
 * longest flow-log aggregation interval, so 1- and 10-minute logs report
 * alike, and the aggregator folds the reports into one finding whose count
 * keeps growing.
 */
#define CM_FLOW_HOST_REPORT_MS (10LL * 60 * 1000)
/*
 * PortSweep: 50 distinct public hosts failing on one port within 10
 * minutes. Sweepers are far faster (masscan at its default 100 packets/s
 * passes 50 hosts in half a second; Mirai-style worms probe tens of hosts a
 * second), and ordinary clients fail on a handful of hosts (a dead backend,
 * a health check of a few endpoints). The Slips horizontal capture of
 * ../shared/data (TCP/80 to 25 hosts in 32 s, 10 of them failing) is a
 * small sweep and stays under it; the docs say why that is accepted.
 */
#define CM_FLOW_HOST_SWEEP_HOSTS     50u
#define CM_FLOW_HOST_SWEEP_WINDOW_MS (10LL * 60 * 1000)
/*
 * ... and most of that port's attempts fail: a sweep of random addresses
 * fails on nearly every host, while a crawler or a client of many servers
 * (CDNs, S3 multipart uploads) fails on a few percent.
 */
#define CM_FLOW_HOST_SWEEP_FAIL_PCT 50u
/*
 * Spambot: mail to 5 distinct public hosts within 10 minutes from an
 * instance that never sent mail. An application that starts sending
 * notifications goes through one relay (one or two addresses); a spam bot
 * delivers to the recipients' own MX hosts, hundreds an hour.
 */
#define CM_FLOW_HOST_SPAM_HOSTS     5u
#define CM_FLOW_HOST_SPAM_WINDOW_MS (10LL * 60 * 1000)
/*
 * History is forgotten after a week without a public connection: an
 * instance that was off that long learns again (quietly) rather than keep
 * memory for terminated instances.
 */
#define CM_FLOW_HOST_TTL_MS (7LL * 24 * 3600 * 1000)
/*
 * Memcaps. A host entry is 280 bytes of value, about 400 with its key and
 * the table's overhead (measured by test_flow_host): 100,000 interfaces
 * take about 38 MiB, the cap of 262144 at most about 100 MiB. A fan entry
 * carries a set of max(sweep_hosts, spam_hosts) hosts (432 bytes of value
 * by default) and only exists during failures or mail without history:
 * 65536 of them at most about 34 MiB.
 */
#define CM_FLOW_HOST_MAX     (256u * 1024)
#define CM_FLOW_HOST_FAN_MAX (64u * 1024)
/*
 * PortSweep's recent connections: a request record whose 5-tuple (on its
 * resource) an earlier record showed is a later slice of that connection, not
 * an attempt. An hour covers the idle stretches of pooled connections (flow
 * logs write no record for an interval without packets); an entry is a
 * 30-byte key, about 100 bytes with the table's overhead: the cap of 262144
 * is at most about 26 MiB.
 */
#define CM_FLOW_HOST_CONN_TTL_MS (3600LL * 1000)
#define CM_FLOW_HOST_CONN_MAX    (256u * 1024)

static const char *const types[] = {
    TYPE_SWEEP, TYPE_SPAM, TYPE_PORT, TYPE_DNS, TYPE_DOH, TYPE_DOT, NULL,
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_flow_host_init(state, opts, c && c->flow ? &c->flow->host : NULL);
}

/* Whole seconds of ms, rounded up, at least 1. */
static uint32_t span_s(int64_t ms)
{
    int64_t s = (ms + 999) / 1000;

    return s < 1 ? 1 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void defaults(struct cm_flow_host_tuning *t)
{
    if (t->learn_ms <= 0) {
        t->learn_ms = CM_FLOW_HOST_LEARN_MS;
    }
    if (t->report_ms <= 0) {
        t->report_ms = CM_FLOW_HOST_REPORT_MS;
    }
    if (t->sweep_hosts == 0) {
        t->sweep_hosts = CM_FLOW_HOST_SWEEP_HOSTS;
    }
    if (t->sweep_fail_pct == 0) {
        t->sweep_fail_pct = CM_FLOW_HOST_SWEEP_FAIL_PCT;
    }
    if (t->sweep_window_ms <= 0) {
        t->sweep_window_ms = CM_FLOW_HOST_SWEEP_WINDOW_MS;
    }
    if (t->spam_hosts == 0) {
        t->spam_hosts = CM_FLOW_HOST_SPAM_HOSTS;
    }
    if (t->spam_window_ms <= 0) {
        t->spam_window_ms = CM_FLOW_HOST_SPAM_WINDOW_MS;
    }
    if (t->host_ttl_ms <= 0) {
        t->host_ttl_ms = CM_FLOW_HOST_TTL_MS;
    }
    if (t->host_max_entries == 0) {
        t->host_max_entries = CM_FLOW_HOST_MAX;
    }
    if (t->fan_max_entries == 0) {
        t->fan_max_entries = CM_FLOW_HOST_FAN_MAX;
    }
    if (t->conn_max_entries == 0) {
        t->conn_max_entries = CM_FLOW_HOST_CONN_MAX;
    }
    if (t->resolvers == NULL) {
        t->resolvers = cm_resolvers_builtin(&t->nresolvers);
    }
}

static void finish(void *state)
{
    struct flow_host *fh = state;

    if (fh != NULL) {
        cm_state_destroy(fh->hosts);
        cm_state_destroy(fh->fans);
        cm_state_destroy(fh->conns);
        cm_state_destroy(fh->kept);
        cm_state_destroy(fh->nkept);
        cm_resolver_set_destroy(fh->resolvers);
        cm_free(fh);
    }
}

int cm_flow_host_init(void **state, const struct cm_detect_opts *opts,
                      const struct cm_flow_host_tuning *t)
{
    struct flow_host *fh = cm_calloc(1, sizeof(*fh));
    struct cm_state_opts so;
    int rc;

    if (fh == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        fh->t = *t;
    }
    defaults(&fh->t);
    fh->seed = opts ? opts->seed : 0;
    fh->inv = opts && opts->config ? opts->config->inventory : NULL;
    fh->local = opts ? opts->flow_local : NULL;
    if (fh->t.sweep_hosts > MAX_FAN_HOSTS || fh->t.spam_hosts > MAX_FAN_HOSTS ||
        fh->t.sweep_fail_pct > 100) {
        rc = CM_EINVAL;
        goto fail;
    }
    fh->learn_s = span_s(fh->t.learn_ms);
    fh->report_s = span_s(fh->t.report_ms);
    fh->sweep_s = span_s(fh->t.sweep_window_ms);
    fh->spam_s = span_s(fh->t.spam_window_ms);
    fh->cap = fh->t.sweep_hosts > fh->t.spam_hosts ? fh->t.sweep_hosts : fh->t.spam_hosts;
    if ((rc = cm_resolver_set_create(&fh->resolvers, fh->t.resolvers, fh->t.nresolvers)) != 0) {
        goto fail;
    }
    memset(&so, 0, sizeof(so));
    so.seed = fh->seed;
    so.val_size = sizeof(struct cm_flow_kept); /* TTL unused: they go with their fan */
    so.max_entries = FLOW_HOST_KEPT_MAX;
    if ((rc = cm_state_create(&fh->kept, &so)) != 0) {
        goto fail;
    }
    so.max_entries = FLOW_HOST_NKEPT_MAX;
    so.ttl_ms = fh->t.report_ms; /* an episode's tail is reported report_ms after its last */
    if ((rc = cm_state_create(&fh->nkept, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct host);
    so.max_entries = fh->t.host_max_entries;
    so.ttl_ms = fh->t.host_ttl_ms;
    if ((rc = cm_state_create(&fh->hosts, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct fan) + fh->cap * sizeof(struct fan_host);
    so.max_entries = fh->t.fan_max_entries;
    so.ttl_ms =
        fh->t.sweep_window_ms > fh->t.spam_window_ms ? fh->t.sweep_window_ms : fh->t.spam_window_ms;
    so.on_evict = cm_flow_host_fan_evicted;
    so.evict_ud = fh;
    if ((rc = cm_state_create(&fh->fans, &so)) != 0) {
        goto fail;
    }
    so.on_evict = NULL;
    so.val_size = 0;
    so.max_entries = fh->t.conn_max_entries;
    so.ttl_ms = CM_FLOW_HOST_CONN_TTL_MS;
    if ((rc = cm_state_create(&fh->conns, &so)) != 0) {
        goto fail;
    }
    *state = fh;
    return CM_OK;
fail:
    finish(fh);
    return rc;
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct flow_host *fh = state;
    int rc, rc2;

    fh->last = NULL;
    /* the episodes' tails first: their reports look their instance's entry up */
    rc = cm_flow_host_expire_novel(fh, watermark_ms, sink);
    cm_state_expire(fh->hosts, watermark_ms, NULL, NULL);
    cm_state_expire(fh->conns, watermark_ms, NULL, NULL);
    rc2 = cm_flow_host_expire_fans(fh, watermark_ms, sink); /* and their tails' reports */
    return rc != 0 ? rc : rc2;
}

/* ---- emission ---- */

/* Emits type for request record ev (seen as v) covering count connections since first_ms. */
int cm_flow_host_emit(struct flow_host *fh, const struct cm_event *ev, const struct cm_flow_view *v,
                      const char *type, uint32_t count, int64_t first_ms, double severity,
                      struct cm_sink *sink)
{
    struct cm_detection d;

    cm_flow_detection(&d, ev, v, type);
    d.count = count > 0 ? count : 1;
    d.first_ms = first_ms < d.time_ms ? first_ms : d.time_ms;
    d.severity = severity;
    d.info = cm_str_cstr(fh->info);
    return cm_sink_emit(sink, &d);
}

/* ---- remote ports ---- */

static size_t port_slot(uint16_t port)
{
    return (size_t)(((uint32_t)port * 2654435761u) >> 27); /* top 5 bits: 0..31 */
}

static bool port_has(const struct host *h, uint16_t port)
{
    for (size_t i = port_slot(port), k = 0; k < PORT_SLOTS; i = (i + 1) % PORT_SLOTS, k++) {
        if (h->port[i] == port) {
            return true;
        }
        if (h->port[i] == 0) {
            return false;
        }
    }
    return false;
}

/* Adds port (not in the set yet). Returns false when the set is full (and marks it so). */
static bool port_add(struct host *h, uint16_t port)
{
    size_t i = port_slot(port);

    if (h->nports >= PORT_CAP) {
        h->flags |= H_PORTS_FULL;
        return false;
    }
    while (h->port[i] != 0) {
        i = (i + 1) % PORT_SLOTS;
    }
    h->port[i] = port;
    h->nports++;
    return true;
}

/* Notes that the instance used port. */
static void port_learn(struct host *h, uint16_t port)
{
    if (!port_has(h, port) && !(h->flags & H_PORTS_FULL)) {
        port_add(h, port);
    }
}

/*
 * Whether request record v of instance h is rather the reply of a peer's connection to a
 * port the instance serves. Flow logs without direction and flags tell the opener by the
 * ports alone (the lower one is the service's), which misreads a service on a high port
 * (WireGuard's 51820, a game server, a NodePort) answering a peer whose own port is lower:
 * the answer looks like the instance calling the peer's port. A client's local port is
 * ephemeral, new for each connection; a service's stays while its peers change. So a
 * local port of 1024 or more seen talking to SERVE_PEERS public peers in a row, each on
 * another address and another port (lower than the local one), is served, and its records
 * are replies. A UDP client talking from one socket to many servers of one service has
 * one remote port and never qualifies.
 */
static bool serve_reply(const struct flow_host *fh, struct host *h, const struct cm_flow_view *v)
{
    uint16_t lport = (uint16_t)v->local_port, rport = (uint16_t)v->remote_port;
    uint32_t addr;
    struct serve *s = NULL, *low = &h->serve[0];

    if (v->local_port < 1024 || v->remote_port < 1024 || v->remote_port >= v->local_port) {
        return false;
    }
    addr = (uint32_t)cm_hash64(v->remote->a, sizeof(v->remote->a), fh->seed ^ v->remote->family);
    for (size_t i = 0; i < SERVE_SLOTS; i++) {
        if (h->serve[i].port == lport) {
            s = &h->serve[i];
            break;
        }
        if (h->serve[i].peers < low->peers) {
            low = &h->serve[i];
        }
    }
    if (s == NULL) { /* a new candidate takes the slot with the fewest peers */
        if (low->peers >= SERVE_PEERS) {
            return false;
        }
        *low = (struct serve){.addr = addr, .port = lport, .rport = rport, .peers = 1};
        return false;
    }
    if (s->peers < SERVE_PEERS && s->addr != addr && s->rport != rport) {
        s->peers++;
    }
    s->addr = addr, s->rport = rport;
    return s->peers >= SERVE_PEERS;
}

/* HTTP and HTTPS: what an instance's package updates, agents and SDKs use first. */
static bool web_port(uint16_t port)
{
    return port == 80 || port == 443;
}

/* Whether h's remote ports are web ports only (or none). */
static bool web_only(const struct host *h)
{
    for (size_t i = 0; i < PORT_SLOTS; i++) {
        if (h->port[i] != 0 && !web_port(h->port[i])) {
            return false;
        }
    }
    return true;
}

/*
 * A request to port: unusual when the history, learned, lacks it. A web port is not
 * unusual to a history of web ports only, or of none: an instance that talked only
 * inside the VPC (a domain controller, a database) reaching the Internet for the first
 * time on 443 is patching or calling an AWS or vendor API, not using an odd server port
 * (on CICIDS2017's benign sample, the domain controller's first call to a Microsoft
 * host on 443 two days in was a NetworkPortUnusual once learning started with the
 * interface's first record). Any other port, and a web port after other ports, is
 * judged as before.
 */
static int port_unusual(struct flow_host *fh, struct host *h, uint16_t port, bool learned,
                        const struct cm_event *ev, const struct cm_flow_view *v,
                        struct cm_sink *sink)
{
    bool ordinary;

    if (port_has(h, port)) {
        return cm_flow_host_novel_again(fh, h, K_PORT, port, ev, v, NULL, sink);
    }
    ordinary = web_port(port) && web_only(h);
    if ((h->flags & H_PORTS_FULL) || !port_add(h, port) || !learned || ordinary) {
        return CM_OK;
    }
    return cm_flow_host_novel_start(fh, h, K_PORT, port, ev, v, NULL, sink);
}

/* ---- resolvers ---- */

/* The resolver kind of a remote port (TCP or UDP), or K_FREE. */
static enum kind resolver_kind(uint16_t port)
{
    switch (port) {
    case 53:
        return K_DNS;
    case 443:
        return K_DOH; /* HTTPS, or HTTP/3 on UDP */
    case 853:
        return K_DOT; /* TLS, or DNS over QUIC on UDP */
    default:
        return K_FREE;
    }
}

static int resolver(struct flow_host *fh, struct host *h, enum kind kind, unsigned provider,
                    const struct cm_resolver *r, bool learned, const struct cm_event *ev,
                    const struct cm_flow_view *v, struct cm_sink *sink)
{
    uint32_t bit = 1u << provider, *hist = &h->resolver[kind - K_DNS];

    if (*hist & bit) {
        return cm_flow_host_novel_again(fh, h, kind, (uint16_t)provider, ev, v, r, sink);
    }
    *hist |= bit;
    if (!learned) {
        return CM_OK;
    }
    return cm_flow_host_novel_start(fh, h, kind, (uint16_t)provider, ev, v, r, sink);
}

/* ---- the record ---- */

/*
 * The history of ev's resource, made when new; its learning starts at its earliest time
 * seen: the first record of any kind of its interface as the engine's learner noted it
 * (cm_flow_local_first_ms), not its first request to a public host. An instance that
 * talked only inside the VPC for days has a history too, with no public traffic in it.
 * Before 2026-12-05 its first public requests (spam, a new port) started its learning and
 * were silent for a day.
 */
static struct host *host_of(struct flow_host *fh, struct cm_str resource, const struct cm_event *ev)
{
    int64_t t = ev->time_ms;
    struct host *h;
    bool created;

    if (fh->last != NULL && resource.len == fh->last_len &&
        memcmp(resource.p, fh->last_key, resource.len) == 0) {
        h = fh->last; /* touched within this tick already: its last seen is recent enough */
    } else {
        if ((h = cm_state_touch(fh->hosts, resource.p, resource.len, t, &created)) == NULL) {
            fh->last = NULL;
            return NULL;
        }
        if (created) {
            int64_t seen = cm_flow_local_first_ms(fh->local, ev);

            h->first_ms = seen < t ? seen : t;
        }
        fh->last = resource.len <= LAST_KEY_MAX ? h : NULL;
        fh->last_len = resource.len;
        memcpy(fh->last_key, resource.p, resource.len <= LAST_KEY_MAX ? resource.len : 0);
    }
    if (t < h->first_ms) {
        h->first_ms = t;
    }
    return h;
}

/*
 * A UDP datagram a public host sent the instance: an answer to the instance's request when
 * it comes from a port the instance's requests lately failed on (PortSweep's ratio). Only
 * an instance with a history has such a port; none is made here.
 */
static void udp_answer(struct flow_host *fh, const struct cm_event *ev)
{
    struct cm_flow_view v;
    struct host *h;

    if (!cm_flow_view(ev, fh->local, fh->inv, &v) || v.local_first || v.resource.len == 0 ||
        v.remote_port <= 0 || v.remote_port > 65535) {
        return;
    }
    if ((h = cm_state_get(fh->hosts, v.resource.p, v.resource.len)) != NULL) {
        cm_flow_host_sweep_answer(fh, h, &v, ev->time_ms);
    }
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct flow_host *fh = state;
    const struct cm_flow *fl = &ev->u.flow;
    const struct cm_resolver *r;
    struct cm_flow_view v;
    struct host *h;
    enum kind kind;
    unsigned provider;
    uint16_t port;
    bool learned;
    int rc;

    /*
     * Cheap tests on the record first: TCP or UDP with ports, not a reply, not ingress, to a
     * public destination. For such a record cm_flow_view() finds the source local and the
     * connection outbound (a public destination is never the private side), except an IPv6
     * record whose source is public too and whose destination its interface's records showed
     * to be its own (an inbound connection in a log without flow-direction).
     */
    if (fl->protocol == UDP && fl->action == CM_FA_ACCEPT && fl->srcport > 0 &&
        fl->direction != CM_FD_EGRESS && cm_ip_is_public(&fl->src)) {
        udp_answer(fh, ev);
    }
    if ((fl->protocol != TCP && fl->protocol != UDP) || fl->srcport <= 0 || fl->dstport <= 0 ||
        fl->dstport > 65535 || (fl->srcport < fl->dstport && fl->dstport >= 1024) ||
        fl->direction == CM_FD_INGRESS || !cm_ip_is_public(&fl->dst) ||
        !cm_flow_view(ev, fh->local, fh->inv, &v) || v.reply || !v.outbound ||
        v.resource.len == 0 || cm_flow_traceroute(&v)) {
        return CM_OK;
    }
    if ((h = host_of(fh, v.resource, ev)) == NULL) {
        return CM_ENOMEM;
    }
    learned = ev->time_ms - h->first_ms >= fh->t.learn_ms;
    if ((rc = cm_flow_host_sweep(fh, h, ev, &v, sink)) != 0) {
        return rc;
    }
    port = (uint16_t)v.remote_port;
    if (port == 25 && fl->protocol == TCP) {
        return cm_flow_host_spam(fh, h, learned, ev, &v, sink); /* mail is Spambot's alone */
    }
    kind = resolver_kind(port);
    if (kind != K_FREE && (r = cm_resolver_set_find(fh->resolvers, v.remote, &provider)) != NULL &&
        (r->services & (1u << (kind - K_DNS))) != 0) {
        port_learn(h, port); /* the port is used; the resolver type speaks for it */
        return resolver(fh, h, kind, provider, r, learned, ev, &v, sink);
    }
    if (serve_reply(fh, h, &v)) {
        return CM_OK; /* the answer of a port the instance serves, not a call to the peer's */
    }
    return port_unusual(fh, h, port, learned, ev, &v, sink);
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct flow_host *fh = state;

    cm_state_stats_add(sum, fh->hosts);
    cm_state_stats_add(sum, fh->fans);
    cm_state_stats_add(sum, fh->conns);
    cm_state_stats_add(sum, fh->kept);
    cm_state_stats_add(sum, fh->nkept);
}

const struct cm_detector cm_detector_flow_host = {
    .name = "vpcflow-host",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = FLOW_HOST_STATE_VERSION,
    .save = cm_flow_host_save,
    .load = cm_flow_host_load,
    .state_version_old = FLOW_HOST_STATE_VERSION_OLD,
    .load_old = cm_flow_host_load_old,
    .flow_local = true,
};
