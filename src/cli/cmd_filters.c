/*
 * coalmine filters: the store's saved filters and suppression rules, as
 * GuardDuty's CreateFilter, ListFilters, GetFilter, UpdateFilter and
 * DeleteFilter offer them. The command line is turned into the request body
 * and parsed by lib/finding/filter.c, so a filter is validated exactly as the
 * API form is. An ARCHIVE filter archives the new findings it matches (and
 * new occurrences of stored ones) when they are stored; NOOP is a saved view.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "finding/filter.h"
#include "store/store.h"

#define CMD "filters"

static int filters_create(int argc, char **argv);
static int filters_list(int argc, char **argv);
static int filters_get(int argc, char **argv);
static int filters_update(int argc, char **argv);
static int filters_delete(int argc, char **argv);

static const struct cm_cmd subcommands[] = {
    {"create", "create a filter (CreateFilter)", filters_create},
    {"list", "list the filters in rank order (ListFilters)", filters_list},
    {"get", "print a filter (GetFilter)", filters_get},
    {"update", "change a filter's action, rank, description or criteria (UpdateFilter)",
     filters_update},
    {"delete", "delete a filter (DeleteFilter)", filters_delete},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine filters <subcommand> --db FILE [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 8);
    fprintf(f, "\nA filter is a named FindingCriteria with an action and a rank (1-100, applied\n"
               "in order). NOOP filters are saved views; ARCHIVE filters are suppression rules:\n"
               "a new finding (or a new occurrence of one) they match is stored archived and\n"
               "not printed or published. Run 'coalmine filters <subcommand> --help' for its\n"
               "options.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand("filters", subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_filters = {
    .name = "filters",
    .summary = "create, list, change and delete filters and suppression rules",
    .run = run,
};

/* ---- Shared ---- */

/* The options of create and update. */
struct fopts {
    const char *db, *name, *action, *description, *criteria, *cli_input;
    bool has_rank;
    unsigned long long rank;
    bool json; /* --format json */
};

static const char edit_help[] =
    "  -d, --db FILE              the store\n"
    "      --action NOOP|ARCHIVE  NOOP: a saved view; ARCHIVE: a suppression rule\n"
    "      --rank R               1-100, the order filters are applied in (default: last)\n"
    "      --description D        up to 512 characters\n"
    "      --finding-criteria JSON  GuardDuty FindingCriteria (1-50 attributes), as\n"
    "                             `aws guardduty create-filter` takes it, or file://PATH\n"
    "  -f, --format text|json     print the name (default) or {\"name\":...}\n"
    "  -h, --help                 this help\n";

static const struct option edit_longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"name", required_argument, NULL, CM_OPT_NAME},
    {"action", required_argument, NULL, CM_OPT_ACTION},
    {"rank", required_argument, NULL, CM_OPT_RANK},
    {"description", required_argument, NULL, CM_OPT_DESCRIPTION},
    {"finding-criteria", required_argument, NULL, CM_OPT_CRITERIA},
    {"cli-input-json", required_argument, NULL, CM_OPT_CLI_INPUT},
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses the options of create/update. Returns 0, 1 (--help printed) or CM_EXIT_USAGE. */
static int parse_edit(int argc, char **argv, struct fopts *o, void (*help)(FILE *))
{
    int c;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = cm_cli_getopt(CMD, argc, argv, "d:f:h", edit_longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case CM_OPT_NAME:
            o->name = optarg;
            break;
        case CM_OPT_ACTION:
            /* a bad value is a usage error (exit 2) as a bad --rank is, not the store's */
            if (strcmp(optarg, "NOOP") != 0 && strcmp(optarg, "ARCHIVE") != 0) {
                fprintf(stderr, "coalmine filters: --action must be NOOP or ARCHIVE, not '%s'\n",
                        optarg);
                return CM_EXIT_USAGE;
            }
            o->action = optarg;
            break;
        case CM_OPT_RANK:
            if (cm_cli_parse_count(optarg, CM_FILTER_RANK_MAX, &o->rank) != 0 || o->rank == 0) {
                fprintf(stderr, "coalmine filters: --rank wants a number from 1 to 100\n");
                return CM_EXIT_USAGE;
            }
            o->has_rank = true;
            break;
        case CM_OPT_DESCRIPTION:
            o->description = optarg;
            break;
        case CM_OPT_CRITERIA:
            o->criteria = optarg;
            break;
        case CM_OPT_CLI_INPUT:
            o->cli_input = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                fprintf(stderr, "coalmine filters: unknown --format '%s' (text, json)\n", optarg);
                return CM_EXIT_USAGE;
            }
            o->json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            help(stdout);
            return 1;
        default:
            help(stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (o->db == NULL) {
        fprintf(stderr, "coalmine filters: %s: --db FILE is required\n", argv[0]);
        return CM_EXIT_USAGE;
    }
    if (o->cli_input && (o->name || o->action || o->has_rank || o->description || o->criteria)) {
        fprintf(stderr,
                "coalmine filters: %s: --cli-input-json takes the whole request; it "
                "does not go with --name, --action, --rank, --description or "
                "--finding-criteria\n",
                argv[0]);
        return CM_EXIT_USAGE;
    }
    return 0;
}

/*
 * Compiles --finding-criteria on its own first, so a mistake is reported at
 * its offset in the user's text; then writes it into the body as it is.
 */
static int add_criteria(struct cm_jw *jw, const char *arg)
{
    struct cm_criteria *c = NULL;
    struct cm_diag diag;
    struct cm_buf text;
    int rc, status = CM_EXIT_ERROR;

    cm_buf_init(&text, 0);
    cm_diag_clear(&diag);
    if (cm_cli_arg_text(CMD, "--finding-criteria", arg, CM_CRIT_MAX_INPUT, &text) != 0) {
        goto done;
    }
    rc = cm_criteria_compile(text.p, text.len, CM_CRIT_F_NONEMPTY, &c, &diag);
    if (rc != 0) {
        cm_cli_diag(CMD, "--finding-criteria", rc, &diag);
        goto done;
    }
    cm_jw_key(jw, "findingCriteria");
    cm_jw_raw(jw, text.p, text.len);
    status = CM_EXIT_OK;
done:
    cm_criteria_destroy(c);
    cm_buf_finish(&text);
    return status;
}

/* Writes the request body the flags describe into b. */
static int flags_body(const struct fopts *o, bool with_name, struct cm_buf *b)
{
    struct cm_jw jw;

    cm_jw_init(&jw, b);
    cm_jw_obj_begin(&jw);
    if (with_name) {
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, o->name);
    }
    if (o->action) {
        cm_jw_key(&jw, "action");
        cm_jw_str(&jw, o->action);
    }
    if (o->has_rank) {
        cm_jw_key(&jw, "rank");
        cm_jw_u64(&jw, o->rank); /* the library checks the range */
    }
    if (o->description) {
        cm_jw_key(&jw, "description");
        cm_jw_str(&jw, o->description);
    }
    if (o->criteria && add_criteria(&jw, o->criteria) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) != 0) {
        fprintf(stderr, "coalmine filters: %s\n", cm_strerror(jw.err));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

/*
 * The body of --cli-input-json as the library takes it: the skeleton of
 * `aws guardduty create-filter --generate-cli-skeleton` also has DetectorId,
 * which names the detector in the URL, not a member of the body; it is left
 * out (re-serialising the rest).
 */
static int cli_input_body(const char *arg, struct cm_buf *b)
{
    struct cm_json_doc d;
    struct cm_buf out;
    struct cm_jw jw;
    uint32_t det;
    int status = CM_EXIT_OK;

    if (cm_cli_arg_text(CMD, "--cli-input-json", arg, CM_FILTER_MAX_INPUT, b) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_json_doc_init(&d, 0, 32);
    if (cm_json_parse(&d, b->p, b->len, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT ||
        ((det = cm_json_get(&d, 0, "DetectorId")) == CM_JSON_NONE &&
         (det = cm_json_get(&d, 0, "detectorId")) == CM_JSON_NONE)) {
        cm_json_doc_finish(&d); /* as it is: the library reports what is wrong with it */
        return CM_EXIT_OK;
    }
    cm_buf_init(&out, 0);
    cm_jw_init(&jw, &out);
    cm_jw_obj_begin(&jw);
    for (uint32_t k = cm_json_first(&d, 0); k != CM_JSON_NONE; k = cm_json_next(&d, 0, k + 1)) {
        struct cm_str key = cm_json_raw(&d, k);
        if (k + 1 == det) {
            continue;
        }
        cm_jw_keyn(&jw, key.p, key.len); /* the library's member names need no escapes */
        cm_jw_node(&jw, &d, k + 1);
    }
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) == 0) {
        cm_buf_reset(b);
        status = cm_buf_append(b, out.p, out.len) == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
    } else {
        status = CM_EXIT_ERROR;
    }
    if (status != 0) {
        fprintf(stderr, "coalmine filters: --cli-input-json: %s\n", cm_strerror(CM_ENOMEM));
    }
    cm_buf_finish(&out);
    cm_json_doc_finish(&d);
    return status;
}

static void print_name(const char *name, bool json)
{
    struct cm_buf b;
    struct cm_jw jw;

    if (!json) {
        printf("%s\n", name);
        return;
    }
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "name");
    cm_jw_str(&jw, name);
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
}

/* Loads the store's filters into set. Returns CM_EXIT_OK or CM_EXIT_ERROR (reported). */
static int load(struct cm_store *st, const char *db, struct cm_filterset *set)
{
    char err[512] = "";
    int rc = cm_store_filters_load(st, set, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "coalmine filters: %s: %s\n", db, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

/* Parses body (base: the current filter for an update) and saves it. */
static int save(const char *db, const char *opt, const struct cm_buf *body,
                const struct cm_filter *base, bool json)
{
    struct cm_filter *f = NULL;
    struct cm_store *st = NULL;
    struct cm_diag diag;
    char err[512] = "";
    int rc;

    cm_diag_clear(&diag);
    rc = cm_filter_parse(body->p, body->len, base, &f, &diag);
    if (rc != 0) {
        if (opt) {
            cm_cli_diag(CMD, opt, rc, &diag);
        } else {
            fprintf(stderr, "coalmine filters: %s\n", diag.msg[0] ? diag.msg : cm_strerror(rc));
        }
        return CM_EXIT_ERROR;
    }
    cm_cli_type_hints(CMD, f->criteria);
    rc = cm_cli_open_store(CMD, db, base ? 0 : CM_STORE_CREATE, &st);
    if (rc == 0 && (rc = cm_store_filter_put(st, f, base == NULL, err, sizeof(err))) != 0) {
        fprintf(stderr, "coalmine filters: %s: %s\n", f->name, err[0] ? err : cm_strerror(rc));
    }
    if (rc == 0) {
        print_name(f->name, json);
    }
    cm_store_close(st);
    cm_filter_destroy(f);
    return rc == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
}

/* ---- create ---- */

static void create_usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine filters create --db FILE --name N --finding-criteria JSON\n"
            "                               [--action NOOP|ARCHIVE] [--rank R] [--description D]\n"
            "       coalmine filters create --db FILE --cli-input-json JSON\n"
            "\n"
            "Creates a filter, like CreateFilter (the store is created when absent), and\n"
            "prints its name.\n"
            "\n"
            "      --name N               3-64 characters of A-Z a-z 0-9 . _ -\n"
            "%s"
            "      --cli-input-json JSON  the whole CreateFilter request, {\"Name\", \"Action\",\n"
            "                             \"Rank\", \"Description\", \"FindingCriteria\"} (or\n"
            "                             lowerCamel), inline or file://PATH\n",
            edit_help);
}

static int filters_create(int argc, char **argv)
{
    struct fopts o;
    struct cm_buf body;
    int rc;

    if ((rc = parse_edit(argc, argv, &o, create_usage)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine filters: create: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    if (o.cli_input == NULL && (o.name == NULL || o.criteria == NULL)) {
        fprintf(stderr, "coalmine filters: create: --name and --finding-criteria are required\n");
        return CM_EXIT_USAGE;
    }
    cm_buf_init(&body, 0);
    rc = o.cli_input ? cli_input_body(o.cli_input, &body) : flags_body(&o, true, &body);
    if (rc == 0) {
        rc = save(o.db, o.cli_input ? "--cli-input-json" : NULL, &body, NULL, o.json);
    }
    cm_buf_finish(&body);
    return rc;
}

/* ---- update ---- */

static void update_usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine filters update --db FILE [--action NOOP|ARCHIVE] [--rank R]\n"
            "                               [--description D] [--finding-criteria JSON] NAME\n"
            "       coalmine filters update --db FILE --cli-input-json JSON NAME\n"
            "\n"
            "Changes a filter, like UpdateFilter: what is not given stays as it is.\n"
            "\n"
            "%s"
            "      --cli-input-json JSON  the UpdateFilter request (Action, Rank, Description,\n"
            "                             FindingCriteria), inline or file://PATH\n",
            edit_help);
}

static int filters_update(int argc, char **argv)
{
    struct cm_filterset set;
    struct cm_store *st = NULL;
    const struct cm_filter *cur;
    struct fopts o;
    struct cm_buf body;
    int rc;

    if ((rc = parse_edit(argc, argv, &o, update_usage)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (optind + 1 != argc || o.name) {
        fprintf(stderr, "coalmine filters: update: %s\n",
                o.name ? "the filter is named by the NAME argument, not --name"
                       : "one filter NAME is required");
        return CM_EXIT_USAGE;
    }
    if (!o.cli_input && !o.action && !o.has_rank && !o.description && !o.criteria) {
        fprintf(stderr, "coalmine filters: update: nothing to change (--action, --rank, "
                        "--description, --finding-criteria)\n");
        return CM_EXIT_USAGE;
    }
    cm_filterset_init(&set);
    cm_buf_init(&body, 0);
    rc = o.cli_input ? cli_input_body(o.cli_input, &body) : flags_body(&o, false, &body);
    if (rc == 0) {
        rc = cm_cli_open_store(CMD, o.db, 0, &st);
    }
    if (rc == 0) {
        rc = load(st, o.db, &set);
    }
    cm_store_close(st);
    if (rc == 0 && (cur = cm_filterset_get(&set, cm_str_cstr(argv[optind]))) == NULL) {
        fprintf(stderr, "coalmine filters: %s: no such filter\n", argv[optind]);
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0) {
        rc = save(o.db, o.cli_input ? "--cli-input-json" : NULL, &body, cur, o.json);
    }
    cm_buf_finish(&body);
    cm_filterset_finish(&set);
    return rc;
}

/* ---- list, get, delete ---- */

struct ropts {
    const char *db;
    const char *format;
};

/* Parses --db, --format and --help; nargs positional arguments. Returns 0, 1 (help) or 2. */
static int parse_read(int argc, char **argv, struct ropts *o, int nargs, const char *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = cm_cli_getopt(CMD, argc, argv, "d:f:h", longopts, NULL)) != -1) {
        if (c == 'd') {
            o->db = optarg;
        } else if (c == 'f') {
            o->format = optarg;
        } else if (c == 'h') {
            fputs(help, stdout);
            return 1;
        } else {
            fputs(help, stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (o->db == NULL || argc - optind != nargs) {
        fprintf(stderr, "coalmine filters: %s: %s\n", argv[0],
                o->db == NULL ? "--db FILE is required"
                : nargs       ? "one filter NAME is required"
                              : "unexpected argument");
        return CM_EXIT_USAGE;
    }
    if (o->format && strcmp(o->format, "json") != 0 && strcmp(o->format, "table") != 0) {
        fprintf(stderr, "coalmine filters: unknown --format '%s' (table, json)\n", o->format);
        return CM_EXIT_USAGE;
    }
    return 0;
}

static int print_list(const struct cm_filterset *set, bool json)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    if (!json) {
        if (set->n) {
            printf("%-4s  %-7s  %-32s  %s\n", "RANK", "ACTION", "NAME", "DESCRIPTION");
        }
        for (size_t i = 0; i < set->n; i++) {
            const struct cm_filter *f = set->v[i];
            if (f->description && f->description[0]) {
                printf("%4d  %-7s  %-32s  %s\n", f->rank, cm_filter_action_name(f->action), f->name,
                       f->description);
            } else {
                printf("%4d  %-7s  %s\n", f->rank, cm_filter_action_name(f->action), f->name);
            }
        }
        return CM_OK;
    }
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "filterNames");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < set->n; i++) {
        cm_jw_str(&jw, set->v[i]->name);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    return rc;
}

static int print_filter(const struct cm_filter *f, bool json)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    if (json) {
        cm_filter_write(f, &jw);
    } else {
        cm_criteria_write(f->criteria, &jw);
    }
    if ((rc = cm_jw_finish(&jw)) == 0 && json) {
        printf("%s\n", b.p);
    } else if (rc == 0) {
        printf("name:        %s\naction:      %s\nrank:        %d\ndescription: %s\n"
               "criteria:    %s\n",
               f->name, cm_filter_action_name(f->action), f->rank,
               f->description ? f->description : "", b.p);
    }
    cm_buf_finish(&b);
    return rc;
}

/* list and get: load the filters, print all or the named one. */
static int show(int argc, char **argv, bool one)
{
    static const char list_help[] =
        "usage: coalmine filters list --db FILE [--format table|json]\n\n"
        "Lists the filters in rank order: a table (rank, action, name, description) or the\n"
        "ListFilters response {\"filterNames\":[...]}.\n";
    static const char get_help[] =
        "usage: coalmine filters get --db FILE [--format json|table] NAME\n\n"
        "Prints the filter: the GetFilter response {name, description, action, rank,\n"
        "findingCriteria} (default) or one field per line.\n";
    struct cm_filterset set;
    struct cm_store *st = NULL;
    const struct cm_filter *f = NULL;
    struct ropts o;
    bool json;
    int rc;

    if ((rc = parse_read(argc, argv, &o, one ? 1 : 0, one ? get_help : list_help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    json = o.format ? strcmp(o.format, "json") == 0 : one;
    if (cm_cli_open_store(CMD, o.db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_filterset_init(&set);
    rc = load(st, o.db, &set);
    cm_store_close(st);
    if (rc == 0 && one && (f = cm_filterset_get(&set, cm_str_cstr(argv[optind]))) == NULL) {
        fprintf(stderr, "coalmine filters: %s: no such filter\n", argv[optind]);
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && (one ? print_filter(f, json) : print_list(&set, json)) != 0) {
        fprintf(stderr, "coalmine filters: %s\n", cm_strerror(CM_ENOMEM));
        rc = CM_EXIT_ERROR;
    }
    cm_filterset_finish(&set);
    return rc;
}

static int filters_list(int argc, char **argv)
{
    return show(argc, argv, false);
}

static int filters_get(int argc, char **argv)
{
    return show(argc, argv, true);
}

static int filters_delete(int argc, char **argv)
{
    static const char help[] = "usage: coalmine filters delete --db FILE NAME\n\n"
                               "Deletes the filter, like DeleteFilter.\n";
    struct cm_store *st = NULL;
    struct ropts o;
    char err[512] = "";
    int rc;

    if ((rc = parse_read(argc, argv, &o, 1, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (cm_cli_open_store(CMD, o.db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    rc = cm_store_filter_delete(st, argv[optind], err, sizeof(err));
    cm_store_close(st);
    if (rc != 0) {
        fprintf(stderr, "coalmine filters: %s: %s\n", argv[optind],
                rc == CM_ENOTFOUND ? "no such filter"
                : err[0]           ? err
                                   : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    fprintf(stderr, "deleted filter %s\n", argv[optind]);
    return CM_EXIT_OK;
}
