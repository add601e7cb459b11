/*
 * The HTTP server (src/api/api_http.c) on 127.0.0.1 port 0, driven by
 * libcurl: headers, the body cap, query errors, /healthz and /metrics, and
 * SigV4 with libcurl's own signer (CURLOPT_AWS_SIGV4) as a client that is
 * not ours; the listen address checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "api_http_util.h"

static bool logging;         /* start() with log_requests */
static const char *extra[3]; /* more request headers for req(), NULL-ended */

/* One request as JSON, with the extra headers; sign: "KEY:SECRET" or NULL. Returns the status. */
static long req(const char *method, const char *path, const char *body, size_t body_len,
                const char *sign)
{
    const char *h[] = {"Content-Type: application/json", extra[0], extra[1], extra[2], NULL};

    return h_req(method, path, body, body_len, sign, h);
}

static int start(const struct cm_sigv4_cred *creds, size_t n, bool samples)
{
    struct cm_api_http_opts o = {
        .listen = "127.0.0.1:0", .creds = creds, .ncreds = n, .log_requests = logging};

    if (a_setup(NULL) != 0) {
        return -1;
    }
    /* Before the server starts: from then on its thread alone uses the store. */
    if (samples) {
        put_samples((const char *const[]){"Recon:EC2/PortProbeUnprotectedPort",
                                          "Backdoor:EC2/C&CActivity.B!DNS"},
                    2);
    }
    return h_start(&o);
}

static int setup_open(void **state)
{
    (void)state;
    return start(NULL, 0, false);
}

static int setup_samples(void **state)
{
    (void)state;
    return start(NULL, 0, true);
}

static int setup_logging(void **state)
{
    (void)state;
    logging = true;
    return start(NULL, 0, false);
}

static const struct cm_sigv4_cred creds[] = {{"AKIAIOSFODNN7EXAMPLE", "secret/key+1"}};

static int setup_signed(void **state)
{
    (void)state;
    return start(creds, 1, false);
}

static int teardown(void **state)
{
    logging = false;
    return h_stop(state);
}

static void test_headers_and_paths(void **state)
{
    char rid[64];
    const char *p;
    (void)state;

    assert_int_equal(req("GET", "/healthz", NULL, 0, NULL), 200);
    assert_string_equal(got.p, "ok\n");
    p = strstr(hdrs, "x-amzn-RequestId: ");
    assert_non_null(p);
    snprintf(rid, sizeof(rid), "%.36s", p + 18);
    assert_int_equal(req("GET", "/detector", NULL, 0, NULL), 200);
    assert_string_equal(got.p, "{\"detectorIds\":[\"" A_DET "\"]}");
    assert_non_null(strstr(hdrs, "Content-Type: application/json"));
    assert_null(strstr(hdrs, "X-Amzn-ErrorType"));
    assert_null(strstr(hdrs, rid)); /* a fresh id per request */
    /* The query reaches the handler decoded; an error carries X-Amzn-ErrorType. */
    assert_int_equal(req("GET", "/detector?maxResults=%35%31", NULL, 0, NULL), 400);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: BadRequestException"));
    assert_non_null(strstr(got.p, "maxResults"));
    assert_int_equal(req("GET", "/detector?maxResults=%zz", NULL, 0, NULL), 400);
    assert_non_null(strstr(got.p, "bad percent-escape"));
    assert_int_equal(req("GET", "/detector?maxResults=1", NULL, 0, NULL), 200);
    /* A percent-encoded path parameter. */
    assert_int_equal(req("GET", "/detector/c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a%31", NULL, 0, NULL),
                     200);
    assert_int_equal(req("POST", "/healthz", "", 0, NULL), 405);
    assert_int_equal(req("GET", "/nothing", NULL, 0, NULL), 404);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: ResourceNotFoundException"));
}

static void test_body_cap(void **state)
{
    size_t n = CM_API_MAX_BODY + 1;
    char *big = malloc(n);
    (void)state;

    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    assert_int_equal(req("POST", "/detector/" A_DET "/findings", big, n, NULL), 413);
    assert_non_null(strstr(got.p, "larger than 1048576 bytes"));
    /* At the cap it is read. */
    assert_int_equal(req("POST", "/detector/" A_DET "/findings", big, n - 1, NULL), 400);
    big[n - 2] = '}';
    assert_int_equal(req("POST", "/detector/" A_DET "/findings", big, n - 1, NULL), 200);
    free(big);
    /* The server still answers. */
    assert_int_equal(req("GET", "/healthz", NULL, 0, NULL), 200);
}

static void test_metrics(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/detector", NULL, 0, NULL), 200);
    assert_int_equal(req("GET", "/detector/x", NULL, 0, NULL), 400);
    assert_int_equal(req("GET", "/metrics", NULL, 0, NULL), 200);
    assert_non_null(strstr(hdrs, "Content-Type: text/plain; version=0.0.4"));
    assert_non_null(strstr(got.p, "# TYPE coalmine_api_requests_total counter\n"));
    assert_non_null(strstr(got.p, "coalmine_api_requests_total{code=\"200\",operation="
                                  "\"ListDetectors\"} 1\n"));
    assert_non_null(strstr(got.p, "coalmine_api_requests_total{code=\"400\",operation="
                                  "\"GetDetector\"} 1\n"));
    assert_non_null(strstr(got.p, "coalmine_store_findings_by_type{severity=\"High\",type="
                                  "\"Backdoor:EC2/C&CActivity.B!DNS\"} 1\n"));
    assert_non_null(strstr(got.p, "coalmine_store_findings_by_type{severity=\"Low\",type="
                                  "\"Recon:EC2/PortProbeUnprotectedPort\"} 1\n"));
    assert_non_null(strstr(got.p, "coalmine_store_archived_findings 0\n"));
    assert_non_null(strstr(got.p, "coalmine_store_outbox{state=\"pending\"} "));
    assert_non_null(strstr(got.p, "coalmine_store_deliveries{state=\"FAILED\"} 0\n"));
    assert_non_null(strstr(got.p, "coalmine_api_store_up 1\n"));
    assert_non_null(strstr(got.p, "coalmine_api_requests_in_flight 1\n"));
}

static void test_sigv4(void **state)
{
    (void)state;
    /* Health and metrics are not signed (probes, scrapers). */
    assert_int_equal(req("GET", "/healthz", NULL, 0, NULL), 200);
    assert_int_equal(req("GET", "/detector", NULL, 0, NULL), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: MissingAuthenticationTokenException"));
    assert_int_equal(
        req("GET", "/detector?maxResults=5", NULL, 0, "AKIAIOSFODNN7EXAMPLE:secret/key+1"), 200);
    assert_string_equal(got.p, "{\"detectorIds\":[\"" A_DET "\"]}");
    assert_int_equal(req("POST", "/detector/" A_DET "/findings", "{\"maxResults\":3}", 16,
                         "AKIAIOSFODNN7EXAMPLE:secret/key+1"),
                     200);
    assert_int_equal(req("GET", "/detector", NULL, 0, "AKIAIOSFODNN7EXAMPLE:wrong"), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: InvalidSignatureException"));
    assert_int_equal(req("GET", "/detector", NULL, 0, "AKIAIOSFODNN7EXAMPLX:secret/key+1"), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: UnrecognizedClientException"));
}

/* EventBridge's awsJson1_1 on the same port: X-Amz-Target, signed for "events". */
static void test_events_target(void **state)
{
    static const char *const key = "AKIAIOSFODNN7EXAMPLE:secret/key+1";
    (void)state;
    extra[0] = "X-Amz-Target: AWSEvents.ListRules";
    extra[1] = NULL;
    sign_service = "events";
    assert_int_equal(req("POST", "/", "{}", 2, key), 200);
    assert_non_null(strstr(hdrs, "Content-Type: application/x-amz-json-1.1"));
    assert_non_null(strstr(hdrs, "x-amzn-RequestId: "));
    assert_string_equal(got.p, "{\"Rules\":[]}");
    assert_int_equal(req("POST", "/", "{\"Name\":\"x\"}", 12, NULL), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: MissingAuthenticationTokenException"));
    extra[0] = "X-Amz-Target: AWSEvents.DescribeRule";
    assert_int_equal(req("POST", "/", "{\"Name\":\"x\"}", 12, key), 400);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: ResourceNotFoundException"));
    assert_non_null(strstr(got.p, "\"__type\":\"ResourceNotFoundException\""));
    /* Signed for the other protocol's service: refused, both ways. */
    sign_service = "guardduty";
    assert_int_equal(req("POST", "/", "{\"Name\":\"x\"}", 12, key), 403);
    extra[0] = NULL;
    sign_service = "events";
    assert_int_equal(req("GET", "/detector", NULL, 0, key), 403);
    sign_service = "guardduty";
    /* The operations are counted by their names. */
    assert_int_equal(req("GET", "/metrics", NULL, 0, NULL), 200);
    assert_non_null(strstr(got.p, "coalmine_api_requests_total{code=\"200\",operation="
                                  "\"ListRules\"} 1\n"));
    assert_non_null(strstr(got.p, "coalmine_api_requests_total{code=\"400\",operation="
                                  "\"DescribeRule\"} 1\n"));
}

static void test_listen_checks(void **state)
{
    struct sockaddr_storage ss;
    bool lo = false;
    char why[256];
    struct cm_api_http *h = NULL;
    struct cm_api_http_opts o = {.listen = "0.0.0.0:0", .ctx = &a_ctx};
    (void)state;

    assert_int_equal(cm_api_listen_parse("127.0.0.1:8787", &ss, &lo, why, sizeof(why)), 0);
    assert_true(lo);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8787);
    assert_int_equal(cm_api_listen_parse("[::1]:0", &ss, &lo, why, sizeof(why)), 0);
    assert_true(lo);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(cm_api_listen_parse("10.0.0.1:80", &ss, &lo, why, sizeof(why)), 0);
    assert_false(lo);
    assert_int_equal(cm_api_listen_parse("127.0.0.1", &ss, &lo, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "wants ADDR:PORT"));
    assert_int_equal(cm_api_listen_parse("127.0.0.1:65536", &ss, &lo, why, sizeof(why)), -1);
    assert_int_equal(cm_api_listen_parse("localhost:80", &ss, &lo, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not an IPv4 address"));
    assert_int_equal(cm_api_listen_parse("[::1:80", &ss, &lo, why, sizeof(why)), -1);
    assert_int_equal(cm_api_listen_parse("::1:80", &ss, &lo, why, sizeof(why)), -1);
    /* Without credentials, only loopback. */
    assert_int_equal(cm_api_http_start(&h, &o, why, sizeof(why)), CM_EINVAL);
    assert_non_null(strstr(why, "refusing to listen on 0.0.0.0:0 without credentials"));
    assert_null(h);
    /* With them it may; the port in use is an error. */
    o.creds = creds;
    o.ncreds = 1;
    assert_int_equal(cm_api_http_start(&h, &o, why, sizeof(why)), 0);
    cm_api_http_stop(h, 0);
    {
        char busy[64];
        snprintf(busy, sizeof(busy), "127.0.0.1:%u", cm_api_http_port(srv));
        o.listen = busy;
        assert_int_equal(cm_api_http_start(&h, &o, why, sizeof(why)), CM_EIO);
        assert_non_null(strstr(why, "cannot listen on"));
    }
}

/* --log-requests: a request line's control bytes (a terminal escape, a carriage return that
 * would draw a fake line over the real one) are logged as \\xHH, never raw. */
static void test_log_escapes(void **state)
{
    static const char line[] = "GET /det\x1b[2J\rcoalmine: GET /detector 200 ListDetectors"
                               "\x7f HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char logpath[600], log[4096] = "", reply[64];
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd, saved, lf;
    FILE *f;
    size_t n;
    (void)state;

    snprintf(logpath, sizeof(logpath), "%s/log", a_dir);
    lf = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(lf >= 0);
    fflush(stderr);
    saved = dup(2);
    assert_int_equal(dup2(lf, 2), 2);
    sa.sin_port = htons((uint16_t)cm_api_http_port(srv));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(write(fd, line, sizeof(line) - 1), (ssize_t)(sizeof(line) - 1));
    assert_true(read(fd, reply, sizeof(reply)) > 0);
    close(fd);
    cm_api_http_stop(srv, 1000); /* the log line is written before the answer completes */
    srv = NULL;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(lf);
    f = fopen(logpath, "r");
    assert_non_null(f);
    n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    log[n] = '\0';
    assert_non_null(strstr(log, "GET /det\\x1b[2J\\x0dcoalmine: GET /detector 200 "
                                "ListDetectors\\x7f 404"));
    assert_null(strchr(log, '\x1b'));
    assert_null(strchr(log, '\r'));
    assert_null(strchr(log, '\x7f'));
}

/* Without credentials a browser page of another origin (a cross-site "simple" POST) or
 * one whose name resolves to 127.0.0.1 (DNS rebinding) gets 403, and nothing changes;
 * the same origin, localhost and a client that sends no Origin are answered. */
static void test_browser_checks(void **state)
{
    static const char filter[] = "{\"name\":\"hide-all\",\"action\":\"ARCHIVE\","
                                 "\"findingCriteria\":{\"criterion\":{\"severity\":{\"gte\":0}}}}";
    char origin[64], host[64];
    (void)state;

    extra[0] = "Content-Type: text/plain";
    extra[1] = "Origin: https://evil.example";
    assert_int_equal(req("POST", "/detector/" A_DET "/filter", filter, strlen(filter), NULL), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: AccessDeniedException"));
    assert_non_null(strstr(got.p, "Origin 'https://evil.example' is not this server's"));
    extra[1] = "Origin: null";
    assert_int_equal(req("POST", "/detector/" A_DET "/filter", filter, strlen(filter), NULL), 403);
    extra[0] = extra[1] = NULL;
    assert_int_equal(req("GET", "/detector/" A_DET "/filter", NULL, 0, NULL), 200);
    assert_null(strstr(got.p, "hide-all"));
    snprintf(host, sizeof(host), "Host: rebound.evil.example:%u", cm_api_http_port(srv));
    extra[0] = host;
    assert_int_equal(req("GET", "/detector", NULL, 0, NULL), 403);
    assert_non_null(strstr(got.p, "is not a loopback name"));
    assert_int_equal(req("GET", "/metrics", NULL, 0, NULL), 403);
    snprintf(host, sizeof(host), "Host: localhost:%u", cm_api_http_port(srv));
    assert_int_equal(req("GET", "/detector", NULL, 0, NULL), 200);
    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%u", cm_api_http_port(srv));
    extra[0] = origin;
    assert_int_equal(req("POST", "/detector/" A_DET "/filter", filter, strlen(filter), NULL), 200);
    extra[0] = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_headers_and_paths, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_metrics, setup_samples, teardown),
        cmocka_unit_test_setup_teardown(test_sigv4, setup_signed, teardown),
        cmocka_unit_test_setup_teardown(test_events_target, setup_signed, teardown),
        cmocka_unit_test_setup_teardown(test_listen_checks, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_log_escapes, setup_logging, teardown),
        cmocka_unit_test_setup_teardown(test_browser_checks, setup_open, teardown),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
