/*
 * The event bus from the command line (see bus_cli.h).
 */
#include "cli/bus_cli.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "core/clock.h"

/* The report callback's context. */
struct reporting {
    const char *cmd;
    struct cm_cli_routing *out;
    bool nomem;
};

/* The counts of target t of rule r in out, added when new; NULL when memory ran out. */
static struct cm_cli_target_stats *target_of(struct cm_cli_routing *out,
                                             const struct cm_bus_report *r)
{
    struct cm_cli_target_stats *t;

    for (size_t i = out->n; i-- > 0;) {
        t = &out->v[i];
        if (strcmp(t->rule, r->rule) == 0 && strcmp(t->target, r->target) == 0) {
            return t;
        }
    }
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        void *v = realloc(out->v, cap * sizeof(*out->v));
        if (v == NULL) {
            return NULL;
        }
        out->v = v;
        out->cap = cap;
    }
    t = &out->v[out->n];
    memset(t, 0, sizeof(*t));
    t->rule = strdup(r->rule);
    t->target = strdup(r->target);
    t->kind = strdup(r->kind ? r->kind : "");
    if (t->rule == NULL || t->target == NULL || t->kind == NULL) {
        free(t->rule);
        free(t->target);
        free(t->kind);
        return NULL;
    }
    out->n++;
    return t;
}

static void count(struct reporting *rp, const struct cm_bus_report *r)
{
    struct cm_cli_target_stats *t = target_of(rp->out, r);

    if (t == NULL) {
        rp->nomem = true;
        return;
    }
    t->matched++;
    switch (r->outcome) {
    case CM_BUS_DELIVERED:
        t->delivered++;
        break;
    case CM_BUS_FAILED:
        t->failed++;
        break;
    case CM_BUS_GAVE_UP:
        t->gave_up++;
        break;
    case CM_BUS_WAITING:
        t->waiting++;
        break;
    default:
        t->not_tried++;
        break;
    }
}

static void report(void *ud, const struct cm_bus_report *r)
{
    struct reporting *rp = ud;
    char next[40], what[160];

    count(rp, r);
    if (r->error == NULL) {
        return;
    }
    /* What the event is of: a finding, a canary check's result, a scheduled rule's fire, an
     * event put through the API. */
    if (r->source == CM_BUS_SRC_FINDING) {
        snprintf(what, sizeof(what), "finding %s", r->finding_id ? r->finding_id : "?");
    } else {
        snprintf(what, sizeof(what), "%s event of %s (outbox row %lld)",
                 r->source == CM_BUS_SRC_CANARY     ? "canary"
                 : r->source == CM_BUS_SRC_SCHEDULE ? "scheduled"
                                                    : "put",
                 r->name ? r->name : "?", (long long)r->oseq);
    }
    if (r->state == CM_DELIVERY_PENDING) {
        cm_time_format_iso(r->next_ms, next, sizeof(next));
        fprintf(stderr, "coalmine %s: rule %s target %s: %s: %s (attempt %u, again after %s)\n",
                rp->cmd, r->rule, r->target, what, r->error, r->attempt, next);
    } else {
        fprintf(stderr, "coalmine %s: rule %s target %s: %s: %s (attempt %u, given up)\n", rp->cmd,
                r->rule, r->target, what, r->error, r->attempt);
    }
}

static int by_rule_target(const void *a, const void *b)
{
    const struct cm_cli_target_stats *x = a, *y = b;
    int c = strcmp(x->rule, y->rule);

    return c ? c : strcmp(x->target, y->target);
}

void cm_cli_routing_finish(struct cm_cli_routing *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].rule);
        free(r->v[i].target);
        free(r->v[i].kind);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

int cm_cli_bus_run(const char *cmd, struct cm_store *st, const struct cm_config *cfg, bool now,
                   bool quiet, struct cm_cli_routing *out)
{
    return cm_cli_bus_run_ex(cmd, st, cfg, now, false, quiet, out);
}

int cm_cli_secrets(const struct cm_config *cfg, struct cm_target_secrets *out)
{
    struct cm_target_secret *v;

    out->v = NULL;
    out->n = 0;
    if (cfg == NULL || cfg->nsecrets == 0) {
        return 0;
    }
    if ((v = calloc(cfg->nsecrets, sizeof(*v))) == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        const struct cm_config_secret *c = &cfg->secrets[i];

        v[i] = (struct cm_target_secret){c->name, c->file, c->env, c->urls.v, c->urls.n};
    }
    out->v = v;
    out->n = cfg->nsecrets;
    return 0;
}

int cm_cli_bus_run_ex(const char *cmd, struct cm_store *st, const struct cm_config *cfg, bool now,
                      bool release_all, bool quiet, struct cm_cli_routing *out)
{
    struct cm_target_secrets secrets;
    struct cm_bus_opts o = {0};
    struct cm_bus_stats *stats = &out->bus;
    struct reporting rp = {cmd, out, false};
    char err[512] = "";
    int rc;

    /* The webhook target's libcurl: once per process, before any thread uses it. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coalmine %s: libcurl could not be initialised\n", cmd);
        return CM_EXIT_ERROR;
    }
    if (cm_cli_secrets(cfg, &secrets) != 0) {
        fprintf(stderr, "coalmine %s: out of memory\n", cmd);
        curl_global_cleanup();
        return CM_EXIT_ERROR;
    }
    o.secrets = &secrets;
    o.now_ms = cm_clock_now_ms();
    o.ignore_backoff = now;
    o.release_all = release_all;
    o.report = report;
    o.ud = &rp;
    rc = cm_bus_run(st, &o, stats, err, sizeof(err));
    curl_global_cleanup();
    free(secrets.v);
    if (rc != 0) {
        fprintf(stderr, "coalmine %s: routing findings: %s\n", cmd, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    if (rp.nomem) {
        fprintf(stderr, "coalmine %s: counting the deliveries: out of memory\n", cmd);
        return CM_EXIT_ERROR;
    }
    if (out->n > 1) {
        qsort(out->v, out->n, sizeof(*out->v), by_rule_target);
    }
    if (!quiet && stats->events + stats->superseded + stats->waiting + stats->pending +
                          stats->held + stats->archived >
                      0) {
        fprintf(stderr,
                "  routed:   %llu findings, %llu rule matches, %llu delivered, %llu failed "
                "(tried again later), %llu given up, %llu waiting",
                (unsigned long long)stats->by_source[CM_BUS_SRC_FINDING].events,
                (unsigned long long)stats->matched, (unsigned long long)stats->delivered,
                (unsigned long long)stats->failed, (unsigned long long)stats->gave_up,
                (unsigned long long)stats->waiting);
        if (stats->by_source[CM_BUS_SRC_CANARY].events > 0) {
            fprintf(stderr, ", %llu canary events",
                    (unsigned long long)stats->by_source[CM_BUS_SRC_CANARY].events);
        }
        if (stats->by_source[CM_BUS_SRC_SCHEDULE].events > 0) {
            fprintf(stderr, ", %llu scheduled events",
                    (unsigned long long)stats->by_source[CM_BUS_SRC_SCHEDULE].events);
        }
        if (stats->by_source[CM_BUS_SRC_EVENTS].events > 0) {
            fprintf(stderr, ", %llu put events",
                    (unsigned long long)stats->by_source[CM_BUS_SRC_EVENTS].events);
        }
        if (stats->repeats > 0) {
            fprintf(stderr, ", %llu not sent (the target already took that state)",
                    (unsigned long long)stats->repeats);
        }
        if (stats->deferred > 0) {
            fprintf(stderr, ", %llu not tried (their target was unavailable in this run)",
                    (unsigned long long)stats->deferred);
        }
        if (stats->archived > 0) {
            fprintf(stderr, ", %llu not sent (archived since)",
                    (unsigned long long)stats->archived);
        }
        if (stats->held > 0) {
            fprintf(stderr, ", %llu updates held until their publishing interval ends",
                    (unsigned long long)stats->held);
        }
        if (stats->busy + stats->lost > 0) {
            fprintf(stderr, ", %llu being delivered by another process",
                    (unsigned long long)(stats->busy + stats->lost));
        }
        fputc('\n', stderr);
    }
    return CM_EXIT_OK;
}
