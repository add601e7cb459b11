/*
 * The category of a CloudTrail userAgent: the client family GuardDuty's API
 * anomaly model profiles (spec §2.7.6, userAgentCategory): aws-cli,
 * Botocore, aws-sdk-go, aws-sdk-java, browser, console, AWS Service, AWS
 * Internal, AwsSignin, Terraform, OTHER... It is the user agent's first
 * product token, with the versions dropped and these names folded:
 *
 *   Mozilla/...                         browser
 *   [S3Console/..., *Console*           console
 *   Boto3, botocore                     Botocore
 *   aws-sdk-go-v2                       aws-sdk-go
 *   APN/1.0 HashiCorp/1.0 Terraform/... Terraform (the wrapper tokens skipped)
 *   signin.amazonaws.com                AwsSignin
 *   <name>.amazonaws.com                AWS Service
 *   AWS Internal, aws-internal/3        AWS Internal
 *   "" or no name                       OTHER
 */
#include "detect/ct.h"

#include <string.h>
#include <strings.h>

static bool is_name_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '[';
}

static size_t put(char *out, size_t outlen, const char *p, size_t n)
{
    if (outlen == 0) {
        return 0;
    }
    if (n >= outlen) {
        n = outlen - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

static size_t put_lit(char *out, size_t outlen, const char *lit)
{
    return put(out, outlen, lit, strlen(lit));
}

/* Whether the n lower-cased bytes low are lit. */
static bool is(const char *low, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(low, lit, n) == 0;
}

size_t cm_ua_category(struct cm_str ua, char *out, size_t outlen)
{
    static const char svc_tail[] = ".amazonaws.com";
    const size_t tail = sizeof(svc_tail) - 1;
    const char *p = ua.p;
    size_t n = ua.p != NULL ? ua.len : 0, i = 0, tok, len, k;
    char low[64];

    for (;;) {
        while (i < n && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        tok = i;
        while (i < n && is_name_byte(p[i])) {
            i++;
        }
        /* Terraform and other partner tools put APN/1.0 and their vendor first. */
        if (i < n && p[i] == '/' && (i - tok == 3 || i - tok == 9) &&
            (strncasecmp(p + tok, "APN", 3) == 0 || strncasecmp(p + tok, "HashiCorp", 9) == 0)) {
            while (i < n && p[i] != ' ') {
                i++;
            }
            continue;
        }
        break;
    }
    if (tok < i && p[tok] == '[') {
        tok++;
    }
    len = i - tok;
    if (len == 0) {
        return put_lit(out, outlen, "OTHER");
    }
    /* Names compare without case; a name longer than low is no name below anyway. */
    k = len < sizeof(low) ? len : sizeof(low) - 1;
    for (size_t j = 0; j < k; j++) {
        char c = p[tok + j];

        low[j] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    low[k] = '\0';
    if (is(low, k, "mozilla")) {
        return put_lit(out, outlen, "browser");
    }
    if (strstr(low, "console") != NULL) {
        return put_lit(out, outlen, "console");
    }
    if (is(low, k, "boto3") || is(low, k, "botocore")) {
        return put_lit(out, outlen, "Botocore");
    }
    if (is(low, k, "aws-sdk-go-v2")) {
        return put_lit(out, outlen, "aws-sdk-go");
    }
    if (is(low, k, "signin.amazonaws.com")) {
        return put_lit(out, outlen, "AwsSignin");
    }
    if (k > tail && memcmp(low + k - tail, svc_tail, tail) == 0) {
        return put_lit(out, outlen, "AWS Service");
    }
    if (is(low, k, "aws-internal") ||
        (is(low, k, "aws") && n >= tok + 12 && strncasecmp(p + tok, "AWS Internal", 12) == 0)) {
        return put_lit(out, outlen, "AWS Internal");
    }
    return put(out, outlen, p + tok, len);
}
