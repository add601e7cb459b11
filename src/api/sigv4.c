/*
 * SigV4 verification (sigv4.h). Everything is built in bounded buffers; the
 * only allocation is the canonical request's cm_buf and the sorted query.
 */
#include "api/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/time.h"
#include "base/str.h"

#define ALGO         "AWS4-HMAC-SHA256"
#define SKEW_MS      (15 * 60 * 1000)
#define MAX_QUERY_KV 256

static const char hexd[] = "0123456789abcdef";

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[p[i] >> 4];
        out[2 * i + 1] = hexd[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void cm_sigv4_sha256_hex(const void *data, size_t n, char hex[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data ? data : (const void *)"", n, md);
    to_hex(md, sizeof(md), hex);
}

/* Copies the value s[0..n) into out[cap]; -1 when it does not fit or is empty. */
static int take(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap) {
        return -1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int why_fail(char *why, size_t whylen, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return -1;
}

/* Parses "K/D/R/S/aws4_request". */
static int parse_credential(const char *s, size_t n, struct cm_sigv4_auth *a, char *why,
                            size_t whylen)
{
    const char *parts[5];
    size_t lens[5], np = 0;
    const char *p = s, *end = s + n;

    while (np < 5) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *e = slash ? slash : end;
        parts[np] = p;
        lens[np++] = (size_t)(e - p);
        if (slash == NULL) {
            break;
        }
        p = slash + 1;
    }
    if (np != 5 || parts[4] + lens[4] != end) {
        return why_fail(why, whylen,
                        "Credential should have the form <key>/<date>/<region>/<service>/"
                        "aws4_request");
    }
    if (take(parts[0], lens[0], a->key, sizeof(a->key)) != 0 ||
        take(parts[2], lens[2], a->region, sizeof(a->region)) != 0 ||
        take(parts[3], lens[3], a->service, sizeof(a->service)) != 0) {
        return why_fail(why, whylen, "Credential has an empty or too long part");
    }
    if (lens[1] != 8 || take(parts[1], lens[1], a->date, sizeof(a->date)) != 0) {
        return why_fail(why, whylen, "Credential's date is not YYYYMMDD");
    }
    for (int i = 0; i < 8; i++) {
        if (a->date[i] < '0' || a->date[i] > '9') {
            return why_fail(why, whylen, "Credential's date is not YYYYMMDD");
        }
    }
    if (lens[4] != 12 || memcmp(parts[4], "aws4_request", 12) != 0) {
        return why_fail(why, whylen,
                        "Credential should be scoped with a valid terminator: "
                        "'aws4_request'");
    }
    return 0;
}

int cm_sigv4_parse(const char *authz, struct cm_sigv4_auth *out, char *why, size_t whylen)
{
    const char *p = authz;
    bool got_cred = false, got_sh = false, got_sig = false;
    size_t alen = strlen(ALGO);

    memset(out, 0, sizeof(*out));
    if (strlen(authz) > CM_SIGV4_MAX_AUTH) {
        return why_fail(why, whylen, "Authorization header is too long");
    }
    if (strncmp(p, ALGO, alen) != 0 || (p[alen] != ' ' && p[alen] != '\t')) {
        return why_fail(why, whylen, "Authorization header requires the " ALGO " algorithm");
    }
    p += alen;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        const char *eq = strchr(p, '=');
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        if (eq == NULL || eq > end) {
            return why_fail(why, whylen, "Authorization header has a part without '='");
        }
        size_t klen = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = (size_t)(end - v);
        while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) {
            vlen--;
        }
        if (klen == 10 && memcmp(p, "Credential", 10) == 0) {
            if (parse_credential(v, vlen, out, why, whylen) != 0) {
                return -1;
            }
            got_cred = true;
        } else if (klen == 13 && memcmp(p, "SignedHeaders", 13) == 0) {
            if (take(v, vlen, out->signed_headers, sizeof(out->signed_headers)) != 0) {
                return why_fail(why, whylen, "SignedHeaders is empty or too long");
            }
            got_sh = true;
        } else if (klen == 9 && memcmp(p, "Signature", 9) == 0) {
            if (vlen != 64) {
                return why_fail(why, whylen, "Signature is not 64 hex digits");
            }
            for (size_t i = 0; i < 64; i++) {
                char c = v[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                    return why_fail(why, whylen, "Signature is not 64 lower-case hex digits");
                }
            }
            memcpy(out->signature, v, 64);
            out->signature[64] = '\0';
            got_sig = true;
        }
        p = end;
    }
    if (!got_cred) {
        return why_fail(why, whylen, "Authorization header requires 'Credential' parameter.");
    }
    if (!got_sh) {
        return why_fail(why, whylen, "Authorization header requires 'SignedHeaders' parameter.");
    }
    if (!got_sig) {
        return why_fail(why, whylen, "Authorization header requires 'Signature' parameter.");
    }
    return 0;
}

const char *cm_sigv4_header(const struct cm_sigv4_msg *m, const char *name)
{
    for (size_t i = 0; i < m->nheaders; i++) {
        if (strcasecmp(m->headers[i].name, name) == 0) {
            return m->headers[i].value;
        }
    }
    return NULL;
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int put_encoded(struct cm_buf *b, const char *s, size_t n, bool keep_slash)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            rc = cm_buf_putc(b, (char)c);
        } else {
            char e[4] = {'%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15], 0};
            rc = cm_buf_append(b, e, 3);
        }
    }
    return rc;
}

/* Percent-decodes s[0..n) into out (a fresh buffer). */
static int decode(const char *s, size_t n, struct cm_buf *out)
{
    cm_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return CM_EINVAL;
            }
            int h = cm_hex_digit(s[i + 1]), l = cm_hex_digit(s[i + 2]);
            if (h < 0 || l < 0) {
                return CM_EINVAL;
            }
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (cm_buf_putc(out, c) != 0) {
            return CM_ENOMEM;
        }
    }
    return 0;
}

/* The canonical URI: dot and empty segments removed, each segment encoded again. */
static int put_uri(struct cm_buf *b, const char *path)
{
    const char *segs[128];
    size_t lens[128], n = 0;
    const char *p = path;
    bool trailing = false;
    int rc = 0;

    if (path == NULL || *path == '\0') {
        return cm_buf_putc(b, '/');
    }
    while (*p) {
        while (*p == '/') {
            p++;
        }
        if (*p == '\0') {
            trailing = n > 0;
            break;
        }
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 1 && p[0] == '.') {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (n > 0) {
                n--;
            }
        } else {
            if (n == sizeof(segs) / sizeof(segs[0])) {
                return CM_EINVAL;
            }
            segs[n] = p;
            lens[n++] = len;
        }
        p += len;
        trailing = *p == '/';
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = cm_buf_putc(b, '/');
        rc = rc ? rc : put_encoded(b, segs[i], lens[i], false);
    }
    if (rc == 0 && (n == 0 || trailing)) {
        rc = cm_buf_putc(b, '/');
    }
    return rc;
}

struct qpair {
    char *k, *v; /* encoded, NUL-terminated */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static char *encoded_copy(const char *s, size_t n, struct cm_buf *tmp, int *rc)
{
    struct cm_buf e;
    size_t len;
    char *out;

    if ((*rc = decode(s, n, tmp)) != 0) {
        return NULL;
    }
    cm_buf_init(&e, 0);
    if ((*rc = put_encoded(&e, tmp->p ? tmp->p : "", tmp->len, false)) != 0 ||
        (*rc = cm_buf_putc(&e, '\0')) != 0) {
        cm_buf_finish(&e);
        return NULL;
    }
    out = cm_buf_take(&e, &len);
    if (out == NULL) {
        *rc = CM_ENOMEM;
    }
    return out;
}

static int put_query(struct cm_buf *b, const char *query)
{
    struct qpair *pairs = NULL;
    size_t n = 0;
    struct cm_buf tmp;
    int rc = 0;
    const char *p = query;

    if (query == NULL || *query == '\0') {
        return 0;
    }
    pairs = calloc(MAX_QUERY_KV, sizeof(*pairs));
    if (pairs == NULL) {
        return CM_ENOMEM;
    }
    cm_buf_init(&tmp, 0);
    while (rc == 0 && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            if (n == MAX_QUERY_KV) {
                rc = CM_EINVAL;
                break;
            }
            pairs[n].k = encoded_copy(p, klen, &tmp, &rc);
            if (rc == 0) {
                pairs[n].v = eq ? encoded_copy(eq + 1, len - klen - 1, &tmp, &rc)
                                : encoded_copy("", 0, &tmp, &rc);
            }
            n++;
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
    if (rc == 0) {
        qsort(pairs, n, sizeof(*pairs), cmp_pair);
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = cm_buf_printf(b, "%s%s=%s", i ? "&" : "", pairs[i].k, pairs[i].v);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].k);
        free(pairs[i].v);
    }
    free(pairs);
    cm_buf_finish(&tmp);
    return rc;
}

/* Appends value trimmed, with inner runs of spaces and tabs made one space. */
static int put_trimmed(struct cm_buf *b, const char *v)
{
    int rc = 0;
    bool space = false, started = false;

    for (const char *p = v; *p && rc == 0; p++) {
        if (*p == ' ' || *p == '\t') {
            space = started;
            continue;
        }
        if (space) {
            rc = cm_buf_putc(b, ' ');
            space = false;
        }
        started = true;
        rc = rc ? rc : cm_buf_putc(b, *p);
    }
    return rc;
}

static int put_headers(struct cm_buf *b, const struct cm_sigv4_msg *m, const char *signed_headers)
{
    const char *p = signed_headers;
    int rc = 0;

    while (*p && rc == 0) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        bool found = false;
        if (len == 0) {
            return CM_EINVAL;
        }
        rc = cm_buf_append(b, p, len);
        rc = rc ? rc : cm_buf_putc(b, ':');
        for (size_t i = 0; i < m->nheaders && rc == 0; i++) {
            if (strlen(m->headers[i].name) == len && strncasecmp(m->headers[i].name, p, len) == 0) {
                if (found) {
                    rc = cm_buf_putc(b, ',');
                }
                rc = rc ? rc : put_trimmed(b, m->headers[i].value);
                found = true;
            }
        }
        if (!found) {
            return CM_EINVAL;
        }
        rc = rc ? rc : cm_buf_putc(b, '\n');
        p += len;
        if (*p == ';') {
            p++;
        }
    }
    return rc;
}

int cm_sigv4_canonical(const struct cm_sigv4_msg *m, const char *signed_headers,
                       const char *payload_hash, struct cm_buf *out)
{
    int rc = cm_buf_puts(out, m->method);

    rc = rc ? rc : cm_buf_putc(out, '\n');
    rc = rc ? rc : put_uri(out, m->path);
    rc = rc ? rc : cm_buf_putc(out, '\n');
    rc = rc ? rc : put_query(out, m->query);
    rc = rc ? rc : cm_buf_putc(out, '\n');
    rc = rc ? rc : put_headers(out, m, signed_headers);
    rc = rc ? rc : cm_buf_putc(out, '\n');
    rc = rc ? rc : cm_buf_puts(out, signed_headers);
    rc = rc ? rc : cm_buf_putc(out, '\n');
    rc = rc ? rc : cm_buf_puts(out, payload_hash);
    return rc;
}

static void hmac(const void *key, size_t klen, const void *data, size_t n, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, data, n, out, &len);
}

int cm_sigv4_sign(const char *secret, const char *amz_date, const char *date, const char *region,
                  const char *service, const char *canonical, size_t canonical_len, char hex[65])
{
    unsigned char k[32], kd[32];
    char ch[65], key[300];
    struct cm_buf sts;
    int rc;

    cm_sigv4_sha256_hex(canonical, canonical_len, ch);
    cm_buf_init(&sts, 0);
    rc = cm_buf_printf(&sts, ALGO "\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date, region,
                       service, ch);
    if (rc != 0) {
        cm_buf_finish(&sts);
        return CM_ENOMEM;
    }
    snprintf(key, sizeof(key), "AWS4%s", secret);
    hmac(key, strlen(key), date, strlen(date), k);
    hmac(k, 32, region, strlen(region), kd);
    hmac(kd, 32, service, strlen(service), k);
    hmac(k, 32, "aws4_request", 12, kd);
    hmac(kd, 32, sts.p, sts.len, k);
    to_hex(k, 32, hex);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(kd, sizeof(kd));
    cm_buf_finish(&sts);
    return 0;
}

/* Parses YYYYMMDDTHHMMSSZ into Unix milliseconds. */
static int parse_amz_date(const char *s, int64_t *ms)
{
    char iso[32];

    if (s == NULL || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') {
        return -1;
    }
    snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11,
             s + 13);
    return cm_time_parse_iso(cm_str_cstr(iso), ms) == 0 ? 0 : -1;
}

/* Whether the ';'-separated list names the host header. */
static bool signs_host(const char *list)
{
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 4 && strncmp(p, "host", 4) == 0) {
            return true;
        }
        p += n + (e != NULL);
    }
    return false;
}

/* Whether the raw query carries SigV4 query-string authentication (X-Amz-Algorithm,
 * X-Amz-Credential or X-Amz-Signature, the key as sent or percent-encoded). */
static bool query_auth(const char *query)
{
    static const char *const keys[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"};
    struct cm_buf k;
    bool found = false;

    if (query == NULL) {
        return false;
    }
    cm_buf_init(&k, 0);
    for (const char *p = query; *p != '\0' && !found;) {
        size_t len = strcspn(p, "&"), klen = strcspn(p, "=&");
        if (decode(p, klen, &k) == 0) {
            for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                if (k.len == strlen(keys[i]) && strncasecmp(k.p, keys[i], k.len) == 0) {
                    found = true;
                }
            }
        }
        p += len + (p[len] == '&');
    }
    cm_buf_finish(&k);
    return found;
}

static enum cm_sigv4_status bad(char *msg, size_t msglen, enum cm_sigv4_status s, const char *text)
{
    snprintf(msg, msglen, "%s", text);
    return s;
}

enum cm_sigv4_status cm_sigv4_verify(const struct cm_sigv4_msg *m, const struct cm_sigv4_cred *c,
                                     size_t n, const char *service, int64_t now_ms,
                                     struct cm_sigv4_auth *auth, char *msg, size_t msglen)
{
    const char *authz = cm_sigv4_header(m, "authorization");
    const char *amz_date, *ph;
    const struct cm_sigv4_cred *cred = NULL;
    char why[200], body_hash[65], sig[65], now_text[32], req_text[32];
    int64_t req_ms;
    struct cm_buf can;
    enum cm_sigv4_status st = CM_SIGV4_OK;

    if (query_auth(m->query)) {
        /* A presigned URL: not taken (AWS's message when both kinds are sent). */
        return bad(msg, msglen, authz != NULL ? CM_SIGV4_INCOMPLETE : CM_SIGV4_MISSING,
                   authz != NULL ? "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                                   "query parameter, Signature query string parameter or the "
                                   "Authorization header should be specified"
                                 : "Missing Authentication Token: coalmine does not take "
                                   "query-string (presigned URL) authentication; sign the "
                                   "request with the Authorization header");
    }
    if (authz == NULL || *authz == '\0') {
        return bad(msg, msglen, CM_SIGV4_MISSING, "Missing Authentication Token");
    }
    if (cm_sigv4_parse(authz, auth, why, sizeof(why)) != 0) {
        return bad(msg, msglen, CM_SIGV4_INCOMPLETE, why);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(c[i].key_id, auth->key) == 0) {
            cred = &c[i];
            break;
        }
    }
    if (cred == NULL) {
        return bad(msg, msglen, CM_SIGV4_UNKNOWN_KEY,
                   "The security token included in the request is invalid.");
    }
    if (strcmp(auth->service, service) != 0) {
        snprintf(msg, msglen, "Credential should be scoped to correct service: '%s'. ", service);
        return CM_SIGV4_BAD_SIGNATURE;
    }
    amz_date = cm_sigv4_header(m, "x-amz-date");
    if (amz_date == NULL || parse_amz_date(amz_date, &req_ms) != 0) {
        return bad(msg, msglen, CM_SIGV4_INCOMPLETE,
                   "Authorization header requires an 'X-Amz-Date' header of the form "
                   "YYYYMMDDTHHMMSSZ (coalmine does not take the 'Date' header instead).");
    }
    if (strncmp(amz_date, auth->date, 8) != 0) {
        snprintf(msg, msglen,
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                 "date from HTTP: '%s' != '%.8s', from '%s'.",
                 auth->date, amz_date, amz_date);
        return CM_SIGV4_BAD_SIGNATURE;
    }
    if (req_ms < now_ms - SKEW_MS || req_ms > now_ms + SKEW_MS) {
        cm_time_format_iso(now_ms, now_text, sizeof(now_text));
        cm_time_format_iso(req_ms, req_text, sizeof(req_text));
        snprintf(msg, msglen,
                 "Signature expired: %s is not within 15 minutes of the server's time %s.",
                 req_text, now_text);
        return CM_SIGV4_BAD_SIGNATURE;
    }
    if (!signs_host(auth->signed_headers)) {
        return bad(msg, msglen, CM_SIGV4_BAD_SIGNATURE,
                   "'Host' must be a signed header in the request's SignedHeaders.");
    }
    cm_sigv4_sha256_hex(m->body, m->body_len, body_hash);
    ph = cm_sigv4_header(m, "x-amz-content-sha256");
    if (ph != NULL && strcmp(ph, "UNSIGNED-PAYLOAD") != 0 && strcmp(ph, body_hash) != 0) {
        return bad(msg, msglen, CM_SIGV4_BAD_SIGNATURE,
                   "The provided 'x-amz-content-sha256' header does not match what was "
                   "computed.");
    }
    cm_buf_init(&can, 0);
    if (cm_sigv4_canonical(m, auth->signed_headers, ph ? ph : body_hash, &can) != 0 ||
        cm_sigv4_sign(cred->secret, amz_date, auth->date, auth->region, auth->service,
                      can.p ? can.p : "", can.len, sig) != 0 ||
        CRYPTO_memcmp(sig, auth->signature, 64) != 0) {
        st = bad(msg, msglen, CM_SIGV4_BAD_SIGNATURE,
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.");
    }
    cm_buf_finish(&can);
    return st;
}

const char *cm_sigv4_error_type(enum cm_sigv4_status s)
{
    switch (s) {
    case CM_SIGV4_MISSING:
        return "MissingAuthenticationTokenException";
    case CM_SIGV4_INCOMPLETE:
        return "IncompleteSignatureException";
    case CM_SIGV4_UNKNOWN_KEY:
        return "UnrecognizedClientException";
    case CM_SIGV4_BAD_SIGNATURE:
        return "InvalidSignatureException";
    case CM_SIGV4_OK:
        break;
    }
    return NULL;
}

int cm_sigv4_http_status(enum cm_sigv4_status s)
{
    switch (s) {
    case CM_SIGV4_OK:
        return 200;
    case CM_SIGV4_INCOMPLETE:
        return 400;
    default:
        return 403;
    }
}
