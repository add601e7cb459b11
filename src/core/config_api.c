/*
 * coalmine.yaml's api section (config.h, docs/config.md "api"): the checks of its
 * strings and the walker of api.credentials, a list of mappings, which no other
 * key has. config.c's table names them.
 */
#include "core/config_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

const char *cm_config_check_account(struct cm_str s)
{
    if (s.len != 12) {
        return "an account id is 12 digits";
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return "an account id is 12 digits";
        }
    }
    return NULL;
}

const char *cm_config_check_region(struct cm_str s)
{
    if (s.len < 3 || s.len > 40) {
        return "not a region name (like us-east-1)";
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return "not a region name (like us-east-1)";
        }
    }
    return NULL;
}

const char *cm_config_check_listen(struct cm_str s)
{
    if (s.len > 64 || memchr(s.p, ':', s.len) == NULL) {
        return "wants ADDR:PORT (127.0.0.1:8787, [::1]:8787)";
    }
    return NULL;
}

int cm_config_take_checked(struct walk *w, const char *(*check)(struct cm_str s), char **out)
{
    char q[QUOTE_MAX * 4 + 8];
    const char *why;
    struct cm_str s;
    int rc = cm_config_take_string(w, "a string", &s);

    if (rc != 0) {
        return rc;
    }
    if ((why = check(s)) != NULL) {
        cm_config_quote(q, sizeof(q), s.p, s.len);
        return FAIL(w, w->ev.start_mark, "%s: %s", q, why);
    }
    *out = cm_strndup(s.p, s.len);
    return *out ? 0 : cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

static const char *check_key_id(struct cm_str s)
{
    if (s.len < 16 || s.len > 128) {
        return "an access key id is 16 to 128 letters and digits";
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return "an access key id is 16 to 128 letters and digits";
        }
    }
    return NULL;
}

/* One credential mapping (the current event is its start); the secret is never quoted. */
static int take_cred(struct walk *w, struct cm_config_cred *cr)
{
    yaml_mark_t start = w->ev.start_mark;
    struct cm_str s;
    int rc;

    if (w->ev.type != YAML_MAPPING_START_EVENT) {
        return FAIL(w, w->ev.start_mark,
                    "expected a mapping {access_key_id: ..., secret_access_key: ...}, got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        char **dst;
        bool secret;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            break;
        }
        s = cm_config_scalar_str(&w->ev);
        if (w->ev.type != YAML_SCALAR_EVENT ||
            !(cm_str_eqc(s, "access_key_id") || cm_str_eqc(s, "secret_access_key"))) {
            return FAIL(w, w->ev.start_mark,
                        "unknown key (known here: access_key_id, secret_access_key)");
        }
        secret = cm_str_eqc(s, "secret_access_key");
        dst = secret ? &cr->secret_access_key : &cr->access_key_id;
        if (*dst != NULL) {
            return FAIL(w, w->ev.start_mark, "key %s is given twice",
                        secret ? "secret_access_key" : "access_key_id");
        }
        old = cm_config_push(w, secret ? "secret_access_key" : "access_key_id", 0);
        rc = cm_config_next(w);
        rc = rc ? rc : cm_config_take_string(w, secret ? "a secret" : "an access key id", &s);
        if (rc == 0 && !secret && check_key_id(s) != NULL) {
            rc = FAIL(w, w->ev.start_mark, "%s", check_key_id(s));
        }
        if (rc == 0 && secret) {
            for (size_t i = 0; i < s.len && rc == 0; i++) {
                if (s.len > 128 || s.p[i] <= ' ' || s.p[i] == 0x7f) {
                    rc = FAIL(w, w->ev.start_mark,
                              "a secret access key is 1 to 128 characters without spaces");
                }
            }
        }
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
        *dst = cm_strndup(s.p, s.len);
        if (*dst == NULL) {
            return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
        }
    }
    if (cr->access_key_id == NULL || cr->secret_access_key == NULL) {
        return FAIL(w, start, "a credential needs both access_key_id and secret_access_key");
    }
    return 0;
}

int cm_config_walk_creds(struct walk *w, size_t max)
{
    struct cm_config_api *a = &w->c->api;
    size_t cap = 0;
    int rc;

    if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        return 0;
    }
    if (w->ev.type != YAML_SEQUENCE_START_EVENT) {
        return FAIL(w, w->ev.start_mark, "expected a list of credentials, got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_SEQUENCE_END_EVENT) {
            return 0;
        }
        if (a->ncredentials >= max) {
            return FAIL(w, w->ev.start_mark, "more than %zu entries", max);
        }
        if (cm_grow((void **)&a->credentials, &cap, a->ncredentials + 1, sizeof(*a->credentials),
                    4) != 0) {
            return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
        }
        memset(&a->credentials[a->ncredentials], 0, sizeof(a->credentials[0]));
        a->ncredentials++;
        old = cm_config_push(w, NULL, a->ncredentials - 1);
        rc = take_cred(w, &a->credentials[a->ncredentials - 1]);
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
}

const char *cm_config_check_webhook_allow(struct cm_str s)
{
    if (!(cm_str_starts(s, "http://") || cm_str_starts(s, "https://")) || s.len > 2048) {
        return "a webhook URL prefix is http://HOST[:PORT][/PATH] or https://...";
    }
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] <= ' ' || s.p[i] == 0x7f) {
            return "a webhook URL prefix has no spaces or control characters";
        }
    }
    return NULL;
}

static const char *check_kafka_allow(struct cm_str s)
{
    const char *colon = s.len ? memchr(s.p, ':', s.len) : NULL;

    if (s.len > 255 || colon == NULL || colon == s.p || colon == s.p + s.len - 1) {
        return "a Kafka broker is HOST:PORT";
    }
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] <= ' ' || s.p[i] == 0x7f || s.p[i] == ',') {
            return "a Kafka broker is HOST:PORT (one per entry)";
        }
    }
    return NULL;
}

/* clang-format off */
static const struct key targets_keys[] = {
    {.name = "exec_allow", .kind = K_PATHS, .off = OFF(api.targets.exec_allow), .max = CM_CONFIG_MAX_ITEMS},
    {.name = "file_dirs", .kind = K_PATHS, .off = OFF(api.targets.file_dirs), .max = CM_CONFIG_MAX_ITEMS},
    {.name = "webhook_allow", .kind = K_CHECKS, .off = OFF(api.targets.webhook_allow), .max = CM_CONFIG_MAX_ITEMS, .check = cm_config_check_webhook_allow},
    {.name = "kafka_allow", .kind = K_CHECKS, .off = OFF(api.targets.kafka_allow), .max = CM_CONFIG_MAX_ITEMS, .check = check_kafka_allow},
    {.name = NULL},
};
/* clang-format on */

/* One key per line or two (clang-format would give each member a line of its own). */
/* clang-format off */
const struct key cm_config_api_keys[] = {
    {.name = "listen", .kind = K_STRING, .off = OFF(api.listen), .check = cm_config_check_listen},
    {.name = "account", .kind = K_STRING, .off = OFF(api.account), .check = cm_config_check_account},
    {.name = "region", .kind = K_STRING, .off = OFF(api.region), .check = cm_config_check_region},
    {.name = "credentials", .kind = K_CREDS, .max = CM_CONFIG_MAX_CREDS},
    {.name = "targets", .kind = K_SECTION, .sub = targets_keys},
    {.name = NULL},
};
/* clang-format on */

void cm_config_api_finish(struct cm_config_api *a)
{
    for (size_t i = 0; i < a->ncredentials; i++) {
        char *sec = a->credentials[i].secret_access_key;
        if (sec != NULL) {
            memset(sec, 0, strlen(sec));
        }
        cm_free(a->credentials[i].access_key_id);
        cm_free(sec);
    }
    cm_free(a->credentials);
    cm_free(a->listen);
    cm_free(a->account);
    cm_free(a->region);
}
