/*
 * The DGA model (dga.h; layout in dns_dga.h; docs/detectors/dns-dga.md):
 * a logistic regression over hashed character n-grams of the registered
 * domain's label plus a few hand features hashed as tokens into the same
 * table, trained by tools/dga/ and shipped as data/dga/model.txt and as the
 * const tables of dga_weights.c (cm_dga_builtin_model).
 *
 * Scoring: one pass over '^' label '$' that hashes every n-gram with a
 * running multiplicative hash per start position, one pass for the hand
 * features and the benign character model, then a sum of 16-bit weights
 * and one exp(). A hand-feature token's weight is read from the model's
 * token table (tokw, 2 KiB, by kind and value; made from w when a model is
 * parsed, generated for the built-in one), not from its hashed slot of w,
 * which is the same number scattered over 512 KiB. No allocation, no
 * state: the model is immutable once made,
 * so any thread may score with it. Names under the private suffixes of
 * cloud and CDN providers are not scored (cm_dga_cloud_suffix). A model
 * file is read by dga_parse.c.
 */
#include "detect/dns_dga.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/dns.h"

#define TOK_MULT  0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */
#define TOK_ADD   0x632be59bd9b4e019ULL
#define ALPHA     38 /* character classes for the entropy: a-z, 0-9, '-', anything else */
#define SYM_BEGIN 38
#define SYM_END   39

/* c * log2(c) for c = 0..65, in units of 1/1024: the label's entropy without a log per name. */
static const uint32_t nlog2n[66] = {
    0,      0,      2048,   4869,   8192,   11888,  15882,  20123,  24576,  29214,  34017,
    38967,  44052,  49260,  54582,  60010,  65536,  71155,  76860,  82648,  88513,  94452,
    100462, 106539, 112680, 118883, 125145, 131463, 137836, 144263, 150740, 157266, 163840,
    170460, 177125, 183834, 190584, 197376, 204207, 211078, 217986, 224931, 231913, 238929,
    245980, 253065, 260182, 267331, 274512, 281724, 288965, 296237, 303537, 310866, 318222,
    325606, 333017, 340454, 347917, 355406, 362919, 370458, 378020, 385606, 393216, 400849,
};

/*
 * Private suffixes of cloud, CDN and hosting providers whose customers'
 * labels are made by machines (distribution ids, bucket and load-balancer
 * names, app ids): a name under one of them, or under a sub-suffix of one
 * (us-east-1.elb.amazonaws.com), is never DGA-scored. Only consulted when
 * libpsl says the suffix is in the PRIVATE section; an ICANN suffix means
 * the provider's own domain is the registered one (azureedge.net) and its
 * label is an ordinary word. Dynamic-DNS and free-subdomain suffixes are
 * deliberately absent: DGAs use them (ddns.net, duckdns.org).
 */
static const char *const cloud_suffixes[] = {
    /* AWS: S3, ELB, EC2, Elastic Beanstalk, API Gateway, Lambda URLs, CloudFront... */
    "amazonaws.com",
    "amazonaws.com.cn",
    "cloudfront.net",
    "on.aws",
    "awsglobalaccelerator.com",
    "elasticbeanstalk.com",
    "amplifyapp.com",
    "awsapps.com",
    /* Akamai */
    "akamaiedge.net",
    "akamaized.net",
    "akamaihd.net",
    "akamai.net",
    "edgekey.net",
    "edgesuite.net",
    /* Microsoft Azure */
    "azurewebsites.net",
    "azurestaticapps.net",
    "azurecontainer.io",
    "azure-api.net",
    "azureedge.net",
    "azurefd.net",
    "cloudapp.net",
    "cloudapp.azure.com",
    "windows.net",
    "trafficmanager.net",
    /* Google Cloud and Firebase */
    "googleusercontent.com",
    "appspot.com",
    "cloudfunctions.net",
    "run.app",
    "web.app",
    "firebaseapp.com",
    "withgoogle.com",
    /* other CDNs and application platforms */
    "fastly.net",
    "fastlylb.net",
    "herokuapp.com",
    "herokudns.com",
    "github.io",
    "githubusercontent.com",
    "vercel.app",
    "now.sh",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "r2.dev",
    "cdn77.org",
    "digitaloceanspaces.com",
    "ondigitalocean.app",
    "oraclecloud.com",
    "customer-oci.com",
    "ngrok.io",
    "ngrok.app",
    "ngrok-free.app",
    /* content addressing: IPFS's subdomain gateway, every content id its own registered domain */
    "dweb.link",
};

bool cm_dga_cloud_suffix(const struct cm_domain *d)
{
    struct cm_str sfx;

    if (!d->private_suffix || d->sfx >= d->len) {
        return false;
    }
    sfx = cm_domain_suffix(d);
    for (size_t i = 0; i < sizeof(cloud_suffixes) / sizeof(cloud_suffixes[0]); i++) {
        const char *e = cloud_suffixes[i];
        size_t n = strlen(e);

        if (sfx.len >= n && memcmp(sfx.p + sfx.len - n, e, n) == 0 &&
            (sfx.len == n || sfx.p[sfx.len - n - 1] == '.')) {
            return true;
        }
    }
    return false;
}

/* ---- features ---- */

/*
 * The symbol of each byte, for the hand features and the character model:
 * a-z 0-25 (either case), 0-9 26-35, '-' 36, anything else 37.
 */
static const uint8_t sym_of[256] = {
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 36, 37, 37,
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 37, 37, 37, 37, 37, 37, 0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 37, 37, 37, 37, 37,
    37, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
    23, 24, 25, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
};

/* Symbols that are vowels: a e i o u y. */
#define VOWELS ((1u << 0) | (1u << 4) | (1u << 8) | (1u << 14) | (1u << 20) | (1u << 24))

/* Symbols that are consonants: the letters but the vowels. */
#define CONSONANTS (((1ULL << 26) - 1) & ~(uint64_t)VOWELS)

/* The kind of each symbol for the letter/digit switches: 1 a letter, 2 a digit, 0 else. */
static const uint8_t cls_of[ALPHA] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* a-z */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2,                                                 /* 0-9 */
    0, 0,                                                                         /* '-', other */
};

/*
 * The slot of hand-feature token (kind, value) in a table of 2^(64 - shift)
 * weights: multiplicative hashing of the seeded pair.
 */
static inline uint32_t token(uint64_t seed, unsigned shift, unsigned kind, unsigned value)
{
    return (uint32_t)(((seed ^ ((uint64_t)kind << 32 | value)) * TOK_MULT + TOK_ADD) >> shift);
}

static inline unsigned cap(unsigned v, unsigned max)
{
    return v > max ? max : v;
}

/*
 * The token table (struct cm_dga_model.tokw): where each kind's values
 * start, and what they are.
 */
#define TB_LEN     0u   /* kind 1: the length, 0..63 */
#define TB_DIGITS  64u  /* kind 2: 0..12 */
#define TB_CONS    77u  /* kind 3: 0..10 */
#define TB_VOWELS  88u  /* kind 4: 0..11 */
#define TB_ENTROPY 100u /* kind 5: 0..24 */
#define TB_HYPHENS 125u /* kind 6: 0..4 */
#define TB_SWITCH  130u /* kind 7: 0..12 */
#define TB_LENVOW  143u /* kind 8: (0..15) << 4 | (0..11) */
#define TB_LM      399u /* kind 9: 0..64 */
#define TB_LMLEN   464u /* kind 10: (0..15) << 8 | (0..32), at (0..15) * 33 + (0..32) */
#define TB_LMMIN   992u /* kind 11: 0..24 */
#define TB_END     1017u
_Static_assert(TB_END <= CM_DGA_TOKW, "the token table holds every token");

/* A hand-feature token as hand_tokens lists it: its table slot, kind and value. */
static inline uint32_t tok_key(unsigned slot, unsigned kind, unsigned value)
{
    return (uint32_t)slot << 16 | kind << 12 | value;
}

/* The slot in w of a token hand_tokens listed. */
static inline uint32_t tok_hashed(uint64_t seed, unsigned shift, uint32_t key)
{
    return token(seed, shift, (key >> 12) & 15u, key & 0xfffu);
}

/*
 * One hand-feature token: with a token table, its weight added to *t;
 * without, listed in key[*n] (tok_key).
 */
static inline __attribute__((always_inline)) void tok_emit(const int16_t *tokw, int32_t *t,
                                                           uint32_t *key, size_t *n, unsigned slot,
                                                           unsigned kind, unsigned value)
{
    if (tokw != NULL) {
        *t += tokw[slot];
    } else {
        key[(*n)++] = tok_key(slot, kind, value);
    }
}

/* The first hash of every n-gram (see ngrams below). */
static inline uint64_t ngram_h0(const struct cm_dga_model *m)
{
    return (m->seed ^ 0xcbf29ce484222325ULL) * TOK_MULT;
}

/* '^' label[0..len) '$' into s (CM_DGA_MAX_LABEL + 2 bytes); returns its length. */
static inline size_t marked(const unsigned char *label, size_t len, unsigned char *s)
{
    s[0] = '^';
    memcpy(s + 1, label, len);
    s[len + 1] = '$';
    return len + 2;
}

/*
 * The n-grams of '^' s[0..len) '$': from each start, a running hash
 * h = (h + byte + 1) * K over the next ngram_max bytes; the top hash_bits
 * bits of h after k bytes are the slot of that k-gram (multiplicative
 * hashing: one multiply an n-gram). This is the definition, in the order
 * the trainer sees the features; ngram_sum below is the scorer's fast
 * copy of it for the usual 1- to 5-grams (test_dga checks they agree).
 */
static size_t ngrams(const struct cm_dga_model *m, const unsigned char *label, size_t len,
                     uint32_t *idx)
{
    const unsigned shift = 64 - m->hash_bits, lo = m->ngram_min, hi = m->ngram_max;
    const uint64_t h0 = ngram_h0(m);
    unsigned char s[CM_DGA_MAX_LABEL + 2];
    size_t total = marked(label, len, s), n = 0;

    for (size_t i = 0; i < total; i++) {
        size_t kmax = total - i < hi ? total - i : hi;
        uint64_t h = h0;

        for (size_t k = 0; k < kmax; k++) {
            h = (h + s[i + k] + 1) * TOK_MULT;
            if (k + 1 >= lo) {
                idx[n++] = (uint32_t)(h >> shift);
            }
        }
    }
    return n;
}

/* The running hash *h one byte c on, and the weight of the n-gram that byte ends. */
static inline int32_t gram(const int16_t *w, unsigned shift, uint64_t *h, unsigned char c)
{
    *h = (*h + c + 1) * TOK_MULT;
    return w[*h >> shift];
}

/* ngram_sum by ngrams()' list; kept out of line, off the usual path. */
static __attribute__((noinline)) int64_t
listed_sum(const struct cm_dga_model *m, const unsigned char *label, size_t len, size_t *count)
{
    uint32_t idx[CM_DGA_MAX_FEATS];
    size_t n = ngrams(m, label, len, idx);
    int64_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += m->w[idx[i]];
    }
    *count = n;
    return sum;
}

/*
 * The summed weights of the n-grams ngrams() lists, and (*count) how many
 * there are. For the shipped model's 1- to 5-grams, the same hashes with
 * each weight added as its slot is found; other models and labels under
 * three bytes take ngrams()' list.
 */
static int64_t ngram_sum(const struct cm_dga_model *m, const unsigned char *label, size_t len,
                         size_t *count)
{
    const unsigned shift = 64 - m->hash_bits;
    const uint64_t h0 = ngram_h0(m);
    const int16_t *w = m->w;
    unsigned char s[CM_DGA_MAX_LABEL + 2];
    const unsigned char *t;
    size_t total;
    int64_t sum = 0;
    int32_t part = 0;

    if (m->ngram_min != 1 || m->ngram_max != 5 || len + 2 < 5) {
        return listed_sum(m, label, len, count);
    }
    total = marked(label, len, s);
    /* Every start with five bytes after it, unrolled. */
    for (size_t i = 0; i + 5 <= total; i++) {
        uint64_t h = h0;
        int32_t five = gram(w, shift, &h, s[i]);

        five += gram(w, shift, &h, s[i + 1]);
        five += gram(w, shift, &h, s[i + 2]);
        five += gram(w, shift, &h, s[i + 3]);
        five += gram(w, shift, &h, s[i + 4]);
        sum += five;
    }
    /* The last four starts: a 4-gram and shorter, a 3-gram and shorter, ... */
    t = s + total - 4;
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; j++) {
        uint64_t h = h0;

#pragma GCC unroll 4
        for (size_t k = j; k < 4; k++) {
            part += gram(w, shift, &h, t[k]);
        }
    }
    *count = 5 * (total - 4) + 10;
    return sum + part;
}

/* What the one pass over a label keeps (hand_tokens). */
struct pass {
    unsigned char counts[ALPHA]; /* of each symbol */
    uint32_t sum;                /* of count * log2(count) over the symbols (1/1024 bit) */
    unsigned run, maxrun;        /* consonants in a row: now, and the most */
    unsigned sw;                 /* switches between letters and digits */
    unsigned prev; /* the kind of the last letter or digit: 1 letter, 2 digit, 0 none */
};

/* Counts byte ch into p; returns its symbol. No branch depends on the byte. */
static inline unsigned pass_char(struct pass *p, unsigned char ch)
{
    unsigned k = sym_of[ch], c = p->counts[k], cur = cls_of[k];

    p->sum += nlog2n[c + 1] - nlog2n[c];
    p->counts[k] = (unsigned char)(c + 1);
    p->run = (p->run + 1) & (0u - (unsigned)((CONSONANTS >> k) & 1u));
    p->maxrun = p->run > p->maxrun ? p->run : p->maxrun;
    p->sw += (cur ^ p->prev) == 3u; /* one a letter, the other a digit */
    p->prev = cur != 0 ? cur : p->prev;
    return k;
}

/*
 * The hand-feature tokens of label[0..len) (len <= CM_DGA_MAX_LABEL) that
 * m uses: with tokw (m's token table) NULL, listed in key (tok_key: the
 * slot in the token table, the kind and the value, which tok_hashed
 * hashes into w), at most 11, and their number returned; else their
 * weights added to *t. Inlined into both uses, so neither tests tokw.
 * One pass over the label keeps what needs the order of the characters
 * (the longest consonant run, letter/digit switches, the character
 * model's log-likelihood) and the count of each symbol; the rest comes
 * from the counts.
 */
static inline __attribute__((always_inline)) size_t hand_tokens(const struct cm_dga_model *m,
                                                                const unsigned char *s, size_t len,
                                                                uint32_t *key, const int16_t *tokw,
                                                                int32_t *t)
{
    const int16_t *lm =
        m->lm != NULL && (m->tokens & (CM_DGA_TOK_LM | CM_DGA_TOK_LMLEN | CM_DGA_TOK_LMMIN)) ? m->lm
                                                                                             : NULL;
    struct pass p = {{0}, 0, 0, 0, 0, 0};
    unsigned digits = 0, vowels, letters;
    int32_t ll = 0, low = 0;
    size_t n = 0;
    /* In a local: stores to key could otherwise be stores to *m. */
    const uint32_t mask = m->tokens;

    if (lm != NULL) {
        /* ctx: the two symbols before, (a * SYMS + b) * SYMS; b: the one before. */
        size_t ctx = (SYM_BEGIN * CM_DGA_LM_SYMS + SYM_BEGIN) * CM_DGA_LM_SYMS, b = SYM_BEGIN;
        int32_t v;

        for (size_t i = 0; i < len; i++) {
            unsigned k = pass_char(&p, s[i]);

            v = lm[ctx + k];
            ll += v;
            low = v < low ? v : low;
            ctx = (b * CM_DGA_LM_SYMS + k) * CM_DGA_LM_SYMS;
            b = k;
        }
        v = lm[ctx + SYM_END];
        ll += v;
        low = v < low ? v : low;
    } else {
        for (size_t i = 0; i < len; i++) {
            pass_char(&p, s[i]);
        }
    }
    for (unsigned k = 26; k < 36; k++) {
        digits += p.counts[k];
    }
    vowels = (unsigned)p.counts[0] + p.counts[4] + p.counts[8] + p.counts[14] + p.counts[20] +
             p.counts[24];
    letters = (unsigned)len - digits - p.counts[36] - p.counts[37]; /* the rest: hyphens, others */
    {
        unsigned vow10 = letters ? (vowels * 10 + letters / 2) / letters : 11;
        double ent = len ? (double)(nlog2n[len] - p.sum) / 1024.0 / (double)len : 0.0;

        if (mask & CM_DGA_TOK_LEN) {
            tok_emit(tokw, t, key, &n, TB_LEN + (unsigned)len, 1, (unsigned)len);
        }
        if (mask & CM_DGA_TOK_DIGITS) {
            unsigned v = cap(digits, 12);

            tok_emit(tokw, t, key, &n, TB_DIGITS + v, 2, v);
        }
        if (mask & CM_DGA_TOK_CONS) {
            unsigned v = cap(p.maxrun, 10);

            tok_emit(tokw, t, key, &n, TB_CONS + v, 3, v);
        }
        if (mask & CM_DGA_TOK_VOWELS) {
            tok_emit(tokw, t, key, &n, TB_VOWELS + vow10, 4, vow10);
        }
        if (mask & CM_DGA_TOK_ENTROPY) {
            unsigned v = cap((unsigned)(ent * 4.0), 24);

            tok_emit(tokw, t, key, &n, TB_ENTROPY + v, 5, v);
        }
        if (mask & CM_DGA_TOK_HYPHENS) {
            unsigned v = cap(p.counts[36], 4);

            tok_emit(tokw, t, key, &n, TB_HYPHENS + v, 6, v);
        }
        if (mask & CM_DGA_TOK_SWITCH) {
            unsigned v = cap(p.sw, 12);

            tok_emit(tokw, t, key, &n, TB_SWITCH + v, 7, v);
        }
        if (mask & CM_DGA_TOK_LENVOW) {
            unsigned v = cap((unsigned)len / 4, 15) << 4 | vow10;

            tok_emit(tokw, t, key, &n, TB_LENVOW + v, 8, v);
        }
    }
    if (lm != NULL) {
        double avg = -(double)ll / (double)(len + 1) / CM_DGA_LM_UNIT; /* bits per character */

        if (mask & CM_DGA_TOK_LM) {
            unsigned v = cap((unsigned)(avg * 4.0), 64);

            tok_emit(tokw, t, key, &n, TB_LM + v, 9, v);
        }
        if (mask & CM_DGA_TOK_LMLEN) {
            unsigned q = cap((unsigned)len / 4, 15), a = cap((unsigned)(avg * 2.0), 32);

            tok_emit(tokw, t, key, &n, TB_LMLEN + q * 33 + a, 10, q << 8 | a);
        }
        if (mask & CM_DGA_TOK_LMMIN) {
            unsigned v = cap((unsigned)(-low / CM_DGA_LM_UNIT), 24);

            tok_emit(tokw, t, key, &n, TB_LMMIN + v, 11, v);
        }
    }
    return n;
}

/* hand_tokens listing the tokens (a model without a token table, or its feature list). */
static __attribute__((noinline)) size_t hand_keys(const struct cm_dga_model *m,
                                                  const unsigned char *s, size_t len, uint32_t *key)
{
    return hand_tokens(m, s, len, key, NULL, NULL);
}

size_t cm_dga_features(const struct cm_dga_model *m, const char *label, size_t len, uint32_t *idx,
                       size_t *n_ngrams)
{
    const unsigned char *s = (const unsigned char *)label;
    size_t n, nt;

    if (len > CM_DGA_MAX_LABEL) {
        len = CM_DGA_MAX_LABEL;
    }
    n = ngrams(m, s, len, idx);
    *n_ngrams = n;
    if (m->tokens == 0) {
        return n;
    }
    nt = hand_keys(m, s, len, idx + n);
    for (size_t i = n; i < n + nt; i++) {
        idx[i] = tok_hashed(m->seed, 64 - m->hash_bits, idx[i]);
    }
    return n + nt;
}

void cm_dga_token_table(const struct cm_dga_model *m, int16_t *tokw)
{
    /* Where kind k's slots start; they end where kind k + 1's start. */
    static const uint16_t base[] = {0,          TB_LEN,     TB_DIGITS, TB_CONS,   TB_VOWELS,
                                    TB_ENTROPY, TB_HYPHENS, TB_SWITCH, TB_LENVOW, TB_LM,
                                    TB_LMLEN,   TB_LMMIN,   TB_END};
    const unsigned shift = 64 - m->hash_bits;

    memset(tokw, 0, CM_DGA_TOKW * sizeof(*tokw));
    /* Every kind but 10: its values 0, 1, ... in its slots in order. */
    for (unsigned k = 1; k <= 11; k++) {
        for (unsigned v = 0; k != 10 && v < (unsigned)(base[k + 1] - base[k]); v++) {
            tokw[base[k] + v] = m->w[tok_hashed(m->seed, shift, tok_key(0, k, v))];
        }
    }
    for (unsigned q = 0; q < 16; q++) {
        for (unsigned a = 0; a <= 32; a++) {
            tokw[TB_LMLEN + q * 33 + a] =
                m->w[tok_hashed(m->seed, shift, tok_key(0, 10, q << 8 | a))];
        }
    }
}

/* The score from the n-grams' summed weights (nng of them) and the bias plus token weights. */
static double logistic(const struct cm_dga_model *m, int64_t ng, size_t nng, int64_t t)
{
    double z = (double)ng;

    if (m->norm == CM_DGA_NORM_SQRT && nng > 0) {
        z /= sqrt((double)nng);
    }
    z = (z + (double)t) / (double)m->quant;
    if (z > 40.0) {
        return 1.0;
    }
    if (z < -40.0) {
        return 0.0;
    }
    return 1.0 / (1.0 + exp(-z));
}

double cm_dga_score_features(const struct cm_dga_model *m, const uint32_t *idx, size_t n,
                             size_t n_ngrams)
{
    int64_t ng = 0, t = m->bias;

    for (size_t i = 0; i < n_ngrams; i++) {
        ng += m->w[idx[i]];
    }
    for (size_t i = n_ngrams; i < n; i++) {
        t += m->w[idx[i]];
    }
    return logistic(m, ng, n_ngrams, t);
}

double cm_dga_score_label(const struct cm_dga_model *m, const char *label, size_t len)
{
    const unsigned char *s = (const unsigned char *)label;
    uint32_t tok[16];
    size_t nng, nt = 0;
    int64_t ng, t;

    if (len > CM_DGA_MAX_LABEL) {
        len = CM_DGA_MAX_LABEL;
    }
    ng = ngram_sum(m, s, len, &nng);
    t = m->bias;
    if (m->tokens != 0 && m->tokw != NULL) {
        int32_t tw = 0;

        (void)hand_tokens(m, s, len, NULL, m->tokw, &tw);
        t += tw;
    } else if (m->tokens != 0) {
        nt = hand_keys(m, s, len, tok);
        for (size_t i = 0; i < nt; i++) {
            t += m->w[tok_hashed(m->seed, 64 - m->hash_bits, tok[i])];
        }
    }
    return logistic(m, ng, nng, t);
}

double cm_dga_score(const struct cm_dga_model *m, const struct cm_domain *d)
{
    size_t n;

    if (m == NULL || d->reg >= d->sfx || d->sfx > d->len || cm_dga_cloud_suffix(d)) {
        return 0.0;
    }
    n = d->sfx - d->reg;
    if (n < 2) {
        return 0.0; /* the label and its dot */
    }
    return cm_dga_score_label(m, d->name + d->reg, n - 1);
}

const struct cm_dga_model *cm_dga_model_builtin(void)
{
    return &cm_dga_builtin_model;
}

const struct cm_dga_model *cm_dns_model(const struct cm_detect_config *cfg)
{
    return cfg != NULL && cfg->dga != NULL ? cfg->dga : &cm_dga_builtin_model;
}

void cm_dga_model_free(struct cm_dga_model *m)
{
    if (m != NULL && m != &cm_dga_builtin_model) {
        cm_free(m->owned);
        cm_free(m);
    }
}
