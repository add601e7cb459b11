/*
 * A Parquet file of flow log records, written out as the same records in the
 * flow log text format (parquet.h): the columns' cursors are advanced together,
 * a row at a time.
 */
#include "source/parquet.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "source/parquet_impl.h"

bool cm_parquet_sniff(const void *p, size_t n)
{
    const char *b = p;

    return n >= 4 && memcmp(b, "PAR1", 4) == 0;
}

/* Appends value v of column col: "-" for a null or an empty string; a byte that
 * would split or end the line (a space, a control) as '?', so the line keeps
 * its fields and the field is rejected by the flow parser for what it is. */
static int put_value(struct cm_buf *out, const struct pq_col *col, const struct pq_value *v)
{
    size_t at;
    int rc;

    if (v->null || (col->type == PQ_BYTE_ARRAY && v->len == 0)) {
        return cm_buf_putc(out, '-');
    }
    if (col->type != PQ_BYTE_ARRAY) {
        return cm_buf_put_i64(out, v->i);
    }
    at = out->len;
    if ((rc = cm_buf_append(out, v->s, v->len)) != 0) {
        return rc;
    }
    for (size_t i = at; i < out->len; i++) {
        unsigned char ch = (unsigned char)out->p[i];

        if (ch <= ' ' || ch == 0x7f) {
            out->p[i] = '?';
        }
    }
    return CM_OK;
}

/* Rows of group g, from line *line on. Returns 0, or a row group's damage in d
 * (rc CM_EINVAL), or CM_E2BIG / CM_ENOMEM. */
static int write_group(const struct pq_meta *m, uint32_t g, const uint8_t *in,
                       struct pq_cursor *cur, struct cm_buf *out, uint32_t line,
                       struct cm_parquet_damage *d)
{
    const struct pq_group *grp = &m->groups[g];
    struct pq_value v;
    char why[160];
    int rc;

    for (uint32_t i = 0; i < m->ncols; i++) {
        pq_cursor_start(&cur[i], &m->cols[i], &grp->chunks[i], in);
    }
    for (int64_t r = 0; r < grp->rows; r++) {
        size_t row_at = out->len;

        for (uint32_t i = 0; i < m->ncols; i++) {
            rc = pq_cursor_next(&cur[i], &v, why, sizeof(why));
            if (rc == 0 && i > 0) {
                rc = cm_buf_putc(out, ' ');
            }
            if (rc == 0) {
                rc = put_value(out, &m->cols[i], &v);
            }
            if (rc == CM_E2BIG || rc == CM_ENOMEM) {
                return rc;
            }
            if (rc != 0) {
                out->len = row_at;
                out->p[row_at] = '\0';
                d->offset = cur[i].page_off;
                d->rows = (uint64_t)(grp->rows - r);
                d->line = line + (uint32_t)r;
                snprintf(d->msg, sizeof(d->msg),
                         "Parquet row group %u of %u: its last %llu of %lld rows not read: column "
                         "'%s', page at byte %llu: %s",
                         g + 1, m->ngroups, (unsigned long long)d->rows, (long long)grp->rows,
                         m->cols[i].name, (unsigned long long)cur[i].page_off, why);
                return CM_EINVAL;
            }
        }
        if ((rc = cm_buf_putc(out, '\n')) != 0) {
            return rc;
        }
    }
    return CM_OK;
}

int cm_parquet_to_text(const void *in, size_t n, struct cm_buf *out,
                       struct libdeflate_decompressor *gz, cm_parquet_damage_fn damage, void *ud,
                       char *why, size_t why_cap, uint64_t *off)
{
    struct pq_meta *m = cm_calloc(1, sizeof(*m));
    struct pq_cursor *cur = NULL;
    uint64_t line = 2;
    int rc;

    cm_buf_reset(out);
    if (m == NULL) {
        return CM_ENOMEM;
    }
    *off = 0;
    if ((rc = pq_meta_read(in, n, m, why, why_cap, off)) != 0) {
        cm_free(m);
        return rc;
    }
    if ((cur = cm_calloc(m->ncols, sizeof(*cur))) == NULL) {
        rc = CM_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < m->ncols; i++) {
        pq_cursor_init(&cur[i], gz);
    }
    for (uint32_t i = 0; i < m->ncols && rc == 0; i++) {
        rc = i > 0 ? cm_buf_putc(out, ' ') : CM_OK;
        rc = rc == 0 ? cm_buf_puts(out, m->cols[i].name) : rc;
    }
    rc = rc == 0 ? cm_buf_putc(out, '\n') : rc;
    for (uint32_t g = 0; g < m->ngroups && rc == 0; g++) {
        struct cm_parquet_damage d;

        rc = write_group(m, g, in, cur, out, line > UINT32_MAX ? UINT32_MAX : (uint32_t)line, &d);
        if (rc == CM_EINVAL) {
            if (damage != NULL) {
                damage(ud, &d);
            }
            rc = CM_OK;
        }
        line += (uint64_t)m->groups[g].rows;
    }
out:
    for (uint32_t i = 0; cur != NULL && i < m->ncols; i++) {
        pq_cursor_free(&cur[i]);
    }
    cm_free(cur);
    pq_meta_free(m);
    cm_free(m);
    return rc;
}
