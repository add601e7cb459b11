/*
 * The stateless domain reputation model's const tables and their look-ups
 * (dns_reputation.h, docs/detectors/dns-reputation.md): the weights of
 * the abused providers' classes (the providers themselves are
 * base/dns_provider.c's, which lib/intel's shared-infrastructure guard uses
 * too), abused TLDs, crypto-currency mining words, and their hashed index
 * (cm_dns_tables). The score they make with the DGA model is
 * dns_rep_score.c's. Hand-made from the
 * providers' own sign-up pages and the abuse reports of the last years
 * (Spamhaus's and Interisle's most-abused TLDs, the dynamic-DNS and tunnel
 * services malware reports name); the weights were checked against
 * ../shared/data (top-domains as the benign side, the maltrail trails as
 * the malicious side: docs/detectors/dns-reputation.md has the counts).
 *
 * Every table is sorted in strcmp order (the unit test checks it) and
 * searched by bisection, a handful of comparisons with no allocation; a
 * caller that scores many names builds the hashed index once
 * (cm_dns_tables_create) and pays a hash and a slot instead.
 */
#include "detect/dns_reputation.h"
#include "detect/dns_tables_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/dns_rep_impl.h"

/* ---- abused providers' classes ---- */

/*
 * Score components of the provider classes. A tunnel or an out-of-band
 * catcher asked by a server is a strong sign (a reverse shell's relay, a
 * log4j-style callback); a dynamic-DNS host slightly less (home NAS boxes
 * use them too); free hosting least (mostly phishing pages, which servers
 * rarely ask for). Each alone passes the default min_score (0.45): an
 * abused provider's host that is new to the environment is Abused.
 */
static const double provider_weight[] = {
    [CM_DNSP_NONE] = 0.0,    [CM_DNSP_DYNDNS] = 0.55, [CM_DNSP_FREEHOST] = 0.50,
    [CM_DNSP_TUNNEL] = 0.65, [CM_DNSP_OOB] = 0.65,
};

static const char *const provider_class_name[] = {
    [CM_DNSP_NONE] = "none",
    [CM_DNSP_DYNDNS] = "dynamic-dns",
    [CM_DNSP_FREEHOST] = "free-hosting",
    [CM_DNSP_TUNNEL] = "tunnel",
    [CM_DNSP_OOB] = "out-of-band",
};

double cm_dns_provider_weight(enum cm_dns_provider_class c)
{
    return (unsigned)c <= CM_DNSP_OOB ? provider_weight[c] : 0.0;
}

const char *cm_dns_provider_class_name(enum cm_dns_provider_class c)
{
    return (unsigned)c <= CM_DNSP_OOB ? provider_class_name[c] : "none";
}

/* ---- abused TLDs ---- */

struct tld_weight {
    const char *tld;
    size_t len;
    double w;
};

/*
 * TLDs by how much of their use is abuse, as a score component, in tiers
 * from the data: a TLD's share of the malicious hosts of ../shared/data's
 * maltrail trails over its share of the 100,000 top domains (the ratio;
 * docs/detectors/dns-reputation.md lists them). 0.5: Freenom's free TLDs
 * (tk, ml, ga, cf, gq; ratios 43 to 344, free registration); alone they
 * make a new site Abused. 0.3: ratios of 66 and more with almost no top
 * domain (top 159, icu 841, sbs 2660, cfd 720, click 799, cyou 424...);
 * alone they make a new, rarely asked site Suspicious. 0.25: ratios of 10
 * to 70; 0.2: much abuse and much legitimate use (xyz: ratio 57 but 117
 * top domains; site, online, space, link) and pw, su (ratios 4 and 7 with
 * many popular sites); 0.15: ratios of 3 to 5, and gTLDs that came after
 * the top list was made (shop, store, live, digital, fun: their ratio is
 * inflated); 0.1: club, cc, biz (ratios 2.5 to 5). These only add to other
 * evidence. Not listed: ratios near or below 1 (com 0.4, net 1.0, org 1.1,
 * io 0.8, me 0.6, ws 0.5, kim 0.7) and ordinary country codes.
 */
#define T(s, w)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1, w                                                                        \
    }
static const struct tld_weight tlds[] = {
    T("autos", 0.25), T("bar", 0.20),    T("bazar", 0.30),   T("beauty", 0.25),
    T("best", 0.20),  T("bid", 0.25),    T("biz", 0.10),     T("boats", 0.25),
    T("bond", 0.30),  T("buzz", 0.30),   T("cam", 0.25),     T("cc", 0.10),
    T("cf", 0.50),    T("cfd", 0.30),    T("click", 0.30),   T("club", 0.10),
    T("cyou", 0.30),  T("date", 0.25),   T("digital", 0.15), T("download", 0.15),
    T("faith", 0.25), T("fit", 0.25),    T("fun", 0.15),     T("ga", 0.50),
    T("gdn", 0.30),   T("gq", 0.50),     T("hair", 0.25),    T("homes", 0.25),
    T("host", 0.25),  T("icu", 0.30),    T("link", 0.20),    T("live", 0.15),
    T("loan", 0.25),  T("lol", 0.25),    T("makeup", 0.25),  T("men", 0.25),
    T("ml", 0.50),    T("mom", 0.25),    T("monster", 0.30), T("online", 0.20),
    T("party", 0.25), T("pw", 0.20),     T("quest", 0.30),   T("racing", 0.15),
    T("rest", 0.30),  T("review", 0.25), T("sbs", 0.30),     T("science", 0.15),
    T("shop", 0.15),  T("site", 0.20),   T("skin", 0.25),    T("space", 0.20),
    T("store", 0.15), T("stream", 0.25), T("su", 0.20),      T("surf", 0.25),
    T("tk", 0.50),    T("top", 0.30),    T("trade", 0.15),   T("uno", 0.20),
    T("vip", 0.25),   T("webcam", 0.20), T("website", 0.20), T("win", 0.25),
    T("work", 0.15),  T("xyz", 0.20),    T("yachts", 0.25),  T("zip", 0.25),
};

#undef T

#define NTLDS (sizeof(tlds) / sizeof(tlds[0]))

double cm_dns_tld_weight(struct cm_str tld)
{
    size_t lo = 0, hi = NTLDS;

    if (tld.p == NULL || tld.len == 0) {
        return 0.0;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cm_str_order(tld, tlds[mid].tld, tlds[mid].len);

        if (r == 0) {
            return tlds[mid].w;
        }
        if (r < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0.0;
}

/* ---- crypto-currency mining ---- */

/*
 * Every word, in one table. Brands are matched as whole labels and as
 * tokens (runs of letters: "xmr-eu1" is xmr, eu); the others as tokens.
 * Left out on purpose: coins that are common words (iron, haven, flux,
 * dash, beam, grin, zen, ether, loki) and words like "proxy" or "mint".
 */
#define W(s, k)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1, k                                                                        \
    }
static const struct cm_dns_word words[] = {
    W("2miners", W_BRAND),
    W("aeon", W_COIN),
    W("alph", W_COIN),
    W("antpool", W_BRAND),
    W("autolykos", W_COIN),
    W("bch", W_COIN),
    W("bci", W_COIN),
    W("bitcoin", W_COIN | W_STRONG),
    W("bsv", W_COIN),
    W("btc", W_COIN),
    W("btg", W_COIN),
    W("c3pool", W_BRAND),
    W("ccx", W_COIN),
    W("cfx", W_COIN),
    W("ckpool", W_BRAND),
    W("coin-hive", W_BRAND),
    W("coinhive", W_BRAND),
    W("coinimp", W_BRAND),
    W("crypto-loot", W_BRAND),
    W("cryptoloot", W_BRAND),
    W("cryptonight", W_COIN),
    W("ctxc", W_COIN),
    W("dero", W_COIN),
    W("doge", W_COIN),
    W("dogecoin", W_COIN | W_STRONG),
    W("dwarfpool", W_BRAND),
    W("equihash", W_COIN),
    W("erg", W_COIN),
    W("ergo", W_COIN),
    W("etc", W_COIN),
    W("etchash", W_COIN),
    W("eth", W_COIN),
    W("ethash", W_COIN),
    W("ethereum", W_COIN | W_STRONG),
    W("ethermine", W_BRAND),
    W("f2pool", W_BRAND),
    W("firo", W_COIN),
    W("flexpool", W_BRAND),
    W("groestl", W_COIN),
    W("grs", W_COIN),
    W("hash", W_MINING),
    W("hashrate", W_MINING),
    W("hashvault", W_BRAND),
    W("herominers", W_BRAND),
    W("hiveon", W_BRAND),
    W("jsecoin", W_BRAND),
    W("k1pool", W_BRAND),
    W("kas", W_COIN),
    W("kaspa", W_COIN | W_STRONG),
    W("kawpow", W_COIN),
    W("kda", W_COIN),
    W("kryptex", W_BRAND),
    W("litecoin", W_COIN | W_STRONG),
    W("ltc", W_COIN),
    W("luckpool", W_BRAND),
    W("masari", W_COIN),
    W("mine", W_MINING),
    W("miner", W_MINING),
    W("minergate", W_BRAND),
    W("minero", W_BRAND),
    W("miners", W_MINING),
    W("minexmr", W_BRAND),
    W("mining", W_MINING),
    W("mining-dutch", W_BRAND),
    W("miningpoolhub", W_BRAND),
    W("monero", W_COIN | W_STRONG),
    W("monerohash", W_BRAND),
    W("moneroocean", W_BRAND),
    W("moneropool", W_BRAND),
    W("monerov", W_COIN),
    W("msr", W_COIN),
    W("nanopool", W_BRAND),
    W("neoxa", W_COIN),
    W("nexa", W_COIN),
    W("nicehash", W_BRAND),
    W("nimiq", W_BRAND),
    W("pool", W_MINING),
    W("pools", W_MINING),
    W("prohashing", W_BRAND),
    W("qrl", W_COIN),
    W("randomx", W_COIN),
    W("ravencoin", W_COIN | W_STRONG),
    W("rvn", W_COIN),
    W("slushpool", W_BRAND),
    W("solo", W_MINING),
    W("solopool", W_BRAND),
    W("sparkpool", W_BRAND),
    W("stratum", W_MINING | W_STRATUM),
    W("supportxmr", W_BRAND),
    W("suprnova", W_BRAND),
    W("trtl", W_COIN),
    W("ubiq", W_COIN),
    W("ubq", W_COIN),
    W("unmineable", W_BRAND),
    W("vertcoin", W_COIN),
    W("viabtc", W_BRAND),
    W("vtc", W_COIN),
    W("webminepool", W_BRAND),
    W("woolypooly", W_BRAND),
    W("wownero", W_COIN | W_STRONG),
    W("xch", W_COIN),
    W("xhv", W_COIN),
    W("xla", W_COIN),
    W("xmr", W_COIN | W_STRONG),
    W("xmrfast", W_BRAND),
    W("xmrig", W_BRAND),
    W("xmrpool", W_BRAND),
    W("xmv", W_COIN),
    W("xtm", W_COIN),
    W("zcash", W_COIN | W_STRONG),
    W("zec", W_COIN),
    W("zel", W_COIN),
    W("zeph", W_COIN),
    W("zephyr", W_COIN),
    W("zergpool", W_BRAND),
};

#undef W

#define NWORDS (sizeof(words) / sizeof(words[0]))

/* The entry equal to s, or NULL. */
static const struct cm_dns_word *word_find(struct cm_str s)
{
    size_t lo = 0, hi = NWORDS;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cm_str_order(s, words[mid].w, words[mid].len);

        if (r == 0) {
            return &words[mid];
        }
        if (r < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

/* ---- the hashed index (cm_dns_tables) ------------------------------------------------- */

/*
 * One open-addressing table over the three sorted tables, keyed by (table,
 * string): a look-up is one hash and, nearly always, one slot, where the
 * binary searches cost a mispredicted branch a step (they were 40 % of
 * `coalmine dns score`). The seed is fixed: the keys are the tables'
 * own, and a hostile name only ever probes.
 */
enum { IX_PROVIDER = 1, IX_TLD, IX_WORD };

#define IX_SLOTS 2048u /* a power of two, over three times the entries */
#define IX_SEED  0x243f6a8885a308d3ULL

struct ix_slot {
    uint32_t tag;  /* the hash's top bits */
    uint16_t kind; /* IX_*; 0: empty */
    uint16_t at;   /* the entry's index in its table */
};

#define IX_LENS 64u /* lengths the first test tells apart; longer keys share the last */

struct cm_dns_tables {
    struct ix_slot slot[IX_SLOTS];
    /*
     * A first test before the hash: per table and key length, a bit for
     * (first byte & 63) and one for (last byte & 63) of every key. Most
     * strings asked (a random label, a TLD that is no abused one) fail it.
     */
    uint64_t first[3][IX_LENS], last[3][IX_LENS];
};

static inline size_t ix_len(size_t n)
{
    return n < IX_LENS ? n : IX_LENS - 1;
}

static uint64_t ix_hash(unsigned kind, const char *p, size_t n)
{
    return cm_hash64(p, n, IX_SEED ^ kind);
}

/* Entry at of table kind, as a string. */
static struct cm_str ix_key(unsigned kind, size_t at)
{
    switch (kind) {
    case IX_PROVIDER: {
        size_t n;
        const struct cm_dns_provider *p = cm_dns_providers(&n);

        return cm_str_make(p[at].suffix, p[at].len);
    }
    case IX_TLD:
        return cm_str_make(tlds[at].tld, tlds[at].len);
    default:
        return cm_str_make(words[at].w, words[at].len);
    }
}

static void ix_put(struct cm_dns_tables *t, unsigned kind, size_t at)
{
    struct cm_str k = ix_key(kind, at);
    uint64_t h = ix_hash(kind, k.p, k.len);

    if (k.len > 0) { /* every key is longer; an empty one is never asked */
        t->first[kind - 1][ix_len(k.len)] |= 1ULL << ((unsigned char)k.p[0] & 63);
        t->last[kind - 1][ix_len(k.len)] |= 1ULL << ((unsigned char)k.p[k.len - 1] & 63);
    }
    for (size_t i = h & (IX_SLOTS - 1);; i = (i + 1) & (IX_SLOTS - 1)) {
        if (t->slot[i].kind == 0) {
            t->slot[i].tag = (uint32_t)(h >> 32);
            t->slot[i].kind = (uint16_t)kind;
            t->slot[i].at = (uint16_t)at;
            return;
        }
    }
}

/* The index of s in table kind, or -1. */
static long ix_get(const struct cm_dns_tables *t, unsigned kind, struct cm_str s)
{
    uint64_t h;

    if (s.p == NULL || s.len == 0 ||
        !((t->first[kind - 1][ix_len(s.len)] >> ((unsigned char)s.p[0] & 63)) & 1u) ||
        !((t->last[kind - 1][ix_len(s.len)] >> ((unsigned char)s.p[s.len - 1] & 63)) & 1u)) {
        return -1;
    }
    h = ix_hash(kind, s.p, s.len);
    for (size_t i = h & (IX_SLOTS - 1);; i = (i + 1) & (IX_SLOTS - 1)) {
        const struct ix_slot *sl = &t->slot[i];

        if (sl->kind == 0) {
            return -1;
        }
        if (sl->kind == kind && sl->tag == (uint32_t)(h >> 32) &&
            cm_str_eq(ix_key(kind, sl->at), s)) {
            return sl->at;
        }
    }
}

int cm_dns_tables_create(struct cm_dns_tables **out)
{
    struct cm_dns_tables *t = cm_calloc(1, sizeof(*t));
    size_t np;

    *out = NULL;
    if (t == NULL) {
        return CM_ENOMEM;
    }
    cm_dns_providers(&np);
    for (size_t i = 0; i < np; i++) {
        ix_put(t, IX_PROVIDER, i);
    }
    for (size_t i = 0; i < NTLDS; i++) {
        ix_put(t, IX_TLD, i);
    }
    for (size_t i = 0; i < NWORDS; i++) {
        ix_put(t, IX_WORD, i);
    }
    *out = t;
    return CM_OK;
}

void cm_dns_tables_destroy(struct cm_dns_tables *t)
{
    cm_free(t);
}

const struct cm_dns_provider *cm_dns_provider_in(const struct cm_dns_tables *t,
                                                 struct cm_str suffix)
{
    long at;
    size_t n;

    if (t == NULL) {
        return cm_dns_provider_find(suffix);
    }
    at = ix_get(t, IX_PROVIDER, suffix);
    return at < 0 ? NULL : &cm_dns_providers(&n)[at];
}

double cm_dns_tld_weight_in(const struct cm_dns_tables *t, struct cm_str tld)
{
    long at;

    if (t == NULL) {
        return cm_dns_tld_weight(tld);
    }
    at = ix_get(t, IX_TLD, tld);
    return at < 0 ? 0.0 : tlds[at].w;
}

const struct cm_dns_word *cm_dns_word_in(const struct cm_dns_tables *t, struct cm_str s)
{
    long at;

    if (t == NULL) {
        return word_find(s);
    }
    at = ix_get(t, IX_WORD, s);
    return at < 0 ? NULL : &words[at];
}

bool cm_dns_tables_complete(const struct cm_dns_tables *t)
{
    static const unsigned kinds[3] = {IX_PROVIDER, IX_TLD, IX_WORD};
    size_t sizes[3] = {0, NTLDS, NWORDS};

    cm_dns_providers(&sizes[0]);
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < sizes[k]; i++) {
            if (ix_get(t, kinds[k], ix_key(kinds[k], i)) != (long)i) {
                return false;
            }
        }
    }
    return true;
}

bool cm_dns_tables_sorted(void)
{
    size_t np;
    const struct cm_dns_provider *p = cm_dns_providers(&np);

    if (!cm_dns_web_labels_sorted()) {
        return false;
    }
    for (size_t i = 1; i < np; i++) {
        if (strcmp(p[i - 1].suffix, p[i].suffix) >= 0) {
            return false;
        }
    }
    for (size_t i = 1; i < NTLDS; i++) {
        if (strcmp(tlds[i - 1].tld, tlds[i].tld) >= 0) {
            return false;
        }
    }
    for (size_t i = 1; i < NWORDS; i++) {
        if (strcmp(words[i - 1].w, words[i].w) >= 0) {
            return false;
        }
    }
    return cm_dns_rep_prefilters_ok();
}
