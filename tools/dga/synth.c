/*
 * dga-train: synthetic generated names, made while training (never
 * evaluated). The public DGA lists hold a few dozen families; a family
 * never seen in training is scored by what the model learnt from the
 * others, and the classes of DGA (Plohmann et al., "A Comprehensive
 * Measurement Study of Domain Generating Malware", USENIX Security 2016:
 * arithmetic, hash, word-list and permutation based) are wider than the
 * families that happen to be in the data. These generators give every
 * class a family of its own, written here from that taxonomy and not from
 * any listed family's code or names:
 *
 *   synth-letters   random letters, 5-24 long (arithmetic)
 *   synth-alnum     random letters and digits, 8-32 long (arithmetic)
 *   synth-hex       hex digits, 8-32 long (hash based)
 *   synth-syllables consonant-vowel syllables, 6-16 long (pronounceable)
 *   synth-words     2-4 words of the training benign names, 14-40 long (word list)
 *
 * The words are the training benign labels of 3-9 letters, so a held-out
 * benign name never takes part.
 */
#include "dga_train.h"

#include <stdlib.h>
#include <string.h>

static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char hex[] = "0123456789abcdef";
static const char cons[] = "bcdfghjklmnprstvwxz";
static const char vow[] = "aeiou";

static size_t between(uint64_t *r, size_t lo, size_t hi)
{
    return lo + (size_t)(rng_next(r) % (hi - lo + 1));
}

static size_t draw(uint64_t *r, const char *set, size_t nset, char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = set[rng_next(r) % nset];
    }
    return len;
}

static size_t syllables(uint64_t *r, char *out)
{
    size_t want = between(r, 6, 16), k = 0;

    while (k < want) {
        out[k++] = cons[rng_next(r) % (sizeof(cons) - 1)];
        if (k < want) {
            out[k++] = vow[rng_next(r) % (sizeof(vow) - 1)];
        }
        if (k < want && rng_next(r) % 4 == 0) {
            out[k++] = rng_next(r) % 2 ? cons[rng_next(r) % (sizeof(cons) - 1)]
                                       : vow[rng_next(r) % (sizeof(vow) - 1)];
        }
    }
    return k;
}

static size_t words(uint64_t *r, const struct sample *const *w, size_t nw, char *out)
{
    size_t want = between(r, 2, 4), k = 0;

    for (size_t i = 0; i < want || k < 14; i++) {
        const struct sample *s = w[rng_next(r) % nw];

        if (k + s->len > 40) {
            break;
        }
        memcpy(out + k, s->label, s->len);
        k += s->len;
    }
    return k;
}

size_t synth_make(const struct dataset *ds, const uint8_t *use, size_t per_family,
                  uint16_t first_family, uint64_t seed, struct sample *out)
{
    const struct sample **w = malloc(ds->n * sizeof(*w));
    size_t nw = 0, n = 0;
    uint64_t r = seed ^ 0x73796e7468ULL;

    if (w == NULL) {
        return 0;
    }
    for (size_t i = 0; i < ds->n; i++) {
        const struct sample *s = &ds->s[i];
        size_t j = 0;

        if (!use[i] || s->dga || s->family != FAM_BENIGN || s->len < 3 || s->len > 9) {
            continue;
        }
        while (j < s->len && s->label[j] >= 'a' && s->label[j] <= 'z') {
            j++;
        }
        if (j == s->len) {
            w[nw++] = s;
        }
    }
    for (unsigned f = 0; f < SYNTH_FAMILIES; f++) {
        for (size_t i = 0; i < per_family; i++) {
            struct sample *s = &out[n];
            size_t len;

            switch (f) {
            case 0:
                len = draw(&r, letters, 26, s->label, between(&r, 5, 24));
                break;
            case 1:
                len = draw(&r, alnum, 36, s->label, between(&r, 8, 32));
                break;
            case 2:
                len = draw(&r, hex, 16, s->label, between(&r, 8, 32));
                break;
            case 3:
                len = syllables(&r, s->label);
                break;
            default:
                if (nw == 0) {
                    continue;
                }
                len = words(&r, w, nw, s->label);
                break;
            }
            s->label[len] = '\0';
            s->len = (uint8_t)len;
            s->dga = 1;
            s->family = (uint16_t)(first_family + f);
            n++;
        }
    }
    free(w);
    return n;
}
