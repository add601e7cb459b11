/*
 * The engine's insides, shared by detect.c (dispatch, clocks, statistics)
 * and detect_ckpt.c (its part of a checkpoint): the detector slots, the
 * relay to the correlators, the event-time clocks and the engine itself.
 */
#ifndef CM_DETECT_DETECT_IMPL_H
#define CM_DETECT_DETECT_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/detect.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "detect/seen.h"

struct slot {
    const struct cm_detector *det;
    void *state;
};

/* The sink detectors emit to when the engine has correlators: the caller's, then them. */
struct relay {
    struct cm_sink sink; /* emit = relay_emit, ud = the engine */
    struct cm_sink *outer;
    bool busy; /* a correlator is running: its detections go to outer only */
};

/* An event-time clock: the watermark and the next tick boundary. */
struct clock {
    int64_t max_time;  /* the largest event time seen, bounded by the horizons */
    int64_t watermark; /* max_time - lateness: never goes back */
    int64_t next_tick;
    int64_t ticked; /* the watermark of the last tick: an event before it is late */
};

struct cm_engine {
    struct cm_detect_opts opts;
    struct slot *slots;
    size_t nslots;
    struct slot **corr; /* the correlators (on_detection), in table order */
    size_t ncorr;
    struct relay relay;
    /* The slots that want each kind, in table order: byk[k][0 .. nbyk[k]). */
    struct slot **byk[CM_EV_KIND_COUNT];
    size_t nbyk[CM_EV_KIND_COUNT];
    /*
     * Clocks: one over every event (the correlators', which see every kind's detections)
     * and one per event kind, which drives the detectors of that kind. Each source is
     * delivered with its own delay (CloudTrail within about 15 min, flow and Resolver
     * logs later, a file sometimes hours late), so one source's clock must not close the
     * windows of another's detectors before its records come.
     */
    struct clock all;
    struct clock kind[CM_EV_KIND_COUNT];
    /*
     * At most the max time of every kind's clock that has one (INT64_MAX: none has): while
     * the clock over every event is less than MAX_SKEW_MS ahead of it, no source lags and
     * advance() looks at none. INT64_MIN: not known (it is worked out at the next event).
     */
    int64_t skew_low;
    int64_t horizon; /* the clock moves no further (cm_engine_set_horizon) */
    struct cm_engine_stats stats;
    struct cm_intel_memo memo; /* the detectors' shared intel answers (opts.memo) */
    struct cm_seen seen;       /* CloudTrail eventIDs read, so a copy is read once */
    /* The own-address learner of the detectors with flow_local (opts.flow_local); NULL: none. */
    struct cm_flow_local *flow_local;
};

/* The learner's name in state counters and in what a checkpoint's load dropped. */
#define FLOW_LOCAL_NAME "vpcflow-local"

#endif
