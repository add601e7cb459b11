/*
 * Unit tests for the filter operations (src/api/api_filters.c) through
 * cm_api_handle() on a temp store: a create/get/update/delete round trip
 * with the criteria answered in the REST form and the tags kept, the
 * validation of `coalmine filters` (name, rank, action, criteria) with the
 * member and offset named, moto's answer for an unknown filter, ListFilters
 * in rank order with maxResults/nextToken paging, and an ARCHIVE filter
 * created through the API archiving the next findings stored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api_util.h"
#include "api/api_tags.h"

#define F(x) "/detector/" A_DET "/filter" x

#define NO_SUCH "The request is rejected since no such resource found."

static void create(const char *name, const char *action, int rank)
{
    char body[512];

    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"action\":\"%s\",\"rank\":%d,\"findingCriteria\":{\"criterion\":"
             "{\"severity\":{\"gte\":7}}}}",
             name, action, rank);
    assert_int_equal(call("POST", F(""), NULL, body), 200);
    assert_string_equal(a_str("name"), name);
}

static void test_round_trip(void **state)
{
    uint32_t crit;

    (void)state;
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"bastion-ssh\",\"description\":\"our bastion\","
                          "\"action\":\"ARCHIVE\",\"rank\":3,\"clientToken\":\"t-1\","
                          "\"tags\":{\"team\":\"sec\"},\"findingCriteria\":{\"criterion\":{"
                          "\"type\":{\"eq\":[\"UnauthorizedAccess:EC2/SSHBruteForce\"]},"
                          "\"resource.instanceDetails.tags.value\":{\"equals\":[\"bastion\"]},"
                          "\"severity\":{\"greaterThanOrEqual\":4}}}}"),
                     200);
    a_ok();
    assert_string_equal(a_body, "{\"name\":\"bastion-ssh\"}");
    assert_int_equal(call("GET", F("/bastion-ssh"), NULL, NULL), 200);
    assert_string_equal(a_str("name"), "bastion-ssh");
    assert_string_equal(a_str("description"), "our bastion");
    assert_string_equal(a_str("action"), "ARCHIVE");
    assert_string_equal(a_str("tags.team"), "sec");
    assert_int_equal(a_doc.nodes[cm_json_path(&a_doc, 0, "rank")].len, 1);
    /* The criteria come back in the REST form: eq is written as equals. */
    crit = cm_json_path(&a_doc, 0, "findingCriteria.criterion");
    assert_int_not_equal(crit, CM_JSON_NONE);
    assert_string_equal(a_str("findingCriteria.criterion.type.equals"), "");
    assert_non_null(strstr(a_body, "\"type\":{\"equals\":[\"UnauthorizedAccess:EC2/SSHBruteForce"
                                   "\"]}"));
    assert_non_null(strstr(a_body, "\"severity\":{\"greaterThanOrEqual\":4}"));
    /* Update: what is not given stays. */
    assert_int_equal(call("POST", F("/bastion-ssh"), NULL, "{\"action\":\"NOOP\",\"rank\":1}"),
                     200);
    assert_string_equal(a_body, "{\"name\":\"bastion-ssh\"}");
    assert_int_equal(call("GET", F("/bastion-ssh"), NULL, NULL), 200);
    assert_string_equal(a_str("action"), "NOOP");
    assert_string_equal(a_str("description"), "our bastion");
    assert_non_null(strstr(a_body, "\"rank\":1"));
    assert_non_null(strstr(a_body, "SSHBruteForce"));
    assert_int_equal(call("POST", F("/bastion-ssh"), NULL,
                          "{\"findingCriteria\":{\"criterion\":{\"type\":{\"equals\":["
                          "\"Recon:EC2/Portscan\"]}}}}"),
                     200);
    assert_int_equal(call("GET", F("/bastion-ssh"), NULL, NULL), 200);
    assert_null(strstr(a_body, "SSHBruteForce"));
    assert_non_null(strstr(a_body, "Recon:EC2/Portscan"));
    /* Delete, then it is gone with its tags. */
    assert_int_equal(call("DELETE", F("/bastion-ssh"), NULL, NULL), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(call("GET", F("/bastion-ssh"), NULL, NULL), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    assert_string_equal(a_str("__type"), "InvalidInputException");
    create("bastion-ssh", "NOOP", 1);
    assert_int_equal(call("GET", F("/bastion-ssh"), NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"tags\":{}"));
}

static void test_unknown_filter(void **state)
{
    (void)state;
    assert_int_equal(call("GET", F("/nothing-here"), NULL, NULL), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    assert_int_equal(call("POST", F("/nothing-here"), NULL, "{\"rank\":2}"), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    assert_int_equal(call("DELETE", F("/nothing-here"), NULL, NULL), 400);
    a_error(400, "BadRequestException", NO_SUCH);
}

static void test_validation(void **state)
{
    (void)state;
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"ab\",\"findingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "filter name must be 3-64 characters, has 2 (byte 9)");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"has space\",\"findingCriteria\":{"
                          "\"criterion\":{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "invalid character at position 4");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"rank\":101,\"findingCriteria\":{"
                          "\"criterion\":{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "filter rank must be an integer 1-100 (byte 21)");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"action\":\"DROP\","
                          "\"findingCriteria\":{\"criterion\":{\"severity\":{"
                          "\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "filter action must be NOOP or ARCHIVE");
    assert_int_equal(call("POST", F(""), NULL, "{\"name\":\"abc\"}"), 400);
    a_error(400, "BadRequestException", "findingCriteria is required");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"findingCriteria\":{\"criterion\":"
                          "{}}}"),
                     400);
    assert_int_equal(a_status, 400);
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"findingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"around\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "around");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"tags\":{\"aws:x\":\"y\"},"
                          "\"findingCriteria\":{\"criterion\":{\"severity\":{"
                          "\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "tags: a tag key is 1-128 characters");
    {
        char body[4096];
        size_t len = (size_t)snprintf(body, sizeof(body), "{\"name\":\"abc\",\"tags\":{");

        for (int i = 0; i <= CM_API_MAX_TAGS; i++) {
            len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"k%d\":\"v\"", i ? "," : "",
                                    i);
        }
        snprintf(body + len, sizeof(body) - len,
                 "},\"findingCriteria\":{\"criterion\":{\"severity\":{\"gte\":7}}}}");
        assert_int_equal(call("POST", F(""), NULL, body), 400);
        a_error(400, "BadRequestException", "tags: at most 50 tags");
    }
    /* One policy for every operation: an unknown member (or an UpperCamel spelling, which is
     * another name) is ignored, a repeated one refused. */
    assert_int_equal(call("POST", F(""), NULL, "{\"name\":\"abc\",\"colour\":\"red\"}"), 400);
    a_error(400, "BadRequestException", "filter findingCriteria is required");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"FindingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "filter findingCriteria is required");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"name\":\"abd\",\"findingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "name: given twice (byte 14)");
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"colour\":\"red\",\"findingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"gte\":7}}}}"),
                     200);
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"abc\",\"findingCriteria\":{\"criterion\":"
                          "{\"severity\":{\"gte\":7}}}}"),
                     400);
    a_error(400, "BadRequestException", "already exists");
    /* The path names the filter an update changes: another name in the body is refused. */
    assert_int_equal(call("POST", F("/abc"), NULL, "{\"name\":\"xyz\"}"), 400);
    a_error(400, "BadRequestException", "filter name cannot be changed by an update");
    assert_int_equal(call("POST", F("/abc"), NULL, "{\"rank\":0}"), 400);
    a_error(400, "BadRequestException", "filter rank must be an integer 1-100");
}

static void test_list_paging(void **state)
{
    char seen[8][32];
    int nseen = 0;
    char token[128] = "", q[256];

    (void)state;
    assert_int_equal(call("GET", F(""), NULL, NULL), 200);
    assert_string_equal(a_body, "{\"filterNames\":[]}");
    /* Ranks out of creation order: the list is in rank order. */
    create("f-five", "NOOP", 5);
    create("f-one", "ARCHIVE", 1);
    create("f-three", "NOOP", 3);
    create("f-four", "NOOP", 4);
    create("f-two", "NOOP", 2);
    do {
        snprintf(q, sizeof(q), "maxResults=2%s%s", token[0] ? "&nextToken=" : "", token);
        assert_int_equal(call("GET", F(""), q, NULL), 200);
        assert_true(a_count("filterNames") <= 2);
        for (int i = 0; i < a_count("filterNames"); i++) {
            struct cm_str raw = cm_json_raw(
                &a_doc, cm_json_index(&a_doc, cm_json_path(&a_doc, 0, "filterNames"), (uint32_t)i));
            snprintf(seen[nseen++], sizeof(seen[0]), "%.*s", (int)raw.len, raw.p);
        }
        snprintf(token, sizeof(token), "%s", a_str("nextToken"));
    } while (token[0] && nseen < 8);
    assert_int_equal(nseen, 5);
    assert_string_equal(seen[0], "f-one");
    assert_string_equal(seen[1], "f-two");
    assert_string_equal(seen[2], "f-three");
    assert_string_equal(seen[3], "f-four");
    assert_string_equal(seen[4], "f-five");
    assert_int_equal(call("GET", F(""), "maxResults=0", NULL), 400);
    a_error(400, "BadRequestException", "maxResults: must be an integer from 1 to 50");
    assert_int_equal(call("GET", F(""), "maxResults=51", NULL), 400);
    assert_int_equal(call("GET", F(""), "maxResults=x", NULL), 400);
    assert_int_equal(call("GET", F(""), "nextToken=gone", NULL), 400);
    a_error(400, "BadRequestException", "nextToken");
    assert_int_equal(call("GET", F(""), "maxResults=50", NULL), 200);
    assert_int_equal(a_count("filterNames"), 5);
    assert_string_equal(a_str("nextToken"), "");
}

struct seen {
    int n;
    char type[128];
};

static int on_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    struct seen *s = ud;

    (void)f;
    (void)len;
    s->n++;
    if (strstr(doc, "\"type\":\"Recon:EC2/Portscan\"") != NULL) {
        snprintf(s->type, sizeof(s->type), "Recon:EC2/Portscan");
    }
    return 0;
}

/* An ARCHIVE filter made through the API archives the next findings stored. */
static void test_archive_filter_applies(void **state)
{
    const char *crit = "{\"criterion\":{\"service.archived\":{\"equals\":[\"true\"]}}}";
    struct cm_criteria *c = NULL;
    struct cm_store_query q;
    struct seen s = {0, ""};
    struct cm_diag dg;
    char err[256] = "";

    (void)state;
    assert_int_equal(call("POST", F(""), NULL,
                          "{\"name\":\"no-portscan\",\"action\":\"ARCHIVE\",\"findingCriteria\":"
                          "{\"criterion\":{\"type\":{\"equals\":[\"Recon:EC2/Portscan\"]}}}}"),
                     200);
    assert_int_equal(call("POST", "/detector/" A_DET "/findings/create", NULL,
                          "{\"findingTypes\":[\"Recon:EC2/Portscan\",\"Recon:EC2/"
                          "PortProbeUnprotectedPort\"]}"),
                     200);
    assert_int_equal(cm_criteria_compile(crit, strlen(crit), 0, &c, &dg), 0);
    memset(&q, 0, sizeof(q));
    q.criteria[0] = c;
    assert_int_equal(cm_store_query(a_st, &q, on_row, &s, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.type, "Recon:EC2/Portscan");
    cm_criteria_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_filter, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_validation, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_archive_filter_applies, a_setup, a_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
