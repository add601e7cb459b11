/*
 * The checkpoints of the per-instance flow detector (flow_host.c): what its
 * four tables hold, checked as read back, and the older layouts it still
 * reads (docs/internals/statefile.md). No I/O but the checkpoint buffers.
 */
#include "detect/ckpt.h"
#include "detect/flow.h"
#include "detect/flow_host_impl.h"
#include "detect/state.h"

/* ---- checkpoints ---- */

/*
 * A history read back: next_watch indexes watch[]; nports bounds port_add's
 * probe for a free slot, which never ends unless the set has one, so it
 * must be at most PORT_CAP and count the used slots exactly; kind is an
 * enum kind; flags only the H_* bits; first_ms feeds learn_ms arithmetic.
 */
static bool host_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct host *h = val;
    size_t used = 0;

    (void)ud;
    (void)key;
    (void)klen;
    for (size_t i = 0; i < PORT_SLOTS; i++) {
        used += h->port[i] != 0;
    }
    for (size_t i = 0; i < NOVEL_SLOTS; i++) {
        if (h->novel[i].kind > K_DOT) {
            return false;
        }
    }
    for (size_t i = 0; i < SERVE_SLOTS; i++) {
        if (h->serve[i].peers > SERVE_PEERS) {
            return false;
        }
    }
    return cm_ckpt_time_set(h->first_ms) && h->next_watch < WATCH_SLOTS && h->nports <= PORT_CAP &&
           used == h->nports && (h->flags & ~(H_SMTP | H_PORTS_FULL | H_SPAM)) == 0;
}

/*
 * A fan-out read back: nhosts bounds fan_add's walk over host[], which has
 * room for the detector's cap (ud: the struct flow_host, whose tuning sets
 * it); the key is fan_key's; reported_ms is INT64_MIN or a time that a
 * window is added to.
 */
static bool fan_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct flow_host *fh = ud;
    const struct fan *f = val;

    (void)key;
    return klen == FAN_KEY_LEN && f->nhosts <= fh->cap && cm_ckpt_time_set(f->first_ms) &&
           cm_ckpt_time_ok(f->reported_ms);
}

/* A recent connection read back: conn_seen's key, nothing else. */
static bool conn_check(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud;
    (void)key;
    (void)val;
    return klen == CONN_KEY_LEN;
}

static const struct cm_state_codec host_codec = {.check = host_check};
static const struct cm_state_codec conn_codec = {.check = conn_check};

/* What the history and the fan-outs hold; the look-up cache and info are not state. */
int cm_flow_host_save(const void *state, struct cm_ckpt_w *w)
{
    const struct flow_host *fh = state;
    const struct cm_state_codec fan_codec = {.check = fan_check, .ud = fh};

    cm_state_save(fh->hosts, w, &host_codec);
    cm_state_save(fh->fans, w, &fan_codec);
    cm_state_save(fh->conns, w, &conn_codec);
    cm_flow_host_kept_save(fh, w);
    return cm_flow_host_nkept_save(fh, w);
}

/*
 * In save's order (errors are sticky: after one, nothing more is read). A
 * fan's size follows the cap: another cap is CM_EFORMAT, a fresh start.
 */
static int load_tables(void *state, struct cm_ckpt_r *r)
{
    struct flow_host *fh = state;
    const struct cm_state_codec fan_codec = {.check = fan_check, .ud = fh};

    cm_state_load(fh->hosts, r, &host_codec);
    cm_state_load(fh->fans, r, &fan_codec);
    cm_state_load(fh->conns, r, &conn_codec);
    return cm_ckpt_r_err(r);
}

int cm_flow_host_load(void *state, struct cm_ckpt_r *r)
{
    if (load_tables(state, r) != 0 || cm_flow_host_kept_load(state, r) != 0) {
        return cm_ckpt_r_err(r);
    }
    return cm_flow_host_nkept_load(state, r);
}

/*
 * Versions 6 and 7: the tables without kept records, 6 then a copy of the learner's table;
 * 8: the fans' kept records after them, without the episodes' (their pending connections then
 * go with a next report only).
 */
int cm_flow_host_load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    struct flow_host *fh = state;

    if (load_tables(state, r) != 0) {
        return cm_ckpt_r_err(r);
    }
    if (version == 8) {
        return cm_flow_host_kept_load(fh, r);
    }
    if (version != 6) {
        return cm_ckpt_r_err(r);
    }
    return cm_flow_local_load_copy(fh->local, r);
}
