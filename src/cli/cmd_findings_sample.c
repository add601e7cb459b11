/*
 * coalmine findings sample: stores one GuardDuty-style sample finding
 * (additionalInfo.sample true) per finding type, like CreateSampleFindings,
 * and prints those the store's ARCHIVE filters did not archive. Every sample
 * is built before the store is opened, and all are written in one batch.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "core/clock.h"
#include "event/event.h"
#include "cli/findings_out.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"
#include "store/store.h"

#define MAX_TYPES 512

static void usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine findings sample --db FILE [--finding-types T,T,...]\n"
            "                                [--account ID] [--region R] [--detector-id ID]\n"
            "                                [--format table|ids|json|eventbridge|ocsf|api|cli]\n"
            "\n"
            "Stores a sample finding of each type, like CreateSampleFindings (the store\n"
            "is created when absent). Samples the store's ARCHIVE filters match are\n"
            "stored archived and not printed. Says on stderr how many were stored.\n"
            "\n"
            "  -d, --db FILE           the store (created when absent)\n"
            "  -t, --finding-types T   types to sample (repeatable, or T,T,...; default:\n"
            "                          every active type; see docs/finding-types.md)\n"
            "      --account ID        account of the samples, 12 digits (default\n"
            "                          123456789012)\n"
            "      --region R          region of the samples (default us-east-1)\n"
            "      --detector-id ID    detector id, letters and digits (default\n"
            "                          " CM_DEFAULT_DETECTOR_ID ")\n"
            "  -f, --format FMT        print the stored samples (default: nothing)\n"
            "  -h, --help              this help\n");
}

struct sample_opts {
    const char *db, *account, *region, *detector;
    const char *types[MAX_TYPES];
    size_t ntypes;
    enum cm_list_format fmt;
};

/*
 * Adds the comma-separated types of arg, each known and once. Returns 0 or CM_EXIT_USAGE
 * (a bad option value, as a bad --account is).
 */
static int add_types(struct sample_opts *o, char *arg)
{
    for (char *p = arg, *comma; p; p = comma ? comma + 1 : NULL) {
        bool dup = false;
        comma = strchr(p, ',');
        if (comma) {
            *comma = '\0';
        }
        if (cm_finding_type_info(p) == NULL) {
            const struct cm_finding_type_info *like = cm_finding_type_like(cm_str_cstr(p));

            fprintf(stderr, "coalmine findings: --finding-types: unknown finding type '%s'", p);
            if (like != NULL) {
                fprintf(stderr, " (did you mean '%s'? types are case-sensitive)", like->type);
            }
            fprintf(stderr, "\n");
            return CM_EXIT_USAGE;
        }
        for (size_t i = 0; i < o->ntypes; i++) {
            dup = dup || strcmp(o->types[i], p) == 0;
        }
        if (!dup && o->ntypes == MAX_TYPES) {
            fprintf(stderr, "coalmine findings: --finding-types: too many types\n");
            return CM_EXIT_USAGE;
        }
        if (!dup) {
            o->types[o->ntypes++] = p;
        }
    }
    return CM_EXIT_OK;
}

static void all_active_types(struct sample_opts *o)
{
    size_t n;
    const struct cm_finding_type_info *t = cm_finding_types(&n);

    for (size_t i = 0; i < n && o->ntypes < MAX_TYPES; i++) {
        if (t[i].status == CM_TYPE_ACTIVE) {
            o->types[o->ntypes++] = t[i].type;
        }
    }
}

static int store_and_print(const struct sample_opts *o, struct cm_store_put *puts)
{
    struct cm_store *st = NULL;
    struct cm_printer pr;
    char err[512] = "";
    size_t archived = 0;
    int rc;

    if (cm_cli_open_store("findings", o->db, CM_STORE_CREATE, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    rc = cm_store_put_findings(st, puts, o->ntypes, err, sizeof(err));
    cm_store_close(st);
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: %s: %s\n", o->db, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    cm_printer_init(&pr, stdout, o->fmt);
    for (size_t i = 0; i < o->ntypes && rc == 0; i++) {
        if (puts[i].archived) {
            archived++;
            continue; /* suppressed: stored archived, never published */
        }
        rc = cm_printer_add(&pr, puts[i].f);
    }
    if (cm_printer_end(&pr, NULL) != 0 || rc != 0) {
        fprintf(stderr, "coalmine findings: a finding could not be written\n");
        return CM_EXIT_ERROR;
    }
    fprintf(stderr, "%zu sample findings stored (%zu archived by filters)\n", o->ntypes, archived);
    return CM_EXIT_OK;
}

static int build_and_store(const struct sample_opts *o)
{
    struct cm_finding_ctx ctx = {.detector_id = o->detector};
    struct cm_finding *fs = cm_calloc(o->ntypes, sizeof(*fs));
    struct cm_store_put *puts = cm_calloc(o->ntypes, sizeof(*puts));
    int64_t now = cm_clock_now_ms();
    size_t built = 0;
    int rc, status = CM_EXIT_ERROR;

    if (fs == NULL || puts == NULL) {
        fprintf(stderr, "coalmine findings: sample: %s\n", cm_strerror(CM_ENOMEM));
        goto done;
    }
    for (; built < o->ntypes; built++) {
        cm_finding_init(&fs[built]);
        rc = cm_finding_sample(&fs[built], &ctx, o->account, o->region, o->types[built], now);
        if (rc != 0) {
            fprintf(stderr, "coalmine findings: sample: %s: %s\n", o->types[built],
                    cm_strerror(rc));
            built++;
            goto done;
        }
        puts[built].f = &fs[built];
    }
    status = store_and_print(o, puts);
done:
    for (size_t i = 0; i < built; i++) {
        cm_finding_finish(&fs[i]);
    }
    cm_free(fs);
    cm_free(puts);
    return status;
}

#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

/* Whether s is min..max characters, each of them in set. */
static bool chars_ok(const char *s, size_t min, size_t max, const char *set)
{
    size_t n = strlen(s);

    return n >= min && n <= max && strspn(s, set) == n;
}

static int bad_value(const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "coalmine findings: sample: %s '%s': %s\n", opt, arg, why);
    return CM_EXIT_USAGE;
}

int cm_findings_sample(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"finding-types", required_argument, NULL, 't'},
        {"account", required_argument, NULL, CM_OPT_ACCOUNT},
        {"region", required_argument, NULL, CM_OPT_REGION},
        {"detector-id", required_argument, NULL, CM_OPT_DETECTOR_ID},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sample_opts o = {
        .account = "123456789012",
        .region = "us-east-1",
        .detector = CM_DEFAULT_DETECTOR_ID,
        .fmt = CM_LIST_NONE,
    };
    int c;

    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:t:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.db = optarg;
            break;
        case 't':
            if (add_types(&o, optarg) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case CM_OPT_ACCOUNT:
            if (!cm_account_id_ok(cm_str_cstr(optarg))) {
                return bad_value("--account", optarg, "an account id is 12 digits");
            }
            o.account = optarg;
            break;
        case CM_OPT_REGION:
            if (!cm_region_name_ok(cm_str_cstr(optarg))) {
                return bad_value("--region", optarg, "not a region name like us-east-1");
            }
            o.region = optarg;
            break;
        case CM_OPT_DETECTOR_ID:
            if (!chars_ok(optarg, 1, 300, LOWER UPPER DIGITS)) {
                return bad_value("--detector-id", optarg, "1 to 300 letters and digits");
            }
            o.detector = optarg;
            break;
        case 'f':
            if (cm_list_format_parse("findings", optarg, CM_LIST_ALL | CM_LIST_MASK(CM_LIST_NONE),
                                     &o.fmt) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return CM_EXIT_OK;
        default:
            usage(stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (cm_cli_no_args("findings", "sample", o.db, argc, argv) != 0) {
        return CM_EXIT_USAGE;
    }
    if (o.ntypes == 0) {
        all_active_types(&o);
    }
    return build_and_store(&o);
}
