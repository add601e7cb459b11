/*
 * libFuzzer target for src/core/config.c: the input is a coalmine.yaml
 * candidate, parsed with an absolute base directory. Whatever it is,
 * cm_config_parse() must return 0 or CM_EINVAL/CM_ENOMEM (never crash, never
 * leak). An error must leave the config as it was (the defaults) and say
 * why, with a line inside the input when it has a position. A success must
 * hold only what the loader promises: every list within its cap, every path
 * absolute (resolved against the base), every intel list argument parsing
 * back to a file under it, every canary key of the right shape and none
 * twice, every number in its documented range (the serve section's too), no
 * S3 or SQS location anywhere but serve.watch, and there only one that parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3_url.h"
#include "aws/sqs_loc.h"
#include "base/err.h"
#include "base/json.h"
#include "core/config.h"
#include "route/schedule.h"
#include "intel/intel_load.h"

#define BASE "/etc/coalmine"

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void check_path(const char *p)
{
    check(p != NULL && p[0] == '/' && strlen(p) <= CM_CONFIG_MAX_PATH);
}

/*
 * A serve.watch entry: an absolute path, or a location kept as given: an S3 location that
 * parses, or a queue that parses (a URL's own scheme and host standing for the endpoint).
 */
static void check_watch(const char *p)
{
    static struct cm_sqs_loc l;
    struct cm_s3_url u;
    char why[512], origin[300];

    if (cm_s3_is_url(p)) {
        check(cm_s3_url_parse(p, &u, why, sizeof(why)) == 0);
    } else if (cm_sqs_loc_is(p)) {
        const char *auth = strstr(p, "://") + 3;
        size_t n = (size_t)(auth - p) + strcspn(auth, "/?#");

        snprintf(origin, sizeof(origin), "%.*s", (int)n, p);
        check(cm_sqs_loc_parse(p, strncmp(p, "sqs://", 6) == 0 ? NULL : origin, &l, why,
                               sizeof(why)) == 0);
    } else {
        check_path(p);
    }
}

static void check_list(const struct cm_config_list *l, size_t max)
{
    check(l->n <= max);
    check(l->n == 0 || l->v != NULL);
    for (size_t i = 0; i < l->n; i++) {
        check(l->v[i] != NULL && l->v[i][0] != '\0');
    }
}

static void check_specs(const struct cm_config_list *l, enum cm_intel_kind kind, bool managed)
{
    struct cm_intel_source src;
    char err[512];

    check_list(l, CM_CONFIG_MAX_ITEMS);
    for (size_t i = 0; i < l->n; i++) {
        check(cm_intel_source_parse(l->v[i], kind, managed, &src, err, sizeof(err)) == 0);
        check_path(src.path);
        check(src.name[0] != '\0');
    }
}

static void check_defaults(const struct cm_config *c)
{
    struct cm_config d;

    cm_config_init(&d);
    check(memcmp(c, &d, sizeof(d)) == 0);
}

static void check_ok(const struct cm_config *c)
{
    const struct cm_config_console_login *cl = &c->detectors.console_login;
    const struct cm_config_api_anomaly *an = &c->detectors.api_anomaly;
    int exfil = c->detectors.credential_exfiltration.expected_after_days;

    check_specs(&c->intel.threat_lists, CM_INTEL_KIND_THREAT, false);
    check_specs(&c->intel.trusted_lists, CM_INTEL_KIND_TRUSTED, false);
    check_specs(&c->intel.lists, CM_INTEL_KIND_THREAT, true);
    check_list(&c->intel.geoip, 16);
    for (size_t i = 0; i < c->intel.geoip.n; i++) {
        check_path(c->intel.geoip.v[i]);
    }
    if (c->intel.dir) {
        check_path(c->intel.dir);
    }
    if (c->intel.aws_ranges) {
        check_path(c->intel.aws_ranges);
    }
    if (c->store.db) {
        check_path(c->store.db);
    }
    /* api: checked strings; each credential whole, of the documented shape. */
    check(c->api.account == NULL || strlen(c->api.account) == 12);
    check(c->api.region == NULL || (strlen(c->api.region) >= 3 && strlen(c->api.region) <= 40));
    check(c->api.listen == NULL || strchr(c->api.listen, ':') != NULL);
    check(c->api.ncredentials <= CM_CONFIG_MAX_CREDS);
    for (size_t i = 0; i < c->api.ncredentials; i++) {
        const struct cm_config_cred *cr = &c->api.credentials[i];
        check(cr->access_key_id != NULL && cr->secret_access_key != NULL);
        check(strlen(cr->access_key_id) >= 16 && strlen(cr->access_key_id) <= 128);
        check(strlen(cr->secret_access_key) >= 1 && strlen(cr->secret_access_key) <= 128);
        check(strchr(cr->secret_access_key, ' ') == NULL);
    }
    check_list(&c->canaries.keys, CM_CONFIG_MAX_ITEMS);
    for (size_t i = 0; i < c->canaries.keys.n; i++) {
        check(cm_config_check_access_key(cm_str_cstr(c->canaries.keys.v[i])) == NULL);
        for (size_t j = 0; j < i; j++) {
            check(strcmp(c->canaries.keys.v[i], c->canaries.keys.v[j]) != 0);
        }
    }
    /* canaries.checks: names unique and well formed, kinds known, schedules that parse,
     * params a JSON object, places inside the input. */
    check(c->canaries.nchecks <= CM_CONFIG_MAX_CHECKS);
    for (size_t i = 0; i < c->canaries.nchecks; i++) {
        const struct cm_config_check *k = &c->canaries.checks[i];
        struct cm_schedule sch;
        struct cm_json_doc d;
        check(k->name != NULL && strlen(k->name) >= 1 && strlen(k->name) <= 64);
        check(strcspn(k->name, " /\t\n") == strlen(k->name));
        check(k->kind != NULL &&
              (strcmp(k->kind, "freshness") == 0 || strcmp(k->kind, "pipeline") == 0 ||
               strcmp(k->kind, "scan-health") == 0));
        check(k->schedule != NULL &&
              cm_schedule_parse(k->schedule, strlen(k->schedule), &sch, NULL) == 0);
        check(k->params != NULL);
        cm_json_doc_init(&d, 0, 0);
        check(cm_json_parse(&d, k->params, strlen(k->params), NULL) == 0 &&
              cm_json_type(&d, 0) == CM_JSON_OBJECT);
        cm_json_doc_finish(&d);
        check(k->line >= 1 && k->params_line >= k->line && k->params_col >= 1);
        for (size_t j = 0; j < i; j++) {
            check(strcmp(k->name, c->canaries.checks[j].name) != 0);
        }
    }
    check(cl->min_distance_km >= 0 && cl->min_distance_km <= 20000);
    check(cl->max_speed_kmh >= 0 && cl->max_speed_kmh <= 1000000);
    check(cl->window_hours >= 0 && cl->window_hours <= 8760);
    check(exfil >= 0 && exfil <= 3650);
    check(an->learning_hours >= 0 && an->learning_hours <= 8760);
    check(an->discovery_burst >= 0 && an->discovery_burst <= 8);
    check(an->discovery_window_minutes >= 0 && an->discovery_window_minutes <= 1440);
    check(c->store.retention_days >= -1 && c->store.retention_days <= 36500);
    /* serve: what coalmine serve watches (docs/serve.md). */
    check(c->serve.watch.n <= CM_CONFIG_MAX_ITEMS);
    for (size_t i = 0; i < c->serve.watch.n; i++) {
        check_watch(c->serve.watch.v[i]);
    }
    if (c->serve.state) {
        check_path(c->serve.state);
    }
    check(c->serve.poll_interval >= 0 && c->serve.poll_interval <= 86400);
    check(c->serve.settle >= -1 && c->serve.settle <= 86400);
    check(c->serve.checkpoint_interval >= 0 && c->serve.checkpoint_interval <= 86400);
    check(c->serve.canary_interval >= 0 && c->serve.canary_interval <= 86400);
    check(c->serve.bus_interval >= 0 && c->serve.bus_interval <= 86400);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_config c;
    char err[512];
    size_t lines = 1;
    unsigned long line, col;
    int rc;

    /* An upper bound on libyaml's line count: it also breaks lines at NEL, LS and PS. */
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
                 data[i] == 0xa9;
    }
    cm_config_init(&c);
    rc = cm_config_parse(&c, (const char *)data, size, BASE, err, sizeof(err));
    if (rc != 0) {
        check(rc == CM_EINVAL || rc == CM_ENOMEM);
        check(err[0] != '\0');
        check_defaults(&c);
        if (sscanf(err, "%lu:%lu:", &line, &col) == 2) {
            check(line >= 1 && line <= lines + 1 && col >= 1);
        }
        return 0;
    }
    check_ok(&c);
    cm_config_finish(&c);
    check_defaults(&c);
    return 0;
}
