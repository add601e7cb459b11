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
 *   aws-sdk-<language><more>            aws-sdk-<language>: an SDK's versions
 *                                       and builds are one client (aws-sdk-go-v2,
 *                                       aws-sdk-ruby3, aws-sdk-dotnet-coreclr)
 *   aws-sdk-nodejs                      aws-sdk-js (v2 in Node.js; v3 is aws-sdk-js)
 *   APN/1.0 HashiCorp/1.0 Terraform/... Terraform (the wrapper tokens skipped)
 *   signin.amazonaws.com                AwsSignin
 *   <name>.amazonaws.com                AWS Service
 *   AWS Internal, aws-internal/3        AWS Internal
 *   "" or no name                       OTHER
 */
#include "detect/ct.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Bytes of a product name: letters, digits, "-_.[". */
static const uint8_t name_byte[256] = {
    ['-'] = 1, ['_'] = 1, ['.'] = 1, ['['] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
    ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
    ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
};

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

#define PUT_LIT(out, outlen, lit) put((out), (outlen), (lit), sizeof(lit) - 1)

/* Whether the n lower-cased bytes low are the literal lit. */
#define IS(low, n, lit) ((n) == sizeof(lit) - 1 && memcmp((low), (lit), sizeof(lit) - 1) == 0)

/* Whether the n lower-cased bytes low hold "console". */
static bool has_console(const char *low, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++) {
        if (low[i] == 'c' && memcmp(low + i, "console", 7) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * The language of an AWS SDK's product token after "aws-sdk-": its leading
 * letters, so that one SDK's major versions and builds are one client
 * ("go-v2", "ruby3", "dotnet-coreclr", "php2"). Returns their length.
 */
static size_t sdk_language(const char *low, size_t n)
{
    size_t i = 0;

    while (i < n && low[i] >= 'a' && low[i] <= 'z') {
        i++;
    }
    return i;
}

size_t cm_ua_category(struct cm_str ua, char *out, size_t outlen)
{
    static const char svc_tail[] = ".amazonaws.com";
    const size_t tail = sizeof(svc_tail) - 1;
    const unsigned char *p = (const unsigned char *)ua.p;
    size_t n = ua.p != NULL ? ua.len : 0, i = 0, tok, len, k;
    char low[64];

    for (;;) {
        while (i < n && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        tok = i;
        while (i < n && name_byte[p[i]]) {
            i++;
        }
        /* Terraform and other partner tools put APN/1.0 and their vendor first. */
        if (i < n && p[i] == '/' &&
            ((i - tok == 3 && strncasecmp(ua.p + tok, "APN", 3) == 0) ||
             (i - tok == 9 && strncasecmp(ua.p + tok, "HashiCorp", 9) == 0))) {
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
        return PUT_LIT(out, outlen, "OTHER");
    }
    /* Names compare without case; a name longer than low is none of those below. */
    k = len < sizeof(low) ? len : sizeof(low) - 1;
    for (size_t j = 0; j < k; j++) {
        unsigned char c = p[tok + j];

        low[j] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (IS(low, k, "mozilla")) {
        return PUT_LIT(out, outlen, "browser");
    }
    if (has_console(low, k)) {
        return PUT_LIT(out, outlen, "console");
    }
    if (IS(low, k, "boto3") || IS(low, k, "botocore")) {
        return PUT_LIT(out, outlen, "Botocore");
    }
    if (k > 8 && memcmp(low, "aws-sdk-", 8) == 0) {
        size_t lang = sdk_language(low + 8, k - 8);

        if (lang > 0) {
            if (lang == 6 && memcmp(low + 8, "nodejs", 6) == 0) {
                return PUT_LIT(out, outlen, "aws-sdk-js");
            }
            return put(out, outlen, low, 8 + lang);
        }
    }
    if (IS(low, k, "signin.amazonaws.com")) {
        return PUT_LIT(out, outlen, "AwsSignin");
    }
    if (k > tail && memcmp(low + k - tail, svc_tail, tail) == 0) {
        return PUT_LIT(out, outlen, "AWS Service");
    }
    if (IS(low, k, "aws-internal") ||
        (IS(low, k, "aws") && n >= tok + 12 && strncasecmp(ua.p + tok, "AWS Internal", 12) == 0)) {
        return PUT_LIT(out, outlen, "AWS Internal");
    }
    return put(out, outlen, ua.p + tok, len);
}
