/*
 * The name classifier, the answer readers and the allow list of the DNS tunnelling detector
 * (dns_tunnel.h; the detector is dns_tunnel.c, the reasoning
 * docs/detectors/dns-tunnel.md): whether the labels left of a registered
 * domain look like encoded data, and which domains are never judged.
 */
#include "detect/dns_tunnel.h"

#include <math.h>
#include <string.h>

#define RANDOM_RUN     16 /* a run of [A-Za-z0-9] this long may be random */
#define RANDOM_NOVOWEL 20 /* ... a letters-mostly run this long, without vowels */
/*
 * Data cut into short labels (base32 in 12-character labels): JOINED_LABELS labels in a
 * row, each one run of at least JOINED_MIN alphanumerics, are judged as one run too; and
 * JOINED_SHORT_LABELS in a row when some are shorter, down to JOINED_SHORT (base32 in
 * labels of 4-7 characters), if two of them have a letter after a digit: numbered hosts
 * (node1.rack2.zone3.dc04) put their digits last.
 */
#define JOINED_LABELS       3
#define JOINED_MIN          8
#define JOINED_SHORT_LABELS 4
#define JOINED_SHORT        4
#define JOINED_SHORT_MIXED  2
/*
 * In an answer, a run of 32 letters is data whatever its vowels: no host
 * name has a 32-letter word, and RogueRobin returns its nibbles as letters
 * ("ljlivlililflilill...") in TXT, CNAME and MX answers.
 */
#define ANSWER_RUN 32
/*
 * Mixed case is base64 only when it looks random: MIXED_SINGLES lowercase letters or more
 * that stand alone after a capital or a digit ("aB3cD" has 'c'; base64 strews them, 2.5 in
 * 16 characters, 9 in 60), or a mixed-case label of MIXED_LONG characters or more (no host
 * name is; RogueRobin's letter encoding, "dcqhhnkkqmiulilioloAnkkjnoolmAmomioqlEmlmmo",
 * has capitals before runs of lowercase letters, as words do). Host names that people type
 * are words in title or camel case (Johns-MacBook-Pro, FileServer02, ws-BX3WTKX): a
 * capital starts a word of lowercase letters, a run of capitals is an acronym, and a lone
 * lowercase letter after a capital is rare (WiFi). Before 2026-12-05 any label with 2
 * capitals and 2 lowercase letters was base64, and an instance that resolved 100 such
 * hosts in a day fired the slow rule.
 */
#define MIXED_SINGLES 2
#define MIXED_LONG    32

/*
 * The built-in allow list. A tunnel needs the attacker's authoritative
 * server for the domain it writes under, so zones that cannot reach one, or
 * whose names carry data by the service's own design, are left alone.
 */
static const char *const allow[] = {
    /* clang-format off */
    /* Reverse lookups (in-addr.arpa, ip6.arpa: the address is the name) and ENUM (e164.arpa). */
    "arpa",
    /*
     * Private-use names that never reach a public authoritative server:
     * ICANN's .internal (ec2.internal, <region>.compute.internal), mDNS and
     * Kubernetes' cluster.local (RFC 6762), RFC 6761's localhost, suffixes
     * resolvers keep local, HashiCorp Consul's <hash>.node.consul.
     */
    "internal", "local", "localhost", "localdomain", "lan", "home", "corp", "intranet", "consul",
    /* AWS's own zones (VPC endpoint, API Gateway, ELB names carry ids by design); Amazon's
     * brand TLD .aws (on.aws Lambda URLs, acm-validations.aws, api.aws). */
    "amazonaws.com", "amazonaws.com.cn", "aws",
    /* DNSBLs: reversed addresses, domains and hashes in names are their query format
     * (spamhaus.net: the Data Query Service and Hash Blocklist; surriel.com: PSBL). */
    "spamhaus.org", "spamhaus.net", "spamcop.net", "barracudacentral.org", "sorbs.net",
    "mailspike.net", "dnswl.org", "surriel.com", "manitu.net", "senderscore.com",
    "uceprotect.net", "uribl.com", "surbl.org", "abuseat.org", "abusix.zone",
    "junkemailfilter.com", "spameatingmonkey.net",
    /* The Email Blocklist (<sha1 of an address>.ebl.msbl.org, SpamAssassin's HashBL rules);
     * Rspamd's own lists (<32 z-base-32 of a blake2 hash>.email.rspamd.com, RSPAMD_EMAILBL,
     * and its URL list uribl.rspamd.com). */
    "msbl.org", "rspamd.com",
    /* Hash and reputation look-ups over DNS: Team Cymru (malware hash registry, IP to ASN),
     * Sophos Live Protection, McAfee GTI (avqs.mcafee.com), ESET LiveGrid, Trend Micro's
     * Smart Protection Network, Symantec and Norton's reputation services (a file or URL
     * hash in the labels, bursts at updates). */
    "cymru.com", "sophosxl.net", "mcafee.com", "e5.sk", "trendmicro.com", "symantec.com",
    "norton.com",
    /*
     * Names made of hashes by a content service: SafeFrame ads
     * (<32 hex>.safeframe.googlesyndication.com); IPFS subdomain gateways, one name per
     * content id (<CID>.ipfs.w3s.link; dweb.link is a wildcard PSL suffix, each CID its own
     * registered domain); Arweave's per-transaction sandboxes (<52 base32>.arweave.net);
     * Dropbox's per-file download hosts (uc<id>.dl.dropboxusercontent.com). Hosts named
     * after a hex id by a cloud service: Elastic Cloud deployments
     * (<32 hex>.<region>.aws.found.io, and .elastic-cloud.com; on Google Cloud
     * <32 hex>.<region>.gcp.cloud.es.io), one name per cluster.
     */
    "googlesyndication.com", "w3s.link", "storacha.link", "nftstorage.link", "cf-ipfs.com",
    "cloudflare-ipfs.com", "infura-ipfs.io", "4everland.io", "arweave.net", "ar-io.dev",
    "dropboxusercontent.com", "found.io", "elastic-cloud.com", "cloud.es.io",
    /* clang-format on */
};

#define NALLOW (sizeof(allow) / sizeof(allow[0]))

/* ---- the name classifier ---- */

/* A run of alphanumerics between separators ('-', '_', '.'). */
struct run {
    uint32_t len, letters, digits, vowels, switches;
    int prev; /* 0 none, 1 letter, 2 digit */
};

/* The vowels a, e, i, o, u: bit k stands for the letter 'a' + k. */
#define VOWELS (1u << 0 | 1u << 4 | 1u << 8 | 1u << 14 | 1u << 20)

/* Whether byte c is a vowel of either case (c | 0x20 is a lowercase letter for letters alone). */
static inline bool vowel(unsigned char c)
{
    unsigned k = (unsigned)(c | 0x20) - 'a';

    return k < 26 && ((VOWELS >> k) & 1u) != 0;
}

/* Whether run r looks random: digits strewn among letters, or a long run without vowels. */
static bool run_random(const struct run *r)
{
    if (r->len < RANDOM_RUN || r->letters == 0) {
        return false;
    }
    if (r->digits >= 2 && r->switches * 6 >= r->len) {
        return true;
    }
    return r->len >= RANDOM_NOVOWEL && r->vowels * 100 <= 15 * r->letters;
}

/* Adds run r (one whole label) to the run of labels joined so far. */
static void join_run(struct run *j, const struct run *r)
{
    j->len += r->len;
    j->letters += r->letters;
    j->digits += r->digits;
    j->vowels += r->vowels;
    j->switches += r->switches;
    j->prev = r->prev;
}

/* Labels joined into one run: how many, and how many have a letter after a digit. */
struct joined {
    struct run r;
    uint32_t labels, mixed;
};

/* Adds a label that is one run r (with a letter after a digit or not) to j. */
static void join_label(struct joined *j, const struct run *r, bool mixed)
{
    join_run(&j->r, r);
    j->labels++;
    j->mixed += mixed;
}

/* Whether j holds min_labels labels, min_mixed with a letter after a digit, and looks random. */
static bool joined_random(const struct joined *j, uint32_t min_labels, uint32_t min_mixed)
{
    return j->labels >= min_labels && j->mixed >= min_mixed && run_random(&j->r);
}

/* Per-label counters. */
struct label {
    uint32_t len, lower, upper, digits, hex, neutral, other;
    bool digit_letter; /* a letter follows a digit */
};

/* True when text holds four 1-3 digit groups joined by '-' or '.': an address (c-73-1-2-3). */
static bool has_address(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        int groups = 0;

        if (p[i] < '0' || p[i] > '9' || (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')) {
            continue;
        }
        while (groups < 4) {
            size_t k = j;

            while (k < n && k - j < 4 && p[k] >= '0' && p[k] <= '9') {
                k++;
            }
            if (k == j || k - j > 3) {
                break;
            }
            groups++;
            j = k;
            if (groups == 4) {
                return j == n || p[j] < '0' || p[j] > '9';
            }
            if (j >= n || (p[j] != '-' && p[j] != '.')) {
                break;
            }
            j++;
        }
    }
    return false;
}

/* Shannon entropy of p[0..n) without the dots, in bits per character. */
static double entropy_of(const char *p, size_t n, uint32_t chars)
{
    uint16_t count[256];
    double sum = 0.0;

    if (chars < 2) {
        return 0.0;
    }
    memset(count, 0, sizeof(count));
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '.') {
            count[(unsigned char)p[i]]++;
        }
    }
    for (size_t c = 0; c < 256; c++) {
        if (count[c] > 1) {
            sum += count[c] * log2((double)count[c]);
        }
    }
    return log2((double)chars) - sum / chars;
}

/* The whole analysis (cm_dns_tunnel_shape's slow path). */
static enum cm_dns_encoding full_shape(struct cm_str sub, uint32_t min_chars,
                                       struct cm_dns_name_shape *s)
{
    struct label l = {0};
    struct run r = {0};
    struct joined lj = {0}, sj = {0}; /* labels of JOINED_MIN or more; of JOINED_SHORT or more */
    uint32_t chars = 0, digits = 0, other = 0, singles = 0;
    uint32_t hex = 0, hex_digits = 0, hex_letters = 0;
    bool mixed = false, long_mixed = false, random = false, single = false, after_caps = false;
    size_t from = 0, i;
    const char *p;

    memset(s, 0, sizeof(*s));
    if (sub.p == NULL || sub.len == 0) {
        return CM_DNS_ENC_NONE;
    }
    /* Attribute names: judge only the labels right of the last '_' label. */
    for (i = 0; i < sub.len; i++) {
        if (sub.p[i] == '_' && (i == 0 || sub.p[i - 1] == '.')) {
            while (i < sub.len && sub.p[i] != '.') {
                i++;
            }
            from = i < sub.len ? i + 1 : sub.len;
        }
    }
    p = sub.p + from;
    for (i = from; i <= sub.len; i++) {
        unsigned char c = i < sub.len ? (unsigned char)sub.p[i] : '.';
        bool lower = c >= 'a' && c <= 'z';
        int kind = 0;

        /* A lowercase letter after a capital or a digit, and not before another one. */
        singles += single && !lower;
        single = lower && after_caps;
        after_caps = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (c == '.' || c == '-' || c == '_') {
            random = random || run_random(&r);
            if (c == '.' && r.len == l.len && r.len >= JOINED_MIN) {
                join_label(&lj, &r, l.digit_letter); /* a label that is one long run */
            } else {
                random = random || joined_random(&lj, JOINED_LABELS, 0);
                memset(&lj, 0, sizeof(lj));
            }
            if (c == '.' && r.len == l.len && r.len >= JOINED_SHORT) {
                join_label(&sj, &r, l.digit_letter); /* ... or a shorter one */
            } else {
                random = random || joined_random(&sj, JOINED_SHORT_LABELS, JOINED_SHORT_MIXED);
                memset(&sj, 0, sizeof(sj));
            }
            memset(&r, 0, sizeof(r));
        }
        if (c == '.') {
            if (l.len > s->longest) {
                s->longest = l.len;
            }
            if (l.upper >= 2 && l.lower >= 2) {
                mixed = true;
                long_mixed = long_mixed || l.len >= MIXED_LONG;
            }
            if (l.hex + l.neutral == l.len && l.digits >= 1 && l.hex > l.digits) {
                hex += l.hex;
                hex_digits += l.digits;
                hex_letters += l.hex - l.digits;
            }
            memset(&l, 0, sizeof(l));
            continue;
        }
        l.len++;
        chars++;
        if (c >= 'a' && c <= 'z') {
            l.lower++;
            l.hex += c <= 'f';
            kind = 1;
        } else if (c >= 'A' && c <= 'Z') {
            l.upper++;
            l.hex += c <= 'F';
            kind = 1;
        } else if (c >= '0' && c <= '9') {
            l.digits++;
            l.hex++;
            digits++;
            kind = 2;
        } else if (c == '-' || c == '_') {
            l.neutral++;
        } else {
            l.other++;
            other++;
        }
        if (kind != 0) {
            l.digit_letter = l.digit_letter || (kind == 1 && r.prev == 2);
            r.len++;
            r.letters += kind == 1;
            r.digits += kind == 2;
            r.vowels += kind == 1 && vowel(c);
            r.switches += r.prev != 0 && r.prev != kind;
            r.prev = kind;
        }
    }
    random = random || joined_random(&lj, JOINED_LABELS, 0);
    random = random || joined_random(&sj, JOINED_SHORT_LABELS, JOINED_SHORT_MIXED);
    s->chars = chars;
    if (chars < min_chars) {
        s->longest = 0;
        return CM_DNS_ENC_NONE;
    }
    if (other > 0 || (mixed && (singles >= MIXED_SINGLES || long_mixed))) {
        s->enc = CM_DNS_ENC_BASE64;
        s->bits = chars * 6;
    } else if (hex >= 16 && hex_digits >= 3 && hex_letters >= 3 && hex * 10 >= chars * 8) {
        s->enc = CM_DNS_ENC_HEX;
        s->bits = chars * 4;
    } else if (random) {
        s->enc = CM_DNS_ENC_BASE32;
        s->bits = chars * 5;
    } else if (digits >= 8 && digits * 2 >= chars && !has_address(p, sub.len - from)) {
        s->enc = CM_DNS_ENC_DIGITS; /* short runs of mostly digits: counters, numbers */
        s->bits = chars * 332 / 100;
    } else {
        s->longest = 0;
        return CM_DNS_ENC_NONE;
    }
    s->entropy = entropy_of(p, sub.len - from, chars);
    return s->enc;
}

/* Byte classes of the quick pass. */
enum { B_OTHER = 0, B_HEX, B_LOWER, B_UPPER, B_DIGIT, B_DOT, B_DASH, B_UNDERSCORE };

/* clang-format off */
static const uint8_t byte_class[256] = {
    ['-'] = B_DASH, ['.'] = B_DOT, ['_'] = B_UNDERSCORE,
    ['0'] = B_DIGIT, ['1'] = B_DIGIT, ['2'] = B_DIGIT, ['3'] = B_DIGIT, ['4'] = B_DIGIT,
    ['5'] = B_DIGIT, ['6'] = B_DIGIT, ['7'] = B_DIGIT, ['8'] = B_DIGIT, ['9'] = B_DIGIT,
    ['a'] = B_HEX, ['b'] = B_HEX, ['c'] = B_HEX, ['d'] = B_HEX, ['e'] = B_HEX, ['f'] = B_HEX,
    ['g'] = B_LOWER, ['h'] = B_LOWER, ['i'] = B_LOWER, ['j'] = B_LOWER, ['k'] = B_LOWER,
    ['l'] = B_LOWER, ['m'] = B_LOWER, ['n'] = B_LOWER, ['o'] = B_LOWER, ['p'] = B_LOWER,
    ['q'] = B_LOWER, ['r'] = B_LOWER, ['s'] = B_LOWER, ['t'] = B_LOWER, ['u'] = B_LOWER,
    ['v'] = B_LOWER, ['w'] = B_LOWER, ['x'] = B_LOWER, ['y'] = B_LOWER, ['z'] = B_LOWER,
    ['A'] = B_UPPER, ['B'] = B_UPPER, ['C'] = B_UPPER, ['D'] = B_UPPER, ['E'] = B_UPPER,
    ['F'] = B_UPPER, ['G'] = B_UPPER, ['H'] = B_UPPER, ['I'] = B_UPPER, ['J'] = B_UPPER,
    ['K'] = B_UPPER, ['L'] = B_UPPER, ['M'] = B_UPPER, ['N'] = B_UPPER, ['O'] = B_UPPER,
    ['P'] = B_UPPER, ['Q'] = B_UPPER, ['R'] = B_UPPER, ['S'] = B_UPPER, ['T'] = B_UPPER,
    ['U'] = B_UPPER, ['V'] = B_UPPER, ['W'] = B_UPPER, ['X'] = B_UPPER, ['Y'] = B_UPPER,
    ['Z'] = B_UPPER,
};
/* clang-format on */

/*
 * One tight pass first. Each encoding needs one of: a symbol or two
 * capitals (base64), 16 characters with 3 digits and at most a fifth of
 * them letters past 'f' (hex), 8 digits, an alphanumeric run of
 * RANDOM_RUN (base32), and all of them min_chars; a name with none of
 * those is a host name, and that is nearly every name. Eight digits
 * matter only when the record type is a data-bearing one (data): asked
 * for an address they are a numbered host whatever the slow path says.
 * Attribute names ('_' labels) take the slow path, which leaves them out.
 */
enum cm_dns_encoding cm_dns_tunnel_classify(struct cm_str sub, uint32_t min_chars, bool data,
                                            struct cm_dns_name_shape *s)
{
    uint32_t count[B_DIGIT + 1] = {0}, dots = 0, run = 0, longest_run = 0, chars, digits;
    uint32_t streak = 0, best_streak = 0;   /* labels in a row that are one long run */
    uint32_t sstreak = 0, best_sstreak = 0; /* ... one run of JOINED_SHORT or more */
    bool attr = false, label_start = true;

    if (sub.p == NULL || sub.len == 0) {
        memset(s, 0, sizeof(*s));
        return CM_DNS_ENC_NONE;
    }
    for (size_t i = 0; i < sub.len; i++) {
        unsigned k = byte_class[(unsigned char)sub.p[i]];

        if (k <= B_DIGIT) {
            count[k]++;
            run += k != B_OTHER;
            continue;
        }
        longest_run = run > longest_run ? run : longest_run;
        streak = k == B_DOT && label_start && run >= JOINED_MIN ? streak + 1 : 0;
        best_streak = streak > best_streak ? streak : best_streak;
        sstreak = k == B_DOT && label_start && run >= JOINED_SHORT ? sstreak + 1 : 0;
        best_sstreak = sstreak > best_sstreak ? sstreak : best_sstreak;
        label_start = k == B_DOT;
        run = 0;
        dots += k == B_DOT;
        attr = attr || (k == B_UNDERSCORE && (i == 0 || sub.p[i - 1] == '.'));
    }
    longest_run = run > longest_run ? run : longest_run;
    streak = label_start && run >= JOINED_MIN ? streak + 1 : 0;
    best_streak = streak > best_streak ? streak : best_streak;
    sstreak = label_start && run >= JOINED_SHORT ? sstreak + 1 : 0;
    best_sstreak = sstreak > best_sstreak ? sstreak : best_sstreak;
    chars = (uint32_t)(sub.len - dots);
    digits = count[B_DIGIT];
    if (attr || (chars >= min_chars &&
                 (count[B_OTHER] > 0 || count[B_UPPER] >= 2 || (data && digits >= 8) ||
                  longest_run >= RANDOM_RUN || best_streak >= JOINED_LABELS ||
                  (best_sstreak >= JOINED_SHORT_LABELS && digits >= JOINED_SHORT_MIXED) ||
                  (digits >= 3 && chars >= 16 && count[B_LOWER] * 5 <= chars)))) {
        return full_shape(sub, min_chars, s);
    }
    memset(s, 0, sizeof(*s));
    s->chars = chars;
    return CM_DNS_ENC_NONE;
}

enum cm_dns_encoding cm_dns_tunnel_shape(struct cm_str sub, uint32_t min_chars,
                                         struct cm_dns_name_shape *s)
{
    return cm_dns_tunnel_classify(sub, min_chars, true, s);
}

const char *cm_dns_encoding_name(enum cm_dns_encoding e)
{
    static const char *const names[] = {"none", "base64", "hex", "base32", "digits"};

    return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "none";
}

/* ---- the allow list ---- */

const char *const *cm_dns_tunnel_allowlist(size_t *n)
{
    *n = NALLOW;
    return allow;
}

/* Whether name (no trailing dot) is dom or under it, ignoring case. */
static bool under(struct cm_str name, const char *dom, size_t dlen)
{
    const char *tail;

    if (dlen > 0 && dom[dlen - 1] == '.') {
        dlen--;
    }
    if (dlen == 0 || name.len < dlen || (name.len > dlen && name.p[name.len - dlen - 1] != '.')) {
        return false;
    }
    tail = name.p + name.len - dlen;
    for (size_t i = 0; i < dlen; i++) {
        unsigned char a = (unsigned char)tail[i], b = (unsigned char)dom[i];

        if (a >= 'A' && a <= 'Z') {
            a += 'a' - 'A';
        }
        if (b >= 'A' && b <= 'Z') {
            b += 'a' - 'A';
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

/* Whether dom (any case, no trailing dot) has a dot. */
static bool dotted(const char *dom, size_t len)
{
    return memchr(dom, '.', len) != NULL;
}

/* The labels of name, counted by its dots. */
static size_t labels(struct cm_str name)
{
    size_t k = 1;

    for (size_t i = 0; i < name.len; i++) {
        k += name.p[i] == '.';
    }
    return k;
}

/*
 * Whether name (no trailing dot) lies under an entry of the list or of extra. For a
 * search-list expansion's prefix (expansion true) only entries of two labels or more count,
 * and the TLDs aws and arpa under three labels or more of name.
 */
static bool under_listed(struct cm_str name, const struct cm_str *extra, size_t nextra,
                         bool expansion, struct cm_str *zone)
{
    for (size_t i = 0; i < NALLOW; i++) {
        size_t len = strlen(allow[i]);
        bool tld = strcmp(allow[i], "aws") == 0 || strcmp(allow[i], "arpa") == 0;

        if ((!expansion || dotted(allow[i], len) || (tld && labels(name) >= 3)) &&
            under(name, allow[i], len)) {
            *zone = cm_str_make(allow[i], len);
            return true;
        }
    }
    for (size_t i = 0; extra != NULL && i < nextra; i++) {
        if (extra[i].p != NULL && (!expansion || dotted(extra[i].p, extra[i].len)) &&
            under(name, extra[i].p, extra[i].len)) {
            *zone = extra[i];
            return true;
        }
    }
    return false;
}

bool cm_dns_tunnel_allowed(struct cm_str name, const struct cm_str *extra, size_t nextra)
{
    struct cm_str zone;

    if (name.p == NULL) {
        return false;
    }
    if (name.len > 0 && name.p[name.len - 1] == '.') {
        name.len--;
    }
    return under_listed(name, extra, nextra, false, &zone);
}

size_t cm_dns_tunnel_expansion_prefix(struct cm_str name, const struct cm_str *extra, size_t nextra,
                                      struct cm_str *zone)
{
    if (name.p == NULL) {
        return 0;
    }
    if (name.len > 0 && name.p[name.len - 1] == '.') {
        name.len--;
    }
    /*
     * Every proper prefix ending before a dot, the longest first: the name the search
     * suffix was added to (<id>.us-east-1.aws.found.io, not <id>.us-east-1.aws).
     */
    for (size_t p = name.len; p-- > 1;) {
        if (name.p[p] == '.' && under_listed(cm_str_make(name.p, p), extra, nextra, true, zone)) {
            return p;
        }
    }
    return 0;
}

bool cm_dns_tunnel_expansion(struct cm_str name, const struct cm_str *extra, size_t nextra)
{
    struct cm_str zone;

    return cm_dns_tunnel_expansion_prefix(name, extra, nextra, &zone) > 0;
}

enum cm_dns_encoding cm_dns_tunnel_classify_answer(struct cm_str data, uint32_t min_chars,
                                                   struct cm_dns_name_shape *s)
{
    uint32_t run = 0, longest = 0;

    if (cm_dns_tunnel_classify(data, min_chars, true, s) != CM_DNS_ENC_NONE ||
        s->chars < min_chars) {
        return s->enc;
    }
    for (size_t i = 0; i < data.len; i++) {
        char c = data.p[i];

        run = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    if (longest < ANSWER_RUN) {
        return CM_DNS_ENC_NONE;
    }
    /* Letters only, so at most about 4.7 bits each; counted at 4 (a 16-letter alphabet). */
    s->enc = CM_DNS_ENC_BASE32;
    s->bits = s->chars * 4;
    s->longest = longest;
    s->entropy = entropy_of(data.p, data.len, s->chars);
    return s->enc;
}

/* ---- answers ---- */

/*
 * Whether t is one token that may be data: no spaces or separators, and no
 * '=' but base64's trailing padding. SPF, DMARC, DKIM and the site
 * verification records ("name=token") are never data.
 */
static bool one_token(struct cm_str t)
{
    size_t i = 0;

    for (; i < t.len && t.p[i] != '='; i++) {
        char c = t.p[i];

        if (c == ' ' || c == ';' || c == ':' || c == ',' || c == '"' || c == '\\') {
            return false;
        }
    }
    for (; i < t.len; i++) {
        if (t.p[i] != '=') {
            return false;
        }
    }
    return t.len > 0;
}

/* t without a trailing ".dom" or ".dom." (any case); t itself when it has neither. */
static struct cm_str strip_domain(struct cm_str t, struct cm_str dom)
{
    if (t.len > 0 && t.p[t.len - 1] == '.') {
        t.len--;
    }
    if (t.len > dom.len + 1 && t.p[t.len - dom.len - 1] == '.' &&
        cm_str_ieq(cm_str_make(t.p + t.len - dom.len, dom.len), dom)) {
        t.len -= dom.len + 1;
    }
    return t;
}

bool cm_dns_tunnel_answer_data(const struct cm_dns_answer *a, struct cm_str dom, struct cm_str *out)
{
    struct cm_str r = a->rdata, left;

    if (r.p == NULL || r.len == 0) {
        return false;
    }
    switch (a->type) {
    case CM_DNS_RR_TXT:
    case CM_DNS_RR_NULL:
        if (r.len >= 2 && r.p[0] == '"' && r.p[r.len - 1] == '"') {
            r = cm_str_make(r.p + 1, r.len - 2);
        }
        *out = strip_domain(r, dom);
        return one_token(*out);
    case CM_DNS_RR_MX:
        while (r.len > 0 && r.p[0] >= '0' && r.p[0] <= '9') {
            r = cm_str_make(r.p + 1, r.len - 1); /* the preference */
        }
        while (r.len > 0 && r.p[0] == ' ') {
            r = cm_str_make(r.p + 1, r.len - 1);
        }
        /* fallthrough */
    case CM_DNS_RR_CNAME:
        left = strip_domain(r, dom);
        if (left.len == r.len || (left.len + 1 == r.len && r.p[r.len - 1] == '.')) {
            return false; /* not under dom */
        }
        *out = left;
        return left.len > 0;
    default:
        return false;
    }
}

bool cm_dns_tunnel_listing_answer(const struct cm_dns *q)
{
    if (q->nans == 0 || q->nanswers != q->nans || !cm_str_eqc(q->rcode, "NOERROR")) {
        return false;
    }
    for (uint32_t k = 0; k < q->nans; k++) {
        const struct cm_dns_answer *a = &q->ans[k];

        if (a->type != CM_DNS_RR_A || a->ip.family != CM_IP_V4 || a->ip.a[0] != 127 ||
            a->ip.a[1] != 0) {
            return false;
        }
    }
    return true;
}

bool cm_dns_tunnel_raw_answer(const struct cm_dns *q)
{
    for (uint32_t k = 0; k < q->nans; k++) {
        const struct cm_dns_answer *a = &q->ans[k];

        if (a->type != CM_DNS_RR_CNAME) {
            continue;
        }
        for (size_t i = 0; i < a->rdata.len; i++) {
            unsigned char c = (unsigned char)a->rdata.p[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.')) {
                return true;
            }
        }
    }
    return false;
}
