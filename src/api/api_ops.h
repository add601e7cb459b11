/*
 * The write operations and lists of the GuardDuty API (spec §6) that
 * api_routes.c routes: findings (api_findings_write.c), filters
 * (api_filters.c) and the four kinds of threat and trusted list
 * (api_lists.c). Each is a cm_api_fn (api.h); req->params[0] is the
 * DetectorId, params[1] the filter name or list id where the path has one.
 */
#ifndef CM_API_API_OPS_H
#define CM_API_API_OPS_H

#include "api/api.h"

/*
 * Whether the request's {DetectorId} (req->params[0]) is a detector of this server: 0, or
 * -1 with resp set to GuardDuty's 400 for a detector not owned by the account (spec §6).
 * Every operation here asks this first.
 */
int cm_api_ops_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp);

/* GuardDuty's 400 for an id the store does not have ("...no such resource found."). */
int cm_api_ops_no_such(struct cm_api_resp *resp);

/* The store's failure rc as a 500 "the store failed: <err or rc's text>"; err may be NULL. */
int cm_api_ops_store_fail(struct cm_api_resp *resp, int rc, const char *err);

/*
 * The answer to a store call on one resource of the request: 0 when rc is 0 (the body is
 * the caller's), cm_api_ops_no_such for CM_ENOTFOUND, else cm_api_ops_store_fail.
 */
int cm_api_ops_stored(struct cm_api_resp *resp, int rc, const char *err);

/* Sets resp to {"<member>":"<id>"}, a Create's answer. Returns 0 or -1. */
int cm_api_ops_answer_id(struct cm_api_resp *resp, const char *member, const char *id);

/* A new resource id: CM_API_OPS_ID_LEN lower-case hex digits, as GuardDuty's. */
#define CM_API_OPS_ID_LEN 32
void cm_api_ops_new_id(char out[CM_API_OPS_ID_LEN + 1]);

#define CM_API_OP(fn)                                                                              \
    int fn(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_resp *resp)

/* api_findings_write.c */
CM_API_OP(cm_api_archive_findings);
CM_API_OP(cm_api_unarchive_findings);
CM_API_OP(cm_api_update_findings_feedback);
CM_API_OP(cm_api_create_sample_findings);

/* api_filters.c */
CM_API_OP(cm_api_create_filter);
CM_API_OP(cm_api_get_filter);
CM_API_OP(cm_api_update_filter);
CM_API_OP(cm_api_delete_filter);
CM_API_OP(cm_api_list_filters);

/* api_lists.c: one handler per operation and kind of list */
CM_API_OP(cm_api_create_ip_set);
CM_API_OP(cm_api_get_ip_set);
CM_API_OP(cm_api_update_ip_set);
CM_API_OP(cm_api_delete_ip_set);
CM_API_OP(cm_api_list_ip_sets);
CM_API_OP(cm_api_create_threat_intel_set);
CM_API_OP(cm_api_get_threat_intel_set);
CM_API_OP(cm_api_update_threat_intel_set);
CM_API_OP(cm_api_delete_threat_intel_set);
CM_API_OP(cm_api_list_threat_intel_sets);
CM_API_OP(cm_api_create_threat_entity_set);
CM_API_OP(cm_api_get_threat_entity_set);
CM_API_OP(cm_api_update_threat_entity_set);
CM_API_OP(cm_api_delete_threat_entity_set);
CM_API_OP(cm_api_list_threat_entity_sets);
CM_API_OP(cm_api_create_trusted_entity_set);
CM_API_OP(cm_api_get_trusted_entity_set);
CM_API_OP(cm_api_update_trusted_entity_set);
CM_API_OP(cm_api_delete_trusted_entity_set);
CM_API_OP(cm_api_list_trusted_entity_sets);

/* api_pubdest.c: publishing destinations (S3 export) */
CM_API_OP(cm_api_create_publishing_destination);
CM_API_OP(cm_api_describe_publishing_destination);
CM_API_OP(cm_api_update_publishing_destination);
CM_API_OP(cm_api_delete_publishing_destination);
CM_API_OP(cm_api_list_publishing_destinations);

#endif
