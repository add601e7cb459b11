/*
 * libFuzzer target for lib/route/pattern.h (EventBridge event patterns).
 *
 * The input is split at its first NUL byte (without one, in half): the part
 * before is compiled as an event pattern, the part after is the event. Each
 * part is copied into an exact-size heap buffer so over-reads are caught.
 * A pattern that compiles is matched against the event (when it parses) and
 * against fixed events: a GuardDuty envelope, one with escapes, nested
 * arrays and long numbers, and a scalar root. Matching must be repeatable
 * and cm_pattern_match_json must agree with parse-then-match. A rejected
 * pattern must leave *out NULL and a non-empty reason with an offset inside
 * the input. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "route/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char EV_ENVELOPE[] =
    "{\"version\":\"0\",\"detail-type\":\"GuardDuty Finding\",\"source\":\"aws.guardduty\","
    "\"account\":\"111122223333\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
    "\"type\":\"CryptoCurrency:EC2/BitcoinTool.B!DNS\",\"severity\":8,\"resource\":{"
    "\"resourceType\":\"Instance\",\"instanceDetails\":{\"platform\":null,\"productCodes\":[],"
    "\"networkInterfaces\":[{\"privateIpAddress\":\"10.0.1.14\",\"ipv6Addresses\":[]},"
    "{\"privateIpAddress\":\"172.31.7.9\",\"ipv6Addresses\":[\"2600:1f18::7\"]}],"
    "\"tags\":[{\"key\":\"Name\",\"value\":\"web-01\"},{\"key\":\"env\",\"value\":\"prod\"}]}},"
    "\"service\":{\"archived\":false,\"count\":278,\"resourceRole\":\"TARGET\"}}}";

static const char EV_ODD[] =
    "{\"a\":\"\\u0041b\\\\*c\\ud83d\\ude00\",\"b\":[[1,[2.5e1]],{\"c\":[\"x\",null]},[]],"
    "\"n\":-0.000000000000000000000000000000000000000000000000000000000000000000000000001e75,"
    "\"\\u0024or\":{\"x\":true},\"d\":{\"e\":{}},\"ip\":\"::ffff:10.0.0.1\"}";

static const char EV_SCALAR[] = "\"just a string\"";

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Copies n bytes into an exact-size heap buffer (1 byte for n == 0). */
static char *dup_exact(const uint8_t *p, size_t n)
{
    char *b = malloc(n ? n : 1);

    if (b != NULL && n > 0) {
        memcpy(b, p, n);
    }
    return b;
}

/* Matches p against JSON text both ways; they must agree and repeat. */
static void match_text(const struct cm_pattern *p, const char *text, size_t len)
{
    struct cm_json_doc d;
    struct cm_diag dg;
    bool m1 = false, m2;
    int rc;

    cm_json_doc_init(&d, 0, 0);
    rc = cm_json_parse(&d, text, len, NULL);
    if (rc == 0) {
        m1 = cm_pattern_match(p, &d, 0);
        check(cm_pattern_match(p, &d, 0) == m1);
        for (uint32_t i = 1; i < d.n && i < 8; i++) {
            (void)cm_pattern_match(p, &d, i);
        }
    }
    m2 = !m1;
    check(cm_pattern_match_json(p, text, len, &m2, &dg) == rc);
    check(rc == 0 ? m2 == m1 : !m2);
    cm_json_doc_finish(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size / 2;
    size_t elen = nul ? size - plen - 1 : size - plen;
    char *pat = dup_exact(data, plen), *ev = dup_exact(data + size - elen, elen);
    struct cm_pattern *p = (struct cm_pattern *)&p;
    struct cm_diag dg;
    int rc;

    if (pat == NULL || ev == NULL) {
        free(pat);
        free(ev);
        return 0;
    }
    rc = cm_pattern_compile(pat, plen, &p, &dg);
    if (rc != 0) {
        check(p == NULL && rc < 0);
        check(memchr(dg.msg, '\0', sizeof(dg.msg)) != NULL && dg.msg[0] != '\0');
        check(dg.offset <= plen);
    } else {
        check(p != NULL);
        match_text(p, ev, elen);
        match_text(p, EV_ENVELOPE, sizeof(EV_ENVELOPE) - 1);
        match_text(p, EV_ODD, sizeof(EV_ODD) - 1);
        match_text(p, EV_SCALAR, sizeof(EV_SCALAR) - 1);
        cm_pattern_destroy(p);
    }
    free(pat);
    free(ev);
    return 0;
}
