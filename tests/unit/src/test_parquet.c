/*
 * Unit tests for src/source/parquet*.c, snappy.c and thrift.c. The Parquet
 * files are tests/fixtures/parquet/ (written by another implementation,
 * tests/fixtures/parquet/README.md): each must give back flows.log, the text
 * they were made from, byte for byte. Then the damage paths: a row group made
 * unreadable is reported with its rows and the others are read; every cut
 * and every flipped byte of a file is an error or good text, never a crash;
 * the cap; Snappy streams and Thrift structures made by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "source/parquet.h"
#include "source/parquet_impl.h"
#include "source/snappy.h"
#include "source/thrift.h"

#define DIR "tests/fixtures/parquet/"

static const char *const same[] = {
    "flows-snappy-dict-v1.parquet",
    "flows-gzip-plain-v1.parquet",
    "flows-uncompressed-dict-v2.parquet",
    "flows-snappy-delta-v2.parquet",
    "flows-gzip-rg3.parquet",
    "flows-zstd.parquet",
};

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    p[len] = '\0';
    *n = (size_t)len;
    return p;
}

struct damages {
    unsigned n;
    struct cm_parquet_damage last;
    uint64_t rows;
};

static void on_damage(void *ud, const struct cm_parquet_damage *d)
{
    struct damages *ds = ud;

    ds->n++;
    ds->rows += d->rows;
    ds->last = *d;
}

static int convert(const char *in, size_t n, struct cm_buf *out, struct damages *ds, char *why,
                   size_t cap)
{
    static struct libdeflate_decompressor *gz;
    uint64_t off = UINT64_MAX;
    int rc;

    if (gz == NULL) {
        gz = libdeflate_alloc_decompressor();
        assert_non_null(gz);
    }
    rc = cm_parquet_to_text(in, n, out, gz, NULL, on_damage, ds, why, cap, &off);
    if (rc == CM_EFORMAT) {
        assert_true(off <= n);
        assert_true(why[0] != '\0');
    }
    return rc;
}

static size_t count_lines(const struct cm_buf *b)
{
    size_t k = 0;

    for (size_t i = 0; i < b->len; i++) {
        k += b->p[i] == '\n';
    }
    return k;
}

/* Each of files[0..nf) gives text_name's text, byte for byte, and no damage. */
static void files_give_the_text(const char *text_name, const char *const *files, size_t nf)
{
    size_t tn;
    char path[256];
    char *text;

    snprintf(path, sizeof(path), DIR "%s", text_name);
    text = slurp(path, &tn);
    assert_true(tn > 0 && text[tn - 1] == '\n');
    for (size_t i = 0; i < nf; i++) {
        char why[200] = "";
        struct damages ds = {0};
        struct cm_buf out;
        size_t n;
        char *in;

        snprintf(path, sizeof(path), DIR "%s", files[i]);
        in = slurp(path, &n);
        assert_true(cm_parquet_sniff(in, n));
        cm_buf_init(&out, 0);
        assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), 0);
        assert_int_equal(ds.n, 0);
        assert_int_equal(out.len, tn);
        assert_memory_equal(out.p, text, tn);
        cm_buf_finish(&out);
        free(in);
    }
    free(text);
}

static void test_fixtures_give_the_text(void **state)
{
    (void)state;
    files_give_the_text("flows.log", same, sizeof(same) / sizeof(same[0]));
}

/* More rows than a batch (PQ_BATCH: 157 lines), in pages of a few rows that end at other
 * rows in every column, with nulls, a dictionary that falls back to PLAIN, and the DELTA
 * ones. */
static void test_paged_fixtures_give_the_text(void **state)
{
    static const char *const paged[] = {
        "flows-156-snappy-pages-v1.parquet",
        "flows-156-delta-pages-v2.parquet",
    };

    (void)state;
    files_give_the_text("flows-156.log", paged, sizeof(paged) / sizeof(paged[0]));
}

/*
 * One reader's memory kept from file to file, as a scan keeps it: every fixture in
 * turn, a damaged one and a refused one among them, then all again in the other order,
 * each must give what it gives with memory of its own.
 */
static void test_memory_kept_between_files(void **state)
{
    static const char *const files[] = {
        "flows-156-snappy-pages-v1.parquet",
        "flows-snappy-dict-v1.parquet",
        "flows-gzip-rg3.parquet",
        "flows-156-delta-pages-v2.parquet",
        "flows-brotli.parquet",
        "flows-gzip-plain-v1.parquet",
        "flows-uncompressed-dict-v2.parquet",
        "flows-snappy-delta-v2.parquet",
        "flows-zstd.parquet",
    };
    const size_t nf = sizeof(files) / sizeof(files[0]);
    struct libdeflate_decompressor *gz = libdeflate_alloc_decompressor();
    struct cm_parquet_mem *keep = NULL;

    (void)state;
    assert_non_null(gz);
    for (size_t round = 0; round < 2 * nf; round++) {
        size_t f = round < nf ? round : 2 * nf - 1 - round, n;
        char path[256], why[200] = "", why2[200] = "";
        struct damages ds = {0}, ds2 = {0};
        struct cm_buf out, out2;
        uint64_t off = 0, off2 = 0;
        char *in;
        int rc, rc2;

        snprintf(path, sizeof(path), DIR "%s", files[f]);
        in = slurp(path, &n);
        if (strcmp(files[f], "flows-gzip-rg3.parquet") == 0) {
            memset(in + n / 3, 0xa5, 64); /* inside a row group's pages */
        }
        cm_buf_init(&out, 0);
        cm_buf_init(&out2, 0);
        rc = cm_parquet_to_text(in, n, &out, gz, NULL, on_damage, &ds, why, sizeof(why), &off);
        rc2 =
            cm_parquet_to_text(in, n, &out2, gz, &keep, on_damage, &ds2, why2, sizeof(why2), &off2);
        assert_non_null(keep);
        assert_int_equal(rc, rc2);
        assert_int_equal(rc, strcmp(files[f], "flows-brotli.parquet") == 0 ? CM_EFORMAT : 0);
        assert_int_equal(out.len, out2.len);
        assert_memory_equal(out.p, out2.p, out.len);
        assert_int_equal(ds.n, ds2.n);
        assert_int_equal(ds.rows, ds2.rows);
        if (ds.n > 0) {
            assert_string_equal(ds.last.msg, ds2.last.msg);
            assert_int_equal(ds.last.line, ds2.last.line);
        }
        assert_string_equal(why, why2);
        assert_int_equal(off, off2);
        cm_buf_finish(&out);
        cm_buf_finish(&out2);
        free(in);
    }
    cm_parquet_mem_free(keep);
    libdeflate_free_decompressor(gz);
}

/* Replaces every "from" in in[0..n) by "to" (the same length); returns how many. */
static int replace_all(char *in, size_t n, const char *from, const char *to)
{
    size_t k = strlen(from);
    int hits = 0;

    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(in + i, from, k) == 0) {
            memcpy(in + i, to, k);
            hits++;
        }
    }
    return hits;
}

/*
 * A value's space or control byte would split or end its line: it is written as '?',
 * from a dictionary entry (cleaned once, used by every row) and from a DELTA_BYTE_ARRAY
 * page, so the line keeps its 29 fields.
 */
static void test_control_bytes_become_question_marks(void **state)
{
    char why[200] = "", *text;
    struct damages ds = {0};
    struct cm_buf out;
    size_t n, tn;
    char *in = slurp(DIR "flows-uncompressed-dict-v2.parquet", &n);

    (void)state;
    text = slurp(DIR "flows.log", &tn);
    /* the dictionary's one ACCEPT, in the uncompressed page */
    assert_int_equal(replace_all(in, n, "ACCEPT", "AC\x01 \x7fT"), 1);
    assert_int_equal(replace_all(text, tn, "ACCEPT", "AC???T"), 7);
    cm_buf_init(&out, 0);
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), 0);
    assert_int_equal(out.len, tn);
    assert_memory_equal(out.p, text, tn);
    free(in);
    free(text);

    in = slurp(DIR "flows-156-delta-pages-v2.parquet", &n);
    assert_true(replace_all(in, n, "use1-az4", "use1\naz4") > 0);
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), 0);
    assert_int_equal(ds.n, 0);
    assert_int_equal(count_lines(&out), 157);
    assert_non_null(strstr(out.p, " use1?az4 "));
    assert_null(strstr(out.p, "use1-az4"));
    for (const char *l = out.p; *l != '\0'; l = strchr(l, '\n') + 1) {
        int fields = 1;

        for (const char *c = l; *c != '\n'; c++) {
            fields += *c == ' ';
        }
        assert_int_equal(fields, 29);
    }
    cm_buf_finish(&out);
    free(in);
}

/*
 * The run-length / bit-packed hybrid, made by hand: a run of five 6s, a bit-packed run
 * of 0..7 (3 bits each), then one that claims two groups and has one. Read whole and in
 * pieces of every size, the same values; the cut run gives nothing past its start.
 */
static void test_rle_fill(void **state)
{
    uint8_t buf[16];
    size_t k = 0;
    uint64_t bits = 0;
    const uint32_t want[] = {6, 6, 6, 6, 6, 0, 1, 2, 3, 4, 5, 6, 7};

    (void)state;
    buf[k++] = 5 << 1;     /* repeated run: 5 values */
    buf[k++] = 6;          /* of 6, in (3 + 7) / 8 = 1 byte */
    buf[k++] = 1 << 1 | 1; /* bit-packed: 1 group of 8 */
    for (uint64_t v = 0; v < 8; v++) {
        bits |= v << (3 * v);
    }
    buf[k++] = (uint8_t)bits;
    buf[k++] = (uint8_t)(bits >> 8);
    buf[k++] = (uint8_t)(bits >> 16);
    buf[k++] = 2 << 1 | 1; /* claims 2 groups (6 bytes), has 3 */
    buf[k++] = 0xff;
    buf[k++] = 0xff;
    buf[k++] = 0xff;
    for (uint32_t piece = 1; piece <= 14; piece++) {
        struct pq_rle r;
        uint32_t got[32], n = 0, m;

        pq_rle_init(&r, buf, buf + k, 3);
        do {
            m = pq_rle_fill(&r, got + n, piece);
            n += m;
        } while (m == piece && n < 20);
        assert_int_equal(n, 13);
        assert_memory_equal(got, want, sizeof(want));
    }
}

static void test_brotli_is_named(void **state)
{
    char why[200] = "";
    struct damages ds = {0};
    struct cm_buf out;
    size_t n;
    char *in = slurp(DIR "flows-brotli.parquet", &n);

    (void)state;
    cm_buf_init(&out, 0);
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), CM_EFORMAT);
    assert_non_null(strstr(why, "compressed with BROTLI, which coalmine does not read"));
    cm_buf_finish(&out);
    free(in);
}

static void test_not_parquet(void **state)
{
    char why[200] = "";
    struct damages ds = {0};
    struct cm_buf out;
    const char *t = "version account-id\n2 123\n";

    (void)state;
    assert_false(cm_parquet_sniff(t, strlen(t)));
    assert_false(cm_parquet_sniff("PAR", 3));
    cm_buf_init(&out, 0);
    assert_int_equal(convert(t, strlen(t), &out, &ds, why, sizeof(why)), CM_EFORMAT);
    assert_non_null(strstr(why, "not a Parquet file"));
    /* the start of one, without its footer: said so */
    assert_true(cm_parquet_sniff("PAR1PAR1", 8));
    assert_int_equal(convert("PAR1PAR1", 8, &out, &ds, why, sizeof(why)), CM_EFORMAT);
    assert_non_null(strstr(why, "no footer (PAR1) at its end"));
    cm_buf_finish(&out);
}

/* The row groups of flows-gzip-rg3 (3 rows each): the second one's srcaddr pages spoilt. */
static void test_damaged_row_group(void **state)
{
    char why[200] = "", *text;
    struct damages ds = {0};
    struct pq_meta *m = calloc(1, sizeof(*m));
    struct cm_buf out;
    size_t n, tn;
    uint64_t off;
    char *in = slurp(DIR "flows-gzip-rg3.parquet", &n);
    uint32_t col = 0;

    (void)state;
    assert_non_null(m);
    text = slurp(DIR "flows.log", &tn);
    assert_int_equal(pq_meta_read((const uint8_t *)in, n, m, why, sizeof(why), &off), 0);
    assert_int_equal(m->ngroups, 4);
    while (col < m->ncols && strcmp(m->cols[col].name, "srcaddr") != 0) {
        col++;
    }
    assert_true(col < m->ncols);
    {
        const struct pq_chunk *ch = &m->groups[1].chunks[col];

        /* past the first page header's few bytes: the compressed data */
        memset(in + ch->start + ch->size / 2, 0xa5, (size_t)(ch->size - ch->size / 2));
    }
    pq_meta_free(m);
    free(m);
    cm_buf_init(&out, 0);
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), 0);
    assert_int_equal(ds.n, 1);
    assert_int_equal(ds.last.rows, 3);
    assert_int_equal(ds.last.line, 5); /* rows 4-6 were lines 5-7 */
    assert_non_null(strstr(ds.last.msg, "row group 2 of 4"));
    assert_non_null(strstr(ds.last.msg, "'srcaddr'"));
    /* the header and the other nine rows, as they were */
    assert_int_equal(count_lines(&out), 10);
    {
        const char *l5 = text, *l8 = text;

        for (int k = 0; k < 4; k++) {
            l5 = strchr(l5, '\n') + 1;
        }
        for (int k = 0; k < 7; k++) {
            l8 = strchr(l8, '\n') + 1;
        }
        assert_int_equal(out.len, tn - (size_t)(l8 - l5));
        assert_memory_equal(out.p, text, (size_t)(l5 - text));
        assert_memory_equal(out.p + (l5 - text), l8, tn - (size_t)(l8 - text));
    }
    cm_buf_finish(&out);
    free(text);
    free(in);
}

/* Every cut and every flipped byte: an error or lines of fields, never a crash. */
static void test_cuts_and_flips(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof(same) / sizeof(same[0]); f++) {
        char path[256], why[200];
        struct cm_buf out;
        size_t n;
        char *in;

        snprintf(path, sizeof(path), DIR "%s", same[f]);
        in = slurp(path, &n);
        cm_buf_init(&out, 1u << 20);
        for (size_t cut = 0; cut < n; cut += 7) {
            struct damages ds = {0};

            why[0] = '\0';
            assert_int_equal(convert(in, cut, &out, &ds, why, sizeof(why)), CM_EFORMAT);
        }
        for (size_t i = 0; i < n; i++) {
            struct damages ds = {0};
            int rc;

            in[i] ^= 0x5a;
            why[0] = '\0';
            rc = convert(in, n, &out, &ds, why, sizeof(why));
            in[i] ^= 0x5a;
            assert_true(rc == 0 || rc == CM_EFORMAT);
            if (rc == 0) {
                assert_true(out.len > 0 && out.p[out.len - 1] == '\n');
                assert_true(count_lines(&out) - 1 + ds.rows <= 12 || ds.n == 0);
            }
        }
        cm_buf_finish(&out);
        free(in);
    }
}

/* Replaces in the footer of in[0..n) every "from" by "to" (the same length). */
static void rename_in_footer(char *in, size_t n, const char *from, const char *to)
{
    uint32_t len = (uint32_t)(unsigned char)in[n - 8] | (uint32_t)(unsigned char)in[n - 7] << 8 |
                   (uint32_t)(unsigned char)in[n - 6] << 16 |
                   (uint32_t)(unsigned char)in[n - 5] << 24;
    size_t k = strlen(from);

    assert_int_equal(strlen(to), k);
    for (size_t i = n - 8 - len; i + k <= n - 8; i++) {
        if (memcmp(in + i, from, k) == 0) {
            memcpy(in + i, to, k);
        }
    }
}

/* Columns that are no flow log field are left out; a file of none of them is refused. */
static void test_other_columns(void **state)
{
    static const char *const names[] = {"version",
                                        "account_id",
                                        "interface_id",
                                        "srcaddr",
                                        "dstaddr",
                                        "srcport",
                                        "dstport",
                                        "protocol",
                                        "packets",
                                        "bytes",
                                        "start",
                                        "end",
                                        "action",
                                        "log_status",
                                        "vpc_id",
                                        "subnet_id",
                                        "instance_id",
                                        "tcp_flags",
                                        "type",
                                        "pkt_srcaddr",
                                        "pkt_dstaddr",
                                        "region",
                                        "az_id",
                                        "sublocation_type",
                                        "sublocation_id",
                                        "pkt_src_aws_service",
                                        "pkt_dst_aws_service",
                                        "flow_direction",
                                        "traffic_path"};
    char why[200] = "";
    struct damages ds = {0};
    struct cm_buf out;
    size_t n;
    char *in = slurp(DIR "flows-gzip-plain-v1.parquet", &n);

    (void)state;
    cm_buf_init(&out, 0);
    /* "az_id" renamed "az_ix": not a field, so not in the text; the rest as it was */
    rename_in_footer(in, n, "az_id", "az_ix");
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), 0);
    assert_null(strstr(out.p, "az-i"));
    assert_non_null(strstr(out.p, " region sublocation-type "));
    assert_int_equal(count_lines(&out), 13);
    assert_non_null(strstr(out.p, " us-east-1 - - - "));
    /* every name upper-cased: no column of a flow log at all */
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char up[32];

        for (size_t k = 0; k <= strlen(names[i]); k++) {
            up[k] =
                (char)(names[i][k] >= 'a' && names[i][k] <= 'z' ? names[i][k] - 32 : names[i][k]);
        }
        rename_in_footer(in, n, names[i], up);
    }
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), CM_EFORMAT);
    assert_non_null(strstr(why, "without a VPC Flow Logs column (its columns: VERSION ACCOUNT_ID"));
    cm_buf_finish(&out);
    free(in);
}

/* A footer made by hand: 3 columns, and a row group list of 40 claimed in 60 bytes. */
static void test_claims_past_the_footer(void **state)
{
    static const unsigned char meta[] = {
        0x15, 0x02,                         /* 1: version 1 */
        0x19, 0x4c,                         /* 2: list of 4 structs */
        0x48, 0x01, 'r',  0x15, 0x06, 0x00, /* root: "r", 3 children */
        0x15, 0x02, 0x25, 0x02, 0x18, 0x07, 'v', 'e', 'r', 's', 'i', 'o',  'n',  0x00, 0x15,
        0x02, 0x25, 0x02, 0x18, 0x07, 's',  'r', 'c', 'p', 'o', 'r', 't',  0x00, 0x15, 0x02,
        0x25, 0x02, 0x18, 0x07, 'd',  's',  't', 'p', 'o', 'r', 't', 0x00, 0x16, 0x00, /* 3:
                                                                                          num_rows 0
                                                                                        */
        0x19, 0xfc, 40, /* 4: list of 40 structs */
    };
    unsigned char file[4 + sizeof(meta) + 60 + 8];
    size_t n = 0;
    uint32_t len = (uint32_t)sizeof(meta) + 60;
    char why[200] = "";
    struct damages ds = {0};
    struct cm_buf out;

    (void)state;
    memcpy(file, "PAR1", 4);
    n = 4;
    memcpy(file + n, meta, sizeof(meta));
    n += sizeof(meta);
    memset(file + n, 0, 60); /* 60 empty structs' worth of bytes: not 40 x 3 chunks */
    n += 60;
    for (int k = 0; k < 4; k++) {
        file[n++] = (unsigned char)(len >> (8 * k));
    }
    memcpy(file + n, "PAR1", 4);
    n += 4;
    cm_buf_init(&out, 0);
    assert_int_equal(convert((const char *)file, n, &out, &ds, why, sizeof(why)), CM_EFORMAT);
    assert_non_null(strstr(why, "claims more column chunks than it holds"));
    cm_buf_finish(&out);
}

static void test_cap(void **state)
{
    char why[200] = "";
    struct damages ds = {0};
    struct cm_buf out;
    size_t n;
    char *in = slurp(DIR "flows-snappy-dict-v1.parquet", &n);

    (void)state;
    cm_buf_init(&out, 1000);
    assert_int_equal(convert(in, n, &out, &ds, why, sizeof(why)), CM_E2BIG);
    cm_buf_finish(&out);
    free(in);
}

static void test_snappy(void **state)
{
    /* 12 bytes: literal "abcd", copy 4 at offset 4 (1-byte offset form), copy 4 at 2 (a run) */
    const unsigned char ok[] = {12, 3 << 2, 'a', 'b', 'c', 'd', 0x01, 4, 0x01, 2};
    const unsigned char far[] = {8, 3 << 2, 'a', 'b', 'c', 'd', 0x01, 5};    /* offset past start */
    const unsigned char zero[] = {8, 3 << 2, 'a', 'b', 'c', 'd', 0x01, 0};   /* offset 0 */
    const unsigned char shortl[] = {9, 3 << 2, 'a', 'b', 'c', 'd', 0x01, 4}; /* 8 of 9 */
    /* a 2-byte-offset copy (tag 2) of 3 bytes at 3; a literal with a 1-byte length (60) */
    const unsigned char two[] = {9, 2 << 2,  'x', 'y', 'z', (2 << 2) | 2, 3,
                                 0, 60 << 2, 2,   'p', 'q', 'r'};
    unsigned char out[16];
    size_t len;

    (void)state;
    assert_int_equal(cm_snappy_length(ok, sizeof(ok), &len), 0);
    assert_int_equal(len, 12);
    assert_int_equal(cm_snappy_decompress(ok, sizeof(ok), out, sizeof(out)), 0);
    assert_memory_equal(out, "abcdabcdcdcd", 12);
    assert_int_equal(cm_snappy_decompress(ok, sizeof(ok), out, 11), CM_EINVAL); /* too small */
    assert_int_equal(cm_snappy_decompress(far, sizeof(far), out, sizeof(out)), CM_EINVAL);
    assert_int_equal(cm_snappy_decompress(zero, sizeof(zero), out, sizeof(out)), CM_EINVAL);
    assert_int_equal(cm_snappy_decompress(shortl, sizeof(shortl), out, sizeof(out)), CM_EINVAL);
    assert_int_equal(cm_snappy_decompress(two, sizeof(two), out, sizeof(out)), 0);
    assert_memory_equal(out, "xyzxyzpqr", 9);
    assert_int_equal(cm_snappy_decompress(two, sizeof(two) - 1, out, sizeof(out)), CM_EINVAL);
    assert_int_equal(cm_snappy_length((const unsigned char *)"\xff\xff\xff\xff\xff\x01", 6, &len),
                     CM_EINVAL);
}

static void test_thrift(void **state)
{
    /* struct { 1: i32 -3, 2: binary "ab", 5: list<i64> [1, 300], 15: bool true } */
    const uint8_t s[] = {0x15, 0x05, 0x18, 2,    'a',  'b',  0x39,
                         0x26, 0x02, 0xd8, 0x04, 0x01, 0x1e, 0x00};
    struct cm_thrift t = {s, s + sizeof(s)};
    struct cm_thrift_struct st = {0};
    uint8_t deep[200];
    int16_t id;
    int type, elem;
    int64_t v;
    uint32_t n;
    const uint8_t *p;
    size_t len;

    (void)state;
    assert_int_equal(cm_thrift_field(&t, &st, &id, &type), 0);
    assert_int_equal(id, 1);
    assert_int_equal(cm_thrift_int(&t, type, &v), 0);
    assert_int_equal(v, -3);
    assert_int_equal(cm_thrift_field(&t, &st, &id, &type), 0);
    assert_int_equal(id, 2);
    assert_int_equal(cm_thrift_binary(&t, &p, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "ab", 2);
    assert_int_equal(cm_thrift_field(&t, &st, &id, &type), 0);
    assert_int_equal(id, 5);
    assert_int_equal(type, CM_THRIFT_LIST);
    assert_int_equal(cm_thrift_list(&t, &elem, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cm_thrift_int(&t, elem, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(cm_thrift_int(&t, elem, &v), 0);
    assert_int_equal(v, 300);
    assert_int_equal(cm_thrift_field(&t, &st, &id, &type), 0); /* long form: id 15 */
    assert_int_equal(id, 15);
    assert_int_equal(type, CM_THRIFT_TRUE);
    assert_int_equal(cm_thrift_field(&t, &st, &id, &type), 0);
    assert_int_equal(type, CM_THRIFT_STOP);

    /* skipping the whole struct again */
    t.p = s;
    assert_int_equal(cm_thrift_skip(&t, CM_THRIFT_STRUCT, 0), 0);
    assert_ptr_equal(t.p, s + sizeof(s));
    /* cut anywhere: CM_ETRUNC, never past the end */
    for (size_t cut = 0; cut < sizeof(s); cut++) {
        struct cm_thrift c = {s, s + cut};

        assert_int_equal(cm_thrift_skip(&c, CM_THRIFT_STRUCT, 0), CM_ETRUNC);
    }
    /* structs nested 200 deep: refused at the depth cap, not by the stack */
    memset(deep, 0x1c, sizeof(deep)); /* field 1, type struct */
    t.p = deep;
    t.end = deep + sizeof(deep);
    assert_int_equal(cm_thrift_skip(&t, CM_THRIFT_STRUCT, 0), CM_EINVAL);
    /* a list claiming more elements than bytes left */
    {
        const uint8_t l[] = {0xf5, 0xff, 0x01, 0x02};
        struct cm_thrift c = {l, l + sizeof(l)};

        assert_int_equal(cm_thrift_list(&c, &elem, &n), CM_ETRUNC);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_give_the_text),
        cmocka_unit_test(test_paged_fixtures_give_the_text),
        cmocka_unit_test(test_memory_kept_between_files),
        cmocka_unit_test(test_control_bytes_become_question_marks),
        cmocka_unit_test(test_rle_fill),
        cmocka_unit_test(test_brotli_is_named),
        cmocka_unit_test(test_not_parquet),
        cmocka_unit_test(test_damaged_row_group),
        cmocka_unit_test(test_cuts_and_flips),
        cmocka_unit_test(test_other_columns),
        cmocka_unit_test(test_claims_past_the_footer),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_snappy),
        cmocka_unit_test(test_thrift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
