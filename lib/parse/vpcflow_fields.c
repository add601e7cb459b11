/*
 * The VPC Flow Logs field names (spec §7.2): the table of every field AWS
 * defines with the log format version that brought it, and the look-ups
 * the parser (vpcflow.c) makes of header lines and reject messages, and
 * the typed value of a field that is "-". No I/O, no allocation.
 */
#include "parse/parse.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "parse/flow_scan.h"
#include "parse/vpcflow_int.h"

struct field_def {
    const char *name;
    uint8_t len;
    uint8_t version;
};

#define F(n, v)                                                                                    \
    {                                                                                              \
        n, (uint8_t)(sizeof(n) - 1), v                                                             \
    }
/* Indexed by enum cm_flow_field. Versions past 5 are uncertain in AWS docs. */
static const struct field_def fields[CM_FF_COUNT] = {
    F("version", 2),
    F("account-id", 2),
    F("interface-id", 2),
    F("srcaddr", 2),
    F("dstaddr", 2),
    F("srcport", 2),
    F("dstport", 2),
    F("protocol", 2),
    F("packets", 2),
    F("bytes", 2),
    F("start", 2),
    F("end", 2),
    F("action", 2),
    F("log-status", 2),
    F("vpc-id", 3),
    F("subnet-id", 3),
    F("instance-id", 3),
    F("tcp-flags", 3),
    F("type", 3),
    F("pkt-srcaddr", 3),
    F("pkt-dstaddr", 3),
    F("region", 4),
    F("az-id", 4),
    F("sublocation-type", 4),
    F("sublocation-id", 4),
    F("pkt-src-aws-service", 5),
    F("pkt-dst-aws-service", 5),
    F("flow-direction", 5),
    F("traffic-path", 5),
    F("ecs-cluster-arn", 7),
    F("ecs-cluster-name", 7),
    F("ecs-container-instance-arn", 7),
    F("ecs-container-instance-id", 7),
    F("ecs-container-id", 7),
    F("ecs-second-container-id", 7),
    F("ecs-service-name", 7),
    F("ecs-task-definition-arn", 7),
    F("ecs-task-arn", 7),
    F("ecs-task-id", 7),
    F("reject-reason", 8),
    F("resource-id", 9),
    F("encryption-status", 10),
};
#undef F

int cm_flow_field_lookup(const char *p, size_t len)
{
    if (len >= 3 && p[0] == '$' && p[1] == '{' && p[len - 1] == '}') {
        p += 2;
        len -= 3;
    }
    if (len < 3 || len > 26) {
        return -1;
    }
    for (int i = 0; i < CM_FF_COUNT; i++) {
        if (fields[i].len == len && fields[i].name[0] == p[0] &&
            memcmp(fields[i].name, p, len) == 0) {
            return i;
        }
    }
    return -1;
}

int cm_flow_field_by_name(struct cm_str name)
{
    if (name.p == NULL) {
        return -1;
    }
    return cm_flow_field_lookup(name.p, name.len);
}

const char *cm_flow_field_name(enum cm_flow_field f)
{
    if ((unsigned)f >= CM_FF_COUNT) {
        return NULL;
    }
    return fields[f].name;
}

void cm_flow_format_default(struct cm_flow_format *fmt)
{
    memset(fmt, 0, sizeof(*fmt));
    fmt->ncols = DEFAULT_NCOLS;
    for (uint8_t i = 0; i < DEFAULT_NCOLS; i++) {
        fmt->col[i] = i;
    }
    fmt->known = 1;
}

bool cm_flow_field_tgw(const char *p, size_t len)
{
    /* The fields of Transit Gateway flow logs that VPC flow logs do not have. */
    static const char *const tgw[] = {
        "resource-type",
        "tgw-id",
        "tgw-attachment-id",
        "tgw-src-vpc-account-id",
        "tgw-dst-vpc-account-id",
        "tgw-src-vpc-id",
        "tgw-dst-vpc-id",
        "tgw-src-subnet-id",
        "tgw-dst-subnet-id",
        "tgw-src-eni",
        "tgw-dst-eni",
        "tgw-src-az-id",
        "tgw-dst-az-id",
        "tgw-pair-attachment-id",
        "packets-lost-no-route",
        "packets-lost-blackhole",
        "packets-lost-mtu-exceeded",
        "packets-lost-ttl-expired",
    };

    if (len >= 3 && p[0] == '$' && p[1] == '{' && p[len - 1] == '}') {
        p += 2;
        len -= 3;
    }
    for (size_t i = 0; i < sizeof(tgw) / sizeof(tgw[0]); i++) {
        if (strlen(tgw[i]) == len && memcmp(p, tgw[i], len) == 0) {
            return true;
        }
    }
    return false;
}

int cm_flow_field_version(unsigned id)
{
    return id < CM_FF_COUNT ? fields[id].version : 0;
}

bool cm_flow_field_name_shaped(const char *p, size_t len)
{
    if (len >= 3 && p[0] == '$' && p[1] == '{' && p[len - 1] == '}') {
        p += 2;
        len -= 3;
    }
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

int cm_flow_format_parse(const char *spec, struct cm_flow_format *fmt, char *err, size_t errlen)
{
    uint64_t seen = 0;
    const char *p = spec;

    memset(fmt, 0, sizeof(*fmt));
    for (;;) {
        const char *q;
        int id;

        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        q = p;
        while (*q != '\0' && *q != ' ' && *q != '\t' && *q != ',') {
            q++;
        }
        if (fmt->ncols == CM_FLOW_MAX_COLS) {
            snprintf(err, errlen, "more than %d fields", CM_FLOW_MAX_COLS);
            return CM_EINVAL;
        }
        id = cm_flow_field_lookup(p, (size_t)(q - p));
        if (id < 0) {
            snprintf(err, errlen, "field %u: '%.*s' is not a VPC flow log field", fmt->ncols + 1,
                     (int)(q - p > 40 ? 40 : q - p), p);
            return CM_EINVAL;
        }
        if (seen & (1ULL << id)) {
            snprintf(err, errlen, "field %u: '%s' given twice", fmt->ncols + 1,
                     cm_flow_field_name((enum cm_flow_field)id));
            return CM_EINVAL;
        }
        seen |= 1ULL << id;
        fmt->col[fmt->ncols++] = (uint8_t)id;
        p = q;
    }
    if (fmt->ncols == 0) {
        snprintf(err, errlen, "no fields");
        return CM_EINVAL;
    }
    fmt->known = 1;
    return CM_OK;
}

bool cm_flow_format_fits(const struct cm_flow_format *fmt, const char *buf, size_t len)
{
    struct cm_flow_tok toks[CM_FLOW_MAX_COLS + 1];
    uint64_t bad = 0;
    size_t i = 0, end, k;
    const char *nl;

    if (fmt == NULL || !fmt->known || buf == NULL) {
        return false;
    }
    i = cm_parse_skip_ws(buf, len, i);
    nl = memchr(buf + i, '\n', len - i);
    end = nl ? (size_t)(nl - buf) : len;
    if (end > i && buf[end - 1] == '\r') {
        end--;
    }
    k = cm_parse_cwl_prefix(buf, end, i);
    i += k;
    if (end - i > 65536) {
        return false;
    }
    return cm_flow_tokenize(buf + i, end - i, len - i, toks, &bad) == fmt->ncols && bad == 0;
}

/* The typed value of field id when a line has "-" there. */
void cm_flow_field_set_default(struct cm_flow *fl, unsigned id)
{
    switch (id) {
    case CM_FF_VERSION:
        fl->version = 0;
        break;
    case CM_FF_SRCADDR:
        fl->src.family = CM_IP_NONE;
        break;
    case CM_FF_DSTADDR:
        fl->dst.family = CM_IP_NONE;
        break;
    case CM_FF_PKT_SRCADDR:
        fl->pkt_src.family = CM_IP_NONE;
        break;
    case CM_FF_PKT_DSTADDR:
        fl->pkt_dst.family = CM_IP_NONE;
        break;
    case CM_FF_SRCPORT:
        fl->srcport = -1;
        break;
    case CM_FF_DSTPORT:
        fl->dstport = -1;
        break;
    case CM_FF_PROTOCOL:
        fl->protocol = -1;
        break;
    case CM_FF_PACKETS:
        fl->packets = 0;
        break;
    case CM_FF_BYTES:
        fl->bytes = 0;
        break;
    case CM_FF_START:
        fl->start = 0;
        break;
    case CM_FF_END:
        fl->end = 0;
        break;
    case CM_FF_TCP_FLAGS:
        fl->tcp_flags = -1;
        break;
    case CM_FF_TRAFFIC_PATH:
        fl->traffic_path = -1;
        break;
    case CM_FF_ACTION:
        fl->action = CM_FA_NONE;
        break;
    case CM_FF_LOG_STATUS:
        fl->status = CM_FS_OK;
        break;
    case CM_FF_FLOW_DIRECTION:
        fl->direction = CM_FD_UNKNOWN;
        break;
    default:
        break;
    }
}
