/*
 * Unit tests for src/gen (coalmine gen). Small corpora are generated into
 * scratch directories under /tmp (mkdtemp) and read back: the S3 key layout
 * of all three sources, the manifest (.coalmine-gen.json) counts against the
 * records actually present (files gunzipped with libdeflate), JSON validity of every
 * CloudTrail file and Resolver line (cm_json_parse), both flow formats,
 * determinism (same seed and any --jobs give identical bytes, another seed
 * differs), that the world is consistent across sources, and the helpers
 * (RNG, text writer). Every scratch directory is removed in teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <libdeflate.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "gen/gen.h"
#include "gen/gen_ct.h"
#include "gen/gen_dns.h"
#include "gen/gen_flow.h"
#include "gen/gen_pick.h"
#include "gen/gen_text.h"
#include "gen/rng.h"

#define MAX_FILES 4096

/* A generated tree read back into memory. */
struct corpus {
    char root[64];
    size_t n;
    char *path[MAX_FILES]; /* relative to root, sorted */
    char *data[MAX_FILES]; /* decompressed content */
    size_t len[MAX_FILES];
    size_t raw_len[MAX_FILES];
};

static void small_config(struct cm_gen_config *c, const char *dir)
{
    cm_gen_config_init(c);
    c->out_dir = dir;
    c->hours = 1;
    c->accounts = 2;
    c->instances = 6;
    c->regions = 2;
    c->jobs = 1;
}

static void make_tmp(char *out, size_t len)
{
    snprintf(out, len, "/tmp/cm-test-gen-XXXXXX");
    assert_non_null(mkdtemp(out));
}

static void rm_rf(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    char sub[1024];

    if (lstat(path, &sb) != 0) {
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        d = opendir(path);
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
                rm_rf(sub);
            }
        }
        if (d != NULL) {
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Gunzips with libdeflate, sizing the output from the gzip trailer. */
static char *gunzip(const char *z, size_t zlen, size_t *len)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t isize, got = 0;
    char *out;

    assert_non_null(d);
    assert_true(zlen > 18);
    isize = (size_t)(unsigned char)z[zlen - 4] | (size_t)(unsigned char)z[zlen - 3] << 8 |
            (size_t)(unsigned char)z[zlen - 2] << 16 | (size_t)(unsigned char)z[zlen - 1] << 24;
    out = malloc(isize + 1);
    assert_non_null(out);
    assert_int_equal(libdeflate_gzip_decompress(d, z, zlen, out, isize, &got), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, isize);
    out[got] = '\0';
    libdeflate_free_decompressor(d);
    *len = got;
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct corpus *c, const char *rel)
{
    char dir[1024], sub[1024], full[1200];
    struct dirent *e;
    struct stat sb;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s%s%s", c->root, rel[0] ? "/" : "", rel);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(full, sizeof(full), "%s/%s", c->root, sub);
        assert_int_equal(stat(full, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            walk(c, sub);
        } else {
            assert_true(c->n < MAX_FILES);
            c->path[c->n++] = strdup(sub);
        }
    }
    closedir(d);
}

/* Reads every file under root (sorted by path); .gz files are gunzipped. */
static void load(struct corpus *c)
{
    size_t i, rawlen;
    char full[1200];
    char *raw;

    c->n = 0;
    walk(c, "");
    qsort(c->path, c->n, sizeof(c->path[0]), cmp_str);
    for (i = 0; i < c->n; i++) {
        size_t pl = strlen(c->path[i]);

        snprintf(full, sizeof(full), "%s/%s", c->root, c->path[i]);
        raw = read_all(full, &rawlen);
        c->raw_len[i] = rawlen;
        if (pl > 3 && strcmp(c->path[i] + pl - 3, ".gz") == 0) {
            c->data[i] = gunzip(raw, rawlen, &c->len[i]);
            free(raw);
        } else {
            c->data[i] = raw;
            c->len[i] = rawlen;
        }
    }
}

static void unload(struct corpus *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        free(c->path[i]);
        free(c->data[i]);
    }
    c->n = 0;
}

/* Corpora made by one test; teardown removes them even when an assertion failed. */
struct fixture {
    struct corpus *c[4];
    int n;
};

static int setup(void **state)
{
    *state = calloc(1, sizeof(struct fixture));
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int i;

    for (i = 0; i < fx->n; i++) {
        rm_rf(fx->c[i]->root);
        unload(fx->c[i]);
        free(fx->c[i]);
    }
    free(fx);
    return 0;
}

static struct corpus *generate(void **state, struct cm_gen_config *cfg, struct cm_gen_stats *st)
{
    struct fixture *fx = *state;
    struct corpus *c = calloc(1, sizeof(*c));

    assert_non_null(c);
    assert_true(fx->n < 4);
    fx->c[fx->n++] = c;
    make_tmp(c->root, sizeof(c->root));
    cfg->out_dir = c->root;
    assert_int_equal(cm_gen_run(cfg, st), 0);
    load(c);
    return c;
}

static size_t count_substr(const char *p, const char *needle)
{
    size_t n = 0, k = strlen(needle);

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += k;
    }
    return n;
}

static size_t count_lines(const char *p, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        n += p[i] == '\n';
    }
    return n;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool matches(const char *re, const char *s)
{
    regex_t rx;
    int rc;

    assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
    rc = regexec(&rx, s, 0, NULL, 0);
    regfree(&rx);
    return rc == 0;
}

/* Which source a relative path belongs to, -1 for the manifest. */
static int kind_of(const char *path)
{
    if (strstr(path, "/CloudTrail/") != NULL) {
        return CM_GEN_CLOUDTRAIL;
    }
    if (strstr(path, "/vpcflowlogs/") != NULL) {
        return CM_GEN_VPCFLOW;
    }
    if (strstr(path, "/vpcdnsquerylogs/") != NULL) {
        return CM_GEN_DNS;
    }
    return -1;
}

/* ---- helpers of src/gen ---- */

static void test_rng(void **state)
{
    struct cm_gen_rng a, b;
    char u[37];
    int i;

    (void)state;
    cm_gen_rng_seed(&a, 42);
    cm_gen_rng_seed(&b, 42);
    for (i = 0; i < 100; i++) {
        assert_true(cm_gen_rng_next(&a) == cm_gen_rng_next(&b));
    }
    cm_gen_rng_derive(&a, 1, 2, 3, 4);
    cm_gen_rng_derive(&b, 1, 2, 3, 5);
    assert_true(cm_gen_rng_next(&a) != cm_gen_rng_next(&b));
    for (i = 0; i < 1000; i++) {
        assert_true(cm_gen_rng_below(&a, 7) < 7);
        assert_in_range(cm_gen_rng_range(&a, 5, 9), 5, 9);
    }
    assert_int_equal(cm_gen_rng_below(&a, 0), 0);
    cm_gen_rng_uuid(&a, u);
    u[36] = '\0';
    assert_true(
        matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", u));
    assert_int_equal(cm_gen_rng_count(&a, 0.0), 0);
}

static void test_text(void **state)
{
    struct cm_buf b;
    struct cm_gen_text t;

    (void)state;
    cm_buf_init(&b, 0);
    cm_gen_t_init(&t, &b);
    cm_gen_t_ip4(&t, 0x0a000102u);
    cm_gen_t_putc(&t, ' ');
    cm_gen_t_iso(&t, cm_days_from_civil(2026, 1, 5) * 86400 + 3723);
    cm_gen_t_putc(&t, ' ');
    cm_gen_t_stamp(&t, cm_days_from_civil(2024, 2, 29) * 86400 + 23 * 3600 + 55 * 60);
    cm_gen_t_putc(&t, ' ');
    cm_gen_t_date_path(&t, cm_days_from_civil(1999, 12, 31) * 86400);
    cm_gen_t_putc(&t, ' ');
    cm_gen_t_jesc(&t, "a\"b\\c\n\x01", 7);
    cm_gen_t_putc(&t, ' ');
    cm_gen_t_u64(&t, 18446744073709551615ULL);
    cm_gen_t_kv(&t, ",\"k", "v");
    assert_int_equal(t.err, 0);
    assert_string_equal(b.p, "10.0.1.2 2026-01-05T01:02:03Z 20240229T2355Z 1999/12/31 "
                             "\"a\\\"b\\\\c\\u000a\\u0001\" 18446744073709551615,\"k\":\"v\"");
    cm_buf_finish(&b);
}

static void test_config_check(void **state)
{
    struct cm_gen_config c;
    const char *why = NULL;

    (void)state;
    cm_gen_config_init(&c);
    assert_int_equal(cm_gen_config_check(&c, &why), 0);
    assert_null(why);
    assert_int_equal(c.seed, 1);
    assert_int_equal(c.start_s, cm_days_from_civil(2026, 1, 5) * 86400);
    c.regions = 13;
    assert_int_equal(cm_gen_config_check(&c, &why), CM_EINVAL);
    assert_non_null(why);
    cm_gen_config_init(&c);
    c.scale = 0;
    assert_int_equal(cm_gen_config_check(&c, NULL), CM_EINVAL);
    cm_gen_config_init(&c);
    c.start_s += 30;
    assert_int_equal(cm_gen_config_check(&c, NULL), CM_EINVAL);
    cm_gen_config_init(&c);
    c.kinds = 0;
    assert_int_equal(cm_gen_config_check(&c, NULL), CM_EINVAL);
    cm_gen_config_init(&c);
    c.hours = 0;
    assert_int_equal(cm_gen_config_check(&c, NULL), CM_EINVAL);
    c.out_dir = "/nonexistent-never";
    assert_int_equal(cm_gen_run(&c, NULL), CM_EINVAL);
    assert_non_null(cm_gen_scenarios[0]);
    assert_non_null(cm_gen_scenario_find("recon-iam-malicious-ip"));
    assert_null(cm_gen_scenario_find("anything"));
}

static bool ip_in(uint32_t ip, uint32_t net, unsigned plen)
{
    return (ip >> (32 - plen)) == (net >> (32 - plen));
}

static void check_instance(const struct cm_gen_world *w, unsigned i)
{
    const struct cm_gen_instance *in = &w->instances[i];
    const struct cm_gen_vpc *v = &w->vpcs[in->vpc];
    bool pub = in->tier == CM_GEN_TIER_WEB || in->tier == CM_GEN_TIER_BASTION;
    unsigned j;

    assert_true(matches("^i-[0-9a-f]{17}$", in->id));
    assert_true(matches("^eni-[0-9a-f]{17}$", in->eni));
    assert_true(i >= v->first_instance && i < v->first_instance + v->ninstances);
    assert_true(ip_in(in->ip, v->cidr, 16));
    assert_true(ip_in(in->ip, v->subnets[in->subnet].cidr, 20));
    assert_int_equal(v->subnets[in->subnet].is_public, pub);
    assert_int_equal(in->public_ip != 0, pub);
    assert_int_equal(w->roles[in->role].kind, CM_GEN_R_INSTANCE);
    assert_int_equal(w->roles[in->role].account, in->account);
    for (j = 0; j < i; j++) {
        assert_string_not_equal(w->instances[j].id, in->id);
        assert_false(w->instances[j].ip == in->ip && w->instances[j].vpc == in->vpc);
    }
}

static void test_world(void **state)
{
    struct cm_gen_config c;
    struct cm_gen_world *w = NULL;
    unsigned i, tiers = 0;

    (void)state;
    small_config(&c, "/unused");
    c.instances = 18;
    c.principals = 8;
    c.regions = 3;
    assert_int_equal(cm_gen_world_create(&c, &w), 0);
    assert_int_equal(w->naccounts, 2);
    assert_int_equal(w->nvpcs, 6);
    assert_int_equal(w->ninstances, 36);
    assert_string_equal(w->regions[0]->name, "us-east-1");
    for (i = 0; i < w->naccounts; i++) {
        assert_true(matches("^[1-9][0-9]{11}$", w->accounts[i].id));
    }
    assert_string_not_equal(w->accounts[0].id, w->accounts[1].id);
    assert_int_equal(w->accounts[0].flow_custom, 0);
    assert_int_equal(w->accounts[1].flow_custom, 1);
    for (i = 0; i < w->nvpcs; i++) {
        assert_true(matches("^vpc-[0-9a-f]{17}$", w->vpcs[i].id));
        assert_true(matches("^fl-[0-9a-f]{17}$", w->vpcs[i].flow_log_id));
        assert_int_equal(w->vpcs[i].resolver, w->vpcs[i].cidr + 2);
        assert_int_equal(w->vpcs[i].account * w->nregions + w->vpcs[i].region, i);
    }
    for (i = 0; i < w->ninstances; i++) {
        check_instance(w, i);
        tiers |= 1u << w->instances[i].tier;
    }
    assert_int_equal(tiers, (1u << CM_GEN_NTIERS) - 1);
    for (i = 0; i < w->nprincipals; i++) {
        assert_true(matches("^AKIA[A-Z2-7]{16}$", w->principals[i].access_key));
        assert_true(matches("^AIDA[A-Z2-7]{17}$", w->principals[i].principal_id));
    }
    for (i = 0; i < w->nroles; i++) {
        assert_true(matches("^AROA[A-Z2-7]{17}$", w->roles[i].principal_id));
        assert_true(w->roles[i].name[0] != '\0');
    }
    cm_gen_world_destroy(w);
    cm_gen_world_destroy(NULL);
}

/* ---- generated corpora ---- */

static const char *const layout_re[CM_GEN_NKINDS] = {
    "^AWSLogs/[0-9]{12}/CloudTrail/[a-z]{2}-[a-z]+-[0-9]/[0-9]{4}/[0-9]{2}/[0-9]{2}/"
    "[0-9]{12}_CloudTrail_[a-z]{2}-[a-z]+-[0-9]_[0-9]{8}T[0-9]{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$",
    "^AWSLogs/[0-9]{12}/vpcflowlogs/[a-z]{2}-[a-z]+-[0-9]/[0-9]{4}/[0-9]{2}/[0-9]{2}/"
    "[0-9]{12}_vpcflowlogs_[a-z]{2}-[a-z]+-[0-9]_fl-[0-9a-f]{17}_[0-9]{8}T[0-9]{4}Z_[0-9a-f]{8}"
    "\\.log\\.gz$",
    "^AWSLogs/[0-9]{12}/vpcdnsquerylogs/vpc-[0-9a-f]{17}/[0-9]{4}/[0-9]{2}/[0-9]{2}/"
    "vpc-[0-9a-f]{17}_vpcdnsquerylogs_[0-9]{12}_[0-9]{8}T[0-9]{4}Z_[0-9a-f]{8}\\.log\\.gz$",
};

/* The account folder, the date folders and the names agree with each other. */
static void check_path_fields(const char *path, int kind)
{
    const char *base = strrchr(path, '/') + 1;
    const char *stamp = strstr(base, "Z_") - 13;
    char acct[13], folder[11], want[11];

    memcpy(acct, path + strlen("AWSLogs/"), 12);
    acct[12] = '\0';
    if (kind == CM_GEN_DNS) {
        assert_non_null(strstr(base, acct));
    } else {
        assert_true(has_prefix(base, acct));
    }
    snprintf(want, sizeof(want), "%.4s/%.2s/%.2s", stamp, stamp + 4, stamp + 6);
    memcpy(folder, base - 11, 10);
    folder[10] = '\0';
    assert_string_equal(folder, want);
}

static int64_t manifest_num(const struct corpus *c, const char *path)
{
    struct cm_json_doc d;
    int64_t v = -1;
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->path[i], CM_GEN_MANIFEST) == 0) {
            break;
        }
    }
    assert_true(i < c->n);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, c->data[i], c->len[i], NULL), 0);
    assert_int_equal(cm_json_i64(&d, cm_json_path(&d, 0, path), &v), 0);
    cm_json_doc_finish(&d);
    return v;
}

/* Every line of a JSON Lines buffer is an object with a query_name ending in '.'. */
static size_t check_dns_lines(const char *p, size_t len)
{
    struct cm_json_doc d;
    const char *end = p + len, *nl;
    size_t n = 0;

    cm_json_doc_init(&d, 0, 0);
    for (; p < end; p = nl + 1) {
        struct cm_str name;

        nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        assert_int_equal(cm_json_parse(&d, p, (size_t)(nl - p), NULL), 0);
        name = cm_json_raw(&d, cm_json_get(&d, 0, "query_name"));
        assert_true(name.len > 1 && name.p[name.len - 1] == '.');
        assert_int_not_equal(cm_json_get(&d, 0, "srcids"), CM_JSON_NONE);
        n++;
    }
    cm_json_doc_finish(&d);
    return n;
}

static size_t check_cloudtrail(const char *p, size_t len)
{
    struct cm_json_doc d;
    uint32_t recs;
    size_t n = count_substr(p, "\"eventVersion\":");

    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, p, len, NULL), 0);
    recs = cm_json_get(&d, 0, "Records");
    assert_int_equal(cm_json_type(&d, recs), CM_JSON_ARRAY);
    assert_int_equal(cm_json_at(&d, recs)->len, n);
    cm_json_doc_finish(&d);
    return n;
}

/* Counts records per kind the way a reader would, checking each file's shape. */
static void count_records(const struct corpus *c, uint64_t *files, uint64_t *recs, uint64_t *bytes,
                          int *formats)
{
    static const char v2[] = "version account-id interface-id srcaddr dstaddr srcport dstport "
                             "protocol packets bytes start end action log-status\n";
    static const char v5[] = "version account-id interface-id srcaddr dstaddr srcport dstport "
                             "protocol packets bytes start end action log-status vpc-id";
    size_t i;

    for (i = 0; i < c->n; i++) {
        int k = kind_of(c->path[i]);

        if (k < 0) {
            continue;
        }
        assert_true(matches(layout_re[k], c->path[i]));
        check_path_fields(c->path[i], k);
        files[k]++;
        bytes[k] += c->len[i];
        if (k == CM_GEN_CLOUDTRAIL) {
            recs[k] += check_cloudtrail(c->data[i], c->len[i]);
        } else if (k == CM_GEN_DNS) {
            recs[k] += check_dns_lines(c->data[i], c->len[i]);
        } else {
            formats[0] |= has_prefix(c->data[i], v2);
            formats[1] |= has_prefix(c->data[i], v5);
            assert_true(has_prefix(c->data[i], v2) || has_prefix(c->data[i], v5));
            recs[k] += count_lines(c->data[i], c->len[i]) - 1;
        }
    }
}

static void test_layout_and_manifest(void **state)
{
    static const char *const names[CM_GEN_NKINDS] = {"cloudtrail", "vpcflow", "dns"};
    struct cm_gen_config cfg;
    struct cm_gen_stats st;
    uint64_t files[3] = {0}, recs[3] = {0}, bytes[3] = {0};
    int formats[2] = {0, 0}, k;
    char key[64];
    struct corpus *c;

    small_config(&cfg, NULL);
    c = generate(state, &cfg, &st);
    count_records(c, files, recs, bytes, formats);
    assert_true(formats[0] && formats[1]);
    for (k = 0; k < CM_GEN_NKINDS; k++) {
        assert_true(files[k] > 0 && recs[k] > 0);
        assert_int_equal(files[k], st.files[k]);
        assert_int_equal(recs[k], st.records[k]);
        assert_int_equal(bytes[k], st.bytes[k]);
        snprintf(key, sizeof(key), "files.%s", names[k]);
        assert_int_equal(manifest_num(c, key), files[k]);
        snprintf(key, sizeof(key), "records.%s", names[k]);
        assert_int_equal(manifest_num(c, key), recs[k]);
        snprintf(key, sizeof(key), "bytes.%s", names[k]);
        assert_int_equal(manifest_num(c, key), bytes[k]);
    }
    assert_int_equal(manifest_num(c, "seed"), 1);
    assert_int_equal(manifest_num(c, "hours"), 1);
    /* A second run into the same directory is refused. */
    assert_int_equal(cm_gen_run(&cfg, NULL), CM_EINVAL);
}

static bool same_corpus(const struct corpus *a, const struct corpus *b)
{
    size_t i;

    if (a->n != b->n) {
        return false;
    }
    for (i = 0; i < a->n; i++) {
        if (strcmp(a->path[i], b->path[i]) != 0 || a->raw_len[i] != b->raw_len[i] ||
            a->len[i] != b->len[i] || memcmp(a->data[i], b->data[i], a->len[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void test_determinism(void **state)
{
    struct cm_gen_config cfg;
    struct cm_gen_stats st;
    struct corpus *a, *b, *c;

    small_config(&cfg, NULL);
    a = generate(state, &cfg, &st);
    cfg.jobs = 3;
    b = generate(state, &cfg, &st);
    assert_true(same_corpus(a, b));
    cfg.jobs = 1;
    cfg.seed = 2;
    c = generate(state, &cfg, &st);
    assert_false(same_corpus(a, c));
}

static bool corpus_has(const struct corpus *c, int kind, const char *needle)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (kind_of(c->path[i]) == kind && strstr(c->data[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

/* The same instance shows up in all three sources under the same identifiers. */
static void test_cross_source(void **state)
{
    struct cm_gen_config cfg;
    struct cm_gen_stats st;
    struct cm_gen_world *w;
    struct corpus *c;
    char needle[128], ip[16];
    unsigned i;

    small_config(&cfg, NULL);
    c = generate(state, &cfg, &st);
    assert_int_equal(cm_gen_world_create(&cfg, &w), 0);
    for (i = 0; i < w->ninstances; i++) {
        const struct cm_gen_instance *in = &w->instances[i];

        snprintf(ip, sizeof(ip), "%u.%u.%u.%u", in->ip >> 24, (in->ip >> 16) & 255,
                 (in->ip >> 8) & 255, in->ip & 255);
        snprintf(needle, sizeof(needle), " %s %s ", in->eni, ip);
        assert_true(corpus_has(c, CM_GEN_VPCFLOW, needle));
        snprintf(needle, sizeof(needle), "\"srcaddr\":\"%s\",", ip);
        assert_true(corpus_has(c, CM_GEN_DNS, needle));
        snprintf(needle, sizeof(needle), "\"srcids\":{\"instance\":\"%s\"}", in->id);
        assert_true(corpus_has(c, CM_GEN_DNS, needle));
        snprintf(needle, sizeof(needle), "assumed-role/%s/%s\"", w->roles[in->role].name, in->id);
        assert_true(corpus_has(c, CM_GEN_CLOUDTRAIL, needle));
    }
    snprintf(needle, sizeof(needle), " %u.%u.%u.2 ", w->vpcs[0].cidr >> 24,
             (w->vpcs[0].cidr >> 16) & 255, (w->vpcs[0].cidr >> 8) & 255);
    /* Like AWS, flow logs never show traffic to the Amazon DNS resolver or Time Sync. */
    assert_false(corpus_has(c, CM_GEN_VPCFLOW, needle));
    assert_false(corpus_has(c, CM_GEN_VPCFLOW, " 169.254.169.123 "));
    assert_true(corpus_has(c, CM_GEN_CLOUDTRAIL, "\"ec2RoleDelivery\":\"2.0\""));
    assert_true(corpus_has(c, CM_GEN_CLOUDTRAIL, "\"eventCategory\":\"Data\""));
    assert_true(corpus_has(c, CM_GEN_VPCFLOW, " NODATA"));
    cm_gen_world_destroy(w);
}

static void test_kinds_and_plain(void **state)
{
    struct cm_gen_config cfg;
    struct cm_gen_stats st;
    struct corpus *c;
    size_t i;

    small_config(&cfg, NULL);
    cfg.kinds = CM_GEN_KIND_BIT(CM_GEN_DNS) | CM_GEN_KIND_BIT(CM_GEN_VPCFLOW);
    cfg.gzip = false;
    cfg.flow_format = CM_GEN_FLOW_CUSTOM;
    c = generate(state, &cfg, &st);
    assert_int_equal(st.files[CM_GEN_CLOUDTRAIL], 0);
    assert_true(st.files[CM_GEN_DNS] > 0 && st.files[CM_GEN_VPCFLOW] > 0);
    for (i = 0; i < c->n; i++) {
        size_t n = strlen(c->path[i]);

        assert_true(kind_of(c->path[i]) != CM_GEN_CLOUDTRAIL);
        assert_true(strcmp(c->path[i] + n - 3, ".gz") != 0);
        assert_int_equal(c->raw_len[i], c->len[i]);
        if (kind_of(c->path[i]) == CM_GEN_VPCFLOW) {
            assert_true(has_prefix(c->data[i], "version account-id interface-id srcaddr "
                                               "dstaddr srcport dstport protocol packets "
                                               "bytes start end action log-status vpc-id"));
            assert_true(has_prefix(strchr(c->data[i], '\n') + 1, "5 "));
        }
    }
}

/* The writers scenarios use: one record of each source into a hand-made file. */
static void writer_files(struct cm_gen_file *f, const struct cm_gen_world *w)
{
    const struct cm_gen_instance *in = &w->instances[w->vpcs[0].first_instance];
    struct cm_gen_dns_answer ans[] = {{"169.254.169.254", "A"}};
    struct cm_gen_dns_query q = {.t = f->env->cfg->start_s + 7,
                                 .in = in,
                                 .srcport = 5353,
                                 .name = "we\"ird.example",
                                 .qtype = "A",
                                 .rcode = "NOERROR",
                                 .answers = ans,
                                 .nanswers = 1};
    struct cm_gen_flow fl = {.in = in,
                             .src = 0xc6336407u,
                             .dst = in->ip,
                             .sport = 4444,
                             .dport = 22,
                             .proto = 6,
                             .flags = CM_GEN_TCP_SYN,
                             .ingress = true,
                             .packets = 1,
                             .bytes = 44};
    struct cm_json_doc d;

    cm_gen_file_begin(f, CM_GEN_DNS, false, 0, 0);
    cm_gen_dns_write(f, &q);
    assert_int_equal(cm_gen_file_assemble(f), 0);
    assert_non_null(strstr(f->out.p, "\"query_name\":\"we\\\"ird.example.\""));
    assert_non_null(strstr(f->out.p, "\"Rdata\":\"169.254.169.254\""));
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, f->out.p, f->out.len, NULL), 0);
    cm_json_doc_finish(&d);

    cm_gen_file_begin(f, CM_GEN_VPCFLOW, false, 0, 0);
    fl.start = fl.end = f->start_s + 3;
    cm_gen_flow_write(f, &fl, f->start_s);
    cm_gen_flow_nodata(f, in, f->start_s, f->start_s + 60);
    assert_int_equal(cm_gen_file_assemble(f), 0);
    assert_int_equal(count_lines(f->out.p, f->out.len), 3);
    assert_non_null(strstr(f->out.p, " 198.51.100.7 "));
    assert_non_null(strstr(f->out.p, " REJECT OK"));
    assert_non_null(strstr(f->out.p, " - NODATA"));
}

static void test_writers(void **state)
{
    struct cm_gen_config cfg;
    struct cm_gen_world *w;
    struct cm_gen_tables *tab;
    struct cm_gen_env env;
    struct cm_gen_file f;
    struct cm_gen_caller who = {.kind = CM_GEN_K_IAM_USER};
    struct cm_gen_ct_call c;
    struct cm_json_doc d;

    (void)state;
    small_config(&cfg, "/unused");
    assert_int_equal(cm_gen_world_create(&cfg, &w), 0);
    assert_int_equal(cm_gen_tables_create(&tab), 0);
    env.cfg = &cfg;
    env.world = w;
    env.tables = tab;
    cm_gen_file_init(&f, &env);
    writer_files(&f, w);

    cm_gen_file_begin(&f, CM_GEN_CLOUDTRAIL, false, 0, 0);
    who.principal = w->accounts[0].first_principal;
    snprintf(who.key, sizeof(who.key), "%s", w->principals[who.principal].access_key);
    cm_gen_ct_call_init(&c, f.start_s + 100, cm_gen_api_find("sts", "GetCallerIdentity"), &who, 0);
    c.src_ip = 0xcb007101u;
    c.agent = CM_GEN_UA_CLI_FIRST;
    cm_gen_ct_write(&f, &c);
    c.t = f.start_s + 50;
    c.api = cm_gen_api_find("iam", "ListUsers");
    for (c.error = 0; strcmp(cm_gen_ct_errors[c.error].code, "AccessDenied") != 0; c.error++) {
    }
    cm_gen_ct_write(&f, &c);
    assert_int_equal(cm_gen_file_assemble(&f), 0);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, f.out.p, f.out.len, NULL), 0);
    assert_int_equal(cm_json_at(&d, cm_json_get(&d, 0, "Records"))->len, 2);
    cm_json_doc_finish(&d);
    /* Records come out in time order, whatever order they were written in. */
    assert_true(strstr(f.out.p, "ListUsers") < strstr(f.out.p, "GetCallerIdentity"));
    assert_non_null(strstr(f.out.p, "command/sts.get-caller-identity"));
    assert_non_null(strstr(f.out.p, "\"errorCode\":\"AccessDenied\""));
    assert_non_null(strstr(f.out.p, "\"sourceIPAddress\":\"203.0.113.1\""));

    cm_gen_file_finish(&f);
    cm_gen_tables_destroy(tab);
    cm_gen_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_world),
        cmocka_unit_test(test_writers),
        cmocka_unit_test_setup_teardown(test_layout_and_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kinds_and_plain, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
