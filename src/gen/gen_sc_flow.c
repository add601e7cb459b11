/*
 * The VPC flow detection scenarios of issue #6 (gen_sc_flow.h): the engine
 * (bursts of connections written as flow records, the expected finding, the
 * near misses' markers, the lists and the hours a plan needs) and the plans.
 *
 * A connection is written as real flow logs write it on the instance's ENI:
 * its request record (the opener's direction) and, when the step asks for
 * it and the connection was accepted, its reply. Rejected connections are
 * the lone request. Ports, packets, sizes and durations are the plan's;
 * client ports are drawn from a hash of the seed, the step and the
 * connection, so emit and expect need no state and every file agrees.
 */
#include "gen/gen_sc_flow.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_flow.h"
#include "gen/rng.h"

enum { HOST_MAIN = 0, HOST_OTHER = 1 }; /* which instance of the plan */
enum { DIR_OUT = 0, DIR_IN = 1 };       /* who opens the connections */

struct fl_step {
    uint32_t at;      /* seconds after the run's first 10-minute boundary */
    uint8_t host;     /* HOST_* */
    uint8_t dir;      /* DIR_* */
    uint8_t proto;    /* 6, 17, 47, 50, 1... */
    uint8_t accept;   /* 0: the security group rejects it */
    uint32_t peer;    /* the remote (host order) */
    uint16_t port;    /* destination port of the request (0: none) */
    uint16_t nports;  /* connection i goes to port + i % nports (0 or 1: one port) */
    uint16_t n;       /* connections; 0 ends the plan */
    uint16_t every;   /* seconds between connections */
    uint32_t packets; /* in the request record */
    uint16_t size;    /* bytes a packet */
    uint16_t dur;     /* the record's end - start, seconds */
    uint8_t reply;    /* also write the reply record (accepted connections only) */
    uint8_t hit;      /* the finding counts these connections */
    uint8_t npeers;   /* connection i goes to peer + i % npeers (0 or 1: one remote) */
};

struct fl_plan {
    uint8_t main, other; /* enum cm_gen_tier of the plan's two instances */
    unsigned hours;      /* hours a run needs (0: 1) */
    double severity;     /* what the docs fix */
    const char *role;    /* resourceRole/connectionDirection */
    const char *info;    /* additionalInfo checks (struct cm_gen_expect) or NULL */
    const char *list;    /* the threat list of `listed` (NULL: none) */
    uint32_t listed[4];  /* addresses on it, 0-terminated */
    uint32_t trusted[2]; /* addresses also on the trusted list, 0-terminated */
    struct fl_step steps[CM_GEN_SC_MAX_STEPS];
};

/* Peers that depend on the world: struct fl_step.peer values below 256. */
enum {
    PEER_VPC_RESOLVER = 1, /* the instance's VPC resolver (VPC base + 2) */
    PEER_S3 = 2,           /* an address of S3's range in the instance's region */
};

static uint32_t step_peer(const struct cm_gen_world *w, const struct cm_gen_instance *in,
                          const struct fl_step *s)
{
    const struct cm_gen_vpc *v = &w->vpcs[in->vpc];

    switch (s->peer) {
    case PEER_VPC_RESOLVER:
        return v->resolver;
    case PEER_S3:
        return w->regions[v->region]->s3_net + 77;
    default:
        return s->peer;
    }
}

static void hosts(const struct cm_gen_world *w, const struct fl_plan *p, long *main, long *other)
{
    *main = cm_gen_sc_instance(w, (enum cm_gen_tier)p->main, -1);
    *other = *main < 0 ? -1 : cm_gen_sc_instance(w, (enum cm_gen_tier)p->other, *main);
}

/* The run's first 10-minute boundary: plan times count from there. */
static int64_t base_time(int64_t start)
{
    return (start + 599) / 600 * 600;
}

/* Connection i of step s (the plan's k-th) as its request record r (times: the caller's). */
static void request(const struct cm_gen_world *w, const struct fl_step *s, size_t k, unsigned i,
                    const struct cm_gen_instance *in, struct cm_gen_flow *r)
{
    uint64_t h = cm_gen_hash4(w->seed, 0x7363666c6f77ULL + k, i, s->peer);
    bool out = s->dir == DIR_OUT;
    uint16_t eph = (uint16_t)(32768 + h % 28232);
    uint16_t port = (uint16_t)(s->port + (s->nports > 1 ? i % s->nports : 0));
    uint32_t peer = step_peer(w, in, s) + (s->npeers > 1 ? i % s->npeers : 0);

    memset(r, 0, sizeof(*r));
    r->in = in;
    r->proto = s->proto;
    r->accept = s->accept != 0;
    r->src = out ? in->ip : peer;
    r->dst = out ? peer : in->ip;
    r->sport = s->port != 0 ? eph : 0;
    r->dport = port;
    r->ingress = !out;
    r->path = in->public_ip ? CM_GEN_PATH_IGW : CM_GEN_PATH_VPC;
    r->packets = s->packets;
    r->bytes = (uint64_t)s->packets * s->size;
    if (s->proto == 6) {
        r->flags = !r->accept        ? CM_GEN_TCP_SYN
                   : s->packets <= 3 ? CM_GEN_TCP_SYN
                   : s->dur > 30     ? CM_GEN_TCP_LONG
                                     : CM_GEN_TCP_SHORT;
    }
}

/* The time of step s's last connection. */
static int64_t last_time(const struct fl_step *s, int64_t base)
{
    return base + s->at + (int64_t)(s->n - 1) * s->every;
}

/* Whether run c holds every hit of p (else the scenario adds nothing). */
static bool fits(const struct fl_plan *p, const struct cm_gen_config *c)
{
    int64_t end = c->start_s + (int64_t)c->hours * 3600, base = base_time(c->start_s);
    const struct fl_step *s;

    for (s = p->steps; s->n != 0; s++) {
        if (s->hit && last_time(s, base) >= end) {
            return false;
        }
    }
    return true;
}

static int fl_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct fl_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    int64_t base = base_time(f->env->cfg->start_s);
    long main, other;
    size_t k;

    hosts(w, p, &main, &other);
    if (f->kind != CM_GEN_VPCFLOW || main < 0 || !fits(p, f->env->cfg)) {
        return 0;
    }
    for (k = 0; p->steps[k].n != 0; k++) {
        const struct fl_step *s = &p->steps[k];
        long which = s->host == HOST_MAIN ? main : other;
        const struct cm_gen_instance *in;
        int64_t iv;
        unsigned i;

        if (which < 0) {
            continue;
        }
        in = &w->instances[which];
        iv = w->vpcs[in->vpc].flow_interval;
        for (i = 0; i < s->n; i++) {
            int64_t t = base + s->at + (int64_t)i * s->every;
            int64_t ws = t / iv * iv;
            struct cm_gen_flow r;
            uint32_t ip;
            uint16_t tp;

            if (!cm_gen_sc_in_file(f, t)) {
                continue;
            }
            request(w, s, k, i, in, &r);
            r.start = t;
            r.end = t + s->dur < ws + iv ? t + s->dur : ws + iv - 1;
            cm_gen_flow_write(f, &r, ws);
            if (!s->reply || !r.accept) {
                continue;
            }
            ip = r.src;
            r.src = r.dst;
            r.dst = ip;
            tp = r.sport;
            r.sport = r.dport;
            r.dport = tp;
            r.ingress = !r.ingress;
            r.packets = s->packets > 3 ? s->packets * 2 / 3 : 1;
            r.bytes = (uint64_t)r.packets * 66;
            if (s->proto == 6 && s->packets <= 3) {
                r.flags = 20; /* RST ACK: a closed port */
            }
            cm_gen_flow_write(f, &r, ws);
        }
    }
    return f->t.err;
}

static size_t fl_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                       struct cm_gen_intel_entry *out)
{
    const struct fl_plan *p = sc->plan;
    size_t n = 0, i;

    (void)w;
    for (i = 0; p->list != NULL && i < 4 && p->listed[i] != 0; i++) {
        cm_gen_sc_add_ip(out, &n, p->list, p->listed[i]);
    }
    for (i = 0; i < 2 && p->trusted[i] != 0; i++) {
        cm_gen_sc_add_ip(out, &n, CM_GEN_SC_TRUSTED, p->trusted[i]);
    }
    return n;
}

/* The marker of a near miss: its request record's addresses, then its port and protocol. */
static void marker(const struct cm_gen_world *w, const struct cm_gen_instance *in,
                   const struct fl_step *s, char *out, size_t n)
{
    uint32_t peer = step_peer(w, in, s);
    char a[16], b[16];

    cm_gen_sc_ip_str(s->dir == DIR_OUT ? in->ip : peer, a);
    cm_gen_sc_ip_str(s->dir == DIR_OUT ? peer : in->ip, b);
    snprintf(out, n, "%s %s &%s%u %u ", a, b, s->port != 0 ? " " : " 0 ", (unsigned)s->port,
             (unsigned)s->proto);
}

static int fl_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                     const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct fl_plan *p = sc->plan;
    int64_t end = c->start_s + (int64_t)c->hours * 3600, base = base_time(c->start_s);
    const struct fl_step *s;
    long main, other;
    char mark[96];
    size_t i;

    hosts(w, p, &main, &other);
    if (main < 0 || !fits(p, c)) {
        return CM_ENOTFOUND; /* no instance, or a run too short for the plan */
    }
    memset(e, 0, sizeof(*e));
    e->type = sc->finding_types;
    e->list = p->list;
    e->severity = p->severity;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[main].id);
    snprintf(e->eni, sizeof(e->eni), "%s", w->instances[main].eni);
    snprintf(e->role, sizeof(e->role), "%s", p->role);
    snprintf(e->info, sizeof(e->info), "%s", p->info != NULL ? p->info : "");
    for (i = 0; p->list != NULL && i < 4 && p->listed[i] != 0; i++) {
        cm_gen_sc_note_ip(e->indicators, sizeof(e->indicators), p->listed[i]);
    }
    for (s = p->steps; s->n != 0; s++) {
        long which = s->host == HOST_MAIN ? main : other;

        if (which < 0 || last_time(s, base) >= end) {
            if (s->hit) {
                return CM_ENOTFOUND; /* a plan whose hits need the other instance */
            }
            continue; /* not in the logs */
        }
        if (s->hit) {
            e->count += s->n;
            continue;
        }
        marker(w, &w->instances[which], s, mark, sizeof(mark));
        if (strlen(e->near) + strlen(mark) + 2 > sizeof(e->near)) {
            return CM_E2BIG;
        }
        cm_gen_sc_note(e->near, sizeof(e->near), mark);
    }
    return 1;
}

static size_t fl_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                       struct cm_gen_need *out)
{
    const struct fl_plan *p = sc->plan;
    const struct fl_step *s;
    size_t n = 0;

    (void)w;
    for (s = p->steps; s->n != 0 && s->peer != PEER_S3; s++) {
    }
    if (s->n != 0) {
        out[n].kind = CM_GEN_NEED_AWS_RANGES; /* S3 is told apart by AWS's ranges */
        out[n++].value[0] = '\0';
    }
    if (p->hours > 1) {
        out[n].kind = CM_GEN_NEED_HOURS;
        snprintf(out[n++].value, sizeof(out[0].value), "%u", p->hours);
    }
    return n;
}

/* fl_needs, and the main instance is an EMR node (the inventory gen writes says so). */
static size_t fl_needs_emr(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                           struct cm_gen_need *out)
{
    size_t n = fl_needs(sc, w, out);
    long main, other;

    hosts(w, sc->plan, &main, &other);
    if (main >= 0) {
        out[n].kind = CM_GEN_NEED_EMR;
        snprintf(out[n++].value, sizeof(out[0].value), "%s", w->instances[main].id);
    }
    return n;
}

#define FL_SCENARIO(var, nm, type, pl)                                                             \
    const struct cm_gen_scenario var = {                                                           \
        nm, type, CM_GEN_KIND_BIT(CM_GEN_VPCFLOW), fl_emit, fl_intel, fl_expect, &pl, fl_needs}

#define BRUTE(d)   (CM_GEN_SC_NET_BRUTE + (d))
#define SCANNER(d) (CM_GEN_SC_NET_SCANNER + (d))
#define VICTIM(d)  (CM_GEN_SC_NET_VICTIM + (d))
#define SWEEP(d)   (CM_GEN_SC_NET_SWEEP + (d))
#define H25        (25u * 3600u) /* a learning day after the run's first hour */
/* clang-format off */
#define END        {0} /* n = 0 ends the plan */
/* clang-format on */

/*
 * Step columns: at, host, dir, proto, accept, peer, port, nports, n, every,
 * packets, size, dur, reply, hit, npeers.
 */

/*
 * SSH brute force on the bastion: 20 accepted guesses of 18 packets in 4
 * minutes from one address. Near misses: 5 failed logins, 60 rejected
 * connections (the internet's noise), a health checker every minute for 30
 * minutes, 19 guesses with their replies, SSH on another port.
 */
static const struct fl_plan ssh_target = {
    CM_GEN_TIER_BASTION,
    CM_GEN_TIER_WEB,
    1,
    2,
    "TARGET/INBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, BRUTE(11), 22, 1, 20, 12, 18, 90, 3, 1, 1, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 1, BRUTE(12), 22, 1, 5, 20, 22, 90, 4, 1, 0, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 0, BRUTE(13), 22, 1, 60, 3, 1, 60, 0, 0, 0, 1},
     {600, HOST_OTHER, DIR_IN, 6, 1, BRUTE(14), 22, 1, 30, 60, 8, 80, 1, 1, 0, 1},
     {2400, HOST_MAIN, DIR_IN, 6, 1, BRUTE(15), 22, 1, 19, 10, 18, 90, 3, 1, 0, 1},
     {2400, HOST_OTHER, DIR_IN, 6, 1, BRUTE(16), 2222, 1, 40, 5, 18, 90, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_ssh_brute_target, "ssh-brute-target", "UnauthorizedAccess:EC2/SSHBruteForce",
            ssh_target);

/*
 * A compromised app server guessing SSH passwords of an internet host: 20
 * connections in 4 minutes, some rejected by its own security group (they
 * count: it tried). Near misses: 19 guesses to a second host, the worker's
 * SSH sessions of 400 packets to a third every minute (not guesses).
 */
static const struct fl_plan ssh_actor = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(21), 22, 1, 12, 12, 14, 90, 3, 1, 1, 1},
     {744, HOST_MAIN, DIR_OUT, 6, 0, BRUTE(21), 22, 1, 8, 12, 2, 60, 0, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(22), 22, 1, 19, 15, 14, 90, 3, 1, 0, 1},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, BRUTE(23), 22, 1, 20, 60, 400, 120, 50, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_ssh_brute_actor, "ssh-brute-actor", "UnauthorizedAccess:EC2/SSHBruteForce",
            ssh_actor);

/*
 * A compromised worker guessing RDP passwords of an internet host: 20
 * connections in 4 minutes. Near misses: 19 to another host, 30 to a third
 * host's port 3390 (not RDP), RDP sessions of hundreds of packets.
 */
static const struct fl_plan rdp_actor = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(31), 3389, 1, 20, 12, 24, 120, 4, 1, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(32), 3389, 1, 19, 12, 24, 120, 4, 1, 0, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(33), 3390, 1, 30, 10, 24, 120, 4, 1, 0, 1},
     {2400, HOST_OTHER, DIR_OUT, 6, 1, BRUTE(34), 3389, 1, 25, 20, 600, 400, 15, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_rdp_brute_actor, "rdp-brute-actor", "UnauthorizedAccess:EC2/RDPBruteForce",
            rdp_actor);

/*
 * WinRM brute force on the web server: 20 accepted guesses on 5986 (WinRM
 * over HTTPS) in 4 minutes from one address. Near misses: 60 rejected
 * connections to 5985 from another, 8 guesses on 5985 from a third.
 */
static const struct fl_plan winrm_target = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_BASTION,
    1,
    2,
    "TARGET/INBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, BRUTE(41), 5986, 1, 20, 12, 20, 150, 3, 1, 1, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 0, BRUTE(42), 5985, 1, 60, 4, 1, 60, 0, 0, 0, 1},
     {2400, HOST_MAIN, DIR_IN, 6, 1, BRUTE(43), 5985, 1, 8, 30, 20, 150, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_winrm_brute_target, "winrm-brute-target", "Impact:EC2/WinRMBruteForce",
            winrm_target);

/*
 * A listed scanner gets through the web server's security group on SSH,
 * MySQL and PostgreSQL (one connection each). Near misses: the same scanner
 * on 443 and 80 and on QUIC (UDP/443), its 200 rejected single probes, an
 * unlisted neighbour on MySQL, a listed address that is also trusted.
 */
static const struct fl_plan port_probe = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    2,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(10), SCANNER(12), 0},
    {SCANNER(12), 0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 22, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 3306, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {720, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 5432, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {780, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 443, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     {840, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 80, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     {900, HOST_MAIN, DIR_IN, 17, 1, SCANNER(10), 443, 1, 1, 1, 20, 1200, 2, 1, 0, 1},
     {1200, HOST_MAIN, DIR_IN, 6, 0, SCANNER(10), 1000, 200, 200, 1, 1, 44, 0, 0, 0, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 1, SCANNER(11), 3306, 1, 1, 1, 3, 60, 1, 1, 0, 1},
     {1860, HOST_MAIN, DIR_IN, 6, 1, SCANNER(12), 3306, 1, 1, 1, 3, 60, 1, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_port_probe, "port-probe", "Recon:EC2/PortProbeUnprotectedPort", port_probe);

/*
 * A listed scanner reaches the app server's Elasticsearch ports 9200 and
 * 9300 (High). Near misses: its rejected probes of the other instance.
 */
static const struct fl_plan port_probe_elastic = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_DB,
    1,
    8,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(20), 0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(20), 9200, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(20), 9300, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {720, HOST_OTHER, DIR_IN, 6, 0, SCANNER(20), 9200, 1, 3, 20, 1, 60, 0, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_port_probe_elastic, "port-probe-elastic",
            "Recon:EC2/PortProbeUnprotectedPort", port_probe_elastic);

/*
 * A listed scanner reaches the YARN ResourceManager (8088) and Livy (8998)
 * web ports of an EMR primary node (High; the inventory gen writes tags the
 * node). Near misses: the same scanner rejected at 8088 by the other
 * instance, an unlisted scanner on 8088 of the EMR node, the listed scanner
 * on 443 of the EMR node.
 */
static const struct fl_plan port_probe_emr = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_DB,
    1,
    8,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(30), 0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 8088, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 8998, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {720, HOST_OTHER, DIR_IN, 6, 0, SCANNER(30), 8088, 1, 3, 20, 1, 60, 0, 0, 0, 1},
     {780, HOST_MAIN, DIR_IN, 6, 1, SCANNER(31), 8088, 1, 1, 1, 5, 200, 1, 1, 0, 1},
     {840, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 443, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     END}};
const struct cm_gen_scenario cm_gen_sc_port_probe_emr = {"port-probe-emr",
                                                         "Recon:EC2/PortProbeEMRUnprotectedPort",
                                                         CM_GEN_KIND_BIT(CM_GEN_VPCFLOW),
                                                         fl_emit,
                                                         fl_intel,
                                                         fl_expect,
                                                         &port_probe_emr,
                                                         fl_needs_emr};

/*
 * The app server scans 100 ports of an internet host in 200 seconds (single
 * SYNs answered by RSTs), then one more port in the next 10-minute epoch:
 * the first detection counts the probes up to the threshold, the second the
 * rest. Near misses: 18 distinct ports of a second host, the worker's health
 * check of 4 ports of a third every 15 s for 10 minutes.
 */
static const struct fl_plan portscan = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    1,
    5,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(20), 1000, 100, 100, 2, 1, 60, 0, 1, 1, 1},
     {1500, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(20), 1100, 1, 1, 1, 1, 60, 0, 1, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(21), 2000, 18, 18, 3, 1, 60, 0, 1, 0, 1},
     {2400, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(22), 8000, 4, 40, 15, 3, 90, 1, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_portscan, "portscan", "Recon:EC2/Portscan", portscan);

/*
 * A SYN flood from the web server: 40 5-tuples of 4,600 packets over one
 * minute (78 packets/s each; 184,000 in the minute, the last crosses). Near misses: a large
 * upload (10 connections of 300,000 full-size packets a minute), a flood of
 * 60 5-tuples at 2,900 packets/s in all.
 */
static const struct fl_plan dos_tcp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(30), 80, 1, 40, 0, 4600, 60, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(31), 443, 1, 10, 0, 300000, 1500, 59, 1, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(32), 80, 1, 60, 0, 2900, 60, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_tcp, "dos-tcp", "Backdoor:EC2/DenialOfService.Tcp", dos_tcp);

/*
 * A UDP flood of 284-byte datagrams to a game server port: 10 flows of
 * 18,500 packets in one minute. Near misses: QUIC (UDP/443) at 10,000 small
 * packets/s, a media stream of 1,300-byte datagrams at 5,000/s.
 */
static const struct fl_plan dos_udp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(40), 27015, 1, 10, 0, 18500, 284, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(41), 443, 1, 1, 0, 600000, 120, 59, 1, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(42), 5004, 1, 5, 0, 60000, 1300, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_udp, "dos-udp", "Backdoor:EC2/DenialOfService.Udp", dos_udp);

/*
 * A UDP flood to port 80 (a TCP service): 10 flows of 18,500 small
 * datagrams in a minute. Near miss: an IPsec (ESP) tunnel of as many packets.
 */
static const struct fl_plan dos_udp_tcp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(50), 80, 1, 10, 0, 18500, 284, 59, 0, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 50, 1, VICTIM(51), 0, 1, 10, 0, 20000, 200, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_udp_tcp_ports, "dos-udp-tcp-ports",
            "Backdoor:EC2/DenialOfService.UdpOnTcpPorts", dos_udp_tcp);

/*
 * A DNS flood (92-byte queries) to a public resolver: 10 flows of 18,500 in
 * a minute. Near misses: a flood at 2,900 packets/s for ten minutes, just
 * under the rate; as heavy DNS to the VPC resolver (inside the VPC; real
 * flow logs leave the resolver's traffic out, a forwarder's is logged).
 */
static const struct fl_plan dos_dns = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(60), 53, 1, 10, 0, 18500, 92, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(61), 53, 1, 10, 60, 174000, 92, 59, 0, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 17, 1, PEER_VPC_RESOLVER, 53, 1, 10, 0, 18500, 92, 59, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_dns, "dos-dns", "Backdoor:EC2/DenialOfService.Dns", dos_dns);

/*
 * A flood of GRE (protocol 47) packets: 10 records of 18,500 in a minute.
 * Near miss: an ICMP flood (not one of these types).
 */
static const struct fl_plan dos_proto = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 47, 1, VICTIM(70), 0, 1, 10, 0, 18500, 100, 59, 0, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 1, 1, VICTIM(71), 0, 1, 10, 0, 20000, 84, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_unusual_protocol, "dos-unusual-protocol",
            "Backdoor:EC2/DenialOfService.UnusualProtocol", dos_proto);

/*
 * After a day of ordinary traffic the database host sends 8 GiB to an
 * internet host in one minute. Near misses: the same burst from the worker
 * during its learning day, 900 MiB from the database host to another host
 * (below the floor), 6 GiB from it to S3 (its own storage; told apart by
 * AWS's ranges, which the scenario needs). The resource role is the finding type table's TARGET
 * (docs/detectors/vpcflow-pair.md says ACTOR for every pair detection).
 */
static const struct fl_plan traffic_volume = {
    CM_GEN_TIER_DB,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{25 * 3600 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(80), 443, 1, 1, 0, 1000000, 8600, 59, 1, 1,
      1},
     {2 * 3600 + 600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(81), 443, 1, 1, 0, 750000, 8600, 59, 1, 0,
      1},
     {25 * 3600 + 1800, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(82), 443, 1, 1, 0, 110000, 8600, 59, 1, 0,
      1},
     {25 * 3600 + 2400, HOST_MAIN, DIR_OUT, 6, 1, PEER_S3, 443, 1, 1, 0, 750000, 8600, 59, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_traffic_volume, "traffic-volume", "Behavior:EC2/TrafficVolumeUnusual",
            traffic_volume);

/*
 * The worker sweeps TCP/23 (telnet, as Mirai does) of 50 internet hosts in
 * 100 seconds: two bare SYNs each, no answer. Near misses: the app server's
 * crawl of 112 HTTPS hosts of which 12 are dead, and its DNS recursion to
 * 100 name servers (one-packet UDP/53 requests).
 */
static const struct fl_plan port_sweep = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    "scannedPort=23",
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, SWEEP(1), 23, 1, 50, 2, 2, 60, 3, 0, 1, 50},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(1), 443, 1, 100, 3, 20, 800, 5, 1, 0, 100},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(101), 443, 1, 12, 20, 2, 60, 3, 0, 0, 12},
     {2400, HOST_OTHER, DIR_OUT, 17, 1, SWEEP(1), 53, 1, 100, 1, 1, 70, 0, 1, 0, 100},
     END}};
FL_SCENARIO(cm_gen_sc_port_sweep, "port-sweep", "Impact:EC2/PortSweep", port_sweep);

/*
 * After its learning day the app server, which never sent mail, delivers
 * on TCP/25 to 5 mail servers in 2 minutes. Near misses: the worker sends
 * mail to 5 servers during its learning day (a mail sender) and to 8 more
 * after it.
 */
static const struct fl_plan spambot = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=25",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, SWEEP(200), 25, 1, 5, 30, 20, 500, 5, 1, 1, 5},
     {3600, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(210), 25, 1, 5, 30, 20, 500, 5, 1, 0, 5},
     {H25 + 600, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(220), 25, 1, 8, 30, 20, 500, 5, 1, 0, 8},
     END}};
FL_SCENARIO(cm_gen_sc_spambot, "spambot", "Backdoor:EC2/Spambot", spambot);

/*
 * After its learning day the database host connects out to IRC (6667),
 * twice 11 minutes apart (a detection, then a report of the episode). Near
 * misses: MQTT (8883) used during learning and again after it, an inbound
 * connection to a port it never used. (Not the app server: in a run of
 * every scenario, its port scan overflows its port history, which then
 * holds every port.)
 */
static const struct fl_plan network_port = {
    CM_GEN_TIER_DB,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=6667",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(91), 6667, 1, 2, 660, 12, 300, 5, 1, 1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(90), 8883, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(90), 8883, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     {H25 + 960, HOST_MAIN, DIR_IN, 6, 1, BRUTE(90), 7000, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_network_port_unusual, "network-port-unusual",
            "Behavior:EC2/NetworkPortUnusual", network_port);

/*
 * After its learning day the worker connects out to LDAP on 1389: the JNDI
 * callback of a Log4Shell exploit (High). Near miss: the app server's LDAP
 * (389) to its directory during learning and after it.
 */
static const struct fl_plan network_port_ldap = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    26,
    8,
    "TARGET/OUTBOUND",
    "unusual=1389&context=\"Possible log4j callback\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(95), 1389, 1, 1, 0, 8, 300, 3, 1, 1, 1},
     {3600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(96), 389, 1, 1, 0, 12, 200, 3, 1, 0, 1},
     {H25 + 600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(96), 389, 1, 1, 0, 12, 200, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_network_port_unusual_ldap, "network-port-unusual-ldap",
            "Behavior:EC2/NetworkPortUnusual", network_port_ldap);

/*
 * After its learning day the worker asks Cloudflare's 1.1.1.1 on UDP/53,
 * twice 11 minutes apart. Near misses: Google Public DNS used during
 * learning and again after it (8.8.4.4: the same provider), DNS to a host
 * that is no listed resolver.
 */
static const struct fl_plan unusual_dns = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"1.1.1.1\"&provider=\"Cloudflare DNS\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(1, 1, 1, 1), 53, 1, 2, 660, 1, 70, 0, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 53, 1, 1, 0, 1, 70, 0, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 53, 1, 1, 0, 1, 70, 0, 1, 0,
      1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(92), 53, 1, 1, 0, 1, 70, 0, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_dns_resolver, "unusual-dns-resolver",
            "DefenseEvasion:EC2/UnusualDNSResolver", unusual_dns);

/*
 * After its learning day the app server talks DNS over HTTPS to Quad9
 * (9.9.9.9:443), twice 11 minutes apart. Near misses: Google's DoH during
 * learning and after it, HTTPS to a host that is no listed resolver.
 */
static const struct fl_plan unusual_doh = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"9.9.9.9\"&provider=\"Quad9\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(9, 9, 9, 9), 443, 1, 2, 660, 20, 400, 5, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 443, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 443, 1, 1, 0, 20, 400, 5, 1,
      0, 1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(93), 443, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_doh, "unusual-doh", "DefenseEvasion:EC2/UnusualDoHActivity",
            unusual_doh);

/*
 * After its learning day the web server talks DNS over TLS to Cloudflare
 * (1.1.1.1:853), twice 11 minutes apart. Near misses: Google's DoT during
 * learning and after it, TCP/853 to a host that is no listed resolver.
 */
static const struct fl_plan unusual_dot = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"1.1.1.1\"&provider=\"Cloudflare DNS\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(1, 1, 1, 1), 853, 1, 2, 660, 20, 400, 5, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 853, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 853, 1, 1, 0, 20, 400, 5, 1,
      0, 1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(94), 853, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_dot, "unusual-dot", "DefenseEvasion:EC2/UnusualDoTActivity",
            unusual_dot);
