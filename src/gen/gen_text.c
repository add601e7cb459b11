/*
 * Sticky-error text appends for the generator (see gen_text.h). Dates go
 * through lib/base/time.h's civil-day conversion; within one day only the
 * clock part is recomputed, which keeps timestamp formatting off the profile.
 */
#include "gen/gen_text.h"

#include "base/err.h"
#include "base/time.h"

void cm_gen_t_init(struct cm_gen_text *t, struct cm_buf *b)
{
    t->b = b;
    t->err = 0;
    t->day_s = -1;
    t->date[0] = '\0';
}

void cm_gen_t_grow_put(struct cm_gen_text *t, const char *s, size_t n)
{
    int rc;

    if (t->err != 0) {
        return;
    }
    rc = cm_buf_append(t->b, s, n);
    if (rc != 0) {
        t->err = rc;
    }
}

void cm_gen_t_u64(struct cm_gen_text *t, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    cm_gen_t_putn(t, tmp + i, sizeof(tmp) - i);
}

static size_t put_octet(char *p, unsigned v)
{
    if (v >= 100) {
        p[0] = (char)('0' + v / 100);
        p[1] = (char)('0' + v / 10 % 10);
        p[2] = (char)('0' + v % 10);
        return 3;
    }
    if (v >= 10) {
        p[0] = (char)('0' + v / 10);
        p[1] = (char)('0' + v % 10);
        return 2;
    }
    p[0] = (char)('0' + v);
    return 1;
}

void cm_gen_t_ip4(struct cm_gen_text *t, uint32_t ip)
{
    char tmp[16];
    size_t n;

    n = put_octet(tmp, ip >> 24);
    tmp[n++] = '.';
    n += put_octet(tmp + n, (ip >> 16) & 255);
    tmp[n++] = '.';
    n += put_octet(tmp + n, (ip >> 8) & 255);
    tmp[n++] = '.';
    n += put_octet(tmp + n, ip & 255);
    cm_gen_t_putn(t, tmp, n);
}

void cm_gen_t_js(struct cm_gen_text *t, const char *s)
{
    cm_gen_t_putc(t, '"');
    cm_gen_t_puts(t, s);
    cm_gen_t_putc(t, '"');
}

void cm_gen_t_kv(struct cm_gen_text *t, const char *key, const char *val)
{
    cm_gen_t_puts(t, key);
    cm_gen_t_putn(t, "\":\"", 3);
    cm_gen_t_puts(t, val);
    cm_gen_t_putc(t, '"');
}

void cm_gen_t_jesc(struct cm_gen_text *t, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    char esc[6];

    cm_gen_t_putc(t, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        cm_gen_t_putn(t, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            cm_gen_t_putn(t, esc, 2);
            continue;
        }
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        cm_gen_t_putn(t, esc, 6);
    }
    cm_gen_t_putn(t, s + run, n - run);
    cm_gen_t_putc(t, '"');
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

static void civil(int64_t s, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);

    cm_civil_from_days(days, y, m, d);
}

static void cache_day(struct cm_gen_text *t, int64_t day_s)
{
    int64_t y;
    unsigned m, d;

    civil(day_s, &y, &m, &d);
    put2(t->date, (unsigned)(y / 100));
    put2(t->date + 2, (unsigned)(y % 100));
    t->date[4] = '-';
    put2(t->date + 5, m);
    t->date[7] = '-';
    put2(t->date + 8, d);
    t->date[10] = 'T';
    t->date[11] = '\0';
    t->day_s = day_s;
}

void cm_gen_t_iso(struct cm_gen_text *t, int64_t s)
{
    int64_t sod = ((s % 86400) + 86400) % 86400;
    char out[21];

    if (t->day_s != s - sod) {
        cache_day(t, s - sod);
    }
    memcpy(out, t->date, 11);
    put2(out + 11, (unsigned)(sod / 3600));
    out[13] = ':';
    put2(out + 14, (unsigned)(sod / 60 % 60));
    out[16] = ':';
    put2(out + 17, (unsigned)(sod % 60));
    out[19] = 'Z';
    cm_gen_t_putn(t, out, 20);
}

void cm_gen_t_stamp(struct cm_gen_text *t, int64_t s)
{
    int64_t y, sod = ((s % 86400) + 86400) % 86400;
    unsigned m, d;
    char out[14];

    civil(s, &y, &m, &d);
    put2(out, (unsigned)(y / 100));
    put2(out + 2, (unsigned)(y % 100));
    put2(out + 4, m);
    put2(out + 6, d);
    out[8] = 'T';
    put2(out + 9, (unsigned)(sod / 3600));
    put2(out + 11, (unsigned)(sod / 60 % 60));
    out[13] = 'Z';
    cm_gen_t_putn(t, out, 14);
}

void cm_gen_t_date_path(struct cm_gen_text *t, int64_t s)
{
    int64_t y;
    unsigned m, d;
    char out[10];

    civil(s, &y, &m, &d);
    put2(out, (unsigned)(y / 100));
    put2(out + 2, (unsigned)(y % 100));
    out[4] = '/';
    put2(out + 5, m);
    out[7] = '/';
    put2(out + 8, d);
    cm_gen_t_putn(t, out, 10);
}
