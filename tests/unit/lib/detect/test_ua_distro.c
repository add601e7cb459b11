/*
 * Unit tests for lib/detect/ua_distro.c: user agents of the AWS CLI v1/v2,
 * boto3/botocore, Terraform and the Go, Java and JavaScript SDKs run on
 * Kali, Parrot and Pentoo (each way the distribution shows: md/distrib#,
 * exe/ platform suffix, kernel release, os/ metadata) and on ordinary
 * systems; console and service agents; words that merely contain a name;
 * every boundary byte of the token rule; case; slices that are not
 * NUL-terminated; and the absent user agent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "detect/ct.h"

struct ua_case {
    const char *ua;
    enum cm_pentest_distro want;
};

static const struct ua_case cases[] = {
    /* Kali. */
    {"aws-cli/2.15.22 Python/3.11.6 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off",
     CM_DISTRO_KALI},
    {"aws-cli/2.13.0 Python/3.11.4 Linux/6.3.0-kali1-amd64 exe/x86_64.kali.2023 "
     "md/distrib#kali.2023 prompt/off command/s3.ls",
     CM_DISTRO_KALI},
    {"aws-cli/2.13.0 md/distrib#kali.2023 md/installer#source", CM_DISTRO_KALI},
    {"Boto3/1.28 Python/3.11 Linux/6.5.0-kali3-amd64 Botocore/1.31", CM_DISTRO_KALI},
    {"Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 "
     "lang/python#3.11.8 md/pyimpl#CPython md/distrib#kali.2024 cfg/retry-mode#legacy "
     "Botocore/1.34.34",
     CM_DISTRO_KALI},
    {"aws-cli/1.29.62 Python/3.11.5 Linux/6.5.0-kali2-amd64 botocore/1.31.62", CM_DISTRO_KALI},
    {"APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) "
     "terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
     "aws-sdk-go/1.49.13 (go1.21.5; linux; amd64) os/linux#6.6.9-kali1",
     CM_DISTRO_KALI},
    {"aws-sdk-go-v2/1.24.0 os/linux#6.5.0-KALI3-AMD64 lang/go#1.21.5 md/GOOS#linux "
     "md/GOARCH#amd64 api/sts#1.26.6",
     CM_DISTRO_KALI},
    {"aws-sdk-java/1.12.600 Linux/6.6.9-kali1-amd64 OpenJDK_64-Bit_Server_VM/17.0.9+9 "
     "java/17.0.9 vendor/Debian",
     CM_DISTRO_KALI},
    {"aws-sdk-js/3.490.0 ua/2.0 os/linux#6.6.9-amd64 lang/js md/nodejs#18.19.0 "
     "api/s3#3.490.0 md/distrib#Kali",
     CM_DISTRO_KALI},
    {"Kali", CM_DISTRO_KALI},
    {"(kali)", CM_DISTRO_KALI},
    {"python-requests/2.31 (Kali;linux)", CM_DISTRO_KALI},
    {"aws-cli/2.9 os/linux_kali_rolling", CM_DISTRO_KALI},
    /* Parrot. */
    {"aws-cli/1.22.34 Python/3.9.2 Linux/6.1.0-1parrot1-amd64 botocore/1.23.34", CM_DISTRO_PARROT},
    {"aws-cli/2.9.0 md/distrib#parrot.5 md/installer#exe prompt/off", CM_DISTRO_PARROT},
    {"Boto3/1.26.0 Python/3.9.2 Linux/5.18.0-14parrot1-amd64 Botocore/1.29.0", CM_DISTRO_PARROT},
    {"aws-sdk-go/1.44.0 (go1.19.8; linux; amd64) os/linux#6.0.0-12parrot1-amd64", CM_DISTRO_PARROT},
    {"aws-cli/2.11.0 Python/3.11.2 Linux/6.1.0-1parrot1-amd64 exe/x86_64.parrot.5 prompt/off",
     CM_DISTRO_PARROT},
    {"PARROT", CM_DISTRO_PARROT},
    /* Pentoo. */
    {"aws-cli/2.11 os/linux#6.1.31-pentoo md/distrib#pentoo", CM_DISTRO_PENTOO},
    {"aws-cli/2.11.20 Python/3.11.3 Linux/6.1.31-pentoo exe/x86_64.pentoo.2023", CM_DISTRO_PENTOO},
    {"Boto3/1.26.137 Python/3.10.11 Linux/6.3.4-pentoo Botocore/1.29.137", CM_DISTRO_PENTOO},
    {"aws-sdk-java/2.20.0 Linux/6.1.31-Pentoo OpenJDK_64-Bit_Server_VM/17.0.7+7 Java/17.0.7",
     CM_DISTRO_PENTOO},
    {"distrib#pentoo", CM_DISTRO_PENTOO},
    /* The first name that stands as a token wins. */
    {"aws-cli/2.9 md/distrib#parrot.5 Linux/6.1.0-kali7-amd64", CM_DISTRO_PARROT},
    {"kalimba/1.0 md/distrib#pentoo", CM_DISTRO_PENTOO},

    /* Ordinary systems. */
    {"aws-cli/2.15.22 Python/3.11.6 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off",
     CM_DISTRO_NONE},
    {"aws-cli/2.13.0 Python/3.11.4 Linux/6.1.0-13-amd64 exe/x86_64.debian.12 "
     "md/distrib#debian.12",
     CM_DISTRO_NONE},
    {"aws-cli/2.13.0 Python/3.11.4 Linux/6.1.55-75.123.amzn2023.x86_64 exe/x86_64.amzn.2023",
     CM_DISTRO_NONE},
    {"aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0 exe/x86_64 prompt/off command/sts.get-caller-id",
     CM_DISTRO_NONE},
    {"aws-cli/2.15.0 Python/3.11.6 Windows/10 exe/AMD64 prompt/off", CM_DISTRO_NONE},
    {"aws-cli/1.18.147 Python/2.7.18 Linux/4.14.186-146.268.amzn2.x86_64 botocore/1.18.6",
     CM_DISTRO_NONE},
    {"Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#5.15.0-91-generic md/arch#x86_64 "
     "lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.34",
     CM_DISTRO_NONE},
    {"Boto3/1.28.0 Python/3.11.4 Darwin/22.5.0 Botocore/1.31.0", CM_DISTRO_NONE},
    {"APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) "
     "terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
     "aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)",
     CM_DISTRO_NONE},
    {"aws-sdk-go-v2/1.24.0 os/windows lang/go#1.21.5 md/GOOS#windows md/GOARCH#amd64",
     CM_DISTRO_NONE},
    {"aws-sdk-java/1.12.600 Mac_OS_X/14.2 OpenJDK_64-Bit_Server_VM/17.0.9+9 java/17.0.9",
     CM_DISTRO_NONE},
    {"aws-sdk-js/3.490.0 ua/2.0 os/darwin#23.2.0 lang/js md/nodejs#20.10.0 api/s3#3.490.0",
     CM_DISTRO_NONE},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     CM_DISTRO_NONE},
    /* Console and services. */
    {"signin.amazonaws.com", CM_DISTRO_NONE},
    {"AWS Internal", CM_DISTRO_NONE},
    {"[S3Console/0.4]", CM_DISTRO_NONE},
    {"console.amazonaws.com", CM_DISTRO_NONE},
    {"cloudtrail.amazonaws.com", CM_DISTRO_NONE},
    /* Words that merely contain a name. */
    {"kalimba/1.0", CM_DISTRO_NONE},
    {"parrots", CM_DISTRO_NONE},
    {"pentootle", CM_DISTRO_NONE},
    {"aws-cli/2.9 Linux/6.1 exe/x86_64 md/command#s3.cp /home/kalimero/dump", CM_DISTRO_NONE},
    {"aws-cli/2.9 /home/Kalinda/bin", CM_DISTRO_NONE},
    {"Boto3/1.28 Python/3.11 Linux/6.5.0-okali3-amd64", CM_DISTRO_NONE},
    {"my-tool/1.0 (skali; linux)", CM_DISTRO_NONE},
    {"sparrot/2.0", CM_DISTRO_NONE},
    {"aws-cli/2.9 md/distrib#kalilinux", CM_DISTRO_NONE},
    {"aws-cli/2.9 parrotsec/5.3", CM_DISTRO_NONE},
    {"pentoos", CM_DISTRO_NONE},
    /* A program named after a distribution runs on any system. */
    {"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 "
     "lang/python#3.11.2 md/pyimpl#CPython md/distrib#debian.12 Botocore/1.34.69 "
     "parrot-notifier/0.3",
     CM_DISTRO_NONE},
    {"kali/1.0", CM_DISTRO_NONE},
    {"aws-sdk-go/1.44.0 (go1.19.8; linux; amd64) Parrot_Sync/2.1", CM_DISTRO_NONE},
    {"pentoo-tools/3 Linux/6.1.0-1parrot1-amd64", CM_DISTRO_PARROT},
    {"Kali 2024.1", CM_DISTRO_KALI},
    {"kal", CM_DISTRO_NONE},
    {"parro", CM_DISTRO_NONE},
    {"pento", CM_DISTRO_NONE},
    {"k", CM_DISTRO_NONE},
    {"", CM_DISTRO_NONE},
    /* Bytes the rule does not list around the name. */
    {"os=kali", CM_DISTRO_NONE},
    {"os:kali", CM_DISTRO_NONE},
    {"\"kali\"", CM_DISTRO_NONE},
    {"kali,linux", CM_DISTRO_NONE},
    {"kali+linux", CM_DISTRO_NONE},
    {"[kali]", CM_DISTRO_NONE},
    {"@kali", CM_DISTRO_NONE},
    {"\tkali", CM_DISTRO_NONE},
};

static void test_user_agents(void **state)
{
    size_t pos = 0, neg = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum cm_pentest_distro got = cm_ua_distro(cm_str_cstr(cases[i].ua));

        if (got != cases[i].want) {
            print_error("user agent %zu \"%s\": got %d, want %d\n", i, cases[i].ua, (int)got,
                        (int)cases[i].want);
        }
        assert_int_equal(got, cases[i].want);
        if (cases[i].want != CM_DISTRO_NONE) {
            pos++;
        } else {
            neg++;
        }
    }
    assert_true(pos >= 25 && neg >= 30);
}

/*
 * Every byte before and after "kali": exactly the rule's bytes make it a token. At the
 * start of a product token, '/', '-' and '_' after it make it a program's name instead.
 */
static void test_boundaries(void **state)
{
    static const char before_ok[] = "#./-_ (;0123456789";
    static const char after_ok[] = ".-_ /);0123456789";
    (void)state;

    for (int c = 1; c < 256; c++) {
        char s[16];
        bool ok_before = strchr(before_ok, c) != NULL;
        bool ok_after = strchr(after_ok, c) != NULL;

        s[0] = (char)c;
        memcpy(s + 1, "kali", 4);
        assert_int_equal(cm_ua_distro(cm_str_make(s, 5)) == CM_DISTRO_KALI, ok_before);
        memcpy(s, "#kali", 5);
        s[5] = (char)c;
        assert_int_equal(cm_ua_distro(cm_str_make(s, 6)) == CM_DISTRO_KALI, ok_after);
        memcpy(s, "kali", 4);
        s[4] = (char)c;
        assert_int_equal(cm_ua_distro(cm_str_make(s, 5)) == CM_DISTRO_KALI,
                         ok_after && strchr("/-_", c) == NULL);
        memcpy(s, "x PenToo", 8);
        s[8] = (char)c;
        assert_int_equal(cm_ua_distro(cm_str_make(s, 9)) == CM_DISTRO_PENTOO,
                         ok_after && strchr("/-_", c) == NULL);
    }
    /* A NUL byte is not a separator either. */
    assert_int_equal(cm_ua_distro(cm_str_make("x\0kali", 6)), CM_DISTRO_NONE);
    assert_int_equal(cm_ua_distro(cm_str_make("kali\0x", 6)), CM_DISTRO_NONE);
}

static void test_case(void **state)
{
    static const char *const kali[] = {"kali", "KALI", "Kali", "kAlI", "KaLi"};
    static const char *const parrot[] = {"parrot", "PARROT", "Parrot", "pArRoT"};
    (void)state;

    for (size_t i = 0; i < sizeof(kali) / sizeof(kali[0]); i++) {
        char ua[64];

        snprintf(ua, sizeof(ua), "aws-cli/2.9 md/distrib#%s.2024", kali[i]);
        assert_int_equal(cm_ua_distro(cm_str_cstr(ua)), CM_DISTRO_KALI);
    }
    for (size_t i = 0; i < sizeof(parrot) / sizeof(parrot[0]); i++) {
        char ua[64];

        snprintf(ua, sizeof(ua), "Linux/6.1.0-1%s1-amd64", parrot[i]);
        assert_int_equal(cm_ua_distro(cm_str_cstr(ua)), CM_DISTRO_PARROT);
    }
    /* Non-ASCII look-alikes are not folded. */
    assert_int_equal(cm_ua_distro(cm_str_cstr("md/distrib#k\xc3\xa0li")), CM_DISTRO_NONE);
}

static void test_slices(void **state)
{
    const char *s = "md/distrib#kalimba";
    (void)state;

    /* The slice ends right after the name: the end of the string, so a token. */
    assert_int_equal(cm_ua_distro(cm_str_make(s, 15)), CM_DISTRO_KALI);
    assert_int_equal(cm_ua_distro(cm_str_make(s, 16)), CM_DISTRO_NONE);
    /* A name cut by the slice's end is nothing. */
    assert_int_equal(cm_ua_distro(cm_str_make(s, 14)), CM_DISTRO_NONE);
    /* The slice starts at the name. */
    assert_int_equal(cm_ua_distro(cm_str_make(s + 11, 4)), CM_DISTRO_KALI);
    assert_int_equal(cm_ua_distro(cm_str_make(s + 12, 3)), CM_DISTRO_NONE);
    /* Absent and empty. */
    assert_int_equal(cm_ua_distro(CM_STR_NULL), CM_DISTRO_NONE);
    assert_int_equal(cm_ua_distro(cm_str_make(NULL, 10)), CM_DISTRO_NONE);
    assert_int_equal(cm_ua_distro(cm_str_make(s, 0)), CM_DISTRO_NONE);
}

/* A long agent of near misses is still nothing, and a name at its very end is found. */
static void test_long(void **state)
{
    static char ua[1 << 16];
    size_t n = 0;
    (void)state;

    while (n + 32 < sizeof(ua)) {
        memcpy(ua + n, "kalimba parrots pentootle kal ", 30);
        n += 30;
    }
    assert_int_equal(cm_ua_distro(cm_str_make(ua, n)), CM_DISTRO_NONE);
    memcpy(ua + n, "kali", 4);
    assert_int_equal(cm_ua_distro(cm_str_make(ua, n + 4)), CM_DISTRO_KALI);
}

/*
 * Each name, in three cases, at every offset of agents long enough to be read 16 bytes at
 * a time: found in every lane and across every block boundary; with its second letter
 * changed (what the block scan's filter looks at) or its last, nothing.
 */
static void test_every_offset(void **state)
{
    static const struct {
        const char *name;
        enum cm_pentest_distro want;
    } names[] = {
        {"kali", CM_DISTRO_KALI},     {"KALI", CM_DISTRO_KALI},     {"Kali", CM_DISTRO_KALI},
        {"parrot", CM_DISTRO_PARROT}, {"PARROT", CM_DISTRO_PARROT}, {"pArRoT", CM_DISTRO_PARROT},
        {"pentoo", CM_DISTRO_PENTOO}, {"PENTOO", CM_DISTRO_PENTOO}, {"Pentoo", CM_DISTRO_PENTOO}};
    char ua[96];
    (void)state;

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        size_t len = strlen(names[k].name);

        for (size_t at = 0; at + len <= 80; at++) {
            for (size_t tail = 0; tail < 3; tail++) {
                size_t n = at + len + (tail == 0 ? 0 : 80 - at - len);
                struct cm_str s = cm_str_make(ua, n);

                memset(ua, 'x', sizeof(ua));
                if (at > 0) {
                    ua[at - 1] = '/';
                }
                memcpy(ua + at, names[k].name, len);
                if (tail != 0 && n > at + len) {
                    ua[at + len] = tail == 1 ? '.' : ' ';
                }
                assert_int_equal(cm_ua_distro(s), names[k].want);
                ua[at + 1] = 'o'; /* "ko..", "po..": not a name */
                assert_int_equal(cm_ua_distro(s), CM_DISTRO_NONE);
                ua[at + 1] = names[k].name[1];
                ua[at + len - 1] = 'x';
                assert_int_equal(cm_ua_distro(s), CM_DISTRO_NONE);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_agents), cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_case),        cmocka_unit_test(test_slices),
        cmocka_unit_test(test_long),        cmocka_unit_test(test_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
