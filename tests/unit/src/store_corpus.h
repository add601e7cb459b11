/*
 * A corpus of NC findings for the store query tests (test_store_query.c,
 * test_store_stats.c), built through the real builder with varied types,
 * accounts, regions, instances, severities, counts and times (with ties on
 * every sort key but id), stored in one batch with every sixth one archived;
 * and the brute-force oracle: a finding matches a query when
 * cm_criteria_match accepts its API JSON for every criteria slot, it names
 * the resource id (c_names_resource) and its JSON contains the text (ASCII
 * case-insensitive). Included after cmocka.h and store_util.h.
 */
#ifndef CM_TESTS_STORE_CORPUS_H
#define CM_TESTS_STORE_CORPUS_H

#include <ctype.h>

#include "../lib/finding/finding_util.h"
#include "base/buf.h"
#include "base/time.h"

#define NC     40
#define C_HOUR 3600000LL

static const char *const c_types[5] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "Recon:EC2/PortProbeUnprotectedPort",
    "Backdoor:EC2/C&CActivity.B!DNS",
};
static const char *const c_accounts[3] = {"111122223333", "444455556666", "777788889999"};
static const char *const c_regions[3] = {"us-east-1", "eu-west-1", "ap-southeast-2"};
static const char *const c_instances[4] = {"i-00000000000000aaa", "i-00000000000000bbb",
                                           "i-00000000000000ccc", "i-00000000000000ddd"};
static const double c_sev[7] = {2.0, 5.0, 8.0, 5.5, 7.0, 3.9, 8.9};

struct corpus {
    struct t_events e;
    struct cm_finding f[NC];
    struct cm_store *st;
};

/* Finding i of the corpus into f (initialised here). */
static inline void c_build(struct cm_finding *f, const struct t_events *e, int i)
{
    const char *type = c_types[i % 5];
    struct cm_event ev = *t_event_for(e, type);
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;

    if (ev.kind == CM_EV_FLOW) {
        ev.u.flow.instance_id = cm_str_cstr(c_instances[i % 4]);
    } else if (ev.kind == CM_EV_DNS) {
        ev.u.dns.srcid_instance = cm_str_cstr(c_instances[i % 4]);
    }
    d = t_detection(type, &ev);
    d.account = cm_str_cstr(c_accounts[(i / 5) % 3]);
    d.region = cm_str_cstr(c_regions[(i / 15) % 3]);
    d.severity = c_sev[i % 7];
    d.count = 1 + (uint32_t)(i % 4);
    d.time_ms = T_EVTIME - (i / 2) * 5 * C_HOUR;
    d.first_ms = d.time_ms - (i % 2) * 5 * C_HOUR; /* ties with the next pair's */
    ctx.now_ms = T_NOW - (i / 2) * 7 * C_HOUR;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

/* Builds and stores the corpus; every sixth finding is archived. */
static inline void c_open(struct corpus *c)
{
    struct cm_store_put p[NC];
    const char *arch[NC];
    size_t narch = 0;
    char err[256] = "";
    int64_t n = -1;

    t_events_init(&c->e);
    memset(p, 0, sizeof(p));
    for (int i = 0; i < NC; i++) {
        c_build(&c->f[i], &c->e, i);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(c->f[i].id, c->f[j].id);
        }
        p[i].f = &c->f[i];
        if (i % 6 == 0) {
            arch[narch++] = c->f[i].id;
        }
    }
    c->st = s_open();
    assert_int_equal(cm_store_put_findings(c->st, p, NC, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(c->st, &n), 0);
    assert_int_equal(n, NC);
    assert_int_equal(cm_store_set_archived(c->st, arch, narch, true, err, sizeof(err)), 0);
}

static inline void c_close(struct corpus *c)
{
    cm_store_close(c->st);
    for (int i = 0; i < NC; i++) {
        cm_finding_finish(&c->f[i]);
    }
    t_events_finish(&c->e);
}

static inline bool c_contains_nocase(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && tolower((unsigned char)s[i + k]) == tolower((unsigned char)needle[k])) {
            k++;
        }
        if (k == m) {
            return true;
        }
    }
    return false;
}

/*
 * Whether the finding names resource r: its identity resource, its
 * accessKeyDetails' key id, a bucket's name, or an Instance's instance or
 * network interface id (what `--resource` finds a finding by).
 */
static inline bool c_names_resource(const struct cm_finding *f, const char *r)
{
    struct cm_str res, actor;
    bool yes;

    (void)cm_finding_identity(f, &res, &actor);
    yes = cm_str_eqc(res, r) || (f->has_access_key && cm_str_eqc(f->access_key.access_key_id, r));
    for (uint32_t i = 0; i < f->nbuckets; i++) {
        yes = yes || cm_str_eqc(f->buckets[i].name, r);
    }
    if (f->resource_type == CM_RES_INSTANCE) {
        yes = yes || cm_str_eqc(f->instance.instance_id, r);
        for (uint32_t i = 0; i < f->instance.nnics; i++) {
            yes = yes || cm_str_eqc(f->instance.nics[i].eni_id, r);
        }
    }
    return yes;
}

/* The oracle: does stored finding id (read back from the store) satisfy q? */
static inline bool c_match(struct cm_store *st, const char *id, const struct cm_store_query *q)
{
    struct cm_finding f;
    struct cm_json_doc doc;
    struct cm_buf json;
    bool ok = true;

    cm_finding_init(&f);
    cm_buf_init(&json, 0);
    cm_json_doc_init(&doc, 0, 0);
    assert_int_equal(cm_store_get_finding(st, id, &f), 0);
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_API, &json), 0);
    assert_int_equal(cm_json_parse(&doc, json.p, json.len, NULL), 0);
    for (size_t k = 0; k < CM_STORE_MAX_CRITERIA; k++) {
        if (q->criteria[k] && !cm_criteria_match(q->criteria[k], &doc, 0)) {
            ok = false;
        }
    }
    if (q->resource_id) {
        ok = ok && c_names_resource(&f, q->resource_id);
    }
    if (q->text) {
        ok = ok && c_contains_nocase(json.p, json.len, q->text);
    }
    cm_json_doc_finish(&doc);
    cm_buf_finish(&json);
    cm_finding_finish(&f);
    return ok;
}

static inline int c_idcmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The ids of the corpus that satisfy q, sorted; returns their number. */
static inline size_t c_expect(struct corpus *c, const struct cm_store_query *q, char ids[][33])
{
    size_t n = 0;

    for (int i = 0; i < NC; i++) {
        if (c_match(c->st, c->f[i].id, q)) {
            snprintf(ids[n++], 33, "%s", c->f[i].id);
        }
    }
    qsort(ids, n, 33, c_idcmp);
    return n;
}

/* One row of a query answer, with the values every sort key reads. */
struct c_row {
    char id[33];
    char type[96], account[16], region[24];
    double sev;
    uint32_t count;
    int64_t created, updated, first, last;
    bool archived;
};

struct c_rows {
    struct c_row v[NC + 8];
    size_t n;
};

static inline int c_collect(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    struct c_rows *r = ud;
    struct c_row *w;

    assert_true(r->n < sizeof(r->v) / sizeof(r->v[0]));
    assert_true(c_contains_nocase(doc, len, f->id));
    w = &r->v[r->n++];
    memset(w, 0, sizeof(*w));
    snprintf(w->id, sizeof(w->id), "%s", f->id);
    snprintf(w->type, sizeof(w->type), "%.*s", (int)f->type.len, f->type.p);
    snprintf(w->account, sizeof(w->account), "%.*s", (int)f->account_id.len, f->account_id.p);
    snprintf(w->region, sizeof(w->region), "%.*s", (int)f->region.len, f->region.p);
    w->sev = f->severity;
    w->count = f->count;
    w->created = f->created_ms;
    w->updated = f->updated_ms;
    w->first = f->first_seen_ms;
    w->last = f->last_seen_ms;
    w->archived = f->archived;
    return 0;
}

/* Runs q into r (emptied first); returns the query's code. */
static inline int c_run(struct cm_store *st, const struct cm_store_query *q, struct c_rows *r,
                        char *token)
{
    char err[256] = "";

    r->n = 0;
    return cm_store_query(st, q, c_collect, r, token, err, sizeof(err));
}

/* The ids of r, sorted, into ids. */
static inline void c_ids_sorted(const struct c_rows *r, char ids[][33])
{
    for (size_t i = 0; i < r->n; i++) {
        snprintf(ids[i], 33, "%s", r->v[i].id);
    }
    qsort(ids, r->n, 33, c_idcmp);
}

static inline struct cm_criteria *c_crit(const char *json)
{
    struct cm_criteria *c = NULL;
    struct cm_diag dg;

    cm_diag_clear(&dg);
    if (cm_criteria_compile(json, strlen(json), 0, &c, &dg) != 0) {
        fail_msg("criteria %s: %s", json, dg.msg);
    }
    return c;
}

#endif
