/*
 * `coalmine scan --config FILE`: applies coalmine.yaml (src/core/config.h,
 * docs/config.md) to the scan's options after the command line was read.
 * The command line adds to the file's lists and overrides its single values.
 */
#ifndef CM_CLI_SCAN_CONFIG_H
#define CM_CLI_SCAN_CONFIG_H

#include <stddef.h>

#include "cli/scan_detect.h"
#include "cli/scan_intel.h"
#include "core/config.h"

/* What the command line set that the file may also set. */
struct cm_scan_cli_set {
    const char **db_path;      /* --db, NULL when not given: the file's store.db fills it */
    int *retention_days;       /* --retention-days, -1 when not given */
    const char **publish_freq; /* --finding-publishing-frequency, NULL when not given */
};

/*
 * Applies c to the intel and detector options. Returns 0, or an error with
 * err naming the entry (a list the intel options refuse, a bad canary key).
 */
int cm_scan_config_apply(const struct cm_config *c, struct cm_scan_intel *si,
                         struct cm_scan_detect *sd, struct cm_scan_cli_set *set, char *err,
                         size_t errlen);

#endif
