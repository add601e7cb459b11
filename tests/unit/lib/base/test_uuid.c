/* Unit tests for lib/base/uuid.c: version 4 UUIDs in text form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "base/uuid.h"

/* Every byte kept but the version's high nibble and the variant's two high bits. */
static void test_format(void **state)
{
    static const unsigned char b[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                        0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    unsigned char r[16];
    char u[37];

    (void)state;
    cm_uuid_format(b, u);
    assert_string_equal(u, "01234567-89ab-4def-bedc-ba9876543210");
    memset(r, 0xff, sizeof(r));
    cm_uuid_format(r, u);
    assert_string_equal(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    memset(r, 0, sizeof(r));
    cm_uuid_format(r, u);
    assert_string_equal(u, "00000000-0000-4000-8000-000000000000");
}

/* Two hashes, most significant byte first: the same bits as the bytes they make. */
static void test_of_hashes(void **state)
{
    char u[37];

    (void)state;
    cm_uuid_of_hashes(0x0123456789abcdefULL, 0xfedcba9876543210ULL, u);
    assert_string_equal(u, "01234567-89ab-4def-bedc-ba9876543210");
    cm_uuid_of_hashes(0, UINT64_MAX, u);
    assert_string_equal(u, "00000000-0000-4000-bfff-ffffffffffff");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_of_hashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
