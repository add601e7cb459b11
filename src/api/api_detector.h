/*
 * The detector operations (CreateDetector, GetDetector, UpdateDetector,
 * DeleteDetector, ListDetectors) and what every other operation under
 * /detector/{DetectorId} uses: the check that the id names a detector of the
 * caller's account and region. coalmine's detector sees every finding in the
 * store (docs/api.md): it is the account the logs are read for.
 */
#ifndef CM_API_API_DETECTOR_H
#define CM_API_API_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

/* The message GuardDuty answers an unknown detector id with (spec §6). */
#define CM_API_NOT_OWNED                                                                           \
    "The request is rejected because the input detectorId is not owned by the current account."

/* The request's region: its SigV4 scope's, else the server's. */
const char *cm_api_region(const struct cm_api_ctx *ctx, const struct cm_api_req *req);

/*
 * 0 when id is a detector of ctx->account in the request's region; else resp is the 400
 * InvalidInputException (CM_API_NOT_OWNED) and -1.
 */
int cm_api_detector_check(struct cm_api_ctx *ctx, const struct cm_api_req *req, const char *id,
                          struct cm_api_resp *resp);

/*
 * Makes sure ctx->account has a detector in ctx->region: when it has none, creates one,
 * enabled, with the four sources coalmine reads, with id (or a random id when id is
 * another account's or region's). out[outlen] gets the detector's id. Returns 0 or
 * CM_EIO (err).
 */
int cm_api_detector_ensure(struct cm_api_ctx *ctx, const char *id, int64_t now_ms, char *out,
                           size_t outlen, char *err, size_t errlen);

int cm_api_create_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp);
int cm_api_get_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp);
int cm_api_update_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp);
int cm_api_delete_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp);
int cm_api_list_detectors(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp);

#endif
