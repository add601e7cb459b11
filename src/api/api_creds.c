/*
 * Credentials for SigV4 (api_creds.h).
 */
#include "api/api_creds.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define MAX_LINE 512

void cm_api_creds_init(struct cm_api_creds *c)
{
    memset(c, 0, sizeof(*c));
}

void cm_api_creds_finish(struct cm_api_creds *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free((void *)(uintptr_t)c->v[i].key_id);
        if (c->v[i].secret != NULL) {
            char *s = (char *)(uintptr_t)c->v[i].secret;
            OPENSSL_cleanse(s, strlen(s));
            free(s);
        }
    }
    memset(c, 0, sizeof(*c));
}

/* Whether key is an access key id; else why not, into why. */
static bool key_ok(const char *key, char *why, size_t whylen)
{
    size_t kl = strlen(key);

    if (kl < 16 || kl > 128) {
        snprintf(why, whylen, "an access key id is 16 to 128 characters");
        return false;
    }
    for (size_t i = 0; i < kl; i++) {
        if (!isalnum((unsigned char)key[i])) {
            snprintf(why, whylen, "an access key id is letters and digits only");
            return false;
        }
    }
    return true;
}

/* Whether secret can be key's secret access key; else why not, into why. */
static bool secret_ok(const char *key, const char *secret, char *why, size_t whylen)
{
    size_t sl = strlen(secret);

    if (sl == 0 || sl > 128) {
        snprintf(why, whylen, "the secret access key of %s is not 1 to 128 characters", key);
        return false;
    }
    for (size_t i = 0; i < sl; i++) {
        if (isspace((unsigned char)secret[i]) || !isprint((unsigned char)secret[i])) {
            snprintf(why, whylen, "the secret access key of %s has a space or control character",
                     key);
            return false;
        }
    }
    return true;
}

int cm_api_creds_add(struct cm_api_creds *c, const char *key, const char *secret, char *why,
                     size_t whylen)
{
    char *k, *s;

    if (!key_ok(key, why, whylen) || !secret_ok(key, secret, why, whylen)) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].key_id, key) == 0) {
            if (strcmp(c->v[i].secret, secret) == 0) {
                return 0;
            }
            snprintf(why, whylen, "access key id %s is given twice with different secrets", key);
            return CM_EEXIST;
        }
    }
    if (c->n == CM_API_MAX_CREDS) {
        snprintf(why, whylen, "more than %d credentials", CM_API_MAX_CREDS);
        return CM_EFULL;
    }
    k = strdup(key);
    s = strdup(secret);
    if (k == NULL || s == NULL) {
        free(k);
        free(s);
        snprintf(why, whylen, "out of memory");
        return CM_ENOMEM;
    }
    c->v[c->n++] = (struct cm_sigv4_cred){k, s};
    return 0;
}

/* Trims line in place; returns its start. */
static char *trim(char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

/* One INI section's pair, added when the section ends. */
struct section {
    char key[132], secret[132];
    size_t line;                  /* where the section starts */
    size_t key_line, secret_line; /* where its key id and its secret are */
    bool any;
};

static int end_section(struct cm_api_creds *c, struct section *s, char *why, size_t whylen)
{
    char r[200];
    size_t at = s->key_line; /* a bad key id's line, or a key id given twice */
    int rc;

    if (!s->any) {
        return 0;
    }
    if (s->key[0] == '\0' || s->secret[0] == '\0') {
        snprintf(why, whylen, "%zu: the section has no %s", s->line,
                 s->key[0] == '\0' ? "aws_access_key_id" : "aws_secret_access_key");
        return CM_EINVAL;
    }
    /* A bad value is reported at its own line: the key id's, or the secret's. */
    if (!key_ok(s->key, r, sizeof(r))) {
        rc = CM_EINVAL;
    } else if (!secret_ok(s->key, s->secret, r, sizeof(r))) {
        rc = CM_EINVAL;
        at = s->secret_line;
    } else {
        rc = cm_api_creds_add(c, s->key, s->secret, r, sizeof(r));
    }
    if (rc != 0) {
        snprintf(why, whylen, "%zu: %s", at, r);
    }
    OPENSSL_cleanse(s, sizeof(*s));
    return rc;
}

int cm_api_creds_parse(struct cm_api_creds *c, const char *buf, size_t len, char *why,
                       size_t whylen)
{
    struct section sec = {.line = 0};
    char line[MAX_LINE + 1], r[200];
    size_t lineno = 0, before = c->n, i = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        size_t start = i, n;
        char *p, *eq, *colon;
        while (i < len && buf[i] != '\n') {
            i++;
        }
        n = i - start;
        i++;
        lineno++;
        if (n > MAX_LINE) {
            snprintf(why, whylen, "%zu: line longer than %d bytes", lineno, MAX_LINE);
            rc = CM_EINVAL;
            break;
        }
        memcpy(line, buf + start, n);
        line[n] = '\0';
        if (memchr(line, '\0', n) != NULL) {
            snprintf(why, whylen, "%zu: a NUL byte", lineno);
            rc = CM_EINVAL;
            break;
        }
        p = trim(line);
        if (*p == '\0' || *p == '#' || *p == ';') {
            continue;
        }
        if (*p == '[') {
            if (p[strlen(p) - 1] != ']') {
                snprintf(why, whylen, "%zu: a section header is [name]", lineno);
                rc = CM_EINVAL;
                break;
            }
            rc = end_section(c, &sec, why, whylen);
            sec.any = true;
            sec.line = lineno;
            continue;
        }
        eq = strchr(p, '=');
        colon = strchr(p, ':');
        if (eq != NULL && sec.any) {
            char *k, *v;
            *eq = '\0';
            k = trim(p);
            v = trim(eq + 1);
            if (strcmp(k, "aws_access_key_id") == 0) {
                snprintf(sec.key, sizeof(sec.key), "%s", v);
                sec.key_line = lineno;
            } else if (strcmp(k, "aws_secret_access_key") == 0) {
                snprintf(sec.secret, sizeof(sec.secret), "%s", v);
                sec.secret_line = lineno;
            }
            continue; /* other keys of a profile (region, output, ...) are not ours */
        }
        if (colon != NULL && !sec.any) {
            *colon = '\0';
            rc = cm_api_creds_add(c, trim(p), trim(colon + 1), r, sizeof(r));
            if (rc != 0) {
                snprintf(why, whylen, "%zu: %s", lineno, r);
            }
            OPENSSL_cleanse(line, sizeof(line));
            continue;
        }
        snprintf(why, whylen,
                 "%zu: neither KEY:SECRET nor a key = value line inside an INI [section]", lineno);
        rc = CM_EINVAL;
    }
    OPENSSL_cleanse(line, sizeof(line));
    if (rc == 0) {
        rc = end_section(c, &sec, why, whylen);
    }
    if (rc == 0 && c->n == before) {
        snprintf(why, whylen, "no credentials in the file");
        rc = CM_EINVAL;
    }
    return rc;
}
