/*
 * CloudTrail rules over one event (issue #5; docs/detectors/cloudtrail.md):
 *
 *   Policy:IAMUser/RootCredentialUsage, ShortTermRootCredentialUsage
 *   Stealth:IAMUser/CloudTrailLoggingDisabled
 *   DefenseEvasion:IAMUser/BedrockLoggingDisabled
 *   PenTest:IAMUser/{Kali,Parrot,Pentoo}Linux and PenTest:S3/...
 *   Policy:S3/AccountBlockPublicAccessDisabled, BucketBlockPublicAccessDisabled
 *   Stealth:S3/ServerAccessLoggingDisabled
 *   Policy:S3/BucketAnonymousAccessGranted, BucketPublicAccessGranted
 *
 * The one piece of state: the buckets that receive a trail's logs, learned
 * per account from CreateTrail and UpdateTrail and from CloudTrail's own
 * GetBucketAcl and PutObject on the bucket, so that deleting one is
 * CloudTrailLoggingDisabled. Everything else is decided by the event alone.
 * The event source is compared first, so most events cost the root check,
 * the user-agent scan and one or two string compares.
 */
#include "detect/ct.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/state.h"

#define TRAIL_BUCKETS_MAX (64 * 1024)
#define TRAIL_BUCKETS_TTL (400LL * 24 * 3600 * 1000) /* a trail's bucket is remembered a year+ */
#define KEY_MAX           320                        /* account (12) + '/' + bucket (<= 255) */

#define RULES_STATE_VERSION 2u /* bump when the layout save writes changes */
/* CloudTrail checks the ACL of a bucket it delivers to every few minutes. */
#define TRAIL_QUIET_MS (3600LL * 1000)
/* Files in flight when a trail moves still reach its old bucket for a few minutes. */
#define TRAIL_MOVE_SLACK_MS (15LL * 60 * 1000)

/*
 * "account/bucket": when CloudTrail last delivered to the bucket (its GetBucketAcl or
 * PutObject) or a CreateTrail / UpdateTrail named it, and whether a delivery was seen;
 * "account/\x01" (no bucket name has that byte): when a CreateTrail / UpdateTrail
 * last named a bucket in the account.
 */
struct trail_bucket {
    int64_t fed_ms;
    uint8_t delivered;
};

struct rules {
    struct cm_state *trail_buckets; /* "account/bucket" -> struct trail_bucket */
    struct cm_json_doc scratch;     /* a bucket policy logged as a string */
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct rules *r = cm_calloc(1, sizeof(*r));
    struct cm_state_opts so = {
        .val_size = sizeof(struct trail_bucket),
        .max_entries = TRAIL_BUCKETS_MAX,
        .ttl_ms = TRAIL_BUCKETS_TTL,
        .seed = opts ? opts->seed : 0,
    };
    int rc;

    if (r == NULL) {
        return CM_ENOMEM;
    }
    if ((rc = cm_state_create(&r->trail_buckets, &so)) != 0) {
        cm_free(r);
        return rc;
    }
    cm_json_doc_init(&r->scratch, 0, 0);
    *state = r;
    return 0;
}

static void finish(void *state)
{
    struct rules *r = state;

    if (r == NULL) {
        return;
    }
    cm_state_destroy(r->trail_buckets);
    cm_json_doc_finish(&r->scratch);
    cm_free(r);
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct rules *r = state;

    (void)sink;
    cm_state_expire(r->trail_buckets, watermark_ms, NULL, NULL);
    return 0;
}

static bool name_is(const struct cm_ct *ct, const char *name)
{
    return cm_str_eqc(ct->event_name, name);
}

static int emit_type(const struct cm_event *ev, const char *type, struct cm_sink *sink)
{
    struct cm_detection d;

    cm_ct_detection(&d, ev, type);
    return cm_sink_emit(sink, &d);
}

/* ---- root ---------------------------------------------------------------------------- */

static bool assumed_root(const struct cm_ct_identity *u)
{
    return cm_str_eqc(u->assumed_root, "true");
}

/* A failed console sign-in: no credential was used. */
static bool failed_signin(const struct cm_ct *ct)
{
    return name_is(ct, "ConsoleLogin") &&
           (cm_str_eqc(cm_ct_member(ct, ct->response_elements, "ConsoleLogin"), "Failure") ||
            !cm_ct_ok(ct));
}

static int root_usage(const struct cm_event *ev, struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;
    bool short_term = assumed_root(&ct->uid);

    if (ct->uid.type != CM_UID_ROOT && !short_term) {
        return 0;
    }
    /*
     * An AWS service acting as root for the account (it calls from its own
     * name, not an address): the owner used nothing. The console's sign-in
     * service is the owner at the console, not a service acting alone.
     */
    if ((cm_str_present(ct->uid.invoked_by) && ct->uid.invoked_by.len > 0 &&
         !cm_str_eqc(ct->uid.invoked_by, "signin.amazonaws.com") &&
         !cm_str_eqc(ct->uid.invoked_by, "console.amazonaws.com")) ||
        ct->source_ip.family == CM_IP_NONE || failed_signin(ct)) {
        return 0;
    }
    return emit_type(ev,
                     short_term ? "Policy:IAMUser/ShortTermRootCredentialUsage"
                                : "Policy:IAMUser/RootCredentialUsage",
                     sink);
}

/* ---- pentest distributions ------------------------------------------------------------- */

static int pentest(const struct cm_event *ev, struct cm_sink *sink)
{
    static const char *const iam[] = {NULL, "PenTest:IAMUser/KaliLinux",
                                      "PenTest:IAMUser/ParrotLinux", "PenTest:IAMUser/PentooLinux"};
    static const char *const s3[] = {NULL, "PenTest:S3/KaliLinux", "PenTest:S3/ParrotLinux",
                                     "PenTest:S3/PentooLinux"};
    const struct cm_ct *ct = &ev->u.ct;
    enum cm_pentest_distro dist;
    struct cm_detection d;
    struct cm_str bucket;

    if (!cm_str_present(ct->user_agent) || ct->user_agent.len < 4) {
        return 0;
    }
    dist = cm_ua_distro(ct->user_agent);
    if (dist == CM_DISTRO_NONE || (unsigned)dist >= sizeof(iam) / sizeof(iam[0])) {
        return 0;
    }
    bucket = cm_ct_bucket(ct, NULL);
    if (cm_ct_s3_data(ct) && cm_str_present(bucket) && bucket.len > 0) {
        cm_ct_detection(&d, ev, s3[dist]);
        d.actor = d.resource_id;
        d.resource_type = CM_RES_S3_BUCKET;
        d.resource_id = bucket;
    } else {
        cm_ct_detection(&d, ev, iam[dist]);
    }
    return cm_sink_emit(sink, &d);
}

/* ---- CloudTrail and Bedrock logging ------------------------------------------------------ */

static size_t bucket_key(const struct cm_event *ev, struct cm_str bucket, char *out)
{
    size_t n = 0;

    if (ev->account.len + 1 + bucket.len > KEY_MAX) {
        return 0;
    }
    memcpy(out, ev->account.p, ev->account.len);
    n = ev->account.len;
    out[n++] = '/';
    memcpy(out + n, bucket.p, bucket.len);
    return n + bucket.len;
}

/* Notes that the bucket (or, for "\x01", the account's trails) got logs at the event's time. */
static int feed(struct rules *r, const struct cm_event *ev, struct cm_str bucket, bool delivery)
{
    struct trail_bucket *tb;
    char key[KEY_MAX];
    size_t n = bucket_key(ev, bucket, key);

    if (n == 0) {
        return 0;
    }
    if ((tb = cm_state_touch(r->trail_buckets, key, n, ev->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    if (ev->time_ms > tb->fed_ms) {
        tb->fed_ms = ev->time_ms;
    }
    tb->delivered |= delivery;
    return 0;
}

/* Remembers the bucket a CreateTrail / UpdateTrail sends logs to, and when a trail moved. */
static int learn_trail_bucket(struct rules *r, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str b = cm_ct_member(ct, ct->response_elements, "s3BucketName");
    int rc;

    if (!cm_str_present(b)) {
        b = cm_ct_member(ct, ct->request_parameters, "s3BucketName");
    }
    if (!cm_str_present(b) || b.len == 0) {
        return 0;
    }
    rc = feed(r, ev, b, false);
    return rc ? rc : feed(r, ev, cm_str_cstr("\x01"), false);
}

/*
 * CloudTrail's own calls on the bucket it delivers a trail's logs to: the
 * GetBucketAcl it checks before each delivery (a management event of the
 * bucket's account) and the PutObject of each log file (an S3 data event).
 * They name the bucket of a trail whose CreateTrail is older than the logs
 * being read. No caller but the service itself shows as cloudtrail.amazonaws.com.
 */
static int learn_delivery_bucket(struct rules *r, const struct cm_event *ev, struct cm_str bucket)
{
    const struct cm_ct *ct = &ev->u.ct;

    if (!(cm_str_eqc(ct->uid.invoked_by, "cloudtrail.amazonaws.com") ||
          cm_str_eqc(ct->source_ip_address, "cloudtrail.amazonaws.com")) ||
        !(name_is(ct, "GetBucketAcl") || name_is(ct, "PutObject")) || !cm_str_present(bucket) ||
        bucket.len == 0) {
        return 0;
    }
    return feed(r, ev, bucket, true);
}

/*
 * Whether the bucket stopped receiving a trail's logs: CloudTrail delivered to it, then
 * a CreateTrail / UpdateTrail of the account named a bucket (the trail moved: to a
 * central log archive, say), and CloudTrail has not checked the bucket for an hour.
 */
static bool retired(const struct rules *r, const struct cm_event *ev, const struct trail_bucket *tb)
{
    const struct trail_bucket *acct;
    char key[KEY_MAX];
    size_t n = bucket_key(ev, cm_str_cstr("\x01"), key);

    acct = n > 0 ? cm_state_get(r->trail_buckets, key, n) : NULL;
    return tb->delivered && acct != NULL && acct->fed_ms + TRAIL_MOVE_SLACK_MS > tb->fed_ms &&
           ev->time_ms - tb->fed_ms >= TRAIL_QUIET_MS;
}

static bool is_trail_bucket(const struct rules *r, const struct cm_event *ev, struct cm_str b)
{
    const struct trail_bucket *tb;
    char key[KEY_MAX];
    size_t n = bucket_key(ev, b, key);

    tb = n > 0 ? cm_state_get(r->trail_buckets, key, n) : NULL;
    if (tb != NULL && retired(r, ev, tb)) {
        return false;
    }
    return tb != NULL || cm_str_starts(b, "aws-cloudtrail-logs-");
}

/* A member given and false; an absent one is not (the API's default is true). */
static bool json_false(const struct cm_json_doc *doc, uint32_t n)
{
    return n != CM_JSON_NONE && !cm_json_truthy(doc, n);
}

/*
 * A PutEventSelectors that leaves the trail recording nothing: every basic
 * selector excludes management events (includeManagementEvents given as false:
 * left out, it is true) and names no data resource (a data
 * resource with no values selects nothing), or the advanced selectors are
 * an empty list.
 */
static bool selects_nothing(const struct cm_ct *ct)
{
    const struct cm_json_doc *doc = ct->doc;
    uint32_t sel, adv;
    size_t nsel = 0;

    if (doc == NULL || ct->request_parameters == CM_JSON_NONE) {
        return false;
    }
    adv = cm_json_get(doc, ct->request_parameters, "advancedEventSelectors");
    if (adv != CM_JSON_NONE && cm_json_type(doc, adv) == CM_JSON_ARRAY) {
        return cm_json_first(doc, adv) == CM_JSON_NONE;
    }
    sel = cm_json_get(doc, ct->request_parameters, "eventSelectors");
    if (sel == CM_JSON_NONE || cm_json_type(doc, sel) != CM_JSON_ARRAY) {
        return false;
    }
    for (uint32_t s = cm_json_first(doc, sel); s != CM_JSON_NONE; s = cm_json_next(doc, sel, s)) {
        uint32_t res;
        if (cm_json_type(doc, s) != CM_JSON_OBJECT ||
            !json_false(doc, cm_json_get(doc, s, "includeManagementEvents"))) {
            return false;
        }
        res = cm_json_get(doc, s, "dataResources");
        if (res != CM_JSON_NONE && cm_json_type(doc, res) == CM_JSON_ARRAY) {
            for (uint32_t x = cm_json_first(doc, res); x != CM_JSON_NONE;
                 x = cm_json_next(doc, res, x)) {
                uint32_t v = cm_json_type(doc, x) == CM_JSON_OBJECT ? cm_json_get(doc, x, "values")
                                                                    : CM_JSON_NONE;
                if (v != CM_JSON_NONE && cm_json_type(doc, v) == CM_JSON_ARRAY &&
                    cm_json_first(doc, v) != CM_JSON_NONE) {
                    return false;
                }
            }
        }
        nsel++;
    }
    return nsel > 0;
}

static int cloudtrail(struct rules *r, const struct cm_event *ev, struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;

    if (!cm_ct_ok(ct)) {
        return 0;
    }
    if (name_is(ct, "CreateTrail") || name_is(ct, "UpdateTrail")) {
        return learn_trail_bucket(r, ev);
    }
    if (name_is(ct, "StopLogging") || name_is(ct, "DeleteTrail") ||
        (name_is(ct, "PutEventSelectors") && selects_nothing(ct))) {
        return emit_type(ev, "Stealth:IAMUser/CloudTrailLoggingDisabled", sink);
    }
    return 0;
}

/* ---- S3 --------------------------------------------------------------------------------- */

/* The member of obj whose name is key in any case (S3 logs some in PascalCase, some not). */
static uint32_t get_icase(const struct cm_json_doc *doc, uint32_t obj, const char *key)
{
    struct cm_str key_s = cm_str_cstr(key);

    if (obj == CM_JSON_NONE || cm_json_type(doc, obj) != CM_JSON_OBJECT) {
        return CM_JSON_NONE;
    }
    /* Members are a key node followed by its value's subtree. */
    for (uint32_t k = cm_json_first(doc, obj); k != CM_JSON_NONE;
         k = cm_json_next(doc, obj, k + 1)) {
        if (cm_str_ieq(cm_json_raw(doc, k), key_s)) {
            return k + 1;
        }
    }
    return CM_JSON_NONE;
}

/* A PublicAccessBlockConfiguration whose four settings are all off (false or absent). */
static bool bpa_all_off(const struct cm_ct *ct)
{
    static const char *const flags[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                        "RestrictPublicBuckets"};
    uint32_t cfg = get_icase(ct->doc, ct->request_parameters, "PublicAccessBlockConfiguration");

    if (cfg == CM_JSON_NONE || cm_json_type(ct->doc, cfg) != CM_JSON_OBJECT) {
        return false;
    }
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        uint32_t v = get_icase(ct->doc, cfg, flags[i]);
        if (v != CM_JSON_NONE && cm_json_truthy(ct->doc, v)) {
            return false;
        }
    }
    return true;
}

/*
 * A PutBucketLogging whose BucketLoggingStatus has no LoggingEnabled. CloudTrail
 * writes the XML body's empty element as an object when it carries the S3
 * namespace ({"xmlns": ...}) and as "" (or null) when it carries nothing, as a
 * request that leaves out the namespace sends it: both are empty.
 */
static bool logging_off(const struct cm_ct *ct)
{
    uint32_t st = get_icase(ct->doc, ct->request_parameters, "BucketLoggingStatus");

    if (st == CM_JSON_NONE) {
        return false;
    }
    switch (cm_json_type(ct->doc, st)) {
    case CM_JSON_OBJECT:
        return get_icase(ct->doc, st, "LoggingEnabled") == CM_JSON_NONE;
    case CM_JSON_NULL:
        return true;
    case CM_JSON_STRING:
        return cm_json_raw(ct->doc, st).len == 0;
    default:
        return false;
    }
}

static const char *bpa_type(const struct cm_ct *ct, bool has_bucket)
{
    bool put = name_is(ct, "PutBucketPublicAccessBlock") ||
               name_is(ct, "PutAccountPublicAccessBlock") || name_is(ct, "PutPublicAccessBlock");
    bool del = name_is(ct, "DeleteBucketPublicAccessBlock") ||
               name_is(ct, "DeleteAccountPublicAccessBlock") ||
               name_is(ct, "DeletePublicAccessBlock");
    bool bucket_level =
        name_is(ct, "PutBucketPublicAccessBlock") || name_is(ct, "DeleteBucketPublicAccessBlock") ||
        ((name_is(ct, "PutPublicAccessBlock") || name_is(ct, "DeletePublicAccessBlock")) &&
         has_bucket);

    if (!(del || (put && bpa_all_off(ct)))) {
        return NULL;
    }
    return bucket_level ? "Policy:S3/BucketBlockPublicAccessDisabled"
                        : "Policy:S3/AccountBlockPublicAccessDisabled";
}

static const char *exposure_type(enum cm_s3_exposure x)
{
    return x == CM_S3X_ANONYMOUS       ? "Policy:S3/BucketAnonymousAccessGranted"
           : x == CM_S3X_AUTHENTICATED ? "Policy:S3/BucketPublicAccessGranted"
                                       : NULL;
}

static int s3(struct rules *r, const struct cm_event *ev, struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str bucket = cm_ct_bucket(ct, NULL);
    bool has_bucket = cm_str_present(bucket) && bucket.len > 0;
    const char *type = NULL, *why = NULL;
    int rc;

    if ((rc = learn_delivery_bucket(r, ev, bucket)) != 0) {
        return rc;
    }
    if (!cm_ct_ok(ct) || ct->doc == NULL || cm_ct_s3_data(ct)) {
        return 0;
    }
    if (cm_str_ends(ct->event_name, "PublicAccessBlock")) {
        type = bpa_type(ct, has_bucket);
    } else if (name_is(ct, "PutBucketLogging")) {
        type = logging_off(ct) ? "Stealth:S3/ServerAccessLoggingDisabled" : NULL;
    } else if (name_is(ct, "PutBucketPolicy")) {
        uint32_t pol = get_icase(ct->doc, ct->request_parameters, "bucketPolicy");
        type = pol == CM_JSON_NONE
                   ? NULL
                   : exposure_type(cm_s3_policy_exposure(ct->doc, pol, &r->scratch, &why));
    } else if (name_is(ct, "PutBucketAcl") || name_is(ct, "CreateBucket")) {
        type = ct->request_parameters == CM_JSON_NONE
                   ? NULL
                   : exposure_type(cm_s3_acl_exposure(ct->doc, ct->request_parameters, &why));
    } else if (name_is(ct, "DeleteBucket") && has_bucket && is_trail_bucket(r, ev, bucket)) {
        type = "Stealth:IAMUser/CloudTrailLoggingDisabled";
    }
    return type ? emit_type(ev, type, sink) : 0;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct rules *r = state;
    const struct cm_ct *ct = &ev->u.ct;
    int rc;

    if ((rc = root_usage(ev, sink)) != 0 || (rc = pentest(ev, sink)) != 0) {
        return rc;
    }
    if (cm_str_eqc(ct->event_source, "s3.amazonaws.com")) {
        return s3(r, ev, sink);
    }
    if (cm_str_eqc(ct->event_source, "cloudtrail.amazonaws.com")) {
        return cloudtrail(r, ev, sink);
    }
    if (cm_str_eqc(ct->event_source, "bedrock.amazonaws.com") &&
        name_is(ct, "DeleteModelInvocationLoggingConfiguration") && cm_ct_ok(ct)) {
        return emit_type(ev, "DefenseEvasion:IAMUser/BedrockLoggingDisabled", sink);
    }
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct rules *)state)->trail_buckets);
}

/* The trail buckets: a time (any) and a flag. */
static bool bucket_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct trail_bucket *tb = val;

    (void)ud;
    (void)key;
    (void)klen;
    return tb->delivered <= 1;
}

static const struct cm_state_codec bucket_codec = {.check = bucket_ok};

static int save(const void *state, struct cm_ckpt_w *w)
{
    return cm_state_save(((const struct rules *)state)->trail_buckets, w, &bucket_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    return cm_state_load(((struct rules *)state)->trail_buckets, r, &bucket_codec);
}

static const char *const types[] = {
    "Policy:IAMUser/RootCredentialUsage",
    "Policy:IAMUser/ShortTermRootCredentialUsage",
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
    "DefenseEvasion:IAMUser/BedrockLoggingDisabled",
    "PenTest:IAMUser/KaliLinux",
    "PenTest:IAMUser/ParrotLinux",
    "PenTest:IAMUser/PentooLinux",
    "PenTest:S3/KaliLinux",
    "PenTest:S3/ParrotLinux",
    "PenTest:S3/PentooLinux",
    "Policy:S3/AccountBlockPublicAccessDisabled",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "Stealth:S3/ServerAccessLoggingDisabled",
    "Policy:S3/BucketAnonymousAccessGranted",
    "Policy:S3/BucketPublicAccessGranted",
    NULL,
};

const struct cm_detector cm_detector_ct_rules = {
    .name = "cloudtrail-rules",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = RULES_STATE_VERSION,
    .save = save,
    .load = load,
};
