/*
 * Test helper shared by the structured-format reader tests (test_format_stix.c,
 * test_format_misp.c): a struct cm_intel_reader that records every item and
 * bad record it is given, and reading a sample file from $SHARED/data.
 * Included by one test file each (static functions).
 */
#ifndef CM_TEST_FORMAT_RECORD_H
#define CM_TEST_FORMAT_RECORD_H

#define MAX_ITEMS 1024
#define MAX_BAD   64

struct got_item {
    enum cm_intel_value kind;
    char value[256];
    char value2[64];
    char threat[160];
    char category[64];
    uint32_t line;
};

struct got_bad {
    uint32_t line;
    char reason[200];
};

struct got {
    struct got_item items[MAX_ITEMS];
    size_t n;
    struct got_bad bad[MAX_BAD];
    size_t nbad;
    size_t fail_after; /* item() returns CM_EFULL past this many; 0: never */
};

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

static int on_item(void *ud, const struct cm_intel_item *it)
{
    struct got *g = ud;
    struct got_item *o;

    if (g->fail_after && g->n >= g->fail_after) {
        return CM_EFULL;
    }
    assert_true(g->n < MAX_ITEMS);
    o = &g->items[g->n++];
    o->kind = it->kind;
    copy(o->value, sizeof(o->value), it->value);
    copy(o->value2, sizeof(o->value2), it->value2);
    copy(o->threat, sizeof(o->threat), it->threat);
    copy(o->category, sizeof(o->category), it->category);
    o->line = it->line;
    return 0;
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct got *g = ud;

    if (g->nbad < MAX_BAD) {
        g->bad[g->nbad].line = line;
        snprintf(g->bad[g->nbad].reason, sizeof(g->bad[0].reason), "%s", reason);
    }
    g->nbad++;
}

static struct got *got_new(void)
{
    struct got *g = calloc(1, sizeof(*g));
    assert_non_null(g);
    return g;
}

static int run(const struct cm_intel_format *f, const char *text, size_t len, struct got *g)
{
    struct cm_intel_reader r = {on_item, on_bad, g};
    return f->read(text, len, &r);
}

static int run_str(const struct cm_intel_format *f, const char *text, struct got *g)
{
    return run(f, text, strlen(text), g);
}

static void item_is(const struct got *g, size_t i, enum cm_intel_value kind, const char *value,
                    const char *value2, const char *threat, const char *category, uint32_t line)
{
    const struct got_item *it;

    assert_true(i < g->n);
    it = &g->items[i];
    assert_int_equal(it->kind, kind);
    assert_string_equal(it->value, value);
    assert_string_equal(it->value2, value2);
    assert_string_equal(it->threat, threat);
    assert_string_equal(it->category, category);
    assert_int_equal(it->line, line);
}

static void bad_is(const struct got *g, size_t i, uint32_t line, const char *needle)
{
    assert_true(i < g->nbad && i < MAX_BAD);
    assert_int_equal(g->bad[i].line, line);
    if (strstr(g->bad[i].reason, needle) == NULL) {
        fail_msg("bad record %zu: \"%s\" lacks \"%s\"", i, g->bad[i].reason, needle);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        return NULL;
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* $SHARED/data/<rel> read whole, or NULL when absent. */
static char *shared_file(const char *rel, size_t *len)
{
    const char *shared = getenv("SHARED");
    char path[1024];

    snprintf(path, sizeof(path), "%s/data/%s", shared && *shared ? shared : "../shared", rel);
    return slurp(path, len);

#endif
