/*
 * libFuzzer target for lib/finding/criteria.h and the filter parser.
 *
 * The input is copied into an exact-size heap buffer and compiled as
 * FindingCriteria JSON (with and without the filter-only flags). When it
 * compiles, it is matched against fixed findings in API and EventBridge form,
 * written back in canonical form, and the canonical form must compile again
 * and give the same match results and the same bytes when written; any
 * mismatch aborts. The input is also parsed as a CreateFilter body, and the
 * first bytes are used as a wildcard pattern against the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "finding/criteria.h"
#include "finding/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char FINDING_API[] =
    "{\"type\":\"Recon:EC2/Portscan\",\"severity\":8,\"title\":\"a\\\"b\\u00e9\","
    "\"updatedAt\":\"2025-03-04T21:23:59.078Z\",\"createdAt\":\"bad time\","
    "\"resource\":{\"instanceDetails\":{\"imageId\":\"ami-1\",\"tags\":[{\"key\":\"k\","
    "\"value\":\"v\"},{\"key\":null,\"value\":[1,[2]]}],\"networkInterfaces\":[{"
    "\"privateIpAddress\":\"10.0.0.1\",\"securityGroups\":[{\"groupId\":\"sg-1\"}]}]}},"
    "\"service\":{\"archived\":\"false\",\"count\":\"12\",\"action\":{\"portProbeAction\":{"
    "\"portProbeDetails\":[{\"localPortDetails\":{\"port\":22}},{\"localPortDetails\":"
    "{\"port\":\"x\"}}]}},\"additionalInfo\":{\"value\":\"{\\\"inBytes\\\":5,"
    "\\\"threatListName\\\":\\\"P\\\",\\\"unusual\\\":{\\\"value\\\":\\\"{}\\\"}}\","
    "\"type\":\"default\"}}}";

static const char FINDING_EB[] =
    "{\"severity\":2.5,\"service\":{\"archived\":true,\"additionalInfo\":{\"inBytes\":\"7\"}},"
    "\"resource\":{\"instanceDetails\":[[{\"imageId\":\"ami-2\"}]]}}";

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static char *write_crit(const struct cm_criteria *c, size_t *len)
{
    struct cm_buf b;
    struct cm_jw jw;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_criteria_write(c, &jw);
    check(cm_jw_finish(&jw) == 0);
    return cm_buf_take(&b, len);
}

static void round_trip(const struct cm_criteria *c, const struct cm_json_doc docs[2])
{
    struct cm_criteria *c2 = NULL;
    size_t n1, n2;
    char *o1 = write_crit(c, &n1), *o2;

    check(o1 != NULL);
    check(cm_criteria_compile(o1, n1, 0, &c2, NULL) == 0);
    o2 = write_crit(c2, &n2);
    check(o2 != NULL && n1 == n2 && memcmp(o1, o2, n1) == 0);
    for (int i = 0; i < 2; i++) {
        check(cm_criteria_match(c, &docs[i], 0) == cm_criteria_match(c2, &docs[i], 0));
    }
    free(o1);
    free(o2);
    cm_criteria_destroy(c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    struct cm_json_doc docs[2];
    struct cm_criteria *c = NULL;
    struct cm_filter *f = NULL;
    struct cm_diag dg;
    size_t split;

    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, data, size);
    cm_json_doc_init(&docs[0], 0, 0);
    cm_json_doc_init(&docs[1], 0, 0);
    check(cm_json_parse(&docs[0], FINDING_API, sizeof(FINDING_API) - 1, NULL) == 0);
    check(cm_json_parse(&docs[1], FINDING_EB, sizeof(FINDING_EB) - 1, NULL) == 0);
    if (cm_criteria_compile(buf, size, 0, &c, &dg) == 0) {
        check(c != NULL);
        (void)cm_criteria_match(c, &docs[0], 0);
        (void)cm_criteria_match(c, &docs[1], 0);
        round_trip(c, docs);
        cm_criteria_destroy(c);
    } else {
        check(c == NULL && memchr(dg.msg, '\0', sizeof(dg.msg)) != NULL && dg.msg[0] != '\0');
    }
    if (cm_criteria_compile(buf, size, CM_CRIT_F_NO_MATCHES | CM_CRIT_F_NONEMPTY, &c, NULL) == 0) {
        cm_criteria_destroy(c);
    }
    if (cm_filter_parse(buf, size, NULL, &f, NULL) == 0) {
        check(cm_filter_name_check(cm_str_cstr(f->name), NULL) == 0);
        cm_filter_destroy(f);
    }
    split = size ? data[0] % (size + 1) : 0;
    (void)cm_glob_match(cm_str_make(buf, split), cm_str_make(buf + split, size - split));
    cm_json_doc_finish(&docs[0]);
    cm_json_doc_finish(&docs[1]);
    free(buf);
    return 0;
}
