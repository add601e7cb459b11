/*
 * libFuzzer target for lib/intel's indicator sets. Each input line is an
 * entry, "+value" for a trusted list and "value" for a threat list, where a
 * value is an address, a CIDR, "name" or "*.name"; at most 64 lines are used.
 * Everything that parses goes into an intel builder and a naive oracle; the
 * snapshot is then asked about every entry's first and last address, every
 * name and a subdomain of it, and must agree with the oracle on the verdict,
 * the matching prefix length and the matching name (trusted wins, longest
 * match). An entry the builder refuses must be one the oracle cannot parse.
 * The names asked about, and every input line as it is (invalid, shouted,
 * with a trailing dot), are then checked again in one cm_intel_check_domains
 * call, which must answer each exactly as cm_intel_check_domain does (and
 * the host names among them in one cm_intel_check_domains_norm call). So are
 * addresses in one cm_intel_check_ips call against cm_intel_check_ip: every
 * entry's first and last address, the ones after them and the IPv4-mapped
 * forms of all of these (which the oracle checks too), every line that
 * parses as an address as it is, and CM_IP_NONE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/domain.h"
#include "base/err.h"
#include "base/ip.h"
#include "intel/domainset.h"
#include "intel/snapshot.h"

#define MAX_ENTRIES 64
/* Names the batch check asks about: two per entry and one per input line. */
#define MAX_NAMES (3 * MAX_ENTRIES)
/* Addresses the batch check asks about: seven per entry, one per input line, CM_IP_NONE. */
#define MAX_IPS (8 * MAX_ENTRIES + 1)

struct entry {
    int trusted;
    int is_ip;
    struct cm_ip net; /* IPv4-mapped networks stored as IPv4 */
    unsigned len;
    char name[CM_DOMAIN_MAX];
    size_t nlen;
    int wildcard;
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* IPv4-mapped IPv6 as IPv4 (for networks: only /96 and longer). */
static void unmap(struct cm_ip *ip, unsigned *len)
{
    if (ip->family == CM_IP_V6 && memcmp(ip->a, mapped, 12) == 0 && (len == NULL || *len >= 96)) {
        uint8_t v4[4];
        memcpy(v4, ip->a + 12, 4);
        memset(ip, 0, sizeof(*ip));
        ip->family = CM_IP_V4;
        memcpy(ip->a, v4, 4);
        if (len != NULL) {
            *len -= 96;
        }
    }
}

static int parse_entry(struct cm_str v, struct entry *e)
{
    struct cm_str name = v;

    if (cm_cidr_parse(v, &e->net, &e->len) == 0) {
        e->is_ip = 1;
        unmap(&e->net, &e->len);
        return 0;
    }
    if (cm_str_starts(v, "*.")) {
        e->wildcard = 1;
        name = cm_str_make(v.p + 2, v.len - 2);
    }
    return cm_domain_normalize(name, e->name, &e->nlen);
}

/* Oracle for an address: the verdict and the best prefix length. */
static enum cm_intel_verdict oracle_ip(const struct entry *es, size_t n, struct cm_ip ip,
                                       unsigned *best)
{
    int hit[2] = {0, 0};

    unmap(&ip, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &es[i];
        if (e->is_ip && e->net.family == ip.family && cm_ip_in_cidr(&ip, &e->net, e->len)) {
            if (!hit[e->trusted] || e->len > best[e->trusted]) {
                best[e->trusted] = e->len;
            }
            hit[e->trusted] = 1;
        }
    }
    return hit[1] ? CM_INTEL_TRUSTED : hit[0] ? CM_INTEL_THREAT : CM_INTEL_NONE;
}

static int name_applies(const struct entry *e, const char *q, size_t ql)
{
    if (e->is_ip || ql < e->nlen || memcmp(q + ql - e->nlen, e->name, e->nlen) != 0) {
        return 0;
    }
    if (ql == e->nlen) {
        return !e->wildcard;
    }
    return q[ql - e->nlen - 1] == '.';
}

static enum cm_intel_verdict oracle_name(const struct entry *es, size_t n, const char *q, size_t ql,
                                         size_t *best)
{
    int hit[2] = {0, 0};

    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &es[i];
        if (name_applies(e, q, ql)) {
            if (!hit[e->trusted] || e->nlen > best[e->trusted]) {
                best[e->trusted] = e->nlen;
            }
            hit[e->trusted] = 1;
        }
    }
    return hit[1] ? CM_INTEL_TRUSTED : hit[0] ? CM_INTEL_THREAT : CM_INTEL_NONE;
}

static void check_ip(const struct cm_intel_snapshot *s, const struct entry *es, size_t n,
                     struct cm_ip ip)
{
    struct cm_intel_match m;
    unsigned best[2] = {0, 0};
    enum cm_intel_verdict want = oracle_ip(es, n, ip, best);

    check(cm_intel_check_ip(s, &ip, &m) == want);
    if (want != CM_INTEL_NONE) {
        check(m.prefix == best[want == CM_INTEL_TRUSTED]);
        check(m.nids >= 1 && m.ind != NULL);
    }
}

static void check_name(const struct cm_intel_snapshot *s, const struct entry *es, size_t n,
                       const char *q, size_t ql)
{
    struct cm_intel_match m;
    size_t best[2] = {0, 0};
    enum cm_intel_verdict want = oracle_name(es, n, q, ql, best);

    check(cm_intel_check_domain(s, cm_str_make(q, ql), &m) == want);
    if (want != CM_INTEL_NONE) {
        check(m.domain.len == best[want == CM_INTEL_TRUSTED]);
        check(memcmp(m.domain.p, q + ql - m.domain.len, m.domain.len) == 0);
    }
}

static void query(const struct cm_intel_snapshot *s, const struct entry *es, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &es[i];

        if (e->is_ip) {
            struct cm_ip last = e->net;
            unsigned bits = e->net.family == CM_IP_V4 ? 32 : 128;

            for (unsigned b = e->len; b < bits; b++) {
                last.a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
            }
            check_ip(s, es, n, e->net);
            check_ip(s, es, n, last);
        } else {
            char sub[CM_DOMAIN_MAX + 2];

            check_name(s, es, n, e->name, e->nlen);
            if (e->nlen + 2 <= CM_DOMAIN_MAX) {
                sub[0] = 'z';
                sub[1] = '.';
                memcpy(sub + 2, e->name, e->nlen);
                check_name(s, es, n, sub, e->nlen + 2);
            }
        }
    }
}

/* The same answer: verdict, indicators and the listed name with its rules. */
static int same_match(const struct cm_intel_match *a, const struct cm_intel_match *b)
{
    return a->verdict == b->verdict && a->ind == b->ind && a->ids == b->ids && a->nids == b->nids &&
           a->domain.p == b->domain.p && a->domain.len == b->domain.len && a->rules == b->rules;
}

/*
 * cm_intel_check_domains over names[0..n) must match cm_intel_check_domain
 * name by name; so must cm_intel_check_domain_norm, and one
 * cm_intel_check_domains_norm call, over those the parser calls host names,
 * as it normalises them. Any other name matches only under a proper suffix.
 */
static void check_batch(const struct cm_intel_snapshot *s, const struct cm_str *names, size_t n)
{
    static struct cm_domain hosts[MAX_NAMES];
    struct cm_intel_match bm[MAX_NAMES], hm[MAX_NAMES];
    struct cm_str norm[MAX_NAMES];
    size_t at[MAX_NAMES], nh = 0; /* at[i]: names[i]'s place in hosts; MAX_NAMES: none */

    for (size_t i = 0; i < n; i++) {
        at[i] = MAX_NAMES;
        if (cm_domain_parse(names[i], &hosts[nh]) == 0 && hosts[nh].host) {
            norm[nh] = cm_str_make(hosts[nh].name, hosts[nh].len);
            at[i] = nh++;
        }
    }
    cm_intel_check_domains(s, names, n, bm);
    cm_intel_check_domains_norm(s, norm, nh, hm);
    for (size_t i = 0; i < n; i++) {
        struct cm_intel_match m, nm;
        enum cm_intel_verdict v = cm_intel_check_domain(s, names[i], &m);

        check(same_match(&bm[i], &m));
        if (at[i] != MAX_NAMES) {
            const struct cm_domain *d = &hosts[at[i]];

            check(cm_intel_check_domain_norm(s, d->name, d->len, &nm) == v && same_match(&nm, &m));
            check(same_match(&hm[at[i]], &m));
        } else if (v != CM_INTEL_NONE) {
            /*
             * Not a host name: found only under the labels right of its last odd one
             * (cm_domainset_split_tail), so the listed name is a proper suffix of it.
             */
            size_t ql = names[i].len, dl = m.domain.len;

            ql -= ql > 0 && names[i].p[ql - 1] == '.';
            check(dl > 0 && dl < ql && names[i].p[ql - dl - 1] == '.' &&
                  strncasecmp(names[i].p + ql - dl, m.domain.p, dl) == 0);
        }
    }
}

/* Every entry's name and a subdomain of it (into subs), then the raw lines. */
static void query_batch(const struct cm_intel_snapshot *s, const struct entry *es, size_t n,
                        const struct cm_str *raw, size_t nraw)
{
    char subs[MAX_ENTRIES][CM_DOMAIN_MAX + 2];
    struct cm_str names[MAX_NAMES];
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (es[i].is_ip) {
            continue;
        }
        names[k++] = cm_str_make(es[i].name, es[i].nlen);
        if (es[i].nlen + 2 <= CM_DOMAIN_MAX) {
            subs[i][0] = 'z';
            subs[i][1] = '.';
            memcpy(subs[i] + 2, es[i].name, es[i].nlen);
            names[k++] = cm_str_make(subs[i], es[i].nlen + 2);
        }
    }
    for (size_t i = 0; i < nraw; i++) {
        names[k++] = raw[i];
    }
    check_batch(s, names, k);
}

/* ip + 1, wrapping within its family. */
static struct cm_ip next_ip(struct cm_ip ip)
{
    int i = ip.family == CM_IP_V4 ? 3 : 15;

    while (i >= 0 && ++ip.a[i] == 0) { /* carry */
        i--;
    }
    return ip;
}

/* IPv4 as ::ffff:a.b.c.d; IPv6 as it is. */
static struct cm_ip map4(struct cm_ip ip)
{
    if (ip.family == CM_IP_V4) {
        uint8_t v4[4];
        memcpy(v4, ip.a, 4);
        memset(&ip, 0, sizeof(ip));
        ip.family = CM_IP_V6;
        memcpy(ip.a, mapped, 12);
        memcpy(ip.a + 12, v4, 4);
    }
    return ip;
}

/* cm_intel_check_ips over ips[0..n) must match cm_intel_check_ip address by address. */
static void check_ip_batch(const struct cm_intel_snapshot *s, const struct cm_ip *ips, size_t n)
{
    struct cm_intel_match bm[MAX_IPS];

    cm_intel_check_ips(s, ips, n, bm);
    for (size_t i = 0; i < n; i++) {
        struct cm_intel_match m;
        enum cm_intel_verdict v = cm_intel_check_ip(s, &ips[i], &m);

        check(bm[i].verdict == v && bm[i].ind == m.ind && bm[i].ids == m.ids &&
              bm[i].nids == m.nids && memcmp(&bm[i].net, &m.net, sizeof(m.net)) == 0 &&
              bm[i].prefix == m.prefix && bm[i].domain.p == m.domain.p &&
              bm[i].domain.len == m.domain.len && bm[i].rules == m.rules);
    }
}

/* Every entry's first and last address, the next ones and the mapped forms, then the raw lines. */
static void query_ip_batch(const struct cm_intel_snapshot *s, const struct entry *es, size_t n,
                           const struct cm_str *raw, size_t nraw)
{
    struct cm_ip ips[MAX_IPS];
    size_t k = 0;

    memset(&ips[k++], 0, sizeof(ips[0])); /* CM_IP_NONE */
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &es[i];
        struct cm_ip last = e->net;
        unsigned bits = e->net.family == CM_IP_V4 ? 32 : 128;
        size_t from = k;

        if (!e->is_ip) {
            continue;
        }
        for (unsigned b = e->len; b < bits; b++) {
            last.a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
        }
        ips[k++] = e->net;
        ips[k++] = last;
        ips[k++] = next_ip(e->net);
        ips[k++] = next_ip(last);
        if (e->net.family == CM_IP_V4) {
            ips[k++] = map4(e->net);
            ips[k++] = map4(last);
            ips[k++] = map4(next_ip(last));
        }
        for (size_t j = from + 2; j < k; j++) {
            check_ip(s, es, n, ips[j]);
        }
    }
    for (size_t i = 0; i < nraw; i++) {
        unsigned len;

        if (cm_cidr_parse(raw[i], &ips[k], &len) == 0) {
            check_ip(s, es, n, ips[k]);
            k++;
        }
    }
    check_ip_batch(s, ips, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct cm_intel_list lists[2] = {
        {{"t", 1}, CM_INTEL_KIND_THREAT, {"TXT", 3}, {"fuzz", 4}},
        {{"u", 1}, CM_INTEL_KIND_TRUSTED, {"TXT", 3}, {"fuzz", 4}},
    };
    struct entry *es = calloc(MAX_ENTRIES, sizeof(*es));
    struct cm_str raw[MAX_ENTRIES];
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    const char *p = (const char *)data, *end = p + size;
    size_t n = 0, nraw = 0;
    uint32_t id;

    check(es != NULL);
    check(cm_intel_builder_create(&b, 0x1234) == 0);
    check(cm_intel_builder_add_list(b, &lists[0], &id) == 0 && id == 0);
    check(cm_intel_builder_add_list(b, &lists[1], &id) == 0 && id == 1);
    while (p < end && n < MAX_ENTRIES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct cm_str line = cm_str_make(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        struct cm_indicator ind = {0, CM_CAT_CUSTOM, {"x", 1}, CM_STR_NULL};
        struct entry *e = &es[n];
        int rc;

        p = nl ? nl + 1 : end;
        memset(e, 0, sizeof(*e));
        if (line.len > 0 && line.p[0] == '+') {
            e->trusted = 1;
            ind.list = 1;
            line = cm_str_make(line.p + 1, line.len - 1);
        }
        if (nraw < MAX_ENTRIES) {
            raw[nraw++] = line;
        }
        rc = cm_intel_builder_add_text(b, line, &ind);
        check(rc == 0 || rc == CM_EINVAL);
        check((rc == 0) == (parse_entry(line, e) == 0));
        n += rc == 0;
    }
    check(cm_intel_builder_build(b, &s) == 0);
    cm_intel_builder_destroy(b);
    query(s, es, n);
    query_batch(s, es, n, raw, nraw);
    query_ip_batch(s, es, n, raw, nraw);
    cm_intel_snapshot_unref(s);
    free(es);
    return 0;
}
