/*
 * The connect-time guard (src/net/net_guard.c): the address classifier on the
 * edges of 169.254.0.0/16, fe80::/10, the EC2 IPv6 metadata address and the
 * IPv4-mapped and NAT64 forms; the libcurl hook refusing a literal metadata
 * URL and a name pinned (CURLOPT_RESOLVE, as a rebinding DNS answer would) to
 * 169.254.169.254 without opening a socket for it, naming the address, while
 * loopback still connects; librdkafka's connect callback likewise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net_guard.h"

static bool refused4(const char *ip)
{
    struct sockaddr_in a = {.sin_family = AF_INET};

    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return cm_net_addr_refused((struct sockaddr *)&a);
}

static bool refused6(const char *ip)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};

    assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
    return cm_net_addr_refused((struct sockaddr *)&a);
}

static void test_classifier(void **state)
{
    (void)state;
    assert_true(refused4("169.254.169.254"));
    assert_true(refused4("169.254.0.0"));
    assert_true(refused4("169.254.255.255"));
    assert_false(refused4("169.253.255.255"));
    assert_false(refused4("169.255.0.0"));
    assert_false(refused4("127.0.0.1"));
    assert_false(refused4("10.0.0.1"));
    assert_true(refused6("fd00:ec2::254"));
    assert_false(refused6("fd00:ec2::253"));
    assert_true(refused6("fe80::1"));
    assert_true(refused6("febf::1"));
    assert_false(refused6("fec0::1"));
    assert_true(refused6("::ffff:169.254.169.254"));
    assert_false(refused6("::ffff:127.0.0.1"));
    assert_true(refused6("64:ff9b::169.254.169.254"));
    assert_false(refused6("64:ff9b::8.8.8.8"));
    assert_false(refused6("::1"));
    assert_false(cm_net_addr_refused(NULL));
}

static void test_text(void **state)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    struct sockaddr s = {.sa_family = AF_UNIX};
    char out[64];
    (void)state;

    inet_pton(AF_INET6, "fd00:ec2::254", &a.sin6_addr);
    cm_net_addr_text((struct sockaddr *)&a, out, sizeof(out));
    assert_string_equal(out, "fd00:ec2::254");
    cm_net_addr_text(&s, out, sizeof(out));
    assert_string_equal(out, "?");
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int listener(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t n = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Connects only (no request) to url under the guard, with resolve (may be NULL) pinned. */
static CURLcode connect_to(const char *url, const char *resolve, struct cm_net_guard *g)
{
    struct curl_slist *pin = resolve ? curl_slist_append(NULL, resolve) : NULL;
    CURL *h = curl_easy_init();
    CURLcode rc;

    assert_non_null(h);
    assert_int_equal(cm_net_guard_curl(h, g), 0);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (pin != NULL) {
        curl_easy_setopt(h, CURLOPT_RESOLVE, pin);
    }
    rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    curl_slist_free_all(pin);
    return rc;
}

static void test_curl_hook(void **state)
{
    struct cm_net_guard g;
    char url[128], why[200];
    int port, fd = listener(&port);
    (void)state;

    /* A literal metadata address: refused, no socket opened, the address named. */
    memset(&g, 'x', sizeof(g));
    assert_int_equal(connect_to("http://169.254.169.254:80/latest/", NULL, &g),
                     CURLE_COULDNT_CONNECT);
    assert_string_equal(g.refused, "169.254.169.254");
    assert_true(cm_net_guard_why(&g, why, sizeof(why)));
    assert_non_null(strstr(why, "169.254.169.254"));
    assert_non_null(strstr(why, "link-local or instance metadata"));

    /* A name that resolves there when the connection is made (rebinding). */
    snprintf(url, sizeof(url), "http://rebind.test:%d/", port);
    snprintf(why, sizeof(why), "rebind.test:%d:169.254.169.254", port);
    assert_int_equal(connect_to(url, why, &g), CURLE_COULDNT_CONNECT);
    assert_string_equal(g.refused, "169.254.169.254");

    /* IPv6 metadata pinned the same way. */
    snprintf(why, sizeof(why), "rebind.test:%d:[fd00:ec2::254]", port);
    assert_int_equal(connect_to(url, why, &g), CURLE_COULDNT_CONNECT);
    assert_string_equal(g.refused, "fd00:ec2::254");

    /* The same name on loopback connects, and nothing is refused. */
    snprintf(why, sizeof(why), "rebind.test:%d:127.0.0.1", port);
    assert_int_equal(connect_to(url, why, &g), CURLE_OK);
    assert_string_equal(g.refused, "");
    assert_false(cm_net_guard_why(&g, why, sizeof(why)));
    close(fd);
}

static void test_connect_cb(void **state)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    int port, lfd = listener(&port), fd;
    (void)state;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "169.254.169.254", &a.sin_addr);
    a.sin_port = htons(9092);
    assert_int_equal(cm_net_guard_connect(fd, (struct sockaddr *)&a, sizeof(a)), EACCES);
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    a.sin_port = htons((uint16_t)port);
    assert_int_equal(cm_net_guard_connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    close(fd);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classifier),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_curl_hook),
        cmocka_unit_test(test_connect_cb),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
