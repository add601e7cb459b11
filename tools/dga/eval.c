/*
 * dga-train: evaluation. Two splits:
 *
 *   random  one fold: every sample is held out with probability 1/5.
 *   family  k folds over the DGA families (largest first, dealt round-robin
 *           so every fold holds big and small families); benign samples get
 *           a random fold. Fold f trains on everything outside f and tests
 *           on the benign samples of f and every name of f's families, none
 *           of which (nor a sibling variant: data.c merges them) was seen.
 *
 * Per test set: ROC AUC (rank sum, ties halved), the thresholds that detect
 * 90 % and 99 % of the held-out generated names and the false-positive rate
 * of the held-out benign names there, the same rate on the held-out
 * opendns-random names alone and on the cloud/CDN names of cloud.c (through
 * cm_dga_score, with its cloud-suffix rule, and on their bare labels), and
 * detection and false positives at the operating thresholds of the detector
 * (op for any name, op_nx for one answered NXDOMAIN).
 * Generated names are pooled with each family capped at the training cap,
 * so the 100k-name families do not decide the pooled rates alone.
 *
 * Output: TSV rows, "split" rows with a header row first, then "family"
 * rows (detection per held-out family at both thresholds).
 */
#include "dga_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/domain.h"

#define NCLOUD 20000

struct scored {
    double s;
    uint8_t dga;
};

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;

    return x->s < y->s ? -1 : x->s > y->s ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

/* ROC AUC of v (sorted here): P(score of a generated name > score of a benign one). */
static double auc(struct scored *v, size_t n)
{
    double rank_sum = 0.0, npos = 0.0, nneg;
    size_t i = 0;

    qsort(v, n, sizeof(*v), cmp_scored);
    while (i < n) {
        size_t j = i;
        double r;

        while (j < n && v[j].s == v[i].s) {
            j++;
        }
        r = (double)(i + 1 + j) / 2.0; /* average 1-based rank of the tie group */
        for (size_t k = i; k < j; k++) {
            if (v[k].dga) {
                rank_sum += r;
                npos += 1.0;
            }
        }
        i = j;
    }
    nneg = (double)n - npos;
    if (npos == 0 || nneg == 0) {
        return NAN;
    }
    return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg);
}

/* Fraction of v (n values) at or above t. */
static double above(const double *v, size_t n, double t)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        k += v[i] >= t;
    }
    return n ? (double)k / (double)n : NAN;
}

struct result {
    double auc, t90, t99, fpr90, fpr99, rnd90, rnd99, cloud90, cloudlab90;
    double det_op, fpr_op, rnd_op, cloud_op, t_fpr1e3;
    double det_nx, fpr_nx, rnd_nx; /* at op_nx */
    size_t ndga, nben, nrnd;
};

struct fam_result {
    size_t n;
    double det90, det_op, det_nx;
};

static void measure(const struct dataset *ds, const struct cm_dga_model *m, const struct nn *nn,
                    const uint8_t *test, size_t cap, double op, double op_nx, struct result *r,
                    struct fam_result *fr)
{
    struct scored *all = malloc(ds->n * sizeof(*all));
    double *dga = malloc(ds->n * sizeof(double)), *ben = malloc(ds->n * sizeof(double));
    double *rnd = malloc(ds->n * sizeof(double)), *cl = malloc(NCLOUD * sizeof(double));
    double *cll = malloc(NCLOUD * sizeof(double)), *fs = malloc(ds->n * sizeof(double));
    char(*names)[256] = malloc(NCLOUD * sizeof(*names));
    size_t n = 0, nd = 0, nb = 0, nr = 0, kept[MAX_FAMILIES] = {0};
    /* DGA_DUMP: every held-out name and its score on stderr, for looking at what scores low.
     * The names are the training data's (not ours to publish): never commit the output. */
    bool dump = getenv("DGA_DUMP") != NULL;

    if (!all || !dga || !ben || !rnd || !cl || !cll || !fs || !names) {
        fprintf(stderr, "dga-train: out of memory\n");
        exit(1);
    }
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < ds->n; i++) {
        const struct sample *s = &ds->s[i];
        double v;

        if (!test[i] || (s->dga && cap > 0 && kept[s->family] >= cap)) {
            continue;
        }
        kept[s->family]++;
        v = nn_score_label(m, nn, s->label, s->len);
        if (dump) {
            fprintf(stderr, "dump\t%.5f\t%u\t%s\t%s\n", v, s->dga, ds->family[s->family], s->label);
        }
        all[n++] = (struct scored){v, s->dga};
        if (s->dga) {
            dga[nd++] = v;
        } else {
            ben[nb++] = v;
            if (s->family == FAM_RANDOM) {
                rnd[nr++] = v;
            }
        }
    }
    cloud_names(names, NCLOUD, 0x636c6f7564ULL);
    for (size_t i = 0; i < NCLOUD; i++) {
        struct cm_domain d;

        cl[i] = cll[i] = 0.0;
        if (cm_domain_parse(cm_str_cstr(names[i]), &d) == 0) {
            cl[i] = nn_score(m, nn, &d);
            if (d.reg < d.sfx) {
                cll[i] = nn_score_label(m, nn, d.name + d.reg, d.sfx - d.reg - 1);
            }
        }
    }
    r->auc = auc(all, n);
    qsort(dga, nd, sizeof(double), cmp_double);
    qsort(ben, nb, sizeof(double), cmp_double);
    r->t90 = nd ? dga[(size_t)(0.10 * (double)nd)] : NAN;
    r->t99 = nd ? dga[(size_t)(0.01 * (double)nd)] : NAN;
    r->fpr90 = above(ben, nb, r->t90);
    r->fpr99 = above(ben, nb, r->t99);
    r->rnd90 = above(rnd, nr, r->t90);
    r->rnd99 = above(rnd, nr, r->t99);
    r->cloud90 = above(cl, NCLOUD, r->t90);
    r->cloudlab90 = above(cll, NCLOUD, r->t90);
    r->det_op = above(dga, nd, op);
    r->fpr_op = above(ben, nb, op);
    r->rnd_op = above(rnd, nr, op);
    r->cloud_op = above(cl, NCLOUD, op);
    r->det_nx = above(dga, nd, op_nx);
    r->fpr_nx = above(ben, nb, op_nx);
    r->rnd_nx = above(rnd, nr, op_nx);
    r->t_fpr1e3 = nb ? ben[nb - 1 - (size_t)(0.001 * (double)nb)] : NAN;
    r->ndga = nd;
    r->nben = nb;
    r->nrnd = nr;
    for (size_t f = 2; f < ds->nfamily && fr != NULL; f++) {
        size_t k = 0, c = 0;

        for (size_t i = 0; i < ds->n; i++) {
            if (test[i] && ds->s[i].family == f) {
                fs[k++] = nn_score_label(m, nn, ds->s[i].label, ds->s[i].len);
                if (cap > 0 && ++c >= cap) {
                    break;
                }
            }
        }
        fr[f].n = k;
        fr[f].det90 = above(fs, k, r->t90);
        fr[f].det_op = above(fs, k, op);
        fr[f].det_nx = above(fs, k, op_nx);
    }
    free(all);
    free(dga);
    free(ben);
    free(rnd);
    free(cl);
    free(cll);
    free(fs);
    free(names);
}

static void header(FILE *out)
{
    fprintf(out, "split\tname\tauc\tfpr_at_90\tfpr_at_99\tthr_90\tthr_99\trandom_fpr_at_90\t"
                 "random_fpr_at_99\tcloud_fpr_at_90\tcloud_labels_fpr_at_90\tdet_at_op\t"
                 "fpr_at_op\trandom_fpr_at_op\tcloud_fpr_at_op\tthr_fpr_0.1pct\tn_dga\tn_benign\t"
                 "n_random\theld_out\tdet_at_nx\tfpr_at_nx\trandom_fpr_at_nx\n");
}

static void row(FILE *out, const char *split, const char *name, const struct result *r,
                const char *held)
{
    fprintf(
        out,
        "split\t%s\t%s\t%.5f\t%.5f\t%.5f\t%.4f\t%.4f\t%.5f\t%.5f\t%.5f\t%.5f\t%.4f\t%.5f\t%.5f\t"
        "%.5f\t%.4f\t%zu\t%zu\t%zu\t%s\t%.4f\t%.5f\t%.5f\n",
        split, name, r->auc, r->fpr90, r->fpr99, r->t90, r->t99, r->rnd90, r->rnd99, r->cloud90,
        r->cloudlab90, r->det_op, r->fpr_op, r->rnd_op, r->cloud_op, r->t_fpr1e3, r->ndga, r->nben,
        r->nrnd, held, r->det_nx, r->fpr_nx, r->rnd_nx);
}

static void fam_rows(FILE *out, const struct dataset *ds, const char *split,
                     const struct fam_result *fr, const uint8_t *fam_in)
{
    for (size_t f = 2; f < ds->nfamily; f++) {
        if (fam_in[f] && fr[f].n > 0) {
            fprintf(out, "family\t%s\t%s\t%zu\t%.4f\t%.4f\t%.4f\n", split, ds->family[f], fr[f].n,
                    fr[f].det90, fr[f].det_op, fr[f].det_nx);
        }
    }
}

struct famsize {
    size_t f, n;
};

static int cmp_famsize(const void *a, const void *b)
{
    const struct famsize *x = a, *y = b;

    return x->n != y->n ? (x->n < y->n ? 1 : -1) : (x->f < y->f ? -1 : 1);
}

int eval_run(const struct dataset *ds, enum eval_kind kind, unsigned folds,
             const struct train_opts *o, double op, double op_nx, FILE *out)
{
    uint8_t *use = malloc(ds->n), *test = malloc(ds->n), *fold = malloc(ds->n);
    uint8_t famfold[MAX_FAMILIES] = {0}, fam_in[MAX_FAMILIES];
    struct fam_result fr[MAX_FAMILIES];
    struct result r, sum;
    uint64_t rng = o->seed ^ 0x6576616cULL;
    const char *split = kind == EVAL_RANDOM ? "random" : "family";
    unsigned nf = kind == EVAL_RANDOM ? 1 : folds;

    if (!use || !test || !fold) {
        fprintf(stderr, "dga-train: out of memory\n");
        return -1;
    }
    if (kind == EVAL_FAMILY) {
        struct famsize fsz[MAX_FAMILIES];
        size_t k = 0;

        for (size_t f = 2; f < ds->nfamily; f++) {
            fsz[k++] = (struct famsize){f, ds->per_family[f]};
        }
        qsort(fsz, k, sizeof(fsz[0]), cmp_famsize);
        for (size_t i = 0; i < k; i++) {
            /* Snake order (0 1 2 3 4 4 3 2 1 0 ...) balances the folds' sizes. */
            size_t round = i / nf, pos = i % nf;

            famfold[fsz[i].f] = (uint8_t)(round % 2 == 0 ? pos : nf - 1 - pos);
        }
    }
    for (size_t i = 0; i < ds->n; i++) {
        fold[i] =
            (uint8_t)(kind == EVAL_RANDOM ? (rng_unit(&rng) < 0.2 ? 0 : 1) : rng_next(&rng) % nf);
    }
    memset(&sum, 0, sizeof(sum));
    for (unsigned f = 0; f < nf; f++) {
        char name[32], held[1024] = "";
        struct cm_dga_model *m;
        size_t hl = 0;

        for (size_t i = 0; i < ds->n; i++) {
            const struct sample *s = &ds->s[i];
            unsigned sf = (kind == EVAL_FAMILY && s->dga) ? famfold[s->family] : fold[i];

            test[i] = sf == f;
            use[i] = !test[i];
        }
        memset(fam_in, 0, sizeof(fam_in));
        for (size_t fam = 2; fam < ds->nfamily; fam++) {
            fam_in[fam] = kind == EVAL_RANDOM || famfold[fam] == f;
            if (kind == EVAL_FAMILY && fam_in[fam] &&
                hl + strlen(ds->family[fam]) + 2 < sizeof(held)) {
                hl += (size_t)snprintf(held + hl, sizeof(held) - hl, "%s%s", hl ? "," : "",
                                       ds->family[fam]);
            }
        }
        struct nn *nn = NULL;

        if ((m = train_model(ds, use, o, &nn)) == NULL) {
            return -1;
        }
        measure(ds, m, nn, test, o->family_cap, op, op_nx, &r, fr);
        cm_dga_model_free(m);
        nn_free(nn);
        if (f == 0) {
            header(out);
        }
        snprintf(name, sizeof(name), kind == EVAL_RANDOM ? "80/20" : "fold %u", f + 1);
        row(out, split, name, &r, kind == EVAL_RANDOM ? "-" : held);
        fam_rows(out, ds, split, fr, fam_in);
        fflush(out);
        sum.auc += r.auc / nf;
        sum.fpr90 += r.fpr90 / nf;
        sum.fpr99 += r.fpr99 / nf;
        sum.t90 += r.t90 / nf;
        sum.t99 += r.t99 / nf;
        sum.rnd90 += r.rnd90 / nf;
        sum.rnd99 += r.rnd99 / nf;
        sum.cloud90 += r.cloud90 / nf;
        sum.cloudlab90 += r.cloudlab90 / nf;
        sum.det_op += r.det_op / nf;
        sum.fpr_op += r.fpr_op / nf;
        sum.rnd_op += r.rnd_op / nf;
        sum.cloud_op += r.cloud_op / nf;
        sum.t_fpr1e3 += r.t_fpr1e3 / nf;
        sum.det_nx += r.det_nx / nf;
        sum.fpr_nx += r.fpr_nx / nf;
        sum.rnd_nx += r.rnd_nx / nf;
        sum.ndga += r.ndga;
        sum.nben += r.nben;
        sum.nrnd += r.nrnd;
    }
    if (nf > 1) {
        row(out, split, "mean", &sum, "-");
    }
    free(use);
    free(test);
    free(fold);
    return 0;
}

double eval_bench(const struct dataset *ds, const struct cm_dga_model *m)
{
    enum { N = 100000, ROUNDS = 20 };
    struct cm_domain *d = malloc(N * sizeof(*d));
    struct timespec a, b;
    size_t n = 0;
    double sink = 0.0, ns;

    if (d == NULL) {
        return NAN;
    }
    for (size_t i = 0; i < ds->n && n < N; i += 1 + ds->n / N) {
        char name[CM_DGA_MAX_LABEL + 8];

        snprintf(name, sizeof(name), "%s.com", ds->s[i].label);
        if (cm_domain_parse(cm_str_cstr(name), &d[n]) == 0) {
            n++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < ROUNDS; k++) {
        for (size_t i = 0; i < n; i++) {
            sink += cm_dga_score(m, &d[i]);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
         ((double)n * ROUNDS);
    free(d);
    return sink >= 0.0 ? ns : NAN;
}
