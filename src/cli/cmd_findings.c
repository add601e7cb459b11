/*
 * coalmine findings: the stored findings, as GuardDuty's findings API offers
 * them. This file holds the subcommand table and the subcommands that change
 * or list findings (list, archive, unarchive, feedback); get, stats, sample
 * and export live in cmd_findings_*.c. Shared flags: findings_cli.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "store/store.h"

static const struct cm_cmd subcommands[] = {
    {"list", "list stored findings (ListFindings)", cm_findings_list},
    {"get", "print findings by id, with their evidence (GetFindings)", cm_findings_get},
    {"archive", "archive findings (ArchiveFindings)", cm_findings_archive},
    {"unarchive", "make archived findings current again (UnarchiveFindings)",
     cm_findings_unarchive},
    {"feedback", "mark findings USEFUL or NOT_USEFUL (UpdateFindingsFeedback)",
     cm_findings_feedback},
    {"stats", "count findings by severity, type, resource, ... (GetFindingsStatistics)",
     cm_findings_stats},
    {"sample", "store a sample finding of each type (CreateSampleFindings)", cm_findings_sample},
    {"export", "write every matching finding as JSON Lines", cm_findings_export},
    {"publish", "export owed findings to the publishing destinations' S3 buckets",
     cm_findings_publish},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine findings <subcommand> --db FILE [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 10);
    fprintf(f, "\nRun 'coalmine findings <subcommand> --help' for its options. Exit status: 0\n"
               "success, 1 error, 2 usage error.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand("findings", subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_findings = {
    .name = "findings",
    .summary = "list, inspect, archive and export stored findings",
    .run = run,
};

/* ---- list ---- */

static void list_usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine findings list --db FILE [selection] [--sort ATTR[:asc|:desc]]\n"
            "                              [--max-results N] [--next-token T]\n"
            "                              [--format table|ids|json|eventbridge|ocsf|api|cli]\n"
            "\n"
            "Lists stored findings, like ListFindings; by default the 50 most recently\n"
            "updated current (not archived) findings.\n"
            "\n"
            "  -d, --db FILE         the store (must exist)\n"
            "%s%s"
            "  -n, --max-results N   findings per page (default 50; 0: all)\n"
            "      --next-token T    the page after the one that printed T\n"
            "  -f, --format FMT      table (default), ids (one per line), json (GuardDuty\n"
            "                        API form, one per line), eventbridge, ocsf, api\n"
            "                        (the ListFindings response {\"findingIds\",\"nextToken\"})\n"
            "                        or cli (what `aws guardduty list-findings` prints:\n"
            "                        {\"FindingIds\"}, and NextToken when a page is left)\n"
            "  -h, --help            this help\n"
            "\n"
            "When there are more pages, the token of the next one is printed on stderr as\n"
            "\"next token: T\" (in the api form: nextToken).\n",
            cm_fsel_help, cm_fsort_help);
}

static int list_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    (void)doc;
    (void)len;
    return cm_printer_add(ud, f);
}

/* Prints one page of the selection. Returns the exit status. */
static int run_list(struct cm_fsel *sel, const char *db, size_t max, const char *token,
                    enum cm_list_format fmt)
{
    struct cm_store *st = NULL;
    struct cm_store_query q;
    struct cm_printer pr;
    char next[CM_STORE_TOKEN_MAX] = "", err[512] = "";
    int rc;

    if (cm_fsel_compile(sel) != 0 || cm_cli_open_store("findings", db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_fsel_query(sel, &q);
    q.limit = max;
    q.next_token = token;
    cm_printer_init(&pr, stdout, fmt);
    rc = cm_store_query(st, &q, list_row, &pr, next, err, sizeof(err));
    cm_store_close(st);
    if (rc != 0) {
        cm_printer_end(&pr, NULL);
        fprintf(stderr, "coalmine findings: %s: %s\n", rc == CM_EINVAL ? "--next-token" : db,
                err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    if (cm_printer_end(&pr, next) != 0) {
        fprintf(stderr, "coalmine findings: a finding could not be written\n");
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

int cm_findings_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"max-results", required_argument, NULL, 'n'},
        {"next-token", required_argument, NULL, CM_OPT_NEXT_TOKEN},
        {"help", no_argument, NULL, 'h'},
        CM_FSEL_LONGOPTS,
        CM_FSORT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct cm_fsel sel;
    enum cm_list_format fmt = CM_LIST_TABLE;
    const char *db = NULL, *token = NULL;
    unsigned long long max = 50;
    int c, rc, status = CM_EXIT_USAGE;

    cm_fsel_init(&sel, "findings");
    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:f:n:h", longopts, NULL)) != -1) {
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
            if (cm_list_format_parse("findings", optarg, CM_LIST_ALL, &fmt) != 0) {
                goto done;
            }
            break;
        case 'n':
            if (cm_cli_parse_count(optarg, 1000000000ULL, &max) != 0) {
                fprintf(stderr, "coalmine findings: --max-results wants a count (0: all)\n");
                goto done;
            }
            break;
        case CM_OPT_NEXT_TOKEN:
            token = optarg;
            break;
        case 'h':
            list_usage(stdout);
            status = CM_EXIT_OK;
            goto done;
        default:
            list_usage(stderr);
            goto done;
        }
    }
    status = cm_cli_no_args("findings", "list", db, argc, argv);
    if (status == 0) {
        status = run_list(&sel, db, (size_t)max, token, fmt);
    }
done:
    cm_fsel_finish(&sel);
    fflush(stdout);
    return status;
}

/* ---- archive, unarchive, feedback ---- */

enum change { ARCHIVE, UNARCHIVE, FEEDBACK };

static void change_usage(FILE *f, enum change what)
{
    static const char *const help[] = {
        [ARCHIVE] = "usage: coalmine findings archive --db FILE ID...\n\n"
                    "Archives the findings (ArchiveFindings): list shows them only with\n"
                    "--archived true or all. Every id must exist, or nothing changes.\n",
        [UNARCHIVE] = "usage: coalmine findings unarchive --db FILE ID...\n\n"
                      "Makes archived findings current again (UnarchiveFindings). Every id\n"
                      "must exist, or nothing changes.\n",
        [FEEDBACK] = "usage: coalmine findings feedback --db FILE --feedback USEFUL|NOT_USEFUL\n"
                     "                                  [--comments TEXT] ID...\n\n"
                     "Records feedback on the findings (UpdateFindingsFeedback): it becomes\n"
                     "service.userFeedback in their document. Every id must exist, or nothing\n"
                     "changes.\n",
    };
    fputs(help[what], f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * How many different findings the n ids name: an id given twice is changed
 * once and counted once. -1 when out of memory.
 */
static long distinct_ids(char *const *ids, size_t n)
{
    const char **v = cm_malloc((n ? n : 1) * sizeof(*v));
    long k = 0;

    if (v == NULL) {
        return -1;
    }
    memcpy(v, ids, n * sizeof(*v));
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++) {
        k += i == 0 || strcmp(v[i - 1], v[i]) != 0;
    }
    cm_free(v);
    return k;
}

static int need_ids(const char *sub)
{
    fprintf(stderr, "coalmine findings: %s: no finding ID given\n", sub);
    return CM_EXIT_USAGE;
}

static int change(int argc, char **argv, enum change what)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"feedback", required_argument, NULL, CM_OPT_FEEDBACK},
        {"comments", required_argument, NULL, CM_OPT_COMMENTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const done_msg[] = {"archived", "unarchived", "recorded feedback on"};
    const char *db = NULL, *feedback = NULL, *comments = NULL;
    struct cm_store *st = NULL;
    char err[512] = "";
    size_t n;
    long distinct;
    int c, rc;

    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:h", longopts, NULL)) != -1) {
        if (c == 'd') {
            db = optarg;
        } else if (c == CM_OPT_FEEDBACK && what == FEEDBACK) {
            feedback = optarg;
        } else if (c == CM_OPT_COMMENTS && what == FEEDBACK) {
            comments = optarg;
        } else if (c == 'h') {
            change_usage(stdout, what);
            return CM_EXIT_OK;
        } else {
            change_usage(stderr, what);
            return CM_EXIT_USAGE;
        }
    }
    if (db == NULL) {
        return cm_cli_no_args("findings", argv[0], db, argc, argv);
    }
    if (optind >= argc) {
        return need_ids(argv[0]);
    }
    if (what == FEEDBACK && feedback == NULL) {
        fprintf(stderr,
                "coalmine findings: feedback: --feedback USEFUL or NOT_USEFUL is required\n");
        return CM_EXIT_USAGE;
    }
    if (what == FEEDBACK && strcmp(feedback, "USEFUL") != 0 &&
        strcmp(feedback, "NOT_USEFUL") != 0) {
        fprintf(stderr, "coalmine findings: feedback: --feedback '%s': USEFUL or NOT_USEFUL\n",
                feedback);
        return CM_EXIT_USAGE;
    }
    if (cm_cli_open_store("findings", db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    n = (size_t)(argc - optind);
    if (what == FEEDBACK) {
        rc = cm_store_set_feedback(st, (const char *const *)(argv + optind), n, feedback, comments,
                                   err, sizeof(err));
    } else {
        rc = cm_store_set_archived(st, (const char *const *)(argv + optind), n, what == ARCHIVE,
                                   err, sizeof(err));
    }
    cm_store_close(st);
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: %s: %s\n", rc == CM_ENOTFOUND ? argv[0] : db,
                err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    distinct = distinct_ids(argv + optind, n);
    if (distinct < 0) {
        fprintf(stderr, "%s the findings\n", done_msg[what]);
    } else {
        fprintf(stderr, "%s %ld finding%s\n", done_msg[what], distinct, distinct == 1 ? "" : "s");
    }
    return CM_EXIT_OK;
}

int cm_findings_archive(int argc, char **argv)
{
    return change(argc, argv, ARCHIVE);
}

int cm_findings_unarchive(int argc, char **argv)
{
    return change(argc, argv, UNARCHIVE);
}

int cm_findings_feedback(int argc, char **argv)
{
    return change(argc, argv, FEEDBACK);
}
