/*
 * Intel scenarios in VPC flow logs: an instance of the attacked VPC talks to
 * listed addresses. Each connection is logged as real flow logs log it, on
 * the instance's ENI: an accepted one as two records (the request and the
 * reply), a rejected one as the single request record.
 *
 * - C&C: the app server beacons to its controller on 443 and 8080.
 * - Mining: a worker holds stratum connections to pools on 3333 and 4444.
 * - Black hole: a web server keeps calling a C&C address now sink-holed.
 * - Drop point: a database host uploads tens of MiB to a drop server.
 * - Customer list: a listed address uses the web server (inbound 443) and
 *   the web server calls it back (outbound 8443).
 * - Tor client: an app server opens circuits to Tor guard relays (9001, 443).
 * - Tor relay: the bastion accepts ORPort (9001) connections from three Tor
 *   relays within minutes, then extends a circuit to a fourth.
 *
 * Near misses: the address next to a listed one, the replies of every
 * connection, inbound connections from C&C, pool and sink-hole addresses
 * (only customer lists have an inbound finding), inbound connections from
 * a listed address that the security group rejects, and a second instance
 * that takes ORPort connections from only two Tor relays.
 */
#include "gen/gen_sc_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_flow.h"

enum { HOST_MAIN = 0, HOST_OTHER = 1 }; /* which instance of the plan */
enum { DIR_OUT = 0, DIR_IN = 1 };       /* who opens the connection */

struct flow_step {
    uint16_t at;     /* seconds after the run's start; 0 ends the plan */
    uint8_t host;    /* HOST_* */
    uint8_t dir;     /* DIR_* */
    uint8_t peer;    /* last octet of the peer in the plan's /24 */
    uint16_t port;   /* service port: the peer's (out) or the instance's (in) */
    uint8_t accept;  /* 0: the security group rejects it */
    uint8_t hit;     /* the detector must count it */
    uint32_t kib;    /* what the opener sends */
    uint8_t longrun; /* one record pair of a long-lived connection */
};

struct flow_plan {
    const char *list;
    uint32_t net;      /* the peers' /24 */
    uint8_t listed[6]; /* last octets on the list, 0-terminated */
    enum cm_gen_tier main, other;
    struct flow_step steps[CM_GEN_SC_MAX_STEPS];
};

static void hosts(const struct cm_gen_world *w, const struct flow_plan *p, long *main, long *other)
{
    *main = cm_gen_sc_instance(w, p->main, -1);
    *other = *main < 0 ? -1 : cm_gen_sc_instance(w, p->other, *main);
}

/* One record pair (or the lone rejected request) for step s at time t. */
static void connection(struct cm_gen_file *f, const struct flow_plan *p, const struct flow_step *s,
                       const struct cm_gen_instance *in, int64_t t)
{
    const struct cm_gen_vpc *v = &f->env->world->vpcs[in->vpc];
    int64_t ws = f->start_s + (t - f->start_s) / v->flow_interval * v->flow_interval;
    int64_t we = ws + v->flow_interval;
    uint64_t h = cm_gen_hash4(f->env->world->seed, 0x7363666cULL + s->at, s->peer, s->port);
    uint16_t eph = (uint16_t)(32768 + h % 28232);
    uint32_t peer = p->net + s->peer, sent = s->kib * 1024u + 517u;
    bool out = s->dir == DIR_OUT;
    struct cm_gen_flow r;

    memset(&r, 0, sizeof(r));
    r.in = in;
    r.proto = 6;
    r.accept = s->accept != 0;
    r.start = s->longrun ? ws : t;
    r.end = s->longrun ? we - 1 : t + (we - 1 - t) / 2;
    r.path = in->public_ip ? CM_GEN_PATH_IGW : CM_GEN_PATH_VPC;
    /* the request */
    r.src = out ? in->ip : peer;
    r.dst = out ? peer : in->ip;
    r.sport = eph;
    r.dport = s->port;
    r.ingress = !out;
    if (!r.accept) {
        r.flags = CM_GEN_TCP_SYN;
        r.packets = 1 + (uint32_t)(h >> 40) % 3;
        r.bytes = 60ull * r.packets;
        r.end = r.start;
        cm_gen_flow_write(f, &r, ws);
        return;
    }
    r.flags = s->longrun ? CM_GEN_TCP_LONG : CM_GEN_TCP_SHORT;
    r.packets = sent / 1400 + 4;
    r.bytes = sent + 52ull * r.packets;
    cm_gen_flow_write(f, &r, ws);
    /* the reply */
    r.src = out ? peer : in->ip;
    r.dst = out ? in->ip : peer;
    r.sport = s->port;
    r.dport = eph;
    r.ingress = out;
    r.packets = r.packets / 2 + 3;
    r.bytes = 1900ull + 52ull * r.packets;
    cm_gen_flow_write(f, &r, ws);
}

static int flow_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct flow_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    const struct flow_step *s;
    long main, other;

    hosts(w, p, &main, &other);
    if (f->kind != CM_GEN_VPCFLOW || main < 0) {
        return 0;
    }
    for (s = p->steps; s->at != 0; s++) {
        long k = s->host == HOST_MAIN ? main : other;
        int64_t t = cm_gen_sc_time(f, s->at);

        if (k >= 0 && cm_gen_sc_in_file(f, t)) {
            connection(f, p, s, &w->instances[k], t);
        }
    }
    return f->t.err;
}

static size_t flow_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                         struct cm_gen_intel_entry *out)
{
    const struct flow_plan *p = sc->plan;
    size_t n = 0, i;

    (void)w;
    for (i = 0; i < sizeof(p->listed) && p->listed[i] != 0; i++) {
        cm_gen_sc_add_ip(out, &n, p->list, p->net + p->listed[i]);
    }
    return n;
}

static int flow_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                       const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct flow_plan *p = sc->plan;
    const struct flow_step *s;
    long main, other;
    size_t i;

    (void)c;
    memset(e, 0, sizeof(*e));
    hosts(w, p, &main, &other);
    if (main < 0) {
        return CM_ENOTFOUND;
    }
    e->type = sc->finding_types;
    e->list = p->list;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[main].id);
    snprintf(e->eni, sizeof(e->eni), "%s", w->instances[main].eni);
    for (i = 0; i < sizeof(p->listed) && p->listed[i] != 0; i++) {
        cm_gen_sc_note_ip(e->indicators, sizeof(e->indicators), p->net + p->listed[i]);
    }
    for (s = p->steps; s->at != 0; s++) {
        e->count += s->hit;
        if (!s->hit) {
            cm_gen_sc_note_ip(e->near, sizeof(e->near), p->net + s->peer);
        }
    }
    return 1; /* one finding */
}

#define FLOW_SCENARIO(var, nm, type, pl)                                                           \
    const struct cm_gen_scenario var = {                                                           \
        nm, type, CM_GEN_KIND_BIT(CM_GEN_VPCFLOW), flow_emit, flow_intel, flow_expect, &pl, NULL}

/* Columns: at, host, dir, peer, port, accept, hit, KiB sent, long-lived. */

static const struct flow_plan cnc = {"cnc",
                                     CM_GEN_SC_NET_CNC,
                                     {10},
                                     CM_GEN_TIER_APP,
                                     CM_GEN_TIER_WEB,
                                     {{300, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 2, 0},
                                      {360, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 2, 0},
                                      {420, HOST_MAIN, DIR_OUT, 10, 8080, 1, 1, 1, 0},
                                      {480, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 2, 0},
                                      {540, HOST_MAIN, DIR_OUT, 11, 443, 1, 0, 2, 0},
                                      {600, HOST_OTHER, DIR_IN, 10, 443, 1, 0, 1, 0},
                                      {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_cnc, "cnc-flow", "Backdoor:EC2/C&CActivity.B", cnc);

static const struct flow_plan mining = {"mining",
                                        CM_GEN_SC_NET_MINING,
                                        {10, 12},
                                        CM_GEN_TIER_WORKER,
                                        CM_GEN_TIER_WEB,
                                        {{700, HOST_MAIN, DIR_OUT, 10, 3333, 1, 1, 6, 1},
                                         {760, HOST_MAIN, DIR_OUT, 10, 3333, 1, 1, 6, 1},
                                         {820, HOST_MAIN, DIR_OUT, 10, 3333, 1, 1, 6, 1},
                                         {880, HOST_MAIN, DIR_OUT, 12, 4444, 1, 1, 6, 1},
                                         {940, HOST_MAIN, DIR_OUT, 11, 3333, 1, 0, 6, 1},
                                         {1000, HOST_OTHER, DIR_IN, 10, 22, 0, 0, 0, 0},
                                         {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_mining, "mining-flow", "CryptoCurrency:EC2/BitcoinTool.B", mining);

static const struct flow_plan blackhole = {"sinkhole",
                                           CM_GEN_SC_NET_SINKHOLE,
                                           {10},
                                           CM_GEN_TIER_WEB,
                                           CM_GEN_TIER_APP,
                                           {{1100, HOST_MAIN, DIR_OUT, 10, 80, 1, 1, 1, 0},
                                            {1160, HOST_MAIN, DIR_OUT, 10, 443, 0, 1, 0, 0},
                                            {1220, HOST_MAIN, DIR_OUT, 10, 80, 1, 1, 1, 0},
                                            {1280, HOST_MAIN, DIR_OUT, 11, 80, 1, 0, 1, 0},
                                            {1340, HOST_MAIN, DIR_IN, 10, 443, 1, 0, 1, 0},
                                            {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_blackhole, "blackhole-flow", "Trojan:EC2/BlackholeTraffic", blackhole);

static const struct flow_plan drop_point = {"drop_point",
                                            CM_GEN_SC_NET_DROP,
                                            {10},
                                            CM_GEN_TIER_DB,
                                            CM_GEN_TIER_WORKER,
                                            {{1400, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 51200, 0},
                                             {1460, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 51200, 0},
                                             {1520, HOST_MAIN, DIR_OUT, 10, 443, 1, 1, 20480, 0},
                                             {1580, HOST_MAIN, DIR_OUT, 11, 443, 1, 0, 100, 0},
                                             {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_drop_point, "droppoint-flow", "Trojan:EC2/DropPoint", drop_point);

static const struct flow_plan custom = {CM_GEN_SC_CUSTOM,
                                        CM_GEN_SC_NET_CUSTOM,
                                        {43},
                                        CM_GEN_TIER_WEB,
                                        CM_GEN_TIER_BASTION,
                                        {{1700, HOST_MAIN, DIR_IN, 43, 443, 1, 1, 4, 0},
                                         {1760, HOST_MAIN, DIR_IN, 43, 443, 1, 1, 4, 0},
                                         {1820, HOST_MAIN, DIR_OUT, 43, 8443, 1, 1, 3, 0},
                                         {1880, HOST_OTHER, DIR_IN, 43, 22, 0, 0, 0, 0},
                                         {1890, HOST_OTHER, DIR_IN, 43, 22, 0, 0, 0, 0},
                                         {1940, HOST_MAIN, DIR_IN, 44, 443, 1, 0, 4, 0},
                                         {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_custom, "custom-flow",
              "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", custom);

static const struct flow_plan tor_client = {"tor_relay",
                                            CM_GEN_SC_NET_TOR_RELAY,
                                            {10, 12},
                                            CM_GEN_TIER_APP,
                                            CM_GEN_TIER_WORKER,
                                            {{2000, HOST_MAIN, DIR_OUT, 10, 9001, 1, 1, 40, 1},
                                             {2060, HOST_MAIN, DIR_OUT, 12, 443, 1, 1, 40, 0},
                                             {2120, HOST_MAIN, DIR_OUT, 10, 9001, 1, 1, 40, 1},
                                             {2180, HOST_MAIN, DIR_OUT, 11, 9001, 1, 0, 40, 0},
                                             {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_tor_client, "torclient-flow", "UnauthorizedAccess:EC2/TorClient",
              tor_client);

static const struct flow_plan tor_relay = {"tor_relay",
                                           CM_GEN_SC_NET_TOR_RELAY,
                                           {20, 21, 22, 23},
                                           CM_GEN_TIER_BASTION,
                                           CM_GEN_TIER_WEB,
                                           {{2300, HOST_MAIN, DIR_IN, 20, 9001, 1, 0, 30, 0},
                                            {2360, HOST_MAIN, DIR_IN, 21, 9001, 1, 0, 30, 0},
                                            {2420, HOST_MAIN, DIR_IN, 22, 9001, 1, 1, 30, 0},
                                            {2480, HOST_MAIN, DIR_IN, 20, 9001, 1, 1, 30, 1},
                                            {2540, HOST_MAIN, DIR_OUT, 23, 9001, 1, 1, 30, 0},
                                            {2600, HOST_OTHER, DIR_IN, 20, 9001, 1, 0, 30, 0},
                                            {2660, HOST_OTHER, DIR_IN, 21, 9001, 1, 0, 30, 0},
                                            {2720, HOST_MAIN, DIR_IN, 24, 9001, 1, 0, 30, 0},
                                            {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
FLOW_SCENARIO(cm_gen_sc_flow_tor_relay, "torrelay-flow", "UnauthorizedAccess:EC2/TorRelay",
              tor_relay);
