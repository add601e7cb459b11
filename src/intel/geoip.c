/*
 * Geo and ASN lookups over MMDB files with libmaxminddb. See geoip.h and
 * docs/internals/geoip-awsranges.md.
 *
 * Each opened database gets a kind from its metadata database_type (the
 * const kinds[] table: name prefix, schema, fields it can give). A schema
 * is a const table of rules "this lookup path fills that field"; a lookup
 * runs, per database in merge order, only the rules whose field the kind
 * gives and the earlier databases left empty. Values are read with
 * MMDB_aget_value() straight from the mapped file into the caller's struct
 * cm_geo, so nothing is allocated per lookup and nothing is shared between
 * lookups but the read-only MMDB_s handles.
 */
#include "intel/geoip.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "base/alloc.h"
#include "base/err.h"

#define F_ALL                                                                                      \
    (CM_GEO_F_COUNTRY | CM_GEO_F_CITY | CM_GEO_F_LOCATION | CM_GEO_F_ASN | CM_GEO_F_ISP |          \
     CM_GEO_F_ORG)
#define F_CITY (CM_GEO_F_COUNTRY | CM_GEO_F_CITY | CM_GEO_F_LOCATION)
#define F_ISP  (CM_GEO_F_ASN | CM_GEO_F_ISP | CM_GEO_F_ORG)

/* How a database lays its record out. */
enum schema {
    SCH_GEO,    /* MaxMind City/Country/Enterprise and DB-IP's compatible ones */
    SCH_AS,     /* MaxMind ASN/ISP and DB-IP's compatible ones: flat keys */
    SCH_IPINFO, /* ipinfo: flat keys, asn as "AS123" text */
};

struct kind {
    const char *prefix; /* of database_type, ASCII case-insensitive */
    enum schema schema;
    unsigned fields; /* CM_GEO_F_* */
};

/* First match wins: longer names before the names they start with. */
static const struct kind kinds[] = {
    {"GeoIP2-Precision-Enterprise", SCH_GEO, F_ALL},
    {"GeoIP2-Enterprise", SCH_GEO, F_ALL},
    {"GeoIP2-Precision-City", SCH_GEO, F_CITY},
    {"GeoIP2-City", SCH_GEO, F_CITY},
    {"GeoLite2-City", SCH_GEO, F_CITY},
    {"GeoIP2-Precision-Country", SCH_GEO, CM_GEO_F_COUNTRY},
    {"GeoIP2-Country", SCH_GEO, CM_GEO_F_COUNTRY},
    {"GeoLite2-Country", SCH_GEO, CM_GEO_F_COUNTRY},
    {"GeoLite2-ASN", SCH_AS, CM_GEO_F_ASN},
    {"GeoIP2-Precision-ISP", SCH_AS, F_ISP},
    {"GeoIP2-ISP", SCH_AS, F_ISP},
    {"DBIP-Location-ISP", SCH_GEO, F_ALL},
    {"DBIP-Location", SCH_GEO, F_CITY},
    {"DBIP-City", SCH_GEO, F_CITY},
    {"DBIP-Country", SCH_GEO, CM_GEO_F_COUNTRY},
    {"DBIP-ASN", SCH_AS, CM_GEO_F_ASN},
    {"DBIP-ISP", SCH_AS, F_ISP},
    {"ipinfo", SCH_IPINFO, F_ALL},
};

/* What a rule fills. */
enum target {
    T_CC,      /* country_code */
    T_CNAME,   /* country_name */
    T_COUNTRY, /* ipinfo "country": a code when two letters, else a name */
    T_CITY,
    T_LAT,
    T_LON,
    T_ASN,
    T_ASNORG,
    T_ISP,
    T_ORG,
};

struct rule {
    enum target target;
    const char *path[4]; /* NULL-terminated lookup path */
};

static const struct rule geo_rules[] = {
    {T_CC, {"country", "iso_code", NULL}},
    {T_CNAME, {"country", "names", "en", NULL}},
    {T_CITY, {"city", "names", "en", NULL}},
    {T_LAT, {"location", "latitude", NULL}},
    {T_LON, {"location", "longitude", NULL}},
    {T_ASN, {"traits", "autonomous_system_number", NULL}},
    {T_ASNORG, {"traits", "autonomous_system_organization", NULL}},
    {T_ISP, {"traits", "isp", NULL}},
    {T_ORG, {"traits", "organization", NULL}},
};

static const struct rule as_rules[] = {
    {T_ASN, {"autonomous_system_number", NULL}},
    {T_ASNORG, {"autonomous_system_organization", NULL}},
    {T_ISP, {"isp", NULL}},
    {T_ORG, {"organization", NULL}},
};

static const struct rule ipinfo_rules[] = {
    {T_CC, {"country_code", NULL}}, {T_CNAME, {"country_name", NULL}},
    {T_COUNTRY, {"country", NULL}}, {T_CITY, {"city", NULL}},
    {T_LAT, {"latitude", NULL}},    {T_LAT, {"lat", NULL}},
    {T_LON, {"longitude", NULL}},   {T_LON, {"lng", NULL}},
    {T_ASN, {"asn", NULL}},         {T_ASNORG, {"as_name", NULL}},
};

static const struct {
    const struct rule *rules;
    size_t n;
} schemas[] = {
    [SCH_GEO] = {geo_rules, sizeof(geo_rules) / sizeof(geo_rules[0])},
    [SCH_AS] = {as_rules, sizeof(as_rules) / sizeof(as_rules[0])},
    [SCH_IPINFO] = {ipinfo_rules, sizeof(ipinfo_rules) / sizeof(ipinfo_rules[0])},
};

struct db {
    MMDB_s mmdb;
    const struct kind *kind;
};

struct cm_geoip {
    size_t n;
    struct db dbs[CM_GEOIP_MAX_DBS];
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The kind of a database_type, or NULL. */
static const struct kind *find_kind(const char *type)
{
    if (type == NULL) {
        return NULL;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *p = kinds[k].prefix;
        size_t i = 0;

        while (p[i] != '\0' && lower((unsigned char)type[i]) == lower((unsigned char)p[i])) {
            i++;
        }
        if (p[i] == '\0' && strchr("- _.(", type[i]) != NULL) {
            return &kinds[k]; /* type[i] == '\0' matches too */
        }
    }
    return NULL;
}

static unsigned target_field(enum target t)
{
    switch (t) {
    case T_CC:
    case T_CNAME:
    case T_COUNTRY:
        return CM_GEO_F_COUNTRY;
    case T_CITY:
        return CM_GEO_F_CITY;
    case T_LAT:
    case T_LON:
        return CM_GEO_F_LOCATION;
    case T_ASN:
    case T_ASNORG:
        return CM_GEO_F_ASN;
    case T_ISP:
        return CM_GEO_F_ISP;
    case T_ORG:
        return CM_GEO_F_ORG;
    }
    return 0;
}

int cm_geoip_open(struct cm_geoip **out, const char *const *paths, size_t n, char *err,
                  size_t errlen)
{
    struct cm_geoip *g;
    int rc = CM_OK;

    *out = NULL;
    if (n == 0 || n > CM_GEOIP_MAX_DBS) {
        snprintf(err, errlen, "GeoIP: %zu databases given (1 to %d)", n, CM_GEOIP_MAX_DBS);
        return CM_EINVAL;
    }
    if ((g = cm_calloc(1, sizeof(*g))) == NULL) {
        snprintf(err, errlen, "GeoIP: %s", cm_strerror(CM_ENOMEM));
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct db *db = &g->dbs[i];
        const char *type;
        int st, e;

        errno = 0;
        st = MMDB_open(paths[i], MMDB_MODE_MMAP, &db->mmdb);
        e = errno;
        if (st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR) {
            snprintf(err, errlen, "%s: %s%s%s", paths[i], MMDB_strerror(st), e ? ": " : "",
                     e ? strerror(e) : "");
            rc = CM_EIO;
            goto fail;
        }
        if (st == MMDB_OUT_OF_MEMORY_ERROR) {
            snprintf(err, errlen, "%s: %s", paths[i], MMDB_strerror(st));
            rc = CM_ENOMEM;
            goto fail;
        }
        if (st != MMDB_SUCCESS) {
            snprintf(err, errlen, "%s: not a usable MMDB file: %s", paths[i], MMDB_strerror(st));
            rc = CM_EFORMAT;
            goto fail;
        }
        g->n = i + 1; /* from here on cm_geoip_close() closes it */
        type = db->mmdb.metadata.database_type;
        if ((db->kind = find_kind(type)) == NULL) {
            snprintf(err, errlen,
                     "%s: database type '%s' has no country, city, location, ASN, ISP or "
                     "organization fields (use a City, Country, ASN, ISP or Enterprise "
                     "database from MaxMind, DB-IP or ipinfo)",
                     paths[i], type ? type : "");
            rc = CM_EFORMAT;
            goto fail;
        }
    }
    *out = g;
    return CM_OK;
fail:
    cm_geoip_close(g);
    return rc;
}

void cm_geoip_close(struct cm_geoip *g)
{
    if (g == NULL) {
        return;
    }
    for (size_t i = 0; i < g->n; i++) {
        MMDB_close(&g->dbs[i].mmdb);
    }
    cm_free(g);
}

size_t cm_geoip_count(const struct cm_geoip *g)
{
    return g != NULL ? g->n : 0;
}

const char *cm_geoip_type(const struct cm_geoip *g, size_t i)
{
    return g != NULL && i < g->n ? g->dbs[i].mmdb.metadata.database_type : NULL;
}

unsigned cm_geoip_fields(const struct cm_geoip *g, size_t i)
{
    return g != NULL && i < g->n ? g->dbs[i].kind->fields : 0;
}

/* Copies n bytes of UTF-8 (stopping at a NUL) into dst[cap], cut at a character boundary. */
static void copy_utf8(char *dst, size_t cap, const char *src, size_t n)
{
    const char *nul = memchr(src, '\0', n);

    if (nul != NULL) {
        n = (size_t)(nul - src);
    }
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80) {
            n--; /* src[n] would be the first byte dropped: keep whole characters */
        }
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

#define NO_BUF ((size_t)-1)

/* Where a string target lives in struct cm_geo (NO_BUF: not a string) and its size. */
static size_t target_off(enum target t, size_t *cap)
{
    switch (t) {
    case T_CC:
        *cap = sizeof(((struct cm_geo *)0)->country_code);
        return offsetof(struct cm_geo, country_code);
    case T_CNAME:
        *cap = sizeof(((struct cm_geo *)0)->country_name);
        return offsetof(struct cm_geo, country_name);
    case T_CITY:
        *cap = sizeof(((struct cm_geo *)0)->city);
        return offsetof(struct cm_geo, city);
    case T_ASN:
        *cap = sizeof(((struct cm_geo *)0)->asn);
        return offsetof(struct cm_geo, asn);
    case T_ASNORG:
        *cap = sizeof(((struct cm_geo *)0)->asn_org);
        return offsetof(struct cm_geo, asn_org);
    case T_ISP:
        *cap = sizeof(((struct cm_geo *)0)->isp);
        return offsetof(struct cm_geo, isp);
    case T_ORG:
        *cap = sizeof(((struct cm_geo *)0)->org);
        return offsetof(struct cm_geo, org);
    default:
        *cap = 0;
        return NO_BUF;
    }
}

/* An ASN as decimal text: integers, or "123" / "AS123" strings. False when neither. */
static bool read_asn(const MMDB_entry_data_s *v, char *dst, size_t cap)
{
    unsigned long long asn;

    switch (v->type) {
    case MMDB_DATA_TYPE_UINT16:
        asn = v->uint16;
        break;
    case MMDB_DATA_TYPE_UINT32:
        asn = v->uint32;
        break;
    case MMDB_DATA_TYPE_UINT64:
        asn = v->uint64;
        break;
    case MMDB_DATA_TYPE_INT32:
        if (v->int32 < 0) {
            return false;
        }
        asn = (unsigned long long)v->int32;
        break;
    case MMDB_DATA_TYPE_UTF8_STRING: {
        const char *s = v->utf8_string;
        size_t n = v->data_size;

        if (n >= 2 && lower((unsigned char)s[0]) == 'a' && lower((unsigned char)s[1]) == 's') {
            s += 2;
            n -= 2;
        }
        if (n == 0 || n > 10) {
            return false;
        }
        asn = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return false;
            }
            asn = asn * 10 + (unsigned)(s[i] - '0');
        }
        break;
    }
    default:
        return false;
    }
    if (asn > 0xffffffffULL) {
        return false; /* ASNs are 32-bit */
    }
    snprintf(dst, cap, "%llu", asn);
    return true;
}

/* A coordinate: a double, a float, an integer or a decimal string. */
static bool read_coord(const MMDB_entry_data_s *v, double *out)
{
    char tmp[32], *end;

    switch (v->type) {
    case MMDB_DATA_TYPE_DOUBLE:
        *out = v->double_value;
        break;
    case MMDB_DATA_TYPE_FLOAT:
        *out = v->float_value;
        break;
    case MMDB_DATA_TYPE_INT32:
        *out = v->int32;
        break;
    case MMDB_DATA_TYPE_UINT16:
        *out = v->uint16;
        break;
    case MMDB_DATA_TYPE_UINT32:
        *out = v->uint32;
        break;
    case MMDB_DATA_TYPE_UTF8_STRING:
        if (v->data_size == 0 || v->data_size >= sizeof(tmp)) {
            return false;
        }
        memcpy(tmp, v->utf8_string, v->data_size);
        tmp[v->data_size] = '\0';
        *out = strtod(tmp, &end);
        if (*end != '\0') {
            return false;
        }
        break;
    default:
        return false;
    }
    return isfinite(*out);
}

static bool is_country_code(const char *s, size_t n)
{
    return n == 2 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
           ((s[1] >= 'A' && s[1] <= 'Z') || (s[1] >= 'a' && s[1] <= 'z'));
}

/* Location read from one database (used only when it gives both). */
struct loc {
    bool has_lat, has_lon;
    double lat, lon;
};

/* Applies one rule's value v to out. */
static void apply(const struct rule *r, const MMDB_entry_data_s *v, struct cm_geo *out,
                  struct loc *loc)
{
    size_t cap;
    char *dst;

    switch (r->target) {
    case T_LAT:
        if (!loc->has_lat && read_coord(v, &loc->lat) && fabs(loc->lat) <= 90.0) {
            loc->has_lat = true;
        }
        return;
    case T_LON:
        if (!loc->has_lon && read_coord(v, &loc->lon) && fabs(loc->lon) <= 180.0) {
            loc->has_lon = true;
        }
        return;
    case T_ASN:
        if (!read_asn(v, out->asn, sizeof(out->asn))) {
            out->asn[0] = '\0';
        }
        return;
    default:
        break;
    }
    if (v->type != MMDB_DATA_TYPE_UTF8_STRING || v->data_size == 0) {
        return;
    }
    if (r->target == T_COUNTRY) {
        bool code = is_country_code(v->utf8_string, v->data_size);

        dst = code ? out->country_code : out->country_name;
        cap = code ? sizeof(out->country_code) : sizeof(out->country_name);
    } else {
        size_t off = target_off(r->target, &cap);

        if (off == NO_BUF) {
            return;
        }
        dst = (char *)out + off;
    }
    if (dst[0] == '\0') {
        copy_utf8(dst, cap, v->utf8_string, v->data_size);
    }
}

/* Whether what rule r fills is still empty in out. */
static bool wanted(const struct rule *r, const struct cm_geo *out)
{
    size_t cap, off;

    switch (r->target) {
    case T_LAT:
    case T_LON:
        return !out->has_location;
    case T_COUNTRY:
        return out->country_code[0] == '\0' || out->country_name[0] == '\0';
    default:
        off = target_off(r->target, &cap);
        return off != NO_BUF && ((const char *)out)[off] == '\0';
    }
}

/* Reads one database's record into the fields still empty. Returns false on corrupt data. */
static bool read_record(const struct db *db, MMDB_entry_s *entry, struct cm_geo *out)
{
    const struct rule *rules = schemas[db->kind->schema].rules;
    size_t nrules = schemas[db->kind->schema].n;
    struct loc loc = {false, false, 0, 0};
    /* asn and asnOrg are a pair: both come from the first database that has either. */
    bool had_as = out->asn[0] != '\0' || out->asn_org[0] != '\0';
    bool ok = true;

    for (size_t i = 0; i < nrules; i++) {
        const struct rule *r = &rules[i];
        MMDB_entry_data_s v;
        int st;

        if (!(db->kind->fields & target_field(r->target)) || !wanted(r, out) ||
            (had_as && target_field(r->target) == CM_GEO_F_ASN)) {
            continue;
        }
        st = MMDB_aget_value(entry, &v, r->path);
        if (st != MMDB_SUCCESS) {
            /* A path the record does not have is just absent; anything else is damage. */
            ok = ok && (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
                        st == MMDB_INVALID_LOOKUP_PATH_ERROR);
            continue;
        }
        if (v.has_data) {
            apply(r, &v, out, &loc);
        }
    }
    if (loc.has_lat && loc.has_lon && !out->has_location) {
        out->has_location = true;
        out->lat = loc.lat;
        out->lon = loc.lon;
    }
    return ok;
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int cm_geoip_lookup(const struct cm_geoip *g, const struct cm_ip *ip, struct cm_geo *out)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } addr;
    struct cm_ip q = *ip;
    bool found = false, corrupt = false;

    memset(out, 0, sizeof(*out));
    if (q.family == CM_IP_V6 && memcmp(q.a, v4_mapped, sizeof(v4_mapped)) == 0) {
        memmove(q.a, q.a + 12, 4);
        memset(q.a + 4, 0, 12);
        q.family = CM_IP_V4;
    }
    if (!cm_ip_is_public(&q)) {
        return CM_EINVAL;
    }
    if (g == NULL) {
        return CM_ENOTFOUND;
    }
    memset(&addr, 0, sizeof(addr));
    if (q.family == CM_IP_V4) {
        addr.in4.sin_family = AF_INET;
        memcpy(&addr.in4.sin_addr, q.a, 4);
    } else {
        addr.in6.sin6_family = AF_INET6;
        memcpy(&addr.in6.sin6_addr, q.a, 16);
    }
    for (size_t i = 0; i < g->n; i++) {
        const struct db *db = &g->dbs[i];
        int mmdb_error = MMDB_SUCCESS;
        MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&db->mmdb, &addr.sa, &mmdb_error);

        if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
            continue; /* an IPv4-only database knows no IPv6 address */
        }
        if (mmdb_error != MMDB_SUCCESS) {
            corrupt = true;
            continue;
        }
        if (!res.found_entry) {
            continue;
        }
        found = true;
        if (!read_record(db, &res.entry, out)) {
            corrupt = true;
        }
    }
    if (corrupt) {
        return CM_EFORMAT;
    }
    return found ? CM_OK : CM_ENOTFOUND;
}

/* Sets *dst from val when the finding has no value there yet. */
static int set_absent(struct cm_finding *f, struct cm_str *dst, const char *val)
{
    if (cm_str_present(*dst) || val[0] == '\0') {
        return CM_OK;
    }
    return cm_finding_setc(f, dst, val);
}

static int enrich_remote(const struct cm_geoip *g, struct cm_finding *f, struct cm_remote_ip *r)
{
    const struct cm_str texts[2] = {r->ipv4, r->ipv6};
    struct cm_geo geo;
    int rc = CM_ENOTFOUND;

    for (size_t i = 0; i < 2 && rc != CM_OK && rc != CM_EFORMAT; i++) {
        struct cm_ip ip;

        if (cm_str_present(texts[i]) && cm_ip_parse(texts[i], &ip) == 0) {
            rc = cm_geoip_lookup(g, &ip, &geo);
        }
    }
    if (rc != CM_OK && rc != CM_EFORMAT) {
        return CM_OK; /* nothing known: the finding stays as it is */
    }
    if ((rc = set_absent(f, &r->country_code, geo.country_code)) != 0 ||
        (rc = set_absent(f, &r->country_name, geo.country_name)) != 0 ||
        (rc = set_absent(f, &r->city, geo.city)) != 0 ||
        (rc = set_absent(f, &r->asn, geo.asn)) != 0 ||
        (rc = set_absent(f, &r->asn_org, geo.asn_org)) != 0 ||
        (rc = set_absent(f, &r->isp, geo.isp)) != 0 ||
        (rc = set_absent(f, &r->org, geo.org)) != 0) {
        return rc;
    }
    if (!r->has_geo && geo.has_location) {
        r->has_geo = true;
        r->lat = geo.lat;
        r->lon = geo.lon;
    }
    return CM_OK;
}

int cm_geoip_enrich(const struct cm_geoip *g, struct cm_finding *f)
{
    int rc;

    if (g == NULL) {
        return CM_OK;
    }
    if ((rc = enrich_remote(g, f, &f->api.remote_ip)) != 0 ||
        (rc = enrich_remote(g, f, &f->net.remote_ip)) != 0) {
        return rc;
    }
    for (uint32_t i = 0; f->probe.probes != NULL && i < f->probe.nprobes; i++) {
        if ((rc = enrich_remote(g, f, &f->probe.probes[i].remote_ip)) != 0) {
            return rc;
        }
    }
    return CM_OK;
}
