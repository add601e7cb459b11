/*
 * What the canary files share and nobody else sees: the kinds of check
 * (one file each) and small helpers for writing a result.
 */
#ifndef CM_CANARY_CANARY_IMPL_H
#define CM_CANARY_CANARY_IMPL_H

#include <stdint.h>

#include "base/json.h"
#include "canary/canary.h"

extern const struct cm_canary_kind cm_canary_freshness;   /* check_freshness.c */
extern const struct cm_canary_kind cm_canary_pipeline;    /* check_pipeline.c */
extern const struct cm_canary_kind cm_canary_scan_health; /* check_scan_health.c */

/* Sets r to ERROR with the reason. */
void cm_canary_error(struct cm_canary_result *r, const char *reason);

/*
 * The next fire time of check c after its last run (never run: after it was put),
 * into *next_ms (-1: none). Returns 0 or CM_EINVAL (its schedule does not parse).
 */
int cm_canary_due(const struct cm_store_canary *c, int64_t now_ms, int64_t *next_ms);

/* Writes key: the ISO time of ms (0 or less: null) into the open object of jw. */
void cm_canary_jw_time(struct cm_jw *jw, const char *key, int64_t ms);

#endif
