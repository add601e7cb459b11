/*
 * coalmine scan: read archived logs (files, directories, "-" for stdin), run
 * every detector in event-time order, print detections, and summarise what
 * was read and rejected on stderr (or as JSON with --stats FILE).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/findings_out.h"
#include "cli/scan_config.h"
#include "cli/scan_detect.h"
#include "cli/scan_engine.h"
#include "cli/scan_findings.h"
#include "cli/scan_follow.h"
#include "cli/scan_intel.h"
#include "cli/scan_metrics.h"
#include "cli/scan_paths.h"
#include "cli/scan_report.h"
#include "cli/scan_inventory.h"
#include "cli/scan_state.h"
#include "cli/scan_window.h"
#include "core/clock.h"
#include "core/scan.h"
#include "detect/intel.h"
#include "event/event.h"
#include "finding/aggregate.h"
#include "store/store.h"
#include "cli/scan_s3.h"
#include "aws/s3.h"

/* The synopsis alone: what a usage error prints under its message (the whole help is
 * 150 lines, which scrolled the message itself off the screen). */
static const char synopsis[] =
    "usage: coalmine scan [--db FILE [--no-route] [--retention-days N]\n"
    "                               [--finding-publishing-frequency F]]\n"
    "                     [--threads N] [--stats FILE] [--metrics FILE]\n"
    "                     [--format table|json|eventbridge|ocsf|cli] [--max-rejects N]\n"
    "                     [--quiet] [--threat-list L]... [--trusted-list L]...\n"
    "                     [--intel-list CAT=L]... [--intel-dir DIR] [--no-default-intel]\n"
    "                     [--geoip F]... [--canary-key KEY]... [--aws-ranges FILE]\n"
    "                     [--inventory FILE]... [--dga-model FILE] [--custom-rule SPEC]...\n"
    "                     [--config FILE] [--region REGION] [--flow-fields F]\n"
    "                     [--endpoint-url URL] [--profile NAME] [--since TIME] [--until TIME]\n"
    "                     [--state FILE [--final] [--reread]]\n"
    "                     [--follow [--poll-interval S] [--settle S]\n"
    "                      [--checkpoint-interval S]]\n"
    "                     PATH...\n";

static void usage_short(void)
{
    fprintf(stderr, "%sRun 'coalmine scan --help' for what each option does.\n", synopsis);
}

static void usage(FILE *f)
{
    fputs(synopsis, f);
    fprintf(f,
            "\n"
            "A PATH may be an S3 location, s3://BUCKET[/PREFIX]: its objects are listed and read\n"
            "with the AWS credentials the aws CLI would use (docs/s3.md). With --follow, a PATH\n"
            "may be an SQS queue, sqs://ACCOUNT/QUEUE[/KEY-PREFIX][?visibility=S] or its URL\n"
            "(https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE[/KEY-PREFIX]...), notified of\n"
            "each new object (S3 event notifications, SNS, CloudTrail's, EventBridge): the\n"
            "objects its messages name are read, then the messages deleted (docs/s3.md).\n"
            "\n"
            "Reads CloudTrail, VPC Flow Logs and Route 53 Resolver query logs from files and\n"
            "directories (recursively; plain, gzip or zstd, and VPC flow logs in Parquet too;\n"
            "the format is recognised from the content) or from standard input ('-'), in\n"
            "event-time order, and runs every detector. They may also come out of CloudWatch\n"
            "Logs: export-task files, a subscription's deliveries as Firehose writes them, or\n"
            "what `aws logs filter-log-events`, `get-log-events` or `tail` print.\n"
            "\n"
            "  -d, --db FILE         record the scan (inputs, counts, rejects) and store its\n"
            "                        findings (before printing them) in the SQLite store\n"
            "                        FILE, created when absent; findings its ARCHIVE\n"
            "                        filters match are stored archived and not printed\n"
            "      --no-route        with --db: route none of this scan's findings to the\n"
            "                        rules' targets ('coalmine rules'), as when replaying\n"
            "                        old logs; without it, a scan with --db routes what it\n"
            "                        stores (new or updated, not archived) while some rule\n"
            "                        is enabled, and retries earlier failed deliveries\n"
            "      --finding-publishing-frequency F\n"
            "                        with --db: how often updates of stored findings are\n"
            "                        routed, as GuardDuty's: FIFTEEN_MINUTES, ONE_HOUR or\n"
            "                        SIX_HOURS (the default); new findings are routed at\n"
            "                        once, an update once when its interval (wall clock,\n"
            "                        UTC) has ended, with its latest state (saved in the\n"
            "                        store)\n"
            "      --retention-days N  with --db: keep findings N days after their last\n"
            "                        update (wall clock; 0 keeps them; saved in the store)\n"
            "  -t, --threads N       reader threads and detection shards (default: all CPUs)\n"
            "  -s, --stats FILE      write run statistics as JSON to FILE ('-' for stdout);\n"
            "                        opened first: if it cannot be, nothing is scanned\n"
            "      --metrics FILE    write what the scan did as Prometheus metrics to FILE\n"
            "                        (replaced whole by a rename; for node_exporter's\n"
            "                        textfile collector: name it *.prom), also when it\n"
            "                        fails (coalmine_scan_success 0); docs/metrics.md\n"
            "  -f, --format FMT      findings output: table (default), json (GuardDuty API\n"
            "                        form, one per line), eventbridge, ocsf, or cli (as\n"
            "                        `aws guardduty get-findings` prints each: PascalCase)\n"
            "  -r, --max-rejects N   rejected records listed in the summary (default 20)\n"
            "      --threat-list [NAME=][FORMAT:]FILE\n"
            "                        a customer threat list (.Custom findings, threatListName\n"
            "                        NAME, default the file's base name); repeatable\n"
            "      --trusted-list [NAME=][FORMAT:]FILE\n"
            "                        a trusted list: addresses and names on it produce no\n"
            "                        finding at all, in any source; repeatable\n"
            "      --intel-list CATEGORY[:NAME]=[FORMAT:]FILE\n"
            "                        managed intel of one class: cnc, mining, tor_exit,\n"
            "                        tor_relay, scanner, drop_point, sinkhole, phishing,\n"
            "                        drive_by, dga, malicious_ip, malicious_domain,\n"
            "                        abused_domain, bitcoin_domain, suspicious_domain,\n"
            "                        or unknown (guessed per entry); repeatable\n"
            "                        FORMAT: TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT,\n"
            "                        FIRE_EYE, STIX2, MISP, MISP_CSV, HOSTS, ZEEK (default:\n"
            "                        recognised from the content)\n"
            "      --intel-dir DIR   the intel directory `coalmine intel` manages\n"
            "      --no-default-intel  only the lists given here: not the built-in bundle,\n"
            "                        fetched feeds or lists added with `coalmine intel add`\n"
            "      --geoip FILE      a MaxMind-format (MMDB) City, Country, ASN or ISP\n"
            "                        database for remoteIpDetails; repeatable, earlier\n"
            "                        files win; without one those fields are left out;\n"
            "                        a City database also places console logins\n"
            "                        (UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B)\n"
            "      --canary-key KEY  a decoy access key id: any CloudTrail record made with\n"
            "                        it is a High finding; repeatable\n"
            "      --aws-ranges FILE AWS's published ranges (ip-ranges.json), so credential\n"
            "                        exfiltration can tell inside from outside AWS\n"
            "      --dga-model FILE  the DGA model for the DNS detections (the format of\n"
            "                        data/dga/model.txt); default: the built-in one\n"
            "      --custom-rule [ACCOUNT:]RULE=MODE  a Custom Detection Rule's mode: LIVE\n"
            "                        (default), DRY_RUN (logged and counted in --stats, no\n"
            "                        finding) or OFF; RULE or ACCOUNT * for all; repeatable\n"
            "                        (rules: EC2PasswordDataRetrieved, RDSMasterPasswordReset,\n"
            "                        EC2TerminationProtectionEnabled, VPCFlowLogsDeleted,\n"
            "                        OrganizationLeaveAttempt, OrganizationPolicyDisabled)\n"
            "      --region REGION   the region of records that carry none and whose object\n"
            "                        key names none (default-format flow logs whose path has\n"
            "                        no vpcflowlogs/REGION/, aws-region=REGION or\n"
            "                        ACCOUNT_vpcflowlogs_REGION_ name) and whose instance no\n"
            "                        --inventory places in a zone; without it their\n"
            "                        detections are dropped\n"
            "      --endpoint-url URL  the S3 endpoint of s3:// paths (an S3-compatible store,\n"
            "                        a VPC endpoint), and SQS's of sqs:// paths; default\n"
            "                        AWS_ENDPOINT_URL_S3 (_SQS),\n"
            "                        AWS_ENDPOINT_URL, else AWS's; --region is the region\n"
            "                        requests are signed for (default AWS_REGION, ...)\n"
            "      --profile NAME    the AWS profile of s3:// and sqs:// paths (as aws\n"
            "                        --profile: overrides AWS_PROFILE, and the\n"
            "                        environment's keys are not used; docs/s3.md)\n"
            "      --flow-fields F   the fields of flow log lines with no header line (custom\n"
            "                        format flow logs out of CloudWatch Logs): the LogFormat\n"
            "                        ('${version} ${vpc-id} ...') or the names; default: v2,\n"
            "                        or all fields of a version in AWS's order (by their number)\n"
            "      --inventory FILE  what `aws ec2 describe-instances` printed (JSON, plain or\n"
            "                        .gz), so findings name the instance of an interface or\n"
            "                        address, with its type, image, tags and groups (CloudTrail\n"
            "                        RunInstances and network interface calls in the scan\n"
            "                        do the same); or `aws ec2 describe-network-interfaces`,\n"
            "                        so findings about a NAT gateway's, load balancer's,\n"
            "                        Lambda's or endpoint's interface are dropped; repeatable\n"
            "      --config FILE     settings from a coalmine.yaml (docs/config.md); the\n"
            "                        command line adds to its lists and overrides the rest\n"
            "      --since TIME      analyse only the records at or after TIME: ISO 8601\n"
            "                        (2026-03-01T00:00:00Z), YYYY-MM-DD (midnight UTC),\n"
            "                        epoch ms or an age (7d, 36h); the others are counted,\n"
            "                        not analysed, and files whose object key is stamped\n"
            "                        more than a day before TIME are not read (nor fetched)\n"
            "      --until TIME      ... and before TIME (the same forms); files stamped\n"
            "                        more than a day after it are not read; not with\n"
            "                        --state or --follow\n"
            "      --state FILE      carry detector state between scans: read FILE when it\n"
            "                        exists (what was learned, open windows), leave the\n"
            "                        windows open at the end and write FILE again, so\n"
            "                        scans of consecutive periods find what one scan of\n"
            "                        them all finds; uses the file's number of shards;\n"
            "                        FILE remembers the files read whole (base name, size,\n"
            "                        first and last 4 KiB; for 30 days after a scan last\n"
            "                        listed them), and later scans skip them unread; a\n"
            "                        plain log appended to is read from where they stopped\n"
            "      --final           with --state: close every window at the end (report\n"
            "                        what they hold) and leave FILE as it was\n"
            "      --reread          with --state: read the files FILE remembers as read\n"
            "                        too (their records are analysed again)\n"
            "%s"
            "  -q, --quiet           no summary or progress on stderr (one warning line when\n"
            "                        no file was found or something was rejected)\n"
            "  -h, --help            this help\n"
            "\n"
            "Exit status: 0 when the scan ran (malformed input is counted and reported, not\n"
            "fatal), 1 on errors such as an unreadable path or findings that could not be\n"
            "written to standard output (--state FILE is then left as it was), 2 on usage\n"
            "errors.\n",
            CM_SCAN_FOLLOW_HELP);
}

static void progress(void *ud, const struct cm_scan_progress *p)
{
    struct cm_scan_findings *c = ud;

    if (!c->tty || p->seconds < 1.0) {
        return;
    }
    fprintf(stderr, "\rscanning: %llu/%llu files, %.0f%% of %.1f MB, %.1f s ",
            (unsigned long long)p->files_done, (unsigned long long)p->files_total,
            p->bytes_total ? 100.0 * (double)p->bytes_in / (double)p->bytes_total : 100.0,
            (double)p->bytes_total / 1e6, p->seconds);
    if (p->files_done == p->files_total) {
        fprintf(stderr, "\n");
    }
    fflush(stderr);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-') {
        return -1;
    }
    *out = v;
    return 0;
}

/* Everything run() owns, freed in one place. */
struct scan_run {
    struct cm_scan_engine e; /* intel, detectors, inventory, state, store, findings sink */
    struct cm_scan_stats st;
    bool have_stats;
    FILE *stats_out;        /* --stats FILE, opened before the scan; stdout for '-' */
    const char *stats_path; /* ... a regular file's name, removed if the scan fails first */
    char **paths;           /* the PATH arguments, relative ones made absolute */
    size_t npaths;
    struct cm_cli_routing routed; /* what routing did, for --stats and --metrics */
    bool routed_ok;               /* ... and it ran to the end */
    bool scanned;                 /* findings stored and printed, the state written */
    struct cm_scan_own own;       /* the scan's own files (cm_scan_opts.own_files) */
    struct cm_s3 *s3;             /* the S3 client of s3:// paths (scan_s3.h), else NULL */
};

static void scan_run_free(struct scan_run *r)
{
    cm_scan_own_free(&r->own);
    cm_s3_close(r->s3);
    if (r->have_stats) {
        cm_scan_stats_free(&r->st);
    }
    for (size_t i = 0; r->paths != NULL && i < r->npaths; i++) {
        cm_free(r->paths[i]);
    }
    cm_free(r->paths);
    cm_cli_routing_finish(&r->routed);
    /*
     * Only after an error (the report closes it): the file opened empty goes, so a failed
     * scan leaves no --stats file, not an empty one that reads as a broken report.
     */
    if (r->stats_out != NULL && r->stats_out != stdout) {
        fclose(r->stats_out);
        if (r->stats_path != NULL) {
            unlink(r->stats_path);
        }
    }
    cm_scan_engine_close(&r->e);
}

/* Applies retention, records the scan in the store and says so. */
static int close_store(struct scan_run *r, const char *db_path, int64_t started_ms, int quiet)
{
    char err[512] = "";
    int64_t id, expired = 0, kept = 0;

    if (cm_store_add_scan(r->e.store, &r->st, started_ms, &id, err, sizeof(err)) != 0 ||
        cm_store_expire(r->e.store, started_ms, &expired, &kept, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s: %s\n", db_path, err);
        return CM_EXIT_ERROR;
    }
    if (!quiet) {
        fprintf(stderr, "  store:    %s (scan %lld", db_path, (long long)id);
        if (expired) {
            fprintf(stderr, "; %lld findings past retention deleted", (long long)expired);
        }
        if (kept) {
            fprintf(stderr, "; %lld past retention kept until their deliveries are settled",
                    (long long)kept);
        }
        fprintf(stderr, ")\n");
    }
    return CM_EXIT_OK;
}

static int run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"threads", required_argument, NULL, 't'},
        {"stats", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"max-rejects", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"retention-days", required_argument, NULL, 'R'},
        CM_SCAN_ENGINE_LONGOPTS,
        {"config", required_argument, NULL, CM_SCAN_OPT_CONFIG},
        {"region", required_argument, NULL, CM_SCAN_OPT_REGION},
        {"endpoint-url", required_argument, NULL, CM_SCAN_OPT_ENDPOINT_URL},
        {"profile", required_argument, NULL, CM_SCAN_OPT_PROFILE},
        {"state", required_argument, NULL, CM_SCAN_OPT_STATE},
        {"final", no_argument, NULL, CM_SCAN_OPT_FINAL},
        {"reread", no_argument, NULL, CM_SCAN_OPT_REREAD},
        {"no-route", no_argument, NULL, CM_SCAN_OPT_NO_ROUTE},
        {"finding-publishing-frequency", required_argument, NULL, 'P'},
        {"metrics", required_argument, NULL, 'M'},
        {"follow", no_argument, NULL, CM_SCAN_OPT_FOLLOW},
        {"poll-interval", required_argument, NULL, CM_SCAN_OPT_POLL_INTERVAL},
        {"settle", required_argument, NULL, CM_SCAN_OPT_SETTLE},
        {"checkpoint-interval", required_argument, NULL, CM_SCAN_OPT_CHECKPOINT_INTERVAL},
        {"since", required_argument, NULL, CM_SCAN_OPT_SINCE},
        {"until", required_argument, NULL, CM_SCAN_OPT_UNTIL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct scan_run r;
    struct cm_scan_report_extra extra = {0};
    struct cm_scan_opts *o = &r.e.o;
    struct cm_scan_findings *cli = &r.e.cli;
    struct cm_sink sink = {cm_scan_findings_emit, cli};
    const char *stats_path = NULL, *db_path = NULL, *config_path = NULL, *metrics_path = NULL;
    int64_t started_ms, begun_ms = cm_clock_now_ms();
    char err[512] = "";
    unsigned long v;
    int c, rc = CM_EXIT_ERROR, quiet = 0, retention = -1;
    bool no_route = false;
    const char *publish_freq = NULL;
    enum cm_publish_freq freq = CM_PUBLISH_SIX_HOURS;
    struct stat sst;
    struct cm_scan_follow follow = {.poll_s = CM_FOLLOW_POLL_S,
                                    .settle_s = CM_FOLLOW_SETTLE_S,
                                    .checkpoint_s = CM_FOLLOW_CHECKPOINT_S};
    bool follow_opt = false; /* --poll-interval, --settle or --checkpoint-interval given */
    const char *endpoint_url = NULL, *profile = NULL;

    memset(&r, 0, sizeof(r));
    cm_scan_engine_init(&r.e);
    optind = 1;
    while ((c = cm_cli_getopt(NULL, argc, argv, "d:t:s:f:r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_path = optarg;
            break;
        case 't':
            if (parse_uint(optarg, 256, &v) != 0 || v == 0) {
                fprintf(stderr, "coalmine scan: --threads wants a number from 1 to 256\n");
                goto usage;
            }
            o->threads = (unsigned)v;
            break;
        case 's':
            stats_path = optarg;
            break;
        case 'M':
            metrics_path = optarg;
            break;
        case 'f':
            if (cm_out_format_parse(optarg, &cli->fmt) != 0) {
                fprintf(
                    stderr,
                    "coalmine scan: unknown --format '%s' (table, json, eventbridge, ocsf, cli)\n",
                    optarg);
                goto usage;
            }
            break;
        case 'r':
            if (parse_uint(optarg, 100000, &v) != 0 || v == 0) {
                fprintf(stderr, "coalmine scan: --max-rejects wants a number from 1 to 100000\n");
                goto usage;
            }
            o->max_rejects = v;
            break;
        case 'q':
            quiet = 1;
            break;
        case CM_SCAN_OPT_NO_ROUTE:
            no_route = true;
            break;
        case 'P':
            if (cm_publish_freq_parse(optarg, &freq) != 0) {
                fprintf(stderr,
                        "coalmine scan: --finding-publishing-frequency wants FIFTEEN_MINUTES, "
                        "ONE_HOUR or SIX_HOURS, not '%s'\n",
                        optarg);
                goto usage;
            }
            publish_freq = optarg;
            break;
        case 'R':
            if (parse_uint(optarg, 36500, &v) != 0) {
                fprintf(stderr, "coalmine scan: --retention-days wants a number from 0 to 36500\n");
                goto usage;
            }
            retention = (int)v;
            break;
        case CM_SCAN_OPT_CONFIG:
            config_path = optarg;
            break;
        case CM_SCAN_OPT_ENDPOINT_URL:
            endpoint_url = optarg;
            break;
        case CM_SCAN_OPT_PROFILE:
            profile = optarg;
            break;
        case CM_SCAN_OPT_SINCE:
        case CM_SCAN_OPT_UNTIL:
            if (cm_scan_window_option(o, c, optarg, begun_ms, err, sizeof(err)) != 0) {
                fprintf(stderr, "coalmine scan: %s\n", err);
                goto usage;
            }
            break;
        case CM_SCAN_OPT_FOLLOW:
        case CM_SCAN_OPT_POLL_INTERVAL:
        case CM_SCAN_OPT_SETTLE:
        case CM_SCAN_OPT_CHECKPOINT_INTERVAL:
            if (cm_scan_follow_option(&follow, c, optarg, err, sizeof(err)) != 0) {
                fprintf(stderr, "coalmine scan: %s\n", err);
                goto usage;
            }
            follow_opt |= c != CM_SCAN_OPT_FOLLOW;
            break;
        case 'h':
            usage(stdout);
            rc = CM_EXIT_OK;
            goto out;
        default:
            switch (cm_scan_engine_option(&r.e, c, optarg, err, sizeof(err))) {
            case CM_SCAN_ENGINE_TAKEN:
                continue;
            case CM_SCAN_ENGINE_USAGE:
                fprintf(stderr, "coalmine scan: %s\n", err);
                goto usage;
            case CM_SCAN_ENGINE_FAILED:
                fprintf(stderr, "coalmine scan: %s\n", err);
                goto out;
            default:
                break;
            }
            usage_short();
            rc = CM_EXIT_USAGE;
            goto out;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "coalmine scan: no PATH given\n");
        usage_short();
        goto usage;
    }
    /* What the command line gave, before the config fills in the rest: a store setting
     * the config file gives without a store is the file's error, not a usage error. */
    const bool freq_cli = publish_freq != NULL, retention_cli = retention >= 0;
    if (config_path != NULL) {
        struct cm_scan_cli_set set = {&db_path, &retention, &publish_freq};
        if (cm_scan_engine_config(&r.e, config_path, &set, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine scan: %s\n", err);
            goto out;
        }
    }
    if (r.e.state.final && r.e.state.path == NULL) {
        fprintf(stderr, "coalmine scan: --final needs --state\n");
        goto usage;
    }
    if (cm_scan_window_check(o, r.e.state.path != NULL, follow.on, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s\n", err);
        goto usage;
    }
    if (cm_scan_s3_check(argv + optind, (size_t)(argc - optind), follow.on, endpoint_url,
                         profile) != 0) {
        goto usage;
    }
    if (cm_scan_follow_check(&follow, follow_opt, r.e.state.final, stats_path != NULL,
                             argv + optind, (size_t)(argc - optind)) != 0) {
        goto usage;
    }
    if (r.e.state.reread && r.e.state.path == NULL) {
        fprintf(stderr, "coalmine scan: --reread needs --state (without it every file is "
                        "read)\n");
        goto usage;
    }
    /* The file's value is one of the three names (config.c checked it). */
    if (publish_freq != NULL && cm_publish_freq_parse(publish_freq, &freq) != 0) {
        fprintf(stderr, "coalmine scan: bad finding publishing frequency '%s'\n", publish_freq);
        goto usage;
    }
    if (publish_freq != NULL && db_path == NULL) {
        if (!freq_cli) {
            fprintf(stderr,
                    "coalmine scan: %s: store.finding_publishing_frequency needs a store "
                    "(store.db or --db)\n",
                    config_path);
            goto out;
        }
        fprintf(stderr, "coalmine scan: --finding-publishing-frequency needs --db\n");
        goto usage;
    }
    if (retention >= 0 && db_path == NULL) {
        if (!retention_cli) {
            fprintf(stderr,
                    "coalmine scan: %s: store.retention_days needs a store (store.db "
                    "or --db)\n",
                    config_path);
            goto out;
        }
        fprintf(stderr, "coalmine scan: --retention-days needs --db\n");
        goto usage;
    }
    if (no_route && db_path == NULL) {
        fprintf(stderr, "coalmine scan: --no-route needs --db (without a store nothing is "
                        "routed)\n");
        goto usage;
    }
    /*
     * A reader of standard output that goes away (`coalmine scan ... | head`, a consumer
     * that died) is a write error the scan reports, exit 1, not a SIGPIPE that kills it:
     * killed, it left an empty --stats FILE, no --metrics and exit 141 (before 2026-12-05).
     * Programs the exec targets run get every signal back at its default (target_exec.c).
     */
    {
        struct sigaction ign;

        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        (void)sigaction(SIGPIPE, &ign, NULL);
    }
    /* Opened now: an unwritable --stats fails before the scan, not after it stored and
     * printed its findings (and skipped routing them). So does a --metrics FILE that
     * cannot be written (then exit 1 and no metrics: the scan did not run). */
    if (metrics_path && cm_scan_metrics_probe(metrics_path) != CM_EXIT_OK) {
        metrics_path = NULL;
        goto out;
    }
    if (stats_path) {
        r.stats_out = strcmp(stats_path, "-") == 0 ? stdout : fopen(stats_path, "w");
        if (r.stats_out == NULL) {
            fprintf(stderr, "coalmine scan: --stats %s: %s\n", stats_path, strerror(errno));
            goto out;
        }
        /* Never a device or a pipe: /dev/full is no report to remove. */
        if (r.stats_out != stdout && fstat(fileno(r.stats_out), &sst) == 0 &&
            S_ISREG(sst.st_mode)) {
            r.stats_path = stats_path;
        }
    }
    if (cm_scan_s3_open(argv + optind, (size_t)(argc - optind), endpoint_url, r.e.o.default_region,
                        profile, quiet, &r.s3, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s\n", err);
        goto out;
    }
    o->s3 = r.s3;
    {
        struct cm_scan_engine_store es = {db_path, retention, publish_freq != NULL, freq, no_route};

        if (cm_scan_engine_open(&r.e, &es, quiet, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine scan: %s\n", err);
            goto out;
        }
    }
    started_ms = cm_clock_now_ms();
    cli->tty = !quiet && isatty(2);
    o->progress = progress;
    o->progress_ud = cli;
    cli->colour = isatty(fileno(stdout));
    r.have_stats = true;
    r.npaths = (size_t)(argc - optind);
    if (cm_scan_absolute_paths(argv + optind, r.npaths, &r.paths) != 0) {
        fprintf(stderr, "coalmine scan: the working directory: %s\n", strerror(errno));
        goto out;
    }
    if (cm_scan_own_files(&r.own, r.e.state.path, db_path, stats_path, metrics_path) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        goto out;
    }
    o->own_files = (const char *const *)r.own.v;
    o->nown_files = r.own.n;
    if (follow.on) {
        if (r.e.state.path == NULL && cm_scan_state_memory(&r.e.state, o, err, sizeof(err)) != 0) {
            fprintf(stderr, "coalmine scan: %s\n", err);
            goto out;
        }
        follow.o = o;
        follow.cli = cli;
        follow.state = &r.e.state;
        follow.inv = &r.e.inv;
        follow.geo = r.e.intel.geo;
        follow.store = r.e.store;
        follow.db_path = db_path;
        follow.cfg = &r.e.config;
        follow.metrics_path = metrics_path;
        follow.no_route = no_route;
        follow.quiet = quiet;
        follow.paths = r.paths;
        follow.endpoint_url = endpoint_url;
        follow.npaths = r.npaths;
        rc = cm_scan_follow_run(&follow, NULL);
        metrics_path = NULL; /* written after each poll */
        goto out;
    }
    if (cm_scan_run(o, r.paths, r.npaths, &sink, &r.st, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s\n",
                r.e.state.sf.err[0] ? r.e.state.sf.err
                : err[0]            ? err
                                    : "scan failed");
        goto out;
    }
    r.st.findings = cm_agg_stats(cli->agg)->findings;
    /* Stored, published and printed in one order, the same with any --threads. */
    cli->order = cm_calloc(r.st.findings ? r.st.findings : 1, sizeof(*cli->order));
    if (cli->order == NULL || cm_agg_order(cli->agg, cli->order) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        goto out;
    }
    cm_scan_findings_name_evidence(cli, &r.st);
    cli->norder = r.st.findings;
    if (cm_scan_inventory_enrich(&r.e.inv, cli->agg, cli->order, &cli->norder) != 0 ||
        cm_scan_findings_geo_enrich(cli, r.e.intel.geo) != 0 ||
        cm_agg_link_sequences(cli->agg) != 0) {
        fprintf(stderr, "coalmine scan: out of memory\n");
        goto out;
    }
    r.st.findings = cli->norder;
    /* Findings are written durably before anything downstream sees them. */
    if (r.e.store && cm_scan_findings_store(cli, r.e.store, quiet, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s: %s\n", db_path, err);
        goto out;
    }
    /*
     * The state moves on only once the findings it produced are stored and printed: it
     * remembers the files read, and a later scan leaves them out. Without --db the printed
     * findings are the only copy, so a scan that cannot write them (a full disk under
     * stdout, a closed pipe) exits 1 with the state as it was, and the next one reads the
     * same files again (before 2026-12-05 it wrote the state first and exited 0).
     */
    errno = 0;
    if (cm_scan_findings_print(cli, r.e.store, r.e.state.path != NULL && !r.e.state.final) !=
        CM_EXIT_OK) {
        if (r.e.state.path != NULL && !r.e.state.final) {
            fprintf(stderr,
                    "coalmine scan: --state %s not written: the next scan reads these "
                    "files again\n",
                    r.e.state.path);
        }
        goto out;
    }
    if (cm_scan_state_write(&r.e.state, &r.st, quiet, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine scan: %s\n", err);
        goto out;
    }
    r.scanned = true;
    if (quiet) {
        cm_scan_quiet_warning(&r.st);
    } else {
        cm_scan_summary(&r.st);
        cm_scan_findings_dropped_summary(cli);
        cm_scan_inventory_summary(&r.e.inv);
        cm_scan_custom_summary(&r.e.det.custom);
    }
    if (!quiet && cli->trusted + r.st.trusted) { /* dropped at the sink, or never made */
        fprintf(stderr, "  trusted:  %llu detections dropped (address or name on a trusted list)\n",
                (unsigned long long)(cli->trusted + r.st.trusted));
    }
    /*
     * Routing last: the summary above is the scan's, whatever the targets do; the --stats
     * JSON after it, with what routing did (null when this scan routed nothing).
     */
    rc = CM_EXIT_OK;
    if (r.e.store && !no_route) {
        fflush(stdout);
        rc = cm_cli_bus_run("scan", r.e.store, &r.e.config, false, quiet, &r.routed);
        r.routed_ok = rc == CM_EXIT_OK;
    }
    extra.unbuildable = cli->unbuildable;
    extra.no_region = cli->noregion;
    extra.no_account = cli->noaccount;
    extra.over_cap = cm_agg_stats(cli->agg)->dropped;
    extra.trusted = cli->trusted + r.st.trusted;
    extra.inv = &r.e.inv;
    extra.custom = &r.e.det.custom;
    if (cm_scan_write_stats(&r.st, r.routed_ok ? &r.routed : NULL, &r.e.state, &extra, r.stats_out,
                            stats_path) != CM_EXIT_OK) {
        rc = CM_EXIT_ERROR;
    }
    r.stats_out = NULL;
    if (r.e.store && close_store(&r, db_path, started_ms, quiet) != CM_EXIT_OK) {
        rc = CM_EXIT_ERROR;
    }
    fflush(stdout);
    goto out;
usage:
    rc = CM_EXIT_USAGE;
out:
    if (metrics_path != NULL && rc != CM_EXIT_USAGE) {
        /* Which findings the store archived (ARCHIVE filters): not current, not by type. */
        bool *archived = r.scanned && cli->puts != NULL
                             ? cm_calloc(cli->norder ? cli->norder : 1, sizeof(*archived))
                             : NULL;
        for (size_t i = 0; archived != NULL && i < cli->norder; i++) {
            archived[i] = cli->puts[i].archived;
        }
        struct cm_scan_metrics m = {
            .ok = rc == CM_EXIT_OK,
            .end_ms = cm_clock_now_ms(),
            .st = r.scanned ? &r.st : NULL,
            .x = &extra,
            .agg = cli->agg,
            .order = cli->order,
            .norder = cli->norder,
            .archived = archived,
            .routed = r.routed_ok ? &r.routed : NULL,
        };
        m.seconds = (double)(m.end_ms - begun_ms) / 1e3;
        if (cm_scan_metrics_write(&m, metrics_path) != CM_EXIT_OK) {
            rc = CM_EXIT_ERROR;
        }
        cm_free(archived);
    }
    scan_run_free(&r);
    return rc;
}

const struct cm_cmd cm_cmd_scan = {
    .name = "scan",
    .summary = "scan archived logs and print findings",
    .run = run,
};
