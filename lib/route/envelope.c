/*
 * The EventBridge event envelope (envelope.h).
 */
#include "route/envelope.h"

void cm_event_envelope_begin(struct cm_jw *jw, const struct cm_event_envelope *e)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "version");
    cm_jw_str(jw, "0");
    cm_jw_key(jw, "id");
    cm_jw_str(jw, e->id);
    cm_jw_key(jw, "detail-type");
    cm_jw_str(jw, e->detail_type);
    cm_jw_key(jw, "source");
    cm_jw_str(jw, e->source);
    cm_jw_key(jw, "account");
    cm_jw_strn(jw, e->account.p, e->account.len);
    cm_jw_key(jw, "time");
    if (cm_str_present(e->time)) {
        cm_jw_strn(jw, e->time.p, e->time.len);
    } else {
        cm_jw_null(jw);
    }
    cm_jw_key(jw, "region");
    cm_jw_strn(jw, e->region.p, e->region.len);
    cm_jw_key(jw, "resources");
    cm_jw_arr_begin(jw);
    for (size_t i = 0; i < e->nresources; i++) {
        cm_jw_str(jw, e->resources[i]);
    }
    cm_jw_arr_end(jw);
    cm_jw_key(jw, "detail");
}
