/*
 * `coalmine gen`: writes a synthetic AWS log corpus (CloudTrail, VPC flow
 * logs, Route 53 Resolver query logs) in the S3 delivery layout, plus a
 * manifest (.coalmine-gen.json) with exact counts, and with --scenario the
 * attack scenarios of src/gen (cm_gen_scenarios) on top, plus the intel
 * lists and expectations they need under DIR/intel/ (cm_gen_scenario_lists).
 * Option parsing and reporting only; the generator itself is src/gen
 * (cm_gen_run). The output depends only on the options, never on the clock
 * or on --jobs.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "core/clock.h"
#include "core/log.h"
#include "gen/gen.h"

static const char usage_text[] =
    "usage: coalmine gen --out DIR [options]\n"
    "\n"
    "Writes realistic synthetic AWS logs under DIR/AWSLogs/ in the S3 delivery\n"
    "layout (CloudTrail, VPC flow logs, Route 53 Resolver query logs) and\n"
    "DIR/.coalmine-gen.json, a manifest with the exact number of files, records\n"
    "and bytes per source.\n"
    "The same options always produce byte-identical output.\n"
    "\n"
    "options:\n"
    "  --out DIR             output directory (created; must not hold AWSLogs/)\n"
    "  --seed N              random seed (default 1)\n"
    "  --hours H             hours of logs (default 2)\n"
    "  --start TIME          first minute, YYYY-MM-DDTHH:MMZ (default 2026-01-05T00:00Z)\n"
    "  --accounts N          AWS accounts (default 2)\n"
    "  --instances N         EC2 instances per account (default 8)\n"
    "  --principals N        IAM users (people and CI) per account (default 4)\n"
    "  --regions N           regions per account, us-east-1 first (default 2, max 12)\n"
    "  --scale X             event-rate multiplier (default 1; 24 h at 4 is ~1.2 GB)\n"
    "  --kinds LIST          comma list of cloudtrail,vpcflow,dns (default all)\n"
    "  --no-gzip             write plain .json/.log files\n"
    "  --gzip-level N        libdeflate level 1..12 (default 1)\n"
    "  --flow-format F       default (v2), custom (v5) or mixed (default: mixed,\n"
    "                        odd-numbered accounts use the custom format)\n"
    "  --delivery D          s3 (AWSLogs/...), cloudwatch-export (exportedlogs/...:\n"
    "                        an export task's files) or firehose (firehose/...: a\n"
    "                        CloudWatch Logs subscription's deliveries; flow logs\n"
    "                        then have no header: give --flow-format default or\n"
    "                        custom) (default: s3)\n"
    "  --jobs N              worker threads (default: online CPUs, max 8)\n"
    "  --scenario NAME       add an attack scenario (repeatable; 'all' adds every\n"
    "                        one); the intel lists they need go to DIR/intel/\n"
    "                        with args.txt (the scan options that load them) and\n"
    "                        scenarios.tsv (the findings each should give)\n"
    "  --list-scenarios      list the scenarios and the finding types they trigger\n"
    "  --format text|json    with --list-scenarios: columns (default) or one JSON\n"
    "                        object a scenario, {\"name\",\"findingTypes\":[...]}\n"
    "  --help                show this help\n";

enum {
    OPT_OUT = 256,
    OPT_SEED,
    OPT_HOURS,
    OPT_START,
    OPT_ACCOUNTS,
    OPT_INSTANCES,
    OPT_PRINCIPALS,
    OPT_REGIONS,
    OPT_SCALE,
    OPT_KINDS,
    OPT_NOGZIP,
    OPT_LEVEL,
    OPT_FLOWFMT,
    OPT_DELIVERY,
    OPT_JOBS,
    OPT_SCENARIO,
    OPT_LIST_SCENARIOS,
    OPT_FORMAT,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"hours", required_argument, NULL, OPT_HOURS},
    {"start", required_argument, NULL, OPT_START},
    {"accounts", required_argument, NULL, OPT_ACCOUNTS},
    {"instances", required_argument, NULL, OPT_INSTANCES},
    {"principals", required_argument, NULL, OPT_PRINCIPALS},
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"kinds", required_argument, NULL, OPT_KINDS},
    {"no-gzip", no_argument, NULL, OPT_NOGZIP},
    {"gzip-level", required_argument, NULL, OPT_LEVEL},
    {"flow-format", required_argument, NULL, OPT_FLOWFMT},
    {"delivery", required_argument, NULL, OPT_DELIVERY},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"list-scenarios", no_argument, NULL, OPT_LIST_SCENARIOS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "coalmine gen: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'coalmine gen --help'.\n");
    return CM_EXIT_USAGE;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    return cm_str_to_u64(cm_str_cstr(s), max, out);
}

static int parse_unsigned(const char *s, unsigned *out)
{
    unsigned long long v;

    if (parse_uint(s, 0xffffffffULL, &v) != 0) {
        return CM_EINVAL;
    }
    *out = (unsigned)v;
    return 0;
}

static int parse_scale(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);

    if (end == s || *end != '\0' || !(v > 0.0)) {
        return CM_EINVAL;
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DDTHH:MMZ" (or any form cm_time_parse_iso accepts) on a whole minute. */
static int parse_start(const char *s, int64_t *out)
{
    char tmp[32];
    size_t n = strlen(s);
    int64_t ms;

    if (n == 17 && s[16] == 'Z') {
        memcpy(tmp, s, 16);
        memcpy(tmp + 16, ":00Z", 5);
        s = tmp;
    }
    if (cm_time_parse_iso(cm_str_cstr(s), &ms) != 0 || ms % 60000 != 0 || ms < 0) {
        return CM_EINVAL;
    }
    *out = ms / 1000;
    return 0;
}

static int parse_kinds(const char *s, unsigned *out)
{
    static const char *const names[CM_GEN_NKINDS] = {"cloudtrail", "vpcflow", "dns"};
    unsigned kinds = 0, k;
    const char *p = s;

    while (*p) {
        size_t n = strcspn(p, ",");

        for (k = 0; k < CM_GEN_NKINDS; k++) {
            if (strlen(names[k]) == n && strncmp(p, names[k], n) == 0) {
                break;
            }
        }
        if (k == CM_GEN_NKINDS) {
            return CM_EINVAL;
        }
        kinds |= CM_GEN_KIND_BIT(k);
        p += n + (p[n] == ',');
    }
    *out = kinds;
    return kinds ? 0 : CM_EINVAL;
}

static int parse_delivery(const char *s, enum cm_gen_delivery *out)
{
    if (strcmp(s, "s3") == 0) {
        *out = CM_GEN_DELIVERY_S3;
    } else if (strcmp(s, "cloudwatch-export") == 0) {
        *out = CM_GEN_DELIVERY_CWL_EXPORT;
    } else if (strcmp(s, "firehose") == 0) {
        *out = CM_GEN_DELIVERY_FIREHOSE;
    } else {
        return CM_EINVAL;
    }
    return 0;
}

static int parse_flow_format(const char *s, enum cm_gen_flow_format *out)
{
    if (strcmp(s, "default") == 0) {
        *out = CM_GEN_FLOW_DEFAULT;
    } else if (strcmp(s, "custom") == 0) {
        *out = CM_GEN_FLOW_CUSTOM;
    } else if (strcmp(s, "mixed") == 0) {
        *out = CM_GEN_FLOW_MIXED;
    } else {
        return CM_EINVAL;
    }
    return 0;
}

/* Applies one option to c. Returns 0, or an exit status to stop with. */
static int apply_numeric(int opt, const char *arg, struct cm_gen_config *c)
{
    unsigned long long v = 0;
    int rc = 0;

    switch (opt) {
    case OPT_SEED:
        rc = parse_uint(arg, ~0ULL, &v);
        c->seed = v;
        break;
    case OPT_HOURS:
        rc = parse_unsigned(arg, &c->hours);
        break;
    case OPT_ACCOUNTS:
        rc = parse_unsigned(arg, &c->accounts);
        break;
    case OPT_INSTANCES:
        rc = parse_unsigned(arg, &c->instances);
        break;
    case OPT_PRINCIPALS:
        rc = parse_unsigned(arg, &c->principals);
        break;
    case OPT_REGIONS:
        rc = parse_unsigned(arg, &c->regions);
        break;
    case OPT_JOBS:
        rc = parse_unsigned(arg, &c->jobs);
        break;
    case OPT_LEVEL:
        rc = parse_uint(arg, 12, &v);
        c->gzip_level = (int)v;
        break;
    default:
        rc = CM_EINVAL;
        break;
    }
    return rc;
}

/* What option opt takes, for the message that refuses a value. */
static const char *wanted(int opt)
{
    switch (opt) {
    case OPT_START:
        return "a whole minute, YYYY-MM-DDTHH:MMZ (2026-01-05T00:00Z)";
    case OPT_SCALE:
        return "a number above 0 (1.5)";
    case OPT_KINDS:
        return "a comma list of cloudtrail, vpcflow and dns";
    case OPT_FLOWFMT:
        return "default, custom or mixed";
    case OPT_DELIVERY:
        return "s3, cloudwatch-export or firehose";
    case OPT_LEVEL:
        return "a level from 1 to 12";
    default:
        return "a whole number";
    }
}

static int apply(int opt, const char *name, const char *arg, struct cm_gen_config *c)
{
    int rc = 0;

    switch (opt) {
    case OPT_OUT:
        c->out_dir = arg;
        return 0;
    case OPT_START:
        rc = parse_start(arg, &c->start_s);
        break;
    case OPT_SCALE:
        rc = parse_scale(arg, &c->scale);
        break;
    case OPT_KINDS:
        rc = parse_kinds(arg, &c->kinds);
        break;
    case OPT_NOGZIP:
        c->gzip = false;
        return 0;
    case OPT_FLOWFMT:
        rc = parse_flow_format(arg, &c->flow_format);
        break;
    case OPT_DELIVERY:
        rc = parse_delivery(arg, &c->delivery);
        break;
    default:
        rc = apply_numeric(opt, arg, c);
        break;
    }
    if (rc != 0) {
        return usage_error("--%s: bad value '%s': %s", name, arg, wanted(opt));
    }
    return 0;
}

/* The scenarios picked with --scenario, kept in table order whatever the order of the options. */
struct picks {
    bool *on;                            /* by index into cm_gen_scenarios */
    size_t n;                            /* scenarios in the table */
    const struct cm_gen_scenario **list; /* NULL-terminated, for cm_gen_config.scenarios */
};

/* Picks the scenario called name, or every one for "all". Returns 0 or CM_ENOTFOUND. */
static int pick(struct picks *p, const char *name)
{
    bool all = strcmp(name, "all") == 0;
    int rc = all ? 0 : CM_ENOTFOUND;
    size_t i;

    for (i = 0; i < p->n; i++) {
        if (all || strcmp(name, cm_gen_scenarios[i]->name) == 0) {
            p->on[i] = true;
            rc = 0;
        }
    }
    return rc;
}

/* Fills p->list from p->on; c->scenarios points at it (NULL when none is picked). */
static void picks_apply(struct picks *p, struct cm_gen_config *c)
{
    size_t i, k = 0;

    for (i = 0; i < p->n; i++) {
        if (p->on[i]) {
            p->list[k++] = cm_gen_scenarios[i];
        }
    }
    p->list[k] = NULL;
    c->scenarios = k ? (const struct cm_gen_scenario *const *)p->list : NULL;
}

/* The scenarios: columns, or with json one {"name","findingTypes":[...]} a line. */
static int list_scenarios(bool json)
{
    struct cm_buf b;
    int rc = 0;

    cm_buf_init(&b, 0);
    for (size_t i = 0; rc == 0 && cm_gen_scenarios[i] != NULL; i++) {
        const struct cm_gen_scenario *sc = cm_gen_scenarios[i];
        struct cm_jw jw;

        if (!json) {
            printf("%-32s %s\n", sc->name, sc->finding_types);
            continue;
        }
        cm_buf_reset(&b);
        cm_jw_init(&jw, &b);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, sc->name);
        cm_jw_key(&jw, "findingTypes");
        cm_jw_arr_begin(&jw);
        for (const char *t = sc->finding_types; *t;) {
            size_t n = strcspn(t, ",");

            cm_jw_strn(&jw, t, n);
            t += n + (t[n] == ',');
        }
        cm_jw_arr_end(&jw);
        cm_jw_obj_end(&jw);
        if ((rc = cm_jw_finish(&jw)) == 0) {
            printf("%s\n", b.p);
        }
    }
    cm_buf_finish(&b);
    return rc;
}

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1u : (n > 8 ? 8u : (unsigned)n);
}

static int parse_args(int argc, char **argv, struct cm_gen_config *c, struct picks *p)
{
    const char *why, *format = NULL;
    bool list = false;
    int opt, rc, li = 0;

#ifdef __GLIBC__
    optind = 0;
#else
    optind = 1;
#endif
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", long_opts, &li)) != -1) {
        if (opt == OPT_HELP) {
            fputs(usage_text, stdout);
            return -1;
        }
        if (opt == OPT_LIST_SCENARIOS) {
            list = true;
            continue;
        }
        if (opt == OPT_FORMAT) {
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                return usage_error("--format: bad value '%s' (text, json)", optarg);
            }
            format = optarg;
            continue;
        }
        if (opt == '?' || opt == ':') {
            if (opt == ':') {
                return usage_error("option '%s' needs a value", argv[optind - 1]);
            }
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
        if (opt == OPT_SCENARIO) {
            if (pick(p, optarg) != 0) {
                return usage_error("unknown scenario '%s' (see --list-scenarios)", optarg);
            }
            continue;
        }
        rc = apply(opt, long_opts[li].name, optarg, c);
        if (rc != 0) {
            return rc;
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s'", argv[optind]);
    }
    if (list) {
        if ((rc = list_scenarios(format != NULL && strcmp(format, "json") == 0)) != 0) {
            fprintf(stderr, "coalmine gen: %s\n", cm_strerror(rc));
            return CM_EXIT_ERROR;
        }
        return -1;
    }
    if (format != NULL) {
        return usage_error("%s", "--format goes with --list-scenarios (a corpus has no format)");
    }
    if (c->out_dir == NULL || c->out_dir[0] == '\0') {
        return usage_error("%s", "--out DIR is required");
    }
    if (cm_gen_config_check(c, &why) != 0) {
        return usage_error("%s", why);
    }
    picks_apply(p, c);
    return 0;
}

static void report(const struct cm_gen_stats *st, double secs)
{
    uint64_t files = 0, recs = 0, bytes = 0, disk = 0;
    int k;

    for (k = 0; k < CM_GEN_NKINDS; k++) {
        files += st->files[k];
        recs += st->records[k];
        bytes += st->bytes[k];
        disk += st->disk_bytes[k];
    }
    log_info("gen: %llu files (cloudtrail %llu, vpcflow %llu, dns %llu), %llu records, "
             "%.1f MB (%.1f MB on disk) in %.2f s, %.0f MB/s",
             (unsigned long long)files, (unsigned long long)st->files[CM_GEN_CLOUDTRAIL],
             (unsigned long long)st->files[CM_GEN_VPCFLOW],
             (unsigned long long)st->files[CM_GEN_DNS], (unsigned long long)recs, bytes / 1e6,
             disk / 1e6, secs, secs > 0 ? bytes / 1e6 / secs : 0.0);
}

static int gen_main(struct cm_gen_config *c, struct picks *p, int argc, char **argv)
{
    struct cm_gen_stats st;
    struct stat sb;
    char path[4096];
    double t0;
    int rc;

    rc = parse_args(argc, argv, c, p);
    if (rc != 0) {
        return rc < 0 ? CM_EXIT_OK : rc;
    }
    snprintf(path, sizeof(path), "%s/%s", c->out_dir, cm_gen_top_dir(c));
    if (stat(path, &sb) == 0) {
        fprintf(stderr, "coalmine gen: %s already exists; remove it or choose another --out\n",
                path);
        return CM_EXIT_ERROR;
    }
    t0 = cm_clock_mono_s();
    rc = cm_gen_run(c, &st);
    if (rc != 0) {
        fprintf(stderr, "coalmine gen: writing %s failed: %s\n", c->out_dir, cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    rc = cm_gen_scenario_lists(c);
    if (rc != 0) {
        fprintf(stderr, "coalmine gen: writing %s/intel failed: %s\n", c->out_dir, cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    report(&st, cm_clock_mono_s() - t0);
    if (c->scenarios != NULL) {
        log_info("gen: scenario lists in %s/intel (scan with the options of args.txt)", c->out_dir);
    }
    return CM_EXIT_OK;
}

static int gen_run(int argc, char **argv)
{
    struct cm_gen_config c;
    struct picks p;
    int rc;

    cm_gen_config_init(&c);
    c.jobs = default_jobs();
    for (p.n = 0; cm_gen_scenarios[p.n] != NULL; p.n++) {
    }
    p.on = cm_calloc(p.n + 1, sizeof(*p.on));
    p.list = cm_calloc(p.n + 1, sizeof(*p.list));
    if (p.on == NULL || p.list == NULL) {
        fprintf(stderr, "coalmine gen: out of memory\n");
        rc = CM_EXIT_ERROR;
        goto out;
    }
    rc = gen_main(&c, &p, argc, argv);
out:
    cm_free(p.on);
    cm_free(p.list);
    return rc;
}

const struct cm_cmd cm_cmd_gen = {
    .name = "gen",
    .summary = "write a realistic synthetic AWS log corpus (CloudTrail, flow, DNS)",
    .run = gen_run,
};
