/*
 * EventBridge schedule expressions (docs/canaries.md, "Schedules"): when a
 * scheduled rule or a canary check fires. Three forms, as EventBridge and
 * EventBridge Scheduler write them, all in UTC:
 *
 *   rate(N minute|minutes|hour|hours|day|days)
 *       every N units; "1 minute" singular, "5 minutes" plural, as AWS
 *       insists. Fires at the multiples of the interval since the epoch
 *       (rate(1 hour): on the hour), so every process agrees on the times.
 *   cron(Minutes Hours Day-of-month Month Day-of-week Year)
 *       minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
 *       day-of-week 1-7 or SUN-SAT (1 = Sunday), year 1970-2199. Each field
 *       takes *, a value, a range a-b (wrapping: FRI-MON, 22-2), a step
 *       (* / a / a-b followed by /n) and comma lists of those. Exactly one of
 *       day-of-month and day-of-week is ?, the other constrains the day.
 *       Day-of-month also takes L (the last day), LW (the last weekday) and
 *       nW (the weekday nearest day n, within the month); day-of-week L (the
 *       last day of the week, Saturday), nL (the last weekday n of the month)
 *       and n#k (the k-th weekday n, k 1-5). Those special forms stand alone.
 *   at(yyyy-mm-ddThh:mm:ss)
 *       once, at that second.
 *
 * Pure: no I/O, no clock; the caller passes the time.
 */
#ifndef CM_ROUTE_SCHEDULE_H
#define CM_ROUTE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

#define CM_SCHEDULE_MAX_TEXT 256  /* longest expression accepted */
#define CM_SCHEDULE_YEAR_MIN 1970 /* cron's year bounds (AWS's) */
#define CM_SCHEDULE_YEAR_MAX 2199

enum cm_schedule_kind {
    CM_SCHEDULE_RATE = 1,
    CM_SCHEDULE_CRON,
    CM_SCHEDULE_AT,
};

/* Day-of-month and day-of-week special forms (cron). */
enum cm_schedule_day {
    CM_SCHEDULE_DAY_SET = 0,  /* the bit set */
    CM_SCHEDULE_DAY_ANY,      /* ? */
    CM_SCHEDULE_DAY_LAST,     /* dom L; dow nL (and L: 7L) */
    CM_SCHEDULE_DAY_LASTWEEK, /* dom LW */
    CM_SCHEDULE_DAY_NEAREST,  /* dom nW */
    CM_SCHEDULE_DAY_NTH,      /* dow n#k */
};

/* A parsed expression; plain data, copyable. */
struct cm_schedule {
    enum cm_schedule_kind kind;
    int64_t rate_ms; /* rate: the interval */
    int64_t at_ms;   /* at: the time */
    /* cron: a bit per allowed value */
    uint64_t minutes;         /* bits 0-59 */
    uint32_t hours;           /* bits 0-23 */
    uint32_t mdays;           /* bits 1-31 (dom DAY_SET) */
    uint16_t months;          /* bits 1-12 */
    uint8_t wdays;            /* bits 1-7, 1 = Sunday (dow DAY_SET) */
    uint64_t years[4];        /* bit y - 1970 */
    enum cm_schedule_day dom; /* how day-of-month constrains */
    enum cm_schedule_day dow; /* how day-of-week constrains */
    uint8_t dom_day;          /* nW: n */
    uint8_t dow_day, dow_nth; /* nL: n; n#k: n and k */
};

/*
 * Parses an expression (len bytes, not NUL-terminated). Returns 0, or
 * CM_EINVAL with diag (may be NULL) holding the byte offset of the problem
 * and the reason ("cron: field 3 (day-of-month): 32 is out of range 1-31").
 */
int cm_schedule_parse(const char *text, size_t len, struct cm_schedule *out, struct cm_diag *diag);

/*
 * The first fire time strictly after after_ms (epoch ms, UTC), on a whole
 * minute for cron, a whole second for at; -1 when there is none (an at()
 * past, a cron whose years have all gone by or whose days never occur,
 * such as 30 FEB).
 */
int64_t cm_schedule_next(const struct cm_schedule *s, int64_t after_ms);

#endif
