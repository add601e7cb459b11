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
