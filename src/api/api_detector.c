/*
 * The detector operations (api_detector.h). A detector is a store row
 * (store_detectors.c); its findingPublishingFrequency is the store's
 * (cm_store_publish_freq), which the bus uses for every detector alike.
 * Of the features, coalmine reads CloudTrail management events, VPC flow
 * logs and Route 53 Resolver logs (always on, as GuardDuty's foundational
 * sources) and S3 data events (S3_DATA_EVENTS, which may be turned off);
 * enabling any other feature is refused, since nothing would read its data.
 */
#include "api/api_detector.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "api/api_input.h"
#include "api/api_tags.h"
#include "base/err.h"
#include "base/time.h"
#include "store/store.h"

#define S3_ON  "{\"S3_DATA_EVENTS\":\"ENABLED\"}"
#define S3_OFF "{\"S3_DATA_EVENTS\":\"DISABLED\"}"

static const char *const freqs[] = {"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS", NULL};
static const char *const feature_names[] = {
    "S3_DATA_EVENTS",      "EKS_AUDIT_LOGS",         "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS", "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING",     NULL};
static const char *const statuses[] = {"ENABLED", "DISABLED", NULL};

const char *cm_api_region(const struct cm_api_ctx *ctx, const struct cm_api_req *req)
{
    return req->region != NULL && req->region[0] != '\0' ? req->region : ctx->region;
}

struct owned {
    const char *account, *region;
    bool ok;
};

static int on_owned(void *ud, const struct cm_store_detector *d)
{
    struct owned *o = ud;
    o->ok = strcmp(d->account, o->account) == 0 && strcmp(d->region, o->region) == 0;
    return 0;
}

int cm_api_detector_check(struct cm_api_ctx *ctx, const struct cm_api_req *req, const char *id,
                          struct cm_api_resp *resp)
{
    struct owned o = {ctx->account, cm_api_region(ctx, req), false};
    int rc;

    if (strlen(id) > CM_STORE_DETECTOR_ID_MAX) {
        return cm_api_bad_request(resp, CM_API_NOT_OWNED);
    }
    rc = cm_store_detector_get(ctx->store, id, on_owned, &o);
    if (rc == CM_EIO) {
        return cm_api_error(resp, 500, "InternalServerErrorException", NULL,
                            "the store could not be read");
    }
    if (rc != 0 || !o.ok) {
        return cm_api_bad_request(resp, CM_API_NOT_OWNED);
    }
    return 0;
}

static int first_id(void *ud, const struct cm_store_detector *d)
{
    snprintf(ud, CM_STORE_DETECTOR_ID_MAX + 1, "%s", d->id);
    return 0;
}

/* 32 random lower-case hex digits. */
static int random_id(char id[33])
{
    unsigned char rnd[16];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        return -1;
    }
    for (int i = 0; i < 16; i++) {
        snprintf(id + 2 * i, 3, "%02x", rnd[i]);
    }
    return 0;
}

int cm_api_detector_ensure(struct cm_api_ctx *ctx, const char *id, int64_t now_ms, char *out,
                           size_t outlen, char *err, size_t errlen)
{
    char found[CM_STORE_DETECTOR_ID_MAX + 1] = "", rid[33];
    struct cm_store_detector d = {
        .id = id,
        .account = ctx->account,
        .region = ctx->region,
        .enabled = true,
        .features = S3_ON,
        .tags = "{}",
        .created_ms = now_ms,
        .updated_ms = now_ms,
    };
    int rc = cm_store_detectors(ctx->store, ctx->account, ctx->region, NULL, 1, first_id, found,
                                err, errlen);

    if (rc == 0 && found[0] == '\0') {
        rc = cm_store_detector_create(ctx->store, &d, err, errlen);
        if (rc == CM_EEXIST) {
            /*
             * Another process (a second serve started at the same moment on a new store)
             * created this account and region's detector since it was read: take it.
             */
            rc = cm_store_detectors(ctx->store, ctx->account, ctx->region, NULL, 1, first_id, found,
                                    err, errlen);
            if (rc == 0 && found[0] != '\0') {
                snprintf(out, outlen, "%s", found);
                return 0;
            }
            rc = rc == 0 ? CM_EEXIST : rc;
        }
        if (rc == CM_EEXIST) { /* the id is another account's or region's */
            if (random_id(rid) != 0) {
                snprintf(err, errlen, "no random bytes for a detector id");
                return CM_EIO;
            }
            d.id = rid;
            rc = cm_store_detector_create(ctx->store, &d, err, errlen);
        }
        snprintf(found, sizeof(found), "%s", d.id);
    }
    if (rc == 0) {
        snprintf(out, outlen, "%s", found);
    }
    return rc;
}

/*
 * The features and legacy dataSources of a Create/UpdateDetector body: *s3 becomes 1
 * (enable) or 0 (disable) when the body says, else stays. Enabling a feature coalmine
 * does not read is a 400.
 */
static int read_features(struct cm_api_in *b, struct cm_api_resp *resp, int *s3)
{
    const struct cm_json_doc *d = &b->d;
    uint32_t arr, ds, n;
    char msg[256];

    if (cm_api_in_node(b, resp, 0, "features", false, CM_JSON_ARRAY, &arr) != 0) {
        return -1;
    }
    for (uint32_t e = arr != CM_JSON_NONE ? cm_json_first(d, arr) : CM_JSON_NONE; e != CM_JSON_NONE;
         e = cm_json_next(d, arr, e)) {
        const char *name, *status;

        if (cm_json_type(d, e) != CM_JSON_OBJECT) {
            return cm_api_in_bad(b, resp, "features[]", e, "must be an object");
        }
        if (cm_api_in_enum(b, resp, e, "name", true, feature_names, &name) != 0 ||
            cm_api_in_enum(b, resp, e, "status", false, statuses, &status) != 0 ||
            cm_api_in_node(b, resp, e, "additionalConfiguration", false, CM_JSON_ARRAY, &n) != 0) {
            return -1;
        }
        if (strcmp(name, "S3_DATA_EVENTS") == 0) {
            if (status != NULL) {
                *s3 = strcmp(status, "ENABLED") == 0;
            }
        } else if (status != NULL && strcmp(status, "ENABLED") == 0) {
            snprintf(msg, sizeof(msg),
                     "The request is rejected because coalmine does not read the data of "
                     "feature %s (it reads CloudTrail, VPC flow logs, Route 53 Resolver logs "
                     "and S3 data events).",
                     name);
            return cm_api_bad_request(resp, msg);
        }
    }
    if (cm_api_in_node(b, resp, 0, "dataSources", false, CM_JSON_OBJECT, &ds) != 0) {
        return -1;
    }
    if (ds != CM_JSON_NONE) {
        bool on = false, given = false;
        uint32_t s3logs, k8s, audit = CM_JSON_NONE, mp;
        if (cm_api_in_node(b, resp, ds, "s3Logs", false, CM_JSON_OBJECT, &s3logs) != 0 ||
            cm_api_in_node(b, resp, ds, "kubernetes", false, CM_JSON_OBJECT, &k8s) != 0 ||
            cm_api_in_node(b, resp, ds, "malwareProtection", false, CM_JSON_OBJECT, &mp) != 0) {
            return -1;
        }
        if (s3logs != CM_JSON_NONE) {
            if (cm_api_in_bool(b, resp, s3logs, "enable", true, &given, &on) != 0) {
                return -1;
            }
            *s3 = on;
        }
        if (k8s != CM_JSON_NONE) {
            on = false;
            if (cm_api_in_node(b, resp, k8s, "auditLogs", false, CM_JSON_OBJECT, &audit) != 0 ||
                (audit != CM_JSON_NONE &&
                 cm_api_in_bool(b, resp, audit, "enable", false, &given, &on) != 0)) {
                return -1;
            }
            if (on) {
                return cm_api_bad_request(resp, "The request is rejected because coalmine does "
                                                "not read Kubernetes audit logs.");
            }
        }
        if (mp != CM_JSON_NONE &&
            cm_json_path(d, mp, "scanEc2InstanceWithFindings.ebsVolumes") != CM_JSON_NONE) {
            uint32_t ebs = cm_json_path(d, mp, "scanEc2InstanceWithFindings.ebsVolumes");
            if (cm_json_type(d, ebs) == CM_JSON_TRUE ||
                (cm_json_type(d, ebs) == CM_JSON_OBJECT &&
                 cm_json_get(d, ebs, "enable") != CM_JSON_NONE &&
                 cm_json_type(d, cm_json_get(d, ebs, "enable")) == CM_JSON_TRUE)) {
                return cm_api_bad_request(resp, "The request is rejected because coalmine does "
                                                "not scan EBS volumes for malware.");
            }
        }
    }
    return 0;
}

static int set_freq(struct cm_api_ctx *ctx, const char *name, struct cm_api_resp *resp)
{
    enum cm_publish_freq f;
    char err[256];

    if (cm_publish_freq_parse(name, &f) != 0 ||
        cm_store_set_publish_freq(ctx->store, f, err, sizeof(err)) != 0) {
        return cm_api_error(resp, 500, "InternalServerErrorException", NULL,
                            "the publishing frequency could not be saved");
    }
    return 0;
}

struct token_match {
    const char *token;
    char *id;
    bool same;
};

static int on_token(void *ud, const struct cm_store_detector *d)
{
    struct token_match *t = ud;
    t->same = strcmp(d->client_token, t->token) == 0;
    if (t->same) {
        snprintf(t->id, CM_STORE_DETECTOR_ID_MAX + 1, "%s", d->id);
    }
    return 0;
}

/* Whether the account's detector in region was created with token; its id into id. */
static bool same_token(struct cm_api_ctx *ctx, const char *region, const char *token, char *id)
{
    struct token_match t = {token, id, false};
    char err[256];

    return cm_store_detectors(ctx->store, ctx->account, region, NULL, 1, on_token, &t, err,
                              sizeof(err)) == 0 &&
           t.same;
}

static int store_failed(struct cm_api_resp *resp, const char *err)
{
    char msg[320];
    snprintf(msg, sizeof(msg), "the store failed: %s", err);
    return cm_api_error(resp, 500, "InternalServerErrorException", NULL, msg);
}

int cm_api_create_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp)
{
    struct cm_api_in b;
    struct cm_jw jw;
    struct cm_buf tags;
    const char *freq = NULL, *token = NULL;
    char id[CM_STORE_DETECTOR_ID_MAX + 1], err[256];
    bool enable = false, given;
    int s3 = 1, rc = -1, r;
    uint32_t tnode;

    cm_buf_init(&tags, 0);
    if (cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_bool(&b, resp, 0, "enable", true, &given, &enable) != 0 ||
        cm_api_in_str(&b, resp, 0, "clientToken", false, 1, 64, &token) != 0 ||
        cm_api_in_enum(&b, resp, 0, "findingPublishingFrequency", false, freqs, &freq) != 0 ||
        read_features(&b, resp, &s3) != 0 ||
        cm_api_in_node(&b, resp, 0, "tags", false, CM_JSON_OBJECT, &tnode) != 0 ||
        cm_api_tags_merge(NULL, &b.d, tnode, &tags, resp) != 0) {
        goto out;
    }
    if (random_id(id) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, "no random bytes");
        goto out;
    }
    struct cm_store_detector det = {
        .id = id,
        .account = ctx->account,
        .region = cm_api_region(ctx, req),
        .enabled = enable,
        .features = s3 ? S3_ON : S3_OFF,
        .tags = tags.p,
        .created_ms = req->now_ms,
        .updated_ms = req->now_ms,
        .client_token = token,
    };
    r = cm_store_detector_create(ctx->store, &det, err, sizeof(err));
    if (r == CM_EEXIST && token != NULL && same_token(ctx, det.region, token, id)) {
        r = 0; /* a retry of the call that created it: the same answer */
        freq = NULL;
    }
    if (r == CM_EEXIST) {
        cm_api_bad_request(resp, "The request is rejected because a detector already exists "
                                 "for the current account.");
        goto out;
    }
    if (r != 0) {
        store_failed(resp, err);
        goto out;
    }
    if (freq != NULL && set_freq(ctx, freq, resp) != 0) {
        goto out;
    }
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "detectorId");
    cm_jw_str(&jw, id);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
out:
    cm_buf_finish(&tags);
    cm_api_in_finish(&b);
    return rc;
}

static void status_obj(struct cm_jw *jw, const char *key, bool on)
{
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "status");
    cm_jw_str(jw, on ? "ENABLED" : "DISABLED");
    cm_jw_obj_end(jw);
}

static void feature(struct cm_jw *jw, const char *name, bool on, int64_t ms)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "name");
    cm_jw_str(jw, name);
    cm_jw_key(jw, "status");
    cm_jw_str(jw, on ? "ENABLED" : "DISABLED");
    cm_jw_key(jw, "updatedAt");
    if (ms % 1000 == 0) {
        cm_jw_i64(jw, ms / 1000);
    } else {
        cm_jw_f64(jw, (double)ms / 1000.0);
    }
    cm_jw_obj_end(jw);
}

struct get {
    struct cm_api_resp *resp;
    const char *freq;
    int rc;
};

static int on_get(void *ud, const struct cm_store_detector *det)
{
    struct get *g = ud;
    struct cm_jw jw;
    char t[40];
    bool s3 = strstr(det->features, "\"DISABLED\"") == NULL;

    cm_jw_init(&jw, &g->resp->body);
    cm_jw_obj_begin(&jw);
    cm_time_format_iso(det->created_ms, t, sizeof(t));
    cm_jw_key(&jw, "createdAt");
    cm_jw_str(&jw, t);
    cm_jw_key(&jw, "findingPublishingFrequency");
    cm_jw_str(&jw, g->freq);
    cm_jw_key(&jw, "serviceRole");
    snprintf(t, sizeof(t), "%s", det->account);
    {
        char role[200];
        snprintf(role, sizeof(role),
                 "arn:aws:iam::%s:role/aws-service-role/guardduty.amazonaws.com/"
                 "AWSServiceRoleForAmazonGuardDuty",
                 det->account);
        cm_jw_str(&jw, role);
    }
    cm_jw_key(&jw, "status");
    cm_jw_str(&jw, det->enabled ? "ENABLED" : "DISABLED");
    cm_time_format_iso(det->updated_ms, t, sizeof(t));
    cm_jw_key(&jw, "updatedAt");
    cm_jw_str(&jw, t);
    cm_jw_key(&jw, "dataSources");
    cm_jw_obj_begin(&jw);
    status_obj(&jw, "cloudTrail", true);
    status_obj(&jw, "dnsLogs", true);
    status_obj(&jw, "flowLogs", true);
    status_obj(&jw, "s3Logs", s3);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "tags");
    cm_jw_raw(&jw, det->tags, strlen(det->tags));
    cm_jw_key(&jw, "features");
    cm_jw_arr_begin(&jw);
    feature(&jw, "CLOUD_TRAIL", true, det->created_ms);
    feature(&jw, "DNS_LOGS", true, det->created_ms);
    feature(&jw, "FLOW_LOGS", true, det->created_ms);
    feature(&jw, "S3_DATA_EVENTS", s3, det->updated_ms);
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    g->rc = cm_jw_finish(&jw);
    return 0;
}

int cm_api_get_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    enum cm_publish_freq f = CM_PUBLISH_SIX_HOURS;
    struct get g = {resp, NULL, 0};

    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0) {
        return -1;
    }
    if (cm_store_publish_freq(ctx->store, &f) != 0) {
        return store_failed(resp, "reading the publishing frequency");
    }
    g.freq = cm_publish_freq_name(f);
    if (cm_store_detector_get(ctx->store, req->params[0], on_get, &g) != 0 || g.rc != 0) {
        return -1;
    }
    return 0;
}

int cm_api_update_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp)
{
    struct cm_api_in b;
    const char *freq = NULL;
    char err[256];
    bool enable = false, has_enable = false;
    int s3 = -1, rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0 ||
        cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_bool(&b, resp, 0, "enable", false, &has_enable, &enable) != 0 ||
        cm_api_in_enum(&b, resp, 0, "findingPublishingFrequency", false, freqs, &freq) != 0 ||
        read_features(&b, resp, &s3) != 0) {
        goto out;
    }
    if (cm_store_detector_update(ctx->store, req->params[0], has_enable ? &enable : NULL,
                                 s3 < 0 ? NULL : (s3 ? S3_ON : S3_OFF), NULL, req->now_ms, err,
                                 sizeof(err)) != 0) {
        store_failed(resp, err);
        goto out;
    }
    if (freq != NULL && set_freq(ctx, freq, resp) != 0) {
        goto out;
    }
    rc = cm_buf_puts(&resp->body, "{}") == 0 ? 0 : -1;
out:
    cm_api_in_finish(&b);
    return rc;
}

int cm_api_delete_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp)
{
    char err[256];

    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0) {
        return -1;
    }
    if (cm_store_detector_delete(ctx->store, req->params[0], err, sizeof(err)) != 0) {
        return store_failed(resp, err);
    }
    return cm_buf_puts(&resp->body, "{}") == 0 ? 0 : -1;
}

struct list {
    struct cm_api_page page;
    size_t n, limit;
    bool more;
};

static int on_list(void *ud, const struct cm_store_detector *det)
{
    struct list *l = ud;
    if (l->n == l->limit) {
        l->more = true;
        return 0;
    }
    cm_api_page_id(&l->page, det->id);
    l->n++;
    return 0;
}

int cm_api_list_detectors(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp)
{
    const char *token;
    struct list l = {.n = 0};
    char err[256];

    if (cm_api_in_page(req, resp, &l.limit, &token) != 0) {
        return -1;
    }
    cm_api_page_begin(&l.page, resp, "detectorIds");
    if (cm_store_detectors(ctx->store, ctx->account, cm_api_region(ctx, req), token, l.limit + 1,
                           on_list, &l, err, sizeof(err)) != 0) {
        return store_failed(resp, err);
    }
    return cm_api_page_end(&l.page, l.more ? l.page.last : NULL);
}
