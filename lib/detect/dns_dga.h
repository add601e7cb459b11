/*
 * Trojan:EC2/DGADomainRequest.B (issue #7, docs/detectors/dns-dga.md): an
 * instance asks, within a window of event time, for a burst of distinct
 * registered domains that the DGA model (dga.h) scores high. One odd name
 * is not a finding; NXDOMAIN answers (typical of a DGA walking its list)
 * count double. Names on a trusted intel list never count.
 *
 * This header also holds the DGA model's internals (the layout that the
 * trainer tools/dga/ and the generated lib/detect/dga_weights.c share with
 * dga.c): dga.h stays the small public API.
 */
#ifndef CM_DETECT_DNS_DGA_H
#define CM_DETECT_DNS_DGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/domain.h"
#include "detect/detect.h"
#include "detect/dga.h"

/* ---- the detector (dns_dga.c) ---- */

/*
 * Settings of the DGA detector; a zero member takes its documented default
 * (the CM_DNS_DGA_* values at the top of dns_dga.c, chosen from the data).
 */
struct cm_dns_dga_tuning {
    double threshold;    /* a registered domain scoring at least this is DGA-like (0.95) */
    double nx_threshold; /* ... and one answered NXDOMAIN scoring at least this (0.8) */
    uint32_t burst;      /* weighted distinct DGA-like domains in a window that fire (8) */
    uint32_t nx_weight;  /* weight of a DGA-like domain answered NXDOMAIN (2; others 1) */
    int64_t window_ms;   /* the window, and the least time between two detections (10 min) */
    size_t max_entries;  /* memcap of the per-instance table (65536) */
};

/*
 * Makes the detector's state with tuning t (copied; NULL: every default).
 * The built-in detector's init() calls this. Returns 0, CM_EINVAL (a
 * threshold or nx_threshold above 1, a burst above 64, an nx_weight above
 * 255) or CM_ENOMEM.
 */
int cm_dns_dga_init(void **state, const struct cm_detect_opts *opts,
                    const struct cm_dns_dga_tuning *t);

/* ---- the model's internals (dga.c, dga_weights.c, tools/dga/) ---- */

#define CM_DGA_VERSION    1
#define CM_DGA_MAX_LABEL  63 /* longer labels are scored on their first 63 characters */
#define CM_DGA_NGRAM_MAX  5  /* longest character n-gram */
#define CM_DGA_BITS_MIN   8  /* n-gram table of 2^bits weights */
#define CM_DGA_BITS_MAX   22
#define CM_DGA_MAX_FEATS  400 /* indices cm_dga_features() can return */
#define CM_DGA_WEIGHT_MAX 32767
#define CM_DGA_TOKW       1024 /* entries of a model's token table (struct cm_dga_model.tokw) */

/* Hand features, each hashed as a token into the same table (struct cm_dga_model.tokens). */
#define CM_DGA_TOK_LEN     0x01u  /* the label's length */
#define CM_DGA_TOK_DIGITS  0x02u  /* how many digits */
#define CM_DGA_TOK_CONS    0x04u  /* the longest run of consonants */
#define CM_DGA_TOK_VOWELS  0x08u  /* vowels per letter, in tenths */
#define CM_DGA_TOK_ENTROPY 0x10u  /* character entropy, in quarter bits */
#define CM_DGA_TOK_HYPHENS 0x20u  /* how many hyphens */
#define CM_DGA_TOK_SWITCH  0x40u  /* switches between letters and digits */
#define CM_DGA_TOK_LENVOW  0x80u  /* length (in fours) crossed with the vowel share */
#define CM_DGA_TOK_LM      0x100u /* benign character model: bits per character, in quarters */
#define CM_DGA_TOK_LMLEN   0x200u /* ... crossed with the length (in fours) */
#define CM_DGA_TOK_LMMIN   0x400u /* ... the least likely character, in bits */
#define CM_DGA_TOK_ALL     0x7ffu

/*
 * The benign character model: a second-order Markov chain over
 * CM_DGA_LM_SYMS symbols (a-z, 0-9, '-', any other byte, begin, end), its
 * log2 probabilities in units of 1/CM_DGA_LM_UNIT bit, indexed
 * (a * SYMS + b) * SYMS + c for c following a b. Trained on benign names
 * only, it says how unlike a benign name the label is (whatever made it).
 */
#define CM_DGA_LM_SYMS 40
#define CM_DGA_LM_SIZE (CM_DGA_LM_SYMS * CM_DGA_LM_SYMS * CM_DGA_LM_SYMS)
#define CM_DGA_LM_UNIT 256

/* n-gram features: plain counts, or divided by the square root of how many there are. */
enum cm_dga_norm { CM_DGA_NORM_NONE = 0, CM_DGA_NORM_SQRT = 1 };

/*
 * A logistic regression over hashed character n-grams of the label with
 * begin and end markers ('^' label '$'), n in [ngram_min, ngram_max], plus
 * the hand-feature tokens (some from the benign character model lm, when
 * the model has one). Weights are integers in units of 1/quant:
 *   z = (bias + sum(tokens) + sum(n-grams) * norm) / quant, score = 1 / (1 + e^-z)
 * where norm is 1 or 1/sqrt(number of n-grams).
 */
struct cm_dga_model {
    uint32_t version;   /* CM_DGA_VERSION */
    uint32_t hash_bits; /* the table has 1 << hash_bits weights */
    uint32_t ngram_min, ngram_max;
    uint32_t norm;   /* enum cm_dga_norm */
    uint32_t tokens; /* CM_DGA_TOK_* in use */
    uint32_t quant;  /* weight units per 1.0 of log-odds */
    int32_t bias;    /* in weight units */
    uint64_t seed;   /* hash seed of n-grams and tokens */
    const int16_t *w;
    const int16_t *lm; /* CM_DGA_LM_SIZE log2 probabilities, or NULL (no LM tokens then) */
    /*
     * The weight of every hand-feature token, by kind and value, read out of
     * w once (cm_dga_token_table): a score then reads 2 KiB, not a token's
     * scattered slot of w. NULL: a score hashes each token (a model in
     * training, whose w changes).
     */
    const int16_t *tokw;
    int16_t *owned; /* w, lm and tokw of a parsed model (one block, freed with it); NULL built-in */
};

/* The built-in model's table (generated by tools/dga/ into lib/detect/dga_weights.c). */
extern const struct cm_dga_model cm_dga_builtin_model;

/*
 * The feature indices of label (lowercase, len bytes; only the first
 * CM_DGA_MAX_LABEL count): the n-grams first (*n_ngrams of them), then the
 * tokens. Returns the total, at most CM_DGA_MAX_FEATS. Pure, no allocation.
 */
size_t cm_dga_features(const struct cm_dga_model *m, const char *label, size_t len, uint32_t *idx,
                       size_t *n_ngrams);

/*
 * The model's score of one label (what cm_dga_score scores), in [0, 1]:
 * the n-gram weights summed as the n-grams are hashed, not listed.
 */
double cm_dga_score_label(const struct cm_dga_model *m, const char *label, size_t len);

/*
 * Fills tokw[0..CM_DGA_TOKW) with the weight in m->w of every hand-feature
 * token (the table a model's tokw points to; unused entries 0).
 */
void cm_dga_token_table(const struct cm_dga_model *m, int16_t *tokw);

/*
 * The score of a feature list of cm_dga_features (idx[0..n), the first
 * n_ngrams the n-grams): the definition cm_dga_score_label computes
 * faster. test_dga and fuzz_dga_model check that the two agree to the bit.
 */
double cm_dga_score_features(const struct cm_dga_model *m, const uint32_t *idx, size_t n,
                             size_t n_ngrams);

/*
 * True when d's registered domain sits under a private suffix of a cloud,
 * CDN or hosting provider (cloudfront.net, *.amazonaws.com, akamaiedge.net,
 * herokuapp.com...): there the label is made by a machine for a customer
 * (a distribution id, a bucket, a load balancer) and cm_dga_score gives 0.
 * Dynamic-DNS suffixes (duckdns.org, ddns.net) are not on the list: DGAs
 * use them.
 */
bool cm_dga_cloud_suffix(const struct cm_domain *d);

#endif
