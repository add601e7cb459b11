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

/*
 * Appends row t of the batch (column j's values at v[j * PQ_BATCH]): "-" for a null or
 * an empty string. The bytes are clean already (parquet_page.c): no space or control
 * splits or ends the line.
 */
static int put_row(struct cm_buf *out, const struct pq_meta *m, const struct pq_value *v,
                   uint32_t t)
{
    size_t need = m->nout + 1;
    char *o;
    int rc;

    for (uint32_t j = 0; j < m->nout; j++) {
        const struct pq_value *x = &v[(size_t)j * PQ_BATCH + t];

        need += x->null ? 1 : x->s != NULL ? x->len + 1u : CM_DEC_I64_MAX;
    }
    if ((rc = cm_buf_reserve(out, need + 1)) != 0) {
        return rc;
    }
    o = out->p + out->len;
    for (uint32_t j = 0; j < m->nout; j++) {
        const struct pq_value *x = &v[(size_t)j * PQ_BATCH + t];

        if (j > 0) {
            *o++ = ' ';
        }
        if (x->null || (x->s != NULL && x->len == 0)) {
            *o++ = '-';
        } else if (x->s == NULL) {
            o = cm_dec_i64(o, x->i);
        } else {
            /* bytes, or an integer's text from its dictionary */
            memcpy(o, x->s, x->len);
            o += x->len;
        }
    }
    *o++ = '\n';
    *o = '\0';
    out->len = (size_t)(o - out->p);
    return CM_OK;
}

/*
 * Rows of group g, from line *line on: cursor j reads column m->out[j], PQ_BATCH rows at
 * a time and never past a page of any column, so every value of a batch is still in its
 * page when the rows are written. The damage reported is the first a row at a time would
 * meet: the lowest row, and in it the first column. Returns 0, or a row group's damage
 * in d (rc CM_EINVAL), or CM_E2BIG / CM_ENOMEM.
 */
static int write_group(const struct pq_meta *m, uint32_t g, const uint8_t *in,
                       struct pq_cursor *cur, struct pq_value *v, struct cm_buf *out, uint32_t line,
                       struct cm_parquet_damage *d)
{
    const struct pq_group *grp = &m->groups[g];
    char why[160], first[160] = "";
    int rc;

    for (uint32_t j = 0; j < m->nout; j++) {
        pq_cursor_start(&cur[j], &m->cols[m->out[j]], &grp->chunks[m->out[j]], in);
    }
    for (int64_t r = 0; r < grp->rows;) {
        uint32_t k = grp->rows - r < PQ_BATCH ? (uint32_t)(grp->rows - r) : PQ_BATCH;
        uint32_t cols = m->nout, bad_row = UINT32_MAX, bad_col = 0, got;

        for (uint32_t j = 0; j < m->nout; j++) {
            rc = pq_cursor_page(&cur[j], why, sizeof(why));
            if (rc == CM_ENOMEM || rc == CM_E2BIG) {
                return rc;
            }
            if (rc != 0) {
                /* the columns before it may fail first, in this row */
                bad_row = 0;
                bad_col = cols = j;
                memcpy(first, why, sizeof(first));
                k = 1;
                break;
            }
            if (cur[j].n_left < k) {
                k = (uint32_t)cur[j].n_left;
            }
        }
        for (uint32_t j = 0; j < cols; j++) {
            rc = pq_cursor_fill(&cur[j], &v[(size_t)j * PQ_BATCH], k, &got, why, sizeof(why));
            if (rc == CM_ENOMEM || rc == CM_E2BIG) {
                return rc;
            }
            if (rc != 0 && (got < bad_row || (got == bad_row && j < bad_col))) {
                bad_row = got;
                bad_col = j;
                memcpy(first, why, sizeof(first));
            }
        }
        for (uint32_t t = 0; t < k && t < bad_row; t++) {
            if ((rc = put_row(out, m, v, t)) != 0) {
                return rc;
            }
        }
        if (bad_row != UINT32_MAX) {
            r += bad_row;
            d->offset = cur[bad_col].page_off;
            d->rows = (uint64_t)(grp->rows - r);
            d->line = line + (uint32_t)r;
            snprintf(d->msg, sizeof(d->msg),
                     "Parquet row group %u of %u: its last %llu of %lld rows not read: column "
                     "'%s', page at byte %llu: %s",
                     g + 1, m->ngroups, (unsigned long long)d->rows, (long long)grp->rows,
                     m->cols[m->out[bad_col]].name, (unsigned long long)d->offset, first);
            return CM_EINVAL;
        }
        r += k;
    }
    return CM_OK;
}

/* What a reader keeps from file to file: the column cursors and their buffers. */
struct cm_parquet_mem {
    struct pq_meta meta;
    struct pq_cursor *cur; /* ncur of them, initialised */
    struct pq_value *v;    /* a batch of values: ncur * PQ_BATCH */
    uint32_t ncur;
};

void cm_parquet_mem_free(struct cm_parquet_mem *pm)
{
    if (pm == NULL) {
        return;
    }
    for (uint32_t j = 0; j < pm->ncur; j++) {
        pq_cursor_free(&pm->cur[j]);
    }
    cm_free(pm->cur);
    cm_free(pm->v);
    cm_free(pm);
}

/* Makes pm ready for n columns read with gz, a batch's bytes capped at cap. */
static int mem_ready(struct cm_parquet_mem *pm, uint32_t n, struct libdeflate_decompressor *gz,
                     size_t cap)
{
    if (n > pm->ncur) {
        struct pq_cursor *cur = cm_realloc(pm->cur, (size_t)n * sizeof(*cur));
        struct pq_value *v;

        if (cur == NULL) {
            return CM_ENOMEM;
        }
        pm->cur = cur;
        if ((v = cm_realloc(pm->v, (size_t)n * PQ_BATCH * sizeof(*v))) == NULL) {
            return CM_ENOMEM;
        }
        pm->v = v;
        for (uint32_t j = pm->ncur; j < n; j++) {
            pq_cursor_init(&pm->cur[j]);
        }
        pm->ncur = n;
    }
    for (uint32_t j = 0; j < n; j++) {
        /* this file's: a scan's files have one decoder and one cap, other callers others */
        pm->cur[j].gz = gz;
        pm->cur[j].bytes.max = cap;
    }
    return CM_OK;
}

int cm_parquet_to_text(const void *in, size_t n, struct cm_buf *out,
                       struct libdeflate_decompressor *gz, struct cm_parquet_mem **keep,
                       cm_parquet_damage_fn damage, void *ud, char *why, size_t why_cap,
                       uint64_t *off)
{
    struct cm_parquet_mem *pm = keep != NULL ? *keep : NULL;
    struct pq_meta *m;
    uint64_t line = 2;
    int rc;

    cm_buf_reset(out);
    *off = 0;
    if (pm == NULL) {
        if ((pm = cm_calloc(1, sizeof(*pm))) == NULL) {
            return CM_ENOMEM;
        }
        if (keep != NULL) {
            *keep = pm;
        }
    }
    m = &pm->meta;
    if ((rc = pq_meta_read(in, n, m, why, why_cap, off)) != 0) {
        goto done;
    }
    if ((rc = mem_ready(pm, m->nout, gz, out->max)) != 0) {
        goto out;
    }
    for (uint32_t j = 0; j < m->nout && rc == 0; j++) {
        rc = j > 0 ? cm_buf_putc(out, ' ') : CM_OK;
        rc = rc == 0 ? cm_buf_puts(out, m->cols[m->out[j]].name) : rc;
    }
    rc = rc == 0 ? cm_buf_putc(out, '\n') : rc;
    for (uint32_t g = 0; g < m->ngroups && rc == 0; g++) {
        struct cm_parquet_damage d;

        rc = write_group(m, g, in, pm->cur, pm->v, out,
                         line > UINT32_MAX ? UINT32_MAX : (uint32_t)line, &d);
        if (rc == CM_EINVAL) {
            if (damage != NULL) {
                damage(ud, &d);
            }
            rc = CM_OK;
        }
        line += (uint64_t)m->groups[g].rows;
    }
out:
    pq_meta_free(m);
done:
    if (keep == NULL) {
        cm_parquet_mem_free(pm);
    }
    return rc;
}
