/*
 * The freshness check: the newest record of a log source that any scan read
 * (store: source_newest, raised by each recorded scan) must be younger than
 * max_age_minutes, for one account and region when they are given. An old
 * newest record means the source stopped arriving: a trail was stopped or
 * its bucket policy changed, a flow log or a Resolver query logging
 * configuration was deleted, the copy job broke. A source never seen FAILs
 * too: a check for it says it is expected.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "canary/canary_impl.h"

static const char *const sources[] = {"cloudtrail", "vpcflow", "dns", "s3data", NULL};

static const struct cm_canary_param params[] = {
    {"source", CM_CANARY_P_STRING, true, 1, 16, 0, sources},
    {"max_age_minutes", CM_CANARY_P_INT, true, 1, 525600, 0, NULL},
    {"account", CM_CANARY_P_STRING, false, 1, 64, 0, NULL},
    {"region", CM_CANARY_P_STRING, false, 1, 64, 0, NULL},
};

static int run(const struct cm_canary_env *env, const struct cm_canary_val *v,
               struct cm_canary_result *res)
{
    const char *source = v[0].str, *account = v[2].set ? v[2].str : NULL;
    const char *region = v[3].set ? v[3].str : NULL;
    int64_t max_ms = (int64_t)v[1].num * 60000, newest = 0, scan = 0, age = 0;
    char where[300] = "";
    struct cm_jw jw;
    int rc = cm_store_source_newest(env->st, source, account, region, &newest, &scan);

    if (account || region) {
        snprintf(where, sizeof(where), " of%s%s%s%s", account ? " account " : "",
                 account ? account : "", region ? " in " : "", region ? region : "");
    }
    if (rc != 0 && rc != CM_ENOTFOUND) {
        cm_canary_error(res, "reading the newest record of the source: the store failed");
        return CM_OK;
    }
    if (rc == CM_ENOTFOUND) {
        res->status = CM_CANARY_FAIL;
        snprintf(res->reason, sizeof(res->reason), "no %s record%s has been read by any scan",
                 source, where);
    } else {
        age = env->now_ms - newest;
        res->status = age > max_ms ? CM_CANARY_FAIL : CM_CANARY_PASS;
        snprintf(res->reason, sizeof(res->reason),
                 "the newest %s record%s is %lld minutes old (at most %lld)", source, where,
                 (long long)(age / 60000), (long long)(max_ms / 60000));
    }
    cm_jw_init(&jw, &res->observed);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "source");
    cm_jw_str(&jw, source);
    if (account) {
        cm_jw_key(&jw, "account");
        cm_jw_str(&jw, account);
    }
    if (region) {
        cm_jw_key(&jw, "region");
        cm_jw_str(&jw, region);
    }
    cm_canary_jw_time(&jw, "newestRecordAt", rc == 0 ? newest : 0);
    cm_canary_jw_time(&jw, "readByScanAt", rc == 0 ? scan : 0);
    cm_jw_key(&jw, "ageMinutes");
    if (rc == 0) {
        cm_jw_f64(&jw, (double)(age / 1000) / 60.0);
    } else {
        cm_jw_null(&jw);
    }
    cm_jw_key(&jw, "maxAgeMinutes");
    cm_jw_i64(&jw, max_ms / 60000);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

const struct cm_canary_kind cm_canary_freshness = {
    .name = "freshness",
    .summary = "the newest record of a log source is younger than max_age_minutes",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .run = run,
};
