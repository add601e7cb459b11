/*
 * The raw-activity half of the attack-sequence detector (lib/detect/ct_sequence_raw.c):
 * which calls make, touch or leave alone the table of keys it follows. A common call on
 * data (GetObject, DeleteObject, a listing) only adds to a key followed: for a key not
 * followed it makes no entry; an opening call (IAM enumeration) makes one. A call from a
 * trusted address touches nothing, whether or not its key is followed: the entry keeps its
 * last seen (its expiry and its place in the eviction order), so the table's look-up
 * coming before the trusted lists' changes no finding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/ct_sequence_impl.h"
#include "detect/detect.h"
#include "intel/snapshot.h"

#include "../finding/finding_util.h"

#define TRUSTED  "192.0.2.99"
#define STRANGER "203.0.113.9"
#define KEY      "AKIAIOSFODNN7EXAMPLE"
#define OTHER    "AKIAOTHERKEY00000001"

static int no_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    (void)sink, (void)d;
    return 0;
}

struct world {
    struct t_events e;
    struct cm_intel_snapshot *snap;
    struct cm_detect_config cfg;
    struct cm_detect_opts opts;
    struct cm_sink sink;
    void *st;
};

static void world_init(struct world *w)
{
    struct cm_intel_list l = {CM_STR_LIT("office"), CM_INTEL_KIND_TRUSTED, CM_STR_LIT("TXT"),
                              CM_STR_LIT("test")};
    struct cm_intel_builder *b;
    uint32_t id;

    memset(w, 0, sizeof(*w));
    t_events_init(&w->e);
    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    {
        struct cm_indicator ind = {id, CM_CAT_UNKNOWN, CM_STR_LIT(""), CM_STR_LIT("test")};

        assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(TRUSTED), &ind), 0);
    }
    assert_int_equal(cm_intel_builder_build(b, &w->snap), 0);
    cm_intel_builder_destroy(b);
    w->cfg.intel = w->snap;
    w->opts.config = &w->cfg;
    w->opts.seed = 5;
    w->sink.emit = no_emit;
    assert_int_equal(cm_detector_ct_sequence.init(&w->st, &w->opts), 0);
}

static void world_finish(struct world *w)
{
    cm_detector_ct_sequence.finish(w->st);
    cm_intel_snapshot_unref(w->snap);
    t_events_finish(&w->e);
}

/* Key key calls svc's name from ip at t_s seconds after T_EVTIME. */
static void call(struct world *w, const char *key, const char *svc, const char *name,
                 const char *ip, int t_s)
{
    struct cm_event ev = w->e.ct;

    ev.time_ms = T_EVTIME + t_s * 1000LL;
    ev.u.ct.uid.access_key_id = cm_str_cstr(key);
    ev.u.ct.event_source = cm_str_cstr(svc);
    ev.u.ct.event_name = cm_str_cstr(name);
    ev.u.ct.source_ip_address = cm_str_cstr(ip);
    t_ip(&ev.u.ct.source_ip, ip);
    assert_int_equal(cm_detector_ct_sequence.on_event(w->st, &ev, &w->sink), 0);
}

/* The entry of key in the table of keys followed, or NULL. */
static const void *entry(const struct world *w, const char *key)
{
    const struct sequence *q = w->st;
    char k[64];
    int n = snprintf(k, sizeof(k), "%s/%s", T_ACCOUNT, key);

    return cm_state_get(q->raw, k, (size_t)n);
}

static size_t entries(const struct world *w)
{
    const struct sequence *q = w->st;
    struct cm_state_stats s = {0};

    cm_state_stats_add(&s, q->raw);
    return s.entries;
}

/* Common calls of a key not followed make no entry; an opening call makes one. */
static void test_followed(void **state)
{
    struct world w;

    (void)state;
    world_init(&w);
    call(&w, KEY, "s3.amazonaws.com", "GetObject", STRANGER, 0);
    call(&w, KEY, "s3.amazonaws.com", "DeleteObject", STRANGER, 1);
    call(&w, KEY, "s3.amazonaws.com", "ListObjects", STRANGER, 2);
    call(&w, KEY, "ec2.amazonaws.com", "DescribeInstances", STRANGER, 3);
    /* Not the table's calls: another service's name, a longer or shorter name, case. */
    call(&w, KEY, "s3.amazonaws.com", "ListUsers", STRANGER, 4);
    call(&w, KEY, "ec2.amazonaws.com", "ListUsers", STRANGER, 4);
    call(&w, KEY, "iam.amazonaws.com", "ListUsersX", STRANGER, 4);
    call(&w, KEY, "iam.amazonaws.com", "ListUser", STRANGER, 4);
    call(&w, KEY, "iam.amazonaws.com", "listUsers", STRANGER, 4);
    call(&w, KEY, "iam.amazonaws.com", "", STRANGER, 4);
    call(&w, KEY, "iam.amazonaws.com", "GetObject", STRANGER, 4);
    assert_int_equal(entries(&w), 0);
    call(&w, OTHER, "iam.amazonaws.com", "GetAccountAuthorizationDetails", STRANGER, 5);
    call(&w, OTHER, "s3.amazonaws.com", "PutBucketEncryption", STRANGER, 6);
    assert_non_null(entry(&w, OTHER)); /* both open */
    assert_int_equal(cm_state_last_seen(entry(&w, OTHER)), T_EVTIME + 6000);
    assert_int_equal(cm_state_del(((struct sequence *)w.st)->raw, T_ACCOUNT "/" OTHER,
                                  strlen(T_ACCOUNT "/" OTHER)),
                     0);
    assert_int_equal(entries(&w), 0);
    call(&w, KEY, "iam.amazonaws.com", "ListUsers", STRANGER, 10);
    assert_int_equal(entries(&w), 1);
    assert_non_null(entry(&w, KEY));
    assert_int_equal(cm_state_last_seen(entry(&w, KEY)), T_EVTIME + 10000);
    call(&w, KEY, "s3.amazonaws.com", "GetObject", STRANGER, 20); /* now it adds: a touch */
    assert_int_equal(cm_state_last_seen(entry(&w, KEY)), T_EVTIME + 20000);
    call(&w, OTHER, "s3.amazonaws.com", "GetObject", STRANGER, 30); /* another key's */
    assert_null(entry(&w, OTHER));
    assert_int_equal(entries(&w), 1);
    world_finish(&w);
}

/* A trusted call touches nothing: not a key followed (its last seen stays), nor makes one. */
static void test_trusted_untouched(void **state)
{
    struct world w;

    (void)state;
    world_init(&w);
    call(&w, OTHER, "iam.amazonaws.com", "ListUsers", TRUSTED, 0); /* opens, but trusted */
    assert_int_equal(entries(&w), 0);
    call(&w, KEY, "iam.amazonaws.com", "ListUsers", STRANGER, 10);
    call(&w, KEY, "s3.amazonaws.com", "GetObject", TRUSTED, 600);
    call(&w, KEY, "s3.amazonaws.com", "DeleteObject", TRUSTED, 700);
    call(&w, KEY, "iam.amazonaws.com", "ListRoles", TRUSTED, 800);
    assert_int_equal(cm_state_last_seen(entry(&w, KEY)), T_EVTIME + 10000);
    /* Its expiry goes by the untrusted call: gone an idle hour after it. */
    assert_int_equal(
        cm_detector_ct_sequence.on_tick(w.st, T_EVTIME + 10000 + RAW_TTL_MS + 1, &w.sink), 0);
    assert_null(entry(&w, KEY));
    call(&w, KEY, "s3.amazonaws.com", "GetObject", TRUSTED, 3700); /* and is not made again */
    assert_int_equal(entries(&w), 0);
    call(&w, KEY, "iam.amazonaws.com", "ListUsers", STRANGER, 3800);
    call(&w, KEY, "s3.amazonaws.com", "GetObject", STRANGER, 3900);
    assert_int_equal(cm_state_last_seen(entry(&w, KEY)), T_EVTIME + 3900000);
    world_finish(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_followed),
        cmocka_unit_test(test_trusted_untouched),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
