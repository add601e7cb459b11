/*
 * Unit tests for the finding operations that change findings
 * (src/api/api_findings_write.c) through cm_api_handle() on a temp store:
 * CreateSampleFindings (every type, chosen types, repeats, ARCHIVE filters,
 * the outbox), ArchiveFindings / UnarchiveFindings (all or nothing, unknown
 * ids), UpdateFindingsFeedback, and the validation errors that name the
 * member and its byte offset; the detector check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "api_util.h"
#include "finding/filter.h"
#include "finding/finding.h"

#define P(x) "/detector/" A_DET "/findings/" x

/* First column of sql (one ? bound to arg, may be NULL) as text into a static buffer. */
static const char *sql_text(const char *sql, const char *arg)
{
    static char out[8192];
    sqlite3 *db;
    sqlite3_stmt *q;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(a_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (arg) {
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

static int64_t sql_int(const char *sql, const char *arg)
{
    return strtoll(sql_text(sql, arg), NULL, 10);
}

static const char *const t_ssh = "UnauthorizedAccess:EC2/SSHBruteForce";
static const char *const t_dns = "CryptoCurrency:EC2/BitcoinTool.B!DNS";

/* Stores the samples of the two types; returns their ids in ids[2]. */
static void two_samples(char ids[2][80])
{
    char body[256];

    snprintf(body, sizeof(body), "{\"findingTypes\":[\"%s\",\"%s\"]}", t_ssh, t_dns);
    assert_int_equal(call("POST", P("create"), NULL, body), 200);
    snprintf(ids[0], 80, "%s", sql_text("SELECT id FROM findings WHERE type = ?", t_ssh));
    snprintf(ids[1], 80, "%s", sql_text("SELECT id FROM findings WHERE type = ?", t_dns));
    assert_true(ids[0][0] && ids[1][0]);
}

static void test_samples_every_type(void **state)
{
    size_t n, active = 0;
    const struct cm_finding_type_info *t = cm_finding_types(&n);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        active += t[i].status == CM_TYPE_ACTIVE;
    }
    assert_int_equal(call("POST", P("create"), NULL, NULL), 200);
    a_ok();
    assert_string_equal(a_body, "{}");
    assert_int_equal(sql_int("SELECT count(*) FROM findings", NULL), (int64_t)active);
    /* An empty list is every type too: the same ids again, counts raised. */
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":[]}"), 200);
    assert_int_equal(sql_int("SELECT count(*) FROM findings", NULL), (int64_t)active);
    assert_int_equal(sql_int("SELECT min(count) FROM findings", NULL), 2);
}

static void test_samples_chosen(void **state)
{
    const char *doc;

    (void)state;
    assert_int_equal(call("POST", P("create"), NULL,
                          "{\"findingTypes\":[\"Recon:EC2/PortProbeUnprotectedPort\","
                          "\"Recon:EC2/PortProbeUnprotectedPort\"]}"),
                     200);
    assert_int_equal(sql_int("SELECT count(*) FROM findings", NULL), 1);
    doc = sql_text("SELECT d.doc FROM finding_docs d JOIN findings f ON f.seq = d.seq", NULL);
    /* additionalInfo is {"value": "<JSON text>", "type": "default"} in the API form. */
    assert_non_null(strstr(doc, "\\\"sample\\\":true"));
    assert_non_null(strstr(doc, "\"detectorId\":\"" A_DET "\""));
    assert_non_null(strstr(doc, "\"accountId\":\"123456789012\""));
    assert_non_null(strstr(doc, "\"region\":\"us-east-1\""));
    /* UpperCamel is not the wire form: FindingTypes is an unknown member, ignored, so this
     * asks for every type (as an empty body does). */
    assert_int_equal(call("POST", P("create"), NULL, "{\"FindingTypes\":[\"Recon:EC2/Portscan\"]}"),
                     200);
    assert_true(sql_int("SELECT count(*) FROM findings", NULL) > 2);
}

static void test_samples_invalid(void **state)
{
    char body[4096];
    size_t len;

    (void)state;
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":[\"Nope:EC2/Nothing\"]}"),
                     400);
    a_error(400, "BadRequestException", "findingTypes[0]: unknown finding type");
    a_error(400, "BadRequestException", "(byte 17)");
    assert_string_equal(a_str("__type"), "InvalidInputException");
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":\"Recon:EC2/Portscan\"}"),
                     400);
    a_error(400, "BadRequestException", "findingTypes: must be an array");
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":[],\"findingTypes\":[]}"),
                     400);
    a_error(400, "BadRequestException", "findingTypes: given twice (byte 19)");
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":[1]}"), 400);
    a_error(400, "BadRequestException", "findingTypes[0]: must be a string");
    assert_int_equal(call("POST", P("create"), NULL, "{\"findingTypes\":["), 400);
    a_error(400, "BadRequestException", "not valid JSON");
    assert_int_equal(call("POST", P("create"), NULL, "[]"), 400);
    a_error(400, "BadRequestException", "must be a JSON object");
    len = (size_t)snprintf(body, sizeof(body), "{\"findingTypes\":[");
    for (int i = 0; i < 51; i++) {
        len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"Recon:EC2/Portscan\"",
                                i ? "," : "");
    }
    snprintf(body + len, sizeof(body) - len, "]}");
    assert_int_equal(call("POST", P("create"), NULL, body), 400);
    a_error(400, "BadRequestException", "findingTypes: must have 0 to 50 elements, has 51");
    assert_int_equal(sql_int("SELECT count(*) FROM findings", NULL), 0);
}

/* Samples are routed as findings are: to the outbox, unless an ARCHIVE filter archives them. */
static void test_samples_routed(void **state)
{
    struct cm_store_rule r = {
        .name = "all", .pattern = "{\"source\":[\"aws.guardduty\"]}", .enabled = true};
    char err[256] = "";

    (void)state;
    assert_int_equal(cm_store_rule_put(a_st, &r, err, sizeof(err)), 0);
    assert_int_equal(call("POST", "/detector/" A_DET "/filter", NULL,
                          "{\"name\":\"quiet-dns\",\"action\":\"ARCHIVE\",\"findingCriteria\":"
                          "{\"criterion\":{\"type\":{\"equals\":[\"CryptoCurrency:EC2/"
                          "BitcoinTool.B!DNS\"]}}}}"),
                     200);
    two_samples((char[2][80]){{0}});
    assert_int_equal(sql_int("SELECT archived FROM findings WHERE type = ?", t_dns), 1);
    assert_int_equal(sql_int("SELECT archived FROM findings WHERE type = ?", t_ssh), 0);
    assert_int_equal(cm_store_outbox_count(a_st), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox o JOIN findings f ON f.seq = o.fid"
                             " WHERE f.type = ?",
                             t_ssh),
                     1);
}

static void test_archive_unarchive(void **state)
{
    char ids[2][80], body[400];

    (void)state;
    two_samples(ids);
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\"]}", ids[0]);
    assert_int_equal(call("POST", P("archive"), NULL, body), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(sql_int("SELECT archived FROM findings WHERE id = ?", ids[0]), 1);
    assert_int_equal(sql_int("SELECT archived FROM findings WHERE id = ?", ids[1]), 0);
    assert_string_equal(sql_text("SELECT json_extract(d.doc, '$.service.archived') FROM "
                                 "finding_docs d JOIN findings f ON f.seq = d.seq WHERE f.id = ?",
                                 ids[0]),
                        "1");
    /* Unknown ids: nothing changes, the id is named. */
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\",\"%s\"]}", ids[1],
             "0123456789abcdef0123456789abcdef");
    assert_int_equal(call("POST", P("archive"), NULL, body), 400);
    a_error(400, "BadRequestException", "0123456789abcdef0123456789abcdef");
    assert_int_equal(sql_int("SELECT archived FROM findings WHERE id = ?", ids[1]), 0);
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\",\"%s\"]}", ids[0], ids[1]);
    assert_int_equal(call("POST", P("unarchive"), NULL, body), 200);
    assert_int_equal(sql_int("SELECT sum(archived) FROM findings", NULL), 0);
}

static void test_archive_invalid(void **state)
{
    char body[8192];
    size_t len;

    (void)state;
    assert_int_equal(call("POST", P("archive"), NULL, "{}"), 400);
    a_error(400, "BadRequestException", "findingIds: is required");
    assert_int_equal(call("POST", P("archive"), NULL, NULL), 400);
    a_error(400, "BadRequestException", "findingIds: is required");
    assert_int_equal(call("POST", P("unarchive"), NULL, "{\"findingIds\":[]}"), 400);
    a_error(400, "BadRequestException", "findingIds: must have 1 to 50 elements, has 0");
    assert_int_equal(call("POST", P("archive"), NULL, "{\"findingIds\":[\"\"]}"), 400);
    a_error(400, "BadRequestException", "findingIds[0]: must be 1 to 300 characters, has 0");
    assert_int_equal(call("POST", P("archive"), NULL, "{\"findingIds\":[\"a\"],\"findingIds\":[]}"),
                     400);
    a_error(400, "BadRequestException", "findingIds: given twice");
    len = (size_t)snprintf(body, sizeof(body), "{\"findingIds\":[");
    for (int i = 0; i < 51; i++) {
        len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"id%d\"", i ? "," : "", i);
    }
    snprintf(body + len, sizeof(body) - len, "]}");
    assert_int_equal(call("POST", P("archive"), NULL, body), 400);
    a_error(400, "BadRequestException", "findingIds: must have 1 to 50 elements, has 51");
    /* GET on an operation's path: 405. */
    assert_int_equal(call("GET", P("archive"), NULL, NULL), 405);
}

static void test_feedback(void **state)
{
    char ids[2][80], body[600], want[128];

    (void)state;
    two_samples(ids);
    snprintf(body, sizeof(body),
             "{\"findingIds\":[\"%s\",\"%s\"],\"feedback\":\"NOT_USEFUL\",\"comments\":\"our "
             "bastion\"}",
             ids[0], ids[1]);
    assert_int_equal(call("POST", P("feedback"), NULL, body), 200);
    a_ok();
    assert_string_equal(sql_text("SELECT json_extract(d.doc, '$.service.userFeedback') FROM "
                                 "finding_docs d JOIN findings f ON f.seq = d.seq WHERE f.id = ?",
                                 ids[1]),
                        "NOT_USEFUL");
    assert_string_equal(sql_text("SELECT b.comments FROM finding_feedback b JOIN findings f ON "
                                 "f.seq = b.fid WHERE f.id = ?",
                                 ids[0]),
                        "our bastion");
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\"],\"feedback\":\"USEFUL\"}", ids[0]);
    assert_int_equal(call("POST", P("feedback"), NULL, body), 200);
    assert_string_equal(sql_text("SELECT json_extract(d.doc, '$.service.userFeedback') FROM "
                                 "finding_docs d JOIN findings f ON f.seq = d.seq WHERE f.id = ?",
                                 ids[0]),
                        "USEFUL");
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\"],\"feedback\":\"GREAT\"}", ids[0]);
    assert_int_equal(call("POST", P("feedback"), NULL, body), 400);
    snprintf(want, sizeof(want), "feedback: must be USEFUL or NOT_USEFUL (byte %d)",
             (int)(strstr(body, "\"GREAT") - body));
    a_error(400, "BadRequestException", want);
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\"]}", ids[0]);
    assert_int_equal(call("POST", P("feedback"), NULL, body), 400);
    a_error(400, "BadRequestException", "feedback: is required");
    snprintf(body, sizeof(body), "{\"findingIds\":[\"%s\"],\"feedback\":\"USEFUL\",\"comments\":7}",
             ids[0]);
    assert_int_equal(call("POST", P("feedback"), NULL, body), 400);
    a_error(400, "BadRequestException", "comments: must be a string");
    assert_int_equal(call("POST", P("feedback"), NULL,
                          "{\"findingIds\":[\"feedfeedfeedfeedfeedfeedfeedfeed\"],\"feedback\":"
                          "\"USEFUL\"}"),
                     400);
    a_error(400, "BadRequestException", "feedfeedfeedfeedfeedfeedfeedfeed");
}

static void test_detector_check(void **state)
{
    (void)state;
    assert_int_equal(call("POST", "/detector/not-a-detector!/findings/archive", NULL,
                          "{\"findingIds\":[\"x\"]}"),
                     400);
    a_error(400, "BadRequestException", "detectorId is not owned by the current account");
    assert_string_equal(a_str("__type"), "InvalidInputException");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_samples_every_type, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_samples_chosen, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_samples_invalid, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_samples_routed, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_archive_unarchive, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_archive_invalid, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_feedback, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_detector_check, a_setup, a_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
