/*
 * coalmine.yaml's secrets (config.h, docs/config.md "secrets"): a mapping of
 * names to where a value is read from and where it may be sent, which no
 * other key has:
 *
 *   secrets:
 *     slack:
 *       file: /etc/coalmine/secrets/slack-token   # or env: SLACK_TOKEN
 *       urls: ["https://hooks.slack.com/services/"]
 *
 * Exactly one of file and env; urls, one or more entries written as
 * api.targets.webhook_allow's. Nothing is read here: the value is read at
 * each delivery (src/bus/target_secret.c), so a rotated file needs no restart.
 */
#include "core/config_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"

static int nomem(struct walk *w)
{
    return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

static const char *check_name(struct cm_str s)
{
    return cm_str_is_name(s, 64) ? NULL
                                 : "a secret's name is 1 to 64 letters, digits, '.', '_' or '-'";
}

static const char *check_env(struct cm_str s)
{
    if (s.len > 128 || (s.p[0] >= '0' && s.p[0] <= '9')) {
        return "an environment variable's name is 1 to 128 letters, digits or '_', not "
               "starting with a digit";
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return "an environment variable's name is 1 to 128 letters, digits or '_', not "
                   "starting with a digit";
        }
    }
    return NULL;
}

/* urls (the current node): a list of 1 to CM_CONFIG_MAX_ITEMS URL prefixes. */
static int take_urls(struct walk *w, struct cm_config_list *l)
{
    yaml_mark_t at = w->ev.start_mark;
    size_t cap = 0;
    int rc;

    if (w->ev.type != YAML_SEQUENCE_START_EVENT) {
        return FAIL(w, w->ev.start_mark,
                    "expected a list of URLs (https://HOST[:PORT][/PATH]), got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        char *u = NULL;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_SEQUENCE_END_EVENT) {
            break;
        }
        if (l->n >= CM_CONFIG_MAX_ITEMS) {
            return FAIL(w, w->ev.start_mark, "more than %d entries", CM_CONFIG_MAX_ITEMS);
        }
        old = cm_config_push(w, NULL, l->n);
        rc = cm_config_take_checked(w, cm_config_check_webhook_allow, &u);
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
        if (cm_grow((void **)&l->v, &cap, l->n + 1, sizeof(*l->v), 4) != 0) {
            cm_free(u);
            return nomem(w);
        }
        l->v[l->n++] = u;
    }
    if (l->n == 0) {
        return FAIL(w, at, "needs at least one URL: where the secret may be sent");
    }
    return 0;
}

/* One secret's mapping (the current event is its start). */
static int take_secret(struct walk *w, struct cm_config_secret *sec)
{
    yaml_mark_t start = w->ev.start_mark;
    bool urls = false;
    struct cm_str s;
    int rc;

    if (w->ev.type != YAML_MAPPING_START_EVENT) {
        return FAIL(w, w->ev.start_mark,
                    "expected a mapping {file: ... or env: ..., urls: [...]}, "
                    "got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        const char *key;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            break;
        }
        s = cm_config_scalar_str(&w->ev);
        key = w->ev.type != YAML_SCALAR_EVENT ? NULL
              : cm_str_eqc(s, "file")         ? "file"
              : cm_str_eqc(s, "env")          ? "env"
              : cm_str_eqc(s, "urls")         ? "urls"
                                              : NULL;
        if (key == NULL) {
            return FAIL(w, w->ev.start_mark, "unknown key (known here: file, env, urls)");
        }
        if ((key[0] == 'f' && sec->file != NULL) || (key[0] == 'e' && sec->env != NULL) ||
            (key[0] == 'u' && urls)) {
            return FAIL(w, w->ev.start_mark, "key %s is given twice", key);
        }
        if ((key[0] == 'f' && sec->env != NULL) || (key[0] == 'e' && sec->file != NULL)) {
            return FAIL(w, w->ev.start_mark,
                        "give file or env, not both (where the value is read from)");
        }
        old = cm_config_push(w, key, 0);
        if ((rc = cm_config_next(w)) == 0) {
            if (key[0] == 'f') {
                rc = cm_config_take_string(w, "a path", &s);
                rc = rc ? rc : cm_config_join(w, CM_STR_LIT(""), s, false, &sec->file);
            } else if (key[0] == 'e') {
                rc = cm_config_take_checked(w, check_env, &sec->env);
            } else {
                urls = true;
                rc = take_urls(w, &sec->urls);
            }
        }
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
    if (sec->file == NULL && sec->env == NULL) {
        return FAIL(w, start, "needs file or env: where the value is read from");
    }
    if (!urls) {
        return FAIL(w, start, "needs urls: where the secret may be sent");
    }
    return 0;
}

int cm_config_walk_secrets(struct walk *w, size_t max)
{
    struct cm_config *c = w->c;
    size_t cap = 0;
    int rc;

    if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        return 0;
    }
    if (w->ev.type != YAML_MAPPING_START_EVENT) {
        return FAIL(w, w->ev.start_mark, "expected a mapping of secret names, got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        struct cm_config_secret *sec;
        char q[QUOTE_MAX * 4 + 8];
        struct cm_str s;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            return 0;
        }
        s = cm_config_scalar_str(&w->ev);
        if (w->ev.type != YAML_SCALAR_EVENT || check_name(s) != NULL) {
            cm_config_quote(q, sizeof(q), s.p, s.len);
            return FAIL(w, w->ev.start_mark, "%s: %s",
                        w->ev.type != YAML_SCALAR_EVENT ? "a key" : q,
                        "a secret's name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        for (size_t i = 0; i < c->nsecrets; i++) {
            if (cm_str_eqc(s, c->secrets[i].name)) {
                return FAIL(w, w->ev.start_mark, "secret %s is given twice (first at line %d)",
                            c->secrets[i].name, c->secrets[i].line);
            }
        }
        if (c->nsecrets >= max) {
            return FAIL(w, w->ev.start_mark, "more than %zu secrets", max);
        }
        if (cm_grow((void **)&c->secrets, &cap, c->nsecrets + 1, sizeof(*c->secrets), 4) != 0) {
            return nomem(w);
        }
        sec = &c->secrets[c->nsecrets++];
        memset(sec, 0, sizeof(*sec));
        sec->line = (int)w->ev.start_mark.line + 1;
        if ((sec->name = cm_strndup(s.p, s.len)) == NULL) {
            return nomem(w);
        }
        old = cm_config_push(w, sec->name, 0);
        rc = cm_config_next(w);
        rc = rc ? rc : take_secret(w, sec);
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
}

void cm_config_secrets_finish(struct cm_config *c)
{
    for (size_t i = 0; i < c->nsecrets; i++) {
        struct cm_config_secret *sec = &c->secrets[i];

        cm_free(sec->name);
        cm_free(sec->file);
        cm_free(sec->env);
        for (size_t j = 0; j < sec->urls.n; j++) {
            cm_free(sec->urls.v[j]);
        }
        cm_free(sec->urls.v);
    }
    cm_free(c->secrets);
    c->secrets = NULL;
    c->nsecrets = 0;
}
