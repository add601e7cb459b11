/*
 * What the write operations share (api_ops.h): the detector check, GuardDuty's answer for
 * an id the store does not have, the store's failure as a 500, the {"<member>":"<id>"}
 * answer of a Create and the new resource ids.
 */
#include "api/api_ops.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "api/api_detector.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

#define NO_SUCH "The request is rejected since no such resource found."

/*
 * The one place the write operations ask whether {DetectorId} is this server's (api_ops.h):
 * the detector table's answer (api_detector.c).
 */
int cm_api_ops_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    return cm_api_detector_check(ctx, req, req->params[0], resp);
}

int cm_api_ops_no_such(struct cm_api_resp *resp)
{
    return cm_api_error(resp, 400, "BadRequestException", "InvalidInputException", NO_SUCH);
}

int cm_api_ops_store_fail(struct cm_api_resp *resp, int rc, const char *err)
{
    char msg[600];

    snprintf(msg, sizeof(msg), "the store failed: %s", err && err[0] ? err : cm_strerror(rc));
    return cm_api_error(resp, 500, "InternalServerErrorException", NULL, msg);
}

int cm_api_ops_stored(struct cm_api_resp *resp, int rc, const char *err)
{
    if (rc == 0) {
        return 0;
    }
    return rc == CM_ENOTFOUND ? cm_api_ops_no_such(resp) : cm_api_ops_store_fail(resp, rc, err);
}

int cm_api_ops_answer_id(struct cm_api_resp *resp, const char *member, const char *id)
{
    struct cm_jw jw;

    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, member);
    cm_jw_str(&jw, id);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? 0 : -1;
}

void cm_api_ops_new_id(char out[CM_API_OPS_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[CM_API_OPS_ID_LEN / 2];

    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (int i = 0; i < (int)sizeof(r); i++) {
            r[i] = (unsigned char)(((uint64_t)ts.tv_nsec >> (i % 4 * 8)) ^
                                   ((uint64_t)ts.tv_sec << (i % 3)));
        }
    }
    for (int i = 0; i < (int)sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[CM_API_OPS_ID_LEN] = '\0';
}
