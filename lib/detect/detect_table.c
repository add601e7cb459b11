/* The one-table detector lifecycle (detect_table.h). */
#include "detect/detect_table.h"

#include "base/alloc.h"
#include "base/err.h"

int cm_dtab_init(void **state, const struct cm_detect_opts *opts, const struct cm_dtab_spec *spec)
{
    struct cm_dtab *t = cm_calloc(1, sizeof(*t));
    struct cm_state_opts so = {
        .val_size = spec->val_size,
        .max_entries = spec->max_entries,
        .ttl_ms = spec->ttl_ms,
        .seed = opts ? opts->seed : 0,
    };
    int rc;

    if (t == NULL) {
        return CM_ENOMEM;
    }
    if ((rc = cm_state_create(&t->table, &so)) != 0) {
        cm_free(t);
        return rc;
    }
    t->cfg = opts ? opts->config : NULL;
    t->codec = spec->codec;
    cm_buf_init(&t->info, spec->info_max);
    *state = t;
    return 0;
}

void cm_dtab_finish(void *state)
{
    struct cm_dtab *t = state;

    if (t != NULL) {
        cm_state_destroy(t->table);
        cm_buf_finish(&t->info);
        cm_free(t);
    }
}

int cm_dtab_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    (void)sink;
    cm_state_expire(((struct cm_dtab *)state)->table, watermark_ms, NULL, NULL);
    return 0;
}

void cm_dtab_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct cm_dtab *)state)->table);
}

int cm_dtab_save(const void *state, struct cm_ckpt_w *w)
{
    const struct cm_dtab *t = state;

    return cm_state_save(t->table, w, t->codec);
}

int cm_dtab_load(void *state, struct cm_ckpt_r *r)
{
    struct cm_dtab *t = state;

    return cm_state_load(t->table, r, t->codec);
}
