/*
 * EventBridge schedule expressions: rate(), cron() and at() (see schedule.h).
 *
 * A cron field is read into a 256-bit set of allowed values (the year's
 * offset from 1970), then copied into the schedule's own masks. The next
 * fire time walks the calendar a day at a time, jumping whole years and
 * months that are not allowed, and takes the first allowed minute of the
 * first allowed day; 230 years of days bound the walk.
 */
#include "route/schedule.h"

#include <string.h>

#include "base/err.h"
#include "base/time.h"

#define MINUTE_MS 60000LL
#define DAY_MS    86400000LL
#define RATE_MAX  1000000 /* the largest N of rate(N unit) */

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/* One cron field: its place, name, bounds and value names (value lo + i is names[i]). */
struct field {
    int no;
    const char *name;
    int lo, hi;
    const char *const *names;
    bool cyclic; /* a range may wrap (FRI-MON) */
};

static const struct field fields[6] = {
    {1, "minutes", 0, 59, NULL, true},
    {2, "hours", 0, 23, NULL, true},
    {3, "day-of-month", 1, 31, NULL, true},
    {4, "month", 1, 12, month_names, true},
    {5, "day-of-week", 1, 7, day_names, true},
    {6, "year", CM_SCHEDULE_YEAR_MIN, CM_SCHEDULE_YEAR_MAX, NULL, false},
};

/* A field's allowed values, bit v - lo. */
struct set {
    uint64_t w[4];
};

static void set_bit(struct set *s, int i)
{
    s->w[i / 64] |= 1ULL << (i % 64);
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * Reads a value of field f (a number, or one of its names in any case) from
 * p[0..n). Returns 0, or CM_EINVAL with diag set at offset off.
 */
static int value(const char *p, size_t n, const struct field *f, size_t off, int *out,
                 struct cm_diag *diag)
{
    long v = 0;
    size_t i;

    if (n == 0) {
        cm_diag_set(diag, off, "cron: field %d (%s): a value is missing", f->no, f->name);
        return CM_EINVAL;
    }
    if (f->names != NULL && n == 3 && !(p[0] >= '0' && p[0] <= '9')) {
        for (int k = 0; k <= f->hi - f->lo; k++) {
            if (upper(p[0]) == f->names[k][0] && upper(p[1]) == f->names[k][1] &&
                upper(p[2]) == f->names[k][2]) {
                *out = f->lo + k;
                return CM_OK;
            }
        }
    }
    for (i = 0; i < n && p[i] >= '0' && p[i] <= '9' && v <= 100000; i++) {
        v = v * 10 + (p[i] - '0');
    }
    if (i < n || n > 6) {
        cm_diag_set(diag, off, "cron: field %d (%s): '%.*s' is not a %s", f->no, f->name,
                    (int)(n > 20 ? 20 : n), p, f->names ? "number or a name" : "number");
        return CM_EINVAL;
    }
    if (v < f->lo || v > f->hi) {
        cm_diag_set(diag, off, "cron: field %d (%s): %ld is out of range %d-%d", f->no, f->name, v,
                    f->lo, f->hi);
        return CM_EINVAL;
    }
    *out = (int)v;
    return CM_OK;
}

/* Position of the first c in p[0..n), or n. */
static size_t find(const char *p, size_t n, char c)
{
    const char *q = memchr(p, c, n);

    return q ? (size_t)(q - p) : n;
}

/* One list item of field f: *, a, a-b, each optionally /step; sets its values in s. */
static int item(const char *p, size_t n, const struct field *f, size_t off, struct set *s,
                struct cm_diag *diag)
{
    size_t slash = find(p, n, '/'), dash;
    int a = f->lo, b = f->hi, step = 1, span = f->hi - f->lo + 1, len;
    int rc;

    if (slash < n) {
        struct field stepf = {f->no, f->name, 1, span, NULL, false};
        if ((rc = value(p + slash + 1, n - slash - 1, &stepf, off + slash + 1, &step, diag)) != 0) {
            return rc;
        }
    }
    if (slash == 1 && p[0] == '*') {
        /* every value */
    } else if (slash == 0) {
        cm_diag_set(diag, off, "cron: field %d (%s): a step needs a start (*/n or a/n)", f->no,
                    f->name);
        return CM_EINVAL;
    } else if ((dash = find(p, slash, '-')) < slash) {
        if ((rc = value(p, dash, f, off, &a, diag)) != 0 ||
            (rc = value(p + dash + 1, slash - dash - 1, f, off + dash + 1, &b, diag)) != 0) {
            return rc;
        }
        if (a > b && !f->cyclic) {
            cm_diag_set(diag, off, "cron: field %d (%s): range %d-%d goes backwards", f->no,
                        f->name, a, b);
            return CM_EINVAL;
        }
    } else {
        if ((rc = value(p, slash, f, off, &a, diag)) != 0) {
            return rc;
        }
        b = slash < n ? f->hi : a; /* a/n: from a to the end */
    }
    len = (b - a + span) % span;
    for (int k = 0; k <= len; k += step) {
        set_bit(s, (a - f->lo + k) % span);
    }
    return CM_OK;
}

/* Field f (p[0..n), at offset off) as a comma list of items. */
static int field_set(const char *p, size_t n, const struct field *f, size_t off, struct set *s,
                     struct cm_diag *diag)
{
    size_t i = 0;
    int rc;

    memset(s, 0, sizeof(*s));
    for (;;) {
        size_t k = find(p + i, n - i, ',');
        if (k == 0) {
            cm_diag_set(diag, off + i, "cron: field %d (%s): an empty list item", f->no, f->name);
            return CM_EINVAL;
        }
        if ((rc = item(p + i, k, f, off + i, s, diag)) != 0) {
            return rc;
        }
        i += k;
        if (i == n) {
            return CM_OK;
        }
        i++; /* the comma */
        if (i == n) {
            cm_diag_set(diag, off + i, "cron: field %d (%s): an empty list item", f->no, f->name);
            return CM_EINVAL;
        }
    }
}

/* The special forms of day-of-month: L, LW, nW. Returns 1 when p is one (parsed), 0 when not. */
static int dom_special(const char *p, size_t n, size_t off, struct cm_schedule *s, int *rc,
                       struct cm_diag *diag)
{
    int d;

    if (n == 1 && upper(p[0]) == 'L') {
        s->dom = CM_SCHEDULE_DAY_LAST;
        return 1;
    }
    if (n == 2 && upper(p[0]) == 'L' && upper(p[1]) == 'W') {
        s->dom = CM_SCHEDULE_DAY_LASTWEEK;
        return 1;
    }
    if (n >= 2 && upper(p[n - 1]) == 'W') {
        *rc = value(p, n - 1, &fields[2], off, &d, diag);
        s->dom = CM_SCHEDULE_DAY_NEAREST;
        s->dom_day = (uint8_t)d;
        return 1;
    }
    if (find(p, n, 'L') < n || find(p, n, 'W') < n || find(p, n, 'l') < n || find(p, n, 'w') < n) {
        cm_diag_set(diag, off, "cron: field 3 (day-of-month): L and W stand alone (L, LW, nW)");
        *rc = CM_EINVAL;
        return 1;
    }
    return 0;
}

/* The special forms of day-of-week: L, nL, n#k. Returns 1 when p is one (parsed), 0 when not. */
static int dow_special(const char *p, size_t n, size_t off, struct cm_schedule *s, int *rc,
                       struct cm_diag *diag)
{
    size_t hash = find(p, n, '#');
    int d, k;

    if (n == 1 && upper(p[0]) == 'L') {
        s->dow = CM_SCHEDULE_DAY_LAST;
        s->dow_day = 7;
        return 1;
    }
    if (hash < n) {
        struct field nth = {5, "day-of-week", 1, 5, NULL, false};
        if ((*rc = value(p, hash, &fields[4], off, &d, diag)) == 0 &&
            (*rc = value(p + hash + 1, n - hash - 1, &nth, off + hash + 1, &k, diag)) == 0) {
            s->dow = CM_SCHEDULE_DAY_NTH;
            s->dow_day = (uint8_t)d;
            s->dow_nth = (uint8_t)k;
        }
        return 1;
    }
    if (n >= 2 && upper(p[n - 1]) == 'L' && find(p, n, ',') == n && find(p, n, '-') == n) {
        if ((*rc = value(p, n - 1, &fields[4], off, &d, diag)) == 0) {
            s->dow = CM_SCHEDULE_DAY_LAST;
            s->dow_day = (uint8_t)d;
        }
        return 1;
    }
    return 0;
}

/* Splits the inside of cron(...) at spaces into its six fields (start, len). */
static int split_fields(const char *p, size_t n, size_t off, size_t start[6], size_t len[6],
                        struct cm_diag *diag)
{
    size_t nf = 0, i = 0;

    while (i < n) {
        while (i < n && p[i] == ' ') {
            i++;
        }
        if (i == n) {
            break;
        }
        if (nf == 6) {
            cm_diag_set(diag, off + i,
                        "cron: more than 6 fields (minutes hours day-of-month "
                        "month day-of-week year)");
            return CM_EINVAL;
        }
        start[nf] = i;
        while (i < n && p[i] != ' ') {
            i++;
        }
        len[nf] = i - start[nf];
        nf++;
    }
    if (nf < 6) {
        cm_diag_set(diag, off + n,
                    "cron: %zu field%s, wants 6 (minutes hours day-of-month month day-of-week "
                    "year)",
                    nf, nf == 1 ? "" : "s");
        return CM_EINVAL;
    }
    return CM_OK;
}

/* Puts field f's set of values into s's mask for it. */
static void put_set(struct cm_schedule *s, size_t f, const struct set *set)
{
    switch (f) {
    case 0:
        s->minutes = set->w[0];
        break;
    case 1:
        s->hours = (uint32_t)set->w[0];
        break;
    case 2:
        s->mdays = (uint32_t)(set->w[0] << 1);
        break;
    case 3:
        s->months = (uint16_t)(set->w[0] << 1);
        break;
    case 4:
        s->wdays = (uint8_t)(set->w[0] << 1);
        break;
    default:
        memcpy(s->years, set->w, sizeof(s->years));
        break;
    }
}

/* The inside of cron(...): six fields separated by spaces, at offset off. */
static int parse_cron(const char *p, size_t n, size_t off, struct cm_schedule *s,
                      struct cm_diag *diag)
{
    size_t start[6], len[6];
    struct set set;
    int rc = split_fields(p, n, off, start, len, diag);

    if (rc != 0) {
        return rc;
    }
    for (size_t f = 0; f < 6; f++) {
        const char *q = p + start[f];
        size_t qo = off + start[f];
        if (len[f] == 1 && q[0] == '?') {
            if (f != 2 && f != 4) {
                cm_diag_set(diag, qo,
                            "cron: field %zu (%s): ? is for day-of-month or "
                            "day-of-week only",
                            f + 1, fields[f].name);
                return CM_EINVAL;
            }
            *(f == 2 ? &s->dom : &s->dow) = CM_SCHEDULE_DAY_ANY;
            continue;
        }
        if ((f == 2 && dom_special(q, len[f], qo, s, &rc, diag)) ||
            (f == 4 && dow_special(q, len[f], qo, s, &rc, diag))) {
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if ((rc = field_set(q, len[f], &fields[f], qo, &set, diag)) != 0) {
            return rc;
        }
        put_set(s, f, &set);
    }
    if ((s->dom == CM_SCHEDULE_DAY_ANY) == (s->dow == CM_SCHEDULE_DAY_ANY)) {
        cm_diag_set(diag, off + start[s->dom == CM_SCHEDULE_DAY_ANY ? 2 : 4],
                    "cron: exactly one of day-of-month and day-of-week must be ? (the other "
                    "says which days)");
        return CM_EINVAL;
    }
    return CM_OK;
}

/* A number of exactly w digits at p. */
static bool digits(const char *p, int w, int *out)
{
    int v = 0;

    for (int i = 0; i < w; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* The inside of at(...): yyyy-mm-ddThh:mm:ss. */
static int parse_at(const char *p, size_t n, size_t off, struct cm_schedule *s,
                    struct cm_diag *diag)
{
    int y, mo, d, h, mi, se;

    if (n != 19 || !digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
        !digits(p + 8, 2, &d) || p[10] != 'T' || !digits(p + 11, 2, &h) || p[13] != ':' ||
        !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &se)) {
        cm_diag_set(diag, off, "at: wants yyyy-mm-ddThh:mm:ss (UTC)");
        return CM_EINVAL;
    }
    if (y < CM_SCHEDULE_YEAR_MIN || mo < 1 || mo > 12 || d < 1 ||
        (unsigned)d > month_days(y, (unsigned)mo) || h > 23 || mi > 59 || se > 59) {
        cm_diag_set(diag, off, "at: %.19s is not a date and time (from 1970)", p);
        return CM_EINVAL;
    }
    s->at_ms =
        (cm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) * 1000;
    return CM_OK;
}

/* The inside of rate(...): N unit. */
static int parse_rate(const char *p, size_t n, size_t off, struct cm_schedule *s,
                      struct cm_diag *diag)
{
    static const struct {
        const char *one, *many;
        int64_t ms;
    } units[] = {
        {"minute", "minutes", MINUTE_MS}, {"hour", "hours", 3600000}, {"day", "days", DAY_MS}};
    size_t i = 0, u;
    int64_t v = 0;

    while (i < n && p[i] >= '0' && p[i] <= '9' && v <= RATE_MAX) {
        v = v * 10 + (p[i++] - '0');
    }
    if (i == 0 || v < 1 || v > RATE_MAX) {
        cm_diag_set(diag, off, "rate: wants a whole number from 1 to %d, then a unit", RATE_MAX);
        return CM_EINVAL;
    }
    if (i == n || p[i] != ' ') {
        cm_diag_set(diag, off + i, "rate: wants one space, then minute(s), hour(s) or day(s)");
        return CM_EINVAL;
    }
    u = ++i;
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
        const char *want = v == 1 ? units[k].one : units[k].many;
        const char *other = v == 1 ? units[k].many : units[k].one;
        if (n - u == strlen(want) && memcmp(p + u, want, n - u) == 0) {
            s->rate_ms = v * units[k].ms;
            return CM_OK;
        }
        if (n - u == strlen(other) && memcmp(p + u, other, n - u) == 0) {
            cm_diag_set(diag, off + u, "rate: %lld wants \"%s\", not \"%s\"", (long long)v, want,
                        other);
            return CM_EINVAL;
        }
    }
    cm_diag_set(diag, off + u, "rate: the unit is minute(s), hour(s) or day(s)");
    return CM_EINVAL;
}

int cm_schedule_parse(const char *text, size_t len, struct cm_schedule *out, struct cm_diag *diag)
{
    static const struct {
        const char *open;
        enum cm_schedule_kind kind;
    } forms[] = {{"rate(", CM_SCHEDULE_RATE}, {"cron(", CM_SCHEDULE_CRON}, {"at(", CM_SCHEDULE_AT}};
    struct cm_schedule s;
    size_t open = 0;
    int rc;

    cm_diag_clear(diag);
    memset(&s, 0, sizeof(s));
    if (len > CM_SCHEDULE_MAX_TEXT) {
        cm_diag_set(diag, CM_SCHEDULE_MAX_TEXT, "longer than %d bytes", CM_SCHEDULE_MAX_TEXT);
        return CM_EINVAL;
    }
    for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
        size_t n = strlen(forms[k].open);
        if (len >= n && memcmp(text, forms[k].open, n) == 0) {
            s.kind = forms[k].kind;
            open = n;
        }
    }
    if (s.kind == 0) {
        cm_diag_set(diag, 0, "a schedule is rate(...), cron(...) or at(...)");
        return CM_EINVAL;
    }
    if (text[len - 1] != ')') {
        cm_diag_set(diag, len, "the expression does not end with ')'");
        return CM_EINVAL;
    }
    if (find(text + open, len - open - 1, ')') < len - open - 1 ||
        find(text + open, len - open - 1, '\0') < len - open - 1) {
        cm_diag_set(diag, open + find(text + open, len - open - 1, ')'),
                    "unexpected character inside the parentheses");
        return CM_EINVAL;
    }
    if (s.kind == CM_SCHEDULE_RATE) {
        rc = parse_rate(text + open, len - open - 1, open, &s, diag);
    } else if (s.kind == CM_SCHEDULE_CRON) {
        rc = parse_cron(text + open, len - open - 1, open, &s, diag);
    } else {
        rc = parse_at(text + open, len - open - 1, open, &s, diag);
    }
    if (rc == 0) {
        *out = s;
    }
    return rc;
}

/* Floor division of a by b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

/* The day of the week of epoch day z: 1 = Sunday .. 7 = Saturday (1970-01-01 was a Thursday). */
static unsigned weekday(int64_t z)
{
    return (unsigned)(((z % 7 + 7) % 7 + 4) % 7 + 1);
}

/* Whether day d of month m of year y (epoch day z) is a day of s. */
static bool day_ok(const struct cm_schedule *s, int64_t y, unsigned m, unsigned d, int64_t z)
{
    unsigned dim = month_days(y, m), wd = weekday(z), t;

    switch (s->dom) {
    case CM_SCHEDULE_DAY_SET:
        return (s->mdays >> d) & 1;
    case CM_SCHEDULE_DAY_LAST:
        return d == dim;
    case CM_SCHEDULE_DAY_LASTWEEK:
        t = weekday(z - d + dim); /* of the last day */
        return d == (t == 7 ? dim - 1 : t == 1 ? dim - 2 : dim);
    case CM_SCHEDULE_DAY_NEAREST:
        if (s->dom_day > dim) {
            return false;
        }
        t = weekday(z - d + s->dom_day);
        if (t == 7) {
            return d == (s->dom_day == 1 ? 3u : s->dom_day - 1u);
        }
        if (t == 1) {
            return d == (s->dom_day == dim ? dim - 2 : s->dom_day + 1u);
        }
        return d == s->dom_day;
    default:
        break;
    }
    switch (s->dow) {
    case CM_SCHEDULE_DAY_SET:
        return (s->wdays >> wd) & 1;
    case CM_SCHEDULE_DAY_LAST:
        return wd == s->dow_day && d + 7 > dim;
    case CM_SCHEDULE_DAY_NTH:
        return wd == s->dow_day && (d - 1) / 7 + 1 == s->dow_nth;
    default:
        return false;
    }
}

static bool year_ok(const struct cm_schedule *s, int64_t y)
{
    int64_t i = y - CM_SCHEDULE_YEAR_MIN;

    return i >= 0 && y <= CM_SCHEDULE_YEAR_MAX && ((s->years[i / 64] >> (i % 64)) & 1);
}

static int64_t next_cron(const struct cm_schedule *s, int64_t after_ms)
{
    int64_t t = (floor_div(after_ms, MINUTE_MS) + 1) * MINUTE_MS;
    int64_t z = floor_div(t, DAY_MS), y;
    int minute = (int)((t - z * DAY_MS) / MINUTE_MS);
    unsigned m, d;

    for (;;) {
        cm_civil_from_days(z, &y, &m, &d);
        if (y > CM_SCHEDULE_YEAR_MAX) {
            return -1;
        }
        if (!year_ok(s, y)) {
            z = cm_days_from_civil(y < CM_SCHEDULE_YEAR_MIN ? CM_SCHEDULE_YEAR_MIN : y + 1, 1, 1);
            minute = 0;
            continue;
        }
        if (!((s->months >> m) & 1)) {
            z = m == 12 ? cm_days_from_civil(y + 1, 1, 1) : cm_days_from_civil(y, m + 1, 1);
            minute = 0;
            continue;
        }
        if (day_ok(s, y, m, d, z)) {
            for (int h = minute / 60; h < 24; h++) {
                if (!((s->hours >> h) & 1)) {
                    continue;
                }
                for (int mi = h == minute / 60 ? minute % 60 : 0; mi < 60; mi++) {
                    if ((s->minutes >> mi) & 1) {
                        return z * DAY_MS + (h * 60 + mi) * MINUTE_MS;
                    }
                }
            }
        }
        z++;
        minute = 0;
    }
}

int64_t cm_schedule_next(const struct cm_schedule *s, int64_t after_ms)
{
    switch (s->kind) {
    case CM_SCHEDULE_RATE:
        if (after_ms > INT64_MAX - 2 * s->rate_ms) {
            return -1;
        }
        return (floor_div(after_ms, s->rate_ms) + 1) * s->rate_ms;
    case CM_SCHEDULE_AT:
        return s->at_ms > after_ms ? s->at_ms : -1;
    case CM_SCHEDULE_CRON:
        if (after_ms >= (cm_days_from_civil(CM_SCHEDULE_YEAR_MAX + 1, 1, 1)) * DAY_MS) {
            return -1;
        }
        return next_cron(s, after_ms < 0 ? -1 : after_ms);
    default:
        return -1;
    }
}
