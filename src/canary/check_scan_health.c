/*
 * The scan-health check: a scan has been recorded within max_silence_minutes,
 * and the last one rejected at most max_reject_ratio of its records (malformed
 * records over good and malformed) and at most max_rejected_files whole
 * inputs. A scan that stopped running, or a source whose format changed under
 * it (every record rejected), is what this catches.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "canary/canary_impl.h"

static const struct cm_canary_param params[] = {
    {"max_silence_minutes", CM_CANARY_P_INT, false, 1, 525600, 60, NULL},
    {"max_reject_ratio", CM_CANARY_P_NUMBER, false, 0, 1, 0.01, NULL},
    {"max_rejected_files", CM_CANARY_P_INT, false, 0, 1000000000, 0, NULL},
};

/* The observed values into res (s valid when found). */
static int observed(const struct cm_store_scan_summary *s, bool found, int64_t since, double ratio,
                    int64_t silence_ms, double max_ratio, struct cm_canary_result *res)
{
    struct cm_jw jw;

    cm_jw_init(&jw, &res->observed);
    cm_jw_obj_begin(&jw);
    cm_canary_jw_time(&jw, "lastScanAt", found ? s->started_ms : 0);
    cm_jw_key(&jw, "minutesSinceLastScan");
    if (found) {
        cm_jw_i64(&jw, since / 60000);
    } else {
        cm_jw_null(&jw);
    }
    cm_jw_key(&jw, "records");
    cm_jw_u64(&jw, found ? s->records : 0);
    cm_jw_key(&jw, "rejected");
    cm_jw_u64(&jw, found ? s->rejected : 0);
    cm_jw_key(&jw, "rejectRatio");
    cm_jw_f64(&jw, ratio);
    cm_jw_key(&jw, "rejectedFiles");
    cm_jw_u64(&jw, found ? s->rejected_files : 0);
    cm_jw_key(&jw, "maxSilenceMinutes");
    cm_jw_i64(&jw, silence_ms / 60000);
    cm_jw_key(&jw, "maxRejectRatio");
    cm_jw_f64(&jw, max_ratio);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

static int run(const struct cm_canary_env *env, const struct cm_canary_val *v,
               struct cm_canary_result *res)
{
    struct cm_store_scan_summary s;
    int64_t silence_ms = (int64_t)v[0].num * 60000, since = 0;
    double max_ratio = v[1].num, ratio = 0;
    uint64_t max_files = (uint64_t)v[2].num;
    int rc = cm_store_last_scan(env->st, &s);

    if (rc != 0 && rc != CM_ENOTFOUND) {
        cm_canary_error(res, "reading the last scan: the store failed");
        return CM_OK;
    }
    if (rc == CM_ENOTFOUND) {
        res->status = CM_CANARY_FAIL;
        snprintf(res->reason, sizeof(res->reason), "no scan has been recorded in the store");
    } else {
        since = env->now_ms - s.started_ms;
        ratio =
            s.records + s.rejected > 0 ? (double)s.rejected / (double)(s.records + s.rejected) : 0;
        res->status = CM_CANARY_FAIL;
        if (since > silence_ms) {
            snprintf(res->reason, sizeof(res->reason),
                     "the last scan started %lld minutes ago (at most %lld)",
                     (long long)(since / 60000), (long long)(silence_ms / 60000));
        } else if (ratio > max_ratio) {
            snprintf(res->reason, sizeof(res->reason),
                     "the last scan rejected %llu of %llu records (%.4g, at most %.4g)",
                     (unsigned long long)s.rejected, (unsigned long long)(s.records + s.rejected),
                     ratio, max_ratio);
        } else if (s.rejected_files > max_files) {
            snprintf(res->reason, sizeof(res->reason),
                     "the last scan could not read %llu of its %llu inputs (at most %llu)",
                     (unsigned long long)s.rejected_files, (unsigned long long)s.files,
                     (unsigned long long)max_files);
        } else {
            res->status = CM_CANARY_PASS;
            snprintf(res->reason, sizeof(res->reason),
                     "the last scan started %lld minutes ago and rejected %llu of %llu records",
                     (long long)(since / 60000), (unsigned long long)s.rejected,
                     (unsigned long long)(s.records + s.rejected));
        }
    }
    return observed(&s, rc == 0, since, ratio, silence_ms, max_ratio, res);
}

const struct cm_canary_kind cm_canary_scan_health = {
    .name = "scan-health",
    .summary = "a scan ran within max_silence_minutes and rejected little of its input",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .run = run,
};
