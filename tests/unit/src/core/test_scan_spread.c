/*
 * Unit tests for src/core/scan_spread.c: the shard seed of a scan that keeps none
 * spreads the CloudTrail accounts of its inputs' object keys over the workers. Two
 * accounts that the default seed puts on one worker of two are found by search, so
 * the test does not depend on the hash's values; then the cases that keep the seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "event/event.h"
#include "source/input.h"
#include "core/scan_impl.h"

static unsigned worker_of(const char *account, uint64_t seed, unsigned workers)
{
    struct cm_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_CLOUDTRAIL;
    ev.account = (struct cm_str){account, strlen(account)};
    return (unsigned)(cm_event_entity_hash(&ev, seed) % workers);
}

static char paths[80][160];
static struct cm_input v[80];

static void put(size_t i, const char *account, uint64_t size, const char *kind)
{
    snprintf(paths[i], sizeof(paths[i]),
             "/logs/AWSLogs/%s/%s/us-east-1/2026/01/05/%s_%s_us-east-1_20260105T0000Z_x.json.gz",
             account, kind, account, kind);
    memset(&v[i], 0, sizeof(v[i]));
    v[i].path = paths[i];
    v[i].size = size;
}

static void test_spreads_two_accounts(void **state)
{
    char a[16] = "111122223300", b[32];
    struct cm_inputs in = {v, 0, 0, 0, 0, NULL, NULL, 0};
    uint64_t seed;
    int k = 1;

    (void)state;
    /* two accounts on one worker of two at seed 0 */
    for (;; k++) {
        snprintf(b, sizeof(b), "1111222233%02d", k);
        if (worker_of(a, 0, 2) == worker_of(b, 0, 2)) {
            break;
        }
        assert_true(k < 99);
    }
    put(0, a, 1000, "CloudTrail");
    put(1, b, 900, "CloudTrail");
    put(2, a, 1000, "CloudTrail");
    in.n = 3;
    seed = cm_scan_spread_seed(&in, 2, 0);
    assert_true(seed != 0);
    assert_int_not_equal(worker_of(a, seed, 2), worker_of(b, seed, 2));
    /* as good already: kept (the same seed every time) */
    assert_int_equal(cm_scan_spread_seed(&in, 2, seed), seed);
    /* one thread, one account, or the accounts only in flow logs: nothing to spread */
    assert_int_equal(cm_scan_spread_seed(&in, 1, 0), 0);
    put(1, a, 900, "CloudTrail");
    assert_int_equal(cm_scan_spread_seed(&in, 2, 0), 0);
    put(1, b, 900, "vpcflowlogs");
    assert_int_equal(cm_scan_spread_seed(&in, 2, 0), 0);
    /* a CloudTrail file set aside unread (a digest, outside the window) weighs nothing */
    put(1, b, 900, "CloudTrail");
    v[1].skip_as = "CloudTrail digest";
    assert_int_equal(cm_scan_spread_seed(&in, 2, 0), 0);
}

static void test_many_accounts_keep_the_seed(void **state)
{
    struct cm_inputs in = {v, 0, 0, 0, 0, NULL, NULL, 0};

    (void)state;
    for (size_t i = 0; i < 70; i++) {
        char acct[32];

        snprintf(acct, sizeof(acct), "2222333344%02zu", i);
        put(i, acct, 100, "CloudTrail");
    }
    in.n = 70; /* past 64 accounts the hash spreads them well enough */
    assert_int_equal(cm_scan_spread_seed(&in, 2, 7), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spreads_two_accounts),
        cmocka_unit_test(test_many_accounts_keep_the_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
