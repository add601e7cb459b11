/*
 * The PATH arguments made absolute and the scan's own files (scan_paths.h).
 */
#include "cli/scan_paths.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "aws/sqs_loc.h"
#include "base/err.h"

int cm_scan_absolute_paths(char *const *argv, size_t n, char ***out)
{
    char cwd[4096];
    char **v = cm_calloc(n ? n : 1, sizeof(*v));
    bool have_cwd = false;

    *out = v;
    for (size_t i = 0; v != NULL && i < n; i++) {
        const char *a = argv[i];
        size_t la = strlen(a), lc;

        if (a[0] == '/' || strcmp(a, "-") == 0 || strncmp(a, "s3://", 5) == 0 || cm_sqs_loc_is(a)) {
            v[i] = cm_strndup(a, la);
        } else {
            if (!have_cwd && getcwd(cwd, sizeof(cwd)) == NULL) {
                return -1;
            }
            have_cwd = true;
            lc = strlen(cwd);
            if ((v[i] = cm_malloc(lc + la + 2)) != NULL) {
                memcpy(v[i], cwd, lc);
                v[i][lc] = '/';
                memcpy(v[i] + lc + 1, a, la + 1);
            }
        }
        if (v[i] == NULL) {
            return -1;
        }
    }
    return v != NULL ? 0 : -1;
}

/* Adds path+suffix to own. Returns 0 or CM_ENOMEM. */
static int own_file(struct cm_scan_own *own, const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix);
    char *p;

    if (own->n == sizeof(own->v) / sizeof(own->v[0]) || (p = cm_malloc(a + b + 1)) == NULL) {
        return CM_ENOMEM;
    }
    memcpy(p, path, a);
    memcpy(p + a, suffix, b + 1);
    own->v[own->n++] = p;
    return 0;
}

int cm_scan_own_files(struct cm_scan_own *own, const char *state_path, const char *db_path,
                      const char *stats_path, const char *metrics_path)
{
    static const char *const db_suffix[] = {"", "-wal", "-shm", "-journal"};
    int rc = 0;

    if (state_path != NULL) {
        rc |= own_file(own, state_path, "");
        rc |= own_file(own, state_path, ".lock");
    }
    for (size_t i = 0; db_path != NULL && i < sizeof(db_suffix) / sizeof(db_suffix[0]); i++) {
        rc |= own_file(own, db_path, db_suffix[i]);
    }
    if (stats_path != NULL && strcmp(stats_path, "-") != 0) {
        rc |= own_file(own, stats_path, "");
    }
    if (metrics_path != NULL) {
        rc |= own_file(own, metrics_path, "");
    }
    return rc != 0 ? CM_ENOMEM : 0;
}

void cm_scan_own_free(struct cm_scan_own *own)
{
    for (size_t i = 0; i < own->n; i++) {
        cm_free(own->v[i]);
    }
    own->n = 0;
}
