/*
 * libFuzzer target for the DGA model file parser and the scorer
 * (lib/detect/dga.c).
 *
 * The input, copied into an exact-size heap buffer (no NUL after it), is
 * parsed as a model file. A rejected file must leave no model and name a
 * line within the input; an accepted one must hold its parameters in range
 * and score, in [0, 1], the input's own lines as labels and a few fixed
 * names, allocation-free and without reading past the tables (ASan), each
 * label exactly as its feature list scores (cm_dga_score_features). The
 * input is also scored as a label, and as a query name, by the built-in
 * model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/domain.h"
#include "base/err.h"
#include "detect/dga.h"
#include "detect/dns_dga.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void in_range(double s)
{
    check(s >= 0.0 && s <= 1.0);
}

static void score_all(const struct cm_dga_model *m, const char *src, size_t size)
{
    static const char *const names[] = {"xkqzjvbwpftrmnhd.com", "google.com", "a.b.c.d.e",
                                        "d1x4ae3kq8w6mq.cloudfront.net", "x.duckdns.org"};
    struct cm_domain d;
    size_t start = 0;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        check(cm_domain_parse(cm_str_cstr(names[i]), &d) == 0);
        in_range(cm_dga_score(m, &d));
    }
    for (size_t i = 0; i <= size; i++) {
        if (i == size || src[i] == '\n') {
            uint32_t idx[CM_DGA_MAX_FEATS];
            size_t nng, n = cm_dga_features(m, src + start, i - start, idx, &nng);
            double sc = cm_dga_score_label(m, src + start, i - start);

            in_range(sc);
            check(n <= CM_DGA_MAX_FEATS && nng <= n);
            check(sc == cm_dga_score_features(m, idx, n, nng)); /* the fast sums are the list's */
            start = i + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size ? size : 1);
    struct cm_dga_model *m = (struct cm_dga_model *)&src; /* must be reset */
    const struct cm_dga_model *b = cm_dga_model_builtin();
    struct cm_domain d;
    struct cm_diag diag;
    int rc;

    if (src == NULL) {
        return 0;
    }
    if (size) {
        memcpy(src, data, size);
    }
    rc = cm_dga_model_parse(src, size, &m, &diag);
    if (rc == 0) {
        check(m != NULL && m->w != NULL);
        check(m->hash_bits >= CM_DGA_BITS_MIN && m->hash_bits <= CM_DGA_BITS_MAX);
        check(m->ngram_min >= 1 && m->ngram_min <= m->ngram_max &&
              m->ngram_max <= CM_DGA_NGRAM_MAX);
        check(m->tokens <= CM_DGA_TOK_ALL && m->quant >= 1);
        score_all(m, src, size);
        cm_dga_model_free(m);
    } else {
        check(m == NULL);
        check(rc == CM_ESYNTAX || rc == CM_ERANGE || rc == CM_ENOMEM);
        check(diag.offset <= size && diag.msg[0] != '\0');
    }
    in_range(cm_dga_score_label(b, src, size));
    if (cm_domain_parse(cm_str_make(src, size), &d) == 0) {
        in_range(cm_dga_score(b, &d));
    }
    free(src);
    return 0;
}
