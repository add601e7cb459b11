/*
 * The Prometheus text exposition format (prom.h).
 */
#include "base/prom.h"

#include <stdio.h>
#include <string.h>

struct cm_prom_label cm_prom_label(const char *name, const char *value)
{
    return (struct cm_prom_label){name, value, strlen(value)};
}

int cm_prom_family(struct cm_buf *b, const char *name, const char *type, const char *help)
{
    return cm_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int cm_prom_escape(struct cm_buf *b, const char *v, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        switch (v[i]) {
        case '\\':
            rc = cm_buf_puts(b, "\\\\");
            break;
        case '"':
            rc = cm_buf_puts(b, "\\\"");
            break;
        case '\n':
            rc = cm_buf_puts(b, "\\n");
            break;
        default:
            rc = cm_buf_putc(b, v[i]);
        }
    }
    return rc;
}

int cm_prom_sample(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                   const char *value)
{
    int rc = cm_buf_puts(b, name);

    for (size_t i = 0; i < nl && rc == 0; i++) {
        rc = cm_buf_printf(b, "%s%s=\"", i ? "," : "{", l[i].name);
        rc = rc ? rc : cm_prom_escape(b, l[i].value, l[i].len);
        rc = rc ? rc : cm_buf_putc(b, '"');
    }
    if (rc == 0 && nl) {
        rc = cm_buf_putc(b, '}');
    }
    return rc ? rc : cm_buf_printf(b, " %s\n", value);
}

int cm_prom_sample_u64(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                       uint64_t v)
{
    char s[24];

    snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
    return cm_prom_sample(b, name, l, nl, s);
}

int cm_prom_sample_i64(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                       int64_t v)
{
    char s[24];

    snprintf(s, sizeof(s), "%lld", (long long)v);
    return cm_prom_sample(b, name, l, nl, s);
}
