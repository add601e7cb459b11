/*
 * Unit tests for the CloudTrail parser: every input shape, the fields it
 * extracts, and recovery from each kind of bad record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "parse/parse.h"

#define MAXEV 16

struct sink {
    struct cm_parse_ctx ctx;
    struct cm_json_doc doc, doc2;
    struct cm_json_doc extra[MAXEV];
    int nextra;
    struct cm_arena arena;
    struct cm_event ev[MAXEV];
    int nev;
    int nrej;
    int nskip;
    const char *skip_what;
    uint64_t rej_off[MAXEV];
    uint32_t rej_line[MAXEV];
    char rej_reason[MAXEV][200];
    int swap; /* swap the document after each event */
};

static int on_event(void *ud, struct cm_event *ev)
{
    struct sink *s = ud;
    if (s->nev < MAXEV) {
        s->ev[s->nev] = *ev;
    }
    s->nev++;
    if (s->swap) {
        struct cm_json_doc *next = &s->extra[s->nextra++];
        /* Hand the old one off: a new doc begun on the same buffer takes over. */
        cm_json_doc_init(next, 0, 0);
        cm_json_doc_begin(next, s->ctx.doc->src, s->ctx.doc->src_len);
        s->ctx.doc = next;
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct sink *s = ud;
    assert_int_equal(kind, CM_EV_CLOUDTRAIL);
    if (s->nrej < MAXEV) {
        s->rej_off[s->nrej] = off;
        s->rej_line[s->nrej] = line;
        snprintf(s->rej_reason[s->nrej], sizeof(s->rej_reason[0]), "%s", reason);
    }
    s->nrej++;
}

static void on_skip(void *ud, enum cm_event_kind kind, const char *what)
{
    struct sink *s = ud;
    assert_int_equal(kind, CM_EV_CLOUDTRAIL);
    s->skip_what = what;
    s->nskip++;
}

/* The offsets a reject's reason names, as a wrapped input's map would give them (or NULL). */
static uint64_t (*map_offset)(void *ud, uint64_t off);

static struct sink *run(const char *text)
{
    static struct sink s;
    memset(&s, 0, sizeof(s));
    s.ctx.map_offset = NULL;
    cm_json_doc_init(&s.doc, 0, 0);
    cm_json_doc_init(&s.doc2, 0, 0);
    cm_arena_init(&s.arena, 4096, 0);
    cm_parse_ctx_init(&s.ctx, &s.doc);
    s.ctx.arena = &s.arena;
    s.ctx.on_event = on_event;
    s.ctx.on_reject = on_reject;
    s.ctx.on_skip = on_skip;
    s.ctx.map_offset = map_offset;
    s.ctx.ud = &s;
    assert_int_equal(cm_parser_cloudtrail.parse(&s.ctx, text, strlen(text)), 0);
    return &s;
}

static void done(struct sink *s)
{
    cm_json_doc_finish(&s->doc);
    cm_json_doc_finish(&s->doc2);
    cm_arena_finish(&s->arena);
}

#define REC_USER                                                                                   \
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"           \
    "\"AIDAEXAMPLE1\",\"arn\":\"arn:aws:iam::111122223333:user/alice\",\"accountId\":"             \
    "\"111122223333\",\"accessKeyId\":\"AKIAEXAMPLE1\",\"userName\":\"alice\"},\"eventTime\":"     \
    "\"2025-03-04T10:00:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":"                \
    "\"ListUsers\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\","              \
    "\"userAgent\":\"aws-cli/2.15.8 Python/3.11.6 Linux/6.1\",\"requestParameters\":null,"         \
    "\"responseElements\":null,\"requestID\":\"r-1\",\"eventID\":\"e-1\",\"readOnly\":true,"       \
    "\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":"                \
    "\"111122223333\",\"eventCategory\":\"Management\"}"

#define REC_ROLE                                                                                   \
    "{\"eventVersion\":\"1.11\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":"       \
    "\"AROAEXAMPLE:i-0abc\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc\","        \
    "\"accountId\":\"111122223333\",\"accessKeyId\":\"ASIAEXAMPLE\",\"sessionContext\":{"          \
    "\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"AROAEXAMPLE\",\"arn\":"                \
    "\"arn:aws:iam::111122223333:role/web\",\"accountId\":\"111122223333\",\"userName\":"          \
    "\"web\"},\"attributes\":{\"creationDate\":\"2025-03-04T09:00:00Z\",\"mfaAuthenticated\":"     \
    "\"false\"},\"ec2RoleDelivery\":\"2.0\"}},\"eventTime\":\"2025-03-04T10:00:05.250Z\","         \
    "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":"              \
    "\"eu-west-1\",\"sourceIPAddress\":\"10.0.1.14\",\"userAgent\":\"Boto3/1.34\","                \
    "\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\",\"requestParameters\":{"    \
    "\"bucketName\":\"b1\",\"key\":\"k\"},\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":"   \
    "\"arn:aws:s3:::b1/k\"}],\"readOnly\":\"true\",\"eventCategory\":\"Data\","                    \
    "\"managementEvent\":false,\"recipientAccountId\":\"111122223333\",\"vpcEndpointId\":"         \
    "\"vpce-1\",\"vpcEndpointAccountId\":\"444455556666\",\"tlsDetails\":{\"tlsVersion\":"         \
    "\"TLSv1.3\"}}"

#define REC_SVC                                                                                    \
    "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":"          \
    "\"ec2.amazonaws.com\"},\"eventTime\":\"2025-03-04T10:01:00Z\",\"eventSource\":"               \
    "\"sts.amazonaws.com\",\"eventName\":\"AssumeRole\",\"awsRegion\":\"us-east-1\","              \
    "\"sourceIPAddress\":\"ec2.amazonaws.com\",\"userAgent\":\"ec2.amazonaws.com\","               \
    "\"recipientAccountId\":\"111122223333\",\"eventType\":\"AwsApiCall\"}"

static void test_records_wrapper(void **state)
{
    struct sink *s;
    (void)state;

    s = run("{\"Records\":[" REC_USER "," REC_ROLE "," REC_SVC "]}");
    assert_int_equal(s->nev, 3);
    assert_int_equal(s->nrej, 0);
    {
        const struct cm_event *e = &s->ev[0];
        const struct cm_ct *ct = &e->u.ct;
        assert_int_equal(e->kind, CM_EV_CLOUDTRAIL);
        assert_true(e->time_ms == 1741082400000LL);
        assert_true(cm_str_eqc(e->account, "111122223333"));
        assert_true(cm_str_eqc(e->region, "us-east-1"));
        assert_true(cm_str_eqc(ct->event_name, "ListUsers"));
        assert_true(cm_str_eqc(ct->event_source, "iam.amazonaws.com"));
        assert_true(cm_str_eqc(ct->uid.user_name, "alice"));
        assert_true(cm_str_eqc(ct->uid.access_key_id, "AKIAEXAMPLE1"));
        assert_int_equal(ct->uid.type, CM_UID_IAMUSER);
        assert_int_equal(ct->read_only, 1);
        assert_int_equal(ct->management_event, 1);
        assert_int_equal(ct->source_ip.family, CM_IP_V4);
        assert_int_equal(ct->request_parameters, CM_JSON_NONE);
        assert_true(cm_str_eqc(ct->event_category, "Management"));
        assert_true(e->src.offset == 12);
    }
    {
        const struct cm_event *e = &s->ev[1];
        const struct cm_ct *ct = &e->u.ct;
        uint32_t b;
        assert_true(e->time_ms == 1741082405250LL);
        assert_int_equal(ct->uid.type, CM_UID_ASSUMEDROLE);
        assert_true(cm_str_eqc(ct->uid.issuer_user_name, "web"));
        assert_true(cm_str_eqc(ct->uid.issuer_type, "Role"));
        assert_true(cm_str_eqc(ct->uid.ec2_role_delivery, "2.0"));
        assert_true(cm_str_eqc(ct->uid.mfa_authenticated, "false"));
        assert_true(cm_str_eqc(ct->uid.creation_date, "2025-03-04T09:00:00Z"));
        assert_true(cm_str_eqc(ct->error_code, "AccessDenied"));
        assert_true(cm_str_eqc(ct->vpc_endpoint_account_id, "444455556666"));
        assert_int_equal(ct->read_only, 1);
        assert_int_equal(ct->management_event, 0);
        assert_true(cm_str_eqc(e->region, "eu-west-1"));
        b = cm_json_get(ct->doc, ct->request_parameters, "bucketName");
        assert_int_not_equal(b, CM_JSON_NONE);
        assert_true(cm_str_eqc(cm_json_raw(ct->doc, b), "b1"));
        assert_int_equal(cm_json_type(ct->doc, ct->resources), CM_JSON_ARRAY);
        assert_int_not_equal(ct->tls_details, CM_JSON_NONE);
    }
    {
        const struct cm_ct *ct = &s->ev[2].u.ct;
        assert_int_equal(ct->uid.type, CM_UID_AWSSERVICE);
        assert_true(cm_str_eqc(ct->uid.invoked_by, "ec2.amazonaws.com"));
        assert_int_equal(ct->source_ip.family, CM_IP_NONE);
        assert_true(cm_str_eqc(ct->source_ip_address, "ec2.amazonaws.com"));
        assert_int_equal(ct->read_only, -1);
    }
    done(s);
}

static void test_shapes(void **state)
{
    struct sink *s;
    (void)state;

    /* A pretty-printed bare array. */
    s = run("[\n  " REC_USER ",\n  " REC_SVC "\n]\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->ev[0].src.line, 2);
    assert_int_equal(s->ev[1].src.line, 3);
    assert_int_equal(s->ev[1].src.offset, 2 + 2 + strlen(REC_USER) + 4);
    assert_int_equal(s->ev[1].src.length, strlen(REC_SVC));
    done(s);
    /* JSON Lines. */
    s = run(REC_USER "\n" REC_ROLE "\n\n" REC_SVC "\n");
    assert_int_equal(s->nev, 3);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->ev[0].src.line, 1);
    assert_int_equal(s->ev[1].src.line, 2);
    assert_int_equal(s->ev[2].src.line, 4);
    done(s);
    /* Logstash-shipped records carry @timestamp instead of eventTime. */
    s = run("{\"@timestamp\":\"2020-09-14T00:44:23.000Z\",\"@version\":\"1\",\"eventSource\":"
            "\"s3.amazonaws.com\",\"eventName\":\"ListBuckets\"}\n");
    assert_int_equal(s->nev, 1);
    assert_true(s->ev[0].time_ms == 1600044263000LL);
    done(s);
    /* A CloudWatch Logs export: a time stamp before each record. */
    s = run("2025-03-04T10:00:00.000Z " REC_USER "\n2025-03-04T10:01:00.000Z " REC_SVC "\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    assert_true(cm_str_eqc(s->ev[1].u.ct.event_name, "AssumeRole"));
    done(s);
    assert_ptr_equal(cm_parse_sniff("2025-03-04T10:00:00.000Z " REC_USER,
                                    strlen("2025-03-04T10:00:00.000Z " REC_USER)),
                     &cm_parser_cloudtrail);
    /* Concatenated objects without newlines. */
    s = run(REC_USER REC_SVC);
    assert_int_equal(s->nev, 2);
    done(s);
    /* EventBridge envelope. */
    s = run("{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"AWS API Call via CloudTrail\","
            "\"source\":\"aws.iam\",\"account\":\"111122223333\",\"time\":\"2025-03-04T10:00:00Z\","
            "\"region\":\"us-east-1\",\"resources\":[],\"detail\":" REC_USER "}\n");
    assert_int_equal(s->nev, 1);
    assert_true(s->ev[0].u.ct.from_eventbridge);
    assert_true(cm_str_eqc(s->ev[0].u.ct.event_name, "ListUsers"));
    done(s);
    /* Empty Records and whitespace-only input. */
    s = run("{\"Records\":[]}");
    assert_int_equal(s->nev, 0);
    assert_int_equal(s->nrej, 0);
    done(s);
    s = run("  \n ");
    assert_int_equal(s->nev + s->nrej, 0);
    done(s);
}

static void test_bad_records(void **state)
{
    struct sink *s;
    (void)state;

    /* Not an object, missing eventTime, bad time: each rejected, the rest kept. */
    s = run("{\"Records\":[" REC_USER ",42,{\"eventName\":\"X\",\"eventSource\":\"y\"},"
            "{\"eventTime\":\"yesterday\",\"eventName\":\"X\",\"eventSource\":\"y\"}," REC_SVC
            "]}");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 3);
    assert_non_null(strstr(s->rej_reason[0], "not a JSON object"));
    assert_non_null(strstr(s->rej_reason[1], "eventTime"));
    assert_non_null(strstr(s->rej_reason[2], "eventTime"));
    done(s);
}

/* CloudTrail Insights events (CloudTrail-Insight/ files) are good records no detector reads. */
#define REC_INSIGHT(cat, type)                                                                     \
    "{\"eventVersion\":\"1.07\",\"eventTime\":\"2025-03-04T10:05:00Z\",\"awsRegion\":"             \
    "\"us-east-1\",\"eventID\":\"e-2\"," type "\"recipientAccountId\":\"111122223333\","           \
    "\"sharedEventID\":\"s-1\",\"insightDetails\":{\"state\":\"Start\",\"eventSource\":"           \
    "\"iam.amazonaws.com\",\"eventName\":\"StopLogging\",\"insightType\":"                         \
    "\"ApiCallRateInsight\"}" cat "}"

static void test_insights_skipped(void **state)
{
    struct sink *s;
    (void)state;

    s = run("{\"Records\":[" REC_USER "," REC_INSIGHT(
        ",\"eventCategory\":\"Insight\"",
        "\"eventType\":\"AwsCloudTrailInsight\",") "," REC_INSIGHT(",\"eventCategory\":\"Insight\"",
                                                                   "") "," REC_INSIGHT("",
                                                                                       "\"eventType"
                                                                                       "\":"
                                                                                       "\"AwsCloudT"
                                                                                       "railInsight"
                                                                                       "\",") "," REC_SVC
                                                                                              "]}");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->nskip, 3);
    assert_string_equal(s->skip_what, "CloudTrail Insights");
    done(s);
    /* Through EventBridge ("AWS Insight via CloudTrail"), and a record alone. */
    s = run("{\"version\":\"0\",\"detail-type\":\"AWS Insight via CloudTrail\",\"source\":"
            "\"aws.iam\",\"detail\":" REC_INSIGHT(",\"eventCategory\":\"Insight\"", "") "}");
    assert_int_equal(s->nev + s->nrej, 0);
    assert_int_equal(s->nskip, 1);
    done(s);
    s = run(REC_INSIGHT(",\"eventCategory\":\"Insight\"", ""));
    assert_int_equal(s->nskip, 1);
    done(s);
    /* Not an Insights event: still a record without a name. */
    s = run(REC_INSIGHT(",\"eventCategory\":\"Management\"", ""));
    assert_int_equal(s->nskip, 0);
    assert_int_equal(s->nrej, 1);
    assert_non_null(strstr(s->rej_reason[0], "no eventName"));
    done(s);
}

/*
 * An archive of every EventBridge event (a rule to Firehose) holds other services' events
 * beside CloudTrail's: good events that are no call, skipped and named; before 2026-12-05
 * each was rejected as a CloudTrail record with "no eventTime".
 */
static void test_eventbridge_other_events(void **state)
{
    struct sink *s;
    (void)state;

    s = run("{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":"
            "\"aws.iam\",\"detail\":" REC_USER "}\n"
            "{\"version\":\"0\",\"id\":\"1\",\"detail-type\":\"EC2 Instance State-change "
            "Notification\",\"source\":\"aws.ec2\",\"account\":\"111122223333\",\"time\":"
            "\"2025-03-04T10:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":"
            "{\"instance-id\":\"i-0abc\",\"state\":\"running\"}}\n"
            "{\"version\":\"0\",\"detail-type\":\"GuardDuty Finding\",\"source\":"
            "\"aws.guardduty\",\"detail\":{\"eventTime\":\"2025-03-04T10:00:00Z\","
            "\"eventName\":\"x\",\"eventSource\":\"guardduty\"}}\n");
    assert_int_equal(s->nev, 1);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->nskip, 2);
    assert_string_equal(s->skip_what, "EventBridge events not from CloudTrail");
    done(s);
    /* A detail-type without a detail object is no EventBridge event: still a reject. */
    s = run("{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":\"x\"}");
    assert_int_equal(s->nskip, 0);
    assert_int_equal(s->nrej, 1);
    done(s);
}

static void test_invalid_utf8(void **state)
{
    char buf[4096], want[64];
    struct sink *s;
    (void)state;

    snprintf(buf, sizeof(buf),
             "{\"Records\":[" REC_USER ",{\"eventTime\":\"2025-03-04T10:00:00Z\",\"eventName\":"
             "\"A\xff\",\"eventSource\":\"x\"}," REC_SVC "]}");
    s = run(buf);
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_true(s->rej_off[0] > 0);
    /* Where, once (before 2026-12-04: "invalid UTF-8 at byte N at byte N"). */
    snprintf(want, sizeof(want), "invalid UTF-8 at byte %zu", (size_t)(strchr(buf, '\xff') - buf));
    assert_string_equal(s->rej_reason[0], want);
    done(s);
    /* The same in JSON Lines, with the line number. */
    snprintf(buf, sizeof(buf), REC_USER "\n{\"eventName\":\"\xc0\xaf\"}\n" REC_SVC "\n");
    s = run(buf);
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_int_equal(s->rej_line[0], 2);
    done(s);
}

static void test_truncated(void **state)
{
    const char *full = "{\"Records\":[" REC_USER "," REC_ROLE "," REC_SVC "]}";
    char buf[8192];
    (void)state;

    /* Every cut point: no crash, records before the cut kept, something reported. */
    for (size_t cut = 1; cut < strlen(full); cut += 7) {
        struct sink *s;
        memcpy(buf, full, cut);
        buf[cut] = '\0';
        s = run(buf);
        assert_true(s->nev <= 3);
        if (cut > strlen("{\"Records\":[" REC_USER ",")) {
            assert_true(s->nev >= 1);
        }
        assert_true(s->nrej >= 1 || s->nev == 0);
        done(s);
    }
}

#define FILE3 "{\"Records\":[" REC_USER "," REC_ROLE "," REC_SVC "]}"

/* Files one after another (cat or zcat of many files, a multi-member gzip): every file read. */
static void test_concatenated_files(void **state)
{
    char buf[16384];
    struct sink *s;
    size_t second;
    (void)state;

    /* As zcat gives them: no byte between the files. */
    s = run(FILE3 FILE3 "{\"Records\":[]}" FILE3);
    assert_int_equal(s->nev, 9);
    assert_int_equal(s->nrej, 0);
    assert_true(s->ev[3].src.offset == strlen(FILE3) + 12);
    assert_true(cm_str_eqc(s->ev[5].u.ct.event_name, "AssumeRole"));
    done(s);
    /* One a line, with other members after Records, and a bare array among them. */
    s = run(FILE3 "\n{\"Records\":[" REC_SVC "],\"x\":{\"a\":[1,\"]}\"]},\"y\":2}\n[" REC_USER
                  "]\n" FILE3 "\n");
    assert_int_equal(s->nev, 8);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->ev[4].src.line, 3);
    assert_int_equal(s->ev[7].src.line, 4);
    done(s);
    /* jq -s of many files: an array of files, also pretty-printed, and records among them. */
    s = run("[" FILE3 "," FILE3 ", " REC_SVC "]");
    assert_int_equal(s->nev, 7);
    assert_int_equal(s->nrej, 0);
    done(s);
    s = run("[\n  {\n    \"Records\": [\n      " REC_USER "\n    ]\n  },\n  {\n    \"Records\": "
            "[]\n  },\n  {\"Records\" : [" REC_SVC "], \"n\": 1}\n]\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    assert_int_equal(s->ev[1].src.line, 10);
    done(s);
    /* ... cut short inside its second file. */
    s = run("[" FILE3 ",{\"Records\":[" REC_USER ",");
    assert_int_equal(s->nev, 4);
    assert_int_equal(s->nrej, 1);
    done(s);
    /* A file cut short inside a record, then a whole one: the whole one is read, and the
     * report says where reading went on. */
    second = strlen("{\"Records\":[" REC_USER ",{\"eventVersion\":\"1.08\",\"eventNa");
    snprintf(buf, sizeof(buf), "%.*s%s", (int)second, FILE3, FILE3);
    s = run(buf);
    assert_int_equal(s->nev, 4);
    assert_int_equal(s->nrej, 1);
    assert_true(s->rej_off[0] == strlen("{\"Records\":[" REC_USER ","));
    snprintf(buf, sizeof(buf), "skipped to byte %zu", second);
    assert_non_null(strstr(s->rej_reason[0], buf));
    done(s);
    /* ... cut short between records, and just before its '}'. */
    s = run("{\"Records\":[" REC_USER ", \n" FILE3);
    assert_int_equal(s->nev, 4);
    assert_int_equal(s->nrej, 1);
    assert_true(s->rej_off[0] == strlen("{\"Records\":[" REC_USER ", \n"));
    assert_non_null(strstr(s->rej_reason[0], "a file begins inside the Records array"));
    done(s);
    snprintf(buf, sizeof(buf), "%.*s%s", (int)strlen(FILE3) - 1, FILE3, FILE3);
    s = run(buf);
    assert_int_equal(s->nev, 6);
    assert_int_equal(s->nrej, 1);
    assert_non_null(strstr(s->rej_reason[0], "after the Records array"));
    snprintf(buf, sizeof(buf), "skipped to byte %zu", strlen(FILE3) - 1);
    assert_non_null(strstr(s->rej_reason[0], buf));
    done(s);
    /* Something else between records, then a file: reported, and the file read. */
    s = run("{\"Records\":[" REC_USER " x " REC_SVC "]}" FILE3);
    assert_int_equal(s->nev, 4);
    assert_int_equal(s->nrej, 1);
    assert_non_null(strstr(s->rej_reason[0], "expected ',' or ']'"));
    assert_non_null(strstr(s->rej_reason[0], "skipped to byte"));
    done(s);
    /* ... with no file after it: the rest is skipped, and it says so. */
    s = run("{\"Records\":[" REC_USER " x " REC_SVC "]}");
    assert_int_equal(s->nev, 1);
    assert_int_equal(s->nrej, 1);
    assert_non_null(strstr(s->rej_reason[0], "rest of input skipped"));
    done(s);
    /* What follows a file is read, not dropped: junk after it is reported. */
    s = run(FILE3 "junk");
    assert_int_equal(s->nev, 3);
    assert_int_equal(s->nrej, 1);
    assert_true(s->rej_off[0] == strlen(FILE3));
    done(s);
    /* A record stream cut short: the next line is read, and the report says so. */
    s = run(REC_USER "\n{\"eventVersion\":\"1.08\",\"eventName\":[\n" REC_SVC "\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_int_equal(s->rej_line[0], 2);
    assert_non_null(strstr(s->rej_reason[0], "skipped to byte"));
    done(s);
}

/*
 * A file's Records array where it is not first, or a second one: every record read, each
 * where it is. Before 2026-12-04 {"x":..,"Records":[...]} was one reject ("not a CloudTrail
 * record: no eventTime") for all its records, and a second "Records" array was stepped over
 * with its records, unreported.
 */
static void test_records_not_first(void **state)
{
    static const char later[] = "{\"x\":{\"a\":[1,\"]}\"]},\"Records\":[" REC_USER "," REC_SVC "]}";
    static const char twice[] = "{\"Records\":[" REC_USER "],\"n\":2,\"Records\":[" REC_SVC "]}";
    char buf[16384];
    struct sink *s;
    (void)state;

    snprintf(buf, sizeof(buf), "%s\n%s%s", later, FILE3, later);
    s = run(buf);
    assert_int_equal(s->nev, 7);
    assert_int_equal(s->nrej, 0);
    assert_true(s->ev[0].src.offset == (uint64_t)(strstr(later, REC_USER) - later));
    assert_true(cm_str_eqc(s->ev[1].u.ct.event_name, "AssumeRole"));
    assert_int_equal(s->ev[5].src.line, 2);
    done(s);
    s = run(twice);
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    assert_true(s->ev[1].src.offset == (uint64_t)(strstr(twice, REC_SVC) - twice));
    done(s);
    /* Its bad elements are rejected one by one, as in any file. */
    s = run("{\"n\":1,\"Records\":[" REC_USER ",5," REC_SVC "]}");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_string_equal(s->rej_reason[0], "record is not a JSON object");
    done(s);
    /* A record with a member named Records is still a record, before or after eventName. */
    snprintf(buf, sizeof(buf), "%.*s,\"Records\":[]}", (int)strlen(REC_USER) - 1, REC_USER);
    s = run(buf);
    assert_int_equal(s->nev, 1);
    assert_int_equal(s->nrej, 0);
    done(s);
    snprintf(buf, sizeof(buf), "{\"x\":0,\"Records\":[" REC_SVC "],%s", REC_USER + 1);
    s = run(buf);
    assert_int_equal(s->nev, 1);
    assert_int_equal(s->nrej, 0);
    assert_true(s->ev[0].src.offset == 0);
    done(s);
    /* The Records key spelled with escapes, first or later: its records are read, as a JSON
     * reader reads the key (before 2026-12-04 the later one gave 0 records and 0 rejects). */
    s = run("{\"n\":1,\"Rec\\u006frds\":[" REC_USER "," REC_SVC "]}");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 0);
    done(s);
    s = run("{\"\\u0052ecords\":[" REC_USER "]}");
    assert_int_equal(s->nev, 1);
    assert_int_equal(s->nrej, 0);
    done(s);
    /* A key that only decodes close to it is another member. */
    s = run("{\"n\":1,\"Rec\\u006frdsX\":[" REC_USER "]}");
    assert_int_equal(s->nev, 0);
    done(s);
    /* An object whose Records is no array is no file: one reject, as a record. */
    s = run("{\"x\":1,\"Records\":{\"a\":[" REC_SVC "]}}");
    assert_int_equal(s->nev, 0);
    assert_int_equal(s->nrej, 1);
    done(s);
    /* An eventName spelled with an escape is one too: a record (without eventName to the
     * record's reader, so a reject), not an empty file. */
    s = run("{\"x\":0,\"Records\":[],\"event\\u004eame\":\"X\",\"eventTime\":\"2025-03-04T10:00:"
            "00Z\"}");
    assert_int_equal(s->nev, 0);
    assert_int_equal(s->nrej, 1);
    done(s);
}

/*
 * Text that is not JSON between records or after a file is one reject, not one per word,
 * and reading goes on at the next line or file (before 2026-12-04 "garbage here" after a
 * file was two rejects, so rejects outnumbered what was there).
 */
static void test_stray_text(void **state)
{
    struct sink *s;
    (void)state;

    s = run(FILE3 "garbage here, and more\n" FILE3);
    assert_int_equal(s->nev, 6);
    assert_int_equal(s->nrej, 1);
    assert_true(s->rej_off[0] == strlen(FILE3));
    assert_non_null(strstr(s->rej_reason[0], "not a CloudTrail record, file or array"));
    done(s);
    s = run(REC_USER "\nhello world 1 2 3\n" REC_SVC "\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_int_equal(s->rej_line[0], 2);
    assert_non_null(strstr(s->rej_reason[0], "skipped to byte"));
    done(s);
}

static uint64_t plus_1000(void *ud, uint64_t off)
{
    (void)ud;
    return off + 1000;
}

/* What is not a file start, and where the byte numbers of reasons point. */
static void test_recovery_details(void **state)
{
    char buf[4096];
    struct sink *s;
    (void)state;

    /* A record broken before a "Records" object of its own: that object is no next file,
     * the one record is lost, not the rest of the file. */
    s = run("{\"Records\":[" REC_USER ",{\"eventVersion\":\"1.08\",\"eventName\":\"X\\q\","
            "\"requestParameters\":{\"Records\":[1]}}," REC_ROLE "," REC_SVC "]}");
    assert_int_equal(s->nev, 3);
    assert_int_equal(s->nrej, 1);
    assert_null(strstr(s->rej_reason[0], "skipped to byte"));
    done(s);
    /* Arrays one a line (jq -c): a broken one costs its line, not the lines after it. */
    s = run("[" REC_USER " x " REC_ROLE "]\n[" REC_SVC "]\n" REC_USER "\n");
    assert_int_equal(s->nev, 3);
    assert_int_equal(s->nrej, 1);
    snprintf(buf, sizeof(buf), "skipped to byte %zu", strlen(REC_USER) + strlen(REC_ROLE) + 6);
    assert_non_null(strstr(s->rej_reason[0], buf));
    done(s);
    /* A file cut inside a UTF-8 character or after a backslash, then a whole one: the parser
     * reports the break where the character began, just before the next file. */
    {
        static const char *const cuts[] = {"\"caf\xc3", "\"caf\\", "\"caf", "\"caf\\u00"};

        for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
            /* (a policy document in the next file: quotes paired from the cut on would end
             * a lenient skip in the middle of that file) */
            snprintf(
                buf, sizeof(buf),
                "{\"Records\":[" REC_USER ",{\"eventVersion\":\"1.08\",\"userAgent\":%s"
                "{\"Records\":[{\"eventTime\":\"2025-03-04T10:00:02Z\",\"eventSource\":"
                "\"iam.amazonaws.com\",\"eventName\":\"PutRolePolicy\",\"requestParameters\":"
                "{\"policyDocument\":\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": "
                "[{\\\"Effect\\\": \\\"Allow\\\"}]}\"}}," REC_ROLE "," REC_SVC "]}",
                cuts[k]);
            s = run(buf);
            if (s->nev != 4 || s->nrej != 1) {
                fail_msg("cut %zu: %d records, %d rejects (%s)", k, s->nev, s->nrej,
                         s->rej_reason[0]);
            }
            done(s);
        }
    }
    /* A pretty-printed array with a comma missing: one reject, not one for every line after. */
    s = run("[\n" REC_USER ",\n" REC_ROLE "\n" REC_SVC ",\n" REC_USER "\n]\n");
    assert_int_equal(s->nev, 2);
    assert_int_equal(s->nrej, 1);
    assert_non_null(strstr(s->rej_reason[0], "rest of input skipped"));
    done(s);
    /* jq -c lines, the first cut before its ']': reading goes on at the second line. */
    s = run("[" REC_USER "," REC_ROLE "\n[" REC_SVC "," REC_USER "]\n[" REC_ROLE "]\n");
    assert_int_equal(s->nev, 5);
    assert_int_equal(s->nrej, 1);
    done(s);
    /* Unwrapped text: the byte numbers in reasons go through ctx->map_offset. */
    map_offset = plus_1000;
    s = run("{\"Records\":[" REC_USER " x ]}" FILE3);
    map_offset = NULL;
    assert_int_equal(s->nev, 4);
    assert_int_equal(s->nrej, 1);
    snprintf(buf, sizeof(buf), "skipped to byte %zu",
             1000 + strlen("{\"Records\":[" REC_USER " x ]}"));
    assert_non_null(strstr(s->rej_reason[0], buf));
    done(s);
    map_offset = plus_1000;
    s = run(REC_USER "\n{\"eventVersion\":1.0.0}\n");
    map_offset = NULL;
    assert_int_equal(s->nrej, 1);
    snprintf(buf, sizeof(buf), "at byte %zu", 1000 + strlen(REC_USER) + 1 + 19);
    assert_non_null(strstr(s->rej_reason[0], buf));
    done(s);
}

static void test_ct_cut(void **state)
{
    const char *t = FILE3 FILE3 " \n" FILE3;
    size_t n = strlen(t), f = strlen(FILE3);
    (void)state;

    assert_int_equal(cm_parse_ct_cut(t, n, 0), 2 * f + 2);
    assert_int_equal(cm_parse_ct_cut(t, 2 * f + 1, 0), f);
    assert_int_equal(cm_parse_ct_cut(t, n, 2 * f + 2), 2 * f + 2);
    assert_int_equal(cm_parse_ct_cut(t, n, 2 * f + 3), 0);
    /* The mark cut short at the end is no file start yet. */
    assert_int_equal(cm_parse_ct_cut(t, f + 9, 0), 0);
    assert_int_equal(cm_parse_ct_cut(t, f + 10, 0), f);
    /* Not at the start, not after anything but '}': a nested object is no file. */
    assert_int_equal(cm_parse_ct_cut(FILE3, strlen(FILE3), 0), 0);
    assert_int_equal(cm_parse_ct_cut("[{\"Records\":[]}", 15, 0), 0);
    assert_int_equal(cm_parse_ct_cut("{\"a\":{\"Records\":[]}}", 20, 0), 0);
    assert_int_equal(cm_parse_ct_cut("{},{\"Records\":[]}", 17, 0), 0);
    assert_int_equal(cm_parse_ct_cut("{}{\"Records\":[]}", 16, 0), 2);
    assert_int_equal(cm_parse_ct_cut("", 0, 0), 0);
}

static void test_escaped_strings(void **state)
{
    struct sink *s;
    (void)state;

    s = run("{\"eventTime\":\"2025-03-04T10:00:00Z\",\"eventSource\":\"iam.amazonaws.com\","
            "\"eventName\":\"ListUsers\",\"userAgent\":\"curl \\\"quoted\\\" \\u00e9\"}");
    assert_int_equal(s->nev, 1);
    assert_true(cm_str_eqc(s->ev[0].u.ct.user_agent, "curl \"quoted\" \xc3\xa9"));
    done(s);

    /* Escaped beside plain in one record, the identity's too ("\/" as some tools write). */
    s = run("{\"eventTime\":\"2025-03-04T10:00:00Z\",\"eventSource\":\"iam.amazonaws.com\","
            "\"eventName\":\"List\\u0055sers\",\"awsRegion\":\"us-east-1\",\"userIdentity\":{"
            "\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user\\/bob\","
            "\"userName\":\"bob\"}}");
    assert_int_equal(s->nev, 1);
    assert_true(cm_str_eqc(s->ev[0].u.ct.event_name, "ListUsers"));
    assert_true(cm_str_eqc(s->ev[0].u.ct.event_source, "iam.amazonaws.com"));
    assert_true(cm_str_eqc(s->ev[0].u.ct.uid.arn, "arn:aws:iam::111122223333:user/bob"));
    assert_true(cm_str_eqc(s->ev[0].u.ct.uid.user_name, "bob"));
    assert_true(cm_str_eqc(s->ev[0].region, "us-east-1"));
    done(s);
}

static void test_doc_swap(void **state)
{
    static struct sink s;
    const char *text = "{\"Records\":[" REC_USER "," REC_ROLE "," REC_SVC "]}";
    (void)state;

    memset(&s, 0, sizeof(s));
    cm_json_doc_init(&s.doc, 0, 0);
    cm_json_doc_init(&s.doc2, 0, 0);
    cm_parse_ctx_init(&s.ctx, &s.doc);
    s.ctx.on_event = on_event;
    s.ctx.on_reject = on_reject;
    s.ctx.ud = &s;
    s.swap = 1;
    assert_int_equal(cm_parser_cloudtrail.parse(&s.ctx, text, strlen(text)), 0);
    assert_int_equal(s.nev, 3);
    /* Event 1 was parsed into doc2; its nodes must still be right. */
    assert_ptr_equal(s.ev[0].u.ct.doc, &s.doc);
    assert_ptr_equal(s.ev[1].u.ct.doc, &s.extra[0]);
    assert_true(cm_str_eqc(
        cm_json_raw(s.ev[1].u.ct.doc,
                    cm_json_get(s.ev[1].u.ct.doc, s.ev[1].u.ct.request_parameters, "key")),
        "k"));
    assert_true(cm_str_eqc(s.ev[0].u.ct.uid.user_name, "alice"));
    assert_true(cm_str_eqc(s.ev[2].u.ct.event_name, "AssumeRole"));
    cm_json_doc_finish(&s.doc);
    cm_json_doc_finish(&s.doc2);
    for (int i = 0; i < s.nextra; i++) {
        cm_json_doc_finish(&s.extra[i]);
    }
}

static void test_sniff(void **state)
{
    (void)state;
    assert_ptr_equal(cm_parse_sniff("{\"Records\":[]}", 14), &cm_parser_cloudtrail);
    assert_ptr_equal(cm_parse_sniff(REC_USER, strlen(REC_USER)), &cm_parser_cloudtrail);
    assert_ptr_equal(cm_parse_sniff("[" REC_SVC "]", strlen(REC_SVC) + 2), &cm_parser_cloudtrail);
    assert_null(cm_parse_sniff("{\"hello\":1}", 11));
    assert_null(cm_parse_sniff("\x00\x01\x02\x03", 4));
    assert_null(cm_parse_sniff("", 0));
    assert_ptr_equal(cm_parser_by_name("cloudtrail"), &cm_parser_cloudtrail);
    assert_null(cm_parser_by_name("nope"));
}

static void test_skip_value(void **state)
{
    const char *t = "{\"a\":\"x\\\"}\xff\",\"b\":[1,{\"c\":2}]} ,";
    (void)state;
    assert_int_equal(cm_parse_skip_value(t, strlen(t), 0), strlen(t) - 2);
    assert_int_equal(cm_parse_skip_value("{\"a\":[1,2}", 10, 0), 0);
    assert_int_equal(cm_parse_skip_value("  42,", 5, 0), 4);
    assert_int_equal(cm_parse_skip_value("{\"unterminated", 14, 0), 0);
    assert_int_equal(cm_parse_line_of("a\nb\nc", 4), 3);
    assert_int_equal(cm_parse_line_of("abc", 2), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_wrapper),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_insights_skipped),
        cmocka_unit_test(test_eventbridge_other_events),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_escaped_strings),
        cmocka_unit_test(test_doc_swap),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_skip_value),
        cmocka_unit_test(test_concatenated_files),
        cmocka_unit_test(test_records_not_first),
        cmocka_unit_test(test_stray_text),
        cmocka_unit_test(test_ct_cut),
        cmocka_unit_test(test_recovery_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
