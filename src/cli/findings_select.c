/*
 * The selection flags of `coalmine findings list/stats/export` (see
 * findings_cli.h): the user's FindingCriteria, and a second FindingCriteria
 * built as JSON from the shortcut flags and compiled by the same library, so
 * the store sees both the same way.
 */
#include "cli/findings_cli.h"
#include "core/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "event/event.h"

const char cm_fsel_help[] =
    "      --finding-criteria JSON  GuardDuty FindingCriteria, as `aws guardduty\n"
    "                        list-findings --finding-criteria` takes it, or file://PATH\n"
    "      --type T          finding type (repeatable, or T,T,...)\n"
    "      --severity-min N  severity >= N    --severity-max N  severity <= N\n"
    "      --account ID      account (repeatable)   --region R  region (repeatable)\n"
    "      --resource ID     instance, network interface, access key or bucket\n"
    "      --since TIME      updated at or after TIME   --until TIME  at or before TIME\n"
    "                        (ISO 8601, YYYY-MM-DD, epoch ms, or an age: 30m, 24h, 7d)\n"
    "      --archived true|false|all  default: current findings only, unless the\n"
    "                        criteria name service.archived\n"
    "      --text STR        case-insensitive text anywhere in the finding\n";

const char cm_fsort_help[] =
    "      --sort ATTR[:asc|:desc]  sort key (updatedAt, createdAt, severity, type,\n"
    "                        accountId, region, service.count, service.eventFirstSeen,\n"
    "                        service.eventLastSeen, id); default updatedAt:desc\n"
    "      --sort-criteria JSON  {\"AttributeName\":\"severity\",\"OrderBy\":\"ASC\"}\n"
    "                        (the same key as --sort: not with it)\n";

void cm_fsel_init(struct cm_fsel *s, const char *cmd)
{
    memset(s, 0, sizeof(*s));
    s->cmd = cmd;
    s->sort = CM_SORT_UPDATED;
    s->ascending = false;
}

void cm_fsel_finish(struct cm_fsel *s)
{
    cm_criteria_destroy(s->user);
    cm_criteria_destroy(s->shortcuts);
    s->user = NULL;
    s->shortcuts = NULL;
}

int cm_cli_parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
    return cm_str_to_u64(cm_str_cstr(s), max, out) == 0 ? 0 : -1;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

int cm_cli_parse_time(const char *s, int64_t now_ms, int64_t *out)
{
    static const struct {
        char unit;
        int64_t ms;
    } units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000}, {'w', 604800000}};
    size_t n = strlen(s);
    unsigned long long v;
    char day[32];

    if (all_digits(s, n)) {
        if (cm_str_to_u64(cm_str_make(s, n), 1ULL << 53, &v) != 0) {
            return -1;
        }
        if (v > 0 && v < CM_CLI_EPOCH_MS_MIN) {
            return CM_CLI_TIME_SECONDS; /* 1767571200 is epoch seconds, not 1970-01-21 */
        }
        *out = (int64_t)v;
        return 0;
    }
    for (size_t i = 0; n > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
        if (s[n - 1] == units[i].unit && all_digits(s, n - 1)) {
            if (cm_str_to_u64(cm_str_make(s, n - 1), 100000000ULL, &v) != 0 ||
                (int64_t)v > now_ms / units[i].ms) {
                return -1;
            }
            *out = now_ms - (int64_t)v * units[i].ms;
            return 0;
        }
    }
    if (n == 10 && s[4] == '-' && s[7] == '-') { /* a date: midnight UTC */
        snprintf(day, sizeof(day), "%sT00:00:00Z", s);
        s = day;
        n = strlen(day);
    } else if (n >= 16 && n < sizeof(day) - 3 && s[4] == '-' && s[7] == '-' &&
               (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && s[13] == ':') {
        /* "2026-01-05 10:00:00Z" and "2026-01-05T10:00Z" (gen --start's form) */
        memcpy(day, s, 16);
        day[10] = 'T';
        if (n == 16 || s[16] != ':') {
            memcpy(day + 16, ":00", 3);
            memcpy(day + 19, s + 16, n - 16 + 1);
        } else {
            memcpy(day + 16, s + 16, n - 16 + 1);
        }
        s = day;
        n = strlen(day);
        if (strpbrk(s + 16, "Zz+-") == NULL) {
            return CM_CLI_TIME_NO_ZONE;
        }
    }
    return cm_time_parse_iso(cm_str_make(s, n), out) == 0 ? 0 : -1;
}

static int usage_err(const struct cm_fsel *s, const char *opt, const char *arg, const char *want)
{
    fprintf(stderr, "coalmine %s: %s '%s': %s\n", s->cmd, opt, arg, want);
    return CM_EXIT_USAGE;
}

/* Appends the comma-separated values of arg to v[*n] (arg is cut at the commas). */
static int add_values(const struct cm_fsel *s, const char *opt, char *arg, const char **v,
                      size_t *n)
{
    size_t len = strlen(arg);

    if (len == 0 || arg[0] == ',' || arg[len - 1] == ',' || strstr(arg, ",,")) {
        return usage_err(s, opt, arg, "empty value");
    }
    for (char *p = arg, *comma; p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma) {
            *comma = '\0';
        }
        if (*n == CM_FSEL_MAX_VALUES) {
            return usage_err(s, opt, p, "too many values (at most 50)");
        }
        v[(*n)++] = p;
    }
    return 1;
}

/*
 * add_values() for values of a known shape: one that is not (an account id of 11 digits,
 * "us-east1") is a usage error, as in `findings sample` and `scan --region`, rather than
 * a selection that quietly matches nothing.
 */
static int shaped_values(const struct cm_fsel *s, const char *opt, char *arg, const char **v,
                         size_t *n, bool (*ok)(struct cm_str), const char *want)
{
    size_t first = *n;
    int rc = add_values(s, opt, arg, v, n);

    for (size_t i = first; rc == 1 && i < *n; i++) {
        if (!ok(cm_str_cstr(v[i]))) {
            return usage_err(s, opt, v[i], want);
        }
    }
    return rc;
}

static int parse_severity(const struct cm_fsel *s, const char *opt, const char *arg, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= 0.0 && v <= 10.0)) {
        return usage_err(s, opt, arg, "wants a number from 0 to 10");
    }
    *out = v;
    return 1;
}

static int parse_sort(struct cm_fsel *s, const char *arg)
{
    char name[64];
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

    if (n >= sizeof(name)) {
        return usage_err(s, "--sort", arg, "unknown attribute");
    }
    memcpy(name, arg, n);
    name[n] = '\0';
    if (cm_store_sort_parse(name, &s->sort) != 0) {
        return usage_err(s, "--sort", arg,
                         "unknown attribute (updatedAt, createdAt, severity, type, accountId, "
                         "region, service.count, service.eventFirstSeen, "
                         "service.eventLastSeen, id)");
    }
    if (colon == NULL || strcmp(colon, ":desc") == 0 || strcmp(colon, ":DESC") == 0) {
        s->ascending = false;
    } else if (strcmp(colon, ":asc") == 0 || strcmp(colon, ":ASC") == 0) {
        s->ascending = true;
    } else {
        return usage_err(s, "--sort", arg, "the order is :asc or :desc");
    }
    return 1;
}

const char *cm_cli_time_why(int rc)
{
    if (rc == CM_CLI_TIME_SECONDS) {
        return "looks like epoch seconds; epoch milliseconds are wanted (append 000)";
    }
    if (rc == CM_CLI_TIME_NO_ZONE) {
        return "has no time zone (add Z for UTC, or +01:00)";
    }
    return "wants ISO 8601, YYYY-MM-DD, epoch milliseconds or an age like 24h";
}

static int parse_time_opt(struct cm_fsel *s, const char *opt, const char *arg, int64_t *out,
                          bool *has)
{
    if (s->now_ms == 0) {
        s->now_ms = cm_clock_now_ms();
    }
    int rc = cm_cli_parse_time(arg, s->now_ms, out);

    if (rc != 0) {
        return usage_err(s, opt, arg, cm_cli_time_why(rc));
    }
    *has = true;
    return 1;
}

int cm_fsel_option(struct cm_fsel *s, int opt, char *arg)
{
    switch (opt) {
    case CM_OPT_CRITERIA:
        s->criteria_arg = arg;
        return 1;
    case CM_OPT_TYPE:
        return add_values(s, "--type", arg, s->types, &s->ntypes);
    case CM_OPT_ACCOUNT:
        return shaped_values(s, "--account", arg, s->accounts, &s->naccounts, cm_account_id_ok,
                             "an account id is 12 digits");
    case CM_OPT_REGION:
        return shaped_values(s, "--region", arg, s->regions, &s->nregions, cm_region_name_ok,
                             "not a region name like us-east-1");
    case CM_OPT_SEV_MIN:
        s->has_sev_min = true;
        return parse_severity(s, "--severity-min", arg, &s->sev_min);
    case CM_OPT_SEV_MAX:
        s->has_sev_max = true;
        return parse_severity(s, "--severity-max", arg, &s->sev_max);
    case CM_OPT_SINCE:
        return parse_time_opt(s, "--since", arg, &s->since_ms, &s->has_since);
    case CM_OPT_UNTIL:
        return parse_time_opt(s, "--until", arg, &s->until_ms, &s->has_until);
    case CM_OPT_RESOURCE:
        s->resource = arg;
        return 1;
    case CM_OPT_TEXT:
        s->text = arg;
        return 1;
    case CM_OPT_ARCHIVED:
        if (strcmp(arg, "true") == 0) {
            s->archived = CM_ARCH_TRUE;
        } else if (strcmp(arg, "false") == 0) {
            s->archived = CM_ARCH_FALSE;
        } else if (strcmp(arg, "all") == 0) {
            s->archived = CM_ARCH_ALL;
        } else {
            return usage_err(s, "--archived", arg, "wants true, false or all");
        }
        return 1;
    case CM_OPT_SORT:
        if (s->sort_criteria_arg) {
            return usage_err(s, "--sort", arg, "does not go with --sort-criteria (one sort key)");
        }
        s->sort_given = true;
        return parse_sort(s, arg);
    case CM_OPT_SORT_CRITERIA:
        if (s->sort_given) {
            return usage_err(s, "--sort-criteria", arg, "does not go with --sort (one sort key)");
        }
        s->sort_criteria_arg = arg;
        return 1;
    default:
        return 0;
    }
}

static void equals_list(struct cm_jw *jw, const char *path, const char *const *v, size_t n)
{
    if (n == 0) {
        return;
    }
    cm_jw_key(jw, path);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "Equals");
    cm_jw_arr_begin(jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_str(jw, v[i]);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/* Writes the shortcut flags as FindingCriteria JSON; *terms gets how many paths. */
static int shortcuts_json(const struct cm_fsel *s, struct cm_buf *b, size_t *terms)
{
    static const char *const arch[] = {[CM_ARCH_FALSE] = "false", [CM_ARCH_TRUE] = "true"};
    struct cm_jw jw;
    enum cm_fsel_archived a = s->archived;

    if (a == CM_ARCH_DEFAULT) {
        a = s->user && cm_criteria_has_path(s->user, "service.archived") ? CM_ARCH_ALL
                                                                         : CM_ARCH_FALSE;
    }
    *terms = (s->ntypes > 0) + (s->naccounts > 0) + (s->nregions > 0) +
             (s->has_sev_min || s->has_sev_max) + (s->has_since || s->has_until) +
             (a != CM_ARCH_ALL);
    cm_jw_init(&jw, b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "Criterion");
    cm_jw_obj_begin(&jw);
    equals_list(&jw, "type", s->types, s->ntypes);
    equals_list(&jw, "accountId", s->accounts, s->naccounts);
    equals_list(&jw, "region", s->regions, s->nregions);
    if (s->has_sev_min || s->has_sev_max) {
        cm_jw_key(&jw, "severity");
        cm_jw_obj_begin(&jw);
        if (s->has_sev_min) {
            cm_jw_key(&jw, "Gte");
            cm_jw_f64(&jw, s->sev_min);
        }
        if (s->has_sev_max) {
            cm_jw_key(&jw, "Lte");
            cm_jw_f64(&jw, s->sev_max);
        }
        cm_jw_obj_end(&jw);
    }
    if (s->has_since || s->has_until) {
        cm_jw_key(&jw, "updatedAt");
        cm_jw_obj_begin(&jw);
        if (s->has_since) {
            cm_jw_key(&jw, "Gte");
            cm_jw_i64(&jw, s->since_ms);
        }
        if (s->has_until) {
            cm_jw_key(&jw, "Lte");
            cm_jw_i64(&jw, s->until_ms);
        }
        cm_jw_obj_end(&jw);
    }
    if (a != CM_ARCH_ALL) {
        equals_list(&jw, "service.archived", &arch[a], 1);
    }
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

/* Reads {"AttributeName": ..., "OrderBy": "ASC"|"DESC"} (either casing). */
static int sort_criteria(struct cm_fsel *s, const char *text, size_t len)
{
    struct cm_json_doc d;
    struct cm_diag diag;
    int rc = CM_EXIT_ERROR, prc;
    uint32_t k;

    cm_json_doc_init(&d, 64, 8);
    cm_diag_clear(&diag);
    if ((prc = cm_json_parse(&d, text, len, &diag)) != 0) {
        cm_cli_diag(s->cmd, "--sort-criteria", prc, &diag);
        goto done;
    }
    if (cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        fprintf(stderr, "coalmine %s: --sort-criteria: not a JSON object\n", s->cmd);
        goto done;
    }
    for (k = cm_json_first(&d, 0); k != CM_JSON_NONE; k = cm_json_next(&d, 0, k + 1)) {
        struct cm_str key = cm_json_raw(&d, k), v = cm_json_raw(&d, k + 1);
        char name[64];
        bool is_attr = cm_str_eqc(key, "AttributeName") || cm_str_eqc(key, "attributeName");
        bool is_order = cm_str_eqc(key, "OrderBy") || cm_str_eqc(key, "orderBy");
        if (!is_attr && !is_order) {
            fprintf(stderr, "coalmine %s: --sort-criteria: unknown member '%.*s'\n", s->cmd,
                    (int)(key.len > 60 ? 60 : key.len), key.p);
            goto done;
        }
        if (cm_json_type(&d, k + 1) != CM_JSON_STRING || v.len >= sizeof(name)) {
            fprintf(stderr, "coalmine %s: --sort-criteria: %.*s must be a string\n", s->cmd,
                    (int)key.len, key.p);
            goto done;
        }
        memcpy(name, v.p, v.len);
        name[v.len] = '\0';
        if (is_attr && cm_store_sort_parse(name, &s->sort) != 0) {
            fprintf(stderr, "coalmine %s: --sort-criteria: unknown attribute '%s'\n", s->cmd, name);
            goto done;
        }
        if (is_order && strcmp(name, "ASC") != 0 && strcmp(name, "DESC") != 0) {
            fprintf(stderr, "coalmine %s: --sort-criteria: OrderBy is ASC or DESC, not '%s'\n",
                    s->cmd, name);
            goto done;
        }
        if (is_order) {
            s->ascending = strcmp(name, "ASC") == 0;
        }
    }
    rc = CM_EXIT_OK;
done:
    cm_json_doc_finish(&d);
    return rc;
}

int cm_fsel_compile(struct cm_fsel *s)
{
    struct cm_buf b;
    struct cm_diag diag;
    size_t terms;
    int rc, status = CM_EXIT_ERROR;

    cm_buf_init(&b, CM_CRIT_MAX_INPUT);
    cm_diag_clear(&diag);
    if (s->criteria_arg) {
        if (cm_cli_arg_text(s->cmd, "--finding-criteria", s->criteria_arg, CM_CRIT_MAX_INPUT, &b) !=
            0) {
            goto done;
        }
        rc = cm_criteria_compile(b.p, b.len, 0, &s->user, &diag);
        if (rc != 0) {
            cm_cli_diag(s->cmd, "--finding-criteria", rc, &diag);
            goto done;
        }
    }
    if (s->sort_criteria_arg) {
        if (cm_cli_arg_text(s->cmd, "--sort-criteria", s->sort_criteria_arg, 4096, &b) != 0 ||
            sort_criteria(s, b.p, b.len) != 0) {
            goto done;
        }
    }
    cm_buf_reset(&b);
    rc = shortcuts_json(s, &b, &terms);
    if (rc == 0 && terms > 0) {
        rc = cm_criteria_compile(b.p, b.len, 0, &s->shortcuts, &diag);
    }
    if (rc != 0) {
        /* Built from validated flags: only a value too long for a criterion gets here. */
        fprintf(stderr, "coalmine %s: selection flags: %s\n", s->cmd,
                diag.msg[0] ? diag.msg : cm_strerror(rc));
        goto done;
    }
    cm_cli_type_hints(s->cmd, s->user);
    cm_cli_type_hints(s->cmd, s->shortcuts);
    status = CM_EXIT_OK;
done:
    cm_buf_finish(&b);
    return status;
}

void cm_fsel_query(const struct cm_fsel *s, struct cm_store_query *q)
{
    memset(q, 0, sizeof(*q));
    q->criteria[0] = s->user;
    q->criteria[1] = s->shortcuts;
    q->resource_id = s->resource;
    q->text = s->text;
    q->sort = s->sort;
    q->ascending = s->ascending;
}
