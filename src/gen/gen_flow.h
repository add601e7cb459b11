/*
 * Writing VPC flow log records into a flow file (struct cm_gen_file of kind
 * CM_GEN_VPCFLOW), for the background generator and for scenarios. The
 * line follows the format of the file's VPC (v2 default or v5 custom).
 */
#ifndef CM_GEN_GEN_FLOW_H
#define CM_GEN_GEN_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "gen/gen.h"

/* TCP flag sets (OR of flags seen in a window). */
enum {
    CM_GEN_TCP_SYN = 2,
    CM_GEN_TCP_SHORT = 27,       /* SYN ACK PSH FIN: a whole short connection */
    CM_GEN_TCP_SHORT_NOPSH = 19, /* SYN ACK FIN */
    CM_GEN_TCP_LONG = 24,        /* ACK PSH: the middle of a long connection */
};

/* traffic-path values of egress records (0 writes "-"). */
enum {
    CM_GEN_PATH_NONE = 0,
    CM_GEN_PATH_VPC = 1,
    CM_GEN_PATH_GATEWAY_EP = 7,
    CM_GEN_PATH_IGW = 8,
};

/* One record, as the ENI of instance `in` logs it. */
struct cm_gen_flow {
    const struct cm_gen_instance *in;
    uint32_t src, dst; /* host order */
    uint16_t sport, dport;
    uint8_t proto, flags, path;
    bool accept, ingress;
    uint32_t packets;
    uint64_t bytes;
    int64_t start, end; /* Unix seconds */
};

/*
 * Appends r to flow file f as one record of the capture window starting at
 * window_start (its sort key).
 */
void cm_gen_flow_write(struct cm_gen_file *f, const struct cm_gen_flow *r, int64_t window_start);

/* Appends a NODATA record for instance in's ENI over [ws, we). */
void cm_gen_flow_nodata(struct cm_gen_file *f, const struct cm_gen_instance *in, int64_t ws,
                        int64_t we);

#endif
