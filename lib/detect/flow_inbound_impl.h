/*
 * What flow_inbound.c (the inbound flow detector: brute force and port
 * probes, its tables and checkpoints) and flow_inbound_tail.c (the reports
 * of what an entry counted after its last detection) share: the state
 * layout and the tail's entry points. Private to the two.
 */
#ifndef CM_DETECT_FLOW_INBOUND_IMPL_H
#define CM_DETECT_FLOW_INBOUND_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "detect/state.h"

#define BRUTE_BUCKETS 5    /* ring buckets of window / 5 each: the window is 80-100% of it */
#define RECENT_PORTS  8    /* source ports remembered to join the records of one connection */
#define PROBE_PORTS   16   /* ports of one (resource, remote) reported per window */
#define KEY_LEN       27   /* resource hash (8), family (1), address (16), service (1), dir (1) */
#define TOR_PEERS     3    /* distinct Tor nodes on one port that make it the instance's Tor port */
#define SVC_TOR_PORT  0xfe /* key[25] of a Tor-port key: address = the local port, dir = emr */

enum service { SVC_SSH = 0, SVC_RDP, SVC_WINRM, SVC_NONE };

/* The brute-force type of each service (flow_inbound_tail.c). */
extern const char *const cm_flow_in_brute_type[SVC_NONE];

#define TYPE_PROBE     "Recon:EC2/PortProbeUnprotectedPort"
#define TYPE_PROBE_EMR "Recon:EC2/PortProbeEMRUnprotectedPort"
#define SEV_HIGH       8.0

/* Attempts of one remote against one service of one resource, in one direction. */
struct brute {
    int64_t head;        /* bucket number of the newest bucket; valid when used */
    int64_t first_ms;    /* first attempt not yet reported */
    int64_t reported_ms; /* time of the last detection; INT64_MIN: none this episode */
    uint32_t pending;    /* attempts not yet reported */
    uint16_t bucket[BRUTE_BUCKETS];
    uint16_t port[RECENT_PORTS]; /* source ports of the latest connections */
    uint8_t nports, next_port;
    bool used;
};

/* Probes of one resource by one listed remote; index 0 unprotected, 1 EMR. */
struct probes {
    int64_t window_start;       /* start of the current report window */
    int64_t first_ms[2];        /* first probe not yet reported, per type */
    uint32_t pending[2];        /* probes not yet reported, per type */
    uint16_t port[PROBE_PORTS]; /* local ports reported in this window */
    uint16_t nports;
};

/*
 * The Tor nodes using one local port of one resource (a Tor-port key): once
 * TOR_PEERS distinct ones have, the port is the instance's Tor relay port and
 * Tor nodes connecting to it are relay traffic, not probes. Until then the
 * probes by Tor-only remotes are held (the last one kept under the same key)
 * and reported when the entry expires.
 */
struct torport {
    int64_t first_ms;         /* first held probe */
    uint64_t peer[TOR_PEERS]; /* hashes of the distinct Tor peers */
    uint32_t held;            /* probes held, not yet reported */
    uint8_t npeers;
    bool relay;
};

struct inbound {
    const struct cm_detect_config *cfg; /* read afresh per event: src/ may swap the snapshot */
    const struct cm_inventory *inv;     /* the scan's inventory (NULL: none), for cm_flow_view */
    struct cm_intel_memo *memo;         /* the engine's (opts->memo); may be NULL */
    struct cm_state *brute;             /* key -> struct brute */
    struct cm_state *probe;             /* key -> struct probes */
    struct cm_state *torport;           /* Tor-port key -> struct torport */
    struct cm_state *kept;              /* key (probes: key[26] = type) -> struct cm_flow_kept */
    struct cm_flow_local *local;        /* the engine's own-address learner (NULL: none) */
    struct cm_flow_inbound_tuning t;    /* with the defaults filled in */
    int64_t bucket_ms;
    uint64_t seed;
};

/* The key of the kept record of probes of type k (0 unprotected, 1 EMR) under probe key key. */
void cm_flow_in_kept_key(const unsigned char key[KEY_LEN], int k, unsigned char out[KEY_LEN]);
/* Names the lists behind the match in d, scanner lists first. */
void cm_flow_in_probe_lists(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                            struct cm_detection *d);
/*
 * Reports the count connections from first_ms that the entry of kept key
 * counted after its last detection, from the last of them it kept; then
 * forgets that record. Nothing when none is kept. Returns the sink's error.
 */
int cm_flow_in_report_tail(struct inbound *in, const unsigned char key[KEY_LEN], uint32_t count,
                           int64_t first_ms, struct cm_sink *sink);
/* Keeps ev (seen as v) as the last connection the entry of kept key counted; 0 or CM_ENOMEM. */
int cm_flow_in_keep_tail(struct inbound *in, const unsigned char key[KEY_LEN],
                         const struct cm_event *ev, const struct cm_flow_view *v);
/* Expires both tables at watermark_ms, reporting their entries' tails to sink. */
int cm_flow_in_expire(struct inbound *in, int64_t watermark_ms, struct cm_sink *sink);
/* The tables' eviction callbacks (ud: the struct inbound): the entry's kept records go. */
void cm_flow_in_brute_evicted(void *ud, const void *key, size_t klen, void *val);
void cm_flow_in_probe_evicted(void *ud, const void *key, size_t klen, void *val);
void cm_flow_in_torport_evicted(void *ud, const void *key, size_t klen, void *val);

#endif
