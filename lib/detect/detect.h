/*
 * Detectors and the detection engine (DESIGN.md §4).
 *
 * A detector is a const struct cm_detector in the table cm_detectors(); it
 * declares the finding types it can emit and the event kinds it wants, and
 * keeps its state in an opaque object made by init(). An engine (struct
 * cm_engine) is one worker shard's set of detector instances: it dispatches
 * each event to the detectors that want its kind, tracks the event-time
 * watermark, and calls on_tick() as event time advances so windows can close.
 * Time is event time only. An engine is used by one thread.
 */
#ifndef CM_DETECT_DETECT_H
#define CM_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/state.h"
#include "event/event.h"
#include "event/finding.h"

struct cm_intel_snapshot;
struct cm_awsranges;
struct cm_dga_model;
struct cm_flow_tunings;
struct cm_psl;
struct cm_dns_tunings;
struct cm_intel_memo;
struct cm_flow_local;
struct cm_ckpt_w;
struct cm_ckpt_r;
struct cm_cr_config;

/*
 * Settings of the CloudTrail detectors (docs/detectors/cloudtrail.md); a
 * zero member takes its documented default.
 */
struct cm_ct_tuning {
    double travel_min_km;         /* ConsoleLoginSuccess.B: least distance (500) */
    double travel_max_kmh;        /* ... fastest plausible travel (1000) */
    int64_t travel_window_ms;     /* ... how long a login is remembered (24 h) */
    uint32_t travel_keys_max;     /* ... principals whose logins are kept, per table (262144) */
    uint32_t exfil_expected_days; /* credential exfiltration: days until a host is expected (7) */
    uint32_t exfil_homes_max;     /* ... instances whose addresses are kept, per table (262144) */
    uint32_t exfil_creds_max;     /* ... keys whose issue is kept, per table (524288) */
    int64_t anomaly_learn_ms;     /* API anomalies: how long a profile learns before it judges,
                                     and a network or client is new for (24 h) */
    uint32_t anomaly_burst;       /* ... distinct unusual Discovery calls that fire (5) */
    int64_t anomaly_window_ms;    /* ... the window they must fall in (10 min) */
};

#define CM_CT_TRAVEL_MIN_KM       500.0
#define CM_CT_TRAVEL_MAX_KMH      1000.0
#define CM_CT_TRAVEL_WINDOW_MS    (24LL * 3600 * 1000)
#define CM_CT_EXFIL_EXPECTED_DAYS 7u
#define CM_CT_ANOMALY_LEARN_MS    (24LL * 3600 * 1000)
#define CM_CT_ANOMALY_BURST       5u
#define CM_CT_ANOMALY_WINDOW_MS   (10LL * 60 * 1000)

/*
 * What detectors read besides events. The engine keeps the pointer, not a
 * copy: the thread that runs the engine may change the members between
 * events (a new intel snapshot published on reload), and detectors read
 * them afresh at each event. The snapshot is borrowed: src/ holds a
 * reference while it is set here. NULL when no intel is loaded.
 */
struct cm_detect_config {
    const struct cm_intel_snapshot *intel;
    /* AWS's published ranges (ip-ranges.json): "inside / outside AWS"; NULL when not loaded. */
    const struct cm_awsranges *aws_ranges;
    /*
     * Where an address is: *lat and *lon in degrees, true when known. NULL
     * when no geo database with locations is loaded. Called from the engine's
     * thread; src/ makes it safe for that.
     */
    bool (*locate)(void *ud, const struct cm_ip *ip, double *lat, double *lon);
    void *locate_ud;
    /*
     * The autonomous system an address is announced from: its number in
     * *asn (and its organisation in org[0..orglen), NUL-terminated, "" when
     * unknown), true when known. NULL when no ASN database is loaded. Same
     * threading rules as locate; ud is locate_ud.
     */
    bool (*asn)(void *ud, const struct cm_ip *ip, uint32_t *asn, char *org, size_t orglen);
    /* Decoy access key ids (canary tokens), borrowed; any use is a finding. */
    const struct cm_str *canary_keys;
    size_t ncanary;
    struct cm_ct_tuning ct; /* CloudTrail detector settings; zeros take the defaults */
    const void *ext;        /* for detectors outside the built-in table (opaque here) */
    /*
     * The instance map (lib/inventory/inventory.h) that CloudTrail seen in
     * the run fills, through cm_detector_inventory_ct; NULL: none. src/
     * owns it and sets its lock hooks, since shards share it.
     */
    struct cm_inventory *inventory;
    /* The DGA model (detect/dga.h) from --dga-model; NULL: the built-in one. Borrowed. */
    const struct cm_dga_model *dga;
    /* Settings of the VPC flow detectors (detect/flow.h); NULL: every default. Borrowed. */
    const struct cm_flow_tunings *flow;
    /* The Public Suffix List (base/psl.h) for names detectors split; NULL: libpsl's. Borrowed. */
    const struct cm_psl *psl;
    /* Settings of the DNS detectors (detect/dns_tunings.h); NULL: every default. Borrowed. */
    const struct cm_dns_tunings *dns;
    /*
     * The finding detection d becomes in the caller's findings pipeline
     * (struct cm_detection_ref: its id, severity and bucket); false when d
     * makes none. The attack-sequence correlator names
     * its signals by them, so that a signal is one of the findings the scan
     * prints. Pure (called from every engine's thread). NULL: unknown (a
     * signal is then one finding type, with a uid of its own and no severity).
     */
    bool (*finding_ref)(const struct cm_detection *d, struct cm_detection_ref *out);
    /*
     * The Custom Detection Rules' modes and dry-run reporting (detect/ct_custom.h);
     * NULL: every rule LIVE. Borrowed.
     */
    const struct cm_cr_config *custom_rules;
};

struct cm_detect_opts {
    int64_t tick_ms;                       /* event-time interval between on_tick calls (0: 60 s) */
    int64_t lateness_ms;                   /* allowed out-of-order lateness for the watermark */
    uint64_t seed;                         /* hash seed for keyed state */
    const struct cm_detect_config *config; /* NULL: no intel, defaults */
    /* Set by the engine for its detectors (detect/intel.h); callers leave it NULL. */
    struct cm_intel_memo *memo;
    /*
     * The engine's own-address learner (detect/flow.h), for the detectors that set
     * flow_local: the engine notes every flow record in it before they see the record,
     * expires it when it ticks them and checkpoints it. Set by the engine; callers
     * leave it NULL (a detector made without an engine then learns nothing).
     */
    struct cm_flow_local *flow_local;
    /* An event counts as late (cm_engine_stats.late) when it is older than the last tick
     * of its kind's clock by more than this: the scan sets the disorder its reading order
     * leaves (CM_INPUT_CLOCK_SLACK_MS), so only records of a file delivered out of order
     * count. */
    int64_t late_slack_ms;
};

struct cm_detector {
    const char *name;
    const char *const *types; /* NULL-terminated finding types it can emit */
    unsigned kinds;           /* CM_EV_MASK() of the event kinds it wants */
    /* Makes the state; returns 0 or CM_E*. */
    int (*init)(void **state, const struct cm_detect_opts *opts);
    /* Sees one event; may emit. Returns 0 or a negative CM_E* to stop the run. */
    int (*on_event)(void *state, const struct cm_event *ev, struct cm_sink *sink);
    /* Event time has reached watermark_ms: close windows, expire state. */
    int (*on_tick)(void *state, int64_t watermark_ms, struct cm_sink *sink);
    /* Frees the state; NULL allowed. */
    void (*finish)(void *state);
    /* Adds the counters of its keyed tables to *sum (cm_state_stats_add); NULL: it keeps none. */
    void (*state_stats)(const void *state, struct cm_state_stats *sum);
    /*
     * Correlation: sees every detection the engine's detectors emit, once the
     * caller's sink has taken it, and may emit in turn (to the caller's sink
     * only: what a correlator emits is never seen by on_detection again). d
     * and its event are borrowed for the call. NULL: not a correlator.
     */
    int (*on_detection)(void *state, const struct cm_detection *d, struct cm_sink *sink);
    /*
     * Checkpoints (detect/ckpt.h, DESIGN.md §5): save writes what the state
     * has learned and what its windows hold; load reads it back into a fresh
     * state made by init with the same settings. state_version names the
     * layout save writes: bump it whenever that changes, and a file of
     * another version starts this detector afresh. NULL save: nothing kept.
     */
    uint32_t state_version;
    int (*save)(const void *state, struct cm_ckpt_w *w);
    int (*load)(void *state, struct cm_ckpt_r *r);
    /*
     * The earlier layouts the detector still reads (0 and NULL: none): a
     * section saved as any version from state_version_old up to
     * state_version - 1 is read by load_old, told the version, instead of
     * starting afresh.
     */
    uint32_t state_version_old;
    int (*load_old)(void *state, struct cm_ckpt_r *r, uint32_t version);
    /* It views flow records (cm_flow_view) through the engine's learner, opts->flow_local. */
    bool flow_local;
};

/* The built-in detectors, NULL-terminated. */
const struct cm_detector *const *cm_detectors(void);

struct cm_engine;

/* Engine counters (per shard; summed by src/). */
struct cm_engine_stats {
    uint64_t events[CM_EV_KIND_COUNT];
    uint64_t dispatched; /* (event, detector) pairs */
    uint64_t ticks;
    /* Events older than the last tick of their kind's clock when they came: its detectors
     * had closed windows and expired state past them. */
    uint64_t late;
    uint64_t late_kind[CM_EV_KIND_COUNT];
    /* Records read already, not analysed: CloudTrail records whose eventID, flow and Resolver
     * records whose CloudWatch Logs event id (cm_event.log_id) was read (detect/seen.h);
     * the total, then by kind. */
    uint64_t repeated;
    uint64_t repeated_kind[CM_EV_KIND_COUNT];
    /* Threat-list matches a trusted list suppressed in the intel detectors (spec §4.3):
     * detections never made, so the sink's own trusted count does not see them. */
    uint64_t trusted;
};

/*
 * Creates an engine over a NULL-terminated detector table (borrowed; must
 * outlive the engine). Returns 0, CM_ENOMEM, or the first init() error.
 */
int cm_engine_create(struct cm_engine **out, const struct cm_detector *const *table,
                     const struct cm_detect_opts *opts);
/* Destroys the engine and every detector state; NULL is a no-op. */
void cm_engine_destroy(struct cm_engine *e);
/* Feeds one event. Returns 0 or the first detector error. */
int cm_engine_event(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink);
/*
 * Starts fetching what cm_engine_event will look up first for ev (the CloudTrail eventIDs
 * and log event ids read, detect/seen.h), so a caller with work to do before it feeds ev
 * overlaps the cache misses (cm_engine_events does this itself a few events ahead). Changes
 * nothing.
 */
void cm_engine_prefetch(const struct cm_engine *e, const struct cm_event *ev);
/*
 * cm_engine_event for evs[0..n) in order, with what the detectors share
 * about them (the intel verdicts on DNS query names and on flow and
 * CloudTrail addresses) looked up for many events at once first. Returns at
 * the first error.
 */
int cm_engine_events(struct cm_engine *e, const struct cm_event *const *evs, size_t n,
                     struct cm_sink *sink);
/* End of input: ticks with an infinite watermark so every window closes. */
int cm_engine_flush(struct cm_engine *e, struct cm_sink *sink);
/* Current watermark over every event (INT64_MIN before the first event). */
int64_t cm_engine_watermark(const struct cm_engine *e);
/*
 * The watermark of kind's clock, the one its detectors tick on: each event kind (source)
 * has its own, so a source delivered later than another is not late by the other's clock.
 */
int64_t cm_engine_kind_watermark(const struct cm_engine *e, enum cm_event_kind kind);
/*
 * The latest event time the input being read vouches for (INT64_MAX, the
 * default: none). The engine's clock moves no further than it: an event after
 * it is analysed as any other, but the watermark stops there. The events of
 * one shard come from many inputs in the order of their stamps; an input that
 * spans an hour would otherwise carry the watermark an hour past the inputs
 * still to come, and expire the state of other entities (their windows) before
 * their own next events. The scan sets it from each input's object key
 * (cm_input_clock_bound).
 */
void cm_engine_set_horizon(struct cm_engine *e, int64_t horizon_ms);
const struct cm_engine_stats *cm_engine_stats(const struct cm_engine *e);
/* The events the engine was given: those analysed (every kind) and those read already. */
uint64_t cm_engine_events_taken(const struct cm_engine *e);
/*
 * Checkpoints. cm_engine_save writes the watermark and each detector's state
 * (its name, state_version and what its save writes) to w; call it between
 * events, without cm_engine_flush (which closes every window). Returns w's
 * error.
 */
int cm_engine_save(const struct cm_engine *e, struct cm_ckpt_w *w);
/*
 * Reads what cm_engine_save wrote into a fresh engine (no event yet). A
 * detector the file does not have, or has at another state_version or with
 * values of another size (CM_EFORMAT from its load), starts afresh; their
 * names go to dropped[0..len) (", "-separated, NUL-terminated; may be NULL).
 * Returns 0 or r's error (CM_ETRUNC, CM_EINVAL: a value no detector makes;
 * r->why and r->err_off say what and where); the engine is then unusable.
 */
int cm_engine_load(struct cm_engine *e, struct cm_ckpt_r *r, char *dropped, size_t len);

/* Adds the keyed-state counters of every detector (entries, evictions, bytes) to *sum. */
void cm_engine_state_stats(const struct cm_engine *e, struct cm_state_stats *sum);

/*
 * The keyed-state counters of each detector that keeps tables, by detector
 * name: what --stats reports per detector, so a table that evicts can be told
 * from the others. Shards' counters are summed by name (peaks too, like
 * cm_engine_state_stats).
 */
#define CM_DET_STATES_MAX 64
struct cm_det_state {
    const char *name; /* the detector's (static) */
    struct cm_state_stats st;
};
struct cm_det_states {
    size_t n;
    struct cm_det_state v[CM_DET_STATES_MAX];
};
/* Adds st to name's counters in *d (a new name past CM_DET_STATES_MAX is left out). */
void cm_det_states_add(struct cm_det_states *d, const char *name, const struct cm_state_stats *st);
/* Adds every detector's counters of e to *d (cm_det_states_add). */
void cm_engine_det_states(const struct cm_engine *e, struct cm_det_states *d);

#endif
