/*
 * Unit tests for the VPC Flow Logs parser (lib/parse/vpcflow.c): the default
 * and custom formats, headers (several per input, "${...}" names, unknown
 * names), NODATA/SKIPDATA, every rejection reason with its line and offset,
 * chunked parsing, sniffing, and the field-name helpers. Inputs are copied
 * into exactly-sized heap buffers so ASan catches any read past the end.
 *
 * When $SHARED/data/derived-vpcflow exists (SHARED defaults to ../shared),
 * every log there is parsed and must give no rejects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/err.h"
#include "parse/parse.h"

#define MAX_EV  64
#define MAX_REJ 64

struct collect {
    struct cm_event ev[MAX_EV];
    int nev;
    long total_ev; /* events beyond MAX_EV are counted, not kept */
    struct {
        uint64_t offset;
        uint32_t line;
        enum cm_event_kind kind;
        char reason[200];
    } rej[MAX_REJ];
    int nrej;
    long total_rej;
    long nskip;       /* records handed to on_skip */
    const char *skip; /* the last one's name */
    int stop_after;   /* on_event returns CM_EFULL after this many (0: never) */
};

static int on_event(void *ud, struct cm_event *ev)
{
    struct collect *c = ud;

    if (c->nev < MAX_EV) {
        c->ev[c->nev++] = *ev;
    }
    c->total_ev++;
    if (c->stop_after > 0 && c->total_ev >= c->stop_after) {
        return CM_EFULL;
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                      const char *reason)
{
    struct collect *c = ud;

    if (c->nrej < MAX_REJ) {
        c->rej[c->nrej].offset = offset;
        c->rej[c->nrej].line = line;
        c->rej[c->nrej].kind = kind;
        snprintf(c->rej[c->nrej].reason, sizeof(c->rej[c->nrej].reason), "%s", reason);
        c->nrej++;
    }
    c->total_rej++;
}

static void on_skip(void *ud, enum cm_event_kind kind, const char *what)
{
    struct collect *c = ud;

    assert_int_equal(kind, CM_EV_FLOW);
    c->skip = what;
    c->nskip++;
}

static void ctx_setup(struct cm_parse_ctx *ctx, struct collect *c)
{
    memset(ctx, 0, sizeof(*ctx));
    memset(c, 0, sizeof(*c));
    ctx->on_event = on_event;
    ctx->on_reject = on_reject;
    ctx->on_skip = on_skip;
    ctx->ud = c;
}

/* An exactly-sized heap copy of text (no NUL), kept alive by the caller. */
static char *dup_exact(const char *text, size_t *len)
{
    size_t n = strlen(text);
    char *p = malloc(n ? n : 1);

    assert_non_null(p);
    memcpy(p, text, n);
    *len = n;
    return p;
}

/* Parses text with a fresh context; returns the heap buffer (free it after the checks). */
static char *parse_text(struct cm_parse_ctx *ctx, struct collect *c, const char *text, int *rc)
{
    size_t len;
    char *buf = dup_exact(text, &len);

    ctx_setup(ctx, c);
    *rc = cm_parser_vpcflow.parse(ctx, buf, len);
    return buf;
}

static void assert_str(struct cm_str s, const char *want)
{
    if (want == NULL) {
        if (s.p != NULL) {
            fail_msg("expected absent, got '%.*s'", (int)s.len, s.p);
        }
        return;
    }
    if (s.p == NULL || !cm_str_eqc(s, want)) {
        fail_msg("expected '%s', got '%.*s'", want, (int)s.len, s.p ? s.p : "(null)");
    }
}

static void assert_ip(const struct cm_ip *ip, const char *want)
{
    char out[64];

    if (want == NULL) {
        assert_int_equal(ip->family, CM_IP_NONE);
        return;
    }
    cm_ip_format(ip, out, sizeof(out));
    assert_string_equal(out, want);
}

#define HDR2                                                                                       \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n"

static void test_default_with_header(void **state)
{
    static const char text[] =
        HDR2 "2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
             "1741082400 1741082459 REJECT OK\n"
             "2 111122223333 eni-0123456789abcdef0 10.0.1.14 198.51.100.9 49152 443 6 12 3120 "
             "1741082400 1741082459 ACCEPT OK\n"
             "2 111122223333 eni-0123456789abcdef0 - - - - - - - 1741082400 1741082459 - NODATA\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_flow *fl;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 3);
    assert_int_equal(ctx.flow_fmt.known, 1);
    assert_int_equal(ctx.flow_fmt.ncols, 14);

    fl = &c.ev[0].u.flow;
    assert_int_equal(c.ev[0].kind, CM_EV_FLOW);
    assert_int_equal(c.ev[0].time_ms, 1741082400000LL);
    assert_str(c.ev[0].account, "111122223333");
    assert_str(c.ev[0].region, NULL);
    assert_int_equal(c.ev[0].src.line, 2);
    assert_int_equal(c.ev[0].src.offset, strlen(HDR2));
    assert_int_equal(c.ev[0].src.length, strchr(text + strlen(HDR2), '\n') - text - strlen(HDR2));
    assert_int_equal(fl->version, 2);
    assert_int_equal(fl->present, (1ULL << 14) - 1);
    assert_str(fl->account_id, "111122223333");
    assert_str(fl->interface_id, "eni-0123456789abcdef0");
    assert_str(cm_flow_field(fl, CM_FF_INTERFACE_ID), "eni-0123456789abcdef0");
    assert_str(cm_flow_field(fl, CM_FF_SRCADDR), "203.0.113.12");
    assert_str(cm_flow_field(fl, CM_FF_LOG_STATUS), "OK");
    assert_str(cm_flow_field(fl, CM_FF_VPC_ID), NULL);
    assert_ip(&fl->src, "203.0.113.12");
    assert_ip(&fl->dst, "10.0.1.14");
    assert_ip(&fl->pkt_src, NULL);
    assert_int_equal(fl->srcport, 50242);
    assert_int_equal(fl->dstport, 22);
    assert_int_equal(fl->protocol, 6);
    assert_int_equal(fl->packets, 4);
    assert_int_equal(fl->bytes, 240);
    assert_int_equal(fl->start, 1741082400);
    assert_int_equal(fl->end, 1741082459);
    assert_int_equal(fl->action, CM_FA_REJECT);
    assert_int_equal(fl->status, CM_FS_OK);
    assert_int_equal(fl->direction, CM_FD_UNKNOWN);
    assert_int_equal(fl->tcp_flags, -1);
    assert_int_equal(fl->traffic_path, -1);
    assert_str(fl->instance_id, NULL);

    fl = &c.ev[1].u.flow;
    assert_int_equal(fl->action, CM_FA_ACCEPT);
    assert_int_equal(fl->dstport, 443);
    assert_int_equal(c.ev[1].src.line, 3);

    /* NODATA: the other fields are "-" (absent but present in the format). */
    fl = &c.ev[2].u.flow;
    assert_int_equal(fl->status, CM_FS_NODATA);
    assert_int_equal(fl->action, CM_FA_NONE);
    assert_int_equal(fl->present, (1ULL << 14) - 1);
    assert_str(cm_flow_field(fl, CM_FF_SRCADDR), NULL);
    assert_str(cm_flow_field(fl, CM_FF_ACTION), NULL);
    assert_ip(&fl->src, NULL);
    assert_ip(&fl->dst, NULL);
    assert_int_equal(fl->srcport, -1);
    assert_int_equal(fl->dstport, -1);
    assert_int_equal(fl->protocol, -1);
    assert_int_equal(fl->packets, 0);
    assert_int_equal(fl->bytes, 0);
    assert_int_equal(c.ev[2].time_ms, 1741082400000LL);
    free(buf);
}

static void test_default_without_header(void **state)
{
    static const char text[] =
        "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 1 100 160 ACCEPT OK\n"
        "2 unknown eni-2 ::1 2001:db8::5 0 0 58 3 300 200 260 ACCEPT OK\n"
        "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 1 100 160 ACCEPT OK extra\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.ev[0].time_ms, 100000);
    assert_int_equal(c.ev[0].u.flow.protocol, 17);
    /* "unknown" (an interface an AWS service made) is no account: the scan takes the key's. */
    assert_str(c.ev[1].account, NULL);
    assert_str(c.ev[1].u.flow.account_id, "unknown");
    assert_ip(&c.ev[1].u.flow.src, "::1");
    assert_ip(&c.ev[1].u.flow.dst, "2001:db8::5");
    assert_int_equal(c.ev[1].u.flow.protocol, 58);
    /* The default format is not installed: the 15-field line has no format. */
    assert_int_equal(ctx.flow_fmt.known, 0);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 3);
    assert_int_equal(c.rej[0].kind, CM_EV_FLOW);
    assert_string_equal(c.rej[0].reason,
                        "no header line and 15 fields (the default format has 14; all fields of a "
                        "version 21, 25, 29, 39, 40, 41 or 42)");
    free(buf);
}

/*
 * Header-less lines of all fields of a version, in AWS's order (a custom format that
 * selected every field, delivered to CloudWatch Logs): read by their number of fields
 * when an action and a log status stand as fields 13 and 14; another order of as many
 * fields is rejected, as is a number that is no version's.
 */
static void test_all_fields_without_header(void **state)
{
    static const char text[] =
        /* v5, 29 fields */
        "5 111122223333 eni-9 198.51.100.7 10.0.0.5 40000 22 6 1 40 1741082400 1741082460 "
        "REJECT OK vpc-1 subnet-2 i-0abc 2 IPv4 198.51.100.7 10.0.0.5 us-east-1 use1-az1 - - "
        "- - ingress -\n"
        /* v3, 21 fields, no data */
        "3 111122223333 eni-9 - - - - - - - 1741082400 1741082460 - NODATA vpc-1 subnet-2 "
        "i-0abc - - - -\n"
        /* v8, 40 fields: ECS and the reason */
        "8 111122223333 eni-9 10.0.0.5 52.94.1.1 40001 443 6 10 4000 1741082461 1741082470 "
        "REJECT OK vpc-1 subnet-2 i-0abc 19 IPv4 10.0.0.5 52.94.1.1 us-west-2 usw2-az1 - - - "
        "AMAZON egress 8 arn:aws:ecs:us-west-2:111122223333:cluster/c c "
        "arn:aws:ecs:us-west-2:111122223333:container-instance/c/i-0abc i-0abc 1a2b - svc "
        "arn:aws:ecs:us-west-2:111122223333:task-definition/t:3 "
        "arn:aws:ecs:us-west-2:111122223333:task/c/0f0f 0f0f BPA\n"
        /* 29 fields in another order: no action and log status where AWS's order has them */
        "ingress 198.51.100.7 10.0.0.5 40000 22 6 2 - 198.51.100.7 10.0.0.5 us-east-1 use1-az1 "
        "i-0abc vpc-1 subnet-2 IPv4 - 1741082400 1741082460 111122223333 eni-9 REJECT OK 1 40 "
        "a b c d\n"
        /* 25 fields as gen's v5 custom format: v4's count and first 23, then a direction */
        "5 111122223333 eni-9 198.51.100.7 10.0.0.5 40000 22 6 1 40 1741082400 1741082460 "
        "REJECT OK vpc-1 subnet-2 i-0abc 2 IPv4 198.51.100.7 10.0.0.5 us-east-1 use1-az1 "
        "ingress -\n"
        /* 24 fields: no version's all fields */
        "5 111122223333 eni-9 198.51.100.7 10.0.0.5 40000 22 6 1 40 1741082400 1741082460 "
        "REJECT OK vpc-1 subnet-2 i-0abc 2 IPv4 198.51.100.7 10.0.0.5 us-east-1 use1-az1 x\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_flow *fl;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 3);
    fl = &c.ev[0].u.flow;
    assert_int_equal(fl->version, 5);
    assert_int_equal(fl->direction, CM_FD_INGRESS);
    assert_int_equal(fl->action, CM_FA_REJECT);
    assert_int_equal(fl->tcp_flags, 2);
    assert_ip(&fl->src, "198.51.100.7");
    assert_str(c.ev[0].region, "us-east-1");
    assert_str(fl->instance_id, "i-0abc");
    assert_str(fl->interface_id, "eni-9");
    assert_int_equal(c.ev[0].time_ms, 1741082400000LL);
    fl = &c.ev[1].u.flow;
    assert_int_equal(fl->version, 3);
    assert_str(fl->vpc_id, "vpc-1");
    assert_false(fl->present & (1ULL << CM_FF_REGION));
    fl = &c.ev[2].u.flow;
    assert_int_equal(fl->version, 8);
    assert_int_equal(fl->direction, CM_FD_EGRESS);
    assert_int_equal(fl->traffic_path, 8);
    assert_str(c.ev[2].region, "us-west-2");
    assert_str(cm_flow_field(fl, CM_FF_PKT_DST_AWS_SERVICE), "AMAZON");
    assert_str(cm_flow_field(fl, CM_FF_ECS_SERVICE_NAME), "svc");
    assert_str(cm_flow_field(fl, CM_FF_REJECT_REASON), "BPA");
    assert_int_equal(c.ev[2].src.line, 3);
    /* Nothing was installed: each line chose by its own number of fields. */
    assert_int_equal(ctx.flow_fmt.known, 0);
    assert_int_equal(c.nrej, 3);
    assert_int_equal(c.rej[0].line, 4);
    assert_string_equal(c.rej[0].reason,
                        "no header line and 29 fields, not all fields in AWS's order (field 13 "
                        "is not an action)");
    assert_int_equal(c.rej[1].line, 5);
    assert_string_equal(c.rej[1].reason,
                        "no header line and 25 fields, not all fields in AWS's order (field 24 "
                        "is not a sublocation type)");
    assert_int_equal(c.rej[2].line, 6);
    assert_string_equal(c.rej[2].reason,
                        "no header line and 24 fields (the default format has 14; all fields of "
                        "a version 21, 25, 29, 39, 40, 41 or 42)");
    free(buf);
}

static void test_custom_v5_format(void **state)
{
    static const char text[] =
        "${flow-direction} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
        "${tcp-flags} ${traffic-path} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} "
        "${instance-id} ${vpc-id} ${subnet-id} ${type} ${pkt-src-aws-service} ${start} ${end} "
        "${account-id} ${interface-id} ${action} ${log-status} ${packets} ${bytes}\n"
        "ingress 198.51.100.7 10.0.0.5 40000 22 6 2 - 198.51.100.7 10.0.0.5 us-east-1 use1-az1 "
        "i-0abc vpc-1 subnet-2 IPv4 - 1741082400 1741082460 111122223333 eni-9 REJECT OK 1 40\n"
        "egress 10.0.0.5 52.94.1.1 40001 443 6 19 8 10.0.0.5 52.94.1.1 us-east-1 use1-az1 "
        "i-0abc vpc-1 subnet-2 IPv4 AMAZON - 1741082461 111122223333 eni-9 ACCEPT OK 10 4000\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_flow *fl;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(ctx.flow_fmt.ncols, 25);
    assert_int_equal(ctx.flow_fmt.col[0], CM_FF_FLOW_DIRECTION);
    assert_int_equal(ctx.flow_fmt.col[24], CM_FF_BYTES);

    fl = &c.ev[0].u.flow;
    assert_int_equal(fl->version, 5); /* no version column: the highest field version */
    assert_str(cm_flow_field(fl, CM_FF_VERSION), NULL);
    assert_false(fl->present & (1ULL << CM_FF_VERSION));
    assert_true(fl->present & (1ULL << CM_FF_TRAFFIC_PATH));
    assert_true(fl->present & (1ULL << CM_FF_PKT_SRC_AWS_SERVICE));
    assert_int_equal(fl->direction, CM_FD_INGRESS);
    assert_int_equal(fl->tcp_flags, 2);
    assert_int_equal(fl->traffic_path, -1);
    assert_ip(&fl->pkt_src, "198.51.100.7");
    assert_ip(&fl->pkt_dst, "10.0.0.5");
    assert_str(c.ev[0].region, "us-east-1");
    assert_str(cm_flow_field(fl, CM_FF_AZ_ID), "use1-az1");
    assert_str(fl->instance_id, "i-0abc");
    assert_str(fl->vpc_id, "vpc-1");
    assert_str(fl->subnet_id, "subnet-2");
    assert_str(cm_flow_field(fl, CM_FF_TYPE), "IPv4");
    assert_str(cm_flow_field(fl, CM_FF_PKT_SRC_AWS_SERVICE), NULL);
    assert_str(c.ev[0].account, "111122223333");
    assert_str(fl->interface_id, "eni-9");
    assert_int_equal(fl->action, CM_FA_REJECT);
    assert_int_equal(fl->packets, 1);
    assert_int_equal(fl->bytes, 40);
    assert_int_equal(c.ev[0].time_ms, 1741082400000LL);

    fl = &c.ev[1].u.flow;
    assert_int_equal(fl->direction, CM_FD_EGRESS);
    assert_int_equal(fl->tcp_flags, 19);
    assert_int_equal(fl->traffic_path, 8);
    assert_str(cm_flow_field(fl, CM_FF_PKT_SRC_AWS_SERVICE), "AMAZON");
    /* start is "-": the event time falls back to end. */
    assert_int_equal(fl->start, 0);
    assert_int_equal(c.ev[1].time_ms, 1741082461000LL);
    assert_int_equal(c.ev[1].src.line, 3);
    free(buf);
}

static void test_version_column_and_ecs(void **state)
{
    static const char text[] =
        "version interface-id ecs-cluster-name ecs-task-id reject-reason srcaddr dstaddr start\n"
        "7 eni-1 prod abc123 - 10.0.0.1 10.0.0.2 1700000000\n"
        "- eni-1 prod abc123 BPA 10.0.0.1 10.0.0.2 1700000001\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.ev[0].u.flow.version, 7);
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_ECS_CLUSTER_NAME), "prod");
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_ECS_TASK_ID), "abc123");
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_REJECT_REASON), NULL);
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_REJECT_REASON), "BPA");
    /* version "-": the highest version among the header's fields. */
    assert_int_equal(c.ev[1].u.flow.version, 8);
    assert_str(c.ev[0].account, NULL);
    assert_int_equal(c.ev[0].u.flow.srcport, -1);
    assert_int_equal(c.ev[0].u.flow.protocol, -1);
    free(buf);
}

static void test_multiple_headers_and_unknown_names(void **state)
{
    static const char text[] =
        HDR2 "2 111122223333 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
             "version srcaddr dstaddr future-field start tcp-flags srcaddr\n"
             "3 10.1.1.1 10.2.2.2 whatever 200 18 10.9.9.9\n"
             "3 10.1.1.1 10.2.2.2 whatever 200\n" HDR2
             "2 111122223333 eni-b 10.0.0.3 10.0.0.4 1 2 6 1 1 300 360 ACCEPT OK\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 3);
    assert_str(c.ev[0].u.flow.interface_id, "eni-a");
    /* The second header: an unknown name and a repeated name are ignored columns. */
    assert_int_equal(c.ev[1].u.flow.version, 3);
    assert_ip(&c.ev[1].u.flow.src, "10.1.1.1");
    assert_int_equal(c.ev[1].u.flow.tcp_flags, 18);
    assert_int_equal(c.ev[1].u.flow.present, (1ULL << CM_FF_VERSION) | (1ULL << CM_FF_SRCADDR) |
                                                 (1ULL << CM_FF_DSTADDR) | (1ULL << CM_FF_START) |
                                                 (1ULL << CM_FF_TCP_FLAGS));
    assert_str(c.ev[1].u.flow.interface_id, NULL);
    assert_int_equal(c.ev[1].time_ms, 200000);
    assert_int_equal(c.ev[1].src.line, 4);
    /* Fields from the previous format do not leak into this event. */
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_ACTION), NULL);
    assert_int_equal(c.ev[1].u.flow.action, CM_FA_NONE);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 5);
    assert_string_equal(c.rej[0].reason, "expected 7 fields, got 5");
    /* The third header switches back to the default. */
    assert_str(c.ev[2].u.flow.interface_id, "eni-b");
    assert_int_equal(c.ev[2].src.line, 7);
    assert_int_equal(c.ev[2].u.flow.tcp_flags, -1);
    assert_int_equal(ctx.flow_fmt.ncols, 14);
    free(buf);
}

/* A free-text first column whose value is a field name is data, not a header. */
static void test_field_name_as_value(void **state)
{
    static const char text[] = "ecs-cluster-name srcaddr dstaddr start action\n"
                               "start 10.0.0.1 10.0.0.2 100 ACCEPT\n"
                               "bytes srcaddr dstaddr start action\n"
                               "40 - - 200 REJECT\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 2);
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_ECS_CLUSTER_NAME), "start");
    assert_int_equal(c.ev[0].time_ms, 100000);
    /* "bytes srcaddr dstaddr start action" is all names: a new header. */
    assert_int_equal(ctx.flow_fmt.col[0], CM_FF_BYTES);
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_ECS_CLUSTER_NAME), NULL);
    assert_int_equal(c.ev[1].u.flow.bytes, 40);
    assert_int_equal(c.ev[1].u.flow.action, CM_FA_REJECT);
    free(buf);
}

static void test_nodata_skipdata(void **state)
{
    static const char text[] =
        HDR2 "2 111122223333 eni-1 - - - - - - - 1741082400 1741082459 - NODATA\n"
             "2 111122223333 eni-1 - - - - - - - 1741082460 1741082519 - SKIPDATA\n"
             "2 111122223333 eni-1 - - - - - - - - 1741082519 - SKIPDATA\n"
             "2 111122223333 eni-1 - - - - - - - - - - NODATA\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 4);
    assert_int_equal(c.ev[0].u.flow.status, CM_FS_NODATA);
    assert_int_equal(c.ev[1].u.flow.status, CM_FS_SKIPDATA);
    assert_int_equal(c.ev[1].time_ms, 1741082460000LL);
    assert_int_equal(c.ev[2].time_ms, 1741082519000LL);
    assert_int_equal(c.ev[3].time_ms, 0);
    assert_int_equal(c.ev[3].u.flow.end, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c.ev[i].u.flow.present, (1ULL << 14) - 1);
        assert_str(cm_flow_field(&c.ev[i].u.flow, CM_FF_SRCPORT), NULL);
        assert_int_equal(c.ev[i].u.flow.srcport, -1);
    }
    free(buf);
}

/* The parser reuses one event across lines: nothing from a line may leak into the next. */
/* Header-less default lines, one with "-" fields, then a header: each line in its own format. */
static void test_headerless_then_header(void **state)
{
    static const char text[] =
        "2 111122223333 eni-1 10.0.0.1 10.0.0.2 443 5555 6 10 840 100 160 ACCEPT OK\n"
        "2 111122223333 eni-2 - - - - - - - 200 260 - NODATA\n"
        "2 111122223333 eni-3 10.0.0.3 10.0.0.4 53 5353 17 1 80 300 360 REJECT OK\n"
        "version srcaddr dstaddr start end tcp-flags\n"
        "5 10.0.0.5 10.0.0.6 400 460 2\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_flow *f;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 4);
    for (int i = 0; i < 3; i++) {
        f = &c.ev[i].u.flow;
        assert_int_equal(f->version, 2);
        assert_int_equal(f->present, (1ULL << 14) - 1);
        assert_int_equal(c.ev[i].time_ms, (i + 1) * 100000LL);
    }
    assert_int_equal(c.ev[0].u.flow.srcport, 443);
    f = &c.ev[1].u.flow;
    assert_int_equal(f->srcport, -1);
    assert_int_equal(f->protocol, -1);
    assert_ip(&f->src, NULL);
    assert_str(f->interface_id, "eni-2");
    f = &c.ev[2].u.flow;
    assert_int_equal(f->srcport, 53);
    assert_int_equal(f->protocol, 17);
    assert_ip(&f->src, "10.0.0.3");
    f = &c.ev[3].u.flow;
    assert_int_equal(f->version, 5);
    assert_int_equal(f->tcp_flags, 2);
    assert_int_equal(f->srcport, -1);
    assert_str(f->interface_id, NULL);
    assert_str(cm_flow_field(f, CM_FF_ACCOUNT_ID), NULL);
    assert_ip(&f->src, "10.0.0.5");
    free(buf);
}

static void test_no_leak_between_lines(void **state)
{
    static const char text[] =
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status tcp-flags pkt-srcaddr flow-direction traffic-path\n"
        "5 111122223333 eni-1 10.0.0.1 198.51.100.2 443 50000 6 10 900 1741082400 1741082459 "
        "ACCEPT OK 18 10.0.0.1 egress 8\n"
        "5 111122223333 eni-1 - - - - - - - 1741082460 1741082519 - NODATA - - - -\n"
        "2 111122223333 eni-2 10.0.0.9 10.0.0.1 22 abc 6 1 40 1741082400 1741082459 ACCEPT OK\n"
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status\n"
        "2 111122223333 eni-3 - - - - - - - 1741082520 1741082579 - NODATA\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_flow *f;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 3);
    assert_int_equal(c.nrej, 1);
    f = &c.ev[0].u.flow;
    assert_int_equal(f->srcport, 443);
    assert_int_equal(f->tcp_flags, 18);
    assert_int_equal(f->direction, CM_FD_EGRESS);
    assert_int_equal(f->traffic_path, 8);
    f = &c.ev[1].u.flow;
    assert_int_equal(f->status, CM_FS_NODATA);
    assert_int_equal(f->srcport, -1);
    assert_int_equal(f->protocol, -1);
    assert_int_equal(f->tcp_flags, -1);
    assert_int_equal(f->traffic_path, -1);
    assert_int_equal(f->direction, CM_FD_UNKNOWN);
    assert_int_equal(f->action, CM_FA_NONE);
    assert_true(f->packets == 0 && f->bytes == 0);
    assert_ip(&f->src, NULL);
    assert_ip(&f->pkt_src, NULL);
    assert_str(cm_flow_field(f, CM_FF_TCP_FLAGS), NULL);
    /* After a new header without the v5 fields, they are absent, not stale. */
    f = &c.ev[2].u.flow;
    assert_int_equal(f->present, (1ULL << 14) - 1);
    assert_str(cm_flow_field(f, CM_FF_TCP_FLAGS), NULL);
    assert_str(cm_flow_field(f, CM_FF_FLOW_DIRECTION), NULL);
    assert_int_equal(f->f[CM_FF_TCP_FLAGS].len, 0);
    assert_int_equal(f->f[CM_FF_FLOW_DIRECTION].len, 0);
    assert_int_equal(f->tcp_flags, -1);
    assert_int_equal(f->direction, CM_FD_UNKNOWN);
    assert_str(f->interface_id, "eni-3");
    free(buf);
}

struct reject_case {
    const char *line;
    const char *reason;
};

static void test_reject_reasons(void **state)
{
    static const struct reject_case cases[] = {
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 abc 6 1 1 100 160 ACCEPT OK",
         "field 6 (dstport): not a number: 'abc'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 65536 2 6 1 1 100 160 ACCEPT OK",
         "field 5 (srcport): out of range: '65536'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 -1 2 6 1 1 100 160 ACCEPT OK",
         "field 5 (srcport): not a number: '-1'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 256 1 1 100 160 ACCEPT OK",
         "field 7 (protocol): out of range: '256'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1x 1 100 160 ACCEPT OK",
         "field 8 (packets): not a number: '1x'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 18446744073709551616 100 160 ACCEPT OK",
         "field 9 (bytes): out of range: '18446744073709551616'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 99999999999999 160 ACCEPT OK",
         "field 10 (start): out of range: '99999999999999'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 1.5 ACCEPT OK",
         "field 11 (end): not a number: '1.5'"},
        {"2 1 eni-1 10.0.0.256 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK",
         "field 3 (srcaddr): bad IP address: '10.0.0.256'"},
        {"2 1 eni-1 10.0.0.1 fe80::1%eth0 1 2 6 1 1 100 160 ACCEPT OK",
         "field 4 (dstaddr): bad IP address: 'fe80::1%eth0'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ALLOW OK",
         "field 12 (action): unknown action: 'ALLOW'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 accept OK",
         "field 12 (action): unknown action: 'accept'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT FINE",
         "field 13 (log-status): unknown log-status: 'FINE'"},
        {"x 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK",
         "field 0 (version): not a number: 'x'"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT", "expected 14 fields, got 13"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK OK",
         "expected 14 fields, got 15"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160\x01 ACCEPT OK",
         "control byte 0x01 at column 46"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACC\x7f OK",
         "control byte 0x7f at column 50"},
        {"2 1 eni-\xff 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK", "invalid UTF-8 at column 9"},
        {"2 1 eni-\xc3 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK", "invalid UTF-8 at column 9"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\r\r",
         "control byte 0x0d at column 56"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\0",
         "control byte 0x00 at column 56"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\0 x",
         "control byte 0x00 at column 56"},
        {"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT "
         "OKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         "field 13 (log-status): unknown log-status: "
         "'OKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...'"},
    };
    const char *good = "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n";
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* header, good, bad, good: the bad one is line 3 and parsing goes on. */
        char text[1024];
        size_t n = 0, bad_off;
        struct cm_parse_ctx ctx;
        struct collect c;
        char *buf;
        size_t linelen = strlen(cases[i].line);

        memcpy(text + n, HDR2, strlen(HDR2));
        n += strlen(HDR2);
        memcpy(text + n, good, strlen(good));
        n += strlen(good);
        bad_off = n;
        memcpy(text + n, cases[i].line, linelen);
        n += linelen;
        if (strstr(cases[i].reason, "0x00") != NULL) {
            /* The literal holds a NUL: copy the bytes after it too. */
            const char *tail = cases[i].line + linelen + 1;
            text[n++] = '\0';
            memcpy(text + n, tail, strlen(tail));
            n += strlen(tail);
        }
        text[n++] = '\n';
        memcpy(text + n, good, strlen(good));
        n += strlen(good);

        ctx_setup(&ctx, &c);
        buf = malloc(n);
        assert_non_null(buf);
        memcpy(buf, text, n);
        ctx.line_base = 100;
        ctx.offset_base = 5000;
        assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, n), 0);
        if (c.nrej != 1 || strcmp(c.rej[0].reason, cases[i].reason) != 0) {
            fail_msg("case %zu: got %d rejects, first '%s', want '%s'", i, c.nrej,
                     c.nrej ? c.rej[0].reason : "", cases[i].reason);
        }
        assert_int_equal(c.rej[0].line, 103);
        assert_int_equal(c.rej[0].offset, 5000 + bad_off);
        assert_int_equal(c.rej[0].kind, CM_EV_FLOW);
        assert_int_equal(c.nev, 2);
        assert_int_equal(c.ev[0].src.line, 102);
        assert_int_equal(c.ev[1].src.line, 104);
        assert_int_equal(c.ev[0].src.offset, 5000 + strlen(HDR2));
        free(buf);
    }
}

static void test_number_ranges(void **state)
{
    static const char text[] =
        "version srcport dstport protocol packets bytes start end tcp-flags traffic-path\n"
        "255 0 65535 255 0 18446744073709551615 253402300799 0 511 255\n"
        "256 0 0 0 0 0 0 0 0 0\n"
        "2 0 0 0 0 0 0 0 512 0\n"
        "2 0 0 0 0 0 0 0 0 256\n"
        "2 00080 0 0 0 0 0 0 0 0\n"
        "2 +1 0 0 0 0 0 0 0 0\n"
        "2 0 0 0 0 0 253402300800 0 0 0\n"
        "2 0 0 0 0 00000000000000000000001 0 0 0 0\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 3);
    assert_int_equal(c.ev[0].u.flow.version, 255);
    assert_int_equal(c.ev[0].u.flow.srcport, 0);
    assert_int_equal(c.ev[0].u.flow.dstport, 65535);
    assert_int_equal(c.ev[0].u.flow.protocol, 255);
    assert_int_equal(c.ev[0].u.flow.bytes, UINT64_MAX);
    assert_int_equal(c.ev[0].u.flow.start, 253402300799LL);
    assert_int_equal(c.ev[0].time_ms, 253402300799000LL);
    assert_int_equal(c.ev[0].u.flow.tcp_flags, 511);
    assert_int_equal(c.ev[0].u.flow.traffic_path, 255);
    assert_int_equal(c.ev[1].u.flow.srcport, 80); /* leading zeros are plain decimal */
    assert_int_equal(c.ev[2].u.flow.bytes, 1);    /* 23 digits, but the value is 1 */
    assert_int_equal(c.ev[2].src.line, 9);
    assert_int_equal(c.nrej, 5);
    assert_string_equal(c.rej[0].reason, "field 0 (version): out of range: '256'");
    assert_string_equal(c.rej[1].reason, "field 8 (tcp-flags): out of range: '512'");
    assert_string_equal(c.rej[2].reason, "field 9 (traffic-path): out of range: '256'");
    assert_string_equal(c.rej[3].reason, "field 1 (srcport): not a number: '+1'");
    assert_string_equal(c.rej[4].reason, "field 6 (start): out of range: '253402300800'");
    assert_int_equal(c.rej[0].line, 3);
    assert_int_equal(c.rej[4].line, 8);
    free(buf);
}

static void test_flow_direction_and_bad_header(void **state)
{
    static const char text[] = "srcaddr flow-direction\n"
                               "10.0.0.1 ingress\n"
                               "10.0.0.1 sideways\n"
                               "version srcaddr b@d\n"
                               "10.0.0.1 egress\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.ev[0].u.flow.direction, CM_FD_INGRESS);
    assert_int_equal(c.ev[0].u.flow.version, 5);
    assert_int_equal(c.ev[0].time_ms, 0);
    /* The bad header is rejected and the format before it stays in force. */
    assert_int_equal(c.ev[1].u.flow.direction, CM_FD_EGRESS);
    assert_int_equal(c.ev[1].src.line, 5);
    assert_int_equal(c.nrej, 2);
    assert_string_equal(c.rej[0].reason,
                        "field 1 (flow-direction): unknown flow-direction: 'sideways'");
    assert_string_equal(c.rej[1].reason, "header field 2: not a field name: 'b@d'");
    assert_int_equal(c.rej[1].line, 4);
    free(buf);
}

static void test_too_many_fields(void **state)
{
    char text[4096];
    size_t n = 0;
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    for (int i = 0; i < 70; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i ? " x" : "2");
    }
    text[n++] = '\n';
    for (int i = 0; i < 65; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i ? " srcaddr" : "version");
    }
    text[n++] = '\n';
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", HDR2);
    for (int i = 0; i < 66; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i ? " 1" : "2");
    }
    text[n++] = '\n';
    text[n] = '\0';
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 0);
    assert_int_equal(c.nrej, 3);
    assert_string_equal(c.rej[0].reason,
                        "no header line and more than 64 fields (the default format has 14; all "
                        "fields of a version 21, 25, 29, 39, 40, 41 or 42)");
    assert_string_equal(c.rej[1].reason, "header has more than 64 fields");
    assert_string_equal(c.rej[2].reason, "expected 14 fields, got more than 64");
    assert_int_equal(c.rej[2].line, 4);
    free(buf);

    /* Exactly 64 columns is a valid header (the repeats are ignored columns). */
    n = 0;
    for (int i = 0; i < 64; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i ? " srcaddr" : "version");
    }
    text[n++] = '\n';
    for (int i = 0; i < 64; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i ? " 10.0.0.1" : "3");
    }
    text[n++] = '\n';
    text[n] = '\0';
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 1);
    assert_int_equal(ctx.flow_fmt.ncols, 64);
    assert_int_equal(ctx.flow_fmt.col[63], 0xff);
    assert_ip(&c.ev[0].u.flow.src, "10.0.0.1");
    free(buf);
}

static void test_whitespace_crlf_and_blank_lines(void **state)
{
    static const char text[] =
        "\r\n   \n\t\n" HDR2
        "2  111122223333   eni-1\t10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\r\n"
        "\n"
        "   2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK   \r\n"
        " \t \r\n"
        "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    size_t off2;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 3);
    assert_int_equal(c.ev[0].src.line, 5);
    assert_int_equal(c.ev[1].src.line, 7);
    assert_int_equal(c.ev[2].src.line, 9);
    assert_str(c.ev[0].account, "111122223333");
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_LOG_STATUS), "OK");
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_VERSION), "2");
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_LOG_STATUS), "OK");
    /* The record's length excludes CR and LF. */
    off2 = (size_t)(strstr(text, "   2 111122223333") - text);
    assert_int_equal(c.ev[1].src.offset, off2);
    assert_int_equal(c.ev[1].src.length,
                     strlen("   2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 "
                            "ACCEPT OK   "));
    /* The last line has no newline and ends the buffer. */
    assert_str(cm_flow_field(&c.ev[2].u.flow, CM_FF_LOG_STATUS), "OK");
    assert_int_equal(c.ev[2].src.offset + c.ev[2].src.length, strlen(text));
    free(buf);
}

/* A byte order mark before the header (a file saved by a Windows editor) is stepped
 * over, as the sniffer steps over it: the header still sets the format. Before, the
 * header was taken for a record and every record after it was rejected as having no
 * header line. */
static void test_bom_before_header(void **state)
{
    static const char text[] =
        "\xef\xbb\xbf" HDR2 "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
        "2 111122223333 eni-2 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 REJECT OK\n";
    static const char custom[] = "\xef\xbb\xbf"
                                 "srcaddr dstaddr action\n"
                                 "10.0.0.1 10.0.0.2 ACCEPT\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    assert_true(cm_parser_vpcflow.sniff(text, strlen(text)) > 0);
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.total_rej, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.ev[0].src.line, 2);
    assert_int_equal(c.ev[0].src.offset, 3 + strlen(HDR2));
    assert_str(cm_flow_field(&c.ev[1].u.flow, CM_FF_INTERFACE_ID), "eni-2");
    free(buf);

    buf = parse_text(&ctx, &c, custom, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.total_rej, 0);
    assert_int_equal(c.nev, 1);
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_ACTION), "ACCEPT");
    free(buf);
}

static void test_overlong_line(void **state)
{
    size_t n = strlen(HDR2) + 70000 + 1, at = 0;
    char *text = malloc(n + 200);
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    assert_non_null(text);
    memcpy(text, HDR2, strlen(HDR2));
    at = strlen(HDR2);
    memset(text + at, 'x', 70000);
    at += 70000;
    text[at++] = '\n';
    at += (size_t)snprintf(text + at, 200,
                           "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n");
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 1);
    assert_string_equal(c.rej[0].reason, "line longer than 65535 bytes");
    assert_int_equal(c.rej[0].line, 2);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.ev[0].src.line, 3);
    free(buf);
    free(text);
}

/*
 * The longest line read (65,535 bytes): a field's text is kept as a 16-bit
 * offset and length in its line, and the last field starts near the end.
 * One byte more and the line is rejected.
 */
static void test_longest_line(void **state)
{
    static const char hdr[] = "version interface-id ecs-service-name srcaddr\n";
    const size_t line = 65535, name = line - strlen("7 eni-1  10.0.0.1");
    size_t n = strlen(hdr) + 2 * (line + 2), at;
    char *text = malloc(n);
    struct cm_parse_ctx ctx;
    struct collect c;
    struct cm_str f;
    char *buf;
    int rc;
    (void)state;

    assert_non_null(text);
    at = (size_t)snprintf(text, n, "%s7 eni-1 ", hdr);
    memset(text + at, 's', name);
    at += name;
    at += (size_t)snprintf(text + at, n - at, " 10.0.0.1\n7 eni-2 ");
    memset(text + at, 't', name + 1);
    at += name + 1;
    at += (size_t)snprintf(text + at, n - at, " 10.0.0.2\n");
    assert_int_equal(at, strlen(hdr) + 2 * line + 1 + 2);
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.ev[0].src.length, line);
    f = cm_flow_field(&c.ev[0].u.flow, CM_FF_ECS_SERVICE_NAME);
    assert_int_equal(f.len, name);
    assert_true(f.p[0] == 's' && f.p[name - 1] == 's');
    assert_true(cm_str_eqc(cm_flow_field(&c.ev[0].u.flow, CM_FF_SRCADDR), "10.0.0.1"));
    assert_true(cm_str_eqc(c.ev[0].u.flow.interface_id, "eni-1"));
    assert_int_equal(c.nrej, 1);
    assert_string_equal(c.rej[0].reason, "line longer than 65535 bytes");
    assert_int_equal(c.rej[0].line, 3);
    free(buf);
    free(text);
}

static void test_utf8_field_accepted(void **state)
{
    static const char text[] = "version interface-id ecs-service-name srcaddr\n"
                               "7 eni-1 caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80 10.0.0.1\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 1);
    assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_ECS_SERVICE_NAME),
               "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80");
    free(buf);

    /* Overlong, surrogate and truncated sequences are refused. */
    static const char *bad[] = {"\xc0\xaf",         "\xe0\x80\xaf", "\xed\xa0\x80",
                                "\xf4\x90\x80\x80", "\xf0\x9f\x98", "\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[256];
        snprintf(line, sizeof(line),
                 "version interface-id ecs-service-name srcaddr\n"
                 "7 eni-1 x%s 10.0.0.1\n",
                 bad[i]);
        buf = parse_text(&ctx, &c, line, &rc);
        assert_int_equal(c.nev, 0);
        assert_int_equal(c.nrej, 1);
        assert_string_equal(c.rej[0].reason, "invalid UTF-8 at column 10");
        free(buf);
    }
}

/* Lines whose length sits at the 64-byte block edges, fields spanning blocks. */
static void test_block_edges(void **state)
{
    (void)state;

    for (size_t pad = 0; pad < 140; pad++) {
        char text[512], eni[200];
        size_t n;
        struct cm_parse_ctx ctx;
        struct collect c;
        char *buf;
        int rc;

        memset(eni, 'a', pad);
        eni[pad] = '\0';
        n = (size_t)snprintf(text, sizeof(text),
                             "2 111122223333 eni-%s 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK",
                             eni);
        /* Once with a newline, once ending exactly at the end of the buffer. */
        for (int nl = 0; nl < 2; nl++) {
            text[n] = nl ? '\n' : '\0';
            text[n + 1] = '\0';
            buf = parse_text(&ctx, &c, text, &rc);
            assert_int_equal(rc, 0);
            assert_int_equal(c.nrej, 0);
            assert_int_equal(c.nev, 1);
            assert_int_equal(c.ev[0].u.flow.interface_id.len, pad + 4);
            assert_str(cm_flow_field(&c.ev[0].u.flow, CM_FF_LOG_STATUS), "OK");
            assert_int_equal(c.ev[0].u.flow.end, 160);
            assert_int_equal(c.ev[0].src.length, n);
            free(buf);
        }
    }
}

static void test_stop_from_callback(void **state)
{
    static const char text[] = HDR2 "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
                                    "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
                                    "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    ctx_setup(&ctx, &c);
    c.stop_after = 2;
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), CM_EFULL);
    assert_int_equal(c.total_ev, 2);

    /* No callbacks at all is allowed. */
    memset(&ctx, 0, sizeof(ctx));
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), 0);
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, 0), 0);
    free(buf);
}

static void test_file_id_and_bases(void **state)
{
    static const char text[] = HDR2 "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    ctx_setup(&ctx, &c);
    ctx.file_id = 42;
    ctx.offset_base = 1ULL << 40;
    ctx.line_base = 1000000;
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.ev[0].src.file_id, 42);
    assert_int_equal(c.ev[0].src.offset, (1ULL << 40) + strlen(HDR2));
    assert_int_equal(c.ev[0].src.line, 1000002);
    free(buf);
}

/* Parsing in two chunks split at any newline gives the same events. */
static void test_chunked_equals_whole(void **state)
{
    static const char text[] = "2 1 eni-0 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n" HDR2
                               "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
                               "bad line\n"
                               "version srcaddr start\n"
                               "3 10.1.1.1 200\r\n"
                               "\n"
                               "3 10.1.1.2 201\n";
    struct cm_parse_ctx ctx;
    struct collect whole, part;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    ctx_setup(&ctx, &whole);
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), 0);
    assert_int_equal(whole.nev, 4);
    assert_int_equal(whole.nrej, 1);
    for (size_t cut = 0; cut < len; cut++) {
        uint32_t lines = 0;
        if (buf[cut] != '\n') {
            continue;
        }
        for (size_t i = 0; i <= cut; i++) {
            lines += buf[i] == '\n';
        }
        ctx_setup(&ctx, &part);
        assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, cut + 1), 0);
        ctx.offset_base = cut + 1;
        ctx.line_base = lines;
        assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf + cut + 1, len - cut - 1), 0);
        assert_int_equal(part.nev, whole.nev);
        assert_int_equal(part.nrej, whole.nrej);
        for (int i = 0; i < whole.nev; i++) {
            assert_int_equal(part.ev[i].src.offset, whole.ev[i].src.offset);
            assert_int_equal(part.ev[i].src.line, whole.ev[i].src.line);
            assert_int_equal(part.ev[i].time_ms, whole.ev[i].time_ms);
            assert_int_equal(part.ev[i].u.flow.version, whole.ev[i].u.flow.version);
            assert_true(cm_ip_eq(&part.ev[i].u.flow.src, &whole.ev[i].u.flow.src));
        }
        assert_int_equal(part.rej[0].line, whole.rej[0].line);
        assert_int_equal(part.rej[0].offset, whole.rej[0].offset);
    }
    free(buf);
}

static int sniff(const char *text)
{
    size_t len;
    char *buf = dup_exact(text, &len);
    int s = cm_parser_vpcflow.sniff(buf, len);
    free(buf);
    return s;
}

/*
 * Transit Gateway flow logs share the vpcflowlogs/ prefix: their records
 * (a header with resource-type and tgw-* fields, or a header-less line whose
 * second field is "TransitGateway") are skipped by name, not analysed.
 */
#define TGW_HDR                                                                                    \
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id "            \
    "tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id "    \
    "tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr "  \
    "srcport dstport protocol packets bytes start end log-status type packets-lost-no-route "      \
    "packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region "  \
    "flow-direction pkt-src-aws-service pkt-dst-aws-service\n"
#define TGW_REC                                                                                    \
    "6 TransitGateway 111122223333 tgw-0a1b2c3d4e5f60001 tgw-attach-0a1b2c3d4e5f60001 "            \
    "111122223333 111122223333 vpc-0a1b2c3d4e5f60001 vpc-0a1b2c3d4e5f60002 "                       \
    "subnet-0a1b2c3d4e5f60001 subnet-0a1b2c3d4e5f60002 eni-0a1b2c3d4e5f60001 "                     \
    "eni-0a1b2c3d4e5f60002 use2-az3 use2-az3 tgw-attach-0a1b2c3d4e5f60002 10.0.1.5 10.0.2.9 "      \
    "49152 22 6 10 840 1741082400 1741082459 OK IPv4 0 0 0 0 2 us-east-2 egress - -\n"

static void test_transit_gateway(void **state)
{
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;

    (void)state;
    buf = parse_text(&ctx, &c, TGW_HDR TGW_REC TGW_REC, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.total_ev + c.total_rej, 0);
    assert_int_equal(c.nskip, 2);
    assert_string_equal(c.skip, "Transit Gateway flow log");
    free(buf);
    /* Fewer fields than the default: still a header (its tgw-* names count), still skipped. */
    buf = parse_text(&ctx, &c,
                     "tgw-id tgw-attachment-id resource-type srcaddr dstaddr\n"
                     "tgw-0a1 tgw-attach-0a1 TransitGateway 10.0.1.5 10.0.2.9\n",
                     &rc);
    assert_int_equal(c.total_ev + c.total_rej, 0);
    assert_int_equal(c.nskip, 1);
    free(buf);
    assert_true(sniff("tgw-id tgw-attachment-id resource-type srcaddr dstaddr\n") >= 80);
    /* Header-less (CloudWatch Logs) after an interface's records: those read, this skipped. */
    buf = parse_text(&ctx, &c,
                     "2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
                     "1741082400 1741082459 REJECT OK\n" TGW_REC,
                     &rc);
    assert_int_equal(c.total_ev, 1);
    assert_int_equal(c.total_rej, 0);
    assert_int_equal(c.nskip, 1);
    free(buf);
    /* After a Transit Gateway's header, a line of another shape is still a reject. */
    buf = parse_text(&ctx, &c,
                     TGW_HDR TGW_REC
                     "2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
                     "1741082400 1741082459 REJECT OK\ngarbage line here\n",
                     &rc);
    assert_int_equal(c.total_ev, 0);
    assert_int_equal(c.nskip, 1);
    assert_int_equal(c.total_rej, 2);
    assert_non_null(strstr(c.rej[0].reason, "expected 36 fields, got 14"));
    free(buf);
    /* Values that begin like a field ("tgw-0a1b") are values: the records stay records. */
    buf = parse_text(&ctx, &c,
                     "tgw-id tgw-attachment-id tgw-pair-attachment-id srcaddr dstaddr packets\n"
                     "tgw-0a1b2c tgw-attach-0a1 tgw-attach-0a2 10.0.1.5 10.0.2.9 10\n"
                     "tgw-0a1b2c tgw-attach-0a1 tgw-attach-0a2 10.0.1.5 10.0.2.9 12\n",
                     &rc);
    assert_int_equal(c.total_ev + c.total_rej, 0);
    assert_int_equal(c.nskip, 2);
    free(buf);
    /* A VPC flow log with a header is not a Transit Gateway's. */
    buf = parse_text(&ctx, &c,
                     HDR2 "2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 "
                          "4 240 1741082400 1741082459 REJECT OK\n",
                     &rc);
    assert_int_equal(c.total_ev, 1);
    assert_int_equal(c.nskip, 0);
    free(buf);
}

static void test_sniff(void **state)
{
    (void)state;

    assert_true(sniff(HDR2) >= 90);
    assert_true(sniff(HDR2 "2 1 eni-1 ...") >= 90);
    assert_true(sniff("\xef\xbb\xbf\r\n" HDR2) >= 90);
    assert_true(sniff("${version} ${account-id} ${interface-id} ${srcaddr}\n") >= 90);
    assert_true(sniff("srcaddr dstaddr tcp-flags flow-direction\n") >= 90);
    /* A header cut by the end of the sniff window. */
    assert_true(sniff("version account-id interface-id srcaddr dstaddr srcp") >= 90);
    /* An unknown future field does not make a header unrecognisable. */
    assert_true(sniff("version account-id interface-id next-hop-id srcaddr\n") >= 50);
    assert_true(sniff("2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 "
                      "4 240 1741082400 1741082459 REJECT OK\n") >= 90);
    assert_true(sniff("2 unknown eni-0123456789abcdef0 - - - - - - - 1741082400 1741082459 - "
                      "NODATA\n") >= 90);
    /* All fields of v5, header-less, in AWS's order (CloudWatch Logs); not another order. */
    assert_true(sniff("5 111122223333 eni-9 198.51.100.7 10.0.0.5 40000 22 6 1 40 1741082400 "
                      "1741082460 REJECT OK vpc-1 subnet-2 i-0abc 2 IPv4 198.51.100.7 10.0.0.5 "
                      "us-east-1 use1-az1 - - - - ingress -\n") >= 90);
    assert_int_equal(sniff("ingress 198.51.100.7 10.0.0.5 40000 22 6 2 - 198.51.100.7 10.0.0.5 "
                           "us-east-1 use1-az1 i-0abc vpc-1 subnet-2 IPv4 - 1741082400 1741082460 "
                           "111122223333 eni-9 REJECT OK 1 40 a b c d\n"),
                     0);

    assert_int_equal(sniff(""), 0);
    assert_int_equal(sniff("\n\n  \n"), 0);
    assert_int_equal(sniff("{\"Records\":[{\"eventVersion\":\"1.08\"}]}"), 0);
    assert_int_equal(sniff("{\"version\":\"1.100000\",\"account_id\":\"1\",\"query_name\":\"a.\"}"),
                     0);
    assert_int_equal(sniff("hello world this is text\n"), 0);
    assert_int_equal(sniff("version\n"), 0);
    assert_int_equal(sniff("2 111122223333 i-123 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
                           "1741082400 1741082459 REJECT OK\n"),
                     0);
    assert_int_equal(sniff("2 1111 eni-1 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
                           "1741082400 1741082459 REJECT OK\n"),
                     0);
    assert_int_equal(cm_parser_vpcflow.sniff(NULL, 0), 0);
    assert_string_equal(cm_parser_vpcflow.name, "vpcflow");
    assert_int_equal(cm_parser_vpcflow.kind, CM_EV_FLOW);
}

static void test_field_helpers(void **state)
{
    struct cm_flow_format fmt;
    (void)state;

    for (int i = 0; i < CM_FF_COUNT; i++) {
        const char *name = cm_flow_field_name((enum cm_flow_field)i);
        char braced[64];
        assert_non_null(name);
        assert_int_equal(cm_flow_field_by_name(cm_str_cstr(name)), i);
        snprintf(braced, sizeof(braced), "${%s}", name);
        assert_int_equal(cm_flow_field_by_name(cm_str_cstr(braced)), i);
    }
    assert_string_equal(cm_flow_field_name(CM_FF_LOG_STATUS), "log-status");
    assert_string_equal(cm_flow_field_name(CM_FF_PKT_DST_AWS_SERVICE), "pkt-dst-aws-service");
    assert_string_equal(cm_flow_field_name(CM_FF_ECS_CONTAINER_INSTANCE_ARN),
                        "ecs-container-instance-arn");
    assert_null(cm_flow_field_name(CM_FF_COUNT));
    assert_null(cm_flow_field_name((enum cm_flow_field) - 1));
    assert_int_equal(cm_flow_field_by_name(cm_str_cstr("srcAddr")), -1);
    assert_int_equal(cm_flow_field_by_name(cm_str_cstr("${srcaddr")), -1);
    assert_int_equal(cm_flow_field_by_name(cm_str_cstr("${}")), -1);
    assert_int_equal(cm_flow_field_by_name(cm_str_cstr("")), -1);
    assert_int_equal(cm_flow_field_by_name(CM_STR_NULL), -1);
    assert_int_equal(cm_flow_field_by_name(cm_str_make("srcaddrx", 7)), CM_FF_SRCADDR);

    memset(&fmt, 0xaa, sizeof(fmt));
    cm_flow_format_default(&fmt);
    assert_int_equal(fmt.known, 1);
    assert_int_equal(fmt.ncols, 14);
    for (int i = 0; i < 14; i++) {
        assert_int_equal(fmt.col[i], i);
    }
    assert_int_equal(fmt.col[14], 0);
}

/* A caller that installs the default format up front gets strict field counts. */
static void test_preset_default_format(void **state)
{
    static const char text[] = "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"
                               "3 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK 18\n";
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    ctx_setup(&ctx, &c);
    cm_flow_format_default(&ctx.flow_fmt);
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.nrej, 1);
    assert_string_equal(c.rej[0].reason, "expected 14 fields, got 15");
    free(buf);
}

#define CWL_TIME "2026-01-05T00:00:07.000Z " /* a CloudWatch Logs export's prefix */

static bool same_field(struct cm_str a, struct cm_str b)
{
    return (a.p == NULL) == (b.p == NULL) && a.len == b.len &&
           (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Two flow events read from different buffers hold the same values. */
static void assert_same_flow(const struct cm_event *a, const struct cm_event *b)
{
    const struct cm_flow *x = &a->u.flow, *y = &b->u.flow;

    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->time_ms, b->time_ms);
    assert_int_equal(a->src.length, b->src.length);
    assert_true(same_field(a->account, b->account));
    assert_int_equal(x->present, y->present);
    for (int i = 0; i < CM_FF_COUNT; i++) {
        assert_true(same_field(cm_flow_field(x, (enum cm_flow_field)i),
                               cm_flow_field(y, (enum cm_flow_field)i)));
    }
    assert_int_equal(x->version, y->version);
    assert_memory_equal(&x->src, &y->src, sizeof(x->src));
    assert_memory_equal(&x->dst, &y->dst, sizeof(x->dst));
    assert_int_equal(x->srcport, y->srcport);
    assert_int_equal(x->dstport, y->dstport);
    assert_int_equal(x->protocol, y->protocol);
    assert_int_equal(x->packets, y->packets);
    assert_int_equal(x->bytes, y->bytes);
    assert_int_equal(x->start, y->start);
    assert_int_equal(x->end, y->end);
    assert_int_equal(x->action, y->action);
    assert_int_equal(x->status, y->status);
}

/*
 * An export task's "<time> <record>" lines read as the records alone, each at
 * its offset after the time; a time that is no time is not skipped, and a
 * record's own first field is never taken for one.
 */
static void test_cwl_export_prefix(void **state)
{
    static const char *const lines[] = {
        "2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 6 4 240 "
        "1741082400 1741082459 REJECT OK",
        "2 111122223333 eni-0123456789abcdef0 2001:db8::5 10.0.1.14 0 0 58 3 300 1741082400 "
        "1741082459 ACCEPT OK",
        "2 111122223333 eni-0123456789abcdef0 - - - - - - - 1741082400 1741082459 - NODATA",
    };
    char plain[1024], text[1024];
    size_t np = 0, nt = 0, at[4];
    struct cm_parse_ctx ctx;
    struct collect c, c2;
    char *buf, *buf2;
    int rc;
    (void)state;

    for (size_t k = 0; k < 3; k++) {
        np += (size_t)snprintf(plain + np, sizeof(plain) - np, "%s\n", lines[k]);
        at[k] = nt;
        nt += (size_t)snprintf(text + nt, sizeof(text) - nt, "%s%s%s", CWL_TIME, lines[k],
                               k == 1 ? "\r\n" : "\n");
    }
    /* A time that is no time: the line keeps its 15 fields. */
    at[3] = nt;
    snprintf(text + nt, sizeof(text) - nt, "2026-13-05T00:00:07.000Z %s\n", lines[0]);

    buf2 = parse_text(&ctx, &c2, plain, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c2.nev, 3);
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 3);
    for (int k = 0; k < 3; k++) {
        assert_same_flow(&c.ev[k], &c2.ev[k]);
        assert_int_equal(c.ev[k].src.offset, at[k] + 25);
        assert_int_equal(c.ev[k].src.length, strlen(lines[k]));
        assert_int_equal(c.ev[k].src.line, k + 1);
    }
    assert_int_equal(c.ev[0].u.flow.dstport, 22);
    assert_ip(&c.ev[1].u.flow.src, "2001:db8::5");
    assert_int_equal(c.ev[2].u.flow.status, CM_FS_NODATA);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 4);
    assert_int_equal(c.rej[0].offset, at[3]);
    assert_string_equal(c.rej[0].reason,
                        "no header line and 15 fields (the default format has 14; all fields of a "
                        "version 21, 25, 29, 39, 40, 41 or 42)");
    free(buf);

    /* In a later chunk, with a header's format in force. */
    snprintf(text, sizeof(text), "%s%s%s\n", HDR2, CWL_TIME, lines[1]);
    buf = parse_text(&ctx, &c, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 1);
    ctx.offset_base = 1000;
    ctx.line_base = 10;
    c.nev = 0;
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf + strlen(HDR2), strlen(text) - strlen(HDR2)),
                     0);
    assert_int_equal(c.nev, 1);
    assert_same_flow(&c.ev[0], &c2.ev[1]);
    assert_int_equal(c.ev[0].src.offset, 1025);
    assert_int_equal(c.ev[0].src.line, 11);
    assert_int_equal(c.nrej, 0);
    free(buf);
    free(buf2);

    /* A plain default-format line starts with its version: nothing is skipped. */
    buf = parse_text(&ctx, &c,
                     "2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 1 100 160 ACCEPT OK\n", &rc);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.ev[0].src.offset, 0);
    assert_int_equal(c.ev[0].src.length, 67);
    assert_str(c.ev[0].account, "123456789012");
    free(buf);

    /* Sniffing looks past the time. */
    snprintf(text, sizeof(text), "%s%s\n", CWL_TIME, lines[0]);
    assert_true(sniff(text) >= 90);
    buf = dup_exact(text, &np);
    assert_ptr_equal(cm_parse_sniff(buf, np), &cm_parser_vpcflow);
    free(buf);
    snprintf(text, sizeof(text), "\xef\xbb\xbf\r\n%s%s\n", CWL_TIME, lines[2]);
    buf = dup_exact(text, &np);
    assert_ptr_equal(cm_parse_sniff(buf, np), &cm_parser_vpcflow);
    free(buf);
}

/* Reads a whole file, gunzipping *.gz; returns a malloc'd buffer or NULL. */
static char *read_log(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    size_t cap = 1 << 20, n = 0;
    char *buf;

    if (gz == NULL) {
        return NULL;
    }
    buf = malloc(cap);
    for (;;) {
        int k;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        assert_non_null(buf);
        k = gzread(gz, buf + n, (unsigned)(cap - n));
        if (k <= 0) {
            break;
        }
        n += (size_t)k;
    }
    gzclose(gz);
    *len = n;
    return buf;
}

struct count_only {
    long ev, rej;
};

static int count_event(void *ud, struct cm_event *ev)
{
    struct count_only *c = ud;
    (void)ev;
    c->ev++;
    return 0;
}

static void count_reject(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                         const char *reason)
{
    struct count_only *c = ud;
    (void)kind;
    (void)offset;
    if (c->rej++ < 5) {
        print_message("reject line %u: %s\n", line, reason);
    }
}

static void test_shared_data(void **state)
{
    const char *shared = getenv("SHARED");
    char dir[1024];
    DIR *d;
    struct dirent *de;
    int files = 0;
    (void)state;

    snprintf(dir, sizeof(dir), "%s/data/derived-vpcflow", shared ? shared : "../shared");
    d = opendir(dir);
    if (d == NULL) {
        skip();
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[2048];
        struct cm_parse_ctx ctx;
        struct count_only c = {0, 0};
        size_t len = 0, lines = 0, headers = 0;
        char *buf;

        if (strstr(de->d_name, ".log") == NULL) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        buf = read_log(path, &len);
        assert_non_null(buf);
        for (size_t i = 0; i < len; i++) {
            if (buf[i] == '\n') {
                lines++;
                if (i + 8 < len && memcmp(buf + i + 1, "version ", 8) == 0) {
                    headers++;
                }
            }
        }
        if (len >= 8 && memcmp(buf, "version ", 8) == 0) {
            headers++;
        }
        if (len > 0 && buf[len - 1] != '\n') {
            lines++;
        }
        assert_true(cm_parser_vpcflow.sniff(buf, len < 4096 ? len : 4096) >= 90);
        memset(&ctx, 0, sizeof(ctx));
        ctx.on_event = count_event;
        ctx.on_reject = count_reject;
        ctx.ud = &c;
        assert_int_equal(cm_parser_vpcflow.parse(&ctx, buf, len), 0);
        if (c.rej != 0 || (size_t)c.ev != lines - headers) {
            fail_msg("%s: %ld events, %ld rejects, %zu lines, %zu headers", de->d_name, c.ev, c.rej,
                     lines, headers);
        }
        files++;
        free(buf);
    }
    closedir(d);
    assert_true(files > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_with_header),
        cmocka_unit_test(test_default_without_header),
        cmocka_unit_test(test_all_fields_without_header),
        cmocka_unit_test(test_headerless_then_header),
        cmocka_unit_test(test_custom_v5_format),
        cmocka_unit_test(test_version_column_and_ecs),
        cmocka_unit_test(test_multiple_headers_and_unknown_names),
        cmocka_unit_test(test_field_name_as_value),
        cmocka_unit_test(test_nodata_skipdata),
        cmocka_unit_test(test_no_leak_between_lines),
        cmocka_unit_test(test_reject_reasons),
        cmocka_unit_test(test_number_ranges),
        cmocka_unit_test(test_flow_direction_and_bad_header),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_whitespace_crlf_and_blank_lines),
        cmocka_unit_test(test_bom_before_header),
        cmocka_unit_test(test_overlong_line),
        cmocka_unit_test(test_longest_line),
        cmocka_unit_test(test_utf8_field_accepted),
        cmocka_unit_test(test_block_edges),
        cmocka_unit_test(test_stop_from_callback),
        cmocka_unit_test(test_file_id_and_bases),
        cmocka_unit_test(test_chunked_equals_whole),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_transit_gateway),
        cmocka_unit_test(test_field_helpers),
        cmocka_unit_test(test_preset_default_format),
        cmocka_unit_test(test_cwl_export_prefix),
        cmocka_unit_test(test_shared_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
