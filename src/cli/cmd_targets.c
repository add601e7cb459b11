/*
 * coalmine targets: where a rule's findings go (EventBridge PutTargets,
 * RemoveTargets, ListTargetsByRule). A target is an id, a kind (the table of
 * src/bus/target.h: a program, a file, a webhook, a Kafka topic) and the
 * kind's spec, a
 * JSON object checked by the kind and stored in its canonical form.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "bus/target.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "store/store.h"

#define CMD "targets"

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"rule", required_argument, NULL, 'r'},
    {"id", required_argument, NULL, 'i'},
    {"kind", required_argument, NULL, 'k'},
    {"spec", required_argument, NULL, 's'},
    {"format", required_argument, NULL, 'f'},
    {"config", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct topts {
    const char *db, *rule, *id, *kind, *spec, *config;
    bool json;
};

/*
 * Parses the options; allowed holds the codes of those the subcommand takes
 * ("dh" and its own): another subcommand's option is refused by name,
 * not ignored (`list --id X` filters nothing). Returns 0, 1 (--help printed)
 * or CM_EXIT_USAGE.
 */
static int parse(int argc, char **argv, struct topts *o, const char *allowed, const char *help)
{
    int c, li = -1;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = cm_cli_getopt(CMD, argc, argv, "d:f:c:h", longopts, &li)) != -1) {
        if (c != '?' && c != ':' && strchr(allowed, c) == NULL) {
            if (li >= 0) {
                fprintf(stderr, "coalmine targets %s: --%s does not apply here\n%s", argv[0],
                        longopts[li].name, help);
            } else {
                fprintf(stderr, "coalmine targets %s: -%c does not apply here\n%s", argv[0], c,
                        help);
            }
            return CM_EXIT_USAGE;
        }
        li = -1;
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'r':
            o->rule = optarg;
            break;
        case 'i':
            o->id = optarg;
            break;
        case 'k':
            o->kind = optarg;
            break;
        case 's':
            o->spec = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'f':
            if (cm_list_format_table_or_json(CMD, optarg, &o->json) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'h':
            printf("%s", help);
            return 1;
        default:
            fprintf(stderr, "%s", help);
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine targets %s: unexpected argument '%s'\n", argv[0], argv[optind]);
        return CM_EXIT_USAGE;
    }
    if (o->db == NULL) {
        fprintf(stderr, "coalmine targets %s: --db FILE is required\n", argv[0]);
        return CM_EXIT_USAGE;
    }
    return 0;
}

static void kinds_help(FILE *f)
{
    const struct cm_target_kind *k;

    fprintf(f, "\nkinds:\n");
    for (size_t i = 0; (k = cm_target_kind_at(i)) != NULL; i++) {
        fprintf(f, "  %-8s %s\n", k->name, k->summary);
    }
}

static const char put_help[] =
    "usage: coalmine targets put --db FILE --rule NAME --id ID --kind KIND\n"
    "                            --spec JSON|file://PATH [--config FILE]\n\n"
    "Adds or replaces target ID of a rule (at most 5 per rule). Specs:\n"
    "  exec     {\"argv\":[\"/usr/local/bin/isolate\",\"--quarantine\"],\n"
    "            \"timeout_seconds\":30,\"env\":{\"NAME\":\"value\"}}\n"
    "           runs the program (no shell) with the event JSON on stdin;\n"
    "           exit status 0 is a delivery\n"
    "  file     {\"path\":\"/var/log/coalmine/events.jsonl\",\"fsync\":true}\n"
    "           appends the event as one line\n"
    "  webhook  {\"url\":\"https://hooks.example.com/x\",\"headers\":{\"Authorization\":\n"
    "            \"Bearer ...\"},\"timeout_seconds\":10}\n"
    "           POSTs the event; a 2xx answer is a delivery\n"
    "  kafka    {\"brokers\":\"10.0.0.5:9092,10.0.0.6:9092\",\"topic\":\"findings\",\n"
    "            \"key\":\"finding_id\",\"timeout_seconds\":10,\"properties\":\n"
    "            {\"security.protocol\":\"SASL_SSL\"}}\n"
    "           produces the event as one message (acks=all, idempotent); the\n"
    "           broker's acknowledgement is a delivery\n"
    "Every kind also takes what the target receives instead of the whole event\n"
    "(EventBridge's Input, InputPath, InputTransformer; at most one):\n"
    "  \"input\":\"{\\\"page\\\":true}\"      a string of constant JSON\n"
    "  \"input_path\":\"$.detail\"         the part of the event a JSONPath reaches\n"
    "  \"input_transformer\":{\"input_paths_map\":{\"type\":\"$.detail.type\"},\n"
    "    \"input_template\":\"{\\\"text\\\": \\\"<type> (<aws.events.rule-name>)\\\"}\"}\n"
    "                                   a template: <name> is a path's value (quoted\n"
    "                                   as JSON outside strings), or one of\n"
    "                                   aws.events.rule-name, aws.events.rule-arn,\n"
    "                                   aws.events.event.ingestion-time,\n"
    "                                   aws.events.event, aws.events.event.json\n"
    "A webhook header's value may refer to a secret of coalmine.yaml instead,\n"
    "{\"secret\":\"NAME\",\"prefix\":\"Bearer \"} (docs/config.md \"secrets\"): the\n"
    "value is read at each delivery, never stored. --config FILE checks that NAME\n"
    "is defined there and the URL is under its urls (delivery checks it again).\n"
    "The spec is checked and stored in canonical form (defaults filled in), which\n"
    "is printed.\n";

static int targets_put(int argc, char **argv)
{
    struct topts o;
    struct cm_store *st = NULL;
    struct cm_buf spec, canon;
    const struct cm_target_kind *k;
    struct cm_target_secrets secrets = {NULL, 0};
    struct cm_config cfg;
    char err[1024] = "";
    int rc = parse(argc, argv, &o, "dhriksc", put_help);

    if (rc != 0) {
        if (rc == 1) {
            kinds_help(stdout);
        }
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (!o.rule || !o.id || !o.kind || !o.spec) {
        fprintf(stderr, "coalmine targets put: --rule, --id, --kind and --spec are required\n");
        return CM_EXIT_USAGE;
    }
    if ((k = cm_target_kind(o.kind)) == NULL) {
        fprintf(stderr, "coalmine targets put: unknown --kind '%s'", o.kind);
        kinds_help(stderr);
        return CM_EXIT_USAGE;
    }
    if (!cm_store_name_ok(o.id)) {
        fprintf(stderr, "coalmine targets put: bad --id '%s': 1 to %d of A-Z a-z 0-9 . _ -\n", o.id,
                CM_STORE_NAME_MAX);
        return CM_EXIT_USAGE;
    }
    cm_config_init(&cfg);
    if (o.config != NULL && (cm_config_load(&cfg, o.config, err, sizeof(err)) != 0 ||
                             cm_cli_secrets(&cfg, &secrets) != 0)) {
        fprintf(stderr, "coalmine targets put: %s\n", err[0] ? err : "out of memory");
        cm_config_finish(&cfg);
        return CM_EXIT_ERROR;
    }
    cm_buf_init(&spec, 0);
    cm_buf_init(&canon, 0);
    rc = cm_cli_arg_text(CMD, "--spec", o.spec, 1u << 16, &spec);
    if (rc == 0 && (rc = cm_target_check(k, spec.p, spec.len, &canon, err, sizeof(err))) != 0) {
        fprintf(stderr, "coalmine targets put: --spec: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    /* With --config, a secret the spec refers to must be defined and bound to its URL. */
    if (rc == 0 && o.config != NULL &&
        cm_target_secrets_check(k, canon.p, canon.len, &secrets, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine targets put: --spec: %s\n", err);
        rc = CM_EXIT_ERROR;
    }
    free(secrets.v);
    cm_config_finish(&cfg);
    if (rc == 0 && cm_buf_append(&canon, "", 1) != 0) {
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0) {
        rc = cm_cli_open_store(CMD, o.db, 0, &st);
    }
    if (rc == 0) {
        struct cm_store_target t = {o.rule, o.id, k->name, canon.p};
        if ((rc = cm_store_target_put(st, &t, err, sizeof(err))) != 0) {
            fprintf(stderr, "coalmine targets put: %s\n", err[0] ? err : cm_strerror(rc));
            rc = CM_EXIT_ERROR;
        } else {
            printf("%s %s %s %s\n", o.rule, o.id, k->name, canon.p);
        }
    }
    cm_buf_finish(&spec);
    cm_buf_finish(&canon);
    cm_store_close(st);
    return rc;
}

static const char list_help[] = "usage: coalmine targets list --db FILE [--rule NAME]\n"
                                "                             [--format table|json]\n\n"
                                "The targets of a rule (of every rule without --rule).\n";

struct lister {
    struct cm_jw jw;
    bool json;
    bool headed; /* the table's column titles printed */
};

static int list_one(void *ud, const struct cm_store_target *t)
{
    struct lister *l = ud;

    if (!l->json) {
        if (!l->headed) {
            printf("%-32s %-20s %-8s %s\n", "RULE", "ID", "KIND", "SPEC");
            l->headed = true;
        }
        printf("%-32s %-20s %-8s %s\n", t->rule, t->id, t->kind, t->spec);
        return 0;
    }
    cm_jw_obj_begin(&l->jw);
    cm_jw_key(&l->jw, "Rule");
    cm_jw_str(&l->jw, t->rule);
    cm_jw_key(&l->jw, "Id");
    cm_jw_str(&l->jw, t->id);
    cm_jw_key(&l->jw, "Kind");
    cm_jw_str(&l->jw, t->kind);
    cm_jw_key(&l->jw, "Spec");
    cm_jw_raw(&l->jw, t->spec, strlen(t->spec));
    cm_jw_obj_end(&l->jw);
    return 0;
}

static int targets_list(int argc, char **argv)
{
    struct topts o;
    struct cm_store *st = NULL;
    struct lister l;
    struct cm_buf b;
    char err[512] = "";
    int rc = parse(argc, argv, &o, "dfhr", list_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    l.json = o.json;
    l.headed = false;
    cm_buf_init(&b, 0);
    cm_jw_init(&l.jw, &b);
    cm_jw_obj_begin(&l.jw);
    cm_jw_key(&l.jw, "Targets");
    cm_jw_arr_begin(&l.jw);
    rc = cm_store_targets(st, o.rule, list_one, &l, err, sizeof(err));
    cm_jw_arr_end(&l.jw);
    cm_jw_obj_end(&l.jw);
    if (rc != 0) {
        fprintf(stderr, "coalmine targets list: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    } else if (o.json && cm_jw_finish(&l.jw) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    cm_store_close(st);
    return rc;
}

static const char remove_help[] = "usage: coalmine targets remove --db FILE --rule NAME --id ID\n";

static int targets_remove(int argc, char **argv)
{
    struct topts o;
    struct cm_store *st = NULL;
    char err[512] = "";
    int rc = parse(argc, argv, &o, "dhri", remove_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (!o.rule || !o.id) {
        fprintf(stderr, "coalmine targets remove: --rule and --id are required\n");
        return CM_EXIT_USAGE;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) == 0 &&
        (rc = cm_store_target_remove(st, o.rule, o.id, err, sizeof(err))) != 0) {
        fprintf(stderr, "coalmine targets remove: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    cm_store_close(st);
    return rc;
}

static const struct cm_cmd subcommands[] = {
    {"put", "add or replace a target of a rule (PutTargets)", targets_put},
    {"list", "list the targets of a rule, or of all (ListTargetsByRule)", targets_list},
    {"remove", "remove a target from a rule (RemoveTargets)", targets_remove},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine targets <subcommand> --db FILE [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 8);
    kinds_help(f);
    fprintf(f, "\nRun 'coalmine targets <subcommand> --help' for its options.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand(CMD, subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_targets = {
    .name = "targets",
    .summary = "the programs, files, webhooks and Kafka topics a rule's findings go to",
    .run = run,
};
