/*
 * Unit tests for the store's statistics (GetFindingsStatistics groupings,
 * against a brute-force count over store_corpus.h), the changes users make
 * to stored findings (archive, feedback: all or nothing), the evidence
 * listing and retention. Queries: test_store_query.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/store_impl.h"
#include "store_util.h"
#include "store_corpus.h"

#define DAY_MS (24 * C_HOUR)

static struct corpus C;

static int setup(void **state)
{
    if (s_setup(state) != 0) {
        return -1;
    }
    c_open(&C);
    return 0;
}

static int teardown(void **state)
{
    c_close(&C);
    return s_teardown(state);
}

/* ---- Statistics ---- */

struct grp {
    char key[96], rtype[24];
    uint64_t total;
    double sev;
    int64_t last;
    unsigned accounts; /* bit per c_accounts entry */
    bool has_rtype, has_account;
};

struct grps {
    struct grp v[NC];
    size_t n;
    int stop_at; /* the callback returns 7 on this call (1-based); 0: never */
};

static int collect_stat(void *ud, const struct cm_store_stat *s)
{
    struct grps *g = ud;
    struct grp *w;

    assert_true(g->n < NC);
    w = &g->v[g->n++];
    memset(w, 0, sizeof(*w));
    snprintf(w->key, sizeof(w->key), "%s", s->key);
    w->total = s->total;
    w->sev = s->severity;
    w->last = s->last_ms;
    w->has_rtype = s->resource_type != NULL;
    w->has_account = s->account_id != NULL;
    if (s->resource_type) {
        snprintf(w->rtype, sizeof(w->rtype), "%s", s->resource_type);
    }
    for (int k = 0; k < 3 && s->account_id; k++) {
        if (strcmp(s->account_id, c_accounts[k]) == 0) {
            w->accounts = 1u << k;
        }
    }
    return g->stop_at && (int)g->n == g->stop_at ? 7 : 0;
}

/* The group key of finding f. */
static void key_of(const struct cm_finding *f, enum cm_store_group by, char *key, size_t n)
{
    struct cm_str res, actor;
    char when[32];

    switch (by) {
    case CM_GROUP_SEVERITY:
        snprintf(key, n, "%.1f", f->severity);
        break;
    case CM_GROUP_TYPE:
        snprintf(key, n, "%.*s", (int)f->type.len, f->type.p);
        break;
    case CM_GROUP_RESOURCE:
        (void)cm_finding_identity(f, &res, &actor);
        snprintf(key, n, "%.*s", (int)res.len, res.p ? res.p : "");
        break;
    case CM_GROUP_ACCOUNT:
        snprintf(key, n, "%.*s", (int)f->account_id.len, f->account_id.p);
        break;
    case CM_GROUP_DATE:
        cm_time_format_iso(f->updated_ms, when, sizeof(when));
        snprintf(key, n, "%.10s", when);
        break;
    case CM_GROUP_REGION:
        snprintf(key, n, "%.*s", (int)f->region.len, f->region.p);
        break;
    }
}

/* Brute force: the groups of the corpus findings q selects (any order); returns the findings. */
static size_t expect_groups(const struct cm_store_query *q, enum cm_store_group by, struct grps *g)
{
    size_t matched = 0;

    g->n = 0;
    for (int i = 0; i < NC; i++) {
        struct cm_finding f;
        char key[96];
        size_t k;
        if (!c_match(C.st, C.f[i].id, q)) {
            continue;
        }
        matched++;
        cm_finding_init(&f);
        assert_int_equal(cm_store_get_finding(C.st, C.f[i].id, &f), 0);
        key_of(&f, by, key, sizeof(key));
        for (k = 0; k < g->n && strcmp(g->v[k].key, key) != 0; k++) {
        }
        if (k == g->n) {
            memset(&g->v[g->n++], 0, sizeof(g->v[0]));
            snprintf(g->v[k].key, sizeof(g->v[k].key), "%s", key);
            snprintf(g->v[k].rtype, sizeof(g->v[k].rtype), "%s",
                     cm_resource_type_name(f.resource_type));
        }
        g->v[k].total++;
        g->v[k].sev = f.severity > g->v[k].sev ? f.severity : g->v[k].sev;
        g->v[k].last = f.updated_ms > g->v[k].last ? f.updated_ms : g->v[k].last;
        for (int a = 0; a < 3; a++) {
            g->v[k].accounts |= cm_str_eqc(f.account_id, c_accounts[a]) ? 1u << a : 0;
        }
        cm_finding_finish(&f);
    }
    return matched;
}

/* Checks the order of an answer: severity / date descending, else total descending then key. */
static void check_group_order(const struct grps *g, enum cm_store_group by)
{
    for (size_t i = 1; i < g->n; i++) {
        const struct grp *a = &g->v[i - 1], *b = &g->v[i];
        bool ok;
        if (by == CM_GROUP_SEVERITY) {
            ok = a->sev > b->sev;
        } else if (by == CM_GROUP_DATE) {
            ok = strcmp(a->key, b->key) > 0;
        } else {
            ok = a->total > b->total || (a->total == b->total && strcmp(a->key, b->key) < 0);
        }
        if (!ok) {
            fail_msg("group by %d: %s (%llu) before %s (%llu)", (int)by, a->key,
                     (unsigned long long)a->total, b->key, (unsigned long long)b->total);
        }
    }
}

static void check_stats(const struct cm_store_query *q, enum cm_store_group by)
{
    static struct grps want, got, top;
    char err[256] = "";
    uint64_t sum = 0;
    size_t matched = expect_groups(q, by, &want);

    memset(&got, 0, sizeof(got));
    assert_int_equal(cm_store_stats(C.st, q, by, 0, collect_stat, &got, err, sizeof(err)), 0);
    if (got.n != want.n) {
        fail_msg("group by %d: %zu groups, the oracle says %zu", (int)by, got.n, want.n);
    }
    for (size_t i = 0; i < got.n; i++) {
        const struct grp *w = NULL;
        for (size_t k = 0; k < want.n; k++) {
            w = strcmp(want.v[k].key, got.v[i].key) == 0 ? &want.v[k] : w;
        }
        if (w == NULL) {
            fail_msg("group by %d: unexpected group '%s'", (int)by, got.v[i].key);
        }
        assert_int_equal(got.v[i].total, w->total);
        assert_true(got.v[i].sev == w->sev);
        assert_true(got.v[i].last == w->last);
        assert_int_equal(got.v[i].has_rtype, by == CM_GROUP_RESOURCE);
        assert_int_equal(got.v[i].has_account, by == CM_GROUP_RESOURCE);
        if (by == CM_GROUP_RESOURCE) {
            assert_string_equal(got.v[i].rtype, w->rtype);
            assert_true(got.v[i].accounts != 0 && (got.v[i].accounts & w->accounts) != 0);
        }
        sum += got.v[i].total;
    }
    assert_int_equal(sum, matched);
    check_group_order(&got, by);
    /* A limit keeps the first groups of the same order. */
    memset(&top, 0, sizeof(top));
    assert_int_equal(cm_store_stats(C.st, q, by, 2, collect_stat, &top, err, sizeof(err)), 0);
    assert_int_equal(top.n, got.n < 2 ? got.n : 2);
    for (size_t i = 0; i < top.n; i++) {
        assert_string_equal(top.v[i].key, got.v[i].key);
        assert_int_equal(top.v[i].total, got.v[i].total);
    }
}

static void test_stats(void **state)
{
    struct cm_store_query q;
    struct cm_criteria *doc_crit, *col_crit, *none;
    char json[256], err[256] = "";
    static struct grps g;
    (void)state;

    snprintf(json, sizeof(json),
             "{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"notEquals\":[\"%s\"]}}}",
             c_instances[0]);
    doc_crit = c_crit(json);
    col_crit = c_crit("{\"criterion\":{\"severity\":{\"gte\":5}}}");
    none = c_crit("{\"criterion\":{\"accountId\":{\"equals\":[\"000000000000\"]}}}");
    for (int by = CM_GROUP_SEVERITY; by <= CM_GROUP_REGION; by++) {
        memset(&q, 0, sizeof(q));
        q.limit = 3; /* ignored by statistics, as are sort and token */
        q.sort = CM_SORT_TYPE;
        check_stats(&q, (enum cm_store_group)by);
        q.criteria[1] = doc_crit;
        check_stats(&q, (enum cm_store_group)by);
        q.criteria[1] = NULL;
        q.criteria[3] = col_crit;
        check_stats(&q, (enum cm_store_group)by);
        q.text = "minergate";
        check_stats(&q, (enum cm_store_group)by);
    }
    /* The corpus spreads over several days and severities. */
    memset(&q, 0, sizeof(q));
    memset(&g, 0, sizeof(g));
    assert_int_equal(cm_store_stats(C.st, &q, CM_GROUP_DATE, 0, collect_stat, &g, err, sizeof(err)),
                     0);
    assert_true(g.n >= 5);
    memset(&g, 0, sizeof(g));
    assert_int_equal(
        cm_store_stats(C.st, &q, CM_GROUP_SEVERITY, 0, collect_stat, &g, err, sizeof(err)), 0);
    assert_int_equal(g.n, 7);
    assert_string_equal(g.v[0].key, "8.9");
    assert_string_equal(g.v[6].key, "2.0");
    /* Nothing selected: no group, no call. */
    q.criteria[0] = none;
    memset(&g, 0, sizeof(g));
    assert_int_equal(cm_store_stats(C.st, &q, CM_GROUP_TYPE, 0, collect_stat, &g, err, sizeof(err)),
                     0);
    assert_int_equal(g.n, 0);
    /* The callback's value stops the answer. */
    q.criteria[0] = NULL;
    memset(&g, 0, sizeof(g));
    g.stop_at = 2;
    assert_int_equal(
        cm_store_stats(C.st, &q, CM_GROUP_REGION, 0, collect_stat, &g, err, sizeof(err)), 7);
    assert_int_equal(g.n, 2);
    cm_criteria_destroy(doc_crit);
    cm_criteria_destroy(col_crit);
    cm_criteria_destroy(none);
}

/* ---- Archive and feedback ---- */

static bool stored_archived(const char *id)
{
    struct cm_finding f;
    bool a;

    cm_finding_init(&f);
    assert_int_equal(cm_store_get_finding(C.st, id, &f), 0);
    a = f.archived;
    cm_finding_finish(&f);
    /* The column says the same as the document. */
    assert_int_equal(s_int("SELECT archived FROM findings WHERE id = ?", id), a);
    return a;
}

/* service.userFeedback of the stored finding into out ("" when absent). */
static void stored_feedback(const char *id, char *out, size_t n)
{
    struct cm_finding f;

    cm_finding_init(&f);
    assert_int_equal(cm_store_get_finding(C.st, id, &f), 0);
    snprintf(out, n, "%.*s", (int)f.user_feedback.len, f.user_feedback.p ? f.user_feedback.p : "");
    cm_finding_finish(&f);
}

static void test_archive(void **state)
{
    const char *mixed[3] = {C.f[1].id, "0123456789abcdef0123456789abcdef", C.f[2].id};
    const char *known[2] = {C.f[1].id, C.f[2].id}, *first[1] = {C.f[0].id};
    char err[256] = "", *before, *after;
    (void)state;

    assert_true(stored_archived(C.f[0].id)); /* the corpus archived every sixth */
    assert_false(stored_archived(C.f[1].id));
    before =
        s_dup("SELECT doc FROM findings JOIN finding_docs USING (seq) WHERE id = ?", C.f[1].id);
    assert_int_equal(cm_store_set_archived(C.st, mixed, 3, true, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, mixed[1]));
    /* All or nothing: the known ones before the unknown one are unchanged too. */
    assert_false(stored_archived(C.f[1].id));
    assert_false(stored_archived(C.f[2].id));
    after = s_dup("SELECT doc FROM findings JOIN finding_docs USING (seq) WHERE id = ?", C.f[1].id);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(cm_store_set_archived(C.st, known, 2, true, err, sizeof(err)), 0);
    assert_true(stored_archived(C.f[1].id));
    assert_true(stored_archived(C.f[2].id));
    assert_int_equal(s_int("SELECT json_extract(doc, '$.service.archived') FROM findings JOIN "
                           "finding_docs USING (seq)"
                           " WHERE id = ?",
                           C.f[1].id),
                     1);
    /* The rest of the document is untouched. */
    after = s_dup("SELECT json_set(doc, '$.service.archived', json('false')) FROM findings JOIN "
                  "finding_docs USING (seq)"
                  " WHERE id = ?",
                  C.f[1].id);
    assert_string_equal(before, after);
    free(after);
    free(before);
    assert_int_equal(cm_store_set_archived(C.st, known, 1, false, err, sizeof(err)), 0);
    assert_false(stored_archived(C.f[1].id));
    assert_true(stored_archived(C.f[2].id));
    assert_int_equal(cm_store_set_archived(C.st, first, 1, false, err, sizeof(err)), 0);
    assert_false(stored_archived(C.f[0].id));
    assert_int_equal(cm_store_set_archived(C.st, known, 0, true, err, sizeof(err)), 0);
    assert_false(stored_archived(C.f[1].id));
    assert_int_equal(s_int("SELECT count(*) FROM findings WHERE archived = 1", NULL),
                     7); /* the corpus archived seven: less f[0], plus f[2] */
}

static void test_feedback(void **state)
{
    static const char *const bad[] = {"MAYBE", "useful", "", "USEFUL ", NULL};
    const char *mixed[3] = {C.f[1].id, C.f[2].id, "0123456789abcdef0123456789abcdef"};
    const char *known[2] = {C.f[1].id, C.f[2].id};
    struct cm_store_put p;
    char err[256] = "", fb[32], text[64], sql[256];
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(cm_store_set_feedback(C.st, known, 2, bad[i], "x", err, sizeof(err)),
                         CM_EINVAL);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(cm_store_set_feedback(C.st, mixed, 3, "USEFUL", "x", err, sizeof(err)),
                     CM_ENOTFOUND);
    assert_non_null(strstr(err, mixed[2]));
    stored_feedback(C.f[1].id, fb, sizeof(fb));
    assert_string_equal(fb, "");
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback", NULL), 0);
    /* A failure part way (the second id's feedback row) leaves the first document alone too. */
    snprintf(sql, sizeof(sql),
             "CREATE TRIGGER refuse BEFORE INSERT ON finding_feedback WHEN NEW.fid ="
             " (SELECT seq FROM findings WHERE id = '%s')"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
             C.f[2].id);
    s_exec(sql);
    assert_int_equal(cm_store_set_feedback(C.st, known, 2, "USEFUL", NULL, err, sizeof(err)),
                     CM_EIO);
    assert_non_null(strstr(err, "refused by the test"));
    s_exec("DROP TRIGGER refuse");
    stored_feedback(C.f[1].id, fb, sizeof(fb));
    assert_string_equal(fb, "");
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback", NULL), 0);

    assert_int_equal(
        cm_store_set_feedback(C.st, known, 2, "USEFUL", "good catch", err, sizeof(err)), 0);
    stored_feedback(C.f[1].id, fb, sizeof(fb));
    assert_string_equal(fb, "USEFUL");
    stored_feedback(C.f[2].id, fb, sizeof(fb));
    assert_string_equal(fb, "USEFUL");
    stored_feedback(C.f[3].id, fb, sizeof(fb));
    assert_string_equal(fb, "");
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback", NULL), 2);
    s_text("SELECT comments FROM finding_feedback JOIN findings ON seq = fid WHERE id = ?",
           C.f[2].id, text, sizeof(text));
    assert_string_equal(text, "good catch");
    /* Changed again, without a comment. */
    assert_int_equal(cm_store_set_feedback(C.st, known, 1, "NOT_USEFUL", NULL, err, sizeof(err)),
                     0);
    stored_feedback(C.f[1].id, fb, sizeof(fb));
    assert_string_equal(fb, "NOT_USEFUL");
    assert_int_equal(
        s_int("SELECT comments IS NULL FROM finding_feedback JOIN findings ON seq = fid"
              " WHERE id = ?",
              C.f[1].id),
        1);
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback", NULL), 2);
    /* A later repeat of the finding keeps the feedback (and adds its count). */
    memset(&p, 0, sizeof(p));
    p.f = &C.f[1];
    assert_int_equal(cm_store_put_findings(C.st, &p, 1, err, sizeof(err)), 0);
    assert_false(p.is_new);
    assert_true(p.changed);
    assert_int_equal(p.count, 2 * C.f[1].count);
    stored_feedback(C.f[1].id, fb, sizeof(fb));
    assert_string_equal(fb, "NOT_USEFUL");
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback JOIN findings ON seq = fid"
                           " WHERE id = ?",
                           C.f[1].id),
                     1);
}

/* ---- Evidence ---- */

struct ev_rows {
    char path[8][96];
    bool null_path[8];
    uint64_t offset[8];
    uint32_t line[8], length[8];
    size_t n;
    int stop;
};

static int collect_ev(void *ud, const char *path, uint64_t offset, uint32_t line, uint32_t length)
{
    struct ev_rows *r = ud;

    assert_true(r->n < 8);
    r->null_path[r->n] = path == NULL;
    snprintf(r->path[r->n], sizeof(r->path[0]), "%s", path ? path : "");
    r->offset[r->n] = offset;
    r->line[r->n] = line;
    r->length[r->n] = length;
    r->n++;
    return r->stop;
}

static void test_evidence(void **state)
{
    struct cm_finding f, rep;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(c_types[0], t_event_for(&C.e, c_types[0]));
    struct cm_store_put p;
    struct ev_rows r;
    char err[256] = "";
    (void)state;

    d.account = CM_STR_LIT("999999999999"); /* an identity the corpus does not have */
    d.nevidence = 3;
    for (uint32_t i = 0; i < 3; i++) {
        d.evidence[i] = (struct cm_src_ref){.file_id = i == 2 ? 9 : i + 1,
                                            .line = 10 + i,
                                            .offset = 1000 * (i + 1),
                                            .length = 50 + i};
    }
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    memset(&p, 0, sizeof(p));
    p.f = &f;
    assert_int_equal(cm_store_put_findings(C.st, &p, 1, err, sizeof(err)), 0);
    assert_true(p.is_new);
    memset(&r, 0, sizeof(r));
    assert_int_equal(cm_store_evidence(C.st, f.id, collect_ev, &r), 0);
    assert_int_equal(r.n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(r.offset[i], 1000 * (i + 1));
        assert_int_equal(r.line[i], 10 + i);
        assert_int_equal(r.length[i], 50 + i);
    }
    assert_string_equal(r.path[0], t_file_name(NULL, 1));
    assert_string_equal(r.path[1], t_file_name(NULL, 2));
    assert_true(r.null_path[2]); /* no name for file 9 */
    /* A repeat appends its records after the stored ones. */
    d.nevidence = 1;
    d.evidence[0] = (struct cm_src_ref){.file_id = 3, .line = 77, .offset = 7700, .length = 7};
    ctx.now_ms += C_HOUR;
    cm_finding_init(&rep);
    assert_int_equal(cm_finding_from_detection(&rep, &ctx, &d), 0);
    assert_string_equal(rep.id, f.id);
    memset(&p, 0, sizeof(p));
    p.f = &rep;
    assert_int_equal(cm_store_put_findings(C.st, &p, 1, err, sizeof(err)), 0);
    assert_false(p.is_new);
    memset(&r, 0, sizeof(r));
    assert_int_equal(cm_store_evidence(C.st, f.id, collect_ev, &r), 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.offset[0], 1000);
    assert_int_equal(r.offset[3], 7700);
    assert_string_equal(r.path[3], t_file_name(NULL, 3));
    /* The callback's value stops the listing; an unknown id is not found. */
    memset(&r, 0, sizeof(r));
    r.stop = 5;
    assert_int_equal(cm_store_evidence(C.st, f.id, collect_ev, &r), 5);
    assert_int_equal(r.n, 1);
    memset(&r, 0, sizeof(r));
    assert_int_equal(cm_store_evidence(C.st, "0123456789abcdef0123456789abcdef", collect_ev, &r),
                     CM_ENOTFOUND);
    assert_int_equal(r.n, 0);
    /* A finding of the corpus has its one record. */
    assert_int_equal(cm_store_evidence(C.st, C.f[4].id, collect_ev, &r), 0);
    assert_int_equal(r.n, 1);
    cm_finding_finish(&rep);
    cm_finding_finish(&f);
}

/* ---- Retention ---- */

static void test_retention(void **state)
{
    static const int64_t age_days[4] = {40, 31, 29, 1};
    const int64_t now = T_NOW + 60 * DAY_MS;
    struct cm_finding f[4];
    struct cm_store_put p[4];
    struct cm_finding_event ev[4][2];
    struct cm_scan_stats scan;
    const char *ids[4];
    char err[256] = "", sql[256];
    int64_t deleted = -1, scan_id;
    int days = -1;
    (void)state;

    memset(p, 0, sizeof(p));
    for (int i = 0; i < 4; i++) {
        struct cm_finding_ctx ctx = t_ctx();
        struct cm_detection d = t_detection(c_types[i], t_event_for(&C.e, c_types[i]));
        d.account = CM_STR_LIT("999999999999");
        ctx.now_ms = now - age_days[i] * DAY_MS;
        cm_finding_init(&f[i]);
        assert_int_equal(cm_finding_from_detection(&f[i], &ctx, &d), 0);
        ev[i][0] = (struct cm_finding_event){100 + (uint64_t)i, 1};
        ev[i][1] = (struct cm_finding_event){200 + (uint64_t)i, 2};
        p[i].f = &f[i];
        p[i].events = ev[i];
        p[i].nevents = 2;
        ids[i] = f[i].id;
    }
    assert_int_equal(cm_store_put_findings(C.st, p, 4, err, sizeof(err)), 0);
    assert_int_equal(cm_store_set_feedback(C.st, ids, 4, "USEFUL", "kept?", err, sizeof(err)), 0);
    memset(&scan, 0, sizeof(scan));
    assert_int_equal(cm_store_add_scan(C.st, &scan, now - 45 * DAY_MS, &scan_id, err, sizeof(err)),
                     0);
    assert_int_equal(cm_store_add_scan(C.st, &scan, now - DAY_MS, &scan_id, err, sizeof(err)), 0);

    /* No retention set: nothing expires. */
    assert_int_equal(cm_store_retention(C.st, &days), 0);
    assert_int_equal(days, 0);
    assert_int_equal(cm_store_expire(C.st, now, &deleted, NULL, err, sizeof(err)), 0);
    assert_int_equal(deleted, 0);
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), NC + 4);
    assert_int_equal(cm_store_set_retention(C.st, -1, err, sizeof(err)), CM_EINVAL);
    assert_int_equal(cm_store_set_retention(C.st, 36501, err, sizeof(err)), CM_EINVAL);
    assert_int_equal(cm_store_retention(C.st, &days), 0);
    assert_int_equal(days, 0);

    /* 30 days: the findings not updated for longer go, with everything hanging off them. */
    assert_int_equal(cm_store_set_retention(C.st, 30, err, sizeof(err)), 0);
    assert_int_equal(cm_store_retention(C.st, &days), 0);
    assert_int_equal(days, 30);
    assert_int_equal(cm_store_expire(C.st, now, &deleted, NULL, err, sizeof(err)), 0);
    assert_int_equal(deleted, 2 + NC); /* the corpus is from T_NOW and before */
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 2);
    for (int i = 0; i < 4; i++) {
        int64_t kept = i >= 2;
        assert_int_equal(s_int("SELECT count(*) FROM findings WHERE id = ?", ids[i]), kept);
        assert_int_equal(
            s_int("SELECT count(*) FROM finding_evidence WHERE finding_id = ?", ids[i]), kept);
        assert_int_equal(s_int("SELECT count(*) FROM finding_feedback JOIN findings ON seq = fid"
                               " WHERE id = ?",
                               ids[i]),
                         kept);
        /* Its id is gone from the id tables too (wherever it was: folded or recent). */
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM finding_seq WHERE h = %lld",
                 (long long)cm_store_id_key(ids[i]));
        assert_int_equal(s_int(sql, NULL), kept);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM finding_events WHERE key IN (%d, %d)",
                 100 + i, 200 + i);
        assert_int_equal(s_int(sql, NULL), 2 * kept);
    }
    assert_int_equal(s_int("SELECT count(*) FROM finding_events", NULL), 4);
    assert_int_equal(s_int("SELECT count(*) FROM finding_evidence", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM finding_sources", NULL), 2); /* no orphans */
    assert_int_equal(s_int("SELECT count(*) FROM finding_feedback", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM finding_seq", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM finding_seq JOIN findings USING (seq)", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM scans", NULL), 1);
    /* Again: nothing more to do; NULL deleted is allowed. */
    assert_int_equal(cm_store_expire(C.st, now, &deleted, NULL, err, sizeof(err)), 0);
    assert_int_equal(deleted, 0);
    assert_int_equal(cm_store_expire(C.st, now, NULL, NULL, err, sizeof(err)), 0);
    /* Back to 0: even far in the future nothing expires. */
    assert_int_equal(cm_store_set_retention(C.st, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_expire(C.st, now + 1000 * DAY_MS, &deleted, NULL, err, sizeof(err)),
                     0);
    assert_int_equal(deleted, 0);
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 2);
    for (int i = 0; i < 4; i++) {
        cm_finding_finish(&f[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feedback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
