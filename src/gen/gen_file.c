/*
 * One output file under construction (struct cm_gen_file in gen.h).
 *
 * Generators write records one after another into f->recs and close each
 * with a sort key; cm_gen_file_assemble() orders the records by (key,
 * insertion) and wraps them in the source's container: {"Records":[...]}
 * for CloudTrail, a header line plus lines for flow logs, bare lines for
 * Resolver logs. Buffers are reused from file to file by the worker that
 * owns the struct.
 */
#include "gen/gen.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

void cm_gen_file_init(struct cm_gen_file *f, const struct cm_gen_env *env)
{
    memset(f, 0, sizeof(*f));
    f->env = env;
    cm_buf_init(&f->recs, 0);
    cm_buf_init(&f->out, 0);
    cm_gen_t_init(&f->t, &f->recs);
}

void cm_gen_file_finish(struct cm_gen_file *f)
{
    cm_buf_finish(&f->recs);
    cm_buf_finish(&f->out);
    cm_free(f->spans);
    f->spans = NULL;
    f->nspans = 0;
    f->spans_cap = 0;
}

static int64_t window_len(enum cm_gen_kind kind)
{
    switch (kind) {
    case CM_GEN_CLOUDTRAIL:
        return CM_GEN_CT_WINDOW;
    case CM_GEN_VPCFLOW:
        return CM_GEN_FLOW_WINDOW;
    default:
        return CM_GEN_DNS_WINDOW;
    }
}

void cm_gen_file_begin(struct cm_gen_file *f, enum cm_gen_kind kind, bool data_events, unsigned vpc,
                       uint64_t win)
{
    int64_t len = window_len(kind);

    f->kind = kind;
    f->data_events = data_events;
    f->vpc = vpc;
    f->win = win;
    f->start_s = f->env->cfg->start_s + (int64_t)win * len;
    f->end_s = f->start_s + len;
    cm_gen_rng_derive(&f->rng, f->env->cfg->seed, (uint64_t)kind * 2 + data_events, vpc, win);
    cm_buf_reset(&f->recs);
    cm_buf_reset(&f->out);
    cm_gen_t_init(&f->t, &f->recs);
    f->nspans = 0;
    f->rec_off = 0;
    f->err = 0;
}

void cm_gen_file_begin_rec(struct cm_gen_file *f)
{
    f->rec_off = f->recs.len;
}

void cm_gen_file_end_rec(struct cm_gen_file *f, int64_t key)
{
    struct cm_gen_span *s;

    if (f->nspans == f->spans_cap) {
        size_t ncap = f->spans_cap ? f->spans_cap * 2 : 1024;
        struct cm_gen_span *ns = cm_realloc(f->spans, ncap * sizeof(*ns));

        if (ns == NULL) {
            f->err = CM_ENOMEM;
            return;
        }
        f->spans = ns;
        f->spans_cap = ncap;
    }
    s = &f->spans[f->nspans];
    s->key = key;
    s->seq = (uint32_t)f->nspans;
    s->off = f->rec_off;
    s->len = f->recs.len - f->rec_off;
    f->nspans++;
}

static int span_cmp(const void *a, const void *b)
{
    const struct cm_gen_span *x = a, *y = b;

    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void sort_spans(struct cm_gen_file *f)
{
    size_t i;

    for (i = 1; i < f->nspans; i++) {
        if (f->spans[i].key < f->spans[i - 1].key) {
            qsort(f->spans, f->nspans, sizeof(*f->spans), span_cmp);
            return;
        }
    }
}

int cm_gen_file_assemble(struct cm_gen_file *f)
{
    struct cm_gen_text t;
    size_t i;
    bool ct = f->kind == CM_GEN_CLOUDTRAIL;

    if (f->err == 0) {
        f->err = f->t.err;
    }
    if (f->err != 0) {
        return f->err;
    }
    sort_spans(f);
    cm_buf_reset(&f->out);
    cm_gen_t_init(&t, &f->out);
    if (cm_buf_reserve(&f->out, f->recs.len + f->nspans + 256) != 0) {
        return CM_ENOMEM;
    }
    if (f->env->cfg->delivery != CM_GEN_DELIVERY_S3) {
        return cm_gen_cwl_assemble(f, &t);
    }
    if (ct) {
        cm_gen_t_puts(&t, "{\"Records\":[");
    } else if (f->kind == CM_GEN_VPCFLOW) {
        cm_gen_t_puts(&t, cm_gen_flow_header(f->env->world, f->vpc));
        cm_gen_t_putc(&t, '\n');
    }
    for (i = 0; i < f->nspans; i++) {
        const struct cm_gen_span *s = &f->spans[i];

        if (ct && i > 0) {
            cm_gen_t_putc(&t, ',');
        }
        cm_gen_t_putn(&t, f->recs.p + s->off, s->len);
        if (!ct) {
            cm_gen_t_putc(&t, '\n');
        }
    }
    if (ct) {
        cm_gen_t_puts(&t, "]}");
    }
    return t.err;
}

static void name_tail(const struct cm_gen_file *f, struct cm_gen_text *t)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct cm_gen_rng r;
    char tmp[16];

    cm_gen_rng_derive(&r, f->env->cfg->seed, 0x6e616d65ULL + (uint64_t)f->kind * 2 + f->data_events,
                      f->vpc, f->win);
    if (f->kind == CM_GEN_CLOUDTRAIL) {
        cm_gen_rng_chars(&r, tmp, 16, alnum, sizeof(alnum) - 1);
        cm_gen_t_putn(t, tmp, 16);
        cm_gen_t_puts(t, ".json");
    } else {
        cm_gen_rng_hex(&r, tmp, 8);
        cm_gen_t_putn(t, tmp, 8);
        cm_gen_t_puts(t, ".log");
    }
    if (f->env->cfg->gzip) {
        cm_gen_t_puts(t, ".gz");
    }
}

int cm_gen_file_path(const struct cm_gen_file *f, struct cm_buf *b)
{
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_vpc *v = &w->vpcs[f->vpc];
    const char *acct = w->accounts[v->account].id;
    const char *region = w->regions[v->region]->name;
    static const char *const dirs[CM_GEN_NKINDS] = {"/CloudTrail/", "/vpcflowlogs/",
                                                    "/vpcdnsquerylogs/"};
    struct cm_gen_text t;

    if (f->env->cfg->delivery != CM_GEN_DELIVERY_S3) {
        return cm_gen_cwl_path(f, b);
    }
    cm_gen_t_init(&t, b);
    cm_gen_t_puts(&t, "AWSLogs/");
    cm_gen_t_puts(&t, acct);
    cm_gen_t_puts(&t, dirs[f->kind]);
    cm_gen_t_puts(&t, f->kind == CM_GEN_DNS ? v->id : region);
    cm_gen_t_putc(&t, '/');
    cm_gen_t_date_path(&t, f->start_s);
    cm_gen_t_putc(&t, '/');
    if (f->kind == CM_GEN_CLOUDTRAIL) {
        cm_gen_t_puts(&t, acct);
        cm_gen_t_puts(&t, "_CloudTrail_");
        cm_gen_t_puts(&t, region);
    } else if (f->kind == CM_GEN_VPCFLOW) {
        cm_gen_t_puts(&t, acct);
        cm_gen_t_puts(&t, "_vpcflowlogs_");
        cm_gen_t_puts(&t, region);
        cm_gen_t_putc(&t, '_');
        cm_gen_t_puts(&t, v->flow_log_id);
    } else {
        cm_gen_t_puts(&t, v->id);
        cm_gen_t_puts(&t, "_vpcdnsquerylogs_");
        cm_gen_t_puts(&t, acct);
    }
    cm_gen_t_putc(&t, '_');
    cm_gen_t_stamp(&t, f->start_s);
    cm_gen_t_putc(&t, '_');
    name_tail(f, &t);
    return t.err;
}
