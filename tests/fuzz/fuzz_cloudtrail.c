/*
 * libFuzzer target for the CloudTrail parser: any input must parse without
 * crashing, every byte is either in an event or accounted for by a reject
 * (or a skip: an Insights event),
 * and events' fields must stay inside the input buffer. Each event's user
 * agent and call also go through the API anomaly model's readers
 * (cm_ua_category, cm_ct_tactic). The cut between concatenated files
 * (cm_parse_ct_cut) must land on a file start after a '}'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "detect/ct.h"
#include "parse/parse.h"

struct fz {
    const char *buf;
    size_t len;
    size_t events, rejects;
    struct cm_parse_ctx *ctx;
    struct cm_arena *arena;
};

static void check_str(const struct fz *f, struct cm_str s, const struct cm_arena *a)
{
    (void)a;
    if (s.p == NULL) {
        return;
    }
    /* Either a slice of the input or unescaped into the arena: readable bytes. */
    volatile char sink = 0;
    for (size_t i = 0; i < s.len; i++) {
        sink ^= s.p[i];
    }
    (void)sink;
    (void)f;
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct fz *f = ud;
    char key[128];

    if (ev->kind != CM_EV_CLOUDTRAIL || ev->src.offset > f->len) {
        abort();
    }
    check_str(f, ev->u.ct.event_name, f->arena);
    check_str(f, ev->u.ct.user_agent, f->arena);
    check_str(f, ev->u.ct.uid.user_name, f->arena);
    check_str(f, ev->u.ct.uid.issuer_arn, f->arena);
    cm_event_entity_key(ev, key, sizeof(key));
    /* The API anomaly model's readings of a call: its client family and its tactic. */
    {
        char cat[24];
        size_t n = cm_ua_category(ev->u.ct.user_agent, cat, sizeof(cat));

        if (n >= sizeof(cat) || cat[n] != '\0' || n == 0) {
            abort();
        }
        if ((unsigned)cm_ct_tactic(ev->u.ct.event_source, ev->u.ct.event_name) >= CM_TACTIC_COUNT) {
            abort();
        }
    }
    if (ev->u.ct.request_parameters != CM_JSON_NONE) {
        (void)cm_json_path(ev->u.ct.doc, ev->u.ct.request_parameters, "bucketName");
    }
    f->events++;
    /* Reset like the single-thread scan path does. */
    cm_json_doc_begin(f->ctx->doc, f->buf, f->len);
    cm_arena_reset(f->arena);
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct fz *f = ud;
    if (k != CM_EV_CLOUDTRAIL || off > f->len || reason == NULL || line == 0) {
        abort();
    }
    f->rejects++;
}

/* A record no detector reads (an Insights event): CloudTrail's, named. */
static void on_skip(void *ud, enum cm_event_kind k, const char *what)
{
    (void)ud;
    if (k != CM_EV_CLOUDTRAIL || what == NULL || what[0] == '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;
    struct fz f = {(const char *)data, size, 0, 0, &ctx, &arena};

    cm_json_doc_init(&doc, 0, 64);
    cm_arena_init(&arena, 4096, 1 << 20);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.arena = &arena;
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.on_skip = on_skip;
    ctx.ud = &f;
    if (cm_parser_cloudtrail.parse(&ctx, (const char *)data, size) != 0) {
        abort();
    }
    (void)cm_parse_sniff((const char *)data, size);
    /* Where standard input may cut a stream of files: the last file start after a '}'. */
    {
        const char *b = (const char *)data;
        size_t c = cm_parse_ct_cut(b, size, 0), j;

        if (c != 0) {
            if (c + CM_PARSE_CT_MARK_LEN > size ||
                memcmp(b + c, CM_PARSE_CT_MARK, CM_PARSE_CT_MARK_LEN) != 0) {
                abort();
            }
            for (j = c; j > 0 && strchr(" \t\r\n", b[j - 1]) != NULL; j--) {
            }
            if (j == 0 || b[j - 1] != '}' || cm_parse_ct_cut(b, size, c + 1) != 0 ||
                cm_parse_ct_cut(b, size, c) != c) {
                abort();
            }
        }
        /* A search from the middle finds the same last start, or none before it. */
        j = cm_parse_ct_cut(b, size, size / 2);
        if (j != (c >= size / 2 ? c : 0)) {
            abort();
        }
    }
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
    return 0;
}
