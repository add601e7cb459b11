/*
 * The SQS client (src/aws/sqs.c) against a scripted HTTP server on 127.0.0.1 in this
 * process: ReceiveMessage POSTed to / with the JSON protocol's headers and signed for
 * "sqs" with the S3 client's credentials, its messages parsed; an error answer made a
 * message ("QueueDoesNotExist: ... (HTTP 400)") and not retried; a 500 retried; a batch's
 * failed entries; the endpoint from AWS_ENDPOINT_URL_SQS, a bad one refused. Also the
 * sqs:// locations (src/core/follow_sqs.c, cm_follow_sqs_parse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_config.h"
#include "aws/s3.h"
#include "aws/sqs.h"
#include "base/err.h"
#include "core/follow_sqs.h"
#include "fake_http.h"

static struct cm_s3 *s3_client(void)
{
    struct cm_s3 *s3;
    char err[600];
    struct cm_aws_opts o = {"eu-west-1", NULL};

    clean_env();
    unsetenv("AWS_ENDPOINT_URL_SQS");
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST", 1);
    if (cm_s3_open(&s3, &o, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    return s3;
}

static struct cm_sqs *sqs_client(struct cm_s3 *s3, int port)
{
    struct cm_sqs *q;
    char ep[64], err[600];

    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", port);
    if (cm_sqs_open(&q, s3, ep, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    cm_sqs_set_backoff_scale(q, 0, 1);
    return q;
}

static void test_receive(void **state)
{
    struct server srv = {.nsteps = 1};
    struct cm_s3 *s3 = s3_client();
    struct cm_sqs *q;
    struct cm_sqs_msgs m = {0};
    char err[600] = "", url[96];

    (void)state;
    srv.steps[0] = (struct step){200, "Content-Type: application/x-amz-json-1.0\r\n",
                                 "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"h1\","
                                 "\"Body\":\"{\\\"Records\\\":[]}\"}]}"};
    server_start(&srv);
    q = sqs_client(s3, srv.port);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
    assert_string_equal(cm_sqs_endpoint(q), url);
    strcat(url, "/111122223333/q");
    assert_int_equal(cm_sqs_receive(q, url, 10, 0, 300, &m, err, sizeof(err)), 0);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.v[0].id, "m1");
    assert_string_equal(m.v[0].body, "{\"Records\":[]}");
    assert_non_null(strstr(fake_req(&srv, 0), "POST / HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 0), "x-amz-target: AmazonSQS.ReceiveMessage"));
    assert_non_null(strstr(fake_req(&srv, 0), "content-type: application/x-amz-json-1.0"));
    assert_non_null(strstr(fake_req(&srv, 0), "Authorization: AWS4-HMAC-SHA256 "
                                              "Credential=AKIDTEST/"));
    assert_non_null(strstr(fake_req(&srv, 0), "/eu-west-1/sqs/aws4_request, SignedHeaders="
                                              "content-type;host;x-amz-content-sha256;"
                                              "x-amz-date;x-amz-target, Signature="));
    assert_null(strstr(fake_req(&srv, 0), "SECRETTEST"));
    cm_sqs_msgs_finish(&m);
    cm_sqs_close(q);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_errors_and_retries(void **state)
{
    struct server srv = {.nsteps = 4};
    struct cm_s3 *s3 = s3_client();
    struct cm_sqs *q;
    struct cm_sqs_msgs m = {0};
    const char *h[3] = {"a", "b", "c"};
    unsigned failed = 0;
    char err[600] = "";

    (void)state;
    srv.steps[0] = (struct step){400, NULL,
                                 "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
                                 "\"message\":\"The specified queue does not exist.\"}"};
    srv.steps[1] = (struct step){500, NULL, "{\"__type\":\"InternalFailure\"}"};
    srv.steps[2] = (struct step){200, NULL, "{}"};
    srv.steps[3] = (struct step){200, NULL,
                                 "{\"Successful\":[{\"Id\":\"0\"},{\"Id\":\"2\"}],\"Failed\":"
                                 "[{\"Id\":\"1\",\"Code\":\"ReceiptHandleIsInvalid\","
                                 "\"Message\":\"bad\",\"SenderFault\":true}]}"};
    server_start(&srv);
    q = sqs_client(s3, srv.port);
    assert_int_equal(cm_sqs_receive(q, "u", 10, 0, 300, &m, err, sizeof(err)), CM_EIO);
    assert_string_equal(err, "ReceiveMessage: QueueDoesNotExist: The specified queue does not "
                             "exist. (HTTP 400)");
    assert_int_equal(cm_sqs_receive(q, "u", 10, 0, 300, &m, err, sizeof(err)), 0);
    assert_int_equal(m.n, 0);
    assert_int_equal(cm_sqs_attempts(q), 3);
    assert_int_equal(cm_sqs_delete(q, "u", h, 3, &failed, err, sizeof(err)), 0);
    assert_int_equal(failed, 2);
    assert_string_equal(err, "DeleteMessageBatch: ReceiptHandleIsInvalid: bad");
    assert_non_null(strstr(fake_req(&srv, 3), "x-amz-target: AmazonSQS.DeleteMessageBatch"));
    cm_sqs_msgs_finish(&m);
    cm_sqs_close(q);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_endpoint(void **state)
{
    struct cm_s3 *s3 = s3_client();
    struct cm_sqs *q;
    char err[600] = "";

    (void)state;
    assert_int_equal(cm_sqs_open(&q, s3, NULL, err, sizeof(err)), 0);
    assert_string_equal(cm_sqs_endpoint(q), "https://sqs.eu-west-1.amazonaws.com");
    cm_sqs_close(q);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    setenv("AWS_ENDPOINT_URL_SQS", "http://localhost:4566", 1);
    assert_int_equal(cm_sqs_open(&q, s3, NULL, err, sizeof(err)), 0);
    assert_string_equal(cm_sqs_endpoint(q), "http://localhost:4566");
    cm_sqs_close(q);
    unsetenv("AWS_ENDPOINT_URL_SQS");
    assert_int_equal(cm_sqs_open(&q, s3, NULL, err, sizeof(err)), 0);
    assert_string_equal(cm_sqs_endpoint(q), "http://127.0.0.1:9");
    cm_sqs_close(q);
    unsetenv("AWS_ENDPOINT_URL");
    assert_int_equal(cm_sqs_open(&q, s3, "ftp://x", err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "--endpoint-url: the SQS endpoint 'ftp://x'"));
    assert_int_equal(cm_sqs_open(&q, s3, "http://h/path", err, sizeof(err)), CM_EINVAL);
    cm_s3_close(s3);
}

static void test_locations(void **state)
{
    struct cm_sqs_loc l;
    char err[400];

    (void)state;
    assert_int_equal(cm_follow_sqs_parse("sqs://111122223333/trail-q", NULL, &l, err, sizeof(err)),
                     0);
    assert_string_equal(l.account, "111122223333");
    assert_string_equal(l.queue, "trail-q");
    assert_string_equal(l.prefix, "");
    assert_int_equal(l.visibility_s, CM_FOLLOW_SQS_VISIBILITY_S);
    assert_int_equal(cm_follow_sqs_parse("sqs://1/q.fifo/AWSLogs/o-1/?visibility=30", NULL, &l, err,
                                         sizeof(err)),
                     0);
    assert_string_equal(l.queue, "q.fifo");
    assert_string_equal(l.prefix, "AWSLogs/o-1/");
    assert_int_equal(l.visibility_s, 30);
    assert_int_equal(cm_follow_sqs_parse("sqs://acct/q", NULL, &l, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "sqs://ACCOUNT/QUEUE"));
    assert_int_equal(cm_follow_sqs_parse("sqs://1", NULL, &l, err, sizeof(err)), CM_EINVAL);
    assert_int_equal(cm_follow_sqs_parse("sqs://1/", NULL, &l, err, sizeof(err)), CM_EINVAL);
    assert_int_equal(cm_follow_sqs_parse("sqs://1/a b", NULL, &l, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "queue name"));
    assert_int_equal(cm_follow_sqs_parse("sqs://1/q?visibility=0", NULL, &l, err, sizeof(err)),
                     CM_EINVAL);
    assert_int_equal(cm_follow_sqs_parse("sqs://1/q?wait=3", NULL, &l, err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "?visibility=SECONDS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive),
        cmocka_unit_test(test_errors_and_retries),
        cmocka_unit_test(test_endpoint),
        cmocka_unit_test(test_locations),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
