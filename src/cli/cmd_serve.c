/*
 * coalmine serve: the service mode (DESIGN.md §1/§6; docs/serve.md). This file
 * holds the service's life (its command line is serve_args.c, its state serve.h):
 * struct cm_serve is built by
 * steps (serve_configure: options, config, credentials; serve_open: the store,
 * the default detector and, with --watch, the follow engine; serve_start: the
 * bus and canary threads, the HTTP API, then the follow engine's thread), waits
 * for SIGINT or SIGTERM, and is taken down by serve_stop() in the reverse order:
 * the follow engine first (its poll finishes, its state is written), then the
 * HTTP server (requests under way finish), the canaries, the bus (one last
 * delivery run: what the engine and PutEvents stored last). A second signal while stopping exits at
 * once. Each thread has its own store connection (docs/internals/serve.md).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/api.h"
#include "api/api_creds.h"
#include "api/api_detector.h"
#include "api/api_http.h"
#include "api/api_target_guard.h"
#include "base/alloc.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/findings_out.h"
#include "cli/scan_engine.h"
#include "cli/bus_cli.h"
#include "cli/serve.h"
#include "cli/serve_loop.h"
#include "cli/serve_status.h"
#include "cli/scan_s3.h"
#include "cli/serve_watch.h"
#include "cli/serve_work.h"
#include "core/clock.h"
#include "canary/canary.h"
#include "core/config.h"
#include "event/event.h"
#include "store/store.h"

#define MAX_CRED_FILE (1u << 20)
#define GRACE_MS      5000
#define CANARY_S      15 /* seconds between canary ticks (serve.canary_interval) */
#define BUS_S         5  /* seconds between bus runs when not kicked (serve.bus_interval) */

static int read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        return -1;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    n = fread(buf, 1, max + 1, f);
    if (ferror(f) || n > max) {
        free(buf);
        fclose(f);
        errno = n > max ? EFBIG : EIO;
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The follow engine's settings: the command line's over serve.* of the config. */
static int configure_watch(struct cm_serve *s)
{
    const struct cm_config_serve *cs = &s->cfg->serve;
    struct cm_scan_follow *f = &s->watch.follow;
    const char *state = s->o.state != NULL ? s->o.state : cs->state;

    for (size_t i = 0; s->o.nwatch == 0 && i < cs->watch.n && i < MAX_WATCH; i++) {
        s->o.watch[s->o.nwatch++] = cs->watch.v[i];
    }
    s->watching = s->o.nwatch > 0;
    if (!s->watching && (s->o.engine_opt || s->o.follow_opt || s->o.state != NULL)) {
        fprintf(stderr, "coalmine serve: the engine's options (intel lists, detectors, "
                        "--state, --poll-interval, ...) need --watch PATH (or serve.watch)\n");
        return CM_EXIT_USAGE;
    }
    /* The command line's intervals were set by cm_serve_args(); the file's fill the rest. */
    if (!s->o.follow_opt || f->poll_s == CM_FOLLOW_POLL_S) {
        f->poll_s = cs->poll_interval > 0 ? cs->poll_interval : f->poll_s;
    }
    if (cs->settle >= 0 && f->settle_s == CM_FOLLOW_SETTLE_S) {
        f->settle_s = cs->settle;
    }
    if (cs->checkpoint_interval > 0 && f->checkpoint_s == CM_FOLLOW_CHECKPOINT_S) {
        f->checkpoint_s = cs->checkpoint_interval;
    }
    if (s->o.canary_s == 0) {
        s->o.canary_s = cs->canary_interval > 0 ? cs->canary_interval : CANARY_S;
    }
    if (s->o.bus_s == 0) {
        s->o.bus_s = cs->bus_interval > 0 ? cs->bus_interval : BUS_S;
    }
    if (cm_scan_s3_check(s->o.watch, s->o.nwatch, true, s->watch.endpoint_url, s->watch.profile) !=
        0) {
        return CM_EXIT_USAGE; /* a malformed s3:// location, or --endpoint-url without one */
    }
    if (!s->watching) {
        return CM_EXIT_OK;
    }
    if (state == NULL) {
        size_t n = strlen(s->o.db) + sizeof(".state");

        if ((s->state_path = cm_malloc(n)) == NULL) {
            fprintf(stderr, "coalmine serve: out of memory\n");
            return CM_EXIT_ERROR;
        }
        snprintf(s->state_path, n, "%s.state", s->o.db);
        state = s->state_path;
    }
    s->watch.paths = s->o.watch;
    s->watch.npaths = s->o.nwatch;
    s->watch.db_path = s->o.db;
    s->watch.state_path = state;
    s->watch.quiet = s->o.quiet;
    return CM_EXIT_OK;
}

/* The options, the config and the credentials. Returns CM_EXIT_*. */
static int serve_configure(struct cm_serve *s)
{
    char err[512];
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (s->o.config != NULL) {
        const char *db = s->o.db, *freq = NULL;
        int retention = -1;
        struct cm_scan_cli_set set = {&db, &retention, &freq};

        /* The engine's settings (intel, detectors, inventory) and the API's, loaded once. */
        if (cm_scan_engine_config(&s->watch.e, s->o.config, &set, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine serve: %s\n", err);
            return CM_EXIT_ERROR;
        }
        s->retention_days = retention; /* the store's settings, saved in it at the start */
        s->publish_freq = freq;
    }
    if (s->o.db == NULL) {
        s->o.db = s->cfg->store.db;
    }
    if (s->o.db == NULL) {
        fprintf(stderr, "coalmine serve: no store: give --db FILE or store.db in --config\n");
        return CM_EXIT_USAGE;
    }
    if (s->o.account == NULL) {
        s->o.account = s->cfg->api.account ? s->cfg->api.account : DEFAULT_ACCOUNT;
    }
    if (s->o.region == NULL) {
        s->o.region = s->cfg->api.region ? s->cfg->api.region : DEFAULT_REGION;
    }
    if (s->o.listen == NULL) {
        s->o.listen = s->cfg->api.listen ? s->cfg->api.listen : CM_API_DEFAULT_LISTEN;
    }
    if (!cm_account_id_ok(cm_str_cstr(s->o.account))) {
        fprintf(stderr, "coalmine serve: --account '%s': an account id is 12 digits\n",
                s->o.account);
        return CM_EXIT_USAGE;
    }
    if (!cm_region_shape_ok(cm_str_cstr(s->o.region))) {
        fprintf(stderr, "coalmine serve: --region '%s': not a region name (like us-east-1)\n",
                s->o.region);
        return CM_EXIT_USAGE;
    }
    for (size_t i = 0; i < s->cfg->api.ncredentials; i++) {
        if (cm_api_creds_add(&s->creds, s->cfg->api.credentials[i].access_key_id,
                             s->cfg->api.credentials[i].secret_access_key, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine serve: %s: api.credentials[%zu]: %s\n", s->o.config, i, err);
            return CM_EXIT_ERROR;
        }
    }
    if (s->o.credentials != NULL) {
        if (read_file(s->o.credentials, MAX_CRED_FILE, &buf, &len) != 0) {
            fprintf(stderr, "coalmine serve: --credentials %s: %s\n", s->o.credentials,
                    strerror(errno));
            return CM_EXIT_ERROR;
        }
        rc = cm_api_creds_parse(&s->creds, buf, len, err, sizeof(err));
        memset(buf, 0, len);
        free(buf);
        if (rc != 0) {
            fprintf(stderr, "coalmine serve: --credentials %s:%s\n", s->o.credentials, err);
            return CM_EXIT_ERROR;
        }
    }
    return configure_watch(s);
}

/* The config's canaries.checks into the store (docs/canaries.md). Returns 0 or -1 (said). */
static int serve_canaries(struct cm_serve *s)
{
    struct cm_store_reconciled r;
    char err[1024];

    if (cm_canary_reconcile(s->store, &s->cfg->canaries, s->o.config, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s\n", err);
        return -1;
    }
    if (!s->o.quiet && r.created + r.updated + r.removed > 0) {
        fprintf(stderr, "coalmine serve: %s: canary checks: %u created, %u updated, %u removed\n",
                s->o.config, r.created, r.updated, r.removed);
    }
    return 0;
}

/* PutEvents stored an event: the bus thread makes its first attempt (api.h). */
static void wake_bus(void *ud)
{
    cm_serve_loop_kick(ud);
}

/* The config's store.retention_days and store.finding_publishing_frequency, saved in the
 * store as `scan --config` saves them. Returns 0 or -1 (said on stderr). */
static int serve_store_settings(struct cm_serve *s)
{
    enum cm_publish_freq f = CM_PUBLISH_SIX_HOURS;
    char err[512];
    int rc = 0;

    if (s->publish_freq != NULL && cm_publish_freq_parse(s->publish_freq, &f) != 0) {
        snprintf(err, sizeof(err), "store.finding_publishing_frequency: '%s' is not one",
                 s->publish_freq);
        rc = -1;
    }
    if (rc == 0 && s->retention_days >= 0) {
        rc = cm_store_set_retention(s->store, s->retention_days, err, sizeof(err));
    }
    if (rc == 0 && s->publish_freq != NULL) {
        rc = cm_store_set_publish_freq(s->store, f, err, sizeof(err));
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine serve: %s: %s\n", s->o.db, err);
        return -1;
    }
    return 0;
}

/* The store, and the default detector. */
static int serve_open(struct cm_serve *s)
{
    char err[512];

    if (cm_store_open(&s->store, s->o.db, CM_STORE_CREATE, err, sizeof(err)) != 0) {
        /* The store's message starts with the path. */
        fprintf(stderr, "coalmine serve: %s\n", err);
        return CM_EXIT_ERROR;
    }
    if (serve_store_settings(s) != 0) {
        return CM_EXIT_ERROR;
    }
    {
        const struct cm_config_api_targets *t = &s->cfg->api.targets;
        if (cm_cli_secrets(s->cfg, &s->secrets) != 0) {
            fprintf(stderr, "coalmine serve: out of memory\n");
            return CM_EXIT_ERROR;
        }
        s->targets =
            (struct cm_api_target_policy){t->exec_allow.v,  t->exec_allow.n,    t->file_dirs.v,
                                          t->file_dirs.n,   t->webhook_allow.v, t->webhook_allow.n,
                                          t->kafka_allow.v, t->kafka_allow.n,   &s->secrets};
    }
    s->ctx =
        (struct cm_api_ctx){s->store, s->o.account, s->o.region, &s->targets, wake_bus, &s->bus};
    if (cm_api_detector_ensure(&s->ctx, CM_DEFAULT_DETECTOR_ID, cm_clock_now_ms(), s->detector,
                               sizeof(s->detector), err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s: creating the detector: %s\n", s->o.db, err);
        return CM_EXIT_ERROR;
    }
    if (s->o.config != NULL && serve_canaries(s) != 0) {
        return CM_EXIT_ERROR; /* a bad check in the file, as any error of --config */
    }
    if (s->watching) {
        s->watch.detector_id = s->detector;
        s->watch.status = &s->status;
        s->watch.bus = &s->bus;
        if (cm_serve_watch_open(&s->watch, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine serve: %s\n", err);
            return CM_EXIT_ERROR;
        }
    }
    return CM_EXIT_OK;
}

/* A periodic thread (the bus, the canaries) with its own store connection. */
static int start_loop(struct cm_serve *s, struct cm_serve_loop *l, struct cm_serve_work *w,
                      void (*run)(void *), double interval_s, bool run_at_stop)
{
    char err[512];
    int rc;

    w->db_path = s->o.db;
    w->quiet = s->o.quiet != 0;
    w->status = &s->status;
    w->account = s->o.account; /* what Scheduled Events carry */
    w->region = s->o.region;
    w->cfg = s->cfg;
    w->secrets = &s->secrets;
    if (cm_store_open(&w->store, s->o.db, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s\n", err);
        return CM_EXIT_ERROR;
    }
    l->interval_ms = (int64_t)(interval_s * 1000.0);
    l->run = run;
    l->ud = w;
    l->run_at_stop = run_at_stop;
    if ((rc = cm_serve_loop_start(l)) != 0) {
        fprintf(stderr, "coalmine serve: starting a thread: %s\n", strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

static int write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        return -1;
    }
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        return -1;
    }
    return 0;
}

/* The HTTP API. From here the server's thread owns s->ctx until serve_stop. */
static int serve_start(struct cm_serve *s)
{
    struct cm_api_http_opts ho = {
        .listen = s->o.listen,
        .creds = s->creds.v,
        .ncreds = s->creds.n,
        .log_requests = s->o.log_requests,
        .ctx = &s->ctx,
        .metrics_more = cm_serve_status_metrics,
        .metrics_ud = &s->status,
    };
    char err[512], host[80];
    const char *colon;
    unsigned port;
    int rc;

    /* libcurl once for the process before any thread uses it (webhooks, feeds, S3). */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coalmine serve: libcurl could not be initialised\n");
        return CM_EXIT_ERROR;
    }
    s->curl = true;
    /* The bus before the API: PutEvents wakes it (api.h wake_bus) from the first request. */
    if ((rc = start_loop(s, &s->bus, &s->bus_work, cm_serve_bus_run, s->o.bus_s, true)) != 0 ||
        (rc = start_loop(s, &s->canary, &s->canary_work, cm_serve_canary_run, s->o.canary_s,
                         false)) != 0) {
        return rc;
    }
    rc = cm_api_http_start(&s->http, &ho, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "coalmine serve: %s\n", err);
        return rc == CM_EINVAL ? CM_EXIT_USAGE : CM_EXIT_ERROR;
    }
    port = cm_api_http_port(s->http);
    colon = strrchr(s->o.listen, ':');
    snprintf(host, sizeof(host), "%.*s", (int)(colon - s->o.listen), s->o.listen);
    if (s->o.port_file != NULL && write_port_file(s->o.port_file, port) != 0) {
        fprintf(stderr, "coalmine serve: --port-file %s: %s\n", s->o.port_file, strerror(errno));
        return CM_EXIT_ERROR;
    }
    if (s->watching && (rc = cm_serve_watch_start(&s->watch)) != 0) {
        fprintf(stderr, "coalmine serve: starting the engine's thread: %s\n", strerror(rc));
        return CM_EXIT_ERROR;
    }
    fprintf(stderr, "coalmine serve: listening on %s:%u (%s, detector %s, account %s, %s)\n", host,
            port, s->creds.n ? "SigV4 required" : "requests not authenticated", s->detector,
            s->o.account, s->o.region);
    if (s->watching && !s->o.quiet) {
        fprintf(stderr,
                "coalmine serve: watching %zu path%s (state %s); bus every %g s, "
                "canaries every %g s\n",
                s->o.nwatch, s->o.nwatch == 1 ? "" : "s", s->watch.state_path, s->o.bus_s,
                s->o.canary_s);
    }
    return CM_EXIT_OK;
}

/*
 * A second SIGINT or SIGTERM while stopping: out at once, killed by that signal (its
 * default action), as a program that does not catch it would be.
 */
static void on_second_signal(int sig)
{
    static const char msg[] = "coalmine serve: second signal: exiting at once\n";

    (void)!write(2, msg, sizeof(msg) - 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* In the reverse order of the start; returns the engine's CM_EXIT_*. */
static int serve_stop(struct cm_serve *s)
{
    int rc = CM_EXIT_OK;

    if (s->watching) {
        rc = cm_serve_watch_stop(&s->watch);
    }
    /* The API before the bus: PutEvents wakes the bus, and what it stored last is owed. */
    cm_api_http_stop(s->http, GRACE_MS);
    s->http = NULL;
    cm_serve_loop_stop(&s->canary);
    cm_serve_loop_stop(&s->bus); /* one last run: what the engine and the API stored last */
    cm_store_close(s->canary_work.store);
    s->canary_work.store = NULL;
    cm_store_close(s->bus_work.store);
    s->bus_work.store = NULL;
    if (s->curl) {
        curl_global_cleanup();
        s->curl = false;
    }
    cm_serve_watch_close(&s->watch);
    cm_store_close(s->store);
    s->store = NULL;
    cm_api_creds_finish(&s->creds);
    free(s->secrets.v);
    s->secrets.v = NULL;
    cm_free(s->state_path);
    s->state_path = NULL;
    if (s->status_ok) {
        cm_serve_status_destroy(&s->status);
        s->status_ok = false;
    }
    return rc;
}

static int run(int argc, char **argv)
{
    struct cm_serve s;
    struct sigaction sa;
    sigset_t set;
    int rc, sig = 0;

    memset(&s, 0, sizeof(s));
    s.retention_days = -1;
    cm_scan_engine_init(&s.watch.e);
    s.watch.follow = (struct cm_scan_follow){.poll_s = CM_FOLLOW_POLL_S,
                                             .settle_s = CM_FOLLOW_SETTLE_S,
                                             .checkpoint_s = CM_FOLLOW_CHECKPOINT_S};
    s.cfg = &s.watch.e.config;
    cm_api_creds_init(&s.creds);
    rc = cm_serve_args(argc, argv, &s);
    if (rc != 0) {
        serve_stop(&s);
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (cm_serve_status_init(&s.status) != 0) {
        fprintf(stderr, "coalmine serve: out of memory\n");
        serve_stop(&s);
        return CM_EXIT_ERROR;
    }
    s.status_ok = true;
    /* Blocked before any thread starts, so the signals come to sigtimedwait below. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* No reload: a SIGHUP (`kill -HUP` from a log rotation, a reload by habit) would kill
     * the service unsaid at its default; it is said and ignored. */
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f, systemd's LimitFSIZE=) is a write error (EFBIG) the
     * thread that wrote reports, exit 1, not a SIGXFSZ that kills the service unsaid. */
    signal(SIGXFSZ, SIG_IGN);
    if ((rc = serve_configure(&s)) != 0 || (rc = serve_open(&s)) != 0 ||
        (rc = serve_start(&s)) != 0) {
        serve_stop(&s);
        return rc;
    }
    for (;;) {
        struct timespec ts = {1, 0};
        sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) {
            break;
        }
        if (sig == SIGHUP) {
            fprintf(stderr, "coalmine serve: SIGHUP ignored: there is no reload, the config and "
                            "the options are read at start (restart to apply a change)\n");
            continue;
        }
        if (s.watching && atomic_load(&s.watch.done)) {
            sig = 0; /* the engine stopped by itself: an error, said on stderr */
            break;
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_second_signal;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    signal(SIGHUP, SIG_IGN); /* nor while stopping */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (sig != 0) {
        fprintf(stderr, "coalmine serve: %s: stopping (again to exit at once)\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    } else {
        fprintf(stderr, "coalmine serve: the engine stopped on an error: stopping\n");
    }
    rc = serve_stop(&s);
    if (sig == 0 && rc == CM_EXIT_OK) {
        rc = CM_EXIT_ERROR;
    }
    if (!s.o.quiet || rc != CM_EXIT_OK) {
        fprintf(stderr, "coalmine serve: stopped%s\n", rc == CM_EXIT_OK ? "" : " (with errors)");
    }
    return rc;
}

const struct cm_cmd cm_cmd_serve = {
    .name = "serve",
    .summary = "the service: the engine on watched dirs, the bus, canaries, API (docs/serve.md)",
    .run = run,
};
