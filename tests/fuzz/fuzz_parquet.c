/*
 * libFuzzer target for the Parquet reader (src/source/parquet*.c, thrift.c,
 * snappy.c). Any input must convert without crashing or reading outside it;
 * the text written must be lines of space-separated fields with no control
 * bytes (a header line of the columns, then one line per row), and damage
 * reported must name rows. The first byte picks the mode: 's' hands the rest
 * to the Snappy decompressor alone (its output must be exactly the length it
 * declares); anything else is a Parquet file, whose flow text then goes
 * through the flow log parser as the scan's would.
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

static void on_damage(void *ud, const struct cm_parquet_damage *d)
{
    (void)ud;
    check(d->rows > 0 && d->line >= 2 && d->msg[0] != '\0');
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
    struct cm_buf out;
    char why[200];
    uint64_t off = 0;
    int rc;

    if (size > 0 && data[0] == 's') {
        snappy(data + 1, size - 1);
        return 0;
    }
    if (gz == NULL) {
        gz = libdeflate_alloc_decompressor();
        check(gz != NULL);
    }
    cm_buf_init(&out, CAP);
    rc = cm_parquet_to_text(data, size, &out, gz, on_damage, NULL, why, sizeof(why), &off);
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
