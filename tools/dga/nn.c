/*
 * dga-train: experimental non-linear models (issue #7), evaluation only:
 * trained and scored in float by the tool, never written to a model file
 * (--out and --c-out write the linear part alone). data/dga/README.md
 * ("Non-linear models") has what each gave; none was shipped.
 *
 *   --nn D H B    a fastText-style network: every feature index of
 *                 cm_dga_features (n-grams and hand-feature tokens) has an
 *                 embedding of D floats (a table of 2^B rows, the index's
 *                 low bits); the n-grams' embeddings are averaged, the
 *                 tokens' are averaged, the two averages feed H ReLU units
 *                 whose weighted sum is a logit. Adagrad (--nn-lr). Its
 *                 logit is added to the linear one: trained jointly on the
 *                 same gradient ("wide and deep"), or with --nn-alpha A
 *                 trained alone and added times A (an ensemble), or with
 *                 --nn-only the network alone (the linear weights stay 0).
 *                 --nn-mode 1: tokens only, 2: n-grams only.
 *   --stack K H E a stacker: K inner linear models, each trained without
 *                 one K-th of the DGA families (and of the benign names),
 *                 give every training sample a logit from a model that
 *                 never saw its family (--st-random: a random K-th of the
 *                 samples; --st-mix: both kinds of rows); an MLP of H ReLU
 *                 units over that logit and 11 dense hand features
 *                 (stk_dense; --st-mask selects them) learns the score by
 *                 Adam (E epochs, --st-lr). Scored with the full linear
 *                 model's logit.
 */
#include "dga_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct nn {
    unsigned dim, hidden, bits, in, mode; /* mode 1: tokens only, 2: n-grams only */
    float *emb, *w1, *b1, *w2, b2;
    float *gemb, *gw1, *gb1, *gw2, gb2; /* Adagrad's sums of squared gradients */
    float lr, alpha;
    struct stk *stk; /* a stacker instead of a network (stk_train) */
};

struct nn *nn_new(unsigned dim, unsigned hidden, unsigned bits, double lr, unsigned mode,
                  uint64_t seed)
{
    struct nn *n = calloc(1, sizeof(*n));
    size_t rows = (size_t)1 << bits;
    unsigned in = 2 * dim;

    if (n == NULL) {
        return NULL;
    }
    *n = (struct nn){
        .dim = dim, .hidden = hidden, .bits = bits, .in = in, .mode = mode, .lr = (float)lr};
    n->emb = calloc(rows * dim, sizeof(float));
    n->gemb = calloc(rows * dim, sizeof(float));
    n->w1 = calloc((size_t)hidden * in, sizeof(float));
    n->gw1 = calloc((size_t)hidden * in, sizeof(float));
    n->b1 = calloc(hidden, sizeof(float));
    n->gb1 = calloc(hidden, sizeof(float));
    n->w2 = calloc(hidden, sizeof(float));
    n->gw2 = calloc(hidden, sizeof(float));
    if (!n->emb || !n->gemb || !n->w1 || !n->gw1 || !n->b1 || !n->gb1 || !n->w2 || !n->gw2) {
        nn_free(n);
        return NULL;
    }
    for (size_t i = 0; i < rows * dim; i++) {
        n->emb[i] = (float)((rng_unit(&seed) - 0.5) * 0.2);
    }
    for (size_t i = 0; i < (size_t)hidden * in; i++) {
        n->w1[i] = (float)((rng_unit(&seed) - 0.5) * 2.0 * sqrt(6.0 / (in + hidden)));
    }
    for (size_t i = 0; i < hidden; i++) {
        n->w2[i] = (float)((rng_unit(&seed) - 0.5) * 0.02);
        n->b1[i] = 0.01f;
    }
    n->b2 = 0.0f;
    return n;
}

void nn_set_alpha(struct nn *n, double alpha)
{
    n->alpha = (float)alpha;
}

void nn_free(struct nn *n)
{
    if (n != NULL) {
        free(n->emb);
        free(n->gemb);
        free(n->w1);
        free(n->gw1);
        free(n->b1);
        free(n->gb1);
        free(n->w2);
        free(n->gw2);
        free(n->stk);
        free(n);
    }
}

#define NN_MAX_IN 64

struct stk;
static double stk_score_label(const struct cm_dga_model *m, const struct stk *s, const char *label,
                              size_t len);
#define NN_MAX_HIDDEN 128

/* The input vector of features f (nf, the first nng n-grams) into x. */
static void nn_input(const struct nn *n, const uint32_t *f, size_t nf, size_t nng, float *x)
{
    size_t mask = ((size_t)1 << n->bits) - 1;
    float a = nng ? 1.0f / (float)nng : 0.0f, b = nf > nng ? 1.0f / (float)(nf - nng) : 0.0f;

    memset(x, 0, n->in * sizeof(float));
    for (size_t i = 0; i < nf; i++) {
        if ((n->mode == 1 && i < nng) || (n->mode == 2 && i >= nng)) {
            continue;
        }
        const float *e = n->emb + (f[i] & mask) * n->dim;
        float *t = x + (i < nng ? 0 : n->dim);
        float s = i < nng ? a : b;

        for (unsigned d = 0; d < n->dim; d++) {
            t[d] += s * e[d];
        }
    }
}

double nn_forward(const struct nn *n, const uint32_t *f, size_t nf, size_t nng)
{
    float x[NN_MAX_IN];
    double z = n->b2;

    nn_input(n, f, nf, nng, x);
    for (unsigned j = 0; j < n->hidden; j++) {
        float a = n->b1[j];

        for (unsigned k = 0; k < n->in; k++) {
            a += n->w1[j * n->in + k] * x[k];
        }
        z += a > 0 ? n->w2[j] * a : 0.0f;
    }
    return z;
}

static inline void ada(float *w, float *g2, float g, float lr)
{
    *g2 += g * g;
    *w -= lr * g / sqrtf(*g2 + 1e-8f);
}

double nn_step(struct nn *n, const uint32_t *f, size_t nf, size_t nng, double zlin, double y,
               double sw)
{
    float x[NN_MAX_IN], a[NN_MAX_HIDDEN], dx[NN_MAX_IN];
    size_t mask = ((size_t)1 << n->bits) - 1;
    double z = n->b2, p, g;
    float ia = nng ? 1.0f / (float)nng : 0.0f, ib = nf > nng ? 1.0f / (float)(nf - nng) : 0.0f;

    nn_input(n, f, nf, nng, x);
    for (unsigned j = 0; j < n->hidden; j++) {
        a[j] = n->b1[j];
        for (unsigned k = 0; k < n->in; k++) {
            a[j] += n->w1[j * n->in + k] * x[k];
        }
        z += a[j] > 0 ? n->w2[j] * a[j] : 0.0f;
    }
    p = 1.0 / (1.0 + exp(-(z + zlin)));
    g = (p - y) * sw;
    memset(dx, 0, sizeof(dx));
    for (unsigned j = 0; j < n->hidden; j++) {
        float da;

        if (a[j] <= 0) {
            continue;
        }
        da = (float)g * n->w2[j];
        ada(&n->w2[j], &n->gw2[j], (float)g * a[j], n->lr);
        for (unsigned k = 0; k < n->in; k++) {
            dx[k] += da * n->w1[j * n->in + k];
            ada(&n->w1[j * n->in + k], &n->gw1[j * n->in + k], da * x[k], n->lr);
        }
        ada(&n->b1[j], &n->gb1[j], da, n->lr);
    }
    ada(&n->b2, &n->gb2, (float)g, n->lr);
    for (size_t i = 0; i < nf; i++) {
        if ((n->mode == 1 && i < nng) || (n->mode == 2 && i >= nng)) {
            continue;
        }
        size_t r = (f[i] & mask) * n->dim;
        const float *d = dx + (i < nng ? 0 : n->dim);
        float s = i < nng ? ia : ib;

        for (unsigned k = 0; k < n->dim; k++) {
            ada(&n->emb[r + k], &n->gemb[r + k], d[k] * s, n->lr);
        }
    }
    return z;
}

double nn_score_label(const struct cm_dga_model *m, const struct nn *n, const char *label,
                      size_t len)
{
    uint32_t f[CM_DGA_MAX_FEATS];
    size_t nng, nf;
    double zl, z;

    if (n == NULL) {
        return cm_dga_score_label(m, label, len);
    }
    if (n->stk != NULL) {
        return stk_score_label(m, n->stk, label, len);
    }
    nf = cm_dga_features(m, label, len, f, &nng);
    {
        int64_t ng = 0, t = m->bias;

        for (size_t i = 0; i < nng; i++) {
            ng += m->w[f[i]];
        }
        for (size_t i = nng; i < nf; i++) {
            t += m->w[f[i]];
        }
        zl = (double)ng;
        if (m->norm == CM_DGA_NORM_SQRT && nng > 0) {
            zl /= sqrt((double)nng);
        }
        zl = (zl + (double)t) / (double)m->quant;
    }
    z = zl + n->alpha * nn_forward(n, f, nf, nng);
    return 1.0 / (1.0 + exp(-z));
}

double nn_score(const struct cm_dga_model *m, const struct nn *n, const struct cm_domain *d)
{
    size_t k;

    if (n == NULL) {
        return cm_dga_score(m, d);
    }
    if (d->reg >= d->sfx || d->sfx > d->len || cm_dga_cloud_suffix(d)) {
        return 0.0;
    }
    k = d->sfx - d->reg;
    return k < 2 ? 0.0 : nn_score_label(m, n, d->name + d->reg, k - 1);
}

/* ---- stacking: a small MLP over out-of-fold linear logits and dense hand features ---- */

struct stk {
    unsigned hidden, mask;
    double mean[ST_IN], sd[ST_IN];
    double w1[NN_MAX_HIDDEN][ST_IN], b1[NN_MAX_HIDDEN], w2[NN_MAX_HIDDEN], wz, b2;
};

static unsigned st_sym(unsigned char c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= '0' && c <= '9') {
        return 26 + (c - '0');
    }
    return c == '-' ? 36 : 37;
}

static double lin_logit(const struct cm_dga_model *m, const char *label, size_t len)
{
    uint32_t f[CM_DGA_MAX_FEATS];
    size_t nng, nf = cm_dga_features(m, label, len, f, &nng);
    int64_t ng = 0, t = m->bias;
    double zl;

    for (size_t i = 0; i < nng; i++) {
        ng += m->w[f[i]];
    }
    for (size_t i = nng; i < nf; i++) {
        t += m->w[f[i]];
    }
    zl = (double)ng;
    if (m->norm == CM_DGA_NORM_SQRT && nng > 0) {
        zl /= sqrt((double)nng);
    }
    return (zl + (double)t) / (double)m->quant;
}

void stk_dense(const struct cm_dga_model *m, const char *label, size_t len, double *x)
{
    unsigned a = 38, b = 38, cnt[40] = {0}, dig = 0, vow = 0, let = 0, hy = 0, sw = 0, run = 0,
             maxrun = 0, prevcls = 0, distinct = 0;
    double lmsum = 0.0, lmmax = 0.0, ent = 0.0;

    if (len > CM_DGA_MAX_LABEL) {
        len = CM_DGA_MAX_LABEL;
    }
    for (size_t k = 0; k <= len; k++) {
        unsigned c = k < len ? st_sym((unsigned char)label[k]) : 39;

        if (m->lm != NULL) {
            double bits = -(double)m->lm[(a * 40 + b) * 40 + c] / CM_DGA_LM_UNIT;

            lmsum += bits;
            lmmax = bits > lmmax ? bits : lmmax;
        }
        if (k < len) {
            unsigned cls = c < 26 ? 1 : c < 36 ? 2 : 0;
            bool v = c == 0 || c == 4 || c == 8 || c == 14 || c == 20 || c == 24;

            distinct += cnt[c]++ == 0;
            dig += cls == 2;
            let += cls == 1;
            vow += v;
            hy += c == 36;
            sw += k > 0 && cls != 0 && prevcls != 0 && cls != prevcls;
            prevcls = cls;
            run = (cls == 1 && !v) ? run + 1 : 0;
            maxrun = run > maxrun ? run : maxrun;
        }
        a = b;
        b = c;
    }
    for (unsigned c = 0; c < 40; c++) {
        if (cnt[c] > 0 && len > 0) {
            double p = (double)cnt[c] / (double)len;

            ent -= p * log2(p);
        }
    }
    x[0] = lin_logit(m, label, len);
    x[1] = (double)len;
    x[2] = len ? (double)dig / (double)len : 0.0;
    x[3] = let ? (double)vow / (double)let : 0.0;
    x[4] = ent;
    x[5] = lmsum / (double)(len + 1);
    x[6] = lmmax;
    x[7] = (double)hy;
    x[8] = (double)sw;
    x[9] = (double)maxrun;
    x[10] = len ? (double)distinct / (double)len : 0.0;
    x[11] = log((double)len + 1.0);
}

static double stk_fwd(const struct stk *s, const double *raw, double *x, double *h)
{
    double z = s->b2;

    for (unsigned k = 0; k < ST_IN; k++) {
        x[k] = (s->mask >> k & 1) ? (raw[k] - s->mean[k]) / s->sd[k] : 0.0;
    }
    for (unsigned j = 0; j < s->hidden; j++) {
        double a = s->b1[j];

        for (unsigned k = 0; k < ST_IN; k++) {
            a += s->w1[j][k] * x[k];
        }
        h[j] = a > 0 ? a : 0.0;
        z += s->w2[j] * h[j];
    }
    return z + s->wz * raw[0];
}

/*
 * Trains the stacker on rows X (n of them, ST_IN each; y labels, sw weights)
 * by Adam over epochs passes. Returns a struct nn of kind stack.
 */
struct nn *stk_train(const double *X, const uint8_t *y, const double *sw, size_t n, unsigned hidden,
                     unsigned epochs, double lr, unsigned mask, uint64_t seed)
{
    struct nn *out = calloc(1, sizeof(*out));
    struct stk *s = calloc(1, sizeof(*s));
    enum { NP = NN_MAX_HIDDEN * ST_IN + 2 * NN_MAX_HIDDEN + 2 };
    double *mo = calloc(NP, sizeof(double)), *ve = calloc(NP, sizeof(double));
    size_t *ord = malloc(n * sizeof(size_t));
    double t = 0;

    if (out == NULL || s == NULL || mo == NULL || ve == NULL || ord == NULL ||
        hidden > NN_MAX_HIDDEN) {
        free(out);
        free(s);
        free(mo);
        free(ve);
        free(ord);
        return NULL;
    }
    s->hidden = hidden;
    s->mask = mask ? mask : 0xfffu;
    for (unsigned k = 0; k < ST_IN; k++) {
        double m = 0, v = 0;

        for (size_t i = 0; i < n; i++) {
            m += X[i * ST_IN + k];
        }
        m /= (double)n;
        for (size_t i = 0; i < n; i++) {
            v += (X[i * ST_IN + k] - m) * (X[i * ST_IN + k] - m);
        }
        s->mean[k] = m;
        s->sd[k] = sqrt(v / (double)n) + 1e-6;
    }
    for (unsigned j = 0; j < hidden; j++) {
        for (unsigned k = 0; k < ST_IN; k++) {
            s->w1[j][k] = (rng_unit(&seed) - 0.5) * 2.0 * sqrt(6.0 / (ST_IN + hidden));
        }
        s->w2[j] = (rng_unit(&seed) - 0.5) * 0.1;
        s->b1[j] = 0.01;
    }
    s->wz = 1.0;
    for (size_t i = 0; i < n; i++) {
        ord[i] = i;
    }
    for (unsigned e = 0; e < epochs; e++) {
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(rng_next(&seed) % i), tt = ord[i - 1];

            ord[i - 1] = ord[j];
            ord[j] = tt;
        }
        for (size_t q = 0; q < n; q++) {
            size_t i = ord[q];
            double x[ST_IN], h[NN_MAX_HIDDEN], g, z, p, grad[NP];
            size_t gi = 0;

            z = stk_fwd(s, X + i * ST_IN, x, h);
            p = 1.0 / (1.0 + exp(-z));
            g = (p - y[i]) * sw[i];
            for (unsigned j = 0; j < hidden; j++) {
                double da = h[j] > 0 ? g * s->w2[j] : 0.0;

                for (unsigned k = 0; k < ST_IN; k++) {
                    grad[gi++] = da * x[k];
                }
                grad[gi++] = da;
                grad[gi++] = g * h[j];
            }
            grad[gi++] = g;
            grad[gi++] = g * X[i * ST_IN];
            t += 1;
            gi = 0;
            {
                double c1 = 1.0 - pow(0.9, t), c2 = 1.0 - pow(0.999, t);
#define ADAM(w)                                                                                    \
    do {                                                                                           \
        mo[gi] = 0.9 * mo[gi] + 0.1 * grad[gi];                                                    \
        ve[gi] = 0.999 * ve[gi] + 0.001 * grad[gi] * grad[gi];                                     \
        (w) -= lr * (mo[gi] / c1) / (sqrt(ve[gi] / c2) + 1e-8);                                    \
        gi++;                                                                                      \
    } while (0)
                for (unsigned j = 0; j < hidden; j++) {
                    for (unsigned k = 0; k < ST_IN; k++) {
                        ADAM(s->w1[j][k]);
                    }
                    ADAM(s->b1[j]);
                    ADAM(s->w2[j]);
                }
                ADAM(s->b2);
                ADAM(s->wz);
#undef ADAM
            }
        }
    }
    free(mo);
    free(ve);
    free(ord);
    out->stk = s;
    return out;
}

static double stk_score_label(const struct cm_dga_model *m, const struct stk *s, const char *label,
                              size_t len)
{
    double raw[ST_IN], x[ST_IN], h[NN_MAX_HIDDEN];

    stk_dense(m, label, len, raw);
    return 1.0 / (1.0 + exp(-stk_fwd(s, raw, x, h)));
}
