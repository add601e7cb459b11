/*
 * The wall clock, for the times coalmine stamps itself (when a scan
 * started, when a filter or feedback was saved, "now" for relative CLI
 * times). Event time never comes from here: detection runs on the logs'
 * own timestamps (lib/ reads no clock).
 */
#ifndef CM_CORE_CLOCK_H
#define CM_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t cm_clock_now_ms(void);

#endif
