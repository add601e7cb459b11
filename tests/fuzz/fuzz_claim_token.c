/*
 * libFuzzer target for a delivery claim's token as the store hands it back
 * (src/bus/claim.c, cm_bus_claim_gone): the deliveries.claim column, which
 * any process with write access to the store may have written.
 *
 * The input, as a NUL-terminated string in an exact-size heap buffer (over-reads
 * are caught), is asked whether its run is gone. It must not crash or read past
 * the string. A token that does not start with a positive pid, a '.', seconds,
 * a '.', nanoseconds (at most 999999999) and a '.' must never be taken for gone:
 * an unreadable claim holds until its lease ends. A token of this process made
 * now (cm_bus_claim_token) must never be gone. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/claim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Whether s has the token's form: digits '.' digits '.' digits '.' (a plain restatement). */
static int well_formed(const char *s)
{
    for (int part = 0; part < 3; part++) {
        const char *d = s;

        while (*s >= '0' && *s <= '9') {
            s++;
        }
        if (s == d || *s != '.') {
            return 0;
        }
        s++;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char own[CM_BUS_CLAIM_TOKEN_MAX];

    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (cm_bus_claim_gone(s)) {
        check(well_formed(s));
    }
    free(s);
    cm_bus_claim_token(own, sizeof(own));
    check(!cm_bus_claim_gone(own));
    return 0;
}
