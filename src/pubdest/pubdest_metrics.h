/*
 * The publishing destinations on /metrics (docs/metrics.md, docs/publishing.md): per
 * destination its status, since when it fails, the findings it has written and the
 * findings it still owes. Nothing is written when the store has no destination.
 */
#ifndef CM_PUBDEST_PUBDEST_METRICS_H
#define CM_PUBDEST_PUBDEST_METRICS_H

#include "base/buf.h"

struct cm_store;

/* Appends the families to b. Returns 0, CM_EIO (the store failed) or CM_ENOMEM. */
int cm_pubdest_metrics_write(struct cm_buf *b, struct cm_store *st);

#endif
