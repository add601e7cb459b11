/*
 * A detector whose state is one keyed table (state.h) and the additionalInfo buffer of
 * the detection it is emitting: the table expires at each tick, counts in the state
 * statistics and is saved and loaded through its codec. One lifecycle for the detectors
 * of that shape (ct_custom.c, ct_password.c): their init names the table's shape
 * (struct cm_dtab_spec) and the rest of their cm_detector is cm_dtab_*.
 */
#ifndef CM_DETECT_DETECT_TABLE_H
#define CM_DETECT_DETECT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/state.h"

struct cm_dtab_spec {
    size_t val_size;    /* bytes of one value */
    size_t max_entries; /* the table's memcap in entries */
    int64_t ttl_ms;     /* idle time after which an entry expires */
    size_t info_max;    /* the info buffer's cap (0: unlimited) */
    const struct cm_state_codec *codec;
};

struct cm_dtab {
    const struct cm_detect_config *cfg; /* opts->config, read afresh at each event */
    struct cm_state *table;
    struct cm_buf info;
    const struct cm_state_codec *codec;
};

/* The detector's init: *state a new struct cm_dtab. Returns 0 or CM_ENOMEM/the table's. */
int cm_dtab_init(void **state, const struct cm_detect_opts *opts, const struct cm_dtab_spec *spec);
void cm_dtab_finish(void *state);
int cm_dtab_tick(void *state, int64_t watermark_ms, struct cm_sink *sink);
void cm_dtab_stats(const void *state, struct cm_state_stats *sum);
int cm_dtab_save(const void *state, struct cm_ckpt_w *w);
int cm_dtab_load(void *state, struct cm_ckpt_r *r);

#endif
