/*
 * coalmine findings publish: one export pass of the store's publishing
 * destinations (docs/publishing.md, pubdest/pubdest_export.h), what
 * `coalmine serve` does after each bus run, for a store that no service runs
 * on (cron after `coalmine scan --db`), or to list the destinations.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "core/clock.h"
#include "pubdest/pubdest_export.h"
#include "store/store.h"
#include "store/store_pubdest.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine findings publish --db FILE [--destination ID] [--force]\n"
               "                                 [--endpoint-url URL] [--region REGION]\n"
               "                                 [--max-per-object N] [--list] [--quiet]\n"
               "\n"
               "Exports the findings each publishing destination owes to its S3 bucket, as\n"
               "GuardDuty does (gzip JSON Lines under [prefix/]AWSLogs/ACCOUNT/GuardDuty/\n"
               "REGION/YYYY/MM/DD/UUID.jsonl.gz): new findings, and updates whose publishing\n"
               "interval has ended. Destinations are made with the API of `coalmine serve`\n"
               "(aws guardduty create-publishing-destination); serve exports by itself.\n"
               "\n"
               "  -d, --db FILE            the store (must exist)\n"
               "  -D, --destination ID     only this destination\n"
               "  -F, --force              try a failed destination now, not after its backoff\n"
               "      --endpoint-url URL   the S3 endpoint (default: AWS_ENDPOINT_URL_S3,\n"
               "                           AWS_ENDPOINT_URL, the config file, else AWS's)\n"
               "      --region REGION      the S3 client's region (default: as the aws CLI)\n"
               "      --max-per-object N   findings in one object (default 5000)\n"
               "  -l, --list               list the destinations with their status instead\n"
               "  -q, --quiet              say only what failed\n"
               "  -h, --help               this help\n"
               "\n"
               "Exit status: 0 when every destination is exported (or waits for its backoff),\n"
               "1 when one failed (it is UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY and its\n"
               "findings stay owed for the next run) or the store failed, 2 on a usage error.\n");
}

static void report(void *ud, const char *id, const char *status, const char *msg)
{
    bool quiet = *(const bool *)ud;

    if (strcmp(status, CM_PUBDEST_UNABLE) == 0) {
        fprintf(stderr, "coalmine findings: publish: destination %s: %s\n", id, msg);
    } else if (!quiet) {
        fprintf(stderr, "coalmine findings: publish: destination %s: %s\n", id, msg);
    }
}

static int print_dest(void *ud, const struct cm_store_pubdest *d)
{
    (void)ud;
    printf("%s\t%s\t%s\t%s\texported=%lld\tobjects=%lld", d->id, d->detector_id, d->status, d->arn,
           (long long)d->exported, (long long)d->objects);
    if (d->failure_ms > 0) {
        printf("\tfailing_since_ms=%lld", (long long)d->failure_ms);
    }
    if (d->last_error != NULL) {
        printf("\terror=%s", d->last_error);
    }
    printf("\n");
    return 0;
}

int cm_findings_publish(int argc, char **argv)
{
    enum { OPT_ENDPOINT = 256, OPT_REGION, OPT_MAX };
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"destination", required_argument, NULL, 'D'},
        {"force", no_argument, NULL, 'F'},
        {"endpoint-url", required_argument, NULL, OPT_ENDPOINT},
        {"region", required_argument, NULL, OPT_REGION},
        {"max-per-object", required_argument, NULL, OPT_MAX},
        {"list", no_argument, NULL, 'l'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cm_aws_opts aws = {NULL, NULL, NULL};
    struct cm_pubdest_opts o;
    struct cm_pubdest_stats stats;
    struct cm_store *st = NULL;
    const char *db = NULL;
    bool quiet = false, list = false;
    char err[1024] = "", *end;
    int c, rc, status;

    memset(&o, 0, sizeof(o));
    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:D:Flqh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'D':
            o.only = optarg;
            break;
        case 'F':
            o.force = true;
            break;
        case OPT_ENDPOINT:
            aws.endpoint_url = optarg;
            break;
        case OPT_REGION:
            aws.region = optarg;
            break;
        case OPT_MAX: {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 1000000) {
                fprintf(stderr,
                        "coalmine findings: publish: --max-per-object: '%s': give 1 to 1000000\n",
                        optarg);
                return CM_EXIT_USAGE;
            }
            o.max_per_object = (size_t)v;
            break;
        }
        case 'l':
            list = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return CM_EXIT_OK;
        default:
            usage(stderr);
            return CM_EXIT_USAGE;
        }
    }
    if ((rc = cm_cli_no_args("findings", "publish", db, argc, argv)) != 0) {
        return rc;
    }
    if (cm_cli_open_store("findings", db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    if (list) {
        rc = cm_store_pubdest_each(st, NULL, NULL, 0, print_dest, NULL, NULL);
        if (rc != 0) {
            fprintf(stderr, "coalmine findings: publish: %s: %s\n", db, cm_strerror(rc));
        }
        cm_store_close(st);
        return rc == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
    }
    o.now_ms = cm_clock_now_ms();
    o.aws = &aws;
    rc = cm_pubdest_export(st, &o, report, &quiet, &stats, err, sizeof(err));
    cm_store_close(st);
    if (rc == CM_ENOTFOUND) {
        fprintf(stderr, "coalmine findings: publish: no destination %s in %s\n", o.only, db);
        return CM_EXIT_ERROR;
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: publish: %s: %s\n", db, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    status = stats.failed > 0 ? CM_EXIT_ERROR : CM_EXIT_OK;
    if (!quiet) {
        fprintf(stderr,
                "coalmine findings: publish: %llu destination%s: %llu findings in %llu "
                "object%s, %llu failed, %llu stopped, %llu waiting for a retry\n",
                (unsigned long long)stats.destinations, stats.destinations == 1 ? "" : "s",
                (unsigned long long)stats.findings, (unsigned long long)stats.objects,
                stats.objects == 1 ? "" : "s", (unsigned long long)stats.failed,
                (unsigned long long)stats.stopped, (unsigned long long)stats.waiting);
    }
    return status;
}
