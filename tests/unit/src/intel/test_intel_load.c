/*
 * Loading list files into a snapshot (src/intel/intel_load.c): the
 * command-line forms, plain and gzip files, bad records with their lines,
 * and the errors that name the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/intel_load.h"

static void test_parse_forms(void **state)
{
    struct cm_intel_source s;
    char err[256];

    (void)state;
    assert_int_equal(cm_intel_source_parse("lists/bad-ips.txt", CM_INTEL_KIND_THREAT, false, &s,
                                           err, sizeof(err)),
                     0);
    assert_string_equal(s.name, "bad-ips");
    assert_string_equal(s.path, "lists/bad-ips.txt");
    assert_null(s.format);
    assert_int_equal(s.kind, CM_INTEL_KIND_THREAT);
    assert_int_equal(s.category, CM_CAT_CUSTOM);

    assert_int_equal(cm_intel_source_parse("mine=/x/y.csv.gz", CM_INTEL_KIND_TRUSTED, false, &s,
                                           err, sizeof(err)),
                     0);
    assert_string_equal(s.name, "mine");
    assert_string_equal(s.path, "/x/y.csv.gz");
    assert_int_equal(s.kind, CM_INTEL_KIND_TRUSTED);
    assert_int_equal(s.category, CM_CAT_UNKNOWN);

    assert_int_equal(
        cm_intel_source_parse("n=otx_csv:/p/q", CM_INTEL_KIND_THREAT, false, &s, err, sizeof(err)),
        0);
    assert_non_null(s.format);
    assert_string_equal(s.format->name, "OTX_CSV");
    assert_string_equal(s.path, "/p/q");

    assert_int_equal(cm_intel_source_parse("TXT:/p/list.v2.txt", CM_INTEL_KIND_THREAT, false, &s,
                                           err, sizeof(err)),
                     0);
    assert_string_equal(s.name, "list");
    assert_string_equal(s.format->name, "TXT");

    /* A prefix that is no format name stays part of the path. */
    assert_int_equal(
        cm_intel_source_parse("C:/lists/a.txt", CM_INTEL_KIND_THREAT, false, &s, err, sizeof(err)),
        0);
    assert_null(s.format);
    assert_string_equal(s.path, "C:/lists/a.txt");

    assert_int_equal(cm_intel_source_parse("tor_exit=/p/exits.lst", CM_INTEL_KIND_THREAT, true, &s,
                                           err, sizeof(err)),
                     0);
    assert_int_equal(s.category, CM_CAT_TOR_EXIT);
    assert_string_equal(s.name, "exits");
    assert_int_equal(cm_intel_source_parse("cnc:feodo=STIX:/p/f.xml", CM_INTEL_KIND_THREAT, true,
                                           &s, err, sizeof(err)),
                     0);
    assert_int_equal(s.category, CM_CAT_CNC);
    assert_string_equal(s.name, "feodo");
    assert_string_equal(s.format->name, "STIX");
    assert_string_equal(s.path, "/p/f.xml");

    assert_int_equal(
        cm_intel_source_parse("bogus=/p", CM_INTEL_KIND_THREAT, true, &s, err, sizeof(err)),
        CM_EINVAL);
    assert_non_null(strstr(err, "bogus"));
    assert_int_equal(
        cm_intel_source_parse("tor_exit", CM_INTEL_KIND_THREAT, true, &s, err, sizeof(err)),
        CM_EINVAL);
    assert_int_equal(
        cm_intel_source_parse("custom=/p", CM_INTEL_KIND_THREAT, true, &s, err, sizeof(err)),
        CM_EINVAL);
    assert_int_equal(
        cm_intel_source_parse("cnc:=/p", CM_INTEL_KIND_THREAT, true, &s, err, sizeof(err)),
        CM_EINVAL);
    assert_int_equal(cm_intel_source_parse("n=", CM_INTEL_KIND_THREAT, false, &s, err, sizeof(err)),
                     CM_EINVAL);
}

struct bads {
    uint32_t line[16];
    char list[16][64];
    size_t n;
};

static void on_bad(void *ud, const struct cm_intel_source *src, uint32_t line, const char *reason)
{
    struct bads *b = ud;

    (void)reason;
    if (b->n < 16) {
        b->line[b->n] = line;
        snprintf(b->list[b->n], sizeof(b->list[0]), "%.63s", src->name);
        b->n++;
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *path, const char *text)
{
    gzFile g = gzopen(path, "wb");

    assert_non_null(g);
    assert_int_equal(gzputs(g, text), (int)strlen(text));
    assert_int_equal(gzclose(g), Z_OK);
}

static void test_open(void **state)
{
    char dir[] = "/tmp/cm-intel-load-XXXXXX", a[128], b[128], c[128], err[512];
    struct cm_intel_source srcs[3];
    struct cm_intel_source_report rep[3];
    struct cm_intel_snapshot *snap = NULL;
    struct bads bad = {{0}, {{0}}, 0};
    struct cm_intel_match m;
    struct cm_ip ip;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/threats.txt", dir);
    snprintf(b, sizeof(b), "%s/exits.txt.gz", dir);
    snprintf(c, sizeof(c), "%s/ours.txt", dir);
    write_file(a, "# my list\n7.7.7.7\nbad.example\n10.0.0.1\n\n8.8.8.0/24\n");
    write_gz(b, "6.6.6.6\n6.6.6.7\n");
    write_file(c, "7.7.7.7\n");
    assert_int_equal(
        cm_intel_source_parse(a, CM_INTEL_KIND_THREAT, false, &srcs[0], err, sizeof(err)), 0);
    {
        char arg[256];
        snprintf(arg, sizeof(arg), "tor_exit=%s", b);
        assert_int_equal(
            cm_intel_source_parse(arg, CM_INTEL_KIND_THREAT, true, &srcs[1], err, sizeof(err)), 0);
        srcs[1].path = b; /* arg dies here */
    }
    assert_int_equal(
        cm_intel_source_parse(c, CM_INTEL_KIND_TRUSTED, false, &srcs[2], err, sizeof(err)), 0);
    assert_int_equal(cm_intel_open(srcs, 3, 5, on_bad, &bad, rep, &snap, err, sizeof(err)), 0);
    assert_non_null(snap);
    assert_string_equal(rep[0].format, "TXT");
    assert_int_equal(rep[0].st.ip_entries, 2);
    assert_int_equal(rep[0].st.dom_entries, 1);
    assert_int_equal(rep[0].st.bad, 1);
    assert_int_equal(bad.n, 1);
    assert_int_equal(bad.line[0], 4); /* 10.0.0.1: not public */
    assert_string_equal(bad.list[0], "threats");
    assert_int_equal(rep[1].st.ip_entries, 2);
    assert_int_equal(cm_ip_parse(CM_STR_LIT("6.6.6.7"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(snap, &ip, &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_TOR_EXIT);
    assert_true(cm_str_eqc(cm_intel_snapshot_list(snap, m.ind->list)->name, "exits"));
    assert_int_equal(cm_ip_parse(CM_STR_LIT("8.8.8.8"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(snap, &ip, &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
    assert_true(cm_str_eqc(m.ind->threat_name, CM_INTEL_CUSTOM_THREAT));
    assert_int_equal(cm_ip_parse(CM_STR_LIT("7.7.7.7"), &ip), 0);
    assert_int_equal(cm_intel_check_ip(snap, &ip, NULL), CM_INTEL_TRUSTED);
    cm_intel_snapshot_unref(snap);

    /* Two lists of one name. */
    srcs[1] = srcs[0];
    assert_int_equal(cm_intel_open(srcs, 2, 5, NULL, NULL, NULL, &snap, err, sizeof(err)),
                     CM_EEXIST);
    assert_null(snap);
    assert_non_null(strstr(err, "threats.txt"));
    /* A missing file and a directory are named. */
    srcs[0].path = "/nonexistent/list.txt";
    assert_int_equal(cm_intel_open(srcs, 1, 5, NULL, NULL, NULL, &snap, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "/nonexistent/list.txt"));
    srcs[0].path = dir;
    assert_int_equal(cm_intel_open(srcs, 1, 5, NULL, NULL, NULL, &snap, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "directory"));
    /* A damaged gzip file. */
    write_file(b, "\x1f\x8b\x08\x00garbage");
    srcs[0].path = b;
    assert_int_equal(cm_intel_open(srcs, 1, 5, NULL, NULL, NULL, &snap, err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "gzip"));
    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(dir);
}

/* cm_intel_sniff_file: the format a load without one would read the file with. */
static void test_sniff_file(void **state)
{
    char dir[] = "/tmp/cm-intel-sniff-XXXXXX", a[128], b[128], c[128], err[512] = "";
    const struct cm_intel_format *fmt = NULL;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/hosts", dir);
    snprintf(b, sizeof(b), "%s/list.txt.gz", dir);
    snprintf(c, sizeof(c), "%s/missing", dir);
    write_file(a, "127.0.0.1 localhost\n0.0.0.0 bad.example.com\n0.0.0.0 evil.example.net\n");
    write_gz(b, "6.6.6.6\n6.6.6.7\n");
    assert_int_equal(cm_intel_sniff_file(a, &fmt, err, sizeof(err)), 0);
    assert_string_equal(fmt->name, "HOSTS");
    fmt = NULL;
    assert_int_equal(cm_intel_sniff_file(b, &fmt, err, sizeof(err)), 0); /* inflated first */
    assert_string_equal(fmt->name, "TXT");
    assert_int_equal(cm_intel_sniff_file(c, &fmt, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "missing"));
    unlink(a);
    unlink(b);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_sniff_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
