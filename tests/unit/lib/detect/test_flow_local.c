/*
 * The interface's own address (lib/detect/flow_local.c): what
 * cm_flow_local_note learns and cm_flow_local_side answers, against a plain
 * model of the rule in flow_local.c's header written out here: the first
 * ambiguous record of a family (no flow-direction, IPv4 or IPv6 on both
 * sides, both internal or both not, two different addresses (IPv4) or /64s
 * (IPv6)) of an interface gives two candidates, a later one keeps the
 * candidate it has, and a record with neither, or without the learned one,
 * shows several addresses: the family is learned no more (its records stay
 * ambiguous); the two families are learned apart. Every other record teaches
 * nothing. Random records of every kind (mixed families, a known direction,
 * one address or /64 on both sides, one side internal, no interface) go to
 * both, each with one of its interface's addresses on a random side (the
 * last interface has two of each family), and each record's side must agree;
 * cm_flow_local_note's inline test of the cheap fields must let through
 * every record the rule reads. What the note keeps of a record for
 * cm_flow_view (the classes and the side, worked out once a record for every
 * flow detector) must give the view the sides it finds without it.
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
#define HOSTS4 7

/* Per interface and family (0: IPv6, 1: IPv4): the two candidates, the first alone once known. */
struct model {
    bool seen[2];
    bool known[2];
    bool several[2];
    uint8_t net[2][2][8];
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

/* IPv4 host n: 10.0.0.0/8 (internal) for even numbers, public for odd ones. */
static void make_v4(struct cm_ip *ip, unsigned host)
{
    memset(ip, 0, sizeof(*ip));
    ip->family = CM_IP_V4;
    ip->a[0] = host & 1 ? 54 : 10;
    ip->a[3] = (uint8_t)(host + 1);
}

static bool internal(const struct cm_ip *ip)
{
    return ip->family == CM_IP_V4 ? ip->a[0] == 10 : ip->a[0] == 0xfd;
}

/* The family index, or -1 for a record the rule does not read. */
static int model_family(const struct cm_flow *fl)
{
    if (fl->direction != CM_FD_UNKNOWN || fl->src.family != fl->dst.family ||
        internal(&fl->src) != internal(&fl->dst)) {
        return -1;
    }
    return fl->src.family == CM_IP_V6 ? 0 : fl->src.family == CM_IP_V4 ? 1 : -1;
}

/* What the rule compares: the IPv4 address, the IPv6 /64. */
static size_t len_of(int fam)
{
    return fam == 1 ? 4 : 8;
}

static bool has(const uint8_t *net, const struct cm_flow *fl, size_t len)
{
    return memcmp(net, fl->src.a, len) == 0 || memcmp(net, fl->dst.a, len) == 0;
}

static void model_start(struct model *m, const struct cm_flow *fl, int fam)
{
    m->seen[fam] = true;
    m->known[fam] = false;
    memcpy(m->net[fam][0], fl->src.a, 8);
    memcpy(m->net[fam][1], fl->dst.a, 8);
}

static void model_note(struct model *m, const struct cm_flow *fl, int iface)
{
    int fam = model_family(fl);
    size_t len = len_of(fam);
    bool k0, k1;

    if (iface < 0 || fam < 0 || memcmp(fl->src.a, fl->dst.a, len) == 0) {
        return;
    }
    m += iface;
    if (!m->seen[fam]) {
        model_start(m, fl, fam);
        return;
    }
    if (m->several[fam]) {
        return;
    }
    k0 = has(m->net[fam][0], fl, len);
    k1 = has(m->net[fam][1], fl, len);
    if (m->known[fam]) {
        if (!k0) {
            m->known[fam] = false;
            m->several[fam] = true;
        }
    } else if (k0 && !k1) {
        m->known[fam] = true;
    } else if (k1 && !k0) {
        memcpy(m->net[fam][0], m->net[fam][1], 8);
        m->known[fam] = true;
    } else if (!k0 && !k1) {
        m->several[fam] = true;
    }
}

static int model_side(const struct model *m, const struct cm_flow *fl, int iface)
{
    int fam = model_family(fl);
    size_t len = len_of(fam);
    bool s, d;

    if (iface < 0 || fam < 0 || !m[iface].seen[fam] || !m[iface].known[fam]) {
        return 0;
    }
    s = memcmp(m[iface].net[fam][0], fl->src.a, len) == 0;
    d = memcmp(m[iface].net[fam][0], fl->dst.a, len) == 0;
    return s == d ? 0 : (s ? 1 : -1);
}

/*
 * A random record of interface iface (-1: none): mostly one family on both sides (IPv6 or
 * IPv4, with an even chance of the same), some of each other kind. One side of a record of an
 * interface is its address of that family: interface i's IPv4 host 2 * i (internal), its IPv6
 * /64 i; the last interface's second ones (host 2, /64 1) in a record of 50.
 */
static void random_record(uint64_t *rng, struct cm_event *ev, int iface, const char *const *ids)
{
    struct cm_flow *fl = &ev->u.flow;
    uint32_t r = next(rng);
    bool v4 = next(rng) % 2 == 0;

    memset(fl, 0, sizeof(*fl));
    fl->direction = r % 8 == 0 ? (r % 16 == 0 ? CM_FD_INGRESS : CM_FD_EGRESS) : CM_FD_UNKNOWN;
    if ((next(rng) % 6 == 0) != v4) {
        make_v4(&fl->src, next(rng) % HOSTS4);
    } else {
        make_v6(&fl->src, next(rng) % NETS, next(rng) % 3);
    }
    if ((next(rng) % 6 == 0) != v4) {
        make_v4(&fl->dst, next(rng) % HOSTS4);
    } else {
        make_v6(&fl->dst, next(rng) % NETS, next(rng) % 3);
    }
    fl->interface_id = iface < 0 ? CM_STR_NULL : cm_str_make(ids[iface], strlen(ids[iface]));
    if (iface >= 0) {
        bool second = iface == IFACES - 1 && next(rng) % 50 == 0;
        struct cm_ip *own = next(rng) % 2 == 0 ? &fl->src : &fl->dst;

        if (own->family == CM_IP_V4) {
            make_v4(own, second ? 2 : 2 * (unsigned)iface);
        } else {
            make_v6(own, second ? 1 : (unsigned)iface, next(rng) % 3);
        }
    }
}

static void test_agrees_with_model(void **state)
{
    static const char *const ids[IFACES] = {"eni-0a", "eni-0b", "eni-0c", "eni-0d"};
    struct model m[IFACES];
    struct cm_flow_local *t = NULL;
    struct cm_event ev;
    struct cm_flow_view noted, direct;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    unsigned learned = 0, sides = 0, learned4 = 0, sides4 = 0, several = 0, views = 0;
    bool viewed;

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
        if (model_family(&ev.u.flow) >= 0) {
            assert_true(cm_flow_local_maybe(&ev.u.flow));
        }
        want = model_side(m, &ev.u.flow, iface);
        got = cm_flow_local_side(t, &ev.u.flow);
        assert_int_equal(got, want);
        assert_int_equal(cm_flow_local_note(t, &ev), CM_OK);
        model_note(m, &ev.u.flow, iface);
        want = model_side(m, &ev.u.flow, iface);
        /* What the note kept for the view is what the view would work out without it. */
        assert_true(t->ev == &ev || !cm_flow_local_maybe(&ev.u.flow));
        assert_int_equal(t->ev == &ev ? t->side : 0, want);
        viewed = cm_flow_view(&ev, t, NULL, &noted);
        cm_flow_local_forget(t);
        assert_null(t->ev);
        assert_int_equal(cm_flow_view(&ev, t, NULL, &direct), viewed);
        assert_int_equal(noted.local_first, direct.local_first);
        views += viewed;
        got = cm_flow_local_side(t, &ev.u.flow);
        assert_int_equal(got, want);
        sides += want != 0;
        learned += iface >= 0 && m[iface].known[0];
        learned4 += iface >= 0 && m[iface].known[1];
        sides4 += want != 0 && ev.u.flow.src.family == CM_IP_V4;
        several += iface >= 0 && m[iface].several[0] && m[iface].several[1];
    }
    /* The sequence reaches every branch: interfaces learned, records told apart, and the
     * interface with two addresses of each family learned no more. */
    assert_true(several > 1000);
    assert_false(m[0].several[0] || m[0].several[1] || m[1].several[0] || m[1].several[1]);
    assert_true(learned > 1000);
    assert_true(sides > 1000);
    assert_true(learned4 > 1000);
    assert_true(sides4 > 1000);
    assert_true(views > 100000);
    cm_flow_local_destroy(t);
}

/* A record of another kind teaches nothing, whatever its bytes. */
static void test_other_kinds(void **state)
{
    struct cm_flow_local *t = NULL;
    struct cm_event ev;

    (void)state;
    assert_int_equal(cm_flow_local_create(&t, 7), CM_OK);
    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_DNS;
    make_v6(&ev.u.flow.src, 0, 0);
    make_v6(&ev.u.flow.dst, 1, 0);
    ev.u.flow.interface_id = cm_str_make("eni-0a", 6);
    assert_int_equal(cm_flow_local_note(t, &ev), CM_OK);
    assert_null(cm_state_get(t->t, "eni-0a", 6));
    assert_null(t->ev);
    cm_flow_local_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_model),
        cmocka_unit_test(test_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
