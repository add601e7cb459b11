/*
 * List file -> intel builder: classifies each reader item, covers ranges with
 * CIDRs, takes URL hosts, refuses non-public networks, and picks each
 * indicator's category and threat name. See intel/load.h.
 */
#include "intel/load.h"

#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/shared_infra.h"

__extension__ typedef unsigned __int128 u128;

struct loader {
    struct cm_intel_builder *b;
    const struct cm_intel_load_opts *o;
    struct cm_intel_load_stats *st;
    struct cm_indicator ind; /* the item being added */
    uint32_t line;
};

/* Shared services: a URL on one of these names one file among many good ones. */
static const char *const shared_hosts[] = {
    "github.com",
    "githubusercontent.com",
    "gitlab.com",
    "bitbucket.org",
    "google.com",
    "googleapis.com",
    "googleusercontent.com",
    "goo.gl",
    "dropbox.com",
    "dropboxusercontent.com",
    "live.com",
    "1drv.ms",
    "sharepoint.com",
    "microsoft.com",
    "discordapp.com",
    "discord.com",
    "pastebin.com",
    "bit.ly",
    "t.me",
    "telegram.org",
    "mediafire.com",
    "transfer.sh",
    "wetransfer.com",
    "sourceforge.net",
    "archive.org",
    "amazonaws.com",
    "cloudfront.net",
    "apple.com",
    "yandex.ru",
    "mega.nz",
    "box.com",
    "tinyurl.com",
};

static bool is_shared_host(struct cm_str host)
{
    for (size_t i = 0; i < sizeof(shared_hosts) / sizeof(shared_hosts[0]); i++) {
        struct cm_str s = cm_str_cstr(shared_hosts[i]);

        if (host.len == s.len && cm_str_ieq(host, s)) {
            return true;
        }
        if (host.len > s.len && host.p[host.len - s.len - 1] == '.' &&
            cm_str_ieq(cm_str_make(host.p + host.len - s.len, s.len), s)) {
            return true;
        }
    }
    return false;
}

/* A name with a dot inside it (a trailing dot does not count). */
static bool has_two_labels(struct cm_str name)
{
    size_t n = name.len;

    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    return n > 2 && memchr(name.p + 1, '.', n - 2) != NULL;
}

static void bad(struct loader *l, const char *reason)
{
    l->st->bad++;
    if (l->o->bad) {
        l->o->bad(l->o->ud, l->line, reason);
    }
}

/* Builder errors other than EINVAL stop the load; EINVAL is a bad record. */
static int added(struct loader *l, int rc, uint64_t *counter, const char *why)
{
    if (rc == 0) {
        (*counter)++;
        return 0;
    }
    if (rc == CM_EINVAL) {
        bad(l, why);
        return 0;
    }
    return rc;
}

static int add_net(struct loader *l, const struct cm_ip *net, unsigned prefix)
{
    if (cm_ip_classify(net) != CM_IPC_PUBLIC) {
        bad(l, "not a publicly routable address or network (ignored, as GuardDuty does)");
        return 0;
    }
    if (l->o->shared_guard && cm_intel_shared_net(net, prefix)) {
        l->st->skipped++;
        l->st->shared++;
        return 0;
    }
    return added(l, cm_intel_builder_add_ip(l->b, net, prefix, &l->ind), &l->st->ip_entries,
                 "bad address");
}

static int range_cb(void *ud, const struct cm_ip *net, unsigned prefix)
{
    return add_net(ud, net, prefix);
}

static bool has_scheme(struct cm_str v)
{
    for (size_t i = 0; i + 2 < v.len && i < 16; i++) {
        if (v.p[i] == ':' && v.p[i + 1] == '/' && v.p[i + 2] == '/') {
            return true;
        }
    }
    return false;
}

static int add_url(struct loader *l, struct cm_str url)
{
    struct cm_str host;
    struct cm_ip ip;

    if (!cm_url_host(url, &host)) {
        bad(l, "URL without a host");
        return 0;
    }
    if (cm_ip_parse(host, &ip) == 0) {
        return add_net(l, &ip, ip.family == CM_IP_V4 ? 32 : 128);
    }
    if (!has_two_labels(host)) {
        bad(l, "URL host is a single label, not a domain name");
        return 0;
    }
    if (is_shared_host(host)) {
        l->st->skipped++;
        return 0;
    }
    return added(l, cm_intel_builder_add_domain_rule(l->b, host, CM_DOMAIN_EXACT, &l->ind),
                 &l->st->dom_entries, "URL host is not a valid domain name");
}

static enum cm_intel_category item_category(const struct loader *l, const struct cm_intel_item *it,
                                            bool is_ip)
{
    if (l->o->category != CM_CAT_UNKNOWN) {
        return l->o->category;
    }
    return cm_intel_category_guess(it->category, is_ip);
}

/*
 * The host of "HOST:PORT" or "[IPv6]:PORT" (maltrail's mining pools, 107.191.47.239:3333): a
 * port of 1 to 5 digits after the one colon of an IPv4 address or a name, or after the
 * bracketed address; the address of "[IPv6]". v itself otherwise (a bare IPv6 address has
 * colons and no brackets).
 */
static struct cm_str host_of(struct cm_str v)
{
    size_t colon = v.len, digits;

    if (v.len > 2 && v.p[0] == '[' && v.p[v.len - 1] == ']') {
        return cm_str_make(v.p + 1, v.len - 2); /* "[IPv6]" with no port, as URLs write it */
    }

    for (size_t i = v.len; i > 0; i--) {
        if (v.p[i - 1] == ':') {
            colon = i - 1;
            break;
        }
    }
    digits = v.len - colon - 1;
    if (colon == v.len || colon == 0 || digits == 0 || digits > 5) {
        return v;
    }
    for (size_t i = colon + 1; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') {
            return v;
        }
    }
    if (v.p[0] == '[' && v.p[colon - 1] == ']') {
        return cm_str_make(v.p + 1, colon - 2);
    }
    if (memchr(v.p, ':', colon) != NULL || memchr(v.p, '[', colon) != NULL) {
        return v;
    }
    return cm_str_make(v.p, colon);
}

static int on_item(void *ud, const struct cm_intel_item *it)
{
    struct loader *l = ud;
    struct cm_ip net, last;
    unsigned prefix;
    struct cm_str v = it->value;
    bool is_ip;

    l->st->items++;
    l->line = it->line;
    if (v.len == 0) {
        bad(l, "empty value");
        return 0;
    }
    l->ind.threat_name = l->o->threat_name;
    if (l->o->category != CM_CAT_CUSTOM && it->threat.len > 0) {
        l->ind.threat_name = cm_str_make(it->threat.p, it->threat.len > 256 ? 256 : it->threat.len);
    }
    switch (it->kind) {
    case CM_IV_RANGE:
        if (cm_ip_parse(v, &net) != 0 || cm_ip_parse(it->value2, &last) != 0) {
            bad(l, "address range with a bad address");
            return 0;
        }
        l->ind.category = item_category(l, it, true);
        if (cm_ip_range_cidrs(&net, &last, range_cb, l) == CM_EINVAL) {
            bad(l, "address range with mixed families or first > last");
        }
        return 0;
    case CM_IV_URL:
        l->ind.category = item_category(l, it, false);
        return add_url(l, v);
    case CM_IV_AUTO:
        if (!has_scheme(v)) {
            v = host_of(v);
        }
        break;
    case CM_IV_IP:
    case CM_IV_DOMAIN:
        break;
    }
    is_ip = cm_cidr_parse(v, &net, &prefix) == 0;
    if (is_ip) {
        l->ind.category = item_category(l, it, true);
        return add_net(l, &net, prefix);
    }
    if (it->kind == CM_IV_IP) {
        bad(l, "not an IP address or CIDR");
        return 0;
    }
    if (it->kind == CM_IV_AUTO && has_scheme(v)) {
        l->ind.category = item_category(l, it, false);
        return add_url(l, v);
    }
    l->ind.category = item_category(l, it, false);
    if (!has_two_labels(cm_str_starts(v, "*.") ? cm_str_make(v.p + 2, v.len - 2) : v)) {
        /* "com" or "intranet" would list every name under it, or is no domain at all. */
        bad(l, "a single label is not a domain name");
        return 0;
    }
    if (l->o->shared_guard && cm_intel_shared_name(v)) {
        /* A public suffix or a provider's apex would cover every customer's host under it. */
        l->st->skipped++;
        l->st->shared++;
        return 0;
    }
    return added(l, cm_intel_builder_add_domain(l->b, v, &l->ind), &l->st->dom_entries,
                 it->kind == CM_IV_DOMAIN ? "not a valid domain name"
                                          : "not an address, CIDR or domain name");
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct loader *l = ud;

    l->line = line;
    bad(l, reason);
}

int cm_intel_load(struct cm_intel_builder *b, const struct cm_intel_format *fmt, const char *buf,
                  size_t len, const struct cm_intel_load_opts *opts, struct cm_intel_load_stats *st)
{
    struct loader l;
    struct cm_intel_reader r = {on_item, on_bad, &l};

    memset(st, 0, sizeof(*st));
    memset(&l, 0, sizeof(l));
    l.b = b;
    l.o = opts;
    l.st = st;
    l.ind.list = opts->list;
    l.ind.source = opts->source;
    if (fmt == NULL) {
        fmt = cm_intel_format_sniff(buf, len);
    }
    return fmt->read(buf, len, &r);
}

/* ---- category words ---- */

static bool is_word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Case-insensitive search for w in t; whole says it must not touch word bytes on either side. */
static bool has_text(struct cm_str t, const char *w, bool whole)
{
    size_t n = strlen(w);

    for (size_t i = 0; i + n <= t.len; i++) {
        if (!cm_str_ieq(cm_str_make(t.p + i, n), cm_str_make(w, n))) {
            continue;
        }
        if (!whole || ((i == 0 || !is_word_byte(t.p[i - 1])) &&
                       (i + n == t.len || !is_word_byte(t.p[i + n])))) {
            return true;
        }
    }
    return false;
}

struct cat_word {
    const char *word;
    bool whole;
    enum cm_intel_category cat;
};

/* First match wins: the finer classes before the coarse ones. */
static const struct cat_word cat_words[] = {
    {"tor exit", false, CM_CAT_TOR_EXIT},
    {"tor_exit", false, CM_CAT_TOR_EXIT},
    {"exit node", false, CM_CAT_TOR_EXIT},
    {"exit relay", false, CM_CAT_TOR_EXIT},
    {"tor", true, CM_CAT_TOR_RELAY},
    {"c&c", false, CM_CAT_CNC},
    {"c2", true, CM_CAT_CNC},
    {"cnc", true, CM_CAT_CNC},
    {"botcc", false, CM_CAT_CNC},
    {"command and control", false, CM_CAT_CNC},
    {"command-and-control", false, CM_CAT_CNC},
    {"botnet", false, CM_CAT_CNC},
    {"sinkhole", false, CM_CAT_SINKHOLE},
    {"sink-hole", false, CM_CAT_SINKHOLE},
    {"blackhole", false, CM_CAT_SINKHOLE},
    {"black-hole", false, CM_CAT_SINKHOLE},
    {"drop point", false, CM_CAT_DROP_POINT},
    {"droppoint", false, CM_CAT_DROP_POINT},
    {"drop zone", false, CM_CAT_DROP_POINT},
    {"dropzone", false, CM_CAT_DROP_POINT},
    {"exfiltration", false, CM_CAT_DROP_POINT},
    {"drive-by", false, CM_CAT_DRIVE_BY},
    {"driveby", false, CM_CAT_DRIVE_BY},
    {"drive by", false, CM_CAT_DRIVE_BY},
    {"exploit kit", false, CM_CAT_DRIVE_BY},
    {"dga", true, CM_CAT_DGA},
    {"phish", false, CM_CAT_PHISHING},
    {"mining", false, CM_CAT_MINING},
    {"miner", false, CM_CAT_MINING},
    {"cryptocurrency", false, CM_CAT_MINING},
    {"crypto", true, CM_CAT_MINING},
    {"coin", false, CM_CAT_MINING},
    {"bitcoin", false, CM_CAT_MINING},
    {"monero", false, CM_CAT_MINING},
    {"xmr", true, CM_CAT_MINING},
    {"scanner", false, CM_CAT_SCANNER},
    {"scanning", false, CM_CAT_SCANNER},
    {"mass scan", false, CM_CAT_SCANNER},
};

enum cm_intel_category cm_intel_category_guess(struct cm_str text, bool is_ip)
{
    enum cm_intel_category c;

    if (text.len > 0 && cm_intel_category_parse(text, &c) == 0 && c != CM_CAT_UNKNOWN &&
        c != CM_CAT_CUSTOM) {
        return c;
    }
    for (size_t i = 0; i < sizeof(cat_words) / sizeof(cat_words[0]); i++) {
        if (has_text(text, cat_words[i].word, cat_words[i].whole)) {
            return cat_words[i].cat;
        }
    }
    return is_ip ? CM_CAT_MALICIOUS_IP : CM_CAT_MALICIOUS_DOMAIN;
}

/* ---- ranges ---- */

static u128 to_u128(const struct cm_ip *ip)
{
    size_t n = ip->family == CM_IP_V4 ? 4 : 16;
    u128 v = 0;

    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | ip->a[i];
    }
    return v;
}

static void from_u128(u128 v, int family, struct cm_ip *ip)
{
    size_t n = family == CM_IP_V4 ? 4 : 16;

    memset(ip, 0, sizeof(*ip));
    ip->family = family;
    for (size_t i = n; i > 0; i--) {
        ip->a[i - 1] = (uint8_t)v;
        v >>= 8;
    }
}

static unsigned ctz128(u128 v, unsigned bits)
{
    uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);

    if (v == 0) {
        return bits;
    }
    return lo ? (unsigned)__builtin_ctzll(lo) : 64 + (unsigned)__builtin_ctzll(hi);
}

int cm_ip_range_cidrs(const struct cm_ip *first, const struct cm_ip *last,
                      int (*fn)(void *ud, const struct cm_ip *net, unsigned prefix), void *ud)
{
    unsigned bits;
    u128 lo, hi;

    if (first->family != last->family || (first->family != CM_IP_V4 && first->family != CM_IP_V6)) {
        return CM_EINVAL;
    }
    bits = first->family == CM_IP_V4 ? 32 : 128;
    lo = to_u128(first);
    hi = to_u128(last);
    if (lo > hi) {
        return CM_EINVAL;
    }
    for (;;) {
        unsigned k = ctz128(lo, bits);
        struct cm_ip net;
        int rc;

        if (k > bits) {
            k = bits;
        }
        /* The largest aligned block starting at lo that ends at or before hi. */
        while (k > 0 && (k == 128 ? hi != ~(u128)0 || lo != 0 : hi - lo < (((u128)1 << k) - 1))) {
            k--;
        }
        from_u128(lo, first->family, &net);
        if ((rc = fn(ud, &net, bits - k)) != 0) {
            return rc;
        }
        if (k == 128 || hi - lo == (((u128)1 << k) - 1)) {
            return 0;
        }
        lo += (u128)1 << k;
    }
}

/* ---- URLs ---- */

bool cm_url_host(struct cm_str url, struct cm_str *host)
{
    const char *p = url.p, *end = url.p + url.len, *a, *at = NULL, *colon = NULL;

    for (const char *q = p; q + 2 < end && q - p < 16; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            p = q + 3;
            break;
        }
    }
    for (a = p; a < end && *a != '/' && *a != '?' && *a != '#'; a++) {
        if (*a == '@') {
            at = a;
        }
    }
    if (at) {
        p = at + 1;
    }
    if (p < a && *p == '[') {
        const char *rb = memchr(p, ']', (size_t)(a - p));

        if (rb == NULL || rb == p + 1) {
            return false;
        }
        *host = cm_str_make(p + 1, (size_t)(rb - p - 1));
        return true;
    }
    for (const char *q = p; q < a; q++) {
        if (*q == ':') {
            colon = q;
            break;
        }
    }
    if (colon) {
        a = colon;
    }
    if (a > p && a[-1] == '.') {
        a--;
    }
    if (a == p) {
        return false;
    }
    *host = cm_str_make(p, (size_t)(a - p));
    return true;
}
