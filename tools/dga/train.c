/*
 * dga-train: logistic regression over the features of cm_dga_features
 * (lib/detect/dga.c, the same code that scores), trained by Adagrad with an
 * L2 penalty applied to the weights a sample touches, then quantised to the
 * 16-bit integers of the shipped model. Classes are balanced by weight
 * (benign samples weigh n_dga / n_benign); each DGA family keeps at most
 * family_cap random samples so the eight 100k-name families of andrewaeva
 * do not drown the 25 small ones of chrmor. With --synth N, N names of each
 * synthetic family of synth.c join the training samples (made from the
 * training samples only, so an evaluation's held-out names take no part).
 *
 * The benign character model (a second-order Markov chain with Witten-Bell
 * interpolation down to add-one unigrams) is counted on the benign training
 * samples only. Its tokens would flatter the very names it was counted on,
 * so while the regression trains, a sample's tokens come from the chain of
 * the other half of the benign names (cross-fitting; halves by a hash of
 * the label); the shipped model carries the chain of all of them.
 */
#include "dga_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static void shuffle(size_t *a, size_t n, uint64_t *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(r) % i), t = a[i - 1];

        a[i - 1] = a[j];
        a[j] = t;
    }
}

static unsigned sym(unsigned char c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= '0' && c <= '9') {
        return 26 + (c - '0');
    }
    return c == '-' ? 36 : 37;
}

static unsigned half_of(const struct sample *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < s->len; i++) {
        h = (h ^ (unsigned char)s->label[i]) * 0x100000001b3ULL;
    }
    return (unsigned)((h >> 32) & 1);
}

/* The chain's log2 probabilities (CM_DGA_LM_UNIT units) from benign samples of use (and half). */
static void lm_train(const struct dataset *ds, const uint8_t *use, int half, int16_t *out)
{
    enum { S = CM_DGA_LM_SYMS };
    static double c3[S * S * S], c2[S * S], c1[S];
    double n1 = 0.0;

    memset(c3, 0, sizeof(c3));
    memset(c2, 0, sizeof(c2));
    memset(c1, 0, sizeof(c1));
    for (size_t i = 0; i < ds->n; i++) {
        const struct sample *s = &ds->s[i];
        unsigned a = 38, b = 38;

        if (!use[i] || s->dga || (half >= 0 && half_of(s) != (unsigned)half)) {
            continue;
        }
        for (size_t k = 0; k <= s->len; k++) {
            unsigned c = k < s->len ? sym((unsigned char)s->label[k]) : 39;

            c3[(a * S + b) * S + c] += 1;
            c2[b * S + c] += 1;
            c1[c] += 1;
            n1 += 1;
            a = b;
            b = c;
        }
    }
    for (unsigned b = 0; b < S; b++) {
        double cb = 0.0, tb = 0.0;

        for (unsigned c = 0; c < S; c++) {
            cb += c2[b * S + c];
            tb += c2[b * S + c] > 0;
        }
        for (unsigned a = 0; a < S; a++) {
            double cab = 0.0, tab = 0.0;

            for (unsigned c = 0; c < S; c++) {
                cab += c3[(a * S + b) * S + c];
                tab += c3[(a * S + b) * S + c] > 0;
            }
            for (unsigned c = 0; c < S; c++) {
                double p1 = (c1[c] + 1.0) / (n1 + S);
                double p2 = cb > 0 ? (c2[b * S + c] + tb * p1) / (cb + tb) : p1;
                double p3 = cab > 0 ? (c3[(a * S + b) * S + c] + tab * p2) / (cab + tab) : p2;
                double v = log2(p3) * CM_DGA_LM_UNIT;

                out[(a * S + b) * S + c] =
                    (int16_t)(v < -CM_DGA_WEIGHT_MAX ? -CM_DGA_WEIGHT_MAX : lround(v));
            }
        }
    }
}

/* The training indices: use[i] set, each DGA family capped at cap. */
static size_t pick(const struct dataset *ds, const uint8_t *use, size_t cap, uint64_t *r,
                   size_t *idx)
{
    size_t n = 0, m = 0, kept[MAX_FAMILIES] = {0};

    for (size_t i = 0; i < ds->n; i++) {
        if (use[i]) {
            idx[n++] = i;
        }
    }
    shuffle(idx, n, r);
    for (size_t i = 0; i < n; i++) {
        const struct sample *s = &ds->s[idx[i]];

        if (s->dga && cap > 0 && kept[s->family] >= cap) {
            continue;
        }
        kept[s->family]++;
        idx[m++] = idx[i];
    }
    return m;
}

/* Training sample i: one of the data set's, or past its end, the synthetic one i - ds->n. */
static const struct sample *sample_at(const struct dataset *ds, const struct sample *syn, size_t i)
{
    return i < ds->n ? &ds->s[i] : &syn[i - ds->n];
}

/*
 * The stacker: out-of-fold linear models (o->stack inner folds over the DGA
 * families and the benign names) give each training sample (idx[0..n),
 * real ones only) a logit from a model that never saw its family; a small
 * MLP learns the score from that logit and dense hand features (nn.c).
 * Returns it, or NULL after saying why.
 */
static struct nn *stack_fit(const struct dataset *ds, const uint8_t *use,
                            const struct train_opts *o, const size_t *idx, size_t n,
                            const double *fw, double wben)
{
    struct train_opts io = *o;
    unsigned k = o->stack, passes = o->st_mix ? 2 : 1;
    uint8_t *grp = malloc(ds->n), *use2 = malloc(ds->n), *y = malloc(2 * n);
    double *X = malloc(2 * n * ST_IN * sizeof(double)), *sw = malloc(2 * n * sizeof(double));
    size_t m = 0;
    struct nn *res = NULL;

    io.stack = 0;
    io.nn_dim = 0;
    io.quiet = true;
    if (!grp || !use2 || !y || !X || !sw) {
        goto out;
    }
    for (unsigned pass = 0; pass < passes; pass++) {
        bool by_family = o->st_mix ? pass == 0 : !o->st_random;

        for (size_t i = 0; i < ds->n; i++) {
            const struct sample *s = &ds->s[i];
            uint64_t h = 0xcbf29ce484222325ULL;

            for (size_t j = 0; j < s->len; j++) {
                h = (h ^ (unsigned char)s->label[j]) * 0x100000001b3ULL;
            }
            grp[i] = (uint8_t)(s->dga && by_family ? (s->family * 7u + 3u) % k : (h >> 35) % k);
        }
        for (unsigned g = 0; g < k; g++) {
            struct cm_dga_model *mk;

            for (size_t i = 0; i < ds->n; i++) {
                use2[i] = use[i] && grp[i] != g;
            }
            if ((mk = train_model(ds, use2, &io, NULL)) == NULL) {
                goto out;
            }
            for (size_t q = 0; q < n; q++) {
                size_t i = idx[q];

                if (i < ds->n && grp[i] == g) {
                    stk_dense(mk, ds->s[i].label, ds->s[i].len, X + m * ST_IN);
                    y[m] = ds->s[i].dga;
                    sw[m] = ds->s[i].dga ? fw[ds->s[i].family] : wben;
                    m++;
                }
            }
            cm_dga_model_free(mk);
        }
    }
    res = stk_train(X, y, sw, m, o->st_hidden, o->st_epochs, o->st_lr, o->st_mask,
                    o->seed ^ 0x737463ULL);
out:
    if (res == NULL) {
        fprintf(stderr, "dga-train: the stacker failed (out of memory)\n");
    }
    free(grp);
    free(use2);
    free(y);
    free(X);
    free(sw);
    return res;
}

struct cm_dga_model *train_model(const struct dataset *ds, const uint8_t *use,
                                 const struct train_opts *o, struct nn **nnp)
{
    struct nn *nn = NULL;
    struct cm_dga_model hm, *m = NULL;
    size_t size = (size_t)1 << o->bits, n, ndga = 0;
    size_t nsyn = SYNTH_FAMILIES * o->synth;
    size_t *idx = malloc((ds->n + nsyn) * sizeof(*idx));
    struct sample *syn = nsyn ? malloc(nsyn * sizeof(*syn)) : NULL;
    double *w = calloc(size, sizeof(*w)), *g2 = calloc(size, sizeof(*g2));
    double b = 0.0, gb = 1e-8, wben, maxabs = 1e-9;
    uint64_t r = o->seed;
    uint32_t f[CM_DGA_MAX_FEATS];
    int16_t *lm = o->lm ? malloc(3 * CM_DGA_LM_SIZE * sizeof(*lm)) : NULL;
    struct cm_dga_model half[2];
    double fw[MAX_FAMILIES];

    if (idx == NULL || w == NULL || g2 == NULL || (o->lm && lm == NULL) ||
        (nsyn > 0 && syn == NULL)) {
        fprintf(stderr, "dga-train: out of memory\n");
        goto out;
    }
    memset(&hm, 0, sizeof(hm));
    hm.version = CM_DGA_VERSION;
    hm.hash_bits = o->bits;
    hm.ngram_min = o->ngram_min;
    hm.ngram_max = o->ngram_max;
    hm.norm = o->norm;
    hm.tokens = o->tokens;
    hm.seed = o->hash_seed;
    hm.quant = 1;
    if (o->lm) {
        lm_train(ds, use, -1, lm);
        lm_train(ds, use, 0, lm + CM_DGA_LM_SIZE);
        lm_train(ds, use, 1, lm + 2 * CM_DGA_LM_SIZE);
    }
    half[0] = half[1] = hm;
    half[0].lm = lm ? lm + 2 * CM_DGA_LM_SIZE : NULL; /* half 0 is scored by half 1's chain */
    half[1].lm = lm ? lm + CM_DGA_LM_SIZE : NULL;
    hm.lm = lm;
    n = pick(ds, use, o->family_cap, &r, idx);
    if (nsyn > 0) {
        if (ds->nfamily + SYNTH_FAMILIES > MAX_FAMILIES) {
            fprintf(stderr, "dga-train: no room for the synthetic families\n");
            goto out;
        }
        if ((nsyn = synth_make(ds, use, o->synth, (uint16_t)ds->nfamily, o->seed, syn)) == 0) {
            fprintf(stderr, "dga-train: out of memory\n");
            goto out;
        }
        for (size_t i = 0; i < nsyn; i++) {
            idx[n++] = ds->n + i; /* an index past ds->n is a synthetic sample */
        }
    }
    for (size_t i = 0; i < n; i++) {
        ndga += sample_at(ds, syn, idx[i])->dga;
    }
    if (ndga == 0 || ndga == n) {
        fprintf(stderr, "dga-train: training set has one class only\n");
        goto out;
    }
    {
        size_t cnt[MAX_FAMILIES] = {0}, top = 0;
        double wd = 0.0;

        for (size_t i = 0; i < n; i++) {
            cnt[sample_at(ds, syn, idx[i])->family]++;
        }
        for (size_t k = 2; k < MAX_FAMILIES; k++) {
            top = cnt[k] > top ? cnt[k] : top;
        }
        /* A family of c samples weighs (top / c)^balance each: small families count more. */
        for (size_t k = 0; k < MAX_FAMILIES; k++) {
            fw[k] = k < 2 || cnt[k] == 0 ? 1.0 : pow((double)top / (double)cnt[k], o->balance);
            wd += k < 2 ? 0.0 : fw[k] * (double)cnt[k];
        }
        wben = wd / (double)(n - ndga);
    }
    if (o->nn_dim > 0 && (nn = nn_new(o->nn_dim, o->nn_hidden, o->nn_bits, o->nn_lr, o->nn_mode,
                                      o->seed ^ 0x6e6eULL)) == NULL) {
        fprintf(stderr, "dga-train: out of memory\n");
        goto out;
    }
    if (nn != NULL) {
        nn_set_alpha(nn, o->nn_alpha > 0 ? o->nn_alpha : 1.0);
    }
    for (unsigned e = 0; e < o->epochs; e++) {
        double loss = 0.0, wsum = 0.0;

        shuffle(idx, n, &r);
        for (size_t k = 0; k < n; k++) {
            const struct sample *s = sample_at(ds, syn, idx[k]);
            size_t nng, nf = cm_dga_features(&half[half_of(s)], s->label, s->len, f, &nng);
            double norm = (o->norm == CM_DGA_NORM_SQRT && nng > 0) ? 1.0 / sqrt((double)nng) : 1.0;
            double z = b, sng = 0.0, p, g, sw = s->dga ? fw[s->family] : wben;

            for (size_t i = 0; i < nng; i++) {
                sng += w[f[i]];
            }
            z += sng * norm;
            for (size_t i = nng; i < nf; i++) {
                z += w[f[i]];
            }
            if (nn != NULL) {
                double zn = nn_step(nn, f, nf, nng, o->nn_alpha > 0 ? 0.0 : z, s->dga, sw);

                z += o->nn_alpha > 0 ? 0.0 : zn;
            }
            p = 1.0 / (1.0 + exp(-z));
            loss += sw * -log(s->dga ? (p > 1e-12 ? p : 1e-12) : (1 - p > 1e-12 ? 1 - p : 1e-12));
            wsum += sw;
            g = (p - s->dga) * sw;
            for (size_t i = 0; i < nf && !o->nn_only; i++) {
                double gi = g * (i < nng ? norm : 1.0) + o->l2 * w[f[i]];

                g2[f[i]] += gi * gi;
                w[f[i]] -= o->lr * gi / sqrt(g2[f[i]]);
            }
            if (!o->nn_only) {
                gb += g * g;
                b -= o->lr * g / sqrt(gb);
            }
        }
        if (!o->quiet) {
            fprintf(stderr, "dga-train: epoch %u: %zu samples (%zu generated), log loss %.5f\n",
                    e + 1, n, ndga, loss / wsum);
        }
    }
    for (size_t i = 0; i < size; i++) {
        if (fabs(w[i]) > maxabs) {
            maxabs = fabs(w[i]);
        }
    }
    if ((m = cm_calloc(1, sizeof(*m))) == NULL ||
        (m->owned = cm_calloc(size + (lm ? CM_DGA_LM_SIZE : 0), sizeof(int16_t))) == NULL) {
        fprintf(stderr, "dga-train: out of memory\n");
        cm_free(m);
        m = NULL;
        goto out;
    }
    *m = (struct cm_dga_model){.version = hm.version,
                               .hash_bits = hm.hash_bits,
                               .ngram_min = hm.ngram_min,
                               .ngram_max = hm.ngram_max,
                               .norm = hm.norm,
                               .tokens = hm.tokens,
                               .seed = hm.seed,
                               .owned = m->owned};
    /* The largest weight takes nearly the whole 16-bit range; at most 10^5 units per 1.0. */
    m->quant = (uint32_t)fmin(100000.0, floor(CM_DGA_WEIGHT_MAX / maxabs));
    if (m->quant < 1) {
        m->quant = 1;
    }
    for (size_t i = 0; i < size; i++) {
        m->owned[i] = (int16_t)lround(w[i] * m->quant);
    }
    m->bias = (int32_t)lround(b * m->quant);
    m->w = m->owned;
    if (lm != NULL) {
        memcpy(m->owned + size, lm, CM_DGA_LM_SIZE * sizeof(*lm));
        m->lm = m->owned + size;
    }
    if (o->stack > 0 && nnp != NULL && nn == NULL) {
        nn = stack_fit(ds, use, o, idx, n, fw, wben);
        if (nn == NULL) {
            cm_dga_model_free(m);
            m = NULL;
        }
    }
out:
    if (nnp != NULL && m != NULL) {
        *nnp = nn;
    } else {
        nn_free(nn);
    }
    free(syn);
    free(lm);
    free(idx);
    free(w);
    free(g2);
    return m;
}
