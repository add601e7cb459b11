/*
 * Reading an S3 object as one input of a scan (scan_impl.h, source/input_s3.h).
 */
#include "core/scan_impl.h"

#include <stdio.h>
#include <string.h>

#include "aws/s3.h"
#include "base/err.h"
#include "source/input_s3.h"

int cm_scan_fetch_s3(struct reader *r, uint32_t idx)
{
    struct scan *s = r->s;
    const struct cm_input *it = &s->in.v[idx];
    struct cm_file_id id;
    char bucket[64], err[400];
    const char *key;
    int rc;

    cm_input_s3_id(it, &id);
    if (s->o.files_seen != NULL && cm_fileseen_has(s->o.files_seen, &id)) {
        s->st->inputs[idx].id = id;
        s->st->inputs[idx].id_state = CM_SCAN_ID_BEFORE;
        cm_scan_note_skip(s, idx, 0, CM_SCAN_READ_BEFORE);
        return 1;
    }
    if (cm_input_s3_split(it->path, bucket, &key) != 0) {
        cm_scan_note_reject(s, 0, idx, 0, 0, "not an S3 object's location");
        return 1;
    }
    if (s->o.s3 == NULL) {
        cm_scan_note_reject(s, 0, idx, 0, 0, "no S3 client for this scan: not read");
        return 1;
    }
    if (r->s3c == NULL && cm_s3_conn_create(s->o.s3, &r->s3c) != 0) {
        return CM_ENOMEM;
    }
    rc = cm_s3_get(r->s3c, bucket, key, it->etag, 0, &r->raw, err, sizeof(err));
    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        cm_buf_reset(&r->raw); /* an error answer, not the object */
        s->st->inputs[idx].fetch_failed = rc != CM_E2BIG;
        s->st->inputs[idx].gone = rc == CM_EIO && (strncmp(err, "NoSuchKey:", 10) == 0 ||
                                                   strncmp(err, "NotFound:", 9) == 0 ||
                                                   strncmp(err, "PreconditionFailed:", 19) == 0);
        cm_scan_note_reject(s, 0, idx, 0, 0,
                            rc == CM_E2BIG ? "input larger than the size cap" : err);
        return 1;
    }
    r->files++; /* read: counted as a file read is (one that cannot be opened is not) */
    r->bytes_in += r->raw.len;
    if (s->o.file_ids) { /* read whole: remembered by its location, size and ETag */
        s->st->inputs[idx].id = id;
        s->st->inputs[idx].id_state = CM_SCAN_ID_READ;
    }
    return 0;
}
