/*
 * `coalmine scan --follow` (scan_follow.h): the watcher's callbacks run a scan per poll.
 */
#include "cli/scan_follow.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sqs_loc.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/map.h"
#include "base/time.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"
#include "cli/scan_metrics.h"
#include "cli/scan_report.h"
#include "core/clock.h"
#include "source/input.h"

/* The aggregator's cap and seed, as `coalmine scan` makes it. */
#define AGG_MAX  1000000
#define AGG_SEED 0x636f616c6d696e65ULL

/*
 * SIGINT and SIGTERM end the run: the handler can only set a flag, and a handler has no
 * argument to find one by, so it is this file's one static (not used when the caller
 * brings its own flag: the service).
 */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int cm_scan_follow_option(struct cm_scan_follow *f, int opt, const char *arg, char *err,
                          size_t errlen)
{
    const char *name = opt == CM_SCAN_OPT_POLL_INTERVAL ? "--poll-interval"
                       : opt == CM_SCAN_OPT_SETTLE      ? "--settle"
                                                        : "--checkpoint-interval";
    double v, min = opt == CM_SCAN_OPT_SETTLE ? 0.0 : 0.01;
    char *end;

    if (opt == CM_SCAN_OPT_FOLLOW) {
        f->on = true;
        return 0;
    }
    errno = 0;
    v = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !isfinite(v) || v < min || v > 86400.0) {
        snprintf(err, errlen, "%s wants seconds from %g to 86400, not '%s'", name, min, arg);
        return -1;
    }
    if (opt == CM_SCAN_OPT_POLL_INTERVAL) {
        f->poll_s = v;
    } else if (opt == CM_SCAN_OPT_SETTLE) {
        f->settle_s = v;
    } else {
        f->checkpoint_s = v;
    }
    return 0;
}

int cm_scan_follow_check(const struct cm_scan_follow *f, bool opt_given, bool final, bool stats,
                         char *const *paths, size_t npaths)
{
    if (opt_given && !f->on) {
        fprintf(stderr, "coalmine scan: --poll-interval, --settle and --checkpoint-interval "
                        "need --follow\n");
        return -1;
    }
    if (f->on && (final || stats)) {
        fprintf(stderr, "coalmine scan: --follow runs until stopped: no --final (without "
                        "--state windows close when it stops) nor --stats (use --metrics, "
                        "rewritten after each poll that reads)\n");
        return -1;
    }
    for (size_t i = 0; f->on && i < npaths; i++) {
        if (strcmp(paths[i], "-") == 0) {
            fprintf(stderr, "coalmine scan: --follow watches files and directories, not "
                            "standard input\n");
            return -1;
        }
    }
    return 0;
}

/* Fresh findings for a run: the last run's were stored, printed and routed. */
static int reset_findings(struct cm_scan_findings *c)
{
    cm_agg_destroy(c->agg);
    c->agg = NULL;
    cm_free(c->puts);
    c->puts = NULL;
    cm_free(c->order);
    c->order = NULL;
    c->norder = 0;
    return cm_agg_create(&c->agg, AGG_MAX, AGG_SEED);
}

/* The run's metrics (--metrics), when a run read something or failed. */
static int write_metrics(struct cm_scan_follow *f, const struct cm_scan_stats *st, bool ok,
                         const struct cm_cli_routing *routed, int64_t begun_ms)
{
    struct cm_scan_findings *c = f->cli;
    struct cm_scan_report_extra x = {0};
    bool *archived = NULL;
    int rc;

    if (f->metrics_path == NULL) {
        return CM_EXIT_OK;
    }
    if (ok && c->puts != NULL) {
        archived = cm_calloc(c->norder ? c->norder : 1, sizeof(*archived));
        for (size_t i = 0; archived != NULL && i < c->norder; i++) {
            archived[i] = c->puts[i].archived;
        }
    }
    x.unbuildable = c->unbuildable;
    x.no_region = c->noregion;
    x.no_account = c->noaccount;
    x.over_cap = c->agg != NULL ? cm_agg_stats(c->agg)->dropped : 0;
    x.trusted = c->trusted + st->trusted;
    x.inv = f->inv;
    struct cm_scan_metrics m = {
        .ok = ok,
        .end_ms = cm_clock_now_ms(),
        .st = ok ? st : NULL,
        .x = &x,
        .agg = c->agg,
        .order = c->order,
        .norder = c->norder,
        .archived = archived,
        .routed = routed,
    };
    m.seconds = (double)(m.end_ms - begun_ms) / 1e3;
    rc = cm_scan_metrics_write(&m, f->metrics_path);
    cm_free(archived);
    return rc;
}

/*
 * One scan of paths[0..n) with the carried state: its findings named, enriched, stored,
 * printed and routed, the run recorded in the store. flush: every window closes at the end
 * (the last run of a follow without --state). Fills st (the caller frees it). Returns
 * CM_EXIT_OK or CM_EXIT_ERROR (said on stderr).
 */
static int run_once(struct cm_scan_follow *f, char **paths, size_t n, bool flush,
                    struct cm_scan_stats *st)
{
    struct cm_scan_findings *c = f->cli;
    struct cm_sink sink = {cm_scan_findings_emit, c};
    struct cm_engine_hooks closing = f->state->hooks;
    const struct cm_engine_hooks *keep = f->o->state;
    struct cm_cli_routing routed;
    bool routed_ok = false;
    int64_t started_ms = cm_clock_now_ms();
    char err[512] = "";
    int rc = CM_EXIT_ERROR, src;

    memset(&routed, 0, sizeof(routed));
    if (reset_findings(c) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        memset(st, 0, sizeof(*st));
        return CM_EXIT_ERROR;
    }
    if (flush) {
        closing.save = NULL; /* cm_engine_flush: every window closes */
        f->o->state = &closing;
    }
    src = cm_scan_run(f->o, paths, n, &sink, st, err, sizeof(err));
    f->o->state = keep;
    if (src != 0) {
        fprintf(stderr, "coalmine scan: %s\n",
                f->state->sf.err[0] ? f->state->sf.err
                : err[0]            ? err
                                    : "scan failed");
        goto out;
    }
    st->findings = cm_agg_stats(c->agg)->findings;
    c->order = cm_calloc(st->findings ? st->findings : 1, sizeof(*c->order));
    if (c->order == NULL || cm_agg_order(c->agg, c->order) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        goto out;
    }
    cm_scan_findings_name_evidence(c, st);
    c->norder = st->findings;
    if (cm_scan_inventory_enrich(f->inv, c->agg, c->order, &c->norder) != 0 ||
        cm_scan_findings_geo_enrich(c, f->geo) != 0 || cm_agg_link_sequences(c->agg) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        goto out;
    }
    if (f->filter != NULL) {
        f->filter(f->hook_ud, c);
    }
    st->findings = c->norder;
    if (f->store != NULL && cm_scan_findings_store(c, f->store, 1, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s: %s\n", f->db_path, err);
        goto out;
    }
    for (size_t i = 0; c->puts != NULL && i < c->norder; i++) {
        f->findings_new += c->puts[i].is_new;
        f->findings_updated += !c->puts[i].is_new && c->puts[i].changed;
    }
    if (cm_scan_findings_print(c, f->store, f->state->path != NULL) != CM_EXIT_OK) {
        goto out;
    }
    rc = CM_EXIT_OK;
    if (f->store != NULL && !f->no_route) {
        fflush(stdout);
        rc = cm_cli_bus_run("scan", f->store, f->cfg, false, f->quiet, &routed);
        routed_ok = rc == CM_EXIT_OK;
    }
    if (f->store != NULL && n + f->o->ns3_listed > 0) {
        int64_t id;

        if (cm_store_add_scan(f->store, st, started_ms, &id, err, sizeof(err)) != 0 ||
            cm_store_expire(f->store, started_ms, NULL, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine scan: %s: %s\n", f->db_path, err);
            rc = CM_EXIT_ERROR;
        }
    }
out:
    if ((n + f->o->ns3_listed > 0 || flush) &&
        write_metrics(f, st, rc == CM_EXIT_OK, routed_ok ? &routed : NULL, started_ms) !=
            CM_EXIT_OK) {
        rc = CM_EXIT_ERROR;
    }
    cm_cli_routing_finish(&routed);
    fflush(stdout);
    return rc;
}

/* The verdict of each file handed over, from what the scan made of it. */
static int verdicts(const struct cm_scan_stats *st, const struct cm_follow_file *files, size_t n,
                    struct cm_follow_verdict *v)
{
    struct cm_map *at;
    int rc = cm_map_create(&at, sizeof(size_t), 0, 0x76657264ULL);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t *k;

        if ((rc = cm_map_put(at, files[i].path, strlen(files[i].path), (void **)&k, NULL)) == 0) {
            *k = i;
        }
    }
    for (size_t i = 0; rc == 0 && i < st->ninputs; i++) {
        const struct cm_scan_input *in = &st->inputs[i];
        const size_t *k = in->path ? cm_map_get(at, in->path, strlen(in->path)) : NULL;

        if (k == NULL) {
            continue;
        }
        /* A gzip being written, a plain log's unfinished last line held back, or an object
         * whose GET failed: again, later (a file once it has not changed for
         * CM_SCAN_SETTLE_S, if it does not change before). */
        v[*k].what = in->in_progress || in->held_tail || in->fetch_failed ? CM_FOLLOW_AGAIN
                                                                          : CM_FOLLOW_TAKEN;
        v[*k].has_id = v[*k].what == CM_FOLLOW_TAKEN && in->id_state != CM_SCAN_ID_NONE;
        v[*k].id = in->id;
    }
    cm_map_destroy(at);
    return rc;
}

/*
 * What became of the objects of watched queues (core/follow_sqs.h): read (or left out as read
 * before), gone (its GET found no such object, or another one since), or not read.
 */
static void sqs_outcomes(struct cm_scan_follow *f, const struct cm_scan_stats *st,
                         const struct cm_follow_file *files, size_t n,
                         const struct cm_follow_verdict *v)
{
    for (size_t i = 0; i < n; i++) {
        if (files[i].tag != NULL && v[i].what == CM_FOLLOW_TAKEN) {
            cm_follow_sqs_outcome(f->sqsw, files[i].path, CM_FOLLOW_SQS_READ, NULL);
        }
    }
    for (size_t i = 0; i < st->ninputs; i++) {
        const struct cm_scan_input *in = &st->inputs[i];

        if (in->fetch_failed && in->path != NULL) {
            cm_follow_sqs_outcome(
                f->sqsw, in->path, in->gone ? CM_FOLLOW_SQS_GONE : CM_FOLLOW_SQS_FAILED,
                in->gone ? "no longer there (deleted or rewritten)" : "its GET failed");
        }
    }
}

/* A poll's files: one scan, the state carried to the next. */
static int on_batch(void *ud, const struct cm_follow_file *files, size_t n,
                    struct cm_follow_verdict *v)
{
    struct cm_scan_follow *f = ud;
    struct cm_scan_stats st;
    char **paths = cm_calloc(n ? n : 1, sizeof(*paths));
    struct cm_input_listed *listed = cm_calloc(n ? n : 1, sizeof(*listed));
    char err[512] = "";
    size_t deferred = 0, nread = 0, before = 0, failed = 0, npaths = 0, nlisted = 0;
    int rc = CM_EIO, once;

    memset(&st, 0, sizeof(st));
    if (paths == NULL || listed == NULL) {
        cm_free(paths);
        cm_free(listed);
        return CM_ENOMEM;
    }
    /* Files by path; objects of a watched S3 location as listed (no LIST of their own). */
    for (size_t i = 0; i < n; i++) {
        if (files[i].tag != NULL) {
            listed[nlisted++] =
                (struct cm_input_listed){files[i].path, files[i].size, files[i].tag};
        } else {
            paths[npaths++] = (char *)(uintptr_t)files[i].path;
        }
    }
    if (f->before_poll != NULL) {
        f->before_poll(f->hook_ud);
    }
    f->o->s3_listed = listed;
    f->o->ns3_listed = nlisted;
    once = run_once(f, paths, npaths, false, &st);
    f->o->s3_listed = NULL;
    f->o->ns3_listed = 0;
    if (once != CM_EXIT_OK) {
        f->batch_said = true; /* run_once said why: the full disk, not "reading the files" */
        goto out;
    }
    if (verdicts(&st, files, n, v) != 0) {
        rc = CM_ENOMEM;
        goto out;
    }
    if (cm_scan_state_carry(f->state, &st, false, f->o, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s\n", err);
        f->batch_said = true;
        goto out;
    }
    if (f->sqsw != NULL) {
        sqs_outcomes(f, &st, files, n, v);
    }
    for (size_t i = 0; i < n; i++) {
        deferred += v[i].what == CM_FOLLOW_AGAIN;
    }
    for (size_t i = 0; i < st.ninputs; i++) {
        nread += st.inputs[i].id_state == CM_SCAN_ID_READ;
        before += st.inputs[i].id_state == CM_SCAN_ID_BEFORE;
        failed += st.inputs[i].fetch_failed;
    }
    deferred -= failed < deferred ? failed : deferred;
    f->fetch_failed += failed;
    f->dirty |= n > deferred + failed;
    if (n > deferred + failed) {
        f->polls_read++;
        f->files_read += nread;
    }
    if (f->after_poll != NULL) {
        f->after_poll(f->hook_ud, &st, nread, f->cli->norder);
    }
    if (!f->quiet) {
        char when[40] = "";

        cm_time_format_iso_s(cm_clock_now_ms(), when, sizeof(when));
        fprintf(stderr, "follow: %s: %zu file%s read", when, nread, nread == 1 ? "" : "s");
        if (before > 0) {
            fprintf(stderr, ", %zu left out (read before this run)", before);
        }
        if (deferred > 0) {
            fprintf(stderr, ", %zu still being written (read once complete)", deferred);
        }
        if (failed > 0) {
            fprintf(stderr, ", %zu not fetched (read again at a later poll)", failed);
        }
        if (f->store != NULL) {
            fprintf(stderr, "; %zu findings (%llu new, %llu updated so far)\n", f->cli->norder,
                    (unsigned long long)f->findings_new, (unsigned long long)f->findings_updated);
        } else {
            fprintf(stderr, "; %zu findings\n", f->cli->norder);
        }
        if (n > deferred) {
            cm_scan_summary(&st);
            cm_scan_findings_dropped_summary(f->cli);
        }
    }
    rc = 0;
out:
    cm_scan_stats_free(&st);
    cm_free(paths);
    cm_free(listed);
    return rc;
}

static int remember(void *ud, const char *path, size_t pathlen, uint64_t size,
                    const struct cm_file_id *id)
{
    struct cm_scan_follow *f = ud;

    return cm_scan_state_renew(f->state, path, pathlen, size, id, f->noted_day);
}

/*
 * Writes the state to --state FILE: the engines saved by a run of no input, the files
 * still there and read remembered as seen today (so a restart months later still leaves
 * them out), then carried on in memory. Returns CM_EXIT_OK or CM_EXIT_ERROR.
 */
static int checkpoint(struct cm_scan_follow *f, const struct cm_follow *w)
{
    struct cm_scan_stats st;
    char err[512] = "";
    int rc = CM_EXIT_ERROR;

    if (f->state->path == NULL) {
        return CM_EXIT_OK;
    }
    if (w != NULL) {
        f->noted_day = cm_scan_state_today();
        if (cm_follow_each_read(w, remember, f) != 0) {
            fprintf(stderr, "coalmine scan: --state %s: out of memory\n", f->state->path);
            return CM_EXIT_ERROR;
        }
    }
    if (run_once(f, NULL, 0, false, &st) == CM_EXIT_OK &&
        cm_scan_state_carry(f->state, &st, true, f->o, err, sizeof(err)) == 0) {
        rc = CM_EXIT_OK;
        f->dirty = false;
        f->last_ckpt_ms = cm_clock_mono_ms();
    } else if (err[0]) {
        fprintf(stderr, "coalmine scan: %s\n", err);
    }
    cm_scan_stats_free(&st);
    return rc;
}

static int on_tick(void *ud, const struct cm_follow *w, size_t files)
{
    struct cm_scan_follow *f = ud;

    (void)files;
    if (f->s3w != NULL) {
        if (f->after_s3 != NULL) {
            f->after_s3(f->hook_ud, cm_follow_s3_stats(f->s3w), f->fetch_failed);
        }
        cm_follow_s3_poll_done(f->s3w);
    }
    /* A queue's messages are deleted once what they name is stored and the state written. */
    if (f->sqsw != NULL && cm_follow_sqs_pending(f->sqsw)) {
        if (f->dirty && checkpoint(f, w) != CM_EXIT_OK) {
            return CM_EIO;
        }
        if (cm_follow_sqs_commit(f->sqsw) != 0) {
            return CM_ENOMEM;
        }
    }
    if (f->sqsw != NULL && f->after_sqs != NULL) {
        f->after_sqs(f->hook_ud, cm_follow_sqs_stats(f->sqsw));
    }
    /*
     * Also once a day when nothing was read: the files still there are noted as seen
     * today. Without it a follow idle for CM_FILESEEN_DAYS forgot every file it had read
     * at its next checkpoint (the one at its stop), and its restart read them all again.
     */
    if (((f->dirty &&
          cm_clock_mono_ms() - f->last_ckpt_ms >= (int64_t)(f->checkpoint_s * 1000.0)) ||
         (f->state->path != NULL && cm_scan_state_today() != f->noted_day)) &&
        checkpoint(f, w) != CM_EXIT_OK) {
        return CM_EIO;
    }
    return 0;
}

/* The follow's lister: S3 locations and SQS queues. */
static int list_any(void *ud, const char *path, int64_t now_ms, cm_follow_found_fn found, void *fud,
                    bool *whole)
{
    struct cm_scan_follow *f = ud;

    if (cm_sqs_loc_is(path) && f->sqsw != NULL) {
        return cm_follow_sqs_list(f->sqsw, path, now_ms, found, fud, whole);
    }
    if (strncmp(path, "s3://", 5) == 0 && f->s3w != NULL) {
        return cm_follow_s3_list(f->s3w, path, now_ms, found, fud, whole);
    }
    return CM_EINVAL;
}

int cm_scan_follow_run(struct cm_scan_follow *f, volatile sig_atomic_t *stop)
{
    struct cm_follow_opts fo;
    struct sigaction sa, old_int, old_term, old_hup;
    char err[512] = "";
    int rc = CM_EXIT_OK, frc;

    if (stop == NULL) {
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        g_stop = 0;
        (void)sigaction(SIGINT, &sa, &old_int);
        (void)sigaction(SIGTERM, &sa, &old_term);
        /* A hangup (the terminal or ssh session gone) stops it as SIGTERM does, state
         * written; under nohup (SIGHUP ignored) it stays ignored. */
        (void)sigaction(SIGHUP, NULL, &old_hup);
        if (old_hup.sa_handler != SIG_IGN) {
            (void)sigaction(SIGHUP, &sa, NULL);
        }
        stop = &g_stop;
    }
    memset(&fo, 0, sizeof(fo));
    fo.paths = f->paths;
    fo.npaths = f->npaths;
    fo.poll_ms = (int64_t)(f->poll_s * 1000.0);
    fo.settle_ms = (int64_t)(f->settle_s * 1000.0);
    fo.retry_ms = (int64_t)CM_SCAN_SETTLE_S * 1000;
    fo.batch = on_batch;
    fo.tick = on_tick;
    fo.ud = f;
    fo.quiet = f->quiet != 0;
    fo.ignore = f->o->own_files; /* its state, store and metrics, kept in a watched folder */
    fo.nignore = f->o->nown_files;
    for (size_t i = 0; i < f->npaths && f->s3w == NULL && f->o->s3 != NULL; i++) {
        struct cm_follow_s3_opts so = {f->o->s3, fo.poll_ms, 0, f->s3_full, f->quiet != 0};

        if (strncmp(f->paths[i], "s3://", 5) == 0 && cm_follow_s3_create(&f->s3w, &so) != 0) {
            fprintf(stderr, "coalmine scan: out of memory\n");
            rc = CM_EXIT_ERROR;
            goto restore;
        }
    }
    for (size_t i = 0; i < f->npaths && f->sqsw == NULL && f->o->s3 != NULL; i++) {
        struct cm_follow_sqs_opts qo = {f->o->s3, f->endpoint_url, fo.poll_ms, f->quiet != 0,
                                        false};

        if (cm_sqs_loc_is(f->paths[i]) &&
            cm_follow_sqs_create(&f->sqsw, &qo, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine scan: %s\n", err);
            rc = CM_EXIT_ERROR;
            goto restore;
        }
    }
    fo.list = f->s3w != NULL || f->sqsw != NULL ? list_any : NULL;
    fo.list_ud = f;
    f->last_ckpt_ms = cm_clock_mono_ms();
    f->noted_day = cm_scan_state_today(); /* the first poll's files are noted by its own scan */
    f->o->defer_in_progress = true;
    if (!f->quiet) {
        fprintf(stderr,
                "follow: watching %zu path%s every %g s (settle %g s); state: %s; "
                "SIGINT or SIGTERM stops\n",
                f->npaths, f->npaths == 1 ? "" : "s", f->poll_s, f->settle_s,
                f->state->path != NULL ? f->state->path : "in memory only");
    }
    frc = cm_follow_run(&fo, stop, &f->fst, err, sizeof(err));
    if (frc != 0) {
        if (err[0] && !f->batch_said) {
            fprintf(stderr, "coalmine scan: %s\n", err);
        }
        rc = CM_EXIT_ERROR;
    }
    /*
     * Shutdown: with --state, the state written with its windows open (not after a failed
     * run: the file keeps the last good checkpoint), as `scan --state` without --final
     * leaves it: the next run closes them and reports what they hold. Closing them here
     * too would report them twice: a window's finding counts what the window held, and
     * the store cannot tell the events of its first report from those of the second.
     * Without --state, every window closes and reports what it holds, as a batch scan ends.
     */
    if (rc == CM_EXIT_OK && f->state->path != NULL) {
        rc = checkpoint(f, NULL);
    } else if (rc == CM_EXIT_OK) {
        struct cm_scan_stats st;

        rc = run_once(f, NULL, 0, true, &st);
        cm_scan_stats_free(&st);
    }
    if (!f->quiet) {
        fprintf(stderr, "follow: stopped after %llu polls: %llu files read in %llu of them",
                (unsigned long long)f->fst.polls, (unsigned long long)f->files_read,
                (unsigned long long)f->polls_read);
        if (f->store != NULL) {
            fprintf(stderr, "; findings %llu new, %llu updated",
                    (unsigned long long)f->findings_new, (unsigned long long)f->findings_updated);
        }
        fprintf(stderr, "%s%s\n",
                f->state->path != NULL && rc == CM_EXIT_OK ? "; state written to " : "",
                f->state->path != NULL && rc == CM_EXIT_OK ? f->state->path : "");
        if (f->s3w != NULL) {
            const struct cm_follow_s3_stats *ss = cm_follow_s3_stats(f->s3w);

            fprintf(stderr,
                    "follow: S3: %llu LIST requests, %llu failed listings, %llu objects not "
                    "fetched at first, %llu dated streams\n",
                    (unsigned long long)ss->requests, (unsigned long long)ss->list_errors,
                    (unsigned long long)f->fetch_failed, (unsigned long long)ss->streams);
        }
    }
    if (f->sqsw != NULL && !f->quiet) {
        const struct cm_follow_sqs_stats *qs = cm_follow_sqs_stats(f->sqsw);

        fprintf(stderr,
                "follow: SQS: %llu messages received, %llu deleted, %llu not parsed (left in the "
                "queue), %llu test messages; objects: %llu notified, %llu read, %llu gone, %llu "
                "not read (message left in the queue), %llu not under the prefix or no logs; "
                "%llu requests, %llu failed\n",
                (unsigned long long)qs->received, (unsigned long long)qs->deleted,
                (unsigned long long)qs->failed, (unsigned long long)qs->tests,
                (unsigned long long)qs->objects, (unsigned long long)qs->objects_read,
                (unsigned long long)qs->objects_gone, (unsigned long long)qs->objects_failed,
                (unsigned long long)qs->filtered, (unsigned long long)qs->requests,
                (unsigned long long)qs->errors);
    }
    cm_follow_s3_destroy(f->s3w);
    f->s3w = NULL;
    cm_follow_sqs_destroy(f->sqsw);
    f->sqsw = NULL;
restore:
    if (stop == &g_stop) {
        (void)sigaction(SIGINT, &old_int, NULL);
        (void)sigaction(SIGTERM, &old_term, NULL);
        (void)sigaction(SIGHUP, &old_hup, NULL);
    }
    return rc;
}
