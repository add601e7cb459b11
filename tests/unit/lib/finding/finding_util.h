/*
 * Test helpers for lib/finding: synthetic events of each kind (CloudTrail,
 * VPC flow, Route 53 Resolver query), a sample finding of any type built
 * through the real builder, and whole-file reading. Header-only: each test
 * includes it once.
 */
#ifndef TESTS_FINDING_UTIL_H
#define TESTS_FINDING_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ip.h"
#include "base/json.h"
#include "event/event.h"
#include "event/finding.h"
#include "finding/finding.h"
#include "finding/serialize.h"

#define T_ACCOUNT  "111122223333"
#define T_REGION   "us-east-1"
#define T_DETECTOR "12abc34d567e8fa901bc2d34e56789f0"
#define T_NOW      1741083911234LL /* 2025-03-04T10:25:11.234Z */
#define T_EVTIME   1741082400000LL /* 2025-03-04T10:00:00.000Z */

struct t_events {
    struct cm_json_doc doc; /* requestParameters of the CloudTrail event */
    struct cm_event ct, flow, dns;
};

static const char t_params[] = "{\"bucketName\":\"example-data-bucket\"}";

static inline void t_ip(struct cm_ip *ip, const char *s)
{
    if (cm_ip_parse(cm_str_cstr(s), ip) != 0) {
        abort();
    }
}

static inline void t_events_init(struct t_events *e)
{
    memset(e, 0, sizeof(*e));
    cm_json_doc_init(&e->doc, 0, 0);
    if (cm_json_parse(&e->doc, t_params, strlen(t_params), NULL) != 0) {
        abort();
    }
    e->ct.kind = CM_EV_CLOUDTRAIL;
    e->ct.time_ms = T_EVTIME;
    e->ct.account = CM_STR_LIT(T_ACCOUNT);
    e->ct.region = CM_STR_LIT(T_REGION);
    e->ct.src = (struct cm_src_ref){.file_id = 1, .line = 7, .offset = 4096, .length = 900};
    e->ct.u.ct.doc = &e->doc;
    e->ct.u.ct.request_parameters = 0;
    e->ct.u.ct.event_name = CM_STR_LIT("PutBucketPublicAccessBlock");
    e->ct.u.ct.event_source = CM_STR_LIT("s3.amazonaws.com");
    e->ct.u.ct.source_ip_address = CM_STR_LIT("198.51.100.7");
    t_ip(&e->ct.u.ct.source_ip, "198.51.100.7");
    e->ct.u.ct.user_agent = CM_STR_LIT("aws-cli/2.15.30 Python/3.11.8");
    e->ct.u.ct.uid.type = CM_UID_IAMUSER;
    e->ct.u.ct.uid.type_name = CM_STR_LIT("IAMUser");
    e->ct.u.ct.uid.access_key_id = CM_STR_LIT("AKIAIOSFODNN7EXAMPLE");
    e->ct.u.ct.uid.principal_id = CM_STR_LIT("AIDAJQABLZS4A3QDU576Q");
    e->ct.u.ct.uid.user_name = CM_STR_LIT("ci-deploy");
    e->ct.u.ct.uid.account_id = CM_STR_LIT(T_ACCOUNT);

    e->flow.kind = CM_EV_FLOW;
    e->flow.time_ms = T_EVTIME;
    e->flow.account = CM_STR_LIT(T_ACCOUNT);
    e->flow.region = CM_STR_LIT(T_REGION);
    e->flow.src = (struct cm_src_ref){.file_id = 2, .line = 12, .offset = 777, .length = 120};
    e->flow.u.flow.interface_id = CM_STR_LIT("eni-0123456789abcdef0");
    e->flow.u.flow.instance_id = CM_STR_LIT("i-0a1b2c3d4e5f60718");
    e->flow.u.flow.vpc_id = CM_STR_LIT("vpc-0123456789abcdef0");
    e->flow.u.flow.subnet_id = CM_STR_LIT("subnet-0123456789abcdef0");
    t_ip(&e->flow.u.flow.src, "198.51.100.7");
    t_ip(&e->flow.u.flow.dst, "10.0.1.14");
    e->flow.u.flow.srcport = 50242;
    e->flow.u.flow.dstport = 22;
    e->flow.u.flow.protocol = 6;
    e->flow.u.flow.action = CM_FA_ACCEPT;

    e->dns.kind = CM_EV_DNS;
    e->dns.time_ms = T_EVTIME;
    e->dns.account = CM_STR_LIT(T_ACCOUNT);
    e->dns.region = CM_STR_LIT(T_REGION);
    e->dns.src = (struct cm_src_ref){.file_id = 3, .line = 1, .offset = 0, .length = 400};
    e->dns.u.dns.account_id = CM_STR_LIT(T_ACCOUNT);
    e->dns.u.dns.vpc_id = CM_STR_LIT("vpc-0123456789abcdef0");
    e->dns.u.dns.query_name = CM_STR_LIT("pool.minergate.com.");
    e->dns.u.dns.transport = CM_STR_LIT("UDP");
    e->dns.u.dns.srcid_instance = CM_STR_LIT("i-0a1b2c3d4e5f60718");
    t_ip(&e->dns.u.dns.src_ip, "10.0.1.14");
}

static inline void t_events_finish(struct t_events *e)
{
    cm_json_doc_finish(&e->doc);
}

static inline const char *t_file_name(void *ud, uint32_t id)
{
    static const char *const names[] = {
        "none", "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04/ct.json.gz", "flows.log.gz",
        "resolver.jsonl"};
    (void)ud;
    return id < 4 ? names[id] : NULL;
}

static inline struct cm_finding_ctx t_ctx(void)
{
    struct cm_finding_ctx c;

    memset(&c, 0, sizeof(c));
    c.detector_id = T_DETECTOR;
    c.now_ms = T_NOW;
    c.file_name = t_file_name;
    return c;
}

/* The synthetic event that fits a type's action. */
static inline const struct cm_event *t_event_for(const struct t_events *e, const char *type)
{
    const struct cm_finding_type_info *ti = cm_finding_type_info(type);

    if (ti == NULL || ti->action == CM_ACT_AWS_API_CALL) {
        return &e->ct;
    }
    return ti->action == CM_ACT_DNS_REQUEST ? &e->dns : &e->flow;
}

static inline struct cm_detection t_detection(const char *type, const struct cm_event *ev)
{
    struct cm_detection d;

    memset(&d, 0, sizeof(d));
    d.type = type;
    d.account = CM_STR_LIT(T_ACCOUNT);
    d.region = CM_STR_LIT(T_REGION);
    d.time_ms = T_EVTIME + 60000;
    d.first_ms = T_EVTIME;
    d.count = 3;
    d.event = ev;
    d.nevidence = 1;
    d.evidence[0] = ev->src;
    return d;
}

/* Builds a sample finding of type into f (initialised here). Returns the builder's code. */
static inline int t_sample(struct cm_finding *f, const struct t_events *e, const char *type)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(type, t_event_for(e, type));

    cm_finding_init(f);
    return cm_finding_from_detection(f, &ctx, &d);
}

/* Reads a whole file (NUL-terminated); NULL when it cannot be read. */
static inline char *t_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (fp == NULL) {
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(fp);
    return buf;
}

static inline const char *t_shared(void)
{
    const char *s = getenv("SHARED");
    return s != NULL ? s : "../shared";
}

#endif
