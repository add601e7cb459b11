/*
 * Loading a DGA model file (see dga_load.h).
 */
#include "intel/dga_load.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

int cm_dga_model_load(const char *path, struct cm_dga_model **out, char *err, size_t errlen)
{
    struct cm_diag diag;
    struct cm_buf raw;
    int rc;

    *out = NULL;
    cm_buf_init(&raw, 0);
    rc = cm_read_path(path, &raw, 0);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
        cm_buf_finish(&raw);
        return rc;
    }
    cm_diag_clear(&diag);
    rc = cm_dga_model_parse(raw.p != NULL ? raw.p : "", raw.len, out, &diag);
    cm_buf_finish(&raw);
    if (rc == CM_ENOMEM) {
        snprintf(err, errlen, "%s: %s", path, cm_strerror(rc));
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s:%zu: not a DGA model: %s", path, diag.line,
                 diag.msg[0] ? diag.msg : cm_strerror(rc));
        return CM_EINVAL;
    }
    return 0;
}
