/*
 * The API's operations: one line per operation of spec/GUARDDUTY.md §6 that
 * coalmine serves, in the order of that section. The handlers live in
 * api_<group>.c files.
 */
#include "api/api.h"
#include "api/api_ops.h"

#include "api/api_detector.h"
#include "api/api_events.h"
#include "api/api_findings.h"
#include "api/api_tags.h"

const struct cm_api_route cm_api_routes[] = {
    /* Detectors (api_detector.c) */
    {"POST", "/detector", "CreateDetector", cm_api_create_detector},
    {"GET", "/detector/{DetectorId}", "GetDetector", cm_api_get_detector},
    {"POST", "/detector/{DetectorId}", "UpdateDetector", cm_api_update_detector},
    {"DELETE", "/detector/{DetectorId}", "DeleteDetector", cm_api_delete_detector},
    {"GET", "/detector", "ListDetectors", cm_api_list_detectors},
    /* Findings (api_findings_read.c) */
    {"POST", "/detector/{DetectorId}/findings", "ListFindings", cm_api_list_findings},
    {"POST", "/detector/{DetectorId}/findings/get", "GetFindings", cm_api_get_findings},
    {"POST", "/detector/{DetectorId}/findings/statistics", "GetFindingsStatistics",
     cm_api_get_findings_statistics},
    /* Tags (api_tags.c) */
    {"POST", "/tags/{ResourceArn}", "TagResource", cm_api_tag_resource},
    {"DELETE", "/tags/{ResourceArn}", "UntagResource", cm_api_untag_resource},
    {"GET", "/tags/{ResourceArn}", "ListTagsForResource", cm_api_list_tags},
    /* Finding changes, filters and lists (api_findings_write.c, api_filters.c, api_lists.c). */
    {"POST", "/detector/{DetectorId}/findings/archive", "ArchiveFindings", cm_api_archive_findings},
    {"POST", "/detector/{DetectorId}/findings/unarchive", "UnarchiveFindings",
     cm_api_unarchive_findings},
    {"POST", "/detector/{DetectorId}/findings/feedback", "UpdateFindingsFeedback",
     cm_api_update_findings_feedback},
    {"POST", "/detector/{DetectorId}/findings/create", "CreateSampleFindings",
     cm_api_create_sample_findings},
    {"POST", "/detector/{DetectorId}/ipset", "CreateIPSet", cm_api_create_ip_set},
    {"GET", "/detector/{DetectorId}/ipset/{IpSetId}", "GetIPSet", cm_api_get_ip_set},
    {"POST", "/detector/{DetectorId}/ipset/{IpSetId}", "UpdateIPSet", cm_api_update_ip_set},
    {"DELETE", "/detector/{DetectorId}/ipset/{IpSetId}", "DeleteIPSet", cm_api_delete_ip_set},
    {"GET", "/detector/{DetectorId}/ipset", "ListIPSets", cm_api_list_ip_sets},
    {"POST", "/detector/{DetectorId}/threatintelset", "CreateThreatIntelSet",
     cm_api_create_threat_intel_set},
    {"GET", "/detector/{DetectorId}/threatintelset/{ThreatIntelSetId}", "GetThreatIntelSet",
     cm_api_get_threat_intel_set},
    {"POST", "/detector/{DetectorId}/threatintelset/{ThreatIntelSetId}", "UpdateThreatIntelSet",
     cm_api_update_threat_intel_set},
    {"DELETE", "/detector/{DetectorId}/threatintelset/{ThreatIntelSetId}", "DeleteThreatIntelSet",
     cm_api_delete_threat_intel_set},
    {"GET", "/detector/{DetectorId}/threatintelset", "ListThreatIntelSets",
     cm_api_list_threat_intel_sets},
    {"POST", "/detector/{DetectorId}/threatentityset", "CreateThreatEntitySet",
     cm_api_create_threat_entity_set},
    {"GET", "/detector/{DetectorId}/threatentityset/{ThreatEntitySetId}", "GetThreatEntitySet",
     cm_api_get_threat_entity_set},
    {"POST", "/detector/{DetectorId}/threatentityset/{ThreatEntitySetId}", "UpdateThreatEntitySet",
     cm_api_update_threat_entity_set},
    {"DELETE", "/detector/{DetectorId}/threatentityset/{ThreatEntitySetId}",
     "DeleteThreatEntitySet", cm_api_delete_threat_entity_set},
    {"GET", "/detector/{DetectorId}/threatentityset", "ListThreatEntitySets",
     cm_api_list_threat_entity_sets},
    {"POST", "/detector/{DetectorId}/trustedentityset", "CreateTrustedEntitySet",
     cm_api_create_trusted_entity_set},
    {"GET", "/detector/{DetectorId}/trustedentityset/{TrustedEntitySetId}", "GetTrustedEntitySet",
     cm_api_get_trusted_entity_set},
    {"POST", "/detector/{DetectorId}/trustedentityset/{TrustedEntitySetId}",
     "UpdateTrustedEntitySet", cm_api_update_trusted_entity_set},
    {"DELETE", "/detector/{DetectorId}/trustedentityset/{TrustedEntitySetId}",
     "DeleteTrustedEntitySet", cm_api_delete_trusted_entity_set},
    {"GET", "/detector/{DetectorId}/trustedentityset", "ListTrustedEntitySets",
     cm_api_list_trusted_entity_sets},
    {"POST", "/detector/{DetectorId}/filter", "CreateFilter", cm_api_create_filter},
    {"GET", "/detector/{DetectorId}/filter/{FilterName}", "GetFilter", cm_api_get_filter},
    {"POST", "/detector/{DetectorId}/filter/{FilterName}", "UpdateFilter", cm_api_update_filter},
    {"DELETE", "/detector/{DetectorId}/filter/{FilterName}", "DeleteFilter", cm_api_delete_filter},
    {"GET", "/detector/{DetectorId}/filter", "ListFilters", cm_api_list_filters},
    /* end of hapiops's block */
    /* Publishing destinations (api_pubdest.c) */
    {"POST", "/detector/{DetectorId}/publishingDestination", "CreatePublishingDestination",
     cm_api_create_publishing_destination},
    {"GET", "/detector/{DetectorId}/publishingDestination/{DestinationId}",
     "DescribePublishingDestination", cm_api_describe_publishing_destination},
    {"POST", "/detector/{DetectorId}/publishingDestination/{DestinationId}",
     "UpdatePublishingDestination", cm_api_update_publishing_destination},
    {"DELETE", "/detector/{DetectorId}/publishingDestination/{DestinationId}",
     "DeletePublishingDestination", cm_api_delete_publishing_destination},
    {"GET", "/detector/{DetectorId}/publishingDestination", "ListPublishingDestinations",
     cm_api_list_publishing_destinations},
    {NULL, NULL, NULL, NULL},
};

/* The awsJson1_1 operations: EventBridge on the store's rules and targets (api_events*.c). */
const struct cm_api_json_route cm_api_json_routes[] = {
    {"AWSEvents.PutRule", cm_events_put_rule},
    {"AWSEvents.DescribeRule", cm_events_describe_rule},
    {"AWSEvents.ListRules", cm_events_list_rules},
    {"AWSEvents.DeleteRule", cm_events_delete_rule},
    {"AWSEvents.EnableRule", cm_events_enable_rule},
    {"AWSEvents.DisableRule", cm_events_disable_rule},
    {"AWSEvents.PutTargets", cm_events_put_targets},
    {"AWSEvents.RemoveTargets", cm_events_remove_targets},
    {"AWSEvents.ListTargetsByRule", cm_events_list_targets_by_rule},
    {"AWSEvents.ListRuleNamesByTarget", cm_events_list_rule_names_by_target},
    {"AWSEvents.TestEventPattern", cm_events_test_event_pattern},
    {"AWSEvents.PutEvents", cm_events_put_events},
    {"AWSEvents.TagResource", cm_events_tag_resource},
    {"AWSEvents.UntagResource", cm_events_untag_resource},
    {"AWSEvents.ListTagsForResource", cm_events_list_tags},
    {NULL, NULL},
};
