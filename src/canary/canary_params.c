/*
 * A check's parameters: a JSON object validated against its kind's table of
 * parameters (canary.h), kept in the store in a canonical form, and read
 * back into values for a run.
 */
#include "canary/canary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "canary/canary_impl.h"

/* The names of k's parameters, for a message: "a, b or c". */
static void names_of(const struct cm_canary_kind *k, char *out, size_t n)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < k->nparams && o < n; i++) {
        o += (size_t)snprintf(out + o, n - o, "%s%s",
                              i == 0                ? ""
                              : i + 1 == k->nparams ? " or "
                                                    : ", ",
                              k->params[i].name);
    }
}

/* Checks member node m of d as parameter p into *v. Returns 0 or CM_EINVAL (err). */
static int one(const struct cm_canary_param *p, const struct cm_json_doc *d, uint32_t m,
               struct cm_canary_val *v, char *err, size_t errlen)
{
    enum cm_json_type t = cm_json_type(d, m);

    v->set = true;
    if (p->type == CM_CANARY_P_STRING) {
        struct cm_str raw = cm_json_raw(d, m);
        size_t len;
        bool ok = p->choices == NULL;
        if (t != CM_JSON_STRING || raw.len >= sizeof(v->str)) {
            snprintf(err, errlen, "%s: must be a string of at most %zu bytes", p->name,
                     sizeof(v->str) - 1);
            return CM_EINVAL;
        }
        len = cm_json_unescape(raw.p, raw.len, v->str);
        v->str[len] = '\0';
        if (strlen(v->str) != len || len < (size_t)p->min || len > (size_t)p->max) {
            snprintf(err, errlen, "%s: must be %g to %g characters, no NUL", p->name, p->min,
                     p->max);
            return CM_EINVAL;
        }
        for (size_t i = 0; p->choices != NULL && p->choices[i] != NULL; i++) {
            ok = ok || strcmp(p->choices[i], v->str) == 0;
        }
        if (!ok) {
            char list[160] = "";
            size_t o = 0;
            for (size_t i = 0; p->choices[i] != NULL && o < sizeof(list); i++) {
                o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
                                      p->choices[i]);
            }
            snprintf(err, errlen, "%s: \"%s\" is not one of %s", p->name, v->str, list);
            return CM_EINVAL;
        }
        return CM_OK;
    }
    if (t != CM_JSON_NUMBER || cm_json_f64(d, m, &v->num) != 0 || !isfinite(v->num) ||
        (p->type == CM_CANARY_P_INT && v->num != floor(v->num)) || v->num < p->min ||
        v->num > p->max) {
        snprintf(err, errlen, "%s: must be %s from %g to %g", p->name,
                 p->type == CM_CANARY_P_INT ? "a whole number" : "a number", p->min, p->max);
        return CM_EINVAL;
    }
    return CM_OK;
}

/* Reads the members of object d (parsed params) into v. Returns 0 or CM_EINVAL (err). */
static int members(const struct cm_canary_kind *k, const struct cm_json_doc *d,
                   struct cm_canary_val *v, char *err, size_t errlen)
{
    for (uint32_t m = cm_json_first(d, 0); m != CM_JSON_NONE; m = cm_json_next(d, 0, m + 1)) {
        struct cm_str key = cm_json_raw(d, m);
        size_t i;
        int rc;
        for (i = 0; i < k->nparams; i++) {
            if (key.len == strlen(k->params[i].name) &&
                memcmp(key.p, k->params[i].name, key.len) == 0) {
                break;
            }
        }
        if (i == k->nparams) {
            char names[256];
            names_of(k, names, sizeof(names));
            snprintf(err, errlen, "unknown parameter \"%.*s\" (%s takes %s)",
                     (int)(key.len > 64 ? 64 : key.len), key.p, k->name, names);
            return CM_EINVAL;
        }
        if (v[i].set) {
            snprintf(err, errlen, "%s: given twice", k->params[i].name);
            return CM_EINVAL;
        }
        if ((rc = one(&k->params[i], d, m + 1, &v[i], err, errlen)) != 0) {
            return rc;
        }
    }
    return CM_OK;
}

/* Reads and checks params into v (defaults filled). Returns 0, CM_EINVAL or CM_ENOMEM. */
static int read_all(const struct cm_canary_kind *k, const char *params, size_t len,
                    struct cm_canary_val *v, char *err, size_t errlen)
{
    struct cm_json_doc d;
    struct cm_diag dg;
    int rc = CM_OK;

    memset(v, 0, sizeof(*v) * CM_CANARY_MAX_PARAMS);
    if (len == 0) {
        params = "{}";
        len = 2;
    }
    if (len > CM_CANARY_PARAMS_MAX) {
        snprintf(err, errlen, "the parameters are longer than %d bytes", CM_CANARY_PARAMS_MAX);
        return CM_EINVAL;
    }
    cm_json_doc_init(&d, 0, 16);
    cm_diag_clear(&dg);
    if ((rc = cm_json_parse(&d, params, len, &dg)) != 0) {
        if (rc != CM_ENOMEM) {
            snprintf(err, errlen, "the parameters are not JSON: at byte %zu: %s", dg.offset,
                     dg.msg);
            rc = CM_EINVAL;
        }
        goto out;
    }
    if (cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(err, errlen, "the parameters must be a JSON object");
        rc = CM_EINVAL;
        goto out;
    }
    if ((rc = members(k, &d, v, err, errlen)) != 0) {
        goto out;
    }
    for (size_t i = 0; i < k->nparams; i++) {
        if (!v[i].set && k->params[i].required) {
            snprintf(err, errlen, "%s: required by %s", k->params[i].name, k->name);
            rc = CM_EINVAL;
            goto out;
        }
        if (!v[i].set && k->params[i].type != CM_CANARY_P_STRING) {
            v[i].num = k->params[i].def;
        }
    }
out:
    cm_json_doc_finish(&d);
    return rc;
}

int cm_canary_params_check(const struct cm_canary_kind *k, const char *params, size_t len,
                           struct cm_buf *canon, char *err, size_t errlen)
{
    struct cm_canary_val v[CM_CANARY_MAX_PARAMS];
    struct cm_buf b;
    struct cm_jw jw;
    int rc = read_all(k, params, len, v, err, errlen);

    if (rc != 0 || canon == NULL) {
        return rc;
    }
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    for (size_t i = 0; i < k->nparams; i++) {
        const struct cm_canary_param *p = &k->params[i];
        if (p->type == CM_CANARY_P_STRING) {
            if (v[i].set) {
                cm_jw_key(&jw, p->name);
                cm_jw_str(&jw, v[i].str);
            }
            continue;
        }
        cm_jw_key(&jw, p->name);
        if (p->type == CM_CANARY_P_INT) {
            cm_jw_i64(&jw, (int64_t)v[i].num);
        } else {
            cm_jw_f64(&jw, v[i].num);
        }
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? cm_buf_append(canon, b.p, b.len) : CM_ENOMEM;
    cm_buf_finish(&b);
    return rc == 0 ? CM_OK : CM_ENOMEM;
}

int cm_canary_params_read(const struct cm_canary_kind *k, const char *params,
                          struct cm_canary_val *v, char *err, size_t errlen)
{
    return read_all(k, params, strlen(params), v, err, errlen);
}

void cm_canary_jw_time(struct cm_jw *jw, const char *key, int64_t ms)
{
    char t[40];

    cm_jw_key(jw, key);
    if (ms <= 0) {
        cm_jw_null(jw);
        return;
    }
    cm_time_format_iso(ms, t, sizeof(t));
    cm_jw_str(jw, t);
}
