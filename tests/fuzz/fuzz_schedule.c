/*
 * libFuzzer target for lib/route/schedule.h (EventBridge schedule expressions).
 *
 * The input, copied into an exact-size heap buffer so over-reads are caught,
 * is parsed as an expression. A refusal must say why, at an offset inside
 * the input. An expression that parses must give, from a few starting times,
 * next fire times that are strictly later, on a whole minute (cron) and
 * repeatable; and the next after a fire time must be later still. Any
 * violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t starts[] = {-86400000LL, 0, 951782400000LL /* 2000-02-29 */,
                                     1733356800000LL /* 2024-12-05 */,
                                     7258118400000LL /* 2200-01-01 */};
    char *text = malloc(size ? size : 1);
    struct cm_schedule s;
    struct cm_diag d;
    int rc;

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    rc = cm_schedule_parse(text, size, &s, &d);
    if (rc != 0) {
        check(rc < 0);
        check(memchr(d.msg, '\0', sizeof(d.msg)) != NULL && d.msg[0] != '\0');
        check(d.offset <= size);
    } else {
        for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
            int64_t n = cm_schedule_next(&s, starts[i]), m;
            check(n == cm_schedule_next(&s, starts[i]));
            if (n < 0) {
                continue;
            }
            check(n > starts[i]);
            check(s.kind != CM_SCHEDULE_CRON || n % 60000 == 0);
            m = cm_schedule_next(&s, n);
            check(m < 0 || m > n);
        }
    }
    free(text);
    return 0;
}
