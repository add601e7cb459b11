/*
 * The AWS CLI's credentials and config files (aws_ini.h).
 */
#include "aws/aws_ini.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* s[0..*n) trimmed of blanks at both ends. */
static const char *trim(const char *s, size_t *n)
{
    while (*n > 0 && blank(s[0])) {
        s++;
        (*n)--;
    }
    while (*n > 0 && blank(s[*n - 1])) {
        (*n)--;
    }
    return s;
}

static bool is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* Whether section s[0..n) (inside the brackets) names profile in this kind of file. */
static bool names_profile(const char *s, size_t n, const char *profile, bool config)
{
    if (strncmp(profile, CM_AWS_INI_SSO_SESSION, strlen(CM_AWS_INI_SSO_SESSION)) == 0) {
        size_t k = strlen(CM_AWS_INI_SSO_SESSION) - 1, rest;
        const char *name;
        if (!config || n <= k + 1 || memcmp(s, CM_AWS_INI_SSO_SESSION, k) != 0 || !blank(s[k])) {
            return false;
        }
        rest = n - k - 1;
        name = trim(s + k + 1, &rest);
        return is(name, rest, profile + k + 1);
    }
    if (!config || strcmp(profile, "default") == 0) {
        if (is(s, n, profile)) {
            return true;
        }
    }
    if (config && n > 8 && memcmp(s, "profile", 7) == 0 && blank(s[7])) {
        size_t k = n - 8;
        const char *name = trim(s + 8, &k);
        return is(name, k, profile);
    }
    return false;
}

static int set(char *dst, size_t cap, const char *v, size_t n, const char *key, size_t line,
               char *why, size_t whylen)
{
    if (n >= cap) {
        snprintf(why, whylen, "line %zu: the value of %s is longer than %zu bytes", line, key,
                 cap - 1);
        return CM_E2BIG;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

/* The settings kept besides the key pair, region and endpoint_url. */
static const struct field {
    const char *key;
    size_t off, cap;
} FIELDS[] = {
#define F(name)                                                                                    \
    {                                                                                              \
#name, offsetof(struct cm_aws_profile, name), sizeof(((struct cm_aws_profile *)0)->name)   \
    }
    F(role_arn),       F(source_profile),          F(credential_source),
    F(external_id),    F(role_session_name),       F(duration_seconds),
    F(mfa_serial),     F(web_identity_token_file), F(credential_process),
    F(sso_session),    F(sso_start_url),           F(sso_region),
    F(sso_account_id), F(sso_role_name),           F(sts_regional_endpoints),
#undef F
};

void cm_aws_profile_merge(struct cm_aws_profile *dst, const struct cm_aws_profile *src)
{
    for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
        char *d = (char *)dst + FIELDS[i].off;
        if (d[0] == '\0') {
            memcpy(d, (const char *)src + FIELDS[i].off, FIELDS[i].cap);
        }
    }
}

int cm_aws_ini_read(const char *text, size_t n, const char *profile, bool config,
                    struct cm_aws_profile *p, char *why, size_t whylen)
{
    bool in = false;
    size_t line = 0;

    for (size_t i = 0; i < n;) {
        const char *s = text + i, *eol = memchr(s, '\n', n - i), *eq;
        size_t len = eol ? (size_t)(eol - s) : n - i, k;
        const char *t;

        i += len + (eol != NULL);
        line++;
        if (len > 0 && blank(s[0])) {
            continue; /* a nested setting's line ("s3 =\n  addressing_style = path") */
        }
        k = len;
        t = trim(s, &k);
        if (k == 0 || t[0] == '#' || t[0] == ';') {
            continue;
        }
        if (t[0] == '[') {
            if (t[k - 1] != ']') {
                snprintf(why, whylen, "line %zu: a section header without its ']'", line);
                return CM_ESYNTAX;
            }
            size_t m = k - 2;
            const char *name = trim(t + 1, &m);
            in = names_profile(name, m, profile, config);
            p->found |= in;
            continue;
        }
        eq = memchr(t, '=', k);
        if (eq == NULL) {
            snprintf(why, whylen, "line %zu: neither a [section] nor a 'name = value' setting",
                     line);
            return CM_ESYNTAX;
        }
        if (!in) {
            continue;
        }
        size_t kn = (size_t)(eq - t), vn = k - kn - 1;
        const char *key = trim(t, &kn), *v = trim(eq + 1, &vn);
        int rc = 0;

        if (is(key, kn, "aws_access_key_id")) {
            rc = set(p->key_id, sizeof(p->key_id), v, vn, "aws_access_key_id", line, why, whylen);
        } else if (is(key, kn, "aws_secret_access_key")) {
            rc = set(p->secret, sizeof(p->secret), v, vn, "aws_secret_access_key", line, why,
                     whylen);
        } else if (is(key, kn, "aws_session_token")) {
            rc = set(p->token, sizeof(p->token), v, vn, "aws_session_token", line, why, whylen);
        } else if (is(key, kn, "region")) {
            rc = set(p->region, sizeof(p->region), v, vn, "region", line, why, whylen);
        } else if (is(key, kn, "endpoint_url")) {
            rc = set(p->endpoint_url, sizeof(p->endpoint_url), v, vn, "endpoint_url", line, why,
                     whylen);
        } else {
            for (size_t f = 0; f < sizeof(FIELDS) / sizeof(FIELDS[0]); f++) {
                if (is(key, kn, FIELDS[f].key)) {
                    rc = set((char *)p + FIELDS[f].off, FIELDS[f].cap, v, vn, FIELDS[f].key, line,
                             why, whylen);
                    break;
                }
            }
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

bool cm_aws_cred_ok(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f) {
            return false;
        }
    }
    return true;
}
