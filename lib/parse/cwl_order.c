/*
 * Putting the records unwrapped from CloudTrail's look-up events in time
 * order (cwl.h, cm_cwl_order_by_time). Pure: no I/O.
 */
#include "parse/cwl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"
#include "parse/parse.h"

/* A message's event time, for putting CloudTrail's look-up events in time order. */
struct tkey {
    const char *p; /* the record's "eventTime" value (ISO 8601, so bytes sort as times) */
    size_t n;
    size_t k; /* the piece */
};

static int cmp_time(const struct tkey *x, const struct tkey *y)
{
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);

    return c != 0 ? c : (x->n < y->n ? -1 : x->n > y->n);
}

/* In order of time, records of one second in the order they came. */
static int cmp_tkey_up(const void *a, const void *b)
{
    const struct tkey *x = a, *y = b;
    int c = cmp_time(x, y);

    return c != 0 ? c : (x->k < y->k ? -1 : x->k > y->k);
}

/* In order of time, records of one second reversed: the list came newest first. */
static int cmp_tkey_down(const void *a, const void *b)
{
    const struct tkey *x = a, *y = b;
    int c = cmp_time(x, y);

    return c != 0 ? c : (x->k > y->k ? -1 : x->k < y->k);
}

/* Where the message of piece k ends in the text (past its newline). */
static size_t msg_end(const struct cm_cwl *c, size_t k)
{
    return k + 1 < c->npiece ? c->piece[k + 1].out_off : c->out.len;
}

int cm_cwl_order_by_time(struct cm_cwl *c)
{
    static const char key[] = "\"eventTime\"";
    struct tkey *t = NULL;
    struct cm_cwl_piece *np = NULL;
    struct cm_buf out;
    bool sorted = true, down;
    int rc = CM_OK;

    if (c->npiece < 2) {
        return CM_OK;
    }
    t = cm_malloc(c->npiece * sizeof(*t));
    if (t == NULL) {
        return CM_ENOMEM;
    }
    for (size_t k = 0; k < c->npiece; k++) {
        size_t end = msg_end(c, k);
        struct cm_str m = cm_str_make(c->out.p + c->piece[k].out_off, end - c->piece[k].out_off);
        size_t at = cm_str_find(m, cm_str_make(key, sizeof(key) - 1)), v;
        const char *q;

        if (at == (size_t)-1) {
            goto out; /* not a record: leave the order */
        }
        v = cm_parse_skip_ws(m.p, m.len, at + sizeof(key) - 1);
        if (v < m.len && m.p[v] == ':') {
            v = cm_parse_skip_ws(m.p, m.len, v + 1);
        }
        if (v >= m.len || m.p[v] != '"' || (q = memchr(m.p + v + 1, '"', m.len - v - 1)) == NULL) {
            goto out;
        }
        v++;
        t[k] = (struct tkey){m.p + v, (size_t)(q - (m.p + v)), k};
        sorted = sorted && (k == 0 || cmp_time(&t[k - 1], &t[k]) <= 0);
    }
    /* A list that ends older than it begins, or in the same second, came newest first as
     * LookupEvents answers: its records of one second are reversed too, whatever else is in
     * it. One that ends newer and is in order is left as it is. */
    down = cmp_time(&t[0], &t[c->npiece - 1]) >= 0;
    if (sorted && !down) {
        goto out;
    }
    qsort(t, c->npiece, sizeof(*t), down ? cmp_tkey_down : cmp_tkey_up);
    np = cm_malloc(c->npiece * sizeof(*np));
    cm_buf_init(&out, c->out.max);
    if (np == NULL || (rc = cm_buf_reserve(&out, c->out.len)) != 0) {
        /* (the same length as the text: only out of memory can fail here) */
        cm_free(np);
        cm_buf_finish(&out);
        rc = CM_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < c->npiece; j++) {
        const struct cm_cwl_piece *pc = &c->piece[t[j].k];
        size_t end = msg_end(c, t[j].k);

        np[j] = *pc;
        np[j].out_off = out.len;
        memcpy(out.p + out.len, c->out.p + pc->out_off, end - pc->out_off);
        out.len += end - pc->out_off;
    }
    out.p[out.len] = '\0';
    cm_buf_finish(&c->out);
    c->out = out;
    cm_free(c->piece);
    c->piece = np;
    c->piece_cap = c->npiece;
out:
    cm_free(t);
    return rc;
}
