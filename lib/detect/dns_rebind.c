/*
 * UnauthorizedAccess:EC2/MetadataDNSRebind (issue #7; spec §1.3.2 row 15,
 * docs/detectors/dns-reputation.md): an instance resolves a name whose
 * answer is the instance metadata service, 169.254.169.254 or
 * fd00:ec2::254 (IPv4-mapped forms too), and the name is not one of AWS's
 * own names for it. That is DNS rebinding against IMDS: an SSRF filter that
 * checks the name, or checks the address of a first resolution, is walked
 * past by a name that answers with the metadata address (at once or on a
 * later, short-TTL resolution), and the application fetches credentials
 * from http://attacker-name/latest/meta-data/.
 *
 * Answers. Every A and AAAA record of the query's answers (the first 16),
 * so the address at the end of a CNAME chain counts as well as a direct
 * one: the queried name is what the attacker controls. Records of other
 * types (a TXT that holds the text 169.254.169.254) do not count.
 *
 * AWS's own names, never a finding (cm_dns_rebind_aws_name): instance-data
 * (the single-label name the EC2 documentation gives), and every name in
 * the EC2 internal zones ec2.internal and <region>.compute.internal
 * (instance-data.ec2.internal and the like, the resolver's search domains),
 * plus the tuning's allowed names. instance-data under any other domain is
 * not AWS's: an attacker can name a host instance-data.attacker.example. Near misses, never a
 * finding: the other link-local service addresses: the VPC resolver (169.254.169.253,
 * fd00:ec2::253), Amazon Time Sync (169.254.169.123, fd00:ec2::123), the
 * ECS task metadata endpoint (169.254.170.2), and any other address.
 *
 * Emission: once per (instance, name) per report_ms (an hour): the first
 * query fires at once; later ones are counted and reported with the next
 * query an hour or more after the last report (d.count the queries since,
 * d.first_ms the first of them), or, when none comes, as the pair's entry
 * expires (two report windows after its last query; the end of input too),
 * built from the last of them (struct cm_dns_kept, with its instance and
 * answer). d.info names the domain and the answer.
 *
 * State: one cm_state table, (instance hash, name hash) -> the report
 * window and the last query (664 bytes), TTL two report windows,
 * memcap max_entries; it is only touched for queries that answer with the
 * metadata address, so the cost of an ordinary query is a look at the last
 * bytes of each answer's Rdata.
 */
#include "detect/dns_reputation.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/dns.h"
#include "detect/dns_kept.h"
#include "detect/dns_tunings.h"
#include "detect/state.h"

/* One detection per (instance, name) per hour: the aggregator folds them into one finding. */
#define CM_DNS_REBIND_REPORT_MS (3600LL * 1000)
/*
 * Memcap: 16384 (instance, name) pairs of 664 bytes of value and 16 of key,
 * about 12 MiB. Rebinding names are rare; a flood of them is still one
 * finding per instance, and an evicted pair only reports again early.
 */
#define CM_DNS_REBIND_MAX (16u * 1024)

#define TYPE_REBIND "UnauthorizedAccess:EC2/MetadataDNSRebind"

#define DNS_REBIND_STATE_VERSION 2u /* bump when the layout save writes changes */

#define INST_MAX   64 /* bytes of an instance id kept (longer: no report at expiry) */
#define ANSWER_MAX 48 /* bytes of the metadata answer kept (an IPv6 text fits) */

/*
 * An (instance, name) that answered with the metadata address: its report
 * window, and the last query since the last report, for a report at expiry
 * (the key holds hashes only, so the instance is kept too).
 */
struct rebind {
    uint32_t first_s;    /* first query not yet reported */
    uint32_t reported_s; /* latest detection */
    uint32_t pending;    /* queries not yet reported */
    uint32_t pad;
    struct cm_dns_kept last; /* time_ms INT64_MIN: none kept */
    uint8_t inst_len, answer_len;
    uint8_t pad2[6];
    char inst[INST_MAX];
    char answer[ANSWER_MAX];
};

struct dns_rebind {
    struct cm_state *pairs;
    struct cm_dns_rebind_tuning t;
    uint32_t report_s;
    uint64_t seed;
    struct cm_event ev; /* a kept query, rebuilt for a report at expiry */
    char info[384];     /* additionalInfo of the detection being emitted */
};

static const char *const types[] = {TYPE_REBIND, NULL};

/* The EC2 internal zones: any name in them is AWS's. */
static const char *const aws_zones[] = {"ec2.internal", "compute.internal"};

/* Whether name (normalised, len bytes) is zone or a name under it. */
static bool in_zone(const char *name, size_t len, const char *zone)
{
    size_t n = strlen(zone);

    if (len == n) {
        return memcmp(name, zone, n) == 0;
    }
    return len > n && name[len - n - 1] == '.' && memcmp(name + len - n, zone, n) == 0;
}

bool cm_dns_rebind_aws_name(const struct cm_domain *d, const char *const *allowed)
{
    static const char idata[] = "instance-data";
    size_t n = sizeof(idata) - 1;

    /* instance-data itself; under a search domain, only the EC2 zones below are AWS's. */
    if (d->len == n && memcmp(d->name, idata, n) == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof(aws_zones) / sizeof(aws_zones[0]); i++) {
        if (in_zone(d->name, d->len, aws_zones[i])) {
            return true;
        }
    }
    for (size_t i = 0; allowed != NULL && allowed[i] != NULL; i++) {
        const char *a = allowed[i];
        size_t k = strlen(a);

        if (k > 0 && a[k - 1] == '.') {
            k--; /* "name." is "name" */
        }
        if (k > 0 && (d->len == k || (d->len > k && d->name[d->len - k - 1] == '.')) &&
            cm_str_ieq(cm_str_make(d->name + d->len - k, k), cm_str_make(a, k))) {
            return true;
        }
    }
    return false;
}

/* Whether ip is the instance metadata service: 169.254.169.254, fd00:ec2::254,
 * ::ffff:169.254.169.254. */
static bool imds(const struct cm_ip *ip)
{
    static const uint8_t v4[4] = {169, 254, 169, 254};
    static const uint8_t v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (ip->family == CM_IP_V4) {
        return memcmp(ip->a, v4, 4) == 0;
    }
    if (ip->family == CM_IP_V6) {
        return memcmp(ip->a, v6, 16) == 0 ||
               (memcmp(ip->a, mapped, 12) == 0 && memcmp(ip->a + 12, v4, 4) == 0);
    }
    return false;
}

/* The first A/AAAA answer of q that is the metadata address, or an empty slice. */
static struct cm_str imds_answer(const struct cm_dns *q)
{
    for (uint32_t e = 0; e < q->nans; e++) {
        /* A and AAAA answers' addresses, parsed by the parser (CM_IP_NONE otherwise). */
        if (!imds(&q->ans[e].ip)) {
            continue;
        }
        return q->ans[e].rdata;
    }
    return CM_STR_NULL;
}

/* Whole seconds of ms, rounded up, at least 1. */
static uint32_t span_s(int64_t ms)
{
    int64_t s = ms / 1000 + (ms % 1000 > 0); /* rounded up, without overflow near INT64_MAX */

    return s < 1 ? 1 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* Unix seconds of event time ms, clamped to what a uint32 holds. */
static uint32_t secs(int64_t ms)
{
    return ms <= 0 ? 0 : ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}

static void finish(void *state)
{
    struct dns_rebind *r = state;

    if (r != NULL) {
        cm_state_destroy(r->pairs);
        cm_free(r);
    }
}

int cm_dns_rebind_init(void **state, const struct cm_detect_opts *opts,
                       const struct cm_dns_rebind_tuning *t)
{
    struct dns_rebind *r = cm_calloc(1, sizeof(*r));
    struct cm_state_opts so;
    int rc;

    if (r == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        r->t = *t;
    }
    if (r->t.report_ms <= 0) {
        r->t.report_ms = CM_DNS_REBIND_REPORT_MS;
    }
    if (r->t.max_entries == 0) {
        r->t.max_entries = CM_DNS_REBIND_MAX;
    }
    r->report_s = span_s(r->t.report_ms);
    r->seed = opts ? opts->seed : 0;
    memset(&so, 0, sizeof(so));
    so.seed = r->seed;
    so.val_size = sizeof(struct rebind);
    so.max_entries = r->t.max_entries;
    so.ttl_ms = r->t.report_ms > INT64_MAX / 2 ? INT64_MAX : 2 * r->t.report_ms;
    if ((rc = cm_state_create(&r->pairs, &so)) != 0) {
        finish(r);
        return rc;
    }
    *state = r;
    return CM_OK;
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_dns_rebind_init(state, opts, c && c->dns ? &c->dns->rebind : NULL);
}

static void stats(const void *state, struct cm_state_stats *sum)
{
    const struct dns_rebind *r = state;

    cm_state_stats_add(sum, r->pairs);
}

/* Appends s, JSON-escaped, to r->info at *at. */
static void put_esc(struct dns_rebind *r, size_t *at, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *at + 3 < sizeof(r->info); i++) {
        if (s[i] == '"' || s[i] == '\\') {
            r->info[(*at)++] = '\\';
        }
        r->info[(*at)++] = s[i];
    }
    r->info[*at] = '\0';
}

static void describe(struct dns_rebind *r, struct cm_str name, struct cm_str answer)
{
    size_t at = (size_t)snprintf(r->info, sizeof(r->info), "{\"domain\":\"");

    put_esc(r, &at, name.p, name.len);
    at += (size_t)snprintf(r->info + at, sizeof(r->info) - at, "\",\"answer\":\"");
    if (at < sizeof(r->info)) {
        put_esc(r, &at, answer.p, answer.len);
    }
    if (at + 3 < sizeof(r->info)) {
        memcpy(r->info + at, "\"}", 3);
    }
}

/* Keeps ev (its name normalised as d, its metadata answer answer) as p's last query. */
static void keep(struct rebind *p, const struct cm_event *ev, const struct cm_domain *d,
                 struct cm_str answer)
{
    struct cm_str inst = ev->u.dns.srcid_instance;

    if (inst.len > INST_MAX || ev->time_ms < p->last.time_ms) {
        return; /* an id too long to keep; a late record: the newest is kept */
    }
    cm_dns_kept_set(&p->last, ev, cm_str_make(d->name, d->len));
    memcpy(p->inst, inst.p, inst.len);
    p->inst_len = (uint8_t)inst.len;
    p->answer_len = (uint8_t)(answer.len < ANSWER_MAX ? answer.len : ANSWER_MAX);
    memcpy(p->answer, answer.p, p->answer_len);
}

/* The expiry of the pair table (cm_state_cb): ud is a struct expiry. */
struct expiry {
    struct dns_rebind *r;
    struct cm_sink *sink;
    int rc;
};

/*
 * The pair p, expiring: the queries it counted after its last detection are
 * reported now, built from the last of them (the report window held them for
 * a next query an hour on, which did not come).
 */
static void expire_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct expiry *x = ud;
    struct dns_rebind *r = x->r;
    struct rebind *p = val;
    struct cm_event *ev = &r->ev;
    struct cm_detection det;
    struct cm_str name;
    char low[CM_DOMAIN_MAX];
    size_t n;

    (void)key;
    (void)klen;
    if (x->rc != CM_OK || p->pending == 0 || p->inst_len == 0 ||
        !cm_dns_kept_event(&p->last, cm_str_make(p->inst, p->inst_len), ev)) {
        return;
    }
    /* The name as the detector judged it: lowercase, without the trailing dot. */
    name = ev->u.dns.query_name;
    n = name.len > 0 && name.p[name.len - 1] == '.' ? name.len - 1 : name.len;
    n = n < sizeof(low) ? n : sizeof(low);
    for (size_t i = 0; i < n; i++) {
        char c = name.p[i];

        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    describe(r, cm_str_make(low, n), cm_str_make(p->answer, p->answer_len));
    cm_dns_detection(&det, ev, TYPE_REBIND);
    det.count = p->pending;
    det.first_ms =
        (int64_t)p->first_s * 1000 < ev->time_ms ? (int64_t)p->first_s * 1000 : ev->time_ms;
    det.info = cm_str_cstr(r->info);
    p->pending = 0;
    x->rc = cm_sink_emit(x->sink, &det);
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct dns_rebind *r = state;
    struct expiry x = {r, sink, CM_OK};

    cm_state_expire(r->pairs, watermark_ms, expire_cb, &x);
    return x.rc;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct dns_rebind *r = state;
    const struct cm_dns *q = &ev->u.dns;
    unsigned char key[16];
    struct cm_detection det;
    struct cm_domain d;
    struct cm_str answer;
    struct rebind *p;
    uint64_t h;
    uint32_t ts = secs(ev->time_ms), count;
    int64_t first_ms;
    bool created;

    /* Cheap tests first: a query with answers, one of them the metadata address. */
    if (ev->kind != CM_EV_DNS || q->nanswers == 0 || !cm_str_present(q->srcid_instance) ||
        q->srcid_instance.len == 0) {
        return CM_OK;
    }
    answer = imds_answer(q);
    if (answer.p == NULL || !cm_dns_from_instance(ev, &d) ||
        cm_dns_rebind_aws_name(&d, r->t.allowed)) {
        return CM_OK;
    }
    h = cm_hash64(q->srcid_instance.p, q->srcid_instance.len, r->seed);
    memcpy(key, &h, 8);
    h = cm_hash64(d.name, d.len, r->seed);
    memcpy(key + 8, &h, 8);
    if ((p = cm_state_touch(r->pairs, key, sizeof(key), ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        count = 1;
        first_ms = ev->time_ms;
        p->last.time_ms = INT64_MIN;
    } else {
        if (p->pending == 0 || ts < p->first_s) {
            p->first_s = ts;
        }
        p->pending++;
        if (ts < p->reported_s || ts - p->reported_s < r->report_s) {
            keep(p, ev, &d, answer); /* what a report at expiry is built from (on_tick) */
            return CM_OK;
        }
        count = p->pending;
        first_ms = (int64_t)p->first_s * 1000;
    }
    p->pending = 0;
    p->reported_s = ts;
    describe(r, cm_str_make(d.name, d.len), answer);
    cm_dns_detection(&det, ev, TYPE_REBIND);
    det.count = count;
    det.first_ms = first_ms < det.time_ms ? first_ms : det.time_ms;
    det.info = cm_str_cstr(r->info);
    return cm_sink_emit(sink, &det);
}

/*
 * Checkpoints: the pair table is all the detector learns. Its values are
 * times, a count and the kept query, none of them an index: the pads, which
 * the detector never writes (values start zeroed), the kept lengths (they
 * bound the copies of the instance and the answer, and the kept query's
 * text: cm_dns_kept_valid) tell a value it could not have made.
 */
static bool pair_check(const void *ud, const void *key, size_t klen, const void *val)
{
    static const uint8_t zero[sizeof(((struct rebind *)0)->pad2)];
    const struct rebind *p = val;

    (void)ud;
    (void)key;
    (void)klen;
    return p->pad == 0 && memcmp(p->pad2, zero, sizeof(zero)) == 0 && p->inst_len <= INST_MAX &&
           p->answer_len <= ANSWER_MAX && cm_dns_kept_valid(&p->last);
}

/* The evidence reference of a pair's kept query (renumbered across runs). */
static void pair_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_dns_kept_refs(&((struct rebind *)val)->last, fn, fud);
}

static const struct cm_state_codec pair_codec = {.check = pair_check, .refs = pair_refs};

static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct dns_rebind *r = state;

    return cm_state_save(r->pairs, w, &pair_codec);
}

static int load(void *state, struct cm_ckpt_r *rd)
{
    struct dns_rebind *r = state;

    return cm_state_load(r->pairs, rd, &pair_codec);
}

const struct cm_detector cm_detector_dns_rebind = {
    .name = "dns-rebind",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = stats,
    .state_version = DNS_REBIND_STATE_VERSION,
    .save = save,
    .load = load,
};
