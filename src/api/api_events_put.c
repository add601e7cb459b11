/*
 * PutEvents (api_events.h): each entry becomes an EventBridge event
 * (version "0", a fresh id, detail-type, source, the server's account, the
 * request's region, time, resources, detail) put on coalmine's bus: every
 * enabled rule whose pattern matches it sends it to each of its targets,
 * once (the outbox path canary results and scheduled rules take). In serve
 * the bus thread, woken by the request, makes the first attempt; without a
 * bus thread (ctx->wake_bus NULL) it is made while the request runs.
 * docs/events-api.md says how this differs from a finding's delivery. An
 * entry EventBridge would refuse is a failed entry (ErrorCode, ErrorMessage)
 * and the others still go.
 */
#include "api/api_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api/api_input.h"
#include "api/api_target_guard.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "canary/canary.h"
#include "core/log.h"
#include "route/envelope.h"
#include "store/store.h"

#define ENTRY_MAX_BYTES (256u * 1024u) /* an entry's size, EventBridge's quota */
#define RESOURCES_MAX   100

/* A random UUID (version 4). */
static void new_id(char out[37])
{
    unsigned char b[16];

    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < sizeof(b); i++) {
            b[i] = (unsigned char)(((uint64_t)ts.tv_nsec * 2654435761u + i * 40503u) >> (i % 8));
        }
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* A string member of entry e (unescaped into out), or NULL when absent, null or no string. */
static const char *entry_str(const struct cm_json_doc *d, uint32_t e, const char *name, char *out,
                             size_t outlen, bool *too_long)
{
    uint32_t v = cm_json_get(d, e, name);
    struct cm_str raw;

    *too_long = false;
    if (v == CM_JSON_NONE || cm_json_type(d, v) != CM_JSON_STRING) {
        return NULL;
    }
    raw = cm_json_raw(d, v);
    if (raw.len >= outlen) {
        *too_long = true;
        return NULL;
    }
    out[cm_json_unescape(raw.p, raw.len, out)] = '\0';
    return out;
}

/* An entry's Time: epoch seconds (botocore's form) or an RFC 3339 string. */
static int entry_time(const struct cm_json_doc *d, uint32_t e, int64_t now_ms, int64_t *ms)
{
    uint32_t v = cm_json_get(d, e, "Time");
    double sec;

    *ms = now_ms;
    if (v == CM_JSON_NONE || cm_json_type(d, v) == CM_JSON_NULL) {
        return 0;
    }
    if (cm_json_type(d, v) == CM_JSON_NUMBER) {
        if (cm_json_f64(d, v, &sec) != 0 || sec < 0 || sec > 253402300799.0) {
            return -1;
        }
        *ms = (int64_t)(sec * 1000.0);
        return 0;
    }
    if (cm_json_type(d, v) == CM_JSON_STRING) {
        return cm_time_parse_iso(cm_json_raw(d, v), ms) == 0 ? 0 : -1;
    }
    return -1;
}

struct entry_out {
    const char *code; /* NULL: accepted */
    char msg[300];
    char id[37];
};

/* Makes and sends the event of entry e (resbuf: room for its resources).  Returns 0 (out says how),
 * or CM_ENOMEM / CM_EIO. */
static int one_entry(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                     const struct cm_json_doc *d, uint32_t e, char (*resbuf)[1601],
                     struct entry_out *out)
{
    char source[257], dtype[257], t[40], err[512];
    const char *resources[RESOURCES_MAX];
    const char *src, *dt;
    uint32_t detail = cm_json_get(d, e, "Detail"), res = cm_json_get(d, e, "Resources");
    struct cm_json_doc dd;
    struct cm_buf ev;
    struct cm_jw jw;
    size_t nres = 0;
    int64_t ms, oseq = 0;
    struct cm_store_event sev;
    unsigned failed = 0;
    bool long1, long2, long3 = false;
    int rc = 0;

    out->code = NULL;
    src = entry_str(d, e, "Source", source, sizeof(source), &long1);
    dt = entry_str(d, e, "DetailType", dtype, sizeof(dtype), &long2);
    if (cm_json_type(d, e) != CM_JSON_OBJECT) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg), "An entry is not an object.");
        return 0;
    }
    if (src == NULL || *src == '\0' || long1) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg),
                 "Parameter Source is not valid. Reason: Source is a required argument of 1 to "
                 "256 characters.");
        return 0;
    }
    if (dt == NULL || *dt == '\0' || long2) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg),
                 "Parameter DetailType is not valid. Reason: DetailType is a required argument "
                 "of 1 to 256 characters.");
        return 0;
    }
    if (strncmp(src, "aws.", 4) == 0) {
        out->code = "NotAuthorizedForSourceException";
        snprintf(out->msg, sizeof(out->msg), "Not authorized for the source %.200s.", src);
        return 0;
    }
    if (detail == CM_JSON_NONE || cm_json_type(d, detail) != CM_JSON_STRING) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg),
                 "Parameter Detail is not valid. Reason: Detail is a required argument.");
        return 0;
    }
    if (res != CM_JSON_NONE && cm_json_type(d, res) != CM_JSON_NULL) {
        if (cm_json_type(d, res) != CM_JSON_ARRAY || cm_json_at(d, res)->len > RESOURCES_MAX) {
            long3 = true;
        }
        for (uint32_t r = long3 ? CM_JSON_NONE : cm_json_first(d, res); r != CM_JSON_NONE;
             r = cm_json_next(d, res, r)) {
            struct cm_str raw = cm_json_raw(d, r);
            if (cm_json_type(d, r) != CM_JSON_STRING || raw.len >= sizeof(resbuf[0])) {
                long3 = true;
                break;
            }
            resbuf[nres][cm_json_unescape(raw.p, raw.len, resbuf[nres])] = '\0';
            resources[nres] = resbuf[nres];
            nres++;
        }
        if (long3) {
            out->code = "InvalidArgument";
            snprintf(out->msg, sizeof(out->msg),
                     "Parameter Resources is not valid. Reason: a list of at most 100 strings "
                     "of 1600 characters.");
            return 0;
        }
    }
    if (entry_time(d, e, req->now_ms, &ms) != 0) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg), "Parameter Time is not valid.");
        return 0;
    }
    /* Detail: a JSON object, as text. */
    {
        struct cm_str raw = cm_json_raw(d, detail);
        char *text;
        struct cm_diag diag = {0};
        size_t len;
        if (raw.len > ENTRY_MAX_BYTES) {
            out->code = "InvalidArgument";
            snprintf(out->msg, sizeof(out->msg), "The event is larger than 256 KB.");
            return 0;
        }
        if ((text = malloc(raw.len + 1)) == NULL) {
            return CM_ENOMEM;
        }
        len = cm_json_unescape(raw.p, raw.len, text);
        text[len] = '\0';
        cm_json_doc_init(&dd, CM_API_IN_MAX_NODES, 64);
        if (cm_json_parse(&dd, text, len, &diag) != 0 || cm_json_type(&dd, 0) != CM_JSON_OBJECT) {
            out->code = "MalformedDetail";
            snprintf(out->msg, sizeof(out->msg), "Detail is malformed: %s (byte %zu).",
                     diag.msg[0] ? diag.msg : "not a JSON object", diag.offset);
            cm_json_doc_finish(&dd);
            free(text);
            return 0;
        }
        new_id(out->id);
        cm_time_format_iso_s(ms, t, sizeof(t));
        const char *region = req->region != NULL ? req->region : ctx->region;
        struct cm_event_envelope env = {
            .id = out->id,
            .detail_type = dt,
            .source = src,
            .account = cm_str_cstr(ctx->account),
            .region = cm_str_cstr(region),
            .time = cm_str_cstr(t),
            .resources = resources,
            .nresources = nres,
        };
        cm_buf_init(&ev, ENTRY_MAX_BYTES * 4);
        cm_jw_init(&jw, &ev);
        cm_event_envelope_begin(&jw, &env);
        cm_jw_node(&jw, &dd, 0);
        cm_jw_obj_end(&jw);
        cm_json_doc_finish(&dd);
        free(text);
        if (cm_jw_finish(&jw) != 0) {
            cm_buf_finish(&ev);
            return CM_ENOMEM;
        }
    }
    if (ev.len > ENTRY_MAX_BYTES) {
        out->code = "InvalidArgument";
        snprintf(out->msg, sizeof(out->msg), "The event is larger than 256 KB.");
        cm_buf_finish(&ev);
        return 0;
    }
    /*
     * Into the outbox, as a finding's event goes: owed to every target of every rule it
     * matches until delivered, retried by the bus (serve's bus thread, `rules deliver`)
     * with the same backoff and age limit. In serve the bus thread makes the first attempt
     * too (woken by the caller, once per request): the API thread waits on no target.
     * Without one the first attempt is made now.
     */
    sev.event = ev.p;
    sev.len = ev.len;
    sev.created_ms = req->now_ms;
    rc = cm_store_event_put(ctx->store, src, &sev, &oseq, err, sizeof(err));
    if (rc == 0 && oseq > 0 && ctx->wake_bus == NULL) {
        rc = cm_canary_deliver(ctx->store, oseq, ctx->targets ? ctx->targets->secrets : NULL, NULL,
                               &failed, NULL, err, sizeof(err));
        if (rc != 0) { /* stored: the bus tries it again */
            log_warn("PutEvents: event %s: its first delivery: %s", out->id, err);
            rc = rc == CM_ENOMEM ? rc : 0;
        }
    }
    cm_buf_finish(&ev);
    if (rc != 0) {
        log_warn("PutEvents: event %s: %s", out->id, err);
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    if (failed > 0) {
        log_warn("PutEvents: event %s: %u of its deliveries failed; owed, tried again by the bus",
                 out->id, failed);
    }
    return 0;
}

int cm_events_put_events(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct entry_out outs[CM_EVENTS_PUT_MAX];
    char(*resbuf)[1601] = malloc(RESOURCES_MAX * sizeof(*resbuf));
    uint32_t list;
    size_t n, i = 0, nfail = 0;
    struct cm_jw jw;
    char msg[200];
    int rc = -1;

    if (resbuf == NULL || cm_api_in_parse(&in, req, resp) != 0 ||
        cm_api_in_node(&in, resp, 0, "Entries", true, CM_JSON_ARRAY, &list) != 0) {
        goto done;
    }
    n = cm_json_at(&in.d, list)->len;
    if (n == 0 || n > CM_EVENTS_PUT_MAX) {
        snprintf(msg, sizeof(msg), "Entries must hold 1 to %d entries, has %zu.", CM_EVENTS_PUT_MAX,
                 n);
        cm_events_validation(resp, msg);
        goto done;
    }
    for (uint32_t e = cm_json_first(&in.d, list); e != CM_JSON_NONE;
         e = cm_json_next(&in.d, list, e), i++) {
        const char *bus = NULL;
        char busbuf[1601];
        bool too_long;
        memset(&outs[i], 0, sizeof(outs[i]));
        if (cm_json_type(&in.d, e) == CM_JSON_OBJECT) {
            bus = entry_str(&in.d, e, "EventBusName", busbuf, sizeof(busbuf), &too_long);
        }
        if (bus != NULL && cm_events_bus_ok(ctx, req, bus, resp) != 0) {
            outs[i].code = "InvalidArgument";
            snprintf(outs[i].msg, sizeof(outs[i].msg), "Event bus %.200s does not exist.", bus);
            resp->error_type = NULL;
            resp->status = 200;
        } else {
            int erc = one_entry(ctx, req, &in.d, e, resbuf, &outs[i]);
            if (erc == CM_ENOMEM) {
                goto done;
            }
            if (erc != 0) {
                outs[i].code = "InternalFailure";
                snprintf(outs[i].msg, sizeof(outs[i].msg),
                         "The event could not be routed (the server's log says why).");
            }
        }
        nfail += outs[i].code != NULL;
    }
    if (ctx->wake_bus != NULL && nfail < n) {
        ctx->wake_bus(ctx->wake_ud); /* the stored events' first attempt (see one_entry) */
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "FailedEntryCount");
    cm_jw_u64(&jw, nfail);
    cm_jw_key(&jw, "Entries");
    cm_jw_arr_begin(&jw);
    for (size_t k = 0; k < n; k++) {
        cm_jw_obj_begin(&jw);
        if (outs[k].code == NULL) {
            cm_jw_key(&jw, "EventId");
            cm_jw_str(&jw, outs[k].id);
        } else {
            cm_jw_key(&jw, "ErrorCode");
            cm_jw_str(&jw, outs[k].code);
            cm_jw_key(&jw, "ErrorMessage");
            cm_jw_str(&jw, outs[k].msg);
        }
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    free(resbuf);
    cm_api_in_finish(&in);
    return rc;
}
