/*
 * The finding operations that read the store (api_findings_read.c):
 * ListFindings, GetFindings, GetFindingsStatistics; and the request members
 * they share with the operations that change findings or filters:
 * FindingCriteria and SortCriteria.
 */
#ifndef CM_API_API_FINDINGS_H
#define CM_API_API_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/api_input.h"
#include "base/json.h"
#include "finding/criteria.h"
#include "store/store.h"

/*
 * Compiles the FindingCriteria member of obj (REST form; matches/notMatches refused as
 * in ListFindings): 1 (*out owned by the caller), 0 absent (*out NULL), -1 with the 400
 * naming the member and the reason in resp.
 */
int cm_api_criteria(struct cm_api_in *b, uint32_t obj, const char *member, struct cm_criteria **out,
                    struct cm_api_resp *resp);

/*
 * Reads sortCriteria {attributeName, orderBy} of obj (default updatedAt, DESC): 1 given,
 * 0 absent, -1 with a 400 (an attribute the store does not sort by is named).
 */
int cm_api_sort_criteria(struct cm_api_in *b, uint32_t obj, enum cm_store_sort *sort,
                         bool *ascending, struct cm_api_resp *resp);

int cm_api_list_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp);
int cm_api_get_findings(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp);
int cm_api_get_findings_statistics(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                   struct cm_api_resp *resp);

#endif
