/*
 * The engine a scan runs: what `coalmine scan`, `coalmine scan --follow` and
 * `coalmine serve --watch` share. The options and config that choose the intel,
 * the detectors' settings, the inventory and the state are taken here, and
 * cm_scan_engine_open() turns them into a ready engine (detector config, scan
 * options, findings sink, state, store), so no command copies that setup.
 */
#ifndef CM_CLI_SCAN_ENGINE_H
#define CM_CLI_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/scan_config.h"
#include "cli/scan_detect.h"
#include "cli/scan_findings.h"
#include "cli/scan_intel.h"
#include "cli/scan_inventory.h"
#include "cli/scan_state.h"
#include "core/config.h"
#include "core/scan.h"
#include "detect/detect.h"
#include "store/store.h"

/*
 * The long options of the engine that `scan` and `serve` share (intel, detector
 * and inventory options), for their getopt_long tables; each is handed to
 * cm_scan_engine_option().
 */
/* clang-format off */
#define CM_SCAN_ENGINE_LONGOPTS                                                \
    {"threat-list", required_argument, NULL, CM_SCAN_OPT_THREAT_LIST},         \
    {"trusted-list", required_argument, NULL, CM_SCAN_OPT_TRUSTED_LIST},       \
    {"intel-list", required_argument, NULL, CM_SCAN_OPT_INTEL_LIST},           \
    {"intel-dir", required_argument, NULL, CM_SCAN_OPT_INTEL_DIR},             \
    {"no-default-intel", no_argument, NULL, CM_SCAN_OPT_NO_DEFAULT_INTEL},     \
    {"geoip", required_argument, NULL, CM_SCAN_OPT_GEOIP},                     \
    {"canary-key", required_argument, NULL, CM_SCAN_OPT_CANARY_KEY},           \
    {"aws-ranges", required_argument, NULL, CM_SCAN_OPT_AWS_RANGES},           \
    {"dga-model", required_argument, NULL, CM_SCAN_OPT_DGA_MODEL},             \
    {"inventory", required_argument, NULL, CM_SCAN_OPT_INVENTORY},             \
    {"flow-fields", required_argument, NULL, CM_SCAN_OPT_FLOW_FIELDS},         \
    {"custom-rule", required_argument, NULL, CM_SCAN_OPT_CUSTOM_RULE}
/* clang-format on */

struct cm_scan_engine {
    struct cm_scan_findings cli; /* the findings sink (cm_scan_findings_emit) */
    struct cm_scan_intel intel;
    struct cm_scan_detect det;
    struct cm_scan_inventory inv;
    struct cm_scan_state state;
    struct cm_config config;
    struct cm_detect_config dcfg;
    struct cm_scan_opts o; /* the scan's options: threads, region, ... set by the caller */
    struct cm_store *store;
};

/* What the store of the engine gets (all optional). */
struct cm_scan_engine_store {
    const char *db_path; /* NULL: no store */
    int retention_days;  /* -1: leave as stored */
    bool set_freq;       /* freq is to be saved */
    enum cm_publish_freq freq;
    bool no_route; /* the store queues nothing for the rules' targets */
};

/* Empty: output to stdout as a table, the default detector id. */
void cm_scan_engine_init(struct cm_scan_engine *e);

/* The result of cm_scan_engine_option(). */
enum {
    CM_SCAN_ENGINE_TAKEN = 0, /* the option was the engine's, and good */
    CM_SCAN_ENGINE_NOT_MINE,  /* not an engine option: the caller's */
    CM_SCAN_ENGINE_USAGE,     /* the engine's, bad: err says why (a usage error) */
    CM_SCAN_ENGINE_FAILED,    /* the engine's, could not be taken: err says why */
};

/*
 * Takes one getopt code of the intel (scan_intel.h), detector (scan_detect.h),
 * inventory, --region and state options (--state, --final, --reread), with its
 * argument. Returns one of the codes above.
 */
int cm_scan_engine_option(struct cm_scan_engine *e, int code, const char *arg, char *err,
                          size_t errlen);

/*
 * Loads the config file at path into e->config and applies it under what the command
 * line gave (set: the command line's store settings, filled from the file when not
 * given). Returns 0, or an error with err saying which file and why.
 */
int cm_scan_engine_config(struct cm_scan_engine *e, const char *path, struct cm_scan_cli_set *set,
                          char *err, size_t errlen);

/*
 * Opens the engine: the aggregator, the intel (with the store's ACTIVE API lists when
 * s->db_path), the detectors' settings, the inventory, the state (--state) and the store
 * (created when absent, retention and publishing frequency saved, durable with a state
 * file). Reports what it loaded on stderr unless quiet. Returns 0, or an error with err
 * saying why (the store's message names the file).
 */
int cm_scan_engine_open(struct cm_scan_engine *e, const struct cm_scan_engine_store *s, int quiet,
                        char *err, size_t errlen);

/*
 * Loads the intel again (the store's ACTIVE API lists as they are now, the other lists
 * as first given) and makes the new snapshot the detectors' and the sink's. Call it
 * only while no scan runs: the old snapshot is dropped (a detector's memo keeps its own
 * reference). On error e keeps the snapshot it had. Returns 0 or an error (err).
 */
int cm_scan_engine_reload_intel(struct cm_scan_engine *e, char *err, size_t errlen);

/* Frees everything e holds; idempotent after init. */
void cm_scan_engine_close(struct cm_scan_engine *e);

#endif
