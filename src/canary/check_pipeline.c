/*
 * The pipeline check, the end-to-end alerting canary: a sample finding
 * (service.additionalInfo.sample true, title "[CANARY] ...", an id of its
 * own each run) is stored as a scan would store a new finding, so the
 * store puts it in the outbox; the bus (src/bus/bus.h) then routes it to
 * the targets of the rules its event matches, as it would a real one. The
 * check passes when every one of those targets took it within
 * deadline_seconds (failed deliveries are tried again, at once, until
 * then); it fails when one did not, or when no enabled rule with a target
 * matches it (a real finding of that type would alert no one), or when an
 * ARCHIVE filter suppresses it. The finding is archived afterwards, so it
 * stays out of the active findings and a delivery still owed is cancelled.
 *
 * The bus runs on the wall clock (not the run's now_ms, which may be a test's
 * --now): it also routes whatever else waits in the outbox, as any run does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "bus/bus.h"
#include "canary/canary_impl.h"
#include "core/clock.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"

#define DETECTOR_ID "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1" /* the CLI's default detector id */
#define POLL_MS     500                                /* between two runs of the bus */

static const struct cm_canary_param params[] = {
    {"finding_type", CM_CANARY_P_STRING, false, 1, 127, 0, NULL},
    {"deadline_seconds", CM_CANARY_P_INT, false, 1, 3600, 60, NULL},
    {"account", CM_CANARY_P_STRING, false, 12, 12, 0, NULL},
    {"region", CM_CANARY_P_STRING, false, 1, 64, 0, NULL},
};

#define DEFAULT_TYPE "Recon:EC2/PortProbeUnprotectedPort"

/* One target the finding's event was owed to, and what became of it. */
struct owed {
    char *rule, *target;
    bool done, gave_up;
    uint32_t attempts;
    char error[256];
};

struct watch {
    const char *id;
    struct owed *v;
    size_t n, cap;
    bool nomem;
};

static void on_report(void *ud, const struct cm_bus_report *r)
{
    struct watch *w = ud;
    struct owed *o = NULL;

    if (r->finding_id == NULL || strcmp(r->finding_id, w->id) != 0) {
        return;
    }
    for (size_t i = 0; i < w->n && o == NULL; i++) {
        if (strcmp(w->v[i].rule, r->rule) == 0 && strcmp(w->v[i].target, r->target) == 0) {
            o = &w->v[i];
        }
    }
    if (o == NULL) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 8;
            void *v = realloc(w->v, cap * sizeof(*w->v));
            if (v == NULL) {
                w->nomem = true;
                return;
            }
            w->v = v;
            w->cap = cap;
        }
        o = &w->v[w->n];
        memset(o, 0, sizeof(*o));
        o->rule = strdup(r->rule);
        o->target = strdup(r->target);
        if (o->rule == NULL || o->target == NULL) {
            free(o->rule);
            free(o->target);
            w->nomem = true;
            return;
        }
        w->n++;
    }
    if (r->attempt > 0) {
        o->attempts = r->attempt;
    }
    o->done = r->outcome == CM_BUS_DELIVERED;
    o->gave_up = r->outcome == CM_BUS_GAVE_UP;
    snprintf(o->error, sizeof(o->error), "%s",
             r->error                       ? r->error
             : o->done                      ? ""
             : r->outcome == CM_BUS_WAITING ? "waiting for its backoff"
                                            : "not tried: its target was unavailable or busy");
}

static void default_sleep(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Whether every owed delivery is done; *stuck: one was given up. */
static bool all_done(const struct watch *w, bool *stuck)
{
    bool all = true;

    *stuck = false;
    for (size_t i = 0; i < w->n; i++) {
        all = all && w->v[i].done;
        *stuck = *stuck || w->v[i].gave_up;
    }
    return all;
}

/* Builds the canary finding into f (initialised): the sample of type, with its own id. */
static int build(const struct cm_canary_env *env, const struct cm_canary_val *v,
                 struct cm_finding *f, char *why, size_t whylen)
{
    struct cm_finding_ctx ctx = {.detector_id = DETECTOR_ID};
    const char *type = v[0].set ? v[0].str : DEFAULT_TYPE;
    int64_t now = cm_clock_now_ms();
    struct timespec ts;
    char title[300], key[200];
    uint64_t h1, h2;
    int n, rc;

    if (cm_finding_type_info(type) == NULL) {
        snprintf(why, whylen, "finding_type: unknown finding type \"%s\"", type);
        return CM_EINVAL;
    }
    rc = cm_finding_sample(f, &ctx, v[2].set ? v[2].str : "123456789012",
                           v[3].set ? v[3].str : "us-east-1", type, now);
    if (rc != 0) {
        snprintf(why, whylen, "building the canary finding: %s", cm_strerror(rc));
        return rc;
    }
    /*
     * Its own id each run: a new finding, published at once (an update would be held). From
     * the name, the clock's ns, the pid and a stack address: two runs in one millisecond, or
     * two processes at once, get two ids.
     */
    clock_gettime(CLOCK_REALTIME, &ts);
    n = snprintf(key, sizeof(key), "%s|%lld.%09ld|%ld|%lx", env->name, (long long)ts.tv_sec,
                 ts.tv_nsec, (long)getpid(), (unsigned long)(uintptr_t)&ts);
    n = n < 0 ? 0 : (size_t)n < sizeof(key) ? n : (int)sizeof(key) - 1;
    h1 = cm_hash64(key, (size_t)n, 0x63616e617279ULL);
    h2 = cm_hash64(key, (size_t)n, 0x66696e64696eULL);
    snprintf(f->id, sizeof(f->id), "ca0a%012llx%016llx", (unsigned long long)(h1 >> 16),
             (unsigned long long)h2);
    snprintf(title, sizeof(title), "[CANARY] %.*s", (int)f->title.len, f->title.p);
    f->title.p = cm_arena_strndup(&f->arena, title, strlen(title));
    f->title.len = strlen(title);
    if (f->title.p == NULL || cm_finding_make_arn(f) != 0) {
        snprintf(why, whylen, "building the canary finding: out of memory");
        return CM_ENOMEM;
    }
    return CM_OK;
}

/* Stores f; *archived when an ARCHIVE filter took it. Returns 0 or an error (why). */
static int store(struct cm_store *st, struct cm_finding *f, char *archived_by, size_t n, char *why,
                 size_t whylen)
{
    struct cm_store_put put = {0};
    int rc;

    put.f = f;
    archived_by[0] = '\0';
    rc = cm_store_put_findings(st, &put, 1, why, whylen);
    if (rc == 0 && !put.is_new) {
        /* Not published at once (an update is held): say so rather than FAIL for no rule. */
        snprintf(why, whylen, "the canary finding's id %s was taken: run the check again", f->id);
        return CM_EEXIST;
    }
    if (rc == 0 && put.archived) {
        snprintf(archived_by, n, "%s", put.rule ? put.rule : "an ARCHIVE filter");
    }
    return rc;
}

/* Runs the bus until every owed delivery is done, one is given up, or the deadline. */
static int route(const struct cm_canary_env *env, struct watch *w, int64_t deadline_ms,
                 int64_t *elapsed, char *why, size_t whylen)
{
    struct cm_bus_opts o = {0};
    struct cm_bus_stats stats;
    int64_t start = cm_clock_now_ms();
    bool stuck = false;
    int rc;

    o.report = on_report;
    o.ud = w;
    o.secrets = env->secrets;
    for (int pass = 0;; pass++) {
        o.now_ms = cm_clock_now_ms();
        o.ignore_backoff = pass > 0; /* within the deadline a failed delivery is retried now */
        if ((rc = cm_bus_run(env->st, &o, &stats, why, whylen)) != 0 || w->nomem) {
            return rc != 0 ? rc : CM_ENOMEM;
        }
        *elapsed = cm_clock_now_ms() - start;
        if (w->n == 0 || all_done(w, &stuck) || stuck || *elapsed >= deadline_ms) {
            return CM_OK;
        }
        if (env->sleep_ms != NULL) {
            env->sleep_ms(env->ud, POLL_MS);
        } else {
            default_sleep(POLL_MS);
        }
    }
}

static void decide(const struct watch *w, const char *type, int64_t deadline_ms, int64_t elapsed,
                   const char *archived_by, struct cm_canary_result *res)
{
    size_t done = 0;
    const struct owed *bad = NULL;

    for (size_t i = 0; i < w->n; i++) {
        done += w->v[i].done;
        if (!w->v[i].done && bad == NULL) {
            bad = &w->v[i];
        }
    }
    res->status = CM_CANARY_FAIL;
    if (archived_by[0]) {
        snprintf(res->reason, sizeof(res->reason),
                 "the ARCHIVE filter %s suppresses the canary finding (%s): it was not routed",
                 archived_by, type);
    } else if (w->n == 0) {
        snprintf(res->reason, sizeof(res->reason),
                 "no enabled rule with a target matches the canary finding (%s): a real "
                 "finding like it would alert no one",
                 type);
    } else if (bad != NULL) {
        snprintf(res->reason, sizeof(res->reason),
                 "target %s of rule %s did not take the canary finding within %llds "
                 "(%u attempts): %s; %zu of %zu targets did",
                 bad->target, bad->rule, (long long)(deadline_ms / 1000), bad->attempts, bad->error,
                 done, w->n);
    } else {
        res->status = CM_CANARY_PASS;
        snprintf(res->reason, sizeof(res->reason),
                 "all %zu targets took the canary finding (%s) in %lld ms", w->n, type,
                 (long long)elapsed);
    }
}

static int observed(const struct watch *w, const struct cm_finding *f, int64_t deadline_ms,
                    int64_t elapsed, struct cm_canary_result *res)
{
    struct cm_jw jw;

    cm_jw_init(&jw, &res->observed);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "findingId");
    cm_jw_str(&jw, f->id);
    cm_jw_key(&jw, "findingType");
    cm_jw_strn(&jw, f->type.p, f->type.len);
    cm_jw_key(&jw, "deadlineSeconds");
    cm_jw_i64(&jw, deadline_ms / 1000);
    cm_jw_key(&jw, "elapsedMs");
    cm_jw_i64(&jw, elapsed);
    cm_jw_key(&jw, "targets");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < w->n; i++) {
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "rule");
        cm_jw_str(&jw, w->v[i].rule);
        cm_jw_key(&jw, "target");
        cm_jw_str(&jw, w->v[i].target);
        cm_jw_key(&jw, "delivered");
        cm_jw_bool(&jw, w->v[i].done);
        cm_jw_key(&jw, "attempts");
        cm_jw_u64(&jw, w->v[i].attempts);
        if (!w->v[i].done) {
            cm_jw_key(&jw, "error");
            cm_jw_str(&jw, w->v[i].error);
        }
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

static int run(const struct cm_canary_env *env, const struct cm_canary_val *v,
               struct cm_canary_result *res)
{
    struct cm_finding f;
    struct watch w = {0};
    int64_t deadline_ms = (int64_t)v[1].num * 1000, elapsed = 0;
    char why[512] = "", archived_by[128] = "";
    const char *ids[1];
    int rc;

    cm_finding_init(&f);
    rc = build(env, v, &f, why, sizeof(why));
    w.id = f.id;
    if (rc == 0) {
        rc = store(env->st, &f, archived_by, sizeof(archived_by), why, sizeof(why));
    }
    if (rc == 0 && archived_by[0] == '\0') {
        rc = route(env, &w, deadline_ms, &elapsed, why, sizeof(why));
    }
    if (rc == 0) {
        decide(&w, v[0].set ? v[0].str : DEFAULT_TYPE, deadline_ms, elapsed, archived_by, res);
        rc = observed(&w, &f, deadline_ms, elapsed, res);
    } else if (rc != CM_ENOMEM) {
        res->status = CM_CANARY_ERROR;
        snprintf(res->reason, sizeof(res->reason), "%s", why[0] ? why : cm_strerror(rc));
        rc = CM_OK;
    }
    if (f.id[0] != '\0' && archived_by[0] == '\0') {
        /* Out of the active findings; a delivery still owed is cancelled by the next run. */
        ids[0] = f.id;
        (void)cm_store_set_archived(env->st, ids, 1, true, why, sizeof(why));
    }
    for (size_t i = 0; i < w.n; i++) {
        free(w.v[i].rule);
        free(w.v[i].target);
    }
    free(w.v);
    cm_finding_finish(&f);
    return rc;
}

const struct cm_canary_kind cm_canary_pipeline = {
    .name = "pipeline",
    .summary = "a sample finding reaches every target of the rules it matches within a deadline",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .run = run,
};
