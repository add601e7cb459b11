/*
 * The Public Suffix List as a seeded hash set (psl.h).
 *
 * Every rule's suffix text (without "!" or "*.") is a key of one open
 * addressing table; its flags say which kinds of rule end there: a plain
 * rule, an exception, a wildcard over it, each ICANN or private. A lookup
 * hashes the name's suffixes from the right, one label more each step, up
 * to the longest key's label count, and keeps the prevailing match. Every
 * parent suffix of a key is a key too (F_PARENT), so the walk stops at the
 * first suffix that is none: two or three probes for most names.
 *
 * Unicode rules are encoded label by label to punycode (RFC 3492 §6.3).
 */
#include "base/psl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/str.h"

#define MAX_NAME 253 /* a name's text, as base/domain.h */
#define MAX_CPS  64  /* code points in one Unicode label */

enum {
    F_RULE = 1,  /* "suffix" */
    F_EXC = 2,   /* "!suffix" */
    F_WILD = 4,  /* "*.suffix" */
    F_PRULE = 8, /* the same, in the private section */
    F_PEXC = 16,
    F_PWILD = 32,
    F_PARENT = 64, /* a longer key ends with this one: a lookup must go on */
};

struct slot {
    uint64_t hash;
    uint32_t off; /* of the key in pool */
    uint8_t len;
    uint8_t flags; /* 0: empty */
};

struct cm_psl {
    uint64_t seed;
    struct slot *slots;
    size_t mask; /* slots - 1 */
    size_t nrules, nkeys;
    unsigned maxlabels; /* of any key */
    char *pool;
    size_t npool, cappool;
};

/* --- punycode (RFC 3492) ------------------------------------------------------------ */

static unsigned adapt(unsigned delta, unsigned npoints, bool first)
{
    unsigned k = 0;

    delta = first ? delta / 700 : delta / 2;
    delta += delta / npoints;
    while (delta > ((36 - 1) * 26) / 2) {
        delta /= 36 - 1;
        k += 36;
    }
    return k + (36 - 1 + 1) * delta / (delta + 38);
}

static char digit(unsigned d)
{
    return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Decodes UTF-8 s[0..n) into cp[]; returns the count, or -1 when invalid or too long. */
static int utf8_cps(const unsigned char *s, size_t n, uint32_t *cp)
{
    int k = 0;

    for (size_t i = 0; i < n; k++) {
        uint32_t c = s[i];
        size_t extra = c < 0x80             ? 0
                       : (c & 0xe0) == 0xc0 ? 1
                       : (c & 0xf0) == 0xe0 ? 2
                       : (c & 0xf8) == 0xf0 ? 3
                                            : 9;

        if (extra == 9 || i + extra >= n || k == MAX_CPS) {
            return -1;
        }
        if (extra > 0) {
            c &= 0x3fu >> extra;
            for (size_t j = 1; j <= extra; j++) {
                if ((s[i + j] & 0xc0) != 0x80) {
                    return -1;
                }
                c = c << 6 | (s[i + j] & 0x3fu);
            }
        }
        cp[k] = c;
        i += extra + 1;
    }
    return k;
}

/* Appends the ASCII form of label s[0..n) to out (room: cap). Returns the length, or 0. */
static size_t label_ascii(const char *s, size_t n, char *out, size_t cap)
{
    uint32_t cp[MAX_CPS];
    unsigned h, b = 0, m, bias = 72, cpn = 128;
    unsigned delta = 0;
    size_t o = 0;
    int ncp;

    ncp = utf8_cps((const unsigned char *)s, n, cp);
    if (ncp <= 0) {
        return 0;
    }
    for (int i = 0; i < ncp; i++) {
        if (cp[i] < 0x80) {
            b++;
        }
    }
    if (b == (unsigned)ncp) {
        for (int i = 0; i < ncp && o < cap; i++) {
            out[o++] = (char)(cp[i] >= 'A' && cp[i] <= 'Z' ? cp[i] + 32 : cp[i]);
        }
        return o == (size_t)ncp ? o : 0;
    }
    if (cap < 4) {
        return 0;
    }
    memcpy(out, "xn--", 4);
    o = 4;
    for (int i = 0; i < ncp; i++) {
        if (cp[i] < 0x80 && o < cap) {
            out[o++] = (char)cp[i];
        }
    }
    if (b > 0 && o < cap) {
        out[o++] = '-';
    }
    for (h = b; h < (unsigned)ncp;) {
        m = UINT32_MAX;
        for (int i = 0; i < ncp; i++) {
            if (cp[i] >= cpn && cp[i] < m) {
                m = cp[i];
            }
        }
        if ((m - cpn) > (UINT32_MAX - delta) / (h + 1)) {
            return 0; /* overflow */
        }
        delta += (m - cpn) * (h + 1);
        cpn = m;
        for (int i = 0; i < ncp; i++) {
            if (cp[i] < cpn) {
                delta++;
            }
            if (cp[i] == cpn) {
                unsigned q = delta;

                for (unsigned k = 36;; k += 36) {
                    unsigned t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
                    if (q < t) {
                        break;
                    }
                    if (o >= cap) {
                        return 0;
                    }
                    out[o++] = digit(t + (q - t) % (36 - t));
                    q = (q - t) / (36 - t);
                }
                if (o >= cap) {
                    return 0;
                }
                out[o++] = digit(q);
                bias = adapt(delta, h + 1, h == b);
                delta = 0;
                h++;
            }
        }
        delta++;
        cpn++;
    }
    return o;
}

/* --- the table ---------------------------------------------------------------------- */

static struct slot *find(const struct cm_psl *p, const char *key, size_t len, uint64_t h)
{
    for (size_t i = h & p->mask;; i = (i + 1) & p->mask) {
        struct slot *s = &p->slots[i];

        if (s->flags == 0 ||
            (s->hash == h && s->len == len && memcmp(p->pool + s->off, key, len) == 0)) {
            return s;
        }
    }
}

static int grow(struct cm_psl *p)
{
    size_t n = (p->mask + 1) * 2;
    struct slot *old = p->slots, *v = cm_calloc(n, sizeof(*v));

    if (v == NULL) {
        return CM_ENOMEM;
    }
    p->slots = v;
    p->mask = n - 1;
    for (size_t i = 0; i < n / 2; i++) {
        if (old[i].flags != 0) {
            size_t j = old[i].hash & p->mask;
            while (v[j].flags != 0) {
                j = (j + 1) & p->mask;
            }
            v[j] = old[i];
        }
    }
    cm_free(old);
    return 0;
}

/*
 * The hash of key k[0..len) (a name: labels joined by dots), chained over its
 * labels from the right with cm_hash_label as cm_psl_suffix_at computes it a
 * label at a time.
 */
static uint64_t key_hash(const struct cm_psl *p, const char *key, size_t len)
{
    char buf[UINT8_MAX + 16]; /* a key fits a slot's length; 16 readable bytes after it */
    uint64_t h = p->seed, seed2 = cm_hash_seed2(p->seed);
    size_t end = len;

    memcpy(buf, key, len);
    memset(buf + len, 0, 16);
    for (size_t i = len; i-- > 0;) {
        if (buf[i] == '.') {
            h = cm_hash_label(h, buf + i + 1, end - i - 1, seed2);
            end = i;
        }
    }
    return cm_hash_label(h, buf, end, seed2);
}

static int add_key(struct cm_psl *p, const char *key, size_t len, uint8_t flag)
{
    uint64_t h;
    struct slot *s;
    unsigned labels = 1;
    int rc;

    if (len > UINT8_MAX) {
        return CM_EINVAL;
    }
    h = key_hash(p, key, len);
    s = find(p, key, len, h);
    if (s->flags == 0) {
        if ((p->nkeys + 1) * 2 > p->mask + 1) {
            if ((rc = grow(p)) != 0) {
                return rc;
            }
            s = find(p, key, len, h);
        }
        if (p->npool + len > p->cappool) {
            size_t cap = p->cappool ? p->cappool * 2 : 65536;
            char *np;
            while (cap < p->npool + len) {
                cap *= 2;
            }
            if ((np = cm_realloc(p->pool, cap)) == NULL) {
                return CM_ENOMEM;
            }
            p->pool = np;
            p->cappool = cap;
        }
        memcpy(p->pool + p->npool, key, len);
        s->hash = h;
        s->off = (uint32_t)p->npool;
        s->len = (uint8_t)len;
        p->npool += len;
        p->nkeys++;
        for (size_t i = 0; i < len; i++) {
            labels += key[i] == '.';
        }
        /* A wildcard matches one label more than its key has. */
        labels += (flag & (F_WILD | F_PWILD)) != 0;
        if (labels > p->maxlabels) {
            p->maxlabels = labels;
        }
    } else if ((flag & (F_WILD | F_PWILD)) != 0) {
        for (size_t i = 0; i < len; i++) {
            labels += key[i] == '.';
        }
        if (labels + 1 > p->maxlabels) {
            p->maxlabels = labels + 1;
        }
    }
    s->flags |= flag;
    if (flag != F_PARENT) {
        p->nrules++;
        /* Mark the parents, so a lookup stops at the first suffix that is no key. */
        for (size_t i = 0; i < len; i++) {
            if (key[i] == '.' && (rc = add_key(p, key + i + 1, len - i - 1, F_PARENT)) != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* The rule text r[0..n) in ASCII, into out; returns its length, or 0 when it is not a name. */
static size_t rule_ascii(const char *r, size_t n, char *out)
{
    size_t o = 0, i = 0;

    while (i < n) {
        size_t j = i, k;

        while (j < n && r[j] != '.') {
            j++;
        }
        if (j == i || (o > 0 && o >= MAX_NAME)) {
            return 0;
        }
        if (o > 0) {
            out[o++] = '.';
        }
        k = label_ascii(r + i, j - i, out + o, MAX_NAME - o);
        if (k == 0 || k > 63) {
            return 0;
        }
        for (size_t c = o; c < o + k; c++) {
            unsigned char ch = (unsigned char)out[c];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
                return 0;
            }
        }
        o += k;
        i = j + 1;
        if (j + 1 == n) {
            return 0; /* a trailing dot */
        }
    }
    return o;
}

int cm_psl_parse(const char *text, size_t len, uint64_t seed, struct cm_psl **out, size_t *skipped,
                 struct cm_diag *diag)
{
    struct cm_psl *p = cm_calloc(1, sizeof(*p));
    bool priv = false;
    size_t bad = 0, pos = 0;
    char key[MAX_NAME + 8];
    int rc = 0;

    *out = NULL;
    if (p == NULL || (p->slots = cm_calloc(1024, sizeof(*p->slots))) == NULL) {
        cm_free(p);
        return CM_ENOMEM;
    }
    p->seed = seed;
    p->mask = 1023;
    while (pos < len && rc == 0) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, r = 0, k;
        uint8_t flag;

        pos += n + (nl != NULL);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        while (r < n && (line[r] == ' ' || line[r] == '\t')) {
            r++;
        }
        if (r == n) {
            continue;
        }
        if (n - r >= 2 && line[r] == '/' && line[r + 1] == '/') {
            struct cm_str c = cm_str_make(line + r, n - r);

            if (cm_str_find(c, CM_STR_LIT("===BEGIN PRIVATE DOMAINS===")) != (size_t)-1) {
                priv = true;
            } else if (cm_str_find(c, CM_STR_LIT("===END PRIVATE DOMAINS===")) != (size_t)-1) {
                priv = false;
            }
            continue;
        }
        for (k = r; k < n && line[k] != ' ' && line[k] != '\t'; k++) {
        }
        flag = priv ? F_PRULE : F_RULE;
        if (line[r] == '!') {
            flag = priv ? F_PEXC : F_EXC;
            r++;
        } else if (k - r >= 2 && line[r] == '*' && line[r + 1] == '.') {
            flag = priv ? F_PWILD : F_WILD;
            r += 2;
        }
        if (k <= r || (k = rule_ascii(line + r, k - r, key)) == 0) {
            bad++;
            continue;
        }
        rc = add_key(p, key, k, flag);
    }
    if (rc == 0 && p->nrules == 0) {
        cm_diag_set(diag, 0, "no public suffix rule in %zu bytes", len);
        rc = CM_EINVAL;
    }
    if (rc != 0) {
        cm_psl_free(p);
        return rc;
    }
    if (skipped != NULL) {
        *skipped = bad;
    }
    *out = p;
    return 0;
}

void cm_psl_free(struct cm_psl *p)
{
    if (p != NULL) {
        cm_free(p->slots);
        cm_free(p->pool);
        cm_free(p);
    }
}

size_t cm_psl_rules(const struct cm_psl *p)
{
    return p != NULL ? p->nrules : 0;
}

size_t cm_psl_suffix(const struct cm_psl *p, const char *name, size_t len, bool *priv)
{
    size_t starts[CM_PSL_MAX_STARTS], sfx;
    unsigned n = 0;
    char small[256 + 16], *buf;
    bool listed;

    /* Label starts, from the right: starts[0] is the last label's. */
    for (size_t i = len; i > 0 && n < CM_PSL_MAX_STARTS; i--) {
        if (name[i - 1] == '.') {
            starts[n++] = i;
        }
    }
    if (n < CM_PSL_MAX_STARTS) {
        starts[n++] = 0;
    }
    /* cm_psl_suffix_at reads 16 bytes past the name: a copy on the stack, or for a long one the
     * heap. */
    if ((buf = len <= 256 ? small : cm_malloc(len + 16)) == NULL) {
        *priv = false;
        return 0;
    }
    memcpy(buf, name, len);
    memset(buf + len, 0, 16);
    sfx = cm_psl_suffix_at(p, len, buf, starts, n, priv, &listed);
    if (buf != small) {
        cm_free(buf);
    }
    return sfx;
}

size_t cm_psl_suffix_at(const struct cm_psl *p, size_t len, const char *name, const size_t *starts,
                        unsigned n, bool *priv, bool *listed)
{
    unsigned best = 1, k;
    bool best_priv = false;
    uint64_t h = p->seed, seed2 = cm_hash_seed2(p->seed);
    size_t end = len; /* of the label k */

    *listed = false;
    for (k = 1; k <= n && k <= p->maxlabels; k++) {
        size_t off = starts[k - 1];
        const struct slot *s;
        uint8_t f;

        /* The suffix of k labels is one step on from the one of k - 1. */
        h = cm_hash_label(h, name + off, end - off, seed2);
        end = off - 1;
        s = find(p, name + off, len - off, h);
        f = s->flags;
        if (f == 0) {
            break; /* no key ends here, so none is longer */
        }
        if (f & (F_EXC | F_PEXC)) {
            /* An exception prevails: its rule minus the leftmost label. */
            *priv = (f & F_PEXC) != 0;
            *listed = true;
            return k >= 2 ? starts[k - 2] : len;
        }
        /* A rule of the list prevails over the implicit "*" (a wildcard's bare base, as libpsl). */
        *listed = *listed || (f & (F_RULE | F_PRULE | F_WILD | F_PWILD)) != 0;
        if ((f & (F_RULE | F_PRULE)) && k >= best) {
            best = k;
            best_priv = (f & F_PRULE) != 0 && (f & F_RULE) == 0;
        }
        if ((f & (F_WILD | F_PWILD)) && k < n && k + 1 >= best) {
            best = k + 1;
            best_priv = (f & F_PWILD) != 0 && (f & F_WILD) == 0;
        }
    }
    *priv = best_priv;
    return best <= n ? starts[best - 1] : 0;
}
