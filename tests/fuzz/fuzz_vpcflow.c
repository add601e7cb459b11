/*
 * libFuzzer target for the VPC Flow Logs parser. Any input must parse
 * without crashing; every event's slices must lie inside the input, hold no
 * separator and agree with the present bits and typed values; and parsing
 * the input in two chunks split at a newline (carrying the header state in
 * ctx->flow_fmt, with offset_base and line_base set) must give exactly the
 * same events, rejects and skips (Transit Gateway records) as parsing it
 * whole. The first byte picks where
 * the split falls, so the fuzzer explores split points too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

struct fz {
    const char *buf; /* the whole input (chunks are slices of it) */
    size_t len;
    uint64_t events, rejects, skips;
    uint64_t hash; /* order-dependent digest of everything reported */
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void mix(struct fz *f, uint64_t v)
{
    f->hash = (f->hash ^ v) * 0x100000001b3ULL;
}

static void check_slice(const struct fz *f, struct cm_str s)
{
    if (s.p == NULL) {
        return;
    }
    check(s.p >= f->buf && s.p + s.len <= f->buf + f->len && s.len > 0);
    check(memchr(s.p, ' ', s.len) == NULL && memchr(s.p, '\n', s.len) == NULL);
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct fz *f = ud;
    const struct cm_flow *fl = &ev->u.flow;
    char key[128];

    check(ev->kind == CM_EV_FLOW);
    check(ev->src.line >= 1);
    check(ev->src.offset + ev->src.length <= f->len);
    /* The spans are inside the event's line, which is inside the input. */
    check(fl->text >= f->buf && fl->text <= f->buf + f->len);
    for (int i = 0; i < CM_FF_COUNT; i++) {
        struct cm_str v = cm_flow_field(fl, (enum cm_flow_field)i);
        check_slice(f, v);
        if (fl->f[i].len != 0) {
            check((fl->present >> i) & 1u);
            check((size_t)fl->f[i].off + fl->f[i].len <= ev->src.length);
            check(v.p == fl->text + fl->f[i].off && v.len == fl->f[i].len);
            check(!(v.len == 1 && v.p[0] == '-'));
        }
    }
    check(fl->srcport >= -1 && fl->srcport <= 65535);
    check(fl->dstport >= -1 && fl->dstport <= 65535);
    check(fl->protocol >= -1 && fl->protocol <= 255);
    check((fl->src.family == CM_IP_NONE) == (cm_flow_field(fl, CM_FF_SRCADDR).p == NULL));
    check((fl->dst.family == CM_IP_NONE) == (cm_flow_field(fl, CM_FF_DSTADDR).p == NULL));
    /* The account is the account-id field's, except "unknown" (no account: the key's is used). */
    if (cm_str_eqc(cm_flow_field(fl, CM_FF_ACCOUNT_ID), "unknown")) {
        check(ev->account.p == NULL && ev->account.len == 0);
    } else {
        check(cm_str_eq(ev->account, cm_flow_field(fl, CM_FF_ACCOUNT_ID)));
    }
    cm_event_entity_key(ev, key, sizeof(key));
    f->events++;
    mix(f, ev->src.offset);
    mix(f, ev->src.line);
    mix(f, ev->src.length);
    mix(f, (uint64_t)ev->time_ms);
    mix(f, fl->present);
    mix(f, (uint64_t)fl->version);
    mix(f, (uint64_t)(fl->srcport + 1) << 20 | (uint64_t)(fl->dstport + 1));
    mix(f, fl->bytes);
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct fz *f = ud;

    check(k == CM_EV_FLOW && off < f->len && line >= 1 && reason != NULL && reason[0] != '\0');
    f->rejects++;
    mix(f, off);
    mix(f, line);
    mix(f, strlen(reason));
}

/* A Transit Gateway's record: a flow record, named, not analysed. */
static void on_skip(void *ud, enum cm_event_kind k, const char *what)
{
    struct fz *f = ud;

    check(k == CM_EV_FLOW && what != NULL && what[0] != '\0');
    f->skips++;
    mix(f, 0x5c1b);
}

static void setup(struct cm_parse_ctx *ctx, struct fz *f, const char *buf, size_t len)
{
    memset(ctx, 0, sizeof(*ctx));
    memset(f, 0, sizeof(*f));
    f->buf = buf;
    f->len = len;
    f->hash = 0xcbf29ce484222325ULL;
    ctx->on_event = on_event;
    ctx->on_reject = on_reject;
    ctx->on_skip = on_skip;
    ctx->ud = f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct cm_parse_ctx ctx;
    struct fz whole, parts;
    const char *nl;
    size_t cut;
    uint32_t lines = 0;

    (void)cm_parser_vpcflow.sniff(buf, size);
    setup(&ctx, &whole, buf, size);
    check(cm_parser_vpcflow.parse(&ctx, buf, size) == 0);

    /* Split just after the first newline at or past a point the input picks. */
    if (size == 0) {
        return 0;
    }
    cut = (size_t)data[0] * size / 256;
    nl = memchr(buf + cut, '\n', size - cut);
    if (nl == NULL) {
        return 0;
    }
    cut = (size_t)(nl - buf) + 1;
    for (size_t i = 0; i < cut; i++) {
        lines += buf[i] == '\n';
    }
    setup(&ctx, &parts, buf, size);
    check(cm_parser_vpcflow.parse(&ctx, buf, cut) == 0);
    ctx.offset_base = cut;
    ctx.line_base = lines;
    check(cm_parser_vpcflow.parse(&ctx, buf + cut, size - cut) == 0);
    check(parts.events == whole.events);
    check(parts.rejects == whole.rejects);
    check(parts.skips == whole.skips);
    check(parts.hash == whole.hash);
    return 0;
}
