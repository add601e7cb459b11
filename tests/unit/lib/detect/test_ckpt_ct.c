/*
 * Checkpoints of the CloudTrail detectors (lib/detect/ct_*.c, DESIGN.md §5):
 * for each detector that learns, a scenario whose second part (B) fires only
 * when what the first part (A) taught it is remembered: A runs through an
 * engine, the engine is saved and loaded into a fresh one (ckpt_fixture.h),
 * and B runs through that. The same B after a fresh engine, or after a
 * reload that drops only that detector's state, gives nothing, so the state
 * carried over is what made the finding. Then, per codec, a checkpoint whose
 * value is patched to one the detector could not have made is refused
 * (CM_EINVAL), and evidence references of remembered records keep their
 * input, or are renumbered through the checkpoint's hooks.
 *
 * The engines hold the CloudTrail detectors only; records are hand-written
 * and go through the real parser, part A as input 7 and part B as input 9.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/ct.h"
#include "detect/detect.h"
#include "parse/parse.h"

#include "ckpt_fixture.h"
#include "ct_fixture.h"

#define MAXD   32
#define FILE_A 7u
#define FILE_B 9u

static const struct cm_detector *const ct_table[] = {
    &cm_detector_ct_rules,      &cm_detector_ct_password, &cm_detector_ct_credexfil,
    &cm_detector_ct_travel,     &cm_detector_ct_canary,   &cm_detector_ct_anomaly,
    &cm_detector_ct_s3_anomaly, &cm_detector_ct_sequence, NULL,
};

/* ---- detections ---- */

struct got {
    char type[MAXD][96];
    char resource[MAXD][64];
    char info[MAXD][2048];
    double severity[MAXD];
    uint32_t nevidence[MAXD];
    uint32_t file[MAXD][CM_DETECTION_MAX_EVIDENCE];
    size_t n;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct got *g = sink->ud;

    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    ctfx_copy(g->resource[g->n], sizeof(g->resource[0]), d->resource_id);
    ctfx_copy(g->info[g->n], sizeof(g->info[0]), d->info);
    g->severity[g->n] = d->severity;
    g->nevidence[g->n] = d->nevidence;
    for (uint32_t i = 0; i < d->nevidence; i++) {
        g->file[g->n][i] = d->evidence[i].file_id;
    }
    g->n++;
    return 0;
}

static int find(const struct got *g, const char *type)
{
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->type[i], type) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static size_t count(const struct got *g, const char *type)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        n += strcmp(g->type[i], type) == 0;
    }
    return n;
}

/* Whether detection i cites a record of input file. */
static bool cites(const struct got *g, int i, uint32_t file)
{
    for (uint32_t k = 0; i >= 0 && k < g->nevidence[i]; k++) {
        if (g->file[i][k] == file) {
            return true;
        }
    }
    return false;
}

/* ---- records ---- */

#define ALICE                                                                                      \
    "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDAALICE\",\"arn\":"                \
    "\"arn:aws:iam::111122223333:user/alice\",\"accountId\":\"111122223333\",\"accessKeyId\":"     \
    "\"AKIAALICE0000000001\",\"userName\":\"alice\"}"
#define BOB                                                                                        \
    "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDABOB\",\"arn\":"                  \
    "\"arn:aws:iam::111122223333:user/bob\",\"accountId\":\"111122223333\",\"accessKeyId\":"       \
    "\"AKIABOB00000000001\",\"userName\":\"bob\"}"
#define INSTANCE                                                                                   \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAWEB:i-0123456789abcdef0\","  \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/web/i-0123456789abcdef0\",\"accountId\":"    \
    "\"111122223333\",\"accessKeyId\":\"ASIAINST0000000001\",\"sessionContext\":{"                 \
    "\"sessionIssuer\":{\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/web\"},"        \
    "\"ec2RoleDelivery\":\"2.0\"}}"
#define LAMBDA                                                                                     \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAFN:resize\",\"arn\":"        \
    "\"arn:aws:sts::111122223333:assumed-role/fn-role/resize\",\"accountId\":\"111122223333\","    \
    "\"accessKeyId\":\"ASIAFN000000000001\"}"
#define APP                                                                                        \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROADEPLOY:app\",\"arn\":"       \
    "\"arn:aws:sts::111122223333:assumed-role/deploy/app\",\"accountId\":\"111122223333\","        \
    "\"accessKeyId\":\"ASIAAPP0000000000001\",\"sessionContext\":{\"sessionIssuer\":{\"type\":"    \
    "\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/deploy\",\"userName\":\"deploy\"}}}"

#define CLI    "aws-cli/2.15.22 Python/3.11.6 Linux/6.1.0-18-amd64 exe/x86_64.debian.12"
#define BOTO   "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.8.0 Botocore/1.34.51"
#define KALI   "aws-cli/2.15.22 Python/3.11.6 Linux/6.6.9-amd64 exe/x86_64.kali.2024"
#define INLAMB "Boto3/1.34 md/Botocore#1.34 exec-env/AWS_Lambda_python3.12"
#define HOME   "198.51.100.20"
#define THIEF  "203.0.113.9"
#define OK     "\"responseElements\":{\"ConsoleLogin\":\"Success\"}"
#define HOUR   3600
#define DAY    (24 * HOUR)

/* A {"Records": [...]} file being written. */
struct trail {
    char buf[1 << 17];
    size_t n;
    unsigned nrec;
    unsigned id; /* in its records' eventIDs: two trails never share one */
};

static struct trail *trail_new(void)
{
    static unsigned ntrails;
    struct trail *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->id = ntrails++;
    return t;
}

/*
 * Appends a record of identity uid at `at` seconds after 2026-01-05T00:00Z:
 * service svc (before .amazonaws.com), call name, from ip with agent ua, a
 * management event unless data; extra (may be NULL) adds members.
 */
static void add_rec(struct trail *t, const char *uid, int at, const char *svc, const char *name,
                    const char *ip, const char *ua, bool data, const char *extra)
{
    if (t->n == 0) {
        t->n = (size_t)snprintf(t->buf, sizeof(t->buf), "{\"Records\":[");
    }
    t->n += (size_t)snprintf(
        t->buf + t->n, sizeof(t->buf) - t->n,
        "%s{\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\",\"eventType\":\"AwsApiCall\","
        "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"%s\",%s,"
        "\"eventTime\":\"2026-01-%02dT%02d:%02d:%02dZ\",\"eventSource\":\"%s.amazonaws.com\","
        "\"eventName\":\"%s\",\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\","
        "\"eventID\":\"e-%u-%u\"%s%s}",
        t->nrec ? "," : "", data ? "Data" : "Management", uid, 5 + at / DAY, at / HOUR % 24,
        at / 60 % 60, at % 60, svc, name, ip, ua, t->id, t->nrec, extra ? "," : "",
        extra ? extra : "");
    t->nrec++;
    assert_true(t->n + 4 < sizeof(t->buf));
}

static void add(struct trail *t, const char *uid, int at, const char *svc, const char *name,
                const char *ip, const char *ua)
{
    add_rec(t, uid, at, svc, name, ip, ua, false, NULL);
}

/* The text of t, closed. */
static const char *done(struct trail *t)
{
    if (t->n == 0) {
        t->n = (size_t)snprintf(t->buf, sizeof(t->buf), "{\"Records\":[");
    }
    snprintf(t->buf + t->n, sizeof(t->buf) - t->n, "]}");
    return t->buf;
}

/* alice's usual day: her calls from home with the CLI, every 20 minutes for 8 hours. */
static void baseline(struct trail *t, int day)
{
    static const char *const calls[][2] = {
        {"ec2", "DescribeInstances"},
        {"s3", "ListBuckets"},
        {"sts", "GetCallerIdentity"},
        {"ec2", "DescribeSecurityGroups"},
    };

    for (int k = 0; k < 24; k++) {
        add(t, ALICE, day * DAY + 9 * HOUR + k * 1200, calls[k % 4][0], calls[k % 4][1], HOME, CLI);
    }
}

/* The app's usual S3 day: it lists and reads bucket "orders" from home with Boto3. */
static void s3_baseline(struct trail *t, int day)
{
    for (int k = 0; k < 12; k++) {
        add_rec(t, APP, day * DAY + 9 * HOUR + k * 1800, "s3",
                k % 3 ? "GetObject" : "ListObjectsV2", HOME, BOTO, true,
                k % 3 ? "\"requestParameters\":{\"bucketName\":\"orders\",\"key\":\"o.json\"}"
                      : "\"requestParameters\":{\"bucketName\":\"orders\"}");
    }
}

/* ---- engines ---- */

static struct cm_detect_config cfg = {.locate = ctfx_locate};
static const struct cm_detect_opts opts = {.seed = 3, .config = &cfg};

/* Feeds CloudTrail text through e as input file_id, into sink. */
static void feed(struct cm_engine *e, const char *text, uint32_t file_id, struct cm_sink *sink)
{
    ctfx_parse(e, text, strlen(text), file_id, sink);
}

/* ct_table with the detector named name unable to load: a reload starts it afresh. */
static const struct cm_detector *forget_table[16];
static struct cm_detector forgetful;

static const struct cm_detector *const *forgetting(const char *name)
{
    size_t i;

    for (i = 0; ct_table[i] != NULL; i++) {
        forget_table[i] = ct_table[i];
        if (strcmp(ct_table[i]->name, name) == 0) {
            forgetful = *ct_table[i];
            forgetful.load = NULL;
            forget_table[i] = &forgetful;
        }
    }
    forget_table[i] = NULL;
    return forget_table;
}

enum mode {
    RELOAD,   /* B after a checkpoint of A */
    FRESH,    /* B in a fresh engine */
    FORGET,   /* B after a checkpoint of A that the named detector cannot load */
    OLDANOM,  /* B after a checkpoint of A with the API anomaly model's section of version 4 */
    OLDANOM5, /* the same of version 5 */
    OLDS3,    /* ... with the S3 anomaly model's section of version 3 */
};

/* The API anomaly model's profile (ct_anomaly.c's struct ident). */
struct m_ident {
    int64_t first_ms;
    uint32_t napis;
    uint32_t apis[512];
    struct cm_ct_context ctx;
    struct cm_ct_calls recent;
    int64_t discovery[CM_CT_RECENT];
    uint32_t dnext;
};

/* The S3 anomaly model's (ct_s3_anomaly.c's). */
struct m_active {
    uint32_t pair;
    int64_t since_ms;
};
struct m_burst {
    int64_t start_ms;
    uint32_t calls;
    bool fired;
    struct cm_ct_novelty nv;
    struct cm_ip ip;
};
struct m_s3ident {
    int64_t first_ms;
    uint32_t npairs;
    uint32_t pairs[1024];
    struct m_active active[16];
    struct m_burst burst[5];
    struct cm_ct_context ctx;
    struct cm_ct_calls recent;
};

/* A context's size before 2026-12-06: without its networks' clients. */
#define CTX_OLD ((offsetof(struct cm_ct_context, net_clients) + 7) / 8 * 8)

/*
 * Copies one table cm_state_save wrote from r to out as a build before
 * 2026-12-06 wrote it: each value's context (at ctx_off) without its
 * networks' clients.
 */
static void table_as_old(struct cm_ckpt_r *r, struct cm_ckpt_w *out, size_t ctx_off)
{
    uint32_t vsize = cm_ckpt_get_u32(r);
    uint64_t n = cm_ckpt_get_u64(r);
    size_t grown = sizeof(struct cm_ct_context) - CTX_OLD;

    cm_ckpt_put_u32(out, (uint32_t)(vsize - grown));
    cm_ckpt_put_u64(out, n);
    cm_ckpt_put_i64(out, cm_ckpt_get_i64(r));
    for (uint64_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str key = cm_ckpt_get_str(r, 4096);
        const unsigned char *v;

        cm_ckpt_put_str(out, key.p, key.len);
        cm_ckpt_put_i64(out, cm_ckpt_get_i64(r));
        cm_ckpt_put_u8(out, cm_ckpt_get_u8(r));
        v = cm_ckpt_take(r, vsize);
        assert_non_null(v);
        cm_ckpt_put_bytes(out, v, ctx_off + CTX_OLD);
        cm_ckpt_put_bytes(out, v + ctx_off + sizeof(struct cm_ct_context),
                          vsize - ctx_off - sizeof(struct cm_ct_context));
    }
    assert_int_equal(r->err, 0);
}

/*
 * Engine checkpoint w with detector det's section (saved as version saved:
 * the seed, the two profile tables of values with their context at ctx_off,
 * maybe more) as its older version wrote it: its contexts without their
 * networks' clients, and without what follows the tables when drop_rest
 * (cloudtrail-anomaly's version 4, before 2026-12-05, had no account's
 * people's places). The rest as it is.
 */
static void anomaly_as_old(const struct cm_ckpt_w *w, struct cm_ckpt_w *out, const char *det,
                           uint32_t saved, uint32_t version, size_t ctx_off, bool drop_rest)
{
    struct cm_ckpt_r r;
    uint32_t n, kinds;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    assert_int_equal(cm_ckpt_get_u32(&r), 4);
    r.off += 4 * 8; /* the clock */
    kinds = cm_ckpt_get_u32(&r);
    r.off += (size_t)kinds * 4 * 8; /* each kind's */
    (void)cm_ckpt_get_u32(&r);      /* the eventIDs read */
    r.off = cm_ckpt_section(&r);
    (void)cm_ckpt_get_u32(&r); /* the flow learner's */
    r.off = cm_ckpt_section(&r);
    n = cm_ckpt_get_u32(&r);
    cm_ckpt_w_init(out, 0);
    cm_ckpt_put_bytes(out, w->buf.p, r.off);
    for (uint32_t i = 0; i < n; i++) {
        struct cm_str name = cm_ckpt_get_str(&r, 64);
        uint32_t sv = cm_ckpt_get_u32(&r);
        size_t end = cm_ckpt_section(&r), mark;

        assert_int_equal(r.err, 0);
        cm_ckpt_put_str(out, name.p, name.len);
        if (cm_str_eqc(name, det)) {
            assert_int_equal(sv, saved);
            cm_ckpt_put_u32(out, version);
            mark = cm_ckpt_begin(out);
            cm_ckpt_put_u64(out, cm_ckpt_get_u64(&r)); /* the seed */
            table_as_old(&r, out, ctx_off);
            table_as_old(&r, out, ctx_off);
            if (!drop_rest) {
                cm_ckpt_put_bytes(out, w->buf.p + r.off, end - r.off);
            }
        } else {
            cm_ckpt_put_u32(out, sv);
            mark = cm_ckpt_begin(out);
            cm_ckpt_put_bytes(out, w->buf.p + r.off, end - r.off);
        }
        cm_ckpt_end(out, mark);
        r.off = end;
    }
    assert_int_equal(r.off, w->buf.len);
    assert_int_equal(out->err, 0);
}

/* Runs text a, then b after mode's restart; *g gets what b made. */
static void run(struct got *g, const char *a, const char *b, enum mode mode, const char *det)
{
    struct cm_sink sink = {collect, g};
    struct cm_engine *e = NULL;
    struct cm_ckpt_w w;
    char dropped[256];

    memset(g, 0, sizeof(*g));
    assert_int_equal(cm_engine_create(&e, ct_table, &opts), 0);
    feed(e, a, FILE_A, &sink);
    memset(g, 0, sizeof(*g));
    switch (mode) {
    case RELOAD:
        e = ckfx_reload(e, ct_table, &opts);
        break;
    case FRESH:
        cm_engine_destroy(e);
        assert_int_equal(cm_engine_create(&e, ct_table, &opts), 0);
        break;
    case FORGET:
        ckfx_save(e, &w);
        cm_engine_destroy(e);
        assert_int_equal(
            ckfx_load(forgetting(det), &opts, w.buf.p, w.buf.len, &e, dropped, sizeof(dropped)), 0);
        assert_string_equal(dropped, det);
        cm_ckpt_w_finish(&w);
        break;
    case OLDANOM:
    case OLDANOM5:
    case OLDS3: {
        struct cm_ckpt_w old;

        ckfx_save(e, &w);
        cm_engine_destroy(e);
        if (mode == OLDS3) {
            anomaly_as_old(&w, &old, "cloudtrail-s3-anomaly", 4, 3, offsetof(struct m_s3ident, ctx),
                           false);
        } else {
            anomaly_as_old(&w, &old, "cloudtrail-anomaly", 6, mode == OLDANOM ? 4 : 5,
                           offsetof(struct m_ident, ctx), mode == OLDANOM);
        }
        assert_int_equal(
            ckfx_load(ct_table, &opts, old.buf.p, old.buf.len, &e, dropped, sizeof(dropped)), 0);
        assert_string_equal(dropped, "");
        cm_ckpt_w_finish(&old);
        cm_ckpt_w_finish(&w);
        break;
    }
    }
    feed(e, b, FILE_B, &sink);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    cm_engine_destroy(e);
}

/* b fires type only after a reload that keeps detector det's state; returns that run's index. */
static int fires_only_remembered(struct got *g, const char *a, const char *b, const char *det,
                                 const char *type)
{
    run(g, a, b, FRESH, det);
    assert_int_equal(count(g, type), 0);
    run(g, a, b, FORGET, det);
    assert_int_equal(count(g, type), 0);
    run(g, a, b, RELOAD, det);
    assert_int_equal(count(g, type), 1);
    return find(g, type);
}

/* ---- round trips ---- */

/* A trail's bucket learned before the restart: deleting it after is logging turned off. */
static void test_rules_trail_bucket(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "cloudtrail", "CreateTrail", HOME, CLI, false,
            "\"requestParameters\":{\"name\":\"main\",\"s3BucketName\":\"org-trail-logs\"}");
    add_rec(b, ALICE, 10 * HOUR + 300, "s3", "DeleteBucket", HOME, CLI, false,
            "\"requestParameters\":{\"bucketName\":\"org-trail-logs\"}");
    fires_only_remembered(&g, done(a), done(b), "cloudtrail-rules",
                          "Stealth:IAMUser/CloudTrailLoggingDisabled");
    free(a);
    free(b);
}

/* A strong policy before the restart: 14 -> 12 characters after is weaker (not than none). */
static void test_password_policy(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;
    int i;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "iam", "UpdateAccountPasswordPolicy", HOME, CLI, false,
            "\"requestParameters\":{\"minimumPasswordLength\":14,\"requireSymbols\":true,"
            "\"requireNumbers\":true,\"requireUppercaseCharacters\":true,"
            "\"requireLowercaseCharacters\":true,\"maxPasswordAge\":90,"
            "\"passwordReusePrevention\":24}");
    add_rec(b, ALICE, 11 * HOUR, "iam", "UpdateAccountPasswordPolicy", HOME, CLI, false,
            "\"requestParameters\":{\"minimumPasswordLength\":12,\"requireSymbols\":true,"
            "\"requireNumbers\":true,\"requireUppercaseCharacters\":true,"
            "\"requireLowercaseCharacters\":true,\"maxPasswordAge\":90,"
            "\"passwordReusePrevention\":24}");
    i = fires_only_remembered(&g, done(a), done(b), "cloudtrail-password-policy",
                              "Stealth:IAMUser/PasswordPolicyChange");
    assert_true(g.severity[i] == 2.0);
    assert_non_null(strstr(g.info[i], "\"oldPolicy\":{\"minimumPasswordLength\":14"));
    free(a);
    free(b);
}

/* Instance credentials at home before the restart, elsewhere after (no AWS ranges loaded). */
static void test_instance_credentials(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;
    int i;

    (void)state;
    add(a, INSTANCE, 10 * HOUR, "s3", "ListBuckets", "3.80.1.1", "Boto3/1.34");
    add(b, INSTANCE, 10 * HOUR + 1800, "iam", "ListUsers", "198.51.77.7", CLI);
    i = fires_only_remembered(
        &g, done(a), done(b), "cloudtrail-credential-exfiltration",
        "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS");
    assert_string_equal(g.resource[i], "ASIAINST0000000001");
    free(a);
    free(b);
}

/*
 * An Elastic IP associated before the restart and disassociated after: the association
 * is kept, so the instance calling from the address AWS gave it back is quiet. Were the
 * association lost, its Elastic IP would still be its home and the new address a thief's.
 */
static void test_instance_disassociated(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "ec2", "AssociateAddress", HOME, CLI, false,
            "\"requestParameters\":{\"instanceId\":\"i-0123456789abcdef0\",\"publicIp\":"
            "\"3.80.1.1\"},\"responseElements\":{\"associationId\":\"eipassoc-0aa1\"}");
    add(a, INSTANCE, 10 * HOUR + 60, "s3", "ListBuckets", "3.80.1.1", "Boto3/1.34");
    add_rec(b, ALICE, 10 * HOUR + 1800, "ec2", "DisassociateAddress", HOME, CLI, false,
            "\"requestParameters\":{\"associationId\":\"eipassoc-0aa1\"}");
    add(b, INSTANCE, 10 * HOUR + 1900, "s3", "ListBuckets", "3.80.7.7", "Boto3/1.34");
    for (int mode = RELOAD; mode <= FORGET; mode++) {
        run(&g, done(a), done(b), mode, "cloudtrail-credential-exfiltration");
        assert_int_equal(g.n, 0);
    }
    free(a);
    free(b);
}

/*
 * Lambda credentials used inside Lambda from twelve addresses (more than
 * the four a credential keeps: each new one is compared with those four
 * only) before the restart, from outside after.
 */
static void test_lambda_credentials(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    char ip[32];
    struct got g;

    (void)state;
    for (int k = 0; k < 12; k++) {
        snprintf(ip, sizeof(ip), "3.5.5.%d", k + 1);
        add(a, LAMBDA, 10 * HOUR + k * 60, "s3", "GetObject", ip, INLAMB);
        add(a, LAMBDA, 10 * HOUR + k * 60 + 30, "s3", "GetObject", ip, INLAMB);
    }
    add(b, LAMBDA, 11 * HOUR, "s3", "ListBuckets", "203.0.77.50", CLI);
    fires_only_remembered(&g, done(a), done(b), "cloudtrail-credential-exfiltration",
                          "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS");
    free(a);
    free(b);
}

/* A sign-in in London before the restart, in Milton (WA) 30 minutes after. */
static void test_travel(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;
    int i;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "signin", "ConsoleLogin", "81.2.69.142", "Mozilla/5.0", false, OK);
    add_rec(b, ALICE, 10 * HOUR + 1800, "signin", "ConsoleLogin", "216.160.83.56", "Mozilla/5.0",
            false, OK);
    i = fires_only_remembered(&g, done(a), done(b), "cloudtrail-console-travel",
                              "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B");
    /* Both sign-ins are evidence: the remembered one keeps its input. */
    assert_int_equal(g.nevidence[i], 2);
    assert_int_equal(g.file[i][0], FILE_A);
    assert_int_equal(g.file[i][1], FILE_B);
    assert_non_null(strstr(g.info[i], "\"ipAddress\":\"81.2.69.142\""));
    free(a);
    free(b);
}

/*
 * alice's profile of two days and a thief's first call before the restart;
 * the thief's second call after fires and names both, citing both records.
 */
static void test_anomaly(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;
    int i;

    (void)state;
    baseline(a, 0);
    baseline(a, 1);
    add(a, ALICE, DAY + 20 * HOUR, "iam", "CreateAccessKey", THIEF, BOTO);
    add(b, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO);
    i = fires_only_remembered(&g, done(a), done(b), "cloudtrail-anomaly",
                              "DefenseEvasion:IAMUser/AnomalousBehavior");
    assert_non_null(strstr(g.info[i], "iam.amazonaws.com:[CreateAccessKey:success] , "
                                      "ec2.amazonaws.com:[DeleteFlowLogs:success]"));
    assert_non_null(strstr(g.info[i], "\"profiledUserAgentsUserIdentityProfiling\":\"aws-cli\""));
    assert_int_equal(g.nevidence[i], 2);
    assert_int_equal(g.file[i][0], FILE_A);
    assert_int_equal(g.file[i][1], FILE_B);
    /*
     * A checkpoint of version 4 (before the people's places, 2026-12-05) keeps
     * the profiles: an upgrade does not make every identity learn again.
     */
    run(&g, done(a), done(b), OLDANOM, NULL);
    assert_int_equal(count(&g, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    /* Nor one of version 5 (before a network's clients, 2026-12-06). */
    run(&g, done(a), done(b), OLDANOM5, NULL);
    assert_int_equal(count(&g, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    /* Every network read is every client's: alice's CLI at home is still at home. */
    free(b);
    b = trail_new();
    add(b, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", HOME, CLI);
    run(&g, done(a), done(b), OLDANOM5, NULL);
    assert_int_equal(g.n, 0);
    run(&g, done(a), done(b), OLDANOM, NULL);
    assert_int_equal(g.n, 0);
    free(a);
    free(b);
}

/*
 * The profile's hashes were made with the saved seed: an engine made with
 * another one keeps hashing with it, so alice at home with her CLI is still
 * usual (a new seed would make her network and client new).
 */
static void test_anomaly_keeps_seed(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct cm_detect_opts other = opts;
    struct cm_sink sink;
    struct cm_engine *e = NULL;
    struct got g;

    (void)state;
    memset(&g, 0, sizeof(g));
    sink.emit = collect;
    sink.ud = &g;
    baseline(a, 0);
    baseline(a, 1);
    add(b, ALICE, DAY + 20 * HOUR, "iam", "CreateAccessKey", HOME, CLI);
    add(b, ALICE, DAY + 20 * HOUR + 60, "ec2", "DeleteFlowLogs", THIEF, BOTO);
    assert_int_equal(cm_engine_create(&e, ct_table, &opts), 0);
    feed(e, done(a), FILE_A, &sink);
    other.seed = 4;
    e = ckfx_reload(e, ct_table, &other);
    feed(e, done(b), FILE_B, &sink);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    cm_engine_destroy(e);
    /* The usual call is quiet; the thief's still fires (the profile was loaded). */
    assert_int_equal(count(&g, "Persistence:IAMUser/AnomalousBehavior"), 0);
    assert_int_equal(count(&g, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    free(a);
    free(b);
}

/*
 * Fifteen reads of a new bucket from a new place before the restart, five
 * after: the volume of 20 is reached only when the window's count is kept.
 */
static void test_s3_anomaly(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    char more[96];
    struct got g;
    int i;

    (void)state;
    s3_baseline(a, 0);
    s3_baseline(a, 1);
    for (int k = 0; k < 20; k++) {
        snprintf(more, sizeof(more),
                 "\"requestParameters\":{\"bucketName\":\"finance\",\"key\":"
                 "\"fin/%d\"}",
                 k);
        add_rec(k < 15 ? a : b, APP, DAY + 20 * HOUR + k, "s3", "GetObject", THIEF, CLI, true,
                more);
    }
    i = fires_only_remembered(&g, done(a), done(b), "cloudtrail-s3-anomaly",
                              "Exfiltration:S3/AnomalousBehavior");
    assert_string_equal(g.resource[i], "finance");
    assert_non_null(strstr(g.info[i], "\"calls\":20"));
    assert_true(cites(&g, i, FILE_A) && cites(&g, i, FILE_B));
    /* A checkpoint of version 3 (before a network's clients, 2026-12-06) keeps the window. */
    run(&g, done(a), done(b), OLDS3, NULL);
    assert_int_equal(count(&g, "Exfiltration:S3/AnomalousBehavior"), 1);
    free(a);
    free(b);
}

/* The sequence scenario: two tactics of alice's key before the restart, a third after. */
static void sequence_trails(struct trail *a, struct trail *b)
{
    static const char *const reads[] = {"ListUsers", "ListRoles", "ListPolicies", "ListAccessKeys",
                                        "ListGroups"};

    baseline(a, 0);
    baseline(a, 1);
    for (int k = 0; k < 5; k++) {
        add(a, ALICE, DAY + 20 * HOUR + k * 10, "iam", reads[k], THIEF, BOTO);
    }
    add(a, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO);
    add(b, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO);
}

static void test_sequence(void **state)
{
    const char *seq = "AttackSequence:IAM/CompromisedCredentials";
    struct trail *a = trail_new(), *b = trail_new();
    struct got g;
    int i;

    (void)state;
    sequence_trails(a, b);
    /* Without the signals, the anomaly model (whose state is kept) still fires: one tactic. */
    run(&g, done(a), done(b), FORGET, "attack-sequence");
    assert_int_equal(count(&g, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    assert_int_equal(count(&g, seq), 0);
    run(&g, done(a), done(b), FRESH, "attack-sequence");
    assert_int_equal(count(&g, seq), 0);
    /* Remembered, it holds: emitted once for each record of the key it counts (the two
     * before the restart too, each under its own key, ct_sequence.c). */
    run(&g, done(a), done(b), RELOAD, "attack-sequence");
    assert_int_equal(count(&g, seq), 3);
    i = find(&g, seq);
    assert_string_equal(g.resource[i], "AKIAALICE0000000001");
    /* The remembered signals keep their type names, tactics and records. */
    assert_non_null(strstr(g.info[i], "\"name\":\"Discovery:IAMUser/AnomalousBehavior\""));
    assert_non_null(strstr(g.info[i], "\"name\":\"Persistence:IAMUser/AnomalousBehavior\""));
    assert_non_null(strstr(g.info[i], "\"values\":[\"Discovery\",\"Persistence\","
                                      "\"DefenseEvasion\"]"));
    assert_true(cites(&g, i, FILE_A) && cites(&g, i, FILE_B));
    free(a);
    free(b);
}

/* ---- evidence references renumbered through the checkpoint's hooks ---- */

struct renumber {
    uint32_t from, to;
    unsigned calls;
};

/* Renumbers input from as to; any other input (an empty slot's 0) is refused. */
static int renumber(void *ud, struct cm_src_ref *r)
{
    struct renumber *rn = ud;

    rn->calls++;
    if (r->file_id != rn->from) {
        return CM_EINVAL;
    }
    r->file_id = rn->to;
    return 0;
}

static void test_refs_renumbered(void **state)
{
    struct trail *a = trail_new(), *b = trail_new();
    struct renumber out = {FILE_A, 1, 0}, in = {1, 42, 0};
    struct cm_sink sink = {collect, NULL};
    struct cm_engine *e = NULL;
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    struct got g;
    char dropped[128];
    int i;

    (void)state;
    memset(&g, 0, sizeof(g));
    sink.ud = &g;
    sequence_trails(a, b);
    /* bob signs in between (a profile of his own, too young to judge) */
    add_rec(a, BOB, DAY + 20 * HOUR + 90, "signin", "ConsoleLogin", "81.2.69.142", "Mozilla/5.0",
            false, OK);
    add_rec(b, BOB, DAY + 20 * HOUR + 900, "signin", "ConsoleLogin", "216.160.83.56", "Mozilla/5.0",
            false, OK);
    assert_int_equal(cm_engine_create(&e, ct_table, &opts), 0);
    feed(e, done(a), FILE_A, &sink);
    cm_ckpt_w_init(&w, 0);
    w.ref = renumber;
    w.ref_ud = &out;
    assert_int_equal(cm_engine_save(e, &w), 0);
    cm_engine_destroy(e);
    assert_int_equal(cm_engine_create(&e, ct_table, &opts), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    r.ref = renumber;
    r.ref_ud = &in;
    assert_int_equal(cm_engine_load(e, &r, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "");
    assert_int_equal(r.off, w.buf.len);
    /* Every kept record, and only those: as many in as out, none of an empty slot. */
    assert_true(out.calls > 0);
    assert_int_equal(in.calls, out.calls);
    memset(&g, 0, sizeof(g));
    feed(e, done(b), FILE_B, &sink);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    cm_engine_destroy(e);
    cm_ckpt_w_finish(&w);
    i = find(&g, "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B");
    assert_true(i >= 0 && g.file[i][0] == 42 && g.file[i][1] == FILE_B);
    i = find(&g, "DefenseEvasion:IAMUser/AnomalousBehavior");
    assert_true(i >= 0 && g.file[i][0] == 42 && g.file[i][g.nevidence[i] - 1] == FILE_B);
    i = find(&g, "AttackSequence:IAM/CompromisedCredentials");
    assert_true(cites(&g, i, 42) && cites(&g, i, FILE_B) && !cites(&g, i, FILE_A));
    free(a);
    free(b);
}

/* ---- corrupted values ---- */

/*
 * The codecs' checks, against the values' layouts: these mirror the
 * detectors' private structs, and each test first reads back the values it
 * planted through its mirror, so a layout that moved fails there.
 */
struct m_login {
    int64_t time_ms;
    double lat, lon;
    struct cm_ip ip;
    struct cm_src_ref src;
};
struct m_recent {
    struct m_login v[4];
    uint32_t next;
};
struct m_home {
    struct cm_ip addr[4];
    uint8_t keys[4];
    uint32_t n, next;
};
struct m_cred {
    uint8_t kind;
    bool seen;
    struct cm_ip lambda_addr[4];
    uint32_t nlambda;
};
struct m_signal {
    uint8_t type;
    uint8_t tactic;
    uint8_t source;
    bool high_risk;
    bool s3_data;
    uint8_t severity10;
    uint8_t region;
    uint8_t fid[16];
    int64_t first_ms, last_ms;
    uint32_t count;
    struct cm_src_ref src;
    uint64_t src_key;
    struct cm_ip ip;
    int64_t bucket_ms;
    char bucket[64];
};
struct m_pending {
    uint64_t key;
    int64_t ms;
};
struct m_signals {
    struct m_signal sig[16 + 20]; /* the findings', then raw activity's (version 10) */
    struct m_pending pend[64];
    uint32_t overflow[2];
    uint32_t ngone;
    uint32_t gone_tactics;
    uint32_t gone_raw_tactics;
    int64_t gone_first_ms, gone_last_ms;
    uint8_t gone_region;
    char gone_bucket[64];
    int64_t gone_bucket_ms;
    uint8_t gone_bucket_tactic;
    struct {
        int64_t ms;
        uint64_t key;
        char name[72], uid[96], type[24], account[16];
        int64_t session_ms;
        int8_t session_mfa;
        char issuer[136];
    } actor;
    char raw_bucket[64];
    int64_t raw_bucket_ms;
    uint8_t raw_bucket_tactic;
    int64_t raw_ms;
};

/* ct_sequence_raw.c's struct raw: a key's raw activity. */
struct m_raw_call {
    uint32_t count;
    uint32_t handed; /* version 11 */
    int64_t first_ms, last_ms;
    struct cm_src_ref src;
    uint64_t src_key;
    struct cm_ip ip;
    uint8_t region;
    char bucket[64];
};
struct m_raw {
    uint32_t seen;
    uint8_t props;
    struct m_raw_call call[20];
    struct m_pending rec[32];
    uint32_t more;
};

/* A checkpoint of text run through an engine of table, with the place of one value in it. */
struct saved {
    const struct cm_detector *const *table;
    struct cm_ckpt_w w;
    size_t at; /* the value's offset */
};

static size_t find_bytes(const struct cm_ckpt_w *w, const void *p, size_t n, size_t from)
{
    for (size_t i = from; i + n <= w->buf.len; i++) {
        if (memcmp(w->buf.p + i, p, n) == 0) {
            return i;
        }
    }
    return (size_t)-1;
}

static uint32_t le32(const char *p)
{
    const unsigned char *b = (const unsigned char *)p;

    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/*
 * Runs text through table, saves, and finds the value of the only entry
 * keyed key of its table (cm_state_save: u32 value size, u64 entries, i64
 * newest, then u32 key length, key, i64 last seen, u8 lag class, value),
 * which must be vsize bytes.
 */
static void save_one(struct saved *s, const struct cm_detector *const *table, const char *text,
                     const char *key, size_t vsize)
{
    struct cm_sink sink = {collect, NULL};
    struct cm_engine *e = NULL;
    struct got g;
    size_t klen = strlen(key), k;

    memset(&g, 0, sizeof(g));
    sink.ud = &g;
    s->table = table;
    assert_int_equal(cm_engine_create(&e, table, &opts), 0);
    feed(e, text, FILE_A, &sink);
    ckfx_save(e, &s->w);
    cm_engine_destroy(e);
    k = find_bytes(&s->w, key, klen, 0);
    assert_true(k != (size_t)-1 && k >= 4 + 4 + 8 + 8);
    assert_true(find_bytes(&s->w, key, klen, k + 1) == (size_t)-1);
    assert_int_equal(le32(s->w.buf.p + k - 4), klen);
    assert_int_equal(le32(s->w.buf.p + k - 4 - 8 - 8 - 4), vsize); /* its table holds it alone */
    s->at = k + klen + 8 + 1;
    assert_true(s->at + vsize <= s->w.buf.len);
}

/* What loading s with value replaced by val[0..n) returns. */
static int load_patched(const struct saved *s, const void *val, size_t n)
{
    char *copy = malloc(s->w.buf.len);
    struct cm_engine *e = NULL;
    int rc;

    assert_non_null(copy);
    memcpy(copy, s->w.buf.p, s->w.buf.len);
    memcpy(copy + s->at, val, n);
    rc = ckfx_load(s->table, &opts, copy, s->w.buf.len, &e, NULL, 0);
    assert_true(rc == 0 ? e != NULL : e == NULL);
    cm_engine_destroy(e);
    free(copy);
    return rc;
}

static void test_corrupt_rules(void **state)
{
    struct trail *a = trail_new();
    static const struct cm_detector *const table[] = {&cm_detector_ct_rules, NULL};
    unsigned char v[16]; /* struct trail_bucket: i64 when fed, u8 delivered, padding */
    struct saved s;

    (void)state;
    /* CloudTrail's check before a delivery: the bucket's entry alone */
    add_rec(a, ALICE, 10 * HOUR, "s3", "GetBucketAcl", "cloudtrail.amazonaws.com",
            "cloudtrail.amazonaws.com", false,
            "\"requestParameters\":{\"bucketName\":\"org-trail-logs\",\"acl\":\"\"}");
    save_one(&s, table, done(a), "111122223333/org-trail-logs", sizeof(v));
    memcpy(v, s.w.buf.p + s.at, sizeof(v));
    assert_int_equal(v[8], 1);
    assert_int_equal(load_patched(&s, v, sizeof(v)), 0);
    v[8] = 2; /* delivered is a flag */
    assert_int_equal(load_patched(&s, v, sizeof(v)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(a);
}

static void test_corrupt_password(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_password, NULL};
    struct trail *a = trail_new();
    struct cm_pwpolicy p;
    unsigned char two = 2;
    struct saved s;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "iam", "UpdateAccountPasswordPolicy", HOME, CLI, false,
            "\"requestParameters\":{\"minimumPasswordLength\":14,\"requireSymbols\":true}");
    save_one(&s, table, done(a), "111122223333", sizeof(p));
    memcpy(&p, s.w.buf.p + s.at, sizeof(p));
    assert_int_equal(p.min_length, 14);
    assert_true(p.symbols && !p.numbers);
    /* Numbers are compared in 64 bits: any is safe. A flag must be a bool. */
    p.min_length = 100000;
    assert_int_equal(load_patched(&s, &p, sizeof(p)), 0);
    memcpy(&p.numbers, &two, 1);
    assert_int_equal(load_patched(&s, &p, sizeof(p)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(a);
}

static void test_corrupt_credexfil(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_credexfil, NULL};
    struct trail *a = trail_new();
    struct m_home h, h0;
    struct m_cred c, c0;
    struct cm_ip ip, ip0;
    unsigned char two = 2;
    struct saved s;

    (void)state;
    add(a, INSTANCE, 10 * HOUR, "s3", "ListBuckets", "3.80.1.1", "Boto3/1.34");
    /* the instance's home */
    save_one(&s, table, done(a), "111122223333/i-0123456789abcdef0", sizeof(h));
    memcpy(&h0, s.w.buf.p + s.at, sizeof(h0));
    assert_true(h0.n == 1 && h0.next == 1 && h0.addr[0].family == CM_IP_V4 &&
                h0.addr[0].a[0] == 3 && h0.addr[0].a[1] == 80 && h0.keys[0] == 1);
    h = h0, h.n = 4, h.next = 3;
    h.addr[1] = h.addr[2] = h.addr[3] = h0.addr[0];
    assert_int_equal(load_patched(&s, &h, sizeof(h)), 0); /* a full ring */
    h = h0, h.n = 5;
    assert_int_equal(load_patched(&s, &h, sizeof(h)), CM_EINVAL);
    h = h0, h.next = 4;
    assert_int_equal(load_patched(&s, &h, sizeof(h)), CM_EINVAL);
    h = h0, h.addr[0].family = CM_IP_NONE;
    assert_int_equal(load_patched(&s, &h, sizeof(h)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    /* the credential */
    save_one(&s, table, done(a), "111122223333/ASIAINST0000000001", sizeof(c));
    memcpy(&c0, s.w.buf.p + s.at, sizeof(c0));
    assert_true(c0.kind == 1 && c0.seen && c0.nlambda == 0); /* CRED_EC2 */
    c = c0, c.kind = 2, c.nlambda = 9; /* CRED_LAMBDA: only the 4 kept addresses are read */
    for (int i = 0; i < 4; i++) {
        c.lambda_addr[i] = h0.addr[0];
    }
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c.lambda_addr[3].family = 5;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.kind = 3;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memcpy(&c.seen, &two, 1);
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    /* an Elastic IP's association: a public address, as kept */
    add_rec(a, ALICE, 11 * HOUR, "ec2", "AssociateAddress", HOME, CLI, false,
            "\"requestParameters\":{\"instanceId\":\"i-0123456789abcdef0\",\"publicIp\":"
            "\"3.80.1.1\"},\"responseElements\":{\"associationId\":\"eipassoc-0aa1\"}");
    save_one(&s, table, done(a), "111122223333/eipassoc-0aa1", sizeof(ip0));
    memcpy(&ip0, s.w.buf.p + s.at, sizeof(ip0));
    assert_true(ip0.family == CM_IP_V4 && ip0.a[0] == 3 && ip0.a[1] == 80);
    ip = ip0, ip.family = CM_IP_NONE;
    assert_int_equal(load_patched(&s, &ip, sizeof(ip)), CM_EINVAL);
    ip = ip0, ip.family = 9;
    assert_int_equal(load_patched(&s, &ip, sizeof(ip)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(a);
}

static void test_corrupt_travel(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_travel, NULL};
    struct trail *a = trail_new();
    struct m_recent r, r0;
    struct saved s;

    (void)state;
    add_rec(a, ALICE, 10 * HOUR, "signin", "ConsoleLogin", "81.2.69.142", "Mozilla/5.0", false, OK);
    save_one(&s, table, done(a), "111122223333/arn:aws:iam::111122223333:user/alice", sizeof(r));
    memcpy(&r0, s.w.buf.p + s.at, sizeof(r0));
    assert_true(r0.next == 1 && r0.v[0].lat == 51.5142 && r0.v[0].ip.a[0] == 81 &&
                r0.v[0].src.file_id == FILE_A && r0.v[1].time_ms == 0);
    r = r0, r.next = 3;
    assert_int_equal(load_patched(&s, &r, sizeof(r)), 0);
    r = r0, r.next = 4;
    assert_int_equal(load_patched(&s, &r, sizeof(r)), CM_EINVAL);
    r = r0, r.v[0].lat = NAN;
    assert_int_equal(load_patched(&s, &r, sizeof(r)), CM_EINVAL);
    r = r0, r.v[3].lon = INFINITY; /* an empty slot's place is read too */
    assert_int_equal(load_patched(&s, &r, sizeof(r)), CM_EINVAL);
    r = r0, r.v[0].ip.family = 5;
    assert_int_equal(load_patched(&s, &r, sizeof(r)), CM_EINVAL);
    r = r0, r.v[2].time_ms = INT64_MIN; /* now - then would overflow */
    assert_int_equal(load_patched(&s, &r, sizeof(r)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(a);
}

/* Breaks the kept calls and the context every way the profile codecs refuse. */
static void corrupt_shared(const struct saved *s, void *val, size_t vsize,
                           struct cm_ct_context *ctx, struct cm_ct_calls *recent, unsigned nkinds)
{
    void *orig = malloc(vsize);

    assert_non_null(orig);
    memcpy(orig, val, vsize);
    assert_int_equal(load_patched(s, val, vsize), 0);
    recent->next = CM_CT_RECENT - 1;
    assert_int_equal(load_patched(s, val, vsize), 0);
    recent->next = CM_CT_RECENT;
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    recent->v[0].kind = (uint8_t)nkinds;
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    memset(recent->v[CM_CT_RECENT - 1].name, 'x', sizeof(recent->v[0].name));
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    memset(ctx->clients[CM_CT_CLIENTS - 1].name, 'x', sizeof(ctx->clients[0].name));
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    memset(ctx->last_name, 'x', sizeof(ctx->last_name));
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    ctx->last_ip.family = 9;
    assert_int_equal(load_patched(s, val, vsize), CM_EINVAL);
    memcpy(val, orig, vsize);
    free(orig);
}

static void test_corrupt_anomaly(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_anomaly, NULL};
    struct trail *a = trail_new();
    struct m_ident *id = malloc(sizeof(*id)), *id0 = malloc(sizeof(*id0));
    struct saved s;

    (void)state;
    assert_non_null(id);
    assert_non_null(id0);
    baseline(a, 0);
    baseline(a, 1);
    add(a, ALICE, DAY + 20 * HOUR, "iam", "ListUsers", THIEF, BOTO);
    add(a, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO);
    save_one(&s, table, done(a), "111122223333/arn:aws:iam::111122223333:user/alice", sizeof(*id));
    memcpy(id0, s.w.buf.p + s.at, sizeof(*id0));
    assert_int_equal(id0->napis, 6);
    assert_int_equal(id0->dnext, 1);
    assert_string_equal(id0->ctx.last_name, "Botocore");
    assert_string_equal(id0->recent.v[1].name, "CreateAccessKey");
    assert_int_equal(id0->recent.v[1].kind, CM_TACTIC_PERSISTENCE);
    assert_int_equal(id0->recent.v[1].src.file_id, FILE_A);
    memcpy(id, id0, sizeof(*id));
    corrupt_shared(&s, id, sizeof(*id), &id->ctx, &id->recent, CM_TACTIC_COUNT);
    /* The API set: its count is what it holds, and a probe must meet an empty slot. */
    id->napis = 7;
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    for (uint32_t i = 0; i < 512; i++) {
        id->apis[i] = i | 1u;
    }
    id->napis = 512;
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    id->dnext = CM_CT_RECENT;
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(id);
    free(id0);
    free(a);
}

static void test_corrupt_s3_anomaly(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_s3_anomaly, NULL};
    struct trail *a = trail_new();
    struct m_s3ident *id = malloc(sizeof(*id)), *id0 = malloc(sizeof(*id0));
    unsigned char two = 2;
    struct saved s;

    (void)state;
    assert_non_null(id);
    assert_non_null(id0);
    s3_baseline(a, 0);
    s3_baseline(a, 1);
    add_rec(a, APP, DAY + 20 * HOUR, "s3", "GetObject", THIEF, CLI, true,
            "\"requestParameters\":{\"bucketName\":\"finance\",\"key\":\"a\"}");
    save_one(&s, table, done(a), "111122223333/arn:aws:iam::111122223333:role/deploy", sizeof(*id));
    memcpy(id0, s.w.buf.p + s.at, sizeof(*id0));
    assert_int_equal(id0->npairs, 3);
    assert_int_equal(id0->burst[1].calls, 1); /* K_EXFIL */
    assert_true(id0->burst[1].nv.net_new && id0->burst[1].ip.a[0] == 203);
    assert_string_equal(id0->burst[1].nv.client, "aws-cli");
    assert_string_equal(id0->recent.v[0].name, "GetObject");
    memcpy(id, id0, sizeof(*id));
    corrupt_shared(&s, id, sizeof(*id), &id->ctx, &id->recent, 5);
    id->recent.v[0].kind = 4; /* K_WRITE: the last kind */
    assert_int_equal(load_patched(&s, id, sizeof(*id)), 0);
    memcpy(id, id0, sizeof(*id));
    id->npairs = 2;
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    memcpy(&id->burst[4].fired, &two, 1);
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    memcpy(&id->burst[1].nv.client_new, &two, 1);
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    memset(id->burst[1].nv.client, 'x', sizeof(id->burst[1].nv.client));
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    id->burst[1].ip.family = 7;
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    memcpy(id, id0, sizeof(*id));
    id->burst[1].start_ms = INT64_MIN; /* the finding's first time */
    assert_int_equal(load_patched(&s, id, sizeof(*id)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(id);
    free(id0);
    free(a);
}

static void test_corrupt_sequence(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_rules,
                                                      &cm_detector_ct_sequence, NULL};
    static const char kali[] = "PenTest:IAMUser/KaliLinux";
    struct trail *a = trail_new();
    struct m_signals c, c0;
    unsigned char two = 2;
    struct saved s, t;
    size_t at;

    (void)state;
    /* One signal, PenTest, of alice's key: the type table names one type. */
    add(a, ALICE, 10 * HOUR, "sts", "GetCallerIdentity", HOME, KALI);
    save_one(&s, table, done(a), "111122223333/AKIAALICE0000000001", sizeof(c));
    memcpy(&c0, s.w.buf.p + s.at, sizeof(c0));
    assert_true(c0.sig[0].type == 1 && c0.sig[0].tactic == CM_TACTIC_PENTEST &&
                c0.sig[0].count == 1 && c0.sig[0].src.file_id == FILE_A && c0.sig[1].type == 0);
    c = c0, c.sig[5].type = 1; /* a second signal of the type: not made, but safe */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0, c.sig[0].type = 2;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[15].tactic = CM_TACTIC_COUNT; /* an empty slot's too: they keep their fields */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* Who used the key, and from where: C strings, an address of a family. */
    assert_string_equal(c0.actor.name, "alice");
    assert_true(c0.sig[0].ip.family == CM_IP_V4);
    c = c0;
    memset(c.actor.uid, 'u', sizeof(c.actor.uid));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.actor.session_mfa = 2; /* true, false or not known */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memset(c.actor.issuer, 'i', sizeof(c.actor.issuer));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[0].ip.family = 5;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[0].severity10 = 101; /* severities are 1.0 - 10.0, here in tenths */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[0].first_ms = INT64_MIN; /* the finding's first time */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memcpy(&c.sig[0].s3_data, &two, 1);
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memset(c.sig[0].bucket, 'b', sizeof(c.sig[0].bucket));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[0].bucket_ms = INT64_MAX;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* The region the finding is in: a number of the region table, which names one. */
    assert_int_equal(c0.sig[0].region, 1);
    c = c0, c.sig[0].region = 2;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.gone_region = 2;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.gone_region = 1;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    /* What the signals pushed out left: tactics, times, the bucket of their newest. */
    c = c0, c.gone_tactics = 1u << CM_TACTIC_COUNT;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.gone_first_ms = INT64_MIN;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.gone_bucket_tactic = CM_TACTIC_COUNT;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* A signal is a finding or raw activity of two kinds (version 9), each in slots of its
     * own (version 10): the findings' 16, then raw activity's 20. */
    assert_true(c0.sig[0].source == 0 && !c0.sig[0].high_risk);
    c = c0, c.sig[0].source = 2; /* S3_DATA_EVENTS in a finding's slot */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[16] = c0.sig[0], c.sig[16].source = 2; /* ... in a raw one's */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0, c.sig[16] = c0.sig[0]; /* a finding in a raw one's */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.sig[16].source = 2; /* an empty slot keeps its fields */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0, c.sig[16] = c0.sig[0], c.sig[16].source = 3;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memcpy(&c.sig[0].high_risk, &two, 1);
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.gone_raw_tactics = 1u << CM_TACTIC_COUNT;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* The bucket of the earliest raw call on data: a C string, a time, a tactic. */
    assert_true(c0.raw_bucket[0] == '\0');
    c = c0;
    memset(c.raw_bucket, 'b', sizeof(c.raw_bucket));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.raw_bucket_ms = INT64_MIN;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.raw_bucket_tactic = CM_TACTIC_COUNT;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.raw_ms = INT64_MAX;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, strcpy(c.raw_bucket, "finance"), c.raw_bucket_tactic = CM_TACTIC_IMPACT;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0;
    memset(c.gone_bucket, 'b', sizeof(c.gone_bucket));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.ngone = 3, c.overflow[0] = UINT32_MAX, c.gone_tactics = 1u << CM_TACTIC_IMPACT;
    c.pend[9].key = 3;                                    /* counted by both, of no record */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0); /* not made so, but safe */
    /* The records not counted yet: their times. */
    assert_true(c0.pend[0].key != 0 && c0.pend[0].ms == c0.sig[0].first_ms);
    c = c0, c.pend[0].ms = INT64_MIN;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* The region table: us-east-1, after the type table. */
    at = find_bytes(&s.w, "us-east-1", 9, 0);
    assert_true(at != (size_t)-1 && le32(s.w.buf.p + at - 4) == 9 && le32(s.w.buf.p + at - 8) == 1);
    t = s;
    t.at = at + 2;
    assert_int_equal(load_patched(&t, "\0", 1), CM_EINVAL);
    /* The type table: a name holding a NUL, or more names than it can number. */
    at = find_bytes(&s.w, kali, sizeof(kali) - 1, 0);
    assert_true(at != (size_t)-1 && le32(s.w.buf.p + at - 4) == sizeof(kali) - 1);
    assert_int_equal(le32(s.w.buf.p + at - 8), 1);
    t = s;
    t.at = at + 3;
    assert_int_equal(load_patched(&t, "\0", 1), CM_EINVAL);
    t.at = at - 8;
    assert_int_equal(load_patched(&t, "\x00\x01\x00\x00", 4), CM_EINVAL); /* 256 names */
    cm_ckpt_w_finish(&s.w);
    free(a);
}

/*
 * The raw activity of a key (ct_sequence_raw.c) read back: the calls seen (20 of them),
 * the properties, each call's times, address, region and bucket, the records' times.
 */
static void test_corrupt_sequence_raw(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_ct_sequence, NULL};
    struct trail *a = trail_new();
    struct m_raw c, c0;
    struct saved s;

    (void)state;
    /* alice enumerates the users, then lists her buckets: followed, no finding. */
    add(a, ALICE, 10 * HOUR, "iam", "ListUsers", HOME, CLI);
    add(a, ALICE, 10 * HOUR + 5, "s3", "ListBuckets", HOME, CLI);
    save_one(&s, table, done(a), "111122223333/AKIAALICE0000000001", sizeof(c));
    memcpy(&c0, s.w.buf.p + s.at, sizeof(c0));
    assert_true(c0.seen == (1u << 0 | 1u << 6) && c0.props == 0 && c0.call[0].count == 1 &&
                c0.call[6].count == 1 && c0.call[0].region == 1 &&
                c0.call[0].src.file_id == FILE_A && c0.rec[0].key != 0 && c0.rec[1].key != 0);
    c = c0, c.seen = 1u << 20;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.props = 4;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.props = 3, c.seen = (1u << 20) - 1; /* not made so, but safe */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0, c.call[0].region = 2;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.call[19].first_ms = INT64_MIN; /* a call not seen keeps its fields */
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    /* Of a call's count, those its signal has: never more (version 11). */
    assert_true(c0.call[0].handed == 0);
    c = c0, c.call[0].handed = 1;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), 0);
    c = c0, c.call[0].handed = 2;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.call[6].ip.family = 5;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0;
    memset(c.call[12].bucket, 'b', sizeof(c.call[12].bucket));
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    c = c0, c.rec[31].ms = INT64_MAX;
    assert_int_equal(load_patched(&s, &c, sizeof(c)), CM_EINVAL);
    cm_ckpt_w_finish(&s.w);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_trail_bucket),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_instance_credentials),
        cmocka_unit_test(test_instance_disassociated),
        cmocka_unit_test(test_lambda_credentials),
        cmocka_unit_test(test_travel),
        cmocka_unit_test(test_anomaly),
        cmocka_unit_test(test_anomaly_keeps_seed),
        cmocka_unit_test(test_s3_anomaly),
        cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_refs_renumbered),
        cmocka_unit_test(test_corrupt_rules),
        cmocka_unit_test(test_corrupt_password),
        cmocka_unit_test(test_corrupt_credexfil),
        cmocka_unit_test(test_corrupt_travel),
        cmocka_unit_test(test_corrupt_anomaly),
        cmocka_unit_test(test_corrupt_s3_anomaly),
        cmocka_unit_test(test_corrupt_sequence),
        cmocka_unit_test(test_corrupt_sequence_raw),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
