/*
 * S3's XML answers (s3_xml.h), with expat.
 */
#include "aws/s3_xml.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "aws/aws_xml.h"
#include "base/err.h"

#define MAX_DEPTH 16
#define MAX_TEXT  CM_S3_MAX_TOKEN

/* Where the parser is: the element names from the root, and the text of the innermost. */
struct walk {
    struct cm_aws_xml x; /* the parser, the first failure and why */
    char stack[MAX_DEPTH][32];
    int depth;    /* elements open */
    int overflow; /* levels open past MAX_DEPTH (not tracked) */
    char text[MAX_TEXT + 1];
    size_t ntext;
    /* ListBucketResult */
    struct cm_s3_list *l;
    struct cm_s3_object cur;
    bool has_key, has_size, encoded;
    bool seen_root;
    size_t contents; /* Contents elements seen */
    size_t common;   /* CommonPrefixes elements seen */
    bool has_prefix; /* the CommonPrefixes open has its Prefix */
    char trunc[8];
    /* Error */
    struct cm_s3_error *e;
};

static bool at(const struct walk *w, int depth, const char *name)
{
    return w->overflow == 0 && w->depth == depth && strcmp(w->stack[depth - 1], name) == 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct walk *w = ud;

    (void)attrs;
    if (w->depth == MAX_DEPTH || w->overflow > 0) {
        w->overflow++;
        return;
    }
    snprintf(w->stack[w->depth], sizeof(w->stack[0]), "%s", name);
    w->depth++;
    w->ntext = 0;
    if (w->l != NULL && w->depth == 1) {
        if (strcmp(name, "ListBucketResult") != 0) {
            char m[96];
            snprintf(m, sizeof(m), "not a ListObjectsV2 answer (root element <%.40s>)", name);
            cm_aws_xml_fail(&w->x, CM_EFORMAT, m);
            return;
        }
        w->seen_root = true;
    }
    if (w->l != NULL && at(w, 2, "Contents")) {
        memset(&w->cur, 0, sizeof(w->cur));
        w->has_key = w->has_size = false;
        w->contents++;
    }
    if (w->l != NULL && at(w, 2, "CommonPrefixes")) {
        w->has_prefix = false;
        w->common++;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Decodes S3's encoding-type=url ('+' a space, %XX a byte) in place; -1 when malformed. A
 * NUL byte (%00, which a C string cannot hold) stays "%00" and sets *nul.
 */
static int url_decode(char *s, size_t *n, bool *nul)
{
    size_t o = 0;

    *nul = false;
    for (size_t i = 0; i < *n; i++) {
        if (s[i] == '+') {
            s[o++] = ' ';
        } else if (s[i] == '%') {
            int h, l;
            if (i + 2 >= *n) {
                return -1;
            }
            h = hexval(s[i + 1]);
            l = hexval(s[i + 2]);
            if (h < 0 || l < 0) {
                return -1;
            }
            if ((h << 4 | l) == 0) {
                *nul = true;
                memmove(s + o, "%00", 3);
                o += 3;
            } else {
                s[o++] = (char)(h << 4 | l);
            }
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    *n = o;
    s[o] = '\0';
    return 0;
}

static int add_object(struct walk *w)
{
    struct cm_s3_list *l = w->l;

    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        struct cm_s3_object *nv;
        if (l->n >= CM_S3_MAX_PAGE) {
            return CM_E2BIG;
        }
        nv = cm_realloc(l->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            return CM_ENOMEM;
        }
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = w->cur;
    memset(&w->cur, 0, sizeof(w->cur));
    return 0;
}

/* A CommonPrefixes' Prefix: kept as a folder of the listing. */
static void add_prefix(struct walk *w)
{
    struct cm_s3_list *l = w->l;
    char m[128];

    if (w->has_prefix) {
        snprintf(m, sizeof(m), "CommonPrefixes #%zu has two Prefix", w->common);
        cm_aws_xml_fail(&w->x, CM_EINVAL, m);
        return;
    }
    if (w->ntext > CM_S3_MAX_KEY) {
        snprintf(m, sizeof(m), "CommonPrefixes #%zu: a Prefix of more than %d bytes", w->common,
                 CM_S3_MAX_KEY);
        cm_aws_xml_fail(&w->x, CM_E2BIG, m);
        return;
    }
    if (l->nprefixes == l->capprefixes) {
        size_t ncap = l->capprefixes ? l->capprefixes * 2 : 16;
        char **nv;

        if (l->nprefixes >= CM_S3_MAX_PAGE) {
            cm_aws_xml_fail(&w->x, CM_E2BIG, "more common prefixes than a page holds");
            return;
        }
        if ((nv = cm_realloc(l->prefixes, ncap * sizeof(*nv))) == NULL) {
            cm_aws_xml_fail(&w->x, CM_ENOMEM, "out of memory");
            return;
        }
        l->prefixes = nv;
        l->capprefixes = ncap;
    }
    if ((l->prefixes[l->nprefixes] = cm_strndup(w->text, w->ntext)) == NULL) {
        cm_aws_xml_fail(&w->x, CM_ENOMEM, "out of memory");
        return;
    }
    l->nprefixes++;
    w->has_prefix = true;
}

static void end_list(struct walk *w, const char *name)
{
    char m[128];

    if (at(w, 3, "Prefix") && strcmp(w->stack[1], "CommonPrefixes") == 0) {
        add_prefix(w);
        return;
    }
    if (at(w, 2, "CommonPrefixes")) {
        if (!w->has_prefix) {
            snprintf(m, sizeof(m), "CommonPrefixes #%zu has no Prefix", w->common);
            cm_aws_xml_fail(&w->x, CM_EINVAL, m);
        }
        return;
    }

    if (at(w, 3, "Key") && strcmp(w->stack[1], "Contents") == 0) {
        cm_free(w->cur.key);
        if (w->ntext > CM_S3_MAX_KEY) {
            snprintf(m, sizeof(m), "Contents #%zu: a Key of more than %d bytes", w->contents,
                     CM_S3_MAX_KEY);
            cm_aws_xml_fail(&w->x, CM_E2BIG, m);
            return;
        }
        w->cur.key = cm_strndup(w->text, w->ntext);
        if (w->cur.key == NULL) {
            cm_aws_xml_fail(&w->x, CM_ENOMEM, "out of memory");
            return;
        }
        w->has_key = true;
    } else if (at(w, 3, "Size") && strcmp(w->stack[1], "Contents") == 0) {
        uint64_t v = 0;
        bool okn = w->ntext > 0 && w->ntext <= 19;
        for (size_t i = 0; okn && i < w->ntext; i++) {
            okn = w->text[i] >= '0' && w->text[i] <= '9';
            v = v * 10 + (uint64_t)(w->text[i] - '0');
        }
        if (!okn) {
            snprintf(m, sizeof(m), "Contents #%zu: Size '%.24s' is not a byte count", w->contents,
                     w->text);
            cm_aws_xml_fail(&w->x, CM_EINVAL, m);
            return;
        }
        w->cur.size = v;
        w->has_size = true;
    } else if (at(w, 3, "ETag") && strcmp(w->stack[1], "Contents") == 0) {
        if (w->ntext >= CM_S3_MAX_ETAG) {
            snprintf(m, sizeof(m), "Contents #%zu: an ETag of more than %d bytes", w->contents,
                     CM_S3_MAX_ETAG - 1);
            cm_aws_xml_fail(&w->x, CM_E2BIG, m);
            return;
        }
        memcpy(w->cur.etag, w->text, w->ntext + 1);
    } else if (at(w, 2, "Contents")) {
        int rc;
        if (!w->has_key || !w->has_size) {
            snprintf(m, sizeof(m), "Contents #%zu has no %s", w->contents,
                     w->has_key ? "Size" : "Key");
            cm_aws_xml_fail(&w->x, CM_EINVAL, m);
            return;
        }
        if ((rc = add_object(w)) != 0) {
            cm_aws_xml_fail(&w->x, rc,
                            rc == CM_E2BIG ? "more objects than a page holds" : "out of memory");
        }
    } else if (at(w, 2, "IsTruncated")) {
        snprintf(w->trunc, sizeof(w->trunc), "%.*s", (int)w->ntext, w->text);
    } else if (at(w, 2, "NextContinuationToken")) {
        cm_free(w->l->next_token);
        w->l->next_token = cm_strndup(w->text, w->ntext);
        if (w->l->next_token == NULL) {
            cm_aws_xml_fail(&w->x, CM_ENOMEM, "out of memory");
        }
    } else if (at(w, 2, "EncodingType")) {
        w->encoded = w->ntext == 3 && memcmp(w->text, "url", 3) == 0;
    }
    (void)name;
}

/* Copies the text into dst (cap bytes), control bytes made spaces. */
static void keep(char *dst, size_t cap, const char *s, size_t n)
{
    size_t k = n < cap - 1 ? n : cap - 1;

    for (size_t i = 0; i < k; i++) {
        dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    }
    dst[k] = '\0';
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct walk *w = ud;

    if (w->overflow > 0) {
        w->overflow--;
        return;
    }
    if (w->l != NULL) {
        end_list(w, name);
    } else if (w->depth == 2 && strcmp(w->stack[0], "Error") == 0) {
        if (strcmp(name, "Code") == 0) {
            keep(w->e->code, sizeof(w->e->code), w->text, w->ntext);
        } else if (strcmp(name, "Message") == 0) {
            keep(w->e->message, sizeof(w->e->message), w->text, w->ntext);
        } else if (strcmp(name, "Region") == 0) {
            keep(w->e->region, sizeof(w->e->region), w->text, w->ntext);
        }
    }
    w->depth--;
    w->ntext = 0;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct walk *w = ud;

    if (w->overflow > 0 || len <= 0) {
        return;
    }
    if (w->ntext + (size_t)len > MAX_TEXT) {
        if (w->l != NULL) {
            cm_aws_xml_fail(&w->x, CM_E2BIG, "an element's text is longer than 8 KiB");
        }
        return;
    }
    memcpy(w->text + w->ntext, s, (size_t)len);
    w->ntext += (size_t)len;
    w->text[w->ntext] = '\0';
}

void cm_s3_list_init(struct cm_s3_list *l)
{
    memset(l, 0, sizeof(*l));
}

void cm_s3_list_finish(struct cm_s3_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cm_free(l->v[i].key);
    }
    cm_free(l->v);
    cm_free(l->next_token);
    for (size_t i = 0; i < l->nprefixes; i++) {
        cm_free(l->prefixes[i]);
    }
    cm_free(l->prefixes);
    memset(l, 0, sizeof(*l));
}

int cm_s3_list_parse(const char *xml, size_t n, struct cm_s3_list *l, char *why, size_t whylen)
{
    struct walk *w = cm_calloc(1, sizeof(*w));
    int rc;

    cm_s3_list_finish(l);
    if (w == NULL) {
        return CM_ENOMEM;
    }
    w->l = l;
    w->x.why = why;
    w->x.whylen = whylen;
    if (n > (size_t)INT32_MAX) {
        snprintf(why, whylen, "an answer of more than 2 GiB");
        rc = CM_E2BIG;
    } else {
        rc = cm_aws_xml_parse(&w->x, xml, n, w, on_start, on_end, on_text);
    }
    cm_free(w->cur.key);
    if (rc == 0 && !w->seen_root) {
        snprintf(why, whylen, "not a ListObjectsV2 answer (no ListBucketResult)");
        rc = CM_EFORMAT;
    }
    l->truncated = strcmp(w->trunc, "true") == 0;
    if (rc == 0 && l->truncated && (l->next_token == NULL || l->next_token[0] == '\0')) {
        snprintf(why, whylen, "IsTruncated is true but no NextContinuationToken was sent");
        rc = CM_EINVAL;
    }
    for (size_t i = 0; rc == 0 && w->encoded && i < l->n; i++) {
        size_t k = strlen(l->v[i].key);
        if (url_decode(l->v[i].key, &k, &l->v[i].nul_key) != 0) {
            snprintf(why, whylen, "Contents #%zu: the Key is not valid URL encoding", i + 1);
            rc = CM_EINVAL;
        }
    }
    for (size_t i = 0; rc == 0 && w->encoded && i < l->nprefixes; i++) {
        size_t k = strlen(l->prefixes[i]);
        bool nul; /* a %00 stays as text (url_decode): such a folder lists nothing */
        if (url_decode(l->prefixes[i], &k, &nul) != 0) {
            snprintf(why, whylen, "CommonPrefixes #%zu: the Prefix is not valid URL encoding",
                     i + 1);
            rc = CM_EINVAL;
        }
    }
    cm_free(w);
    if (rc != 0) {
        cm_s3_list_finish(l);
    }
    return rc;
}

int cm_s3_error_parse(const char *body, size_t n, struct cm_s3_error *e)
{
    struct walk *w = cm_calloc(1, sizeof(*w));
    char why[8];

    memset(e, 0, sizeof(*e));
    if (w == NULL) {
        return CM_ENOTFOUND;
    }
    w->e = e;
    w->x.why = why;
    w->x.whylen = sizeof(why);
    if (n <= (size_t)INT32_MAX) {
        (void)cm_aws_xml_parse(&w->x, body, n, w, on_start, on_end, on_text);
    }
    cm_free(w);
    return e->code[0] != '\0' ? 0 : CM_ENOTFOUND;
}
