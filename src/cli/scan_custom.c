/*
 * The Custom Detection Rules' modes and dry-run reports of a scan (scan_custom.h).
 */
#include "cli/scan_custom.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "core/log.h"

int cm_scan_custom_add(struct cm_scan_custom *sc, const char *spec, char *err, size_t errlen)
{
    return cm_scan_custom_insert(sc, sc->n, spec, err, errlen);
}

int cm_scan_custom_insert(struct cm_scan_custom *sc, size_t at, const char *spec, char *err,
                          size_t errlen)
{
    struct cm_cr_setting s;
    const char *why = NULL;

    if (cm_cr_setting_parse(cm_str_cstr(spec), &s, &why) != 0) {
        snprintf(err, errlen, "--custom-rule '%s': %s", spec, why);
        return CM_EINVAL;
    }
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 8;
        struct cm_cr_setting *v = cm_realloc(sc->v, cap * sizeof(*v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        sc->v = v;
        sc->cap = cap;
    }
    if (at > sc->n) {
        at = sc->n;
    }
    memmove(sc->v + at + 1, sc->v + at, (sc->n - at) * sizeof(*sc->v));
    sc->v[at] = s;
    sc->n++;
    return 0;
}

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = cm_str_present(s) ? (s.len < cap - 1 ? s.len : cap - 1) : 0;

    if (n > 0) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

/* The detector's dry_run: counts, keeps the last example, logs. */
static void dry_run(void *ud, const struct cm_detection *d, const char *rule)
{
    struct cm_scan_custom *sc = ud;
    int r = cm_cr_find(cm_str_cstr(rule));
    struct cm_scan_custom_dry *x;
    struct cm_scan_custom_example e = {.time_ms = d->time_ms};
    bool log;
    char when[40];

    if (r < 0) {
        return;
    }
    copy(e.account, sizeof(e.account), d->account);
    copy(e.region, sizeof(e.region), d->region);
    copy(e.caller, sizeof(e.caller), d->resource_id);
    if (d->event != NULL && d->event->kind == CM_EV_CLOUDTRAIL) {
        copy(e.api, sizeof(e.api), d->event->u.ct.event_name);
        copy(e.event_id, sizeof(e.event_id), d->event->u.ct.event_id);
    }
    pthread_mutex_lock(&sc->mu);
    x = &sc->dry[r];
    if (x->count == 0 || d->time_ms < x->first_ms) {
        x->first_ms = d->time_ms;
    }
    if (x->count == 0 || d->time_ms >= x->last.time_ms) {
        x->last = e;
    }
    x->count++;
    log = !sc->quiet && sc->logged <= CM_SCAN_CUSTOM_LOG_MAX;
    sc->logged += log;
    pthread_mutex_unlock(&sc->mu);
    if (!log) {
        return;
    }
    if (sc->logged > CM_SCAN_CUSTOM_LOG_MAX) {
        log_info("custom rule dry run: more than %d signals; the rest are counted only "
                 "(--stats custom_rules)",
                 CM_SCAN_CUSTOM_LOG_MAX);
        return;
    }
    cm_time_format_iso(d->time_ms, when, sizeof(when));
    log_info("custom rule dry run: %s would have made %s (%s by %s in %s/%s at %s, eventID %s)",
             rule, d->type, e.api, e.caller, e.account, e.region, when, e.event_id);
}

int cm_scan_custom_open(struct cm_scan_custom *sc, struct cm_detect_config *cfg, bool quiet)
{
    if (!sc->mu_ok) {
        if (pthread_mutex_init(&sc->mu, NULL) != 0) {
            return CM_ENOMEM;
        }
        sc->mu_ok = true;
    }
    sc->quiet = quiet;
    sc->cfg.settings = sc->v;
    sc->cfg.nsettings = sc->n;
    sc->cfg.dry_run = dry_run;
    sc->cfg.ud = sc;
    cfg->custom_rules = &sc->cfg;
    if (!quiet && sc->n > 0) {
        fprintf(stderr, "  custom rules: %zu mode setting%s\n", sc->n, sc->n == 1 ? "" : "s");
    }
    return 0;
}

void cm_scan_custom_json(struct cm_scan_custom *sc, struct cm_jw *jw)
{
    const struct cm_cr_rule_info *rs = cm_cr_rules();

    if (sc->mu_ok) {
        pthread_mutex_lock(&sc->mu);
    }
    cm_jw_key(jw, "custom_rules");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "dry_run");
    cm_jw_arr_begin(jw);
    for (int i = 0; i < CM_CR_COUNT; i++) {
        const struct cm_scan_custom_dry *x = &sc->dry[i];
        if (x->count == 0) {
            continue;
        }
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "rule");
        cm_jw_str(jw, rs[i].name);
        cm_jw_key(jw, "type");
        cm_jw_str(jw, rs[i].type);
        cm_jw_key(jw, "count");
        cm_jw_u64(jw, x->count);
        cm_jw_key_time(jw, "first_seen", x->first_ms);
        cm_jw_key(jw, "last");
        cm_jw_obj_begin(jw);
        cm_jw_key_time(jw, "time", x->last.time_ms);
        cm_jw_key(jw, "account");
        cm_jw_str(jw, x->last.account);
        cm_jw_key(jw, "region");
        cm_jw_str(jw, x->last.region);
        cm_jw_key(jw, "caller");
        cm_jw_str(jw, x->last.caller);
        cm_jw_key(jw, "api");
        cm_jw_str(jw, x->last.api);
        cm_jw_key(jw, "event_id");
        cm_jw_str(jw, x->last.event_id);
        cm_jw_obj_end(jw);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
    if (sc->mu_ok) {
        pthread_mutex_unlock(&sc->mu);
    }
}

void cm_scan_custom_summary(struct cm_scan_custom *sc)
{
    const struct cm_cr_rule_info *rs = cm_cr_rules();

    for (int i = 0; i < CM_CR_COUNT; i++) {
        if (sc->dry[i].count > 0) {
            fprintf(stderr, "  dry run:  %s: %llu signal%s, no finding (%s)\n", rs[i].name,
                    (unsigned long long)sc->dry[i].count, sc->dry[i].count == 1 ? "" : "s",
                    rs[i].type);
        }
    }
}

void cm_scan_custom_close(struct cm_scan_custom *sc)
{
    cm_free(sc->v);
    if (sc->mu_ok) {
        pthread_mutex_destroy(&sc->mu);
    }
    memset(sc, 0, sizeof(*sc));
}
