/*
 * The names `coalmine scan` works with: the PATH arguments made absolute, and the scan's
 * own files (state, store, --stats, --metrics) it sets aside when it finds them among its
 * inputs. Split out of cmd_scan.c.
 */
#ifndef CM_CLI_SCAN_PATHS_H
#define CM_CLI_SCAN_PATHS_H

#include <stddef.h>

/*
 * The PATH arguments with each relative one prefixed by the working directory
 * (no symlink is resolved; '-' stays stdin). Every name the scan records comes
 * from them: the evidence a finding cites (read back by `findings get
 * --evidence`, from any directory), the store's inputs and the --state file's
 * names, so they must not depend on where the scan ran. *out gets n strings (the
 * ones made so far on error), each and the array freed by the caller. Returns 0 or -1.
 */
int cm_scan_absolute_paths(char *const *argv, size_t n, char ***out);

/* The scan's own files (cm_scan_opts.own_files), owned. */
struct cm_scan_own {
    char *v[8];
    size_t n;
};

/*
 * The files this scan writes that a user may keep in the folder scanned: the state file
 * and its lock, the store and its journals, the --stats and --metrics output (each may be
 * NULL; stats_path "-" is stdout). Returns 0 or CM_ENOMEM.
 */
int cm_scan_own_files(struct cm_scan_own *own, const char *state_path, const char *db_path,
                      const char *stats_path, const char *metrics_path);

void cm_scan_own_free(struct cm_scan_own *own);

#endif
