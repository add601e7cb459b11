/*
 * The SQS client (src/aws/sqs.c) against a scripted HTTP server on 127.0.0.1 in this
 * process: ReceiveMessage POSTed to / with the JSON protocol's headers and signed for
 * "sqs" with the S3 client's credentials, its messages parsed; an error answer made a
 * message ("QueueDoesNotExist: ... (HTTP 400)") and not retried; a 500 retried; a batch's
 * failed entries; the endpoint from AWS_ENDPOINT_URL_SQS, a bad one refused. Also the
 * sqs:// locations (src/core/follow_sqs.c, cm_follow_sqs_parse), and a watched queue's
 * messages hidden again (cm_follow_sqs_keep) at half their visibility timeout by a fake
 * clock, not before, not after they are deleted, signed for the region of the queue's URL;
 * and by the keeper thread while nothing polls.
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
#include <time.h>

#include "aws/aws_config.h"
#include "aws/s3.h"
#include "aws/sqs.h"
#include "base/err.h"
#include "core/clock.h"
#include "core/follow_sqs.h"
#include "fake_http.h"

static struct cm_s3 *s3_client(void)
{
    struct cm_s3 *s3;
    char err[600];
    struct cm_aws_opts o = {"eu-west-1", NULL, NULL};

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

#define KEY                                                                                        \
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/"                                        \
    "111122223333_CloudTrail_us-east-1_20260105T0000Z_ab.json.gz"
#define NOTICE_ANSWER                                                                              \
    "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"h1\",\"Body\":"                      \
    "\"{\\\"Records\\\":[{\\\"eventSource\\\":\\\"aws:s3\\\",\\\"eventName\\\":"                   \
    "\\\"ObjectCreated:Put\\\",\\\"s3\\\":{\\\"bucket\\\":{\\\"name\\\":\\\"trail\\\"},"           \
    "\\\"object\\\":{\\\"key\\\":\\\"" KEY "\\\",\\\"size\\\":10,\\\"eTag\\\":"                    \
    "\\\"0123456789abcdef0123456789abcdef\\\"}}}]}\"}]}"
#define BATCH_OK "{\"Successful\":[{\"Id\":\"0\"}],\"Failed\":[]}"

static int found_n;

static int on_found(void *fud, const char *path, uint64_t size, const char *tag)
{
    (void)fud;
    (void)tag;
    assert_string_equal(path, "s3://trail/" KEY);
    assert_int_equal(size, 10);
    found_n++;
    return 0;
}

static struct cm_follow_sqs *watcher(struct cm_s3 *s3, struct server *srv, bool keeper)
{
    struct cm_follow_sqs *fs;
    struct cm_follow_sqs_opts o;
    static char ep[64]; /* kept by the watcher */
    char err[600] = "";

    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv->port);
    memset(&o, 0, sizeof(o));
    o.s3 = s3;
    o.endpoint_url = ep;
    o.poll_ms = 1000;
    o.quiet = true;
    o.no_keeper = !keeper;
    if (cm_follow_sqs_create(&fs, &o, err, sizeof(err)) != 0) {
        fail_msg("create: %s", err);
    }
    return fs;
}

/* The bookkeeping of hiding again, by a fake clock: at half the visibility (5 s of 10). */
static void test_keep(void **state)
{
    struct server srv = {.nsteps = 4};
    struct cm_s3 *s3 = s3_client();
    struct cm_follow_sqs *fs;
    /* The queue's AWS URL, with the fake server as the custom endpoint: signed for us-west-2. */
    const char *url = "https://sqs.us-west-2.amazonaws.com/111122223333/q/AWSLogs/?visibility=10";
    const int64_t t0 = 1767225600000LL;
    bool whole = false;

    (void)state;
    srv.steps[0] = (struct step){200, NULL, NOTICE_ANSWER};
    srv.steps[1] = (struct step){200, NULL, BATCH_OK};
    srv.steps[2] = (struct step){200, NULL, BATCH_OK};
    srv.steps[3] = (struct step){200, NULL, BATCH_OK};
    server_start(&srv);
    fs = watcher(s3, &srv, false);
    found_n = 0;
    assert_int_equal(cm_follow_sqs_list(fs, url, t0, on_found, NULL, &whole), 0);
    assert_int_equal(found_n, 1);
    assert_int_equal(fake_served(&srv), 1);
    assert_non_null(strstr(fake_req(&srv, 0), "x-amz-target: AmazonSQS.ReceiveMessage"));
    assert_non_null(strstr(fake_req(&srv, 0), "/us-west-2/sqs/aws4_request"));
    /* not yet half the visibility timeout: nothing sent */
    assert_int_equal(cm_follow_sqs_keep(fs, t0 + 4999), 0);
    assert_int_equal(fake_served(&srv), 1);
    /* half of it: hidden again, with the keeper's own connection, for the queue's region */
    assert_int_equal(cm_follow_sqs_keep(fs, t0 + 5000), 0);
    assert_int_equal(fake_served(&srv), 2);
    assert_non_null(
        strstr(fake_req(&srv, 1), "x-amz-target: AmazonSQS.ChangeMessageVisibilityBatch"));
    assert_non_null(strstr(fake_req(&srv, 1), "/us-west-2/sqs/aws4_request"));
    /* counted from then: not again at once, again 5 s later */
    assert_int_equal(cm_follow_sqs_keep(fs, t0 + 9999), 0);
    assert_int_equal(fake_served(&srv), 2);
    assert_int_equal(cm_follow_sqs_keep(fs, t0 + 10000), 0);
    assert_int_equal(fake_served(&srv), 3);
    /* read and deleted: never again */
    cm_follow_sqs_outcome(fs, "s3://trail/" KEY, CM_FOLLOW_SQS_READ, NULL);
    assert_int_equal(cm_follow_sqs_commit(fs), 0);
    assert_int_equal(fake_served(&srv), 4);
    assert_non_null(strstr(fake_req(&srv, 3), "x-amz-target: AmazonSQS.DeleteMessageBatch"));
    assert_int_equal(cm_follow_sqs_keep(fs, t0 + 1000000), 0);
    assert_int_equal(fake_served(&srv), 4);
    assert_int_equal(cm_follow_sqs_stats(fs)->requests, 4);
    assert_int_equal(cm_follow_sqs_stats(fs)->errors, 0);
    assert_int_equal(cm_follow_sqs_stats(fs)->deleted, 1);
    cm_follow_sqs_destroy(fs);
    cm_s3_close(s3);
    server_stop(&srv);
}

/* The keeper thread hides a message again while nothing polls (a long scan of its batch). */
static void test_keeper_thread(void **state)
{
    struct server srv = {.nsteps = 6};
    struct cm_s3 *s3 = s3_client();
    struct cm_follow_sqs *fs;
    char url[128];
    bool whole = false;

    (void)state;
    srv.steps[0] = (struct step){200, NULL, NOTICE_ANSWER};
    for (int i = 1; i < 6; i++) {
        srv.steps[i] = (struct step){200, NULL, BATCH_OK};
    }
    server_start(&srv);
    fs = watcher(s3, &srv, true);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/111122223333/q?visibility=1", srv.port);
    found_n = 0;
    assert_int_equal(cm_follow_sqs_list(fs, url, cm_clock_now_ms(), on_found, NULL, &whole), 0);
    assert_int_equal(found_n, 1);
    /* no poll, no call: the keeper alone sends ChangeMessageVisibilityBatch (within 60 s) */
    for (int i = 0; i < 6000 && fake_served(&srv) < 2; i++) {
        struct timespec ts = {0, 10 * 1000000L};

        nanosleep(&ts, NULL);
    }
    assert_true(fake_served(&srv) >= 2);
    assert_non_null(
        strstr(fake_req(&srv, 1), "x-amz-target: AmazonSQS.ChangeMessageVisibilityBatch"));
    assert_non_null(strstr(fake_req(&srv, 1), "/eu-west-1/sqs/aws4_request"));
    cm_follow_sqs_destroy(fs); /* stops and joins it */
    cm_s3_close(s3);
    server_stop(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive),  cmocka_unit_test(test_errors_and_retries),
        cmocka_unit_test(test_endpoint), cmocka_unit_test(test_locations),
        cmocka_unit_test(test_keep),     cmocka_unit_test(test_keeper_thread),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
