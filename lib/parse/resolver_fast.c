/*
 * The fast path of the Route 53 Resolver parser (resolver.c). Resolver
 * logs are single-line objects of flat string members, with srcids an
 * object of strings and answers an array of such objects.
 * cm_resolver_fast_record() reads a record of exactly that shape, ASCII and
 * without escapes, straight into struct cm_dns; on anything else (another
 * shape, an escape, a byte outside printable ASCII, a record spanning
 * lines, a missing or bad timestamp) it gives up and the JSON reader does
 * the record, so both accept, reject and fill alike.
 */
#include "parse/resolver_int.h"

#include <stdbool.h>
#include <string.h>

#include "base/time.h"

struct fscan {
    const char *p, *end;
};

static inline void fs_ws(struct fscan *f)
{
    /* One compare for the usual case, a byte that is no blank. */
    while (f->p < f->end && (unsigned char)*f->p <= ' ' && (*f->p == ' ' || *f->p == '\t')) {
        f->p++;
    }
}

/* A string at f->p (its opening quote); false when it is not a plain one. */
static inline bool fs_str(struct fscan *f, struct cm_str *out)
{
    const char *q;

    if (f->p >= f->end || *f->p != '"') {
        return false;
    }
    q = cm_resolver_plain_end(f->p + 1, f->end);
    if (q >= f->end || *q != '"') {
        return false;
    }
    *out = cm_str_make(f->p + 1, (size_t)(q - f->p - 1));
    f->p = q + 1;
    return true;
}

/* Skips ws, then expects byte c. */
static inline bool fs_eat(struct fscan *f, char c)
{
    if (f->p < f->end && *f->p == c) { /* compact JSON: no blank before it */
        f->p++;
        return true;
    }
    fs_ws(f);
    if (f->p < f->end && *f->p == c) {
        f->p++;
        return true;
    }
    return false;
}

/* Whether the text at f->p starts with the literal lit (a string constant). */
#define AT(f, lit)                                                                                 \
    ((size_t)((f)->end - (f)->p) >= sizeof(lit) - 1 && memcmp((f)->p, lit, sizeof(lit) - 1) == 0)

/* Steps over lit when the text at f->p starts with it. */
#define TAKE(f, lit) (AT(f, lit) ? ((f)->p += sizeof(lit) - 1, true) : false)

/* A literal true, false or null, or a plain integer; false for anything else. */
static bool fs_scalar(struct fscan *f, struct cm_str *num)
{
    static const char *const lit[] = {"true", "false", "null"};
    const char *q = f->p;

    *num = CM_STR_NULL;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lit[i]);
        if ((size_t)(f->end - q) >= n && memcmp(q, lit[i], n) == 0) {
            f->p = q + n;
            return true;
        }
    }
    if (q < f->end && *q == '-') {
        q++;
    }
    if (q >= f->end || *q < '0' || *q > '9' ||
        (*q == '0' && q + 1 < f->end && q[1] >= '0' && q[1] <= '9')) {
        return false;
    }
    while (q < f->end && *q >= '0' && *q <= '9') {
        q++;
    }
    if (q < f->end && (*q == '.' || *q == 'e' || *q == 'E')) {
        return false; /* the JSON reader checks fractions and exponents */
    }
    *num = cm_str_make(f->p, (size_t)(q - f->p));
    f->p = q;
    return true;
}

/* An object of plain string members: calls take for each; false when it is not one. */
static bool fs_flat(struct fscan *f, struct cm_dns *dns, bool srcids)
{
    struct cm_dns_answer an = {CM_STR_NULL, CM_DNS_RR_OTHER, {CM_IP_NONE, {0}}};
    bool first = true, have_rd = false, have_ty = false;

    if (!fs_eat(f, '{')) {
        return false;
    }
    for (;;) {
        struct cm_str k, v;

        fs_ws(f);
        if (first && f->p < f->end && *f->p == '}') {
            f->p++;
            break;
        }
        if (srcids && TAKE(f, "\"instance\":")) {
            k = CM_STR_LIT("instance");
        } else if (!srcids && TAKE(f, "\"Rdata\":")) {
            k = CM_STR_LIT("Rdata");
        } else if (!srcids && TAKE(f, "\"Type\":")) {
            k = CM_STR_LIT("Type");
        } else if (!srcids && TAKE(f, "\"Class\":")) {
            k = CM_STR_LIT("Class");
        } else if (!fs_str(f, &k) || !fs_eat(f, ':')) {
            return false;
        }
        fs_ws(f);
        if (!fs_str(f, &v)) {
            return false;
        }
        if (srcids) {
            struct cm_str *dst = NULL;
            if (cm_str_eqc(k, "instance")) {
                dst = &dns->srcid_instance;
            } else if (cm_str_eqc(k, "resolver_endpoint")) {
                dst = &dns->srcid_resolver_endpoint;
            } else if (cm_str_eqc(k, "resolver_network_interface")) {
                dst = &dns->srcid_resolver_network_interface;
            }
            if (dst != NULL && dst->p == NULL) {
                *dst = v;
            }
        } else if (!have_rd && cm_str_eqc(k, "Rdata")) {
            an.rdata = v;
            have_rd = true;
        } else if (!have_ty && cm_str_eqc(k, "Type")) {
            an.type = cm_resolver_rr_type(v);
            have_ty = true;
        }
        first = false;
        if (fs_eat(f, ',')) {
            continue;
        }
        if (fs_eat(f, '}')) {
            break;
        }
        return false;
    }
    if (!srcids) {
        if (dns->nans < CM_DNS_MAX_ANSWERS) {
            dns->ans[dns->nans++] = an;
        }
        dns->nanswers++;
    }
    return true;
}

/* The answers array: flat objects only. */
static bool fs_answers(struct fscan *f, struct cm_dns *dns)
{
    if (!fs_eat(f, '[')) {
        return false;
    }
    fs_ws(f);
    if (f->p < f->end && *f->p == ']') {
        f->p++;
        return true;
    }
    for (;;) {
        if (!fs_flat(f, dns, false)) {
            return false;
        }
        if (fs_eat(f, ',')) {
            continue;
        }
        return fs_eat(f, ']');
    }
}

/* Stores string value v of top-level member key. */
static void fs_take(struct cm_dns *dns, enum dns_key key, struct cm_str v)
{
    struct cm_str *dst = NULL;

    switch (key) {
    case K_VERSION:
        dst = &dns->version;
        break;
    case K_ACCOUNT_ID:
        dst = &dns->account_id;
        break;
    case K_REGION:
        dst = &dns->region;
        break;
    case K_VPC_ID:
        dst = &dns->vpc_id;
        break;
    case K_QUERY_TIMESTAMP:
        dst = &dns->query_timestamp;
        break;
    case K_QUERY_NAME:
        dst = &dns->query_name;
        break;
    case K_QUERY_TYPE:
        dst = &dns->query_type;
        break;
    case K_QUERY_CLASS:
        dst = &dns->query_class;
        break;
    case K_RCODE:
        dst = &dns->rcode;
        break;
    case K_SRCADDR:
        dns->srcaddr = v;
        (void)cm_ip_parse(v, &dns->src_ip); /* NONE when not an IP */
        return;
    case K_SRCPORT: {
        unsigned long long n;
        dns->srcport = cm_str_to_u64(v, 65535, &n) == 0 ? (int32_t)n : -1;
        return;
    }
    case K_TRANSPORT:
        dst = &dns->transport;
        break;
    case K_FW_ACTION:
        dst = &dns->firewall_rule_action;
        break;
    case K_FW_GROUP:
        dst = &dns->firewall_rule_group_id;
        break;
    case K_FW_LIST:
        dst = &dns->firewall_domain_list_id;
        break;
    case K_ANSWERS:
    case K_SRCIDS:
    case K_NONE:
        return;
    }
    *dst = v;
}

/* Members in the order AWS writes them. */
#define NORDER 14

/*
 * When the text at f->p is member want of that order ("key":), steps over
 * it and sets *key. The literals are constants, so each compare is a few
 * instructions.
 */
static inline bool expected_key(struct fscan *f, size_t want, enum dns_key *key)
{
    static const uint8_t keys[NORDER] = {
        K_VERSION,    K_ACCOUNT_ID, K_REGION,      K_VPC_ID, K_QUERY_TIMESTAMP,
        K_QUERY_NAME, K_QUERY_TYPE, K_QUERY_CLASS, K_RCODE,  K_ANSWERS,
        K_SRCADDR,    K_SRCPORT,    K_TRANSPORT,   K_SRCIDS,
    };
    bool ok;

    switch (want) {
    case 0:
        ok = TAKE(f, "\"version\":");
        break;
    case 1:
        ok = TAKE(f, "\"account_id\":");
        break;
    case 2:
        ok = TAKE(f, "\"region\":");
        break;
    case 3:
        ok = TAKE(f, "\"vpc_id\":");
        break;
    case 4:
        ok = TAKE(f, "\"query_timestamp\":");
        break;
    case 5:
        ok = TAKE(f, "\"query_name\":");
        break;
    case 6:
        ok = TAKE(f, "\"query_type\":");
        break;
    case 7:
        ok = TAKE(f, "\"query_class\":");
        break;
    case 8:
        ok = TAKE(f, "\"rcode\":");
        break;
    case 9:
        ok = TAKE(f, "\"answers\":");
        break;
    case 10:
        ok = TAKE(f, "\"srcaddr\":");
        break;
    case 11:
        ok = TAKE(f, "\"srcport\":");
        break;
    case 12:
        ok = TAKE(f, "\"transport\":");
        break;
    case 13:
        ok = TAKE(f, "\"srcids\":");
        break;
    default:
        return false;
    }
    if (ok) {
        *key = (enum dns_key)keys[want];
    }
    return ok;
}

void cm_resolver_fast_begin(struct cm_dns *dns)
{
    memset(dns, 0, offsetof(struct cm_dns, qname));
    dns->qname_ok = false;
    dns->nanswers = dns->nans = 0;
    dns->srcport = -1;
}

bool cm_resolver_fast_end(const char *p, const char *end, struct cm_event *ev,
                          struct cm_time_memo *tm)
{
    struct cm_dns *dns = &ev->u.dns;

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) {
        p++;
    }
    if ((p < end && *p != '\n') || dns->query_timestamp.p == NULL || dns->query_name.p == NULL ||
        cm_time_parse_iso_memo(tm, dns->query_timestamp, &ev->time_ms) != 0) {
        return false;
    }
    ev->kind = CM_EV_DNS;
    ev->account = dns->account_id;
    ev->region = dns->region;
    return true;
}

bool cm_resolver_fast_record(const char *buf, size_t len, size_t start, size_t *endp,
                             struct cm_event *ev, struct cm_time_memo *tm)
{
    return cm_resolver_canonical_record(buf, len, start, endp, ev, tm) ||
           cm_resolver_general_record(buf, len, start, endp, ev, tm);
}

bool cm_resolver_general_record(const char *buf, size_t len, size_t start, size_t *endp,
                                struct cm_event *ev, struct cm_time_memo *tm)
{
    struct cm_dns *dns = &ev->u.dns;
    struct fscan f = {buf + start, buf + len};
    uint32_t seen = 0;

    cm_resolver_fast_begin(dns);
    if (!fs_eat(&f, '{')) {
        return false;
    }
    for (size_t want = 0;;) {
        struct cm_str k, v;
        enum dns_key key;
        bool dup;

        fs_ws(&f);
        if (expected_key(&f, want, &key)) {
            want++; /* the key AWS writes next, with its colon */
        } else {
            if (!fs_str(&f, &k) || !fs_eat(&f, ':')) {
                return false;
            }
            key = cm_resolver_key(k.p, k.len);
            want = NORDER; /* another order: stop predicting */
        }
        fs_ws(&f);
        dup = key != K_NONE && (seen & (1u << key)) != 0;
        if (key != K_NONE) {
            seen |= 1u << key;
        }
        if (f.p >= f.end) {
            return false;
        }
        if (*f.p == '"') {
            if (!fs_str(&f, &v)) {
                return false;
            }
            if (!dup) {
                fs_take(dns, key, v);
            }
        } else if (*f.p == '{') {
            if (key != K_SRCIDS || dup || !fs_flat(&f, dns, true)) {
                return false;
            }
        } else if (*f.p == '[') {
            if (key != K_ANSWERS || dup || !fs_answers(&f, dns)) {
                return false;
            }
        } else {
            if (!fs_scalar(&f, &v)) {
                return false;
            }
            if (!dup && key == K_SRCPORT && v.p != NULL) {
                fs_take(dns, key, v);
            }
        }
        if (fs_eat(&f, ',')) {
            continue;
        }
        if (fs_eat(&f, '}')) {
            break;
        }
        return false;
    }
    *endp = (size_t)(f.p - buf);
    return cm_resolver_fast_end(f.p, f.end, ev, tm);
}
