/*
 * Benign Route 53 Resolver query logs for one VPC and 5-minute window, one
 * JSON object per line in the field order of spec §7.3.
 *
 * Each instance resolves the names its tier uses (gen_dest.c): AWS service
 * endpoints (private endpoint IPs when the VPC has interface endpoints),
 * its buckets, private-zone names of its peers, EC2 internal host names and
 * their PTRs, package mirrors, SaaS APIs, CDNs, OCSP responders, plus the
 * NXDOMAIN noise real hosts make (search-domain suffixes, gRPC TXT/SRV
 * probes, metadata.google.internal). getaddrinfo-style A+AAAA pairs share a
 * source port. The us-east-1 VPC of each account also answers on-premises
 * clients through an inbound Resolver endpoint.
 */
#include "gen/gen_dns.h"

#include <string.h>

#include "gen/gen_dest.h"
#include "gen/gen_pick.h"

struct dctx {
    struct cm_gen_file *f;
    const struct cm_gen_world *w;
    const struct cm_gen_vpc *v;
    const struct cm_gen_account *acc;
    const struct cm_gen_tables *tab;
};

/* One query to write. */
struct query {
    int64_t t;
    unsigned d; /* destination entry */
    uint64_t v; /* its variant */
    const char *qtype;
    uint32_t srcaddr;
    uint16_t srcport;
    bool tcp;
    const struct cm_gen_instance *in; /* NULL: an on-premises client */
};

static void put_hex16(struct cm_gen_text *t, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[4];
    int n = 0, s;

    for (s = 12; s >= 0; s -= 4) {
        if (n > 0 || ((v >> s) & 15) != 0 || s == 0) {
            tmp[n++] = hex[(v >> s) & 15];
        }
    }
    cm_gen_t_putn(t, tmp, (size_t)n);
}

static void answer(struct cm_gen_text *t, bool *first)
{
    cm_gen_t_puts(t, *first ? "{\"Rdata\":" : ",{\"Rdata\":");
    *first = false;
}

static void answer_end(struct cm_gen_text *t, const char *type)
{
    cm_gen_t_puts(t, ",\"Type\":\"");
    cm_gen_t_puts(t, type);
    cm_gen_t_puts(t, "\",\"Class\":\"IN\"}");
}

static void put_expanded(struct dctx *x, const struct query *q, const char *tmpl, bool dot)
{
    char name[256];
    size_t n = cm_gen_dest_expand(x->w, x->f->vpc, q->d, tmpl, q->v, name, sizeof(name) - 1);

    if (dot) {
        name[n++] = '.';
        name[n] = '\0';
    }
    cm_gen_t_jesc(&x->f->t, name, n);
}

static void address_answers(struct dctx *x, const struct query *q, bool *first)
{
    const struct cm_gen_dest *e = &cm_gen_dests[q->d];
    struct cm_gen_text *t = &x->f->t;
    bool aaaa = strcmp(q->qtype, "AAAA") == 0;
    unsigned k, n = e->nans ? e->nans : 1;

    if (e->cname != NULL) {
        answer(t, first);
        put_expanded(x, q, e->cname, true);
        answer_end(t, "CNAME");
    }
    if (aaaa && e->v6 == NULL) {
        return;
    }
    for (k = 0; k < n; k++) {
        answer(t, first);
        cm_gen_t_putc(t, '"');
        if (aaaa) {
            uint64_t h = cm_gen_hash4(x->w->seed, q->d, q->v, k);

            cm_gen_t_puts(t, e->v6);
            put_hex16(t, (unsigned)(h & 0xffff));
            cm_gen_t_putc(t, ':');
            put_hex16(t, (unsigned)((h >> 16) & 0xffff));
        } else {
            cm_gen_t_ip4(t, cm_gen_dest_ip(x->w, x->f->vpc, q->d, q->v, k));
        }
        cm_gen_t_putc(t, '"');
        answer_end(t, q->qtype);
    }
}

/* Writes "rcode":...,"answers":[...]. */
static void put_result(struct dctx *x, const struct query *q)
{
    const struct cm_gen_dest *e = &cm_gen_dests[q->d];
    struct cm_gen_text *t = &x->f->t;
    bool first = true, nx = e->kind == CM_GEN_D_NX;

    if ((e->kind == CM_GEN_D_PEER || e->kind == CM_GEN_D_HOST || e->kind == CM_GEN_D_PTR) &&
        cm_gen_dest_instance(x->w, x->f->vpc, q->d, q->v) < 0) {
        nx = true;
    }
    if (nx) {
        cm_gen_t_puts(t, "\"rcode\":\"NXDOMAIN\",\"answers\":[]");
        return;
    }
    if (cm_gen_rng_chance(&x->f->rng, 0.002)) {
        cm_gen_t_puts(t, "\"rcode\":\"SERVFAIL\",\"answers\":[]");
        return;
    }
    cm_gen_t_puts(t, "\"rcode\":\"NOERROR\",\"answers\":[");
    if (e->kind == CM_GEN_D_PTR || e->kind == CM_GEN_D_TXT || e->kind == CM_GEN_D_SRV) {
        answer(t, &first);
        put_expanded(x, q, e->cname, e->kind == CM_GEN_D_PTR);
        answer_end(t, q->qtype);
    } else {
        address_answers(x, q, &first);
    }
    cm_gen_t_putc(t, ']');
}

/* From "version" through "query_name": (the name itself is the caller's). */
static void put_prefix(struct cm_gen_file *f, int64_t t)
{
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_vpc *v = &w->vpcs[f->vpc];
    struct cm_gen_text *tx = &f->t;

    cm_gen_t_puts(tx, "{\"version\":\"1.100000\",\"account_id\":\"");
    cm_gen_t_puts(tx, w->accounts[v->account].id);
    cm_gen_t_puts(tx, "\",\"region\":\"");
    cm_gen_t_puts(tx, w->regions[v->region]->name);
    cm_gen_t_puts(tx, "\",\"vpc_id\":\"");
    cm_gen_t_puts(tx, v->id);
    cm_gen_t_puts(tx, "\",\"query_timestamp\":\"");
    cm_gen_t_iso(tx, t);
    cm_gen_t_puts(tx, "\",\"query_name\":");
}

/* From "srcaddr" to the end of the line. */
static void put_suffix(struct cm_gen_file *f, uint32_t srcaddr, uint16_t srcport, bool tcp,
                       const struct cm_gen_instance *in, bool endpoint)
{
    const struct cm_gen_vpc *v = &f->env->world->vpcs[f->vpc];
    struct cm_gen_text *t = &f->t;

    cm_gen_t_puts(t, ",\"srcaddr\":\"");
    cm_gen_t_ip4(t, srcaddr);
    cm_gen_t_puts(t, "\",\"srcport\":\"");
    cm_gen_t_u64(t, srcport);
    cm_gen_t_puts(t, tcp ? "\",\"transport\":\"TCP\"" : "\",\"transport\":\"UDP\"");
    if (in != NULL) {
        cm_gen_t_kv(t, ",\"srcids\":{\"instance", in->id);
        cm_gen_t_putc(t, '}');
    } else if (endpoint) {
        cm_gen_t_kv(t, ",\"srcids\":{\"resolver_endpoint", v->rslvr_in);
        cm_gen_t_kv(t, ",\"resolver_network_interface", v->rni);
        cm_gen_t_putc(t, '}');
    }
    cm_gen_t_putc(t, '}');
}

static void write_query(struct dctx *x, const struct query *q)
{
    struct cm_gen_text *t = &x->f->t;
    const struct cm_gen_dest *e = &cm_gen_dests[q->d];

    cm_gen_file_begin_rec(x->f);
    put_prefix(x->f, q->t);
    put_expanded(x, q, e->tmpl, true);
    cm_gen_t_puts(t, ",\"query_type\":\"");
    cm_gen_t_puts(t, q->qtype);
    cm_gen_t_puts(t, "\",\"query_class\":\"IN\",");
    put_result(x, q);
    put_suffix(x->f, q->srcaddr, q->srcport, q->tcp, q->in, q->in == NULL);
    cm_gen_file_end_rec(x->f, q->t * 1000);
}

static void put_jstr(struct cm_gen_text *t, const char *s, bool dot)
{
    char buf[512];
    size_t n = strlen(s);

    if (!dot || n == 0 || s[n - 1] == '.' || n + 1 >= sizeof(buf)) {
        cm_gen_t_jesc(t, s, n);
        return;
    }
    memcpy(buf, s, n);
    buf[n] = '.';
    cm_gen_t_jesc(t, buf, n + 1);
}

void cm_gen_dns_write(struct cm_gen_file *f, const struct cm_gen_dns_query *q)
{
    struct cm_gen_text *t = &f->t;
    unsigned i;

    cm_gen_file_begin_rec(f);
    put_prefix(f, q->t);
    put_jstr(t, q->name, true);
    cm_gen_t_puts(t, ",\"query_type\":");
    put_jstr(t, q->qtype, false);
    cm_gen_t_puts(t, ",\"query_class\":\"IN\",\"rcode\":");
    put_jstr(t, q->rcode, false);
    cm_gen_t_puts(t, ",\"answers\":[");
    for (i = 0; i < q->nanswers; i++) {
        cm_gen_t_puts(t, i ? ",{\"Rdata\":" : "{\"Rdata\":");
        put_jstr(t, q->answers[i].rdata, false);
        cm_gen_t_puts(t, ",\"Type\":");
        put_jstr(t, q->answers[i].type, false);
        cm_gen_t_puts(t, ",\"Class\":\"IN\"}");
    }
    cm_gen_t_putc(t, ']');
    put_suffix(f, q->in ? q->in->ip : q->srcaddr, q->srcport, q->tcp, q->in, false);
    cm_gen_file_end_rec(f, q->t * 1000);
}

/* One lookup: a query, or an A+AAAA pair from the same socket. */
static void lookup(struct dctx *x, struct query *q)
{
    const struct cm_gen_dest *e = &cm_gen_dests[q->d];
    struct cm_gen_rng *r = &x->f->rng;

    q->t = x->f->start_s + cm_gen_rng_below(r, CM_GEN_DNS_WINDOW);
    q->srcport = (uint16_t)(32768 + cm_gen_rng_below(r, 28232));
    q->tcp = cm_gen_rng_chance(r, 0.01);
    q->qtype = e->qtype ? e->qtype : "A";
    write_query(x, q);
    if (e->qtype == NULL && e->kind != CM_GEN_D_HOST && cm_gen_rng_chance(r, 0.5)) {
        q->qtype = "AAAA";
        write_query(x, q);
    }
}

static void instance_queries(struct dctx *x, const struct cm_gen_instance *in)
{
    struct cm_gen_rng *r = &x->f->rng;
    double mean = cm_gen_dns_rate[in->tier] * (CM_GEN_DNS_WINDOW / 60.0) * x->f->env->cfg->scale *
                  cm_gen_diurnal(x->f->start_s);
    unsigned i, n = cm_gen_rng_count(r, mean);

    for (i = 0; i < n; i++) {
        struct query q = {.in = in, .srcaddr = in->ip};

        q.d = cm_gen_pick_draw(&x->tab->dns[in->tier], r);
        q.v = cm_gen_rng_below(r, 16);
        lookup(x, &q);
    }
}

/* Clients in the office network resolving private names through the inbound endpoint. */
static void onprem_queries(struct dctx *x)
{
    struct cm_gen_rng *r = &x->f->rng;
    unsigned i, n = cm_gen_rng_count(r, 2.0 * 5 * x->f->env->cfg->scale);

    for (i = 0; i < n; i++) {
        struct query q = {.srcaddr = 0xc0a80000u | cm_gen_rng_range(r, 0x0a01, 0x0afe)};

        do {
            q.d = cm_gen_pick_draw(&x->tab->dns[CM_GEN_TIER_BASTION], r);
        } while (cm_gen_dests[q.d].kind == CM_GEN_D_NX && cm_gen_rng_chance(r, 0.8));
        q.v = cm_gen_rng_below(r, 16);
        lookup(x, &q);
    }
}

int cm_gen_dns_fill(struct cm_gen_file *f)
{
    const struct cm_gen_world *w = f->env->world;
    struct dctx x;
    unsigned i;

    x.f = f;
    x.w = w;
    x.v = &w->vpcs[f->vpc];
    x.acc = &w->accounts[x.v->account];
    x.tab = f->env->tables;
    for (i = 0; i < x.v->ninstances; i++) {
        instance_queries(&x, &w->instances[x.v->first_instance + i]);
    }
    if (x.v->region == 0) {
        onprem_queries(&x);
    }
    return f->t.err;
}
