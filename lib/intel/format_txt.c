/*
 * TXT: GuardDuty's plain-text lists and every "one entry per line" feed
 * (firehol .ipset/.netset, ipsum, Tor .lst, maltrail, blocklist .ip files).
 *
 * Blank lines and comment lines ('#', ';' or "//" first) are skipped. The
 * entry is the first whitespace-separated token of the line, so trailing
 * text ("1.2.3.4 # scanner", ipsum's "1.2.3.4<TAB>7") is ignored. Tokens go
 * out as CM_IV_AUTO: load.c tells addresses, CIDRs, names and URLs apart, and
 * reads "HOST:PORT" and "[IPv6]:PORT" as their host.
 * Only what is plainly garbage is a bad record here: a line over
 * CM_INTEL_LINE_MAX bytes, control bytes, or a token with characters no
 * address, CIDR or domain name has (a path, a regular expression,
 * markup, a CSV row); a token that starts "scheme://" is a URL and passes.
 *
 * sniff() scores low (10 at most) so that any structured format that
 * recognises the file wins; 0 when most entries are not plausible.
 */
#include "intel/format.h"

#include "base/err.h"
#include "intel/format_util.h"

#define SNIFF_LINES 32

static bool is_comment(struct cm_str s)
{
    return s.len > 0 && (s.p[0] == '#' || s.p[0] == ';' || cm_str_starts(s, "//"));
}

static bool token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == ':' || c == '/' || c == '*' || c == '%' || c == '[' ||
           c == ']' || c >= 0x80;
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when t starts with a URL scheme and "://" (RFC 3986: ALPHA *( ALPHA / DIGIT / + - . )). */
static bool is_url(struct cm_str t)
{
    size_t i = 0;

    if (t.len == 0 || !is_alpha((unsigned char)t.p[0])) {
        return false;
    }
    while (i < t.len && (is_alpha((unsigned char)t.p[i]) || (t.p[i] >= '0' && t.p[i] <= '9') ||
                         t.p[i] == '+' || t.p[i] == '-' || t.p[i] == '.')) {
        i++;
    }
    return cm_str_starts(cm_str_make(t.p + i, t.len - i), "://");
}

/*
 * Why t (a first token) can be no list entry, or NULL when it might be one.
 * A URL ("scheme://...") is for load.c to judge.
 */
static const char *garbage(struct cm_str t)
{
    bool alnum = false;

    if (is_url(t)) {
        return NULL;
    }
    if (cm_str_find(t, CM_STR_LIT("://")) != (size_t)-1) {
        return "not an address, CIDR or domain name (nor a scheme://URL)";
    }
    if (t.p[0] == '/') {
        return "a path, not an address, CIDR or domain name";
    }
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.p[i];
        if (!token_char(c)) {
            return "not an address, CIDR or domain name";
        }
        alnum |=
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    }
    return alnum ? NULL : "not an address, CIDR or domain name";
}

/*
 * The entry of one line in *tok; returns NULL (entry found, or *tok empty
 * for a line with none) or the reason the line is bad.
 */
static const char *entry(struct cm_str line, struct cm_str *tok)
{
    struct cm_str s = cm_trim(line);

    *tok = cm_str_make("", 0);
    if (s.len == 0 || is_comment(s)) {
        return NULL;
    }
    if (line.len > CM_INTEL_LINE_MAX) {
        return "line longer than 4096 bytes";
    }
    if (cm_has_ctl(s)) {
        return "control character in line";
    }
    s = cm_token(s, NULL);
    /* A quoted entry ("1.2.3.4") is still an entry. */
    s = cm_trim_quotes(s);
    if (s.len == 0) {
        return "empty quoted entry";
    }
    *tok = s;
    return garbage(s);
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, tok;
    unsigned seen = 0, good = 0;

    cm_lines_init(&it, buf, len);
    while (seen < SNIFF_LINES && cm_lines_next(&it, &line)) {
        const char *why = entry(line, &tok);
        if (why == NULL && tok.len == 0) {
            continue;
        }
        seen++;
        good += why == NULL;
    }
    if (seen == 0) {
        return 1; /* only comments: an empty list */
    }
    if (good == seen) {
        return 10;
    }
    return good * 2 >= seen ? 5 : 0;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str line, tok;
    struct cm_str none = cm_str_make("", 0);

    cm_lines_init(&it, buf, len);
    while (cm_lines_next(&it, &line)) {
        const char *why = entry(line, &tok);
        int rc;

        if (why != NULL) {
            cm_intel_bad(r, it.line, why);
            continue;
        }
        if (tok.len == 0) {
            continue;
        }
        rc = cm_intel_emit(r, CM_IV_AUTO, tok, none, none, it.line);
        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

const struct cm_intel_format cm_intel_format_txt = {
    "TXT",
    "one entry per line: addresses, CIDRs, domains, *.domains; # ; // comments",
    sniff,
    read_all,
};
