/*
 * Portscan's checkers (flow_pair.c): per local address (and account), the remote ports it
 * probed on some pair in two epochs in a row. A new pair whose failed probes reach the
 * threshold only with such ports is a load balancer's first checks of a target whose service
 * is not up yet, held like a checker's handshakes (docs/detectors/vpcflow-pair.md, "The log's
 * first epochs"). No I/O.
 */
#include "detect/flow_pair_impl.h"

#include <string.h>

#include "base/err.h"

/*
 * The checker key of record v's local address in ev's account into out (KEY_MAX bytes); its
 * length. The local address, not the resource: a node whose own address is not learned yet
 * (v2) reads the balancer's checks of it as its own probes from the balancer's address.
 */
static size_t checker_key(uint8_t *out, const struct cm_event *ev, const struct cm_flow_view *v)
{
    struct cm_str acct = ev->account;

    if (acct.p == NULL || acct.len == 0) {
        acct = cm_str_make("", 0);
    }
    acct.len = acct.len > RES_MAX ? RES_MAX : acct.len;
    return cm_flow_pair_key(out, v->local, acct);
}

/*
 * The local address of record v (in epoch e) probed a port (sketch bit) of a pair in epoch e
 * and in the epoch before: it checks that port again and again (a health checker, a monitor).
 */
int cm_flow_pair_checker_note(struct flow_pair *st, const struct cm_event *ev,
                              const struct cm_flow_view *v, uint32_t e, uint32_t bit)
{
    uint8_t key[KEY_MAX];
    size_t klen = checker_key(key, ev, v);
    bool created = false;
    struct ps_checker *c = cm_state_touch(st->checkers, key, klen, ev->time_ms, &created);

    if (c == NULL) {
        return CM_ENOMEM;
    }
    if (c->epoch == 0 || e >= c->epoch + 2) {
        memset(c->bits, 0, sizeof(c->bits));
        c->epoch = e;
    } else if (e == c->epoch + 1) {
        memset(c->bits[e & 1], 0, sizeof(c->bits[e & 1]));
        c->epoch = e;
    } else if (e + 1 < c->epoch) {
        return 0;
    }
    c->bits[e & 1][bit / 64] |= 1ULL << (bit % 64);
    return 0;
}

/* The checker of record v's local address when it noted a port in epoch e or the one before. */
static const struct ps_checker *checker_recent(const struct flow_pair *st,
                                               const struct cm_event *ev,
                                               const struct cm_flow_view *v, uint32_t e)
{
    uint8_t key[KEY_MAX];
    size_t klen = checker_key(key, ev, v);
    const struct ps_checker *c = cm_state_get(st->checkers, key, klen);

    return c != NULL && c->epoch + 1 >= e ? c : NULL;
}

/* Whether pair p's window reaches the threshold only with ports of checker c. */
static bool covered(const struct flow_pair *st, const struct pair *p, const struct ps_checker *c)
{
    uint64_t cover[PS_SKETCH_BITS / 64];

    for (size_t w = 0; w < PS_SKETCH_BITS / 64; w++) {
        cover[w] = c->bits[0][w] | c->bits[1][w];
    }
    return cm_flow_pair_ps_window_less(p, cover) < st->ps_bits_needed;
}

bool cm_flow_pair_checker_hold(struct flow_pair *st, const struct pair *p, const void *key,
                               size_t klen, const struct cm_event *ev, const struct cm_flow_view *v,
                               uint32_t e)
{
    const struct ps_checker *c = checker_recent(st, ev, v, e);

    if (c != NULL) {
        return covered(st, p, c);
    }
    return cm_flow_pair_has_tail(st, key, klen, KEPT_PORTSCAN);
}

/*
 * A checker read back: a key as checker_key makes it (family IPv4 or IPv6, an account of at
 * most RES_MAX bytes), an epoch of a start time below 2^32 s.
 */
static bool checker_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct ps_checker *c = val;
    size_t off = cm_flow_pair_key_after_addr(key, klen);

    (void)ud;
    return off != 0 && klen - off <= RES_MAX && c->epoch <= UINT32_MAX / PS_EPOCH_S;
}

const struct cm_state_codec cm_flow_pair_checker_codec = {.check = checker_check};
