/*
 * libFuzzer target for the Custom Detection Rules (lib/detect/ct_custom*.c).
 *
 * The input, copied into an exact-size heap buffer (no NUL after it), is first a
 * mode setting ("[ACCOUNT:]RULE=MODE", what --custom-rule and coalmine.yaml give):
 * cm_cr_setting_parse returns 0 with a setting in range (an account of 12 digits or
 * none, a rule of the table or all, a known mode) or CM_EINVAL with a reason, and
 * cm_cr_mode_for over it gives a known mode. Then it is a CloudTrail file, read by
 * the real parser into an engine holding the custom rules detector alone, with the
 * setting (when it parsed) and a DRY_RUN for one rule: every detection, emitted or
 * reported as a dry run, is one of the detector's types with its rule's severity or
 * higher, names its caller, and carries additionalInfo that parses as a JSON object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/ct_custom.h"
#include "detect/detect.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void check_detection(const struct cm_detection *d)
{
    struct cm_json_doc doc;
    bool known = false;

    for (const char *const *t = cm_detector_ct_custom.types; *t != NULL; t++) {
        known |= d->type != NULL && strcmp(*t, d->type) == 0;
    }
    check(known);
    check(d->severity == 2.0 || d->severity == 5.0 || d->severity == 8.0);
    check(d->count == 1 && d->event != NULL && d->resource_type == CM_RES_ACCESS_KEY);
    check(d->info.p != NULL && d->info.len > 0 && d->info.len <= CM_DETECTION_MAX_INFO);
    cm_json_doc_init(&doc, 0, 0);
    check(cm_json_parse(&doc, d->info.p, d->info.len, NULL) == 0);
    check(cm_json_type(&doc, 0) == CM_JSON_OBJECT);
    cm_json_doc_finish(&doc);
}

static int emit(struct cm_sink *sink, const struct cm_detection *d)
{
    (void)sink;
    check_detection(d);
    return 0;
}

static void dry_run(void *ud, const struct cm_detection *d, const char *rule)
{
    (void)ud;
    check(rule != NULL && cm_cr_find(cm_str_cstr(rule)) >= 0);
    check_detection(d);
}

struct feed {
    struct cm_engine *e;
    struct cm_sink *sink;
};

static int on_event(void *ud, struct cm_event *ev)
{
    struct feed *f = ud;

    /* cm_cr_match alone agrees with itself and stays in the table */
    if (ev->kind == CM_EV_CLOUDTRAIL) {
        int r = cm_cr_match(&ev->u.ct);
        check(r >= -1 && r < CM_CR_COUNT);
    }
    return cm_engine_event(f->e, ev, f->sink);
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud, (void)k, (void)off, (void)line, (void)reason;
}

static void setting(const char *buf, size_t size, struct cm_cr_setting *s, size_t *n)
{
    const char *why = NULL;
    int rc = cm_cr_setting_parse(cm_str_make(buf, size), &s[0], &why);

    check(rc == 0 || rc == CM_EINVAL);
    if (rc != 0) {
        check(why != NULL && why[0] != '\0');
        *n = 0;
        return;
    }
    check(s->account[0] == '\0' || strlen(s->account) == 12);
    check(s->rule == CM_CR_ALL_RULES || (s->rule >= 0 && s->rule < CM_CR_COUNT));
    check(s->mode < CM_CR_MODE_COUNT);
    for (int r = 0; r < CM_CR_COUNT; r++) {
        check((unsigned)cm_cr_mode_for(s, 1, cm_str_cstr(s->account), r) < CM_CR_MODE_COUNT);
    }
    *n = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_custom, NULL};
    char *buf = malloc(size ? size : 1);
    struct cm_cr_setting s[2];
    struct cm_cr_config cc = {.settings = s, .dry_run = dry_run};
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_sink sink = {.emit = emit};
    const struct cm_parser *ps = cm_parser_by_name("cloudtrail");
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct feed f = {NULL, &sink};
    const char *why;

    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, data, size);
    setting(buf, size, s, &cc.nsettings);
    check(cm_cr_setting_parse(cm_str_cstr("VPCFlowLogsDeleted=DRY_RUN"), &s[cc.nsettings], &why) ==
          0);
    cc.nsettings++;
    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    cfg.custom_rules = &cc;
    o.config = &cfg;
    o.seed = 7;
    check(ps != NULL && cm_engine_create(&f.e, table, &o) == 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &f;
    (void)ps->parse(&ctx, buf, size);
    check(cm_engine_flush(f.e, &sink) == 0);
    cm_json_doc_finish(&doc);
    cm_engine_destroy(f.e);
    free(buf);
    return 0;
}
