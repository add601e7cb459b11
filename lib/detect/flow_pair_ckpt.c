/*
 * The checkpoints of the pair detector (flow_pair.c): its six tables saved in a fixed
 * order, each value checked as it is read back (docs/internals/statefile.md), and the
 * older versions' layouts still read. No I/O.
 */
#include "detect/flow_pair_impl.h"

#include "detect/ckpt.h"
#include "detect/flow_kept.h"
#include "detect/state.h"

/*
 * A pair read back. The key is pair_key's: key_resource reads its family
 * byte and takes the rest as the resource, which fold looks up, so the
 * family must be IPv4 or IPv6 and the resource 1..RES_MAX bytes. Every ring index is
 * taken modulo its ring, so the values need no index check; the epoch,
 * minute and hour are those of a start time below 2^32 s (on_event skips
 * later ones), which keeps their sums with small numbers from wrapping, and
 * dos_fired has a bit per minute of the ring only.
 */
static bool pair_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct pair *p = val;
    size_t off = cm_flow_pair_key_after_addr(key, klen);

    (void)ud;
    return off != 0 && klen > off && klen - off <= RES_MAX &&
           p->ps_epoch <= UINT32_MAX / PS_EPOCH_S && p->dos_head <= UINT32_MAX / DOS_BUCKET_S &&
           p->dos_watch <= UINT32_MAX / DOS_BUCKET_S && p->vol_hour <= UINT32_MAX / HOUR_S &&
           (p->dos_fired >> DOS_BUCKETS) == 0 && (p->dos_pend >> DOS_BUCKETS) == 0;
}

/* An instance read back: a resource as on_event takes it; first_ms and day as made. */
static bool inst_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct inst *in = val;

    (void)ud;
    (void)key;
    return klen >= 1 && klen <= RES_MAX && cm_ckpt_time_set(in->first_ms) &&
           in->day <= UINT32_MAX / DAY_S;
}

/* A remembered connection read back: dos_pool_note's key, no value. */
static bool conn_check(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud;
    (void)key;
    (void)val;
    return klen == DOS_CONN_KEY;
}

/*
 * A kept record read back: a pair key (family IPv4 or IPv6, a resource of 1..RES_MAX bytes)
 * and a kind, KEPT_PORTSCAN, KEPT_DOS or KEPT_VOLUME.
 */
static bool kept_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const uint8_t *k = key;
    size_t off = cm_flow_pair_key_after_addr(key, klen);

    (void)ud;
    return off != 0 && klen > off + 1 && klen - off - 1 <= RES_MAX && k[klen - 1] <= KEPT_VOLUME &&
           cm_flow_kept_valid(val);
}

static const struct cm_state_codec pair_codec = {.check = pair_check};
static const struct cm_state_codec kept_codec = {.check = kept_check, .refs = cm_flow_kept_refs};
static const struct cm_state_codec inst_codec = {.check = inst_check};
static const struct cm_state_codec conn_codec = {.check = conn_check};

/*
 * The baselines first: loading pairs into a table smaller than the file's
 * evicts, and an evicted pair folds its hour into insts, which must be
 * loaded by then (cm_state_load takes an empty table only).
 */
int cm_flow_pair_save(const void *state, struct cm_ckpt_w *w)
{
    const struct flow_pair *st = state;

    cm_state_save(st->insts, w, &inst_codec);
    cm_state_save(st->pairs, w, &pair_codec);
    cm_state_save(st->heavy, w, &pair_codec);
    cm_state_save(st->conns, w, &conn_codec);
    cm_state_save(st->kept, w, &kept_codec);
    return cm_state_save(st->checkers, w, &cm_flow_pair_checker_codec);
}

/*
 * Reads what save wrote, in the same order (errors are sticky: after one, nothing is read);
 * version 8 had a copy of the engine's learner's table before the connections, 8 and 9 no
 * kept records (a pair's probes after its Portscan go with its next one, as they did), 8 to 11
 * no checkers (learned again from the next two epochs).
 */
static int load_tables(struct flow_pair *st, struct cm_ckpt_r *r, uint32_t version)
{
    cm_state_load(st->insts, r, &inst_codec);
    cm_state_load(st->pairs, r, &pair_codec);
    cm_state_load(st->heavy, r, &pair_codec);
    if (version == 8) {
        cm_flow_local_load_copy(st->local, r);
    }
    cm_state_load(st->conns, r, &conn_codec);
    if (version >= 10) {
        cm_state_load(st->kept, r, &kept_codec);
    }
    if (version >= 12) {
        cm_state_load(st->checkers, r, &cm_flow_pair_checker_codec);
    }
    return cm_ckpt_r_err(r);
}

int cm_flow_pair_load(void *state, struct cm_ckpt_r *r)
{
    return load_tables(state, r, FLOW_PAIR_STATE_VERSION);
}

int cm_flow_pair_load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    return load_tables(state, r, version);
}
