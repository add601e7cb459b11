/*
 * Files as they come out of CloudWatch Logs (gen.h, --delivery): the same
 * records as the S3 delivery, sent to a log group first, then
 *
 *   - exported by an export task: exportedlogs/<task>/<stream>/NNNNNN.gz,
 *     every line "<time> <record>";
 *   - or streamed by a subscription filter to Firehose, which writes the
 *     deliveries back to back: firehose/YYYY/MM/DD/HH/<stream>-1-<time>-<id>
 *     (no extension: the content is CloudWatch Logs' own gzip). The first
 *     window of a stream starts with the CONTROL_MESSAGE health check.
 *
 * Log groups and streams are named as AWS names them: CloudTrail's stream
 * is <account>_CloudTrail_<region>; flow logs have one stream per flow log
 * here (AWS has one per interface); Resolver query logs one per VPC. Flow
 * records carry no header line, as in CloudWatch Logs.
 */
#include "gen/gen.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"

#define EVENTS_PER_DELIVERY 100

static void stream_name(const struct cm_gen_file *f, struct cm_gen_text *t)
{
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_vpc *v = &w->vpcs[f->vpc];

    if (f->kind == CM_GEN_CLOUDTRAIL) {
        cm_gen_t_puts(t, w->accounts[v->account].id);
        cm_gen_t_puts(t, "_CloudTrail_");
        cm_gen_t_puts(t, w->regions[v->region]->name);
        if (f->data_events) {
            cm_gen_t_puts(t, "_data");
        }
    } else if (f->kind == CM_GEN_VPCFLOW) {
        cm_gen_t_puts(t, v->flow_log_id);
    } else {
        cm_gen_t_puts(t, v->id);
    }
}

static void group_name(const struct cm_gen_file *f, struct cm_gen_text *t)
{
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_vpc *v = &w->vpcs[f->vpc];

    if (f->kind == CM_GEN_CLOUDTRAIL) {
        cm_gen_t_puts(t, "aws-cloudtrail-logs-");
        cm_gen_t_puts(t, w->accounts[v->account].id);
    } else if (f->kind == CM_GEN_VPCFLOW) {
        cm_gen_t_puts(t, "vpc-flow-logs");
    } else {
        cm_gen_t_puts(t, "/aws/route53/resolver-query-logs");
    }
}

/* "2026-01-05T00:00:07.000Z": an export line's time. */
static void iso_ms(struct cm_gen_text *t, int64_t ms)
{
    char tmp[32];

    cm_gen_t_putn(t, tmp, cm_time_format_iso(ms, tmp, sizeof(tmp)));
}

/* A log event id: 56 digits, the time first, as CloudWatch Logs writes them. */
static void event_id(struct cm_gen_text *t, int64_t ms, size_t seq)
{
    char tmp[64];

    snprintf(tmp, sizeof(tmp), "%013lld%043zu", (long long)ms, seq);
    cm_gen_t_puts(t, tmp);
}

static void delivery_head(const struct cm_gen_file *f, struct cm_gen_text *t)
{
    const struct cm_gen_world *w = f->env->world;

    cm_gen_t_puts(t, "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"");
    cm_gen_t_puts(t, w->accounts[w->vpcs[f->vpc].account].id);
    cm_gen_t_puts(t, "\",\"logGroup\":\"");
    group_name(f, t);
    cm_gen_t_puts(t, "\",\"logStream\":\"");
    stream_name(f, t);
    cm_gen_t_puts(t, "\",\"subscriptionFilters\":[\"to-firehose\"],\"logEvents\":[");
}

static void control_message(const struct cm_gen_file *f, struct cm_gen_text *t)
{
    cm_gen_t_puts(t, "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\","
                     "\"logGroup\":\"\",\"logStream\":\"\",\"subscriptionFilters\":[],"
                     "\"logEvents\":[{\"id\":\"\",\"timestamp\":");
    cm_gen_t_u64(t, (uint64_t)f->start_s * 1000);
    cm_gen_t_puts(t, ",\"message\":\"CWL CONTROL MESSAGE: Checking health of destination "
                     "Firehose.\"}]}");
}

int cm_gen_cwl_assemble(struct cm_gen_file *f, struct cm_gen_text *t)
{
    bool firehose = f->env->cfg->delivery == CM_GEN_DELIVERY_FIREHOSE;

    if (firehose && f->win == 0) {
        control_message(f, t);
    }
    for (size_t i = 0; i < f->nspans; i++) {
        const struct cm_gen_span *s = &f->spans[i];

        if (!firehose) {
            iso_ms(t, s->key);
            cm_gen_t_putc(t, ' ');
            cm_gen_t_putn(t, f->recs.p + s->off, s->len);
            cm_gen_t_putc(t, '\n');
            continue;
        }
        if (i % EVENTS_PER_DELIVERY == 0) {
            delivery_head(f, t);
        } else {
            cm_gen_t_putc(t, ',');
        }
        cm_gen_t_puts(t, "{\"id\":\"");
        event_id(t, s->key, i);
        cm_gen_t_puts(t, "\",\"timestamp\":");
        cm_gen_t_u64(t, (uint64_t)s->key);
        cm_gen_t_puts(t, ",\"message\":");
        cm_gen_t_jesc(t, f->recs.p + s->off, s->len);
        cm_gen_t_putc(t, '}');
        if (i + 1 == f->nspans || (i + 1) % EVENTS_PER_DELIVERY == 0) {
            cm_gen_t_puts(t, "]}");
        }
    }
    return t->err;
}

/* A hex id derived from the run's seed and what it names (stable across runs). */
static void hex_id(const struct cm_gen_file *f, uint64_t what, uint64_t a, uint64_t b,
                   struct cm_gen_text *t, bool uuid)
{
    struct cm_gen_rng r;
    char tmp[32];

    cm_gen_rng_derive(&r, f->env->cfg->seed, what, a, b);
    cm_gen_rng_hex(&r, tmp, 32);
    if (!uuid) {
        cm_gen_t_putn(t, tmp, 32);
        return;
    }
    cm_gen_t_putn(t, tmp, 8);
    for (int k = 0; k < 3; k++) {
        cm_gen_t_putc(t, '-');
        cm_gen_t_putn(t, tmp + 8 + 4 * k, 4);
    }
    cm_gen_t_putc(t, '-');
    cm_gen_t_putn(t, tmp + 20, 12);
}

int cm_gen_cwl_path(const struct cm_gen_file *f, struct cm_buf *b)
{
    const struct cm_gen_world *w = f->env->world;
    uint64_t what = 0x63776cULL + (uint64_t)f->kind * 2 + f->data_events;
    struct cm_gen_text t;
    char tmp[40];
    size_t n;

    cm_gen_t_init(&t, b);
    if (f->env->cfg->delivery == CM_GEN_DELIVERY_CWL_EXPORT) {
        /* One export task per log group (account and kind), a folder per stream. */
        cm_gen_t_puts(&t, "exportedlogs/");
        hex_id(f, what, w->vpcs[f->vpc].account, 0, &t, true);
        cm_gen_t_putc(&t, '/');
        stream_name(f, &t);
        snprintf(tmp, sizeof(tmp), "/%06llu", (unsigned long long)f->win);
        cm_gen_t_puts(&t, tmp);
        cm_gen_t_puts(&t, f->env->cfg->gzip ? ".gz" : "");
        return t.err;
    }
    cm_gen_t_puts(&t, "firehose/");
    cm_gen_t_date_path(&t, f->start_s);
    snprintf(tmp, sizeof(tmp), "/%02lld/", (long long)(f->start_s % 86400) / 3600);
    cm_gen_t_puts(&t, tmp);
    cm_gen_t_puts(&t, "cwl-");
    stream_name(f, &t);
    cm_gen_t_puts(&t, "-1-");
    /* Firehose's name time: 2026-01-05-00-05-00 (2026-01-05T00:05:00Z, dashed, no Z) */
    n = cm_time_format_iso_s(f->start_s * 1000, tmp, sizeof(tmp));
    for (size_t i = 0; i < n; i++) {
        tmp[i] = tmp[i] == 'T' || tmp[i] == ':' ? '-' : tmp[i];
    }
    cm_gen_t_putn(&t, tmp, n > 0 ? n - 1 : 0);
    cm_gen_t_putc(&t, '-');
    hex_id(f, what, f->vpc, f->win, &t, true);
    return t.err;
}
