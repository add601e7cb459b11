/*
 * The finding read operations (api_findings.h): ListFindings, GetFindings and
 * GetFindingsStatistics, answered from the store's queries (store_query.c)
 * with the findings in their GuardDuty API form (lib/finding/serialize.h).
 * Unlike `coalmine findings list`, no operation here leaves archived findings
 * out unless the criteria say so: GuardDuty's API counts both.
 */
#include "api/api_findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_input.h"
#include "api/api_detector.h"
#include "base/err.h"
#include "base/time.h"
#include "finding/criteria.h"
#include "finding/finding.h"
#include "finding/serialize.h"
#include "store/store.h"

#define MAX_IDS 50

static const char *const orders[] = {"ASC", "DESC", NULL};

static int internal(struct cm_api_resp *resp, const char *err)
{
    char msg[400];
    snprintf(msg, sizeof(msg), "the store failed: %s", err && err[0] ? err : "unknown error");
    return cm_api_error(resp, 500, "InternalServerErrorException", NULL, msg);
}

int cm_api_criteria(struct cm_api_in *b, uint32_t obj, const char *member, struct cm_criteria **out,
                    struct cm_api_resp *resp)
{
    struct cm_diag diag;
    uint32_t node;
    char msg[400];
    int rc;

    *out = NULL;
    if (cm_api_in_node(b, resp, obj, member, false, CM_JSON_OBJECT, &node) != 0) {
        return -1;
    }
    if (node == CM_JSON_NONE) {
        return 0;
    }
    cm_diag_clear(&diag);
    rc = cm_criteria_compile_node(&b->d, node, CM_CRIT_F_NO_MATCHES, out, &diag);
    if (rc == CM_ENOMEM) {
        return cm_api_error(resp, 500, "InternalServerErrorException", NULL, "out of memory");
    }
    if (rc != 0) {
        snprintf(msg, sizeof(msg), "%s: %s (byte %zu)", member,
                 diag.msg[0] ? diag.msg : cm_strerror(rc), diag.offset);
        return cm_api_bad_request(resp, msg);
    }
    return 1;
}

int cm_api_sort_criteria(struct cm_api_in *b, uint32_t obj, enum cm_store_sort *sort,
                         bool *ascending, struct cm_api_resp *resp)
{
    uint32_t node;
    const char *name = NULL, *order = NULL;
    char why[300];

    *sort = CM_SORT_UPDATED;
    *ascending = false;
    if (cm_api_in_node(b, resp, obj, "sortCriteria", false, CM_JSON_OBJECT, &node) != 0) {
        return -1;
    }
    if (node == CM_JSON_NONE) {
        return 0;
    }
    if (cm_api_in_str(b, resp, node, "attributeName", false, 1, 120, &name) != 0 ||
        cm_api_in_enum(b, resp, node, "orderBy", false, orders, &order) != 0) {
        return -1;
    }
    if (name != NULL && cm_store_sort_parse(name, sort) != 0) {
        snprintf(why, sizeof(why),
                 "coalmine sorts by updatedAt, createdAt, severity, type, accountId, region, "
                 "service.count, service.eventFirstSeen, service.eventLastSeen or id, not "
                 "'%.64s'",
                 name);
        return cm_api_in_bad(b, resp, "sortCriteria.attributeName",
                             cm_api_in_get(b, node, "attributeName"), why);
    }
    *ascending = order != NULL && strcmp(order, "ASC") == 0;
    return 1;
}

/* ---- ListFindings ---- */

static int on_list_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    struct cm_api_page *page = ud;
    (void)doc;
    (void)len;
    cm_jw_str(&page->jw, f->id);
    return page->jw.err;
}

int cm_api_list_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    struct cm_api_in b;
    struct cm_criteria *crit = NULL;
    struct cm_store_query q;
    struct cm_api_page page;
    const char *token = NULL;
    char next[CM_STORE_TOKEN_MAX], err[400];
    int64_t max = 50;
    int rc = -1, r;

    memset(&q, 0, sizeof(q));
    memset(&b, 0, sizeof(b));
    next[0] = '\0';
    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0 ||
        cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_criteria(&b, 0, "findingCriteria", &crit, resp) < 0 ||
        cm_api_sort_criteria(&b, 0, &q.sort, &q.ascending, resp) < 0 ||
        cm_api_in_int(&b, resp, 0, "maxResults", 1, 50, &max) != 0 ||
        cm_api_in_str(&b, resp, 0, "nextToken", false, 1, CM_STORE_TOKEN_MAX - 1, &token) != 0) {
        goto out;
    }
    q.criteria[0] = crit;
    q.limit = (size_t)max;
    q.next_token = token != NULL ? token : "";
    cm_api_page_begin(&page, resp, "findingIds");
    err[0] = '\0';
    r = cm_store_query(ctx->store, &q, on_list_row, &page, next, err, sizeof(err));
    if (r == CM_EINVAL) {
        cm_api_in_bad(&b, resp, "nextToken", cm_api_in_get(&b, 0, "nextToken"), err);
        goto out;
    }
    if (r != 0) {
        internal(resp, err);
        goto out;
    }
    rc = cm_api_page_end(&page, next);
out:
    cm_criteria_destroy(crit);
    cm_api_in_finish(&b);
    return rc;
}

/* ---- GetFindings ---- */

static int on_get_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    struct cm_jw *jw = ud;
    (void)doc;
    (void)len;
    return cm_finding_write(jw, f, CM_FORM_API);
}

/* The findings ids, in request order, without the ones the store does not hold. */
static int get_in_order(struct cm_api_ctx *ctx, const char **ids, size_t n, struct cm_jw *jw,
                        struct cm_api_resp *resp)
{
    for (size_t i = 0; i < n; i++) {
        struct cm_finding f;
        int rc;
        cm_finding_init(&f);
        rc = cm_store_get_finding(ctx->store, ids[i], &f);
        if (rc == 0) {
            rc = cm_finding_write(jw, &f, CM_FORM_API);
        } else if (rc == CM_ENOTFOUND) {
            rc = 0; /* GuardDuty leaves an unknown id out */
        }
        cm_finding_finish(&f);
        if (rc != 0) {
            return internal(resp, cm_strerror(rc));
        }
    }
    return 0;
}

/* The criteria {"criterion":{"id":{"equals":[ids]}}}, for a sorted GetFindings. */
static int ids_criteria(const char **ids, size_t n, struct cm_criteria **out)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "criterion");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "id");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "equals");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_str(&jw, ids[i]);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    rc = rc ? rc : cm_criteria_compile(b.p, b.len, 0, out, NULL);
    cm_buf_finish(&b);
    return rc;
}

int cm_api_get_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    struct cm_api_in b;
    struct cm_criteria *crit = NULL;
    struct cm_store_query q;
    struct cm_jw jw;
    const char **ids = NULL;
    char err[400];
    size_t n = 0;
    int rc = -1, sorted;

    memset(&q, 0, sizeof(q));
    memset(&b, 0, sizeof(b));
    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0 ||
        cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_strs(&b, resp, 0, "findingIds", true, 0, MAX_IDS, 300, &ids, &n) != 0 ||
        (sorted = cm_api_sort_criteria(&b, 0, &q.sort, &q.ascending, resp)) < 0) {
        goto out;
    }
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "findings");
    cm_jw_arr_begin(&jw);
    if (sorted == 0 || n == 0) {
        if (get_in_order(ctx, ids, n, &jw, resp) != 0) {
            goto out;
        }
    } else {
        if (ids_criteria(ids, n, &crit) != 0) {
            cm_api_error(resp, 500, "InternalServerErrorException", NULL,
                         "the ids could not be queried");
            goto out;
        }
        q.criteria[0] = crit;
        err[0] = '\0';
        if (cm_store_query(ctx->store, &q, on_get_row, &jw, NULL, err, sizeof(err)) != 0) {
            internal(resp, err);
            goto out;
        }
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
out:
    cm_criteria_destroy(crit);
    cm_api_in_finish(&b);
    return rc;
}

/* ---- GetFindingsStatistics ---- */

/* GroupBy values, and the response member and key of each. */
static const char *const group_names[] = {"ACCOUNT",  "DATE",     "FINDING_TYPE",
                                          "RESOURCE", "SEVERITY", NULL};
static const struct {
    const char *name, *member, *key;
    enum cm_store_group group;
} groups[] = {
    {"ACCOUNT", "groupedByAccount", "accountId", CM_GROUP_ACCOUNT},
    {"DATE", "groupedByDate", "date", CM_GROUP_DATE},
    {"FINDING_TYPE", "groupedByFindingType", "findingType", CM_GROUP_TYPE},
    {"RESOURCE", "groupedByResource", "resourceId", CM_GROUP_RESOURCE},
    {"SEVERITY", "groupedBySeverity", "severity", CM_GROUP_SEVERITY},
};

/* A model timestamp: epoch seconds, a JSON number. */
static void epoch(struct cm_jw *jw, int64_t ms)
{
    if (ms % 1000 == 0) {
        cm_jw_i64(jw, ms / 1000);
    } else {
        cm_jw_f64(jw, (double)ms / 1000.0);
    }
}

/* One group, copied (the store's strings last only for the call). */
struct group_row {
    char key[320];
    char resource_type[64];
    char account[32];
    double severity;
    uint64_t total;
    int64_t last_ms;
};

struct group_rows {
    struct group_row *v;
    size_t n, cap;
};

static int on_group(void *ud, const struct cm_store_stat *s)
{
    struct group_rows *g = ud;
    struct group_row *r;

    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct group_row *v = realloc(g->v, cap * sizeof(*v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        g->v = v;
        g->cap = cap;
    }
    r = &g->v[g->n++];
    snprintf(r->key, sizeof(r->key), "%s", s->key ? s->key : "");
    snprintf(r->resource_type, sizeof(r->resource_type), "%s",
             s->resource_type ? s->resource_type : "");
    snprintf(r->account, sizeof(r->account), "%s", s->account_id ? s->account_id : "");
    r->severity = s->severity;
    r->total = s->total;
    r->last_ms = s->last_ms;
    return 0;
}

static void write_row(struct cm_jw *jw, size_t gi, const struct group_row *r)
{
    int64_t day_ms;
    char iso[40];

    cm_jw_obj_begin(jw);
    cm_jw_key(jw, groups[gi].key);
    if (groups[gi].group == CM_GROUP_SEVERITY) {
        cm_jw_f64(jw, r->severity);
    } else if (groups[gi].group == CM_GROUP_DATE && strlen(r->key) == 10 &&
               (snprintf(iso, sizeof(iso), "%.10sT00:00:00Z", r->key),
                cm_time_parse_iso(cm_str_cstr(iso), &day_ms) == 0)) {
        epoch(jw, day_ms);
    } else {
        cm_jw_str(jw, r->key);
    }
    if (groups[gi].group == CM_GROUP_RESOURCE) {
        cm_jw_key(jw, "resourceType");
        cm_jw_str(jw, r->resource_type);
        cm_jw_key(jw, "accountId");
        cm_jw_str(jw, r->account);
    }
    if (groups[gi].group == CM_GROUP_DATE) {
        cm_jw_key(jw, "severity");
        cm_jw_f64(jw, r->severity);
    }
    cm_jw_key(jw, "totalFindings");
    cm_jw_u64(jw, r->total);
    if (r->last_ms > 0) {
        cm_jw_key(jw, "lastGeneratedAt");
        epoch(jw, r->last_ms);
    }
    cm_jw_obj_end(jw);
}

/* findingStatisticTypes: [] or ["COUNT_BY_SEVERITY"]. 1 when it asks for the count. */
static int read_stat_types(struct cm_api_in *b, struct cm_api_resp *resp)
{
    const char **types;
    size_t n;

    if (cm_api_in_strs(b, resp, 0, "findingStatisticTypes", false, 0, 10, 32, &types, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(types[i], "COUNT_BY_SEVERITY") != 0) {
            return cm_api_in_bad(
                b, resp, "findingStatisticTypes[]",
                cm_json_index(&b->d, cm_api_in_get(b, 0, "findingStatisticTypes"), (uint32_t)i),
                "must be COUNT_BY_SEVERITY");
        }
    }
    return n > 0;
}

static int count_by_severity(void *ud, const struct cm_store_stat *s)
{
    struct cm_jw *jw = ud;
    cm_jw_key(jw, s->key);
    cm_jw_u64(jw, s->total);
    return jw->err;
}

int cm_api_get_findings_statistics(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                   struct cm_api_resp *resp)
{
    struct cm_api_in b;
    struct cm_criteria *crit = NULL;
    struct cm_store_query q;
    struct cm_jw jw;
    struct group_rows rows = {NULL, 0, 0};
    const char *group = NULL, *order = NULL;
    char err[400];
    int64_t max = 25;
    int rc = -1, count, r;
    size_t gi = 0;

    memset(&q, 0, sizeof(q));
    memset(&b, 0, sizeof(b));
    if (cm_api_detector_check(ctx, req, req->params[0], resp) != 0 ||
        cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_criteria(&b, 0, "findingCriteria", &crit, resp) < 0 ||
        (count = read_stat_types(&b, resp)) < 0 ||
        cm_api_in_enum(&b, resp, 0, "groupBy", false, group_names, &group) != 0 ||
        cm_api_in_enum(&b, resp, 0, "orderBy", false, orders, &order) != 0 ||
        cm_api_in_int(&b, resp, 0, "maxResults", 1, 100, &max) != 0) {
        goto out;
    }
    if (!count && group == NULL) {
        cm_api_bad_request(resp, "The request is rejected because neither "
                                 "findingStatisticTypes nor groupBy is given.");
        goto out;
    }
    q.criteria[0] = crit;
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "findingStatistics");
    cm_jw_obj_begin(&jw);
    err[0] = '\0';
    if (count) {
        cm_jw_key(&jw, "countBySeverity");
        cm_jw_obj_begin(&jw);
        if (cm_store_stats(ctx->store, &q, CM_GROUP_SEVERITY, 0, count_by_severity, &jw, err,
                           sizeof(err)) != 0) {
            internal(resp, err);
            goto out;
        }
        cm_jw_obj_end(&jw);
    }
    if (group != NULL) {
        bool asc = order != NULL && strcmp(order, "ASC") == 0;
        while (strcmp(groups[gi].name, group) != 0) {
            gi++;
        }
        /* The store orders largest (latest, highest) first; ASC takes the other end. */
        r = cm_store_stats(ctx->store, &q, groups[gi].group, asc ? 0 : (size_t)max, on_group, &rows,
                           err, sizeof(err));
        if (r != 0) {
            internal(resp, r == CM_ENOMEM ? "out of memory" : err);
            goto out;
        }
        cm_jw_key(&jw, groups[gi].member);
        cm_jw_arr_begin(&jw);
        for (size_t i = 0; i < rows.n && i < (size_t)max; i++) {
            write_row(&jw, gi, asc ? &rows.v[rows.n - 1 - i] : &rows.v[i]);
        }
        cm_jw_arr_end(&jw);
    }
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
out:
    free(rows.v);
    cm_criteria_destroy(crit);
    cm_api_in_finish(&b);
    return rc;
}
