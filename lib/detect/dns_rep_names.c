/*
 * Which query names the reputation detector (dns_reputation.c) judges, and
 * which are evidence in themselves whatever the environment's history
 * (docs/detectors/dns-reputation.md, "Known sites").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/domain.h"
#include "base/str.h"
#include "detect/dns.h"
#include "detect/dns_rep_impl.h"
#include "detect/dns_tunnel.h"

/* Whether the raw name (with or without its trailing dot) ends in suffix (".arpa"). */
static bool raw_ends(struct cm_str name, const char *suffix)
{
    if (name.len > 0 && name.p[name.len - 1] == '.') {
        name.len--;
    }
    return cm_str_ends(name, suffix);
}

/*
 * A cheap test on the raw name for what the model ignores anyway (reverse
 * DNS, EC2 names) and for look-ups of a domain's records (cm_dns_record_label).
 */
bool cm_dns_rep_skip_name(struct cm_str name)
{
    return raw_ends(name, ".arpa") || raw_ends(name, ".internal") || cm_dns_record_label(name);
}

/*
 * Whether TXT rdata (as logged: quotes and all, or still JSON-escaped) is a
 * policy record: SPF, DMARC, DKIM, MTA-STS, TLS reporting, BIMI.
 */
static bool policy_text(struct cm_str t)
{
    static const char *const tags[] = {"v=spf1",  "v=dmarc1",   "v=dkim1",
                                       "v=stsv1", "v=tlsrptv1", "v=bimi1"};

    while (t.len > 0 && (t.p[0] == '"' || t.p[0] == '\\' || t.p[0] == ' ')) {
        t.p++;
        t.len--;
    }
    for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++) {
        size_t n = strlen(tags[k]);

        if (t.len >= n && strncasecmp(t.p, tags[k], n) == 0 &&
            (t.len == n || memchr(" ;\"\\", t.p[n], 4) != NULL)) {
            return true;
        }
    }
    return false;
}

/*
 * Whether the query asks a domain's records rather than a host, and brought
 * back no data but policies: a record type (cm_dns_record_type: MX, SRV, NS,
 * CAA...), and for TXT only while every answer kept is a CNAME or a policy
 * (an SPF check of a sender's domain, with a policy or without). A TXT answer
 * with anything else, a backdoor's orders, is judged.
 */
bool cm_dns_rep_record_query(const struct cm_dns *q)
{
    if (!cm_dns_record_type(q->query_type)) {
        return false;
    }
    if (!cm_str_eqc(q->query_type, "TXT")) {
        return true;
    }
    if (q->nans < q->nanswers) {
        return false; /* answers not kept: data may be among them */
    }
    for (uint32_t i = 0; i < q->nans; i++) {
        if (q->ans[i].type != CM_DNS_RR_CNAME && !policy_text(q->ans[i].rdata)) {
            return false;
        }
    }
    return true;
}

/*
 * Whether the name is evidence in itself, whatever the site's history: a
 * host of a tunnel or of an out-of-band callback catcher (ngrok,
 * trycloudflare, interactsh, Burp Collaborator: a server has no business
 * there), or a service host of a mining pool: what a miner connects to.
 * That is a host below the site (not the site, not a web page's host: www,
 * api, files...; cm_dns_web_label) where the site itself is a pool brand
 * (xmr-eu1.nanopool.org, pool.supportxmr.com), or whose first label joins a
 * coin and a mining word (xmr-pool.fastworker-cloud.net). A brand further
 * left (nanopool.org.dbl.spamhaus.org, a mail server's block-list look-up), a
 * "stratum" label alone (NTP's stratum1 hosts), dynamic DNS, free hosting and
 * Freenom's TLDs are not: their hosts are websites or look-ups as often, so
 * they need a site new to the environment. Zones whose names carry other
 * domains or hashes by design (DNS block lists, hash look-ups) never are.
 */
bool cm_dns_rep_strong(const struct cm_domain *d, const struct cm_dns_rep *rep)
{
    const struct cm_dns_provider *p = rep->provider_entry;
    const char *dot;
    size_t flen;
    struct cm_domain part;
    char buf[CM_DOMAIN_MAX + 1];
    enum cm_dns_crypto c;

    if (p != NULL && (p->cls == CM_DNSP_TUNNEL || p->cls == CM_DNSP_OOB)) {
        return true;
    }
    if (rep->crypto < CM_DNS_REP_CRYPTO_BITCOIN || rep->site == 0 || rep->site > d->len) {
        return false; /* no mining sign, or the site itself */
    }
    dot = memchr(d->name, '.', rep->site);
    flen = dot != NULL ? (size_t)(dot - d->name) : rep->site;
    if (cm_dns_web_label(cm_str_make(d->name, flen)) ||
        cm_dns_tunnel_allowed(cm_str_make(d->name, d->len), NULL, 0)) {
        return false;
    }
    /* The site alone: a pool brand? */
    if (cm_domain_parse(cm_str_make(d->name + rep->site, d->len - rep->site), &part) == 0 &&
        cm_dns_crypto_of(&part, NULL) == CM_DNSC_BRAND) {
        return true;
    }
    /* The first label on the site: a coin and a mining word? */
    if (flen + 1 + (d->len - rep->site) > sizeof(buf) - 1) {
        return false;
    }
    memcpy(buf, d->name, flen);
    buf[flen] = '.';
    memcpy(buf + flen + 1, d->name + rep->site, d->len - rep->site);
    if (cm_domain_parse(cm_str_make(buf, flen + 1 + d->len - rep->site), &part) != 0) {
        return false;
    }
    c = cm_dns_crypto_of(&part, NULL);
    return c == CM_DNSC_POOL || c == CM_DNSC_BRAND;
}

/* ---- first labels of web pages ---- */

/* Sorted, lowercase, unique: bsearch. */
static const char *const web_labels[] = {
    "account",   "api",      "app",   "assets", "blog",  "cdn",    "dashboard", "docs", "download",
    "downloads", "explorer", "files", "forum",  "help",  "img",    "m",         "mail", "my",
    "news",      "portal",   "shop",  "static", "stats", "status", "support",   "wiki", "www",
};
#define NWEB (sizeof(web_labels) / sizeof(web_labels[0]))

/* strcmp order of the slice *key against the string *elem. */
static int cmp_web(const void *key, const void *elem)
{
    const struct cm_str *s = key;
    const char *e = *(const char *const *)elem;
    size_t n = strlen(e), m = s->len < n ? s->len : n;
    int c = m ? memcmp(s->p, e, m) : 0;

    return c != 0 ? c : s->len < n ? -1 : s->len > n ? 1 : 0;
}

bool cm_dns_web_label(struct cm_str label)
{
    while (label.len > 1 && label.p[label.len - 1] >= '0' && label.p[label.len - 1] <= '9') {
        label.len--; /* www2, api3, cdn01 */
    }
    return label.len > 0 && bsearch(&label, web_labels, NWEB, sizeof(web_labels[0]), cmp_web);
}

bool cm_dns_web_labels_sorted(void)
{
    for (size_t i = 1; i < NWEB; i++) {
        if (strcmp(web_labels[i - 1], web_labels[i]) >= 0) {
            return false;
        }
    }
    return true;
}
