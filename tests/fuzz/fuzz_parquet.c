/*
 * libFuzzer target for the Parquet reader (src/source/parquet*.c, thrift.c,
 * snappy.c). Any input must convert without crashing or reading outside it;
 * the text written must be lines of space-separated fields with no control
 * bytes (a header line of the columns, then one line per row), and damage
 * reported must name rows. The first byte picks the mode: 's' hands the rest
 * to the Snappy decompressor alone (its output must be exactly the length it
 * declares); anything else is a Parquet file, whose flow text then goes
 * through the flow log parser as the scan's would. Each file is read twice, with
 * memory of its own and with the memory kept from the inputs before it, which
 * must give the same text and the same damage.
 */
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "parse/parse.h"
#include "source/parquet.h"
#include "source/snappy.h"

#define CAP (8u << 20)

#define check(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_parquet: check failed at line %d: %s\n", __LINE__, #cond);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The damage reported, summed up so that two conversions can be compared. */
struct damages {
    unsigned n;
    uint64_t rows, sum;
};

static void on_damage(void *ud, const struct cm_parquet_damage *d)
{
    struct damages *ds = ud;

    check(d->rows > 0 && d->line >= 2 && d->msg[0] != '\0');
    ds->n++;
    ds->rows += d->rows;
    ds->sum = ds->sum * 31 + d->offset * 7 + d->line + strlen(d->msg);
}

static int on_event(void *ud, struct cm_event *ev)
{
    (void)ud;
    check(ev->kind == CM_EV_FLOW);
    return 0;
}

static void on_skip(void *ud, enum cm_event_kind kind, const char *what)
{
    (void)ud;
    check(kind == CM_EV_FLOW && what != NULL);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud;
    (void)kind;
    (void)off;
    (void)line;
    check(reason != NULL);
}

static void snappy(const uint8_t *p, size_t n)
{
    size_t len;
    unsigned char *out;

    if (cm_snappy_length(p, n, &len) != 0 || len > CAP) {
        return;
    }
    out = malloc(len ? len : 1);
    check(out != NULL);
    (void)cm_snappy_decompress(p, n, out, len);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct libdeflate_decompressor *gz;
    /* kept from input to input, as a scan's reader keeps it from file to file */
    static struct cm_parquet_mem *keep;
    struct damages ds = {0}, ds2 = {0};
    struct cm_buf out, out2;
    char why[200], why2[200];
    uint64_t off = 0, off2 = 0;
    int rc, rc2;

    if (size > 0 && data[0] == 's') {
        snappy(data + 1, size - 1);
        return 0;
    }
    if (gz == NULL) {
        gz = libdeflate_alloc_decompressor();
        check(gz != NULL);
    }
    cm_buf_init(&out, CAP);
    cm_buf_init(&out2, CAP);
    rc = cm_parquet_to_text(data, size, &out, gz, NULL, on_damage, &ds, why, sizeof(why), &off);
    /* memory a reader kept from other files changes nothing */
    rc2 = cm_parquet_to_text(data, size, &out2, gz, &keep, on_damage, &ds2, why2, sizeof(why2),
                             &off2);
    check(rc == rc2 && out.len == out2.len &&
          (out.len == 0 || memcmp(out.p, out2.p, out.len) == 0));
    check(ds.n == ds2.n && ds.rows == ds2.rows && ds.sum == ds2.sum);
    check(rc != CM_EFORMAT || (off == off2 && strcmp(why, why2) == 0));
    cm_buf_finish(&out2);
    if (rc == CM_EFORMAT) {
        check(why[0] != '\0' && off <= size);
    }
    if (rc == 0) {
        struct cm_flow_format fmt;
        const struct cm_parser *ps;
        size_t lines = 0;

        check(out.len > 0 && out.p[out.len - 1] == '\n');
        for (size_t i = 0; i < out.len; i++) {
            unsigned char c = (unsigned char)out.p[i];

            check(c == '\n' || (c > ' ' && c != 0x7f) || c == ' ');
            check(c != ' ' || (i > 0 && out.p[i - 1] != ' ' && out.p[i - 1] != '\n'));
            lines += c == '\n';
        }
        check(lines >= 1);
        memset(&fmt, 0, sizeof(fmt));
        ps = cm_parse_sniff_flow(out.p, out.len, NULL, &fmt);
        if (ps != NULL) {
            struct cm_parse_ctx ctx;

            memset(&ctx, 0, sizeof(ctx));
            ctx.flow_fmt = fmt;
            ctx.on_event = on_event;
            ctx.on_reject = on_reject;
            ctx.on_skip = on_skip;
            check(ps->parse(&ctx, out.p, out.len) == 0);
        }
    }
    cm_buf_finish(&out);
    return 0;
}
