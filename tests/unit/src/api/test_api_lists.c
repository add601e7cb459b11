/*
 * Unit tests for the list operations (src/api/api_lists.c,
 * api_lists_load.c) through cm_api_handle() on a temp store, for the four
 * kinds: create with activation from a path and a file:// URI, the status
 * and errorDetails of a list that cannot be read, that its reader rejects,
 * with no usable entry, with some bad records, an IPSet holding names;
 * validation (name, format, location, activate, expectedBucketOwner, unknown
 * member) naming the member; unique names; update (rename, deactivate,
 * re-read on activate and on a new location); delete; List* paging; unknown
 * ids and detectors; and a scan into the store loading the ACTIVE lists
 * (src/cli/scan_intel.c) and nothing else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_util.h"
#include "cli/scan_intel.h"
#include "intel/snapshot.h"

#define D(x) "/detector/" A_DET x

#define NO_SUCH "The request is rejected since no such resource found."

/* Writes text to a_dir/name; returns the path in a static buffer (4 rotating). */
static const char *file(const char *name, const char *text)
{
    static char out[4][600];
    static int k;
    FILE *f;

    k = (k + 1) % 4;
    snprintf(out[k], sizeof(out[k]), "%s/%s", a_dir, name);
    f = fopen(out[k], "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return out[k];
}

/* POST kind's create with name, format, location, activate; returns the status. The new id
 * (when 200) goes to id. */
static int create(const char *kind, const char *id_member, const char *name, const char *format,
                  const char *location, bool activate, char id[64])
{
    char body[1400], path[128];
    int st;

    snprintf(path, sizeof(path), "/detector/%s/%s", A_DET, kind);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"format\":\"%s\",\"location\":\"%s\",\"activate\":%s}", name,
             format, location, activate ? "true" : "false");
    st = call("POST", path, NULL, body);
    if (id != NULL) {
        snprintf(id, 64, "%s", st == 200 ? a_str(id_member) : "");
    }
    return st;
}

static int get(const char *kind, const char *id)
{
    char path[200];

    snprintf(path, sizeof(path), "/detector/%s/%s/%s", A_DET, kind, id);
    return call("GET", path, NULL, NULL);
}

static int update(const char *kind, const char *id, const char *body)
{
    char path[200];

    snprintf(path, sizeof(path), "/detector/%s/%s/%s", A_DET, kind, id);
    return call("POST", path, NULL, body);
}

static void test_create_get_threat_intel(void **state)
{
    const char *p = file("bad.txt", "# our list\n198.51.100.7\n203.0.113.0/24\n");
    char id[64];

    (void)state;
    assert_int_equal(create("threatintelset", "threatIntelSetId", "bad actors", "TXT", p, true, id),
                     200);
    a_ok();
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strspn(id, "0123456789abcdef"), 32);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("name"), "bad actors");
    assert_string_equal(a_str("format"), "TXT");
    assert_string_equal(a_str("location"), p);
    assert_string_equal(a_str("status"), "ACTIVE");
    assert_string_equal(a_str("errorDetails"), "");
    assert_non_null(strstr(a_body, "\"tags\":{}"));
    /* GetThreatIntelSetResponse has no times (the model's entity sets' have). */
    assert_int_equal(cm_json_path(&a_doc, 0, "createdAt"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&a_doc, 0, "updatedAt"), CM_JSON_NONE);
    /* Another kind does not see it. */
    assert_int_equal(get("ipset", id), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    assert_string_equal(a_str("__type"), "InvalidInputException");
}

static void test_entity_sets_and_uri(void **state)
{
    const char *p = file("ents.txt", "evil.example\n*.bad.example\n198.51.100.9\n");
    char id[64], uri[700];
    uint32_t v;

    (void)state;
    snprintf(uri, sizeof(uri), "file://%s", p);
    assert_int_equal(create("threatentityset", "threatEntitySetId", "ents", "TXT", uri, true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ACTIVE");
    assert_string_equal(a_str("location"), uri);
    /* An entity set's times: model timestamps, epoch seconds. */
    v = cm_json_path(&a_doc, 0, "createdAt");
    assert_int_not_equal(v, CM_JSON_NONE);
    assert_int_equal(cm_json_type(&a_doc, v), CM_JSON_NUMBER);
    assert_non_null(strstr(a_body, "\"createdAt\":1767229200"));
    assert_int_not_equal(cm_json_path(&a_doc, 0, "updatedAt"), CM_JSON_NONE);
    assert_int_equal(create("trustedentitysettt", "x", "nope", "TXT", p, true, NULL), 404);
    assert_int_equal(create("trustedentityset", "trustedEntitySetId", "ours", "TXT", p, false, id),
                     200);
    assert_int_equal(get("trustedentityset", id), 200);
    assert_string_equal(a_str("status"), "INACTIVE");
    /* An IPSet takes addresses only: names make it ERROR, saying why. */
    assert_int_equal(create("ipset", "ipSetId", "mixed", "TXT", p, true, id), 200);
    assert_int_equal(get("ipset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    assert_non_null(strstr(a_str("errorDetails"), "2 domain names"));
    assert_non_null(strstr(a_str("errorDetails"), "TrustedEntitySet"));
}

static void test_errors_become_status(void **state)
{
    char id[64], path[600];

    (void)state;
    snprintf(path, sizeof(path), "%s/missing.txt", a_dir);
    assert_int_equal(create("threatentityset", "threatEntitySetId", "gone", "TXT", path, true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    assert_non_null(strstr(a_str("errorDetails"), "missing.txt"));
    assert_non_null(strstr(a_str("errorDetails"), "No such file"));
    /* Nothing usable. */
    assert_int_equal(create("threatentityset", "threatEntitySetId", "junk", "TXT",
                            file("junk.txt", "10.0.0.1\n192.168.1.1\n"), true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    assert_non_null(strstr(a_str("errorDetails"), "no usable entry"));
    assert_non_null(strstr(a_str("errorDetails"), "line 1:"));
    /* A reader that rejects the file whole. */
    assert_int_equal(create("threatentityset", "threatEntitySetId", "notstix", "STIX",
                            file("x.xml", "this is not XML at all"), true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    assert_non_null(strstr(a_str("errorDetails"), "x.xml"));
    /* Some bad records: ACTIVE, and errorDetails says what was skipped. */
    assert_int_equal(create("threatentityset", "threatEntitySetId", "partly", "TXT",
                            file("partly.txt", "198.51.100.1\n10.1.2.3\nevil.example\n"), true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ACTIVE");
    assert_non_null(strstr(a_str("errorDetails"), "2 entries loaded, 1 record skipped: line 2:"));
}

/* A FIFO with no writer, a device or a directory is refused at once (ERROR), by path and by
 * file:// URI; before, the open of a FIFO waited for a writer and held the server's only
 * thread for good (alarm() fails the test instead of hanging it). */
static void test_special_files(void **state)
{
    char id[64], fifo[600], uri[700];
    const char *const locs[] = {
        fifo, uri, "/dev/zero", "file:///dev/null", "/", "file://localhost/dev/zero"};
    const char *const want[] = {"not a regular file", "not a regular file", "not a regular file",
                                "not a regular file", "a directory",        "not a regular file"};

    (void)state;
    snprintf(fifo, sizeof(fifo), "%s/list.fifo", a_dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(uri, sizeof(uri), "file://%s", fifo);
    for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "special%zu", i);
        alarm(10);
        assert_int_equal(
            create("threatentityset", "threatEntitySetId", name, "TXT", locs[i], true, id), 200);
        alarm(0);
        assert_int_equal(get("threatentityset", id), 200);
        assert_string_equal(a_str("status"), "ERROR");
        assert_non_null(strstr(a_str("errorDetails"), want[i]));
        assert_non_null(strstr(a_str("errorDetails"), locs[i]));
    }
    /* Not even opened: a writer waiting on a FIFO stays blocked (opening some devices acts). */
    {
        pid_t pid;
        int wst = 0;
        snprintf(fifo, sizeof(fifo), "%s/watched.fifo", a_dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            alarm(2);
            _exit(open(fifo, O_WRONLY) >= 0 ? 0 : 1);
        }
        nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL); /* the child in its open */
        assert_int_equal(
            create("threatentityset", "threatEntitySetId", "watched", "TXT", fifo, true, id), 200);
        assert_int_equal(waitpid(pid, &wst, 0), pid);
        assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGALRM);
    }
    /* A file:// URI is percent-decoded; another host is refused. */
    file("sp ace.txt", "198.51.100.7\n");
    snprintf(uri, sizeof(uri), "file://%s/sp%%20ace.txt", a_dir);
    assert_int_equal(create("threatentityset", "threatEntitySetId", "spaced", "TXT", uri, true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ACTIVE");
    assert_int_equal(create("threatentityset", "threatEntitySetId", "remote", "TXT",
                            "file://example.com/etc/hosts", true, id),
                     200);
    assert_int_equal(get("threatentityset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    assert_non_null(strstr(a_str("errorDetails"), "file:///PATH"));
}

static void test_validation(void **state)
{
    const char *p = file("ok.txt", "198.51.100.7\n");
    char body[800];

    (void)state;
    assert_int_equal(create("ipset", "ipSetId", "a", "TXT", "s3://bucket/list.txt", true, NULL),
                     400);
    a_error(400, "BadRequestException", "location: s3:// locations are not read");
    assert_int_equal(create("ipset", "ipSetId", "a", "TXT", "lists/ok.txt", true, NULL), 400);
    a_error(400, "BadRequestException", "location: must be an absolute path");
    /* The service fetches a URL location: never instance metadata for an API caller. */
    assert_int_equal(create("ipset", "ipSetId", "a", "TXT",
                            "http://169.254.169.254/latest/meta-data/iam/security-credentials/r",
                            true, NULL),
                     400);
    a_error(400, "BadRequestException",
            "location: host 169.254.169.254 is link-local or instance metadata (169.254.169.254)");
    assert_null(strstr(a_str("message"), "location: location")); /* the member named once */
    assert_int_equal(create("threatintelset", "threatIntelSetId", "a", "TXT",
                            "http://[fd00:ec2::254]/x", true, NULL),
                     400);
    a_error(400, "BadRequestException", "location: host fd00:ec2::254 is link-local");
    assert_int_equal(create("ipset", "ipSetId", "a", "CSV", p, true, NULL), 400);
    a_error(400, "BadRequestException", "format: must be TXT, STIX");
    assert_int_equal(
        create("threatentityset", "threatEntitySetId", "with space", "TXT", p, true, NULL), 400);
    a_error(400, "BadRequestException", "name: may hold letters, digits, '-' and '_' only");
    assert_int_equal(create("ipset", "ipSetId", "semi;colon", "TXT", p, true, NULL), 400);
    a_error(400, "BadRequestException", "name: may hold letters, digits, spaces");
    assert_int_equal(create("ipset", "ipSetId", "", "TXT", p, true, NULL), 400);
    a_error(400, "BadRequestException", "name: must be 1 to 300 characters, has 0 (byte 8)");
    snprintf(body, sizeof(body), "{\"name\":\"a\",\"format\":\"TXT\",\"location\":\"%s\"}", p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 400);
    a_error(400, "BadRequestException", "activate: is required");
    snprintf(body, sizeof(body),
             "{\"name\":\"a\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":\"yes\"}", p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 400);
    a_error(400, "BadRequestException", "activate: must be a boolean");
    snprintf(body, sizeof(body),
             "{\"name\":\"a\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":true,"
             "\"expectedBucketOwner\":\"12345\"}",
             p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 400);
    a_error(400, "BadRequestException", "expectedBucketOwner: must be 12 characters");
    /* One policy for every operation: a repeated member is refused, an unknown one (or an
     * UpperCamel spelling, which is another name) ignored. */
    snprintf(body, sizeof(body),
             "{\"name\":\"a\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":true,"
             "\"activate\":false}",
             p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 400);
    a_error(400, "BadRequestException", "activate: given twice");
    snprintf(body, sizeof(body),
             "{\"Name\":\"b\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":true}", p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 400);
    a_error(400, "BadRequestException", "name: is required");
    snprintf(body, sizeof(body),
             "{\"name\":\"a\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":true,"
             "\"colour\":1}",
             p);
    assert_int_equal(call("POST", D("/ipset"), NULL, body), 200);
    assert_int_equal(call("POST", D("/ipset"), NULL, "{\"name\":"), 400);
    a_error(400, "BadRequestException", "not valid JSON");
    /* Names are unique among every kind of list. */
    assert_int_equal(create("ipset", "ipSetId", "dup", "TXT", p, true, NULL), 200);
    assert_int_equal(create("threatintelset", "threatIntelSetId", "dup", "TXT", p, true, NULL),
                     400);
    a_error(400, "BadRequestException", "name: a list named dup already exists");
    /* Detector. */
    assert_int_equal(call("GET", "/detector/ffffffffffffffffffffffffffffffff/ipset", NULL, NULL),
                     400);
    a_error(400, "BadRequestException", "detectorId is not owned by the current account");
    /* Tags: kept and answered. */
    snprintf(body, sizeof(body),
             "{\"name\":\"tagged\",\"format\":\"TXT\",\"location\":\"%s\",\"activate\":true,"
             "\"tags\":{\"owner\":\"soc\"},\"expectedBucketOwner\":\"111122223333\"}",
             p);
    assert_int_equal(call("POST", D("/threatintelset"), NULL, body), 200);
    {
        char id[64];
        snprintf(id, sizeof(id), "%s", a_str("threatIntelSetId"));
        assert_int_equal(get("threatintelset", id), 200);
        assert_string_equal(a_str("tags.owner"), "soc");
        assert_string_equal(a_str("expectedBucketOwner"), "111122223333");
    }
}

static void test_update_delete(void **state)
{
    const char *p = file("v1.txt", "198.51.100.7\n");
    char id[64], body[800];

    (void)state;
    assert_int_equal(create("threatintelset", "threatIntelSetId", "moving", "TXT", p, true, id),
                     200);
    /* Rename. */
    assert_int_equal(update("threatintelset", id, "{\"name\":\"moved\"}"), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("name"), "moved");
    assert_string_equal(a_str("status"), "ACTIVE");
    /* Deactivate. */
    assert_int_equal(update("threatintelset", id, "{\"activate\":false}"), 200);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("status"), "INACTIVE");
    /* A new location on an INACTIVE list is only recorded; activating reads it. */
    snprintf(body, sizeof(body), "{\"location\":\"%s/none.txt\"}", a_dir);
    assert_int_equal(update("threatintelset", id, body), 200);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("status"), "INACTIVE");
    assert_int_equal(update("threatintelset", id, "{\"activate\":true}"), 200);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("status"), "ERROR");
    /* Moving an ERROR (or ACTIVE) list re-reads it. */
    snprintf(body, sizeof(body), "{\"location\":\"%s\"}", p);
    assert_int_equal(update("threatintelset", id, body), 200);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("status"), "ACTIVE");
    assert_string_equal(a_str("errorDetails"), "");
    /* Validation on update too. */
    /* format is fixed at creation: UpdateThreatIntelSet has no such member, so it is ignored. */
    assert_int_equal(update("threatintelset", id, "{\"format\":\"STIX\"}"), 200);
    assert_int_equal(get("threatintelset", id), 200);
    assert_string_equal(a_str("format"), "TXT");
    assert_int_equal(update("threatintelset", id, "{\"location\":\"s3://b/k\"}"), 400);
    a_error(400, "BadRequestException", "location: s3://");
    assert_int_equal(update("threatintelset", "0123456789abcdef0123456789abcdef", "{}"), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    /* Delete. */
    snprintf(body, sizeof(body), "/detector/%s/threatintelset/%s", A_DET, id);
    assert_int_equal(call("DELETE", body, NULL, NULL), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(call("DELETE", body, NULL, NULL), 400);
    a_error(400, "BadRequestException", NO_SUCH);
    assert_int_equal(get("threatintelset", id), 400);
    /* The name is free again. */
    assert_int_equal(create("threatintelset", "threatIntelSetId", "moved", "TXT", p, true, id),
                     200);
}

static void test_list_paging(void **state)
{
    const char *p = file("l.txt", "198.51.100.7\n");
    char ids[5][64], seen[8][64], token[80] = "", q[200], name[32];
    int nseen = 0;

    (void)state;
    assert_int_equal(call("GET", D("/ipset"), NULL, NULL), 200);
    assert_string_equal(a_body, "{\"ipSetIds\":[]}");
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "list-%d", i);
        assert_int_equal(create("ipset", "ipSetId", name, "TXT", p, false, ids[i]), 200);
    }
    assert_int_equal(create("threatintelset", "threatIntelSetId", "other", "TXT", p, false, NULL),
                     200);
    do {
        snprintf(q, sizeof(q), "maxResults=2%s%s", token[0] ? "&nextToken=" : "", token);
        assert_int_equal(call("GET", D("/ipset"), q, NULL), 200);
        assert_true(a_count("ipSetIds") <= 2);
        for (int i = 0; i < a_count("ipSetIds"); i++) {
            struct cm_str raw = cm_json_raw(
                &a_doc, cm_json_index(&a_doc, cm_json_path(&a_doc, 0, "ipSetIds"), (uint32_t)i));
            snprintf(seen[nseen++], sizeof(seen[0]), "%.*s", (int)raw.len, raw.p);
        }
        snprintf(token, sizeof(token), "%s", a_str("nextToken"));
    } while (token[0] && nseen < 8);
    assert_int_equal(nseen, 5);
    for (int i = 0; i < 5; i++) {
        int found = 0;
        for (int j = 0; j < nseen; j++) {
            found += strcmp(ids[i], seen[j]) == 0;
        }
        assert_int_equal(found, 1);
    }
    for (int j = 1; j < nseen; j++) {
        assert_true(strcmp(seen[j - 1], seen[j]) < 0);
    }
    assert_int_equal(call("GET", D("/threatintelset"), "maxResults=50", NULL), 200);
    assert_int_equal(a_count("threatIntelSetIds"), 1);
    assert_string_equal(a_str("nextToken"), "");
    assert_int_equal(call("GET", D("/ipset"), "maxResults=100", NULL), 400);
    a_error(400, "BadRequestException", "maxResults: must be an integer from 1 to 50");
}

/* A scan into the store loads its ACTIVE lists, with their kinds, and not the others. */
static void test_scan_loads_active(void **state)
{
    struct cm_scan_intel si;
    struct cm_intel_match m;
    struct cm_ip ip;
    char err[512] = "", id[64], shr[600], shr2[600];
    const struct cm_intel_list *l;

    (void)state;
    assert_int_equal(create("threatintelset", "threatIntelSetId", "api-threats", "TXT",
                            file("t.txt", "198.51.100.7\n203.0.113.0/24\n"), true, id),
                     200);
    assert_int_equal(create("trustedentityset", "trustedEntitySetId", "api-trusted", "TXT",
                            file("u.txt", "203.0.113.5\npartner.example\n"), true, id),
                     200);
    assert_int_equal(create("threatentityset", "threatEntitySetId", "api-off", "TXT",
                            file("o.txt", "192.0.2.200\n"), false, id),
                     200);
    memset(&si, 0, sizeof(si));
    si.no_default = false;
    si.intel_dir = a_dir; /* an empty intel directory */
    si.store_path = a_path;
    /* An empty bundle. */
    snprintf(shr, sizeof(shr), "%s/share", a_dir);
    assert_int_equal(mkdir(shr, 0755), 0);
    snprintf(shr2, sizeof(shr2), "%s/share/intel", a_dir);
    assert_int_equal(mkdir(shr2, 0755), 0);
    file("share/intel/manifest.json", "{\"version\":1,\"bundle\":\"t\",\"builtin\":[],"
                                      "\"feeds\":[]}");
    setenv("COALMINE_SHARE", shr, 1);
    if (cm_scan_intel_open(&si, true, err, sizeof(err)) != 0) {
        fail_msg("cm_scan_intel_open: %s", err);
    }
    assert_non_null(si.snap);
    assert_int_equal(cm_intel_snapshot_nlists(si.snap), 2);
    l = cm_intel_snapshot_list(si.snap, 0);
    assert_int_equal((int)l->name.len, 11);
    assert_int_equal(cm_ip_parse(cm_str_cstr("198.51.100.7"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(si.snap, &ip, &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
    assert_int_equal(cm_ip_parse(cm_str_cstr("203.0.113.5"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(si.snap, &ip, &m), CM_INTEL_TRUSTED);
    assert_int_equal(cm_intel_check_domain(si.snap, cm_str_cstr("www.partner.example"), &m),
                     CM_INTEL_TRUSTED);
    assert_int_equal(cm_ip_parse(cm_str_cstr("192.0.2.200"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(si.snap, &ip, &m), CM_INTEL_NONE);
    cm_scan_intel_close(&si);
    /* --no-default-intel leaves them out. */
    memset(&si, 0, sizeof(si));
    si.no_default = true;
    si.store_path = a_path;
    assert_int_equal(cm_scan_intel_open(&si, true, err, sizeof(err)), 0);
    assert_null(si.snap);
    cm_scan_intel_close(&si);
    unsetenv("COALMINE_SHARE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_threat_intel, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_entity_sets_and_uri, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_errors_become_status, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_special_files, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_validation, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_update_delete, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_scan_loads_active, a_setup, a_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
