/*
 * Time conversions: ISO-8601 / RFC 3339 text to milliseconds since the epoch
 * and back, proleptic Gregorian civil dates, and the compact stamps found in
 * AWS log object keys.
 *
 * The civil-date arithmetic follows the well-known days-from-civil idea (a
 * year that starts in March puts the leap day last, so a 400-year era has a
 * fixed day count and every step is plain integer math, no tables, no loops).
 *
 * cm_time_parse_iso() runs once per CloudTrail record, so the common
 * "YYYY-MM-DDTHH:MM:SSZ" shape is read at fixed positions before the general
 * parser (fractions and offsets) is tried. Nothing here reads the clock.
 */
#include "base/time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

#define MS_PER_DAY 86400000LL

/* Floor division and modulo for possibly negative numerators. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

int64_t cm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = (unsigned)(y - era * 400);                       /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

void cm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    mp = (5 * doy + 2) / 153;                      /* [0, 11] */
    *d = doy - (153 * mp + 2) / 5 + 1;             /* [1, 31] */
    *m = mp < 10 ? mp + 3 : mp - 9;                /* [1, 12] */
    *y = yy + (*m <= 2);
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29u : dim[m - 1];
}

/* n ASCII digits at p as a number, or -1 when one is not a digit. */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned)((unsigned char)p[i] - '0');
        if (c > 9) {
            return -1;
        }
        v = v * 10 + (int)c;
    }
    return v;
}

/* Validates fields and converts to seconds since the epoch. */
static int civil_to_secs(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 60) {
        return CM_EINVAL;
    }
    if ((unsigned)d > days_in_month((unsigned)y, (unsigned)mo)) {
        return CM_EINVAL;
    }
    *out = cm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
    return CM_OK;
}

/* Reads "YYYY-MM-DDTHH:MM:SS" at p (19 bytes known to be there). */
static int parse_date_time(const char *p, int64_t *secs)
{
    if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' ||
        p[16] != ':') {
        return CM_EINVAL;
    }
    return civil_to_secs(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2), digits(p + 11, 2),
                         digits(p + 14, 2), digits(p + 17, 2), secs);
}

int cm_time_parse_iso(struct cm_str s, int64_t *ms)
{
    const char *p = s.p;
    int64_t secs, frac = 0;
    int offset_min = 0;
    size_t i;

    if (p == NULL || s.len < 20) {
        return CM_EINVAL;
    }
    if (parse_date_time(p, &secs) != 0) {
        return CM_EINVAL;
    }
    /* Fast path: the shape CloudTrail and Resolver logs use. */
    if (s.len == 20 && (p[19] == 'Z' || p[19] == 'z')) {
        *ms = secs * 1000;
        return CM_OK;
    }
    i = 19;
    if (p[i] == '.' || p[i] == ',') {
        size_t start = ++i;
        while (i < s.len && p[i] >= '0' && p[i] <= '9') {
            if (i - start < 3) {
                frac = frac * 10 + (p[i] - '0');
            }
            i++;
        }
        if (i == start) {
            return CM_EINVAL;
        }
        for (size_t k = i - start; k < 3; k++) {
            frac *= 10;
        }
    }
    if (i >= s.len) {
        return CM_EINVAL; /* RFC 3339 requires a zone */
    }
    if (p[i] == 'Z' || p[i] == 'z') {
        i++;
    } else if (p[i] == '+' || p[i] == '-') {
        int sign = p[i] == '-' ? -1 : 1;
        int oh, om;
        size_t rest = s.len - i - 1;

        if (rest == 5 && p[i + 3] == ':') {
            oh = digits(p + i + 1, 2);
            om = digits(p + i + 4, 2);
        } else if (rest == 4) {
            oh = digits(p + i + 1, 2);
            om = digits(p + i + 3, 2);
        } else {
            return CM_EINVAL;
        }
        if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return CM_EINVAL;
        }
        offset_min = sign * (oh * 60 + om);
        i = s.len;
    } else {
        return CM_EINVAL;
    }
    if (i != s.len) {
        return CM_EINVAL;
    }
    *ms = (secs - (int64_t)offset_min * 60) * 1000 + frac;
    return CM_OK;
}

/* Writes v as exactly n digits (v >= 0). */
static void put_digits(char *out, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * Formats ms; with_ms picks the ".mmm" form. Years outside 0-9999 are written
 * with as many digits (and sign) as they need, so nothing is silently wrong.
 * Returns the full length; out gets at most outlen-1 bytes and a NUL.
 */
static size_t format_iso(int64_t ms, bool with_ms, char *out, size_t outlen)
{
    char tmp[48];
    int64_t days = floor_div(ms, MS_PER_DAY);
    int64_t rem = ms - days * MS_PER_DAY; /* [0, MS_PER_DAY) */
    unsigned sod = (unsigned)(rem / 1000), msec = (unsigned)(rem % 1000);
    int64_t y;
    unsigned mo, d;
    size_t n;

    cm_civil_from_days(days, &y, &mo, &d);
    if (y >= 0 && y <= 9999) {
        put_digits(tmp, (unsigned)y, 4);
        n = 4;
    } else {
        int k = snprintf(tmp, sizeof(tmp), "%lld", (long long)y);
        n = k > 0 ? (size_t)k : 0;
    }
    tmp[n] = '-';
    put_digits(tmp + n + 1, mo, 2);
    tmp[n + 3] = '-';
    put_digits(tmp + n + 4, d, 2);
    tmp[n + 6] = 'T';
    put_digits(tmp + n + 7, sod / 3600, 2);
    tmp[n + 9] = ':';
    put_digits(tmp + n + 10, (sod / 60) % 60, 2);
    tmp[n + 12] = ':';
    put_digits(tmp + n + 13, sod % 60, 2);
    n += 15;
    if (with_ms) {
        tmp[n] = '.';
        put_digits(tmp + n + 1, msec, 3);
        n += 4;
    }
    tmp[n++] = 'Z';
    if (outlen > 0) {
        size_t k = n < outlen - 1 ? n : outlen - 1;
        memcpy(out, tmp, k);
        out[k] = '\0';
    }
    return n;
}

size_t cm_time_format_iso(int64_t ms, char *out, size_t outlen)
{
    return format_iso(ms, true, out, outlen);
}

size_t cm_time_format_iso_s(int64_t ms, char *out, size_t outlen)
{
    return format_iso(ms, false, out, outlen);
}

/* Checks "YYYYMMDDTHHMMZ" at p (14 bytes available) and converts it. */
static int parse_key_stamp(const char *p, int64_t *ms)
{
    int64_t secs;

    if (p[8] != 'T' || p[13] != 'Z') {
        return CM_EINVAL;
    }
    if (civil_to_secs(digits(p, 4), digits(p + 4, 2), digits(p + 6, 2), digits(p + 9, 2),
                      digits(p + 11, 2), 0, &secs) != 0) {
        return CM_EINVAL;
    }
    *ms = secs * 1000;
    return CM_OK;
}

int cm_time_from_key(struct cm_str name, int64_t *ms)
{
    const char *p = name.p;

    if (p == NULL || name.len < 14) {
        return CM_ENOTFOUND;
    }
    /* Look for the 'T' at position 8 of a stamp, then check around it. */
    for (size_t i = 8; i + 6 <= name.len; i++) {
        const char *t = memchr(p + i, 'T', name.len - 5 - i);
        size_t at;

        if (t == NULL) {
            break;
        }
        at = (size_t)(t - p);
        i = at;
        if (at < 8) {
            continue;
        }
        /* The stamp must not be glued to more digits on either side. */
        if (at > 8 && p[at - 9] >= '0' && p[at - 9] <= '9') {
            continue;
        }
        if (parse_key_stamp(p + at - 8, ms) == 0) {
            return CM_OK;
        }
    }
    return CM_ENOTFOUND;
}

int cm_time_parse_iso_memo(struct cm_time_memo *m, struct cm_str s, int64_t *ms)
{
    int rc;

    if (m->len != 0 && s.len == m->len && memcmp(s.p, m->s, s.len) == 0) {
        *ms = m->ms;
        return CM_OK;
    }
    if ((rc = cm_time_parse_iso(s, ms)) != 0) {
        return rc;
    }
    if (s.len <= sizeof(m->s)) {
        memcpy(m->s, s.p, s.len);
        m->len = s.len;
        m->ms = *ms;
    }
    return CM_OK;
}
