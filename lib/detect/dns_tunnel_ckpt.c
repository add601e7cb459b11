/*
 * Checkpoints of the DNS tunnelling detector (dns_tunnel.c): its tables, each
 * value checked on load (dns_tunnel_impl.h). The window table holds three
 * kinds of key: a domain's entry, an instance's spread entry and a suffix's
 * search-domain learning (dns_tunnel_search.c); the slow tiers their struct
 * slow.
 */
#include "detect/dns_tunnel_impl.h"

#include <string.h>

#include "base/hll.h"
#include "detect/ckpt.h"

/*
 * Whether val, under key, is an entry the detector could have made. Three
 * kinds share the table: a domain's, keyed instance '\0' domain, an
 * instance's spread entry, keyed instance '\0', and a suffix's search-domain
 * learning, keyed instance '\0' '\0' suffix (cm_dns_tunnel_search_valid:
 * its counts bound its sets, and it never reports). Registered domains are
 * printable, so only a spread entry's key ends in '\0'. In a domain's entry names
 * bounds the loop over u.set and reaches SET_MAX before the set turns
 * into a HyperLogLog (full); a spread entry's names is a sum over domains
 * and bounds nothing, but it never holds names itself, so it is never full
 * and has no encoded names (qn). full is a 0/1 flag that says which member
 * of u is live; HyperLogLog registers (u.hll when full, data_hll always)
 * index cm_hll_count's table by value (cm_hll_regs_valid). qn counts up to
 * 2 (count()). The rest are times, counts and enc[]/qtype[] counters
 * (their indexes come from the query, never from the state): no check.
 */
static bool entry_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct entry *e = val;
    const char *k = key;
    bool spread_entry;

    (void)ud;
    if (klen < 2 || klen > KEY_MAX || memchr(k, '\0', klen) == NULL) {
        return false; /* an instance id, '\0', and maybe a domain */
    }
    if (!cm_ckpt_time_set(e->start_ms) || !cm_ckpt_time_set(e->last_ms) ||
        !cm_ckpt_time_set(e->first_ms) || !cm_ckpt_time_ok(e->reported_ms) ||
        !cm_ckpt_time_ok(e->sp_window) || !cm_ckpt_time_ok(e->sp_epoch)) {
        return false; /* times: sums with a window and differences must not overflow */
    }
    if (cm_dns_tunnel_search_key(k, klen)) {
        return cm_dns_tunnel_search_valid(e) && cm_dns_kept_valid(&e->last);
    }
    spread_entry = k[klen - 1] == '\0';
    if (e->full > 1 || e->qn > 2 || e->dc_echo > e->dc_names ||
        (spread_entry ? e->full != 0 || e->qn != 0 || e->dc_names != 0
                      : e->names > SET_MAX || (e->full && e->names != SET_MAX))) {
        return false;
    }
    return (!e->full || cm_hll_regs_valid(e->u.hll, HLL_P)) &&
           cm_hll_regs_valid(e->data_hll, HLL_P) && cm_dns_kept_valid(&e->last);
}

/* The evidence reference of an entry's kept query (renumbered across runs). */
static void entry_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_dns_kept_refs(&((struct entry *)val)->last, fn, fud);
}

static const struct cm_state_codec entry_codec = {.check = entry_check, .refs = entry_refs};

static bool slow_check(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud;
    return cm_dns_tunnel_slow_valid(key, klen, val);
}

static const struct cm_state_codec slow_codec = {.check = slow_check};

/* The tables are all the detector learns: key, lower and info are scratch. */
int cm_dns_tunnel_save(const void *state, struct cm_ckpt_w *w)
{
    const struct dns_tunnel *st = state;
    int rc = cm_state_save(st->keys, w, &entry_codec);

    for (size_t i = 0; i < SLOW_TIERS && rc == 0; i++) {
        rc = cm_state_save(st->slow[i], w, &slow_codec);
    }
    return rc;
}

int cm_dns_tunnel_load(void *state, struct cm_ckpt_r *r)
{
    struct dns_tunnel *st = state;
    int rc = cm_state_load(st->keys, r, &entry_codec);

    for (size_t i = 0; i < SLOW_TIERS && rc == 0; i++) {
        rc = cm_state_load(st->slow[i], r, &slow_codec);
    }
    if (rc == 0) {
        cm_dns_tunnel_slow_trim(st, 0); /* a file's tiers may together pass the cap */
    }
    return rc;
}

/* Version 5 wrote the same layout, without suffix entries. */
int cm_dns_tunnel_load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    (void)version;
    return cm_dns_tunnel_load(state, r);
}
