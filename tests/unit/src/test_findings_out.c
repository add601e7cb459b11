/*
 * Unit tests for the findings output forms of the CLI: table, GuardDuty API
 * JSON lines, EventBridge events and OCSF, each parsed back and checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cli/findings_out.h"

#include "../lib/finding/finding_util.h"

/* Writes f in fmt to a memory stream; returns the text (free it). */
static char *render(enum cm_out_format fmt, const struct cm_finding *f, int colour)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);

    assert_non_null(mf);
    cm_out_header(mf, fmt, colour);
    assert_int_equal(cm_out_finding(mf, fmt, f, colour), 0);
    fclose(mf);
    return text;
}

static void parse_line(struct cm_json_doc *d, const char *text)
{
    const char *nl = strchr(text, '\n');

    assert_non_null(nl);
    assert_null(strchr(nl + 1, '\n')); /* exactly one line */
    assert_int_equal(cm_json_parse(d, text, (size_t)(nl - text), NULL), 0);
}

static void test_forms(void **state)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_json_doc d;
    enum cm_out_format fmt;
    char *text;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    cm_json_doc_init(&d, 0, 0);

    text = render(CM_OUT_JSON, &f, 0);
    parse_line(&d, text);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "schemaVersion")), "2.0"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "id")), f.id));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "type")),
                           "UnauthorizedAccess:EC2/SSHBruteForce"));
    free(text);

    text = render(CM_OUT_EVENTBRIDGE, &f, 0);
    parse_line(&d, text);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "source")), "aws.guardduty"));
    assert_true(
        cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "detail-type")), "GuardDuty Finding"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "detail.id")), f.id));
    free(text);

    text = render(CM_OUT_OCSF, &f, 0);
    parse_line(&d, text);
    {
        int64_t v = 0;
        assert_int_equal(cm_json_i64(&d, cm_json_get(&d, 0, "class_uid"), &v), 0);
        assert_int_equal(v, 2004);
    }
    free(text);

    /* The table: a header and one row naming severity, type, count and id; colour on request. */
    text = render(CM_OUT_TABLE, &f, 0);
    assert_non_null(strstr(text, "SEVERITY"));
    assert_non_null(strstr(text, "UnauthorizedAccess:EC2/SSHBruteForce"));
    assert_non_null(strstr(text, f.id));
    assert_null(strchr(text, '\033'));
    free(text);
    text = render(CM_OUT_TABLE, &f, 1);
    assert_non_null(strchr(text, '\033'));
    free(text);

    assert_int_equal(cm_out_format_parse("ocsf", &fmt), 0);
    assert_int_equal(fmt, CM_OUT_OCSF);
    assert_int_equal(cm_out_format_parse("eventbridge", &fmt), 0);
    assert_int_equal(fmt, CM_OUT_EVENTBRIDGE);
    assert_int_equal(cm_out_format_parse("xml", &fmt), -1);
    cm_json_doc_finish(&d);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
