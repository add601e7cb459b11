/*
 * libFuzzer target for the target kinds' spec checks (src/bus/target*.c:
 * exec, file, webhook, kafka, with the input members every kind takes,
 * cm_target_check), the text `coalmine targets put --spec` reads.
 *
 * The first byte picks the kind; the rest, copied into an exact-size heap
 * buffer so over-reads are caught, is the spec. check() must return 0 or
 * CM_EINVAL/CM_ENOMEM; on refusal err is non-empty and the canonical buffer
 * is left as it was; on success the canonical form is non-empty and is
 * itself accepted, with the same canonical form (a fixed point). Any
 * violation aborts. Nothing is delivered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "bus/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t nkinds(void)
{
    size_t n = 0;

    while (cm_target_kind_at(n) != NULL) {
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct cm_target_kind *k;
    struct cm_buf canon, again;
    char err[512];
    char *spec;
    int rc;

    if (size < 1) {
        return 0;
    }
    k = cm_target_kind_at(data[0] % nkinds());
    spec = malloc(size - 1 ? size - 1 : 1);
    if (spec == NULL) {
        return 0;
    }
    memcpy(spec, data + 1, size - 1);
    cm_buf_init(&canon, 1 << 20);
    cm_buf_init(&again, 1 << 20);
    err[0] = '\0';
    rc = cm_target_check(k, spec, size - 1, &canon, err, sizeof(err));
    if (rc != 0) {
        if ((rc != CM_EINVAL && rc != CM_ENOMEM) || err[0] == '\0' || canon.len != 0) {
            abort();
        }
    } else {
        if (canon.len == 0) {
            abort();
        }
        err[0] = '\0';
        if (cm_target_check(k, canon.p, canon.len, &again, err, sizeof(err)) != 0 ||
            again.len != canon.len || memcmp(again.p, canon.p, canon.len) != 0) {
            abort();
        }
    }
    cm_buf_finish(&canon);
    cm_buf_finish(&again);
    free(spec);
    return 0;
}
