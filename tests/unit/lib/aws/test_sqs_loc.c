/*
 * Watched queues' locations (lib/aws/sqs_loc.c): sqs://ACCOUNT/QUEUE, the queue URLs AWS
 * shows (regional, China, FIPS, the two legacy forms), a custom endpoint's URL only when it
 * is the endpoint set, the key prefix and ?visibility= after either form, and what is refused
 * with why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/sqs_loc.h"
#include "base/err.h"

static struct cm_sqs_loc l;
static char err[700];

static int parse(const char *path, const char *custom)
{
    err[0] = '\0';
    return cm_sqs_loc_parse(path, custom, &l, err, sizeof(err));
}

static void test_is(void **state)
{
    (void)state;
    assert_true(cm_sqs_loc_is("sqs://1/q"));
    assert_true(cm_sqs_loc_is("https://sqs.us-east-1.amazonaws.com/1/q"));
    assert_true(cm_sqs_loc_is("http://127.0.0.1:5000/1/q"));
    assert_false(cm_sqs_loc_is("s3://b/k"));
    assert_false(cm_sqs_loc_is("/var/log/x"));
    assert_false(cm_sqs_loc_is("httpx://h/1/q"));
}

static void test_sqs_form(void **state)
{
    (void)state;
    assert_int_equal(parse("sqs://111122223333/trail-q", NULL), 0);
    assert_string_equal(l.account, "111122223333");
    assert_string_equal(l.queue, "trail-q");
    assert_string_equal(l.prefix, "");
    assert_string_equal(l.endpoint, "");
    assert_string_equal(l.region, "");
    assert_string_equal(l.queue_url, "");
    assert_int_equal(l.visibility_s, CM_SQS_LOC_VISIBILITY_S);
    assert_int_equal(parse("sqs://1/q.fifo/AWSLogs/o-1/?visibility=30", NULL), 0);
    assert_string_equal(l.prefix, "AWSLogs/o-1/");
    assert_int_equal(l.visibility_s, 30);
}

static void test_aws_urls(void **state)
{
    (void)state;
    assert_int_equal(parse("https://sqs.us-east-1.amazonaws.com/123456789012/my-queue", NULL), 0);
    assert_string_equal(l.account, "123456789012");
    assert_string_equal(l.queue, "my-queue");
    assert_string_equal(l.region, "us-east-1");
    assert_string_equal(l.endpoint, "https://sqs.us-east-1.amazonaws.com");
    assert_string_equal(l.queue_url, "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue");
    assert_string_equal(l.prefix, "");

    /* the prefix and visibility follow the queue as in sqs:// */
    assert_int_equal(
        parse("https://sqs.eu-west-1.amazonaws.com/123456789012/q/AWSLogs/?visibility=60", NULL),
        0);
    assert_string_equal(l.region, "eu-west-1");
    assert_string_equal(l.prefix, "AWSLogs/");
    assert_int_equal(l.visibility_s, 60);
    assert_string_equal(l.queue_url, "https://sqs.eu-west-1.amazonaws.com/123456789012/q");

    /* China, FIPS, upper-case host, a port */
    assert_int_equal(parse("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", NULL), 0);
    assert_string_equal(l.region, "cn-north-1");
    assert_string_equal(l.endpoint, "https://sqs.cn-north-1.amazonaws.com.cn");
    assert_int_equal(parse("https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/q", NULL), 0);
    assert_string_equal(l.region, "us-gov-west-1");
    assert_int_equal(parse("https://SQS.AP-SOUTHEAST-2.AMAZONAWS.COM:443/123456789012/q", NULL), 0);
    assert_string_equal(l.region, "ap-southeast-2");
    assert_string_equal(l.endpoint, "https://SQS.AP-SOUTHEAST-2.AMAZONAWS.COM:443");

    /* legacy: requests go to the regional endpoint; the URL is the queue's as given */
    assert_int_equal(parse("https://queue.amazonaws.com/123456789012/old-q", NULL), 0);
    assert_string_equal(l.region, "us-east-1");
    assert_string_equal(l.endpoint, "https://sqs.us-east-1.amazonaws.com");
    assert_string_equal(l.queue_url, "https://queue.amazonaws.com/123456789012/old-q");
    assert_int_equal(parse("https://us-west-2.queue.amazonaws.com/123456789012/old-q", NULL), 0);
    assert_string_equal(l.region, "us-west-2");
    assert_string_equal(l.endpoint, "https://sqs.us-west-2.amazonaws.com");
}

static void test_custom(void **state)
{
    (void)state;
    assert_int_equal(parse("http://127.0.0.1:5000/123456789012/q", "http://127.0.0.1:5000/"), 0);
    assert_string_equal(l.region, "");
    assert_string_equal(l.endpoint, "http://127.0.0.1:5000");
    assert_string_equal(l.queue_url, "http://127.0.0.1:5000/123456789012/q");
    /* not the custom endpoint: another port, another scheme, none set */
    assert_int_equal(parse("http://127.0.0.1:5001/123456789012/q", "http://127.0.0.1:5000"),
                     CM_EINVAL);
    assert_non_null(strstr(err, "not an SQS queue URL: 127.0.0.1 is not an SQS endpoint"));
    assert_non_null(strstr(err, "http://127.0.0.1:5000"));
    assert_int_equal(parse("https://127.0.0.1:5000/123456789012/q", "http://127.0.0.1:5000"),
                     CM_EINVAL);
    assert_int_equal(parse("http://localhost:9324/123456789012/q", NULL), CM_EINVAL);
    assert_non_null(strstr(err, "none set"));
    /* an AWS URL with a custom endpoint set: still its region */
    assert_int_equal(parse("https://sqs.eu-north-1.amazonaws.com/1/q", "http://127.0.0.1:5000"), 0);
    assert_string_equal(l.region, "eu-north-1");
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "https://s3.us-east-1.amazonaws.com/123456789012/q",    /* not SQS */
        "https://sqs.amazonaws.com/123456789012/q",             /* no region */
        "https://sqs.US_EAST.amazonaws.com/123456789012/q",     /* not a region */
        "https://sqs.us-east-1.amazonaws.com.evil.example/1/q", /* another host */
        "https://sqs.us-east-1.amazonaws.com",                  /* no path */
        "https://sqs.us-east-1.amazonaws.com/",                 /* no account */
        "https://sqs.us-east-1.amazonaws.com/123456789012",     /* no queue */
        "https://sqs.us-east-1.amazonaws.com/123456789012/",    /* empty queue */
        "https://sqs.us-east-1.amazonaws.com/acct/q",           /* account not digits */
        "https://sqs.us-east-1.amazonaws.com/1/a%20b",          /* queue name */
        "https://sqs.us-east-1.amazonaws.com/1/q?visibility=0",
        "https://sqs.us-east-1.amazonaws.com/1/q?Action=ReceiveMessage",
        "https://sqs.us-east-1.amazonaws.com/1/q#AWSLogs/",
        "https://user@sqs.us-east-1.amazonaws.com/1/q",
        "https://sqs.us-east-1.amazonaws.com:x/1/q",
        "https:///1/q",
        "ftp://sqs.us-east-1.amazonaws.com/1/q",
        "sqs://1/q?visibility=-5",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], NULL), CM_EINVAL);
        assert_non_null(strstr(err, bad[i]));
        assert_string_equal(l.queue, "");
    }
    assert_int_equal(parse("https://s3.us-east-1.amazonaws.com/123456789012/q", NULL), CM_EINVAL);
    assert_non_null(strstr(err, "s3.us-east-1.amazonaws.com is not an SQS endpoint"));
    assert_int_equal(parse("https://sqs.us-east-1.amazonaws.com/123456789012", NULL), CM_EINVAL);
    assert_non_null(strstr(err, "SCHEME://HOST/ACCOUNT/QUEUE"));
    assert_int_equal(parse("https://sqs.us-east-1.amazonaws.com/1/q#AWSLogs/", NULL), CM_EINVAL);
    assert_non_null(strstr(err, "/KEY-PREFIX"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is),       cmocka_unit_test(test_sqs_form),
        cmocka_unit_test(test_aws_urls), cmocka_unit_test(test_custom),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
