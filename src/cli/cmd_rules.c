/*
 * coalmine rules: routing rules for findings, as EventBridge rules on the
 * default bus route GuardDuty's findings. A rule is an EventBridge event
 * pattern (lib/route/pattern.h) matched against each published finding's
 * EventBridge event; its targets (coalmine targets) get the events it
 * matches. `rules deliver` runs the bus (src/bus/bus.h) over the store's
 * outbox, which `coalmine scan --db` also does after storing findings.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "bus/bus.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "finding/serialize.h"
#include "route/pattern.h"
#include "route/schedule.h"
#include "store/store.h"

#include "cli/cmd_rules_impl.h"

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"name", required_argument, NULL, 'n'},
    {"event-pattern", required_argument, NULL, 'p'},
    {"description", required_argument, NULL, 'D'},
    {"state", required_argument, NULL, 's'},
    {"force", no_argument, NULL, 'F'},
    {"event", required_argument, NULL, 'e'},
    {"finding", required_argument, NULL, 'i'},
    {"now", no_argument, NULL, 'N'},
    {"format", required_argument, NULL, 'f'},
    {"max-results", required_argument, NULL, 'm'},
    {"finding-publishing-frequency", required_argument, NULL, 'P'},
    {"schedule-expression", required_argument, NULL, 'S'},
    {"release-held", no_argument, NULL, 'R'},
    {"config", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct {
    int code;
    unsigned bit;
    const char *name;
} optbits[] = {
    {'d', O_DB, "--db"},
    {'n', O_NAME, "--name"},
    {'p', O_PATTERN, "--event-pattern"},
    {'D', O_DESC, "--description"},
    {'s', O_STATE, "--state"},
    {'F', O_FORCE, "--force"},
    {'e', O_EVENT, "--event"},
    {'i', O_FINDING, "--finding"},
    {'N', O_NOW, "--now"},
    {'f', O_FORMAT, "--format"},
    {'m', O_MAX, "--max-results"},
    {'P', O_FREQ, "--finding-publishing-frequency"},
    {'S', O_SCHED, "--schedule-expression"},
    {'R', O_RELEASE, "--release-held"},
    {'c', O_CONFIG, "--config"},
};

int cm_rules_parse(int argc, char **argv, struct ropts *o, unsigned allowed, unsigned required,
                   const char *help)
{
    int c;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = cm_cli_getopt(CMD, argc, argv, "d:n:f:c:h", longopts, NULL)) != -1) {
        unsigned bit = 0;
        const char *name = NULL;
        for (size_t i = 0; i < sizeof(optbits) / sizeof(optbits[0]); i++) {
            if (optbits[i].code == c) {
                bit = optbits[i].bit;
                name = optbits[i].name;
            }
        }
        if (c == 'h') {
            printf("%s", help);
            return 1;
        }
        if (bit != 0 && !(allowed & bit)) {
            /* getopt knows it (another subcommand's): say so, as it says of unknown ones */
            fprintf(stderr, "coalmine rules %s: %s does not apply here\n", argv[0], name);
        }
        if (bit == 0 || !(allowed & bit)) {
            fprintf(stderr, "%s", help);
            return CM_EXIT_USAGE;
        }
        o->given |= bit;
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'p':
            o->pattern = optarg;
            break;
        case 'D':
            o->description = optarg;
            break;
        case 's':
            o->state = optarg;
            break;
        case 'e':
            o->event = optarg;
            break;
        case 'i':
            o->finding = optarg;
            break;
        case 'P':
            o->freq = optarg;
            break;
        case 'S':
            o->schedule = optarg;
            break;
        case 'f':
            if (cm_list_format_table_or_json(CMD, optarg, &o->json) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'm':
            if (cm_cli_parse_count(optarg, 1000000, &o->max) != 0) {
                fprintf(stderr, "coalmine rules: --max-results wants a number up to 1000000\n");
                return CM_EXIT_USAGE;
            }
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < sizeof(optbits) / sizeof(optbits[0]); i++) {
        if ((required & optbits[i].bit) && !(o->given & optbits[i].bit)) {
            fprintf(stderr, "coalmine rules %s: %s is required\n", argv[0], optbits[i].name);
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine rules %s: unexpected argument '%s'\n", argv[0], argv[optind]);
        return CM_EXIT_USAGE;
    }
    return 0;
}

/* Reads and compiles --event-pattern into text (and *pat when pat is not NULL). */
static int read_pattern(const char *arg, struct cm_buf *text, struct cm_pattern **pat)
{
    struct cm_pattern *p = NULL;
    struct cm_diag diag;
    int rc;

    if (cm_cli_arg_text(CMD, "--event-pattern", arg, CM_PATTERN_MAX_TEXT, text) != 0) {
        return CM_EXIT_ERROR;
    }
    cm_diag_clear(&diag);
    rc = cm_pattern_compile(text->p, text->len, &p, &diag);
    if (rc != 0) {
        cm_cli_diag(CMD, "--event-pattern", rc, &diag);
        return CM_EXIT_ERROR;
    }
    if (pat != NULL) {
        *pat = p;
    } else {
        cm_pattern_destroy(p);
    }
    return CM_EXIT_OK;
}

/* Checks --schedule-expression; text becomes "" (a scheduled rule's stored pattern). */
static int check_schedule(const char *expr, struct cm_buf *text)
{
    struct cm_schedule s;
    struct cm_diag diag;

    if (cm_schedule_parse(expr, strlen(expr), &s, &diag) != 0) {
        fprintf(stderr, "coalmine rules put: --schedule-expression: at byte %zu: %s\n", diag.offset,
                diag.msg);
        return CM_EXIT_USAGE;
    }
    return cm_buf_putc(text, '\0') == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
}

int cm_rules_store_error(const char *sub, const char *err, int rc)
{
    fprintf(stderr, "coalmine rules %s: %s\n", sub, err[0] ? err : cm_strerror(rc));
    return CM_EXIT_ERROR;
}

/* ---- put ---- */

static const char put_help[] =
    "usage: coalmine rules put --db FILE --name NAME --event-pattern JSON|file://PATH\n"
    "                          [--description TEXT] [--state ENABLED|DISABLED]\n"
    "       coalmine rules put --db FILE --name NAME --schedule-expression EXPR\n"
    "                          [--description TEXT] [--state ENABLED|DISABLED]\n\n"
    "Creates or replaces a rule (EventBridge PutRule; the store is created when\n"
    "absent). The event pattern is matched against each finding's EventBridge\n"
    "event ({\"source\":[\"aws.guardduty\"],\"detail-type\":[\"GuardDuty Finding\"],\n"
    "\"detail\":{...the finding...}}), with\n"
    "EventBridge's operators: exact values, prefix, suffix, equals-ignore-case,\n"
    "wildcard, anything-but, numeric, exists, cidr and $or. Example, High and\n"
    "Critical findings:\n"
    "  --event-pattern '{\"detail\":{\"severity\":[{\"numeric\":[\">=\",7]}]}}'\n"
    "A new rule is ENABLED unless --state says otherwise; a replaced one keeps\n"
    "its state unless --state is given. Names: 1-64 of A-Z a-z 0-9 . _ -\n\n"
    "With --schedule-expression instead of a pattern (rate(5 minutes),\n"
    "cron(0 12 * * ? *), at(2030-01-01T00:00:00); UTC; docs/canaries.md) the rule\n"
    "matches no event: at each fire time its targets get a Scheduled Event\n"
    "({\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"resources\":\n"
    "[the rule's ARN],\"detail\":{}}), sent by 'coalmine canary tick' (cron, or the\n"
    "service). It fires from the time it is put; a missed fire is sent once, late.\n";

struct found {
    bool any;
    bool enabled;
    char *description;
};

static int note_rule(void *ud, const struct cm_store_rule *r)
{
    struct found *f = ud;

    f->any = true;
    f->enabled = r->enabled;
    if (r->description != NULL) {
        f->description = strdup(r->description);
    }
    return 0;
}

static int rules_put(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    struct cm_buf text;
    struct found old = {false, true, NULL};
    struct cm_store_rule r;
    char err[512] = "";
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_NAME | O_PATTERN | O_DESC | O_STATE | O_SCHED,
                            O_DB | O_NAME, put_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (!o.pattern == !o.schedule) {
        fprintf(stderr,
                "coalmine rules put: give --event-pattern or --schedule-expression (one)\n");
        return CM_EXIT_USAGE;
    }
    if (o.state && strcmp(o.state, "ENABLED") != 0 && strcmp(o.state, "DISABLED") != 0) {
        fprintf(stderr, "coalmine rules put: --state is ENABLED or DISABLED, not '%s'\n", o.state);
        return CM_EXIT_USAGE;
    }
    if (!cm_store_name_ok(o.name)) {
        fprintf(stderr, "coalmine rules put: bad rule name '%s': 1 to %d of A-Z a-z 0-9 . _ -\n",
                o.name, CM_STORE_NAME_MAX);
        return CM_EXIT_USAGE;
    }
    if (o.description && strlen(o.description) > 512) {
        fprintf(stderr, "coalmine rules put: --description is at most 512 characters\n");
        return CM_EXIT_USAGE;
    }
    cm_buf_init(&text, 0);
    rc = o.pattern ? read_pattern(o.pattern, &text, NULL) : check_schedule(o.schedule, &text);
    if (rc == 0) {
        rc = cm_cli_open_store(CMD, o.db, CM_STORE_CREATE, &st);
    }
    if (rc == 0 && (rc = cm_store_rules(st, o.name, note_rule, &old, err, sizeof(err))) != 0) {
        rc = cm_rules_store_error("put", err, rc);
    }
    if (rc == 0) {
        r = (struct cm_store_rule){o.name,
                                   text.p,
                                   o.description ? o.description : old.description,
                                   o.state ? strcmp(o.state, "ENABLED") == 0 : old.enabled,
                                   NULL,
                                   NULL,
                                   o.schedule,
                                   0};
        if ((rc = cm_store_rule_put(st, &r, err, sizeof(err))) != 0) {
            rc = cm_rules_store_error("put", err, rc);
        } else {
            printf("%s\n", o.name);
        }
    }
    free(old.description);
    cm_buf_finish(&text);
    cm_store_close(st);
    return rc;
}

/* ---- list / describe ---- */

static const char list_help[] =
    "usage: coalmine rules list --db FILE [--name NAME] [--format table|json]\n\n"
    "Lists the rules by name with their state, event pattern (or schedule expression)\n"
    "and targets (json: the ListRules form, {\"Rules\":[{\"Name\",\"State\",\n"
    "\"EventPattern\" or \"ScheduleExpression\",\"Description\",\n"
    "\"CreatedAt\",\"UpdatedAt\",\"Targets\":[{\"Id\",\"Kind\",\"Spec\"}]}]}).\n";

struct lister {
    struct cm_store *st;
    struct cm_jw jw;
    bool json;
    size_t n; /* rules listed: the table's column titles come before the first */
};

static int list_target(void *ud, const struct cm_store_target *t)
{
    struct lister *l = ud;

    if (!l->json) {
        printf("    target %-20s %-8s %s\n", t->id, t->kind, t->spec);
        return 0;
    }
    cm_jw_obj_begin(&l->jw);
    cm_jw_key(&l->jw, "Id");
    cm_jw_str(&l->jw, t->id);
    cm_jw_key(&l->jw, "Kind");
    cm_jw_str(&l->jw, t->kind);
    cm_jw_key(&l->jw, "Spec");
    cm_jw_raw(&l->jw, t->spec, strlen(t->spec));
    cm_jw_obj_end(&l->jw);
    return 0;
}

static int list_rule(void *ud, const struct cm_store_rule *r)
{
    struct lister *l = ud;
    char err[256] = "";

    if (!l->json) {
        if (l->n++ == 0) { /* a rule's line, then its description and targets, indented */
            printf("%-32s %-8s %s\n    %-27s %-8s %s\n", "RULE", "STATE",
                   "EVENT PATTERN OR SCHEDULE", "target ID", "KIND", "SPEC");
        }
        printf("%-32s %-8s %s\n", r->name, r->enabled ? "ENABLED" : "DISABLED",
               r->schedule ? r->schedule : r->pattern);
        if (r->description) {
            printf("    %s\n", r->description);
        }
        return cm_store_targets(l->st, r->name, list_target, l, err, sizeof(err));
    }
    l->n++;
    cm_jw_obj_begin(&l->jw);
    cm_jw_key(&l->jw, "Name");
    cm_jw_str(&l->jw, r->name);
    cm_jw_key(&l->jw, "State");
    cm_jw_str(&l->jw, r->enabled ? "ENABLED" : "DISABLED");
    cm_jw_key(&l->jw, r->schedule ? "ScheduleExpression" : "EventPattern");
    cm_jw_str(&l->jw, r->schedule ? r->schedule : r->pattern);
    if (r->description) {
        cm_jw_key(&l->jw, "Description");
        cm_jw_str(&l->jw, r->description);
    }
    cm_jw_key(&l->jw, "CreatedAt");
    cm_jw_str(&l->jw, r->created_at ? r->created_at : "");
    cm_jw_key(&l->jw, "UpdatedAt");
    cm_jw_str(&l->jw, r->updated_at ? r->updated_at : "");
    cm_jw_key(&l->jw, "Targets");
    cm_jw_arr_begin(&l->jw);
    if (cm_store_targets(l->st, r->name, list_target, l, err, sizeof(err)) != 0) {
        return CM_EIO;
    }
    cm_jw_arr_end(&l->jw);
    cm_jw_obj_end(&l->jw);
    return 0;
}

static int rules_list(int argc, char **argv)
{
    struct ropts o;
    struct lister l;
    struct cm_buf b;
    char err[512] = "";
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_NAME | O_FORMAT, O_DB, list_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    memset(&l, 0, sizeof(l));
    l.json = o.json;
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &l.st)) != 0) {
        return rc;
    }
    cm_buf_init(&b, 0);
    cm_jw_init(&l.jw, &b);
    cm_jw_obj_begin(&l.jw);
    cm_jw_key(&l.jw, "Rules");
    cm_jw_arr_begin(&l.jw);
    rc = cm_store_rules(l.st, o.name, list_rule, &l, err, sizeof(err));
    cm_jw_arr_end(&l.jw);
    cm_jw_obj_end(&l.jw);
    if (rc != 0) {
        rc = cm_rules_store_error("list", err, rc);
    } else if (o.name && l.n == 0) {
        fprintf(stderr, "coalmine rules list: no rule named %s\n", o.name);
        rc = CM_EXIT_ERROR;
    } else if (o.json) {
        rc = cm_jw_finish(&l.jw) == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
        if (rc == 0) {
            printf("%s\n", b.p);
        }
    }
    cm_buf_finish(&b);
    cm_store_close(l.st);
    return rc;
}

/* ---- delete / enable / disable ---- */

static const char delete_help[] =
    "usage: coalmine rules delete --db FILE --name NAME [--force]\n\n"
    "Deletes a rule. A rule with targets is refused unless --force (which removes\n"
    "them too), as EventBridge's DeleteRule. Its delivery records stay.\n";

static int rules_delete(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    char err[512] = "";
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_NAME | O_FORCE, O_DB | O_NAME, delete_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) == 0 &&
        (rc = cm_store_rule_delete(st, o.name, (o.given & O_FORCE) != 0, err, sizeof(err))) != 0) {
        rc = cm_rules_store_error("delete", err, rc);
    }
    cm_store_close(st);
    return rc;
}

static const char enable_help[] = "usage: coalmine rules enable|disable --db FILE --name NAME\n\n"
                                  "A disabled rule matches nothing; its targets get no events\n"
                                  "published while it is disabled.\n";

static int set_enabled(int argc, char **argv, bool on)
{
    struct ropts o;
    struct cm_store *st = NULL;
    char err[512] = "";
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_NAME, O_DB | O_NAME, enable_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) == 0 &&
        (rc = cm_store_rule_enable(st, o.name, on, err, sizeof(err))) != 0) {
        rc = cm_rules_store_error(argv[0], err, rc);
    }
    cm_store_close(st);
    return rc;
}

static int rules_enable(int argc, char **argv)
{
    return set_enabled(argc, argv, true);
}

static int rules_disable(int argc, char **argv)
{
    return set_enabled(argc, argv, false);
}

/* ---- test ---- */

static const char test_help[] =
    "usage: coalmine rules test --event-pattern JSON|file://PATH --event JSON|file://PATH\n"
    "       coalmine rules test --event-pattern JSON|file://PATH --db FILE --finding ID\n\n"
    "Says whether the pattern matches the event (EventBridge TestEventPattern): prints\n"
    "{\"Result\":true} or {\"Result\":false}. With --finding, the event is the stored\n"
    "finding's EventBridge event.\n";

/* The EventBridge event of stored finding id into ev. Returns CM_EXIT_*. */
static int finding_event(const char *db, const char *id, struct cm_buf *ev)
{
    struct cm_store *st = NULL;
    struct cm_finding f;
    int rc = cm_cli_open_store(CMD, db, 0, &st);

    cm_finding_init(&f);
    if (rc == 0 && (rc = cm_store_get_finding(st, id, &f)) != 0) {
        fprintf(stderr, "coalmine rules test: %s: %s\n", id,
                rc == CM_ENOTFOUND ? "no such finding" : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && cm_finding_to_eventbridge(&f, 0, ev) != 0) {
        fprintf(stderr, "coalmine rules test: %s: %s\n", id, cm_strerror(CM_ENOMEM));
        rc = CM_EXIT_ERROR;
    }
    cm_finding_finish(&f);
    cm_store_close(st);
    return rc;
}

static int rules_test(int argc, char **argv)
{
    struct ropts o;
    struct cm_pattern *p = NULL;
    struct cm_buf text, ev;
    struct cm_diag diag;
    bool matched = false;
    int rc = cm_rules_parse(argc, argv, &o, O_PATTERN | O_EVENT | O_DB | O_FINDING, O_PATTERN,
                            test_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (!o.event == !(o.finding && o.db)) {
        fprintf(stderr, "coalmine rules test: give --event, or --db and --finding\n");
        return CM_EXIT_USAGE;
    }
    cm_buf_init(&text, 0);
    cm_buf_init(&ev, 0);
    rc = read_pattern(o.pattern, &text, &p);
    if (rc == 0) {
        rc = o.event ? cm_cli_arg_text(CMD, "--event", o.event, 1u << 24, &ev)
                     : finding_event(o.db, o.finding, &ev);
    }
    if (rc == 0) {
        cm_diag_clear(&diag);
        if ((rc = cm_pattern_match_json(p, ev.p, ev.len, &matched, &diag)) != 0) {
            cm_cli_diag(CMD, "--event", rc, &diag);
            rc = CM_EXIT_ERROR;
        } else {
            printf("{\"Result\":%s}\n", matched ? "true" : "false");
        }
    }
    cm_pattern_destroy(p);
    cm_buf_finish(&text);
    cm_buf_finish(&ev);
    return rc;
}

/* ---- deliver / deliveries ---- */

static const char deliver_help[] =
    "usage: coalmine rules deliver --db FILE [--now] [--release-held] [--config FILE]\n\n"
    "Routes the events waiting in the store's outbox (findings, canary results,\n"
    "scheduled rules' fires and events put through the EventBridge API) to the\n"
    "targets of the rules that match them, with the\n"
    "updates held for the store's publishing frequency whose interval has ended\n"
    "(FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS; `scan --finding-publishing-frequency`\n"
    "sets it), and tries again the deliveries that failed before once their backoff\n"
    "has passed (--now: at once; held updates still wait for their interval).\n"
    "--release-held releases every held update now, whatever its interval.\n"
    "--config FILE reads the secrets webhook headers refer to from a coalmine.yaml\n"
    "(docs/config.md \"secrets\"); without it such a delivery fails.\n"
    "`coalmine scan --db` does this after storing its findings. Exit status 1 when a\n"
    "delivery failed in this run.\n";

static int rules_deliver(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    struct cm_cli_routing routed = {0};
    struct cm_config cfg;
    char err[1024];
    int rc =
        cm_rules_parse(argc, argv, &o, O_DB | O_NOW | O_RELEASE | O_CONFIG, O_DB, deliver_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    cm_config_init(&cfg);
    if (o.config != NULL && cm_config_load(&cfg, o.config, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine rules deliver: %s\n", err);
        return CM_EXIT_ERROR;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        cm_config_finish(&cfg);
        return rc;
    }
    rc = cm_cli_bus_run_ex("rules deliver", st, &cfg, (o.given & O_NOW) != 0,
                           (o.given & O_RELEASE) != 0, false, &routed);
    cm_config_finish(&cfg);
    if (rc == 0 && routed.bus.failed + routed.bus.gave_up > 0) {
        rc = CM_EXIT_ERROR;
    }
    cm_cli_routing_finish(&routed);
    cm_store_close(st);
    return rc;
}

static const char publishing_help[] =
    "usage: coalmine rules publishing --db FILE\n"
    "                                 [--finding-publishing-frequency FREQ]\n"
    "                                 [--format table|json]\n\n"
    "Shows the store's findingPublishingFrequency (GuardDuty's GetDetector), or sets it\n"
    "(UpdateDetector): FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS, the default. New findings\n"
    "are routed at once; an update of a stored finding is held and routed once, with its\n"
    "latest state, when its interval (wall clock, UTC) has ended. Also says how many\n"
    "updates are held now. `scan --finding-publishing-frequency` sets it too.\n";

static int rules_publishing(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    enum cm_publish_freq f = CM_PUBLISH_SIX_HOURS;
    char err[256] = "";
    int64_t held;
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_FREQ | O_FORMAT, O_DB, publishing_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (o.freq != NULL && cm_publish_freq_parse(o.freq, &f) != 0) {
        fprintf(stderr,
                "coalmine rules publishing: --finding-publishing-frequency is FIFTEEN_MINUTES, "
                "ONE_HOUR or SIX_HOURS, not '%s'\n",
                o.freq);
        return CM_EXIT_USAGE;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    if (o.freq != NULL && cm_store_set_publish_freq(st, f, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine rules publishing: %s\n", err);
        rc = CM_EXIT_ERROR;
    }
    held = cm_store_held_count(st);
    if (rc == 0 && (cm_store_publish_freq(st, &f) != 0 || held < 0)) {
        fprintf(stderr, "coalmine rules publishing: reading the store failed\n");
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && o.json) {
        printf("{\"FindingPublishingFrequency\":\"%s\",\"HeldUpdates\":%lld}\n",
               cm_publish_freq_name(f), (long long)held);
    } else if (rc == 0) {
        printf("FindingPublishingFrequency: %s\nHeld updates: %lld\n", cm_publish_freq_name(f),
               (long long)held);
    }
    cm_store_close(st);
    return rc;
}

/* ---- the command ---- */

static const struct cm_cmd subcommands[] = {
    {"put", "create or replace a rule (PutRule)", rules_put},
    {"list", "list the rules with their targets (ListRules)", rules_list},
    {"delete", "delete a rule (DeleteRule)", rules_delete},
    {"enable", "enable a rule (EnableRule)", rules_enable},
    {"disable", "disable a rule (DisableRule)", rules_disable},
    {"test", "match a pattern against an event or a stored finding (TestEventPattern)", rules_test},
    {"deliver", "route the outbox to the targets, retrying failed deliveries", rules_deliver},
    {"publishing", "show or set the findingPublishingFrequency (GetDetector/UpdateDetector)",
     rules_publishing},
    {"deliveries", "list the deliveries and their state", cm_rules_deliveries},
    {"outbox", "list the events still owed (findings, canary results, scheduled fires)",
     cm_rules_outbox},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine rules <subcommand> [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 10);
    fprintf(f, "\nA rule routes the findings whose EventBridge event its pattern matches to\n"
               "its targets ('coalmine targets'): programs, files, webhooks and Kafka topics.\n"
               "Findings are routed when 'coalmine scan --db' stores them while some rule\n"
               "is enabled: a new one at once, an update once per interval of the\n"
               "publishing frequency ('rules publishing'), none archived. Run\n"
               "'coalmine rules <subcommand> --help' for its options.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand(CMD, subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_rules = {
    .name = "rules",
    .summary = "route findings to targets with EventBridge event patterns",
    .run = run,
};
