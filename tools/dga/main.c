/*
 * dga-train: the command line (dga_train.h; scripts/train-dga runs it).
 *
 *   dga-train --data DIR [--eval none|random|family|all] [--folds K]
 *             [--out model.txt] [--c-out dga_weights.c] [--comment TEXT]
 *             [--bits B] [--ngram MIN MAX] [--norm sqrt|none] [--tokens MASK]
 *             [--epochs N] [--lr X] [--l2 X] [--family-cap N] [--seed N]
 *             [--hash-seed N] [--op X] [--op-nx X] [--balance X] [--synth N] [--no-lm] [--bench]
 *             [--quiet] [--nn D H B [--nn-lr X] [--nn-mode M] [--nn-alpha A] [--nn-only]]
 *             [--stack K H E [--st-lr X] [--st-random | --st-mix] [--st-mask M]]
 *   dga-train --from model.txt [--out model.txt] [--c-out dga_weights.c] [--comment TEXT]
 *
 * --op and --op-nx (default 0.95 and 0.8, the detector's cuts for any name
 * and for one answered NXDOMAIN) are where the evaluations report
 * detection and false positives besides the 90 % and 99 % thresholds.
 * Evaluations print TSV (eval.c) on stdout; then, when --out or --c-out
 * is given, the model is trained on every sample and written. --bench
 * prints the time of one cm_dga_score of the final model. --from writes
 * a model file again, as a file and as C tables, without training: what
 * regenerates lib/detect/dga_weights.c when its generated form changes
 * (the comment defaults to the file's leading '#' lines; the e2e test
 * dga_weights.sh checks that the shipped pair regenerates unchanged).
 * --nn and --stack are experimental non-linear models (nn.c), for the
 * evaluations only: a model written by --out/--c-out is the linear part.
 * Exit 0, 1 on a failure, 2 on a usage error.
 */
#include "dga_train.h"

#include <stdlib.h>
#include <string.h>

#include "intel/dga_load.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: dga-train --data DIR [--eval none|random|family|all] [--folds K]\n"
            "                 [--out FILE] [--c-out FILE] [--comment TEXT] [--bits B]\n"
            "                 [--ngram MIN MAX] [--norm sqrt|none] [--tokens MASK] [--epochs N]\n"
            "                 [--lr X] [--l2 X] [--family-cap N] [--seed N] [--hash-seed N]\n"
            "                 [--op X] [--op-nx X] [--balance X] [--synth N] [--no-lm] [--bench]\n"
            "                 [--quiet] [--nn D H B [--nn-lr X] [--nn-mode M] [--nn-alpha A]\n"
            "                 [--nn-only]] [--stack K H E [--st-lr X] [--st-random | --st-mix]\n"
            "                 [--st-mask M]]\n"
            "       dga-train --from FILE [--out FILE] [--c-out FILE] [--comment TEXT]\n");
    exit(2);
}

static const char *arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        usage();
    }
    return argv[++*i];
}

static unsigned long long num(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);

    if (*s == '\0' || *end != '\0') {
        usage();
    }
    return v;
}

static double real(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (*s == '\0' || *end != '\0') {
        usage();
    }
    return v;
}

/* The file's leading '#' lines, without their "# ", one a line, into buf (size bytes). */
static void leading_comment(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    size_t n = 0;

    buf[0] = '\0';
    while (f != NULL && n + 1 < size && fgets(line, sizeof(line), f) != NULL && line[0] == '#') {
        const char *p = line + 1 + (line[1] == ' ');
        int w =
            snprintf(buf + n, size - n, "%s%.*s", n > 0 ? "\n" : "", (int)strcspn(p, "\r\n"), p);

        n = w < 0 || (size_t)w >= size - n ? size - 1 : n + (size_t)w;
    }
    if (f != NULL) {
        fclose(f);
    }
}

/*
 * --from: loads the model file at path (cm_dga_model_load, as scan
 * --dga-model does) and writes it to out and cout (each when not NULL),
 * with comment, or when that is NULL the file's leading '#' lines.
 * Returns 0, or 1 after saying why on stderr.
 */
static int rewrite(const char *path, const char *out, const char *cout, const char *comment)
{
    struct cm_dga_model *m = NULL;
    char err[512], own[4096];
    int rc;

    if (cm_dga_model_load(path, &m, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (comment == NULL) {
        leading_comment(path, own, sizeof(own));
        comment = own;
    }
    rc = (out != NULL && write_model(m, out, comment) != 0) ||
                 (cout != NULL && write_c(m, cout, comment) != 0)
             ? 1
             : 0;
    cm_dga_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    struct train_opts o = {
        .bits = 18,
        .ngram_min = 1,
        .ngram_max = 5,
        .norm = CM_DGA_NORM_SQRT,
        .tokens = CM_DGA_TOK_ALL,
        .hash_seed = 0x636f616c6d696e65ULL, /* "coalmine" */
        .seed = 1,
        .epochs = 8,
        .lr = 0.1,
        .l2 = 1e-6,
        .family_cap = 20000,
        .lm = true,
        .nn_lr = 0.05,
        .st_lr = 0.001,
    };
    const char *data = NULL, *from = NULL, *out = NULL, *cout = NULL, *comment = NULL;
    const char *ev = "none";
    unsigned folds = 5;
    /* The detector's two cuts (dns_dga.c: CM_DNS_DGA_THRESHOLD, CM_DNS_DGA_NX_THRESHOLD). */
    double op = 0.95, op_nx = 0.8;
    bool bench = false;
    struct dataset ds;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--data") == 0) {
            data = arg(argc, argv, &i);
        } else if (strcmp(a, "--from") == 0) {
            from = arg(argc, argv, &i);
        } else if (strcmp(a, "--eval") == 0) {
            ev = arg(argc, argv, &i);
        } else if (strcmp(a, "--folds") == 0) {
            folds = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--out") == 0) {
            out = arg(argc, argv, &i);
        } else if (strcmp(a, "--c-out") == 0) {
            cout = arg(argc, argv, &i);
        } else if (strcmp(a, "--comment") == 0) {
            comment = arg(argc, argv, &i);
        } else if (strcmp(a, "--bits") == 0) {
            o.bits = (uint32_t)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--ngram") == 0) {
            o.ngram_min = (uint32_t)num(arg(argc, argv, &i));
            o.ngram_max = (uint32_t)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--norm") == 0) {
            a = arg(argc, argv, &i);
            o.norm = strcmp(a, "sqrt") == 0 ? CM_DGA_NORM_SQRT : CM_DGA_NORM_NONE;
        } else if (strcmp(a, "--tokens") == 0) {
            o.tokens = (uint32_t)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--epochs") == 0) {
            o.epochs = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--lr") == 0) {
            o.lr = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--l2") == 0) {
            o.l2 = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--family-cap") == 0) {
            o.family_cap = (size_t)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--seed") == 0) {
            o.seed = num(arg(argc, argv, &i));
        } else if (strcmp(a, "--hash-seed") == 0) {
            o.hash_seed = num(arg(argc, argv, &i));
        } else if (strcmp(a, "--op") == 0) {
            op = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--op-nx") == 0) {
            op_nx = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--bench") == 0) {
            bench = true;
        } else if (strcmp(a, "--balance") == 0) {
            o.balance = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--synth") == 0) {
            o.synth = (size_t)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--nn") == 0) {
            o.nn_dim = (unsigned)num(arg(argc, argv, &i));
            o.nn_hidden = (unsigned)num(arg(argc, argv, &i));
            o.nn_bits = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--nn-mode") == 0) {
            o.nn_mode = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--stack") == 0) {
            o.stack = (unsigned)num(arg(argc, argv, &i));
            o.st_hidden = (unsigned)num(arg(argc, argv, &i));
            o.st_epochs = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--st-lr") == 0) {
            o.st_lr = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--nn-alpha") == 0) {
            o.nn_alpha = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--st-random") == 0) {
            o.st_random = true;
        } else if (strcmp(a, "--st-mix") == 0) {
            o.st_mix = true;
        } else if (strcmp(a, "--st-mask") == 0) {
            o.st_mask = (unsigned)num(arg(argc, argv, &i));
        } else if (strcmp(a, "--nn-only") == 0) {
            o.nn_only = true;
        } else if (strcmp(a, "--nn-lr") == 0) {
            o.nn_lr = real(arg(argc, argv, &i));
        } else if (strcmp(a, "--no-lm") == 0) {
            o.lm = false;
        } else if (strcmp(a, "--quiet") == 0) {
            o.quiet = true;
        } else {
            usage();
        }
    }
    if (from != NULL) {
        if (data != NULL || (out == NULL && cout == NULL)) {
            usage();
        }
        return rewrite(from, out, cout, comment);
    }
    if (comment == NULL) {
        comment = "";
    }
    if (data == NULL || o.bits < CM_DGA_BITS_MIN || o.bits > CM_DGA_BITS_MAX || o.ngram_min < 1 ||
        o.ngram_min > o.ngram_max || o.ngram_max > CM_DGA_NGRAM_MAX || o.tokens > CM_DGA_TOK_ALL ||
        folds < 2 || folds > 20) {
        usage();
    }
    /* The experimental models: within nn.c's fixed buffers, and never written out. */
    if ((o.nn_dim > 0 && (o.nn_dim > 32 || o.nn_hidden < 1 || o.nn_hidden > 128 ||
                          o.nn_bits < CM_DGA_BITS_MIN || o.nn_bits > CM_DGA_BITS_MAX)) ||
        (o.stack > 0 && (o.stack < 2 || o.stack > 20 || o.st_hidden < 1 || o.st_hidden > 128)) ||
        (o.nn_dim > 0 && o.stack > 0) || (o.nn_only && o.nn_dim == 0) ||
        ((o.nn_dim > 0 || o.stack > 0) && (out != NULL || cout != NULL))) {
        usage();
    }
    if (data_load(&ds, data) != 0) {
        return 1;
    }
    if (!o.quiet) {
        fprintf(stderr, "dga-train: %zu labels:", ds.n);
        for (size_t f = 0; f < ds.nfamily; f++) {
            fprintf(stderr, " %s=%zu", ds.family[f], ds.per_family[f]);
        }
        fprintf(stderr, "\n");
    }
    if (strcmp(ev, "random") == 0 || strcmp(ev, "all") == 0) {
        rc |= eval_run(&ds, EVAL_RANDOM, folds, &o, op, op_nx, stdout);
    }
    if (strcmp(ev, "family") == 0 || strcmp(ev, "all") == 0) {
        rc |= eval_run(&ds, EVAL_FAMILY, folds, &o, op, op_nx, stdout);
    }
    if (rc == 0 && (out != NULL || cout != NULL || bench)) {
        uint8_t *use = malloc(ds.n);
        struct cm_dga_model *m;

        if (use == NULL) {
            return 1;
        }
        memset(use, 1, ds.n);
        m = train_model(&ds, use, &o, NULL);
        free(use);
        if (m == NULL) {
            rc = -1;
        } else {
            if (out != NULL && write_model(m, out, comment) != 0) {
                rc = -1;
            }
            if (cout != NULL && write_c(m, cout, comment) != 0) {
                rc = -1;
            }
            if (bench) {
                printf("bench\tns_per_score\t%.1f\n", eval_bench(&ds, m));
            }
            cm_dga_model_free(m);
        }
    }
    data_free(&ds);
    return rc == 0 ? 0 : 1;
}
