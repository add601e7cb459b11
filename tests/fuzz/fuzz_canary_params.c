/*
 * libFuzzer target for a canary check's parameters (src/canary/canary_params.c):
 * the JSON object `coalmine canary put --params` takes, validated against a
 * kind's table of parameters.
 *
 * The input, in an exact-size heap buffer, is checked against a kind with a
 * string with choices, a free string with length bounds, a whole number and
 * a number with a default. A refusal must say why. An accepted object must
 * give a canonical form that is accepted again and is its own canonical form
 * (idempotent), and read back into values within the table's bounds. Any
 * violation aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "canary/canary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sources[] = {"cloudtrail", "vpcflow", "dns", "s3data", NULL};

static const struct cm_canary_param params[] = {
    {"source", CM_CANARY_P_STRING, true, 1, 16, 0, sources},
    {"max_age_minutes", CM_CANARY_P_INT, true, 1, 525600, 0, NULL},
    {"account", CM_CANARY_P_STRING, false, 12, 12, 0, NULL},
    {"ratio", CM_CANARY_P_NUMBER, false, 0, 1, 0.01, NULL},
};

static const struct cm_canary_kind kind = {"fuzz", "fuzz", params, 4, NULL};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1), err[256] = "";
    struct cm_buf c1, c2;
    struct cm_canary_val v[CM_CANARY_MAX_PARAMS];
    int rc;

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    cm_buf_init(&c1, 0);
    cm_buf_init(&c2, 0);
    rc = cm_canary_params_check(&kind, text, size, &c1, err, sizeof(err));
    if (rc != 0) {
        check(rc == CM_EINVAL || rc == CM_ENOMEM);
        check(rc == CM_ENOMEM || err[0] != '\0');
        check(c1.len == 0);
    } else {
        check(cm_canary_params_check(&kind, c1.p, c1.len, &c2, err, sizeof(err)) == 0);
        check(c1.len == c2.len && memcmp(c1.p, c2.p, c1.len) == 0);
        check(cm_buf_putc(&c1, '\0') == 0);
        check(cm_canary_params_read(&kind, c1.p, v, err, sizeof(err)) == 0);
        check(v[0].set && strlen(v[0].str) >= 1 && strlen(v[0].str) <= 16);
        check(v[1].num >= 1 && v[1].num <= 525600 && v[1].num == floor(v[1].num));
        check(!v[2].set || strlen(v[2].str) == 12);
        check(v[3].num >= 0 && v[3].num <= 1);
    }
    cm_buf_finish(&c1);
    cm_buf_finish(&c2);
    free(text);
    return 0;
}
