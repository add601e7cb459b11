/*
 * Records of one input in event-time order (parse.h, cm_rec_order_*): the
 * records located by their spans, copied one after another in the order of
 * their times, with the map back to where each was. Pure: no I/O.
 */
#include "parse/rec_order.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

bool cm_rec_order_sorted(const struct cm_rec_span *s, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (s[i].time_ms < s[i - 1].time_ms) {
            return false;
        }
    }
    return true;
}

/* By time, then where the record was: records of one time keep their order. */
static int cmp_span(const void *a, const void *b)
{
    const struct cm_rec_span *x = a, *y = b;

    if (x->time_ms != y->time_ms) {
        return x->time_ms < y->time_ms ? -1 : 1;
    }
    return x->off < y->off ? -1 : x->off > y->off;
}

void cm_rec_order_sort(struct cm_rec_span *s, size_t n)
{
    if (n > 1) {
        qsort(s, n, sizeof(*s), cmp_span);
    }
}

int cm_rec_order_text(struct cm_rec_span *s, size_t n, const char *src, size_t src_len,
                      uint64_t base_off, struct cm_cwl *c)
{
    size_t total = 0;
    int rc;

    cm_cwl_empty(c);
    for (size_t i = 0; i < n; i++) {
        if (s[i].off < base_off || s[i].off - base_off > src_len ||
            s[i].len > src_len - (s[i].off - base_off)) {
            return CM_EINVAL;
        }
        total += s[i].len + 1;
    }
    cm_rec_order_sort(s, n);
    if (cm_grow((void **)&c->piece, &c->piece_cap, n ? n : 1, sizeof(*c->piece), 64) != 0) {
        return CM_ENOMEM;
    }
    if ((rc = cm_buf_reserve(&c->out, total)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        c->piece[i] = (struct cm_cwl_piece){c->out.len, s[i].off, s[i].len, s[i].line, 0, 0};
        memcpy(c->out.p + c->out.len, src + (s[i].off - base_off), s[i].len);
        c->out.len += s[i].len;
        c->out.p[c->out.len++] = '\n';
    }
    c->npiece = n;
    c->out.p[c->out.len] = '\0';
    return CM_OK;
}
