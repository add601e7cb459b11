/*
 * The browser checks of a server without credentials (src/api/api_local.c):
 * loopback Host names (IPv4, IPv6, localhost, with and without a port) pass,
 * any other name (a DNS rebinding) and malformed ones are refused; an Origin
 * passes only when it is http:// and the request's own Host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/api_local.h"

static void test_hosts(void **state)
{
    static const char *const good[] = {"127.0.0.1:8787", "127.0.0.1", "127.1.2.3:1",
                                       "[::1]:8787",     "[::1]",     "localhost:8787",
                                       "LOCALHOST",      "localhost."};
    static const char *const bad[] = {"evil.example:8787",
                                      "evil.example",
                                      "10.0.0.1:8787",
                                      "0.0.0.0:8787",
                                      "[::ffff:127.0.0.1]:8787",
                                      "[::]:8787",
                                      "localhost.evil.example",
                                      "127.0.0.1.evil.example:80",
                                      "127.0.0.1:80x",
                                      "127.0.0.1:",
                                      "[::1]x",
                                      "[::1",
                                      ":8787",
                                      ""};
    char why[512];
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(cm_api_local_ok(good[i], NULL, why, sizeof(why)));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        assert_false(cm_api_local_ok(bad[i], NULL, why, sizeof(why)));
        assert_non_null(strstr(why, "is not a loopback name"));
    }
    assert_true(cm_api_local_ok(NULL, NULL, why, sizeof(why))); /* HTTP/1.0 */
}

static void test_origins(void **state)
{
    char why[512];
    (void)state;

    assert_true(cm_api_local_ok("127.0.0.1:8787", "http://127.0.0.1:8787", why, sizeof(why)));
    assert_true(cm_api_local_ok("localhost:8787", "HTTP://LOCALHOST:8787", why, sizeof(why)));
    assert_true(cm_api_local_ok("[::1]:8787", "http://[::1]:8787", why, sizeof(why)));
    assert_false(cm_api_local_ok("127.0.0.1:8787", "https://evil.example", why, sizeof(why)));
    assert_non_null(strstr(why, "Origin 'https://evil.example' is not this server's"));
    assert_false(cm_api_local_ok("127.0.0.1:8787", "null", why, sizeof(why)));
    assert_false(cm_api_local_ok("127.0.0.1:8787", "http://127.0.0.1:3000", why, sizeof(why)));
    assert_false(cm_api_local_ok("localhost:8787", "http://127.0.0.1:8787", why, sizeof(why)));
    assert_false(cm_api_local_ok("127.0.0.1:8787", "https://127.0.0.1:8787", why, sizeof(why)));
    assert_false(cm_api_local_ok("127.0.0.1:8787", "", why, sizeof(why)));
    assert_false(cm_api_local_ok(NULL, "http://127.0.0.1:8787", why, sizeof(why)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_origins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
