/*
 * cm_flow_read_uint (lib/parse/flow_scan.c), the flow parsers' number reader,
 * against a plain reference: digits only, the value or "out of range" past
 * 2^64 - 1 or max, "not a number" for an empty text or any other byte (which
 * wins over range). Random texts of every length up to 24 (all digits, leading
 * zeros, a stray byte anywhere, bytes just below '0' and above '9'), each read
 * with 0, 8, 16 and 40 bytes readable (the short, scalar and eight-at-a-time
 * paths) and several maxima, must give the same code and value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "parse/flow_scan.h"

static uint32_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

static int reference(const char *p, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    bool over = false;

    if (len == 0) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return CM_EINVAL;
        }
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');

        if (v > (UINT64_MAX - d) / 10) {
            over = true;
            break;
        }
        v = v * 10 + d;
    }
    if (over || v > max) {
        return CM_ERANGE;
    }
    *out = v;
    return CM_OK;
}

static void test_agrees_with_reference(void **state)
{
    static const uint64_t maxima[] = {UINT64_MAX, 255,      65535,
                                      UINT32_MAX, 99999999, 9999999999999999ULL};
    static const char stray[] = {'/', ':', ' ', '-', 'a', '\0', (char)0xb0};
    static const size_t readable[] = {0, 8, 16, 40};
    char buf[64];
    uint64_t rng = 0x853c49e6748fea9bULL;
    unsigned ok = 0, range = 0, inval = 0;

    (void)state;
    for (int round = 0; round < 200000; round++) {
        size_t len = next(&rng) % 25;
        uint32_t shape = next(&rng) % 8;

        for (size_t i = 0; i < sizeof(buf); i++) {
            buf[i] = (char)('0' + next(&rng) % 10); /* what lies after the text: digits */
        }
        if (shape == 0) {
            memset(buf, '0', len / 2); /* leading zeros */
        } else if (shape == 1) {
            memset(buf, '9', len); /* at and past 2^64 - 1 */
        } else if (shape == 2 && len > 0) {
            buf[next(&rng) % len] = stray[next(&rng) % sizeof(stray)];
        }
        if (shape == 3 && len >= 20) {
            memcpy(buf + len - 20, "18446744073709551615", 20); /* 2^64 - 1 exactly */
            if (next(&rng) % 2) {
                buf[len - 1] = '6';
            }
            memset(buf, '0', len - 20);
        }
        for (size_t m = 0; m < sizeof(maxima) / sizeof(maxima[0]); m++) {
            for (size_t r = 0; r < sizeof(readable) / sizeof(readable[0]); r++) {
                uint64_t want = 7, got = 7;
                size_t rd = readable[r] > len ? readable[r] : len;
                int wrc = reference(buf, len, maxima[m], &want);
                int grc = cm_flow_read_uint(buf, len, readable[r] ? rd : 0, maxima[m], &got);

                if (wrc != grc || want != got) {
                    fail_msg("\"%.*s\" max %llu readable %zu: got %d %llu, want %d %llu", (int)len,
                             buf, (unsigned long long)maxima[m], readable[r], grc,
                             (unsigned long long)got, wrc, (unsigned long long)want);
                }
                ok += wrc == CM_OK;
                range += wrc == CM_ERANGE;
                inval += wrc == CM_EINVAL;
            }
        }
    }
    assert_true(ok > 100000);
    assert_true(range > 10000);
    assert_true(inval > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
