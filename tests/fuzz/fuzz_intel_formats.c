/*
 * libFuzzer target for the threat-list readers (lib/intel/format_*.c). The
 * first input byte picks a format from cm_intel_formats() (modulo their
 * count); the rest, copied into a buffer of exactly its size, is read with
 * it. Every item must hold strings that lie inside the input or are short
 * scratch copies (no longer than the input) that can be read in full, a
 * known kind, a line number in 1..lines of the input (a lone CR counting
 * as a line end, as XML has it), and line numbers must
 * never decrease across items and bad records (0, "unknown", aside). Every
 * reason must be a readable string. A reader returns 0 or CM_EINVAL here
 * (the callbacks never fail). Every sniff() scores 0..100 and
 * cm_intel_format_sniff() picks a listed format. Then the same input goes
 * through the loader (lib/intel/load.c) into a builder and a snapshot, with
 * the list's category from the second byte: that must succeed (bad records
 * are only counted), and every address and name the snapshot answers for
 * must be public or a valid name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "intel/format.h"
#include "intel/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
    const char *buf;
    size_t len;
    uint32_t lines; /* lines in buf: line ends (LF, CRLF, lone CR) + 1 */
    uint32_t last;  /* largest line number seen so far */
    size_t items;
    volatile unsigned sink;
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* s is empty, inside the input, or a readable scratch string no longer than it. */
static void check_str(struct state *st, struct cm_str s)
{
    if (s.len == 0) {
        return;
    }
    check(s.p != NULL);
    if (s.p >= st->buf && s.p <= st->buf + st->len) {
        check(s.len <= (size_t)(st->buf + st->len - s.p));
    } else {
        check(s.len <= st->len);
    }
    for (size_t i = 0; i < s.len; i++) {
        st->sink += (unsigned char)s.p[i]; /* ASan sees a bad scratch pointer here */
    }
}

static void check_line(struct state *st, uint32_t line)
{
    check(line <= st->lines);
    check(line >= st->last);
    st->last = line;
}

static int on_item(void *ud, const struct cm_intel_item *it)
{
    struct state *st = ud;

    check(it->kind >= CM_IV_AUTO && it->kind <= CM_IV_DOMAIN);
    check(it->value.len > 0);
    check_str(st, it->value);
    check_str(st, it->value2);
    check_str(st, it->threat);
    check_str(st, it->category);
    check(it->kind == CM_IV_RANGE || it->value2.len == 0);
    check(it->line >= 1);
    check_line(st, it->line);
    st->items++;
    return 0;
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct state *st = ud;

    check(reason != NULL && strlen(reason) < 4096);
    if (line != 0) {
        check_line(st, line);
    }
}

/* The loader over the same bytes: never fails on content, only on memory. */
static void load(const struct cm_intel_format *f, const char *buf, size_t len, uint8_t cat)
{
    struct cm_intel_list list = {CM_STR_LIT("fuzz"), CM_INTEL_KIND_THREAT, CM_STR_LIT("F"),
                                 CM_STR_LIT("fuzz")};
    struct cm_intel_builder *b = NULL;
    struct cm_intel_snapshot *s = NULL;
    struct cm_intel_load_opts o;
    struct cm_intel_load_stats st;
    uint32_t id;
    int rc;

    if (cm_intel_builder_create(&b, 1) != 0) {
        return;
    }
    check(cm_intel_builder_add_list(b, &list, &id) == 0);
    memset(&o, 0, sizeof(o));
    o.list = id;
    o.category = (enum cm_intel_category)(cat % CM_CAT_COUNT);
    o.threat_name = CM_STR_LIT("t");
    o.shared_guard = (cat & 0x80) != 0; /* the bundle feeds' shared-infrastructure guard */
    rc = cm_intel_load(b, f, buf, len, &o, &st);
    check(rc == 0 || rc == CM_EINVAL);
    check(st.ip_entries + st.dom_entries <= st.items * 256);
    check(st.shared <= st.skipped && (o.shared_guard || st.shared == 0));
    if (rc == 0 && cm_intel_builder_build(b, &s) == 0) {
        check(cm_intel_snapshot_nlists(s) == 1);
        cm_intel_snapshot_unref(s);
    }
    cm_intel_builder_destroy(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct cm_intel_format *const *all = cm_intel_formats();
    const struct cm_intel_format *f;
    struct state st;
    struct cm_intel_reader r = {on_item, on_bad, &st};
    size_t n = 0, len;
    char *buf;
    int rc;

    if (size == 0) {
        return 0;
    }
    while (all[n] != NULL) {
        n++;
    }
    check(n > 0);
    len = size - 1;
    buf = malloc(len ? len : 1);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, data + 1, len);

    memset(&st, 0, sizeof(st));
    st.buf = buf;
    st.len = len;
    st.lines = 1;
    /* A lone CR ends a line too for XML (expat counts it). */
    for (size_t i = 0; i < len; i++) {
        bool end = buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
        st.lines += end && st.lines < UINT32_MAX;
    }

    f = all[data[0] % n];
    rc = f->read(buf, len, &r);
    check(rc == 0 || rc == CM_EINVAL);

    for (size_t i = 0; i < n; i++) {
        int score = all[i]->sniff(buf, len);
        check(score >= 0 && score <= 100);
    }
    f = cm_intel_format_sniff(buf, len);
    check(f != NULL && cm_intel_format_find(cm_str_cstr(f->name)) == f);

    load(f, buf, len, size > 1 ? data[1] : 0);
    free(buf);
    return 0;
}
