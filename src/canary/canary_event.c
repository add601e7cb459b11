/*
 * The events canaries and scheduled rules put on the bus, and their first
 * attempt. The event is an outbox row, written with the result or the fire
 * it reports (store_canary.c); cm_canary_deliver runs the bus over that row
 * alone at once, so `canary run` and `tick` can say what each target did,
 * and a delivery that failed stays owed: later runs of the bus retry it with
 * the backoff and age limit of a finding's (docs/internals/canary.md).
 */
#include "canary/canary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/time.h"
#include "base/uuid.h"
#include "bus/bus.h"
#include "canary/canary_impl.h"
#include "core/clock.h"
#include "route/envelope.h"

#define SEED_HI 0x63616e6172796576ULL /* "canaryev" */
#define SEED_LO 0x7363686564756c65ULL /* "schedule" */

/* An id from a name and a time, as a version 4 UUID: the same event gets the same id. */
static void event_id(const char *name, int64_t ms, const char *salt, char out[37])
{
    char key[256];
    int n = snprintf(key, sizeof(key), "%s|%lld|%s", name, (long long)ms, salt);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(key) ? (size_t)n : sizeof(key) - 1;

    cm_uuid_of_hashes(cm_hash64(key, len, SEED_HI), cm_hash64(key, len, SEED_LO), out);
}

/* The check's param name ("account", "region") from its stored params, or "". */
static void param_of(const char *params, const char *name, char *out, size_t n)
{
    struct cm_json_doc d;
    uint32_t v;

    out[0] = '\0';
    cm_json_doc_init(&d, 0, 16);
    if (cm_json_parse(&d, params, strlen(params), NULL) == 0 &&
        (v = cm_json_get(&d, 0, name)) != CM_JSON_NONE && cm_json_type(&d, v) == CM_JSON_STRING &&
        cm_json_raw(&d, v).len < n) {
        struct cm_str raw = cm_json_raw(&d, v);
        out[cm_json_unescape(raw.p, raw.len, out)] = '\0';
    }
    cm_json_doc_finish(&d);
}

/* An event's time as cm_canary_jw_time writes it: milliseconds, null when not set. */
static struct cm_str event_time(int64_t ms, char *buf, size_t cap)
{
    return ms <= 0 ? CM_STR_NULL : cm_str_make(buf, cm_time_format_iso(ms, buf, cap));
}

int cm_canary_event(const struct cm_store_canary *c, const struct cm_canary_result *r,
                    const char *prev, int64_t now_ms, struct cm_buf *out)
{
    struct cm_jw jw;
    char id[37], account[128], region[128], t[40];

    event_id(c->name, now_ms, cm_canary_status_name(r->status), id);
    param_of(c->params, "account", account, sizeof(account));
    param_of(c->params, "region", region, sizeof(region));
    struct cm_event_envelope e = {
        .id = id,
        .detail_type = CM_CANARY_DETAIL_TYPE,
        .source = CM_CANARY_SOURCE,
        .account = cm_str_cstr(account),
        .region = cm_str_cstr(region),
        .time = event_time(now_ms, t, sizeof(t)),
    };
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "name");
    cm_jw_str(&jw, c->name);
    cm_jw_key(&jw, "check");
    cm_jw_str(&jw, c->kind);
    cm_jw_key(&jw, "status");
    cm_jw_str(&jw, cm_canary_status_name(r->status));
    cm_jw_key(&jw, "previousStatus");
    if (prev != NULL) {
        cm_jw_str(&jw, prev);
    } else {
        cm_jw_null(&jw);
    }
    cm_jw_key(&jw, "reason");
    cm_jw_str(&jw, r->reason);
    cm_jw_key(&jw, "observed");
    cm_jw_raw(&jw, r->observed.p, r->observed.len);
    cm_jw_key(&jw, "schedule");
    cm_jw_str(&jw, c->schedule);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

int cm_canary_scheduled_event(const char *rule, int64_t fire_ms, const char *account,
                              const char *region, struct cm_buf *out)
{
    struct cm_jw jw;
    char id[37], arn[400], t[40];
    const char *resources[] = {arn};

    account = account != NULL ? account : "";
    region = region != NULL ? region : "";
    event_id(rule, fire_ms, "Scheduled Event", id);
    snprintf(arn, sizeof(arn), "arn:aws:events:%.64s:%.64s:rule/%s", region, account, rule);
    struct cm_event_envelope e = {
        .id = id,
        .detail_type = "Scheduled Event",
        .source = "aws.events",
        .account = cm_str_cstr(account),
        .region = cm_str_cstr(region),
        .time = event_time(fire_ms, t, sizeof(t)),
        .resources = resources,
        .nresources = 1,
    };
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_obj_begin(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

/* ---- The first attempt ---- */

struct first {
    const struct cm_canary_report *rep;
    unsigned failed;
};

static void on_bus(void *ud, const struct cm_bus_report *r)
{
    struct first *f = ud;
    struct cm_canary_sent sent = {r->rule, r->target, r->error};

    /* Attempts only: one left untried (another process has it) is owed, not failed. */
    if (r->attempt == 0) {
        return;
    }
    f->failed += r->outcome != CM_BUS_DELIVERED;
    if (f->rep != NULL && f->rep->sent != NULL) {
        f->rep->sent(f->rep->ud, &sent);
    }
}

int cm_canary_deliver(struct cm_store *st, int64_t oseq, const struct cm_target_secrets *secrets,
                      const struct cm_canary_report *rep, unsigned *failed,
                      struct cm_bus_stats *bus, char *err, size_t errlen)
{
    struct first f = {rep, 0};
    struct cm_bus_opts o = {0};
    struct cm_bus_stats stats;
    int rc;

    *failed = 0;
    err[0] = '\0';
    o.now_ms = cm_clock_now_ms();
    o.only_seq = oseq;
    o.secrets = secrets;
    o.report = on_bus;
    o.ud = &f;
    rc = cm_bus_run(st, &o, &stats, err, errlen);
    *failed = f.failed;
    if (rc == 0 && bus != NULL) {
        cm_bus_stats_add(bus, &stats);
    }
    if (rc != 0 && err[0] == '\0') {
        snprintf(err, errlen, "sending the event: %s", cm_strerror(rc));
    }
    return rc;
}
