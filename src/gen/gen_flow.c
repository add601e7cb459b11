/*
 * Benign VPC flow log records for one VPC and 10-minute delivery window.
 *
 * The VPC's flow log aggregates over 60 s or 600 s (a per-VPC setting), so a
 * file holds ten 1-minute capture windows or one 10-minute window. In each,
 * every ENI gets the traffic its tier implies: web servers answer public
 * clients on 443/80; web talks to app on 8080; app keeps connection pools
 * to PostgreSQL/MySQL and Redis (stable source ports across windows);
 * instances fetch from the destinations of gen_dest.c (the same addresses
 * their DNS answers name). As in real flow logs, traffic to the Amazon DNS
 * resolver (VPC base + 2), the Time Sync Service (169.254.169.123) and the
 * instance metadata service is never logged; the bastion takes
 * SSH from the admins' home IPs; public ENIs receive rejected single-packet
 * probes from the internet. Each accepted conversation is logged as two
 * records (one per direction) on every ENI it touches; rejected probes as
 * one. Now and then an ENI reports a NODATA window instead.
 *
 * Lines use the default v2 format or, for accounts with flow_custom set, a
 * v5 custom format that adds resource IDs, tcp-flags, packet addresses,
 * region/AZ, flow-direction and traffic-path.
 */
#include "gen/gen_flow.h"

#include "gen/gen_dest.h"
#include "gen/gen_pick.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const char hdr_v2[] = "version account-id interface-id srcaddr dstaddr srcport dstport "
                             "protocol packets bytes start end action log-status";
static const char hdr_v5[] =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr "
    "pkt-dstaddr region az-id flow-direction traffic-path";

enum {
    F_SYN = CM_GEN_TCP_SYN,
    F_SHORT = CM_GEN_TCP_SHORT,
    F_SHORT_NOPSH = CM_GEN_TCP_SHORT_NOPSH,
    F_LONG = CM_GEN_TCP_LONG,
    P_NONE = CM_GEN_PATH_NONE,
    P_VPC = CM_GEN_PATH_VPC,
    P_GATEWAY_EP = CM_GEN_PATH_GATEWAY_EP,
    P_IGW = CM_GEN_PATH_IGW,
};

/* What a line needs besides the record: the file and its VPC's settings. */
struct fline {
    struct cm_gen_file *f;
    const struct cm_gen_world *w;
    const struct cm_gen_vpc *v;
    const char *acct;
    bool v5;
};

static void fline_init(struct fline *l, struct cm_gen_file *f)
{
    l->f = f;
    l->w = f->env->world;
    l->v = &l->w->vpcs[f->vpc];
    l->acct = l->w->accounts[l->v->account].id;
    l->v5 = l->w->accounts[l->v->account].flow_custom != 0;
}

struct fctx {
    struct cm_gen_file *f;
    const struct cm_gen_world *w;
    const struct cm_gen_vpc *v;
    const struct cm_gen_account *acc;
    const struct cm_gen_tables *tab;
    struct fline line;
    int64_t ws, we; /* capture window [ws, we) */
    double per_win; /* expected-count multiplier for one capture window */
};

const char *cm_gen_flow_header(const struct cm_gen_world *w, unsigned vpc)
{
    return w->accounts[w->vpcs[vpc].account].flow_custom ? hdr_v5 : hdr_v2;
}

static void put_sp(struct cm_gen_text *t, const char *s)
{
    cm_gen_t_putc(t, ' ');
    cm_gen_t_puts(t, s);
}

static void put_spu(struct cm_gen_text *t, uint64_t v)
{
    cm_gen_t_putc(t, ' ');
    cm_gen_t_u64(t, v);
}

static void put_spip(struct cm_gen_text *t, uint32_t ip)
{
    cm_gen_t_putc(t, ' ');
    cm_gen_t_ip4(t, ip);
}

static void put_v5_tail(const struct fline *l, const struct cm_gen_flow *r)
{
    struct cm_gen_text *t = &l->f->t;
    const struct cm_gen_subnet *sn = &l->v->subnets[r->in->subnet];
    const struct cm_gen_region *g = l->w->regions[l->v->region];

    put_sp(t, l->v->id);
    put_sp(t, sn->id);
    put_sp(t, r->in->id);
    put_spu(t, r->proto == 6 ? r->flags : 0);
    put_sp(t, "IPv4");
    put_spip(t, r->src);
    put_spip(t, r->dst);
    put_sp(t, g->name);
    put_sp(t, g->az_id);
    cm_gen_t_puts(t, "-az");
    cm_gen_t_putc(t, (char)('1' + (sn->az + l->v->account) % 3));
    put_sp(t, r->ingress ? "ingress" : "egress");
    if (r->ingress || r->path == P_NONE) {
        put_sp(t, "-");
    } else {
        put_spu(t, r->path);
    }
}

static void put_flow(const struct fline *l, const struct cm_gen_flow *r, int64_t ws)
{
    struct cm_gen_text *t = &l->f->t;

    cm_gen_file_begin_rec(l->f);
    cm_gen_t_putc(t, l->v5 ? '5' : '2');
    put_sp(t, l->acct);
    put_sp(t, r->in->eni);
    put_spip(t, r->src);
    put_spip(t, r->dst);
    put_spu(t, r->sport);
    put_spu(t, r->dport);
    put_spu(t, r->proto);
    put_spu(t, r->packets);
    put_spu(t, r->bytes);
    put_spu(t, (uint64_t)r->start);
    put_spu(t, (uint64_t)r->end);
    put_sp(t, r->accept ? "ACCEPT OK" : "REJECT OK");
    if (l->v5) {
        put_v5_tail(l, r);
    }
    cm_gen_file_end_rec(l->f, ws * 1000);
}

void cm_gen_flow_write(struct cm_gen_file *f, const struct cm_gen_flow *r, int64_t window_start)
{
    struct fline l;

    fline_init(&l, f);
    put_flow(&l, r, window_start);
}

void cm_gen_flow_nodata(struct cm_gen_file *f, const struct cm_gen_instance *in, int64_t ws,
                        int64_t we)
{
    struct cm_gen_text *t = &f->t;
    struct fline l;

    fline_init(&l, f);
    cm_gen_file_begin_rec(f);
    cm_gen_t_putc(t, l.v5 ? '5' : '2');
    put_sp(t, l.acct);
    put_sp(t, in->eni);
    cm_gen_t_puts(t, " - - - - - - -");
    put_spu(t, (uint64_t)ws);
    put_spu(t, (uint64_t)(we - 1));
    cm_gen_t_puts(t, " - NODATA");
    if (l.v5) {
        put_sp(t, l.v->id);
        put_sp(t, l.v->subnets[in->subnet].id);
        put_sp(t, in->id);
        cm_gen_t_puts(t, " - - - -");
        put_sp(t, l.w->regions[l.v->region]->name);
        cm_gen_t_puts(t, " - - -");
    }
    cm_gen_file_end_rec(f, ws * 1000);
}

static void write_flow(struct fctx *x, const struct cm_gen_flow *r)
{
    put_flow(&x->line, r, x->ws);
}

/* One conversation: a initiates to b; either side may be a remote host (NULL). */
struct convo {
    const struct cm_gen_instance *a, *b;
    uint32_t a_ip, b_ip;
    uint16_t a_port, b_port;
    uint8_t proto, path_a, path_b;
    bool long_lived;
    uint32_t pk_ab, pk_ba;
    uint64_t by_ab, by_ba;
};

static void convo_times(struct fctx *x, bool long_lived, int64_t *start, int64_t *end)
{
    struct cm_gen_rng *r = &x->f->rng;
    uint32_t len = (uint32_t)(x->we - x->ws);

    if (long_lived) {
        *start = x->ws + cm_gen_rng_below(r, 3);
        *end = x->we - 1 - cm_gen_rng_below(r, 3);
        return;
    }
    *start = x->ws + cm_gen_rng_below(r, len * 4 / 5);
    *end = *start + cm_gen_rng_below(r, (uint32_t)(x->we - *start));
}

static void emit_side(struct fctx *x, const struct convo *c, const struct cm_gen_instance *in,
                      bool initiator, int64_t start, int64_t end)
{
    struct cm_gen_flow fw = {
        .in = in, .proto = c->proto, .accept = true, .start = start, .end = end};
    uint8_t fa = c->long_lived ? F_LONG : F_SHORT, fb = fa;
    int k;

    if (!c->long_lived && (c->pk_ab % 7) == 0) {
        fa = F_SHORT_NOPSH;
    }
    for (k = 0; k < 2; k++) {
        bool ab = (k == 0) == initiator; /* record for the a->b direction */

        fw.src = ab ? c->a_ip : c->b_ip;
        fw.dst = ab ? c->b_ip : c->a_ip;
        fw.sport = ab ? c->a_port : c->b_port;
        fw.dport = ab ? c->b_port : c->a_port;
        fw.packets = ab ? c->pk_ab : c->pk_ba;
        fw.bytes = ab ? c->by_ab : c->by_ba;
        fw.flags = ab ? fa : fb;
        fw.ingress = ab != initiator;
        fw.path = initiator ? c->path_a : c->path_b;
        write_flow(x, &fw);
    }
}

static void emit_convo(struct fctx *x, const struct convo *c)
{
    int64_t start, end;

    convo_times(x, c->long_lived, &start, &end);
    if (c->a != NULL) {
        emit_side(x, c, c->a, true, start, end);
    }
    if (c->b != NULL) {
        emit_side(x, c, c->b, false, start, end);
    }
}

static uint16_t ephemeral(struct cm_gen_rng *r)
{
    return (uint16_t)(32768 + cm_gen_rng_below(r, 28232));
}

/* Packet and byte counts: n packets each way around pk, sizes around avg. */
static void sizes(struct cm_gen_rng *r, struct convo *c, uint32_t pk, uint32_t avg_ab,
                  uint32_t avg_ba)
{
    c->pk_ab = 1 + cm_gen_rng_below(r, pk);
    c->pk_ba = c->pk_ab + cm_gen_rng_below(r, c->pk_ab / 2 + 2);
    c->by_ab = (uint64_t)c->pk_ab * (40 + cm_gen_rng_below(r, avg_ab));
    c->by_ba = (uint64_t)c->pk_ba * (40 + cm_gen_rng_below(r, avg_ba));
}

static unsigned count(struct fctx *x, double per_minute)
{
    return cm_gen_rng_count(&x->f->rng, per_minute * x->per_win);
}

static void web_clients(struct fctx *x, const struct cm_gen_instance *in)
{
    struct cm_gen_rng *r = &x->f->rng;
    unsigned i, n = count(x, 10.0);

    for (i = 0; i < n; i++) {
        struct convo c = {.b = in, .b_ip = in->ip, .proto = 6, .path_b = P_IGW};

        c.a_ip = x->w->clients[cm_gen_rng_below(r, x->w->nclients)];
        c.a_port = (uint16_t)cm_gen_rng_range(r, 1024, 65535);
        c.b_port = cm_gen_rng_chance(r, 0.85) ? 443 : 80;
        sizes(r, &c, 40, 500, 1400);
        emit_convo(x, &c);
    }
}

/* Instances of tier t in this VPC, as world indexes; returns how many (at most max). */
static unsigned peers(const struct fctx *x, enum cm_gen_tier t, unsigned *out, unsigned max)
{
    unsigned i, n = 0;

    for (i = 0; i < x->v->ninstances && n < max; i++) {
        if (x->w->instances[x->v->first_instance + i].tier == t) {
            out[n++] = x->v->first_instance + i;
        }
    }
    return n;
}

static void web_to_app(struct fctx *x, const struct cm_gen_instance *in)
{
    struct cm_gen_rng *r = &x->f->rng;
    unsigned app[8], napp = peers(x, CM_GEN_TIER_APP, app, 8), i, n;

    if (napp == 0) {
        return;
    }
    n = count(x, 4.0);
    for (i = 0; i < n; i++) {
        const struct cm_gen_instance *b = &x->w->instances[app[cm_gen_rng_below(r, napp)]];
        struct convo c = {.a = in,
                          .b = b,
                          .a_ip = in->ip,
                          .b_ip = b->ip,
                          .b_port = 8080,
                          .proto = 6,
                          .path_a = P_VPC,
                          .path_b = P_VPC};

        c.a_port = ephemeral(r);
        sizes(r, &c, 30, 600, 1200);
        emit_convo(x, &c);
    }
}

/* App servers' connection pools to the database and cache: same ports window after window. */
static void pools(struct fctx *x, unsigned idx)
{
    const struct cm_gen_instance *in = &x->w->instances[idx];
    struct cm_gen_rng *r = &x->f->rng;
    unsigned db[4], cache[4], ndb = peers(x, CM_GEN_TIER_DB, db, 4);
    unsigned ncache = peers(x, CM_GEN_TIER_CACHE, cache, 4), i, k;

    for (i = 0; i < ndb + ncache; i++) {
        unsigned peer = i < ndb ? db[i] : cache[i - ndb];
        const struct cm_gen_instance *b = &x->w->instances[peer];
        uint16_t port = i >= ndb ? 6379 : (x->v->account % 2 ? 3306 : 5432);

        for (k = 0; k < (i < ndb ? 4u : 2u); k++) {
            uint64_t h = cm_gen_hash4(x->w->seed, 0x706f6f6cULL, ((uint64_t)idx << 32) | peer, k);
            struct convo c = {.a = in,
                              .b = b,
                              .a_ip = in->ip,
                              .b_ip = b->ip,
                              .b_port = port,
                              .proto = 6,
                              .path_a = P_VPC,
                              .path_b = P_VPC,
                              .long_lived = true};

            c.a_port = (uint16_t)(32768 + h % 28232);
            sizes(r, &c, (uint32_t)(200 * x->per_win) + 20, 300, 900);
            emit_convo(x, &c);
        }
    }
}

static const double out_rate[CM_GEN_NTIERS] = {1.5, 4, 0.3, 6, 0.5, 0.2};

static void outbound(struct fctx *x, const struct cm_gen_instance *in)
{
    struct cm_gen_rng *r = &x->f->rng;
    unsigned i, n = count(x, out_rate[in->tier]);

    for (i = 0; i < n; i++) {
        unsigned d = cm_gen_pick_draw(&x->tab->flow[in->tier], r);
        const struct cm_gen_dest *e = &cm_gen_dests[d];
        uint64_t v = cm_gen_rng_below(r, 16);
        struct convo c = {.a = in, .a_ip = in->ip, .proto = e->proto, .b_port = e->port};

        c.b_ip = cm_gen_dest_ip(x->w, x->f->vpc, d, v, cm_gen_rng_below(r, e->nans ? e->nans : 1));
        if (c.b_ip == 0) {
            continue;
        }
        c.a_port = ephemeral(r);
        if ((c.b_ip >> 24) == 10) {
            c.path_a = P_VPC;
        } else if (e->kind == CM_GEN_D_S3 && x->v->has_vpce) {
            c.path_a = P_GATEWAY_EP;
        } else {
            c.path_a = in->public_ip ? P_IGW : P_VPC;
        }
        if (e->kind == CM_GEN_D_S3) {
            sizes(r, &c, 400, 200, 1400);
        } else {
            sizes(r, &c, 30, 400, 1200);
        }
        emit_convo(x, &c);
    }
}

static bool is_public(uint32_t ip)
{
    uint32_t a = ip >> 24, b = (ip >> 16) & 255, c24 = ip >> 8;

    return !(a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && (b & 0xc0) == 64) ||
             (a == 169 && b == 254) || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) ||
             (a == 198 && (b & 0xfe) == 18) || c24 == 0xc00000 || c24 == 0xc00002 ||
             c24 == 0xc63364 || c24 == 0xcb0071);
}

/* Internet background radiation: single rejected probes at public ENIs. */
static void noise(struct fctx *x, const struct cm_gen_instance *in)
{
    static const uint16_t ports[] = {22,   23,   3389, 445, 1433, 3306, 5900, 8080, 8443, 6379,
                                     9200, 2375, 5432, 25,  21,   135,  139,  161,  53,   0};
    struct cm_gen_rng *r = &x->f->rng;
    unsigned i, n = count(x, 4.0);

    for (i = 0; i < n; i++) {
        struct cm_gen_flow fw = {.in = in, .dst = in->ip, .ingress = true, .flags = F_SYN};
        unsigned k = cm_gen_rng_below(r, (uint32_t)(sizeof(ports) / sizeof(ports[0])));

        do {
            fw.src = (uint32_t)cm_gen_rng_next(r);
        } while (!is_public(fw.src));
        fw.dport = ports[k];
        fw.proto = ports[k] == 0 ? 1 : (ports[k] == 161 || ports[k] == 53 ? 17 : 6);
        fw.sport = fw.proto == 1 ? 0 : (uint16_t)cm_gen_rng_range(r, 1024, 65535);
        fw.packets = 1 + (cm_gen_rng_below(r, 4) == 0);
        fw.bytes = fw.packets * (fw.proto == 6 ? 44 : 60u + cm_gen_rng_below(r, 30));
        fw.start = x->ws + cm_gen_rng_below(r, (uint32_t)(x->we - x->ws));
        fw.end =
            fw.start + (fw.packets > 1 ? cm_gen_rng_below(r, (uint32_t)(x->we - fw.start)) : 0);
        write_flow(x, &fw);
    }
}

/* The bastion: SSH in from the admins' home IPs, SSH on to internal hosts. */
static void bastion(struct fctx *x, const struct cm_gen_instance *in)
{
    struct cm_gen_rng *r = &x->f->rng;
    unsigned i, n = count(x, 0.3);

    for (i = 0; i < n && x->acc->nprincipals > 0; i++) {
        const struct cm_gen_principal *p =
            &x->w->principals[x->acc->first_principal + cm_gen_rng_below(r, x->acc->nprincipals)];
        struct convo c = {.b = in, .b_ip = in->ip, .b_port = 22, .proto = 6, .path_b = P_IGW};

        if (p->kind == CM_GEN_P_CI) {
            continue;
        }
        c.a_ip = p->home_ip[0];
        c.a_port = (uint16_t)cm_gen_rng_range(r, 49152, 65535);
        sizes(r, &c, 300, 100, 300);
        emit_convo(x, &c);
    }
    n = count(x, 0.2);
    for (i = 0; i < n && x->v->ninstances > 1; i++) {
        const struct cm_gen_instance *b =
            &x->w->instances[x->v->first_instance + cm_gen_rng_below(r, x->v->ninstances)];
        struct convo c = {.a = in,
                          .b = b,
                          .a_ip = in->ip,
                          .b_ip = b->ip,
                          .b_port = 22,
                          .proto = 6,
                          .path_a = P_VPC,
                          .path_b = P_VPC};

        if (b == in) {
            continue;
        }
        c.a_port = ephemeral(r);
        sizes(r, &c, 200, 100, 300);
        emit_convo(x, &c);
    }
}

static void eni_window(struct fctx *x, unsigned idx)
{
    const struct cm_gen_instance *in = &x->w->instances[idx];

    if (cm_gen_rng_chance(&x->f->rng, 0.01)) {
        cm_gen_flow_nodata(x->f, in, x->ws, x->we);
        return;
    }
    switch (in->tier) {
    case CM_GEN_TIER_WEB:
        web_clients(x, in);
        web_to_app(x, in);
        break;
    case CM_GEN_TIER_APP:
        pools(x, idx);
        break;
    case CM_GEN_TIER_BASTION:
        bastion(x, in);
        break;
    default:
        break;
    }
    outbound(x, in);
    if (in->public_ip) {
        noise(x, in);
    }
}

int cm_gen_flow_fill(struct cm_gen_file *f)
{
    const struct cm_gen_world *w = f->env->world;
    struct fctx x;
    int64_t ws;
    unsigned i;

    x.f = f;
    x.w = w;
    x.v = &w->vpcs[f->vpc];
    x.acc = &w->accounts[x.v->account];
    x.tab = f->env->tables;
    fline_init(&x.line, f);
    for (ws = f->start_s; ws < f->end_s; ws += x.v->flow_interval) {
        x.ws = ws;
        x.we = ws + x.v->flow_interval;
        x.per_win = (x.v->flow_interval / 60.0) * (x.v->flow_interval > 60 ? 0.6 : 1.0) *
                    f->env->cfg->scale * cm_gen_diurnal(ws);
        for (i = 0; i < x.v->ninstances; i++) {
            eni_window(&x, x.v->first_instance + i);
        }
    }
    return f->t.err;
}
