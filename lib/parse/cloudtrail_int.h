/*
 * What the CloudTrail parser (cloudtrail.c: the shapes records travel in,
 * rejects, emitting) and its record reader (cloudtrail_record.c) share.
 * Private to lib/parse.
 */
#ifndef CM_PARSE_CLOUDTRAIL_INT_H
#define CM_PARSE_CLOUDTRAIL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "parse/parse.h"

/* Clears ct for the record object at node root of d: no member read yet. */
void cm_cloudtrail_record_init(struct cm_ct *ct, const struct cm_json_doc *d, uint32_t root);

/*
 * Reads the members of object rec into ct (eventTime into *time, awsRegion
 * into *region). Sets *detail to the "detail" object of an EventBridge
 * envelope ("detail-type" naming CloudTrail), else CM_JSON_NONE, and
 * *eventbridge when rec is an EventBridge event of any detail-type.
 */
void cm_cloudtrail_record_read(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d,
                               uint32_t rec, struct cm_ct *ct, struct cm_str *time,
                               struct cm_str *region, uint32_t *detail, bool *eventbridge);

#endif
