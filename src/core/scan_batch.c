/*
 * A reader's batches (threaded path): the batch being filled, r->cur, and the
 * unit of full ones its ticket publishes. A ticket's inputs fill the same
 * batches, each in a segment of its own (batch.h; docs/internals/scan.md,
 * "Small inputs").
 */
#include "base/err.h"
#include "core/batch.h"
#include "core/scan_impl.h"

void cm_scan_aim_batch(struct reader *r, struct cm_batch *b, struct cm_batch_seg *g)
{
    g->clock = r->clock;
    r->ctx.doc = &g->doc;
    r->ctx.arena = &b->arena;
    r->ctx.slot = &b->ev[b->n];
}

struct cm_batch *cm_scan_batch_new(struct reader *r)
{
    struct cm_batch *b = cm_batch_get(&r->s->pool, r->fb);

    if (b != NULL) {
        cm_scan_aim_batch(r, b, &b->seg[0]);
    }
    return b;
}

void cm_scan_unit_append(struct unit *u, struct cm_batch *b)
{
    b->next = NULL;
    if (u->tail) {
        u->tail->next = b;
    } else {
        u->head = b;
    }
    u->tail = b;
    u->n++;
}

void cm_scan_close_batch(struct reader *r)
{
    struct cm_batch *b = r->cur;

    r->cur = NULL;
    r->ctx.slot = NULL;
    if (b == NULL) {
        return;
    }
    if (b->n == 0) {
        cm_batch_put(&r->s->pool, b);
        return;
    }
    cm_scan_unit_append(&r->unit, b);
    if (r->stream) {
        cm_scan_stream(r->s, r);
    }
}

int cm_scan_next_seg(struct reader *r)
{
    struct cm_batch *b = r->cur;

    if (b != NULL && cm_batch_add_seg(b, r->fb) == 0) {
        cm_scan_aim_batch(r, b, cm_batch_last_seg(b));
        return CM_OK;
    }
    cm_scan_close_batch(r);
    r->cur = cm_scan_batch_new(r);
    return r->cur != NULL ? CM_OK : CM_ENOMEM;
}
