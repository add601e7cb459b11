/*
 * AWS ip-ranges.json -> an ipset of prefixes whose values index a table of
 * distinct (service, region) pairs. See awsranges.h and
 * docs/internals/geoip-awsranges.md.
 *
 * The whole file is parsed once with the JSON reader (a tape over the
 * caller's buffer); the entries are then walked in document order, so the
 * line of each entry is found by counting newlines forward from the last
 * one (linear in the file). Pair strings are copied into the set's arena
 * the first time a pair is seen; a map from "service\0region" to the pair
 * index, used only while building, dedupes them.
 */
#include "intel/awsranges.h"

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/map.h"
#include "intel/ipset.h"

#define STRINGS_CHUNK 4096
#define SCRATCH_CHUNK 1024

struct pair {
    struct cm_str service, region;
};

struct cm_awsranges {
    struct cm_ipset *set;
    struct pair *pairs;
    size_t npairs, cappairs;
    struct cm_arena strings; /* pair names, syncToken, createDate */
    struct cm_str sync_token, create_date;
    size_t loaded, skipped;
};

/* Everything the walk over the entries needs. */
struct build {
    struct cm_awsranges *r;
    const struct cm_json_doc *doc;
    struct cm_ipset_builder *ib;
    struct cm_map *index;    /* "service\0region" -> uint32_t pair index */
    struct cm_arena scratch; /* unescaped names of the current entry */
    const struct cm_awsranges_report *rep;
    size_t pos;    /* offset up to which newlines are counted */
    uint32_t line; /* line of pos */
};

/* The 1-based line of offset off (off never goes backwards between calls). */
static uint32_t line_at(struct build *b, size_t off)
{
    const char *src = b->doc->src;

    for (; b->pos < off; b->pos++) {
        if (src[b->pos] == '\n') {
            b->line++;
        }
    }
    return b->line;
}

static void bad(struct build *b, uint32_t line, const char *reason)
{
    b->r->skipped++;
    if (b->rep != NULL && b->rep->bad != NULL) {
        b->rep->bad(b->rep->ud, line, reason);
    }
}

/* A copy of a JSON string in the set's arena; absent when node i is not a string. */
static int own_str(struct cm_awsranges *r, const struct cm_json_doc *d, uint32_t i,
                   struct cm_arena *scratch, struct cm_str *out)
{
    struct cm_str s;
    char *p;

    *out = CM_STR_NULL;
    if (i == CM_JSON_NONE) {
        return CM_OK;
    }
    if ((s = cm_json_str(d, i, scratch)).p == NULL) {
        return CM_ENOMEM; /* check_shape() made sure it is a string */
    }
    if ((p = cm_arena_strndup(&r->strings, s.p, s.len)) == NULL) {
        return CM_ENOMEM;
    }
    *out = cm_str_make(p, s.len);
    return CM_OK;
}

/* Why a service or region name is unusable, or NULL when it is fine. */
static const char *bad_name(struct cm_str s, const char *what_missing, const char *what_bad)
{
    if (s.p == NULL || s.len == 0) {
        return what_missing;
    }
    if (s.len > CM_AWS_NAME_MAX) {
        return what_bad;
    }
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f) {
            return what_bad;
        }
    }
    return NULL;
}

/*
 * Parses a prefix of family fam ("a.b.c.d/n" or "x::/n"). Returns NULL, or
 * why it is not one.
 */
static const char *parse_prefix(struct cm_str s, int fam, struct cm_ip *net, unsigned *len)
{
    const char *slash = s.p != NULL ? memchr(s.p, '/', s.len) : NULL;
    struct cm_ip addr;

    if (slash == NULL) {
        return "prefix has no /length";
    }
    if (cm_cidr_parse(s, net, len) != 0 ||
        cm_ip_parse(cm_str_make(s.p, (size_t)(slash - s.p)), &addr) != 0) {
        return "prefix is not a CIDR";
    }
    if (net->family != fam) {
        return fam == CM_IP_V4 ? "IPv6 prefix in \"prefixes\"" : "IPv4 prefix in \"ipv6_prefixes\"";
    }
    if (!cm_ip_eq(&addr, net)) {
        return "prefix has host bits set";
    }
    return NULL;
}

/* The index of pair (service, region), adding it when new. */
static int pair_index(struct build *b, struct cm_str service, struct cm_str region, uint32_t *idx)
{
    struct cm_awsranges *r = b->r;
    size_t klen = service.len + 1 + region.len;
    char *key = cm_arena_alloc(&b->scratch, klen);
    uint32_t *val;
    bool created;
    char *sp, *rp;
    int rc;

    if (key == NULL) {
        return CM_ENOMEM;
    }
    memcpy(key, service.p, service.len);
    key[service.len] = '\0';
    memcpy(key + service.len + 1, region.p, region.len);
    if ((rc = cm_map_put(b->index, key, klen, (void **)&val, &created)) != 0) {
        return rc == CM_EFULL ? CM_E2BIG : rc;
    }
    if (!created) {
        *idx = *val;
        return CM_OK;
    }
    rc = cm_grow((void **)&r->pairs, &r->cappairs, r->npairs + 1, sizeof(*r->pairs), 16);
    sp = rc == 0 ? cm_arena_strndup(&r->strings, service.p, service.len) : NULL;
    rp = sp != NULL ? cm_arena_strndup(&r->strings, region.p, region.len) : NULL;
    if (rp == NULL) {
        cm_map_del_val(b->index, val);
        return CM_ENOMEM;
    }
    r->pairs[r->npairs].service = cm_str_make(sp, service.len);
    r->pairs[r->npairs].region = cm_str_make(rp, region.len);
    *val = (uint32_t)r->npairs;
    *idx = (uint32_t)r->npairs++;
    return CM_OK;
}

/* One entry of "prefixes" (fam V4, key "ip_prefix") or "ipv6_prefixes". */
static int add_entry(struct build *b, uint32_t e, int fam, const char *key)
{
    const struct cm_json_doc *d = b->doc;
    uint32_t line = line_at(b, cm_json_at(d, e)->off);
    struct cm_str pfx, service, region;
    struct cm_ip net;
    unsigned len;
    uint32_t idx;
    const char *why;
    int rc;

    cm_arena_reset(&b->scratch);
    if (cm_json_type(d, e) != CM_JSON_OBJECT) {
        bad(b, line, "entry is not an object");
        return CM_OK;
    }
    pfx = cm_json_str(d, cm_json_get(d, e, key), &b->scratch);
    service = cm_json_str(d, cm_json_get(d, e, "service"), &b->scratch);
    region = cm_json_str(d, cm_json_get(d, e, "region"), &b->scratch);
    if (pfx.p == NULL) {
        why = fam == CM_IP_V4 ? "no \"ip_prefix\" string" : "no \"ipv6_prefix\" string";
    } else if ((why = parse_prefix(pfx, fam, &net, &len)) == NULL &&
               (why = bad_name(service, "no \"service\" string", "bad \"service\" name")) == NULL) {
        why = bad_name(region, "no \"region\" string", "bad \"region\" name");
    }
    if (why != NULL) {
        bad(b, line, why);
        return CM_OK;
    }
    if ((rc = pair_index(b, service, region, &idx)) != 0) {
        return rc;
    }
    if (idx > CM_IPSET_VAL_MAX) {
        return CM_E2BIG;
    }
    if ((rc = cm_ipset_builder_add(b->ib, &net, len, idx)) != 0) {
        return rc;
    }
    b->r->loaded++;
    return CM_OK;
}

/* Every entry of array arr. */
static int add_array(struct build *b, uint32_t arr, int fam, const char *key)
{
    for (uint32_t e = cm_json_first(b->doc, arr); e != CM_JSON_NONE;
         e = cm_json_next(b->doc, arr, e)) {
        int rc = add_entry(b, e, fam, key);

        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

/* Checks the top-level shape; fills v4/v6 (v6 may be NONE). Returns NULL or why not. */
static const char *check_shape(const struct cm_json_doc *d, uint32_t *v4, uint32_t *v6)
{
    uint32_t st, cd;

    if (cm_json_type(d, 0) != CM_JSON_OBJECT) {
        return "not a JSON object";
    }
    *v4 = cm_json_get(d, 0, "prefixes");
    *v6 = cm_json_get(d, 0, "ipv6_prefixes");
    st = cm_json_get(d, 0, "syncToken");
    cd = cm_json_get(d, 0, "createDate");
    if (*v4 == CM_JSON_NONE || cm_json_type(d, *v4) != CM_JSON_ARRAY) {
        return "no \"prefixes\" array";
    }
    if (*v6 != CM_JSON_NONE && cm_json_type(d, *v6) != CM_JSON_ARRAY) {
        return "\"ipv6_prefixes\" is not an array";
    }
    if ((st != CM_JSON_NONE && cm_json_type(d, st) != CM_JSON_STRING) ||
        (cd != CM_JSON_NONE && cm_json_type(d, cd) != CM_JSON_STRING)) {
        return "\"syncToken\" or \"createDate\" is not a string";
    }
    return NULL;
}

int cm_awsranges_parse(struct cm_awsranges **out, const char *buf, size_t len, uint64_t seed,
                       const struct cm_awsranges_report *rep, struct cm_diag *diag)
{
    struct cm_json_doc doc;
    struct build b;
    struct cm_awsranges *r;
    uint32_t v4, v6;
    const char *why;
    int rc;

    *out = NULL;
    cm_diag_clear(diag);
    memset(&b, 0, sizeof(b));
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&b.scratch, SCRATCH_CHUNK, 0);
    if ((r = cm_calloc(1, sizeof(*r))) == NULL) {
        rc = CM_ENOMEM;
        goto done;
    }
    cm_arena_init(&r->strings, STRINGS_CHUNK, 0);
    rc = cm_json_parse(&doc, buf, len, diag);
    if (rc == CM_ESYNTAX || rc == CM_EUTF8 || rc == CM_EDEPTH) {
        rc = CM_EINVAL; /* diag holds the parser's reason */
        goto done;
    }
    if (rc != 0) {
        goto done;
    }
    if ((why = check_shape(&doc, &v4, &v6)) != NULL) {
        cm_diag_set(diag, 0, "%s", why);
        rc = CM_EINVAL;
        goto done;
    }
    b.r = r;
    b.doc = &doc;
    b.rep = rep;
    b.line = 1;
    if ((rc = own_str(r, &doc, cm_json_get(&doc, 0, "syncToken"), &b.scratch, &r->sync_token)) ||
        (rc = own_str(r, &doc, cm_json_get(&doc, 0, "createDate"), &b.scratch, &r->create_date)) ||
        (rc = cm_map_create(&b.index, sizeof(uint32_t), 0, cm_hash_mix64(seed ^ 0x5a5a))) ||
        (rc = cm_ipset_builder_create(&b.ib, seed))) {
        goto done;
    }
    if ((rc = add_array(&b, v4, CM_IP_V4, "ip_prefix")) != 0 ||
        (v6 != CM_JSON_NONE && (rc = add_array(&b, v6, CM_IP_V6, "ipv6_prefix")) != 0)) {
        goto done;
    }
    rc = cm_ipset_freeze(b.ib, &r->set);
done:
    cm_ipset_builder_destroy(b.ib);
    cm_map_destroy(b.index);
    cm_arena_finish(&b.scratch);
    cm_json_doc_finish(&doc);
    if (rc != 0) {
        cm_awsranges_destroy(r);
        return rc;
    }
    *out = r;
    return CM_OK;
}

void cm_awsranges_destroy(struct cm_awsranges *r)
{
    if (r == NULL) {
        return;
    }
    cm_ipset_destroy(r->set);
    cm_free(r->pairs);
    cm_arena_finish(&r->strings);
    cm_free(r);
}

static void fill_claim(const struct cm_awsranges *r, const struct cm_ipset_match *m, uint32_t val,
                       struct cm_aws_claim *c)
{
    c->net = m->net;
    c->prefix = m->prefix;
    c->service = r->pairs[val].service;
    c->region = r->pairs[val].region;
}

bool cm_awsranges_lookup(const struct cm_awsranges *r, const struct cm_ip *ip,
                         struct cm_aws_claim *m)
{
    struct cm_ipset_match im;
    size_t pick = 0;

    if (r == NULL || !cm_ipset_lookup(r->set, ip, &im)) {
        return false;
    }
    if (m == NULL) {
        return true;
    }
    /* Values ascend in first-seen (file) order: the first non-AMAZON one wins. */
    for (size_t i = 0; i < im.nvals; i++) {
        if (!cm_str_eqc(r->pairs[im.vals[i]].service, CM_AWS_SERVICE_AMAZON)) {
            pick = i;
            break;
        }
    }
    fill_claim(r, &im, im.vals[pick], m);
    return true;
}

size_t cm_awsranges_lookup_all(const struct cm_awsranges *r, const struct cm_ip *ip,
                               struct cm_aws_claim *out, size_t max)
{
    struct cm_ipset_match ms[CM_IPSET_MAX_MATCHES];
    size_t n, total = 0;

    if (r == NULL) {
        return 0;
    }
    n = cm_ipset_lookup_all(r->set, ip, ms, CM_IPSET_MAX_MATCHES);
    if (n > CM_IPSET_MAX_MATCHES) {
        n = CM_IPSET_MAX_MATCHES; /* cannot happen: one prefix per length */
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t v = 0; v < ms[i].nvals; v++, total++) {
            if (total < max) {
                fill_claim(r, &ms[i], ms[i].vals[v], &out[total]);
            }
        }
    }
    return total;
}

struct cm_str cm_awsranges_sync_token(const struct cm_awsranges *r)
{
    return r != NULL ? r->sync_token : CM_STR_NULL;
}

struct cm_str cm_awsranges_create_date(const struct cm_awsranges *r)
{
    return r != NULL ? r->create_date : CM_STR_NULL;
}

size_t cm_awsranges_loaded(const struct cm_awsranges *r)
{
    return r != NULL ? r->loaded : 0;
}

size_t cm_awsranges_skipped(const struct cm_awsranges *r)
{
    return r != NULL ? r->skipped : 0;
}

size_t cm_awsranges_prefixes(const struct cm_awsranges *r)
{
    return r != NULL ? cm_ipset_count(r->set) : 0;
}

size_t cm_awsranges_pairs(const struct cm_awsranges *r)
{
    return r != NULL ? r->npairs : 0;
}

size_t cm_awsranges_bytes(const struct cm_awsranges *r)
{
    if (r == NULL) {
        return 0;
    }
    return sizeof(*r) + cm_ipset_bytes(r->set) + r->cappairs * sizeof(*r->pairs) + r->strings.used;
}
