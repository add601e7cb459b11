/*
 * The API's operations: one line per operation of spec/GUARDDUTY.md §6 that
 * coalmine serves, in the order of that section. The handlers live in
 * api_<group>.c files.
 */
#include "api/api.h"

#include "api/api_detector.h"
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
    {NULL, NULL, NULL, NULL},
};
