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

/* Writes v at o, returning the end: decimal, the most negative value too. */
static char *put_int(char *o, int64_t v)
{
    char tmp[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t k = 0;

    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        *o++ = '-';
    }
    while (k > 0) {
        *o++ = tmp[--k];
    }
    return o;
}

/*
 * Appends one row of values: "-" for a null or an empty string, and a byte that
 * would split or end the line (a space, a control) as '?', so the line keeps its
 * fields and the field is rejected by the flow parser for what it is.
 */
static int put_row(struct cm_buf *out, const struct pq_meta *m, const struct pq_value *v)
{
    size_t need = m->nout + 1;
    char *o;
    int rc;

    for (uint32_t j = 0; j < m->nout; j++) {
        need += v[j].null ? 1 : m->cols[m->out[j]].type == PQ_BYTE_ARRAY ? v[j].len + 1u : 20;
    }
    if ((rc = cm_buf_reserve(out, need + 1)) != 0) {
        return rc;
    }
    o = out->p + out->len;
    for (uint32_t j = 0; j < m->nout; j++) {
        int type = m->cols[m->out[j]].type;

        if (j > 0) {
            *o++ = ' ';
        }
        if (v[j].null || (type == PQ_BYTE_ARRAY && v[j].len == 0)) {
            *o++ = '-';
        } else if (type != PQ_BYTE_ARRAY) {
            o = put_int(o, v[j].i);
        } else {
            for (uint32_t k = 0; k < v[j].len; k++) {
                unsigned char ch = (unsigned char)v[j].s[k];

                *o++ = ch <= ' ' || ch == 0x7f ? '?' : (char)ch;
            }
        }
    }
    *o++ = '\n';
    *o = '\0';
    out->len = (size_t)(o - out->p);
    return CM_OK;
}

/* Rows of group g, from line *line on: cursor j reads column m->out[j]. Returns 0, or
 * a row group's damage in d (rc CM_EINVAL), or CM_E2BIG / CM_ENOMEM. */
static int write_group(const struct pq_meta *m, uint32_t g, const uint8_t *in,
                       struct pq_cursor *cur, struct cm_buf *out, uint32_t line,
                       struct cm_parquet_damage *d)
{
    const struct pq_group *grp = &m->groups[g];
    struct pq_value v[PQ_MAX_COLUMNS];
    char why[160];
    int rc;

    for (uint32_t j = 0; j < m->nout; j++) {
        pq_cursor_start(&cur[j], &m->cols[m->out[j]], &grp->chunks[m->out[j]], in);
    }
    for (int64_t r = 0; r < grp->rows; r++) {
        for (uint32_t j = 0; j < m->nout; j++) {
            rc = pq_cursor_next(&cur[j], &v[j], why, sizeof(why));
            if (rc == CM_ENOMEM) {
                return rc;
            }
            if (rc != 0) {
                d->offset = cur[j].page_off;
                d->rows = (uint64_t)(grp->rows - r);
                d->line = line + (uint32_t)r;
                snprintf(d->msg, sizeof(d->msg),
                         "Parquet row group %u of %u: its last %llu of %lld rows not read: column "
                         "'%s', page at byte %llu: %s",
                         g + 1, m->ngroups, (unsigned long long)d->rows, (long long)grp->rows,
                         m->cols[m->out[j]].name, (unsigned long long)cur[j].page_off, why);
                return CM_EINVAL;
            }
        }
        if ((rc = put_row(out, m, v)) != 0) {
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
    if ((cur = cm_calloc(m->nout, sizeof(*cur))) == NULL) {
        rc = CM_ENOMEM;
        goto out;
    }
    for (uint32_t j = 0; j < m->nout; j++) {
        pq_cursor_init(&cur[j], gz);
    }
    for (uint32_t j = 0; j < m->nout && rc == 0; j++) {
        rc = j > 0 ? cm_buf_putc(out, ' ') : CM_OK;
        rc = rc == 0 ? cm_buf_puts(out, m->cols[m->out[j]].name) : rc;
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
    for (uint32_t j = 0; cur != NULL && j < m->nout; j++) {
        pq_cursor_free(&cur[j]);
    }
    cm_free(cur);
    pq_meta_free(m);
    cm_free(m);
    return rc;
}
