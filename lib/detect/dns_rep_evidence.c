/*
 * The evidence of a domain reputation detection (dns_reputation.c;
 * docs/detectors/dns-reputation.md): closeness to listed infrastructure,
 * read from a query's answers, and the additionalInfo that says why the
 * name fired. No I/O, no allocation.
 */
#include "detect/dns_rep_impl.h"

#include <stdio.h>
#include <string.h>

#include "detect/intel.h"

/* Whether a threat list of category c says something about the names that resolve to it. */
static bool listed_counts(enum cm_intel_category c)
{
    switch (c) {
    case CM_CAT_SINKHOLE:          /* intel_dns.c: BlackholeTraffic!DNS */
    case CM_CAT_TOR_EXIT:          /* an exit relay is no one's web site */
    case CM_CAT_TOR_RELAY:         /* ... nor is a relay */
    case CM_CAT_SCANNER:           /* scanners scan from their addresses; names say nothing */
    case CM_CAT_ABUSED_DOMAIN:     /* a reputation, not infrastructure: its own finding only */
    case CM_CAT_SUSPICIOUS_DOMAIN: /* ... likewise */
        return false;
    default:
        return true;
    }
}

/* Notes match m (a THREAT) into *c; returns whether it counted. */
static bool note_match(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                       struct cm_dns_rep_closeness *c)
{
    bool counted = false;

    for (size_t i = 0; i < m->nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);

        if (ind == NULL || !listed_counts(ind->category)) {
            continue;
        }
        counted = true;
        if (ind->category == CM_CAT_MINING || ind->category == CM_CAT_BITCOIN_DOMAIN) {
            c->mining = true;
        } else {
            c->other = true;
        }
    }
    return counted;
}

void cm_dns_rep_closeness(const struct cm_intel_snapshot *s, const struct cm_dns *q,
                          struct cm_dns_rep_closeness *c)
{
    memset(c, 0, sizeof(*c));
    if (s == NULL) {
        return;
    }
    for (uint32_t e = 0; e < q->nans; e++) {
        uint8_t type = q->ans[e].type;
        struct cm_str data = q->ans[e].rdata;
        const struct cm_ip *ip = &q->ans[e].ip;
        struct cm_intel_match m;

        if (data.p == NULL) {
            continue;
        }
        if (type == CM_DNS_RR_A || type == CM_DNS_RR_AAAA) {
            if (!cm_ip_is_public(ip) || cm_intel_check_ip(s, ip, &m) != CM_INTEL_THREAT ||
                !note_match(s, &m, c)) {
                continue;
            }
            c->reasons |= CM_DNSR_LISTED_ANSWER;
        } else if (type == CM_DNS_RR_CNAME) {
            if (cm_intel_check_domain(s, data, &m) != CM_INTEL_THREAT || !note_match(s, &m, c)) {
                continue;
            }
            c->reasons |= CM_DNSR_LISTED_CNAME;
        } else {
            continue;
        }
        if (c->what[0] == '\0') {
            size_t n = data.len < sizeof(c->what) - 1 ? data.len : sizeof(c->what) - 1;

            memcpy(c->what, data.p, n);
            c->what[n] = '\0';
        }
    }
}

/* Appends s JSON-escaped (names are printable ASCII; '"' and '\' need escapes). */
static size_t put_esc(char *out, size_t at, size_t cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n && at + 3 < cap; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            out[at++] = '\\';
        }
        out[at++] = s[i];
    }
    out[at] = '\0';
    return at;
}

static size_t put(char *out, size_t at, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (at + n >= cap) {
        n = at + 1 < cap ? cap - at - 1 : 0;
    }
    memcpy(out + at, s, n);
    at += n;
    out[at] = '\0';
    return at;
}

void cm_dns_rep_describe(char *out, size_t cap, const struct cm_domain *d,
                         const struct cm_dns_rep *rep, const struct cm_dns_rep_closeness *c,
                         unsigned reasons, unsigned ninst, double score)
{
    char num[96];
    size_t at = 0;
    bool first = true;

    at = put(out, at, cap, "{\"domain\":\"");
    at = put_esc(out, at, cap, d->name, d->len);
    at = put(out, at, cap, "\",\"registeredDomain\":\"");
    at = put_esc(out, at, cap, d->name + rep->site, d->len - rep->site);
    snprintf(num, sizeof(num), "\",\"reputationScore\":%.4f,\"dgaScore\":%.4f,\"reasons\":[", score,
             rep->dga);
    at = put(out, at, cap, num);
#define REASON(s)                                                                                  \
    do {                                                                                           \
        at = put(out, at, cap, first ? "\"" : ",\"");                                              \
        at = put(out, at, cap, s);                                                                 \
        first = false;                                                                             \
    } while (0)
    if (reasons & CM_DNSR_NEW) {
        REASON("new\"");
    }
    if (reasons & CM_DNSR_RARE) {
        REASON("rare\"");
    }
    if (rep->provider_entry != NULL) {
        REASON(cm_dns_provider_class_name((enum cm_dns_provider_class)rep->provider_entry->cls));
        at = put(out, at, cap, ":");
        at =
            put_esc(out, at, cap, rep->provider_entry->suffix, strlen(rep->provider_entry->suffix));
        at = put(out, at, cap, "\"");
    }
    if (rep->reasons & CM_DNSR_TLD) {
        struct cm_str tld = cm_dns_tld_of(d);

        REASON("abused-tld:");
        at = put_esc(out, at, cap, tld.p, tld.len);
        at = put(out, at, cap, "\"");
    }
    if (rep->reasons & CM_DNSR_DGA) {
        REASON("dga\"");
    }
    if (rep->crypto_word != NULL) {
        REASON("crypto:");
        at = put(out, at, cap, rep->crypto_word);
        at = put(out, at, cap, "\"");
    }
    if (c->reasons & (CM_DNSR_LISTED_ANSWER | CM_DNSR_LISTED_CNAME)) {
        REASON(c->reasons & CM_DNSR_LISTED_ANSWER ? "listed-answer:" : "listed-cname:");
        at = put_esc(out, at, cap, c->what, strlen(c->what));
        at = put(out, at, cap, c->mining && !c->other ? " (mining)\"" : "\"");
    }
#undef REASON
    snprintf(num, sizeof(num), "],\"instancesAsking\":%u}", ninst);
    at = put(out, at, cap, num);
    (void)at;
}
