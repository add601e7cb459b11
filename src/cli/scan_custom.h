/*
 * The Custom Detection Rules' modes in `coalmine scan` and `serve`
 * (docs/detectors/custom-rules.md): --custom-rule [ACCOUNT:]RULE=MODE
 * (repeatable) and coalmine.yaml's detectors.custom_rules.modes, handed to the
 * detector (struct cm_cr_config); and what the DRY_RUN rules would have found:
 * a log line per dry-run signal (the first CM_SCAN_CUSTOM_LOG_MAX of a run),
 * and per rule a count and the last example, for the summary and --stats.
 */
#ifndef CM_CLI_SCAN_CUSTOM_H
#define CM_CLI_SCAN_CUSTOM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "detect/ct_custom.h"

#define CM_SCAN_CUSTOM_LOG_MAX 100 /* dry-run signals logged one by one, per run */

/* The last dry-run signal of a rule. */
struct cm_scan_custom_example {
    int64_t time_ms;
    char account[16];
    char region[32];
    char caller[132]; /* the access key, else the principal id */
    char api[64];
    char event_id[64];
};

struct cm_scan_custom_dry {
    uint64_t count;
    int64_t first_ms;
    struct cm_scan_custom_example last;
};

struct cm_scan_custom {
    struct cm_cr_setting *v; /* in the order given: the config's, then the command line's */
    size_t n, cap;
    struct cm_cr_config cfg; /* what the detector gets (cm_scan_custom_open) */
    bool quiet;              /* no log lines */
    pthread_mutex_t mu;      /* the engine's shards report dry runs at once */
    bool mu_ok;
    uint64_t logged;
    struct cm_scan_custom_dry dry[CM_CR_COUNT];
};

/* Adds one "[ACCOUNT:]RULE=MODE" setting. Returns 0, CM_EINVAL (err says why) or CM_ENOMEM. */
int cm_scan_custom_add(struct cm_scan_custom *sc, const char *spec, char *err, size_t errlen);

/*
 * The same, inserted as setting at (at most n): the config file's go before the
 * command line's, which win among settings equally specific.
 */
int cm_scan_custom_insert(struct cm_scan_custom *sc, size_t at, const char *spec, char *err,
                          size_t errlen);

/*
 * Makes cfg's custom_rules point at sc (which must stay put while the engine
 * runs) and reports the settings on stderr unless quiet. Returns 0 or CM_ENOMEM.
 */
int cm_scan_custom_open(struct cm_scan_custom *sc, struct cm_detect_config *cfg, bool quiet);

/* The dry-run counts since open, as a "custom_rules" member of jw's open object. */
void cm_scan_custom_json(struct cm_scan_custom *sc, struct cm_jw *jw);

/* One stderr line per rule with dry-run signals ("  dry run:  VPCFlowLogsDeleted ..."). */
void cm_scan_custom_summary(struct cm_scan_custom *sc);

/* Frees the settings; idempotent. */
void cm_scan_custom_close(struct cm_scan_custom *sc);

#endif
