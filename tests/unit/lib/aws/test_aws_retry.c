/*
 * Retry decisions (lib/aws/aws_retry.c): what is tried again (5xx, 429,
 * throttling codes, no answer) and what is an answer (403, 404, 400...), and
 * the backoff's bounds: exponential from 100 ms, capped at 20 s, scaled by the
 * jitter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws/aws_retry.h"

static void test_retryable(void **state)
{
    (void)state;
    assert_true(cm_aws_retryable(0, true, NULL));
    assert_true(cm_aws_retryable(500, false, "InternalError"));
    assert_true(cm_aws_retryable(503, false, "SlowDown"));
    assert_true(cm_aws_retryable(503, false, NULL));
    assert_true(cm_aws_retryable(502, false, NULL));
    assert_true(cm_aws_retryable(504, false, NULL));
    assert_true(cm_aws_retryable(429, false, NULL));
    assert_true(cm_aws_retryable(400, false, "RequestTimeout"));
    assert_true(cm_aws_retryable(400, false, "ThrottlingException"));
    assert_false(cm_aws_retryable(403, false, "AccessDenied"));
    assert_false(cm_aws_retryable(403, false, "SignatureDoesNotMatch"));
    assert_false(cm_aws_retryable(404, false, "NoSuchKey"));
    assert_false(cm_aws_retryable(404, false, "NoSuchBucket"));
    assert_false(cm_aws_retryable(412, false, "PreconditionFailed"));
    assert_false(cm_aws_retryable(400, false, "InvalidArgument"));
    assert_false(cm_aws_retryable(301, false, "PermanentRedirect"));
    assert_false(cm_aws_retryable(501, false, "NotImplemented"));
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(cm_aws_backoff_ms(1, 0.5), 50);
    assert_int_equal(cm_aws_backoff_ms(2, 0.5), 100);
    assert_int_equal(cm_aws_backoff_ms(3, 0.5), 200);
    assert_int_equal(cm_aws_backoff_ms(4, 0.25), 200);
    assert_int_equal(cm_aws_backoff_ms(1, 0), 0);
    assert_true(cm_aws_backoff_ms(1, 0.9999999) < 100);
    /* Capped: never past 20 s, however many attempts. */
    assert_true(cm_aws_backoff_ms(30, 0.9999999) < CM_AWS_BACKOFF_CAP_MS);
    assert_true(cm_aws_backoff_ms(1000, 0.9999999) >= CM_AWS_BACKOFF_CAP_MS - 1);
    assert_int_equal(cm_aws_backoff_ms(1000, 2.0), CM_AWS_BACKOFF_CAP_MS - 1);
    assert_int_equal(cm_aws_backoff_ms(3, -1.0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
