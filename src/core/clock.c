/*
 * The wall clock (see clock.h).
 */
#include "core/clock.h"

#include <time.h>

int64_t cm_clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
