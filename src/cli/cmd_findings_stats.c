/*
 * coalmine findings stats: the selected findings counted by severity, type,
 * resource, account, day or region, as a table or as the
 * GetFindingsStatistics response (groupedBy* lists, countBySeverity).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "finding/finding.h"
#include "store/store.h"

#define NGROUPS 6

/* Per grouping: the response member, its key member, and the table's column title. */
static const struct {
    const char *member, *key, *title;
} groups[NGROUPS] = {
    [CM_GROUP_SEVERITY] = {"groupedBySeverity", "severity", "SEVERITY"},
    [CM_GROUP_TYPE] = {"groupedByFindingType", "findingType", "FINDING TYPE"},
    [CM_GROUP_RESOURCE] = {"groupedByResource", "resourceId", "RESOURCE"},
    [CM_GROUP_ACCOUNT] = {"groupedByAccount", "accountId", "ACCOUNT"},
    [CM_GROUP_DATE] = {"groupedByDate", "date", "DATE"},
    [CM_GROUP_REGION] = {"groupedByRegion", "region", "REGION"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine findings stats --db FILE [selection] [--group-by G]...\n"
            "                               [--max-results N] [--format table|json]\n"
            "\n"
            "Counts the selected findings (default: the current ones) per group, like\n"
            "GetFindingsStatistics, largest groups first.\n"
            "\n"
            "  -d, --db FILE         the store (must exist)\n"
            "%s"
            "  -g, --group-by G      SEVERITY, FINDING_TYPE, RESOURCE, ACCOUNT, DATE or REGION\n"
            "                        (repeatable; default SEVERITY, FINDING_TYPE and RESOURCE)\n"
            "  -n, --max-results N   groups per grouping (default 25; 0: all)\n"
            "  -f, --format FMT      table (default) or json (the GetFindingsStatistics\n"
            "                        response; countBySeverity comes with SEVERITY and\n"
            "                        counts every severity)\n"
            "  -h, --help            this help\n",
            cm_fsel_help);
}

struct stats_out {
    enum cm_store_group by;
    struct cm_jw *jw; /* json; NULL: table */
    uint64_t total;
    int width; /* the table's first column: KEY_WIDTH, or its widest key */
};

#define KEY_WIDTH 50

static void time_text(int64_t ms, char *out, size_t n)
{
    if (ms > 0) {
        cm_time_format_iso(ms, out, n);
    } else {
        snprintf(out, n, "-");
    }
}

/* A model timestamp as the API writes it: epoch seconds, a JSON number (spec §2.1). */
static void json_epoch(struct cm_jw *jw, int64_t ms)
{
    if (ms % 1000 == 0) {
        cm_jw_i64(jw, ms / 1000);
    } else {
        cm_jw_f64(jw, (double)ms / 1000.0);
    }
}

/* The first millisecond of a "YYYY-MM-DD" day, UTC. */
static bool day_start(const char *day, int64_t *ms)
{
    char iso[32];

    if (day == NULL || strlen(day) != 10) {
        return false;
    }
    snprintf(iso, sizeof(iso), "%sT00:00:00Z", day);
    return cm_time_parse_iso(cm_str_cstr(iso), ms) == 0;
}

static int json_row(struct stats_out *o, const struct cm_store_stat *s)
{
    struct cm_jw *jw = o->jw;
    int64_t day_ms;

    cm_jw_obj_begin(jw);
    cm_jw_key(jw, groups[o->by].key);
    if (o->by == CM_GROUP_SEVERITY) {
        cm_jw_f64(jw, s->severity);
    } else if (o->by == CM_GROUP_DATE && day_start(s->key, &day_ms)) {
        /* DateStatistics.Date is a timestamp too: the day's first second. */
        json_epoch(jw, day_ms);
    } else {
        cm_jw_str(jw, s->key);
    }
    if (o->by == CM_GROUP_RESOURCE) {
        cm_jw_key(jw, "resourceType");
        cm_jw_str(jw, s->resource_type ? s->resource_type : "");
        cm_jw_key(jw, "accountId");
        cm_jw_str(jw, s->account_id ? s->account_id : "");
    }
    if (o->by == CM_GROUP_DATE) {
        cm_jw_key(jw, "severity");
        cm_jw_f64(jw, s->severity);
    }
    cm_jw_key(jw, "totalFindings");
    cm_jw_u64(jw, s->total);
    if (s->last_ms > 0) {
        cm_jw_key(jw, "lastGeneratedAt");
        json_epoch(jw, s->last_ms);
    }
    cm_jw_obj_end(jw);
    return jw->err;
}

/* The first pass over a table's rows: widens the first column to its widest key. */
static int measure(void *ud, const struct cm_store_stat *s)
{
    struct stats_out *o = ud;
    size_t n = s->key ? strlen(s->key) : 0;

    if (o->by != CM_GROUP_SEVERITY && n > (size_t)o->width && n < 512) {
        o->width = (int)n;
    }
    return CM_OK;
}

static int one_group(void *ud, const struct cm_store_stat *s)
{
    struct stats_out *o = ud;
    char ts[32], key[64];
    int w = o->width;

    if (o->jw) {
        return json_row(o, s);
    }
    time_text(s->last_ms, ts, sizeof(ts));
    if (o->by == CM_GROUP_SEVERITY) {
        snprintf(key, sizeof(key), "%s (%s)", cm_severity_label(s->severity), s->key);
        printf("  %-*s %8llu  %s\n", w, key, (unsigned long long)s->total, ts);
    } else if (o->by == CM_GROUP_RESOURCE) {
        printf("  %-*s %8llu  %-24s  %-12s %s\n", w, s->key, (unsigned long long)s->total, ts,
               s->resource_type ? s->resource_type : "-", s->account_id ? s->account_id : "-");
    } else if (o->by == CM_GROUP_DATE) {
        printf("  %-*s %8llu  %-24s  %.1f\n", w, s->key, (unsigned long long)s->total, ts,
               s->severity);
    } else {
        printf("  %-*s %8llu  %s\n", w, s->key, (unsigned long long)s->total, ts);
    }
    return CM_OK;
}

static int count_by_severity(void *ud, const struct cm_store_stat *s)
{
    struct stats_out *o = ud;

    o->total += s->total;
    if (o->jw) {
        cm_jw_key(o->jw, s->key);
        cm_jw_u64(o->jw, s->total);
        return o->jw->err;
    }
    return CM_OK;
}

static void table_title(enum cm_store_group by, int width)
{
    printf("\n  %-*s %8s  ", width, groups[by].title, "FINDINGS");
    if (by == CM_GROUP_RESOURCE) {
        printf("%-24s  %-12s %s\n", "LAST GENERATED", "TYPE", "ACCOUNT");
    } else if (by == CM_GROUP_DATE) {
        printf("%-24s  %s\n", "LAST GENERATED", "MAX SEVERITY");
    } else {
        printf("%s\n", "LAST GENERATED");
    }
}

/* Writes every grouping; err gets the store's message. */
static int write_stats(struct cm_store *st, const struct cm_store_query *q,
                       const enum cm_store_group *by, size_t nby, size_t limit, struct cm_jw *jw,
                       char *err, size_t errlen)
{
    struct stats_out o = {.jw = NULL};
    int rc;

    if (jw == NULL) { /* the total first */
        o.by = CM_GROUP_SEVERITY;
        rc = cm_store_stats(st, q, CM_GROUP_SEVERITY, 0, count_by_severity, &o, err, errlen);
        if (rc != 0) {
            return rc;
        }
        printf("%llu finding%s\n", (unsigned long long)o.total, o.total == 1 ? "" : "s");
    }
    o.jw = jw;
    for (size_t i = 0; i < nby; i++) {
        o.by = by[i];
        if (jw) {
            cm_jw_key(jw, groups[by[i]].member);
            cm_jw_arr_begin(jw);
        } else {
            /* Two passes: a finding type or bucket wider than the column widens it. */
            o.width = KEY_WIDTH;
            rc = cm_store_stats(st, q, by[i], limit, measure, &o, err, errlen);
            if (rc != 0) {
                return rc;
            }
            table_title(by[i], o.width);
        }
        rc = cm_store_stats(st, q, by[i], limit, one_group, &o, err, errlen);
        if (rc != 0) {
            return rc;
        }
        if (jw == NULL) {
            continue;
        }
        cm_jw_arr_end(jw);
        if (by[i] == CM_GROUP_SEVERITY) {
            cm_jw_key(jw, "countBySeverity");
            cm_jw_obj_begin(jw);
            rc = cm_store_stats(st, q, CM_GROUP_SEVERITY, 0, count_by_severity, &o, err, errlen);
            if (rc != 0) {
                return rc;
            }
            cm_jw_obj_end(jw);
        }
    }
    return CM_OK;
}

static int add_group(const char *arg, enum cm_store_group *by, size_t *n)
{
    enum cm_store_group g;

    if (cm_store_group_parse(arg, &g) != 0) {
        fprintf(stderr,
                "coalmine findings: --group-by '%s': SEVERITY, FINDING_TYPE, RESOURCE, ACCOUNT, "
                "DATE or REGION\n",
                arg);
        return CM_EXIT_USAGE;
    }
    for (size_t i = 0; i < *n; i++) {
        if (by[i] == g) {
            return CM_EXIT_OK; /* once is enough */
        }
    }
    by[(*n)++] = g;
    return CM_EXIT_OK;
}

static int run_stats(struct cm_fsel *sel, const char *db, const enum cm_store_group *by, size_t nby,
                     size_t limit, bool json)
{
    static const enum cm_store_group defaults[] = {CM_GROUP_SEVERITY, CM_GROUP_TYPE,
                                                   CM_GROUP_RESOURCE};
    struct cm_store *st = NULL;
    struct cm_store_query q;
    struct cm_buf b;
    struct cm_jw jw;
    char err[512] = "";
    int rc;

    if (cm_fsel_compile(sel) != 0 || cm_cli_open_store("findings", db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_fsel_query(sel, &q);
    if (nby == 0) {
        by = defaults;
        nby = sizeof(defaults) / sizeof(defaults[0]);
    }
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "findingStatistics");
    cm_jw_obj_begin(&jw);
    rc = write_stats(st, &q, by, nby, limit, json ? &jw : NULL, err, sizeof(err));
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    if (rc == 0 && json && (rc = cm_jw_finish(&jw)) == 0) {
        printf("%s\n", b.p);
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: %s: %s\n", db, err[0] ? err : cm_strerror(rc));
    }
    cm_buf_finish(&b);
    cm_store_close(st);
    return rc == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
}

int cm_findings_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"group-by", required_argument, NULL, 'g'},
        {"max-results", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        CM_FSEL_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    enum cm_store_group by[NGROUPS];
    struct cm_fsel sel;
    const char *db = NULL;
    unsigned long long max = 25;
    size_t nby = 0;
    bool json = false;
    int c, rc, status = CM_EXIT_USAGE;

    cm_fsel_init(&sel, "findings");
    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:f:g:n:h", longopts, NULL)) != -1) {
        if ((rc = cm_fsel_option(&sel, c, optarg)) != 0) {
            if (rc != 1) {
                goto done;
            }
            continue;
        }
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (cm_list_format_table_or_json("findings", optarg, &json) != 0) {
                goto done;
            }
            break;
        case 'g':
            if (add_group(optarg, by, &nby) != 0) {
                goto done;
            }
            break;
        case 'n':
            if (cm_cli_parse_count(optarg, 1000000000ULL, &max) != 0) {
                fprintf(stderr, "coalmine findings: --max-results wants a count (0: all)\n");
                goto done;
            }
            break;
        case 'h':
            usage(stdout);
            status = CM_EXIT_OK;
            goto done;
        default:
            usage(stderr);
            goto done;
        }
    }
    if ((status = cm_cli_no_args("findings", "stats", db, argc, argv)) != 0) {
        goto done;
    }
    status = run_stats(&sel, db, by, nby, (size_t)max, json);
done:
    cm_fsel_finish(&sel);
    fflush(stdout);
    return status;
}
