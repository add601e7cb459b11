/*
 * Time values are int64 milliseconds since the Unix epoch, UTC. lib/ never
 * reads the clock; these functions only convert.
 */
#ifndef CM_BASE_TIME_H
#define CM_BASE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/*
 * Parses ISO-8601 / RFC 3339 timestamps as AWS writes them:
 * "2025-03-04T10:00:00Z", with optional fraction ("...:00.123Z", any number of
 * digits, truncated to ms) and an optional numeric offset ("+02:00", "-0500")
 * instead of Z. Validates ranges (month, day per month and leap years, hour <
 * 24, minute < 60, second <= 60). Returns 0 or CM_EINVAL.
 */
int cm_time_parse_iso(struct cm_str s, int64_t *ms);

/*
 * The last timestamp cm_time_parse_iso_memo parsed: log records come in
 * time order, many to a second, so most timestamps repeat the one before.
 * Zero it before first use.
 */
struct cm_time_memo {
    char s[40];
    size_t len; /* 0: none */
    int64_t ms;
};

/* cm_time_parse_iso, answered from *m when s repeats the last valid one. */
int cm_time_parse_iso_memo(struct cm_time_memo *m, struct cm_str s, int64_t *ms);

/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (ms==1 digit group always) into out (>= 25 bytes). */
size_t cm_time_format_iso(int64_t ms, char *out, size_t outlen);
/* Formats ms as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, CloudTrail's form) into out (>= 21 bytes).
 */
size_t cm_time_format_iso_s(int64_t ms, char *out, size_t outlen);

/* Days since epoch for a civil date, and back (proleptic Gregorian). */
int64_t cm_days_from_civil(int64_t y, unsigned m, unsigned d);
void cm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/*
 * Finds a compact UTC stamp "YYYYMMDDTHHMMZ" (as in AWS log object keys, e.g.
 * "..._CloudTrail_us-east-1_20250304T1005Z_ab12.json.gz") anywhere in name.
 * Returns 0 and sets *ms, or CM_ENOTFOUND.
 */
int cm_time_from_key(struct cm_str name, int64_t *ms);

#endif
