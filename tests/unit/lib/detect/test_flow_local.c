/*
 * The interface's own IPv6 network (lib/detect/flow_local.c): what
 * cm_flow_local_note learns and cm_flow_local_side answers, against a plain
 * model of the rule in flow_local.c's header written out here: the first
 * ambiguous record (no flow-direction, IPv6 on both sides, both internal or
 * both not, two different /64s) of an interface gives two candidates, a later
 * one keeps the candidate it has, a record with neither starts over, and a
 * learned /64 a record lacks starts over too. Every other record teaches
 * nothing. Random records of every kind (IPv4, mixed families, a known
 * direction, one /64 on both sides, no interface) go to both, and each
 * record's side must agree; cm_flow_local_note's inline test of the cheap
 * fields must let through every record the rule reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "detect/flow.h"

#define IFACES 4
#define NETS   6

struct model {
    bool seen;
    bool known;
    uint8_t net[2][8];
};

/* A small xorshift: the sequence is the same on every run. */
static uint32_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* /64 number n: fd00::/8 (internal) for the last two, global unicast for the others. */
static void make_v6(struct cm_ip *ip, unsigned net, unsigned host)
{
    memset(ip, 0, sizeof(*ip));
    ip->family = CM_IP_V6;
    ip->a[0] = net >= NETS - 2 ? 0xfd : 0x26;
    ip->a[1] = 0x00;
    ip->a[7] = (uint8_t)(net + 1);
    ip->a[15] = (uint8_t)(host + 1);
}

static void make_v4(struct cm_ip *ip, unsigned host)
{
    memset(ip, 0, sizeof(*ip));
    ip->family = CM_IP_V4;
    ip->a[0] = host & 1 ? 10 : 54;
    ip->a[3] = (uint8_t)(host + 1);
}

static bool model_ambiguous(const struct cm_flow *fl)
{
    bool si, di;

    if (fl->direction != CM_FD_UNKNOWN || fl->src.family != CM_IP_V6 ||
        fl->dst.family != CM_IP_V6) {
        return false;
    }
    si = fl->src.a[0] == 0xfd;
    di = fl->dst.a[0] == 0xfd;
    return si == di;
}

static bool has(const uint8_t *net, const struct cm_flow *fl)
{
    return memcmp(net, fl->src.a, 8) == 0 || memcmp(net, fl->dst.a, 8) == 0;
}

static void model_start(struct model *m, const struct cm_flow *fl)
{
    m->seen = true;
    m->known = false;
    memcpy(m->net[0], fl->src.a, 8);
    memcpy(m->net[1], fl->dst.a, 8);
}

static void model_note(struct model *m, const struct cm_flow *fl, int iface)
{
    bool k0, k1;

    if (iface < 0 || !model_ambiguous(fl) || memcmp(fl->src.a, fl->dst.a, 8) == 0) {
        return;
    }
    m += iface;
    if (!m->seen) {
        model_start(m, fl);
        return;
    }
    k0 = has(m->net[0], fl);
    k1 = has(m->net[1], fl);
    if (m->known) {
        if (!k0) {
            model_start(m, fl);
        }
    } else if (k0 && !k1) {
        m->known = true;
    } else if (k1 && !k0) {
        memcpy(m->net[0], m->net[1], 8);
        m->known = true;
    } else if (!k0 && !k1) {
        model_start(m, fl);
    }
}

static int model_side(const struct model *m, const struct cm_flow *fl, int iface)
{
    bool s, d;

    if (iface < 0 || !model_ambiguous(fl) || !m[iface].seen || !m[iface].known) {
        return 0;
    }
    s = memcmp(m[iface].net[0], fl->src.a, 8) == 0;
    d = memcmp(m[iface].net[0], fl->dst.a, 8) == 0;
    return s == d ? 0 : (s ? 1 : -1);
}

/* A random record of interface iface (-1: none): mostly ambiguous IPv6, some of each other kind. */
static void random_record(uint64_t *rng, struct cm_event *ev, int iface, const char *const *ids)
{
    struct cm_flow *fl = &ev->u.flow;
    uint32_t r = next(rng);

    memset(fl, 0, sizeof(*fl));
    fl->direction = r % 8 == 0 ? (r % 16 == 0 ? CM_FD_INGRESS : CM_FD_EGRESS) : CM_FD_UNKNOWN;
    if (next(rng) % 6 == 0) {
        make_v4(&fl->src, next(rng) % 4);
    } else {
        make_v6(&fl->src, next(rng) % NETS, next(rng) % 3);
    }
    if (next(rng) % 6 == 0) {
        make_v4(&fl->dst, next(rng) % 4);
    } else {
        make_v6(&fl->dst, next(rng) % NETS, next(rng) % 3);
    }
    fl->interface_id = iface < 0 ? CM_STR_NULL : cm_str_make(ids[iface], strlen(ids[iface]));
}

static void test_agrees_with_model(void **state)
{
    static const char *const ids[IFACES] = {"eni-0a", "eni-0b", "eni-0c", "eni-0d"};
    struct model m[IFACES];
    struct cm_state *t = NULL;
    struct cm_event ev;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    unsigned learned = 0, sides = 0;

    (void)state;
    memset(m, 0, sizeof(m));
    assert_int_equal(cm_flow_local_create(&t, 7), CM_OK);
    for (int i = 0; i < 200000; i++) {
        int iface = (int)(next(&rng) % (IFACES + 1)) - 1;
        int want, got;

        memset(&ev, 0, sizeof(ev));
        ev.kind = CM_EV_FLOW;
        ev.time_ms = 1767571200000LL + i;
        random_record(&rng, &ev, iface, ids);
        /* The inline test of the cheap fields passes every record the rule reads. */
        if (model_ambiguous(&ev.u.flow)) {
            assert_true(cm_flow_local_maybe(&ev.u.flow));
        }
        want = model_side(m, &ev.u.flow, iface);
        got = cm_flow_local_side(t, &ev.u.flow);
        assert_int_equal(got, want);
        assert_int_equal(cm_flow_local_note(t, &ev), CM_OK);
        model_note(m, &ev.u.flow, iface);
        want = model_side(m, &ev.u.flow, iface);
        got = cm_flow_local_side(t, &ev.u.flow);
        assert_int_equal(got, want);
        sides += want != 0;
        learned += iface >= 0 && m[iface].known;
    }
    /* The sequence reaches every branch: interfaces learned, and records told apart. */
    assert_true(learned > 1000);
    assert_true(sides > 1000);
    cm_state_destroy(t);
}

/* A record of another kind teaches nothing, whatever its bytes. */
static void test_other_kinds(void **state)
{
    struct cm_state *t = NULL;
    struct cm_event ev;

    (void)state;
    assert_int_equal(cm_flow_local_create(&t, 7), CM_OK);
    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_DNS;
    make_v6(&ev.u.flow.src, 0, 0);
    make_v6(&ev.u.flow.dst, 1, 0);
    ev.u.flow.interface_id = cm_str_make("eni-0a", 6);
    assert_int_equal(cm_flow_local_note(t, &ev), CM_OK);
    assert_null(cm_state_get(t, "eni-0a", 6));
    cm_state_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_model),
        cmocka_unit_test(test_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
