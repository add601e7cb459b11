/*
 * The webhook target: POSTs the event to an http:// or https:// URL with
 * libcurl, one fresh easy handle per delivery (nothing shared between
 * threads). A 2xx answer is success; redirects are not followed (a 3xx is a
 * failure that names the Location); anything else fails with the status and
 * the first line of the body. A failure that says the endpoint as a whole
 * is unavailable (no connection, a timeout, 429, 502, 503, 504) is
 * CM_EUNAVAIL, so the bus sends it nothing more until its next run.
 * curl_global_init is the program's job
 * (src/cli/cmd_intel_update.c does it for feed updates).
 *
 *   {"url": "https://hooks.example/x", "headers": {"Authorization": "Bearer t"},
 *    "timeout_seconds": 10}
 *
 * A header's value may instead refer to a named secret of coalmine.yaml,
 * {"secret": "slack", "prefix": "Bearer "}: the spec (and so the API's
 * listing) holds the reference, and the value is read at each delivery,
 * for a URL the secret is bound to (target_secret.c).
 */
#include "bus/target_impl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "coalmine/version.h"
#include "net/net_guard.h"

#define URL_MAX          2048
#define HEADER_VALUE_MAX 4096
#define TIMEOUT_DEFAULT  10
#define TIMEOUT_MAX      300
#define BODY_KEEP        200       /* bytes of the answer kept for messages */
#define BODY_MAX         (1 << 20) /* bytes of the answer read at most */
#define MSG_URL_MAX      256       /* bytes of the URL shown in messages */

struct webhook_spec {
    const char *url;
    struct cm_tspec_pair *headers;
    size_t nheaders;
    int64_t timeout;
    bool allow_link_local; /* connect to link-local and metadata addresses (net_guard.h) */
};

static const char *const members[] = {"url", "headers", "timeout_seconds", "allow_link_local",
                                      NULL};

/* Headers that coalmine sets itself or that would break the request. */
static const char *const reserved[] = {
    "Host",       "Content-Type", "Content-Length", "Transfer-Encoding",
    "Connection", "Expect",       "Upgrade",        "TE",
    "Trailer",    NULL,
};

static bool ieq_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        char b = *prefix >= 'A' && *prefix <= 'Z' ? (char)(*prefix - 'A' + 'a') : *prefix;

        if (a != b) {
            return false;
        }
    }
    return true;
}

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int check_url(struct cm_tspec *s, const char *url)
{
    size_t skip;

    if (strncmp(url, "https://", 8) == 0) {
        skip = 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        skip = 7;
    } else {
        return cm_tspec_fail(s, "url: must start with http:// or https://");
    }
    if (url[skip] == '\0' || strchr("/?#", url[skip]) != NULL) {
        return cm_tspec_fail(s, "url: no host after the scheme");
    }
    for (const char *p = url; *p; p++) {
        const char *why = cm_target_byte_fault((unsigned char)*p);

        if (why != NULL) {
            return cm_tspec_fail(s, "url: byte %zu is %s (percent-encode it)",
                                 (size_t)(p - url) + 1, why);
        }
    }
    return 0;
}

static int check_header(struct cm_tspec *s, const struct cm_tspec_pair *h)
{
    for (const char *p = h->name; *p; p++) {
        if (!is_tchar((unsigned char)*p)) {
            return cm_tspec_fail(s,
                                 "headers.%s: the name may only hold letters, digits and "
                                 "!#$%%&'*+-.^_`|~",
                                 h->name);
        }
    }
    for (size_t i = 0; reserved[i] != NULL; i++) {
        if (strlen(reserved[i]) == strlen(h->name) && ieq_prefix(h->name, reserved[i])) {
            return cm_tspec_fail(s, "headers.%s: set by coalmine or the HTTP layer, not by a spec",
                                 h->name);
        }
    }
    if (ieq_prefix(h->name, "X-Coalmine-")) {
        return cm_tspec_fail(s, "headers.%s: the X-Coalmine- headers are coalmine's", h->name);
    }
    if (h->value[0] == '\0' && h->secret == NULL) {
        return cm_tspec_fail(s, "headers.%s: the value is empty", h->name);
    }
    for (const char *p = h->value; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return cm_tspec_fail(s, "headers.%s%s: the value holds %s", h->name,
                                 h->secret != NULL ? ".prefix" : "",
                                 c == '\r' || c == '\n' ? "a CR or LF" : "a control character");
        }
    }
    return 0;
}

static int webhook_read(struct cm_tspec *s, struct webhook_spec *w)
{
    uint32_t v = cm_tspec_member(s, "url");
    int rc;

    if (v == CM_JSON_NONE) {
        return cm_tspec_fail(s, "url: missing (the http:// or https:// URL to POST to)");
    }
    if ((rc = cm_tspec_str(s, v, "url", URL_MAX, &w->url)) != 0 ||
        (rc = check_url(s, w->url)) != 0) {
        return rc;
    }
    rc = cm_tspec_map_refs(s, "headers", true, HEADER_VALUE_MAX, &w->headers, &w->nheaders);
    for (size_t i = 0; rc == 0 && i < w->nheaders; i++) {
        rc = check_header(s, &w->headers[i]);
    }
    if (rc == 0) {
        rc = cm_tspec_int(s, "timeout_seconds", 1, TIMEOUT_MAX, TIMEOUT_DEFAULT, &w->timeout);
    }
    if (rc == 0) {
        rc = cm_tspec_bool(s, "allow_link_local", false, &w->allow_link_local);
    }
    return rc;
}

static int webhook_check(const char *spec, size_t len, struct cm_buf *canon, char *err,
                         size_t errlen)
{
    struct cm_tspec s;
    struct webhook_spec w;
    struct cm_jw jw;
    int rc = cm_tspec_open(&s, "", spec, len, members, err, errlen);

    if (rc == 0) {
        rc = webhook_read(&s, &w);
    }
    if (rc == 0 && canon != NULL) {
        size_t mark = canon->len;

        cm_jw_init(&jw, canon);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "url");
        cm_jw_str(&jw, w.url);
        cm_tspec_jw_map(&jw, "headers", w.headers, w.nheaders);
        cm_jw_key(&jw, "timeout_seconds");
        cm_jw_i64(&jw, w.timeout);
        if (w.allow_link_local) {
            cm_jw_key(&jw, "allow_link_local");
            cm_jw_bool(&jw, true);
        }
        cm_jw_obj_end(&jw);
        rc = cm_tspec_canon_end(&s, &jw, canon, mark);
    }
    cm_tspec_close(&s);
    return rc;
}

/* ---- delivery ---- */

/* The first BODY_KEEP bytes of the answer; reading stops after BODY_MAX. */
struct answer {
    char head[BODY_KEEP];
    size_t kept;
    size_t total;
    bool capped;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t len = size * n;

    if (a->kept < sizeof(a->head)) {
        size_t k = len < sizeof(a->head) - a->kept ? len : sizeof(a->head) - a->kept;

        memcpy(a->head + a->kept, p, k);
        a->kept += k;
    }
    if (len > BODY_MAX - a->total) {
        a->capped = true;
        return 0; /* stops the transfer; the status is already known */
    }
    a->total += len;
    return len;
}

/* The URL for messages: without user:password@, printable, cut at MSG_URL_MAX. */
static void url_for_msg(const char *url, char *out, size_t outlen)
{
    const char *host = strstr(url, "://"), *end, *at = NULL;
    char tmp[MSG_URL_MAX + 1];
    size_t n = 0;

    if (host != NULL) {
        host += 3;
        end = host + strcspn(host, "/?#");
        for (const char *p = host; p < end; p++) {
            if (*p == '@') {
                at = p;
            }
        }
    }
    if (at != NULL) {
        n = (size_t)(host - url);
        n = n < MSG_URL_MAX ? n : MSG_URL_MAX;
        memcpy(tmp, url, n);
        url = at + 1;
    }
    snprintf(tmp + n, sizeof(tmp) - n, "%s", url);
    cm_target_printable(out, outlen, tmp, strlen(tmp));
}

/* Appends "name: value" to *list, with the value made printable. Returns 0 or CM_ENOMEM. */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
    char line[HEADER_VALUE_MAX + 300], v[HEADER_VALUE_MAX + 1];
    struct curl_slist *n;

    cm_target_printable(v, sizeof(v), value, strlen(value));
    snprintf(line, sizeof(line), "%s: %s", name, v);
    if ((n = curl_slist_append(*list, line)) == NULL) {
        return CM_ENOMEM;
    }
    *list = n;
    return 0;
}

/*
 * Appends header h, a reference: its prefix and the secret's value, read now for w's URL.
 * 0, CM_ENOMEM, or CM_EINVAL / CM_EIO with err naming the header and the secret (never the
 * value). The copies on the stack are wiped.
 */
static int add_secret(struct curl_slist **list, const struct webhook_spec *w,
                      const struct cm_tspec_pair *h, const struct cm_target_ctx *ctx, char *err,
                      size_t errlen)
{
    char value[HEADER_VALUE_MAX + 1], line[2 * HEADER_VALUE_MAX + 300], why[400],
        url[MSG_URL_MAX + 1];
    size_t plen = strlen(h->value);
    struct curl_slist *n;
    int rc;

    rc = cm_target_secret_value(ctx->secrets, h->secret, w->url, value, sizeof(value) - plen, why,
                                sizeof(why));
    if (rc != 0) {
        url_for_msg(w->url, url, sizeof(url));
        snprintf(err, errlen, "webhook %s: headers.%s: %s", url, h->name, why);
        return rc;
    }
    snprintf(line, sizeof(line), "%s: %s%s", h->name, h->value, value);
    n = curl_slist_append(*list, line);
    memset(value, 0, sizeof(value));
    memset(line, 0, sizeof(line));
    if (n == NULL) {
        return CM_ENOMEM;
    }
    *list = n;
    return 0;
}

static int build_headers(const struct webhook_spec *w, const struct cm_target_ctx *ctx,
                         struct curl_slist **list, char *err, size_t errlen)
{
    char attempt[16];
    struct curl_slist *n;
    int rc;

    snprintf(attempt, sizeof(attempt), "%u", ctx->attempt);
    rc = add_header(list, "Content-Type",
                    ctx->text ? "text/plain; charset=utf-8" : "application/json");
    if (rc == 0 && (n = curl_slist_append(*list, "Expect:")) == NULL) {
        rc = CM_ENOMEM; /* "Expect:" stops curl waiting for a 100 Continue */
    } else if (rc == 0) {
        *list = n;
    }
    if (rc == 0) {
        rc = add_header(list, "X-Coalmine-Rule", ctx->rule ? ctx->rule : "");
    }
    if (rc == 0) {
        rc = add_header(list, "X-Coalmine-Target", ctx->target_id ? ctx->target_id : "");
    }
    if (rc == 0 && ctx->finding_id != NULL) {
        rc = add_header(list, "X-Coalmine-Finding-Id", ctx->finding_id);
    }
    if (rc == 0) {
        rc = add_header(list, "X-Coalmine-Attempt", attempt);
    }
    for (size_t i = 0; rc == 0 && i < w->nheaders; i++) {
        rc = w->headers[i].secret != NULL
                 ? add_secret(list, w, &w->headers[i], ctx, err, errlen)
                 : add_header(list, w->headers[i].name, w->headers[i].value);
    }
    return rc;
}

static int setup(CURL *h, const struct webhook_spec *w, const char *event, size_t evlen,
                 struct curl_slist *hdrs, struct answer *a, char *errbuf)
{
    CURLcode rc = CURLE_OK;

#define SET(opt, v)                                                                                \
    if (rc == CURLE_OK) {                                                                          \
        rc = curl_easy_setopt(h, opt, v);                                                          \
    }
    SET(CURLOPT_URL, w->url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_CONNECTTIMEOUT, (long)w->timeout);
    SET(CURLOPT_TIMEOUT, (long)w->timeout);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDS, event);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)evlen);
    SET(CURLOPT_USERAGENT, "coalmine/" COALMINE_VERSION);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, a);
#undef SET
    return rc == CURLE_OK ? 0 : CM_ENOMEM;
}

/* Whether a transfer that failed with res never reached the endpoint, or it did not answer. */
static bool unreachable(CURLcode res)
{
    return res == CURLE_COULDNT_RESOLVE_HOST || res == CURLE_COULDNT_RESOLVE_PROXY ||
           res == CURLE_COULDNT_CONNECT || res == CURLE_OPERATION_TIMEDOUT;
}

/*
 * What a 429 or 503 answer's Retry-After asks (delta-seconds or an HTTP date,
 * as libcurl reads it), in ms, at most CM_TARGET_RETRY_AFTER_MAX; 0 when none.
 */
static int64_t retry_after(CURL *h, long status)
{
    curl_off_t s = 0;

    if ((status != 429 && status != 503) ||
        curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &s) != CURLE_OK || s <= 0) {
        return 0;
    }
    return s >= CM_TARGET_RETRY_AFTER_MAX / 1000 ? CM_TARGET_RETRY_AFTER_MAX : (int64_t)s * 1000;
}

/*
 * The verdict on a completed exchange: 0 for a 2xx, else CM_EIO with err
 * set, or CM_EUNAVAIL for a status that says the endpoint takes nothing now
 * (429 Too Many Requests, 502, 503, 504); *wait gets the Retry-After it asked.
 */
static int judge(CURL *h, long status, const struct answer *a, const char *url, int64_t *wait,
                 char *err, size_t errlen)
{
    char line[BODY_KEEP + 1];
    char *loc = NULL;
    size_t n;

    if (status >= 200 && status <= 299) {
        return 0;
    }
    if (status >= 300 && status <= 399) {
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL) {
            char shown[MSG_URL_MAX + 1];

            url_for_msg(loc, shown, sizeof(shown));
            snprintf(err, errlen, "webhook %s: HTTP %ld: redirect to %s (not followed)", url,
                     status, shown);
        } else {
            snprintf(err, errlen, "webhook %s: HTTP %ld: a redirect (not followed)", url, status);
        }
        return CM_EIO;
    }
    for (n = 0; n < a->kept && a->head[n] != '\n' && a->head[n] != '\r'; n++) {
    }
    cm_target_printable(line, sizeof(line), a->head, n);
    *wait = retry_after(h, status);
    if (*wait > 0) {
        snprintf(err, errlen, "webhook %s: HTTP %ld%s%s (Retry-After: %lld s)", url, status,
                 line[0] ? ": " : "", line, (long long)(*wait / 1000));
    } else {
        snprintf(err, errlen, "webhook %s: HTTP %ld%s%s", url, status, line[0] ? ": " : "", line);
    }
    return status == 429 || (status >= 502 && status <= 504) ? CM_EUNAVAIL : CM_EIO;
}

static int webhook_deliver(const char *spec, size_t len, const char *event, size_t evlen,
                           const struct cm_target_ctx *ctx, char *err, size_t errlen)
{
    char errbuf[CURL_ERROR_SIZE] = "", url[MSG_URL_MAX + 1];
    struct curl_slist *hdrs = NULL;
    struct cm_net_guard guard;
    struct webhook_spec w;
    struct cm_tspec s;
    struct answer a;
    CURL *h = NULL;
    CURLcode res;
    long status = 0;
    int64_t wait = 0;
    int rc;

    memset(&a, 0, sizeof(a));
    if ((rc = cm_tspec_open(&s, "webhook: bad spec: ", spec, len, members, err, errlen)) != 0 ||
        (rc = webhook_read(&s, &w)) != 0) {
        goto done;
    }
    url_for_msg(w.url, url, sizeof(url));
    if ((rc = build_headers(&w, cm_target_ctx_or_empty(ctx), &hdrs, err, errlen)) != 0) {
        if (rc == CM_ENOMEM) {
            snprintf(err, errlen, "webhook %s: out of memory", url);
        }
        goto done; /* a secret could not be had (err says which), or no memory */
    }
    if ((h = curl_easy_init()) == NULL ||
        (rc = setup(h, &w, event, evlen, hdrs, &a, errbuf)) != 0 ||
        (!w.allow_link_local && (rc = cm_net_guard_curl(h, &guard)) != 0)) {
        snprintf(err, errlen, "webhook %s: libcurl could not be set up", url);
        rc = rc != 0 ? rc : CM_ENOMEM;
        goto done;
    }
    res = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (res != CURLE_OK && !(res == CURLE_WRITE_ERROR && a.capped && status != 0)) {
        char shown[CURL_ERROR_SIZE], refused[160];
        const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);

        if (!w.allow_link_local && res == CURLE_COULDNT_CONNECT &&
            cm_net_guard_why(&guard, refused, sizeof(refused))) {
            snprintf(err, errlen, "webhook %s: %s", url, refused);
            rc = CM_EIO; /* refused, not unreachable: the bus records it as a failure */
            goto done;
        }

        cm_target_printable(shown, sizeof(shown), why, strlen(why));
        snprintf(err, errlen, "webhook %s: %s", url, shown);
        rc = unreachable(res) ? CM_EUNAVAIL : CM_EIO;
        goto done;
    }
    rc = judge(h, status, &a, url, &wait, err, errlen);
    if (ctx != NULL && ctx->retry_after_ms != NULL) {
        *ctx->retry_after_ms = wait;
    }
done:
    if (h != NULL) {
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(hdrs);
    cm_tspec_close(&s);
    return rc;
}

const struct cm_target_kind cm_target_webhook = {
    .name = "webhook",
    .summary = "POST each event as JSON to an http:// or https:// URL",
    .check = webhook_check,
    .deliver = webhook_deliver,
};
