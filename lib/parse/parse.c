/*
 * The parser table and content sniffing. Formats are recognised from the
 * first bytes of the decoded input, never from the file name: each parser's
 * sniff() scores the start of the buffer and the most confident one wins.
 */
#include "parse/parse.h"

#include <stdbool.h>
#include <string.h>

#include "base/time.h"

#define SNIFF_MIN    30   /* below this confidence the input is not recognised */
#define SNIFF_WINDOW 8192 /* sniffers look at most at this many leading bytes */
#define SNIFF_SURE   100  /* the top of sniff()'s scale: no later parser can win */

static const struct cm_parser *const parsers[] = {
    &cm_parser_cloudtrail,
    &cm_parser_vpcflow,
    &cm_parser_dns,
    NULL,
};

const struct cm_parser *const *cm_parsers(void)
{
    return parsers;
}

const struct cm_parser *cm_parser_by_name(const char *name)
{
    for (size_t i = 0; parsers[i]; i++) {
        if (strcmp(parsers[i]->name, name) == 0) {
            return parsers[i];
        }
    }
    return NULL;
}

const struct cm_parser *cm_parse_sniff(const char *buf, size_t len)
{
    const struct cm_parser *best = NULL;
    int best_score = SNIFF_MIN - 1;

    if (len > SNIFF_WINDOW) {
        len = SNIFF_WINDOW;
    }
    for (size_t i = 0; parsers[i]; i++) {
        int s = parsers[i]->sniff(buf, len);
        if (s > best_score) {
            best_score = s;
            best = parsers[i];
        }
        if (s >= SNIFF_SURE) {
            /* A tie keeps the first parser, so the rest need not look (a
             * CloudTrail file's whole first line was searched as flow and DNS). */
            break;
        }
    }
    return best;
}

const struct cm_parser *cm_parse_sniff_flow(const char *buf, size_t len,
                                            const struct cm_flow_format *flow_fields,
                                            struct cm_flow_format *fmt)
{
    const struct cm_parser *ps = cm_parse_sniff(buf, len);
    /* The user's fields matter only for what could be flow log lines. */
    bool given =
        (ps == NULL || ps == &cm_parser_vpcflow) && cm_flow_format_fits(flow_fields, buf, len);

    memset(fmt, 0, sizeof(*fmt));
    if (ps == NULL && given) {
        ps = &cm_parser_vpcflow;
    }
    if (ps == &cm_parser_vpcflow && given) {
        *fmt = *flow_fields;
    }
    return ps;
}

void cm_parse_ctx_init(struct cm_parse_ctx *ctx, struct cm_json_doc *doc)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->doc = doc;
}

uint32_t cm_parse_count_lines(const char *buf, size_t from, size_t to)
{
    uint32_t n = 0;

    while (from < to) {
        const char *nl = memchr(buf + from, '\n', to - from);
        if (nl == NULL) {
            break;
        }
        n++;
        from = (size_t)(nl - buf) + 1;
    }
    return n;
}

uint32_t cm_parse_line_of(const char *buf, size_t offset)
{
    return 1 + cm_parse_count_lines(buf, 0, offset);
}

/* The time before a message: ISO 8601 with a zone, or awscli's zone-less UTC "...T10:00:00". */
static bool cwl_time(const char *p, size_t n)
{
    char z[20];
    int64_t ms;

    if (cm_time_parse_iso(cm_str_make(p, n), &ms) == 0) {
        return true;
    }
    if (n != 19 || p[13] != ':' || p[16] != ':') {
        return false;
    }
    memcpy(z, p, 19);
    z[19] = 'Z'; /* `aws logs tail --format short` prints UTC without saying so */
    return cm_time_parse_iso(cm_str_make(z, 20), &ms) == 0;
}

/*
 * The log stream's name that `aws logs tail` (its default, detailed form)
 * writes between the time and the message, with its space; 0 when p[0..room)
 * does not start with one. It is taken only where it cannot be the record's
 * own first word: before a JSON record ('{'), or as a flow log's stream,
 * named after its interface ("eni-0123456789abcdef0-all", -accept, -reject),
 * which no flow log field is.
 */
static size_t cwl_stream(const char *p, size_t room)
{
    static const char *const ends[] = {"-all", "-accept", "-reject"};
    size_t n = 0, lim = room < 513 ? room : 513;

    /* One word of this line: the search never runs on into the next one. */
    while (n < lim && p[n] != ' ' && p[n] != '\n' && p[n] != '\r') {
        n++;
    }
    if (n == 0 || n == lim || p[n] != ' ' || n + 1 >= room || p[0] == '{') {
        return 0;
    }
    if (p[n + 1] == '{') {
        return n + 1;
    }
    if (n > 4 && memcmp(p, "eni-", 4) == 0) {
        for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
            size_t e = strlen(ends[k]);
            if (n > 4 + e && memcmp(p + n - e, ends[k], e) == 0) {
                return n + 1;
            }
        }
    }
    return 0;
}

size_t cm_parse_cwl_prefix(const char *buf, size_t len, size_t i)
{
    const char *p, *sp;
    size_t room, k;

    if (buf == NULL || i >= len || len - i < 21) {
        return 0;
    }
    p = buf + i;
    room = len - i;
    if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[0] < '0' || p[0] > '9') {
        return 0;
    }
    sp = memchr(p, ' ', room < 40 ? room : 40);
    if (sp == NULL || (size_t)(sp - p) + 1 >= room || !cwl_time(p, (size_t)(sp - p))) {
        return 0;
    }
    k = (size_t)(sp - p) + 1;
    return k + cwl_stream(p + k, room - k);
}

size_t cm_parse_skip_value(const char *buf, size_t len, size_t start)
{
    size_t i = start, depth = 0;

    i = cm_parse_skip_ws(buf, len, i);
    if (i >= len) {
        return 0;
    }
    if (buf[i] != '{' && buf[i] != '[' && buf[i] != '"') {
        /* A scalar: runs to the next delimiter. */
        size_t from = i;
        while (i < len && strchr(",]}\r\n \t", buf[i]) == NULL) {
            i++;
        }
        return i > from ? i : 0;
    }
    for (; i < len; i++) {
        char c = buf[i];
        if (c == '"') {
            for (i++; i < len && buf[i] != '"'; i++) {
                if (buf[i] == '\\') {
                    i++;
                }
            }
            if (i >= len) {
                return 0;
            }
            if (depth == 0) {
                return i + 1;
            }
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                return 0;
            }
            if (--depth == 0) {
                return i + 1;
            }
        }
    }
    return 0;
}

/* Where standard input may cut concatenated CloudTrail files (parse.h). */
size_t cm_parse_ct_cut(const char *buf, size_t len, size_t from)
{
    size_t i, j;

    if (len < CM_PARSE_CT_MARK_LEN + 1) {
        return 0;
    }
    if (from < 1) {
        from = 1;
    }
    /* Backwards, so one look finds the last file start of a long piece. */
    for (i = len - CM_PARSE_CT_MARK_LEN; i >= from; i--) {
        if (buf[i] == '{' && memcmp(buf + i, CM_PARSE_CT_MARK, CM_PARSE_CT_MARK_LEN) == 0) {
            for (j = i; j > 0 && (buf[j - 1] == ' ' || buf[j - 1] == '\n' || buf[j - 1] == '\r' ||
                                  buf[j - 1] == '\t');
                 j--) {
            }
            /* '}' then '{' with no ',' between: only a top-level value ends there. */
            if (j > 0 && buf[j - 1] == '}') {
                return i;
            }
        }
    }
    return 0;
}
