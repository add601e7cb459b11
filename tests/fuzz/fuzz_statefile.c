/*
 * libFuzzer target for checkpoints: cm_engine_load over every built-in
 * detector (each detector's load and its codecs' checks), the input being
 * one shard's part of a state file (src/core/statefile.c adds a header, the
 * name table and a CRC around it; tests/fuzz/corpus/fuzz_statefile holds
 * parts saved by real scans).
 *
 * A load that succeeds must leave every detector safe to run: the target
 * then feeds CloudTrail, VPC flow and Resolver records (made by hand) through
 * the real parsers, saves, loads that into a second engine, and saves again:
 * the two saves must be byte-identical (a load keeps everything a save
 * wrote). Evidence references are checked the way the state file does:
 * file ids must be below 16.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static const char ct_text[] =
    "{\"Records\":[{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
    "\"principalId\":\"AIDAFUZZ\",\"arn\":\"arn:aws:iam::111122223333:user/fuzz\","
    "\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIAFUZZFUZZFUZZ\",\"userName\":\"fuzz\"},"
    "\"eventTime\":\"2026-01-05T00:10:00Z\",\"eventSource\":\"iam.amazonaws.com\","
    "\"eventName\":\"ListUsers\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\","
    "\"userAgent\":\"aws-cli/2.15.0 Python/3.11\",\"requestParameters\":null,"
    "\"responseElements\":null,\"eventID\":\"e1\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
    "\"managementEvent\":true,\"recipientAccountId\":\"111122223333\"},"
    "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
    "\"principalId\":\"AIDAFUZZ\",\"arn\":\"arn:aws:iam::111122223333:user/fuzz\","
    "\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIAFUZZFUZZFUZZ\",\"userName\":\"fuzz\"},"
    "\"eventTime\":\"2026-01-05T00:11:00Z\",\"eventSource\":\"s3.amazonaws.com\","
    "\"eventName\":\"GetObject\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"203.0.113.9\","
    "\"userAgent\":\"Boto3/1.26.90\",\"requestParameters\":{\"bucketName\":\"b\",\"key\":\"k\"},"
    "\"responseElements\":null,\"eventID\":\"e2\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
    "\"managementEvent\":false,\"eventCategory\":\"Data\",\"recipientAccountId\":\"111122223333\"},"
    "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
    "\"principalId\":\"AIDAFUZZ\",\"arn\":\"arn:aws:iam::111122223333:user/fuzz\","
    "\"accountId\":\"111122223333\",\"userName\":\"fuzz\"},"
    "\"eventTime\":\"2026-01-05T00:12:00Z\",\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"192.0.2.1\","
    "\"userAgent\":\"Mozilla/5.0\",\"requestParameters\":null,"
    "\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"eventID\":\"e3\","
    "\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":\"111122223333\"}]}";

static const char flow_text[] =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start "
    "end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr "
    "region az-id flow-direction traffic-path\n"
    "5 111122223333 eni-0fuzz 10.0.0.5 198.51.100.7 443 34883 6 38 15048 1767571900 1767571905 "
    "ACCEPT OK vpc-1 subnet-1 i-0fuzz 27 IPv4 10.0.0.5 198.51.100.7 us-east-1 use1-az1 egress 8\n"
    "5 111122223333 eni-0fuzz 203.0.113.9 10.0.0.5 51000 22 6 3 180 1767571910 1767571912 "
    "REJECT OK vpc-1 subnet-1 i-0fuzz 2 IPv4 203.0.113.9 10.0.0.5 us-east-1 use1-az1 ingress -\n";

static const char dns_text[] =
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","
    "\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-01-05T00:13:00Z\","
    "\"query_name\":\"x7kq2mz9vbw4.example.com.\",\"query_type\":\"TXT\",\"query_class\":\"IN\","
    "\"rcode\":\"NXDOMAIN\",\"answers\":[],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\","
    "\"transport\":\"UDP\",\"srcids\":{\"instance\":\"i-0fuzz\"}}\n"
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","
    "\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-01-05T00:13:01Z\","
    "\"query_name\":\"rebind.example.net.\",\"query_type\":\"A\",\"query_class\":\"IN\","
    "\"rcode\":\"NOERROR\",\"answers\":[{\"Rdata\":\"169.254.169.254\",\"Type\":\"A\","
    "\"Class\":\"IN\"}],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\",\"transport\":\"UDP\","
    "\"srcids\":{\"instance\":\"i-0fuzz\"}}\n";

static int count_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    (void)d;
    (*(unsigned long *)sink->ud)++;
    return 0;
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct cm_sink *sink = ((void **)ud)[1];

    return cm_engine_event(((void **)ud)[0], ev, sink);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud, (void)kind, (void)off, (void)line, (void)reason;
    abort(); /* the records above are valid */
}

static void feed(struct cm_engine *e, struct cm_sink *sink, const char *parser, const char *text)
{
    const struct cm_parser *ps = cm_parser_by_name(parser);
    void *ud[2] = {e, sink};
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    check(ps != NULL);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = ud;
    check(ps->parse(&ctx, text, strlen(text)) == 0);
    cm_json_doc_finish(&doc);
}

static int ref_ok(void *ud, struct cm_src_ref *r)
{
    (void)ud;
    return r->file_id < 16 ? 0 : CM_EINVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_detect_opts o = {.lateness_ms = 60000};
    struct cm_engine *e = NULL, *f = NULL;
    struct cm_ckpt_r r;
    struct cm_ckpt_w w1, w2;
    unsigned long n = 0;
    struct cm_sink sink = {count_emit, &n};
    char dropped[256];
    uint8_t *copy = malloc(size ? size : 1);

    check(copy != NULL);
    if (size) {
        memcpy(copy, data, size); /* exact size: a read past the end is caught */
    }
    check(cm_engine_create(&e, cm_detectors(), &o) == 0);
    cm_ckpt_r_init(&r, copy, size);
    r.ref = ref_ok;
    if (cm_engine_load(e, &r, dropped, sizeof(dropped)) != 0) {
        check(r.err != 0 && r.err_off <= size);
        goto out;
    }
    check(r.off <= size);
    feed(e, &sink, "cloudtrail", ct_text);
    feed(e, &sink, "vpcflow", flow_text);
    feed(e, &sink, "dns", dns_text);

    cm_ckpt_w_init(&w1, 0);
    check(cm_engine_save(e, &w1) == 0);
    check(cm_engine_create(&f, cm_detectors(), &o) == 0);
    cm_ckpt_r_init(&r, w1.buf.p, w1.buf.len);
    check(cm_engine_load(f, &r, NULL, 0) == 0 && r.off == w1.buf.len);
    cm_ckpt_w_init(&w2, 0);
    check(cm_engine_save(f, &w2) == 0);
    check(w1.buf.len == w2.buf.len && memcmp(w1.buf.p, w2.buf.p, w1.buf.len) == 0);
    check(cm_engine_flush(f, &sink) == 0);
    cm_ckpt_w_finish(&w1);
    cm_ckpt_w_finish(&w2);
    cm_engine_destroy(f);
    check(cm_engine_flush(e, &sink) == 0);
out:
    cm_engine_destroy(e);
    free(copy);
    return 0;
}
