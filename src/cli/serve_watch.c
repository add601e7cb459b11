/*
 * The follow engine of `coalmine serve --watch` (serve_watch.h).
 */
#include "cli/serve_watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "aws/s3.h"
#include "base/hash.h"
#include "cli/cmd.h"
#include "cli/scan_s3.h"
#include "core/clock.h"
#include "finding/aggregate.h"
#include "finding/finding.h"

#define SETS_SEED 0x7365747373756dULL

static void mix_str(uint64_t *h, const char *s)
{
    *h = cm_hash64(s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 0, *h);
}

static int sum_one(void *ud, const struct cm_store_set *s)
{
    uint64_t *h = ud;
    const int64_t nums[] = {(int64_t)s->kind, s->updated_ms, (int64_t)s->content_len};

    mix_str(h, s->id);
    mix_str(h, s->name);
    mix_str(h, s->format);
    mix_str(h, s->status);
    *h = cm_hash64(nums, sizeof(nums), *h);
    if (s->content != NULL) {
        *h = cm_hash64(s->content, s->content_len, *h);
    }
    return 0;
}

int cm_serve_watch_sets_sum(struct cm_store *st, uint64_t *sum, char *err, size_t errlen)
{
    uint64_t h = SETS_SEED;
    int rc = cm_store_sets_active(st, sum_one, &h, err, errlen);

    if (rc == 0) {
        *sum = h;
    }
    return rc;
}

static int note_off(void *ud, const struct cm_store_detector *d)
{
    struct cm_serve_watch *w = ud;
    struct cm_serve_off *o;

    if (d->enabled || w->noff == CM_SERVE_MAX_OFF) {
        return 0;
    }
    o = &w->off[w->noff++];
    snprintf(o->account, sizeof(o->account), "%s", d->account);
    snprintf(o->region, sizeof(o->region), "%s", d->region);
    return 0;
}

/* The disabled detectors' (account, region) pairs, as the store has them now. */
static void read_disabled(struct cm_serve_watch *w)
{
    char err[512] = "";
    size_t before = w->noff;

    w->noff = 0;
    if (cm_store_detectors(w->e.store, NULL, NULL, NULL, 0, note_off, w, err, sizeof(err)) != 0) {
        /* Kept as they were: the last good read. */
        fprintf(stderr, "coalmine serve: %s: reading the detectors: %s\n", w->db_path, err);
        w->noff = before;
    }
}

/* Before storing: the findings of a disabled detector's account and region dropped. */
static void filter(void *ud, struct cm_scan_findings *c)
{
    struct cm_serve_watch *w = ud;
    size_t kept = 0;

    for (size_t i = 0; i < c->norder; i++) {
        const struct cm_finding *f = cm_agg_at(c->agg, c->order[i]);
        bool off = false;

        for (size_t k = 0; k < w->noff && !off; k++) {
            off = cm_str_eqc(f->account_id, w->off[k].account) &&
                  cm_str_eqc(f->region, w->off[k].region);
        }
        if (off) {
            w->dropped_disabled++;
        } else {
            c->order[kept++] = c->order[i];
        }
    }
    if (kept < c->norder && !w->quiet) {
        fprintf(stderr,
                "coalmine serve: %zu findings of disabled detectors dropped (%llu so far)\n",
                c->norder - kept, (unsigned long long)w->dropped_disabled);
    }
    c->norder = kept;
}

/* Before each poll: the disabled detectors, and the intel rebuilt when the lists changed. */
static void before_poll(void *ud)
{
    struct cm_serve_watch *w = ud;
    char err[512] = "";
    uint64_t sum;
    int rc;

    read_disabled(w);
    if (w->e.intel.no_default) {
        return; /* --no-default-intel: the store's lists are not used at all */
    }
    if (cm_serve_watch_sets_sum(w->e.store, &sum, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s: reading the lists: %s\n", w->db_path, err);
        return;
    }
    if (sum == w->sets_sum) {
        return;
    }
    rc = cm_scan_engine_reload_intel(&w->e, err, sizeof(err));
    cm_serve_status_reload(w->status, rc == 0);
    if (rc != 0) {
        /* Kept as it was; tried again at the next poll. */
        fprintf(stderr, "coalmine serve: the lists changed, the intel not reloaded: %s\n", err);
        return;
    }
    w->sets_sum = sum;
    if (!w->quiet) {
        fprintf(stderr, "coalmine serve: the store's lists changed: intel reloaded\n");
    }
}

/* After each poll: the figures, and the bus kicked when findings were stored. */
static void after_poll(void *ud, const struct cm_scan_stats *st, size_t files_read, size_t findings)
{
    struct cm_serve_watch *w = ud;

    cm_serve_status_poll(w->status, st, files_read, findings, cm_clock_now_ms());
    if (findings > 0 && w->bus != NULL) {
        cm_serve_loop_kick(w->bus);
    }
}

static void after_s3(void *ud, const struct cm_follow_s3_stats *st, uint64_t fetch_failed)
{
    struct cm_serve_watch *w = ud;

    cm_serve_status_s3(w->status, st->requests, st->list_errors, fetch_failed);
}

static void after_sqs(void *ud, const struct cm_follow_sqs_stats *st)
{
    struct cm_serve_watch *w = ud;

    cm_serve_status_sqs(w->status, st);
}

int cm_serve_watch_open(struct cm_serve_watch *w, char *err, size_t errlen)
{
    struct cm_scan_engine_store es = {w->db_path, -1, false, CM_PUBLISH_SIX_HOURS, false};
    struct cm_scan_engine *e = &w->e;
    int rc;

    cm_scan_state_option(&e->state, CM_SCAN_OPT_STATE, w->state_path);
    if ((rc = cm_scan_engine_open(e, &es, w->quiet, err, errlen)) != 0) {
        return rc;
    }
    if (!e->intel.no_default &&
        (rc = cm_serve_watch_sets_sum(e->store, &w->sets_sum, err, errlen)) != 0) {
        return rc;
    }
    if ((rc = cm_scan_s3_open(w->paths, w->npaths, w->endpoint_url, e->o.default_region, w->profile,
                              w->quiet, &w->s3, err, errlen)) != 0) {
        return rc;
    }
    e->o.s3 = w->s3;
    e->cli.out = NULL; /* stored and routed, not printed */
    e->cli.ctx.detector_id = w->detector_id;
    if (cm_scan_absolute_paths(w->paths, w->npaths, &w->abs) != 0 ||
        cm_scan_own_files(&w->own, w->state_path, w->db_path, NULL, NULL) != 0) {
        snprintf(err, errlen, "the watched paths: %s", strerror(errno ? errno : ENOMEM));
        return CM_ENOMEM;
    }
    e->o.own_files = (const char *const *)w->own.v;
    e->o.nown_files = w->own.n;
    w->follow.on = true;
    w->follow.o = &e->o;
    w->follow.cli = &e->cli;
    w->follow.state = &e->state;
    w->follow.inv = &e->inv;
    w->follow.geo = e->intel.geo;
    w->follow.store = e->store;
    w->follow.db_path = w->db_path;
    w->follow.no_route = true; /* the bus thread delivers (serve_work.h) */
    w->follow.quiet = w->quiet;
    w->follow.paths = w->abs;
    w->follow.npaths = w->npaths;
    w->follow.before_poll = before_poll;
    w->follow.filter = filter;
    w->follow.after_poll = after_poll;
    w->follow.after_s3 = after_s3;
    w->follow.after_sqs = after_sqs;
    w->follow.endpoint_url = w->endpoint_url;
    w->follow.hook_ud = w;
    return 0;
}

static void *watch_main(void *arg)
{
    struct cm_serve_watch *w = arg;

    w->rc = cm_scan_follow_run(&w->follow, &w->stop);
    atomic_store(&w->done, 1);
    return NULL;
}

int cm_serve_watch_start(struct cm_serve_watch *w)
{
    int rc;

    w->stop = 0;
    atomic_init(&w->done, 0);
    pthread_mutex_lock(&w->status->mu);
    w->status->watching = true;
    pthread_mutex_unlock(&w->status->mu);
    if ((rc = pthread_create(&w->th, NULL, watch_main, w)) == 0) {
        w->started = true;
    }
    return rc;
}

int cm_serve_watch_stop(struct cm_serve_watch *w)
{
    if (!w->started) {
        return CM_EXIT_OK;
    }
    __atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(w->th, NULL);
    w->started = false;
    return w->rc;
}

void cm_serve_watch_close(struct cm_serve_watch *w)
{
    cm_scan_engine_close(&w->e);
    cm_s3_close(w->s3);
    w->s3 = NULL;
    for (size_t i = 0; w->abs != NULL && i < w->npaths; i++) {
        cm_free(w->abs[i]);
    }
    cm_free(w->abs);
    w->abs = NULL;
    cm_scan_own_free(&w->own);
}
