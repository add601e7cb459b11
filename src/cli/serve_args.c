/*
 * coalmine serve's command line (serve.h): its usage, and the options into struct
 * cm_serve (the engine's and the follow's through scan_engine.h / scan_follow.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/scan_engine.h"
#include "cli/scan_s3.h"
#include "cli/serve.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine serve [--db FILE] [--config FILE] [--listen ADDR:PORT]\n"
               "                      [--credentials FILE] [--account ID] [--region R]\n"
               "                      [--port-file FILE] [--log-requests] [--quiet]\n"
               "                      [--watch PATH]... [--endpoint-url URL] [--profile NAME]\n"
               "                      [--state FILE] [--poll-interval S]\n"
               "                      [--settle S] [--checkpoint-interval S] [--threads N]\n"
               "                      [--canary-interval S] [--bus-interval S]\n"
               "                      [the intel and detector options of coalmine scan]\n"
               "\n"
               "The service (docs/serve.md): serves the GuardDuty API over the findings in the\n"
               "store until SIGINT or SIGTERM: `aws guardduty ... --endpoint-url\n"
               "http://127.0.0.1:8787` and boto3 work against it (docs/api.md); GET /healthz,\n"
               "GET /metrics (Prometheus) and the web console (/console) are served too, and\n"
               "EventBridge's API for the rules and targets (`aws events ...`,\n"
               "docs/events-api.md).\n"
               "Beside it, the engine reads every log file that appears under the --watch\n"
               "paths (as `coalmine scan --follow` does) and stores its findings; the bus\n"
               "delivers them to the rules' targets, retries failed deliveries and releases\n"
               "held updates; the canaries run on their schedules. Lists created through the\n"
               "API apply to the engine from its next poll.\n"
               "\n"
               "  -d, --db FILE          the store (created when absent; default: store.db of\n"
               "                         the config)\n"
               "  -c, --config FILE      coalmine.yaml (store.db, api.*, serve.*, intel.*,\n"
               "                         detectors.*, ...)\n"
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
               "  -q, --quiet            no progress lines on stderr (errors still)\n"
               "  -w, --watch PATH       a directory (or file) whose log files the engine reads\n"
               "                         as they appear, or an S3 location s3://BUCKET[/PREFIX]\n"
               "                         whose objects it reads as they are listed, or an SQS\n"
               "                         queue sqs://ACCOUNT/QUEUE[/KEY-PREFIX] (or the queue's\n"
               "                         URL, then /KEY-PREFIX) notified of each new\n"
               "                         object (docs/s3.md); repeatable\n"
               "                         (serve.watch)\n"
               "      --endpoint-url URL with an s3:// or sqs:// --watch: the S3 and SQS\n"
               "                         endpoint (an S3-compatible store); default: what\n"
               "                         the aws CLI uses\n"
               "      --profile NAME     with an s3:// or sqs:// --watch: the AWS profile\n"
               "                         (as aws --profile: overrides AWS_PROFILE)\n"
               "      --state FILE       with --watch: the engine's checkpoint (what it\n"
               "                         learned, the files it read), written every\n"
               "                         --checkpoint-interval and at exit, read at start\n"
               "                         (default: serve.state, else the store's path +\n"
               "                         .state)\n"
               "      --poll-interval S  with --watch: seconds between polls (default 10)\n"
               "      --settle S         with --watch: seconds a file's mtime must be old\n"
               "                         before it is read (default 0)\n"
               "      --checkpoint-interval S  with --watch: seconds between checkpoints\n"
               "                         (default 300)\n"
               "  -t, --threads N        with --watch: reader threads and detection shards\n"
               "      --canary-interval S seconds between canary ticks (default 15)\n"
               "      --bus-interval S   seconds between delivery runs (retries, held\n"
               "                         updates) besides the one after each poll (default 5)\n"
               "  -h, --help             this help\n"
               "\n"
               "With --watch, these options of `coalmine scan` choose the engine's intel and\n"
               "detectors: --threat-list, --trusted-list, --intel-list, --intel-dir,\n"
               "--no-default-intel, --geoip, --canary-key, --aws-ranges, --dga-model,\n"
               "--custom-rule, --inventory, --region, --flow-fields (see coalmine scan --help).\n"
               "\n"
               "Prints \"listening on ADDR:PORT\" on stderr when ready. Exit status: 0 after\n"
               "a signal, 1 error (also when the engine stops on one), 2 usage error.\n");
}

enum {
    OPT_CREDENTIALS = 0x200,
    OPT_ACCOUNT,
    OPT_REGION,
    OPT_PORT_FILE,
    OPT_LOG_REQUESTS,
    OPT_CANARY_INTERVAL,
    OPT_BUS_INTERVAL,
};

static int parse_seconds(const char *name, const char *arg, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !(v >= 0.01 && v <= 86400.0)) {
        fprintf(stderr, "coalmine serve: %s wants seconds from 0.01 to 86400, not '%s'\n", name,
                arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* An option of the engine (scan_engine.h) or of the follow (scan_follow.h). */
static int parse_engine(struct cm_serve *s, int c, const char *arg)
{
    char err[512];
    unsigned long v;
    char *end;

    switch (c) {
    case 't':
        errno = 0;
        v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || v == 0 || v > 256 || arg[0] == '-') {
            fprintf(stderr, "coalmine serve: --threads wants a number from 1 to 256\n");
            return CM_EXIT_USAGE;
        }
        s->watch.e.o.threads = (unsigned)v;
        s->o.engine_opt = true;
        return 0;
    case CM_SCAN_OPT_POLL_INTERVAL:
    case CM_SCAN_OPT_SETTLE:
    case CM_SCAN_OPT_CHECKPOINT_INTERVAL:
        if (cm_scan_follow_option(&s->watch.follow, c, arg, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine serve: %s\n", err);
            return CM_EXIT_USAGE;
        }
        s->o.follow_opt = true;
        return 0;
    case CM_SCAN_OPT_STATE:
        s->o.state = arg;
        return 0;
    default:
        break;
    }
    switch (cm_scan_engine_option(&s->watch.e, c, arg, err, sizeof(err))) {
    case CM_SCAN_ENGINE_TAKEN:
        s->o.engine_opt = true;
        return 0;
    case CM_SCAN_ENGINE_FAILED:
        fprintf(stderr, "coalmine serve: %s\n", err);
        return CM_EXIT_ERROR;
    case CM_SCAN_ENGINE_USAGE:
        fprintf(stderr, "coalmine serve: %s\n", err);
        return CM_EXIT_USAGE;
    default:
        usage(stderr);
        return CM_EXIT_USAGE;
    }
}

int cm_serve_args(int argc, char **argv, struct cm_serve *s)
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
        {"quiet", no_argument, NULL, 'q'},
        {"watch", required_argument, NULL, 'w'},
        {"state", required_argument, NULL, CM_SCAN_OPT_STATE},
        {"poll-interval", required_argument, NULL, CM_SCAN_OPT_POLL_INTERVAL},
        {"settle", required_argument, NULL, CM_SCAN_OPT_SETTLE},
        {"checkpoint-interval", required_argument, NULL, CM_SCAN_OPT_CHECKPOINT_INTERVAL},
        {"threads", required_argument, NULL, 't'},
        {"canary-interval", required_argument, NULL, OPT_CANARY_INTERVAL},
        {"bus-interval", required_argument, NULL, OPT_BUS_INTERVAL},
        {"endpoint-url", required_argument, NULL, CM_SCAN_OPT_ENDPOINT_URL},
        {"profile", required_argument, NULL, CM_SCAN_OPT_PROFILE},
        CM_SCAN_ENGINE_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cm_serve_opts *o = &s->o;
    int c, rc;

    optind = 1;
    while ((c = cm_cli_getopt(NULL, argc, argv, "d:c:l:qw:t:h", longopts, NULL)) != -1) {
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
        case 'q':
            o->quiet = 1;
            break;
        case CM_SCAN_OPT_ENDPOINT_URL:
            s->watch.endpoint_url = optarg;
            break;
        case CM_SCAN_OPT_PROFILE:
            s->watch.profile = optarg;
            break;
        case 'w':
            if (o->nwatch == MAX_WATCH) {
                fprintf(stderr, "coalmine serve: at most %d --watch paths\n", MAX_WATCH);
                return CM_EXIT_USAGE;
            }
            o->watch[o->nwatch++] = optarg;
            break;
        case OPT_CANARY_INTERVAL:
            if (parse_seconds("--canary-interval", optarg, &o->canary_s) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case OPT_BUS_INTERVAL:
            if (parse_seconds("--bus-interval", optarg, &o->bus_s) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return 1;
        case '?':
            usage(stderr);
            return CM_EXIT_USAGE;
        default:
            if ((rc = parse_engine(s, c, optarg)) != 0) {
                return rc;
            }
            break;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "coalmine serve: unexpected argument '%s' (a directory to watch is "
                "given with --watch)\n",
                argv[optind]);
        return CM_EXIT_USAGE;
    }
    return 0;
}
