/*
 * A Parquet file read by the scan: its rows become flow log text
 * (source/parquet.h) that takes the file's place before the sniffing, and a row
 * group that cannot be read is a reject naming its rows.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "parse/parse.h"
#include "source/parquet.h"
#include "core/scan_impl.h"

struct pq_note {
    struct scan *s;
    uint32_t file_id;
};

static void on_parquet_damage(void *ud, const struct cm_parquet_damage *d)
{
    const struct pq_note *n = ud;

    cm_scan_note_reject(n->s, 0, n->file_id, d->offset, d->line, d->msg);
}

int cm_scan_parquet_rows(struct reader *r, uint32_t file_id, const struct cm_parser **ps)
{
    struct pq_note note = {r->s, file_id};
    char why[sizeof(((struct cm_scan_reject *)0)->reason)];
    uint64_t off;
    int rc;

    if (!r->engine && r->pq.p == NULL) {
        /* threaded: the last one's memory went with its rows; a spare one if pooled */
        cm_bufpool_get(&r->s->bufpool, &r->pq);
    }
    rc = cm_parquet_to_text(r->fb->p, r->fb->len, &r->pq, r->dec.d, &r->pqmem, on_parquet_damage,
                            &note, why, sizeof(why), &off);
    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        cm_scan_note_reject(r->s, 0, file_id, off, 0,
                            rc == CM_E2BIG ? "Parquet rows larger than the size cap" : why);
        return CM_ENOTFOUND;
    }
    *ps = cm_parse_sniff_flow(r->pq.p, r->pq.len, r->s->o.flow_fields, &r->ctx.flow_fmt);
    if (*ps == NULL) {
        size_t n = strcspn(r->pq.p, "\n");

        snprintf(why, sizeof(why),
                 "Parquet file whose columns are not VPC Flow Logs fields (columns: %.*s)",
                 (int)(n > 160 ? 160 : n), r->pq.p);
        cm_scan_note_reject(r->s, 0, file_id, 0, 1, why);
        return CM_ENOTFOUND;
    }
    /* "decoded" is what the parsers read: the rows' text, not the file's bytes */
    r->bytes_decoded = r->bytes_decoded - r->fb->len + r->pq.len;
    cm_scan_drop_buffer(r);
    return cm_scan_take_buffer(r, &r->pq);
}
