/*
 * dga-train: the labelled names (dga_train.h). Reads, under the data
 * directory (../shared/data), every file that exists of:
 *
 *   top-domains/top-100000-domains              benign (Alexa ranking, 2016)
 *   dns-dga/andrewaeva/opendns-top-domains.txt  benign
 *   dns-dga/andrewaeva/opendns-random-domains.txt  benign, random-looking (FAM_RANDOM)
 *   dns-dga/andrewaeva/<family>.txt.gz          generated names, the file is the family
 *   dns-dga/andrewaeva/dds-malicious-domains.csv   "name","family"
 *   dns-dga/chrmor/dga_domains_sample.csv       class,family,name (class legit: benign)
 *
 * Each name goes through cm_domain_parse; the sample is its registered
 * domain's label (what cm_dga_score scores); names without one are
 * skipped (a bare label, without a dot, is taken as it is). Labels are deduplicated per class, and
 * a label found in both classes is dropped from both. Families that are variants of one DGA are
 * merged (GameOver Zeus: zeus, goz, new_goz, newgoz) so the family-disjoint
 * split never tests on a sibling of a trained family.
 */
#include "dga_train.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/domain.h"

static const char *const merged[][2] = {
    {"zeus", "gameover-zeus"},
    {"goz", "gameover-zeus"},
    {"new_goz", "gameover-zeus"},
    {"newgoz", "gameover-zeus"},
};

static const char *const andrewaeva[] = {
    "conficker", "cryptolocker", "goz",    "matsnu", "new_goz", "others_dga",
    "pushdo",    "ramdo",        "rovnix", "tinba",  "zeus",
};

uint16_t data_family(struct dataset *ds, const char *name)
{
    for (size_t i = 0; i < sizeof(merged) / sizeof(merged[0]); i++) {
        if (strcmp(name, merged[i][0]) == 0) {
            name = merged[i][1];
        }
    }
    for (size_t i = 0; i < ds->nfamily; i++) {
        if (strcmp(ds->family[i], name) == 0) {
            return (uint16_t)i;
        }
    }
    if (ds->nfamily == MAX_FAMILIES) {
        fprintf(stderr, "dga-train: more than %d families\n", MAX_FAMILIES);
        exit(1);
    }
    ds->family[ds->nfamily] = strdup(name);
    return (uint16_t)ds->nfamily++;
}

static void add(struct dataset *ds, const char *name, size_t len, int dga, uint16_t family)
{
    struct cm_domain d;
    struct sample *s;
    size_t n;

    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t' || name[len - 1] == '\r' ||
                       name[len - 1] == '"')) {
        len--;
    }
    while (len > 0 && (*name == ' ' || *name == '"')) {
        name++;
        len--;
    }
    if (len > 0 && len < 200 && memchr(name, '.', len) == NULL) {
        char full[256]; /* a bare label (others_dga lists some): score it as label.com */

        memcpy(full, name, len);
        memcpy(full + len, ".com", 5);
        add(ds, full, len + 4, dga, family);
        return;
    }
    if (cm_domain_parse(cm_str_make(name, len), &d) != 0 || d.reg >= d.sfx) {
        return;
    }
    n = d.sfx - d.reg - 1;
    if (n == 0) {
        return;
    }
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 65536;
        ds->s = realloc(ds->s, ds->cap * sizeof(*ds->s));
        if (ds->s == NULL) {
            fprintf(stderr, "dga-train: out of memory\n");
            exit(1);
        }
    }
    s = &ds->s[ds->n++];
    if (n > CM_DGA_MAX_LABEL) {
        n = CM_DGA_MAX_LABEL;
    }
    memcpy(s->label, d.name + d.reg, n);
    s->label[n] = '\0';
    s->len = (uint8_t)n;
    s->dga = (uint8_t)dga;
    s->family = family;
}

enum fmt { F_PLAIN, F_DDS, F_CHRMOR };

/* Reads one file (plain or gzip); a missing file is skipped with a note. */
static void load(struct dataset *ds, const char *dir, const char *rel, enum fmt fmt, int dga,
                 uint16_t family)
{
    char path[512], line[1024];
    size_t lines = 0;
    gzFile f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if ((f = gzopen(path, "rb")) == NULL) {
        fprintf(stderr, "dga-train: %s: absent, skipped\n", path);
        return;
    }
    while (gzgets(f, line, sizeof(line)) != NULL) {
        size_t len = strcspn(line, "\r\n");
        char *p = line, *q;

        line[len] = '\0';
        lines++;
        if (len == 0 || line[0] == '#') {
            continue;
        }
        if (fmt == F_DDS) { /* "name","family" */
            if ((q = strchr(p, ',')) == NULL) {
                fprintf(stderr, "%s:%zu: no family, skipped\n", path, lines);
                continue;
            }
            *q++ = '\0';
            while (*q == '"') {
                q++;
            }
            q[strcspn(q, "\"")] = '\0';
            add(ds, p, strlen(p), 1, data_family(ds, q));
        } else if (fmt == F_CHRMOR) { /* class,family,name */
            char *fam, *name;

            if ((fam = strchr(p, ',')) == NULL || (name = strchr(fam + 1, ',')) == NULL) {
                fprintf(stderr, "%s:%zu: not class,family,name, skipped\n", path, lines);
                continue;
            }
            *fam++ = '\0';
            *name++ = '\0';
            if (strcmp(p, "legit") == 0) {
                add(ds, name, strlen(name), 0, FAM_BENIGN);
            } else if (strcmp(p, "dga") == 0) {
                add(ds, name, strlen(name), 1, data_family(ds, fam));
            } else {
                fprintf(stderr, "%s:%zu: unknown class, skipped\n", path, lines);
            }
        } else {
            add(ds, p, len, dga, family);
        }
    }
    gzclose(f);
    if (ds->nfiles < sizeof(ds->files) / sizeof(ds->files[0])) {
        snprintf(ds->files[ds->nfiles].path, sizeof(ds->files[0].path), "%s", rel);
        ds->files[ds->nfiles++].lines = lines;
    }
}

static int cmp_label(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    int c = strcmp(x->label, y->label);

    return c != 0 ? c : (int)x->dga - (int)y->dga;
}

/* Sorts, keeps one sample per (label, class) and drops labels found in both classes. */
static void dedup(struct dataset *ds)
{
    size_t out = 0, i = 0;

    qsort(ds->s, ds->n, sizeof(*ds->s), cmp_label);
    while (i < ds->n) {
        size_t j = i + 1;
        bool both = false;

        while (j < ds->n && strcmp(ds->s[j].label, ds->s[i].label) == 0) {
            both |= ds->s[j].dga != ds->s[i].dga;
            j++;
        }
        if (!both) {
            ds->s[out++] = ds->s[i];
        }
        i = j;
    }
    ds->n = out;
}

int data_load(struct dataset *ds, const char *dir)
{
    char rel[256];

    memset(ds, 0, sizeof(*ds));
    data_family(ds, "benign");
    data_family(ds, "benign-random");
    load(ds, dir, "top-domains/top-100000-domains", F_PLAIN, 0, FAM_BENIGN);
    load(ds, dir, "dns-dga/andrewaeva/opendns-top-domains.txt", F_PLAIN, 0, FAM_BENIGN);
    load(ds, dir, "dns-dga/andrewaeva/opendns-random-domains.txt", F_PLAIN, 0, FAM_RANDOM);
    load(ds, dir, "dns-dga/chrmor/dga_domains_sample.csv", F_CHRMOR, 0, 0);
    load(ds, dir, "dns-dga/andrewaeva/dds-malicious-domains.csv", F_DDS, 1, 0);
    for (size_t i = 0; i < sizeof(andrewaeva) / sizeof(andrewaeva[0]); i++) {
        snprintf(rel, sizeof(rel), "dns-dga/andrewaeva/%s.txt.gz", andrewaeva[i]);
        load(ds, dir, rel, F_PLAIN, 1, data_family(ds, andrewaeva[i]));
    }
    dedup(ds);
    for (size_t i = 0; i < ds->n; i++) {
        ds->per_family[ds->s[i].family]++;
    }
    if (ds->per_family[FAM_BENIGN] == 0 || ds->n == ds->per_family[FAM_BENIGN]) {
        fprintf(stderr, "dga-train: %s: no benign or no generated names found\n", dir);
        return -1;
    }
    return 0;
}

void data_free(struct dataset *ds)
{
    free(ds->s);
    for (size_t i = 0; i < ds->nfamily; i++) {
        free(ds->family[i]);
    }
    memset(ds, 0, sizeof(*ds));
}
