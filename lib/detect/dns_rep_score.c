/*
 * The stateless domain reputation score (dns_reputation.h,
 * docs/detectors/dns-reputation.md): an abused provider, an abused TLD,
 * the DGA model and crypto-currency mining signs, each a component in
 * [0, 1], combined as a noisy-OR (cm_dns_rep_score), which the detector
 * (dns_reputation.c) and `coalmine dns score` share. The tables are
 * dns_providers.c's; a caller scoring many names passes their hashed
 * index (cm_dns_rep_score_with).
 */
#include "detect/dns_reputation.h"
#include "detect/dns_tables_int.h"

#include <string.h>

#include "detect/dga.h"

#define DGA_WEIGHT 0.8 /* the DGA component at a model score of 1 */

/* Whether the label ending just before offset end of d->name is "www" (or there is none). */
static bool provider_own(const struct cm_domain *d, size_t end)
{
    size_t start = end;

    if (end == 0) {
        return true;
    }
    while (start > 0 && d->name[start - 1] != '.') {
        start--;
    }
    return end - start == 3 && memcmp(d->name + start, "www", 3) == 0;
}

static const struct cm_dns_provider *provider_of(const struct cm_dns_tables *t,
                                                 const struct cm_domain *d)
{
    const struct cm_dns_provider *p;

    if (d->reg >= d->len) {
        return NULL;
    }
    if (d->private_suffix) {
        /* The PSL knows it: the registered domain is one label of the customer's. */
        p = cm_dns_provider_in(t, cm_domain_suffix(d));
        return p != NULL && !provider_own(d, d->sfx - 1) ? p : NULL;
    }
    /* Not in the PSL: the provider is the registered domain; its customers are below it. */
    p = cm_dns_provider_in(t, cm_domain_registered(d));
    return p != NULL && d->reg > 0 && !provider_own(d, d->reg - 1) ? p : NULL;
}

const struct cm_dns_provider *cm_dns_provider_of(const struct cm_domain *d)
{
    return provider_of(NULL, d);
}

/* Mining words a token may end with ("xmrpool", "ethminer"), longest first where one ends another.
 */
#define M(s)                                                                                       \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct {
    const char *s;
    size_t n;
} mining_ends[] = {
    M("hashrate"), M("stratum"), M("miners"), M("mining"), M("miner"),
    M("pools"),    M("pool"),    M("mine"),   M("hash"),   M("solo"),
};
#undef M

/* Whether tok ends with the n bytes at e, compared from the last (most tokens differ there). */
static bool ends_with(struct cm_str tok, const char *e, size_t n)
{
    for (size_t i = 1; i <= n; i++) {
        if (tok.p[tok.len - i] != e[n - i]) {
            return false;
        }
    }
    return true;
}

/* The last letters of the mining words above: a token ending otherwise ends with none. */
#define MINING_LAST                                                                                \
    ((1u << ('e' - 'a')) | (1u << ('m' - 'a')) | (1u << ('s' - 'a')) | (1u << ('g' - 'a')) |       \
     (1u << ('r' - 'a')) | (1u << ('l' - 'a')) | (1u << ('h' - 'a')) | (1u << ('o' - 'a')))

/* The coin word that token starts with when a mining word ends it ("xmrpool"), or NULL. */
static const char *coin_then_mining(const struct cm_dns_tables *t, struct cm_str tok)
{
    unsigned last = tok.len > 0 ? (unsigned)(unsigned char)tok.p[tok.len - 1] - 'a' : 32u;

    if (last >= 26 || ((MINING_LAST >> last) & 1u) == 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(mining_ends) / sizeof(mining_ends[0]); i++) {
        size_t n = mining_ends[i].n;
        const struct cm_dns_word *w;

        if (tok.len >= n + 3 && ends_with(tok, mining_ends[i].s, n)) {
            w = cm_dns_word_in(t, cm_str_make(tok.p, tok.len - n));
            return w != NULL && (w->kind & W_COIN) ? w->w : NULL;
        }
    }
    return NULL;
}

static const double crypto_weight[] = {
    [CM_DNSC_NONE] = 0.0, [CM_DNSC_COIN] = 0.2,  [CM_DNSC_STRATUM] = 0.5,
    [CM_DNSC_POOL] = 0.6, [CM_DNSC_BRAND] = 0.9,
};

double cm_dns_crypto_weight(enum cm_dns_crypto c)
{
    return (unsigned)c <= CM_DNSC_BRAND ? crypto_weight[c] : 0.0;
}

static enum cm_dns_crypto crypto_of(const struct cm_dns_tables *tb, const struct cm_domain *d,
                                    const char **what)
{
    enum cm_dns_crypto best = CM_DNSC_NONE;
    const char *word = NULL, *coin = NULL;
    bool mine = false;
    size_t i = 0;

    /* Labels left of the public suffix: a pool's TLD says nothing. */
    while (i < d->sfx && best < CM_DNSC_BRAND) {
        size_t end = i;
        bool letters = true;
        const struct cm_dns_word *w;

        while (end < d->len && d->name[end] != '.') {
            letters = letters && d->name[end] >= 'a' && d->name[end] <= 'z';
            end++;
        }
        /* A whole label with digits or hyphens ("2miners", "coin-hive"): a brand? */
        if (!letters && (w = cm_dns_word_in(tb, cm_str_make(d->name + i, end - i))) != NULL &&
            (w->kind & W_BRAND)) {
            best = CM_DNSC_BRAND;
            word = w->w;
            break;
        }
        for (size_t t = i; t < end && best < CM_DNSC_BRAND;) {
            size_t u = t;
            struct cm_str tok;

            if (letters) {
                u = end; /* the label is one token */
            }
            while (u < end && d->name[u] >= 'a' && d->name[u] <= 'z') {
                u++;
            }
            tok = cm_str_make(d->name + t, u - t);
            t = u + 1;
            if (tok.len < 3) {
                continue;
            }
            if ((w = cm_dns_word_in(tb, tok)) == NULL) {
                const char *c = tok.len >= 7 ? coin_then_mining(tb, tok) : NULL;

                if (c != NULL) {
                    coin = c;
                    mine = true;
                }
                continue;
            }
            if (w->kind & W_BRAND) {
                best = CM_DNSC_BRAND;
                word = w->w;
            } else if (w->kind & W_COIN) {
                coin = coin ? coin : w->w;
                if (best < CM_DNSC_COIN && (w->kind & W_STRONG)) {
                    best = CM_DNSC_COIN;
                    word = w->w;
                }
            } else if (w->kind & W_MINING) {
                mine = true;
                if (best < CM_DNSC_STRATUM && (w->kind & W_STRATUM)) {
                    best = CM_DNSC_STRATUM;
                    word = w->w;
                }
            }
        }
        i = end + 1;
    }
    if (best < CM_DNSC_POOL && coin != NULL && mine) {
        best = CM_DNSC_POOL;
        word = coin;
    }
    if (what != NULL) {
        *what = word;
    }
    return best;
}

enum cm_dns_crypto cm_dns_crypto_of(const struct cm_domain *d, const char **what)
{
    return crypto_of(NULL, d, what);
}

/* ---- the stateless score (dns_reputation.h) ---- */

/* Top-level names of private namespaces and reverse DNS: not domains anyone registered. */
#define TLD(s)                                                                                     \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct {
    const char *s;
    size_t n;
} private_tlds[] = {
    TLD("arpa"),        TLD("corp"),      TLD("home"), TLD("internal"),
    TLD("intranet"),    TLD("invalid"),   TLD("lan"),  TLD("local"),
    TLD("localdomain"), TLD("localhost"), TLD("test"),
};

/*
 * TLDs of the alternative roots malware uses for its C&C (EmerDNS and Namecoin:
 * BazarLoader's DGA makes .bazar names; OpenNIC's): in no ICANN root zone, so the
 * suffix list has no rule for them, but a bot asks for them by name. They stay scored
 * where other unlisted TLDs (a company's "x.mycompany") are left alone.
 */
static const struct {
    const char *s;
    size_t n;
} alt_root_tlds[] = {
    TLD("bazar"), TLD("bbs"), TLD("bit"),    TLD("chan"),   TLD("coin"), TLD("cyb"),
    TLD("dyn"),   TLD("emc"), TLD("epic"),   TLD("fur"),    TLD("geek"), TLD("gopher"),
    TLD("indy"),  TLD("lib"), TLD("libre"),  TLD("neo"),    TLD("null"), TLD("o"),
    TLD("oss"),   TLD("oz"),  TLD("parody"), TLD("pirate"),
};
#undef TLD

/* Whether tld is one of an alternative root's (alt_root_tlds). */
static bool alt_root_tld(struct cm_str tld)
{
    for (size_t i = 0; i < sizeof(alt_root_tlds) / sizeof(alt_root_tlds[0]); i++) {
        if (tld.len == alt_root_tlds[i].n && memcmp(tld.p, alt_root_tlds[i].s, tld.len) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * A cheap first test of the private TLDs above: by length, a bit for the
 * first letter of each (cm_dns_tables_sorted checks every entry passes
 * it). The usual TLD (com, net, io, info) fails it and never reaches the
 * compares.
 */
#define L(c) (1u << ((c) - 'a'))
static const uint32_t private_first[12] = {
    [3] = L('l'),                            /* lan */
    [4] = L('a') | L('c') | L('h') | L('t'), /* arpa corp home test */
    [5] = L('l'),                            /* local */
    [7] = L('i'),                            /* invalid */
    [8] = L('i'),                            /* internal intranet */
    [9] = L('l'),                            /* localhost */
    [11] = L('l'),                           /* localdomain */
};
#undef L

static bool private_tld_maybe(struct cm_str tld)
{
    size_t n = tld.len < 12 ? tld.len : 0;
    unsigned c = n > 0 ? (unsigned)(unsigned char)tld.p[0] - 'a' : 32u;

    return c < 26 && ((private_first[n] >> c) & 1u);
}

struct cm_str cm_dns_tld_of(const struct cm_domain *d)
{
    size_t i = d->len;

    while (i > 0 && d->name[i - 1] != '.') {
        i--;
    }
    return cm_str_make(d->name + i, d->len - i);
}

bool cm_dns_rep_ignored(const struct cm_domain *d)
{
    struct cm_str tld = cm_dns_tld_of(d);

    /*
     * No registered domain, or a TLD the suffix list has no rule for (in no root zone, so
     * no public server answers) unless an alternative root's that malware uses.
     */
    if (d->reg >= d->len || (d->unlisted_tld && !alt_root_tld(tld))) {
        return true;
    }
    if (!private_tld_maybe(tld)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(private_tlds) / sizeof(private_tlds[0]); i++) {
        if (tld.len == private_tlds[i].n && memcmp(tld.p, private_tlds[i].s, tld.len) == 0) {
            return true;
        }
    }
    return false;
}

/* Offset of the label before offset at in d->name (at itself when none). */
static size_t label_before(const struct cm_domain *d, size_t at)
{
    size_t i;

    if (at < 2) {
        return at;
    }
    i = at - 1; /* the dot */
    while (i > 0 && d->name[i - 1] != '.') {
        i--;
    }
    return i;
}

void cm_dns_rep_score_with(const struct cm_dns_tables *t, const struct cm_dga_model *m,
                           const struct cm_domain *d, struct cm_dns_rep *out)
{
    const struct cm_dns_provider *p;
    double keep = 1.0;

    memset(out, 0, sizeof(*out));
    out->site = d->len;
    if (cm_dns_rep_ignored(d)) {
        return;
    }
    out->site = d->reg;
    p = provider_of(t, d);
    if (p != NULL) {
        out->provider_entry = p;
        out->provider = cm_dns_provider_weight((enum cm_dns_provider_class)p->cls);
        out->reasons |= CM_DNSR_PROVIDER;
        if (!d->private_suffix) {
            out->site = label_before(d, d->reg); /* x.mooo.com, not mooo.com */
        }
    }
    out->tld = cm_dns_tld_weight_in(t, cm_dns_tld_of(d));
    if (out->tld > 0) {
        out->reasons |= CM_DNSR_TLD;
    }
    /* A registrant picked the label: an ICANN suffix, or a provider's customer. */
    out->dga_applies = !d->private_suffix || p != NULL;
    if (m != NULL && out->dga_applies) {
        if (p != NULL && !d->private_suffix) {
            /* Score the customer's label, as if the provider were the suffix. */
            struct cm_domain c = *d;

            c.sfx = d->reg;
            c.reg = out->site;
            out->dga = cm_dga_score(m, &c);
        } else {
            out->dga = cm_dga_score(m, d);
        }
        if (out->dga > CM_DNS_REP_DGA_FLOOR) {
            out->dga_part =
                DGA_WEIGHT * (out->dga - CM_DNS_REP_DGA_FLOOR) / (1.0 - CM_DNS_REP_DGA_FLOOR);
            out->reasons |= CM_DNSR_DGA;
        }
    }
    out->crypto_sign = crypto_of(t, d, &out->crypto_word);
    out->crypto = cm_dns_crypto_weight(out->crypto_sign);
    if (out->crypto > 0) {
        out->reasons |= CM_DNSR_CRYPTO;
    }
    keep = (1.0 - out->provider) * (1.0 - out->tld) * (1.0 - out->dga_part) * (1.0 - out->crypto);
    out->score = 1.0 - keep;
}

void cm_dns_rep_score(const struct cm_dga_model *m, const struct cm_domain *d,
                      struct cm_dns_rep *out)
{
    cm_dns_rep_score_with(NULL, m, d, out);
}

bool cm_dns_rep_prefilters_ok(void)
{
    for (size_t i = 0; i < sizeof(private_tlds) / sizeof(private_tlds[0]); i++) {
        if (!private_tld_maybe(cm_str_make(private_tlds[i].s, private_tlds[i].n))) {
            return false; /* private_first misses an entry */
        }
    }
    for (size_t i = 0; i < sizeof(mining_ends) / sizeof(mining_ends[0]); i++) {
        unsigned last = (unsigned)(unsigned char)mining_ends[i].s[mining_ends[i].n - 1] - 'a';

        if (last >= 26 || ((MINING_LAST >> last) & 1u) == 0) {
            return false; /* MINING_LAST misses a mining word's last letter */
        }
    }
    return true;
}
