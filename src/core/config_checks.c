/*
 * coalmine.yaml's canaries.checks (config.h, docs/canaries.md "In coalmine.yaml"): a
 * list of mappings, each one canary check as `coalmine canary put` takes it:
 *
 *   canaries:
 *     checks:
 *       - name: trail-alive
 *         kind: freshness              # or check:, as put's --check
 *         schedule: rate(5 minutes)
 *         params: {source: cloudtrail, max_age_minutes: 60}
 *         state: ENABLED               # or DISABLED
 *         on_change: false             # put's --on-change
 *
 * params is a mapping of scalars (a plain number is a JSON number, true and false
 * booleans, anything else a string) or a string holding a JSON object. The name, the
 * kind and the schedule are checked here, with the place of the error; the params'
 * members against the kind where the check is applied (src/canary, which reports this
 * file's line and column), since only the canary module knows its kinds' parameters.
 */
#include "core/config_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "route/schedule.h"

static const char *const check_kinds[] = {"freshness", "pipeline", "scan-health", NULL};
static const char *const states[] = {"ENABLED", "DISABLED", NULL};

static int nomem(struct walk *w)
{
    return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
}

static const char *check_name(struct cm_str s)
{
    return cm_str_is_name(s, 64) ? NULL
                                 : "a check's name is 1 to 64 letters, digits, '.', '_' or '-'";
}

/* The current node as one of words (a NULL-terminated list); *out the word. */
static int take_word(struct walk *w, const char *const *words, const char **out)
{
    char q[QUOTE_MAX * 4 + 8], names[128] = "";
    struct cm_str s;
    int rc = cm_config_take_string(w, "a string", &s);

    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; words[i] != NULL; i++) {
        if (cm_str_eqc(s, words[i])) {
            *out = words[i];
            return 0;
        }
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                 words[i]);
    }
    cm_config_quote(q, sizeof(q), s.p, s.len);
    return FAIL(w, w->ev.start_mark, "expected one of %s, got %s", names, q);
}

/* Whether s is a JSON number as YAML's plain scalars write them (no leading '+', no hex). */
static bool json_number(struct cm_str s)
{
    size_t i = 0;

    if (i < s.len && s.p[i] == '-') {
        i++;
    }
    if (i >= s.len || s.p[i] < '0' || s.p[i] > '9' ||
        (s.p[i] == '0' && i + 1 < s.len && s.p[i + 1] >= '0' && s.p[i + 1] <= '9')) {
        return false;
    }
    while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9') {
        i++;
    }
    if (i < s.len && s.p[i] == '.') {
        if (++i >= s.len || s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9') {
            i++;
        }
    }
    return i == s.len;
}

/* A params mapping (the current event is its start) as a JSON object into b. */
static int take_params_map(struct walk *w, struct cm_buf *b)
{
    struct cm_jw jw;
    size_t n = 0;
    int rc;

    cm_jw_init(&jw, b);
    cm_jw_obj_begin(&jw);
    for (;;) {
        struct cm_str key, v;
        char kbuf[72];
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            break;
        }
        if (w->ev.type != YAML_SCALAR_EVENT) {
            return FAIL(w, w->ev.start_mark, "expected a parameter name, got %s",
                        cm_config_what(&w->ev));
        }
        key = cm_config_scalar_str(&w->ev);
        if (key.len == 0 || key.len > 64 || ++n > 16) {
            return FAIL(w, w->ev.start_mark, "a parameter name is 1 to 64 bytes, 16 at most");
        }
        snprintf(kbuf, sizeof(kbuf), "%.*s", (int)key.len, key.p);
        cm_jw_key(&jw, kbuf);
        old = cm_config_push(w, kbuf, 0);
        rc = cm_config_next(w);
        if (rc == 0 && w->ev.type != YAML_SCALAR_EVENT) {
            rc = FAIL(w, w->ev.start_mark, "expected a number or a string, got %s",
                      cm_config_what(&w->ev));
        }
        if (rc == 0) {
            v = cm_config_scalar_str(&w->ev);
            bool plain = w->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (plain && json_number(v)) {
                cm_jw_raw(&jw, v.p, v.len);
            } else if (cm_config_scalar_is(&w->ev, cm_config_true_words) ||
                       cm_config_scalar_is(&w->ev, cm_config_false_words)) {
                cm_jw_raw(&jw, cm_config_scalar_is(&w->ev, cm_config_true_words) ? "true" : "false",
                          cm_config_scalar_is(&w->ev, cm_config_true_words) ? 4 : 5);
            } else if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
                cm_jw_null(&jw);
            } else if (memchr(v.p, '\0', v.len) != NULL) {
                rc = FAIL(w, w->ev.start_mark, "a string with a NUL byte");
            } else {
                cm_jw_strn(&jw, v.p, v.len);
            }
        }
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? 0 : nomem(w);
}

/* The params node (the current event) into c->params. */
static int take_params(struct walk *w, struct cm_config_check *c)
{
    struct cm_buf b;
    struct cm_str s;
    int rc;

    c->params_line = (int)w->ev.start_mark.line + 1;
    c->params_col = (int)w->ev.start_mark.column + 1;
    cm_buf_init(&b, 0);
    if (w->ev.type == YAML_MAPPING_START_EVENT) {
        rc = take_params_map(w, &b);
    } else if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        rc = cm_buf_puts(&b, "{}") == 0 ? 0 : nomem(w);
    } else if ((rc = cm_config_take_string(w, "a mapping of parameters or a JSON object", &s)) ==
               0) {
        struct cm_json_doc d;
        cm_json_doc_init(&d, 0, 0);
        if (cm_json_parse(&d, s.p, s.len, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
            rc = FAIL(w, w->ev.start_mark, "expected a mapping of parameters or a JSON object");
        } else {
            rc = cm_buf_append(&b, s.p, s.len) == 0 ? 0 : nomem(w);
        }
        cm_json_doc_finish(&d);
    }
    if (rc == 0) {
        c->params = cm_strndup(b.p, b.len);
        rc = c->params != NULL ? 0 : nomem(w);
    }
    cm_buf_finish(&b);
    return rc;
}

/* The current node as a string copied into *out (check: NULL when fine, else why not). */
static int take_copy(struct walk *w, const char *expected, const char *(*check)(struct cm_str s),
                     char **out)
{
    char q[QUOTE_MAX * 4 + 8];
    struct cm_str s;
    const char *why;
    int rc = cm_config_take_string(w, expected, &s);

    if (rc != 0) {
        return rc;
    }
    if (check != NULL && (why = check(s)) != NULL) {
        cm_config_quote(q, sizeof(q), s.p, s.len);
        return FAIL(w, w->ev.start_mark, "%s: %s", q, why);
    }
    *out = cm_strndup(s.p, s.len);
    return *out ? 0 : nomem(w);
}

/* The schedule (the current node), checked as `canary put --schedule` checks it. */
static int take_schedule(struct walk *w, char **out)
{
    struct cm_schedule sch;
    struct cm_diag diag;
    struct cm_str s;
    int rc = cm_config_take_string(w, "a schedule expression", &s);

    if (rc != 0) {
        return rc;
    }
    cm_diag_clear(&diag);
    if (cm_schedule_parse(s.p, s.len, &sch, &diag) != 0) {
        return FAIL(w, w->ev.start_mark, "at byte %zu: %s", diag.offset, diag.msg);
    }
    *out = cm_strndup(s.p, s.len);
    return *out ? 0 : nomem(w);
}

enum { F_NAME, F_KIND, F_SCHEDULE, F_PARAMS, F_STATE, F_ON_CHANGE, F_N };
static const char *const fields[F_N] = {"name", "kind", "schedule", "params", "state", "on_change"};

/* One check mapping (the current event is its start). */
static int take_check(struct walk *w, struct cm_config_check *c)
{
    yaml_mark_t start = w->ev.start_mark;
    bool seen[F_N] = {false};
    int rc;

    c->line = (int)start.line + 1;
    c->params_line = c->line;
    c->params_col = (int)start.column + 1;
    c->enabled = true;
    if (w->ev.type != YAML_MAPPING_START_EVENT) {
        return FAIL(w, w->ev.start_mark,
                    "expected a mapping {name, kind, schedule, params, state, on_change}, got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        struct cm_str s;
        const char *word = NULL;
        int f = -1;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_MAPPING_END_EVENT) {
            break;
        }
        s = cm_config_scalar_str(&w->ev);
        for (int i = 0; i < F_N && w->ev.type == YAML_SCALAR_EVENT; i++) {
            if (cm_str_eqc(s, fields[i])) {
                f = i;
            }
        }
        if (w->ev.type == YAML_SCALAR_EVENT && cm_str_eqc(s, "check")) {
            f = F_KIND; /* as put's --check */
        }
        if (f < 0) {
            char q[QUOTE_MAX * 4 + 8];
            cm_config_quote(q, sizeof(q), s.p, s.len);
            return FAIL(w, w->ev.start_mark,
                        "unknown key %s (known here: name, kind, schedule, params, state, "
                        "on_change)",
                        q);
        }
        if (seen[f]) {
            return FAIL(w, w->ev.start_mark, "key %s is given twice", fields[f]);
        }
        seen[f] = true;
        old = cm_config_push(w, fields[f], 0);
        rc = cm_config_next(w);
        switch (rc == 0 ? f : -1) {
        case F_NAME:
            rc = take_copy(w, "a name", check_name, &c->name);
            break;
        case F_KIND:
            rc = take_word(w, check_kinds, &word);
            if (rc == 0 && (c->kind = cm_strndup(word, strlen(word))) == NULL) {
                rc = nomem(w);
            }
            break;
        case F_SCHEDULE:
            rc = take_schedule(w, &c->schedule);
            break;
        case F_PARAMS:
            rc = take_params(w, c);
            break;
        case F_STATE:
            rc = take_word(w, states, &word);
            c->enabled = rc != 0 || strcmp(word, "ENABLED") == 0;
            break;
        case F_ON_CHANGE:
            if (cm_config_scalar_is(&w->ev, cm_config_true_words) ||
                cm_config_scalar_is(&w->ev, cm_config_false_words)) {
                c->on_change = cm_config_scalar_is(&w->ev, cm_config_true_words);
            } else {
                rc = FAIL(w, w->ev.start_mark, "expected true or false, got %s",
                          cm_config_what(&w->ev));
            }
            break;
        default:
            break;
        }
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
    for (int i = 0; i < F_PARAMS; i++) {
        if (!seen[i]) {
            return FAIL(w, start, "a check needs name, kind and schedule (%s is missing)",
                        fields[i]);
        }
    }
    if (c->params == NULL && (c->params = cm_strndup("{}", 2)) == NULL) {
        return nomem(w);
    }
    return 0;
}

int cm_config_walk_checks(struct walk *w, size_t max)
{
    struct cm_config_canaries *cc = &w->c->canaries;
    size_t cap = 0;
    int rc;

    if (cm_config_scalar_is(&w->ev, cm_config_null_words)) {
        return 0;
    }
    if (w->ev.type != YAML_SEQUENCE_START_EVENT) {
        return FAIL(w, w->ev.start_mark, "expected a list of checks, got %s",
                    cm_config_what(&w->ev));
    }
    for (;;) {
        struct cm_config_check *c;
        yaml_mark_t at;
        size_t old;

        if ((rc = cm_config_next(w)) != 0) {
            return rc;
        }
        if (w->ev.type == YAML_SEQUENCE_END_EVENT) {
            return 0;
        }
        if (cc->nchecks >= max) {
            return FAIL(w, w->ev.start_mark, "more than %zu entries", max);
        }
        if (cm_grow((void **)&cc->checks, &cap, cc->nchecks + 1, sizeof(*cc->checks), 4) != 0) {
            return nomem(w);
        }
        c = &cc->checks[cc->nchecks++];
        memset(c, 0, sizeof(*c));
        at = w->ev.start_mark;
        old = cm_config_push(w, NULL, cc->nchecks - 1);
        rc = take_check(w, c);
        for (size_t i = 0; rc == 0 && i + 1 < cc->nchecks; i++) {
            if (strcmp(cc->checks[i].name, c->name) == 0) {
                rc = FAIL(w, at, "a second check named %s (the first at line %d)", c->name,
                          cc->checks[i].line);
            }
        }
        cm_config_pop(w, old);
        if (rc != 0) {
            return rc;
        }
    }
}

void cm_config_checks_finish(struct cm_config_canaries *cc)
{
    for (size_t i = 0; i < cc->nchecks; i++) {
        cm_free(cc->checks[i].name);
        cm_free(cc->checks[i].kind);
        cm_free(cc->checks[i].schedule);
        cm_free(cc->checks[i].params);
    }
    cm_free(cc->checks);
    cc->checks = NULL;
    cc->nchecks = 0;
}
