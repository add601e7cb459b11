/*
 * ListFindings, GetFindings and GetFindingsStatistics through cm_api_handle()
 * against a temp store holding sample findings (src/api/api_findings_read.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_util.h"

#define NT 6

static const char *const types[NT] = {
    "Recon:EC2/PortProbeUnprotectedPort", "UnauthorizedAccess:EC2/SSHBruteForce",
    "Backdoor:EC2/C&CActivity.B!DNS",     "Policy:IAMUser/RootCredentialUsage",
    "Trojan:EC2/DNSDataExfiltration",     "CryptoCurrency:EC2/BitcoinTool.B!DNS",
};

#define LF "/detector/" A_DET "/findings"

static int setup(void **state)
{
    if (a_setup(state) != 0) {
        return -1;
    }
    put_samples(types, NT);
    return 0;
}

/* The ids of a ListFindings answer (a_body), in order. */
static size_t ids_of(char ids[][40], size_t max)
{
    const char *p = strstr(a_body, "\"findingIds\":[");
    size_t n = 0;

    assert_non_null(p);
    p += 14;
    while (*p == '"' && n < max) {
        const char *e = strchr(p + 1, '"');
        snprintf(ids[n++], 40, "%.*s", (int)(e - p - 1), p + 1);
        p = e + 1;
        if (*p == ',') {
            p++;
        }
    }
    return n;
}

/* The nextToken of the last answer into tok, or "". */
static void token_of(char *tok, size_t n)
{
    const char *p = strstr(a_body, "\"nextToken\":\"");
    tok[0] = '\0';
    if (p) {
        p += 13;
        snprintf(tok, n, "%.*s", (int)(strchr(p, '"') - p), p);
    }
}

/* The id of the finding of type t. */
static void id_of_type(const char *t, char *id)
{
    char body[512], ids[4][40];
    snprintf(body, sizeof(body),
             "{\"findingCriteria\":{\"criterion\":{\"type\":{\"equals\":[\"%s\"]}}}}", t);
    assert_int_equal(call("POST", LF, NULL, body), 200);
    assert_int_equal(ids_of(ids, 4), 1);
    memcpy(id, ids[0], 40);
}

static void test_list_pages(void **state)
{
    char ids[NT + 4][40], page[4][40], tok[400], body[600];
    size_t n = 0;
    (void)state;

    /* No body: the first 50. */
    assert_int_equal(call("POST", LF, NULL, NULL), 200);
    assert_int_equal(ids_of(ids, NT + 4), NT);
    assert_null(strstr(a_body, "nextToken"));
    assert_int_equal(call("POST", LF, NULL, "{\"maxResults\":2}"), 200);
    for (;;) {
        size_t k = ids_of(page, 4);
        assert_true(k <= 2);
        for (size_t i = 0; i < k; i++) {
            for (size_t j = 0; j < n; j++) {
                assert_string_not_equal(ids[j], page[i]);
            }
            memcpy(ids[n++], page[i], 40);
        }
        token_of(tok, sizeof(tok));
        if (tok[0] == '\0') {
            break;
        }
        snprintf(body, sizeof(body), "{\"maxResults\":2,\"nextToken\":\"%s\"}", tok);
        assert_int_equal(call("POST", LF, NULL, body), 200);
    }
    assert_int_equal(n, NT);
}

static int cmp_type(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_criteria_and_sort(void **state)
{
    char want[NT][40], got[NT + 2][40], id[40];
    const char *sorted[NT];
    const char *arch[1];
    char err[256];
    (void)state;

    memcpy(sorted, types, sizeof(sorted));
    qsort(sorted, NT, sizeof(sorted[0]), cmp_type);
    for (int i = 0; i < NT; i++) {
        id_of_type(sorted[i], want[i]);
    }
    assert_int_equal(call("POST", LF, NULL,
                          "{\"sortCriteria\":{\"attributeName\":\"type\",\"orderBy\":\"ASC\"}}"),
                     200);
    assert_int_equal(ids_of(got, NT + 2), NT);
    for (int i = 0; i < NT; i++) {
        assert_string_equal(got[i], want[i]);
    }
    assert_int_equal(call("POST", LF, NULL,
                          "{\"sortCriteria\":{\"attributeName\":\"type\",\"orderBy\":\"DESC\"}}"),
                     200);
    assert_int_equal(ids_of(got, NT + 2), NT);
    for (int i = 0; i < NT; i++) {
        assert_string_equal(got[i], want[NT - 1 - i]);
    }
    /* Archived findings are listed unless the criteria leave them out. */
    id_of_type(types[0], id);
    arch[0] = id;
    assert_int_equal(cm_store_set_archived(a_st, arch, 1, true, err, sizeof(err)), 0);
    assert_int_equal(call("POST", LF, NULL, "{}"), 200);
    assert_int_equal(ids_of(got, NT + 2), NT);
    assert_int_equal(call("POST", LF, NULL,
                          "{\"findingCriteria\":{\"criterion\":{\"service.archived\":"
                          "{\"equals\":[\"false\"]}}}}"),
                     200);
    assert_int_equal(ids_of(got, NT + 2), NT - 1);
    for (int i = 0; i < NT - 1; i++) {
        assert_string_not_equal(got[i], id);
    }
    /* Severity and time conditions (lowerCamel operators, the REST form). */
    assert_int_equal(call("POST", LF, NULL,
                          "{\"findingCriteria\":{\"criterion\":{\"severity\":"
                          "{\"greaterThanOrEqual\":11}}}}"),
                     200);
    assert_int_equal(ids_of(got, NT + 2), 0);
    assert_int_equal(call("POST", LF, NULL,
                          "{\"findingCriteria\":{\"criterion\":{\"updatedAt\":"
                          "{\"greaterThanOrEqual\":1767240000000}}}}"),
                     200); /* A_NOW + 4 h: the last two */
    assert_int_equal(ids_of(got, NT + 2), 2);
}

static void test_list_errors(void **state)
{
    (void)state;
    call("POST", LF, NULL, "{\"maxResults\":51}");
    bad_request_has("maxResults: must be an integer from 1 to 50 (byte 14)");
    call("POST", LF, NULL, "{\"maxResults\":\"5\"}");
    bad_request_has("maxResults: must be a number (byte 14)");
    call("POST", LF, NULL, "{\"sortCriteria\":{\"attributeName\":\"title\"}}");
    bad_request_has("sortCriteria.attributeName: coalmine sorts by");
    bad_request_has("not 'title' (byte 33)");
    call("POST", LF, NULL, "{\"sortCriteria\":{\"orderBy\":\"UP\"}}");
    bad_request_has("orderBy: must be one of ASC, DESC, not 'UP' (byte 27)");
    call("POST", LF, NULL, "{\"findingCriteria\":{\"criterion\":{\"nope\":{\"equals\":[\"x\"]}}}}");
    bad_request_has("findingCriteria: ");
    call("POST", LF, NULL, "{\"findingCriteria\":[]}");
    bad_request_has("findingCriteria: must be an object (byte 19)");
    call("POST", LF, NULL, "{\"nextToken\":\"garbage\"}");
    bad_request_has("nextToken: ");
    bad_request_has("(byte 13)");
    /* Unknown members are ignored; a repeated one is refused. */
    assert_int_equal(call("POST", LF, NULL, "{\"colour\":1,\"MaxResults\":99}"), 200);
    call("POST", LF, NULL, "{\"maxResults\":1,\"maxResults\":2}");
    bad_request_has("maxResults: given twice (byte 16)");
    call("POST", "/detector/ffffffffffffffffffffffffffffffff/findings", NULL, "{}");
    bad_request_has(CM_API_NOT_OWNED);
    call("POST", LF, NULL, "[1]");
    assert_int_equal(a_status, 400);
    assert_non_null(strstr(a_body, "must be a JSON object"));
}

static void test_get_findings(void **state)
{
    char a[40], b[40], body[512];
    const char *pa, *pb;
    (void)state;

    id_of_type(types[2], a);
    id_of_type(types[4], b);
    /* In request order; an unknown id is left out. */
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\",\"0123\",\"%s\"]}", b, a);
    assert_int_equal(call("POST", LF "/get", NULL, body), 200);
    assert_true(strncmp(a_body, "{\"findings\":[{", 14) == 0);
    pa = strstr(a_body, a);
    pb = strstr(a_body, b);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_true(pb < pa);
    assert_non_null(strstr(a_body, "\"type\":\"Backdoor:EC2/C&CActivity.B!DNS\""));
    assert_non_null(strstr(a_body, "\"detectorId\":\"" A_DET "\""));
    /* Sorted when asked. */
    snprintf(body, sizeof(body),
             "{\"findingIds\":[\"%s\",\"%s\"],\"sortCriteria\":{\"attributeName\":\"type\","
             "\"orderBy\":\"ASC\"}}",
             b, a);
    assert_int_equal(call("POST", LF "/get", NULL, body), 200);
    assert_true(strstr(a_body, a) < strstr(a_body, b));
    assert_int_equal(call("POST", LF "/get", NULL, "{\"findingIds\":[]}"), 200);
    assert_string_equal(a_body, "{\"findings\":[]}");

    call("POST", LF "/get", NULL, "{}");
    bad_request_has("findingIds: is required (byte 0)");
    call("POST", LF "/get", NULL, "{\"findingIds\":[1]}");
    bad_request_has("findingIds[0]: must be a string (byte 15)");
    call("POST", LF "/get", NULL, "{\"findingIds\":[\"\"]}");
    bad_request_has("findingIds[0]: must be 1 to 300 characters, has 0 (byte 15)");
    {
        char big[4096];
        size_t o = (size_t)snprintf(big, sizeof(big), "{\"findingIds\":[");
        for (int i = 0; i < 51; i++) {
            o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"%d\"", i ? "," : "", i);
        }
        snprintf(big + o, sizeof(big) - o, "]}");
        call("POST", LF "/get", NULL, big);
        bad_request_has("findingIds: must have 0 to 50 elements, has 51 (byte 14)");
    }
}

static void test_statistics(void **state)
{
    const char *p;
    uint64_t sum = 0;
    (void)state;

    assert_int_equal(
        call("POST", LF "/statistics", NULL, "{\"findingStatisticTypes\":[\"COUNT_BY_SEVERITY\"]}"),
        200);
    p = strstr(a_body, "{\"findingStatistics\":{\"countBySeverity\":{");
    assert_non_null(p);
    for (p = strchr(p + 40, '"'); p != NULL && *p == '"'; p = strchr(p, '"')) {
        const char *colon = strchr(p + 1, '"') + 1;
        char *end;
        assert_int_equal(*colon, ':');
        sum += strtoull(colon + 1, &end, 10);
        p = end;
        if (*p == '}') {
            break;
        }
        p++;
    }
    assert_int_equal(sum, NT);
    assert_int_equal(
        call("POST", LF "/statistics", NULL, "{\"groupBy\":\"FINDING_TYPE\",\"maxResults\":2}"),
        200);
    assert_non_null(strstr(a_body, "{\"findingStatistics\":{\"groupedByFindingType\":[{"));
    assert_int_equal((int)(strstr(a_body, "totalFindings") != NULL), 1);
    {
        int n = 0;
        for (p = a_body; (p = strstr(p, "\"findingType\"")) != NULL; p++) {
            n++;
        }
        assert_int_equal(n, 2);
    }
    /* Ties by type: DESC takes the first two keys, ASC the last two reversed. */
    assert_int_equal(call("POST", LF "/statistics", NULL,
                          "{\"groupBy\":\"FINDING_TYPE\",\"orderBy\":\"ASC\",\"maxResults\":1}"),
                     200);
    assert_non_null(strstr(a_body, "\"findingType\""));
    assert_int_equal(call("POST", LF "/statistics", NULL,
                          "{\"groupBy\":\"RESOURCE\",\"findingCriteria\":{\"criterion\":{\"type\":"
                          "{\"equals\":[\"Policy:IAMUser/RootCredentialUsage\"]}}}}"),
                     200);
    assert_non_null(strstr(a_body, "\"groupedByResource\":[{\"resourceId\":"));
    assert_non_null(strstr(a_body, "\"resourceType\":\"AccessKey\""));
    assert_non_null(strstr(a_body, "\"accountId\":\"" A_ACCOUNT "\""));
    assert_non_null(strstr(a_body, "\"totalFindings\":1"));
    assert_int_equal(call("POST", LF "/statistics", NULL, "{\"groupBy\":\"DATE\"}"), 200);
    assert_non_null(strstr(a_body, "\"groupedByDate\":[{\"date\":1767225600,"));
    assert_int_equal(call("POST", LF "/statistics", NULL, "{\"groupBy\":\"SEVERITY\"}"), 200);
    assert_non_null(strstr(a_body, "\"groupedBySeverity\":[{\"severity\":"));

    call("POST", LF "/statistics", NULL, "{}");
    bad_request_has("neither findingStatisticTypes nor groupBy");
    call("POST", LF "/statistics", NULL, "{\"groupBy\":\"REGION\"}");
    bad_request_has("groupBy: must be one of ACCOUNT, DATE, FINDING_TYPE, RESOURCE, SEVERITY, "
                    "not 'REGION' (byte 11)");
    call("POST", LF "/statistics", NULL, "{\"groupBy\":\"DATE\",\"maxResults\":101}");
    bad_request_has("maxResults: must be an integer from 1 to 100");
    call("POST", LF "/statistics", NULL, "{\"findingStatisticTypes\":[\"COUNT_BY_TYPE\"]}");
    bad_request_has("findingStatisticTypes[]: must be COUNT_BY_SEVERITY (byte 26)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_pages, setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_criteria_and_sort, setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_list_errors, setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_get_findings, setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_statistics, setup, a_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
