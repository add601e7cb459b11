/*
 * src/intel/geoip.c. Two sources of databases:
 *
 *  - MaxMind's published test databases in $SHARED/data/maxmind-test-data
 *    (SHARED defaults to ../shared; tests skip when it is absent). Expected values come from the
 * source JSON they were built from (source-data/GeoIP2-City-Test.json, GeoLite2-ASN-Test.json,
 * GeoIP2-ISP-Test.json, GeoIP2-Enterprise-Test.json).
 *  - Small MMDB files this test writes itself (mmdb_* below, a minimal MMDB
 *    2.0 writer: IPv4 tree, 24-bit records) for the schemas the shared data
 *    lacks: ipinfo (asn as "AS123", coordinates as strings, "country" as a
 *    code or a name), DB-IP, bad values, long UTF-8 names, IPv4-only trees.
 *
 * Each test asserts exact values, that unknown and private addresses give
 * nothing, the merge order, the errors for bad files (naming the file), and
 * that cm_geoip_enrich() fills findings whose JSON then carries GuardDuty's
 * remoteIpDetails members (and leaves out what is unknown).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/finding/finding_util.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/ip.h"
#include "base/json.h"
#include "intel/geoip.h"

/* Paths into $SHARED/data/maxmind-test-data/test-data (SHARED defaults to ../shared). */
static struct {
    char dir[512];
    char city[600], asn[600], isp[600], enterprise[600], country[600];
    char conn_type[600], test24[600], bad_nodes[600], bad_double[600];
} P;

static void set_paths(void)
{
    const char *s = getenv("SHARED");

    snprintf(P.dir, sizeof(P.dir), "%s/data/maxmind-test-data/test-data",
             s != NULL && *s ? s : "../shared");
#define SETP(field, name) snprintf(P.field, sizeof(P.field), "%s/%s", P.dir, name)
    SETP(city, "GeoIP2-City-Test.mmdb");
    SETP(asn, "GeoLite2-ASN-Test.mmdb");
    SETP(isp, "GeoIP2-ISP-Test.mmdb");
    SETP(enterprise, "GeoIP2-Enterprise-Test.mmdb");
    SETP(country, "GeoIP2-Country-Test.mmdb");
    SETP(conn_type, "GeoIP2-Connection-Type-Test.mmdb");
    SETP(test24, "MaxMind-DB-test-ipv4-24.mmdb");
    SETP(bad_nodes, "GeoIP2-City-Test-Invalid-Node-Count.mmdb");
    SETP(bad_double, "GeoIP2-City-Test-Broken-Double-Format.mmdb");
#undef SETP
}

static bool have_data(void)
{
    return access(P.city, R_OK) == 0 && access(P.asn, R_OK) == 0 && access(P.isp, R_OK) == 0;
}

#define NEED_DATA()                                                                                \
    do {                                                                                           \
        if (!have_data()) {                                                                        \
            print_message("skipped: %s not found\n", P.dir);                                       \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static struct cm_ip ip_of(const char *s)
{
    struct cm_ip ip;
    assert_int_equal(cm_ip_parse(cm_str_cstr(s), &ip), 0);
    return ip;
}

static struct cm_geoip *open_dbs(const char *const *paths, size_t n)
{
    struct cm_geoip *g = NULL;
    char err[512] = "";
    int rc = cm_geoip_open(&g, paths, n, err, sizeof(err));

    if (rc != 0) {
        fail_msg("open: %d %s", rc, err);
    }
    assert_non_null(g);
    return g;
}

static struct cm_geoip *open_std(void)
{
    const char *p[] = {P.city, P.asn, P.isp};
    return open_dbs(p, 3);
}

/* Expected values; NULL or "" for empty, lat/lon NAN when no location. */
struct want {
    const char *ip;
    const char *cc, *cname, *city;
    double lat, lon;
    const char *asn, *asn_org, *isp, *org;
};

static void check_geo(const struct cm_geo *g, const struct want *w)
{
    static const char *const none = "";
#define EQ(field, val) assert_string_equal(g->field, (val) ? (val) : none)
    EQ(country_code, w->cc);
    EQ(country_name, w->cname);
    EQ(city, w->city);
    EQ(asn, w->asn);
    EQ(asn_org, w->asn_org);
    EQ(isp, w->isp);
    EQ(org, w->org);
#undef EQ
    if (isnan(w->lat)) {
        assert_false(g->has_location);
    } else {
        assert_true(g->has_location);
        assert_true(fabs(g->lat - w->lat) < 1e-9);
        assert_true(fabs(g->lon - w->lon) < 1e-9);
    }
}

static void expect_lookup(const struct cm_geoip *g, const struct want *w, int want_rc)
{
    struct cm_ip ip = ip_of(w->ip);
    struct cm_geo geo;

    memset(&geo, 0x5a, sizeof(geo)); /* must be cleared */
    assert_int_equal(cm_geoip_lookup(g, &ip, &geo), want_rc);
    check_geo(&geo, w);
}

/* ---- MaxMind's test databases ---- */

static void test_known_addresses(void **state)
{
    static const struct want w[] = {
        /* City ::81.2.69.160/123; not in the ASN test DB; ISP ::81.2.69.160/125. */
        {"81.2.69.160", "GB", "United Kingdom", "London", 51.5142, -0.0931, NULL, NULL,
         "Andrews & Arnold Ltd", "STONEHOUSE office network"},
        /* City ::89.160.20.112/124; ASN 89.160.20.112/29; ISP ::89.160.20.112/125. */
        {"89.160.20.112", "SE", "Sweden", "Link\xc3\xb6ping", 58.4167, 15.6167, "29518",
         "Bredband2 AB", "Bredband2 AB", "Bevtec"},
        /* City ::216.160.83.56/125; ASN 216.160.83.56/29 (no organization); ISP /125. */
        {"216.160.83.56", "US", "United States", "Milton", 47.2513, -122.3149, "209", NULL,
         "Century Link", "Lariat Software"},
        {"175.16.199.1", "CN", "China", "Changchun", 43.88, 125.3228, NULL, NULL, NULL, NULL},
        /* City 2001:218::/32 (country only, no city); no ASN or ISP entry. */
        {"2001:218::1", "JP", "Japan", NULL, 35.68536, 139.75309, NULL, NULL, NULL, NULL},
        /* ASN 1.128.0.0/11 and ISP ::1.128.0.0/107 only. */
        {"1.128.0.1", NULL, NULL, NULL, NAN, NAN, "1221", "Telstra Pty Ltd", "Telstra Internet",
         "Telstra Internet"},
        /* IPv4-mapped IPv6 is looked up as IPv4. */
        {"::ffff:89.160.20.112", "SE", "Sweden", "Link\xc3\xb6ping", 58.4167, 15.6167, "29518",
         "Bredband2 AB", "Bredband2 AB", "Bevtec"},
    };
    struct cm_geoip *g;

    (void)state;
    NEED_DATA();
    g = open_std();
    assert_int_equal(cm_geoip_count(g), 3);
    assert_string_equal(cm_geoip_type(g, 0), "GeoIP2-City");
    assert_string_equal(cm_geoip_type(g, 1), "GeoLite2-ASN");
    assert_string_equal(cm_geoip_type(g, 2), "GeoIP2-ISP");
    assert_int_equal(cm_geoip_fields(g, 0), CM_GEO_F_COUNTRY | CM_GEO_F_CITY | CM_GEO_F_LOCATION);
    assert_int_equal(cm_geoip_fields(g, 1), CM_GEO_F_ASN);
    assert_int_equal(cm_geoip_fields(g, 2), CM_GEO_F_ASN | CM_GEO_F_ISP | CM_GEO_F_ORG);
    assert_null(cm_geoip_type(g, 3));
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        expect_lookup(g, &w[i], 0);
    }
    cm_geoip_close(g);
}

static void test_unknown_and_private(void **state)
{
    static const char *const unknown[] = {"45.1.2.3", "9.9.9.9", "203.0.114.9", "2a03::1"};
    static const char *const priv[] = {
        "10.0.0.1",    "192.168.1.1", "172.16.5.4", "127.0.0.1",  "100.64.0.1",
        "169.254.1.1", "224.0.0.1",   "0.0.0.0",    "198.18.0.7", "255.255.255.255",
        "::1",         "fe80::1",     "fc00::1",    "3fff::1",    "::ffff:10.0.0.1",
    };
    struct cm_geoip *g;

    (void)state;
    NEED_DATA();
    g = open_std();
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        struct want w = {unknown[i], NULL, NULL, NULL, NAN, NAN, NULL, NULL, NULL, NULL};
        expect_lookup(g, &w, CM_ENOTFOUND);
    }
    /* Private and reserved addresses are refused before any database is asked. */
    for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
        struct want w = {priv[i], NULL, NULL, NULL, NAN, NAN, NULL, NULL, NULL, NULL};
        expect_lookup(g, &w, CM_EINVAL);
    }
    {
        struct cm_ip none;
        struct cm_geo geo;

        memset(&none, 0, sizeof(none));
        assert_int_equal(cm_geoip_lookup(g, &none, &geo), CM_EINVAL);
    }
    cm_geoip_close(g);
    /* No databases: nothing known, private still refused. */
    {
        struct want pub = {"89.160.20.112", NULL, NULL, NULL, NAN, NAN, NULL, NULL, NULL, NULL};
        struct want prv = {"10.1.1.1", NULL, NULL, NULL, NAN, NAN, NULL, NULL, NULL, NULL};
        expect_lookup(NULL, &pub, CM_ENOTFOUND);
        expect_lookup(NULL, &prv, CM_EINVAL);
    }
}

static void test_merge_order(void **state)
{
    /* 23.32.32.1: ASN says AS35994 Akamai; ISP says AS262589 INTERNEXA (a /32 there). */
    const char *asn_isp[] = {P.asn, P.isp}, *isp_asn[] = {P.isp, P.asn};
    static const char internexa[] = "INTERNEXA Brasil Operadora de Telecomunica\xc3\xa7\xc3\xb5"
                                    "es S.A";
    struct want w = {"23.32.32.1", NULL,     NULL,    NULL,
                     NAN,          NAN,      "35994", "Akamai Technologies, Inc.",
                     internexa,    internexa};
    struct cm_geoip *g;

    (void)state;
    NEED_DATA();
    g = open_dbs(asn_isp, 2);
    expect_lookup(g, &w, 0);
    cm_geoip_close(g);
    g = open_dbs(isp_asn, 2);
    w.asn = "262589";
    w.asn_org = internexa;
    expect_lookup(g, &w, 0);
    cm_geoip_close(g);

    /* One Enterprise database gives every field (traits.*). */
    {
        const char *ent[] = {P.enterprise};
        struct want e = {"89.160.20.112", "SE",    "Sweden",       "Link\xc3\xb6ping", 58.4167,
                         15.6167,         "29518", "Bredband2 AB", "Bredband2 AB",     "Bevtec"};

        if (access(ent[0], R_OK) != 0) {
            return;
        }
        g = open_dbs(ent, 1);
        assert_int_equal(cm_geoip_fields(g, 0), 0x3f);
        expect_lookup(g, &e, 0);
        cm_geoip_close(g);
    }
    /* A Country database gives the country and nothing else. */
    {
        const char *cty[] = {P.country, P.asn};
        struct want c = {"89.160.20.112", "SE",           "Sweden", NULL, NAN, NAN,
                         "29518",         "Bredband2 AB", NULL,     NULL};

        g = open_dbs(cty, 2);
        expect_lookup(g, &c, 0);
        cm_geoip_close(g);
    }
}

static void expect_open_error(const char *const *paths, size_t n, int want_rc, const char *name,
                              const char *reason)
{
    struct cm_geoip *g = NULL;
    char err[512] = "";

    assert_int_equal(cm_geoip_open(&g, paths, n, err, sizeof(err)), want_rc);
    assert_null(g);
    if (name != NULL && strstr(err, name) == NULL) {
        fail_msg("error '%s' does not name '%s'", err, name);
    }
    if (reason != NULL && strstr(err, reason) == NULL) {
        fail_msg("error '%s' lacks '%s'", err, reason);
    }
}

static void test_bad_files(void **state)
{
    char dir[] = "/tmp/cm_geoip_XXXXXX", text[64], empty[64];
    const char *p[3];
    FILE *fp;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(text, sizeof(text), "%s/list.txt", dir);
    snprintf(empty, sizeof(empty), "%s/empty.mmdb", dir);
    assert_non_null(fp = fopen(text, "w"));
    fputs("81.2.69.160 London\n", fp);
    fclose(fp);
    assert_non_null(fp = fopen(empty, "w"));
    fclose(fp);

    p[0] = "/nonexistent/GeoLite2-City.mmdb";
    expect_open_error(p, 1, CM_EIO, p[0], "No such file or directory");
    p[0] = text;
    expect_open_error(p, 1, CM_EFORMAT, text, "invalid metadata");
    p[0] = empty;
    expect_open_error(p, 1, CM_EIO, empty, NULL);
    p[0] = dir;
    expect_open_error(p, 1, CM_EIO, dir, NULL);
    expect_open_error(p, 0, CM_EINVAL, NULL, NULL);
    {
        const char *many[CM_GEOIP_MAX_DBS + 1];
        for (size_t i = 0; i <= CM_GEOIP_MAX_DBS; i++) {
            many[i] = text;
        }
        expect_open_error(many, CM_GEOIP_MAX_DBS + 1, CM_EINVAL, NULL, NULL);
    }
    if (have_data()) {
        /* A bad file after good ones: the error names it and nothing leaks. */
        p[0] = P.city;
        p[1] = P.asn;
        p[2] = text;
        expect_open_error(p, 3, CM_EFORMAT, text, NULL);
        /* An MMDB of a type with none of our fields. */
        p[0] = P.conn_type;
        expect_open_error(p, 1, CM_EFORMAT, p[0], "'GeoIP2-Connection-Type'");
        p[0] = P.test24;
        expect_open_error(p, 1, CM_EFORMAT, p[0], "'Test'");
        /* Broken metadata. */
        p[0] = P.bad_nodes;
        expect_open_error(p, 1, CM_EFORMAT, p[0], "invalid metadata");
    }
    unlink(text);
    unlink(empty);
    rmdir(dir);
}

static void test_corrupt_record(void **state)
{
    /* Its location.latitude/longitude are stored in a broken double format. */
    const char *p[] = {P.bad_double};
    struct want w = {"81.2.69.160", "GB", "United Kingdom", "London", NAN, NAN, NULL, NULL,
                     NULL,          NULL};
    struct cm_geoip *g;

    (void)state;
    NEED_DATA();
    g = open_dbs(p, 1);
    expect_lookup(g, &w, CM_EFORMAT);
    cm_geoip_close(g);
}

/* ---- enrichment of findings ---- */

static uint32_t jpath(const struct cm_json_doc *d, const char *path)
{
    return cm_json_path(d, 0, path);
}

static void expect_jstr(const struct cm_json_doc *d, const char *path, const char *want)
{
    uint32_t n = jpath(d, path);

    if (want == NULL) {
        if (n != CM_JSON_NONE) {
            fail_msg("%s: present, want absent", path);
        }
        return;
    }
    if (n == CM_JSON_NONE || cm_json_type(d, n) != CM_JSON_STRING) {
        fail_msg("%s: absent or not a string, want '%s'", path, want);
    }
    if (!cm_str_eqc(cm_json_raw(d, n), want)) {
        struct cm_str s = cm_json_raw(d, n);
        fail_msg("%s: '%.*s', want '%s'", path, (int)s.len, s.p, want);
    }
}

static void expect_jnum(const struct cm_json_doc *d, const char *path, double want)
{
    uint32_t n = jpath(d, path);
    double v;

    if (n == CM_JSON_NONE || cm_json_type(d, n) != CM_JSON_NUMBER) {
        fail_msg("%s: absent or not a number", path);
    }
    assert_int_equal(cm_json_f64(d, n, &v), 0);
    assert_true(fabs(v - want) < 1e-9);
}

/* Serialises f (API form) and parses the JSON into d (whose source is buf). */
static void to_doc(const struct cm_finding *f, struct cm_buf *buf, struct cm_json_doc *d)
{
    cm_buf_init(buf, 0);
    assert_int_equal(cm_finding_to_json(f, CM_FORM_API, buf), 0);
    cm_json_doc_init(d, 0, 0);
    assert_int_equal(cm_json_parse(d, buf->p, buf->len, NULL), 0);
}

static void free_doc(struct cm_buf *buf, struct cm_json_doc *d)
{
    cm_json_doc_finish(d);
    cm_buf_finish(buf);
}

#define API "service.action.awsApiCallAction.remoteIpDetails."
#define NET "service.action.networkConnectionAction.remoteIpDetails."

static void test_enrich_api_call(void **state)
{
    struct t_events e;
    struct cm_finding f, back;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;
    struct cm_geoip *g;
    struct cm_buf buf;
    struct cm_json_doc doc;

    (void)state;
    NEED_DATA();
    g = open_std();
    t_events_init(&e);
    e.ct.u.ct.source_ip_address = CM_STR_LIT("89.160.20.112");
    t_ip(&e.ct.u.ct.source_ip, "89.160.20.112");
    d = t_detection("UnauthorizedAccess:IAMUser/TorIPCaller", &e.ct);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.api.remote_ip.ipv4, "89.160.20.112"));
    /* Before: nothing invented. */
    to_doc(&f, &buf, &doc);
    expect_jstr(&doc, API "ipAddressV4", "89.160.20.112");
    assert_int_equal(jpath(&doc, API "organization"), CM_JSON_NONE);
    assert_int_equal(jpath(&doc, API "country"), CM_JSON_NONE);
    assert_int_equal(jpath(&doc, API "city"), CM_JSON_NONE);
    assert_int_equal(jpath(&doc, API "geoLocation"), CM_JSON_NONE);
    free_doc(&buf, &doc);

    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    assert_true(cm_str_eqc(f.api.remote_ip.country_code, "SE"));
    assert_true(f.api.remote_ip.has_geo);
    to_doc(&f, &buf, &doc);
    expect_jstr(&doc, API "ipAddressV4", "89.160.20.112");
    expect_jstr(&doc, API "country.countryCode", "SE");
    expect_jstr(&doc, API "country.countryName", "Sweden");
    expect_jstr(&doc, API "city.cityName", "Link\xc3\xb6ping");
    expect_jnum(&doc, API "geoLocation.lat", 58.4167);
    expect_jnum(&doc, API "geoLocation.lon", 15.6167);
    expect_jstr(&doc, API "organization.asn", "29518");
    expect_jstr(&doc, API "organization.asnOrg", "Bredband2 AB");
    expect_jstr(&doc, API "organization.isp", "Bredband2 AB");
    expect_jstr(&doc, API "organization.org", "Bevtec");
    /* The JSON reads back into the same values. */
    cm_finding_init(&back);
    assert_int_equal(cm_finding_from_json(&back, buf.p, buf.len, NULL), 0);
    assert_true(cm_str_eqc(back.api.remote_ip.city, "Link\xc3\xb6ping"));
    assert_true(cm_str_eqc(back.api.remote_ip.asn, "29518"));
    assert_true(back.api.remote_ip.has_geo && back.api.remote_ip.lat == 58.4167);
    cm_finding_finish(&back);
    free_doc(&buf, &doc);

    /* Enriching twice changes nothing. */
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    assert_true(cm_str_eqc(f.api.remote_ip.org, "Bevtec"));
    cm_finding_finish(&f);

    /* A documentation address (the helper's default) is not looked up. */
    t_events_finish(&e);
    t_events_init(&e);
    d = t_detection("UnauthorizedAccess:IAMUser/TorIPCaller", &e.ct);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    assert_false(cm_str_present(f.api.remote_ip.country_code));
    assert_false(f.api.remote_ip.has_geo);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_geoip_close(g);
}

static void test_enrich_flow_and_probes(void **state)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;
    struct cm_geoip *g;
    struct cm_buf buf;
    struct cm_json_doc doc;
    struct cm_probe p;

    (void)state;
    NEED_DATA();
    g = open_std();
    t_events_init(&e);
    t_ip(&e.flow.u.flow.src, "81.2.69.160");
    d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.net.remote_ip.ipv4, "81.2.69.160"));
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    to_doc(&f, &buf, &doc);
    expect_jstr(&doc, NET "country.countryCode", "GB");
    expect_jstr(&doc, NET "country.countryName", "United Kingdom");
    expect_jstr(&doc, NET "city.cityName", "London");
    expect_jnum(&doc, NET "geoLocation.lat", 51.5142);
    expect_jnum(&doc, NET "geoLocation.lon", -0.0931);
    /* No ASN database knows 81.2.69.160: asn and asnOrg are left out, not "-1". */
    expect_jstr(&doc, NET "organization.asn", NULL);
    expect_jstr(&doc, NET "organization.asnOrg", NULL);
    expect_jstr(&doc, NET "organization.isp", "Andrews & Arnold Ltd");
    expect_jstr(&doc, NET "organization.org", "STONEHOUSE office network");
    free_doc(&buf, &doc);
    cm_finding_finish(&f);

    /* Port probes: every portProbeDetails entry is enriched on its own. */
    t_ip(&e.flow.u.flow.src, "216.160.83.56");
    d = t_detection("Recon:EC2/PortProbeUnprotectedPort", &e.flow);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_int_equal(f.probe.nprobes, 1);
    memset(&p, 0, sizeof(p));
    p.local_port.port = 3389;
    p.remote_ip.ipv6 = CM_STR_LIT("2001:218::99");
    assert_int_equal(cm_finding_add_probe(&f, &p), 0);
    p.remote_ip.ipv6 = CM_STR_NULL;
    p.remote_ip.ipv4 = CM_STR_LIT("192.168.7.7");
    assert_int_equal(cm_finding_add_probe(&f, &p), 0);
    p.remote_ip.ipv4 = CM_STR_LIT("not-an-ip");
    assert_int_equal(cm_finding_add_probe(&f, &p), 0);
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    to_doc(&f, &buf, &doc);
    {
        uint32_t arr = jpath(&doc, "service.action.portProbeAction.portProbeDetails");
        uint32_t p0 = cm_json_index(&doc, arr, 0), p1 = cm_json_index(&doc, arr, 1);
        uint32_t p2 = cm_json_index(&doc, arr, 2), p3 = cm_json_index(&doc, arr, 3);

        assert_int_equal(cm_json_type(&doc, arr), CM_JSON_ARRAY);
        assert_true(cm_str_eqc(
            cm_json_raw(&doc, cm_json_path(&doc, p0, "remoteIpDetails.city.cityName")), "Milton"));
        assert_true(cm_str_eqc(
            cm_json_raw(&doc, cm_json_path(&doc, p0, "remoteIpDetails.organization.asn")), "209"));
        assert_true(cm_str_eqc(
            cm_json_raw(&doc, cm_json_path(&doc, p0, "remoteIpDetails.organization.isp")),
            "Century Link"));
        assert_true(cm_str_eqc(
            cm_json_raw(&doc, cm_json_path(&doc, p1, "remoteIpDetails.country.countryName")),
            "Japan"));
        assert_int_equal(cm_json_path(&doc, p1, "remoteIpDetails.city"), CM_JSON_NONE);
        assert_int_equal(cm_json_path(&doc, p1, "remoteIpDetails.organization"), CM_JSON_NONE);
        /* Private and unparseable: only the address. */
        assert_int_equal(cm_json_path(&doc, p2, "remoteIpDetails.country"), CM_JSON_NONE);
        assert_int_equal(cm_json_path(&doc, p2, "remoteIpDetails.geoLocation"), CM_JSON_NONE);
        assert_true(
            cm_str_eqc(cm_json_raw(&doc, cm_json_path(&doc, p2, "remoteIpDetails.ipAddressV4")),
                       "192.168.7.7"));
        assert_int_equal(cm_json_path(&doc, p3, "remoteIpDetails.country"), CM_JSON_NONE);
    }
    free_doc(&buf, &doc);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_geoip_close(g);
}

static void test_enrich_by_hand(void **state)
{
    struct cm_finding f;
    struct cm_geoip *g;
    struct cm_buf buf;
    struct cm_json_doc doc;

    (void)state;
    NEED_DATA();
    g = open_std();
    /* A finding made by hand, with geo data of its own that must survive. */
    cm_finding_init(&f);
    f.action_type = CM_ACT_NETWORK_CONNECTION;
    assert_int_equal(cm_finding_setc(&f, &f.account_id, T_ACCOUNT), 0);
    assert_int_equal(cm_finding_setc(&f, &f.region, T_REGION), 0);
    assert_int_equal(cm_finding_setc(&f, &f.type, "UnauthorizedAccess:EC2/TorClient"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.net.remote_ip.ipv6, "2001:218::1"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.net.remote_ip.country_name, "Nippon"), 0);
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    assert_true(cm_str_eqc(f.net.remote_ip.country_name, "Nippon"));
    assert_true(cm_str_eqc(f.net.remote_ip.country_code, "JP"));
    assert_true(f.net.remote_ip.has_geo);
    assert_true(f.net.remote_ip.lat == 35.68536 && f.net.remote_ip.lon == 139.75309);
    assert_false(cm_str_present(f.net.remote_ip.city));
    /* The API call's remote IP is absent: nothing appears there. */
    assert_false(cm_str_present(f.api.remote_ip.country_code));
    to_doc(&f, &buf, &doc);
    expect_jstr(&doc, NET "ipAddressV6", "2001:218::1");
    expect_jstr(&doc, NET "country.countryCode", "JP");
    expect_jstr(&doc, NET "country.countryName", "Nippon");
    expect_jnum(&doc, NET "geoLocation.lat", 35.68536);
    free_doc(&buf, &doc);
    cm_finding_finish(&f);

    /* Unknown to every database: the finding is unchanged. */
    cm_finding_init(&f);
    assert_int_equal(cm_finding_setc(&f, &f.net.remote_ip.ipv4, "45.1.2.3"), 0);
    assert_int_equal(cm_geoip_enrich(g, &f), 0);
    assert_false(cm_str_present(f.net.remote_ip.country_code));
    assert_false(cm_str_present(f.net.remote_ip.asn));
    assert_false(f.net.remote_ip.has_geo);
    /* Without databases: a no-op. */
    assert_int_equal(cm_finding_setc(&f, &f.api.remote_ip.ipv4, "89.160.20.112"), 0);
    assert_int_equal(cm_geoip_enrich(NULL, &f), 0);
    assert_false(cm_str_present(f.api.remote_ip.country_code));
    cm_finding_finish(&f);
    cm_geoip_close(g);
}

/* ---- concurrent lookups on one handle ---- */

#define NTHREADS 4

static void *lookup_loop(void *arg)
{
    const struct cm_geoip *g = arg;
    struct cm_ip a = ip_of("89.160.20.112"), b = ip_of("2001:218::1");
    long bad = 0;

    for (int i = 0; i < 2000; i++) {
        struct cm_geo geo;

        bad += cm_geoip_lookup(g, (i & 1) ? &a : &b, &geo) != 0;
        bad += strcmp(geo.country_code, (i & 1) ? "SE" : "JP") != 0;
        bad += (i & 1) && strcmp(geo.org, "Bevtec") != 0;
    }
    return (void *)(intptr_t)bad;
}

static void test_threads(void **state)
{
    pthread_t t[NTHREADS];
    struct cm_geoip *g;

    (void)state;
    NEED_DATA();
    g = open_std();
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, lookup_loop, g), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        void *bad;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_int_equal((intptr_t)bad, 0);
    }
    cm_geoip_close(g);
}

/* ---- hand-made MMDB files ---- */

struct mw {
    uint8_t *p;
    size_t len, cap;
};

static void mw_put(struct mw *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void mw_byte(struct mw *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    mw_put(b, &c, 1);
}

/* Control byte(s) of a field of MMDB type t (1-15) and size n. */
static void mw_ctrl(struct mw *b, unsigned t, size_t n)
{
    unsigned first = t <= 7 ? t << 5 : 0;

    if (n < 29) {
        mw_byte(b, first | (unsigned)n);
    } else {
        assert_true(n < 29 + 256);
        mw_byte(b, first | 29);
    }
    if (t > 7) {
        mw_byte(b, t - 7);
    }
    if (n >= 29) {
        mw_byte(b, (unsigned)(n - 29));
    }
}

static void mw_str(struct mw *b, const char *s)
{
    mw_ctrl(b, 2, strlen(s));
    mw_put(b, s, strlen(s));
}

/* Unsigned integer of type t (5 uint16, 6 uint32, 9 uint64) in as few bytes as it needs. */
static void mw_uint(struct mw *b, unsigned t, uint64_t v)
{
    size_t n = 0;

    for (uint64_t x = v; x != 0; x >>= 8) {
        n++;
    }
    mw_ctrl(b, t, n);
    for (size_t i = n; i > 0; i--) {
        mw_byte(b, (unsigned)(v >> (8 * (i - 1))));
    }
}

static void mw_double(struct mw *b, double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    mw_ctrl(b, 3, 8);
    for (int i = 7; i >= 0; i--) {
        mw_byte(b, (unsigned)(u >> (8 * i)));
    }
}

static void mw_map(struct mw *b, size_t pairs)
{
    mw_ctrl(b, 7, pairs);
}

/* "key": "value" pairs. */
static void mw_kv(struct mw *b, const char *k, const char *v)
{
    mw_str(b, k);
    mw_str(b, v);
}

#define MAXNODES 256
#define EMPTYREC 0xffffffffu
#define DATAREC  0x80000000u

/* An IPv4-only MMDB: networks (a.b.c.d/len) -> records written by the caller. */
struct mmdb {
    uint32_t node[MAXNODES][2];
    size_t nnodes;
    struct mw data;
};

static void mmdb_init(struct mmdb *m)
{
    memset(m, 0, sizeof(*m));
    m->nnodes = 1;
    m->node[0][0] = m->node[0][1] = EMPTYREC;
}

/* Inserts net/len pointing at the data written next (call, then write one value). */
static void mmdb_net(struct mmdb *m, const char *net, unsigned len)
{
    struct cm_ip ip = ip_of(net);
    uint32_t a = cm_ip_v4(&ip), cur = 0;

    for (unsigned d = 0; d < len; d++) {
        unsigned bit = (a >> (31 - d)) & 1;

        if (d + 1 == len) {
            m->node[cur][bit] = DATAREC | (uint32_t)m->data.len;
            return;
        }
        if (m->node[cur][bit] == EMPTYREC) {
            assert_true(m->nnodes < MAXNODES);
            m->node[m->nnodes][0] = m->node[m->nnodes][1] = EMPTYREC;
            m->node[cur][bit] = (uint32_t)m->nnodes++;
        }
        cur = m->node[cur][bit];
        assert_true(cur < DATAREC);
    }
}

/* Writes the file: tree (24-bit records), 16 zero bytes, data, metadata. */
static void mmdb_write(struct mmdb *m, const char *path, const char *type)
{
    static const uint8_t marker[] = "\xab\xcd\xefMaxMind.com";
    struct mw out = {NULL, 0, 0};
    uint32_t n = (uint32_t)m->nnodes;
    uint8_t zero[16] = {0};
    FILE *fp;

    for (size_t i = 0; i < m->nnodes; i++) {
        for (int s = 0; s < 2; s++) {
            uint32_t r = m->node[i][s];
            uint32_t v = r == EMPTYREC ? n : (r & DATAREC) ? n + 16 + (r & ~DATAREC) : r;

            mw_byte(&out, v >> 16);
            mw_byte(&out, v >> 8);
            mw_byte(&out, v);
        }
    }
    mw_put(&out, zero, 16);
    mw_put(&out, m->data.p, m->data.len);
    mw_put(&out, marker, sizeof(marker) - 1);
    mw_map(&out, 9);
    mw_str(&out, "binary_format_major_version");
    mw_uint(&out, 5, 2);
    mw_str(&out, "binary_format_minor_version");
    mw_uint(&out, 5, 0);
    mw_str(&out, "build_epoch");
    mw_uint(&out, 9, 1741082400);
    mw_str(&out, "database_type");
    mw_str(&out, type);
    mw_str(&out, "description");
    mw_map(&out, 1);
    mw_kv(&out, "en", "coalmine unit test database");
    mw_str(&out, "ip_version");
    mw_uint(&out, 5, 4);
    mw_str(&out, "languages");
    mw_ctrl(&out, 11, 1);
    mw_str(&out, "en");
    mw_str(&out, "node_count");
    mw_uint(&out, 6, n);
    mw_str(&out, "record_size");
    mw_uint(&out, 5, 24);
    assert_non_null(fp = fopen(path, "wb"));
    assert_int_equal(fwrite(out.p, 1, out.len, fp), out.len);
    fclose(fp);
    free(out.p);
    free(m->data.p);
}

struct tmpdbs {
    char dir[32];
    char ipinfo[64], dbip_asn[64], dbip_city[64], odd[64];
};

/*
 * ipinfo: 89.160.20.0/24 in the country_asn shape, 81.2.69.0/24 in the lite
 * shape with a location, 1.2.3.0/24 with values to refuse or cut.
 * DB-IP ASN: 81.2.69.0/24, and 89.160.20.0/24 with a number but no name.
 * DB-IP City: 89.160.20.0/24. odd: an unknown type.
 */
static void make_dbs(struct tmpdbs *t)
{
    struct mmdb m;
    char longname[300];

    strcpy(t->dir, "/tmp/cm_mmdb_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->ipinfo, sizeof(t->ipinfo), "%s/ipinfo.mmdb", t->dir);
    snprintf(t->dbip_asn, sizeof(t->dbip_asn), "%s/dbip-asn.mmdb", t->dir);
    snprintf(t->dbip_city, sizeof(t->dbip_city), "%s/dbip-city.mmdb", t->dir);
    snprintf(t->odd, sizeof(t->odd), "%s/odd.mmdb", t->dir);

    mmdb_init(&m);
    mmdb_net(&m, "89.160.20.0", 24);
    mw_map(&m.data, 6);
    mw_kv(&m.data, "country", "SE");
    mw_kv(&m.data, "country_name", "Sweden");
    mw_kv(&m.data, "continent", "EU");
    mw_kv(&m.data, "asn", "AS29518");
    mw_kv(&m.data, "as_name", "Bredband2 AB");
    mw_kv(&m.data, "as_domain", "bredband2.com");
    mmdb_net(&m, "81.2.69.0", 24);
    mw_map(&m.data, 7);
    mw_kv(&m.data, "country", "United Kingdom");
    mw_kv(&m.data, "country_code", "GB");
    mw_kv(&m.data, "asn", "AS20712");
    mw_kv(&m.data, "as_name", "Andrews & Arnold Ltd");
    mw_kv(&m.data, "city", "London");
    mw_kv(&m.data, "lat", "51.5142");
    mw_kv(&m.data, "lng", "-0.0931");
    mmdb_net(&m, "1.2.3.0", 24);
    /* 140 x "é" (280 bytes): longer than country_name, cut between characters. */
    for (int i = 0; i < 140; i++) {
        longname[2 * i] = (char)0xc3;
        longname[2 * i + 1] = (char)0xa9;
    }
    longname[280] = '\0';
    mw_map(&m.data, 5);
    mw_kv(&m.data, "country_name", longname);
    mw_kv(&m.data, "asn", "ASxyz");
    mw_kv(&m.data, "latitude", "91.5"); /* out of range: no location */
    mw_kv(&m.data, "longitude", "10");
    mw_str(&m.data, "city");
    mw_uint(&m.data, 6, 42); /* not a string: ignored */
    mmdb_write(&m, t->ipinfo, "ipinfo country_asn.mmdb");

    mmdb_init(&m);
    mmdb_net(&m, "81.2.69.0", 24);
    mw_map(&m.data, 2);
    mw_str(&m.data, "autonomous_system_number");
    mw_uint(&m.data, 6, 4242);
    mw_kv(&m.data, "autonomous_system_organization", "Example Networks");
    mmdb_net(&m, "89.160.20.0", 24);
    mw_map(&m.data, 1);
    mw_str(&m.data, "autonomous_system_number");
    mw_uint(&m.data, 6, 64500); /* a number without a name */
    mmdb_write(&m, t->dbip_asn, "DBIP-ASN-Lite (compat=GeoLite2-ASN)");

    mmdb_init(&m);
    mmdb_net(&m, "89.160.20.0", 24);
    mw_map(&m.data, 3);
    mw_str(&m.data, "city");
    mw_map(&m.data, 1);
    mw_str(&m.data, "names");
    mw_map(&m.data, 1);
    mw_kv(&m.data, "en", "Link\xc3\xb6ping");
    mw_str(&m.data, "country");
    mw_map(&m.data, 2);
    mw_kv(&m.data, "iso_code", "SE");
    mw_str(&m.data, "names");
    mw_map(&m.data, 1);
    mw_kv(&m.data, "en", "Sweden");
    mw_str(&m.data, "location");
    mw_map(&m.data, 2);
    mw_str(&m.data, "latitude");
    mw_double(&m.data, 58.4167);
    mw_str(&m.data, "longitude");
    mw_double(&m.data, 15.6167);
    mmdb_write(&m, t->dbip_city, "DBIP-City-Lite");

    mmdb_init(&m);
    mmdb_net(&m, "81.2.69.0", 24);
    mw_map(&m.data, 1);
    mw_kv(&m.data, "isp", "Somebody");
    mmdb_write(&m, t->odd, "Example-Proxy-Detection");
}

static void drop_dbs(struct tmpdbs *t)
{
    unlink(t->ipinfo);
    unlink(t->dbip_asn);
    unlink(t->dbip_city);
    unlink(t->odd);
    rmdir(t->dir);
}

static void test_handmade_schemas(void **state)
{
    struct tmpdbs t;
    struct cm_geoip *g;
    struct cm_ip ip;
    struct cm_geo geo;
    const char *p[3];

    (void)state;
    make_dbs(&t);
    p[0] = t.ipinfo;
    p[1] = t.dbip_asn;
    p[2] = t.dbip_city;
    g = open_dbs(p, 3);
    assert_string_equal(cm_geoip_type(g, 0), "ipinfo country_asn.mmdb");
    assert_int_equal(cm_geoip_fields(g, 0), 0x3f);
    assert_int_equal(cm_geoip_fields(g, 1), CM_GEO_F_ASN);
    assert_int_equal(cm_geoip_fields(g, 2), CM_GEO_F_COUNTRY | CM_GEO_F_CITY | CM_GEO_F_LOCATION);
    {
        /* ipinfo country_asn shape; the city and location come from DB-IP City. */
        struct want w = {"89.160.20.7", "SE",    "Sweden", "Link\xc3\xb6ping",
                         58.4167,       15.6167, "29518",  "Bredband2 AB",
                         NULL,          NULL};
        expect_lookup(g, &w, 0);
    }
    {
        /* ipinfo lite shape: "country" is the name; string coordinates; ipinfo's ASN first. */
        struct want w = {"81.2.69.200", "GB",    "United Kingdom",       "London", 51.5142,
                         -0.0931,       "20712", "Andrews & Arnold Ltd", NULL,     NULL};
        expect_lookup(g, &w, 0);
    }
    /* Refused values: "ASxyz", latitude 91.5, a number for a city; a long name is cut. */
    ip = ip_of("1.2.3.4");
    assert_int_equal(cm_geoip_lookup(g, &ip, &geo), 0);
    assert_string_equal(geo.asn, "");
    assert_false(geo.has_location);
    assert_string_equal(geo.city, "");
    assert_int_equal(strlen(geo.country_name), sizeof(geo.country_name) - 2);
    assert_int_equal((unsigned char)geo.country_name[0], 0xc3);
    assert_int_equal((unsigned char)geo.country_name[sizeof(geo.country_name) - 3], 0xa9);
    /* IPv4-only trees know no IPv6 address. */
    ip = ip_of("2001:218::1");
    assert_int_equal(cm_geoip_lookup(g, &ip, &geo), CM_ENOTFOUND);
    ip = ip_of("89.160.21.1");
    assert_int_equal(cm_geoip_lookup(g, &ip, &geo), CM_ENOTFOUND);
    cm_geoip_close(g);

    /* DB-IP's ASN first: its number and name win over ipinfo's. */
    p[0] = t.dbip_asn;
    p[1] = t.ipinfo;
    g = open_dbs(p, 2);
    {
        struct want w = {"81.2.69.1", "GB",   "United Kingdom",   "London", 51.5142,
                         -0.0931,     "4242", "Example Networks", NULL,     NULL};
        expect_lookup(g, &w, 0);
    }
    {
        /* asn and asnOrg come as a pair: ipinfo's name is not put next to DB-IP's number. */
        struct want w = {"89.160.20.7", "SE", "Sweden", NULL, NAN, NAN, "64500", NULL, NULL, NULL};
        expect_lookup(g, &w, 0);
    }
    cm_geoip_close(g);

    /* An unknown database type is refused, named. */
    p[0] = t.dbip_city;
    p[1] = t.odd;
    expect_open_error(p, 2, CM_EFORMAT, t.odd, "'Example-Proxy-Detection'");
    drop_dbs(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_addresses),
        cmocka_unit_test(test_unknown_and_private),
        cmocka_unit_test(test_merge_order),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_corrupt_record),
        cmocka_unit_test(test_enrich_api_call),
        cmocka_unit_test(test_enrich_flow_and_probes),
        cmocka_unit_test(test_enrich_by_hand),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_handmade_schemas),
    };
    set_paths();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
