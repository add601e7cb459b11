/*
 * Reading a request's JSON body the way the API model types it
 * (spec/guardduty-api-model.json): each helper finds one member, checks its
 * JSON type and range, and on a mismatch writes the 400 the API answers with
 * (BadRequestException, the message naming the member) and returns -1.
 */
#ifndef CM_API_API_BODY_H
#define CM_API_API_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "base/json.h"

/* Parses req's body (none: "{}") into d (cm_json_doc_init()ed); its root must be an object. */
int cm_api_body_parse(const struct cm_api_req *req, struct cm_json_doc *d,
                      struct cm_api_resp *resp);

/* An integer member in [min, max]: 1 present (*out set), 0 absent, -1 error. */
int cm_api_body_int(const struct cm_json_doc *d, uint32_t obj, const char *name, int64_t min,
                    int64_t max, int64_t *out, struct cm_api_resp *resp);

/* A boolean member: 1 present, 0 absent, -1 error. */
int cm_api_body_bool(const struct cm_json_doc *d, uint32_t obj, const char *name, bool *out,
                     struct cm_api_resp *resp);

/*
 * A string member of 1..max bytes (unescaped into out[cap], cap > max): 1 present, 0
 * absent, -1 error. With allowed (NULL-terminated), the value must be one of them.
 */
int cm_api_body_str(const struct cm_json_doc *d, uint32_t obj, const char *name, size_t max,
                    const char *const *allowed, char *out, size_t cap, struct cm_api_resp *resp);

/* The node of a member of the given JSON type (CM_JSON_NONE when absent), -1 on error. */
int cm_api_body_node(const struct cm_json_doc *d, uint32_t obj, const char *name,
                     enum cm_json_type type, uint32_t *node, struct cm_api_resp *resp);

/* An integer query parameter in [min, max]: 1 present, 0 absent, -1 error. */
int cm_api_query_int(const struct cm_api_req *req, const char *name, int64_t min, int64_t max,
                     int64_t *out, struct cm_api_resp *resp);

#endif
