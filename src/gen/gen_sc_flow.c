/*
 * The VPC flow detection scenarios of issue #6 (gen_sc_flow.h): the engine
 * (bursts of connections written as flow records, the expected finding, the
 * near misses' markers, the lists and the hours a plan needs); the plans are in
 * gen_sc_flow_plans.c.
 *
 * A connection is written as real flow logs write it on the instance's ENI:
 * its request record (the opener's direction) and, when the step asks for
 * it and the connection was accepted, its reply. Rejected connections are
 * the lone request. Ports, packets, sizes and durations are the plan's;
 * client ports follow one another from a start drawn from the seed and the
 * peer (request()), so emit and expect need no state and every file agrees.
 */
#include "gen/gen_sc_flow.h"
#include "gen/gen_sc_flow_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_flow.h"
#include "gen/rng.h"

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

/*
 * Connection i of step s as its request record r (times: the caller's);
 * first is the number of connections of the plan's steps before s.
 * The opener's system hands out client ports one after another (Linux and
 * Windows do, per destination: RFC 6056's algorithms 3 and 4), from a start
 * drawn from the seed and the step's peer, so no two connections of a plan
 * share one. Drawing each port at random made two of them collide now and
 * then, and in a flow log without TCP flags a second connection from the
 * same port is a later record of the first: a burst planted at its
 * detector's threshold (20 guesses) fell one short.
 */
static void request(const struct cm_gen_world *w, const struct fl_step *s, unsigned first,
                    unsigned i, const struct cm_gen_instance *in, struct cm_gen_flow *r)
{
    uint64_t h = cm_gen_hash4(w->seed, 0x7363666c6f77ULL, 0, s->peer);
    bool out = s->dir == DIR_OUT;
    uint16_t eph = (uint16_t)(32768 + (h + first + i) % 28232);
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
        /* Unanswered (rejected, or a flood's 5-tuple without a reply): nothing but SYNs. */
        r->flags = !r->accept || s->packets <= 3 || !s->reply ? CM_GEN_TCP_SYN
                   : s->dur > 30                              ? CM_GEN_TCP_LONG
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

int cm_gen_fl_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct fl_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    int64_t base = base_time(f->env->cfg->start_s);
    long main, other;
    unsigned first = 0;
    size_t k;

    hosts(w, p, &main, &other);
    if (f->kind != CM_GEN_VPCFLOW || main < 0 || !fits(p, f->env->cfg)) {
        return 0;
    }
    for (k = 0; p->steps[k].n != 0; first += p->steps[k].n, k++) {
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
            request(w, s, first, i, in, &r);
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

size_t cm_gen_fl_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
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

int cm_gen_fl_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
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
        if (cm_gen_sc_note_near(e, mark) != 0) {
            return CM_E2BIG;
        }
    }
    return 1;
}

size_t cm_gen_fl_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
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
    n += cm_gen_sc_need_hours(p->hours, &out[n]);
    return n;
}

/* cm_gen_fl_needs, and the main instance is an EMR node (the inventory gen writes says so). */
size_t cm_gen_fl_needs_emr(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                           struct cm_gen_need *out)
{
    size_t n = cm_gen_fl_needs(sc, w, out);
    long main, other;

    hosts(w, sc->plan, &main, &other);
    if (main >= 0) {
        out[n].kind = CM_GEN_NEED_EMR;
        snprintf(out[n++].value, sizeof(out[0].value), "%s", w->instances[main].id);
    }
    return n;
}
