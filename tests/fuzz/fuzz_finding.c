/*
 * libFuzzer target for the finding parser (lib/finding/finding_parse.c): the
 * store reads every finding back through it, and `findings` commands print
 * what it gives. The input is parsed as a GuardDuty finding document; when it
 * parses, it is written in every form (API, event, EventBridge, OCSF), and the
 * API form must parse again and write the same bytes (the round trip is
 * stable after one pass); any difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "finding/finding.h"
#include "finding/serialize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    struct cm_finding f, g;
    struct cm_buf a, b, other;

    if (in == NULL) {
        return 0;
    }
    memcpy(in, data, size);
    cm_finding_init(&f);
    cm_finding_init(&g);
    cm_buf_init(&a, 0);
    cm_buf_init(&b, 0);
    cm_buf_init(&other, 0);
    if (cm_finding_from_json(&f, in, size, NULL) == 0 &&
        cm_finding_to_json(&f, CM_FORM_API, &a) == 0) {
        (void)cm_finding_to_json(&f, CM_FORM_EVENT, &other);
        cm_buf_reset(&other);
        (void)cm_finding_to_eventbridge(&f, 1741082400000LL, &other);
        cm_buf_reset(&other);
        (void)cm_finding_to_ocsf(&f, "0.0.0", &other);
        /* What we wrote, we read, and write the same again. */
        check(cm_finding_from_json(&g, a.p, a.len, NULL) == 0);
        check(cm_finding_to_json(&g, CM_FORM_API, &b) == 0);
        check(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    }
    cm_buf_finish(&other);
    cm_buf_finish(&b);
    cm_buf_finish(&a);
    cm_finding_finish(&g);
    cm_finding_finish(&f);
    free(in);
    return 0;
}
