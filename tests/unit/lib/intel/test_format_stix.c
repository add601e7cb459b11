/*
 * The STIX readers of lib/intel: STIX 1.x XML (format_stix1.c, "STIX") and
 * STIX 2.x JSON (format_stix2.c, "STIX2"). Hand-written inputs cover every
 * record shape, the bad records (line and reason), XML that is not well
 * formed, entity-expansion attacks, deep JSON nesting and callback errors.
 * When $SHARED/data (SHARED defaults to ../shared) is present, the two
 * GuardDuty STIX samples and every stix2-examples file are read too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "intel/format.h"

/* ---- a reader that records what it is given ---- */

#include "format_record.h"
}

/* ---- STIX 1.x ---- */

#define PKG_OPEN                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"\n"                             \
    "  xmlns:cybox=\"http://cybox.mitre.org/cybox-2\"\n"                                           \
    "  xmlns:indicator=\"http://stix.mitre.org/Indicator-2\"\n"                                    \
    "  xmlns:A=\"http://cybox.mitre.org/objects#AddressObject-2\"\n"                               \
    "  xmlns:D=\"http://cybox.mitre.org/objects#DomainNameObject-1\"\n"                            \
    "  xmlns:U=\"http://cybox.mitre.org/objects#URIObject-2\"\n"                                   \
    "  xmlns:H=\"http://cybox.mitre.org/objects#HostnameObject-1\"\n"                              \
    "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"1.2\">\n"

/* Every record shape, one per line from line 10 on (line numbers matter). */
static const char stix1_shapes[] = PKG_OPEN
    /* 10 */
    "<stix:Observables>\n"
    /* 11 */ "<cybox:Observable><cybox:Object><cybox:Properties xsi:type=\"A:AddressObjectType\" "
    "category=\"ipv4-addr\">\n"
    /* 12 */ "  <A:Address_Value> 198.51.100.7 </A:Address_Value>\n"
    /* 13 */ "</cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 14 */ "<cybox:Observable><cybox:Title>Scanner net</cybox:Title><cybox:Object>"
    "<cybox:Properties category=\"ipv4-net\"><A:Address_Value>203.0.113.0/24"
    "</A:Address_Value></cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 15 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv4-addr\">"
    "<A:Address_Value condition=\"Equals\" apply_condition=\"ANY\">"
    "192.0.2.1##comma##192.0.2.2 ##comma## 192.0.2.3</A:Address_Value>"
    "</cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 16 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv4-addr\">"
    "<A:Address_Value condition=\"InclusiveBetween\">10.1.0.0##comma##10.1.0.255"
    "</A:Address_Value></cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 17 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv6-addr\">"
    "<A:Address_Value>2001:db8::1</A:Address_Value></cybox:Properties></cybox:Object>"
    "</cybox:Observable>\n"
    /* 18 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"e-mail\">"
    "<A:Address_Value>a@example.com</A:Address_Value></cybox:Properties></cybox:Object>"
    "</cybox:Observable>\n"
    /* 19 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv4-addr\">"
    "<A:Address_Value condition=\"StartsWith\">10.2.</A:Address_Value>"
    "</cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 20 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv4-addr\">"
    "<A:Address_Value>  </A:Address_Value></cybox:Properties></cybox:Object>"
    "</cybox:Observable>\n"
    /* 21 */ "<cybox:Observable><cybox:Object><cybox:Properties category=\"ipv4-addr\">"
    "<A:Address_Value condition=\"InclusiveBetween\">1.1.1.1##comma##1.1.1.2##comma##"
    "1.1.1.3</A:Address_Value></cybox:Properties></cybox:Object></cybox:Observable>\n"
    /* 22 */ "<cybox:Observable><cybox:Object><cybox:Properties>"
    "<H:Hostname_Value>c2.example.net</H:Hostname_Value></cybox:Properties>"
    "</cybox:Object></cybox:Observable>\n"
    /* 23 */ "</stix:Observables>\n"
    /* 24 */ "<stix:Indicators>\n"
    /* 25 */ "<stix:Indicator xsi:type=\"indicator:IndicatorType\">\n"
    /* 26 */ "  <indicator:Title>Evil &amp; Co C2</indicator:Title>\n"
    /* 27 */ "  <indicator:Type>Domain Watchlist</indicator:Type>\n"
    /* 28 */ "  <indicator:Description>ignored: there is a title</indicator:Description>\n"
    /* 29 */ "  <indicator:Observable><cybox:Object><cybox:Properties "
    "xsi:type=\"D:DomainNameObjectType\">\n"
    /* 30 */ "    <D:Value condition=\"Equals\">evil.example.org</D:Value>\n"
    /* 31 */ "    <D:Value condition=\"Contains\">evil</D:Value>\n"
    /* 32 */ "  </cybox:Properties></cybox:Object></indicator:Observable>\n"
    /* 33 */ "</stix:Indicator>\n"
    /* 34 */ "<stix:Indicator>\n"
    /* 35 */ "  <indicator:Description><![CDATA[Phishing <landing> "
    "page]]></indicator:Description>\n"
    /* 36 */ "  <indicator:Observable><cybox:Object><cybox:Properties type=\"URL\">"
    "<U:Value>http://phish.example.com/login</U:Value></cybox:Properties>"
    "</cybox:Object></indicator:Observable>\n"
    /* 37 */ "  <indicator:Observable><cybox:Object><cybox:Properties type=\"Domain Name\">"
    "<U:Value>cdn.example.com</U:Value></cybox:Properties></cybox:Object>"
    "</indicator:Observable>\n"
    /* 38 */ "  <indicator:Observable><cybox:Object><cybox:Properties type=\"General URN\">"
    "<U:Value>urn:x:y</U:Value></cybox:Properties></cybox:Object>"
    "</indicator:Observable>\n"
    /* 39 */ "</stix:Indicator>\n"
    /* 40 */ "</stix:Indicators>\n"
    /* 41 */ "</stix:STIX_Package>\n";

static void test_stix1_shapes(void **state)
{
    struct got *g = got_new();
    const struct cm_intel_format *f = &cm_intel_format_stix1;
    size_t i = 0, b = 0;

    (void)state;
    assert_string_equal(f->name, "STIX");
    assert_int_equal(run_str(f, stix1_shapes, g), 0);
    item_is(g, i++, CM_IV_IP, "198.51.100.7", "", "", "", 12);
    item_is(g, i++, CM_IV_IP, "203.0.113.0/24", "", "Scanner net", "", 14);
    item_is(g, i++, CM_IV_IP, "192.0.2.1", "", "", "", 15);
    item_is(g, i++, CM_IV_IP, "192.0.2.2", "", "", "", 15);
    item_is(g, i++, CM_IV_IP, "192.0.2.3", "", "", "", 15);
    item_is(g, i++, CM_IV_RANGE, "10.1.0.0", "10.1.0.255", "", "", 16);
    item_is(g, i++, CM_IV_IP, "2001:db8::1", "", "", "", 17);
    item_is(g, i++, CM_IV_DOMAIN, "c2.example.net", "", "", "", 22);
    item_is(g, i++, CM_IV_DOMAIN, "evil.example.org", "", "Evil & Co C2", "Domain Watchlist", 30);
    item_is(g, i++, CM_IV_URL, "http://phish.example.com/login", "", "Phishing <landing> page", "",
            36);
    item_is(g, i++, CM_IV_DOMAIN, "cdn.example.com", "", "Phishing <landing> page", "", 37);
    assert_int_equal(g->n, i);

    bad_is(g, b++, 18, "address category \"e-mail\"");
    bad_is(g, b++, 19, "condition \"StartsWith\" is not supported");
    bad_is(g, b++, 20, "empty value");
    bad_is(g, b++, 21, "exactly two values");
    bad_is(g, b++, 31, "condition \"Contains\" is not supported");
    bad_is(g, b++, 38, "URI type \"General URN\"");
    assert_int_equal(g->nbad, b);
    free(g);
}

/* Prefixes are free: the same package with other prefixes and a default namespace. */
static void test_stix1_prefixes(void **state)
{
    static const char xml[] =
        "<STIX_Package xmlns=\"http://stix.mitre.org/stix-1\"\n"
        " xmlns:c=\"http://cybox.mitre.org/cybox-2\" "
        "xmlns:i=\"http://stix.mitre.org/Indicator-2\"\n"
        " xmlns:dn=\"http://cybox.mitre.org/objects#DomainNameObject-1\">\n"
        "<Indicators><Indicator><i:Title>T</i:Title><i:Observable><c:Object><c:Properties>\n"
        "<dn:Value>x.example.com</dn:Value>\n"
        "<Value>not.a.domain.object</Value>\n"
        "</c:Properties></c:Object></i:Observable></Indicator></Indicators></STIX_Package>\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix1, xml, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_DOMAIN, "x.example.com", "", "T", "", 5);
    assert_int_equal(g->nbad, 0);
    free(g);
}

static void test_stix1_not_well_formed(void **state)
{
    static const char xml[] = PKG_OPEN "<stix:Observables>\n"
                                       "<cybox:Observable><cybox:Object><cybox:Properties>"
                                       "<A:Address_Value>198.51.100.9</A:Address_Value>"
                                       "</cybox:Properties></cybox:Object></cybox:Observable>\n"
                                       "<cybox:Observable>\n"
                                       "</stix:Observables>\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix1, xml, g), CM_EINVAL);
    /* What came before the error was handed over; then one bad record. */
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_IP, "198.51.100.9", "", "", "", 11);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 13, "not well formed: mismatched tag");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix1, "", g), CM_EINVAL);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "no element found");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix1, "198.51.100.1\n203.0.113.1\n", g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "not well formed");

    /* An undeclared prefix is a namespace error. */
    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix1, "<x:STIX_Package/>", g), CM_EINVAL);
    bad_is(g, 0, 1, "unbound prefix");
    free(g);
}

static void test_stix1_wrong_root(void **state)
{
    struct got *g = got_new();

    (void)state;
    assert_int_equal(
        run_str(&cm_intel_format_stix1, "<?xml version=\"1.0\"?>\n<html><body/></html>", g),
        CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 2, "root element <html> is not stix:STIX_Package");
    free(g);
}

static void test_stix1_billion_laughs(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"\n"
        " xmlns:A=\"http://cybox.mitre.org/objects#AddressObject-2\">\n"
        "<A:Address_Value>&lol9;</A:Address_Value></stix:STIX_Package>\n";
    static const char xxe[] = "<?xml version=\"1.0\"?>\n"
                              "<!DOCTYPE p [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n"
                              "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"\n"
                              " xmlns:A=\"http://cybox.mitre.org/objects#AddressObject-2\">\n"
                              "<A:Address_Value>&x;</A:Address_Value></stix:STIX_Package>\n";
    static const char param[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE p [ <!ENTITY % pe SYSTEM \"http://127.0.0.1:9/x\"> %pe; ]>\n"
        "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"/>\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix1, xml, g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 3, "entity declarations are not accepted");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix1, xxe, g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    bad_is(g, 0, 2, "entity declarations are not accepted");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix1, param, g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    bad_is(g, 0, 2, "entity declarations are not accepted");
    free(g);
}

/* AWS's sample has "<AddressObject:Address_Valuecondition=...>"; it is repaired. */
static void test_stix1_aws_slip(void **state)
{
    static const char xml[] =
        "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"\n"
        " xmlns:AddressObject=\"http://cybox.mitre.org/objects#AddressObject-2\">\n"
        "<AddressObject:Address_Valuecondition=\"InclusiveBetween\">192.0.2.0##comma##192.0.2.255"
        "</AddressObject:Address_Value>\n"
        "<AddressObject:Address_Value>Valuecondition=</AddressObject:Address_Value>\n"
        "<AddressObject:Address_Valuecondition=\"Equals\">198.51.100.1</"
        "AddressObject:Address_Value>\n"
        "</stix:STIX_Package>\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix1, xml, g), 0);
    assert_int_equal(g->n, 3);
    item_is(g, 0, CM_IV_RANGE, "192.0.2.0", "192.0.2.255", "", "", 3);
    item_is(g, 1, CM_IV_IP, "Valuecondition=", "", "", "", 4); /* text is left alone */
    item_is(g, 2, CM_IV_IP, "198.51.100.1", "", "", "", 5);
    assert_int_equal(g->nbad, 0);
    free(g);
}

static void test_stix1_callback_error(void **state)
{
    struct got *g = got_new();

    (void)state;
    g->fail_after = 2;
    assert_int_equal(run_str(&cm_intel_format_stix1, stix1_shapes, g), CM_EFULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->nbad, 0);
    free(g);
}

/* A value over 64 KiB is a bad record, the rest still loads. */
static void test_stix1_long_value(void **state)
{
    size_t big = 70 * 1024, n = 0;
    char *xml = malloc(big + 1024);
    struct got *g = got_new();

    (void)state;
    assert_non_null(xml);
    n += (size_t)snprintf(xml + n, big + 1024 - n,
                          "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" "
                          "xmlns:A=\"http://cybox.mitre.org/objects#AddressObject-2\">\n"
                          "<A:Address_Value>");
    memset(xml + n, 'a', big);
    n += big;
    n += (size_t)snprintf(xml + n, big + 1024 - n,
                          "</A:Address_Value>\n<A:Address_Value>198.51.100.2"
                          "</A:Address_Value></stix:STIX_Package>\n");
    assert_int_equal(run(&cm_intel_format_stix1, xml, n, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_IP, "198.51.100.2", "", "", "", 3);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 2, "longer than 64 KiB");
    free(xml);
    free(g);
}

static void test_stix1_sniff(void **state)
{
    int (*sniff)(const char *, size_t) = cm_intel_format_stix1.sniff;

    (void)state;
    assert_true(sniff(stix1_shapes, strlen(stix1_shapes)) >= 90);
    assert_true(sniff("<stix:STIX_Package/>", 20) >= 90);
    assert_true(sniff("<?xml version=\"1.0\"?><a/>", 25) > 0);
    assert_int_equal(sniff("198.51.100.1\n", 13), 0);
    assert_int_equal(sniff("{\"type\":\"bundle\"}", 17), 0);
    assert_int_equal(sniff("", 0), 0);
    /* Never reads past len. */
    assert_int_equal(sniff("<stix:STIX_Package/>", 5), 10);
}

static void test_stix1_guardduty_samples(void **state)
{
    size_t len;
    char *ip = shared_file("guardduty-list-formats/stix_ip_list.xml", &len);
    struct got *g;

    (void)state;
    if (!ip) {
        skip();
        return;
    }
    g = got_new();
    assert_true(cm_intel_format_stix1.sniff(ip, len) >= 90);
    assert_int_equal(run(&cm_intel_format_stix1, ip, len, g), 0);
    assert_int_equal(g->n, 3);
    item_is(g, 0, CM_IV_RANGE, "192.0.2.0", "192.0.2.255", "", "", 25);
    item_is(g, 1, CM_IV_IP, "198.51.100.1", "", "", "", 32);
    item_is(g, 2, CM_IV_IP, "203.0.113.1", "", "", "", 39);
    assert_int_equal(g->nbad, 0);
    free(ip);

    memset(g, 0, sizeof(*g));
    ip = shared_file("guardduty-list-formats/stix_entity_list.xml", &len);
    assert_non_null(ip);
    assert_int_equal(run(&cm_intel_format_stix1, ip, len, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_DOMAIN, "bad.example.com", "", "Malicious domain observed Example",
            "Domain Watchlist", 24);
    assert_int_equal(g->nbad, 0);
    free(ip);
    free(g);
}

/* ---- STIX 2 ---- */

/* Indicators start at the lines in the comments. */
static const char stix2_shapes[] =
    /* 1 */
    "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"
    /* 2 */ "{\"type\": \"identity\", \"name\": \"not an indicator\"},\n"
    /* 3 */ "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"pattern_type\": \"stix\",\n"
    /* 4 */ " \"name\": \"C2 address\", \"indicator_types\": [\"malicious-activity\", \"x\"],\n"
    /* 5 */ " \"pattern\": \"[ipv4-addr:value = '198.51.100.1']\"},\n"
    /* 6 */ "{\"type\": \"indicator\", \"name\": \"Mixed\", \"labels\": [\"anonymization\"],\n"
    /* 7 */ " \"pattern\": \"[ipv6-addr:value = '2001:db8::5' OR domain-name:value = "
    "'tor.example.org'] AND [url:value = 'http://a.example.com/x?y=1'] FOLLOWEDBY "
    "[ipv4-addr:value ISSUBSET '203.0.113.0/24'] WITHIN 600 SECONDS\"},\n"
    /* 8 */ "{\"type\": \"indicator\", \"name\": \"Narrowed\", \"revoked\": true, "
    "\"valid_until\": \"2000-01-01T00:00:00Z\",\n"
    /* 9 */ " \"pattern\": \"[network-traffic:dst_port = 443 AND domain-name:value = "
    "'narrow.example.net' AND file:hashes.'SHA-256' = 'ab\\\\'cd']\"},\n"
    /* 10 */ "{\"type\": \"indicator\", \"name\": \"List\", \"pattern\": \"[domain-name:value IN "
    "('a.example.com', 'b.example.com', 'it\\\\'s.example.com')]\"},\n"
    /* 11 */ "{\"type\": \"indicator\", \"name\": \"Hash only\", \"pattern\": "
    "\"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']\"},\n"
    /* 12 */ "{\"type\": \"indicator\", \"name\": \"Regex\", \"pattern\": "
    "\"[domain-name:value MATCHES '^evil' OR ipv4-addr:value != '10.0.0.1' OR "
    "url:value NOT = 'http://n.example.com/' OR ipv4-addr:value = '198.51.100.77']\"},\n"
    /* 13 */ "{\"type\": \"indicator\", \"name\": \"Broken\", \"pattern\": \"[ipv4-addr:value = "
    "'198.51.100.99]\"},\n"
    /* 14 */ "{\"type\": \"indicator\", \"name\": \"Snort\", \"pattern_type\": \"snort\", "
    "\"pattern\": \"alert ip 198.51.100.5 any -> any any\"},\n"
    /* 15 */ "{\"type\": \"indicator\", \"name\": \"No pattern\"},\n"
    /* 16 */ "{\"type\": \"indicator\", \"name\": \"Unbalanced\", \"pattern\": "
    "\"[ipv4-addr:value = '198.51.100.98'\"},\n"
    /* 17 */ "{\"type\": \"indicator\", \"name\": \"Esc\\u0061ped\", \"pattern\": "
    "\"[url:value = 'http://q.example.com/\\u0061']\"},\n"
    /* 18 */ "17, {\"id\": \"x\"},\n"
    /* 19 */ "{\"type\": \"ipv4-addr\", \"value\": \"198.51.100.200\"}\n"
    /* 20 */ "]}\n";

static void test_stix2_shapes(void **state)
{
    struct got *g = got_new();
    const struct cm_intel_format *f = &cm_intel_format_stix2;
    size_t i = 0, b = 0;

    (void)state;
    assert_string_equal(f->name, "STIX2");
    assert_int_equal(run_str(f, stix2_shapes, g), 0);
    item_is(g, i++, CM_IV_IP, "198.51.100.1", "", "C2 address", "malicious-activity", 3);
    item_is(g, i++, CM_IV_IP, "2001:db8::5", "", "Mixed", "anonymization", 6);
    item_is(g, i++, CM_IV_DOMAIN, "tor.example.org", "", "Mixed", "anonymization", 6);
    item_is(g, i++, CM_IV_URL, "http://a.example.com/x?y=1", "", "Mixed", "anonymization", 6);
    item_is(g, i++, CM_IV_IP, "203.0.113.0/24", "", "Mixed", "anonymization", 6);
    item_is(g, i++, CM_IV_DOMAIN, "narrow.example.net", "", "Narrowed", "", 8);
    item_is(g, i++, CM_IV_DOMAIN, "a.example.com", "", "List", "", 10);
    item_is(g, i++, CM_IV_DOMAIN, "b.example.com", "", "List", "", 10);
    item_is(g, i++, CM_IV_DOMAIN, "it's.example.com", "", "List", "", 10);
    item_is(g, i++, CM_IV_IP, "198.51.100.77", "", "Regex", "", 12);
    item_is(g, i++, CM_IV_URL, "http://q.example.com/a", "", "Escaped", "", 17);
    assert_int_equal(g->n, i);

    bad_is(g, b++, 12, "'domain-name:value MATCHES' is not an equality");
    bad_is(g, b++, 12, "'ipv4-addr:value !=' is not an equality");
    bad_is(g, b++, 12, "'url:value NOT =' is not an equality");
    bad_is(g, b++, 13, "pattern: unterminated string");
    bad_is(g, b++, 15, "without a pattern");
    bad_is(g, b++, 16, "pattern: unbalanced brackets");
    bad_is(g, b++, 18, "not a STIX object");
    bad_is(g, b++, 18, "without a \"type\"");
    assert_int_equal(g->nbad, b);
    free(g);
}

static void test_stix2_roots(void **state)
{
    static const char one[] = "{\"type\": \"indicator\", \"spec_version\": \"2.1\", "
                              "\"pattern\": \"[ipv4-addr:value = '198.51.100.3']\"}";
    static const char arr[] =
        "[\n{\"type\": \"indicator\", \"pattern\": \"[domain-name:value = 'x.example.com']\"},\n"
        "{\"type\": \"bundle\", \"objects\": [\n"
        "{\"type\": \"indicator\", \"pattern\": \"[url:value = 'https://y.example.com/']\"}]}\n]";
    static const char empty_bundle[] = "{\"type\": \"bundle\", \"id\": \"bundle--2\"}";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix2, one, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_IP, "198.51.100.3", "", "", "", 1);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix2, arr, g), 0);
    assert_int_equal(g->n, 2);
    item_is(g, 0, CM_IV_DOMAIN, "x.example.com", "", "", "", 2);
    item_is(g, 1, CM_IV_URL, "https://y.example.com/", "", "", "", 4);
    assert_int_equal(g->nbad, 0);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix2, empty_bundle, g), 0);
    assert_int_equal(g->n + g->nbad, 0);
    free(g);
}

static void test_stix2_not_stix(void **state)
{
    struct got *g = got_new();
    size_t deep = 100000;
    char *nest = malloc(2 * deep + 1);

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_stix2, "{\"Event\": {}}", g), CM_EINVAL);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "not STIX 2");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix2, "[1, 2]", g), CM_EINVAL);
    bad_is(g, 0, 1, "not STIX 2");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_stix2, "\"bundle\"", g), CM_EINVAL);

    memset(g, 0, sizeof(*g));
    assert_int_equal(
        run_str(&cm_intel_format_stix2, "{\"type\": \"bundle\",\n\"objects\": [\n}", g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 3, "JSON: ");

    /* 100000 nested arrays: rejected by the nesting limit, no crash. */
    assert_non_null(nest);
    memset(nest, '[', deep);
    memset(nest + deep, ']', deep);
    memset(g, 0, sizeof(*g));
    assert_int_equal(run(&cm_intel_format_stix2, nest, 2 * deep, g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "JSON: ");
    free(nest);
    free(g);
}

static void test_stix2_callback_error(void **state)
{
    struct got *g = got_new();

    (void)state;
    g->fail_after = 3;
    assert_int_equal(run_str(&cm_intel_format_stix2, stix2_shapes, g), CM_EFULL);
    assert_int_equal(g->n, 3);
    free(g);
}

static void test_stix2_sniff(void **state)
{
    int (*sniff)(const char *, size_t) = cm_intel_format_stix2.sniff;
    static const char s21[] = "{\"spec_version\": \"2.1\", \"type\": \"indicator\"}";

    (void)state;
    assert_true(sniff(stix2_shapes, strlen(stix2_shapes)) >= 90);
    assert_true(sniff(s21, strlen(s21)) >= 90);
    assert_int_equal(sniff("{\"Event\": {\"info\": \"x\"}}", 24), 0);
    assert_int_equal(sniff(stix1_shapes, strlen(stix1_shapes)), 0);
    assert_int_equal(sniff("198.51.100.1\n", 13), 0);
    assert_int_equal(sniff("", 0), 0);
}

struct expect2 {
    const char *file;
    size_t items;
    const char *first; /* the first item's value, NULL when none */
    enum cm_intel_value kind;
};

static void test_stix2_examples(void **state)
{
    /*
     * Counts: the equality comparisons on ipv4-addr/ipv6-addr/domain-name/url
     * in each file's indicator patterns (jq -r '.objects[] |
     * select(.type=="indicator") | .pattern' | grep -o ...:value | wc -l).
     */
    static const struct expect2 ex[] = {
        {"stix2-examples/indicator-for-c2-ip-address.json", 1, "10.0.0.0", CM_IV_IP},
        {"stix2-examples/indicator-to-campaign-relationship.json", 1, "10.0.0.0", CM_IV_IP},
        {"stix2-examples/indicators-for-C2-with-COA.json", 1, "10.0.0.0", CM_IV_IP},
        {"stix2-examples/infrastructure.json", 0, NULL, CM_IV_AUTO},
        {"stix2-examples/interop-objectmarking-test.json", 0, NULL, CM_IV_AUTO},
        {"stix2-examples/malicious-email-indicator-with-attachment.json", 0, NULL, CM_IV_AUTO},
        {"stix2-examples/threat-reports/apt1.json", 7, "223.166.0.0/15", CM_IV_IP},
        {"stix2-examples/threat-reports/poisonivy.json", 65, "219.76.208.163", CM_IV_IP},
        {"misp-samples/pymisp_stix2.json", 0, NULL, CM_IV_AUTO},
    };
    struct got *g = got_new();
    size_t found = 0;

    (void)state;
    for (size_t k = 0; k < sizeof(ex) / sizeof(ex[0]); k++) {
        size_t len;
        char *buf = shared_file(ex[k].file, &len);

        if (!buf) {
            continue;
        }
        found++;
        memset(g, 0, sizeof(*g));
        if (run(&cm_intel_format_stix2, buf, len, g) != 0 || g->nbad != 0 || g->n != ex[k].items) {
            fail_msg("%s: %zu items, %zu bad (%s), want %zu", ex[k].file, g->n, g->nbad,
                     g->nbad ? g->bad[0].reason : "-", ex[k].items);
        }
        assert_true(cm_intel_format_stix2.sniff(buf, len) >= 90);
        if (ex[k].first) {
            assert_string_equal(g->items[0].value, ex[k].first);
            assert_int_equal(g->items[0].kind, ex[k].kind);
        }
        free(buf);
    }
    if (found == 0) {
        free(g);
        skip();
        return;
    }
    /* The C2 example in full, and the shapes the threat reports use. */
    {
        size_t len;
        char *buf = shared_file("stix2-examples/indicator-for-c2-ip-address.json", &len);
        assert_non_null(buf);
        memset(g, 0, sizeof(*g));
        assert_int_equal(run(&cm_intel_format_stix2, buf, len, g), 0);
        item_is(g, 0, CM_IV_IP, "10.0.0.0", "", "IP Address for known C2 channel",
                "malicious-activity", 5);
        free(buf);

        buf = shared_file("stix2-examples/threat-reports/apt1.json", &len);
        assert_non_null(buf);
        memset(g, 0, sizeof(*g));
        assert_int_equal(run(&cm_intel_format_stix2, buf, len, g), 0);
        assert_string_equal(g->items[4].value, "hugesoft.org");
        assert_int_equal(g->items[4].kind, CM_IV_DOMAIN);
        assert_string_equal(g->items[4].threat, "FQDN hugesoft.org");
        free(buf);

        buf = shared_file("stix2-examples/threat-reports/poisonivy.json", &len);
        assert_non_null(buf);
        memset(g, 0, sizeof(*g));
        assert_int_equal(run(&cm_intel_format_stix2, buf, len, g), 0);
        /* "[domain-name:value = 'www.webserver.dynssl.com' OR ipv4-addr:value = ...]" */
        assert_string_equal(g->items[1].value, "www.webserver.dynssl.com");
        assert_int_equal(g->items[1].kind, CM_IV_DOMAIN);
        assert_string_equal(g->items[2].value, "113.10.246.30");
        assert_int_equal(g->items[2].line, g->items[1].line);
        free(buf);
    }
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix1_shapes),
        cmocka_unit_test(test_stix1_prefixes),
        cmocka_unit_test(test_stix1_not_well_formed),
        cmocka_unit_test(test_stix1_wrong_root),
        cmocka_unit_test(test_stix1_billion_laughs),
        cmocka_unit_test(test_stix1_aws_slip),
        cmocka_unit_test(test_stix1_callback_error),
        cmocka_unit_test(test_stix1_long_value),
        cmocka_unit_test(test_stix1_sniff),
        cmocka_unit_test(test_stix1_guardduty_samples),
        cmocka_unit_test(test_stix2_shapes),
        cmocka_unit_test(test_stix2_roots),
        cmocka_unit_test(test_stix2_not_stix),
        cmocka_unit_test(test_stix2_callback_error),
        cmocka_unit_test(test_stix2_sniff),
        cmocka_unit_test(test_stix2_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
