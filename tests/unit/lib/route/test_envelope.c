/*
 * Unit tests for lib/route/envelope.h: the EventBridge envelope every event
 * coalmine sends is written with, member order, escaping, the resources list
 * and a time that is not set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "route/envelope.h"

static void test_envelope_bytes(void **state)
{
    const char *const res[] = {"arn:aws:events:::rule/a", "arn:aws:events:::rule/\"b\""};
    struct cm_event_envelope e = {
        .id = "00000000-0000-0000-0000-000000000001",
        .detail_type = "Scheduled Event",
        .source = "aws.events",
        .account = CM_STR_LIT("111122223333"),
        .region = CM_STR_LIT("eu-west-1"),
        .time = CM_STR_LIT("2026-01-05T02:05:00Z"),
        .resources = res,
        .nresources = 2,
    };
    struct cm_buf b;
    struct cm_jw jw;
    (void)state;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_obj_begin(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    cm_buf_putc(&b, '\0');
    assert_string_equal(b.p, "{\"version\":\"0\",\"id\":\"00000000-0000-0000-0000-000000000001\","
                             "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                             "\"account\":\"111122223333\",\"time\":\"2026-01-05T02:05:00Z\","
                             "\"region\":\"eu-west-1\",\"resources\":[\"arn:aws:events:::rule/a\","
                             "\"arn:aws:events:::rule/\\\"b\\\"\"],\"detail\":{}}");

    /* No resources, an absent account (an empty string) and a time not set (null). */
    e.resources = NULL;
    e.nresources = 0;
    e.account = CM_STR_NULL;
    e.time = CM_STR_NULL;
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_str(&jw, "x");
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    cm_buf_putc(&b, '\0');
    assert_string_equal(b.p, "{\"version\":\"0\",\"id\":\"00000000-0000-0000-0000-000000000001\","
                             "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                             "\"account\":\"\",\"time\":null,\"region\":\"eu-west-1\","
                             "\"resources\":[],\"detail\":\"x\"}");
    cm_buf_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
