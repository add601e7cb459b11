/*
 * Tags of API resources (TagResource, UntagResource, ListTagsForResource):
 * the taggable resource coalmine serves is the detector
 * (arn:aws:guardduty:REGION:ACCOUNT:detector/ID); its tags are a JSON object
 * in its store row. Keys are 1-128 bytes not starting with "aws:", values at
 * most 256 bytes, at most 50 tags on a resource.
 */
#ifndef CM_API_API_TAGS_H
#define CM_API_API_TAGS_H

#include <stdint.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/json.h"

#define CM_API_MAX_TAGS 50

/*
 * Writes to out the JSON object of the tags old (JSON object text; NULL: none) with those
 * of the object at node of d added or replaced (node CM_JSON_NONE: none) and the keys
 * remove[0..nremove) taken away. A bad tag is a 400 in resp and -1.
 */
int cm_api_tags_merge(const char *old, const struct cm_json_doc *d, uint32_t node,
                      struct cm_buf *out, struct cm_api_resp *resp);
int cm_api_tags_edit(const char *old, const struct cm_json_doc *d, uint32_t node,
                     const char *const *remove, size_t nremove, struct cm_buf *out,
                     struct cm_api_resp *resp);

int cm_api_tag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp);
int cm_api_untag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp);
int cm_api_list_tags(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                     struct cm_api_resp *resp);

#endif
