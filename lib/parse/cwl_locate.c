/*
 * Where a byte of the unwrapped text came from (cwl.h): the piece, so the log event in
 * the input, whose message holds it.
 */
#include "parse/cwl.h"

#include <stdbool.h>

const struct cm_cwl_piece *cm_cwl_locate(const struct cm_cwl *c, uint64_t off)
{
    size_t lo = 0, hi = c->npiece;

    if (hi == 0) {
        return NULL;
    }
    /* The last piece that starts at or before off. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->piece[mid].out_off <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return &c->piece[lo];
}

/* Whether off lies in the message of piece k (up to the next piece's start). */
static bool piece_holds(const struct cm_cwl *c, size_t k, uint64_t off)
{
    return c->piece[k].out_off <= off && (k + 1 == c->npiece || off < c->piece[k + 1].out_off);
}

const struct cm_cwl_piece *cm_cwl_locate_from(const struct cm_cwl *c, uint64_t off, size_t *cursor)
{
    const struct cm_cwl_piece *pc;
    size_t k = *cursor;

    if (k < c->npiece && off >= c->piece[k].out_off) {
        if (piece_holds(c, k, off)) {
            return &c->piece[k];
        }
        if (k + 1 < c->npiece && piece_holds(c, k + 1, off)) {
            *cursor = k + 1;
            return &c->piece[k + 1];
        }
    }
    pc = cm_cwl_locate(c, off);
    if (pc != NULL) {
        *cursor = (size_t)(pc - c->piece);
    }
    return pc;
}
