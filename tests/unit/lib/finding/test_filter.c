/*
 * Unit tests for GuardDuty filters (lib/finding/filter.h): name and member
 * validation, CreateFilter and UpdateFilter bodies, JSON round trip in
 * GetFilter form, rank ordering and the ARCHIVE/NOOP suppression decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "finding/filter.h"

static const char FINDING[] = "{\"type\":\"Recon:EC2/Portscan\",\"severity\":5,"
                              "\"resource\":{\"instanceDetails\":{\"imageId\":\"ami-999999999\","
                              "\"tags\":[{\"key\":\"role\",\"value\":\"bastion\"}]}},"
                              "\"service\":{\"archived\":false}}";

static struct cm_filter *parse_ok(const char *json)
{
    struct cm_filter *f = NULL;
    struct cm_diag dg;
    int rc = cm_filter_parse(json, strlen(json), NULL, &f, &dg);

    if (rc != 0) {
        fail_msg("parse failed (%d): %s\n  for %s", rc, dg.msg, json);
    }
    return f;
}

static void rejects(const char *json, const struct cm_filter *base, int rc, const char *needle)
{
    struct cm_filter *f = (struct cm_filter *)1;
    struct cm_diag dg;
    int got = cm_filter_parse(json, strlen(json), base, &f, &dg);

    if (got != rc || strstr(dg.msg, needle) == NULL) {
        fail_msg("for %s\n  expected %d with \"%s\", got %d: \"%s\"", json, rc, needle, got,
                 dg.msg);
    }
    assert_null(f);
}

static char *write_str(const struct cm_filter *f)
{
    struct cm_buf b;
    struct cm_jw jw;
    size_t len;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_filter_write(f, &jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    return cm_buf_take(&b, &len);
}

/* A filter named name with the given action, rank and criterion. */
static struct cm_filter *mk(const char *name, const char *action, int rank, const char *crit)
{
    char buf[1024];

    if (rank > 0) {
        snprintf(buf, sizeof(buf),
                 "{\"name\":\"%s\",\"action\":\"%s\",\"rank\":%d,"
                 "\"findingCriteria\":{\"criterion\":%s}}",
                 name, action, rank, crit);
    } else {
        snprintf(buf, sizeof(buf),
                 "{\"name\":\"%s\",\"action\":\"%s\",\"findingCriteria\":{\"criterion\":%s}}", name,
                 action, crit);
    }
    return parse_ok(buf);
}

static void test_name_check(void **state)
{
    (void)state;
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("abc"), NULL), 0);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("suppress-portscan_from.scanner"), NULL), 0);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("ab"), NULL), CM_EINVAL);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("a b c"), NULL), CM_EINVAL);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("abc/"), NULL), CM_EINVAL);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("\xc3\xa9t\xc3\xa9"), NULL), CM_EINVAL);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("0123456789012345678901234567890123456789"
                                                     "012345678901234567890123"),
                                          NULL),
                     0);
    assert_int_equal(cm_filter_name_check(CM_STR_LIT("0123456789012345678901234567890123456789"
                                                     "0123456789012345678901234"),
                                          NULL),
                     CM_EINVAL);
}

static void test_parse_create(void **state)
{
    struct cm_filter *f;

    (void)state;
    f = parse_ok("{\"name\":\"suppress-portscan\",\"description\":\"scanner (ok)\","
                 "\"action\":\"ARCHIVE\",\"rank\":1,\"clientToken\":\"t\",\"tags\":{\"k\":\"v\"},"
                 "\"findingCriteria\":{\"criterion\":{\"type\":{\"equals\":"
                 "[\"Recon:EC2/Portscan\"]}}}}");
    assert_string_equal(f->name, "suppress-portscan");
    assert_string_equal(f->description, "scanner (ok)");
    assert_int_equal(f->action, CM_FILTER_ARCHIVE);
    assert_int_equal(f->rank, 1);
    assert_int_equal(cm_criteria_terms(f->criteria), 1);
    cm_filter_destroy(f);
    /* boto3/CLI member names; defaults: NOOP, no rank, empty description. */
    f = parse_ok("{\"Name\":\"view1\",\"FindingCriteria\":{\"Criterion\":{\"severity\":"
                 "{\"Gte\":7}}}}");
    assert_string_equal(f->name, "view1");
    assert_string_equal(f->description, "");
    assert_int_equal(f->action, CM_FILTER_NOOP);
    assert_int_equal(f->rank, 0);
    cm_filter_destroy(f);
    cm_filter_destroy(NULL);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    rejects("{\"name\":\"ab\",\"findingCriteria\":{\"criterion\":{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "filter name must be 3-64 characters");
    rejects("{\"name\":\"a b c\",\"findingCriteria\":{\"criterion\":{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "invalid character at position 2");
    rejects("{\"findingCriteria\":{\"criterion\":{\"type\":{\"eq\":[\"x\"]}}}}", NULL, CM_EINVAL,
            "filter name is required");
    rejects("{\"name\":\"abc\"}", NULL, CM_EINVAL, "findingCriteria is required");
    rejects("{\"name\":\"abc\",\"findingCriteria\":{}}", NULL, CM_EINVAL, "at least one attribute");
    rejects("{\"name\":\"abc\",\"findingCriteria\":{\"criterion\":{\"nope\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "unknown attribute path \"nope\"");
    rejects("{\"name\":\"abc\",\"action\":\"archive\",\"findingCriteria\":{\"criterion\":"
            "{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "action must be NOOP or ARCHIVE");
    rejects("{\"name\":\"abc\",\"rank\":0,\"findingCriteria\":{\"criterion\":"
            "{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "rank must be an integer 1-100");
    rejects("{\"name\":\"abc\",\"rank\":101,\"findingCriteria\":{\"criterion\":"
            "{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "rank must be an integer 1-100");
    rejects("{\"name\":\"abc\",\"rank\":1.5,\"findingCriteria\":{\"criterion\":"
            "{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "rank must be an integer");
    rejects("{\"name\":\"abc\",\"rank\":\"1\"}", NULL, CM_EINVAL, "filter rank must be a number");
    rejects("{\"name\":5}", NULL, CM_EINVAL, "filter name must be a string");
    rejects("{\"name\":\"abc\",\"colour\":1}", NULL, CM_EINVAL, "unknown member \"colour\"");
    rejects("{\"name\":\"abc\",\"Name\":\"abd\"}", NULL, CM_EINVAL, "duplicate member \"Name\"");
    rejects("{\"name\":\"abc\",\"description\":\"a\\u0001b\",\"findingCriteria\":{\"criterion\":"
            "{\"type\":{\"eq\":[\"x\"]}}}}",
            NULL, CM_EINVAL, "control character");
    rejects("[1]", NULL, CM_EINVAL, "filter must be a JSON object");
    rejects("{\"name\":", NULL, CM_ESYNTAX, "malformed filter JSON");
}

static void test_description_limit(void **state)
{
    char buf[2048];
    struct cm_filter *f;
    int n;

    (void)state;
    n = snprintf(buf, sizeof(buf), "{\"name\":\"abc\",\"description\":\"");
    memset(buf + n, 'd', 512);
    snprintf(buf + n + 512, sizeof(buf) - (size_t)n - 512,
             "\",\"findingCriteria\":{\"criterion\":{\"type\":{\"eq\":[\"x\"]}}}}");
    f = parse_ok(buf);
    assert_int_equal(strlen(f->description), 512);
    cm_filter_destroy(f);
    memset(buf + n, 'd', 513);
    snprintf(buf + n + 513, sizeof(buf) - (size_t)n - 513,
             "\",\"findingCriteria\":{\"criterion\":{\"type\":{\"eq\":[\"x\"]}}}}");
    rejects(buf, NULL, CM_E2BIG, "at most 512 bytes, has 513");
}

static void test_round_trip(void **state)
{
    const char *in = "{\"Name\":\"rt-1\",\"Description\":\"line\\nbreak \\\"q\\\"\","
                     "\"Action\":\"ARCHIVE\",\"Rank\":7,\"FindingCriteria\":{\"Criterion\":{"
                     "\"type\":{\"Eq\":[\"Recon:EC2/Portscan\"]},\"severity\":{\"Gte\":4},"
                     "\"resource.instanceDetails.tags.value\":{\"Matches\":[\"bast*\"]}}}}";
    struct cm_filter *f, *g;
    char *out, *out2;

    (void)state;
    f = parse_ok(in);
    out = write_str(f);
    assert_string_equal(out, "{\"name\":\"rt-1\",\"description\":\"line\\nbreak \\\"q\\\"\","
                             "\"action\":\"ARCHIVE\",\"rank\":7,\"findingCriteria\":{"
                             "\"criterion\":{\"type\":{\"equals\":[\"Recon:EC2/Portscan\"]},"
                             "\"severity\":{\"greaterThanOrEqual\":4},"
                             "\"resource.instanceDetails.tags.value\":{\"matches\":"
                             "[\"bast*\"]}}}}");
    g = parse_ok(out);
    out2 = write_str(g);
    assert_string_equal(out, out2);
    assert_string_equal(g->description, "line\nbreak \"q\"");
    cm_free(out);
    cm_free(out2);
    cm_filter_destroy(f);
    cm_filter_destroy(g);
}

static void test_update(void **state)
{
    struct cm_filter *base, *u = NULL;
    struct cm_diag dg;
    const char *body;

    (void)state;
    base = mk("upd", "NOOP", 3, "{\"type\":{\"eq\":[\"Recon:EC2/Portscan\"]}}");
    body = "{\"action\":\"ARCHIVE\"}";
    assert_int_equal(cm_filter_parse(body, strlen(body), base, &u, &dg), 0);
    assert_string_equal(u->name, "upd");
    assert_int_equal(u->action, CM_FILTER_ARCHIVE);
    assert_int_equal(u->rank, 3);
    assert_int_equal(cm_criteria_terms(u->criteria), 1);
    cm_filter_destroy(u);
    body = "{\"rank\":9,\"description\":\"d\",\"findingCriteria\":{\"criterion\":"
           "{\"severity\":{\"gt\":1},\"type\":{\"neq\":[\"x\"]}}}}";
    assert_int_equal(cm_filter_parse(body, strlen(body), base, &u, &dg), 0);
    assert_int_equal(u->rank, 9);
    assert_int_equal(u->action, CM_FILTER_NOOP);
    assert_string_equal(u->description, "d");
    assert_int_equal(cm_criteria_terms(u->criteria), 2);
    cm_filter_destroy(u);
    rejects("{\"name\":\"other\"}", base, CM_EINVAL, "cannot be changed");
    cm_filter_destroy(base);
}

static void test_set_rank_and_apply(void **state)
{
    struct cm_filterset s;
    struct cm_json_doc d;
    const struct cm_filter *first = NULL;
    struct cm_filter *f;

    (void)state;
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, FINDING, strlen(FINDING), NULL), 0);
    cm_filterset_init(&s);
    assert_false(cm_filterset_apply(&s, &d, 0, &first));
    assert_null(first);
    /* A NOOP filter that matches changes nothing. */
    assert_int_equal(cm_filterset_add(&s, mk("view-all", "NOOP", 1, "{\"severity\":{\"gte\":1}}")),
                     0);
    assert_false(cm_filterset_apply(&s, &d, 0, &first));
    assert_null(first);
    /* ARCHIVE filters: the lowest matching rank is reported, whatever the insertion order. */
    assert_int_equal(cm_filterset_add(&s, mk("by-tag", "ARCHIVE", 50,
                                             "{\"resource.instanceDetails.tags.value\":"
                                             "{\"eq\":[\"bastion\"]}}")),
                     0);
    assert_int_equal(
        cm_filterset_add(&s, mk("no-match", "ARCHIVE", 2, "{\"type\":{\"eq\":[\"Other\"]}}")), 0);
    assert_int_equal(cm_filterset_add(&s, mk("by-image", "ARCHIVE", 10,
                                             "{\"type\":{\"eq\":[\"Recon:EC2/Portscan\"]},"
                                             "\"resource.instanceDetails.imageId\":"
                                             "{\"eq\":[\"ami-999999999\"]}}")),
                     0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.v[0]->name, "view-all");
    assert_string_equal(s.v[1]->name, "no-match");
    assert_string_equal(s.v[2]->name, "by-image");
    assert_string_equal(s.v[3]->name, "by-tag");
    assert_true(cm_filterset_apply(&s, &d, 0, &first));
    assert_non_null(first);
    assert_string_equal(first->name, "by-image");
    assert_true(cm_filterset_apply(&s, &d, 0, NULL));
    /* Taking by-image out leaves by-tag as the suppressing filter. */
    f = cm_filterset_take(&s, CM_STR_LIT("by-image"));
    assert_non_null(f);
    cm_filter_destroy(f);
    assert_null(cm_filterset_take(&s, CM_STR_LIT("by-image")));
    assert_true(cm_filterset_apply(&s, &d, 0, &first));
    assert_string_equal(first->name, "by-tag");
    /* Duplicate names are refused and stay owned by the caller. */
    f = mk("by-tag", "NOOP", 1, "{\"severity\":{\"gte\":1}}");
    assert_int_equal(cm_filterset_add(&s, f), CM_EINVAL);
    cm_filter_destroy(f);
    /* Without a rank a filter goes last; equal ranks keep insertion order. */
    assert_int_equal(cm_filterset_add(&s, mk("unranked", "NOOP", 0, "{\"severity\":{\"gte\":1}}")),
                     0);
    assert_int_equal(s.v[s.n - 1]->rank, 51);
    assert_int_equal(cm_filterset_add(&s, mk("tie-2", "NOOP", 2, "{\"severity\":{\"gte\":1}}")), 0);
    assert_string_equal(s.v[1]->name, "no-match");
    assert_string_equal(s.v[2]->name, "tie-2");
    assert_non_null(cm_filterset_get(&s, CM_STR_LIT("tie-2")));
    assert_null(cm_filterset_get(&s, CM_STR_LIT("tie-3")));
    cm_filterset_finish(&s);
    cm_filterset_finish(&s);
    cm_json_doc_finish(&d);
}

static void test_set_full(void **state)
{
    struct cm_filterset s;
    struct cm_filter *f;
    char name[16];

    (void)state;
    cm_filterset_init(&s);
    for (int i = 0; i < CM_FILTERSET_MAX; i++) {
        snprintf(name, sizeof(name), "f-%03d", i);
        assert_int_equal(cm_filterset_add(&s, mk(name, "NOOP", 0, "{\"severity\":{\"gte\":1}}")),
                         0);
    }
    assert_int_equal(s.v[CM_FILTERSET_MAX - 1]->rank, CM_FILTER_RANK_MAX);
    f = mk("one-more", "NOOP", 1, "{\"severity\":{\"gte\":1}}");
    assert_int_equal(cm_filterset_add(&s, f), CM_EFULL);
    cm_filter_destroy(f);
    cm_filterset_finish(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_check),         cmocka_unit_test(test_parse_create),
        cmocka_unit_test(test_parse_rejects),      cmocka_unit_test(test_description_limit),
        cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_update),
        cmocka_unit_test(test_set_rank_and_apply), cmocka_unit_test(test_set_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
