/*
 * Loading the Public Suffix List (see psl_load.h).
 */
#include "intel/psl_load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

#define PSL_SEED 0x70736c5f73656564ULL

int cm_psl_load(const char *path, struct cm_psl **out, char *err, size_t errlen)
{
    const char *p = path != NULL ? path : CM_PSL_DEFAULT_PATH;
    struct cm_diag diag;
    struct cm_buf raw;
    int rc;

    *out = NULL;
    cm_buf_init(&raw, 0);
    if ((rc = cm_read_path(p, &raw, 0)) != 0) {
        bool absent = rc == CM_EIO && errno == ENOENT;

        snprintf(err, errlen, "%s: %s", p, rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
        cm_buf_finish(&raw);
        return path == NULL && absent ? 0 : rc;
    }
    cm_diag_clear(&diag);
    rc = cm_psl_parse(raw.p != NULL ? raw.p : "", raw.len, PSL_SEED, out, NULL, &diag);
    cm_buf_finish(&raw);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", p, rc == CM_EINVAL ? diag.msg : cm_strerror(rc));
    }
    return rc;
}
