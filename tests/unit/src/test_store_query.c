/*
 * Unit tests for queries over the stored findings (store_query.c): every
 * FindingCriteria condition the store answers from a column and the ones
 * left to the document matcher, criteria slots, resource id and free text
 * against a brute-force oracle (store_corpus.h); every sort key in both
 * directions; keyset pagination and its tokens. Sample findings (AccessKey
 * and S3Bucket ones sharing the caller's key) against cm_criteria_match over
 * the stored documents: access key ids, archived in any case, time bounds
 * the stored text cannot express. Statistics and changes: test_store_stats.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "finding/finding_sample.h"
#include "store/store_impl.h"
#include "store_util.h"
#include "store_corpus.h"

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

/* Runs q (sorted by id ascending, no limit) and checks it answers exactly what the oracle does. */
static size_t check_query(struct cm_store_query q, const char *what)
{
    static char want[NC][33], got[NC + 8][33];
    struct c_rows rows;
    char token[CM_STORE_TOKEN_MAX] = "x";
    size_t n = c_expect(&C, &q, want);

    q.sort = CM_SORT_ID;
    q.ascending = true;
    q.limit = 0;
    assert_int_equal(c_run(C.st, &q, &rows, token), 0);
    assert_string_equal(token, "");
    if (rows.n != n) {
        fail_msg("%s: %zu findings, the oracle says %zu", what, rows.n, n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows.v[i].id, want[i]);
    }
    /* The default order (updatedAt, newest first) answers the same set. */
    q.sort = CM_SORT_UPDATED;
    q.ascending = false;
    assert_int_equal(c_run(C.st, &q, &rows, NULL), 0);
    assert_int_equal(rows.n, n);
    c_ids_sorted(&rows, got);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(got[i], want[i]);
    }
    return n;
}

/* Checks one criteria in slot slot; it must select some but not all of the corpus. */
static void check_crit(const char *json, size_t slot)
{
    struct cm_store_query q;
    struct cm_criteria *c = c_crit(json);
    size_t n;

    memset(&q, 0, sizeof(q));
    q.criteria[slot % CM_STORE_MAX_CRITERIA] = c;
    n = check_query(q, json);
    if (n == 0 || n == NC) {
        fail_msg("%s selects %zu of %d: not a useful test", json, n, NC);
    }
    cm_criteria_destroy(c);
}

static void test_criteria(void **state)
{
    char crit[40][512];
    size_t k = 0;
    (void)state;

#define CRIT(...) snprintf(crit[k++], sizeof(crit[0]), __VA_ARGS__)
    CRIT("{\"criterion\":{\"type\":{\"equals\":[\"%s\"]}}}", c_types[0]);
    CRIT("{\"criterion\":{\"type\":{\"notEquals\":[\"%s\",\"%s\"]}}}", c_types[0], c_types[2]);
    CRIT("{\"criterion\":{\"type\":{\"eq\":[\"%s\",\"%s\"]}}}", c_types[3], c_types[4]);
    CRIT("{\"criterion\":{\"severity\":{\"gte\":5,\"lt\":8}}}");
    CRIT("{\"criterion\":{\"severity\":{\"greaterThan\":5.5,\"lessThanOrEqual\":8.9}}}");
    CRIT("{\"Criterion\":{\"severity\":{\"Equals\":[\"8.0\",\"2\"]}}}");
    CRIT("{\"criterion\":{\"severity\":{\"notEquals\":[\"8.0\"]}}}");
    CRIT("{\"criterion\":{\"accountId\":{\"equals\":[\"%s\"]}}}", c_accounts[1]);
    CRIT("{\"criterion\":{\"accountId\":{\"notEquals\":[\"%s\"]}}}", c_accounts[0]);
    CRIT("{\"criterion\":{\"region\":{\"equals\":[\"%s\"]}}}", c_regions[2]);
    CRIT("{\"criterion\":{\"region\":{\"neq\":[\"%s\"]}}}", c_regions[2]);
    CRIT("{\"criterion\":{\"updatedAt\":{\"gte\":%lld,\"lt\":%lld}}}", T_NOW - 10 * 7 * C_HOUR,
         T_NOW - 3 * 7 * C_HOUR);
    CRIT("{\"criterion\":{\"updatedAt\":{\"greaterThan\":%lld}}}", T_NOW - 3 * 7 * C_HOUR);
    CRIT("{\"criterion\":{\"updatedAt\":{\"equals\":[\"%lld\"]}}}", T_NOW - 4 * 7 * C_HOUR);
    CRIT("{\"criterion\":{\"updatedAt\":{\"notEquals\":[\"%lld\"]}}}", T_NOW - 4 * 7 * C_HOUR);
    CRIT("{\"criterion\":{\"createdAt\":{\"lessThan\":%lld}}}", T_NOW - 12 * 7 * C_HOUR);
    CRIT("{\"criterion\":{\"service.archived\":{\"equals\":[\"true\"]}}}");
    CRIT("{\"criterion\":{\"service.archived\":{\"equals\":[false]}}}");
    CRIT("{\"criterion\":{\"service.archived\":{\"notEquals\":[\"true\"]}}}");
    CRIT("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"equals\":[\"%s\"]}}}",
         c_instances[1]);
    CRIT("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"notEquals\":[\"%s\"]}}}",
         c_instances[1]);
    CRIT("{\"criterion\":{\"service.action.actionType\":{\"equals\":[\"DNS_REQUEST\"]}}}");
    CRIT("{\"criterion\":{\"type\":{\"matches\":[\"*:EC2/*\"]}}}");
    CRIT("{\"criterion\":{\"type\":{\"matches\":[\"Crypto*\",\"Backdoor:EC2/C?CActivity*\"]}}}");
    CRIT("{\"criterion\":{\"type\":{\"notMatches\":[\"*!DNS\"]}}}");
    CRIT("{\"criterion\":{\"service.count\":{\"gte\":3}}}");
    CRIT("{\"criterion\":{\"service.count\":{\"equals\":[\"2\"]}}}");
    CRIT("{\"criterion\":{\"resource.resourceType\":{\"equals\":[\"AccessKey\"]}}}");
    CRIT("{\"criterion\":{\"resource.resourceType\":{\"notEquals\":[\"Instance\"]}}}");
    CRIT("{\"criterion\":{\"id\":{\"equals\":[\"%s\",\"%s\"]}}}", C.f[3].id, C.f[17].id);
    CRIT("{\"criterion\":{\"id\":{\"notEquals\":[\"%s\"]}}}", C.f[5].id);
    CRIT("{\"criterion\":{\"service.eventLastSeen\":{\"lessThan\":%lld}}}", T_EVTIME - 30 * C_HOUR);
    /* Column and document conditions in one criteria. */
    CRIT("{\"criterion\":{\"type\":{\"equals\":[\"%s\",\"%s\"]},"
         "\"resource.instanceDetails.instanceId\":{\"notEquals\":[\"%s\"]},"
         "\"severity\":{\"gt\":3}}}",
         c_types[1], c_types[4], c_instances[0]);
    CRIT("{\"criterion\":{\"service.archived\":{\"equals\":[\"false\"]},"
         "\"service.action.actionType\":{\"equals\":[\"AWS_API_CALL\"]}}}");
#undef CRIT
    for (size_t i = 0; i < k; i++) {
        check_crit(crit[i], i);
    }
}

/* Criteria in two slots are ANDed; resource id and text narrow further. */
static void test_slots_resource_text(void **state)
{
    struct cm_store_query q;
    char json[256];
    struct cm_criteria *acct, *sev, *dns;
    size_t n, n1;
    (void)state;

    snprintf(json, sizeof(json), "{\"criterion\":{\"accountId\":{\"equals\":[\"%s\"]}}}",
             c_accounts[1]);
    acct = c_crit(json);
    sev = c_crit("{\"criterion\":{\"severity\":{\"gte\":5}}}");
    dns = c_crit("{\"criterion\":{\"service.action.actionType\":{\"equals\":[\"DNS_REQUEST\"]}}}");
    memset(&q, 0, sizeof(q));
    q.criteria[1] = acct;
    n1 = check_query(q, "account");
    q.criteria[3] = sev;
    n = check_query(q, "account and severity");
    assert_true(n > 0 && n < n1);
    q.criteria[0] = dns;
    assert_true(check_query(q, "account, severity and DNS") < n);

    memset(&q, 0, sizeof(q));
    q.resource_id = c_instances[2];
    n = check_query(q, "instance resource");
    assert_true(n > 0 && n < NC);
    q.resource_id = "AKIAIOSFODNN7EXAMPLE";
    assert_int_equal(check_query(q, "access key resource"), NC / 5);
    q.resource_id = "i-nosuchinstance";
    assert_int_equal(check_query(q, "unknown resource"), 0);
    q.resource_id = c_instances[2];
    q.criteria[2] = dns;
    assert_true(check_query(q, "instance and DNS") > 0);

    /* Free text: ASCII case-insensitive, wildcards in it are literal. */
    memset(&q, 0, sizeof(q));
    q.text = "minergate";
    n = check_query(q, "text minergate");
    assert_true(n > 0 && n < NC);
    q.text = "MinerGATE";
    assert_int_equal(check_query(q, "text MinerGATE"), n);
    q.text = "EC2/SSHBrute";
    assert_int_equal(check_query(q, "text with a slash"), NC / 5);
    q.text = "DNS_REQUEST";
    assert_true(check_query(q, "text with _") > 0);
    q.text = "2_0"; /* '_' as a wildcard would match schemaVersion "2.0" */
    assert_int_equal(check_query(q, "text 2_0"), 0);
    q.text = "%";
    assert_int_equal(check_query(q, "text %"), 0);
    q.text = "NETWORK%CONNECTION";
    assert_int_equal(check_query(q, "text NETWORK%CONNECTION"), 0);
    q.text = "\\"; /* literal: every document has one (additionalInfo.value is escaped JSON) */
    assert_int_equal(check_query(q, "text backslash"), NC);
    q.text = "\\\"coalmine\\\":{"; /* \"coalmine\":{ as the document spells it */
    assert_int_equal(check_query(q, "text with escapes"), NC);
    q.text = "";
    assert_int_equal(check_query(q, "empty text"), NC);
    q.text = "minergate";
    q.criteria[0] = acct;
    assert_true(check_query(q, "text and account") < n);
    cm_criteria_destroy(acct);
    cm_criteria_destroy(sev);
    cm_criteria_destroy(dns);
}

/* Many bound values (past the builder's first allocation), with times among them. */
static void test_many_values(void **state)
{
    struct cm_store_query q;
    struct cm_buf js;
    struct cm_criteria *c;
    char tok[CM_STORE_TOKEN_MAX] = "", prev[CM_STORE_TOKEN_MAX] = "";
    struct c_rows rows;
    size_t n, seen = 0;
    (void)state;

    cm_buf_init(&js, 0);
    assert_int_equal(cm_buf_printf(&js,
                                   "{\"criterion\":{\"createdAt\":{\"gt\":%lld},"
                                   "\"updatedAt\":{\"gte\":%lld,\"lte\":%lld},"
                                   "\"type\":{\"equals\":[",
                                   T_NOW - 15 * 7 * C_HOUR, T_NOW - 14 * 7 * C_HOUR, T_NOW),
                     0);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(cm_buf_printf(&js, "%s\"%s%s\"", i ? "," : "", i < 5 ? "" : "Bogus:X/",
                                       i < 5 ? c_types[i] : c_accounts[i % 3]),
                         0);
    }
    assert_int_equal(cm_buf_puts(&js, "]}}}"), 0);
    assert_int_equal(cm_buf_putc(&js, '\0'), 0);
    c = c_crit(js.p);
    memset(&q, 0, sizeof(q));
    q.criteria[0] = c;
    n = check_query(q, "forty type values and three times");
    assert_true(n > 0 && n < NC);
    /* Paged, with the token's values bound after them. */
    q.sort = CM_SORT_TYPE;
    q.limit = 3;
    do {
        snprintf(prev, sizeof(prev), "%s", tok);
        q.next_token = prev;
        assert_int_equal(c_run(C.st, &q, &rows, tok), 0);
        seen += rows.n;
    } while (tok[0] && seen <= NC);
    assert_int_equal(seen, n);
    cm_criteria_destroy(c);
    cm_buf_finish(&js);
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static int key_cmp(const struct c_row *a, const struct c_row *b, enum cm_store_sort s)
{
    switch (s) {
    case CM_SORT_UPDATED:
        return CMP(a->updated, b->updated);
    case CM_SORT_CREATED:
        return CMP(a->created, b->created);
    case CM_SORT_SEVERITY:
        return CMP(a->sev, b->sev);
    case CM_SORT_TYPE:
        return strcmp(a->type, b->type);
    case CM_SORT_ACCOUNT:
        return strcmp(a->account, b->account);
    case CM_SORT_REGION:
        return strcmp(a->region, b->region);
    case CM_SORT_COUNT:
        return CMP(a->count, b->count);
    case CM_SORT_FIRST_SEEN:
        return CMP(a->first, b->first);
    case CM_SORT_LAST_SEEN:
        return CMP(a->last, b->last);
    case CM_SORT_ID:
        break;
    }
    return 0;
}

/* Checks rows are in (key, id) order; returns how many neighbours tie on the key. */
static size_t check_order(const struct c_rows *r, enum cm_store_sort s, bool asc)
{
    size_t ties = 0;

    for (size_t i = 1; i < r->n; i++) {
        int c = key_cmp(&r->v[i - 1], &r->v[i], s);
        int id = strcmp(r->v[i - 1].id, r->v[i].id);
        if (c == 0) {
            ties += s != CM_SORT_ID;
            c = id;
        }
        if (asc ? c >= 0 : c <= 0) {
            fail_msg("sort %s %s: row %zu (%s) before row %zu (%s)", cm_store_sort_name(s),
                     asc ? "asc" : "desc", i - 1, r->v[i - 1].id, i, r->v[i].id);
        }
    }
    return ties;
}

static void test_sort_orders(void **state)
{
    struct cm_store_query q;
    struct c_rows rows;
    (void)state;

    for (int s = CM_SORT_UPDATED; s <= CM_SORT_ID; s++) {
        for (int asc = 0; asc < 2; asc++) {
            memset(&q, 0, sizeof(q));
            q.sort = (enum cm_store_sort)s;
            q.ascending = asc;
            assert_int_equal(c_run(C.st, &q, &rows, NULL), 0);
            assert_int_equal(rows.n, NC);
            /* The corpus has ties on every key but id, so the id tie-break is exercised. */
            if ((check_order(&rows, q.sort, asc) > 0) != (s != CM_SORT_ID)) {
                fail_msg("sort %s: the corpus has no ties to break", cm_store_sort_name(q.sort));
            }
        }
    }
    /* The default query is updatedAt, newest first. */
    memset(&q, 0, sizeof(q));
    assert_int_equal(c_run(C.st, &q, &rows, NULL), 0);
    check_order(&rows, CM_SORT_UPDATED, false);
    assert_true(rows.v[0].updated > rows.v[NC - 1].updated);
    q.sort = (enum cm_store_sort)42;
    assert_int_equal(c_run(C.st, &q, &rows, NULL), CM_EINVAL);
}

/* Pages through q limit findings at a time; the pages must be the unpaginated answer, in order. */
static void check_pages(struct cm_store_query q, size_t limit)
{
    static struct c_rows all, page;
    char tok[CM_STORE_TOKEN_MAX] = "", prev[CM_STORE_TOKEN_MAX] = "";
    size_t seen = 0, pages = 0;

    q.limit = 0;
    q.next_token = NULL;
    assert_int_equal(c_run(C.st, &q, &all, NULL), 0);
    q.limit = limit;
    do {
        snprintf(prev, sizeof(prev), "%s", tok);
        q.next_token = prev;
        assert_int_equal(c_run(C.st, &q, &page, tok), 0);
        pages++;
        if (tok[0]) {
            /* The token names the page's last finding and its sort value: "<id>.<s><hex>". */
            assert_int_equal(page.n, limit);
            assert_int_equal(strncmp(tok, page.v[page.n - 1].id, CM_FINDING_ID_LEN), 0);
            assert_int_equal(tok[CM_FINDING_ID_LEN], '.');
            assert_int_equal(tok[CM_FINDING_ID_LEN + 1], 'a' + (int)q.sort);
        }
        assert_true(seen + page.n <= all.n);
        for (size_t i = 0; i < page.n; i++) {
            if (strcmp(page.v[i].id, all.v[seen + i].id) != 0) {
                fail_msg("sort %s %s limit %zu: page %zu row %zu is %s, not %s",
                         cm_store_sort_name(q.sort), q.ascending ? "asc" : "desc", limit, pages, i,
                         page.v[i].id, all.v[seen + i].id);
            }
        }
        seen += page.n;
    } while (tok[0] && pages <= NC + 1);
    assert_int_equal(seen, all.n);
    assert_int_equal(pages, all.n == 0 ? 1 : (all.n + limit - 1) / limit);
}

static void test_pagination(void **state)
{
    struct cm_store_query q;
    struct cm_criteria *c;
    char json[256];
    (void)state;

    memset(&q, 0, sizeof(q));
    for (int s = CM_SORT_UPDATED; s <= CM_SORT_ID; s++) {
        for (int asc = 0; asc < 2; asc++) {
            q.sort = (enum cm_store_sort)s;
            q.ascending = asc;
            check_pages(q, 7);
        }
    }
    q.sort = CM_SORT_TYPE;
    check_pages(q, 1);
    check_pages(q, 8); /* divides NC: the fifth page is full and the last */
    check_pages(q, NC);
    check_pages(q, NC - 1);
    check_pages(q, NC + 1);
    /* Pages over the document matcher and the text search. */
    snprintf(json, sizeof(json),
             "{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"notEquals\":[\"%s\"]}}}",
             c_instances[3]);
    c = c_crit(json);
    q.criteria[2] = c;
    q.sort = CM_SORT_SEVERITY;
    check_pages(q, 7);
    q.ascending = true;
    q.text = "us-east-1";
    check_pages(q, 4);
    q.text = "no such text anywhere";
    check_pages(q, 7);
    cm_criteria_destroy(c);
}

static void test_tokens(void **state)
{
    static const char *const bad[] = {
        "x",
        "0123456789abcdef0123456789abcde",   /* 31 */
        "0123456789abcdef0123456789abcdef0", /* 33 */
        "0123456789ABCDEF0123456789ABCDEF",
        "' OR 1=1 --",
        "0123456789abcdef0123456789abcdef-",                     /* no row */
        "0123456789abcdef0123456789abcdef-0",                    /* rows start at 1 */
        "0123456789abcdef0123456789abcdef-012",                  /* not canonical */
        "0123456789abcdef0123456789abcdef-1x",                   /* not a number */
        "0123456789abcdef0123456789abcdef+1",                    /* not the separator */
        "0123456789abcdef0123456789abcdef--1",                   /* signed */
        "0123456789abcdef0123456789abcdef-99999999999999999999", /* too long */
        "0123456789abcdef0123456789abcdef.",                     /* no sort key */
        "0123456789abcdef0123456789abcdef.a3",                   /* odd hex */
        "0123456789abcdef0123456789abcdef.a3G",                  /* not hex */
        "0123456789abcdef0123456789abcdef.a3A",                  /* upper case */
        "0123456789abcdef0123456789abcdef.z32",                  /* no such sort key */
    };
    struct cm_store_query q;
    struct c_rows rows, again;
    char tok[CM_STORE_TOKEN_MAX] = "", first[CM_STORE_TOKEN_MAX], err[256], sql[160];
    char bare[CM_FINDING_ID_LEN + 1], wrong[CM_STORE_TOKEN_MAX], old[CM_STORE_TOKEN_MAX];
    (void)state;

    memset(&q, 0, sizeof(q));
    q.limit = 7;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        q.next_token = bad[i];
        rows.n = 0;
        err[0] = '\0';
        snprintf(tok, sizeof(tok), "junk");
        assert_int_equal(cm_store_query(C.st, &q, c_collect, &rows, tok, err, sizeof(err)),
                         CM_EINVAL);
        assert_int_equal(rows.n, 0);
        assert_string_equal(tok, "");
        assert_non_null(strstr(err, "token"));
    }
    /* Well formed but no such finding. */
    q.next_token = "00000000000000000000000000000000";
    assert_int_equal(c_run(C.st, &q, &rows, tok), CM_EINVAL);
    /* The finding a token names was deleted between pages. */
    q.next_token = NULL;
    assert_int_equal(c_run(C.st, &q, &rows, first), 0);
    assert_int_equal(rows.n, 7);
    assert_true(strlen(first) > CM_FINDING_ID_LEN + 1);
    assert_int_equal(strncmp(first, rows.v[6].id, CM_FINDING_ID_LEN), 0);
    q.next_token = first;
    assert_int_equal(c_run(C.st, &q, &rows, tok), 0);
    assert_int_equal(rows.n, 7);
    /* The bare id (the tokens of schema 3) gives the same page. */
    snprintf(bare, sizeof(bare), "%.*s", CM_FINDING_ID_LEN, first);
    q.next_token = bare;
    assert_int_equal(c_run(C.st, &q, &again, tok), 0);
    assert_int_equal(again.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(again.v[i].id, rows.v[i].id);
    }
    /* So does "<id>-<row>" (the tokens of schema 4). */
    snprintf(old, sizeof(old), "%s-%lld", bare,
             (long long)s_int("SELECT seq FROM findings WHERE id = ?1", bare));
    q.next_token = old;
    assert_int_equal(c_run(C.st, &q, &again, tok), 0);
    assert_int_equal(again.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(again.v[i].id, rows.v[i].id);
    }
    /* A token of another sort key is refused, not read as a value of this one. */
    q.next_token = first;
    q.sort = CM_SORT_SEVERITY;
    assert_int_equal(c_run(C.st, &q, &again, tok), CM_EINVAL);
    q.sort = CM_SORT_UPDATED;
    /* That id with another finding's row is stale, not another finding's page. */
    snprintf(wrong, sizeof(wrong), "%s-%lld", bare,
             (long long)s_int("SELECT max(seq) + 1 FROM findings", NULL));
    q.next_token = wrong;
    assert_int_equal(c_run(C.st, &q, &again, tok), CM_EINVAL);
    snprintf(sql, sizeof(sql), "SELECT seq FROM findings WHERE id != '%s' LIMIT 1", bare);
    snprintf(wrong, sizeof(wrong), "%s-%lld", bare, (long long)s_int(sql, NULL));
    assert_int_equal(c_run(C.st, &q, &again, tok), CM_EINVAL);
    snprintf(sql, sizeof(sql), "DELETE FROM findings WHERE id = '%s'", bare);
    s_exec(sql);
    /* The token carries its place: the next page is the one it was. */
    q.next_token = first;
    assert_int_equal(c_run(C.st, &q, &again, tok), 0);
    assert_int_equal(again.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(again.v[i].id, rows.v[i].id);
    }
    /* The older forms read it from the finding's row: stale now. */
    q.next_token = old;
    assert_int_equal(c_run(C.st, &q, &rows, tok), CM_EINVAL);
    assert_int_equal(rows.n, 0);
    q.next_token = bare;
    assert_int_equal(c_run(C.st, &q, &rows, tok), CM_EINVAL);
    assert_int_equal(rows.n, 0);
    /* No token buffer: the page is still limited. */
    q.next_token = "";
    assert_int_equal(c_run(C.st, &q, &rows, NULL), 0);
    assert_int_equal(rows.n, 7);
}

/*
 * The finding a token names changes between pages: a new occurrence moves it
 * to the front of the order (a later updatedAt, a higher count, ...). The
 * next page is the one it was, for every sort key but the id (which never
 * changes). Before 2026-12-05 the token's value was read from the finding
 * at the next call: the rest of the list was skipped, or came again.
 */
static void test_token_keeps_place(void **state)
{
    /* Per sort key: its column and the values that put a finding first, ascending and not. */
    static const char *const front[][3] = {
        [CM_SORT_UPDATED] = {"updated_at", "''", "'~'"},
        [CM_SORT_CREATED] = {"created_at", "''", "'~'"},
        [CM_SORT_SEVERITY] = {"severity", "-1", "100"},
        [CM_SORT_TYPE] = {"type", "''", "'~'"},
        [CM_SORT_ACCOUNT] = {"account_id", "''", "'~'"},
        [CM_SORT_REGION] = {"region", "''", "'~'"},
        [CM_SORT_COUNT] = {"count", "-1", "1000000000"},
        [CM_SORT_FIRST_SEEN] = {"first_seen", "''", "'~'"},
        [CM_SORT_LAST_SEEN] = {"last_seen", "''", "'~'"},
    };
    static struct c_rows p1, before, after;
    struct cm_store_query q;
    char tok[CM_STORE_TOKEN_MAX], next[CM_STORE_TOKEN_MAX], sql[256];
    (void)state;

    memset(&q, 0, sizeof(q));
    q.limit = 7;
    for (int s = CM_SORT_UPDATED; s < CM_SORT_ID; s++) {
        for (int asc = 0; asc < 2; asc++) {
            q.sort = (enum cm_store_sort)s;
            q.ascending = asc;
            q.next_token = NULL;
            assert_int_equal(c_run(C.st, &q, &p1, tok), 0);
            assert_int_equal(p1.n, 7);
            q.next_token = tok;
            assert_int_equal(c_run(C.st, &q, &before, next), 0);
            assert_int_equal(before.n, 7);
            snprintf(sql, sizeof(sql), "UPDATE findings SET %s = %s WHERE id = '%s'", front[s][0],
                     front[s][asc ? 1 : 2], p1.v[6].id);
            s_exec(sql);
            assert_int_equal(c_run(C.st, &q, &after, next), 0);
            if (after.n != before.n) {
                fail_msg("sort %s %s: page 2 has %zu findings after its token's moved, not %zu",
                         cm_store_sort_name(q.sort), asc ? "asc" : "desc", after.n, before.n);
            }
            for (size_t i = 0; i < before.n; i++) {
                assert_string_equal(after.v[i].id, before.v[i].id);
            }
        }
    }
}

static int stop_after_two(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    int *calls = ud;
    (void)f;
    (void)doc;
    (void)len;
    return ++*calls == 2 ? 42 : 0;
}

static void test_callback_stops_and_names(void **state)
{
    static const char *const groups[] = {"SEVERITY", "FINDING_TYPE", "RESOURCE",
                                         "ACCOUNT",  "DATE",         "REGION"};
    struct cm_store_query q;
    enum cm_store_sort s;
    enum cm_store_group g;
    char err[256] = "";
    int calls = 0;
    (void)state;

    memset(&q, 0, sizeof(q));
    assert_int_equal(cm_store_query(C.st, &q, stop_after_two, &calls, NULL, err, sizeof(err)), 42);
    assert_int_equal(calls, 2);
    for (int i = CM_SORT_UPDATED; i <= CM_SORT_ID; i++) {
        assert_int_equal(cm_store_sort_parse(cm_store_sort_name((enum cm_store_sort)i), &s), 0);
        assert_int_equal(s, i);
    }
    assert_int_equal(cm_store_sort_parse("service.eventLastSeen", &s), 0);
    assert_int_equal(s, CM_SORT_LAST_SEEN);
    assert_int_equal(cm_store_sort_parse("UpdatedAt", &s), CM_EINVAL);
    assert_int_equal(cm_store_sort_parse("", &s), CM_EINVAL);
    assert_string_equal(cm_store_sort_name((enum cm_store_sort)99), "?");
    for (int i = 0; i < 6; i++) {
        assert_int_equal(cm_store_group_parse(groups[i], &g), 0);
        assert_int_equal(g, i);
    }
    assert_int_equal(cm_store_group_parse("TYPE", &g), CM_EINVAL);
}

/*
 * Sample findings of these types, the i-th with updatedAt T_NOW + i hours;
 * the first two are AccessKey findings, the next three S3Bucket findings
 * (keyed by the bucket) with the same caller's accessKeyDetails, the last
 * three Instance findings. Samples 2 and 5 are archived.
 */
#define NS 8
static const char *const sample_types[NS] = {
    "PenTest:IAMUser/KaliLinux",
    "Recon:IAMUser/TorIPCaller",
    "PenTest:S3/KaliLinux",
    "Discovery:S3/MaliciousIPCaller",
    "Exfiltration:S3/MaliciousIPCaller",
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "Backdoor:EC2/C&CActivity.B!DNS",
    "Recon:EC2/PortProbeUnprotectedPort",
};

static struct cm_store *samples_store(void)
{
    struct cm_finding f[NS];
    struct cm_store_put p[NS];
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_str res, actor;
    const char *arch[2];
    struct cm_store *st;
    char err[256] = "";

    memset(p, 0, sizeof(p));
    for (int i = 0; i < NS; i++) {
        cm_finding_init(&f[i]);
        assert_int_equal(cm_finding_sample(&f[i], &ctx, T_ACCOUNT, T_REGION, sample_types[i],
                                           T_NOW + i * C_HOUR),
                         0);
        assert_int_equal(f[i].resource_type, i < 2   ? CM_RES_ACCESS_KEY
                                             : i < 5 ? CM_RES_S3_BUCKET
                                                     : CM_RES_INSTANCE);
        assert_int_equal(cm_finding_identity(&f[i], &res, &actor), 0);
        assert_true(cm_str_eqc(res, i < 2   ? CM_SAMPLE_ACCESS_KEY
                                    : i < 5 ? CM_SAMPLE_BUCKET
                                            : CM_SAMPLE_INSTANCE_ID));
        p[i].f = &f[i];
    }
    arch[0] = f[2].id;
    arch[1] = f[5].id;
    st = s_open();
    assert_int_equal(cm_store_put_findings(st, p, NS, err, sizeof(err)), 0);
    assert_int_equal(cm_store_set_archived(st, arch, 2, true, err, sizeof(err)), 0);
    for (int i = 0; i < NS; i++) {
        cm_finding_finish(&f[i]);
    }
    return st;
}

/*
 * Checks the store's answer to criteria json (the list path: cm_store_query)
 * is what cm_criteria_match says over every stored document; returns how
 * many findings that is.
 */
static size_t matcher_agrees(struct cm_store *st, const char *json)
{
    static struct c_rows rows;
    char want[NS][33], got[NS + 8][33];
    struct cm_criteria *c = c_crit(json);
    struct cm_store_query q;
    struct cm_json_doc tape;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    size_t n = 0;

    cm_json_doc_init(&tape, 0, 0);
    assert_int_equal(sqlite3_open_v2(s_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT f.id, d.doc FROM findings f"
                                        " JOIN finding_docs d USING (seq) ORDER BY f.id",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_text(stmt, 1);
        assert_int_equal(cm_json_parse(&tape, doc, (size_t)sqlite3_column_bytes(stmt, 1), NULL), 0);
        if (cm_criteria_match(c, &tape, 0)) {
            assert_true(n < NS);
            snprintf(want[n++], 33, "%s", (const char *)sqlite3_column_text(stmt, 0));
        }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    cm_json_doc_finish(&tape);
    memset(&q, 0, sizeof(q));
    q.criteria[0] = c;
    q.sort = CM_SORT_ID;
    q.ascending = true;
    assert_int_equal(c_run(st, &q, &rows, NULL), 0);
    if (rows.n != n) {
        fail_msg("%s: the store lists %zu findings, the matcher says %zu", json, rows.n, n);
    }
    c_ids_sorted(&rows, got);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(got[i], want[i]);
    }
    cm_criteria_destroy(c);
    return n;
}

/* matcher_agrees for resource.accessKeyDetails.accessKeyId with condition cond. */
static size_t akid(struct cm_store *st, const char *cond)
{
    char json[256];

    snprintf(json, sizeof(json), "{\"Criterion\":{\"resource.accessKeyDetails.accessKeyId\":%s}}",
             cond);
    return matcher_agrees(st, json);
}

/*
 * resource.accessKeyDetails.accessKeyId equals: S3Bucket findings carry the
 * caller's key but are keyed by the bucket; they are found as the AccessKey
 * findings of that key are.
 */
static void test_samples_access_key_id(void **state)
{
    struct cm_store *st = samples_store();
    (void)state;

    assert_int_equal(akid(st, "{\"Eq\":[\"" CM_SAMPLE_ACCESS_KEY "\"]}"), 5);
    assert_int_equal(
        akid(st, "{\"Equals\":[\"" CM_SAMPLE_ACCESS_KEY "\",\"AKIAELOOISUKKV4LZTX2\"]}"), 5);
    assert_int_equal(akid(st, "{\"Eq\":[\"AKIAELOOISUKKV4LZTX2\"]}"), 0);
    assert_int_equal(akid(st, "{\"Neq\":[\"" CM_SAMPLE_ACCESS_KEY "\"]}"), 3);
    /* With a column condition beside it: the S3Bucket findings only. */
    assert_int_equal(akid(st, "{\"Eq\":[\"" CM_SAMPLE_ACCESS_KEY
                              "\"]},\"resource.resourceType\":{\"Eq\":[\"S3Bucket\"]}"),
                     3);
    /* Instance ids narrow the same way (only Instance findings have instanceDetails). */
    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"resource.instanceDetails.instanceId\":"
                                        "{\"Eq\":[\"" CM_SAMPLE_INSTANCE_ID "\"]}}}"),
                     3);
    cm_store_close(st);
}

/* The ids of the findings q lists (any order), sorted into ids; returns how many. */
static size_t resource_ids_of(struct cm_store *st, const char *resource, char ids[][33])
{
    static struct c_rows rows;
    struct cm_store_query q;

    memset(&q, 0, sizeof(q));
    q.resource_id = resource;
    q.sort = CM_SORT_ID;
    q.ascending = true;
    assert_int_equal(c_run(st, &q, &rows, NULL), 0);
    for (size_t i = 0; i < rows.n; i++) {
        snprintf(ids[i], 33, "%s", rows.v[i].id);
    }
    return rows.n;
}

/*
 * A resource id finds every finding that names it, not only those whose
 * identity resource it is: the S3Bucket findings by their caller's access
 * key, the Instance findings by their network interface, a finding by its
 * second bucket; a repeat that names other buckets is found by those
 * (finding_resources is rewritten with the document). The criteria on
 * those paths agree with the matcher.
 */
static void test_samples_resources(void **state)
{
    struct cm_store *st = samples_store();
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_finding f;
    struct cm_store_put p;
    struct cm_finding_event ev = {.key = 1, .count = 1};
    char ids[NS + 2][33], err[256] = "";
    (void)state;

    assert_int_equal(resource_ids_of(st, CM_SAMPLE_ACCESS_KEY, ids), 5);
    assert_int_equal(resource_ids_of(st, CM_SAMPLE_BUCKET, ids), 3);
    assert_int_equal(resource_ids_of(st, CM_SAMPLE_INSTANCE_ID, ids), 3);
    assert_int_equal(resource_ids_of(st, "eni-99999999", ids), 3);
    assert_int_equal(resource_ids_of(st, "eni-00000000", ids), 0);
    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"resource.instanceDetails."
                                        "networkInterfaces.networkInterfaceId\":"
                                        "{\"Eq\":[\"eni-99999999\"]}}}"),
                     3);
    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"resource.s3BucketDetails.name\":"
                                        "{\"Equals\":[\"" CM_SAMPLE_BUCKET "\"]}}}"),
                     3);

    /* A finding with a second bucket, then a new occurrence naming another one. */
    for (int round = 0; round < 2; round++) {
        cm_finding_init(&f);
        assert_int_equal(cm_finding_sample(&f, &ctx, T_ACCOUNT, T_REGION,
                                           "Exfiltration:S3/AnomalousBehavior", T_NOW),
                         0);
        assert_int_equal(f.nbuckets, 1);
        f.buckets[1] = f.buckets[0];
        f.buckets[1].name = cm_str_cstr(round ? "second-bucket-b" : "second-bucket-a");
        f.nbuckets = 2;
        f.updated_ms += round;
        ev.key = 1 + (uint64_t)round;
        memset(&p, 0, sizeof(p));
        p.f = &f;
        p.events = &ev;
        p.nevents = 1;
        assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
        assert_true(p.is_new == (round == 0));
        assert_true(p.changed);
        assert_int_equal(resource_ids_of(st, "second-bucket-a", ids), round ? 0 : 1);
        assert_int_equal(resource_ids_of(st, "second-bucket-b", ids), round ? 1 : 0);
        if (round) {
            assert_string_equal(ids[0], f.id);
        }
        assert_int_equal(resource_ids_of(st, CM_SAMPLE_BUCKET, ids), 4);
        assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"resource.s3BucketDetails.name\":"
                                            "{\"Equals\":[\"second-bucket-a\","
                                            "\"second-bucket-b\"]}}}"),
                         1);
        cm_finding_finish(&f);
    }
    cm_store_close(st);
}

/*
 * A page of a query the columns decide reads the documents of its findings,
 * not those of every match: by severity (no index serves it), 40 of 3,000
 * findings read a few pages of a fresh connection's cache. Before, the
 * matches were sorted with their documents: every document was read (a
 * second per 100,000 findings).
 */
static void test_page_reads_its_documents(void **state)
{
    enum { N = 3000, BATCH = 500 };
    static struct cm_finding f[BATCH];
    static struct cm_store_put p[BATCH];
    static struct c_rows rows;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_store_query q;
    struct cm_store *st = s_open();
    char err[256] = "", next[CM_STORE_TOKEN_MAX];
    int misses = 0, hi = 0;
    int64_t pages;
    (void)state;

    for (int b = 0; b < N / BATCH; b++) {
        memset(p, 0, sizeof(p));
        for (int k = 0; k < BATCH; k++) {
            int i = b * BATCH + k;
            cm_finding_init(&f[k]);
            assert_int_equal(cm_finding_sample(&f[k], &ctx, T_ACCOUNT, T_REGION,
                                               sample_types[i % NS], T_NOW + i),
                             0);
            snprintf(f[k].id, sizeof(f[k].id), "%032x", (unsigned)i + 1);
            f[k].severity = 1.0 + (i % 80) / 10.0;
            p[k].f = &f[k];
        }
        assert_int_equal(cm_store_put_findings(st, p, BATCH, err, sizeof(err)), 0);
        for (int k = 0; k < BATCH; k++) {
            cm_finding_finish(&f[k]);
        }
    }
    cm_store_close(st);
    pages = s_int("PRAGMA page_count", NULL);
    st = s_open();
    memset(&q, 0, sizeof(q));
    q.sort = CM_SORT_SEVERITY;
    q.limit = 40;
    assert_int_equal(c_run(st, &q, &rows, next), 0);
    assert_int_equal(rows.n, 40);
    assert_true(next[0] != '\0');
    assert_int_equal(
        sqlite3_db_status(cm_store_db(st), SQLITE_DBSTATUS_CACHE_MISS, &misses, &hi, 0), SQLITE_OK);
    if (misses * 4 > pages) {
        fail_msg("a page of 40 read %d of the store's %lld pages", misses, (long long)pages);
    }
    cm_store_close(st);
}

/* service.archived equals "True", "TRUE": true, as the criteria matcher reads it. */
static void test_samples_archived_case(void **state)
{
    static const char *const t[] = {"true", "True", "TRUE", "tRuE"};
    struct cm_store *st = samples_store();
    char json[128];
    (void)state;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        snprintf(json, sizeof(json), "{\"Criterion\":{\"service.archived\":{\"Eq\":[\"%s\"]}}}",
                 t[i]);
        assert_int_equal(matcher_agrees(st, json), 2);
        snprintf(json, sizeof(json), "{\"Criterion\":{\"service.archived\":{\"Neq\":[\"%s\"]}}}",
                 t[i]);
        assert_int_equal(matcher_agrees(st, json), NS - 2);
    }
    assert_int_equal(
        matcher_agrees(st, "{\"Criterion\":{\"service.archived\":{\"Equals\":[\"False\"]}}}"),
        NS - 2);
    cm_store_close(st);
}

/*
 * Time bounds the stored ISO text cannot express (year 10000 and later,
 * before year 1, fractions of a millisecond, 1e300): the store answers what
 * the matcher does.
 */
static void test_samples_time_bounds(void **state)
{
    struct cm_store *st = samples_store();
    char json[160];
    long long t3 = T_NOW + 3 * C_HOUR; /* updatedAt and createdAt of sample 3 */
    (void)state;

    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Lt\":253402300800000}}}"),
                     NS);
    assert_int_equal(
        matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Lt\":9223372036854775807}}}"), NS);
    assert_int_equal(
        matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Gte\":253402300800000}}}"), 0);
    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Lt\":1e300}}}"), NS);
    assert_int_equal(matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Gt\":1e300}}}"), 0);
    assert_int_equal(
        matcher_agrees(st, "{\"Criterion\":{\"updatedAt\":{\"Gt\":-100000000000000}}}"), NS);
    assert_int_equal(
        matcher_agrees(st, "{\"Criterion\":{\"createdAt\":{\"Lt\":-100000000000000}}}"), 0);
    /* Half a millisecond past sample 3: it is before the bound, and not at or after it. */
    snprintf(json, sizeof(json), "{\"Criterion\":{\"updatedAt\":{\"Lt\":%lld.5}}}", t3);
    assert_int_equal(matcher_agrees(st, json), 4);
    snprintf(json, sizeof(json), "{\"Criterion\":{\"updatedAt\":{\"Gte\":%lld.5}}}", t3);
    assert_int_equal(matcher_agrees(st, json), NS - 4);
    snprintf(json, sizeof(json), "{\"Criterion\":{\"createdAt\":{\"Lte\":%lld.5}}}", t3);
    assert_int_equal(matcher_agrees(st, json), 4);
    snprintf(json, sizeof(json), "{\"Criterion\":{\"createdAt\":{\"Gt\":%lld.5}}}", t3);
    assert_int_equal(matcher_agrees(st, json), NS - 4);
    /* A bound it can express beside one it cannot: both sides hold. */
    snprintf(json, sizeof(json),
             "{\"Criterion\":{\"updatedAt\":{\"Gte\":%lld,\"Lt\":253402300800000}}}", t3);
    assert_int_equal(matcher_agrees(st, json), NS - 3);
    snprintf(json, sizeof(json), "{\"Criterion\":{\"updatedAt\":{\"Gt\":-1e300,\"Lte\":%lld}}}",
             t3);
    assert_int_equal(matcher_agrees(st, json), 4);
    cm_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_criteria, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slots_resource_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sort_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pagination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_keeps_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops_and_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_samples_access_key_id, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_samples_resources, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_samples_archived_case, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_page_reads_its_documents, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_samples_time_bounds, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
