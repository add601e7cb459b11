/*
 * coalmine.yaml: the schema, the value setters and the public API (parse,
 * finish; load reads the file in config_load.c). See core/config.h for the
 * contract and docs/config.md for the keys; config_walk.c is the libyaml
 * event walker this drives.
 *
 * One const table per section says, for each key, its kind (a section, a
 * path, a boolean, an integer in a range, or a list of list arguments, paths
 * or access key ids) and where its value goes in struct cm_config. The
 * setters pull events from the walker and follow the tables; they never
 * descend into a node the schema does not have, so the depth of the input
 * cannot make them recurse (CM_CONFIG_MAX_DEPTH is a backstop over the events
 * themselves). Values go into a scratch config that replaces the caller's
 * only when the whole file is good. libyaml allocates through the C library;
 * everything coalmine keeps goes through base/alloc.h.
 */
#include "core/config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/domain.h"
#include "base/err.h"
#include "core/config_impl.h"
#include "detect/ct_custom.h"
#include "intel/geoip.h"
#include "intel/intel_load.h"

/* One key per line or two (clang-format would give each member a line of its own). */
/* clang-format off */
static const struct key intel_keys[] = {
    {.name = "threat_lists", .kind = K_SPECS, .off = OFF(intel.threat_lists),
     .max = CM_CONFIG_MAX_ITEMS, .spec = SPEC_THREAT},
    {.name = "trusted_lists", .kind = K_SPECS, .off = OFF(intel.trusted_lists),
     .max = CM_CONFIG_MAX_ITEMS, .spec = SPEC_TRUSTED},
    {.name = "lists", .kind = K_SPECS, .off = OFF(intel.lists),
     .max = CM_CONFIG_MAX_ITEMS, .spec = SPEC_MANAGED},
    {.name = "dir", .kind = K_PATH, .off = OFF(intel.dir)},
    {.name = "default", .kind = K_BOOL, .off = OFF(intel.use_default)},
    {.name = "geoip", .kind = K_PATHS, .off = OFF(intel.geoip), .max = CM_GEOIP_MAX_DBS},
    {.name = "aws_ranges", .kind = K_PATH, .off = OFF(intel.aws_ranges)},
    {.name = NULL},
};

static const struct key canaries_keys[] = {
    {.name = "keys", .kind = K_KEYS, .off = OFF(canaries.keys), .max = CM_CONFIG_MAX_ITEMS},
    {.name = "checks", .kind = K_CANARY_CHECKS, .max = CM_CONFIG_MAX_CHECKS},
    {.name = NULL},
};

/* Half the Earth's circumference is 20 015 km: a larger threshold could never fire. */
static const struct key console_login_keys[] = {
    {.name = "min_distance_km", .kind = K_INT,
     .off = OFF(detectors.console_login.min_distance_km), .min = 1, .max = 20000},
    {.name = "max_speed_kmh", .kind = K_INT,
     .off = OFF(detectors.console_login.max_speed_kmh), .min = 1, .max = 1000000},
    {.name = "window_hours", .kind = K_INT,
     .off = OFF(detectors.console_login.window_hours), .min = 1, .max = 8760},
    {.name = NULL},
};

static const struct key exfil_keys[] = {
    {.name = "expected_after_days", .kind = K_INT,
     .off = OFF(detectors.credential_exfiltration.expected_after_days), .min = 1, .max = 3650},
    {.name = NULL},
};

static const struct key api_anomaly_keys[] = {
    {.name = "learning_hours", .kind = K_INT, .off = OFF(detectors.api_anomaly.learning_hours),
     .min = 1, .max = 8760},
    {.name = "discovery_burst", .kind = K_INT, .off = OFF(detectors.api_anomaly.discovery_burst),
     .min = 1, .max = 8},
    {.name = "discovery_window_minutes", .kind = K_INT,
     .off = OFF(detectors.api_anomaly.discovery_window_minutes), .min = 1, .max = 1440},
    {.name = NULL},
};

#define VF(m) OFF(detectors.vpcflow.m)
static const struct key vpcflow_keys[] = {
    {.name = "learning_hours", .kind = K_INT, .off = VF(learning_hours), .min = 1, .max = 8760},
    {.name = "brute_force_attempts", .kind = K_INT, .off = VF(brute_force_attempts),
     .min = 2, .max = 65535},
    {.name = "brute_force_window_minutes", .kind = K_INT, .off = VF(brute_force_window_minutes),
     .min = 1, .max = 1440},
    {.name = "brute_force_private_remotes", .kind = K_BOOL,
     .off = VF(brute_force_private_remotes)},
    {.name = "port_probe_window_minutes", .kind = K_INT, .off = VF(port_probe_window_minutes),
     .min = 1, .max = 10080},
    /* The port-scan sketch counts distinct ports within 10% up to about 100. */
    {.name = "portscan_ports", .kind = K_INT, .off = VF(portscan_ports), .min = 2, .max = 100},
    {.name = "dos_packets_per_second", .kind = K_INT, .off = VF(dos_packets_per_second),
     .min = 10, .max = 100000000},
    {.name = "volume_floor_mb", .kind = K_INT, .off = VF(volume_floor_mb), .min = 1,
     .max = 10000000},
    {.name = "volume_factor", .kind = K_INT, .off = VF(volume_factor), .min = 2, .max = 1000000},
    {.name = "port_sweep_hosts", .kind = K_INT, .off = VF(port_sweep_hosts), .min = 2,
     .max = 100000},
    {.name = "spambot_hosts", .kind = K_INT, .off = VF(spambot_hosts), .min = 1, .max = 10000},
    {.name = "report_minutes", .kind = K_INT, .off = VF(report_minutes), .min = 1, .max = 1440},
    {.name = "history_days", .kind = K_INT, .off = VF(history_days), .min = 1, .max = 365},
    {.name = "max_pairs", .kind = K_INT, .off = VF(max_pairs), .min = 1024, .max = 100000000},
    {.name = "max_instances", .kind = K_INT, .off = VF(max_instances), .min = 1024,
     .max = 100000000},
    {.name = NULL},
};
#undef VF

#define DN(m) OFF(detectors.dns.m)
static const struct key dns_keys[] = {
    {.name = "dga_model", .kind = K_PATH, .off = DN(dga_model)},
    {.name = "dga_min_score_percent", .kind = K_INT, .off = DN(dga_min_score_percent),
     .min = 50, .max = 100},
    {.name = "dga_nxdomain_min_score_percent", .kind = K_INT,
     .off = DN(dga_nxdomain_min_score_percent), .min = 50, .max = 100},
    {.name = "dga_burst", .kind = K_INT, .off = DN(dga_burst), .min = 2, .max = 64},
    {.name = "dga_window_minutes", .kind = K_INT, .off = DN(dga_window_minutes), .min = 1,
     .max = 1440},
    {.name = "tunnel_names", .kind = K_INT, .off = DN(tunnel_names), .min = 2, .max = 100000},
    {.name = "tunnel_window_minutes", .kind = K_INT, .off = DN(tunnel_window_minutes), .min = 1,
     .max = 1440},
    {.name = "tunnel_spread_domains", .kind = K_INT, .off = DN(tunnel_spread_domains), .min = 2,
     .max = 64},
    {.name = "tunnel_allow", .kind = K_NAMES, .off = DN(tunnel_allow),
     .max = CM_CONFIG_MAX_ITEMS},
    {.name = "reputation_learning_hours", .kind = K_INT, .off = DN(reputation_learning_hours),
     .min = 1, .max = 8760},
    {.name = "reputation_new_hours", .kind = K_INT, .off = DN(reputation_new_hours), .min = 1,
     .max = 8760},
    {.name = "reputation_min_score_percent", .kind = K_INT,
     .off = DN(reputation_min_score_percent), .min = 1, .max = 100},
    {.name = "reputation_max_domains", .kind = K_INT, .off = DN(reputation_max_domains),
     .min = 1024, .max = 100000000},
    {.name = "rebind_allowed", .kind = K_NAMES, .off = DN(rebind_allowed),
     .max = CM_CONFIG_MAX_ITEMS},
    {.name = NULL},
};
#undef DN

/* "[ACCOUNT:]RULE=MODE" (detect/ct_custom.h): NULL when fine, else why not. */
static const char *check_custom_rule(struct cm_str s)
{
    struct cm_cr_setting set;
    const char *why = NULL;

    return cm_cr_setting_parse(s, &set, &why) == 0 ? NULL : why;
}

static const struct key custom_rules_keys[] = {
    {.name = "modes", .kind = K_CHECKS, .off = OFF(detectors.custom_rules.modes),
     .max = CM_CONFIG_MAX_ITEMS, .check = check_custom_rule},
    {.name = NULL},
};

static const struct key detectors_keys[] = {
    {.name = "console_login", .kind = K_SECTION, .sub = console_login_keys},
    {.name = "credential_exfiltration", .kind = K_SECTION, .sub = exfil_keys},
    {.name = "api_anomaly", .kind = K_SECTION, .sub = api_anomaly_keys},
    {.name = "vpcflow", .kind = K_SECTION, .sub = vpcflow_keys},
    {.name = "dns", .kind = K_SECTION, .sub = dns_keys},
    {.name = "custom_rules", .kind = K_SECTION, .sub = custom_rules_keys},
    {.name = NULL},
};

/* GuardDuty's findingPublishingFrequency values (cm_publish_freq_parse takes the same). */
static const char *const publish_freqs[] = {"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS", NULL};

/* retention_days: the range of --retention-days and cm_store_set_retention(). */
static const struct key store_keys[] = {
    {.name = "db", .kind = K_PATH, .off = OFF(store.db)},
    {.name = "retention_days", .kind = K_INT, .off = OFF(store.retention_days),
     .min = 0, .max = 36500},
    {.name = "finding_publishing_frequency", .kind = K_CHOICE,
     .off = OFF(store.finding_publishing_frequency), .choices = publish_freqs},
    {.name = NULL},
};

static const struct key serve_keys[] = {
    {.name = "watch", .kind = K_LOCATIONS, .off = OFF(serve.watch), .max = CM_CONFIG_MAX_ITEMS},
    {.name = "poll_interval", .kind = K_INT, .off = OFF(serve.poll_interval), .min = 1,
     .max = 86400},
    {.name = "settle", .kind = K_INT, .off = OFF(serve.settle), .min = 0, .max = 86400},
    {.name = "checkpoint_interval", .kind = K_INT, .off = OFF(serve.checkpoint_interval),
     .min = 1, .max = 86400},
    {.name = "canary_interval", .kind = K_INT, .off = OFF(serve.canary_interval), .min = 1,
     .max = 86400},
    {.name = "bus_interval", .kind = K_INT, .off = OFF(serve.bus_interval), .min = 1,
     .max = 86400},
    {.name = "state", .kind = K_PATH, .off = OFF(serve.state)},
    {.name = NULL},
};

static const struct key root_keys[] = {
    {.name = "intel", .kind = K_SECTION, .sub = intel_keys},
    {.name = "canaries", .kind = K_SECTION, .sub = canaries_keys},
    {.name = "detectors", .kind = K_SECTION, .sub = detectors_keys},
    {.name = "store", .kind = K_SECTION, .sub = store_keys},
    {.name = "api", .kind = K_SECTION, .sub = cm_config_api_keys},
    {.name = "serve", .kind = K_SECTION, .sub = serve_keys},
    {.name = "inventory", .kind = K_PATHS, .off = OFF(inventory), .max = CM_CONFIG_MAX_ITEMS},
    {.name = "secrets", .kind = K_SECRETS, .max = CM_CONFIG_MAX_SECRETS},
    {.name = NULL},
};
/* clang-format on */

#undef OFF

/* IAM unique-id prefixes (IAM User Guide, "Understanding unique ID prefixes"). */
static const char iam_prefixes[][5] = {"ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "AKIA",
                                       "ANPA", "ANVA", "APKA", "AROA", "ASCA", "ASIA"};

#define MAX_SECTION_KEYS 24 /* keys in one table: the duplicate-key bitmap */

/* Appends the names of keys[] to out, comma-separated. */
static void key_names(const struct key *keys, char *out, size_t outlen)
{
    size_t o = 0;

    out[0] = '\0';
    for (const struct key *k = keys; k->name && o < outlen; k++) {
        int n = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", k->name);
        if (n < 0) {
            break;
        }
        o += (size_t)n;
    }
}

/* Refuses a second intel list of the same name anywhere in the file. */
static int claim_name(struct walk *w, const char *name)
{
    struct named *n;

    for (size_t i = 0; i < w->nnames; i++) {
        if (strcmp(w->names[i].name, name) == 0) {
            char q[QUOTE_MAX * 4 + 8];

            cm_config_quote(q, sizeof(q), name, strlen(name));
            return FAIL(w, w->ev.start_mark,
                        "list name %s is already taken by %s (name one of them with NAME=FILE)", q,
                        w->names[i].where);
        }
    }
    if (cm_grow((void **)&w->names, &w->namescap, w->nnames + 1, sizeof(*w->names), 8) != 0) {
        return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
    }
    n = &w->names[w->nnames++];
    snprintf(n->name, sizeof(n->name), "%s", name);
    snprintf(n->where, sizeof(n->where), "%s at %zu:%zu", w->path,
             (size_t)w->ev.start_mark.line + 1, (size_t)w->ev.start_mark.column + 1);
    return 0;
}

/* True when arg parses as the same list as src, with its file at path. */
static bool same_list(const char *arg, enum cm_intel_kind kind, bool managed,
                      const struct cm_intel_source *src, const char *path)
{
    struct cm_intel_source again;
    char why[512];

    return cm_intel_source_parse(arg, kind, managed, &again, why, sizeof(why)) == 0 &&
           strcmp(again.name, src->name) == 0 && again.format == src->format &&
           again.category == src->category && strcmp(again.path, path) == 0;
}

/*
 * An intel list argument (the command line's form for its kind): checked
 * with cm_intel_source_parse(), its FILE resolved, and re-parsed to prove
 * that the resolved argument names the same list, format and file. When a
 * '=' in the directory would read as NAME=, the list's name is written out
 * in front.
 */
static int take_spec(struct walk *w, const struct key *k, struct cm_str v, char **out)
{
    enum cm_intel_kind kind =
        k->spec == SPEC_TRUSTED ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT;
    bool managed = k->spec == SPEC_MANAGED;
    struct cm_intel_source src;
    char why[512], pre[2 * CM_INTEL_NAME_MAX + 64], *s;
    size_t plen, nlen = 0;
    int rc;

    /* The scalar is NUL-terminated by libyaml and holds no NUL (cm_config_take_string). */
    if (cm_intel_source_parse(v.p, kind, managed, &src, why, sizeof(why)) != 0) {
        return FAIL(w, w->ev.start_mark, "%s", why);
    }
    if (src.name[0] == '\0') {
        return FAIL(w, w->ev.start_mark, "the file name is empty (name the list with NAME=FILE)");
    }
    plen = (size_t)(src.path - v.p); /* "NAME=FORMAT:", at most a name and a bit */
    for (int attempt = 0; attempt < 2 && plen + CM_INTEL_NAME_MAX + 2 <= sizeof(pre); attempt++) {
        if (attempt == 1 && managed) {
            break; /* CATEGORY[:NAME]= comes first: a '=' further on changes nothing */
        }
        nlen = attempt == 0 ? 0 : strlen(src.name) + 1;
        snprintf(pre, sizeof(pre), "%s%s%.*s", attempt == 0 ? "" : src.name,
                 attempt == 0 ? "" : "=", (int)plen, v.p);
        if ((rc = cm_config_join(w, cm_str_make(pre, nlen + plen), cm_str_cstr(src.path), false,
                                 &s)) != 0) {
            return rc;
        }
        if (same_list(s, kind, managed, &src, s + nlen + plen)) {
            if ((rc = claim_name(w, src.name)) != 0) {
                cm_free(s);
                return rc;
            }
            *out = s;
            return 0;
        }
        cm_free(s);
    }
    cm_config_quote(why, sizeof(why), src.path, strlen(src.path));
    return FAIL(w, w->ev.start_mark,
                "%s cannot be resolved against the config's directory (it would read as another "
                "list): give an absolute path",
                why);
}

/* A canary key: the shape of an access key id, and not given twice. */
static int take_access_key(struct walk *w, const struct cm_config_list *l, struct cm_str v,
                           char **out)
{
    const char *why = cm_config_check_access_key(v);
    char q[QUOTE_MAX * 4 + 8];

    cm_config_quote(q, sizeof(q), v.p, v.len);
    if (why != NULL) {
        return FAIL(w, w->ev.start_mark, "not an access key id: %s (%s)", q, why);
    }
    for (size_t i = 0; i < l->n; i++) {
        if (cm_str_eqc(v, l->v[i])) {
            return FAIL(w, w->ev.start_mark, "%s is already listed as item %zu", q, i);
        }
    }
    *out = cm_strndup(v.p, v.len);
    return *out ? 0 : cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

/* A domain name, normalised (lowercase, no trailing dot). */
static int take_name(struct walk *w, struct cm_str v, char **out)
{
    struct cm_domain d;
    char q[QUOTE_MAX * 4 + 8];

    if (cm_domain_parse(v, &d) != 0) {
        cm_config_quote(q, sizeof(q), v.p, v.len);
        return FAIL(w, w->ev.start_mark, "not a domain name: %s", q);
    }
    *out = cm_strndup(d.name, d.len);
    return *out ? 0 : cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

/* A string check() accepts (a custom rule's mode setting...). */
static int take_checked_item(struct walk *w, const struct key *k, struct cm_str v, char **out)
{
    const char *why = k->check(v);
    char q[QUOTE_MAX * 4 + 8];

    if (why != NULL) {
        cm_config_quote(q, sizeof(q), v.p, v.len);
        return FAIL(w, w->ev.start_mark, "%s: %s", q, why);
    }
    *out = cm_strndup(v.p, v.len);
    return *out ? 0 : cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

/* What a list holds, and one of its items, for "expected X" (by kind). */
static const char *const list_of[][2] = {
    [K_SPECS] = {"a list of list files", "a list file"},
    [K_PATHS] = {"a list of paths", "a path"},
    [K_LOCATIONS] = {"a list of paths and locations", "a path or location"},
    [K_KEYS] = {"a list of access key ids", "an access key id"},
    [K_NAMES] = {"a list of domain names", "a domain name"},
    [K_CHECKS] = {"a list of strings", "a string"},
};

/* One item of a list key (the current event). */
static int take_item(struct walk *w, const struct key *k, struct cm_config_list *l, char **out)
{
    struct cm_str v;
    int rc = cm_config_take_string(w, list_of[k->kind][1], &v);

    if (rc != 0) {
        return rc;
    }
    switch (k->kind) {
    case K_SPECS:
        return take_spec(w, k, v, out);
    case K_KEYS:
        return take_access_key(w, l, v, out);
    case K_NAMES:
        return take_name(w, v, out);
    case K_CHECKS:
        return take_checked_item(w, k, v, out);
    default:
        return cm_config_join(w, CM_STR_LIT(""), v, k->kind == K_LOCATIONS, out);
    }
}

/* A list key: a sequence of strings, or null for none. */
static int walk_list(struct walk *w, const struct key *k)
{
    struct cm_config_list *l = (struct cm_config_list *)(void *)((char *)w->c + k->off);
    size_t cap = 0;
    int rc;

    if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        return 0;
    }
    if (w->ev.type != YAML_SEQUENCE_START_EVENT) {
        return FAIL(w, w->ev.start_mark, "expected %s (- ITEM lines or [ITEM, ...]), got %s",
                    list_of[k->kind][0], cm_config_what(&w->ev));
    }
    for (;;) {
        size_t old;
        char *item = NULL;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_SEQUENCE_END_EVENT) {
            return 0;
        }
        if (l->n >= (size_t)k->max) {
            return FAIL(w, w->ev.start_mark, "more than %lld entries", k->max);
        }
        old = cm_config_push(w, NULL, l->n);
        rc = take_item(w, k, l, &item);
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
        if (cm_grow((void **)&l->v, &cap, l->n + 1, sizeof(*l->v), 4) != 0) {
            cm_free(item);
            return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
        }
        l->v[l->n++] = item;
    }
}

/* An integer scalar in [k->min, k->max]. */
static int take_int(struct walk *w, const struct key *k, int *out)
{
    const yaml_event_t *e = &w->ev;
    char q[QUOTE_MAX * 4 + 8];
    struct cm_str s;
    long long v;

    if (e->type != YAML_SCALAR_EVENT || cm_config_scalar_is(e, cm_config_null_words)) {
        return FAIL(w, e->start_mark, "expected an integer, got %s", cm_config_what(e));
    }
    s = cm_config_scalar_str(e);
    if (!cm_config_looks_int(e)) {
        cm_config_quote(q, sizeof(q), s.p, s.len);
        return FAIL(w, e->start_mark, "expected an integer, got %s %s", cm_config_what(e), q);
    }
    if (s.len > 1 + (s.p[0] == '-') && s.p[s.p[0] == '-'] == '0') {
        cm_config_quote(q, sizeof(q), s.p, s.len);
        return FAIL(w, e->start_mark,
                    "%s: leading zeros are ambiguous (YAML 1.1 reads 010 as octal 8)", q);
    }
    if (cm_str_to_i64(s, LLONG_MIN, LLONG_MAX, &v) != 0) {
        cm_config_quote(q, sizeof(q), s.p, s.len);
        return FAIL(w, e->start_mark, "%s is out of range (%lld to %lld)", q, k->min, k->max);
    }
    if (v < k->min && k->min <= 1) {
        return FAIL(w, e->start_mark, "must be %s, not %lld",
                    k->min == 1 ? "greater than 0" : "0 or more", v);
    }
    if (v < k->min) {
        return FAIL(w, e->start_mark, "must be at least %lld, not %lld", k->min, v);
    }
    if (v > k->max) {
        return FAIL(w, e->start_mark, "must be at most %lld, not %lld", k->max, v);
    }
    *out = (int)v;
    return 0;
}

/* A K_CHOICE value: one of k->choices, exactly (GuardDuty's enum names are upper case). */
static int take_choice(struct walk *w, const struct key *k, const char **out)
{
    char q[QUOTE_MAX * 4 + 8], names[128];
    size_t o = 0;
    struct cm_str s;
    int rc = cm_config_take_string(w, "a string", &s);

    if (rc != 0) {
        return rc;
    }
    names[0] = '\0';
    for (const char *const *c = k->choices; *c; c++) {
        if (cm_str_eqc(s, *c)) {
            *out = *c;
            return 0;
        }
        rc = snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "", *c);
        o = rc > 0 && (size_t)rc < sizeof(names) - o ? o + (size_t)rc : o;
    }
    cm_config_quote(q, sizeof(q), s.p, s.len);
    return FAIL(w, w->ev.start_mark, "expected one of %s, got %s", names, q);
}

static int walk_map(struct walk *w, const struct key *keys);

/* The value of key k (the next event). */
static int walk_value(struct walk *w, const struct key *k)
{
    void *dst = (char *)w->c + k->off;
    struct cm_str s;
    int rc = cm_config_next(w);

    if (rc != 0) {
        return rc;
    }
    switch (k->kind) {
    case K_SECTION:
        if (w->ev.type == YAML_MAPPING_START_EVENT) {
            return walk_map(w, k->sub);
        }
        if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
            return 0;
        }
        return FAIL(w, w->ev.start_mark, "expected a mapping (a section of keys), got %s",
                    cm_config_what(&w->ev));
    case K_PATH:
        if ((rc = cm_config_take_string(w, "a path", &s)) != 0) {
            return rc;
        }
        return cm_config_join(w, CM_STR_LIT(""), s, false, (char **)dst);
    case K_BOOL:
        if (cm_config_scalar_is(&w->ev, cm_config_true_words) ||
            cm_config_scalar_is(&w->ev, cm_config_false_words)) {
            *(bool *)dst = cm_config_scalar_is(&w->ev, cm_config_true_words);
            return 0;
        }
        return FAIL(w, w->ev.start_mark, "expected true or false, got %s", cm_config_what(&w->ev));
    case K_INT:
        return take_int(w, k, (int *)dst);
    case K_CHOICE:
        return take_choice(w, k, (const char **)dst);
    case K_STRING:
        return cm_config_take_checked(w, k->check, (char **)dst);
    case K_CREDS:
        return cm_config_walk_creds(w, (size_t)k->max);
    case K_CANARY_CHECKS:
        return cm_config_walk_checks(w, (size_t)k->max);
    case K_SECRETS:
        return cm_config_walk_secrets(w, (size_t)k->max);
    default:
        return walk_list(w, k);
    }
}

static const struct key *find_key(const struct key *keys, const yaml_event_t *e)
{
    for (const struct key *k = keys; k->name; k++) {
        if (cm_str_eqc(cm_config_scalar_str(e), k->name)) {
            return k;
        }
    }
    return NULL;
}

/* A mapping whose keys are keys[] (the current event is its start). */
static int walk_map(struct walk *w, const struct key *keys)
{
    yaml_mark_t first[MAX_SECTION_KEYS];
    unsigned seen = 0;
    int rc;

    for (;;) {
        const struct key *k;
        char q[QUOTE_MAX * 4 + 8], known[256];
        size_t i, old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            return 0;
        }
        if (w->ev.type != YAML_SCALAR_EVENT) {
            return FAIL(w, w->ev.start_mark, "a key must be a name, not %s",
                        cm_config_what(&w->ev));
        }
        cm_config_quote(q, sizeof(q), cm_config_scalar_str(&w->ev).p,
                        cm_config_scalar_str(&w->ev).len);
        k = find_key(keys, &w->ev);
        if (k == NULL) {
            key_names(keys, known, sizeof(known));
            return FAIL(w, w->ev.start_mark, "unknown key %s (known here: %s)", q, known);
        }
        i = (size_t)(k - keys);
        if (seen & (1u << i)) {
            return FAIL(w, w->ev.start_mark, "key %s is given twice (first at %zu:%zu)", q,
                        (size_t)first[i].line + 1, (size_t)first[i].column + 1);
        }
        seen |= 1u << i;
        first[i] = w->ev.start_mark;
        old = cm_config_push(w, k->name, 0);
        rc = walk_value(w, k);
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
}

/* The document's root node (the current event): a mapping of sections, or null. */
static int walk_root(struct walk *w)
{
    char known[256];

    if (w->ev.type == YAML_MAPPING_START_EVENT) {
        return walk_map(w, root_keys);
    }
    if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        return 0;
    }
    key_names(root_keys, known, sizeof(known));
    return FAIL(w, w->ev.start_mark, "the top level must be a mapping of sections (%s), not %s",
                known, cm_config_what(&w->ev));
}

void cm_config_init(struct cm_config *c)
{
    memset(c, 0, sizeof(*c));
    c->intel.use_default = true;
    c->store.retention_days = -1;
    c->serve.settle = -1;
}

static void list_free(struct cm_config_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cm_free(l->v[i]);
    }
    cm_free(l->v);
    l->v = NULL;
    l->n = 0;
}

void cm_config_finish(struct cm_config *c)
{
    list_free(&c->intel.threat_lists);
    list_free(&c->intel.trusted_lists);
    list_free(&c->intel.lists);
    list_free(&c->intel.geoip);
    list_free(&c->canaries.keys);
    cm_config_checks_finish(&c->canaries);
    list_free(&c->inventory);
    list_free(&c->detectors.dns.tunnel_allow);
    list_free(&c->detectors.dns.rebind_allowed);
    list_free(&c->detectors.custom_rules.modes);
    cm_free(c->detectors.dns.dga_model);
    cm_free(c->intel.dir);
    cm_free(c->intel.aws_ranges);
    cm_free(c->store.db);
    list_free(&c->serve.watch);
    cm_free(c->serve.state);
    list_free(&c->api.targets.exec_allow);
    list_free(&c->api.targets.file_dirs);
    list_free(&c->api.targets.webhook_allow);
    list_free(&c->api.targets.kafka_allow);
    cm_config_api_finish(&c->api);
    cm_config_secrets_finish(c);
    cm_config_init(c);
}

int cm_config_parse_named(struct cm_config *c, const char *buf, size_t len, const char *name,
                          const char *base_dir, char *err, size_t errlen)
{
    struct cm_config tmp;
    struct walk w;
    char msg[96];
    int rc;

    memset(&w, 0, sizeof(w));
    w.name = name;
    w.err = err;
    w.errlen = errlen;
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (len > CM_CONFIG_MAX_BYTES) {
        snprintf(msg, sizeof(msg), "larger than %zu bytes (1 MiB)", CM_CONFIG_MAX_BYTES);
        return cm_config_fail_whole(&w, CM_EINVAL, msg);
    }
    cm_config_init(&tmp);
    w.c = &tmp;
    w.base_dir = base_dir;
    rc = cm_config_walk(&w, buf, len, walk_root);
    if (rc != 0) {
        cm_config_finish(&tmp);
        return rc;
    }
    cm_config_finish(c);
    *c = tmp;
    return 0;
}

int cm_config_parse(struct cm_config *c, const char *buf, size_t len, const char *base_dir,
                    char *err, size_t errlen)
{
    return cm_config_parse_named(c, buf, len, NULL, base_dir, err, errlen);
}

const char *cm_config_check_access_key(struct cm_str key)
{
    bool prefix = false;

    if (key.len < 16) {
        return "shorter than 16 characters";
    }
    if (key.len > 128) {
        return "longer than 128 characters";
    }
    for (size_t i = 0; i < key.len; i++) {
        char ch = key.p[i];

        if (ch >= 'a' && ch <= 'z') {
            return "access key ids are upper case";
        }
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
            return "only A-Z and 0-9 may appear";
        }
    }
    for (size_t i = 0; i < sizeof(iam_prefixes) / sizeof(iam_prefixes[0]); i++) {
        prefix = prefix || memcmp(key.p, iam_prefixes[i], 4) == 0;
    }
    return prefix ? NULL : "no IAM prefix such as AKIA or ASIA";
}
