/*
 * SQS's JSON protocol (lib/aws/sqs_json.c): the bodies of ReceiveMessage,
 * DeleteMessageBatch and ChangeMessageVisibilityBatch as botocore sends them, and the
 * answers: messages (escaped bodies), none, a batch's failures, an error's __type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aws/sqs_json.h"
#include "base/err.h"

#define URL "https://sqs.us-east-1.amazonaws.com/111122223333/q"

static void test_bodies(void **state)
{
    const char *h[2] = {"AQEB\"x", "AQEBy"};
    struct cm_buf b;

    (void)state;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_sqs_receive_body(&b, URL, 50, 99, 300), 0);
    assert_string_equal(b.p, "{\"QueueUrl\":\"" URL "\",\"MaxNumberOfMessages\":10,"
                             "\"WaitTimeSeconds\":20,\"VisibilityTimeout\":300}");
    cm_buf_reset(&b);
    assert_int_equal(cm_sqs_delete_body(&b, URL, h, 2), 0);
    assert_string_equal(b.p, "{\"QueueUrl\":\"" URL "\",\"Entries\":[{\"Id\":\"0\","
                             "\"ReceiptHandle\":\"AQEB\\\"x\"},{\"Id\":\"1\","
                             "\"ReceiptHandle\":\"AQEBy\"}]}");
    cm_buf_reset(&b);
    assert_int_equal(cm_sqs_visibility_body(&b, URL, h + 1, 1, 60), 0);
    assert_string_equal(b.p, "{\"QueueUrl\":\"" URL "\",\"Entries\":[{\"Id\":\"0\","
                             "\"ReceiptHandle\":\"AQEBy\",\"VisibilityTimeout\":60}]}");
    cm_buf_reset(&b);
    assert_int_equal(cm_sqs_delete_body(&b, URL, h, 0), CM_EINVAL);
    assert_int_equal(cm_sqs_delete_body(&b, URL, h, 11), CM_EINVAL);
    cm_buf_finish(&b);
}

static void test_receive(void **state)
{
    static const char ans[] =
        "{\"Messages\":[{\"MessageId\":\"id-1\",\"ReceiptHandle\":\"h1\",\"MD5OfBody\":\"x\","
        "\"Body\":\"{\\\"a\\\":\\\"b\\\\n\\\"}\"},{\"MessageId\":\"id-2\",\"ReceiptHandle\":"
        "\"h2\",\"Body\":\"\"}]}";
    struct cm_sqs_msgs m = {0};
    char why[300] = "";

    (void)state;
    assert_int_equal(cm_sqs_receive_parse(ans, strlen(ans), &m, why, sizeof(why)), 0);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[0].id, "id-1");
    assert_string_equal(m.v[0].handle, "h1");
    assert_string_equal(m.v[0].body, "{\"a\":\"b\\n\"}");
    assert_int_equal(m.v[0].body_len, 11);
    assert_string_equal(m.v[1].body, "");
    cm_sqs_msgs_finish(&m);
    assert_int_equal(cm_sqs_receive_parse("{}", 2, &m, why, sizeof(why)), 0);
    assert_int_equal(m.n, 0);
    assert_int_equal(cm_sqs_receive_parse("<xml/>", 6, &m, why, sizeof(why)), CM_ESYNTAX);
    assert_non_null(strstr(why, "byte 0"));
    assert_int_equal(
        cm_sqs_receive_parse("{\"Messages\":[{\"MessageId\":\"a\"}]}", 32, &m, why, sizeof(why)),
        CM_ESYNTAX);
    assert_non_null(strstr(why, "Messages[0]"));
    cm_sqs_msgs_finish(&m);
}

static void test_batch_and_error(void **state)
{
    static const char ans[] = "{\"Successful\":[{\"Id\":\"0\"}],\"Failed\":[{\"Id\":\"1\","
                              "\"SenderFault\":true,\"Code\":\"ReceiptHandleIsInvalid\","
                              "\"Message\":\"bad\"},{\"Id\":\"3\",\"Code\":\"X\"}]}";
    static const char err[] = "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
                              "\"message\":\"The specified queue does not exist.\"}";
    unsigned failed;
    char why[300], code[64], msg[200];

    (void)state;
    assert_int_equal(cm_sqs_batch_parse(ans, strlen(ans), &failed, why, sizeof(why)), 0);
    assert_int_equal(failed, (1u << 1) | (1u << 3));
    assert_string_equal(why, "ReceiptHandleIsInvalid: bad");
    assert_int_equal(cm_sqs_batch_parse("{\"Successful\":[]}", 17, &failed, why, sizeof(why)), 0);
    assert_int_equal(failed, 0);
    assert_int_equal(cm_sqs_batch_parse("x", 1, &failed, why, sizeof(why)), CM_ESYNTAX);
    assert_int_equal(cm_sqs_error_parse(err, strlen(err), code, sizeof(code), msg, sizeof(msg)), 0);
    assert_string_equal(code, "QueueDoesNotExist");
    assert_string_equal(msg, "The specified queue does not exist.");
    assert_int_equal(cm_sqs_error_parse("<Error/>", 8, code, sizeof(code), msg, sizeof(msg)),
                     CM_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_receive),
        cmocka_unit_test(test_batch_and_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
