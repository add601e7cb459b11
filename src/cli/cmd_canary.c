/*
 * coalmine canary: the checks that the detection pipeline is alive
 * (src/canary/canary.h, docs/canaries.md). `put` stores a check, `list`
 * shows them with their last result and next run, `run` runs checks now,
 * `tick` runs what is due and fires the scheduled rules (cron, or the
 * service's loop). Checks live in the store, so `tick` from cron needs
 * nothing but --db.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "canary/canary.h"
#include "canary/canary_impl.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "core/clock.h"
#include "core/config.h"
#include "route/schedule.h"
#include "store/store.h"

#define CMD "canary"

struct copts {
    const char *db, *name, *check, *schedule, *params, *state, *config;
    bool all, json, every_fail, on_change;
    int64_t now_ms;
};

enum { O_EVERY = 256, O_CHANGE, O_NOW, O_ALL, O_SCHED, O_PARAMS, O_CONFIG };

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"name", required_argument, NULL, 'n'},
    {"check", required_argument, NULL, 'c'},
    {"schedule", required_argument, NULL, O_SCHED},
    {"params", required_argument, NULL, O_PARAMS},
    {"state", required_argument, NULL, 's'},
    {"every-fail", no_argument, NULL, O_EVERY},
    {"on-change", no_argument, NULL, O_CHANGE},
    {"all", no_argument, NULL, O_ALL},
    {"now", required_argument, NULL, O_NOW},
    {"format", required_argument, NULL, 'f'},
    {"config", required_argument, NULL, O_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The options each subcommand takes (the option codes above, as a string). */
#define PUT_OPTS    "dncSPsEC"
#define LIST_OPTS   "dnNf"
#define DELETE_OPTS "dn"
#define RUN_OPTS    "dANfF"
#define TICK_OPTS   "dNfF"

/* The letter of option code c in the *_OPTS strings. */
static char letter(int c)
{
    switch (c) {
    case O_SCHED:
        return 'S';
    case O_PARAMS:
        return 'P';
    case O_EVERY:
        return 'E';
    case O_CHANGE:
        return 'C';
    case O_ALL:
        return 'A';
    case O_NOW:
        return 'N';
    case O_CONFIG:
        return 'F';
    default:
        return (char)c;
    }
}

/*
 * Parses argv into o, refusing an option subcommand argv[0] does not take (allowed);
 * positional arguments are left at argv[optind..]. Returns 0, 1 (--help printed) or
 * CM_EXIT_USAGE (reported).
 */
static int parse(int argc, char **argv, struct copts *o, const char *allowed, const char *help)
{
    int c, at;

    memset(o, 0, sizeof(*o));
    o->now_ms = cm_clock_now_ms();
    optind = 1;
    for (;;) {
        at = optind;
        if ((c = cm_cli_getopt(CMD, argc, argv, "d:n:c:s:f:h", longopts, NULL)) == -1) {
            break;
        }
        if (c != 'h' && c != '?' && strchr(allowed, letter(c)) == NULL) {
            fprintf(stderr, "coalmine canary %s: %s does not apply here\n%s", argv[0],
                    at < argc ? argv[at] : "an option", help);
            return CM_EXIT_USAGE;
        }
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'c':
            o->check = optarg;
            break;
        case O_SCHED:
            o->schedule = optarg;
            break;
        case O_PARAMS:
            o->params = optarg;
            break;
        case O_CONFIG:
            o->config = optarg;
            break;
        case 's':
            o->state = optarg;
            break;
        case O_EVERY:
            o->every_fail = true;
            break;
        case O_CHANGE:
            o->on_change = true;
            break;
        case O_ALL:
            o->all = true;
            break;
        case O_NOW:
            if (cm_cli_parse_time(optarg, cm_clock_now_ms(), &o->now_ms) != 0) {
                fprintf(stderr, "coalmine canary %s: --now: not a time: '%s'\n", argv[0], optarg);
                return CM_EXIT_USAGE;
            }
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                fprintf(stderr, "coalmine canary %s: --format is table or json\n", argv[0]);
                return CM_EXIT_USAGE;
            }
            o->json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            printf("%s", help);
            return 1;
        default:
            fprintf(stderr, "%s", help);
            return CM_EXIT_USAGE;
        }
    }
    if (o->db == NULL) {
        fprintf(stderr, "coalmine canary %s: --db is required\n", argv[0]);
        return CM_EXIT_USAGE;
    }
    return 0;
}

/* ---- Reporting ---- */

struct out {
    bool json;
    struct cm_jw jw;
    struct cm_buf b;
    struct cm_buf fired; /* json: the "Fired" entries, written after the results */
    unsigned send_failed;
};

static void on_sent(void *ud, const struct cm_canary_sent *s)
{
    struct out *o = ud;

    if (s->error != NULL) {
        o->send_failed++;
        fprintf(stderr,
                "coalmine canary: rule %s target %s: %s (owed: `coalmine rules deliver` tries "
                "again)\n",
                s->rule, s->target, s->error);
    }
}

static void on_ran(void *ud, const char *name, const struct cm_canary_result *r, const char *prev,
                   bool emitted)
{
    struct out *o = ud;

    if (!o->json) {
        printf("%-24s %-5s %s%s\n", name, cm_canary_status_name(r->status), r->reason,
               emitted ? " [event sent]" : "");
        return;
    }
    cm_jw_obj_begin(&o->jw);
    cm_jw_key(&o->jw, "Name");
    cm_jw_str(&o->jw, name);
    cm_jw_key(&o->jw, "Status");
    cm_jw_str(&o->jw, cm_canary_status_name(r->status));
    cm_jw_key(&o->jw, "PreviousStatus");
    if (prev) {
        cm_jw_str(&o->jw, prev);
    } else {
        cm_jw_null(&o->jw);
    }
    cm_jw_key(&o->jw, "Reason");
    cm_jw_str(&o->jw, r->reason);
    cm_jw_key(&o->jw, "Observed");
    cm_jw_raw(&o->jw, r->observed.p, r->observed.len);
    cm_jw_key(&o->jw, "EventSent");
    cm_jw_bool(&o->jw, emitted);
    cm_jw_obj_end(&o->jw);
}

static void on_fired(void *ud, const char *rule, int64_t fire_ms)
{
    struct out *o = ud;
    char t[40];

    cm_time_format_iso(fire_ms, t, sizeof(t));
    if (!o->json) {
        printf("rule %s fired for %s\n", rule, t);
        return;
    }
    /* Rule names are [A-Za-z0-9._-]: nothing to escape. */
    if (cm_buf_puts(&o->fired, o->fired.len ? ",{\"Rule\":\"" : "{\"Rule\":\"") != 0 ||
        cm_buf_puts(&o->fired, rule) != 0 || cm_buf_puts(&o->fired, "\",\"Time\":\"") != 0 ||
        cm_buf_puts(&o->fired, t) != 0 || cm_buf_puts(&o->fired, "\"}") != 0) {
        o->send_failed++; /* out of memory: reported as a failure */
    }
}

static void out_begin(struct out *o, bool json, const char *key)
{
    memset(o, 0, sizeof(*o));
    o->json = json;
    cm_buf_init(&o->b, 0);
    cm_buf_init(&o->fired, 0);
    cm_jw_init(&o->jw, &o->b);
    cm_jw_obj_begin(&o->jw);
    cm_jw_key(&o->jw, key);
    cm_jw_arr_begin(&o->jw);
}

static int out_end(struct out *o)
{
    int rc = CM_EXIT_OK;

    cm_jw_arr_end(&o->jw);
    cm_jw_key(&o->jw, "Fired");
    cm_jw_arr_begin(&o->jw);
    if (o->fired.len > 0) {
        cm_jw_raw(&o->jw, o->fired.p, o->fired.len);
    }
    cm_jw_arr_end(&o->jw);
    cm_jw_obj_end(&o->jw);
    if (cm_jw_finish(&o->jw) != 0) {
        fprintf(stderr, "coalmine canary: out of memory\n");
        rc = CM_EXIT_ERROR;
    } else if (o->json) {
        printf("%s\n", o->b.p);
    }
    cm_buf_finish(&o->b);
    cm_buf_finish(&o->fired);
    return rc;
}

/* ---- put ---- */

static const char put_help[] =
    "usage: coalmine canary put --db FILE --name NAME --check KIND --schedule EXPR\n"
    "                           [--params JSON|file://PATH] [--every-fail|--on-change]\n"
    "                           [--state ENABLED|DISABLED]\n\n"
    "Creates or replaces a check (the store is created when absent). KIND:\n"
    "  freshness    {\"source\": cloudtrail|vpcflow|dns|s3data, \"max_age_minutes\": N,\n"
    "                \"account\": ID, \"region\": R}   (account and region optional)\n"
    "  pipeline     {\"finding_type\": T, \"deadline_seconds\": N (60),\n"
    "                \"account\": ID, \"region\": R}\n"
    "  scan-health  {\"max_silence_minutes\": N (60), \"max_reject_ratio\": X (0.01),\n"
    "                \"max_rejected_files\": N (0)}\n"
    "EXPR is rate(N minutes|hours|days), cron(M H DoM Mon DoW Y) or at(...), UTC.\n"
    "Its event (source coalmine.canary) goes to the matching rules' targets when its\n"
    "status changes, and with --every-fail (the default) on every FAIL too;\n"
    "--on-change: on a change only. A replaced check keeps its last result while its\n"
    "kind is the same.\n";

/* The options of `put` other than --params; *k gets the kind. Returns 0 or CM_EXIT_USAGE. */
static int put_options(const struct copts *o, int argc, const struct cm_canary_kind **k)
{
    struct cm_schedule s;
    struct cm_diag diag;

    if (o->name == NULL || o->check == NULL || o->schedule == NULL || optind < argc) {
        fprintf(stderr, "coalmine canary put: --name, --check and --schedule are required, "
                        "and nothing else\n");
        return CM_EXIT_USAGE;
    }
    if ((*k = cm_canary_kind(o->check)) == NULL) {
        fprintf(stderr,
                "coalmine canary put: --check: unknown check '%s' (freshness, pipeline or "
                "scan-health)\n",
                o->check);
        return CM_EXIT_USAGE;
    }
    if (cm_schedule_parse(o->schedule, strlen(o->schedule), &s, &diag) != 0) {
        fprintf(stderr, "coalmine canary put: --schedule: at byte %zu: %s\n", diag.offset,
                diag.msg);
        return CM_EXIT_USAGE;
    }
    if (o->state && strcmp(o->state, "ENABLED") != 0 && strcmp(o->state, "DISABLED") != 0) {
        fprintf(stderr, "coalmine canary put: --state is ENABLED or DISABLED\n");
        return CM_EXIT_USAGE;
    }
    if (o->every_fail && o->on_change) {
        fprintf(stderr, "coalmine canary put: --every-fail or --on-change, not both\n");
        return CM_EXIT_USAGE;
    }
    return 0;
}

static int canary_put(int argc, char **argv)
{
    struct copts o;
    struct cm_store *st = NULL;
    const struct cm_canary_kind *k = NULL;
    struct cm_buf text, canon;
    struct cm_store_canary c;
    char err[512] = "";
    int rc = parse(argc, argv, &o, PUT_OPTS, put_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = put_options(&o, argc, &k)) != 0) {
        return rc;
    }
    cm_buf_init(&text, 0);
    cm_buf_init(&canon, 0);
    if (o.params && cm_cli_arg_text(CMD, "--params", o.params, CM_CANARY_PARAMS_MAX, &text) != 0) {
        rc = CM_EXIT_ERROR;
        goto out;
    }
    rc = cm_canary_params_check(k, text.p ? text.p : "", text.len, &canon, err, sizeof(err));
    if (rc == 0) {
        rc = cm_buf_putc(&canon, '\0');
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine canary put: --params: %s\n", err[0] ? err : cm_strerror(rc));
        rc = rc == CM_EINVAL ? CM_EXIT_USAGE : CM_EXIT_ERROR;
        goto out;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, CM_STORE_CREATE, &st)) != 0) {
        goto out;
    }
    memset(&c, 0, sizeof(c));
    c.name = o.name;
    c.kind = k->name;
    c.schedule = o.schedule;
    c.params = canon.p;
    c.enabled = o.state == NULL || strcmp(o.state, "ENABLED") == 0;
    c.every_fail = !o.on_change;
    if ((rc = cm_store_canary_put(st, &c, err, sizeof(err))) != 0) {
        fprintf(stderr, "coalmine canary put: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    } else {
        printf("%s\n", o.name);
    }
out:
    cm_buf_finish(&text);
    cm_buf_finish(&canon);
    cm_store_close(st);
    return rc;
}

/* ---- list ---- */

static const char list_help[] =
    "usage: coalmine canary list --db FILE [--name NAME] [--now TIME] [--format table|json]\n\n"
    "Lists the checks: kind, schedule, state, last status and reason, last run and the\n"
    "next run (after --now, default the clock).\n";

struct lister {
    struct out *o;
    int64_t now_ms;
    size_t n;
};

static int list_one(void *ud, const struct cm_store_canary *c)
{
    struct lister *l = ud;
    int64_t next = -1;
    char last[40] = "-", nxt[40] = "-";

    l->n++;
    if (cm_canary_due(c, l->now_ms, &next) == 0 && next >= 0 && c->enabled) {
        cm_time_format_iso(next, nxt, sizeof(nxt));
    }
    if (c->last_run_ms > 0) {
        cm_time_format_iso(c->last_run_ms, last, sizeof(last));
    }
    if (!l->o->json) {
        if (l->n == 1) {
            printf("%-24s %-11s %-8s %-26s %-6s %s\n", "NAME", "CHECK", "STATE", "SCHEDULE",
                   "STATUS", "RUNS");
        }
        printf("%-24s %-11s %-8s %-26s %-6s last %s next %s\n", c->name, c->kind,
               c->enabled ? "ENABLED" : "DISABLED", c->schedule, c->status ? c->status : "-", last,
               nxt);
        printf("    params %s%s%s\n", c->params, c->every_fail ? "" : " (events on change only)",
               c->origin != NULL ? " (from the config file)" : "");
        if (c->reason) {
            printf("    %s\n", c->reason);
        }
        return 0;
    }
    cm_jw_obj_begin(&l->o->jw);
    cm_jw_key(&l->o->jw, "Name");
    cm_jw_str(&l->o->jw, c->name);
    cm_jw_key(&l->o->jw, "Check");
    cm_jw_str(&l->o->jw, c->kind);
    cm_jw_key(&l->o->jw, "Schedule");
    cm_jw_str(&l->o->jw, c->schedule);
    cm_jw_key(&l->o->jw, "Params");
    cm_jw_raw(&l->o->jw, c->params, strlen(c->params));
    cm_jw_key(&l->o->jw, "State");
    cm_jw_str(&l->o->jw, c->enabled ? "ENABLED" : "DISABLED");
    cm_jw_key(&l->o->jw, "EventOnEveryFail");
    cm_jw_bool(&l->o->jw, c->every_fail);
    cm_jw_key(&l->o->jw, "Origin"); /* coalmine.yaml's canaries.checks, or canary put */
    cm_jw_str(&l->o->jw, c->origin != NULL ? c->origin : "put");
    cm_jw_key(&l->o->jw, "Status");
    if (c->status) {
        cm_jw_str(&l->o->jw, c->status);
    } else {
        cm_jw_null(&l->o->jw);
    }
    cm_jw_key(&l->o->jw, "Reason");
    if (c->reason) {
        cm_jw_str(&l->o->jw, c->reason);
    } else {
        cm_jw_null(&l->o->jw);
    }
    cm_jw_key(&l->o->jw, "Observed");
    if (c->observed) {
        cm_jw_raw(&l->o->jw, c->observed, strlen(c->observed));
    } else {
        cm_jw_null(&l->o->jw);
    }
    cm_canary_jw_time(&l->o->jw, "LastRunAt", c->last_run_ms);
    cm_canary_jw_time(&l->o->jw, "StatusSince", c->changed_ms);
    cm_canary_jw_time(&l->o->jw, "NextRunAt", c->enabled && next > 0 ? next : 0);
    cm_jw_obj_end(&l->o->jw);
    return 0;
}

static int canary_list(int argc, char **argv)
{
    struct copts o;
    struct cm_store *st = NULL;
    struct out out;
    struct lister l;
    char err[512] = "";
    int rc = parse(argc, argv, &o, LIST_OPTS, list_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_no_args("canary", "list", o.db, argc, argv)) != 0 ||
        (rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    out_begin(&out, o.json, "Canaries");
    l = (struct lister){&out, o.now_ms, 0};
    rc = cm_store_canaries(st, o.name, list_one, &l, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "coalmine canary list: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    } else if (o.name && l.n == 0) {
        fprintf(stderr, "coalmine canary list: no canary named %s\n", o.name);
        rc = CM_EXIT_ERROR;
    }
    if (out_end(&out) != 0) {
        rc = CM_EXIT_ERROR;
    }
    cm_store_close(st);
    return rc;
}

/* ---- delete ---- */

static const char delete_help[] = "usage: coalmine canary delete --db FILE --name NAME\n";

static int canary_delete(int argc, char **argv)
{
    struct copts o;
    struct cm_store *st = NULL;
    char err[512] = "";
    int rc = parse(argc, argv, &o, DELETE_OPTS, delete_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (o.name == NULL) {
        fprintf(stderr, "coalmine canary delete: --name is required\n");
        return CM_EXIT_USAGE;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) == 0 &&
        (rc = cm_store_canary_delete(st, o.name, err, sizeof(err))) != 0) {
        fprintf(stderr, "coalmine canary delete: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    cm_store_close(st);
    return rc;
}

/* ---- run / tick ---- */

/* Loads coalmine.yaml path into cfg and makes the store's checks what it says. */
static int reconcile(struct cm_store *st, const char *cmd, const char *path, struct cm_config *cfg)
{
    struct cm_store_reconciled r;
    char err[1024] = "";
    int rc;

    rc = cm_config_load(cfg, path, err, sizeof(err));
    if (rc == 0) {
        rc = cm_canary_reconcile(st, &cfg->canaries, path, &r, err, sizeof(err));
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine canary %s: %s\n", cmd, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR; /* a file it cannot use, as every command's --config */
    }
    if (r.created + r.updated + r.removed > 0) {
        fprintf(stderr, "  canary:   %s: %u checks created, %u updated, %u removed\n", path,
                r.created, r.updated, r.removed);
    }
    return CM_EXIT_OK;
}

/*
 * --config of run and tick (path NULL: none): coalmine.yaml into cfg (initialised by the
 * caller), the store's checks made what it says, and its secrets into secrets (v to free;
 * none without a file). Returns CM_EXIT_*.
 */
static int load_config(struct cm_store *st, const char *cmd, const char *path,
                       struct cm_config *cfg, struct cm_target_secrets *secrets)
{
    int rc;

    if (path != NULL && (rc = reconcile(st, cmd, path, cfg)) != CM_EXIT_OK) {
        return rc;
    }
    if (cm_cli_secrets(cfg, secrets) != 0) {
        fprintf(stderr, "coalmine canary %s: out of memory\n", cmd);
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

static const char run_help[] =
    "usage: coalmine canary run --db FILE NAME... | --all  [--config FILE] [--now TIME]\n"
    "                           [--format table|json]\n\n"
    "Runs the named checks (or every enabled one) now, whatever their schedule: prints\n"
    "each result, records it and sends its event to the matching rules' targets when\n"
    "its status changed (or on FAIL, unless the check is --on-change). --now runs them\n"
    "as at TIME (ISO 8601, epoch ms, or an age like 2h: what a test uses instead of\n"
    "waiting). --config first makes the store's checks what the file's canaries.checks\n"
    "says, as `canary tick --config` does, and gives its secrets to webhook deliveries\n"
    "whose headers refer to them (docs/config.md \"secrets\"). Exit status 0 when every\n"
    "check passed, 1 when one failed or could not tell (ERROR), or on an error.\n";

static int canary_run(int argc, char **argv)
{
    struct copts o;
    struct cm_store *st = NULL;
    struct out out;
    struct cm_canary_report rep = {on_sent, on_ran, on_fired, &out};
    struct cm_canary_tick_stats stats = {0};
    struct cm_target_secrets secrets = {NULL, 0};
    struct cm_canary_ctx ctx = {NULL, NULL, &secrets};
    struct cm_config cfg;
    char err[512] = "";
    int rc = parse(argc, argv, &o, RUN_OPTS, run_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((optind < argc) == o.all) {
        fprintf(stderr, "coalmine canary run: name the checks, or give --all\n");
        return CM_EXIT_USAGE;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coalmine canary run: libcurl could not be initialised\n");
        cm_store_close(st);
        return CM_EXIT_ERROR;
    }
    cm_config_init(&cfg);
    if ((rc = load_config(st, "run", o.config, &cfg, &secrets)) != CM_EXIT_OK) {
        goto done;
    }
    out_begin(&out, o.json, "Results");
    rc = cm_canary_run_named(st, o.now_ms, o.all ? NULL : (const char *const *)(argv + optind),
                             o.all ? 0 : (size_t)(argc - optind), &ctx, &rep, &stats, err,
                             sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "coalmine canary run: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && o.all && stats.ran == 0) {
        fprintf(stderr, "coalmine canary run: no enabled check in %s\n", o.db);
    }
    if (out_end(&out) != 0) {
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && (stats.failed + stats.errors > 0 || out.send_failed > 0)) {
        rc = CM_EXIT_ERROR;
    }
done:
    free(secrets.v);
    cm_config_finish(&cfg);
    curl_global_cleanup();
    cm_store_close(st);
    return rc;
}

static const char tick_help[] =
    "usage: coalmine canary tick --db FILE [--config FILE] [--now TIME]\n"
    "                            [--format table|json]\n\n"
    "Runs every enabled check that is due (its next fire time after its last run,\n"
    "or after it was put, has come), once however many fires were missed, and fires\n"
    "every enabled scheduled rule that is due (rules put --schedule-expression): what\n"
    "the service does every few seconds; from cron, run it every minute. Prints what\n"
    "ran and what fired. Exit status 0, or 1 when a check or rule could not be run, or\n"
    "an event could not be sent to a target (checks that FAIL are not errors here:\n"
    "their events say so). An event a target did not take stays owed: `coalmine rules\n"
    "deliver` tries it again. --config first makes the store's checks what the file's\n"
    "canaries.checks says (docs/canaries.md): its checks created or updated, the ones\n"
    "it made before and no longer names removed, `canary put`'s left alone; its\n"
    "api.account and api.region are what Scheduled Events carry (else the store's\n"
    "detector's, when it has one), and its secrets go to webhook deliveries whose\n"
    "headers refer to them (docs/config.md \"secrets\").\n";

static int canary_tick(int argc, char **argv)
{
    struct copts o;
    struct cm_store *st = NULL;
    struct out out;
    struct cm_canary_report rep = {on_sent, on_ran, on_fired, &out};
    struct cm_canary_tick_stats stats;
    struct cm_target_secrets secrets = {NULL, 0};
    struct cm_canary_ctx ctx = {NULL, NULL, &secrets};
    struct cm_config cfg;
    char err[512] = "";
    int rc = parse(argc, argv, &o, TICK_OPTS, tick_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_no_args("canary", "tick", o.db, argc, argv)) != 0 ||
        (rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coalmine canary tick: libcurl could not be initialised\n");
        cm_store_close(st);
        return CM_EXIT_ERROR;
    }
    cm_config_init(&cfg);
    if ((rc = load_config(st, "tick", o.config, &cfg, &secrets)) != CM_EXIT_OK) {
        cm_config_finish(&cfg);
        curl_global_cleanup();
        cm_store_close(st);
        return rc;
    }
    out_begin(&out, o.json, "Results");
    /* Scheduled Events carry the file's api.account and api.region, else the detector's;
     * webhook deliveries get its secrets. */
    ctx.account = cfg.api.account;
    ctx.region = cfg.api.region;
    rc = cm_canary_tick_as(st, o.now_ms, &ctx, &rep, &stats, err, sizeof(err));
    free(secrets.v);
    cm_config_finish(&cfg);
    if (rc != 0) {
        fprintf(stderr, "coalmine canary tick: %s\n", err[0] ? err : cm_strerror(rc));
        rc = CM_EXIT_ERROR;
    }
    if (out_end(&out) != 0) {
        rc = CM_EXIT_ERROR;
    }
    if (!o.json) {
        fprintf(stderr,
                "  canary:   %u checks run (%u passed, %u failed, %u errors), %u rules fired\n",
                stats.ran, stats.passed, stats.failed, stats.errors, stats.fired);
    }
    curl_global_cleanup();
    cm_store_close(st);
    return rc == 0 && out.send_failed > 0 ? CM_EXIT_ERROR : rc;
}

/* ---- the command ---- */

static const struct cm_cmd subcommands[] = {
    {"put", "create or replace a check", canary_put},
    {"list", "list the checks with their last result and next run", canary_list},
    {"delete", "delete a check", canary_delete},
    {"run", "run checks now (exit 1 when one does not pass)", canary_run},
    {"tick", "run the checks and fire the scheduled rules that are due", canary_tick},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine canary <subcommand> [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 8);
    fprintf(f, "\nchecks:\n");
    for (size_t i = 0; cm_canary_kind_at(i) != NULL; i++) {
        fprintf(f, "  %-12s %s\n", cm_canary_kind_at(i)->name, cm_canary_kind_at(i)->summary);
    }
    fprintf(f, "\nA check's result is an EventBridge event (source coalmine.canary, detail-type\n"
               "Coalmine Canary Check) routed by the rules ('coalmine rules'), e.g.\n"
               "  {\"source\":[\"coalmine.canary\"],\"detail\":{\"status\":[\"FAIL\"]}}\n"
               "See docs/canaries.md.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand(CMD, subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_canary = {
    .name = "canary",
    .summary = "check that the pipeline is alive: log freshness, alert delivery, scans",
    .run = run,
};
