/*
 * The finding operations that change findings (spec §6 "Findings"):
 * ArchiveFindings, UnarchiveFindings, UpdateFindingsFeedback and
 * CreateSampleFindings. Each answers {} on success.
 *
 * Archive and unarchive take 1-50 finding ids and change all or none: an id
 * the store does not hold is a 400 naming it, and then nothing changes
 * (cm_store_set_archived). Feedback is USEFUL or NOT_USEFUL with optional
 * comments (at most 1024 characters), stored in service.userFeedback and the
 * feedback table (cm_store_set_feedback).
 *
 * CreateSampleFindings builds one sample of each type asked for (0-50 types;
 * none or an empty list: every active type), as `coalmine findings sample`
 * does (lib/finding/finding_sample.c: additionalInfo.sample true,
 * placeholder resources), for the request's detector, the server's account
 * and the request's region, and stores them with cm_store_put_findings: like
 * any finding they pass the ARCHIVE filters and, when not archived, go to the
 * outbox for the event bus's rules. Asked again, a type's sample is the same
 * finding (same id) with its count raised, as a repeated detection is.
 */
#include "api/api.h"
#include "api/api_input.h"
#include "api/api_detector.h"
#include "api/api_ops.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"
#include "store/store.h"

#define MAX_IDS       50
#define ID_MAX        300
#define COMMENTS_MAX  1024
#define MAX_SAMPLES   50
#define ALL_TYPES_CAP 512

/* The store's answer as an API error: unknown ids are the caller's mistake. */
static int store_error(struct cm_api_resp *resp, int rc, const char *err)
{
    char msg[600];

    if (rc == CM_ENOTFOUND || rc == CM_EINVAL) {
        snprintf(msg, sizeof(msg), "findingIds: %s", err[0] ? err : cm_strerror(rc));
        return cm_api_bad_request(resp, msg);
    }
    snprintf(msg, sizeof(msg), "the store failed: %s", err[0] ? err : cm_strerror(rc));
    return cm_api_error(resp, 500, "InternalServerErrorException", NULL, msg);
}

static int set_archived(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp, bool archived)
{
    struct cm_api_in b;
    const char **ids = NULL;
    size_t n = 0;
    char err[512] = "";
    int rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_strs(&b, resp, 0, "findingIds", true, 1, MAX_IDS, ID_MAX, &ids, &n) != 0) {
        goto out;
    }
    rc = cm_store_set_archived(ctx->store, ids, n, archived, err, sizeof(err));
    rc = rc != 0 ? store_error(resp, rc, err) : cm_api_in_empty(resp);
out:
    cm_api_in_finish(&b);
    return rc;
}

int cm_api_archive_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                            struct cm_api_resp *resp)
{
    return set_archived(ctx, req, resp, true);
}

int cm_api_unarchive_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                              struct cm_api_resp *resp)
{
    return set_archived(ctx, req, resp, false);
}

int cm_api_update_findings_feedback(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                    struct cm_api_resp *resp)
{
    struct cm_api_in b;
    const char **ids = NULL, *feedback = NULL, *comments = NULL;
    size_t n = 0;
    char err[512] = "";
    int rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_strs(&b, resp, 0, "findingIds", true, 1, MAX_IDS, ID_MAX, &ids, &n) != 0 ||
        cm_api_in_str(&b, resp, 0, "feedback", true, 1, 16, &feedback) != 0 ||
        cm_api_in_str(&b, resp, 0, "comments", false, 0, COMMENTS_MAX, &comments) != 0) {
        goto out;
    }
    if (strcmp(feedback, "USEFUL") != 0 && strcmp(feedback, "NOT_USEFUL") != 0) {
        rc = cm_api_in_bad(&b, resp, "feedback", cm_api_in_get(&b, 0, "feedback"),
                           "must be USEFUL or NOT_USEFUL");
        goto out;
    }
    rc = cm_store_set_feedback(ctx->store, ids, n, feedback, comments, err, sizeof(err));
    rc = rc != 0 ? store_error(resp, rc, err) : cm_api_in_empty(resp);
out:
    cm_api_in_finish(&b);
    return rc;
}

/* The types to sample: the request's (each known, duplicates dropped) or every active type. */
static int sample_types(struct cm_api_in *b, struct cm_api_resp *resp, const char **types,
                        size_t *n)
{
    const char **asked = NULL;
    size_t na = 0;

    *n = 0;
    if (cm_api_in_strs(b, resp, 0, "findingTypes", false, 0, MAX_SAMPLES, 128, &asked, &na) != 0) {
        return -1;
    }
    for (size_t i = 0; i < na; i++) {
        bool dup = false;

        if (cm_finding_type_info(asked[i]) == NULL) {
            char what[48], why[200];
            uint32_t arr = cm_api_in_get(b, 0, "findingTypes");

            snprintf(what, sizeof(what), "findingTypes[%zu]", i);
            snprintf(why, sizeof(why), "unknown finding type \"%.120s\"", asked[i]);
            return cm_api_in_bad(b, resp, what, cm_json_index(&b->d, arr, (uint32_t)i), why);
        }
        for (size_t j = 0; j < *n; j++) {
            dup = dup || strcmp(types[j], asked[i]) == 0;
        }
        if (!dup) {
            types[(*n)++] = asked[i];
        }
    }
    if (na == 0) {
        size_t nt;
        const struct cm_finding_type_info *t = cm_finding_types(&nt);

        for (size_t i = 0; i < nt && *n < ALL_TYPES_CAP; i++) {
            if (t[i].status == CM_TYPE_ACTIVE) {
                types[(*n)++] = t[i].type;
            }
        }
    }
    return 0;
}

int cm_api_create_sample_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                  struct cm_api_resp *resp)
{
    const char *types[ALL_TYPES_CAP];
    struct cm_finding_ctx fctx;
    struct cm_api_in b;
    struct cm_finding *fs = NULL;
    struct cm_store_put *puts = NULL;
    const char *region = cm_api_region(ctx, req);
    size_t n = 0, built = 0;
    char err[512] = "";
    int rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        sample_types(&b, resp, types, &n) != 0) {
        goto out;
    }
    fs = cm_calloc(n ? n : 1, sizeof(*fs));
    puts = cm_calloc(n ? n : 1, sizeof(*puts));
    if (fs == NULL || puts == NULL) {
        goto out;
    }
    memset(&fctx, 0, sizeof(fctx));
    fctx.detector_id = req->params[0];
    for (; built < n; built++) {
        cm_finding_init(&fs[built]);
        rc = cm_finding_sample(&fs[built], &fctx, ctx->account, region, types[built], req->now_ms);
        if (rc != 0) {
            char msg[300];

            built++;
            snprintf(msg, sizeof(msg), "building the sample of %s: %s", types[built - 1],
                     cm_strerror(rc));
            rc = cm_api_error(resp, 500, "InternalServerErrorException", NULL, msg);
            goto out;
        }
        puts[built].f = &fs[built];
    }
    rc = cm_store_put_findings(ctx->store, puts, n, err, sizeof(err));
    rc = rc != 0 ? store_error(resp, rc, err) : cm_api_in_empty(resp);
out:
    for (size_t i = 0; i < built; i++) {
        cm_finding_finish(&fs[i]);
    }
    cm_free(fs);
    cm_free(puts);
    cm_api_in_finish(&b);
    return rc;
}
