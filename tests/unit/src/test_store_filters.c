/*
 * Unit tests for filters in the SQLite store (store_filters.c): create,
 * replace, rank order, delete, the 100-filter quota, persistence, a stored
 * filter that no longer parses; and the ARCHIVE filters applied when
 * findings are stored (store_findings.c): new findings, repeats, findings a
 * user unarchived, NOOP filters, and the rule name reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_util.h"
#include "../lib/finding/finding_util.h"

static const char *const types[3] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Policy:S3/BucketBlockPublicAccessDisabled",
};

/* Parses a CreateFilter body; rank 0 leaves it out, crit is the criterion object. */
static struct cm_filter *mk(const char *name, const char *action, int rank, const char *crit)
{
    struct cm_filter *f = NULL;
    struct cm_diag dg;
    char json[1024], r[32] = "";

    if (rank > 0) {
        snprintf(r, sizeof(r), "\"rank\":%d,", rank);
    }
    snprintf(json, sizeof(json),
             "{\"name\":\"%s\",\"description\":\"about %s\",\"action\":\"%s\",%s"
             "\"findingCriteria\":{\"criterion\":%s}}",
             name, name, action, r, crit);
    cm_diag_clear(&dg);
    if (cm_filter_parse(json, strlen(json), NULL, &f, &dg) != 0) {
        fail_msg("%s: %s", json, dg.msg);
    }
    return f;
}

/* A criterion on the type. */
static const char *on_type(const char *type)
{
    static char buf[4][256];
    static int k;

    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "{\"type\":{\"eq\":[\"%s\"]}}", type);
    return buf[k];
}

/* Stores filter (name, action, rank, crit) with create; returns the store's code. */
static int put(struct cm_store *st, const char *name, const char *action, int rank,
               const char *crit, bool create)
{
    struct cm_filter *f = mk(name, action, rank, crit);
    char err[256] = "";
    int rc = cm_store_filter_put(st, f, create, err, sizeof(err));

    if (rc != 0) {
        assert_true(err[0] != '\0');
    }
    cm_filter_destroy(f);
    return rc;
}

/* Loads the filters and checks their names (in order), ranks and actions. */
static void expect_set(struct cm_store *st, size_t n, const char *const *names, const int *ranks,
                       const enum cm_filter_action *actions)
{
    struct cm_filterset set;
    char err[256] = "";

    cm_filterset_init(&set);
    assert_int_equal(cm_store_filters_load(st, &set, err, sizeof(err)), 0);
    assert_int_equal(set.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(set.v[i]->name, names[i]);
        assert_int_equal(set.v[i]->rank, ranks[i]);
        assert_int_equal(set.v[i]->action, actions[i]);
        assert_non_null(strstr(set.v[i]->description, names[i]));
    }
    cm_filterset_finish(&set);
}

static void test_crud_and_ranks(void **state)
{
    const char *n1[4] = {"keep-ssh", "d_filter", "b.filter", "c-filter"};
    const int r1[4] = {1, 5, 10, 11};
    const enum cm_filter_action a1[4] = {CM_FILTER_NOOP, CM_FILTER_NOOP, CM_FILTER_NOOP,
                                         CM_FILTER_ARCHIVE};
    const char *n2[3] = {"keep-ssh", "b.filter", "c-filter"};
    const int r2[3] = {1, 2, 11};
    const enum cm_filter_action a2[3] = {CM_FILTER_NOOP, CM_FILTER_ARCHIVE, CM_FILTER_ARCHIVE};
    struct cm_store *st = s_open();
    struct cm_filterset set;
    char err[256] = "";
    (void)state;

    assert_int_equal(put(st, "keep-ssh", "NOOP", 0, on_type(types[0]), true), 0);
    assert_int_equal(put(st, "keep-ssh", "ARCHIVE", 0, on_type(types[1]), true), CM_EEXIST);
    assert_int_equal(put(st, "missing-one", "NOOP", 3, on_type(types[1]), false), CM_ENOTFOUND);
    assert_int_equal(s_int("SELECT count(*) FROM filters", NULL), 1);
    assert_int_equal(put(st, "b.filter", "NOOP", 10, on_type(types[1]), true), 0);
    assert_int_equal(put(st, "c-filter", "ARCHIVE", 0, on_type(types[2]), true), 0);
    assert_int_equal(put(st, "d_filter", "NOOP", 5, on_type(types[2]), true), 0);
    expect_set(st, 4, n1, r1, a1);
    /* Replacing changes action, rank and criteria; the failed create left the first alone. */
    assert_int_equal(put(st, "b.filter", "ARCHIVE", 2, "{\"severity\":{\"gte\":7}}", false), 0);
    assert_int_equal(cm_store_filter_delete(st, "d_filter", err, sizeof(err)), 0);
    assert_int_equal(cm_store_filter_delete(st, "d_filter", err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "d_filter"));
    assert_int_equal(cm_store_filter_delete(st, "never-was", err, sizeof(err)), CM_ENOTFOUND);
    expect_set(st, 3, n2, r2, a2);
    cm_filterset_init(&set);
    assert_int_equal(cm_store_filters_load(st, &set, err, sizeof(err)), 0);
    assert_true(cm_criteria_has_path(set.v[0]->criteria, "type"));
    assert_true(cm_criteria_has_path(set.v[1]->criteria, "severity"));
    assert_false(cm_criteria_has_path(set.v[1]->criteria, "type"));
    cm_filterset_finish(&set);
    assert_int_equal(s_int("SELECT count(*) FROM filters WHERE action = 'ARCHIVE'", NULL), 2);
    /* They survive closing and reopening. */
    cm_store_close(st);
    st = s_open();
    expect_set(st, 3, n2, r2, a2);
    cm_store_close(st);
}

static void test_quota(void **state)
{
    struct cm_store *st = s_open();
    struct cm_filterset set;
    char name[32], err[256] = "";
    (void)state;

    for (int i = 0; i < CM_FILTERSET_MAX; i++) {
        snprintf(name, sizeof(name), "f-%03d", i);
        assert_int_equal(put(st, name, "NOOP", 0, on_type(types[i % 3]), true), 0);
    }
    assert_int_equal(put(st, "one-more", "NOOP", 0, on_type(types[0]), true), CM_EFULL);
    assert_int_equal(put(st, "one-more", "NOOP", 7, on_type(types[0]), true), CM_EFULL);
    /* Full, a filter can still be replaced (and an existing name is still taken). */
    assert_int_equal(put(st, "f-050", "ARCHIVE", 51, on_type(types[1]), false), 0);
    assert_int_equal(put(st, "f-051", "ARCHIVE", 0, on_type(types[1]), true), CM_EEXIST);
    cm_filterset_init(&set);
    assert_int_equal(cm_store_filters_load(st, &set, err, sizeof(err)), 0);
    assert_int_equal(set.n, CM_FILTERSET_MAX);
    /* Ranks are given in order and stop at the highest. */
    assert_string_equal(set.v[0]->name, "f-000");
    assert_int_equal(set.v[0]->rank, 1);
    assert_string_equal(set.v[98]->name, "f-098");
    assert_int_equal(set.v[98]->rank, 99);
    assert_int_equal(set.v[99]->rank, CM_FILTER_RANK_MAX);
    assert_string_equal(set.v[50]->name, "f-050");
    assert_int_equal(set.v[50]->action, CM_FILTER_ARCHIVE);
    cm_filterset_finish(&set);
    assert_int_equal(cm_store_filter_delete(st, "f-010", err, sizeof(err)), 0);
    assert_int_equal(put(st, "one-more", "NOOP", 0, on_type(types[0]), true), 0);
    assert_int_equal(s_int("SELECT count(*) FROM filters", NULL), CM_FILTERSET_MAX);
    cm_store_close(st);
}

/* A finding of type t; now moves its updatedAt; the builder's count is 3. */
static void finding(struct cm_finding *f, const struct t_events *e, const char *t, int64_t now)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(t, t_event_for(e, t));

    ctx.now_ms = now;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static bool doc_archived(const char *id)
{
    int64_t v = s_int("SELECT json_extract(doc, '$.service.archived') FROM findings JOIN "
                      "finding_docs USING (seq) WHERE id = ?",
                      id);
    assert_int_equal(v, s_int("SELECT archived FROM findings WHERE id = ?", id));
    return v == 1;
}

static void test_archive_on_insert(void **state)
{
    static const struct cm_finding_event k1 = {1, 3}, k2 = {2, 3}, k3 = {3, 3};
    struct t_events e;
    struct cm_finding f[3], got;
    struct cm_store_put p[3];
    struct cm_store *st = s_open();
    const char *ids[1];
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    for (int i = 0; i < 3; i++) {
        finding(&f[i], &e, types[i], T_NOW);
    }
    assert_int_equal(put(st, "hide-ssh", "ARCHIVE", 5, on_type(types[0]), true), 0);
    assert_int_equal(put(st, "also-ssh", "ARCHIVE", 3, on_type(types[0]), true), 0);
    assert_int_equal(put(st, "view-dns", "NOOP", 1, on_type(types[1]), true), 0);
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 3; i++) {
        p[i].f = &f[i];
        p[i].events = i == 0 ? &k1 : &k2;
        p[i].nevents = 1;
    }
    assert_int_equal(cm_store_put_findings(st, p, 3, err, sizeof(err)), 0);
    /* The rule outlives the call (the store keeps the filters until the next put). */
    assert_true(p[0].is_new && p[0].archived);
    assert_non_null(p[0].rule);
    assert_string_equal(p[0].rule, "also-ssh"); /* the first in rank order */
    assert_true(p[1].is_new && !p[1].archived); /* a NOOP filter never archives */
    assert_null(p[1].rule);
    assert_true(p[2].is_new && !p[2].archived);
    assert_null(p[2].rule);
    assert_false(f[0].archived); /* the caller's finding is not modified */
    assert_true(doc_archived(f[0].id));
    assert_false(doc_archived(f[1].id));
    assert_false(doc_archived(f[2].id));
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f[0].id, &got), 0);
    assert_true(got.archived);
    cm_finding_finish(&got);

    /* A user unarchives it: a repeat with nothing new leaves it so... */
    ids[0] = f[0].id;
    assert_int_equal(cm_store_set_archived(st, ids, 1, false, err, sizeof(err)), 0);
    assert_false(doc_archived(f[0].id));
    memset(p, 0, sizeof(p));
    p[0].f = &f[0];
    p[0].events = &k1;
    p[0].nevents = 1;
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_false(p[0].changed);
    assert_false(p[0].archived);
    assert_null(p[0].rule);
    assert_false(doc_archived(f[0].id));
    /* ...and its next change, still matching, archives it again. */
    p[0].events = &k3;
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_true(p[0].changed && !p[0].is_new && p[0].archived);
    assert_string_equal(p[0].rule, "also-ssh");
    assert_true(doc_archived(f[0].id));

    /* A filter made later applies to the next change of a stored finding, not before. */
    assert_int_equal(put(st, "hide-s3", "ARCHIVE", 0, on_type(types[2]), true), 0);
    assert_false(doc_archived(f[2].id));
    p[0].f = &f[2];
    p[0].events = &k2;
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_false(p[0].changed);
    assert_false(doc_archived(f[2].id));
    p[0].events = &k3;
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_true(p[0].changed && p[0].archived);
    assert_string_equal(p[0].rule, "hide-s3");
    assert_true(doc_archived(f[2].id));
    /* Deleted, it archives nothing more. */
    assert_int_equal(cm_store_filter_delete(st, "hide-s3", err, sizeof(err)), 0);
    assert_int_equal(cm_store_filter_delete(st, "also-ssh", err, sizeof(err)), 0);
    assert_int_equal(cm_store_filter_delete(st, "hide-ssh", err, sizeof(err)), 0);
    p[0].f = &f[1];
    p[0].events = NULL;
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_true(p[0].changed && !p[0].archived);
    assert_null(p[0].rule);
    /* An archived finding whose suppression rule is gone comes back with new activity, as
     * one archived by hand does (spec §3, "Archive interplay"). */
    p[0].f = &f[0];
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_true(p[0].changed && !p[0].archived);
    assert_null(p[0].rule);
    assert_false(doc_archived(f[0].id));
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* A filter on a document path (not a column), and on the count a repeat changes. */
static void test_archive_on_document_paths(void **state)
{
    static const struct cm_finding_event ev[3] = {{10, 3}, {11, 3}, {12, 3}};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store_put p[2];
    struct cm_store *st = s_open();
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW); /* NETWORK_CONNECTION on i-0a1b2c3d4e5f60718 */
    finding(&f[1], &e, types[2], T_NOW); /* AWS_API_CALL */
    assert_int_equal(put(st, "api-calls", "ARCHIVE", 0,
                         "{\"service.action.actionType\":{\"equals\":[\"AWS_API_CALL\"]}}", true),
                     0);
    assert_int_equal(put(st, "busy-ones", "ARCHIVE", 0, "{\"service.count\":{\"gte\":7}}", true),
                     0);
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 2; i++) {
        p[i].f = &f[i];
        p[i].events = &ev[0];
        p[i].nevents = 1;
    }
    assert_int_equal(cm_store_put_findings(st, p, 2, err, sizeof(err)), 0);
    assert_false(p[0].archived);
    assert_true(p[1].archived);
    assert_string_equal(p[1].rule, "api-calls");
    /* Its count grows past the filter's bound: 3, 6, then 9. */
    p[0].events = &ev[1];
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_int_equal(p[0].count, 6);
    assert_false(p[0].archived);
    p[0].events = &ev[2];
    assert_int_equal(cm_store_put_findings(st, p, 1, err, sizeof(err)), 0);
    assert_int_equal(p[0].count, 9);
    assert_true(p[0].archived);
    assert_string_equal(p[0].rule, "busy-ones");
    assert_true(doc_archived(f[0].id));
    cm_store_close(st);
    for (int i = 0; i < 2; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* A stored filter that no longer parses is reported by name and blocks writes. */
static void test_broken_filter(void **state)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_store_put p;
    struct cm_filterset set;
    struct cm_store *st = s_open();
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    assert_int_equal(put(st, "fine-one", "NOOP", 0, on_type(types[1]), true), 0);
    assert_int_equal(put(st, "broken-one", "ARCHIVE", 0, on_type(types[0]), true), 0);
    s_exec("UPDATE filters SET doc = '{\"name\":\"broken-one\"}' WHERE name = 'broken-one'");
    cm_filterset_init(&set);
    assert_int_equal(cm_store_filters_load(st, &set, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "broken-one"));
    cm_filterset_finish(&set);
    memset(&p, 0, sizeof(p));
    p.f = &f;
    err[0] = '\0';
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "broken-one"));
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 0);
    /* Deleting it repairs the store. */
    assert_int_equal(cm_store_filter_delete(st, "broken-one", err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 1);
    cm_store_close(st);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/*
 * A batch large enough to be made ready on the store's worker thread (see
 * store_prep.c): new findings of every type, one type archived by a filter,
 * repeats of findings of the same batch among them (by the same pointer),
 * each counting its own event once; then the whole batch again, which
 * changes nothing.
 */
#define NBIG 96
#define NREP 32

static void test_large_batch(void **state)
{
    static struct cm_finding f[NBIG];
    static struct cm_store_put p[NBIG + NREP];
    static struct cm_finding_event ev[NBIG + NREP];
    struct t_events e;
    struct cm_store *st = s_open();
    char err[256] = "";
    size_t n = 0;
    int64_t want_events = 0;
    (void)state;

    t_events_init(&e);
    assert_int_equal(put(st, "quiet-s3", "ARCHIVE", 0, on_type(types[2]), true), 0);
    for (int i = 0; i < NBIG; i++) {
        finding(&f[i], &e, types[i % 3], T_NOW + i);
        snprintf(f[i].id, sizeof(f[i].id), "%016llx%016x",
                 (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ULL, 0x5eed0000u + (unsigned)i);
        assert_int_equal(cm_finding_make_arn(&f[i]), 0);
    }
    memset(p, 0, sizeof(p));
    for (int i = 0; i < NBIG; i++) {
        /* Every third position after the first dozen: a repeat of an earlier finding. */
        if (i >= 12 && i % 3 == 0 && n - (size_t)i < NREP) {
            int of = (i * 7) % (i / 2);
            ev[n] = (struct cm_finding_event){0x900000u + n, 2};
            p[n] = (struct cm_store_put){.f = &f[of], .events = &ev[n], .nevents = 1};
            n++;
        }
        ev[n] = (struct cm_finding_event){0x100000u + (uint64_t)i, 1};
        p[n].f = &f[i];
        p[n].events = &ev[n];
        p[n++].nevents = 1;
    }
    assert_true(n > NBIG + NREP / 2);
    assert_int_equal(cm_store_put_findings(st, p, n, err, sizeof(err)), 0);
    for (size_t k = 0; k < n; k++) {
        bool first = ev[k].key >= 0x100000u && ev[k].key < 0x900000u;
        bool s3 = cm_str_eqc(p[k].f->type, types[2]);
        assert_int_equal(p[k].is_new, first);
        assert_true(p[k].changed);
        assert_int_equal(p[k].archived, s3);
        if (s3) {
            assert_string_equal(p[k].rule, "quiet-s3");
        } else {
            assert_null(p[k].rule);
        }
        assert_int_equal(p[k].added, ev[k].count);
        want_events++;
    }
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), NBIG);
    assert_int_equal(s_int("SELECT count(*) FROM finding_events", NULL), want_events);
    assert_int_equal(s_int("SELECT count(*) FROM findings f WHERE count !="
                           " (SELECT sum(n) FROM finding_events e WHERE e.fid = f.seq)",
                           NULL),
                     0);
    assert_int_equal(s_int("SELECT count(*) FROM findings WHERE archived = 1", NULL), NBIG / 3);
    for (int i = 0; i < NBIG; i++) {
        assert_int_equal(doc_archived(f[i].id), i % 3 == 2);
    }
    /* The same batch again: every event was counted. */
    assert_int_equal(cm_store_put_findings(st, p, n, err, sizeof(err)), 0);
    for (size_t k = 0; k < n; k++) {
        assert_false(p[k].is_new);
        assert_false(p[k].changed);
    }
    assert_int_equal(s_int("SELECT count(*) FROM finding_events", NULL), want_events);
    cm_store_close(st);
    for (int i = 0; i < NBIG; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud_and_ranks, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_quota, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_archive_on_insert, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_archive_on_document_paths, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_broken_filter, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_large_batch, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
