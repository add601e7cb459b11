/*
 * Is a bucket policy or ACL public? The two pure analyses behind
 * Policy:S3/BucketAnonymousAccessGranted and Policy:S3/BucketPublicAccessGranted
 * (ct.h, docs/detectors/cloudtrail.md). They read a CloudTrail request off
 * the JSON tape of base/json.h and answer CM_S3X_NONE, _AUTHENTICATED or
 * _ANONYMOUS with a constant description of why.
 *
 * Policies. Only Allow statements grant. A statement reaches everyone when
 * its Principal is "*", {"AWS": "*"} or a list holding "*", or when it uses
 * NotPrincipal. Its conditions are ANDed, so the statement reaches as far as
 * its narrowest condition key: a key from keys[] with only fixed values
 * narrows it to known parties (NONE); aws:PrincipalArn with a wildcard
 * account, aws:PrincipalType and aws:PrincipalIsAWSService false keep out
 * only anonymous callers (AUTHENTICATED); anything else narrows nothing. A
 * key under an operator that passes when the key is absent or that
 * excludes rather than includes narrows nothing: negated operators
 * (StringNotEquals, NotIpAddress, ArnNotLike...), ...IfExists,
 * ForAllValues:... and Null. The widest statement wins.
 *
 * A value is fixed when it holds no policy variable ("${") and, under an
 * operator that matches wildcards (String*Like, Arn*), no '*' or '?'; as in
 * S3's own definition of "public", aws:userid may end in "ROLEID:*", and
 * aws:PrincipalOrgPaths may have wildcards after its organization id. An
 * ARN value (aws:PrincipalArn, aws:SourceArn, s3:DataAccessPointArn) is
 * fixed when its account field is (or, for account-less ARNs such as
 * buckets', its resource). An aws:SourceIp / aws:VpcSourceIp value is fixed
 * when it is an address or a CIDR of at least /8 (IPv4) or /32 (IPv6);
 * 0.0.0.0/1 is not a narrowing.
 *
 * Names. Element names (Statement, Effect, Principal, AWS, Condition...),
 * operator names, condition keys, Effect values and ACL names are compared
 * case-insensitively: IAM is stricter, but a request it accepted is what we
 * read, and leniency cannot hide a grant.
 *
 * Memory. Strings without escapes are read in place; escaped member names
 * and values are unescaped into stack buffers (KEY_MAX, VAL_MAX bytes); an
 * escaped name or value longer than that is unreadable, and an unreadable
 * value never narrows a grant. A policy logged as a JSON string is
 * unescaped into a heap copy owned by the call, parsed into the caller's
 * scratch document, analysed, and released before returning; scratch is
 * then left empty (cm_json_doc_begin(scratch, NULL, 0)): its node array is
 * kept for reuse, but it refers to no text. Nothing else allocates.
 *
 * Cost. Every node is visited a bounded number of times (member lookups
 * scan an object once per name looked up, a constant per object); there is
 * no recursion.
 */
#include "detect/ct.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/ip.h"

#define NONE    CM_JSON_NONE
#define KEY_MAX 128u  /* longest escaped member or operator name we read */
#define VAL_MAX 4096u /* longest escaped value we read (ARNs are at most 2048) */
#define V4_MIN  8u    /* shortest IPv4 prefix that narrows aws:SourceIp */
#define V6_MIN  32u   /* shortest IPv6 prefix that narrows aws:SourceIp */

/* ---- reading the tape ----------------------------------------------------------------- */

static bool is_type(const struct cm_json_doc *d, uint32_t i, enum cm_json_type t)
{
    return i < d->n && cm_json_type(d, i) == t;
}

/*
 * The text of node i: a string's content (unescaped into buf of cap bytes
 * when it has escapes), or the literal text of a number, true or false.
 * False for other nodes and for escaped strings longer than cap.
 */
static bool text_of(const struct cm_json_doc *d, uint32_t i, char *buf, size_t cap,
                    struct cm_str *out)
{
    const struct cm_json_node *n;

    if (i >= d->n) {
        return false;
    }
    n = cm_json_at(d, i);
    switch (cm_json_type(d, i)) {
    case CM_JSON_STRING:
        if ((n->tag & CM_JSON_F_ESCAPED) == 0) {
            *out = cm_str_make(d->src + n->off, n->len);
            return true;
        }
        if (n->len > cap) {
            return false;
        }
        *out = cm_str_make(buf, cm_json_unescape(d->src + n->off, n->len, buf));
        return true;
    case CM_JSON_NUMBER:
    case CM_JSON_TRUE:
    case CM_JSON_FALSE:
        *out = cm_str_make(d->src + n->off, n->len);
        return true;
    default:
        return false;
    }
}

/* The value of obj's first member named name (any case), or NONE. */
static uint32_t member(const struct cm_json_doc *d, uint32_t obj, const char *name)
{
    char kb[KEY_MAX];
    struct cm_str want = cm_str_cstr(name), k;

    if (!is_type(d, obj, CM_JSON_OBJECT)) {
        return NONE;
    }
    for (uint32_t key = cm_json_first(d, obj); key != NONE;) {
        uint32_t val = key + 1;

        if (text_of(d, key, kb, sizeof(kb), &k) && cm_str_ieq(k, want)) {
            return val;
        }
        key = cm_json_next(d, obj, val);
    }
    return NONE;
}

/*
 * "One or many": v as a list is an array's elements, or v alone.
 * for (i = list_first(d, v); i != NONE; i = list_next(d, v, i))
 */
static uint32_t list_first(const struct cm_json_doc *d, uint32_t v)
{
    if (v >= d->n) {
        return NONE;
    }
    return cm_json_type(d, v) == CM_JSON_ARRAY ? cm_json_first(d, v) : v;
}

static uint32_t list_next(const struct cm_json_doc *d, uint32_t v, uint32_t i)
{
    return cm_json_type(d, v) == CM_JSON_ARRAY ? cm_json_next(d, v, i) : NONE;
}

/* ---- slices ----------------------------------------------------------------------------- */

static bool istarts(struct cm_str s, const char *prefix)
{
    struct cm_str p = cm_str_cstr(prefix);
    return s.len >= p.len && cm_str_ieq(cm_str_make(s.p, p.len), p);
}

static bool icontains(struct cm_str s, const char *needle)
{
    struct cm_str n = cm_str_cstr(needle);

    for (size_t i = 0; i + n.len <= s.len; i++) {
        if (cm_str_ieq(cm_str_make(s.p + i, n.len), n)) {
            return true;
        }
    }
    return false;
}

static struct cm_str trim(struct cm_str s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t')) {
        s.len--;
    }
    return s;
}

static struct cm_str sub(struct cm_str s, size_t from, size_t to)
{
    return cm_str_make(s.p + from, to - from);
}

/* Offset of the first c in s at or after from, or s.len. */
static size_t find_char(struct cm_str s, size_t from, char c)
{
    while (from < s.len && s.p[from] != c) {
        from++;
    }
    return from;
}

/* Offset of the first wildcard in s (s.len when none). */
static size_t first_wild(struct cm_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '*' || s.p[i] == '?') {
            return i;
        }
    }
    return s.len;
}

static bool has_var(struct cm_str s)
{
    return cm_str_find(s, CM_STR_LIT("${")) != (size_t)-1;
}

/* True when s matches only itself under an operator that does (like) or does not match wildcards.
 */
static bool is_fixed(struct cm_str s, bool like)
{
    return !has_var(s) && (!like || first_wild(s) == s.len);
}

/* ---- policy conditions ------------------------------------------------------------------ */

/* How a condition key's values are judged. */
enum key_kind {
    KEY_FIXED,          /* narrows when every value is fixed */
    KEY_USERID,         /* same, and "ROLEID:*" counts as fixed; "anonymous" does not */
    KEY_ORGPATHS,       /* same, and wildcards after the organization id ("o-x/...") */
    KEY_IP,             /* narrows when every value is an address or a long enough CIDR */
    KEY_ARN,            /* narrows when every value has a fixed account (or resource) */
    KEY_PRINCIPAL_ARN,  /* like KEY_ARN; otherwise still keeps out anonymous callers */
    KEY_PRINCIPAL_TYPE, /* keeps out anonymous callers unless a value may be "Anonymous" */
    KEY_IS_SERVICE,     /* aws:PrincipalIsAWSService: false keeps out anonymous callers,
                           true (AWS services only) narrows */
};

static const struct {
    const char *name;
    enum key_kind kind;
} keys[] = {
    {"aws:PrincipalOrgID", KEY_FIXED},
    {"aws:PrincipalOrgPaths", KEY_ORGPATHS},
    {"aws:PrincipalAccount", KEY_FIXED},
    {"aws:SourceAccount", KEY_FIXED},
    {"aws:SourceOwner", KEY_FIXED},
    {"aws:SourceOrgID", KEY_FIXED},
    {"aws:SourceOrgPaths", KEY_ORGPATHS},
    {"aws:SourceVpc", KEY_FIXED},
    {"aws:SourceVpce", KEY_FIXED},
    {"aws:SourceIp", KEY_IP},
    {"aws:VpcSourceIp", KEY_IP},
    {"aws:userid", KEY_USERID},
    {"aws:username", KEY_FIXED},
    {"aws:PrincipalServiceName", KEY_FIXED},
    {"aws:PrincipalServiceNamesList", KEY_FIXED},
    {"s3:DataAccessPointAccount", KEY_FIXED},
    {"aws:SourceArn", KEY_ARN},
    {"s3:DataAccessPointArn", KEY_ARN},
    {"aws:PrincipalArn", KEY_PRINCIPAL_ARN},
    {"aws:PrincipalType", KEY_PRINCIPAL_TYPE},
    {"aws:PrincipalIsAWSService", KEY_IS_SERVICE},
};

/* A condition operator as far as narrowing goes. */
struct op {
    bool inert; /* narrows nothing whatever its keys */
    bool like;  /* wildcards in values match */
};

static struct op op_parse(struct cm_str name)
{
    struct op o = {false, false};

    if (istarts(name, "ForAllValues:")) {
        /* True when the request has no value for the key at all. */
        o.inert = true;
        return o;
    }
    if (istarts(name, "ForAnyValue:")) {
        name = sub(name, strlen("ForAnyValue:"), name.len);
    }
    if (cm_str_iends(name, "IfExists") || cm_str_ieq(name, CM_STR_LIT("Null")) ||
        icontains(name, "Not")) {
        o.inert = true;
        return o;
    }
    o.like = icontains(name, "Like") || istarts(name, "Arn");
    return o;
}

/*
 * A value that is fixed up to the first sep, which must come before any
 * wildcard and not first ("ROLEID:*", "o-org/r-root/ou-x/...").
 */
static bool fixed_before_sep(struct cm_str v, bool like, char sep)
{
    size_t w, s;

    if (has_var(v)) {
        return false;
    }
    if (!like || (w = first_wild(v)) == v.len) {
        return true;
    }
    s = find_char(v, 0, sep);
    return s > 0 && s < w;
}

/* An address or a CIDR no broader than V4_MIN / V6_MIN (IPv4-mapped IPv6 counts as IPv4). */
static bool fixed_ip(struct cm_str v)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    struct cm_ip net;
    unsigned prefix;

    if (cm_cidr_parse(v, &net, &prefix) != 0) {
        return false;
    }
    if (net.family == CM_IP_V4) {
        return prefix >= V4_MIN;
    }
    if (prefix >= 96 && memcmp(net.a, mapped, sizeof(mapped)) == 0) {
        return prefix - 96 >= V4_MIN;
    }
    return prefix >= V6_MIN;
}

/*
 * An ARN whose account field is fixed: arn:partition:service:region:account:resource.
 * A literal that is no ARN (under an exact operator) matches only itself.
 */
static bool fixed_arn(struct cm_str v, bool like)
{
    size_t c = 0, f[5];

    for (size_t k = 0; k < 5; k++) {
        c = find_char(v, k ? f[k - 1] + 1 : 0, ':');
        if (c == v.len) {
            return is_fixed(v, like);
        }
        f[k] = c;
    }
    if (f[4] > f[3] + 1) {
        return is_fixed(sub(v, f[3] + 1, f[4]), like);
    }
    return is_fixed(sub(v, f[4] + 1, v.len), like); /* account-less: arn:aws:s3:::bucket */
}

/* True when value text v is fixed for a key of kind k under operator o. */
static bool value_fixed(enum key_kind k, struct cm_str v, struct op o)
{
    switch (k) {
    case KEY_USERID:
        return !cm_str_ieq(v, CM_STR_LIT("anonymous")) && fixed_before_sep(v, o.like, ':');
    case KEY_ORGPATHS:
        return fixed_before_sep(v, o.like, '/');
    case KEY_IP:
        return !has_var(v) && fixed_ip(v);
    case KEY_ARN:
    case KEY_PRINCIPAL_ARN:
        return fixed_arn(v, o.like);
    default:
        return is_fixed(v, o.like);
    }
}

/* How far a statement with principal "everyone" still reaches under key (values v, operator o). */
static enum cm_s3_exposure key_reach(const struct cm_json_doc *d, struct cm_str key, uint32_t v,
                                     struct op o)
{
    char vb[VAL_MAX];
    struct cm_str t;
    size_t kk;
    bool all_fixed = true, any = false, may_anon = false, all_true = true, all_bool = true;

    if (o.inert) {
        return CM_S3X_ANONYMOUS;
    }
    for (kk = 0; kk < sizeof(keys) / sizeof(keys[0]); kk++) {
        if (cm_str_ieq(key, cm_str_cstr(keys[kk].name))) {
            break;
        }
    }
    if (kk == sizeof(keys) / sizeof(keys[0])) {
        return CM_S3X_ANONYMOUS;
    }
    for (uint32_t i = list_first(d, v); i != NONE; i = list_next(d, v, i)) {
        bool ok = text_of(d, i, vb, sizeof(vb), &t);

        any = true;
        all_fixed = all_fixed && ok && value_fixed(keys[kk].kind, t, o);
        may_anon =
            may_anon || !ok || cm_str_ieq(t, CM_STR_LIT("Anonymous")) || !is_fixed(t, o.like);
        all_bool = all_bool && ok &&
                   (cm_str_ieq(t, CM_STR_LIT("true")) || cm_str_ieq(t, CM_STR_LIT("false")));
        all_true = all_true && ok && cm_str_ieq(t, CM_STR_LIT("true"));
    }
    if (!any) {
        return CM_S3X_ANONYMOUS; /* no values (or an empty list): nothing to hold on to */
    }
    switch (keys[kk].kind) {
    case KEY_PRINCIPAL_ARN:
        /* Anonymous callers have no ARN: any ARN pattern keeps them out. */
        return all_fixed ? CM_S3X_NONE : CM_S3X_AUTHENTICATED;
    case KEY_PRINCIPAL_TYPE:
        return may_anon ? CM_S3X_ANONYMOUS : CM_S3X_AUTHENTICATED;
    case KEY_IS_SERVICE:
        /* Absent from unsigned requests, so either value keeps anonymous callers out. */
        return !all_bool ? CM_S3X_ANONYMOUS : all_true ? CM_S3X_NONE : CM_S3X_AUTHENTICATED;
    default:
        return all_fixed ? CM_S3X_NONE : CM_S3X_ANONYMOUS;
    }
}

/* How far a statement with principal "everyone" reaches under its Condition block c. */
static enum cm_s3_exposure condition_reach(const struct cm_json_doc *d, uint32_t c)
{
    char kb[KEY_MAX];
    enum cm_s3_exposure reach = CM_S3X_ANONYMOUS;

    if (!is_type(d, c, CM_JSON_OBJECT)) {
        return reach;
    }
    for (uint32_t opk = cm_json_first(d, c); opk != NONE; opk = cm_json_next(d, c, opk + 1)) {
        uint32_t block = opk + 1;
        struct cm_str name;
        struct op o;

        if (!text_of(d, opk, kb, sizeof(kb), &name) || !is_type(d, block, CM_JSON_OBJECT)) {
            continue;
        }
        o = op_parse(name);
        if (o.inert) {
            continue;
        }
        for (uint32_t k = cm_json_first(d, block); k != NONE; k = cm_json_next(d, block, k + 1)) {
            struct cm_str key;
            enum cm_s3_exposure r;

            if (!text_of(d, k, kb, sizeof(kb), &key)) {
                continue;
            }
            r = key_reach(d, key, k + 1, o);
            if (r < reach) {
                reach = r;
            }
        }
    }
    return reach;
}

/* ---- policy statements ------------------------------------------------------------------ */

static const char WHY_NO_POLICY[] = "no bucket policy";
static const char WHY_NOT_OBJECT[] = "bucket policy is not a JSON object";
static const char WHY_NO_STATEMENT[] = "bucket policy has no Statement array or object";
static const char WHY_BAD_STRING[] = "bucket policy string is not valid JSON";
static const char WHY_STRING_CAP[] = "bucket policy string is too large or too deep to parse";
static const char WHY_NO_SCRATCH[] = "bucket policy string cannot be parsed without a scratch "
                                     "document";
static const char WHY_NOMEM[] = "out of memory reading the bucket policy string";
static const char WHY_NO_EVERYONE[] = "no Allow statement grants Principal \"*\"";
static const char WHY_NARROWED[] = "every Allow statement for Principal \"*\" is narrowed by a "
                                   "condition to known parties";
static const char WHY_STAR[] = "an Allow statement grants Principal \"*\" without a narrowing "
                               "condition";
static const char WHY_NOTPRINCIPAL[] = "an Allow statement with NotPrincipal grants everyone "
                                       "else without a narrowing condition";
static const char WHY_AUTH_STAR[] = "an Allow statement grants Principal \"*\" limited only to "
                                    "authenticated AWS principals";
static const char WHY_AUTH_NOTPRINCIPAL[] = "an Allow statement with NotPrincipal grants "
                                            "everyone else limited only to authenticated AWS "
                                            "principals";

static bool is_star(const struct cm_json_doc *d, uint32_t i)
{
    char b[8];
    struct cm_str t;

    return is_type(d, i, CM_JSON_STRING) && text_of(d, i, b, sizeof(b), &t) && cm_str_eqc(t, "*");
}

/* True when a Principal value names everyone: "*", {"AWS": "*" or [..., "*"]}, [..., "*"]. */
static bool principal_everyone(const struct cm_json_doc *d, uint32_t p)
{
    char kb[KEY_MAX];
    struct cm_str k;

    if (is_type(d, p, CM_JSON_OBJECT)) {
        for (uint32_t key = cm_json_first(d, p); key != NONE; key = cm_json_next(d, p, key + 1)) {
            if (!text_of(d, key, kb, sizeof(kb), &k) || !cm_str_ieq(k, CM_STR_LIT("AWS"))) {
                continue;
            }
            for (uint32_t i = list_first(d, key + 1); i != NONE; i = list_next(d, key + 1, i)) {
                if (is_star(d, i)) {
                    return true;
                }
            }
        }
        return false;
    }
    for (uint32_t i = list_first(d, p); i != NONE; i = list_next(d, p, i)) {
        if (is_star(d, i)) {
            return true;
        }
    }
    return false;
}

/*
 * How far statement s reaches; *why gets the reason when it reaches anyone,
 * *everyone is set when it grants to everyone before conditions.
 */
static enum cm_s3_exposure statement_reach(const struct cm_json_doc *d, uint32_t s,
                                           const char **why, bool *everyone)
{
    char b[16];
    struct cm_str effect;
    uint32_t np;
    enum cm_s3_exposure r;

    if (!is_type(d, s, CM_JSON_OBJECT) ||
        !text_of(d, member(d, s, "Effect"), b, sizeof(b), &effect) ||
        !cm_str_ieq(effect, CM_STR_LIT("Allow"))) {
        return CM_S3X_NONE;
    }
    np = member(d, s, "NotPrincipal");
    if (np == NONE && !principal_everyone(d, member(d, s, "Principal"))) {
        return CM_S3X_NONE;
    }
    *everyone = true;
    r = condition_reach(d, member(d, s, "Condition"));
    if (r == CM_S3X_ANONYMOUS) {
        *why = np != NONE ? WHY_NOTPRINCIPAL : WHY_STAR;
    } else if (r == CM_S3X_AUTHENTICATED) {
        *why = np != NONE ? WHY_AUTH_NOTPRINCIPAL : WHY_AUTH_STAR;
    }
    return r;
}

/* The widest statement of policy object pol. */
static enum cm_s3_exposure policy_reach(const struct cm_json_doc *d, uint32_t pol, const char **why)
{
    enum cm_s3_exposure best = CM_S3X_NONE;
    const char *best_why = NULL;
    bool everyone = false;
    uint32_t st;

    if (!is_type(d, pol, CM_JSON_OBJECT)) {
        *why = WHY_NOT_OBJECT;
        return CM_S3X_NONE;
    }
    st = member(d, pol, "Statement");
    if (!is_type(d, st, CM_JSON_ARRAY) && !is_type(d, st, CM_JSON_OBJECT)) {
        *why = WHY_NO_STATEMENT;
        return CM_S3X_NONE;
    }
    for (uint32_t i = list_first(d, st); i != NONE && best != CM_S3X_ANONYMOUS;
         i = list_next(d, st, i)) {
        const char *w = NULL;
        enum cm_s3_exposure r = statement_reach(d, i, &w, &everyone);

        if (r > best) {
            best = r;
            best_why = w;
        }
    }
    *why = best != CM_S3X_NONE ? best_why : everyone ? WHY_NARROWED : WHY_NO_EVERYONE;
    return best;
}

/* A policy logged as a JSON string: unescape it, parse it into scratch, analyse that. */
static enum cm_s3_exposure policy_string(const struct cm_json_doc *d, uint32_t pol,
                                         struct cm_json_doc *scratch, const char **why)
{
    const struct cm_json_node *n = cm_json_at(d, pol);
    enum cm_s3_exposure r = CM_S3X_NONE;
    char *text;
    size_t len;
    int rc;

    if (scratch == NULL || scratch == d) {
        *why = WHY_NO_SCRATCH;
        return CM_S3X_NONE;
    }
    text = cm_malloc(n->len);
    if (text == NULL) {
        *why = WHY_NOMEM;
        return CM_S3X_NONE;
    }
    len = cm_json_unescape(d->src + n->off, n->len, text);
    rc = cm_json_parse(scratch, text, len, NULL);
    if (rc != 0) {
        *why = rc == CM_ESYNTAX || rc == CM_EUTF8 ? WHY_BAD_STRING
               : rc == CM_ENOMEM                  ? WHY_NOMEM
                                                  : WHY_STRING_CAP;
        goto done;
    }
    r = policy_reach(scratch, 0, why);
done:
    cm_json_doc_begin(scratch, NULL, 0);
    cm_free(text);
    return r;
}

enum cm_s3_exposure cm_s3_policy_exposure(const struct cm_json_doc *d, uint32_t pol,
                                          struct cm_json_doc *scratch, const char **why)
{
    const char *ignored;

    if (why == NULL) {
        why = &ignored;
    }
    if (d == NULL || pol >= d->n) {
        *why = WHY_NO_POLICY;
        return CM_S3X_NONE;
    }
    if (cm_json_type(d, pol) == CM_JSON_STRING) {
        return policy_string(d, pol, scratch, why);
    }
    return policy_reach(d, pol, why);
}

/* ---- ACLs ------------------------------------------------------------------------------- */

static const char WHY_NO_PARAMS[] = "no requestParameters object";
static const char WHY_NO_GRANT[] = "no ACL grant to AllUsers or AuthenticatedUsers";
static const char WHY_GRANT_ALL[] = "ACL grants the AllUsers group";
static const char WHY_GRANT_AUTH[] = "ACL grants the AuthenticatedUsers group";
static const char WHY_CANNED_ALL[] = "canned ACL public-read or public-read-write";
static const char WHY_CANNED_AUTH[] = "canned ACL authenticated-read";
static const char WHY_HEADER_ALL[] = "x-amz-grant header grants the AllUsers group";
static const char WHY_HEADER_AUTH[] = "x-amz-grant header grants the AuthenticatedUsers group";

static const char *const grant_headers[] = {
    "x-amz-grant-read",      "x-amz-grant-write",        "x-amz-grant-read-acp",
    "x-amz-grant-write-acp", "x-amz-grant-full-control",
};

/* The exposure of a grant to group URI u (http or https; LogDelivery and others: NONE). */
static enum cm_s3_exposure group_reach(struct cm_str u)
{
    u = trim(u);
    if (istarts(u, "http://")) {
        u = sub(u, strlen("http://"), u.len);
    } else if (istarts(u, "https://")) {
        u = sub(u, strlen("https://"), u.len);
    }
    if (u.len > 0 && u.p[u.len - 1] == '/') {
        u.len--;
    }
    if (cm_str_ieq(u, CM_STR_LIT("acs.amazonaws.com/groups/global/AllUsers"))) {
        return CM_S3X_ANONYMOUS;
    }
    if (cm_str_ieq(u, CM_STR_LIT("acs.amazonaws.com/groups/global/AuthenticatedUsers"))) {
        return CM_S3X_AUTHENTICATED;
    }
    return CM_S3X_NONE;
}

/* The widest group in an x-amz-grant-* value: 'uri="http://...", id="..."'. */
static enum cm_s3_exposure header_reach(struct cm_str h)
{
    enum cm_s3_exposure best = CM_S3X_NONE;

    for (size_t at = 0; at <= h.len;) {
        size_t end = find_char(h, at, ',');
        struct cm_str item = sub(h, at, end);
        size_t eq = find_char(item, 0, '=');

        if (eq < item.len && cm_str_ieq(trim(sub(item, 0, eq)), CM_STR_LIT("uri"))) {
            struct cm_str v = trim(sub(item, eq + 1, item.len));
            enum cm_s3_exposure r;

            if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
                v = sub(v, 1, v.len - 1);
            }
            r = group_reach(v);
            best = r > best ? r : best;
        }
        at = end + 1;
    }
    return best;
}

static void raise_to(enum cm_s3_exposure *best, const char **why, enum cm_s3_exposure r,
                     const char *why_all, const char *why_auth)
{
    if (r > *best) {
        *best = r;
        *why = r == CM_S3X_ANONYMOUS ? why_all : why_auth;
    }
}

enum cm_s3_exposure cm_s3_acl_exposure(const struct cm_json_doc *d, uint32_t rp, const char **why)
{
    char vb[VAL_MAX];
    enum cm_s3_exposure best = CM_S3X_NONE;
    const char *ignored;
    struct cm_str t;
    uint32_t acl, grants, canned;

    if (why == NULL) {
        why = &ignored;
    }
    if (d == NULL || !is_type(d, rp, CM_JSON_OBJECT)) {
        *why = WHY_NO_PARAMS;
        return CM_S3X_NONE;
    }
    *why = WHY_NO_GRANT;

    acl = member(d, member(d, rp, "AccessControlPolicy"), "AccessControlList");
    grants = member(d, acl, "Grant");
    if (grants == NONE) {
        grants = member(d, acl, "Grants");
    }
    for (uint32_t g = list_first(d, grants); g != NONE; g = list_next(d, grants, g)) {
        uint32_t uri = member(d, member(d, g, "Grantee"), "URI");

        if (is_type(d, uri, CM_JSON_STRING) && text_of(d, uri, vb, sizeof(vb), &t)) {
            raise_to(&best, why, group_reach(t), WHY_GRANT_ALL, WHY_GRANT_AUTH);
        }
    }

    canned = member(d, rp, "x-amz-acl");
    for (uint32_t i = list_first(d, canned); i != NONE; i = list_next(d, canned, i)) {
        enum cm_s3_exposure r = CM_S3X_NONE;

        if (is_type(d, i, CM_JSON_STRING) && text_of(d, i, vb, sizeof(vb), &t)) {
            t = trim(t);
            if (cm_str_ieq(t, CM_STR_LIT("public-read")) ||
                cm_str_ieq(t, CM_STR_LIT("public-read-write"))) {
                r = CM_S3X_ANONYMOUS;
            } else if (cm_str_ieq(t, CM_STR_LIT("authenticated-read"))) {
                r = CM_S3X_AUTHENTICATED;
            }
        }
        raise_to(&best, why, r, WHY_CANNED_ALL, WHY_CANNED_AUTH);
    }

    for (size_t h = 0; h < sizeof(grant_headers) / sizeof(grant_headers[0]); h++) {
        uint32_t v = member(d, rp, grant_headers[h]);

        for (uint32_t i = list_first(d, v); i != NONE; i = list_next(d, v, i)) {
            if (is_type(d, i, CM_JSON_STRING) && text_of(d, i, vb, sizeof(vb), &t)) {
                raise_to(&best, why, header_reach(t), WHY_HEADER_ALL, WHY_HEADER_AUTH);
            }
        }
    }
    return best;
}
