/*
 * coalmine serve's state (cmd_serve.c: the service's life; serve_args.c: its command
 * line). Private to src/cli.
 */
#ifndef CM_CLI_SERVE_H
#define CM_CLI_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "api/api_creds.h"
#include "api/api_http.h"
#include "api/api_target_guard.h"
#include "cli/serve_loop.h"
#include "cli/serve_status.h"
#include "cli/serve_watch.h"
#include "cli/serve_work.h"
#include "core/config.h"
#include "store/store.h"

#define DEFAULT_ACCOUNT "123456789012"
#define DEFAULT_REGION  "us-east-1"
#define MAX_WATCH       64 /* --watch paths */

struct cm_serve_opts {
    const char *db, *config, *listen, *credentials, *account, *region, *port_file, *state;
    bool log_requests;
    int quiet;
    char *watch[MAX_WATCH]; /* --watch PATH, in order */
    size_t nwatch;
    bool engine_opt;        /* an engine option (intel, detector, inventory, --state) given */
    bool follow_opt;        /* --poll-interval, --settle or --checkpoint-interval given */
    double canary_s, bus_s; /* 0: not given */
};

struct cm_serve {
    struct cm_serve_opts o;
    struct cm_config *cfg; /* the engine's: loaded once for the API and the engine */
    struct cm_api_creds creds;
    struct cm_store *store; /* the HTTP server's connection */
    struct cm_api_ctx ctx;
    struct cm_api_target_policy targets; /* api.targets, over cfg's lists */
    struct cm_target_secrets secrets;    /* cfg's secrets (cm_cli_secrets; v is freed) */
    struct cm_api_http *http;
    char detector[CM_STORE_DETECTOR_ID_MAX + 1]; /* the account's detector in its region */
    struct cm_serve_status status;
    bool status_ok;
    struct cm_serve_watch watch; /* the follow engine, when watching */
    bool watching;
    char *state_path;         /* <db>.state, when no --state nor serve.state */
    int retention_days;       /* store.retention_days, -1 when not set */
    const char *publish_freq; /* store.finding_publishing_frequency, NULL when not set */
    struct cm_serve_work bus_work, canary_work;
    struct cm_serve_loop bus, canary;
    bool curl;
};

/*
 * Parses serve's command line into s->o and the follow engine's options in s->watch.
 * Returns 0, 1 after --help (printed), or CM_EXIT_USAGE / CM_EXIT_ERROR (said on stderr).
 */
int cm_serve_args(int argc, char **argv, struct cm_serve *s);

#endif
