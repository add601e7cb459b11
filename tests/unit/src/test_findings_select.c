/*
 * Unit tests for the selection flags of `coalmine findings`: time arguments,
 * and the FindingCriteria built from the shortcut flags (what it selects,
 * and the default "current findings only" unless the user's criteria name
 * service.archived).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "cli/findings_cli.h"
#include "finding/criteria.h"

#define NOW 1764547200000LL /* 2025-12-01T00:00:00Z */

static void test_time(void **state)
{
    int64_t ms;
    (void)state;

    assert_int_equal(cm_cli_parse_time("1764547200000", NOW, &ms), 0);
    assert_int_equal(ms, NOW);
    assert_int_equal(cm_cli_parse_time("2025-12-01T00:00:00Z", NOW, &ms), 0);
    assert_int_equal(ms, NOW);
    assert_int_equal(cm_cli_parse_time("2025-12-01", NOW, &ms), 0);
    assert_int_equal(ms, NOW);
    assert_int_equal(cm_cli_parse_time("2025-12-01T01:00:00+01:00", NOW, &ms), 0);
    assert_int_equal(ms, NOW);
    assert_int_equal(cm_cli_parse_time("90s", NOW, &ms), 0);
    assert_int_equal(ms, NOW - 90000);
    assert_int_equal(cm_cli_parse_time("30m", NOW, &ms), 0);
    assert_int_equal(ms, NOW - 1800000);
    assert_int_equal(cm_cli_parse_time("24h", NOW, &ms), 0);
    assert_int_equal(ms, NOW - 86400000);
    assert_int_equal(cm_cli_parse_time("7d", NOW, &ms), 0);
    assert_int_equal(ms, NOW - 7 * 86400000LL);
    assert_int_equal(cm_cli_parse_time("2w", NOW, &ms), 0);
    assert_int_equal(ms, NOW - 14 * 86400000LL);
    assert_int_equal(cm_cli_parse_time("", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("h", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("5x", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("-5d", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("2025-13-01", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("99999999999d", NOW, &ms), -1); /* before the epoch */
    assert_int_equal(cm_cli_parse_time("yesterday", NOW, &ms), -1);
}

/* ISO 8601 as people type it: no seconds (gen --start's form), a space for T. */
static void test_time_short_forms(void **state)
{
    int64_t ms = 7;
    (void)state;

    assert_int_equal(cm_cli_parse_time("2025-12-01T00:00Z", NOW, &ms), 0);
    assert_int_equal(ms, NOW);
    assert_int_equal(cm_cli_parse_time("2025-12-01 01:30:00Z", NOW, &ms), 0);
    assert_int_equal(ms, NOW + 5400000);
    assert_int_equal(cm_cli_parse_time("2025-12-01 01:30+01:00", NOW, &ms), 0);
    assert_int_equal(ms, NOW + 1800000);
    assert_int_equal(cm_cli_parse_time("2025-12-01t00:00:00.250Z", NOW, &ms), 0);
    assert_int_equal(ms, NOW + 250);
    ms = 7;
    assert_int_equal(cm_cli_parse_time("2025-12-01T00:00:00", NOW, &ms), CM_CLI_TIME_NO_ZONE);
    assert_int_equal(cm_cli_parse_time("2025-12-01 00:00", NOW, &ms), CM_CLI_TIME_NO_ZONE);
    assert_int_equal(ms, 7);
    assert_int_equal(cm_cli_parse_time("2025-12-01T0:00Z", NOW, &ms), -1);
    assert_int_equal(cm_cli_parse_time("2025-12-01T00:00:0Z", NOW, &ms), -1);
}

/* Epoch seconds (what `date +%s` prints) are refused, not read as 1970-01-21. */
static void test_time_epoch_seconds(void **state)
{
    int64_t ms = 7;
    (void)state;

    assert_int_equal(cm_cli_parse_time("1764547200", NOW, &ms), CM_CLI_TIME_SECONDS);
    assert_int_equal(ms, 7);
    assert_int_equal(cm_cli_parse_time("99999999999", NOW, &ms), CM_CLI_TIME_SECONDS);
    assert_int_equal(cm_cli_parse_time("100000000000", NOW, &ms), 0); /* 1973-03-03 in ms */
    assert_int_equal(ms, 100000000000LL);
    assert_int_equal(cm_cli_parse_time("0", NOW, &ms), 0); /* the epoch itself */
    assert_int_equal(ms, 0);
}

/* True when the selection's criteria all match the finding document. */
static bool selects(const struct cm_fsel *s, const char *doc)
{
    struct cm_json_doc d;
    bool ok = true;

    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, doc, strlen(doc), NULL), 0);
    if (s->user) {
        ok = ok && cm_criteria_match(s->user, &d, 0);
    }
    if (s->shortcuts) {
        ok = ok && cm_criteria_match(s->shortcuts, &d, 0);
    }
    cm_json_doc_finish(&d);
    return ok;
}

#define DOC(type, sev, arch, updated)                                                              \
    "{\"type\":\"" type "\",\"severity\":" sev ",\"accountId\":\"111122223333\","                  \
    "\"region\":\"us-east-1\",\"updatedAt\":\"" updated "\",\"service\":{\"archived\":" arch "}}"

static const char cur_hi[] = DOC("Recon:EC2/Portscan", "8", "false", "2025-11-30T12:00:00.000Z");
static const char arch_hi[] = DOC("Recon:EC2/Portscan", "8", "true", "2025-11-30T12:00:00.000Z");
static const char cur_lo[] = DOC("Backdoor:EC2/Spambot", "2", "false", "2025-11-20T12:00:00.000Z");

static void test_default_current_only(void **state)
{
    struct cm_fsel s;
    (void)state;

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_non_null(s.shortcuts);
    assert_true(selects(&s, cur_hi));
    assert_false(selects(&s, arch_hi));
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ARCHIVED, (char[]){"all"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_null(s.shortcuts); /* nothing to add: everything */
    assert_true(selects(&s, arch_hi) && selects(&s, cur_hi));
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ARCHIVED, (char[]){"true"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_true(selects(&s, arch_hi));
    assert_false(selects(&s, cur_hi));
    cm_fsel_finish(&s);

    /* The user's criteria on service.archived replace the default. */
    cm_fsel_init(&s, "test");
    assert_int_equal(
        cm_fsel_option(&s, CM_OPT_CRITERIA,
                       (char[]){"{\"Criterion\":{\"service.archived\":{\"Eq\":[\"true\"]}}}"}),
        1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_true(selects(&s, arch_hi));
    assert_false(selects(&s, cur_hi));
    cm_fsel_finish(&s);
}

static void test_shortcuts(void **state)
{
    struct cm_fsel s;
    (void)state;

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_TYPE, (char[]){"Recon:EC2/Portscan,X:Y/Z"}), 1);
    assert_int_equal(s.ntypes, 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SEV_MIN, (char[]){"7"}), 1);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ACCOUNT, (char[]){"111122223333"}), 1);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SINCE, (char[]){"2025-11-25"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_true(selects(&s, cur_hi));
    assert_false(selects(&s, cur_lo));
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SEV_MAX, (char[]){"4.5"}), 1);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_UNTIL, (char[]){"2025-11-21"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_true(selects(&s, cur_lo));
    assert_false(selects(&s, cur_hi));
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_REGION, (char[]){"eu-west-1"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_false(selects(&s, cur_hi));
    cm_fsel_finish(&s);
}

/* An --account or --region that cannot be one is a usage error, not an empty selection. */
static void test_shaped_values(void **state)
{
    struct cm_fsel s;
    (void)state;

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ACCOUNT, (char[]){"52710608597"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ACCOUNT, (char[]){"123456789012,12345"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ACCOUNT, (char[]){"12345678901x"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_REGION, (char[]){"US-EAST-1"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_REGION, (char[]){"us east 1"}), 2);
    cm_fsel_finish(&s);
    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ACCOUNT, (char[]){"123456789012,210987654321"}), 1);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_REGION, (char[]){"us-east-1,eu-west-1"}), 1);
    assert_int_equal(s.naccounts, 2);
    assert_int_equal(s.nregions, 2);
    cm_fsel_finish(&s);
}

static void test_bad_values(void **state)
{
    struct cm_fsel s;
    (void)state;

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SEV_MIN, (char[]){"high"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SEV_MAX, (char[]){"11"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_ARCHIVED, (char[]){"yes"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_TYPE, (char[]){"a,,b"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SORT, (char[]){"severity:up"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SORT, (char[]){"colour"}), 2);
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SORT, (char[]){"severity:asc"}), 1);
    assert_true(s.ascending);
    assert_int_equal(s.sort, CM_SORT_SEVERITY);
    assert_int_equal(cm_fsel_option(&s, 'x', (char[]){"x"}), 0); /* not a selection flag */
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_CRITERIA, (char[]){"{\"Criterion\":"}), 1);
    assert_int_equal(cm_fsel_compile(&s), 1);
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SORT_CRITERIA,
                                    (char[]){"{\"attributeName\":\"type\",\"orderBy\":\"ASC\"}"}),
                     1);
    assert_int_equal(cm_fsel_compile(&s), 0);
    assert_int_equal(s.sort, CM_SORT_TYPE);
    assert_true(s.ascending);
    cm_fsel_finish(&s);

    cm_fsel_init(&s, "test");
    assert_int_equal(cm_fsel_option(&s, CM_OPT_SORT_CRITERIA,
                                    (char[]){"{\"AttributeName\":\"severity\",\"X\":1}"}),
                     1);
    assert_int_equal(cm_fsel_compile(&s), 1);
    cm_fsel_finish(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_time_epoch_seconds),
        cmocka_unit_test(test_time_short_forms),
        cmocka_unit_test(test_shaped_values),
        cmocka_unit_test(test_default_current_only),
        cmocka_unit_test(test_shortcuts),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
