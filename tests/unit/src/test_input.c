/*
 * Unit tests for src/source/input.h. Each test builds a scratch tree under
 * /tmp (mkdtemp) shaped like an S3 export of AWS logs: nested AWSLogs
 * folders, hidden files and folders, a CloudTrail-Digest folder, objects
 * whose names carry the YYYYMMDDTHHMMZ delivery stamp and objects without
 * one. The checks are the sort order (unstamped first by path, then by
 * stamp time, then path), "-" kept first as stdin, sizes, what is skipped,
 * and CM_EIO naming the path that cannot be read. The tree is removed in
 * the teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "source/input.h"

#define CT_DIR "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04"
#define FL_DIR "AWSLogs/111122223333/vpcflowlogs/us-east-1/2025/03/04"
#define DG_DIR "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/04"

#define MS_0955 1741082100000LL /* 2025-03-04T09:55Z */
#define MS_1000 1741082400000LL /* 2025-03-04T10:00Z */
#define MS_1005 1741082700000LL /* 2025-03-04T10:05Z */
#define MS_2359 1735689540000LL /* 2024-12-31T23:59Z */

struct tree {
    char root[64];
};

static void join(char *out, size_t len, const char *root, const char *rel)
{
    int n = snprintf(out, len, "%s/%s", root, rel);

    assert_true(n > 0 && (size_t)n < len);
}

/* Creates every directory on the way to rel (like mkdir -p). */
static void mkdirs(const char *root, const char *rel)
{
    char path[512];

    join(path, sizeof(path), root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                fail_msg("mkdir %s: %s", path, strerror(errno));
            }
            *p = '/';
        }
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fail_msg("mkdir %s: %s", path, strerror(errno));
    }
}

/* Writes size bytes to root/rel, creating its directories. */
static void put(const char *root, const char *rel, size_t size)
{
    char path[512];
    char dir[512];
    const char *slash = strrchr(rel, '/');
    FILE *fp;

    if (slash) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
        mkdirs(root, dir);
    }
    join(path, sizeof(path), root, rel);
    fp = fopen(path, "wb");
    if (fp == NULL) {
        fail_msg("fopen %s: %s", path, strerror(errno));
    }
    for (size_t i = 0; i < size; i++) {
        fputc('a' + (int)(i % 26), fp);
    }
    assert_int_equal(fclose(fp), 0);
}

static void remove_tree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;

    if (lstat(path, &st) != 0) {
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            char child[1024];
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
            remove_tree(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    snprintf(t->root, sizeof(t->root), "/tmp/cm-test-input-XXXXXX");
    if (mkdtemp(t->root) == NULL) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;

    remove_tree(t->root);
    free(t);
    return 0;
}

/* The standard tree; returns nothing, the expected order is in expect_std. */
static void build_std(const char *root)
{
    put(root, CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1005Z_abc.json.gz", 100);
    put(root, CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T0955Z_zzz.json.gz", 11);
    put(root, "other/111122223333_CloudTrail_us-east-1_20250304T1005Z_aaa.json.gz", 12);
    put(root, FL_DIR "/111122223333_vpcflowlogs_us-east-1_fl-0123_20250304T1000Z_hash.log.gz", 33);
    put(root, "old/111122223333_CloudTrail_eu-west-1_20241231T2359Z_q.json", 7);
    put(root, "b_unstamped.json", 5);
    put(root, "a_unstamped.log", 0);
    put(root, "deep/nested/dir/c_unstamped.txt", 3);
    put(root, "notes-2025.txt", 1);
    /* Skipped: hidden files and folders, digest folders. */
    put(root, ".hidden.json.gz", 9);
    put(root, ".hiddendir/111122223333_CloudTrail_us-east-1_20250101T0000Z_h.json.gz", 9);
    put(root, CT_DIR "/.partial_20250304T1010Z.json.gz", 9);
    put(root, DG_DIR "/111122223333_CloudTrail-Digest_us-east-1_x_20250304T1000Z.json.gz", 9);
    put(root, "CloudTrail-Digest/top-level-digest.json.gz", 9);
    mkdirs(root, "empty/dir");
}

struct want {
    const char *rel;
    long long key_ms; /* 0 means none */
    uint64_t size;
};

static const struct want expect_std[] = {
    {"a_unstamped.log", 0, 0},
    {"b_unstamped.json", 0, 5},
    {"deep/nested/dir/c_unstamped.txt", 0, 3},
    {"notes-2025.txt", 0, 1},
    {"old/111122223333_CloudTrail_eu-west-1_20241231T2359Z_q.json", MS_2359, 7},
    {CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T0955Z_zzz.json.gz", MS_0955, 11},
    {FL_DIR "/111122223333_vpcflowlogs_us-east-1_fl-0123_20250304T1000Z_hash.log.gz", MS_1000, 33},
    {CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1005Z_abc.json.gz", MS_1005, 100},
    {"other/111122223333_CloudTrail_us-east-1_20250304T1005Z_aaa.json.gz", MS_1005, 12},
};

#define NSTD (sizeof(expect_std) / sizeof(expect_std[0]))

static void check_one(const struct cm_input *got, const char *root, const struct want *w, size_t i)
{
    char path[512];

    join(path, sizeof(path), root, w->rel);
    if (strcmp(got->path, path) != 0) {
        fail_msg("input %zu is '%s', want '%s'", i, got->path, path);
    }
    if (w->key_ms == 0) {
        if (got->key_ms != INT64_MIN) {
            fail_msg("input %zu '%s': key_ms %lld, want none", i, w->rel, (long long)got->key_ms);
        }
    } else if (got->key_ms != w->key_ms) {
        fail_msg("input %zu '%s': key_ms %lld, want %lld", i, w->rel, (long long)got->key_ms,
                 w->key_ms);
    }
    assert_int_equal(got->size, w->size);
    assert_int_equal(got->is_stdin, 0);
}

static void check_std(const struct cm_inputs *in, size_t first, const char *root)
{
    for (size_t i = 0; i < NSTD; i++) {
        check_one(&in->v[first + i], root, &expect_std[i], i);
    }
}

static void test_tree_order(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char *paths[1];

    build_std(t->root);
    paths[0] = t->root;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    if (in.n != NSTD + 2) {
        for (size_t i = 0; i < in.n; i++) {
            print_message("  %s\n", in.v[i].path);
        }
        fail_msg("%zu inputs, want %zu", in.n, NSTD + 2);
    }
    check_std(&in, 0, t->root);
    /* Nothing hidden slipped through; the files under the digest folders come last, listed
     * to be counted as skipped and never read; the hidden entries are counted. */
    for (size_t i = 0; i < in.n; i++) {
        assert_null(strstr(in.v[i].path, "/."));
        if (i < NSTD) {
            assert_null(strstr(in.v[i].path, "Digest"));
            assert_null(in.v[i].skip_as);
        } else {
            assert_non_null(strstr(in.v[i].path, "CloudTrail-Digest/"));
            assert_string_equal(in.v[i].skip_as, "CloudTrail digest");
        }
    }
    assert_int_equal(in.hidden, 3);
    cm_inputs_free(&in);
    assert_null(in.v);
    assert_int_equal(in.n, 0);
    cm_inputs_free(&in);
}

static void test_trailing_slash(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char root_slash[80];
    char *paths[1];

    put(t->root, "x/one.json", 2);
    snprintf(root_slash, sizeof(root_slash), "%s/", t->root);
    paths[0] = root_slash;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 1);
    check_one(&in.v[0], t->root, &(struct want){"x/one.json", 0, 2}, 0);
    assert_null(strstr(in.v[0].path, "//"));
    cm_inputs_free(&in);
}

static void test_stdin_first(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char dash[] = "-";
    char *paths[2];

    build_std(t->root);
    paths[0] = t->root;
    paths[1] = dash;
    assert_int_equal(cm_inputs_collect(&in, paths, 2, err, sizeof(err)), 0);
    assert_int_equal(in.n, NSTD + 1 + 2); /* and the two digests, last */
    assert_string_equal(in.v[0].path, "-");
    assert_int_equal(in.v[0].is_stdin, 1);
    assert_int_equal(in.v[0].key_ms, INT64_MIN);
    assert_int_equal(in.v[0].size, 0);
    check_std(&in, 1, t->root);
    cm_inputs_free(&in);

    /* Only "-": no file system access at all. */
    paths[0] = dash;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 1);
    assert_int_equal(in.v[0].is_stdin, 1);
    cm_inputs_free(&in);
}

static void test_files_and_several_roots(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char p1[512], p2[512], p3[512];
    char *paths[3];

    put(t->root, "r1/111122223333_CloudTrail_us-east-1_20250304T1005Z_b.json.gz", 4);
    put(t->root, "r2/111122223333_CloudTrail_us-east-1_20250304T0955Z_a.json.gz", 6);
    put(t->root, "single.json", 8);
    /* A file named directly is taken even when hidden-looking rules would skip it in a walk. */
    put(t->root, ".direct.json", 2);
    join(p1, sizeof(p1), t->root, "r1");
    join(p2, sizeof(p2), t->root, ".direct.json");
    join(p3, sizeof(p3), t->root, "r2/111122223333_CloudTrail_us-east-1_20250304T0955Z_a.json.gz");
    paths[0] = p1;
    paths[1] = p2;
    paths[2] = p3;
    assert_int_equal(cm_inputs_collect(&in, paths, 3, err, sizeof(err)), 0);
    assert_int_equal(in.n, 3);
    check_one(&in.v[0], t->root, &(struct want){".direct.json", 0, 2}, 0);
    check_one(
        &in.v[1], t->root,
        &(struct want){"r2/111122223333_CloudTrail_us-east-1_20250304T0955Z_a.json.gz", MS_0955, 6},
        1);
    check_one(
        &in.v[2], t->root,
        &(struct want){"r1/111122223333_CloudTrail_us-east-1_20250304T1005Z_b.json.gz", MS_1005, 4},
        2);
    cm_inputs_free(&in);
}

/* The region of a delivery key, from its folders, a Hive prefix or the object's name. */
static void test_key_region(void **state)
{
    static const struct {
        const char *path, *region;
    } cases[] = {
        {"logs/" FL_DIR "/111122223333_vpcflowlogs_us-east-1_fl-0a_20250304T1000Z_ab.log.gz",
         "us-east-1"},
        {CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1000Z_ab.json.gz", "us-east-1"},
        {"AWSLogs/o-abc/111122223333/CloudTrail-Insight/eu-west-1/2025/03/04/x.json.gz",
         "eu-west-1"},
        /* Hive-compatible prefixes, partitioned by day or by hour. */
        {"b/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=ap-south-1/"
         "year=2025/month=03/day=04/f.log.gz",
         "ap-south-1"},
        {"aws-region=us-gov-west-1/year=2025/month=03/day=04/hour=10/f.log.gz", "us-gov-west-1"},
        /* No folder names it: the object's name does. */
        {"copied/111122223333_vpcflowlogs_eu-central-2_fl-0123_20250304T1000Z_ab.log.gz",
         "eu-central-2"},
        {"111122223333_vpcflowlogs_ca-west-1_fl-0123_20250304T1000Z_ab.log", "ca-west-1"},
        /* The folder wins over the name, and a bad region folder falls through. */
        {"AWSLogs/1/vpcflowlogs/us-west-2/1_vpcflowlogs_us-east-1_fl_s_h.log", "us-west-2"},
        {"AWSLogs/1/vpcflowlogs/2025/03/1_vpcflowlogs_us-east-2_fl_s_h.log", "us-east-2"},
        /* Every form of region name; a date folder is none (the name says it). */
        {"AWSLogs/1/vpcflowlogs/us-gov-west-1/x.log", "us-gov-west-1"},
        {"AWSLogs/1/vpcflowlogs/cn-northwest-1/x.log", "cn-northwest-1"},
        {"AWSLogs/1/vpcflowlogs/eu-isoe-west-1/x.log", "eu-isoe-west-1"},
        {"AWSLogs/1/vpcflowlogs/ap-southeast-5/x.log", "ap-southeast-5"},
        {"AWSLogs/1/vpcflowlogs/2026-01-05/1_vpcflowlogs_us-east-1_fl_s_h.log", "us-east-1"},
        {"AWSLogs/1/vpcflowlogs/2026-01-05/x.log", ""},
        {"aws-region=us-east1-a/f.log", ""},
        {"aws-region=us--east-1/f.log", ""},
        {"aws-region=us-east-1-/f.log", ""},
        {"aws-region=-us-east-1/f.log", ""},
        {"aws-region=us-east-12a/f.log", ""},
        /* Nothing that is a region. */
        {"exportedlogs/task/eni-0123-all/000000.gz", ""},
        {"x/not-aws-region=us-east-1/f.log", ""},
        {"x/aws-region=useast1/f.log", ""},
        {"x_vpcflowlogs_us-east-1", ""},
        {"dir_vpcflowlogs_us-east-1_x/f.log", ""},
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_str r = cm_input_key_region(cases[i].path);
        char got[64];

        assert_true(r.len < sizeof(got));
        memcpy(got, r.p, r.len);
        got[r.len] = '\0';
        if (strcmp(got, cases[i].region) != 0) {
            fail_msg("%s: region '%s', want '%s'", cases[i].path, got, cases[i].region);
        }
    }
}

/*
 * The account of a delivery key, from "AWSLogs/<account>/" (an organization trail's
 * "AWSLogs/<org id>/<account>/"), a Hive prefix or the object's name. Flow records of a
 * custom format without account-id take it: before 2026-12-04 they had none, and all 47
 * detections of `gen --scenario all`'s flow logs rewritten without the column were dropped.
 */
static void test_key_account(void **state)
{
    static const struct {
        const char *path, *account;
    } cases[] = {
        {"b/AWSLogs/111122223333/vpcflowlogs/us-east-1/2025/03/04/x.log.gz", "111122223333"},
        {"AWSLogs/o-abcdefghij/444455556666/CloudTrail/eu-west-1/2025/03/04/x.json.gz",
         "444455556666"},
        {"p/AWSLogs/o-0123456789abcdef/444455556666/CloudTrail/x.json.gz", "444455556666"},
        {"b/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=ap-south-1/"
         "year=2025/f.log.gz",
         "111122223333"},
        {"aws-account-id=777788889999/f.log.gz", "777788889999"},
        /* No folder names it: the object's name does. */
        {"copied/111122223333_vpcflowlogs_eu-central-2_fl-0123_20250304T1000Z_ab.log.gz",
         "111122223333"},
        {"222233334444_CloudTrail_us-east-1_20250304T1000Z_ab.json.gz", "222233334444"},
        {"x/222233334444_CloudTrail-Insight_us-east-1_20250304T1000Z_ab.json.gz", "222233334444"},
        /* The folder wins over the name; a folder that is no account falls through. */
        {"AWSLogs/111122223333/vpcflowlogs/222233334444_vpcflowlogs_us-east-1_f.log",
         "111122223333"},
        {"AWSLogs/1/vpcflowlogs/222233334444_vpcflowlogs_us-east-1_f.log", "222233334444"},
        {"AWSLogs/o-abc/111122223333/CloudTrail/x.json.gz", ""},
        /* Nothing that is an account. */
        {"AWSLogs/1111222233334/vpcflowlogs/x.log", ""},
        {"AWSLogs/11112222333a/vpcflowlogs/x.log", ""},
        {"xAWSLogs/111122223333/vpcflowlogs/x.log", ""},
        {"AWSLogs/111122223333", ""},
        {"vpc-0a_vpcdnsquerylogs_111122223333_20250304T1000Z_ab.log.gz", ""},
        {"dir_111122223333_vpcflowlogs_us-east-1_x/f.log", ""},
        {"exportedlogs/task/eni-0123-all/000000.gz", ""},
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_str a = cm_input_key_account(cases[i].path);
        char got[64];

        assert_true(a.len < sizeof(got));
        memcpy(got, a.p, a.len);
        got[a.len] = '\0';
        if (strcmp(got, cases[i].account) != 0) {
            fail_msg("%s: account '%s', want '%s'", cases[i].path, got, cases[i].account);
        }
    }
}

/*
 * The VPC of a Resolver query log's delivery key, from "vpcdnsquerylogs/<vpc id>/" or the
 * object's name, only a well-formed id. Resolver records without vpc_id take it: before
 * 2026-12-04 they had none, and a tunnel whose records had neither srcids nor vpc_id was
 * not attributed to the inventory's instance at its address.
 */
static void test_key_vpc(void **state)
{
    static const struct {
        const char *path, *vpc;
    } cases[] = {
        {"b/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0123456789abcdef0/2025/03/04/"
         "vpc-0123456789abcdef0_vpcdnsquerylogs_111122223333_20250304T1000Z_ab.log.gz",
         "vpc-0123456789abcdef0"},
        {"AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/2025/03/04/x.log.gz", "vpc-0a1b2c3d"},
        /* No folder names it: the object's name does. */
        {"copied/vpc-0123456789abcdef0_vpcdnsquerylogs_111122223333_20250304T1000Z_ab.log.gz",
         "vpc-0123456789abcdef0"},
        {"vpc-0a1b2c3d_vpcdnsquerylogs_111122223333_20250304T1000Z_ab.log", "vpc-0a1b2c3d"},
        /* The folder wins over the name; a folder that is no VPC id falls through. */
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0a1b2c3d/vpc-99999999_vpcdnsquerylogs_1_s_h.log",
         "vpc-0a1b2c3d"},
        {"AWSLogs/1/vpcdnsquerylogs/2025/03/04/vpc-99999999_vpcdnsquerylogs_1_s_h.log",
         "vpc-99999999"},
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0c7/vpc-0c7_vpcdnsquerylogs_1_s_h.log", ""},
        /* Nothing that is a VPC id. */
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0A1B2C3D/x.log", ""},
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0a1b2c3g/x.log", ""},
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0a1b2c3d0/x.log", ""},
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0123456789abcdef01/x.log", ""},
        {"AWSLogs/1/vpcdnsquerylogs/subnet-0a1b2c3d/x.log", ""},
        {"AWSLogs/1/vpcdnsquerylogs/vpc-0a1b2c3d", ""},
        {"AWSLogs/1/vpcflowlogs/vpc-0a1b2c3d/x.log", ""},
        {"AWSLogs/1/xvpcdnsquerylogs/vpc-0a1b2c3d/x.log", ""},
        {"dir/vpc-0a1b2c3d_vpcflowlogs_1_s_h.log", ""},
        {"vpc-0a1b2c3d_vpcdnsquerylogs_x/f.log", ""},
        {"xvpc-0a1b2c3d_vpcdnsquerylogs_1_s_h.log", ""},
        /* A CloudWatch Logs export task's object "<task>/<log stream>/000000.gz": Resolver's
         * stream is named after the VPC (before 2026-12-05 such records had no VPC). */
        {"exports/0f1e2d3c-task/vpc-0123456789abcdef0_i-0123456789abcdef0/000000.gz",
         "vpc-0123456789abcdef0"},
        {"task/vpc-0a1b2c3d/000012.gz", "vpc-0a1b2c3d"},
        {"task/vpc-0a1b2c3d/000000", "vpc-0a1b2c3d"},
        {"vpc-0a1b2c3d/000000.gz", "vpc-0a1b2c3d"},
        {"task/vpc-0a1b2c3d/00000.gz", ""},
        {"task/vpc-0a1b2c3d/000000.log.gz", ""},
        {"task/vpc-0a1b2c3d/x/000000.gz", ""},
        {"task/vpc-0a1b2c3dx/000000.gz", ""},
        {"task/eni-0a1b2c3d-all/000000.gz", ""},
        {"000000.gz", ""},
        {"exportedlogs/task/eni-0123-all/000000.gz", ""},
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_str v = cm_input_key_vpc(cases[i].path);
        char got[64];

        assert_true(v.len < sizeof(got));
        memcpy(got, v.p, v.len);
        got[v.len] = '\0';
        if (strcmp(got, cases[i].vpc) != 0) {
            fail_msg("%s: vpc '%s', want '%s'", cases[i].path, got, cases[i].vpc);
        }
    }
}

static void test_empty(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char *paths[1];

    mkdirs(t->root, "a/b/c");
    put(t->root, "a/.only-hidden", 1);
    paths[0] = t->root;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 0);
    cm_inputs_free(&in);

    /* No paths at all. */
    assert_int_equal(cm_inputs_collect(&in, paths, 0, err, sizeof(err)), 0);
    assert_int_equal(in.n, 0);
    cm_inputs_free(&in);
}

/*
 * A FIFO, a device or a socket found in a directory is listed, named for what it is, so the
 * scan reports it as not read (never opened: a FIFO blocks, a device may never end); one
 * given as a path is an error that says what it is. Before 2026-12-04 both were dropped in
 * silence: `coalmine scan FIFO` or `coalmine scan <(zcat ...)` read 0 files and exited 0.
 */
static void test_special_files_reported(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char fifo[512], dev[512];
    char *paths[1];
    size_t k;

    put(t->root, "real.json", 3);
    join(fifo, sizeof(fifo), t->root, "pipe");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    join(dev, sizeof(dev), t->root, "null.log");
    assert_int_equal(symlink("/dev/null", dev), 0);
    paths[0] = t->root;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 3);
    for (k = 0; k < in.n && strstr(in.v[k].path, "real.json") == NULL; k++) {
    }
    assert_true(k < in.n);
    check_one(&in.v[k], t->root, &(struct want){"real.json", 0, 3}, 0);
    assert_null(in.v[k].other);
    for (size_t i = 0; i < in.n; i++) {
        if (strstr(in.v[i].path, "pipe") != NULL) {
            assert_string_equal(in.v[i].other, "a FIFO (named pipe)");
        } else if (strstr(in.v[i].path, "null.log") != NULL) {
            assert_string_equal(in.v[i].other, "a character device");
        }
    }
    cm_inputs_free(&in);

    paths[0] = fifo;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, fifo));
    assert_non_null(strstr(err, "a FIFO (named pipe), not a file or directory"));
    assert_non_null(strstr(err, "coalmine scan -"));
    assert_int_equal(in.n, 0);
    paths[0] = dev;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "a character device, not a file or directory"));
    cm_inputs_free(&in);
}

static void test_missing_path(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char missing[512];
    char *paths[2];

    put(t->root, "present.json", 1);
    join(missing, sizeof(missing), t->root, "no/such/file.json.gz");
    paths[0] = t->root;
    paths[1] = missing;
    assert_int_equal(cm_inputs_collect(&in, paths, 2, err, sizeof(err)), CM_EIO);
    if (strstr(err, missing) == NULL) {
        fail_msg("err '%s' does not name '%s'", err, missing);
    }
    /* A failed collect leaves nothing to free (what it found first is released). */
    assert_int_equal(in.n, 0);
    assert_null(in.v);
    cm_inputs_free(&in);
    assert_int_equal(in.n, 0);
    assert_null(in.v);

    /* The message is cut to errlen and stays NUL-terminated. */
    memset(err, 'x', sizeof(err));
    paths[0] = missing;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, 16), CM_EIO);
    assert_int_equal(strlen(err), 15);
    assert_memory_equal(err, missing, 15);
    assert_int_equal(err[20], 'x');
    cm_inputs_free(&in);
}

static void test_symlink_loop(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char link[512];
    char *paths[1];

    put(t->root, "d/file.json", 1);
    join(link, sizeof(link), t->root, "d/self");
    assert_int_equal(symlink(".", link), 0);
    paths[0] = t->root;
    /* A loop is not followed again: the file is found once and the walk ends. */
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 1);
    assert_non_null(strstr(in.v[0].path, "d/file.json"));
    cm_inputs_free(&in);
}

static void test_dangling_link(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char link[512];
    char *paths[1];

    put(t->root, "d/file.json", 1);
    join(link, sizeof(link), t->root, "d/gone.json");
    assert_int_equal(symlink("/nonexistent/coalmine-target", link), 0);
    paths[0] = t->root;
    /* Kept as an input, so the scan can report it as unreadable. */
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 2);
    cm_inputs_free(&in);
}

/* Writes text to root/rel (its folders made). */
static void put_text(const char *root, const char *rel, const char *text)
{
    char path[512];
    FILE *fp;

    put(root, rel, 0);
    join(path, sizeof(path), root, rel);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* How many inputs end with suffix. */
static size_t count_suffix(const struct cm_inputs *in, const char *suffix)
{
    size_t n = 0, k = strlen(suffix);

    for (size_t i = 0; i < in->n; i++) {
        size_t len = strlen(in->v[i].path);
        n += len >= k && strcmp(in->v[i].path + len - k, suffix) == 0;
    }
    return n;
}

/*
 * A file is listed once however many paths lead to it: the same path twice, a directory
 * and a file in it, a symbolic and a hard link, a byte-for-byte copy of it under another
 * folder with its name. A file with the same name and other bytes, or the same bytes
 * under another name, is another input. The first path found is the one kept.
 */
static void test_repeats(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char a[512], b[512], f[512], lk[512], hl[512], tgt[512];
    char *paths[5];

    put_text(t->root, "a/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1000Z_x.json",
             "{\"Records\":[1]}");
    /* A replica under another prefix: same name, same bytes. */
    put_text(t->root, "b/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1000Z_x.json",
             "{\"Records\":[1]}");
    /* Same name and size, other bytes: another file. */
    put_text(t->root, "b/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1005Z_y.json",
             "{\"Records\":[2]}");
    put_text(t->root, "a/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1005Z_y.json",
             "{\"Records\":[3]}");
    /* Same bytes, another name: another file (an object is named by its key). */
    put_text(t->root, "a/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T0955Z_z.json",
             "{\"Records\":[1]}");
    join(a, sizeof(a), t->root, "a");
    join(b, sizeof(b), t->root, "b");
    join(f, sizeof(f), t->root,
         "a/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T1000Z_x.json");
    join(lk, sizeof(lk), t->root, "link.json");
    join(hl, sizeof(hl), t->root, "hard.json");
    join(tgt, sizeof(tgt), t->root,
         "a/" CT_DIR "/111122223333_CloudTrail_us-east-1_20250304T0955Z_z.json");
    assert_int_equal(symlink(f, lk), 0);
    assert_int_equal(link(tgt, hl), 0);
    paths[0] = a;
    paths[1] = b;
    paths[2] = a;  /* the same folder again */
    paths[3] = f;  /* a file inside it */
    paths[4] = lk; /* a link to that file */
    assert_int_equal(cm_inputs_collect(&in, paths, 5, err, sizeof(err)), 0);
    /* a's three files and b's other y; b's x is a's x; the rest are the same files. */
    assert_int_equal(in.n, 4);
    assert_int_equal(count_suffix(&in, "_x.json"), 1);
    assert_int_equal(count_suffix(&in, "_y.json"), 2);
    assert_int_equal(count_suffix(&in, "_z.json"), 1);
    assert_int_equal(in.repeated, 3 + 1 + 1 + 1);
    for (size_t i = 0; i < in.n; i++) {
        /* The first path found is kept: everything under a/, and b's y. */
        assert_true(strncmp(in.v[i].path, a, strlen(a)) == 0 ||
                    strstr(in.v[i].path, "_y.json") != NULL);
    }
    cm_inputs_free(&in);
    /* A hard link given beside its file is the same file too. */
    paths[0] = tgt;
    paths[1] = hl;
    assert_int_equal(cm_inputs_collect(&in, paths, 2, err, sizeof(err)), 0);
    assert_int_equal(in.n, 1);
    assert_string_equal(in.v[0].path, tgt);
    assert_int_equal(in.repeated, 1);
    cm_inputs_free(&in);
}

static void test_many_files(void **state)
{
    struct tree *t = *state;
    struct cm_inputs in;
    char err[256] = "";
    char rel[128];
    char *paths[1];

    /* Enough files to grow the array several times; stamps in reverse creation order. */
    for (int i = 0; i < 300; i++) {
        int minute = 299 - i;
        snprintf(rel, sizeof(rel),
                 "m/%03d/111122223333_CloudTrail_us-east-1_20250304T%02d%02dZ_x.gz", i, minute / 60,
                 minute % 60);
        put(t->root, rel, (size_t)i % 7);
    }
    paths[0] = t->root;
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 300);
    for (size_t i = 1; i < in.n; i++) {
        assert_true(in.v[i - 1].key_ms < in.v[i].key_ms);
    }
    assert_int_equal(in.v[0].key_ms, 1741046400000LL); /* 2025-03-04T00:00Z */
    assert_non_null(strstr(in.v[0].path, "/m/299/"));
    assert_non_null(strstr(in.v[299].path, "/m/000/"));
    cm_inputs_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tree_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdin_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_several_roots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test(test_key_region),
        cmocka_unit_test(test_key_account),
        cmocka_unit_test(test_key_vpc),
        cmocka_unit_test_setup_teardown(test_special_files_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dangling_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeats, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
