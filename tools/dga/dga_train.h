/*
 * dga-train: trains, evaluates and exports the DGA model of
 * lib/detect/dga.c (issue #7; docs/detectors/dns-dga.md, data/dga/README.md).
 * A tool, not lib/: it reads files, prints, and uses the clock.
 *
 *   data.c    loads the labelled names of ../shared/data (dns-dga, top-domains)
 *   cloud.c   makes the hand-written cloud/CDN hard negatives
 *   synth.c   makes the synthetic generated names (one family per class of DGA)
 *   train.c   logistic regression by Adagrad over the features of dga.c, quantised
 *   eval.c    the random and family-disjoint splits: ROC AUC, FPR at 90/99 % detection
 *   nn.c      experimental non-linear models (--nn, --stack), for the evaluations only
 *   write.c   data/dga/model.txt and lib/detect/dga_weights.c
 *   main.c    the command line
 *
 * Nothing from the data is ever written out: only weights.
 */
#ifndef CM_TOOLS_DGA_TRAIN_H
#define CM_TOOLS_DGA_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/dns_dga.h"

#define FAM_BENIGN   0 /* top lists, Alexa rows of chrmor */
#define FAM_RANDOM   1 /* opendns-random-domains: benign, random-looking (hard negatives) */
#define MAX_FAMILIES 64

/* One labelled registered-domain label. */
struct sample {
    char label[CM_DGA_MAX_LABEL + 1];
    uint8_t len;
    uint8_t dga;     /* 1: generated */
    uint16_t family; /* index in struct dataset.family */
};

struct dataset {
    struct sample *s;
    size_t n, cap;
    char *family[MAX_FAMILIES]; /* names; 0 and 1 are the benign groups */
    size_t nfamily;
    size_t per_family[MAX_FAMILIES]; /* samples after deduplication */
    struct {
        char path[512];
        size_t lines;
    } files[32];
    size_t nfiles;
};

/* splitmix64: the tool's only randomness, seeded from the command line. */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* data.c: loads every known file under dir (dns-dga/, top-domains/); 0 or -1 (printed). */
int data_load(struct dataset *ds, const char *dir);
void data_free(struct dataset *ds);
/* The family index of name, added when new. */
uint16_t data_family(struct dataset *ds, const char *name);

/* cloud.c: n cloud/CDN host names (full names, NUL-terminated, in out[i], 256 bytes each). */
void cloud_names(char (*out)[256], size_t n, uint64_t seed);

/* synth.c: the synthetic families, made while training (never evaluated). */
#define SYNTH_FAMILIES 5
/*
 * Writes per_family names of each synthetic family (family ids first_family
 * and on) to out (room for SYNTH_FAMILIES * per_family); the word family
 * takes its words from the benign samples of use. Returns how many (0 when
 * out of memory).
 */
size_t synth_make(const struct dataset *ds, const uint8_t *use, size_t per_family,
                  uint16_t first_family, uint64_t seed, struct sample *out);

/* train.c */
struct train_opts {
    uint32_t bits, ngram_min, ngram_max, norm, tokens;
    uint64_t hash_seed, seed;
    unsigned epochs;
    double lr, l2;
    size_t family_cap; /* training samples kept per DGA family (0: all) */
    bool lm;           /* train and use the benign character model */
    double balance;    /* family weights: (largest / size)^balance (0: every sample 1) */
    size_t synth;      /* names per synthetic family (synth.c), training only; 0: none */
    bool quiet;
    /* nn.c, the experimental non-linear models (evaluation only) */
    unsigned nn_dim, nn_hidden, nn_bits, nn_mode; /* --nn (nn_dim 0: none), --nn-mode */
    double nn_lr;
    double nn_alpha;                      /* > 0: the network trains alone, added times this */
    bool nn_only;                         /* the network alone (the linear weights stay 0) */
    unsigned stack, st_hidden, st_epochs; /* --stack: inner folds (0: none), units, epochs */
    double st_lr;
    bool st_random;   /* the stacker's inner folds split the samples at random, not by family */
    bool st_mix;      /* ... both ways, a row of each per sample */
    unsigned st_mask; /* the stacker's inputs in use (stk_dense's order; 0: all) */
};

/*
 * nn.c: the experimental non-linear models (a network or a stacker; the
 * file's comment says which options make which), evaluation only.
 */
struct nn;
struct nn *nn_new(unsigned dim, unsigned hidden, unsigned bits, double lr, unsigned mode,
                  uint64_t seed);
void nn_free(struct nn *n);
void nn_set_alpha(struct nn *n, double alpha);
double nn_forward(const struct nn *n, const uint32_t *f, size_t nf, size_t nng);
/* One training step; returns the network's logit (before the step). */
double nn_step(struct nn *n, const uint32_t *f, size_t nf, size_t nng, double zlin, double y,
               double sw);
/* The model's score of label with n's logit added (n NULL: cm_dga_score_label). */
double nn_score_label(const struct cm_dga_model *m, const struct nn *n, const char *label,
                      size_t len);
/* The same for a name, with cm_dga_score's rules (no registered domain, cloud suffixes: 0). */
double nn_score(const struct cm_dga_model *m, const struct nn *n, const struct cm_domain *d);
/* The stacker's inputs: the linear logit of m and 11 hand features of label (ST_IN values). */
#define ST_IN 12
void stk_dense(const struct cm_dga_model *m, const char *label, size_t len, double *x);
/* The stacker trained on rows X (n of ST_IN; labels y, weights sw), or NULL (out of memory). */
struct nn *stk_train(const double *X, const uint8_t *y, const double *sw, size_t n, unsigned hidden,
                     unsigned epochs, double lr, unsigned mask, uint64_t seed);

/*
 * Trains on the samples whose use[] is 1 and returns the quantised model
 * (free with cm_dga_model_free), or NULL on failure (printed). With --nn or
 * --stack and nn not NULL, *nn is the non-linear part (free with nn_free;
 * NULL without one).
 */
struct cm_dga_model *train_model(const struct dataset *ds, const uint8_t *use,
                                 const struct train_opts *o, struct nn **nn);

/* eval.c */
enum eval_kind { EVAL_NONE, EVAL_RANDOM, EVAL_FAMILY };

/*
 * Runs one evaluation and prints its table (TSV rows "split ..." to out, a
 * summary per split). folds: k of the family-disjoint split. op: the
 * detector's per-name threshold, op_nx its threshold for names answered
 * NXDOMAIN (detection and false positives are reported at both).
 */
int eval_run(const struct dataset *ds, enum eval_kind kind, unsigned folds,
             const struct train_opts *o, double op, double op_nx, FILE *out);

/* Nanoseconds per cm_dga_score of the sample names with model m. */
double eval_bench(const struct dataset *ds, const struct cm_dga_model *m);

/* write.c: returns 0 or -1 (printed). */
int write_model(const struct cm_dga_model *m, const char *path, const char *comment);
int write_c(const struct cm_dga_model *m, const char *path, const char *comment);

#endif
