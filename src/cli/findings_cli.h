/*
 * What the `coalmine findings` and `coalmine filters` subcommands share: the
 * option codes, the selection flags that become a store query (a user
 * FindingCriteria plus one built from --type, --severity-min, ...), JSON
 * arguments given inline or as file://PATH, opening the store, and the
 * printer of finding lists (table, ids, JSON forms, ListFindings response).
 *
 * Helpers that print report errors as "coalmine <cmd>: <what>: <reason>" on
 * stderr and return the exit status (CM_EXIT_*), or a negative value where
 * noted.
 */
#ifndef CM_CLI_FINDINGS_CLI_H
#define CM_CLI_FINDINGS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/json.h"
#include "finding/criteria.h"
#include "finding/finding.h"
#include "cli/cmd.h"
#include "store/store.h"

/* Long-only option codes (short ones are their letter: d f n o h). */
enum cm_opt {
    CM_OPT_CRITERIA = 0x100,
    CM_OPT_TYPE,
    CM_OPT_SEV_MIN,
    CM_OPT_SEV_MAX,
    CM_OPT_ACCOUNT,
    CM_OPT_REGION,
    CM_OPT_RESOURCE,
    CM_OPT_SINCE,
    CM_OPT_UNTIL,
    CM_OPT_ARCHIVED,
    CM_OPT_TEXT,
    CM_OPT_SORT_CRITERIA,
    CM_OPT_SORT,
    CM_OPT_NEXT_TOKEN,
    CM_OPT_EVIDENCE,
    CM_OPT_FEEDBACK,
    CM_OPT_COMMENTS,
    CM_OPT_GROUP_BY,
    CM_OPT_FINDING_TYPES,
    CM_OPT_DETECTOR_ID,
    CM_OPT_NAME,
    CM_OPT_ACTION,
    CM_OPT_RANK,
    CM_OPT_DESCRIPTION,
    CM_OPT_CLI_INPUT,
};

/* The selection flags, for a getopt_long table. */
#define CM_FSEL_LONGOPTS                                                                           \
    {"finding-criteria", required_argument, NULL, CM_OPT_CRITERIA},                                \
        {"type", required_argument, NULL, CM_OPT_TYPE},                                            \
        {"severity-min", required_argument, NULL, CM_OPT_SEV_MIN},                                 \
        {"severity-max", required_argument, NULL, CM_OPT_SEV_MAX},                                 \
        {"account", required_argument, NULL, CM_OPT_ACCOUNT},                                      \
        {"region", required_argument, NULL, CM_OPT_REGION},                                        \
        {"resource", required_argument, NULL, CM_OPT_RESOURCE},                                    \
        {"since", required_argument, NULL, CM_OPT_SINCE},                                          \
        {"until", required_argument, NULL, CM_OPT_UNTIL},                                          \
        {"archived", required_argument, NULL, CM_OPT_ARCHIVED},                                    \
    {                                                                                              \
        "text", required_argument, NULL, CM_OPT_TEXT                                               \
    }

/* The sort flags. */
#define CM_FSORT_LONGOPTS                                                                          \
    {"sort-criteria", required_argument, NULL, CM_OPT_SORT_CRITERIA},                              \
    {                                                                                              \
        "sort", required_argument, NULL, CM_OPT_SORT                                               \
    }

/* The usage lines of the selection and sort flags. */
extern const char cm_fsel_help[];
extern const char cm_fsort_help[];

#define CM_FSEL_MAX_VALUES CM_CRIT_MAX_EQ_VALUES

enum cm_fsel_archived {
    CM_ARCH_DEFAULT = 0, /* current findings, unless the criteria name service.archived */
    CM_ARCH_FALSE,
    CM_ARCH_TRUE,
    CM_ARCH_ALL,
};

/* A selection of stored findings: caller-owned (cm_fsel_init / cm_fsel_finish). */
struct cm_fsel {
    const char *cmd;          /* "findings", for messages */
    const char *criteria_arg; /* --finding-criteria, inline or file:// */
    const char *types[CM_FSEL_MAX_VALUES];
    size_t ntypes;
    const char *accounts[CM_FSEL_MAX_VALUES];
    size_t naccounts;
    const char *regions[CM_FSEL_MAX_VALUES];
    size_t nregions;
    bool has_sev_min, has_sev_max, has_since, has_until;
    double sev_min, sev_max;
    int64_t since_ms, until_ms;
    enum cm_fsel_archived archived;
    const char *resource, *text;
    /* sort */
    const char *sort_criteria_arg;
    bool sort_given; /* --sort: it and --sort-criteria exclude each other */
    enum cm_store_sort sort;
    bool ascending;
    /* compiled by cm_fsel_compile */
    struct cm_criteria *user, *shortcuts;
    int64_t now_ms;
};

void cm_fsel_init(struct cm_fsel *s, const char *cmd);
void cm_fsel_finish(struct cm_fsel *s);

/*
 * Takes option opt (a CM_OPT_* selection or sort code) with its argument.
 * Returns 1 when taken, 0 when opt is not one of them, CM_EXIT_USAGE (after
 * a message) for a bad value.
 */
int cm_fsel_option(struct cm_fsel *s, int opt, char *arg);

/*
 * Compiles the user's criteria (flags 0) and the shortcuts' criteria, and
 * reads --sort-criteria. Returns CM_EXIT_OK or CM_EXIT_ERROR (reported, with
 * the byte offset and the reason).
 */
int cm_fsel_compile(struct cm_fsel *s);

/* Fills q (zeroed first) from the compiled selection and sort. */
void cm_fsel_query(const struct cm_fsel *s, struct cm_store_query *q);

/*
 * Parses a time argument: ISO 8601 ("2026-01-05T10:00:00Z"), a date
 * ("2026-01-05", midnight UTC), epoch milliseconds, or an age before now_ms
 * ("90s", "30m", "24h", "7d", "2w"). Returns 0, -1, or CM_CLI_TIME_SECONDS
 * for a positive number below CM_CLI_EPOCH_MS_MIN (1973-03-03 in epoch
 * milliseconds, year 5138 in seconds): epoch seconds, which taken as
 * milliseconds would select everything since January 1970.
 */
#define CM_CLI_EPOCH_MS_MIN 100000000000ULL
#define CM_CLI_TIME_SECONDS (-2)
/* ... or CM_CLI_TIME_NO_ZONE for a date and time with no zone. Minutes without
 * seconds ("2026-01-05T10:00Z") and a space for the T are accepted. */
#define CM_CLI_TIME_NO_ZONE (-3)
int cm_cli_parse_time(const char *s, int64_t now_ms, int64_t *out);
/* Why cm_cli_parse_time refused a time, for its nonzero return rc: what is wanted. */
const char *cm_cli_time_why(int rc);

/*
 * getopt_long() for a command's options, with getopt's own messages naming the
 * whole command ("coalmine rules put: unrecognized option '--bogus'") instead of
 * argv[0] alone: parent is the command a subcommand belongs to ("rules"), or
 * NULL when argv[0] is a top-level command. argv[0] is restored before return.
 */
int cm_cli_getopt(const char *parent, int argc, char **argv, const char *shortopts,
                  const struct option *longopts, int *longindex);

/* Parses a decimal count in [0, max]. Returns 0 or -1. */
int cm_cli_parse_count(const char *s, unsigned long long max, unsigned long long *out);

/*
 * The text of a JSON argument: arg itself, or the content of PATH when arg
 * is "file://PATH" (at most max bytes). out is reset first. Returns 0 or
 * CM_EXIT_ERROR (reported as "coalmine <cmd>: <opt>: <reason>").
 */
int cm_cli_arg_text(const char *cmd, const char *opt, const char *arg, size_t max,
                    struct cm_buf *out);

/*
 * Warns on stderr about every value of an equals/notEquals term on "type" that
 * is no finding type ("did you mean" the one that differs only in case): the
 * criterion is valid, as in GuardDuty, but matches nothing (type_hint.c).
 */
void cm_cli_type_hints(const char *cmd, const struct cm_criteria *c);

/* Reports a JSON diagnostic: "coalmine <cmd>: <opt>: byte N (line L): reason". */
void cm_cli_diag(const char *cmd, const char *opt, int rc, const struct cm_diag *d);

/*
 * Checks what is left after the options of subcommand sub: --db was given
 * and no argument remains (optind == argc). Returns 0 or CM_EXIT_USAGE
 * (reported).
 */
int cm_cli_no_args(const char *cmd, const char *sub, const char *db, int argc, char **argv);

/*
 * Opens the store (flags: CM_STORE_CREATE or 0). Returns CM_EXIT_OK or
 * CM_EXIT_ERROR (reported; *st is NULL).
 */
int cm_cli_open_store(const char *cmd, const char *path, unsigned flags, struct cm_store **st);

/*
 * Runs the subcommand argv[1] of a command group (`coalmine findings list`):
 * one of subs[0..n), with argv shifted so that argv[0] is its name. No name,
 * or an unknown one, prints usage() to stderr (exit 2); --help, -h and help
 * print it to stdout (exit 0).
 */
int cm_cli_subcommand(const char *cmd, const struct cm_cmd *subs, size_t n, void (*usage)(FILE *),
                      int argc, char **argv);
/*
 * Prints the lines of a command group's usage that list its subcommands:
 * "  NAME SUMMARY" each, the names padded to width columns.
 */
void cm_cli_subcommand_list(FILE *f, const struct cm_cmd *subs, size_t n, int width);

/* ---- Printing lists of findings ---- */

enum cm_list_format {
    CM_LIST_NONE = 0, /* print nothing (findings sample's default) */
    CM_LIST_TABLE,
    CM_LIST_IDS,
    CM_LIST_JSON,
    CM_LIST_EVENTBRIDGE,
    CM_LIST_OCSF,
    CM_LIST_API, /* the ListFindings response {"findingIds":[...],"nextToken":"..."} */
    CM_LIST_CLI, /* what `aws guardduty list-findings` prints: {"FindingIds":[...]} */
};

#define CM_LIST_MASK(f) (1u << (f))
#define CM_LIST_ALL                                                                                \
    (CM_LIST_MASK(CM_LIST_TABLE) | CM_LIST_MASK(CM_LIST_IDS) | CM_LIST_MASK(CM_LIST_JSON) |        \
     CM_LIST_MASK(CM_LIST_EVENTBRIDGE) | CM_LIST_MASK(CM_LIST_OCSF) | CM_LIST_MASK(CM_LIST_API) |  \
     CM_LIST_MASK(CM_LIST_CLI))

/*
 * Parses a --format name among the allowed ones (a CM_LIST_MASK set).
 * Returns 0 or CM_EXIT_USAGE (reported, naming the allowed names).
 */
int cm_list_format_parse(const char *cmd, const char *name, unsigned allowed,
                         enum cm_list_format *out);
/*
 * --format table|json: sets *json. Returns 0 or CM_EXIT_USAGE (reported as
 * cm_list_format_parse() does).
 */
int cm_list_format_table_or_json(const char *cmd, const char *name, bool *json);

struct cm_printer {
    FILE *out;
    enum cm_list_format fmt;
    int tty;  /* colour the table */
    size_t n; /* findings printed */
    struct cm_buf api;
    struct cm_jw jw;
};

void cm_printer_init(struct cm_printer *p, FILE *out, enum cm_list_format fmt);
/* Prints one finding. Returns 0 or a negative CM_E*. */
int cm_printer_add(struct cm_printer *p, const struct cm_finding *f);
/*
 * Ends the list: the api form is written with next_token ("" or NULL: last
 * page); the others say "next token: T" on stderr when there is one.
 * Returns 0 or a negative CM_E*. Frees what p holds.
 */
int cm_printer_end(struct cm_printer *p, const char *next_token);

/* ---- Subcommands (argv[0] is the subcommand's name) ---- */

int cm_findings_list(int argc, char **argv);
int cm_findings_get(int argc, char **argv);
int cm_findings_archive(int argc, char **argv);
int cm_findings_unarchive(int argc, char **argv);
int cm_findings_feedback(int argc, char **argv);
int cm_findings_stats(int argc, char **argv);
int cm_findings_sample(int argc, char **argv);
int cm_findings_export(int argc, char **argv);
/* cmd_findings_publish.c: the S3 export of the publishing destinations */
int cm_findings_publish(int argc, char **argv);

#endif
