/*
 * coalmine serve: the service mode (DESIGN.md §1/§6). This file holds the
 * command line and the service's life: struct cm_serve is built by steps
 * (serve_open: the store and the default detector; serve_start: the HTTP
 * API), runs serve_tick() once a second until SIGINT or SIGTERM, and is
 * taken down by serve_stop() in the reverse order. Parts added later (log
 * directories watched, canaries, the bus loop, the console) are one more
 * step each in serve_start/serve_stop and work in serve_tick
 * (docs/internals/api.md, "coalmine serve").
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_creds.h"
#include "api/api_detector.h"
#include "api/api_http.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_out.h"
#include "core/clock.h"
#include "core/config.h"
#include "store/store.h"

#define CMD "serve"

#define DEFAULT_ACCOUNT "123456789012"
#define DEFAULT_REGION  "us-east-1"
#define MAX_CRED_FILE   (1u << 20)
#define GRACE_MS        5000

struct serve_opts {
    const char *db, *config, *listen, *credentials, *account, *region, *port_file;
    bool log_requests;
};

struct cm_serve {
    struct serve_opts o;
    struct cm_config cfg;
    struct cm_api_creds creds;
    struct cm_store *store;
    struct cm_api_ctx ctx;
    struct cm_api_http *http;
    char detector[CM_STORE_DETECTOR_ID_MAX + 1]; /* the account's detector in its region */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine serve [--db FILE] [--config FILE] [--listen ADDR:PORT]\n"
               "                      [--credentials FILE] [--account ID] [--region R]\n"
               "                      [--port-file FILE] [--log-requests]\n"
               "\n"
               "Serves the GuardDuty API over the findings in the store until SIGINT or\n"
               "SIGTERM: `aws guardduty ... --endpoint-url http://127.0.0.1:8787` and boto3\n"
               "work against it (docs/api.md). GET /healthz and GET /metrics (Prometheus)\n"
               "are served too.\n"
               "\n"
               "  -d, --db FILE          the store (created when absent; default: store.db of\n"
               "                         the config)\n"
               "  -c, --config FILE      coalmine.yaml (store.db, api.*)\n"
               "  -l, --listen ADDR:PORT where to listen (default " CM_API_DEFAULT_LISTEN ";\n"
               "                         [::1]:PORT for IPv6; port 0 picks a free one)\n"
               "      --credentials FILE the access keys requests must be signed with (SigV4):\n"
               "                         shared-credentials INI or KEY:SECRET lines; with none\n"
               "                         configured requests are not checked and only a\n"
               "                         loopback address may be listened on\n"
               "      --account ID       the detector's account (default: api.account, else\n"
               "                         " DEFAULT_ACCOUNT ")\n"
               "      --region R         the default region (default: api.region, else\n"
               "                         " DEFAULT_REGION "); a signed request's scope names its "
               "own\n"
               "      --port-file FILE   write the port listened on to FILE once listening\n"
               "      --log-requests     one line per request on stderr\n"
               "  -h, --help             this help\n"
               "\n"
               "Prints \"listening on ADDR:PORT\" on stderr when ready. Exit status: 0 after\n"
               "a signal, 1 error, 2 usage error.\n");
}

enum { OPT_CREDENTIALS = 0x100, OPT_ACCOUNT, OPT_REGION, OPT_PORT_FILE, OPT_LOG_REQUESTS };

static int parse(int argc, char **argv, struct serve_opts *o)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"credentials", required_argument, NULL, OPT_CREDENTIALS},
        {"account", required_argument, NULL, OPT_ACCOUNT},
        {"region", required_argument, NULL, OPT_REGION},
        {"port-file", required_argument, NULL, OPT_PORT_FILE},
        {"log-requests", no_argument, NULL, OPT_LOG_REQUESTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case OPT_CREDENTIALS:
            o->credentials = optarg;
            break;
        case OPT_ACCOUNT:
            o->account = optarg;
            break;
        case OPT_REGION:
            o->region = optarg;
            break;
        case OPT_PORT_FILE:
            o->port_file = optarg;
            break;
        case OPT_LOG_REQUESTS:
            o->log_requests = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine serve: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    return 0;
}

static bool account_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 12) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool region_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 40) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
            return false;
        }
    }
    return true;
}

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

/* The options, the config and the credentials. Returns CM_EXIT_*. */
static int serve_configure(struct cm_serve *s)
{
    char err[512];
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (s->o.config != NULL && cm_config_load(&s->cfg, s->o.config, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s\n", err);
        return CM_EXIT_ERROR;
    }
    if (s->o.db == NULL) {
        s->o.db = s->cfg.store.db;
    }
    if (s->o.db == NULL) {
        fprintf(stderr, "coalmine serve: no store: give --db FILE or store.db in --config\n");
        return CM_EXIT_USAGE;
    }
    if (s->o.account == NULL) {
        s->o.account = s->cfg.api.account ? s->cfg.api.account : DEFAULT_ACCOUNT;
    }
    if (s->o.region == NULL) {
        s->o.region = s->cfg.api.region ? s->cfg.api.region : DEFAULT_REGION;
    }
    if (s->o.listen == NULL) {
        s->o.listen = s->cfg.api.listen ? s->cfg.api.listen : CM_API_DEFAULT_LISTEN;
    }
    if (!account_ok(s->o.account)) {
        fprintf(stderr, "coalmine serve: --account '%s': an account id is 12 digits\n",
                s->o.account);
        return CM_EXIT_USAGE;
    }
    if (!region_ok(s->o.region)) {
        fprintf(stderr, "coalmine serve: --region '%s': not a region name (like us-east-1)\n",
                s->o.region);
        return CM_EXIT_USAGE;
    }
    for (size_t i = 0; i < s->cfg.api.ncredentials; i++) {
        if (cm_api_creds_add(&s->creds, s->cfg.api.credentials[i].access_key_id,
                             s->cfg.api.credentials[i].secret_access_key, err, sizeof(err)) != 0) {
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
    return CM_EXIT_OK;
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
    s->ctx = (struct cm_api_ctx){s->store, s->o.account, s->o.region};
    if (cm_api_detector_ensure(&s->ctx, CM_DEFAULT_DETECTOR_ID, cm_clock_now_ms(), s->detector,
                               sizeof(s->detector), err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: %s: creating the detector: %s\n", s->o.db, err);
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
    };
    char err[512], host[80];
    const char *colon;
    unsigned port;
    int rc = cm_api_http_start(&s->http, &ho, err, sizeof(err));

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
    fprintf(stderr, "coalmine serve: listening on %s:%u (%s, detector %s, account %s, %s)\n", host,
            port, s->creds.n ? "SigV4 required" : "requests not authenticated", s->detector,
            s->o.account, s->o.region);
    return CM_EXIT_OK;
}

/* Once a second while serving: the place for periodic work of later parts. */
static void serve_tick(struct cm_serve *s)
{
    (void)s;
}

static void serve_stop(struct cm_serve *s)
{
    cm_api_http_stop(s->http, GRACE_MS);
    s->http = NULL;
    cm_store_close(s->store);
    s->store = NULL;
    cm_api_creds_finish(&s->creds);
    cm_config_finish(&s->cfg);
}

static int run(int argc, char **argv)
{
    struct cm_serve s;
    sigset_t set;
    int rc, sig;

    memset(&s, 0, sizeof(s));
    cm_config_init(&s.cfg);
    cm_api_creds_init(&s.creds);
    rc = parse(argc, argv, &s.o);
    if (rc != 0) {
        cm_config_finish(&s.cfg);
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    /* Blocked before any thread starts, so the signals come to sigtimedwait below. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
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
        serve_tick(&s);
    }
    fprintf(stderr, "coalmine serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    serve_stop(&s);
    return CM_EXIT_OK;
}

const struct cm_cmd cm_cmd_serve = {
    .name = "serve",
    .summary = "serve the GuardDuty API over the stored findings (docs/api.md)",
    .run = run,
};
