/*
 * Where the log events of a CloudWatch Logs wrapper came from (see cwl.h):
 * a subscription delivery's owner and log stream, awscli's logStreamName,
 * and where the log group changes.
 */
#include "parse/cwl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "event/event.h"

static bool lower_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool alnum(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

struct cm_str cm_cwl_stream_vpc(struct cm_str stream)
{
    size_t n = 4;

    if (stream.len < 4 || memcmp(stream.p, "vpc-", 4) != 0) {
        return CM_STR_NULL;
    }
    while (n < stream.len && lower_hex(stream.p[n])) {
        n++;
    }
    if ((n != 4 + 8 && n != 4 + 17) || (n < stream.len && alnum(stream.p[n]))) {
        return CM_STR_NULL;
    }
    return cm_str_make(stream.p, n);
}

int cm_cwl_set_origin(struct cm_cwl *c, size_t from, struct cm_str owner, struct cm_str stream)
{
    struct cm_cwl_origin o;
    struct cm_str vpc = cm_cwl_stream_vpc(stream);
    uint32_t idx;

    memset(&o, 0, sizeof(o));
    if (owner.len < sizeof(o.account) && cm_account_id_ok(owner)) {
        memcpy(o.account, owner.p, owner.len);
    }
    if (vpc.len > 0) {
        memcpy(o.vpc, vpc.p, vpc.len); /* at most 21 bytes */
    }
    if (o.account[0] == '\0' && o.vpc[0] == '\0') {
        return CM_OK;
    }
    if (c->norigin == 0 || memcmp(&c->origin[c->norigin - 1], &o, sizeof(o)) != 0) {
        if (c->norigin >= UINT32_MAX - 1 || cm_grow((void **)&c->origin, &c->origin_cap,
                                                    c->norigin + 1, sizeof(*c->origin), 16) != 0) {
            return CM_ENOMEM;
        }
        c->origin[c->norigin++] = o;
    }
    idx = (uint32_t)c->norigin;
    for (size_t k = from; k < c->npiece; k++) {
        c->piece[k].origin = idx;
    }
    return CM_OK;
}

const struct cm_cwl_origin *cm_cwl_origin_of(const struct cm_cwl *c, const struct cm_cwl_piece *pc)
{
    return pc != NULL && pc->origin > 0 && pc->origin <= c->norigin ? &c->origin[pc->origin - 1]
                                                                    : NULL;
}

int cm_cwl_add_run(struct cm_cwl *c, size_t from)
{
    if (cm_grow((void **)&c->run, &c->run_cap, c->nrun + 1, sizeof(*c->run), 8) != 0) {
        return CM_ENOMEM;
    }
    c->run[c->nrun++] = from;
    return CM_OK;
}
