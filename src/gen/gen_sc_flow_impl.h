/*
 * What the VPC flow scenarios' engine (gen_sc_flow.c) and their plans
 * (gen_sc_flow_plans.c) share: the plan and step shapes, and the engine's
 * callbacks a plan's struct cm_gen_scenario points at.
 */
#ifndef CM_GEN_GEN_SC_FLOW_IMPL_H
#define CM_GEN_GEN_SC_FLOW_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "gen/gen.h"

enum { HOST_MAIN = 0, HOST_OTHER = 1 }; /* which instance of the plan */
enum { DIR_OUT = 0, DIR_IN = 1 };       /* who opens the connections */

struct fl_step {
    uint32_t at;      /* seconds after the run's first 10-minute boundary */
    uint8_t host;     /* HOST_* */
    uint8_t dir;      /* DIR_* */
    uint8_t proto;    /* 6, 17, 47, 50, 1... */
    uint8_t accept;   /* 0: the security group rejects it */
    uint32_t peer;    /* the remote (host order) */
    uint16_t port;    /* destination port of the request (0: none) */
    uint16_t nports;  /* connection i goes to port + i % nports (0 or 1: one port) */
    uint16_t n;       /* connections; 0 ends the plan */
    uint16_t every;   /* seconds between connections */
    uint32_t packets; /* in the request record */
    uint16_t size;    /* bytes a packet */
    uint16_t dur;     /* the record's end - start, seconds */
    uint8_t reply;    /* also write the reply record (accepted connections only) */
    uint8_t hit;      /* the finding counts these connections */
    uint8_t npeers;   /* connection i goes to peer + i % npeers (0 or 1: one remote) */
};

struct fl_plan {
    uint8_t main, other; /* enum cm_gen_tier of the plan's two instances */
    unsigned hours;      /* hours a run needs (0: 1) */
    double severity;     /* what the docs fix */
    const char *role;    /* resourceRole/connectionDirection */
    const char *info;    /* additionalInfo checks (struct cm_gen_expect) or NULL */
    const char *list;    /* the threat list of `listed` (NULL: none) */
    uint32_t listed[4];  /* addresses on it, 0-terminated */
    uint32_t trusted[2]; /* addresses also on the trusted list, 0-terminated */
    struct fl_step steps[CM_GEN_SC_MAX_STEPS];
};

/* Peers that depend on the world: struct fl_step.peer values below 256. */
enum {
    PEER_VPC_RESOLVER = 1, /* the instance's VPC resolver (VPC base + 2) */
    PEER_S3 = 2,           /* an address of S3's range in the instance's region */
};

int cm_gen_fl_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f);
size_t cm_gen_fl_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                       struct cm_gen_intel_entry *out);
int cm_gen_fl_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                     const struct cm_gen_world *w, struct cm_gen_expect *e);
size_t cm_gen_fl_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                       struct cm_gen_need *out);
/* cm_gen_fl_needs, and the plan's main instance as an EMR node. */
size_t cm_gen_fl_needs_emr(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                           struct cm_gen_need *out);

#endif
